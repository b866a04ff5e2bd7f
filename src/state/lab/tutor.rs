//! The lesson player: which step the learner is on, running to the next step's trigger,
//! going back to the exact state of an earlier step, the learner's guesses and the engine's
//! answers. The triggers and answers are the engine's ([`ha_engine::sim::player`]), the same
//! code `ha-sim lesson` plays, so the page and the CLI reach the same steps at the same µs.
//!
//! Going back rebuilds the run from the lesson's scenario with the learner's actions taken
//! before that step and replays it (sliced per frame) to the µs the step was reached: the
//! same seed and actions give the same numbers.

use super::Lab;
use crate::host::session::Command;
use ha_engine::explain::Selection;
use ha_engine::scenario::lesson::{Lesson, LessonError, Step};
use ha_engine::scenario::Scenario;
use ha_engine::sim::player::{Answer, Guess};
use ha_engine::{Action, SimTime};
use leptos::prelude::*;

/// A lesson being played in the page.
#[derive(Clone)]
pub struct LessonRun {
    /// The lesson's scenario as opened, without the learner's actions (what a lesson link
    /// carries).
    pub base: Scenario,
    /// The lesson.
    pub lesson: Lesson,
    /// The step the learner is on (index from 0).
    pub at: usize,
    /// Running towards the next step's trigger.
    pub going: bool,
    /// Opening at a later step: the player goes on by itself until it reaches this one.
    pub skip_to: Option<usize>,
    /// Past the last step.
    pub done: bool,
    /// Focus mode: the panels the step does not need are hidden.
    pub focus: bool,
    /// Since this step was reached, the learner took an action other than the one the awaited
    /// "try it" step waits for ([`LessonRun::awaited`]): the card says which it waits for.
    pub missed: bool,
    /// For each action the learner took (the scenario's timeline entries after the lesson's
    /// own), the step whose state it belongs to: the one after the step it was taken on.
    acted: Vec<usize>,
    /// When each step up to `at` was reached, simulated µs.
    reached_us: Vec<u64>,
    /// The engine's answer to each step's question, once revealed.
    pub answers: Vec<Option<Answer>>,
    /// The learner's guess for each step's question.
    pub guesses: Vec<Option<Guess>>,
}

impl LessonRun {
    fn new(base: Scenario) -> Option<Self> {
        let lesson = base.lesson.clone()?;
        let n = lesson.steps.len();
        Some(LessonRun {
            base,
            lesson,
            at: 0,
            going: false,
            skip_to: None,
            done: false,
            focus: false,
            missed: false,
            acted: Vec::new(),
            reached_us: Vec::new(),
            answers: vec![None; n],
            guesses: vec![None; n],
        })
    }

    /// The step being waited for, if the player is going.
    pub fn next_step(&self) -> Option<&Step> {
        self.going
            .then(|| self.lesson.steps.get(self.at + 1))
            .flatten()
    }

    /// The step that waits for the learner's action (a "try it" step's `wait_for`), while the
    /// learner is on the step before it: whether or not Next was pressed, since that step's
    /// words ask for the action at once ("… or press Do it").
    pub fn awaited(&self) -> Option<&Step> {
        if self.done || !self.arrived() {
            return None;
        }
        self.lesson
            .steps
            .get(self.at + 1)
            .filter(|s| s.wait_for.is_some())
    }

    /// Whether the step the learner is on has been reached in the run (the worker's answer
    /// to its arrival has come).
    pub fn arrived(&self) -> bool {
        self.reached_us.len() > self.at
    }

    /// The step the learner is on.
    pub fn step(&self) -> &Step {
        &self.lesson.steps[self.at]
    }
}

/// The localStorage key of a lesson's progress (kept only in this browser).
fn progress_key(title: &str) -> String {
    format!("ha-lab.lesson.{title}")
}

/// The furthest step (from 1) reached in the lesson titled `title`, from localStorage.
pub fn progress(title: &str) -> Option<usize> {
    let store = window().local_storage().ok()??;
    store.get_item(&progress_key(title)).ok()??.parse().ok()
}

fn save_progress(title: &str, step: usize) {
    if progress(title).is_some_and(|p| p >= step) {
        return;
    }
    if let Ok(Some(store)) = window().local_storage() {
        // Private windows may refuse; progress is a convenience.
        let _ = store.set_item(&progress_key(title), &step.to_string());
    }
}

