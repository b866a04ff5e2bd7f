//! The event log's wire format (`ha_engine::wire`) against postcard's own encoder: the same
//! bytes for every serde shape at its edges and every kind of event, so the run digest is
//! XXH3 over postcard's bytes.

use ha_engine::wire::encode;
use ha_engine::{SimTime, Simulation};
use serde::Serialize;

/// [`encode`] writes the bytes postcard writes.
fn as_postcard<T>(what: &str, v: &T)
where
    T: Serialize + PartialEq + core::fmt::Debug,
{
    assert_eq!(
        encode(v, Vec::new()),
        postcard::to_allocvec(v).unwrap(),
        "{what}: postcard's bytes"
    );
}

/// The primitives at their edges, and the shapes serde has (options, tuples, maps, unit,
/// newtype, tuple and struct variants), as postcard writes them.
#[test]
fn primitives_and_shapes_at_their_edges() {
    #[derive(Debug, PartialEq, Serialize)]
    enum E {
        Unit,
        New(i16),
        Tuple(u8, char),
        Struct { a: Option<String>, b: bool },
    }
    #[derive(Debug, PartialEq, Serialize)]
    struct Unit;
    #[derive(Debug, PartialEq, Serialize)]
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
        as_postcard("u64", &k);
        as_postcard("i64", &(k as i64));
        as_postcard("i64, negated", &(k as i64).wrapping_neg());
    }
    as_postcard("i64::MIN", &i64::MIN);
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
    as_postcard("all", &all);
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
