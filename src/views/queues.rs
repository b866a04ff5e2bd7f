//! The queues panel: each queue (or topic subscription) with its depth against its capacity,
//! the consumer lag, where its messages went, a depth chart, and actions on its broker and on
//! the queue (issue 22). The numbers are the engine's (`MessagingView`); the words for states
//! come from `ha_engine::present`.

use crate::state::lab::use_lab;
use crate::views::projection::{nice_ceiling, Projection};
use ha_engine::common::{QueueId, ServiceId, SubscriptionId};
use ha_engine::explain::Selection;
use ha_engine::messaging::QueueKind;
use ha_engine::present;
use ha_engine::{Action, ActionKind, ActionTarget};
use leptos::prelude::*;

/// Chart size, SVG units.
const W: f64 = 300.0;
const H: f64 = 70.0;

/// One card per subscription, and the brokers' states and actions.
#[component]
pub fn Queues() -> impl IntoView {
    let lab = use_lab();
    let count = Memo::new(move |_| {
        lab.view
            .with(|v| v.messaging.as_ref().map_or(0, |m| m.subscriptions.len()))
    });
    let brokers = Memo::new(move |_| {
        lab.view.with(|v| {
            v.messaging
                .as_ref()
                .map(|m| {
                    m.brokers
                        .iter()
                        .map(|b| (b.id, b.faults))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <ul class="brokers" aria-label="Brokers">
            {move || brokers.get().into_iter().map(|(id, faults)| {
                let name = lab.with_sim(|s| present::Names::broker(s, id).to_string());
                let act = move |kind: ActionKind| lab.act(Action::on(kind, ActionTarget::Broker(id)));
                let ok = !faults.down && !faults.unreachable;
                view! {
                    <li class=if ok { "broker up" } else { "broker down" }>
                        <span class="glyph" aria-hidden="true">{if ok { "●" } else { "✕" }}</span>
                        "Broker " <strong>{name.clone()}</strong>
                        " · " {present::broker_state(faults)}
                        <span class="broker-actions">
                            <button class="danger" disabled=!ok aria-label=format!("Crash {name}") on:click=move |_| act(ActionKind::Crash)>"Crash"</button>
                            <button disabled=!ok aria-label=format!("Hang {name}") on:click=move |_| act(ActionKind::Hang)>"Hang"</button>
                            <button disabled=ok aria-label=format!("Recover {name}") on:click=move |_| act(ActionKind::Recover)>"Recover"</button>
                        </span>
                    </li>
                }
            }).collect_view()}
        </ul>
        <div class="queue-cards">
            {move || (0..count.get()).map(|s| view! { <QueueCard index=s/> }).collect_view()}
        </div>
    }
}

/// Subscription `index`'s card. Its numbers are drawn by one binding (few closures: each is
/// code in the wasm), redrawn with the view.
#[component]
fn QueueCard(index: usize) -> impl IntoView {
    let lab = use_lab();
    let sub = Memo::new(move |_| {
        lab.view.with(|v| {
            v.messaging
                .as_ref()
                .and_then(|m| m.subscriptions.get(index).cloned())
        })
    });
    let (name, queue, kind, consumer) = lab.with_sim(|s| {
        let id = SubscriptionId::from(index);
        let (q, kind, svc) = present::Names::subscription(s, id).unwrap_or((
            QueueId(0),
            QueueKind::Queue,
            ServiceId(0),
        ));
        (
            present::subscription(id, s),
            q,
            kind,
            present::Names::service(s, svc).to_string(),
        )
    });
    let kind_word = match kind {
        QueueKind::Queue => "queue",
        QueueKind::Topic => "topic subscription",
    };
    let label = format!("Depth of {name} over the last two minutes, messages");
    let meter = format!("{name} depth");
    let body = move || {
        sub.with(|s| {
            let s = s.as_ref()?;
            let c = &s.counts;
            let pts = &s.series;
            let x0 = pts.first().map_or(0.0, |p| p.t_ms as f64);
            let x1 = pts.last().map_or(1.0, |p| p.t_ms as f64).max(x0 + 1.0);
            let max = nice_ceiling(pts.iter().map(|p| p.depth as f64).fold(0.0, f64::max), 10.0);
            let p = Projection { x0, x1, y0: 0.0, y1: max, left: 34.0, right: W - 4.0, top: 6.0, bottom: H - 14.0 };
            let xy = pts.iter().map(|q| (q.t_ms as f64, q.depth as f64));
            let fill = (s.depth as f64 / s.capacity.max(1) as f64 * 100.0).min(100.0);
            let stats = [
                ("waiting", format!("{} of {}", s.depth, s.capacity)),
                ("consumer lag", format!("{:.1} s", s.lag_ms as f64 / 1e3)),
                ("in delivery", s.in_delivery.to_string()),
                ("published", c.published.to_string()),
                ("acknowledged", c.acked.to_string()),
                ("redelivered", c.redelivered.to_string()),
                ("duplicates", c.duplicates.to_string()),
                ("dead-lettered", c.dead_lettered.to_string()),
                ("dropped", c.dropped.to_string()),
            ];
            Some(view! {
                <div class="depth" role="meter" aria-label=meter.clone() aria-valuemin="0"
                    aria-valuemax=s.capacity.to_string() aria-valuenow=s.depth.to_string()>
                    <div class="depth-fill" style=format!("width: {fill:.1}%")></div>
                </div>
                <dl class="stats queue-stats">
                    {stats.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
                </dl>
                <figure class="chart">
                    <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label.clone()>
                        <line class="grid" x1="34" x2=W - 4.0 y1=H - 14.0 y2=H - 14.0/>
                        <text class="tick" x="30" y="12" text-anchor="end">{format!("{max:.0}")}</text>
                        <text class="tick" x="30" y=H - 14.0 text-anchor="end">"0"</text>
                        <text class="band-label" x="38" y="14">"waiting messages"</text>
                        <path class="queue-area" d=p.area(xy.clone())/>
                        <path class="queue-line" d=p.line(xy)/>
                    </svg>
                </figure>
            })
        })
    };
    let act = move |kind: ActionKind| lab.act(Action::on(kind, ActionTarget::Queue(queue)));
    let paused = move || sub.with(|s| s.as_ref().is_some_and(|s| s.paused));
    view! {
        <article class="queue-card" aria-label=format!("Queue {name}") data-depth=move || sub.with(|s| s.as_ref().map_or(0, |s| s.depth)).to_string()>
            <header>
                <h3>{name.clone()}</h3>
                <span class="badge">{kind_word} " → " {consumer}</span>
                <span class="badge paused" hidden=move || !paused()>"consumers paused"</span>
            </header>
            {body}
            <div class="actions">
                <button on:click=move |_| act(if paused() { ActionKind::Recover } else { ActionKind::PauseConsumers })>
                    {move || if paused() { "Resume consumers" } else { "Pause consumers" }}
                </button>
                <button class="danger" on:click=move |_| act(ActionKind::Purge)>"Purge"</button>
                <button on:click=move |_| lab.select(Some(Selection::Queue(SubscriptionId::from(index))))>"Explain"</button>
            </div>
        </article>
    }
}
