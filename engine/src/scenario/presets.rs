//! Built-in scenarios, from the seed chapters' example values.

use crate::common::{Role, Severity};
use crate::mechanisms::action::{ActionKind, ScheduledAction};
use crate::mechanisms::alerts::{AlertMetric, AlertRule, Condition, Scope};
use crate::mechanisms::balancer::Strategy;
use crate::mechanisms::breaker::{BreakerConfig, TripPolicy};
use crate::mechanisms::health::HealthCheckConfig;
use crate::mechanisms::messaging::{
    BrokerConfig, MessagingConfig, PublishConfig, QueueConfig, QueueKind,
};
use crate::mechanisms::ratelimit::RateLimitConfig;
use crate::mechanisms::retry::RetryConfig;
use crate::mechanisms::trace::TracingConfig;
use crate::rng::LatencyDist;
use crate::scenario::config::{
    ClusterConfig, DiscoveryConfig, GatewayConfig, InstanceConfig, RegistryConfig, ServiceConfig,
    TrafficConfig,
};

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
    /// How long `ha-sim run` simulates it by default, simulated seconds.
    pub duration_s: u32,
    /// The cluster.
    pub config: ClusterConfig,
}

/// Every preset's name and title, in the picker's order (the default first). The page lists
/// these without loading a preset: a preset's scenario is a data file, `presets/<name>.json`,
/// written from [`all`] and fetched when it is picked (a test keeps the files equal to [`all`]).
pub const INDEX: [(&str, &str); 17] = [
    ("discovery", "Service discovery and heartbeats"),
    ("showdown", "Load-balancing showdown"),
    ("dynamic", "Dynamic balancing by CPU, memory and latency"),
    ("failover", "Health checks and failover"),
    ("breaker", "Circuit breaker"),
    ("rate-limit", "Rate limiting: token bucket under a burst"),
    (
        "rate-limit-window",
        "Rate limiting: sliding window under a burst",
    ),
    ("alerts", "Alerts: pending, firing, resolved"),
    ("replication", "Replicated data on a hash ring"),
    ("sessions", "Sticky sessions and IP hash"),
    ("cascade", "A cascading failure, contained"),
    ("microservices", "Microservices calling each other"),
    ("async", "A queue between two services"),
    ("levelling", "Queue-based load levelling"),
    ("poison", "Poison messages and the dead-letter queue"),
    ("fanout", "Event bus fan-out"),
    ("stress", "Thirty instances at 5,000 req/s"),
];

/// The title of preset `name` in [`INDEX`] (empty for an unknown name).
pub fn title(name: &str) -> &'static str {
    INDEX
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, t)| t)
}

/// Every preset, in [`INDEX`]'s order.
pub fn all() -> Vec<Preset> {
    vec![
        discovery(),
        showdown(),
        dynamic(),
        failover(),
        breaker(),
        rate_limit(),
        rate_limit_window(),
        alerts(),
        replication(),
        sessions(),
        cascade(),
        microservices(),
        async_queue(),
        load_levelling(),
        poison(),
        fan_out(),
        stress(),
    ]
}

/// "Thirty instances at 5,000 req/s": the page's load case (issue 5's frame budget and the
/// benchmarks' 30-instance workload). Power of two choices over 30 instances of 8 slots
/// (log-normal, 20 ms median), health checks, one crash at 30 s and one instance 5× slow at
/// 60 s.
pub fn stress() -> Preset {
    let instances = (1..=30)
        .map(|k| {
            InstanceConfig::new(
                &format!("web-{k}"),
                &format!("10.0.1.{k}:8080"),
                8,
                32,
                LatencyDist::LogNormal {
                    median_ms: 20.0,
                    sigma: 0.5,
                },
            )
        })
        .collect();
    let mut c = single("web", instances, 5_000.0, 10_000);
    c.services[0].strategy = Strategy::PowerOfTwoChoices;
    c.services[0].health_check = Some(HealthCheckConfig::default());
    c.faults = vec![
        fault(30, Some("10.0.1.7:8080"), ActionKind::Crash, None),
        fault(
            60,
            Some("10.0.1.12:8080"),
            ActionKind::Slow { factor: 5.0 },
            Some(60),
        ),
    ];
    Preset {
        name: "stress",
        title: title("stress"),
        teaches: "Power of two choices keeps thirty instances evenly loaded at 5,000 requests per \
                  second: each request compares two random instances and takes the less busy \
                  one. It is also the page's load test: the engine runs every one of those \
                  requests in your browser.",
        watch: "At 30 s 10.0.1.7:8080 crashes: its requests fail until the health checker \
                takes it out of rotation. At 60 s 10.0.1.12:8080 becomes 5× slower: its queue \
                grows, so two choices send it less. Switch the strategy to round robin in the \
                inspector and watch its queue.",
        duration_s: 120,
        config: c,
    }
}

