//! The page's state: the signals the views render ([`lab`]), set from what the engine side
//! ([`crate::host`]) answers. It imports no view.

pub mod lab;
