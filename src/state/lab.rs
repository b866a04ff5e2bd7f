//! The app's one piece of state: the signals the views render, set from what the engine's Web
//! Worker sends ([`crate::host::session`]: the live run, its checkpoints, rebuilds, replays and
//! the lessons' waits run there; compare mode's side B and the run digest too,
//! [`crate::platform::worker`]). The page's main thread runs no simulation.
//!
//! On animation frames [`Lab::frame`] tells the worker how far the wall clock × speed has got
//! ([`Command::Play`]), asking for a frame every third one; the frames that come back set the
//! signals ([`Lab::receive`]). Components read those signals and call [`Lab::act`]; none of
//! them computes simulation numbers.

pub use crate::host::lines::{AlertLine, FeedLine};
use crate::host::session::{Command, Reply as SReply};
pub use crate::host::side_b::{CompareSpec, SideB};
use crate::host::Frame;
use crate::platform::visible::Follow;
use ha_engine::breaker::BreakerState;
use ha_engine::codec::Wire;
use ha_engine::explain::Selection;
use ha_engine::present::ExplanationText;
use ha_engine::scenario::draft::{Draft, Edit};
use ha_engine::scenario::{Scenario, ScenarioError};
use ha_engine::view::{InstanceStatus, InstanceView, ServiceView};
use ha_engine::{Action, ClusterView, ServiceId, SimTime};
use leptos::prelude::*;

mod traces;
mod tutor;
pub use tutor::{progress, LessonRun};

/// What the page says when it cannot start the engine's Web Worker.
const NO_WORKER: &str =
    "HA Lab runs its engine in a Web Worker, and this browser did not start one";

/// Longest wall-clock gap one frame may simulate, ms. A background tab's frames stop; on return
/// the run continues instead of jumping ahead.
const MAX_FRAME_MS: f64 = 100.0;

/// How far the page's plays may lead the instant the worker last reported, wall-clock ms ×
/// speed: when the engine cannot keep up, the run goes as fast as it can instead of owing a
/// burst to the clock.
const LEAD_MS: f64 = 250.0;

/// A replay (a seek, an edit, a rebuild) shows its progress bar once it has taken this long,
/// wall-clock ms: a shorter one would only flash.
const REPLAY_SHOWN_AFTER_MS: f64 = 200.0;

/// Wall-clock window over which the achieved speed is measured, ms: the worker's instant is
/// known from its frames, 20 a second, so a window of half a second could be off by a frame
/// in 15 (a page keeping up at 100× read as behind).
const PACE_WINDOW_MS: f64 = 1_000.0;

/// While the run plays, instances and services are redrawn in this many interleaved groups,
/// two groups per redraw: instance `i` is in group `i % REDRAW_GROUPS`, and redraw `r` draws
/// groups `2r` and `2r + 1` (mod 6) on two of its frames ([`Deferred`]). A redraw comes every
/// [`REDRAW_EVERY`] animation frames (20 a second on a 60 Hz display: each instance about 7
/// times a second), so the page under load stays within its frame budget (BENCHMARKS.md).
/// Everything else (instance states, the clock, totals, feeds) is redrawn on every redraw; a
/// pause, a step, a command or an edit redraws all at once, so a paused page shows one instant.
pub const REDRAW_GROUPS: usize = 6;

/// While the run plays, the page asks the worker for a frame on every this many animation
/// frames, and spreads the redraw over them ([`Deferred`]): on the frame the reply comes, a
/// group of instances and services and every instance's state; on the next, a second group,
/// the feeds, traces and the explanation; on the one after, the clock, totals and charts, with
/// side B's view. A redraw every other frame (30 a second) put two parts in a frame
/// (BENCHMARKS.md's notes, "three parts over three frames").
pub const REDRAW_EVERY: usize = 3;

/// While the run plays, the live digest ([`Lab::live_digest`]) is redrawn on every this many
/// redraws (2.5 times a wall-clock second at 60 Hz): a 16-hex-digit code changing on every
/// frame cannot be read, and redrawing it cost about 0.8 ms a frame (measured on a paused
/// page). A full redraw (pause, step, command, edit) shows the exact digest at once.
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

