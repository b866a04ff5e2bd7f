//! The live run (side A) in the engine's Web Worker (issue 26): the page sends [`Command`]s
//! and gets [`Reply`]s, both through `ha_engine::codec` in transferred buffers
//! ([`crate::platform::worker`]). The worker's [`Session`] owns the run, its checkpoints and
//! the background run that fills them ([`Runs`]), rebuilds and replays, the lessons' waits for
//! their triggers and their questions' readings; the page renders what a [`Frame`] carries and
//! keeps no simulation.
//!
//! Order is the contract: the worker handles commands in the order the page sent them, and the
//! page reads replies in the order the worker sent them. So a frame that answers a command
//! comes after everything that command changed, and a replay's [`Reply::Ended`] after every
//! frame of the run before it.

use crate::host::digest::{DigestProgress, DigestRun};
use crate::host::runs::{build, Clock, Runs};
use crate::host::side_b::{CompareSpec, SideBRun};
use crate::host::{Frame, Host};
use ha_engine::explain::Selection;
use ha_engine::present;
use ha_engine::scenario::lesson::Lesson;
use ha_engine::scenario::Scenario;
use ha_engine::sim::player::{Answer, Asked};
use ha_engine::trace::TraceFilter;
use ha_engine::{SimTime, Simulation};

/// Wall-clock time the background run that fills the checkpoints behind the live run may take
/// per slice, ms.
const BACKGROUND_BUDGET_MS: f64 = 8.0;

/// While the run plays, the background run runs only for clusters with at most this many
/// instances: a snapshot of `stress` (30 instances, 3.7 MB) takes several ms at once, time the
/// live run then waits for, so a larger cluster's background run waits for a pause.
const BACKGROUND_WHILE_PLAYING_UP_TO: usize = 12;

/// The page counts as playing while its last [`Command::Play`] is at most this old, wall ms.
const PLAYING_WITHIN_MS: f64 = 100.0;

/// While side B catches up, how often a frame shows how far it has got, and while the run
/// digest is computed, how often its progress is sent, wall-clock ms.
const B_PROGRESS_MS: f64 = 250.0;

/// Side B further behind side A than this (simulated µs) is catching up: a frame the page
/// asks for goes without waiting for it.
const B_CATCHING_UP_US: u64 = 1_000_000;

/// What the page asks of the live run.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Run `scenario` (as `Scenario::to_json` writes it) from 0, every checkpoint forgotten
    /// and the background run dropped, replayed to `to_us` (simulated µs).
    Load {
        /// The scenario's JSON.
        scenario: String,
        /// Where to replay to, simulated µs.
        to_us: u64,
        /// The page's number for this command (see [`Reply::Ended`]).
        seq: u32,
    },
    /// Go to `to_us` (simulated µs): forward from where the run is, or back from the latest
    /// checkpoint at or before it (or from 0), replayed.
    Seek {
        /// Where to, simulated µs.
        to_us: u64,
        /// The page's number for this command.
        seq: u32,
    },
    /// End the replay in progress where it has got to.
    StopReplay,
    /// Playing: bring the run to `to_us` (simulated µs; never backwards); with `frame`,
    /// answer with a frame once there (or when a slice could not get there). `epoch`: the
    /// lesson arrivals the page has read ([`Reply::Arrived`]); a play sent before one is
    /// dropped, so the run stays at the step's instant.
    Play {
        /// Where the page's clock × speed has got, simulated µs.
        to_us: u64,
        /// Whether the page redraws with the answer.
        frame: bool,
        /// Lesson arrivals the page had read when it sent this.
        epoch: u32,
    },
    /// A full frame now, of the run where it is: it goes no further until the next play (the
    /// page sends it when it pauses).
    Refresh,
    /// An operator action at the first simulated ms the run has not handled: the last entry
    /// of the timeline of `scenario` (the page's scenario with it added, as
    /// `Scenario::to_json` writes it; its `at_ms` is ignored, the rest of it too). Answered
    /// with [`Reply::Acted`] and [`Reply::Ended`], or [`Reply::Refused`]. (The scenario's JSON
    /// rather than the entry's: its reader is in the wasm already, and an entry's own would
    /// be 2.7 KB more.)
    Act {
        /// The page's scenario with the action last on its timeline.
        scenario: String,
        /// The page's number for this command.
        seq: u32,
    },
    /// What the explain panel is about (and the trace list's scope); a full frame follows.
    Select(Option<Selection>),
    /// The key the ring panel follows; a full frame follows.
    PickKey(Option<u64>),
    /// The trace list's filter (`None`: no list); the next frame carries it.
    AskTraces(Option<TraceFilter>),
    /// The trace of this request, if the run keeps it; a full frame carries it.
    AskTrace(u64),
    /// The next frame carries the trace list.
    TracesDue,
    /// The lesson played is the running scenario's (`false`: none): the readings of its
    /// questions are the worker's, forgotten with it.
    Lesson(bool),
    /// Step `0` of the lesson is reached now (the lesson's start, or the learner's "try it"
    /// action): its earlier questions answered, its own asked. Answered with
    /// [`Reply::Arrived`].
    Arrive(u64),
    /// Wait for step `step`'s trigger (checked at once, then as the run plays); with `skip`,
    /// run on to it by itself, up to the scenario's duration.
    Wait {
        /// The step waited for (index from 0).
        step: u64,
        /// Whether the worker runs on to it by itself.
        skip: bool,
    },
    /// Back to step `0`'s state: the questions asked after it are forgotten, no wait.
    Back(u64),
    /// Compare mode on with this side B, from 0 (`None`: off; [`crate::host::side_b`]).
    Compare(Option<CompareSpec>),
}

