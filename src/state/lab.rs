//! The app's one piece of state: the signals the views render, set from the [`Frame`]s of the
//! engine side it holds ([`Host`]: the live run, compare mode's side B, the background run and
//! the checkpoints; the run digest is the engine's worker's, [`crate::platform::worker`]).
//!
//! On animation frames [`Lab::frame`] advances the engine by the wall-clock time since it last
//! ran × speed, and on others it sets the signals from one frame ([`Cadence`]). Components read
//! those signals and call [`Lab::act`]; none of them computes simulation numbers.

pub use crate::host::lines::{AlertLine, FeedLine};
use crate::host::runs::{build, Runs};
use crate::host::side_b::{BCommand, BReply};
pub use crate::host::side_b::{CompareSpec, SideB};
use crate::host::{Frame, Host};
use crate::platform::worker::Reply;
use ha_engine::breaker::BreakerState;
use ha_engine::common::MAX_FAULTS;
use ha_engine::explain::Selection;
use ha_engine::present::{self, ExplanationText};
use ha_engine::scenario::draft::{Draft, Edit};
use ha_engine::scenario::{Scenario, ScenarioError};
use ha_engine::view::{InstanceStatus, InstanceView, ServiceView};
use ha_engine::{Action, ClusterView, ServiceId, SimTime, Simulation};
use leptos::prelude::*;

mod traces;
mod tutor;
pub use tutor::{progress, LessonRun};

/// Longest wall-clock gap one frame may simulate, ms. A background tab's frames stop; on return
/// the run continues instead of jumping ahead.
const MAX_FRAME_MS: f64 = 100.0;

/// Wall-clock time the engine may use per animation frame, ms: half of a 60 Hz frame, leaving
/// the rest for rendering. Past it the page runs slower than asked and says so.
const ENGINE_BUDGET_MS: f64 = 8.0;

/// With [`Cadence::EveryFrame`], the engine's budget on the frames that do not redraw, ms: with
/// no redraw after it, the frame stays as long as one that takes [`ENGINE_BUDGET_MS`] and
/// redraws (about 14 ms of a 16.7 ms frame with `stress` at 100×).
const ENGINE_SOLO_BUDGET_MS: f64 = 12.0;

/// Wall-clock time a replay (a seek, an edit, compare mode starting) may take per animation
/// frame, ms: well under the 100 ms that makes a long task, so the page stays responsive while
/// it catches up, and a replay from the nearest checkpoint usually ends in one or two frames.
const REPLAY_BUDGET_MS: f64 = 40.0;

/// Wall-clock time the background run that fills the checkpoints behind the live run may
/// take per idle callback, ms.
const BACKGROUND_BUDGET_MS: f64 = 8.0;

/// While the run plays, the background run waits when the engine used more than this share
/// of the wall-clock time over the last pace window (or has every frame): under load its
/// slices would take the frames the live run needs (the `stress` preset at 10× uses about a
/// sixth). Paused, it always runs. While playing it takes half the budget, and snapshots only
/// of small clusters (see [`SNAPSHOT_WHILE_PLAYING_UP_TO`]).
const BACKGROUND_BELOW_SHARE: f64 = 0.05;

/// While the run plays, the background run takes snapshots only of clusters with at most this
/// many instances: a snapshot of `stress` (30 instances, 3.7 MB) takes several ms at once, a
/// preset's (up to 10, about 1 MB) about one.
const SNAPSHOT_WHILE_PLAYING_UP_TO: usize = 12;

/// Wall-clock window over which the achieved speed is measured, ms.
const PACE_WINDOW_MS: f64 = 500.0;

/// While the run plays, instances and services are redrawn in this many interleaved groups,
/// one group per redraw: instance `i` on the redraws where `redraw % REDRAW_GROUPS == i %
/// REDRAW_GROUPS`. A redraw is every other animation frame with either [`Cadence`] (30 a second
/// on a 60 Hz display: each instance 10 times a second). A redraw does a third of them, so the page under load
/// stays within its frame budget (BENCHMARKS.md). Everything else (instance states, the clock,
/// totals, feeds) is redrawn on every redraw; a pause, a step, a command or an edit redraws all
/// at once, so a paused page shows one instant.
pub const REDRAW_GROUPS: usize = 3;

/// [`Cadence::EveryFrame`] goes back to [`Cadence::Alternate`] when the engine used less than
/// this share of the wall-clock time over a pace window (`PACE_WINDOW_MS`): about 2 ms of a
/// 16.7 ms frame, so the two frames' worth it then does at once stays well within
/// [`ENGINE_BUDGET_MS`] and the cadence does not flip back.
const ALTERNATE_BELOW_SHARE: f64 = 0.12;

/// How [`Lab::frame`] spreads the engine and the redraw over animation frames while playing.
///
/// The same split as a game loop's fixed update and render, done to keep each frame short: at
/// 10× with 30 instances, a frame that both advanced the engine and redrew took p95 9.1 ms; with
/// the two on alternate frames, no frame's p95 is above 8 ms (BENCHMARKS.md). Dots keep moving
/// on every frame (a CSS animation).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Cadence {
    /// The engine keeps up easily: on one frame it advances by the wall-clock time of that
    /// frame and the one before; on the next the page is redrawn. No frame does both.
    #[default]
    Alternate,
    /// The engine needs a large share of each frame (fast speeds, big clusters): every frame it
    /// advances, and every other frame the page is redrawn. A frame that redraws gives the
    /// engine [`ENGINE_BUDGET_MS`]; one that does not gives it [`ENGINE_SOLO_BUDGET_MS`] and
    /// the simulated time the frame before did not reach, so the engine gets about a quarter
    /// more of each second than with a redraw on every frame. Entered when
    /// [`Cadence::Alternate`] falls behind the chosen speed; left below
    /// [`ALTERNATE_BELOW_SHARE`].
    EveryFrame,
}

impl Cadence {
    /// Its name on the page (`data-cadence` of the clock): `alternate` or `every-frame`.
    pub fn name(self) -> &'static str {
        match self {
            Cadence::Alternate => "alternate",
            Cadence::EveryFrame => "every-frame",
        }
    }
}

/// Compare mode: most of side A's views kept waiting for side B's answers about their instants
/// ([`Lab::compare_a`]): a few redraws' worth, so a slow answer still finds its instant.
const PENDING_A: usize = 8;

/// While the run plays, the live digest ([`Lab::live_digest`]) is redrawn on every this many
/// redraws (about 4 times a wall-clock second with [`Cadence::Alternate`] at 60 Hz): a
/// 16-hex-digit code changing on every frame cannot be read, and redrawing it cost about 0.8 ms a
/// frame (measured on a paused page). A full redraw (pause, step, command, edit) shows the exact
/// digest at once.
pub const DIGEST_REDRAW_EVERY: usize = 8;

/// The part of an instance's view that changes with its state rather than with each request
/// (a subset of [`InstanceView`]). It has its own signal: with 30 instances, the effects that
/// draw state would otherwise re-run on every redraw, about 16 per instance, for nothing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InstanceState {
    /// Its state.
    pub status: InstanceStatus,
    /// Process running.
    pub up: bool,
    /// The balancer may pick it now.
    pub candidate: bool,
    /// The worst breaker state towards it (`None`: no breakers).
    pub breaker: Option<BreakerState>,
}

