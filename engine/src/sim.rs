//! The simulation: a discrete-event loop over clients, the load balancer, the registry and the
//! instances.
//!
//! Shape (after `stateright`'s `Model` and crux's core): a pure state machine. The only inputs are
//! the validated [`ClusterConfig`], the seed and [`Command`]s; the only clock is the event
//! queue's. [`Simulation::view`] and [`Simulation::report`] are what shells (the web app,
//! `ha-sim`) read.
//!
//! A request's life: a Poisson arrival from a client, addressed to a service by traffic share →
//! the service's balancer picks an upstream from its view of the registry (round robin) → the
//! instance serves it in a free slot, queues it, or refuses it (queue full: 503; process down:
//! connection refused, 502) → it ends ok, as a 500 (the instance's error rate) or as a 504 when
//! the per-call timeout fires first. It ends exactly once; a late response is discarded.

use crate::balancer::RoundRobin;
use crate::config::ClusterConfig;
use crate::event::{
    Digest, ErrorCause, Event, EventLog, FeedEntry, Outcome, Severity, FEED_CAPACITY,
};
use crate::metrics::WindowMetrics;
use crate::queue::EventQueue;
use crate::registry::{Registry, RegistryEvent, WatcherId};
use crate::rng::SimRng;
use crate::time::SimTime;
use crate::{InstanceId, ServiceId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;

/// Simulated time between metric samples (one chart point per instance), µs.
pub const METRICS_TICK_US: u64 = 1_000_000;

/// Counts of requests by how they ended, plus those still in flight.
///
/// Invariant: `arrived == ok + error + timeout + no_healthy_upstream + in_flight`.
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
    /// Ended 503 with no upstream to send to.
    pub no_healthy_upstream: u64,
    /// Not ended yet.
    pub in_flight: u64,
}

impl OutcomeCounts {
    /// True when the counts add up (the invariant above).
    pub fn add_up(&self) -> bool {
        self.arrived
            == self.ok + self.error + self.timeout + self.no_healthy_upstream + self.in_flight
    }
}

/// An action from outside the engine (the page's buttons, `ha-sim --crash`, later a fault
/// timeline). Applied at the current simulated time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Kill the instance's process: in-flight requests are reset, heartbeats stop, new
    /// connections are refused. The registry keeps listing it until its TTL runs out.
    Crash(InstanceId),
    /// Start the instance's process again: it heart-beats (or registers anew if it expired).
    Restart(InstanceId),
}

/// Why a [`Command`] was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandError {
    /// No instance has this id.
    UnknownInstance(InstanceId),
    /// Crash of an instance that is already down.
    AlreadyDown(InstanceId),
    /// Restart of an instance that is running.
    AlreadyUp(InstanceId),
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::UnknownInstance(i) => write!(f, "no instance {}", i.0),
            CommandError::AlreadyDown(i) => write!(f, "instance {} is already down", i.0),
            CommandError::AlreadyUp(i) => write!(f, "instance {} is already running", i.0),
        }
    }
}

impl std::error::Error for CommandError {}

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
    ServiceDone {
        instance: InstanceId,
        incarnation: u32,
        request: u64,
    },
    Timeout {
        request: u64,
    },
    MetricsTick,
}

#[derive(Clone, Debug)]
struct Request {
    arrived: SimTime,
    instance: Option<InstanceId>,
}

/// Runtime state of one instance.
#[derive(Clone, Debug)]
pub(crate) struct Instance {
    pub(crate) service: ServiceId,
    /// Position of its config in `cfg.services[service].instances`.
    slot: usize,
    pub(crate) up: bool,
    /// Bumped on every crash and restart; events of an older incarnation are stale.
    incarnation: u32,
    pub(crate) busy: u32,
    pub(crate) queue: VecDeque<u64>,
    pub(crate) served: u64,
    pub(crate) errors: u64,
    pub(crate) timeouts: u64,
    pub(crate) last_heartbeat: Option<SimTime>,
    pub(crate) crashed_at: Option<SimTime>,
    /// Connections refused since the last crash.
    pub(crate) refused_since_crash: u64,
    pub(crate) metrics: WindowMetrics,
}

