//! The run report `ha-sim run` prints as JSON.

use crate::sim::{OutcomeCounts, Simulation};
use crate::view::InstanceStatus;
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
    /// Requests served ok.
    pub served: u64,
    /// Requests that ended in an error or a timeout at this instance.
    pub errors: u64,
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

/// A whole run's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The seed.
    pub seed: u64,
    /// Simulated time at the end, s.
    pub simulated_s: f64,
    /// Per instance, in config order.
    pub instances: Vec<InstanceReport>,
    /// Requests by outcome.
    pub totals: OutcomeCounts,
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
                    service: i.service.clone(),
                    address: i.address.clone(),
                    served: i.served,
                    errors: i.errors + i.timeouts,
                    p50_ms: (i.latency_samples > 0).then_some(i.p50_ms),
                    p95_ms: (i.latency_samples > 0).then_some(i.p95_ms),
                    p99_ms: (i.latency_samples > 0).then_some(i.p99_ms),
                    final_state: i.status,
                })
                .collect(),
            totals: self.totals(),
            events: self
                .log()
                .counts()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            digest: self.digest().to_string(),
        }
    }
}