/// What a partial redraw left for the next animation frames ([`REDRAW_EVERY`]), one part a
/// frame: first the rest of its frame but the view, then the view.
// One value at a time, in a thread-local: its size costs a copy per part, no memory.
#[allow(clippy::large_enum_variant)]
enum Deferred {
    /// The frame's second group of instances and services ([`REDRAW_GROUPS`]), its feeds,
    /// traces, ring and explanation, then its views.
    Rest(Frame, usize),
    /// The frame's view (clock, totals, charts, the digest) and side B's: drawn together, so
    /// the compare panel never sets one side's totals against the other's from another instant.
    View(ClusterView, Option<ClusterView>),
}

thread_local! {
    /// What the last partial redraw left to draw (the page has one [`Lab`]).
    static DEFERRED: std::cell::Cell<Option<Deferred>> = const { std::cell::Cell::new(None) };
}

/// Which redraw comes next (see [`REDRAW_GROUPS`]).
#[derive(Clone, Copy, Default)]
struct Redraw {
    /// Redraws while playing since the page opened; picks the group.
    redraws: usize,
    /// Animation frames played since the page opened: every [`REDRAW_EVERY`]th asks for a
    /// frame.
    tick: usize,
    /// The page, or some groups of it, shows an earlier instant than the engine (a full redraw
    /// clears it).
    partial: bool,
    /// A full frame has been asked for and has not come yet.
    asked_full: bool,
}

/// Achieved speed bookkeeping over the current window: wall-clock ms, simulated µs asked
/// for, and the worker's instant when the window began.
#[derive(Clone, Copy, Default)]
struct Pace {
    wall_ms: f64,
    asked_us: f64,
    from_us: Option<u64>,
}

/// What the page knows of the worker's live run.
#[derive(Clone, Copy, Default)]
struct Engine {
    /// The instant of the last frame it sent, simulated µs.
    now_us: u64,
    /// Where the page's plays want the run, simulated µs.
    target_us: u64,
    /// Lesson arrivals read ([`Command::Play`]'s `epoch`).
    epoch: u32,
    /// The number of the last command that starts a replay ([`Command::Load`],
    /// [`Command::Seek`], [`Command::Act`]).
    seq: u32,
    /// The number of the last [`Command::Load`]: an action answered for an older command
    /// was undone by it.
    load_seq: u32,
    /// A replay in progress: where to (simulated µs) and when it was asked (wall ms); frames
    /// are not drawn until it ends ([`SReply::Ended`]).
    replay: Option<(u64, f64)>,
    /// A new scenario was loaded: when its run's first frame comes, the page lays out its
    /// panels anew ([`Lab::generation`]), so none is laid out from the last run's view.
    relayout: bool,
}

