//! The scenario builder's words: each field's label, unit and allowed range, grouped as the
//! page shows them, and the Display of [`DraftError`]. The keys are
//! [`crate::scenario::draft`]'s; the ranges are the limits `ClusterConfig::validate` checks
//! (shown beside the field and set on the input; the engine's validation decides).

use crate::common::ConfigError;
use crate::present::Dec;
use crate::scenario::draft::DraftError;
use crate::scenario::ScenarioError;
use std::fmt;

/// How a field is edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A number field.
    Number,
    /// A text field.
    Text,
    /// A few sentences of text (a `textarea`).
    Prose,
    /// A choice among [`crate::scenario::draft::choices`].
    Choice,
    /// A switch; the fields whose key continues this one (`breaker.` after `breaker`) show
    /// only while it is on.
    Switch,
}

/// One builder field: its key (after the part's prefix, e.g. `s0.`), label, unit, allowed
/// range as shown (`lo`, `hi`; empty for texts, choices and switches) and kind.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The key, relative to its part.
    pub key: &'static str,
    /// What the field is, in words.
    pub label: &'static str,
    /// Its unit (`ms`, `req/s`, `%`, `fraction` for a share from 0 to 1, …), empty when it
    /// has none.
    pub unit: &'static str,
    /// Least allowed value, as written on the input (`min`).
    pub lo: &'static str,
    /// Largest allowed value (`max`).
    pub hi: &'static str,
    /// How it is edited.
    pub kind: Kind,
}

impl Field {
    /// What the page writes after the label: `(unit, lo to hi)` for a number with a unit,
    /// `(lo to hi)` without one; empty for other kinds.
    pub fn hint(&self) -> String {
        match (self.kind, self.unit) {
            (Kind::Number, "") => format!("({} to {})", self.lo, self.hi),
            (Kind::Number, u) => format!("({u}, {} to {})", self.lo, self.hi),
            _ => String::new(),
        }
    }
}

const fn n(
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    lo: &'static str,
    hi: &'static str,
) -> Field {
    Field {
        key,
        label,
        unit,
        lo,
        hi,
        kind: Kind::Number,
    }
}

const fn t(key: &'static str, label: &'static str) -> Field {
    Field {
        key,
        label,
        unit: "",
        lo: "",
        hi: "",
        kind: Kind::Text,
    }
}

const fn c(key: &'static str, label: &'static str) -> Field {
    Field {
        kind: Kind::Choice,
        ..t(key, label)
    }
}

const fn b(key: &'static str, label: &'static str) -> Field {
    Field {
        kind: Kind::Switch,
        ..t(key, label)
    }
}

/// Per service, one switch per other service (`s{i}.calls.{j}`): the label is followed by
/// the called service's name. A switch that makes a dependency cycle is refused, naming it.
pub const CALLS: Field = b("calls.", "Calls");

/// Per service, one number per queue (`s{i}.publishes.{q}`): messages it publishes to the
/// queue per request it serves; the label is followed by the queue's name.
pub const PUBLISHES: Field = n("publishes.", "Messages per request to", "", "0", "100");

/// Per queue, one switch per service (`q{k}.consumer.{i}`): the label is followed by the
/// service's name.
pub const CONSUMER: Field = b("consumer.", "Consumed by");

/// The run: title, texts, duration and seed.
pub const RUN: &[Field] = &[
    t("title", "Title"),
    Field {
        kind: Kind::Prose,
        ..t("teaches", "What it teaches")
    },
    Field {
        kind: Kind::Prose,
        ..t("watch", "What to watch")
    },
    n("duration_s", "Duration", "s", "1", "86400"),
    n("seed", "Seed", "", "0", "9007199254740991"),
];

/// Traffic and the gateway's rate limiter (the seed's token bucket or sliding-window log).
pub const TRAFFIC: &[Field] = &[
    n("rate_rps", "Request rate", "req/s", "0", "100000"),
    n(
        "clients",
        "Clients, the keys hashing strategies use",
        "",
        "1",
        "1000000",
    ),
    c("rl", "Rate limiter at the gateway"),
    n("rl.capacity", "Bucket capacity", "tokens", "1", "1000000"),
    n("rl.refill_per_s", "Refill rate", "tokens/s", "0", "1000000"),
    n("rl.max_requests", "Requests per window", "", "1", "1000000"),
    n("rl.window_ms", "Window", "ms", "1", "600000"),
    n(
        "tracing.sample_rate",
        "Share of requests traced",
        "fraction",
        "0",
        "1",
    ),
];

