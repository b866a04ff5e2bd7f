//! Asynchronous messaging: brokers that hold queues and topics, and the backlog of each
//! subscription, with at-least-once delivery.
//!
//! The seeds' two async mechanisms (`microservice-architecture.md` §3.2): the `MessageQueue`
//! (named queues with consumers: a [`QueueKind::Queue`], point to point, whose consuming
//! service's instances compete for messages) and the `EventBus` (publish/subscribe by event
//! type: a [`QueueKind::Topic`], where every subscribing service gets its own copy and its
//! instances compete for it), with `service-discovery-and-breaker.md` §5 on queues. Delivery
//! follows Amazon SQS and RabbitMQ: a delivered message is invisible to other consumers for
//! the visibility timeout and comes back if it is not acknowledged by then (SQS
//! `VisibilityTimeout`); after `max_deliveries` deliveries it goes to the dead-letter queue
//! (SQS `maxReceiveCount`); a consumer holds at most `prefetch` unacknowledged messages
//! (RabbitMQ `basic.qos`); a full queue rejects publishes or drops its oldest message
//! (RabbitMQ `x-overflow`: `reject-publish`, `drop-head`). An idempotent consumer remembers
//! the ids it processed for a window and acknowledges a redelivered one without processing it
//! again (the Idempotent Consumer pattern).
//!
//! This module is the state of one subscription's backlog and its accounting; the simulation
//! (`sim/messaging.rs`) moves messages between producers, brokers and consumers.

use crate::common::{count, name, range, ConfigError, SubscriptionId, MAX_TIMEOUT_MS};
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Most brokers in a cluster.
pub const MAX_BROKERS: usize = 8;
/// Most queues and topics in a cluster.
pub const MAX_QUEUES: usize = 16;
/// Most subscribing services of one topic.
pub const MAX_SUBSCRIBERS: usize = 8;
/// Most messages one queue (or one topic subscription) holds: the bound on a backlog's memory
/// (about 40 bytes a message).
pub const MAX_BACKLOG: u32 = 100_000;
/// Most messages one handled request publishes to one queue.
pub const MAX_PER_REQUEST: f64 = 10.0;
/// Most deliveries of a message before it is dead-lettered.
pub const MAX_DELIVERIES: u32 = 100;
/// Most unacknowledged messages one consumer instance holds.
pub const MAX_PREFETCH: u32 = 1_000;
/// Longest publish latency, simulated ms.
pub const MAX_PUBLISH_LATENCY_MS: f64 = 10_000.0;

/// The messaging part of a cluster: its brokers and the queues and topics on them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessagingConfig {
    /// The brokers.
    pub brokers: Vec<BrokerConfig>,
    /// Queues and topics, each on one broker.
    pub queues: Vec<QueueConfig>,
}

/// A message broker (a RabbitMQ node, an SQS endpoint): it can crash, hang or be cut off
/// like an instance; its queues' messages survive a crash (durable queues).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrokerConfig {
    /// Its name, e.g. `broker-1`.
    pub name: String,
    /// Its address, `host:port` (what actions target), e.g. `10.0.9.1:5672`.
    pub address: String,
    /// Time from a publish (or an acknowledgement) to the broker's answer, simulated ms.
    #[serde(default = "one_ms")]
    pub publish_latency_ms: f64,
}

fn one_ms() -> f64 {
    1.0
}

/// Point to point or publish/subscribe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// The seed's `MessageQueue`: one consuming service, whose instances compete.
    Queue,
    /// The seed's `EventBus` event type: each subscribing service gets every message once.
    Topic,
}
crate::codec::wire_enum!(QueueKind { Queue, Topic });

/// What a full queue does with a new message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// The publish fails (RabbitMQ `reject-publish`): the producer's request fails.
    #[default]
    Reject,
    /// The oldest message is dropped to make room (RabbitMQ `drop-head`).
    DropOldest,
}

