//! Scenario controls: choose a preset, share a link, export and import the scenario as JSON,
//! the "about this run" panel, and the message for a link that could not be opened.
//!
//! Text that came from a link or a file (titles, lessons, error details) is rendered as text
//! nodes by Leptos, never as HTML.

use crate::platform::visible::while_followed;
use crate::state::lab::use_lab;
use crate::views::facts::rows;
use ha_engine::presets;
use ha_engine::scenario::{Scenario, SCENARIO_VERSION};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The preset menu and the Share, Export and Import controls.
#[component]
pub fn ScenarioBar() -> impl IntoView {
    let lab = use_lab();
    let current = move || {
        lab.scenario
            .with(|s| s.preset.clone().unwrap_or_else(|| "custom".into()))
    };
    let copied: RwSignal<Option<Result<(), String>>> = RwSignal::new(None);
    let on_pick = move |ev: leptos::ev::Event| {
        copied.set(None);
        lab.open_preset(&event_target_value(&ev), move |sc| lab.load(sc));
    };
    let share = move |_| {
        copied.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            let link = match lab.share_link().await {
                Ok(link) => link,
                Err(e) => {
                    lab.notice
                        .set(Some(format!("could not make the link: {e}")));
                    return;
                }
            };
            let promise = window().navigator().clipboard().write_text(&link);
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => copied.set(Some(Ok(()))),
                Err(_) => copied.set(Some(Err(link))),
            }
        });
    };
    let export = move |_| {
        let (json, name) = lab.scenario.with_untracked(|s| {
            (
                s.to_json(),
                format!(
                    "ha-lab-{}-seed-{}.json",
                    s.preset.as_deref().unwrap_or("custom"),
                    s.seed
                ),
            )
        });
        if let Err(e) = download(&json, &name) {
            lab.notice
                .set(Some(format!("could not export the scenario: {e}")));
        }
    };
    let import_ref = NodeRef::<leptos::html::Input>::new();
    let import = move |_| {
        let Some(input) = import_ref.get() else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        wasm_bindgen_futures::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            match text.map(|t| Scenario::from_json(&t)) {
                Some(Ok(s)) => lab.load(s),
                Some(Err(e)) => lab.notice.set(Some(format!("{}: {e}", file.name()))),
                None => lab
                    .notice
                    .set(Some(format!("{}: could not be read", file.name()))),
            }
        });
    };
    let options = move || {
        let now = current();
        let mut html: String = presets::INDEX
            .iter()
            .map(|(name, title)| {
                let on = if *name == now { " selected" } else { "" };
                format!(r#"<option value="{name}"{on}>{title}</option>"#)
            })
            .collect();
        if now == "custom" {
            html += r#"<option value="custom" selected>Custom scenario</option>"#;
        }
        html
    };
    view! {
        <div class="scenario-bar">
            <span class="preset-pick">
                <label for="preset-select">"Scenario"</label>
                // The options as one string (fixed names and titles), the current one selected.
                <select id="preset-select" aria-label="Choose a scenario" on:change=on_pick inner_html=options></select>
            </span>
            <button on:click=share title="Copy a link that replays this run: same scenario, same seed">
                "Share"
            </button>
            <button on:click=export title="Download the scenario as a JSON file">"Export"</button>
            <label class="import button" title="Run a scenario from a JSON file">
                "Import"
                <input type="file" accept=".json,application/json" node_ref=import_ref on:change=import/>
            </label>
            <Show when=move || copied.with(Option::is_some)>
                {move || match copied.get() {
                    Some(Ok(())) => view! {
                        <p class="copied" role="status">"✓ Link copied. Anyone who opens it sees this run."</p>
                    }
                    .into_any(),
                    Some(Err(link)) => view! {
                        <div class="copy-fallback" role="status">
                            <label>
                                "The browser did not let us copy. Copy this link:"
                                <input
                                    type="text"
                                    readonly
                                    prop:value=link
                                    on:focus=|ev| {
                                        if let Some(i) = ev
                                            .target()
                                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                                        {
                                            i.select();
                                        }
                                    }
                                />
                            </label>
                        </div>
                    }
                    .into_any(),
                    None => ().into_any(),
                }}
            </Show>
        </div>
    }
}