/// What the worker answers.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// A redraw's worth (`full`: everything at once, not one redraw group).
    Frame {
        /// What the page draws.
        frame: Frame,
        /// Whether every instance is redrawn (a pause, a command).
        full: bool,
    },
    /// A replay in progress has got to this simulated µs.
    Replay(u64),
    /// The replay that command `seq` ([`Command::Load`], [`Command::Seek`], [`Command::Act`])
    /// started has ended: the run as it is now. A replay that a newer one replaced sends none.
    Ended {
        /// The command's number.
        seq: u32,
        /// The run now.
        frame: Frame,
    },
    /// Action `seq` was taken at `at_ms` (simulated ms): the page adds it to its scenario's
    /// timeline there ([`Reply::Ended`] follows once the run is at that instant).
    Acted {
        /// The command's number.
        seq: u32,
        /// Its instant on the timeline, simulated ms.
        at_ms: u64,
    },
    /// Action `seq` was refused: why, in words.
    Refused {
        /// The command's number.
        seq: u32,
        /// Why.
        text: String,
    },
    /// Step `step` was reached at `t_us` (simulated µs).
    Arrived {
        /// The step reached (index from 0).
        step: u64,
        /// When, simulated µs.
        t_us: u64,
        /// The questions answered there: (step index, the engine's answer).
        answers: Vec<(u64, Option<Answer>)>,
        /// What the step selects, by its name (`None`: nothing).
        select: Option<Selection>,
    },
    /// The waited-for trigger did not come within the scenario's duration.
    NeverReached,
    /// The run digest of the scenario (run from 0 to its duration; what `ha-sim run --link`
    /// prints): how far its run has got, simulated µs, and the digest once there (empty
    /// before). A load, or an action before the duration, starts it anew.
    Digest {
        /// Simulated µs reached.
        at_us: u64,
        /// The digest (16 hex digits), or empty while its run goes on.
        digest: String,
    },
}

ha_engine::codec::wire_variants!(Command {
    Load {
        scenario,
        to_us,
        seq
    },
    Seek { to_us, seq },
    StopReplay,
    Play {
        to_us,
        frame,
        epoch
    },
    Refresh,
    Act { scenario, seq },
    Select(selection),
    PickKey(key),
    AskTraces(filter),
    AskTrace(request),
    TracesDue,
    Lesson(on),
    Arrive(step),
    Wait { step, skip },
    Back(step),
    Compare(spec),
});

