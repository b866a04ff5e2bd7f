//! The topology: clients → gateway (rate limiter) → load balancer → services → instances,
//! with the dependency edges between services and the registry the balancer watches.
//!
//! Layout is a fixed function of the config (columns; one row per instance, rows shrink from
//! 10 instances on and again from 20), so it does not move while the run plays and stays
//! readable from 2 to 40 instances. Instance state is shown by colour, by a glyph and by words;
//! each instance shows its in-flight/queue bar and the worst state of the circuit breakers
//! towards it. Requests flow as dots whose number on an edge follows its requests per second
//! (none under `prefers-reduced-motion`). Gateway, services and instances are buttons: they
//! select what the inspector shows.

use crate::platform::media::is_phone;
use crate::platform::progressive::{first_n, use_progressive, Keyed};
use crate::platform::visible::{while_followed, Follow};
use crate::state::lab::Lab;
use crate::state::lab::{service_id, use_lab, ReadsFollow};
use crate::views::flow::Flow;
use crate::views::markup::{esc, num};
use crate::views::nodes::{
    breaker_style, broker_style, queue_shape, service_shape, status_style, QueueShape, STATUSES,
};
use ha_engine::breaker::BreakerState;
use ha_engine::common::BrokerId;
use ha_engine::explain::Selection;
use ha_engine::present;
use ha_engine::present::Dec;
use ha_engine::view::InstanceStatus;
use ha_engine::InstanceId;
use leptos::prelude::*;
use std::sync::Arc;

const TOP: f64 = 30.0;
const SERVICE_GAP: f64 = 16.0;
const CLIENTS_X: f64 = 8.0;
const CLIENTS_W: f64 = 104.0;
const GW_X: f64 = 136.0;
const GW_W: f64 = 132.0;
const LB_X: f64 = 292.0;
const LB_W: f64 = 128.0;
const SVC_X: f64 = 478.0;
const SVC_W: f64 = 156.0;
const INST_X: f64 = 680.0;
const INST_W: f64 = 236.0;
const WIDTH: f64 = 924.0;
const BOX_H: f64 = 50.0;
/// Width of a queue node: wider than a service's, up to the brokers' column.
const Q_W: f64 = INST_X - SVC_X - 14.0;
/// Instances drawn with the diagram; the rest follow [`NODES_PER_FRAME`] per animation frame.
/// Few: the diagram comes in the frame after a new layout's, with its services and edges
/// (16 here made the heaviest link's longest task about 200 ms on a slow machine).
const NODES_AT_ONCE: usize = 4;

/// Instances drawn per animation frame after the first [`NODES_AT_ONCE`] (about 1.5 ms each).
const NODES_PER_FRAME: usize = 16;

/// Most dots on one edge.
const MAX_DOTS: usize = 8;

/// Stroke width for a flow of `rps` requests per second, in steps of half a unit: a width that
/// follows every wobble of the rate changes the edge on most frames, and each change makes the
/// browser recompute the stroked curve's bounds and restart its 0.3 s width transition. Measured
/// on a paused page, changing 10 of the 30 edges every frame cost 1.5 ms a frame, plus 1.3 ms for
/// the transitions; a half-unit step is not visible.
fn flow_width(rps: f64) -> f64 {
    ((1.0 + rps.max(0.0).sqrt() * 0.5).min(12.0) * 2.0).round() / 2.0
}

/// Dots on an edge carrying `rps`, when the busiest edge carries `max_rps`: proportional,
/// at least one on any edge that carries traffic.
fn dots_for(rps: f64, max_rps: f64) -> usize {
    if rps < 0.05 || max_rps <= 0.0 {
        return 0;
    }
    ((rps / max_rps * MAX_DOTS as f64).round() as usize).clamp(1, MAX_DOTS)
}

/// Row geometry for `n` instances: (row height, box height, compact).
fn rows(n: usize) -> (f64, f64, bool) {
    match n {
        0..=10 => (58.0, 48.0, false),
        11..=20 => (32.0, 27.0, true),
        _ => (24.0, 20.0, true),
    }
}

struct Layout {
    inst_y: Vec<f64>,
    svc_y: Vec<f64>,
    /// Centre of each queue node, below the services.
    q_y: Vec<f64>,
    height: f64,
    box_h: f64,
    compact: bool,
}

