//! The event feed (newest first, simulated timestamps, severity in words and icons) and the
//! request totals.

use crate::platform::visible::while_followed;
use crate::state::lab::use_lab;
use crate::views::facts::rows;
use crate::views::markup::esc;
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

/// The feed of notable events: one string of markup (the words escaped), rewritten when the
/// engine posts; a screen reader hears the newest entry from a live region of its own, not the
/// whole list again.
#[component]
pub fn EventFeed() -> impl IntoView {
    let lab = use_lab();
    let html = move || {
        lab.feed.with(|f| {
            f.iter()
                .map(|e| {
                    format!(
                        r#"<li class="sev-{0}" data-kind="{1}"><time>{2}</time><span class="sev">{3} {0}</span><span class="text">{4}</span></li>"#,
                        e.severity.label(),
                        e.kind,
                        SimTime(e.at.as_us()),
                        severity_icon(e.severity),
                        esc(&e.text)
                    )
                })
                .collect::<String>()
        })
    };
    let newest = move || lab.feed.with(|f| f.first().map(|e| e.text.clone()));
    view! {
        <p class="sr-only" aria-live="polite">{newest}</p>
        // Focusable: it scrolls, and a keyboard user must be able to scroll it.
        <ol class="feed" aria-label="Events, newest first" tabindex="0" inner_html=html></ol>
    }
}

/// Requests by outcome; they always add up to the requests sent.
#[component]
pub fn Totals() -> impl IntoView {
    let lab = use_lab();
    let t = while_followed(move || lab.view.with(|v| v.totals));
    view! {
        <dl class="totals" inner_html=move || {
                let t = t.get();
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
            }></dl>
        <p class="adds-up">
            {move || if t.get().add_up() { "✓ every request is counted exactly once" } else { "✕ counts do not add up" }}
        </p>
    }
}
