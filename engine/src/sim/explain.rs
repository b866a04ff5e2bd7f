//! The explain panel's content: what a mechanism is doing now and why, as typed facts tied to
//! the live numbers (the rule that applies, the ranked candidates with their values). The words
//! are made by [`crate::present::explanation`] ("least connections sends to 10.0.0.3 because it
//! has 2 requests in flight, the others 7 and 5").
//!
//! Computed by the engine from its own state, so the page never computes numbers of its own.
//! The rules explained are the ones [`crate::mechanisms::balancer`], [`crate::mechanisms::health`],
//! [`crate::mechanisms::breaker`]
//! and [`crate::mechanisms::ratelimit`] implement; each [`Answer`] names its source.

use crate::common::{BrokerId, InstanceId, ServiceId, SubscriptionId};
use crate::mechanisms::action::ActionKind;
use crate::mechanisms::balancer::{dynamic_score, Strategy};
use crate::mechanisms::breaker::BreakerState;
use crate::mechanisms::messaging::BrokerFaults;
use crate::mechanisms::ratelimit::RateLimitConfig;
use crate::sim::{Process, Simulation};
use crate::time::SimTime;
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
    /// A queue or a topic's subscription: its backlog and its consumers.
    Queue(SubscriptionId),
    /// A message broker.
    Broker(BrokerId),
}

/// Crosses as postcard writes it: the variant's index, then its id.
impl crate::codec::Wire for Selection {
    fn wire(&mut self, c: &mut crate::codec::Codec) {
        let mut i: u64 = match self {
            Selection::Gateway => 0,
            Selection::Service(_) => 1,
            Selection::Instance(_) => 2,
            Selection::Queue(_) => 3,
            Selection::Broker(_) => 4,
        };
        c.varint(&mut i);
        if c.decoding {
            *self = match i {
                0 => Selection::Gateway,
                1 => Selection::Service(ServiceId(0)),
                2 => Selection::Instance(InstanceId(0)),
                3 => Selection::Queue(SubscriptionId(0)),
                _ => Selection::Broker(BrokerId(0)),
            };
        }
        match self {
            Selection::Gateway => {}
            Selection::Service(id) => id.wire(c),
            Selection::Instance(id) => id.wire(c),
            Selection::Queue(id) => id.wire(c),
            Selection::Broker(id) => id.wire(c),
        }
    }
    fn blank() -> Self {
        Selection::Gateway
    }
}

/// An explanation: what is explained, the live answer, and supporting facts.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// What is explained (the title).
    pub about: About,
    /// The answer to "why", with the numbers it rests on.
    pub answer: Answer,
    /// Supporting facts, in the order shown.
    pub details: Vec<Detail>,
}

/// What an [`Explanation`] is about.
#[derive(Clone, Debug, PartialEq)]
pub enum About {
    /// An unknown selection.
    Nothing,
    /// The gateway, with its rate limit if it has one.
    Gateway(Option<RateLimitConfig>),
    /// A service's balancer and its strategy.
    Service(ServiceId, Strategy),
    /// An instance of a service.
    Instance(InstanceId, ServiceId),
    /// A queue or a topic's subscription.
    Queue(SubscriptionId),
    /// A message broker.
    Broker(BrokerId),
}

/// A candidate with the value it is ranked by (requests in flight, cost in µs, score or
/// req/s, as the [`Answer`] variant says).
pub type Ranked = (InstanceId, f64);

