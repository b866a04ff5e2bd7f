//! Alerting rules and their state machine (Prometheus alerting-rule semantics over the seed's
//! `AlertManager`, `ha-architecture.md` §4.2: a metric, `above`/`below` a threshold over a
//! window).
//!
//! Each rule is evaluated once per simulated second for each target in its scope. A rule whose
//! condition holds goes inactive → pending; if it still holds after `for_ms` it is firing
//! (`for_ms` 0: firing at once); when the condition stops holding a firing alert is resolved
//! and a pending one goes back to inactive silently, as in Prometheus. A metric with no data
//! (no requests in the window) does not hold.

use crate::common::Severity;
use crate::common::{count, name, range, ConfigError, MAX_SCHEDULE_MS};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Alert transitions the alert feed keeps.
pub const ALERT_FEED_CAPACITY: usize = 200;

/// What a rule watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertMetric {
    /// Fraction of calls that failed (errors, timeouts, short-circuits) over the window,
    /// `[0, 1]`.
    ErrorRate,
    /// Latency p99 over the metrics window, ms.
    P99Ms,
    /// Instances the service's balancer considers healthy (a service scope).
    HealthyInstances,
    /// Circuit breakers open towards the service's instances (a service scope).
    BreakersOpen,
    /// Busy slots / slots, `[0, 1]` (a service's is its instances' mean).
    Cpu,
    /// Memory used / limit, `[0, 1]` (a service's is its instances' mean).
    Memory,
    /// Requests waiting in queues.
    QueueLength,
    /// Calls ended per second over the window.
    RequestRate,
    /// Keys of the replicated store with fewer live copies than N (the data scope).
    UnderReplicatedKeys,
    /// Messages waiting in a queue (a queue scope).
    QueueDepth,
    /// Age of a queue's oldest waiting message, the consumer lag, simulated s (a queue scope).
    QueueLagS,
    /// Messages a queue moved to its dead-letter queue over the window (a queue scope).
    DeadLettered,
}
crate::codec::wire_enum!(AlertMetric {
    ErrorRate,
    P99Ms,
    HealthyInstances,
    BreakersOpen,
    Cpu,
    Memory,
    QueueLength,
    RequestRate,
    UnderReplicatedKeys,
    QueueDepth,
    QueueLagS,
    DeadLettered
});

impl AlertMetric {
    /// The snake_case name.
    pub fn key(self) -> &'static str {
        match self {
            AlertMetric::ErrorRate => "error_rate",
            AlertMetric::P99Ms => "p99_ms",
            AlertMetric::HealthyInstances => "healthy_instances",
            AlertMetric::BreakersOpen => "breakers_open",
            AlertMetric::Cpu => "cpu",
            AlertMetric::Memory => "memory",
            AlertMetric::QueueLength => "queue_length",
            AlertMetric::RequestRate => "request_rate",
            AlertMetric::UnderReplicatedKeys => "under_replicated_keys",
            AlertMetric::QueueDepth => "queue_depth",
            AlertMetric::QueueLagS => "queue_lag_s",
            AlertMetric::DeadLettered => "dead_lettered",
        }
    }

    /// Whether it is measured on a queue (and only there): a queue metric needs a queue scope
    /// and a queue scope a queue metric.
    pub fn of_queue(self) -> bool {
        matches!(
            self,
            AlertMetric::QueueDepth | AlertMetric::QueueLagS | AlertMetric::DeadLettered
        )
    }
}

/// Which side of the threshold fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// value > threshold.
    Above,
    /// value < threshold.
    Below,
}

/// What a rule is evaluated on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Scope {
    /// Each service, separately.
    EachService,
    /// Each instance, separately.
    EachInstance,
    /// One service, by name.
    Service(String),
    /// One instance, by address.
    Instance(String),
    /// The replicated data store.
    Data,
    /// Each queue subscription (a topic: each subscriber's copy), separately.
    EachQueue,
    /// One queue or topic, by name (a topic: each subscriber's copy).
    Queue(String),
}

impl Scope {
    /// Whether it names queues.
    pub fn of_queues(&self) -> bool {
        matches!(self, Scope::EachQueue | Scope::Queue(_))
    }
}

/// One alerting rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    /// Name, e.g. `HighErrorRate`.
    pub name: String,
    /// The metric.
    pub metric: AlertMetric,
    /// Targets.
    pub scope: Scope,
    /// Above or below.
    pub condition: Condition,
    /// The threshold, in the metric's unit.
    pub threshold: f64,
    /// Window rates are computed over, simulated s (percentiles use the metrics window).
    pub window_s: u32,
    /// How long the condition must hold before firing, simulated ms.
    pub for_ms: u64,
    /// Severity when firing.
    pub severity: Severity,
}

