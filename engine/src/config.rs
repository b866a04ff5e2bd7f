//! The engine's typed configuration, validated once at the edge.
//!
//! [`ClusterConfig::validate`] is the only place input is checked; a config that passes cannot
//! make the engine panic, hang or grow without bound (see the `MAX_*` limits).

use crate::alerts::{AlertRule, Scope};
use crate::balancer::{LbParams, Strategy};
use crate::breaker::{BreakerConfig, TripPolicy};
use crate::fault::{FaultKind, ScheduledFault};
use crate::health::{HealthCheckConfig, OutlierConfig};
use crate::ratelimit::RateLimitConfig;
use crate::retry::RetryConfig;
use crate::rng::LatencyDist;
use crate::trace::TracingConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// Most services in one cluster.
pub const MAX_SERVICES: usize = 16;
/// Most instances over all services.
pub const MAX_INSTANCES: usize = 64;
/// Highest total client request rate, requests per simulated second.
pub const MAX_RATE_RPS: f64 = 100_000.0;
/// Most distinct clients.
pub const MAX_CLIENTS: u32 = 1_000_000;
/// Highest concurrency limit of one instance.
pub const MAX_CONCURRENCY: u32 = 10_000;
/// Longest queue of one instance.
pub const MAX_QUEUE: u32 = 100_000;
/// Longest median/mean service time, ms.
pub const MAX_LATENCY_MS: f64 = 60_000.0;
/// Longest timeout or heartbeat setting, ms (10 simulated minutes).
pub const MAX_TIMEOUT_MS: u64 = 600_000;
/// Longest name, id or address, bytes.
pub const MAX_NAME_LEN: usize = 64;
/// Most retries per call.
pub const MAX_RETRIES: u32 = 10;
/// Most faults on a timeline.
pub const MAX_FAULTS: usize = 256;
/// Most alert rules.
pub const MAX_ALERT_RULES: usize = 64;
/// Latest time anything can be scheduled, ms (24 simulated hours).
pub const MAX_SCHEDULE_MS: u64 = 86_400_000;

/// Whether an instance serves from the start or waits in its service's backup pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Started and registered at time 0.
    #[default]
    Primary,
    /// Stopped in the backup pool until the failover manager promotes it (seed
    /// `FailoverManager.backup_pools`; HAProxy `backup` servers).
    Backup,
}

/// How an instance's memory use is modelled: `base + per_request × (in service + queued)`,
/// as a fraction of `limit`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemoryModel {
    /// Resident memory when idle, MB.
    pub base_mb: f64,
    /// Extra memory per request held (in service or queued), MB.
    pub per_request_mb: f64,
    /// Memory limit, MB.
    pub limit_mb: f64,
}

impl Default for MemoryModel {
    fn default() -> Self {
        Self {
            base_mb: 128.0,
            per_request_mb: 4.0,
            limit_mb: 512.0,
        }
    }
}

fn one() -> u32 {
    1
}
fn fifty() -> f64 {
    50.0
}
fn yes() -> bool {
    true
}

/// One instance of a service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceConfig {
    /// Unique id, e.g. `user-service-1`.
    pub id: String,
    /// `host:port`, unique in the cluster, e.g. `192.168.1.10:8080`.
    pub address: String,
    /// Requests served at once (worker slots); CPU = busy slots / concurrency.
    pub concurrency: u32,
    /// Requests waiting for a slot; one more is refused with 503.
    pub queue_limit: u32,
    /// Service time once a slot is free.
    pub latency: LatencyDist,
    /// Probability that a served request fails with a 500, in `[0, 1]`.
    pub error_rate: f64,
    /// Weight for weighted strategies (0 to 1 000; default 1).
    #[serde(default = "one")]
    pub weight: u32,
    /// Primary or backup.
    #[serde(default)]
    pub role: Role,
    /// Time from process start to serving and registering, simulated ms (≤ 10 min).
    #[serde(default)]
    pub boot_time_ms: u64,
    /// Memory model.
    #[serde(default)]
    pub memory: MemoryModel,
}

