//! Per-instance metrics over a sliding window: request rate, errors, in-flight and latency
//! percentiles, plus a short per-second series for charts. All in bounded memory.
//!
//! Counts are kept in one bucket per simulated second (the seed `ha-architecture.md`'s
//! `MetricsCollector` keeps a 60 s window). Latency quantiles come from HdrHistograms rotated in
//! age buckets, the way Prometheus client summaries (`AgeBuckets`, `MaxAge`) keep a sliding
//! quantile window: `LATENCY_AGE_BUCKETS` histograms each cover `window / LATENCY_AGE_BUCKETS`,
//! so the window slides in steps of 10 s with the 60 s default.

use crate::time::SimTime;
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::rc::Rc;

/// Points kept in a per-instance series (one per simulated second): two minutes.
pub const SERIES_CAPACITY: usize = 120;
/// Number of histograms the latency window is split into.
pub const LATENCY_AGE_BUCKETS: usize = 6;
/// Largest latency recorded exactly, µs (10 simulated minutes); larger values saturate.
const MAX_LATENCY_US: u64 = 600_000_000;

/// One per-second sample for the load charts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// End of the second this point covers, simulated ms.
    pub t_ms: u64,
    /// Requests that ended at this instance in that second (req/s).
    pub rps: u32,
    /// Of those, errors and timeouts.
    pub errors: u32,
    /// Requests in service or queued at the instance at the sample time.
    pub in_flight: u32,
    /// p95 latency over the sliding window at the sample time, ms.
    pub p95_ms: f64,
    /// p50 latency over the sliding window at the sample time, ms.
    pub p50_ms: f64,
    /// p99 latency over the sliding window at the sample time, ms.
    pub p99_ms: f64,
    /// Responses in the sliding window at the sample time (0: the percentiles mean nothing).
    pub samples: u64,
    /// Of `in_flight`, requests waiting in the queue.
    pub queued: u32,
    /// Busy slots / slots at the sample time, `[0, 1]`.
    pub cpu: f64,
    /// Memory used / limit at the sample time, `[0, 1]`.
    pub memory: f64,
}
crate::codec::wire_struct!(SeriesPoint {
    t_ms,
    rps,
    errors,
    in_flight,
    p95_ms,
    p50_ms,
    p99_ms,
    samples,
    queued,
    cpu,
    memory
});

/// Point-in-time gauges passed to [`WindowMetrics::sample`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Gauges {
    /// Requests in service or queued.
    pub in_flight: u32,
    /// Requests queued.
    pub queued: u32,
    /// Busy slots / slots, `[0, 1]`.
    pub cpu: f64,
    /// Memory used / limit, `[0, 1]`.
    pub memory: f64,
}

/// Latency percentiles over the window, ms. All zero when `samples` is 0 (no response in the
/// window): show that as "no data", not as 0 ms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Responses the percentiles are computed from.
    pub samples: u64,
    /// Median, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct SecondBucket {
    completed: u32,
    errors: u32,
}

/// Sliding-window metrics for one instance.
#[derive(Clone, Debug)]
pub struct WindowMetrics {
    window_s: u32,
    /// Index of the second the newest bucket covers.
    current_second: u64,
    seconds: VecDeque<SecondBucket>,
    /// The newest age bucket, the one latencies are recorded in.
    current: Histogram<u32>,
    /// The older age buckets by age (`age % LATENCY_AGE_BUCKETS`; the newest's slot is `None`,
    /// as is a slot no latency has reached yet). They are never written again, only
    /// subtracted from the window when they expire, so they are shared with the run's clones
    /// (checkpoints): a clone copies two histograms (`current` and `window_latency`) of the
    /// seven, about 26 KB of each metrics' 90 KB, and the record path has no reference count
    /// to look at.
    older: Vec<Option<Rc<Histogram<u32>>>>,
    /// The sum of the age buckets: the whole window, kept current as latencies are recorded
    /// and age buckets expire (subtracted), so that the percentiles each simulated second scan
    /// one histogram instead of merging six (with 30 instances that merge was most of the
    /// frame that crossed a simulated second).
    window_latency: Histogram<u32>,
    /// Index (in age-bucket units) of the newest latency histogram.
    current_age: u64,
    series: VecDeque<SeriesPoint>,
    /// Percentiles as of the last [`WindowMetrics::sample`].
    latest: Percentiles,
}

/// An empty latency histogram: 1 µs to [`MAX_LATENCY_US`], two significant digits.
fn histogram() -> Histogram<u32> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 2).expect("constant bounds are valid")
}

