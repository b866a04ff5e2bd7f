//! Lessons: a scenario plus ordered steps that pause the run, ask the learner to predict, and
//! reveal the answer from the engine.
//!
//! A [`Lesson`] rides in the [`crate::Scenario`] document (and so in the share link). Each
//! [`Step`] has a text, at most one trigger (when it starts: a simulated time, a typed engine
//! fact, a learner's action, or a measure passing a threshold; none: at once), what it does on
//! arrival (pause, speed, selection, focus) and optionally a [`Question`] whose answer is read
//! from the engine when the next step is reached, never typed into the lesson. The
//! step-by-step walk follows The Secret Lives of Data and RaftScope; predict-then-reveal
//! follows PhET's and Learn Git Branching's levels. [`crate::sim::lesson`] plays a lesson.
//!
//! Everything here is validated at the edge by [`Lesson::validate`]: bad input is a named
//! [`LessonError`] and the lesson is refused, never a panic.

use crate::mechanisms::action::{ActionKind, ScheduledAction};
use crate::scenario::config::ClusterConfig;
use serde::{Deserialize, Serialize};

/// Most steps a lesson may have.
pub const MAX_STEPS: usize = 40;
/// Longest step text, question or explanation, characters.
pub const MAX_STEP_CHARS: usize = 1_200;
/// Most choices a multiple-choice question may offer.
pub const MAX_CHOICES: usize = 8;
/// Panels a step can keep in focus mode ([`Step::focus`]); the others are hidden.
pub const PANELS: [&str; 7] = [
    "topology",
    "charts",
    "feed",
    "inspector",
    "ring",
    "queues",
    "alerts",
];

/// An enum of unit variants read and written as snake-case keys through one table: the key
/// list is the vocabulary, and reading is a lookup in it (serde's derived enum reader is a
/// few KB of wasm per enum). An unknown key is refused with the list of known ones.
macro_rules! keyed {
    ($(#[$m:meta])* $name:ident, $what:literal { $($(#[$vm:meta])* $v:ident = $k:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "&'static str")]
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            /// Every variant with its key, in declaration order.
            pub const KEYS: &'static [($name, &'static str)] = &[$(($name::$v, $k),)*];
            /// The key this is written as.
            pub fn key(self) -> &'static str {
                Self::KEYS.iter().find(|(v, _)| *v == self).map_or("", |(_, k)| k)
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::KEYS.iter().find(|(_, k)| *k == s).map(|(v, _)| *v).ok_or_else(|| {
                    let keys: Vec<&str> = Self::KEYS.iter().map(|(_, k)| *k).collect();
                    format!(concat!("unknown ", $what, " `{}`; one of: {}"), s, keys.join(", "))
                })
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str {
                v.key()
            }
        }

        /// Crosses as its variant's index (`crate::codec`).
        impl crate::codec::Wire for $name {
            fn wire(&mut self, c: &mut crate::codec::Codec) {
                let mut i = *self as u64;
                c.varint(&mut i);
                *self = Self::KEYS[i as usize].0;
            }
            fn blank() -> Self {
                Self::KEYS[0].0
            }
        }
    };
}

/// A guided lesson over the scenario's run. See the module docs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// The lesson's title (the scenario's title is the cluster's).
    pub title: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step of a [`Lesson`]. At most one of `at_s`, `on`, `wait_for` and `when` is set: the