impl InstanceConfig {
    /// A primary with weight 1, no boot time, the default memory model and no errors.
    pub fn new(
        id: &str,
        address: &str,
        concurrency: u32,
        queue_limit: u32,
        latency: LatencyDist,
    ) -> Self {
        Self {
            id: id.into(),
            address: address.into(),
            concurrency,
            queue_limit,
            latency,
            error_rate: 0.0,
            weight: 1,
            role: Role::Primary,
            boot_time_ms: 0,
            memory: MemoryModel::default(),
        }
    }
}

/// One service: a name, its instances and how the load balancer picks among them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceConfig {
    /// Service name, e.g. `user-service`.
    pub name: String,
    /// Version string shown in the registry, e.g. `1.0.0`.
    pub version: String,
    /// Load-balancing strategy over the service's upstreams.
    pub strategy: Strategy,
    /// Relative share of client traffic addressed to this service (≥ 0; shares are normalised).
    pub traffic_share: f64,
    /// The instances, registered at time 0 in this order (backups wait in the pool).
    pub instances: Vec<InstanceConfig>,
    /// Services this one calls while serving a request, in call order (seed
    /// `microservice-architecture.md`: order-service calls user-service).
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The paths it serves, e.g. `/users/{id}` (seed `Service.endpoints`); the first is what
    /// callers and traces name.
    #[serde(default)]
    pub endpoints: Vec<String>,
    /// Strategy parameters.
    #[serde(default)]
    pub lb: LbParams,
    /// Below this percentage of healthy instances the balancer routes to all of them
    /// (Envoy `healthy_panic_threshold`, default 50; 0 turns panic mode off).
    #[serde(default = "fifty")]
    pub panic_threshold_pct: f64,
    /// Active health checks (`None`: none).
    #[serde(default)]
    pub health_check: Option<HealthCheckConfig>,
    /// Passive outlier ejection (`None`: none).
    #[serde(default)]
    pub outlier: Option<OutlierConfig>,
    /// Circuit breakers callers keep towards each of its instances (`None`: none).
    #[serde(default)]
    pub breaker: Option<BreakerConfig>,
    /// How callers retry calls to it.
    #[serde(default)]
    pub retry: RetryConfig,
    /// Per-call timeout callers use, simulated ms (`None`: the cluster's
    /// `request_timeout_ms`).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// When a failed primary recovers, stop the backup that replaced it (HAProxy's default);
    /// `false` keeps the backup serving as well.
    #[serde(default = "yes")]
    pub failback: bool,
}

impl ServiceConfig {
    /// A round-robin service with the engine's defaults: no dependencies, panic threshold
    /// 50 %, no health checks, outlier ejection, breakers or retries, failback on.
    pub fn new(name: &str, traffic_share: f64, instances: Vec<InstanceConfig>) -> Self {
        Self {
            name: name.into(),
            version: "1.0.0".into(),
            strategy: Strategy::RoundRobin,
            traffic_share,
            instances,
            depends_on: Vec::new(),
            endpoints: Vec::new(),
            lb: LbParams::default(),
            panic_threshold_pct: 50.0,
            health_check: None,
            outlier: None,
            breaker: None,
            retry: RetryConfig::default(),
            timeout_ms: None,
            failback: true,
        }
    }
}

/// How load balancers learn the registry's instance lists.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscoveryConfig {
    /// A balancer re-reads the registry this often; in between it acts on its cached
    /// (possibly stale) list, simulated ms (default 30 000).
    pub cache_ttl_ms: u64,
    /// Also refresh at once when the registry notifies a change (a watch), as Consul
    /// blocking queries and Eureka/Nacos push do.
    pub watch: bool,
}

impl Default for DiscoveryConfig {
    fn default() -> Self {
        Self {
            cache_ttl_ms: 30_000,
            watch: false,
        }
    }
}