/// Handles to the simulation and the signals the page renders. `Copy`, shared by context.
#[derive(Clone, Copy)]
pub struct Lab {
    /// What the page knows of the worker's live run.
    engine: StoredValue<Engine>,
    /// Actions sent and not yet answered, by their command's number ([`Lab::acted`]).
    acting: StoredValue<Vec<(u32, Action)>>,
    /// What the page shows, set once per redraw.
    pub view: RwSignal<ClusterView>,
    /// The feed, newest first; refreshed only when the engine posts to it.
    pub feed: RwSignal<Vec<FeedLine>>,
    /// Whether simulated time advances with the wall clock.
    pub playing: RwSignal<bool>,
    /// The last refused command, shown to the user.
    pub notice: RwSignal<Option<String>>,
    /// The scenario being run (what a share link carries).
    pub scenario: RwSignal<Scenario, LocalStorage>,
    /// Bumped whenever a new scenario's run sends its first frame: the page re-lays out its
    /// panels.
    pub generation: RwSignal<u64>,
    /// Why the link the page was opened with could not be used, if it could not.
    pub link_error: RwSignal<Option<String>>,
    /// Digest of the scenario run for its duration (what `ha-sim run --link` prints); empty
    /// while the engine's worker computes it ([`Lab::digest_progress`]).
    pub scenario_digest: RwSignal<String>,
    /// How far the worker's run that computes [`Lab::scenario_digest`] has got, simulated µs
    /// (`None`: the digest is computed).
    pub digest_progress: RwSignal<Option<u64>>,
    /// A replay in progress that has taken longer than [`REPLAY_SHOWN_AFTER_MS`]: the
    /// simulated µs the worker brings the run to (its progress bar). The page shows the
    /// instant it had until it ends.
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
    /// The trace list last asked for ([`Lab::ask_traces`]), newest or filtered first; one that
    /// arrives while the view holds it ([`Lab::hold_traces_while`]) is dropped.
    pub trace_list: RwSignal<Vec<ha_engine::trace::Trace>>,
    /// The hash ring of the run's store (`None`: it has none), refetched when its generation
    /// changes.
    pub ring: RwSignal<Option<ha_engine::view::RingView>>,
    /// The key the ring panel follows: its replicas and copies now ([`Lab::pick_key`]).
    pub key_view: RwSignal<Option<ha_engine::view::KeyView>>,
    /// Compare mode: what side B changes (`None`: off).
    pub compare_spec: RwSignal<Option<CompareSpec>>,
    /// Compare mode: side B's view, as the engine's worker last sent it with side A's
    /// ([`crate::host::side_b`]): at [`Lab::view`]'s instant, or short of it while side B
    /// catches up.
    pub compare_view: RwSignal<Option<ClusterView>>,
    /// When the engine cannot keep up with the chosen speed: the speed it achieves (simulated
    /// seconds per wall-clock second).
    pub behind: RwSignal<Option<f64>>,
    pace: StoredValue<Pace>,
    redraw: StoredValue<Redraw>,
    /// Whether every panel shows the same instant (a full frame was the last drawn; while the
    /// run plays, instances are redrawn a group at a time). The clock's `data-settled`.
    pub settled: RwSignal<bool>,
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

/// Milliseconds since the page opened (`performance.now`), for how long a replay takes.
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
    /// be opened, if it could not (then the scenario is the default one). The page shows an
    /// empty view until the engine's worker sends the run's first frame.
    pub fn new(opened: (Scenario, Option<String>)) -> Self {
        let frag = fragment();
        let (scenario, link_error) = opened;
        let lab = Lab {
            engine: StoredValue::new(Engine::default()),
            acting: StoredValue::new(Vec::new()),
            view: RwSignal::new(ClusterView::blank()),
            feed: RwSignal::new(Vec::new()),
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
            live_digest: RwSignal::new(String::new()),
            explanation: RwSignal::new(None),
            alert_feed: RwSignal::new(Vec::new()),
            ring: RwSignal::new(None),
            key_view: RwSignal::new(None),
            trace_list: RwSignal::new(Vec::new()),
            compare_spec: RwSignal::new(None),
            compare_view: RwSignal::new(None),
            behind: RwSignal::new(None),
            pace: StoredValue::new(Pace::default()),
            redraw: StoredValue::new(Redraw::default()),
            settled: RwSignal::new(false),
            fragment_seq: StoredValue::new(0),
            instance_views: StoredValue::new(Vec::new()),
            service_views: StoredValue::new(Vec::new()),
            instance_states: StoredValue::new(Vec::new()),
            owner: StoredValue::new_local(Owner::current().expect("Lab::new runs inside the app")),
            lesson: RwSignal::new_local(None),
            trace: RwSignal::new(None),
            preset_base: RwSignal::new_local(None),
        };
        lab.spawn_worker();
        // Laid out again with the run's first frame (until then the view is empty).
        lab.engine.update_value(|e| e.relayout = true);
        lab.rebuild_to(SimTime::ZERO);
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
        if lab.link_error.get_untracked().is_some() {
            // Do not overwrite the link the user opened: they may want to look at it.
        } else if !frag.is_empty() {
            // The link in its current form (an older version's link is rewritten), after the
            // page has shown: encoding a large scenario takes a few ms.
            request_idle_callback(move || lab.write_fragment());
        }
        lab
    }