/// The preset called `name`, if any.
pub fn by_name(name: &str) -> Option<Preset> {
    all().into_iter().find(|p| p.name == name)
}

/// The default preset's name.
pub const DEFAULT: &str = "discovery";
/// The default preset's scenario file (`engine/presets/discovery.json`), which the page opens
/// with when its address has no link.
pub const DEFAULT_JSON: &str = include_str!("../../presets/discovery.json");
/// The seed a page or link uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 42;

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
        title: title("discovery"),
        teaches: "Instances register with the registry and prove they are alive with a heartbeat \
                  every 5 s; the load balancer sends each request to the next instance the \
                  registry lists (round robin). An instance that stops heart-beating is expired \
                  after the 30 s heartbeat timeout.",
        watch: "Crash 192.168.1.11:8080. The registry only notices silence: it expires the \
                instance 30 s after its last heartbeat, 25 to 30 s after the crash. Until then \
                the balancer keeps sending it every other user-service request, and those fail \
                with 502. Then all user-service traffic goes to 192.168.1.10:8080.",
        duration_s: 120,
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
            data: None,
            messaging: None,
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
        title: title("microservices"),
        teaches: "order-service and payment-service each call user-service while serving a \
                  request, so user-service's latency and errors become theirs. Calls to \
                  user-service time out after 5 s and are retried up to 3 times, and every \
                  instance is health-checked every 5 s.",
        watch: "Slow down or hang a user-service instance and watch order-service and \
                payment-service latency rise with it: a dependency's trouble travels upstream.",
        duration_s: 120,
        config: base,
    }
}

fn lognormal(median_ms: f64) -> LatencyDist {
    LatencyDist::LogNormal {
        median_ms,
        sigma: 0.5,
    }
}

/// A one-service cluster called `name` with these instances at `rate` req/s.
fn single(name: &str, instances: Vec<InstanceConfig>, rate: f64, clients: u32) -> ClusterConfig {
    let mut c = discovery().config;
    c.services = vec![ServiceConfig::new(name, 1.0, instances)];
    c.traffic = TrafficConfig {
        rate_rps: rate,
        clients,
    };
    c
}

fn fault(
    at_s: u64,
    target: Option<&str>,
    fault: ActionKind,
    for_s: Option<u64>,
) -> ScheduledAction {
    ScheduledAction {
        at_ms: at_s * 1_000,
        target: target.map(str::to_string),
        kind: fault,
        duration_ms: for_s.map(|s| s * 1_000),
    }
}

/// "Load-balancing showdown" (`ha-architecture.md` §2: instance-1..3, weights 2, 1, 1): the
/// same traffic over the same three instances, one of them slow, one strategy at a time.
pub fn showdown() -> Preset {
    let mut i1 = InstanceConfig::new("instance-1", "192.168.1.10:8080", 8, 64, lognormal(20.0));
    i1.weight = 2;
    let i2 = InstanceConfig::new("instance-2", "192.168.1.11:8080", 8, 64, lognormal(20.0));
    let i3 = InstanceConfig::new("instance-3", "192.168.1.12:8080", 8, 64, lognormal(80.0));
    let mut c = single("api", vec![i1, i2, i3], 100.0, 1_000);
    c.services[0].strategy = Strategy::WeightedRoundRobin;
    Preset {
        name: "showdown",
        title: title("showdown"),
        teaches: "Three instances with weights 2, 1, 1; instance-3 is four times slower. Smooth \
                  weighted round robin sends half the requests to instance-1 and a quarter to \
                  each of the others, however slow they are. Strategies that look at load \
                  (least connections, power of two choices, peak EWMA) send less to the slow one.",
        watch: "Compare instance-3's in-flight requests and p99 under each strategy: switch it \
                with the same seed and the same traffic, or run `ha-sim run --preset showdown \
                --strategy api=least_connections`.",
        duration_s: 120,
        config: c,
    }
}

