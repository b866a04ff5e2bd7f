//! Typed events, the bounded event log, the run digest and the alert/event feed.
//!
//! Every event the engine processes is appended to the [`EventLog`]: the log keeps the newest
//! [`LOG_CAPACITY`] entries, counts every kind, and folds each entry's canonical bytes
//! (postcard encoding of `(time, event)`) into a streaming XXH3-64 hash. That hash is the run's
//! [`Digest`]: two runs are the same run exactly when their digests match.

use crate::common::{ErrorCause, InstanceId, Outcome, ServiceId};
use crate::mechanisms::action::ActionKind;
use crate::mechanisms::alerts::AlertState;
use crate::mechanisms::breaker::BreakerState;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;
use xxhash_rust::xxh3::Xxh3;

/// Entries the event log keeps (older ones are only in the digest and the counts).
pub const LOG_CAPACITY: usize = 10_000;
/// Entries the feed keeps.
pub const FEED_CAPACITY: usize = 500;

/// One thing that happened. Instances and services are referred to by index; the
/// [`crate::sim::Simulation`] turns them into names for people.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// A client sent `request` to `service` through the gateway.
    RequestArrived {
        /// Request id, unique in the run.
        request: u64,
        /// Client index.
        client: u32,
        /// Target service.
        service: ServiceId,
    },
    /// A call (an attempt) of `request` was sent to `instance`.
    CallDispatched {
        /// Call id, unique in the run.
        call: u64,
        /// The client request it serves.
        request: u64,
        /// The calling instance (`None`: the gateway).
        caller: Option<InstanceId>,
        /// Chosen upstream.
        instance: InstanceId,
        /// 0 for a first attempt, n for the n-th retry.
        attempt: u32,
    },
    /// A call ended.
    CallEnded {
        /// Call id.
        call: u64,
        /// The service called.
        service: ServiceId,
        /// The upstream it went to, if it was dispatched or short-circuited on one.
        instance: Option<InstanceId>,
        /// How it ended.
        outcome: Outcome,
        /// Why, for errors.
        cause: Option<ErrorCause>,
        /// Start to end, µs.
        latency_us: u64,
    },
    /// A failed call will be retried after `backoff_us`.
    RetryScheduled {
        /// The client request.
        request: u64,
        /// The service to call again.
        service: ServiceId,
        /// The attempt number of the retry.
        attempt: u32,
        /// Back-off, µs.
        backoff_us: u64,
    },
    /// A retry was refused by the retry budget.
    RetryBudgetExhausted {
        /// The client request.
        request: u64,
        /// The service.
        service: ServiceId,
    },
    /// `request` ended (exactly once).
    RequestEnded {
        /// Request id.
        request: u64,
        /// How it ended.
        outcome: Outcome,
        /// Why, for errors.
        cause: Option<ErrorCause>,
        /// Arrival to end, µs.
        latency_us: u64,
    },
    /// `instance` sent a heartbeat to the registry.
    Heartbeat {
        /// The instance.
        instance: InstanceId,
    },
    /// `instance` registered.
    Registered {
        /// The instance.
        instance: InstanceId,
    },
    /// `instance` deregistered.
    Deregistered {
        /// The instance.
        instance: InstanceId,
    },
    /// The registry expired `instance` (no heartbeat for the heartbeat timeout).
    Expired {
        /// The instance.
        instance: InstanceId,
        /// Its last heartbeat.
        last_heartbeat: SimTime,
    },
    /// The balancer's cached upstream list for `service` changed.
    UpstreamsChanged {
        /// The service.
        service: ServiceId,
        /// The new list, in registry order.
        upstreams: Vec<InstanceId>,
    },
    /// `instance`'s process crashed; `requests_lost` requests in it ended with a reset.
    InstanceCrashed {
        /// The instance.
        instance: InstanceId,
        /// Requests in service or queued that were lost.
        requests_lost: u32,
    },
    /// The first request refused by a crashed `instance` since it crashed.
    ConnectionsRefused {
        /// The instance.
        instance: InstanceId,
    },
    /// `instance`'s process was started (it serves after its boot time).
    InstanceRestarted {
        /// The instance.
        instance: InstanceId,
    },
    /// `instance` finished booting and serves.
    InstanceReady {
        /// The instance.
        instance: InstanceId,
    },
    /// `instance` was stopped on purpose (a backup returned to the pool).
    InstanceStopped {
        /// The instance.
        instance: InstanceId,
    },
    /// An active health check of `instance` failed.
    HealthCheckFailed {
        /// The instance.
        instance: InstanceId,
        /// Consecutive failures so far.
        consecutive: u32,
    },
    /// The health checker changed its verdict on `instance`.
    HealthChanged {
        /// The instance.
        instance: InstanceId,
        /// The new verdict.
        healthy: bool,
    },
    /// Outlier detection ejected `instance`.
    Ejected {
        /// The instance.
        instance: InstanceId,
        /// Its n-th ejection.
        nth: u32,
        /// Ejection length, µs.
        for_us: u64,
    },
    /// `instance`'s ejection ended.
    Unejected {
        /// The instance.
        instance: InstanceId,
    },
    /// `service`'s balancer entered or left panic mode.
    PanicMode {
        /// The service.
        service: ServiceId,
        /// In panic mode now.
        on: bool,
    },
    /// The failover manager promoted `backup` to replace `failed`.
    BackupPromoted {
        /// The backup.
        backup: InstanceId,
        /// The instance it replaces.
        failed: InstanceId,
    },
    /// A recovery attempt of `instance`.
    RecoveryAttempt {
        /// The instance.
        instance: InstanceId,
        /// 1-based attempt number.
        attempt: u32,
        /// Whether the restart can succeed.
        ok: bool,
    },
    /// The failover manager gave up recovering `instance`.
    RecoveryGaveUp {
        /// The instance.
        instance: InstanceId,
    },
    /// `backup` went back to the pool because the primary it replaced recovered.
    Failback {
        /// The backup.
        backup: InstanceId,
        /// The recovered primary.
        primary: InstanceId,
    },
    /// A circuit breaker changed state.
    BreakerChanged {
        /// The calling instance (`None`: the gateway).
        caller: Option<InstanceId>,
        /// The upstream instance.
        instance: InstanceId,
        /// State before.
        from: BreakerState,
        /// State after.
        to: BreakerState,
    },
    /// A fault started.
    FaultStarted {
        /// Fault id, unique in the run.
        fault: u32,
        /// The instance, if not cluster-wide.
        instance: Option<InstanceId>,
        /// What.
        kind: ActionKind,
    },
    /// A fault ended.
    FaultEnded {
        /// Fault id.
        fault: u32,
    },
    /// A data node failed (its copies are unreachable).
    DataNodeFailed {
        /// Node index.
        node: u16,
        /// Keys it left under-replicated.
        under_replicated: u32,
    },
    /// A failed data node came back with its copies.
    DataNodeRecovered {
        /// Node index.
        node: u16,
    },
    /// A data node joined or left the ring; copies moved to follow the new placement.
    DataMembership {
        /// Node index.
        node: u16,
        /// Joined (true) or left.
        joined: bool,
        /// Keys whose primary moved.
        primaries_moved: u64,
        /// Copies created or dropped.
        copies_moved: u64,
    },
    /// Repair created copies of under-replicated keys.
    Repaired {
        /// Copies created.
        copies: u64,
        /// Keys still under-replicated.
        remaining: u64,
    },
    /// An alert changed state.
    AlertChanged {
        /// Index of the alert.
        alert: u32,
        /// State before.
        from: AlertState,
        /// State after.
        to: AlertState,
    },
}