/// A queue or topic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// Its name, e.g. `email-queue` or `order.created`.
    pub name: String,
    /// The broker it lives on (by name).
    pub broker: String,
    /// Queue or topic.
    pub kind: QueueKind,
    /// The consuming services (a queue: exactly one; a topic: its subscribers).
    pub consumers: Vec<String>,
    /// Most messages it holds (per subscription, for a topic).
    #[serde(default = "ten_thousand")]
    pub capacity: u32,
    /// What a full queue does.
    #[serde(default)]
    pub overflow: Overflow,
    /// How long a delivered message stays invisible before it is delivered again if not
    /// acknowledged, simulated ms (SQS default 30 s).
    #[serde(default = "thirty_s")]
    pub visibility_timeout_ms: u64,
    /// Deliveries after which an unacknowledged message goes to the dead-letter queue.
    #[serde(default = "five")]
    pub max_deliveries: u32,
    /// Most unacknowledged messages a consumer instance holds.
    #[serde(default = "ten")]
    pub prefetch: u32,
    /// Consumers remember the ids they processed for this long, simulated ms, and acknowledge
    /// a redelivered one without processing it again (`None`: not idempotent).
    #[serde(default)]
    pub idempotent_window_ms: Option<u64>,
    /// Share of messages that always fail processing (poison messages), `[0, 1]`.
    #[serde(default)]
    pub poison_fraction: f64,
}

fn ten_thousand() -> u32 {
    10_000
}
fn thirty_s() -> u64 {
    30_000
}
fn five() -> u32 {
    5
}
fn ten() -> u32 {
    10
}

impl QueueConfig {
    /// A queue on `broker` consumed by `consumer`, with the defaults: capacity 10,000,
    /// reject when full, visibility timeout 30 s, 5 deliveries, prefetch 10, not idempotent,
    /// no poison messages.
    pub fn queue(name: &str, broker: &str, consumer: &str) -> Self {
        QueueConfig {
            name: name.into(),
            broker: broker.into(),
            kind: QueueKind::Queue,
            consumers: vec![consumer.into()],
            capacity: ten_thousand(),
            overflow: Overflow::Reject,
            visibility_timeout_ms: thirty_s(),
            max_deliveries: five(),
            prefetch: ten(),
            idempotent_window_ms: None,
            poison_fraction: 0.0,
        }
    }
}

/// What a service publishes while it handles a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishConfig {
    /// The queue or topic (by name).
    pub queue: String,
    /// Messages per handled request: the whole part always, the fraction with that
    /// probability (0.5: every other request on average), `[0, MAX_PER_REQUEST]`.
    pub per_request: f64,
}

impl MessagingConfig {
    /// The subscriptions in id order, each queue's consumers in turn (a queue has one, a
    /// topic one per subscriber), as (id, index of the queue, the consuming service's name).
    /// The one place that numbers them: the run, alert scopes and the page all follow it.
    pub fn subscriptions(&self) -> Vec<(SubscriptionId, usize, &str)> {
        let mut v = Vec::new();
        for (qi, q) in self.queues.iter().enumerate() {
            for c in &q.consumers {
                v.push((SubscriptionId::from(v.len()), qi, c.as_str()));
            }
        }
        v
    }

