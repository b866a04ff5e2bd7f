//! The scenario builder's document: a [`Scenario`] edited one field or one part at a time,
//! each edit checked by the engine's own validation before it is kept, with undo and redo.
//!
//! A field is named by a key, the same one the page puts on its input (`data-k`):
//! - the run: `title`, `teaches`, `watch`, `duration_s`, `seed`;
//! - traffic and the gateway: `rate_rps`, `clients`, `rl` (`none`, `token_bucket`,
//!   `sliding_window`) and `rl.capacity`, `rl.refill_per_s`, `rl.max_requests`, `rl.window_ms`, and `tracing.sample_rate` (the fraction of requests traced);
//! - registry and discovery: `heartbeat_interval_ms`, `heartbeat_timeout_ms`, `cache_ttl_ms`,
//!   `watch_registry`, `request_timeout_ms`;
//! - service `i`: `s{i}.name`, `.traffic_share`, `.strategy`, `.lb.*`, `.calls.{j}` (calls
//!   service `j`), `.publishes.{q}` (messages per request to queue `q`), `.hc` / `.outlier` /
//!   `.breaker` / `.timeout` (switches, on with the seeds' defaults) and their settings,
//!   `.retry.*`, `.panic_threshold_pct`, `.failback`;
//! - instance `j` of service `i`: `s{i}.i{j}.id`, `.address`, `.weight`, `.concurrency`
//!   (slots), `.queue_limit`, `.lat` (`constant`, `exponential`, `log_normal`) and `.lat.ms`,
//!   `.lat.mean_ms`, `.lat.median_ms`, `.lat.sigma`, `.error_rate`, `.boot_time_ms`, `.backup`;
//! - alert rule `k`: `a{k}.name`, `.metric`, `.scope`, `.condition`, `.threshold`,
//!   `.window_s`, `.for_ms`, `.severity`;
//! - scheduled fault or action `k`: `f{k}.kind`, `.value`, `.target`, `.at_s`, `.for_s`
//!   (0: until cleared);
//! - the replicated store: `data` (switch) and `data.nodes`, `.vnodes`, `.replicas`,
//!   `.write_quorum`, `.read_quorum`, `.placement`, `.ops_per_s`, `.write_fraction`,
//!   `.key_space`, `.repair_per_s`;
//! - messaging: `mq` (switch: one broker and one queue, the seeds' `MessageQueue`) and, per
//!   queue `k`, `q{k}.name`, `.kind`, `.capacity`, `.overflow`, `.visibility_timeout_ms`,
//!   `.max_deliveries`, `.prefetch`, `.consumer.{i}` (service `i` consumes it).
//!
//! [`value`] reads a field as the page shows it (`None`: the field does not apply, e.g. a
//! breaker's settings while it is off), [`choices`] lists a choice field's options and
//! [`Draft::apply`] takes an [`Edit`]. Renaming a service or an instance's address renames
//! every reference to it (dependencies, alert scopes, fault targets, consumers, publishers).

use crate::common::{Role, Severity};
use crate::decimal::Dec;
use crate::mechanisms::action::{ActionKind, ScheduledAction};
use crate::mechanisms::alerts::{AlertMetric, AlertRule, Condition, Scope};
use crate::mechanisms::balancer::Strategy;
use crate::mechanisms::breaker::{BreakerConfig, TripPolicy};
use crate::mechanisms::health::{HealthCheckConfig, OutlierConfig};
use crate::mechanisms::messaging::{Overflow, PublishConfig, QueueConfig, QueueKind};
use crate::mechanisms::ratelimit::RateLimitConfig;
use crate::mechanisms::replication::{DataNodeConfig, Placement};
use crate::rng::LatencyDist;
use crate::scenario::config::{InstanceConfig, ServiceConfig};
use crate::scenario::{presets, Scenario, ScenarioError, SCENARIO_VERSION};

/// A value typed or picked in a builder field.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A number field's value (the browser's `valueAsNumber`; NaN when empty).
    Num(f64),
    /// A text field, or the key of a choice.
    Text(String),
    /// A switch.
    Flag(bool),
}

/// One change to the scenario being built. Indices are positions in the scenario's lists.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Set the field named `key` (see the module docs).
    Set(String, Input),
    /// A new service with two instances, after the last.
    AddService,
    /// Remove service `i` and every reference to it.
    RemoveService(usize),
    /// A new instance in service `i`.
    AddInstance(usize),
    /// A copy of instance `j` of service `i` (new id and address), after it.
    DuplicateInstance(usize, usize),
    /// Remove instance `j` of service `i` and every reference to it.
    RemoveInstance(usize, usize),
    /// A new alert rule (error rate above 5 % on each service).
    AddAlert,
    /// Remove alert rule `k`.
    RemoveAlert(usize),
    /// A new crash of the first instance, 30 s in, for 20 s.
    AddFault,
    /// Remove timeline entry `k`.
    RemoveFault(usize),
    /// A new queue on the first broker, consumed by the last service.
    AddQueue,
    /// Remove queue `k` (its publishers stop publishing to it).
    RemoveQueue(usize),
}

/// Why the builder refused an edit. The typed text stays in its field.
#[derive(Clone, Debug, PartialEq)]
pub enum DraftError {
    /// No field has this key (or it does not apply now): (the key).
    UnknownField(String),
    /// An empty or non-numeric number field: (the key).
    NotANumber(String),
    /// A count that is negative or has a fraction: (the key).
    NotWhole(String),
    /// A choice that is not offered: (the key, the value).
    UnknownChoice(String, String),
    /// A service, instance, rule, entry or queue that is not there.
    NoSuchItem,
    /// The last of something a cluster needs: (`service` or `instance`).
    Last(&'static str),
    /// The edit makes the scenario invalid: the engine's reason, naming the field.
    Invalid(ScenarioError),
}

impl From<ScenarioError> for DraftError {
    fn from(e: ScenarioError) -> Self {
        DraftError::Invalid(e)
    }
}

/// A scenario under construction with its undo and redo history (each at most
/// [`Draft::HISTORY`] scenarios). Every kept state is valid: an edit that fails validation
/// changes nothing.
#[derive(Clone, Debug)]
pub struct Draft {
    scenario: Scenario,
    undo: Vec<Scenario>,
    redo: Vec<Scenario>,
}

impl Draft {
    /// Undo steps kept.
    pub const HISTORY: usize = 100;

    /// Starts editing `scenario` (which should be valid: it is what runs).
    pub fn new(scenario: Scenario) -> Self {
        Self {
            scenario,
            undo: Vec::new(),
            redo: Vec::new(),
        }
    }

    /// The scenario as edited so far.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The scenario `edit` would give, without keeping it.
    ///
    /// Errors: a [`DraftError`]; the scenario's validation error as `Invalid`.
    pub fn check(&self, edit: &Edit) -> Result<Scenario, DraftError> {
        let mut sc = self.scenario.clone();
        change(&mut sc, edit)?;
        sc.validate()?;
        Ok(sc)
    }

