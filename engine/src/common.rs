//! The leaf every module may import: ids, roles, severities, how a request ends, the limits
//! of a cluster and the error a limit breaks. It imports no other module of the crate.

use crate::decimal::Dec;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An instance, by its index in config order (services in order, their instances in order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct InstanceId(pub u32);

/// A service, by its index in config order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ServiceId(pub u16);

// The index types: the only place an id becomes a position and back. Per-instance and
// per-service state lives in `TiVec<InstanceId, _>` / `TiVec<ServiceId, _>`, indexed by id.
impl From<usize> for InstanceId {
    fn from(i: usize) -> Self {
        InstanceId(i as u32)
    }
}

impl From<InstanceId> for usize {
    fn from(id: InstanceId) -> Self {
        id.0 as usize
    }
}

impl InstanceId {
    /// Its position in config order.
    pub fn index(self) -> usize {
        self.into()
    }
}

impl From<usize> for ServiceId {
    fn from(i: usize) -> Self {
        ServiceId(i as u16)
    }
}

impl From<ServiceId> for usize {
    fn from(id: ServiceId) -> Self {
        id.0 as usize
    }
}

impl ServiceId {
    /// Its position in config order.
    pub fn index(self) -> usize {
        self.into()
    }
}

/// A message broker, by its index in `messaging.brokers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BrokerId(pub u16);

/// A queue or topic, by its index in `messaging.queues`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QueueId(pub u16);

/// A subscription: one consuming service's backlog of a queue (a queue has one, a topic one
/// per subscriber), by its index in the order queues and then their consumers are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SubscriptionId(pub u16);

crate::codec::wire_newtype!(InstanceId, ServiceId, BrokerId, QueueId, SubscriptionId);

macro_rules! small_index {
    ($($t:ident),*) => {$(
        impl From<usize> for $t {
            fn from(i: usize) -> Self {
                $t(i as u16)
            }
        }
        impl $t {
            /// Its position in config order.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}
small_index!(BrokerId, QueueId, SubscriptionId);

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
/// Most retries per call.
pub const MAX_RETRIES: u32 = 10;
/// Most faults on a timeline.
pub const MAX_FAULTS: usize = 256;
/// Most alert rules.
pub const MAX_ALERT_RULES: usize = 64;
/// Latest time anything can be scheduled, ms (24 simulated hours).
pub const MAX_SCHEDULE_MS: u64 = 86_400_000;

/// Whether an instance serves from the start or waits in its service's backup pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Started and registered at time 0.
    #[default]
    Primary,
    /// Stopped in the backup pool until the failover manager promotes it (seed
    /// `FailoverManager.backup_pools`; HAProxy `backup` servers).
    Backup,
}
crate::codec::wire_enum!(Role { Primary, Backup });

/// How much a feed entry matters. Shown with an icon and a word, never by colour alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Normal operation (registrations, recoveries).
    Info,
    /// Something degraded (an upstream removed, requests failing).
    Warning,
    /// Something failed (a crash).
    Critical,
}
crate::codec::wire_enum!(Severity {
    Info,
    Warning,
    Critical
});

impl Severity {
    /// `info`, `warning` or `critical`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// How a request or a call ended. Every request ends exactly once, in one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Served: 200.
    Ok,
    /// The upstream answered with an error or the connection failed: 500, 502 or 503.
    Error,
    /// No answer within the per-call timeout: 504.
    Timeout,
    /// Refused by the gateway's rate limiter: 429.
    Rejected,
    /// Failed fast by an open circuit breaker, without calling the upstream: 503.
    ShortCircuited,
    /// The balancer had no upstream to send to: 503 "no healthy upstream" (Envoy's wording).
    NoHealthyUpstream,
}
crate::codec::wire_enum!(Outcome {
    Ok,
    Error,
    Timeout,
    Rejected,
    ShortCircuited,
    NoHealthyUpstream
});

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 6] = [
        Outcome::Ok,
        Outcome::Error,
        Outcome::Timeout,
        Outcome::Rejected,
        Outcome::ShortCircuited,
        Outcome::NoHealthyUpstream,
    ];

    /// The HTTP status a client sees (errors: see [`ErrorCause::status`]).
    pub fn status(self, cause: Option<ErrorCause>) -> u16 {
        match self {
            Outcome::Ok => 200,
            Outcome::Error => cause.map_or(500, ErrorCause::status),
            Outcome::Timeout => 504,
            Outcome::Rejected => 429,
            Outcome::ShortCircuited | Outcome::NoHealthyUpstream => 503,
        }
    }

    /// True for failures a caller may retry and a breaker counts (errors, timeouts,
    /// short-circuits).
    pub fn is_failure(self) -> bool {
        !matches!(self, Outcome::Ok | Outcome::Rejected)
    }

    /// The snake_case name.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Timeout => "timeout",
            Outcome::Rejected => "rejected",
            Outcome::ShortCircuited => "short_circuited",
            Outcome::NoHealthyUpstream => "no_healthy_upstream",
        }
    }
}

