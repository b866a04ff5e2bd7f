//! The event feed (newest first, simulated timestamps, severity in words and icons) and the
//! request totals.

use crate::platform::visible::while_followed;
use crate::state::lab::use_lab;
use crate::views::facts::rows;
use crate::views::markup::esc;
use ha_engine::common::Severity;
use ha_engine::{OutcomeCounts, SimTime};
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

/// A count of the request totals: its label and how it is read.
type Count = (&'static str, fn(&OutcomeCounts) -> u64);

/// The request totals' labels and what each counts.
const TOTALS: [Count; 8] = [
    ("sent", |t| t.arrived),
    ("✓ ok (200)", |t| t.ok),
    ("✕ error (5xx)", |t| t.error),
    ("◔ timeout (504)", |t| t.timeout),
    ("⊘ rate limited (429)", |t| t.rejected),
    ("⚡ breaker open, failed fast (503)", |t| t.short_circuited),
    ("∅ no healthy upstream (503)", |t| t.no_healthy_upstream),
    ("⇢ in flight", |t| t.in_flight),
];

/// Requests by outcome; they always add up to the requests sent. The list's markup is made
/// once (`facts::rows`) and a count that changed has its text set: rewritten as markup with
/// every redraw, its 16 elements were laid out again 30 times a second wherever the panel was
/// on screen (compare mode's view of the page), for numbers of which one or two change. (Eight
/// text bindings in `view!` cost the page 2.5 KB gzipped; this, 0.7 KB.)
#[component]
pub fn Totals() -> impl IntoView {
    let lab = use_lab();
    let t = while_followed(move || lab.view.with(|v| v.totals));
    let first = t.get_untracked();
    let markup = rows(
        TOTALS
            .iter()
            .map(|(k, get)| (*k, get(&first).to_string()))
            .collect(),
    );
    // What the list shows; the list is found by its class (the page has one).
    let shown = std::cell::Cell::new(first);
    Effect::new(move |_| {
        let now = t.get();
        let Ok(Some(dl)) = document().query_selector("dl.totals") else {
            return;
        };
        let before = shown.replace(now);
        for (k, get) in TOTALS {
            if get(&now) != get(&before) {
                if let Ok(Some(dd)) = dl.query_selector(&format!(r#"[data-testid="fact-{k}"]"#)) {
                    dd.set_text_content(Some(&get(&now).to_string()));
                }
            }
        }
    });
    view! {
        <dl class="totals" inner_html=markup></dl>
        <p class="adds-up">
            {move || if t.with(OutcomeCounts::add_up) { "✓ every request is counted exactly once" } else { "✕ counts do not add up" }}
        </p>
    }
}
