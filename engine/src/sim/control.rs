//! The control plane: process lifecycle, registry and discovery, health checks, outlier
//! ejection, failover, faults, metrics and alerts.

use super::{ActiveFault, Pending, Process, Simulation, METRICS_TICK_US};
use crate::common::Role;
use crate::common::{InstanceId, ServiceId};
use crate::mechanisms::action::{ActionKind, FaultState};
use crate::mechanisms::alerts::{AlertEngine, AlertMetric, AlertRule, Scope, Target};
use crate::mechanisms::balancer::LoadReport;
use crate::mechanisms::breaker::BreakerState;
use crate::mechanisms::health::{HealthChange, HealthState};
use crate::mechanisms::metrics::Gauges;
use crate::mechanisms::registry::RegistryEvent;
use crate::scenario::config::ClusterConfig;
use crate::sim::event::Event;
use crate::sim::notice::{Notice, StartedBy};
use crate::time::SimTime;

/// Recovery attempts the failover manager makes (seed `_try_recover`: `max_attempts = 3`).
pub const RECOVERY_ATTEMPTS: u32 = 3;
/// Back-off unit between recovery attempts, µs (seed: `sleep(5 * attempt)` s).
pub const RECOVERY_BACKOFF_US: u64 = 5_000_000;

pub(super) fn build_alerts(cfg: &ClusterConfig, rules: Vec<AlertRule>) -> AlertEngine {
    let services: Vec<ServiceId> = (0..cfg.services.len()).map(ServiceId::from).collect();
    let instances: Vec<(InstanceId, &str)> = cfg
        .services
        .iter()
        .flat_map(|s| s.instances.iter())
        .enumerate()
        .map(|(i, c)| (InstanceId::from(i), c.address.as_str()))
        .collect();
    AlertEngine::new(rules, |r| {
        match &r.scope {
        Scope::EachService => services.iter().map(|s| Target::Service(*s)).collect(),
        Scope::EachInstance => instances
            .iter()
            .map(|(i, _)| Target::Instance(*i))
            .collect(),
        Scope::Service(n) => cfg
            .services
            .iter()
            .position(|s| &s.name == n)
            .map(|s| vec![Target::Service(ServiceId::from(s))])
            .unwrap_or_default(),
        Scope::Instance(a) => instances
            .iter()
            .filter(|(_, addr)| addr == a)
            .map(|(i, _)| Target::Instance(*i))
            .collect(),
        Scope::Data => vec![Target::Data],
        Scope::EachQueue | Scope::Queue(_) => cfg
            .messaging
            .iter()
            .flat_map(|m| {
                m.subscriptions().into_iter()
                    .filter(|(_, qi, _)| !matches!(&r.scope, Scope::Queue(n) if *n != m.queues[*qi].name))
                    .map(|(sub, ..)| Target::Subscription(sub))
            })
            .collect(),
    }
    })
}

impl Simulation {
    /// Time 0: register primaries, start heartbeats, caches, health checks, metrics, the
    /// fault timeline and traffic.
    pub(super) fn start(&mut self) {
        let interval_us = self.cfg.registry.heartbeat_interval_ms * 1_000;
        for i in 0..self.instances.len() {
            let id = InstanceId::from(i);
            if self.instances[id].process != Process::Running {
                continue;
            }
            self.register(id);
            // Stagger heartbeats so instances do not beat in lockstep.
            let first = self.rng.below(interval_us).max(1);
            self.queue.push(
                SimTime(first),
                Pending::Heartbeat {
                    instance: id,
                    incarnation: 0,
                },
            );
        }
        self.registry.drain(self.watcher);
        let ttl = self.cfg.discovery.cache_ttl_ms * 1_000;
        for s in 0..self.cfg.services.len() {
            let service = ServiceId::from(s);
            self.refresh_cache(service);
            self.queue
                .push(SimTime(ttl), Pending::CacheRefresh { service });
        }
        for id in self.instances.keys() {
            let svc = self.instances[id].service;
            if let Some(h) = self.cfg.services[svc.index()].health_check {
                let first = self.rng.below(h.interval_ms * 1_000).max(1);
                self.queue
                    .push(SimTime(first), Pending::HealthCheck { instance: id });
            }
        }
        // The timeline's actions are not queued: `Simulation::step` takes them in order beside
        // the queue, after the items scheduled so far and before every later one at the same
        // µs, which is where queuing them here put them. So an action can be added to a
        // running simulation (`Simulation::schedule`) exactly as if it had been there from 0.
        self.timeline.seq = self.queue.next_seq();
        self.schedule_next_arrival();
        self.queue
            .push(SimTime(METRICS_TICK_US), Pending::MetricsTick);
        self.start_data();
        self.start_messaging();
    }