/// The live answer: which rule applies now and the numbers that decide it.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// Nothing is selected.
    Nothing,
    /// The gateway has no rate limit: it passes `offered_rps` (req/s) on.
    GatewayOpen {
        /// Offered client rate, req/s.
        offered_rps: f64,
    },
    /// The gateway's limiter rejected `rejected` of `arrived` requests with 429.
    GatewayLimited {
        /// Offered client rate, req/s.
        offered_rps: f64,
        /// Requests rejected so far.
        rejected: u64,
        /// Requests arrived so far.
        arrived: u64,
    },
    /// The service has no candidate: calls fail with 503.
    NoCandidate(ServiceId),
    /// Round robin over `candidates`; `in_flight` ranked ascending (at most 6).
    RoundRobin {
        /// Candidates.
        candidates: u32,
        /// Requests in flight per candidate, fewest first.
        in_flight: Vec<Ranked>,
    },
    /// Least connections picks `best`; `others` by requests in flight, fewest first.
    LeastConnections {
        /// The pick and its requests in flight.
        best: Ranked,
        /// The rest (at most 6).
        others: Vec<Ranked>,
    },
    /// Power of two choices: `best` would win against `worst` (requests in flight).
    PowerOfTwoChoices {
        /// The least loaded candidate.
        best: Ranked,
        /// The most loaded candidate.
        worst: Ranked,
    },
    /// Peak EWMA prefers `best`; costs in µs, lowest first.
    PeakEwma {
        /// The cheapest candidate and its cost, µs.
        best: Ranked,
        /// The rest (at most 6), µs.
        others: Vec<Ranked>,
    },
    /// A weighted strategy: each candidate's weight, share and rate.
    Weighted {
        /// Smooth weighted round robin or weighted random.
        strategy: Strategy,
        /// The candidates (at most 8).
        shares: Vec<WeightShare>,
    },
    /// Random: about equal shares over `candidates`; `rates` in req/s (at most 8).
    Random {
        /// Candidates.
        candidates: u32,
        /// Request rate per candidate, req/s.
        rates: Vec<Ranked>,
    },
    /// Dynamic score sends to `best`; scores highest first.
    DynamicScore {
        /// The highest score.
        best: Ranked,
        /// The rest (at most 6).
        others: Vec<Ranked>,
    },
    /// A strategy that picks by the client (IP hash, sticky sessions, ring hash, Maglev);
    /// `rates` in req/s (at most 8).
    ByClient {
        /// The strategy.
        strategy: Strategy,
        /// Request rate per candidate, req/s.
        rates: Vec<Ranked>,
    },
    /// The state of an instance and what follows from it.
    Instance(InstanceAnswer),
    /// A backlog and how fast its consumers can take it (queue-based load levelling).
    Backlog(BacklogAnswer),
    /// A broker's state and the messages it holds.
    Broker {
        /// Its faults now.
        faults: BrokerFaults,
        /// Messages waiting in all its queues.
        waiting: u64,
        /// Its queues and topic subscriptions.
        queues: u32,
    },
}

/// A backlog now ([`Answer::Backlog`]): what waits, who can consume it and how fast.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BacklogAnswer {
    /// The subscription.
    pub queue: SubscriptionId,
    /// Messages waiting.
    pub depth: u64,
    /// Age of the oldest waiting message, simulated ms.
    pub lag_ms: u64,
    /// Consumer instances that can take messages now.
    pub consumers_up: u32,
    /// Consumer instances in all.
    pub consumers: u32,
    /// What those can process, messages per second (slots ÷ mean service time).
    pub capacity_per_s: f64,
    /// Messages published per second over the last 5 simulated seconds.
    pub arrival_per_s: f64,
    /// Its broker answers.
    pub broker_ok: bool,
    /// An operator paused its consumers.
    pub paused: bool,
}

impl BacklogAnswer {
    /// Seconds until the backlog drains at the current rates (`None`: it does not drain:
    /// consumers no faster than arrivals, paused, or the broker down).
    pub fn drain_s(&self) -> Option<f64> {
        let net = self.capacity_per_s - self.arrival_per_s;
        (self.depth > 0 && net > 0.0 && self.broker_ok && !self.paused)
            .then(|| self.depth as f64 / net)
    }
}

/// A weighted candidate ([`Answer::Weighted`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightShare {
    /// The instance.
    pub instance: InstanceId,
    /// Its weight.
    pub weight: u32,
    /// Its share of all candidates' weight, percent.
    pub share_pct: f64,
    /// Its request rate now, req/s.
    pub rps: f64,
}

/// Where an instance is in its life, and why traffic does or does not reach it.
#[derive(Clone, Debug, PartialEq)]
pub enum InstanceAnswer {
    /// A backup waiting in the pool of `service`.
    Standby(ServiceId),
    /// Booting.
    Booting,
    /// Down, still listed by the registry for `ttl_left_us`, but marked unhealthy.
    DownMarkedUnhealthy {
        /// TTL left, simulated µs.
        ttl_left_us: u64,
    },
    /// Down and still listed for `ttl_left_us`: calls to it fail.
    DownListed {
        /// TTL left, simulated µs.
        ttl_left_us: u64,
    },
    /// Down and expired.
    DownExpired,
    /// Running but not registered.
    NotRegistered,
    /// Draining; `in_flight` requests finish.
    Draining {
        /// Requests in flight.
        in_flight: u32,
    },
    /// Ejected by outlier detection until `until`.
    Ejected {
        /// When it returns.
        until: SimTime,
    },
    /// Marked unhealthy; `successes` of `healthy_threshold` passing checks so far.
    Unhealthy {
        /// Failures that marked it.
        unhealthy_threshold: u32,
        /// Passes that bring it back.
        healthy_threshold: u32,
        /// Passes so far.
        successes: u32,
    },
    /// Failed its last `failures` checks; out of rotation at `threshold`.
    FailingChecks {
        /// Failures in a row.
        failures: u32,
        /// The unhealthy threshold.
        threshold: u32,
    },
    /// Serving.
    Serving {
        /// Requests in flight.
        in_flight: u32,
        /// Request rate, req/s.
        rps: f64,
        /// CPU, 0 to 1.
        cpu: f64,
    },
}