/// The gateway clients call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GatewayConfig {
    /// Rate limit on all client requests (`None`: none).
    pub rate_limit: Option<RateLimitConfig>,
}

/// Client traffic: Poisson arrivals from a population of clients.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrafficConfig {
    /// Total arrival rate, requests per simulated second.
    pub rate_rps: f64,
    /// Number of distinct clients the requests come from.
    pub clients: u32,
}

/// Registry timing (seed `service-discovery-and-breaker.md`: heartbeat timeout 30 s).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegistryConfig {
    /// Every instance heart-beats this often, simulated ms.
    pub heartbeat_interval_ms: u64,
    /// An instance silent this long is expired, simulated ms.
    pub heartbeat_timeout_ms: u64,
}

/// A whole cluster: what [`crate::Simulation::new`] runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterConfig {
    /// Services in display order.
    pub services: Vec<ServiceConfig>,
    /// Client traffic.
    pub traffic: TrafficConfig,
    /// Registry timing.
    pub registry: RegistryConfig,
    /// Per-call timeout at the load balancer, simulated ms (504 after it).
    pub request_timeout_ms: u64,
    /// Sliding window for rates and percentiles, simulated seconds.
    pub metrics_window_s: u32,
    /// Discovery cache.
    #[serde(default)]
    pub discovery: DiscoveryConfig,
    /// The gateway.
    #[serde(default)]
    pub gateway: GatewayConfig,
    /// Trace sampling.
    #[serde(default)]
    pub tracing: TracingConfig,
    /// Alerting rules (`None`: [`crate::alerts`]' defaults for this cluster).
    #[serde(default)]
    pub alerts: Option<Vec<AlertRule>>,
    /// Faults on the timeline.
    #[serde(default)]
    pub faults: Vec<ScheduledFault>,
    /// A replicated key-value store with keyed traffic (`None`: none).
    #[serde(default)]
    pub data: Option<DataConfig>,
}

/// The replicated data store and its keyed traffic (seed `ha-architecture.md` §1.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataConfig {
    /// Nodes, ring, replicas, quorums.
    pub replication: crate::replication::ReplicationConfig,
    /// Keyed reads and writes per simulated second.
    pub ops_per_s: f64,
    /// Fraction of operations that are writes, `[0, 1]`.
    pub write_fraction: f64,
    /// Keys are drawn uniformly from `0..key_space`.
    pub key_space: u64,
    /// Keys written at time 0 (`0..preload_keys`).
    pub preload_keys: u64,
    /// Under-replicated keys repaired per simulated second.
    pub repair_per_s: u32,
}

