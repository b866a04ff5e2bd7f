//! The view model: everything a shell shows, computed by the engine.
//!
//! The web app renders a [`ClusterView`] and nothing else; it computes no simulation numbers
//! of its own ("the UI reads, the engine decides").

use crate::common::{InstanceId, ServiceId};
use crate::mechanisms::action::ActionKind;
use crate::mechanisms::alerts::{AlertMetric, AlertState, Target};
use crate::mechanisms::balancer::Strategy;
use crate::mechanisms::breaker::BreakerState;
use crate::mechanisms::metrics::SeriesPoint;
use crate::sim::notice::FeedEntry;
use crate::sim::{OutcomeCounts, Process, Simulation};
use serde::{Deserialize, Serialize};

/// Feed entries a view carries, newest first.
pub const VIEW_FEED_LEN: usize = 200;

/// Per-second chart points a view carries per instance and per service: the last 60
/// simulated seconds and the point before them.
pub const CHART_POINTS: usize = 61;

/// What state an instance is in, as the topology and the report name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    /// Process up, listed, healthy: the balancer may pick it.
    Serving,
    /// Process up and listed, but the health checker marked it unhealthy: the balancer skips
    /// it (unless in panic mode).
    OutOfRotation,
    /// Process up but not (yet) listed by the registry.
    Unlisted,
    /// Process starting (boot time).
    Booting,
    /// A backup waiting in the pool.
    Standby,
    /// Process down, but the registry still lists it: traffic to it fails (a stale listing).
    DownListed,
    /// Process down and expired from the registry.
    Down,
    /// Serving, but its last health check(s) failed: not yet enough to mark it unhealthy.
    Suspect,
    /// Ejected by outlier detection (consecutive 5xx) until a set time.
    Ejected,
    /// Draining: up and listed, but the balancer sends it nothing new.
    Draining,
    /// Unhealthy, but passing checks again: back in rotation after the healthy threshold.
    Recovering,
}
crate::codec::wire_enum!(InstanceStatus {
    Serving,
    OutOfRotation,
    Unlisted,
    Booting,
    Standby,
    DownListed,
    Down,
    Suspect,
    Ejected,
    Draining,
    Recovering
});

/// One instance as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceView {
    /// Index, for commands.
    pub id: InstanceId,
    /// Configured id, e.g. `user-service-1`.
    pub name: String,
    /// Its service.
    pub service: ServiceId,
    /// `host:port`.
    pub address: String,
    /// State.
    pub status: InstanceStatus,
    /// Process running.
    pub up: bool,
    /// Listed by the registry.
    pub registered: bool,
    /// In the balancer's cached upstream list (what discovery last told it).
    pub in_balancer: bool,
    /// In the balancer's cache but no longer in the registry: a stale entry.
    pub stale: bool,
    /// The balancer may pick it now (listed, healthy and not ejected, or panic mode).
    pub candidate: bool,
    /// The health checker's verdict (true without health checks).
    pub healthy: bool,
    /// Consecutive failed health checks.
    pub health_failures: u32,
    /// Outlier detection has it ejected until this time, µs.
    pub ejected_until_us: Option<u64>,
    /// Primary or backup.
    pub role: crate::common::Role,
    /// Weight for weighted strategies.
    pub weight: u32,
    /// Faults acting on it (each kind once).
    pub faults: Vec<ActionKind>,
    /// Calls to it failed fast by open breakers, since the start.
    pub short_circuited: u64,
    /// Memory used / limit, `[0, 1]`.
    pub memory: f64,
    /// Requests served ok, since the start.
    pub served: u64,
    /// Requests that ended in an error here, since the start.
    pub errors: u64,
    /// Requests that timed out here, since the start.
    pub timeouts: u64,
    /// Requests in service now.
    pub busy: u32,
    /// Requests queued now.
    pub queued: u32,
    /// Worker slots.
    pub concurrency: u32,
    /// Busy slots / slots, `[0, 1]`.
    pub cpu: f64,
    /// Requests ended per second over the metrics window.
    pub rps: f64,
    /// Error fraction over the metrics window.
    pub error_rate: f64,
    /// Responses in the window that the percentiles below come from (0: no data).
    pub latency_samples: u64,
    /// Latency p50 over the window, ms.
    pub p50_ms: f64,
    /// Latency p95 over the window, ms.
    pub p95_ms: f64,
    /// Latency p99 over the window, ms.
    pub p99_ms: f64,
    /// Time since the registry last heard from it, ms (None if never or not listed).
    pub heartbeat_age_ms: Option<u64>,
    /// Time until the registry expires it without a new heartbeat, ms (None if not listed).
    pub ttl_left_ms: Option<u64>,
    /// Per-second samples for the load chart, oldest first (at most [`CHART_POINTS`]).
    pub series: Vec<SeriesPoint>,
    /// The worst state among the circuit breakers callers keep towards it (open, then
    /// half-open, then closed); `None` without breakers.
    pub breaker: Option<crate::mechanisms::breaker::BreakerState>,
    /// Draining: up and listed, but given no new requests.
    pub draining: bool,
}
crate::codec::wire_struct!(InstanceView {
    id,
    name,
    service,
    address,
    status,
    up,
    registered,
    in_balancer,
    stale,
    candidate,
    healthy,
    health_failures,
    ejected_until_us,
    role,
    weight,
    faults,
    short_circuited,
    memory,
    served,
    errors,
    timeouts,
    busy,
    queued,
    concurrency,
    cpu,
    rps,
    error_rate,
    latency_samples,
    p50_ms,
    p95_ms,
    p99_ms,
    heartbeat_age_ms,
    ttl_left_ms,
    series,
    breaker,
    draining
});

