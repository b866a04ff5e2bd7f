//! A definition list's entries from (label, value) pairs: the inspectors', the queue card's
//! and the request totals'. One template for all of them: each distinct list of elements is
//! its own code in the wasm, and these lists are redrawn by one binding each. A leaf.

use leptos::prelude::*;

/// `<div><dt>label</dt><dd>value</dd></div>` for each pair; each value's `data-testid` is
/// `fact-` and its label (the tests find a fact by it).
pub fn rows(v: Vec<(&'static str, String)>) -> impl IntoView {
    v.into_iter()
        .map(|(k, v)| view! { <div><dt>{k}</dt><dd data-testid=format!("fact-{k}")>{v}</dd></div> })
        .collect_view()
}
