//! Messaging inside the simulation: producers publish while they handle a request and wait
//! for the broker's acknowledgement; brokers hold each subscription's backlog; consuming
//! instances take messages into their own worker slots (so consuming competes with serving),
//! acknowledge them, and get them again after the visibility timeout when they do not. See
//! `mechanisms/messaging.rs` for the semantics and their sources.

use super::{Pending, Process, Simulation};
use crate::common::{BrokerId, ErrorCause, InstanceId, QueueId, ServiceId, SubscriptionId};
use crate::mechanisms::action::ActionKind;
use crate::mechanisms::alerts::{AlertMetric, AlertRule};
pub use crate::mechanisms::messaging::BrokerFaults;
use crate::mechanisms::messaging::{Backlog, Message, MessageCounts, Overflow, QueueKind};
use crate::sim::notice::Notice;
use serde::{Deserialize, Serialize};
use slab::Slab;
use std::collections::VecDeque;

/// Points kept in a subscription's series (one per simulated second): two minutes.
pub(crate) const QUEUE_SERIES: usize = 120;

/// A backlog this deep (at least) is "building": the feed says so once until it drains.
const BUILDING_DEPTH: usize = 100;

/// One per-second sample of a subscription.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueuePoint {
    /// Simulated time, ms.
    pub t_ms: u64,
    /// Messages waiting.
    pub depth: u64,
    /// Age of the oldest waiting message (consumer lag), simulated ms.
    pub lag_ms: u64,
    /// Messages published in the last second.
    pub published: u64,
    /// Messages acknowledged in the last second.
    pub acked: u64,
    /// Messages moved to the dead-letter queue in the last second.
    pub dead_lettered: u64,
}
crate::codec::wire_struct!(QueuePoint {
    t_ms,
    depth,
    lag_ms,
    published,
    acked,
    dead_lettered
});

/// One subscription: a queue's backlog for its consuming service (a topic has one per
/// subscriber).
#[derive(Clone, Debug)]
pub(crate) struct Subscription {
    /// Index of the queue or topic in the config.
    pub(crate) queue: usize,
    pub(crate) broker: BrokerId,
    pub(crate) service: ServiceId,
    pub(crate) backlog: Backlog,
    /// Next consumer to try (round robin over the service's instances).
    cursor: usize,
    /// Consumers paused by an operator.
    pub(crate) paused: bool,
    /// The feed said the backlog is building (until it drains).
    building: bool,
    /// Counts at the last per-second sample.
    last: MessageCounts,
    pub(crate) series: VecDeque<QueuePoint>,
}

/// A message delivered to a consumer and not yet acknowledged or returned.
#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    id: u64,
    sub: SubscriptionId,
    msg: Message,
    pub(crate) instance: InstanceId,
    incarnation: u32,
}

/// Messaging in a run: broker states, subscriptions, deliveries.
#[derive(Clone, Debug, Default)]
pub(crate) struct MessagePlane {
    pub(crate) brokers: Vec<BrokerFaults>,
    pub(crate) subs: Vec<Subscription>,
    pub(crate) deliveries: Slab<Delivery>,
    /// Unacknowledged deliveries per instance (prefetch), by instance index.
    held: Vec<u32>,
    next_msg: u64,
    /// Faults started per broker, so a fault's end does not end a later one.
    broker_nth: Vec<u32>,
    /// What each service publishes per handled request, by service index.
    targets: Vec<Vec<PublishTarget>>,
}

/// One queue or topic a service publishes to, resolved from the config at time 0.
#[derive(Clone, Copy, Debug)]
struct PublishTarget {
    /// Index of the queue or topic.
    queue: usize,
    /// Messages per handled request (see `PublishConfig::per_request`).
    per_request: f64,
    capacity: u32,
    overflow: Overflow,
    /// Share of poison messages.
    poison: f64,
    broker: BrokerId,
}

