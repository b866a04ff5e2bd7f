//! The live run (side A), the background run that follows it filling checkpoints, and the
//! checkpoints, as the engine's worker holds them ([`crate::host::Host`] in a
//! [`crate::host::session::Session`]; the run digest and compare mode's side B are beside
//! them: [`crate::host::digest`], [`crate::host::side_b`]). No signals, no DOM; wall-clock
//! budgets come in as a `deadline` checked by [`Clock`].

use crate::host::checkpoints::Checkpoints;
use ha_engine::action::ScheduledAction;
use ha_engine::scenario::lesson::Step;
use ha_engine::scenario::Scenario;
use ha_engine::sim::player::Progress;
use ha_engine::{SimTime, Simulation};

/// Events the engine handles between wall-clock checks ([`Simulation::run_until_bounded`]):
/// a few ms of work in the release build whatever the load, so no budget is overrun by more.
/// (A check every 50 simulated ms, as before, was one 300 ms task at 100,000 req/s through
/// 16 services.)
pub const EVENTS_PER_CHECK: usize = 1_000;

/// The wall clock the budgets are read on, ms (`Date.now` in the worker).
pub type Clock = fn() -> f64;

/// A run of `s` from 0.
pub fn build(s: &Scenario) -> Simulation {
    s.simulation()
        .expect("scenarios are validated when parsed, presets in ha-engine's tests")
}

/// Adds timeline `action` to `run` if the run has not passed its time ([`Simulation::schedule`]);
/// otherwise replaces the run with the latest snapshot in `checkpoints` at or before the
/// action (which already has it, see [`Checkpoints::schedule`]), or with `fresh()` from 0.
/// Returns whether the run was kept.
pub(crate) fn schedule_or_restore(
    run: &mut Simulation,
    action: &ScheduledAction,
    checkpoints: &Checkpoints,
    fresh: impl FnOnce() -> Simulation,
) -> bool {
    if run.schedule(action.clone()).is_ok() {
        return true;
    }
    *run = checkpoints
        .restore(SimTime::from_ms(action.at_ms))
        .unwrap_or_else(fresh);
    false
}

/// Runs `sim` towards `to`, [`EVENTS_PER_CHECK`] events at a time, stopping at every
/// checkpoint boundary to offer a snapshot to `checkpoints` (`None`: no snapshots), until it
/// gets there or `clock` passes `deadline_ms`. Returns whether it got there.
pub(crate) fn run_checkpointed(
    sim: &mut Simulation,
    mut checkpoints: Option<&mut Checkpoints>,
    to: SimTime,
    clock: Clock,
    deadline_ms: f64,
) -> bool {
    // Until everything due by `to` is handled, not until the clock reads `to`: an action added
    // at the current instant is due at `now` (a paused run's Crash, Hang or Remove was shown
    // only on the next step, about one click in fifteen).
    while !sim.reached(to) {
        let boundary = checkpoints
            .as_ref()
            .map_or(u64::MAX, |cp| cp.next_boundary_us(sim.now().as_us()));
        let step = boundary.min(to.as_us());
        let reached = sim.run_until_bounded(SimTime(step), EVENTS_PER_CHECK);
        if let Some(cp) = checkpoints
            .as_deref_mut()
            .filter(|_| reached && step == boundary)
        {
            cp.offer(sim);
        }
        if clock() > deadline_ms {
            break;
        }
    }
    sim.reached(to)
}

/// The live run, the background run and the checkpoints (compare mode's side B runs in the
/// engine's worker: [`crate::host::side_b`]).
pub struct Runs {
    /// The live run (side A).
    pub a: Simulation,
    /// The scenario run in the background, from 0 to its duration (its digest is the run
    /// digest), then on behind the live run; it offers checkpoints on the way. `None` until
    /// the first background slice builds it.
    background: Option<Simulation>,
    /// Snapshots of side A (and of the background run, which is the same run).
    checkpoints: Checkpoints,
}

impl Runs {
    /// The live run `a`, nothing else yet.
    pub fn new(a: Simulation) -> Self {
        Runs {
            a,
            background: None,
            checkpoints: Checkpoints::new(),
        }
    }

