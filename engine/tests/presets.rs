//! Every preset runs and shows what it claims to teach.

use ha_engine::balancer::Strategy;
use ha_engine::breaker::BreakerState::*;
use ha_engine::common::Outcome;
use ha_engine::event::{Event, LOG_CAPACITY};
use ha_engine::presets;
use ha_engine::scenario::Scenario;
use ha_engine::{Action, ActionKind, ActionTarget, InstanceId, SimTime, Simulation};

mod common;
use common::dispatches_per_second;

fn run(name: &str, edit: impl FnOnce(&mut Scenario)) -> Simulation {
    let p = presets::by_name(name).unwrap_or_else(|| panic!("no preset {name}"));
    let mut s = Scenario::from_preset(&p, presets::DEFAULT_SEED);
    edit(&mut s);
    let mut sim = Simulation::keeping_events(s.cluster.clone(), s.seed, LOG_CAPACITY).unwrap();
    sim.run_until(SimTime::from_secs(s.duration_s as u64));
    if let Err(e) = sim.check_exactly_once() {
        panic!("{name}: {e}");
    }
    sim
}

fn notable(sim: &Simulation, f: impl Fn(&Event) -> bool) -> Vec<SimTime> {
    sim.log()
        .notable()
        .filter(|e| f(&e.event))
        .map(|e| e.at)
        .collect()
}

fn fired(sim: &Simulation) -> Vec<String> {
    sim.alerts()
        .alerts
        .iter()
        .filter(|a| a.fired > 0)
        .map(|a| sim.alerts().rules[a.rule].name.clone())
        .collect()
}

#[test]
fn every_preset_runs_its_duration() {
    for p in presets::all() {
        let sim = run(p.name, |_| {});
        assert!(sim.totals().arrived > 0, "{}", p.name);
    }
    assert!(presets::all().len() >= 9);
}

#[test]
fn discovery_expires_a_crashed_instance() {
    let p = presets::discovery();
    let mut sim = Scenario::from_preset(&p, 42).simulation().unwrap();
    sim.run_until(SimTime::from_secs(20));
    let victim = sim.instance_by_address("192.168.1.11:8080").unwrap();
    sim.apply(Action::on(ActionKind::Crash, victim)).unwrap();
    sim.run_until(SimTime::from_secs(60));
    assert!(!sim.registry().is_registered(victim));
    assert!(sim.feed().any(|f| matches!(
        &f.notice,
        ha_engine::notice::Notice::UpstreamsChanged { removed, .. } if *removed == [victim]
    )));
}

#[test]
fn showdown_weights_split_2_1_1_and_load_aware_strategies_spare_the_slow_instance() {
    let sim = run("showdown", |_| {});
    let v = sim.view();
    let served: Vec<f64> = v.instances.iter().map(|i| i.served as f64).collect();
    let total: f64 = served.iter().sum();
    assert!((served[0] / total - 0.5).abs() < 0.01, "{served:?}");
    let slow_rr = {
        let s = run("showdown", |s| {
            s.cluster.services[0].strategy = Strategy::RoundRobin
        });
        s.view().instances[2].served
    };
    let slow_lc = {
        let s = run("showdown", |s| {
            s.cluster.services[0].strategy = Strategy::LeastConnections
        });
        s.view().instances[2].served
    };
    assert!(
        (slow_lc as f64) < 0.8 * slow_rr as f64,
        "least connections {slow_lc} vs round robin {slow_rr}"
    );
}

#[test]
fn dynamic_keeps_routing_to_a_hung_instance_until_its_report_is_60_s_old() {
    let p = presets::by_name("dynamic").expect("preset");
    let s = Scenario::from_preset(&p, presets::DEFAULT_SEED);
    let mut sim =
        Simulation::keeping_events(s.cluster.clone(), s.seed, LOG_CAPACITY).expect("preset builds");
    let hung = InstanceId(0);
    let per_s: Vec<usize> = dispatches_per_second(&mut sim, s.duration_s as u64)
        .iter()
        .map(|second| second[hung.0 as usize])
        .collect();
    let in_window = |from: usize, to: usize| per_s[from..to].iter().sum::<usize>();
    // Hang at 39 s: calls to it keep being dispatched while its last report is fresh...
    let errors = sim.view().instances[0].errors;
    assert!(
        errors > 1_000,
        "the stale score kept sending to it: {errors}"
    );
    assert!(
        in_window(95, 100) > 0,
        "still dispatched to just before its report turns 60 s old: {per_s:?}"
    );
    // ...and stop once it scores 0 (about 101 s).
    assert_eq!(in_window(105, 130), 0, "{per_s:?}");
}