/// "Dynamic balancing" (`ha-architecture.md` §2.3, `DynamicLoadBalancer`): the score
/// 0.4·(1−cpu) + 0.3·(1−memory) + 0.3·1/(1+response time) from load reports, and what a stale
/// report does.
pub fn dynamic() -> Preset {
    let i1 = InstanceConfig::new("instance-1", "192.168.1.10:8080", 8, 64, lognormal(20.0));
    let i2 = InstanceConfig::new("instance-2", "192.168.1.11:8080", 4, 64, lognormal(20.0));
    let i3 = InstanceConfig::new("instance-3", "192.168.1.12:8080", 2, 64, lognormal(20.0));
    let mut c = single("api", vec![i1, i2, i3], 60.0, 1_000);
    c.services[0].strategy = Strategy::DynamicScore;
    c.faults = vec![fault(
        39,
        Some("192.168.1.10:8080"),
        ActionKind::Hang,
        Some(90),
    )];
    Preset {
        name: "dynamic",
        title: title("dynamic"),
        teaches: "Each instance reports its CPU, memory and response time every second; the \
                  balancer sends each request to the highest score. Reports older than 60 s \
                  score 0. The best-scored instance takes every request until its next report, \
                  so traffic moves in bursts.",
        watch: "At 39 s instance-1 hangs and stops reporting. Its last report still looks good, \
                so the balancer keeps choosing it and requests time out, until the report is \
                60 s old and scores 0. Stale metrics route traffic to a dead instance. Whether \
                it happens depends on that last report: with some seeds it was sent just after \
                a burst, looks busy, and the hung instance is never chosen again.",
        duration_s: 150,
        config: c,
    }
}

/// "Health checks and failover" (`ha-architecture.md` §3: `HealthChecker` 5 s / 1 s / 3,
/// `FailoverManager` with a backup pool and recovery at 5·attempt s, 3 attempts).
pub fn failover() -> Preset {
    let mk = |id: &str, addr: &str| InstanceConfig::new(id, addr, 2, 16, lognormal(20.0));
    let mut backup = mk("user-service-backup", "192.168.1.12:8080");
    backup.role = Role::Backup;
    backup.boot_time_ms = 10_000;
    let mut c = single(
        "user-service",
        vec![
            mk("user-service-1", "192.168.1.10:8080"),
            mk("user-service-2", "192.168.1.11:8080"),
            backup,
        ],
        120.0,
        1_000,
    );
    c.services[0].health_check = Some(HealthCheckConfig::default());
    c.faults = vec![fault(
        30,
        Some("192.168.1.11:8080"),
        ActionKind::Crash,
        Some(90),
    )];
    Preset {
        name: "failover",
        title: title("failover"),
        teaches: "The health checker probes every instance every 5 s (1 s timeout) and marks one \
                  unhealthy after 3 failures. The failover manager then promotes a backup from \
                  the pool (10 s boot) and tries to restart the failed instance after 0, 5 and 15 s; \
                  after 3 failed attempts it gives up. When the instance comes back, the backup \
                  returns to the pool (failback).",
        watch: "At 30 s 192.168.1.11:8080's machine goes down for 90 s. The survivor cannot carry \
                120 req/s alone, so watch the 503s until the backup has booted, the recovery \
                attempts fail, and the failback at 120 s.",
        duration_s: 180,
        config: c,
    }
}

/// "Circuit breaker" (`service-discovery-and-breaker.md` §5: a 70 % failing service, threshold
/// 3, timeout 5 s, success threshold 3, one call every 0.5 s).
pub fn breaker() -> Preset {
    let i = InstanceConfig::new("unreliable-1", "192.168.1.40:8080", 4, 16, lognormal(20.0));
    let mut c = single("unreliable-service", vec![i], 2.0, 10);
    c.services[0].breaker = Some(BreakerConfig::seed_example());
    c.faults = vec![fault(
        10,
        Some("192.168.1.40:8080"),
        ActionKind::ErrorRate { rate: 0.7 },
        Some(60),
    )];
    Preset {
        name: "breaker",
        title: title("breaker"),
        teaches: "The gateway's breaker for the upstream opens after 3 consecutive failures and \
                  fails calls fast (503) without calling it. After 5 s it is half-open and lets \
                  trial calls through: 3 successes close it, one failure opens it again.",
        watch: "From 10 s to 70 s the service fails 70 % of calls, as in the seed. Watch the \
                breaker open, half-open, re-open on a failed trial, and close once the service \
                recovers.",
        duration_s: 100,
        config: c,
    }
}

