//! The engine side of the page: everything that reads or runs a [`ha_engine::Simulation`],
//! with no signals and no DOM. [`Host`] holds the runs ([`runs`]: the live run, compare mode's
//! side B, the background run and the checkpoints of [`checkpoints`]) and answers the page
//! with a [`Frame`]: what it draws, with the feeds in words ([`lines`]) only when they
//! changed. This is the half of the page that is to run in a Web Worker (issue 26); the
//! page's [`crate::state::lab::Lab`] keeps the signals and renders what a frame carries.

pub mod checkpoints;
pub mod lines;
pub mod runs;

use ha_engine::explain::Selection;
use ha_engine::present::{self, ExplanationText};
use ha_engine::ClusterView;
use lines::{alert_lines, feed_lines, AlertLine, FeedLine};
use runs::Runs;

/// What the page draws after the engine has moved (what the worker is to send per redraw):
/// side A's view, side B's, and the feeds and the explanation when they changed since the
/// last frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// Side A's view ([`ha_engine::Simulation::view`]).
    pub view: ClusterView,
    /// Compare mode's side B (`None`: compare mode is off).
    pub b: Option<ClusterView>,
    /// The feed, newest first, when the engine posted to it (`None`: as last sent).
    pub feed: Option<Vec<FeedLine>>,
    /// The alert feed, newest first, when the engine posted to it (`None`: as last sent).
    pub alerts: Option<Vec<AlertLine>>,
    /// The explanation of the selection when it changed (`Some(None)`: nothing selected
    /// now; `None`: as last sent).
    pub explanation: Option<Option<ExplanationText>>,
}

/// What the page was last sent, so a frame carries only what changed.
#[derive(Default)]
struct Shown {
    /// The view's `feed_posted` and `alert_posted` last sent (`u64::MAX`: nothing sent yet).
    feed_posted: u64,
    alert_posted: u64,
    /// The feed lines last sent: their words are reused for the notices still in the feed.
    feed: Vec<FeedLine>,
    explanation: Option<ExplanationText>,
}

/// The runs and what the page was last sent of them.
pub struct Host {
    /// The live run, side B, the background run and the checkpoints.
    pub runs: Runs,
    /// What the explain panel is about.
    selection: Option<Selection>,
    shown: Shown,
}

impl Host {
    /// A host of `runs`; the first frame carries everything.
    pub fn new(runs: Runs) -> Self {
        let mut h = Host {
            runs,
            selection: None,
            shown: Shown::default(),
        };
        h.forget_shown();
        h
    }

    /// The next frame sends the feeds anew (after a rebuild or a restore, whose run numbers
    /// its notices anew: none of the words sent may be reused).
    pub fn forget_shown(&mut self) {
        self.shown.feed_posted = u64::MAX;
        self.shown.alert_posted = u64::MAX;
        self.shown.feed.clear();
    }

    /// Selects what the explain panel is about; the next frame carries its explanation.
    pub fn select(&mut self, selection: Option<Selection>) {
        self.selection = selection;
    }

    /// The frame of the runs as they are now: the views, and the feeds and explanation if
    /// they changed since the last frame.
    pub fn frame(&mut self) -> Frame {
        let sim = &self.runs.a;
        let view = sim.view();
        let feed = (view.feed_posted != self.shown.feed_posted).then(|| {
            self.shown.feed_posted = view.feed_posted;
            self.shown.feed = feed_lines(sim, &self.shown.feed);
            self.shown.feed.clone()
        });
        let alerts = (view.alert_posted != self.shown.alert_posted).then(|| {
            self.shown.alert_posted = view.alert_posted;
            alert_lines(sim)
        });
        let e = self
            .selection
            .map(|sel| present::explanation(&sim.explain(sel), sim));
        let explanation = (e != self.shown.explanation).then(|| {
            self.shown.explanation = e.clone();
            e
        });
        Frame {
            view,
            b: self.runs.b.as_ref().map(ha_engine::Simulation::view),
            feed,
            alerts,
            explanation,
        }
    }
}
