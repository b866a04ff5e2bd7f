//! Mounting a long list over several animation frames instead of in one task.
//!
//! Building the DOM of 64 instance cards (charts, numbers, buttons: about 60 elements and 25
//! reactive bindings each) took one task of about 300 ms when a heavy link opened; built a
//! batch per frame, no task is long and the top of the page shows at once. (The technique
//! of React's time slicing and of every virtual list: do the work the next frame needs.)

use leptos::prelude::*;

/// How many of `total` items to mount now: `first` at once, then `batch` more on each
/// animation frame until all are. Follows `total` down at once and up a batch per frame.
/// Stops when the calling component is cleaned up.
pub fn use_progressive(total: Memo<usize>, first: usize, batch: usize) -> ReadSignal<usize> {
    let (shown, set_shown) = signal(first.min(total.get_untracked()));
    let growing = StoredValue::new(false);
    fn grow(
        total: Memo<usize>,
        set_shown: WriteSignal<usize>,
        growing: StoredValue<bool>,
        batch: usize,
    ) {
        request_animation_frame(move || {
            let Some(t) = total.try_get_untracked() else {
                return;
            };
            let more = set_shown
                .try_update(|s| {
                    *s = (*s + batch).min(t);
                    *s < t
                })
                .unwrap_or(false);
            if more {
                grow(total, set_shown, growing, batch);
            } else {
                growing.try_set_value(false);
            }
        });
    }
    Effect::new(move |_| {
        let t = total.get();
        if shown.get_untracked() > t {
            set_shown.set(t);
        } else if shown.get_untracked() < t && !growing.get_value() {
            growing.set_value(true);
            grow(total, set_shown, growing, batch);
        }
    });
    shown
}

/// Which items a [`Keyed`] list shows, by index.
pub type Indices = std::sync::Arc<dyn Fn() -> Vec<usize> + Send + Sync>;

/// How a [`Keyed`] list draws item `i`.
pub type Item = std::sync::Arc<dyn Fn(usize) -> AnyView + Send + Sync>;

/// A keyed list of the items `each` names (by index), each drawn once by `item` when it first
/// appears and kept while it stays: Leptos' `For`, behind one type so that every list of the
/// page shares one copy of its code in the wasm (each `For` over its own closures is another).
#[component]
pub fn Keyed(each: Indices, item: Item) -> impl IntoView {
    view! { <For each=move || each() key=|i| *i children=move |i| item(i)/> }
}

/// The indices `0..mounted` of a progressive list ([`use_progressive`]) as [`Indices`].
pub fn first_n(mounted: ReadSignal<usize>) -> Indices {
    std::sync::Arc::new(move || (0..mounted.get()).collect())
}