impl AlertRule {
    /// Checks its own limits (its scope is checked against the cluster by
    /// [`crate::scenario::config::ClusterConfig::validate`]).
    ///
    /// Errors: an empty or long name, a threshold, window or hold time out of range, or a queue
    /// metric without a queue scope (or the reverse).
    pub fn validate(&self) -> Result<(), ConfigError> {
        name("alert name", &self.name)?;
        range(
            format!("{}.threshold", self.name),
            self.threshold,
            -1e12,
            1e12,
        )?;
        count("alert window_s", self.window_s as u64, 1, 3_600)?;
        count("alert for_ms", self.for_ms, 0, MAX_SCHEDULE_MS)?;
        if self.metric.of_queue() != self.scope.of_queues() {
            return Err(ConfigError::Invalid(
                format!("{}.scope", self.name),
                "queue_depth, queue_lag_s and dead_lettered are measured on queues: they need \
                 an each_queue or queue scope, and a queue scope needs one of them",
            ));
        }
        Ok(())
    }
}

/// Where an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// Condition does not hold.
    Inactive,
    /// Holds, for less than `for_ms`.
    Pending,
    /// Held for `for_ms`.
    Firing,
    /// Was firing; no longer holds.
    Resolved,
}
crate::codec::wire_enum!(AlertState {
    Inactive,
    Pending,
    Firing,
    Resolved
});

impl AlertState {
    /// `inactive`, `pending`, `firing` or `resolved`.
    pub fn label(self) -> &'static str {
        match self {
            AlertState::Inactive => "inactive",
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
        }
    }
}

/// A target a rule is evaluated on, resolved from its scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A service, by index.
    Service(crate::common::ServiceId),
    /// An instance, by index.
    Instance(crate::common::InstanceId),
    /// The replicated data store.
    Data,
    /// A queue's backlog for one consuming service (a topic has one per subscriber).
    Subscription(crate::common::SubscriptionId),
}

/// Crosses as postcard writes it: the variant's index, then its id.
impl crate::codec::Wire for Target {
    fn wire(&mut self, c: &mut crate::codec::Codec) {
        let mut i: u64 = match self {
            Target::Service(_) => 0,
            Target::Instance(_) => 1,
            Target::Data => 2,
            Target::Subscription(_) => 3,
        };
        c.varint(&mut i);
        if c.decoding {
            *self = match i {
                0 => Target::Service(crate::common::ServiceId(0)),
                1 => Target::Instance(crate::common::InstanceId(0)),
                2 => Target::Data,
                _ => Target::Subscription(crate::common::SubscriptionId(0)),
            };
        }
        match self {
            Target::Service(id) => id.wire(c),
            Target::Instance(id) => id.wire(c),
            Target::Subscription(id) => id.wire(c),
            Target::Data => {}
        }
    }
    fn blank() -> Self {
        Target::Data
    }
}

/// One (rule, target) alert and its state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Index of the rule.
    pub rule: usize,
    /// What it is about.
    pub target: Target,
    /// State now.
    pub state: AlertState,
    /// When it entered that state.
    pub since: SimTime,
    /// Last evaluated value (`None`: no data).
    pub value: Option<f64>,
    /// Times it fired.
    pub fired: u32,
}

/// One transition in the alert feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertTransition {
    /// Index of the alert in [`AlertEngine::alerts`].
    pub alert: usize,
    /// When.
    pub at: SimTime,
    /// State before.
    pub from: AlertState,
    /// State after.
    pub to: AlertState,
    /// The value that caused it.
    pub value: Option<f64>,
}

/// Rules, their alerts and the bounded transition feed.
#[derive(Clone, Debug, Default)]
pub struct AlertEngine {
    /// The rules, in config order.
    pub rules: Vec<AlertRule>,
    /// One alert per (rule, target), rule-major.
    pub alerts: Vec<Alert>,
    feed: VecDeque<AlertTransition>,
    /// Alerts that went to firing, since the start.
    pub fired_total: u64,
    /// Transitions put in the feed, since the start (a shell refetches the feed when it
    /// changes).
    pub posted: u64,
}

impl AlertEngine {
    /// An engine for `rules`, each expanded to its `targets(rule)`.
    pub fn new(rules: Vec<AlertRule>, mut targets: impl FnMut(&AlertRule) -> Vec<Target>) -> Self {
        let mut alerts = Vec::new();
        for (r, rule) in rules.iter().enumerate() {
            for t in targets(rule) {
                alerts.push(Alert {
                    rule: r,
                    target: t,
                    state: AlertState::Inactive,
                    since: SimTime::ZERO,
                    value: None,
                    fired: 0,
                });
            }
        }
        Self {
            rules,
            alerts,
            feed: VecDeque::new(),
            fired_total: 0,
            posted: 0,
        }
    }

