//! Playing a [`Lesson`]: when each step's trigger happens in a run, and the engine's answer to
//! each question. The page's player and `ha-sim lesson` share this code, so they reach the
//! same steps at the same simulated instants and read the same answers.
//!
//! A step's trigger is exact: [`Simulation::run_to_trigger`] stops right after the simulated
//! µs at which the fact is posted, the time is reached or the threshold is passed (measures
//! for `when` are read every [`THRESHOLD_EVERY_US`], on whole multiples of it, so every player
//! checks at the same instants).

use crate::codec::Wire;
use crate::common::InstanceId;
use crate::mechanisms::alerts::AlertState;
use crate::mechanisms::breaker::BreakerState;
use crate::scenario::lesson::{
    Fact, FactTrigger, Lesson, LessonError, Measure, Pick, Question, Step,
};
use crate::scenario::{Scenario, ScenarioError};
use crate::sim::notice::Notice;
use crate::sim::Simulation;
use crate::time::SimTime;
use serde::Serialize;

/// How often a `when` threshold is read, simulated µs (100 ms).
pub const THRESHOLD_EVERY_US: u64 = 100_000;

/// What the engine read for a measure: a number (requests, ms, s, messages, %) or a state.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Reading {
    /// A count or a level, in the measure's unit.
    Number(f64),
    /// A state, one of [`Measure::labels`].
    Label(&'static str),
}

/// The engine's answer to a question: the value it measured and, for a multiple-choice
/// question, the right choice. `readings` holds each element choice's value, in choice order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Answer {
    /// The measured value (for element choices: the picked choice's value).
    pub value: Reading,
    /// The right choice, for a multiple-choice question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    /// Each element choice's value, in choice order (empty otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<f64>,
}

/// Every label a [`Reading::Label`] can carry ([`Measure::labels`]): how the page's copy of
/// an answer finds its `&'static str` again.
const LABELS: [&str; 7] = [
    "closed",
    "open",
    "half_open",
    "inactive",
    "pending",
    "firing",
    "resolved",
];

impl Wire for Reading {
    fn wire(&mut self, c: &mut crate::codec::Codec) {
        let mut label = match *self {
            Reading::Number(_) => None,
            Reading::Label(l) => Some(l.to_string()),
        };
        label.wire(c);
        match label {
            Some(l) => {
                let known = LABELS.iter().find(|x| **x == l);
                *self = Reading::Label(known.copied().unwrap_or("?"));
            }
            None => {
                let mut v = match *self {
                    Reading::Number(v) => v,
                    Reading::Label(_) => 0.0,
                };
                v.wire(c);
                *self = Reading::Number(v);
            }
        }
    }
    fn blank() -> Self {
        Reading::Number(0.0)
    }
}

crate::codec::wire_struct!(Answer {
    value,
    choice,
    readings
});

/// A learner's prediction: a number (read by the page's number field, so no float parser
/// of the engine's is needed) or one of the choices.
#[derive(Clone, Debug, PartialEq)]
pub enum Guess {
    /// A numeric guess, in the measure's unit.
    Number(f64),
    /// The text of the choice picked.
    Choice(String),
}

impl Answer {
    /// Whether `guess` is right: the right choice, or a number within the question's
    /// tolerance (default 20 %, at least 1 unit).
    pub fn judges(&self, q: &Question, guess: &Guess) -> bool {
        match (guess, &self.choice, self.value) {
            (Guess::Choice(g), Some(c), _) => g == c,
            (Guess::Number(g), None, Reading::Number(v)) if g.is_finite() => {
                let tol = q.tolerance_pct.unwrap_or(20.0) / 100.0;
                (g - v).abs() <= (tol * v.abs()).max(1.0)
            }
            _ => false,
        }
    }
}

/// The start of a question's interval: the counter readings its answer subtracts.
#[derive(Clone, Debug, PartialEq)]
pub struct Asked {
    /// One reading per element (the question's `of`, or each choice).
    start: Vec<Option<f64>>,
}

