//! The app's one piece of state: the running [`Simulation`] and the view signal it feeds.
//!
//! Per animation frame [`Lab::frame`] advances the engine by the frame's share of simulated time
//! (wall-clock ms × speed) and sets the [`ClusterView`] signal once. Components read that signal
//! and call [`Lab::command`]; none of them computes simulation numbers.

use ha_engine::event::FeedEntry;
use ha_engine::view::{InstanceView, ServiceView};
use ha_engine::{presets, ClusterView, Command, Simulation};
use leptos::prelude::*;

/// Longest wall-clock gap one frame may simulate, ms. A background tab's frames stop; on return
/// the run continues instead of jumping ahead.
const MAX_FRAME_MS: f64 = 100.0;

/// Speeds offered on the transport bar: simulated seconds per wall-clock second.
pub const SPEEDS: [(f64, &str); 4] = [(0.25, "0.25×"), (1.0, "1×"), (10.0, "10×"), (100.0, "100×")];

/// Seed of the first run when the page opens (a new seed is drawn on request).
pub const DEFAULT_SEED: u64 = 42;

/// Handles to the simulation and the signals the page renders. `Copy`, shared by context.
#[derive(Clone, Copy)]
pub struct Lab {
    sim: StoredValue<Simulation, LocalStorage>,
    /// What the page shows, refreshed once per frame.
    pub view: RwSignal<ClusterView>,
    /// The feed, newest first; refreshed only when the engine posts to it.
    pub feed: RwSignal<Vec<FeedEntry>>,
    /// Whether simulated time advances with the wall clock.
    pub playing: RwSignal<bool>,
    /// Simulated seconds per wall-clock second.
    pub speed: RwSignal<f64>,
    /// The last refused command, shown to the user.
    pub notice: RwSignal<Option<String>>,
    /// The preset being run.
    pub preset: StoredValue<presets::Preset, LocalStorage>,
}

fn build(preset: &presets::Preset, seed: u64) -> Simulation {
    Simulation::new(preset.config.clone(), seed)
        .expect("built-in presets validate (tested in ha-engine's config tests)")
}

impl Lab {
    /// A lab running the default preset with [`DEFAULT_SEED`].
    pub fn new() -> Self {
        let preset = presets::by_name(presets::DEFAULT).expect("the default preset exists");
        let sim = build(&preset, DEFAULT_SEED);
        let view = RwSignal::new(sim.view());
        let feed = RwSignal::new(sim.feed_view());
        Lab {
            sim: StoredValue::new_local(sim),
            view,
            feed,
            playing: RwSignal::new(true),
            speed: RwSignal::new(1.0),
            notice: RwSignal::new(None),
            preset: StoredValue::new_local(preset),
        }
    }

    /// Advances the run by `wall_ms` of wall-clock time at the current speed (if playing) and
    /// refreshes the view.
    pub fn frame(&self, wall_ms: f64) {
        if !self.playing.get_untracked() {
            return;
        }
        let wall_ms = wall_ms.clamp(0.0, MAX_FRAME_MS);
        let sim_us = (wall_ms * 1_000.0 * self.speed.get_untracked()) as u64;
        if sim_us > 0 {
            self.sim.update_value(|s| s.run_for(sim_us));
            self.refresh();
        }
    }

    /// Advances `us` simulated microseconds at once (the Step button).
    pub fn step(&self, us: u64) {
        self.sim.update_value(|s| s.run_for(us));
        self.refresh();
    }

    /// Applies `cmd` now; a refusal is shown as a notice.
    pub fn command(&self, cmd: Command) {
        let mut result = Ok(());
        self.sim.update_value(|s| result = s.apply(cmd));
        self.notice.set(result.err().map(|e| e.to_string()));
        self.refresh();
    }

    /// Starts the preset again with `seed`.
    pub fn reset(&self, seed: u64) {
        let sim = self.preset.with_value(|p| build(p, seed));
        self.sim.set_value(sim);
        self.notice.set(None);
        self.refresh();
        // A new run may have posted as many entries as the old one showed: always refetch.
        self.feed.set(self.sim.with_value(Simulation::feed_view));
    }

    /// A reactive read of one value of instance `index`, borrowed from the view (no clone of
    /// the instance and its series); `T::default()` if there is no such instance.
    pub fn instance<T: Default>(
        self,
        index: usize,
        f: impl Fn(&InstanceView) -> T + Copy,
    ) -> impl Fn() -> T + Copy {
        move || {
            self.view
                .with(|v| v.instances.get(index).map(f).unwrap_or_default())
        }
    }

    /// A reactive read of one value of service `index`, as [`Lab::instance`].
    pub fn service<T: Default>(
        self,
        index: usize,
        f: impl Fn(&ServiceView) -> T + Copy,
    ) -> impl Fn() -> T + Copy {
        move || {
            self.view
                .with(|v| v.services.get(index).map(f).unwrap_or_default())
        }
    }

    fn refresh(&self) {
        let view = self.sim.with_value(Simulation::view);
        let before = self.view.with_untracked(|v| v.feed_posted);
        if view.feed_posted != before {
            self.feed.set(self.sim.with_value(Simulation::feed_view));
        }
        self.view.set(view);
    }
}

/// Draws a fresh seed from the browser's crypto (`crypto.getRandomValues` via getrandom).
pub fn fresh_seed() -> u64 {
    getrandom::u64().unwrap_or_else(|_| {
        // No crypto available (never in a supported browser): fall back to the clock.
        window().performance().map_or(0.0, |p| p.now()) as u64
    })
}

/// The lab provided by [`crate::app::App`].
pub fn use_lab() -> Lab {
    expect_context::<Lab>()
}