ha_engine::codec::wire_variants!(Reply {
    Frame { frame, full },
    Replay(at_us),
    Ended { seq, frame },
    Acted { seq, at_ms },
    Refused { seq, text },
    Arrived {
        step,
        t_us,
        answers,
        select
    },
    NeverReached,
    Digest { at_us, digest },
});

/// A lesson's wait for a step's trigger.
struct Wait {
    /// The step waited for (index from 0).
    step: usize,
    /// The feed's notices posted when the wait began ([`Simulation::run_to_trigger`]).
    feed_seen: u64,
    /// Run on to it without the page's plays.
    skip: bool,
}

/// The live run in the worker: the scenario, the runs and what the page was last sent
/// ([`Host`]), where the page wants the run, and the lesson's engine side.
pub struct Session {
    scenario: Scenario,
    host: Host,
    /// A replay in progress: where to (simulated µs) and the number of the command that
    /// started it.
    replay: Option<(u64, u32)>,
    /// Commands that came during the replay, applied in order when it ends (a play is
    /// dropped; a load, a seek or a stop applies at once).
    queued: Vec<Command>,
    /// Where the page's plays want the run, simulated µs.
    target_us: u64,
    /// The page waits for a frame.
    frame_wanted: bool,
    /// Wall-clock ms of the page's last play (minus infinity once it pauses, `Command::Refresh`).
    played_at: f64,
    /// Lesson arrivals sent ([`Command::Play`]'s `epoch`).
    epoch: u32,
    lesson: Option<Lesson>,
    /// The readings each asked question's answer subtracts: (step index, readings).
    asked: Vec<(usize, Asked)>,
    wait: Option<Wait>,
    /// Compare mode's side B (`None`: off).
    b: Option<SideBRun>,
    compare: Option<CompareSpec>,
    /// Side B was short of side A's instant in the last frame sent.
    b_owed: bool,
    /// When the last frame was sent from a slice, wall ms.
    sent_at: f64,
    /// The run digest's run in progress (`None`: done), and when its progress was last sent
    /// (wall ms).
    digest: Option<DigestRun>,
    digest_sent_at: f64,
    /// Replies not yet sent.
    out: Vec<Reply>,
}

/// The work a [`Session::tick`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// Nothing: the worker waits for the page.
    Idle,
    /// More of what the page waits for: the next slice comes at once.
    Busy,
    /// Only the background run: the next slice comes after a rest.
    Background,
}

impl Session {
    /// The run of the scenario `json` from 0 (`None`: it is not a scenario; the page sends
    /// only scenarios it runs).
    pub fn new(json: &str) -> Option<Self> {
        let scenario = Scenario::from_json(json).ok()?;
        Some(Session {
            host: Host::new(Runs::new(build(&scenario))),
            scenario,
            replay: None,
            queued: Vec::new(),
            target_us: 0,
            frame_wanted: false,
            played_at: f64::NEG_INFINITY,
            epoch: 0,
            lesson: None,
            asked: Vec::new(),
            wait: None,
            b: None,
            compare: None,
            b_owed: false,
            sent_at: 0.0,
            digest: None,
            digest_sent_at: 0.0,
            out: Vec::new(),
        })
    }

    fn sim(&self) -> &Simulation {
        &self.host.runs.a
    }

    fn now_us(&self) -> u64 {
        self.sim().now().as_us()
    }

    /// The replies not yet sent, oldest first.
    pub fn take_out(&mut self) -> Vec<Reply> {
        std::mem::take(&mut self.out)
    }

    /// The frame of the runs now: side A's, with side B's view in compare mode.
    fn frame(&mut self) -> Frame {
        let mut frame = self.host.frame();
        // The compare panel draws side B's services and totals and a table of its instances,
        // not their charts: their series stay here (two thirds of side B's bytes on `stress`).
        frame.b = self.b.as_ref().map(|b| {
            let mut v = b.view();
            for i in &mut v.instances {
                i.series = Vec::new();
            }
            v
        });
        self.b_owed = frame
            .b
            .as_ref()
            .is_some_and(|b| b.now_us < frame.view.now_us);
        frame
    }

