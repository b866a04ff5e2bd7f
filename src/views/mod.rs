//! The views: Leptos components that render the [`crate::state::lab::Lab`]'s signals and send
//! it actions. They compute no simulation numbers and make no sentences of the engine's facts
//! (those come from `ha_engine::present`); their own words are labels and units.

pub mod alerts;
pub mod app;
pub mod author;
pub mod builder;
pub mod charts;
pub mod compare;
pub mod facts;
pub mod feed;
pub mod flow;
pub mod handoff;
pub mod inspector;
pub mod lesson;
pub mod markup;
pub mod nodes;
pub mod pace;
pub mod projection;
pub mod queues;
pub mod ring;
pub mod scenario;
pub mod topology;
pub mod traces;
pub mod transport;
