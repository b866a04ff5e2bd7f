//! The run digest in the engine's Web Worker (issue 26): the scenario run from 0 to its
//! duration, in slices, and the digest of its event log there (what `ha-sim run --link`
//! prints). The page sends the scenario ([`crate::platform::worker`]); the worker answers
//! with how far it has got and then the digest, so the page's main thread never runs the
//! scenario to its end.

use crate::host::runs::{build, run_checkpointed, Clock};
use ha_engine::event::Digest;
use ha_engine::scenario::Scenario;
use ha_engine::{SimTime, Simulation};

/// A scenario run to its duration for its digest.
pub struct DigestRun {
    sim: Simulation,
    end: SimTime,
}

/// Where a [`DigestRun`] is after a slice.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DigestProgress {
    /// Still running: the simulated µs it has got to.
    At(u64),
    /// At the scenario's duration: the run digest.
    Done(Digest),
}

impl DigestRun {
    /// The run of `sc` from 0 towards its `duration_s`.
    pub fn new(sc: &Scenario) -> Self {
        DigestRun {
            sim: build(sc),
            end: SimTime::from_secs(u64::from(sc.duration_s)),
        }
    }

    /// Runs on towards the duration until `clock` passes `deadline_ms` (the engine checks
    /// the clock every [`crate::host::runs::EVENTS_PER_CHECK`] events).
    pub fn slice(&mut self, clock: Clock, deadline_ms: f64) -> DigestProgress {
        if run_checkpointed(&mut self.sim, None, self.end, clock, deadline_ms) {
            DigestProgress::Done(self.sim.digest())
        } else {
            DigestProgress::At(self.sim.now().as_us())
        }
    }
}
