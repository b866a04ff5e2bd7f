//! Fault drills from the exercises of `ha-architecture.md` ("開發測試方案": stress test, fault
//! injection, availability test, recovery drill): each runs a preset and checks the
//! availability and the recovery time the mechanisms in it should achieve.
//!
//! Availability of a second = requests that ended 200 in it / requests that ended in it,
//! rate-limiter 429s excluded (they are the gateway doing its job). Recovery time = from the
//! fault to the first second from which every second until the window's end is ≥ 99 %.
//! `cargo test -p ha-engine --test drills -- --nocapture` prints the figures.

mod common;

use ha_engine::event::Event;
use ha_engine::presets;
use ha_engine::{Action, ActionKind, OutcomeCounts, ServiceId, SimTime, Simulation};

/// Per-second availability from 1 s to `secs` s (index `s - 1` covers `[s - 1, s)`).
fn per_second(sim: &mut Simulation, secs: u64) -> Vec<f64> {
    per_second_window(sim, 0, secs)
}

/// Requests that ended, 429s excluded.
fn ended(t: &OutcomeCounts) -> u64 {
    t.ok + t.error + t.timeout + t.short_circuited + t.no_healthy_upstream
}

/// Mean availability over the seconds `[from_s, to_s)`, each second weighing the same.
fn mean(avail: &[f64], from_s: u64, to_s: u64) -> f64 {
    let w = &avail[from_s as usize..to_s as usize];
    w.iter().sum::<f64>() / w.len() as f64
}

/// Seconds from `fault_s` until availability is ≥ 99 % in every second up to `until_s`.
fn recovery_s(avail: &[f64], fault_s: u64, until_s: u64) -> u64 {
    let mut first_good = until_s;
    for s in (fault_s..until_s).rev() {
        if avail[s as usize] >= 0.99 {
            first_good = s;
        } else {
            break;
        }
    }
    first_good - fault_s
}

fn worst(avail: &[f64], from_s: u64, to_s: u64) -> f64 {
    avail[from_s as usize..to_s as usize]
        .iter()
        .copied()
        .fold(1.0, f64::min)
}

/// Stress test: 30 instances at 5,000 req/s under power of two choices, one crash at 30 s,
/// one instance 5× slower from 60 s to 120 s. The health checker (every 5 s, 1 s timeout,
/// 3 failures) must take the crashed instance out within 3 × 5 s + 1 s; P2C must keep the
/// slow instance from hurting availability at all.
#[test]
fn stress_test_drill() {
    let p = presets::stress();
    let mut sim = Simulation::new(p.config, 42).expect("valid");
    let a = per_second(&mut sim, 120);
    let rec = recovery_s(&a, 30, 60);
    println!(
        "stress: before {:.4}, crash window worst {:.4}, recovery {rec} s, slow window {:.4} (worst {:.4}), whole run {:.4}",
        mean(&a, 0, 30),
        worst(&a, 30, 60),
        mean(&a, 60, 120),
        worst(&a, 60, 120),
        mean(&a, 0, 120)
    );
    assert!(mean(&a, 0, 30) >= 0.999, "healthy cluster below 99.9 %");
    assert!(worst(&a, 30, 60) < 0.99, "the crash should be visible");
    assert!(
        rec <= 16,
        "recovered after {rec} s, health checks allow 16 s"
    );
    assert!(
        worst(&a, 60, 120) >= 0.99,
        "P2C should absorb the slow instance"
    );
    assert!(mean(&a, 0, 120) >= 0.99);
    assert_eq!(sim.stats().marked_unhealthy, 1);
}

/// Fault injection: in the discovery preset (no health checks) a crash of 192.168.1.11:8080
/// is only noticed when the registry's heartbeat TTL (30 s) expires it and the balancer's
/// watch drops it. Availability must recover within TTL + one heartbeat interval.
#[test]
fn fault_injection_drill() {
    let p = presets::discovery();
    let ttl_s = p.config.registry.heartbeat_timeout_ms / 1_000;
    let hb_s = p.config.registry.heartbeat_interval_ms / 1_000;
    let mut sim = Simulation::new(p.config, 42).expect("valid");
    let mut a = per_second(&mut sim, 30);
    let id = sim
        .instance_by_address("192.168.1.11:8080")
        .expect("in preset");
    sim.apply(Action::on(ActionKind::Crash, id)).expect("crash");
    a.extend(per_second_window(&mut sim, 30, 120));
    let rec = recovery_s(&a, 30, 120);
    println!(
        "fault injection: before {:.4}, after crash worst {:.4}, recovery {rec} s (TTL {ttl_s} s + heartbeat {hb_s} s), 60-120 s {:.4}",
        mean(&a, 0, 30),
        worst(&a, 30, 60),
        mean(&a, 60, 120)
    );
    assert!(mean(&a, 0, 30) >= 0.999);
    assert!(
        worst(&a, 30, 40) < 0.9,
        "half the user-service calls should fail at first"
    );
    assert!(rec <= ttl_s + hb_s, "recovered after {rec} s");
    assert!(
        rec >= ttl_s - hb_s,
        "recovered before the TTL could expire it: {rec} s"
    );
    assert!(mean(&a, 70, 120) >= 0.999);
}

