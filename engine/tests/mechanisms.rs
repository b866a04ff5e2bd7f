//! Behaviour tests: each mechanism reproduces the result it is known for.

mod common;

use common::*;
use ha_engine::action::ActionKind;
use ha_engine::balancer::Strategy;
use ha_engine::breaker::BreakerConfig;
use ha_engine::common::{ErrorCause, Outcome};
use ha_engine::event::{Event, LOG_CAPACITY};
use ha_engine::health::{HealthCheckConfig, OutlierConfig};
use ha_engine::ratelimit::RateLimitConfig;
use ha_engine::retry::RetryConfig;
use ha_engine::view::InstanceStatus;
use ha_engine::{Action, ActionTarget, InstanceId, SimTime, Simulation};

fn dispatched_per_instance(sim: &Simulation) -> Vec<u64> {
    sim.view()
        .instances
        .iter()
        .map(|i| i.served + i.errors + i.timeouts + i.busy as u64 + i.queued as u64)
        .collect()
}

#[test]
fn round_robin_splits_exactly() {
    let mut sim =
        Simulation::keeping_events(one_service(4, 100, 5.0, 200.0), 1, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(60));
    let d = dispatched_per_instance(&sim);
    let (min, max) = (d.iter().min().unwrap(), d.iter().max().unwrap());
    assert!(max - min <= 1, "{d:?}");
    assert_eq!(d.iter().sum::<u64>(), sim.totals().arrived);
}

#[test]
fn weighted_strategies_follow_the_weights() {
    for strategy in [Strategy::WeightedRandom, Strategy::WeightedRoundRobin] {
        let mut cfg = one_service(3, 100, 5.0, 400.0);
        cfg.services[0].strategy = strategy;
        for (i, w) in [1, 2, 5].iter().enumerate() {
            cfg.services[0].instances[i].weight = *w;
        }
        let mut sim = Simulation::keeping_events(cfg, 2, LOG_CAPACITY).unwrap();
        sim.run_until(SimTime::from_secs(100));
        let d = dispatched_per_instance(&sim);
        let total: u64 = d.iter().sum();
        for (i, w) in [1.0, 2.0, 5.0].iter().enumerate() {
            let share = d[i] as f64 / total as f64;
            let tol = if strategy == Strategy::WeightedRoundRobin {
                2.0 / total as f64 // exact up to the position in the 8-long cycle
            } else {
                0.015
            };
            assert!((share - w / 8.0).abs() <= tol, "{strategy:?} {i}: {share}");
        }
    }
}

/// Two instances, one 4× slower: mean in-flight on the slow one under `strategy`.
fn slow_instance_in_flight(strategy: Strategy) -> f64 {
    let mut cfg = one_service(2, 16, 20.0, 150.0);
    cfg.services[0].strategy = strategy;
    cfg.services[0].instances[1].latency = ha_engine::rng::LatencyDist::LogNormal {
        median_ms: 80.0,
        sigma: 0.3,
    };
    let mut sim = Simulation::keeping_events(cfg, 3, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(100));
    mean_in_flight(&sim, InstanceId(1))
}

#[test]
fn least_connections_keeps_the_slow_instance_less_loaded_than_round_robin() {
    let rr = slow_instance_in_flight(Strategy::RoundRobin);
    let lc = slow_instance_in_flight(Strategy::LeastConnections);
    let p2c = slow_instance_in_flight(Strategy::PowerOfTwoChoices);
    let ewma = slow_instance_in_flight(Strategy::PeakEwma);
    eprintln!("slow instance mean in flight: round robin {rr:.2}, least connections {lc:.2}, p2c {p2c:.2}, peak EWMA {ewma:.2}");
    // Round robin sends it half of 150 req/s × ~85 ms ≈ 6.4 in flight.
    assert!(rr > 5.0, "round robin: {rr}");
    assert!(lc < 0.7 * rr, "least connections {lc} vs round robin {rr}");
    assert!(p2c < 0.7 * rr, "p2c {p2c} vs round robin {rr}");
    assert!(ewma < 0.7 * rr, "peak EWMA {ewma} vs round robin {rr}");
}