    /// Checks names, limits and references; `services` are the cluster's service names.
    ///
    /// Errors: the [`ConfigError`] naming the first bad field.
    pub fn validate(&self, services: &[&str]) -> Result<(), ConfigError> {
        count(
            "messaging.brokers",
            self.brokers.len() as u64,
            0,
            MAX_BROKERS as u64,
        )?;
        count(
            "messaging.queues",
            self.queues.len() as u64,
            0,
            MAX_QUEUES as u64,
        )?;
        for (i, b) in self.brokers.iter().enumerate() {
            name("broker name", &b.name)?;
            name("broker address", &b.address)?;
            range(
                format!("broker {}.publish_latency_ms", b.name),
                b.publish_latency_ms,
                0.0,
                MAX_PUBLISH_LATENCY_MS,
            )?;
            if self.brokers[..i].iter().any(|o| o.name == b.name) {
                return Err(ConfigError::Duplicate("broker", b.name.clone()));
            }
            if self.brokers[..i].iter().any(|o| o.address == b.address) {
                return Err(ConfigError::Duplicate("broker address", b.address.clone()));
            }
        }
        for (i, q) in self.queues.iter().enumerate() {
            name("queue name", &q.name)?;
            if self.queues[..i].iter().any(|o| o.name == q.name) {
                return Err(ConfigError::Duplicate("queue", q.name.clone()));
            }
            if !self.brokers.iter().any(|b| b.name == q.broker) {
                return Err(ConfigError::Unknown("broker", q.broker.clone()));
            }
            let max = match q.kind {
                QueueKind::Queue => 1,
                QueueKind::Topic => MAX_SUBSCRIBERS as u64,
            };
            whole(&q.name, "consumers", q.consumers.len() as u64, 1, max)?;
            for (j, c) in q.consumers.iter().enumerate() {
                if !services.contains(&c.as_str()) {
                    return Err(ConfigError::Unknown("service", c.clone()));
                }
                if q.consumers[..j].contains(c) {
                    return Err(ConfigError::Duplicate("subscriber", c.clone()));
                }
            }
            whole(
                &q.name,
                "capacity",
                q.capacity as u64,
                1,
                MAX_BACKLOG as u64,
            )?;
            whole(
                &q.name,
                "visibility_timeout_ms",
                q.visibility_timeout_ms,
                1,
                MAX_TIMEOUT_MS,
            )?;
            whole(
                &q.name,
                "max_deliveries",
                q.max_deliveries as u64,
                1,
                MAX_DELIVERIES as u64,
            )?;
            whole(
                &q.name,
                "prefetch",
                q.prefetch as u64,
                1,
                MAX_PREFETCH as u64,
            )?;
            if let Some(w) = q.idempotent_window_ms {
                whole(&q.name, "idempotent_window_ms", w, 1, MAX_TIMEOUT_MS * 10)?;
            }
            range(
                format!("queue {}.poison_fraction", q.name),
                q.poison_fraction,
                0.0,
                1.0,
            )?;
        }
        Ok(())
    }

    /// Checks one service's publishes against the queues.
    ///
    /// Errors: an unknown queue, or a rate out of range.
    pub fn validate_publishes(
        &self,
        service: &str,
        publishes: &[PublishConfig],
    ) -> Result<(), ConfigError> {
        range(
            format!("service {service}.publishes"),
            publishes.len() as f64,
            0.0,
            MAX_QUEUES as f64,
        )?;
        for p in publishes {
            if !self.queues.iter().any(|q| q.name == p.queue) {
                return Err(ConfigError::Unknown("queue", p.queue.clone()));
            }
            range(
                format!("service {service}.publishes.per_request"),
                p.per_request,
                0.0,
                MAX_PER_REQUEST,
            )?;
        }
        Ok(())
    }
}

/// Checks that `v` is a whole number in `[lo, hi]`, naming the field `queue {q}.{f}`.
fn whole(q: &str, f: &str, v: u64, lo: u64, hi: u64) -> Result<(), ConfigError> {
    range(format!("queue {q}.{f}"), v as f64, lo as f64, hi as f64)
}

/// A broker's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerFaults {
    /// Crashed: publishes are refused, nothing is delivered; its messages survive.
    pub down: bool,
    /// Hung or cut off from its clients: publishes and acknowledgements get no answer and
    /// nothing is delivered.
    pub unreachable: bool,
}
crate::codec::wire_struct!(BrokerFaults { down, unreachable });

impl BrokerFaults {
    /// It answers.
    pub fn ok(self) -> bool {
        !self.down && !self.unreachable
    }
}

/// One message in a backlog. Copies of a topic message share its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    /// Unique per publish in the run.
    pub id: u64,
    /// When it was published.
    pub published: SimTime,
    /// Deliveries so far.
    pub deliveries: u32,
    /// It always fails processing.
    pub poison: bool,
    /// When a consumer last processed it successfully (its acknowledgement was lost since),
    /// if ever: a later processing is a duplicate.
    pub processed: Option<SimTime>,
}

