//! The one source of randomness: a seeded ChaCha8 stream, identical natively and in wasm.
//!
//! Sampling uses `libm` for `ln`/`exp`/`sqrt`/`cos` so results are bit-identical on every target
//! (the platform's own `f64::ln` may differ in the last bit between glibc and wasm).

use crate::common::{range, ConfigError, MAX_LATENCY_MS};
use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

/// Seeded portable random numbers for one simulation run.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: ChaCha8Rng,
}

impl SimRng {
    /// A stream determined entirely by `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            inner: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// Stream `stream` of `seed`: independent of [`SimRng::new`]`(seed)` (stream 0) and of every
    /// other stream of the same seed (ChaCha's 64-bit stream id).
    pub fn with_stream(seed: u64, stream: u64) -> Self {
        let mut inner = ChaCha8Rng::seed_from_u64(seed);
        inner.set_stream(stream);
        Self { inner }
    }

    /// Next raw 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform in `[0, 1)` with 53 bits of precision.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `(0, 1]`, safe to take the logarithm of.
    pub fn uniform_open0(&mut self) -> f64 {
        1.0 - self.uniform()
    }

    /// Uniform integer in `0..n`; returns 0 when `n == 0`. Uses Lemire's widening multiply, so
    /// the bias is below 2^-32 for the small `n` the engine uses.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// True with probability `p` (clamped to `[0, 1]`).
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Exponentially distributed with the given mean (any unit); the gap between Poisson
    /// arrivals.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * libm::log(self.uniform_open0())
    }

    /// Standard normal by Box–Muller.
    pub fn standard_normal(&mut self) -> f64 {
        let u1 = self.uniform_open0();
        let u2 = self.uniform();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
    }
}

/// A service-time distribution, in simulated milliseconds.
///
/// `LogNormal` is the usual shape of request latency: most requests near the median, a long tail.
///
/// JSON: `{"kind": "log_normal", "median_ms": 20, "sigma": 0.5}`; read through
/// [`LatencyDistRepr`] (see `tagged.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "LatencyDistRepr")]
pub enum LatencyDist {
    /// Always `ms`.
    Constant {
        /// Service time, ms.
        ms: f64,
    },
    /// Exponential with mean `mean_ms`.
    Exponential {
        /// Mean service time, ms.
        mean_ms: f64,
    },
    /// Log-normal with median `median_ms` and shape `sigma` (the standard deviation of
    /// `ln(latency)`); p99 ≈ median · e^(2.326·sigma).
    LogNormal {
        /// Median service time, ms.
        median_ms: f64,
        /// Shape, dimensionless; 0.5 gives p99 ≈ 3.2 × median.
        sigma: f64,
    },
}

impl LatencyDist {
    /// The mean service time, ms: the constant, the exponential's mean, or the log-normal's
    /// median × e^(σ²/2).
    pub fn mean_ms(&self) -> f64 {
        match *self {
            LatencyDist::Constant { ms } => ms,
            LatencyDist::Exponential { mean_ms } => mean_ms,
            LatencyDist::LogNormal { median_ms, sigma } => {
                median_ms * libm::exp(sigma * sigma / 2.0)
            }
        }
    }

    /// Checks its limits; `instance` (its id) prefixes the field in an error.
    ///
    /// Errors: a median, mean or constant outside (0, 60 s], or a sigma outside [0, 3].
    pub fn validate(&self, instance: &str) -> Result<(), ConfigError> {
        match *self {
            LatencyDist::Constant { ms } => {
                range(format!("{instance}.latency.ms"), ms, 0.001, MAX_LATENCY_MS)
            }
            LatencyDist::Exponential { mean_ms } => range(
                format!("{instance}.latency.mean_ms"),
                mean_ms,
                0.001,
                MAX_LATENCY_MS,
            ),
            LatencyDist::LogNormal { median_ms, sigma } => {
                range(
                    format!("{instance}.latency.median_ms"),
                    median_ms,
                    0.001,
                    MAX_LATENCY_MS,
                )?;
                range(format!("{instance}.latency.sigma"), sigma, 0.0, 3.0)
            }
        }
    }
}

