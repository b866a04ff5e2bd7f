//! The words: every sentence HA Lab shows is made here, from the engine's typed facts
//! ([`crate::sim::notice::Notice`], [`crate::sim::explain::Explanation`], fault kinds, metric values).
//! The state machine never formats text; the page and `ha-sim` call these functions.
//!
//! Each function is covered by golden tests (`expect-test`) beside it, one per fact kind and
//! explanation branch: `UPDATE_EXPECT=1 cargo test -p ha-engine present` rewrites them after a
//! deliberate change of wording.

pub mod builder;
mod errors;
mod explain;
pub mod lesson;
mod notice;
pub mod report;
pub mod trace;

pub use crate::decimal::Dec;
pub use errors::command_error;
pub use explain::{explanation, ExplanationText};
pub use notice::notice;

use crate::common::{BrokerId, InstanceId, QueueId, ServiceId, SubscriptionId};
use crate::mechanisms::action::{ActionKind, ActionTarget};
use crate::mechanisms::alerts::{AlertMetric, AlertRule, Condition, Target};
use crate::mechanisms::messaging::QueueKind;
use crate::mechanisms::ratelimit::RateLimitConfig;
use crate::scenario::config::ClusterConfig;
use crate::sim::view::InstanceStatus;
use crate::sim::Simulation;

/// The names the words need: an instance's address, a service's name, a data node's id and an
/// alert's rule and target. A [`Simulation`] is one; tests use a small table.
pub trait Names {
    /// Instance `id`'s address (`?` if there is none).
    fn instance(&self, id: InstanceId) -> &str;
    /// Service `id`'s name (`?` if there is none).
    fn service(&self, id: ServiceId) -> &str;
    /// Data node `node`'s id, by its index in the store (`?` if there is none).
    fn data_node(&self, node: u16) -> &str;
    /// Alert `alert`'s rule and target, by its index in the alert engine.
    fn alert(&self, alert: usize) -> Option<(&AlertRule, Target)>;
    /// Broker `id`'s name (`?` if there is none).
    fn broker(&self, id: BrokerId) -> &str;
    /// Queue or topic `id`'s name (`?` if there is none).
    fn queue(&self, id: QueueId) -> &str;
    /// Subscription `id`: its queue, the queue's kind and the consuming service.
    fn subscription(&self, id: SubscriptionId) -> Option<(QueueId, QueueKind, ServiceId)>;
}

/// The names a cluster's configuration gives: everything but data nodes that joined during
/// a run and alerts (those exist only in a run: `data_node` knows the configured nodes,
/// `alert` nothing). Instances are numbered in config order, as a [`Simulation`] numbers
/// them, and subscriptions as [`crate::mechanisms::messaging::MessagingConfig::subscriptions`]
/// lists them. The page names what it draws with this, without reading a run.
impl Names for ClusterConfig {
    fn instance(&self, id: InstanceId) -> &str {
        self.services
            .iter()
            .flat_map(|s| &s.instances)
            .nth(id.index())
            .map_or("?", |i| i.address.as_str())
    }
    fn service(&self, id: ServiceId) -> &str {
        self.services
            .get(id.index())
            .map_or("?", |s| s.name.as_str())
    }
    fn data_node(&self, node: u16) -> &str {
        self.data
            .as_ref()
            .and_then(|d| d.replication.nodes.get(node as usize))
            .map_or("?", |n| n.id.as_str())
    }
    fn alert(&self, _alert: usize) -> Option<(&AlertRule, Target)> {
        None
    }
    fn broker(&self, id: BrokerId) -> &str {
        self.messaging
            .as_ref()
            .and_then(|m| m.brokers.get(id.index()))
            .map_or("?", |b| b.name.as_str())
    }
    fn queue(&self, id: QueueId) -> &str {
        self.messaging
            .as_ref()
            .and_then(|m| m.queues.get(id.index()))
            .map_or("?", |q| q.name.as_str())
    }
    fn subscription(&self, id: SubscriptionId) -> Option<(QueueId, QueueKind, ServiceId)> {
        let m = self.messaging.as_ref()?;
        let (_, qi, consumer) = m.subscriptions().into_iter().nth(id.index())?;
        Some((
            QueueId::from(qi),
            m.queues[qi].kind,
            self.service_id(consumer)?,
        ))
    }
}

