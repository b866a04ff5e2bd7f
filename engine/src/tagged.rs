//! Reading the internally tagged enums of the scenario format (`{"kind": "slow", "factor": 10}`)
//! through a flat struct of optional fields instead of serde's internally tagged enum support.
//!
//! Serde reads an internally tagged enum by first buffering the whole object into its private
//! `Content` tree and then deserialising the variant from that buffer; the generated code is
//! large (it was about 30 KB of the page's wasm for the three such enums). A flat struct with a
//! `kind` field and every variant's fields as `Option`s reads the same JSON in one pass. The
//! format is unchanged: serialisation stays serde's `tag = "kind"`.

/// The value of `field`, required by `kind`. Callers pass `repr.field.take()`, so that what is
/// left in the repr afterwards is exactly what the kind does not take (see [`none_left`]).
///
/// Errors: ``missing field `field` for kind `kind` `` when it is absent.
pub(crate) fn required<T>(value: Option<T>, field: &str, kind: &str) -> Result<T, String> {
    value.ok_or_else(|| format!("missing field `{field}` for kind `{kind}`"))
}

/// Checks that no field is `left` (given as (name, still present)) once `kind` has taken its own.
///
/// Errors: ``field `f` does not apply to kind `kind` `` for the first one left.
pub(crate) fn none_left(kind: &str, left: &[(&str, bool)]) -> Result<(), String> {
    match left.iter().find(|(_, is)| *is) {
        Some((name, _)) => Err(format!("field `{name}` does not apply to kind `{kind}`")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::mechanisms::action::ActionKind;
    use crate::mechanisms::balancer::Strategy;
    use crate::mechanisms::breaker::TripPolicy;
    use crate::rng::LatencyDist;
    use serde::{de::DeserializeOwned, Serialize};
    use std::fmt::Debug;

    fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(x: T) {
        let json = serde_json::to_string(&x).unwrap();
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), x, "{json}");
    }

    fn error<T: DeserializeOwned + Debug>(json: &str) -> String {
        serde_json::from_str::<T>(json).unwrap_err().to_string()
    }

    #[test]
    fn every_kind_reads_back_what_is_written() {
        let faults = [
            ActionKind::Crash,
            ActionKind::Hang,
            ActionKind::Slow { factor: 2.5 },
            ActionKind::ErrorRate { rate: 0.3 },
            ActionKind::PartitionHeartbeats,
            ActionKind::PartitionServing,
            ActionKind::TrafficSpike { factor: 4.0 },
            ActionKind::Capacity { concurrency: 3 },
            ActionKind::DataNodeFail,
            ActionKind::DataNodeRecover,
            ActionKind::DataNodeJoin {
                capacity: 900,
                weight: 2,
            },
            ActionKind::DataNodeLeave,
            ActionKind::Restart,
            ActionKind::Drain,
            ActionKind::SetWeight { weight: 7 },
            ActionKind::SetStrategy {
                strategy: Strategy::LeastConnections,
            },
            ActionKind::Recover,
        ];
        let keys: std::collections::BTreeSet<_> = faults.iter().map(ActionKind::key).collect();
        assert_eq!(keys.len(), faults.len(), "one of each kind");
        faults.into_iter().for_each(round_trip);
        [
            LatencyDist::Constant { ms: 12.0 },
            LatencyDist::Exponential { mean_ms: 0.1 + 0.2 },
            LatencyDist::LogNormal {
                median_ms: 20.0,
                sigma: 0.5,
            },
        ]
        .into_iter()
        .for_each(round_trip);
        [
            TripPolicy::Consecutive { failures: 5 },
            TripPolicy::FailureRate {
                window_ms: 10_000,
                min_requests: 20,
                error_pct: 50.0,
            },
        ]
        .into_iter()
        .for_each(round_trip);
        // The format is serde's internally tagged one.
        assert_eq!(
            serde_json::to_string(&ActionKind::Slow { factor: 10.0 }).unwrap(),
            r#"{"kind":"slow","factor":10.0}"#
        );
    }

    #[test]
    fn missing_foreign_and_unknown_fields_are_named() {
        /// How to read, what, and what the error must say.
        type Case = (fn(&str) -> String, &'static str, &'static str);
        let cases: [Case; 9] = [
            (
                error::<ActionKind>,
                r#"{"kind": "slow"}"#,
                "missing field `factor` for kind `slow`",
            ),
            (
                error::<ActionKind>,
                r#"{"kind": "crash", "factor": 2}"#,
                "field `factor` does not apply to kind `crash`",
            ),
            (
                error::<ActionKind>,
                r#"{"kind": "melt"}"#,
                "unknown variant `melt`",
            ),
            (
                error::<ActionKind>,
                r#"{"factor": 2}"#,
                "missing field `kind`",
            ),
            (
                error::<ActionKind>,
                r#"{"kind": "slow", "factor": 2, "colour": 1}"#,
                "unknown field `colour`",
            ),
            (
                error::<LatencyDist>,
                r#"{"kind": "log_normal", "median_ms": 20}"#,
                "missing field `sigma` for kind `log_normal`",
            ),
            (
                error::<LatencyDist>,
                r#"{"kind": "constant", "ms": 5, "sigma": 1}"#,
                "field `sigma` does not apply to kind `constant`",
            ),
            (
                error::<TripPolicy>,
                r#"{"kind": "failure_rate", "window_ms": 10000, "min_requests": 20}"#,
                "missing field `error_pct` for kind `failure_rate`",
            ),
            (
                error::<TripPolicy>,
                r#"{"kind": "consecutive", "failures": 5, "window_ms": 1}"#,
                "field `window_ms` does not apply to kind `consecutive`",
            ),
        ];
        for (read, json, expected) in cases {
            let e = read(json);
            assert!(e.contains(expected), "{json}: {e}");
        }
    }
}
