//! The simulation: a discrete-event loop over clients, the gateway, load balancers, the
//! registry, health checking, failover and the instances.
//!
//! Shape (after `stateright`'s `Model` and crux's core): a pure state machine. The only inputs are
//! the validated [`ClusterConfig`], the seed and [`Command`]s; the only clock is the event
//! queue's. [`Simulation::view`] and [`Simulation::report`] are what shells (the web app,
//! `ha-sim`) read.
//!
//! A request's life (module `sim/request.rs`): a Poisson arrival from a client → the gateway's
//! rate limiter (429) → a *call* to the target service: its balancer picks an upstream among the
//! instances it believes healthy (its discovery cache minus unhealthy and ejected ones, or all
//! of them in panic mode) → the caller's circuit breaker for that upstream (open: 503 at once)
//! → the instance serves it in a free slot, queues it, or refuses it; while serving it may call
//! its own dependencies the same way → the call ends ok, as an error, or as a timeout when the
//! per-call timeout fires first. A failed call may be retried after a jittered back-off if the
//! retry budget allows. The request ends exactly once, with its last call's outcome.
//!
//! The control plane (module `sim/control.rs`): heartbeats, TTL expiry, discovery-cache refreshes,
//! active health checks, outlier ejection, the failover manager, faults, per-second metrics and
//! alert evaluation.

mod control;
mod data;
pub mod event;
pub mod explain;
pub mod messaging;
pub mod notice;
pub mod player;
pub mod queue;
mod request;
mod timeline;
pub mod view;

use crate::common::Outcome;
use crate::common::Role;
use crate::common::{InstanceId, ServiceId};
use crate::mechanisms::action::{Action, ActionKind, ActionTarget, FaultState, ScheduledAction};
use crate::mechanisms::alerts::{AlertEngine, AlertTransition};
use crate::mechanisms::balancer::Balancer;
use crate::mechanisms::breaker::CircuitBreaker;
use crate::mechanisms::health::HealthState;
use crate::mechanisms::metrics::WindowMetrics;
use crate::mechanisms::ratelimit::RateLimiter;
use crate::mechanisms::registry::{Registry, WatcherId};
use crate::mechanisms::retry::RetryBudget;
use crate::mechanisms::trace::{Trace, Tracer};
use crate::rng::SimRng;
use crate::scenario::config::ClusterConfig;
use crate::sim::event::{Digest, Event, EventLog};
use crate::sim::notice::{Feed, FeedEntry, Notice};
use crate::sim::queue::EventQueue;
use crate::time::SimTime;
use litemap::LiteMap;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use timeline::Timeline;
use typed_index_collections::TiVec;

pub use data::DataOps;
pub use request::Caller;

/// Simulated time between metric samples, load reports and alert evaluations, µs.
pub const METRICS_TICK_US: u64 = 1_000_000;

/// What a run holds in flight now ([`Simulation::in_memory`]), in items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InMemory {
    /// Client requests not yet answered.
    pub requests: usize,
    /// Calls (client to service, instance to dependency) not yet ended, orphaned ones included.
    pub calls: usize,
    /// Of `calls`, those whose calling job is gone (its instance crashed or was failed back).
    pub orphaned_calls: usize,
    /// Jobs on instances (running, queued or hung).
    pub jobs: usize,
}

/// Lengths of the buffers that grow with a run ([`Simulation::footprint`]), in items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Footprint {
    /// Scheduled events not yet handled (arrivals, completions, timers).
    pub pending_events: usize,
    /// Client requests in flight.
    pub requests: usize,
    /// Calls (request → service) in flight.
    pub calls: usize,
    /// Jobs held by instances, running or queued.
    pub jobs: usize,
    /// Jobs waiting in instance queues.
    pub queued_jobs: usize,
    /// Entries in the event log ring.
    pub log_entries: usize,
    /// Notable entries kept apart in the log.
    pub log_notable: usize,
    /// Entries in the human-readable feed.
    pub feed: usize,
    /// Finished traces kept.
    pub traces: usize,
    /// Traces still collecting spans.
    pub open_traces: usize,
    /// Alert transitions kept.
    pub alert_feed: usize,
    /// Circuit breakers (one per caller and upstream that has been called).
    pub breakers: usize,
}

/// Counts of client requests by how they ended, plus those still in flight.
///
/// Invariant: `arrived == ok + error + timeout + rejected + short_circuited +
/// no_healthy_upstream + in_flight`. The three sides are counted apart, so the invariant can
/// fail: `arrived` where a request is created, each outcome where the engine decides how a
/// request ends (before it looks the request up), and `in_flight` is the number of requests the
/// simulation holds. A request ended twice counts two outcomes for one request; a request
/// dropped without an outcome leaves one arrival unaccounted. A request never ended at all is
/// caught by [`Simulation::check_exactly_once`]'s age bound.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    /// Requests clients sent.
    pub arrived: u64,
    /// Ended 200.
    pub ok: u64,
    /// Ended 500/502/503 from an upstream.
    pub error: u64,
    /// Ended 504.
    pub timeout: u64,
    /// Ended 429 at the gateway's rate limiter.
    pub rejected: u64,
    /// Ended 503 by an open circuit breaker.
    pub short_circuited: u64,
    /// Ended 503 with no upstream to send to.
    pub no_healthy_upstream: u64,
    /// Not ended yet: the requests the simulation holds.
    pub in_flight: u64,
}
crate::codec::wire_struct!(OutcomeCounts {
    arrived,
    ok,
    error,
    timeout,
    rejected,
    short_circuited,
    no_healthy_upstream,
    in_flight
});

impl OutcomeCounts {
    /// True when the counts add up (the invariant above).
    pub fn add_up(&self) -> bool {
        self.arrived == self.ended() + self.in_flight
    }

    /// Requests ended, by any outcome (the sum of the six outcome counts).
    pub fn ended(&self) -> u64 {
        self.ok
            + self.error
            + self.timeout
            + self.rejected
            + self.short_circuited
            + self.no_healthy_upstream
    }

    /// The count for `o`.
    pub fn get(&self, o: Outcome) -> u64 {
        match o {
            Outcome::Ok => self.ok,
            Outcome::Error => self.error,
            Outcome::Timeout => self.timeout,
            Outcome::Rejected => self.rejected,
            Outcome::ShortCircuited => self.short_circuited,
            Outcome::NoHealthyUpstream => self.no_healthy_upstream,
        }
    }

