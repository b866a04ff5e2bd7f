//! Distributed traces (issue 25, the seeds' `microservice-patterns.md` §3.1): what a sampled
//! request's spans say about the mechanisms that handled it. A retried call shows both
//! attempts and the back-off between them; a call through an open breaker is a zero-length
//! span failed fast; a cascade's request nests spans across three services; each span names
//! the balancer strategy that picked its instance and when it waited in the instance's queue;
//! memory stays bounded at any sample rate.

use ha_engine::common::{ErrorCause, Outcome};
use ha_engine::trace::{Trace, TRACE_CAPACITY};
use ha_engine::{presets, Scenario, SimTime, Simulation};

fn traced(mut cfg: ha_engine::ClusterConfig, seed: u64, secs: u64) -> Simulation {
    cfg.tracing.sample_rate = 1.0;
    let mut sim = Simulation::new(cfg, seed).unwrap();
    sim.run_until(SimTime::from_secs(secs));
    sim
}

#[test]
fn a_retried_call_shows_both_attempts_and_the_back_off_between_them() {
    let mut cfg = presets::discovery().config;
    let s = &mut cfg.services[0];
    s.retry.max_retries = 2;
    s.retry.min_retries_per_s = 1_000;
    for i in &mut s.instances {
        i.error_rate = 0.5;
    }
    let sim = traced(cfg, 42, 20);
    let mut seen = 0;
    for t in sim.traces() {
        for first in t.spans.iter().filter(|s| s.retry_after_us.is_some()) {
            let backoff = first.retry_after_us.unwrap();
            assert_eq!(first.outcome, Some(Outcome::Error), "{t:?}");
            let retry = t
                .spans
                .iter()
                .find(|s| {
                    s.parent == first.parent
                        && s.service == first.service
                        && s.attempt == first.attempt + 1
                })
                .unwrap_or_else(|| panic!("no attempt {} in {t:?}", first.attempt + 1));
            assert!(backoff > 0);
            assert_eq!(
                retry.start_us,
                first.end_us.unwrap() + backoff,
                "the retry starts one back-off after the failure"
            );
            seen += 1;
        }
    }
    assert!(seen >= 5, "retried calls among the traces: {seen}");
}

#[test]
fn a_call_through_an_open_breaker_is_a_zero_length_span_failed_fast() {
    let sim = traced(presets::breaker().config, 42, 40);
    let fast: Vec<_> = sim
        .traces()
        .flat_map(|t| &t.spans)
        .filter(|s| s.outcome == Some(Outcome::ShortCircuited))
        .collect();
    assert!(
        !fast.is_empty(),
        "no short-circuited span between 10 s and 40 s"
    );
    for s in fast {
        assert_eq!(Some(s.start_us), s.end_us, "{s:?}");
        // It never reached an instance's queue.
        assert_eq!((s.served_from_us, s.served_until_us), (None, None));
    }
    // And a failing call that went through: the instance's error, with its strategy.
    let failed = sim
        .traces()
        .flat_map(|t| &t.spans)
        .find(|s| s.cause == Some(ErrorCause::Application))
        .expect("a failed call in the 70 % fault");
    assert!(failed.strategy.is_some() && failed.candidates == 1);
}

/// The deepest chain of parents in `t`, as service indexes from the root.
fn deepest(t: &Trace) -> Vec<usize> {
    let mut best = Vec::new();
    for s in &t.spans {
        let mut chain = vec![s.service.index()];
        let mut at = s.parent;
        while let Some(p) = at {
            let parent = &t.spans[p as usize];
            chain.push(parent.service.index());
            at = parent.parent;
        }
        if chain.len() > best.len() {
            chain.reverse();
            best = chain;
        }
    }
    best
}

