//! What the topology diagram ([`crate::views::topology`]) and the phone flow
//! ([`crate::views::flow`]) share, and the cards and the inspector use too: the glyphs, classes
//! and words of an instance's status and of a breaker state (never colour alone), and which
//! instances belong to which service; for messaging, a broker's glyph and which services
//! publish to and consume from each queue. A leaf: it imports no other view.

use crate::state::lab::Lab;
use ha_engine::breaker::BreakerState;
use ha_engine::common::{BrokerId, SubscriptionId};
use ha_engine::messaging::BrokerFaults;
use ha_engine::present;
use ha_engine::view::InstanceStatus;
use leptos::prelude::*;

/// Glyph, CSS class and legend words for an instance status (never colour alone).
pub fn status_style(s: InstanceStatus) -> (&'static str, &'static str) {
    match s {
        InstanceStatus::Serving => ("●", "st-serving"),
        InstanceStatus::Suspect => ("◍", "st-suspect"),
        InstanceStatus::OutOfRotation => ("◐", "st-out"),
        InstanceStatus::Recovering => ("◑", "st-recovering"),
        InstanceStatus::Ejected => ("⊘", "st-ejected"),
        InstanceStatus::Draining => ("◒", "st-draining"),
        InstanceStatus::Booting => ("◌", "st-booting"),
        InstanceStatus::Standby => ("○", "st-standby"),
        InstanceStatus::Unlisted => ("◆", "st-unlisted"),
        InstanceStatus::DownListed => ("▲", "st-downlisted"),
        InstanceStatus::Down => ("✕", "st-down"),
    }
}

/// Every status in legend order.
pub const STATUSES: [InstanceStatus; 11] = [
    InstanceStatus::Serving,
    InstanceStatus::Suspect,
    InstanceStatus::OutOfRotation,
    InstanceStatus::Recovering,
    InstanceStatus::Ejected,
    InstanceStatus::Draining,
    InstanceStatus::Booting,
    InstanceStatus::Standby,
    InstanceStatus::Unlisted,
    InstanceStatus::DownListed,
    InstanceStatus::Down,
];

/// Glyph and words for a breaker state.
pub fn breaker_style(b: BreakerState) -> (&'static str, &'static str) {
    match b {
        BreakerState::Closed => ("⊂⊃", "breaker closed"),
        BreakerState::Open => ("⚡", "breaker open"),
        BreakerState::HalfOpen => ("◔", "breaker half-open"),
    }
}

/// Each service's instances by index, in config order: changes only with the configuration.
pub fn service_shape(lab: Lab) -> Memo<Vec<Vec<usize>>> {
    Memo::new(move |_| {
        lab.view.with(|v| {
            v.services
                .iter()
                .map(|s| s.instances.iter().map(|i| i.index()).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        })
    })
}

/// Glyph and CSS class for a broker's state (its words: [`present::broker_state`]): up,
/// crashed, or not answering.
pub fn broker_style(f: BrokerFaults) -> (&'static str, &'static str) {
    if f.down {
        ("✕", "st-down")
    } else if f.unreachable {
        ("◐", "st-out")
    } else {
        ("●", "st-serving")
    }
}

/// One queue node: a subscription (a queue's backlog; a topic has one per subscriber) with
/// the services on either side of it.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueShape {
    /// The subscription.
    pub sub: SubscriptionId,
    /// Its name in words (`email-queue`, `order.created for email-service`).
    pub name: String,
    /// The broker it lives on.
    pub broker: BrokerId,
    /// The consuming service, by index.
    pub consumer: usize,
    /// The services that publish to it, by index.
    pub producers: Vec<usize>,
}

/// The queue nodes grouped by broker (config order within a broker), and the brokers' names,
/// from the configuration (a new one re-lays out the panels).
pub fn queue_shape(lab: Lab) -> (Vec<QueueShape>, Vec<String>) {
    {
        lab.with_config(|cfg| {
            let Some(m) = &cfg.messaging else {
                return (Vec::new(), Vec::new());
            };
            // Grouped by broker without a sort (a sort's code costs more than these loops).
            let mut shapes = Vec::new();
            for (bi, b) in m.brokers.iter().enumerate() {
                for (sub, qi, consumer) in m.subscriptions() {
                    let q = &m.queues[qi];
                    if q.broker != b.name {
                        continue;
                    }
                    shapes.push(QueueShape {
                        sub,
                        name: present::subscription(sub, cfg),
                        broker: BrokerId::from(bi),
                        consumer: cfg.service_id(consumer).map_or(0, |c| c.index()),
                        producers: cfg
                            .services
                            .iter()
                            .enumerate()
                            .filter(|(_, svc)| svc.publishes.iter().any(|p| p.queue == q.name))
                            .map(|(i, _)| i)
                            .collect(),
                    });
                }
            }
            let brokers = m.brokers.iter().map(|b| b.name.clone()).collect();
            (shapes, brokers)
        })
    }
}