/// 50 instances at ~80 % utilisation: mean over samples of the most loaded instance.
fn max_load(strategy: Strategy) -> f64 {
    let mut cfg = one_service(50, 4, 50.0, 3_000.0);
    cfg.services[0].strategy = strategy;
    let mut sim = Simulation::keeping_events(cfg, 4, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(40));
    let series: Vec<Vec<u32>> = (0..50)
        .map(|i| {
            sim.metrics(InstanceId(i))
                .unwrap()
                .series()
                .skip(5)
                .map(|p| p.in_flight)
                .collect()
        })
        .collect();
    let samples = series[0].len();
    (0..samples)
        .map(|t| series.iter().map(|s| s[t]).max().unwrap() as f64)
        .sum::<f64>()
        / samples as f64
}

#[test]
fn power_of_two_choices_keeps_the_maximum_load_far_below_random() {
    let random = max_load(Strategy::Random);
    let p2c = max_load(Strategy::PowerOfTwoChoices);
    eprintln!("mean of the per-second maximum in flight over 50 instances: random {random:.2}, p2c {p2c:.2}");
    assert!(p2c < 0.6 * random, "p2c max {p2c} vs random max {random}");
}

/// Error fraction of a 2-instance service at 150 req/s (capacity ~100 req/s each) after one
/// instance's machine goes down for good at 30 s.
fn error_rate_after_machine_loss(backup: bool) -> (f64, Simulation) {
    let mut cfg = one_service(2, 2, 20.0, 150.0);
    cfg.services[0].health_check = Some(HealthCheckConfig::default());
    if backup {
        cfg = with_backup(cfg, 5_000);
    }
    let mut sim = Simulation::keeping_events(cfg, 5, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(30));
    sim.apply(Action {
        target: ActionTarget::from(Some(InstanceId(0))),
        kind: ActionKind::Crash,
        duration_ms: Some(600_000),
    })
    .unwrap();
    sim.run_until(SimTime::from_secs(150));
    let t = sim.totals();
    let failed = t.arrived - t.ok - t.in_flight;
    (failed as f64 / t.arrived as f64, sim)
}

#[test]
fn failover_promotes_a_backup_and_keeps_errors_low() {
    let (with, sim) = error_rate_after_machine_loss(true);
    let (without, _) = error_rate_after_machine_loss(false);
    eprintln!(
        "failed fraction after losing a machine: with a backup {with:.4}, without {without:.4}"
    );
    assert!(with < 0.08, "with a backup: {with}");
    assert!(without > 2.0 * with, "without {without} vs with {with}");
    // The seed's sequence: unhealthy → backup promoted → recovery tried at t, t+5 s, t+15 s
    // (5·attempt s back-off) → gave up, since the machine is down.
    let unhealthy = times(&sim, |e| {
        matches!(e, Event::HealthChanged { healthy: false, .. })
    });
    let promoted = times(&sim, |e| matches!(e, Event::BackupPromoted { .. }));
    let ready = times(&sim, |e| matches!(e, Event::InstanceReady { .. }));
    let attempts = times(&sim, |e| {
        matches!(e, Event::RecoveryAttempt { ok: false, .. })
    });
    let gave_up = times(&sim, |e| matches!(e, Event::RecoveryGaveUp { .. }));
    assert_eq!(unhealthy.len(), 1);
    let t = unhealthy[0];
    assert_eq!(promoted, vec![t]);
    assert_eq!(
        ready,
        vec![t.plus_us(5_000_000)],
        "backup serves after its 5 s boot"
    );
    assert_eq!(
        attempts,
        vec![t, t.plus_us(5_000_000), t.plus_us(15_000_000)]
    );
    assert_eq!(gave_up, vec![t.plus_us(15_000_000)]);
    assert_eq!(sim.stats().failovers, 1);
    assert_eq!(sim.view().instances[2].status, InstanceStatus::Serving);
}

