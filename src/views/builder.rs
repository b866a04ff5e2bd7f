//! The scenario builder: a cluster, its traffic, mechanisms, alert rules and fault timeline
//! made in forms instead of JSON, over `ha_engine::scenario::draft` (every edit checked by
//! the engine's own validation, undo and redo) and the field table of
//! `ha_engine::present::builder` (labels, units, ranges).
//!
//! The form is one string of markup, redrawn when an edit is kept; three delegated handlers
//! serve it: `input` checks the field as it is typed and puts the engine's message beside it
//! (`aria-invalid`, `aria-describedby`), `change` keeps the edit and applies it to the run,
//! `click` runs the buttons (`data-do`). A refused value stays in its field as typed, and the
//! run keeps the last valid scenario.

use crate::state::lab::use_lab;
use crate::views::markup::esc;
use ha_engine::present::builder::{self as words, Field, Kind};
use ha_engine::present::Dec;
use ha_engine::presets;
use ha_engine::scenario::draft::{self, choices, value_in, Draft, Edit, Input};
use ha_engine::Scenario;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

/// The fields of `table` under key prefix `pre`, as markup (those that do not apply to `sc`
/// are left out). `sc` is a copy made once per form, read through `value_in`.
fn fields(sc: &mut Scenario, pre: &str, table: &[Field]) -> String {
    table
        .iter()
        .map(|f| control(sc, &format!("{pre}{}", f.key), f.label, f))
        .collect()
}

