//! An explanation in words: a title, the answer in one sentence, details and the source.

use super::{and_list, fault, rate_limit, Names};
use crate::common::InstanceId;
use crate::mechanisms::balancer::Strategy;
use crate::mechanisms::breaker::BreakerState;
use crate::present::Dec;
use crate::sim::explain::{
    About, Answer, BacklogAnswer, Detail, Explanation, InstanceAnswer, Ranked,
};

/// An [`Explanation`] as the explain panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExplanationText {
    /// What is explained, e.g. `least connections on user-service`.
    pub title: String,
    /// The live answer in one sentence.
    pub summary: String,
    /// Supporting facts, one per line.
    pub details: Vec<String>,
    /// Where the rule comes from (seed chapter, paper or system); empty when nothing is
    /// selected.
    pub source: String,
}
crate::codec::wire_struct!(ExplanationText {
    title,
    summary,
    details,
    source
});

/// `e` in words, ids named through `names`.
pub fn explanation(e: &Explanation, names: &impl Names) -> ExplanationText {
    let addr = |i: InstanceId| names.instance(i).to_string();
    let title = match &e.about {
        About::Nothing => "nothing selected".to_string(),
        About::Gateway(None) => "gateway".to_string(),
        About::Gateway(Some(rl)) => format!("rate limiter: {}", rate_limit(rl)),
        About::Service(s, strategy) => format!("{} on {}", strategy.label(), names.service(*s)),
        About::Instance(i, s) => format!("{} ({})", addr(*i), names.service(*s)),
        About::Queue(q) => format!("{}: backlog and consumers", super::subscription(*q, names)),
        About::Broker(b) => format!("broker {}", names.broker(*b)),
    };
    let list = |v: &[Ranked], unit: &dyn Fn(f64) -> String| -> String {
        let items: Vec<String> = v
            .iter()
            .map(|(i, x)| format!("{} {}", addr(*i), unit(*x)))
            .collect();
        and_list(&items)
    };
    let count = |x: f64| Dec(x).to_string();
    let rps = |x: f64| format!("{x:.1} req/s", x = Dec(x));
    let (summary, source) = match &e.answer {
        Answer::Nothing => (
            "Select the gateway, a service or an instance.".to_string(),
            "",
        ),
        Answer::GatewayOpen { offered_rps } => (
            format!("The gateway passes every client request on ({offered_rps:.0} req/s offered): it has no rate limit.", offered_rps = Dec(*offered_rps)),
            "api-gateway seed chapter",
        ),
        Answer::GatewayLimited {
            offered_rps,
            rejected,
            arrived,
        } => {
            let pct = if *arrived > 0 {
                *rejected as f64 * 100.0 / *arrived as f64
            } else {
                0.0
            };
            (
                format!("Clients offer {offered_rps:.0} req/s; the limiter has rejected {rejected} of {arrived} requests so far ({pct:.1} %) with 429, so the services behind it see at most its limit.", offered_rps = Dec(*offered_rps), pct = Dec(pct)),
                "api-gateway seed chapter (token bucket, sliding window); Envoy local rate limit",
            )
        }
        Answer::NoCandidate(s) => (
            format!(
                "{} has no instance to send to: calls fail at once with 503 (no healthy upstream).",
                names.service(*s)
            ),
            "Envoy: no healthy upstream",
        ),
        Answer::RoundRobin {
            candidates,
            in_flight,
        } => (
            match candidates {
                1 => format!(
                    "Round robin has one candidate, so it sends it every request: in flight now {}.",
                    list(in_flight, &count)
                ),
                n => format!(
                    "Round robin sends each new request to the next of the {n} candidates in turn, whatever their load: in flight now {}.",
                    list(in_flight, &count)
                ),
            },
            "load-balancing seed chapter (round robin); Envoy ROUND_ROBIN",
        ),
        Answer::LeastConnections { best, others } => (
            format!(
                "Least connections sends to {} because it has {} request{} in flight, the others {}.",
                addr(best.0),
                Dec(best.1),
                if best.1 == 1.0 { "" } else { "s" },
                list(others, &count)
            ),
            "load-balancing seed chapter (least connections)",
        ),
        Answer::PowerOfTwoChoices { best, worst } => (
            format!(
                "Power of two choices picks two candidates at random and sends to the one with fewer in flight: {} ({}) would win against {} ({}); the busiest wins only if drawn twice.",
                addr(best.0),
                Dec(best.1),
                addr(worst.0),
                Dec(worst.1)
            ),
            "Mitzenmacher, The Power of Two Choices (2001); Envoy LEAST_REQUEST",
        ),
        Answer::PeakEwma { best, others } => (
            format!(
                "Peak EWMA compares two random candidates by latency EWMA × (in flight + 1) and prefers {}: cost {:.1} ms, the others {}.",
                addr(best.0),
                Dec(best.1 / 1e3),
                list(others, &|us| format!("{:.1} ms", Dec(us / 1e3)))
            ),
            "Finagle / linkerd peak EWMA",
        ),
        Answer::Weighted { strategy, shares } => {
            let items: Vec<String> = shares
                .iter()
                .map(|w| {
                    format!(
                        "{} weight {} → {:.0} % (now {:.1} req/s)",
                        addr(w.instance),
                        w.weight,
                        Dec(w.share_pct),
                        Dec(w.rps)
                    )
                })
                .collect();
            (
                format!(
                    "{} gives each candidate its weight's share of requests: {}.",
                    strategy.label(),
                    and_list(&items)
                ),
                if *strategy == Strategy::WeightedRoundRobin {
                    "nginx smooth weighted round robin"
                } else {
                    "load-balancing seed chapter (weighted random)"
                },
            )
        }
        Answer::Random { candidates, rates } => (
            format!(
                "Random picks uniformly, so over time each of the {candidates} candidates gets about the same share, but bursts pile up by chance: {}.",
                list(rates, &rps)
            ),
            "service-discovery seed chapter (random); Envoy RANDOM",
        ),
        Answer::DynamicScore { best, others } => (
            format!(
                "Dynamic score sends every request to the highest score 0.4·(1−cpu) + 0.3·(1−memory) + 0.3/(1+latency s) from the last load reports: {} scores {:.2}, the others {}. Reports arrive once a second, so it herds onto one instance between reports.",
                addr(best.0),
                Dec(best.1),
                list(others, &|s| format!("{s:.2}", s = Dec(s)))
            ),
            "load-balancing seed chapter (dynamic load balancing)",
        ),
        Answer::ByClient { strategy, rates } => (
            format!(
                "{} picks by the client: the same client goes to the same instance while it stays a candidate. When one leaves, {}. Spread now: {}.",
                strategy.label(),
                match strategy {
                    Strategy::IpHash => "the hash is taken modulo a new list length, so most clients move",
                    Strategy::StickySession => "only its clients are re-assigned",
                    _ => "only its clients move (consistent hashing)",
                },
                list(rates, &rps)
            ),
            match strategy {
                Strategy::IpHash => "nginx ip_hash",
                Strategy::StickySession => "session affinity (load-balancing seed chapter)",
                Strategy::RingHash => "Karger et al. 1997; Envoy RING_HASH with bounded loads (Mirrokni et al. 2016)",
                _ => "Eisenbud et al., Maglev (NSDI 2016); Envoy MAGLEV",
            },
        ),
        Answer::Backlog(b) => (backlog(b, names), "microservice-architecture.md §3.2 (MessageQueue, EventBus); queue-based load levelling; Amazon SQS visibility timeout and dead-letter queues"),
        Answer::Broker {
            faults,
            waiting,
            queues,
        } => (
            format!(
                "The broker is {}; it holds {waiting} waiting messages in {queues} {}{}.",
                super::broker_state(*faults),
                if *queues == 1 { "queue" } else { "queues" },
                if faults.down {
                    ": publishes are refused and nothing is delivered, but its messages are kept"
                } else if faults.unreachable {
                    ": publishes wait for an acknowledgement and nothing is delivered"
                } else {
                    ""
                }
            ),
            "RabbitMQ durable queues; Amazon SQS",
        ),
        Answer::Instance(state) => {
            let a = match &e.about {
                About::Instance(i, _) => addr(*i),
                _ => "?".to_string(),
            };
            (
                instance(state, &a, names),
                "health checks and failover: seed chapters; outlier ejection and draining: Envoy",
            )
        }
    };
    let details = e.details.iter().map(|d| detail(d, names)).collect();
    ExplanationText {
        title,
        summary,
        details,
        source: source.to_string(),
    }
}