#[test]
fn a_cascade_request_nests_spans_across_three_services() {
    let sim = traced(presets::cascade().config, 42, 20);
    let t = sim
        .traces()
        .find(|t| deepest(t).len() == 3)
        .expect("a request through three services");
    let chain = deepest(t);
    assert_eq!(
        chain,
        vec![0, 1, 2],
        "frontend → order-service → user-service"
    );
    for s in &t.spans {
        if let Some(p) = s.parent {
            let parent = &t.spans[p as usize];
            // A child starts once its parent's own work is done, inside the parent's span.
            assert_eq!(Some(s.start_us), parent.served_until_us, "{t:?}");
            assert!(s.end_us <= parent.end_us);
        }
        // Every span that reached an instance was picked by its strategy and served.
        if s.instance.is_some() && s.outcome == Some(Outcome::Ok) {
            assert!(s.strategy.is_some() && s.candidates >= 1, "{s:?}");
            assert!(s.served_from_us.unwrap() >= s.start_us);
        }
    }
}

#[test]
fn a_request_that_waited_for_a_slot_says_how_long() {
    // One slot of 50 ms (20 req/s) at 18 req/s: random arrivals queue behind each other.
    let mut cfg = presets::discovery().config;
    cfg.services[0].instances.truncate(1);
    let i = &mut cfg.services[0].instances[0];
    i.concurrency = 1;
    i.queue_limit = 1_000;
    i.latency = ha_engine::rng::LatencyDist::Constant { ms: 50.0 };
    cfg.traffic.rate_rps = 18.0;
    let sim = traced(cfg, 42, 10);
    let waited = sim
        .traces()
        .flat_map(|t| &t.spans)
        .filter_map(|s| Some(s.served_from_us? - s.start_us))
        .max()
        .unwrap();
    assert!(waited > 100_000, "longest queueing delay {waited} µs");
}

#[test]
fn memory_is_bounded_whatever_the_sample_rate() {
    let sim = traced(presets::stress().config, 1, 10);
    let (failed, ok): (Vec<&Trace>, Vec<&Trace>) = sim.traces().partition(|t| t.has_errors());
    assert_eq!(ok.len(), TRACE_CAPACITY);
    assert!(failed.len() <= TRACE_CAPACITY);
    let newest = sim.traces().last().unwrap().start_us;
    assert!(newest > 9_000_000, "the newest are kept: {newest} µs");
    // The same run gives the same traces (a link opens the same trace).
    let again = traced(presets::stress().config, 1, 10);
    assert!(sim.traces().eq(again.traces()));
}

#[test]
fn a_trace_list_filters_failed_retried_and_slowest_and_scopes_to_a_service_or_instance() {
    use ha_engine::trace::{select, TraceFilter};
    let mut cfg = presets::cascade().config;
    for s in &mut cfg.services {
        s.retry.max_retries = 1;
        for i in &mut s.instances {
            i.error_rate = 0.2;
        }
    }
    let sim = traced(cfg, 7, 20);
    let all = select(sim.traces(), None, None, TraceFilter::All);
    assert!(all.len() > TRACE_CAPACITY && all.len() <= 2 * TRACE_CAPACITY);
    assert!(
        all.windows(2).all(|w| w[0].end_us >= w[1].end_us),
        "the most recently finished first"
    );
    let failed = select(sim.traces(), None, None, TraceFilter::Failed);
    assert!(!failed.is_empty() && failed.len() < all.len());
    assert!(failed.iter().all(|t| t.has_errors()));
    let retried = select(sim.traces(), None, None, TraceFilter::Retried);
    assert!(!retried.is_empty());
    assert!(retried
        .iter()
        .all(|t| t.spans.iter().any(|s| s.attempt > 0)));
    let slowest = select(sim.traces(), None, None, TraceFilter::Slowest);
    assert_eq!(slowest.len(), all.len());
    assert!(slowest
        .windows(2)
        .all(|w| w[0].latency_us() >= w[1].latency_us()));
    // Scoped to the deepest service, or to one instance.
    let user = ha_engine::ServiceId(2);
    let of_user = select(sim.traces(), Some(user), None, TraceFilter::All);
    assert!(
        !of_user.is_empty()
            && of_user
                .iter()
                .all(|t| t.spans.iter().any(|s| s.service == user))
    );
    let inst = of_user[0].spans.iter().find_map(|s| s.instance).unwrap();
    let of_inst = select(sim.traces(), None, Some(inst), TraceFilter::All);
    assert!(of_inst
        .iter()
        .all(|t| t.spans.iter().any(|s| s.instance == Some(inst))));
}

