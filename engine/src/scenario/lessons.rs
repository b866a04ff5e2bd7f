//! The built-in lessons, one JSON file each in `engine/lessons/`: a preset, a seed and a
//! [`Lesson`]. Every one plays to its end in `ha-sim lesson NAME` with each trigger reached in
//! order and each question answered (`tests/lessons.rs` checks it).

use crate::scenario::lesson::Lesson;
use crate::scenario::{Scenario, ScenarioError};
use serde::Deserialize;

/// A lesson file, read: the preset it runs on, its seed, and the lesson. The page fetches the
/// preset's scenario (`presets/<preset>.json`) and places the lesson on it with
/// [`LessonFile::on`]; natively [`parse`] does both.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonFile {
    /// The preset's name, e.g. `failover`.
    pub preset: String,
    seed: u64,
    lesson: Lesson,
}

impl LessonFile {
    /// Reads a lesson file's JSON.
    ///
    /// Errors: [`ScenarioError::NotJson`] with line and column.
    pub fn read(json: &str) -> Result<LessonFile, ScenarioError> {
        serde_json::from_str(json)
            .map_err(|e| ScenarioError::NotJson(e.line(), e.column(), e.to_string()))
    }

    /// The lesson on `preset` (the scenario of preset [`LessonFile::preset`]) with the file's
    /// seed.
    ///
    /// Errors: the lesson's validation error.
    pub fn on(self, preset: Scenario) -> Result<Scenario, ScenarioError> {
        let s = Scenario {
            seed: self.seed,
            lesson: Some(self.lesson),
            ..preset
        };
        s.validate()?;
        Ok(s)
    }
}

/// The built-in lessons as (name, title), in the order the picker shows them: from the
/// seeds' chapters, simplest first. The page fetches `lessons/NAME.json` when one is picked
/// (the texts are not in its wasm); a test checks this list against the files.
pub const INDEX: [(&str, &str); 10] = [
    ("discovery", "Service discovery and the heartbeat TTL"),
    ("showdown", "Load-balancing showdown: one slow instance"),
    (
        "failover",
        "Health checks, failover, recovery back-off and failback",
    ),
    ("breaker", "The circuit breaker's three states"),
    ("rate-limit", "Rate limiting: a token bucket under a burst"),
    ("retries", "Retries and the retry budget"),
    ("cascade", "A cascading failure, contained by breakers"),
    ("replication", "Consistent hashing, replicas and repair"),
    ("async", "Sync or async: a queue between two services"),
    ("alerts", "Alerts: pending, firing, resolved"),
];

/// The built-in lessons as (name, JSON), in [`INDEX`] order (for `ha-sim` and the tests).
#[cfg(feature = "builtin-lessons")]
pub const ALL: [(&str, &str); 10] = [
    ("discovery", include_str!("../../lessons/discovery.json")),
    ("showdown", include_str!("../../lessons/showdown.json")),
    ("failover", include_str!("../../lessons/failover.json")),
    ("breaker", include_str!("../../lessons/breaker.json")),
    ("rate-limit", include_str!("../../lessons/rate-limit.json")),
    ("retries", include_str!("../../lessons/retries.json")),
    ("cascade", include_str!("../../lessons/cascade.json")),
    (
        "replication",
        include_str!("../../lessons/replication.json"),
    ),
    ("async", include_str!("../../lessons/async.json")),
    ("alerts", include_str!("../../lessons/alerts.json")),
];

/// The scenario of built-in lesson `name`: its preset with its seed, and the lesson.
///
/// Errors: `None` for an unknown name; a [`ScenarioError`] if the file or the lesson is
/// invalid (a test keeps every built-in valid).
#[cfg(feature = "builtin-lessons")]
pub fn scenario(name: &str) -> Option<Result<Scenario, ScenarioError>> {
    let (_, json) = ALL.iter().find(|(n, _)| *n == name)?;
    Some(parse(json))
}

/// The scenario of a lesson file's JSON: its preset with its seed, and the lesson.
///
/// Errors: [`ScenarioError::NotJson`] with line and column, an unknown preset
/// ([`ScenarioError::Field`]), or the lesson's validation error.
pub fn parse(json: &str) -> Result<Scenario, ScenarioError> {
    let f = LessonFile::read(json)?;
    let preset = crate::scenario::presets::by_name(&f.preset)
        .ok_or_else(|| ScenarioError::Field("preset", format!("no preset {}", f.preset)))?;
    f.on(Scenario::from_preset(
        &preset,
        crate::scenario::presets::DEFAULT_SEED,
    ))
}
