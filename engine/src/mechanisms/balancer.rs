//! Load balancing: picking an upstream among the instances the balancer believes healthy.
//!
//! One [`Balancer`] per service, shared by every caller of the service (as a mesh's cluster
//! config is). It keeps per-instance state the strategies need: outstanding requests, weights,
//! smooth-WRR current weights, peak-EWMA latency, the last load report, a hash ring and a
//! Maglev table (rebuilt only when the candidate list changes). Sources per strategy are on
//! [`Strategy`]'s variants. Hashes are XXH3-64 over explicit little-endian bytes, so rings and
//! tables are the same natively and in wasm.

use crate::common::InstanceId;
use crate::common::{count, ConfigError, MAX_TIMEOUT_MS};
use crate::rng::SimRng;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

/// A load-balancing strategy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The next upstream in list order (the seeds' round robin; Envoy `ROUND_ROBIN`).
    #[default]
    RoundRobin,
    /// nginx's smooth weighted round robin: weights respected without bursts.
    WeightedRoundRobin,
    /// Uniformly random (the seed's `random` discovery; Envoy `RANDOM`).
    Random,
    /// Random in proportion to weight (the seed's `get_server_weighted`).
    WeightedRandom,
    /// Fewest outstanding requests, ties in rotation (the seed's least connections).
    LeastConnections,
    /// The seed's dynamic score `0.4·(1−cpu) + 0.3·(1−memory) + 0.3·1/(1+response time in s)`
    /// from load reports; a report older than 60 s scores 0; highest score wins.
    DynamicScore,
    /// nginx `ip_hash`: the client's hash modulo the healthy list.
    IpHash,
    /// Session affinity: a client keeps its instance while it stays healthy.
    StickySession,
    /// Envoy `LEAST_REQUEST`: two random choices, the one with fewer outstanding requests
    /// (Mitzenmacher's power of two choices).
    PowerOfTwoChoices,
    /// Envoy `RING_HASH` with bounded loads (Mirrokni, Thorup, Zadimoghaddam 2016).
    RingHash,
    /// Envoy `MAGLEV` (Eisenbud et al., NSDI 2016): a lookup table of prime size.
    Maglev,
    /// Finagle/linkerd peak EWMA: two random choices by latency EWMA × (outstanding + 1).
    PeakEwma,
}
crate::codec::wire_enum!(Strategy {
    RoundRobin,
    WeightedRoundRobin,
    Random,
    WeightedRandom,
    LeastConnections,
    DynamicScore,
    IpHash,
    StickySession,
    PowerOfTwoChoices,
    RingHash,
    Maglev,
    PeakEwma
});

impl Strategy {
    /// Every strategy, in menu order.
    pub const ALL: [Strategy; 12] = [
        Strategy::RoundRobin,
        Strategy::WeightedRoundRobin,
        Strategy::Random,
        Strategy::WeightedRandom,
        Strategy::LeastConnections,
        Strategy::DynamicScore,
        Strategy::IpHash,
        Strategy::StickySession,
        Strategy::PowerOfTwoChoices,
        Strategy::RingHash,
        Strategy::Maglev,
        Strategy::PeakEwma,
    ];