/// One simulation run. See the module docs for the request model.
#[derive(Clone, Debug)]
pub struct Simulation {
    pub(crate) cfg: ClusterConfig,
    seed: u64,
    now: SimTime,
    queue: EventQueue<Pending>,
    rng: SimRng,
    pub(crate) registry: Registry,
    lb_watcher: WatcherId,
    /// The balancer's upstream list per service, kept from registry watch events.
    pub(crate) upstreams: Vec<Vec<InstanceId>>,
    round_robin: Vec<RoundRobin>,
    pub(crate) instances: Vec<Instance>,
    requests: BTreeMap<u64, Request>,
    next_request: u64,
    /// Cumulative traffic shares, for picking a service per arrival.
    share_cdf: Vec<f64>,
    pub(crate) totals: OutcomeCounts,
    log: EventLog,
    feed: VecDeque<FeedEntry>,
    feed_seq: u64,
}

impl Simulation {
    /// A run of `cfg` with `seed`, at simulated time 0 with every instance registered.
    ///
    /// Errors: the config's first [`crate::ConfigError`].
    pub fn new(cfg: ClusterConfig, seed: u64) -> Result<Self, crate::ConfigError> {
        cfg.validate()?;
        let ttl_us = cfg.registry.heartbeat_timeout_ms * 1_000;
        let mut registry = Registry::new(ttl_us);
        let lb_watcher = registry.watch(None);
        let mut instances = Vec::new();
        for (s, svc) in cfg.services.iter().enumerate() {
            for slot in 0..svc.instances.len() {
                instances.push(Instance {
                    service: ServiceId(s as u16),
                    slot,
                    up: true,
                    incarnation: 0,
                    busy: 0,
                    queue: VecDeque::new(),
                    served: 0,
                    errors: 0,
                    timeouts: 0,
                    last_heartbeat: None,
                    crashed_at: None,
                    refused_since_crash: 0,
                    metrics: WindowMetrics::new(cfg.metrics_window_s),
                });
            }
        }
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
        let mut sim = Simulation {
            cfg,
            seed,
            now: SimTime::ZERO,
            queue: EventQueue::new(),
            rng: SimRng::new(seed),
            registry,
            lb_watcher,
            upstreams: vec![Vec::new(); n_services],
            round_robin: vec![RoundRobin::default(); n_services],
            instances,
            requests: BTreeMap::new(),
            next_request: 0,
            share_cdf,
            totals: OutcomeCounts::default(),
            log: EventLog::default(),
            feed: VecDeque::new(),
            feed_seq: 0,
        };
        let interval_us = sim.cfg.registry.heartbeat_interval_ms * 1_000;
        for i in 0..sim.instances.len() {
            let id = InstanceId(i as u32);
            sim.register(id);
            // Stagger heartbeats so instances do not beat in lockstep.
            let first = sim.rng.below(interval_us).max(1);
            sim.queue.push(
                SimTime(first),
                Pending::Heartbeat {
                    instance: id,
                    incarnation: 0,
                },
            );
        }
        sim.sync_balancer();
        sim.schedule_next_arrival();
        sim.queue
            .push(SimTime(METRICS_TICK_US), Pending::MetricsTick);
        Ok(sim)
    }

    /// The configuration this run was built from.
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

    /// Request counts by outcome.
    pub fn totals(&self) -> OutcomeCounts {
        self.totals
    }

