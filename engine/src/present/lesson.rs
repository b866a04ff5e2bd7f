//! Lessons in words: what a step waits for, a question's answer beside the learner's guess,
//! and why a lesson was refused ([`LessonError`]'s `Display`). The page and `ha-sim` say the
//! same sentences; golden tests below hold them.

use crate::present::Dec;
use crate::scenario::lesson::{
    Fact, LessonError, Measure, Question, Step, MAX_STEPS, MAX_STEP_CHARS,
};
use crate::sim::player::{Answer, Guess, Reading};
use std::fmt;

/// The unit a measure's number is in, as words follow it (`requests`, `s`, `ms`, `%`).
pub fn unit(m: Measure) -> &'static str {
    match m {
        Measure::Failed | Measure::Rejected | Measure::ShortCircuited | Measure::Requests => {
            "requests"
        }
        Measure::Retries => "retries",
        Measure::Seconds | Measure::QueueLagS => "s",
        Measure::P99Ms => "ms",
        Measure::Upstreams => "upstreams",
        Measure::QueueDepth | Measure::DeadLettered => "messages",
        Measure::KeysMovedPct => "%",
        Measure::UnderReplicated => "keys",
        Measure::BreakerState | Measure::AlertState => "",
    }
}

/// A measured number as a sentence shows it: whole for counts, one decimal otherwise.
pub fn number(m: Measure, v: f64) -> String {
    let whole = !matches!(
        m,
        Measure::Seconds | Measure::QueueLagS | Measure::P99Ms | Measure::KeysMovedPct
    );
    let n = if whole {
        format!("{v:.0}", v = Dec(v))
    } else {
        format!("{v:.1}", v = Dec(v))
    };
    match unit(m) {
        "" => n,
        "%" => format!("{n} %"),
        u => format!("{n} {u}"),
    }
}

/// What a step's trigger waits for: "the registry expires 192.168.1.11:8080", "0:30",
/// "you: crash:192.168.1.11:8080"; `None` for a step that starts at once.
pub fn waiting_for(step: &Step) -> Option<String> {
    if let Some(t) = step.at_s {
        let t = t.max(0.0) as u64;
        return Some(format!("the run to reach {}:{:02}", t / 60, t % 60));
    }
    if let Some(kind) = &step.wait_for {
        return Some(format!(
            "you: {} on {}",
            super::fault(kind),
            step.of.as_deref().unwrap_or("the cluster")
        ));
    }
    if let Some(m) = step.when {
        return Some(format!(
            "{}{} above {}",
            measure_name(m),
            step.of
                .as_ref()
                .map_or(String::new(), |o| format!(" of {o}")),
            number(m, step.above)
        ));
    }
    let fact = step.on?;
    let of = step.of.as_deref().unwrap_or("any");
    // One table and one substitution rather than a formatting call per fact.
    let words = match fact {
        Fact::InstanceCrashed => "{} to crash",
        Fact::InstanceReady => "{} to be up and serving",
        Fact::Expired => "the registry to expire {}",
        Fact::UpstreamsChanged => "{}'s upstreams to change",
        Fact::MarkedUnhealthy => "the health checker to mark {} unhealthy",
        Fact::MarkedHealthy => "the health checker to mark {} healthy",
        Fact::Ejected => "outlier ejection to eject {}",
        Fact::BackupPromoted => "a backup to replace {}",
        Fact::Failback => "failback to {}",
        Fact::RecoveryGaveUp => "the failover manager to give up on {}",
        Fact::BreakerOpened => "a breaker towards {} to open",
        Fact::BreakerHalfOpen => "a breaker towards {} to go half-open",
        Fact::BreakerClosed => "a breaker towards {} to close",
        Fact::AlertPending => "alert {} to go pending",
        Fact::AlertFiring => "alert {} to fire",
        Fact::AlertResolved => "alert {} to resolve",
        Fact::PanicMode => "{}'s balancer to panic",
        Fact::DataNodeFailed => "data node {} to fail",
        Fact::DataMembership => "data node {} to join or leave",
        Fact::Repaired => "repair to finish",
        Fact::BacklogBuilding => "a backlog to build in {}",
        Fact::BacklogDrained => "{}'s backlog to drain",
        Fact::DeadLettered => "a message from {} to be dead-lettered",
    };
    Some(words.replace("{}", of))
}

/// What the lesson card says when the learner took an action other than the one a "try it"
/// step waits for: "Not the action this step waits for (crash on 192.168.1.11:8080): Do it
/// takes it."; `None` for a step that waits for none.
pub fn not_awaited(step: &Step) -> Option<String> {
    let kind = step.wait_for.as_ref()?;
    Some(format!(
        "Not the action this step waits for ({} on {}): Do it takes it.",
        super::fault(kind),
        step.of.as_deref().unwrap_or("the cluster")
    ))
}

/// A measure's name in words: its key, spaced (`queue depth`, `p99 ms`).
pub fn measure_name(m: Measure) -> String {
    m.key().replace('_', " ")
}

/// The reveal: the engine's answer, the learner's guess beside it (if they gave one), and
/// whether it counts as right. The question's `why` follows it on the card.
pub fn reveal(q: &Question, answer: &Answer, guess: Option<&Guess>) -> String {
    let measured = match (&answer.choice, answer.value) {
        (Some(c), Reading::Number(v)) => format!("{c} ({})", number(q.measure, v)),
        (Some(c), Reading::Label(_)) => c.replace('_', "-"),
        (None, Reading::Number(v)) => number(q.measure, v),
        (None, Reading::Label(l)) => l.replace('_', "-"),
    };
    let said = |g: &Guess| match g {
        Guess::Number(n) => Dec(*n).to_string(),
        Guess::Choice(c) => c.replace('_', "-"),
    };
    let verdict = match guess {
        None => "You gave no guess.".to_string(),
        Some(g) if answer.judges(q, g) => format!("You said {}: right.", said(g)),
        Some(g) => format!(
            "You said {}{}.",
            said(g),
            if answer.choice.is_some() {
                String::new()
            } else {
                format!(
                    ", outside the {} % counted as right",
                    Dec(q.tolerance_pct.unwrap_or(20.0))
                )
            }
        ),
    };
    format!("The engine measured {measured}. {verdict}")
}

