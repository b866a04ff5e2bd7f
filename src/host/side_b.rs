//! Compare mode's side B, run in the engine's Web Worker beside side A
//! ([`crate::host::session`]): the scenario with one service's strategy replaced, or with calls
//! instead of messages. Before each frame it sends, the session brings side B to side A's
//! instant, so the two sides show the same instant; while side B catches up (compare mode
//! just turned on late in a run), the frame carries how far it has got.
//!
//! Side B keeps its own checkpoints, as side A's (a seek back restores the latest at or before
//! the instant, an action before B's instant restores the one before it), so what it shows at
//! an instant is what a run from 0 shows there (determinism: `engine/tests/checkpoints.rs`).

use crate::host::checkpoints::Checkpoints;
use crate::host::runs::{build, run_checkpointed, schedule_or_restore, Clock};
use ha_engine::action::ScheduledAction;
use ha_engine::balancer::Strategy;
use ha_engine::codec::{Codec, Wire};
use ha_engine::scenario::Scenario;
use ha_engine::{ClusterView, ServiceId, SimTime, Simulation};

/// Compare mode's second run: the scenario with one service's strategy replaced.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompareSpec {
    /// The service the sides are compared on (whose strategy differs, or the producer).
    pub service: usize,
    /// What side B changes.
    pub b: SideB,
}

/// What compare mode's side B changes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SideB {
    /// The service's load-balancing strategy.
    Strategy(Strategy),
    /// Every publish becomes a call to the queue's consumers
    /// ([`ha_engine::ClusterConfig::messages_as_calls`]): sync against async.
    Calls,
}

/// The scenario compare mode runs on side B: `sc` with one service's strategy replaced, or
/// with calls instead of messages.
fn compare_scenario(sc: &Scenario, spec: CompareSpec) -> Scenario {
    let mut b = sc.clone();
    match spec.b {
        // An index the scenario does not have leaves it as it is (compare mode offers only
        // its own).
        SideB::Strategy(st) => {
            let _ = b.cluster.set_strategy(ServiceId::from(spec.service), st);
        }
        SideB::Calls => b.cluster = b.cluster.messages_as_calls(),
    }
    b
}

/// Compare mode's side B of `sc` under `spec`, from 0.
fn build_b(sc: &Scenario, spec: CompareSpec) -> Simulation {
    build(&compare_scenario(sc, spec))
}

impl Wire for CompareSpec {
    fn wire(&mut self, c: &mut Codec) {
        self.service.wire(c);
        let mut strategy = match self.b {
            SideB::Strategy(s) => Some(s),
            SideB::Calls => None,
        };
        strategy.wire(c);
        self.b = strategy.map_or(SideB::Calls, SideB::Strategy);
    }
    fn blank() -> Self {
        CompareSpec {
            service: 0,
            b: SideB::Calls,
        }
    }
}

/// Side B in the worker: the scenario it changes, its run and its checkpoints. The session
/// ([`crate::host::session`]) brings it to side A's instant before each frame it sends.
pub struct SideBRun {
    /// The scenario side A runs (side B is it under `spec`).
    scenario: Scenario,
    spec: CompareSpec,
    run: Simulation,
    checkpoints: Checkpoints,
}

impl SideBRun {
    /// Side B of `sc` under `spec`, from 0.
    pub fn new(sc: &Scenario, spec: CompareSpec) -> Self {
        SideBRun {
            run: build_b(sc, spec),
            scenario: sc.clone(),
            spec,
            checkpoints: Checkpoints::new(),
        }
    }

    /// A seek (or a rebuilt side A that replays): restored from its latest checkpoint at or
    /// before `to` (or built from 0) if it is past it.
    pub fn seek(&mut self, to: SimTime) {
        if self.run.now() > to {
            self.run = self
                .checkpoints
                .restore(to)
                .unwrap_or_else(|| build_b(&self.scenario, self.spec));
        }
    }

    /// Timeline `action` was added to side A's scenario, now `sc`: side B and its checkpoints
    /// take it (restored from a checkpoint before it if side B is past its time).
    pub fn schedule(&mut self, action: &ScheduledAction, sc: &Scenario) {
        self.checkpoints.schedule(action);
        let spec = self.spec;
        schedule_or_restore(&mut self.run, action, &self.checkpoints, || {
            build_b(sc, spec)
        });
        self.scenario = sc.clone();
    }

    /// Runs side B towards `to` (side A's instant) until `clock` passes `deadline_ms`,
    /// offering checkpoints. Returns whether it got there.
    pub fn slice(&mut self, to: SimTime, clock: Clock, deadline_ms: f64) -> bool {
        run_checkpointed(
            &mut self.run,
            Some(&mut self.checkpoints),
            to,
            clock,
            deadline_ms,
        )
    }

    /// Side B's view now.
    pub fn view(&self) -> ClusterView {
        self.run.view()
    }

    /// Side B's instant.
    pub fn now(&self) -> SimTime {
        self.run.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_engine::presets;

    const CLOCK: Clock = || 0.0;

    /// Side B brought forwards, sought back to a checkpoint and given a timeline action shows
    /// what a run of its scenario from 0 shows at the same instant.
    #[test]
    fn side_b_shows_what_a_run_from_0_shows() {
        let mut sc = Scenario::from_preset(&presets::failover(), 7);
        let spec = CompareSpec {
            service: 0,
            b: SideB::Strategy(Strategy::LeastConnections),
        };
        let mut b = SideBRun::new(&sc, spec);
        assert!(b.slice(SimTime::from_secs(20), CLOCK, f64::INFINITY));
        let at_20 = b.view();
        assert!(b.slice(SimTime::from_secs(45), CLOCK, f64::INFINITY));
        // Back to 20 s from a checkpoint: the same view as the first time there.
        b.seek(SimTime::from_secs(20));
        assert!(b.slice(SimTime::from_secs(20), CLOCK, f64::INFINITY));
        assert_eq!(b.view(), at_20);
        // A crash at 30 s, put on the timeline as the session does, while B is at 20 s.
        let addr = sc.cluster.services[0].instances[0].address.clone();
        let crash: ScheduledAction = format!("crash:{addr}@30").parse().expect("a crash spec");
        sc.cluster.faults.push(crash.clone());
        b.schedule(&crash, &sc);
        assert!(b.slice(SimTime::from_secs(40), CLOCK, f64::INFINITY));
        let mut fresh = build_b(&sc, spec);
        fresh.run_until(SimTime::from_secs(40));
        assert_eq!(b.view(), fresh.view());
        assert!(b.view().stats.faults > 0);
    }
}