    /// Applies `edit` if the result is valid, and makes it undoable. Returns whether anything
    /// changed (setting a field to its value does not).
    ///
    /// Errors: as [`Draft::check`]; nothing changes.
    pub fn apply(&mut self, edit: &Edit) -> Result<bool, DraftError> {
        let sc = self.check(edit)?;
        if sc == self.scenario {
            return Ok(false);
        }
        self.undo.push(std::mem::replace(&mut self.scenario, sc));
        if self.undo.len() > Self::HISTORY {
            self.undo.remove(0);
        }
        self.redo.clear();
        Ok(true)
    }

    /// Follows a change made outside the builder (a preset picked, a file imported, a crash
    /// clicked onto the timeline): `scenario` is edited from now on, and one undo goes back
    /// to what the builder had. Returns false (and keeps the history) when `scenario` is
    /// already the one being edited.
    pub fn follow(&mut self, scenario: Scenario) -> bool {
        if scenario == self.scenario {
            return false;
        }
        self.undo
            .push(std::mem::replace(&mut self.scenario, scenario));
        if self.undo.len() > Self::HISTORY {
            self.undo.remove(0);
        }
        self.redo.clear();
        true
    }

    /// Goes back one edit; false when there is none.
    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some(sc) => {
                self.redo.push(std::mem::replace(&mut self.scenario, sc));
                true
            }
            None => false,
        }
    }

    /// Goes forward one undone edit; false when there is none.
    pub fn redo(&mut self) -> bool {
        match self.redo.pop() {
            Some(sc) => {
                self.undo.push(std::mem::replace(&mut self.scenario, sc));
                true
            }
            None => false,
        }
    }

    /// (undo steps, redo steps) available.
    pub fn history(&self) -> (usize, usize) {
        (self.undo.len(), self.redo.len())
    }
}

/// A blank cluster: one service (`api`, round robin) with two instances (log-normal, 20 ms
/// median, 4 slots), 50 req/s, the seeds' registry (heartbeat 5 s, timeout 30 s), no faults,
/// no alert rules, 120 s.
pub fn blank(seed: u64) -> Scenario {
    let mut c = Scenario::default_scenario().cluster;
    c.services = vec![ServiceConfig::new("api", 1.0, Vec::new())];
    c.services[0].instances = vec![new_instance(&c.services, 0), new_instance(&c.services, 0)];
    c.services[0].instances[1] = InstanceConfig {
        id: "api-2".into(),
        address: "10.0.1.2:8080".into(),
        ..c.services[0].instances[1].clone()
    };
    c.traffic.rate_rps = 50.0;
    c.faults.clear();
    c.alerts = Some(Vec::new());
    c.data = None;
    c.messaging = None;
    Scenario {
        version: SCENARIO_VERSION,
        preset: None,
        title: "My cluster".into(),
        teaches: String::new(),
        watch: String::new(),
        seed,
        duration_s: 120,
        cluster: c,
        view: Default::default(),
        lesson: None,
    }
}

/// An instance for service `s` whose id and address no instance has yet:
/// `{service}-{n}` at `10.0.{s+1}.{n}:8080`.
fn new_instance(services: &[ServiceConfig], s: usize) -> InstanceConfig {
    let taken = |id: &str, addr: &str| {
        services
            .iter()
            .flat_map(|x| &x.instances)
            .any(|i| i.id == id || i.address == addr)
    };
    let name = &services[s].name;
    // After the service's last address (192.168.1.11:8080 → 192.168.1.12:8080), else
    // 10.0.S.N:8080.
    let after = |k: usize| {
        let last = &services[s].instances.last()?.address;
        let colon = last.bytes().rposition(|b| b == b':')?;
        let dot = last[..colon].bytes().rposition(|b| b == b'.')?;
        let d = last[dot + 1..colon].parse::<usize>().ok()? + k;
        (d < 255).then(|| format!("{}.{d}{}", &last[..dot], &last[colon..]))
    };
    let (mut n, mut k) = (services[s].instances.len() + 1, 1);
    loop {
        let id = format!("{name}-{n}");
        let addr = after(k).unwrap_or_else(|| format!("10.0.{}.{n}:8080", s + 1));
        if !taken(&id, &addr) {
            return InstanceConfig::new(
                &id,
                &addr,
                4,
                32,
                LatencyDist::LogNormal {
                    median_ms: 20.0,
                    sigma: 0.5,
                },
            );
        }
        n += 1;
        k += 1;
    }
}

/// The latency kinds a field offers.
pub const LATENCY_KINDS: [&str; 3] = ["constant", "exponential", "log_normal"];
/// The rate limiter kinds (`none`: no limiter).
pub const LIMITER_KINDS: [&str; 3] = ["none", "token_bucket", "sliding_window"];
/// The alert metrics, in menu order.
pub const METRICS: [AlertMetric; 12] = [
    AlertMetric::ErrorRate,
    AlertMetric::P99Ms,
    AlertMetric::HealthyInstances,
    AlertMetric::BreakersOpen,
    AlertMetric::Cpu,
    AlertMetric::Memory,
    AlertMetric::QueueLength,
    AlertMetric::RequestRate,
    AlertMetric::UnderReplicatedKeys,
    AlertMetric::QueueDepth,
    AlertMetric::QueueLagS,
    AlertMetric::DeadLettered,
];
/// The timeline kinds a builder row offers (`set_strategy` is made in the inspector).
pub const FAULT_KINDS: [&str; 18] = [
    "crash",
    "hang",
    "slow",
    "error_rate",
    "partition_heartbeats",
    "partition_serving",
    "traffic_spike",
    "capacity",
    "restart",
    "recover",
    "drain",
    "set_weight",
    "data_node_fail",
    "data_node_recover",
    "data_node_join",
    "data_node_leave",
    "pause_consumers",
    "purge",
];

