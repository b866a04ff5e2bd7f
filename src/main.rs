//! HA Lab's web app: a Leptos (CSR) shell over `ha-engine`.

mod host;
mod platform;
mod state;
mod views;

/// The global allocator: talc (`talc::wasm`), smaller in the wasm and faster than the
/// default dlmalloc (BENCHMARKS.md, where the bytes go).
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    // In the engine's Web Worker (`platform::worker`) this module only serves the session's
    // exports (`s_command`, `s_tick`, `s_work`): no page to mount.
    if web_sys::window().is_none() {
        return;
    }
    // A Rust panic reaches the browser console with its message and location, and the page
    // shows what happened with a way out instead of going blank (see `crash`).
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.as_str().into());
        platform::crash::show(&message);
    }));
    // Mounted in a task of its own, after the one that compiled and started the wasm and
    // after the browser has inflated the page's link: each stays short (no long task when a
    // heavy link opens, see issue 21).
    wasm_bindgen_futures::spawn_local(async {
        let opened = state::lab::opening().await;
        leptos::prelude::set_timeout(
            move || {
                leptos::mount::mount_to_body(move || {
                    leptos::prelude::view! { <views::app::App opened=opened.clone()/> }
                })
            },
            std::time::Duration::ZERO,
        );
    });
    platform::crash::test_hook();
}