    // ---- process lifecycle ------------------------------------------------------------

    pub(super) fn crash(&mut self, id: InstanceId) {
        let now = self.now;
        {
            let inst = &mut self.instances[id];
            inst.process = Process::Stopped;
            inst.incarnation += 1;
            inst.crashed_at = Some(now);
            inst.refused_since_crash = 0;
        }
        let lost = self.drop_jobs(id);
        self.consumer_crashed(id);
        self.record(Event::InstanceCrashed {
            instance: id,
            requests_lost: lost,
        });
        let listed_until = self.registry.expires_at(id);
        self.post(Notice::InstanceCrashed {
            instance: id,
            requests_lost: lost,
            listed_until,
        });
    }

    /// Starts `id`'s process; it serves and registers after its boot time.
    pub(super) fn start_process(&mut self, id: InstanceId, by: StartedBy) {
        let boot_us = self.instance_config(id).boot_time_ms * 1_000;
        let incarnation = {
            let inst = &mut self.instances[id];
            inst.process = Process::Booting;
            inst.incarnation += 1;
            inst.busy = 0;
            inst.queue.clear();
            inst.incarnation
        };
        self.record(Event::InstanceRestarted { instance: id });
        self.post(Notice::InstanceStarted {
            instance: id,
            by,
            boot_ms: boot_us / 1_000,
        });
        self.queue.push(
            self.now.plus_us(boot_us),
            Pending::BootDone {
                instance: id,
                incarnation,
            },
        );
    }

    pub(super) fn boot_done(&mut self, id: InstanceId, incarnation: u32) {
        let inst = &mut self.instances[id];
        if inst.incarnation != incarnation || inst.process != Process::Booting {
            return;
        }
        inst.process = Process::Running;
        inst.crashed_at = None;
        inst.health = HealthState::default();
        inst.consecutive_5xx = 0;
        let svc = inst.service;
        self.record(Event::InstanceReady { instance: id });
        self.heartbeat(id);
        // The failover manager adds a started instance to the balancer itself (seed
        // `load_balancer.add_server`), without waiting for the discovery cache.
        let members = &mut self.caches[svc].members;
        if self.registry.is_registered(id) && !members.contains(&id) {
            // In id order, inserted at its place (no sort of its own in the wasm).
            let at = members.partition_point(|m| *m < id);
            members.insert(at, id);
            let upstreams = members.clone();
            self.record(Event::UpstreamsChanged {
                service: svc,
                upstreams,
            });
        }
        let interval = self.cfg.registry.heartbeat_interval_ms * 1_000;
        self.queue.push(
            self.now.plus_us(interval),
            Pending::Heartbeat {
                instance: id,
                incarnation,
            },
        );
        self.post(Notice::InstanceReady { instance: id });
        self.health_view_changed(svc);
        self.maybe_failback(id);
    }

    // ---- registry and discovery ---------------------------------------------------------

    pub(super) fn on_heartbeat_timer(&mut self, id: InstanceId, incarnation: u32) {
        let inst = &self.instances[id];
        if !inst.up() || inst.incarnation != incarnation {
            return;
        }
        if !inst.faults.heartbeats_lost {
            self.heartbeat(id);
        }
        let interval = self.cfg.registry.heartbeat_interval_ms * 1_000;
        self.queue.push(
            self.now.plus_us(interval),
            Pending::Heartbeat {
                instance: id,
                incarnation,
            },
        );
    }

    fn register(&mut self, id: InstanceId) {
        let service = self.instances[id].service;
        let (name, address) = {
            let svc = &self.cfg.services[service.index()];
            (svc.name.clone(), self.address(id).to_string())
        };
        if self
            .registry
            .register(id, &name, &address, self.now)
            .is_ok()
        {
            self.instances[id].last_heartbeat = Some(self.now);
            self.record(Event::Registered { instance: id });
            self.post(Notice::Registered {
                instance: id,
                service,
            });
            self.schedule_ttl_check(id);
            self.watch_changed();
        }
    }