impl Simulation {
    /// Time 0: a subscription per queue and per topic subscriber.
    pub(super) fn start_messaging(&mut self) {
        let Some(m) = &self.cfg.messaging else { return };
        let broker = |qi: usize| {
            let b = m.brokers.iter().position(|b| b.name == m.queues[qi].broker);
            BrokerId::from(b.expect("validated: queues name brokers"))
        };
        let subs = m
            .subscriptions()
            .into_iter()
            .map(|(_, qi, c)| Subscription {
                queue: qi,
                broker: broker(qi),
                service: self
                    .service_by_name(c)
                    .expect("validated: consumers name services"),
                backlog: Backlog::default(),
                cursor: 0,
                paused: false,
                building: false,
                last: MessageCounts::default(),
                series: VecDeque::with_capacity(QUEUE_SERIES),
            })
            .collect();
        // What each service publishes, resolved once: a handled request publishes without a
        // lookup by name or an allocation.
        self.msg.targets = self
            .cfg
            .services
            .iter()
            .map(|svc| {
                svc.publishes
                    .iter()
                    .filter_map(|p| {
                        let qi = m.queues.iter().position(|q| q.name == p.queue)?;
                        let q = &m.queues[qi];
                        Some(PublishTarget {
                            queue: qi,
                            per_request: p.per_request,
                            capacity: q.capacity,
                            overflow: q.overflow,
                            poison: q.poison_fraction,
                            broker: broker(qi),
                        })
                    })
                    .collect()
            })
            .collect();
        self.msg.brokers = vec![BrokerFaults::default(); m.brokers.len()];
        self.msg.broker_nth = vec![0; m.brokers.len()];
        self.msg.subs = subs;
        self.msg.held = vec![0; self.instances.len()];
    }

    /// Whether `svc` publishes anything.
    pub(super) fn publishes(&self, svc: ServiceId) -> bool {
        !self.cfg.services[svc.index()].publishes.is_empty()
    }

    /// The broker round trip for a publish or an acknowledgement on `broker`, µs.
    fn broker_latency_us(&self, broker: BrokerId) -> u64 {
        self.cfg
            .messaging
            .as_ref()
            .map_or(1_000, |m| {
                (m.brokers[broker.index()].publish_latency_ms * 1_000.0) as u64
            })
            .max(1)
    }

    /// The longest broker round trip among the queues `svc` publishes to, µs.
    pub(super) fn publish_latency_us(&self, svc: ServiceId) -> u64 {
        self.msg
            .targets
            .get(svc.index())
            .into_iter()
            .flatten()
            .map(|t| self.broker_latency_us(t.broker))
            .max()
            .unwrap_or(1)
    }

    /// A job of `svc` has published and the brokers answer now: the messages go into the
    /// backlogs. `Ok(true)`: done; `Ok(false)`: a broker does not answer (hung or cut off),
    /// ask again later; `Err`: the publish failed (broker down, or a full queue that rejects).
    pub(super) fn publish_now(&mut self, svc: ServiceId) -> Result<bool, ErrorCause> {
        let n_targets = self.msg.targets.get(svc.index()).map_or(0, Vec::len);
        // Every broker this publish needs must answer before any message is taken.
        for k in 0..n_targets {
            let f = self.msg.brokers[self.msg.targets[svc.index()][k].broker.index()];
            if f.down {
                return Err(ErrorCause::ConnectionRefused);
            }
            if f.unreachable {
                return Ok(false);
            }
        }
        for k in 0..n_targets {
            let PublishTarget {
                queue: qi,
                per_request,
                capacity,
                overflow,
                poison,
                ..
            } = self.msg.targets[svc.index()][k];
            let whole = per_request.floor();
            // Always draw, so the random stream does not depend on the fraction.
            let extra = self.rng.chance(per_request - whole);
            let n = whole as u32 + u32::from(extra);
            for _ in 0..n {
                let id = self.msg.next_msg;
                self.msg.next_msg += 1;
                let is_poison = poison > 0.0 && self.rng.chance(poison);
                let message = Message {
                    id,
                    published: self.now,
                    deliveries: 0,
                    poison: is_poison,
                    processed: None,
                };
                let mut rejected = false;
                for s in 0..self.msg.subs.len() {
                    if self.msg.subs[s].queue != qi {
                        continue;
                    }
                    if self.msg.subs[s]
                        .backlog
                        .publish(message, capacity, overflow)
                        .is_err()
                    {
                        rejected = true;
                    }
                    self.pump(SubscriptionId::from(s));
                }
                if rejected {
                    return Err(ErrorCause::PublishRejected);
                }
            }
        }
        Ok(true)
    }

