//! The transport bar: play/pause, step, speed, the simulated clock, the seed, reset.

use crate::lab::{fresh_seed, use_lab};
use ha_engine::scenario::SPEEDS;
use ha_engine::SimTime;
use leptos::prelude::*;

/// Simulated time one press of Step advances, µs.
const STEP_US: u64 = 1_000_000;

/// Play/pause, step, speed, clock, seed and reset controls.
#[component]
pub fn TransportBar() -> impl IntoView {
    let lab = use_lab();
    let now_us = move || lab.view.with(|v| v.now_us);
    let seed = move || lab.view.with(|v| v.seed);
    view! {
        <nav class="transport" aria-label="Simulation controls">
            <button
                class="primary"
                aria-pressed=move || (!lab.playing.get()).to_string()
                on:click=move |_| lab.playing.update(|p| *p = !*p)
            >
                {move || if lab.playing.get() { "Pause" } else { "Play" }}
            </button>
            <button on:click=move |_| lab.step(STEP_US) title="Advance one simulated second">
                "Step 1 s"
            </button>
            <fieldset class="speed">
                <legend>"Speed"</legend>
                {SPEEDS
                    .iter()
                    .map(|&value| {
                        view! {
                            <label>
                                <input
                                    type="radio"
                                    name="speed"
                                    prop:checked=move || lab.speed() == value
                                    on:change=move |_| lab.set_speed(value)
                                />
                                <span>{format!("{value}×")}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <output class="clock" aria-label="Simulated time" data-us=move || now_us().to_string()>
                {move || SimTime(now_us()).to_string()}
            </output>
            <span class="seed">
                "Seed "
                <output aria-label="Seed" data-seed=move || seed().to_string()>{seed}</output>
            </span>
            <button on:click=move |_| lab.reset(lab.view.with_untracked(|v| v.seed)) title="Start again with the same seed: the same run">
                "Reset"
            </button>
            <button on:click=move |_| lab.reset(fresh_seed()) title="Start again with a fresh random seed">
                "New seed"
            </button>
            <Show when=move || lab.notice.with(Option::is_some)>
                <p class="notice" role="status">{move || lab.notice.get().unwrap_or_default()}</p>
            </Show>
        </nav>
    }
}
