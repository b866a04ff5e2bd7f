//! Built-in scenarios, from the seed chapters' example values.

use crate::config::{
    ClusterConfig, DiscoveryConfig, GatewayConfig, InstanceConfig, RegistryConfig, ServiceConfig,
    TrafficConfig,
};
use crate::health::HealthCheckConfig;
use crate::retry::RetryConfig;
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
    vec![discovery(), microservices()]
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

/// "Microservices calling each other", from `microservice-architecture.md` §2: user-service
/// (`/users`, `/users/{id}`), order-service and payment-service, both of which call
/// user-service (`ServiceCommunication`: timeout 5 s, `retry_count` 3), each with a `/health`
/// check.
pub fn microservices() -> Preset {
    let mut base = discovery().config;
    let mut user = base.services[0].clone();
    user.endpoints = vec!["/users".into(), "/users/{id}".into()];
    user.health_check = Some(HealthCheckConfig::default());
    user.timeout_ms = Some(5_000);
    user.retry = RetryConfig {
        max_retries: 3,
        ..RetryConfig::default()
    };
    user.traffic_share = 1.0;
    let mut order = base.services[1].clone();
    order.endpoints = vec!["/orders".into(), "/orders/{id}".into()];
    order.depends_on = vec!["user-service".into()];
    order.health_check = Some(HealthCheckConfig::default());
    let mut payment = ServiceConfig::new(
        "payment-service",
        1.0,
        vec![instance("payment-service-1", "192.168.1.30:8082", 50.0)],
    );
    payment.endpoints = vec!["/payments".into(), "/payments/{id}".into()];
    payment.depends_on = vec!["user-service".into()];
    payment.health_check = Some(HealthCheckConfig::default());
    base.services = vec![user, order, payment];
    base.request_timeout_ms = 10_000;
    base.tracing.sample_rate = 0.05;
    Preset {
        name: "microservices",
        title: "Microservices calling each other",
        teaches: "order-service and payment-service each call user-service while serving a \
                  request, so user-service's latency and errors become theirs. Calls to \
                  user-service time out after 5 s and are retried up to 3 times, and every \
                  instance is health-checked every 5 s.",
        watch: "Slow down or hang a user-service instance and watch order-service and \
                payment-service latency rise with it: a dependency's trouble travels upstream.",
        config: base,
    }
}