    /// A heartbeat from `id`: renews its registration, or registers it again if it expired.
    fn heartbeat(&mut self, id: InstanceId) {
        if self.registry.heartbeat(id, self.now).is_ok() {
            self.instances[id].last_heartbeat = Some(self.now);
            self.record(Event::Heartbeat { instance: id });
            self.schedule_ttl_check(id);
        } else {
            self.register(id);
        }
    }

    fn schedule_ttl_check(&mut self, id: InstanceId) {
        if let Some(at) = self.registry.expires_at(id) {
            self.queue.push(at, Pending::TtlCheck { instance: id });
        }
    }

    pub(super) fn on_ttl_check(&mut self, instance: InstanceId) {
        let Some(RegistryEvent::Expired { last_heartbeat, .. }) =
            self.registry.expire_if_due(instance, self.now)
        else {
            return;
        };
        self.record(Event::Expired {
            instance,
            last_heartbeat,
        });
        let inst = &self.instances[instance];
        let notice = Notice::Expired {
            instance,
            ttl_ms: self.cfg.registry.heartbeat_timeout_ms,
            last_heartbeat,
            still_running: inst.up(),
            refused_after_crash: inst.refused_since_crash,
            cache_refresh_ms: (!self.cfg.discovery.watch)
                .then_some(self.cfg.discovery.cache_ttl_ms),
        };
        self.post(notice);
        self.watch_changed();
    }

    /// The registry changed: with watches on, affected caches refresh at once.
    fn watch_changed(&mut self) {
        let events = self.registry.drain(self.watcher);
        if !self.cfg.discovery.watch || self.now == SimTime::ZERO {
            return;
        }
        // One flag per service, refreshed in config order, each once.
        let mut changed = vec![false; self.cfg.services.len()];
        for ev in &events {
            if let Some(s) = self
                .cfg
                .services
                .iter()
                .position(|s| s.name == ev.service())
            {
                changed[s] = true;
            }
        }
        for (s, _) in changed.iter().enumerate().filter(|(_, c)| **c) {
            self.refresh_cache(ServiceId::from(s));
        }
    }

    /// The balancer of `s` re-reads the registry.
    pub(super) fn refresh_cache(&mut self, s: ServiceId) {
        let name = self.cfg.services[s.index()].name.clone();
        let new: Vec<InstanceId> = self.registry.discover(&name).to_vec();
        let cache = &mut self.caches[s];
        cache.fetched_at = self.now;
        if new == cache.members {
            return;
        }
        let old = std::mem::replace(&mut cache.members, new.clone());
        self.record(Event::UpstreamsChanged {
            service: s,
            upstreams: new.clone(),
        });
        self.health_view_changed(s);
        if self.now == SimTime::ZERO {
            return; // registrations at start are already in the feed one by one
        }
        let removed: Vec<InstanceId> = old.iter().filter(|i| !new.contains(i)).copied().collect();
        let added: Vec<InstanceId> = new.iter().filter(|i| !old.contains(i)).copied().collect();
        if removed.is_empty() && added.is_empty() {
            return;
        }
        self.post(Notice::UpstreamsChanged {
            service: s,
            removed,
            added,
            left: new.len() as u32,
        });
    }

    // ---- health checks ---------------------------------------------------------------------

    pub(super) fn health_check(&mut self, id: InstanceId) {
        let svc = self.instances[id].service;
        let Some(h) = self.cfg.services[svc.index()].health_check else {
            return;
        };
        self.queue.push(
            self.now.plus_us(h.interval_ms * 1_000),
            Pending::HealthCheck { instance: id },
        );
        // The checker probes what the balancer lists (Envoy checks discovered hosts).
        if !self.caches[svc].members.contains(&id) {
            return;
        }
        self.stats.health_checks += 1;
        let timeout_us = h.timeout_ms * 1_000;
        let inst = &self.instances[id];
        let incarnation = inst.incarnation;
        let (at, passed) = if !inst.up() {
            (0, false) // connection refused at once
        } else if inst.faults.hang || inst.faults.serving_lost {
            (timeout_us, false)
        } else {
            let slow = inst.faults.slow;
            let rate = inst
                .faults
                .error_rate
                .unwrap_or(self.instance_config(id).error_rate);
            let dist = self.instance_config(id).latency;
            let took = (dist.sample_us(&mut self.rng) as f64 * slow) as u64;
            let failed = rate > 0.0 && self.rng.chance(rate);
            if took > timeout_us {
                (timeout_us, false)
            } else {
                (took, !failed)
            }
        };
        self.queue.push(
            self.now.plus_us(at),
            Pending::HealthResult {
                instance: id,
                incarnation,
                passed,
            },
        );
    }

