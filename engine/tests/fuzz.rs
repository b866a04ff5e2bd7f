//! Bounded-time fuzzing of what HA Lab accepts from outside: share links and scenario JSON
//! (anyone can craft a link), and the engine's command input (the page's buttons, and a fault
//! timeline someone else wrote).
//!
//! Each target runs for `HA_FUZZ_SECONDS` wall-clock seconds (default 8) with inputs from
//! proptest strategies: mutations of every preset's valid JSON and link code (so inputs get
//! past the first checks), and arbitrary strings. Properties: nothing panics; whatever decodes
//! also validates, builds and runs (bounded by an event count, not time); commands either
//! apply or are refused with an error, and the outcome counts still add up afterwards. A
//! failing input is printed before the panic is re-raised.

use ha_engine::action::ActionKind;
use ha_engine::balancer::Strategy as Lb;
use ha_engine::presets;
use ha_engine::scenario::Scenario;
use ha_engine::{Action, ActionTarget, InstanceId, ServiceId, Simulation};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use std::panic::{catch_unwind, AssertUnwindSafe};
// The fuzz budget is wall-clock time by design (the engine itself never reads a clock).
use std::time::Duration;
#[allow(clippy::disallowed_types)]
use std::time::Instant;

fn budget() -> Duration {
    let s = std::env::var("HA_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(8.0);
    Duration::from_secs_f64(s)
}

/// Runs `check` on values of `strategy` until the budget is spent; returns how many ran.
#[allow(clippy::disallowed_types)]
fn fuzz<T: std::fmt::Debug>(
    name: &str,
    strategy: impl Strategy<Value = T>,
    check: impl Fn(&T),
) -> u64 {
    let mut runner = TestRunner::deterministic();
    let end = Instant::now() + budget();
    let mut n = 0;
    while Instant::now() < end {
        let value = strategy
            .new_tree(&mut runner)
            .expect("strategy generates")
            .current();
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| check(&value))) {
            eprintln!("{name}: failing input: {value:?}");
            std::panic::resume_unwind(e);
        }
        n += 1;
    }
    eprintln!("{name}: {n} inputs in {:?}", budget());
    assert!(n > 0);
    n
}

/// Every preset's scenario as JSON (seeds of the mutations).
fn preset_json() -> Vec<String> {
    presets::all()
        .iter()
        .map(|p| Scenario::from_preset(p, 42).to_json())
        .collect()
}

/// One edit of a text: delete, insert or replace a span, or swap in an extreme number.
#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Replace(usize, usize, String),
    Number(usize, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let extreme = prop_oneof![
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("1e308".to_string()),
        Just("-1e308".to_string()),
        Just("18446744073709551615".to_string()),
        Just("4294967296".to_string()),
        Just("0.0000001".to_string()),
        Just("null".to_string()),
        Just("NaN".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
    ];
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), "[\\[\\]{}\":,0-9a-z_.-]{1,12}").prop_map(|(a, s)| Edit::Insert(a, s)),
        (any::<usize>(), 1..20usize, "[\\[\\]{}\":,0-9a-z_.-]{0,12}")
            .prop_map(|(a, n, s)| Edit::Replace(a, n, s)),
        (any::<usize>(), extreme).prop_map(|(a, s)| Edit::Number(a, s)),
    ]
}

/// Applies `edits` to `text` (positions wrap; number edits replace the next number).
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut t: Vec<char> = text.chars().collect();
    for e in edits {
        let len = t.len().max(1);
        match e {
            Edit::Delete(a, n) => {
                let a = a % len;
                let b = (a + n).min(t.len());
                if a < b {
                    t.drain(a..b);
                }
            }
            Edit::Insert(a, s) => {
                let a = a % (t.len() + 1);
                t.splice(a..a, s.chars());
            }
            Edit::Replace(a, n, s) => {
                let a = a % len;
                let b = (a + n).min(t.len());
                if a <= b && b <= t.len() {
                    t.splice(a..b, s.chars());
                }
            }
            Edit::Number(a, s) => {
                let start = (a % len..t.len()).find(|&i| t[i].is_ascii_digit());
                if let Some(i) = start {
                    let j = (i..t.len())
                        .find(|&j| !(t[j].is_ascii_digit() || t[j] == '.' || t[j] == 'e'))
                        .unwrap_or(t.len());
                    t.splice(i..j, s.chars());
                }
            }
        }
    }
    t.into_iter().collect()
}

/// A decoded scenario must be one the page can run: it validates, builds, and takes events.
fn must_run(s: &Scenario) {
    s.validate().expect("a decoded scenario validates");
    let mut sim = s.simulation().expect("a decoded scenario builds");
    for _ in 0..5_000 {
        if sim.step().is_none() {
            break;
        }
    }
    assert_eq!(sim.check_exactly_once(), Ok(()));
}

#[test]
fn fuzz_scenario_json() {
    let seeds = preset_json();
    let n = seeds.len();
    fuzz(
        "scenario JSON",
        (0..n, prop::collection::vec(edit(), 1..4)),
        |(k, edits)| {
            let text = apply(&seeds[*k], edits);
            if let Ok(s) = Scenario::from_json(&text) {
                must_run(&s);
            }
        },
    );
}