/// Registry and discovery (Consul TTL checks; the seed's 30 s timeout).
pub const REGISTRY: &[Field] = &[
    n(
        "heartbeat_interval_ms",
        "Heartbeat interval",
        "ms",
        "100",
        "600000",
    ),
    n(
        "heartbeat_timeout_ms",
        "Heartbeat TTL",
        "ms",
        "100",
        "600000",
    ),
    n("cache_ttl_ms", "Discovery cache TTL", "ms", "1", "600000"),
    b(
        "watch_registry",
        "Watch the registry (push) instead of polling",
    ),
    n("request_timeout_ms", "Request timeout", "ms", "1", "600000"),
];

/// A service's fields (key after `s{i}.`); dependencies, publishers and instances are drawn
/// beside them.
pub const SERVICE: &[Field] = &[
    t("name", "Name"),
    n("traffic_share", "Traffic share", "", "0", "1000000"),
    c("strategy", "Load-balancing strategy"),
    n(
        "lb.ring_vnodes",
        "Virtual nodes per instance",
        "",
        "1",
        "1000",
    ),
    n(
        "lb.ring_load_factor",
        "Bounded-load factor c",
        "× mean",
        "1",
        "100",
    ),
    n(
        "lb.maglev_table_size",
        "Maglev table size, a prime",
        "",
        "7",
        "65537",
    ),
    n("lb.ewma_decay_ms", "EWMA decay", "ms", "1", "600000"),
    n(
        "lb.sticky_table_size",
        "Session table size",
        "",
        "1",
        "1000000",
    ),
    b("hc", "Health checks"),
    n("hc.interval_ms", "Interval", "ms", "100", "600000"),
    n("hc.timeout_ms", "Timeout", "ms", "1", "600000"),
    n(
        "hc.unhealthy_threshold",
        "Failures to mark unhealthy",
        "",
        "1",
        "100",
    ),
    n(
        "hc.healthy_threshold",
        "Successes to mark healthy",
        "",
        "1",
        "100",
    ),
    b("outlier", "Outlier ejection"),
    n(
        "outlier.consecutive_5xx",
        "Consecutive 5xx to eject",
        "",
        "1",
        "1000",
    ),
    n(
        "outlier.base_ejection_ms",
        "Base ejection time",
        "ms",
        "1",
        "600000",
    ),
    n(
        "outlier.max_ejection_ms",
        "Longest ejection",
        "ms",
        "1",
        "600000",
    ),
    n(
        "outlier.max_ejection_pct",
        "Most ejected at once",
        "%",
        "0",
        "100",
    ),
    b("breaker", "Circuit breaker (on the callers' side)"),
    c("breaker.trip", "Opens on"),
    n("breaker.failures", "Consecutive failures", "", "1", "1000"),
    n(
        "breaker.window_ms",
        "Failure-rate window",
        "ms",
        "1000",
        "600000",
    ),
    n(
        "breaker.min_requests",
        "Fewest requests in the window",
        "",
        "1",
        "100000",
    ),
    n("breaker.error_pct", "Error rate to open", "%", "0", "100"),
    n(
        "breaker.reset_timeout_ms",
        "Open for, then half-open",
        "ms",
        "1",
        "600000",
    ),
    n(
        "breaker.success_threshold",
        "Half-open successes to close",
        "",
        "1",
        "1000",
    ),
    b("timeout", "Per-call timeout"),
    n("timeout.ms", "Timeout", "ms", "1", "600000"),
    n("retry.max_retries", "Retries", "", "0", "10"),
    n(
        "retry.base_backoff_ms",
        "Base back-off",
        "ms",
        "0",
        "600000",
    ),
    n(
        "retry.max_backoff_ms",
        "Longest back-off",
        "ms",
        "0",
        "600000",
    ),
    n(
        "retry.budget_pct",
        "Retry budget",
        "% of requests",
        "0",
        "100",
    ),
    n(
        "retry.min_retries_per_s",
        "Retries always allowed",
        "per s",
        "0",
        "100000",
    ),
    n(
        "panic_threshold_pct",
        "Panic threshold",
        "% healthy",
        "0",
        "100",
    ),
    b("failback", "Fail back to primaries when they recover"),
];

/// An instance's fields (key after `s{i}.i{j}.`).
pub const INSTANCE: &[Field] = &[
    t("id", "Name"),
    t("address", "Address (host:port)"),
    n("weight", "Weight", "", "0", "1000"),
    n(
        "concurrency",
        "Slots: requests served at once",
        "",
        "1",
        "10000",
    ),
    n("queue_limit", "Queue limit", "requests", "0", "100000"),
    c("lat", "Latency distribution"),
    n("lat.ms", "Service time", "ms", "0", "60000"),
    n("lat.mean_ms", "Mean service time", "ms", "0", "60000"),
    n("lat.median_ms", "Median service time", "ms", "0", "60000"),
    n("lat.sigma", "Shape σ", "", "0", "3"),
    n("error_rate", "Error rate", "fraction", "0", "1"),
    n("boot_time_ms", "Boot time", "ms", "0", "600000"),
    b(
        "backup",
        "Backup (in the failover pool, promoted when a primary fails)",
    ),
];

