//! Built-in scenarios, from the seed chapters' example values.

use crate::config::{
    ClusterConfig, DiscoveryConfig, GatewayConfig, InstanceConfig, RegistryConfig, ServiceConfig,
    TrafficConfig,
};
use crate::rng::LatencyDist;
use crate::trace::TracingConfig;

/// A named, explained configuration.
#[derive(Clone, Debug)]
pub struct Preset {
    /// Short name used on the command line and in links, e.g. `discovery`.
    pub name: &'static str,
    /// Title shown on the page.
    pub title: &'static str,
    /// What it teaches, one or two sentences.
    pub teaches: &'static str,
    /// What to watch while it runs.
    pub watch: &'static str,
    /// The cluster.
    pub config: ClusterConfig,
}

/// Every preset, the default first.
pub fn all() -> Vec<Preset> {
    vec![discovery()]
}

/// The preset called `name`, if any.
pub fn by_name(name: &str) -> Option<Preset> {
    all().into_iter().find(|p| p.name == name)
}

/// The default preset's name.
pub const DEFAULT: &str = "discovery";

fn instance(id: &str, address: &str, median_ms: f64) -> InstanceConfig {
    InstanceConfig::new(
        id,
        address,
        4,
        32,
        LatencyDist::LogNormal {
            median_ms,
            sigma: 0.5,
        },
    )
}

/// "Service discovery and heartbeats", from `service-discovery-and-breaker.md` §4.1:
/// user-service at 192.168.1.10:8080 and 192.168.1.11:8080, order-service at
/// 192.168.1.20:8081, round-robin discovery, heartbeat timeout 30 s (heartbeats every 5 s).
pub fn discovery() -> Preset {
    Preset {
        name: "discovery",
        title: "Service discovery and heartbeats",
        teaches: "Instances register with the registry and prove they are alive with a heartbeat \
                  every 5 s; the load balancer sends each request to the next instance the \
                  registry lists (round robin). An instance that stops heart-beating is expired \
                  after the 30 s heartbeat timeout.",
        watch: "Crash 192.168.1.11:8080. The registry only notices silence: it expires the \
                instance 30 s after its last heartbeat, 25 to 30 s after the crash. Until then \
                the balancer keeps sending it every other user-service request, and those fail \
                with 502. Then all user-service traffic goes to 192.168.1.10:8080.",
        config: ClusterConfig {
            services: vec![
                ServiceConfig::new(
                    "user-service",
                    2.0,
                    vec![
                        instance("user-service-1", "192.168.1.10:8080", 20.0),
                        instance("user-service-2", "192.168.1.11:8080", 20.0),
                    ],
                ),
                ServiceConfig::new(
                    "order-service",
                    1.0,
                    vec![instance("order-service-1", "192.168.1.20:8081", 35.0)],
                ),
            ],
            traffic: TrafficConfig {
                rate_rps: 30.0,
                clients: 50,
            },
            registry: RegistryConfig {
                heartbeat_interval_ms: 5_000,
                heartbeat_timeout_ms: 30_000,
            },
            request_timeout_ms: 1_000,
            metrics_window_s: 60,
            discovery: DiscoveryConfig {
                cache_ttl_ms: 30_000,
                watch: true,
            },
            gateway: GatewayConfig::default(),
            tracing: TracingConfig::default(),
            alerts: None,
            faults: Vec::new(),
        },
    }
}