/// Where every message of a subscription has gone: the accounting that must balance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageCounts {
    /// Messages accepted (per subscription, for a topic).
    pub published: u64,
    /// Publishes refused because the queue was full (`Overflow::Reject`).
    pub rejected: u64,
    /// Deliveries to consumers, first ones and redeliveries.
    pub delivered: u64,
    /// Deliveries after the first.
    pub redelivered: u64,
    /// Processings of a message already processed once (its acknowledgement was lost).
    pub duplicates: u64,
    /// Redelivered messages an idempotent consumer acknowledged without processing again.
    pub deduplicated: u64,
    /// Acknowledged: done.
    pub acked: u64,
    /// Moved to the dead-letter queue after `max_deliveries`.
    pub dead_lettered: u64,
    /// Dropped: the oldest when full under `Overflow::DropOldest`, or purged by an operator.
    pub dropped: u64,
    /// Most messages waiting at once.
    pub max_depth: u64,
    /// Longest wait of a message before its first delivery, simulated µs.
    pub max_lag_us: u64,
}
crate::codec::wire_struct!(MessageCounts {
    published,
    rejected,
    delivered,
    redelivered,
    duplicates,
    deduplicated,
    acked,
    dead_lettered,
    dropped,
    max_depth,
    max_lag_us
});

/// A subscription's backlog: the messages waiting, in order, and its counts.
#[derive(Clone, Debug, Default)]
pub struct Backlog {
    waiting: VecDeque<Message>,
    /// Messages delivered and not yet acknowledged or returned.
    pub in_delivery: u64,
    /// Its accounting.
    pub counts: MessageCounts,
}

/// Why a message could not be added to a backlog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

impl Backlog {
    /// Messages waiting.
    pub fn depth(&self) -> usize {
        self.waiting.len()
    }

    /// The oldest waiting message's wait at `now`, simulated µs (0 when empty): consumer lag.
    pub fn lag_us(&self, now: SimTime) -> u64 {
        self.waiting
            .iter()
            .map(|m| now.as_us().saturating_sub(m.published.as_us()))
            .max()
            .unwrap_or(0)
    }

    /// Adds a newly published message, or under `overflow` when `capacity` is reached drops
    /// the oldest (`DropOldest`) or refuses it (`Reject`: `Err(Full)`, counted as rejected).
    pub fn publish(&mut self, m: Message, capacity: u32, overflow: Overflow) -> Result<(), Full> {
        if self.waiting.len() as u64 >= capacity as u64 {
            match overflow {
                Overflow::Reject => {
                    self.counts.rejected += 1;
                    return Err(Full);
                }
                Overflow::DropOldest => {
                    self.waiting.pop_front();
                    self.counts.dropped += 1;
                }
            }
        }
        self.counts.published += 1;
        self.waiting.push_back(m);
        self.counts.max_depth = self.counts.max_depth.max(self.waiting.len() as u64);
        Ok(())
    }

    /// Takes the next message for a delivery at `now` (its delivery count raised), if any.
    pub fn take(&mut self, now: SimTime) -> Option<Message> {
        let mut m = self.waiting.pop_front()?;
        m.deliveries += 1;
        self.counts.delivered += 1;
        if m.deliveries > 1 {
            self.counts.redelivered += 1;
        } else {
            let lag = now.as_us().saturating_sub(m.published.as_us());
            self.counts.max_lag_us = self.counts.max_lag_us.max(lag);
        }
        self.in_delivery += 1;
        Some(m)
    }

    /// A delivery was acknowledged.
    pub fn ack(&mut self) {
        self.in_delivery -= 1;
        self.counts.acked += 1;
    }

    /// A delivery was not acknowledged within the visibility timeout: the message waits at
    /// the front again, or after `max_deliveries` is dead-lettered (returns `true` then).
    pub fn expire(&mut self, m: Message, max_deliveries: u32) -> bool {
        self.in_delivery -= 1;
        if m.deliveries >= max_deliveries {
            self.counts.dead_lettered += 1;
            true
        } else {
            self.waiting.push_front(m);
            false
        }
    }