impl InstanceState {
    /// The state part of `x`.
    pub fn of(x: &InstanceView) -> Self {
        InstanceState {
            status: x.status,
            up: x.up,
            candidate: x.candidate,
            breaker: x.breaker,
        }
    }
}

/// What the next animation frame does (see [`Cadence`] and [`REDRAW_GROUPS`]).
#[derive(Clone, Copy, Default)]
struct Redraw {
    /// Redraws while playing since the page opened; picks the group.
    redraws: usize,
    /// Animation frames played since the page opened; picks engine or redraw.
    tick: usize,
    /// Wall-clock time of redraw frames not yet simulated, ms.
    carry_ms: f64,
    /// With [`Cadence::EveryFrame`], simulated time a redraw frame asked for and its budget
    /// did not reach, µs: the next frame, which does not redraw, takes it on.
    shortfall_us: u64,
    /// The page, or some groups of it, shows an earlier instant than the engine (a full redraw
    /// clears it).
    partial: bool,
}

/// What a playing animation frame does besides its own wall-clock time ([`Redraw::plan`]).
#[derive(Clone, Copy, Debug, PartialEq)]
struct FramePlan {
    /// Wall-clock time of earlier frames to simulate too, ms.
    carried_ms: f64,
    /// Simulated time the frame before did not reach, to simulate too, µs.
    taken_us: u64,
    /// Whether the frame redraws after the engine.
    redraws: bool,
}

impl Redraw {
    /// The next playing frame of `wall_ms` under `cadence`: `None` for a frame that only
    /// redraws ([`Cadence::Alternate`]'s odd frames, whose wall-clock time is carried to the
    /// next). Alternate: an engine frame takes the carried time and does not redraw.
    /// EveryFrame: every frame advances the engine (the first after Alternate also takes its
    /// carry) and every other one redraws; one that does not redraw takes on what the redraw
    /// frame before it did not reach ([`Redraw::shortfall_us`], set by the caller after a
    /// redraw frame).
    fn plan(&mut self, cadence: Cadence, wall_ms: f64) -> Option<FramePlan> {
        self.tick = self.tick.wrapping_add(1);
        let odd = self.tick % 2 == 1;
        match cadence {
            Cadence::Alternate if odd => {
                self.carry_ms += wall_ms;
                None
            }
            Cadence::Alternate => {
                self.partial = true;
                self.shortfall_us = 0;
                Some(FramePlan {
                    carried_ms: std::mem::take(&mut self.carry_ms),
                    taken_us: 0,
                    redraws: false,
                })
            }
            Cadence::EveryFrame => {
                self.partial = true;
                Some(FramePlan {
                    carried_ms: std::mem::take(&mut self.carry_ms),
                    taken_us: if odd {
                        std::mem::take(&mut self.shortfall_us)
                    } else {
                        0
                    },
                    redraws: !odd,
                })
            }
        }
    }
}

/// Achieved speed bookkeeping over the current window: wall-clock ms, simulated µs done and
/// asked for, and wall-clock ms the engine used.
#[derive(Clone, Copy, Default)]
struct Pace {
    wall_ms: f64,
    sim_us: f64,
    asked_us: f64,
    engine_ms: f64,
}

/// Handles to the simulation and the signals the page renders. `Copy`, shared by context.
#[derive(Clone, Copy)]
pub struct Lab {
    /// The engine side ([`Host`]): the runs (the live one, compare mode's side B, the
    /// background run and the checkpoints) and what the page was last sent of them.
    host: StoredValue<Host, LocalStorage>,
    /// What the page shows, set once per redraw (see [`Cadence`]).
    pub view: RwSignal<ClusterView>,
    /// The feed, newest first; refreshed only when the engine posts to it.
    pub feed: RwSignal<Vec<FeedLine>>,
    /// Whether simulated time advances with the wall clock.
    pub playing: RwSignal<bool>,
    /// The last refused command, shown to the user.
    pub notice: RwSignal<Option<String>>,
    /// The scenario being run (what a share link carries).
    pub scenario: RwSignal<Scenario, LocalStorage>,
    /// Bumped whenever a new scenario is loaded: the page re-lays out its panels.
    pub generation: RwSignal<u64>,
    /// Why the link the page was opened with could not be used, if it could not.
    pub link_error: RwSignal<Option<String>>,
    /// Digest of the scenario run for its duration (what `ha-sim run --link` prints); empty
    /// while the engine's worker computes it ([`Lab::digest_progress`]).
    pub scenario_digest: RwSignal<String>,
    /// How far the worker's run that computes [`Lab::scenario_digest`] has got, simulated µs
    /// (`None`: the digest is computed).
    pub digest_progress: RwSignal<Option<u64>>,
    /// A replay in progress: the simulated µs both runs are being brought to, a slice per
    /// frame (see [`REPLAY_BUDGET_MS`]). The page shows the instant it had until it ends.
    pub replay: RwSignal<Option<u64>>,
    /// How far the replay in progress has got, simulated µs (its progress bar).
    pub replay_at: RwSignal<u64>,
    /// What the inspector and the explain panel are about.
    pub selection: RwSignal<Option<Selection>>,
    /// The run's digest at the engine's current instant (`ClusterView::digest`), redrawn every
    /// [`DIGEST_REDRAW_EVERY`] redraws while playing and at once on a full redraw.
    pub live_digest: RwSignal<String>,
    /// The explain panel's text for the selection, refreshed with the view.
    pub explanation: RwSignal<Option<ExplanationText>>,
    /// The alert feed, newest first; refreshed only when the engine posts to it.
    pub alert_feed: RwSignal<Vec<AlertLine>>,
    /// The trace list last asked for ([`Lab::ask_traces`]), newest or filtered first.
    pub trace_list: RwSignal<Vec<ha_engine::trace::Trace>>,
    /// The hash ring of the run's store (`None`: it has none), refetched when its generation
    /// changes.
    pub ring: RwSignal<Option<ha_engine::view::RingView>>,
    /// The key the ring panel follows: its replicas and copies now ([`Lab::pick_key`]).
    pub key_view: RwSignal<Option<ha_engine::view::KeyView>>,
    /// Compare mode: what side B changes (`None`: off).
    pub compare_spec: RwSignal<Option<CompareSpec>>,
    /// Compare mode: side B's view, as the engine's worker last sent it
    /// ([`crate::host::side_b`]): at [`Lab::compare_a`]'s instant, or short of it while side B
    /// catches up.
    pub compare_view: RwSignal<Option<ClusterView>>,
    /// Compare mode: side A's view at the instant side B was last brought to, so the two
    /// sides show the same instant (side B comes a frame or so after side A).
    pub compare_a: RwSignal<Option<ClusterView>>,
    /// Side A's views at the instants side B was asked to go to and has not answered yet,
    /// oldest first, at most [`PENDING_A`] (under load an answer comes after the next redraw
    /// has asked for a later instant).
    pending_a: StoredValue<Vec<ClusterView>>,
    /// Actions and edits asked for during a replay, applied when it ends ([`Lab::defer`]).
    deferred: StoredValue<Vec<Deferred>, LocalStorage>,
    /// When the engine cannot keep up with the chosen speed: the speed it achieves (simulated
    /// seconds per wall-clock second).
    pub behind: RwSignal<Option<f64>>,
    /// How frames are spread between the engine and the redraw while playing.
    pub cadence: RwSignal<Cadence>,
    pace: StoredValue<Pace>,
    /// The engine's share of wall-clock time over the last pace window while playing.
    engine_share: StoredValue<f64>,
    redraw: StoredValue<Redraw>,
    /// Links being written to the address bar (each compressed asynchronously): only the
    /// newest is written, so a slower older one never overwrites it.
    fragment_seq: StoredValue<u64>,
    /// One signal per instance (by index), set only when that instance's view changed, so a
    /// card's bindings re-run only for their own instance. (Hundreds of bindings subscribed to
    /// `view` made every frame pay for each one unsubscribing from one long list.)
    instance_views: StoredValue<Vec<RwSignal<Option<InstanceView>>>>,
    /// One signal per service, as `instance_views`.
    service_views: StoredValue<Vec<RwSignal<Option<ServiceView>>>>,
    /// One signal per instance for its [`InstanceState`], set only when that changes.
    instance_states: StoredValue<Vec<RwSignal<Option<InstanceState>>>>,
    /// The owner the per-item signals belong to (the app's), so they outlive the components
    /// that first asked for them.
    owner: StoredValue<Owner, LocalStorage>,
    /// The lesson being played, if any ([`tutor`]).
    pub lesson: RwSignal<Option<LessonRun>, LocalStorage>,
    /// The trace the trace panel's waterfall and the topology's path show ([`traces`]): a
    /// copy, since the engine keeps only the newest finished traces.
    pub trace: RwSignal<Option<ha_engine::trace::Trace>>,
    /// The last preset fetched ([`Lab::open_preset`]), as shipped: what "About this run"
    /// compares the running scenario with to say "(edited)".
    pub preset_base: RwSignal<Option<Scenario>, LocalStorage>,
}