impl Lab {
    /// Opens `sc`'s lesson from its first step, then, for `at_step` > 0, plays on by itself
    /// (taking each "try it" action as `ha-sim lesson` does) until that step. `loaded`: `sc`
    /// is the scenario running, from its start (the page was opened with its link).
    pub fn start_lesson(&self, sc: Scenario, at_step: usize, loaded: bool) {
        let Some(mut run) = LessonRun::new(sc.clone()) else {
            return;
        };
        // A lesson opened from the page's link runs already; a picked one is loaded.
        if loaded {
            self.lesson.set(None);
        } else {
            self.load(sc);
        }
        let n = run.lesson.steps.len();
        run.skip_to = (at_step > 0).then_some(at_step.min(n - 1));
        // The worker keeps the questions' readings; it answers the first step's arrival
        // once the run is at its start.
        self.send(Command::Lesson(true));
        self.lesson.set(Some(run));
        self.send(Command::Arrive(0));
    }

    /// Leaves the lesson; the run goes on as a sandbox.
    pub fn exit_lesson(&self) {
        self.lesson.set(None);
        self.send(Command::Lesson(false));
        self.write_fragment();
    }

    /// Next (→): runs to the next step's trigger (a "try it" step waits for the learner's
    /// action); after the last step, the lesson is done.
    pub fn lesson_next(&self) {
        let Some((going, at, n, wait)) = self.lesson.with_untracked(|l| {
            l.as_ref().map(|l| {
                let next = l.lesson.steps.get(l.at + 1);
                (
                    l.going,
                    l.at,
                    l.lesson.steps.len(),
                    next.is_some_and(|s| s.wait_for.is_some()),
                )
            })
        }) else {
            return;
        };
        if going {
            return;
        }
        if at + 1 >= n {
            self.lesson.update(|l| {
                if let Some(l) = l {
                    l.done = true;
                }
            });
            return;
        }
        self.lesson.update(|l| {
            if let Some(l) = l {
                l.going = true;
            }
        });
        if wait {
            // As `ha-sim lesson` does, the action comes at this instant: the run waits.
            self.set_playing(false);
            if self
                .lesson
                .with_untracked(|l| l.as_ref().is_some_and(|l| l.skip_to.is_some()))
            {
                self.lesson_do_it();
            }
        } else {
            // The worker checks the trigger at once (a step with none, or one already met,
            // arrives before any play), then as the run plays; skipping, it runs on by itself.
            let skip = self
                .lesson
                .with_untracked(|l| l.as_ref().is_some_and(|l| l.skip_to.is_some()));
            self.send(Command::Wait {
                step: at as u64 + 1,
                skip,
            });
            self.set_playing(true);
        }
    }

    /// Back (←): the exact state of the step before, rebuilt and replayed to its µs.
    pub fn lesson_back(&self) {
        let Some(mut run) = self.lesson.get_untracked() else {
            return;
        };
        if run.at == 0 && !run.going && !run.done {
            return;
        }
        // Going (or done) on step k: back to k itself, as it was; on step k: back to k − 1.
        let k = if run.going || run.done {
            run.at
        } else {
            run.at - 1
        };
        let t = run.reached_us[k];
        // The learner's actions that belong to step k's state: those taken before it was
        // reached (a "try it" action belongs to the step it starts).
        let mut sc = self.scenario.get_untracked();
        let own = run.base.cluster.faults.len();
        let learner: Vec<_> = sc
            .cluster
            .faults
            .split_off(own.min(sc.cluster.faults.len()));
        let kept: Vec<_> = learner
            .into_iter()
            .zip(&run.acted)
            .filter(|(_, step)| **step <= k)
            .map(|(a, _)| a)
            .collect();
        run.acted.truncate(kept.len());
        sc.cluster.faults.extend(kept);
        for (i, s) in run.lesson.steps.iter().enumerate() {
            if s.question.as_ref().is_some_and(|q| q.reveal_index(i) > k) {
                run.answers[i] = None;
            }
        }
        run.reached_us.truncate(k + 1);
        run.at = k;
        run.going = false;
        run.missed = false;
        run.done = false;
        run.skip_to = None;
        self.set_playing(false);
        self.lesson.set(Some(run));
        self.rewind(sc, SimTime(t));
        // After the rebuild (the worker applies it once the run is at `t`).
        self.send(Command::Back(k as u64));
    }

    /// "Do it": takes the action the waited-for "try it" step asks for.
    pub fn lesson_do_it(&self) {
        match self.waited_action() {
            Some(Ok(action)) => self.act(action),
            Some(Err(e)) => self.notice.set(Some(e.to_string())),
            None => {}
        }
    }

    /// Changes the scenario's lesson (made with the first step if it has none; gone with its
    /// last step) if the result is valid; the address bar follows. The run is not touched: a
    /// lesson does not change it.
    ///
    /// Errors: the engine's message; nothing changes then.
    pub fn edit_lesson(&self, f: impl FnOnce(&mut Lesson)) -> Result<(), String> {
        let mut sc = self.scenario.get_untracked();
        let title = sc.title.clone();
        let lesson = sc.lesson.get_or_insert_with(|| Lesson {
            title,
            steps: Vec::new(),
        });
        f(lesson);
        if lesson.steps.is_empty() {
            sc.lesson = None;
        }
        sc.validate().map_err(|e| e.to_string())?;
        self.scenario.set(sc);
        self.write_fragment();
        Ok(())
    }