/// One step reached in a played lesson (what `ha-sim lesson` prints).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reached {
    /// The step's index, from 0.
    pub step: usize,
    /// When it was reached, simulated ms.
    pub at_ms: f64,
    /// Its trigger: `at once`, `at_s`, `on`, `wait_for` or `when`.
    pub trigger: &'static str,
    /// For a step with a question, the engine's answer (read when the next step is reached).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
}

/// How far [`Simulation::run_to_trigger`] got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The trigger happened; the run stopped right after that simulated µs.
    Reached(SimTime),
    /// Not yet (the run is at `until`, or used its event budget).
    Running,
    /// A `wait_for` step: only the learner's action starts it.
    NeedsAction,
}

/// The trigger's name, as `ha-sim lesson` prints it.
pub fn trigger_name(step: &Step) -> &'static str {
    if step.at_s.is_some() {
        "at_s"
    } else if step.on.is_some() {
        "on"
    } else if step.wait_for.is_some() {
        "wait_for"
    } else if step.when.is_some() {
        "when"
    } else {
        "at once"
    }
}

impl Simulation {
    /// The fact notice `n` is, with the element it is about (by name), if a lesson step can
    /// wait for it: the inverse of a step's `on` trigger.
    pub fn fact_of(&self, n: &Notice) -> Option<FactTrigger> {
        use Notice::*;
        let inst = |i: InstanceId| Some(self.address(i).to_string());
        let svc = |s: crate::common::ServiceId| {
            self.config()
                .services
                .get(s.index())
                .map(|c| c.name.clone())
        };
        let node = |k: u16| {
            self.store()
                .and_then(|st| st.nodes.get(k as usize))
                .map(|x| x.config.id.clone())
        };
        let sub = |q: crate::common::SubscriptionId| {
            let (qid, _, _) = self.subscription_of(q)?;
            let m = self.config().messaging.as_ref()?;
            m.queues.get(qid.index()).map(|c| c.name.clone())
        };
        let (fact, of) = match n {
            InstanceCrashed { instance, .. } => (Fact::InstanceCrashed, inst(*instance)),
            InstanceReady { instance } => (Fact::InstanceReady, inst(*instance)),
            Expired { instance, .. } => (Fact::Expired, inst(*instance)),
            MarkedUnhealthy { instance, .. } => (Fact::MarkedUnhealthy, inst(*instance)),
            MarkedHealthy { instance, .. } => (Fact::MarkedHealthy, inst(*instance)),
            Ejected { instance, .. } => (Fact::Ejected, inst(*instance)),
            BackupPromoted { failed, .. } => (Fact::BackupPromoted, inst(*failed)),
            Failback { primary, .. } => (Fact::Failback, inst(*primary)),
            RecoveryGaveUp { instance, .. } => (Fact::RecoveryGaveUp, inst(*instance)),
            UpstreamsChanged { service, .. } => (Fact::UpstreamsChanged, svc(*service)),
            PanicMode {
                service, on: true, ..
            } => (Fact::PanicMode, svc(*service)),
            BreakerChanged { instance, to, .. } => (
                match to {
                    BreakerState::Open => Fact::BreakerOpened,
                    BreakerState::HalfOpen => Fact::BreakerHalfOpen,
                    BreakerState::Closed => Fact::BreakerClosed,
                },
                inst(*instance),
            ),
            AlertChanged { alert, to, .. } => {
                let fact = match to {
                    AlertState::Pending => Fact::AlertPending,
                    AlertState::Firing => Fact::AlertFiring,
                    AlertState::Resolved => Fact::AlertResolved,
                    AlertState::Inactive => return None,
                };
                let e = self.alerts();
                let rule = e.alerts.get(*alert).and_then(|a| e.rules.get(a.rule));
                (fact, rule.map(|r| r.name.clone()))
            }
            DataNodeFailed { node: k, .. } => (Fact::DataNodeFailed, node(*k)),
            DataMembership { node: k, .. } => (Fact::DataMembership, node(*k)),
            Repaired => (Fact::Repaired, None),
            BacklogBuilding { queue, .. } => (Fact::BacklogBuilding, sub(*queue)),
            BacklogDrained { queue } => (Fact::BacklogDrained, sub(*queue)),
            DeadLettered { queue, .. } => (Fact::DeadLettered, sub(*queue)),
            _ => return None,
        };
        Some(FactTrigger { fact, of })
    }

