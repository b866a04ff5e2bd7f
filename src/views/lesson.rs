//! Lessons on the page: the picker a newcomer sees first, and the lesson card (step n of m,
//! the text, the prediction, the reveal, Back / Next, focus mode) with the presenter keys.
//!
//! Lesson text comes from links: it is escaped before its three marks (`**bold**`, `` `code` ``,
//! `- ` lists) become tags, and the engine refuses text with markup in it; the rest is text
//! nodes.

use crate::state::lab::{progress, use_lab, Lab, LessonRun};
use crate::views::markup::{clicked_data, esc, marked};
use ha_engine::present::lesson::{not_awaited, reveal, unit, waiting_for};
use ha_engine::present::Dec;
use ha_engine::scenario::lessons::{self, LessonFile};
use ha_engine::scenario::SPEEDS;
use ha_engine::sim::player::Guess;
use leptos::prelude::*;

/// The built-in lessons, with a Start button each and the learner's progress, and the way
/// to the free sandbox. One string of markup (fixed titles) and one click handler: the list
/// costs no view code per lesson.
#[component]
pub fn LessonPicker(open: RwSignal<bool>) -> impl IntoView {
    let lab = use_lab();
    let list: String = lessons::INDEX
        .iter()
        .map(|&(name, title)| {
            let done = progress(title).map_or(String::new(), |p| format!(" reached step {p}"));
            format!("<li><button data-lesson=\"{name}\">{title}</button><span class=\"muted small\">{done}</span></li>")
        })
        .collect();
    let pick = move |ev: leptos::ev::MouseEvent| {
        let name = clicked_data(&ev, "lesson");
        let Some(name) = name else { return };
        open.set(false);
        wasm_bindgen_futures::spawn_local(async move {
            let got = crate::platform::fetch::text(&format!("lessons/{name}.json")).await;
            match got.and_then(|t| LessonFile::read(&t).map_err(|e| e.to_string())) {
                Ok(file) => {
                    let preset = file.preset.clone();
                    lab.open_preset(&preset, move |sc| match file.on(sc) {
                        Ok(sc) => lab.start_lesson(sc, 0, false),
                        Err(e) => lab
                            .notice
                            .set(Some(format!("could not open the lesson: {e}"))),
                    });
                }
                Err(e) => lab
                    .notice
                    .set(Some(format!("could not open the lesson: {e}"))),
            }
        });
    };
    view! {
        <section class="panel picker" role="dialog" aria-labelledby="picker-h">
            <h2 id="picker-h">"Learn by predicting"</h2>
            <p>"Each lesson runs a real cluster, pauses, asks you to predict what it will do, then shows what the engine measured."</p>
            <ol class="lesson-list" on:click=pick inner_html=list></ol>
            <button class="secondary" on:click=move |_| open.set(false)>"Free sandbox"</button>
        </section>
    }
}

