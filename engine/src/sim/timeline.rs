//! The scenario's timeline inside a run: its actions resolved against the cluster, the order
//! they happen in (by time, then by their place in the scenario), and how far the run has got.
//! The run takes them beside the event queue (`Simulation::step`), so an action can be added
//! to a running simulation exactly as if the scenario had always had it.

use crate::mechanisms::action::Action;
use crate::time::SimTime;

/// A run's timeline.
#[derive(Clone, Debug, Default)]
pub(super) struct Timeline {
    /// The actions with their times (simulated ms), in the scenario's order.
    actions: Vec<(u64, Action)>,
    /// Indices into `actions` in the order they happen.
    order: Vec<usize>,
    /// How many of `order` have been taken.
    done: usize,
    /// Queue items with a sequence number below this were queued before the timeline (at time
    /// 0): at equal times they go before a timeline action, later items after it.
    pub(super) seq: u64,
}

impl Timeline {
    /// The timeline of `actions` (time in simulated ms, action), none taken yet.
    pub(super) fn new(actions: Vec<(u64, Action)>) -> Self {
        let mut order: Vec<usize> = (0..actions.len()).collect();
        // Keys are unique (the index breaks ties), so an unstable sort gives the stable order
        // without a second sort in the wasm.
        order.sort_unstable_by_key(|&i| (actions[i].0, i));
        Timeline {
            actions,
            order,
            done: 0,
            seq: 0,
        }
    }

    /// When the next action not yet taken is due.
    pub(super) fn next_at(&self) -> Option<SimTime> {
        let &i = self.order.get(self.done)?;
        Some(SimTime::from_ms(self.actions[i].0))
    }

    /// Takes the next action (the caller checked it is due).
    pub(super) fn take(&mut self) -> Option<Action> {
        let &i = self.order.get(self.done)?;
        self.done += 1;
        Some(self.actions[i].1.clone())
    }

    /// Adds `action` at `at_ms`, after every action not yet taken at or before that time.
    pub(super) fn insert(&mut self, at_ms: u64, action: Action) {
        let index = self.actions.len();
        let after = self.order[self.done..]
            .iter()
            .take_while(|&&i| self.actions[i].0 <= at_ms)
            .count();
        self.actions.push((at_ms, action));
        self.order.insert(self.done + after, index);
    }
}