/// One service as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceView {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Load-balancing strategy.
    pub strategy: Strategy,
    /// Its instances (indices into [`ClusterView::instances`]).
    pub instances: Vec<InstanceId>,
    /// The balancer's upstreams for it now.
    pub upstreams: Vec<InstanceId>,
    /// Calls to it ended per second over the window (from any caller).
    pub rps: f64,
    /// Failed fraction of calls to it over the window.
    pub error_rate: f64,
    /// Latency p99 of calls to it over the window, ms (`None`: no data).
    pub p99_ms: Option<f64>,
    /// Services it calls.
    pub depends_on: Vec<ServiceId>,
    /// Paths it serves.
    pub endpoints: Vec<String>,
    /// Instances its balancer may pick now.
    pub candidates: Vec<InstanceId>,
    /// Its balancer is in panic mode.
    pub panic: bool,
    /// Age of the balancer's discovery cache, ms.
    pub cache_age_ms: u64,
    /// Registered instances the cache does not have yet.
    pub missing_from_cache: Vec<InstanceId>,
    /// Breakers open towards its instances now.
    pub breakers_open: usize,
    /// Per-second samples of calls to it (rate, errors, p50/p95/p99), oldest first (at most
    /// [`CHART_POINTS`]).
    pub series: Vec<SeriesPoint>,
    /// Services that call it (the reverse of `depends_on`); empty: clients call it through
    /// the gateway.
    pub called_by: Vec<ServiceId>,
    /// Share of client requests sent to it through the gateway, `[0, 1]` (0: only other
    /// services call it).
    pub client_share: f64,
}
crate::codec::wire_struct!(ServiceView {
    name,
    version,
    strategy,
    instances,
    upstreams,
    rps,
    error_rate,
    p99_ms,
    depends_on,
    endpoints,
    candidates,
    panic,
    cache_age_ms,
    missing_from_cache,
    breakers_open,
    series,
    called_by,
    client_share
});

/// The replicated store, per frame (cheap).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    /// Keyed operations by outcome.
    pub ops: crate::sim::DataOps,
    /// Keys stored.
    pub keys: u64,
    /// Keys with fewer live copies than N.
    pub under_replicated: u64,
    /// Copies created by repair.
    pub repaired: u64,
    /// Bumped when the ring or its statistics change.
    pub generation: u64,
}
crate::codec::wire_struct!(DataSummary {
    ops,
    keys,
    under_replicated,
    repaired,
    generation
});