/// Names of the event kinds, in [`Event::kind_index`] order.
pub const EVENT_KINDS: [&str; 33] = [
    "request_arrived",
    "call_dispatched",
    "call_ended",
    "retry_scheduled",
    "retry_budget_exhausted",
    "request_ended",
    "heartbeat",
    "registered",
    "deregistered",
    "expired",
    "upstreams_changed",
    "instance_crashed",
    "connections_refused",
    "instance_restarted",
    "instance_ready",
    "instance_stopped",
    "health_check_failed",
    "health_changed",
    "ejected",
    "unejected",
    "panic_mode",
    "backup_promoted",
    "recovery_attempt",
    "recovery_gave_up",
    "failback",
    "breaker_changed",
    "fault_started",
    "fault_ended",
    "alert_changed",
    "data_node_failed",
    "data_node_recovered",
    "data_membership",
    "repaired",
];

impl Event {
    /// Index of this event's kind in [`EVENT_KINDS`].
    pub fn kind_index(&self) -> usize {
        match self {
            Event::RequestArrived { .. } => 0,
            Event::CallDispatched { .. } => 1,
            Event::CallEnded { .. } => 2,
            Event::RetryScheduled { .. } => 3,
            Event::RetryBudgetExhausted { .. } => 4,
            Event::RequestEnded { .. } => 5,
            Event::Heartbeat { .. } => 6,
            Event::Registered { .. } => 7,
            Event::Deregistered { .. } => 8,
            Event::Expired { .. } => 9,
            Event::UpstreamsChanged { .. } => 10,
            Event::InstanceCrashed { .. } => 11,
            Event::ConnectionsRefused { .. } => 12,
            Event::InstanceRestarted { .. } => 13,
            Event::InstanceReady { .. } => 14,
            Event::InstanceStopped { .. } => 15,
            Event::HealthCheckFailed { .. } => 16,
            Event::HealthChanged { .. } => 17,
            Event::Ejected { .. } => 18,
            Event::Unejected { .. } => 19,
            Event::PanicMode { .. } => 20,
            Event::BackupPromoted { .. } => 21,
            Event::RecoveryAttempt { .. } => 22,
            Event::RecoveryGaveUp { .. } => 23,
            Event::Failback { .. } => 24,
            Event::BreakerChanged { .. } => 25,
            Event::FaultStarted { .. } => 26,
            Event::FaultEnded { .. } => 27,
            Event::AlertChanged { .. } => 28,
            Event::DataNodeFailed { .. } => 29,
            Event::DataNodeRecovered { .. } => 30,
            Event::DataMembership { .. } => 31,
            Event::Repaired { .. } => 32,
        }
    }

