//! Per-instance cards: state, counters, a live load chart (req/s and in-flight over the last
//! 60 simulated seconds) and the Crash/Restart actions.

use crate::lab::use_lab;
use crate::projection::{nice_ceiling, Projection};
use crate::topology::status_style;
use ha_engine::view::InstanceView;
use ha_engine::Command;
use leptos::prelude::*;

/// Simulated time a chart spans, ms.
const SPAN_MS: f64 = 60_000.0;
const W: f64 = 320.0;
const H: f64 = 120.0;

/// One card per instance, in config order.
#[component]
pub fn InstanceCharts() -> impl IntoView {
    let lab = use_lab();
    let count = Memo::new(move |_| lab.view.with(|v| v.instances.len()));
    view! {
        <div class="cards">
            {move || (0..count.get()).map(|i| view! { <InstanceCard index=i/> }).collect_view()}
        </div>
    }
}

/// The card of instance `index`.
#[component]
fn InstanceCard(index: usize) -> impl IntoView {
    let lab = use_lab();
    let (address, name, service) = lab.view.with_untracked(|v| {
        let i = &v.instances[index];
        (i.address.clone(), i.name.clone(), i.service.clone())
    });
    let id = lab.view.with_untracked(|v| v.instances[index].id);
    let get = move |f: fn(&InstanceView) -> String| lab.instance(index, f);
    let up = lab.instance(index, |x| x.up);
    let status = lab.instance(index, |x| Some(x.status));
    // The pressed button becomes disabled; hand keyboard focus to its counterpart so it is not
    // dropped to the page.
    let crash_ref = NodeRef::<leptos::html::Button>::new();
    let restart_ref = NodeRef::<leptos::html::Button>::new();
    let act = move |cmd: Command, next: NodeRef<leptos::html::Button>| {
        lab.command(cmd);
        // After the re-render has enabled it (effects flush before the next frame).
        request_animation_frame(move || {
            if let Some(button) = next.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let crash_label = format!("Crash {address}");
    let restart_label = format!("Restart {address}");
    view! {
        <article
            class=move || format!("card {}", status().map_or("", |s| status_style(s).1))
            aria-label=format!("Instance {address}")
            data-address=address.clone()
            data-status=move || status().map(|s| format!("{s:?}")).unwrap_or_default()
            data-served=get(|x| x.served.to_string())
        >
            <header>
                <h3>
                    <span class="glyph" aria-hidden="true">{move || status().map_or("", |s| status_style(s).0)}</span>
                    " " {address.clone()}
                </h3>
                <span class="badge">{get(|x| x.status.label().to_string())}</span>
            </header>
            <p class="sub">{name} " · " {service}</p>
            <dl class="stats">
                <div><dt>"served"</dt><dd class="served">{get(|x| x.served.to_string())}</dd></div>
                <div><dt>"errors"</dt><dd>{get(|x| (x.errors + x.timeouts).to_string())}</dd></div>
                <div><dt>"req/s (60 s)"</dt><dd>{get(|x| format!("{:.1}", x.rps))}</dd></div>
                <div><dt>"in flight"</dt><dd>{get(|x| format!("{} + {} queued", x.busy, x.queued))}</dd></div>
                <div class="wide"><dt>"p50 / p95 / p99"</dt><dd>{get(|x| if x.latency_samples == 0 {
                    "— (no responses in 60 s)".to_string()
                } else {
                    format!("{:.0} / {:.0} / {:.0} ms", x.p50_ms, x.p95_ms, x.p99_ms)
                })}</dd></div>
            </dl>
            <LoadChart index=index/>
            <div class="actions">
                <button class="danger" node_ref=crash_ref aria-label=crash_label disabled=move || !up() on:click=move |_| act(Command::Crash(id), restart_ref)>
                    "Crash"
                </button>
                <button node_ref=restart_ref aria-label=restart_label disabled=up on:click=move |_| act(Command::Restart(id), crash_ref)>
                    "Restart"
                </button>
            </div>
        </article>
    }
}

/// The load chart: req/s (solid, left axis) and in-flight (dashed, right axis).
#[component]
fn LoadChart(index: usize) -> impl IntoView {
    let lab = use_lab();
    let data = Memo::new(move |_| {
        lab.view.with(|v| {
            let now_ms = v.now_us as f64 / 1_000.0;
            let x1 = now_ms.max(SPAN_MS);
            let i = v.instances.get(index);
            let pts: Vec<(f64, f64, f64, f64)> = i
                .map(|i| {
                    i.series
                        .iter()
                        .filter(|p| p.t_ms as f64 >= x1 - SPAN_MS)
                        .map(|p| {
                            (
                                p.t_ms as f64,
                                p.rps as f64,
                                p.in_flight as f64,
                                p.errors as f64,
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let conc = i.map_or(1, |i| i.concurrency) as f64;
            (x1, pts, conc)
        })
    });
    let geometry = move || {
        data.with(|(x1, pts, conc)| {
            let rps_max = nice_ceiling(pts.iter().map(|p| p.1).fold(0.0, f64::max), 5.0);
            let inf_max = nice_ceiling(pts.iter().map(|p| p.2).fold(0.0, f64::max), *conc);
            let base = Projection {
                x0: x1 - SPAN_MS,
                x1: *x1,
                y0: 0.0,
                y1: rps_max,
                left: 34.0,
                right: W - 34.0,
                top: 8.0,
                bottom: H - 20.0,
            };
            let inf = Projection {
                y1: inf_max,
                ..base
            };
            let rps_line = base.line(pts.iter().map(|p| (p.0, p.1)));
            let rps_area = base.area(pts.iter().map(|p| (p.0, p.1)));
            let inf_line = inf.line(pts.iter().map(|p| (p.0, p.2)));
            let err_area = base.area(pts.iter().map(|p| (p.0, p.3)));
            let last = pts.last().copied();
            (
                base, rps_max, inf_max, rps_line, rps_area, inf_line, err_area, last,
            )
        })
    };
    let address = lab
        .view
        .with_untracked(|v| v.instances[index].address.clone());
    move || {
        let (p, rps_max, inf_max, rps_line, rps_area, inf_line, err_area, last) = geometry();
        let label = match last {
            Some((_, r, f, e)) => format!("Load of {address}, last 60 simulated seconds: now {r:.0} req/s ({e:.0} errors/s) and {f:.0} in flight"),
            None => format!("Load of {address}: no data yet"),
        };
        let ticks = [0.0, 0.5, 1.0];
        view! {
            <figure class="chart">
                <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label>
                    {ticks.iter().map(|t| {
                        let y = p.y(t * rps_max);
                        view! {
                            <line class="grid" x1=p.left x2=p.right y1=y y2=y/>
                            <text class="tick" x=p.left - 4.0 y=y + 3.0 text-anchor="end">{fmt_tick(t * rps_max)}</text>
                            <text class="tick inflight-tick" x=p.right + 4.0 y=y + 3.0>{fmt_tick(t * inf_max)}</text>
                        }
                    }).collect_view()}
                    {[0.0, 0.5, 1.0].iter().map(|f| {
                        let x = p.left + f * (p.right - p.left);
                        let t_ms = p.x0 + f * (p.x1 - p.x0);
                        let label = fmt_clock(t_ms);
                        view! { <text class="tick" x=x y=H - 6.0 text-anchor="middle">{label}</text> }
                    }).collect_view()}
                    <path class="rps-area" d=rps_area/>
                    <path class="rps-line" d=rps_line/>
                    <path class="err-area" d=err_area/>
                    <path class="inflight-line" d=inf_line/>
                </svg>
                <figcaption class="chart-legend">
                    <span><span class="swatch rps"></span>" req/s (left)"</span>
                    <span><span class="swatch err"></span>" errors/s"</span>
                    <span><span class="swatch inflight"></span>" in flight (right)"</span>
                </figcaption>
            </figure>
        }
    }
}

/// Simulated time as `m:ss` for axis labels.
fn fmt_clock(t_ms: f64) -> String {
    let s = (t_ms.max(0.0) / 1_000.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

fn fmt_tick(v: f64) -> String {
    if v >= 10.0 || v == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}