/// The options of choice field `key` in `sc`, as (key, label) pairs; the label is the key
/// unless it is a name from the scenario. `None` for a field that is not a choice.
pub fn choices(sc: &Scenario, key: &str) -> Option<Vec<(String, String)>> {
    let plain = |keys: &[&str]| {
        Some(
            keys.iter()
                .map(|k| (k.to_string(), k.to_string()))
                .collect(),
        )
    };
    let (head, field) = split(key);
    let c = &sc.cluster;
    match (head, field) {
        (Head::Top, "rl") => plain(&LIMITER_KINDS),
        (Head::Service(_), "strategy") => plain(&Strategy::ALL.map(|s| s.key())),
        (Head::Service(_), "breaker.trip") => plain(&["consecutive", "failure_rate"]),
        (Head::Instance(..), "lat") => plain(&LATENCY_KINDS),
        (Head::Alert(_), "metric") => plain(&METRICS.map(|m| m.key())),
        (Head::Alert(_), "condition") => plain(&["above", "below"]),
        (Head::Alert(_), "severity") => plain(&["info", "warning", "critical"]),
        (Head::Alert(_), "scope") => {
            let mut v: Vec<(String, String)> =
                ["each_service", "each_instance", "data", "each_queue"]
                    .iter()
                    .map(|k| (k.to_string(), k.replace('_', " ")))
                    .collect();
            for s in &c.services {
                v.push((format!("service:{}", s.name), s.name.clone()));
                for i in &s.instances {
                    v.push((format!("instance:{}", i.address), i.address.clone()));
                }
            }
            for q in c.messaging.iter().flat_map(|m| &m.queues) {
                v.push((format!("queue:{}", q.name), q.name.clone()));
            }
            Some(v)
        }
        (Head::Fault(_), "kind") => plain(&FAULT_KINDS),
        (Head::Fault(k), "target") => {
            let f = c.faults.get(k)?;
            let names: Vec<String> = if f.kind.targets_data_node() {
                let mut v: Vec<String> = c
                    .data
                    .iter()
                    .flat_map(|d| &d.replication.nodes)
                    .map(|n| n.id.clone())
                    .collect();
                if matches!(f.kind, ActionKind::DataNodeJoin { .. }) {
                    v.push(format!("node-{}", v.len() + 1));
                }
                v
            } else if f.kind.targets_queue() {
                c.messaging
                    .iter()
                    .flat_map(|m| &m.queues)
                    .map(|q| q.name.clone())
                    .collect()
            } else if f.kind.targets_service() {
                c.services.iter().map(|s| s.name.clone()).collect()
            } else if f.target.is_none() {
                Vec::new()
            } else {
                let mut v: Vec<String> = c
                    .services
                    .iter()
                    .flat_map(|s| &s.instances)
                    .map(|i| i.address.clone())
                    .collect();
                v.extend(
                    c.messaging
                        .iter()
                        .flat_map(|m| &m.brokers)
                        .filter(|_| f.kind.applies_to_broker())
                        .map(|b| b.address.clone()),
                );
                v
            };
            Some(names.into_iter().map(|n| (n.clone(), n)).collect())
        }
        (Head::Top, "data.placement") => plain(&["ring", "rendezvous"]),
        (Head::Queue(_), "kind") => plain(&["queue", "topic"]),
        (Head::Queue(_), "overflow") => plain(&["reject", "drop_oldest"]),
        _ => None,
    }
}

/// Which part of the scenario a key is about, and the rest of the key.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Head {
    Top,
    Service(usize),
    Instance(usize, usize),
    Alert(usize),
    Fault(usize),
    Queue(usize),
}

fn split(key: &str) -> (Head, &str) {
    let num = |p: &str, c: char| p.strip_prefix(c).and_then(|n| n.parse::<usize>().ok());
    let Some((first, rest)) = key.split_once('.') else {
        return (Head::Top, key);
    };
    if let Some(i) = num(first, 's') {
        if let Some((second, rest2)) = rest.split_once('.') {
            if let Some(j) = num(second, 'i') {
                return (Head::Instance(i, j), rest2);
            }
        }
        return (Head::Service(i), rest);
    }
    if let Some(k) = num(first, 'a') {
        return (Head::Alert(k), rest);
    }
    if let Some(k) = num(first, 'f') {
        return (Head::Fault(k), rest);
    }
    if let Some(k) = num(first, 'q') {
        return (Head::Queue(k), rest);
    }
    (Head::Top, key)
}

/// A field's place in the scenario, typed.
enum Slot<'a> {
    U32(&'a mut u32),
    U64(&'a mut u64),
    F64(&'a mut f64),
    Text(&'a mut String),
    Flag(&'a mut bool),
}

fn top_slot<'a>(sc: &'a mut Scenario, field: &str) -> Option<Slot<'a>> {
    let c = &mut sc.cluster;
    Some(match field {
        "title" => Slot::Text(&mut sc.title),
        "teaches" => Slot::Text(&mut sc.teaches),
        "watch" => Slot::Text(&mut sc.watch),
        "duration_s" => Slot::U32(&mut sc.duration_s),
        "seed" => Slot::U64(&mut sc.seed),
        "rate_rps" => Slot::F64(&mut c.traffic.rate_rps),
        "clients" => Slot::U32(&mut c.traffic.clients),
        "heartbeat_interval_ms" => Slot::U64(&mut c.registry.heartbeat_interval_ms),
        "heartbeat_timeout_ms" => Slot::U64(&mut c.registry.heartbeat_timeout_ms),
        "cache_ttl_ms" => Slot::U64(&mut c.discovery.cache_ttl_ms),
        "watch_registry" => Slot::Flag(&mut c.discovery.watch),
        "request_timeout_ms" => Slot::U64(&mut c.request_timeout_ms),
        "tracing.sample_rate" => Slot::F64(&mut c.tracing.sample_rate),
        "rl.capacity" | "rl.refill_per_s" | "rl.max_requests" | "rl.window_ms" => {
            match (c.gateway.rate_limit.as_mut()?, field) {
                (RateLimitConfig::TokenBucket { capacity, .. }, "rl.capacity") => {
                    Slot::U32(capacity)
                }
                (RateLimitConfig::TokenBucket { refill_per_s, .. }, "rl.refill_per_s") => {
                    Slot::F64(refill_per_s)
                }
                (RateLimitConfig::SlidingWindow { max_requests, .. }, "rl.max_requests") => {
                    Slot::U32(max_requests)
                }
                (RateLimitConfig::SlidingWindow { window_ms, .. }, "rl.window_ms") => {
                    Slot::U64(window_ms)
                }
                _ => return None,
            }
        }
        _ => {
            let d = c.data.as_mut()?;
            let r = &mut d.replication;
            match field.strip_prefix("data.")? {
                "vnodes" => Slot::U32(&mut r.vnodes),
                "replicas" => Slot::U32(&mut r.replicas),
                "write_quorum" => Slot::U32(&mut r.write_quorum),
                "read_quorum" => Slot::U32(&mut r.read_quorum),
                "ops_per_s" => Slot::F64(&mut d.ops_per_s),
                "write_fraction" => Slot::F64(&mut d.write_fraction),
                "key_space" => Slot::U64(&mut d.key_space),
                "repair_per_s" => Slot::U32(&mut d.repair_per_s),
                _ => return None,
            }
        }
    })
}

fn service_slot<'a>(s: &'a mut ServiceConfig, field: &str) -> Option<Slot<'a>> {
    let lb = &mut s.lb;
    let r = &mut s.retry;
    Some(match field {
        "name" => Slot::Text(&mut s.name),
        "traffic_share" => Slot::F64(&mut s.traffic_share),
        "panic_threshold_pct" => Slot::F64(&mut s.panic_threshold_pct),
        "failback" => Slot::Flag(&mut s.failback),
        "timeout.ms" => Slot::U64(s.timeout_ms.as_mut()?),
        "lb.ring_vnodes" if s.strategy == Strategy::RingHash => Slot::U32(&mut lb.ring_vnodes),
        "lb.ring_load_factor" if s.strategy == Strategy::RingHash => {
            Slot::F64(&mut lb.ring_load_factor)
        }
        "lb.maglev_table_size" if s.strategy == Strategy::Maglev => {
            Slot::U32(&mut lb.maglev_table_size)
        }
        "lb.ewma_decay_ms" if s.strategy == Strategy::PeakEwma => Slot::U64(&mut lb.ewma_decay_ms),
        "lb.sticky_table_size" if s.strategy == Strategy::StickySession => {
            Slot::U32(&mut lb.sticky_table_size)
        }
        "retry.max_retries" => Slot::U32(&mut r.max_retries),
        "retry.base_backoff_ms" => Slot::U64(&mut r.base_backoff_ms),
        "retry.max_backoff_ms" => Slot::U64(&mut r.max_backoff_ms),
        "retry.budget_pct" => Slot::F64(&mut r.budget_pct),
        "retry.min_retries_per_s" => Slot::U32(&mut r.min_retries_per_s),
        _ => {
            if let Some(f) = field.strip_prefix("hc.") {
                let h = s.health_check.as_mut()?;
                match f {
                    "interval_ms" => Slot::U64(&mut h.interval_ms),
                    "timeout_ms" => Slot::U64(&mut h.timeout_ms),
                    "unhealthy_threshold" => Slot::U32(&mut h.unhealthy_threshold),
                    "healthy_threshold" => Slot::U32(&mut h.healthy_threshold),
                    _ => return None,
                }
            } else if let Some(f) = field.strip_prefix("outlier.") {
                let o = s.outlier.as_mut()?;
                match f {
                    "consecutive_5xx" => Slot::U32(&mut o.consecutive_5xx),
                    "base_ejection_ms" => Slot::U64(&mut o.base_ejection_ms),
                    "max_ejection_ms" => Slot::U64(&mut o.max_ejection_ms),
                    "max_ejection_pct" => Slot::F64(&mut o.max_ejection_pct),
                    _ => return None,
                }
            } else if let Some(f) = field.strip_prefix("breaker.") {
                let b = s.breaker.as_mut()?;
                match (f, &mut b.trip) {
                    ("reset_timeout_ms", _) => Slot::U64(&mut b.reset_timeout_ms),
                    ("success_threshold", _) => Slot::U32(&mut b.success_threshold),
                    ("failures", TripPolicy::Consecutive { failures }) => Slot::U32(failures),
                    ("window_ms", TripPolicy::FailureRate { window_ms, .. }) => {
                        Slot::U64(window_ms)
                    }
                    ("min_requests", TripPolicy::FailureRate { min_requests, .. }) => {
                        Slot::U32(min_requests)
                    }
                    ("error_pct", TripPolicy::FailureRate { error_pct, .. }) => {
                        Slot::F64(error_pct)
                    }
                    _ => return None,
                }
            } else {
                return None;
            }
        }
    })
}