    /// Whether instance `i` takes a message of `sub` now: running, listed and healthy, not
    /// draining, hung or cut off, a free slot and no request waiting for one, and under the
    /// queue's prefetch.
    fn can_consume(&self, i: InstanceId, prefetch: u32) -> bool {
        if !self.consumer_ready(i) {
            return false;
        }
        let inst = &self.instances[i];
        let concurrency = inst
            .faults
            .concurrency
            .unwrap_or(self.instance_config(i).concurrency);
        inst.busy < concurrency && inst.queue.is_empty() && self.msg.held[i.index()] < prefetch
    }

    /// Whether instance `i` may consume at all now: running, listed and healthy, not
    /// draining, hung or cut off (the explain panel counts these as its consumers up).
    pub(super) fn consumer_ready(&self, i: InstanceId) -> bool {
        let inst = &self.instances[i];
        inst.process == Process::Running
            && !inst.faults.hang
            && !inst.faults.serving_lost
            && inst.in_rotation()
            && self.registry.is_registered(i)
    }

    /// Delivers what `sub` can deliver now to its consumers, round robin.
    pub(super) fn pump(&mut self, sub: SubscriptionId) {
        let Some(m) = &self.cfg.messaging else { return };
        let s = &self.msg.subs[sub.index()];
        // Nothing waiting: no list of consumers to build (called on every freed slot).
        if s.backlog.depth() == 0 || s.paused || !self.msg.brokers[s.broker.index()].ok() {
            return;
        }
        let q = &m.queues[s.queue];
        let (prefetch, vt_us, window) = (
            q.prefetch,
            q.visibility_timeout_ms * 1_000,
            q.idempotent_window_ms,
        );
        let members: Vec<InstanceId> = self.service_instances(s.service).collect();
        if members.is_empty() {
            return;
        }
        let mut tried = 0;
        while self.msg.subs[sub.index()].backlog.depth() > 0 && tried < members.len() {
            let cursor = self.msg.subs[sub.index()].cursor % members.len();
            let i = members[cursor];
            if !self.can_consume(i, prefetch) {
                self.msg.subs[sub.index()].cursor = cursor + 1;
                tried += 1;
                continue;
            }
            tried = 0;
            let now = self.now;
            let Some(msg) = self.msg.subs[sub.index()].backlog.take(now) else {
                break;
            };
            // An idempotent consumer knows this id: acknowledged without processing again.
            if let (Some(w), Some(at)) = (window, msg.processed) {
                if now.as_us().saturating_sub(at.as_us()) <= w * 1_000 {
                    let b = &mut self.msg.subs[sub.index()].backlog;
                    b.ack();
                    b.counts.deduplicated += 1;
                    continue;
                }
            }
            self.msg.subs[sub.index()].cursor = cursor + 1;
            let id = self.next_id();
            let incarnation = self.instances[i].incarnation;
            let key = self.msg.deliveries.insert(Delivery {
                id,
                sub,
                msg,
                instance: i,
                incarnation,
            });
            self.msg.held[i.index()] += 1;
            self.instances[i].busy += 1;
            let slow = self.instances[i].faults.slow;
            let dist = self.instance_config(i).latency;
            let us = (dist.sample_us(&mut self.rng) as f64 * slow) as u64;
            self.queue.push(
                now.plus_us(us.max(1)),
                Pending::Consumed {
                    delivery: key,
                    id,
                    instance: i,
                    incarnation,
                },
            );
            self.queue.push(
                now.plus_us(vt_us),
                Pending::VisibilityTimeout { delivery: key, id },
            );
        }
    }

    /// Pumps every subscription `svc` consumes (a slot came free, it became healthy).
    pub(super) fn pump_for(&mut self, svc: ServiceId) {
        for s in 0..self.msg.subs.len() {
            if self.msg.subs[s].service == svc && self.msg.subs[s].backlog.depth() > 0 {
                self.pump(SubscriptionId::from(s));
            }
        }
    }

