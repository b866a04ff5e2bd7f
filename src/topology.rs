//! The topology: clients → load balancer → services → instances, with the registry.
//!
//! Layout is a fixed function of the config (columns, one row per instance), so it does not
//! move while the run plays. Instance state is shown by colour, by a glyph and by words.

use crate::lab::use_lab;
use ha_engine::view::InstanceStatus;
use leptos::prelude::*;

const ROW_H: f64 = 64.0;
const SERVICE_GAP: f64 = 18.0;
const TOP: f64 = 28.0;
const NODE_H: f64 = 50.0;
const CLIENTS_X: f64 = 10.0;
const LB_X: f64 = 160.0;
const SVC_X: f64 = 350.0;
const INST_X: f64 = 545.0;
const INST_W: f64 = 225.0;
const BOX_W: f64 = 150.0;
const WIDTH: f64 = 780.0;

/// Glyph and CSS class for an instance status (never colour alone: glyph + words too).
pub fn status_style(s: InstanceStatus) -> (&'static str, &'static str) {
    match s {
        InstanceStatus::Serving => ("●", "st-serving"),
        InstanceStatus::OutOfRotation => ("◐", "st-out"),
        InstanceStatus::Booting => ("◌", "st-booting"),
        InstanceStatus::Standby => ("○", "st-standby"),
        InstanceStatus::Unlisted => ("◆", "st-unlisted"),
        InstanceStatus::DownListed => ("▲", "st-downlisted"),
        InstanceStatus::Down => ("✕", "st-down"),
    }
}

/// Stroke width for a flow of `rps` requests per second.
fn flow_width(rps: f64) -> f64 {
    (1.0 + rps.max(0.0).sqrt() * 0.9).min(14.0)
}

/// Centre y of each instance row, and of each service (mean of its rows).
fn layout(services: &[Vec<usize>]) -> (Vec<f64>, Vec<f64>, f64) {
    let n: usize = services.iter().map(Vec::len).sum();
    let mut inst_y = vec![0.0; n];
    let mut svc_y = Vec::new();
    let mut y = TOP + NODE_H / 2.0;
    for members in services {
        let start = y;
        for &i in members {
            inst_y[i] = y;
            y += ROW_H;
        }
        let end = y - ROW_H;
        svc_y.push((start + end) / 2.0);
        y += SERVICE_GAP;
    }
    let height = y - SERVICE_GAP - ROW_H + NODE_H / 2.0 + 70.0;
    (inst_y, svc_y, height)
}

