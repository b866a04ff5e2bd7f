//! The wire format (`ha_engine::wire`) against postcard's own encoder and decoder: the same
//! bytes, the same values, for every preset's views and every serde shape at its edges.

use ha_engine::scenario::presets;
use ha_engine::wire::{decode, encode};
use ha_engine::{ClusterView, SimTime, Simulation};
use serde::{Deserialize, Serialize};

/// Every preset and the fixture with every mechanism, run for 90 simulated s with a view
/// every 3 s (faults, breakers, alerts, backlogs and the ring come and go).
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

/// `v` comes back equal through [`encode`] and [`decode`]; [`encode`] writes the bytes
/// postcard writes, and [`decode`] reads what postcard's own decoder reads.
fn round_trips<T>(what: &str, v: &T)
where
    T: Serialize + for<'a> Deserialize<'a> + PartialEq + core::fmt::Debug,
{
    let bytes = encode(v, Vec::new());
    assert_eq!(
        bytes,
        postcard::to_allocvec(v).unwrap(),
        "{what}: postcard's bytes"
    );
    assert_eq!(&decode::<T>(&bytes), v, "{what}");
    assert_eq!(
        &postcard::from_bytes::<T>(&bytes).unwrap(),
        v,
        "{what}: postcard"
    );
}

#[test]
fn every_view_round_trips_as_postcard_writes_and_reads_it() {
    for (name, mut sim) in runs() {
        for s in (3..=90).step_by(3) {
            sim.run_until(SimTime::from_ms(s * 1_000));
            let v: ClusterView = sim.view();
            round_trips(&format!("{name} at {s} s"), &v);
        }
    }
}

/// The primitives at their edges, and the shapes serde has (options, tuples, maps, unit,
/// newtype, tuple and struct variants), as postcard writes and reads them.
#[test]
fn primitives_and_shapes_at_their_edges() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum E {
        Unit,
        New(i16),
        Tuple(u8, char),
        Struct { a: Option<String>, b: bool },
    }
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Unit;
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct All {
        ints: (i8, i16, i32, i64, u8, u16, u32, u64),
        floats: (f32, f64),
        text: (char, String, Vec<u8>),
        es: Vec<E>,
        map: std::collections::BTreeMap<u32, Option<f64>>,
        unit: ((), Unit),
    }
    for k in [
        0u64,
        1,
        127,
        128,
        16_383,
        16_384,
        u32::MAX as u64,
        u64::MAX - 1,
        u64::MAX,
    ] {
        round_trips("u64", &k);
        round_trips("i64", &(k as i64));
        round_trips("i64, negated", &(k as i64).wrapping_neg());
    }
    round_trips("i64::MIN", &i64::MIN);
    let all = All {
        ints: (
            i8::MIN,
            i16::MIN,
            i32::MIN,
            i64::MIN,
            u8::MAX,
            u16::MAX,
            u32::MAX,
            u64::MAX,
        ),
        floats: (f32::MIN_POSITIVE, -0.1),
        text: ('\u{1F600}', "µs · p99".into(), vec![0, 255]),
        es: vec![
            E::Unit,
            E::New(-300),
            E::Tuple(7, 'é'),
            E::Struct {
                a: Some(String::new()),
                b: true,
            },
            E::Struct { a: None, b: false },
        ],
        map: [(0, None), (u32::MAX, Some(f64::MAX))]
            .into_iter()
            .collect(),
        unit: ((), Unit),
    };
    round_trips("all", &all);
}

/// The run digest hashes every event log entry's bytes (`EventLog::push`, through
/// [`encode`]): they are postcard's, for every kind of event a minute of the benchmark's
/// round robin makes, so every stored digest still holds.
#[test]
fn the_event_logs_entries_are_postcards_bytes() {
    let cfg: ha_engine::ClusterConfig =
        serde_json::from_str(include_str!("../bench/round_robin_10.json")).unwrap();
    let mut sim = Simulation::keeping_events(cfg, 42, 10_000).unwrap();
    for t in (500..60_000).step_by(500) {
        sim.run_until(SimTime::from_ms(t));
        for e in sim.log().entries() {
            let a = encode(e, Vec::new());
            let b = postcard::to_allocvec(e).unwrap();
            assert_eq!(a, b, "{e:?}");
        }
    }
}

/// The digest is XXH3-64 over the concatenated bytes of every entry, however the log cuts
/// them into batches before it hashes them.
#[test]
fn the_digest_is_xxh3_over_every_entrys_bytes() {
    let cfg: ha_engine::ClusterConfig =
        serde_json::from_str(include_str!("../bench/round_robin_10.json")).unwrap();
    let mut sim = Simulation::keeping_events(cfg, 42, 10_000).unwrap();
    sim.run_until(SimTime::from_ms(300));
    let n = sim.log().total();
    let mut all = Vec::new();
    for e in sim.log().entries() {
        all = encode(e, all);
    }
    assert_eq!(sim.log().entries().count() as u64, n);
    let one = xxhash_rust::xxh3::xxh3_64(&all);
    assert_eq!(sim.log().digest().0, one, "{n} events, {} bytes", all.len());
}
