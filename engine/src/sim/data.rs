//! The replicated data store inside the simulation: keyed reads and writes as a Poisson
//! stream, node failures, joins and leaves, and repair at a configured rate.

use super::{Pending, Simulation, DATA_OP_LANE, METRICS_TICK_US};
use crate::mechanisms::action::ActionKind;
use crate::mechanisms::replication::{
    DataNodeConfig, ReadResult, ReplicationError, RingStats, Store,
};
use crate::sim::event::Event;
use crate::sim::notice::Notice;
use crate::time::SimTime;
use serde::{Deserialize, Serialize};

/// Counts of keyed operations by how they ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataOps {
    /// Writes that reached the write quorum.
    pub writes_ok: u64,
    /// Writes that could not (fewer than W eligible replicas).
    pub writes_failed: u64,
    /// Reads answered by the first replica asked.
    pub reads_first: u64,
    /// Reads answered after falling back past replicas that were down or missing the key.
    pub reads_fallback: u64,
    /// Reads of keys no live replica has.
    pub reads_not_found: u64,
    /// Reads that could not reach R replicas.
    pub reads_unavailable: u64,
}
crate::codec::wire_struct!(DataOps {
    writes_ok,
    writes_failed,
    reads_first,
    reads_fallback,
    reads_not_found,
    reads_unavailable
});

/// The replicated store inside a run and its counters.
#[derive(Clone, Debug, Default)]
pub(crate) struct DataPlane {
    /// The store (`None`: the cluster has none).
    pub(crate) store: Option<Store>,
    /// Ring statistics as of the last change or repair tick.
    ring_stats: Option<RingStats>,
    /// Keyed operations by outcome.
    ops: DataOps,
    /// Bumped whenever the ring or its statistics change.
    generation: u64,
}

impl Simulation {
    /// Time 0: the store with its preloaded keys, the operation stream and the repair tick.
    pub(super) fn start_data(&mut self) {
        let Some(d) = self.cfg.data.clone() else {
            return;
        };
        // Not `expect`: its message would format the error with `Debug`, whose derived code
        // (about 1 KB of the page's wasm) nothing else reaches.
        let mut store =
            Store::new(d.replication).unwrap_or_else(|e| panic!("validated with the cluster: {e}"));
        for k in 0..d.preload_keys {
            store.write(k);
        }
        self.data.store = Some(store);
        self.refresh_ring_stats();
        self.schedule_data_op();
        self.queue
            .push(SimTime(METRICS_TICK_US), Pending::RepairTick);
    }

    pub(super) fn schedule_data_op(&mut self) {
        let Some(d) = &self.cfg.data else { return };
        if d.ops_per_s <= 0.0 {
            return;
        }
        let gap = self.traffic.rng.exponential(1e6 / d.ops_per_s);
        let gap = if gap.is_finite() {
            (gap as u64).max(1)
        } else {
            1
        };
        self.queue
            .push_lane(DATA_OP_LANE, self.now.plus_us(gap), Pending::DataOp);
    }

    pub(super) fn data_op(&mut self) {
        let Some(d) = &self.cfg.data else { return };
        let (space, wf) = (d.key_space, d.write_fraction);
        let key = self.traffic.rng.below(space);
        let write = self.traffic.rng.chance(wf);
        let Some(store) = &mut self.data.store else {
            return;
        };
        if write {
            match store.write(key) {
                Some(_) => self.data.ops.writes_ok += 1,
                None => self.data.ops.writes_failed += 1,
            }
        } else {
            match store.read(key) {
                ReadResult::Found { fallbacks: 0, .. } => self.data.ops.reads_first += 1,
                ReadResult::Found { .. } => self.data.ops.reads_fallback += 1,
                ReadResult::NotFound => self.data.ops.reads_not_found += 1,
                ReadResult::Unavailable => self.data.ops.reads_unavailable += 1,
            }
        }
    }

    pub(super) fn repair_tick(&mut self) {
        let per_s = self.cfg.data.as_ref().map_or(0, |d| d.repair_per_s);
        if let Some(store) = &mut self.data.store {
            if store.under_replicated() > 0 && per_s > 0 {
                let copies = store.repair(per_s as usize);
                let remaining = store.under_replicated() as u64;
                if copies > 0 {
                    self.record(Event::Repaired { copies, remaining });
                    if remaining == 0 {
                        self.post(Notice::Repaired);
                    }
                }
                self.refresh_ring_stats();
            }
        }
        self.queue
            .push(self.now.plus_us(METRICS_TICK_US), Pending::RepairTick);
    }