/// One data node in [`RingView`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RingNodeView {
    /// Node id.
    pub id: String,
    /// In the ring.
    pub member: bool,
    /// Answering.
    pub up: bool,
    /// Share of the hash space, `[0, 1]`.
    pub keyspace_share: f64,
    /// Keys whose primary it is.
    pub primary_keys: u64,
    /// Copies it holds / can hold.
    pub copies: u64,
    /// Capacity in copies.
    pub capacity: u64,
}
crate::codec::wire_struct!(RingNodeView {
    id,
    member,
    up,
    keyspace_share,
    primary_keys,
    copies,
    capacity
});

/// The ring as drawn: points, sample keys, per-node statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RingView {
    /// Virtual-node points: (position as a fraction of the ring, node index).
    pub points: Vec<(f64, u16)>,
    /// Sample keys: (key, position as a fraction of the ring).
    pub keys: Vec<(u64, f64)>,
    /// Per node, in node order.
    pub nodes: Vec<RingNodeView>,
    /// Replicas per key, N.
    pub replicas: u32,
    /// σ of the members' key-space shares, % of the mean.
    pub keyspace_stddev_pct: f64,
    /// The last membership change: keys whose primary moved, % of keys.
    pub last_moved_pct: f64,
    /// True once a node has joined or left (before that `last_moved_pct` means nothing).
    pub changed: bool,
    /// What it should have moved ideally, %.
    pub ideal_move_pct: f64,
    /// Keys with fewer live copies than N.
    pub under_replicated: u64,
}
crate::codec::wire_struct!(RingView {
    points,
    keys,
    nodes,
    replicas,
    keyspace_stddev_pct,
    last_moved_pct,
    changed,
    ideal_move_pct,
    under_replicated
});

/// Where one key lives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyView {
    /// The key.
    pub key: u64,
    /// Its position as a fraction of the ring.
    pub position: f64,
    /// Nodes that should hold it now (N, in preference order; the first is the primary).
    pub replica_set: Vec<u16>,
    /// Nodes that hold a copy, and whether each is up.
    pub copies: Vec<(u16, bool)>,
    /// For ring placement: the position of the virtual node that made each replica-set node
    /// a replica (the first of its points clockwise from the key); empty for rendezvous.
    pub replica_points: Vec<f64>,
}
crate::codec::wire_struct!(KeyView {
    key,
    position,
    replica_set,
    copies,
    replica_points
});

/// One circuit breaker as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BreakerView {
    /// The caller (`None`: the gateway).
    pub caller: Option<InstanceId>,
    /// The upstream instance.
    pub instance: InstanceId,
    /// State.
    pub state: crate::mechanisms::breaker::BreakerState,
    /// Times it opened.
    pub opened: u32,
}
crate::codec::wire_struct!(BreakerView {
    caller,
    instance,
    state,
    opened
});

/// One alert as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertView {
    /// Rule name.
    pub rule: String,
    /// What it is about.
    pub target: Target,
    /// State.
    pub state: crate::mechanisms::alerts::AlertState,
    /// Severity when firing.
    pub severity: crate::common::Severity,
    /// The rule's metric (the unit of `value`).
    pub metric: AlertMetric,
    /// Last value, in the metric's unit (`None`: no data).
    pub value: Option<f64>,
    /// Times it fired.
    pub fired: u32,
}
crate::codec::wire_struct!(AlertView {
    rule,
    target,
    state,
    severity,
    metric,
    value,
    fired
});

/// A fault acting now.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultView {
    /// The instance (`None`: the cluster).
    pub target: Option<InstanceId>,
    /// What.
    pub kind: ActionKind,
}
crate::codec::wire_struct!(FaultView { target, kind });

