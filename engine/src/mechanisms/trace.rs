//! Distributed tracing: sampled requests carry a trace id; every call they make (first
//! attempts, retries, dependency calls) is a span with its parent (the seeds'
//! `microservice-patterns.md` §4: trace id, span id, parent span id; OpenTelemetry's model).

use crate::common::{ErrorCause, Outcome};
use crate::common::{InstanceId, ServiceId};
use serde::{Deserialize, Serialize};

/// Traces kept (the newest).
pub const TRACE_CAPACITY: usize = 50;
/// Spans kept per trace; later spans are counted in [`Trace::dropped_spans`].
pub const SPANS_PER_TRACE: usize = 64;

/// Sampling settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TracingConfig {
    /// Fraction of client requests traced, `[0, 1]`.
    pub sample_rate: f64,
}

impl Default for TracingConfig {
    /// 1 % of requests.
    fn default() -> Self {
        Self { sample_rate: 0.01 }
    }
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
}

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