    /// A full frame to send (it answers a frame the page's plays asked for, too).
    fn full_frame(&mut self) {
        self.frame_wanted = false;
        self.host.traces_due();
        let frame = self.frame();
        self.out.push(Reply::Frame { frame, full: true });
    }

    /// Starts a replay to `to` for command `seq` (`refetch`: the run was restored or rebuilt,
    /// so the feeds are sent anew).
    fn replay_to(&mut self, to: u64, seq: u32, refetch: bool) {
        if refetch {
            self.host.forget_shown();
        }
        self.replay = Some((to, seq));
        self.target_us = to;
        self.frame_wanted = false;
    }

    /// The replay is over: the page gets the run as it is now, then what came meanwhile is
    /// applied (until one of those starts a replay of its own).
    fn end_replay(&mut self, clock: Clock) {
        let Some((_, seq)) = self.replay.take() else {
            return;
        };
        self.target_us = self.now_us();
        self.host.traces_due();
        let frame = self.frame();
        self.out.push(Reply::Ended { seq, frame });
        while self.replay.is_none() && !self.queued.is_empty() {
            let next = self.queued.remove(0);
            self.apply(next, clock);
        }
    }

    /// Takes `cmd` (replies go out with the next [`Session::take_out`]): at once, or after the
    /// replay in progress.
    pub fn command(&mut self, cmd: Command, clock: Clock) {
        match cmd {
            Command::Load { .. } | Command::Seek { .. } | Command::StopReplay => {
                self.apply(cmd, clock)
            }
            Command::Play { .. } if self.replay.is_some() => {}
            _ if self.replay.is_some() => self.queued.push(cmd),
            _ => self.apply(cmd, clock),
        }
    }

    fn apply(&mut self, cmd: Command, clock: Clock) {
        match cmd {
            Command::Load {
                scenario,
                to_us,
                seq,
            } => {
                let Ok(sc) = Scenario::from_json(&scenario) else {
                    return;
                };
                self.host.runs.rebuild(&sc);
                self.digest = Some(DigestRun::new(&sc));
                self.b = self.compare.map(|spec| SideBRun::new(&sc, spec));
                self.scenario = sc;
                self.queued.clear();
                self.wait = None;
                self.replay_to(to_us, seq, true);
            }
            Command::Seek { to_us, seq } => {
                self.host
                    .runs
                    .restore_before(SimTime(to_us), &self.scenario);
                if let Some(b) = &mut self.b {
                    b.seek(SimTime(to_us));
                }
                self.replay_to(to_us, seq, true);
            }
            Command::StopReplay => self.end_replay(clock),
            Command::Play {
                to_us,
                frame,
                epoch,
            } => {
                self.played_at = clock();
                if epoch == self.epoch {
                    self.target_us = self.target_us.max(to_us);
                    self.frame_wanted |= frame;
                }
            }
            // The page pauses with it: the run stops where it is.
            Command::Refresh => {
                self.played_at = f64::NEG_INFINITY;
                self.target_us = self.now_us();
                self.full_frame();
            }
            Command::Act { scenario, seq } => self.act(&scenario, seq),
            Command::Select(sel) => {
                self.host.select(sel);
                self.full_frame();
            }
            Command::PickKey(key) => {
                self.host.pick_key(key);
                self.full_frame();
            }
            Command::AskTraces(filter) => self.host.ask_traces(filter),
            Command::AskTrace(request) => {
                self.host.ask_trace(request);
                self.full_frame();
            }
            Command::TracesDue => self.host.traces_due(),
            Command::Lesson(on) => {
                self.lesson = self.scenario.lesson.clone().filter(|_| on);
                self.asked.clear();
                self.wait = None;
            }
            Command::Arrive(step) => self.arrive(step as usize),
            Command::Wait { step, skip } => {
                self.wait = Some(Wait {
                    step: step as usize,
                    feed_seen: self.sim().feed_posted(),
                    skip,
                });
                // A step with no trigger (or one already met) starts at once.
                let now = self.sim().now();
                self.wait_slice(now, clock, f64::INFINITY);
            }
            Command::Back(k) => {
                self.asked.retain(|(i, _)| *i <= k as usize);
                self.wait = None;
            }
            Command::Compare(spec) => {
                self.compare = spec;
                self.b = spec.map(|spec| SideBRun::new(&self.scenario, spec));
                self.full_frame();
            }
        }
    }

