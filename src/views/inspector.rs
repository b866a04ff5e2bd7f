//! The inspector and the explain panel.
//!
//! Select an instance, a service or the gateway (in the topology, a card or the alert feed)
//! to see its details and act on it: crash, restart, hang, slow down (× k), an error rate,
//! a partition either way, drain, weight, recover; a service's load-balancing strategy and its
//! parameters. Every action is an entry on the scenario's timeline (see [`Lab::act`]), so a
//! share link replays it. The explain panel shows the engine's own words about the selection.
//!
//! [`Lab::act`]: crate::state::lab::Lab::act

use crate::state::lab::{use_lab, Lab};
use crate::views::facts::rows;
use crate::views::handoff::Handoff;
use crate::views::markup::{clicked_data, esc, num};
use crate::views::nodes::{breaker_style, status_style};
use crate::views::queues::{BrokerInspector, QueueInspector};
use ha_engine::action::ActionKind;
use ha_engine::balancer::Strategy;
use ha_engine::explain::Selection;
use ha_engine::present;
use ha_engine::present::Dec;
use ha_engine::scenario::draft::{Edit, Input};
use ha_engine::{Action, InstanceId, ServiceId};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Durations offered for faults, simulated ms (`None`: until recovered).
const DURATIONS: [(Option<u64>, &str); 4] = [
    (None, "until recovered"),
    (Some(10_000), "10 s"),
    (Some(30_000), "30 s"),
    (Some(60_000), "60 s"),
];

/// Clears the selection (on a phone: closes the inspector's sheet); focus goes back to what was
/// selected in the topology rather than to the page's start. Close and Escape (anywhere in the
/// page's panels, `views/app.rs`) call it.
pub fn close(lab: Lab) {
    if lab.selection.with_untracked(Option::is_none) {
        return;
    }
    if let Ok(Some(e)) = document()
        .query_selector(".topology-panel .selected, .topology-panel [aria-pressed=\"true\"]")
    {
        // An SVG node has `focus()` too (web-sys calls it by name on the object).
        let _ = e.unchecked_into::<web_sys::HtmlElement>().focus();
    }
    lab.select(None);
}

/// The inspector panel: what is selected, its details and actions.
#[component]
pub fn Inspector() -> impl IntoView {
    let lab = use_lab();
    let close = move || close(lab);
    view! {
        <div class="inspector-body">
        <Show when=move || lab.selection.with(Option::is_some)>
            <button class="inspector-close" on:click=move |_| close() title="Close the inspector (Escape)">
                "Close"
            </button>
        </Show>
        {move || match lab.selection.get() {
            None => view! {
                <p class="hint">
                    "Select the gateway, a service or an instance in the topology (click it, or Tab to it and press Enter) to inspect it, act on it and see it explained."
                </p>
            }.into_any(),
            Some(Selection::Instance(id)) => view! { <InstanceInspector id=id/> }.into_any(),
            Some(Selection::Service(s)) => view! { <ServiceInspector id=s/> }.into_any(),
            Some(Selection::Gateway) => view! { <GatewayInspector/> }.into_any(),
            Some(Selection::Queue(q)) => view! { <QueueInspector id=q/> }.into_any(),
            Some(Selection::Broker(b)) => view! { <BrokerInspector id=b/> }.into_any(),
        }}
        </div>
    }
}

/// A labelled number field bound to `value`.
#[component]
fn NumberField(
    label: &'static str,
    value: RwSignal<f64>,
    min: f64,
    max: f64,
    step: f64,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input
                type="number"
                min=num(min)
                max=num(max)
                step=num(step)
                prop:value=move || num(value.get())
                on:change=move |ev| {
                    // The browser's number (NaN when the field is not one): no float parser
                    // of our own in the wasm (Rust's, with its tables, is about 7 KB gzipped).
                    let v = event_target::<web_sys::HtmlInputElement>(&ev).value_as_number();
                    if v.is_finite() {
                        // Not `clamp`: with bounds that are not constants its assert message
                        // brings core's float formatting back into the page (decimal.rs).
                        value.set(v.max(min).min(max));
                    }
                }
            />
        </label>
    }
}