/// The whole cluster as shown, at one simulated instant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterView {
    /// Simulated clock, µs.
    pub now_us: u64,
    /// The run's seed.
    pub seed: u64,
    /// The run digest so far, 16 hex digits.
    pub digest: String,
    /// Client arrival rate, requests per simulated second.
    pub traffic_rps: f64,
    /// Heartbeat interval, ms.
    pub heartbeat_interval_ms: u64,
    /// Heartbeat timeout (TTL), ms.
    pub heartbeat_timeout_ms: u64,
    /// Services in config order.
    pub services: Vec<ServiceView>,
    /// Instances in config order.
    pub instances: Vec<InstanceView>,
    /// Request counts by outcome.
    pub totals: OutcomeCounts,
    /// Mechanism counters.
    pub stats: crate::sim::Stats,
    /// Breakers that are not closed, and those that have opened before.
    pub breakers: Vec<BreakerView>,
    /// Alerts that are pending, firing or resolved.
    pub alerts: Vec<AlertView>,
    /// Faults acting now.
    pub faults: Vec<FaultView>,
    /// The replicated store's counters (`None`: no store). The ring itself comes from
    /// [`Simulation::ring_view`], fetched when `generation` changes.
    pub data: Option<DataSummary>,
    /// Brokers and backlogs (`None`: no messaging).
    pub messaging: Option<crate::sim::messaging::MessagingView>,
    /// XXH3 chain over every client request so far (time, client, service): equal in two
    /// runs exactly when they saw the same requests (compare mode shows it in hex).
    pub workload: u64,
    /// Alert transitions posted since the start; the list itself comes from
    /// [`Simulation::alert_feed_view`], fetched when this changes.
    pub alert_posted: u64,
    /// Feed entries posted since the start. The entries themselves come from
    /// [`Simulation::feed_view`], which a shell calls only when this number changes.
    pub feed_posted: u64,
    /// Events processed so far.
    pub events: u64,
}
crate::codec::wire_struct!(ClusterView {
    now_us,
    seed,
    digest,
    traffic_rps,
    heartbeat_interval_ms,
    heartbeat_timeout_ms,
    services,
    instances,
    totals,
    stats,
    breakers,
    alerts,
    faults,
    data,
    messaging,
    workload,
    alert_posted,
    feed_posted,
    events
});

impl ClusterView {
    /// Whether service `from` calls service `to` (indices in config order), directly or
    /// through the services it calls: then a call from `to` to `from` would close a cycle,
    /// which `ClusterConfig::validate` refuses, so the inspector does not offer it.
    pub fn calls(&self, from: usize, to: usize) -> bool {
        let mut seen = vec![false; self.services.len()];
        let mut next = vec![from];
        while let Some(x) = next.pop() {
            if x == to {
                return true;
            }
            let Some(s) = self.services.get(x) else {
                continue;
            };
            if !std::mem::replace(&mut seen[x], true) {
                next.extend(s.depends_on.iter().map(|d| d.index()));
            }
        }
        false
    }
}

impl Simulation {
    /// The newest feed entries, newest first, at most [`VIEW_FEED_LEN`] (borrowed: a shell
    /// turns them into words without copying the notices).
    pub fn feed_view(&self) -> impl Iterator<Item = &FeedEntry> {
        self.feed().rev().take(VIEW_FEED_LEN)
    }