    /// The action the awaited "try it" step asks for ([`LessonRun::awaited`]), resolved
    /// against the cluster (`None`: no step awaits one).
    fn waited_action(&self) -> Option<Result<Action, ha_engine::ConfigError>> {
        let wanted = self.lesson.with_untracked(|l| {
            l.as_ref()
                .and_then(LessonRun::awaited)
                .and_then(Step::wanted_action)
        })?;
        Some(self.with_config(|c| c.resolve(&wanted)))
    }

    /// The learner's guess for step `i`'s question.
    pub fn set_guess(&self, i: usize, guess: Option<Guess>) {
        // Untracked: the card is not redrawn under the learner's typing.
        self.lesson.update_untracked(|l| {
            if let Some(g) = l.as_mut().and_then(|l| l.guesses.get_mut(i)) {
                *g = guess;
            }
        });
    }

    /// Focus mode on or off (F).
    pub fn toggle_focus(&self) {
        self.lesson.update(|l| {
            if let Some(l) = l {
                l.focus = !l.focus;
            }
        });
    }

    /// Called after the learner's `action` was taken: it starts the awaited "try it" step
    /// when it is that step's action (same kind, same target), taken after Next or before it
    /// (a learner who does what the card says and then presses Next was left waiting for an
    /// action already taken).
    pub(super) fn lesson_acted(&self, action: &Action) {
        // Every action taken during a lesson belongs to the state of the step after this one.
        self.lesson.update_untracked(|l| {
            if let Some(l) = l {
                l.acted.push(l.at + 1);
            }
        });
        let wanted = self.waited_action().and_then(Result::ok);
        if wanted
            .as_ref()
            .is_some_and(|w| w.kind == action.kind && w.target == action.target)
        {
            let at = self
                .lesson
                .with_untracked(|l| l.as_ref().map_or(0, |l| l.at));
            // At the action's instant: the worker applies it after the replay to there.
            self.send(Command::Arrive(at as u64 + 1));
        } else if wanted.is_some() {
            self.lesson.update(|l| {
                if let Some(l) = l {
                    l.missed = true;
                }
            });
        }
    }

    /// The waited-for trigger did not come within the scenario: say so instead of running on.
    pub(super) fn lesson_never_reached(&self) {
        let Some(at) = self.lesson.with_untracked(|l| l.as_ref().map(|l| l.at)) else {
            return;
        };
        self.lesson.update(|l| {
            if let Some(l) = l {
                l.going = false;
                l.skip_to = None;
            }
        });
        self.set_playing(false);
        let d = self.scenario.with_untracked(|s| s.duration_s);
        self.notice
            .set(Some(LessonError::NeverReached(at + 2, d).to_string()));
    }

    /// Step `i` was reached at `t_us` ([`crate::host::session::Reply::Arrived`]), with the
    /// engine's `answers` to the questions revealed there and what the step `select`s: its
    /// question asked (by the worker), what it does on arrival done (pause, speed, selection),
    /// progress kept.
    pub(super) fn lesson_arrive(
        &self,
        i: usize,
        t_us: u64,
        answers: Vec<(u64, Option<Answer>)>,
        select: Option<Selection>,
    ) {
        let Some(mut run) = self.lesson.get_untracked() else {
            return;
        };
        if i >= run.lesson.steps.len() {
            return;
        }
        run.at = i;
        run.going = false;
        run.missed = false;
        run.reached_us.truncate(i);
        run.reached_us.push(t_us);
        for (q_step, a) in answers {
            if let Some(slot) = run.answers.get_mut(q_step as usize) {
                *slot = a;
            }
        }
        let step = run.lesson.steps[i].clone();
        let skipping = run.skip_to.is_some_and(|s| s > i);
        if run.skip_to == Some(i) {
            run.skip_to = None;
        }
        save_progress(&run.lesson.title, i + 1);
        self.lesson.set(Some(run));
        if let Some(speed) = step.speed {
            self.set_speed(speed);
        }
        // On a phone the inspector is a sheet over the page: it would hide the card.
        let phone = window()
            .match_media(crate::platform::media::PHONE_QUERY)
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        if let Some(sel) = select.filter(|_| !phone) {
            self.select(Some(sel));
        }
        if skipping {
            self.lesson_next();
        } else if !step.keep_running {
            self.set_playing(false);
        }
        self.write_fragment();
    }
}