impl WindowMetrics {
    /// Metrics over a sliding window of `window_s` simulated seconds (at least
    /// `LATENCY_AGE_BUCKETS`, so each age bucket covers at least one second).
    pub fn new(window_s: u32) -> Self {
        let window_s = window_s.max(LATENCY_AGE_BUCKETS as u32);
        let mut seconds = VecDeque::with_capacity(window_s as usize);
        seconds.push_back(SecondBucket::default());
        Self {
            window_s,
            current_second: 0,
            seconds,
            current: histogram(),
            older: vec![None; LATENCY_AGE_BUCKETS],
            window_latency: histogram(),
            current_age: 0,
            series: VecDeque::with_capacity(SERIES_CAPACITY),
            latest: Percentiles::default(),
        }
    }

    /// Bytes of heap memory it holds, estimated from its histograms' counts and its buffers'
    /// lengths. About 90 KB once the window has aged: the seven latency histograms, five of
    /// which a clone shares rather than copies.
    pub fn approx_bytes(&self) -> usize {
        let counts: usize = self
            .older
            .iter()
            .flatten()
            .map(|h| &**h)
            .chain([&self.current, &self.window_latency])
            .map(|h| h.distinct_values())
            .sum();
        counts * std::mem::size_of::<u32>()
            + self.seconds.len() * std::mem::size_of::<SecondBucket>()
            + self.series.len() * std::mem::size_of::<SeriesPoint>()
    }

    /// The window length, simulated seconds.
    pub fn window_s(&self) -> u32 {
        self.window_s
    }

    fn age_len_s(&self) -> u64 {
        (self.window_s as u64).div_ceil(LATENCY_AGE_BUCKETS as u64)
    }

    /// Moves the window so that it ends at `now`, dropping what fell out of it.
    pub fn advance(&mut self, now: SimTime) {
        // Within the newest second (the case of every request but the first of each second)
        // nothing moves: neither the second nor the age bucket, which changes only with it.
        // Returning here spares the division by the age's length on every record.
        if now.as_us()
            < self
                .current_second
                .saturating_add(1)
                .saturating_mul(1_000_000)
        {
            return;
        }
        let sec = now.as_us() / 1_000_000;
        if sec > self.current_second {
            let gap = (sec - self.current_second).min(self.window_s as u64);
            for _ in 0..gap {
                if self.seconds.len() == self.window_s as usize {
                    self.seconds.pop_front();
                }
                self.seconds.push_back(SecondBucket::default());
            }
            self.current_second = sec;
        }
        let age = sec / self.age_len_s();
        if age > self.current_age {
            let gap = (age - self.current_age).min(LATENCY_AGE_BUCKETS as u64);
            let mut exact = true;
            let slot = |k: u64| ((self.current_age + k) % LATENCY_AGE_BUCKETS as u64) as usize;
            for step in 1..=gap {
                // The oldest bucket expires and its slot becomes the newest's; the newest
                // becomes an older one, shared from now on.
                let expired = self.older[slot(step)].take();
                let next = match expired {
                    Some(h) => {
                        // Fails only if a count saturated; then the sum is rebuilt below.
                        exact &= self.window_latency.subtract(&*h).is_ok();
                        // Emptied in place, or a new one when a clone still holds it.
                        Rc::try_unwrap(h).map_or_else(
                            |_| histogram(),
                            |mut h| {
                                h.reset();
                                h
                            },
                        )
                    }
                    None => histogram(),
                };
                let aged = std::mem::replace(&mut self.current, next);
                self.older[slot(step - 1)] = Some(Rc::new(aged));
            }
            if !exact {
                let window = &mut self.window_latency;
                window.reset();
                for h in self.older.iter().flatten() {
                    // Same bounds everywhere, so adding cannot fail.
                    let _ = window.add(&**h);
                }
                let _ = window.add(&self.current);
            }
            self.current_age = age;
        }
    }

    /// Records a request that ended at `now`, successfully or not. `latency_us` is its
    /// response time in µs, or `None` when no response came from the instance (connection
    /// refused or reset): such requests count in the rate and errors but not in the latency
    /// percentiles, as a proxy's upstream response-time histogram does.
    pub fn record(&mut self, now: SimTime, latency_us: Option<u64>, ok: bool) {
        self.advance(now);
        if let Some(b) = self.seconds.back_mut() {
            b.completed = b.completed.saturating_add(1);
            if !ok {
                b.errors = b.errors.saturating_add(1);
            }
        }
        if let Some(latency_us) = latency_us {
            let v = latency_us.clamp(1, MAX_LATENCY_US);
            self.current.saturating_record(v);
            self.window_latency.saturating_record(v);
        }
    }