/// The summary of an instance's state; `a` is its address.
fn instance(state: &InstanceAnswer, a: &str, names: &impl Names) -> String {
    let secs = |us: u64| Dec(us as f64 / 1e6);
    match state {
        InstanceAnswer::Standby(s) => format!(
            "{a} is a backup waiting in the pool: the failover manager starts it when a primary of {} is lost.",
            names.service(*s)
        ),
        InstanceAnswer::Booting => format!(
            "{a} is starting; it serves once its boot time has passed and it has registered."
        ),
        InstanceAnswer::DownMarkedUnhealthy { ttl_left_us } => format!(
            "{a} is down. The registry still lists it ({:.1} s of TTL left), but the health checker has marked it unhealthy, so the balancer skips it.",
            secs(*ttl_left_us)
        ),
        InstanceAnswer::DownListed { ttl_left_us } => format!(
            "{a} is down but the registry still lists it until its TTL runs out ({:.1} s left), so calls to it fail: the balancer does not know yet.",
            secs(*ttl_left_us)
        ),
        InstanceAnswer::DownExpired => {
            format!("{a} is down and the registry has expired it: nothing is sent to it.")
        }
        InstanceAnswer::NotRegistered => {
            format!("{a} is up but not listed by the registry, so no balancer knows it.")
        }
        InstanceAnswer::Draining { in_flight } => format!(
            "{a} is draining: the balancer sends it nothing new, and its {in_flight} requests in flight finish."
        ),
        InstanceAnswer::Ejected { until } => format!(
            "Outlier detection ejected {a} after consecutive 5xx errors; it returns at {until} (each ejection lasts longer)."
        ),
        InstanceAnswer::Unhealthy {
            unhealthy_threshold,
            healthy_threshold,
            successes,
        } => format!(
            "The health checker marked {a} unhealthy after {unhealthy_threshold} failed checks in a row; {healthy_threshold} passing checks bring it back ({successes} so far)."
        ),
        InstanceAnswer::FailingChecks {
            failures,
            threshold,
        } => format!(
            "{a} failed its last {failures} health check(s); at {threshold} in a row it is taken out of rotation."
        ),
        InstanceAnswer::Serving {
            in_flight,
            rps,
            cpu,
        } => format!(
            "{a} is serving: {in_flight} in flight, {rps:.1} req/s, CPU {:.0} %.",
            Dec(cpu * 100.0),
            rps = Dec(*rps)
        ),
    }
}