    /// [`Command::Act`]: the engine says first whether it would take the action now
    /// ([`Simulation::check`]); the entry goes on the timeline at the first whole simulated
    /// ms the run has not handled yet ([`Simulation::next_free_ms`]) and into the running
    /// simulation, which then runs exactly as the edited scenario from 0 would. Only a run
    /// somehow past that ms is restored from a checkpoint and replayed.
    fn act(&mut self, json: &str, seq: u32) {
        let taken = (|| {
            let page = Scenario::from_json(json).map_err(|e| e.to_string())?;
            let entry = page.cluster.faults.last().ok_or_else(String::new)?;
            let action = self
                .scenario
                .cluster
                .resolve(entry)
                .map_err(|e| e.to_string())?;
            let sim = self.sim();
            sim.check(&action)
                .map_err(|e| present::command_error(&e, sim))?;
            let at_ms = self.host.runs.next_free_ms();
            let mut sc = self.scenario.clone();
            if sc.cluster.faults.len() >= ha_engine::common::MAX_FAULTS {
                return Err(format!(
                    "the scenario's timeline is full ({} entries); reset to start a new one",
                    ha_engine::common::MAX_FAULTS
                ));
            }
            let entry = sc
                .cluster
                .schedule_at(at_ms, &action)
                .map_err(|e| e.to_string())?;
            sc.cluster.faults.push(entry.clone());
            sc.validate().map_err(|e| e.to_string())?;
            Ok((sc, entry))
        })();
        match taken {
            Ok((sc, entry)) => {
                let now_us = self.now_us();
                let kept = self.host.runs.schedule(&entry, &sc);
                if let Some(b) = &mut self.b {
                    b.schedule(&entry, &sc);
                }
                // The run digest covers the run up to its duration: an action after that
                // leaves it.
                if entry.at_ms <= u64::from(sc.duration_s) * 1_000 {
                    self.digest = Some(DigestRun::new(&sc));
                }
                self.scenario = sc;
                self.out.push(Reply::Acted {
                    seq,
                    at_ms: entry.at_ms,
                });
                let to = SimTime::from_ms(entry.at_ms).as_us().max(now_us);
                self.replay_to(to, seq, !kept);
            }
            Err(text) => self.out.push(Reply::Refused { seq, text }),
        }
    }

    /// Step `i` is reached now: the questions revealed there answered, its own asked.
    fn arrive(&mut self, i: usize) {
        let Some(lesson) = &self.lesson else { return };
        let Some(step) = lesson.steps.get(i) else {
            return;
        };
        let sim = &self.host.runs.a;
        let mut answers = Vec::new();
        for (q_step, a) in &self.asked {
            let q = lesson.steps[*q_step].question.as_ref();
            if let Some(q) = q.filter(|q| q.reveal_index(*q_step) == i) {
                answers.push((*q_step as u64, sim.answer(q, a)));
            }
        }
        if let Some(q) = &step.question {
            self.asked.push((i, sim.ask(q)));
        }
        let select = step.select.as_deref().and_then(|n| sim.selection_of(n));
        self.wait = None;
        self.epoch = self.epoch.wrapping_add(1);
        self.target_us = self.now_us();
        self.frame_wanted = false;
        self.out.push(Reply::Arrived {
            step: i as u64,
            t_us: self.now_us(),
            answers,
            select,
        });
        self.full_frame();
    }