    /// Sends the engine's worker `cmd` ([`crate::host::session`]). Returns false (and says
    /// so) when there is no worker.
    fn send(&self, cmd: Command) -> bool {
        let sent = crate::platform::worker::send(cmd);
        if !sent {
            self.notice.set(Some(NO_WORKER.into()));
        }
        sent
    }

    /// The next number for a command that starts a replay, which the page then waits for
    /// (until [`SReply::Ended`] with it): the page shows the instant it had until then, and
    /// the progress bar once it takes longer than [`REPLAY_SHOWN_AFTER_MS`].
    fn next_seq(&self, to_us: u64) -> u32 {
        self.replay_at.set(self.engine.with_value(|e| e.now_us));
        self.engine
            .try_update_value(|e| {
                e.seq = e.seq.wrapping_add(1);
                e.replay = Some((to_us, wall_ms()));
                e.seq
            })
            .unwrap_or(0)
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
        self.send(Command::PickKey(None));
        self.send(Command::Select(keep));
        if self.lesson.with_untracked(Option::is_some) {
            self.send(Command::Lesson(false));
        }
        self.lesson.set(None);
        self.trace.set(None);
        if self.compare_spec.with_untracked(Option::is_some) {
            self.send(Command::Compare(None));
        }
        self.compare_spec.set(None);
        self.selection.set(None);
        self.scenario.set(scenario);
        self.notice.set(None);
        self.link_error.set(None);
        self.rebuild_from_start(0);
        // The panels are laid out anew with the new run's first frame.
        self.engine.update_value(|e| e.relayout = true);
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

    /// As [`Lab::rebuild_from_start`], to a simulated µs: the worker runs the scenario from 0
    /// (every checkpoint forgotten, the background run dropped) and replays to `at`.
    fn rebuild_to(&self, at: SimTime) {
        let seq = self.next_seq(at.as_us());
        self.engine.update_value(|e| e.load_seq = seq);
        self.send(Command::Load {
            scenario: self.scenario.with_untracked(Scenario::to_json),
            to_us: at.as_us(),
            seq,
        });
        // Side B (in compare mode) starts again too: its first frame comes with side A's.
        self.forget_b();
        self.start_digest();
    }

    /// Ends the replay in progress where it has got to (the Stop button of a long replay):
    /// the page shows that instant and the run goes on from there.
    pub fn stop_replay(&self) {
        if self.engine.with_value(|e| e.replay.is_some()) {
            self.send(Command::StopReplay);
        }
    }

    /// What the worker's live run says, in order.
    fn on_session(&self, replies: Vec<SReply>) {
        // Frames in a row are drawn once, as the newest with what the older ones brought
        // that it does not repeat (the feeds come only when they changed).
        let mut frames: Option<(Frame, bool)> = None;
        let mut replies = replies.into_iter().peekable();
        while let Some(r) = replies.next() {
            match r {
                SReply::Frame { frame, full } => {
                    let (frame, full) = match frames.take() {
                        Some((old, was_full)) => (frame.after(old), full || was_full),
                        None => (frame, full),
                    };
                    if matches!(replies.peek(), Some(SReply::Frame { .. })) {
                        frames = Some((frame, full));
                        continue;
                    }
                    if self.engine.with_value(|e| e.replay.is_some()) {
                        continue;
                    }
                    if full {
                        self.settle();
                        self.receive(frame);
                    } else {
                        self.redraw_next_group(frame);
                    }
                }
                SReply::Replay(at) => {
                    let Some((to, since)) = self.engine.with_value(|e| e.replay) else {
                        continue;
                    };
                    self.replay_at.set(at);
                    if wall_ms() - since > REPLAY_SHOWN_AFTER_MS
                        && self.replay.get_untracked() != Some(to)
                    {
                        self.replay.set(Some(to));
                    }
                }
                SReply::Ended { seq, frame } => {
                    if self.engine.with_value(|e| e.seq) != seq {
                        continue;
                    }
                    self.engine.update_value(|e| {
                        e.replay = None;
                        e.target_us = frame.view.now_us;
                    });
                    self.replay.set(None);
                    self.settle();
                    self.receive(frame);
                    if self.engine.with_value(|e| e.relayout) {
                        self.engine.update_value(|e| e.relayout = false);
                        self.generation.update(|g| *g += 1);
                    }
                }
                SReply::Acted { seq, at_ms } => self.acted(seq, Some(at_ms)),
                SReply::Refused { seq, text } => {
                    self.acted(seq, None);
                    self.notice.set(Some(text));
                    if self.engine.with_value(|e| e.seq) == seq {
                        self.engine.update_value(|e| e.replay = None);
                        self.replay.set(None);
                        // A replay's end the page waited past (a seek before the action).
                        self.refresh();
                    }
                }
                SReply::Arrived {
                    step,
                    t_us,
                    answers,
                    select,
                } => {
                    self.engine.update_value(|e| {
                        e.epoch = e.epoch.wrapping_add(1);
                        e.target_us = t_us;
                    });
                    self.lesson_arrive(step as usize, t_us, answers, select);
                }
                SReply::NeverReached => self.lesson_never_reached(),
                SReply::Digest { at_us, digest } => {
                    if digest.is_empty() {
                        self.digest_progress.set(Some(at_us));
                    } else {
                        self.scenario_digest.set(digest);
                        self.digest_progress.set(None);
                    }
                }
            }
        }
    }

    /// Starts the engine's Web Worker ([`crate::platform::worker`]).
    fn spawn_worker(&self) {
        let lab = *self;
        crate::platform::worker::spawn(move || lab.notice.set(Some(NO_WORKER.into())));
    }

    /// The run digest is being computed anew (the worker does so on a load, and on an action
    /// before the scenario's duration).
    fn start_digest(&self) {
        self.scenario_digest.set(String::new());
        self.digest_progress.set(Some(0));
    }

    /// Jumps to simulated `t_ms`: forward from where the run is, or back from the latest
    /// checkpoint at or before it (or from 0), replaying with the same seed, so what it shows
    /// equals the first pass at that instant (the timeline scrubber).
    pub fn seek(&self, t_ms: u64) {
        self.notice.set(None);
        let to = SimTime::from_ms(t_ms).as_us();
        let seq = self.next_seq(to);
        self.send(Command::Seek { to_us: to, seq });
    }

    /// Pauses and jumps to simulated `t_ms` ([`Lab::seek`]): to look at an instant (a trace's
    /// start or end, an alert's moment).
    pub fn pause_at(&self, t_ms: u64) {
        self.set_playing(false);
        self.seek(t_ms);
    }

    /// Turns compare mode on with `spec` (or off with `None`): side B starts in the engine's
    /// worker from 0 and catches up to side A's instant there; the frames show how far it has
    /// got, then both sides at the same instant ([`crate::host::side_b`]).
    pub fn set_compare(&self, spec: Option<CompareSpec>) {
        self.compare_spec.set(spec);
        self.forget_b();
        self.send(Command::Compare(spec));
    }

    /// Shows no side B until the worker sends one.
    fn forget_b(&self) {
        self.compare_view.set(None);
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

    /// One animation frame, `wall_ms` after the last: if playing, tells the worker how far the
    /// wall-clock time × the speed has got ([`Command::Play`]), asking for a frame to redraw
    /// with every [`REDRAW_EVERY`]th.
    ///
    /// When the worker cannot keep up, the plays lead its instant by at most [`LEAD_MS`] ×
    /// speed, so the run goes as fast as it can, and [`Lab::behind`] says how fast that is;
    /// the page never waits for the engine.
    pub fn frame(&self, wall_ms: f64) {
        self.draw_deferred(false);
        self.on_session(crate::platform::worker::replies());
        let (replaying, now_us) = self.engine.with_value(|e| (e.replay.is_some(), e.now_us));
        if replaying {
            return;
        }
        if !self.playing.get_untracked() {
            // Paused: nothing is behind. Forget the pace so playing again measures afresh.
            if self.behind.get_untracked().is_some() {
                self.behind.set(None);
            }
            self.pace.set_value(Pace::default());
            // Paused some other way than `set_playing`: redraw what the last frames left out.
            if self.redraw.with_value(|r| r.partial && !r.asked_full) {
                self.refresh();
            }
            return;
        }
        let wall_ms = wall_ms.clamp(0.0, MAX_FRAME_MS);
        let speed = self.scenario.with_untracked(|s| s.view.speed);
        let sim_us = (wall_ms * 1_000.0 * speed) as u64;
        let lead = (LEAD_MS * 1_000.0 * speed) as u64;
        let frame = self
            .redraw
            .try_update_value(|r| {
                r.tick = r.tick.wrapping_add(1);
                r.tick.is_multiple_of(REDRAW_EVERY)
            })
            .unwrap_or(true);
        let (to_us, epoch) = self
            .engine
            .try_update_value(|e| {
                e.target_us = (e.target_us.max(now_us) + sim_us).min(now_us + lead);
                (e.target_us, e.epoch)
            })
            .unwrap_or_default();
        self.send(Command::Play {
            to_us,
            frame,
            epoch,
        });
        self.pace.update_value(|p| {
            p.wall_ms += wall_ms;
            p.asked_us += sim_us as f64;
            p.from_us.get_or_insert(now_us);
        });
        let pace = self.pace.get_value();
        if pace.wall_ms >= PACE_WINDOW_MS {
            let done = now_us.saturating_sub(pace.from_us.unwrap_or(now_us)) as f64;
            let behind = (done < 0.9 * pace.asked_us).then(|| done / 1_000.0 / pace.wall_ms);
            if behind != self.behind.get_untracked() {
                self.behind.set(behind);
            }
            self.pace.set_value(Pace::default());
        }
    }

    /// Redraws the next group of instances and services, and everything else, from `frame`
    /// (see [`REDRAW_GROUPS`]).
    fn redraw_next_group(&self, frame: Frame) {
        let group = self
            .redraw
            .try_update_value(|r| {
                r.redraws = r.redraws.wrapping_add(1);
                r.partial = true;
                r.redraws % (REDRAW_GROUPS / 2) * 2
            })
            .unwrap_or(0);
        if self.settled.get_untracked() {
            self.settled.set(false);
        }
        // Two partial frames in one batch of replies: the older one's parts first (its feeds
        // may hold lines no later frame repeats).
        self.draw_deferred(true);
        self.receive_items(&frame.view, Some(group));
        DEFERRED.set(Some(Deferred::Rest(frame, group + 1)));
    }

    /// Plays or pauses. Pausing redraws every instance and service at once (not only the
    /// group of the next frame, see [`REDRAW_GROUPS`]): a paused page shows one instant.
    pub fn set_playing(&self, playing: bool) {
        self.playing.set(playing);
        // Also when the page shows one instant already: the worker may be ahead of it (the
        // page's plays lead its frames), and a paused run must be where the page shows it, or
        // an action would land later than the instant on screen.
        if !playing {
            self.refresh();
        }
    }

    /// Advances `us` simulated microseconds (the Step button): from the instant a replay in
    /// progress is going to, or from now; replayed in the worker like a seek.
    pub fn step(&self, us: u64) {
        let from = self
            .engine
            .with_value(|e| e.replay.map_or(e.now_us, |(to, _)| to));
        let to = from + us;
        let seq = self.next_seq(to);
        self.send(Command::Seek { to_us: to, seq });
    }

    /// An operator action at the current instant, recorded on the scenario's timeline so a
    /// share link replays it. The worker decides ([`crate::host::session`]): the engine says
    /// whether it would take it now, and a refusal is shown as a notice; a taken action goes
    /// on the timeline at the first whole simulated ms the run has not handled yet, into the
    /// running simulation, and comes back as that ms ([`Lab::acted`]).
    pub fn act(&self, action: Action) {
        let mut sc = self.scenario.get_untracked();
        match sc.cluster.schedule_at(0, &action) {
            Ok(entry) => {
                sc.cluster.faults.push(entry);
                let now = self.engine.with_value(|e| e.now_us);
                let seq = self.next_seq(now);
                self.acting.update_value(|a| a.push((seq, action)));
                self.send(Command::Act {
                    scenario: sc.to_json(),
                    seq,
                });
            }
            Err(e) => self.notice.set(Some(e.to_string())),
        }
    }

    /// Action `seq` was taken at `at_ms` (`None`: refused): the scenario, compare mode's side
    /// B, the run digest, the address bar and the lesson follow.
    fn acted(&self, seq: u32, at_ms: Option<u64>) {
        let Some(action) = self
            .acting
            .try_update_value(|a| {
                let i = a.iter().position(|(s, _)| *s == seq)?;
                Some(a.remove(i).1)
            })
            .flatten()
        else {
            return;
        };
        let Some(at_ms) = at_ms.filter(|_| self.engine.with_value(|e| e.load_seq) < seq) else {
            return;
        };
        let mut sc = self.scenario.get_untracked();
        let Ok(entry) = sc.cluster.schedule_at(at_ms, &action) else {
            return;
        };
        sc.cluster.faults.push(entry);
        self.scenario.set(sc.clone());
        self.notice.set(None);
        let at = SimTime::from_ms(at_ms);
        // The run digest covers the run up to its duration: an action after that leaves it.
        if at <= SimTime::from_secs(sc.duration_s as u64) {
            self.start_digest();
        }
        self.write_fragment();
        self.lesson_acted(&action);
    }

    /// Changes the scenario's configuration (strategy parameters, weights as configured) and
    /// runs it again from the start to the current instant: settings that shape a balancer's
    /// tables apply from the beginning of the run, so no checkpoint can be kept.
    pub fn edit_config(&self, edit: impl FnOnce(&mut Scenario) + 'static) {
        let now_ms = self
            .engine
            .with_value(|e| e.replay.map_or(e.now_us, |(to, _)| to))
            / 1_000;
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

    /// Reads the running scenario's cluster configuration, which names everything the page
    /// draws (`ha_engine::present::Names` for `ClusterConfig`: addresses, services, brokers,
    /// queues, subscriptions). Not reactive: read beside a signal. A load replaces the
    /// scenario before its run's first frame replaces the view, so a view laid out in between
    /// indexes this configuration with the view's indices: use `get`, never `[i]`.
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

    /// Redraws everything from the engine's state now (the worker sends a full frame).
    fn refresh(&self) {
        self.redraw.update_value(|r| r.asked_full = true);
        self.send(Command::Refresh);
    }

    /// A full frame has come: every panel shows one instant ([`Lab::settled`]).
    fn settle(&self) {
        self.redraw.update_value(|r| {
            r.partial = false;
            r.asked_full = false;
        });
        if !self.settled.get_untracked() {
            self.settled.set(true);
        }
    }

    /// Sets every signal from the full frame `frame` (a pause, a step, a command, a replay's
    /// end): the page then shows one instant.
    fn receive(&self, frame: Frame) {
        // After a partial frame in the same batch of replies: its deferred rest first, or it
        // would be drawn over this one on the next animation frame.
        self.draw_deferred(true);
        self.receive_items(&frame.view, None);
        let (view, b) = self.receive_extras(frame);
        self.receive_view(view, b, false);
    }

    /// Draws the next part a partial redraw left ([`Deferred`]), or with `all` every part.
    fn draw_deferred(&self, all: bool) {
        while let Some(d) = DEFERRED.take() {
            match d {
                Deferred::Rest(frame, group) => {
                    self.sync_group(&frame.view, Some(group));
                    let (view, b) = self.receive_extras(frame);
                    DEFERRED.set(Some(Deferred::View(view, b)));
                }
                Deferred::View(view, b) => self.receive_view(view, b, true),
            }
            if !all {
                break;
            }
        }
    }

    /// The instances' and services' signals from `view` (only redraw `group`'s, or all with
    /// `None`) and every instance's state; the page's instant becomes the view's.
    fn receive_items(&self, view: &ClusterView, group: Option<usize>) {
        self.engine.update_value(|e| e.now_us = view.now_us);
        self.sync_group(view, group);
        // States change rarely and show at once (a crash is seen on the frame it happens).
        let states: Vec<InstanceState> = view.instances.iter().map(InstanceState::of).collect();
        sync_items(self.instance_states, self.owner, &states, None);
    }

    /// The signals of `group`'s instances and services from `view` (`None`: all).
    fn sync_group(&self, view: &ClusterView, group: Option<usize>) {
        sync_items(self.instance_views, self.owner, &view.instances, group);
        sync_items(self.service_views, self.owner, &view.services, group);
    }

    /// The feeds, traces, the ring, the key and the explanation from `frame`; returns its view
    /// and side B's.
    fn receive_extras(&self, frame: Frame) -> (ClusterView, Option<ClusterView>) {
        let Frame {
            view,
            feed,
            alerts,
            explanation,
            ring,
            key,
            traces,
            picked,
            b,
        } = frame;
        if let Some(t) = traces.filter(|_| !Self::traces_held()) {
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
        if let Some(e) = explanation {
            self.explanation.set(e);
        }
        (view, b)
    }

    /// The view's signal (clock, totals, charts) and the digest: while `playing` (a partial
    /// redraw's), the digest only on every [`DIGEST_REDRAW_EVERY`]th redraw.
    fn receive_view(&self, view: ClusterView, b: Option<ClusterView>, playing: bool) {
        // Compare mode: side B's view, at side A's instant (while side B catches up, short of
        // it: the panel says how far it has got).
        if let Some(b) = b.filter(|_| self.compare_spec.with_untracked(Option::is_some)) {
            self.compare_view.set(Some(b));
        }
        let digest_due = !playing
            || self
                .redraw
                .with_value(|r| r.redraws.is_multiple_of(DIGEST_REDRAW_EVERY));
        if digest_due && self.live_digest.with_untracked(|d| *d != view.digest) {
            self.live_digest.set(view.digest.clone());
        }
        self.view.set(view);
    }

    /// Picks the key the ring panel follows (`None`: none); its view follows at once.
    pub fn pick_key(&self, key: Option<u64>) {
        self.send(Command::PickKey(key));
    }

    /// Selects what the inspector and explain panel show; the explanation follows at once.
    pub fn select(&self, sel: Option<Selection>) {
        self.selection.set(sel);
        self.send(Command::Select(sel));
    }
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

/// Provided by a view whose reads of instances and services ([`Lab::instance`],
/// [`Lab::instance_state`], [`Lab::service`]) follow the run only while its panel does
/// ([`Follow`]): scrolled away from a playing run, what reads them is not re-run and stands,
/// and it catches up the moment the panel comes back or the run pauses. The topology provides
/// it: 600 px above compare mode's panel, inside the browser's margin for
/// `content-visibility: auto`, it was restyled, laid out and painted on every redraw
/// (scripts/bench-notes.md). Not the default: a card's `data-served` and the like stay live off
/// screen.
#[derive(Clone, Copy)]
pub struct ReadsFollow(pub Follow);

/// A reactive read of `f` of item `index` in `items` (borrowed, not cloned); `U::default()`
/// while there is no such item. Under [`ReadsFollow`] it is tracked only while the panel
/// follows the run.
fn read_item<T: Send + Sync + 'static, U: Default>(
    items: StoredValue<Vec<RwSignal<Option<T>>>>,
    owner: StoredValue<Owner, LocalStorage>,
    index: usize,
    f: fn(&T) -> U,
) -> impl Fn() -> U + Copy {
    let sig = item_signal(items, owner, index);
    let gate = gate();
    move || {
        if open(gate) {
            sig.track();
        }
        sig.with_untracked(|x| x.as_ref().map(f).unwrap_or_default())
    }
}

/// Whether a read behind `gate` follows the run now (tracks `gate`). Not generic, one copy:
/// [`read_item`] is built once per type read.
#[inline(never)]
fn open(gate: Option<Follow>) -> bool {
    gate.is_none_or(|Follow(on)| on.get())
}

/// The [`ReadsFollow`] gate of the calling view, if any. Not generic, one copy.
#[inline(never)]
fn gate() -> Option<Follow> {
    use_context::<ReadsFollow>().map(|r| r.0)
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
