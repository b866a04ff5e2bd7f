//! What the page needs from the browser beyond Leptos: the crash screen a panic leaves
//! ([`crash`]), whether a media query matches ([`media`]), on-screen visibility from an
//! `IntersectionObserver` ([`visible`]) and long lists mounted a batch per animation frame
//! ([`progressive`]).

pub mod crash;
pub mod media;
pub mod progressive;
pub mod visible;
