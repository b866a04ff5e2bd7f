//! Virtual time. The engine never reads a wall clock: [`SimTime`] is the only clock there is.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A point in simulated time, in microseconds (µs) since the start of the run.
///
/// `u64` µs covers about 584,000 simulated years, so arithmetic here saturates instead of
/// wrapping and never panics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub struct SimTime(pub u64);

/// What `#[derive(Serialize)]` writes (a newtype struct around its µs), by hand so that it
/// can be inlined: every event log entry carries one or more, and natively the call was 4 % of
/// a run's instructions.
impl Serialize for SimTime {
    #[inline]
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct("SimTime", &self.0)
    }
}

crate::codec::wire_newtype!(SimTime);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);

    /// `ms` simulated milliseconds.
    pub const fn from_ms(ms: u64) -> SimTime {
        SimTime(ms.saturating_mul(1_000))
    }

    /// `s` simulated seconds.
    pub const fn from_secs(s: u64) -> SimTime {
        SimTime(s.saturating_mul(1_000_000))
    }

    /// Microseconds since the start of the run.
    pub const fn as_us(self) -> u64 {
        self.0
    }

    /// Seconds since the start of the run, as a float (for display and rates only).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    /// `self + us` microseconds, saturating.
    pub const fn plus_us(self, us: u64) -> SimTime {
        SimTime(self.0.saturating_add(us))
    }

    /// Microseconds from `earlier` to `self`, or 0 if `earlier` is later.
    pub const fn since(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for SimTime {
    /// `mm:ss.mmm` below an hour, `h:mm:ss.mmm` from then on.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms_total = self.0 / 1_000;
        let ms = ms_total % 1_000;
        let s_total = ms_total / 1_000;
        let s = s_total % 60;
        let m_total = s_total / 60;
        if m_total >= 60 {
            write!(f, "{}:{:02}:{:02}.{:03}", m_total / 60, m_total % 60, s, ms)
        } else {
            write!(f, "{:02}:{:02}.{:03}", m_total, s, ms)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_minutes_seconds_millis() {
        assert_eq!(SimTime(0).to_string(), "00:00.000");
        assert_eq!(SimTime::from_ms(61_234).to_string(), "01:01.234");
        assert_eq!(SimTime::from_secs(3_600 + 62).to_string(), "1:01:02.000");
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(SimTime(u64::MAX).plus_us(5), SimTime(u64::MAX));
        assert_eq!(SimTime(3).since(SimTime(10)), 0);
        assert_eq!(
            SimTime::from_secs(2).since(SimTime::from_ms(500)),
            1_500_000
        );
    }
}