impl fmt::Debug for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use LessonError::*;
        match self {
            StepCount(n) => write!(f, "a lesson has 1 to {MAX_STEPS} steps; this one has {n}"),
            Title => write!(f, "the lesson's title must be 1 to 200 characters"),
            TooLong(s) => write!(f, "step {s}: a text is longer than {MAX_STEP_CHARS} characters"),
            Markup(s, tag) => write!(
                f,
                "step {s}: the text contains markup ({tag}…); lesson texts are plain text with **bold**, `code` and - lists"
            ),
            TwoTriggers(s) => write!(
                f,
                "step {s}: a step starts on one trigger: at_s, on, wait_for or when, not several"
            ),
            PastTheEnd(s, t, d) => write!(
                f,
                "step {s}: at_s is {}; it must be between 0 and the scenario's {} s",
                Dec(*t),
                d
            ),
            TimeGoesBack(s) => write!(f, "step {s}: its time is before the step before it"),
            UnknownName(s, field, name) => {
                write!(f, "step {s}: {field}: nothing in the cluster is named \"{name}\"")
            }
            NeedsElement(s, field) => write!(
                f,
                "step {s}: {field}: this measure needs an element (of), or takes none"
            ),
            Action(s, why) => write!(f, "step {s}: wait_for: {why}"),
            Choices(s, why) => write!(f, "step {s}: question choices: {why}"),
            NoReveal(s) => write!(
                f,
                "step {s}: a question needs a later step (reveal_at) where its answer is revealed"
            ),
            Setting(s, field) => write!(f, "step {s}: {field} is out of range"),
            NeverReached(s, d) => write!(
                f,
                "step {s}: its trigger never happened within the scenario's {d} s"
            ),
            NoAnswer(s) => write!(f, "step {s}: the engine has no value for the question"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::lesson::Pick;
    use crate::ActionKind;
    use expect_test::expect;

    fn q(measure: Measure, choices: &[&str], pick: Option<Pick>) -> Question {
        Question {
            ask: "?".into(),
            measure,
            of: None,
            choices: choices.iter().map(|c| c.to_string()).collect(),
            pick,
            tolerance_pct: Some(25.0),
            reveal_at: 0,
            why: String::new(),
        }
    }

    #[test]
    fn reveals_read_as_sentences() {
        let n = q(Measure::Failed, &[], None);
        let a = Answer {
            value: Reading::Number(295.0),
            choice: None,
            readings: vec![],
        };
        expect!["The engine measured 295 requests. You said 300: right."].assert_eq(&reveal(
            &n,
            &a,
            Some(&Guess::Number(300.0)),
        ));
        expect![
            "The engine measured 295 requests. You said 100, outside the 25 % counted as right."
        ]
        .assert_eq(&reveal(&n, &a, Some(&Guess::Number(100.0))));
        expect!["The engine measured 295 requests. You gave no guess."]
            .assert_eq(&reveal(&n, &a, None));
        let c = q(Measure::Requests, &["a", "b"], Some(Pick::Most));
        let a = Answer {
            value: Reading::Number(993.0),
            choice: Some("a".into()),
            readings: vec![993.0, 497.0],
        };
        expect!["The engine measured a (993 requests). You said b."].assert_eq(&reveal(
            &c,
            &a,
            Some(&Guess::Choice("b".into())),
        ));
        let s = q(
            Measure::BreakerState,
            &["closed", "open", "half_open"],
            None,
        );
        let a = Answer {
            value: Reading::Label("half_open"),
            choice: Some("half_open".into()),
            readings: vec![],
        };
        expect!["The engine measured half-open. You said half-open: right."].assert_eq(&reveal(
            &s,
            &a,
            Some(&Guess::Choice("half_open".into())),
        ));
        let t = q(Measure::Seconds, &[], None);
        let a = Answer {
            value: Reading::Number(29.2514),
            choice: None,
            readings: vec![],
        };
        expect!["The engine measured 29.3 s. You said 30: right."].assert_eq(&reveal(
            &t,
            &a,
            Some(&Guess::Number(30.0)),
        ));
    }

    #[test]
    fn waits_read_as_words() {
        let on = Step {
            on: Some(Fact::Expired),
            of: Some("192.168.1.11:8080".into()),
            ..Step::default()
        };
        expect!["the registry to expire 192.168.1.11:8080"].assert_eq(&waiting_for(&on).unwrap());
        let at = Step {
            at_s: Some(90.0),
            ..Step::default()
        };
        expect!["the run to reach 1:30"].assert_eq(&waiting_for(&at).unwrap());
        assert_eq!(waiting_for(&Step::default()), None);
        let try_it = Step {
            wait_for: Some(ActionKind::Crash),
            of: Some("192.168.1.11:8080".into()),
            ..Step::default()
        };
        expect!["Not the action this step waits for (crash on 192.168.1.11:8080): Do it takes it."]
            .assert_eq(&not_awaited(&try_it).unwrap());
        assert_eq!(not_awaited(&on), None);
        expect!["step 3: the text contains markup (<scrip…); lesson texts are plain text with **bold**, `code` and - lists"]
            .assert_eq(&LessonError::Markup(3, "<scrip".into()).to_string());
    }
}