/// What is wrong with a configuration. Each variant names the offending field.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// A count outside its limits: (field, value, min, max).
    Count(&'static str, u64, u64, u64),
    /// A number that is not finite or outside its limits: (field, min, max).
    Range(String, f64, f64),
    /// A name, id or address that is empty or too long.
    Name(String),
    /// Two things that must differ share a name: (what, the name).
    Duplicate(&'static str, String),
    /// The heartbeat interval is not shorter than the heartbeat timeout.
    HeartbeatNotBelowTimeout,
    /// A name that should refer to something does not: (what, the name).
    Unknown(&'static str, String),
    /// Services call each other in a cycle, through this service.
    DependencyCycle(String),
    /// A setting that is invalid for another reason: (field, why).
    Invalid(String, &'static str),
    /// The replicated store's settings are invalid: (why).
    Data(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Count(field, v, lo, hi) => {
                write!(f, "{field} is {v}; it must be between {lo} and {hi}")
            }
            ConfigError::Range(field, lo, hi) => {
                write!(f, "{field} must be a number between {lo} and {hi}")
            }
            ConfigError::Name(field) => {
                write!(f, "{field} must be 1 to {MAX_NAME_LEN} characters")
            }
            ConfigError::Duplicate(what, name) => write!(f, "two {what}s are named {name:?}"),
            ConfigError::Unknown(what, name) => write!(f, "no {what} is named {name:?}"),
            ConfigError::DependencyCycle(name) => {
                write!(f, "services call each other in a cycle through {name:?}")
            }
            ConfigError::Invalid(field, why) => write!(f, "{field}: {why}"),
            ConfigError::Data(why) => write!(f, "data: {why}"),
            ConfigError::HeartbeatNotBelowTimeout => {
                write!(
                    f,
                    "the heartbeat interval must be shorter than the heartbeat timeout"
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

fn count(field: &'static str, v: u64, lo: u64, hi: u64) -> Result<(), ConfigError> {
    if v < lo || v > hi {
        Err(ConfigError::Count(field, v, lo, hi))
    } else {
        Ok(())
    }
}

fn range(field: impl Into<String>, v: f64, lo: f64, hi: f64) -> Result<(), ConfigError> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(ConfigError::Range(field.into(), lo, hi))
    }
}

fn name(field: impl Into<String>, v: &str) -> Result<(), ConfigError> {
    if v.is_empty() || v.len() > MAX_NAME_LEN {
        Err(ConfigError::Name(field.into()))
    } else {
        Ok(())
    }
}

impl ClusterConfig {
    /// Checks every limit; `Ok` means the engine can run this config safely.
    ///
    /// Errors: the first [`ConfigError`] found, naming its field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        count(
            "services",
            self.services.len() as u64,
            1,
            MAX_SERVICES as u64,
        )?;
        let total: usize = self.services.iter().map(|s| s.instances.len()).sum();
        count("instances", total as u64, 1, MAX_INSTANCES as u64)?;
        range("traffic.rate_rps", self.traffic.rate_rps, 0.0, MAX_RATE_RPS)?;
        count(
            "traffic.clients",
            self.traffic.clients as u64,
            1,
            MAX_CLIENTS as u64,
        )?;
        let r = &self.registry;
        count(
            "registry.heartbeat_interval_ms",
            r.heartbeat_interval_ms,
            100,
            MAX_TIMEOUT_MS,
        )?;
        count(
            "registry.heartbeat_timeout_ms",
            r.heartbeat_timeout_ms,
            100,
            MAX_TIMEOUT_MS,
        )?;
        if r.heartbeat_interval_ms >= r.heartbeat_timeout_ms {
            return Err(ConfigError::HeartbeatNotBelowTimeout);
        }
        count(
            "request_timeout_ms",
            self.request_timeout_ms,
            1,
            MAX_TIMEOUT_MS,
        )?;
        count("metrics_window_s", self.metrics_window_s as u64, 6, 3_600)?;
        let mut service_names = BTreeSet::new();
        let mut ids = BTreeSet::new();
        let mut addresses = BTreeSet::new();
        let mut share_sum = 0.0;
        for s in &self.services {
            name("service name", &s.name)?;
            name(format!("{}.version", s.name), &s.version)?;
            if !service_names.insert(s.name.as_str()) {
                return Err(ConfigError::Duplicate("service", s.name.clone()));
            }
            range(
                format!("{}.traffic_share", s.name),
                s.traffic_share,
                0.0,
                1e6,
            )?;
            share_sum += s.traffic_share;
            for i in &s.instances {
                name(format!("{} instance id", s.name), &i.id)?;
                name(format!("{}.address", i.id), &i.address)?;
                if !ids.insert(i.id.as_str()) {
                    return Err(ConfigError::Duplicate("instance id", i.id.clone()));
                }
                if !addresses.insert(i.address.as_str()) {
                    return Err(ConfigError::Duplicate(
                        "instance address",
                        i.address.clone(),
                    ));
                }
                count(
                    "concurrency",
                    i.concurrency as u64,
                    1,
                    MAX_CONCURRENCY as u64,
                )?;
                count("queue_limit", i.queue_limit as u64, 0, MAX_QUEUE as u64)?;
                range(format!("{}.error_rate", i.id), i.error_rate, 0.0, 1.0)?;
                match i.latency {
                    LatencyDist::Constant { ms } => {
                        range(format!("{}.latency.ms", i.id), ms, 0.001, MAX_LATENCY_MS)?
                    }
                    LatencyDist::Exponential { mean_ms } => range(
                        format!("{}.latency.mean_ms", i.id),
                        mean_ms,
                        0.001,
                        MAX_LATENCY_MS,
                    )?,
                    LatencyDist::LogNormal { median_ms, sigma } => {
                        range(
                            format!("{}.latency.median_ms", i.id),
                            median_ms,
                            0.001,
                            MAX_LATENCY_MS,
                        )?;
                        range(format!("{}.latency.sigma", i.id), sigma, 0.0, 3.0)?
                    }
                }
            }
        }
        if self.traffic.rate_rps > 0.0 && share_sum <= 0.0 {
            return Err(ConfigError::Range("traffic_share (sum)".into(), 1e-9, 1e6));
        }
        self.validate_mechanisms()
    }

    fn validate_mechanisms(&self) -> Result<(), ConfigError> {
        let n_instances: usize = self.services.iter().map(|s| s.instances.len()).sum();
        for s in &self.services {
            let f = |field: &str| format!("{}.{field}", s.name);
            if s.instances.iter().all(|i| i.role == Role::Backup) {
                return Err(ConfigError::Invalid(
                    f("instances"),
                    "needs at least one primary",
                ));
            }
            for i in &s.instances {
                count("weight", i.weight as u64, 0, 1_000)?;
                count("boot_time_ms", i.boot_time_ms, 0, MAX_TIMEOUT_MS)?;
                range(
                    format!("{}.memory.base_mb", i.id),
                    i.memory.base_mb,
                    0.0,
                    1e6,
                )?;
                range(
                    format!("{}.memory.per_request_mb", i.id),
                    i.memory.per_request_mb,
                    0.0,
                    1e6,
                )?;
                range(
                    format!("{}.memory.limit_mb", i.id),
                    i.memory.limit_mb,
                    1.0,
                    1e7,
                )?;
            }
            count("endpoints", s.endpoints.len() as u64, 0, 16)?;
            for e in &s.endpoints {
                name(f("endpoint"), e)?;
            }
            for d in &s.depends_on {
                if !self.services.iter().any(|x| &x.name == d) {
                    return Err(ConfigError::Unknown("service", d.clone()));
                }
            }
            let lb = &s.lb;
            count("lb.ring_vnodes", lb.ring_vnodes as u64, 1, 1_000)?;
            if !(lb.ring_load_factor == 0.0 || (1.0..=10.0).contains(&lb.ring_load_factor)) {
                return Err(ConfigError::Invalid(
                    f("lb.ring_load_factor"),
                    "must be 0 (no bound) or between 1 and 10",
                ));
            }
            let m = lb.maglev_table_size as u64;
            if !(7..=65_537).contains(&m) || !is_prime(m) || m <= n_instances as u64 {
                return Err(ConfigError::Invalid(
                    f("lb.maglev_table_size"),
                    "must be a prime between 7 and 65537, larger than the instance count",
                ));
            }
            count("lb.ewma_decay_ms", lb.ewma_decay_ms, 1, MAX_TIMEOUT_MS)?;
            count(
                "lb.sticky_table_size",
                lb.sticky_table_size as u64,
                1,
                65_536,
            )?;
            range(f("panic_threshold_pct"), s.panic_threshold_pct, 0.0, 100.0)?;
            if let Some(h) = &s.health_check {
                count(
                    "health_check.interval_ms",
                    h.interval_ms,
                    100,
                    MAX_TIMEOUT_MS,
                )?;
                count("health_check.timeout_ms", h.timeout_ms, 1, MAX_TIMEOUT_MS)?;
                if h.timeout_ms >= h.interval_ms {
                    return Err(ConfigError::Invalid(
                        f("health_check.timeout_ms"),
                        "must be shorter than the interval",
                    ));
                }
                count(
                    "health_check.unhealthy_threshold",
                    h.unhealthy_threshold as u64,
                    1,
                    100,
                )?;
                count(
                    "health_check.healthy_threshold",
                    h.healthy_threshold as u64,
                    1,
                    100,
                )?;
            }
            if let Some(o) = &s.outlier {
                count(
                    "outlier.consecutive_5xx",
                    o.consecutive_5xx as u64,
                    1,
                    1_000,
                )?;
                count(
                    "outlier.base_ejection_ms",
                    o.base_ejection_ms,
                    1,
                    MAX_TIMEOUT_MS,
                )?;
                count(
                    "outlier.max_ejection_ms",
                    o.max_ejection_ms,
                    o.base_ejection_ms,
                    MAX_SCHEDULE_MS,
                )?;
                range(
                    f("outlier.max_ejection_pct"),
                    o.max_ejection_pct,
                    0.0,
                    100.0,
                )?;
            }
            if let Some(b) = &s.breaker {
                match b.trip {
                    TripPolicy::Consecutive { failures } => {
                        count("breaker.failures", failures as u64, 1, 10_000)?
                    }
                    TripPolicy::FailureRate {
                        window_ms,
                        min_requests,
                        error_pct,
                    } => {
                        count("breaker.window_ms", window_ms, 100, MAX_TIMEOUT_MS)?;
                        count("breaker.min_requests", min_requests as u64, 1, 1_000_000)?;
                        range(f("breaker.error_pct"), error_pct, 0.1, 100.0)?;
                    }
                }
                count(
                    "breaker.reset_timeout_ms",
                    b.reset_timeout_ms,
                    1,
                    MAX_TIMEOUT_MS,
                )?;
                count(
                    "breaker.success_threshold",
                    b.success_threshold as u64,
                    1,
                    1_000,
                )?;
            }
            let r = &s.retry;
            count(
                "retry.max_retries",
                r.max_retries as u64,
                0,
                MAX_RETRIES as u64,
            )?;
            count(
                "retry.base_backoff_ms",
                r.base_backoff_ms,
                0,
                MAX_TIMEOUT_MS,
            )?;
            count("retry.max_backoff_ms", r.max_backoff_ms, 0, MAX_TIMEOUT_MS)?;
            range(f("retry.budget_pct"), r.budget_pct, 0.0, 100.0)?;
            count(
                "retry.min_retries_per_s",
                r.min_retries_per_s as u64,
                0,
                100_000,
            )?;
            if let Some(t) = s.timeout_ms {
                count("timeout_ms", t, 1, MAX_TIMEOUT_MS)?;
            }
        }
        self.check_acyclic()?;
        count(
            "discovery.cache_ttl_ms",
            self.discovery.cache_ttl_ms,
            1,
            MAX_TIMEOUT_MS,
        )?;
        match self.gateway.rate_limit {
            Some(RateLimitConfig::SlidingWindow {
                max_requests,
                window_ms,
            }) => {
                count("rate_limit.max_requests", max_requests as u64, 1, 1_000_000)?;
                count("rate_limit.window_ms", window_ms, 1, MAX_TIMEOUT_MS)?;
            }
            Some(RateLimitConfig::TokenBucket {
                capacity,
                refill_per_s,
            }) => {
                count("rate_limit.capacity", capacity as u64, 1, 1_000_000)?;
                range("rate_limit.refill_per_s", refill_per_s, 0.0, MAX_RATE_RPS)?;
            }
            None => {}
        }
        range("tracing.sample_rate", self.tracing.sample_rate, 0.0, 1.0)?;
        if let Some(rules) = &self.alerts {
            count("alerts", rules.len() as u64, 0, MAX_ALERT_RULES as u64)?;
            for r in rules {
                name("alert name", &r.name)?;
                range(format!("{}.threshold", r.name), r.threshold, -1e12, 1e12)?;
                count("alert window_s", r.window_s as u64, 1, 3_600)?;
                count("alert for_ms", r.for_ms, 0, MAX_SCHEDULE_MS)?;
                match &r.scope {
                    Scope::Service(n) if !self.services.iter().any(|s| &s.name == n) => {
                        return Err(ConfigError::Unknown("service", n.clone()))
                    }
                    Scope::Instance(a)
                        if !self
                            .services
                            .iter()
                            .flat_map(|s| &s.instances)
                            .any(|i| &i.address == a) =>
                    {
                        return Err(ConfigError::Unknown("instance address", a.clone()))
                    }
                    _ => {}
                }
            }
        }
        if let Some(d) = &self.data {
            d.replication
                .validate()
                .map_err(|e| ConfigError::Data(e.to_string()))?;
            range("data.ops_per_s", d.ops_per_s, 0.0, MAX_RATE_RPS)?;
            range("data.write_fraction", d.write_fraction, 0.0, 1.0)?;
            count(
                "data.key_space",
                d.key_space,
                1,
                crate::replication::MAX_KEYS as u64,
            )?;
            count("data.preload_keys", d.preload_keys, 0, d.key_space)?;
            count("data.repair_per_s", d.repair_per_s as u64, 0, 1_000_000)?;
        }
        count("faults", self.faults.len() as u64, 0, MAX_FAULTS as u64)?;
        for fault in &self.faults {
            self.validate_fault(fault)?;
        }
        Ok(())
    }

    /// Checks one fault against this cluster (also used for faults injected live).
    ///
    /// Errors: an unknown target, a missing or superfluous target, or a parameter out of range.
    pub fn validate_fault(&self, fault: &ScheduledFault) -> Result<(), ConfigError> {
        count("fault.at_ms", fault.at_ms, 0, MAX_SCHEDULE_MS)?;
        if let Some(d) = fault.duration_ms {
            count("fault.duration_ms", d, 1, MAX_SCHEDULE_MS)?;
        }
        let kind = &fault.fault;
        if kind.targets_data_node() {
            let Some(id) = &fault.target else {
                return Err(ConfigError::Invalid(
                    format!("fault {}", kind.key()),
                    "needs a target data node id",
                ));
            };
            let Some(d) = &self.data else {
                return Err(ConfigError::Unknown("data store", id.clone()));
            };
            name("data node id", id)?;
            if let FaultKind::DataNodeJoin { capacity, weight } = *kind {
                count(
                    "join capacity",
                    capacity,
                    0,
                    crate::replication::MAX_KEYS as u64 * 4,
                )?;
                count("join weight", weight as u64, 1, 100)?;
                return Ok(()); // a new id (a duplicate is refused when it happens)
            }
            // Nodes from the config, or ones an earlier timeline entry joins.
            let known = d.replication.nodes.iter().any(|n| &n.id == id)
                || self.faults.iter().any(|f| {
                    matches!(f.fault, FaultKind::DataNodeJoin { .. })
                        && f.target.as_deref() == Some(id.as_str())
                        && f.at_ms <= fault.at_ms
                });
            if !known {
                return Err(ConfigError::Unknown("data node", id.clone()));
            }
            return Ok(());
        }
        if kind.targets_service() {
            let Some(svc) = &fault.target else {
                return Err(ConfigError::Invalid(
                    format!("fault {}", kind.key()),
                    "needs a target service name",
                ));
            };
            if !self.services.iter().any(|s| &s.name == svc) {
                return Err(ConfigError::Unknown("service", svc.clone()));
            }
            if fault.duration_ms.is_some() {
                return Err(ConfigError::Invalid(
                    format!("fault {}", kind.key()),
                    "is an instant action and takes no duration",
                ));
            }
            return Ok(());
        }
        if kind.is_instant() && fault.duration_ms.is_some() {
            return Err(ConfigError::Invalid(
                format!("fault {}", kind.key()),
                "is an instant action and takes no duration",
            ));
        }
        match (&fault.target, kind.is_cluster_wide()) {
            (Some(a), false) => {
                if !self
                    .services
                    .iter()
                    .flat_map(|s| &s.instances)
                    .any(|i| &i.address == a)
                {
                    return Err(ConfigError::Unknown("instance address", a.clone()));
                }
            }
            (None, true) => {}
            (None, false) => {
                return Err(ConfigError::Invalid(
                    format!("fault {}", kind.key()),
                    "needs a target instance address",
                ))
            }
            (Some(_), true) => {
                return Err(ConfigError::Invalid(
                    format!("fault {}", kind.key()),
                    "applies to the whole cluster and takes no target",
                ))
            }
        }
        match *kind {
            FaultKind::Slow { factor } => range("fault.factor", factor, 1.0, 1_000.0),
            FaultKind::ErrorRate { rate } => range("fault.rate", rate, 0.0, 1.0),
            FaultKind::TrafficSpike { factor } => {
                range("fault.factor", factor, 0.0, 100.0)?;
                range(
                    "traffic.rate_rps × spike",
                    self.traffic.rate_rps * factor,
                    0.0,
                    MAX_RATE_RPS,
                )
            }
            FaultKind::Capacity { concurrency } => count(
                "fault.concurrency",
                concurrency as u64,
                1,
                MAX_CONCURRENCY as u64,
            ),
            FaultKind::SetWeight { weight } => count("fault.weight", weight as u64, 0, 1_000),
            FaultKind::Crash
            | FaultKind::Drain
            | FaultKind::SetStrategy { .. }
            | FaultKind::Recover
            | FaultKind::Hang
            | FaultKind::PartitionHeartbeats
            | FaultKind::PartitionServing
            | FaultKind::Restart
            | FaultKind::DataNodeFail
            | FaultKind::DataNodeRecover
            | FaultKind::DataNodeJoin { .. }
            | FaultKind::DataNodeLeave => Ok(()),
        }
    }

    fn check_acyclic(&self) -> Result<(), ConfigError> {
        // Depth-first search with colours: 0 unvisited, 1 on the stack, 2 done.
        fn visit(c: &ClusterConfig, s: usize, colour: &mut [u8]) -> Result<(), ConfigError> {
            colour[s] = 1;
            for d in &c.services[s].depends_on {
                let Some(t) = c.services.iter().position(|x| &x.name == d) else {
                    continue;
                };
                match colour[t] {
                    1 => return Err(ConfigError::DependencyCycle(d.clone())),
                    0 => visit(c, t, colour)?,
                    _ => {}
                }
            }
            colour[s] = 2;
            Ok(())
        }
        let mut colour = vec![0u8; self.services.len()];
        for s in 0..self.services.len() {
            if colour[s] == 0 {
                visit(self, s, &mut colour)?;
            }
        }
        Ok(())
    }
}

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    #[test]
    fn presets_validate() {
        for p in presets::all() {
            p.config
                .validate()
                .unwrap_or_else(|e| panic!("{}: {e}", p.name));
        }
    }

    #[test]
    fn bad_values_are_named() {
        let base = presets::discovery().config;
        let mut c = base.clone();
        c.services[0].instances[1].address = c.services[0].instances[0].address.clone();
        assert!(matches!(
            c.validate(),
            Err(ConfigError::Duplicate("instance address", _))
        ));

        let mut c = base.clone();
        c.traffic.rate_rps = f64::NAN;
        assert_eq!(
            c.validate(),
            Err(ConfigError::Range(
                "traffic.rate_rps".into(),
                0.0,
                MAX_RATE_RPS
            ))
        );

        let mut c = base.clone();
        c.registry.heartbeat_interval_ms = c.registry.heartbeat_timeout_ms;
        assert_eq!(c.validate(), Err(ConfigError::HeartbeatNotBelowTimeout));

        let mut c = base;
        c.services[0].instances[0].concurrency = 0;
        assert!(matches!(
            c.validate(),
            Err(ConfigError::Count("concurrency", 0, 1, _))
        ));
    }
}
