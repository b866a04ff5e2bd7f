//! # ha-engine
//!
//! HA Lab's simulation of a high-availability cluster: a deterministic discrete-event engine
//! with a virtual clock in microseconds. It knows nothing of the web; the Leptos app and the
//! `ha-sim` command-line runner are shells over it.
//!
//! Same [`ClusterConfig`] + same seed ⇒ the same run, natively and in wasm, bit for bit: virtual
//! time only, one seeded ChaCha8 stream ([`rng::SimRng`]), ordered collections, `libm` for
//! floating-point functions, and a [`event::Digest`] over the whole event log to prove it.
//!
//! ```
//! use ha_engine::{presets, Action, ActionKind, SimTime, Simulation};
//! let mut sim = Simulation::new(presets::discovery().config, 42).unwrap();
//! sim.run_until(SimTime::from_secs(10));
//! let victim = sim.instance_by_address("192.168.1.11:8080").unwrap();
//! sim.apply(Action::on(ActionKind::Crash, victim)).unwrap();
//! sim.run_until(SimTime::from_secs(60));
//! assert!(!sim.registry().is_registered(victim)); // expired after the 30 s heartbeat timeout
//! sim.check_exactly_once().unwrap(); // every request ended once or is still in flight
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The layers, from the leaves up: `common`, `time`, `rng`, `tagged` and `wire` import nothing
// above them; each mechanism imports only those and other mechanisms; the scenario layer (what a
// cluster is, the presets, the share-link document) builds on the mechanisms; the simulation
// runs a scenario's cluster; the presentation turns the simulation's facts into words.
pub mod bench;
pub mod codec;
pub mod common;
pub mod decimal;
pub mod mechanisms;
pub mod present;
pub mod rng;
pub mod scenario;
pub mod sim;
mod tagged;
pub mod time;
pub mod wire;

// The modules under their short paths, as the app, the CLI and the tests name them.
pub use mechanisms::{
    action, alerts, balancer, breaker, health, messaging, metrics, ratelimit, registry,
    replication, retry, trace,
};
pub use present::report;
pub use scenario::{config, presets};
pub use sim::{event, explain, notice, queue, view};

pub use common::{ConfigError, InstanceId, Outcome, ServiceId};
pub use config::{ClusterConfig, InstanceConfig, ServiceConfig};
pub use event::{Digest, Event};
pub use mechanisms::action::{Action, ActionKind, ActionTarget};
pub use scenario::{Scenario, ScenarioError};
#[cfg(feature = "test-faults")]
pub use sim::BookkeepingFault;
pub use sim::{
    CommandError, Footprint, InMemory, LedgerError, OutcomeCounts, Process, Simulation, Stats,
};
pub use time::SimTime;
pub use view::ClusterView;
