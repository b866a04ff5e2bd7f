//! Compare mode's side B, run in the engine's Web Worker ([`crate::platform::worker`]): the
//! page sends [`BCommand`]s (start from a scenario, go to side A's instant, seek back, take a
//! timeline action) and the worker answers with [`BReply`], side B's view. The page's main
//! thread runs side A only, so compare mode costs it one engine, not two.
//!
//! Both travel through `ha_engine::codec`. Side B keeps its own checkpoints, as side A's
//! (a seek back restores the latest at or before the instant, an action before B's instant
//! restores the one before it), so what it shows at an instant is what a run from 0 shows
//! there (determinism: `engine/tests/checkpoints.rs`).

use crate::host::checkpoints::Checkpoints;
use crate::host::runs::{build, run_checkpointed, schedule_or_restore, Clock};
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

/// What the page asks of side B.
#[derive(Clone, Debug, PartialEq)]
pub enum BCommand {
    /// Compare mode on: side B of `scenario` (its JSON) under `spec`, from 0, brought to
    /// `to_us` (side A's instant, simulated µs). Also after the scenario is rebuilt.
    Start {
        /// The scenario, as `Scenario::to_json` writes it.
        scenario: String,
        /// What side B changes.
        spec: CompareSpec,
        /// Where to bring it, simulated µs.
        to_us: u64,
    },
    /// Compare mode off: side B and its checkpoints are dropped.
    Stop,
    /// Bring side B to side A's instant, simulated µs (only forwards); answered even when side
    /// B is there already.
    To(u64),
    /// A seek: side B restored from its latest checkpoint at or before this instant (or
    /// built from 0) if it is past it, then brought to it (simulated µs).
    Seek(u64),
    /// The action at `index` of `scenario`'s timeline was just added (`Lab::act`): side B and
    /// its checkpoints take it, then side B is brought to `to_us`.
    Schedule {
        /// The scenario with the action on its timeline, as `Scenario::to_json` writes it.
        scenario: String,
        /// The action's index in the timeline (`cluster.faults`).
        index: u64,
        /// Where to bring side B then, simulated µs.
        to_us: u64,
    },
}

impl Wire for BCommand {
    fn wire(&mut self, c: &mut Codec) {
        let mut i: u64 = match self {
            BCommand::Start { .. } => 0,
            BCommand::Stop => 1,
            BCommand::To(_) => 2,
            BCommand::Seek(_) => 3,
            BCommand::Schedule { .. } => 4,
        };
        c.varint(&mut i);
        if c.decoding {
            *self = match i {
                0 => BCommand::Start {
                    scenario: String::new(),
                    spec: CompareSpec::blank(),
                    to_us: 0,
                },
                1 => BCommand::Stop,
                2 => BCommand::To(0),
                3 => BCommand::Seek(0),
                _ => BCommand::Schedule {
                    scenario: String::new(),
                    index: 0,
                    to_us: 0,
                },
            };
        }
        match self {
            BCommand::Start {
                scenario,
                spec,
                to_us,
            } => {
                scenario.wire(c);
                spec.wire(c);
                to_us.wire(c);
            }
            BCommand::Stop => {}
            BCommand::To(us) | BCommand::Seek(us) => us.wire(c),
            BCommand::Schedule {
                scenario,
                index,
                to_us,
            } => {
                scenario.wire(c);
                index.wire(c);
                to_us.wire(c);
            }
        }
    }
    fn blank() -> Self {
        BCommand::Stop
    }
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

/// Side B's view as the worker sends it.
#[derive(Clone, Debug, PartialEq)]
pub struct BReply {
    /// The instant the page last asked for (simulated µs): when `view.now_us` is short of it,
    /// side B is still catching up.
    pub to_us: u64,
    /// Side B's view.
    pub view: ClusterView,
}

ha_engine::codec::wire_struct!(BReply { to_us, view });

/// Side B in the worker: its run, its checkpoints and where the page wants it.
pub struct SideBRun {
    /// The scenario side A runs (side B is it under `spec`).
    scenario: Scenario,
    spec: CompareSpec,
    run: Simulation,
    checkpoints: Checkpoints,
    /// Where the page wants side B, simulated µs.
    to_us: u64,
    /// Whether the page has been sent side B at `to_us`.
    sent: bool,
}

/// Side B of `sc` under `spec` from 0 (`None`: the JSON is not a scenario; the page sends
/// only scenarios it runs).
fn start(json: &str, spec: CompareSpec, to_us: u64) -> Option<SideBRun> {
    let scenario = Scenario::from_json(json).ok()?;
    Some(SideBRun {
        run: build_b(&scenario, spec),
        scenario,
        spec,
        checkpoints: Checkpoints::new(),
        to_us,
        sent: false,
    })
}

/// Applies `cmd` to `side` (`None`: compare mode is off).
pub fn command(side: &mut Option<SideBRun>, cmd: BCommand) {
    match cmd {
        BCommand::Start {
            scenario,
            spec,
            to_us,
        } => *side = start(&scenario, spec, to_us),
        BCommand::Stop => *side = None,
        // Always answered, even at the instant side B is at: the page waits for the answer
        // to show side A's view of that instant beside it (`Lab::compare_a`).
        BCommand::To(us) => {
            if let Some(b) = side {
                b.to_us = us;
                b.sent = false;
            }
        }
        BCommand::Seek(us) => {
            if let Some(b) = side {
                if b.run.now() > SimTime(us) {
                    b.run = b
                        .checkpoints
                        .restore(SimTime(us))
                        .unwrap_or_else(|| build_b(&b.scenario, b.spec));
                }
                b.to_us = us;
                b.sent = false;
            }
        }
        BCommand::Schedule {
            scenario,
            index,
            to_us,
        } => {
            let Some(b) = side else { return };
            let Ok(sc) = Scenario::from_json(&scenario) else {
                return;
            };
            if let Some(action) = sc.cluster.faults.get(index as usize).cloned() {
                b.checkpoints.schedule(&action);
                let spec = b.spec;
                schedule_or_restore(&mut b.run, &action, &b.checkpoints, || build_b(&sc, spec));
            }
            b.scenario = sc;
            b.to_us = to_us;
            b.sent = false;
        }
    }
}

impl SideBRun {
    /// Runs side B towards where the page wants it until `clock` passes `deadline_ms`,
    /// offering checkpoints. Returns its view when the page should have it: when it got
    /// there, or (`progress`) on the way.
    pub fn slice(&mut self, clock: Clock, deadline_ms: f64, progress: bool) -> Option<BReply> {
        if self.sent {
            return None;
        }
        let to = SimTime(self.to_us);
        let done = run_checkpointed(
            &mut self.run,
            Some(&mut self.checkpoints),
            to,
            clock,
            deadline_ms,
        );
        self.sent = done;
        (done || progress).then(|| BReply {
            to_us: self.to_us,
            view: self.run.view(),
        })
    }