    fn bump(&mut self, o: Outcome) {
        match o {
            Outcome::Ok => self.ok += 1,
            Outcome::Error => self.error += 1,
            Outcome::Timeout => self.timeout += 1,
            Outcome::Rejected => self.rejected += 1,
            Outcome::ShortCircuited => self.short_circuited += 1,
            Outcome::NoHealthyUpstream => self.no_healthy_upstream += 1,
        }
    }
}

/// Why requests do not end exactly once ([`Simulation::check_exactly_once`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerError {
    /// `arrived ≠ ended + in_flight` ([`OutcomeCounts::add_up`]): a request ended twice, or
    /// was dropped without an outcome.
    CountsDoNotAddUp {
        /// Requests clients sent.
        arrived: u64,
        /// Outcomes recorded.
        ended: u64,
        /// Requests held.
        in_flight: u64,
    },
    /// The engine tried to end a request that had already ended.
    EndedTwice {
        /// How many times that happened in the run.
        attempts: u64,
        /// The first such request's id.
        first: u64,
    },
    /// A request is still held after the longest life its calls allow: every attempt's
    /// timeout plus every retry's longest back-off. It will never end.
    Overdue {
        /// The request's id.
        request: u64,
        /// How long it has been in flight, simulated µs.
        age_us: u64,
        /// The longest it may live, simulated µs.
        bound_us: u64,
    },
}

impl std::error::Error for LedgerError {}

/// A deliberately broken engine, for showing that the exactly-once checks fail when the
/// bookkeeping is wrong (`engine/tests/ledger.rs`). Only with the `test-faults` feature.
#[cfg(feature = "test-faults")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookkeepingFault {
    /// The next request to end is ended a second time right after.
    EndTwice,
    /// The next request to end is forgotten instead: no outcome, still held, never ended.
    NeverEnd,
}

/// Mechanism counters for the report, since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Calls made (first attempts, retries and dependency calls).
    pub calls: u64,
    /// Retries made.
    pub retries: u64,
    /// Retries the retry budget refused.
    pub retries_denied: u64,
    /// Calls a breaker failed fast (including dependency calls).
    pub calls_short_circuited: u64,
    /// Breakers that opened.
    pub breaker_opens: u64,
    /// Active health checks made.
    pub health_checks: u64,
    /// Of those, failed.
    pub health_check_failures: u64,
    /// Instances the health checker marked unhealthy.
    pub marked_unhealthy: u64,
    /// Outlier ejections.
    pub ejections: u64,
    /// Times a balancer entered panic mode.
    pub panics: u64,
    /// Backups promoted by the failover manager.
    pub failovers: u64,
    /// Recovery attempts that succeeded.
    pub recoveries: u64,
    /// Instances the failover manager gave up on.
    pub recoveries_given_up: u64,
    /// Backups returned to the pool on failback.
    pub failbacks: u64,
    /// Faults started.
    pub faults: u64,
}
crate::codec::wire_struct!(Stats {
    calls,
    retries,
    retries_denied,
    calls_short_circuited,
    breaker_opens,
    health_checks,
    health_check_failures,
    marked_unhealthy,
    ejections,
    panics,
    failovers,
    recoveries,
    recoveries_given_up,
    failbacks,
    faults
});

/// Why an [`Action`] was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum CommandError {
    /// No instance has this id.
    UnknownInstance(InstanceId),
    /// No service has this id.
    UnknownService(ServiceId),
    /// Crash of an instance that is already down.
    AlreadyDown(InstanceId),
    /// Restart of an instance that is running or booting.
    AlreadyUp(InstanceId),
    /// A restart while the machine is down (a crash fault with a duration).
    MachineDown(InstanceId),
    /// The fault or value is invalid for this cluster.
    Invalid(crate::common::ConfigError),
    /// A data-store command was refused: (why).
    Data(crate::mechanisms::replication::ReplicationError),
    /// A timeline action added to a run that is already past its time ([`Simulation::schedule`]).
    TooLate {
        /// The action's time, simulated ms.
        at_ms: u64,
        /// The run's clock, simulated µs.
        now_us: u64,
    },
}

impl std::error::Error for CommandError {}

/// The event queue's lanes ([`EventQueue::push_lane`]) of the two streams that queue one
/// item at a time, each after the one before: client arrivals and the store's keyed
/// operations. Items in time order need no heap (at load, half of the heap's pushes and
/// pops were arrivals). No call-timeout lane has these keys: those are keyed by their delay
/// in ms.
const ARRIVAL_LANE: u64 = u64::MAX;
const DATA_OP_LANE: u64 = u64::MAX - 1;

/// Work scheduled on the event queue.
#[derive(Clone, Debug)]
enum Pending {
    Arrival,
    Heartbeat {
        instance: InstanceId,
        incarnation: u32,
    },
    TtlCheck {
        instance: InstanceId,
    },
    CacheRefresh {
        service: ServiceId,
    },
    HealthCheck {
        instance: InstanceId,
    },
    HealthResult {
        instance: InstanceId,
        incarnation: u32,
        passed: bool,
    },
    BootDone {
        instance: InstanceId,
        incarnation: u32,
    },
    JobDone {
        job: usize,
        id: u64,
    },
    CallTimeout {
        call: usize,
        id: u64,
    },
    // Boxed: retries are rare and the spec would make every queued item twice as large.
    Retry(Box<request::CallSpec>),
    Uneject {
        instance: InstanceId,
        nth: u32,
    },
    Recovery {
        instance: InstanceId,
        attempt: u32,
    },
    FaultEnd {
        fault: u32,
    },
    MetricsTick,
    DataOp,
    RepairTick,
    DataRecover {
        id: String,
    },
    /// A producer's job published; the brokers answer now.
    Published {
        job: usize,
        id: u64,
    },
    /// A consumer finished processing a delivery (its slot is freed if it is still the
    /// same incarnation).
    Consumed {
        delivery: usize,
        id: u64,
        instance: InstanceId,
        incarnation: u32,
    },
    /// A consumer's acknowledgement reaches the broker.
    Acked {
        delivery: usize,
        id: u64,
    },
    /// A delivery's visibility timeout.
    VisibilityTimeout {
        delivery: usize,
        id: u64,
    },
    /// A broker fault ends.
    BrokerFaultEnd {
        broker: crate::common::BrokerId,
        nth: u32,
    },
    /// A queue's consumers resume after a pause with a duration.
    QueueResume {
        queue: crate::common::QueueId,
    },
}

/// Where an instance's process is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Process {
    /// A backup waiting in the pool, not started.
    Standby,
    /// Not running (crashed or stopped).
    Stopped,
    /// Started, not serving yet (boot time).
    Booting,
    /// Serving.
    Running,
}