fn instance_slot<'a>(i: &'a mut InstanceConfig, field: &str) -> Option<Slot<'a>> {
    Some(match (field, &mut i.latency) {
        ("id", _) => Slot::Text(&mut i.id),
        ("address", _) => Slot::Text(&mut i.address),
        ("weight", _) => Slot::U32(&mut i.weight),
        ("concurrency", _) => Slot::U32(&mut i.concurrency),
        ("queue_limit", _) => Slot::U32(&mut i.queue_limit),
        ("error_rate", _) => Slot::F64(&mut i.error_rate),
        ("boot_time_ms", _) => Slot::U64(&mut i.boot_time_ms),
        ("lat.ms", LatencyDist::Constant { ms }) => Slot::F64(ms),
        ("lat.mean_ms", LatencyDist::Exponential { mean_ms }) => Slot::F64(mean_ms),
        ("lat.median_ms", LatencyDist::LogNormal { median_ms, .. }) => Slot::F64(median_ms),
        ("lat.sigma", LatencyDist::LogNormal { sigma, .. }) => Slot::F64(sigma),
        _ => return None,
    })
}

fn alert_slot<'a>(a: &'a mut AlertRule, field: &str) -> Option<Slot<'a>> {
    Some(match field {
        "name" => Slot::Text(&mut a.name),
        "threshold" => Slot::F64(&mut a.threshold),
        "window_s" => Slot::U32(&mut a.window_s),
        "for_ms" => Slot::U64(&mut a.for_ms),
        _ => return None,
    })
}

fn queue_slot<'a>(q: &'a mut QueueConfig, field: &str) -> Option<Slot<'a>> {
    Some(match field {
        "capacity" => Slot::U32(&mut q.capacity),
        "visibility_timeout_ms" => Slot::U64(&mut q.visibility_timeout_ms),
        "max_deliveries" => Slot::U32(&mut q.max_deliveries),
        "prefetch" => Slot::U32(&mut q.prefetch),
        _ => return None,
    })
}

fn slot<'a>(sc: &'a mut Scenario, key: &str) -> Option<Slot<'a>> {
    let (head, field) = split(key);
    if head == Head::Top {
        return top_slot(sc, field);
    }
    let c = &mut sc.cluster;
    match head {
        Head::Top => None,
        Head::Service(i) => service_slot(c.services.get_mut(i)?, field),
        Head::Instance(i, j) => instance_slot(c.services.get_mut(i)?.instances.get_mut(j)?, field),
        Head::Alert(k) => alert_slot(c.alerts.as_mut()?.get_mut(k)?, field),
        Head::Queue(k) => queue_slot(c.messaging.as_mut()?.queues.get_mut(k)?, field),
        Head::Fault(_) => None,
    }
}

fn show(x: f64) -> String {
    Dec(x).to_string()
}

/// Field `key` of `sc` as the page shows it: a number, a text, `true`/`false` for a switch,
/// a choice's key. `None` when the field does not apply to this scenario (a switched-off
/// mechanism's settings, another latency kind's parameters, an index that is not there).
/// Copies `sc` to reach the field: to read many fields, copy once and use [`value_in`].
pub fn value(sc: &Scenario, key: &str) -> Option<String> {
    value_in(&mut sc.clone(), key)
}