    /// The view of the cluster now.
    pub fn view(&self) -> ClusterView {
        let now = self.now();
        let rank = |s: Option<BreakerState>| match s {
            None => 0,
            Some(BreakerState::Closed) => 1,
            Some(BreakerState::HalfOpen) => 2,
            Some(BreakerState::Open) => 3,
        };
        let mut worst_breaker: Vec<Option<BreakerState>> = vec![None; self.instances.len()];
        for (_, u, b) in self.breakers() {
            let w = &mut worst_breaker[u.index()];
            if rank(Some(b.state())) > rank(*w) {
                *w = Some(b.state());
            }
        }
        let instances: Vec<InstanceView> = self
            .instances
            .iter()
            .zip(self.instance_configs())
            .enumerate()
            .map(|(i, (inst, cfg))| {
                let id = InstanceId::from(i);
                let svc = inst.service;
                let registered = self.registry.is_registered(id);
                let in_balancer = self.upstreams(svc).contains(&id);
                let up = inst.up();
                let status = match inst.process {
                    Process::Standby => InstanceStatus::Standby,
                    Process::Booting => InstanceStatus::Booting,
                    Process::Running if !registered => InstanceStatus::Unlisted,
                    Process::Running if inst.faults.draining => InstanceStatus::Draining,
                    Process::Running if inst.ejected_until.is_some() => InstanceStatus::Ejected,
                    Process::Running if !inst.health.healthy && inst.health.successes > 0 => {
                        InstanceStatus::Recovering
                    }
                    Process::Running if !inst.health.healthy => InstanceStatus::OutOfRotation,
                    Process::Running if inst.health.failures > 0 => InstanceStatus::Suspect,
                    Process::Running => InstanceStatus::Serving,
                    Process::Stopped if registered => InstanceStatus::DownListed,
                    Process::Stopped => InstanceStatus::Down,
                };
                let reg = self.registry.get(id);
                let p = inst.metrics.latest_percentiles();
                let mut faults: Vec<ActionKind> = self
                    .active_faults()
                    .iter()
                    .filter(|f| f.target == Some(id))
                    .map(|f| f.kind)
                    .collect();
                faults.dedup();
                let conc = inst.faults.concurrency.unwrap_or(cfg.concurrency);
                InstanceView {
                    id,
                    name: cfg.id.clone(),
                    service: svc,
                    address: cfg.address.clone(),
                    status,
                    up,
                    registered,
                    in_balancer,
                    stale: in_balancer && !registered,
                    candidate: in_balancer && (inst.in_rotation() || self.in_panic(svc)),
                    healthy: inst.health.healthy,
                    health_failures: inst.health.failures,
                    ejected_until_us: inst.ejected_until.map(|t| t.as_us()),
                    role: cfg.role,
                    weight: self.balancers[svc].weight(id),
                    faults,
                    short_circuited: inst.short_circuited,
                    memory: self.memory_fraction(id),
                    served: inst.served,
                    errors: inst.errors,
                    timeouts: inst.timeouts,
                    busy: inst.busy,
                    queued: inst.queue.len() as u32,
                    concurrency: conc,
                    cpu: self.cpu_fraction(id),
                    rps: inst.metrics.rate_per_s(now),
                    error_rate: inst.metrics.error_rate(),
                    latency_samples: p.samples,
                    p50_ms: p.p50_ms,
                    p95_ms: p.p95_ms,
                    p99_ms: p.p99_ms,
                    heartbeat_age_ms: reg.map(|r| now.since(r.last_heartbeat) / 1_000),
                    ttl_left_ms: self.registry.expires_at(id).map(|t| t.since(now) / 1_000),
                    series: last_points(inst.metrics.series()),
                    breaker: worst_breaker[i],
                    draining: inst.faults.draining,
                }
            })
            .collect();
        let services = self
            .cfg
            .services
            .iter()
            .enumerate()
            .map(|(s, svc)| {
                let sid = ServiceId::from(s);
                let members: Vec<InstanceId> = instances
                    .iter()
                    .filter(|v| v.service == sid)
                    .map(|v| v.id)
                    .collect();
                let m = &self.service_metrics[sid];
                let p = m.latest_percentiles();
                let upstreams = self.upstreams(sid).to_vec();
                let missing_from_cache = self
                    .registry
                    .discover(&svc.name)
                    .iter()
                    .copied()
                    .filter(|i| !upstreams.contains(i))
                    .collect();
                ServiceView {
                    name: svc.name.clone(),
                    version: svc.version.clone(),
                    strategy: svc.strategy,
                    instances: members,
                    upstreams,
                    rps: m.rate_per_s(now),
                    error_rate: m.error_rate(),
                    p99_ms: (p.samples > 0).then_some(p.p99_ms),
                    depends_on: svc
                        .depends_on
                        .iter()
                        .filter_map(|d| self.service_by_name(d))
                        .collect(),
                    endpoints: svc.endpoints.clone(),
                    candidates: self.candidates(sid),
                    panic: self.in_panic(sid),
                    cache_age_ms: now.since(self.caches[sid].fetched_at) / 1_000,
                    missing_from_cache,
                    breakers_open: self.open_breakers(sid),
                    series: last_points(m.series()),
                    called_by: self
                        .cfg
                        .services
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.depends_on.contains(&svc.name))
                        .map(|(c, _)| ServiceId::from(c))
                        .collect(),
                    client_share: self.client_share(sid),
                }
            })
            .collect();
        let breakers = self
            .breakers()
            .filter(|(_, _, b)| b.opened > 0 || b.state() != BreakerState::Closed)
            .map(|(c, u, b)| BreakerView {
                caller: c,
                instance: u,
                state: b.state(),
                opened: b.opened,
            })
            .collect();
        let alerts = self
            .alerts()
            .alerts
            .iter()
            .filter(|a| a.state != AlertState::Inactive)
            .map(|a| {
                let rule = &self.alerts().rules[a.rule];
                AlertView {
                    rule: rule.name.clone(),
                    target: a.target,
                    state: a.state,
                    severity: rule.severity,
                    metric: rule.metric,
                    value: a.value,
                    fired: a.fired,
                }
            })
            .collect();
        let faults = self
            .active_faults()
            .iter()
            .map(|f| FaultView {
                target: f.target,
                kind: f.kind,
            })
            .collect();
        ClusterView {
            now_us: now.as_us(),
            seed: self.seed(),
            digest: self.digest().to_string(),
            traffic_rps: self.cfg.traffic.rate_rps,
            heartbeat_interval_ms: self.cfg.registry.heartbeat_interval_ms,
            heartbeat_timeout_ms: self.cfg.registry.heartbeat_timeout_ms,
            services,
            instances,
            totals: self.totals(),
            stats: self.stats(),
            breakers,
            alerts,
            faults,
            data: self.store().map(|st| DataSummary {
                ops: self.data_ops(),
                keys: st.len() as u64,
                under_replicated: st.under_replicated() as u64,
                repaired: st.repaired,
                generation: self.data_generation(),
            }),
            messaging: self.messaging_view(),
            workload: self.workload(),
            alert_posted: self.alerts().posted,
            feed_posted: self.feed_posted(),
            events: self.log().total(),
        }
    }
}