#[test]
fn failover_promotes_the_backup_gives_up_and_fails_back() {
    let sim = run("failover", |_| {});
    let s = sim.stats();
    assert_eq!((s.failovers, s.recoveries_given_up, s.failbacks), (1, 1, 1));
    assert_eq!(
        notable(&sim, |e| matches!(e, Event::RecoveryAttempt { .. })).len(),
        3
    );
}

#[test]
fn breaker_opens_half_opens_and_closes() {
    let sim = run("breaker", |_| {});
    let changes: Vec<_> = sim
        .log()
        .notable()
        .filter_map(|e| match e.event {
            Event::BreakerChanged { from, to, .. } => Some((from, to)),
            _ => None,
        })
        .collect();
    for t in [
        (Closed, Open),
        (Open, HalfOpen),
        (HalfOpen, Open),
        (HalfOpen, Closed),
    ] {
        assert!(changes.contains(&t), "{t:?} in {changes:?}");
    }
    assert!(sim.totals().short_circuited > 50);
}

#[test]
fn rate_limit_presets_reject_the_burst_differently() {
    let bucket = run("rate-limit", |_| {});
    let window = run("rate-limit-window", |_| {});
    for sim in [&bucket, &window] {
        assert!(sim.totals().rejected > 500, "{:?}", sim.totals());
    }
    // Rejections per second: the bucket trickles (about 55/s for the whole burst), the window
    // rejects everything in a block.
    let per_second = |sim: &Simulation| {
        let mut secs = [0u32; 90];
        for e in sim.log().entries() {
            if let Event::RequestEnded {
                outcome: Outcome::Rejected,
                ..
            } = e.event
            {
                secs[(e.at.as_us() / 1_000_000) as usize % 90] += 1;
            }
        }
        secs
    };
    let b = per_second(&bucket);
    let w = per_second(&window);
    let max_b = *b.iter().max().unwrap();
    let max_w = *w.iter().max().unwrap();
    assert!(
        max_w > max_b,
        "window rejects in a block ({max_w}/s) vs bucket ({max_b}/s)"
    );
}

#[test]
fn alerts_go_pending_firing_resolved() {
    let sim = run("alerts", |_| {});
    let f = fired(&sim);
    assert!(f.contains(&"HighErrorRate".to_string()), "{f:?}");
    assert!(f.contains(&"HighLatencyP99".to_string()), "{f:?}");
    use ha_engine::alerts::AlertState::*;
    let kinds: Vec<_> = sim.alerts().feed().map(|t| (t.from, t.to)).collect();
    for t in [(Inactive, Pending), (Pending, Firing), (Firing, Resolved)] {
        assert!(kinds.contains(&t), "{t:?}");
    }
}

/// Which instance each client's requests went to in the retained log, from `from` on.
fn client_instances(
    sim: &Simulation,
    from: SimTime,
) -> std::collections::BTreeMap<u32, InstanceId> {
    let mut client_of = std::collections::BTreeMap::new();
    let mut out = std::collections::BTreeMap::new();
    for e in sim.log().entries() {
        match e.event {
            Event::RequestArrived {
                request, client, ..
            } => {
                client_of.insert(request, client);
            }
            Event::CallDispatched {
                request, instance, ..
            } if e.at >= from => {
                if let Some(c) = client_of.get(&request) {
                    out.insert(*c, instance);
                }
            }
            _ => {}
        }
    }
    out
}

