//! HA Lab's web app: a Leptos (CSR) shell over `ha-engine`.

mod alerts_ui;
mod app;
mod charts;
mod checkpoints;
mod compare;
mod crash;
mod feed;
mod inspector;
mod lab;
mod projection;
mod ring;
mod scenario_ui;
mod topology;
mod transport;
mod visible;

fn main() {
    // A Rust panic reaches the browser console with its message and location, and the page
    // shows what happened with a way out instead of going blank (see `crash`).
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        crash::show(&info.to_string());
    }));
    leptos::mount::mount_to_body(app::App);
    crash::test_hook();
}