fn rate_limited(limit: RateLimitConfig) -> ClusterConfig {
    let mk = |id: &str, addr: &str| InstanceConfig::new(id, addr, 16, 64, lognormal(20.0));
    let mut c = single(
        "api",
        vec![
            mk("api-1", "192.168.1.10:8080"),
            mk("api-2", "192.168.1.11:8080"),
        ],
        15.0,
        200,
    );
    c.gateway.rate_limit = Some(limit);
    c.faults = vec![fault(
        30,
        None,
        ActionKind::TrafficSpike { factor: 5.0 },
        Some(20),
    )];
    c
}

/// "Rate limiting: token bucket" (`microservice-patterns.md` §3 `TokenBucket`).
pub fn rate_limit() -> Preset {
    Preset {
        name: "rate-limit",
        title: title("rate-limit"),
        teaches: "The gateway admits a request when the bucket has a token; 100 tokens, refilled \
                  at 20 per second. A burst can spend the whole bucket at once, then traffic is \
                  held to the refill rate and the rest get 429.",
        watch: "At 30 s traffic jumps from 15 to 75 req/s for 20 s. The bucket absorbs the first \
                seconds, then about 55 req/s are rejected. Compare the rate-limit-window preset.",
        duration_s: 90,
        config: rate_limited(RateLimitConfig::TokenBucket {
            capacity: 100,
            refill_per_s: 20.0,
        }),
    }
}

/// "Rate limiting: sliding window" (`microservice-patterns.md` §3 `RateLimiter`).
pub fn rate_limit_window() -> Preset {
    Preset {
        name: "rate-limit-window",
        title: title("rate-limit-window"),
        teaches: "The gateway admits at most 400 requests in any 20 s window (a log of admission \
                  times, as the seed's RateLimiter). Quiet seconds leave room that a burst can \
                  use, then everything is rejected until old admissions slide out of the window.",
        watch: "The same burst as the token-bucket preset: at 30 s traffic jumps to 75 req/s. \
                Watch the 429s come in one block and stop when the window slides, instead of a \
                steady trickle.",
        duration_s: 90,
        config: rate_limited(RateLimitConfig::SlidingWindow {
            max_requests: 400,
            window_ms: 20_000,
        }),
    }
}

/// "Alerts" (`ha-architecture.md` §4: `AlertManager` rules above/below a threshold over a
/// window; Prometheus states).
pub fn alerts() -> Preset {
    let mut c = discovery().config;
    c.faults = vec![
        fault(
            30,
            Some("192.168.1.11:8080"),
            ActionKind::ErrorRate { rate: 0.3 },
            Some(60),
        ),
        fault(
            120,
            Some("192.168.1.20:8081"),
            ActionKind::Slow { factor: 30.0 },
            Some(60),
        ),
    ];
    c.request_timeout_ms = 5_000;
    Preset {
        name: "alerts",
        title: title("alerts"),
        teaches: "Default rules watch every service: error rate above 5 % over 30 s for 10 s, p99 \
                  above 500 ms for 30 s, healthy instances below the primaries for 5 s, any \
                  breaker open. A rule that holds is pending; if it holds for its for-duration \
                  it fires; when it stops holding it is resolved.",
        watch: "From 30 s to 90 s one user-service instance fails 30 % of requests; from 120 s to \
                180 s order-service is 30 times slower. Watch each alert go pending, fire and \
                resolve in the feed.",
        duration_s: 240,
        config: c,
    }
}