    /// The kind's name, e.g. `expired`.
    pub fn kind(&self) -> &'static str {
        EVENT_KINDS[self.kind_index()]
    }

    /// True for events people should see in the feed (not per-request or heartbeat noise).
    pub fn is_notable(&self) -> bool {
        !matches!(
            self,
            Event::RequestArrived { .. }
                | Event::CallDispatched { .. }
                | Event::CallEnded { .. }
                | Event::RetryScheduled { .. }
                | Event::RetryBudgetExhausted { .. }
                | Event::RequestEnded { .. }
                | Event::Heartbeat { .. }
                | Event::HealthCheckFailed { .. }
        )
    }
}

/// One log entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// When it happened.
    pub at: SimTime,
    /// What happened.
    pub event: Event,
}

/// A run digest: XXH3-64 over the canonical bytes of every event, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digest(pub u64);

impl fmt::Display for Digest {
    /// 16 lowercase hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// The bounded event log with per-kind counts and the running digest.
#[derive(Clone)]
pub struct EventLog {
    /// An entry never changes once logged, so a copy of the run (a checkpoint) shares the
    /// kept ones (`Rc`) rather than copying each event.
    entries: VecDeque<Rc<LogEntry>>,
    /// How many of the newest entries `entries` keeps: 0 unless a test or a tool asks
    /// ([`EventLog::retain`]); keeping them cost a tenth of the request path and 480 KB in
    /// every checkpoint, and no view reads them.
    retain: usize,
    notable: VecDeque<Rc<LogEntry>>,
    counts: [u64; EVENT_KINDS.len()],
    total: u64,
    hashed: Hashed,
}

/// Bytes of encoded entries gathered before they are hashed.
const BATCH: usize = 4_096;

/// The digest's state: the hash of every full batch so far and the batch being filled.
/// XXH3 over a stream is the same however it is cut, so a batch is hashed when it is full,
/// mid-entry or not: hashing 4 KiB at a time is far cheaper than an `update` per entry.
/// Entries are written straight into the batch (`wire::write`), whose fixed size lets a
/// varint check the room once rather than a `Vec`'s capacity once a byte, and natively the
/// varint is inlined: 1,077 M to 1,009 M instructions for the 60 s round robin (cachegrind),
/// criterion's round robin from about 2.8 M to 3.1 M requests per s on the same machine.
#[derive(Clone)]
struct Hashed {
    hasher: Xxh3,
    batch: [u8; BATCH],
    len: usize,
}

impl Hashed {
    fn new() -> Self {
        Self {
            hasher: Xxh3::new(),
            batch: [0; BATCH],
            len: 0,
        }
    }

    /// Folds the full batch into the hash.
    #[inline(never)]
    fn flush(&mut self) {
        self.hasher.update(&self.batch[..self.len]);
        self.len = 0;
    }

