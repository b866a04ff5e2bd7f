//! Distributed tracing: sampled requests carry a trace id; every call they make (first
//! attempts, retries, dependency calls) is a span with its parent (the seeds'
//! `microservice-patterns.md` §4: trace id, span id, parent span id; OpenTelemetry's model).

use crate::common::{ErrorCause, Outcome};
use crate::common::{InstanceId, ServiceId};
use crate::mechanisms::balancer::Strategy;
use litemap::LiteMap;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Finished traces kept of each kind: the newest [`TRACE_CAPACITY`] without errors and the
/// newest [`TRACE_CAPACITY`] with errors ([`Trace::has_errors`]), so a failure is still there
/// to look at after many requests have succeeded since (tail-based sampling's "keep the errors" policy, as in
/// OpenTelemetry Collector's `tail_sampling` processor). At most twice this in all.
pub const TRACE_CAPACITY: usize = 50;
/// Spans kept per trace; later spans are counted in [`Trace::dropped_spans`].
pub const SPANS_PER_TRACE: usize = 64;

/// Sampling settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TracingConfig {
    /// Fraction of client requests traced, `[0, 1]`.
    pub sample_rate: f64,
    /// Chooses the traced requests by trace id ([`sample_by_trace_id`], as OpenTelemetry's
    /// `TraceIdRatioBased` sampler), with no random draw: the sample rate changes which
    /// requests are traced and nothing else (the run, its outcomes and its digest stay the
    /// same), and a higher rate traces a superset of a lower one's. `true` in every scenario
    /// made since it existed. Absent (`false`: a link or file from before): a draw per request
    /// from the workload's random stream, and one more for a traced request's id, with which
    /// such a link replays exactly as it did; there the rate is part of the run.
    #[serde(default)]
    pub by_trace_id: bool,
}

impl Default for TracingConfig {
    /// 1 % of requests, chosen by trace id.
    fn default() -> Self {
        Self {
            sample_rate: 0.01,
            by_trace_id: true,
        }
    }
}

/// Whether client request number `arrival` (from 0) of a run with `seed` is traced at `rate`,
/// and its trace id: the id is a hash of the seed and the arrival's number, and the request is
/// traced when the id falls below `rate` of the id space ([`TracingConfig::by_trace_id`]).
pub fn sample_by_trace_id(seed: u64, arrival: u64, rate: f64) -> (bool, u64) {
    let id = xxhash_rust::xxh3::xxh3_64_with_seed(&arrival.to_le_bytes(), seed);
    // The id's top 53 bits as a fraction of 1, below the rate.
    let fraction = (id >> 11) as f64 / (1u64 << 53) as f64;
    (fraction < rate, id)
}

/// One call in a trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Index in the trace, from 0 (the root call).
    pub span_id: u32,
    /// The span that made this call (`None` for the root).
    pub parent: Option<u32>,
    /// Service called.
    pub service: ServiceId,
    /// The endpoint called (the service's first endpoint, or `/`).
    pub endpoint: String,
    /// The instance the call went to (`None`: rejected before dispatch).
    pub instance: Option<InstanceId>,
    /// 0 for the first attempt, n for the n-th retry.
    pub attempt: u32,
    /// Start, simulated µs.
    pub start_us: u64,
    /// End, simulated µs (`None` while in flight).
    pub end_us: Option<u64>,
    /// How it ended.
    pub outcome: Option<Outcome>,
    /// Why, for errors.
    pub cause: Option<ErrorCause>,
    /// The caller's balancer strategy that picked `instance` (`None`: no pick was made, e.g.
    /// no upstream in rotation).
    #[serde(default)]
    pub strategy: Option<Strategy>,
    /// How many instances it picked among (after the caller's open breakers were routed
    /// around).
    #[serde(default)]
    pub candidates: u32,
    /// When the instance began serving it, simulated µs: after `start_us`, it waited in the
    /// instance's queue for a free slot (`None`: it never got one).
    #[serde(default)]
    pub served_from_us: Option<u64>,
    /// When the instance's own work on it was done, simulated µs: after that it waited for
    /// its dependencies (child spans) or for the brokers to acknowledge its publish.
    #[serde(default)]
    pub served_until_us: Option<u64>,
    /// When it published its messages and began waiting for the brokers' acknowledgement,
    /// simulated µs (`None`: its service publishes nothing, or it never got there).
    #[serde(default)]
    pub published_at_us: Option<u64>,
    /// The back-off before the retry its failure caused, µs (`None`: not retried). The retry
    /// is the span with the same parent and service and `attempt + 1`.
    #[serde(default)]
    pub retry_after_us: Option<u64>,
    /// Its failure could have been retried but the retry budget refused.
    #[serde(default)]
    pub retry_denied: bool,
}
crate::codec::wire_struct!(Span {
    span_id,
    parent,
    service,
    endpoint,
    instance,
    attempt,
    start_us,
    end_us,
    outcome,
    cause,
    strategy,
    candidates,
    served_from_us,
    served_until_us,
    published_at_us,
    retry_after_us,
    retry_denied
});