/// "Sticky sessions and IP hash" (`ha-architecture.md` exercises: session affinity).
pub fn sessions() -> Preset {
    let mk = |id: &str, addr: &str| InstanceConfig::new(id, addr, 8, 64, lognormal(20.0));
    let mut c = single(
        "cart-service",
        vec![
            mk("cart-1", "192.168.1.10:8080"),
            mk("cart-2", "192.168.1.11:8080"),
            mk("cart-3", "192.168.1.12:8080"),
        ],
        50.0,
        300,
    );
    c.services[0].strategy = Strategy::StickySession;
    c.faults = vec![fault(
        40,
        Some("192.168.1.11:8080"),
        ActionKind::Crash,
        None,
    )];
    Preset {
        name: "sessions",
        title: title("sessions"),
        teaches: "With sticky sessions each of 300 clients keeps its instance (its session) as \
                  long as that instance is listed. IP hash gets the same affinity from the \
                  client's address modulo the number of instances, with no table at all.",
        watch: "cart-2 crashes at 40 s. With sticky sessions only cart-2's clients move (their \
                sessions are lost). Switch to IP hash: when the list shrinks, the modulo changes \
                and most clients move, even those of healthy instances. Ring hash (without a \
                load bound) and Maglev move almost only the failed instance's clients.",
        duration_s: 90,
        config: c,
    }
}

/// "Cascading failure" (`microservice-patterns.md` circuit breaker, `ha-architecture.md`
/// exercises): frontend → order-service → user-service, and breakers and retry budgets that
/// contain a hang.
pub fn cascade() -> Preset {
    let mk = |id: &str, addr: &str, ms: f64| InstanceConfig::new(id, addr, 8, 16, lognormal(ms));
    let mut frontend = ServiceConfig::new(
        "frontend",
        1.0,
        vec![
            mk("frontend-1", "192.168.1.5:8000", 5.0),
            mk("frontend-2", "192.168.1.6:8000", 5.0),
        ],
    );
    frontend.depends_on = vec!["order-service".into()];
    let mut order = ServiceConfig::new(
        "order-service",
        0.0,
        vec![
            mk("order-service-1", "192.168.1.20:8081", 15.0),
            mk("order-service-2", "192.168.1.21:8081", 15.0),
        ],
    );
    order.depends_on = vec!["user-service".into()];
    order.timeout_ms = Some(2_000);
    order.retry = RetryConfig {
        max_retries: 1,
        ..RetryConfig::default()
    };
    order.breaker = Some(BreakerConfig {
        trip: TripPolicy::Consecutive { failures: 5 },
        reset_timeout_ms: 10_000,
        success_threshold: 3,
    });
    let mut user = ServiceConfig::new(
        "user-service",
        0.0,
        vec![
            mk("user-service-1", "192.168.1.10:8080", 10.0),
            mk("user-service-2", "192.168.1.11:8080", 10.0),
        ],
    );
    user.timeout_ms = Some(500);
    user.retry = RetryConfig {
        max_retries: 2,
        ..RetryConfig::default()
    };
    user.breaker = Some(BreakerConfig {
        trip: TripPolicy::Consecutive { failures: 5 },
        reset_timeout_ms: 10_000,
        success_threshold: 3,
    });
    let mut c = discovery().config;
    c.services = vec![frontend, order, user];
    c.traffic = TrafficConfig {
        rate_rps: 80.0,
        clients: 1_000,
    };
    c.request_timeout_ms = 3_000;
    c.tracing.sample_rate = 0.05;
    c.faults = vec![fault(
        30,
        Some("192.168.1.10:8080"),
        ActionKind::Hang,
        Some(60),
    )];
    Preset {
        name: "cascade",
        title: title("cascade"),
        teaches: "frontend calls order-service, which calls user-service. When a user-service \
                  instance hangs, every call to it holds an order-service slot until its 500 ms \
                  timeout; queues grow and frontend requests fail: trouble climbs the chain. \
                  The breakers on each hop route around an upstream that keeps failing (and fail \
                  fast when nothing is left), and retry budgets keep retries from multiplying \
                  the load.",
        watch: "From 30 s to 90 s user-service-1 hangs. After a handful of timeouts the breakers \
                towards it open and requests keep succeeding; every 10 s a few trial calls test \
                it and fail. Remove the breakers and run the same seed again: hundreds of \
                requests fail; remove the retries too and thousands do.",
        duration_s: 150,
        config: c,
    }
}

