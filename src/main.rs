//! HA Lab's web app: a Leptos (CSR) shell over `ha-engine`.

mod alerts_ui;
mod app;
mod charts;
mod compare;
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
    // A Rust panic reaches the browser console with its message and location.
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
