//! Markup made as strings, for lists and texts that would otherwise be a tree of views each
//! (a keyed list of rows cost kilobytes of wasm): everything that comes from a scenario, a
//! link or a file is escaped first ([`esc`]); lesson texts get their three marks ([`marked`]).

/// `text` escaped for HTML (text and attribute values).
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `text` as HTML: escaped, then `**bold**`, `` `code` `` and `- ` list lines, paragraphs at
/// blank lines.
pub fn marked(text: &str) -> String {
    let esc = esc(text);
    let inline = |line: &str| {
        let mut out = String::new();
        for (i, part) in line.split("**").enumerate() {
            let part: String = part
                .split('`')
                .enumerate()
                .map(|(j, p)| {
                    if j % 2 == 1 {
                        format!("<code>{p}</code>")
                    } else {
                        p.into()
                    }
                })
                .collect();
            if i % 2 == 1 {
                out += &format!("<strong>{part}</strong>");
            } else {
                out += &part;
            }
        }
        out
    };
    let mut html = String::new();
    let mut list = false;
    for line in esc.lines() {
        let item = line.strip_prefix("- ");
        if item.is_some() != list {
            html += if list { "</ul>" } else { "<ul>" };
            list = !list;
        }
        match item {
            Some(i) => html += &format!("<li>{}</li>", inline(i)),
            None if !line.trim().is_empty() => html += &format!("<p>{}</p>", inline(line)),
            None => {}
        }
    }
    if list {
        html += "</ul>";
    }
    html
}

/// The `data-{name}` attribute of the element a click landed on: how one handler serves a
/// list drawn as markup (its buttons carry what they act on in `data-` attributes).
pub fn clicked_data(ev: &leptos::ev::MouseEvent, name: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.get_attribute(&format!("data-{name}")))
}

/// An SVG coordinate or a form's number as an attribute value: at most six decimals, no
/// trailing zeros ([`ha_engine::present::Dec`], not `core`'s float formatting: bytes).
pub fn num(v: f64) -> String {
    ha_engine::present::Dec(v).to_string()
}
