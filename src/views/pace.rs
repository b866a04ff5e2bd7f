//! How often a costly piece of markup is rebuilt while the run plays.

use crate::state::lab::Lab;
use leptos::prelude::*;
use std::time::Duration;

/// A beat for markup that costs more than a frame can spare (a list or a table of every
/// instance, compare mode's charts): [`Pace::track`], called first in the markup's closure,
/// makes it re-run every `every` of wall-clock time while the run plays, and with every change
/// of the view while paused (a step, a seek, an action). Read the view with `with_untracked`
/// inside, or the closure re-runs with every redraw anyway (up to 20 a second). Numbers that
/// change every frame cannot be read; twice or four times a second they can. What shares one
/// `Pace` is redrawn in the same frame, at the same instant.
#[derive(Clone, Copy)]
pub struct Pace {
    tick: RwSignal<u32>,
    lab: Lab,
}

impl Pace {
    /// Tracks the beat: while playing, its ticks; while paused, both sides' views.
    pub fn track(&self) {
        self.tick.track();
        if !self.lab.playing.get() {
            self.lab.view.track();
            self.lab.compare_view.track();
        }
    }
}

/// A [`Pace`] that ticks every `every` of wall-clock time while `lab` plays.
pub fn while_playing_every(lab: Lab, every: Duration) -> Pace {
    let tick = RwSignal::new(0u32);
    if let Ok(h) = set_interval_with_handle(
        move || {
            if lab.playing.get_untracked() {
                tick.update(|t| *t = t.wrapping_add(1));
            }
        },
        every,
    ) {
        on_cleanup(move || h.clear());
    }
    Pace { tick, lab }
}
