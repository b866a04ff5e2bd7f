//! Property tests over random clusters and fault schedules (proptest).

mod common;

use common::*;
use ha_engine::action::{ActionKind, ScheduledAction};
use ha_engine::alerts::ALERT_FEED_CAPACITY;
use ha_engine::balancer::Strategy as Lb;
use ha_engine::breaker::BreakerConfig;
use ha_engine::common::Role;
use ha_engine::config::ClusterConfig;
use ha_engine::event::{Event, FEED_CAPACITY, LOG_CAPACITY};
use ha_engine::health::{HealthCheckConfig, OutlierConfig};
use ha_engine::ratelimit::RateLimitConfig;
use ha_engine::retry::RetryConfig;
use ha_engine::trace::TRACE_CAPACITY;
use ha_engine::{InstanceId, ServiceId, SimTime, Simulation};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct ServiceSpec {
    instances: usize,
    backups: usize,
    strategy: usize,
    health: bool,
    outlier: bool,
    breaker: u8,
    retries: u32,
    panic: bool,
    failback: bool,
    depends: bool,
}

fn service_spec() -> impl Strategy<Value = ServiceSpec> {
    (
        1usize..=4,
        0usize..=1,
        0usize..Lb::ALL.len(),
        any::<bool>(),
        any::<bool>(),
        0u8..=2,
        0u32..=2,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                instances,
                backups,
                strategy,
                health,
                outlier,
                breaker,
                retries,
                panic,
                failback,
                depends,
            )| {
                ServiceSpec {
                    instances,
                    backups,
                    strategy,
                    health,
                    outlier,
                    breaker,
                    retries,
                    panic,
                    failback,
                    depends,
                }
            },
        )
}

fn fault_kind() -> impl Strategy<Value = ActionKind> {
    prop_oneof![
        Just(ActionKind::Crash),
        Just(ActionKind::Restart),
        Just(ActionKind::Hang),
        (1.0f64..20.0).prop_map(|factor| ActionKind::Slow { factor }),
        (0.0f64..=1.0).prop_map(|rate| ActionKind::ErrorRate { rate }),
        Just(ActionKind::PartitionHeartbeats),
        Just(ActionKind::PartitionServing),
        (0.0f64..3.0).prop_map(|factor| ActionKind::TrafficSpike { factor }),
        (1u32..4).prop_map(|concurrency| ActionKind::Capacity { concurrency }),
    ]
}

#[derive(Clone, Debug)]
struct Scenario {
    services: Vec<ServiceSpec>,
    rate: f64,
    watch: bool,
    cache_ttl_ms: u64,
    limiter: u8,
    faults: Vec<(u64, usize, ActionKind, Option<u64>)>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::collection::vec(service_spec(), 1..=3),
        5.0f64..80.0,
        any::<bool>(),
        5_000u64..30_000,
        0u8..=2,
        prop::collection::vec(
            (
                0u64..60_000,
                0usize..16,
                fault_kind(),
                prop::option::of(1_000u64..40_000),
            ),
            0..6,
        ),
    )
        .prop_map(
            |(services, rate, watch, cache_ttl_ms, limiter, faults)| Scenario {
                services,
                rate,
                watch,
                cache_ttl_ms,
                limiter,
                faults,
            },
        )
}

fn build(sc: &Scenario) -> ClusterConfig {
    let mut cfg = one_service(1, 4, 20.0, sc.rate);
    cfg.services.clear();
    let n = sc.services.len();
    for (s, spec) in sc.services.iter().enumerate() {
        let mut instances: Vec<_> = (0..spec.instances).map(|i| inst(s, i, 4, 20.0)).collect();
        for b in 0..spec.backups {
            let mut x = inst(s, 50 + b, 4, 20.0);
            x.role = Role::Backup;
            x.boot_time_ms = 2_000;
            instances.push(x);
        }
        let mut svc = ha_engine::ServiceConfig::new(&format!("svc{s}"), 1.0, instances);
        svc.strategy = Lb::ALL[spec.strategy];
        svc.lb.maglev_table_size = 251;
        svc.health_check = spec.health.then(HealthCheckConfig::default);
        svc.outlier = spec.outlier.then(OutlierConfig::default);
        svc.breaker = match spec.breaker {
            1 => Some(BreakerConfig::seed_example()),
            2 => Some(BreakerConfig::hystrix()),
            _ => None,
        };
        svc.retry = RetryConfig {
            max_retries: spec.retries,
            ..RetryConfig::default()
        };
        svc.panic_threshold_pct = if spec.panic { 50.0 } else { 0.0 };
        svc.failback = spec.failback;
        // Acyclic: a service may call the next one.
        if spec.depends && s + 1 < n {
            svc.depends_on = vec![format!("svc{}", s + 1)];
        }
        cfg.services.push(svc);
    }
    cfg.discovery.watch = sc.watch;
    cfg.discovery.cache_ttl_ms = sc.cache_ttl_ms;
    cfg.tracing.sample_rate = 0.2;
    cfg.alerts = None;
    cfg.gateway.rate_limit = match sc.limiter {
        1 => Some(RateLimitConfig::TokenBucket {
            capacity: 20,
            refill_per_s: sc.rate * 0.8,
        }),
        2 => Some(RateLimitConfig::SlidingWindow {
            max_requests: 200,
            window_ms: 10_000,
        }),
        _ => None,
    };
    let addresses: Vec<String> = cfg
        .services
        .iter()
        .flat_map(|s| s.instances.iter().map(|i| i.address.clone()))
        .collect();
    for (at_ms, target, fault, duration_ms) in &sc.faults {
        cfg.faults.push(ScheduledAction {
            at_ms: *at_ms,
            target: (!fault.is_cluster_wide()).then(|| addresses[target % addresses.len()].clone()),
            kind: *fault,
            duration_ms: *duration_ms,
        });
    }
    cfg
}

