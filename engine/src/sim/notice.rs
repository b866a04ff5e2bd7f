//! Notices: the notable things that happen in a run, as typed facts (ids, values and causes,
//! never words). The feed people read is made of them; [`crate::present`] turns one into a
//! sentence, and tests assert them by variant.
//!
//! A notice is posted where the engine decides (the control plane, the request path, the data
//! plane); the event log ([`crate::sim::event::Event`]) is the run's full record for the digest, the
//! notices are the part worth telling a person.

use crate::common::Severity;
use crate::common::{BrokerId, InstanceId, QueueId, ServiceId, SubscriptionId};
use crate::mechanisms::action::{ActionKind, ActionTarget};
use crate::mechanisms::alerts::AlertState;
use crate::mechanisms::balancer::Strategy;
use crate::mechanisms::breaker::BreakerState;
use crate::sim::event::FEED_CAPACITY;
use crate::sim::CommandError;
use crate::time::SimTime;
use std::collections::VecDeque;

/// Who or what started an instance's process ([`Notice::InstanceStarted`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartedBy {
    /// An operator's Restart (a page button, a timeline action, the CLI).
    Operator,
    /// An operator's Recover: its faults cleared, the stopped process started.
    OperatorRecover,
    /// The failover manager promoted it from the backup pool (seed `FailoverManager`).
    BackupPool,
    /// The failover manager's recovery: attempt `attempt` of `of` (seed `_try_recover`).
    FailoverManager {
        /// This attempt, 1-based.
        attempt: u32,
        /// Attempts before giving up.
        of: u32,
    },
    /// A crash with a duration ended: its machine is up again.
    MachineBack,
}