    /// Whether `n` is the fact `fact` about the element named `of` (any element if `None`).
    pub fn notice_is(&self, n: &Notice, fact: Fact, of: Option<&str>) -> bool {
        self.fact_of(n)
            .is_some_and(|t| t.fact == fact && of.is_none_or(|o| t.of.as_deref() == Some(o)))
    }

    /// The newest fact in the feed a lesson step can wait for ("Add a step on the newest
    /// fact").
    pub fn last_fact(&self) -> Option<FactTrigger> {
        self.feed().rev().find_map(|e| self.fact_of(&e.notice))
    }

    /// Reads `m` of the element named `of` now. `None`: no such element, or no data yet (a
    /// p99 with no responses, a queue measure without messaging).
    pub fn read(&self, m: Measure, of: Option<&str>) -> Option<Reading> {
        let inst = || of.and_then(|o| self.instance_by_address(o));
        let queue = || {
            let v = self.messaging_view()?;
            let m = self.config().messaging.as_ref()?;
            let qi = m.queues.iter().position(|q| Some(q.name.as_str()) == of)?;
            v.subscriptions.into_iter().find(|s| s.queue.index() == qi)
        };
        let t = self.totals();
        let n = |x: u64| Some(Reading::Number(x as f64));
        match m {
            Measure::Failed => n(t.ended() - t.ok),
            Measure::Rejected => n(t.rejected),
            Measure::ShortCircuited => n(t.short_circuited),
            Measure::Requests => n(self.served(inst()?)),
            Measure::Retries => n(self.stats().retries),
            Measure::Seconds => Some(Reading::Number(self.now().as_us() as f64 / 1e6)),
            Measure::P99Ms => {
                let p = self.metrics(inst()?)?.percentiles();
                (p.samples > 0).then_some(Reading::Number(p.p99_ms))
            }
            Measure::Upstreams => n(self.upstreams(self.service_by_name(of?)?).len() as u64),
            Measure::QueueDepth => n(queue()?.depth),
            Measure::QueueLagS => Some(Reading::Number(queue()?.lag_ms as f64 / 1e3)),
            Measure::DeadLettered => n(queue()?.counts.dead_lettered),
            Measure::KeysMovedPct => {
                let c = &self.ring_stats()?.last_change;
                Some(Reading::Number(if c.keys == 0 {
                    0.0
                } else {
                    100.0 * c.primaries_moved as f64 / c.keys as f64
                }))
            }
            Measure::UnderReplicated => n(self.store()?.under_replicated() as u64),
            Measure::BreakerState => {
                let id = inst()?;
                let state = self
                    .breakers()
                    .find(|(_, i, _)| *i == id)
                    .map_or(BreakerState::Closed, |(_, _, b)| b.state());
                Some(Reading::Label(match state {
                    BreakerState::Closed => "closed",
                    BreakerState::Open => "open",
                    BreakerState::HalfOpen => "half_open",
                }))
            }
            Measure::AlertState => {
                let e = self.alerts();
                let rank = |s: AlertState| match s {
                    AlertState::Inactive => 0,
                    AlertState::Resolved => 1,
                    AlertState::Pending => 2,
                    AlertState::Firing => 3,
                };
                let state = e
                    .alerts
                    .iter()
                    .filter(|a| {
                        e.rules
                            .get(a.rule)
                            .is_some_and(|r| Some(r.name.as_str()) == of)
                    })
                    .map(|a| a.state)
                    .max_by_key(|s| rank(*s))?;
                Some(Reading::Label(match state {
                    AlertState::Inactive => "inactive",
                    AlertState::Pending => "pending",
                    AlertState::Firing => "firing",
                    AlertState::Resolved => "resolved",
                }))
            }
        }
    }

