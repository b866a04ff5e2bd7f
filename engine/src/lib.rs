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
//! use ha_engine::{presets, Command, SimTime, Simulation};
//! let mut sim = Simulation::new(presets::discovery().config, 42).unwrap();
//! sim.run_until(SimTime::from_secs(10));
//! let victim = sim.instance_by_address("192.168.1.11:8080").unwrap();
//! sim.apply(Command::Crash(victim)).unwrap();
//! sim.run_until(SimTime::from_secs(60));
//! assert!(!sim.registry().is_registered(victim)); // expired after the 30 s heartbeat timeout
//! sim.check_exactly_once().unwrap(); // every request ended once or is still in flight
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alerts;
pub mod balancer;
pub mod bench;
pub mod breaker;
pub mod common;
pub mod config;
pub mod event;
pub mod explain;
pub mod fault;
pub mod health;
pub mod metrics;
pub mod notice;
pub mod present;
pub mod presets;
pub mod queue;
pub mod ratelimit;
pub mod registry;
pub mod replication;
pub mod report;
pub mod retry;
pub mod rng;
pub mod scenario;
pub mod sim;
mod tagged;
pub mod time;
pub mod trace;
pub mod view;

pub use common::{ConfigError, InstanceId, Outcome, ServiceId};
pub use config::{ClusterConfig, InstanceConfig, ServiceConfig};
pub use event::{Digest, Event};
pub use scenario::{Scenario, ScenarioError};
#[cfg(feature = "test-faults")]
pub use sim::BookkeepingFault;
pub use sim::{
    Command, CommandError, Footprint, LedgerError, OutcomeCounts, Process, Simulation, Stats,
};
pub use time::SimTime;
pub use view::ClusterView;