/// An alert rule's fields (key after `a{k}.`).
pub const ALERT: &[Field] = &[
    t("name", "Name"),
    c("metric", "Metric"),
    c("scope", "On"),
    c("condition", "Fires when"),
    n("threshold", "Threshold", "", "-1000000", "1000000"),
    n("window_s", "Over", "s", "1", "3600"),
    n(
        "for_ms",
        "Pending for, before firing",
        "ms",
        "0",
        "86400000",
    ),
    c("severity", "Severity"),
];

/// A timeline entry's fields (key after `f{k}.`).
pub const FAULT: &[Field] = &[
    c("kind", "What"),
    c("target", "On"),
    n(
        "value",
        "Amount: factor, rate, slots, weight or capacity",
        "",
        "0",
        "1000000",
    ),
    n("at_s", "At", "s", "0", "86400"),
    n("for_s", "For, 0 until cleared", "s", "0", "86400"),
];

/// The replicated store (the seed's `ReplicationManager`; Dynamo's N, W, R).
pub const DATA: &[Field] = &[
    b("data", "Replicated store"),
    n("data.nodes", "Data nodes", "", "1", "64"),
    c("data.placement", "Placement"),
    n("data.vnodes", "Virtual nodes per node", "", "1", "1000"),
    n("data.replicas", "Replicas N", "", "1", "16"),
    n("data.write_quorum", "Write quorum W", "", "1", "16"),
    n("data.read_quorum", "Read quorum R", "", "1", "16"),
    n("data.ops_per_s", "Keyed operations", "per s", "0", "100000"),
    n("data.write_fraction", "Writes", "fraction", "0", "1"),
    n("data.key_space", "Key space", "keys", "1", "100000"),
    n("data.repair_per_s", "Repair rate", "keys/s", "0", "1000000"),
];

/// Messaging's switch (the seeds' `MessageQueue`).
pub const MESSAGING: &[Field] = &[b("mq", "Messaging (a broker and queues)")];

/// A queue's fields (key after `q{k}.`); its consumers are drawn beside them.
pub const QUEUE: &[Field] = &[
    t("name", "Name"),
    c(
        "kind",
        "Kind (queue: one consumer each; topic: every consumer)",
    ),
    n("capacity", "Capacity", "messages", "1", "1000000"),
    c("overflow", "When full"),
    n(
        "visibility_timeout_ms",
        "Visibility timeout",
        "ms",
        "1",
        "600000",
    ),
    n(
        "max_deliveries",
        "Deliveries before the dead-letter queue",
        "",
        "1",
        "100",
    ),
    n("prefetch", "Prefetch per consumer", "", "1", "1000"),
];

impl fmt::Display for DraftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DraftError::UnknownField(k) => write!(f, "no field is named {k}"),
            DraftError::NotANumber(_) => write!(f, "type a number"),
            DraftError::NotWhole(_) => write!(f, "type a whole number, 0 or more"),
            DraftError::UnknownChoice(_, v) => write!(f, "{v:?} is not one of the choices"),
            DraftError::NoSuchItem => write!(f, "that item is no longer there"),
            DraftError::Last(what) => write!(f, "a cluster needs at least one {what}"),
            // Beside the field, under its label: its path ("traffic.rate_rps") said nothing
            // more, in the config's words rather than the page's.
            DraftError::Invalid(ScenarioError::Config(ConfigError::Range(_, lo, hi))) => {
                write!(f, "type a number from {} to {}", Dec(*lo), Dec(*hi))
            }
            // Beside a field, the cluster's own reason reads better without its preamble.
            DraftError::Invalid(ScenarioError::Config(e)) => write!(f, "{e}"),
            DraftError::Invalid(e) => write!(f, "{e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn every_draft_error_in_words() {
        let all = [
            DraftError::UnknownField("s0.nope".into()),
            DraftError::NotANumber("rate_rps".into()),
            DraftError::NotWhole("s0.i0.weight".into()),
            DraftError::UnknownChoice("s0.strategy".into(), "fastest".into()),
            DraftError::NoSuchItem,
            DraftError::Last("service"),
            DraftError::Invalid(ScenarioError::Config(ConfigError::DependencyCycle(
                "api".into(),
            ))),
            DraftError::Invalid(ScenarioError::Config(ConfigError::Range(
                "traffic.rate_rps".into(),
                0.0,
                100_000.0,
            ))),
        ];
        let text: Vec<String> = all.iter().map(|e| e.to_string()).collect();
        expect![[r#"
            no field is named s0.nope
            type a number
            type a whole number, 0 or more
            "fastest" is not one of the choices
            that item is no longer there
            a cluster needs at least one service
            services call each other in a cycle through "api"
            type a number from 0 to 100000"#]]
        .assert_eq(&text.join("\n"));
    }
}
