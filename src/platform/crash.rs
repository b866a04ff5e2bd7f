//! The screen a Rust panic leaves behind: what happened and two ways to go on.
//!
//! The release build aborts on panic (`panic = "abort"`), so after the hook returns the wasm
//! instance is dead: the screen is plain DOM written from the hook, and its two ways out are
//! a reload of the same link and a link to the page without a scenario. Neither needs wasm.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Covers the page with the panic `message` and the ways out. Does nothing if there is no
/// document (or the screen is already up).
pub fn show(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if doc.get_element_by_id("crash").is_some() {
        return;
    }
    let Ok(el) = doc.create_element("div") else {
        return;
    };
    el.set_id("crash");
    let _ = el.set_attribute("role", "alertdialog");
    let _ = el.set_attribute("aria-modal", "true");
    let _ = el.set_attribute("aria-labelledby", "crash-title");
    let _ = el.set_attribute("aria-describedby", "crash-what");
    let fresh = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".into());
    el.set_inner_html(&format!(
        "<div class=\"crash-box\">\
           <h2 id=\"crash-title\">HA Lab stopped: the page hit a bug</h2>\
           <p id=\"crash-what\">The simulation cannot go on in this tab. Your scenario is still in \
           the address bar, so reloading runs it again from the start.</p>\
           <pre class=\"crash-message\"></pre>\
           <div class=\"crash-actions\">\
             <button type=\"button\" onclick=\"location.reload()\">Reload this scenario</button>\
             <a class=\"button\" href=\"{fresh}\">Start over with the default scenario</a>\
           </div>\
           <p class=\"muted\">If it happens again, please report it with the link and the message above.</p>\
         </div>"
    ));
    if let Ok(Some(pre)) = el.query_selector(".crash-message") {
        pre.set_text_content(Some(message));
    }
    if let Some(body) = doc.body() {
        let _ = body.append_child(&el);
    }
    if let Ok(Some(b)) = el.query_selector("button") {
        if let Ok(b) = b.dyn_into::<web_sys::HtmlElement>() {
            let _ = b.focus();
        }
    }
}

/// Test hook for the end-to-end suite: with `?panic-test` in the URL the app panics 1.5 s
/// after it starts, so the crash screen can be checked on the release build.
pub fn test_hook() {
    let wanted = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|s| s.contains("panic-test"));
    if wanted {
        set_timeout(
            || panic!("panic test requested by ?panic-test"),
            std::time::Duration::from_millis(1_500),
        );
    }
}
