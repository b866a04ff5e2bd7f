//! The alert feed: pending, firing and resolved transitions, newest first, with simulated
//! timestamps and severity; filters by severity and by source; an entry selects its instance
//! (or service) in the inspector.

use crate::state::lab::use_lab;
use crate::views::feed::severity_icon;
use ha_engine::alerts::AlertState;
use ha_engine::present;
use ha_engine::SimTime;
use leptos::prelude::*;

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
            let mut v: Vec<String> = f
                .iter()
                .flat_map(|e| {
                    let mut s = vec![e.target.clone()];
                    if let Some(svc) = &e.service_name {
                        if svc != &e.target {
                            s.push(svc.clone());
                        }
                    }
                    s
                })
                .collect();
            v.sort_unstable();
            v.dedup();
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
                        lab.with_sim(|s| present::target(a.target, s))
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let shown = move || {
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
                .cloned()
                .collect::<Vec<_>>()
        })
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
        <ol class="alert-feed" aria-label="Alerts, newest first">
            <For each=shown key=|e| e.seq let:e>
                {
                    let sel = e.select;
                    let label = format!(
                        "{} {} {} on {}: {}",
                        SimTime(e.at_us),
                        e.to.label(),
                        e.rule,
                        e.target,
                        e.detail
                    );
                    view! {
                        <li class=format!("alert sev-{} st-{}", e.severity.label(), e.to.label()) data-severity=e.severity.label() data-state=e.to.label() data-target=e.target.clone()>
                            <button class="alert-entry" aria-label=label disabled=sel.is_none() on:click=move |_| lab.select(sel)>
                                <time>{SimTime(e.at_us).to_string()}</time>
                                <span class="state">{state_style(e.to)}" "{e.to.label()}</span>
                                <span class="sev">{severity_icon(e.severity)}" "{e.severity.label()}</span>
                                <span class="rule">{e.rule.clone()}" · "{e.target.clone()}</span>
                                <span class="detail">{e.detail.clone()}</span>
                            </button>
                        </li>
                    }
                }
            </For>
        </ol>
        <Show when=move || lab.alert_feed.with(Vec::is_empty)>
            <p class="hint">"No alert has changed state yet."</p>
        </Show>
    }
}
