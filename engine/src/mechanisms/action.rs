//! Actions: what can be done to the cluster, on a timeline or live: the faults and the
//! operator's actions, one vocabulary ([`ActionKind`] × [`ActionTarget`] = [`Action`]).
//!
//! A timeline names its targets ([`ScheduledAction`]: an address, a service name, a data node
//! id), because that is what a share link carries; the scenario resolves them against the
//! cluster when it loads (`ClusterConfig::resolve`), and the simulation, the page and `ha-sim`
//! deal in resolved [`Action`]s only.
//!
//! The kinds are the seeds' exercises ("fault injection", "recovery drills") named as Chaos
//! Mesh names them: `PodChaos` pod-kill (crash), `StressChaos`/`HTTPChaos` delay (slow) and
//! abort (error rate), `NetworkChaos` partition in one direction (heartbeats lost or serving
//! lost), plus a hang (the process accepts connections and never answers), a traffic spike and
//! a capacity change.

use crate::common::{BrokerId, InstanceId, QueueId, ServiceId};
use serde::{Deserialize, Serialize};

/// One kind of fault.
///
/// JSON: `{"kind": "slow", "factor": 10}`, the variant's name in snake_case and its fields.
/// Read through [`ActionKindRepr`] (see `tagged.rs`); a field another kind takes is refused.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", try_from = "ActionKindRepr")]
pub enum ActionKind {
    /// The process dies: in-flight requests are reset, heartbeats stop, connections are
    /// refused. With a duration the machine stays down that long (restarts fail), then the
    /// process starts again; without one it stays down until restarted.
    Crash,
    /// The process accepts requests and health checks but never answers them (timeouts).
    Hang,
    /// Every service time is multiplied by `factor` (≥ 1).
    Slow {
        /// Latency multiplier k.
        factor: f64,
    },
    /// Served requests fail with a 500 with probability `rate` (replaces the configured rate).
    ErrorRate {
        /// Failure probability, `[0, 1]`.
        rate: f64,
    },
    /// Network partition between the instance and the registry: heartbeats are lost while it
    /// keeps serving, so the registry expires a healthy instance.
    PartitionHeartbeats,
    /// Network partition between callers and the instance: requests and health checks get no
    /// answer (timeouts) while its heartbeats still reach the registry.
    PartitionServing,
    /// Client traffic is multiplied by `factor` (cluster-wide; no target).
    TrafficSpike {
        /// Arrival-rate multiplier.
        factor: f64,
    },
    /// The instance's worker slots become `concurrency`.
    Capacity {
        /// New number of slots, ≥ 1.
        concurrency: u32,
    },
    /// A node of the replicated data store fails (target: the node id); with a duration it
    /// comes back with its copies afterwards.
    DataNodeFail,
    /// A failed data node comes back with its copies (target: the node id).
    DataNodeRecover,
    /// A new data node joins the ring (target: its new id).
    DataNodeJoin {
        /// Copies it can hold.
        capacity: u64,
        /// Relative weight (virtual nodes × weight).
        weight: u32,
    },
    /// A data node leaves the ring gracefully (target: the node id).
    DataNodeLeave,
    /// An operator restarts the instance's process (an instant action on the timeline, so a
    /// link can replay a Restart click); nothing happens if it is running or its machine is
    /// down.
    Restart,
    /// Connection draining (Envoy's drain, Kubernetes' terminating endpoint): the balancer
    /// sends the instance no new requests, not even in panic mode, while the ones it has
    /// finish. It stays up and listed. Ends with its duration or a Recover.
    Drain,
    /// An operator sets the instance's weight for weighted strategies (an instant action).
    SetWeight {
        /// New weight, 0 to 1 000.
        weight: u32,
    },
    /// An operator switches a service's load-balancing strategy (an instant action; target:
    /// the service name).
    SetStrategy {
        /// The new strategy.
        strategy: crate::mechanisms::balancer::Strategy,
    },
    /// An operator recovers the instance (an instant action): every fault on it ends and, if
    /// its process is down and its machine up, it is restarted. On a broker: its faults end;
    /// on a queue: its consumers resume.
    Recover,
    /// An operator pauses a queue's consumers (target: the queue or topic name): messages
    /// wait until the duration ends or a Recover.
    PauseConsumers,
    /// An operator drops every message waiting in a queue (an instant action; target: the
    /// queue or topic name).
    Purge,
}