/// Why a call ended in [`Outcome::Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCause {
    /// The instance served it and failed (its error rate): 500.
    Application,
    /// The instance's queue was full: 503.
    Overloaded,
    /// The instance's process is down: connect refused, 502.
    ConnectionRefused,
    /// The instance crashed while the request was in it: 502.
    ConnectionReset,
    /// A call the instance made to a dependency failed, so it answered 500.
    Dependency,
    /// A message it had to publish was refused by a full queue: 503.
    PublishRejected,
}
crate::codec::wire_enum!(ErrorCause {
    Application,
    Overloaded,
    ConnectionRefused,
    ConnectionReset,
    Dependency,
    PublishRejected
});

impl ErrorCause {
    /// The HTTP status the caller sees.
    pub fn status(self) -> u16 {
        match self {
            ErrorCause::Application | ErrorCause::Dependency => 500,
            ErrorCause::Overloaded | ErrorCause::PublishRejected => 503,
            ErrorCause::ConnectionRefused | ErrorCause::ConnectionReset => 502,
        }
    }
}

/// What is wrong with a configuration. Each variant names the offending field.
///
/// `Debug` writes the `Display` text: a derived one would bring `core`'s float formatting into
/// the page for `Range`'s bounds (see [`crate::decimal::Dec`]).
#[derive(Clone, PartialEq)]
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
    /// A name that should refer to something does not: (what, the name).
    Unknown(&'static str, String),
    /// Services call each other in a cycle, through this service.
    DependencyCycle(String),
    /// A setting that is invalid for another reason: (field, why).
    Invalid(String, &'static str),
    /// The replicated store's settings are invalid: (why).
    Data(String),
}
impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Count(field, v, lo, hi) => {
                write!(f, "{field} is {v}; it must be between {lo} and {hi}")
            }
            ConfigError::Range(field, lo, hi) => {
                write!(
                    f,
                    "{field} must be a number between {} and {}",
                    Dec(*lo),
                    Dec(*hi)
                )
            }
            ConfigError::Name(field) => {
                write!(f, "{field} must be 1 to {MAX_NAME_LEN} characters")
            }
            ConfigError::Duplicate(what, name) => write!(f, "two {what}s are named {name:?}"),
            ConfigError::Unknown(what, name) => write!(f, "no {what} is named {name:?}"),
            ConfigError::DependencyCycle(name) => {
                write!(f, "services call each other in a cycle through {name:?}")
            }
            ConfigError::Invalid(field, why) => write!(f, "{field}: {why}"),
            ConfigError::Data(why) => write!(f, "data: {why}"),
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

pub(crate) fn count(field: &'static str, v: u64, lo: u64, hi: u64) -> Result<(), ConfigError> {
    if v < lo || v > hi {
        Err(ConfigError::Count(field, v, lo, hi))
    } else {
        Ok(())
    }
}
pub(crate) fn range(field: impl Into<String>, v: f64, lo: f64, hi: f64) -> Result<(), ConfigError> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(ConfigError::Range(field.into(), lo, hi))
    }
}
pub(crate) fn name(field: impl Into<String>, v: &str) -> Result<(), ConfigError> {
    if v.is_empty() || v.len() > MAX_NAME_LEN {
        Err(ConfigError::Name(field.into()))
    } else {
        Ok(())
    }
}