/// Something to do when the replay in progress ends.
type Deferred = Box<dyn FnOnce(Lab)>;

/// Milliseconds since the page opened (`performance.now`), for wall-clock budgets.
fn wall_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// The URL fragment of the page, without `#` (empty when none).
fn fragment() -> String {
    window()
        .location()
        .hash()
        .ok()
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// The scenario the page opens with: the one in its address's link (inflated by the
/// browser, [`crate::platform::deflate::inflate_raw`]), or the default one with why the link
/// could not be opened.
pub async fn opening() -> (Scenario, Option<String>) {
    let frag = fragment();
    if frag.is_empty() {
        return (Scenario::default_scenario(), None);
    }
    match open_link(&format!("#{frag}")).await {
        Ok(s) => (s, None),
        Err(e) => (Scenario::default_scenario(), Some(e.to_string())),
    }
}

/// The scenario in share link `link`, as `Scenario::from_link` reads it natively.
///
/// Errors: as `Scenario::link_code`, `Scenario::unpack_code` and `Scenario::from_inflated`;
/// data the browser cannot inflate is [`ScenarioError::Truncated`] when it ends early, else
/// [`ScenarioError::NotCompressed`].
async fn open_link(link: &str) -> Result<Scenario, ScenarioError> {
    let packed = Scenario::link_code(link).and_then(Scenario::unpack_code)?;
    let json = crate::platform::deflate::inflate_raw(packed)
        .await
        .map_err(|e| {
            // Chromium: "Compressed input was truncated."; Firefox: "…unexpected end…". (No
            // `to_lowercase`: its Unicode tables are 11 KB of wasm.)
            if e.contains("truncated") || e.contains(" end") {
                ScenarioError::Truncated
            } else {
                ScenarioError::NotCompressed
            }
        })?;
    Scenario::from_inflated(&json)
}

impl Lab {
    /// A lab running `opened` ([`opening`]): a scenario, and why the page's link could not
    /// be opened, if it could not (then the scenario is the default one).
    pub fn new(opened: (Scenario, Option<String>)) -> Self {
        let frag = fragment();
        let (scenario, link_error) = opened;
        let mut host = Host::new(Runs::new(build(&scenario)));
        let first = host.frame();
        let live_digest = RwSignal::new(first.view.digest.clone());
        let view = RwSignal::new(first.view);
        let feed = RwSignal::new(first.feed.unwrap_or_default());
        let alert_feed = RwSignal::new(first.alerts.unwrap_or_default());
        let ring = RwSignal::new(first.ring.flatten());
        let lab = Lab {
            host: StoredValue::new_local(host),
            view,
            feed,
            playing: RwSignal::new(true),
            notice: RwSignal::new(None),
            scenario_digest: RwSignal::new(String::new()),
            digest_progress: RwSignal::new(Some(0)),
            replay: RwSignal::new(None),
            replay_at: RwSignal::new(0),
            scenario: RwSignal::new_local(scenario),
            generation: RwSignal::new(0),
            link_error: RwSignal::new(link_error),
            selection: RwSignal::new(None),
            live_digest,
            explanation: RwSignal::new(None),
            alert_feed,
            ring,
            key_view: RwSignal::new(None),
            trace_list: RwSignal::new(Vec::new()),
            compare_spec: RwSignal::new(None),
            compare_view: RwSignal::new(None),
            compare_a: RwSignal::new(None),
            pending_a: StoredValue::new(Vec::new()),
            deferred: StoredValue::new_local(Vec::new()),
            behind: RwSignal::new(None),
            cadence: RwSignal::new(Cadence::default()),
            pace: StoredValue::new(Pace::default()),
            engine_share: StoredValue::new(0.0),
            redraw: StoredValue::new(Redraw::default()),
            fragment_seq: StoredValue::new(0),
            instance_views: StoredValue::new(Vec::new()),
            service_views: StoredValue::new(Vec::new()),
            instance_states: StoredValue::new(Vec::new()),
            owner: StoredValue::new_local(Owner::current().expect("Lab::new runs inside the app")),
            lesson: RwSignal::new_local(None),
            trace: RwSignal::new(None),
            preset_base: RwSignal::new_local(None),
        };
        // A lesson link opens the lesson, at its `step=N` (from 1) if it has one.
        let lesson_sc = lab
            .scenario
            .with_untracked(|s| s.lesson.is_some().then(|| s.clone()));
        if let Some(sc) = lesson_sc {
            let step = frag
                .split('&')
                .find_map(|kv| kv.strip_prefix("step="))
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(1);
            lab.start_lesson(sc, step.saturating_sub(1), true);
        }
        lab.open_trace_link(&frag);
        lab.spawn_worker();
        if lab.link_error.get_untracked().is_some() {
            // Do not overwrite the link the user opened: they may want to look at it.
        } else if !frag.is_empty() {
            // The link in its current form (an older version's link is rewritten), after the
            // page has shown: encoding a large scenario takes a few ms.
            request_idle_callback(move || lab.write_fragment());
        }
        lab
    }

    /// Runs `scenario` from the start: a new simulation, the view re-laid out, the address
    /// bar updated so it is a share link of what runs.
    pub fn load(&self, scenario: Scenario) {
        self.load_keeping(scenario, None);
    }

    /// Applies one of the builder's edits (`ha_engine::scenario::draft`: add an instance,
    /// a dependency…) to the running scenario and runs it from the start, with `keep`
    /// selected again: the inspector's direct way to change the cluster, checked exactly as
    /// the builder's form is (an open builder follows it, so its Undo undoes it).
    ///
    /// Errors: the engine's [`DraftError`] in words (a dependency cycle is named); nothing
    /// changes.
    pub fn apply_edit(&self, edit: &Edit, keep: Selection) -> Result<(), String> {
        let mut d = Draft::new(self.scenario.get_untracked());
        d.apply(edit).map_err(|e| e.to_string())?;
        self.load_keeping(d.scenario().clone(), Some(keep));
        Ok(())
    }

    fn load_keeping(&self, scenario: Scenario, keep: Option<Selection>) {
        // The engine side's selection (the explanation, the trace list's scope) goes with
        // the page's, before the rebuild's first frame.
        self.host.update_value(|h| {
            h.pick_key(None);
            h.select(keep);
        });
        self.lesson.set(None);
        self.trace.set(None);
        self.compare_spec.set(None);
        self.selection.set(None);
        self.scenario.set(scenario);
        self.notice.set(None);
        self.link_error.set(None);
        self.rebuild_from_start(0);
        self.generation.update(|g| *g += 1);
        self.write_fragment();
        if keep.is_some() {
            self.selection.set(keep);
        }
    }

    /// Starts the run (and compare mode's second run) again from 0 under the current scenario,
    /// forgetting every checkpoint and restarting the background run, then replays to `at_ms`
    /// (for a new scenario, or an edit that changes the run from the start).
    fn rebuild_from_start(&self, at_ms: u64) {
        self.rebuild_to(SimTime::from_ms(at_ms));
    }

    /// Runs `sc` from the start to `at` (a lesson's Back): the address bar follows.
    fn rewind(&self, sc: Scenario, at: SimTime) {
        self.scenario.set(sc);
        self.rebuild_to(at);
        self.write_fragment();
    }

    /// As [`Lab::rebuild_from_start`], to a simulated µs.
    fn rebuild_to(&self, at: SimTime) {
        self.scenario
            .with_untracked(|sc| self.runs(|r| r.rebuild(sc)));
        self.start_b(at);
        self.restart_background();
        // A new run may have posted as many entries as the old one showed: always refetch.
        self.replay_to(at, true);
    }

    /// Brings both runs to `to` from where they are, a slice per frame (see
    /// [`REPLAY_BUDGET_MS`]); a short replay ends before this returns. `refetch`: the feeds
    /// are fetched again when it ends (the run was restored or rebuilt).
    fn replay_to(&self, to: SimTime, refetch: bool) {
        self.replay.set(Some(to.as_us()));
        self.replay_at.set(self.with_sim(|s| s.now().as_us()));
        if refetch {
            // A rebuilt or restored run numbers its notices anew: the frame at the end of the
            // replay sends the feeds anew, and none of the words sent may be reused.
            self.host.update_value(Host::forget_shown);
        }
        self.work_replay();
    }

    /// One slice of the replay in progress, if any (see [`Lab::replay_to`]).
    fn work_replay(&self) {
        let Some(to_us) = self.replay.get_untracked() else {
            return;
        };
        let to = SimTime(to_us);
        let deadline = wall_ms() + REPLAY_BUDGET_MS;
        let done = self
            .runs(|r| r.replay_slice(to, wall_ms, deadline))
            .unwrap_or(true);
        if done {
            self.replay_ended();
        } else {
            self.replay_at.set(self.with_sim(|s| s.now().as_us()));
        }
    }

    /// Ends the replay in progress where it has got to (the Stop button of a long replay):
    /// the page shows that instant and the run goes on from there.
    pub fn stop_replay(&self) {
        if self.replay.get_untracked().is_some() {
            self.replay_ended();
        }
    }

    /// The replay is over: shows the run as it is now, then applies what was asked meanwhile.
    fn replay_ended(&self) {
        self.replay.set(None);
        self.refresh();
        // What was asked during the replay, in order; one that starts a replay of its own
        // leaves the rest for when that ends.
        while self.replay.get_untracked().is_none() {
            let Some(next) = self
                .deferred
                .try_update_value(|d| (!d.is_empty()).then(|| d.remove(0)))
                .flatten()
            else {
                break;
            };
            next(*self);
        }
    }

    /// Drops the background run (the next slice builds it anew from 0) and computes the run
    /// digest anew ([`Lab::start_digest`]).
    fn restart_background(&self) {
        self.runs(Runs::drop_background);
        self.start_digest();
    }

    /// Starts the engine's Web Worker ([`crate::platform::worker`]) and asks it for the run
    /// digest.
    fn spawn_worker(&self) {
        let lab = *self;
        crate::platform::worker::spawn(
            move |reply| match reply {
                Reply::At(us) => lab.digest_progress.set(Some(us)),
                Reply::Digest(d) => lab.digest_done(d),
            },
            move |b| lab.side_b_arrived(b),
            move || lab.start_digest(),
        );
        self.start_digest();
    }

    /// Clears the run digest and has the engine's worker compute it anew (without a worker,
    /// says it cannot be computed here).
    fn start_digest(&self) {
        self.scenario_digest.set(String::new());
        self.digest_progress.set(Some(0));
        if !self
            .scenario
            .with_untracked(crate::platform::worker::digest)
        {
            self.digest_done("not computed: no Web Worker".into());
        }
    }

    /// The run digest is `d`.
    fn digest_done(&self, d: String) {
        self.scenario_digest.set(d);
        self.digest_progress.set(None);
    }

    /// One slice of the background run (an idle callback's worth): runs it towards the live
    /// run's instant, offering checkpoints (the run digest is the worker's,
    /// [`crate::platform::worker`]).
    pub fn work_background(&self) {
        let playing = self.playing.get_untracked();
        let busy = playing
            && (self.cadence.get_untracked() == Cadence::EveryFrame
                || self.engine_share.get_value() > BACKGROUND_BELOW_SHARE);
        if busy {
            return;
        }
        // The run digest is the worker's job: the background run here only follows the live
        // run, offering checkpoints on the way.
        let end = self.with_sim(Simulation::now);
        let budget = if playing {
            BACKGROUND_BUDGET_MS / 2.0
        } else {
            BACKGROUND_BUDGET_MS
        };
        let deadline = wall_ms() + budget;
        let offer =
            |run: &Simulation| !playing || run.instance_count() <= SNAPSHOT_WHILE_PLAYING_UP_TO;
        self.scenario.with_untracked(|sc| {
            self.runs(|r| r.background_slice(sc, end, offer, wall_ms, deadline))
        });
    }

    /// Jumps to simulated `t_ms`: forward from where the run is, or back from the latest
    /// checkpoint at or before it (or from 0), replaying with the same seed, so what it shows
    /// equals the first pass at that instant (the timeline scrubber).
    pub fn seek(&self, t_ms: u64) {
        self.notice.set(None);
        let to = SimTime::from_ms(t_ms);
        self.scenario
            .with_untracked(|sc| self.runs(|r| r.restore_before(to, sc)));
        if self.compare_spec.with_untracked(Option::is_some) {
            crate::platform::worker::side_b(BCommand::Seek(to.as_us()));
        }
        self.replay_to(to, true);
    }

    /// Pauses and jumps to simulated `t_ms` ([`Lab::seek`]): to look at an instant (a trace's
    /// start or end, an alert's moment).
    pub fn pause_at(&self, t_ms: u64) {
        self.set_playing(false);
        self.seek(t_ms);
    }

    /// Turns compare mode on with `spec` (or off with `None`): side B starts in the engine's
    /// worker from 0 and catches up to the current instant there, sending its view on the way
    /// ([`crate::host::side_b`]).
    ///
    /// Errors: without a Web Worker, compare mode stays off and a notice says why.
    pub fn set_compare(&self, spec: Option<CompareSpec>) {
        self.compare_spec.set(spec);
        if !self.start_b(self.with_sim(Simulation::now)) && spec.is_some() {
            self.compare_spec.set(None);
            self.notice
                .set(Some("compare mode needs a Web Worker".into()));
        }
        // The redraw asks side B for the instant shown (or, off, draws without it).
        self.refresh();
    }

    /// Starts side B afresh from the scenario, to be brought to `at` (compare mode on), or
    /// stops it (off); either way the page shows no side B until the worker sends one.
    /// Returns false when there is no worker.
    fn start_b(&self, at: SimTime) -> bool {
        self.compare_view.set(None);
        self.compare_a.set(None);
        self.pending_a.set_value(Vec::new());
        let cmd = match self.compare_spec.get_untracked() {
            Some(spec) => BCommand::Start {
                scenario: self.scenario.with_untracked(Scenario::to_json),
                spec,
                to_us: at.as_us(),
            },
            None => BCommand::Stop,
        };
        crate::platform::worker::side_b(cmd)
    }

    /// Side B's view from the worker: shown, with side A's view at the same instant once
    /// side B has got there.
    fn side_b_arrived(&self, b: BReply) {
        if self.compare_spec.with_untracked(Option::is_none) {
            return;
        }
        if b.view.now_us < b.to_us {
            // On the way: the panel says how far side B has got.
            self.compare_view.set(Some(b.view));
            return;
        }
        // Side A's view at the same instant; the older ones waiting go. An answer about an
        // instant no longer waited for (a seek or a restart came since) is dropped.
        let a = self
            .pending_a
            .try_update_value(|p| take_pending(p, b.to_us))
            .flatten();
        if a.is_some() {
            self.compare_a.set(a);
            self.compare_view.set(Some(b.view));
        }
    }

    /// Simulated seconds per wall-clock second: the scenario's view speed (reactive).
    pub fn speed(&self) -> f64 {
        self.scenario.with(|s| s.view.speed)
    }

    /// Sets the playback speed and records it in the scenario (and the link). Whether the
    /// engine keeps up is measured afresh at the new speed ([`Lab::behind`] clears).
    pub fn set_speed(&self, speed: f64) {
        self.scenario.update(|s| s.view.speed = speed);
        self.pace.set_value(Pace::default());
        if self.behind.get_untracked().is_some() {
            self.behind.set(None);
        }
        self.write_fragment();
    }

    /// The share link of the current scenario for this page, compressed by the browser
    /// ([`crate::platform::deflate`]).
    ///
    /// Errors: the browser's message when it cannot compress.
    pub async fn share_link(&self) -> Result<String, String> {
        let loc = window().location();
        let base = format!(
            "{}{}{}",
            loc.origin().unwrap_or_default(),
            loc.pathname().unwrap_or_default(),
            loc.search().unwrap_or_default()
        );
        // In a lesson: the lesson as opened (without the learner's actions) at its step.
        let (json, step) = self
            .lesson
            .with_untracked(|l| l.as_ref().map(|l| (l.base.link_json(), l.at + 1)))
            .unwrap_or_else(|| (self.scenario.with_untracked(Scenario::link_json), 1));
        let packed = crate::platform::deflate::deflate_raw(json).await?;
        let mut link = Scenario::link_from_packed(&base, &packed);
        if step > 1 {
            link += &format!("&step={step}");
        }
        Ok(link + &self.trace_fragment())
    }

    /// Fetches preset `name`'s scenario (`presets/NAME.json`, data files the engine's
    /// `tests/presets.rs` keeps equal to its presets) and hands it to `then`. Meanwhile the
    /// page's root element has `data-loading`; a failed fetch is a notice and changes nothing.
    pub fn open_preset(&self, name: &str, then: impl FnOnce(Scenario) + 'static) {
        self.open_preset_boxed(name, Box::new(then));
    }

    /// [`Lab::open_preset`], one copy in the wasm whoever calls it.
    fn open_preset_boxed(&self, name: &str, then: Box<dyn FnOnce(Scenario)>) {
        let lab = *self;
        let url = format!("presets/{name}.json");
        let root = document().document_element();
        if let Some(r) = &root {
            let _ = r.set_attribute("data-loading", "");
        }
        wasm_bindgen_futures::spawn_local(async move {
            let got = crate::platform::fetch::text(&url)
                .await
                .and_then(|t| Scenario::from_json(&t).map_err(|e| format!("{url}: {e}")));
            match got {
                Ok(sc) => {
                    lab.preset_base.set(Some(sc.clone()));
                    then(sc);
                }
                Err(e) => lab
                    .notice
                    .set(Some(format!("could not open the preset: {e}"))),
            }
            if let Some(r) = root {
                let _ = r.remove_attribute("data-loading");
            }
        });
    }

    /// Puts the current scenario in the address bar without reloading or adding history,
    /// a moment later (the browser compresses it). Meanwhile the page's root element has
    /// `data-link-pending`, so a test reads the address once it is the scenario on screen.
    fn write_fragment(&self) {
        let lab = *self;
        let seq = self.fragment_seq.with_value(|n| n + 1);
        self.fragment_seq.set_value(seq);
        let root = document().document_element();
        if let Some(r) = &root {
            let _ = r.set_attribute("data-link-pending", "");
        }
        wasm_bindgen_futures::spawn_local(async move {
            let link = lab.share_link().await;
            // Only the newest write lands: an older one finishing later never overwrites it.
            if lab.fragment_seq.try_get_value() != Some(seq) {
                return;
            }
            if let (Ok(link), Ok(history)) = (link, window().history()) {
                let _ =
                    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&link));
            }
            if let Some(r) = root {
                let _ = r.remove_attribute("data-link-pending");
            }
        });
    }

    /// One animation frame, `wall_ms` after the last: if playing, either advances the run by
    /// the wall-clock time not yet simulated × the speed, or redraws, or both ([`Cadence`]).
    ///
    /// The engine gets at most [`ENGINE_BUDGET_MS`] of wall-clock time per frame; when the
    /// chosen speed needs more, the run goes as fast as the budget allows and
    /// [`Lab::behind`] says how fast that is, instead of the page freezing.
    pub fn frame(&self, wall_ms: f64) {
        // A replay in progress (a seek, an edit) gets the frame; the run resumes after it.
        if self.replay.get_untracked().is_some() {
            self.work_replay();
            return;
        }
        // A lesson opened at a later step plays on to it, as fast as the budget allows.
        if self.lesson_skipping() {
            self.lesson_frame(None, self::wall_ms() + ENGINE_BUDGET_MS);
            self.refresh();
            return;
        }
        if !self.playing.get_untracked() {
            // Paused: nothing is behind. Forget the pace so playing again measures afresh.
            if self.behind.get_untracked().is_some() {
                self.behind.set(None);
            }
            self.pace.set_value(Pace::default());
            self.redraw.update_value(|r| {
                r.carry_ms = 0.0;
                r.shortfall_us = 0;
            });
            // Paused some other way than `set_playing`: redraw what the last frames left out.
            if self.redraw.with_value(|r| r.partial) {
                self.refresh();
            }
            return;
        }
        let wall_ms = wall_ms.clamp(0.0, MAX_FRAME_MS);
        let cadence = self.cadence.get_untracked();
        let plan = self
            .redraw
            .try_update_value(|r| r.plan(cadence, wall_ms))
            .unwrap_or(Some(FramePlan {
                carried_ms: 0.0,
                taken_us: 0,
                redraws: true,
            }));
        let Some(FramePlan {
            carried_ms: carried,
            taken_us,
            redraws,
        }) = plan
        else {
            self.redraw_next_group();
            return;
        };
        let wall_ms = (wall_ms + carried).min(MAX_FRAME_MS);
        let speed = self.scenario.with_untracked(|s| s.view.speed);
        let sim_us = (wall_ms * 1_000.0 * speed) as u64;
        if sim_us == 0 {
            return;
        }
        let budget = if cadence == Cadence::EveryFrame && !redraws {
            ENGINE_SOLO_BUDGET_MS
        } else {
            ENGINE_BUDGET_MS
        };
        let start = self::wall_ms();
        let from = self.with_sim(Simulation::now);
        let to = from.plus_us(sim_us + taken_us);
        if !self.lesson_frame(Some(to), start + budget) {
            self.advance_until(to, start + budget);
        }
        let done = self.with_sim(Simulation::now).as_us() - from.as_us();
        let engine_ms = self::wall_ms() - start;
        self.pace.update_value(|p| {
            p.wall_ms += wall_ms;
            p.sim_us += done as f64;
            p.asked_us += sim_us as f64;
            p.engine_ms += engine_ms;
        });
        let pace = self.pace.get_value();
        if pace.wall_ms >= PACE_WINDOW_MS {
            self.engine_share.set_value(pace.engine_ms / pace.wall_ms);
            let keeping_up = pace.sim_us >= 0.9 * pace.asked_us;
            let next = match cadence {
                Cadence::Alternate if !keeping_up => Cadence::EveryFrame,
                Cadence::EveryFrame
                    if keeping_up && pace.engine_ms < ALTERNATE_BELOW_SHARE * pace.wall_ms =>
                {
                    Cadence::Alternate
                }
                c => c,
            };
            if next != cadence {
                self.cadence.set(next);
            }
            // Behind only once the engine has every frame: Alternate falling behind first tries
            // EveryFrame, measured over the next window.
            let behind = (!keeping_up && cadence == Cadence::EveryFrame)
                .then(|| pace.sim_us / 1_000.0 / pace.wall_ms);
            if behind != self.behind.get_untracked() {
                self.behind.set(behind);
            }
            self.pace.set_value(Pace::default());
        }
        if cadence == Cadence::EveryFrame && redraws {
            let short = to
                .as_us()
                .saturating_sub(self.with_sim(Simulation::now).as_us());
            self.redraw.update_value(|r| r.shortfall_us = short);
            self.redraw_next_group();
        }
    }

    /// Redraws the next group of instances and services and everything else (see
    /// [`REDRAW_GROUPS`]).
    fn redraw_next_group(&self) {
        let group = self
            .redraw
            .try_update_value(|r| {
                r.redraws = r.redraws.wrapping_add(1);
                r.partial = true;
                r.redraws % REDRAW_GROUPS
            })
            .unwrap_or(0);
        self.refresh_group(Some(group));
    }

    /// Plays or pauses. Pausing redraws every instance and service at once (not only the
    /// group of the next frame, see [`REDRAW_GROUPS`]): a paused page shows one instant.
    pub fn set_playing(&self, playing: bool) {
        self.playing.set(playing);
        if !playing && self.redraw.with_value(|r| r.partial) {
            self.refresh();
        }
    }

    /// Advances both runs towards `to` until the wall clock passes `deadline_ms` ([`Runs::advance`]).
    fn advance_until(&self, to: SimTime, deadline_ms: f64) {
        self.runs(|r| r.advance(to, wall_ms, deadline_ms));
    }

    /// Advances `us` simulated microseconds (the Step button): from the instant a replay in
    /// progress is going to, or from now; in slices like a seek, so a heavy run stays
    /// responsive, and at once when it is light.
    pub fn step(&self, us: u64) {
        let from = self
            .replay
            .get_untracked()
            .unwrap_or_else(|| self.with_sim(|s| s.now().as_us()));
        self.replay_to(SimTime(from + us), false);
    }

    /// An operator action at the current instant, recorded on the scenario's timeline so a
    /// share link replays it. The engine says first whether it would take it now
    /// ([`Simulation::check`], no copy of the run); a refusal is shown as a notice.
    ///
    /// The action goes on the timeline at the first whole simulated ms the run has not handled
    /// yet ([`Simulation::next_free_ms`]) and into the running simulation
    /// ([`Simulation::schedule`]), which then runs exactly as the edited scenario from 0 would;
    /// the checkpoints before that instant take it too. Only a run that is somehow past that
    /// ms is restored from the latest checkpoint before it and replayed in slices.
    pub fn act(&self, action: Action) {
        if self.replay.get_untracked().is_some() {
            self.defer(move |lab| lab.act(action));
            return;
        }
        let acted = action.clone();
        if let Err(e) = self.with_sim(|s| s.check(&action)) {
            let text = self.with_sim(|s| present::command_error(&e, s));
            self.notice.set(Some(text));
            return;
        }
        let now_us = self.with_sim(|s| s.now().as_us());
        // The first ms neither run has handled yet, so the action goes into the running
        // simulations as they are: no checkpoint to restore, no replay longer than that ms.
        let at_ms = self.runs(|r| r.next_free_ms()).unwrap_or(0);
        let mut sc = self.scenario.get_untracked();
        if sc.cluster.faults.len() >= MAX_FAULTS {
            self.notice.set(Some(format!(
                "the scenario's timeline is full ({MAX_FAULTS} entries); reset to start a new one"
            )));
            return;
        }
        let action = match sc.cluster.schedule_at(at_ms, &action) {
            Ok(a) => a,
            Err(e) => {
                self.notice.set(Some(e.to_string()));
                return;
            }
        };
        sc.cluster.faults.push(action.clone());
        if let Err(e) = sc.validate() {
            self.notice.set(Some(e.to_string()));
            return;
        }
        self.scenario.set(sc.clone());
        self.notice.set(None);
        let at = SimTime::from_ms(at_ms);
        let a_ok = self.runs(|r| r.schedule(&action, &sc)).unwrap_or(false);
        if self.compare_spec.with_untracked(Option::is_some) {
            crate::platform::worker::side_b(BCommand::Schedule {
                scenario: sc.to_json(),
                index: (sc.cluster.faults.len() - 1) as u64,
                to_us: at.max(SimTime(now_us)).as_us(),
            });
        }
        // The run digest covers the run up to its duration: an action after that leaves it.
        if at <= SimTime::from_secs(sc.duration_s as u64) {
            self.start_digest();
        }
        self.replay_to(at.max(SimTime(now_us)), !a_ok);
        // An action shows at once: the replay to it is under a simulated ms. A run that had to
        // be restored replays in slices instead (one checkpoint spacing at most).
        if a_ok {
            self.finish_replay();
        }
        self.write_fragment();
        self.lesson_acted(&acted);
    }

    /// Changes the scenario's configuration (strategy parameters, weights as configured) and
    /// runs it again from the start to the current instant: settings that shape a balancer's
    /// tables apply from the beginning of the run, so no checkpoint can be kept.
    pub fn edit_config(&self, edit: impl FnOnce(&mut Scenario) + 'static) {
        if self.replay.get_untracked().is_some() {
            self.defer(move |lab| lab.edit_config(edit));
            return;
        }
        let now_ms = self.with_sim(|s| s.now().as_us()) / 1_000;
        let mut sc = self.scenario.get_untracked();
        edit(&mut sc);
        if let Err(e) = sc.validate() {
            self.notice.set(Some(e.to_string()));
            return;
        }
        self.scenario.set(sc);
        self.notice.set(None);
        self.rebuild_from_start(now_ms);
        self.write_fragment();
    }

    /// Runs `f` when the replay in progress has ended: an action or an edit during a seek
    /// applies at the instant the seek goes to, without finishing the replay in one long task.
    fn defer(&self, f: impl FnOnce(Lab) + 'static) {
        self.deferred.update_value(|d| d.push(Box::new(f)));
    }

    /// Ends a short replay at once (the sub-ms one to an action's instant).
    fn finish_replay(&self) {
        while self.replay.get_untracked().is_some() {
            self.work_replay();
        }
    }

    /// Starts the scenario again with `seed` (the same seed: the same run).
    pub fn reset(&self, seed: u64) {
        let mut s = self.scenario.get_untracked();
        s.seed = seed;
        self.load(s);
    }

    /// Closes the bad-link message and puts the running scenario's link in the address bar,
    /// so a reload opens what is shown rather than the bad link again.
    pub fn dismiss_link_error(&self) {
        self.link_error.set(None);
        self.write_fragment();
    }

    /// Reads the simulation: for views fetched on change (the ring), and for the words the
    /// page shows (a [`Simulation`] is the [`present::Names`] of its run). Not reactive: read
    /// beside a signal.
    pub fn with_sim<T>(&self, f: impl FnOnce(&Simulation) -> T) -> T {
        self.host.with_value(|h| f(&h.runs.a))
    }

    /// Runs `f` on the engine side's runs (`None` once the app is gone).
    fn runs<T>(&self, f: impl FnOnce(&mut Runs) -> T) -> Option<T> {
        self.host.try_update_value(|h| f(&mut h.runs))
    }

    /// Reads the running scenario's cluster configuration, which names everything the page
    /// draws (`ha_engine::present::Names` for `ClusterConfig`: addresses, services, brokers,
    /// queues, subscriptions). Not reactive: read beside a signal.
    pub fn with_config<T>(&self, f: impl FnOnce(&ha_engine::ClusterConfig) -> T) -> T {
        self.scenario.with_untracked(|s| f(&s.cluster))
    }

    /// A reactive read of one value of instance `index`, borrowed from its per-instance signal
    /// (no clone of the instance and its series); `T::default()` if there is no such instance.
    /// It re-runs only when that instance's view changes.
    pub fn instance<T: Default>(
        self,
        index: usize,
        f: fn(&InstanceView) -> T,
    ) -> impl Fn() -> T + Copy {
        read_item(self.instance_views, self.owner, index, f)
    }

    /// A reactive read of instance `index`'s [`InstanceState`], as [`Lab::instance`] but
    /// re-run only when the state changes, not with every request it serves: what draws the
    /// instance's status, breaker and buttons reads this.
    pub fn instance_state<T: Default>(
        self,
        index: usize,
        f: fn(&InstanceState) -> T,
    ) -> impl Fn() -> T + Copy {
        read_item(self.instance_states, self.owner, index, f)
    }

    /// The signal of instance `index`'s view (`None` when there is no such instance), set only
    /// when that instance changed.
    pub fn instance_signal(self, index: usize) -> RwSignal<Option<InstanceView>> {
        item_signal(self.instance_views, self.owner, index)
    }

    /// A reactive read of one value of service `index`, as [`Lab::instance`].
    pub fn service<T: Default>(
        self,
        index: usize,
        f: fn(&ServiceView) -> T,
    ) -> impl Fn() -> T + Copy {
        read_item(self.service_views, self.owner, index, f)
    }

    /// Redraws everything from the engine's state now.
    fn refresh(&self) {
        self.redraw.update_value(|r| r.partial = false);
        self.host.update_value(Host::traces_due);
        self.refresh_group(None);
    }

    /// Redraws from the engine's state ([`Host::frame`]); instances and services only in
    /// redraw `group` (see [`REDRAW_GROUPS`]), or all of them with `None`.
    fn refresh_group(&self, group: Option<usize>) {
        if let Some(frame) = self.host.try_update_value(Host::frame) {
            self.receive(frame, group);
        }
    }

    /// Sets the signals from `frame` (instances and services only in redraw `group`, or all of
    /// them with `None`).
    fn receive(&self, frame: Frame, group: Option<usize>) {
        let Frame {
            view,
            feed,
            alerts,
            explanation,
            ring,
            key,
            traces,
            picked,
        } = frame;
        // Compare mode: side B goes to this instant in the worker; side A's view here waits
        // for it, so both sides show the same instant.
        if self.compare_spec.with_untracked(Option::is_some)
            && self
                .pending_a
                .with_value(|p| p.last().is_none_or(|a| a.now_us != view.now_us))
        {
            self.pending_a.update_value(|p| {
                if p.len() == PENDING_A {
                    p.remove(0);
                }
                p.push(view.clone());
            });
            crate::platform::worker::side_b(BCommand::To(view.now_us));
        }
        if let Some(t) = traces {
            self.trace_list.set(t);
        }
        if let Some(t) = picked {
            self.picked(t);
        }
        if let Some(r) = ring {
            self.ring.set(r);
        }
        if key.is_some() || self.key_view.with_untracked(Option::is_some) {
            self.key_view.set(key);
        }
        if let Some(lines) = feed {
            self.feed.set(lines);
        }
        if let Some(lines) = alerts {
            self.alert_feed.set(lines);
        }
        sync_items(self.instance_views, self.owner, &view.instances, group);
        // States change rarely and show at once (a crash is seen on the frame it happens).
        let states: Vec<InstanceState> = view.instances.iter().map(InstanceState::of).collect();
        sync_items(self.instance_states, self.owner, &states, None);
        sync_items(self.service_views, self.owner, &view.services, group);
        let digest_due = group.is_none()
            || self
                .redraw
                .with_value(|r| r.redraws.is_multiple_of(DIGEST_REDRAW_EVERY));
        if digest_due && self.live_digest.with_untracked(|d| *d != view.digest) {
            self.live_digest.set(view.digest.clone());
        }
        self.view.set(view);
        if let Some(e) = explanation {
            self.explanation.set(e);
        }
    }

    /// Picks the key the ring panel follows (`None`: none); its view follows at once.
    pub fn pick_key(&self, key: Option<u64>) {
        self.host.update_value(|h| h.pick_key(key));
        self.refresh();
    }

    /// Selects what the inspector and explain panel show; the explanation follows at once.
    pub fn select(&self, sel: Option<Selection>) {
        self.selection.set(sel);
        self.host.update_value(|h| h.select(sel));
        self.refresh();
    }
}

