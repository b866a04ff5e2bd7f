//! Faults: what can be done to an instance or to the traffic, on a timeline or live.
//!
//! The kinds are the seeds' exercises ("fault injection", "recovery drills") named as Chaos
//! Mesh names them: `PodChaos` pod-kill (crash), `StressChaos`/`HTTPChaos` delay (slow) and
//! abort (error rate), `NetworkChaos` partition in one direction (heartbeats lost or serving
//! lost), plus a hang (the process accepts connections and never answers), a traffic spike and
//! a capacity change.

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
    /// its process is down and its machine up, it is restarted.
    Recover,
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
        )
    }

    /// True for kinds that apply to the whole cluster rather than one instance.
    pub fn is_cluster_wide(&self) -> bool {
        matches!(self, ActionKind::TrafficSpike { .. })
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
            | ActionKind::DataNodeLeave => {}
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
