//! The data plane: requests, calls (attempts), jobs (an instance's work on a call) and the
//! path between them.

use super::{Pending, Process, Simulation, ARRIVAL_LANE};
use crate::common::{ErrorCause, Outcome};
use crate::common::{InstanceId, ServiceId};
use crate::mechanisms::breaker::BreakerState;
use crate::mechanisms::health::OutlierConfig;
use crate::mechanisms::trace::{sample_by_trace_id, Span};
use crate::sim::event::Event;
use crate::sim::notice::Notice;
use crate::time::SimTime;
use slab::Slab;

/// Who makes a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The gateway, for a client request.
    Gateway,
    /// An instance, calling a dependency while serving.
    Instance(InstanceId),
}

impl Caller {
    /// Key in the breaker map: 0 for the gateway, i + 1 for instance i.
    fn key(self) -> u32 {
        match self {
            Caller::Gateway => 0,
            Caller::Instance(i) => i.0 + 1,
        }
    }

    fn instance(self) -> Option<InstanceId> {
        match self {
            Caller::Gateway => None,
            Caller::Instance(i) => Some(i),
        }
    }
}

/// Where a call's result goes.
#[derive(Clone, Copy, Debug)]
pub(super) enum Origin {
    /// Ends the client request.
    Client,
    /// Continues (or fails) a job on the calling instance.
    Job { key: usize, id: u64 },
}

#[derive(Clone, Debug)]
pub(super) struct Request {
    pub(super) id: u64,
    pub(super) arrived: SimTime,
    /// The service the client sent it to.
    pub(super) service: ServiceId,
    client: u32,
    traced: bool,
}

#[derive(Clone, Debug)]
pub(super) struct Call {
    pub(super) id: u64,
    req_key: usize,
    req_id: u64,
    origin: Origin,
    caller: Caller,
    service: ServiceId,
    attempt: u32,
    instance: Option<InstanceId>,
    started: SimTime,
    /// Admitted by a half-open breaker as a trial call.
    probe: bool,
    /// Counted in the balancer's outstanding requests.
    dispatched: bool,
    span: Option<u32>,
    parent_span: Option<u32>,
}

#[derive(Clone, Debug)]
pub(super) struct Job {
    id: u64,
    pub(super) instance: InstanceId,
    incarnation: u32,
    call: (usize, u64),
    req_key: usize,
    req_id: u64,
    next_dep: usize,
    /// Started during a hang: no completion is scheduled until the hang ends.
    pub(super) hung: bool,
    span: Option<u32>,
}

/// The data plane's work in flight: client requests, the calls they make and the jobs those
/// become on instances, each in a slab under a unique id (a stale timer or a late answer finds
/// nothing), and the id counter.
#[derive(Clone, Debug, Default)]
pub(super) struct InFlight {
    pub(super) requests: Slab<Request>,
    pub(super) calls: Slab<Call>,
    pub(super) jobs: Slab<Job>,
    next: u64,
}

impl InFlight {
    /// A fresh id, unique in the run.
    pub(super) fn next_id(&mut self) -> u64 {
        self.next += 1;
        self.next - 1
    }
}

/// What a call is for: the request it serves (held at `req_key`), where its answer goes, who
/// calls, which service, the attempt (0: the first) and the span it is a child of. A retry
/// waits for its back-off as one of these.
#[derive(Clone, Debug)]
pub(super) struct CallSpec {
    req_key: usize,
    req_id: u64,
    origin: Origin,
    caller: Caller,
    service: ServiceId,
    attempt: u32,
    parent_span: Option<u32>,
}

impl Simulation {
    pub(super) fn schedule_next_arrival(&mut self) {
        let rate = self.cfg.traffic.rate_rps * self.traffic.factor;
        if rate <= 0.0 {
            // Check again in a second in case a spike starts.
            self.queue
                .push_lane(ARRIVAL_LANE, self.now.plus_us(1_000_000), Pending::Arrival);
            return;
        }
        let gap_us = self.traffic.rng.exponential(1e6 / rate);
        let gap_us = if gap_us.is_finite() {
            (gap_us as u64).max(1)
        } else {
            1
        };
        self.queue
            .push_lane(ARRIVAL_LANE, self.now.plus_us(gap_us), Pending::Arrival);
    }

