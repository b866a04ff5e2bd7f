//! Whether an element is on screen, for panels that need not redraw while scrolled away.
//!
//! With 30 instances most cards are below the fold; their text and charts re-rendering every
//! frame cost more than the engine (see BENCHMARKS.md). A card's numbers and chart follow the run
//! only while it is within [`MARGIN`] of the viewport, and catch up the moment it comes back.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

/// How far outside the viewport an element still counts as visible (CSS length), so it is
/// current before it scrolls in.
pub const MARGIN: &str = "300px";

/// The observer's callback, kept alive as long as the component.
type Callback = Closure<dyn FnMut(js_sys::Array)>;

/// A signal that is `true` while the element behind `target` is within `margin` (a CSS
/// length: [`MARGIN`] for content that must be current before it scrolls in, `"0px"` for what
/// can resume at once) of the viewport, and until the browser first reports on it. Stops
/// observing when the calling component is cleaned up.
pub fn use_visible<E>(target: NodeRef<E>, margin: &'static str) -> ReadSignal<bool>
where
    E: leptos::html::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let (visible, set_visible) = signal(true);
    let element = move || {
        target
            .get()
            .and_then(|el| el.dyn_ref::<web_sys::Element>().cloned())
    };
    observe(Box::new(element), set_visible, margin);
    visible
}

/// As [`use_visible`], for the first element that matches `selector` once the calling
/// component is mounted (no `NodeRef` in its view, whose type would grow the view's code).
pub fn use_visible_selector(selector: &'static str, margin: &'static str) -> ReadSignal<bool> {
    let (visible, set_visible) = signal(true);
    observe(Box::new(move || find(selector)), set_visible, margin);
    visible
}

/// The first element that matches `selector` now, if any. Also how the trace list tells it is
/// under a press (`".trace-list:active"`, [`crate::state::lab::Lab::hold_traces_while`]). One
/// copy in the wasm (`inline(never)`: each inlined query cost the
/// page about 270 B gzipped).
#[inline(never)]
pub fn find(selector: &str) -> Option<web_sys::Element> {
    document().query_selector(selector).ok().flatten()
}

/// The part of [`use_visible`] that is the same for every element type (one copy in the wasm).
fn observe(
    element: Box<dyn Fn() -> Option<web_sys::Element> + Send + Sync>,
    set: WriteSignal<bool>,
    margin: &'static str,
) {
    let observer: StoredValue<Option<IntersectionObserver>, LocalStorage> =
        StoredValue::new_local(None);
    let callback: StoredValue<Option<Callback>, LocalStorage> = StoredValue::new_local(None);
    Effect::new(move |_| {
        let Some(el) = element() else { return };
        if observer.with_value(Option::is_some) {
            return;
        }
        let cb = Callback::new(move |entries: js_sys::Array| {
            // The last entry is the newest state of our one target.
            if let Some(e) = entries
                .iter()
                .last()
                .and_then(|e| e.dyn_into::<IntersectionObserverEntry>().ok())
            {
                set.set(e.is_intersecting());
            }
        });
        let init = IntersectionObserverInit::new();
        init.set_root_margin(margin);
        if let Ok(obs) = IntersectionObserver::new_with_options(cb.as_ref().unchecked_ref(), &init)
        {
            obs.observe(&el);
            observer.set_value(Some(obs));
            callback.set_value(Some(cb));
        }
    });
    on_cleanup(move || {
        observer.try_with_value(|o| {
            if let Some(o) = o {
                o.disconnect();
            }
        });
    });
}

/// Whether the content of the panel around a component follows the run now: its panel is within
/// [`MARGIN`] of the viewport, or the run is paused. `Panel` (views/app.rs) provides it.
#[derive(Clone, Copy)]
pub struct Follow(pub Memo<bool>);

/// `live`'s value, tracked while the enclosing panel follows the run ([`Follow`]); while it is
/// scrolled away from a playing run the value stands, and it catches up the moment the panel
/// comes back or the run pauses. Outside a panel it always follows. For panels whose markup
/// changes every redraw (a chart, the request totals): the rewrite of markup no one sees was a
/// third of the redraw's DOM writes at 10× on `stress`.
pub fn while_followed<T>(live: impl Fn() -> T + Send + Sync + 'static) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    let follow = use_context::<Follow>().map(|f| f.0);
    Memo::new(move |_| match follow {
        Some(f) if !f.get() => untrack(&live),
        _ => live(),
    })
}