    pub(super) fn health_result(&mut self, id: InstanceId, incarnation: u32, passed: bool) {
        let svc = self.instances[id].service;
        let Some(h) = self.cfg.services[svc.index()].health_check else {
            return;
        };
        if !passed {
            self.stats.health_check_failures += 1;
        }
        // A result about an older process still counts when it failed (the old process is
        // gone); a pass from an older process does not vouch for the new one.
        if passed && self.instances[id].incarnation != incarnation {
            return;
        }
        let change = self.instances[id].health.on_check(passed, &h);
        if !passed {
            let consecutive = self.instances[id].health.failures;
            self.record(Event::HealthCheckFailed {
                instance: id,
                consecutive,
            });
        }
        match change {
            Some(HealthChange::BecameUnhealthy) => {
                self.stats.marked_unhealthy += 1;
                self.record(Event::HealthChanged {
                    instance: id,
                    healthy: false,
                });
                self.post(Notice::MarkedUnhealthy {
                    instance: id,
                    failed_checks: h.unhealthy_threshold,
                    interval_ms: h.interval_ms,
                    timeout_ms: h.timeout_ms,
                });
                self.health_view_changed(svc);
                self.handle_failure(id);
            }
            Some(HealthChange::BecameHealthy) => {
                self.record(Event::HealthChanged {
                    instance: id,
                    healthy: true,
                });
                self.post(Notice::MarkedHealthy {
                    instance: id,
                    passed_checks: h.healthy_threshold,
                });
                self.health_view_changed(svc);
                self.maybe_failback(id);
            }
            None => {}
        }
    }

    pub(super) fn uneject(&mut self, id: InstanceId, nth: u32) {
        let inst = &mut self.instances[id];
        if inst.times_ejected != nth || inst.ejected_until.is_none() {
            return;
        }
        inst.ejected_until = None;
        inst.consecutive_5xx = 0;
        let svc = inst.service;
        self.record(Event::Unejected { instance: id });
        self.post(Notice::Unejected { instance: id });
        self.health_view_changed(svc);
    }

    // ---- failover -----------------------------------------------------------------------------

    /// The seed's `FailoverManager.handle_failure`: the balancer already stopped sending
    /// (unhealthy); promote a backup, then try to recover the failed instance.
    fn handle_failure(&mut self, failed: InstanceId) {
        let svc = self.instances[failed].service;
        if self.instances[failed].replaced_by.is_none() {
            let backup = self.instances.keys().find(|b| {
                let i = &self.instances[*b];
                i.service == svc
                    && i.process == Process::Standby
                    && self.instance_config(*b).role == Role::Backup
            });
            if let Some(b) = backup {
                self.stats.failovers += 1;
                self.instances[failed].replaced_by = Some(b);
                self.instances[b].replacing = Some(failed);
                self.record(Event::BackupPromoted { backup: b, failed });
                let boot_ms = self.instance_config(b).boot_time_ms;
                self.post(Notice::BackupPromoted {
                    backup: b,
                    failed,
                    boot_ms,
                });
                self.start_process(b, StartedBy::BackupPool);
            }
        }
        if self.instances[failed].recovery.is_none() {
            self.try_recover(failed, 1);
        }
    }