    /// The event log (bounded; counts and digest cover everything).
    pub fn log(&self) -> &EventLog {
        &self.log
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
        self.feed_seq
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Number of instances over all services.
    pub fn instance_count(&self) -> usize {
        self.instances.len()
    }

    /// The instance listening on `address` (`host:port`), if any.
    pub fn instance_by_address(&self, address: &str) -> Option<InstanceId> {
        self.instance_configs()
            .position(|c| c.address == address)
            .map(|i| InstanceId(i as u32))
    }

    pub(crate) fn instance_configs(&self) -> impl Iterator<Item = &crate::InstanceConfig> {
        self.cfg.services.iter().flat_map(|s| s.instances.iter())
    }

    /// The config of `id`, in O(1) (it is on the per-request path).
    pub(crate) fn instance_config(&self, id: InstanceId) -> &crate::InstanceConfig {
        let inst = &self.instances[id.0 as usize];
        &self.cfg.services[inst.service.0 as usize].instances[inst.slot]
    }

    /// `host:port` of `id` ("?" for an unknown id).
    pub fn address(&self, id: InstanceId) -> &str {
        if (id.0 as usize) < self.instances.len() {
            &self.instance_config(id).address
        } else {
            "?"
        }
    }

    /// Processes the next scheduled event, advancing the clock to it. Returns its time, or
    /// `None` when nothing is scheduled.
    pub fn step(&mut self) -> Option<SimTime> {
        let next = self.queue.pop()?;
        self.now = self.now.max(next.at);
        self.handle(next.item);
        Some(next.at)
    }

    /// Processes every event due at or before `until`, then sets the clock to `until` (if it is
    /// later than now).
    pub fn run_until(&mut self, until: SimTime) {
        while self.queue.peek_time().is_some_and(|t| t <= until) {
            self.step();
        }
        self.now = self.now.max(until);
    }

    /// Runs for `us` more simulated microseconds.
    pub fn run_for(&mut self, us: u64) {
        self.run_until(self.now.plus_us(us));
    }

    /// Applies `cmd` at the current simulated time.
    ///
    /// Errors: [`CommandError`] when the instance is unknown or already in that state; the
    /// run is unchanged then.
    pub fn apply(&mut self, cmd: Command) -> Result<(), CommandError> {
        match cmd {
            Command::Crash(id) => self.crash(id),
            Command::Restart(id) => self.restart(id),
        }
    }

    fn inst(&self, id: InstanceId) -> Result<&Instance, CommandError> {
        self.instances
            .get(id.0 as usize)
            .ok_or(CommandError::UnknownInstance(id))
    }

    fn crash(&mut self, id: InstanceId) -> Result<(), CommandError> {
        if !self.inst(id)?.up {
            return Err(CommandError::AlreadyDown(id));
        }
        let now = self.now;
        let lost: Vec<u64> = self
            .requests
            .iter()
            .filter(|(_, r)| r.instance == Some(id))
            .map(|(k, _)| *k)
            .collect();
        {
            let inst = &mut self.instances[id.0 as usize];
            inst.up = false;
            inst.incarnation += 1;
            inst.busy = 0;
            inst.queue.clear();
            inst.crashed_at = Some(now);
            inst.refused_since_crash = 0;
        }
        for r in &lost {
            self.end(*r, Outcome::Error, Some(ErrorCause::ConnectionReset));
        }
        self.record(Event::InstanceCrashed {
            instance: id,
            requests_lost: lost.len() as u32,
        });
        let addr = self.address(id).to_string();
        let expiry = match self.registry.expires_at(id) {
            Some(t) => format!(
                "; the registry keeps listing it until its TTL runs out at {t} unless a heartbeat arrives"
            ),
            None => String::new(),
        };
        let lost_text = match lost.len() {
            0 => "no request was in it".to_string(),
            1 => "the 1 request in it was reset (502)".to_string(),
            n => format!("the {n} requests in it were reset (502)"),
        };
        self.post(
            Severity::Critical,
            "instance_crashed",
            format!("{addr} crashed: {lost_text}; it stops heart-beating{expiry}"),
            Some(id),
        );
        Ok(())
    }

    fn restart(&mut self, id: InstanceId) -> Result<(), CommandError> {
        if self.inst(id)?.up {
            return Err(CommandError::AlreadyUp(id));
        }
        let incarnation = {
            let inst = &mut self.instances[id.0 as usize];
            inst.up = true;
            inst.incarnation += 1;
            inst.crashed_at = None;
            inst.incarnation
        };
        self.record(Event::InstanceRestarted { instance: id });
        let addr = self.address(id).to_string();
        self.post(
            Severity::Info,
            "instance_restarted",
            format!("{addr} restarted"),
            Some(id),
        );
        self.heartbeat(id);
        let interval = self.cfg.registry.heartbeat_interval_ms * 1_000;
        self.queue.push(
            self.now.plus_us(interval),
            Pending::Heartbeat {
                instance: id,
                incarnation,
            },
        );
        Ok(())
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
            } => {
                let inst = &self.instances[instance.0 as usize];
                if inst.up && inst.incarnation == incarnation {
                    self.heartbeat(instance);
                    let interval = self.cfg.registry.heartbeat_interval_ms * 1_000;
                    self.queue.push(
                        self.now.plus_us(interval),
                        Pending::Heartbeat {
                            instance,
                            incarnation,
                        },
                    );
                }
            }
            Pending::TtlCheck { instance } => {
                if let Some(RegistryEvent::Expired { last_heartbeat, .. }) =
                    self.registry.expire_if_due(instance, self.now)
                {
                    self.record(Event::Expired {
                        instance,
                        last_heartbeat,
                    });
                    let inst = &self.instances[instance.0 as usize];
                    let refused = inst.refused_since_crash;
                    let addr = self.address(instance).to_string();
                    let ttl_s = self.cfg.registry.heartbeat_timeout_ms as f64 / 1e3;
                    let tail = match (inst.up, refused) {
                        (true, _) => String::new(),
                        (false, 0) => "; no request reached it after it crashed".to_string(),
                        (false, 1) => {
                            "; 1 request was sent to it after it crashed, and refused".to_string()
                        }
                        (false, n) => {
                            format!("; {n} requests were sent to it after it crashed, all refused")
                        }
                    };
                    self.post(
                        Severity::Warning,
                        "expired",
                        format!(
                            "registry expired {addr}: no heartbeat for {ttl_s} s (last at {last_heartbeat}){tail}"
                        ),
                        Some(instance),
                    );
                    self.sync_balancer();
                }
            }
            Pending::ServiceDone {
                instance,
                incarnation,
                request,
            } => self.service_done(instance, incarnation, request),
            Pending::Timeout { request } => {
                if self.requests.contains_key(&request) {
                    self.end(request, Outcome::Timeout, None);
                }
            }
            Pending::MetricsTick => {
                let now = self.now;
                for inst in &mut self.instances {
                    let in_flight = inst.busy + inst.queue.len() as u32;
                    inst.metrics.sample(now, in_flight);
                }
                self.queue
                    .push(now.plus_us(METRICS_TICK_US), Pending::MetricsTick);
            }
        }
    }

    fn schedule_next_arrival(&mut self) {
        let rate = self.cfg.traffic.rate_rps;
        if rate <= 0.0 {
            return;
        }
        let gap_us = self.rng.exponential(1e6 / rate);
        let gap_us = if gap_us.is_finite() {
            (gap_us as u64).max(1)
        } else {
            1
        };
        self.queue.push(self.now.plus_us(gap_us), Pending::Arrival);
    }

    fn arrival(&mut self) {
        let request = self.next_request;
        self.next_request += 1;
        let client = self.rng.below(self.cfg.traffic.clients as u64) as u32;
        let u = self.rng.uniform();
        let service = self
            .share_cdf
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.share_cdf.len() - 1);
        let service = ServiceId(service as u16);
        self.totals.arrived += 1;
        self.totals.in_flight += 1;
        self.requests.insert(
            request,
            Request {
                arrived: self.now,
                instance: None,
            },
        );
        self.record(Event::RequestArrived {
            request,
            client,
            service,
        });
        let s = service.0 as usize;
        let Some(target) = self.round_robin[s].pick(&self.upstreams[s]) else {
            self.end(request, Outcome::NoHealthyUpstream, None);
            return;
        };
        if let Some(r) = self.requests.get_mut(&request) {
            r.instance = Some(target);
        }
        self.record(Event::RequestDispatched {
            request,
            instance: target,
        });
        self.dispatch(request, target);
    }

    fn dispatch(&mut self, request: u64, id: InstanceId) {
        let (concurrency, queue_limit) = {
            let c = self.instance_config(id);
            (c.concurrency, c.queue_limit)
        };
        let inst = &mut self.instances[id.0 as usize];
        if !inst.up {
            inst.refused_since_crash += 1;
            let first = inst.refused_since_crash == 1;
            self.end(request, Outcome::Error, Some(ErrorCause::ConnectionRefused));
            if first {
                self.record(Event::ConnectionsRefused { instance: id });
                let listed = self.registry.is_registered(id);
                let addr = self.address(id).to_string();
                let why = if listed {
                    " (the balancer still routes to it: the registry lists it until its TTL runs out)"
                } else {
                    ""
                };
                self.post(
                    Severity::Warning,
                    "connections_refused",
                    format!("requests to {addr} fail with 502: connection refused{why}"),
                    Some(id),
                );
            }
            return;
        }
        if inst.busy < concurrency {
            inst.busy += 1;
            self.start_service(request, id);
        } else if (inst.queue.len() as u32) < queue_limit {
            inst.queue.push_back(request);
        } else {
            self.end(request, Outcome::Error, Some(ErrorCause::Overloaded));
            return;
        }
        let timeout = self.cfg.request_timeout_ms * 1_000;
        self.queue
            .push(self.now.plus_us(timeout), Pending::Timeout { request });
    }

    /// Starts serving `request` in a slot already counted in `busy`.
    fn start_service(&mut self, request: u64, id: InstanceId) {
        let dist = self.instance_config(id).latency;
        let service_us = dist.sample_us(&mut self.rng);
        let incarnation = self.instances[id.0 as usize].incarnation;
        self.queue.push(
            self.now.plus_us(service_us),
            Pending::ServiceDone {
                instance: id,
                incarnation,
                request,
            },
        );
    }

    fn service_done(&mut self, id: InstanceId, incarnation: u32, request: u64) {
        if self.instances[id.0 as usize].incarnation != incarnation {
            return; // the process that was serving it is gone; the request already ended
        }
        let error_rate = self.instance_config(id).error_rate;
        // Draw for every completion, ended or not, so the random stream does not depend on
        // timeouts.
        let failed = error_rate > 0.0 && self.rng.chance(error_rate);
        if self.requests.contains_key(&request) {
            if failed {
                self.end(request, Outcome::Error, Some(ErrorCause::Application));
            } else {
                self.end(request, Outcome::Ok, None);
            }
        }
        // The slot goes to the next queued request (even if its caller gave up: the server
        // cannot know).
        let inst = &mut self.instances[id.0 as usize];
        if let Some(next) = inst.queue.pop_front() {
            self.start_service(next, id);
        } else {
            inst.busy = inst.busy.saturating_sub(1);
        }
    }

    /// Ends `request` with `outcome`: the only place a request ends.
    fn end(&mut self, request: u64, outcome: Outcome, cause: Option<ErrorCause>) {
        let Some(req) = self.requests.remove(&request) else {
            return;
        };
        let latency_us = self.now.since(req.arrived);
        self.totals.in_flight -= 1;
        match outcome {
            Outcome::Ok => self.totals.ok += 1,
            Outcome::Error => self.totals.error += 1,
            Outcome::Timeout => self.totals.timeout += 1,
            Outcome::NoHealthyUpstream => self.totals.no_healthy_upstream += 1,
        }
        if let Some(id) = req.instance {
            let now = self.now;
            let inst = &mut self.instances[id.0 as usize];
            match outcome {
                Outcome::Ok => inst.served += 1,
                Outcome::Error => inst.errors += 1,
                Outcome::Timeout => inst.timeouts += 1,
                Outcome::NoHealthyUpstream => {}
            }
            let responded = !matches!(
                cause,
                Some(ErrorCause::ConnectionRefused | ErrorCause::ConnectionReset)
            );
            inst.metrics
                .record(now, responded.then_some(latency_us), outcome == Outcome::Ok);
        }
        self.record(Event::RequestEnded {
            request,
            instance: req.instance,
            outcome,
            cause,
            latency_us,
        });
    }

    fn register(&mut self, id: InstanceId) {
        let (service, address) = {
            let svc = &self.cfg.services[self.instances[id.0 as usize].service.0 as usize];
            (svc.name.clone(), self.address(id).to_string())
        };
        if self
            .registry
            .register(id, &service, &address, self.now)
            .is_ok()
        {
            self.instances[id.0 as usize].last_heartbeat = Some(self.now);
            self.record(Event::Registered { instance: id });
            self.post(
                Severity::Info,
                "registered",
                format!("{address} registered as {service}"),
                Some(id),
            );
            self.schedule_ttl_check(id);
        }
    }

    /// A heartbeat from `id`: renews its registration, or registers it again if it expired.
    fn heartbeat(&mut self, id: InstanceId) {
        if self.registry.heartbeat(id, self.now).is_ok() {
            self.instances[id.0 as usize].last_heartbeat = Some(self.now);
            self.record(Event::Heartbeat { instance: id });
            self.schedule_ttl_check(id);
        } else {
            self.register(id);
            self.sync_balancer();
        }
    }

    fn schedule_ttl_check(&mut self, id: InstanceId) {
        if let Some(at) = self.registry.expires_at(id) {
            self.queue.push(at, Pending::TtlCheck { instance: id });
        }
    }

    /// Applies the registry changes the balancer's watcher has received to its upstream lists.
    fn sync_balancer(&mut self) {
        let events = self.registry.drain(self.lb_watcher);
        let mut changed: Vec<usize> = Vec::new();
        for ev in &events {
            if let Some(s) = self
                .cfg
                .services
                .iter()
                .position(|s| s.name == ev.service())
            {
                if !changed.contains(&s) {
                    changed.push(s);
                }
            }
        }
        changed.sort_unstable();
        for s in changed {
            let new: Vec<InstanceId> = self.registry.discover(&self.cfg.services[s].name).to_vec();
            if new == self.upstreams[s] {
                continue;
            }
            let removed: Vec<String> = self.upstreams[s]
                .iter()
                .filter(|i| !new.contains(i))
                .map(|i| self.address(*i).to_string())
                .collect();
            let added: Vec<String> = new
                .iter()
                .filter(|i| !self.upstreams[s].contains(i))
                .map(|i| self.address(*i).to_string())
                .collect();
            self.upstreams[s] = new.clone();
            self.record(Event::UpstreamsChanged {
                service: ServiceId(s as u16),
                upstreams: new.clone(),
            });
            // Registrations at start are already in the feed one by one.
            if self.now == SimTime::ZERO {
                continue;
            }
            let name = self.cfg.services[s].name.clone();
            let mut parts = Vec::new();
            if !removed.is_empty() {
                parts.push(format!("stopped sending to {}", removed.join(", ")));
            }
            if !added.is_empty() {
                parts.push(format!("started sending to {}", added.join(", ")));
            }
            let severity = if new.is_empty() {
                Severity::Critical
            } else if removed.is_empty() {
                Severity::Info
            } else {
                Severity::Warning
            };
            let left = if new.is_empty() {
                "no upstream left: requests get 503 no healthy upstream".to_string()
            } else {
                match new.len() {
                    1 => "1 upstream left".to_string(),
                    n => format!("{n} upstreams left"),
                }
            };
            self.post(
                severity,
                "upstreams_changed",
                format!("load balancer for {name} {}; {left}", parts.join(" and ")),
                None,
            );
        }
    }

    fn record(&mut self, event: Event) {
        self.log.push(self.now, event);
    }

    fn post(&mut self, severity: Severity, kind: &str, text: String, instance: Option<InstanceId>) {
        if self.feed.len() == FEED_CAPACITY {
            self.feed.pop_front();
        }
        self.feed_seq += 1;
        self.feed.push_back(FeedEntry {
            seq: self.feed_seq - 1,
            at: self.now,
            severity,
            kind: kind.to_string(),
            text,
            instance,
        });
    }

    /// Latency and rate metrics of `id`, if it exists.
    pub fn metrics(&self, id: InstanceId) -> Option<&WindowMetrics> {
        self.instances.get(id.0 as usize).map(|i| &i.metrics)
    }

    /// Requests `id` has served successfully (0 for an unknown id).
    pub fn served(&self, id: InstanceId) -> u64 {
        self.instances.get(id.0 as usize).map_or(0, |i| i.served)
    }

    /// True if `id`'s process is running.
    pub fn is_up(&self, id: InstanceId) -> bool {
        self.instances.get(id.0 as usize).is_some_and(|i| i.up)
    }

    /// The balancer's current upstreams for service `s`, in registry order.
    pub fn upstreams(&self, s: ServiceId) -> &[InstanceId] {
        self.upstreams
            .get(s.0 as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}
