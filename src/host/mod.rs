//! The engine side of the page: everything that reads or runs a [`ha_engine::Simulation`],
//! with no signals and no DOM, all of it run in the engine's Web Worker by a [`session`].
//! [`Host`] holds the runs ([`runs`]: the live run, the background run and the checkpoints of
//! [`checkpoints`]) and answers with a [`Frame`]: what the page draws, with the feeds in words
//! ([`lines`]) only when they changed. Compare mode's side B ([`side_b`]) and the run digest
//! ([`digest`]) run beside it. The page's [`crate::state::lab::Lab`] keeps the signals and
//! renders what a frame carries.

pub mod checkpoints;
pub mod digest;
pub mod lines;
pub mod runs;
pub mod session;
pub mod side_b;

use ha_engine::explain::Selection;
use ha_engine::present::{self, ExplanationText};
use ha_engine::trace::{select, Trace, TraceFilter};
use ha_engine::view::{KeyView, RingView};
use ha_engine::ClusterView;
use lines::{alert_lines, feed_lines, AlertLine, FeedLine};
use runs::Runs;

/// Traces a trace list holds at most.
pub const TRACE_LIST_LEN: usize = 20;

/// What the page draws after the engine has moved (what the worker sends per redraw): the
/// live run's view, compare mode's side B's, and the feeds and the explanation when they
/// changed since the last frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The live run's view ([`ha_engine::Simulation::view`]).
    pub view: ClusterView,
    /// The feed, newest first, when the engine posted to it (`None`: as last sent).
    pub feed: Option<Vec<FeedLine>>,
    /// The alert feed, newest first, when the engine posted to it (`None`: as last sent).
    pub alerts: Option<Vec<AlertLine>>,
    /// The explanation of the selection when it changed (`Some(None)`: nothing selected
    /// now; `None`: as last sent).
    pub explanation: Option<Option<ExplanationText>>,
    /// The hash ring when its generation changed (`Some(None)`: the run has no store;
    /// `None`: as last sent).
    pub ring: Option<Option<RingView>>,
    /// The trace list ([`Host::ask_traces`]) when it was due ([`Host::traces_due`]; `None`:
    /// not this frame).
    pub traces: Option<Vec<Trace>>,
    /// The trace asked for with [`Host::ask_trace`] (`Some(None)`: the run keeps no trace of
    /// that request; `None`: none asked since the last frame).
    pub picked: Option<Option<Trace>>,
    /// The picked key's replicas and copies, on every frame while a key is picked
    /// ([`Host::pick_key`]).
    pub key: Option<KeyView>,
    /// Compare mode's side B's view ([`side_b`]; `None`: compare mode is off): at the view's
    /// instant, or short of it while side B catches up; its instances without their series
    /// (the compare panel charts side B's services only).
    pub b: Option<ClusterView>,
}

ha_engine::codec::wire_struct!(Frame {
    view,
    feed,
    alerts,
    explanation,
    ring,
    traces,
    picked,
    key,
    b
});

impl Frame {
    /// This frame drawn in place of `older` and it: what `older` brought that this one does
    /// not carry again (the feeds, the explanation, the ring, the trace list and the picked
    /// trace come only when they changed).
    pub fn after(mut self, older: Frame) -> Frame {
        self.feed = self.feed.or(older.feed);
        self.alerts = self.alerts.or(older.alerts);
        self.explanation = self.explanation.or(older.explanation);
        self.ring = self.ring.or(older.ring);
        self.traces = self.traces.or(older.traces);
        self.picked = self.picked.or(older.picked);
        self
    }
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
    /// The ring's generation last sent (`None`: no ring sent yet).
    ring_generation: Option<u64>,
}

/// The runs and what the page was last sent of them.
pub struct Host {
    /// The live run, the background run and the checkpoints.
    pub runs: Runs,
    /// What the explain panel is about.
    selection: Option<Selection>,
    /// The key the ring panel follows, if any.
    key: Option<u64>,
    /// The filter of the trace list the page shows (`None`: none); its scope is the
    /// selection (a service, an instance, or else the whole cluster).
    trace_filter: Option<TraceFilter>,
    /// The next frame carries the trace list.
    traces_due: bool,
    /// A trace asked for by its request's id and not yet sent.
    trace_pick: Option<u64>,
    shown: Shown,
}