/// A run's names: its configuration's ([`Names`] for [`ClusterConfig`]), and the data nodes
/// and alerts of the run as it is now.
impl Names for Simulation {
    /// The run's own table (O(1); the configuration's walks its services).
    fn instance(&self, id: InstanceId) -> &str {
        self.address(id)
    }
    fn service(&self, id: ServiceId) -> &str {
        self.config().service(id)
    }
    fn data_node(&self, node: u16) -> &str {
        self.store()
            .and_then(|s| s.nodes.get(node as usize))
            .map_or("?", |n| n.config.id.as_str())
    }
    fn alert(&self, alert: usize) -> Option<(&AlertRule, Target)> {
        let a = self.alerts().alerts.get(alert)?;
        Some((self.alerts().rules.get(a.rule)?, a.target))
    }
    fn broker(&self, id: BrokerId) -> &str {
        self.config().broker(id)
    }
    fn queue(&self, id: QueueId) -> &str {
        self.config().queue(id)
    }
    fn subscription(&self, id: SubscriptionId) -> Option<(QueueId, QueueKind, ServiceId)> {
        self.subscription_of(id)
    }
}

/// A service's name, an instance's address, `data store` or a queue's name (a topic's: `order.created for email-service`).
pub fn target(t: Target, names: &impl Names) -> String {
    match t {
        Target::Service(s) => names.service(s).to_string(),
        Target::Instance(i) => names.instance(i).to_string(),
        Target::Data => "data store".to_string(),
        Target::Subscription(q) => subscription(q, names),
    }
}

/// What an action names: an instance's address, a service's name, a data node's id or `the
/// cluster`.
pub fn action_target(t: &ActionTarget, names: &impl Names) -> String {
    match t {
        ActionTarget::Cluster => "the cluster".to_string(),
        ActionTarget::Instance(i) => names.instance(*i).to_string(),
        ActionTarget::Service(s) => names.service(*s).to_string(),
        ActionTarget::DataNode(id) => id.clone(),
        ActionTarget::Broker(b) => format!("broker {}", names.broker(*b)),
        ActionTarget::Queue(q) => names.queue(*q).to_string(),
    }
}

/// A subscription's name: the queue's (`email-queue`), or for a topic the topic and the
/// subscriber (`order.created for analytics-service`).
pub fn subscription(id: SubscriptionId, names: &impl Names) -> String {
    match names.subscription(id) {
        Some((q, QueueKind::Queue, _)) => names.queue(q).to_string(),
        Some((q, QueueKind::Topic, s)) => {
            format!("{} for {}", names.queue(q), names.service(s))
        }
        None => "?".to_string(),
    }
}

/// A broker's state in a few words: `up`, `down (crashed)` or `not answering`.
pub fn broker_state(f: crate::mechanisms::messaging::BrokerFaults) -> &'static str {
    if f.down {
        "down (crashed)"
    } else if f.unreachable {
        "not answering (hung or cut off)"
    } else {
        "up"
    }
}

/// An instance's role: `primary` or `backup`.
pub fn role(r: crate::common::Role) -> &'static str {
    match r {
        crate::common::Role::Primary => "primary",
        crate::common::Role::Backup => "backup",
    }
}

/// An instance's state in a few words, e.g. `down, still listed`.
pub fn status(s: InstanceStatus) -> &'static str {
    match s {
        InstanceStatus::Serving => "serving",
        InstanceStatus::OutOfRotation => "unhealthy (failed health checks)",
        InstanceStatus::Suspect => "suspect (a health check failed)",
        InstanceStatus::Ejected => "ejected (outlier detection)",
        InstanceStatus::Draining => "draining",
        InstanceStatus::Recovering => "recovering (passing checks again)",
        InstanceStatus::Unlisted => "up, not listed",
        InstanceStatus::Booting => "booting",
        InstanceStatus::Standby => "standby (backup pool)",
        InstanceStatus::DownListed => "down, still listed",
        InstanceStatus::Down => "down, expired",
    }
}