    /// The elements a question reads: its `of`, or each of its element choices.
    fn question_elements(q: &Question) -> Vec<Option<&str>> {
        if q.pick.is_some() {
            q.choices.iter().map(|c| Some(c.as_str())).collect()
        } else {
            vec![q.of.as_deref()]
        }
    }

    /// Starts question `q`'s interval now: the counters its answer will subtract.
    pub fn ask(&self, q: &Question) -> Asked {
        let start = Self::question_elements(q)
            .into_iter()
            .map(
                |of| match (q.measure.is_counter(), self.read(q.measure, of)) {
                    (true, Some(Reading::Number(v))) => Some(v),
                    _ => None,
                },
            )
            .collect();
        Asked { start }
    }

    /// The engine's answer to `q`, asked at `asked`, read now. `None`: no value.
    pub fn answer(&self, q: &Question, asked: &Asked) -> Option<Answer> {
        let mut values = Vec::new();
        for (i, of) in Self::question_elements(q).into_iter().enumerate() {
            match self.read(q.measure, of)? {
                Reading::Label(l) => {
                    return Some(Answer {
                        value: Reading::Label(l),
                        choice: Some(l.to_string()),
                        readings: Vec::new(),
                    })
                }
                Reading::Number(v) => {
                    let start = asked.start.get(i).copied().flatten().unwrap_or(0.0);
                    values.push(if q.measure.is_counter() { v - start } else { v });
                }
            }
        }
        let Some(pick) = q.pick else {
            return Some(Answer {
                value: Reading::Number(*values.first()?),
                choice: None,
                readings: Vec::new(),
            });
        };
        // The first of equal values wins, in choice order.
        let best = (0..values.len()).reduce(|b, i| {
            let better = match pick {
                Pick::Most => values[i] > values[b],
                Pick::Least => values[i] < values[b],
            };
            if better {
                i
            } else {
                b
            }
        })?;
        Some(Answer {
            value: Reading::Number(values[best]),
            choice: Some(q.choices[best].clone()),
            readings: values,
        })
    }

    /// Runs towards `until` and stops right after the simulated µs at which `step`'s trigger
    /// happens. `feed_seen` is the feed's [`Simulation::feed_posted`] when the step began to
    /// wait, and is moved on; facts posted before it are not looked at. Handles at most
    /// `max_events` events, so a page can spread a long wait over frames.
    pub fn run_to_trigger(
        &mut self,
        step: &Step,
        feed_seen: &mut u64,
        until: SimTime,
        max_events: usize,
    ) -> Progress {
        if step.wait_for.is_some() {
            return Progress::NeedsAction;
        }
        if let Some(t) = step.at_s {
            let at = SimTime((t * 1e6).round() as u64);
            if self.now() >= at {
                return Progress::Reached(self.now());
            }
            let to = at.min(until);
            return match self.run_until_bounded(to, max_events) {
                true if to == at => Progress::Reached(at),
                _ => Progress::Running,
            };
        }
        if let Some(fact) = step.on {
            for _ in 0..max_events {
                if let Some(at) = self.new_fact(fact, step.of.as_deref(), feed_seen) {
                    self.run_until(at);
                    return Progress::Reached(at);
                }
                match self.next_event_at() {
                    // One event (through the one loop that steps, not a second copy of it).
                    Some(t) if t <= until => {
                        self.run_until_bounded(t, 1);
                    }
                    _ => {
                        self.run_until(until);
                        return Progress::Running;
                    }
                }
            }
            return Progress::Running;
        }
        if let Some(m) = step.when {
            let mut events = 0usize;
            loop {
                if let Some(Reading::Number(v)) = self.read(m, step.of.as_deref()) {
                    if v > step.above {
                        return Progress::Reached(self.now());
                    }
                }
                let next =
                    SimTime((self.now().as_us() / THRESHOLD_EVERY_US + 1) * THRESHOLD_EVERY_US);
                if next > until || events >= max_events {
                    self.run_until_bounded(until.min(next), max_events);
                    return Progress::Running;
                }
                self.run_until(next);
                events += 1_000;
            }
        }
        Progress::Reached(self.now())
    }