/// One traced request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Random 64-bit trace id (from the run's seeded stream).
    pub trace_id: u64,
    /// The request id.
    pub request: u64,
    /// Arrival, simulated µs.
    pub start_us: u64,
    /// End of the request, simulated µs.
    pub end_us: Option<u64>,
    /// How the request ended.
    pub outcome: Option<Outcome>,
    /// Its spans, in start order.
    pub spans: Vec<Span>,
    /// Spans not kept (past [`SPANS_PER_TRACE`]).
    pub dropped_spans: u32,
}
crate::codec::wire_struct!(Trace {
    trace_id,
    request,
    start_us,
    end_us,
    outcome,
    spans,
    dropped_spans
});

/// The traces of a run: those of requests in flight, and of the finished ones the newest
/// [`TRACE_CAPACITY`] without errors and the newest [`TRACE_CAPACITY`] with errors.
#[derive(Clone, Debug, Default)]
pub struct Tracer {
    /// Open traces by request id (a flat sorted map: ids grow, so each goes at the end).
    open: LiteMap<u64, Trace>,
    /// Finished traces without errors, in the order they finished.
    done: VecDeque<Trace>,
    /// Finished traces with errors, in the order they finished.
    failed: VecDeque<Trace>,
}

impl Tracer {
    /// Starts the trace of `request` (arrived at `start_us`, simulated µs) with `trace_id`.
    pub fn start(&mut self, request: u64, trace_id: u64, start_us: u64) {
        self.open.insert(
            request,
            Trace {
                trace_id,
                request,
                start_us,
                end_us: None,
                outcome: None,
                spans: Vec::new(),
                dropped_spans: 0,
            },
        );
    }

    /// True while `request` is traced and in flight.
    pub fn is_open(&self, request: u64) -> bool {
        self.open.contains_key(&request)
    }

    /// Opens a span in `request`'s trace for a call to `service`'s `endpoint` (attempt
    /// `attempt`, child of `parent`, starting at `start_us`); its id, or `None` when the
    /// request is not traced or its trace is full (the span is counted as dropped).
    pub fn open_span(
        &mut self,
        request: u64,
        parent: Option<u32>,
        service: ServiceId,
        endpoint: String,
        attempt: u32,
        start_us: u64,
    ) -> Option<u32> {
        let t = self.open.get_mut(&request)?;
        if t.spans.len() >= SPANS_PER_TRACE {
            t.dropped_spans += 1;
            return None;
        }
        let span_id = t.spans.len() as u32;
        t.spans.push(Span {
            span_id,
            parent,
            service,
            endpoint,
            instance: None,
            attempt,
            start_us,
            end_us: None,
            outcome: None,
            cause: None,
            strategy: None,
            candidates: 0,
            served_from_us: None,
            served_until_us: None,
            published_at_us: None,
            retry_after_us: None,
            retry_denied: false,
        });
        Some(span_id)
    }

    /// Span `span` of `request`'s open trace, to fill in.
    pub fn span_mut(&mut self, request: u64, span: u32) -> Option<&mut Span> {
        self.open
            .get_mut(&request)
            .and_then(|t| t.spans.get_mut(span as usize))
    }

    /// Ends `request`'s trace at `end_us` with `outcome` and keeps it (the oldest kept of its
    /// kind, with or without errors, goes when that kind is full).
    pub fn finish(&mut self, request: u64, end_us: u64, outcome: Outcome) {
        if let Some(mut t) = self.open.remove(&request) {
            t.end_us = Some(end_us);
            t.outcome = Some(outcome);
            let kept = if t.has_errors() {
                &mut self.failed
            } else {
                &mut self.done
            };
            if kept.len() == TRACE_CAPACITY {
                kept.pop_front();
            }
            kept.push_back(t);
        }
    }

