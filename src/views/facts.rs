//! A definition list's entries from (label, value) pairs: the inspectors', the queue card's
//! and the request totals'. One template for all of them, as a string of markup (values
//! escaped) set on the `<dl>` by one binding each: a list of elements each cost wasm. A leaf.

use crate::views::markup::esc;

/// `<div><dt>label</dt><dd>value</dd></div>` for each pair; each value's `data-testid` is
/// `fact-` and its label (the tests find a fact by it).
pub fn rows(v: Vec<(&'static str, String)>) -> String {
    v.into_iter()
        .map(|(k, v)| {
            format!(
                r#"<div><dt>{k}</dt><dd data-testid="fact-{k}">{}</dd></div>"#,
                esc(&v)
            )
        })
        .collect()
}
