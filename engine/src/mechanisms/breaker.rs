//! Circuit breakers, one per (caller, upstream instance).
//!
//! Two trip policies, one state machine:
//! - [`TripPolicy::Consecutive`]: the seeds' breaker (`service-discovery-and-breaker.md` §5,
//!   `microservice-patterns.md`): open after N consecutive failures; a success while closed
//!   resets the count.
//! - [`TripPolicy::FailureRate`]: Hystrix's rolling window: open when, over the last
//!   `window_ms` (10 buckets), at least `min_requests` calls ended and at least `error_pct` %
//!   of them failed (Hystrix defaults 20 requests, 50 %, 10 s).
//!
//! Open → half-open once `reset_timeout_ms` has passed since it opened (the seeds' `timeout`,
//! Hystrix's `sleepWindowInMilliseconds`). Half-open lets at most `success_threshold` trial
//! calls through at once (resilience4j's `permittedNumberOfCallsInHalfOpenState`); `success_threshold`
//! successes close it, any failure opens it again. An open breaker fails fast: the caller gets a
//! 503 without calling the upstream. Results of calls that started before the breaker opened
//! are ignored while it is open.
//!
//! In the simulation the caller's balancer skips upstreams whose breaker would refuse the call
//! (as Finagle's failure accrual takes a host out of its balancer); only when every candidate's
//! breaker refuses does the call fail fast, which is Hystrix's per-dependency behaviour.

use crate::common::{count, range, ConfigError, MAX_TIMEOUT_MS};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// Buckets of the rolling failure-rate window (Hystrix: `metrics.rollingStats.numBuckets`).
pub const WINDOW_BUCKETS: usize = 10;

/// When a closed breaker opens.
///
/// JSON: `{"kind": "consecutive", "failures": 5}`; read through [`TripPolicyRepr`] (see
/// `tagged.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", try_from = "TripPolicyRepr")]
pub enum TripPolicy {
    /// After `failures` consecutive failed calls (seed default 5).
    Consecutive {
        /// Consecutive failures that open the breaker.
        failures: u32,
    },
    /// After the failure rate over a rolling window reaches `error_pct` with at least
    /// `min_requests` calls in the window (Hystrix: 20 requests, 50 %, 10 000 ms).
    FailureRate {
        /// Window length, simulated ms (split into [`WINDOW_BUCKETS`] buckets).
        window_ms: u64,
        /// Fewest calls in the window before the rate is considered.
        min_requests: u32,
        /// Failure percentage that opens the breaker, `(0, 100]`.
        error_pct: f64,
    },
}

/// [`TripPolicy`]'s `kind` names.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TripPolicyTag {
    Consecutive,
    FailureRate,
}

/// A [`TripPolicy`] as read from JSON: the tag and every kind's fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TripPolicyRepr {
    kind: TripPolicyTag,
    failures: Option<u32>,
    window_ms: Option<u64>,
    min_requests: Option<u32>,
    error_pct: Option<f64>,
}

impl TryFrom<TripPolicyRepr> for TripPolicy {
    type Error = String;

    fn try_from(mut r: TripPolicyRepr) -> Result<Self, String> {
        use crate::tagged::required;
        let (kind, p) = match r.kind {
            TripPolicyTag::Consecutive => {
                let k = "consecutive";
                let failures = required(r.failures.take(), "failures", k)?;
                (k, TripPolicy::Consecutive { failures })
            }
            TripPolicyTag::FailureRate => {
                let k = "failure_rate";
                let window_ms = required(r.window_ms.take(), "window_ms", k)?;
                let min_requests = required(r.min_requests.take(), "min_requests", k)?;
                let error_pct = required(r.error_pct.take(), "error_pct", k)?;
                (
                    k,
                    TripPolicy::FailureRate {
                        window_ms,
                        min_requests,
                        error_pct,
                    },
                )
            }
        };
        crate::tagged::none_left(
            kind,
            &[
                ("failures", r.failures.is_some()),
                ("window_ms", r.window_ms.is_some()),
                ("min_requests", r.min_requests.is_some()),
                ("error_pct", r.error_pct.is_some()),
            ],
        )?;
        Ok(p)
    }
}

/// A breaker's settings (callers use them for every instance of the upstream service).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BreakerConfig {
    /// When it opens.
    pub trip: TripPolicy,
    /// Open → half-open after this long, simulated ms (seed 60 000; seed example 5 000;
    /// Hystrix 5 000).
    pub reset_timeout_ms: u64,
    /// Successful trial calls that close a half-open breaker (seed 3; Hystrix 1).
    pub success_threshold: u32,
}

