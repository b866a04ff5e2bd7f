//! Messaging on the page (issue 22): the queues panel, with each queue (or topic
//! subscription) as a card holding its depth against its capacity, where its messages went and
//! its charts (depth, consumer lag, publish and acknowledge rates); and the inspector for a
//! selected queue (pause or resume its consumers, purge it) or broker (crash, hang, cut off,
//! recover). The numbers are the engine's (`MessagingView`); the words for states come from
//! `ha_engine::present`.

use crate::state::lab::use_lab;
use crate::views::facts::rows;
use crate::views::markup::{clicked_data, esc};
use crate::views::nodes::broker_style;
use crate::views::projection::{nice_ceiling, Projection};
use ha_engine::common::{BrokerId, SubscriptionId};
use ha_engine::explain::Selection;
use ha_engine::messaging::QueueKind;
use ha_engine::present::Dec;
use ha_engine::present::{self, Names};
use ha_engine::sim::messaging::{QueuePoint, SubscriptionView};
use ha_engine::{Action, ActionKind, ActionTarget};
use leptos::prelude::*;

/// Chart width, SVG units.
const W: f64 = 300.0;
/// Height of one chart band, SVG units.
const BAND: f64 = 52.0;
/// Left edge of the plots (room for the tick labels).
const LEFT: f64 = 34.0;

/// The brokers (each a button that selects it) and one card per subscription.
#[component]
pub fn Queues() -> impl IntoView {
    let lab = use_lab();
    let count = Memo::new(move |_| {
        lab.view
            .with(|v| v.messaging.as_ref().map_or(0, |m| m.subscriptions.len()))
    });
    // A closure, not a memo: a new memo type is code in the wasm, and this list is short.
    let brokers = move || {
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
    };
    view! {
        // One string of rows (names escaped) and one click handler (`data-broker`).
        <ul
            class="brokers"
            aria-label="Brokers"
            on:click=move |ev: leptos::ev::MouseEvent| {
                let b = clicked_data(&ev, "broker").and_then(|b| b.parse::<usize>().ok());
                if let Some(b) = b {
                    lab.select(Some(Selection::Broker(BrokerId::from(b))));
                }
            }
            inner_html=move || {
                brokers()
                    .into_iter()
                    .map(|(id, faults)| {
                        let name = lab.with_config(|c| esc(c.broker(id)));
                        let (glyph, class) = broker_style(faults);
                        format!(
                            r#"<li class="broker {class}"><span class="glyph" aria-hidden="true">{glyph}</span><button class="link" data-broker="{}">Broker {name}</button>{}</li>"#,
                            id.index(),
                            present::broker_state(faults)
                        )
                    })
                    .collect::<String>()
            }
        ></ul>
        <div class="queue-cards">
            {move || (0..count.get()).map(|s| view! { <QueueCard index=s/> }).collect_view()}
        </div>
    }
}

/// A subscription's numbers as (label, value) pairs, for its card and the inspector.
fn facts(s: &SubscriptionView) -> Vec<(&'static str, String)> {
    let c = &s.counts;
    vec![
        ("waiting", format!("{} of {}", s.depth, s.capacity)),
        (
            "consumer lag",
            format!("{:.1} s", Dec(s.lag_ms as f64 / 1e3)),
        ),
        ("in delivery", s.in_delivery.to_string()),
        ("published", c.published.to_string()),
        ("acknowledged", c.acked.to_string()),
        ("redelivered", c.redelivered.to_string()),
        ("duplicates", c.duplicates.to_string()),
        ("dead-lettered", c.dead_lettered.to_string()),
        ("dropped", c.dropped.to_string()),
    ]
}

/// Subscription `index`'s view, read from the cluster's (a reactive read: what uses it redraws
/// with the view). Not a memo: each memo type is code in the wasm.
#[derive(Clone, Copy)]
struct Sub {
    lab: crate::state::lab::Lab,
    index: usize,
}

impl Sub {
    fn with<R>(self, f: impl FnOnce(Option<&SubscriptionView>) -> R) -> R {
        self.lab.view.with(|v| {
            f(v.messaging
                .as_ref()
                .and_then(|m| m.subscriptions.get(self.index)))
        })
    }

    /// The simulated time of its newest per-second point, ms: what its chart changes with.
    fn newest_ms(self) -> u64 {
        self.with(|s| s.and_then(|s| s.series.last()).map_or(0, |p| p.t_ms))
    }
}

fn subscription(index: usize) -> Sub {
    Sub {
        lab: use_lab(),
        index,
    }
}

