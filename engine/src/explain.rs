//! The explain panel's text: what a mechanism is doing now and why, in plain words tied to
//! the live numbers ("least connections sends to 10.0.0.3 because it has 2 requests in flight,
//! the others 7 and 5").
//!
//! Computed by the engine from its own state, so the page renders words and never numbers of
//! its own. The rules explained are the ones [`crate::balancer`], [`crate::health`],
//! [`crate::breaker`] and [`crate::ratelimit`] implement, with their sources.

use crate::balancer::{dynamic_score, Strategy};
use crate::breaker::BreakerState;
use crate::sim::{Process, Simulation};
use crate::{InstanceId, ServiceId};
use serde::{Deserialize, Serialize};

/// What the explain panel is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Selection {
    /// The gateway and its rate limiter.
    Gateway,
    /// A service: its load balancer and strategy.
    Service(ServiceId),
    /// An instance: its state, health and breakers.
    Instance(InstanceId),
}

/// A plain-language explanation: a title, one sentence that answers "why", and details.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// What is explained, e.g. `least connections on user-service`.
    pub title: String,
    /// The live answer in one sentence.
    pub summary: String,
    /// Supporting facts, one per line.
    pub details: Vec<String>,
    /// Where the rule comes from (seed chapter, paper or system).
    pub source: String,
}

/// Requests in service or queued at an instance (its metrics gauge).
fn in_flight(sim: &Simulation, i: InstanceId) -> u32 {
    sim.instance_gauges(i).in_flight
}

/// Candidates ranked by a value (in flight, cost in µs or score): ascending, or descending when
/// `descending`; equal values by instance id, ascending. Every ranking in the explain panel goes
/// through this one comparator, so the wasm carries one sort instead of one per ranking.
/// Not generic, so that there is one instantiation of the sort.
fn rank(mut v: Vec<(InstanceId, f64)>, descending: bool) -> Vec<(InstanceId, f64)> {
    v.sort_unstable_by(|a, b| {
        let by_value = a.1.total_cmp(&b.1);
        let by_value = if descending {
            by_value.reverse()
        } else {
            by_value
        };
        by_value.then(a.0.cmp(&b.0))
    });
    v
}

