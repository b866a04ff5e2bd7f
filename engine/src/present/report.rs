//! The run report `ha-sim run` prints as JSON.

use crate::sim::view::{BreakerView, InstanceStatus};
use crate::sim::{OutcomeCounts, Simulation, Stats};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One instance in a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceReport {
    /// Configured id.
    pub id: String,
    /// Service name.
    pub service: String,
    /// `host:port`.
    pub address: String,
    /// Calls served ok.
    pub served: u64,
    /// Calls that ended in an error or a timeout at this instance.
    pub errors: u64,
    /// Of `errors`, timeouts.
    pub timeouts: u64,
    /// Calls to it that open breakers failed fast.
    pub short_circuited: u64,
    /// Latency p50 over the last metrics window, ms; `None` (JSON null) when no response came
    /// in that window.
    pub p50_ms: Option<f64>,
    /// Latency p95 over the last metrics window, ms; `None` as for `p50_ms`.
    pub p95_ms: Option<f64>,
    /// Latency p99 over the last metrics window, ms; `None` as for `p50_ms`.
    pub p99_ms: Option<f64>,
    /// State at the end of the run.
    pub final_state: InstanceStatus,
}

/// One service in a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceReport {
    /// Name.
    pub name: String,
    /// Load-balancing strategy at the end.
    pub strategy: String,
    /// Calls per second over the last window.
    pub rps: f64,
    /// Failed fraction of calls over the last window.
    pub error_rate: f64,
    /// Latency p99 of calls over the last window, ms (`None`: no data).
    pub p99_ms: Option<f64>,
}

/// How often one alert fired.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertReport {
    /// Rule name.
    pub rule: String,
    /// Service name or instance address.
    pub target: String,
    /// Times it went to firing.
    pub fired: u32,
    /// State at the end.
    pub state: crate::mechanisms::alerts::AlertState,
}

/// The replicated store in a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataReport {
    /// Keyed operations by outcome.
    pub ops: crate::sim::DataOps,
    /// Copies created by repair.
    pub repaired: u64,
    /// Ring statistics at the end.
    pub ring: crate::mechanisms::replication::RingStats,
}

/// A queue (or a topic's subscription) in a report: where every message went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueReport {
    /// The queue's name, or the topic's and its subscriber's.
    pub name: String,
    /// The consuming service.
    pub consumer: String,
    /// Published, delivered, acked, redelivered, duplicates, dead-lettered, dropped, max
    /// depth, max lag (µs).
    pub counts: crate::mechanisms::messaging::MessageCounts,
    /// Messages waiting at the end.
    pub queued: u64,
    /// Delivered and not acknowledged at the end.
    pub in_delivery: u64,
    /// published = acked + dead_lettered + dropped + queued + in_delivery.
    pub balanced: bool,
}

/// A whole run's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The seed.
    pub seed: u64,
    /// Simulated time at the end, s.
    pub simulated_s: f64,
    /// Per instance, in config order.
    pub instances: Vec<InstanceReport>,
    /// Per service, in config order.
    pub services: Vec<ServiceReport>,
    /// Client requests by outcome.
    pub totals: OutcomeCounts,
    /// Mechanism counters (retries, breaker opens, failovers, ejections, …).
    pub stats: Stats,
    /// Breakers that are not closed or have opened.
    pub breakers: Vec<BreakerView>,
    /// Alerts that fired at least once.
    pub alerts_fired: Vec<AlertReport>,
    /// The replicated store: keyed operations and ring statistics (`None`: no store).
    pub data: Option<DataReport>,
    /// Per queue and topic subscription (empty: no messaging).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueReport>,
    /// Events by kind.
    pub events: BTreeMap<String, u64>,
    /// The run digest, 16 hex digits.
    pub digest: String,
}

impl Simulation {
    /// The report of the run so far.
    pub fn report(&self) -> Report {
        let view = self.view();
        Report {
            seed: self.seed(),
            simulated_s: self.now().as_secs_f64(),
            instances: view
                .instances
                .iter()
                .map(|i| InstanceReport {
                    id: i.name.clone(),
                    service: view.services[i.service.index()].name.clone(),
                    address: i.address.clone(),
                    served: i.served,
                    errors: i.errors + i.timeouts,
                    timeouts: i.timeouts,
                    short_circuited: i.short_circuited,
                    p50_ms: (i.latency_samples > 0).then_some(i.p50_ms),
                    p95_ms: (i.latency_samples > 0).then_some(i.p95_ms),
                    p99_ms: (i.latency_samples > 0).then_some(i.p99_ms),
                    final_state: i.status,
                })
                .collect(),
            services: view
                .services
                .iter()
                .map(|s| ServiceReport {
                    name: s.name.clone(),
                    strategy: s.strategy.label().to_string(),
                    rps: s.rps,
                    error_rate: s.error_rate,
                    p99_ms: s.p99_ms,
                })
                .collect(),
            totals: self.totals(),
            stats: self.stats(),
            breakers: view.breakers.clone(),
            alerts_fired: self
                .alerts()
                .alerts
                .iter()
                .filter(|a| a.fired > 0)
                .map(|a| AlertReport {
                    rule: self.alerts().rules[a.rule].name.clone(),
                    target: crate::present::target(a.target, self),
                    fired: a.fired,
                    state: a.state,
                })
                .collect(),
            data: self.store().map(|st| DataReport {
                ops: self.data_ops(),
                repaired: st.repaired,
                ring: st.stats(),
            }),
            queues: view
                .messaging
                .iter()
                .flat_map(|m| &m.subscriptions)
                .map(|q| QueueReport {
                    name: crate::present::subscription(q.id, self),
                    consumer: view.services[q.consumer.index()].name.clone(),
                    counts: q.counts,
                    queued: q.depth,
                    in_delivery: q.in_delivery,
                    balanced: q.counts.published
                        == q.counts.acked
                            + q.counts.dead_lettered
                            + q.counts.dropped
                            + q.depth
                            + q.in_delivery,
                })
                .collect(),
            events: self
                .log()
                .counts()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            digest: self.digest().to_string(),
        }
    }
}