/// Subscription `index`'s name in words, its kind in words and its consumer's name.
fn names(index: usize) -> (String, &'static str, String) {
    use_lab().with_config(|s| {
        let id = SubscriptionId::from(index);
        let (kind, consumer) = s
            .subscription(id)
            .map_or((QueueKind::Queue, String::new()), |(_, k, c)| {
                (k, s.service(c).to_string())
            });
        let kind = match kind {
            QueueKind::Queue => "queue",
            QueueKind::Topic => "topic subscription",
        };
        (present::subscription(id, s), kind, consumer)
    })
}

/// Three bands over the last two minutes, as SVG markup: waiting messages, consumer lag (s), and
/// messages published and acknowledged per second.
fn charts(s: &SubscriptionView) -> String {
    let pts = &s.series;
    let x0 = pts.first().map_or(0.0, |p| p.t_ms as f64);
    let x1 = pts.last().map_or(1.0, |p| p.t_ms as f64).max(x0 + 1.0);
    let band = |k: f64, max: f64| Projection {
        x0,
        x1,
        y0: 0.0,
        y1: max,
        left: LEFT,
        right: W - 4.0,
        top: k * BAND + 6.0,
        bottom: (k + 1.0) * BAND - 10.0,
    };
    let series = |f: fn(&QueuePoint) -> f64| pts.iter().map(move |p| (p.t_ms as f64, f(p)));
    let depth_max = nice_ceiling(pts.iter().map(|p| p.depth as f64).fold(0.0, f64::max), 10.0);
    let lag_max = nice_ceiling(
        pts.iter()
            .map(|p| p.lag_ms as f64 / 1e3)
            .fold(0.0, f64::max),
        1.0,
    );
    let rate_max = nice_ceiling(
        pts.iter()
            .map(|p| p.published.max(p.acked) as f64)
            .fold(0.0, f64::max),
        10.0,
    );
    // Numbers and fixed words only, so one string of SVG (far less code than an element each).
    let mut svg = String::new();
    let mut band_axis = |k: f64, max: f64, what: &str| {
        let (base, top) = ((k + 1.0) * BAND - 10.0, k * BAND);
        svg += &format!(
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{base}" y2="{base}"/><text class="tick" x="{}" y="{}" text-anchor="end">{max}</text><text class="tick" x="{}" y="{base}" text-anchor="end">0</text><text class="band-label" x="{}" y="{}">{what}</text>"#,
            Dec(W - 4.0),
            Dec(LEFT - 4.0),
            Dec(top + 12.0),
            Dec(LEFT - 4.0),
            Dec(LEFT + 4.0),
            Dec(top + 14.0),
            LEFT = Dec(LEFT),
            base = Dec(base),
            max = Dec(max),
            what = what
        );
    };
    band_axis(0.0, depth_max, "waiting messages");
    band_axis(1.0, lag_max, "consumer lag, s");
    band_axis(
        2.0,
        rate_max,
        "messages/s: published (solid), acknowledged (dotted)",
    );
    let (d, l, r) = (
        band(0.0, depth_max),
        band(1.0, lag_max),
        band(2.0, rate_max),
    );
    for (class, path) in [
        ("queue-area", d.area(series(|p| p.depth as f64))),
        ("queue-line", d.line(series(|p| p.depth as f64))),
        ("lag-line", l.line(series(|p| p.lag_ms as f64 / 1e3))),
        ("publish-line", r.line(series(|p| p.published as f64))),
        ("ack-line", r.line(series(|p| p.acked as f64))),
    ] {
        svg += &format!(r#"<path class="{class}" d="{path}"/>"#);
    }
    svg
}

/// Buttons that act on `target`, each (kind, label, enabled only when `ok()` is this, or
/// always); one template for the queue's and the broker's.
fn act_buttons(
    target: ActionTarget,
    ok: impl Fn() -> bool + Copy + Send + Sync + 'static,
    buttons: Vec<(ActionKind, &'static str, Option<bool>)>,
) -> impl IntoView {
    let lab = use_lab();
    buttons
        .into_iter()
        .map(|(kind, label, when)| {
            let target = target.clone();
            view! {
                <button disabled=move || when.is_some_and(|w| ok() != w) on:click=move |_| lab.act(Action::on(kind, target.clone()))>{label}</button>
            }
        })
        .collect_view()
}

/// Subscription `index`'s card: its numbers and charts, drawn by one binding (few closures:
/// each is code in the wasm), and a button that selects it (its actions are in the inspector).
#[component]
fn QueueCard(index: usize) -> impl IntoView {
    let lab = use_lab();
    let sub = subscription(index);
    let (name, kind, consumer) = names(index);
    let label = format!(
        "{name} over the last two minutes: waiting messages, consumer lag and message rates"
    );
    // Strings, rewritten in the page only when they change (once a simulated second).
    let summary = Memo::new(move |_| {
        sub.with(|s| {
            s.map_or(String::new(), |s| {
                format!(
                    "{} of {} waiting · consumer lag {:.1} s · {} dead-lettered",
                    s.depth,
                    s.capacity,
                    Dec(s.lag_ms as f64 / 1e3),
                    s.counts.dead_lettered
                )
            })
        })
    });
    // The chart is redrawn with each new per-second point, not on every frame.
    let newest = Memo::new(move |_| sub.newest_ms());
    let chart = Memo::new(move |_| {
        // Read, not only tracked: a memo that is never read never runs, so never changes.
        newest.get();
        untrack(|| sub.with(|s| s.map(charts).unwrap_or_default()))
    });
    let paused = move || sub.with(|s| s.is_some_and(|s| s.paused));
    view! {
        <article class="queue-card" aria-label=format!("Queue {name}") data-depth=move || sub.with(|s| s.map_or(0, |s| s.depth)).to_string()>
            <header>
                <h3>{name.clone()}</h3>
                <span class="badge">{kind} " → " {consumer}</span>
                <span class="badge paused" hidden=move || !paused()>"consumers paused"</span>
            </header>
            <p class="queue-summary">{move || summary.get()}</p>
            <figure class="chart">
                <svg viewBox=format!("0 0 {W} {}", Dec(3.0 * BAND), W = Dec(W)) role="img" aria-label=label inner_html=move || chart.get()></svg>
            </figure>
            <button on:click=move |_| lab.select(Some(Selection::Queue(SubscriptionId::from(index))))>
                "Inspect and act"
            </button>
        </article>
    }
}

/// The inspector for a queue: its numbers, pause or resume its consumers, purge it. The
/// explain panel below says what its backlog is doing.
#[component]
pub fn QueueInspector(id: SubscriptionId) -> impl IntoView {
    let lab = use_lab();
    let sub = subscription(id.index());
    let (name, kind, consumer) = names(id.index());
    let Some(queue) = lab.with_config(|c| c.subscription(id).map(|x| x.0)) else {
        return view! { <p>"No such queue."</p> }.into_any();
    };
    let running = move || sub.with(|s| s.is_some_and(|s| !s.paused));
    view! {
        <div class="inspector" aria-label=format!("Inspector: queue {name}")>
            <h3>"≣ " {name.clone()}</h3>
            <p class="hint">{kind} " → " {consumer}</p>
            <dl class="facts" inner_html=move || sub.with(|s| s.map(|s| rows(facts(s))).unwrap_or_default())></dl>
            <div class="actions">
                {act_buttons(ActionTarget::Queue(queue), running, vec![
                    (ActionKind::PauseConsumers, "Pause consumers", Some(true)),
                    (ActionKind::Recover, "Resume consumers", Some(false)),
                    (ActionKind::Purge, "Purge", None),
                ])}
            </div>
        </div>
    }
    .into_any()
}

/// The inspector for a broker: its state, address and queues; crash it, hang it, cut it off
/// from its clients, recover it.
#[component]
pub fn BrokerInspector(id: BrokerId) -> impl IntoView {
    let lab = use_lab();
    let Some((name, address, latency, queues)) = lab.with_config(|c| {
        let m = c.messaging.as_ref()?;
        let b = m.brokers.get(id.index())?;
        let queues: Vec<&str> = m
            .queues
            .iter()
            .filter(|q| q.broker == b.name)
            .map(|q| q.name.as_str())
            .collect();
        Some((
            b.name.clone(),
            b.address.clone(),
            b.publish_latency_ms,
            queues.join(", "),
        ))
    }) else {
        return view! { <p>"No such broker."</p> }.into_any();
    };
    let faults = move || {
        lab.view.with(|v| {
            v.messaging
                .as_ref()
                .and_then(|m| m.brokers.get(id.index()))
                .map(|b| b.faults)
                .unwrap_or_default()
        })
    };
    let ok = move || faults().ok();
    view! {
        <div class="inspector" aria-label=format!("Inspector: broker {name}")>
            <h3>"broker " {name.clone()}</h3>
            <dl class="facts" inner_html=move || rows(vec![
                    ("state", format!("{} {}", broker_style(faults()).0, present::broker_state(faults()))),
                    ("address", address.clone()),
                    ("publish round trip", format!("{latency} ms", latency = Dec(latency))),
                    ("queues and topics", queues.clone()),
                ])></dl>
            <div class="actions">
                {act_buttons(ActionTarget::Broker(id), ok, vec![
                    (ActionKind::Crash, "Crash", Some(true)),
                    (ActionKind::Hang, "Hang", Some(true)),
                    (ActionKind::PartitionServing, "Cut off", Some(true)),
                    (ActionKind::Recover, "Recover", Some(false)),
                ])}
            </div>
        </div>
    }
    .into_any()
}