/// A metric value with its unit: `12.5 %`, `340 ms`, `9.8 req/s`, `3`.
pub fn metric(m: AlertMetric, v: f64) -> String {
    match m {
        AlertMetric::ErrorRate | AlertMetric::Cpu | AlertMetric::Memory => {
            format!("{:.1} %", Dec(v * 100.0))
        }
        AlertMetric::P99Ms => format!("{v:.0} ms", v = Dec(v)),
        AlertMetric::RequestRate => format!("{v:.1} req/s", v = Dec(v)),
        // Two decimals: a lag alert fires just past its threshold, and "30.0 s, above 30.0 s"
        // would read as a contradiction.
        AlertMetric::QueueLagS => format!("{v:.2} s", v = Dec(v)),
        AlertMetric::HealthyInstances
        | AlertMetric::BreakersOpen
        | AlertMetric::QueueLength
        | AlertMetric::UnderReplicatedKeys
        | AlertMetric::QueueDepth
        | AlertMetric::DeadLettered => {
            format!("{v:.0}", v = Dec(v))
        }
    }
}

/// An alert's value beside its rule's threshold, e.g. `error_rate 31.0 % > 5.0 %`, or
/// `error_rate: no data`.
pub fn alert_condition(alert: usize, value: Option<f64>, names: &impl Names) -> String {
    let Some((rule, _)) = names.alert(alert) else {
        return String::new();
    };
    let cond = match rule.condition {
        Condition::Above => ">",
        Condition::Below => "<",
    };
    match value {
        Some(v) => format!(
            "{} {} {cond} {}",
            rule.metric.key(),
            metric(rule.metric, v),
            metric(rule.metric, rule.threshold)
        ),
        None => format!("{}: no data", rule.metric.key()),
    }
}

/// A fault acting now and where: `192.168.1.11:8080: hang (accepts, never answers)` or
/// `cluster: traffic spike ×3`.
pub fn fault_on(target: Option<InstanceId>, kind: &ActionKind, names: &impl Names) -> String {
    let on = target.map_or("cluster", |t| names.instance(t));
    format!("{on}: {}", fault(kind))
}

/// A fault or operator action in a few words, e.g. `slow: latency ×10`.
pub fn fault(kind: &ActionKind) -> String {
    match *kind {
        ActionKind::Crash => "crash".into(),
        ActionKind::Hang => "hang (accepts, never answers)".into(),
        ActionKind::Slow { factor } => format!("slow: latency ×{}", Dec(factor)),
        ActionKind::ErrorRate { rate } => format!("error rate {:.0} %", Dec(rate * 100.0)),
        ActionKind::PartitionHeartbeats => "partition: heartbeats lost, still serving".into(),
        ActionKind::PartitionServing => {
            "partition: unreachable by callers, still heart-beating".into()
        }
        ActionKind::TrafficSpike { factor } => format!("traffic spike ×{}", Dec(factor)),
        ActionKind::Capacity { concurrency } => format!("capacity: {concurrency} slots"),
        ActionKind::Restart => "restart".into(),
        ActionKind::DataNodeFail => "data node fails".into(),
        ActionKind::DataNodeRecover => "data node recovers".into(),
        ActionKind::DataNodeJoin { capacity, .. } => format!("data node joins ({capacity} copies)"),
        ActionKind::DataNodeLeave => "data node leaves".into(),
        ActionKind::Drain => "drain (no new requests)".into(),
        ActionKind::SetWeight { weight } => format!("weight set to {weight}"),
        ActionKind::SetStrategy { strategy } => format!("strategy set to {}", strategy.label()),
        ActionKind::Recover => "recover (faults cleared, restarted if down)".into(),
        ActionKind::PauseConsumers => "consumers paused".into(),
        ActionKind::Purge => "purge (waiting messages dropped)".into(),
    }
}

/// A gateway rate limit in a few words, e.g. `token bucket: 100 tokens, +1/s`.
pub fn rate_limit(rl: &RateLimitConfig) -> String {
    match *rl {
        RateLimitConfig::SlidingWindow {
            max_requests,
            window_ms,
        } => format!("sliding window: {max_requests} per {} s", secs(window_ms)),
        RateLimitConfig::TokenBucket {
            capacity,
            refill_per_s,
        } => format!("token bucket: {capacity} tokens, +{}/s", Dec(refill_per_s)),
    }
}