/// A notable event, as a fact. Instance, service and data-node ids index the run's cluster
/// ([`crate::present::Names`] gives their names); times are simulated (µs in a [`SimTime`], ms
/// where the field says so).
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// The process crashed. `requests_lost` calls in it were reset (502). `listed_until`: when
    /// the registry's TTL runs out, if it still lists the instance.
    InstanceCrashed {
        /// The instance.
        instance: InstanceId,
        /// Calls that were in it.
        requests_lost: u32,
        /// The registry's expiry of the instance, if registered.
        listed_until: Option<SimTime>,
    },
    /// The process was started; it serves after `boot_ms` (simulated ms).
    InstanceStarted {
        /// The instance.
        instance: InstanceId,
        /// Why.
        by: StartedBy,
        /// Boot time, simulated ms (0: at once).
        boot_ms: u64,
    },
    /// Booted and serving.
    InstanceReady {
        /// The instance.
        instance: InstanceId,
    },
    /// Registered with the registry as a member of `service`.
    Registered {
        /// The instance.
        instance: InstanceId,
        /// Its service.
        service: ServiceId,
    },
    /// The registry expired the instance: no heartbeat for `ttl_ms` since `last_heartbeat`
    /// (service-discovery seed chapter).
    Expired {
        /// The instance.
        instance: InstanceId,
        /// The heartbeat timeout, simulated ms.
        ttl_ms: u64,
        /// Its last heartbeat.
        last_heartbeat: SimTime,
        /// Whether its process still runs (only its heartbeats are lost).
        still_running: bool,
        /// Requests sent to it after it crashed, all refused.
        refused_after_crash: u64,
        /// Without watches: how often balancers refresh their discovery cache (simulated ms);
        /// `None` with watches (they refresh at once).
        cache_refresh_ms: Option<u64>,
    },
    /// A balancer's discovery cache changed: it stopped sending to `removed`, started sending
    /// to `added`, and has `left` upstreams.
    UpstreamsChanged {
        /// The service whose balancer it is.
        service: ServiceId,
        /// Upstreams no longer listed.
        removed: Vec<InstanceId>,
        /// Upstreams newly listed.
        added: Vec<InstanceId>,
        /// Upstreams listed now.
        left: u32,
    },
    /// The health checker marked the instance unhealthy after `failed_checks` failures.
    MarkedUnhealthy {
        /// The instance.
        instance: InstanceId,
        /// The unhealthy threshold.
        failed_checks: u32,
        /// Check interval, simulated ms.
        interval_ms: u64,
        /// Check timeout, simulated ms.
        timeout_ms: u64,
    },
    /// The health checker marked the instance healthy after `passed_checks` passes.
    MarkedHealthy {
        /// The instance.
        instance: InstanceId,
        /// The healthy threshold.
        passed_checks: u32,
    },
    /// Outlier detection ejected the instance (Envoy outlier detection).
    Ejected {
        /// The instance.
        instance: InstanceId,
        /// The consecutive-5xx threshold that was reached.
        consecutive_5xx: u32,
        /// Out of rotation for this long, simulated ms.
        for_ms: u64,
        /// The how-manieth ejection (each lasts longer).
        nth: u32,
    },
    /// The ejection ran out: back in rotation.
    Unejected {
        /// The instance.
        instance: InstanceId,
    },
    /// Failover: a backup was promoted to replace `failed`; it boots for `boot_ms`.
    BackupPromoted {
        /// The backup started.
        backup: InstanceId,
        /// The primary it replaces.
        failed: InstanceId,
        /// Its boot time, simulated ms.
        boot_ms: u64,
    },
    /// A recovery attempt failed (a fault is still active); the next comes in `retry_in_ms`.
    RecoveryFailed {
        /// The instance.
        instance: InstanceId,
        /// This attempt, 1-based.
        attempt: u32,
        /// Attempts before giving up.
        of: u32,
        /// Wait before the next attempt, simulated ms.
        retry_in_ms: u64,
    },
    /// The failover manager gave up after `attempts` attempts: an operator must act.
    RecoveryGaveUp {
        /// The instance.
        instance: InstanceId,
        /// Attempts made.
        attempts: u32,
    },
    /// Failback: `primary` recovered, so `backup` was deregistered and returned to the pool.
    Failback {
        /// The recovered primary.
        primary: InstanceId,
        /// The backup returned to the pool.
        backup: InstanceId,
    },
    /// A fault was injected on an instance (`None`: the cluster) for `duration_ms` (`None`:
    /// until recovered).
    FaultStarted {
        /// Where.
        target: Option<InstanceId>,
        /// What.
        fault: ActionKind,
        /// How long, simulated ms.
        duration_ms: Option<u64>,
    },
    /// A fault's duration ran out.
    FaultEnded {
        /// Where.
        target: Option<InstanceId>,
        /// What ended.
        fault: ActionKind,
    },
    /// An operator's Recover cleared the faults on a running target.
    FaultsCleared {
        /// Where.
        target: Option<InstanceId>,
    },
    /// The first call refused by a crashed instance (502). `still_registered`: the registry
    /// still lists it (else only the balancer's cache does).
    ConnectionsRefused {
        /// The instance.
        instance: InstanceId,
        /// Whether the registry still lists it.
        still_registered: bool,
    },
    /// A circuit breaker changed state (the resilience seed chapter; Hystrix).
    BreakerChanged {
        /// The caller (`None`: the gateway).
        caller: Option<InstanceId>,
        /// The upstream it guards.
        instance: InstanceId,
        /// The new state.
        to: BreakerState,
        /// When opened: how long it stays open, simulated ms.
        open_for_ms: u64,
    },
    /// A balancer entered or left panic mode (Envoy's panic threshold).
    PanicMode {
        /// The service.
        service: ServiceId,
        /// Entered (`true`) or left.
        on: bool,
        /// Healthy instances.
        healthy: u32,
        /// Listed instances (not draining).
        listed: u32,
        /// The threshold, percent.
        threshold_pct: f64,
    },
    /// A data node failed; `under_replicated` keys lost a replica.
    DataNodeFailed {
        /// The node, by index in the store.
        node: u16,
        /// Keys that lost a replica.
        under_replicated: u32,
        /// Repair rate, keys per simulated second.
        repair_per_s: u32,
    },
    /// A failed data node recovered with the copies it had.
    DataNodeRecovered {
        /// The node.
        node: u16,
    },
    /// A data node joined or left the ring (consistent hashing, Karger et al. 1997).
    DataMembership {
        /// The node.
        node: u16,
        /// Joined (`true`) or left.
        joined: bool,
        /// Keys whose primary changed.
        primaries_moved: u64,
        /// Keys in the store.
        keys: u64,
        /// Members the ideal share is measured against (after a join, before a leave).
        members: u32,
        /// Replica copies moved.
        copies_moved: u64,
    },
    /// Repair finished: every key has its full set of replicas again.
    Repaired,
    /// An alert changed state (Prometheus alerting rules).
    AlertChanged {
        /// Index of the alert ([`crate::mechanisms::alerts::AlertEngine::alerts`]).
        alert: usize,
        /// The new state.
        to: AlertState,
        /// The value that caused it (`None`: no data).
        value: Option<f64>,
        /// The rule's severity when firing.
        rule_severity: Severity,
    },
    /// A timeline action could not be taken at its time (a crash of an instance that is
    /// down, a restart of one that runs, a data node the store refuses).
    TimelineSkipped {
        /// The action.
        action: ActionKind,
        /// What it named.
        target: ActionTarget,
        /// Why.
        reason: CommandError,
    },
    /// A balancer's strategy was changed.
    StrategyChanged {
        /// The service.
        service: ServiceId,
        /// Its new strategy.
        strategy: Strategy,
    },
    /// An instance's weight was changed (0 to 1 000).
    WeightChanged {
        /// The instance.
        instance: InstanceId,
        /// Its new weight.
        weight: u32,
    },
    /// A subscription's backlog reached `depth` messages: its consumers fall behind.
    BacklogBuilding {
        /// The subscription.
        queue: SubscriptionId,
        /// Messages waiting.
        depth: u64,
    },
    /// A backlog that was building is empty again.
    BacklogDrained {
        /// The subscription.
        queue: SubscriptionId,
    },
    /// A message went to the dead-letter queue after `deliveries` unacknowledged deliveries.
    DeadLettered {
        /// The subscription.
        queue: SubscriptionId,
        /// The message id.
        message: u64,
        /// Deliveries it had.
        deliveries: u32,
    },
    /// A fault on a broker started (`on`) or ended: a crash, a hang or a partition.
    BrokerFault {
        /// The broker.
        broker: BrokerId,
        /// What.
        kind: ActionKind,
        /// Started (`true`) or ended.
        on: bool,
    },
    /// An operator paused or resumed a queue's consumers, or purged it (`dropped` messages).
    QueueAction {
        /// The queue or topic.
        queue: QueueId,
        /// What.
        kind: ActionKind,
        /// Messages dropped by a purge.
        dropped: u64,
    },
}