#[component]
fn InstanceInspector(id: InstanceId) -> impl IntoView {
    let lab = use_lab();
    let i = id.index();
    let Some((address, service_name)) = lab.view.with_untracked(|v| {
        v.instances.get(i).map(|x| {
            (
                x.address.clone(),
                v.services[x.service.index()].name.clone(),
            )
        })
    }) else {
        return view! { <p>"No such instance."</p> }.into_any();
    };
    let up = lab.instance_state(i, |x| x.up);
    let status = lab.instance_state(i, |x| Some(x.status));
    // Crash and Restart disable themselves: focus moves to the other (as on the cards).
    let handoff = Handoff::new(up);
    let duration: RwSignal<Option<u64>> = RwSignal::new(None);
    let factor = RwSignal::new(5.0);
    let error_pct = RwSignal::new(50.0);
    let weight = RwSignal::new(lab.view.with_untracked(|v| v.instances[i].weight as f64));
    let durations: String = DURATIONS
        .iter()
        .enumerate()
        .map(|(k, (_, label))| format!(r#"<option value="{k}">{label}</option>"#))
        .collect();
    let run = move |kind: ActionKind, timed: bool| {
        let duration_ms = if timed {
            duration.get_untracked()
        } else {
            None
        };
        lab.act(Action {
            kind,
            target: id.into(),
            duration_ms,
        });
    };
    view! {
        <div class="inspector" aria-label=format!("Inspector: instance {address}")>
            <h3>
                <span class="glyph" aria-hidden="true">{move || status().map_or("", |s| status_style(s).0)}</span>
                " " {address.clone()}
            </h3>
            <dl class="facts" inner_html=move || lab.instance_signal(i).with(|x| x.as_ref().map_or(String::new(), |x| rows(vec![
                    ("state", present::status(x.status).to_string()),
                    ("service", format!("{service_name} ({})", present::role(x.role))),
                    ("in flight", format!("{} busy of {} slots + {} queued", x.busy, x.concurrency, x.queued)),
                    ("rate", format!("{:.1} req/s, {:.1} % errors", Dec(x.rps), Dec(x.error_rate * 100.0))),
                    ("latency", if x.latency_samples == 0 { "no responses in the window".into() } else { format!("p50 {:.0} · p95 {:.0} · p99 {:.0} ms", Dec(x.p50_ms), Dec(x.p95_ms), Dec(x.p99_ms)) }),
                    ("health", format!("{} · {} failed check(s) in a row", if x.healthy { "healthy" } else { "unhealthy" }, x.health_failures)),
                    ("breaker", x.breaker.map_or("none configured".into(), |b| breaker_style(b).1.to_string())),
                    ("weight", x.weight.to_string()),
                    ("faults", if x.faults.is_empty() { "none".into() } else { x.faults.iter().map(present::fault).collect::<Vec<_>>().join("; ") }),
                ])))></dl>
            // One click handler for the buttons marked data-act (a closure each cost wasm).
            <fieldset class="actions-grid" on:click=move |ev: leptos::ev::MouseEvent| {
                let act = clicked_data(&ev, "act");
                let (kind, timed) = match act.as_deref() {
                    Some("hang") => (ActionKind::Hang, true),
                    Some("slow") => (ActionKind::Slow { factor: factor.get_untracked() }, true),
                    Some("error") => (ActionKind::ErrorRate { rate: error_pct.get_untracked() / 100.0 }, true),
                    Some("part-hb") => (ActionKind::PartitionHeartbeats, true),
                    Some("part-serve") => (ActionKind::PartitionServing, true),
                    Some("drain") => (ActionKind::Drain, true),
                    Some("weight") => (ActionKind::SetWeight { weight: weight.get_untracked() as u32 }, false),
                    Some("recover") => (ActionKind::Recover, false),
                    _ => return,
                };
                run(kind, timed);
            }>
                <legend>"Act on it"</legend>
                <label class="field">
                    <span>"Fault duration"</span>
                    <select
                        on:change=move |ev| {
                            let k = event_target_value(&ev).parse::<usize>().unwrap_or(0);
                            duration.set(DURATIONS.get(k).and_then(|d| d.0));
                        }
                        inner_html=durations
                    >
                    </select>
                </label>
                <button
                    class="danger"
                    node_ref=handoff.crash
                    disabled=move || !up()
                    title="With a duration the machine stays down that long (restarts fail), then it starts again"
                    on:click=move |_| {
                        handoff.crashed();
                        match duration.get_untracked() {
                            None => lab.act(Action::on(ActionKind::Crash, id)),
                            Some(_) => run(ActionKind::Crash, true),
                        }
                    }
                >
                    "Crash"
                </button>
                <button
                    node_ref=handoff.restart
                    disabled=up
                    on:click=move |_| {
                        handoff.restarted();
                        lab.act(Action::on(ActionKind::Restart, id));
                    }
                >
                    "Restart"
                </button>
                <button data-act="hang">"Hang"</button>
                <div class="with-input">
                    <NumberField label="Slow-down factor k" value=factor min=1.0 max=1000.0 step=1.0/>
                    <button data-act="slow">{move || format!("Slow down ×{}", Dec(factor.get()))}</button>
                </div>
                <div class="with-input">
                    <NumberField label="Error rate, %" value=error_pct min=0.0 max=100.0 step=5.0/>
                    <button data-act="error">"Set error rate"</button>
                </div>
                <button data-act="part-hb" title="Heartbeats stop reaching the registry; it keeps serving">"Partition from registry"</button>
                <button data-act="part-serve" title="Callers cannot reach it; heartbeats still arrive">"Partition from callers"</button>
                <button data-act="drain" title="No new requests; in-flight ones finish">"Drain"</button>
                <div class="with-input">
                    <NumberField label="Weight" value=weight min=0.0 max=1000.0 step=1.0/>
                    <button data-act="weight">"Set weight"</button>
                </div>
                <button class="primary" data-act="recover" title="End every fault on it and restart it if it is down">"Recover"</button>
            </fieldset>
        </div>
    }
    .into_any()
}

#[component]
fn ServiceInspector(id: ServiceId) -> impl IntoView {
    let lab = use_lab();
    let s = id.index();
    let Some((name, kind, others)) = lab.view.with_untracked(|v| {
        v.services.get(s).map(|x| {
            // Add an instance, or a call to a service it does not call yet and that does not
            // call it (that would be a cycle): one button each, served by one click handler.
            let others: String = v
                .services
                .iter()
                .enumerate()
                .filter(|(j, _)| {
                    *j != s && !x.depends_on.iter().any(|d| d.index() == *j) && !v.calls(*j, s)
                })
                .fold(
                    r#"<button data-edit="add">Add an instance</button>"#.to_string(),
                    |html, (j, o)| {
                        let o = esc(&o.name);
                        html + &format!(
                            r#"<button data-edit="{j}" aria-label="Add a dependency: calls {o}">Calls {o}</button>"#
                        )
                    },
                );
            (x.name.clone(), x.strategy, others)
        })
    }) else {
        return view! { <p>"No such service."</p> }.into_any();
    };
    let choice = RwSignal::new(kind);
    let strategies: String = Strategy::ALL
        .iter()
        .map(|st| {
            format!(
                r#"<option value="{}"{}>{}</option>"#,
                st.key(),
                if *st == kind { " selected" } else { "" },
                st.label()
            )
        })
        .collect();
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    // The builder's edits, straight from the topology: the same checks, the same undo.
    let change = move |ev: leptos::ev::MouseEvent| {
        let edit = match clicked_data(&ev, "edit").as_deref() {
            Some("add") => Edit::AddInstance(s),
            Some(j) => Edit::Set(format!("s{s}.calls.{j}"), Input::Flag(true)),
            None => return,
        };
        problem.set(lab.apply_edit(&edit, Selection::Service(id)).err());
    };
    let apply = move |_| {
        lab.act(Action::on(
            ActionKind::SetStrategy {
                strategy: choice.get_untracked(),
            },
            id,
        ))
    };
    view! {
        <div class="inspector" aria-label=format!("Inspector: service {name}")>
            <h3>{name.clone()}</h3>
            <dl class="facts" inner_html=move || lab.view.with(|v| {
                    let x = &v.services[s];
                    let names = |ids: &[ServiceId]| ids.iter().map(|d| v.services[d.index()].name.as_str()).collect::<Vec<_>>();
                    let calls = names(&x.depends_on);
                    let mut called_by = names(&x.called_by);
                    if x.client_share > 0.0 { called_by.insert(0, "clients (gateway)"); }
                    rows(vec![
                        ("strategy", x.strategy.label().to_string()),
                        ("in rotation", format!("{} of {} instances{}", x.candidates.len(), x.instances.len(), if x.panic { " · panic mode" } else { "" })),
                        ("requests", format!("{:.1}/s, {:.1} % failed, p99 {}", Dec(x.rps), Dec(x.error_rate * 100.0), x.p99_ms.map_or("—".into(), |p| format!("{p:.0} ms", p = Dec(p))))),
                        ("calls", if calls.is_empty() { "no other service".to_string() } else { calls.join(", ") }),
                        ("called by", called_by.join(", ")),
                        ("discovery cache", format!("{:.1} s old", Dec(x.cache_age_ms as f64 / 1e3))),
                    ])
                })></dl>
            <fieldset class="actions-grid">
                <legend>"Load balancing"</legend>
                <label class="field wide">
                    <span>"Load-balancing strategy"</span>
                    <select
                        on:change=move |ev| {
                            if let Some(st) = Strategy::from_key(&event_target_value(&ev)) {
                                choice.set(st);
                            }
                        }
                        inner_html=strategies
                    ></select>
                </label>
                <button class="primary" on:click=apply>"Apply strategy now"</button>
                <p class="small muted wide">"Its parameters (virtual nodes, load factor, EWMA decay) are in Build."</p>
            </fieldset>
            // Changes to the cluster itself run it again from 0 s (Build has every field).
            <fieldset class="actions-grid">
                <legend>"Change the cluster (runs again from 0 s)"</legend>
                <div class="row" on:click=change inner_html=others></div>
                <p class="err wide" role="alert">{move || problem.get()}</p>
            </fieldset>
        </div>
    }
    .into_any()
}

#[component]
fn GatewayInspector() -> impl IntoView {
    let lab = use_lab();
    let t = move || lab.view.with(|v| v.totals);
    view! {
        <div class="inspector" aria-label="Inspector: gateway">
            <h3>"Gateway"</h3>
            <dl class="facts">
                <div><dt>"rate limit"</dt><dd>{move || lab.scenario.with(|s| s.cluster.gateway.rate_limit.as_ref().map_or("none".into(), present::rate_limit))}</dd></div>
                <div><dt>"offered"</dt><dd>{move || lab.view.with(|v| format!("{:.0} req/s", Dec(v.traffic_rps)))}</dd></div>
                <div><dt>"rejected (429)"</dt><dd>{move || format!("{} of {}", t().rejected, t().arrived)}</dd></div>
            </dl>
        </div>
    }
}

/// The explain panel: the engine's plain-language account of the selection.
#[component]
pub fn Explain() -> impl IntoView {
    let lab: Lab = use_lab();
    view! {
        // The engine's words, escaped, as one string.
        <div inner_html=move || lab.explanation.with(|e| match e {
            None => r#"<p class="hint">Nothing selected.</p>"#.to_string(),
            Some(e) => format!(
                r#"<div class="explain"><p class="explain-title"><strong>{}</strong></p><p class="explain-summary">{}</p><ul>{}</ul><p class="source">Source: {}</p></div>"#,
                esc(&e.title),
                esc(&e.summary),
                e.details.iter().map(|d| format!("<li>{}</li>", esc(d))).collect::<String>(),
                esc(&e.source)
            ),
        })></div>
    }
}