    /// Seconds of the window actually covered at `now` (less than the window early in a run).
    fn covered_s(&self, now: SimTime) -> f64 {
        let elapsed = now.as_secs_f64();
        // max/min, not clamp: the same value for a time (never NaN), without clamp's assert
        // and the float formatting its message brings into the page (crate::decimal::Dec).
        elapsed.max(1e-6).min(self.window_s as f64)
    }

    /// Requests ended per simulated second over the window at `now`.
    pub fn rate_per_s(&self, now: SimTime) -> f64 {
        let total: u64 = self.seconds.iter().map(|b| b.completed as u64).sum();
        total as f64 / self.covered_s(now)
    }

    /// Fraction of requests in the window that were errors or timeouts (0 when none ended).
    pub fn error_rate(&self) -> f64 {
        let (done, err) = self.seconds.iter().fold((0u64, 0u64), |(d, e), b| {
            (d + b.completed as u64, e + b.errors as u64)
        });
        if done == 0 {
            0.0
        } else {
            err as f64 / done as f64
        }
    }

    /// (ended, failed) over the last `secs` simulated seconds (the current second included;
    /// at most the window).
    pub fn counts_over(&self, secs: u32) -> (u64, u64) {
        self.seconds
            .iter()
            .rev()
            .take(secs.max(1) as usize)
            .fold((0, 0), |(d, e), b| {
                (d + b.completed as u64, e + b.errors as u64)
            })
    }

    /// Failed fraction over the last `secs` seconds; `None` when nothing ended.
    pub fn error_rate_over(&self, secs: u32) -> Option<f64> {
        let (d, e) = self.counts_over(secs);
        (d > 0).then(|| e as f64 / d as f64)
    }

    /// Requests ended per second over the last `secs` seconds at `now`.
    pub fn rate_over(&self, now: SimTime, secs: u32) -> f64 {
        let secs = secs.clamp(1, self.window_s);
        let covered = now.as_secs_f64().max(1e-6).min(secs as f64);
        self.counts_over(secs).0 as f64 / covered
    }

    /// Latency p50/p95/p99 over the window, ms.
    pub fn percentiles(&self) -> Percentiles {
        let w = &self.window_latency;
        if w.is_empty() {
            return Percentiles::default();
        }
        // One pass over the counts for the three quantiles.
        let mut q = w
            .value_at_quantiles([0.50, 0.95, 0.99])
            .map(|v| v as f64 / 1_000.0);
        let mut next = || q.next().unwrap_or_default();
        Percentiles {
            samples: w.len(),
            p50_ms: next(),
            p95_ms: next(),
            p99_ms: next(),
        }
    }

    /// Appends the chart sample for the second ending at `now` (call once per simulated
    /// second, after advancing): the last full second's counts and the current `in_flight`.
    pub fn sample(&mut self, now: SimTime, g: Gauges) {
        self.advance(now);
        // The newest bucket is the second that just started; the one before it just ended.
        let last = if self.seconds.len() >= 2 {
            self.seconds[self.seconds.len() - 2]
        } else {
            SecondBucket::default()
        };
        self.latest = self.percentiles();
        if self.series.len() == SERIES_CAPACITY {
            self.series.pop_front();
        }
        self.series.push_back(SeriesPoint {
            t_ms: now.as_us() / 1_000,
            rps: last.completed,
            errors: last.errors,
            in_flight: g.in_flight,
            p95_ms: self.latest.p95_ms,
            p50_ms: self.latest.p50_ms,
            p99_ms: self.latest.p99_ms,
            samples: self.latest.samples,
            queued: g.queued,
            cpu: g.cpu,
            memory: g.memory,
        });
    }

    /// Percentiles as computed at the last sample (once per simulated second). Cheap: what
    /// views read every frame, instead of merging the histograms again.
    pub fn latest_percentiles(&self) -> Percentiles {
        self.latest
    }