    fn digest(&self) -> Digest {
        let mut h = self.hasher.clone();
        h.update(&self.batch[..self.len]);
        Digest(h.digest())
    }
}

/// Room [`Hashed::entry`] makes in the batch before writing an entry field by field: the
/// largest of the four kinds it writes (`CallEnded`: a time, its kind, two u64s, a u16, an
/// optional u32, two enums and their option tag, a u64) is 10 + 1 + 10 + 3 + 6 + 1 + 2 + 10 +
/// 10 = 53 bytes.
#[cfg(not(target_arch = "wasm32"))]
const ENTRY_ROOM: usize = 64;

impl Hashed {
    /// Writes `entry`'s postcard bytes, exactly what `crate::wire::write(entry, self)` writes
    /// (the test `the_request_paths_entries_are_serdes_bytes` holds them together at every
    /// field's edges). The four kinds every request logs (arrived, dispatched, call ended,
    /// request ended: 320,226 of the 320,277 entries of 20 s of
    /// `engine/bench/round_robin_10.json`) are written here field by field into room made
    /// once; every other kind goes through serde. Through serde's derived code (a call per
    /// `Option` field, a room check per varint) the entry path was a fifth of that run's
    /// 324 M instructions; this takes the run to 316 M (cachegrind) and its wall time by a
    /// median 12 % (`farm-bench -n 15`, 120 simulated s, paired against the serde path).
    ///
    /// Natively only: in the page's wasm the four kinds' own writers were 1,021 B of the
    /// page's 500 KB (gzipped), which has less than that to spare; there every kind goes
    /// through serde ([`Hashed::entry`]'s other definition), the same bytes.
    #[cfg(not(target_arch = "wasm32"))]
    #[inline]
    fn entry(&mut self, entry: &LogEntry) {
        match entry.event {
            Event::RequestArrived {
                request,
                client,
                service,
            } => self.fields(entry, |room| {
                room.varint(request);
                room.varint(client.into());
                room.varint(service.0.into());
            }),
            Event::CallDispatched {
                call,
                request,
                caller,
                instance,
                attempt,
            } => self.fields(entry, |room| {
                room.varint(call);
                room.varint(request);
                room.option(caller.map(|c| c.0.into()));
                room.varint(instance.0.into());
                room.varint(attempt.into());
            }),
            Event::CallEnded {
                call,
                service,
                instance,
                outcome,
                cause,
                latency_us,
            } => self.fields(entry, |room| {
                room.varint(call);
                room.varint(service.0.into());
                room.option(instance.map(|i| i.0.into()));
                // A unit-only enum's variant index is its declaration order, as `as` gives.
                room.varint(outcome as u64);
                room.option(cause.map(|c| c as u64));
                room.varint(latency_us);
            }),
            Event::RequestEnded {
                request,
                outcome,
                cause,
                latency_us,
            } => self.fields(entry, |room| {
                room.varint(request);
                room.varint(outcome as u64);
                room.option(cause.map(|c| c as u64));
                room.varint(latency_us);
            }),
            _ => crate::wire::write(entry, self),
        }
    }

    /// `entry`'s postcard bytes, through serde (see the native definition).
    #[cfg(target_arch = "wasm32")]
    fn entry(&mut self, entry: &LogEntry) {
        crate::wire::write(entry, self)
    }

    /// `entry`'s time, its kind's variant index (its [`Event::kind_index`], which is
    /// declaration order), then what `fields` writes of its event, in room of [`ENTRY_ROOM`]
    /// bytes made once.
    #[cfg(not(target_arch = "wasm32"))]
    #[inline(always)]
    fn fields(&mut self, entry: &LogEntry, fields: impl FnOnce(&mut Room)) {
        if self.len > BATCH - ENTRY_ROOM {
            self.flush();
        }
        let mut room = Room {
            at: &mut self.batch[self.len..self.len + ENTRY_ROOM],
            n: 0,
        };
        room.varint(entry.at.0);
        room.varint(entry.event.kind_index() as u64);
        fields(&mut room);
        self.len += room.n;
    }
}

/// The batch's room for one entry and how much of it is written.
#[cfg(not(target_arch = "wasm32"))]
struct Room<'a> {
    at: &'a mut [u8],
    n: usize,
}

#[cfg(not(target_arch = "wasm32"))]
impl Room<'_> {
    /// `v` as a LEB128 varint (postcard's unsigned integers of every width).
    #[inline(always)]
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.at[self.n] = v as u8 | 0x80;
            v >>= 7;
            self.n += 1;
        }
        self.at[self.n] = v as u8;
        self.n += 1;
    }

    /// postcard's `Option` of an unsigned integer: 0, or 1 and the value.
    #[inline(always)]
    fn option(&mut self, v: Option<u64>) {
        match v {
            None => self.varint(0),
            Some(v) => {
                self.varint(1);
                self.varint(v);
            }
        }
    }
}

