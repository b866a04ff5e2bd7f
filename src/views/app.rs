//! The page: transport bar and timeline, topology, compare mode, service and instance charts,
//! the hash ring, the inspector with its explanation, alerts, the lesson, totals and the feed.

use crate::platform::media::{use_media, Phone, PHONE_QUERY};
use crate::platform::progressive::use_progressive;
use crate::platform::visible::{use_visible, Follow, MARGIN};
use crate::state::lab::{use_lab, Lab};
use crate::views::alerts::AlertFeed;
use crate::views::author::LessonAuthor;
use crate::views::charts::{InstanceCharts, ServiceCharts};
use crate::views::compare::Compare;
use crate::views::feed::{EventFeed, Totals};
use crate::views::inspector::{close, Explain, Inspector};
use crate::views::lesson::{LessonCard, LessonPicker};
use crate::views::queues::Queues;
use crate::views::ring::RingPanel;
use crate::views::scenario::{AboutRun, LinkError, ScenarioBar};
use crate::views::topology::Topology;
use crate::views::traces::Traces;
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
}

/// Which panels have their content mounted: those whose `stage` is below it. It grows by one
/// per animation frame after the page (or a new scenario's layout) first shows, so building
/// and laying out the whole page is spread over a few frames instead of one long task.
#[derive(Clone, Copy)]
struct Stage(ReadSignal<usize>);

/// Panel stages: 0 shows a frame after the page (or a new scenario's layout), each next one a
/// frame later.
const STAGES: usize = 5;

/// A titled section of the page, labelled by its heading; its class is `panel {id}-panel`.
/// Its heading shows at once, its content from `stage` on ([`Stage`]).
#[component]
fn Panel(
    id: &'static str,
    title: &'static str,
    #[prop(optional)] stage: usize,
    children: Children,
) -> impl IntoView {
    let heading = format!("{id}-h");
    let labelled_by = heading.clone();
    let shown = use_context::<Stage>().map(|s| s.0);
    let ready = Memo::new(move |_| shown.is_none_or(|s| s.get() > stage));
    // Children are built once, when the panel's stage comes (`Children` runs only once).
    let children = StoredValue::new_local(Some(children));
    let section = NodeRef::<leptos::html::Section>::new();
    let visible = use_visible(section, MARGIN);
    let lab = use_lab();
    let follow = Follow(Memo::new(move |_| visible.get() || !lab.playing.get()));
    view! {
        <section node_ref=section class=format!("panel {id}-panel") aria-labelledby=labelled_by aria-busy=move || (!ready.get()).then_some("true")>
            <h2 id=heading>{title}</h2>
            // Provided in this closure's own reactive owner, not the panel's: a component shares
            // its owner with its siblings, so there the last panel's `Follow` was the one every
            // panel's content found (leptos-rs/leptos#3043), and on a narrow screen, where the
            // last panel is far below, charts stood still on screen.
            {move || ready.get().then(|| {
                provide_context(follow);
                children.try_update_value(Option::take).flatten().map(|c| c())
            })}
        </section>
    }
}