/// The topology diagram.
#[component]
pub fn Topology() -> impl IntoView {
    let lab = use_lab();
    // The structure (which instance belongs to which service) only changes with the config.
    let shape = Memo::new(move |_| {
        lab.view.with(|v| {
            v.services
                .iter()
                .map(|s| s.instances.iter().map(|i| i.0 as usize).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        })
    });
    move || {
        let services = shape.get();
        let (inst_y, svc_y, height) = layout(&services);
        let mid_y = if svc_y.is_empty() {
            TOP
        } else {
            svc_y.iter().sum::<f64>() / svc_y.len() as f64
        };
        let reg_y = height - 40.0;
        let svc_edges = services
            .iter()
            .enumerate()
            .map(|(s, _)| {
                let sy = svc_y[s];
                let rps = lab.service(s, |x| x.rps);
                view! {
                    <path
                        class="edge"
                        d=format!(
                            "M{} {mid_y} C{} {mid_y} {} {sy} {SVC_X} {sy}",
                            LB_X + BOX_W,
                            LB_X + BOX_W + 50.0,
                            SVC_X - 50.0,
                        )
                        stroke-width=move || format!("{:.1}", flow_width(rps()))
                    />
                    <text class="edge-label" x=SVC_X - 12.0 y=sy - 8.0 text-anchor="end">
                        {move || format!("{:.1} req/s", rps())}
                    </text>
                }
            })
            .collect_view();
        let svc_nodes = services
            .iter()
            .enumerate()
            .map(|(s, members)| {
                let sy = svc_y[s];
                let n = members.len();
                let name = lab.service(s, |x| x.name.clone());
                let routed = lab.service(s, |x| x.upstreams.len());
                let strategy = lab.service(s, |x| x.strategy.clone());
                view! {
                    <g class="node service">
                        <rect x=SVC_X y=sy - NODE_H / 2.0 width=BOX_W height=NODE_H rx="8"/>
                        <text x=SVC_X + 10.0 y=sy - 6.0 class="node-title">{name}</text>
                        <text x=SVC_X + 10.0 y=sy + 13.0 class="node-sub">
                            {move || format!("{} · {}/{} routed", strategy(), routed(), n)}
                        </text>
                    </g>
                }
            })
            .collect_view();
        let inst_edges = services
            .iter()
            .enumerate()
            .flat_map(|(s, members)| members.iter().map(move |&i| (s, i)))
            .map(|(s, i)| {
                let (sy, iy) = (svc_y[s], inst_y[i]);
                let inst = lab.instance(i, |x| (x.in_balancer, x.rps));
                view! {
                    <path
                        class=move || if inst().0 { "edge" } else { "edge unrouted" }
                        d=format!(
                            "M{} {sy} C{} {sy} {} {iy} {INST_X} {iy}",
                            SVC_X + BOX_W,
                            SVC_X + BOX_W + 40.0,
                            INST_X - 40.0,
                        )
                        stroke-width=move || format!("{:.1}", if inst().0 { flow_width(inst().1) } else { 1.5 })
                    />
                }
            })
            .collect_view();
        let inst_nodes = (0..inst_y.len())
            .map(|i| {
                let iy = inst_y[i];
                let top = iy - NODE_H / 2.0;
                let status = move || lab.instance(i, |x| Some(x.status))().unwrap_or(InstanceStatus::Down);
                let detail = lab.instance(i, |x| match x.status {
                    InstanceStatus::Serving => format!(
                        "{} · ♥ {:.1} s ago",
                        x.status.label(),
                        x.heartbeat_age_ms.unwrap_or(0) as f64 / 1e3
                    ),
                    InstanceStatus::DownListed => format!(
                        "{} · expires in {:.1} s",
                        x.status.label(),
                        x.ttl_left_ms.unwrap_or(0) as f64 / 1e3
                    ),
                    s => s.label().to_string(),
                });
                let bar_w = INST_W - 20.0;
                let busy_frac = lab.instance(i, |x| x.cpu);
                let queue_frac = lab.instance(i, |x| {
                    (x.queued as f64 / (x.concurrency.max(1) * 4) as f64).min(1.0)
                });
                let title = lab.instance(i, |x| format!("{} ({}): {}", x.address, x.name, x.status.label()));
                let address = lab.instance(i, |x| x.address.clone());
                view! {
                    <g class=move || format!("node instance {}", status_style(status()).1)>
                        <title>{title}</title>
                        <rect class="box" x=INST_X y=top width=INST_W height=NODE_H rx="8"/>
                        <text x=INST_X + 10.0 y=iy - 8.0 class="node-title">
                            <tspan class="glyph">{move || status_style(status()).0}</tspan>
                            " "
                            {address}
                        </text>
                        <text x=INST_X + 10.0 y=iy + 10.0 class="node-sub">{detail}</text>
                        <g class="inflight">
                            <rect class="track" x=INST_X + 10.0 y=top + NODE_H - 8.0 width=bar_w height="4" rx="2"/>
                            <rect class="busy" x=INST_X + 10.0 y=top + NODE_H - 8.0 width=move || format!("{:.1}", bar_w * busy_frac()) height="4" rx="2"/>
                            <rect class="queue" x=INST_X + 10.0 y=top + NODE_H - 4.0 width=move || format!("{:.1}", bar_w * queue_frac()) height="2" rx="1"/>
                        </g>
                    </g>
                }
            })
            .collect_view();
        let total_rps = move || lab.view.with(|v| v.traffic_rps);
        let listed = move || {
            lab.view
                .with(|v| v.instances.iter().filter(|i| i.registered).count())
        };
        let (hb, ttl) = lab
            .view
            .with_untracked(|v| (v.heartbeat_interval_ms, v.heartbeat_timeout_ms));
        view! {
            <svg
                class="topology"
                viewBox=format!("0 0 {WIDTH} {height}")
                role="img"
                aria-label="Topology: clients send requests to the load balancer, which routes each service's requests to the instances the registry lists"
            >
                <text class="col-label" x=CLIENTS_X y="14">"CLIENTS"</text>
                <text class="col-label" x=LB_X y="14">"GATEWAY"</text>
                <text class="col-label" x=SVC_X y="14">"SERVICES"</text>
                <text class="col-label" x=INST_X y="14">"INSTANCES"</text>
                <path class="edge" d=format!("M{} {mid_y} L{LB_X} {mid_y}", CLIENTS_X + 120.0)
                    stroke-width=move || format!("{:.1}", flow_width(total_rps()))/>
                {svc_edges}
                {inst_edges}
                <g class="node clients">
                    <rect x=CLIENTS_X y=mid_y - NODE_H / 2.0 width="120" height=NODE_H rx="8"/>
                    <text x=CLIENTS_X + 10.0 y=mid_y - 6.0 class="node-title">"Clients"</text>
                    <text x=CLIENTS_X + 10.0 y=mid_y + 13.0 class="node-sub">{move || format!("{:.0} req/s", total_rps())}</text>
                </g>
                <g class="node lb">
                    <rect x=LB_X y=mid_y - NODE_H / 2.0 width=BOX_W height=NODE_H rx="8"/>
                    <text x=LB_X + 10.0 y=mid_y - 6.0 class="node-title">"Load balancer"</text>
                    <text x=LB_X + 10.0 y=mid_y + 13.0 class="node-sub">"watches the registry"</text>
                </g>
                <path class="edge watch" d=format!("M{} {} L{} {}", LB_X + BOX_W / 2.0, mid_y + NODE_H / 2.0, LB_X + BOX_W / 2.0, reg_y - 20.0)/>
                <g class="node registry">
                    <rect x=LB_X - 20.0 y=reg_y - 20.0 width=BOX_W + 40.0 height="44" rx="8"/>
                    <text x=LB_X - 10.0 y=reg_y - 2.0 class="node-title">{move || format!("Registry · {} listed", listed())}</text>
                    <text x=LB_X - 10.0 y=reg_y + 15.0 class="node-sub">{format!("heartbeat {} s · TTL {} s", hb / 1000, ttl / 1000)}</text>
                </g>
                {svc_nodes}
                {inst_nodes}
            </svg>
            <ul class="legend" aria-label="Instance states">
                <li class="st-serving"><span class="glyph">"●"</span>" serving"</li>
                <li class="st-downlisted"><span class="glyph">"▲"</span>" down, still listed (traffic fails)"</li>
                <li class="st-down"><span class="glyph">"✕"</span>" down, expired"</li>
                <li class="st-unlisted"><span class="glyph">"◆"</span>" up, not listed"</li>
                <li class="edge-key"><span class="swatch solid"></span>" routed (width ∝ req/s)"</li>
                <li class="edge-key"><span class="swatch dashed"></span>" not routed"</li>
                <li class="edge-key"><span class="swatch bar"></span>" busy slots (thin: queue)"</li>
            </ul>
        }
    }
}