    /// Whether side B is short of where the page wants it (or has not sent it there yet).
    pub fn busy(&self) -> bool {
        !self.sent
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_engine::codec::{decode, encode};
    use ha_engine::presets;

    const CLOCK: Clock = || 0.0;

    /// Runs side B where the page wants it, as the worker's slices do, and returns the view
    /// it sends.
    fn settle(b: &mut Option<SideBRun>) -> BReply {
        let b = b.as_mut().expect("side B is on");
        b.slice(CLOCK, f64::INFINITY, false)
            .expect("with no deadline, one slice gets there")
    }

    /// Through the codec, as the page sends it.
    fn send(b: &mut Option<SideBRun>, mut cmd: BCommand) {
        command(b, decode(&encode(&mut cmd)));
    }

    /// Side B brought forwards, sought back to a checkpoint and given a timeline action shows
    /// what a run of its scenario from 0 shows at the same instant.
    #[test]
    fn side_b_shows_what_a_run_from_0_shows() {
        let mut sc = Scenario::from_preset(&presets::failover(), 7);
        let spec = CompareSpec {
            service: 0,
            b: SideB::Strategy(Strategy::LeastConnections),
        };
        let mut b = None;
        send(
            &mut b,
            BCommand::Start {
                scenario: sc.to_json(),
                spec,
                to_us: 20_000_000,
            },
        );
        let at_20 = settle(&mut b);
        send(&mut b, BCommand::To(45_000_000));
        settle(&mut b);
        // Back to 20 s from a checkpoint: the same view as the first time there.
        send(&mut b, BCommand::Seek(20_000_000));
        assert_eq!(settle(&mut b), at_20);
        // A crash at 30 s, put on the timeline as `Lab::act` does, while B is at 20 s.
        let addr = sc.cluster.services[0].instances[0].address.clone();
        let crash: ha_engine::action::ScheduledAction =
            format!("crash:{addr}@30").parse().expect("a crash spec");
        sc.cluster.faults.push(crash);
        send(
            &mut b,
            BCommand::Schedule {
                scenario: sc.to_json(),
                index: (sc.cluster.faults.len() - 1) as u64,
                to_us: 40_000_000,
            },
        );
        let got = settle(&mut b);
        let mut fresh = build_b(&sc, spec);
        fresh.run_until(SimTime(40_000_000));
        assert_eq!(got.view, fresh.view());
        assert!(got.view.stats.faults > 0);
        send(&mut b, BCommand::Stop);
        assert!(b.is_none());
    }
}