/// One supporting fact.
#[derive(Clone, Debug, PartialEq)]
pub enum Detail {
    /// Requests that arrived so far.
    Arrived(u64),
    /// How a token bucket and a sliding window differ.
    LimiterRules,
    /// Requests the limiter would pass now.
    Headroom(f64),
    /// `candidates` of `listed` instances are candidates.
    Candidates {
        /// Candidates.
        candidates: u32,
        /// Instances the balancer lists.
        listed: u32,
    },
    /// Panic mode, below `threshold_pct` healthy.
    Panic {
        /// The threshold, percent.
        threshold_pct: f64,
    },
    /// Latency and failures of the calls to a service over the metrics window.
    ServiceCalls {
        /// The service.
        service: ServiceId,
        /// Percentiles, ms.
        p50_ms: f64,
        /// 95th percentile, ms.
        p95_ms: f64,
        /// 99th percentile, ms.
        p99_ms: f64,
        /// Failed share, 0 to 1.
        failed: f64,
    },
    /// Latency and errors of an instance over the window.
    InstanceLatency {
        /// Median, ms.
        p50_ms: f64,
        /// 95th percentile, ms.
        p95_ms: f64,
        /// 99th percentile, ms.
        p99_ms: f64,
        /// Error share, 0 to 1.
        errors: f64,
    },
    /// A fault acting on the instance.
    Fault(ActionKind),
    /// A breaker in front of the instance that is not closed or has opened before.
    Breaker {
        /// The caller (`None`: the gateway).
        caller: Option<InstanceId>,
        /// The upstream.
        instance: InstanceId,
        /// Its state.
        state: BreakerState,
        /// Times it opened.
        opened: u32,
        /// When open: when it goes half-open.
        half_open_at: Option<SimTime>,
    },
}

/// Requests in service or queued at an instance (its metrics gauge).
fn in_flight(sim: &Simulation, i: InstanceId) -> u32 {
    sim.instance_gauges(i).in_flight
}

/// Candidates ranked by a value (in flight, cost in µs or score): ascending, or descending when
/// `descending`; equal values by instance id, ascending. Every ranking in the explain panel goes
/// through this one comparator.
fn rank(v: Vec<Ranked>, descending: bool) -> Vec<Ranked> {
    let order = |a: &Ranked, b: &Ranked| {
        let by_value = a.1.total_cmp(&b.1);
        let by_value = if descending {
            by_value.reverse()
        } else {
            by_value
        };
        by_value.then(a.0.cmp(&b.0))
    };
    // Each inserted at its place: at most a service's instances (64), and no sort of its own
    // in the wasm (a sort instantiation is about 1 KB gzipped).
    let mut out: Vec<Ranked> = Vec::with_capacity(v.len());
    for r in v {
        let at = out.partition_point(|x| order(x, &r).is_lt());
        out.insert(at, r);
    }
    out
}

impl Simulation {
    /// Explains `sel` at the current simulated instant. Unknown ids give [`About::Nothing`].
    pub fn explain(&self, sel: Selection) -> Explanation {
        match sel {
            Selection::Gateway => self.explain_gateway(),
            Selection::Service(s) if s.index() < self.cfg.services.len() => self.explain_service(s),
            Selection::Instance(i) if i.index() < self.instances.len() => self.explain_instance(i),
            Selection::Queue(q) if self.subscription_of(q).is_some() => Explanation {
                about: About::Queue(q),
                answer: Answer::Backlog(self.backlog_answer(q)),
                details: Vec::new(),
            },
            Selection::Broker(b)
                if self
                    .messaging_view()
                    .is_some_and(|m| b.index() < m.brokers.len()) =>
            {
                let m = self.messaging_view().expect("checked");
                let on_it = m.subscriptions.iter().filter(|s| s.broker == b);
                Explanation {
                    about: About::Broker(b),
                    answer: Answer::Broker {
                        faults: m.brokers[b.index()].faults,
                        waiting: on_it.clone().map(|s| s.depth).sum(),
                        queues: on_it.count() as u32,
                    },
                    details: Vec::new(),
                }
            }
            _ => Explanation {
                about: About::Nothing,
                answer: Answer::Nothing,
                details: Vec::new(),
            },
        }
    }