/// One field as markup: field `key` of `sc`, edited as `f` says, labelled `label` with its
/// unit and range, and the place for the engine's message (`aria-describedby`). Empty when
/// the field does not apply to `sc`.
fn control(sc: &mut Scenario, key: &str, label: &str, f: &Field) -> String {
    let Some(v) = value_in(sc, key) else {
        return String::new();
    };
    let id = esc(key);
    let range = match f.hint() {
        h if h.is_empty() => h,
        h => format!(" <small>{h}</small>"),
    };
    let attrs = format!(r#"id="k-{id}" data-k="{id}" aria-describedby="e-{id}""#);
    let input = match f.kind {
        Kind::Number => format!(
            r#"<input type="number" inputmode="decimal" step="any" min="{}" max="{}" value="{}" {attrs}>"#,
            f.lo,
            f.hi,
            esc(&v)
        ),
        Kind::Text => format!(r#"<input type="text" value="{}" {attrs}>"#, esc(&v)),
        Kind::Prose => format!(r#"<textarea rows="3" {attrs}>{}</textarea>"#, esc(&v)),
        Kind::Switch => format!(
            r#"<input type="checkbox" {}{attrs}>"#,
            if v == "true" { "checked " } else { "" }
        ),
        Kind::Choice => {
            let options: String = choices(sc, key)
                .unwrap_or_default()
                .iter()
                .map(|(k, l)| {
                    format!(
                        r#"<option value="{}"{}>{}</option>"#,
                        esc(k),
                        if *k == v { " selected" } else { "" },
                        esc(&l.replace('_', " "))
                    )
                })
                .collect();
            format!("<select {attrs}>{options}</select>")
        }
    };
    let class = if f.kind == Kind::Switch {
        "fld sw"
    } else {
        "fld"
    };
    format!(
        r#"<div class="{class}"><label for="k-{id}">{}{range}</label>{input}<span class="err" id="e-{id}"></span></div>"#,
        esc(label)
    )
}

fn button(act: &str, i: usize, j: usize, label: &str, aria: &str) -> String {
    format!(
        r#"<button type="button" class="secondary" data-do="{act}" data-i="{i}" data-j="{j}" aria-label="{}">{label}</button>"#,
        esc(aria)
    )
}

fn fieldset(legend: &str, body: &str) -> String {
    format!(
        "<fieldset><legend>{}</legend>{body}</fieldset>",
        esc(legend)
    )
}

/// The whole form for `sc`.
fn form(sc: &Scenario) -> String {
    let c = &sc.cluster;
    let probe = &mut sc.clone();
    let mut html = fieldset("Run", &fields(probe, "", words::RUN));
    html += &fieldset(
        "Traffic and the gateway",
        &fields(probe, "", words::TRAFFIC),
    );
    html += &fieldset(
        "Registry and discovery",
        &fields(probe, "", words::REGISTRY),
    );
    let queues: Vec<&str> = c
        .messaging
        .iter()
        .flat_map(|m| &m.queues)
        .map(|q| q.name.as_str())
        .collect();
    for (i, s) in c.services.iter().enumerate() {
        let pre = format!("s{i}.");
        let mut body = fields(probe, &pre, words::SERVICE);
        // Dependencies: one switch per other service (a cycle is refused by the engine).
        for (j, o) in c.services.iter().enumerate().filter(|(j, _)| *j != i) {
            let key = format!("{pre}calls.{j}");
            let label = format!("{} {}", words::CALLS.label, o.name);
            body += &control(probe, &key, &label, &words::CALLS);
        }
        for (q, name) in queues.iter().enumerate() {
            let key = format!("{pre}publishes.{q}");
            let label = format!("{} {name}", words::PUBLISHES.label);
            body += &control(probe, &key, &label, &words::PUBLISHES);
        }
        for (j, inst) in s.instances.iter().enumerate() {
            let (p50, p99) = draft::latency_preview(&inst.latency);
            let mut ib = fields(probe, &format!("{pre}i{j}."), words::INSTANCE);
            ib += &format!(
                r#"<p class="small muted">Service time p50 {p50:.1} ms, p99 {p99:.1} ms</p><div class="row">{}{}</div>"#,
                button(
                    "dup-i",
                    i,
                    j,
                    "Duplicate",
                    &format!("Duplicate {}", inst.id)
                ),
                button("rm-i", i, j, "Remove", &format!("Remove {}", inst.id)),
                p50 = Dec(p50),
                p99 = Dec(p99),
            );
            body += &fieldset(&format!("Instance {}", inst.id), &ib);
        }
        body += &format!(
            r#"<div class="row">{}{}</div>"#,
            button(
                "add-i",
                i,
                0,
                "Add instance",
                &format!("Add an instance to {}", s.name)
            ),
            button(
                "rm-s",
                i,
                0,
                "Remove service",
                &format!("Remove {}", s.name)
            ),
        );
        html += &fieldset(&format!("Service {}", s.name), &body);
    }
    html += &format!(
        r#"<div class="row">{}</div>"#,
        button("add-s", 0, 0, "Add service", "Add a service")
    );
    let mut alerts = String::new();
    for (k, a) in c.alerts.iter().flatten().enumerate() {
        let body = fields(probe, &format!("a{k}."), words::ALERT)
            + &button(
                "rm-a",
                k,
                0,
                "Remove rule",
                &format!("Remove rule {}", a.name),
            );
        alerts += &fieldset(&format!("Rule {}", a.name), &body);
    }
    alerts += &button("add-a", 0, 0, "Add alert rule", "Add an alert rule");
    html += &fieldset("Alert rules", &alerts);
    let mut timeline = String::new();
    for (k, f) in c.faults.iter().enumerate() {
        let body = fields(probe, &format!("f{k}."), words::FAULT)
            + &button(
                "rm-f",
                k,
                0,
                "Remove",
                &format!("Remove timeline entry {}", k + 1),
            );
        timeline += &fieldset(
            &format!(
                "{} at {} s",
                f.kind.key().replace('_', " "),
                f.at_ms / 1_000
            ),
            &body,
        );
    }
    timeline += &button("add-f", 0, 0, "Add fault or action", "Add a timeline entry");
    html += &fieldset("Timeline: faults and actions", &timeline);
    html += &fieldset("Replicated store", &fields(probe, "", words::DATA));
    let mut mq = fields(probe, "", words::MESSAGING);
    for (k, q) in c.messaging.iter().flat_map(|m| &m.queues).enumerate() {
        let mut body = fields(probe, &format!("q{k}."), words::QUEUE);
        for (i, s) in c.services.iter().enumerate() {
            let key = format!("q{k}.consumer.{i}");
            let label = format!("{} {}", words::CONSUMER.label, s.name);
            body += &control(probe, &key, &label, &words::CONSUMER);
        }
        body += &button("rm-q", k, 0, "Remove queue", &format!("Remove {}", q.name));
        mq += &fieldset(&format!("Queue {}", q.name), &body);
    }
    if c.messaging.is_some() {
        mq += &button("add-q", 0, 0, "Add queue", "Add a queue");
    }
    html + &fieldset("Messaging", &mq)
}

/// What a form control holds, as the engine takes it.
fn input_of(el: &Element) -> Option<(String, Input)> {
    let key = el.get_attribute("data-k")?;
    let to = if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        match i.type_().as_str() {
            "checkbox" => Input::Flag(i.checked()),
            "number" => Input::Num(i.value_as_number()),
            _ => Input::Text(i.value()),
        }
    } else {
        // A select or a textarea: both have a `value`.
        Input::Text(
            js_sys::Reflect::get(el, &"value".into())
                .ok()?
                .as_string()?,
        )
    };
    Some((key, to))
}

/// Puts `message` (or nothing) beside field `key`.
fn mark(key: &str, message: Option<String>) {
    let doc = document();
    if let Some(e) = doc.get_element_by_id(&format!("e-{key}")) {
        e.set_text_content(message.as_deref());
        e.set_attribute("role", "alert").ok();
    }
    if let Some(f) = doc.get_element_by_id(&format!("k-{key}")) {
        if message.is_some() {
            f.set_attribute("aria-invalid", "true").ok()
        } else {
            f.remove_attribute("aria-invalid").ok()
        };
    }
}

/// The header's Build button and the builder drawer it opens (a sheet on a phone). The
/// lesson picker (`picker`, opened by *Learn*) and the builder take turns: opening one hides
/// the other.
pub fn parts(picker: RwSignal<bool>) -> (impl IntoView, impl IntoView) {
    let open = RwSignal::new(false);
    let shown = move || open.get() && !picker.get();
    (
        view! {
            <button class="build-toggle secondary" aria-expanded=move || shown().to_string() on:click=move |_| {
                open.set(!shown());
                picker.set(false);
            }>"Build"</button>
        },
        view! {
            <Show when=shown>
                <ScenarioBuilder open=open/>
            </Show>
        },
    )
}

/// The builder panel: start from the running scenario, a blank cluster or a preset; edit;
/// undo and redo; every kept edit runs at once.
#[component]
pub fn ScenarioBuilder(open: RwSignal<bool>) -> impl IntoView {
    let lab = use_lab();
    let doc = StoredValue::new(Draft::new(lab.scenario.get_untracked()));
    // Bumped whenever the form must be redrawn (an edit kept, undo, redo, a new start).
    let drawn = RwSignal::new(0u32);
    let status: RwSignal<String> = RwSignal::new(String::new());
    let run = move |sc: Scenario, structural: bool| {
        if structural {
            lab.load(sc);
        } else {
            lab.edit_config(move |s| *s = sc);
        }
    };
    // Shape: what the page lays out once per scenario (services, their dependencies and
    // instances, queues, the store); a change to it loads the scenario anew. Written as one
    // string (names cannot hold control characters) so one string comparison tells.
    let shape = |s: &Scenario| {
        let c = &s.cluster;
        let mut k = String::new();
        let mut put = |x: &str, sep: char| {
            k.push_str(x);
            k.push(sep);
        };
        for s in &c.services {
            put(&s.name, '\u{1}');
            s.depends_on.iter().for_each(|d| put(d, '\u{2}'));
            s.instances.iter().for_each(|i| put(&i.address, '\u{3}'));
        }
        if let Some(m) = &c.messaging {
            put("mq", '\u{6}');
            m.queues.iter().for_each(|q| put(&q.name, '\u{4}'));
        }
        if let Some(d) = &c.data {
            put("data", '\u{6}');
            d.replication.nodes.iter().for_each(|n| put(&n.id, '\u{5}'));
        }
        k
    };
    let after = move |focus: Option<String>, before: Scenario| {
        let sc = doc.with_value(|d| d.scenario().clone());
        let structural = shape(&before) != shape(&sc);
        run(sc, structural);
        drawn.update(|n| *n += 1);
        let (u, r) = doc.with_value(Draft::history);
        status.set(format!("Applied. {u} edits to undo, {r} to redo."));
        if let Some(key) = focus {
            request_animation_frame(move || {
                if let Some(el) = document()
                    .get_element_by_id(&format!("k-{key}"))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    el.focus().ok();
                }
            });
        }
    };
    let edit = move |e: Edit, focus: Option<String>| {
        let before = doc.with_value(|d| d.scenario().clone());
        let key = match &e {
            Edit::Set(k, _) => Some(k.clone()),
            _ => None,
        };
        match doc.try_update_value(|d| d.apply(&e)).unwrap_or(Ok(false)) {
            Ok(true) => after(focus, before),
            Ok(false) => {}
            Err(err) => match key {
                Some(k) => mark(&k, Some(err.to_string())),
                None => status.set(err.to_string()),
            },
        }
    };
    // A change made outside the builder (a preset, an import, a crash clicked onto the
    // timeline, a new seed) is followed, so the next edit starts from what runs.
    Effect::new(move |_| {
        let sc = lab.scenario.get();
        if doc.try_update_value(|d| d.follow(sc)).unwrap_or(false) {
            drawn.update(|n| *n += 1);
        }
    });
    let on_input = move |ev: web_sys::Event| {
        let Some(el) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let Some((key, to)) = input_of(&el) else {
            return;
        };
        let problem = doc.with_value(|d| d.check(&Edit::Set(key.clone(), to)).err());
        mark(&key, problem.map(|e| e.to_string()));
    };
    let on_change = move |ev: web_sys::Event| {
        let Some(el) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let Some((key, to)) = input_of(&el) else {
            return;
        };
        edit(Edit::Set(key.clone(), to), Some(key));
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(b) = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest("[data-do]").ok().flatten())
        else {
            return;
        };
        let n = |a: &str| {
            b.get_attribute(a)
                .and_then(|x| x.parse::<usize>().ok())
                .unwrap_or(0)
        };
        let (i, j) = (n("data-i"), n("data-j"));
        let e = match b.get_attribute("data-do").unwrap_or_default().as_str() {
            "add-s" => Edit::AddService,
            "rm-s" => Edit::RemoveService(i),
            "add-i" => Edit::AddInstance(i),
            "dup-i" => Edit::DuplicateInstance(i, j),
            "rm-i" => Edit::RemoveInstance(i, j),
            "add-a" => Edit::AddAlert,
            "rm-a" => Edit::RemoveAlert(i),
            "add-f" => Edit::AddFault,
            "rm-f" => Edit::RemoveFault(i),
            "add-q" => Edit::AddQueue,
            "rm-q" => Edit::RemoveQueue(i),
            _ => return,
        };
        edit(e, None);
    };
    let history = move |back: bool| {
        let before = doc.with_value(|d| d.scenario().clone());
        let moved = doc
            .try_update_value(|d| if back { d.undo() } else { d.redo() })
            .unwrap_or(false);
        if moved {
            after(None, before);
        }
    };
    let start = RwSignal::new(String::from("running"));
    let begin = move |_| {
        let begin_with = move |sc: Scenario| {
            doc.set_value(Draft::new(sc.clone()));
            lab.load(sc);
            drawn.update(|n| *n += 1);
            status.set("Started: every edit you keep runs at once.".into());
        };
        match start.get_untracked().as_str() {
            "running" => begin_with(lab.scenario.get_untracked()),
            "blank" => begin_with(draft::blank(presets::DEFAULT_SEED)),
            p => lab.open_preset(p, begin_with),
        }
    };
    let options: String = presets::INDEX
        .iter()
        .map(|(name, title)| format!(r#"<option value="{name}">Preset: {}</option>"#, esc(title)))
        .collect();
    let undo_off = move || {
        drawn.track();
        doc.with_value(|d| d.history().0 == 0)
    };
    let redo_off = move || {
        drawn.track();
        doc.with_value(|d| d.history().1 == 0)
    };
    view! {
        <section class="panel builder" aria-labelledby="builder-h">
            <div class="builder-head">
                <h2 id="builder-h">"Build a scenario"</h2>
                <button type="button" class="secondary" on:click=move |_| open.set(false)>"Close"</button>
            </div>
            <div class="row">
                <label for="bld-start">"Start from"</label>
                <select id="bld-start" on:change=move |ev| start.set(event_target_value(&ev))
                    inner_html=format!(r#"<option value="running">The running scenario</option><option value="blank">A blank cluster (one service, two instances)</option>{options}"#)>
                </select>
                <button type="button" on:click=begin>"Start"</button>
            </div>
            <div class="row">
                <button type="button" class="secondary" on:click=move |_| history(true) prop:disabled=undo_off>"Undo"</button>
                <button type="button" class="secondary" on:click=move |_| history(false) prop:disabled=redo_off>"Redo"</button>
                <span class="small muted" role="status">{move || status.get()}</span>
            </div>
            <form class="builder-form" on:submit=|ev| ev.prevent_default()
                on:input=on_input on:change=on_change on:click=on_click
                inner_html=move || { drawn.track(); doc.with_value(|d| form(d.scenario())) }>
            </form>
        </section>
    }
}
