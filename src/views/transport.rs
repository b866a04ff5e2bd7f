//! The transport bar: play/pause, step, speed, the simulated clock, the seed, reset, the
//! theme, and the timeline scrubber with the scenario's scheduled actions marked on it.

use crate::state::lab::{fresh_seed, use_lab};
use crate::views::markup::{clicked_data, esc};
use ha_engine::present::Dec;
use ha_engine::scenario::SPEEDS;
use ha_engine::SimTime;
use leptos::prelude::*;

/// Simulated time one press of Step advances, µs.
const STEP_US: u64 = 1_000_000;

/// Seconds shown before a marked action when its marker is pressed, so it can be watched.
const LEAD_IN_MS: u64 = 2_000;

/// Play/pause, step, speed, clock, seed, reset and theme controls.
#[component]
pub fn TransportBar() -> impl IntoView {
    let lab = use_lab();
    let now_us = move || lab.view.with(|v| v.now_us);
    let seed = move || lab.scenario.with(|s| s.seed);
    let dark = RwSignal::new(prefers_dark());
    Effect::new(move |_| {
        let theme = if dark.get() { "dark" } else { "light" };
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme);
        }
    });
    view! {
        <nav class="transport" aria-label="Simulation controls">
            <button
                class="primary"
                aria-pressed=move || (!lab.playing.get()).to_string()
                on:click=move |_| lab.set_playing(!lab.playing.get_untracked())
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
                                <span>{format!("{value}×", value = Dec(value))}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <output
                class="clock"
                aria-label="Simulated time"
                data-us=move || now_us().to_string()
                data-settled=move || lab.settled.get().to_string()
            >
                {move || SimTime(now_us()).to_string()}
            </output>
            <span class="seed secondary">
                "Seed "
                <output aria-label="Seed" data-seed=move || seed().to_string()>{seed}</output>
            </span>
            <button class="secondary" on:click=move |_| lab.reset(lab.scenario.with_untracked(|s| s.seed)) title="Start again with the same seed: the same run">
                "Reset"
            </button>
            <button class="secondary" on:click=move |_| lab.reset(fresh_seed()) title="Start again with a fresh random seed">
                "New seed"
            </button>
            <button
                class="secondary"
                aria-pressed=move || dark.get().to_string()
                on:click=move |_| dark.update(|d| *d = !*d)
                title="Switch between light and dark colours"
            >
                "Dark theme"
            </button>
            <Show when=move || lab.behind.with(Option::is_some) && lab.replay.with(Option::is_none)>
                <p class="behind" role="status">
                    {move || format!(
                        "The engine cannot keep up with {}×: running at {:.1}×",
                        Dec(lab.speed()),
                        Dec(lab.behind.get().unwrap_or(0.0))
                    )}
                </p>
            </Show>
            <Show when=move || lab.replay.with(Option::is_some)>
                <div class="notice replaying" role="status">
                    <span>
                        {move || format!(
                            "Replaying to {}: at {}",
                            ha_engine::SimTime(lab.replay.get().unwrap_or(0)),
                            ha_engine::SimTime(lab.replay_at.get())
                        )}
                    </span>
                    <progress
                        aria-label="Replay progress"
                        max=move || lab.replay.get().unwrap_or(0).max(1).to_string()
                        value=move || lab.replay_at.get().to_string()
                    ></progress>
                    <button type="button" on:click=move |_| lab.stop_replay() title="Show the run where the replay has got to and go on from there">
                        "Stop here"
                    </button>
                </div>
            </Show>
            <Show when=move || lab.notice.with(Option::is_some)>
                <p class="notice" role="status">{move || lab.notice.get().unwrap_or_default()}</p>
            </Show>
        </nav>
    }
}

/// True when the browser asks for dark colours.
fn prefers_dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// The timeline: drag (or use the arrow keys) to jump to any simulated time; the run is
/// replayed from the start with the same seed. Scheduled actions are marked; pressing a mark
/// jumps to just before it.
#[component]
pub fn Scrubber() -> impl IntoView {
    let lab = use_lab();
    let scrubbing: RwSignal<Option<u64>> = RwSignal::new(None);
    let now_ms = move || lab.view.with(|v| v.now_us / 1_000);
    // Changes at most every 10 simulated seconds past the scenario's duration.
    let end_ms = Memo::new(move |_| {
        let d = lab.scenario.with(|s| s.duration_s as u64 * 1_000);
        d.max(now_ms().div_ceil(10_000) * 10_000)
    });
    let end_ms = move || end_ms.get();
    let shown = move || scrubbing.get().unwrap_or_else(now_ms);
    let marks = move || {
        lab.scenario.with(|s| {
            s.cluster
                .faults
                .iter()
                .map(|f| {
                    let on = f.target.clone().unwrap_or_else(|| "cluster".into());
                    (
                        f.at_ms,
                        format!("{} on {on}", ha_engine::present::fault(&f.kind)),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="scrubber">
            <label class="scrub-label" for="timeline">"Timeline"</label>
            <div class="scrub-track" class:marked=move || lab.scenario.with(|s| !s.cluster.faults.is_empty())>
                <input
                    id="timeline"
                    type="range"
                    min="0"
                    max=move || end_ms().to_string()
                    step="1000"
                    aria-valuetext=move || SimTime(shown() * 1_000).to_string()
                    prop:value=move || shown().to_string()
                    on:input=move |ev| scrubbing.set(event_target_value(&ev).parse().ok())
                    on:change=move |ev| {
                        scrubbing.set(None);
                        if let Ok(t) = event_target_value(&ev).parse::<u64>() {
                            lab.seek(t);
                        }
                    }
                />
                // The marks as one string of buttons and one click handler (`data-at`).
                <div
                        class="marks"
                        on:click=move |ev: leptos::ev::MouseEvent| {
                            let at = clicked_data(&ev, "at").and_then(|a| a.parse::<u64>().ok());
                            if let Some(at) = at {
                                lab.seek(at.saturating_sub(LEAD_IN_MS));
                            }
                        }
                        inner_html=move || {
                            let end = end_ms().max(1) as f64;
                            marks()
                                .into_iter()
                                .map(|(at, what)| {
                                    let left = at as f64 / end * 100.0;
                                    let label = format!("Jump to {} before {} at {}", SimTime(LEAD_IN_MS * 1_000), esc(&what), SimTime(at * 1_000));
                                    format!(r#"<button class="mark" style="left: {left:.2}%" aria-label="{label}" title="{label}" data-at="{at}">▼</button>"#, left = Dec(left))
                                })
                                .collect::<String>()
                        }
                ></div>
            </div>
            <span class="scrub-end">{move || SimTime(end_ms() * 1_000).to_string()}</span>
        </div>
    }
}
