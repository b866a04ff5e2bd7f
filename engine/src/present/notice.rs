//! A notice in words: one sentence with addresses, counts and simulated times.

use super::{action_target, fault, metric, secs, subscription, target, Names};
use crate::common::InstanceId;
use crate::mechanisms::action::ActionKind;
use crate::mechanisms::alerts::{AlertState, Condition};
use crate::mechanisms::breaker::BreakerState;
use crate::present::Dec;
use crate::sim::notice::{Notice, StartedBy};

/// `notice` as one sentence for the feed, e.g. `registry expired 192.168.1.11:8080: no
/// heartbeat for 30 s (last at 0:12.000); …`. Ids are named through `names`.
pub fn notice(notice: &Notice, names: &impl Names) -> String {
    let addr = |i: InstanceId| names.instance(i).to_string();
    let on = |t: Option<InstanceId>| t.map_or("the cluster".to_string(), addr);
    match notice {
        Notice::InstanceCrashed {
            instance,
            requests_lost,
            listed_until,
        } => {
            let lost = match requests_lost {
                0 => "no request was in it".to_string(),
                1 => "the 1 request in it was reset (502)".to_string(),
                n => format!("the {n} requests in it were reset (502)"),
            };
            let expiry = listed_until.map_or(String::new(), |t| {
                format!("; the registry keeps listing it until its TTL runs out at {t} unless a heartbeat arrives")
            });
            format!(
                "{} crashed: {lost}; it stops heart-beating{expiry}",
                addr(*instance)
            )
        }
        Notice::InstanceStarted {
            instance,
            by,
            boot_ms,
        } => {
            let why = match by {
                StartedBy::Operator => "restarted by an operator".to_string(),
                StartedBy::OperatorRecover => "recovered by an operator".to_string(),
                StartedBy::BackupPool => "started from the backup pool".to_string(),
                StartedBy::FailoverManager { attempt, of } => {
                    format!("restarted by the failover manager (attempt {attempt} of {of})")
                }
                StartedBy::MachineBack => "came back: its machine is up again".to_string(),
            };
            let boot = if *boot_ms > 0 {
                format!("; it serves after booting for {} s", secs(*boot_ms))
            } else {
                String::new()
            };
            format!("{} {why}{boot}", addr(*instance))
        }
        Notice::InstanceReady { instance } => format!("{} is up and serving", addr(*instance)),
        Notice::Registered { instance, service } => format!(
            "{} registered as {}",
            addr(*instance),
            names.service(*service)
        ),
        Notice::Expired {
            instance,
            ttl_ms,
            last_heartbeat,
            still_running,
            refused_after_crash,
            cache_refresh_ms,
        } => {
            let tail = match (still_running, refused_after_crash) {
                (true, _) => "; it is still running: its heartbeats are not arriving".to_string(),
                (false, 0) => "; no request reached it after it crashed".to_string(),
                (false, 1) => {
                    "; 1 request was sent to it after it crashed, and refused".to_string()
                }
                (false, n) => {
                    format!("; {n} requests were sent to it after it crashed, all refused")
                }
            };
            let cache = cache_refresh_ms.map_or(String::new(), |ms| {
                format!(
                    "; balancers drop it when their discovery cache next refreshes (every {} s)",
                    secs(ms)
                )
            });
            format!(
                "registry expired {}: no heartbeat for {} s (last at {last_heartbeat}){tail}{cache}",
                addr(*instance),
                secs(*ttl_ms)
            )
        }
        Notice::UpstreamsChanged {
            service,
            removed,
            added,
            left,
        } => {
            let list = |v: &[InstanceId]| v.iter().map(|i| addr(*i)).collect::<Vec<_>>().join(", ");
            let mut parts = Vec::new();
            if !removed.is_empty() {
                parts.push(format!("stopped sending to {}", list(removed)));
            }
            if !added.is_empty() {
                parts.push(format!("started sending to {}", list(added)));
            }
            let left = match left {
                0 => "no upstream left: requests get 503 no healthy upstream".to_string(),
                1 => "1 upstream left".to_string(),
                n => format!("{n} upstreams left"),
            };
            format!(
                "load balancer for {} refreshed its discovery cache: {}; {left}",
                names.service(*service),
                parts.join(" and ")
            )
        }
        Notice::MarkedUnhealthy {
            instance,
            failed_checks,
            interval_ms,
            timeout_ms,
        } => format!(
            "health checker marked {} unhealthy after {failed_checks} failed checks ({} s apart, {} s timeout); the balancer stops sending to it",
            addr(*instance),
            secs(*interval_ms),
            secs(*timeout_ms)
        ),
        Notice::MarkedHealthy {
            instance,
            passed_checks,
        } => format!(
            "health checker marked {} healthy again after {passed_checks} passed checks",
            addr(*instance)
        ),
        Notice::Ejected {
            instance,
            consecutive_5xx,
            for_ms,
            nth,
        } => format!(
            "outlier detection ejected {} after {consecutive_5xx} consecutive 5xx: out of rotation for {} s (ejection #{nth})",
            addr(*instance),
            for_ms / 1_000
        ),
        Notice::Unejected { instance } => format!(
            "{} is back in rotation after its ejection",
            addr(*instance)
        ),
        Notice::BackupPromoted {
            backup,
            failed,
            boot_ms,
        } => format!(
            "failover: promoting backup {} to replace {}; it needs {} s to boot",
            addr(*backup),
            addr(*failed),
            secs(*boot_ms)
        ),
        Notice::RecoveryFailed {
            instance,
            attempt,
            of,
            retry_in_ms,
        } => format!(
            "recovery attempt {attempt} of {of} for {} failed (its fault is still active); next try in {} s",
            addr(*instance),
            retry_in_ms / 1_000
        ),
        Notice::RecoveryGaveUp { instance, attempts } => format!(
            "failover manager gave up recovering {} after {attempts} attempts; it needs an operator",
            addr(*instance)
        ),
        Notice::Failback { primary, backup } => format!(
            "failback: {} recovered, so backup {} was deregistered and returned to the pool",
            addr(*primary),
            addr(*backup)
        ),
        Notice::FaultStarted {
            target,
            fault: kind,
            duration_ms,
        } => {
            let how_long = duration_ms.map_or(String::new(), |d| format!(" for {} s", secs(d)));
            format!(
                "fault injected on {}: {}{how_long}",
                on(*target),
                fault(kind)
            )
        }
        Notice::FaultEnded {
            target,
            fault: kind,
        } => format!("fault on {} ended: {}", on(*target), fault(kind)),
        Notice::FaultsCleared { target } => format!(
            "{} recovered by an operator: its faults were cleared",
            on(*target)
        ),
        Notice::ConnectionsRefused {
            instance,
            still_registered,
        } => {
            let why = if *still_registered {
                " (the balancer still routes to it: the registry lists it until its TTL runs out)"
            } else {
                " (the balancer's discovery cache still lists it)"
            };
            format!(
                "requests to {} fail with 502: connection refused{why}",
                addr(*instance)
            )
        }
        Notice::BreakerChanged {
            caller,
            instance,
            to,
            open_for_ms,
        } => {
            let who = caller.map_or("gateway".to_string(), addr);
            let upstream = addr(*instance);
            match to {
                BreakerState::Open => format!(
                    "circuit breaker {who} → {upstream} opened: calls fail fast with 503 for {} s, then a few trial calls go through",
                    secs(*open_for_ms)
                ),
                BreakerState::HalfOpen => format!(
                    "circuit breaker {who} → {upstream} is half-open: letting trial calls through"
                ),
                BreakerState::Closed => {
                    format!("circuit breaker {who} → {upstream} closed: trial calls succeeded")
                }
            }
        }
        Notice::BacklogBuilding { queue, depth } => format!(
            "{} holds {depth} messages: its consumers fall behind, and the oldest waits longer (consumer lag)",
            subscription(*queue, names)
        ),
        Notice::BacklogDrained { queue } => format!(
            "the backlog of {} has drained: every message waiting has been delivered",
            subscription(*queue, names)
        ),
        Notice::DeadLettered {
            queue,
            message,
            deliveries,
        } => format!(
            "message {message} of {} went to the dead-letter queue after {deliveries} deliveries without an acknowledgement",
            subscription(*queue, names)
        ),
        Notice::BrokerFault {
            broker,
            kind,
            on: true,
        } => {
            let what = match kind {
                ActionKind::Crash => "crashed: publishes are refused and nothing is delivered; its messages are kept",
                _ => "stopped answering: publishes wait for an acknowledgement that does not come, and nothing is delivered",
            };
            format!("broker {} {what}", names.broker(*broker))
        }
        Notice::BrokerFault { broker, .. } => format!(
            "broker {} is back: publishes are acknowledged and deliveries resume",
            names.broker(*broker)
        ),
        Notice::QueueAction {
            queue,
            kind: ActionKind::Purge,
            dropped,
        } => format!("{} was purged: {dropped} waiting messages dropped", names.queue(*queue)),
        Notice::QueueAction {
            queue,
            kind: ActionKind::PauseConsumers,
            ..
        } => format!(
            "the consumers of {} are paused: messages wait until they resume",
            names.queue(*queue)
        ),
        Notice::QueueAction { queue, .. } => {
            format!("the consumers of {} resume", names.queue(*queue))
        }
        Notice::PanicMode {
            service,
            on: true,
            healthy,
            listed,
            threshold_pct,
        } => format!(
            "load balancer for {} is in panic mode: only {healthy} of {listed} listed instances are healthy (below {} %), so it routes to all of them",
            names.service(*service),
            Dec(*threshold_pct)
        ),
        Notice::PanicMode { service, .. } => format!(
            "load balancer for {} left panic mode",
            names.service(*service)
        ),
        Notice::DataNodeFailed {
            node,
            under_replicated,
            repair_per_s,
        } => format!(
            "data node {} failed: {under_replicated} keys lost a replica; reads fall back to the next replica, and repair copies {repair_per_s} keys per second onto the next nodes of the ring",
            names.data_node(*node)
        ),
        Notice::DataNodeRecovered { node } => format!(
            "data node {} recovered with the copies it had",
            names.data_node(*node)
        ),
        Notice::DataMembership {
            node,
            joined,
            primaries_moved,
            keys,
            members,
            copies_moved,
        } => {
            let what = if *joined {
                format!("joined: it took over {primaries_moved} of {keys} keys as primary")
            } else {
                format!("left the ring: {primaries_moved} of {keys} keys changed primary")
            };
            let pct = 100.0 * *primaries_moved as f64 / (*keys).max(1) as f64;
            format!(
                "data node {} {what} ({pct:.1} %, ideal 1/{members} = {:.1} %); {copies_moved} copies moved",
                names.data_node(*node),
                Dec(100.0 / f64::from((*members).max(1))),
                pct = Dec(pct)
            )
        }
        Notice::Repaired => {
            "repair finished: every key has its full set of replicas again".to_string()
        }
        Notice::AlertChanged {
            alert, to, value, ..
        } => {
            let Some((rule, t)) = names.alert(*alert) else {
                return format!("alert {alert} is {}", to.label());
            };
            let on = target(t, names);
            let is = value.map_or("has no data".to_string(), |v| {
                format!("is {}", metric(rule.metric, v))
            });
            let cond = match rule.condition {
                Condition::Above => "above",
                Condition::Below => "below",
            };
            let threshold = metric(rule.metric, rule.threshold);
            let (name, key) = (&rule.name, rule.metric.key());
            match to {
                AlertState::Pending => format!(
                    "alert {name} on {on} pending: {key} {is}, {cond} {threshold}; fires if it stays so for {} s",
                    secs(rule.for_ms)
                ),
                AlertState::Firing => {
                    format!("alert {name} on {on} FIRING: {key} {is}, {cond} {threshold}")
                }
                AlertState::Resolved => format!("alert {name} on {on} resolved: {key} {is}"),
                AlertState::Inactive => format!("alert {name} on {on} inactive"),
            }
        }
        Notice::TimelineSkipped {
            action,
            target,
            reason,
        } => format!(
            "timeline: {} on {} skipped: {}",
            fault(action),
            action_target(target, names),
            super::command_error(reason, names)
        ),
        Notice::StrategyChanged { service, strategy } => format!(
            "load balancer for {} now uses {}",
            names.service(*service),
            strategy.label()
        ),
        Notice::WeightChanged { instance, weight } => {
            format!("{} now has weight {weight}", addr(*instance))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::notice;
    use crate::common::Severity;
    use crate::common::{InstanceId, ServiceId};
    use crate::mechanisms::action::ActionKind;
    use crate::mechanisms::action::ActionTarget;
    use crate::mechanisms::alerts::AlertState;
    use crate::mechanisms::balancer::Strategy;
    use crate::mechanisms::breaker::BreakerState;
    use crate::mechanisms::replication::ReplicationError;
    use crate::present::test_names::Table;
    use crate::sim::notice::{Notice, StartedBy};
    use crate::sim::CommandError;
    use crate::time::SimTime;
    use expect_test::{expect, Expect};

    /// Renders `n` with the test table, prefixed by its kind and severity.
    fn check(n: Notice, expected: Expect) {
        let line = format!(
            "[{} {}] {}",
            n.kind(),
            n.severity().label(),
            notice(&n, &Table::new())
        );
        expected.assert_eq(&line);
    }

    const I1: InstanceId = InstanceId(1);
    const I2: InstanceId = InstanceId(2);
    const S0: ServiceId = ServiceId(0);

    #[test]
    fn process_lifecycle() {
        check(
            Notice::InstanceCrashed {
                instance: I1,
                requests_lost: 0,
                listed_until: None,
            },
            expect!["[instance_crashed critical] 10.0.0.1:8080 crashed: no request was in it; it stops heart-beating"],
        );
        check(
            Notice::InstanceCrashed {
                instance: I1,
                requests_lost: 1,
                listed_until: Some(SimTime::from_secs(42)),
            },
            expect!["[instance_crashed critical] 10.0.0.1:8080 crashed: the 1 request in it was reset (502); it stops heart-beating; the registry keeps listing it until its TTL runs out at 00:42.000 unless a heartbeat arrives"],
        );
        check(
            Notice::InstanceCrashed {
                instance: I1,
                requests_lost: 7,
                listed_until: None,
            },
            expect!["[instance_crashed critical] 10.0.0.1:8080 crashed: the 7 requests in it were reset (502); it stops heart-beating"],
        );
        for by in [
            StartedBy::Operator,
            StartedBy::OperatorRecover,
            StartedBy::BackupPool,
            StartedBy::MachineBack,
        ] {
            let n = Notice::InstanceStarted {
                instance: I1,
                by,
                boot_ms: 0,
            };
            assert!(!notice(&n, &Table::new()).contains("booting"));
        }
        check(
            Notice::InstanceStarted {
                instance: I1,
                by: StartedBy::Operator,
                boot_ms: 0,
            },
            expect!["[instance_restarted info] 10.0.0.1:8080 restarted by an operator"],
        );
        check(
            Notice::InstanceStarted {
                instance: I1,
                by: StartedBy::OperatorRecover,
                boot_ms: 0,
            },
            expect!["[instance_restarted info] 10.0.0.1:8080 recovered by an operator"],
        );
        check(
            Notice::InstanceStarted {
                instance: I2,
                by: StartedBy::BackupPool,
                boot_ms: 2_500,
            },
            expect!["[instance_restarted info] 10.0.0.2:8080 started from the backup pool; it serves after booting for 2.5 s"],
        );
        check(
            Notice::InstanceStarted {
                instance: I1,
                by: StartedBy::FailoverManager { attempt: 2, of: 3 },
                boot_ms: 1_000,
            },
            expect!["[instance_restarted info] 10.0.0.1:8080 restarted by the failover manager (attempt 2 of 3); it serves after booting for 1 s"],
        );
        check(
            Notice::InstanceStarted {
                instance: I1,
                by: StartedBy::MachineBack,
                boot_ms: 0,
            },
            expect!["[instance_restarted info] 10.0.0.1:8080 came back: its machine is up again"],
        );
        check(
            Notice::InstanceReady { instance: I1 },
            expect!["[instance_ready info] 10.0.0.1:8080 is up and serving"],
        );
    }

    #[test]
    fn registry_and_discovery() {
        check(
            Notice::Registered {
                instance: I1,
                service: S0,
            },
            expect!["[registered info] 10.0.0.1:8080 registered as user-service"],
        );
        check(
            Notice::Expired {
                instance: I1,
                ttl_ms: 30_000,
                last_heartbeat: SimTime::from_ms(12_000),
                still_running: true,
                refused_after_crash: 0,
                cache_refresh_ms: None,
            },
            expect!["[expired warning] registry expired 10.0.0.1:8080: no heartbeat for 30 s (last at 00:12.000); it is still running: its heartbeats are not arriving"],
        );
        check(
            Notice::Expired {
                instance: I1,
                ttl_ms: 30_000,
                last_heartbeat: SimTime::from_ms(12_000),
                still_running: false,
                refused_after_crash: 0,
                cache_refresh_ms: Some(5_000),
            },
            expect!["[expired warning] registry expired 10.0.0.1:8080: no heartbeat for 30 s (last at 00:12.000); no request reached it after it crashed; balancers drop it when their discovery cache next refreshes (every 5 s)"],
        );
        check(
            Notice::Expired {
                instance: I1,
                ttl_ms: 30_000,
                last_heartbeat: SimTime::from_ms(12_000),
                still_running: false,
                refused_after_crash: 1,
                cache_refresh_ms: None,
            },
            expect!["[expired warning] registry expired 10.0.0.1:8080: no heartbeat for 30 s (last at 00:12.000); 1 request was sent to it after it crashed, and refused"],
        );
        check(
            Notice::Expired {
                instance: I1,
                ttl_ms: 30_000,
                last_heartbeat: SimTime::from_ms(12_000),
                still_running: false,
                refused_after_crash: 14,
                cache_refresh_ms: None,
            },
            expect!["[expired warning] registry expired 10.0.0.1:8080: no heartbeat for 30 s (last at 00:12.000); 14 requests were sent to it after it crashed, all refused"],
        );
        check(
            Notice::UpstreamsChanged {
                service: S0,
                removed: vec![I1],
                added: vec![],
                left: 1,
            },
            expect!["[upstreams_changed warning] load balancer for user-service refreshed its discovery cache: stopped sending to 10.0.0.1:8080; 1 upstream left"],
        );
        check(
            Notice::UpstreamsChanged {
                service: S0,
                removed: vec![],
                added: vec![I1, I2],
                left: 3,
            },
            expect!["[upstreams_changed info] load balancer for user-service refreshed its discovery cache: started sending to 10.0.0.1:8080, 10.0.0.2:8080; 3 upstreams left"],
        );
        check(
            Notice::UpstreamsChanged {
                service: S0,
                removed: vec![I1, I2],
                added: vec![],
                left: 0,
            },
            expect!["[upstreams_changed critical] load balancer for user-service refreshed its discovery cache: stopped sending to 10.0.0.1:8080, 10.0.0.2:8080; no upstream left: requests get 503 no healthy upstream"],
        );
        check(
            Notice::ConnectionsRefused {
                instance: I1,
                still_registered: true,
            },
            expect!["[connections_refused warning] requests to 10.0.0.1:8080 fail with 502: connection refused (the balancer still routes to it: the registry lists it until its TTL runs out)"],
        );
        check(
            Notice::ConnectionsRefused {
                instance: I1,
                still_registered: false,
            },
            expect!["[connections_refused warning] requests to 10.0.0.1:8080 fail with 502: connection refused (the balancer's discovery cache still lists it)"],
        );
    }

    #[test]
    fn health_ejection_and_failover() {
        check(
            Notice::MarkedUnhealthy {
                instance: I1,
                failed_checks: 3,
                interval_ms: 2_000,
                timeout_ms: 500,
            },
            expect!["[health_changed critical] health checker marked 10.0.0.1:8080 unhealthy after 3 failed checks (2 s apart, 0.5 s timeout); the balancer stops sending to it"],
        );
        check(
            Notice::MarkedHealthy {
                instance: I1,
                passed_checks: 2,
            },
            expect!["[health_changed info] health checker marked 10.0.0.1:8080 healthy again after 2 passed checks"],
        );
        check(
            Notice::Ejected {
                instance: I1,
                consecutive_5xx: 5,
                for_ms: 30_000,
                nth: 2,
            },
            expect!["[ejected warning] outlier detection ejected 10.0.0.1:8080 after 5 consecutive 5xx: out of rotation for 30 s (ejection #2)"],
        );
        check(
            Notice::Unejected { instance: I1 },
            expect!["[unejected info] 10.0.0.1:8080 is back in rotation after its ejection"],
        );
        check(
            Notice::BackupPromoted {
                backup: I2,
                failed: I1,
                boot_ms: 3_000,
            },
            expect!["[backup_promoted warning] failover: promoting backup 10.0.0.2:8080 to replace 10.0.0.1:8080; it needs 3 s to boot"],
        );
        check(
            Notice::RecoveryFailed {
                instance: I1,
                attempt: 1,
                of: 3,
                retry_in_ms: 5_000,
            },
            expect!["[recovery_attempt warning] recovery attempt 1 of 3 for 10.0.0.1:8080 failed (its fault is still active); next try in 5 s"],
        );
        check(
            Notice::RecoveryGaveUp {
                instance: I1,
                attempts: 3,
            },
            expect!["[recovery_gave_up critical] failover manager gave up recovering 10.0.0.1:8080 after 3 attempts; it needs an operator"],
        );
        check(
            Notice::Failback {
                primary: I1,
                backup: I2,
            },
            expect!["[failback info] failback: 10.0.0.1:8080 recovered, so backup 10.0.0.2:8080 was deregistered and returned to the pool"],
        );
        check(
            Notice::PanicMode {
                service: S0,
                on: true,
                healthy: 1,
                listed: 4,
                threshold_pct: 50.0,
            },
            expect!["[panic_mode critical] load balancer for user-service is in panic mode: only 1 of 4 listed instances are healthy (below 50 %), so it routes to all of them"],
        );
        check(
            Notice::PanicMode {
                service: S0,
                on: false,
                healthy: 3,
                listed: 4,
                threshold_pct: 50.0,
            },
            expect!["[panic_mode info] load balancer for user-service left panic mode"],
        );
    }

    #[test]
    fn breakers() {
        check(
            Notice::BreakerChanged {
                caller: None,
                instance: I1,
                to: BreakerState::Open,
                open_for_ms: 10_000,
            },
            expect!["[breaker_changed warning] circuit breaker gateway → 10.0.0.1:8080 opened: calls fail fast with 503 for 10 s, then a few trial calls go through"],
        );
        check(
            Notice::BreakerChanged {
                caller: Some(I2),
                instance: I1,
                to: BreakerState::HalfOpen,
                open_for_ms: 10_000,
            },
            expect!["[breaker_changed info] circuit breaker 10.0.0.2:8080 → 10.0.0.1:8080 is half-open: letting trial calls through"],
        );
        check(
            Notice::BreakerChanged {
                caller: Some(I2),
                instance: I1,
                to: BreakerState::Closed,
                open_for_ms: 10_000,
            },
            expect!["[breaker_changed info] circuit breaker 10.0.0.2:8080 → 10.0.0.1:8080 closed: trial calls succeeded"],
        );
    }

    #[test]
    fn faults_and_operator_actions() {
        check(
            Notice::FaultStarted {
                target: Some(I1),
                fault: ActionKind::Slow { factor: 10.0 },
                duration_ms: Some(20_000),
            },
            expect!["[fault_started warning] fault injected on 10.0.0.1:8080: slow: latency ×10 for 20 s"],
        );
        check(
            Notice::FaultStarted {
                target: None,
                fault: ActionKind::TrafficSpike { factor: 3.0 },
                duration_ms: None,
            },
            expect!["[fault_started warning] fault injected on the cluster: traffic spike ×3"],
        );
        check(
            Notice::FaultEnded {
                target: Some(I1),
                fault: ActionKind::ErrorRate { rate: 0.5 },
            },
            expect!["[fault_ended info] fault on 10.0.0.1:8080 ended: error rate 50 %"],
        );
        check(
            Notice::FaultsCleared { target: Some(I1) },
            expect![
                "[recovered info] 10.0.0.1:8080 recovered by an operator: its faults were cleared"
            ],
        );
        check(
            Notice::StrategyChanged {
                service: S0,
                strategy: Strategy::LeastConnections,
            },
            expect![
                "[strategy_changed info] load balancer for user-service now uses least connections"
            ],
        );
        check(
            Notice::WeightChanged {
                instance: I1,
                weight: 300,
            },
            expect!["[weight_changed info] 10.0.0.1:8080 now has weight 300"],
        );
        check(
            Notice::TimelineSkipped {
                action: ActionKind::DataNodeFail,
                target: ActionTarget::DataNode("node-2".into()),
                reason: CommandError::Data(ReplicationError::AlreadyDown("node-2".into())),
            },
            expect!["[timeline_skipped info] timeline: data node fails on node-2 skipped: data node node-2 is already down"],
        );
        check(
            Notice::TimelineSkipped {
                action: ActionKind::DataNodeLeave,
                target: ActionTarget::DataNode("node-9".into()),
                reason: CommandError::Data(ReplicationError::UnknownNode("node-9".into())),
            },
            expect![[
                r#"[timeline_skipped info] timeline: data node leaves on node-9 skipped: no data node "node-9""#
            ]],
        );
        check(
            Notice::TimelineSkipped {
                action: ActionKind::Restart,
                target: ActionTarget::Instance(I1),
                reason: CommandError::AlreadyUp(I1),
            },
            expect!["[timeline_skipped info] timeline: restart on 10.0.0.1:8080 skipped: 10.0.0.1:8080 is already running"],
        );
    }

    #[test]
    fn messaging() {
        use crate::common::{BrokerId, QueueId, SubscriptionId};
        check(
            Notice::BacklogBuilding {
                queue: SubscriptionId(0),
                depth: 100,
            },
            expect!["[backlog_building warning] email-queue holds 100 messages: its consumers fall behind, and the oldest waits longer (consumer lag)"],
        );
        check(
            Notice::BacklogDrained {
                queue: SubscriptionId(1),
            },
            expect!["[backlog_drained info] the backlog of order.created for user-service has drained: every message waiting has been delivered"],
        );
        check(
            Notice::DeadLettered {
                queue: SubscriptionId(0),
                message: 4_711,
                deliveries: 3,
            },
            expect!["[dead_lettered warning] message 4711 of email-queue went to the dead-letter queue after 3 deliveries without an acknowledgement"],
        );
        check(
            Notice::BrokerFault {
                broker: BrokerId(0),
                kind: ActionKind::Crash,
                on: true,
            },
            expect!["[broker_fault critical] broker broker-1 crashed: publishes are refused and nothing is delivered; its messages are kept"],
        );
        check(
            Notice::BrokerFault {
                broker: BrokerId(0),
                kind: ActionKind::Hang,
                on: true,
            },
            expect!["[broker_fault critical] broker broker-1 stopped answering: publishes wait for an acknowledgement that does not come, and nothing is delivered"],
        );
        check(
            Notice::BrokerFault {
                broker: BrokerId(0),
                kind: ActionKind::Hang,
                on: false,
            },
            expect!["[broker_fault info] broker broker-1 is back: publishes are acknowledged and deliveries resume"],
        );
        check(
            Notice::QueueAction {
                queue: QueueId(0),
                kind: ActionKind::Purge,
                dropped: 1_200,
            },
            expect!["[queue_action warning] email-queue was purged: 1200 waiting messages dropped"],
        );
        check(
            Notice::QueueAction {
                queue: QueueId(1),
                kind: ActionKind::PauseConsumers,
                dropped: 0,
            },
            expect!["[queue_action warning] the consumers of order.created are paused: messages wait until they resume"],
        );
    }

    #[test]
    fn data_ring() {
        check(
            Notice::DataNodeFailed {
                node: 1,
                under_replicated: 312,
                repair_per_s: 50,
            },
            expect!["[data_node_failed critical] data node node-2 failed: 312 keys lost a replica; reads fall back to the next replica, and repair copies 50 keys per second onto the next nodes of the ring"],
        );
        check(
            Notice::DataNodeRecovered { node: 1 },
            expect!["[data_node_recovered info] data node node-2 recovered with the copies it had"],
        );
        check(
            Notice::DataMembership {
                node: 4,
                joined: true,
                primaries_moved: 190,
                keys: 1_000,
                members: 5,
                copies_moved: 577,
            },
            expect!["[data_membership info] data node node-5 joined: it took over 190 of 1000 keys as primary (19.0 %, ideal 1/5 = 20.0 %); 577 copies moved"],
        );
        check(
            Notice::DataMembership {
                node: 0,
                joined: false,
                primaries_moved: 260,
                keys: 1_000,
                members: 4,
                copies_moved: 801,
            },
            expect!["[data_membership info] data node node-1 left the ring: 260 of 1000 keys changed primary (26.0 %, ideal 1/4 = 25.0 %); 801 copies moved"],
        );
        check(
            Notice::Repaired,
            expect![
                "[repaired info] repair finished: every key has its full set of replicas again"
            ],
        );
    }

    #[test]
    fn alerts() {
        check(
            Notice::AlertChanged {
                alert: 0,
                to: AlertState::Pending,
                value: Some(0.083),
                rule_severity: Severity::Critical,
            },
            expect!["[alert warning] alert HighErrorRate on user-service pending: error_rate is 8.3 %, above 5.0 %; fires if it stays so for 10 s"],
        );
        check(
            Notice::AlertChanged {
                alert: 0,
                to: AlertState::Firing,
                value: Some(0.125),
                rule_severity: Severity::Critical,
            },
            expect!["[alert critical] alert HighErrorRate on user-service FIRING: error_rate is 12.5 %, above 5.0 %"],
        );
        check(
            Notice::AlertChanged {
                alert: 0,
                to: AlertState::Resolved,
                value: None,
                rule_severity: Severity::Critical,
            },
            expect![
                "[alert info] alert HighErrorRate on user-service resolved: error_rate has no data"
            ],
        );
        check(
            Notice::AlertChanged {
                alert: 0,
                to: AlertState::Firing,
                value: Some(0.2),
                rule_severity: Severity::Warning,
            },
            expect!["[alert warning] alert HighErrorRate on user-service FIRING: error_rate is 20.0 %, above 5.0 %"],
        );
    }
}