/// Crosses as a variant's index, then its fields (postcard's layout of an enum; serde's
/// `kind` tag is for the scenario's JSON).
impl crate::codec::Wire for ActionKind {
    fn wire(&mut self, c: &mut crate::codec::Codec) {
        use ActionKind as K;
        let mut i: u64 = match self {
            K::Crash => 0,
            K::Hang => 1,
            K::Slow { .. } => 2,
            K::ErrorRate { .. } => 3,
            K::PartitionHeartbeats => 4,
            K::PartitionServing => 5,
            K::TrafficSpike { .. } => 6,
            K::Capacity { .. } => 7,
            K::DataNodeFail => 8,
            K::DataNodeRecover => 9,
            K::DataNodeJoin { .. } => 10,
            K::DataNodeLeave => 11,
            K::Restart => 12,
            K::Drain => 13,
            K::SetWeight { .. } => 14,
            K::SetStrategy { .. } => 15,
            K::Recover => 16,
            K::PauseConsumers => 17,
            K::Purge => 18,
        };
        c.varint(&mut i);
        if c.decoding {
            *self = match i {
                0 => K::Crash,
                1 => K::Hang,
                2 => K::Slow { factor: 0.0 },
                3 => K::ErrorRate { rate: 0.0 },
                4 => K::PartitionHeartbeats,
                5 => K::PartitionServing,
                6 => K::TrafficSpike { factor: 0.0 },
                7 => K::Capacity { concurrency: 0 },
                8 => K::DataNodeFail,
                9 => K::DataNodeRecover,
                10 => K::DataNodeJoin {
                    capacity: 0,
                    weight: 0,
                },
                11 => K::DataNodeLeave,
                12 => K::Restart,
                13 => K::Drain,
                14 => K::SetWeight { weight: 0 },
                15 => K::SetStrategy {
                    strategy: crate::mechanisms::balancer::Strategy::RoundRobin,
                },
                16 => K::Recover,
                17 => K::PauseConsumers,
                _ => K::Purge,
            };
        }
        match self {
            K::Slow { factor } | K::TrafficSpike { factor } => factor.wire(c),
            K::ErrorRate { rate } => rate.wire(c),
            K::Capacity { concurrency } => concurrency.wire(c),
            K::DataNodeJoin { capacity, weight } => {
                capacity.wire(c);
                weight.wire(c);
            }
            K::SetWeight { weight } => weight.wire(c),
            K::SetStrategy { strategy } => strategy.wire(c),
            _ => {}
        }
    }
    fn blank() -> Self {
        ActionKind::Crash
    }
}

/// [`ActionKind`]'s `kind` names.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum FaultKindTag {
    Crash,
    Hang,
    Slow,
    ErrorRate,
    PartitionHeartbeats,
    PartitionServing,
    TrafficSpike,
    Capacity,
    DataNodeFail,
    DataNodeRecover,
    DataNodeJoin,
    DataNodeLeave,
    Restart,
    Drain,
    SetWeight,
    SetStrategy,
    Recover,
    PauseConsumers,
    Purge,
}

/// A [`ActionKind`] as read from JSON: the tag and every kind's fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionKindRepr {
    kind: FaultKindTag,
    factor: Option<f64>,
    rate: Option<f64>,
    concurrency: Option<u32>,
    capacity: Option<u64>,
    weight: Option<u32>,
    strategy: Option<crate::mechanisms::balancer::Strategy>,
}

impl TryFrom<ActionKindRepr> for ActionKind {
    type Error = String;