    fn explain_gateway(&self) -> Explanation {
        let t = self.totals();
        let offered_rps = self.cfg.traffic.rate_rps;
        let limit = self.cfg.gateway.rate_limit;
        let (answer, details) = match limit {
            None => (
                Answer::GatewayOpen { offered_rps },
                vec![Detail::Arrived(t.arrived)],
            ),
            Some(_) => (
                Answer::GatewayLimited {
                    offered_rps,
                    rejected: t.rejected,
                    arrived: t.arrived,
                },
                vec![
                    Detail::LimiterRules,
                    Detail::Headroom(self.limiter_headroom().unwrap_or(0.0)),
                ],
            ),
        };
        Explanation {
            about: About::Gateway(limit),
            answer,
            details,
        }
    }

    fn explain_service(&self, s: ServiceId) -> Explanation {
        let svc = &self.cfg.services[s.index()];
        let b = &self.balancers[s];
        let cands = self.candidates(s);
        let now = self.now();
        let mut details = vec![Detail::Candidates {
            candidates: cands.len() as u32,
            listed: self.upstreams(s).len() as u32,
        }];
        if self.in_panic(s) {
            details.push(Detail::Panic {
                threshold_pct: svc.panic_threshold_pct,
            });
        }
        let strategy = svc.strategy;
        let about = About::Service(s, strategy);
        if cands.is_empty() {
            return Explanation {
                about,
                answer: Answer::NoCandidate(s),
                details,
            };
        }
        let by_load = rank(
            cands
                .iter()
                .map(|&i| (i, f64::from(in_flight(self, i))))
                .collect(),
            false,
        );
        let others = |skip: Option<InstanceId>| -> Vec<Ranked> {
            by_load
                .iter()
                .filter(|(i, _)| Some(*i) != skip)
                .take(6)
                .copied()
                .collect()
        };
        let rate = |i: InstanceId| self.instances[i].metrics.rate_per_s(now);
        let rates: Vec<Ranked> = cands.iter().take(8).map(|&i| (i, rate(i))).collect();
        let answer = match strategy {
            Strategy::RoundRobin => Answer::RoundRobin {
                candidates: cands.len() as u32,
                in_flight: others(None),
            },
            Strategy::LeastConnections => Answer::LeastConnections {
                best: by_load[0],
                others: others(Some(by_load[0].0)),
            },
            Strategy::PowerOfTwoChoices => Answer::PowerOfTwoChoices {
                best: by_load[0],
                worst: by_load[by_load.len() - 1],
            },
            Strategy::PeakEwma => {
                let costs = rank(
                    cands.iter().map(|&i| (i, b.ewma_cost(i, now))).collect(),
                    false,
                );
                Answer::PeakEwma {
                    best: costs[0],
                    others: costs.iter().skip(1).take(6).copied().collect(),
                }
            }
            Strategy::WeightedRoundRobin | Strategy::WeightedRandom => {
                let total: u32 = cands.iter().map(|&i| b.weight(i)).sum();
                let shares = cands
                    .iter()
                    .take(8)
                    .map(|&i| {
                        let weight = b.weight(i);
                        WeightShare {
                            instance: i,
                            weight,
                            share_pct: if total > 0 {
                                weight as f64 * 100.0 / total as f64
                            } else {
                                0.0
                            },
                            rps: rate(i),
                        }
                    })
                    .collect();
                Answer::Weighted { strategy, shares }
            }
            Strategy::Random => Answer::Random {
                candidates: cands.len() as u32,
                rates,
            },
            Strategy::DynamicScore => {
                let scored = rank(
                    cands
                        .iter()
                        .map(|&i| (i, dynamic_score(b.last_report(i), now)))
                        .collect(),
                    true,
                );
                Answer::DynamicScore {
                    best: scored[0],
                    others: scored.iter().skip(1).take(6).copied().collect(),
                }
            }
            Strategy::IpHash | Strategy::StickySession | Strategy::RingHash | Strategy::Maglev => {
                Answer::ByClient { strategy, rates }
            }
        };
        let p = self.service_metrics[s].latest_percentiles();
        if p.samples > 0 {
            details.push(Detail::ServiceCalls {
                service: s,
                p50_ms: p.p50_ms,
                p95_ms: p.p95_ms,
                p99_ms: p.p99_ms,
                failed: self.service_metrics[s].error_rate(),
            });
        }
        Explanation {
            about,
            answer,
            details,
        }
    }

