//! What the page needs from the browser beyond Leptos: the crash screen a panic leaves
//! ([`crash`]) and on-screen visibility from an `IntersectionObserver` ([`visible`]).

pub mod crash;
pub mod visible;
