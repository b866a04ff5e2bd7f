//! Fetching a text file the page ships beside its wasm (a built-in lesson,
//! `lessons/NAME.json`): loaded when it is needed, not with the page.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The text at `url`, relative to the page.
///
/// Errors: the browser's message when the request fails, or the HTTP status.
pub async fn text(url: &str) -> Result<String, String> {
    let err = super::js_message;
    let resp: web_sys::Response = JsFuture::from(leptos::prelude::window().fetch_with_str(url))
        .await
        .map_err(err)?
        .dyn_into()
        .map_err(err)?;
    if !resp.ok() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    JsFuture::from(resp.text().map_err(err)?)
        .await
        .map_err(err)?
        .as_string()
        .ok_or_else(|| format!("{url} is not text"))
}
