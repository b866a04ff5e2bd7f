//! The engine's typed configuration, validated once at the edge.
//!
//! [`ClusterConfig::validate`] is the only place input is checked; a config that passes cannot
//! make the engine panic, hang or grow without bound (see the `MAX_*` limits).

use crate::common::{
    count, name, range, BrokerId, ConfigError, InstanceId, QueueId, Role, ServiceId,
    MAX_ALERT_RULES, MAX_CLIENTS, MAX_CONCURRENCY, MAX_FAULTS, MAX_INSTANCES, MAX_QUEUE,
    MAX_RATE_RPS, MAX_SCHEDULE_MS, MAX_SERVICES, MAX_TIMEOUT_MS,
};
use crate::mechanisms::action::{Action, ActionKind, ActionTarget, ScheduledAction};
use crate::mechanisms::alerts::{AlertRule, Scope};
use crate::mechanisms::balancer::{LbParams, Strategy};
use crate::mechanisms::breaker::BreakerConfig;
use crate::mechanisms::health::{HealthCheckConfig, OutlierConfig};
use crate::mechanisms::messaging::{MessagingConfig, PublishConfig};
use crate::mechanisms::ratelimit::RateLimitConfig;
use crate::mechanisms::retry::RetryConfig;
use crate::mechanisms::trace::TracingConfig;
use crate::rng::LatencyDist;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

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
    /// Messages it publishes while it handles a request, after its dependency calls (seed
    /// `microservice-architecture.md` §3.2); the request waits for the broker's
    /// acknowledgement.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publishes: Vec<PublishConfig>,
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
            publishes: Vec::new(),
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

/// A whole cluster: what [`crate::sim::Simulation::new`] runs.
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
    /// Alerting rules (`None`: [`crate::scenario::presets::default_alert_rules`]).
    #[serde(default)]
    pub alerts: Option<Vec<AlertRule>>,
    /// Faults on the timeline.
    #[serde(default)]
    pub faults: Vec<ScheduledAction>,
    /// A replicated key-value store with keyed traffic (`None`: none).
    #[serde(default)]
    pub data: Option<DataConfig>,
    /// Brokers, queues and topics (`None`: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging: Option<MessagingConfig>,
}