    /// A consumer finished processing delivery `key`: on success it sends its
    /// acknowledgement (which takes a broker round trip); on failure the message waits out its
    /// visibility timeout. Its slot is free either way.
    pub(super) fn consumed(&mut self, key: usize, id: u64, i: InstanceId, incarnation: u32) {
        if self.instances[i].incarnation != incarnation {
            return; // the consumer crashed: the visibility timeout brings the message back
        }
        let Some(d) = self.msg.deliveries.get(key).filter(|d| d.id == id) else {
            // Its visibility timeout passed first: it is back in the queue; only the slot
            // is left to free.
            self.free_slot(i);
            return;
        };
        let sub = d.sub;
        let error_rate = self.instances[i]
            .faults
            .error_rate
            .unwrap_or(self.instance_config(i).error_rate);
        // Draw for every message so the random stream does not depend on poison.
        let failed = self.rng.chance(error_rate) || d.msg.poison;
        if !failed {
            let b = self.msg.subs[sub.index()].broker;
            if d.msg.processed.is_some() {
                self.msg.subs[sub.index()].backlog.counts.duplicates += 1;
            }
            self.msg.deliveries[key].msg.processed = Some(self.now);
            let at = self.now.plus_us(self.broker_latency_us(b));
            self.queue.push(at, Pending::Acked { delivery: key, id });
        }
        self.free_slot(i);
    }

    /// The delivery no longer holds a prefetch place on its consumer (acknowledged, or
    /// returned while the consumer still runs: a crash already freed every place).
    fn release(&mut self, d: &Delivery) {
        if self.instances[d.instance].incarnation == d.incarnation {
            let h = &mut self.msg.held[d.instance.index()];
            *h = h.saturating_sub(1);
        }
    }

    /// An acknowledgement reaches the broker, unless the broker does not answer or the
    /// consumer crashed before sending it (then the message comes back: a duplicate later).
    pub(super) fn acked(&mut self, key: usize, id: u64) {
        let Some(d) = self.msg.deliveries.get(key).filter(|d| d.id == id) else {
            return;
        };
        let (sub, i, inc) = (d.sub, d.instance, d.incarnation);
        let broker = self.msg.subs[sub.index()].broker;
        if !self.msg.brokers[broker.index()].ok() || self.instances[i].incarnation != inc {
            return;
        }
        let d = self.msg.deliveries.remove(key);
        self.release(&d);
        self.msg.subs[sub.index()].backlog.ack();
        self.after_change(sub);
        self.pump(sub);
    }

    /// The visibility timeout of delivery `key` passed without an acknowledgement: the
    /// message is delivered again, or dead-lettered after `max_deliveries`.
    pub(super) fn visibility_timeout(&mut self, key: usize, id: u64) {
        if self.msg.deliveries.get(key).is_none_or(|d| d.id != id) {
            return;
        }
        let d = self.msg.deliveries.remove(key);
        // A consumer still processing it (a slow one) frees its slot when it finishes.
        self.release(&d);
        let max = self.cfg.messaging.as_ref().map_or(1, |m| {
            m.queues[self.msg.subs[d.sub.index()].queue].max_deliveries
        });
        if self.msg.subs[d.sub.index()].backlog.expire(d.msg, max) {
            self.post(Notice::DeadLettered {
                queue: d.sub,
                message: d.msg.id,
                deliveries: d.msg.deliveries,
            });
        }
        self.after_change(d.sub);
        self.pump(d.sub);
    }

    /// Feed notices when a backlog starts building or has drained.
    fn after_change(&mut self, sub: SubscriptionId) {
        let s = &self.msg.subs[sub.index()];
        let depth = s.backlog.depth();
        if !s.building && depth >= BUILDING_DEPTH {
            self.msg.subs[sub.index()].building = true;
            self.post(Notice::BacklogBuilding {
                queue: sub,
                depth: depth as u64,
            });
        } else if s.building && depth == 0 && s.backlog.in_delivery == 0 {
            self.msg.subs[sub.index()].building = false;
            self.post(Notice::BacklogDrained { queue: sub });
        }
    }

    /// Every simulated second: a series point per subscription, the building/drained
    /// notices, and a pump (a consumer may have become eligible without a slot freeing).
    pub(super) fn messaging_tick(&mut self) {
        for s in 0..self.msg.subs.len() {
            let sub = SubscriptionId::from(s);
            let now = self.now;
            let st = &mut self.msg.subs[s];
            let c = st.backlog.counts;
            let point = QueuePoint {
                t_ms: now.as_us() / 1_000,
                depth: st.backlog.depth() as u64,
                lag_ms: st.backlog.lag_us(now) / 1_000,
                published: c.published - st.last.published,
                acked: c.acked - st.last.acked,
                dead_lettered: c.dead_lettered - st.last.dead_lettered,
            };
            st.last = c;
            if st.series.len() == QUEUE_SERIES {
                st.series.pop_front();
            }
            st.series.push_back(point);
            self.after_change(sub);
            self.pump(sub);
        }
    }