/// The last [`CHART_POINTS`] points of a series.
fn last_points<'a>(series: impl ExactSizeIterator<Item = &'a SeriesPoint>) -> Vec<SeriesPoint> {
    let skip = series.len().saturating_sub(CHART_POINTS);
    series.skip(skip).copied().collect()
}

/// One transition in the alert feed, as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertFeedEntry {
    /// Position in the feed since the start (a stable key).
    pub seq: u64,
    /// When, simulated µs.
    pub at_us: u64,
    /// The alert, by index ([`crate::mechanisms::alerts::AlertEngine::alerts`]); its rule and target
    /// come from there.
    pub alert: usize,
    /// Rule name.
    pub rule: String,
    /// What it is about.
    pub target: Target,
    /// The instance it is about, if it is about one.
    pub instance: Option<InstanceId>,
    /// The service it is about (an instance's service), if any.
    pub service: Option<ServiceId>,
    /// State it left.
    pub from: AlertState,
    /// State it entered.
    pub to: AlertState,
    /// The rule's severity.
    pub severity: crate::common::Severity,
    /// The value that caused it, in the rule's metric unit (`None`: no data);
    /// [`crate::present::alert_condition`] puts it beside the rule's threshold.
    pub value: Option<f64>,
}

impl Simulation {
    /// The alert feed, newest first (at most [`crate::mechanisms::alerts::ALERT_FEED_CAPACITY`]). Call it
    /// when [`ClusterView::alert_posted`] changes.
    pub fn alert_feed_view(&self) -> Vec<AlertFeedEntry> {
        let a = self.alerts();
        let len = a.feed().len() as u64;
        a.feed()
            .enumerate()
            .rev()
            .map(|(k, t)| {
                let alert = &a.alerts[t.alert];
                let rule = &a.rules[alert.rule];
                let (instance, service) = match alert.target {
                    Target::Instance(i) => (Some(i), Some(self.instances[i].service)),
                    Target::Service(s) => (None, Some(s)),
                    Target::Data => (None, None),
                    Target::Subscription(q) => (None, self.subscription_of(q).map(|x| x.2)),
                };
                AlertFeedEntry {
                    seq: a.posted - len + k as u64,
                    at_us: t.at.as_us(),
                    alert: t.alert,
                    rule: rule.name.clone(),
                    target: alert.target,
                    instance,
                    service,
                    from: t.from,
                    to: t.to,
                    severity: rule.severity,
                    value: t.value,
                }
            })
            .collect()
    }
}

