//! The view model: everything a shell shows, computed by the engine.
//!
//! The web app renders a [`ClusterView`] and nothing else; it computes no simulation numbers
//! of its own ("the UI reads, the engine decides").

use crate::event::FeedEntry;
use crate::metrics::SeriesPoint;
use crate::sim::{OutcomeCounts, Simulation};
use crate::InstanceId;
use serde::{Deserialize, Serialize};

/// Feed entries a view carries, newest first.
pub const VIEW_FEED_LEN: usize = 200;

/// What state an instance is in, as the topology and the report name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    /// Process up, registered, in the balancer.
    Serving,
    /// Process up but not (yet) listed by the registry.
    Unlisted,
    /// Process down, but the registry still lists it: traffic to it fails (a stale listing).
    DownListed,
    /// Process down and expired from the registry.
    Down,
}

impl InstanceStatus {
    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            InstanceStatus::Serving => "serving",
            InstanceStatus::Unlisted => "up, not listed",
            InstanceStatus::DownListed => "down, still listed",
            InstanceStatus::Down => "down, expired",
        }
    }
}

/// One instance as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceView {
    /// Index, for commands.
    pub id: InstanceId,
    /// Configured id, e.g. `user-service-1`.
    pub name: String,
    /// Service name.
    pub service: String,
    /// `host:port`.
    pub address: String,
    /// State.
    pub status: InstanceStatus,
    /// Process running.
    pub up: bool,
    /// Listed by the registry.
    pub registered: bool,
    /// In the balancer's upstream list.
    pub in_balancer: bool,
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
    /// Per-second samples for the load chart, oldest first.
    pub series: Vec<SeriesPoint>,
}

/// One service as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceView {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Load-balancing strategy, as people call it.
    pub strategy: String,
    /// Its instances (indices into [`ClusterView::instances`]).
    pub instances: Vec<InstanceId>,
    /// The balancer's upstreams for it now.
    pub upstreams: Vec<InstanceId>,
    /// Requests per second over the window, all its instances.
    pub rps: f64,
}

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
    /// Feed entries posted since the start. The entries themselves come from
    /// [`Simulation::feed_view`], which a shell calls only when this number changes.
    pub feed_posted: u64,
    /// Events processed so far.
    pub events: u64,
}

impl Simulation {
    /// The newest feed entries, newest first, at most [`VIEW_FEED_LEN`].
    pub fn feed_view(&self) -> Vec<FeedEntry> {
        self.feed().rev().take(VIEW_FEED_LEN).cloned().collect()
    }

    /// The view of the cluster now.
    pub fn view(&self) -> ClusterView {
        let now = self.now();
        let instances: Vec<InstanceView> = self
            .instances
            .iter()
            .zip(self.instance_configs())
            .enumerate()
            .map(|(i, (inst, cfg))| {
                let id = InstanceId(i as u32);
                let registered = self.registry.is_registered(id);
                let in_balancer = self.upstreams[inst.service.0 as usize].contains(&id);
                let status = match (inst.up, registered) {
                    (true, true) => InstanceStatus::Serving,
                    (true, false) => InstanceStatus::Unlisted,
                    (false, true) => InstanceStatus::DownListed,
                    (false, false) => InstanceStatus::Down,
                };
                let reg = self.registry.get(id);
                let p = inst.metrics.latest_percentiles();
                InstanceView {
                    id,
                    name: cfg.id.clone(),
                    service: self.cfg.services[inst.service.0 as usize].name.clone(),
                    address: cfg.address.clone(),
                    status,
                    up: inst.up,
                    registered,
                    in_balancer,
                    served: inst.served,
                    errors: inst.errors,
                    timeouts: inst.timeouts,
                    busy: inst.busy,
                    queued: inst.queue.len() as u32,
                    concurrency: cfg.concurrency,
                    cpu: inst.busy as f64 / cfg.concurrency.max(1) as f64,
                    rps: inst.metrics.rate_per_s(now),
                    error_rate: inst.metrics.error_rate(),
                    latency_samples: p.samples,
                    p50_ms: p.p50_ms,
                    p95_ms: p.p95_ms,
                    p99_ms: p.p99_ms,
                    heartbeat_age_ms: reg.map(|r| now.since(r.last_heartbeat) / 1_000),
                    ttl_left_ms: self.registry.expires_at(id).map(|t| t.since(now) / 1_000),
                    series: inst.metrics.series().copied().collect(),
                }
            })
            .collect();
        let services = self
            .cfg
            .services
            .iter()
            .enumerate()
            .map(|(s, svc)| {
                let members: Vec<InstanceId> = instances
                    .iter()
                    .filter(|v| v.service == svc.name)
                    .map(|v| v.id)
                    .collect();
                let rps = members.iter().map(|m| instances[m.0 as usize].rps).sum();
                ServiceView {
                    name: svc.name.clone(),
                    version: svc.version.clone(),
                    strategy: svc.strategy.label().to_string(),
                    instances: members,
                    upstreams: self.upstreams[s].clone(),
                    rps,
                }
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
            feed_posted: self.feed_posted(),
            events: self.log().total(),
        }
    }
}
