//! What the teaching UI relies on: the same workload under two strategies (compare mode),
//! operator actions on the timeline (drain, weight, strategy, recover), the finer instance
//! states, the alert feed view and the explain panel's live answers.

use ha_engine::action::{ActionKind, ScheduledAction};
use ha_engine::alerts::Target;
use ha_engine::balancer::Strategy;
use ha_engine::explain::{About, Answer, InstanceAnswer, Selection};
use ha_engine::presets;
use ha_engine::scenario::Scenario;
use ha_engine::view::InstanceStatus;
use ha_engine::{InstanceId, ServiceId, SimTime, Simulation};

fn scenario(name: &str) -> Scenario {
    Scenario::from_preset(&presets::by_name(name).unwrap(), presets::DEFAULT_SEED)
}

fn at(ms: u64, target: &str, fault: ActionKind, duration_ms: Option<u64>) -> ScheduledAction {
    ScheduledAction {
        at_ms: ms,
        target: Some(target.to_string()),
        kind: fault,
        duration_ms,
    }
}

fn served_between(sim: &Simulation, id: InstanceId, from_s: u64, to_s: u64) -> u64 {
    sim.view().instances[id.0 as usize]
        .series
        .iter()
        .filter(|p| p.t_ms > from_s * 1_000 && p.t_ms <= to_s * 1_000)
        .map(|p| p.rps as u64)
        .sum()
}

#[test]
fn two_strategies_see_exactly_the_same_requests() {
    let a = scenario("showdown");
    let mut b = a.clone();
    b.cluster.services[0].strategy = Strategy::LeastConnections;
    let (mut sa, mut sb) = (a.simulation().unwrap(), b.simulation().unwrap());
    for s in 1..=60 {
        sa.run_until(SimTime::from_secs(s));
        sb.run_until(SimTime::from_secs(s));
        assert_eq!(sa.totals().arrived, sb.totals().arrived, "at {s} s");
        assert_eq!(sa.workload(), sb.workload(), "at {s} s");
    }
    assert_ne!(
        sa.digest(),
        sb.digest(),
        "the runs themselves differ: different routing"
    );
    let slow = InstanceId(2);
    let (ra, rb) = (sa.view().instances[2].served, sb.view().instances[2].served);
    assert!(
        (rb as f64) < 0.8 * ra as f64,
        "least connections spares the slow instance: {rb} vs round robin {ra} ({slow:?})"
    );
    // A different seed is a different workload.
    let mut c = a.clone();
    c.seed += 1;
    let mut sc = c.simulation().unwrap();
    sc.run_until(SimTime::from_secs(60));
    assert_ne!(sa.workload(), sc.workload());
}

#[test]
fn a_drained_instance_gets_nothing_new_and_recover_brings_it_back() {
    let mut s = scenario("showdown");
    let addr = s.cluster.services[0].instances[1].address.clone();
    s.cluster.faults = vec![
        at(20_000, &addr, ActionKind::Drain, None),
        at(50_000, &addr, ActionKind::Recover, None),
    ];
    let mut sim = s.simulation().unwrap();
    let id = sim.instance_by_address(&addr).unwrap();
    sim.run_until(SimTime::from_secs(20));
    let before = sim.view().instances[1].served;
    assert!(before > 100, "it served before the drain: {before}");
    sim.run_until(SimTime::from_secs(21));
    let v = sim.view();
    assert_eq!(v.instances[1].status, InstanceStatus::Draining);
    assert!(v.instances[1].draining && v.instances[1].up);
    assert!(!v.services[0].candidates.contains(&id));
    sim.run_until(SimTime::from_secs(49));
    let drained = served_between(&sim, id, 22, 49);
    assert_eq!(drained, 0, "no new requests while draining");
    sim.run_until(SimTime::from_secs(80));
    assert_eq!(sim.view().instances[1].status, InstanceStatus::Serving);
    assert!(
        served_between(&sim, id, 52, 80) > 100,
        "back in rotation after Recover"
    );
    assert_eq!(sim.check_exactly_once(), Ok(()));
}

#[test]
fn weight_and_strategy_changes_on_the_timeline_change_the_spread() {
    let mut s = scenario("showdown");
    let svc = s.cluster.services[0].name.clone();
    let a0 = s.cluster.services[0].instances[0].address.clone();
    s.cluster.services[0].strategy = Strategy::RoundRobin;
    s.cluster.faults = vec![
        ScheduledAction {
            at_ms: 30_000,
            target: Some(svc.clone()),
            kind: ActionKind::SetStrategy {
                strategy: Strategy::WeightedRoundRobin,
            },
            duration_ms: None,
        },
        at(30_000, &a0, ActionKind::SetWeight { weight: 8 }, None),
    ];
    s.validate().unwrap();
    let mut sim = s.simulation().unwrap();
    sim.run_until(SimTime::from_secs(29));
    let v = sim.view();
    let even: Vec<u64> = (0..3)
        .map(|i| served_between(&sim, InstanceId(i), 10, 29))
        .collect();
    assert_eq!(v.services[0].strategy, Strategy::RoundRobin);
    let spread = |v: &[u64]| *v.iter().max().unwrap() as f64 / *v.iter().min().unwrap() as f64;
    assert!(spread(&even) < 1.3, "round robin spreads evenly: {even:?}");
    sim.run_until(SimTime::from_secs(60));
    let v = sim.view();
    assert_eq!(v.services[0].strategy, Strategy::WeightedRoundRobin);
    assert_eq!(v.instances[0].weight, 8);
    let weighted: Vec<u64> = (0..3)
        .map(|i| served_between(&sim, InstanceId(i), 35, 60))
        .collect();
    // Weights 8, 1, 1 (the showdown's others keep theirs): the first takes most.
    assert!(
        weighted[0] as f64 > 2.5 * weighted[1] as f64,
        "weight 8 takes most: {weighted:?}"
    );
    // Instant actions take no duration, and a strategy needs a service.
    let mut bad = s.clone();
    bad.cluster.faults[0].duration_ms = Some(1_000);
    assert!(bad.validate().is_err());
    let mut bad = s.clone();
    bad.cluster.faults[0].target = Some("no-such-service".into());
    assert!(bad.validate().is_err());
}