    /// Runs the lesson's wait towards `until` within `deadline_ms`: an arrival when the
    /// trigger comes, [`Reply::NeverReached`] at the scenario's end.
    fn wait_slice(&mut self, until: SimTime, clock: Clock, deadline_ms: f64) {
        let Some(w) = &mut self.wait else { return };
        let Some(step) = self.lesson.as_ref().and_then(|l| l.steps.get(w.step)) else {
            self.wait = None;
            return;
        };
        if step.wait_for.is_some() {
            return;
        }
        let next = w.step;
        let reached =
            self.host
                .runs
                .run_to_trigger(step, &mut w.feed_seen, until, clock, deadline_ms);
        let end = SimTime::from_secs(u64::from(self.scenario.duration_s));
        if reached.is_some() {
            self.arrive(next);
        } else if self.sim().now() >= end {
            self.wait = None;
            self.target_us = self.now_us();
            self.out.push(Reply::NeverReached);
            self.full_frame();
        }
    }

    /// Whether a lesson waits for a trigger that time brings.
    fn waiting(&self) -> bool {
        self.wait.as_ref().is_some_and(|w| {
            self.lesson
                .as_ref()
                .and_then(|l| l.steps.get(w.step))
                .is_some_and(|s| s.wait_for.is_none())
        })
    }