/// One supporting fact as a line.
fn detail(d: &Detail, names: &impl Names) -> String {
    match d {
        Detail::Arrived(n) => format!("{n} requests so far."),
        Detail::LimiterRules => "A token bucket allows bursts up to its size, then a steady refill rate; a sliding window allows a fixed count per window, so a burst at a window's edge is refused until old requests age out.".to_string(),
        Detail::Headroom(h) => format!("Headroom now: {h:.1} requests.", h = Dec(*h)),
        Detail::Candidates { candidates, listed } => format!(
            "{candidates} of {listed} instances the balancer knows are candidates (listed, healthy, not ejected, not draining)."
        ),
        Detail::Panic { threshold_pct } => format!(
            "Panic mode: fewer than {} % of its instances are healthy, so it routes to all of them rather than overload the few left (Envoy's panic threshold).",
            Dec(*threshold_pct)
        ),
        Detail::ServiceCalls {
            service,
            p50_ms,
            p95_ms,
            p99_ms,
            failed,
        } => format!(
            "Calls to {} over the window: p50 {p50_ms:.0} ms, p95 {p95_ms:.0} ms, p99 {p99_ms:.0} ms, {:.1} % failed.",
            names.service(*service),
            Dec(failed * 100.0),
            p50_ms = Dec(*p50_ms),
            p95_ms = Dec(*p95_ms),
            p99_ms = Dec(*p99_ms)
        ),
        Detail::InstanceLatency {
            p50_ms,
            p95_ms,
            p99_ms,
            errors,
        } => format!(
            "Latency over the window: p50 {p50_ms:.0} ms, p95 {p95_ms:.0} ms, p99 {p99_ms:.0} ms; {:.1} % errors.",
            Dec(errors * 100.0),
            p50_ms = Dec(*p50_ms),
            p95_ms = Dec(*p95_ms),
            p99_ms = Dec(*p99_ms)
        ),
        Detail::Fault(kind) => format!("Fault acting: {}.", fault(kind)),
        Detail::Breaker {
            caller,
            instance,
            state,
            opened,
            half_open_at,
        } => {
            let caller = caller.map_or("the gateway".to_string(), |c| names.instance(c).to_string());
            let a = names.instance(*instance);
            match state {
                BreakerState::Closed => {
                    format!("Breaker {caller} → {a}: closed again (opened {opened} times).")
                }
                BreakerState::Open => format!(
                    "Breaker {caller} → {a}: open, calls fail fast (503) or go elsewhere; half-open at {}.",
                    half_open_at.unwrap_or_default()
                ),
                BreakerState::HalfOpen => format!(
                    "Breaker {caller} → {a}: half-open, trial calls decide whether it closes."
                ),
            }
        }
    }
}

