//! Authoring a lesson in the page, over any scenario (a preset, an edited or imported one):
//! add a step at the current instant or at the newest engine fact, edit a step (its text, and
//! its trigger, arrival and question as JSON checked by the engine as it is typed), reorder,
//! delete, preview from step 1. The lesson lives in the scenario, so the share link, Export
//! and Import carry it.

use crate::state::lab::use_lab;
use crate::views::markup::{clicked_data, marked};
use ha_engine::present::lesson::waiting_for;
use ha_engine::scenario::lesson::{Lesson, Step};
use ha_engine::scenario::{step_from_json, step_json};
use leptos::prelude::*;

/// The lesson's steps as a list: trigger, the start of the text, and the buttons to move,
/// edit and delete each (one string of markup, one click handler).
fn steps_html(l: &Lesson) -> String {
    let n = l.steps.len();
    l.steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let when = waiting_for(s).unwrap_or_else(|| "at once".into());
            let text: String = s.text.chars().take(70).collect();
            let q = if s.question.is_some() { " · prediction" } else { "" };
            let up = if i == 0 { " disabled" } else { "" };
            let down = if i + 1 == n { " disabled" } else { "" };
            format!(
                "<li><span class=\"small muted\">{}{q}</span> {}<span class=\"step-tools\"><button data-act=\"edit\" data-i=\"{i}\">Edit</button><button data-act=\"up\" data-i=\"{i}\" aria-label=\"Move step {} up\"{up}>↑</button><button data-act=\"down\" data-i=\"{i}\" aria-label=\"Move step {} down\"{down}>↓</button><button data-act=\"del\" data-i=\"{i}\" aria-label=\"Delete step {}\">✕</button></span></li>",
                marked(&when).trim_start_matches("<p>").trim_end_matches("</p>"),
                marked(&text).trim_start_matches("<p>").trim_end_matches("</p>"),
                i + 1,
                i + 1,
                i + 1
            )
        })
        .collect()
}