    /// The name people use for it.
    pub fn label(self) -> &'static str {
        match self {
            Strategy::RoundRobin => "round robin",
            Strategy::WeightedRoundRobin => "smooth weighted round robin",
            Strategy::Random => "random",
            Strategy::WeightedRandom => "weighted random",
            Strategy::LeastConnections => "least connections",
            Strategy::DynamicScore => "dynamic score",
            Strategy::IpHash => "IP hash",
            Strategy::StickySession => "sticky sessions",
            Strategy::PowerOfTwoChoices => "power of two choices",
            Strategy::RingHash => "ring hash (bounded load)",
            Strategy::Maglev => "Maglev",
            Strategy::PeakEwma => "peak EWMA",
        }
    }

    /// The snake_case name used in configs and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Strategy::RoundRobin => "round_robin",
            Strategy::WeightedRoundRobin => "weighted_round_robin",
            Strategy::Random => "random",
            Strategy::WeightedRandom => "weighted_random",
            Strategy::LeastConnections => "least_connections",
            Strategy::DynamicScore => "dynamic_score",
            Strategy::IpHash => "ip_hash",
            Strategy::StickySession => "sticky_session",
            Strategy::PowerOfTwoChoices => "power_of_two_choices",
            Strategy::RingHash => "ring_hash",
            Strategy::Maglev => "maglev",
            Strategy::PeakEwma => "peak_ewma",
        }
    }

    /// The strategy whose [`Strategy::key`] is `key`.
    pub fn from_key(key: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// Strategy parameters (Envoy's names and defaults where Envoy has them).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LbParams {
    /// Ring points per instance for ring hash.
    pub ring_vnodes: u32,
    /// Bounded-load factor c for ring hash: an instance takes at most c × the mean
    /// outstanding load; 0 turns the bound off (plain ring hash).
    pub ring_load_factor: f64,
    /// Maglev lookup-table size; a prime (Envoy 65 537).
    pub maglev_table_size: u32,
    /// Peak-EWMA decay time τ, simulated ms (Finagle 10 000).
    pub ewma_decay_ms: u64,
    /// Sessions remembered for sticky sessions (a bounded table indexed by client).
    pub sticky_table_size: u32,
}

impl LbParams {
    /// Checks its limits; `service` prefixes the field in an error, and the Maglev table must
    /// be larger than `instances`, the cluster's instance count.
    ///
    /// Errors: virtual nodes, a load bound, a table size, a decay or a sticky table size out of
    /// range.
    pub fn validate(&self, service: &str, instances: usize) -> Result<(), ConfigError> {
        count("lb.ring_vnodes", self.ring_vnodes as u64, 1, 1_000)?;
        if !(self.ring_load_factor == 0.0 || (1.0..=10.0).contains(&self.ring_load_factor)) {
            return Err(ConfigError::Invalid(
                format!("{service}.lb.ring_load_factor"),
                "must be 0 (no bound) or between 1 and 10",
            ));
        }
        let m = self.maglev_table_size as u64;
        if !(7..=65_537).contains(&m) || !is_prime(m) || m <= instances as u64 {
            return Err(ConfigError::Invalid(
                format!("{service}.lb.maglev_table_size"),
                "must be a prime between 7 and 65537, larger than the instance count",
            ));
        }
        count("lb.ewma_decay_ms", self.ewma_decay_ms, 1, MAX_TIMEOUT_MS)?;
        count(
            "lb.sticky_table_size",
            self.sticky_table_size as u64,
            1,
            65_536,
        )
    }
}

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

impl Default for LbParams {
    fn default() -> Self {
        Self {
            ring_vnodes: 100,
            ring_load_factor: 1.25,
            maglev_table_size: 65_537,
            ewma_decay_ms: 10_000,
            sticky_table_size: 4_096,
        }
    }
}

/// A load report an instance sends for the dynamic-score strategy (seed `update_metrics`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    /// Busy slots / slots, `[0, 1]`.
    pub cpu: f64,
    /// Memory used / limit, `[0, 1]`.
    pub memory: f64,
    /// Mean response time, simulated seconds.
    pub response_time_s: f64,
    /// When it was sent.
    pub at: SimTime,
}

/// Reports older than this score 0 (the seed's 60 s), µs.
pub const REPORT_MAX_AGE_US: u64 = 60_000_000;
/// Peak-EWMA cost of an instance with no latency measured yet but requests outstanding
/// (Finagle's `Penalty`, scaled to µs).
const EWMA_PENALTY_US: f64 = 1e9;

