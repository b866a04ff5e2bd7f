//! The page's words for the feeds: each notice and alert transition turned into text once,
//! when the engine posts it (by [`ha_engine::present`]), so the views render strings.

use ha_engine::alerts::{AlertState, Target};
use ha_engine::common::Severity;
use ha_engine::explain::Selection;
use ha_engine::present::{self, Names};
use ha_engine::scenario::lesson::FactTrigger;
use ha_engine::{SimTime, Simulation};

/// A feed entry in words, as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedLine {
    /// Position in the run's feed (a stable key).
    pub seq: u64,
    /// When, simulated.
    pub at: SimTime,
    /// How much it matters.
    pub severity: Severity,
    /// The notice's kind (`data-kind`).
    pub kind: String,
    /// The sentence.
    pub text: String,
    /// The fact a lesson step can start on that the notice is, if any (the lesson author's
    /// "Add a step on the newest fact" takes the newest line's).
    pub fact: Option<FactTrigger>,
}

ha_engine::codec::wire_struct!(FeedLine {
    seq,
    at,
    severity,
    kind,
    text,
    fact
});

/// The feed the page shows, newest first, in words. Entries already in `before` (the lines
/// shown so far, newest first) keep their words: only new notices are put into words.
pub fn feed_lines(sim: &Simulation, before: &[FeedLine]) -> Vec<FeedLine> {
    sim.feed_view()
        .map(|e| {
            // `before` is in descending seq order.
            match before.binary_search_by(|l| e.seq.cmp(&l.seq)) {
                Ok(k) => before[k].clone(),
                Err(_) => FeedLine {
                    seq: e.seq,
                    at: e.at,
                    severity: e.notice.severity(),
                    kind: e.notice.kind().into(),
                    text: present::notice(&e.notice, sim),
                    fact: sim.fact_of(&e.notice),
                },
            }
        })
        .collect()
}

/// An alert transition in words, as the page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertLine {
    /// Position in the alert feed (a stable key).
    pub seq: u64,
    /// When, simulated µs.
    pub at_us: u64,
    /// Rule name.
    pub rule: String,
    /// A service name, an instance address, `data store` or a queue's name.
    pub target: String,
    /// What selecting it selects: its queue, instance or service.
    pub select: Option<Selection>,
    /// The service's name (an instance's or a queue consumer's), if any.
    pub service_name: Option<String>,
    /// State entered.
    pub to: AlertState,
    /// The rule's severity.
    pub severity: Severity,
    /// Value against threshold, e.g. `error_rate 31.0 % > 5.0 %`.
    pub detail: String,
}

ha_engine::codec::wire_struct!(AlertLine {
    seq,
    at_us,
    rule,
    target,
    select,
    service_name,
    to,
    severity,
    detail
});

/// The alert feed the page shows, newest first, in words.
pub fn alert_lines(sim: &Simulation) -> Vec<AlertLine> {
    sim.alert_feed_view()
        .into_iter()
        .map(|e| AlertLine {
            seq: e.seq,
            at_us: e.at_us,
            rule: e.rule,
            target: present::target(e.target, sim),
            select: match (e.target, e.instance, e.service) {
                (Target::Subscription(q), ..) => Some(Selection::Queue(q)),
                (_, Some(i), _) => Some(Selection::Instance(i)),
                (_, None, Some(s)) => Some(Selection::Service(s)),
                _ => None,
            },
            service_name: e.service.map(|s| sim.service(s).to_string()),
            to: e.to,
            severity: e.severity,
            detail: present::alert_condition(e.alert, e.value, sim),
        })
        .collect()
}