/// The newest traces with errors are kept beside the newest without: long after the cascade
/// preset's hang (30 to 90 s) has ended and thousands of requests have succeeded, the traces
/// of its timed-out calls are still there, and the list stays in the order requests finished.
#[test]
fn traces_with_errors_outlive_the_successes_after_them() {
    let sim = traced(presets::cascade().config, 42, 150);
    let (failed, ok): (Vec<&Trace>, Vec<&Trace>) = sim.traces().partition(|t| t.has_errors());
    assert_eq!(ok.len(), TRACE_CAPACITY);
    assert!(!failed.is_empty() && failed.len() <= TRACE_CAPACITY);
    let last_failure = failed.last().unwrap().end_us.unwrap();
    let oldest_ok = ok.first().unwrap().end_us.unwrap();
    assert!(
        last_failure < 91_000_000 && oldest_ok > 140_000_000,
        "failures end by the hang's end ({last_failure} µs); the successes kept are the last seconds' ({oldest_ok} µs)"
    );
    let ends: Vec<u64> = sim.traces().map(|t| t.end_us.unwrap()).collect();
    assert!(
        ends.windows(2).all(|w| w[0] <= w[1]),
        "oldest finished first"
    );
}

/// Sampling by trace id takes no random draw: the sample rate changes which requests are
/// traced and nothing else (the same outcomes, the same run digest), and a higher rate traces
/// a superset of a lower one's requests, with the same trace ids. A scenario written before
/// the sampler was named keeps its per-request draw, so its links replay as they did
/// (`tests/links.rs`).
#[test]
fn the_sample_rate_changes_what_is_traced_and_nothing_else() {
    let run = |rate: f64| {
        let mut cfg = presets::cascade().config;
        assert!(cfg.tracing.by_trace_id);
        cfg.tracing.sample_rate = rate;
        let mut sim = Simulation::new(cfg, 3).unwrap();
        sim.run_until(SimTime::from_secs(40));
        sim
    };
    let (none, some, half, all) = (run(0.0), run(0.2), run(0.5), run(1.0));
    assert_eq!(none.digest(), all.digest());
    assert_eq!(some.digest(), all.digest());
    assert_eq!(half.digest(), all.digest());
    assert_eq!(none.totals(), all.totals());
    assert_eq!(none.traces().count(), 0);
    let ids = |s: &Simulation| -> Vec<(u64, u64)> {
        s.traces().map(|t| (t.request, t.trace_id)).collect()
    };
    let (few, many) = (ids(&some), ids(&half));
    assert!(!few.is_empty());
    // Every 20 % trace without errors that finished since the oldest the 50 % run keeps.
    let oldest_kept = half
        .traces()
        .filter(|t| !t.has_errors())
        .map(|t| t.end_us.unwrap())
        .min()
        .unwrap();
    let mut checked = 0;
    for t in some
        .traces()
        .filter(|t| t.end_us.unwrap() >= oldest_kept && !t.has_errors())
    {
        assert!(
            many.contains(&(t.request, t.trace_id)),
            "request {} is traced at 50 %",
            t.request
        );
        checked += 1;
    }
    assert!(checked > 0, "some 20 % traces are among the 50 % run's");
    // A scenario without `by_trace_id` (an older link) draws per request: there the rate is part
    // of the run.
    let mut v: serde_json::Value =
        serde_json::from_str(&Scenario::from_preset(&presets::cascade(), 3).to_json()).unwrap();
    v["cluster"]["tracing"]
        .as_object_mut()
        .unwrap()
        .remove("by_trace_id");
    let old = Scenario::from_json(&v.to_string()).unwrap();
    assert!(!old.cluster.tracing.by_trace_id);
    let old_run = |rate: f64| {
        let mut cfg = old.cluster.clone();
        cfg.tracing.sample_rate = rate;
        let mut sim = Simulation::new(cfg, 3).unwrap();
        sim.run_until(SimTime::from_secs(40));
        sim.digest()
    };
    assert_ne!(old_run(0.05), old_run(1.0));
}