/// Rows for `services` (each its instances), then `queues` queue nodes below them.
fn layout(services: &[Vec<usize>], queues: usize) -> Layout {
    let n: usize = services.iter().map(Vec::len).sum();
    let (row_h, box_h, compact) = rows(n);
    let mut inst_y = vec![0.0; n];
    let mut svc_y = Vec::new();
    let mut y = TOP + row_h.max(BOX_H) / 2.0;
    for members in services {
        let start = y;
        for &i in members {
            inst_y[i] = y;
            y += row_h;
        }
        let end = if members.is_empty() { y } else { y - row_h };
        // Services need room for their box even when they have one small row.
        let mid = (start + end) / 2.0;
        svc_y.push(mid);
        y = y.max(mid + BOX_H / 2.0 + row_h / 2.0) + SERVICE_GAP;
    }
    let mut q_y = Vec::with_capacity(queues);
    if queues > 0 {
        y += 24.0 - row_h / 2.0 + BOX_H / 2.0;
        for _ in 0..queues {
            q_y.push(y);
            y += BOX_H + SERVICE_GAP;
        }
    }
    let height = y - SERVICE_GAP + 90.0;
    Layout {
        inst_y,
        svc_y,
        q_y,
        height,
        box_h,
        compact,
    }
}

/// A cubic edge from (x1, y1) to (x2, y2), horizontal at both ends.
fn curve(x1: f64, y1: f64, x2: f64, y2: f64) -> String {
    let dx = (x2 - x1) * 0.45;
    format!(
        "M{x1:.1} {y1:.1} C{:.1} {y1:.1} {:.1} {y2:.1} {x2:.1} {y2:.1}",
        Dec(x1 + dx),
        Dec(x2 - dx),
        x1 = Dec(x1),
        y1 = Dec(y1),
        y2 = Dec(y2),
        x2 = Dec(x2)
    )
}

/// Moving dots along `d`, `count()` of them evenly spaced, each taking 1.6 s along the edge.
///
/// One dashed stroke per edge, not one element per dot: zero-length dashes with round caps
/// draw as dots (`pathLength="100"` makes the spacing `100 / count` whatever the edge's length)
/// and one animation of `stroke-dashoffset` moves them all. The browser updates the style of
/// every running animation on each frame, so this is 1 animation per edge instead of up to 8.
#[component]
fn Dots(d: String, count: Signal<usize>) -> impl IntoView {
    view! {
        <path
            class="dot"
            d=d
            pathLength="100"
            visibility=move || if count.get() == 0 { "hidden" } else { "visible" }
            stroke-dasharray=move || format!("0 {:.4}", Dec(100.0 / count.get().max(1) as f64))
        />
    }
}

/// Key handler that makes an SVG group behave as a button (Enter or Space).
fn on_activate(f: impl Fn() + Copy + 'static) -> impl Fn(leptos::ev::KeyboardEvent) + 'static {
    move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" || ev.key() == " " {
            ev.prevent_default();
            f();
        }
    }
}

/// The topology: the diagram and its legend, or on a phone the vertical flow
/// ([`crate::views::flow`]).
#[component]
pub fn Topology() -> impl IntoView {
    move || {
        if is_phone() {
            view! { <Flow/> }.into_any()
        } else {
            view! { <Diagram/> }.into_any()
        }
    }
}

