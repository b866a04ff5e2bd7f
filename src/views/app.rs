//! The page: transport bar and timeline, topology, compare mode, service and instance charts,
//! the hash ring, the inspector with its explanation, alerts, the lesson, totals and the feed.

use crate::state::lab::Lab;
use crate::views::alerts::AlertFeed;
use crate::views::charts::{InstanceCharts, ServiceCharts};
use crate::views::compare::Compare;
use crate::views::feed::{EventFeed, Totals};
use crate::views::inspector::{Explain, Inspector};
use crate::views::ring::RingPanel;
use crate::views::scenario::{AboutRun, LinkError, ScenarioBar};
use crate::views::topology::Topology;
use crate::views::transport::{Scrubber, TransportBar};
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
    background(lab);
}

/// Runs [`Lab::work_background`] whenever the browser is idle, forever: the run digest and
/// the checkpoints ahead of the live run are computed between frames.
fn background(lab: Lab) {
    request_idle_callback(move || {
        lab.work_background();
        background(lab);
    });
}

/// A titled section of the page, labelled by its heading; its class is `panel {id}-panel`.
#[component]
fn Panel(id: &'static str, title: &'static str, children: Children) -> impl IntoView {
    let heading = format!("{id}-h");
    let labelled_by = heading.clone();
    view! {
        <section class=format!("panel {id}-panel") aria-labelledby=labelled_by>
            <h2 id=heading>{title}</h2>
            {children()}
        </section>
    }
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let lab = Lab::new();
    provide_context(lab);
    animate(lab);
    let title = move || lab.scenario.with(|s| s.title.clone());
    let teaches = move || lab.scenario.with(|s| s.teaches.clone());
    let watch = move || lab.scenario.with(|s| s.watch.clone());
    view! {
        <header class="top">
            <div class="brand">
                <h1>"HA Lab"</h1>
                <p class="preset-title">{title}</p>
            </div>
            <TransportBar/>
            <ScenarioBar/>
            <Scrubber/>
        </header>
        <LinkError/>
        // Re-laid out for each loaded scenario: the topology's rows depend on its instances.
        {move || {
            lab.generation.track();
            view! {
                <main class="layout">
                    <div class="main-col">
                        <Panel id="topology" title="Topology"><Topology/></Panel>
                        <Panel id="compare" title="Compare strategies"><Compare/></Panel>
                        <Panel id="services" title="Services"><ServiceCharts/></Panel>
                        <Panel id="charts" title="Instances"><InstanceCharts/></Panel>
                        <Show when=move || lab.view.with(|v| v.data.is_some())>
                            <Panel id="ring" title="Hash ring"><RingPanel/></Panel>
                        </Show>
                    </div>
                    <aside class="side">
                        <Panel id="inspector" title="Inspector"><Inspector/></Panel>
                        <Panel id="explain" title="Explain"><Explain/></Panel>
                        <Panel id="alerts" title="Alerts"><AlertFeed/></Panel>
                        <Panel id="lesson" title="This scenario">
                            <p>{teaches}</p>
                            <Show when=move || !watch().is_empty()>
                                <p><strong>"Try it: "</strong>{watch}</p>
                            </Show>
                        </Panel>
                        <Panel id="about" title="About this run"><AboutRun/></Panel>
                        <Panel id="totals" title="Requests"><Totals/></Panel>
                        <Panel id="feed" title="Event feed"><EventFeed/></Panel>
                    </aside>
                </main>
            }
        }}
    }
}
