//! The engine's typed configuration, validated once at the edge.
//!
//! [`ClusterConfig::validate`] is the only place input is checked; a config that passes cannot
//! make the engine panic, hang or grow without bound (see the `MAX_*` limits).

use crate::balancer::Strategy;
use crate::rng::LatencyDist;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// Most services in one cluster.
pub const MAX_SERVICES: usize = 16;
/// Most instances over all services.
pub const MAX_INSTANCES: usize = 64;
/// Highest total client request rate, requests per simulated second.
pub const MAX_RATE_RPS: f64 = 100_000.0;
/// Most distinct clients.
pub const MAX_CLIENTS: u32 = 1_000_000;
/// Highest concurrency limit of one instance.
pub const MAX_CONCURRENCY: u32 = 10_000;
/// Longest queue of one instance.
pub const MAX_QUEUE: u32 = 100_000;
/// Longest median/mean service time, ms.
pub const MAX_LATENCY_MS: f64 = 60_000.0;
/// Longest timeout or heartbeat setting, ms (10 simulated minutes).
pub const MAX_TIMEOUT_MS: u64 = 600_000;
/// Longest name, id or address, bytes.
pub const MAX_NAME_LEN: usize = 64;

/// One instance of a service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstanceConfig {
    /// Unique id, e.g. `user-service-1`.
    pub id: String,
    /// `host:port`, unique in the cluster, e.g. `192.168.1.10:8080`.
    pub address: String,
    /// Requests served at once (worker slots); CPU = busy slots / concurrency.
    pub concurrency: u32,
    /// Requests waiting for a slot; one more is refused with 503.
    pub queue_limit: u32,
    /// Service time once a slot is free.
    pub latency: LatencyDist,
    /// Probability that a served request fails with a 500, in `[0, 1]`.
    pub error_rate: f64,
}

/// One service: a name, its instances and how the load balancer picks among them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceConfig {
    /// Service name, e.g. `user-service`.
    pub name: String,
    /// Version string shown in the registry, e.g. `1.0.0`.
    pub version: String,
    /// Load-balancing strategy over the service's upstreams.
    pub strategy: Strategy,
    /// Relative share of client traffic addressed to this service (≥ 0; shares are normalised).
    pub traffic_share: f64,
    /// The instances, registered at time 0 in this order.
    pub instances: Vec<InstanceConfig>,
}

/// Client traffic: Poisson arrivals from a population of clients.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrafficConfig {
    /// Total arrival rate, requests per simulated second.
    pub rate_rps: f64,
    /// Number of distinct clients the requests come from.
    pub clients: u32,
}

/// Registry timing (seed `service-discovery-and-breaker.md`: heartbeat timeout 30 s).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegistryConfig {
    /// Every instance heart-beats this often, simulated ms.
    pub heartbeat_interval_ms: u64,
    /// An instance silent this long is expired, simulated ms.
    pub heartbeat_timeout_ms: u64,
}

/// A whole cluster: what [`crate::Simulation::new`] runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterConfig {
    /// Services in display order.
    pub services: Vec<ServiceConfig>,
    /// Client traffic.
    pub traffic: TrafficConfig,
    /// Registry timing.
    pub registry: RegistryConfig,
    /// Per-call timeout at the load balancer, simulated ms (504 after it).
    pub request_timeout_ms: u64,
    /// Sliding window for rates and percentiles, simulated seconds.
    pub metrics_window_s: u32,
}