/// The replicated store of the `replication` preset and of a store the builder adds: five data
/// nodes of 2,000 keys, 100 virtual nodes each, 3 replicas, write quorum 3, read quorum 1;
/// 100 operations a second (30 % writes) over 1,000 keys, all preloaded; repair 20 keys/s.
pub fn replicated_store() -> crate::scenario::config::DataConfig {
    let mut replication = crate::mechanisms::replication::ReplicationConfig::uniform(5, 100, 2_000);
    replication.write_quorum = 3;
    replication.read_quorum = 1;
    crate::scenario::config::DataConfig {
        replication,
        ops_per_s: 100.0,
        write_fraction: 0.3,
        key_space: 1_000,
        preload_keys: 1_000,
        repair_per_s: 20,
    }
}

/// The seed's broker (`microservice-architecture.md` §3.2): `broker-1` at 192.168.1.90:5672,
/// 2 ms publish round trip.
pub fn broker() -> BrokerConfig {
    BrokerConfig {
        name: "broker-1".into(),
        address: "192.168.1.90:5672".into(),
        publish_latency_ms: 2.0,
    }
}

/// "Replicated data" (`ha-architecture.md` §1.2: `DataNode` with a capacity,
/// `ReplicationManager` with 3 replicas and reads with fallback), on a consistent-hash ring.
pub fn replication() -> Preset {
    let mk = |id: &str, addr: &str| InstanceConfig::new(id, addr, 8, 32, lognormal(10.0));
    let mut c = single(
        "storage-api",
        vec![
            mk("storage-api-1", "192.168.1.10:8080"),
            mk("storage-api-2", "192.168.1.11:8080"),
        ],
        10.0,
        100,
    );
    c.data = Some(replicated_store());
    c.faults = vec![fault(
        30,
        Some("node-2"),
        ActionKind::DataNodeFail,
        Some(90),
    )];
    Preset {
        name: "replication",
        title: title("replication"),
        teaches: "1,000 keys live on five data nodes, 3 replicas each: a key's replicas are the \
                  next three distinct nodes clockwise from its position on the ring (100 virtual \
                  nodes per node). Writes go to all three; reads ask the first replica and fall \
                  back along the list.",
        watch: "At 30 s node-2 fails: about 3/5 of the keys lose a replica. Reads still succeed \
                by falling back, the UnderReplicated alert fires, and repair copies 20 keys a \
                second onto the next nodes of the ring until every key has 3 live copies again. \
                node-2 comes back at 120 s.",
        duration_s: 150,
        config: c,
    }
}