/// `"a (7), b (5) and c (2)"`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => "none".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Simulation {
    /// Explains `sel` at the current simulated instant. Unknown ids give an explanation that
    /// says so.
    pub fn explain(&self, sel: Selection) -> Explanation {
        match sel {
            Selection::Gateway => self.explain_gateway(),
            Selection::Service(s) if (s.0 as usize) < self.cfg.services.len() => {
                self.explain_service(s)
            }
            Selection::Instance(i) if (i.0 as usize) < self.instances.len() => {
                self.explain_instance(i)
            }
            _ => Explanation {
                title: "nothing selected".into(),
                summary: "Select the gateway, a service or an instance.".into(),
                details: Vec::new(),
                source: String::new(),
            },
        }
    }

    fn explain_gateway(&self) -> Explanation {
        let t = self.totals();
        let rate = self.cfg.traffic.rate_rps;
        match &self.cfg.gateway.rate_limit {
            None => Explanation {
                title: "gateway".into(),
                summary: format!(
                    "The gateway passes every client request on ({rate:.0} req/s offered): it has no rate limit."
                ),
                details: vec![format!("{} requests so far.", t.arrived)],
                source: "api-gateway seed chapter".into(),
            },
            Some(rl) => {
                let pct = if t.arrived > 0 {
                    t.rejected as f64 * 100.0 / t.arrived as f64
                } else {
                    0.0
                };
                Explanation {
                    title: format!("rate limiter: {}", rl.label()),
                    summary: format!(
                        "Clients offer {rate:.0} req/s; the limiter has rejected {} of {} requests so far ({pct:.1} %) with 429, so the services behind it see at most its limit.",
                        t.rejected, t.arrived
                    ),
                    details: vec![
                        "A token bucket allows bursts up to its size, then a steady refill rate; a sliding window allows a fixed count per window, so a burst at a window's edge is refused until old requests age out.".into(),
                        format!("Headroom now: {:.1} requests.", self.limiter_headroom().unwrap_or(0.0)),
                    ],
                    source: "api-gateway seed chapter (token bucket, sliding window); Envoy local rate limit".into(),
                }
            }
        }
    }

    fn explain_service(&self, s: ServiceId) -> Explanation {
        let svc = &self.cfg.services[s.0 as usize];
        let b = &self.balancers[s.0 as usize];
        let cands = self.candidates(s);
        let now = self.now();
        let listed = self.upstreams(s).len();
        let name = &svc.name;
        let addr = |i: InstanceId| self.address(i).to_string();
        let mut details = vec![format!(
            "{} of {listed} instances the balancer knows are candidates (listed, healthy, not ejected, not draining).",
            cands.len()
        )];
        if self.in_panic(s) {
            details.push(format!(
                "Panic mode: fewer than {} % of its instances are healthy, so it routes to all of them rather than overload the few left (Envoy's panic threshold).",
                svc.panic_threshold_pct
            ));
        }
        let strategy = svc.strategy;
        let title = format!("{} on {name}", strategy.label());
        if cands.is_empty() {
            return Explanation {
                title,
                summary: format!("{name} has no instance to send to: calls fail at once with 503 (no healthy upstream)."),
                details,
                source: "Envoy: no healthy upstream".into(),
            };
        }
        let by_load = rank(
            cands
                .iter()
                .map(|&i| (i, f64::from(in_flight(self, i))))
                .collect(),
            false,
        );
        let others = |skip: InstanceId| -> String {
            let v: Vec<String> = by_load
                .iter()
                .filter(|(i, _)| *i != skip)
                .take(6)
                .map(|(i, n)| format!("{} {n}", addr(*i)))
                .collect();
            and_list(&v)
        };
        let rates: Vec<String> = cands
            .iter()
            .take(8)
            .map(|&i| {
                format!(
                    "{} {:.1} req/s",
                    addr(i),
                    self.instances[i.0 as usize].metrics.rate_per_s(now)
                )
            })
            .collect();
        let (summary, source) = match strategy {
            Strategy::RoundRobin => (
                match cands.len() {
                    1 => format!(
                        "Round robin has one candidate, so it sends it every request: in flight now {}.",
                        others(InstanceId(u32::MAX))
                    ),
                    n => format!(
                        "Round robin sends each new request to the next of the {n} candidates in turn, whatever their load: in flight now {}.",
                        others(InstanceId(u32::MAX))
                    ),
                },
                "load-balancing seed chapter (round robin); Envoy ROUND_ROBIN",
            ),
            Strategy::LeastConnections => {
                let (best, n) = by_load[0];
                (
                    format!(
                        "Least connections sends to {} because it has {n} request{} in flight, the others {}.",
                        addr(best),
                        if n == 1.0 { "" } else { "s" },
                        others(best)
                    ),
                    "load-balancing seed chapter (least connections)",
                )
            }
            Strategy::PowerOfTwoChoices => {
                let (best, n) = by_load[0];
                let (worst, m) = by_load[by_load.len() - 1];
                (
                    format!(
                        "Power of two choices picks two candidates at random and sends to the one with fewer in flight: {} ({n}) would win against {} ({m}); the busiest wins only if drawn twice.",
                        addr(best),
                        addr(worst)
                    ),
                    "Mitzenmacher, The Power of Two Choices (2001); Envoy LEAST_REQUEST",
                )
            }
            Strategy::PeakEwma => {
                let costs = rank(
                    cands.iter().map(|&i| (i, b.ewma_cost(i, now))).collect(),
                    false,
                );
                let best = costs[0];
                let list: Vec<String> = costs
                    .iter()
                    .skip(1)
                    .take(6)
                    .map(|(i, c)| format!("{} {:.1} ms", addr(*i), c / 1e3))
                    .collect();
                (
                    format!(
                        "Peak EWMA compares two random candidates by latency EWMA × (in flight + 1) and prefers {}: cost {:.1} ms, the others {}.",
                        addr(best.0),
                        best.1 / 1e3,
                        and_list(&list)
                    ),
                    "Finagle / linkerd peak EWMA",
                )
            }
            Strategy::WeightedRoundRobin | Strategy::WeightedRandom => {
                let total: u32 = cands.iter().map(|&i| b.weight(i)).sum();
                let shares: Vec<String> = cands
                    .iter()
                    .take(8)
                    .map(|&i| {
                        let w = b.weight(i);
                        format!(
                            "{} weight {w} → {:.0} % (now {:.1} req/s)",
                            addr(i),
                            if total > 0 { w as f64 * 100.0 / total as f64 } else { 0.0 },
                            self.instances[i.0 as usize].metrics.rate_per_s(now)
                        )
                    })
                    .collect();
                (
                    format!(
                        "{} gives each candidate its weight's share of requests: {}.",
                        strategy.label(),
                        and_list(&shares)
                    ),
                    if strategy == Strategy::WeightedRoundRobin {
                        "nginx smooth weighted round robin"
                    } else {
                        "load-balancing seed chapter (weighted random)"
                    },
                )
            }
            Strategy::Random => (
                format!(
                    "Random picks uniformly, so over time each of the {} candidates gets about the same share, but bursts pile up by chance: {}.",
                    cands.len(),
                    and_list(&rates)
                ),
                "service-discovery seed chapter (random); Envoy RANDOM",
            ),
            Strategy::DynamicScore => {
                let scored = rank(
                    cands
                        .iter()
                        .map(|&i| (i, dynamic_score(b.last_report(i), now)))
                        .collect(),
                    true,
                );
                let list: Vec<String> = scored
                    .iter()
                    .skip(1)
                    .take(6)
                    .map(|(i, s)| format!("{} {s:.2}", addr(*i)))
                    .collect();
                (
                    format!(
                        "Dynamic score sends every request to the highest score 0.4·(1−cpu) + 0.3·(1−memory) + 0.3/(1+latency s) from the last load reports: {} scores {:.2}, the others {}. Reports arrive once a second, so it herds onto one instance between reports.",
                        addr(scored[0].0),
                        scored[0].1,
                        and_list(&list)
                    ),
                    "load-balancing seed chapter (dynamic load balancing)",
                )
            }
            Strategy::IpHash | Strategy::StickySession | Strategy::RingHash | Strategy::Maglev => (
                format!(
                    "{} picks by the client: the same client goes to the same instance while it stays a candidate. When one leaves, {}. Spread now: {}.",
                    strategy.label(),
                    match strategy {
                        Strategy::IpHash => "the hash is taken modulo a new list length, so most clients move",
                        Strategy::StickySession => "only its clients are re-assigned",
                        _ => "only its clients move (consistent hashing)",
                    },
                    and_list(&rates)
                ),
                match strategy {
                    Strategy::IpHash => "nginx ip_hash",
                    Strategy::StickySession => "session affinity (load-balancing seed chapter)",
                    Strategy::RingHash => "Karger et al. 1997; Envoy RING_HASH with bounded loads (Mirrokni et al. 2016)",
                    _ => "Eisenbud et al., Maglev (NSDI 2016); Envoy MAGLEV",
                },
            ),
        };
        let p = self.service_metrics[s.0 as usize].latest_percentiles();
        if p.samples > 0 {
            details.push(format!(
                "Calls to {name} over the window: p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, {:.1} % failed.",
                p.p50_ms,
                p.p95_ms,
                p.p99_ms,
                self.service_metrics[s.0 as usize].error_rate() * 100.0
            ));
        }
        Explanation {
            title,
            summary,
            details,
            source: source.into(),
        }
    }

    fn explain_instance(&self, i: InstanceId) -> Explanation {
        let inst = &self.instances[i.0 as usize];
        let a = self.address(i).to_string();
        let now = self.now();
        let svc = &self.cfg.services[inst.service.0 as usize];
        let registered = self.registry.is_registered(i);
        let hc = svc.health_check.as_ref();
        let summary = match inst.process {
            Process::Standby => format!("{a} is a backup waiting in the pool: the failover manager starts it when a primary of {} is lost.", svc.name),
            Process::Booting => format!("{a} is starting; it serves once its boot time has passed and it has registered."),
            Process::Stopped if registered && !inst.health.healthy => format!(
                "{a} is down. The registry still lists it ({:.1} s of TTL left), but the health checker has marked it unhealthy, so the balancer skips it.",
                self.registry.expires_at(i).map_or(0.0, |t| t.since(now) as f64 / 1e6)
            ),
            Process::Stopped if registered => format!(
                "{a} is down but the registry still lists it until its TTL runs out ({:.1} s left), so calls to it fail: the balancer does not know yet.",
                self.registry.expires_at(i).map_or(0.0, |t| t.since(now) as f64 / 1e6)
            ),
            Process::Stopped => format!("{a} is down and the registry has expired it: nothing is sent to it."),
            Process::Running if !registered => format!("{a} is up but not listed by the registry, so no balancer knows it."),
            Process::Running if inst.faults.draining => format!("{a} is draining: the balancer sends it nothing new, and its {} requests in flight finish.", in_flight(self, i)),
            Process::Running if inst.ejected_until.is_some() => format!(
                "Outlier detection ejected {a} after consecutive 5xx errors; it returns at {} (each ejection lasts longer).",
                crate::SimTime(inst.ejected_until.map_or(0, |t| t.as_us()))
            ),
            Process::Running if !inst.health.healthy => format!(
                "The health checker marked {a} unhealthy after {} failed checks in a row; {} passing checks bring it back ({} so far).",
                hc.map_or(3, |h| h.unhealthy_threshold),
                hc.map_or(2, |h| h.healthy_threshold),
                inst.health.successes
            ),
            Process::Running if inst.health.failures > 0 => format!(
                "{a} failed its last {} health check(s); at {} in a row it is taken out of rotation.",
                inst.health.failures,
                hc.map_or(3, |h| h.unhealthy_threshold)
            ),
            Process::Running => format!(
                "{a} is serving: {} in flight, {:.1} req/s, CPU {:.0} %.",
                in_flight(self, i),
                inst.metrics.rate_per_s(now),
                self.cpu_fraction(i) * 100.0
            ),
        };
        let mut details = Vec::new();
        let p = inst.metrics.latest_percentiles();
        if p.samples > 0 {
            details.push(format!(
                "Latency over the window: p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms; {:.1} % errors.",
                p.p50_ms,
                p.p95_ms,
                p.p99_ms,
                inst.metrics.error_rate() * 100.0
            ));
        }
        for f in self.active_faults().iter().filter(|f| f.target == Some(i)) {
            details.push(format!("Fault acting: {}.", f.kind.describe()));
        }
        for (c, _, br) in self.breakers().filter(|(_, u, _)| *u == i) {
            let caller = c.map_or("the gateway".to_string(), |c| self.address(c).to_string());
            let line = match br.state() {
                BreakerState::Closed if br.opened == 0 => continue,
                BreakerState::Closed => format!("Breaker {caller} → {a}: closed again (opened {} times).", br.opened),
                BreakerState::Open => format!(
                    "Breaker {caller} → {a}: open, calls fail fast (503) or go elsewhere; half-open at {}.",
                    crate::SimTime(br.half_open_at().map_or(0, |t| t.as_us()))
                ),
                BreakerState::HalfOpen => format!("Breaker {caller} → {a}: half-open, trial calls decide whether it closes."),
            };
            details.push(line);
        }
        Explanation {
            title: format!("{a} ({})", svc.name),
            summary,
            details,
            source:
                "health checks and failover: seed chapters; outlier ejection and draining: Envoy"
                    .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rank;
    use crate::InstanceId;

    fn ids(v: &[(InstanceId, f64)]) -> Vec<u32> {
        v.iter().map(|(i, _)| i.0).collect()
    }

    #[test]
    fn rank_orders_by_value_then_by_instance_id() {
        let v = vec![
            (InstanceId(2), 1.0),
            (InstanceId(0), 3.5),
            (InstanceId(1), 1.0),
            (InstanceId(3), 0.25),
        ];
        // Ascending (in flight, peak EWMA cost): equal values by id, ascending.
        assert_eq!(ids(&rank(v.clone(), false)), [3, 1, 2, 0]);
        // Descending (dynamic score): highest first; equal values still by id, ascending.
        assert_eq!(ids(&rank(v, true)), [0, 1, 2, 3]);
    }
}
