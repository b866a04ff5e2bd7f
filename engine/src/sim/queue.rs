//! The event queue: a heap keyed by (time, sequence number) (4-ary natively, binary in wasm),
//! plus FIFO lanes.
//!
//! Ties in time break first-in-first-out by a sequence number assigned at scheduling, the way
//! `nexosim`'s `PriorityQueue` does, so a run never depends on heap internals.
//!
//! Lanes are for items scheduled a fixed delay after "now" (a call's timeout: every call to a
//! service waits the same number of µs). Since "now" never goes back, such items arrive in a
//! lane already sorted, so a `VecDeque` holds them at O(1) per push and pop instead of the
//! heap's O(log n). Most timeouts never fire (the call ends first) and sit in the queue until
//! they are due, so they are the bulk of it. Lanes change only the cost: `pop` still returns
//! the least (time, sequence) over heap and lanes, so the order of items is the same as with
//! the heap alone.

use crate::time::SimTime;
/// The heap: four children a node natively, std's binary heap in wasm (about 100 B smaller
/// in the page). Keys (time, sequence) are unique, so both pop the same order.
#[cfg(not(target_arch = "wasm32"))]
type Heap<T> = dary_heap::QuaternaryHeap<T>;
#[cfg(target_arch = "wasm32")]
type Heap<T> = std::collections::BinaryHeap<T>;
use std::cmp::{Ordering, Reverse};
use std::collections::VecDeque;

/// Lanes a queue keeps at most; an item for a further lane goes on the heap.
const MAX_LANES: usize = 8;

/// One scheduled item: due at `at`, the `seq`-th item ever scheduled on its queue.
#[derive(Debug, Clone)]
pub struct Scheduled<E> {
    /// When the item is due (simulated µs).
    pub at: SimTime,
    /// Scheduling order; unique per queue, breaks ties at equal `at`.
    pub seq: u64,
    /// The payload.
    pub item: E,
}

impl<E> PartialEq for Scheduled<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl<E> Eq for Scheduled<E> {}
impl<E> PartialOrd for Scheduled<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Scheduled<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// Where the earliest item waits, as [`EventQueue::front`] finds it: its time, its sequence
/// number and its place (heap or lane). Valid until the queue changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Front {
    /// When it is due.
    pub at: SimTime,
    /// Its sequence number.
    pub seq: u64,
    /// `None`: the heap; `Some(l)`: lane `l`.
    place: Option<usize>,
}

