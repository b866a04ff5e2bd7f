//! The hash-ring view: virtual nodes as ticks (colour and shape per node), sample keys as dots,
//! the selected key's primary and replicas as arcs, node controls and the ownership table.
//!
//! Everything drawn comes from the engine's `RingView` and `KeyView`; this module only maps
//! ring positions (fractions of the hash space) to angles.

use crate::state::lab::use_lab;
use crate::views::markup::{clicked_data, esc, num};
use ha_engine::present::Dec;
use ha_engine::view::RingNodeView;
use ha_engine::{Action, ActionKind, ActionTarget};
use leptos::prelude::*;

const SIZE: f64 = 340.0;
const C: f64 = SIZE / 2.0;
const R: f64 = 105.0;

/// Okabe-Ito colours and a shape per node (never colour alone).
const COLOURS: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];
const SHAPES: [&str; 8] = ["●", "■", "▲", "◆", "★", "▼", "✚", "⬟"];

fn colour(n: u16) -> &'static str {
    COLOURS[n as usize % COLOURS.len()]
}

fn shape(n: u16) -> &'static str {
    SHAPES[n as usize % SHAPES.len()]
}

/// A data node's state in the ownership table: `removed` (left the ring), `up` or `failed`.
fn state(n: &RingNodeView) -> &'static str {
    if !n.member {
        "removed"
    } else if n.up {
        "up"
    } else {
        "failed"
    }
}

/// Position `f` (fraction of the ring, 0 at the top, clockwise) at radius `r`.
fn at(f: f64, r: f64) -> (f64, f64) {
    let a = f * std::f64::consts::TAU - std::f64::consts::FRAC_PI_2;
    // The browser's Math.cos/sin: Rust's f64::cos/sin would link a second copy of libm's
    // trigonometry into the wasm (the engine's libm copy is for determinism, not drawing).
    (C + r * js_sys::Math::cos(a), C + r * js_sys::Math::sin(a))
}

/// An SVG arc along radius `r` from `from` clockwise to `to` (fractions).
fn arc(from: f64, to: f64, r: f64) -> String {
    let span = (to - from).rem_euclid(1.0);
    let (x0, y0) = at(from, r);
    let (x1, y1) = at(from + span, r);
    let large = if span > 0.5 { 1 } else { 0 };
    format!(
        "M {x0:.1} {y0:.1} A {r} {r} 0 {large} 1 {x1:.1} {y1:.1}",
        x0 = Dec(x0),
        y0 = Dec(y0),
        x1 = Dec(x1),
        y1 = Dec(y1),
        r = Dec(r),
        large = large
    )
}

/// Radius of the replica labels, px: outside the replica arcs, inside the drawing.
const LABEL_R: f64 = R + 52.0;
/// Least distance between two replica labels along the ring, as a fraction of it (≈ 30 px at
/// [`LABEL_R`], a label's width and some air).
const LABEL_GAP: f64 = 0.03;

/// Where to write the labels of a key's replicas: the key is at `key` and the replicas' points
/// are `points`, in the clockwise order the engine walks the ring from the key (fractions of
/// the ring). Each label sits at its point, moved clockwise where needed so that it is at least
/// `gap` after the label before it; replicas on neighbouring virtual nodes are common, and their
/// labels would otherwise sit on top of each other. Returns one fraction in [0, 1) per point.
fn spread_labels(key: f64, points: &[f64], gap: f64) -> Vec<f64> {
    let mut prev = f64::NEG_INFINITY;
    points
        .iter()
        .map(|&p| {
            let along = (p - key).rem_euclid(1.0).max(prev + gap);
            prev = along;
            (key + along).rem_euclid(1.0)
        })
        .collect()
}