impl crate::wire::Out for Hashed {
    fn put(&mut self, b: u8) {
        if self.len == BATCH {
            self.flush();
        }
        self.batch[self.len] = b;
        self.len += 1;
    }

    fn put_all(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.put(b);
        }
    }

    // Inlined natively (the call was a quarter of its cost); one copy in the page's wasm.
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    #[cfg_attr(not(target_arch = "wasm32"), inline)]
    fn varint(&mut self, mut v: u64) {
        if self.len > BATCH - 10 {
            self.flush();
        }
        let room = &mut self.batch[self.len..self.len + 10];
        let mut n = 0;
        while v >= 0x80 {
            room[n] = v as u8 | 0x80;
            v >>= 7;
            n += 1;
        }
        room[n] = v as u8;
        self.len += n + 1;
    }
}

impl fmt::Debug for EventLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventLog")
            .field("retained", &self.entries.len())
            .field("total", &self.total)
            .finish()
    }
}

impl Default for EventLog {
    fn default() -> Self {
        Self {
            entries: VecDeque::new(),
            retain: 0,
            notable: VecDeque::new(),
            counts: [0; EVENT_KINDS.len()],
            total: 0,
            hashed: Hashed::new(),
        }
    }
}

impl EventLog {
    /// Appends `event` at `at`: counts it, hashes it, keeps it (dropping the oldest past
    /// [`LOG_CAPACITY`]).
    pub fn push(&mut self, at: SimTime, event: Event) {
        self.counts[event.kind_index()] += 1;
        self.total += 1;
        let entry = LogEntry { at, event };
        // postcard's bytes: the request path's four kinds written field by field
        // (`Hashed::entry`), every other kind through serde with no error path (`crate::wire`).
        self.hashed.entry(&entry);
        let notable = entry.event.is_notable();
        if !notable && self.retain == 0 {
            return;
        }
        let entry = Rc::new(entry);
        if notable {
            if self.notable.len() == LOG_CAPACITY {
                self.notable.pop_front();
            }
            self.notable.push_back(Rc::clone(&entry));
        }
        if self.retain > 0 {
            if self.entries.len() == self.retain {
                self.entries.pop_front();
            }
            self.entries.push_back(entry);
        }
    }

    /// The digest of everything logged so far.
    pub fn digest(&self) -> Digest {
        self.hashed.digest()
    }

    /// Events logged so far, all kinds.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// `(kind, count)` for every kind, in [`EVENT_KINDS`] order.
    pub fn counts(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        EVENT_KINDS.iter().copied().zip(self.counts.iter().copied())
    }

    /// Count of one kind by name (0 for unknown names).
    pub fn count(&self, kind: &str) -> u64 {
        EVENT_KINDS
            .iter()
            .position(|k| *k == kind)
            .map_or(0, |i| self.counts[i])
    }

    /// The retained notable entries (control-plane events, not per-request or heartbeat
    /// noise), oldest first: the newest [`LOG_CAPACITY`] of them, kept apart so a busy run does
    /// not push them out.
    pub fn notable(&self) -> impl DoubleEndedIterator<Item = &LogEntry> {
        self.notable.iter().map(|e| &**e)
    }

    /// Keeps the newest `n` entries (at most [`LOG_CAPACITY`]) from now on, for
    /// [`EventLog::entries`]; 0, the default, keeps none. Counts, the digest and the notable
    /// entries are kept whatever `n` is.
    pub fn retain(&mut self, n: usize) {
        self.retain = n.min(LOG_CAPACITY);
        while self.entries.len() > self.retain {
            self.entries.pop_front();
        }
    }