#[test]
fn recovery_restarts_a_crashed_instance_and_failback_returns_the_backup() {
    let mut cfg = with_backup(one_service(2, 8, 20.0, 50.0), 2_000);
    cfg.services[0].health_check = Some(HealthCheckConfig::default());
    cfg.services[0].instances[0].boot_time_ms = 3_000;
    let mut sim = Simulation::keeping_events(cfg, 6, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(20));
    sim.apply(Action::on(ActionKind::Crash, InstanceId(0)))
        .unwrap();
    sim.run_until(SimTime::from_secs(60));
    let attempts = times(&sim, |e| {
        matches!(e, Event::RecoveryAttempt { ok: true, .. })
    });
    assert_eq!(attempts.len(), 1, "the first attempt restarts it");
    let failback = times(&sim, |e| matches!(e, Event::Failback { .. }));
    assert_eq!(
        failback,
        vec![attempts[0].plus_us(3_000_000)],
        "after its 3 s boot"
    );
    let v = sim.view();
    assert_eq!(v.instances[0].status, InstanceStatus::Serving);
    assert_eq!(v.instances[2].status, InstanceStatus::Standby);
    assert!(!sim.registry().is_registered(InstanceId(2)));
}

#[test]
fn failback_off_keeps_the_backup_serving() {
    let mut cfg = with_backup(one_service(2, 8, 20.0, 50.0), 2_000);
    cfg.services[0].health_check = Some(HealthCheckConfig::default());
    cfg.services[0].failback = false;
    let mut sim = Simulation::keeping_events(cfg, 6, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(20));
    sim.apply(Action::on(ActionKind::Crash, InstanceId(0)))
        .unwrap();
    sim.run_until(SimTime::from_secs(60));
    let v = sim.view();
    assert_eq!(v.instances[0].status, InstanceStatus::Serving);
    assert_eq!(v.instances[2].status, InstanceStatus::Serving);
}

/// Timeouts and short-circuits with the only instance hung from 10 s to 70 s.
fn hang_outcomes(breaker: bool) -> (u64, u64, Simulation) {
    // Enough slots that the hung instance never fills up (then it would answer 503s).
    let mut cfg = one_service(1, 4_000, 20.0, 25.0);
    if breaker {
        cfg.services[0].breaker = Some(BreakerConfig::seed_example());
    }
    let mut sim = Simulation::keeping_events(cfg, 7, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(10));
    sim.apply(Action {
        target: ActionTarget::from(Some(InstanceId(0))),
        kind: ActionKind::Hang,
        duration_ms: None,
    })
    .unwrap();
    sim.run_until(SimTime::from_secs(70));
    let t = sim.totals();
    (t.timeout, t.short_circuited, sim)
}

#[test]
fn a_breaker_turns_a_hanging_upstreams_timeouts_into_fast_failures() {
    let (timeouts_without, sc_without, _) = hang_outcomes(false);
    let (timeouts_with, sc_with, sim) = hang_outcomes(true);
    eprintln!("hung upstream: without breaker {timeouts_without} timeouts; with breaker {timeouts_with} timeouts and {sc_with} short-circuited");
    assert_eq!(sc_without, 0);
    assert!(timeouts_without > 1_200, "{timeouts_without}");
    assert!(
        timeouts_with * 10 < timeouts_without,
        "{timeouts_with} vs {timeouts_without}"
    );
    assert!(sc_with as f64 > 0.8 * timeouts_without as f64, "{sc_with}");
    // Fast: a short-circuited request ends the instant it arrives.
    assert!(sim.log().entries().any(|e| matches!(
        e.event,
        Event::RequestEnded {
            outcome: Outcome::ShortCircuited,
            latency_us: 0,
            ..
        }
    )));
    // Every transition of the state machine happened.
    let changes: Vec<_> = sim
        .log()
        .notable()
        .filter_map(|e| match e.event {
            Event::BreakerChanged { from, to, .. } => Some((from, to)),
            _ => None,
        })
        .collect();
    use ha_engine::breaker::BreakerState::*;
    assert!(changes.contains(&(Closed, Open)));
    assert!(changes.contains(&(Open, HalfOpen)));
    assert!(changes.contains(&(HalfOpen, Open)));
}