/// step starts at that simulated time, on that fact, after that learner action, or when that
/// measure passes a threshold; with none it starts at once (as soon as the learner goes on).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A short paragraph: plain text with `**bold**`, `` `code` `` and lines starting `- `
    /// (a list). Rendered as text, never as HTML; markup (`<tag`) is refused.
    pub text: String,
    /// Starts at this simulated time, seconds from the start of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_s: Option<f64>,
    /// Starts when this engine fact happens (about `of`, if given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<Fact>,
    /// A "try it" step: starts when the learner takes this action on `of` (a timeline
    /// action without its time: `"wait_for": {"kind": "crash"}, "of": "192.168.1.11:8080"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_for: Option<ActionKind>,
    /// Starts when this measure (of `of`) goes above `above` (a queue backlog passes 1,000
    /// messages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Measure>,
    /// The threshold of `when`.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub above: f64,
    /// What `on`, `wait_for` or `when` is about: an instance address, a service, queue, alert
    /// rule or data node name (`None`: any, the cluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    /// Keep running on arrival instead of pausing (default: pause).
    #[serde(default, skip_serializing_if = "is_false")]
    pub keep_running: bool,
    /// Playback speed on arrival, one of [`crate::scenario::SPEEDS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    /// Selects and highlights this element: an instance address, a service, queue, alert
    /// rule or data node name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<String>,
    /// In focus mode, the panels to keep (from [`PANELS`]); empty: those of the last step
    /// that named any (all if none did).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub focus: Vec<String>,
    /// A prediction, answered from the engine when the next step is reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
}

fn is_zero_f64(n: &f64) -> bool {
    *n == 0.0
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// An engine fact with the element it is about, as [`crate::sim::Simulation::fact_of`] reads
/// a notice (a step's `on` and `of`).
#[derive(Clone, Debug, PartialEq)]
pub struct FactTrigger {
    /// Which fact.
    pub fact: Fact,
    /// About which element (instance address, service, queue, alert rule or data node name).
    pub of: Option<String>,
}
crate::codec::wire_struct!(FactTrigger { fact, of });

keyed! {
    /// The typed engine facts a step can start on, each one or more
    /// [`crate::sim::notice::Notice`] variants.
    Fact, "fact" {
        /// An instance's process crashed.
        InstanceCrashed = "instance_crashed",
        /// An instance booted and serves.
        InstanceReady = "instance_ready",
        /// The registry expired an instance (heartbeat TTL).
        Expired = "expired",
        /// A balancer's upstream list changed (of: the service).
        UpstreamsChanged = "upstreams_changed",
        /// The health checker marked an instance unhealthy.
        MarkedUnhealthy = "marked_unhealthy",
        /// The health checker marked an instance healthy again.
        MarkedHealthy = "marked_healthy",
        /// Outlier ejection took an instance out.
        Ejected = "ejected",
        /// The failover manager promoted a backup (of: the failed primary).
        BackupPromoted = "backup_promoted",
        /// A recovered primary took its traffic back.
        Failback = "failback",
        /// The failover manager gave up recovering an instance.
        RecoveryGaveUp = "recovery_gave_up",
        /// A circuit breaker opened (of: the upstream instance).
        BreakerOpened = "breaker_opened",
        /// A circuit breaker went half-open.
        BreakerHalfOpen = "breaker_half_open",
        /// A circuit breaker closed.
        BreakerClosed = "breaker_closed",
        /// An alert went pending (of: the rule).
        AlertPending = "alert_pending",
        /// An alert fired.
        AlertFiring = "alert_firing",
        /// An alert resolved.
        AlertResolved = "alert_resolved",
        /// A service's balancer entered panic mode.
        PanicMode = "panic_mode",
        /// A data node failed.
        DataNodeFailed = "data_node_failed",
        /// A data node joined or left the ring.
        DataMembership = "data_membership",
        /// Repair finished: every key has its replicas.
        Repaired = "repaired",
        /// A queue's backlog started building (of: the queue).
        BacklogBuilding = "backlog_building",
        /// A queue's backlog drained.
        BacklogDrained = "backlog_drained",
        /// A message went to the dead-letter queue.
        DeadLettered = "dead_lettered",
    }
}

/// A prediction. Numeric without `choices`; multiple choice with them: either the
/// categorical measure's label (`breaker_state`, `alert_state`), or, with `pick`, the choice
/// (an element name) whose measure is the most or least.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// The question, as the learner reads it.
    pub ask: String,
    /// What the engine measures to answer it.
    pub measure: Measure,
    /// Of which element (instance address, service, queue, alert rule); `None`: the cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    /// The choices of a multiple-choice question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// With element choices: the answer is the choice with the most or least of `measure`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pick: Option<Pick>,
    /// A numeric guess is right within this percentage of the engine's value (default 20 %;
    /// at least 1 unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance_pct: Option<f64>,
    /// The step (numbered from 1) whose arrival reveals the answer; the answer is read
    /// then. Default (0): the next step.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reveal_at: usize,
    /// One or two sentences on why, shown with the answer.
    #[serde(default)]
    pub why: String,
}

