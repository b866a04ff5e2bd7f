//! What the page needs from the browser beyond Leptos: the crash screen a panic leaves
//! ([`crash`]), whether a media query matches ([`media`]), on-screen visibility from an
//! `IntersectionObserver` ([`visible`]), long lists mounted a batch per animation frame
//! ([`progressive`]), files fetched when needed ([`fetch`]) and the browser's DEFLATE
//! compressor for share links ([`deflate`]).

pub mod crash;
pub mod deflate;
pub mod fetch;
pub mod media;
pub mod progressive;
pub mod visible;
