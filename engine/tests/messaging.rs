//! Messaging (issue 22): every message ends exactly once, checked after every event over
//! random queues, topics and fault schedules; and the fault drills of the messaging presets,
//! whose figures come from capacity arithmetic.

use ha_engine::action::{ActionKind, ScheduledAction};
use ha_engine::alerts::{AlertState, Target};
use ha_engine::messaging::{Overflow, QueueKind};
use ha_engine::presets;
use ha_engine::{SimTime, Simulation};
use proptest::prelude::*;

/// A fault on the messaging cluster: a consumer or producer instance, the broker, the queue,
/// or the traffic.
fn action() -> impl Strategy<Value = (u64, u8, Option<u64>)> {
    (0u64..40_000, 0u8..10, prop::option::of(1_000u64..20_000))
}

fn scheduled((at_ms, k, dur): (u64, u8, Option<u64>)) -> ScheduledAction {
    let (target, kind) = match k {
        0 => ("192.168.1.40:8083", ActionKind::Crash),
        1 => ("192.168.1.41:8083", ActionKind::Hang),
        2 => ("192.168.1.40:8083", ActionKind::Slow { factor: 20.0 }),
        3 => ("192.168.1.90:5672", ActionKind::Crash),
        4 => ("192.168.1.90:5672", ActionKind::Hang),
        5 => ("192.168.1.90:5672", ActionKind::PartitionServing),
        6 => ("email-queue", ActionKind::PauseConsumers),
        7 => ("email-queue", ActionKind::Purge),
        8 => ("192.168.1.20:8081", ActionKind::Crash),
        _ => ("192.168.1.41:8083", ActionKind::ErrorRate { rate: 0.5 }),
    };
    let instant = kind == ActionKind::Purge;
    ScheduledAction {
        at_ms,
        target: Some(target.into()),
        kind,
        duration_ms: if instant { None } else { dur },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// published = acked + dead-lettered + dropped + waiting + in delivery, for every
    /// subscription after every event, whatever the queue's settings and the faults; the
    /// report says the same at the end.
    #[test]
    fn every_message_ends_exactly_once(
        seed in any::<u64>(),
        rate in 5.0f64..150.0,
        capacity in 1u32..400,
        drop_oldest in any::<bool>(),
        visibility_ms in 10u64..5_000,
        max_deliveries in 1u32..5,
        prefetch in 1u32..8,
        idempotent in prop::option::of(100u64..30_000),
        poison in 0.0f64..0.2,
        topic in any::<bool>(),
        per_request in 0.0f64..3.0,
        faults in prop::collection::vec(action(), 0..6),
    ) {
        let mut cfg = presets::async_queue().config;
        cfg.traffic.rate_rps = rate;
        cfg.services[0].publishes[0].per_request = per_request;
        let m = cfg.messaging.as_mut().unwrap();
        let q = &mut m.queues[0];
        q.capacity = capacity;
        q.overflow = if drop_oldest { Overflow::DropOldest } else { Overflow::Reject };
        q.visibility_timeout_ms = visibility_ms;
        q.max_deliveries = max_deliveries;
        q.prefetch = prefetch;
        q.idempotent_window_ms = idempotent;
        q.poison_fraction = poison;
        if topic {
            q.kind = QueueKind::Topic;
            q.consumers.push("order-service".into());
        }
        cfg.faults = faults.into_iter().map(scheduled).collect();
        let mut sim = Simulation::new(cfg, seed).unwrap();
        let end = SimTime::from_secs(45);
        while sim.next_event_at().is_some_and(|t| t <= end) {
            sim.step();
            if let Err(sub) = sim.messages_balance() {
                let view = sim.messaging_view().unwrap();
                prop_assert!(false, "at {} subscription {:?} does not balance: {:?}", sim.now(), sub, view.subscriptions[sub.index()].counts);
            }
        }
        for q in sim.report().queues {
            prop_assert!(q.balanced, "{}: {:?}", q.name, q.counts);
        }
    }
}

/// Preset 1: a 60 s consumer outage at 100 messages a second leaves a backlog of about 6,000,
/// no order fails, the oldest message waits about 60 s, and the backlog drains in backlog ÷
/// (consumer capacity − arrival rate) = 6,000 ÷ (200 − 100) ≈ 60 s (within 10 %).
#[test]
fn drill_a_consumer_outage_becomes_a_backlog_not_errors() {
    let mut sim = Simulation::new(presets::async_queue().config, 42).unwrap();
    let mut peak = (0u64, SimTime(0));
    let mut drained_at = None;
    while let Some(t) = sim.next_event_at() {
        if t > SimTime::from_secs(180) {
            break;
        }
        sim.step();
        let depth = sim.messaging_view().unwrap().subscriptions[0].depth;
        if depth > peak.0 {
            peak = (depth, sim.now());
        }
        if peak.0 > 1_000 && depth == 0 && drained_at.is_none() {
            drained_at = Some(sim.now());
        }
    }
    let r = sim.report();
    assert_eq!(
        r.totals.error + r.totals.timeout,
        0,
        "no order fails: {:?}",
        r.totals
    );
    let (backlog, peak_at) = peak;
    assert!((5_400..=6_600).contains(&backlog), "backlog {backlog}");
    let q = &r.queues[0];
    assert!(
        (55_000_000..=62_000_000).contains(&q.counts.max_lag_us),
        "lag {} µs",
        q.counts.max_lag_us
    );
    let drained = drained_at.expect("the backlog drains").as_secs_f64() - peak_at.as_secs_f64();
    let expected = backlog as f64 / (200.0 - 100.0);
    assert!(
        (drained - expected).abs() <= 0.1 * expected,
        "drained in {drained:.1} s, capacity arithmetic says {expected:.1} s"
    );
    assert!(q.balanced && q.counts.dead_lettered == 0 && q.counts.dropped == 0);
    // The queue's alerts fired during the outage and resolved after the drain; no backlog
    // alert means errors: none fired on order-service.
    assert_eq!(fired(&sim, "ConsumerLagHigh"), vec![sub(0)]);
    assert_eq!(fired(&sim, "QueueBacklog"), vec![sub(0)]);
    assert!(fired(&sim, "HighErrorRate").is_empty());
    assert!(sim
        .alerts()
        .alerts
        .iter()
        .all(|a| a.state != AlertState::Firing));
}

fn sub(k: usize) -> Target {
    Target::Subscription(ha_engine::common::SubscriptionId::from(k))
}

/// The targets on which the rule named `rule` has fired at least once.
fn fired(sim: &Simulation, rule: &str) -> Vec<Target> {
    let a = sim.alerts();
    a.alerts
        .iter()
        .filter(|x| a.rules[x.rule].name == rule && x.fired > 0)
        .map(|x| x.target)
        .collect()
}

/// Preset 2: a 5× spike for 30 s (40 → 200 orders a second) against 100 messages a second of
/// consumer capacity: the queue grows by about 100 a second to about 3,000 while the
/// consumers stay at capacity, then drains at 100 − 40 = 60 a second in about 50 s.
#[test]
fn drill_load_levelling_absorbs_a_spike() {
    let mut sim = Simulation::new(presets::load_levelling().config, 42).unwrap();
    sim.run_until(SimTime::from_secs(60));
    let at_peak = sim.messaging_view().unwrap().subscriptions[0].clone();
    assert!(
        (2_600..=3_400).contains(&at_peak.depth),
        "depth at 60 s {}",
        at_peak.depth
    );
    // Consumers at capacity through the spike: about 100 acknowledgements a second.
    let acked: Vec<u64> = at_peak
        .series
        .iter()
        .rev()
        .take(20)
        .map(|p| p.acked)
        .collect();
    assert!(acked.iter().all(|&a| (90..=110).contains(&a)), "{acked:?}");
    sim.run_until(SimTime::from_secs(120));
    let after = sim.messaging_view().unwrap().subscriptions[0].clone();
    assert!(after.depth < 100, "drained by 120 s: {}", after.depth);
    let r = sim.report();
    assert_eq!(r.totals.error + r.totals.timeout, 0, "{:?}", r.totals);
}

/// Preset 3: 1 % poison messages each fail 3 deliveries 5 s apart and are dead-lettered; the
/// rest are acknowledged. At 50 orders a second for 120 s: about 60 poison messages, those
/// published before about 110 s dead-lettered.
#[test]
fn drill_poison_messages_are_dead_lettered_and_the_rest_flow() {
    let mut sim = Simulation::new(presets::poison().config, 42).unwrap();
    sim.run_until(SimTime::from_secs(120));
    let r = sim.report();
    let q = &r.queues[0];
    assert!(
        (35..=80).contains(&q.counts.dead_lettered),
        "{:?}",
        q.counts
    );
    assert!(
        q.counts.acked as f64 >= 0.97 * q.counts.published as f64,
        "{:?}",
        q.counts
    );
    assert!(q.balanced);
    // Every dead-lettered message was delivered exactly max_deliveries times.
    assert!(
        q.counts.redelivered >= 2 * q.counts.dead_lettered,
        "{:?}",
        q.counts
    );
    // The dead-letter alert fired; the backlog and lag alerts did not: the rest flows.
    assert_eq!(fired(&sim, "DeadLettering"), vec![sub(0)]);
    assert!(fired(&sim, "QueueBacklog").is_empty() && fired(&sim, "ConsumerLagHigh").is_empty());
}

/// Preset 4: on the event bus only the subscriber that is down backs up.
#[test]
fn drill_fan_out_backs_up_only_the_subscriber_that_is_down() {
    let mut sim = Simulation::new(presets::fan_out().config, 42).unwrap();
    sim.run_until(SimTime::from_secs(85));
    let v = sim.messaging_view().unwrap();
    let depths: Vec<u64> = v.subscriptions.iter().map(|s| s.depth).collect();
    assert!(depths[0] < 50 && depths[1] < 50, "{depths:?}");
    assert!((2_400..=3_000).contains(&depths[2]), "{depths:?}");
    // Only analytics-service's copy raised the backlog alert.
    assert_eq!(fired(&sim, "QueueBacklog"), vec![sub(2)]);
}

/// The explain panel's answer for email-queue follows the run: during the outage nothing
/// drains; after it, the drain time is the backlog over (capacity − arrivals).
#[test]
fn the_explanation_of_a_backlog_follows_the_run() {
    use ha_engine::common::SubscriptionId;
    use ha_engine::explain::{Answer, Selection};
    let mut sim = Simulation::new(presets::async_queue().config, 42).unwrap();
    let backlog = |sim: &Simulation| match sim.explain(Selection::Queue(SubscriptionId(0))).answer {
        Answer::Backlog(b) => b,
        other => panic!("{other:?}"),
    };
    sim.run_until(SimTime::from_secs(80));
    let b = backlog(&sim);
    assert_eq!((b.consumers_up, b.consumers), (0, 2));
    assert!(b.depth > 4_000 && b.drain_s().is_none(), "{b:?}");
    assert!((90.0..=110.0).contains(&b.arrival_per_s), "{b:?}");
    sim.run_until(SimTime::from_secs(110));
    let b = backlog(&sim);
    assert_eq!(b.consumers_up, 2, "{b:?}");
    assert!((b.capacity_per_s - 200.0).abs() < 1.0, "{b:?}");
    let d = b.drain_s().expect("drains");
    let expected = b.depth as f64 / (200.0 - b.arrival_per_s);
    assert!((d - expected).abs() < 1e-6 && d > 5.0, "{b:?}");
}

/// Preset 1 in compare mode: the same orders, once through email-queue and once as a call to
/// email-service. During the 60 s outage at 100 orders a second the call version fails about
/// 6,000 orders; the queue version fails none. Both sides see the same requests.
#[test]
fn sync_or_async_the_call_fails_orders_the_queue_does_not() {
    let async_cfg = presets::async_queue().config;
    let sync_cfg = async_cfg.messages_as_calls();
    assert!(sync_cfg.messaging.is_none());
    assert_eq!(
        sync_cfg.services[0].depends_on,
        vec!["email-service".to_string()]
    );
    let run = |cfg| {
        let mut sim = Simulation::new(cfg, 42).unwrap();
        sim.run_until(SimTime::from_secs(180));
        sim
    };
    let (a, b) = (run(async_cfg), run(sync_cfg));
    let failed = |s: &Simulation| {
        let t = s.report().totals;
        t.error + t.timeout + t.short_circuited + t.no_healthy_upstream
    };
    assert_eq!(failed(&a), 0);
    let f = failed(&b);
    eprintln!(
        "call version: {f} orders failed of {}",
        b.view().totals.arrived
    );
    assert!(
        (5_000..=7_000).contains(&f),
        "the call version failed {f} orders"
    );
    assert_eq!(
        a.view().workload,
        b.view().workload,
        "same requests on both sides"
    );
    assert_eq!(a.view().totals.arrived, b.view().totals.arrived);
}