/// As [`value`], without a copy: `sc` is borrowed mutably only to reach the field (the same
/// path that [`Draft::apply`] writes through) and is not changed.
pub fn value_in(sc: &mut Scenario, key: &str) -> Option<String> {
    let c = &sc.cluster;
    let (head, field) = split(key);
    let flag = |b: bool| Some(b.to_string());
    match (head, field) {
        (Head::Top, "rl") => {
            return Some(
                match c.gateway.rate_limit {
                    None => "none",
                    Some(RateLimitConfig::TokenBucket { .. }) => "token_bucket",
                    Some(RateLimitConfig::SlidingWindow { .. }) => "sliding_window",
                }
                .into(),
            )
        }
        (Head::Top, "data") => return flag(c.data.is_some()),
        (Head::Top, "mq") => return flag(c.messaging.is_some()),
        (Head::Top, "data.nodes") => {
            return Some(c.data.as_ref()?.replication.nodes.len().to_string())
        }
        (Head::Top, "data.placement") => {
            return Some(
                match c.data.as_ref()?.replication.placement {
                    Placement::Ring => "ring",
                    Placement::Rendezvous => "rendezvous",
                }
                .into(),
            )
        }
        (Head::Service(i), f) => {
            let s = c.services.get(i)?;
            match f {
                "strategy" => return Some(s.strategy.key().into()),
                "hc" => return flag(s.health_check.is_some()),
                "outlier" => return flag(s.outlier.is_some()),
                "breaker" => return flag(s.breaker.is_some()),
                "timeout" => return flag(s.timeout_ms.is_some()),
                "breaker.trip" => {
                    return Some(
                        match s.breaker.as_ref()?.trip {
                            TripPolicy::Consecutive { .. } => "consecutive",
                            TripPolicy::FailureRate { .. } => "failure_rate",
                        }
                        .into(),
                    )
                }
                _ => {}
            }
            if let Some(j) = f.strip_prefix("calls.") {
                let other = c.services.get(j.parse::<usize>().ok()?)?;
                return flag(s.depends_on.contains(&other.name));
            }
            if let Some(q) = f.strip_prefix("publishes.") {
                let queue = c.messaging.as_ref()?.queues.get(q.parse::<usize>().ok()?)?;
                let per = s
                    .publishes
                    .iter()
                    .find(|p| p.queue == queue.name)
                    .map_or(0.0, |p| p.per_request);
                return Some(show(per));
            }
        }
        (Head::Instance(i, j), f) => {
            let inst = c.services.get(i)?.instances.get(j)?;
            match f {
                "lat" => {
                    return Some(
                        match inst.latency {
                            LatencyDist::Constant { .. } => "constant",
                            LatencyDist::Exponential { .. } => "exponential",
                            LatencyDist::LogNormal { .. } => "log_normal",
                        }
                        .into(),
                    )
                }
                "backup" => return flag(inst.role == Role::Backup),
                _ => {}
            }
        }
        (Head::Alert(k), f) => {
            let a = c.alerts.as_ref()?.get(k)?;
            match f {
                "metric" => return Some(a.metric.key().into()),
                "condition" => {
                    return Some(
                        match a.condition {
                            Condition::Above => "above",
                            Condition::Below => "below",
                        }
                        .into(),
                    )
                }
                "severity" => return Some(a.severity.label().into()),
                "scope" => {
                    return Some(match &a.scope {
                        Scope::EachService => "each_service".into(),
                        Scope::EachInstance => "each_instance".into(),
                        Scope::Data => "data".into(),
                        Scope::EachQueue => "each_queue".into(),
                        Scope::Service(n) => format!("service:{n}"),
                        Scope::Instance(a) => format!("instance:{a}"),
                        Scope::Queue(q) => format!("queue:{q}"),
                    })
                }
                _ => {}
            }
        }
        (Head::Fault(k), f) => {
            let e = c.faults.get(k)?;
            return match f {
                "kind" => Some(e.kind.key().into()),
                "target" => e.target.clone(),
                "at_s" => Some(show(e.at_ms as f64 / 1e3)),
                "for_s" => Some(show(e.duration_ms.unwrap_or(0) as f64 / 1e3)),
                "value" => fault_value(&e.kind).map(show),
                _ => None,
            };
        }
        (Head::Queue(k), f) => {
            let q = c.messaging.as_ref()?.queues.get(k)?;
            match f {
                "name" => return Some(q.name.clone()),
                "kind" => {
                    return Some(
                        if q.kind == QueueKind::Topic {
                            "topic"
                        } else {
                            "queue"
                        }
                        .into(),
                    )
                }
                "overflow" => {
                    return Some(
                        if q.overflow == Overflow::DropOldest {
                            "drop_oldest"
                        } else {
                            "reject"
                        }
                        .into(),
                    )
                }
                _ => {}
            }
            if let Some(i) = f.strip_prefix("consumer.") {
                let s = c.services.get(i.parse::<usize>().ok()?)?;
                return flag(q.consumers.contains(&s.name));
            }
        }
        _ => {}
    }
    Some(match slot(sc, key)? {
        Slot::U32(x) => x.to_string(),
        Slot::U64(x) => x.to_string(),
        Slot::F64(x) => show(*x),
        Slot::Text(x) => x.clone(),
        Slot::Flag(x) => x.to_string(),
    })
}

/// The number a timeline kind takes (`slow`'s factor, `error_rate`'s rate, …), if any.
fn fault_value(kind: &ActionKind) -> Option<f64> {
    Some(match *kind {
        ActionKind::Slow { factor } | ActionKind::TrafficSpike { factor } => factor,
        ActionKind::ErrorRate { rate } => rate,
        ActionKind::Capacity { concurrency } => concurrency as f64,
        ActionKind::SetWeight { weight } => weight as f64,
        ActionKind::DataNodeJoin { capacity, .. } => capacity as f64,
        _ => return None,
    })
}

/// Timeline kind `key` with its number `x` (the kind's default when `None`).
fn fault_kind(key: &str, x: Option<f64>) -> Option<ActionKind> {
    let n = |d: f64| x.unwrap_or(d);
    Some(match key {
        "crash" => ActionKind::Crash,
        "hang" => ActionKind::Hang,
        "slow" => ActionKind::Slow { factor: n(5.0) },
        "error_rate" => ActionKind::ErrorRate { rate: n(0.5) },
        "partition_heartbeats" => ActionKind::PartitionHeartbeats,
        "partition_serving" => ActionKind::PartitionServing,
        "traffic_spike" => ActionKind::TrafficSpike { factor: n(3.0) },
        "capacity" => ActionKind::Capacity {
            concurrency: n(2.0) as u32,
        },
        "restart" => ActionKind::Restart,
        "recover" => ActionKind::Recover,
        "drain" => ActionKind::Drain,
        "set_weight" => ActionKind::SetWeight {
            weight: n(1.0) as u32,
        },
        "data_node_fail" => ActionKind::DataNodeFail,
        "data_node_recover" => ActionKind::DataNodeRecover,
        "data_node_join" => ActionKind::DataNodeJoin {
            capacity: n(10_000.0) as u64,
            weight: 1,
        },
        "data_node_leave" => ActionKind::DataNodeLeave,
        "pause_consumers" => ActionKind::PauseConsumers,
        "purge" => ActionKind::Purge,
        _ => return None,
    })
}

/// The first name `kind` can target in `sc` (an instance address, a service, a data node,
/// a queue), `None` for cluster-wide kinds.
fn default_target(sc: &Scenario, kind: &ActionKind) -> Option<String> {
    let c = &sc.cluster;
    if matches!(kind, ActionKind::TrafficSpike { .. }) {
        return None;
    }
    if kind.targets_data_node() {
        return c
            .data
            .as_ref()
            .and_then(|d| d.replication.nodes.first())
            .map(|n| n.id.clone());
    }
    if kind.targets_queue() {
        return c
            .messaging
            .as_ref()
            .and_then(|m| m.queues.first())
            .map(|q| q.name.clone());
    }
    if kind.targets_service() {
        return c.services.first().map(|s| s.name.clone());
    }
    c.services
        .iter()
        .flat_map(|s| &s.instances)
        .next()
        .map(|i| i.address.clone())
}

fn whole(key: &str, x: f64) -> Result<u64, DraftError> {
    if x.is_nan() {
        return Err(DraftError::NotANumber(key.into()));
    }
    if x < 0.0 || x.fract() != 0.0 || x > 9.0e15 {
        return Err(DraftError::NotWhole(key.into()));
    }
    Ok(x as u64)
}

fn number(key: &str, to: &Input) -> Result<f64, DraftError> {
    match to {
        Input::Num(x) if !x.is_nan() => Ok(*x),
        _ => Err(DraftError::NotANumber(key.into())),
    }
}

fn text(to: &Input) -> String {
    match to {
        Input::Text(t) => t.clone(),
        Input::Num(x) => show(*x),
        Input::Flag(b) => b.to_string(),
    }
}