#[test]
fn a_breaker_closes_again_after_the_upstream_heals() {
    let mut cfg = one_service(2, 64, 20.0, 50.0);
    cfg.services[0].breaker = Some(BreakerConfig::seed_example());
    let mut sim = Simulation::keeping_events(cfg, 8, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(10));
    sim.apply(Action {
        target: ActionTarget::from(Some(InstanceId(1))),
        kind: ActionKind::ErrorRate { rate: 1.0 },
        duration_ms: Some(20_000),
    })
    .unwrap();
    sim.run_until(SimTime::from_secs(60));
    let last = sim.log().notable().rev().find_map(|e| match e.event {
        Event::BreakerChanged { from, to, .. } => Some((from, to)),
        _ => None,
    });
    use ha_engine::breaker::BreakerState::*;
    assert_eq!(last, Some((HalfOpen, Closed)));
}

#[test]
fn rate_limiters_reject_with_429() {
    let mut cfg = one_service(2, 64, 5.0, 50.0);
    cfg.gateway.rate_limit = Some(RateLimitConfig::TokenBucket {
        capacity: 10,
        refill_per_s: 20.0,
    });
    let mut sim = Simulation::keeping_events(cfg, 9, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(60));
    let t = sim.totals();
    let admitted = t.arrived - t.rejected;
    // 10 tokens at the start + 20 per second.
    assert!((1_150..=1_215).contains(&admitted), "{admitted}");
    assert_eq!(sim.check_exactly_once(), Ok(()));

    let mut cfg = one_service(2, 64, 5.0, 50.0);
    cfg.gateway.rate_limit = Some(RateLimitConfig::SlidingWindow {
        max_requests: 100,
        window_ms: 60_000,
    });
    let mut sim = Simulation::keeping_events(cfg, 9, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(119));
    let t = sim.totals();
    assert_eq!(t.arrived - t.rejected, 200, "100 per 60 s window");
}

fn retry_run(error_rate: f64, retry: RetryConfig) -> Simulation {
    let mut cfg = one_service(3, 64, 5.0, 100.0);
    for i in &mut cfg.services[0].instances {
        i.error_rate = error_rate;
    }
    cfg.services[0].retry = retry;
    let mut sim = Simulation::keeping_events(cfg, 10, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(100));
    sim
}

#[test]
fn retries_hide_transient_errors_within_a_budget() {
    let generous = RetryConfig {
        max_retries: 2,
        budget_pct: 100.0,
        min_retries_per_s: 1_000,
        ..RetryConfig::default()
    };
    let sim = retry_run(0.3, generous);
    let t = sim.totals();
    let err = t.error as f64 / t.arrived as f64;
    eprintln!("30 % failing upstream, 2 retries: client error rate {err:.4}");
    // Three independent tries: 0.3³ = 2.7 %.
    assert!((err - 0.027).abs() < 0.008, "{err}");
    let none = retry_run(0.3, RetryConfig::default());
    let t = none.totals();
    let err = t.error as f64 / t.arrived as f64;
    assert!((err - 0.3).abs() < 0.02, "{err}");
    // A dead upstream: retries are capped by the budget (10/s + 20 %), not 2 per request.
    let budget = RetryConfig {
        max_retries: 2,
        ..RetryConfig::default()
    };
    let sim = retry_run(1.0, budget);
    let s = sim.stats();
    let arrived = sim.totals().arrived as f64;
    assert!(
        (s.retries as f64) <= 0.2 * arrived + 10.0 * 100.0 + 10.0,
        "{} retries for {arrived} requests",
        s.retries
    );
    assert!(s.retries_denied > 0);
}

fn shop(user_timeout_ms: u64) -> ha_engine::ClusterConfig {
    let mut cfg = one_service(2, 16, 20.0, 60.0);
    cfg.services[0].name = "user-service".into();
    let mut order = ha_engine::ServiceConfig::new("order-service", 1.0, vec![inst(1, 0, 16, 35.0)]);
    order.depends_on = vec!["user-service".into()];
    cfg.services[0].timeout_ms = Some(user_timeout_ms);
    cfg.services.push(order);
    cfg.tracing.sample_rate = 1.0;
    cfg
}