/// Runtime state of one instance.
#[derive(Clone, Debug)]
pub(crate) struct Instance {
    pub(crate) service: ServiceId,
    /// Position of its config in `cfg.services[service].instances`.
    slot: usize,
    pub(crate) process: Process,
    /// Bumped on every crash and start; events of an older incarnation are stale.
    incarnation: u32,
    pub(crate) busy: u32,
    pub(crate) queue: VecDeque<usize>,
    pub(crate) served: u64,
    pub(crate) errors: u64,
    pub(crate) timeouts: u64,
    pub(crate) short_circuited: u64,
    pub(crate) last_heartbeat: Option<SimTime>,
    pub(crate) crashed_at: Option<SimTime>,
    /// Connections refused since the last crash.
    pub(crate) refused_since_crash: u64,
    pub(crate) metrics: WindowMetrics,
    pub(crate) health: HealthState,
    pub(crate) consecutive_5xx: u32,
    pub(crate) ejected_until: Option<SimTime>,
    pub(crate) times_ejected: u32,
    pub(crate) faults: FaultState,
    /// The backup promoted to replace it, while it is failed.
    pub(crate) replaced_by: Option<InstanceId>,
    /// For a promoted backup: the primary it replaces.
    pub(crate) replacing: Option<InstanceId>,
    /// A recovery is in progress (attempt number), or gave up (`Some(0)`).
    pub(crate) recovery: Option<u32>,
}

impl Instance {
    pub(crate) fn up(&self) -> bool {
        self.process == Process::Running
    }

    /// Neither marked unhealthy by the health checker nor ejected: the balancer may pick it
    /// (outside panic mode).
    pub(crate) fn in_rotation(&self) -> bool {
        self.health.healthy && self.ejected_until.is_none() && !self.faults.draining
    }
}

/// A discovery cache: the balancer's (possibly stale) copy of the registry's list.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cache {
    pub(crate) members: Vec<InstanceId>,
    pub(crate) fetched_at: SimTime,
    /// The balancer's candidates now (the members in rotation, or every listed member in
    /// panic mode), recomputed by `health_view_changed`, which is called after anything that
    /// changes health, ejection, draining or membership: a call reads them instead of
    /// looking at every member's state (a debug build checks them against a fresh pass).
    pub(crate) candidates: Vec<InstanceId>,
}

/// A fault acting now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActiveFault {
    /// Id, unique in the run.
    pub id: u32,
    /// The instance (`None`: cluster-wide).
    pub target: Option<InstanceId>,
    /// What.
    pub kind: ActionKind,
    /// When it started.
    pub since: SimTime,
    /// When it ends (`None`: until cleared).
    pub until: Option<SimTime>,
}

/// ChaCha stream id of the workload's random numbers ("traffic" in ASCII).
const TRAFFIC_STREAM: u64 = 0x0074_7261_6666_6963;

/// One simulation run. See the module docs for the request model.
#[derive(Clone, Debug)]
pub struct Simulation {
    pub(crate) cfg: ClusterConfig,
    seed: u64,
    now: SimTime,
    queue: EventQueue<Pending>,
    rng: SimRng,
    /// The client workload: its random stream, its digest, the service shares, a spike.
    traffic: Traffic,
    pub(crate) registry: Registry,
    watcher: WatcherId,
    pub(crate) caches: TiVec<ServiceId, Cache>,
    pub(crate) balancers: TiVec<ServiceId, Balancer>,
    pub(crate) panic: TiVec<ServiceId, bool>,
    pub(crate) instances: TiVec<InstanceId, Instance>,
    /// Requests, calls and jobs in flight.
    flight: request::InFlight,
    /// Breakers by (caller key, upstream instance): caller 0 is the gateway, i + 1 instance i.
    ///
    /// Flat sorted maps (`litemap`) rather than B-trees here and for the budgets: at most a
    /// few hundred entries, and each B-tree instantiation is about 1 KB gzipped of the wasm.
    pub(crate) breakers: LiteMap<(u32, u32), CircuitBreaker>,
    /// How many of `breakers` are open or half-open (kept by every transition). While it is 0
    /// every breaker would allow a call, so routing skips the per-candidate lookups.
    breakers_tripped: usize,
    /// Retry budgets by (caller service key, upstream service): 0 is the gateway.
    budgets: LiteMap<(u16, u16), RetryBudget>,
    limiter: Option<RateLimiter>,
    pub(crate) service_metrics: TiVec<ServiceId, WindowMetrics>,
    /// Faults acting now.
    pub(crate) faults: Faults,
    /// The scenario's timeline, resolved.
    timeline: Timeline,
    /// When the last event (queue item or timeline action) was handled.
    last_event_at: Option<SimTime>,
    pub(crate) alerts: AlertEngine,
    /// Traces of sampled requests.
    tracer: Tracer,
    /// Arrivals and outcomes; `in_flight` is filled in from `requests` when read.
    pub(crate) totals: OutcomeCounts,
    /// Attempts to end a request that had already ended, and the first one's id.
    double_ends: (u64, Option<u64>),
    #[cfg(feature = "test-faults")]
    bookkeeping_fault: Option<BookkeepingFault>,
    pub(crate) stats: Stats,
    log: EventLog,
    feed: Feed,
    scratch: Vec<InstanceId>,
    /// The replicated store and its counters.
    data: data::DataPlane,
    /// Brokers, subscriptions and deliveries.
    msg: messaging::MessagePlane,
}

/// The client workload of a run.
#[derive(Clone, Debug)]
struct Traffic {
    /// The workload's own stream (arrival times, clients, services, trace sampling, keyed
    /// operations), so two runs of one scenario under different strategies or settings see
    /// exactly the same requests.
    rng: SimRng,
    /// XXH3 chain over every arrival (time, client, service): equal in two runs exactly when
    /// they saw the same requests.
    digest: u64,
    /// Cumulative traffic shares, for picking a service per arrival.
    share_cdf: Vec<f64>,
    /// The product of the traffic spikes acting now.
    factor: f64,
}

/// The faults acting now and the next fault id.
#[derive(Clone, Debug, Default)]
pub(crate) struct Faults {
    /// Acting now, in the order they started.
    pub(crate) active: Vec<ActiveFault>,
    /// The id the next fault gets.
    next: u32,
}