impl Question {
    /// The index (from 0) of the step that reveals the answer to the question on step
    /// index `step`.
    pub fn reveal_index(&self, step: usize) -> usize {
        match self.reveal_at {
            0 => step + 1,
            s => s - 1,
        }
    }
}

keyed! {
    /// Most or least, for a question over element choices.
    Pick, "pick" {
        /// The choice with the largest value.
        Most = "most",
        /// The choice with the smallest value.
        Least = "least",
    }
}

keyed! {
    /// What the engine measures for a question or a threshold. Counters are counted over the
    /// question's interval (from its step to the next); levels are read when the next step is
    /// reached.
    Measure, "measure" {
        /// Requests that ended in any failure (5xx, timeout, 429, short-circuit, no upstream):
        /// counter, requests.
        Failed = "failed",
        /// Requests refused 429 by the gateway's rate limiter: counter.
        Rejected = "rejected",
        /// Requests failed fast by an open breaker: counter.
        ShortCircuited = "short_circuited",
        /// Calls an instance served (of: the instance): counter.
        Requests = "requests",
        /// Retries sent: counter.
        Retries = "retries",
        /// Simulated seconds between the two steps: counter, s.
        Seconds = "seconds",
        /// Latency p99 over the metrics window (of: instance), ms: level.
        P99Ms = "p99_ms",
        /// Upstreams in a service's balancer (of: the service): level.
        Upstreams = "upstreams",
        /// Messages waiting in a queue (of: the queue): level.
        QueueDepth = "queue_depth",
        /// Age of a queue's oldest waiting message, s: level.
        QueueLagS = "queue_lag_s",
        /// Messages dead-lettered from a queue since the start: level.
        DeadLettered = "dead_lettered",
        /// Keys whose primary moved in the last join or leave, % of keys: level.
        KeysMovedPct = "keys_moved_pct",
        /// Keys missing a replica: level.
        UnderReplicated = "under_replicated",
        /// State of the breaker towards an instance (of: the instance): label (`closed`, `open`,
        /// `half_open`).
        BreakerState = "breaker_state",
        /// State of an alert rule (of: the rule): label (`inactive`, `pending`, `firing`,
        /// `resolved`).
        AlertState = "alert_state",
    }
}

impl Measure {
    /// Counted over an interval (the difference of two readings) rather than read at an
    /// instant.
    pub fn is_counter(self) -> bool {
        matches!(
            self,
            Measure::Failed
                | Measure::Rejected
                | Measure::ShortCircuited
                | Measure::Requests
                | Measure::Retries
                | Measure::Seconds
        )
    }

    /// The labels of a categorical measure; empty for a numeric one.
    pub fn labels(self) -> &'static [&'static str] {
        match self {
            Measure::BreakerState => &["closed", "open", "half_open"],
            Measure::AlertState => &["inactive", "pending", "firing", "resolved"],
            _ => &[],
        }
    }

    /// What `of` names for this measure: `None` when it takes no element.
    pub fn needs(self) -> Option<Element> {
        match self {
            Measure::Requests | Measure::P99Ms | Measure::BreakerState => Some(Element::Instance),
            Measure::Upstreams => Some(Element::Service),
            Measure::QueueDepth | Measure::QueueLagS | Measure::DeadLettered => {
                Some(Element::Queue)
            }
            Measure::AlertState => Some(Element::AlertRule),
            _ => None,
        }
    }
}

/// The kinds of element a lesson names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Element {
    /// An instance, by address.
    Instance,
    /// A service, by name.
    Service,
    /// A queue or topic, by name.
    Queue,
    /// An alert rule, by name.
    AlertRule,
    /// A data node, by id.
    DataNode,
}

