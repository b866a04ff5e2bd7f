//! The event feed (newest first, simulated timestamps, severity in words and icons) and the
//! request totals.

use crate::state::lab::use_lab;
use crate::views::facts::rows;
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
        // Focusable: it scrolls, and a keyboard user must be able to scroll it.
        <ol class="feed" aria-label="Events, newest first" aria-live="polite" tabindex="0">
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
            {move || {
                let t = t();
                rows(vec![
                    ("sent", t.arrived.to_string()),
                    ("✓ ok (200)", t.ok.to_string()),
                    ("✕ error (5xx)", t.error.to_string()),
                    ("◔ timeout (504)", t.timeout.to_string()),
                    ("⊘ rate limited (429)", t.rejected.to_string()),
                    ("⚡ breaker open, failed fast (503)", t.short_circuited.to_string()),
                    ("∅ no healthy upstream (503)", t.no_healthy_upstream.to_string()),
                    ("⇢ in flight", t.in_flight.to_string()),
                ])
            }}
        </dl>
        <p class="adds-up">
            {move || if t().add_up() { "✓ every request is counted exactly once" } else { "✕ counts do not add up" }}
        </p>
    }
}
