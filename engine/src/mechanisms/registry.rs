//! The service registry: register, deregister, heartbeats, TTL expiry and watchers.
//!
//! Semantics follow the seed `service-discovery-and-breaker.md` (`ServiceRegistry`, heartbeat
//! timeout 30 s) and Consul's TTL checks: every heartbeat resets an instance's TTL; an instance
//! whose last heartbeat is `heartbeat_timeout` old is expired (removed) from the listing.
//! Unlike the seed, registering an id that is already registered is refused
//! ([`RegistryError::Duplicate`]); a heartbeat is how a live registration is renewed.
//!
//! Watchers (the seed `microservice-architecture.md`'s `watch`, Consul's blocking queries) get
//! every change to the services they watch in a bounded inbox.

use crate::common::InstanceId;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::fmt;

/// Most events a watcher's inbox holds; older ones are dropped (and counted) past this.
pub const WATCHER_INBOX_CAPACITY: usize = 1_024;

/// One live registration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// Instance id.
    pub instance: InstanceId,
    /// Service name, e.g. `user-service`.
    pub service: String,
    /// `host:port`, e.g. `192.168.1.10:8080`.
    pub address: String,
    /// When the instance registered (simulated µs).
    pub registered_at: SimTime,
    /// When the registry last heard a heartbeat (simulated µs).
    pub last_heartbeat: SimTime,
}

/// A change in the registry, as delivered to watchers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegistryEvent {
    /// `instance` joined `service`.
    Registered {
        /// The instance.
        instance: InstanceId,
        /// Its service.
        service: String,
    },
    /// `instance` left `service` on request.
    Deregistered {
        /// The instance.
        instance: InstanceId,
        /// Its service.
        service: String,
    },
    /// `instance` was removed because no heartbeat arrived for the heartbeat timeout.
    Expired {
        /// The instance.
        instance: InstanceId,
        /// Its service.
        service: String,
        /// Its last heartbeat (simulated µs).
        last_heartbeat: SimTime,
    },
}

impl RegistryEvent {
    /// The service the event concerns.
    pub fn service(&self) -> &str {
        match self {
            RegistryEvent::Registered { service, .. }
            | RegistryEvent::Deregistered { service, .. }
            | RegistryEvent::Expired { service, .. } => service,
        }
    }
}

/// Why a registry call was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryError {
    /// `register` for an id that is already registered.
    Duplicate(InstanceId),
    /// `deregister` or `heartbeat` for an id that is not registered (never was, or expired).
    NotRegistered(InstanceId),
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Duplicate(id) => write!(f, "instance {} is already registered", id.0),
            RegistryError::NotRegistered(id) => write!(f, "instance {} is not registered", id.0),
        }
    }
}

impl std::error::Error for RegistryError {}

/// Handle to a watcher, returned by [`Registry::watch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WatcherId(pub u32);

#[derive(Clone, Debug)]
struct Watcher {
    /// `None` watches every service.
    service: Option<String>,
    inbox: VecDeque<RegistryEvent>,
    dropped: u64,
}

/// The registry. All iteration is in id order, so listings are deterministic.
///
/// Sorted `Vec`s rather than `BTreeMap`s: a cluster lists at most 64 instances of 16
/// services, and each B-tree instantiation is about 1 KB gzipped of the page's wasm.
#[derive(Clone, Debug)]
pub struct Registry {
    heartbeat_timeout_us: u64,
    /// The registrations, in id order.
    entries: Vec<Registration>,
    /// (service, its instances in registration order: the order discovery returns them in).
    by_service: Vec<(String, Vec<InstanceId>)>,
    watchers: Vec<Watcher>,
}

impl Registry {
    /// An empty registry that expires instances after `heartbeat_timeout_us` µs of silence.
    pub fn new(heartbeat_timeout_us: u64) -> Self {
        Self {
            heartbeat_timeout_us,
            entries: Vec::new(),
            by_service: Vec::new(),
            watchers: Vec::new(),
        }
    }

    /// The heartbeat timeout (TTL), µs.
    pub fn heartbeat_timeout_us(&self) -> u64 {
        self.heartbeat_timeout_us
    }

    /// Registers `instance` of `service` at `address`, as of `now`; its TTL starts now.
    ///
    /// Errors: [`RegistryError::Duplicate`] if the id is already registered.
    pub fn register(
        &mut self,
        instance: InstanceId,
        service: &str,
        address: &str,
        now: SimTime,
    ) -> Result<(), RegistryError> {
        let at = match self.find(instance) {
            Ok(_) => return Err(RegistryError::Duplicate(instance)),
            Err(at) => at,
        };
        self.entries.insert(
            at,
            Registration {
                instance,
                service: service.to_string(),
                address: address.to_string(),
                registered_at: now,
                last_heartbeat: now,
            },
        );
        match self.by_service.iter_mut().find(|(s, _)| s == service) {
            Some((_, list)) => list.push(instance),
            None => self.by_service.push((service.to_string(), vec![instance])),
        }
        self.notify(RegistryEvent::Registered {
            instance,
            service: service.to_string(),
        });
        Ok(())
    }

