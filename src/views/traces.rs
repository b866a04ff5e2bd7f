//! Distributed traces (issue 25; the seeds' `microservice-patterns.md` §3.1): the list of
//! sampled requests through the selected service or instance (or the whole cluster), filtered
//! failed, retried or slowest first, and the picked trace's waterfall: a bar per span on a
//! shared ms axis, nested by parent, with the mechanisms' marks in words (the engine's
//! `present::trace`) and shapes. A span's button selects its instance; the picked trace's
//! hops are highlighted on the topology.
//!
//! Both are one string of markup each (names escaped) with one click handler, as the alert
//! feed is: a tree of views per row would cost kilobytes of wasm.

use crate::platform::visible::{find, Follow};
use crate::state::lab::{use_lab, Lab};
use crate::views::markup::{clicked_data, esc};
use ha_engine::common::Outcome;
use ha_engine::explain::Selection;
use ha_engine::present::trace::{ms, sampling, span_label, span_marks, trace_line};
use ha_engine::present::Dec;
use ha_engine::present::Names;
use ha_engine::trace::{Trace, TraceFilter};
use ha_engine::{InstanceId, ServiceId};
use leptos::prelude::*;

/// The trace list's rows, one button each (`data-trace` = request id).
fn list(traces: &[Trace], picked: Option<u64>) -> String {
    traces
        .iter()
        .map(|t| {
            format!(
                r#"<li><button data-trace="{0}" aria-pressed="{1}" class="{2}">{3}</button></li>"#,
                t.request,
                picked == Some(t.request),
                if t.failed() { "failed" } else { "ok" },
                esc(&trace_line(t))
            )
        })
        .collect()
}

/// The shape at a span's end: the outcome as a glyph (never colour alone), as the request
/// totals show them.
fn glyph(o: Option<Outcome>) -> &'static str {
    match o {
        Some(Outcome::Ok) => "✓",
        Some(Outcome::Error) => "✕",
        Some(Outcome::Timeout) => "◔",
        Some(Outcome::Rejected) => "⊘",
        Some(Outcome::ShortCircuited) => "⚡",
        Some(Outcome::NoHealthyUpstream) => "∅",
        None => "⇢",
    }
}