    /// The retained entries, oldest first: none unless [`EventLog::retain`] asked for them.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &LogEntry> {
        self.entries.iter().map(|e| &**e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(i: u32) -> Event {
        Event::Heartbeat {
            instance: InstanceId(i),
        }
    }

    #[test]
    fn digest_depends_on_every_event_time_and_order() {
        let mut a = EventLog::default();
        let mut b = EventLog::default();
        for i in 0..3 {
            a.push(SimTime(i as u64), ev(i));
            b.push(SimTime(i as u64), ev(i));
        }
        assert_eq!(a.digest(), b.digest());
        let mut c = EventLog::default();
        c.push(SimTime(0), ev(0));
        c.push(SimTime(1), ev(2));
        c.push(SimTime(2), ev(1));
        assert_ne!(a.digest(), c.digest(), "order matters");
        let mut d = EventLog::default();
        d.push(SimTime(0), ev(0));
        d.push(SimTime(1), ev(1));
        d.push(SimTime(3), ev(2));
        assert_ne!(a.digest(), d.digest(), "time matters");
    }

    mod request_path {
        use super::*;
        use proptest::prelude::*;

        /// A u64 at a varint's edges as often as anywhere.
        fn n() -> impl Strategy<Value = u64> {
            prop_oneof![
                0u64..300,
                (1u32..64).prop_map(|b| (1u64 << b) - 1),
                (1u32..64).prop_map(|b| 1u64 << b),
                any::<u64>(),
            ]
        }

        fn outcome() -> impl Strategy<Value = Outcome> {
            proptest::sample::select(Outcome::ALL.to_vec())
        }

        fn cause() -> impl Strategy<Value = Option<ErrorCause>> {
            proptest::option::of(proptest::sample::select(vec![
                ErrorCause::Application,
                ErrorCause::Overloaded,
                ErrorCause::ConnectionRefused,
                ErrorCause::ConnectionReset,
                ErrorCause::Dependency,
                ErrorCause::PublishRejected,
            ]))
        }

        fn instance() -> impl Strategy<Value = InstanceId> {
            n().prop_map(|v| InstanceId(v as u32))
        }

        fn event() -> impl Strategy<Value = Event> {
            prop_oneof![
                (n(), n(), n()).prop_map(|(request, client, service)| Event::RequestArrived {
                    request,
                    client: client as u32,
                    service: ServiceId(service as u16),
                }),
                (n(), n(), proptest::option::of(instance()), instance(), n()).prop_map(
                    |(call, request, caller, instance, attempt)| Event::CallDispatched {
                        call,
                        request,
                        caller,
                        instance,
                        attempt: attempt as u32,
                    }
                ),
                (
                    n(),
                    n(),
                    proptest::option::of(instance()),
                    outcome(),
                    cause(),
                    n()
                )
                    .prop_map(
                        |(call, service, instance, outcome, cause, latency_us)| Event::CallEnded {
                            call,
                            service: ServiceId(service as u16),
                            instance,
                            outcome,
                            cause,
                            latency_us,
                        }
                    ),
                (n(), outcome(), cause(), n()).prop_map(|(request, outcome, cause, latency_us)| {
                    Event::RequestEnded {
                        request,
                        outcome,
                        cause,
                        latency_us,
                    }
                }),
                instance().prop_map(|instance| Event::Heartbeat { instance }),
            ]
        }

        proptest! {
            /// `Hashed::entry` writes the bytes serde's derived code writes through
            /// `crate::wire` (which `tests/wire.rs` holds to postcard's), entry by entry, and
            /// across the batch's flushes (up to 400 entries of up to 53 bytes: several 4 KiB
            /// batches).
            #[test]
            fn the_request_paths_entries_are_serdes_bytes(
                entries in proptest::collection::vec((n(), event()), 1..400)
            ) {
                let mut fast = Hashed::new();
                let mut serde = Hashed::new();
                for (at, event) in entries {
                    let entry = LogEntry { at: SimTime(at), event };
                    let one = crate::wire::encode(&entry, Vec::new());
                    let mut alone = Hashed::new();
                    alone.entry(&entry);
                    prop_assert_eq!(&alone.batch[..alone.len], &one[..], "{:?}", entry);
                    fast.entry(&entry);
                    crate::wire::write(&entry, &mut serde);
                }
                prop_assert_eq!(fast.digest(), serde.digest());
            }
        }
    }

    #[test]
    fn log_is_bounded_but_counts_everything() {
        let mut log = EventLog::default();
        log.push(SimTime(0), ev(1));
        assert_eq!(log.entries().count(), 0, "none kept unless asked");
        log.retain(usize::MAX);
        for i in 0..(LOG_CAPACITY as u64 + 5) {
            log.push(SimTime(i), ev(1));
        }
        assert_eq!(log.entries().count(), LOG_CAPACITY);
        assert_eq!(log.count("heartbeat"), LOG_CAPACITY as u64 + 6);
        assert_eq!(log.entries().next().unwrap().at, SimTime(5));
    }
}