fn on(to: &Input) -> bool {
    match to {
        Input::Flag(b) => *b,
        Input::Text(t) => t == "true",
        Input::Num(x) => *x != 0.0,
    }
}

/// Renames every reference to service `from` (dependencies, alert scopes, fault targets,
/// queue consumers), and its instances named after it (`{from}-2` becomes `{to}-2`).
fn rename_service(sc: &mut Scenario, from: &str, to: &str) {
    let c = &mut sc.cluster;
    let prefix = format!("{from}-");
    for i in c
        .services
        .iter_mut()
        .filter(|s| s.name == to)
        .flat_map(|s| &mut s.instances)
    {
        if let Some(rest) = i.id.strip_prefix(&prefix) {
            i.id = format!("{to}-{rest}");
        }
    }
    for s in &mut c.services {
        for d in &mut s.depends_on {
            if d == from {
                *d = to.into();
            }
        }
    }
    for a in c.alerts.iter_mut().flatten() {
        if a.scope == Scope::Service(from.into()) {
            a.scope = Scope::Service(to.into());
        }
    }
    for f in &mut c.faults {
        if f.kind.targets_service() && f.target.as_deref() == Some(from) {
            f.target = Some(to.into());
        }
    }
    for q in c.messaging.iter_mut().flat_map(|m| &mut m.queues) {
        for x in &mut q.consumers {
            if x == from {
                *x = to.into();
            }
        }
    }
}

/// Renames every reference to instance address `from` (alert scopes, fault targets).
fn rename_address(sc: &mut Scenario, from: &str, to: &str) {
    let c = &mut sc.cluster;
    for a in c.alerts.iter_mut().flatten() {
        if a.scope == Scope::Instance(from.into()) {
            a.scope = Scope::Instance(to.into());
        }
    }
    for f in &mut c.faults {
        if !f.kind.targets_service()
            && !f.kind.targets_data_node()
            && f.target.as_deref() == Some(from)
        {
            f.target = Some(to.into());
        }
    }
}

/// Drops every reference to service `name` or to the instance addresses `addresses`.
fn forget(sc: &mut Scenario, name: Option<&str>, addresses: &[String]) {
    let c = &mut sc.cluster;
    let gone = |t: &Option<String>| {
        t.as_deref()
            .is_some_and(|t| Some(t) == name || addresses.iter().any(|a| a == t))
    };
    c.faults.retain(|f| !gone(&f.target));
    if let Some(rules) = &mut c.alerts {
        rules.retain(|a| match &a.scope {
            Scope::Service(n) => Some(n.as_str()) != name,
            Scope::Instance(x) => !addresses.contains(x),
            _ => true,
        });
    }
    if let Some(n) = name {
        for s in &mut c.services {
            s.depends_on.retain(|d| d != n);
        }
        for q in c.messaging.iter_mut().flat_map(|m| &mut m.queues) {
            q.consumers.retain(|x| x != n);
        }
    }
}