/// The whole page.
#[component]
pub fn App(
    /// The scenario to open with, and why the page's link could not be opened
    /// ([`crate::state::lab::opening`]).
    opened: (ha_engine::Scenario, Option<String>),
) -> impl IntoView {
    let lab = Lab::new(opened);
    provide_context(lab);
    provide_context(Phone(use_media(PHONE_QUERY)));
    animate(lab);
    let title = move || lab.scenario.with(|s| s.title.clone());
    let teaches = move || lab.scenario.with(|s| s.teaches.clone());
    let watch = move || lab.scenario.with(|s| s.watch.clone());
    // On a phone the header keeps play, step, speed, the clock and the timeline; the rest
    // (seed, reset, theme, scenario, share, import, export) is behind "More".
    let menu = RwSignal::new(false);
    // A newcomer (no link) sees the lessons first, beside the free sandbox.
    let picker = RwSignal::new(window().location().hash().unwrap_or_default().len() < 2);
    let in_lesson = move || lab.lesson.with(Option::is_some);
    // The scenario builder: its header button and its drawer.
    let (build_button, build_drawer) = crate::views::builder::parts(picker);
    // Focus mode: the panels the step names (or the last step that named any) stay, the
    // others hide (CSS on `data-keep`).
    let keep = move || {
        lab.lesson.with(|r| {
            let r = r.as_ref().filter(|r| r.focus)?;
            r.lesson.steps[..=r.at]
                .iter()
                .rev()
                .find(|s| !s.focus.is_empty())
                .map(|s| s.focus.join(" "))
        })
    };
    view! {
        <header class="top" class:menu-open=move || menu.get()>
            <div class="brand">
                <h1>"HA Lab"</h1>
                <p class="preset-title">{title}</p>
            </div>
            <button
                class="more-toggle"
                aria-expanded=move || menu.get().to_string()
                aria-controls="more-controls"
                on:click=move |_| menu.update(|m| *m = !*m)
            >
                {move || if menu.get() { "Less" } else { "More" }}
            </button>
            <TransportBar/>
            // Learn and Build wrap to a new row together, never one without the other.
            <div class="modes">
                <button class="lessons-toggle secondary" aria-expanded=move || picker.get().to_string() on:click=move |_| picker.update(|p| *p = !*p)>"Learn"</button>
                {build_button}
            </div>
            <div id="more-controls" class="more">
                <ScenarioBar/>
            </div>
            <Scrubber/>
        </header>
        <LinkError/>
        {build_drawer}
        <Show when=move || picker.get()>
            <LessonPicker open=picker/>
        </Show>
        // Re-laid out for each loaded scenario: the topology's rows depend on its instances.
        {move || {
            lab.generation.track();
            let total = Memo::new(|_| STAGES);
            provide_context(Stage(use_progressive(total, 0, 1)));
            view! {
                // Classes, not `:has()` in the style sheet: a `:has()` rule made Chromium restyle `body`
                // and `main` on every insertion anywhere (a chart's lines, a table), 60 % of compare
                // mode's style time (scripts/bench-notes.md).
                <main class="layout" class:focusing=move || keep().is_some() class:lesson=in_lesson class:inspecting=move || lab.selection.with(Option::is_some) data-keep=keep on:keydown=move |ev| if ev.key() == "Escape" { close(lab) }>
                    <Show when=in_lesson>
                        <LessonCard/>
                    </Show>
                    <div class="main-col">
                        <Panel id="topology" title="Topology"><Topology/></Panel>
                        <Show when=move || lab.view.with(|v| v.messaging.is_some())>
                            <Panel id="queues" title="Queues" stage=1><Queues/></Panel>
                        </Show>
                        <Panel id="traces" title="Traces" stage=2><Traces/></Panel>
                        <Panel id="compare" title="Compare strategies" stage=2><Compare/></Panel>
                        <Panel id="services" title="Services" stage=2><ServiceCharts/></Panel>
                        <Panel id="charts" title="Instances" stage=3><InstanceCharts/></Panel>
                        <Show when=move || lab.view.with(|v| v.data.is_some())>
                            <Panel id="ring" title="Hash ring" stage=4><RingPanel/></Panel>
                        </Show>
                    </div>
                    <aside class="side">
                        <Panel id="inspector" title="Inspector" stage=1><Inspector/></Panel>
                        <Panel id="explain" title="Explain" stage=1><Explain/></Panel>
                        <Panel id="alerts" title="Alerts" stage=1><AlertFeed/></Panel>
                        <Panel id="lesson" title="This scenario">
                            <p>{teaches}</p>
                            <Show when=move || !watch().is_empty()>
                                <p><strong>"Try it: "</strong>{watch}</p>
                            </Show>
                        </Panel>
                        <Panel id="about" title="About this run" stage=2><AboutRun/></Panel>
                        <Panel id="author" title="Write a lesson" stage=4><LessonAuthor/></Panel>
                        <Panel id="totals" title="Requests" stage=1><Totals/></Panel>
                        <Panel id="feed" title="Event feed" stage=4><EventFeed/></Panel>
                    </aside>
                </main>
            }
        }}
    }
}