/// (clients of the failed instance that moved, clients of healthy instances that moved).
fn sessions_moved(strategy: Strategy, load_bound: f64) -> (usize, usize) {
    let p = presets::by_name("sessions").unwrap();
    let mut s = Scenario::from_preset(&p, presets::DEFAULT_SEED);
    s.cluster.services[0].strategy = strategy;
    s.cluster.services[0].lb.ring_load_factor = load_bound;
    let mut sim = Simulation::keeping_events(s.cluster.clone(), s.seed, LOG_CAPACITY).unwrap();
    // The log keeps the newest 10,000 events (~50 s here): read each window while it is there.
    sim.run_until(SimTime::from_secs(40)); // cart-2 crashes at 40 s
    let before = client_instances(&sim, SimTime::from_secs(5));
    sim.run_until(SimTime::from_secs(90));
    let after = client_instances(&sim, SimTime::from_secs(60));
    let failed = InstanceId(1);
    let (mut moved_failed, mut moved_healthy) = (0, 0);
    for (c, b) in &before {
        if let Some(a) = after.get(c) {
            if a != b {
                if *b == failed {
                    moved_failed += 1;
                } else {
                    moved_healthy += 1;
                }
            }
        }
    }
    (moved_failed, moved_healthy)
}

#[test]
fn sessions_sticky_moves_only_the_failed_instances_clients_ip_hash_moves_many() {
    let (f, h) = sessions_moved(Strategy::StickySession, 0.0);
    eprintln!("sticky sessions: {f} clients of the failed instance moved, {h} others");
    assert!(f > 50 && h == 0, "sticky: failed {f}, healthy {h}");
    let (f, h) = sessions_moved(Strategy::IpHash, 0.0);
    eprintln!("IP hash: {f} clients of the failed instance moved, {h} others");
    assert!(f > 50 && h > 50, "ip hash: failed {f}, healthy {h}");
    let (f, h) = sessions_moved(Strategy::RingHash, 0.0);
    eprintln!("ring hash: {f} clients of the failed instance moved, {h} others");
    assert!(f > 50 && h == 0, "ring hash: failed {f}, healthy {h}");
    let (f, h) = sessions_moved(Strategy::Maglev, 0.0);
    eprintln!("Maglev: {f} clients of the failed instance moved, {h} others");
    assert!(f > 50 && h < 15, "maglev: failed {f}, healthy {h}");
    // A load bound spills some clients of the now busier neighbours.
    let (f, h) = sessions_moved(Strategy::RingHash, 1.25);
    eprintln!("ring hash, bounded load 1.25: {f} clients of the failed instance moved, {h} others");
    assert!(f > 50, "bounded ring hash: failed {f}, healthy {h}");
}

#[test]
fn cascade_is_contained_by_breakers_and_retry_budgets() {
    let with = run("cascade", |_| {}).totals();
    let without_breakers = run("cascade", |s| {
        for svc in &mut s.cluster.services {
            svc.breaker = None;
        }
    })
    .totals();
    let bare = run("cascade", |s| {
        for svc in &mut s.cluster.services {
            svc.breaker = None;
            svc.retry.max_retries = 0;
        }
    })
    .totals();
    let failed = |t: ha_engine::OutcomeCounts| t.arrived - t.ok - t.in_flight;
    assert!(
        failed(with) * 10 < failed(without_breakers),
        "{with:?} vs {without_breakers:?}"
    );
    assert!(
        failed(without_breakers) < failed(bare),
        "{without_breakers:?} vs {bare:?}"
    );
}

#[test]
fn microservices_latency_travels_upstream() {
    let sim = run("microservices", |s| {
        s.cluster.faults.push(ha_engine::action::ScheduledAction {
            at_ms: 30_000,
            target: Some("192.168.1.10:8080".into()),
            kind: ha_engine::action::ActionKind::Slow { factor: 10.0 },
            duration_ms: None,
        })
    });
    let v = sim.view();
    let p99 = |name: &str| {
        v.services
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .p99_ms
            .unwrap()
    };
    assert!(p99("user-service") > 300.0);
    assert!(p99("order-service") > p99("user-service"));
    assert!(p99("payment-service") > p99("user-service"));
}