/// `"a (7), b (5) and c (2)"`; `none` for an empty list.
fn and_list(items: &[String]) -> String {
    match items {
        [] => "none".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A simulated duration in ms as seconds, the shortest way: `30`, `2.5`, `0.25`.
fn secs(ms: u64) -> Dec {
    Dec(ms as f64 / 1e3)
}

#[cfg(test)]
pub(crate) mod test_names {
    use super::Names;
    use crate::common::Severity;
    use crate::common::{BrokerId, InstanceId, QueueId, ServiceId, SubscriptionId};
    use crate::mechanisms::alerts::{AlertMetric, AlertRule, Condition, Scope, Target};
    use crate::mechanisms::messaging::QueueKind;

    /// A fixed cluster for the golden tests: instances `10.0.0.{id}:8080`, services
    /// `svc-{id}`, data nodes `node-{index+1}`, one alert rule on service 0.
    pub struct Table {
        addresses: Vec<String>,
        services: Vec<String>,
        nodes: Vec<String>,
        rule: AlertRule,
    }

    impl Table {
        pub fn new() -> Table {
            Table {
                addresses: (0..8).map(|i| format!("10.0.0.{i}:8080")).collect(),
                services: vec!["user-service".into(), "order-service".into()],
                nodes: (1..=5).map(|i| format!("node-{i}")).collect(),
                rule: AlertRule {
                    name: "HighErrorRate".into(),
                    metric: AlertMetric::ErrorRate,
                    scope: Scope::EachService,
                    condition: Condition::Above,
                    threshold: 0.05,
                    window_s: 30,
                    for_ms: 10_000,
                    severity: Severity::Critical,
                },
            }
        }
    }

    impl Names for Table {
        fn instance(&self, id: InstanceId) -> &str {
            self.addresses.get(id.index()).map_or("?", |s| s.as_str())
        }
        fn service(&self, id: ServiceId) -> &str {
            self.services.get(id.index()).map_or("?", |s| s.as_str())
        }
        fn data_node(&self, node: u16) -> &str {
            self.nodes.get(node as usize).map_or("?", |s| s.as_str())
        }
        fn alert(&self, alert: usize) -> Option<(&AlertRule, Target)> {
            (alert == 0).then_some((&self.rule, Target::Service(ServiceId(0))))
        }
        fn broker(&self, id: BrokerId) -> &str {
            ["broker-1"].get(id.index()).copied().unwrap_or("?")
        }
        fn queue(&self, id: QueueId) -> &str {
            ["email-queue", "order.created"]
                .get(id.index())
                .copied()
                .unwrap_or("?")
        }
        /// Subscription 0: email-queue for service 1; 1: the topic order.created for service 0.
        fn subscription(&self, id: SubscriptionId) -> Option<(QueueId, QueueKind, ServiceId)> {
            match id.index() {
                0 => Some((QueueId(0), QueueKind::Queue, ServiceId(1))),
                1 => Some((QueueId(1), QueueKind::Topic, ServiceId(0))),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{fault, metric, rate_limit, status};
    use crate::mechanisms::action::ActionKind;
    use crate::mechanisms::alerts::AlertMetric;
    use crate::mechanisms::ratelimit::RateLimitConfig;
    use crate::sim::view::InstanceStatus;
    use expect_test::expect;

    /// A configuration names what a run of it names, for every preset, read from the run's
    /// own state (its instances' addresses, its view's services, its subscriptions and data
    /// nodes): the page names what it draws from the scenario's configuration alone.
    #[test]
    fn a_config_names_what_its_run_names() {
        use super::Names;
        use crate::common::{InstanceId, ServiceId, SubscriptionId};
        let mut subs = 0;
        for p in crate::scenario::presets::all() {
            let cfg = p.config.clone();
            let sim = crate::sim::Simulation::new(cfg.clone(), 1).unwrap();
            let view = sim.view();
            // One past the end of each list too: both say "?" or None.
            for i in 0..=sim.instance_count() {
                let id = InstanceId::from(i);
                assert_eq!(
                    cfg.instance(id),
                    sim.address(id),
                    "{}: instance {i}",
                    p.name
                );
            }
            for s in 0..=cfg.services.len() {
                let named = view.services.get(s).map_or("?", |v| v.name.as_str());
                assert_eq!(
                    cfg.service(ServiceId::from(s)),
                    named,
                    "{}: service {s}",
                    p.name
                );
            }
            for n in 0..=6u16 {
                assert_eq!(cfg.data_node(n), sim.data_node(n), "{}: node {n}", p.name);
            }
            for k in 0..=8 {
                let sub = SubscriptionId::from(k);
                let got = cfg.subscription(sub);
                assert_eq!(got, sim.subscription_of(sub), "{}: sub {k}", p.name);
                let shown = view.messaging.as_ref().and_then(|m| m.subscriptions.get(k));
                assert_eq!(
                    got,
                    shown.map(|v| (v.queue, v.kind, v.consumer)),
                    "{}",
                    p.name
                );
                subs += usize::from(got.is_some());
            }
        }
        // Some preset has queues, so the loop above compared subscriptions.
        assert!(subs > 0);
    }

    #[test]
    fn statuses() {
        let all = [
            InstanceStatus::Serving,
            InstanceStatus::OutOfRotation,
            InstanceStatus::Suspect,
            InstanceStatus::Ejected,
            InstanceStatus::Draining,
            InstanceStatus::Recovering,
            InstanceStatus::Unlisted,
            InstanceStatus::Booting,
            InstanceStatus::Standby,
            InstanceStatus::DownListed,
            InstanceStatus::Down,
        ];
        let words: Vec<&str> = all.into_iter().map(status).collect();
        expect![[r#"
            [
                "serving",
                "unhealthy (failed health checks)",
                "suspect (a health check failed)",
                "ejected (outlier detection)",
                "draining",
                "recovering (passing checks again)",
                "up, not listed",
                "booting",
                "standby (backup pool)",
                "down, still listed",
                "down, expired",
            ]
        "#]]
        .assert_debug_eq(&words);
    }

    #[test]
    fn roles() {
        use crate::common::Role;
        expect!["primary backup"].assert_eq(&format!(
            "{} {}",
            super::role(Role::Primary),
            super::role(Role::Backup)
        ));
    }

    #[test]
    fn faults_metrics_and_limits() {
        let kinds = [
            ActionKind::Crash,
            ActionKind::Hang,
            ActionKind::Slow { factor: 10.0 },
            ActionKind::ErrorRate { rate: 0.25 },
            ActionKind::PartitionHeartbeats,
            ActionKind::PartitionServing,
            ActionKind::TrafficSpike { factor: 3.0 },
            ActionKind::Capacity { concurrency: 4 },
            ActionKind::Restart,
            ActionKind::Recover,
            ActionKind::Drain,
            ActionKind::SetWeight { weight: 5 },
            ActionKind::SetStrategy {
                strategy: crate::mechanisms::balancer::Strategy::Maglev,
            },
            ActionKind::DataNodeFail,
            ActionKind::DataNodeRecover,
            ActionKind::DataNodeJoin {
                capacity: 500,
                weight: 1,
            },
            ActionKind::DataNodeLeave,
        ];
        let words: Vec<String> = kinds.iter().map(fault).collect();
        expect![[r#"
            [
                "crash",
                "hang (accepts, never answers)",
                "slow: latency ×10",
                "error rate 25 %",
                "partition: heartbeats lost, still serving",
                "partition: unreachable by callers, still heart-beating",
                "traffic spike ×3",
                "capacity: 4 slots",
                "restart",
                "recover (faults cleared, restarted if down)",
                "drain (no new requests)",
                "weight set to 5",
                "strategy set to Maglev",
                "data node fails",
                "data node recovers",
                "data node joins (500 copies)",
                "data node leaves",
            ]
        "#]]
        .assert_debug_eq(&words);
        let values = [
            metric(AlertMetric::ErrorRate, 0.0312),
            metric(AlertMetric::P99Ms, 512.4),
            metric(AlertMetric::RequestRate, 98.76),
            metric(AlertMetric::HealthyInstances, 2.0),
            metric(AlertMetric::QueueDepth, 1240.0),
            metric(AlertMetric::QueueLagS, 58.04),
            metric(AlertMetric::DeadLettered, 3.0),
        ];
        expect![[r#"
            [
                "3.1 %",
                "512 ms",
                "98.8 req/s",
                "2",
                "1240",
                "58.04 s",
                "3",
            ]
        "#]]
        .assert_debug_eq(&values);
        let limits = [
            rate_limit(&RateLimitConfig::TokenBucket {
                capacity: 100,
                refill_per_s: 1.0,
            }),
            rate_limit(&RateLimitConfig::SlidingWindow {
                max_requests: 100,
                window_ms: 60_000,
            }),
        ];
        expect![[r#"
            [
                "token bucket: 100 tokens, +1/s",
                "sliding window: 100 per 60 s",
            ]
        "#]]
        .assert_debug_eq(&limits);
    }
}
