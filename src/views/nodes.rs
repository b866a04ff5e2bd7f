//! What the topology diagram ([`crate::views::topology`]) and the phone flow
//! ([`crate::views::flow`]) share, and the cards and the inspector use too: the glyphs, classes
//! and words of an instance's status and of a breaker state (never colour alone), and which
//! instances belong to which service. A leaf: it imports no other view.

use crate::state::lab::Lab;
use ha_engine::breaker::BreakerState;
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