/// Per-second availability from `from_s` (where `sim` is now) to `to_s`.
fn per_second_window(sim: &mut Simulation, from_s: u64, to_s: u64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut before = sim.totals();
    for s in from_s + 1..=to_s {
        sim.run_until(SimTime::from_secs(s));
        let now = sim.totals();
        let n = ended(&now) - ended(&before);
        let ok = now.ok - before.ok;
        out.push(if n == 0 { 1.0 } else { ok as f64 / n as f64 });
        before = now;
    }
    out
}

/// Availability test: the failover preset loses 192.168.1.11:8080's machine for 90 s at
/// 30 s. The survivor cannot carry 120 req/s alone, so availability drops until the health
/// checker marks the instance unhealthy (≤ 16 s) and the backup has booted (10 s). Over the
/// run the service must stay above 94 % (it spends ~23 s at half capacity), and be back above 99 % within 16 + 10 s + 5 s
/// (the backup's first health checks).
#[test]
fn availability_test_drill() {
    let p = presets::failover();
    let mut sim = Simulation::new(p.config, 42).expect("valid");
    let a = per_second(&mut sim, 180);
    // Until 110 s: the machine comes back at 120 s and the failback has its own short blip.
    let rec = recovery_s(&a, 30, 110);
    println!(
        "availability: before {:.4}, worst {:.4}, recovery {rec} s, failback window worst {:.4}, whole run {:.4}, failovers {}",
        mean(&a, 0, 30),
        worst(&a, 30, 60),
        worst(&a, 110, 180),
        mean(&a, 0, 180),
        sim.stats().failovers
    );
    assert!(mean(&a, 0, 30) >= 0.999);
    assert!(sim.stats().failovers >= 1, "no backup promoted");
    assert!(rec <= 16 + 10 + 5, "recovered after {rec} s");
    assert!(rec >= 10, "recovered faster than the backup boots: {rec} s");
    assert!(
        worst(&a, 110, 180) >= 0.95,
        "failback should cost at most a blip"
    );
    assert!(mean(&a, 0, 180) >= 0.94);
}

/// When each notable event matching `f` happened, s (the shared [`common::times`] in seconds).
fn times(sim: &Simulation, f: impl Fn(&Event) -> bool) -> Vec<f64> {
    common::times(sim, f)
        .into_iter()
        .map(|t| t.as_us() as f64 / 1e6)
        .collect()
}

/// Recovery drill (the seed's `FailoverManager`): after the health checker marks the crashed
/// instance unhealthy at t, recovery is tried at t, t + 5 s and t + 15 s (`5 · attempt` s
/// back-off) and given up while the machine is down. When the machine comes back (120 s) its
/// process starts again (boot time 0 in this preset), and as soon as it serves the backup goes
/// back to the pool (failback), with no loss of availability.
#[test]
fn recovery_drill() {
    let p = presets::failover();
    let mut sim = Simulation::new(p.config, 42).expect("valid");
    let id = sim
        .instance_by_address("192.168.1.11:8080")
        .expect("in preset");
    let a = per_second(&mut sim, 180);
    let unhealthy = times(
        &sim,
        |e| matches!(e, Event::HealthChanged { instance, healthy: false } if *instance == id),
    );
    let attempts = times(&sim, |e| matches!(e, Event::RecoveryAttempt { .. }));
    let gave_up = times(&sim, |e| matches!(e, Event::RecoveryGaveUp { .. }));
    let failback = times(&sim, |e| matches!(e, Event::Failback { .. }));
    println!(
        "recovery drill: unhealthy at {unhealthy:?} s, attempts at {attempts:?} s, gave up at {gave_up:?} s; machine back at 120 s, failback at {failback:?} s; availability 120-180 s {:.4}",
        mean(&a, 120, 180)
    );
    assert_eq!(unhealthy.len(), 1);
    let t = unhealthy[0];
    assert_eq!(attempts, vec![t, t + 5.0, t + 15.0]);
    assert_eq!(gave_up, vec![t + 15.0]);
    assert_eq!(failback.len(), 1, "one failback");
    let boot_s = sim.config().services[0].instances[1].boot_time_ms as f64 / 1e3;
    let mttr = failback[0] - 120.0;
    assert!(
        (boot_s..=boot_s + 1.0).contains(&mttr),
        "back in rotation {mttr} s after the machine came back (boot {boot_s} s)"
    );
    assert!(sim.candidates(ServiceId(0)).contains(&id), "serving again");
    assert!(worst(&a, 121, 180) >= 0.99);
}