impl Host {
    /// A host of `runs`; the first frame carries everything.
    pub fn new(runs: Runs) -> Self {
        let mut h = Host {
            runs,
            selection: None,
            key: None,
            trace_filter: None,
            traces_due: false,
            trace_pick: None,
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
        self.shown.ring_generation = None;
    }

    /// The page shows the trace list of the selection (a service or an instance; else the
    /// whole cluster) under `filter`, at most [`TRACE_LIST_LEN`] traces (`None`: no list):
    /// the next frame carries it, and later ones when the selection changes or
    /// [`Host::traces_due`] says so.
    pub fn ask_traces(&mut self, filter: Option<TraceFilter>) {
        self.trace_filter = filter;
        self.traces_due();
    }

    /// The next frame carries the trace list, if the page shows one.
    pub fn traces_due(&mut self) {
        self.traces_due = self.trace_filter.is_some();
    }

    /// Asks for the trace of `request` among those the run keeps now: the next frame
    /// carries it.
    pub fn ask_trace(&mut self, request: u64) {
        self.trace_pick = Some(request);
    }

    /// Picks the key the ring panel follows (`None`: none); the next frames carry its view.
    pub fn pick_key(&mut self, key: Option<u64>) {
        self.key = key;
    }

    /// Selects what the explain panel is about; the next frame carries its explanation.
    pub fn select(&mut self, selection: Option<Selection>) {
        self.selection = selection;
        self.traces_due();
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
        let generation = view.data.as_ref().map_or(0, |d| d.generation);
        let ring = (self.shown.ring_generation != Some(generation)).then(|| {
            self.shown.ring_generation = Some(generation);
            sim.ring_view()
        });
        let due = std::mem::take(&mut self.traces_due);
        let traces = self.trace_filter.filter(|_| due).map(|filter| {
            let (svc, inst) = match self.selection {
                Some(Selection::Service(s)) => (Some(s), None),
                Some(Selection::Instance(i)) => (None, Some(i)),
                _ => (None, None),
            };
            select(sim.traces(), svc, inst, filter)
                .into_iter()
                .take(TRACE_LIST_LEN)
                .cloned()
                .collect()
        });
        let picked = self
            .trace_pick
            .take()
            .map(|r| sim.traces().rev().find(|t| t.request == r).cloned());
        Frame {
            traces,
            picked,
            key: self.key.and_then(|k| sim.key_view(k)),
            ring,
            view,
            feed,
            alerts,
            explanation,
            b: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_engine::codec::{decode, decode_into, encode};
    use ha_engine::scenario::Scenario;
    use ha_engine::{presets, InstanceId, SimTime};

    /// Every frame of every preset, with everything a frame can carry asked for (an
    /// explanation, a trace list, a picked trace, the ring and a key), comes back equal
    /// through the codec: decoded fresh, and in place over the frame before it.
    #[test]
    fn every_frame_crosses_the_codec_unchanged() {
        let mut shown: Option<Frame> = None;
        let (mut traces, mut picked, mut rings, mut feeds) = (0, 0, 0, 0);
        for p in presets::all() {
            let s = Scenario::from_preset(&p, 42);
            let mut host = Host::new(Runs::new(runs::build(&s)));
            host.select(Some(Selection::Instance(InstanceId(0))));
            host.ask_traces(Some(TraceFilter::All));
            host.pick_key(Some(u64::MAX / 3));
            for t in (0..=60).step_by(5) {
                host.runs.a.run_until(SimTime::from_secs(t));
                if let Some(r) = host.runs.a.traces().last().map(|t| t.request) {
                    host.ask_trace(r);
                }
                host.traces_due();
                let frame = host.frame();
                traces += usize::from(frame.traces.as_ref().is_some_and(|t| !t.is_empty()));
                picked += usize::from(matches!(frame.picked, Some(Some(_))));
                rings += usize::from(matches!(frame.ring, Some(Some(_))));
                feeds += usize::from(frame.feed.as_ref().is_some_and(|f| !f.is_empty()));
                let bytes = encode(&mut frame.clone());
                assert_eq!(decode::<Frame>(&bytes), frame, "{} at {t} s", p.name);
                let into = shown.get_or_insert_with(|| frame.clone());
                decode_into(into, &bytes);
                assert_eq!(*into, frame, "{} at {t} s, in place", p.name);
            }
        }
        // The runs carried each part at least once.
        assert!(traces > 0 && picked > 0 && rings > 0 && feeds > 0);
    }
}