/// Runs `cfg` for 90 simulated s one event at a time, checking the invariants after every
/// event. Returns the digest.
fn run_checked(cfg: &ClusterConfig, seed: u64) -> Result<String, TestCaseError> {
    let mut sim = Simulation::keeping_events(cfg.clone(), seed, LOG_CAPACITY)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let service_of: Vec<ServiceId> = cfg
        .services
        .iter()
        .enumerate()
        .flat_map(|(s, svc)| svc.instances.iter().map(move |_| ServiceId(s as u16)))
        .collect();
    let mut known: Vec<Vec<InstanceId>> = vec![Vec::new(); cfg.services.len()];
    let slots: usize = cfg
        .services
        .iter()
        .flat_map(|s| &s.instances)
        .map(|i| (i.concurrency + i.queue_limit) as usize)
        .sum();
    let mut seen = sim.log().total();
    // Events logged while building the simulation (time 0 registrations and caches).
    for e in sim.log().entries() {
        if let Event::UpstreamsChanged { service, upstreams } = &e.event {
            known[service.0 as usize] = upstreams.clone();
        }
    }
    let end = SimTime::from_secs(90);
    while sim.step().is_some_and(|t| t <= end) {
        let total = sim.log().total();
        let new = (total - seen) as usize;
        seen = total;
        let fresh: Vec<_> = sim.log().entries().rev().take(new).cloned().collect();
        for e in fresh.into_iter().rev() {
            match e.event {
                Event::UpstreamsChanged { service, upstreams } => {
                    known[service.0 as usize] = upstreams;
                }
                Event::CallDispatched { instance, .. } => {
                    let s = service_of[instance.0 as usize];
                    prop_assert!(
                        known[s.0 as usize].contains(&instance),
                        "seed {seed}: dispatched to {instance:?} at {}, not in the balancer's list {:?}",
                        e.at,
                        known[s.0 as usize]
                    );
                }
                _ => {}
            }
        }
        prop_assert_eq!(sim.check_exactly_once(), Ok(()), "seed {}", seed);
        let m = sim.in_memory();
        prop_assert!(
            m.jobs <= slots,
            "seed {seed}: {} jobs > {slots} slots",
            m.jobs
        );
        // Every call has a caller, but a crashed caller's dependency calls (orphaned) run on
        // until they end by themselves, within their timeout (the bound after the loop).
        prop_assert!(
            m.calls - m.orphaned_calls <= m.requests + m.jobs,
            "seed {seed}: {} calls, {} orphaned",
            m.calls,
            m.orphaned_calls
        );
    }
    // Requests live at most (retries + 1) × (1 s timeout + 0.25 s back-off): what is in flight
    // arrived in the last few seconds.
    let m = sim.in_memory();
    prop_assert!((m.requests as f64) < cfg.traffic.rate_rps * 3.0 * 4.0 * 2.0 + 50.0);
    prop_assert!((m.orphaned_calls as f64) < cfg.traffic.rate_rps * 3.0 * 4.0 * 2.0 + 50.0);
    prop_assert!(sim.feed().count() <= FEED_CAPACITY);
    prop_assert!(sim.traces().count() <= 2 * TRACE_CAPACITY);
    prop_assert!(sim.alerts().feed().count() <= ALERT_FEED_CAPACITY);
    prop_assert!(sim.log().entries().count() <= LOG_CAPACITY);
    for tr in sim.traces() {
        prop_assert!(tr.spans.len() <= ha_engine::trace::SPANS_PER_TRACE);
        for sp in &tr.spans {
            prop_assert!(sp.parent.is_none_or(|p| p < sp.span_id));
        }
    }
    Ok(sim.digest().to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn random_clusters_and_fault_schedules_keep_the_invariants(sc in scenario(), seed in any::<u64>()) {
        let cfg = build(&sc);
        prop_assume!(cfg.validate().is_ok());
        let a = run_checked(&cfg, seed)?;
        let b = run_checked(&cfg, seed)?;
        prop_assert_eq!(a, b, "seed {} is not deterministic", seed);
    }
}
