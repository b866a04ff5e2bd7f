//! [`Simulation::approx_bytes`] estimates what a clone of the run copies (the app keeps
//! checkpoints only below a size, so that taking one stays a short task and the store stays
//! bounded). Checked against the allocator: the bytes a clone allocates, counted by
//! `stats_alloc`, are within a factor of two of the estimate, for a light run and for one
//! under heavy load.

use ha_engine::presets;
use ha_engine::{SimTime, Simulation};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes allocated by cloning `sim`.
fn clone_bytes(sim: &Simulation) -> usize {
    let region = Region::new(GLOBAL);
    let copy = sim.clone();
    let stats = region.change();
    drop(copy);
    stats.bytes_allocated
}

fn check(name: &str, sim: &Simulation) -> (usize, usize) {
    let estimate = sim.approx_bytes();
    let counted = clone_bytes(sim);
    let ratio = estimate as f64 / counted as f64;
    println!("{name}: estimate {estimate} B, a clone allocates {counted} B (ratio {ratio:.2})");
    assert!(
        (0.5..=2.0).contains(&ratio),
        "{name}: estimate {estimate} B, a clone allocates {counted} B (ratio {ratio:.2})"
    );
    (estimate, counted)
}

#[test]
fn the_estimate_is_within_a_factor_of_two_of_a_clone() {
    let mut light = Simulation::new(presets::discovery().config, 42).unwrap();
    light.run_until(SimTime::from_secs(20));
    let (light_bytes, _) = check("discovery at 20 s", &light);

    // `stress` at 20× its rate: 100,000 req/s over 30 instances, most of them refused by
    // full queues, and a timeout timer pending for each request in flight.
    let mut cfg = presets::stress().config;
    cfg.traffic.rate_rps = 100_000.0;
    let mut heavy = Simulation::new(cfg, 42).unwrap();
    heavy.run_until(SimTime::from_secs(2));
    let (heavy_bytes, _) = check("stress at 100,000 req/s, 2 s", &heavy);
    assert!(
        heavy_bytes > 2 * light_bytes,
        "load shows in the estimate: {heavy_bytes} B heavy, {light_bytes} B light"
    );
}