    /// Removes `instance` on its own request.
    ///
    /// Errors: [`RegistryError::NotRegistered`].
    pub fn deregister(&mut self, instance: InstanceId) -> Result<(), RegistryError> {
        let reg = self.remove(instance)?;
        self.notify(RegistryEvent::Deregistered {
            instance,
            service: reg.service,
        });
        Ok(())
    }

    /// Records a heartbeat from `instance` at `now`, resetting its TTL.
    ///
    /// Errors: [`RegistryError::NotRegistered`] (an expired instance must register again).
    pub fn heartbeat(&mut self, instance: InstanceId, now: SimTime) -> Result<(), RegistryError> {
        match self.find(instance).ok().map(|at| &mut self.entries[at]) {
            Some(reg) => {
                reg.last_heartbeat = reg.last_heartbeat.max(now);
                Ok(())
            }
            None => Err(RegistryError::NotRegistered(instance)),
        }
    }

    /// When `instance`'s TTL runs out if no heartbeat arrives first, if it is registered.
    pub fn expires_at(&self, instance: InstanceId) -> Option<SimTime> {
        self.get(instance)
            .map(|r| r.last_heartbeat.plus_us(self.heartbeat_timeout_us))
    }

    /// Expires `instance` if its last heartbeat is at least the heartbeat timeout before `now`.
    /// Returns the expiry event when it did.
    pub fn expire_if_due(&mut self, instance: InstanceId, now: SimTime) -> Option<RegistryEvent> {
        let due = self.expires_at(instance)?;
        if now < due {
            return None;
        }
        let reg = self.remove(instance).ok()?;
        let ev = RegistryEvent::Expired {
            instance,
            service: reg.service,
            last_heartbeat: reg.last_heartbeat,
        };
        self.notify(ev.clone());
        Some(ev)
    }

    /// Expires every instance whose TTL has run out at `now`, in id order (a full sweep, as
    /// Consul's TTL reaper does). Returns the expiry events.
    pub fn expire_all_due(&mut self, now: SimTime) -> Vec<RegistryEvent> {
        let due: Vec<InstanceId> = self
            .entries
            .iter()
            .filter(|r| now.since(r.last_heartbeat) >= self.heartbeat_timeout_us)
            .map(|r| r.instance)
            .collect();
        due.into_iter()
            .filter_map(|id| self.expire_if_due(id, now))
            .collect()
    }

    /// The instances currently listed for `service`, in registration order (the seed's
    /// `discover`). Unknown services list nothing.
    pub fn discover(&self, service: &str) -> &[InstanceId] {
        self.by_service
            .iter()
            .find(|(s, _)| s == service)
            .map_or(&[], |(_, list)| list.as_slice())
    }

    /// The registration of `instance`, if listed.
    pub fn get(&self, instance: InstanceId) -> Option<&Registration> {
        self.find(instance).ok().map(|at| &self.entries[at])
    }

    /// True if `instance` is listed.
    pub fn is_registered(&self, instance: InstanceId) -> bool {
        self.find(instance).is_ok()
    }

    /// Number of listed instances over all services.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Subscribes to changes of `service` (or of every service, for `None`).
    pub fn watch(&mut self, service: Option<&str>) -> WatcherId {
        self.watchers.push(Watcher {
            service: service.map(str::to_string),
            inbox: VecDeque::new(),
            dropped: 0,
        });
        WatcherId((self.watchers.len() - 1) as u32)
    }

    /// Takes every event waiting for `watcher`, oldest first. An unknown id yields nothing.
    pub fn drain(&mut self, watcher: WatcherId) -> Vec<RegistryEvent> {
        self.watchers
            .get_mut(watcher.0 as usize)
            .map(|w| w.inbox.drain(..).collect())
            .unwrap_or_default()
    }

    /// Events dropped from `watcher`'s inbox because it was full.
    pub fn dropped(&self, watcher: WatcherId) -> u64 {
        self.watchers
            .get(watcher.0 as usize)
            .map_or(0, |w| w.dropped)
    }