/// The replicated data store and its keyed traffic (seed `ha-architecture.md` §1.2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataConfig {
    /// Nodes, ring, replicas, quorums.
    pub replication: crate::mechanisms::replication::ReplicationConfig,
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
                i.latency.validate(&i.id)?;
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
            s.lb.validate(&s.name, n_instances)?;
            range(f("panic_threshold_pct"), s.panic_threshold_pct, 0.0, 100.0)?;
            if let Some(h) = &s.health_check {
                h.validate(&s.name)?;
            }
            if let Some(o) = &s.outlier {
                o.validate(&s.name)?;
            }
            if let Some(b) = &s.breaker {
                b.validate(&s.name)?;
            }
            s.retry.validate(&s.name)?;
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
        if let Some(rl) = &self.gateway.rate_limit {
            rl.validate()?;
        }
        range("tracing.sample_rate", self.tracing.sample_rate, 0.0, 1.0)?;
        if let Some(rules) = &self.alerts {
            count("alerts", rules.len() as u64, 0, MAX_ALERT_RULES as u64)?;
            for r in rules {
                r.validate()?;
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
                    Scope::Queue(q)
                        if !self
                            .messaging
                            .iter()
                            .flat_map(|m| &m.queues)
                            .any(|x| &x.name == q) =>
                    {
                        return Err(ConfigError::Unknown("queue", q.clone()))
                    }
                    _ => {}
                }
            }
        }
        let names: Vec<&str> = self.services.iter().map(|s| s.name.as_str()).collect();
        let none = MessagingConfig::default();
        let m = self.messaging.as_ref().unwrap_or(&none);
        m.validate(&names)?;
        for svc in &self.services {
            m.validate_publishes(&svc.name, &svc.publishes)?;
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
                crate::mechanisms::replication::MAX_KEYS as u64,
            )?;
            count("data.preload_keys", d.preload_keys, 0, d.key_space)?;
            count("data.repair_per_s", d.repair_per_s as u64, 0, 1_000_000)?;
        }
        count("faults", self.faults.len() as u64, 0, MAX_FAULTS as u64)?;
        for fault in &self.faults {
            self.validate_action(fault)?;
        }
        Ok(())
    }

    /// `action` with its target resolved against this cluster: an address to its
    /// [`InstanceId`], a service name to its [`ServiceId`], a data node id kept as it is.
    ///
    /// Errors: the [`ConfigError`] of [`Self::validate_action`].
    pub fn resolve(&self, action: &ScheduledAction) -> Result<Action, ConfigError> {
        self.validate_action(action)?;
        let target = match &action.target {
            None => ActionTarget::Cluster,
            Some(id) if action.kind.targets_data_node() => ActionTarget::DataNode(id.clone()),
            Some(name) if action.kind.targets_service() => ActionTarget::Service(
                self.service_id(name)
                    .ok_or_else(|| ConfigError::Unknown("service", name.clone()))?,
            ),
            Some(name) if action.kind.targets_queue() => ActionTarget::Queue(
                self.queue_id(name)
                    .ok_or_else(|| ConfigError::Unknown("queue", name.clone()))?,
            ),
            Some(address) => match self.instance_id(address) {
                Some(i) => ActionTarget::Instance(i),
                None => match (self.broker_id(address), self.queue_id(address)) {
                    (Some(b), _) => ActionTarget::Broker(b),
                    (None, Some(q)) => ActionTarget::Queue(q),
                    (None, None) => {
                        return Err(ConfigError::Unknown("instance address", address.clone()))
                    }
                },
            },
        };
        Ok(Action {
            kind: action.kind,
            target,
            duration_ms: action.duration_ms,
        })
    }

    /// The timeline entry for `action` at `at_ms`, its target by name: the reverse of
    /// [`Self::resolve`], for a share link.
    ///
    /// Errors: an instance or service id this cluster does not have.
    pub fn schedule_at(&self, at_ms: u64, action: &Action) -> Result<ScheduledAction, ConfigError> {
        let target = match &action.target {
            ActionTarget::Cluster => None,
            ActionTarget::Instance(i) => Some(
                self.services
                    .iter()
                    .flat_map(|s| &s.instances)
                    .nth(i.index())
                    .map(|c| c.address.clone())
                    .ok_or_else(|| ConfigError::Unknown("instance", i.0.to_string()))?,
            ),
            ActionTarget::Service(s) => Some(
                self.services
                    .get(s.index())
                    .map(|c| c.name.clone())
                    .ok_or_else(|| ConfigError::Unknown("service", s.0.to_string()))?,
            ),
            ActionTarget::DataNode(id) => Some(id.clone()),
            ActionTarget::Broker(b) => Some(
                self.messaging
                    .as_ref()
                    .and_then(|m| m.brokers.get(b.index()))
                    .map(|c| c.address.clone())
                    .ok_or_else(|| ConfigError::Unknown("broker", b.0.to_string()))?,
            ),
            ActionTarget::Queue(q) => Some(
                self.messaging
                    .as_ref()
                    .and_then(|m| m.queues.get(q.index()))
                    .map(|c| c.name.clone())
                    .ok_or_else(|| ConfigError::Unknown("queue", q.0.to_string()))?,
            ),
        };
        Ok(ScheduledAction {
            at_ms,
            target,
            kind: action.kind,
            duration_ms: action.duration_ms,
        })
    }

    /// The same cluster talking synchronously: every publish becomes a call to the queue's (or
    /// topic's) consuming services, made while the producer handles its request; the brokers,
    /// queues, their timeline actions and their alert rules go. Compare mode runs it beside
    /// the original on the same requests (the seeds' two ways for services to talk,
    /// `microservice-architecture.md` §3: a direct call, or a message through a queue).
    ///
    /// A cluster without messaging is returned as it is. The result validates when `self`
    /// does: calls follow the queues' consumers, which cannot call back into a cycle unless
    /// the consumers already call their producers (then `validate` names the cycle).
    pub fn messages_as_calls(&self) -> ClusterConfig {
        let mut c = self.clone();
        let Some(m) = c.messaging.take() else {
            return c;
        };
        for svc in &mut c.services {
            for p in std::mem::take(&mut svc.publishes) {
                let consumers = m
                    .queues
                    .iter()
                    .filter(|q| q.name == p.queue)
                    .flat_map(|q| &q.consumers);
                for consumer in consumers {
                    if !svc.depends_on.contains(consumer) {
                        svc.depends_on.push(consumer.clone());
                    }
                }
            }
        }
        let messaging_target = |t: &Option<String>| {
            t.as_ref().is_some_and(|t| {
                m.brokers.iter().any(|b| &b.address == t || &b.name == t)
                    || m.queues.iter().any(|q| &q.name == t)
            })
        };
        c.faults.retain(|f| !messaging_target(&f.target));
        if let Some(rules) = &mut c.alerts {
            rules.retain(|r| !r.scope.of_queues());
        }
        c
    }

    /// Runs service `service`'s balancer with `strategy` from the start (the CLI's
    /// `--strategy` and compare mode's side B; a change during a run is an
    /// [`ActionKind::SetStrategy`]).
    ///
    /// Errors: no such service.
    pub fn set_strategy(
        &mut self,
        service: ServiceId,
        strategy: Strategy,
    ) -> Result<(), ConfigError> {
        let svc = self
            .services
            .get_mut(service.index())
            .ok_or_else(|| ConfigError::Unknown("service", service.0.to_string()))?;
        svc.strategy = strategy;
        Ok(())
    }

    /// The service called `name`, if any.
    pub fn service_id(&self, name: &str) -> Option<ServiceId> {
        self.services
            .iter()
            .position(|s| s.name == name)
            .map(ServiceId::from)
    }

    /// The broker at `address`, if any.
    pub fn broker_id(&self, address: &str) -> Option<BrokerId> {
        self.messaging
            .as_ref()?
            .brokers
            .iter()
            .position(|b| b.address == address)
            .map(BrokerId::from)
    }

    /// The queue or topic called `name`, if any.
    pub fn queue_id(&self, name: &str) -> Option<QueueId> {
        self.messaging
            .as_ref()?
            .queues
            .iter()
            .position(|q| q.name == name)
            .map(QueueId::from)
    }

    /// The instance at `address`, if any (instances numbered in config order).
    pub fn instance_id(&self, address: &str) -> Option<InstanceId> {
        self.services
            .iter()
            .flat_map(|s| &s.instances)
            .position(|i| i.address == address)
            .map(InstanceId::from)
    }

    /// Checks one action against this cluster (also used for actions taken live).
    ///
    /// Errors: an unknown target, a missing or superfluous target, or a parameter out of range.
    pub fn validate_action(&self, fault: &ScheduledAction) -> Result<(), ConfigError> {
        count("fault.at_ms", fault.at_ms, 0, MAX_SCHEDULE_MS)?;
        if let Some(d) = fault.duration_ms {
            count("fault.duration_ms", d, 1, MAX_SCHEDULE_MS)?;
        }
        let kind = &fault.kind;
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
            if let ActionKind::DataNodeJoin { capacity, weight } = *kind {
                count(
                    "join capacity",
                    capacity,
                    0,
                    crate::mechanisms::replication::MAX_KEYS as u64 * 4,
                )?;
                count("join weight", weight as u64, 1, 100)?;
                return Ok(()); // a new id (a duplicate is refused when it happens)
            }
            // Nodes from the config, or ones an earlier timeline entry joins.
            let known = d.replication.nodes.iter().any(|n| &n.id == id)
                || self.faults.iter().any(|f| {
                    matches!(f.kind, ActionKind::DataNodeJoin { .. })
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
        let target = fault.target.as_deref();
        if kind.targets_queue()
            || (*kind == ActionKind::Recover && target.is_some_and(|t| self.queue_id(t).is_some()))
        {
            let Some(q) = target else {
                return Err(ConfigError::Invalid(
                    format!("fault {}", kind.key()),
                    "needs a target queue or topic name",
                ));
            };
            if self.queue_id(q).is_none() {
                return Err(ConfigError::Unknown("queue", q.to_string()));
            }
            return Ok(());
        }
        if let Some(b) =
            target.filter(|t| self.instance_id(t).is_none() && self.broker_id(t).is_some())
        {
            if !kind.applies_to_broker() {
                return Err(ConfigError::Invalid(
                    format!("fault {} on broker {b}", kind.key()),
                    "a broker takes crash, hang, partition_serving and recover",
                ));
            }
            return Ok(());
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
            // Recover without a target ends the cluster-wide faults.
            (None, false) if *kind == ActionKind::Recover => {}
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
            ActionKind::Slow { factor } => range("fault.factor", factor, 1.0, 1_000.0),
            ActionKind::ErrorRate { rate } => range("fault.rate", rate, 0.0, 1.0),
            ActionKind::TrafficSpike { factor } => {
                range("fault.factor", factor, 0.0, 100.0)?;
                range(
                    "traffic.rate_rps × spike",
                    self.traffic.rate_rps * factor,
                    0.0,
                    MAX_RATE_RPS,
                )
            }
            ActionKind::Capacity { concurrency } => count(
                "fault.concurrency",
                concurrency as u64,
                1,
                MAX_CONCURRENCY as u64,
            ),
            ActionKind::SetWeight { weight } => count("fault.weight", weight as u64, 0, 1_000),
            ActionKind::Crash
            | ActionKind::Drain
            | ActionKind::SetStrategy { .. }
            | ActionKind::Recover
            | ActionKind::PauseConsumers
            | ActionKind::Purge
            | ActionKind::Hang
            | ActionKind::PartitionHeartbeats
            | ActionKind::PartitionServing
            | ActionKind::Restart
            | ActionKind::DataNodeFail
            | ActionKind::DataNodeRecover
            | ActionKind::DataNodeJoin { .. }
            | ActionKind::DataNodeLeave => Ok(()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::presets;

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

    #[test]
    fn queue_alerts_need_queues() {
        use crate::mechanisms::alerts::{AlertMetric, Scope};
        let base = presets::async_queue().config;
        let mut rules = presets::default_alert_rules(&base);
        let k = rules
            .iter()
            .position(|r| r.metric == AlertMetric::QueueLagS)
            .expect("the messaging presets have a lag rule");
        let mut c = base.clone();
        rules[k].scope = Scope::Queue("sms-queue".into());
        c.alerts = Some(rules.clone());
        assert_eq!(
            c.validate(),
            Err(ConfigError::Unknown("queue", "sms-queue".into()))
        );
        // A queue metric on services, or a service metric on queues, is refused by name.
        for (metric, scope) in [
            (AlertMetric::QueueLagS, Scope::EachService),
            (AlertMetric::ErrorRate, Scope::EachQueue),
        ] {
            let mut c = base.clone();
            rules[k].metric = metric;
            rules[k].scope = scope;
            c.alerts = Some(rules.clone());
            assert!(
                matches!(c.validate(), Err(ConfigError::Invalid(ref f, _)) if f == "ConsumerLagHigh.scope"),
                "{:?}",
                c.validate()
            );
        }
        rules[k].metric = AlertMetric::QueueLagS;
        rules[k].scope = Scope::Queue("email-queue".into());
        c.alerts = Some(rules);
        assert_eq!(c.validate(), Ok(()));
    }
}
