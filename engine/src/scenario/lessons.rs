//! The built-in lessons, one JSON file each in `engine/lessons/`: a preset, a seed and a
//! [`Lesson`]. Every one plays to its end in `ha-sim lesson NAME` with each trigger reached in
//! order and each question answered (`tests/lessons.rs` checks it).

use crate::mechanisms::action::ScheduledAction;
use crate::scenario::lesson::Lesson;
use crate::scenario::{Scenario, ScenarioError};
use serde::Deserialize;

/// A built-in lesson file: the preset it runs on, its seed, and the lesson. `faults`
/// replaces the preset's timeline, `duration_s` its duration, when given.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonFile {
    preset: String,
    seed: u64,
    #[serde(default)]
    duration_s: Option<u32>,
    #[serde(default)]
    faults: Option<Vec<ScheduledAction>>,
    lesson: Lesson,
}

/// The built-in lessons as (name, JSON), in the order the picker shows them: from the
/// seeds' chapters, simplest first.
pub const ALL: [(&str, &str); 9] = [
    ("discovery", include_str!("../../lessons/discovery.json")),
    ("showdown", include_str!("../../lessons/showdown.json")),
    ("failover", include_str!("../../lessons/failover.json")),
    ("breaker", include_str!("../../lessons/breaker.json")),
    ("rate-limit", include_str!("../../lessons/rate-limit.json")),
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
pub fn scenario(name: &str) -> Option<Result<Scenario, ScenarioError>> {
    let (_, json) = ALL.iter().find(|(n, _)| *n == name)?;
    Some(parse(json))
}

fn parse(json: &str) -> Result<Scenario, ScenarioError> {
    let f: LessonFile = serde_json::from_str(json)
        .map_err(|e| ScenarioError::NotJson(e.line(), e.column(), e.to_string()))?;
    let preset = crate::scenario::presets::by_name(&f.preset)
        .ok_or_else(|| ScenarioError::Field("preset", format!("no preset {}", f.preset)))?;
    let mut s = Scenario::from_preset(&preset, f.seed);
    if let Some(d) = f.duration_s {
        s.duration_s = d;
    }
    if let Some(faults) = f.faults {
        s.cluster.faults = faults;
    }
    s.lesson = Some(f.lesson);
    s.validate()?;
    Ok(s)
}
