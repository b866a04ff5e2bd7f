//! The frame codec (`ha_engine::codec`): every preset's views come back equal, decoded fresh
//! or in place over another run's view, and the types without an `ActionKind` cross as
//! postcard's own encoder writes them.

use ha_engine::codec::{decode, decode_into, encode, Wire};
use ha_engine::scenario::presets;
use ha_engine::{ClusterView, SimTime, Simulation};
use serde::Serialize;

/// Every preset and the fixture with every mechanism.
fn runs() -> Vec<(String, Simulation)> {
    let mut out: Vec<(String, Simulation)> = presets::all()
        .into_iter()
        .map(|p| (p.name.to_string(), Simulation::new(p.config, 42).unwrap()))
        .collect();
    let all = include_str!("../../tests/fixtures/all-mechanisms.json");
    let cfg: ha_engine::ClusterConfig = serde_json::from_str(all).unwrap();
    out.push(("all-mechanisms".into(), Simulation::new(cfg, 42).unwrap()));
    out
}

/// `v` as [`encode`] writes it is what postcard writes.
fn as_postcard<T: Wire + Serialize + Clone>(what: &str, v: &T) {
    assert_eq!(
        encode(&mut v.clone()),
        postcard::to_allocvec(v).unwrap(),
        "{what}: postcard's bytes"
    );
}

#[test]
fn every_view_comes_back_equal_fresh_and_in_place() {
    // Decoded in place over the previous view of whichever run came before: more or fewer
    // instances, services, alerts, queues; a store or none.
    let mut shown: ClusterView = runs()[0].1.view();
    let mut seen_faults = 0;
    for (name, mut sim) in runs() {
        for s in (3..=90).step_by(3) {
            sim.run_until(SimTime::from_ms(s * 1_000));
            let v = sim.view();
            seen_faults +=
                v.faults.len() + v.instances.iter().map(|i| i.faults.len()).sum::<usize>();
            let bytes = encode(&mut v.clone());
            assert_eq!(decode::<ClusterView>(&bytes), v, "{name} at {s} s");
            decode_into(&mut shown, &bytes);
            assert_eq!(shown, v, "{name} at {s} s, in place");
            for (i, svc) in v.services.iter().enumerate() {
                as_postcard(&format!("{name} at {s} s: service {i}"), svc);
            }
            as_postcard(&format!("{name}: totals"), &v.totals);
            as_postcard(&format!("{name}: stats"), &v.stats);
            as_postcard(&format!("{name}: breakers"), &v.breakers);
            as_postcard(&format!("{name}: alerts"), &v.alerts);
            as_postcard(&format!("{name}: data"), &v.data);
            as_postcard(&format!("{name}: messaging"), &v.messaging);
            if let Some(mut ring) = sim.ring_view() {
                as_postcard(&format!("{name}: ring"), &ring);
                assert_eq!(
                    decode::<ha_engine::view::RingView>(&encode(&mut ring)),
                    ring
                );
                for k in [0, u64::MAX / 3, u64::MAX] {
                    if let Some(mut key) = sim.key_view(k) {
                        as_postcard(&format!("{name}: key {k}"), &key);
                        assert_eq!(decode::<ha_engine::view::KeyView>(&encode(&mut key)), key);
                    }
                }
            }
        }
    }
    // The runs had faults to carry (their kinds cross as JSON).
    assert!(seen_faults > 0);
}

/// Every kind of action crosses with its fields (a fault on an instance in a view).
#[test]
fn every_action_kind_comes_back() {
    use ha_engine::balancer::Strategy;
    use ha_engine::ActionKind as K;
    let all = vec![
        K::Crash,
        K::Hang,
        K::Slow { factor: 2.5 },
        K::ErrorRate { rate: 0.3 },
        K::PartitionHeartbeats,
        K::PartitionServing,
        K::TrafficSpike { factor: 4.0 },
        K::Capacity { concurrency: 7 },
        K::DataNodeFail,
        K::DataNodeRecover,
        K::DataNodeJoin {
            capacity: 1_000_000,
            weight: 3,
        },
        K::DataNodeLeave,
        K::Restart,
        K::Drain,
        K::SetWeight { weight: 300 },
        K::SetStrategy {
            strategy: Strategy::PeakEwma,
        },
        K::Recover,
        K::PauseConsumers,
        K::Purge,
    ];
    let bytes = encode(&mut all.clone());
    assert_eq!(decode::<Vec<K>>(&bytes), all);
    // Each in place over every other.
    for a in &all {
        for b in &all {
            let mut x = *b;
            decode_into(&mut x, &encode(&mut a.clone()));
            assert_eq!(x, *a);
        }
    }
}

/// A lesson's answer crosses to the page: a number, or a state by its label (every label a
/// measure reads, found again on the page's side as the same `&'static str`).
#[test]
fn every_answer_comes_back() {
    use ha_engine::scenario::lesson::Measure;
    use ha_engine::sim::player::{Answer, Reading};
    let mut answers = vec![Answer {
        value: Reading::Number(0.1 + 0.2),
        choice: None,
        readings: vec![1.0, f64::MAX, -0.0],
    }];
    for (m, _) in Measure::KEYS {
        for label in m.labels() {
            answers.push(Answer {
                value: Reading::Label(label),
                choice: Some(format!("{label}?")),
                readings: Vec::new(),
            });
        }
    }
    assert!(answers.len() >= 8, "the label measures have labels");
    for a in answers {
        assert_eq!(decode::<Answer>(&encode(&mut a.clone())), a);
    }
}
