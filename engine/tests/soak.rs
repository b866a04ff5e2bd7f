//! Soak: 24 simulated hours at 1,000 client requests per second with a fault every 3 simulated
//! minutes, run twice side by side.
//!
//! Checks that the engine's memory stays flat (live heap bytes of the run's thread, sampled
//! every simulated hour, and the length of every growing buffer, [`Footprint`]), that every
//! request ends exactly once ([`Simulation::check_exactly_once`] every hour), that the faults
//! really happen and the mechanisms answer them (few injections refused; every crash of a
//! health-checked instance marked unhealthy and back in rotation within what health checks and
//! discovery promise; availability every hour above a floor), and that both runs end with the
//! same digest. `HA_SOAK_HOURS=n` runs fewer hours (at least 7).
//!
//! It is `#[ignore]`d in the default (debug) test run: `scripts/test.sh` runs it optimised with
//! `cargo test --profile bench -p ha-engine --test soak -- --ignored --nocapture`, which prints
//! the table of sizes per simulated hour.

use ha_engine::action::ActionKind;
use ha_engine::common::Role;
use ha_engine::config::ClusterConfig;
use ha_engine::event::{FEED_CAPACITY, LOG_CAPACITY};
use ha_engine::{Action, ActionTarget, Footprint, InstanceId, SimTime, Simulation};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts live heap bytes per thread, so two runs on two threads are measured apart.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    // `try_with`: the thread's counters may already be gone while it shuts down.
    let _ = LIVE.try_with(|l| {
        let v = l.get() + delta;
        l.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            track(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        track(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            track(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const HOURS: u64 = 24;
const RATE_RPS: f64 = 1_000.0;
/// Simulated time between two faults, s.
const FAULT_EVERY_S: u64 = 180;

/// The all-mechanisms cluster (3 services with dependencies, a backup, health checks,
/// ejection, both breaker policies, retries, P2C, ring hash, Maglev, tracing, alerts) sized for
/// 1,000 req/s, without its timeline: faults are injected live.
fn cluster() -> ClusterConfig {
    let json = include_str!("../../tests/fixtures/all-mechanisms.json");
    let mut c: ClusterConfig = serde_json::from_str(json).expect("fixture parses");
    c.faults.clear();
    c.traffic.rate_rps = RATE_RPS;
    c.traffic.clients = 5_000;
    c.gateway.rate_limit = None;
    for s in &mut c.services {
        for i in &mut s.instances {
            i.concurrency = 64;
        }
    }
    c
}

/// The `k`-th fault: kinds rotate, and targets rotate over the `targets` (the primaries: a
/// standby backup takes a fault but does nothing with it); each lasts 30-60 s.
fn fault(k: u64, targets: &[InstanceId]) -> Action {
    let target = targets[(k % targets.len() as u64) as usize];
    let (fault, s) = match k % 7 {
        0 => (ActionKind::Crash, 60),
        1 => (ActionKind::Hang, 30),
        2 => (ActionKind::Slow { factor: 4.0 }, 60),
        3 => (ActionKind::ErrorRate { rate: 0.5 }, 60),
        4 => (ActionKind::PartitionHeartbeats, 45),
        5 => (ActionKind::PartitionServing, 30),
        _ => {
            return Action {
                target: ActionTarget::from(None),
                kind: ActionKind::TrafficSpike { factor: 2.0 },
                duration_ms: Some(30_000),
            }
        }
    };
    Action {
        target: ActionTarget::from(Some(target)),
        kind: fault,
        duration_ms: Some(s * 1_000),
    }
}

/// One hour's sample.
#[derive(Debug)]
struct Hour {
    hour: u64,
    live_bytes: isize,
    footprint: Footprint,
    arrived: u64,
    /// Of the requests that ended in this hour, the share that ended ok.
    availability: f64,
}

/// How the cluster answered one crash of an instance that was in rotation, simulated s.
#[derive(Debug)]
struct Crash {
    at_s: u64,
    instance: InstanceId,
    /// From the crash until the health checker marked it unhealthy (`None`: its service has
    /// no health checks).
    detected_after_s: Option<u64>,
    /// From the end of the crash (its machine is up again) until it is healthy, listed by its
    /// balancer and candidate for traffic again.
    back_after_s: u64,
}

/// One soak run's results.
struct Run {
    hours: Vec<Hour>,
    crashes: Vec<Crash>,
    digest: String,
    /// Injections attempted.
    injections: u64,
    /// Of those, refused by the engine (an instance already down, say).
    refused: u64,
}

/// Longest time from a crash until the health checker marks the instance unhealthy, s: three
/// failed checks 5 s apart, the first up to one interval after the crash, the last one's 1 s
/// timeout (seed `ha-architecture.md`: interval 5 s, timeout 1 s, unhealthy threshold 3).
const DETECT_BOUND_S: u64 = 3 * 5 + 5 + 1;
/// Longest time from the end of a crash until the instance is back in its balancer's
/// rotation, s: its machine is up again and it restarts at once (boot time 0), re-registers,
/// the balancer's discovery cache (TTL 30 s, no watch) refreshes within 30 s, and the health
/// checker needs 2 passing checks 5 s apart, the first up to one interval away, plus a 1 s
/// timeout. (Measured: 0 s; a restarted instance is listed and healthy at once.)
const BACK_BOUND_S: u64 = 30 + 2 * 5 + 5 + 1;
/// Least share of ok requests in any hour. Most of the loss is a crash or hang of
/// order-service or payment-service, which have one instance each: nothing can mask those
/// 30-60 s. Measured 97.4-98.3 % per hour (97.0-98.6 % with any one of retries, ejection,
/// breakers or health checks turned off, which the crash checks catch instead); an instance
/// that never comes back, or a balancer that keeps routing to a dead one, costs far more.
const MIN_HOURLY_AVAILABILITY: f64 = 0.96;
/// Most injections the engine may refuse: the rotation targets a standby backup for a share
/// of the faults (the engine refuses a crash or a hang of a process that is not running).
const MAX_REFUSED_SHARE: f64 = 0.25;

/// Runs the simulation on to `t_s` one simulated second at a time until `done` holds;
/// returns the seconds it took, or `None` if `done` never held.
fn seconds_until(
    sim: &mut Simulation,
    from_s: u64,
    limit_s: u64,
    done: impl Fn(&Simulation) -> bool,
) -> Option<u64> {
    (0..=limit_s).find(|&d| {
        sim.run_until(SimTime::from_secs(from_s + d));
        done(sim)
    })
}

/// True while `i` is healthy, listed by its balancer and a candidate for traffic.
fn in_rotation(sim: &Simulation, i: InstanceId) -> bool {
    let v = &sim.view().instances[i.0 as usize];
    v.up && v.healthy && v.in_balancer
}

/// Runs the soak for `hours` simulated hours.
fn soak(seed: u64, hours_to_run: u64) -> Run {
    let cfg = cluster();
    let checked: Vec<bool> = cfg
        .services
        .iter()
        .flat_map(|s| s.instances.iter().map(|_| s.health_check.is_some()))
        .collect();
    let primaries: Vec<InstanceId> = cfg
        .services
        .iter()
        .flat_map(|s| &s.instances)
        .enumerate()
        .filter(|(_, i)| i.role == Role::Primary)
        .map(|(n, _)| InstanceId(n as u32))
        .collect();
    let mut sim = Simulation::new(cfg, seed).expect("valid cluster");
    let mut hours = Vec::new();
    let mut crashes = Vec::new();
    let mut refused = 0;
    let mut k = 0;
    let mut last = sim.totals();
    for hour in 1..=hours_to_run {
        let end = hour * 3_600;
        // A fault at the hour's last instant goes to the next hour: its checks run on past it.
        while (k + 1) * FAULT_EVERY_S < end {
            let at_s = (k + 1) * FAULT_EVERY_S;
            sim.run_until(SimTime::from_secs(at_s));
            let cmd = fault(k, &primaries);
            // A crash of an instance that is in rotation now is followed.
            let crash_of = match &cmd {
                Action {
                    target: ActionTarget::Instance(i),
                    kind: ActionKind::Crash,
                    duration_ms: Some(ms),
                } if in_rotation(&sim, *i) => Some((*i, ms / 1_000)),
                _ => None,
            };
            let applied = sim.apply(cmd).is_ok();
            refused += u64::from(!applied);
            if let (true, Some((instance, lasts_s))) = (applied, crash_of) {
                let detected_after_s = checked[instance.0 as usize].then(|| {
                    seconds_until(&mut sim, at_s, DETECT_BOUND_S, |s| !s.is_healthy(instance))
                        .unwrap_or_else(|| {
                            panic!(
                                "hour {hour}: crash of {instance:?} at {at_s} s not marked unhealthy within {DETECT_BOUND_S} s"
                            )
                        })
                });
                let back_from = at_s + lasts_s;
                sim.run_until(SimTime::from_secs(back_from));
                let back_after_s = seconds_until(&mut sim, back_from, BACK_BOUND_S, |s| {
                    in_rotation(s, instance)
                })
                .unwrap_or_else(|| {
                    panic!(
                        "hour {hour}: {instance:?} not back in rotation within {BACK_BOUND_S} s of its crash ending at {back_from} s"
                    )
                });
                crashes.push(Crash {
                    at_s,
                    instance,
                    detected_after_s,
                    back_after_s,
                });
            }
            k += 1;
        }
        sim.run_until(SimTime::from_secs(end));
        if let Err(e) = sim.check_exactly_once() {
            panic!("hour {hour}: {e}");
        }
        let t = sim.totals();
        let fp = sim.footprint();
        assert!(fp.log_entries <= LOG_CAPACITY && fp.log_notable <= LOG_CAPACITY);
        assert!(fp.feed <= FEED_CAPACITY);
        let ended = t.ended() - last.ended();
        let availability = (t.ok - last.ok) as f64 / ended.max(1) as f64;
        last = t;
        hours.push(Hour {
            hour,
            live_bytes: LIVE.with(Cell::get),
            footprint: fp,
            arrived: t.arrived,
            availability,
        });
    }
    Run {
        hours,
        crashes,
        digest: sim.digest().to_string(),
        injections: k,
        refused,
    }
}

/// Simulated hours to run: 24, or `HA_SOAK_HOURS` (at least 7: the memory check compares
/// hours after the sixth with the first six).
fn hours() -> u64 {
    std::env::var("HA_SOAK_HOURS")
        .ok()
        .and_then(|h| h.parse().ok())
        .map_or(HOURS, |h: u64| h.max(7))
}

#[test]
#[ignore = "24 simulated hours: run optimised by scripts/test.sh (see the module docs)"]
fn soak_24_hours_is_flat_exact_and_reproducible() {
    let hours_to_run = hours();
    let other = std::thread::spawn(move || soak(11, hours_to_run));
    let run = soak(11, hours_to_run);
    let digest_b = other.join().expect("second run").digest;
    let Run {
        hours,
        crashes,
        digest,
        injections,
        refused,
    } = run;
    println!("hour  live heap (KiB)  arrived    available  events  requests  calls  jobs  log  feed  traces  alerts  breakers");
    for h in &hours {
        let f = &h.footprint;
        println!(
            "{:>4}  {:>15.0}  {:>11}  {:>7.3} %  {:>6}  {:>8}  {:>5}  {:>4}  {:>5}  {:>4}  {:>6}  {:>6}  {:>8}",
            h.hour,
            h.live_bytes as f64 / 1024.0,
            h.arrived,
            h.availability * 100.0,
            f.pending_events,
            f.requests,
            f.calls,
            f.jobs,
            f.log_entries,
            f.feed,
            f.traces,
            f.alert_feed,
            f.breakers
        );
    }
    let detected: Vec<u64> = crashes.iter().filter_map(|c| c.detected_after_s).collect();
    println!(
        "{} crashes ({} of health-checked instances, marked unhealthy after at most {} s, bound {DETECT_BOUND_S} s); back in rotation at most {} s after the crash ended (bound {BACK_BOUND_S} s)",
        crashes.len(),
        detected.len(),
        detected.iter().max().unwrap_or(&0),
        crashes.iter().map(|c| c.back_after_s).max().unwrap_or(0),
    );
    if let Some(c) = crashes.iter().max_by_key(|c| c.back_after_s) {
        println!("slowest return: {:?} crashed at {} s", c.instance, c.at_s);
    }
    let peak = PEAK.with(Cell::get);
    println!(
        "peak live heap {:.0} KiB; {refused} of {injections} injections refused; digest {digest} (second run {digest_b})",
        peak as f64 / 1024.0,
    );
    // Every request of the run was simulated: 86.4 M in 24 h at 1,000 req/s (spikes add more).
    let arrived = hours.last().expect("at least one hour").arrived;
    assert!(
        arrived >= (RATE_RPS as u64) * hours_to_run * 3_600 * 99 / 100,
        "arrived {arrived}"
    );
    // The faults really happened: most injections were taken, and every crash of a
    // health-checked instance was detected and recovered from (checked as it happened).
    assert!(
        (refused as f64) <= MAX_REFUSED_SHARE * injections as f64,
        "{refused} of {injections} injections refused"
    );
    // A crash is every 7th fault; at least half of the targets have health checks.
    assert!(
        crashes.len() as u64 >= injections / 7 - 1 && detected.len() >= crashes.len() / 3,
        "{} crashes followed, {} of health-checked instances",
        crashes.len(),
        detected.len()
    );
    // The mechanisms kept the cluster available every hour.
    for h in &hours {
        assert!(
            h.availability >= MIN_HOURLY_AVAILABILITY,
            "hour {}: {:.3} % of requests ok",
            h.hour,
            h.availability * 100.0
        );
    }
    // Flat: after six hours (ring buffers full, slabs and queues at their usual high-water
    // marks), live heap never exceeds the largest seen by then by more than half. A leak of one
    // byte per request would add 80 MB. (Measured: 2.17 MB after six hours, then steps of
    // about +0.1, +0.2 and +0.4 MB near hours 7, 13 and 24, the same steps as before the faults
    // went to the primaries only: some buffer grows by about 9 KB an hour and doubles its
    // capacity. It is not the request, call or job slabs, whose high-water marks stop rising
    // by hour 13. Not found yet; this bound holds it to well under a megabyte a day.)
    let warm = hours[..6]
        .iter()
        .map(|h| h.live_bytes)
        .max()
        .expect("six hours");
    for h in &hours[6..] {
        assert!(
            h.live_bytes <= warm + warm / 2,
            "hour {}: {} bytes live vs {} after warm-up",
            h.hour,
            h.live_bytes,
            warm
        );
    }
    assert_eq!(digest, digest_b, "the same seed gave two digests");
}