impl crate::scenario::Scenario {
    /// A simulation of this scenario at time 0.
    ///
    /// Errors: the cluster's [`crate::common::ConfigError`] (cannot happen for a validated scenario).
    pub fn simulation(&self) -> Result<Simulation, crate::scenario::ScenarioError> {
        Ok(Simulation::new(self.cluster.clone(), self.seed)?)
    }
}

impl Simulation {
    /// A run of `cfg` with `seed`, at simulated time 0 with every primary registered, backups
    /// in their pools, and the fault timeline scheduled.
    ///
    /// Errors: the config's first [`crate::common::ConfigError`].
    pub fn new(cfg: ClusterConfig, seed: u64) -> Result<Self, crate::common::ConfigError> {
        Self::keeping_events(cfg, seed, 0)
    }

    /// As [`Simulation::new`], keeping the newest `n` events (at most
    /// [`event::LOG_CAPACITY`]) for `log().entries()` from time 0 on, the ones logged while
    /// the run is built included: for tests and tools that inspect single events. The run is
    /// the same whatever `n` is (same events, same digest).
    ///
    /// Errors: as [`Simulation::new`].
    pub fn keeping_events(
        cfg: ClusterConfig,
        seed: u64,
        n: usize,
    ) -> Result<Self, crate::common::ConfigError> {
        cfg.validate()?;
        let timeline = Timeline::new(
            cfg.faults
                .iter()
                .map(|f| cfg.resolve(f).map(|a| (f.at_ms, a)))
                .collect::<Result<Vec<_>, _>>()?,
        );
        let ttl_us = cfg.registry.heartbeat_timeout_ms * 1_000;
        let mut registry = Registry::new(ttl_us);
        let watcher = registry.watch(None);
        let mut instances = TiVec::new();
        for (s, svc) in cfg.services.iter().enumerate() {
            for (slot, ic) in svc.instances.iter().enumerate() {
                instances.push(Instance {
                    service: ServiceId::from(s),
                    slot,
                    process: match ic.role {
                        Role::Primary => Process::Running,
                        Role::Backup => Process::Standby,
                    },
                    incarnation: 0,
                    busy: 0,
                    queue: VecDeque::new(),
                    served: 0,
                    errors: 0,
                    timeouts: 0,
                    short_circuited: 0,
                    last_heartbeat: None,
                    crashed_at: None,
                    refused_since_crash: 0,
                    metrics: WindowMetrics::new(cfg.metrics_window_s),
                    health: HealthState::default(),
                    consecutive_5xx: 0,
                    ejected_until: None,
                    times_ejected: 0,
                    faults: FaultState::default(),
                    replaced_by: None,
                    replacing: None,
                    recovery: None,
                });
            }
        }
        let addresses: Vec<&str> = cfg
            .services
            .iter()
            .flat_map(|s| s.instances.iter().map(|i| i.address.as_str()))
            .collect();
        let weights: Vec<u32> = cfg
            .services
            .iter()
            .flat_map(|s| s.instances.iter().map(|i| i.weight))
            .collect();
        let balancers = cfg
            .services
            .iter()
            .map(|s| Balancer::new(s.strategy, s.lb, &addresses, &weights))
            .collect();
        let total_share: f64 = cfg.services.iter().map(|s| s.traffic_share).sum();
        let mut acc = 0.0;
        let share_cdf = cfg
            .services
            .iter()
            .map(|s| {
                acc += if total_share > 0.0 {
                    s.traffic_share / total_share
                } else {
                    0.0
                };
                acc
            })
            .collect();
        let n_services = cfg.services.len();
        let rules = cfg
            .alerts
            .clone()
            .unwrap_or_else(|| crate::scenario::presets::default_alert_rules(&cfg));
        let alerts = control::build_alerts(&cfg, rules);
        let limiter = cfg.gateway.rate_limit.map(RateLimiter::new);
        let service_metrics = (0..n_services)
            .map(|_| WindowMetrics::new(cfg.metrics_window_s))
            .collect();
        let mut sim = Simulation {
            seed,
            now: SimTime::ZERO,
            queue: EventQueue::new(),
            rng: SimRng::new(seed),
            traffic: Traffic {
                rng: SimRng::with_stream(seed, TRAFFIC_STREAM),
                digest: 0,
                share_cdf,
                factor: 1.0,
            },
            registry,
            watcher,
            caches: vec![Cache::default(); n_services].into(),
            balancers,
            panic: vec![false; n_services].into(),
            instances,
            flight: request::InFlight::default(),
            breakers: LiteMap::new(),
            breakers_tripped: 0,
            budgets: LiteMap::new(),
            limiter,
            service_metrics,
            faults: Faults::default(),
            timeline,
            last_event_at: None,
            alerts,
            tracer: Tracer::default(),
            totals: OutcomeCounts::default(),
            double_ends: (0, None),
            #[cfg(feature = "test-faults")]
            bookkeeping_fault: None,
            stats: Stats::default(),
            log: EventLog::default(),
            feed: Feed::default(),
            scratch: Vec::new(),
            data: data::DataPlane::default(),
            msg: messaging::MessagePlane::default(),
            cfg,
        };
        sim.log.retain(n);
        sim.start();
        Ok(sim)
    }

    /// The configuration this run was built from (strategy and weight commands update it).
    pub fn config(&self) -> &ClusterConfig {
        &self.cfg
    }

    /// The seed this run was built from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The simulated clock.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Client request counts by outcome; `in_flight` is the requests held now.
    pub fn totals(&self) -> OutcomeCounts {
        OutcomeCounts {
            in_flight: self.flight.requests.len() as u64,
            ..self.totals
        }
    }

    /// Checks that every client request so far ended exactly once or is still in flight
    /// within its allowed life: no request was ended twice, the counts add up
    /// ([`OutcomeCounts::add_up`]), and no request is held longer than `(retries + 1) × timeout + retries ×
    /// longest back-off` of the service it was sent to.
    ///
    /// Cost: one pass over the requests in flight. Errors: the first [`LedgerError`] found.
    pub fn check_exactly_once(&self) -> Result<(), LedgerError> {
        if let (attempts @ 1.., Some(first)) = self.double_ends {
            return Err(LedgerError::EndedTwice { attempts, first });
        }
        let t = self.totals();
        if !t.add_up() {
            return Err(LedgerError::CountsDoNotAddUp {
                arrived: t.arrived,
                ended: t.ended(),
                in_flight: t.in_flight,
            });
        }
        self.flight
            .requests
            .iter()
            .find_map(|(_, r)| {
                let age_us = self.now.since(r.arrived);
                let bound_us = self.request_life_bound_us(r.service);
                (age_us > bound_us).then_some(LedgerError::Overdue {
                    request: r.id,
                    age_us,
                    bound_us,
                })
            })
            .map_or(Ok(()), Err)
    }