impl BreakerConfig {
    /// Checks its limits; `service` prefixes the field in an error.
    ///
    /// Errors: a threshold, window or timeout out of range.
    pub fn validate(&self, service: &str) -> Result<(), ConfigError> {
        match self.trip {
            TripPolicy::Consecutive { failures } => {
                count("breaker.failures", failures as u64, 1, 10_000)?
            }
            TripPolicy::FailureRate {
                window_ms,
                min_requests,
                error_pct,
            } => {
                count("breaker.window_ms", window_ms, 100, MAX_TIMEOUT_MS)?;
                count("breaker.min_requests", min_requests as u64, 1, 1_000_000)?;
                range(
                    format!("{service}.breaker.error_pct"),
                    error_pct,
                    0.1,
                    100.0,
                )?;
            }
        }
        count(
            "breaker.reset_timeout_ms",
            self.reset_timeout_ms,
            1,
            MAX_TIMEOUT_MS,
        )?;
        count(
            "breaker.success_threshold",
            self.success_threshold as u64,
            1,
            1_000,
        )
    }
}

impl BreakerConfig {
    /// The seeds' defaults: 5 consecutive failures, 60 s reset timeout, 3 successes.
    pub fn seed_default() -> Self {
        Self {
            trip: TripPolicy::Consecutive { failures: 5 },
            reset_timeout_ms: 60_000,
            success_threshold: 3,
        }
    }

    /// The seed's example (`service-discovery-and-breaker.md`): threshold 3, timeout 5 s,
    /// success threshold 3.
    pub fn seed_example() -> Self {
        Self {
            trip: TripPolicy::Consecutive { failures: 3 },
            reset_timeout_ms: 5_000,
            success_threshold: 3,
        }
    }

    /// Hystrix's defaults: 20 requests, 50 % errors over 10 s; 5 s sleep window; one trial call.
    pub fn hystrix() -> Self {
        Self {
            trip: TripPolicy::FailureRate {
                window_ms: 10_000,
                min_requests: 20,
                error_pct: 50.0,
            },
            reset_timeout_ms: 5_000,
            success_threshold: 1,
        }
    }
}

/// Where a breaker is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Calls go through; failures are counted.
    Closed,
    /// Calls fail fast until the reset timeout has passed.
    Open,
    /// A few trial calls go through; their results decide.
    HalfOpen,
}
crate::codec::wire_enum!(BreakerState {
    Closed,
    Open,
    HalfOpen
});

impl BreakerState {
    /// `closed`, `open` or `half-open`.
    pub fn label(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half-open",
        }
    }
}

/// A state change, for the event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// State before.
    pub from: BreakerState,
    /// State after.
    pub to: BreakerState,
}

#[derive(Clone, Copy, Debug, Default)]
struct Bucket {
    index: u64,
    calls: u32,
    failures: u32,
}

/// One circuit breaker. See the module docs for the state machine.
#[derive(Clone, Debug)]
pub struct CircuitBreaker {
    cfg: BreakerConfig,
    state: BreakerState,
    consecutive_failures: u32,
    half_open_successes: u32,
    half_open_in_flight: u32,
    opened_at: SimTime,
    buckets: [Bucket; WINDOW_BUCKETS],
    /// Times it opened, since the start.
    pub opened: u32,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(cfg: BreakerConfig) -> Self {
        Self {
            cfg,
            state: BreakerState::Closed,
            consecutive_failures: 0,
            half_open_successes: 0,
            half_open_in_flight: 0,
            opened_at: SimTime::ZERO,
            buckets: [Bucket::default(); WINDOW_BUCKETS],
            opened: 0,
        }
    }

    /// The state now (without the time-driven open → half-open move; see [`Self::try_acquire`]).
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// When it last opened.
    pub fn opened_at(&self) -> SimTime {
        self.opened_at
    }

    /// When an open breaker will let a trial call through, if open.
    pub fn half_open_at(&self) -> Option<SimTime> {
        (self.state == BreakerState::Open)
            .then(|| self.opened_at.plus_us(self.cfg.reset_timeout_ms * 1_000))
    }

    /// True if [`Self::try_acquire`] at `now` would let a call through (no state change): a
    /// balancer uses it to route around upstreams whose breaker is open.
    pub fn would_allow(&self, now: SimTime) -> bool {
        match self.state {
            BreakerState::Closed => true,
            BreakerState::Open => now.since(self.opened_at) >= self.cfg.reset_timeout_ms * 1_000,
            BreakerState::HalfOpen => self.half_open_in_flight < self.cfg.success_threshold.max(1),
        }
    }

