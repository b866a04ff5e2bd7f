//! Errors in words: the [`std::fmt::Display`] of the engine's command and ledger errors (the
//! types themselves are typed facts in [`crate::sim`]).

use super::Names;
use crate::mechanisms::action::{ActionSpecError, ACTION_SPEC_KINDS};
use crate::sim::{CommandError, LedgerError};
use crate::time::SimTime;
use std::fmt;

/// A refused command as the page says it, instances and services by name (the `Display`
/// form, for logs and the CLI, gives their indices).
pub fn command_error(e: &CommandError, names: &impl Names) -> String {
    match e {
        CommandError::UnknownInstance(_) | CommandError::UnknownService(_) => e.to_string(),
        CommandError::AlreadyDown(i) => format!("{} is already down", names.instance(*i)),
        CommandError::AlreadyUp(i) => format!("{} is already running", names.instance(*i)),
        CommandError::MachineDown(i) => format!(
            "{}'s machine is down; it cannot start yet",
            names.instance(*i)
        ),
        _ => e.to_string(),
    }
}

impl fmt::Display for ActionSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionSpecError::Shape(spec) => write!(
                f,
                "expected KIND[=X][:TARGET]@START_S[+DURATION_S], got {spec:?}"
            ),
            ActionSpecError::Seconds(text, spec) => write!(
                f,
                "{text:?} in {spec:?} is not a number of seconds between 0 and 86400"
            ),
            ActionSpecError::NotANumber(text, spec) => {
                write!(f, "{text:?} in {spec:?} is not a number")
            }
            ActionSpecError::NeedsValue(kind) => {
                write!(f, "{kind} needs a value, e.g. {kind}=3")
            }
            ActionSpecError::UnknownKind(kind) => {
                write!(f, "unknown action {kind:?}; actions: {ACTION_SPEC_KINDS}")
            }
            ActionSpecError::UnknownStrategy(key) => {
                write!(f, "unknown strategy {key:?}")
            }
        }
    }
}

impl std::error::Error for ActionSpecError {}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LedgerError::CountsDoNotAddUp {
                arrived,
                ended,
                in_flight,
            } => write!(
                f,
                "{arrived} requests arrived but {ended} ended and {in_flight} are in flight"
            ),
            LedgerError::EndedTwice { attempts, first } => write!(
                f,
                "{attempts} attempts to end a request that had already ended (first: request {first})"
            ),
            LedgerError::Overdue {
                request,
                age_us,
                bound_us,
            } => write!(
                f,
                "request {request} has been in flight {age_us} µs, longer than the {bound_us} µs its timeouts and retries allow"
            ),
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::UnknownInstance(i) => write!(f, "no instance {}", i.0),
            CommandError::UnknownService(s) => write!(f, "no service {}", s.0),
            CommandError::AlreadyDown(i) => write!(f, "instance {} is already down", i.0),
            CommandError::AlreadyUp(i) => write!(f, "instance {} is already running", i.0),
            CommandError::MachineDown(i) => {
                write!(f, "instance {}'s machine is down; it cannot start yet", i.0)
            }
            CommandError::Invalid(e) => write!(f, "{e}"),
            CommandError::Data(why) => write!(f, "{why}"),
            CommandError::TooLate { at_ms, now_us } => write!(
                f,
                "the run is already at {} and past {}: the action cannot be added there",
                SimTime(*now_us),
                SimTime::from_ms(*at_ms)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::common::ConfigError;
    use crate::common::{InstanceId, ServiceId};
    use crate::mechanisms::replication::ReplicationError;
    use crate::sim::{CommandError, LedgerError};
    use expect_test::expect;

    #[test]
    fn command_errors() {
        let all = [
            CommandError::UnknownInstance(InstanceId(9)),
            CommandError::UnknownService(ServiceId(4)),
            CommandError::AlreadyDown(InstanceId(1)),
            CommandError::AlreadyUp(InstanceId(1)),
            CommandError::MachineDown(InstanceId(1)),
            CommandError::Invalid(ConfigError::Count("weight", 1_200, 0, 1_000)),
            CommandError::Data(ReplicationError::NoStore),
            CommandError::Data(ReplicationError::AlreadyUp("node-2".into())),
            CommandError::TooLate {
                at_ms: 30_000,
                now_us: 45_500_000,
            },
        ];
        let named: Vec<String> = all[2..5]
            .iter()
            .map(|e| super::command_error(e, &crate::present::test_names::Table::new()))
            .collect();
        expect![[r#"
            [
                "10.0.0.1:8080 is already down",
                "10.0.0.1:8080 is already running",
                "10.0.0.1:8080's machine is down; it cannot start yet",
            ]
        "#]]
        .assert_debug_eq(&named);
        let text: Vec<String> = all.iter().map(ToString::to_string).collect();
        expect![[r#"
            [
                "no instance 9",
                "no service 4",
                "instance 1 is already down",
                "instance 1 is already running",
                "instance 1's machine is down; it cannot start yet",
                "weight is 1200; it must be between 0 and 1000",
                "no data store",
                "data node node-2 is up",
                "the run is already at 00:45.500 and past 00:30.000: the action cannot be added there",
            ]
        "#]].assert_debug_eq(&text);
    }

    #[test]
    fn ledger_errors() {
        let all = [
            LedgerError::CountsDoNotAddUp {
                arrived: 10,
                ended: 8,
                in_flight: 1,
            },
            LedgerError::EndedTwice {
                attempts: 2,
                first: 7,
            },
            LedgerError::Overdue {
                request: 3,
                age_us: 9_000_000,
                bound_us: 6_000_000,
            },
        ];
        let text: Vec<String> = all.iter().map(ToString::to_string).collect();
        expect![[r#"
            [
                "10 requests arrived but 8 ended and 1 are in flight",
                "2 attempts to end a request that had already ended (first: request 7)",
                "request 3 has been in flight 9000000 µs, longer than the 6000000 µs its timeouts and retries allow",
            ]
        "#]].assert_debug_eq(&text);
    }
}
