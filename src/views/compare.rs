//! Compare mode: the same scenario, seed and requests under two strategies for one service,
//! or once with messages through queues and once with calls instead (sync against async), two
//! engines in step, side by side with aligned charts.
//!
//! The workload has its own random stream in the engine, so both sides see exactly the same
//! client requests; the page shows the workload digest of each side to prove it.

use crate::state::lab::{use_lab, CompareSpec, SideB};
use crate::views::charts::ServiceChart;
use crate::views::markup::esc;
use crate::views::pace::Pace;
use ha_engine::balancer::Strategy;
use ha_engine::present::Dec;
use ha_engine::ClusterView;
use leptos::prelude::*;

/// The compare panel: choose a service and strategy B, start or stop, and both sides.
#[component]
pub fn Compare() -> impl IntoView {
    let lab = use_lab();
    let service = RwSignal::new(0usize);
    let side_b = RwSignal::new(SideB::Strategy(Strategy::LeastConnections));
    let messaging = lab.view.with_untracked(|v| v.messaging.is_some());
    let on = move || lab.compare_spec.with(Option::is_some);
    let names = lab.view.with_untracked(|v| {
        v.services
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
    });
    let service_options: String = names
        .iter()
        .enumerate()
        .map(|(k, n)| format!(r#"<option value="{k}">{}</option>"#, esc(n)))
        .collect();
    let mut side_b_options = String::new();
    if messaging {
        side_b_options += r#"<option value="calls">calls instead of messages (sync)</option>"#;
    }
    for st in Strategy::ALL {
        side_b_options += &format!(
            r#"<option value="{}"{}>{}</option>"#,
            st.key(),
            if st == Strategy::LeastConnections {
                " selected"
            } else {
                ""
            },
            st.label()
        );
    }
    let toggle = move |_| {
        if on() {
            lab.set_compare(None);
        } else {
            lab.set_compare(Some(CompareSpec {
                service: service.get_untracked(),
                b: side_b.get_untracked(),
            }));
        }
    };
    // Both sides' charts and tables of every instance are redrawn on the same tick, twice a
    // second while playing: 2 × 30 rows parsed and laid out is the heaviest redraw of compare
    // mode, so it comes on 2 frames a second rather than on 4 or 8 (one per side), and numbers
    // that change twice a second can be read. The charts come with them: each side's chart
    // and table show one instant, and the frames that drew a chart's new point (10 a second at
    // 10×, each side's) were the slowest quarter of compare mode's frames.
    let pace = crate::views::pace::while_playing_every(lab, std::time::Duration::from_millis(500));
    view! {
        <div class="compare-controls">
            <label class="field">
                <span>"Service"</span>
                <select disabled=on on:change=move |ev| service.set(event_target_value(&ev).parse().unwrap_or(0)) inner_html=service_options></select>
            </label>
            <label class="field">
                <span>"Side B"</span>
                <select disabled=on on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if v == "calls" { side_b.set(SideB::Calls) }
                    if let Some(st) = Strategy::from_key(&v) { side_b.set(SideB::Strategy(st)); }
                } inner_html=side_b_options></select>
            </label>
            <button class="primary" aria-pressed=move || on().to_string() on:click=toggle>
                {move || if on() { "Stop comparing" } else { "Compare side by side" }}
            </button>
        </div>
        <Show
            when=on
            fallback=|| view! { <p class="hint">"Runs a second engine on the same scenario, seed and requests with another strategy for one service (or, with queues, calls instead of messages), in step with this one."</p> }
        >
            {move || {
                let spec = lab.compare_spec.get_untracked().expect("shown only when on");
                view! {
                    <SameRequests/>
                    <div class="sides">
                        {side("A", spec, false, pace)}
                        {side("B", spec, true, pace)}
                    </div>
                }
            }}
        </Show>
    }
}

/// "Same requests on both sides": arrivals and workload digests of A and B at the same
/// instant; while side B catches up in the engine's worker, how far it has got.
#[component]
fn SameRequests() -> impl IntoView {
    let lab = use_lab();
    // Side B comes with side A in every frame, at A's instant unless it is catching up.
    let of = |v: &ClusterView| (v.totals.arrived, v.workload, v.now_us);
    let a = move || Some(lab.view.with(of));
    let b = move || lab.compare_view.with(|v| v.as_ref().map(of));
    let same = move || matches!((a(), b()), (Some(a), Some(b)) if a == b);
    view! {
        <p class="same-requests" data-same=move || same().to_string()>
            {move || match (a(), b()) {
                (Some(a), Some(b)) if b.2 >= a.2 => if a == b {
                    format!("✓ Same requests on both sides: {} client requests, workload {:016x}.", a.0, a.1)
                } else {
                    format!("✕ The sides differ: A {} requests (workload {:016x}), B {} (workload {:016x}).", a.0, a.1, b.0, b.1)
                },
                (_, b) => format!(
                    "Side B is catching up: {} of {}.",
                    ha_engine::SimTime(b.map_or(0, |b| b.2)),
                    lab.view.with(|v| ha_engine::SimTime(v.now_us))
                ),
            }}
        </p>
    }
}

/// One side: its strategy, success and latency chart, totals and per-instance load; its
/// chart and table are redrawn with `pace`.
fn side(label: &'static str, spec: CompareSpec, side_b: bool, pace: Pace) -> impl IntoView {
    let lab = use_lab();
    let s = spec.service;
    let get = move |f: fn(&ClusterView, usize) -> String| {
        move || {
            if side_b {
                lab.compare_view
                    .with(|v| v.as_ref().map(|v| f(v, s)).unwrap_or_default())
            } else {
                lab.view.with(|v| f(v, s))
            }
        }
    };
    let strategy = get(|v, s| {
        v.services
            .get(s)
            .map_or(String::new(), |x| x.strategy.label().to_string())
    });
    let totals = get(|v, s| {
        let Some(svc) = v.services.get(s) else {
            return String::new();
        };
        format!(
            "{} ok · {} failed · {:.1} % errors now · p99 {}",
            v.totals.ok,
            v.totals.error
                + v.totals.timeout
                + v.totals.short_circuited
                + v.totals.no_healthy_upstream,
            Dec(svc.error_rate * 100.0),
            svc.p99_ms
                .map_or("—".into(), |p| format!("{p:.0} ms", p = Dec(p)))
        )
    });
    // The table of every instance, rebuilt with `pace` while playing (with every view it cost
    // compare mode on `stress` about half its frame time: 2 × 30 rows parsed and laid out 30
    // times a second), and with every view while paused.
    let rows = move || {
        pace.track();
        let f = |v: &ClusterView| {
            v.services
                .get(s)
                .map_or(&[][..], |svc| &svc.instances[..])
                .iter()
                .filter_map(|i| v.instances.get(i.index()))
                .map(|x| {
                    (
                        x.address.clone(),
                        x.rps,
                        x.busy + x.queued,
                        x.p95_ms,
                        x.latency_samples > 0,
                    )
                })
                .collect::<Vec<_>>()
        };
        if side_b {
            lab.compare_view
                .with_untracked(|v| v.as_ref().map(f).unwrap_or_default())
        } else {
            lab.view.with_untracked(f)
        }
    };
    let body = move || {
        rows()
            .into_iter()
            .map(|(a, rps, inflight, p95, has)| {
                format!(
                    r#"<tr><th scope="row">{}</th><td>{rps:.1}</td><td><span class="bar" style="width: {}px"></span> {inflight}</td><td>{}</td></tr>"#,
                    esc(&a),
                    (inflight * 4).min(80),
                    if has { format!("{p95:.0} ms", p95 = Dec(p95)) } else { "—".into() },
                    rps = Dec(rps)
                )
            })
            .collect::<String>()
    };
    view! {
        <section class="compare-side" aria-label=format!("Side {label}")>
            <h3>{label}": "<span class="strategy">{move || match (spec.b, side_b) {
                // Sync against async: B's services call where A's publish.
                (SideB::Calls, false) => "messages through queues".to_string(),
                (SideB::Calls, true) => "calls instead of messages".to_string(),
                _ => strategy(),
            }}</span></h3>
            <p class="side-totals">{totals}</p>
            <ServiceChart index=s side_b=side_b pace=pace/>
            <table class="side-instances">
                <thead><tr><th scope="col">"instance"</th><th scope="col">"req/s"</th><th scope="col">"in flight"</th><th scope="col">"p95"</th></tr></thead>
                // One string of rows (addresses escaped), rewritten with the views.
                <tbody inner_html=body></tbody>
            </table>
        </section>
    }
}
