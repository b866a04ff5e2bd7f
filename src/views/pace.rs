//! How often a costly piece of markup is rebuilt while the run plays.

use crate::state::lab::Lab;
use leptos::prelude::*;
use std::time::Duration;

/// A closure to call first in a markup closure that costs more than a frame can spare (a list or
/// a table of every instance): it makes the closure re-run every `every` of wall-clock time
/// while the run plays, and with every change of the view while paused (a step, a seek, an
/// action). Read the view with `with_untracked` inside, or the closure re-runs with every
/// redraw anyway (up to 20 a second). Numbers that change every frame cannot be read; twice or
/// four times a second they can.
pub fn while_playing_every(lab: Lab, every: Duration) -> impl Fn() + Copy + 'static {
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
    move || {
        tick.track();
        if !lab.playing.get() {
            lab.view.track();
            lab.compare_view.track();
        }
    }
}