    /// A queue alert's value on `sub`: its depth, its consumer lag in simulated s, or the
    /// messages it dead-lettered over the rule's window (at most the [`QUEUE_SERIES`] seconds
    /// its series keeps). `None` for a metric that is not a queue's.
    pub(super) fn queue_alert_value(&self, rule: &AlertRule, sub: SubscriptionId) -> Option<f64> {
        let st = self.msg.subs.get(sub.index())?;
        Some(match rule.metric {
            AlertMetric::QueueDepth => st.backlog.depth() as f64,
            AlertMetric::QueueLagS => st.backlog.lag_us(self.now) as f64 / 1e6,
            AlertMetric::DeadLettered => st
                .series
                .iter()
                .rev()
                .take(rule.window_s as usize)
                .map(|p| p.dead_lettered)
                .sum::<u64>() as f64,
            _ => return None,
        })
    }

    /// A consumer instance crashed: its deliveries wait out their visibility timeouts; its
    /// prefetch places are free.
    pub(super) fn consumer_crashed(&mut self, i: InstanceId) {
        if let Some(h) = self.msg.held.get_mut(i.index()) {
            *h = 0;
        }
    }

    /// Whether every subscription's messages are all accounted for, and its deliveries match
    /// its in-delivery count.
    pub fn messages_balance(&self) -> Result<(), SubscriptionId> {
        for (s, st) in self.msg.subs.iter().enumerate() {
            let held = self
                .msg
                .deliveries
                .iter()
                .filter(|(_, d)| d.sub.index() == s)
                .count() as u64;
            if !st.backlog.balanced() || held != st.backlog.in_delivery {
                return Err(SubscriptionId::from(s));
            }
        }
        Ok(())
    }

    /// The instances of `svc`, in config order.
    pub(super) fn service_instances(
        &self,
        svc: ServiceId,
    ) -> impl Iterator<Item = InstanceId> + '_ {
        self.instances
            .iter_enumerated()
            .filter(move |(_, x)| x.service == svc)
            .map(|(i, _)| i)
    }

    /// Subscription `sub`: its queue, the queue's kind and the consuming service.
    pub fn subscription_of(&self, sub: SubscriptionId) -> Option<(QueueId, QueueKind, ServiceId)> {
        let m = self.cfg.messaging.as_ref()?;
        let s = self.msg.subs.get(sub.index())?;
        Some((QueueId::from(s.queue), m.queues[s.queue].kind, s.service))
    }

    /// A broker fault starts (a crash, a hang, a partition from its clients) or, for a
    /// Recover, every fault on it ends. With a duration it ends by itself.
    pub(super) fn broker_action(
        &mut self,
        b: BrokerId,
        kind: ActionKind,
        duration_ms: Option<u64>,
    ) {
        let Some(f) = self.msg.brokers.get_mut(b.index()) else {
            return;
        };
        match kind {
            ActionKind::Recover => {
                let was = *f;
                *f = BrokerFaults::default();
                self.msg.broker_nth[b.index()] += 1;
                if !was.ok() {
                    self.post(Notice::BrokerFault {
                        broker: b,
                        kind,
                        on: false,
                    });
                    self.pump_broker(b);
                }
                return;
            }
            ActionKind::Crash => f.down = true,
            _ => f.unreachable = true,
        }
        self.post(Notice::BrokerFault {
            broker: b,
            kind,
            on: true,
        });
        if let Some(d) = duration_ms {
            let nth = self.msg.broker_nth[b.index()];
            self.queue.push(
                self.now.plus_us(d * 1_000),
                Pending::BrokerFaultEnd { broker: b, nth },
            );
        }
    }

    /// A broker fault's duration ended (unless a Recover or a later fault came since).
    pub(super) fn broker_fault_end(&mut self, b: BrokerId, nth: u32) {
        if self.msg.broker_nth.get(b.index()) == Some(&nth) {
            self.broker_action(b, ActionKind::Recover, None);
        }
    }

    /// Delivers what every subscription on broker `b` can (it is back).
    fn pump_broker(&mut self, b: BrokerId) {
        for s in 0..self.msg.subs.len() {
            if self.msg.subs[s].broker == b {
                self.pump(SubscriptionId::from(s));
            }
        }
    }

    /// An operator's action on a queue: pause its consumers (for a duration, or until a
    /// Recover), resume them (Recover), or purge it.
    pub(super) fn queue_action(&mut self, q: QueueId, kind: ActionKind, duration_ms: Option<u64>) {
        let mut dropped = 0;
        for s in 0..self.msg.subs.len() {
            if self.msg.subs[s].queue != q.index() {
                continue;
            }
            match kind {
                ActionKind::PauseConsumers => self.msg.subs[s].paused = true,
                ActionKind::Purge => dropped += self.msg.subs[s].backlog.purge(),
                _ => {
                    self.msg.subs[s].paused = false;
                    self.pump(SubscriptionId::from(s));
                }
            }
        }
        self.post(Notice::QueueAction {
            queue: q,
            kind,
            dropped,
        });
        if let (ActionKind::PauseConsumers, Some(d)) = (kind, duration_ms) {
            self.queue.push(
                self.now.plus_us(d * 1_000),
                Pending::QueueResume { queue: q },
            );
        }
    }
}