    /// Finished traces kept, in the order they finished (oldest first): the two kinds
    /// merged by end time (equal times: the one without errors first).
    pub fn finished(&self) -> impl DoubleEndedIterator<Item = &Trace> {
        let mut out = Vec::with_capacity(self.done.len() + self.failed.len());
        let (mut ok, mut bad) = (self.done.iter().peekable(), self.failed.iter().peekable());
        loop {
            let next = match (ok.peek(), bad.peek()) {
                (Some(a), Some(b)) if a.end_us <= b.end_us => ok.next(),
                (Some(_), Some(_)) | (None, Some(_)) => bad.next(),
                (Some(_), None) => ok.next(),
                (None, None) => break,
            };
            out.extend(next);
        }
        out.into_iter()
    }

    /// (traces in flight, finished traces kept): their memory bound.
    pub fn counts(&self) -> (usize, usize) {
        (self.open.len(), self.done.len() + self.failed.len())
    }
}

impl Trace {
    /// From arrival to the end of the request, simulated µs (`None` while in flight).
    pub fn latency_us(&self) -> Option<u64> {
        Some(self.end_us?.saturating_sub(self.start_us))
    }

    /// Whether the request failed (any outcome but `ok`).
    pub fn failed(&self) -> bool {
        self.outcome.is_some_and(|o| o != Outcome::Ok)
    }

    /// Calls that ended in anything but `ok` (timed out, failed, short-circuited…).
    pub fn failed_calls(&self) -> usize {
        self.spans
            .iter()
            .filter(|s| s.outcome.is_some_and(|o| o != Outcome::Ok))
            .count()
    }

    /// Whether the request failed or any call it made did (a retry or a fallback may still
    /// have saved it): Jaeger's traces "with errors".
    pub fn has_errors(&self) -> bool {
        self.failed() || self.failed_calls() > 0
    }

    /// Whether any of its calls was a retry.
    pub fn retried(&self) -> bool {
        self.spans.iter().any(|s| s.attempt > 0)
    }

    /// Whether any of its calls went to `service`, or to `instance`.
    pub fn touches(&self, service: Option<ServiceId>, instance: Option<InstanceId>) -> bool {
        self.spans.iter().any(|s| {
            service.is_some_and(|x| s.service == x)
                || instance.is_some_and(|x| s.instance == Some(x))
        })
    }
}

/// Which traces a trace list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFilter {
    /// Every kept trace, newest first (the most recently finished).
    All,
    /// Requests with errors ([`Trace::has_errors`]: the request or a call it made failed),
    /// newest first.
    Failed,
    /// Requests with at least one retry, newest first.
    Retried,
    /// Slowest first (equal latencies: newest first).
    Slowest,
}

crate::codec::wire_enum!(TraceFilter {
    All,
    Failed,
    Retried,
    Slowest
});

/// The traces a list shows: of `traces` (oldest first, as [`Tracer::finished`] gives them),
/// those that touch `service` or `instance` (both `None`: the whole cluster), filtered and
/// ordered by `filter`. Kiali and Jaeger order by time and offer "slowest"; so does this.
pub fn select<'a>(
    traces: impl DoubleEndedIterator<Item = &'a Trace>,
    service: Option<ServiceId>,
    instance: Option<InstanceId>,
    filter: TraceFilter,
) -> Vec<&'a Trace> {
    let whole = service.is_none() && instance.is_none();
    let mut out: Vec<&Trace> = Vec::new();
    let kept = traces
        .rev()
        .filter(|t| whole || t.touches(service, instance))
        .filter(|t| match filter {
            TraceFilter::All | TraceFilter::Slowest => true,
            TraceFilter::Failed => t.has_errors(),
            TraceFilter::Retried => t.retried(),
        });
    for t in kept {
        // Slowest: each goes after every one at least as slow (equal latencies stay newest
        // first). An insertion into at most `TRACE_CAPACITY` places: the page carries no sort.
        let at = match filter {
            TraceFilter::Slowest => out.partition_point(|x| x.latency_us() >= t.latency_us()),
            _ => out.len(),
        };
        out.insert(at, t);
    }
    out
}