fn set(sc: &mut Scenario, key: &str, to: &Input) -> Result<(), DraftError> {
    // A switch or a choice set to what it is keeps its settings.
    let now = value_in(sc, key);
    let same = match to {
        Input::Flag(b) => now == Some(b.to_string()),
        Input::Text(t) => now.as_deref() == Some(t.as_str()),
        Input::Num(x) => now == Some(show(*x)),
    };
    if same {
        return Ok(());
    }
    let unknown = || DraftError::UnknownField(key.into());
    let (head, field) = split(key);
    let choice_ok =
        |sc: &Scenario, v: &str| choices(sc, key).is_none_or(|c| c.iter().any(|(k, _)| k == v));
    if let Input::Text(v) = to {
        if !choice_ok(sc, v) {
            return Err(DraftError::UnknownChoice(key.into(), v.clone()));
        }
    }
    let c = &mut sc.cluster;
    match (head, field) {
        (Head::Top, "rl") => {
            c.gateway.rate_limit = match text(to).as_str() {
                "token_bucket" => Some(RateLimitConfig::TokenBucket {
                    capacity: 100,
                    refill_per_s: 20.0,
                }),
                "sliding_window" => Some(RateLimitConfig::SlidingWindow {
                    max_requests: 400,
                    window_ms: 20_000,
                }),
                _ => None,
            };
            return Ok(());
        }
        (Head::Top, "data") => {
            c.data = if on(to) {
                Some(presets::replicated_store())
            } else {
                None
            };
            if c.data.is_none() {
                c.faults.retain(|f| !f.kind.targets_data_node());
            }
            return Ok(());
        }
        (Head::Top, "mq") => {
            if on(to) {
                let consumer = &c.services.last().ok_or_else(unknown)?.name;
                let q = crate::mechanisms::messaging::QueueConfig::queue(
                    "orders", "broker-1", consumer,
                );
                c.messaging = Some(crate::mechanisms::messaging::MessagingConfig {
                    brokers: vec![presets::broker()],
                    queues: vec![q],
                });
                if let Some(s) = c.services.first_mut() {
                    s.publishes = vec![PublishConfig {
                        queue: "orders".into(),
                        per_request: 1.0,
                    }];
                }
            } else {
                c.messaging = None;
                for s in &mut c.services {
                    s.publishes.clear();
                }
                c.faults.retain(|f| !f.kind.targets_queue());
            }
            return Ok(());
        }
        (Head::Top, "data.nodes") => {
            let n = whole(key, number(key, to)?)? as usize;
            let nodes = &mut c.data.as_mut().ok_or_else(unknown)?.replication.nodes;
            let template = nodes.first().cloned().unwrap_or(DataNodeConfig {
                id: String::new(),
                capacity: 10_000,
                weight: 1,
            });
            if n > 64 {
                return Err(DraftError::Invalid(ScenarioError::Config(
                    crate::common::ConfigError::Count("data.nodes", n as u64, 1, 64),
                )));
            }
            nodes.truncate(n);
            while nodes.len() < n {
                let id = format!("node-{}", nodes.len() + 1);
                nodes.push(DataNodeConfig {
                    id,
                    ..template.clone()
                });
            }
            return Ok(());
        }
        (Head::Top, "data.placement") => {
            c.data.as_mut().ok_or_else(unknown)?.replication.placement = if text(to) == "rendezvous"
            {
                Placement::Rendezvous
            } else {
                Placement::Ring
            };
            return Ok(());
        }
        (Head::Service(i), f) => {
            let names: Vec<String> = c.services.iter().map(|s| s.name.clone()).collect();
            let queues: Vec<String> = c
                .messaging
                .iter()
                .flat_map(|m| &m.queues)
                .map(|q| q.name.clone())
                .collect();
            let s = c.services.get_mut(i).ok_or(DraftError::NoSuchItem)?;
            match f {
                "strategy" => {
                    let k = text(to);
                    s.strategy = *Strategy::ALL
                        .iter()
                        .find(|x| x.key() == k)
                        .ok_or_else(unknown)?;
                    return Ok(());
                }
                "hc" => {
                    s.health_check = on(to).then(HealthCheckConfig::default);
                    return Ok(());
                }
                "outlier" => {
                    s.outlier = on(to).then(OutlierConfig::default);
                    return Ok(());
                }
                "breaker" => {
                    // The seeds' breaker: 5 consecutive failures, 10 s open, 3 successes.
                    s.breaker = on(to).then_some(BreakerConfig {
                        trip: TripPolicy::Consecutive { failures: 5 },
                        reset_timeout_ms: 10_000,
                        success_threshold: 3,
                    });
                    return Ok(());
                }
                "breaker.trip" => {
                    let b = s.breaker.as_mut().ok_or_else(unknown)?;
                    b.trip = if text(to) == "failure_rate" {
                        TripPolicy::FailureRate {
                            window_ms: 10_000,
                            min_requests: 20,
                            error_pct: 50.0,
                        }
                    } else {
                        TripPolicy::Consecutive { failures: 5 }
                    };
                    return Ok(());
                }
                "timeout" => {
                    s.timeout_ms = on(to).then_some(1_000);
                    return Ok(());
                }
                "name" => {
                    let old = s.name.clone();
                    s.name = text(to);
                    let new = s.name.clone();
                    rename_service(sc, &old, &new);
                    return Ok(());
                }
                _ => {}
            }
            if let Some(j) = f.strip_prefix("calls.") {
                let other = j
                    .parse::<usize>()
                    .ok()
                    .and_then(|j| names.get(j))
                    .ok_or_else(unknown)?;
                s.depends_on.retain(|d| d != other);
                if on(to) {
                    s.depends_on.push(other.clone());
                }
                return Ok(());
            }
            if let Some(q) = f.strip_prefix("publishes.") {
                let queue = q
                    .parse::<usize>()
                    .ok()
                    .and_then(|q| queues.get(q))
                    .ok_or_else(unknown)?;
                let per = number(key, to)?;
                s.publishes.retain(|p| &p.queue != queue);
                if per != 0.0 {
                    s.publishes.push(PublishConfig {
                        queue: queue.clone(),
                        per_request: per,
                    });
                }
                return Ok(());
            }
        }
        (Head::Instance(i, j), f) => {
            let inst = c
                .services
                .get_mut(i)
                .and_then(|s| s.instances.get_mut(j))
                .ok_or(DraftError::NoSuchItem)?;
            match f {
                "lat" => {
                    let m = inst.latency.mean_ms();
                    inst.latency = match text(to).as_str() {
                        "constant" => LatencyDist::Constant { ms: m },
                        "exponential" => LatencyDist::Exponential { mean_ms: m },
                        _ => LatencyDist::LogNormal {
                            median_ms: m,
                            sigma: 0.5,
                        },
                    };
                    return Ok(());
                }
                "backup" => {
                    inst.role = if on(to) { Role::Backup } else { Role::Primary };
                    return Ok(());
                }
                "address" => {
                    let old = std::mem::replace(&mut inst.address, text(to));
                    let new = inst.address.clone();
                    rename_address(sc, &old, &new);
                    return Ok(());
                }
                _ => {}
            }
        }
        (Head::Alert(k), f) => {
            let a = c
                .alerts
                .as_mut()
                .and_then(|r| r.get_mut(k))
                .ok_or(DraftError::NoSuchItem)?;
            let t = text(to);
            match f {
                "metric" => {
                    a.metric = *METRICS.iter().find(|m| m.key() == t).ok_or_else(unknown)?;
                    // A queue metric needs a queue scope, and the reverse.
                    if a.metric.of_queue() != matches!(a.scope, Scope::EachQueue | Scope::Queue(_))
                    {
                        a.scope = if a.metric.of_queue() {
                            Scope::EachQueue
                        } else {
                            Scope::EachService
                        };
                    }
                    if a.metric == AlertMetric::UnderReplicatedKeys {
                        a.scope = Scope::Data;
                    }
                    return Ok(());
                }
                "condition" => {
                    a.condition = if t == "below" {
                        Condition::Below
                    } else {
                        Condition::Above
                    };
                    return Ok(());
                }
                "severity" => {
                    a.severity = match t.as_str() {
                        "info" => Severity::Info,
                        "warning" => Severity::Warning,
                        _ => Severity::Critical,
                    };
                    return Ok(());
                }
                "scope" => {
                    a.scope = match t.split_once(':') {
                        Some(("service", n)) => Scope::Service(n.into()),
                        Some(("instance", n)) => Scope::Instance(n.into()),
                        Some((_, n)) => Scope::Queue(n.into()),
                        None => match t.as_str() {
                            "each_instance" => Scope::EachInstance,
                            "data" => Scope::Data,
                            "each_queue" => Scope::EachQueue,
                            _ => Scope::EachService,
                        },
                    };
                    return Ok(());
                }
                _ => {}
            }
        }
        (Head::Fault(k), f) => {
            let mut e = c.faults.get(k).cloned().ok_or(DraftError::NoSuchItem)?;
            match f {
                "kind" => {
                    let kind = fault_kind(&text(to), None).ok_or_else(unknown)?;
                    let keep = e.target.is_some()
                        && kind.targets_service() == e.kind.targets_service()
                        && kind.targets_data_node() == e.kind.targets_data_node()
                        && kind.targets_queue() == e.kind.targets_queue();
                    e.kind = kind;
                    if e.kind.is_instant() {
                        e.duration_ms = None;
                    }
                    if !keep || matches!(e.kind, ActionKind::TrafficSpike { .. }) {
                        e.target = default_target(sc, &e.kind);
                    }
                }
                "value" => {
                    let x = number(key, to)?;
                    if matches!(
                        e.kind,
                        ActionKind::Capacity { .. }
                            | ActionKind::SetWeight { .. }
                            | ActionKind::DataNodeJoin { .. }
                    ) {
                        whole(key, x)?;
                    }
                    e.kind = fault_value(&e.kind)
                        .and_then(|_| fault_kind(e.kind.key(), Some(x)))
                        .ok_or_else(unknown)?;
                }
                "target" => e.target = Some(text(to)),
                "at_s" => {
                    let x = number(key, to)?;
                    e.at_ms = whole(key, (x * 1e3).round())?;
                }
                "for_s" => {
                    let x = number(key, to)?;
                    let ms = whole(key, (x * 1e3).round())?;
                    e.duration_ms = (ms > 0).then_some(ms);
                }
                _ => return Err(unknown()),
            }
            sc.cluster.faults[k] = e;
            in_time_order(&mut sc.cluster.faults);
            return Ok(());
        }
        (Head::Queue(k), f) => {
            let services: Vec<String> = c.services.iter().map(|s| s.name.clone()).collect();
            let m = c.messaging.as_mut().ok_or(DraftError::NoSuchItem)?;
            let q = m.queues.get_mut(k).ok_or(DraftError::NoSuchItem)?;
            match f {
                "name" => {
                    let old = std::mem::replace(&mut q.name, text(to));
                    let new = q.name.clone();
                    for s in &mut c.services {
                        for p in &mut s.publishes {
                            if p.queue == old {
                                p.queue = new.clone();
                            }
                        }
                    }
                    for fa in &mut c.faults {
                        if fa.kind.targets_queue() && fa.target.as_deref() == Some(&old) {
                            fa.target = Some(new.clone());
                        }
                    }
                    for a in c.alerts.iter_mut().flatten() {
                        if a.scope == Scope::Queue(old.clone()) {
                            a.scope = Scope::Queue(new.clone());
                        }
                    }
                    return Ok(());
                }
                "kind" => {
                    q.kind = if text(to) == "topic" {
                        QueueKind::Topic
                    } else {
                        QueueKind::Queue
                    };
                    return Ok(());
                }
                "overflow" => {
                    q.overflow = if text(to) == "drop_oldest" {
                        Overflow::DropOldest
                    } else {
                        Overflow::Reject
                    };
                    return Ok(());
                }
                _ => {}
            }
            if let Some(i) = f.strip_prefix("consumer.") {
                let name = i
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| services.get(i))
                    .ok_or_else(unknown)?;
                q.consumers.retain(|x| x != name);
                if on(to) {
                    q.consumers.push(name.clone());
                }
                return Ok(());
            }
        }
        _ => {}
    }
    match slot(sc, key).ok_or_else(unknown)? {
        Slot::U32(x) => {
            let n = whole(key, number(key, to)?)?;
            *x = u32::try_from(n).map_err(|_| DraftError::NotWhole(key.into()))?;
        }
        Slot::U64(x) => *x = whole(key, number(key, to)?)?,
        Slot::F64(x) => *x = number(key, to)?,
        Slot::Text(x) => *x = text(to),
        Slot::Flag(x) => *x = on(to),
    }
    Ok(())
}