    /// The seed's `_try_recover`: attempt `attempt` (1-based) restarts the instance unless a
    /// fault in its environment blocks it; after a failed attempt k the next comes 5·k s later;
    /// after 3 it gives up.
    pub(super) fn try_recover(&mut self, id: InstanceId, attempt: u32) {
        let inst = &self.instances[id];
        if inst.health.healthy && attempt > 1 && inst.up() {
            self.instances[id].recovery = None;
            return; // it came back on its own
        }
        let ok = !inst.faults.blocks_recovery();
        self.instances[id].recovery = Some(attempt);
        self.record(Event::RecoveryAttempt {
            instance: id,
            attempt,
            ok,
        });
        if ok {
            self.stats.recoveries += 1;
            self.instances[id].recovery = None;
            if self.instances[id].up() {
                self.drop_jobs(id);
            }
            self.start_process(
                id,
                StartedBy::FailoverManager {
                    attempt,
                    of: RECOVERY_ATTEMPTS,
                },
            );
            return;
        }
        if attempt >= RECOVERY_ATTEMPTS {
            self.stats.recoveries_given_up += 1;
            self.instances[id].recovery = Some(0);
            self.record(Event::RecoveryGaveUp { instance: id });
            self.post(Notice::RecoveryGaveUp {
                instance: id,
                attempts: RECOVERY_ATTEMPTS,
            });
            return;
        }
        let wait = RECOVERY_BACKOFF_US * attempt as u64;
        self.post(Notice::RecoveryFailed {
            instance: id,
            attempt,
            of: RECOVERY_ATTEMPTS,
            retry_in_ms: wait / 1_000,
        });
        self.queue.push(
            self.now.plus_us(wait),
            Pending::Recovery {
                instance: id,
                attempt: attempt + 1,
            },
        );
    }

    /// `primary` is serving and healthy again: with failback on, the backup that replaced it
    /// goes back to the pool.
    fn maybe_failback(&mut self, primary: InstanceId) {
        let inst = &self.instances[primary];
        if !inst.up() || !inst.health.healthy {
            return;
        }
        let Some(backup) = inst.replaced_by else {
            return;
        };
        let svc = inst.service;
        if !self.cfg.services[svc.index()].failback {
            return;
        }
        self.instances[primary].replaced_by = None;
        self.instances[backup].replacing = None;
        self.stats.failbacks += 1;
        self.record(Event::Failback { backup, primary });
        // Drain: deregister, leave the balancer, stop.
        if self.registry.deregister(backup).is_ok() {
            self.record(Event::Deregistered { instance: backup });
        }
        self.registry.drain(self.watcher);
        let members = &mut self.caches[svc].members;
        if let Some(p) = members.iter().position(|m| *m == backup) {
            members.remove(p);
            let upstreams = members.clone();
            self.record(Event::UpstreamsChanged {
                service: svc,
                upstreams,
            });
        }
        self.drop_jobs(backup);
        {
            let b = &mut self.instances[backup];
            b.process = Process::Standby;
            b.incarnation += 1;
        }
        self.record(Event::InstanceStopped { instance: backup });
        self.post(Notice::Failback { primary, backup });
        self.health_view_changed(svc);
    }

    // ---- faults -----------------------------------------------------------------------------

    pub(super) fn start_fault(
        &mut self,
        target: Option<InstanceId>,
        kind: ActionKind,
        duration_ms: Option<u64>,
    ) {
        let id = self.faults.next;
        self.faults.next += 1;
        self.stats.faults += 1;
        let until = duration_ms.map(|d| self.now.plus_us(d * 1_000));
        self.record(Event::FaultStarted {
            fault: id,
            instance: target,
            kind,
        });
        // Instant actions speak for themselves (the crash and restart posts say what happened).
        let silent = kind.is_instant() || (kind == ActionKind::Crash && duration_ms.is_none());
        if !silent {
            self.post(Notice::FaultStarted {
                target,
                fault: kind,
                duration_ms,
            });
        }
        if let (ActionKind::SetWeight { weight }, Some(t)) = (kind, target) {
            let _ = self.set_weight(t, weight);
            self.record(Event::FaultEnded { fault: id });
            return; // an instant action
        }
        if let (ActionKind::Recover, Some(t)) = (kind, target) {
            self.clear_faults(t);
            let inst = &self.instances[t];
            if matches!(inst.process, Process::Stopped) && !inst.faults.machine_down {
                self.start_process(t, StartedBy::OperatorRecover);
            } else {
                self.post(Notice::FaultsCleared { target });
            }
            self.record(Event::FaultEnded { fault: id });
            return; // an instant action
        }
        if kind == ActionKind::Restart {
            if let Some(t) = target {
                let inst = &self.instances[t];
                if matches!(inst.process, Process::Stopped | Process::Standby)
                    && !inst.faults.machine_down
                {
                    self.start_process(t, StartedBy::Operator);
                }
            }
            self.record(Event::FaultEnded { fault: id });
            return; // an instant action
        }
        if kind == ActionKind::Crash {
            if let Some(t) = target {
                if matches!(
                    self.instances[t].process,
                    Process::Running | Process::Booting
                ) {
                    self.crash(t);
                }
            }
            if duration_ms.is_none() {
                self.record(Event::FaultEnded { fault: id });
                return; // a crash without a duration is over once it happened
            }
        }
        self.faults.active.push(ActiveFault {
            id,
            target,
            kind,
            since: self.now,
            until,
        });
        if let Some(u) = until {
            self.queue.push(u, Pending::FaultEnd { fault: id });
        }
        self.refold_faults(target);
    }