    fn try_from(mut r: ActionKindRepr) -> Result<Self, String> {
        use crate::tagged::required;
        use FaultKindTag as T;
        let k = match r.kind {
            T::Crash => ActionKind::Crash,
            T::Hang => ActionKind::Hang,
            T::Slow => ActionKind::Slow {
                factor: required(r.factor.take(), "factor", "slow")?,
            },
            T::ErrorRate => ActionKind::ErrorRate {
                rate: required(r.rate.take(), "rate", "error_rate")?,
            },
            T::PartitionHeartbeats => ActionKind::PartitionHeartbeats,
            T::PartitionServing => ActionKind::PartitionServing,
            T::TrafficSpike => ActionKind::TrafficSpike {
                factor: required(r.factor.take(), "factor", "traffic_spike")?,
            },
            T::Capacity => ActionKind::Capacity {
                concurrency: required(r.concurrency.take(), "concurrency", "capacity")?,
            },
            T::DataNodeFail => ActionKind::DataNodeFail,
            T::DataNodeRecover => ActionKind::DataNodeRecover,
            T::DataNodeJoin => ActionKind::DataNodeJoin {
                capacity: required(r.capacity.take(), "capacity", "data_node_join")?,
                weight: required(r.weight.take(), "weight", "data_node_join")?,
            },
            T::DataNodeLeave => ActionKind::DataNodeLeave,
            T::Restart => ActionKind::Restart,
            T::Drain => ActionKind::Drain,
            T::SetWeight => ActionKind::SetWeight {
                weight: required(r.weight.take(), "weight", "set_weight")?,
            },
            T::SetStrategy => ActionKind::SetStrategy {
                strategy: required(r.strategy.take(), "strategy", "set_strategy")?,
            },
            T::Recover => ActionKind::Recover,
            T::PauseConsumers => ActionKind::PauseConsumers,
            T::Purge => ActionKind::Purge,
        };
        crate::tagged::none_left(
            k.key(),
            &[
                ("factor", r.factor.is_some()),
                ("rate", r.rate.is_some()),
                ("concurrency", r.concurrency.is_some()),
                ("capacity", r.capacity.is_some()),
                ("weight", r.weight.is_some()),
                ("strategy", r.strategy.is_some()),
            ],
        )?;
        Ok(k)
    }
}

impl ActionKind {
    /// The snake_case name, e.g. `partition_serving`.
    pub fn key(&self) -> &'static str {
        match self {
            ActionKind::Crash => "crash",
            ActionKind::Hang => "hang",
            ActionKind::Slow { .. } => "slow",
            ActionKind::ErrorRate { .. } => "error_rate",
            ActionKind::PartitionHeartbeats => "partition_heartbeats",
            ActionKind::PartitionServing => "partition_serving",
            ActionKind::TrafficSpike { .. } => "traffic_spike",
            ActionKind::Capacity { .. } => "capacity",
            ActionKind::Restart => "restart",
            ActionKind::DataNodeFail => "data_node_fail",
            ActionKind::DataNodeRecover => "data_node_recover",
            ActionKind::DataNodeJoin { .. } => "data_node_join",
            ActionKind::DataNodeLeave => "data_node_leave",
            ActionKind::Drain => "drain",
            ActionKind::SetWeight { .. } => "set_weight",
            ActionKind::SetStrategy { .. } => "set_strategy",
            ActionKind::Recover => "recover",
            ActionKind::PauseConsumers => "pause_consumers",
            ActionKind::Purge => "purge",
        }
    }

    /// True for kinds whose target is a data node id rather than an instance address.
    pub fn targets_data_node(&self) -> bool {
        matches!(
            self,
            ActionKind::DataNodeFail
                | ActionKind::DataNodeRecover
                | ActionKind::DataNodeJoin { .. }
                | ActionKind::DataNodeLeave
        )
    }

    /// True for kinds whose target is a queue or topic name.
    pub fn targets_queue(&self) -> bool {
        matches!(self, ActionKind::PauseConsumers | ActionKind::Purge)
    }

    /// True for kinds a broker takes (its address as the target): a crash, a hang, a
    /// partition from its clients, a recover.
    pub fn applies_to_broker(&self) -> bool {
        matches!(
            self,
            ActionKind::Crash
                | ActionKind::Hang
                | ActionKind::PartitionServing
                | ActionKind::Recover
        )
    }

    /// True for kinds whose target is a service name rather than an instance address.
    pub fn targets_service(&self) -> bool {
        matches!(self, ActionKind::SetStrategy { .. })
    }

    /// True for operator actions that happen at one instant (they have no duration and do
    /// not stay in the active fault list).
    pub fn is_instant(&self) -> bool {
        matches!(
            self,
            ActionKind::Restart
                | ActionKind::SetWeight { .. }
                | ActionKind::SetStrategy { .. }
                | ActionKind::Recover
                | ActionKind::Purge
        )
    }

    /// True for kinds that apply to the whole cluster rather than one instance.
    pub fn is_cluster_wide(&self) -> bool {
        matches!(self, ActionKind::TrafficSpike { .. })
    }
}