    /// The time of the first fact `fact` about `of` posted since `feed_seen`, which moves on.
    fn new_fact(&self, fact: Fact, of: Option<&str>, feed_seen: &mut u64) -> Option<SimTime> {
        let posted = self.feed_posted();
        if posted == *feed_seen {
            return None;
        }
        let fresh = (posted - *feed_seen) as usize;
        let found = self
            .feed()
            .rev()
            .take(fresh)
            .filter(|e| self.notice_is(&e.notice, fact, of))
            .last()
            .map(|e| e.at);
        *feed_seen = posted;
        found
    }
}

/// Plays `scenario`'s lesson headless, as a learner who takes every `wait_for` action as
/// soon as it is asked for: each step's trigger in order, and each question's answer.
///
/// Errors: [`ScenarioError::Lesson`] with [`LessonError::NeverReached`] when a trigger does
/// not happen within the scenario's duration, [`LessonError::NoAnswer`] when a question has
/// no value, [`LessonError::Action`] when the cluster refuses a `wait_for` action then; a
/// scenario without a lesson is [`ScenarioError::Field`].
pub fn play(scenario: &Scenario) -> Result<Vec<Reached>, ScenarioError> {
    let lesson: &Lesson = scenario.lesson.as_ref().ok_or(ScenarioError::Field(
        "lesson",
        "the scenario has no lesson".into(),
    ))?;
    let mut sim = scenario.simulation()?;
    let end = SimTime::from_secs(u64::from(scenario.duration_s));
    let mut out: Vec<Reached> = Vec::new();
    let mut asked: Vec<(usize, Asked)> = Vec::new();
    let err = ScenarioError::Lesson;
    for (i, step) in lesson.steps.iter().enumerate() {
        let mut seen = sim.feed_posted();
        let at = loop {
            match sim.run_to_trigger(step, &mut seen, end, 100_000) {
                Progress::Reached(at) => break at,
                Progress::NeedsAction => {
                    let wanted = step.wanted_action().expect("a wait_for step");
                    let action = sim
                        .config()
                        .resolve(&wanted)
                        .map_err(|e| err(LessonError::Action(i + 1, e.to_string())))?;
                    sim.apply(action)
                        .map_err(|e| err(LessonError::Action(i + 1, e.to_string())))?;
                    break sim.now();
                }
                Progress::Running if sim.now() >= end => {
                    return Err(err(LessonError::NeverReached(i + 1, scenario.duration_s)))
                }
                Progress::Running => {}
            }
        };
        for (q_step, a) in &asked {
            let q = lesson.steps[*q_step].question.as_ref().expect("asked");
            if q.reveal_index(*q_step) == i {
                let answer = sim
                    .answer(q, a)
                    .ok_or(err(LessonError::NoAnswer(q_step + 1)))?;
                out[*q_step].answer = Some(answer);
            }
        }
        out.push(Reached {
            step: i,
            at_ms: at.as_us() as f64 / 1e3,
            trigger: trigger_name(step),
            answer: None,
        });
        if let Some(q) = &step.question {
            asked.push((i, sim.ask(q)));
        }
    }
    Ok(out)
}

impl Simulation {
    /// What the page selects for a lesson's `select`: an instance by address, a service, or
    /// a queue's first subscription by name; `None` for anything else.
    pub fn selection_of(&self, name: &str) -> Option<crate::sim::explain::Selection> {
        use crate::sim::explain::Selection;
        if let Some(i) = self.instance_by_address(name) {
            return Some(Selection::Instance(i));
        }
        if let Some(s) = self.service_by_name(name) {
            return Some(Selection::Service(s));
        }
        let m = self.config().messaging.as_ref()?;
        let qi = m.queues.iter().position(|q| q.name == name)?;
        m.subscriptions()
            .into_iter()
            .find(|(_, q, _)| *q == qi)
            .map(|(sub, _, _)| Selection::Queue(sub))
    }
}