#[test]
fn dependency_calls_propagate_latency_errors_and_traces() {
    let mut sim = Simulation::keeping_events(shop(300), 11, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(30));
    let user = sim
        .service_metrics(ha_engine::ServiceId(0))
        .unwrap()
        .percentiles();
    let order = sim
        .service_metrics(ha_engine::ServiceId(1))
        .unwrap()
        .percentiles();
    assert!(
        order.p50_ms > user.p50_ms + 30.0,
        "order includes its user call"
    );
    // Traces: an order-service span is the parent of a user-service span.
    let tr = sim
        .traces()
        .find(|t| t.spans.iter().any(|s| s.service.0 == 1))
        .expect("a traced order request");
    let root = &tr.spans[0];
    assert_eq!((root.parent, root.service.0), (None, 1));
    assert!(tr
        .spans
        .iter()
        .any(|s| s.parent == Some(root.span_id) && s.service.0 == 0));
    // Both user-service instances hang: order-service answers 500 "dependency failed".
    for i in 0..2 {
        sim.apply(Action {
            target: ActionTarget::from(Some(InstanceId(i))),
            kind: ActionKind::Hang,
            duration_ms: None,
        })
        .unwrap();
    }
    sim.run_until(SimTime::from_secs(40));
    assert!(sim.log().entries().any(|e| matches!(
        e.event,
        Event::RequestEnded {
            outcome: Outcome::Error,
            cause: Some(ErrorCause::Dependency),
            ..
        }
    )));
    assert_eq!(sim.check_exactly_once(), Ok(()));
}

#[test]
fn a_stale_discovery_cache_keeps_sending_after_the_registry_expired_an_instance() {
    let mut cfg = one_service(2, 16, 20.0, 40.0);
    cfg.discovery.watch = false; // refresh every 30 s only
    let mut sim = Simulation::keeping_events(cfg, 12, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(10));
    let victim = InstanceId(1);
    sim.apply(Action::on(ActionKind::Crash, victim)).unwrap();
    sim.run_until(SimTime::from_secs(50));
    let expired = times(&sim, |e| matches!(e, Event::Expired { .. }));
    assert_eq!(expired.len(), 1);
    assert!(expired[0] < SimTime::from_secs(50));
    let v = sim.view();
    assert!(v.instances[1].stale, "in the cache, not in the registry");
    assert_eq!(v.services[0].upstreams.len(), 2);
    let refused_after_expiry = sim
        .log()
        .entries()
        .filter(|e| e.at > expired[0])
        .filter(|e| matches!(e.event, Event::CallDispatched { instance, .. } if instance == victim))
        .count();
    assert!(refused_after_expiry > 50, "{refused_after_expiry}");
    sim.run_until(SimTime::from_secs(61));
    assert_eq!(sim.upstreams(ha_engine::ServiceId(0)), &[InstanceId(0)]);
    assert!(!sim.view().instances[1].stale);
}

#[test]
fn health_checks_mark_a_hung_instance_unhealthy_after_three_failures() {
    let mut cfg = one_service(3, 16, 20.0, 40.0);
    cfg.services[0].health_check = Some(HealthCheckConfig::default());
    let mut sim = Simulation::keeping_events(cfg, 13, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(20));
    sim.apply(Action {
        target: ActionTarget::from(Some(InstanceId(0))),
        kind: ActionKind::Hang,
        duration_ms: Some(60_000),
    })
    .unwrap();
    sim.run_until(SimTime::from_secs(120));
    let down = times(&sim, |e| {
        matches!(e, Event::HealthChanged { healthy: false, .. })
    });
    let up = times(&sim, |e| {
        matches!(e, Event::HealthChanged { healthy: true, .. })
    });
    assert_eq!(down.len(), 1);
    // Three checks 5 s apart, each failing after the 1 s timeout.
    assert!(
        down[0] >= SimTime::from_secs(31) && down[0] <= SimTime::from_secs(36),
        "{}",
        down[0]
    );
    // Back after the hang ends (80 s) and 2 passing checks.
    assert_eq!(up.len(), 1);
    assert!(
        up[0] > SimTime::from_secs(80) && up[0] <= SimTime::from_secs(91),
        "{}",
        up[0]
    );
}

