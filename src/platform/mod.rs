//! What the page needs from the browser beyond Leptos: the crash screen a panic leaves
//! ([`crash`]), whether a media query matches ([`media`]), on-screen visibility from an
//! `IntersectionObserver` ([`visible`]), long lists mounted a batch per animation frame
//! ([`progressive`]), files fetched when needed ([`fetch`]), the browser's DEFLATE
//! compressor for share links ([`deflate`]) and the engine's Web Worker ([`worker`]).

pub mod crash;
pub mod deflate;
pub mod fetch;
pub mod media;
pub mod progressive;
pub mod visible;
pub mod worker;

/// A JavaScript error as words: its message when it is a string, else its debug form.
pub fn js_message(e: wasm_bindgen::JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}