/// The topology diagram and its legend.
#[component]
fn Diagram() -> impl IntoView {
    let lab = use_lab();
    // Its reads of instances and services stand while it is scrolled away from a playing run
    // (provided in `Topology`'s closure, which owns nothing else), and so do its memos of the
    // whole view (`while_followed`: the dots' scale, the client rate, queues and brokers). The
    // gateway's and the registry's three counts still follow: as memos they cost 470 B.
    if let Some(f) = use_context::<Follow>() {
        provide_context(ReadsFollow(f));
    }
    // The structure (which instance belongs to which service) only changes with the config.
    let shape = service_shape(lab);
    // The client rate (its edge, dots and text).
    let traffic = while_followed(move || lab.view.with(|v| v.traffic_rps));
    let max_rps = while_followed(move || {
        lab.view.with(|v| {
            // Quantised so the dots are not re-created every frame.
            let m = v
                .services
                .iter()
                .map(|s| s.rps)
                .fold(v.traffic_rps, f64::max);
            (m / 5.0).ceil() * 5.0
        })
    });
    let selected = move |sel: Selection| lab.selection.with(|s| *s == Some(sel));
    // The picked trace's hops (the trace panel): " on-path" for a service or instance it
    // called.
    let on_path = move |sel: Selection| {
        let hit = lab.trace.with(|t| {
            t.as_ref().is_some_and(|t| {
                t.spans.iter().any(|s| match sel {
                    Selection::Service(x) => s.service == x,
                    Selection::Instance(i) => s.instance == Some(i),
                    _ => false,
                })
            })
        });
        if hit {
            " on-path"
        } else {
            ""
        }
    };
    let instance_count = Memo::new(move |_| shape.with(|s| s.iter().map(Vec::len).sum::<usize>()));
    move || {
        let services = shape.get();
        let (queues, brokers) = queue_shape(lab);
        let Layout {
            inst_y,
            svc_y,
            q_y,
            height,
            box_h,
            compact,
        } = layout(&services, queues.len());
        let (msg_edges, msg_nodes) = messaging(lab, &queues, &brokers, &q_y, &svc_y);
        let has_queues = !queues.is_empty();
        // A heavy link's 64 instances are drawn a batch per frame, not in one long task.
        let mounted = use_progressive(instance_count, NODES_AT_ONCE, NODES_PER_FRAME);
        let service_of: Arc<Vec<usize>> = Arc::new({
            let mut v = vec![0; inst_y.len()];
            for (s, members) in services.iter().enumerate() {
                for &i in members {
                    v[i] = s;
                }
            }
            v
        });
        let inst_y = Arc::new(inst_y);
        let svc_y_at = Arc::new(svc_y.clone());
        let mid_y = if svc_y.is_empty() {
            TOP
        } else {
            (svc_y[0] + svc_y[svc_y.len() - 1]) / 2.0
        };
        let reg_y = height - 44.0;
        let names: Vec<String> = lab
            .view
            .with_untracked(|v| v.services.iter().map(|s| s.name.clone()).collect());
        // Client edges: gateway → load balancer → every service clients call.
        let svc_edges = services
            .iter()
            .enumerate()
            .filter(|(s, _)| lab.view.with_untracked(|v| v.services[*s].client_share > 0.0))
            .map(|(s, _)| {
                let sy = svc_y[s];
                let d = curve(LB_X + LB_W, mid_y, SVC_X, sy);
                let rps = lab.service(s, |x| x.rps * x.client_share.min(1.0));
                let share = lab.service(s, |x| x.client_share);
                let client_rps = move || traffic.get() * share();
                let count = Signal::derive(move || dots_for(client_rps(), max_rps.get()));
                (
                    view! { <path class="edge" d=d.clone() stroke-width=move || format!("{:.1}", Dec(flow_width(rps())))/> },
                    view! { <Dots d=d count=count/> },
                )
            })
            .unzip::<_, _, Vec<_>, Vec<_>>();
        // Dependency edges: caller service → callee service, arcs left of the services column.
        let dep_edges = lab.view.with_untracked(|v| {
            v.services
                .iter()
                .enumerate()
                .flat_map(|(s, svc)| {
                    svc.depends_on
                        .iter()
                        .map(|d| d.index())
                        .map(move |t| (s, t))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        });
        let dep_edges = dep_edges
            .into_iter()
            .enumerate()
            .map(|(k, (s, t))| {
                let (y1, y2) = (svc_y[s] - 6.0, svc_y[t] + 6.0);
                let bulge = SVC_X - 34.0 - 10.0 * k as f64;
                let d = format!(
                    "M{SVC_X} {y1:.1} C{bulge:.1} {y1:.1} {bulge:.1} {y2:.1} {:.1} {y2:.1}",
                    Dec(SVC_X - 2.0),
                    y1 = Dec(y1),
                    bulge = Dec(bulge),
                    y2 = Dec(y2),
                    SVC_X = Dec(SVC_X)
                );
                // Static: one string of SVG, the service names escaped.
                format!(
                    r#"<path class="edge dependency" d="{d}" marker-end="url(#arrow)"><title>{} calls {}</title></path>"#,
                    esc(&names[s]),
                    esc(&names[t])
                )
            })
            .collect::<String>();
        let svc_nodes = services
            .iter()
            .enumerate()
            .map(|(s, members)| {
                let sy = svc_y[s];
                let n = members.len();
                let name = names[s].clone();
                let routed = lab.service(s, |x| x.candidates.len());
                let strategy = lab.service(s, |x| x.strategy.label().to_string());
                // The two longest strategies' names ("smooth weighted round robin") and a
                // busy service's numbers ran past the box's right edge: squeezed to fit.
                let fit = |long: bool| long.then_some(num(SVC_W - 18.0));
                let long_name = lab.service(s, |x| x.strategy.label().len() > 23);
                let panic = lab.service(s, |x| x.panic);
                let rps = lab.service(s, |x| x.rps);
                let sel = Selection::Service(service_id(s));
                let pick = move || lab.select(Some(sel));
                let label = format!("Service {name}");
                let line = Memo::new(move |_| {
                    format!("{:.0} req/s · {}/{} routed{}", Dec(rps()), routed(), n, if panic() { " · PANIC" } else { "" })
                });
                view! {
                    <g
                        class=move || format!("node service{}{}", if selected(sel) { " selected" } else { "" }, on_path(sel))
                        role="button"
                        tabindex="0"
                        aria-label=label
                        on:click=move |_| pick()
                        on:keydown=on_activate(pick)
                    >
                        <rect x=num(SVC_X) y=num(sy - BOX_H / 2.0) width=num(SVC_W) height=num(BOX_H) rx="8"/>
                        <text x=num(SVC_X + 10.0) y=num(sy - 8.0) class="node-title">{name}</text>
                    </g>
                    // Beside the button, not in it: its visible text stays its name (WCAG 2.5.3
                    // label in name); the inspector reads these numbers out.
                    <text x=num(SVC_X + 10.0) y=num(sy + 7.0) class="node-sub node-info" aria-hidden="true" lengthAdjust="spacingAndGlyphs" textLength=move || fit(long_name())>{strategy}</text>
                    <text x=num(SVC_X + 10.0) y=num(sy + 20.0) class="node-sub node-info" aria-hidden="true" lengthAdjust="spacingAndGlyphs" textLength=move || fit(line.with(|l| l.chars().count() > 24))>
                        {move || line.get()}
                    </text>
                }
            })
            .collect_view();
        // The edge service → instance `i`, and whether it is routed now.
        let inst_edge = {
            let (service_of, inst_y, svc_y) =
                (service_of.clone(), inst_y.clone(), svc_y_at.clone());
            move |i: usize| {
                let (sy, iy) = (svc_y[service_of[i]], inst_y[i]);
                let routed = lab.instance_state(i, |x| x.candidate && x.up);
                (curve(SVC_X + SVC_W, sy, INST_X, iy), routed)
            }
        };
        let edge_of = inst_edge.clone();
        let inst_edges = move |i: usize| {
            let (d, routed) = edge_of(i);
            let rps = lab.instance(i, |x| x.rps);
            view! {
                <path
                    class=move || if routed() { "edge" } else { "edge unrouted" }
                    d=d
                    stroke-width=move || format!("{:.1}", Dec(if routed() { flow_width(rps()) } else { 1.5 }))
                />
            }
        };
        let inst_dots = move |i: usize| {
            let (d, routed) = inst_edge(i);
            let rps = lab.instance(i, |x| x.rps);
            let count = Signal::derive(move || {
                if routed() {
                    dots_for(rps(), max_rps.get())
                } else {
                    0
                }
            });
            view! { <Dots d=d count=count/> }
        };
        let inst_nodes = {
            let inst_y = inst_y.clone();
            move |i: usize| {
                let iy = inst_y[i];
                let top = iy - box_h / 2.0;
                let status = lab.instance_state(i, |x| Some(x.status));
                let style = move || status_style(status().unwrap_or(InstanceStatus::Down));
                let detail = lab.instance(i, |x| match x.status {
                    InstanceStatus::Serving | InstanceStatus::Suspect => format!(
                        "{} · {} in flight · {:.0} req/s",
                        ha_engine::present::status(x.status),
                        x.busy + x.queued,
                        Dec(x.rps)
                    ),
                    InstanceStatus::DownListed => format!(
                        "{} · expires in {:.1} s",
                        ha_engine::present::status(x.status),
                        Dec(x.ttl_left_ms.unwrap_or(0) as f64 / 1e3)
                    ),
                    s => ha_engine::present::status(s).to_string(),
                });
                // Bar lengths are drawn in whole units (1.4 % of a compact bar): finer steps change
                // a bar on most frames without a visible difference, and each change repaints.
                let bar_w = if compact { 70.0 } else { INST_W - 20.0 };
                let bar_x = if compact {
                    INST_X + INST_W - bar_w - 26.0
                } else {
                    INST_X + 10.0
                };
                let bar_y = if compact { iy - 3.0 } else { top + box_h - 8.0 };
                let busy_frac = lab.instance(i, |x| x.cpu);
                let queue_frac = lab.instance(i, |x| {
                    (x.queued as f64 / (x.concurrency.max(1) * 4) as f64).min(1.0)
                });
                let breaker = lab.instance_state(i, |x| x.breaker);
                let address = lab.view.with_untracked(|v| v.instances[i].address.clone());
                let id = InstanceId::from(i);
                let sel = Selection::Instance(id);
                let pick = move || lab.select(Some(sel));
                let aria_address = address.clone();
                let state = lab.instance_state(i, |x| Some((x.status, x.breaker)));
                let aria = move || {
                    state().map_or(String::new(), |(status, breaker)| {
                        format!(
                            "Instance {aria_address}: {}{}",
                            ha_engine::present::status(status),
                            breaker.map_or(String::new(), |b| format!(", {}", breaker_style(b).1))
                        )
                    })
                };
                let aria_title = aria.clone();
                let title_y = if compact { iy + 4.0 } else { iy - 7.0 };
                // The bars' lengths go in as two CSS lengths on their group (`--b`, `--q`): an
                // attribute rewritten when a length changes, where markup rewritten per redraw
                // was parsed and its nodes made anew (the page's most frequent DOM write at 10×).
                // The rects and the breaker glyph are markup, rewritten only when the breaker
                // changes.
                let lengths = Memo::new(move |_| {
                    format!(
                        "--b:{:.0}px;--q:{:.0}px",
                        Dec(bar_w * busy_frac()),
                        Dec(bar_w * queue_frac())
                    )
                });
                let bars = Memo::new(move |_| {
                    let b = breaker();
                    format!(
                        r#"<rect class="rail" x="{bar_x}" y="{bar_y}" width="{bar_w}" height="4" rx="2"/><rect class="busy" x="{bar_x}" y="{bar_y}" height="4" rx="2"/><rect class="queue" x="{bar_x}" y="{}" height="2" rx="1"/><text class="breaker {}" x="{}" y="{}" text-anchor="end">{}</text>"#,
                        Dec(bar_y + 4.0),
                        match b {
                            Some(BreakerState::Open) => "open",
                            Some(BreakerState::HalfOpen) => "half-open",
                            Some(BreakerState::Closed) => "closed",
                            None => "none",
                        },
                        Dec(INST_X + INST_W - 8.0),
                        Dec(title_y),
                        b.map_or("", |b| breaker_style(b).0),
                        bar_x = Dec(bar_x),
                        bar_y = Dec(bar_y),
                        bar_w = Dec(bar_w)
                    )
                });
                view! {
                    <g
                        class=move || format!("node instance {}{}{}", style().1, if selected(sel) { " selected" } else { "" }, on_path(sel))
                        role="button"
                        tabindex="0"
                        aria-label=aria
                        data-address=address.clone()
                        on:click=move |_| pick()
                        on:keydown=on_activate(pick)
                    >
                        <title>{aria_title}</title>
                        <rect class="box" x=num(INST_X) y=num(top) width=num(INST_W) height=num(box_h) rx=if compact { "5" } else { "8" }/>
                        <text x=num(INST_X + 8.0) y=num(title_y) class=if compact { "node-title small" } else { "node-title" }>
                            <tspan class="glyph" aria-hidden="true">{move || style().0}</tspan>
                            " "
                            {address.clone()}
                        </text>
                        <g class="inflight" style=move || lengths.get() inner_html=move || bars.get()/>
                    </g>
                    {(!compact).then(|| view! {
                        <text x=num(INST_X + 10.0) y=num(iy + 9.0) class="node-sub node-info" aria-hidden="true">{detail}</text>
                    })}
                }
            }
        };
        let total_rps = move || traffic.get();
        let passed_rps = move || {
            lab.view.with(|v| {
                v.services
                    .iter()
                    .map(|s| s.rps * s.client_share.min(1.0))
                    .sum::<f64>()
            })
        };
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
        let (hb, ttl) = lab
            .view
            .with_untracked(|v| (v.heartbeat_interval_ms, v.heartbeat_timeout_ms));
        let client_d = format!(
            "M{} {mid_y} L{} {mid_y}",
            Dec(CLIENTS_X + CLIENTS_W),
            Dec(GW_X),
            mid_y = Dec(mid_y)
        );
        let gw_d = format!(
            "M{} {mid_y} L{LB_X} {mid_y}",
            Dec(GW_X + GW_W),
            mid_y = Dec(mid_y),
            LB_X = Dec(LB_X)
        );
        let client_dots = Signal::derive(move || dots_for(total_rps(), max_rps.get()));
        let gw_dots = Signal::derive(move || dots_for(passed_rps(), max_rps.get()));
        let gw_sel = Selection::Gateway;
        let pick_gw = move || lab.select(Some(gw_sel));
        let (svc_edges, svc_dots) = svc_edges;
        let seen = crate::platform::visible::use_visible_selector(".topology-wrap", "0px");
        let view_box = format!(
            "0 0 {WIDTH} {height:.0}",
            height = Dec(height),
            WIDTH = Dec(WIDTH)
        );
        view! {
            // Paused, the dots stand still: nothing flows while simulated time does not pass.
            // Off screen, too: a running CSS animation of `stroke-dashoffset` costs a style
            // recalc and a repaint on every frame, seen or not (about 1 ms a frame at 10× on
            // `stress`, Chromium trace; scripts/bench-notes.md), and a paused one resumes at
            // once when the diagram scrolls back in.
            <div class="topology-wrap" class:paused=move || !lab.playing.get() || !seen.get()>
            <svg
                class="topology"
                viewBox=view_box.clone()
                role="group"
                aria-label="Topology: clients send requests through the gateway and its rate limiter to the load balancer, which routes each service's calls to the instances the registry lists"
            >
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M0 0 L10 5 L0 10 z" class="arrowhead"/>
                    </marker>
                </defs>
                <text class="col-label" x=num(CLIENTS_X) y="16">"CLIENTS"</text>
                <text class="col-label" x=num(GW_X) y="16">"GATEWAY"</text>
                <text class="col-label" x=num(LB_X) y="16">"LOAD BALANCER"</text>
                <text class="col-label" x=num(SVC_X) y="16">"SERVICES"</text>
                <text class="col-label" x=num(INST_X) y="16">"INSTANCES"</text>
                <path class="edge" d=client_d.clone() stroke-width=move || format!("{:.1}", Dec(flow_width(total_rps())))/>
                <path class="edge" d=gw_d.clone() stroke-width=move || format!("{:.1}", Dec(flow_width(passed_rps())))/>
                {svc_edges}
                <g inner_html=dep_edges/>
                {msg_edges}
                <Keyed each=first_n(mounted) item=Arc::new(move |i| inst_edges(i).into_any())/>
                <g class="node clients">
                    <rect x=num(CLIENTS_X) y=num(mid_y - BOX_H / 2.0) width=num(CLIENTS_W) height=num(BOX_H) rx="8"/>
                    <text x=num(CLIENTS_X + 10.0) y=num(mid_y - 6.0) class="node-title">"Clients"</text>
                    <text x=num(CLIENTS_X + 10.0) y=num(mid_y + 13.0) class="node-sub">{move || format!("{:.0} req/s", Dec(total_rps()))}</text>
                </g>
                <g
                    class=move || format!("node gateway{}", if selected(gw_sel) { " selected" } else { "" })
                    role="button"
                    tabindex="0"
                    aria-label="Gateway and rate limiter"
                    on:click=move |_| pick_gw()
                    on:keydown=on_activate(pick_gw)
                >
                    <rect x=num(GW_X) y=num(mid_y - BOX_H / 2.0) width=num(GW_W) height=num(BOX_H) rx="8"/>
                    <text x=num(GW_X + 10.0) y=num(mid_y - 8.0) class="node-title">"Gateway"</text>
                </g>
                // Beside the button (see the services): its name holds its visible text.
                <text x=num(GW_X + 10.0) y=num(mid_y + 7.0) class="node-sub node-info" aria-hidden="true">{rate_limit.clone().unwrap_or_else(|| "no rate limit".into())}</text>
                <text x=num(GW_X + 10.0) y=num(mid_y + 20.0) class="node-sub node-info" aria-hidden="true">{move || format!("⊘ {} rejected (429)", rejected())}</text>
                <g class="node lb">
                    <rect x=num(LB_X) y=num(mid_y - BOX_H / 2.0) width=num(LB_W) height=num(BOX_H) rx="8"/>
                    <text x=num(LB_X + 10.0) y=num(mid_y - 6.0) class="node-title">"Load balancer"</text>
                    <text x=num(LB_X + 10.0) y=num(mid_y + 13.0) class="node-sub">"watches the registry"</text>
                </g>
                <path class="edge watch" d=format!("M{} {} L{} {}", Dec(LB_X + LB_W / 2.0), Dec(mid_y + BOX_H / 2.0), Dec(LB_X + LB_W / 2.0), Dec(reg_y - 20.0))/>
                <g class="node registry">
                    <rect x=num(LB_X - 20.0) y=num(reg_y - 20.0) width=num(LB_W + 40.0) height="44" rx="8"/>
                    <text x=num(LB_X - 10.0) y=num(reg_y - 2.0) class="node-title">{move || format!("Registry · {} listed", listed())}</text>
                    <text x=num(LB_X - 10.0) y=num(reg_y + 15.0) class="node-sub">{format!("heartbeat {} s · TTL {} s", hb / 1000, ttl / 1000)}</text>
                </g>
                {svc_nodes}
                {msg_nodes}
                <Keyed each=first_n(mounted) item=Arc::new(move |i| inst_nodes(i).into_any())/>
            </svg>
            // The moving dots live in their own layer above the drawing: their animation repaints
            // only this layer, not the whole topology, every frame.
            <svg class="flow" viewBox=view_box aria-hidden="true">
                <Dots d=client_d count=client_dots/>
                <Dots d=gw_d count=gw_dots/>
                {svc_dots}
                <Keyed each=first_n(mounted) item=Arc::new(move |i| inst_dots(i).into_any())/>
            </svg>
            </div>
            <ul class="legend" aria-label="Legend" inner_html=legend(has_queues)></ul>
        }
    }
}

/// Brokers, queues and topics: each subscription a queue node (≣, square corners) in the
/// services column below the services, with its depth bar against its capacity; each broker a
/// node in the instances column beside its queues. Publish edges run from the producing
/// services to a queue, consume edges from a queue to its consumer, both left of the services
/// column and drawn differently from calls. Returns (edges, nodes).
fn messaging(
    lab: Lab,
    queues: &[QueueShape],
    brokers: &[String],
    q_y: &[f64],
    svc_y: &[f64],
) -> (impl IntoView, impl IntoView) {
    let selected = move |sel: Selection| lab.selection.with(|s| *s == Some(sel));
    // The edges and column labels never change during a run: one string of SVG (numbers and
    // fixed words only) costs far less code than an element each.
    let arc = |k: usize, y1: f64, y2: f64, bulge: f64| {
        let b = SVC_X - bulge - 6.0 * k as f64;
        format!(
            "M{SVC_X} {y1:.0} C{b:.0} {y1:.0} {b:.0} {y2:.0} {:.0} {y2:.0}",
            Dec(SVC_X - 2.0),
            y1 = Dec(y1),
            b = Dec(b),
            y2 = Dec(y2),
            SVC_X = Dec(SVC_X)
        )
    };
    // A broker sits level with the middle of its queues (they are grouped by broker).
    let broker_y = |b: BrokerId| -> Option<f64> {
        let mut ys = queues
            .iter()
            .zip(q_y)
            .filter(|(q, _)| q.broker == b)
            .map(|(_, y)| *y);
        let first = ys.next()?;
        Some((first + ys.next_back().unwrap_or(first)) / 2.0)
    };
    let mut svg = String::new();
    if let Some(y) = q_y.first() {
        let y = y - BOX_H / 2.0 - 8.0;
        svg += &format!(
            r#"<text class="col-label" x="{SVC_X}" y="{y}">QUEUES AND TOPICS</text><text class="col-label" x="{INST_X}" y="{y}">BROKERS</text>"#,
            SVC_X = Dec(SVC_X),
            y = Dec(y),
            INST_X = Dec(INST_X)
        );
    }
    for (k, (q, &y)) in queues.iter().zip(q_y).enumerate() {
        for &p in &q.producers {
            let d = arc(k, svc_y[p] + 10.0, y - 8.0, 16.0);
            svg += &format!(r#"<path class="edge publish" d="{d}" marker-end="url(#arrow)"/>"#);
        }
        let d = arc(k, y + 8.0, svc_y[q.consumer] + 16.0, 30.0);
        svg += &format!(r#"<path class="edge consume" d="{d}" marker-end="url(#arrow)"/>"#);
        if let Some(by) = broker_y(q.broker) {
            let d = curve(SVC_X + Q_W, y, INST_X, by);
            svg += &format!(r#"<path class="edge hosts" d="{d}"/>"#);
        }
    }
    let edges = view! { <g inner_html=svg/> };
    // Each node is a focusable button whose name is its visible name; what changes (the depth
    // bar, the numbers, a broker's state) is one string of SVG beside it, numbers and fixed
    // words only, redrawn when it changes: one binding per node instead of one per element.
    let node = move |sel: Selection,
                     x: f64,
                     y: f64,
                     w: f64,
                     rx: &'static str,
                     class: &'static str,
                     what: &'static str,
                     name: String,
                     live: Memo<String>| {
        let pick = move || lab.select(Some(sel));
        let aria = format!("{what} {name}");
        // Long topic subscription names ("order.created for analytics-service") are cut to
        // the box; the button's name, the card and the inspector say them whole.
        let shown = match name.char_indices().nth(27) {
            Some((end, _)) => format!("{}…", &name[..end]),
            None => name,
        };
        view! {
            <g
                class=move || format!("node {class}{}", if selected(sel) { " selected" } else { "" })
                role="button"
                tabindex="0"
                aria-label=aria
                on:click=move |_| pick()
                on:keydown=on_activate(pick)
            >
                <rect class="box" x=num(x) y=num(y - BOX_H / 2.0) width=num(w) height=num(BOX_H) rx=rx/>
                <text x=num(x + 26.0) y=num(y - 8.0) class="node-title small">{shown}</text>
            </g>
            <g aria-hidden="true" inner_html=move || live.get()/>
        }
    };
    let nodes_q = queues
        .iter()
        .zip(q_y)
        .map(|(q, &y)| {
            let sub = q.sub;
            let live = while_followed(move || {
                lab.view.with(|v| {
                    let Some(s) = v.messaging.as_ref().and_then(|m| m.subscriptions.get(sub.index())) else {
                        return String::new();
                    };
                    // Whole pixels and seconds: finer steps redraw without a visible change.
                    let w = Q_W - 20.0;
                    let fill = if s.depth == 0 { 0.0 } else { (s.depth as f64 / s.capacity.max(1) as f64 * w).max(2.0).min(w).round() };
                    format!(
                        r#"<text class="glyph queue-glyph" x="{}" y="{}">≣</text><text class="node-sub node-info" x="{}" y="{}">{} waiting · lag {} s{}</text><rect class="queue-track" x="{}" y="{}" width="{w}" height="5" rx="2"/><rect class="depth-bar" x="{}" y="{}" width="{fill}" height="5" rx="2"/>"#,
                        Dec(SVC_X + 10.0), Dec(y - 8.0),
                        Dec(SVC_X + 10.0), Dec(y + 8.0), s.depth, s.lag_ms / 1_000, if s.paused { " · paused" } else { "" },
                        Dec(SVC_X + 10.0), Dec(y + 14.0),
                        Dec(SVC_X + 10.0), Dec(y + 14.0), w = Dec(w), fill = Dec(fill))
                })
            });
            node(Selection::Queue(sub), SVC_X, y, Q_W, "2", "queue", "Queue", q.name.clone(), live)
        })
        .collect_view();
    let nodes_b = brokers
        .iter()
        .enumerate()
        .filter_map(|(b, name)| {
            let id = BrokerId::from(b);
            let y = broker_y(id)?;
            let live = while_followed(move || {
                let f = lab.view.with(|v| v.messaging.as_ref().and_then(|m| m.brokers.get(b)).map(|x| x.faults).unwrap_or_default());
                let (glyph, class) = broker_style(f);
                format!(
                    r#"<g class="{class}"><text class="glyph" x="{}" y="{}">{glyph}</text></g><text class="node-sub node-info" x="{}" y="{}">{}</text>"#,
                    Dec(INST_X + 10.0), Dec(y - 8.0), Dec(INST_X + 10.0), Dec(y + 12.0), present::broker_state(f)
                , class = class, glyph = glyph)
            });
            Some(node(Selection::Broker(id), INST_X, y, INST_W, "8", "broker", "Broker", name.clone(), live))
        })
        .collect_view();
    (edges, view! { {nodes_q} {nodes_b} })
}

/// The legend's items as HTML: fixed words and glyphs only, so one string rather than an
/// element each (each element is code in the wasm). With messaging, its edges and queue bar.
fn legend(messaging: bool) -> String {
    let mut h = String::new();
    let mut item = |class: &str, glyph: &str, words: &str| {
        h += &format!(
            r#"<li class="{class}"><span class="glyph" aria-hidden="true">{glyph}</span> {words}</li>"#
        );
    };
    for &s in &STATUSES {
        let (glyph, class) = status_style(s);
        item(class, glyph, present::status(s));
    }
    for b in [
        BreakerState::Closed,
        BreakerState::HalfOpen,
        BreakerState::Open,
    ] {
        let (glyph, words) = breaker_style(b);
        item(
            &format!("breaker-key {}", words.replace(' ', "-")),
            glyph,
            words,
        );
    }
    let mut edges = vec![
        ("solid", "routed (width and dots ∝ req/s)"),
        ("dashed", "not routed"),
        ("dependency", "service calls service"),
        ("bar", "busy slots (thin: queue)"),
        ("path", "on the picked trace's path (Traces)"),
    ];
    if messaging {
        edges.extend([
            ("publish", "publishes to a queue"),
            ("consume", "consumes from a queue"),
            ("depth", "≣ queue: waiting messages of its capacity"),
        ]);
    }
    for (swatch, words) in edges {
        h += &format!(r#"<li class="edge-key"><span class="swatch {swatch}"></span> {words}</li>"#);
    }
    h
}