/// Keeps the timeline in time order, as the scrubber shows it, entries at the same time in
/// the order they were made. At most one entry is out of place after an edit, so a stable
/// insertion sort does it (and keeps a second sort out of the page's wasm).
fn in_time_order(faults: &mut [ScheduledAction]) {
    for i in 1..faults.len() {
        let mut j = i;
        while j > 0 && faults[j - 1].at_ms > faults[j].at_ms {
            faults.swap(j - 1, j);
            j -= 1;
        }
    }
}

fn change(sc: &mut Scenario, edit: &Edit) -> Result<(), DraftError> {
    let c = &mut sc.cluster;
    match edit {
        Edit::Set(key, to) => return set(sc, key, to),
        Edit::AddService => {
            let n = c.services.len() + 1;
            let mut name = format!("service-{n}");
            let mut k = n;
            while c.services.iter().any(|s| s.name == name) {
                k += 1;
                name = format!("service-{k}");
            }
            c.services.push(ServiceConfig::new(&name, 0.0, Vec::new()));
            let s = c.services.len() - 1;
            for _ in 0..2 {
                let i = new_instance(&c.services, s);
                c.services[s].instances.push(i);
            }
        }
        Edit::RemoveService(i) => {
            if *i >= c.services.len() {
                return Err(DraftError::NoSuchItem);
            }
            if c.services.len() == 1 {
                return Err(DraftError::Last("service"));
            }
            let s = c.services.remove(*i);
            let addresses: Vec<String> = s.instances.iter().map(|x| x.address.clone()).collect();
            forget(sc, Some(&s.name), &addresses);
        }
        Edit::AddInstance(i) => {
            if *i >= c.services.len() {
                return Err(DraftError::NoSuchItem);
            }
            let x = new_instance(&c.services, *i);
            c.services[*i].instances.push(x);
        }
        Edit::DuplicateInstance(i, j) => {
            let orig = c
                .services
                .get(*i)
                .and_then(|s| s.instances.get(*j))
                .cloned()
                .ok_or(DraftError::NoSuchItem)?;
            let fresh = new_instance(&c.services, *i);
            c.services[*i].instances.insert(
                j + 1,
                InstanceConfig {
                    id: fresh.id,
                    address: fresh.address,
                    ..orig
                },
            );
        }
        Edit::RemoveInstance(i, j) => {
            let s = c.services.get_mut(*i).ok_or(DraftError::NoSuchItem)?;
            if *j >= s.instances.len() {
                return Err(DraftError::NoSuchItem);
            }
            if s.instances.len() == 1 {
                return Err(DraftError::Last("instance"));
            }
            let gone = s.instances.remove(*j);
            forget(sc, None, &[gone.address]);
        }
        Edit::AddAlert => {
            let rules = c.alerts.get_or_insert_with(Vec::new);
            rules.push(AlertRule {
                name: format!("rule-{}", rules.len() + 1),
                metric: AlertMetric::ErrorRate,
                scope: Scope::EachService,
                condition: Condition::Above,
                threshold: 0.05,
                window_s: 10,
                for_ms: 5_000,
                severity: Severity::Warning,
            })
        }
        Edit::RemoveAlert(k) => {
            let rules = c.alerts.as_mut().ok_or(DraftError::NoSuchItem)?;
            if *k >= rules.len() {
                return Err(DraftError::NoSuchItem);
            }
            rules.remove(*k);
        }
        Edit::AddFault => {
            let target = default_target(sc, &ActionKind::Crash);
            sc.cluster.faults.push(ScheduledAction {
                at_ms: 30_000,
                target,
                kind: ActionKind::Crash,
                duration_ms: Some(20_000),
            });
            in_time_order(&mut sc.cluster.faults);
        }
        Edit::RemoveFault(k) => {
            if *k >= c.faults.len() {
                return Err(DraftError::NoSuchItem);
            }
            c.faults.remove(*k);
        }
        Edit::AddQueue => {
            let consumer = c.services.last().map(|s| s.name.clone());
            let m = c.messaging.as_mut().ok_or(DraftError::NoSuchItem)?;
            let mut q = m.queues.first().cloned().ok_or(DraftError::NoSuchItem)?;
            q.name = format!("queue-{}", m.queues.len() + 1);
            q.consumers = consumer.into_iter().collect();
            m.queues.push(q);
        }
        Edit::RemoveQueue(k) => {
            let m = c.messaging.as_mut().ok_or(DraftError::NoSuchItem)?;
            if *k >= m.queues.len() || m.queues.len() == 1 {
                return Err(DraftError::Last("queue"));
            }
            let q = m.queues.remove(*k);
            for s in &mut c.services {
                s.publishes.retain(|p| p.queue != q.name);
            }
            c.faults
                .retain(|f| !(f.kind.targets_queue() && f.target.as_deref() == Some(&q.name)));
            if let Some(rules) = &mut c.alerts {
                rules.retain(|a| a.scope != Scope::Queue(q.name.clone()));
            }
        }
    }
    Ok(())
}

/// The p50 and p99 of `dist`, ms: the distributions' quantile functions (log-normal:
/// median · e^(σ·z) with z₉₉ = 2.326; exponential: mean · ln 2 and mean · ln 100).
pub fn latency_preview(dist: &LatencyDist) -> (f64, f64) {
    match *dist {
        LatencyDist::Constant { ms } => (ms, ms),
        LatencyDist::Exponential { mean_ms } => (
            mean_ms * core::f64::consts::LN_2,
            mean_ms * libm::log(100.0),
        ),
        LatencyDist::LogNormal { median_ms, sigma } => {
            (median_ms, median_ms * libm::exp(2.326_347_874 * sigma))
        }
    }
}
