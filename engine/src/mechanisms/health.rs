//! Health: active health checks and passive outlier ejection.
//!
//! Active checks are the seed's `HealthChecker` (`ha-architecture.md` §3.1: interval 5 s,
//! timeout 1 s, failure threshold 3) with a healthy threshold as Envoy has
//! (`healthy_threshold`): an unhealthy instance needs that many consecutive passing checks to
//! be healthy again. Passive outlier ejection is Envoy's `outlier_detection`
//! (`consecutive_5xx`, `base_ejection_time` multiplied by the number of times the host was
//! ejected, `max_ejection_time`, `max_ejection_percent`).

use crate::common::{count, range, ConfigError, MAX_SCHEDULE_MS, MAX_TIMEOUT_MS};
use serde::{Deserialize, Serialize};

/// Active health-check settings for a service.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HealthCheckConfig {
    /// Time between checks of one instance, simulated ms (seed 5 000).
    pub interval_ms: u64,
    /// A check not answered within this fails, simulated ms (seed 1 000).
    pub timeout_ms: u64,
    /// Consecutive failed checks that mark an instance unhealthy (seed 3).
    pub unhealthy_threshold: u32,
    /// Consecutive passed checks that mark an unhealthy instance healthy again (Envoy's
    /// `healthy_threshold`; 2 here).
    pub healthy_threshold: u32,
}

impl HealthCheckConfig {
    /// Checks its limits; `service` prefixes the field in an error.
    ///
    /// Errors: an interval, timeout or threshold out of range, or a timeout not shorter than
    /// the interval.
    pub fn validate(&self, service: &str) -> Result<(), ConfigError> {
        count(
            "health_check.interval_ms",
            self.interval_ms,
            100,
            MAX_TIMEOUT_MS,
        )?;
        count(
            "health_check.timeout_ms",
            self.timeout_ms,
            1,
            MAX_TIMEOUT_MS,
        )?;
        if self.timeout_ms >= self.interval_ms {
            return Err(ConfigError::Invalid(
                format!("{service}.health_check.timeout_ms"),
                "must be shorter than the interval",
            ));
        }
        count(
            "health_check.unhealthy_threshold",
            self.unhealthy_threshold as u64,
            1,
            100,
        )?;
        count(
            "health_check.healthy_threshold",
            self.healthy_threshold as u64,
            1,
            100,
        )
    }
}

impl Default for HealthCheckConfig {
    /// The seed's 5 s / 1 s / 3, healthy again after 2.
    fn default() -> Self {
        Self {
            interval_ms: 5_000,
            timeout_ms: 1_000,
            unhealthy_threshold: 3,
            healthy_threshold: 2,
        }
    }
}

/// What a check result changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthChange {
    /// Crossed the unhealthy threshold.
    BecameUnhealthy,
    /// Crossed the healthy threshold.
    BecameHealthy,
}

/// The checker's state for one instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthState {
    /// What the checker believes now.
    pub healthy: bool,
    /// Consecutive failed checks.
    pub failures: u32,
    /// Consecutive passed checks.
    pub successes: u32,
}

impl Default for HealthState {
    /// New instances start healthy (Envoy without `ignore_new_hosts_until_first_hc`).
    fn default() -> Self {
        Self {
            healthy: true,
            failures: 0,
            successes: 0,
        }
    }
}

impl HealthState {
    /// Records one check result.
    pub fn on_check(&mut self, passed: bool, cfg: &HealthCheckConfig) -> Option<HealthChange> {
        if passed {
            self.failures = 0;
            self.successes = self.successes.saturating_add(1);
            if !self.healthy && self.successes >= cfg.healthy_threshold.max(1) {
                self.healthy = true;
                return Some(HealthChange::BecameHealthy);
            }
        } else {
            self.successes = 0;
            self.failures = self.failures.saturating_add(1);
            if self.healthy && self.failures >= cfg.unhealthy_threshold.max(1) {
                self.healthy = false;
                return Some(HealthChange::BecameUnhealthy);
            }
        }
        None
    }
}

/// Passive outlier-ejection settings for a service (Envoy `outlier_detection`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutlierConfig {
    /// Consecutive 5xx responses (errors and timeouts) that eject an instance (Envoy 5).
    pub consecutive_5xx: u32,
    /// First ejection length; the n-th ejection lasts n times this, simulated ms (Envoy
    /// 30 000).
    pub base_ejection_ms: u64,
    /// Longest ejection, simulated ms (Envoy 300 000).
    pub max_ejection_ms: u64,
    /// Most instances of the service ejected at once, percent; at least one may always be
    /// ejected (Envoy 10; 50 here, for small clusters).
    pub max_ejection_pct: f64,
}

impl OutlierConfig {
    /// Checks its limits; `service` prefixes the field in an error.
    ///
    /// Errors: a threshold, ejection time or share out of range.
    pub fn validate(&self, service: &str) -> Result<(), ConfigError> {
        count(
            "outlier.consecutive_5xx",
            self.consecutive_5xx as u64,
            1,
            1_000,
        )?;
        count(
            "outlier.base_ejection_ms",
            self.base_ejection_ms,
            1,
            MAX_TIMEOUT_MS,
        )?;
        count(
            "outlier.max_ejection_ms",
            self.max_ejection_ms,
            self.base_ejection_ms,
            MAX_SCHEDULE_MS,
        )?;
        range(
            format!("{service}.outlier.max_ejection_pct"),
            self.max_ejection_pct,
            0.0,
            100.0,
        )
    }
}

impl Default for OutlierConfig {
    fn default() -> Self {
        Self {
            consecutive_5xx: 5,
            base_ejection_ms: 30_000,
            max_ejection_ms: 300_000,
            max_ejection_pct: 50.0,
        }
    }
}

impl OutlierConfig {
    /// How long the `nth` ejection (1-based) lasts, µs.
    pub fn ejection_us(&self, nth: u32) -> u64 {
        (self.base_ejection_ms.saturating_mul(nth.max(1) as u64)).min(self.max_ejection_ms) * 1_000
    }

    /// Most instances of `n` that may be ejected at once.
    pub fn max_ejected(&self, n: usize) -> usize {
        ((n as f64 * self.max_ejection_pct / 100.0).floor() as usize).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unhealthy_after_three_failures_healthy_after_two_passes() {
        let cfg = HealthCheckConfig::default();
        let mut h = HealthState::default();
        assert_eq!(h.on_check(false, &cfg), None);
        assert_eq!(h.on_check(false, &cfg), None);
        assert_eq!(
            h.on_check(true, &cfg),
            None,
            "a pass resets the failure count"
        );
        assert_eq!(h.on_check(false, &cfg), None);
        assert_eq!(h.on_check(false, &cfg), None);
        assert_eq!(h.on_check(false, &cfg), Some(HealthChange::BecameUnhealthy));
        assert_eq!(h.on_check(false, &cfg), None);
        assert_eq!(h.on_check(true, &cfg), None);
        assert_eq!(h.on_check(true, &cfg), Some(HealthChange::BecameHealthy));
        assert!(h.healthy);
    }

    #[test]
    fn ejection_time_grows_and_is_capped() {
        let cfg = OutlierConfig::default();
        assert_eq!(cfg.ejection_us(1), 30_000_000);
        assert_eq!(cfg.ejection_us(3), 90_000_000);
        assert_eq!(cfg.ejection_us(50), 300_000_000);
        assert_eq!(cfg.max_ejected(2), 1);
        assert_eq!(cfg.max_ejected(10), 5);
        assert_eq!(cfg.max_ejected(1), 1);
    }
}