/// Compare mode: takes side A's view at `to_us` out of `pending` (oldest first), with the views
/// before it, which no answer will come for now (`None`, nothing taken: no view waits at that
/// instant).
fn take_pending(pending: &mut Vec<ClusterView>, to_us: u64) -> Option<ClusterView> {
    let i = pending.iter().position(|a| a.now_us == to_us)?;
    pending.drain(..=i).next_back()
}

/// The service id for index `s`.
pub fn service_id(s: usize) -> ServiceId {
    ServiceId::from(s)
}

/// Draws a fresh seed from the browser's crypto (`crypto.getRandomValues` via getrandom).
pub fn fresh_seed() -> u64 {
    getrandom::u64().unwrap_or_else(|_| {
        // No crypto available (never in a supported browser): fall back to the clock.
        window().performance().map_or(0.0, |p| p.now()) as u64
    })
}

/// The lab provided by [`crate::views::app::App`].
pub fn use_lab() -> Lab {
    expect_context::<Lab>()
}

/// The signal of item `index` in `items`, created (empty) under `owner` if there is none yet.
fn item_signal<T: Send + Sync + 'static>(
    items: StoredValue<Vec<RwSignal<Option<T>>>>,
    owner: StoredValue<Owner, LocalStorage>,
    index: usize,
) -> RwSignal<Option<T>> {
    if let Some(sig) = items.with_value(|v| v.get(index).copied()) {
        return sig;
    }
    owner.with_value(|o| {
        o.with(|| {
            items.update_value(|v| {
                while v.len() <= index {
                    v.push(RwSignal::new(None));
                }
            })
        })
    });
    items.with_value(|v| v[index])
}