/// What an [`Action`] acts on, resolved against the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionTarget {
    /// The whole cluster (a traffic spike; a recover clears the cluster-wide faults).
    Cluster,
    /// One instance.
    Instance(InstanceId),
    /// One service (its balancer's strategy).
    Service(ServiceId),
    /// A data node, by id (a node may join later, so not by index).
    DataNode(String),
    /// A message broker.
    Broker(BrokerId),
    /// A queue or topic.
    Queue(QueueId),
}

impl From<InstanceId> for ActionTarget {
    fn from(id: InstanceId) -> Self {
        ActionTarget::Instance(id)
    }
}

impl From<ServiceId> for ActionTarget {
    fn from(id: ServiceId) -> Self {
        ActionTarget::Service(id)
    }
}

impl From<Option<InstanceId>> for ActionTarget {
    /// `None` is the cluster.
    fn from(id: Option<InstanceId>) -> Self {
        id.map_or(ActionTarget::Cluster, ActionTarget::Instance)
    }
}

/// One action, resolved: what ([`ActionKind`]), on what ([`ActionTarget`]) and for how long.
/// The timeline, the live path (`Simulation::apply`), the page and `ha-sim` all use it.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// What happens.
    pub kind: ActionKind,
    /// What it acts on.
    pub target: ActionTarget,
    /// How long it lasts, simulated ms (`None`: until cleared; instant kinds have none).
    pub duration_ms: Option<u64>,
}

impl Action {
    /// `kind` on `target`, with no duration: `Action::on(ActionKind::Crash, id)`.
    pub fn on(kind: ActionKind, target: impl Into<ActionTarget>) -> Action {
        Action {
            kind,
            target: target.into(),
            duration_ms: None,
        }
    }

    /// The same action lasting `ms` simulated milliseconds.
    pub fn for_ms(self, ms: u64) -> Action {
        Action {
            duration_ms: Some(ms),
            ..self
        }
    }
}

/// An action on the scenario's timeline, its target by name (what a share link carries):
/// [`ScheduledAction::resolve`] turns it into an [`Action`] against a cluster.
///
/// JSON: `{"at_ms": 30000, "target": "192.168.1.11:8080", "fault": {"kind": "crash"},
/// "duration_ms": 20000}` (the key `fault` is kept from format version 1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduledAction {
    /// When it starts, simulated ms from the start of the run.
    pub at_ms: u64,
    /// What it acts on: an instance address (`host:port`), a service name (strategy) or a
    /// data node id; `None` for cluster-wide kinds.
    pub target: Option<String>,
    /// What happens.
    #[serde(rename = "fault")]
    pub kind: ActionKind,
    /// How long it lasts, simulated ms; `None`: until cleared (a crash: until restarted).
    pub duration_ms: Option<u64>,
}

/// Why an action spec (`KIND[=X][:TARGET]@START_S[+DURATION_S]`) could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionSpecError {
    /// Not of the form `KIND[=X][:TARGET]@START_S[+DURATION_S]`: (the spec).
    Shape(String),
    /// A time that is not a number of seconds in 0 to 86 400: (the text, the spec).
    Seconds(String, String),
    /// A value that is not a number: (the text, the spec).
    NotANumber(String, String),
    /// A kind that takes a value was given none: (the kind).
    NeedsValue(String),
    /// No such kind: (the kind).
    UnknownKind(String),
    /// No such strategy: (the key).
    UnknownStrategy(String),
}