    /// Asks to make a call at `now`. `Ok(transition)` lets it through (the transition is
    /// `Some` when the breaker just went open → half-open); `Err(())` means fail fast.
    #[allow(clippy::result_unit_err)]
    pub fn try_acquire(&mut self, now: SimTime) -> Result<Option<Transition>, ()> {
        let mut moved = None;
        if self.state == BreakerState::Open {
            if now.since(self.opened_at) >= self.cfg.reset_timeout_ms * 1_000 {
                moved = Some(self.set(BreakerState::HalfOpen, now));
            } else {
                return Err(());
            }
        }
        if self.state == BreakerState::HalfOpen {
            if self.half_open_in_flight >= self.cfg.success_threshold.max(1) {
                return Err(());
            }
            self.half_open_in_flight += 1;
        }
        Ok(moved)
    }

    /// Records the result (`ok` or failed) of a call [`Self::try_acquire`] let through;
    /// `started_half_open` says whether it was admitted as a half-open trial call. Returns the
    /// transition, if the result caused one.
    pub fn on_result(
        &mut self,
        now: SimTime,
        ok: bool,
        started_half_open: bool,
    ) -> Option<Transition> {
        if started_half_open && self.state == BreakerState::HalfOpen {
            self.half_open_in_flight = self.half_open_in_flight.saturating_sub(1);
        }
        match self.state {
            BreakerState::Open => None,
            BreakerState::HalfOpen => {
                if !started_half_open {
                    return None; // a call from before it opened
                }
                if ok {
                    self.half_open_successes += 1;
                    if self.half_open_successes >= self.cfg.success_threshold {
                        return Some(self.set(BreakerState::Closed, now));
                    }
                    None
                } else {
                    Some(self.set(BreakerState::Open, now))
                }
            }
            BreakerState::Closed => {
                self.count(now, ok);
                if ok {
                    self.consecutive_failures = 0;
                    return None;
                }
                self.consecutive_failures += 1;
                let trip = match self.cfg.trip {
                    TripPolicy::Consecutive { failures } => {
                        self.consecutive_failures >= failures.max(1)
                    }
                    TripPolicy::FailureRate {
                        min_requests,
                        error_pct,
                        window_ms,
                    } => {
                        let (calls, failures) = self.window(now, window_ms);
                        calls >= min_requests as u64
                            && failures as f64 * 100.0 >= error_pct * calls as f64
                    }
                };
                trip.then(|| self.set(BreakerState::Open, now))
            }
        }
    }

    fn bucket_index(&self, now: SimTime) -> u64 {
        match self.cfg.trip {
            TripPolicy::FailureRate { window_ms, .. } => {
                let len_us = (window_ms * 1_000 / WINDOW_BUCKETS as u64).max(1);
                now.as_us() / len_us
            }
            TripPolicy::Consecutive { .. } => 0,
        }
    }

    fn count(&mut self, now: SimTime, ok: bool) {
        if !matches!(self.cfg.trip, TripPolicy::FailureRate { .. }) {
            return;
        }
        let idx = self.bucket_index(now);
        let b = &mut self.buckets[(idx % WINDOW_BUCKETS as u64) as usize];
        if b.index != idx {
            *b = Bucket {
                index: idx,
                calls: 0,
                failures: 0,
            };
        }
        b.calls += 1;
        if !ok {
            b.failures += 1;
        }
    }

    /// (calls, failures) in the rolling window ending at `now`.
    fn window(&self, now: SimTime, _window_ms: u64) -> (u64, u64) {
        let idx = self.bucket_index(now);
        self.buckets
            .iter()
            .filter(|b| b.index + (WINDOW_BUCKETS as u64) > idx && b.index <= idx)
            .fold((0, 0), |(c, f), b| {
                (c + b.calls as u64, f + b.failures as u64)
            })
    }