/// The default rules for `cfg`: per service, error rate above 5 % over
/// 30 s for 10 s (critical); p99 above 500 ms for 30 s (warning); healthy instances below the
/// number of primaries for 5 s (critical); any breaker open towards it (warning, at once); with a
/// replicated store, under-replicated keys for 5 s (warning); with messaging, per queue, a
/// backlog over 1,000 messages for 10 s (warning), a consumer lag over 30 s (critical, at
/// once) and any message dead-lettered in the last 60 s (warning, at once).
pub fn default_alert_rules(cfg: &ClusterConfig) -> Vec<AlertRule> {
    let mut rules = vec![
        AlertRule {
            name: "HighErrorRate".into(),
            metric: AlertMetric::ErrorRate,
            scope: Scope::EachService,
            condition: Condition::Above,
            threshold: 0.05,
            window_s: 30,
            for_ms: 10_000,
            severity: Severity::Critical,
        },
        AlertRule {
            name: "HighLatencyP99".into(),
            metric: AlertMetric::P99Ms,
            scope: Scope::EachService,
            condition: Condition::Above,
            threshold: 500.0,
            window_s: 60,
            for_ms: 30_000,
            severity: Severity::Warning,
        },
    ];
    for s in &cfg.services {
        let primaries = s
            .instances
            .iter()
            .filter(|i| i.role == crate::common::Role::Primary)
            .count();
        rules.push(AlertRule {
            name: "HealthyInstancesLow".into(),
            metric: AlertMetric::HealthyInstances,
            scope: Scope::Service(s.name.clone()),
            condition: Condition::Below,
            threshold: primaries as f64,
            window_s: 1,
            for_ms: 5_000,
            severity: Severity::Critical,
        });
    }
    if cfg.data.is_some() {
        rules.push(AlertRule {
            name: "UnderReplicated".into(),
            metric: AlertMetric::UnderReplicatedKeys,
            scope: Scope::Data,
            condition: Condition::Above,
            threshold: 0.0,
            window_s: 1,
            for_ms: 5_000,
            severity: Severity::Warning,
        });
    }
    if cfg.messaging.is_some() {
        // A backlog is the point of a queue; one that keeps growing, or a consumer that has
        // not taken a message for half a minute, is someone's page.
        rules.push(AlertRule {
            name: "QueueBacklog".into(),
            metric: AlertMetric::QueueDepth,
            scope: Scope::EachQueue,
            condition: Condition::Above,
            threshold: 1_000.0,
            window_s: 1,
            for_ms: 10_000,
            severity: Severity::Warning,
        });
        rules.push(AlertRule {
            name: "ConsumerLagHigh".into(),
            metric: AlertMetric::QueueLagS,
            scope: Scope::EachQueue,
            condition: Condition::Above,
            threshold: 30.0,
            window_s: 1,
            for_ms: 0,
            severity: Severity::Critical,
        });
        rules.push(AlertRule {
            name: "DeadLettering".into(),
            metric: AlertMetric::DeadLettered,
            scope: Scope::EachQueue,
            condition: Condition::Above,
            threshold: 0.0,
            window_s: 60,
            for_ms: 0,
            severity: Severity::Warning,
        });
    }
    rules.push(AlertRule {
        name: "CircuitBreakerOpen".into(),
        metric: AlertMetric::BreakersOpen,
        scope: Scope::EachService,
        condition: Condition::Above,
        threshold: 0.0,
        window_s: 1,
        for_ms: 0,
        severity: Severity::Warning,
    });
    rules
}

/// The cluster of the messaging presets: order-service (2 instances, 8 slots, 10 ms
/// log-normal) takes `rate` orders a second and publishes one message per order to
/// `email-queue` on broker-1 (2 ms round trip), which email-service consumes with 2 instances of
/// `slots` slots taking a constant 40 ms per message: `slots` × 50 messages a second of
/// consumer capacity.
fn messaging_cluster(rate: f64, slots: u32) -> ClusterConfig {
    let mut c = discovery().config;
    let mut order = ServiceConfig::new(
        "order-service",
        1.0,
        vec![
            instance("order-service-1", "192.168.1.20:8081", 10.0),
            instance("order-service-2", "192.168.1.21:8081", 10.0),
        ],
    );
    for i in &mut order.instances {
        i.concurrency = 8;
    }
    order.endpoints = vec!["/orders".into()];
    order.publishes = vec![PublishConfig {
        queue: "email-queue".into(),
        per_request: 1.0,
    }];
    let email = |k: u32| {
        InstanceConfig::new(
            &format!("email-service-{k}"),
            &format!("192.168.1.4{k}:8083"),
            slots,
            32,
            LatencyDist::Constant { ms: 40.0 },
        )
    };
    let email = ServiceConfig::new("email-service", 0.0, vec![email(0), email(1)]);
    c.services = vec![order, email];
    c.traffic = TrafficConfig {
        rate_rps: rate,
        clients: 200,
    };
    c.messaging = Some(MessagingConfig {
        brokers: vec![broker()],
        queues: vec![QueueConfig::queue(
            "email-queue",
            "broker-1",
            "email-service",
        )],
    });
    c
}

/// "A queue between two services" (`microservice-architecture.md` §3.2, the seed's
/// `email-queue`): order-service publishes an email message per order; both email-service
/// instances go down for 60 s at 30 s. 100 orders a second against 200 messages a second of
/// consumer capacity: the backlog grows to about 6,000 and drains in about 60 s.
pub fn async_queue() -> Preset {
    let mut c = messaging_cluster(100.0, 4);
    c.faults = vec![
        fault(30, Some("192.168.1.40:8083"), ActionKind::Crash, Some(60)),
        fault(30, Some("192.168.1.41:8083"), ActionKind::Crash, Some(60)),
    ];
    Preset {
        name: "async",
        title: title("async"),
        teaches: "order-service does not call email-service: it publishes a message to \
                  email-queue and answers once the broker has acknowledged it. When \
                  email-service is down its messages wait in the queue instead of failing \
                  orders: the outage becomes a backlog and a delay, not errors.",
        watch: "At 30 s both email-service instances go down for 60 s. No order fails; the \
                backlog grows by 100 messages a second to about 6,000 and the oldest message \
                waits almost 60 s (consumer lag). After they come back the consumers' 200 \
                messages a second drain it, 100 a second faster than it fills, in about 60 s.",
        duration_s: 180,
        config: c,
    }
}