/// Why a lesson was refused. Steps are numbered from 1, as the learner reads them. The words
/// are in [`crate::present::lesson`]. `Debug` writes them too: a derived one would bring
/// `core`'s float formatting into the page for `PastTheEnd`'s time (see [`crate::decimal::Dec`]).
#[derive(Clone, PartialEq)]
pub enum LessonError {
    /// No steps, or more than [`MAX_STEPS`]: (count).
    StepCount(usize),
    /// The title is empty or too long.
    Title,
    /// A text longer than [`MAX_STEP_CHARS`]: (step).
    TooLong(usize),
    /// A text with markup in it: (step, the tag's start). Texts are never HTML.
    Markup(usize, String),
    /// More than one of `at_s`, `on`, `wait_for`, `when`: (step).
    TwoTriggers(usize),
    /// A time that is not a number of seconds within the scenario's duration: (step, s,
    /// duration s).
    PastTheEnd(usize, f64, u32),
    /// A step timed before the step before it: (step).
    TimeGoesBack(usize),
    /// A name that names nothing of this kind in the cluster: (step, field, the name).
    UnknownName(usize, &'static str, String),
    /// A measure that needs an element (`of`) and has none, or the reverse: (step, field).
    NeedsElement(usize, &'static str),
    /// The cluster refuses the `wait_for` action: (step, why).
    Action(usize, String),
    /// A multiple-choice question without two choices, too many, or a choice its measure
    /// cannot answer: (step, why).
    Choices(usize, &'static str),
    /// A question on the last step, or revealed at a step that is not after it: (step).
    NoReveal(usize),
    /// A speed that is not one of the page's speeds, a focus panel that does not exist, or a
    /// tolerance out of range: (step, field).
    Setting(usize, &'static str),
    /// Played: the step's trigger never came within the scenario's duration: (step, s).
    NeverReached(usize, u32),
    /// Played: the engine had no value for the question (no data yet): (step).
    NoAnswer(usize),
}

impl std::error::Error for LessonError {}

impl Step {
    /// How many triggers are set (valid: 0 or 1).
    fn triggers(&self) -> usize {
        usize::from(self.at_s.is_some())
            + usize::from(self.on.is_some())
            + usize::from(self.wait_for.is_some())
            + usize::from(self.when.is_some())
    }

    /// The `wait_for` action as a timeline action at 0 ms.
    pub fn wanted_action(&self) -> Option<ScheduledAction> {
        self.wait_for.as_ref().map(|kind| ScheduledAction {
            at_ms: 0,
            target: self.of.clone(),
            kind: *kind,
            duration_ms: None,
        })
    }
}

/// The first `<` that opens a tag (`<b`, `</`, `<!`) in `text`, with what follows it.
fn markup(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(1))
        .find(|&i| b[i] == b'<' && (b[i + 1].is_ascii_alphabetic() || b"/!?".contains(&b[i + 1])))
        .map(|i| text[i..].chars().take(6).collect())
}

/// Whether `name` names an element of kind `what` in `cfg`.
pub fn names(cfg: &ClusterConfig, what: Element, name: &str) -> bool {
    match what {
        Element::Instance => cfg
            .services
            .iter()
            .any(|s| s.instances.iter().any(|i| i.address == name)),
        Element::Service => cfg.services.iter().any(|s| s.name == name),
        Element::Queue => cfg
            .messaging
            .as_ref()
            .is_some_and(|m| m.queues.iter().any(|q| q.name == name)),
        Element::AlertRule => match &cfg.alerts {
            Some(rules) => rules.iter().any(|r| r.name == name),
            None => crate::scenario::presets::default_alert_rules(cfg)
                .iter()
                .any(|r| r.name == name),
        },
        Element::DataNode => cfg
            .data
            .as_ref()
            .is_some_and(|d| d.replication.nodes.iter().any(|n| n.id == name)),
    }
}

/// Whether `name` names any element of `cfg`.
fn names_any(cfg: &ClusterConfig, name: &str) -> bool {
    [
        Element::Instance,
        Element::Service,
        Element::Queue,
        Element::AlertRule,
        Element::DataNode,
    ]
    .into_iter()
    .any(|e| names(cfg, e, name))
}

impl Lesson {
    /// Checks every limit and every name against `cfg`, for a scenario that runs
    /// `duration_s` simulated seconds.
    ///
    /// Errors: the first problem, as a [`LessonError`].
    pub fn validate(&self, cfg: &ClusterConfig, duration_s: u32) -> Result<(), LessonError> {
        let n = self.steps.len();
        if n == 0 || n > MAX_STEPS {
            return Err(LessonError::StepCount(n));
        }
        if self.title.trim().is_empty() || self.title.chars().count() > 200 {
            return Err(LessonError::Title);
        }
        let mut last_t = 0.0;
        for (i, step) in self.steps.iter().enumerate() {
            let s = i + 1;
            let q = step.question.as_ref();
            for text in [Some(&step.text), q.map(|q| &q.ask), q.map(|q| &q.why)]
                .into_iter()
                .flatten()
            {
                if text.chars().count() > MAX_STEP_CHARS {
                    return Err(LessonError::TooLong(s));
                }
                if let Some(tag) = markup(text) {
                    return Err(LessonError::Markup(s, tag));
                }
            }
            if step.triggers() > 1 {
                return Err(LessonError::TwoTriggers(s));
            }
            if let Some(t) = step.at_s {
                if !(0.0..=f64::from(duration_s)).contains(&t) {
                    return Err(LessonError::PastTheEnd(s, t, duration_s));
                }
                if t < last_t {
                    return Err(LessonError::TimeGoesBack(s));
                }
                last_t = t;
            }
            if step.on.is_some() {
                if let Some(name) = &step.of {
                    if !names_any(cfg, name) {
                        return Err(LessonError::UnknownName(s, "of", name.clone()));
                    }
                }
            }
            if let Some(action) = step.wanted_action() {
                cfg.resolve(&action)
                    .map_err(|e| LessonError::Action(s, e.to_string()))?;
            }
            if let Some(m) = step.when {
                check_of(cfg, s, "of", m, step.of.as_deref())?;
                if !step.above.is_finite() || !m.labels().is_empty() {
                    return Err(LessonError::Setting(s, "above"));
                }
            }
            if step.of.is_some() && step.triggers() == usize::from(step.at_s.is_some()) {
                return Err(LessonError::NeedsElement(s, "of"));
            }
            if step
                .speed
                .is_some_and(|v| !crate::scenario::SPEEDS.contains(&v))
            {
                return Err(LessonError::Setting(s, "speed"));
            }
            if step.focus.iter().any(|p| !PANELS.contains(&p.as_str())) {
                return Err(LessonError::Setting(s, "focus"));
            }
            if let Some(name) = &step.select {
                if !names_any(cfg, name) {
                    return Err(LessonError::UnknownName(s, "select", name.clone()));
                }
            }
            if let Some(q) = q {
                let r = q.reveal_index(i);
                if r <= i || r >= n {
                    return Err(LessonError::NoReveal(s));
                }
                check_question(cfg, s, q)?;
            }
        }
        Ok(())
    }
}

/// Checks that `of` is given exactly when `m` needs an element, and names one of its kind.
fn check_of(
    cfg: &ClusterConfig,
    s: usize,
    field: &'static str,
    m: Measure,
    of: Option<&str>,
) -> Result<(), LessonError> {
    match (m.needs(), of) {
        (Some(kind), Some(name)) if !names(cfg, kind, name) => {
            Err(LessonError::UnknownName(s, field, name.to_string()))
        }
        (Some(_), Some(_)) | (None, None) => Ok(()),
        _ => Err(LessonError::NeedsElement(s, field)),
    }
}

fn check_question(cfg: &ClusterConfig, s: usize, q: &Question) -> Result<(), LessonError> {
    if q.ask.trim().is_empty() {
        return Err(LessonError::Choices(s, "the question has no text"));
    }
    if q.tolerance_pct.is_some_and(|t| !(0.0..=100.0).contains(&t)) {
        return Err(LessonError::Setting(s, "question.tolerance_pct"));
    }
    let labels = q.measure.labels();
    let choice = !labels.is_empty() || q.pick.is_some();
    if !choice {
        if !q.choices.is_empty() {
            return Err(LessonError::Choices(
                s,
                "a numeric question takes no choices (add pick: most or least to choose among elements)",
            ));
        }
        return check_of(cfg, s, "question.of", q.measure, q.of.as_deref());
    }
    if q.choices.len() < 2 || q.choices.len() > MAX_CHOICES {
        return Err(LessonError::Choices(
            s,
            "a multiple-choice question needs 2 to 8 choices",
        ));
    }
    if !labels.is_empty() {
        if q.pick.is_some() {
            return Err(LessonError::Choices(s, "pick is for measures with numbers"));
        }
        if q.choices.iter().any(|c| !labels.contains(&c.as_str())) {
            return Err(LessonError::Choices(
                s,
                "a choice is not a state this measure has",
            ));
        }
        return check_of(cfg, s, "question.of", q.measure, q.of.as_deref());
    }
    // Element choices: each choice is the `of` of one reading.
    if q.of.is_some() {
        return Err(LessonError::NeedsElement(s, "question.of"));
    }
    for c in &q.choices {
        check_of(cfg, s, "question.choices", q.measure, Some(c))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::presets;

    fn step(text: &str) -> Step {
        Step {
            text: text.into(),
            ..Step::default()
        }
    }

    fn lesson(steps: Vec<Step>) -> Lesson {
        Lesson {
            title: "t".into(),
            steps,
        }
    }

    fn check(l: &Lesson) -> Result<(), LessonError> {
        let p = presets::discovery();
        l.validate(&p.config, p.duration_s)
    }

    #[test]
    fn refuses_bad_lessons_by_name() {
        assert_eq!(check(&lesson(vec![])), Err(LessonError::StepCount(0)));
        let many = lesson(vec![step("x"); 10_000]);
        assert_eq!(check(&many), Err(LessonError::StepCount(10_000)));
        let tag = lesson(vec![step("look <script>alert(1)</script>")]);
        assert_eq!(check(&tag), Err(LessonError::Markup(1, "<scrip".into())));
        // A comparison is not markup.
        assert_eq!(check(&lesson(vec![step("p99 < 5 ms and 3<5")])), Ok(()));
        let late = Step {
            at_s: Some(1e9),
            ..step("x")
        };
        assert!(matches!(
            check(&lesson(vec![late])),
            Err(LessonError::PastTheEnd(1, _, _))
        ));
        let two = Step {
            at_s: Some(1.0),
            wait_for: Some(ActionKind::Crash),
            of: Some("192.168.1.11:8080".into()),
            ..step("x")
        };
        assert_eq!(check(&lesson(vec![two])), Err(LessonError::TwoTriggers(1)));
        let no_choices = Step {
            question: Some(Question {
                ask: "which?".into(),
                measure: Measure::Requests,
                of: None,
                choices: vec![],
                pick: Some(Pick::Most),
                tolerance_pct: None,
                reveal_at: 0,
                why: String::new(),
            }),
            ..step("x")
        };
        assert!(matches!(
            check(&lesson(vec![no_choices, step("y")])),
            Err(LessonError::Choices(1, _))
        ));
        let unknown = Step {
            select: Some("10.9.9.9:1".into()),
            ..step("x")
        };
        assert_eq!(
            check(&lesson(vec![unknown])),
            Err(LessonError::UnknownName(1, "select", "10.9.9.9:1".into()))
        );
        let bad_action = Step {
            wait_for: Some(ActionKind::Crash),
            of: Some("10.9.9.9:1".into()),
            ..step("x")
        };
        assert!(matches!(
            check(&lesson(vec![bad_action])),
            Err(LessonError::Action(1, _))
        ));
    }

    #[test]
    fn an_unknown_fact_is_named_by_the_reader() {
        let e = serde_json::from_str::<Step>(r#"{"text":"x","on":"instance_exploded"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown fact `instance_exploded`; one of: instance_crashed"),
            "{e}"
        );
    }
}