    fn set(&mut self, to: BreakerState, now: SimTime) -> Transition {
        let from = self.state;
        self.state = to;
        match to {
            BreakerState::Open => {
                self.opened_at = now;
                self.opened += 1;
                self.half_open_in_flight = 0;
            }
            BreakerState::HalfOpen => {
                self.half_open_successes = 0;
                self.half_open_in_flight = 0;
            }
            BreakerState::Closed => {
                self.consecutive_failures = 0;
                self.buckets = [Bucket::default(); WINDOW_BUCKETS];
            }
        }
        Transition { from, to }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;
    use BreakerState::*;

    fn at_ms(ms: u64) -> SimTime {
        SimTime::from_ms(ms)
    }

    /// One call at `t`: acquire, then report `ok`. Returns whether it went through.
    fn call(b: &mut CircuitBreaker, t: SimTime, ok: bool) -> bool {
        match b.try_acquire(t) {
            Ok(_) => {
                let half = b.state() == HalfOpen;
                b.on_result(t, ok, half);
                true
            }
            Err(()) => false,
        }
    }

    #[test]
    fn seed_example_every_transition() {
        // threshold 3, timeout 5 s, success threshold 3
        let mut b = CircuitBreaker::new(BreakerConfig::seed_example());
        // Closed: a success resets the consecutive count.
        assert!(call(&mut b, at_ms(0), false));
        assert!(call(&mut b, at_ms(500), false));
        assert!(call(&mut b, at_ms(1_000), true));
        assert_eq!(b.state(), Closed);
        assert!(call(&mut b, at_ms(1_500), false));
        assert!(call(&mut b, at_ms(2_000), false));
        assert_eq!(b.state(), Closed);
        // Closed → open on the third consecutive failure.
        assert!(call(&mut b, at_ms(2_500), false));
        assert_eq!(b.state(), Open);
        // Open fails fast until 5 s have passed.
        assert!(!call(&mut b, at_ms(3_000), true));
        assert!(!call(&mut b, at_ms(7_499), true));
        assert_eq!(b.half_open_at(), Some(at_ms(7_500)));
        // Open → half-open at the reset timeout; half-open → open on a failure.
        assert!(call(&mut b, at_ms(7_500), false));
        assert_eq!(b.state(), Open);
        assert_eq!(b.opened_at(), at_ms(7_500));
        // Half-open → closed after 3 successes.
        assert!(call(&mut b, at_ms(12_500), true));
        assert_eq!(b.state(), HalfOpen);
        assert!(call(&mut b, at_ms(13_000), true));
        assert_eq!(b.state(), HalfOpen);
        assert!(call(&mut b, at_ms(13_500), true));
        assert_eq!(b.state(), Closed);
        assert_eq!(b.opened, 2);
    }

    #[test]
    fn half_open_admits_at_most_success_threshold_trials_at_once() {
        let mut b = CircuitBreaker::new(BreakerConfig::seed_example());
        for t in 0..3 {
            call(&mut b, at_ms(t), false);
        }
        let t = at_ms(10_000);
        let first = b.try_acquire(t);
        assert_eq!(
            first,
            Ok(Some(Transition {
                from: Open,
                to: HalfOpen
            }))
        );
        assert_eq!(b.try_acquire(t), Ok(None));
        assert_eq!(b.try_acquire(t), Ok(None));
        assert_eq!(
            b.try_acquire(t),
            Err(()),
            "a fourth concurrent trial fails fast"
        );
        // A result from before it opened does not count.
        assert_eq!(b.on_result(t, true, false), None);
        assert_eq!(b.state(), HalfOpen);
    }

    #[test]
    fn seed_example_with_a_70_percent_failing_upstream_cycles_through_all_states() {
        // The seed's loop: a call every 0.5 s to a service failing 70 % of the time.
        let mut b = CircuitBreaker::new(BreakerConfig::seed_example());
        let mut rng = SimRng::new(7);
        let mut seen = vec![b.state()];
        let mut fast_failures = 0;
        for i in 0..200u64 {
            let t = at_ms(i * 500);
            let fails = rng.chance(0.7);
            if !call(&mut b, t, !fails) {
                fast_failures += 1;
            }
            if seen.last() != Some(&b.state()) {
                seen.push(b.state());
            }
        }
        assert!(seen.windows(2).any(|w| w == [Closed, Open]));
        assert!(seen.windows(2).any(|w| w == [HalfOpen, Open]));
        // 9 of every ~10 calls while open fail fast: far more than half of all calls.
        assert!(fast_failures > 100, "{fast_failures}");
    }

    #[test]
    fn failure_rate_needs_the_minimum_volume() {
        let mut b = CircuitBreaker::new(BreakerConfig::hystrix());
        // 19 failures in 1.9 s: 100 % failing but under 20 requests.
        for i in 0..19 {
            call(&mut b, at_ms(i * 100), false);
        }
        assert_eq!(b.state(), Closed);
        call(&mut b, at_ms(1_900), false);
        assert_eq!(b.state(), Open);
    }

    #[test]
    fn failure_rate_below_threshold_stays_closed_and_old_buckets_expire() {
        let mut b = CircuitBreaker::new(BreakerConfig::hystrix());
        // 40 % failing: never opens.
        for i in 0..100 {
            call(&mut b, at_ms(i * 100), i % 5 >= 2);
        }
        assert_eq!(b.state(), Closed);
        // 15 failures, then 11 s of nothing, then 10 more: the first 15 are out of the window.
        let mut b = CircuitBreaker::new(BreakerConfig::hystrix());
        for i in 0..15 {
            call(&mut b, at_ms(i), false);
        }
        for i in 0..10 {
            call(&mut b, at_ms(11_000 + i), false);
        }
        assert_eq!(b.state(), Closed);
    }
}
