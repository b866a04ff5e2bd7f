//! The topology on a phone: the same facts as the diagram ([`crate::views::topology`]) as a
//! vertical flow that reads at 390 px: clients → gateway → load balancer, then each service
//! with its instances as buttons of at least 44 × 44 px. A tap selects, and the inspector
//! opens as a sheet over the bottom of the screen.
//!
//! Instance state is shown by a glyph, a colour and a word, as in the diagram; the numbers are
//! beside each button's name, not in it, as in the diagram (WCAG 2.5.3 label in name).

use crate::platform::progressive::{use_progressive, Indices, Keyed};
use crate::state::lab::{service_id, use_lab};
use crate::views::nodes::{breaker_style, service_shape, status_style};
use ha_engine::explain::Selection;
use ha_engine::present::Dec;
use ha_engine::view::InstanceStatus;
use ha_engine::InstanceId;
use leptos::prelude::*;
use std::sync::Arc;

/// Instances listed with the flow; the rest follow a batch per animation frame.
const CHIPS_AT_ONCE: usize = 16;

/// Instances listed per animation frame after the first [`CHIPS_AT_ONCE`].
const CHIPS_PER_FRAME: usize = 16;

/// The vertical flow.
#[component]
pub fn Flow() -> impl IntoView {
    let lab = use_lab();
    let services = service_shape(lab);
    let count = Memo::new(move |_| services.with(|s| s.iter().map(Vec::len).sum::<usize>()));
    let mounted = use_progressive(count, CHIPS_AT_ONCE, CHIPS_PER_FRAME);
    let total_rps = move || lab.view.with(|v| v.traffic_rps);
    let rejected = move || lab.view.with(|v| v.totals.rejected);
    let rate_limit = lab.with_config(|c| {
        c.gateway
            .rate_limit
            .as_ref()
            .map(ha_engine::present::rate_limit)
    });
    let listed = move || {
        lab.view
            .with(|v| v.instances.iter().filter(|i| i.registered).count())
    };
    let gw = Selection::Gateway;
    let selected = move |sel: Selection| lab.selection.with(|s| *s == Some(sel));
    view! {
        <ol class="flow-list" aria-label="Topology, from clients to instances">
            <li class="flow-step">
                <span class="flow-name">"Clients"</span>
                <span class="flow-info">{move || format!("{:.0} req/s", Dec(total_rps()))}</span>
            </li>
            <li class="flow-step">
                <button
                    class="flow-node"
                    aria-pressed=move || selected(gw).to_string()
                    on:click=move |_| lab.select(Some(gw))
                >
                    "Gateway and rate limiter"
                </button>
                <span class="flow-info">
                    {rate_limit.unwrap_or_else(|| "no rate limit".into())}
                    {move || format!(" · ⊘ {} rejected (429)", rejected())}
                </span>
            </li>
            <li class="flow-step">
                <span class="flow-name">"Load balancer"</span>
                <span class="flow-info">{move || format!("watches the registry · {} listed", listed())}</span>
            </li>
            {move || {
                services
                    .get()
                    .into_iter()
                    .enumerate()
                    .map(|(s, members)| view! { <FlowService s=s members=members mounted=mounted/> })
                    .collect_view()
            }}
        </ol>
    }
}

/// Service `s` and its instances (those of them with an index below `mounted`).
#[component]
fn FlowService(s: usize, members: Vec<usize>, mounted: ReadSignal<usize>) -> impl IntoView {
    let lab = use_lab();
    let name = lab.view.with_untracked(|v| v.services[s].name.clone());
    let n = members.len();
    let strategy = lab.service(s, |x| x.strategy.label().to_string());
    let rps = lab.service(s, |x| x.rps);
    let routed = lab.service(s, |x| x.candidates.len());
    let panic = lab.service(s, |x| x.panic);
    let calls = lab.view.with_untracked(|v| {
        v.services[s]
            .depends_on
            .iter()
            .map(|d| v.services[d.index()].name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    });
    // Messaging in words: the queues it publishes to and consumes from. The configuration
    // is the scenario's, which a load replaces before its run's first frame replaces the
    // view: a flow laid out in between (a phone turned, a window narrowed) has services the
    // configuration may not have.
    let messages = lab.with_config(|c| {
        let mut w = String::new();
        let Some(svc) = c.services.get(s) else {
            return w;
        };
        for p in &svc.publishes {
            w += &format!(" · publishes to {}", p.queue);
        }
        for q in c.messaging.iter().flat_map(|m| &m.queues) {
            if q.consumers.contains(&svc.name) {
                w += &format!(" · consumes {}", q.name);
            }
        }
        w
    });
    let sel = Selection::Service(service_id(s));
    let selected = move || lab.selection.with(|x| *x == Some(sel));
    let shown: Indices = Arc::new(move || {
        let m = mounted.get();
        members
            .iter()
            .copied()
            .filter(|&i| i < m)
            .collect::<Vec<_>>()
    });
    view! {
        <li class="flow-step flow-service">
            <button class="flow-node" aria-pressed=move || selected().to_string() on:click=move |_| lab.select(Some(sel))>
                "Service " {name}
            </button>
            <span class="flow-info">
                {strategy} {move || format!(" · {:.0} req/s · {}/{} routed{}", Dec(rps()), routed(), n, if panic() { " · PANIC" } else { "" })}
                {(!calls.is_empty()).then(|| format!(" · calls {calls}"))}
                {messages}
            </span>
            <ul class="chips">
                <Keyed each=shown item=Arc::new(|i| view! { <Chip i=i/> }.into_any())/>
            </ul>
        </li>
    }
}

/// Instance `i` as a button of at least 44 × 44 px: glyph, address and state word; its load
/// beside it.
#[component]
fn Chip(i: usize) -> impl IntoView {
    let lab = use_lab();
    let address = lab.view.with_untracked(|v| v.instances[i].address.clone());
    let aria_address = address.clone();
    let state = lab.instance_state(i, |x| Some((x.status, x.breaker)));
    let status = move || state().map_or(InstanceStatus::Down, |s| s.0);
    let load = lab.instance(i, |x| {
        format!("{} in flight · {:.0} req/s", x.busy + x.queued, Dec(x.rps))
    });
    let sel = Selection::Instance(InstanceId::from(i));
    let selected = move || lab.selection.with(|x| *x == Some(sel));
    view! {
        <li class=move || format!("chip {}", status_style(status()).1)>
            <span class="glyph" aria-hidden="true">{move || status_style(status()).0}</span>
            // The name is the diagram's ("Instance a: state, breaker"); the button shows the
            // address, which the name holds (WCAG 2.5.3); the state is beside it.
            <button
                class="flow-node instance-chip"
                data-address=address.clone()
                aria-label=move || format!(
                    "Instance {aria_address}: {}{}",
                    ha_engine::present::status(status()),
                    state().and_then(|s| s.1).map_or(String::new(), |b| format!(", {}", breaker_style(b).1))
                )
                aria-pressed=move || selected().to_string()
                on:click=move |_| lab.select(Some(sel))
            >
                {address.clone()}
            </button>
            <span class="chip-info" aria-hidden="true">
                <span class="chip-status">{move || ha_engine::present::status(status())}</span>
                " · "
                {move || state().and_then(|s| s.1).map(|b| format!("{} ", breaker_style(b).0))}
                {load}
            </span>
        </li>
    }
}