#[test]
fn outlier_detection_ejects_with_growing_ejection_times() {
    let mut cfg = one_service(3, 16, 20.0, 60.0);
    cfg.services[0].outlier = Some(OutlierConfig::default());
    let mut sim = Simulation::keeping_events(cfg, 14, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(10));
    sim.apply(Action {
        target: ActionTarget::from(Some(InstanceId(2))),
        kind: ActionKind::ErrorRate { rate: 1.0 },
        duration_ms: None,
    })
    .unwrap();
    let per_s = dispatches_per_second(&mut sim, 100);
    let ej: Vec<(u32, u64, u64)> = sim
        .log()
        .notable()
        .filter_map(|e| match e.event {
            Event::Ejected {
                instance: InstanceId(2),
                nth,
                for_us,
            } => Some((nth, e.at.as_us(), for_us)),
            _ => None,
        })
        .collect();
    let lengths: Vec<(u32, u64)> = ej.iter().map(|&(nth, _, for_us)| (nth, for_us)).collect();
    assert_eq!(lengths, vec![(1, 30_000_000), (2, 60_000_000)]);
    assert!(sim.is_ejected(InstanceId(2)));
    // While ejected it gets nothing; the others serve everything. Second k of `per_s` is
    // (10 + k, 11 + k] s: check the whole seconds inside each ejection.
    for &(nth, at_us, for_us) in &ej {
        let first = (at_us / 1_000_000 + 1) as usize;
        let last = ((at_us + for_us) / 1_000_000).min(100) as usize;
        for t in first..last {
            let second = &per_s[t - 10];
            assert_eq!(
                second[2], 0,
                "ejection {nth}: dispatched to it in second {t}"
            );
            assert!(second[0] + second[1] > 0, "second {t}: nobody served");
        }
    }
}

#[test]
fn panic_mode_routes_to_all_instances_below_the_threshold() {
    let mut cfg = one_service(3, 16, 20.0, 30.0);
    cfg.services[0].health_check = Some(HealthCheckConfig::default());
    let mut sim = Simulation::keeping_events(cfg, 15, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(5));
    sim.apply(Action {
        target: ActionTarget::from(Some(InstanceId(0))),
        kind: ActionKind::PartitionServing,
        duration_ms: None,
    })
    .unwrap();
    sim.run_until(SimTime::from_secs(30));
    let s = ha_engine::ServiceId(0);
    assert!(!sim.in_panic(s), "2 of 3 healthy is above 50 %");
    assert_eq!(sim.candidates(s).len(), 2);
    sim.apply(Action {
        target: ActionTarget::from(Some(InstanceId(1))),
        kind: ActionKind::PartitionServing,
        duration_ms: None,
    })
    .unwrap();
    sim.run_until(SimTime::from_secs(60));
    assert!(sim.in_panic(s), "1 of 3 healthy is below 50 %");
    assert_eq!(sim.candidates(s).len(), 3);
    assert!(sim
        .log()
        .notable()
        .any(|e| matches!(e.event, Event::PanicMode { on: true, .. })));
    // Partitioned instances still heart-beat: the registry lists all three.
    assert_eq!(sim.registry().discover("api").len(), 3);
}

#[test]
fn a_heartbeat_partition_gets_a_serving_instance_expired() {
    let mut sim =
        Simulation::keeping_events(one_service(2, 16, 20.0, 40.0), 16, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(5));
    sim.apply(Action {
        target: ActionTarget::from(Some(InstanceId(0))),
        kind: ActionKind::PartitionHeartbeats,
        duration_ms: Some(60_000),
    })
    .unwrap();
    sim.run_until(SimTime::from_secs(40));
    assert!(!sim.registry().is_registered(InstanceId(0)));
    assert_eq!(sim.view().instances[0].status, InstanceStatus::Unlisted);
    assert_eq!(sim.totals().error, 0, "it never stopped serving");
    sim.run_until(SimTime::from_secs(75));
    assert!(
        sim.registry().is_registered(InstanceId(0)),
        "re-registers when heartbeats get through"
    );
}