    /// Drops every waiting message (an operator's purge); returns how many.
    pub fn purge(&mut self) -> u64 {
        let n = self.waiting.len() as u64;
        self.waiting.clear();
        self.counts.dropped += n;
        n
    }

    /// Whether every message accepted is accounted for: published = acked + dead-lettered +
    /// dropped + waiting + in delivery.
    pub fn balanced(&self) -> bool {
        let c = &self.counts;
        c.published
            == c.acked + c.dead_lettered + c.dropped + self.waiting.len() as u64 + self.in_delivery
    }

    /// Bytes its waiting messages take (for `Simulation::approx_bytes`).
    pub fn approx_bytes(&self) -> usize {
        self.waiting.len() * std::mem::size_of::<Message>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: u64, at_ms: u64) -> Message {
        Message {
            id,
            published: SimTime::from_ms(at_ms),
            deliveries: 0,
            poison: false,
            processed: None,
        }
    }

    #[test]
    fn a_full_queue_rejects_or_drops_the_oldest_and_stays_balanced() {
        let mut b = Backlog::default();
        for i in 0..3 {
            b.publish(msg(i, i), 3, Overflow::Reject).unwrap();
        }
        assert_eq!(b.publish(msg(3, 3), 3, Overflow::Reject), Err(Full));
        assert_eq!(
            (b.counts.published, b.counts.rejected, b.depth()),
            (3, 1, 3)
        );
        b.publish(msg(4, 4), 3, Overflow::DropOldest).unwrap();
        assert_eq!((b.counts.published, b.counts.dropped, b.depth()), (4, 1, 3));
        assert!(b.balanced());
        // The oldest waiting is now message 1, published at 1 ms.
        assert_eq!(b.lag_us(SimTime::from_ms(10)), 9_000);
    }

    #[test]
    fn an_unacknowledged_message_comes_back_then_is_dead_lettered() {
        let mut b = Backlog::default();
        b.publish(msg(7, 0), 10, Overflow::Reject).unwrap();
        let m = b.take(SimTime::from_ms(5)).unwrap();
        assert_eq!(
            (m.deliveries, b.counts.max_lag_us, b.in_delivery),
            (1, 5_000, 1)
        );
        assert!(b.balanced());
        assert!(!b.expire(m, 2), "first expiry: back in the queue");
        let m = b.take(SimTime::from_ms(40)).unwrap();
        assert_eq!((m.deliveries, b.counts.redelivered), (2, 1));
        assert!(
            b.expire(m, 2),
            "second expiry at max_deliveries 2: dead-lettered"
        );
        assert_eq!(
            (b.counts.dead_lettered, b.depth(), b.in_delivery),
            (1, 0, 0)
        );
        assert!(b.balanced());
    }

    #[test]
    fn validation_names_the_bad_field() {
        let mut m = MessagingConfig {
            brokers: vec![BrokerConfig {
                name: "broker-1".into(),
                address: "10.0.9.1:5672".into(),
                publish_latency_ms: 1.0,
            }],
            queues: vec![QueueConfig::queue(
                "email-queue",
                "broker-1",
                "email-service",
            )],
        };
        assert_eq!(m.validate(&["email-service"]), Ok(()));
        assert_eq!(
            m.validate(&["order-service"]),
            Err(ConfigError::Unknown("service", "email-service".into()))
        );
        m.queues[0].capacity = MAX_BACKLOG + 1;
        assert_eq!(
            m.validate(&["email-service"]),
            Err(ConfigError::Range(
                "queue email-queue.capacity".into(),
                1.0,
                100_000.0
            ))
        );
        m.queues[0].capacity = 10;
        m.queues[0].broker = "nope".into();
        assert_eq!(
            m.validate(&["email-service"]),
            Err(ConfigError::Unknown("broker", "nope".into()))
        );
    }
}
