//! Small cluster builders for the engine's behaviour and property tests.
#![allow(dead_code)]

use ha_engine::common::Role;
use ha_engine::config::{
    ClusterConfig, DiscoveryConfig, GatewayConfig, InstanceConfig, RegistryConfig, ServiceConfig,
    TrafficConfig,
};
use ha_engine::event::{Event, LOG_CAPACITY};
use ha_engine::rng::LatencyDist;
use ha_engine::trace::TracingConfig;
use ha_engine::{InstanceId, SimTime, Simulation};

/// An instance `10.0.<s>.<i>:8080` with `concurrency` slots, a 32-deep queue and a log-normal
/// service time around `median_ms`.
pub fn inst(s: usize, i: usize, concurrency: u32, median_ms: f64) -> InstanceConfig {
    InstanceConfig::new(
        &format!("svc{s}-{i}"),
        &format!("10.0.{s}.{i}:8080"),
        concurrency,
        32,
        LatencyDist::LogNormal {
            median_ms,
            sigma: 0.3,
        },
    )
}

/// One service `api` with `n` identical instances, `rate` req/s from 1 000 clients, watches on
/// (the balancer follows the registry at once), 1 s timeout.
pub fn one_service(n: usize, concurrency: u32, median_ms: f64, rate: f64) -> ClusterConfig {
    let instances = (0..n).map(|i| inst(0, i, concurrency, median_ms)).collect();
    ClusterConfig {
        services: vec![ServiceConfig::new("api", 1.0, instances)],
        traffic: TrafficConfig {
            rate_rps: rate,
            clients: 1_000,
        },
        registry: RegistryConfig {
            heartbeat_interval_ms: 5_000,
            heartbeat_timeout_ms: 30_000,
        },
        request_timeout_ms: 1_000,
        metrics_window_s: 60,
        discovery: DiscoveryConfig {
            cache_ttl_ms: 30_000,
            watch: true,
        },
        gateway: GatewayConfig::default(),
        tracing: TracingConfig {
            sample_rate: 0.0,
            ..TracingConfig::default()
        },
        alerts: Some(Vec::new()),
        faults: Vec::new(),
        data: None,
        messaging: None,
    }
}

/// Adds a backup instance to service 0.
pub fn with_backup(mut cfg: ClusterConfig, boot_ms: u64) -> ClusterConfig {
    let n = cfg.services[0].instances.len();
    let mut b = cfg.services[0].instances[0].clone();
    b.id = "backup-1".into();
    b.address = format!("10.0.0.{}:8080", 100 + n);
    b.role = Role::Backup;
    b.boot_time_ms = boot_ms;
    cfg.services[0].instances.push(b);
    cfg
}

pub fn id(sim: &Simulation, addr: &str) -> InstanceId {
    sim.instance_by_address(addr)
        .unwrap_or_else(|| panic!("no {addr}"))
}

/// Times of retained notable (control-plane) events matching `f`.
pub fn times(sim: &Simulation, f: impl Fn(&Event) -> bool) -> Vec<SimTime> {
    sim.log()
        .notable()
        .filter(|e| f(&e.event))
        .map(|e| e.at)
        .collect()
}

/// Mean over `samples` one-second samples of instance `id`'s in-flight requests.
pub fn mean_in_flight(sim: &Simulation, id: InstanceId) -> f64 {
    let m = sim.metrics(id).unwrap();
    let pts: Vec<_> = m.series().collect();
    pts.iter().map(|p| p.in_flight as f64).sum::<f64>() / pts.len().max(1) as f64
}

/// Calls dispatched to each instance in each simulated second of `sim`'s run from now to
/// `until_s`: `[second][instance]`, second `k` covering `(k, k + 1]` s after now. Counted as
/// they happen: the bounded log keeps only the newest entries of a busy run.
pub fn dispatches_per_second(sim: &mut Simulation, until_s: u64) -> Vec<Vec<usize>> {
    let from_s = sim.now().as_us() / 1_000_000;
    let mut seen = sim.log().total();
    (from_s + 1..=until_s)
        .map(|t| {
            sim.run_until(SimTime::from_secs(t));
            let new = (sim.log().total() - seen) as usize;
            seen = sim.log().total();
            assert!(
                new <= LOG_CAPACITY,
                "second {t}: {new} events, more than the log keeps"
            );
            let mut per_instance = vec![0; sim.instance_count()];
            for e in sim.log().entries().rev().take(new) {
                if let Event::CallDispatched { instance, .. } = e.event {
                    per_instance[instance.0 as usize] += 1;
                }
            }
            per_instance
        })
        .collect()
}

/// Request ids with a `RequestEnded` entry in the retained log, and how many entries there are
/// (more entries than ids: a request ended twice).
pub fn ended_in_log(sim: &Simulation) -> (usize, std::collections::BTreeSet<u64>) {
    let ids: Vec<u64> = sim
        .log()
        .entries()
        .filter_map(|e| match e.event {
            Event::RequestEnded { request, .. } => Some(request),
            _ => None,
        })
        .collect();
    (ids.len(), ids.into_iter().collect())
}