/// A backlog in one sentence: what waits, why, and when it drains.
fn backlog(b: &BacklogAnswer, names: &impl Names) -> String {
    let name = super::subscription(b.queue, names);
    let service = names
        .subscription(b.queue)
        .map_or("?", |(_, _, s)| names.service(s));
    let (cap, arr) = (b.capacity_per_s, b.arrival_per_s);
    if b.depth == 0 {
        return format!(
            "{name} is empty: {} of {} {service} consumers ({cap:.0} messages/s) keep up with the {arr:.0} published a second.",
            b.consumers_up, b.consumers,
            cap = Dec(cap),
            arr = Dec(arr)
        );
    }
    let why = if !b.broker_ok {
        "its broker is down, so nothing is delivered".to_string()
    } else if b.paused {
        "its consumers are paused".to_string()
    } else if b.consumers_up == 0 {
        let all = match b.consumers {
            1 => "its one".to_string(),
            2 => "both".to_string(),
            n => format!("all {n}"),
        };
        format!("{all} {service} consumers are down or out of rotation, so nothing drains")
    } else {
        match b.drain_s() {
            Some(d) => format!(
                "at {cap:.0} messages/s of consumer capacity ({} of {} {service} consumers) against {arr:.0} published it drains in about {d:.0} s",
                b.consumers_up, b.consumers,
                cap = Dec(cap),
                arr = Dec(arr),
                d = Dec(d)
            ),
            None => format!(
                "its consumers' {cap:.0} messages/s do not exceed the {arr:.0} published a second, so it keeps growing",
                cap = Dec(cap),
                arr = Dec(arr)
            ),
        }
    };
    format!(
        "{name} holds {} messages; the oldest has waited {:.0} s; {why}.",
        b.depth,
        Dec(b.lag_ms as f64 / 1e3)
    )
}

#[cfg(test)]
mod tests {
    use super::explanation;
    use crate::common::{InstanceId, ServiceId};
    use crate::mechanisms::action::ActionKind;
    use crate::mechanisms::balancer::Strategy;
    use crate::mechanisms::breaker::BreakerState;
    use crate::mechanisms::ratelimit::RateLimitConfig;
    use crate::present::test_names::Table;
    use crate::sim::explain::{About, Answer, Detail, Explanation, InstanceAnswer, WeightShare};
    use crate::time::SimTime;
    use expect_test::{expect, Expect};

    const S0: ServiceId = ServiceId(0);

    fn i(n: u32) -> InstanceId {
        InstanceId(n)
    }

    /// Renders an explanation as title / summary / details / source lines.
    fn check(e: Explanation, expected: Expect) {
        let t = explanation(&e, &Table::new());
        let mut out = format!("{}\n{}\n", t.title, t.summary);
        for d in &t.details {
            out.push_str(&format!("- {d}\n"));
        }
        out.push_str(&format!("source: {}", t.source));
        expected.assert_eq(&out);
    }

    fn service(strategy: Strategy, answer: Answer) -> Explanation {
        Explanation {
            about: About::Service(S0, strategy),
            answer,
            details: vec![],
        }
    }