#[test]
fn finer_instance_states_suspect_unhealthy_recovering() {
    let mut s = scenario("failover");
    let addr = s.cluster.services[0].instances[0].address.clone();
    s.cluster.faults = vec![at(10_000, &addr, ActionKind::Hang, Some(30_000))];
    let mut sim = s.simulation().unwrap();
    let mut seen = Vec::new();
    for ms in (10_000..80_000).step_by(250) {
        sim.run_until(SimTime::from_ms(ms));
        let st = sim.view().instances[0].status;
        if seen.last() != Some(&st) {
            seen.push(st);
        }
    }
    let pos = |st| seen.iter().position(|s| *s == st);
    let (suspect, unhealthy, recovering) = (
        pos(InstanceStatus::Suspect),
        pos(InstanceStatus::OutOfRotation),
        pos(InstanceStatus::Recovering),
    );
    assert!(
        suspect.is_some() && unhealthy.is_some() && recovering.is_some(),
        "{seen:?}"
    );
    assert!(suspect < unhealthy && unhealthy < recovering, "{seen:?}");
    assert_eq!(seen.last(), Some(&InstanceStatus::Serving), "{seen:?}");
}

#[test]
fn alert_feed_view_is_newest_first_with_sources() {
    let s = scenario("alerts");
    let mut sim = s.simulation().unwrap();
    sim.run_until(SimTime::from_secs(s.duration_s as u64));
    let feed = sim.alert_feed_view();
    assert!(feed.len() >= 3, "{feed:?}");
    assert!(feed
        .windows(2)
        .all(|w| w[0].at_us >= w[1].at_us && w[0].seq > w[1].seq));
    assert_eq!(feed[0].seq + 1, sim.view().alert_posted);
    let states: Vec<_> = feed.iter().map(|e| e.to.label()).collect();
    for st in ["pending", "firing", "resolved"] {
        assert!(states.contains(&st), "{st} missing from {states:?}");
    }
    assert!(feed
        .iter()
        .all(|e| e.service.is_some() || e.target == Target::Data));
    // Each entry names its alert, whose rule and target are the entry's.
    for e in &feed {
        let a = &sim.alerts().alerts[e.alert];
        assert_eq!(a.target, e.target);
        assert_eq!(sim.alerts().rules[a.rule].name, e.rule);
    }
}

#[test]
fn explanations_name_the_live_numbers() {
    let mut s = scenario("showdown");
    s.cluster.services[0].strategy = Strategy::LeastConnections;
    let mut sim = s.simulation().unwrap();
    sim.run_until(SimTime::from_secs(20));
    let e = sim.explain(Selection::Service(ServiceId(0)));
    let v = sim.view();
    let least = v.services[0]
        .candidates
        .iter()
        .map(|&i| &v.instances[i.0 as usize])
        .min_by_key(|i| (i.busy + i.queued, i.id))
        .unwrap();
    let Answer::LeastConnections { best, others } = &e.answer else {
        panic!("least connections explains itself: {e:?}");
    };
    assert_eq!(*best, (least.id, f64::from(least.busy + least.queued)));
    assert!(
        others.iter().all(|(i, n)| *i != least.id && *n >= best.1),
        "{others:?}"
    );
    assert_eq!(
        e.about,
        About::Service(ServiceId(0), Strategy::LeastConnections)
    );
    let g = sim.explain(Selection::Gateway);
    assert!(
        matches!(g.answer, Answer::GatewayOpen { offered_rps } if offered_rps == s.cluster.traffic.rate_rps)
            || matches!(g.answer, Answer::GatewayLimited { .. }),
        "{g:?}"
    );
    // An instance that is down and still listed says why traffic fails: it is still listed,
    // with the registry's TTL left.
    sim.apply(ha_engine::Action::on(ActionKind::Crash, InstanceId(0)))
        .unwrap();
    sim.run_for(1_000_000);
    let i = sim.explain(Selection::Instance(InstanceId(0)));
    let Answer::Instance(InstanceAnswer::DownListed { ttl_left_us }) = i.answer else {
        panic!("a crashed, still listed instance: {i:?}");
    };
    let ttl_us = s.cluster.registry.heartbeat_timeout_ms * 1_000;
    assert!(ttl_left_us > 0 && ttl_left_us < ttl_us, "{ttl_left_us}");
    let none = sim.explain(Selection::Instance(InstanceId(99)));
    assert_eq!(none.about, About::Nothing);
}

#[test]
fn the_stress_preset_is_thirty_instances_at_five_thousand_per_second() {
    let s = scenario("stress");
    let mut sim = s.simulation().unwrap();
    sim.run_until(SimTime::from_secs(20));
    let v = sim.view();
    assert_eq!(v.instances.len(), 30);
    let rate = v.services[0].rps;
    assert!((4_700.0..5_300.0).contains(&rate), "{rate}");
    assert!(v.totals.add_up());
}