    /// One slice of work until `clock` passes `deadline_ms`: the replay in progress, a
    /// lesson skipping on to its step, the run brought to where the page's plays want it
    /// (and the frame they asked for), or else a slice of the background run.
    pub fn tick(&mut self, clock: Clock, deadline_ms: f64) -> Work {
        if let Some((to, _)) = self.replay {
            if self.host.runs.replay_slice(SimTime(to), clock, deadline_ms) {
                self.end_replay(clock);
            } else {
                self.out.push(Reply::Replay(self.now_us()));
            }
            return Work::Busy;
        }
        if self.wait.as_ref().is_some_and(|w| w.skip) && self.waiting() {
            let end = SimTime::from_secs(u64::from(self.scenario.duration_s));
            self.wait_slice(end, clock, deadline_ms);
            return Work::Busy;
        }
        // Compare mode just turned on, or sought back: side B catches up first, side A waits
        // (one worker cannot run both faster than the page plays at 100×; the page says it
        // is behind meanwhile).
        let catching_up = self
            .b
            .as_ref()
            .is_some_and(|b| b.now().plus_us(B_CATCHING_UP_US) < self.host.runs.a.now());
        let target = SimTime(self.target_us);
        if !catching_up && !self.sim().reached(target) {
            if self.waiting() {
                self.wait_slice(target, clock, deadline_ms);
            } else {
                self.host.runs.advance(target, clock, deadline_ms);
            }
        }
        // Compare mode: side B to side A's instant, so a frame shows both there.
        let a_now = self.sim().now();
        let (b_there, b_far) = match &mut self.b {
            Some(b) => {
                let there = b.slice(a_now, clock, deadline_ms);
                (there, b.now().plus_us(B_CATCHING_UP_US) < a_now)
            }
            None => (true, false),
        };
        let progress_due = clock() - self.sent_at > B_PROGRESS_MS;
        if self.frame_wanted && (b_there || b_far || progress_due) {
            self.frame_wanted = false;
            let frame = self.frame();
            self.sent_at = clock();
            self.out.push(Reply::Frame { frame, full: false });
            return Work::Busy;
        }
        // Paused while side B catches up: how far it has got, and the frame once there.
        if self.b_owed && (b_there || progress_due) {
            self.full_frame();
            self.sent_at = clock();
            return Work::Busy;
        }
        if !b_there || !self.sim().reached(SimTime(self.target_us)) {
            return Work::Busy;
        }
        if let Some(run) = &mut self.digest {
            match run.slice(clock, deadline_ms) {
                // How far it has got, a few times a second.
                DigestProgress::At(at_us) if clock() - self.digest_sent_at > B_PROGRESS_MS => {
                    self.digest_sent_at = clock();
                    self.out.push(Reply::Digest {
                        at_us,
                        digest: String::new(),
                    });
                }
                DigestProgress::At(_) => {}
                DigestProgress::Done(d) => {
                    self.digest = None;
                    self.out.push(Reply::Digest {
                        at_us: u64::from(self.scenario.duration_s) * 1_000_000,
                        digest: d.to_string(),
                    });
                }
            }
            return Work::Background;
        }
        // Idle: the background run follows the live run, offering checkpoints. While a
        // larger cluster plays it waits instead: it could take no snapshot there, and its
        // slices took the core the page draws on (a third of the worker's time at 10× on
        // `stress`). Once the page pauses it goes over the stretch played, snapshots and all.
        let playing = clock() - self.played_at < PLAYING_WITHIN_MS;
        // Idle, not a rest: the page's next play or its pause (`Command::Refresh`) wakes it.
        if playing && self.sim().instance_count() > BACKGROUND_WHILE_PLAYING_UP_TO {
            return Work::Idle;
        }
        let end = self.sim().now();
        let deadline = clock() + BACKGROUND_BUDGET_MS;
        if self
            .host
            .runs
            .background_slice(&self.scenario, end, clock, deadline)
        {
            Work::Idle
        } else {
            Work::Background
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ha_engine::codec::{decode, encode};
    use ha_engine::scenario::lessons;
    use ha_engine::sim::player;
    use ha_engine::{presets, Action, ActionKind, ClusterView, InstanceId};

    const CLOCK: Clock = || 0.0;

    /// Sends `cmd` through the codec, as the page does.
    fn send(s: &mut Session, mut cmd: Command) {
        s.command(decode(&encode(&mut cmd)), CLOCK);
    }

    /// Runs the worker's slices until it waits for the page, and returns what it answered,
    /// through the codec.
    fn settle(s: &mut Session) -> Vec<Reply> {
        let mut out = Vec::new();
        for _ in 0..10_000 {
            let work = s.tick(CLOCK, f64::INFINITY);
            out.extend(decode::<Vec<Reply>>(&encode(&mut s.take_out())));
            if work == Work::Idle {
                return out;
            }
        }
        panic!("the session never rested");
    }

    /// The run of `sc` from 0 to `t_us`.
    fn fresh(sc: &Scenario, t_us: u64) -> ClusterView {
        let mut sim = build(sc);
        sim.run_until(SimTime(t_us));
        sim.view()
    }

    fn ended(replies: &[Reply], want: u32) -> &Frame {
        replies
            .iter()
            .find_map(|r| match r {
                Reply::Ended { seq, frame } if *seq == want => Some(frame),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no end of replay {want} in {} replies", replies.len()))
    }

    /// A session for `sc`, loaded at 0 (`Command::Load` number 1), and its replies until it
    /// had nothing more to do.
    fn loaded(sc: &Scenario) -> (Session, Vec<Reply>) {
        let mut s = Session::new(&sc.to_json()).expect("a scenario");
        let load = Command::Load {
            scenario: sc.to_json(),
            to_us: 0,
            seq: 1,
        };
        send(&mut s, load);
        let r = settle(&mut s);
        (s, r)
    }

    /// Loaded, played, sought back and given an action, the live run in the worker shows what
    /// a run of the scenario (with the action on its timeline) from 0 shows at that instant;
    /// an action the engine refuses comes back in words; the digest is `ha-sim`'s.
    #[test]
    fn the_live_run_in_the_worker_shows_what_a_run_from_0_shows() {
        let mut sc = Scenario::from_preset(&presets::failover(), 7);
        let (mut s, r) = loaded(&sc);
        assert_eq!(ended(&r, 1).view, fresh(&sc, 0));
        // The digest's run went on to the duration while the worker had nothing else to do.
        let mut sim = build(&sc);
        sim.run_until(SimTime::from_secs(u64::from(sc.duration_s)));
        assert!(r.iter().any(|x| matches!(x,
            Reply::Digest { digest, .. } if *digest == sim.digest().to_string())));
        // Playing to 20 s: the frame the page asked for is the run at 20 s.
        let play = Command::Play {
            to_us: 20_000_000,
            frame: true,
            epoch: 0,
        };
        send(&mut s, play);
        let r = settle(&mut s);
        let Some(Reply::Frame { frame, full: false }) = r.first() else {
            panic!("a frame first, got {r:?}")
        };
        assert_eq!(frame.view, fresh(&sc, 20_000_000));
        // Back to 10 s.
        send(
            &mut s,
            Command::Seek {
                to_us: 10_000_000,
                seq: 2,
            },
        );
        assert_eq!(ended(&settle(&mut s), 2).view, fresh(&sc, 10_000_000));
        // A crash of the first instance, as the page sends it: its scenario with the action
        // last on the timeline.
        let crash = Action::on(ActionKind::Crash, InstanceId(0));
        let mut page = sc.clone();
        page.cluster
            .faults
            .push(page.cluster.schedule_at(0, &crash).expect("a crash"));
        let act = Command::Act {
            scenario: page.to_json(),
            seq: 3,
        };
        send(&mut s, act.clone());
        let r = settle(&mut s);
        let at_ms = r
            .iter()
            .find_map(|x| match x {
                Reply::Acted { seq: 3, at_ms } => Some(*at_ms),
                _ => None,
            })
            .expect("the crash is taken");
        let mut at_10 = build(&sc);
        at_10.run_until(SimTime(10_000_000));
        assert_eq!(
            at_ms,
            at_10.next_free_ms(),
            "the first ms the run has not handled"
        );
        sc.cluster
            .faults
            .push(sc.cluster.schedule_at(at_ms, &crash).expect("a crash"));
        let now = ended(&r, 3).view.now_us;
        assert_eq!(ended(&r, 3).view, fresh(&sc, now));
        assert!(ended(&r, 3).view.stats.faults > 0);
        // The same crash again: refused, in words, and nothing changes.
        let mut again = act;
        if let Command::Act { seq, .. } = &mut again {
            *seq = 4;
        }
        send(&mut s, again);
        let r = settle(&mut s);
        assert!(
            r.iter().any(|x| matches!(x,
                Reply::Refused { seq: 4, text } if text.contains("already down"))),
            "{r:?}"
        );
        assert_eq!(s.scenario.cluster.faults.len(), sc.cluster.faults.len());
    }

    /// A lesson played through the worker reaches each step at the simulated µs `ha-sim
    /// lesson` does, with the same answers (the lessons whose steps time brings).
    #[test]
    fn a_lesson_in_the_worker_reaches_its_steps_where_ha_sim_does() {
        let mut played = 0;
        for (name, _) in lessons::ALL {
            let sc = lessons::scenario(name).unwrap().unwrap();
            let lesson = sc.lesson.clone().expect("a lesson");
            if lesson.steps.iter().any(|s| s.wait_for.is_some()) {
                continue;
            }
            let want = player::play(&sc).expect("the lesson plays");
            let (mut s, _) = loaded(&sc);
            send(&mut s, Command::Lesson(true));
            let mut answers = vec![None; lesson.steps.len()];
            for (i, reached) in want.iter().enumerate() {
                let cmd = if i == 0 {
                    Command::Arrive(0)
                } else {
                    Command::Wait {
                        step: i as u64,
                        skip: true,
                    }
                };
                send(&mut s, cmd);
                let r = [s.take_out(), settle(&mut s)].concat();
                let (t_us, got) = r
                    .iter()
                    .find_map(|x| match x {
                        Reply::Arrived {
                            step,
                            t_us,
                            answers,
                            ..
                        } if *step == i as u64 => Some((*t_us, answers.clone())),
                        _ => None,
                    })
                    .unwrap_or_else(|| panic!("{name}: step {i} not reached: {r:?}"));
                assert_eq!(t_us as f64 / 1e3, reached.at_ms, "{name}: step {i}");
                for (q, a) in got {
                    answers[q as usize] = a;
                }
            }
            for (i, r) in want.iter().enumerate() {
                assert_eq!(answers[i], r.answer, "{name}: the answer of step {i}");
            }
            played += 1;
        }
        assert!(played >= 3, "{played} lessons played");
    }
}