/// What is wrong with a configuration. Each variant names the offending field.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// A count outside its limits: (field, value, min, max).
    Count(&'static str, u64, u64, u64),
    /// A number that is not finite or outside its limits: (field, min, max).
    Range(String, f64, f64),
    /// A name, id or address that is empty or too long.
    Name(String),
    /// Two things that must differ share a name: (what, the name).
    Duplicate(&'static str, String),
    /// The heartbeat interval is not shorter than the heartbeat timeout.
    HeartbeatNotBelowTimeout,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Count(field, v, lo, hi) => {
                write!(f, "{field} is {v}; it must be between {lo} and {hi}")
            }
            ConfigError::Range(field, lo, hi) => {
                write!(f, "{field} must be a number between {lo} and {hi}")
            }
            ConfigError::Name(field) => {
                write!(f, "{field} must be 1 to {MAX_NAME_LEN} characters")
            }
            ConfigError::Duplicate(what, name) => write!(f, "two {what}s are named {name:?}"),
            ConfigError::HeartbeatNotBelowTimeout => {
                write!(
                    f,
                    "the heartbeat interval must be shorter than the heartbeat timeout"
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}

fn count(field: &'static str, v: u64, lo: u64, hi: u64) -> Result<(), ConfigError> {
    if v < lo || v > hi {
        Err(ConfigError::Count(field, v, lo, hi))
    } else {
        Ok(())
    }
}

fn range(field: impl Into<String>, v: f64, lo: f64, hi: f64) -> Result<(), ConfigError> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(ConfigError::Range(field.into(), lo, hi))
    }
}

fn name(field: impl Into<String>, v: &str) -> Result<(), ConfigError> {
    if v.is_empty() || v.len() > MAX_NAME_LEN {
        Err(ConfigError::Name(field.into()))
    } else {
        Ok(())
    }
}

impl ClusterConfig {
    /// Checks every limit; `Ok` means the engine can run this config safely.
    ///
    /// Errors: the first [`ConfigError`] found, naming its field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        count(
            "services",
            self.services.len() as u64,
            1,
            MAX_SERVICES as u64,
        )?;
        let total: usize = self.services.iter().map(|s| s.instances.len()).sum();
        count("instances", total as u64, 1, MAX_INSTANCES as u64)?;
        range("traffic.rate_rps", self.traffic.rate_rps, 0.0, MAX_RATE_RPS)?;
        count(
            "traffic.clients",
            self.traffic.clients as u64,
            1,
            MAX_CLIENTS as u64,
        )?;
        let r = &self.registry;
        count(
            "registry.heartbeat_interval_ms",
            r.heartbeat_interval_ms,
            100,
            MAX_TIMEOUT_MS,
        )?;
        count(
            "registry.heartbeat_timeout_ms",
            r.heartbeat_timeout_ms,
            100,
            MAX_TIMEOUT_MS,
        )?;
        if r.heartbeat_interval_ms >= r.heartbeat_timeout_ms {
            return Err(ConfigError::HeartbeatNotBelowTimeout);
        }
        count(
            "request_timeout_ms",
            self.request_timeout_ms,
            1,
            MAX_TIMEOUT_MS,
        )?;
        count("metrics_window_s", self.metrics_window_s as u64, 6, 3_600)?;
        let mut service_names = BTreeSet::new();
        let mut ids = BTreeSet::new();
        let mut addresses = BTreeSet::new();
        let mut share_sum = 0.0;
        for s in &self.services {
            name("service name", &s.name)?;
            name(format!("{}.version", s.name), &s.version)?;
            if !service_names.insert(s.name.as_str()) {
                return Err(ConfigError::Duplicate("service", s.name.clone()));
            }
            range(
                format!("{}.traffic_share", s.name),
                s.traffic_share,
                0.0,
                1e6,
            )?;
            share_sum += s.traffic_share;
            for i in &s.instances {
                name(format!("{} instance id", s.name), &i.id)?;
                name(format!("{}.address", i.id), &i.address)?;
                if !ids.insert(i.id.as_str()) {
                    return Err(ConfigError::Duplicate("instance id", i.id.clone()));
                }
                if !addresses.insert(i.address.as_str()) {
                    return Err(ConfigError::Duplicate(
                        "instance address",
                        i.address.clone(),
                    ));
                }
                count(
                    "concurrency",
                    i.concurrency as u64,
                    1,
                    MAX_CONCURRENCY as u64,
                )?;
                count("queue_limit", i.queue_limit as u64, 0, MAX_QUEUE as u64)?;
                range(format!("{}.error_rate", i.id), i.error_rate, 0.0, 1.0)?;
                match i.latency {
                    LatencyDist::Constant { ms } => {
                        range(format!("{}.latency.ms", i.id), ms, 0.001, MAX_LATENCY_MS)?
                    }
                    LatencyDist::Exponential { mean_ms } => range(
                        format!("{}.latency.mean_ms", i.id),
                        mean_ms,
                        0.001,
                        MAX_LATENCY_MS,
                    )?,
                    LatencyDist::LogNormal { median_ms, sigma } => {
                        range(
                            format!("{}.latency.median_ms", i.id),
                            median_ms,
                            0.001,
                            MAX_LATENCY_MS,
                        )?;
                        range(format!("{}.latency.sigma", i.id), sigma, 0.0, 3.0)?
                    }
                }
            }
        }
        if self.traffic.rate_rps > 0.0 && share_sum <= 0.0 {
            return Err(ConfigError::Range("traffic_share (sum)".into(), 1e-9, 1e6));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets;

    #[test]
    fn presets_validate() {
        for p in presets::all() {
            p.config
                .validate()
                .unwrap_or_else(|e| panic!("{}: {e}", p.name));
        }
    }

    #[test]
    fn bad_values_are_named() {
        let base = presets::discovery().config;
        let mut c = base.clone();
        c.services[0].instances[1].address = c.services[0].instances[0].address.clone();
        assert!(matches!(
            c.validate(),
            Err(ConfigError::Duplicate("instance address", _))
        ));

        let mut c = base.clone();
        c.traffic.rate_rps = f64::NAN;
        assert_eq!(
            c.validate(),
            Err(ConfigError::Range(
                "traffic.rate_rps".into(),
                0.0,
                MAX_RATE_RPS
            ))
        );

        let mut c = base.clone();
        c.registry.heartbeat_interval_ms = c.registry.heartbeat_timeout_ms;
        assert_eq!(c.validate(), Err(ConfigError::HeartbeatNotBelowTimeout));

        let mut c = base;
        c.services[0].instances[0].concurrency = 0;
        assert!(matches!(
            c.validate(),
            Err(ConfigError::Count("concurrency", 0, 1, _))
        ));
    }
}