impl Notice {
    /// How much it matters.
    pub fn severity(&self) -> Severity {
        use Notice::*;
        match self {
            InstanceCrashed { .. }
            | MarkedUnhealthy { .. }
            | RecoveryGaveUp { .. }
            | DataNodeFailed { .. } => Severity::Critical,
            BrokerFault { on, .. } => {
                if *on {
                    Severity::Critical
                } else {
                    Severity::Info
                }
            }
            BacklogBuilding { .. } | DeadLettered { .. } | QueueAction { .. } => Severity::Warning,
            BacklogDrained { .. } => Severity::Info,
            PanicMode { on, .. } => {
                if *on {
                    Severity::Critical
                } else {
                    Severity::Info
                }
            }
            Expired { .. }
            | Ejected { .. }
            | BackupPromoted { .. }
            | RecoveryFailed { .. }
            | FaultStarted { .. }
            | ConnectionsRefused { .. } => Severity::Warning,
            UpstreamsChanged { removed, left, .. } => {
                if *left == 0 {
                    Severity::Critical
                } else if removed.is_empty() {
                    Severity::Info
                } else {
                    Severity::Warning
                }
            }
            BreakerChanged { to, .. } => match to {
                BreakerState::Open => Severity::Warning,
                _ => Severity::Info,
            },
            AlertChanged {
                to, rule_severity, ..
            } => match to {
                AlertState::Firing => *rule_severity,
                AlertState::Pending => Severity::Warning.min(*rule_severity),
                _ => Severity::Info,
            },
            InstanceStarted { .. }
            | InstanceReady { .. }
            | Registered { .. }
            | MarkedHealthy { .. }
            | Unejected { .. }
            | Failback { .. }
            | FaultEnded { .. }
            | FaultsCleared { .. }
            | DataNodeRecovered { .. }
            | DataMembership { .. }
            | Repaired
            | TimelineSkipped { .. }
            | StrategyChanged { .. }
            | WeightChanged { .. } => Severity::Info,
        }
    }