/// The kinds an action spec may name, as `ha-sim --action` lists them.
pub const ACTION_SPEC_KINDS: &str = "crash, hang, slow=K, error=P, partition-heartbeats, \
partition-serving, spike=K, capacity=N, restart, recover, drain, weight=W, strategy=KEY, \
data-fail, data-recover, data-join=CAPACITY, data-leave";

impl std::str::FromStr for ScheduledAction {
    type Err = ActionSpecError;

    /// Reads `KIND[=X][:TARGET]@START_S[+DURATION_S]`, e.g. `crash:192.168.1.11:8080@30+20`
    /// (a crash at 0:30 for 20 s), `spike=3@60+10`, `strategy=least_connections:user-service@0`
    /// or `data-fail:node-2@5`. The target is an instance address, a service name or a data
    /// node id, as the kind needs; it is checked when the scenario resolves it.
    ///
    /// Errors: an [`ActionSpecError`] naming what is wrong.
    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let (what, when) = spec
            .rsplit_once('@')
            .ok_or_else(|| ActionSpecError::Shape(spec.to_string()))?;
        let (start, duration) = match when.split_once('+') {
            Some((a, d)) => (a, Some(d)),
            None => (when, None),
        };
        let ms = |text: &str| -> Result<u64, ActionSpecError> {
            let s: f64 = text
                .parse()
                .map_err(|_| ActionSpecError::Seconds(text.to_string(), spec.to_string()))?;
            if !(0.0..=86_400.0).contains(&s) {
                return Err(ActionSpecError::Seconds(text.to_string(), spec.to_string()));
            }
            Ok((s * 1e3).round() as u64)
        };
        let at_ms = ms(start)?;
        let duration_ms = duration.map(ms).transpose()?;
        let (kind, target) = match what.split_once(':') {
            Some((k, t)) => (k, Some(t.to_string())),
            None => (what, None),
        };
        let (name, param) = match kind.split_once('=') {
            Some((n, p)) => (n, Some(p)),
            None => (kind, None),
        };
        let num = || -> Result<f64, ActionSpecError> {
            let p = param.ok_or_else(|| ActionSpecError::NeedsValue(name.to_string()))?;
            p.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| ActionSpecError::NotANumber(p.to_string(), spec.to_string()))
        };
        let kind = match name {
            "crash" => ActionKind::Crash,
            "hang" => ActionKind::Hang,
            "slow" => ActionKind::Slow { factor: num()? },
            "error" => ActionKind::ErrorRate { rate: num()? },
            "partition-heartbeats" => ActionKind::PartitionHeartbeats,
            "partition-serving" => ActionKind::PartitionServing,
            "spike" => ActionKind::TrafficSpike { factor: num()? },
            "capacity" => ActionKind::Capacity {
                concurrency: num()?.clamp(0.0, u32::MAX as f64) as u32,
            },
            "restart" => ActionKind::Restart,
            "recover" => ActionKind::Recover,
            "drain" => ActionKind::Drain,
            "pause-consumers" => ActionKind::PauseConsumers,
            "purge" => ActionKind::Purge,
            "weight" => ActionKind::SetWeight {
                weight: num()?.clamp(0.0, u32::MAX as f64) as u32,
            },
            "strategy" => {
                let key = param.ok_or_else(|| ActionSpecError::NeedsValue(name.to_string()))?;
                ActionKind::SetStrategy {
                    strategy: crate::mechanisms::balancer::Strategy::from_key(key)
                        .ok_or_else(|| ActionSpecError::UnknownStrategy(key.to_string()))?,
                }
            }
            "data-fail" => ActionKind::DataNodeFail,
            "data-recover" => ActionKind::DataNodeRecover,
            "data-leave" => ActionKind::DataNodeLeave,
            "data-join" => ActionKind::DataNodeJoin {
                capacity: num()?.clamp(0.0, u64::MAX as f64) as u64,
                weight: 1,
            },
            other => return Err(ActionSpecError::UnknownKind(other.to_string())),
        };
        Ok(ScheduledAction {
            at_ms,
            target,
            kind,
            duration_ms,
        })
    }
}