    fn explain_instance(&self, i: InstanceId) -> Explanation {
        let inst = &self.instances[i];
        let now = self.now();
        let svc = &self.cfg.services[inst.service.index()];
        let registered = self.registry.is_registered(i);
        let hc = svc.health_check.as_ref();
        let ttl_left_us = self.registry.expires_at(i).map_or(0, |t| t.since(now));
        let answer = match inst.process {
            Process::Standby => InstanceAnswer::Standby(inst.service),
            Process::Booting => InstanceAnswer::Booting,
            Process::Stopped if registered && !inst.health.healthy => {
                InstanceAnswer::DownMarkedUnhealthy { ttl_left_us }
            }
            Process::Stopped if registered => InstanceAnswer::DownListed { ttl_left_us },
            Process::Stopped => InstanceAnswer::DownExpired,
            Process::Running if !registered => InstanceAnswer::NotRegistered,
            Process::Running if inst.faults.draining => InstanceAnswer::Draining {
                in_flight: in_flight(self, i),
            },
            Process::Running if inst.ejected_until.is_some() => InstanceAnswer::Ejected {
                until: inst.ejected_until.unwrap_or(now),
            },
            Process::Running if !inst.health.healthy => InstanceAnswer::Unhealthy {
                unhealthy_threshold: hc.map_or(3, |h| h.unhealthy_threshold),
                healthy_threshold: hc.map_or(2, |h| h.healthy_threshold),
                successes: inst.health.successes,
            },
            Process::Running if inst.health.failures > 0 => InstanceAnswer::FailingChecks {
                failures: inst.health.failures,
                threshold: hc.map_or(3, |h| h.unhealthy_threshold),
            },
            Process::Running => InstanceAnswer::Serving {
                in_flight: in_flight(self, i),
                rps: inst.metrics.rate_per_s(now),
                cpu: self.cpu_fraction(i),
            },
        };
        let mut details = Vec::new();
        let p = inst.metrics.latest_percentiles();
        if p.samples > 0 {
            details.push(Detail::InstanceLatency {
                p50_ms: p.p50_ms,
                p95_ms: p.p95_ms,
                p99_ms: p.p99_ms,
                errors: inst.metrics.error_rate(),
            });
        }
        for f in self.active_faults().iter().filter(|f| f.target == Some(i)) {
            details.push(Detail::Fault(f.kind));
        }
        for (caller, _, br) in self.breakers().filter(|(_, u, _)| *u == i) {
            if br.state() == BreakerState::Closed && br.opened == 0 {
                continue;
            }
            details.push(Detail::Breaker {
                caller,
                instance: i,
                state: br.state(),
                opened: br.opened,
                half_open_at: br.half_open_at(),
            });
        }
        Explanation {
            about: About::Instance(i, inst.service),
            answer: Answer::Instance(answer),
            details,
        }
    }
}

impl Simulation {
    /// The backlog of `sub` now, its consumers and their capacity ([`crate::sim::explain`]).
    pub(crate) fn backlog_answer(&self, sub: SubscriptionId) -> BacklogAnswer {
        let st = &self.msg.subs[sub.index()];
        let members: Vec<InstanceId> = self.service_instances(st.service).collect();
        let up: Vec<InstanceId> = members
            .iter()
            .copied()
            .filter(|&i| self.consumer_ready(i))
            .collect();
        let capacity_per_s = up
            .iter()
            .map(|&i| {
                let c = self.instance_config(i);
                let slots = self.instances[i]
                    .faults
                    .concurrency
                    .unwrap_or(c.concurrency) as f64;
                let mean_ms = c.latency.mean_ms() * self.instances[i].faults.slow;
                if mean_ms > 0.0 {
                    slots * 1_000.0 / mean_ms
                } else {
                    0.0
                }
            })
            .sum();
        let recent: Vec<u64> = st
            .series
            .iter()
            .rev()
            .take(5)
            .map(|p| p.published)
            .collect();
        let arrival_per_s = if recent.is_empty() {
            0.0
        } else {
            recent.iter().sum::<u64>() as f64 / recent.len() as f64
        };
        BacklogAnswer {
            queue: sub,
            depth: st.backlog.depth() as u64,
            lag_ms: st.backlog.lag_us(self.now) / 1_000,
            consumers_up: up.len() as u32,
            consumers: members.len() as u32,
            capacity_per_s,
            arrival_per_s,
            broker_ok: self.msg.brokers[st.broker.index()].ok(),
            paused: st.paused,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rank;
    use crate::common::InstanceId;

    fn ids(v: &[super::Ranked]) -> Vec<u32> {
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