/// [`LatencyDist`]'s `kind` names.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum LatencyDistTag {
    Constant,
    Exponential,
    LogNormal,
}

/// A [`LatencyDist`] as read from JSON: the tag and every kind's fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LatencyDistRepr {
    kind: LatencyDistTag,
    ms: Option<f64>,
    mean_ms: Option<f64>,
    median_ms: Option<f64>,
    sigma: Option<f64>,
}

impl TryFrom<LatencyDistRepr> for LatencyDist {
    type Error = String;

    fn try_from(mut r: LatencyDistRepr) -> Result<Self, String> {
        use crate::tagged::required;
        let (kind, d) = match r.kind {
            LatencyDistTag::Constant => {
                let k = "constant";
                let ms = required(r.ms.take(), "ms", k)?;
                (k, LatencyDist::Constant { ms })
            }
            LatencyDistTag::Exponential => {
                let k = "exponential";
                let mean_ms = required(r.mean_ms.take(), "mean_ms", k)?;
                (k, LatencyDist::Exponential { mean_ms })
            }
            LatencyDistTag::LogNormal => {
                let k = "log_normal";
                let median_ms = required(r.median_ms.take(), "median_ms", k)?;
                let sigma = required(r.sigma.take(), "sigma", k)?;
                (k, LatencyDist::LogNormal { median_ms, sigma })
            }
        };
        crate::tagged::none_left(
            kind,
            &[
                ("ms", r.ms.is_some()),
                ("mean_ms", r.mean_ms.is_some()),
                ("median_ms", r.median_ms.is_some()),
                ("sigma", r.sigma.is_some()),
            ],
        )?;
        Ok(d)
    }
}

impl LatencyDist {
    /// One sample, in whole microseconds, at least 1 µs and at most 10 simulated minutes.
    pub fn sample_us(&self, rng: &mut SimRng) -> u64 {
        let ms = match *self {
            LatencyDist::Constant { ms } => ms,
            LatencyDist::Exponential { mean_ms } => rng.exponential(mean_ms),
            LatencyDist::LogNormal { median_ms, sigma } => {
                median_ms * libm::exp(sigma * rng.standard_normal())
            }
        };
        let us = ms * 1_000.0;
        if us.is_finite() {
            (us as u64).clamp(1, 600_000_000)
        } else {
            600_000_000
        }
    }

    /// The distribution's median in ms (for explanations and tests).
    pub fn median_ms(&self) -> f64 {
        match *self {
            LatencyDist::Constant { ms } => ms,
            LatencyDist::Exponential { mean_ms } => mean_ms * core::f64::consts::LN_2,
            LatencyDist::LogNormal { median_ms, .. } => median_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_different_seed_different_stream() {
        let a: Vec<u64> = {
            let mut r = SimRng::new(7);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = SimRng::new(7);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = SimRng::new(8);
            (0..8).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn exponential_mean_is_close() {
        let mut r = SimRng::new(1);
        let n = 200_000;
        let mean = (0..n).map(|_| r.exponential(20.0)).sum::<f64>() / n as f64;
        assert!((mean - 20.0).abs() < 0.3, "mean {mean}");
    }

    #[test]
    fn lognormal_median_is_close() {
        let mut r = SimRng::new(2);
        let d = LatencyDist::LogNormal {
            median_ms: 25.0,
            sigma: 0.5,
        };
        let mut v: Vec<u64> = (0..100_001).map(|_| d.sample_us(&mut r)).collect();
        v.sort_unstable();
        let median_ms = v[50_000] as f64 / 1_000.0;
        assert!((median_ms - 25.0).abs() < 0.5, "median {median_ms}");
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = SimRng::new(3);
        let mut seen = [0u32; 5];
        for _ in 0..10_000 {
            seen[r.below(5) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 1_800), "{seen:?}");
        assert_eq!(r.below(0), 0);
    }
}