/// A reactive read of `f` of item `index` in `items` (borrowed, not cloned); `U::default()`
/// while there is no such item.
fn read_item<T: Send + Sync + 'static, U: Default>(
    items: StoredValue<Vec<RwSignal<Option<T>>>>,
    owner: StoredValue<Owner, LocalStorage>,
    index: usize,
    f: fn(&T) -> U,
) -> impl Fn() -> U + Copy {
    let sig = item_signal(items, owner, index);
    move || sig.with(|x| x.as_ref().map(f).unwrap_or_default())
}

/// Sets each item's signal to `now[i]` where it differs (and to `None` past `now`'s end): all
/// items, or with `Some(group)` only those with `i % REDRAW_GROUPS == group`.
fn sync_items<T: Clone + PartialEq + Send + Sync + 'static>(
    items: StoredValue<Vec<RwSignal<Option<T>>>>,
    owner: StoredValue<Owner, LocalStorage>,
    now: &[T],
    group: Option<usize>,
) {
    if !now.is_empty() {
        item_signal(items, owner, now.len() - 1);
    }
    // Setting a signal only schedules its effects (they run after this frame's callback), so
    // nothing touches `items` while it is borrowed here; no copy of the list per frame.
    items.with_value(|sigs| {
        for (i, sig) in sigs.iter().enumerate() {
            if group.is_some_and(|g| i % REDRAW_GROUPS != g) {
                continue;
            }
            let new = now.get(i);
            if sig.with_untracked(|old| old.as_ref() != new) {
                sig.set(new.cloned());
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::{take_pending, Cadence, FramePlan, Redraw};
    use ha_engine::codec::Wire;
    use ha_engine::ClusterView;

    #[test]
    fn side_b_answers_find_side_a_at_their_instant_and_drop_the_older_views() {
        let at = |now_us| ClusterView {
            now_us,
            ..ClusterView::blank()
        };
        let mut pending = vec![at(10), at(20), at(30)];
        // An answer about an instant no longer waited for takes nothing.
        assert_eq!(take_pending(&mut pending, 15), None);
        assert_eq!(pending.len(), 3);
        // A late answer (20, after 30 was asked) gets side A's view at 20; 10 goes with it.
        assert_eq!(take_pending(&mut pending, 20).map(|v| v.now_us), Some(20));
        assert_eq!(pending, vec![at(30)]);
    }

    #[test]
    fn alternate_frames_take_turns_and_the_engine_frame_takes_the_carried_time() {
        let mut r = Redraw::default();
        // Odd frames redraw only and carry their wall-clock time.
        assert_eq!(r.plan(Cadence::Alternate, 16.0), None);
        r.shortfall_us = 5;
        assert_eq!(
            r.plan(Cadence::Alternate, 17.0),
            Some(FramePlan {
                carried_ms: 16.0,
                taken_us: 0,
                redraws: false
            })
        );
        // A shortfall left from EveryFrame is not taken later.
        assert_eq!(r.shortfall_us, 0);
        assert_eq!(r.carry_ms, 0.0);
    }

    #[test]
    fn every_frame_advances_and_every_other_frame_redraws_the_next_taking_the_shortfall() {
        let mut r = Redraw {
            carry_ms: 3.0,
            ..Redraw::default()
        };
        // The wall-clock time Alternate's last redraw frame carried is simulated, not dropped.
        let first = r.plan(Cadence::EveryFrame, 16.0).unwrap();
        assert_eq!(first.carried_ms, 3.0);
        let second = r.plan(Cadence::EveryFrame, 16.0).unwrap();
        assert_eq!(second.carried_ms, 0.0);
        assert_ne!(first.redraws, second.redraws, "one of two frames redraws");
        // After a redraw frame fell 700 µs short, the next frame (no redraw) takes them on, once.
        let (redraw, solo) = if first.redraws {
            (first, second)
        } else {
            (second, first)
        };
        assert!(redraw.redraws && !solo.redraws);
        r.shortfall_us = 700;
        let next = r.plan(Cadence::EveryFrame, 16.0).unwrap();
        let after = r.plan(Cadence::EveryFrame, 16.0).unwrap();
        let (taker, other) = if next.redraws {
            (after, next)
        } else {
            (next, after)
        };
        assert_eq!(taker.taken_us, 700);
        assert_eq!(other.taken_us, 0);
        assert!(!taker.redraws);
        assert_eq!(r.shortfall_us, 0);
    }
}