/// Presenter keys while a lesson runs: Space play/pause, → next, ← back, + / − speed, F
/// focus. Ignored while typing in a field.
fn presenter_keys(lab: Lab) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if lab.lesson.with_untracked(Option::is_none)
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.alt_key()
        {
            return;
        }
        let typing = document()
            .active_element()
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if typing {
            return;
        }
        let speed = |d: isize| {
            let now = lab.speed();
            let i = SPEEDS.iter().position(|s| *s == now).unwrap_or(1) as isize;
            let j = (i + d).clamp(0, SPEEDS.len() as isize - 1) as usize;
            lab.set_speed(SPEEDS[j]);
        };
        match ev.key().as_str() {
            " " => lab.set_playing(!lab.playing.get_untracked()),
            "ArrowRight" | "PageDown" => lab.lesson_next(),
            "ArrowLeft" | "PageUp" => lab.lesson_back(),
            "+" | "=" => speed(1),
            "-" => speed(-1),
            "f" | "F" => lab.toggle_focus(),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

/// The step's body as markup: its text, the answers it reveals beside the learner's guesses,
/// its prediction's inputs, and what the player waits for. Every text from the lesson is
/// escaped.
fn body(r: &LessonRun) -> String {
    let at = r.at;
    let mut html = marked(&r.step().text);
    let inline = |t: &str| {
        marked(t)
            .trim_start_matches("<p>")
            .trim_end_matches("</p>")
            .to_string()
    };
    for (j, s) in r.lesson.steps.iter().enumerate() {
        let (Some(q), Some(a)) = (&s.question, &r.answers[j]) else {
            continue;
        };
        if q.reveal_index(j) == at {
            let g = r.guesses[j].as_ref();
            html += &format!(
                "<div class=\"reveal\"><p><strong>Your prediction, step {}:</strong> {}</p><p>{}</p><p class=\"muted\">{}</p></div>",
                j + 1,
                inline(&q.ask),
                inline(&reveal(q, a, g)),
                inline(&q.why),
            );
        }
    }
    if let Some(q) = &r.step().question {
        // Until the worker says the step is reached (a lesson link opening), nothing to
        // guess yet: the card is drawn again then.
        let off = if r.going || r.answers[at].is_some() || !r.arrived() {
            " disabled"
        } else {
            ""
        };
        let guess = r.guesses[at].as_ref();
        let inputs = if q.choices.is_empty() {
            let value = match guess {
                Some(Guess::Number(n)) => Dec(*n).to_string(),
                _ => String::new(),
            };
            format!(
                "<label>Your guess <input name=\"guess\" type=\"number\" inputmode=\"decimal\" value=\"{value}\"{off}> {}</label>",
                unit(q.measure)
            )
        } else {
            q.choices
                .iter()
                .map(|c| {
                    let on = if guess == Some(&Guess::Choice(c.clone())) { " checked" } else { "" };
                    format!(
                        "<label class=\"choice\"><input type=\"radio\" name=\"guess\" value=\"{}\"{on}{off}> {}</label>",
                        esc(c),
                        esc(&c.replace('_', "-"))
                    )
                })
                .collect()
        };
        html += &format!(
            "<fieldset class=\"predict\"><legend>Predict: {}</legend>{inputs}<p class=\"small muted\">The answer comes from the engine when the run gets there.</p></fieldset>",
            inline(&q.ask)
        );
    }
    if let Some(words) = r.awaited().filter(|_| r.missed).and_then(not_awaited) {
        html += &format!("<p class=\"problem\" role=\"status\">{}</p>", esc(&words));
    }
    // Takes the action a "try it" step waits for (`Lab::lesson_do_it`, by the card's click).
    const DO_IT: &str = "<button class=\"primary\" data-act=\"do\">Do it</button>";
    if let Some(words) = r.next_step().and_then(waiting_for) {
        let act = if r.next_step().is_some_and(|s| s.wait_for.is_some()) {
            format!(" {DO_IT}")
        } else {
            String::new()
        };
        html += &format!(
            "<p class=\"waiting\" role=\"status\">Waiting for {}{act}</p>",
            esc(&words)
        );
    } else if r.awaited().is_some() {
        // The step's words ask for the action now ("… or press Do it").
        html += &format!("<p>{DO_IT}</p>");
    }
    if r.done {
        html += "<p><strong>End of the lesson.</strong> Exit to keep the cluster as a sandbox.</p>";
    }
    html
}

/// The lesson card: step n of m with Back / Next / Focus under it (in view on a laptop
/// however long the step), the step's body ([`body`]) and the keys. The body is one string
/// of markup with one click and one change handler.
#[component]
pub fn LessonCard() -> impl IntoView {
    let lab = use_lab();
    presenter_keys(lab);
    let head = move || {
        lab.lesson.with(|r| {
            r.as_ref().map_or((String::new(), String::new()), |r| {
                let n = r.lesson.steps.len();
                let c = if r.done {
                    format!("Done: {n} steps")
                } else {
                    format!("Step {} of {n}", r.at + 1)
                };
                (r.lesson.title.clone(), c)
            })
        })
    };
    let html = move || {
        lab.lesson
            .with(|r| r.as_ref().map(body).unwrap_or_default())
    };
    let click = move |ev: leptos::ev::MouseEvent| {
        let act = clicked_data(&ev, "act");
        if act.as_deref() == Some("do") {
            lab.lesson_do_it();
        }
    };
    // The browser reads the number (no float parser of our own in the wasm). Kept as it is
    // typed, not only on `change`: the card is redrawn when the worker's answer to the step's
    // arrival comes (a link opened at a lesson), and its field then shows the guess kept.
    let change = move |ev: leptos::ev::Event| {
        let at = lab
            .lesson
            .with_untracked(|r| r.as_ref().map_or(0, |r| r.at));
        let input = event_target::<web_sys::HtmlInputElement>(&ev);
        let guess = if input.type_() == "radio" {
            Some(Guess::Choice(input.value()))
        } else {
            Some(input.value_as_number())
                .filter(|n| n.is_finite())
                .map(Guess::Number)
        };
        lab.set_guess(at, guess);
    };
    let at_start = move || {
        lab.lesson
            .with(|r| r.as_ref().is_none_or(|r| r.at == 0 && !r.going && !r.done))
    };
    let at_end = move || {
        lab.lesson
            .with(|r| r.as_ref().is_none_or(|r| r.done || r.going))
    };
    let focus = move || {
        lab.lesson
            .with(|r| r.as_ref().is_some_and(|r| r.focus))
            .to_string()
    };
    view! {
        <section class="lesson-card" role="region" aria-labelledby="guide-h">
            <div class="lesson-head">
                <h2 id="guide-h">{move || head().0}</h2>
                <span class="muted small">{move || head().1}</span>
                <button class="secondary" on:click=move |_| lab.exit_lesson()>"Exit lesson"</button>
            </div>
            <div class="lesson-nav">
                <button on:click=move |_| lab.lesson_back() disabled=at_start aria-keyshortcuts="ArrowLeft">"← Back"</button>
                <button class="primary" on:click=move |_| lab.lesson_next() disabled=at_end aria-keyshortcuts="ArrowRight">"Next →"</button>
                <button aria-pressed=focus on:click=move |_| lab.toggle_focus() aria-keyshortcuts="F">"Focus"</button>
            </div>
            <div class="lesson-text" aria-live="polite" on:click=click on:change=change on:input=change inner_html=html></div>
            <p class="small muted keys">"Keys: Space play/pause · → next · ← back · + − speed · F focus"</p>
        </section>
    }
}