    pub(super) fn end_fault(&mut self, fault: u32) {
        let Some(pos) = self.faults.active.iter().position(|f| f.id == fault) else {
            return;
        };
        let f = self.faults.active.remove(pos);
        self.record(Event::FaultEnded { fault });
        self.post(Notice::FaultEnded {
            target: f.target,
            fault: f.kind,
        });
        self.refold_faults(f.target);
        if f.kind == ActionKind::Crash {
            if let Some(t) = f.target {
                let inst = &self.instances[t];
                if inst.process == Process::Stopped && !inst.faults.machine_down {
                    self.start_process(t, StartedBy::MachineBack);
                }
            }
        }
    }

    /// Recomputes the fault state of `target` (or the traffic factor) from active faults.
    fn refold_faults(&mut self, target: Option<InstanceId>) {
        match target {
            None => {
                self.traffic.factor = self
                    .faults
                    .active
                    .iter()
                    .filter(|f| f.target.is_none())
                    .fold(1.0, |acc, f| match f.kind {
                        ActionKind::TrafficSpike { factor } => acc * factor,
                        _ => acc,
                    });
            }
            Some(t) => {
                let mut st = FaultState::default();
                for f in self.faults.active.iter().filter(|f| f.target == Some(t)) {
                    st.apply(&f.kind, f.until.is_some());
                }
                let was = self.instances[t].faults;
                self.instances[t].faults = st;
                if was.hang && !st.hang {
                    self.resume_hung_jobs(t);
                }
                if was.draining != st.draining {
                    let svc = self.instances[t].service;
                    self.health_view_changed(svc);
                }
                // More slots: queued jobs take them.
                let conc = st
                    .concurrency
                    .unwrap_or(self.instance_config(t).concurrency);
                loop {
                    let inst = &mut self.instances[t];
                    if inst.busy >= conc || !inst.up() {
                        break;
                    }
                    let Some(next) = inst.queue.pop_front() else {
                        break;
                    };
                    inst.busy += 1;
                    self.start_job(next);
                }
            }
        }
    }

    // ---- metrics and alerts -------------------------------------------------------------

    pub(crate) fn memory_fraction(&self, id: InstanceId) -> f64 {
        let inst = &self.instances[id];
        if !inst.up() {
            return 0.0;
        }
        let m = self.instance_config(id).memory;
        let held = (inst.busy + inst.queue.len() as u32) as f64;
        ((m.base_mb + m.per_request_mb * held) / m.limit_mb).clamp(0.0, 1.0)
    }

    pub(crate) fn cpu_fraction(&self, id: InstanceId) -> f64 {
        let inst = &self.instances[id];
        let conc = inst
            .faults
            .concurrency
            .unwrap_or(self.instance_config(id).concurrency)
            .max(1);
        (inst.busy as f64 / conc as f64).min(1.0)
    }

    pub(super) fn metrics_tick(&mut self) {
        let now = self.now;
        for i in 0..self.instances.len() {
            let id = InstanceId::from(i);
            let g = self.instance_gauges(id);
            self.instances[id].metrics.sample(now, g);
            // Load reports for the dynamic-score strategy, from instances that can send them.
            let inst = &self.instances[id];
            if inst.up() && !inst.faults.hang && !inst.faults.serving_lost {
                let p = inst.metrics.latest_percentiles();
                let r = LoadReport {
                    cpu: g.cpu,
                    memory: g.memory,
                    response_time_s: if p.samples > 0 { p.p50_ms / 1e3 } else { 0.0 },
                    at: now,
                };
                let svc = inst.service;
                self.balancers[svc].report(id, r);
            }
        }
        for s in self.service_metrics.keys() {
            let g = self.service_gauges(s);
            self.service_metrics[s].sample(now, g);
        }
        let mut alerts = std::mem::take(&mut self.alerts);
        let transitions = alerts.evaluate(now, |rule, target| self.alert_value(rule, target));
        self.alerts = alerts;
        self.alert_posts(transitions);
        self.messaging_tick();
    }

