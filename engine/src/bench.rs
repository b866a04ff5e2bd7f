//! The standard workloads of `BENCHMARKS.md`, one definition for every place that measures
//! them: the native criterion bench (`engine/benches/engine.rs`), the wasm bench in headless
//! Chromium (`tests/wasm_bench.rs`) and `scripts/bench.sh`, which compares the two.
//!
//! A measurement clones a simulation warmed up for [`WARMUP_S`] simulated seconds and runs it
//! [`MEASURE_US`] simulated µs further; the work done is [`work`]: client requests plus
//! data-store operations that arrived in that span.

use crate::mechanisms::balancer::Strategy;
use crate::mechanisms::breaker::BreakerConfig;
use crate::mechanisms::health::HealthCheckConfig;
use crate::mechanisms::replication::{DataNode, HashRing, ReplicationConfig};
use crate::mechanisms::trace::TracingConfig;
use crate::rng::LatencyDist;
use crate::scenario::config::{
    ClusterConfig, DataConfig, DiscoveryConfig, GatewayConfig, InstanceConfig, RegistryConfig,
    ServiceConfig, TrafficConfig,
};
use crate::sim::Simulation;
use crate::time::SimTime;

/// Simulated warm-up before measuring, s.
pub const WARMUP_S: u64 = 10;
/// Simulated time one measurement runs, µs (5 s).
pub const MEASURE_US: u64 = 5_000_000;

/// A named workload.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Short identifier (criterion's benchmark id, the wasm bench's key).
    pub id: &'static str,
    /// The cluster.
    pub config: ClusterConfig,
}

/// `n` instances `api-0..n` of one service (16 slots, queue 64, log-normal latency with a
/// 20 ms median) at `rate` req/s from 10,000 clients; `hardened` adds the seed's breaker and
/// the default health checks.
pub fn cluster(n: usize, strategy: Strategy, rate: f64, hardened: bool) -> ClusterConfig {
    let instances = (0..n)
        .map(|i| {
            InstanceConfig::new(
                &format!("api-{i}"),
                &format!("10.0.{}.{}:8080", i / 250, i % 250),
                16,
                64,
                LatencyDist::LogNormal {
                    median_ms: 20.0,
                    sigma: 0.5,
                },
            )
        })
        .collect();
    let mut svc = ServiceConfig::new("api", 1.0, instances);
    svc.strategy = strategy;
    if hardened {
        svc.breaker = Some(BreakerConfig::seed_default());
        svc.health_check = Some(HealthCheckConfig::default());
    }
    ClusterConfig {
        services: vec![svc],
        traffic: TrafficConfig {
            rate_rps: rate,
            clients: 10_000,
        },
        registry: RegistryConfig {
            heartbeat_interval_ms: 5_000,
            heartbeat_timeout_ms: 30_000,
        },
        request_timeout_ms: 1_000,
        metrics_window_s: 60,
        discovery: DiscoveryConfig::default(),
        gateway: GatewayConfig::default(),
        tracing: TracingConfig::default(),
        alerts: None,
        faults: Vec::new(),
        data: None,
        messaging: None,
    }
}

/// The three standard workloads: 10 instances under round robin at 4,000 req/s; 50 instances
/// under power of two choices with breakers and health checks at 20,000 req/s; replicated
/// keyed traffic (20,000 ops/s, 30 % writes, N = 3, W = 2, R = 1) on a 20-node ring with 100
/// virtual nodes each, next to 1,000 req/s of client traffic.
pub fn workloads() -> Vec<Workload> {
    let mut data = cluster(4, Strategy::RoundRobin, 1_000.0, false);
    let mut replication = ReplicationConfig::uniform(20, 100, 1_000_000);
    replication.write_quorum = 2;
    data.data = Some(DataConfig {
        replication,
        ops_per_s: 20_000.0,
        write_fraction: 0.3,
        key_space: 100_000,
        preload_keys: 10_000,
        repair_per_s: 100,
    });
    vec![
        Workload {
            id: "round_robin_10_instances",
            config: cluster(10, Strategy::RoundRobin, 4_000.0, false),
        },
        Workload {
            id: "p2c_50_instances_breakers_health_checks",
            config: cluster(50, Strategy::PowerOfTwoChoices, 20_000.0, true),
        },
        Workload {
            id: "replicated_keys_20_node_ring",
            config: data,
        },
    ]
}

/// `w` run for [`WARMUP_S`] with seed 1.
pub fn warmed(w: &Workload) -> Simulation {
    let mut sim = Simulation::new(w.config.clone(), 1).expect("standard workloads are valid");
    sim.run_until(SimTime::from_secs(WARMUP_S));
    sim
}

/// Client requests plus data operations that have arrived so far.
pub fn work(sim: &Simulation) -> u64 {
    let d = sim.data_ops();
    sim.totals().arrived
        + d.writes_ok
        + d.writes_failed
        + d.reads_first
        + d.reads_fallback
        + d.reads_not_found
        + d.reads_unavailable
}

/// One measurement: clones `warm`, runs it [`MEASURE_US`] further, returns the work done.
/// Deterministic: the same `warm` always gives the same count.
pub fn iteration(warm: &Simulation) -> u64 {
    let mut sim = warm.clone();
    let before = work(&sim);
    sim.run_for(MEASURE_US);
    work(&sim) - before
}

/// A ring of `nodes` data nodes with `vnodes` virtual nodes each: 1,000 × 1,000 is a million
/// points, past what a scenario's store accepts (64 nodes), so it is built directly.
pub fn ring(nodes: usize, vnodes: u32) -> HashRing {
    let members: Vec<DataNode> = ReplicationConfig::uniform(nodes, vnodes, 1)
        .nodes
        .into_iter()
        .map(|config| DataNode {
            config,
            member: true,
            up: true,
            used: 0,
        })
        .collect();
    HashRing::build(&members, vnodes)
}

/// The replica set of key hash `h` on `ring`: the first 3 distinct nodes clockwise
/// ([`HashRing::walk`], the store's preference list), as node indices; `u16::MAX` past the
/// number of members.
pub fn replicas(ring: &HashRing, h: u64) -> [u16; 3] {
    let mut out = [u16::MAX; 3];
    for (k, n) in ring.walk(h).take(3).enumerate() {
        out[k] = n;
    }
    out
}

/// The next pseudo-random key of the lookup benchmark (an LCG step on `state`), so no two
/// lookups in a row ask for the same key.
pub fn next_key(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1);
    *state
}
