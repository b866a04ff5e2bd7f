//! Scenario documents and share links: round trips, and mangled input never panics.

use ha_engine::balancer::Strategy as Lb;
use ha_engine::presets;
use ha_engine::scenario::{Scenario, ScenarioError, SPEEDS};
use proptest::prelude::*;

/// Valid scenarios: a preset, a seed, a duration, a speed, a strategy per service, a rate.
fn scenario() -> impl Strategy<Value = Scenario> {
    let n = presets::all().len();
    (
        0..n,
        any::<u64>(),
        1u32..=86_400,
        0usize..SPEEDS.len(),
        prop::collection::vec(0usize..Lb::ALL.len(), 3),
        0.0f64..1_000.0,
        "[ -~]{1,80}",
    )
        .prop_map(|(p, seed, duration_s, speed, strategies, rate, title)| {
            let mut s = Scenario::from_preset(&presets::all()[p], seed);
            s.duration_s = duration_s;
            s.view.speed = SPEEDS[speed];
            s.cluster.traffic.rate_rps = rate;
            s.title = format!("t{title}");
            for (svc, k) in s.cluster.services.iter_mut().zip(strategies) {
                svc.strategy = Lb::ALL[k];
                svc.lb.maglev_table_size = 251;
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn any_valid_scenario_round_trips(s in scenario()) {
        prop_assume!(s.validate().is_ok());
        prop_assert_eq!(&Scenario::from_json(&s.to_json()).unwrap(), &s);
        prop_assert_eq!(&Scenario::decode(&s.encode()).unwrap(), &s);
        prop_assert_eq!(&Scenario::from_link(&s.to_link("https://example.org/lab/")).unwrap(), &s);
    }

    /// Text that is not a scenario is refused as what it is: not a link, not a code, not
    /// JSON, not a scenario document. (A version, field or cluster error would mean the
    /// decoder read a scenario out of noise.)
    #[test]
    fn arbitrary_text_never_panics_and_is_named(text in ".{0,400}") {
        use ScenarioError::*;
        let not_a_code =
            |e: &ScenarioError| matches!(e, Empty | NotBase64(_) | Truncated | NotCompressed | TooLarge | NotText | NotJson(..) | NoVersion);
        match Scenario::from_link(&text) {
            Ok(s) => prop_assert!(s.validate().is_ok()),
            Err(e) => prop_assert!(matches!(e, NoScenarioInLink) || not_a_code(&e), "from_link: {:?}", e),
        }
        match Scenario::decode(&text) {
            Ok(s) => prop_assert!(s.validate().is_ok()),
            Err(e) => prop_assert!(not_a_code(&e), "decode: {:?}", e),
        }
        match Scenario::from_json(&text) {
            Ok(s) => prop_assert!(s.validate().is_ok()),
            Err(e) => prop_assert!(matches!(e, Empty | NotJson(..) | NoVersion), "from_json: {:?}", e),
        }
    }

    #[test]
    fn arbitrary_bytes_as_a_code_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        use base64::Engine as _;
        let code = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        let e = Scenario::decode(&code);
        prop_assert!(e.is_err());
    }

    #[test]
    fn mangled_links_never_panic(s in scenario(), cut in 0usize..2_000, flip in 0usize..2_000, ch in any::<char>()) {
        let link = s.to_link("http://127.0.0.1:8080/");
        let cut_at = link.char_indices().map(|(i, _)| i).nth(cut % link.chars().count()).unwrap_or(0);
        let truncated = &link[..cut_at];
        let mut flipped: Vec<char> = link.chars().collect();
        let i = flip % flipped.len();
        flipped[i] = ch;
        let flipped: String = flipped.into_iter().collect();
        // A cut link has lost the end of its code (or its #s= part): it is named as cut.
        use ScenarioError::*;
        match Scenario::from_link(truncated) {
            Ok(x) => prop_assert!(false, "a cut link decoded: {:?}", x.preset),
            Err(e) => prop_assert!(
                matches!(e, Empty | NoScenarioInLink | Truncated),
                "cut at {}: {:?}", cut_at, e
            ),
        }
        // A changed character may still decode (raw DEFLATE has no checksum), but then to a
        // scenario that validates; it is never refused as too long.
        match Scenario::from_link(&flipped) {
            Ok(x) => prop_assert!(x.validate().is_ok()),
            Err(e) => prop_assert!(!matches!(e, TooLong(_)), "{:?}", e),
        }
    }
}

/// Compressed JSON that is valid but asks for absurd sizes is refused by name.
#[test]
fn absurd_sizes_are_refused() {
    let mut s = Scenario::default_scenario();
    s.cluster.traffic.clients = u32::MAX;
    assert!(matches!(
        Scenario::decode(&s.encode()),
        Err(ScenarioError::Config(_))
    ));
    let mut s = Scenario::default_scenario();
    let inst = s.cluster.services[0].instances[0].clone();
    for i in 0..100 {
        let mut x = inst.clone();
        x.id = format!("x{i}");
        x.address = format!("10.9.9.{i}:1");
        s.cluster.services[0].instances.push(x);
    }
    let e = Scenario::decode(&s.encode()).unwrap_err();
    assert!(e.to_string().contains("instances"), "{e}");
}

/// Short text whose length no base64 code has is named as a cut code, not as noise. (CI once
/// drew "0" in `arbitrary_text_never_panics_and_is_named`, which had left `Truncated` out.)
#[test]
fn a_code_of_impossible_length_is_named_as_cut() {
    for text in ["0", "a", "abcde"] {
        assert_eq!(
            Scenario::decode(text),
            Err(ScenarioError::Truncated),
            "{text:?}"
        );
        assert_eq!(
            Scenario::from_link(text),
            Err(ScenarioError::Truncated),
            "{text:?}"
        );
    }
}