    /// The longest a client request to service `s` can be in flight, simulated µs: each of
    /// its `retries + 1` attempts ends by its timeout, and each retry waits at most the longest
    /// back-off.
    fn request_life_bound_us(&self, s: ServiceId) -> u64 {
        let svc = &self.cfg.services[s.index()];
        let timeout_us = svc.timeout_ms.unwrap_or(self.cfg.request_timeout_ms) * 1_000;
        let retries = u64::from(svc.retry.max_retries);
        (retries + 1) * timeout_us + retries * svc.retry.max_backoff_ms * 1_000
    }

    /// Breaks the engine's bookkeeping on purpose, for the next request that ends (see
    /// [`BookkeepingFault`]). Test-only.
    #[cfg(feature = "test-faults")]
    pub fn break_bookkeeping(&mut self, fault: BookkeepingFault) {
        self.bookkeeping_fault = Some(fault);
    }

    /// Mechanism counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The event log (bounded; counts and digest cover everything).
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// XXH3 chain over every client request so far (arrival time, client, service, traced):
    /// two runs of one scenario with different strategies or settings have equal values,
    /// because the workload has its own random stream.
    pub fn workload(&self) -> u64 {
        self.traffic.digest
    }

    /// Share of client requests the gateway sends to service `s`, `[0, 1]`.
    pub fn client_share(&self, s: ServiceId) -> f64 {
        let i = s.index();
        let hi = self.traffic.share_cdf.get(i).copied().unwrap_or(0.0);
        let lo = if i == 0 {
            0.0
        } else {
            self.traffic.share_cdf[i - 1]
        };
        (hi - lo).max(0.0)
    }

    /// Requests the gateway's rate limiter would admit at once now (`None`: no limiter).
    pub fn limiter_headroom(&self) -> Option<f64> {
        self.limiter.as_ref().map(|l| l.headroom(self.now))
    }

    /// The run digest so far.
    pub fn digest(&self) -> Digest {
        self.log.digest()
    }

    /// The feed, oldest first, at most [`FEED_CAPACITY`] entries.
    pub fn feed(&self) -> impl DoubleEndedIterator<Item = &FeedEntry> {
        self.feed.iter()
    }