    /// Gauges of instance `id` now.
    pub(crate) fn instance_gauges(&self, id: InstanceId) -> Gauges {
        let inst = &self.instances[id];
        Gauges {
            in_flight: inst.busy + inst.queue.len() as u32,
            queued: inst.queue.len() as u32,
            cpu: self.cpu_fraction(id),
            memory: self.memory_fraction(id),
        }
    }

    /// Gauges of service `s`: in-flight and queued summed over its instances, CPU and memory
    /// averaged.
    fn service_gauges(&self, s: ServiceId) -> Gauges {
        let mut g = Gauges::default();
        let mut n = 0usize;
        for i in (0..self.instances.len()).map(InstanceId::from) {
            if self.instances[i].service != s {
                continue;
            }
            let x = self.instance_gauges(i);
            g.in_flight += x.in_flight;
            g.queued += x.queued;
            g.cpu += x.cpu;
            g.memory += x.memory;
            n += 1;
        }
        let n = n.max(1) as f64;
        g.cpu /= n;
        g.memory /= n;
        g
    }

    /// Healthy instances of `s` as its balancer sees them (listed, healthy, not ejected,
    /// running).
    pub(crate) fn healthy_count(&self, s: ServiceId) -> usize {
        self.caches[s]
            .members
            .iter()
            .filter(|i| {
                let inst = &self.instances[**i];
                inst.in_rotation() && inst.up()
            })
            .count()
    }

    /// Breakers open now towards instances of `s` (any caller).
    pub(crate) fn open_breakers(&self, s: ServiceId) -> usize {
        self.breakers
            .iter()
            .filter(|((_, u), b)| {
                self.instances[InstanceId(*u)].service == s
                    && b.state() == BreakerState::Open
                    && b.half_open_at().is_some_and(|t| t > self.now)
            })
            .count()
    }

    fn alert_value(&self, rule: &AlertRule, target: Target) -> Option<f64> {
        let (m, g) = match target {
            Target::Data => {
                return match rule.metric {
                    AlertMetric::UnderReplicatedKeys => self
                        .data
                        .store
                        .as_ref()
                        .map(|s| s.under_replicated() as f64),
                    _ => None,
                }
            }
            Target::Subscription(sub) => return self.queue_alert_value(rule, sub),
            Target::Service(s) => (&self.service_metrics[s], self.service_gauges(s)),
            Target::Instance(id) => (&self.instances[id].metrics, self.instance_gauges(id)),
        };
        match rule.metric {
            AlertMetric::ErrorRate => m.error_rate_over(rule.window_s),
            AlertMetric::P99Ms => {
                let p = m.latest_percentiles();
                (p.samples > 0).then_some(p.p99_ms)
            }
            AlertMetric::RequestRate => Some(m.rate_over(self.now, rule.window_s)),
            AlertMetric::Cpu => Some(g.cpu),
            AlertMetric::Memory => Some(g.memory),
            AlertMetric::QueueLength => Some(g.queued as f64),
            AlertMetric::HealthyInstances => Some(match target {
                Target::Service(s) => self.healthy_count(s) as f64,
                Target::Instance(id) => {
                    let inst = &self.instances[id];
                    (inst.up() && inst.in_rotation()) as u8 as f64
                }
                _ => 0.0,
            }),
            AlertMetric::BreakersOpen => Some(match target {
                Target::Service(s) => self.open_breakers(s) as f64,
                Target::Instance(id) => self
                    .breakers
                    .iter()
                    .filter(|((_, u), b)| *u == id.0 && b.state() == BreakerState::Open)
                    .count() as f64,
                _ => 0.0,
            }),
            AlertMetric::UnderReplicatedKeys => self
                .data
                .store
                .as_ref()
                .map(|s| s.under_replicated() as f64),
            // Validated: queue metrics have queue scopes.
            AlertMetric::QueueDepth | AlertMetric::QueueLagS | AlertMetric::DeadLettered => None,
        }
    }
}
