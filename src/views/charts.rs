//! Load charts over the last 60 simulated seconds, drawn from the engine's per-second series.
//!
//! Per instance (small multiples, one card each): requests per second, in flight, p95 latency
//! and CPU, four bands sharing one time axis, each with its unit, its axis maximum and its
//! current value. Per service: success rate and p50/p95/p99 latency. Moving the pointer over
//! a chart (or focusing it and using the arrow keys) shows the values at that second.
//! Charts redraw when a new per-second point arrives, not every frame.

use crate::platform::progressive::{first_n, use_progressive, Keyed};
use crate::platform::visible::{use_visible, while_followed, MARGIN};
use crate::state::lab::use_lab;
use crate::views::facts::rows;
use crate::views::handoff::Handoff;
use crate::views::nodes::{breaker_style, status_style};
use crate::views::pace::Pace;
use crate::views::projection::{nice_ceiling, Projection};
use ha_engine::explain::Selection;
use ha_engine::metrics::SeriesPoint;
use ha_engine::present::Dec;
use ha_engine::view::InstanceView;
use ha_engine::ClusterView;
use ha_engine::{Action, ActionKind, InstanceId};
use leptos::prelude::*;
use std::sync::Arc;

const W: f64 = 320.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = W - 58.0;
const BAND_H: f64 = 30.0;
const BAND_GAP: f64 = 8.0;
const TOP: f64 = 6.0;

/// One band of a small-multiple chart: a metric of a series point, with its unit.
struct Band {
    label: &'static str,
    unit: &'static str,
    value: fn(&SeriesPoint) -> f64,
    /// Smallest axis maximum.
    floor: fn(&[SeriesPoint]) -> f64,
    class: &'static str,
}

const INSTANCE_BANDS: [Band; 4] = [
    Band {
        label: "req/s",
        unit: "req/s",
        value: |p| p.rps as f64,
        floor: |_| 5.0,
        class: "rps",
    },
    Band {
        label: "in flight",
        unit: "",
        value: |p| p.in_flight as f64,
        floor: |_| 4.0,
        class: "inflight",
    },
    Band {
        label: "p95",
        unit: "ms",
        value: |p| if p.samples > 0 { p.p95_ms } else { 0.0 },
        floor: |_| 50.0,
        class: "p95",
    },
    Band {
        label: "CPU",
        unit: "%",
        value: |p| p.cpu * 100.0,
        floor: |_| 100.0,
        class: "cpu",
    },
];