#[test]
fn replication_falls_back_alerts_and_repairs() {
    let p = presets::by_name("replication").unwrap();
    let s = Scenario::from_preset(&p, presets::DEFAULT_SEED);
    let mut sim = s.simulation().unwrap();
    sim.run_until(SimTime::from_secs(31));
    let under = sim.store().unwrap().under_replicated();
    // node-2 holds a replica of about 3/5 of the 1,000 keys.
    assert!((450..750).contains(&under), "{under}");
    sim.run_until(SimTime::from_secs(110));
    assert_eq!(
        sim.store().unwrap().under_replicated(),
        0,
        "repaired at 20 keys/s"
    );
    sim.run_until(SimTime::from_secs(150));
    let ops = sim.data_ops();
    assert!(ops.reads_fallback > 100, "{ops:?}");
    assert_eq!(
        (
            ops.reads_not_found,
            ops.reads_unavailable,
            ops.writes_failed
        ),
        (0, 0, 0)
    );
    assert!(fired(&sim).contains(&"UnderReplicated".to_string()));
    let view = sim.ring_view().unwrap();
    assert_eq!(view.points.len(), 500);
    assert_eq!(view.replicas, 3);
    let k = sim.key_view(7).unwrap();
    assert_eq!(k.replica_set.len(), 3);
}

#[test]
fn ring_view_follows_failures_and_joins() {
    let p = presets::by_name("replication").unwrap();
    let mut sim = Scenario::from_preset(&p, 1).simulation().unwrap();
    sim.run_until(SimTime::from_secs(5));
    let g0 = sim.view().data.unwrap().generation;
    sim.apply(Action::on(
        ActionKind::DataNodeFail,
        ActionTarget::DataNode("node-3".into()),
    ))
    .unwrap();
    let v = sim.ring_view().unwrap();
    assert!(!v.nodes[2].up);
    assert!(v.under_replicated > 0);
    assert!(sim.view().data.unwrap().generation > g0);
    sim.apply(Action::on(
        ActionKind::DataNodeJoin {
            capacity: 2_000,
            weight: 1,
        },
        ActionTarget::DataNode("node-6".into()),
    ))
    .unwrap();
    let v = sim.ring_view().unwrap();
    assert_eq!(v.nodes.len(), 6);
    assert!(v.last_moved_pct > 5.0, "{}", v.last_moved_pct);
}

/// Each preset's data file, `engine/presets/<name>.json`, is its scenario with the default
/// seed as `Scenario::to_json` writes it: the page fetches these files instead of carrying the
/// presets' code. `UPDATE_EXPECT=1 cargo test -p ha-engine --test presets` rewrites them after a
/// preset changes (twice, when it is the default: the default's file is compiled in).
#[test]
fn preset_files_are_the_presets() {
    let all = presets::all();
    let names: Vec<&str> = all.iter().map(|p| p.name).collect();
    let index: Vec<&str> = presets::INDEX.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names, index,
        "presets::INDEX lists every preset in all()'s order"
    );
    for p in &all {
        assert!(!p.title.is_empty(), "{}: no title in INDEX", p.name);
        let s = Scenario::from_preset(p, presets::DEFAULT_SEED);
        expect_test::expect_file![format!("../presets/{}.json", p.name)].assert_eq(&s.to_json());
        assert_eq!(
            Scenario::from_json(&s.to_json()).as_ref(),
            Ok(&s),
            "{}",
            p.name
        );
    }
    let default = presets::by_name(presets::DEFAULT).unwrap();
    assert_eq!(
        Scenario::default_scenario(),
        Scenario::from_preset(&default, presets::DEFAULT_SEED)
    );
}

/// The SimPy comparison (`engine/bench/simpy_round_robin.py`, run by `scripts/bench.sh`) runs
/// `ha-sim run --config engine/bench/round_robin_10.json`: that file is the criterion bench's
/// 10-instance round-robin workload, kept equal to it here (`UPDATE_EXPECT=1` rewrites it).
#[test]
fn the_simpy_comparisons_cluster_is_the_round_robin_bench_workload() {
    let w = ha_engine::bench::workloads()
        .into_iter()
        .find(|w| w.id == "round_robin_10_instances")
        .expect("the workload exists");
    let json = serde_json::to_string_pretty(&w.config).unwrap() + "\n";
    expect_test::expect_file!["../bench/round_robin_10.json"].assert_eq(&json);
}
