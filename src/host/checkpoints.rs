//! Snapshots of a run, so time travel replays only from the nearest one.
//!
//! The engine is deterministic and a [`Simulation`] is a plain value: a clone taken at 0:40 and
//! run on to 1:00 is exactly the run at 1:00, and a timeline action added to a snapshot before
//! its time ([`Simulation::schedule`]) runs exactly as if the scenario had always had it
//! (`engine/tests/checkpoints.rs`). So a seek back, an action at the current instant and an
//! edit of the timeline restore the latest snapshot at or before the instant they need, and
//! replay only from there.
//!
//! Memory is bounded: at most [`MAX_CHECKPOINTS`] snapshots and [`MAX_STORE_BYTES`],
//! [`FIRST_SPACING_US`] apart at first; when the store is full every other one goes and the
//! spacing doubles, so a long run keeps snapshots spread over all of it. One snapshot is the
//! whole simulation ([`Simulation::approx_bytes`]): about 0.3 to 1.5 MB for the presets and
//! 3.7 MB for `stress` (30 instances, measured natively), so the store holds at most about
//! 24 MB for a preset and 60 MB for `stress` (twice that in compare mode, which keeps a store
//! per side). A run heavier than [`MAX_SNAPSHOT_BYTES`] (100,000 req/s through 16 services
//! holds over a million pending events) is not snapshotted: copying it would be one long task,
//! so its seeks replay from an earlier snapshot or from 0, in slices.

use ha_engine::action::ScheduledAction;
use ha_engine::{SimTime, Simulation};

/// Most snapshots kept per run.
pub const MAX_CHECKPOINTS: usize = 16;

/// Largest snapshot kept, bytes as [`Simulation::approx_bytes`] estimates them: a copy of
/// 16 MB takes about 10 ms in the release build.
pub const MAX_SNAPSHOT_BYTES: usize = 16 << 20;

/// Most bytes the snapshots of one run may hold together.
pub const MAX_STORE_BYTES: usize = 96 << 20;

/// Simulated time between snapshots until the store first fills, µs (2 s).
pub const FIRST_SPACING_US: u64 = 2_000_000;

/// Snapshots of one run, by slot: slot `k` holds the run at `k × spacing` µs (or the first
/// instant after it that the run stopped at), with its estimated size in bytes.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    spacing_us: u64,
    /// (slot, (snapshot, its estimated bytes)), in slot order: a sorted `Vec` rather than a
    /// `BTreeMap` (at most 16 entries, and one B-tree instantiation less in the wasm).
    kept: Vec<(u64, (Simulation, usize))>,
}

impl Default for Checkpoints {
    fn default() -> Self {
        Self {
            spacing_us: FIRST_SPACING_US,
            kept: Vec::new(),
        }
    }
}