    /// Where `instance`'s registration is (`Ok`) or would go (`Err`) in `entries`.
    fn find(&self, instance: InstanceId) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&instance, |r| r.instance)
    }

    fn remove(&mut self, instance: InstanceId) -> Result<Registration, RegistryError> {
        let at = self
            .find(instance)
            .map_err(|_| RegistryError::NotRegistered(instance))?;
        let reg = self.entries.remove(at);
        if let Some((_, list)) = self.by_service.iter_mut().find(|(s, _)| *s == reg.service) {
            list.retain(|&i| i != instance);
        }
        Ok(reg)
    }

    fn notify(&mut self, ev: RegistryEvent) {
        for w in &mut self.watchers {
            if w.service.as_deref().is_none_or(|s| s == ev.service()) {
                if w.inbox.len() == WATCHER_INBOX_CAPACITY {
                    w.inbox.pop_front();
                    w.dropped += 1;
                }
                w.inbox.push_back(ev.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: u64 = 30_000_000;

    fn reg() -> Registry {
        let mut r = Registry::new(TTL);
        r.register(
            InstanceId(0),
            "user-service",
            "192.168.1.10:8080",
            SimTime::ZERO,
        )
        .unwrap();
        r.register(
            InstanceId(1),
            "user-service",
            "192.168.1.11:8080",
            SimTime::ZERO,
        )
        .unwrap();
        r.register(
            InstanceId(2),
            "order-service",
            "192.168.1.20:8081",
            SimTime::ZERO,
        )
        .unwrap();
        r
    }

    #[test]
    fn duplicate_id_is_refused_and_listing_unchanged() {
        let mut r = reg();
        let err = r
            .register(InstanceId(1), "user-service", "192.168.1.99:1", SimTime(5))
            .unwrap_err();
        assert_eq!(err, RegistryError::Duplicate(InstanceId(1)));
        assert_eq!(r.discover("user-service"), &[InstanceId(0), InstanceId(1)]);
        assert_eq!(r.get(InstanceId(1)).unwrap().address, "192.168.1.11:8080");
    }

    #[test]
    fn expiry_happens_exactly_at_the_timeout_and_heartbeats_postpone_it() {
        let mut r = reg();
        r.heartbeat(InstanceId(0), SimTime::from_secs(20)).unwrap();
        // 1 µs before the TTL runs out nothing expires.
        assert!(r.expire_all_due(SimTime(TTL - 1)).is_empty());
        let expired = r.expire_all_due(SimTime(TTL));
        let ids: Vec<_> = expired
            .iter()
            .map(|e| match e {
                RegistryEvent::Expired { instance, .. } => *instance,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(ids, vec![InstanceId(1), InstanceId(2)]);
        assert_eq!(r.discover("user-service"), &[InstanceId(0)]);
        assert!(r.discover("order-service").is_empty());
        // Instance 0 heart-beat at 20 s: it lasts until 50 s.
        assert_eq!(r.expires_at(InstanceId(0)), Some(SimTime::from_secs(50)));
        assert!(r
            .expire_if_due(InstanceId(0), SimTime::from_secs(50).plus_us(0))
            .is_some());
        assert!(r.is_empty());
    }

    #[test]
    fn heartbeat_after_expiry_is_refused_and_re_registering_works() {
        let mut r = reg();
        r.expire_all_due(SimTime(TTL));
        assert_eq!(
            r.heartbeat(InstanceId(1), SimTime(TTL + 1)),
            Err(RegistryError::NotRegistered(InstanceId(1)))
        );
        r.register(
            InstanceId(1),
            "user-service",
            "192.168.1.11:8080",
            SimTime(TTL + 1),
        )
        .unwrap();
        assert_eq!(r.discover("user-service"), &[InstanceId(1)]);
    }

    #[test]
    fn watchers_receive_only_their_service_in_order() {
        let mut r = Registry::new(TTL);
        let users = r.watch(Some("user-service"));
        let all = r.watch(None);
        r.register(InstanceId(0), "user-service", "a:1", SimTime::ZERO)
            .unwrap();
        r.register(InstanceId(2), "order-service", "b:1", SimTime::ZERO)
            .unwrap();
        r.deregister(InstanceId(0)).unwrap();
        assert_eq!(
            r.drain(users),
            vec![
                RegistryEvent::Registered {
                    instance: InstanceId(0),
                    service: "user-service".into()
                },
                RegistryEvent::Deregistered {
                    instance: InstanceId(0),
                    service: "user-service".into()
                },
            ]
        );
        assert_eq!(r.drain(all).len(), 3);
        assert!(r.drain(users).is_empty(), "drain empties the inbox");
        assert_eq!(
            r.deregister(InstanceId(0)),
            Err(RegistryError::NotRegistered(InstanceId(0)))
        );
    }

    #[test]
    fn watcher_inbox_is_bounded() {
        let mut r = Registry::new(TTL);
        let w = r.watch(None);
        for i in 0..(WATCHER_INBOX_CAPACITY as u32 + 10) {
            r.register(InstanceId(i), "s", "a:1", SimTime::ZERO)
                .unwrap();
        }
        assert_eq!(r.drain(w).len(), WATCHER_INBOX_CAPACITY);
        assert_eq!(r.dropped(w), 10);
    }
}