/// "Queue-based load levelling": order-service's traffic spikes 5× for 30 s; email-service's
/// 100 messages a second of capacity stay busy while the queue absorbs the difference.
pub fn load_levelling() -> Preset {
    let mut c = messaging_cluster(40.0, 2);
    c.faults = vec![fault(
        30,
        None,
        ActionKind::TrafficSpike { factor: 5.0 },
        Some(30),
    )];
    Preset {
        name: "levelling",
        title: title("levelling"),
        teaches: "A queue lets producers go faster than consumers for a while: the consumers \
                  work at their own capacity and the queue holds the rest, so a spike becomes \
                  a backlog instead of overload.",
        watch: "At 30 s orders jump from 40 to 200 a second for 30 s. email-service's two \
                instances (100 messages a second) stay at full capacity, the queue grows by \
                about 100 a second to about 3,000, then drains at 60 a second in about 50 s.",
        duration_s: 150,
        config: c,
    }
}

/// "Poison messages": 1 % of the messages always fail processing; after 3 deliveries each
/// goes to the dead-letter queue, while the rest flow.
pub fn poison() -> Preset {
    let mut c = messaging_cluster(50.0, 4);
    if let Some(m) = &mut c.messaging {
        let q = &mut m.queues[0];
        q.poison_fraction = 0.01;
        q.max_deliveries = 3;
        q.visibility_timeout_ms = 5_000;
    }
    Preset {
        name: "poison",
        title: title("poison"),
        teaches: "A message that can never be processed would be delivered forever. After \
                  max_deliveries (3) unacknowledged deliveries the broker moves it to the \
                  dead-letter queue, where someone can look at it, and the other messages \
                  keep flowing.",
        watch: "About one message in a hundred is poison. Each fails, waits out its 5 s \
                visibility timeout, is delivered again, and after the third failure is \
                dead-lettered: about 30 a minute at 50 orders a second.",
        duration_s: 120,
        config: c,
    }
}

/// "Event bus fan-out" (the seed's `EventBus`, `order.created`): order-service publishes
/// order.created; email-service, inventory-service and analytics-service each get their own
/// copy. analytics-service goes down for 60 s at 30 s: only its copy backs up.
pub fn fan_out() -> Preset {
    let mut c = messaging_cluster(50.0, 4);
    let consumer = |name: &str, host: u32| {
        ServiceConfig::new(
            name,
            0.0,
            vec![InstanceConfig::new(
                &format!("{name}-1"),
                &format!("192.168.1.{host}:8084"),
                4,
                32,
                LatencyDist::Constant { ms: 20.0 },
            )],
        )
    };
    c.services.push(consumer("inventory-service", 50));
    c.services.push(consumer("analytics-service", 60));
    c.services[0].publishes[0].queue = "order.created".into();
    if let Some(m) = &mut c.messaging {
        m.queues[0].name = "order.created".into();
        m.queues[0].kind = QueueKind::Topic;
        m.queues[0].consumers = vec![
            "email-service".into(),
            "inventory-service".into(),
            "analytics-service".into(),
        ];
    }
    c.faults = vec![fault(
        30,
        Some("192.168.1.60:8084"),
        ActionKind::Crash,
        Some(60),
    )];
    Preset {
        name: "fanout",
        title: title("fanout"),
        teaches: "On an event bus each subscriber gets its own copy of every event: \
                  order.created goes to email-service, inventory-service and \
                  analytics-service, and each consumes at its own pace.",
        watch: "At 30 s analytics-service goes down for 60 s. Only its copy of order.created \
                backs up (to about 3,000); email and inventory keep up, and orders never \
                notice.",
        duration_s: 150,
        config: c,
    }
}
