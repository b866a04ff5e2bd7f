//! The alert feed: pending, firing and resolved transitions, newest first, with simulated
//! timestamps and severity; filters by severity and by source; an entry selects its instance
//! (or service) in the inspector.

use crate::state::lab::use_lab;
use crate::views::feed::severity_icon;
use crate::views::markup::esc;
use ha_engine::alerts::AlertState;
use ha_engine::present;
use ha_engine::SimTime;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Glyph and words for an alert state (never colour alone).
fn state_style(s: AlertState) -> &'static str {
    match s {
        AlertState::Pending => "◔",
        AlertState::Firing => "●",
        AlertState::Resolved => "✓",
        AlertState::Inactive => "○",
    }
}

/// Alerts firing now (a one-line summary) and the filtered feed.
#[component]
pub fn AlertFeed() -> impl IntoView {
    let lab = use_lab();
    let severity: RwSignal<String> = RwSignal::new(String::new());
    let source: RwSignal<String> = RwSignal::new(String::new());
    let sources = Memo::new(move |_| {
        lab.alert_feed.with(|f| {
            // Sorted and unique by insertion at its place (no sort of its own in the wasm).
            let mut v: Vec<String> = Vec::new();
            for e in f.iter() {
                for name in std::iter::once(&e.target).chain(e.service_name.as_ref()) {
                    if let Err(at) = v.binary_search(name) {
                        v.insert(at, name.clone());
                    }
                }
            }
            v
        })
    });
    let firing = move || {
        lab.view.with(|v| {
            v.alerts
                .iter()
                .filter(|a| a.state == AlertState::Firing)
                .map(|a| {
                    format!(
                        "{} on {}",
                        a.rule,
                        lab.with_config(|c| present::target(a.target, c))
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    // The filtered feed as one string of markup (names escaped) and one click handler: a
    // keyed list of rows, each a tree of views, cost 8 KB of wasm. A button's name is its
    // visible text (WCAG 2.5.3, label in name).
    let shown = Memo::new(move |_| {
        let (sev, src) = (severity.get(), source.get());
        lab.alert_feed.with(|f| {
            f.iter()
                .filter(|e| sev.is_empty() || e.severity.label() == sev)
                .filter(|e| {
                    src.is_empty()
                        || e.target == src
                        || e.service_name.as_deref() == Some(src.as_str())
                })
                .take(100)
                .map(|e| {
                    let (sv, st, t) = (e.severity.label(), e.to.label(), esc(&e.target));
                    let at = SimTime(e.at_us);
                    let (rule, detail) = (esc(&e.rule), esc(&e.detail));
                    format!(
                        "<li class=\"alert sev-{sv} st-{st}\" data-severity=\"{sv}\" data-state=\"{st}\" data-target=\"{t}\"><button class=\"alert-entry\" data-seq=\"{}\"{}><time>{at}</time><span class=\"state\">{} {st}</span><span class=\"sev\">{} {sv}</span><span class=\"rule\">{rule} · {t}</span><span class=\"detail\">{detail}</span></button><button class=\"to-traces secondary\" data-seq=\"{0}\" data-traces=\"\">Traces then</button></li>",
                        e.seq,
                        if e.select.is_none() { " disabled" } else { "" },
                        state_style(e.to),
                        severity_icon(e.severity),
                    )
                })
                .collect::<String>()
        })
    });
    // An entry selects its target; its "Traces then" also runs the run back to the entry's
    // moment (the engine keeps the newest traces, so these are the requests from then), paused,
    // and shows the trace panel.
    let pick = move |ev: leptos::ev::MouseEvent| {
        let button = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("button").ok().flatten());
        let Some(button) = button else { return };
        let seq = button
            .get_attribute("data-seq")
            .and_then(|s| s.parse::<u64>().ok());
        let Some((sel, at_us)) = seq.and_then(|q| {
            lab.alert_feed
                .with_untracked(|f| f.iter().find(|e| e.seq == q).map(|e| (e.select, e.at_us)))
        }) else {
            return;
        };
        if sel.is_some() {
            lab.select(sel);
        }
        if button.has_attribute("data-traces") {
            lab.pause_at(at_us / 1_000);
            if let Some(p) = document().query_selector(".traces-panel").ok().flatten() {
                p.scroll_into_view();
            }
        }
    };
    view! {
        <p class="firing" role="status">
            {move || {
                let f = firing();
                if f.is_empty() { "No alert is firing.".to_string() } else { format!("Firing: {}", f.join("; ")) }
            }}
        </p>
        <div class="filters">
            <label class="field">
                <span>"Severity"</span>
                <select on:change=move |ev| severity.set(event_target_value(&ev))>
                    <option value="">"all"</option>
                    <option value="critical">"critical"</option>
                    <option value="warning">"warning"</option>
                    <option value="info">"info"</option>
                </select>
            </label>
            <label class="field">
                <span>"Source"</span>
                <select on:change=move |ev| source.set(event_target_value(&ev))>
                    <option value="">"all"</option>
                    {move || sources.get().into_iter().map(|s| view! { <option value=s.clone()>{s.clone()}</option> }).collect_view()}
                </select>
            </label>
        </div>
        <ol class="alert-feed" aria-label="Alerts, newest first" on:click=pick inner_html=move || shown.get()></ol>
        <Show when=move || lab.alert_feed.with(Vec::is_empty)>
            <p class="hint">"No alert has changed state yet."</p>
        </Show>
    }
}
