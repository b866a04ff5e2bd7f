//! The event feed (newest first, simulated timestamps, severity in words and icons) and the
//! request totals.

use crate::state::lab::use_lab;
use ha_engine::common::Severity;
use ha_engine::SimTime;
use leptos::prelude::*;

/// The glyph shown with a severity (never colour alone).
pub fn severity_icon(s: Severity) -> &'static str {
    match s {
        Severity::Info => "ℹ",
        Severity::Warning => "⚠",
        Severity::Critical => "✖",
    }
}

/// The feed of notable events.
#[component]
pub fn EventFeed() -> impl IntoView {
    let lab = use_lab();
    view! {
        <ol class="feed" aria-label="Events, newest first" aria-live="polite">
            <For each=move || lab.feed.get() key=|e| e.seq let:e>
                <li class=format!("sev-{}", e.severity.label()) data-kind=e.kind>
                    <time>{SimTime(e.at.as_us()).to_string()}</time>
                    <span class="sev">{severity_icon(e.severity)} " " {e.severity.label()}</span>
                    <span class="text">{e.text.clone()}</span>
                </li>
            </For>
        </ol>
    }
}

/// Requests by outcome; they always add up to the requests sent.
#[component]
pub fn Totals() -> impl IntoView {
    let lab = use_lab();
    let t = move || lab.view.with(|v| v.totals);
    view! {
        <dl class="totals">
            <div><dt>"sent"</dt><dd>{move || t().arrived}</dd></div>
            <div><dt>"✓ ok (200)"</dt><dd>{move || t().ok}</dd></div>
            <div><dt>"✕ error (5xx)"</dt><dd>{move || t().error}</dd></div>
            <div><dt>"◔ timeout (504)"</dt><dd>{move || t().timeout}</dd></div>
            <div><dt>"⊘ rate limited (429)"</dt><dd>{move || t().rejected}</dd></div>
            <div><dt>"⚡ breaker open, failed fast (503)"</dt><dd>{move || t().short_circuited}</dd></div>
            <div><dt>"∅ no healthy upstream (503)"</dt><dd>{move || t().no_healthy_upstream}</dd></div>
            <div><dt>"⇢ in flight"</dt><dd>{move || t().in_flight}</dd></div>
        </dl>
        <p class="adds-up">
            {move || if t().add_up() { "✓ every request is counted exactly once" } else { "✕ counts do not add up" }}
        </p>
    }
}
