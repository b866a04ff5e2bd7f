//! Rate limiting at the gateway; a rejected request ends as a 429.
//!
//! Both algorithms are the seed's (`microservice-patterns.md` §3): a sliding-window log
//! (`RateLimiter`: at most `max_requests` in any `window`, default 100 per 60 s) and a token
//! bucket (`TokenBucket`: `capacity` tokens, refilled at `refill_per_s`).

use crate::common::{count, range, ConfigError, MAX_RATE_RPS, MAX_TIMEOUT_MS};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Which limiter the gateway runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RateLimitConfig {
    /// At most `max_requests` admitted in any window of `window_ms` (a log of admission
    /// times, so memory is at most `max_requests` timestamps).
    SlidingWindow {
        /// Requests admitted per window (seed 100).
        max_requests: u32,
        /// Window length, simulated ms (seed 60 000).
        window_ms: u64,
    },
    /// Each request takes a token; tokens refill continuously up to `capacity`.
    TokenBucket {
        /// Bucket size, tokens (seed 100); also the largest burst.
        capacity: u32,
        /// Tokens added per simulated second (seed 1.0).
        refill_per_s: f64,
    },
}

impl RateLimitConfig {
    /// Checks its limits.
    ///
    /// Errors: a count, window or refill rate out of range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match *self {
            RateLimitConfig::SlidingWindow {
                max_requests,
                window_ms,
            } => {
                count("rate_limit.max_requests", max_requests as u64, 1, 1_000_000)?;
                count("rate_limit.window_ms", window_ms, 1, MAX_TIMEOUT_MS)
            }
            RateLimitConfig::TokenBucket {
                capacity,
                refill_per_s,
            } => {
                count("rate_limit.capacity", capacity as u64, 1, 1_000_000)?;
                range("rate_limit.refill_per_s", refill_per_s, 0.0, MAX_RATE_RPS)
            }
        }
    }
}

/// A running limiter.
#[derive(Clone, Debug)]
pub enum RateLimiter {
    /// See [`RateLimitConfig::SlidingWindow`].
    SlidingWindow {
        /// Limit per window.
        max: u32,
        /// Window, µs.
        window_us: u64,
        /// Admission times in the window, oldest first.
        log: VecDeque<SimTime>,
    },
    /// See [`RateLimitConfig::TokenBucket`].
    TokenBucket {
        /// Bucket size.
        capacity: f64,
        /// Tokens per µs.
        per_us: f64,
        /// Tokens now.
        tokens: f64,
        /// Last refill.
        last: SimTime,
    },
}

impl RateLimiter {
    /// A limiter with a full bucket / empty log at time 0.
    pub fn new(cfg: RateLimitConfig) -> Self {
        match cfg {
            RateLimitConfig::SlidingWindow {
                max_requests,
                window_ms,
            } => RateLimiter::SlidingWindow {
                max: max_requests,
                window_us: window_ms * 1_000,
                log: VecDeque::with_capacity(max_requests.min(4_096) as usize),
            },
            RateLimitConfig::TokenBucket {
                capacity,
                refill_per_s,
            } => RateLimiter::TokenBucket {
                capacity: capacity as f64,
                per_us: refill_per_s / 1e6,
                tokens: capacity as f64,
                last: SimTime::ZERO,
            },
        }
    }

    /// Admits (true) or rejects (false) a request at `now`.
    pub fn admit(&mut self, now: SimTime) -> bool {
        match self {
            RateLimiter::SlidingWindow {
                max,
                window_us,
                log,
            } => {
                // Keep admissions with now − t < window, as the seed does.
                while log.front().is_some_and(|t| now.since(*t) >= *window_us) {
                    log.pop_front();
                }
                if log.len() as u32 >= *max {
                    return false;
                }
                log.push_back(now);
                true
            }
            RateLimiter::TokenBucket {
                capacity,
                per_us,
                tokens,
                last,
            } => {
                *tokens = (*tokens + now.since(*last) as f64 * *per_us).min(*capacity);
                *last = now;
                // Tolerate rounding: 5 × 0.2 tokens is a whole token.
                if *tokens >= 1.0 - 1e-9 {
                    *tokens = (*tokens - 1.0).max(0.0);
                    true
                } else {
                    false
                }
            }
        }
    }

    /// Requests that could be admitted right now (tokens left, or room in the window).
    pub fn headroom(&self, now: SimTime) -> f64 {
        match self {
            RateLimiter::SlidingWindow {
                max,
                window_us,
                log,
            } => {
                let in_window = log.iter().filter(|t| now.since(**t) < *window_us).count();
                (*max as f64 - in_window as f64).max(0.0)
            }
            RateLimiter::TokenBucket {
                capacity,
                per_us,
                tokens,
                last,
            } => (*tokens + now.since(*last) as f64 * *per_us).min(*capacity),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window_admits_max_per_window_and_slides() {
        let mut l = RateLimiter::new(RateLimitConfig::SlidingWindow {
            max_requests: 3,
            window_ms: 1_000,
        });
        let t = |ms| SimTime::from_ms(ms);
        assert!(l.admit(t(0)));
        assert!(l.admit(t(100)));
        assert!(l.admit(t(200)));
        assert!(!l.admit(t(300)), "fourth in the window is rejected");
        assert!(!l.admit(t(999)));
        assert!(l.admit(t(1_000)), "the request at 0 ms left the window");
        assert!(!l.admit(t(1_050)));
        assert!(l.admit(t(1_100)));
        assert_eq!(l.headroom(t(1_100)), 0.0);
    }

    #[test]
    fn token_bucket_allows_bursts_up_to_capacity_then_the_refill_rate() {
        let mut l = RateLimiter::new(RateLimitConfig::TokenBucket {
            capacity: 5,
            refill_per_s: 2.0,
        });
        let admitted = (0..10).filter(|_| l.admit(SimTime::ZERO)).count();
        assert_eq!(admitted, 5, "a burst takes the whole bucket and no more");
        // 10 s at 2 tokens/s refills 20 but the bucket holds 5.
        let admitted = (0..10).filter(|_| l.admit(SimTime::from_secs(10))).count();
        assert_eq!(admitted, 5);
        // Then one request every 100 ms for 10 s: ~2 per second get through.
        let admitted = (1..=100)
            .filter(|i| l.admit(SimTime::from_ms(10_000 + i * 100)))
            .count();
        assert_eq!(admitted, 20);
    }
}