/// A broker in the view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BrokerView {
    /// The broker.
    pub id: BrokerId,
    /// Its faults now.
    pub faults: BrokerFaults,
}
crate::codec::wire_struct!(BrokerView { id, faults });

/// A subscription (a queue's backlog for its consumer) in the view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionView {
    /// The subscription.
    pub id: SubscriptionId,
    /// Its queue or topic.
    pub queue: QueueId,
    /// Queue or topic.
    pub kind: QueueKind,
    /// The broker it lives on.
    pub broker: BrokerId,
    /// The consuming service.
    pub consumer: ServiceId,
    /// Messages waiting.
    pub depth: u64,
    /// Most messages it holds.
    pub capacity: u32,
    /// Age of the oldest waiting message (consumer lag), simulated ms.
    pub lag_ms: u64,
    /// Delivered and not yet acknowledged.
    pub in_delivery: u64,
    /// Consumers paused by an operator.
    pub paused: bool,
    /// Where every message has gone.
    pub counts: MessageCounts,
    /// One point per simulated second, the last two minutes.
    pub series: Vec<QueuePoint>,
}
crate::codec::wire_struct!(SubscriptionView {
    id,
    queue,
    kind,
    broker,
    consumer,
    depth,
    capacity,
    lag_ms,
    in_delivery,
    paused,
    counts,
    series
});

/// Messaging in the view: brokers and subscriptions, in config order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessagingView {
    /// The brokers.
    pub brokers: Vec<BrokerView>,
    /// The subscriptions.
    pub subscriptions: Vec<SubscriptionView>,
}
crate::codec::wire_struct!(MessagingView {
    brokers,
    subscriptions
});

impl Simulation {
    /// Brokers and backlogs now (`None`: no messaging).
    pub fn messaging_view(&self) -> Option<MessagingView> {
        let m = self.cfg.messaging.as_ref()?;
        Some(MessagingView {
            brokers: self
                .msg
                .brokers
                .iter()
                .enumerate()
                .map(|(b, f)| BrokerView {
                    id: BrokerId::from(b),
                    faults: *f,
                })
                .collect(),
            subscriptions: self
                .msg
                .subs
                .iter()
                .enumerate()
                .map(|(s, st)| SubscriptionView {
                    id: SubscriptionId::from(s),
                    queue: QueueId::from(st.queue),
                    kind: m.queues[st.queue].kind,
                    broker: st.broker,
                    consumer: st.service,
                    depth: st.backlog.depth() as u64,
                    capacity: m.queues[st.queue].capacity,
                    lag_ms: st.backlog.lag_us(self.now) / 1_000,
                    in_delivery: st.backlog.in_delivery,
                    paused: st.paused,
                    counts: st.backlog.counts,
                    series: st.series.iter().copied().collect(),
                })
                .collect(),
        })
    }
}
