//! The mechanisms a cluster is made of, one module each: its configuration (which validates
//! itself) and its state machine, with the source it follows (a seed chapter, a paper or a real
//! system). They import only the leaves (`common`, `time`, `rng`) and each other, never the
//! simulation that drives them.

pub mod action;
pub mod alerts;
pub mod balancer;
pub mod breaker;
pub mod health;
pub mod messaging;
pub mod metrics;
pub mod ratelimit;
pub mod registry;
pub mod replication;
pub mod retry;
pub mod trace;