/// Sample keys drawn on the ring.
pub const RING_SAMPLE_KEYS: u64 = 48;

impl Simulation {
    /// The ring as drawn, if the cluster has a store. Costs a pass over the ring's points: call
    /// it when [`DataSummary::generation`] changes, not every frame.
    pub fn ring_view(&self) -> Option<RingView> {
        let st = self.store()?;
        let stats = self.ring_stats().cloned().unwrap_or_else(|| st.stats());
        let frac = |h: u64| h as f64 / 2f64.powi(64);
        let space = self.cfg.data.as_ref().map_or(1, |d| d.key_space);
        let step = (space / RING_SAMPLE_KEYS).max(1);
        Some(RingView {
            points: st
                .ring()
                .points()
                .iter()
                .map(|(p, n)| (frac(*p), *n))
                .collect(),
            keys: (0..space.min(RING_SAMPLE_KEYS))
                .map(|i| {
                    let k = i * step;
                    (k, frac(crate::mechanisms::replication::key_hash(k)))
                })
                .collect(),
            nodes: stats
                .nodes
                .iter()
                .map(|n| RingNodeView {
                    id: n.id.clone(),
                    member: n.member,
                    up: n.up,
                    keyspace_share: n.keyspace_share,
                    primary_keys: n.primary_keys,
                    copies: n.copies,
                    capacity: n.capacity,
                })
                .collect(),
            replicas: st.config().replicas,
            keyspace_stddev_pct: stats.keyspace_stddev_pct,
            last_moved_pct: 100.0 * stats.last_change.primaries_moved as f64
                / stats.last_change.keys.max(1) as f64,
            changed: stats.last_change.keys > 0,
            ideal_move_pct: stats.ideal_move_pct,
            under_replicated: st.under_replicated() as u64,
        })
    }

    /// Where `key` lives now, if the cluster has a store.
    pub fn key_view(&self, key: u64) -> Option<KeyView> {
        let st = self.store()?;
        let h = crate::mechanisms::replication::key_hash(key);
        let replica_set = st.replica_set(key);
        let replica_points =
            if st.config().placement == crate::mechanisms::replication::Placement::Ring {
                let pts = st.ring().points();
                let start = pts.partition_point(|(p, _)| *p < h);
                replica_set
                    .iter()
                    .filter_map(|n| {
                        (0..pts.len())
                            .map(|k| pts[(start + k) % pts.len()])
                            .find(|(_, x)| x == n)
                            .map(|(p, _)| p as f64 / 2f64.powi(64))
                    })
                    .collect()
            } else {
                Vec::new()
            };
        Some(KeyView {
            key,
            position: h as f64 / 2f64.powi(64),
            replica_points,
            replica_set,
            copies: st
                .copies(key)
                .iter()
                .map(|(n, _)| (*n, st.nodes[*n as usize].up))
                .collect(),
        })
    }
}