    /// Evaluates every alert at `now` with `value(rule, target)` and returns the transitions
    /// people should see (pending → inactive is silent but still changes state).
    pub fn evaluate(
        &mut self,
        now: SimTime,
        mut value: impl FnMut(&AlertRule, Target) -> Option<f64>,
    ) -> Vec<AlertTransition> {
        let mut out = Vec::new();
        for (i, a) in self.alerts.iter_mut().enumerate() {
            let rule = &self.rules[a.rule];
            let v = value(rule, a.target);
            a.value = v;
            let holds = v.is_some_and(|v| match rule.condition {
                Condition::Above => v > rule.threshold,
                Condition::Below => v < rule.threshold,
            });
            let to = match (a.state, holds) {
                (AlertState::Inactive | AlertState::Resolved, true) => {
                    if rule.for_ms == 0 {
                        AlertState::Firing
                    } else {
                        AlertState::Pending
                    }
                }
                (AlertState::Pending, true) if now.since(a.since) >= rule.for_ms * 1_000 => {
                    AlertState::Firing
                }
                (AlertState::Pending, false) => AlertState::Inactive,
                (AlertState::Firing, false) => AlertState::Resolved,
                (s, _) => s,
            };
            if to != a.state {
                let from = a.state;
                a.state = to;
                a.since = now;
                if to == AlertState::Firing {
                    a.fired += 1;
                    self.fired_total += 1;
                }
                if !(from == AlertState::Pending && to == AlertState::Inactive) {
                    let t = AlertTransition {
                        alert: i,
                        at: now,
                        from,
                        to,
                        value: v,
                    };
                    if self.feed.len() == ALERT_FEED_CAPACITY {
                        self.feed.pop_front();
                    }
                    self.feed.push_back(t.clone());
                    self.posted += 1;
                    out.push(t);
                }
            }
        }
        out
    }

    /// The alert feed, oldest first, at most [`ALERT_FEED_CAPACITY`] transitions.
    pub fn feed(&self) -> impl DoubleEndedIterator<Item = &AlertTransition> + ExactSizeIterator {
        self.feed.iter()
    }

    /// Alerts firing now.
    pub fn firing(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.iter().filter(|a| a.state == AlertState::Firing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::ServiceId;

    fn rule(for_ms: u64) -> AlertRule {
        AlertRule {
            name: "HighErrorRate".into(),
            metric: AlertMetric::ErrorRate,
            scope: Scope::EachService,
            condition: Condition::Above,
            threshold: 0.05,
            window_s: 30,
            for_ms,
            severity: Severity::Critical,
        }
    }

    #[test]
    fn inactive_pending_firing_resolved() {
        let mut e = AlertEngine::new(vec![rule(10_000)], |_| vec![Target::Service(ServiceId(0))]);
        let t = SimTime::from_secs;
        let states = |e: &AlertEngine| e.alerts[0].state;
        assert!(e.evaluate(t(1), |_, _| Some(0.01)).is_empty());
        assert_eq!(states(&e), AlertState::Inactive);
        let tr = e.evaluate(t(2), |_, _| Some(0.2));
        assert_eq!(tr[0].to, AlertState::Pending);
        assert!(e.evaluate(t(11), |_, _| Some(0.2)).is_empty(), "9 s < for");
        let tr = e.evaluate(t(12), |_, _| Some(0.2));
        assert_eq!(
            (tr[0].from, tr[0].to),
            (AlertState::Pending, AlertState::Firing)
        );
        let tr = e.evaluate(t(13), |_, _| None);
        assert_eq!(tr[0].to, AlertState::Resolved, "no data does not hold");
        assert_eq!(e.fired_total, 1);
        assert_eq!(e.feed().count(), 3);
    }

    #[test]
    fn pending_that_stops_holding_goes_back_silently_and_zero_for_fires_at_once() {
        let mut e = AlertEngine::new(vec![rule(10_000), rule(0)], |_| {
            vec![Target::Service(ServiceId(0))]
        });
        let t = SimTime::from_secs;
        let tr = e.evaluate(t(1), |_, _| Some(1.0));
        assert_eq!(tr.len(), 2);
        assert_eq!(
            tr[1].to,
            AlertState::Firing,
            "for 0: fires on the first evaluation"
        );
        let tr = e.evaluate(t(2), |_, _| Some(0.0));
        assert_eq!(
            tr.len(),
            1,
            "pending → inactive is silent; firing → resolved is not"
        );
        assert_eq!(e.alerts[0].state, AlertState::Inactive);
        assert_eq!(e.alerts[1].state, AlertState::Resolved);
    }
}