#[test]
fn slow_spike_and_capacity_faults_change_what_they_should() {
    let mut sim =
        Simulation::keeping_events(one_service(2, 8, 20.0, 50.0), 17, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(70));
    let before = sim.metrics(InstanceId(0)).unwrap().percentiles().p50_ms;
    sim.apply(Action {
        target: ActionTarget::from(Some(InstanceId(0))),
        kind: ActionKind::Slow { factor: 5.0 },
        duration_ms: None,
    })
    .unwrap();
    sim.run_until(SimTime::from_secs(140));
    let after = sim.metrics(InstanceId(0)).unwrap().percentiles().p50_ms;
    assert!((after / before - 5.0).abs() < 0.5, "{before} → {after}");

    let arrived = sim.totals().arrived;
    sim.apply(Action {
        target: ActionTarget::from(None),
        kind: ActionKind::TrafficSpike { factor: 3.0 },
        duration_ms: Some(20_000),
    })
    .unwrap();
    sim.run_until(SimTime::from_secs(160));
    let spike = (sim.totals().arrived - arrived) as f64 / 20.0;
    assert!((spike - 150.0).abs() < 15.0, "{spike} req/s");

    sim.apply(Action {
        target: ActionTarget::from(Some(InstanceId(1))),
        kind: ActionKind::Capacity { concurrency: 1 },
        duration_ms: None,
    })
    .unwrap();
    assert_eq!(sim.view().instances[1].concurrency, 1);
    assert!(
        sim.apply(Action {
            target: ActionTarget::from(None),
            kind: ActionKind::Hang,
            duration_ms: None,
        })
        .is_err(),
        "a hang needs a target"
    );
}

#[test]
fn default_alerts_fire_and_resolve() {
    let mut cfg = one_service(2, 16, 20.0, 50.0);
    cfg.alerts = None; // the default rules
    cfg.services[0].health_check = Some(HealthCheckConfig::default());
    cfg.services[0].breaker = Some(BreakerConfig::seed_example());
    let mut sim = Simulation::keeping_events(cfg, 18, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(20));
    assert_eq!(
        sim.alerts().fired_total,
        0,
        "a healthy cluster fires nothing"
    );
    // Both instances fail: breakers have nowhere to route around to.
    for i in 0..2 {
        sim.apply(Action {
            target: ActionTarget::from(Some(InstanceId(i))),
            kind: ActionKind::ErrorRate { rate: 1.0 },
            duration_ms: Some(40_000),
        })
        .unwrap();
    }
    sim.run_until(SimTime::from_secs(200));
    let fired: Vec<String> = sim
        .alerts()
        .feed()
        .filter(|t| t.to == ha_engine::alerts::AlertState::Firing)
        .map(|t| {
            sim.alerts().rules[sim.alerts().alerts[t.alert].rule]
                .name
                .clone()
        })
        .collect();
    for name in ["HighErrorRate", "HealthyInstancesLow", "CircuitBreakerOpen"] {
        assert!(fired.iter().any(|f| f == name), "{name} in {fired:?}");
    }
    assert!(
        sim.alerts().firing().next().is_none(),
        "all resolved by 200 s: {:?}",
        sim.view().alerts
    );
    assert!(sim.feed().any(|f| matches!(
        f.notice,
        ha_engine::notice::Notice::AlertChanged {
            to: ha_engine::alerts::AlertState::Firing,
            value: Some(_),
            ..
        }
    )));
}

#[test]
fn breakers_route_around_a_hung_instance_when_others_are_left() {
    let mut cfg = one_service(2, 2_000, 20.0, 50.0);
    cfg.services[0].breaker = Some(BreakerConfig::seed_example());
    let mut sim = Simulation::keeping_events(cfg, 7, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(10));
    sim.apply(Action {
        target: ActionTarget::from(Some(InstanceId(1))),
        kind: ActionKind::Hang,
        duration_ms: None,
    })
    .unwrap();
    sim.run_until(SimTime::from_secs(70));
    let t = sim.totals();
    eprintln!("one of two hung, with breakers: {t:?}");
    // A few timeouts open the breaker; each 5 s up to 3 trial calls time out; the rest go to
    // the healthy instance.
    assert_eq!(t.short_circuited, 0);
    assert!(t.timeout < 60, "{t:?}");
    assert!(t.ok > 2_800, "{t:?}");
}