/// The seed's dynamic score of `r` at `now`: 0 for a report older than 60 s.
pub fn dynamic_score(r: Option<&LoadReport>, now: SimTime) -> f64 {
    match r {
        Some(r) if now.since(r.at) < REPORT_MAX_AGE_US => {
            0.4 * (1.0 - r.cpu) + 0.3 * (1.0 - r.memory) + 0.3 * (1.0 / (1.0 + r.response_time_s))
        }
        _ => 0.0,
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Ewma {
    cost_us: f64,
    at: SimTime,
}

/// One service's balancer. Per-instance vectors are indexed by [`InstanceId`] over the whole
/// cluster.
#[derive(Clone, Debug)]
pub struct Balancer {
    /// The strategy in use.
    pub strategy: Strategy,
    params: LbParams,
    rr: u64,
    outstanding: Vec<u32>,
    weights: Vec<u32>,
    keys: Vec<u64>,
    smooth: Vec<i64>,
    ewma: Vec<Ewma>,
    reports: Vec<Option<LoadReport>>,
    sticky: Vec<Option<(u32, InstanceId)>>,
    ring_for: Vec<InstanceId>,
    /// (point, instance index): the same element type as the store's ring
    /// (`replication::HashRing`), so the wasm carries one sort for both.
    ring: Vec<(u64, u16)>,
    maglev_for: Vec<InstanceId>,
    maglev: Vec<u8>,
}

impl Balancer {
    /// A balancer over a cluster whose instances have these `addresses` (hashed for ring and
    /// Maglev) and `weights`.
    pub fn new(strategy: Strategy, params: LbParams, addresses: &[&str], weights: &[u32]) -> Self {
        let n = addresses.len();
        Self {
            strategy,
            params,
            rr: 0,
            outstanding: vec![0; n],
            weights: weights.to_vec(),
            keys: addresses.iter().map(|a| xxh3_64(a.as_bytes())).collect(),
            smooth: vec![0; n],
            ewma: vec![Ewma::default(); n],
            reports: vec![None; n],
            sticky: vec![None; params.sticky_table_size.max(1) as usize],
            ring_for: Vec::new(),
            ring: Vec::new(),
            maglev_for: Vec::new(),
            maglev: Vec::new(),
        }
    }

    /// Requests sent to `id` and not yet answered.
    pub fn outstanding(&self, id: InstanceId) -> u32 {
        self.outstanding.get(id.index()).copied().unwrap_or(0)
    }

    /// The weight of `id`.
    pub fn weight(&self, id: InstanceId) -> u32 {
        self.weights.get(id.index()).copied().unwrap_or(0)
    }

    /// Sets the weight of `id` (0 takes it out of weighted strategies).
    pub fn set_weight(&mut self, id: InstanceId, w: u32) {
        if let Some(x) = self.weights.get_mut(id.index()) {
            *x = w;
        }
    }

    /// Counts a request sent to `id`.
    pub fn on_dispatch(&mut self, id: InstanceId) {
        if let Some(x) = self.outstanding.get_mut(id.index()) {
            *x += 1;
        }
    }

    /// Counts the end of a request sent to `id`; `rtt_us` is its response time when the
    /// instance answered (it feeds peak EWMA).
    pub fn on_complete(&mut self, id: InstanceId, rtt_us: Option<u64>, now: SimTime) {
        let i = id.index();
        if let Some(x) = self.outstanding.get_mut(i) {
            *x = x.saturating_sub(1);
        }
        if let Some(rtt) = rtt_us {
            self.observe(i, rtt as f64, now);
        }
    }

    /// Stores a load report from `id` (dynamic score).
    pub fn report(&mut self, id: InstanceId, r: LoadReport) {
        if let Some(x) = self.reports.get_mut(id.index()) {
            *x = Some(r);
        }
    }

    /// The last load report of `id`.
    pub fn last_report(&self, id: InstanceId) -> Option<&LoadReport> {
        self.reports.get(id.index()).and_then(Option::as_ref)
    }

    fn observe(&mut self, i: usize, rtt_us: f64, now: SimTime) {
        let tau = (self.params.ewma_decay_ms * 1_000).max(1) as f64;
        if let Some(e) = self.ewma.get_mut(i) {
            e.cost_us = if rtt_us > e.cost_us {
                rtt_us // peak sensitivity: jump to a worse latency at once
            } else {
                // The decay only here: every call under every strategy comes through (the
                // strategy can change mid-run), and `exp` is a libm call.
                let w = libm::exp(-(now.since(e.at) as f64) / tau);
                e.cost_us * w + rtt_us * (1.0 - w)
            };
            e.at = now;
        }
    }

    /// Peak-EWMA cost of `id` at `now`: decayed latency EWMA × (outstanding + 1).
    pub fn ewma_cost(&self, id: InstanceId, now: SimTime) -> f64 {
        let i = id.index();
        let (Some(e), Some(o)) = (self.ewma.get(i), self.outstanding.get(i)) else {
            return 0.0;
        };
        let tau = (self.params.ewma_decay_ms * 1_000).max(1) as f64;
        let decayed = e.cost_us * libm::exp(-(now.since(e.at) as f64) / tau);
        if decayed == 0.0 && *o > 0 {
            EWMA_PENALTY_US + *o as f64
        } else {
            decayed * (*o as f64 + 1.0)
        }
    }

    /// Picks an upstream among `candidates` for a request from `client` at `now`. `None` when
    /// `candidates` is empty (or every weight is 0 for a weighted strategy).
    pub fn pick(
        &mut self,
        candidates: &[InstanceId],
        client: u32,
        now: SimTime,
        rng: &mut SimRng,
    ) -> Option<InstanceId> {
        let n = candidates.len();
        if n == 0 {
            return None;
        }
        if n == 1 && self.strategy != Strategy::StickySession {
            if self.strategy.is_weighted() && self.weight(candidates[0]) == 0 {
                return None;
            }
            return Some(candidates[0]);
        }
        match self.strategy {
            Strategy::RoundRobin => {
                let c = candidates[(self.rr % n as u64) as usize];
                self.rr = self.rr.wrapping_add(1);
                Some(c)
            }
            Strategy::WeightedRoundRobin => {
                let mut total = 0i64;
                let mut best: Option<InstanceId> = None;
                for &c in candidates {
                    let w = self.weight(c) as i64;
                    if w == 0 {
                        continue;
                    }
                    total += w;
                    self.smooth[c.index()] += w;
                    if best.is_none_or(|b| self.smooth[c.index()] > self.smooth[b.index()]) {
                        best = Some(c);
                    }
                }
                let b = best?;
                self.smooth[b.index()] -= total;
                Some(b)
            }
            Strategy::Random => Some(candidates[rng.below(n as u64) as usize]),
            Strategy::WeightedRandom => {
                let total: u64 = candidates.iter().map(|c| self.weight(*c) as u64).sum();
                if total == 0 {
                    return None;
                }
                let mut x = rng.below(total);
                for &c in candidates {
                    let w = self.weight(c) as u64;
                    if x < w {
                        return Some(c);
                    }
                    x -= w;
                }
                candidates.last().copied()
            }
            Strategy::LeastConnections => {
                let start = (self.rr % n as u64) as usize;
                self.rr = self.rr.wrapping_add(1);
                (0..n)
                    .map(|k| candidates[(start + k) % n])
                    .min_by_key(|c| self.outstanding(*c))
            }
            Strategy::DynamicScore => {
                // Python's max(): the first of equal scores wins.
                let mut best = candidates[0];
                let mut best_score = dynamic_score(self.last_report(best), now);
                for &c in &candidates[1..] {
                    let s = dynamic_score(self.last_report(c), now);
                    if s > best_score {
                        best = c;
                        best_score = s;
                    }
                }
                Some(best)
            }
            Strategy::IpHash => {
                let h = client_hash(client);
                Some(candidates[(h % n as u64) as usize])
            }
            Strategy::StickySession => {
                let slot = (client as usize) % self.sticky.len();
                if let Some((c, id)) = self.sticky[slot] {
                    if c == client && candidates.contains(&id) {
                        return Some(id);
                    }
                }
                let id = candidates[(self.rr % n as u64) as usize];
                self.rr = self.rr.wrapping_add(1);
                self.sticky[slot] = Some((client, id));
                Some(id)
            }
            Strategy::PowerOfTwoChoices => {
                let (a, b) = two_distinct(n, rng);
                let (a, b) = (candidates[a], candidates[b]);
                Some(if self.outstanding(b) < self.outstanding(a) {
                    b
                } else {
                    a
                })
            }
            Strategy::PeakEwma => {
                let (a, b) = two_distinct(n, rng);
                let (a, b) = (candidates[a], candidates[b]);
                Some(if self.ewma_cost(b, now) < self.ewma_cost(a, now) {
                    b
                } else {
                    a
                })
            }
            Strategy::RingHash => {
                if self.ring_for != candidates {
                    self.build_ring(candidates);
                }
                self.ring_pick(client_hash(client), n)
            }
            Strategy::Maglev => {
                if self.maglev_for != candidates {
                    self.build_maglev(candidates);
                }
                let m = self.maglev.len() as u64;
                let idx = self.maglev[(client_hash(client) % m) as usize] as usize;
                Some(self.maglev_for[idx])
            }
        }
    }

    fn build_ring(&mut self, candidates: &[InstanceId]) {
        self.ring_for = candidates.to_vec();
        self.ring.clear();
        for &c in candidates {
            let key = self.keys[c.index()];
            for v in 0..self.params.ring_vnodes.max(1) {
                let mut bytes = [0u8; 12];
                bytes[..8].copy_from_slice(&key.to_le_bytes());
                bytes[8..].copy_from_slice(&v.to_le_bytes());
                self.ring.push((xxh3_64(&bytes), c.0 as u16));
            }
        }
        self.ring.sort_unstable();
    }

    fn ring_pick(&self, h: u64, n: usize) -> Option<InstanceId> {
        if self.ring.is_empty() {
            return None;
        }
        let start = self.ring.partition_point(|(p, _)| *p < h);
        let c = self.params.ring_load_factor;
        if c <= 0.0 {
            return Some(InstanceId(self.ring[start % self.ring.len()].1 as u32));
        }
        let total: u64 = self
            .ring_for
            .iter()
            .map(|i| self.outstanding(*i) as u64)
            .sum();
        let capacity = libm::ceil(c * (total + 1) as f64 / n as f64) as u64;
        let mut first = None;
        for k in 0..self.ring.len() {
            let id = InstanceId(self.ring[(start + k) % self.ring.len()].1 as u32);
            first.get_or_insert(id);
            if (self.outstanding(id) as u64) < capacity {
                return Some(id);
            }
        }
        first
    }

    fn build_maglev(&mut self, candidates: &[InstanceId]) {
        let m = self.params.maglev_table_size.max(7) as u64;
        self.maglev_for = candidates.to_vec();
        let n = candidates.len();
        let (offset, skip): (Vec<u64>, Vec<u64>) = candidates
            .iter()
            .map(|c| {
                let k = self.keys[c.index()];
                let h1 = xxh3_64(&k.to_le_bytes());
                let h2 = xxh3_64(&(!k).to_le_bytes());
                (h1 % m, h2 % (m - 1) + 1)
            })
            .unzip();
        let mut next = vec![0u64; n];
        let mut table = vec![u8::MAX; m as usize];
        let mut filled = 0u64;
        'fill: loop {
            for i in 0..n {
                let mut slot = (offset[i] + next[i] * skip[i]) % m;
                while table[slot as usize] != u8::MAX {
                    next[i] += 1;
                    slot = (offset[i] + next[i] * skip[i]) % m;
                }
                table[slot as usize] = i as u8;
                next[i] += 1;
                filled += 1;
                if filled == m {
                    break 'fill;
                }
            }
        }
        self.maglev = table;
    }
}

impl Strategy {
    /// True for strategies that use weights.
    pub fn is_weighted(self) -> bool {
        matches!(
            self,
            Strategy::WeightedRoundRobin | Strategy::WeightedRandom
        )
    }
}

fn client_hash(client: u32) -> u64 {
    // The client's IPv4 address in 10.0.0.0/8, as bytes: what nginx and Envoy hash.
    let ip = 0x0A00_0000u32 | (client & 0x00FF_FFFF);
    xxh3_64(&ip.to_be_bytes())
}

fn two_distinct(n: usize, rng: &mut SimRng) -> (usize, usize) {
    let a = rng.below(n as u64) as usize;
    let b = rng.below(n as u64 - 1) as usize;
    (a, if b >= a { b + 1 } else { b })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u32) -> Vec<InstanceId> {
        (0..n).map(InstanceId).collect()
    }

    fn balancer(s: Strategy, n: usize, weights: &[u32]) -> Balancer {
        let addrs: Vec<String> = (0..n).map(|i| format!("10.1.0.{i}:8080")).collect();
        let refs: Vec<&str> = addrs.iter().map(String::as_str).collect();
        Balancer::new(s, LbParams::default(), &refs, weights)
    }

    #[test]
    fn round_robin_rotates_and_follows_list_changes() {
        let mut b = balancer(Strategy::RoundRobin, 3, &[1, 1, 1]);
        let mut rng = SimRng::new(1);
        let three = ids(3);
        let picks: Vec<_> = (0..6)
            .map(|_| b.pick(&three, 0, SimTime::ZERO, &mut rng).unwrap().0)
            .collect();
        assert_eq!(picks, vec![0, 1, 2, 0, 1, 2]);
        let two = [InstanceId(0), InstanceId(2)];
        let picks: Vec<_> = (0..4)
            .map(|_| b.pick(&two, 0, SimTime::ZERO, &mut rng).unwrap().0)
            .collect();
        assert_eq!(picks, vec![0, 2, 0, 2]);
        assert_eq!(b.pick(&[], 0, SimTime::ZERO, &mut rng), None);
    }

    #[test]
    fn smooth_weighted_round_robin_is_nginx_sequence() {
        // nginx's documented example: weights 5, 1, 1 give a a b a c a a (no burst of 5 a's).
        let mut b = balancer(Strategy::WeightedRoundRobin, 3, &[5, 1, 1]);
        let mut rng = SimRng::new(1);
        let c = ids(3);
        let picks: String = (0..7)
            .map(|_| (b'a' + b.pick(&c, 0, SimTime::ZERO, &mut rng).unwrap().0 as u8) as char)
            .collect();
        assert_eq!(picks, "aabacaa");
    }

    #[test]
    fn weighted_random_converges_to_weights() {
        let mut b = balancer(Strategy::WeightedRandom, 3, &[1, 2, 7]);
        let mut rng = SimRng::new(3);
        let c = ids(3);
        let mut counts = [0u32; 3];
        for _ in 0..100_000 {
            counts[b.pick(&c, 0, SimTime::ZERO, &mut rng).unwrap().index()] += 1;
        }
        for (i, w) in [0.1, 0.2, 0.7].iter().enumerate() {
            let share = counts[i] as f64 / 100_000.0;
            assert!((share - w).abs() < 0.01, "instance {i}: {share} vs {w}");
        }
    }

    #[test]
    fn least_connections_prefers_fewest_outstanding() {
        let mut b = balancer(Strategy::LeastConnections, 3, &[1, 1, 1]);
        let mut rng = SimRng::new(1);
        b.on_dispatch(InstanceId(0));
        b.on_dispatch(InstanceId(0));
        b.on_dispatch(InstanceId(2));
        assert_eq!(
            b.pick(&ids(3), 0, SimTime::ZERO, &mut rng),
            Some(InstanceId(1))
        );
        b.on_complete(InstanceId(0), Some(10), SimTime::ZERO);
        b.on_complete(InstanceId(0), Some(10), SimTime::ZERO);
        b.on_dispatch(InstanceId(1));
        assert_eq!(
            b.pick(&ids(3), 0, SimTime::ZERO, &mut rng),
            Some(InstanceId(0))
        );
    }

    #[test]
    fn dynamic_score_follows_the_seed_formula_and_ignores_stale_reports() {
        let now = SimTime::from_secs(100);
        let r = LoadReport {
            cpu: 0.5,
            memory: 0.25,
            response_time_s: 1.0,
            at: SimTime::from_secs(90),
        };
        let s = dynamic_score(Some(&r), now);
        assert!((s - (0.4 * 0.5 + 0.3 * 0.75 + 0.3 * 0.5)).abs() < 1e-12);
        let stale = LoadReport {
            at: SimTime::from_secs(40),
            ..r
        };
        assert_eq!(dynamic_score(Some(&stale), now), 0.0);
        let mut b = balancer(Strategy::DynamicScore, 2, &[1, 1]);
        b.report(InstanceId(0), LoadReport { cpu: 0.9, ..r });
        b.report(InstanceId(1), LoadReport { cpu: 0.1, ..r });
        let mut rng = SimRng::new(1);
        assert_eq!(b.pick(&ids(2), 0, now, &mut rng), Some(InstanceId(1)));
        b.report(InstanceId(1), LoadReport { cpu: 0.1, ..stale });
        assert_eq!(b.pick(&ids(2), 0, now, &mut rng), Some(InstanceId(0)));
    }

    #[test]
    fn ip_hash_and_sticky_keep_a_client_on_one_instance() {
        for s in [
            Strategy::IpHash,
            Strategy::StickySession,
            Strategy::RingHash,
            Strategy::Maglev,
        ] {
            let mut b = balancer(s, 4, &[1; 4]);
            b.params.ring_load_factor = 0.0;
            let mut rng = SimRng::new(1);
            let c = ids(4);
            for client in 0..50 {
                let first = b.pick(&c, client, SimTime::ZERO, &mut rng);
                for _ in 0..5 {
                    assert_eq!(b.pick(&c, client, SimTime::ZERO, &mut rng), first, "{s:?}");
                }
            }
            // Spread: 200 clients use every instance.
            let used: std::collections::BTreeSet<_> = (0..200)
                .map(|cl| b.pick(&c, cl, SimTime::ZERO, &mut rng).unwrap())
                .collect();
            assert_eq!(used.len(), 4, "{s:?}");
        }
    }

    #[test]
    fn consistent_hashes_move_few_clients_when_an_instance_leaves() {
        for s in [Strategy::RingHash, Strategy::Maglev, Strategy::IpHash] {
            let mut b = balancer(s, 5, &[1; 5]);
            b.params.ring_load_factor = 0.0;
            let mut rng = SimRng::new(1);
            let five = ids(5);
            let four = ids(4);
            let before: Vec<_> = (0..10_000)
                .map(|cl| b.pick(&five, cl, SimTime::ZERO, &mut rng).unwrap())
                .collect();
            let after: Vec<_> = (0..10_000)
                .map(|cl| b.pick(&four, cl, SimTime::ZERO, &mut rng).unwrap())
                .collect();
            let moved_survivors = before
                .iter()
                .zip(&after)
                .filter(|(a, b)| a.0 != 4 && a != b)
                .count();
            let share = moved_survivors as f64 / 10_000.0;
            match s {
                // Ring hash moves nobody else; Maglev a little (its paper: minimal disruption).
                Strategy::RingHash => assert_eq!(moved_survivors, 0),
                Strategy::Maglev => assert!(share < 0.05, "maglev moved {share}"),
                // Modulo hashing reshuffles most clients: the contrast the lesson needs.
                _ => assert!(share > 0.5, "ip hash moved only {share}"),
            }
        }
    }

    #[test]
    fn bounded_load_caps_a_hot_key() {
        let mut b = balancer(Strategy::RingHash, 4, &[1; 4]);
        let mut rng = SimRng::new(1);
        let c = ids(4);
        // One client sends 40 concurrent requests: without a bound all hit one instance.
        let mut per = [0u32; 4];
        for _ in 0..40 {
            let id = b.pick(&c, 7, SimTime::ZERO, &mut rng).unwrap();
            b.on_dispatch(id);
            per[id.index()] += 1;
        }
        let max = *per.iter().max().unwrap();
        // capacity = ceil(1.25 · (total + 1) / 4) ≤ 13 at the end.
        assert!(max <= 13, "{per:?}");
    }

    #[test]
    fn peak_ewma_avoids_a_slow_instance() {
        let mut b = balancer(Strategy::PeakEwma, 2, &[1, 1]);
        let mut rng = SimRng::new(1);
        let now = SimTime::from_secs(1);
        b.on_dispatch(InstanceId(0));
        b.on_complete(InstanceId(0), Some(500_000), now);
        b.on_dispatch(InstanceId(1));
        b.on_complete(InstanceId(1), Some(20_000), now);
        let picks = (0..20)
            .filter(|_| b.pick(&ids(2), 0, now, &mut rng) == Some(InstanceId(1)))
            .count();
        assert_eq!(picks, 20);
    }
}