    /// The notice's kind in snake case (`instance_crashed`, `health_changed`, …): the page's
    /// `data-kind`.
    pub fn kind(&self) -> &'static str {
        use Notice::*;
        match self {
            InstanceCrashed { .. } => "instance_crashed",
            InstanceStarted { .. } => "instance_restarted",
            InstanceReady { .. } => "instance_ready",
            Registered { .. } => "registered",
            Expired { .. } => "expired",
            UpstreamsChanged { .. } => "upstreams_changed",
            MarkedUnhealthy { .. } | MarkedHealthy { .. } => "health_changed",
            Ejected { .. } => "ejected",
            Unejected { .. } => "unejected",
            BackupPromoted { .. } => "backup_promoted",
            RecoveryFailed { .. } => "recovery_attempt",
            RecoveryGaveUp { .. } => "recovery_gave_up",
            Failback { .. } => "failback",
            FaultStarted { .. } => "fault_started",
            FaultEnded { .. } => "fault_ended",
            FaultsCleared { .. } => "recovered",
            ConnectionsRefused { .. } => "connections_refused",
            BreakerChanged { .. } => "breaker_changed",
            PanicMode { .. } => "panic_mode",
            DataNodeFailed { .. } => "data_node_failed",
            DataNodeRecovered { .. } => "data_node_recovered",
            DataMembership { .. } => "data_membership",
            Repaired => "repaired",
            AlertChanged { .. } => "alert",
            TimelineSkipped { .. } => "timeline_skipped",
            StrategyChanged { .. } => "strategy_changed",
            WeightChanged { .. } => "weight_changed",
            BacklogBuilding { .. } => "backlog_building",
            BacklogDrained { .. } => "backlog_drained",
            DeadLettered { .. } => "dead_lettered",
            BrokerFault { .. } => "broker_fault",
            QueueAction { .. } => "queue_action",
        }
    }
}

/// One entry of the feed: a notice with its place and time in the run.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedEntry {
    /// Position in the run's feed, from 0; unique, so a key for rendering.
    pub seq: u64,
    /// When it happened (simulated µs).
    pub at: SimTime,
    /// What happened.
    pub notice: Notice,
}

/// The feed: the newest [`FEED_CAPACITY`] notices, oldest first, and how many were ever
/// posted (a shell refetches when that changes). An entry never changes once posted, so a
/// copy of the run (a checkpoint) shares them (`Rc`) rather than copying each notice: that
/// copy was 4.4 KB of the page's wasm.
#[derive(Clone, Debug, Default)]
pub struct Feed {
    entries: VecDeque<std::rc::Rc<FeedEntry>>,
    posted: u64,
}

impl Feed {
    /// Adds `notice` at `at`; the oldest entry goes when the feed is full.
    pub fn post(&mut self, at: SimTime, notice: Notice) {
        if self.entries.len() == FEED_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(std::rc::Rc::new(FeedEntry {
            seq: self.posted,
            at,
            notice,
        }));
        self.posted += 1;
    }

    /// The entries kept, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &FeedEntry> {
        self.entries.iter().map(|e| &**e)
    }

    /// Notices posted since the start, including those dropped.
    pub fn posted(&self) -> u64 {
        self.posted
    }

    /// Entries kept (at most [`FEED_CAPACITY`]).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True before the first notice.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
