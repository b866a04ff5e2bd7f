//! The page's state: the signals the views render ([`lab`]), the runs they are fed from with
//! no signals ([`runs`]), the snapshots time travel restores ([`checkpoints`]), and the feeds
//! in words ([`lines`]). It imports no view.

pub mod checkpoints;
pub mod lab;
pub mod lines;
pub mod runs;
