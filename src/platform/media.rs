//! Whether a CSS media query matches, as a signal that follows the browser (a phone turned
//! sideways, a window resized).

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// The width at and below which the page takes its phone layout: the topology as a vertical
/// flow ([`crate::views::flow`]), the inspector as a bottom sheet, a compact header, tap
/// targets of at least 44 × 44 px. `style/main.css` uses the same width.
pub const PHONE_QUERY: &str = "(max-width: 700px)";

/// A signal that is `true` while `query` matches (`false` if the browser cannot say). Listens
/// for changes as long as the page lives (it is made once, by the app).
pub fn use_media(query: &str) -> ReadSignal<bool> {
    let list = window().match_media(query).ok().flatten();
    let (matches, set_matches) = signal(list.as_ref().is_some_and(|l| l.matches()));
    if let Some(list) = list {
        let cb = Closure::<dyn FnMut(web_sys::MediaQueryListEvent)>::new(
            move |e: web_sys::MediaQueryListEvent| set_matches.set(e.matches()),
        );
        let _ = list.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
        // The page's lifetime: the listener is never removed.
        cb.forget();
    }
    matches
}

/// Whether the page has its phone layout ([`PHONE_QUERY`]); provided by the app as context.
#[derive(Clone, Copy)]
pub struct Phone(pub ReadSignal<bool>);

/// True while the page has its phone layout (`false` outside the app).
pub fn is_phone() -> bool {
    use_context::<Phone>().is_some_and(|p| p.0.get())
}