    /// Feed entries posted since the start (including those the bounded feed dropped).
    pub fn feed_posted(&self) -> u64 {
        self.feed.posted()
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The alert rules, alerts and alert feed.
    pub fn alerts(&self) -> &AlertEngine {
        &self.alerts
    }

    /// The newest completed traces, oldest first (at most [`crate::mechanisms::trace::TRACE_CAPACITY`]).
    pub fn traces(&self) -> impl DoubleEndedIterator<Item = &Trace> {
        self.tracer.finished()
    }

    /// Faults acting now, in start order.
    pub fn active_faults(&self) -> &[ActiveFault] {
        &self.faults.active
    }

    /// Number of instances over all services.
    pub fn instance_count(&self) -> usize {
        self.instances.len()
    }

    /// Requests, calls and jobs held in memory now (in flight), and of the calls those
    /// whose caller is gone: a dependency call of a job that a crash or failback destroyed
    /// stays in flight, as a real upstream still serves a request whose caller died, and ends
    /// at its answer (which goes nowhere) or its timeout. Bounded by arrivals within a
    /// timeout; a property test checks it.
    pub fn in_memory(&self) -> InMemory {
        let orphaned_calls = self.orphaned_calls();
        InMemory {
            requests: self.flight.requests.len(),
            calls: self.flight.calls.len(),
            orphaned_calls,
            jobs: self.flight.jobs.len(),
        }
    }

    /// The length of every buffer that grows with the run (the soak test watches them). Each
    /// one is bounded: in-flight work by arrivals within a timeout, the rest by a capacity
    /// (`LOG_CAPACITY`, `FEED_CAPACITY`, `ALERT_FEED_CAPACITY`, the trace ring).
    pub fn footprint(&self) -> Footprint {
        Footprint {
            pending_events: self.queue.len(),
            requests: self.flight.requests.len(),
            calls: self.flight.calls.len(),
            jobs: self.flight.jobs.len(),
            queued_jobs: self.instances.iter().map(|i| i.queue.len()).sum(),
            log_entries: self.log.entries().count(),
            log_notable: self.log.notable().count(),
            feed: self.feed.len(),
            traces: self.tracer.counts().1,
            open_traces: self.tracer.counts().0,
            alert_feed: self.alerts.feed().len(),
            breakers: self.breakers.len(),
        }
    }

    /// Bytes of heap memory the run holds, estimated from the lengths of the buffers that
    /// grow with load ([`Simulation::footprint`]) × the size of their items, plus the metrics'
    /// histograms: about what a checkpoint keeps alive at most (the checkpoints' bound). Within
    /// a factor of two of the allocator's count (`engine/tests/footprint.rs`). A clone copies
    /// about 0.6 of it: the metrics' older latency histograms are shared ([`WindowMetrics`]).
    pub fn approx_bytes(&self) -> usize {
        use std::mem::size_of;
        let f = self.footprint();
        let metrics: usize = self
            .instances
            .iter()
            .map(|i| i.metrics.approx_bytes())
            .chain(self.service_metrics.iter().map(WindowMetrics::approx_bytes))
            .sum();
        self.queue.approx_bytes()
            + f.requests * size_of::<request::Request>()
            + f.calls * size_of::<request::Call>()
            + f.jobs * size_of::<request::Job>()
            + f.queued_jobs * size_of::<usize>()
            + f.log_entries * size_of::<event::LogEntry>()
            + f.feed * size_of::<FeedEntry>()
            + metrics
    }

    /// The instance listening on `address` (`host:port`), if any.
    pub fn instance_by_address(&self, address: &str) -> Option<InstanceId> {
        self.instance_configs()
            .position(|c| c.address == address)
            .map(InstanceId::from)
    }

    /// The service called `name`, if any.
    pub fn service_by_name(&self, name: &str) -> Option<ServiceId> {
        self.cfg
            .services
            .iter()
            .position(|s| s.name == name)
            .map(ServiceId::from)
    }

    pub(crate) fn instance_configs(
        &self,
    ) -> impl Iterator<Item = &crate::scenario::config::InstanceConfig> {
        self.cfg.services.iter().flat_map(|s| s.instances.iter())
    }

    /// The config of `id`, in O(1) (it is on the per-request path).
    pub(crate) fn instance_config(
        &self,
        id: InstanceId,
    ) -> &crate::scenario::config::InstanceConfig {
        let inst = &self.instances[id];
        &self.cfg.services[inst.service.index()].instances[inst.slot]
    }

    /// `host:port` of `id` ("?" for an unknown id).
    pub fn address(&self, id: InstanceId) -> &str {
        if id.index() < self.instances.len() {
            &self.instance_config(id).address
        } else {
            "?"
        }
    }

    /// Processes the next scheduled event, advancing the clock to it. Returns its time, or
    /// `None` when nothing is scheduled.
    pub fn step(&mut self) -> Option<SimTime> {
        self.step_due(SimTime(u64::MAX))
    }

    /// As [`Simulation::step`], but only when the next event is due at or before `until`
    /// (otherwise nothing happens and `None` comes back). One look at the queue's front
    /// decides both whether and what: the loops that run until an instant call this instead
    /// of asking [`Simulation::next_event_at`] and then stepping, which looked three times.
    fn step_due(&mut self, until: SimTime) -> Option<SimTime> {
        // The timeouts of calls that have ended are dropped, not handled: a third of all
        // queue items at load, each a whole step that did nothing (and that moved the clock
        // and `last_event_at` to an instant where nothing happened).
        let calls = &self.flight.calls;
        self.queue.drop_dead_lane_fronts(|p| match *p {
            Pending::CallTimeout { call, id } => calls.get(call).is_none_or(|c| c.id != id),
            _ => false,
        });
        let front = self.queue.front();
        let action = self.timeline.next_at().filter(|&at| {
            front.is_none_or(|f| at < f.at || (at == f.at && f.seq >= self.timeline.seq))
        });
        let at = match action {
            Some(at) => at,
            None => front?.at,
        };
        if at > until {
            return None;
        }
        self.now = self.now.max(at);
        if action.is_some() {
            if let Some(action) = self.timeline.take() {
                self.act(action);
            }
        } else if let Some(next) = front.and_then(|f| self.queue.pop_front(f)) {
            self.handle(next.item);
        }
        self.last_event_at = Some(at);
        Some(at)
    }

    /// When the next event (queue item or timeline action) is due, if any.
    pub fn next_event_at(&self) -> Option<SimTime> {
        let queued = self.queue.peek_time();
        match (self.timeline.next_at(), queued) {
            (Some(a), Some(q)) => Some(a.min(q)),
            (a, q) => a.or(q),
        }
    }

    /// Whether the run has handled everything due at or before `t`: its clock is at `t` or
    /// later and no event or timeline action is due by then. A shell that runs "until the clock
    /// reads `t`" must ask this, not compare clocks: an action added at exactly the current
    /// instant ([`Simulation::next_free_ms`] is now when the clock stands on a whole ms before
    /// any event of that ms) is due but not yet taken.
    pub fn reached(&self, t: SimTime) -> bool {
        self.now >= t && self.next_event_at().is_none_or(|e| e > t)
    }

    /// Processes every event due at or before `until`, then sets the clock to `until` (if it is
    /// later than now).
    pub fn run_until(&mut self, until: SimTime) {
        while self.step_due(until).is_some() {}
        self.now = self.now.max(until);
    }

    /// As [`Simulation::run_until`], but handles at most `max_events` events: a shell that must
    /// stay responsive checks its wall clock between calls, whatever the load (at 100,000
    /// req/s through 16 services one simulated ms can hold thousands of events). Returns
    /// whether it got to `until` (the clock is then `until`); otherwise the clock is at the
    /// last event handled. A run taken there in any number of calls is the run
    /// [`Simulation::run_until`] makes (same events, same digest; a property test checks it).
    pub fn run_until_bounded(&mut self, until: SimTime, max_events: usize) -> bool {
        for _ in 0..max_events {
            if self.step_due(until).is_none() {
                self.now = self.now.max(until);
                return true;
            }
        }
        if self.next_event_at().is_some_and(|t| t <= until) {
            return false;
        }
        self.now = self.now.max(until);
        true
    }

    /// The first whole simulated ms at which an action can still be added to this run
    /// ([`Simulation::schedule`]): now, rounded up, and after the last event handled (a run
    /// paused exactly on a whole ms has handled that ms's events already).
    pub fn next_free_ms(&self) -> u64 {
        let after_last = self.last_event_at.map_or(0, |t| t.as_us() / 1_000 + 1);
        self.now.as_us().div_ceil(1_000).max(after_last)
    }

    /// Adds `action` to the timeline of this running simulation. The run goes on exactly as a
    /// run of the scenario with `action` on its timeline from the start would (same events,
    /// same digest), so a shell can add an action to a snapshot of the run instead of running
    /// the scenario again from 0.
    ///
    /// Errors: [`CommandError::TooLate`] when the action's time (whole simulated ms) is before
    /// now or not after the last event handled (the run has already gone past the instant it
    /// would have happened); [`CommandError::Invalid`] for an action the cluster refuses
    /// (unknown target, value out of range, a full timeline).
    pub fn schedule(&mut self, action: ScheduledAction) -> Result<(), CommandError> {
        let at = SimTime::from_ms(action.at_ms);
        if at < self.now || self.last_event_at.is_some_and(|t| t >= at) {
            return Err(CommandError::TooLate {
                at_ms: action.at_ms,
                now_us: self.now.as_us(),
            });
        }
        if self.cfg.faults.len() >= crate::common::MAX_FAULTS {
            return Err(CommandError::Invalid(crate::common::ConfigError::Count(
                "faults",
                self.cfg.faults.len() as u64 + 1,
                0,
                crate::common::MAX_FAULTS as u64,
            )));
        }
        let resolved = self.cfg.resolve(&action).map_err(CommandError::Invalid)?;
        self.timeline.insert(action.at_ms, resolved);
        self.cfg.faults.push(action);
        Ok(())
    }

    /// Runs for `us` more simulated microseconds.
    pub fn run_for(&mut self, us: u64) {
        self.run_until(self.now.plus_us(us));
    }

    /// Whether `action` would be taken now, without taking it (no clone of the simulation):
    /// its target exists, its values are in range, and the state allows it (a crash of a
    /// running instance, a restart of a stopped one whose machine is up, a data-node action
    /// the store takes).
    ///
    /// Errors: the [`CommandError`] [`Simulation::apply`] would return now.
    pub fn check(&self, action: &Action) -> Result<(), CommandError> {
        // Its values, checked as on a timeline.
        let values = || {
            let spec = self.cfg.schedule_at(0, action)?;
            self.cfg.validate_action(&spec)
        };
        match &action.target {
            ActionTarget::Instance(id) => {
                self.inst(*id)?;
            }
            ActionTarget::Service(s) if s.index() >= self.cfg.services.len() => {
                return Err(CommandError::UnknownService(*s));
            }
            // A data node is checked against the store as it is now (a node joined live is
            // on no timeline); a join's capacity and weight as on a timeline.
            ActionTarget::DataNode(id) => {
                if let ActionKind::DataNodeJoin { .. } = action.kind {
                    values().map_err(CommandError::Invalid)?;
                }
                return self.data_check(action.kind, id).map_err(CommandError::Data);
            }
            _ => {}
        }
        values().map_err(CommandError::Invalid)?;
        if let ActionTarget::Instance(id) = action.target {
            let inst = self.inst(id)?;
            match action.kind {
                ActionKind::Crash if !inst.up() && inst.process != Process::Booting => {
                    return Err(CommandError::AlreadyDown(id));
                }
                ActionKind::Restart
                    if matches!(inst.process, Process::Running | Process::Booting) =>
                {
                    return Err(CommandError::AlreadyUp(id));
                }
                ActionKind::Restart if inst.faults.machine_down => {
                    return Err(CommandError::MachineDown(id));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Takes `action` at the current simulated time, exactly as a timeline entry at this
    /// instant would be taken.
    ///
    /// Errors: [`CommandError`] when the target is unknown, already in that state, or a value
    /// is out of range ([`Simulation::check`]); the run is unchanged then.
    pub fn apply(&mut self, action: Action) -> Result<(), CommandError> {
        self.check(&action)?;
        self.act(action);
        Ok(())
    }

    /// Takes `action` now: the one path for the timeline and live actions. A data-node action
    /// the store refuses (the timeline can name a node that has left) is posted as skipped.
    fn act(&mut self, action: Action) {
        let Action {
            kind,
            target,
            duration_ms,
        } = action;
        match target {
            ActionTarget::DataNode(id) => {
                self.stats.faults += 1;
                let result = match kind {
                    ActionKind::DataNodeFail => self.data_fail(&id).map(|()| {
                        if let Some(d) = duration_ms {
                            self.queue.push(
                                self.now.plus_us(d * 1_000),
                                Pending::DataRecover { id: id.clone() },
                            );
                        }
                    }),
                    ActionKind::DataNodeRecover => self.data_recover(&id),
                    ActionKind::DataNodeJoin { capacity, weight } => {
                        self.data_join(crate::mechanisms::replication::DataNodeConfig {
                            id: id.clone(),
                            capacity,
                            weight,
                        })
                    }
                    ActionKind::DataNodeLeave => self.data_leave(&id),
                    _ => Ok(()),
                };
                if let Err(reason) = result {
                    self.post(Notice::TimelineSkipped {
                        action: kind,
                        target: ActionTarget::DataNode(id),
                        reason: CommandError::Data(reason),
                    });
                }
            }
            ActionTarget::Service(svc) => {
                self.stats.faults += 1;
                if let ActionKind::SetStrategy { strategy } = kind {
                    let _ = self.set_strategy(svc, strategy);
                }
            }
            ActionTarget::Broker(b) => {
                self.stats.faults += 1;
                self.broker_action(b, kind, duration_ms);
            }
            ActionTarget::Queue(q) => {
                self.stats.faults += 1;
                self.queue_action(q, kind, duration_ms);
            }
            ActionTarget::Cluster if kind == ActionKind::Recover => {
                self.stats.faults += 1;
                let cluster_wide: Vec<u32> = self
                    .faults
                    .active
                    .iter()
                    .filter(|f| f.target.is_none())
                    .map(|f| f.id)
                    .collect();
                for f in cluster_wide {
                    self.end_fault(f);
                }
            }
            ActionTarget::Cluster => self.start_fault(None, kind, duration_ms),
            ActionTarget::Instance(id) => {
                // Taken even when its state makes it a no-op (the event log records the
                // attempt, as it always has); the feed says it was skipped, and why.
                if let Some(reason) = self.moot(id, kind, duration_ms) {
                    self.post(Notice::TimelineSkipped {
                        action: kind,
                        target: ActionTarget::Instance(id),
                        reason,
                    });
                }
                self.start_fault(Some(id), kind, duration_ms)
            }
        }
    }

    /// Why `kind` on instance `id` would do nothing now, if it would: a crash without a
    /// duration of an instance that is down, a restart of one that runs or whose machine is
    /// down.
    fn moot(
        &self,
        id: InstanceId,
        kind: ActionKind,
        duration_ms: Option<u64>,
    ) -> Option<CommandError> {
        let inst = self.inst(id).ok()?;
        match kind {
            ActionKind::Crash
                if duration_ms.is_none() && !inst.up() && inst.process != Process::Booting =>
            {
                Some(CommandError::AlreadyDown(id))
            }
            ActionKind::Restart if matches!(inst.process, Process::Running | Process::Booting) => {
                Some(CommandError::AlreadyUp(id))
            }
            ActionKind::Restart if inst.faults.machine_down => Some(CommandError::MachineDown(id)),
            _ => None,
        }
    }

    /// Switches service `s` to `strategy` (a command or a timeline action).
    fn set_strategy(
        &mut self,
        s: ServiceId,
        strategy: crate::mechanisms::balancer::Strategy,
    ) -> Result<(), CommandError> {
        let b = self
            .balancers
            .get_mut(s)
            .ok_or(CommandError::UnknownService(s))?;
        b.strategy = strategy;
        self.cfg.services[s.index()].strategy = strategy;
        self.post(Notice::StrategyChanged {
            service: s,
            strategy,
        });
        Ok(())
    }

    /// Sets instance `id`'s weight, 0 to 1 000 (a command or a timeline action).
    pub(crate) fn set_weight(&mut self, id: InstanceId, w: u32) -> Result<(), CommandError> {
        self.inst(id)?;
        if w > 1_000 {
            return Err(CommandError::Invalid(crate::common::ConfigError::Count(
                "weight", w as u64, 0, 1_000,
            )));
        }
        let (s, slot) = {
            let i = &self.instances[id];
            (i.service.index(), i.slot)
        };
        self.cfg.services[s].instances[slot].weight = w;
        for b in &mut self.balancers {
            b.set_weight(id, w);
        }
        self.post(Notice::WeightChanged {
            instance: id,
            weight: w,
        });
        Ok(())
    }

    /// Ends every fault acting on instance `id`.
    pub(crate) fn clear_faults(&mut self, id: InstanceId) {
        let ids: Vec<u32> = self
            .faults
            .active
            .iter()
            .filter(|f| f.target == Some(id))
            .map(|f| f.id)
            .collect();
        for f in ids {
            self.end_fault(f);
        }
    }

    fn inst(&self, id: InstanceId) -> Result<&Instance, CommandError> {
        self.instances
            .get(id)
            .ok_or(CommandError::UnknownInstance(id))
    }

    fn handle(&mut self, p: Pending) {
        match p {
            Pending::Arrival => {
                self.arrival();
                self.schedule_next_arrival();
            }
            Pending::Heartbeat {
                instance,
                incarnation,
            } => self.on_heartbeat_timer(instance, incarnation),
            Pending::TtlCheck { instance } => self.on_ttl_check(instance),
            Pending::CacheRefresh { service } => {
                self.refresh_cache(service);
                let ttl = self.cfg.discovery.cache_ttl_ms * 1_000;
                self.queue
                    .push(self.now.plus_us(ttl), Pending::CacheRefresh { service });
            }
            Pending::HealthCheck { instance } => self.health_check(instance),
            Pending::HealthResult {
                instance,
                incarnation,
                passed,
            } => self.health_result(instance, incarnation, passed),
            Pending::BootDone {
                instance,
                incarnation,
            } => self.boot_done(instance, incarnation),
            Pending::JobDone { job, id } => self.job_done(job, id),
            Pending::CallTimeout { call, id } => {
                if self.flight.calls.get(call).is_some_and(|c| c.id == id) {
                    self.finish_call(call, Outcome::Timeout, None);
                }
            }
            Pending::Retry(spec) => self.retry(*spec),
            Pending::Uneject { instance, nth } => self.uneject(instance, nth),
            Pending::Recovery { instance, attempt } => self.try_recover(instance, attempt),
            Pending::FaultEnd { fault } => self.end_fault(fault),
            Pending::DataOp => {
                self.data_op();
                self.schedule_data_op();
            }
            Pending::RepairTick => self.repair_tick(),
            Pending::DataRecover { id } => {
                let _ = self.data_recover(&id);
            }
            Pending::Published { job, id } => self.published(job, id),
            Pending::Consumed {
                delivery,
                id,
                instance,
                incarnation,
            } => self.consumed(delivery, id, instance, incarnation),
            Pending::Acked { delivery, id } => self.acked(delivery, id),
            Pending::VisibilityTimeout { delivery, id } => self.visibility_timeout(delivery, id),
            Pending::BrokerFaultEnd { broker, nth } => self.broker_fault_end(broker, nth),
            Pending::QueueResume { queue } => self.queue_action(queue, ActionKind::Recover, None),
            Pending::MetricsTick => {
                self.metrics_tick();
                self.queue
                    .push(self.now.plus_us(METRICS_TICK_US), Pending::MetricsTick);
            }
        }
    }

    fn next_id(&mut self) -> u64 {
        self.flight.next_id()
    }

    fn record(&mut self, event: Event) {
        self.log.push(self.now, event);
    }

    /// Adds `notice` to the feed at the current instant (the oldest entry goes when full).
    fn post(&mut self, notice: Notice) {
        self.feed.post(self.now, notice);
    }

    fn alert_posts(&mut self, transitions: Vec<AlertTransition>) {
        for t in transitions {
            self.record(Event::AlertChanged {
                alert: t.alert as u32,
                from: t.from,
                to: t.to,
            });
            let rule = self.alerts.alerts[t.alert].rule;
            let rule_severity = self.alerts.rules[rule].severity;
            self.post(Notice::AlertChanged {
                alert: t.alert,
                to: t.to,
                value: t.value,
                rule_severity,
            });
        }
    }

    /// Latency and rate metrics of `id`, if it exists.
    pub fn metrics(&self, id: InstanceId) -> Option<&WindowMetrics> {
        self.instances.get(id).map(|i| &i.metrics)
    }

    /// Metrics of every call to service `s` (from any caller), if it exists.
    pub fn service_metrics(&self, s: ServiceId) -> Option<&WindowMetrics> {
        self.service_metrics.get(s)
    }

    /// Requests `id` has served successfully (0 for an unknown id).
    pub fn served(&self, id: InstanceId) -> u64 {
        self.instances.get(id).map_or(0, |i| i.served)
    }

    /// True if `id`'s process is running (serving).
    pub fn is_up(&self, id: InstanceId) -> bool {
        self.instances.get(id).is_some_and(|i| i.up())
    }

    /// Where `id`'s process is.
    pub fn process(&self, id: InstanceId) -> Option<Process> {
        self.instances.get(id).map(|i| i.process)
    }

    /// True if the health checker currently considers `id` healthy (always true for services
    /// without health checks).
    pub fn is_healthy(&self, id: InstanceId) -> bool {
        self.instances.get(id).is_some_and(|i| i.health.healthy)
    }

    /// True if outlier detection has `id` ejected now.
    pub fn is_ejected(&self, id: InstanceId) -> bool {
        self.instances
            .get(id)
            .is_some_and(|i| i.ejected_until.is_some())
    }

    /// The balancer's cached upstream list for service `s` (what discovery last told it).
    pub fn upstreams(&self, s: ServiceId) -> &[InstanceId] {
        self.caches
            .get(s)
            .map(|c| c.members.as_slice())
            .unwrap_or(&[])
    }

    /// The instances service `s`'s balancer would pick from now: the cached list minus
    /// unhealthy and ejected instances, or the whole cached list in panic mode.
    pub fn candidates(&self, s: ServiceId) -> Vec<InstanceId> {
        let mut out = Vec::new();
        self.fill_candidates(s, &mut out);
        out
    }

    /// True if service `s`'s balancer is in panic mode (routing to every listed instance).
    pub fn in_panic(&self, s: ServiceId) -> bool {
        self.panic.get(s).copied().unwrap_or(false)
    }

    /// Every breaker that exists, as (caller, upstream, breaker); `None` caller is the gateway.
    pub fn breakers(
        &self,
    ) -> impl Iterator<Item = (Option<InstanceId>, InstanceId, &CircuitBreaker)> {
        self.breakers
            .iter()
            .map(|(&(c, u), b)| (c.checked_sub(1).map(InstanceId), InstanceId(u), b))
    }

    /// The service's balancer.
    pub fn balancer(&self, s: ServiceId) -> Option<&Balancer> {
        self.balancers.get(s)
    }
}
