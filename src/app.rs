//! The page: transport bar, topology, per-instance load charts, totals and the event feed.

use crate::charts::InstanceCharts;
use crate::feed::{EventFeed, Totals};
use crate::lab::Lab;
use crate::topology::Topology;
use crate::transport::TransportBar;
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

/// Runs `lab.frame` on every animation frame, forever.
fn animate(lab: Lab) {
    let last: Rc<Cell<Option<f64>>> = Rc::new(Cell::new(None));
    fn tick(lab: Lab, last: Rc<Cell<Option<f64>>>) {
        let now = window().performance().map_or(0.0, |p| p.now());
        if let Some(prev) = last.get() {
            lab.frame(now - prev);
        }
        last.set(Some(now));
        request_animation_frame(move || tick(lab, last));
    }
    request_animation_frame(move || tick(lab, last));
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let lab = Lab::new();
    provide_context(lab);
    animate(lab);
    let (title, teaches, watch) = lab.preset.with_value(|p| (p.title, p.teaches, p.watch));
    view! {
        <header class="top">
            <div class="brand">
                <h1>"HA Lab"</h1>
                <p class="preset-title">{title}</p>
            </div>
            <TransportBar/>
        </header>
        <main class="layout">
            <div class="main-col">
                <section class="panel topology-panel" aria-labelledby="topology-h">
                    <h2 id="topology-h">"Topology"</h2>
                    <Topology/>
                </section>
                <section class="panel charts-panel" aria-labelledby="charts-h">
                    <h2 id="charts-h">"Instances"</h2>
                    <InstanceCharts/>
                </section>
            </div>
            <aside class="side">
                <section class="panel lesson" aria-labelledby="lesson-h">
                    <h2 id="lesson-h">"This scenario"</h2>
                    <p>{teaches}</p>
                    <p><strong>"Try it: "</strong>{watch}</p>
                </section>
                <section class="panel" aria-labelledby="totals-h">
                    <h2 id="totals-h">"Requests"</h2>
                    <Totals/>
                </section>
                <section class="panel feed-panel" aria-labelledby="feed-h">
                    <h2 id="feed-h">"Event feed"</h2>
                    <EventFeed/>
                </section>
            </aside>
        </main>
    }
}
