//! Time travel from snapshots: a clone of a run taken at any instant, with timeline actions
//! added to it afterwards ([`Simulation::schedule`]), goes on exactly as a run of the edited
//! scenario from 0. The app's checkpoints (src/state/checkpoints.rs) rely on it for seeks,
//! actions at the current instant and edits.

use ha_engine::action::{ActionKind, ScheduledAction};
use ha_engine::presets;
use ha_engine::scenario::Scenario;
use ha_engine::{CommandError, SimTime, Simulation};
use proptest::prelude::*;

/// An action on the preset's first instance (or cluster-wide): crash, restart, hang, slow.
fn action(sc: &Scenario, kind: u8, at_ms: u64) -> ScheduledAction {
    let address = sc.cluster.services[0].instances[0].address.clone();
    let (fault, target) = match kind % 5 {
        0 => (ActionKind::Crash, Some(address)),
        1 => (ActionKind::Restart, Some(address)),
        2 => (ActionKind::Hang, Some(address)),
        3 => (ActionKind::Slow { factor: 3.0 }, Some(address)),
        _ => (ActionKind::TrafficSpike { factor: 2.0 }, None),
    };
    ScheduledAction {
        at_ms,
        target,
        kind: fault,
        duration_ms: kind.is_multiple_of(2).then_some(7_000),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Straight: the scenario with the action on its timeline, run from 0. Checkpointed: the
    /// scenario without it run to `snap_ms`, cloned, the action added to the clone, run on.
    /// Same digest, same totals. A second action added later to the same clone too.
    #[test]
    fn a_snapshot_with_actions_added_runs_as_the_edited_scenario(
        preset in 0usize..12,
        seed in any::<u64>(),
        snap_ms in 0u64..40_000,
        gap_ms in 1u64..20_000,
        kinds in (any::<u8>(), any::<u8>()),
        second_gap_ms in 0u64..15_000,
    ) {
        // Every preset but `stress` (30 instances at 5,000 req/s: too slow for a debug build).
        let all: Vec<_> = presets::all().into_iter().filter(|p| p.name != "stress").collect();
        let p = &all[preset % all.len()];
        let sc = Scenario::from_preset(p, seed);
        let end = SimTime::from_secs(50);
        let first = action(&sc, kinds.0, snap_ms + gap_ms);
        // Added second, when the run is at `snap_ms + gap_ms / 2`: before or after the first.
        let second = action(&sc, kinds.1, snap_ms + gap_ms / 2 + 1 + second_gap_ms);

        let mut edited = sc.clone();
        edited.cluster.faults.push(first.clone());
        edited.cluster.faults.push(second.clone());
        prop_assume!(edited.validate().is_ok());
        let mut straight = edited.simulation().unwrap();
        straight.run_until(end);

        let mut live = sc.simulation().unwrap();
        live.run_until(SimTime::from_ms(snap_ms));
        let mut snapshot = live.clone();
        snapshot.schedule(first).unwrap();
        snapshot.run_until(SimTime::from_ms(snap_ms + gap_ms / 2));
        snapshot.schedule(second).unwrap();
        snapshot.run_until(end);

        prop_assert_eq!(snapshot.digest(), straight.digest(), "{} seed {}", p.name, seed);
        prop_assert_eq!(snapshot.totals(), straight.totals());
        // The snapshot left the run it came from alone.
        live.run_until(end);
        let mut plain = sc.simulation().unwrap();
        plain.run_until(end);
        prop_assert_eq!(live.digest(), plain.digest());
    }
}

/// An action the run has already gone past is refused by name, and the run is unchanged.
#[test]
fn an_action_in_the_past_is_refused() {
    let sc = Scenario::from_preset(&presets::discovery(), 42);
    let mut sim: Simulation = sc.simulation().unwrap();
    sim.run_until(SimTime::from_secs(10));
    let before = sim.digest();
    let late = action(&sc, 0, 9_000);
    assert!(matches!(
        sim.schedule(late),
        Err(CommandError::TooLate {
            at_ms: 9_000,
            now_us: 10_000_000
        })
    ));
    // The metrics tick at exactly 10 s has been handled: 10 s itself is too late as well.
    assert!(matches!(
        sim.schedule(action(&sc, 0, 10_000)),
        Err(CommandError::TooLate { .. })
    ));
    assert_eq!(sim.digest(), before);
    assert!(sim.schedule(action(&sc, 0, 10_001)).is_ok());
}

/// A run paused exactly on a whole ms has handled that ms's events: an action goes in at the
/// next free ms without a restore, and the run equals one with the action from the start.
#[test]
fn next_free_ms_takes_an_action_without_a_restore() {
    let mut base = presets::discovery().config;
    let mut sim = Simulation::new(base.clone(), 42).unwrap();
    // The metrics tick runs every simulated second, so 20 s has an event at its very µs.
    sim.run_until(SimTime::from_secs(20));
    let free = sim.next_free_ms();
    assert_eq!(free, 20_001);
    let at_now: ScheduledAction = "crash:192.168.1.11:8080@20".parse().unwrap();
    assert!(matches!(
        sim.schedule(at_now),
        Err(CommandError::TooLate { .. })
    ));
    let action = ScheduledAction {
        at_ms: free,
        .."crash:192.168.1.11:8080@0"
            .parse::<ScheduledAction>()
            .unwrap()
    };
    sim.schedule(action.clone()).unwrap();
    sim.run_until(SimTime::from_secs(60));
    base.faults.push(action);
    let mut straight = Simulation::new(base, 42).unwrap();
    straight.run_until(SimTime::from_secs(60));
    assert_eq!(sim.digest(), straight.digest());
}

/// A run whose clock stands on a whole ms with no event of that ms handled yet takes an action
/// at that very ms ([`Simulation::next_free_ms`] is now): the action is due, so the run has not
/// `reached` that instant until it takes it. (The page ran "until the clock reads it", so a
/// paused run's Crash stayed unshown until the next step: CI, 2026-12-02.)
#[test]
fn an_action_at_the_current_instant_is_due_until_taken() {
    let cfg = presets::discovery().config;
    let mut sim = Simulation::new(cfg, 42).unwrap();
    // A whole ms with no event in it: the clock stops there with that ms still free.
    let mut t = SimTime::from_ms(1_700);
    loop {
        sim.run_until(t);
        if sim.next_free_ms() * 1_000 == t.as_us() {
            break;
        }
        t = SimTime::from_ms(t.as_us() / 1_000 + 1);
    }
    assert!(sim.reached(t));
    let crash = ScheduledAction {
        at_ms: sim.next_free_ms(),
        .."crash:192.168.1.10:8080@0"
            .parse::<ScheduledAction>()
            .unwrap()
    };
    sim.schedule(crash).unwrap();
    assert_eq!(sim.now(), t, "the action is at the current instant");
    assert!(!sim.reached(t), "the action is due, not taken");
    let up = |s: &Simulation| s.view().instances[0].status;
    let before = up(&sim);
    assert!(sim.run_until_bounded(t, 1_000));
    assert!(sim.reached(t));
    assert_ne!(up(&sim), before, "the crash was taken at {t:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]

    /// A run taken to an instant in slices of at most `max_events` events
    /// ([`Simulation::run_until_bounded`], how the page keeps each task short) is the run
    /// [`Simulation::run_until`] makes: same digest, same totals. A slice that stops early
    /// leaves the clock at or before the target, and the next one goes on from there.
    #[test]
    fn a_run_in_bounded_slices_is_the_same_run(
        preset in 0usize..12,
        seed in any::<u64>(),
        max_events in 1usize..5_000,
        to_ms in 1u64..20_000,
    ) {
        let all = presets::all();
        let p = &all[preset % all.len()];
        let to = SimTime::from_ms(to_ms);
        let mut whole = Simulation::new(p.config.clone(), seed).unwrap();
        whole.run_until(to);
        let mut sliced = Simulation::new(p.config.clone(), seed).unwrap();
        let mut slices = 0;
        while !sliced.run_until_bounded(to, max_events) {
            prop_assert!(sliced.now() <= to);
            slices += 1;
            prop_assert!(slices < 10_000_000, "a bounded run must make progress");
        }
        prop_assert_eq!(sliced.now(), to);
        prop_assert_eq!(sliced.digest(), whole.digest());
        prop_assert_eq!(sliced.totals(), whole.totals());
    }
}