/// The lesson editor panel.
#[component]
pub fn LessonAuthor() -> impl IntoView {
    let lab = use_lab();
    // The step being edited and its JSON as typed (kept whatever its errors).
    let editing: RwSignal<Option<usize>> = RwSignal::new(None);
    let draft = RwSignal::new(String::new());
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    // A title typed before the first step (a lesson exists only with one): it names the lesson
    // when that step is added.
    let pending = RwSignal::new(String::new());
    let list = move || {
        lab.scenario.with(|s| {
            s.lesson.as_ref().map_or_else(
                || "<li>No lesson yet: add its first step.</li>".into(),
                steps_html,
            )
        })
    };
    let edit = move |i: usize| {
        let json = lab.scenario.with_untracked(|s| {
            s.lesson
                .as_ref()
                .and_then(|l| l.steps.get(i))
                .map(step_json)
        });
        if let Some(json) = json {
            draft.set(json);
            problem.set(None);
            editing.set(Some(i));
        }
    };
    let on_list = move |ev: leptos::ev::MouseEvent| {
        let (Some(act), Some(i)) = (
            clicked_data(&ev, "act"),
            clicked_data(&ev, "i").and_then(|i| i.parse::<usize>().ok()),
        ) else {
            return;
        };
        let r = match act.as_str() {
            "edit" => return edit(i),
            "up" if i > 0 => lab.edit_lesson(move |l| l.steps.swap(i, i - 1)),
            "down" => lab.edit_lesson(move |l| {
                if i + 1 < l.steps.len() {
                    l.steps.swap(i, i + 1)
                }
            }),
            "del" => lab.edit_lesson(move |l| {
                if i < l.steps.len() {
                    l.steps.remove(i);
                }
            }),
            _ => Ok(()),
        };
        editing.set(None);
        problem.set(r.err());
    };
    let add = move |on_fact: bool| {
        let mut step = Step {
            text: "New step: say what to look at.".into(),
            ..Step::default()
        };
        let newest = lab
            .feed
            .with_untracked(|f| f.iter().find_map(|l| l.fact.clone()));
        match newest.filter(|_| on_fact) {
            Some(f) => {
                step.on = Some(f.fact);
                step.of = f.of;
            }
            None => {
                let now_us = lab.view.with_untracked(|v| v.now_us);
                step.at_s = Some((now_us / 1_000) as f64 / 1_000.0);
            }
        }
        let r = lab.edit_lesson(move |l| {
            let p = pending.get_untracked();
            if l.steps.is_empty() && !p.is_empty() {
                l.title = p;
            }
            l.steps.push(step)
        });
        // Used once: a lesson emptied later starts again from the scenario's title.
        if r.is_ok() {
            pending.set(String::new());
        }
        problem.set(r.err());
        let n = lab
            .scenario
            .with_untracked(|s| s.lesson.as_ref().map_or(0, |l| l.steps.len()));
        if n > 0 {
            edit(n - 1);
        }
    };
    // Checked as typed: the JSON, then the whole lesson with this step in it.
    let typed = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let check = step_from_json(&text)
            .map_err(|e| e.to_string())
            .and_then(|step| {
                let i = editing.get_untracked().unwrap_or(0);
                lab.scenario.with_untracked(|s| {
                    let mut sc = s.clone();
                    if let Some(slot) = sc.lesson.as_mut().and_then(|l| l.steps.get_mut(i)) {
                        *slot = step;
                    }
                    sc.validate().map_err(|e| e.to_string())
                })
            });
        draft.set(text);
        problem.set(check.err());
    };
    let apply = move |_| {
        let (Some(i), Ok(step)) = (
            editing.get_untracked(),
            step_from_json(&draft.get_untracked()),
        ) else {
            return;
        };
        let r = lab.edit_lesson(move |l| {
            if let Some(slot) = l.steps.get_mut(i) {
                *slot = step;
            }
        });
        if r.is_ok() {
            editing.set(None);
        }
        problem.set(r.err());
    };
    let title = move || {
        lab.scenario
            .with(|s| s.lesson.as_ref().map(|l| l.title.clone()))
            .unwrap_or_else(|| pending.get())
    };
    let set_title = move |ev: leptos::ev::Event| {
        let t = event_target_value(&ev);
        if lab.scenario.with_untracked(|s| s.lesson.is_none()) {
            pending.set(t);
        } else {
            problem.set(lab.edit_lesson(move |l| l.title = t).err());
        }
    };
    let preview = move |_| {
        let sc = lab.scenario.get_untracked();
        if sc.lesson.is_some() {
            lab.start_lesson(sc, 0, false);
        }
    };
    let has = move || lab.scenario.with(|s| s.lesson.is_some());
    view! {
        <label>"Lesson title " <input type="text" prop:value=title on:change=set_title/></label>
        <ol class="author-steps" on:click=on_list inner_html=list></ol>
        <div class="lesson-nav">
            <button on:click=move |_| add(false)>"Add a step here"</button>
            <button on:click=move |_| add(true)>"Add a step on the newest fact"</button>
            <button class="primary" on:click=preview disabled=move || !has()>"Preview from step 1"</button>
        </div>
        <Show when=move || editing.get().is_some()>
            <label class="block">
                {move || format!("Step {} (text; at_s, on, wait_for or when, with of; select, focus, question)", editing.get().map_or(0, |i| i + 1))}
                <textarea class="step-json" rows="12" spellcheck="false" prop:value=move || draft.get() on:input=typed aria-invalid=move || problem.get().is_some().to_string() aria-describedby="step-problem"></textarea>
            </label>
            <div class="lesson-nav">
                <button class="primary" on:click=apply disabled=move || problem.get().is_some()>"Apply"</button>
                <button on:click=move |_| { editing.set(None); problem.set(None); }>"Cancel"</button>
            </div>
        </Show>
        <Show when=move || problem.with(Option::is_some)>
            <p id="step-problem" class="problem" role="alert">{move || problem.get()}</p>
        </Show>
        <p class="small muted">"Share, Export and Import carry the lesson."</p>
    }
}