impl Checkpoints {
    /// An empty store at the first spacing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets every snapshot (a new scenario, or an edit that changes the run from 0).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Snapshots kept.
    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.kept.len()
    }

    /// Simulated time between snapshots now, µs.
    #[cfg(test)]
    pub fn spacing_us(&self) -> u64 {
        self.spacing_us
    }

    /// The first slot boundary after `now_us`, µs: a run advancing past it should stop there
    /// and [`Checkpoints::offer`] itself.
    pub fn next_boundary_us(&self, now_us: u64) -> u64 {
        (now_us / self.spacing_us + 1) * self.spacing_us
    }

    /// Keeps a clone of `sim` if its slot is empty and it is at most [`MAX_SNAPSHOT_BYTES`]
    /// (a run at time 0 is never kept: building it is as cheap as restoring it). Thins the
    /// store when it is over [`MAX_CHECKPOINTS`] or [`MAX_STORE_BYTES`].
    pub fn offer(&mut self, sim: &Simulation) {
        let slot = sim.now().as_us() / self.spacing_us;
        let at = match self.kept.binary_search_by_key(&slot, |e| e.0) {
            Ok(_) => return,
            Err(_) if slot == 0 => return,
            Err(at) => at,
        };
        let bytes = sim.approx_bytes();
        if bytes > MAX_SNAPSHOT_BYTES {
            return;
        }
        self.kept.insert(at, (slot, (sim.clone(), bytes)));
        while self.kept.len() > MAX_CHECKPOINTS || self.bytes() > MAX_STORE_BYTES {
            self.spacing_us *= 2;
            self.kept = std::mem::take(&mut self.kept)
                .into_iter()
                .filter(|(k, _)| k % 2 == 0)
                .map(|(k, s)| (k / 2, s))
                .collect();
        }
    }

    /// Estimated bytes of all snapshots kept.
    pub fn bytes(&self) -> usize {
        self.kept.iter().map(|(_, (_, b))| b).sum()
    }

    /// A copy of the latest snapshot at or before `t`, if any.
    pub fn restore(&self, t: SimTime) -> Option<Simulation> {
        self.kept
            .iter()
            .rev()
            .map(|(_, (s, _))| s)
            .find(|s| s.now() <= t)
            .cloned()
    }

    /// The time of the latest snapshot, if any.
    #[cfg(test)]
    pub fn latest(&self) -> Option<SimTime> {
        self.kept.last().map(|(_, (s, _))| s.now())
    }

    /// Adds timeline `action` to every snapshot that has not reached its time, and drops the
    /// others (they have run past it, so they are no longer states of the edited scenario).
    pub fn schedule(&mut self, action: &ScheduledAction) {
        self.kept
            .retain_mut(|(_, (s, _))| s.schedule(action.clone()).is_ok());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_engine::action::ActionKind;
    use ha_engine::presets;
    use ha_engine::scenario::Scenario;

    fn run_to(s: &Scenario, us: u64) -> Simulation {
        let mut sim = s.simulation().expect("preset builds");
        sim.run_until(SimTime(us));
        sim
    }

    /// Offers the run at every boundary up to `until_us`, as the app does while it plays.
    fn fill(cp: &mut Checkpoints, s: &Scenario, until_us: u64) -> Simulation {
        let mut sim = s.simulation().expect("preset builds");
        while sim.now().as_us() < until_us {
            let next = cp.next_boundary_us(sim.now().as_us()).min(until_us);
            sim.run_until(SimTime(next));
            cp.offer(&sim);
        }
        sim
    }

    #[test]
    fn a_long_run_is_thinned_to_the_bound_and_spread_over_it() {
        let s = Scenario::from_preset(&presets::discovery(), 7);
        let mut cp = Checkpoints::new();
        fill(&mut cp, &s, 120_000_000);
        assert!(cp.count() <= MAX_CHECKPOINTS, "{}", cp.count());
        // 120 s over at most 16 slots: 2 s doubled to 8 s; the last one is near the end.
        assert_eq!(cp.spacing_us(), 8_000_000);
        assert_eq!(cp.latest(), Some(SimTime::from_secs(120)));
        let times: Vec<u64> = cp.kept.iter().map(|(_, (s, _))| s.now().as_us()).collect();
        assert!(
            times.windows(2).all(|w| w[1] - w[0] == 8_000_000),
            "{times:?}"
        );
    }

    /// A run too heavy to copy in a short task is never kept; the store of a heavy but
    /// copyable one stays within its byte bound.
    #[test]
    fn heavy_runs_are_bounded_by_bytes() {
        let mut s = Scenario::from_preset(&presets::stress(), 1);
        s.cluster.traffic.rate_rps = 100_000.0;
        let mut cp = Checkpoints::new();
        let sim = fill(&mut cp, &s, 8_000_000);
        let one = sim.approx_bytes();
        // About 1.9 MB: 30 instances' queues, timers and metrics (whose older age buckets do
        // not exist yet at 8 s).
        assert!(one > 3 << 19, "a heavy run: {one} B");
        assert!(
            cp.count() > 0 && cp.bytes() <= MAX_STORE_BYTES,
            "{} B",
            cp.bytes()
        );

        let mut small = Checkpoints::new();
        small.offer(&run_to(
            &Scenario::from_preset(&presets::discovery(), 1),
            3_000_000,
        ));
        assert_eq!(small.count(), 1);
        // The same store refuses a snapshot over the bound: the heavy run with one slot and a
        // long queue per instance and a long timeout, so requests pile up waiting, each with
        // its call, its job and a live timer (timers of calls that ended are dropped).
        let mut huge = s.clone();
        huge.cluster.request_timeout_ms = 60_000;
        for i in &mut huge.cluster.services[0].instances {
            i.concurrency = 1;
            i.queue_limit = 100_000;
        }
        let big = run_to(&huge, 4_000_000);
        assert!(
            big.approx_bytes() > MAX_SNAPSHOT_BYTES,
            "{} B",
            big.approx_bytes()
        );
        small.offer(&big);
        assert_eq!(
            small.count(),
            1,
            "a snapshot over {MAX_SNAPSHOT_BYTES} B is not kept"
        );
    }

    #[test]
    fn restoring_and_running_on_equals_the_straight_run() {
        let s = Scenario::from_preset(&presets::failover(), 3);
        let mut cp = Checkpoints::new();
        fill(&mut cp, &s, 60_000_000);
        let mut restored = cp.restore(SimTime::from_ms(41_500)).expect("a snapshot");
        assert!(restored.now() <= SimTime::from_ms(41_500));
        assert!(
            restored.now() > SimTime::from_secs(30),
            "{}",
            restored.now()
        );
        restored.run_until(SimTime::from_secs(45));
        assert_eq!(restored.digest(), run_to(&s, 45_000_000).digest());
        assert!(
            cp.restore(SimTime::from_secs(1)).is_none(),
            "nothing before 2 s"
        );
    }

    #[test]
    fn an_action_goes_into_the_snapshots_before_it_and_drops_the_rest() {
        let s = Scenario::from_preset(&presets::discovery(), 5);
        let mut cp = Checkpoints::new();
        fill(&mut cp, &s, 30_000_000);
        let action = ScheduledAction {
            at_ms: 15_500,
            target: Some("192.168.1.11:8080".into()),
            kind: ActionKind::Crash,
            duration_ms: None,
        };
        cp.schedule(&action);
        assert_eq!(cp.latest(), Some(SimTime::from_secs(14)));
        let mut edited = s.clone();
        edited.cluster.faults.push(action);
        let mut from_snapshot = cp.restore(SimTime::from_secs(40)).expect("a snapshot");
        from_snapshot.run_until(SimTime::from_secs(40));
        assert_eq!(from_snapshot.digest(), run_to(&edited, 40_000_000).digest());
        assert_ne!(from_snapshot.digest(), run_to(&s, 40_000_000).digest());
    }
}
