//! The words of a distributed trace (issue 25; the seeds' `microservice-patterns.md` §3.1):
//! a line per request for the trace list, and per span its label and the marks the
//! mechanisms left on it ([`Span`]'s typed facts), in the order they happened. The page's
//! waterfall and `ha-sim run --traces` say the same.

use super::Names;
use crate::common::{ErrorCause, Outcome};
use crate::mechanisms::balancer::Strategy;
use crate::mechanisms::trace::{Span, Trace};
use crate::present::Dec;

/// A µs duration as ms with one decimal: `12.3 ms` (the waterfall's axis says it so too).
pub fn ms(us: u64) -> String {
    format!("{:.1} ms", Dec(us as f64 / 1e3))
}

/// An outcome as the caller sees it: `ok`, `failed (500)`, `timed out (504)`, …
fn outcome(o: Outcome, cause: Option<ErrorCause>) -> String {
    match o {
        Outcome::Ok => "ok".into(),
        Outcome::Error => format!("failed ({})", cause.map_or(500, ErrorCause::status)),
        Outcome::Timeout => "timed out (504)".into(),
        Outcome::Rejected => "rate-limited (429)".into(),
        Outcome::ShortCircuited => "short-circuited (503)".into(),
        Outcome::NoHealthyUpstream => "no healthy upstream (503)".into(),
    }
}

/// The sampling, said under a trace list: `1 % of requests are traced; the newest 50 without
/// errors and the newest 50 with errors are kept.` (`rate` in `[0, 1]`).
pub fn sampling(rate: f64) -> String {
    format!(
        "{} % of requests are traced; the newest {1} without errors and the newest {1} with errors are kept.",
        Dec((rate * 1e4).round() / 100.0),
        crate::mechanisms::trace::TRACE_CAPACITY
    )
}

/// Why a strategy picks the instance it picks, as the span's mark says it.
fn why(st: Strategy) -> &'static str {
    match st {
        Strategy::RoundRobin => "the next in turn",
        Strategy::WeightedRoundRobin => "the next in turn, by weight",
        Strategy::Random => "at random",
        Strategy::WeightedRandom => "at random, by weight",
        Strategy::LeastConnections => "the fewest requests in flight",
        Strategy::DynamicScore => "the best reported CPU, memory and latency",
        Strategy::IpHash => "the one the client's address hashes to",
        Strategy::StickySession => "the client's session instance",
        Strategy::PowerOfTwoChoices => "the less busy of two drawn at random",
        Strategy::RingHash => "the next on the ring from the client's hash, under its load bound",
        Strategy::Maglev => "the client's hash in the lookup table",
        Strategy::PeakEwma => "the lowest latency × load estimate",
    }
}

/// A trace list line: `request 33815 · ok · 27.1 ms · 3 calls · 1 failed call · retried`.
pub fn trace_line(t: &Trace) -> String {
    let mut line = format!(
        "request {} · {} · {} · {} call{}",
        t.request,
        t.outcome.map_or("in flight".into(), |o| outcome(o, None)),
        t.latency_us().map_or("—".into(), ms),
        t.spans.len(),
        if t.spans.len() == 1 { "" } else { "s" }
    );
    match t.failed_calls() {
        0 => {}
        1 => line += " · 1 failed call",
        n => line += &format!(" · {n} failed calls"),
    }
    if t.retried() {
        line += " · retried";
    }
    if t.dropped_spans > 0 {
        line += &format!(" · {} more calls not kept", t.dropped_spans);
    }
    line
}

/// A span's label in the waterfall: `order-service → 192.168.1.21:8081, attempt 2`.
pub fn span_label(s: &Span, names: &impl Names) -> String {
    let mut l = names.service(s.service).to_string();
    if let Some(i) = s.instance {
        l += " → ";
        l += names.instance(i);
    }
    if s.attempt > 0 {
        l += &format!(", attempt {}", s.attempt + 1);
    }
    l
}