    pub(super) fn refresh_ring_stats(&mut self) {
        self.data.ring_stats = self.data.store.as_ref().map(Store::stats);
        self.data.generation += 1;
    }

    /// The replicated store, if the cluster has one.
    pub fn store(&self) -> Option<&Store> {
        self.data.store.as_ref()
    }

    /// Ring statistics as of the last change or repair tick (cheap: cached).
    pub fn ring_stats(&self) -> Option<&RingStats> {
        self.data.ring_stats.as_ref()
    }

    /// Keyed operation counts.
    pub fn data_ops(&self) -> DataOps {
        self.data.ops
    }

    /// Bumped whenever the ring or its statistics change: a shell refetches the ring then.
    pub fn data_generation(&self) -> u64 {
        self.data.generation
    }

    /// Whether data-ring action `kind` on node `id` would be taken now, without taking it
    /// (other kinds: `Ok`).
    ///
    /// Errors: why not, as the store itself would say.
    pub(super) fn data_check(&self, kind: ActionKind, id: &str) -> Result<(), ReplicationError> {
        let store = || self.data.store.as_ref().ok_or(ReplicationError::NoStore);
        let up = |id: &str| -> Result<bool, ReplicationError> {
            let store = store()?;
            let node = store
                .node(id)
                .ok_or_else(|| ReplicationError::UnknownNode(id.into()))?;
            Ok(store.nodes[node as usize].up)
        };
        match kind {
            ActionKind::DataNodeFail if !up(id)? => Err(ReplicationError::AlreadyDown(id.into())),
            ActionKind::DataNodeRecover if up(id)? => Err(ReplicationError::AlreadyUp(id.into())),
            ActionKind::DataNodeJoin { .. } => store()?.check_join(id),
            ActionKind::DataNodeLeave => store()?.check_leave(id).map(|_| ()),
            _ => Ok(()),
        }
    }

    pub(super) fn data_fail(&mut self, id: &str) -> Result<(), ReplicationError> {
        self.data_check(ActionKind::DataNodeFail, id)?;
        let store = self.data.store.as_mut().ok_or(ReplicationError::NoStore)?;
        let node = store.node(id).unwrap_or(0);
        let under = store.fail(id)?;
        self.record(Event::DataNodeFailed {
            node,
            under_replicated: under as u32,
        });
        let repair_per_s = self.cfg.data.as_ref().map_or(0, |d| d.repair_per_s);
        self.post(Notice::DataNodeFailed {
            node,
            under_replicated: under as u32,
            repair_per_s,
        });
        self.refresh_ring_stats();
        Ok(())
    }

    pub(super) fn data_recover(&mut self, id: &str) -> Result<(), ReplicationError> {
        self.data_check(ActionKind::DataNodeRecover, id)?;
        let store = self.data.store.as_mut().ok_or(ReplicationError::NoStore)?;
        let node = store.node(id).unwrap_or(0);
        store.recover(id)?;
        self.record(Event::DataNodeRecovered { node });
        self.post(Notice::DataNodeRecovered { node });
        self.refresh_ring_stats();
        Ok(())
    }

    pub(super) fn data_join(&mut self, node: DataNodeConfig) -> Result<(), ReplicationError> {
        let store = self.data.store.as_mut().ok_or(ReplicationError::NoStore)?;
        let id = node.id.clone();
        let report = store.join(node)?;
        let index = store.node(&id).unwrap_or(0);
        let members = store.nodes.iter().filter(|n| n.member).count();
        self.membership_changed(index, true, report, members);
        Ok(())
    }

    pub(super) fn data_leave(&mut self, id: &str) -> Result<(), ReplicationError> {
        let store = self.data.store.as_mut().ok_or(ReplicationError::NoStore)?;
        let index = store
            .node(id)
            .ok_or_else(|| ReplicationError::UnknownNode(id.into()))?;
        let members = store.nodes.iter().filter(|n| n.member).count();
        let report = store.leave(id)?;
        self.membership_changed(index, false, report, members);
        Ok(())
    }

    /// Logs and posts a join or leave; `members` is the ring size the ideal share is measured
    /// against (after a join, before a leave).
    fn membership_changed(
        &mut self,
        node: u16,
        joined: bool,
        r: crate::mechanisms::replication::MoveReport,
        members: usize,
    ) {
        self.record(Event::DataMembership {
            node,
            joined,
            primaries_moved: r.primaries_moved,
            copies_moved: r.copies_moved,
        });
        self.post(Notice::DataMembership {
            node,
            joined,
            primaries_moved: r.primaries_moved,
            keys: r.keys,
            members: members as u32,
            copies_moved: r.copies_moved,
        });
        self.refresh_ring_stats();
    }
}