/// Offers `text` as a file download called `name`.
fn download(text: &str, name: &str) -> Result<(), String> {
    let parts = js_sys_array(text);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| "no Blob".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "no object URL".to_string())?;
    let a = document()
        .create_element("a")
        .map_err(|_| "no document".to_string())?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "no anchor".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

fn js_sys_array(text: &str) -> js_sys::Array {
    js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text))
}

/// The message shown when the page was opened with a link it could not use.
#[component]
pub fn LinkError() -> impl IntoView {
    let lab = use_lab();
    view! {
        <Show when=move || lab.link_error.with(Option::is_some)>
            <div class="link-error" role="alert">
                <p>
                    <strong>"This link could not be opened: "</strong>
                    {move || lab.link_error.get().unwrap_or_default()}
                </p>
                <p>"Showing the default scenario instead."</p>
                <button on:click=move |_| lab.dismiss_link_error()>"Dismiss"</button>
            </div>
        </Show>
    }
}

/// What this run is: scenario, seed, format version, and its digests.
#[component]
pub fn AboutRun() -> impl IntoView {
    let lab = use_lab();
    // The running scenario's preset as shipped, to say whether the run is that preset edited:
    // the one the picker (or a lesson, or the builder) fetched, else fetched here (a link),
    // or the default, which is in the wasm.
    let base = lab.preset_base;
    Effect::new(move || {
        let want = lab.scenario.with(|x| x.preset.clone());
        let have = base.with_untracked(|b| b.as_ref().and_then(|b| b.preset.clone()));
        match want {
            Some(p) if have.as_ref() != Some(&p) && presets::INDEX.iter().any(|(n, _)| *n == p) => {
                if p == presets::DEFAULT {
                    base.set(Some(Scenario::default_scenario()));
                } else {
                    lab.open_preset(&p, |_| {});
                }
            }
            _ => {}
        }
    });
    // One string of markup (the title escaped by `rows`), rewritten with the digests.
    let html = move || {
        let (title, preset, timeline, seed, total) = lab.scenario.with(|x| {
            let preset = match &x.preset {
                Some(p) => {
                    let edited = base.with(|b| {
                        b.as_ref()
                            .is_some_and(|b| b.preset.as_ref() == Some(p) && b.cluster != x.cluster)
                    });
                    if edited {
                        format!("{p} (edited)")
                    } else {
                        p.clone()
                    }
                }
                None => "none (custom)".into(),
            };
            let timeline = match x.cluster.faults.len() {
                0 => "no faults".to_string(),
                1 => "1 entry".to_string(),
                n => format!("{n} entries"),
            };
            (
                x.title.clone(),
                preset,
                timeline,
                x.seed.to_string(),
                x.duration_s,
            )
        });
        let progress = match lab.digest_progress.get() {
            Some(us) => format!("computing… {} of {total} simulated s", us / 1_000_000),
            None => format!(" after {total} simulated s"),
        };
        rows(vec![
            ("Scenario", title),
            ("Preset", preset),
            ("Timeline", timeline),
            ("Seed", seed),
        ]) + &format!(
            r#"<div><dt>Run digest</dt><dd><code class="run-digest" title="Run digest">{}</code><span class="muted">{progress}</span></dd></div>"#,
            lab.scenario_digest.get(),
        )
    };
    // The digest of the run so far changes with every few redraws: it alone stands while the
    // panel is scrolled away from a playing run (the rest changes with the scenario).
    let live = while_followed(move || lab.live_digest.get());
    view! {
        <dl class="about" inner_html=html></dl>
        <dl class="run-now">
            <div><dt>"Digest now"</dt><dd><code class="live-digest">{live}</code></dd></div>
            <div><dt>"Format"</dt><dd>"scenario v" {SCENARIO_VERSION}</dd></div>
        </dl>
        <p class="muted small">
            "The same link gives the same run digest on any machine, here and in "
            <code>"ha-sim run --link <url>"</code>
            ". Crash, Restart and data-node clicks are added to the scenario's timeline, so the link replays them too."
        </p>
    }
}