/// The ring panel, shown when the scenario has a replicated store.
#[component]
pub fn RingPanel() -> impl IntoView {
    let lab = use_lab();
    // The engine sends the ring when its generation changes, the picked key's view every frame.
    let generation = Memo::new(move |_| lab.view.with(|v| v.data.as_ref().map(|d| d.generation)));
    let (ring, key_view) = (lab.ring, lab.key_view);
    let input_value = RwSignal::new(String::new());
    let choose = move |text: String| {
        input_value.set(text.clone());
        lab.pick_key(text.trim().parse::<u64>().ok());
    };
    let command = move |action: Action| lab.act(action);
    // The table's shape: each node's state word, one after another (the words start with
    // different letters, so two shapes are equal only if every state is). Rows are rebuilt
    // only when it changes.
    let shape_of_rows = Memo::new(move |_| {
        ring.with(|r| {
            r.iter()
                .flat_map(|r| &r.nodes)
                .map(state)
                .collect::<String>()
        })
    });
    // A figure of node `i`, updated in place.
    let cell = move |i: usize, f: fn(&RingNodeView) -> String| {
        move || {
            ring.with(|r| {
                r.as_ref()
                    .and_then(|r| r.nodes.get(i))
                    .map(f)
                    .unwrap_or_default()
            })
        }
    };
    view! {
        <div class="ring-panel-body">
            <svg
                class="ring"
                on:click=move |ev: leptos::ev::MouseEvent| {
                    if let Some(k) = clicked_data(&ev, "key") {
                        choose(k);
                    }
                }
                data-generation=move || generation.get().unwrap_or(0).to_string()
                data-nodes=move || ring.with(|r| r.as_ref().map_or(0, |r| r.nodes.len()).to_string())
                viewBox=format!("0 0 {SIZE} {SIZE}", SIZE = Dec(SIZE))
                role="img"
                aria-label=move || ring.with(|r| match r {
                    Some(r) => format!(
                        "Hash ring with {} virtual nodes of {} data nodes and {} sample keys",
                        r.points.len(),
                        r.nodes.iter().filter(|n| n.member).count(),
                        r.keys.len()
                    ),
                    None => "Hash ring".into(),
                })
            >
                <circle cx=num(C) cy=num(C) r=num(R) class="ring-base"/>
                // Numbers, colours and glyphs only: strings of SVG cost far less code than an
                // element each, and the vnodes change only with the ring's generation.
                {move || ring.with(|r| {
                    r.as_ref().map(|r| {
                        let mut svg = String::new();
                        for &(f, n) in &r.points {
                            let (x0, y0) = at(f, R - 7.0);
                            let (x1, y1) = at(f, R + 7.0 + (n % 4) as f64 * 2.0);
                            let up = r.nodes.get(n as usize).is_none_or(|x| x.up);
                            svg += &format!(
                                r#"<line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="{}" stroke-width="{}" stroke-dasharray="{}" class="vnode"/>"#,
                                colour(n),
                                if up { "1.6" } else { "1" },
                                if up { "" } else { "2 2" },
                                x0 = Dec(x0),
                                y0 = Dec(y0),
                                x1 = Dec(x1),
                                y1 = Dec(y1)
                            );
                        }
                        view! { <g inner_html=svg/> }
                    })
                })}
                {move || key_view.with(|k| {
                    k.as_ref().map(|k| {
                        let (kx, ky) = at(k.position, R - 16.0);
                        let labels = spread_labels(k.position, &k.replica_points, LABEL_GAP);
                        let mut svg = format!(
                            r#"<line x1="{C}" y1="{C}" x2="{kx:.1}" y2="{ky:.1}" class="key-spoke"/><circle cx="{kx:.1}" cy="{ky:.1}" r="6" class="key selected"/>"#,
                            kx = Dec(kx),
                            ky = Dec(ky),
                            C = Dec(C)
                        );
                        for (i, ((&p, &n), l)) in k.replica_points.iter().zip(&k.replica_set).zip(labels).enumerate() {
                            let arc_r = R + 14.0 + 10.0 * i as f64;
                            let (x0, y0) = at(p, R - 9.0);
                            let (x1, y1) = at(p, arc_r + 4.0);
                            let (lx, ly) = at(l, LABEL_R - 9.0);
                            let (tx, ty) = at(l, LABEL_R);
                            let c = colour(n);
                            svg += &format!(
                                r#"<path d="{}" class="replica-arc" stroke="{c}" stroke-width="{}"/><line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="{c}" stroke-width="3" class="replica-tick"/><line x1="{x1:.1}" y1="{y1:.1}" x2="{lx:.1}" y2="{ly:.1}" stroke="{c}" class="replica-leader"/><text x="{tx:.1}" y="{ty:.1}" class="replica-label" text-anchor="middle" dominant-baseline="middle">{}{}</text>"#,
                                arc(k.position, p, arc_r),
                                if i == 0 { "5" } else { "3" },
                                shape(n),
                                i + 1,
                                x0 = Dec(x0),
                                y0 = Dec(y0),
                                x1 = Dec(x1),
                                y1 = Dec(y1),
                                lx = Dec(lx),
                                ly = Dec(ly),
                                tx = Dec(tx),
                                ty = Dec(ty)
                            );
                        }
                        view! { <g inner_html=svg/> }
                    })
                })}
                // The sample keys: one string of circles (numbers only), redrawn with the ring
                // (the selected key is drawn above, with its replicas); a click anywhere on the
                // ring reads the key it hit.
                {move || ring.with(|r| {
                    r.as_ref().map(|r| {
                        let mut svg = String::new();
                        for &(k, f) in &r.keys {
                            let (x, y) = at(f, R - 16.0);
                            svg += &format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" class="key" data-key="{k}"><title>key {k}</title></circle>"#, x = Dec(x), y = Dec(y));
                        }
                        view! { <g inner_html=svg/> }
                    })
                })}
                <text x=num(C) y=num(C) class="ring-centre" text-anchor="middle">
                    {move || key_view.with(|k| match k {
                        Some(k) => format!("key {}", k.key),
                        None => "select a key".into(),
                    })}
                </text>
            </svg>
            <div class="ring-side">
                <label class="key-pick">
                    "Key "
                    <input
                        type="number"
                        min="0"
                        inputmode="numeric"
                        aria-label="Key to locate"
                        prop:value=move || input_value.get()
                        on:input=move |ev| choose(event_target_value(&ev))
                    />
                </label>
                <p class="key-where" role="status" aria-live="polite">
                    {move || key_view.with(|k| match k {
                        None => "Type a key or click a dot to see where its replicas live.".to_string(),
                        Some(k) => {
                            let names = ring.with(|r| {
                                r.as_ref()
                                    .map(|r| {
                                        k.replica_set
                                            .iter()
                                            .enumerate()
                                            .map(|(i, n)| {
                                                let id = r.nodes.get(*n as usize).map_or("?", |x| x.id.as_str());
                                                if i == 0 { format!("{} {id} (primary)", shape(*n)) } else { format!("{} {id}", shape(*n)) }
                                            })
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    })
                                    .unwrap_or_default()
                            });
                            let live = k.copies.iter().filter(|(_, up)| *up).count();
                            format!("key {} → {} · {live} live copies", k.key, names)
                        }
                    })}
                </p>
                // Scrolls sideways on its own on a narrow screen instead of widening the panel.
                <div class="table-scroll">
                    <table class="ownership">
                        <caption>"Ownership"</caption>
                        <thead>
                            <tr><th scope="col">"node"</th><th scope="col">"state"</th><th scope="col">"key space"</th><th scope="col">"primary keys"</th><th scope="col">"copies"</th><th scope="col"><span class="sr-only">"actions"</span></th></tr>
                        </thead>
                        <tbody on:click=move |ev: leptos::ev::MouseEvent| {
                            if let (Some(act), Some(id)) = (clicked_data(&ev, "act"), clicked_data(&ev, "node")) {
                                let kind = match act.as_str() {
                                    "fail" => ActionKind::DataNodeFail,
                                    "recover" => ActionKind::DataNodeRecover,
                                    _ => ActionKind::DataNodeLeave,
                                };
                                command(Action::on(kind, ActionTarget::DataNode(id)));
                            }
                        }>
                            // Rows rebuilt only when a node joins, leaves, fails or recovers; the
                            // figures update in place. A row rebuilt under the pointer between
                            // press and release loses the click (the ring is re-sent whenever its
                            // generation changes: at every repair tick while keys lack replicas).
                            {move || {
                                // Read, not `track()`: a memo never read computes nothing and so never changes.
                                shape_of_rows.with(|_| ());
                                ring.with_untracked(|r| {
                                    r.as_ref().map(|r| {
                                        r.nodes
                                            .iter()
                                            .enumerate()
                                            .map(|(i, n)| {
                                                let up = n.up;
                                                let (act, label, node) = (if up { "fail" } else { "recover" }, if up { "Fail" } else { "Recover" }, esc(&n.id));
                                                let actions = if n.member {
                                                    format!(r#"<button data-act="{act}" data-node="{node}" aria-label="{label} {node}">{label}</button><button data-act="leave" data-node="{node}" aria-label="Remove {node}">Remove</button>"#)
                                                } else {
                                                    String::new()
                                                };
                                                view! {
                                                    <tr class=if n.member && up { "" } else { "dim" }>
                                                        <th scope="row">
                                                            <span class="node-glyph" style=format!("color:{}", colour(i as u16))>{shape(i as u16)}</span>
                                                            " " {n.id.clone()}
                                                        </th>
                                                        <td>{state(n)}</td>
                                                        <td>{cell(i, |n| format!("{:.1} %", Dec(n.keyspace_share * 100.0)))}</td>
                                                        <td>{cell(i, |n| n.primary_keys.to_string())}</td>
                                                        <td>{cell(i, |n| format!("{} / {}", n.copies, n.capacity))}</td>
                                                        // Markup: one handler on the table body serves every row's buttons.
                                                        <td class="node-actions" inner_html=actions/>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()
                                    })
                                })
                            }}
                        </tbody>
                    </table>
                </div>
                <button
                    on:click=move |_| {
                        let (n, cap) = ring.with_untracked(|r| r.as_ref().map_or((0, 1), |r| (r.nodes.len(), r.nodes.first().map_or(1, |x| x.capacity))));
                        command(Action::on(ActionKind::DataNodeJoin { capacity: cap, weight: 1 }, ActionTarget::DataNode(format!("node-{}", n + 1))));
                    }
                >
                    "Add node"
                </button>
                // Numbers and fixed words only: one string, rewritten with the view.
                <dl class="ring-stats" inner_html=move || {
                    let (under, reads, writes) = lab.view.with(|v| v.data.as_ref().map_or((0, String::new(), String::new()), |d| (
                        d.under_replicated,
                        format!("{} / {}", d.ops.reads_first, d.ops.reads_fallback),
                        format!("{} / {}", d.ops.writes_ok, d.ops.writes_failed),
                    )));
                    let (sigma, moved) = ring.with(|r| r.as_ref().map_or((String::new(), String::new()), |r| (
                        format!("{:.1} % of the mean", Dec(r.keyspace_stddev_pct)),
                        if r.changed { format!("{:.1} % of keys (ideal {:.1} %)", Dec(r.last_moved_pct), Dec(r.ideal_move_pct)) } else { "no change yet".into() },
                    )));
                    format!(
                        r#"<div><dt>Under-replicated keys</dt><dd class="under-replicated">{under}</dd></div><div><dt>Load σ (key space)</dt><dd>{sigma}</dd></div><div><dt>Last join or leave moved</dt><dd>{moved}</dd></div><div><dt>Reads: first replica / fell back</dt><dd>{reads}</dd></div><div><dt>Writes ok / failed</dt><dd>{writes}</dd></div>"#
                    )
                }></dl>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::spread_labels;

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
    }

    #[test]
    fn labels_far_apart_stay_at_their_points() {
        let got = spread_labels(0.1, &[0.2, 0.5, 0.9], 0.03);
        assert!(close(&got, &[0.2, 0.5, 0.9]), "{got:?}");
    }

    #[test]
    fn labels_of_neighbouring_points_are_pushed_clockwise_by_the_gap() {
        let got = spread_labels(0.1, &[0.2, 0.201, 0.202], 0.03);
        assert!(close(&got, &[0.2, 0.23, 0.26]), "{got:?}");
        // A later point past the pushed label keeps its own place.
        let got = spread_labels(0.1, &[0.2, 0.201, 0.3], 0.03);
        assert!(close(&got, &[0.2, 0.23, 0.3]), "{got:?}");
    }

    #[test]
    fn spreading_crosses_the_top_of_the_ring() {
        // Key just before the top; replicas on both sides of 0.
        let got = spread_labels(0.98, &[0.99, 0.995, 0.001], 0.03);
        assert!(close(&got, &[0.99, 0.02, 0.05]), "{got:?}");
    }
}