/// A min-queue of items by (time, sequence). `pop` returns the earliest item; among items due at
/// the same µs, the one scheduled first.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    /// The heap's entries: an item's time and sequence number, and as its payload the slot
    /// where the item waits in `slab`. 24 bytes, so a sift moves half of what moving whole
    /// items did (the heap's moves were the largest cost of `Simulation::step`). Natively four
    /// children a node (`dary_heap`, [`Heap`]) rather than std's two: half the levels a pop
    /// sifts through, 2 % less wall time for the round robin (`farm-bench`, BENCHMARKS.md's
    /// notes).
    heap: Heap<Reverse<Scheduled<u32>>>,
    /// The heap's payloads by slot; `None` in a free slot.
    slab: Vec<Option<E>>,
    /// Free slots of `slab`.
    free: Vec<u32>,
    /// (lane key, items in (time, sequence) order).
    lanes: Vec<(u64, VecDeque<Scheduled<E>>)>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self {
            heap: Heap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            lanes: Vec::new(),
            next_seq: 0,
        }
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `item` at `at`; returns its sequence number.
    pub fn push(&mut self, at: SimTime, item: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.push_heap(Scheduled { at, seq, item });
        seq
    }

    fn push_heap(&mut self, s: Scheduled<E>) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(s.item);
                slot
            }
            None => {
                self.slab.push(Some(s.item));
                (self.slab.len() - 1) as u32
            }
        };
        self.heap.push(Reverse(Scheduled {
            at: s.at,
            seq: s.seq,
            item: slot,
        }));
    }

    /// Schedules `item` at `at` in the FIFO lane `lane` (any key; callers use the delay in µs);
    /// returns its sequence number. Same order as [`Self::push`]; cheaper when items of one lane
    /// come in time order. An item earlier than its lane's last one, or a lane beyond the
    /// eighth, goes on the heap instead.
    pub fn push_lane(&mut self, lane: u64, at: SimTime, item: E) -> u64 {
        let seq = self.next_seq;
        let s = Scheduled { at, seq, item };
        let l = match self.lanes.iter().position(|(k, _)| *k == lane) {
            Some(l) => Some(l),
            None if self.lanes.len() < MAX_LANES => {
                self.lanes.push((lane, VecDeque::new()));
                Some(self.lanes.len() - 1)
            }
            None => None,
        };
        match l {
            Some(l) if self.lanes[l].1.back().is_none_or(|b| b.at <= at) => {
                self.lanes[l].1.push_back(s)
            }
            _ => self.push_heap(s),
        }
        self.next_seq += 1;
        seq
    }

    /// The earliest item's time, sequence number and place, if any: one look at the heap's
    /// top and each lane's front. [`Self::pop_front`] takes it without looking again.
    pub fn front(&self) -> Option<Front> {
        let mut best = self.heap.peek().map(|Reverse(k)| Front {
            at: k.at,
            seq: k.seq,
            place: None,
        });
        for (l, (_, q)) in self.lanes.iter().enumerate() {
            if let Some(s) = q.front() {
                if best.is_none_or(|b| (s.at, s.seq) < (b.at, b.seq)) {
                    best = Some(Front {
                        at: s.at,
                        seq: s.seq,
                        place: Some(l),
                    });
                }
            }
        }
        best
    }

    /// Removes and returns the item `front` names; `front` must come from [`Self::front`]
    /// with no change to the queue since (otherwise another item may come out).
    pub fn pop_front(&mut self, front: Front) -> Option<Scheduled<E>> {
        match front.place {
            None => {
                let Reverse(k) = self.heap.pop()?;
                let item = self.slab.get_mut(k.item as usize)?.take()?;
                self.free.push(k.item);
                Some(Scheduled {
                    at: k.at,
                    seq: k.seq,
                    item,
                })
            }
            Some(l) => self.lanes.get_mut(l)?.1.pop_front(),
        }
    }

    /// Drops, from the front of every lane, the items `dead` says nothing will come of (a
    /// call's timeout after the call ended), whatever their time: a lane's front is its
    /// oldest item, so dead items behind a live one wait until it leaves. Items are dropped
    /// only where popping them would have done nothing, so what the queue pops afterwards
    /// is what it would have popped, minus them.
    pub fn drop_dead_lane_fronts(&mut self, mut dead: impl FnMut(&E) -> bool) {
        for (_, q) in &mut self.lanes {
            while q.front().is_some_and(|s| dead(&s.item)) {
                q.pop_front();
            }
        }
    }

    /// Removes and returns the earliest item.
    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        let front = self.front()?;
        self.pop_front(front)
    }

    /// When the earliest item is due, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.front().map(|f| f.at)
    }

    /// The earliest item's (time, sequence number), if any.
    pub fn peek_key(&self) -> Option<(SimTime, u64)> {
        self.front().map(|f| (f.at, f.seq))
    }

    /// The sequence number the next scheduled item will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Number of scheduled items.
    pub fn len(&self) -> usize {
        self.heap.len() + self.lanes.iter().map(|(_, q)| q.len()).sum::<usize>()
    }

    /// Bytes the scheduled items take (their number × the size of one), an estimate of the
    /// heap memory a clone copies.
    pub fn approx_bytes(&self) -> usize {
        self.len() * std::mem::size_of::<Scheduled<E>>()
            + self.heap.len() * std::mem::size_of::<Scheduled<u32>>()
    }

    /// True when nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn earliest_first_and_ties_fifo() {
        let mut q = EventQueue::new();
        q.push(SimTime(30), "c");
        q.push(SimTime(10), "a1");
        q.push(SimTime(20), "b");
        q.push(SimTime(10), "a2");
        q.push(SimTime(10), "a3");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|s| s.item)).collect();
        assert_eq!(order, vec!["a1", "a2", "a3", "b", "c"]);
    }

    proptest! {
        /// Whatever the insertion order, items come out sorted by time, and items with equal
        /// times come out in insertion order.
        #[test]
        fn pops_sorted_by_time_then_insertion(times in proptest::collection::vec(0u64..50, 0..200)) {
            let mut q = EventQueue::new();
            for (i, t) in times.iter().enumerate() {
                q.push(SimTime(*t), i);
            }
            let mut out = Vec::new();
            while let Some(s) = q.pop() {
                out.push((s.at.0, s.item));
            }
            let mut expected: Vec<_> = times.iter().copied().zip(0..).collect();
            expected.sort();
            prop_assert_eq!(out, expected);
        }

        /// Lanes change nothing in the order: a queue fed through lanes (items in a lane at a
        /// fixed delay after a clock that moves forward, as call timeouts are) pops exactly
        /// the sequence a heap-only queue pops, including the heap fallback beyond 8 lanes and
        /// for out-of-order items.
        #[test]
        fn lanes_pop_in_heap_order(
            ops in proptest::collection::vec((0u64..4, 0u64..12, 0u64..40, any::<bool>()), 0..300)
        ) {
            let mut plain = EventQueue::new();
            let mut laned = EventQueue::new();
            let mut now = 0u64;
            let mut out_plain = Vec::new();
            let mut out_laned = Vec::new();
            for (i, (step, lane, delay, pop)) in ops.into_iter().enumerate() {
                now += step;
                // Lane 11 gets arbitrary delays: its items are not in order.
                let at = if lane == 11 { now + delay } else { now + lane * 7 };
                plain.push(SimTime(at), i);
                laned.push_lane(lane, SimTime(at), i);
                prop_assert_eq!(plain.len(), laned.len());
                prop_assert_eq!(plain.peek_time(), laned.peek_time());
                if pop {
                    out_plain.push(plain.pop().map(|s| (s.at, s.seq, s.item)));
                    out_laned.push(laned.pop().map(|s| (s.at, s.seq, s.item)));
                }
            }
            while let Some(s) = plain.pop() {
                out_plain.push(Some((s.at, s.seq, s.item)));
            }
            while let Some(s) = laned.pop() {
                out_laned.push(Some((s.at, s.seq, s.item)));
            }
            prop_assert!(laned.is_empty());
            prop_assert_eq!(out_plain, out_laned);
        }
    }
}