#[test]
fn fuzz_share_links() {
    let seeds: Vec<String> = presets::all()
        .iter()
        .map(|p| Scenario::from_preset(p, 7).encode())
        .collect();
    let json = preset_json();
    let n = seeds.len();
    let input = prop_oneof![
        // Byte-level damage to a valid code (cut, changed, extended).
        (0..n, prop::collection::vec(edit(), 1..3))
            .prop_map(move |(k, e)| format!("#s={}", apply(&seeds[k], &e))),
        // A well-formed code around damaged JSON: gets past base64 and DEFLATE.
        (0..n, prop::collection::vec(edit(), 1..3)).prop_map(move |(k, e)| {
            let packed = miniz_oxide::deflate::compress_to_vec(apply(&json[k], &e).as_bytes(), 6);
            use base64::Engine;
            format!(
                "https://example.org/#s={}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
            )
        }),
        // Anything at all.
        ".{0,200}",
        "#s=[A-Za-z0-9_-]{0,300}",
    ];
    fuzz("share link", input, |link| {
        if let Ok(s) = Scenario::from_link(link) {
            must_run(&s);
        }
    });
}

/// An action with ids and values that may be out of range, NaN or infinite.
fn command() -> impl Strategy<Value = Action> {
    let id = 0..40u32;
    let num = prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(-1.0),
        Just(0.0),
        0.0..10.0f64,
    ];
    let kind = prop_oneof![
        Just(ActionKind::Crash),
        Just(ActionKind::Hang),
        num.clone().prop_map(|factor| ActionKind::Slow { factor }),
        num.clone().prop_map(|rate| ActionKind::ErrorRate { rate }),
        Just(ActionKind::PartitionHeartbeats),
        Just(ActionKind::PartitionServing),
        num.prop_map(|factor| ActionKind::TrafficSpike { factor }),
        any::<u32>().prop_map(|concurrency| ActionKind::Capacity { concurrency }),
        Just(ActionKind::Drain),
        Just(ActionKind::Recover),
        any::<u32>().prop_map(|weight| ActionKind::SetWeight { weight }),
    ];
    let strategy = prop_oneof![
        Just(Lb::RoundRobin),
        Just(Lb::LeastConnections),
        Just(Lb::PowerOfTwoChoices),
        Just(Lb::Random),
    ];
    prop_oneof![
        id.clone()
            .prop_map(|i| Action::on(ActionKind::Crash, InstanceId(i))),
        id.clone()
            .prop_map(|i| Action::on(ActionKind::Restart, InstanceId(i))),
        (
            prop::option::of(id.clone()),
            kind,
            prop::option::of(0..200_000u64)
        )
            .prop_map(|(t, fault, duration_ms)| Action {
                target: ActionTarget::from(t.map(InstanceId)),
                kind: fault,
                duration_ms,
            }),
        id.clone()
            .prop_map(|i| Action::on(ActionKind::Recover, InstanceId(i))),
        Just(Action::on(ActionKind::Recover, ActionTarget::Cluster)),
        (0..6u16, strategy)
            .prop_map(|(s, st)| Action::on(ActionKind::SetStrategy { strategy: st }, ServiceId(s))),
        (id, any::<u32>())
            .prop_map(|(i, w)| Action::on(ActionKind::SetWeight { weight: w }, InstanceId(i))),
        "[a-z0-9-]{0,8}"
            .prop_map(|n| Action::on(ActionKind::DataNodeFail, ActionTarget::DataNode(n))),
        "[a-z0-9-]{0,8}"
            .prop_map(|n| Action::on(ActionKind::DataNodeRecover, ActionTarget::DataNode(n))),
        "[a-z0-9-]{0,8}"
            .prop_map(|n| Action::on(ActionKind::DataNodeLeave, ActionTarget::DataNode(n))),
        ("[a-z0-9-]{0,8}", any::<u64>(), any::<u32>()).prop_map(|(n, capacity, weight)| {
            Action::on(
                ActionKind::DataNodeJoin { capacity, weight },
                ActionTarget::DataNode(n),
            )
        }),
    ]
}

#[test]
fn fuzz_engine_commands() {
    let all = presets::all();
    let n = all.len();
    fuzz(
        "engine commands",
        (
            0..n,
            prop::collection::vec((command(), 0..400_000u64), 1..12),
        ),
        |(k, cmds)| {
            let mut sim = Simulation::new(all[*k].config.clone(), 3).expect("preset is valid");
            for (cmd, gap_us) in cmds {
                // Refusals are fine; panics and broken counts are not.
                let _ = sim.apply(cmd.clone());
                let until = sim.now().as_us() + gap_us;
                for _ in 0..20_000 {
                    match sim.step() {
                        Some(t) if t.as_us() < until => {}
                        _ => break,
                    }
                }
                assert_eq!(sim.check_exactly_once(), Ok(()), "after {cmd:?}");
            }
        },
    );
}
