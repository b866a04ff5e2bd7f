//! Retries: exponential back-off with full jitter, and a retry budget.
//!
//! Back-off follows Envoy's router: before retry `n` (1-based) wait a uniformly random time in
//! `[0, (2^n − 1) · base]`, capped at `max_backoff_ms` ("fully jittered exponential back-off";
//! Envoy's defaults are 25 ms base, 250 ms cap). The budget follows Finagle's `RetryBudget`:
//! over a rolling 10 s window, retries may be at most `min_per_s · 10 + budget_pct % of first
//! attempts`, so retries cannot multiply load without bound when an upstream fails.

use crate::common::{count, range, ConfigError, MAX_RETRIES, MAX_TIMEOUT_MS};
use crate::rng::SimRng;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// Seconds in the budget's rolling window (Finagle's `ttl`).
pub const BUDGET_WINDOW_S: usize = 10;

/// How callers retry calls to a service.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetryConfig {
    /// Retries after the first attempt (0: no retries).
    pub max_retries: u32,
    /// Back-off base, simulated ms (Envoy 25).
    pub base_backoff_ms: u64,
    /// Longest back-off, simulated ms (Envoy 250).
    pub max_backoff_ms: u64,
    /// Retries allowed as a percentage of first attempts in the window (Finagle 20).
    pub budget_pct: f64,
    /// Retries per second always allowed, whatever the percentage (Finagle 10).
    pub min_retries_per_s: u32,
}

impl RetryConfig {
    /// Checks its limits; `service` prefixes the field in an error.
    ///
    /// Errors: a count, back-off or budget out of range.
    pub fn validate(&self, service: &str) -> Result<(), ConfigError> {
        count(
            "retry.max_retries",
            self.max_retries as u64,
            0,
            MAX_RETRIES as u64,
        )?;
        count(
            "retry.base_backoff_ms",
            self.base_backoff_ms,
            0,
            MAX_TIMEOUT_MS,
        )?;
        count(
            "retry.max_backoff_ms",
            self.max_backoff_ms,
            0,
            MAX_TIMEOUT_MS,
        )?;
        range(
            format!("{service}.retry.budget_pct"),
            self.budget_pct,
            0.0,
            100.0,
        )?;
        count(
            "retry.min_retries_per_s",
            self.min_retries_per_s as u64,
            0,
            100_000,
        )
    }
}

impl Default for RetryConfig {
    /// No retries; Envoy's back-off and Finagle's budget numbers for when they are turned on.
    fn default() -> Self {
        Self {
            max_retries: 0,
            base_backoff_ms: 25,
            max_backoff_ms: 250,
            budget_pct: 20.0,
            min_retries_per_s: 10,
        }
    }
}

impl RetryConfig {
    /// The wait before retry number `retry` (1 for the first retry), µs, drawn from `rng`.
    pub fn backoff_us(&self, retry: u32, rng: &mut SimRng) -> u64 {
        let exp = retry.min(20);
        let ceiling_ms = ((1u64 << exp) - 1)
            .saturating_mul(self.base_backoff_ms)
            .min(self.max_backoff_ms);
        let ceiling_us = ceiling_ms * 1_000;
        if ceiling_us == 0 {
            0
        } else {
            rng.below(ceiling_us + 1)
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Second {
    index: u64,
    first_attempts: u32,
    retries: u32,
}

/// A rolling retry budget for one caller → service pair.
#[derive(Clone, Debug, Default)]
pub struct RetryBudget {
    seconds: [Second; BUDGET_WINDOW_S],
}

impl RetryBudget {
    fn slot(&mut self, now: SimTime) -> &mut Second {
        let idx = now.as_us() / 1_000_000;
        let s = &mut self.seconds[(idx % BUDGET_WINDOW_S as u64) as usize];
        if s.index != idx {
            *s = Second {
                index: idx,
                ..Second::default()
            };
        }
        s
    }

    fn totals(&self, now: SimTime) -> (u64, u64) {
        let idx = now.as_us() / 1_000_000;
        self.seconds
            .iter()
            .filter(|s| s.index <= idx && s.index + BUDGET_WINDOW_S as u64 > idx)
            .fold((0, 0), |(a, r), s| {
                (a + s.first_attempts as u64, r + s.retries as u64)
            })
    }

    /// Counts a first attempt (a deposit).
    pub fn on_first_attempt(&mut self, now: SimTime) {
        let s = self.slot(now);
        s.first_attempts = s.first_attempts.saturating_add(1);
    }

    /// Withdraws one retry if the budget allows it at `now`.
    pub fn try_retry(&mut self, now: SimTime, cfg: &RetryConfig) -> bool {
        let (first, retries) = self.totals(now);
        let allowed = cfg.min_retries_per_s as f64 * BUDGET_WINDOW_S as f64
            + cfg.budget_pct / 100.0 * first as f64;
        if (retries as f64) < allowed {
            let s = self.slot(now);
            s.retries = s.retries.saturating_add(1);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_within_the_exponential_ceiling() {
        let cfg = RetryConfig {
            max_retries: 5,
            ..RetryConfig::default()
        };
        let mut rng = SimRng::new(1);
        for retry in 1..=5u32 {
            let ceiling = (((1u64 << retry) - 1) * 25).min(250) * 1_000;
            let draws: Vec<u64> = (0..500).map(|_| cfg.backoff_us(retry, &mut rng)).collect();
            assert!(draws.iter().all(|d| *d <= ceiling));
            let max = *draws.iter().max().unwrap();
            assert!(
                max > ceiling * 9 / 10,
                "jitter covers the range: {max} vs {ceiling}"
            );
            let distinct: std::collections::BTreeSet<_> = draws.iter().collect();
            assert!(distinct.len() > 100, "jittered, not fixed");
        }
    }

    #[test]
    fn budget_caps_retries_at_min_plus_percentage() {
        let cfg = RetryConfig {
            max_retries: 3,
            min_retries_per_s: 1,
            budget_pct: 20.0,
            ..RetryConfig::default()
        };
        let mut b = RetryBudget::default();
        let now = SimTime::from_secs(100);
        for _ in 0..100 {
            b.on_first_attempt(now);
        }
        // 1/s · 10 s + 20 % of 100 = 30 retries.
        let granted = (0..100).filter(|_| b.try_retry(now, &cfg)).count();
        assert_eq!(granted, 30);
        // 10 s later the window is empty again: only the minimum is left.
        let later = SimTime::from_secs(110);
        let granted = (0..100).filter(|_| b.try_retry(later, &cfg)).count();
        assert_eq!(granted, 10);
    }
}