/// What happened to the call, in order, one short sentence each: the balancer's pick, the
/// wait for a slot, the instance's own work, the publish, how it ended, and the retry it
/// caused or the budget refused.
pub fn span_marks(s: &Span, names: &impl Names) -> Vec<String> {
    let mut m = Vec::new();
    match (s.strategy, s.instance) {
        (Some(st), Some(i)) => m.push(format!(
            "{} picked {} of {} instance{}: {}",
            st.label(),
            names.instance(i),
            s.candidates,
            if s.candidates == 1 { "" } else { "s" },
            why(st)
        )),
        (None, _) if s.outcome == Some(Outcome::NoHealthyUpstream) => {
            m.push("no instance in rotation to pick".into());
        }
        _ => {}
    }
    if let Some(from) = s.served_from_us {
        if from > s.start_us {
            m.push(format!(
                "waited {} in the instance's queue for a slot",
                ms(from - s.start_us)
            ));
        }
        if let Some(until) = s.served_until_us {
            m.push(format!("served for {}", ms(until.saturating_sub(from))));
        }
    }
    if let Some(at) = s.published_at_us {
        m.push(format!(
            "published, then waited {} for the brokers' acknowledgement",
            ms(s.end_us.unwrap_or(at).saturating_sub(at))
        ));
    }
    let took = s.end_us.map(|e| ms(e.saturating_sub(s.start_us)));
    match s.outcome {
        Some(Outcome::ShortCircuited) => m.push(
            "short-circuited: the caller's breaker is open, so it failed fast without a call (503)"
                .into(),
        ),
        Some(Outcome::Timeout) => m.push(format!(
            "timed out (504): no answer within {}",
            took.unwrap_or_default()
        )),
        Some(o @ Outcome::Error) => m.push(format!(
            "{}: {}",
            outcome(o, s.cause),
            match s.cause {
                Some(ErrorCause::Application) => "the instance answered with an error",
                Some(ErrorCause::Overloaded) => "the instance's queue was full",
                Some(ErrorCause::ConnectionRefused) => "the instance is down: connection refused",
                Some(ErrorCause::ConnectionReset) => "the instance crashed while serving it",
                Some(ErrorCause::Dependency) => "a call it made failed",
                Some(ErrorCause::PublishRejected) => "a queue refused its message",
                None => "the call failed",
            }
        )),
        Some(Outcome::Ok) => m.push(format!("ok in {}", took.unwrap_or_default())),
        Some(o) => m.push(outcome(o, s.cause)),
        None => m.push("still in flight".into()),
    }
    if let Some(b) = s.retry_after_us {
        m.push(format!("retried after a {} back-off", ms(b)));
    }
    if s.retry_denied {
        m.push("not retried: the retry budget was spent".into());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::{span_label, span_marks, trace_line};
    use crate::common::{ErrorCause, InstanceId, Outcome, ServiceId};
    use crate::mechanisms::balancer::Strategy;
    use crate::mechanisms::trace::{Span, Trace};
    use crate::present::test_names::Table;
    use expect_test::expect;

    fn span(attempt: u32, outcome: Outcome, cause: Option<ErrorCause>) -> Span {
        Span {
            span_id: attempt,
            parent: None,
            service: ServiceId(1),
            endpoint: "/".into(),
            instance: Some(InstanceId(3)),
            attempt,
            start_us: 1_000_000,
            end_us: Some(1_027_100),
            outcome: Some(outcome),
            cause,
            strategy: Some(Strategy::RoundRobin),
            candidates: 2,
            served_from_us: Some(1_012_300),
            served_until_us: Some(1_016_800),
            published_at_us: None,
            retry_after_us: None,
            retry_denied: false,
        }
    }

    #[test]
    fn a_retried_trace_in_words() {
        let names = Table::new();
        let mut failed = span(0, Outcome::Error, Some(ErrorCause::Application));
        failed.retry_after_us = Some(125_000);
        let retry = span(1, Outcome::Ok, None);
        let t = Trace {
            trace_id: 7,
            request: 33_815,
            start_us: 1_000_000,
            end_us: Some(1_152_100),
            outcome: Some(Outcome::Ok),
            spans: vec![failed.clone(), retry.clone()],
            dropped_spans: 0,
        };
        let words: Vec<String> = [&failed, &retry]
            .into_iter()
            .flat_map(|s| {
                std::iter::once(span_label(s, &names))
                    .chain(span_marks(s, &names).into_iter().map(|m| format!("  {m}")))
            })
            .collect();
        expect![[r#"
            [
                "request 33815 · ok · 152.1 ms · 2 calls · 1 failed call · retried",
                "order-service → 10.0.0.3:8080",
                "  round robin picked 10.0.0.3:8080 of 2 instances: the next in turn",
                "  waited 12.3 ms in the instance's queue for a slot",
                "  served for 4.5 ms",
                "  failed (500): the instance answered with an error",
                "  retried after a 125.0 ms back-off",
                "order-service → 10.0.0.3:8080, attempt 2",
                "  round robin picked 10.0.0.3:8080 of 2 instances: the next in turn",
                "  waited 12.3 ms in the instance's queue for a slot",
                "  served for 4.5 ms",
                "  ok in 27.1 ms",
            ]
        "#]]
        .assert_debug_eq(
            &std::iter::once(trace_line(&t))
                .chain(words)
                .collect::<Vec<_>>(),
        );
    }

    #[test]
    fn fast_failures_timeouts_publishes_and_a_spent_budget() {
        let names = Table::new();
        let mut fast = span(0, Outcome::ShortCircuited, None);
        (fast.end_us, fast.served_from_us, fast.served_until_us) = (Some(1_000_000), None, None);
        let mut none = span(0, Outcome::NoHealthyUpstream, None);
        (none.strategy, none.instance, none.served_from_us) = (None, None, None);
        let mut slow = span(0, Outcome::Timeout, None);
        slow.retry_denied = true;
        let mut publish = span(0, Outcome::Ok, None);
        publish.published_at_us = Some(1_016_800);
        let words: Vec<Vec<String>> = [fast, none, slow, publish]
            .iter()
            .map(|s| span_marks(s, &names))
            .collect();
        expect![[r#"
            [
                [
                    "round robin picked 10.0.0.3:8080 of 2 instances: the next in turn",
                    "short-circuited: the caller's breaker is open, so it failed fast without a call (503)",
                ],
                [
                    "no instance in rotation to pick",
                    "no healthy upstream (503)",
                ],
                [
                    "round robin picked 10.0.0.3:8080 of 2 instances: the next in turn",
                    "waited 12.3 ms in the instance's queue for a slot",
                    "served for 4.5 ms",
                    "timed out (504): no answer within 27.1 ms",
                    "not retried: the retry budget was spent",
                ],
                [
                    "round robin picked 10.0.0.3:8080 of 2 instances: the next in turn",
                    "waited 12.3 ms in the instance's queue for a slot",
                    "served for 4.5 ms",
                    "published, then waited 10.3 ms for the brokers' acknowledgement",
                    "ok in 27.1 ms",
                ],
            ]
        "#]]
        .assert_debug_eq(&words);
    }

    #[test]
    fn sampling_words() {
        expect!["1 % of requests are traced; the newest 50 without errors and the newest 50 with errors are kept."]
            .assert_eq(&super::sampling(0.01));
        expect!["100 % of requests are traced; the newest 50 without errors and the newest 50 with errors are kept."]
            .assert_eq(&super::sampling(1.0));
        expect!["7 % of requests are traced; the newest 50 without errors and the newest 50 with errors are kept."]
            .assert_eq(&super::sampling(0.07));
    }
}