    /// The per-second series, oldest first, at most [`SERIES_CAPACITY`] points.
    pub fn series(&self) -> impl ExactSizeIterator<Item = &SeriesPoint> {
        self.series.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_counts_only_the_window() {
        let mut m = WindowMetrics::new(60);
        // 10 requests per second for 100 s.
        for s in 0..100u64 {
            for k in 0..10u64 {
                m.record(SimTime(s * 1_000_000 + k * 50_000), Some(1_000), true);
            }
        }
        let r = m.rate_per_s(SimTime::from_secs(100));
        assert!((r - 10.0).abs() < 0.5, "rate {r}");
        // After 60 quiet seconds everything has left the window.
        m.advance(SimTime::from_secs(161));
        assert_eq!(m.rate_per_s(SimTime::from_secs(161)), 0.0);
        assert_eq!(m.percentiles(), Percentiles::default());
    }

    #[test]
    fn percentiles_follow_recorded_latencies() {
        let mut m = WindowMetrics::new(60);
        for i in 1..=1_000u64 {
            m.record(SimTime(i * 1_000), Some(i * 1_000), true); // 1..1000 ms
        }
        let p = m.percentiles();
        assert_eq!(p.samples, 1_000);
        assert!((p.p50_ms - 500.0).abs() < 10.0, "{p:?}");
        assert!((p.p95_ms - 950.0).abs() < 15.0, "{p:?}");
        assert!((p.p99_ms - 990.0).abs() < 15.0, "{p:?}");
    }

    /// The percentiles as they were computed before the running window sum: the age buckets
    /// merged afresh.
    fn merged_percentiles(m: &WindowMetrics) -> Percentiles {
        let mut merged = m.current.clone();
        for h in m.older.iter().flatten() {
            merged.add(&**h).unwrap();
        }
        if merged.is_empty() {
            return Percentiles::default();
        }
        let q = |q: f64| merged.value_at_quantile(q) as f64 / 1_000.0;
        Percentiles {
            samples: merged.len(),
            p50_ms: q(0.50),
            p95_ms: q(0.95),
            p99_ms: q(0.99),
        }
    }

    #[test]
    fn window_sum_equals_the_merged_age_buckets() {
        let mut m = WindowMetrics::new(60);
        let mut t = 0u64;
        let mut x = 12_345u64;
        let mut checked = 0;
        for step in 0..20_000u64 {
            // Irregular latencies (a small LCG) and gaps, with a few quiet spells longer than
            // one age bucket and one longer than the whole window.
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            t += match step {
                5_000 => 25_000_000,
                12_000 => 70_000_000,
                _ => 1_000 + (x >> 40) % 40_000,
            };
            let latency = (x >> 20) % 3_000_000;
            m.record(
                SimTime(t),
                (!latency.is_multiple_of(7)).then_some(latency),
                true,
            );
            if step.is_multiple_of(97) {
                m.advance(SimTime(t));
                assert_eq!(m.percentiles(), merged_percentiles(&m), "at {t} µs");
                checked += 1;
            }
        }
        assert!(checked > 200);
        assert!(m.percentiles().samples > 0);
    }

    #[test]
    fn old_latencies_age_out() {
        let mut m = WindowMetrics::new(60);
        m.record(SimTime::from_secs(1), Some(900_000), true);
        m.record(SimTime::from_secs(65), Some(10_000), true);
        // A refused connection counts as an error but has no latency.
        m.record(SimTime::from_secs(66), None, false);
        // At 75 s the 900 ms sample (recorded in the 0–10 s age bucket) is gone.
        m.advance(SimTime::from_secs(75));
        assert!(m.percentiles().p99_ms < 20.0, "{:?}", m.percentiles());
        assert!(m.percentiles().p50_ms > 5.0, "no 0 ms from the refused one");
    }

    #[test]
    fn error_rate_and_series_are_bounded() {
        let mut m = WindowMetrics::new(60);
        for s in 0..300u64 {
            m.record(SimTime(s * 1_000_000 + 1), Some(1_000), s % 4 != 0);
            m.sample(
                SimTime((s + 1) * 1_000_000),
                Gauges {
                    in_flight: 3,
                    ..Gauges::default()
                },
            );
        }
        assert!((m.error_rate() - 0.25).abs() < 0.02);
        // The last 8 seconds: 2 of them (s % 4 == 0) had the failed request.
        assert_eq!(m.counts_over(9), (8, 2));
        assert_eq!(m.error_rate_over(9), Some(0.25));
        assert_eq!(WindowMetrics::new(60).error_rate_over(10), None);
        assert_eq!(m.series().len(), SERIES_CAPACITY);
        let last = m.series().last().unwrap();
        assert_eq!((last.rps, last.in_flight, last.t_ms), (1, 3, 300_000));
    }
}