/// The waterfall of `t`: an axis in ms, then a row per span (nested by parent) with its
/// label (a button selecting its instance, or its service), its bar (the wait for a slot
/// hatched, a publish as ✉, a retry's back-off dotted after it) and its marks.
fn waterfall(t: &Trace, names: &impl Names) -> String {
    let t0 = t.start_us;
    let total = t.latency_us().unwrap_or(1).max(1) as f64;
    let pct = |us: u64| (us.saturating_sub(t0) as f64 / total * 100.0).min(100.0);
    let total_us = t.latency_us().unwrap_or(0);
    let mut html = format!(
        r#"<div class="axis" aria-hidden="true"><span></span><div><span>0 ms</span><span>{}</span><span>{}</span></div></div><ol class="spans">"#,
        ms(total_us / 2),
        ms(total_us)
    );
    let mut depth = vec![0usize; t.spans.len()];
    for s in &t.spans {
        let d = s
            .parent
            .map_or(0, |p| depth.get(p as usize).map_or(0, |d| d + 1));
        depth[s.span_id as usize] = d;
        let end = s.end_us.unwrap_or(s.start_us);
        let (l, r) = (pct(s.start_us), pct(end));
        let mut bar = String::new();
        if let Some(from) = s.served_from_us.filter(|f| *f > s.start_us) {
            bar += &format!(
                r#"<i class="wait" style="left:{l:.2}%;width:{:.2}%"></i>"#,
                Dec(pct(from) - l),
                l = Dec(l)
            );
        }
        bar += &format!(
            r#"<i class="bar" style="left:{l:.2}%;width:{:.2}%"></i><b style="left:{r:.2}%">{}</b>"#,
            Dec(r - l),
            glyph(s.outcome),
            l = Dec(l),
            r = Dec(r)
        );
        // The instance's own work, solid over the call's bar (the rest is waiting: for a
        // slot, or for the calls it made).
        if let (Some(from), Some(until)) = (s.served_from_us, s.served_until_us) {
            bar += &format!(
                r#"<i class="served" style="left:{:.2}%;width:{:.2}%"></i>"#,
                Dec(pct(from)),
                Dec(pct(until) - pct(from))
            );
        }
        if let Some(p) = s.published_at_us {
            bar += &format!(r#"<b class="pub" style="left:{:.2}%">✉</b>"#, Dec(pct(p)));
        }
        if let Some(b) = s.retry_after_us {
            bar += &format!(
                r#"<i class="backoff" style="left:{r:.2}%;width:{:.2}%"></i>"#,
                Dec(pct(end + b) - r),
                r = Dec(r)
            );
        }
        let target = match s.instance {
            Some(i) => format!(r#"data-instance="{}""#, i.0),
            None => format!(r#"data-service="{}""#, s.service.0),
        };
        let marks: String = span_marks(s, names)
            .iter()
            .map(|m| format!("<li>{}</li>", esc(m)))
            .collect();
        html += &format!(
            r#"<li class="span o-{}" style="--depth:{d}"><button {target}>{}</button><div class="track" aria-hidden="true">{bar}</div><ul class="span-marks">{marks}</ul></li>"#,
            s.outcome
                .map_or("open", |o| if o == Outcome::Ok { "ok" } else { "failed" }),
            esc(&span_label(s, names)),
        );
    }
    html + r#"</ol><p class="hint">Solid: the instance at work · light: waiting for its calls · hatched: waiting for a slot · dotted: a retry's back-off · ✉ a publish · ✓ ok · ✕ failed · ◔ timed out · ⚡ short-circuited</p>"#
}

/// The trace panel: scope and filter, the list, and the picked trace's waterfall with Replay
/// from its start and Close. Everything but the filter is one string of markup (rewritten
/// only when it changes) with one click handler, which acts on the `data-` attribute of what
/// was clicked.
#[component]
pub fn Traces() -> impl IntoView {
    let lab = use_lab();
    // The list comes from the engine side: with every full redraw (a pause, a step, an
    // action, a selection, which is also its scope), when the filter changes, and twice a
    // second while playing and the panel follows the run (every frame it would scroll away
    // under the pointer; scrolled away, each rewrite still cost its frame about 3 ms of the
    // main thread at 10x on `stress`, Chromium trace). Asked for after this first render, not
    // during it.
    request_animation_frame(move || lab.ask_traces(Some(TraceFilter::All)));
    // A list that lands under a press is dropped: the row pressed would be replaced before
    // its release, and get no click.
    Lab::hold_traces_while(|| find(".trace-list:active").is_some());
    on_cleanup(|| Lab::hold_traces_while(|| false));
    // The `Follow` itself, not its memo: `.map(|f| f.0)` here cost the page 234 B gzipped.
    let follow = use_context::<Follow>();
    if let Ok(h) = set_interval_with_handle(
        move || {
            // A list that lands while a row is pressed is dropped ([`Lab::hold_traces_while`]).
            if lab.playing.get_untracked() && follow.is_none_or(|f| f.0.get_untracked()) {
                lab.want_traces();
            }
        },
        std::time::Duration::from_millis(500),
    ) {
        on_cleanup(move || {
            h.clear();
            lab.ask_traces(None);
        });
    }
    let rows_html = move || {
        let scope = lab.selection.get();
        let picked = lab.trace.with(|t| t.as_ref().map(|t| t.request));
        let rate = lab
            .scenario
            .with(|s| sampling(s.cluster.tracing.sample_rate));
        lab.with_config(|s| {
            let scope_words = match scope {
                Some(Selection::Service(x)) => format!("Through {}", esc(s.service(x))),
                Some(Selection::Instance(i)) => format!("Through {}", esc(s.instance(i))),
                _ => "The whole cluster (select a service or an instance for the requests through it)".into(),
            };
            let rows = lab.trace_list.with(|t| list(t, picked));
            format!(
                r#"<p class="muted small">{scope_words}</p><ol class="trace-list" aria-label="Sampled requests">{rows}</ol><p class="hint">{}{rate}</p>"#,
                if rows.is_empty() { "No sampled request has finished here yet. " } else { "" }
            )
        })
    };
    // The picked trace's waterfall: rebuilt only when the pick changes.
    let chart_html = move || {
        lab.trace.with(|picked| {
            picked.as_ref().map_or(String::new(), |t| {
                lab.with_config(|c| {
                    format!(
                        r#"<section class="waterfall" aria-labelledby="trace-h"><h3 id="trace-h">{}</h3><div class="row"><button data-act="replay">Replay from its start</button><button class="secondary" data-act="close">Close</button></div>{}</section>"#,
                        esc(&trace_line(t)),
                        waterfall(t, c)
                    )
                })
            })
        })
    };
    let click = move |ev: leptos::ev::MouseEvent| {
        let n = |k| clicked_data(&ev, k).and_then(|v| v.parse::<u64>().ok());
        if let Some(r) = n("trace") {
            lab.pick_trace(Some(r));
        } else if let Some(i) = n("instance") {
            lab.select(Some(Selection::Instance(InstanceId(i as u32))));
        } else if let Some(x) = n("service") {
            lab.select(Some(Selection::Service(ServiceId(x as u16))));
        } else if let Some(act) = clicked_data(&ev, "act") {
            let start = lab
                .trace
                .with_untracked(|t| t.as_ref().map(|t| t.start_us / 1_000));
            match (act.as_str(), start) {
                ("replay", Some(ms)) => lab.pause_at(ms),
                _ => lab.pick_trace(None),
            }
        }
    };
    view! {
        <label class="field">
            <span>"Show"</span>
            <select on:change=move |ev| lab.ask_traces(Some(match event_target_value(&ev).as_str() {
                "failed" => TraceFilter::Failed,
                "retried" => TraceFilter::Retried,
                "slowest" => TraceFilter::Slowest,
                _ => TraceFilter::All,
            }))>
                <option value="all">"newest first"</option>
                <option value="failed">"with errors"</option>
                <option value="retried">"retried only"</option>
                <option value="slowest">"slowest first"</option>
            </select>
        </label>
        <div on:click=click>
            <div inner_html=rows_html></div>
            <div inner_html=chart_html></div>
        </div>
    }
}
