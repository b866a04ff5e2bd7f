//! The queues panel: each queue (or topic subscription) with its depth against its capacity,
//! the consumer lag, where its messages went, a depth chart, and actions on its broker and on
//! the queue (issue 22). The numbers are the engine's (`MessagingView`); the words for states
//! come from `ha_engine::present`.

use crate::state::lab::use_lab;
use crate::views::projection::{nice_ceiling, Projection};
use ha_engine::common::{QueueId, ServiceId, SubscriptionId};
use ha_engine::messaging::QueueKind;
use ha_engine::present;
use ha_engine::sim::messaging::SubscriptionView;
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

/// Subscription `index`'s card.
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
    let get = move |f: fn(&SubscriptionView) -> String| {
        move || sub.with(|s| s.as_ref().map(f).unwrap_or_default())
    };
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
    let act = move |kind: ActionKind| lab.act(Action::on(kind, ActionTarget::Queue(queue)));
    let paused = move || sub.with(|s| s.as_ref().is_some_and(|s| s.paused));
    let fill = move || {
        sub.with(|s| {
            s.as_ref().map_or(0.0, |s| {
                (s.depth as f64 / s.capacity.max(1) as f64 * 100.0).min(100.0)
            })
        })
    };
    let chart = move || {
        sub.with(|s| {
            let Some(s) = s else {
                return (String::new(), String::new(), "0".to_string());
            };
            let pts = &s.series;
            let x0 = pts.first().map_or(0.0, |p| p.t_ms as f64);
            let x1 = pts.last().map_or(1.0, |p| p.t_ms as f64).max(x0 + 1.0);
            let max = nice_ceiling(pts.iter().map(|p| p.depth as f64).fold(0.0, f64::max), 10.0);
            let p = Projection {
                x0,
                x1,
                y0: 0.0,
                y1: max,
                left: 34.0,
                right: W - 4.0,
                top: 6.0,
                bottom: H - 14.0,
            };
            let xy = pts.iter().map(|q| (q.t_ms as f64, q.depth as f64));
            (p.line(xy.clone()), p.area(xy), format!("{max:.0}"))
        })
    };
    let label = format!("Depth of {name} over the last two minutes, messages");
    let kind_word = match kind {
        QueueKind::Queue => "queue",
        QueueKind::Topic => "topic subscription",
    };
    view! {
        <article class="queue-card" aria-label=format!("Queue {name}") data-depth=get(|s| s.depth.to_string())>
            <header>
                <h3>{name.clone()}</h3>
                <span class="badge">{kind_word} " → " {consumer}</span>
                <Show when=paused><span class="badge paused">"consumers paused"</span></Show>
            </header>
            <div class="depth" role="meter" aria-label=format!("{name} depth") aria-valuemin="0"
                aria-valuemax=get(|s| s.capacity.to_string()) aria-valuenow=get(|s| s.depth.to_string())>
                <div class="depth-fill" style=move || format!("width: {:.1}%", fill())></div>
            </div>
            <dl class="stats queue-stats">
                <div><dt>"waiting"</dt><dd>{get(|s| format!("{} of {}", s.depth, s.capacity))}</dd></div>
                <div><dt>"consumer lag"</dt><dd>{get(|s| format!("{:.1} s", s.lag_ms as f64 / 1e3))}</dd></div>
                <div><dt>"in delivery"</dt><dd>{get(|s| s.in_delivery.to_string())}</dd></div>
                <div><dt>"published"</dt><dd>{get(|s| s.counts.published.to_string())}</dd></div>
                <div><dt>"acknowledged"</dt><dd>{get(|s| s.counts.acked.to_string())}</dd></div>
                <div><dt>"redelivered"</dt><dd>{get(|s| s.counts.redelivered.to_string())}</dd></div>
                <div><dt>"duplicates"</dt><dd>{get(|s| s.counts.duplicates.to_string())}</dd></div>
                <div><dt>"dead-lettered"</dt><dd>{get(|s| s.counts.dead_lettered.to_string())}</dd></div>
                <div><dt>"dropped"</dt><dd>{get(|s| s.counts.dropped.to_string())}</dd></div>
            </dl>
            <figure class="chart">
                <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label>
                    <line class="grid" x1="34" x2=W - 4.0 y1=H - 14.0 y2=H - 14.0/>
                    <text class="tick" x="30" y="12" text-anchor="end">{move || chart().2}</text>
                    <text class="tick" x="30" y=H - 14.0 text-anchor="end">"0"</text>
                    <text class="band-label" x="38" y="14">"waiting messages"</text>
                    <path class="queue-area" d=move || chart().1/>
                    <path class="queue-line" d=move || chart().0/>
                </svg>
            </figure>
            <div class="actions">
                <Show
                    when=paused
                    fallback=move || view! { <button on:click=move |_| act(ActionKind::PauseConsumers)>"Pause consumers"</button> }
                >
                    <button on:click=move |_| act(ActionKind::Recover)>"Resume consumers"</button>
                </Show>
                <button class="danger" on:click=move |_| act(ActionKind::Purge)>"Purge"</button>
            </div>
        </article>
    }
}