/// The faults acting on one instance now, folded from the active fault list.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultState {
    /// Hung.
    pub hang: bool,
    /// Latency multiplier (1 when not slowed).
    pub slow: f64,
    /// Error rate overriding the configured one.
    pub error_rate: Option<f64>,
    /// Heartbeats do not reach the registry.
    pub heartbeats_lost: bool,
    /// Callers cannot reach it.
    pub serving_lost: bool,
    /// Worker slots overriding the configured number.
    pub concurrency: Option<u32>,
    /// The machine is down (a crash with a duration): restarts fail.
    pub machine_down: bool,
    /// Draining: no new requests.
    pub draining: bool,
}

impl Default for FaultState {
    fn default() -> Self {
        Self {
            hang: false,
            slow: 1.0,
            error_rate: None,
            heartbeats_lost: false,
            serving_lost: false,
            concurrency: None,
            machine_down: false,
            draining: false,
        }
    }
}

impl FaultState {
    /// Folds one active fault in.
    pub fn apply(&mut self, f: &ActionKind, has_duration: bool) {
        match *f {
            ActionKind::Crash => self.machine_down |= has_duration,
            ActionKind::Hang => self.hang = true,
            ActionKind::Slow { factor } => self.slow *= factor,
            ActionKind::ErrorRate { rate } => {
                self.error_rate = Some(self.error_rate.map_or(rate, |r| r.max(rate)))
            }
            ActionKind::PartitionHeartbeats => self.heartbeats_lost = true,
            ActionKind::PartitionServing => self.serving_lost = true,
            ActionKind::Capacity { concurrency } => self.concurrency = Some(concurrency),
            ActionKind::Drain => self.draining = true,
            ActionKind::TrafficSpike { .. }
            | ActionKind::Restart
            | ActionKind::SetWeight { .. }
            | ActionKind::SetStrategy { .. }
            | ActionKind::Recover
            | ActionKind::DataNodeFail
            | ActionKind::DataNodeRecover
            | ActionKind::DataNodeJoin { .. }
            | ActionKind::DataNodeLeave
            | ActionKind::PauseConsumers
            | ActionKind::Purge => {}
        }
    }

    /// True when a restart cannot make the instance healthy (the fault is in its
    /// environment, not its process).
    pub fn blocks_recovery(&self) -> bool {
        self.machine_down
            || self.hang
            || self.serving_lost
            || self.error_rate.is_some_and(|r| r >= 0.5)
    }

    /// True when no fault acts.
    pub fn is_clear(&self) -> bool {
        *self == FaultState::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_fold_and_only_environmental_ones_block_recovery() {
        let mut st = FaultState::default();
        assert!(st.is_clear() && !st.blocks_recovery());
        st.apply(&ActionKind::Slow { factor: 2.0 }, true);
        st.apply(&ActionKind::Slow { factor: 3.0 }, false);
        assert_eq!(st.slow, 6.0, "slow faults multiply");
        assert!(
            !st.blocks_recovery(),
            "a restart cures nothing slow, but it is not blocked"
        );
        st.apply(&ActionKind::ErrorRate { rate: 0.2 }, true);
        st.apply(&ActionKind::ErrorRate { rate: 0.7 }, true);
        assert_eq!(st.error_rate, Some(0.7), "the worst error rate wins");
        assert!(
            st.blocks_recovery(),
            "mostly failing: a restart does not make it healthy"
        );
        let mut crash = FaultState::default();
        crash.apply(&ActionKind::Crash, false);
        assert!(
            !crash.blocks_recovery(),
            "a crashed process can be restarted"
        );
        crash.apply(&ActionKind::Crash, true);
        assert!(
            crash.machine_down && crash.blocks_recovery(),
            "not while its machine is down"
        );
        let mut net = FaultState::default();
        net.apply(&ActionKind::PartitionHeartbeats, true);
        assert!(net.heartbeats_lost && !net.serving_lost && !net.blocks_recovery());
        net.apply(&ActionKind::PartitionServing, true);
        assert!(net.blocks_recovery());
        assert!(ActionKind::TrafficSpike { factor: 2.0 }.is_cluster_wide());
        assert!(!ActionKind::Hang.is_cluster_wide());
    }
}
