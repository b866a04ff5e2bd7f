//! Simulated requests per wall-clock second (criterion).
//!
//! `cargo bench -p ha-engine --bench engine`. Each iteration clones a warmed-up simulation
//! and simulates 5 more seconds; criterion's throughput line is client requests per second of
//! wall time.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ha_engine::balancer::Strategy;
use ha_engine::breaker::BreakerConfig;
use ha_engine::config::{
    ClusterConfig, DiscoveryConfig, GatewayConfig, InstanceConfig, RegistryConfig, ServiceConfig,
    TrafficConfig,
};
use ha_engine::health::HealthCheckConfig;
use ha_engine::rng::LatencyDist;
use ha_engine::trace::TracingConfig;
use ha_engine::{SimTime, Simulation};

fn cluster(n: usize, strategy: Strategy, rate: f64, hardened: bool) -> ClusterConfig {
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
    }
}

fn bench_scenario(c: &mut Criterion, name: &str, cfg: ClusterConfig) {
    let mut warm = Simulation::new(cfg, 1).expect("valid");
    warm.run_until(SimTime::from_secs(10));
    // Requests one iteration simulates (deterministic: same clone, same seed stream).
    let mut probe = warm.clone();
    let before = probe.totals().arrived;
    probe.run_for(5_000_000);
    let per_iter = probe.totals().arrived - before;
    let mut g = c.benchmark_group("simulate");
    g.throughput(Throughput::Elements(per_iter));
    g.sample_size(20);
    g.bench_function(name, |b| {
        b.iter(|| {
            let mut sim = warm.clone();
            sim.run_for(5_000_000);
            sim.totals().arrived
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    bench_scenario(
        c,
        "round_robin_10_instances",
        cluster(10, Strategy::RoundRobin, 4_000.0, false),
    );
    bench_scenario(
        c,
        "p2c_50_instances_breakers_health_checks",
        cluster(50, Strategy::PowerOfTwoChoices, 20_000.0, true),
    );
}

criterion_group!(engine, benches);
criterion_main!(engine);