    /// The run of `sc` again from 0, every checkpoint forgotten and the background run
    /// dropped.
    pub fn rebuild(&mut self, sc: &Scenario) {
        self.checkpoints.clear();
        self.a = build(sc);
        self.background = None;
    }

    /// One slice of a replay of the live run to `to`, until `clock` passes `deadline_ms`,
    /// offering checkpoints. Returns whether it got there.
    pub fn replay_slice(&mut self, to: SimTime, clock: Clock, deadline_ms: f64) -> bool {
        run_checkpointed(
            &mut self.a,
            Some(&mut self.checkpoints),
            to,
            clock,
            deadline_ms,
        )
    }

    /// One slice of the background run of `sc` (built from 0 if there is none yet) towards
    /// `end` (the live run's instant: it follows the live run), offering checkpoints on the
    /// way, until `clock` passes `deadline_ms`. Returns whether it is at `end`. (The session
    /// runs none while a large cluster plays: copying it is a long task.)
    pub fn background_slice(
        &mut self,
        sc: &Scenario,
        end: SimTime,
        clock: Clock,
        deadline_ms: f64,
    ) -> bool {
        let run = self.background.get_or_insert_with(|| build(sc));
        run_checkpointed(run, Some(&mut self.checkpoints), end, clock, deadline_ms)
    }

    /// Before a seek back to `to`: restores the live run, if it is past `to`, from its latest
    /// checkpoint at or before it, or builds it from 0.
    pub fn restore_before(&mut self, to: SimTime, sc: &Scenario) {
        if self.a.now() > to {
            self.a = self.checkpoints.restore(to).unwrap_or_else(|| build(sc));
        }
    }

    /// Advances the live run towards `to`, [`EVENTS_PER_CHECK`] events at a time, until it
    /// gets there or `clock` passes `deadline_ms` (then the page is behind the chosen speed).
    pub fn advance(&mut self, to: SimTime, clock: Clock, deadline_ms: f64) {
        while !self.a.run_until_bounded(to, EVENTS_PER_CHECK) {
            if clock() > deadline_ms {
                return;
            }
        }
    }

    /// The first whole simulated ms the live run has not handled yet
    /// ([`Simulation::next_free_ms`]): an action there goes into the running simulation as it
    /// is, with no checkpoint to restore. (Side B is never ahead of side A.)
    pub fn next_free_ms(&self) -> u64 {
        self.a.next_free_ms()
    }

    /// Adds timeline `action` (already on `sc`'s timeline) to the checkpoints, to the live
    /// run and to the background run; a run already past its time is restored from a
    /// checkpoint before it, or built from 0. Returns whether the live run was kept (then the
    /// action shows after a replay of under a simulated ms).
    pub fn schedule(&mut self, action: &ScheduledAction, sc: &Scenario) -> bool {
        self.checkpoints.schedule(action);
        let a_ok = schedule_or_restore(&mut self.a, action, &self.checkpoints, || build(sc));
        // The background run too (one not built yet is built from the edited scenario).
        if let Some(r) = &mut self.background {
            schedule_or_restore(r, action, &self.checkpoints, || build(sc));
        }
        a_ok
    }

    /// A lesson's wait for `step`'s trigger ([`Simulation::run_to_trigger`], as `ha-sim
    /// lesson` plays it): runs side A towards `until`, [`EVENTS_PER_CHECK`] events at a time,
    /// until the trigger happens (its µs comes back), the run gets to `until`, or `clock`
    /// passes `deadline_ms`. `feed_seen` is moved on as in [`Simulation::run_to_trigger`].
    pub fn run_to_trigger(
        &mut self,
        step: &Step,
        feed_seen: &mut u64,
        until: SimTime,
        clock: Clock,
        deadline_ms: f64,
    ) -> Option<SimTime> {
        loop {
            if let Progress::Reached(t) =
                self.a
                    .run_to_trigger(step, feed_seen, until, EVENTS_PER_CHECK)
            {
                return Some(t);
            }
            if self.a.now() >= until || clock() > deadline_ms {
                return None;
            }
        }
    }
}
