//! Load balancing: picking an upstream among the instances the balancer currently knows.
//!
//! This strategy is the seed's round robin (`service-discovery-and-breaker.md`,
//! `LoadBalancer.get_instance`: a per-service counter taken modulo the current list length).

use crate::InstanceId;
use serde::{Deserialize, Serialize};

/// A load-balancing strategy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Each request to the next upstream in list order (the seed's `round_robin`; nginx's and
    /// Envoy's `ROUND_ROBIN` without weights).
    #[default]
    RoundRobin,
}

impl Strategy {
    /// The name people use for it.
    pub fn label(self) -> &'static str {
        match self {
            Strategy::RoundRobin => "round robin",
        }
    }
}

/// Round-robin state for one service: a counter that is never reset, taken modulo the number of
/// upstreams at pick time, exactly as the seed does (so when the list shrinks, the rotation
/// continues over the survivors).
#[derive(Clone, Debug, Default)]
pub struct RoundRobin {
    next: u64,
}

impl RoundRobin {
    /// Picks the next upstream from `upstreams`; `None` when the list is empty (the caller
    /// answers "no healthy upstream").
    pub fn pick(&mut self, upstreams: &[InstanceId]) -> Option<InstanceId> {
        if upstreams.is_empty() {
            return None;
        }
        let chosen = upstreams[(self.next % upstreams.len() as u64) as usize];
        self.next = self.next.wrapping_add(1);
        Some(chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_evenly_and_follows_list_changes() {
        let mut rr = RoundRobin::default();
        let three = [InstanceId(0), InstanceId(1), InstanceId(2)];
        let picks: Vec<_> = (0..6).map(|_| rr.pick(&three).unwrap().0).collect();
        assert_eq!(picks, vec![0, 1, 2, 0, 1, 2]);
        // Instance 1 leaves: the rotation goes on over the survivors only.
        let two = [InstanceId(0), InstanceId(2)];
        let picks: Vec<_> = (0..4).map(|_| rr.pick(&two).unwrap().0).collect();
        assert_eq!(picks, vec![0, 2, 0, 2]);
        assert_eq!(rr.pick(&[]), None);
    }
}