    pub(super) fn arrival(&mut self) {
        if self.cfg.traffic.rate_rps * self.traffic.factor <= 0.0 {
            return;
        }
        let id = self.next_id();
        let client = self.traffic.rng.below(self.cfg.traffic.clients as u64) as u32;
        let u = self.traffic.rng.uniform();
        let service = self
            .traffic
            .share_cdf
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.traffic.share_cdf.len() - 1);
        let service = ServiceId::from(service);
        let rate = self.cfg.tracing.sample_rate;
        let (traced, trace_id) = if self.cfg.tracing.by_trace_id {
            // Keyed by the arrival's number in the workload, not by the request id (which
            // other work shares), so both sides of compare mode trace the same requests.
            sample_by_trace_id(self.seed, self.totals.arrived, rate)
        } else {
            let traced = rate > 0.0 && self.traffic.rng.chance(rate);
            (
                traced,
                if traced {
                    self.traffic.rng.next_u64()
                } else {
                    0
                },
            )
        };
        let mut arrival = [0u8; 20];
        arrival[..8].copy_from_slice(&self.now.as_us().to_le_bytes());
        arrival[8..12].copy_from_slice(&client.to_le_bytes());
        arrival[12..14].copy_from_slice(&service.0.to_le_bytes());
        arrival[14..].copy_from_slice(&[traced as u8, 0, 0, 0, 0, 0]);
        self.traffic.digest = xxhash_rust::xxh3::xxh3_64_with_seed(&arrival, self.traffic.digest);
        self.totals.arrived += 1;
        let req_key = self.flight.requests.insert(Request {
            id,
            arrived: self.now,
            service,
            client,
            traced,
        });
        self.record(Event::RequestArrived {
            request: id,
            client,
            service,
        });
        if traced {
            self.tracer.start(id, trace_id, self.now.as_us());
        }
        if let Some(l) = &mut self.limiter {
            if !l.admit(self.now) {
                self.end_request(req_key, id, Outcome::Rejected, None);
                return;
            }
        }
        self.start_call(CallSpec {
            req_key,
            req_id: id,
            origin: Origin::Client,
            caller: Caller::Gateway,
            service,
            attempt: 0,
            parent_span: None,
        });
    }

    /// Panic mode (Envoy `healthy_panic_threshold`): fewer than `panic_threshold_pct` % of the
    /// `listed` instances of `s` are `healthy`.
    fn below_panic_threshold(&self, s: ServiceId, healthy: usize, listed: usize) -> bool {
        let pct = self.cfg.services[s.index()].panic_threshold_pct;
        listed > 0 && (healthy as f64) * 100.0 < pct * listed as f64
    }

    /// The candidates of service `s` into `out` (cleared first): the listed instances in
    /// rotation, or all listed instances in panic mode. Read from the discovery cache's
    /// `candidates`, kept by [`Simulation::health_view_changed`].
    pub(super) fn fill_candidates(&self, s: ServiceId, out: &mut Vec<InstanceId>) {
        out.clear();
        out.extend_from_slice(&self.caches[s].candidates);
        debug_assert_eq!(
            *out,
            self.fresh_candidates(s).0,
            "the candidates of {s:?} were not recomputed after a change"
        );
    }

    /// The candidates of `s` from every member's state, with how many members are in
    /// rotation and how many are listed (not draining).
    fn fresh_candidates(&self, s: ServiceId) -> (Vec<InstanceId>, usize, usize) {
        let members = &self.caches[s].members;
        let mut out = Vec::with_capacity(members.len());
        let mut listed = 0;
        for &i in members {
            let inst = &self.instances[i];
            listed += usize::from(!inst.faults.draining);
            if inst.in_rotation() {
                out.push(i);
            }
        }
        let healthy = out.len();
        if self.below_panic_threshold(s, healthy, listed) {
            out.clear();
            out.extend(
                members
                    .iter()
                    .copied()
                    .filter(|i| !self.instances[*i].faults.draining),
            );
        }
        (out, healthy, listed)
    }

    /// Re-evaluates panic mode and the candidates of `s`: call after anything that changes
    /// health, ejection, draining or membership.
    pub(super) fn health_view_changed(&mut self, s: ServiceId) {
        let (candidates, healthy, listed) = self.fresh_candidates(s);
        self.caches[s].candidates = candidates;
        let on = self.below_panic_threshold(s, healthy, listed);
        // A consumer back in rotation takes messages again.
        if !self.msg.subs.is_empty() {
            self.pump_for(s);
        }
        if on != self.panic[s] {
            self.panic[s] = on;
            self.record(Event::PanicMode { service: s, on });
            if on {
                self.stats.panics += 1;
            }
            self.post(Notice::PanicMode {
                service: s,
                on,
                healthy: healthy as u32,
                listed: listed as u32,
                threshold_pct: self.cfg.services[s.index()].panic_threshold_pct,
            });
        }
    }

    /// Starts a call: picks an instance past the caller's breakers and dispatches, or ends
    /// it at once (no healthy upstream, short-circuited).
    pub(super) fn start_call(&mut self, spec: CallSpec) {
        let CallSpec {
            req_key,
            req_id,
            origin,
            caller,
            service,
            attempt,
            parent_span,
        } = spec;
        self.stats.calls += 1;
        let id = self.next_id();
        let client = self.flight.requests.get(req_key).map_or(0, |r| r.client);
        if attempt == 0 {
            let key = (caller_service_key(self, caller), service.0);
            self.budgets
                .entry(key)
                .or_default()
                .on_first_attempt(self.now);
        }
        let span = self.open_span(req_id, parent_span, service, attempt);
        let call_key = self.flight.calls.insert(Call {
            id,
            req_key,
            req_id,
            origin,
            caller,
            service,
            attempt,
            instance: None,
            started: self.now,
            probe: false,
            dispatched: false,
            span,
            parent_span,
        });
        let mut cands = std::mem::take(&mut self.scratch);
        self.fill_candidates(service, &mut cands);
        // Route around upstreams whose breaker (for this caller) would refuse the call.
        let mut all_refuse = None;
        if self.breakers_tripped > 0
            && self.cfg.services[service.index()].breaker.is_some()
            && !cands.is_empty()
        {
            let now = self.now;
            let first = cands[0];
            cands.retain(|i| {
                self.breakers
                    .get(&(caller.key(), i.0))
                    .is_none_or(|b| b.would_allow(now))
            });
            if cands.is_empty() {
                all_refuse = Some(first);
            }
        }
        let picked = self.balancers[service].pick(&cands, client, self.now, &mut self.rng);
        if let Some(sp) = span {
            let (strategy, n) = (self.balancers[service].strategy, cands.len() as u32);
            if let Some(s) = self.span_mut(req_id, sp) {
                s.strategy = picked.map(|_| strategy);
                s.candidates = n;
            }
        }
        self.scratch = cands;
        if let Some(first) = all_refuse {
            // Every candidate's breaker is open: fail fast without calling anyone.
            self.flight.calls[call_key].instance = Some(first);
            self.finish_call(call_key, Outcome::ShortCircuited, None);
            return;
        }
        let Some(target) = picked else {
            self.finish_call(call_key, Outcome::NoHealthyUpstream, None);
            return;
        };
        self.flight.calls[call_key].instance = Some(target);
        // The caller's breaker for this upstream.
        if let Some(bcfg) = self.cfg.services[service.index()].breaker {
            let key = (caller.key(), target.0);
            let now = self.now;
            let b = self
                .breakers
                .entry(key)
                .or_insert_with(|| crate::mechanisms::breaker::CircuitBreaker::new(bcfg));
            match b.try_acquire(now) {
                Ok(moved) => {
                    self.flight.calls[call_key].probe = b.state() == BreakerState::HalfOpen;
                    if let Some(t) = moved {
                        self.breaker_changed(caller, target, t.from, t.to);
                    }
                }
                Err(()) => {
                    self.finish_call(call_key, Outcome::ShortCircuited, None);
                    return;
                }
            }
        }
        self.flight.calls[call_key].dispatched = true;
        self.balancers[service].on_dispatch(target);
        self.record(Event::CallDispatched {
            call: id,
            request: req_id,
            caller: caller.instance(),
            instance: target,
            attempt,
        });
        if let Some(sp) = span {
            if let Some(s) = self.span_mut(req_id, sp) {
                s.instance = Some(target);
            }
        }
        let timeout_ms = self.cfg.services[service.index()]
            .timeout_ms
            .unwrap_or(self.cfg.request_timeout_ms);
        // Every call to this service waits the same delay: its timeouts come in time order.
        self.queue.push_lane(
            timeout_ms,
            self.now.plus_us(timeout_ms * 1_000),
            Pending::CallTimeout { call: call_key, id },
        );
        self.deliver(call_key, id, target);
    }

    /// The call arrives at the instance.
    fn deliver(&mut self, call_key: usize, call_id: u64, target: InstanceId) {
        let inst = &mut self.instances[target];
        if !inst.up() {
            inst.refused_since_crash += 1;
            let first = inst.refused_since_crash == 1;
            self.finish_call(
                call_key,
                Outcome::Error,
                Some(ErrorCause::ConnectionRefused),
            );
            if first {
                self.record(Event::ConnectionsRefused { instance: target });
                let still_registered = self.registry.is_registered(target);
                self.post(Notice::ConnectionsRefused {
                    instance: target,
                    still_registered,
                });
            }
            return;
        }
        if inst.faults.serving_lost {
            return; // packets dropped: the caller's timeout ends it
        }
        let (concurrency, queue_limit) = {
            let c = self.instance_config(target);
            let conc = self.instances[target]
                .faults
                .concurrency
                .unwrap_or(c.concurrency);
            (conc, c.queue_limit)
        };
        let (req_key, req_id) = {
            let c = &self.flight.calls[call_key];
            (c.req_key, c.req_id)
        };
        let inst = &self.instances[target];
        let has_slot = inst.busy < concurrency;
        let has_room = (inst.queue.len() as u32) < queue_limit;
        if !has_slot && !has_room {
            self.finish_call(call_key, Outcome::Error, Some(ErrorCause::Overloaded));
            return;
        }
        let id = self.next_id();
        let span = self.flight.calls[call_key].span;
        let incarnation = self.instances[target].incarnation;
        let job = self.flight.jobs.insert(Job {
            id,
            instance: target,
            incarnation,
            call: (call_key, call_id),
            req_key,
            req_id,
            next_dep: 0,
            hung: false,
            span,
        });
        let inst = &mut self.instances[target];
        if has_slot {
            inst.busy += 1;
            self.start_job(job);
        } else {
            inst.queue.push_back(job);
        }
    }

    /// Starts serving `job` in a slot already counted in `busy`.
    pub(super) fn start_job(&mut self, job: usize) {
        let id = self.flight.jobs[job].id;
        let target = self.flight.jobs[job].instance;
        if let (Some(sp), req_id) = (self.flight.jobs[job].span, self.flight.jobs[job].req_id) {
            let now = self.now.as_us();
            if let Some(s) = self.span_mut(req_id, sp) {
                s.served_from_us = Some(now);
            }
        }
        let inst = &self.instances[target];
        if inst.faults.hang {
            self.flight.jobs[job].hung = true;
            return;
        }
        let slow = inst.faults.slow;
        let dist = self.instance_config(target).latency;
        let service_us = (dist.sample_us(&mut self.rng) as f64 * slow) as u64;
        self.queue
            .push(self.now.plus_us(service_us), Pending::JobDone { job, id });
    }

    /// The instance's own processing of `job` is done: call the next dependency or answer.
    pub(super) fn job_done(&mut self, job: usize, id: u64) {
        let Some(j) = self.flight.jobs.get(job) else {
            return;
        };
        if j.id != id {
            return;
        }
        let inst = &self.instances[j.instance];
        if inst.incarnation != j.incarnation {
            return;
        }
        let svc = inst.service;
        if let (Some(sp), 0) = (j.span, j.next_dep) {
            let (req_id, now) = (j.req_id, self.now.as_us());
            if let Some(s) = self.span_mut(req_id, sp) {
                s.served_until_us.get_or_insert(now);
            }
        }
        let j = &self.flight.jobs[job]; // there: looked up above
        let deps = &self.cfg.services[svc.index()].depends_on;
        if let Some(dep) = deps.get(j.next_dep) {
            let dep = self
                .service_by_name(dep)
                .expect("validated: dependencies name services");
            let (req_key, req_id, span, caller) = (j.req_key, j.req_id, j.span, j.instance);
            self.flight.jobs[job].next_dep += 1;
            self.start_call(CallSpec {
                req_key,
                req_id,
                origin: Origin::Job { key: job, id },
                caller: Caller::Instance(caller),
                service: dep,
                attempt: 0,
                parent_span: span,
            });
        } else if self.publishes(svc) {
            // It publishes, and waits for the brokers' acknowledgement.
            if let Some(sp) = j.span {
                let (req_id, now) = (j.req_id, self.now.as_us());
                if let Some(s) = self.span_mut(req_id, sp) {
                    s.published_at_us.get_or_insert(now);
                }
            }
            let at = self.now.plus_us(self.publish_latency_us(svc));
            self.queue.push(at, Pending::Published { job, id });
        } else {
            self.respond(job, None);
        }
    }

    /// The brokers answer job `job`'s publish: it answers its caller, or fails if the
    /// publish failed; a broker that does not answer keeps it waiting (its caller times out).
    pub(super) fn published(&mut self, job: usize, id: u64) {
        let Some(j) = self.flight.jobs.get(job).filter(|j| j.id == id) else {
            return;
        };
        let inst = &self.instances[j.instance];
        if inst.incarnation != j.incarnation {
            return;
        }
        match self.publish_now(inst.service) {
            Ok(true) => self.respond(job, None),
            Ok(false) => {
                // Asked again every 100 ms until the broker answers.
                let at = self.now.plus_us(100_000);
                self.queue.push(at, Pending::Published { job, id });
            }
            Err(cause) => self.respond(job, Some(cause)),
        }
    }

    /// The job answers its caller (ok unless `failed` gives the cause, or its error rate
    /// says otherwise) and frees its slot.
    fn respond(&mut self, job: usize, failed: Option<ErrorCause>) {
        let j = self.flight.jobs.remove(job);
        let target = j.instance;
        let error_rate = {
            let inst = &self.instances[target];
            inst.faults
                .error_rate
                .unwrap_or(self.instance_config(target).error_rate)
        };
        // Draw for every answer so the random stream does not depend on timeouts.
        let failed_by_rate = error_rate > 0.0 && self.rng.chance(error_rate);
        let serving_lost = self.instances[target].faults.serving_lost;
        let (call_key, call_id) = j.call;
        if !serving_lost
            && self
                .flight
                .calls
                .get(call_key)
                .is_some_and(|c| c.id == call_id)
        {
            if let Some(cause) = failed {
                self.finish_call(call_key, Outcome::Error, Some(cause));
            } else if failed_by_rate {
                self.finish_call(call_key, Outcome::Error, Some(ErrorCause::Application));
            } else {
                self.finish_call(call_key, Outcome::Ok, None);
            }
        }
        self.free_slot(target);
    }

    /// A slot on `target` is free: the next queued job takes it (even if its caller gave
    /// up: the server cannot know).
    pub(super) fn free_slot(&mut self, target: InstanceId) {
        let concurrency = self.instances[target]
            .faults
            .concurrency
            .unwrap_or(self.instance_config(target).concurrency);
        let inst = &mut self.instances[target];
        if inst.busy <= concurrency {
            if let Some(next) = inst.queue.pop_front() {
                self.start_job(next);
                return;
            }
        }
        inst.busy = inst.busy.saturating_sub(1);
        // No request waits: the slot may take a message.
        let svc = inst.service;
        if !self.msg.subs.is_empty() {
            self.pump_for(svc);
        }
    }

    /// Ends a call: the only place a call ends. Updates the balancer, breaker, outlier
    /// detection and metrics, then retries or hands the result to its origin.
    pub(super) fn finish_call(
        &mut self,
        call_key: usize,
        outcome: Outcome,
        cause: Option<ErrorCause>,
    ) {
        let call = self.flight.calls.remove(call_key);
        let latency_us = self.now.since(call.started);
        let responded = matches!(outcome, Outcome::Ok)
            || matches!(
                cause,
                Some(ErrorCause::Application | ErrorCause::Dependency | ErrorCause::Overloaded)
            );
        if let Some(target) = call.instance {
            if call.dispatched {
                self.balancers[call.service].on_complete(
                    target,
                    responded.then_some(latency_us),
                    self.now,
                );
                self.breaker_result(call.caller, target, call.service, outcome, call.probe);
                self.outlier_result(target, outcome);
                let now = self.now;
                let inst = &mut self.instances[target];
                match outcome {
                    Outcome::Ok => inst.served += 1,
                    Outcome::Timeout => inst.timeouts += 1,
                    _ => inst.errors += 1,
                }
                let lat = (responded || outcome == Outcome::Timeout).then_some(latency_us);
                inst.metrics.record(now, lat, outcome == Outcome::Ok);
            } else if outcome == Outcome::ShortCircuited {
                self.instances[target].short_circuited += 1;
                self.stats.calls_short_circuited += 1;
            }
        }
        let now = self.now;
        let lat = (outcome != Outcome::ShortCircuited && outcome != Outcome::NoHealthyUpstream)
            .then_some(latency_us);
        self.service_metrics[call.service].record(now, lat, outcome == Outcome::Ok);
        self.record(Event::CallEnded {
            call: call.id,
            service: call.service,
            instance: call.instance,
            outcome,
            cause,
            latency_us,
        });
        if let Some(sp) = call.span {
            let end = self.now.as_us();
            if let Some(s) = self.span_mut(call.req_id, sp) {
                s.end_us = Some(end);
                s.outcome = Some(outcome);
                s.cause = cause;
            }
        }
        // Retry?
        if !self.origin_alive(call.origin, call.req_key, call.req_id) {
            return;
        }
        let retry = self.cfg.services[call.service.index()].retry;
        let retriable = matches!(
            outcome,
            Outcome::Error | Outcome::Timeout | Outcome::ShortCircuited
        );
        if retriable && call.attempt < retry.max_retries {
            let key = (caller_service_key(self, call.caller), call.service.0);
            let now = self.now;
            if self.budgets.entry(key).or_default().try_retry(now, &retry) {
                let backoff_us = retry.backoff_us(call.attempt + 1, &mut self.rng);
                if let Some(sp) = call.span {
                    if let Some(s) = self.span_mut(call.req_id, sp) {
                        s.retry_after_us = Some(backoff_us);
                    }
                }
                self.stats.retries += 1;
                self.record(Event::RetryScheduled {
                    request: call.req_id,
                    service: call.service,
                    attempt: call.attempt + 1,
                    backoff_us,
                });
                self.queue.push(
                    self.now.plus_us(backoff_us),
                    Pending::Retry(Box::new(CallSpec {
                        req_key: call.req_key,
                        req_id: call.req_id,
                        origin: call.origin,
                        caller: call.caller,
                        service: call.service,
                        attempt: call.attempt + 1,
                        parent_span: call.parent_span,
                    })),
                );
                return;
            }
            self.stats.retries_denied += 1;
            if let Some(sp) = call.span {
                if let Some(s) = self.span_mut(call.req_id, sp) {
                    s.retry_denied = true;
                }
            }
            self.record(Event::RetryBudgetExhausted {
                request: call.req_id,
                service: call.service,
            });
        }
        match call.origin {
            Origin::Client => self.end_request(call.req_key, call.req_id, outcome, cause),
            Origin::Job { key, id } => {
                if outcome == Outcome::Ok {
                    self.job_done(key, id);
                } else {
                    self.respond(key, Some(ErrorCause::Dependency));
                }
            }
        }
    }

    /// True while whoever waits for a call's result still exists: the client request, or the
    /// job on the calling instance (a crash or failback destroys jobs).
    fn origin_alive(&self, origin: Origin, req_key: usize, req_id: u64) -> bool {
        match origin {
            Origin::Client => self
                .flight
                .requests
                .get(req_key)
                .is_some_and(|r| r.id == req_id),
            Origin::Job { key, id } => self.flight.jobs.get(key).is_some_and(|j| j.id == id),
        }
    }

    /// Calls whose calling job is gone (see [`Simulation::in_memory`]).
    pub(super) fn orphaned_calls(&self) -> usize {
        let calls = self.flight.calls.iter();
        calls
            .filter(|(_, c)| {
                matches!(c.origin, Origin::Job { .. })
                    && !self.origin_alive(c.origin, c.req_key, c.req_id)
            })
            .count()
    }

    pub(super) fn retry(&mut self, spec: CallSpec) {
        if self.origin_alive(spec.origin, spec.req_key, spec.req_id) {
            self.start_call(spec);
        }
    }

    /// Ends client request `req_id` (held at `req_key`): the only place a request ends.
    ///
    /// The outcome is counted first, then the request is looked up: ending a request that has
    /// already ended (its key empty, or reused by a newer request) is recorded as a double end
    /// and leaves the counts unbalanced, so [`Simulation::check_exactly_once`] reports it.
    pub(super) fn end_request(
        &mut self,
        req_key: usize,
        req_id: u64,
        outcome: Outcome,
        cause: Option<ErrorCause>,
    ) {
        #[cfg(feature = "test-faults")]
        match self.bookkeeping_fault.take() {
            Some(super::BookkeepingFault::NeverEnd) => return,
            Some(super::BookkeepingFault::EndTwice) => {
                self.end_request(req_key, req_id, outcome, cause);
            }
            None => {}
        }
        self.totals.bump(outcome);
        if self
            .flight
            .requests
            .get(req_key)
            .is_none_or(|r| r.id != req_id)
        {
            self.double_ends.0 += 1;
            self.double_ends.1.get_or_insert(req_id);
            return;
        }
        let req = self.flight.requests.remove(req_key);
        let latency_us = self.now.since(req.arrived);
        self.record(Event::RequestEnded {
            request: req.id,
            outcome,
            cause,
            latency_us,
        });
        if req.traced {
            self.tracer.finish(req.id, self.now.as_us(), outcome);
        }
    }

    fn open_span(
        &mut self,
        req_id: u64,
        parent: Option<u32>,
        service: ServiceId,
        attempt: u32,
    ) -> Option<u32> {
        if !self.tracer.is_open(req_id) {
            return None;
        }
        let endpoint = self.cfg.services[service.index()]
            .endpoints
            .first()
            .cloned()
            .unwrap_or_else(|| "/".into());
        let now_us = self.now.as_us();
        self.tracer
            .open_span(req_id, parent, service, endpoint, attempt, now_us)
    }

    /// Span `span` of `req_id`'s trace while it is open. One copy of the lookup for every
    /// place a span is filled in (not one per closure: the page's wasm pays per copy).
    #[inline(never)]
    fn span_mut(&mut self, req_id: u64, span: u32) -> Option<&mut Span> {
        self.tracer.span_mut(req_id, span)
    }

    fn breaker_result(
        &mut self,
        caller: Caller,
        target: InstanceId,
        service: ServiceId,
        outcome: Outcome,
        probe: bool,
    ) {
        if self.cfg.services[service.index()].breaker.is_none() {
            return;
        }
        let now = self.now;
        let Some(b) = self.breakers.get_mut(&(caller.key(), target.0)) else {
            return;
        };
        if let Some(t) = b.on_result(now, !outcome.is_failure(), probe) {
            self.breaker_changed(caller, target, t.from, t.to);
        }
    }

    fn breaker_changed(
        &mut self,
        caller: Caller,
        target: InstanceId,
        from: BreakerState,
        to: BreakerState,
    ) {
        match (from == BreakerState::Closed, to == BreakerState::Closed) {
            (true, false) => self.breakers_tripped += 1,
            (false, true) => self.breakers_tripped -= 1,
            _ => {}
        }
        debug_assert_eq!(
            self.breakers_tripped,
            self.breakers
                .values()
                .filter(|b| b.state() != BreakerState::Closed)
                .count(),
            "breakers_tripped out of step with the breakers"
        );
        self.record(Event::BreakerChanged {
            caller: caller.instance(),
            instance: target,
            from,
            to,
        });
        if to == BreakerState::Open {
            self.stats.breaker_opens += 1;
        }
        let svc = self.instances[target].service;
        let open_for_ms = self.cfg.services[svc.index()]
            .breaker
            .map_or(0, |b| b.reset_timeout_ms);
        self.post(Notice::BreakerChanged {
            caller: caller.instance(),
            instance: target,
            to,
            open_for_ms,
        });
    }

    fn outlier_result(&mut self, target: InstanceId, outcome: Outcome) {
        let svc = self.instances[target].service;
        let Some(cfg) = self.cfg.services[svc.index()].outlier else {
            return;
        };
        let inst = &mut self.instances[target];
        if !matches!(outcome, Outcome::Error | Outcome::Timeout) {
            inst.consecutive_5xx = 0;
            return;
        }
        inst.consecutive_5xx += 1;
        if inst.consecutive_5xx >= cfg.consecutive_5xx && inst.ejected_until.is_none() {
            self.try_eject(target, svc, &cfg);
        }
    }

    fn try_eject(&mut self, target: InstanceId, svc: ServiceId, cfg: &OutlierConfig) {
        let members = &self.caches[svc].members;
        let ejected = members
            .iter()
            .filter(|i| self.instances[**i].ejected_until.is_some())
            .count();
        if ejected >= cfg.max_ejected(members.len()) {
            return;
        }
        let inst = &mut self.instances[target];
        inst.times_ejected += 1;
        let nth = inst.times_ejected;
        let for_us = cfg.ejection_us(nth);
        inst.ejected_until = Some(self.now.plus_us(for_us));
        inst.consecutive_5xx = 0;
        self.stats.ejections += 1;
        self.record(Event::Ejected {
            instance: target,
            nth,
            for_us,
        });
        self.queue.push(
            self.now.plus_us(for_us),
            Pending::Uneject {
                instance: target,
                nth,
            },
        );
        self.post(Notice::Ejected {
            instance: target,
            consecutive_5xx: cfg.consecutive_5xx,
            for_ms: for_us / 1_000,
            nth,
        });
        self.health_view_changed(svc);
    }

    /// Destroys every job on `target` (its process died): their calls end with a reset.
    /// The dependency calls those jobs were waiting on stay in flight (the upstream still
    /// serves them; their answers go nowhere) until they end on their own.
    /// Returns how many calls were lost.
    pub(super) fn drop_jobs(&mut self, target: InstanceId) -> u32 {
        let keys: Vec<usize> = self
            .flight
            .jobs
            .iter()
            .filter(|(_, j)| j.instance == target)
            .map(|(k, _)| k)
            .collect();
        let mut lost = 0;
        for k in keys {
            let j = self.flight.jobs.remove(k);
            let (ck, cid) = j.call;
            if self.flight.calls.get(ck).is_some_and(|c| c.id == cid) {
                lost += 1;
                self.finish_call(ck, Outcome::Error, Some(ErrorCause::ConnectionReset));
            }
        }
        let inst = &mut self.instances[target];
        inst.busy = 0;
        inst.queue.clear();
        lost
    }

    /// Schedules completion of every job on `target` that hung (its hang ended).
    pub(super) fn resume_hung_jobs(&mut self, target: InstanceId) {
        let keys: Vec<usize> = self
            .flight
            .jobs
            .iter()
            .filter(|(_, j)| j.instance == target && j.hung)
            .map(|(k, _)| k)
            .collect();
        for k in keys {
            self.flight.jobs[k].hung = false;
            self.start_job(k);
        }
    }
}

fn caller_service_key(sim: &Simulation, caller: Caller) -> u16 {
    match caller {
        Caller::Gateway => 0,
        Caller::Instance(i) => sim.instances[i].service.0 + 1,
    }
}

impl Process {
    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Process::Standby => "standby",
            Process::Stopped => "stopped",
            Process::Booting => "booting",
            Process::Running => "running",
        }
    }
}