/// Simulated time as `m:ss` for axis labels.
fn fmt_clock(t_ms: f64) -> String {
    let s = (t_ms.max(0.0) / 1_000.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A value for an axis or read-out: no decimals from 10 up.
fn fmt_num(v: f64) -> String {
    if v >= 10.0 || v == 0.0 {
        format!("{v:.0}", v = Dec(v))
    } else {
        format!("{v:.1}", v = Dec(v))
    }
}

/// A latency axis label: ms below a second, s from there.
fn fmt_ms(ms: f64) -> String {
    if ms >= 1_000.0 {
        format!("{} s", fmt_num(ms / 1_000.0))
    } else {
        format!("{} ms", fmt_num(ms))
    }
}

/// The x projection of a series: the 60 s ending at its last point.
fn x_range(pts: &[SeriesPoint]) -> (f64, f64) {
    let x1 = pts.last().map_or(60_000.0, |p| p.t_ms as f64).max(60_000.0);
    (x1 - 60_000.0, x1)
}

/// Index of the point nearest to pixel `px` (viewBox units); `None` without points or `px`.
///
/// A chart's hover is a viewBox x, not a point: it is resolved here against the points as
/// they come, so a pointer that arrives before the first point (a card that has just scrolled
/// in) still shows its read-out once the points do, and the rule stays under the pointer while
/// the series slides.
fn nearest(pts: &[SeriesPoint], px: Option<f64>) -> Option<usize> {
    let px = px?;
    let (x0, x1) = x_range(pts);
    let t = x0 + (px - LEFT) / (RIGHT - LEFT) * (x1 - x0);
    pts.iter()
        .enumerate()
        .min_by(|a, b| {
            (a.1.t_ms as f64 - t)
                .abs()
                .total_cmp(&(b.1.t_ms as f64 - t).abs())
        })
        .map(|(i, _)| i)
}

/// Pointer position → viewBox x of the chart the event is on.
fn pointer_x(ev: &leptos::ev::MouseEvent) -> Option<f64> {
    use wasm_bindgen::JsCast;
    // Events are delegated: find the chart's own <svg> from the element under the pointer.
    let el = ev
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("svg")
        .ok()??;
    let r = el.get_bounding_client_rect();
    (r.width() > 0.0).then(|| (ev.client_x() as f64 - r.left()) / r.width() * W)
}

/// The pointer moved over a chart: the read-out follows the second nearest to it.
fn hover_at(ev: &leptos::ev::MouseEvent, hover: RwSignal<Option<f64>>) {
    if let Some(x) = pointer_x(ev) {
        hover.set(Some(x));
    }
}

/// Share of the calls that ended in that second which succeeded, % (`None`: no calls).
fn success_pct(p: &SeriesPoint) -> Option<f64> {
    (p.rps > 0).then(|| 100.0 * (1.0 - p.errors as f64 / p.rps as f64))
}

/// Arrow keys move the read-out along the time axis, a simulated second (a point) a press;
/// Home and End go to the axis' ends, Escape leaves.
fn step_hover(ev: &leptos::ev::KeyboardEvent, hover: RwSignal<Option<f64>>) {
    let cur = hover.get_untracked().unwrap_or(RIGHT);
    let second = (RIGHT - LEFT) / 60.0;
    let next = match ev.key().as_str() {
        "ArrowLeft" => cur - second,
        "ArrowRight" => cur + second,
        "Home" => LEFT,
        "End" => RIGHT,
        "Escape" => {
            hover.set(None);
            return;
        }
        _ => return,
    };
    ev.prevent_default();
    hover.set(Some(next.clamp(LEFT, RIGHT)));
}

/// The name of a band whose top is at `top` px, as markup: drawn after the band's lines, so it
/// stands over them (its halo is the card's colour, `.band-label`).
fn band_label(top: f64, text: &str) -> String {
    format!(
        r#"<text class="band-label" x="{}" y="{}">{text}</text>"#,
        Dec(LEFT + 3.0),
        Dec(top + 9.0)
    )
}

/// Small-multiple bands over `pts` with an optional hover (viewBox x, [`nearest`]). The structure is built once;
/// when a new point arrives only paths and labels change (no DOM churn at 10× or 100×).
#[component]
fn Bands(
    pts: Memo<Vec<SeriesPoint>>,
    bands: &'static [Band],
    hover: RwSignal<Option<f64>>,
) -> impl IntoView {
    let x = Memo::new(move |_| pts.with(|p| x_range(p)));
    let mut y = TOP;
    let mut views = Vec::new();
    for b in bands {
        let top = y;
        let geo = Memo::new(move |_| {
            pts.with(|pts| {
                let (x0, x1) = x_range(pts);
                let max = nice_ceiling(pts.iter().map(b.value).fold(0.0, f64::max), (b.floor)(pts));
                let p = Projection {
                    x0,
                    x1,
                    y0: 0.0,
                    y1: max,
                    left: LEFT,
                    right: RIGHT,
                    top,
                    bottom: top + BAND_H,
                };
                let xy = pts.iter().map(|q| (q.t_ms as f64, (b.value)(q)));
                let unit = if b.unit.is_empty() || b.unit == b.label {
                    String::new()
                } else {
                    format!(" {}", b.unit)
                };
                let now = pts
                    .last()
                    .map(|q| format!("{}{unit}", fmt_num((b.value)(q))))
                    .unwrap_or_else(|| "—".into());
                let scale = match b.unit {
                    "ms" => fmt_ms(max).replace(' ', ""),
                    "%" => format!("{}%", fmt_num(max)),
                    _ => fmt_num(max),
                };
                // Numbers only: one string of SVG per band, redrawn per new point, costs far
                // less code than a binding per element (the fixed parts are `frame`).
                format!(
                    r#"<text class="tick" x="{tick_x}" y="{}" text-anchor="end">{scale}</text><path class="area" d="{}"/><path class="line" d="{}"/><text class="now-value" x="{}" y="{}">{now}</text>"#,
                    Dec(top + 8.0),
                    p.area(xy.clone()),
                    p.line(xy),
                    Dec(RIGHT + 4.0),
                    Dec(top + 19.0),
                    tick_x = Dec(LEFT - 4.0), scale = scale, now = now)
            })
        });
        // The grid and the band's zero, built once (as the service chart's); its name is drawn
        // over the lines, which otherwise hid it.
        let frame = format!(
            r#"<line class="grid" x1="{LEFT}" x2="{RIGHT}" y1="{base}" y2="{base}"/><line class="grid faint" x1="{LEFT}" x2="{RIGHT}" y1="{top}" y2="{top}"/><text class="tick" x="{tick_x}" y="{base}" text-anchor="end">0</text>"#,
            base = Dec(top + BAND_H),
            tick_x = Dec(LEFT - 4.0),
            LEFT = Dec(LEFT),
            RIGHT = Dec(RIGHT),
            top = Dec(top)
        );
        let label = band_label(top, b.label);
        views.push(view! { <g class=format!("band {}", b.class)><g inner_html=frame/><g inner_html=move || geo.get()/><g inner_html=label/></g> });
        y += BAND_H + BAND_GAP;
    }
    view! {
        {views}
        <TimeAxis range=x hover axis_y=y - BAND_GAP + 12.0 bottom=y - BAND_GAP/>
    }
}

/// The time axis under a chart (ticks at the start, middle and end of `range`, ms, drawn at
/// `axis_y` px) and the hover rule at `hover` (viewBox x), from the top to `bottom` px.
#[component]
fn TimeAxis(
    #[prop(into)] range: Signal<(f64, f64)>,
    hover: RwSignal<Option<f64>>,
    axis_y: f64,
    bottom: f64,
) -> impl IntoView {
    // The rule stands at the hover itself (the pointer, or the point a key moved to), inside
    // the plot; the read-out names the second nearest to it.
    let hover_x = move || hover.get().map(|x| x.clamp(LEFT, RIGHT));
    // Numbers only: one string of SVG, redrawn when the range or the hover point moves.
    view! {
        <g inner_html=move || {
            let (x0, x1) = range.get();
            let mut h = String::new();
            for f in [0.0, 0.5, 1.0] {
                h += &format!(
                    r#"<text class="tick" x="{}" y="{axis_y}" text-anchor="middle">{}</text>"#,
                    Dec(LEFT + f * (RIGHT - LEFT)),
                    fmt_clock(x0 + f * (x1 - x0)),
                    axis_y = Dec(axis_y)
                );
            }
            if let Some(x) = hover_x() {
                h += &format!(r#"<line class="hover-rule" x1="{x}" x2="{x}" y1="{TOP}" y2="{bottom}"/>"#, x = Dec(x), TOP = Dec(TOP), bottom = Dec(bottom));
            }
            h
        }/>
    }
}

/// Instance cards built with the panel; the rest follow [`CARDS_PER_FRAME`] per animation
/// frame ([`use_progressive`]).
const CARDS_AT_ONCE: usize = 8;

/// Instance cards built per animation frame after the first [`CARDS_AT_ONCE`]: about 5 ms each
/// in the release build, so a frame's batch stays well under a long task (50 ms).
const CARDS_PER_FRAME: usize = 6;

/// One card per instance, in config order (small multiples).
#[component]
pub fn InstanceCharts() -> impl IntoView {
    let lab = use_lab();
    let count = Memo::new(move |_| lab.view.with(|v| v.instances.len()));
    let class = move || {
        if count.get() > 12 {
            "cards dense"
        } else {
            "cards"
        }
    };
    // A heavy link's 64 cards are built a few per frame, not in one long task.
    let mounted = use_progressive(count, CARDS_AT_ONCE, CARDS_PER_FRAME);
    view! {
        <div class=class>
            <Keyed each=first_n(mounted) item=Arc::new(|i| view! { <InstanceCard index=i/> }.into_any())/>
        </div>
    }
}

/// The card of instance `index`.
#[component]
fn InstanceCard(index: usize) -> impl IntoView {
    let lab = use_lab();
    let (address, name, service) = lab.view.with_untracked(|v| {
        let i = &v.instances[index];
        (
            i.address.clone(),
            i.name.clone(),
            v.services[i.service.index()].name.clone(),
        )
    });
    let id = InstanceId::from(index);
    // The card's text and chart follow the run only while the card is on screen (they catch
    // up when it scrolls back); its state badge, data attributes and buttons always follow.
    let card_ref = NodeRef::<leptos::html::Article>::new();
    let visible = use_visible(card_ref, MARGIN);
    let live = lab.instance_signal(index);
    let shown = Memo::new(move |_| {
        if visible.get() {
            live.get()
        } else {
            live.get_untracked()
        }
    });
    let up = lab.instance_state(index, |x| x.up);
    let status = lab.instance_state(index, |x| Some(x.status));
    let breaker = lab.instance_state(index, |x| x.breaker);
    let handoff = Handoff::new(up);

    let sel = Selection::Instance(id);
    let selected = move || lab.selection.with(|s| *s == Some(sel));
    view! {
        <article
            node_ref=card_ref
            class=move || format!("card {}{}", status().map_or("", |s| status_style(s).1), if selected() { " selected" } else { "" })
            aria-label=format!("Instance {address}")
            data-address=address.clone()
            data-status=move || status().map(|s| format!("{s:?}")).unwrap_or_default()
            data-served=lab.instance(index, |x| x.served.to_string())
            data-candidate=lab.instance_state(index, |x| x.candidate.to_string())
        >
            <header>
                <h3>
                    <span class="glyph" aria-hidden="true">{move || status().map_or("", |s| status_style(s).0)}</span>
                    " " {address.clone()}
                </h3>
                <span class="badge">{move || status().map_or("", ha_engine::present::status)}</span>
            </header>
            <p class="sub">
                {name} " · " {service}
                <span class="breaker-badge" inner_html=move || breaker().map_or(String::new(), |b| format!(" · {} {}", breaker_style(b).0, breaker_style(b).1))></span>
            </p>
            <dl class="stats" inner_html=move || shown.with(|x| x.as_ref().map_or(String::new(), |x| rows(vec![
                    ("served", x.served.to_string()),
                    ("errors", (x.errors + x.timeouts).to_string()),
                    ("in flight", format!("{} + {} queued", x.busy, x.queued)),
                    ("p50 / p99", if x.latency_samples == 0 { "—".to_string() } else { format!("{:.0} / {:.0} ms", Dec(x.p50_ms), Dec(x.p99_ms)) }),
                ])))></dl>
            <InstanceChart index=index shown=shown/>
            <div class="actions">
                <button class="danger" node_ref=handoff.crash aria-label=format!("Crash {address}") disabled=move || !up() on:click=move |_| { handoff.crashed(); lab.act(Action::on(ActionKind::Crash, id)) }>
                    "Crash"
                </button>
                <button node_ref=handoff.restart aria-label=format!("Restart {address}") disabled=up on:click=move |_| { handoff.restarted(); lab.act(Action::on(ActionKind::Restart, id)) }>
                    "Restart"
                </button>
                <button aria-label=format!("Inspect {address}") aria-pressed=move || selected().to_string() on:click=move |_| lab.select(Some(sel))>
                    "Inspect"
                </button>
            </div>
        </article>
    }
}

/// The instance's four bands with a hover read-out.
#[component]
fn InstanceChart(index: usize, shown: Memo<Option<InstanceView>>) -> impl IntoView {
    let lab = use_lab();
    let pts = Memo::new(move |_| {
        shown.with(|i| i.as_ref().map(|i| i.series.clone()).unwrap_or_default())
    });
    let address = lab
        .view
        .with_untracked(|v| v.instances[index].address.clone());
    let hover: RwSignal<Option<f64>> = RwSignal::new(None);
    let readout = move || {
        pts.with(|pts| {
            let i = nearest(pts, hover.get()).or(pts.len().checked_sub(1))?;
            let p = pts.get(i)?;
            Some(format!(
                "{} · {} req/s · {} in flight ({} queued) · p95 {} · CPU {:.0} %",
                fmt_clock(p.t_ms as f64),
                p.rps,
                p.in_flight,
                p.queued,
                if p.samples > 0 {
                    format!("{:.0} ms", Dec(p.p95_ms))
                } else {
                    "—".into()
                },
                Dec(p.cpu * 100.0)
            ))
        })
    };
    let label = format!("Load of {address}, last 60 simulated seconds: req/s, in flight, p95 latency (ms) and CPU (%). Arrow keys move the read-out.");
    view! {
        <figure class="chart">
            <svg
                viewBox=move || format!("0 0 {} {:.0}", Dec(W), Dec(TOP + 4.0 * (BAND_H + BAND_GAP) + 10.0))
                role="img"
                tabindex="0"
                aria-label=label
                on:mousemove=move |ev| hover_at(&ev, hover)
                on:mouseleave=move |_| hover.set(None)
                on:keydown=move |ev| step_hover(&ev, hover)
            >
                <Bands pts=pts bands=&INSTANCE_BANDS hover=hover/>
            </svg>
            <figcaption>
                <output class="readout" data-hover=move || hover.get().is_some().to_string()>{readout}</output>
            </figcaption>
        </figure>
    }
}

/// Per-service charts: success rate and p50/p95/p99 of calls to it.
#[component]
pub fn ServiceCharts() -> impl IntoView {
    let lab = use_lab();
    let count = Memo::new(move |_| lab.view.with(|v| v.services.len()));
    let mounted = use_progressive(count, CARDS_AT_ONCE / 2, CARDS_PER_FRAME / 2);
    view! {
        <div class="service-charts">
            <Keyed each=first_n(mounted) item=Arc::new(|s| view! { <ServiceChart index=s/> }.into_any())/>
        </div>
    }
}

/// Success rate (top) and p50/p95/p99 latency (bottom) of service `index`: compare mode's
/// side B with `side_b`, redrawn with `pace` while playing when one is given (compare mode's
/// beat, shared with its tables) rather than with every new point.
#[component]
pub fn ServiceChart(
    index: usize,
    #[prop(optional)] side_b: bool,
    #[prop(optional)] pace: Option<Pace>,
) -> impl IntoView {
    let lab = use_lab();
    let series = lab.service(index, |s| s.series.clone());
    let of = move |v: &ClusterView| {
        v.services
            .get(index)
            .map(|s| s.series.clone())
            .unwrap_or_default()
    };
    // In compare mode both sides from their views, which come together (a service's own
    // signal is redrawn in its group, a frame apart: side A's chart stood a second off B's).
    let live = move || match (side_b, pace) {
        (true, _) => lab
            .compare_view
            .with(|b| b.as_ref().map(of).unwrap_or_default()),
        (false, Some(_)) => lab.view.with(of),
        (false, None) => series(),
    };
    let pts = while_followed(move || match pace {
        Some(p) => {
            p.track();
            untrack(live)
        }
        None => live(),
    });
    let (name, idle) = lab.view.with_untracked(|v| {
        // A consumer's work comes as messages, not calls: its chart says where to look.
        let consumes = v
            .messaging
            .as_ref()
            .is_some_and(|m| m.subscriptions.iter().any(|s| s.consumer.index() == index));
        (
            v.services[index].name.clone(),
            if consumes {
                "no calls: it takes its work from a queue (see Queues)"
            } else {
                "no calls"
            },
        )
    });
    let hover: RwSignal<Option<f64>> = RwSignal::new(None);
    const H: f64 = 150.0;
    // Latency band, px: fixed, so only the paths, the scale label and the time ticks change.
    const LAT_TOP: f64 = TOP + 48.0;
    const LAT_BOTTOM: f64 = H - 22.0;
    // The structure below is built once; a new point changes only the geometry's strings (no DOM
    // rebuild per simulated second).
    let geo = Memo::new(move |_| {
        pts.with(|pts| {
            let (x0, x1) = x_range(pts);
            let ok = Projection {
                x0,
                x1,
                y0: 0.0,
                y1: 100.0,
                left: LEFT,
                right: RIGHT,
                top: TOP,
                bottom: TOP + 34.0,
            };
            let lat_max = nice_ceiling(
                pts.iter()
                    .filter(|p| p.samples > 0)
                    .map(|p| p.p99_ms)
                    .fold(0.0, f64::max),
                50.0,
            );
            let lat = Projection {
                y1: lat_max,
                top: LAT_TOP,
                bottom: LAT_BOTTOM,
                ..ok
            };
            let with = |f: fn(&SeriesPoint) -> f64| {
                lat.line(
                    pts.iter()
                        .filter(|p| p.samples > 0)
                        .map(|p| (p.t_ms as f64, f(p))),
                )
            };
            // Numbers only: the lines and the latency scale, redrawn per new point (the fixed
            // parts are `frame`, built once).
            format!(
                r#"<path class="line success" d="{}"/><text class="tick" x="{tick_x}" y="{}" text-anchor="end">{}</text><path class="line p50" d="{}"/><path class="line p95" d="{}"/><path class="line p99" d="{}"/>"#,
                // Only the seconds with calls: a service that only consumes from a queue
                // has no success rate, not 100 %.
                ok.line(pts.iter().filter_map(|p| Some((p.t_ms as f64, success_pct(p)?)))),
                Dec(LAT_TOP + 8.0),
                fmt_ms(lat_max),
                with(|p| p.p50_ms),
                with(|p| p.p95_ms),
                with(|p| p.p99_ms),
                tick_x = Dec(LEFT - 4.0)
            )
        })
    });
    // The grid and the fixed words, built once: rewritten with every point they were half of
    // each redraw's cost in the browser (1.24 ms to parse, style and lay out the whole chart
    // again, 0.63 ms without its text, in compare mode on `stress`), which at 10x in compare
    // mode is 30 charts a second.
    let frame = format!(
        r#"<line class="grid" x1="{LEFT}" x2="{RIGHT}" y1="{TOP}" y2="{TOP}"/><line class="grid" x1="{LEFT}" x2="{RIGHT}" y1="{ok_bottom}" y2="{ok_bottom}"/><text class="tick" x="{tick_x}" y="{}" text-anchor="end">100 %</text><text class="tick" x="{tick_x}" y="{ok_bottom}" text-anchor="end">0</text><text class="band-label" x="{label_x}" y="{}">latency p50 / p95 / p99</text><line class="grid" x1="{LEFT}" x2="{RIGHT}" y1="{LAT_TOP}" y2="{LAT_TOP}"/><line class="grid" x1="{LEFT}" x2="{RIGHT}" y1="{LAT_BOTTOM}" y2="{LAT_BOTTOM}"/><text class="tick" x="{tick_x}" y="{LAT_BOTTOM}" text-anchor="end">0</text>"#,
        Dec(TOP + 8.0),
        Dec(LAT_TOP - 4.0),
        ok_bottom = Dec(TOP + 34.0),
        label_x = Dec(LEFT + 3.0),
        tick_x = Dec(LEFT - 4.0),
        LEFT = Dec(LEFT),
        RIGHT = Dec(RIGHT),
        TOP = Dec(TOP),
        LAT_TOP = Dec(LAT_TOP),
        LAT_BOTTOM = Dec(LAT_BOTTOM)
    );
    let range = Memo::new(move |_| pts.with(|p| x_range(p)));
    let readout = move || {
        pts.with(|pts| {
            let i = nearest(pts, hover.get()).or(pts.len().checked_sub(1))?;
            let p = pts.get(i)?;
            let ok = success_pct(p).map_or(idle.to_string(), |pct| {
                format!("{pct:.1} % ok of {} calls/s", p.rps, pct = Dec(pct))
            });
            Some(if p.samples > 0 {
                format!(
                    "{} · {ok} · p50 {:.0} ms · p95 {:.0} ms · p99 {:.0} ms",
                    fmt_clock(p.t_ms as f64),
                    Dec(p.p50_ms),
                    Dec(p.p95_ms),
                    Dec(p.p99_ms)
                )
            } else {
                format!("{} · {ok}", fmt_clock(p.t_ms as f64))
            })
        })
    };
    let label = format!(
        "{name}{}: success rate and p50, p95 and p99 latency over the last 60 simulated seconds. Arrow keys move the read-out.",
        if side_b { " (side B)" } else { "" }
    );
    view! {
        <figure class="chart service-chart" aria-label=format!("Service {name}")>
            <figcaption class="chart-title">{name.clone()}</figcaption>
            <svg
                viewBox=format!("0 0 {W} {H}", W = Dec(W), H = Dec(H))
                role="img"
                tabindex="0"
                aria-label=label
                on:mousemove=move |ev| hover_at(&ev, hover)
                on:mouseleave=move |_| hover.set(None)
                on:keydown=move |ev| step_hover(&ev, hover)
            >
                <g inner_html=frame/>
                <g inner_html=move || geo.get()/>
                // Over the success line, which runs along its top at 100 %.
                <g inner_html=band_label(TOP, "success %")/>
                <TimeAxis range hover axis_y=H - 6.0 bottom=LAT_BOTTOM/>
            </svg>
            <div class="chart-legend">
                <span><span class="swatch success"></span>" success %"</span>
                <span><span class="swatch p50"></span>" p50"</span>
                <span><span class="swatch p95"></span>" p95 (dashed)"</span>
                <span><span class="swatch p99"></span>" p99 (dotted)"</span>
            </div>
            <output class="readout" data-hover=move || hover.get().is_some().to_string()>{readout}</output>
        </figure>
    }
}