    #[test]
    fn nothing_selected() {
        check(
            Explanation {
                about: About::Nothing,
                answer: Answer::Nothing,
                details: vec![],
            },
            expect![[r#"
                nothing selected
                Select the gateway, a service or an instance.
                source: "#]],
        );
    }

    #[test]
    fn queues_and_brokers() {
        use crate::common::{BrokerId, SubscriptionId};
        use crate::mechanisms::messaging::BrokerFaults;
        use crate::sim::explain::BacklogAnswer;
        let outage = BacklogAnswer {
            queue: SubscriptionId(0),
            depth: 1_240,
            lag_ms: 58_300,
            consumers_up: 0,
            consumers: 2,
            capacity_per_s: 0.0,
            arrival_per_s: 100.0,
            broker_ok: true,
            paused: false,
        };
        let about = About::Queue(SubscriptionId(0));
        check(
            Explanation {
                about: about.clone(),
                answer: Answer::Backlog(outage),
                details: vec![],
            },
            expect![[r#"
                email-queue: backlog and consumers
                email-queue holds 1240 messages; the oldest has waited 58 s; both order-service consumers are down or out of rotation, so nothing drains.
                source: microservice-architecture.md §3.2 (MessageQueue, EventBus); queue-based load levelling; Amazon SQS visibility timeout and dead-letter queues"#]],
        );
        let draining = BacklogAnswer {
            consumers_up: 2,
            capacity_per_s: 200.0,
            lag_ms: 30_000,
            depth: 4_000,
            ..outage
        };
        check(
            Explanation {
                about: about.clone(),
                answer: Answer::Backlog(draining),
                details: vec![],
            },
            expect![[r#"
                email-queue: backlog and consumers
                email-queue holds 4000 messages; the oldest has waited 30 s; at 200 messages/s of consumer capacity (2 of 2 order-service consumers) against 100 published it drains in about 40 s.
                source: microservice-architecture.md §3.2 (MessageQueue, EventBus); queue-based load levelling; Amazon SQS visibility timeout and dead-letter queues"#]],
        );
        let empty = BacklogAnswer {
            depth: 0,
            lag_ms: 0,
            ..draining
        };
        check(
            Explanation {
                about,
                answer: Answer::Backlog(empty),
                details: vec![],
            },
            expect![[r#"
                email-queue: backlog and consumers
                email-queue is empty: 2 of 2 order-service consumers (200 messages/s) keep up with the 100 published a second.
                source: microservice-architecture.md §3.2 (MessageQueue, EventBus); queue-based load levelling; Amazon SQS visibility timeout and dead-letter queues"#]],
        );
        check(
            Explanation {
                about: About::Broker(BrokerId(0)),
                answer: Answer::Broker {
                    faults: BrokerFaults {
                        down: true,
                        unreachable: false,
                    },
                    waiting: 1_240,
                    queues: 1,
                },
                details: vec![],
            },
            expect![[r#"
                broker broker-1
                The broker is down (crashed); it holds 1240 waiting messages in 1 queue: publishes are refused and nothing is delivered, but its messages are kept.
                source: RabbitMQ durable queues; Amazon SQS"#]],
        );
    }

    #[test]
    fn gateway() {
        check(
            Explanation {
                about: About::Gateway(None),
                answer: Answer::GatewayOpen { offered_rps: 200.0 },
                details: vec![Detail::Arrived(4_012)],
            },
            expect![[r#"
                gateway
                The gateway passes every client request on (200 req/s offered): it has no rate limit.
                - 4012 requests so far.
                source: api-gateway seed chapter"#]],
        );
        check(
            Explanation {
                about: About::Gateway(Some(RateLimitConfig::TokenBucket {
                    capacity: 100,
                    refill_per_s: 50.0,
                })),
                answer: Answer::GatewayLimited {
                    offered_rps: 120.0,
                    rejected: 250,
                    arrived: 1_000,
                },
                details: vec![Detail::LimiterRules, Detail::Headroom(3.25)],
            },
            expect![[r#"
                rate limiter: token bucket: 100 tokens, +50/s
                Clients offer 120 req/s; the limiter has rejected 250 of 1000 requests so far (25.0 %) with 429, so the services behind it see at most its limit.
                - A token bucket allows bursts up to its size, then a steady refill rate; a sliding window allows a fixed count per window, so a burst at a window's edge is refused until old requests age out.
                - Headroom now: 3.2 requests.
                source: api-gateway seed chapter (token bucket, sliding window); Envoy local rate limit"#]],
        );
        check(
            Explanation {
                about: About::Gateway(Some(RateLimitConfig::SlidingWindow {
                    max_requests: 100,
                    window_ms: 60_000,
                })),
                answer: Answer::GatewayLimited {
                    offered_rps: 5.0,
                    rejected: 0,
                    arrived: 0,
                },
                details: vec![],
            },
            expect![[r#"
                rate limiter: sliding window: 100 per 60 s
                Clients offer 5 req/s; the limiter has rejected 0 of 0 requests so far (0.0 %) with 429, so the services behind it see at most its limit.
                source: api-gateway seed chapter (token bucket, sliding window); Envoy local rate limit"#]],
        );
    }

    #[test]
    fn balancer_strategies() {
        let load = vec![(i(2), 1.0), (i(3), 4.0), (i(1), 7.0)];
        check(
            Explanation {
                about: About::Service(S0, Strategy::RoundRobin),
                answer: Answer::NoCandidate(S0),
                details: vec![
                    Detail::Candidates {
                        candidates: 0,
                        listed: 3,
                    },
                    Detail::Panic {
                        threshold_pct: 50.0,
                    },
                ],
            },
            expect![[r#"
                round robin on user-service
                user-service has no instance to send to: calls fail at once with 503 (no healthy upstream).
                - 0 of 3 instances the balancer knows are candidates (listed, healthy, not ejected, not draining).
                - Panic mode: fewer than 50 % of its instances are healthy, so it routes to all of them rather than overload the few left (Envoy's panic threshold).
                source: Envoy: no healthy upstream"#]],
        );
        check(
            service(
                Strategy::RoundRobin,
                Answer::RoundRobin {
                    candidates: 3,
                    in_flight: load.clone(),
                },
            ),
            expect![[r#"
                round robin on user-service
                Round robin sends each new request to the next of the 3 candidates in turn, whatever their load: in flight now 10.0.0.2:8080 1, 10.0.0.3:8080 4 and 10.0.0.1:8080 7.
                source: load-balancing seed chapter (round robin); Envoy ROUND_ROBIN"#]],
        );
        check(
            service(
                Strategy::RoundRobin,
                Answer::RoundRobin {
                    candidates: 1,
                    in_flight: vec![(i(1), 2.0)],
                },
            ),
            expect![[r#"
                round robin on user-service
                Round robin has one candidate, so it sends it every request: in flight now 10.0.0.1:8080 2.
                source: load-balancing seed chapter (round robin); Envoy ROUND_ROBIN"#]],
        );
        check(
            Explanation {
                about: About::Service(S0, Strategy::LeastConnections),
                answer: Answer::LeastConnections {
                    best: (i(2), 1.0),
                    others: load[1..].to_vec(),
                },
                details: vec![Detail::ServiceCalls {
                    service: S0,
                    p50_ms: 21.4,
                    p95_ms: 80.2,
                    p99_ms: 143.9,
                    failed: 0.0125,
                }],
            },
            expect![[r#"
                least connections on user-service
                Least connections sends to 10.0.0.2:8080 because it has 1 request in flight, the others 10.0.0.3:8080 4 and 10.0.0.1:8080 7.
                - Calls to user-service over the window: p50 21 ms, p95 80 ms, p99 144 ms, 1.2 % failed.
                source: load-balancing seed chapter (least connections)"#]],
        );
        check(
            service(
                Strategy::LeastConnections,
                Answer::LeastConnections {
                    best: (i(2), 0.0),
                    others: vec![],
                },
            ),
            expect![[r#"
                least connections on user-service
                Least connections sends to 10.0.0.2:8080 because it has 0 requests in flight, the others none.
                source: load-balancing seed chapter (least connections)"#]],
        );
        check(
            service(
                Strategy::PowerOfTwoChoices,
                Answer::PowerOfTwoChoices {
                    best: (i(2), 1.0),
                    worst: (i(1), 7.0),
                },
            ),
            expect![[r#"
                power of two choices on user-service
                Power of two choices picks two candidates at random and sends to the one with fewer in flight: 10.0.0.2:8080 (1) would win against 10.0.0.1:8080 (7); the busiest wins only if drawn twice.
                source: Mitzenmacher, The Power of Two Choices (2001); Envoy LEAST_REQUEST"#]],
        );
        check(
            service(
                Strategy::PeakEwma,
                Answer::PeakEwma {
                    best: (i(3), 12_400.0),
                    others: vec![(i(1), 30_050.0), (i(2), 81_000.0)],
                },
            ),
            expect![[r#"
                peak EWMA on user-service
                Peak EWMA compares two random candidates by latency EWMA × (in flight + 1) and prefers 10.0.0.3:8080: cost 12.4 ms, the others 10.0.0.1:8080 30.1 ms and 10.0.0.2:8080 81.0 ms.
                source: Finagle / linkerd peak EWMA"#]],
        );
        for strategy in [Strategy::WeightedRoundRobin, Strategy::WeightedRandom] {
            let e = service(
                strategy,
                Answer::Weighted {
                    strategy,
                    shares: vec![
                        WeightShare {
                            instance: i(1),
                            weight: 3,
                            share_pct: 75.0,
                            rps: 30.2,
                        },
                        WeightShare {
                            instance: i(2),
                            weight: 1,
                            share_pct: 25.0,
                            rps: 9.9,
                        },
                    ],
                },
            );
            let golden = if strategy == Strategy::WeightedRoundRobin {
                expect![[r#"
                    smooth weighted round robin on user-service
                    smooth weighted round robin gives each candidate its weight's share of requests: 10.0.0.1:8080 weight 3 → 75 % (now 30.2 req/s) and 10.0.0.2:8080 weight 1 → 25 % (now 9.9 req/s).
                    source: nginx smooth weighted round robin"#]]
            } else {
                expect![[r#"
                    weighted random on user-service
                    weighted random gives each candidate its weight's share of requests: 10.0.0.1:8080 weight 3 → 75 % (now 30.2 req/s) and 10.0.0.2:8080 weight 1 → 25 % (now 9.9 req/s).
                    source: load-balancing seed chapter (weighted random)"#]]
            };
            check(e, golden);
        }
        check(
            service(
                Strategy::Random,
                Answer::Random {
                    candidates: 2,
                    rates: vec![(i(1), 51.0), (i(2), 48.5)],
                },
            ),
            expect![[r#"
                random on user-service
                Random picks uniformly, so over time each of the 2 candidates gets about the same share, but bursts pile up by chance: 10.0.0.1:8080 51.0 req/s and 10.0.0.2:8080 48.5 req/s.
                source: service-discovery seed chapter (random); Envoy RANDOM"#]],
        );
        check(
            service(
                Strategy::DynamicScore,
                Answer::DynamicScore {
                    best: (i(1), 0.8125),
                    others: vec![(i(2), 0.5)],
                },
            ),
            expect![[r#"
                dynamic score on user-service
                Dynamic score sends every request to the highest score 0.4·(1−cpu) + 0.3·(1−memory) + 0.3/(1+latency s) from the last load reports: 10.0.0.1:8080 scores 0.81, the others 10.0.0.2:8080 0.50. Reports arrive once a second, so it herds onto one instance between reports.
                source: load-balancing seed chapter (dynamic load balancing)"#]],
        );
        for (strategy, golden) in [
            (
                Strategy::IpHash,
                expect![[r#"
                IP hash on user-service
                IP hash picks by the client: the same client goes to the same instance while it stays a candidate. When one leaves, the hash is taken modulo a new list length, so most clients move. Spread now: 10.0.0.1:8080 10.0 req/s and 10.0.0.2:8080 12.5 req/s.
                source: nginx ip_hash"#]],
            ),
            (
                Strategy::StickySession,
                expect![[r#"
                sticky sessions on user-service
                sticky sessions picks by the client: the same client goes to the same instance while it stays a candidate. When one leaves, only its clients are re-assigned. Spread now: 10.0.0.1:8080 10.0 req/s and 10.0.0.2:8080 12.5 req/s.
                source: session affinity (load-balancing seed chapter)"#]],
            ),
            (
                Strategy::RingHash,
                expect![[r#"
                ring hash (bounded load) on user-service
                ring hash (bounded load) picks by the client: the same client goes to the same instance while it stays a candidate. When one leaves, only its clients move (consistent hashing). Spread now: 10.0.0.1:8080 10.0 req/s and 10.0.0.2:8080 12.5 req/s.
                source: Karger et al. 1997; Envoy RING_HASH with bounded loads (Mirrokni et al. 2016)"#]],
            ),
            (
                Strategy::Maglev,
                expect![[r#"
                Maglev on user-service
                Maglev picks by the client: the same client goes to the same instance while it stays a candidate. When one leaves, only its clients move (consistent hashing). Spread now: 10.0.0.1:8080 10.0 req/s and 10.0.0.2:8080 12.5 req/s.
                source: Eisenbud et al., Maglev (NSDI 2016); Envoy MAGLEV"#]],
            ),
        ] {
            check(
                service(
                    strategy,
                    Answer::ByClient {
                        strategy,
                        rates: vec![(i(1), 10.0), (i(2), 12.5)],
                    },
                ),
                golden,
            );
        }
    }

    fn inst(answer: InstanceAnswer, details: Vec<Detail>) -> Explanation {
        Explanation {
            about: About::Instance(i(1), S0),
            answer: Answer::Instance(answer),
            details,
        }
    }

    #[test]
    fn instance_states() {
        check(
            inst(InstanceAnswer::Standby(S0), vec![]),
            expect![[r#"
            10.0.0.1:8080 (user-service)
            10.0.0.1:8080 is a backup waiting in the pool: the failover manager starts it when a primary of user-service is lost.
            source: health checks and failover: seed chapters; outlier ejection and draining: Envoy"#]],
        );
        check(
            inst(InstanceAnswer::Booting, vec![]),
            expect![[r#"
            10.0.0.1:8080 (user-service)
            10.0.0.1:8080 is starting; it serves once its boot time has passed and it has registered.
            source: health checks and failover: seed chapters; outlier ejection and draining: Envoy"#]],
        );
        check(
            inst(
                InstanceAnswer::DownMarkedUnhealthy {
                    ttl_left_us: 12_300_000,
                },
                vec![],
            ),
            expect![[r#"
                10.0.0.1:8080 (user-service)
                10.0.0.1:8080 is down. The registry still lists it (12.3 s of TTL left), but the health checker has marked it unhealthy, so the balancer skips it.
                source: health checks and failover: seed chapters; outlier ejection and draining: Envoy"#]],
        );
        check(
            inst(
                InstanceAnswer::DownListed {
                    ttl_left_us: 27_500_000,
                },
                vec![],
            ),
            expect![[r#"
                10.0.0.1:8080 (user-service)
                10.0.0.1:8080 is down but the registry still lists it until its TTL runs out (27.5 s left), so calls to it fail: the balancer does not know yet.
                source: health checks and failover: seed chapters; outlier ejection and draining: Envoy"#]],
        );
        check(
            inst(InstanceAnswer::DownExpired, vec![]),
            expect![[r#"
            10.0.0.1:8080 (user-service)
            10.0.0.1:8080 is down and the registry has expired it: nothing is sent to it.
            source: health checks and failover: seed chapters; outlier ejection and draining: Envoy"#]],
        );
        check(
            inst(InstanceAnswer::NotRegistered, vec![]),
            expect![[r#"
            10.0.0.1:8080 (user-service)
            10.0.0.1:8080 is up but not listed by the registry, so no balancer knows it.
            source: health checks and failover: seed chapters; outlier ejection and draining: Envoy"#]],
        );
        check(
            inst(InstanceAnswer::Draining { in_flight: 4 }, vec![]),
            expect![[r#"
                10.0.0.1:8080 (user-service)
                10.0.0.1:8080 is draining: the balancer sends it nothing new, and its 4 requests in flight finish.
                source: health checks and failover: seed chapters; outlier ejection and draining: Envoy"#]],
        );
        check(
            inst(
                InstanceAnswer::Ejected {
                    until: SimTime::from_ms(95_000),
                },
                vec![],
            ),
            expect![[r#"
                10.0.0.1:8080 (user-service)
                Outlier detection ejected 10.0.0.1:8080 after consecutive 5xx errors; it returns at 01:35.000 (each ejection lasts longer).
                source: health checks and failover: seed chapters; outlier ejection and draining: Envoy"#]],
        );
        check(
            inst(
                InstanceAnswer::Unhealthy {
                    unhealthy_threshold: 3,
                    healthy_threshold: 2,
                    successes: 1,
                },
                vec![],
            ),
            expect![[r#"
                10.0.0.1:8080 (user-service)
                The health checker marked 10.0.0.1:8080 unhealthy after 3 failed checks in a row; 2 passing checks bring it back (1 so far).
                source: health checks and failover: seed chapters; outlier ejection and draining: Envoy"#]],
        );
        check(
            inst(
                InstanceAnswer::FailingChecks {
                    failures: 1,
                    threshold: 3,
                },
                vec![],
            ),
            expect![[r#"
                10.0.0.1:8080 (user-service)
                10.0.0.1:8080 failed its last 1 health check(s); at 3 in a row it is taken out of rotation.
                source: health checks and failover: seed chapters; outlier ejection and draining: Envoy"#]],
        );
        check(
            inst(
                InstanceAnswer::Serving {
                    in_flight: 3,
                    rps: 49.75,
                    cpu: 0.42,
                },
                vec![
                    Detail::InstanceLatency {
                        p50_ms: 20.0,
                        p95_ms: 61.5,
                        p99_ms: 99.0,
                        errors: 0.002,
                    },
                    Detail::Fault(ActionKind::Slow { factor: 4.0 }),
                    Detail::Breaker {
                        caller: None,
                        instance: i(1),
                        state: BreakerState::Open,
                        opened: 1,
                        half_open_at: Some(SimTime::from_ms(70_000)),
                    },
                    Detail::Breaker {
                        caller: Some(i(2)),
                        instance: i(1),
                        state: BreakerState::HalfOpen,
                        opened: 2,
                        half_open_at: None,
                    },
                    Detail::Breaker {
                        caller: Some(i(3)),
                        instance: i(1),
                        state: BreakerState::Closed,
                        opened: 4,
                        half_open_at: None,
                    },
                ],
            ),
            expect![[r#"
                10.0.0.1:8080 (user-service)
                10.0.0.1:8080 is serving: 3 in flight, 49.8 req/s, CPU 42 %.
                - Latency over the window: p50 20 ms, p95 62 ms, p99 99 ms; 0.2 % errors.
                - Fault acting: slow: latency ×4.
                - Breaker the gateway → 10.0.0.1:8080: open, calls fail fast (503) or go elsewhere; half-open at 01:10.000.
                - Breaker 10.0.0.2:8080 → 10.0.0.1:8080: half-open, trial calls decide whether it closes.
                - Breaker 10.0.0.3:8080 → 10.0.0.1:8080: closed again (opened 4 times).
                source: health checks and failover: seed chapters; outlier ejection and draining: Envoy"#]],
        );
    }
}
