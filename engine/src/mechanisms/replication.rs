//! Replicated data on a consistent-hash ring (or by rendezvous hashing), after the seed's
//! `DataNode` and `ReplicationManager` (`ha-architecture.md` §1.2: 3 replicas, nodes without
//! capacity skipped, reads with fallback) and Dynamo's preference lists and quorums.
//!
//! - [`Placement::Ring`]: Karger et al.'s consistent hashing with virtual nodes. Each node has
//!   `vnodes × weight` points at `xxh3_64(node id ‖ "#" ‖ i as u32 LE)`; a key at
//!   `xxh3_64(key as u64 LE)` belongs to the first point clockwise, and its replicas are the
//!   next distinct physical nodes clockwise (Dynamo's preference list).
//! - [`Placement::Rendezvous`]: the seed's own method (highest random weight): nodes sorted by
//!   `xxh3_64("key:node id")`, the first N that are eligible.
//!
//! Eligible means up, a member, and with room (`used < capacity`) for a new copy. All
//! iteration is over `Vec`s and `BTreeMap`s, so placement is the same natively and in wasm.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use xxhash_rust::xxh3::xxh3_64;

/// Most data nodes.
pub const MAX_NODES: usize = 64;
/// Most virtual nodes per unit of weight.
pub const MAX_VNODES: u32 = 1_000;
/// Most keys a store holds.
pub const MAX_KEYS: usize = 1_000_000;

/// How replicas are placed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Consistent-hash ring with virtual nodes.
    #[default]
    Ring,
    /// Rendezvous (highest random weight) hashing, the seed's `_select_nodes`.
    Rendezvous,
}

/// One data node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataNodeConfig {
    /// Node id, e.g. `node-1`.
    pub id: String,
    /// Keys (copies) it can hold.
    pub capacity: u64,
    /// Relative weight: its virtual-node count is `vnodes × weight`.
    pub weight: u32,
}

/// A replicated store's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplicationConfig {
    /// The nodes, members from the start.
    pub nodes: Vec<DataNodeConfig>,
    /// Virtual nodes per unit of weight, 1 to 1 000.
    pub vnodes: u32,
    /// Copies of each key, N (seed 3).
    pub replicas: u32,
    /// Ring or rendezvous.
    pub placement: Placement,
    /// Write quorum W: a write succeeds when W replicas stored it (N: all of them, the seed).
    pub write_quorum: u32,
    /// Read quorum R: a read asks R replicas and takes the newest version (1: first that
    /// answers, with fallback along the list, the seed).
    pub read_quorum: u32,
}

/// Why a replication config or a data-store command is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplicationError {
    /// A count outside its limits: (field, value, min, max).
    Count(&'static str, u64, u64, u64),
    /// Two nodes share an id.
    Duplicate(String),
    /// No node has this id.
    UnknownNode(String),
    /// The cluster has no replicated data store.
    NoStore,
    /// A failure of a node that is already down: (its id).
    AlreadyDown(String),
    /// A recovery of a node that is up: (its id).
    AlreadyUp(String),
}

impl std::fmt::Display for ReplicationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplicationError::Count(field, v, lo, hi) => {
                write!(f, "{field} is {v}; it must be between {lo} and {hi}")
            }
            ReplicationError::Duplicate(id) => write!(f, "two data nodes are named {id:?}"),
            ReplicationError::UnknownNode(id) => write!(f, "no data node {id:?}"),
            ReplicationError::NoStore => write!(f, "no data store"),
            ReplicationError::AlreadyDown(id) => write!(f, "data node {id} is already down"),
            ReplicationError::AlreadyUp(id) => write!(f, "data node {id} is up"),
        }
    }
}

impl std::error::Error for ReplicationError {}

fn count(field: &'static str, v: u64, lo: u64, hi: u64) -> Result<(), ReplicationError> {
    if v < lo || v > hi {
        Err(ReplicationError::Count(field, v, lo, hi))
    } else {
        Ok(())
    }
}

impl ReplicationConfig {
    /// `n` nodes `node-1..n` with `capacity` each, weight 1, ring placement, N = 3 (or n if
    /// fewer), W = N, R = 1: the seed's defaults.
    pub fn uniform(n: usize, vnodes: u32, capacity: u64) -> Self {
        let replicas = 3.min(n as u32).max(1);
        Self {
            nodes: (1..=n)
                .map(|i| DataNodeConfig {
                    id: format!("node-{i}"),
                    capacity,
                    weight: 1,
                })
                .collect(),
            vnodes,
            replicas,
            placement: Placement::Ring,
            write_quorum: replicas,
            read_quorum: 1,
        }
    }

    /// Checks every limit.
    ///
    /// Errors: the first [`ReplicationError`].
    pub fn validate(&self) -> Result<(), ReplicationError> {
        count("data nodes", self.nodes.len() as u64, 1, MAX_NODES as u64)?;
        count("vnodes", self.vnodes as u64, 1, MAX_VNODES as u64)?;
        count("replicas", self.replicas as u64, 1, self.nodes.len() as u64)?;
        count(
            "write_quorum",
            self.write_quorum as u64,
            1,
            self.replicas as u64,
        )?;
        count(
            "read_quorum",
            self.read_quorum as u64,
            1,
            self.replicas as u64,
        )?;
        let mut ids = BTreeSet::new();
        for n in &self.nodes {
            count("node weight", n.weight as u64, 1, 100)?;
            count("node capacity", n.capacity, 0, MAX_KEYS as u64 * 4)?;
            if n.id.is_empty() || n.id.len() > crate::common::MAX_NAME_LEN {
                return Err(ReplicationError::Count(
                    "node id length",
                    n.id.len() as u64,
                    1,
                    64,
                ));
            }
            if !ids.insert(n.id.as_str()) {
                return Err(ReplicationError::Duplicate(n.id.clone()));
            }
        }
        Ok(())
    }
}

/// A node's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataNode {
    /// Its settings.
    pub config: DataNodeConfig,
    /// In the ring (joined and not removed).
    pub member: bool,
    /// Answering (a failed member is still in the ring, but holds nothing reachable).
    pub up: bool,
    /// Copies it holds.
    pub used: u64,
}

/// The ring: sorted virtual-node points of the member nodes.
#[derive(Clone, Debug, Default)]
pub struct HashRing {
    points: Vec<(u64, u16)>,
}

impl HashRing {
    /// The ring of `nodes` (members only) with `vnodes` points per unit of weight.
    pub fn build(nodes: &[DataNode], vnodes: u32) -> Self {
        let mut points = Vec::new();
        for (i, n) in nodes.iter().enumerate() {
            if !n.member {
                continue;
            }
            for v in 0..vnodes * n.config.weight {
                points.push((vnode_hash(&n.config.id, v), i as u16));
            }
        }
        points.sort_unstable();
        Self { points }
    }

    /// The points, sorted by position: (position, node index).
    pub fn points(&self) -> &[(u64, u16)] {
        &self.points
    }

    /// Member nodes in clockwise order from `h`, each once.
    pub fn walk(&self, h: u64) -> impl Iterator<Item = u16> + '_ {
        let start = self.points.partition_point(|(p, _)| *p < h);
        let n = self.points.len();
        let mut seen: Vec<u16> = Vec::new();
        (0..n).filter_map(move |k| {
            let node = self.points[(start + k) % n].1;
            if seen.contains(&node) {
                None
            } else {
                seen.push(node);
                Some(node)
            }
        })
    }

    /// Each node's share of the hash space, `[0, 1]`, indexed like the nodes.
    pub fn shares(&self, n_nodes: usize) -> Vec<f64> {
        let mut shares = vec![0.0; n_nodes];
        let n = self.points.len();
        for k in 0..n {
            let (p, node) = self.points[k];
            let prev = if k == 0 {
                self.points[n - 1].0
            } else {
                self.points[k - 1].0
            };
            // The arc (prev, p] belongs to the point at p.
            let arc = p.wrapping_sub(prev);
            let arc = if n == 1 { u64::MAX } else { arc };
            shares[node as usize] += arc as f64 / 2f64.powi(64);
        }
        shares
    }
}

fn vnode_hash(id: &str, v: u32) -> u64 {
    let mut bytes = Vec::with_capacity(id.len() + 5);
    bytes.extend_from_slice(id.as_bytes());
    bytes.push(b'#');
    bytes.extend_from_slice(&v.to_le_bytes());
    xxh3_64(&bytes)
}

/// A key's position on the ring.
pub fn key_hash(key: u64) -> u64 {
    xxh3_64(&key.to_le_bytes())
}

fn rendezvous_score(key: u64, node: &str) -> u64 {
    // The seed's `f"{key}:{node.node_id}"`, hashed with XXH3 instead of MD5.
    xxh3_64(format!("{key}:{node}").as_bytes())
}

/// What a membership change or failure did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveReport {
    /// Keys whose primary changed.
    pub primaries_moved: u64,
    /// Copies created or dropped to follow the new placement.
    pub copies_moved: u64,
    /// Keys stored when it happened.
    pub keys: u64,
}

/// Where a read was answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadResult {
    /// Answered by `node` after `fallbacks` replicas did not; `version` is what it returned.
    Found {
        /// Node index.
        node: u16,
        /// Replicas tried first that were down or did not have it.
        fallbacks: u32,
        /// The version read (the newest among the quorum).
        version: u64,
    },
    /// No replica that answered has the key.
    NotFound,
    /// Fewer than R replicas answered.
    Unavailable,
}

/// A replicated key-value store: nodes, the ring, and where each key's copies are.
#[derive(Clone, Debug)]
pub struct Store {
    cfg: ReplicationConfig,
    /// The nodes, in config order, then joined ones.
    pub nodes: Vec<DataNode>,
    ring: HashRing,
    /// Key → (node, version) copies.
    copies: BTreeMap<u64, Vec<(u16, u64)>>,
    next_version: u64,
    /// Keys with fewer live copies than N.
    under_replicated: BTreeSet<u64>,
    /// The last membership change.
    pub last_change: MoveReport,
    /// Copies created by repair, since the start.
    pub repaired: u64,
}

impl Store {
    /// An empty store.
    ///
    /// Errors: the config's first [`ReplicationError`].
    pub fn new(cfg: ReplicationConfig) -> Result<Self, ReplicationError> {
        cfg.validate()?;
        let nodes: Vec<DataNode> = cfg
            .nodes
            .iter()
            .map(|c| DataNode {
                config: c.clone(),
                member: true,
                up: true,
                used: 0,
            })
            .collect();
        let ring = HashRing::build(&nodes, cfg.vnodes);
        Ok(Self {
            cfg,
            nodes,
            ring,
            copies: BTreeMap::new(),
            next_version: 1,
            under_replicated: BTreeSet::new(),
            last_change: MoveReport::default(),
            repaired: 0,
        })
    }

    /// The settings.
    pub fn config(&self) -> &ReplicationConfig {
        &self.cfg
    }

    /// The ring.
    pub fn ring(&self) -> &HashRing {
        &self.ring
    }

    /// Keys stored.
    pub fn len(&self) -> usize {
        self.copies.len()
    }

    /// True when no key is stored.
    pub fn is_empty(&self) -> bool {
        self.copies.is_empty()
    }

    /// Keys with fewer live copies than N.
    pub fn under_replicated(&self) -> usize {
        self.under_replicated.len()
    }

    /// The node index of `id`.
    pub fn node(&self, id: &str) -> Option<u16> {
        self.nodes
            .iter()
            .position(|n| n.config.id == id)
            .map(|i| i as u16)
    }

    /// The preference list of `key`: member nodes in placement order (up or not).
    pub fn preference(&self, key: u64) -> Vec<u16> {
        self.preference_iter(key).collect()
    }

    /// [`Store::preference`] lazily: the ring is walked only as far as it is read.
    fn preference_iter(&self, key: u64) -> Box<dyn Iterator<Item = u16> + '_> {
        match self.cfg.placement {
            Placement::Ring => Box::new(self.ring.walk(key_hash(key))),
            Placement::Rendezvous => {
                let mut order: Vec<(u64, u16)> = self
                    .nodes
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.member)
                    .map(|(i, n)| (rendezvous_score(key, &n.config.id), i as u16))
                    .collect();
                order.sort_unstable();
                Box::new(order.into_iter().map(|(_, i)| i))
            }
        }
    }

    /// The N nodes that should hold `key` now: the first N eligible (up, member, and with room
    /// unless they already hold it) along its preference list.
    pub fn replica_set(&self, key: u64) -> Vec<u16> {
        let held: Vec<u16> = self
            .copies
            .get(&key)
            .map(|c| c.iter().map(|(n, _)| *n).collect())
            .unwrap_or_default();
        self.preference_iter(key)
            .filter(|i| {
                let n = &self.nodes[*i as usize];
                n.up && (held.contains(i) || n.used < n.config.capacity)
            })
            .take(self.cfg.replicas as usize)
            .collect()
    }

    /// Where `key`'s copies are now: (node, version).
    pub fn copies(&self, key: u64) -> &[(u16, u64)] {
        self.copies.get(&key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Writes `key` to its replica set. Returns the nodes that stored it, or `None` when fewer
    /// than W could (the write fails; nothing is stored).
    pub fn write(&mut self, key: u64) -> Option<Vec<u16>> {
        let set = self.replica_set(key);
        if (set.len() as u32) < self.cfg.write_quorum || self.copies.len() >= MAX_KEYS {
            return None;
        }
        let version = self.next_version;
        self.next_version += 1;
        let entry = self.copies.entry(key).or_default();
        for &n in &set {
            match entry.iter_mut().find(|(x, _)| *x == n) {
                Some(c) => c.1 = version,
                None => {
                    entry.push((n, version));
                    self.nodes[n as usize].used += 1;
                }
            }
        }
        self.refresh_replication(key);
        Some(set)
    }

    /// Reads `key`: asks replicas along its preference list, skipping down ones, until R have
    /// answered; returns the newest version among them (R = 1: the first that has it, the
    /// seed's `get_with_fallback`).
    pub fn read(&self, key: u64) -> ReadResult {
        let copies = self.copies(key);
        let mut answered = 0u32;
        let mut fallbacks = 0u32;
        let mut best: Option<(u16, u64)> = None;
        for n in self.preference_iter(key) {
            let node = &self.nodes[n as usize];
            if !node.up {
                fallbacks += 1;
                continue;
            }
            answered += 1;
            match copies.iter().find(|(x, _)| *x == n) {
                Some(&(_, v)) => {
                    if best.is_none_or(|(_, b)| v > b) {
                        best = Some((n, v));
                    }
                    if self.cfg.read_quorum == 1 {
                        break;
                    }
                }
                None if self.cfg.read_quorum == 1 => fallbacks += 1,
                None => {}
            }
            if answered >= self.cfg.read_quorum {
                break;
            }
        }
        if answered < self.cfg.read_quorum {
            return ReadResult::Unavailable;
        }
        match best {
            Some((node, version)) => ReadResult::Found {
                node,
                fallbacks,
                version,
            },
            None => ReadResult::NotFound,
        }
    }

    fn refresh_replication(&mut self, key: u64) {
        let live = self
            .copies(key)
            .iter()
            .filter(|(n, _)| self.nodes[*n as usize].up)
            .count();
        if live < self.cfg.replicas as usize {
            self.under_replicated.insert(key);
        } else {
            self.under_replicated.remove(&key);
        }
    }

    /// `id` fails: its copies become unreachable; keys it held are under-replicated until
    /// repaired. Returns how many keys that left under-replicated.
    ///
    /// Errors: an unknown id.
    pub fn fail(&mut self, id: &str) -> Result<usize, ReplicationError> {
        let i = self
            .node(id)
            .ok_or_else(|| ReplicationError::UnknownNode(id.into()))?;
        self.nodes[i as usize].up = false;
        let before = self.under_replicated.len();
        let keys: Vec<u64> = self
            .copies
            .iter()
            .filter(|(_, c)| c.iter().any(|(n, _)| *n == i))
            .map(|(k, _)| *k)
            .collect();
        for k in keys {
            self.refresh_replication(k);
        }
        Ok(self.under_replicated.len() - before)
    }

    /// `id` recovers with the copies it had.
    ///
    /// Errors: an unknown id.
    pub fn recover(&mut self, id: &str) -> Result<(), ReplicationError> {
        let i = self
            .node(id)
            .ok_or_else(|| ReplicationError::UnknownNode(id.into()))?;
        self.nodes[i as usize].up = true;
        let keys: Vec<u64> = self.under_replicated.iter().copied().collect();
        for k in keys {
            self.refresh_replication(k);
        }
        Ok(())
    }

    /// Repairs up to `max` under-replicated keys: each gets copies on the next eligible nodes
    /// of its preference list (from a live copy). Returns copies created.
    pub fn repair(&mut self, max: usize) -> u64 {
        let keys: Vec<u64> = self.under_replicated.iter().take(max).copied().collect();
        let mut created = 0;
        for k in keys {
            let has_live = self
                .copies(k)
                .iter()
                .any(|(n, _)| self.nodes[*n as usize].up);
            if !has_live {
                continue; // every copy is on a failed node: nothing to copy from
            }
            let version = self.copies(k).iter().map(|(_, v)| *v).max().unwrap_or(0);
            for n in self.replica_set(k) {
                let entry = self.copies.entry(k).or_default();
                if !entry.iter().any(|(x, _)| *x == n) {
                    entry.push((n, version));
                    self.nodes[n as usize].used += 1;
                    created += 1;
                }
            }
            self.refresh_replication(k);
        }
        self.repaired += created;
        created
    }

    /// Adds a node (it takes over its ranges: copies move to follow the new placement).
    ///
    /// Errors: a duplicate id or too many nodes.
    pub fn join(&mut self, node: DataNodeConfig) -> Result<MoveReport, ReplicationError> {
        self.check_join(&node.id)?;
        let old = self.primaries();
        self.nodes.push(DataNode {
            config: node,
            member: true,
            up: true,
            used: 0,
        });
        Ok(self.rebalance(old))
    }

    /// Removes a node gracefully (its copies move to the nodes that now own them).
    ///
    /// Errors: an unknown id, or fewer than N nodes would be left.
    pub fn leave(&mut self, id: &str) -> Result<MoveReport, ReplicationError> {
        let i = self.check_leave(id)?;
        let old = self.primaries();
        self.nodes[i as usize].member = false;
        Ok(self.rebalance(old))
    }

    /// Whether a node `id` could join now, without joining: [`Store::join`]'s errors.
    pub fn check_join(&self, id: &str) -> Result<(), ReplicationError> {
        if self.node(id).is_some() {
            return Err(ReplicationError::Duplicate(id.into()));
        }
        count(
            "data nodes",
            self.nodes.len() as u64 + 1,
            1,
            MAX_NODES as u64,
        )
    }

    /// Whether node `id` could leave now, without leaving: [`Store::leave`]'s errors.
    /// Returns the node's index.
    pub fn check_leave(&self, id: &str) -> Result<u16, ReplicationError> {
        let i = self
            .node(id)
            .ok_or_else(|| ReplicationError::UnknownNode(id.into()))?;
        let members = self.nodes.iter().filter(|n| n.member).count();
        count(
            "members left",
            members as u64 - 1,
            self.cfg.replicas as u64,
            MAX_NODES as u64,
        )?;
        Ok(i)
    }

    /// (key, primary) for every stored key, under the current membership.
    fn primaries(&self) -> Vec<(u64, Option<u16>)> {
        self.copies
            .keys()
            .map(|k| (*k, self.replica_set(*k).first().copied()))
            .collect()
    }

    /// Rebuilds the ring and moves copies to the new replica sets; counts every move.
    fn rebalance(&mut self, old_primary: Vec<(u64, Option<u16>)>) -> MoveReport {
        self.ring = HashRing::build(&self.nodes, self.cfg.vnodes);
        let mut report = MoveReport {
            keys: self.copies.len() as u64,
            ..MoveReport::default()
        };
        for (k, old) in old_primary {
            // The new set, ignoring capacity held by copies about to be dropped.
            let new_set: Vec<u16> = self
                .preference_iter(k)
                .filter(|i| self.nodes[*i as usize].up)
                .take(self.cfg.replicas as usize)
                .collect();
            if new_set.first().copied() != old {
                report.primaries_moved += 1;
            }
            let version = self.copies(k).iter().map(|(_, v)| *v).max().unwrap_or(0);
            let entry = self.copies.entry(k).or_default();
            let before: Vec<u16> = entry.iter().map(|(n, _)| *n).collect();
            for n in &before {
                if !new_set.contains(n) && self.nodes[*n as usize].up {
                    report.copies_moved += 1;
                    self.nodes[*n as usize].used -= 1;
                }
            }
            entry.retain(|(n, _)| new_set.contains(n) || !self.nodes[*n as usize].up);
            for n in &new_set {
                if !before.contains(n) {
                    entry.push((*n, version));
                    self.nodes[*n as usize].used += 1;
                    report.copies_moved += 1;
                }
            }
            self.refresh_replication(k);
        }
        self.last_change = report;
        report
    }

    /// Ring statistics now (see [`RingStats`]).
    pub fn stats(&self) -> RingStats {
        let shares = self.ring.shares(self.nodes.len());
        let members: Vec<usize> = (0..self.nodes.len())
            .filter(|i| self.nodes[*i].member)
            .collect();
        let mut primaries = vec![0u64; self.nodes.len()];
        for k in self.copies.keys() {
            if let Some(p) = self.preference_iter(*k).next() {
                primaries[p as usize] += 1;
            }
        }
        let keys = self.copies.len().max(1) as f64;
        let nodes = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| NodeStats {
                id: n.config.id.clone(),
                member: n.member,
                up: n.up,
                keyspace_share: shares[i],
                primary_keys: primaries[i],
                primary_share: primaries[i] as f64 / keys,
                copies: n.used,
                capacity: n.config.capacity,
            })
            .collect();
        let member_shares: Vec<f64> = members.iter().map(|i| shares[*i]).collect();
        let m = members.len().max(1) as f64;
        RingStats {
            nodes,
            keys: self.copies.len() as u64,
            keyspace_stddev_pct: stddev_pct(&member_shares),
            keys_stddev_pct: stddev_pct(
                &members
                    .iter()
                    .map(|i| primaries[*i] as f64)
                    .collect::<Vec<_>>(),
            ),
            under_replicated: self.under_replicated.len() as u64,
            last_change: self.last_change,
            ideal_move_pct: 100.0 / m,
        }
    }
}

/// Standard deviation as a percentage of the mean.
fn stddev_pct(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    if n == 0.0 {
        return 0.0;
    }
    let mean = xs.iter().sum::<f64>() / n;
    if mean == 0.0 {
        return 0.0;
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    100.0 * libm::sqrt(var) / mean
}

/// One node in [`RingStats`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeStats {
    /// Node id.
    pub id: String,
    /// In the ring.
    pub member: bool,
    /// Answering.
    pub up: bool,
    /// Share of the hash space its points own, `[0, 1]`.
    pub keyspace_share: f64,
    /// Keys whose primary it is.
    pub primary_keys: u64,
    /// Of all keys, the share whose primary it is.
    pub primary_share: f64,
    /// Copies it holds.
    pub copies: u64,
    /// Copies it can hold.
    pub capacity: u64,
}

/// Ring statistics: the numbers a teacher quotes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RingStats {
    /// Per node.
    pub nodes: Vec<NodeStats>,
    /// Keys stored.
    pub keys: u64,
    /// Standard deviation of members' key-space shares, % of the mean (≈ 100/√vnodes).
    pub keyspace_stddev_pct: f64,
    /// Standard deviation of members' primary key counts, % of the mean.
    pub keys_stddev_pct: f64,
    /// Keys with fewer live copies than N.
    pub under_replicated: u64,
    /// The last membership change.
    pub last_change: MoveReport,
    /// What adding one node should move ideally, % of keys: 100 / (members + 1) after it joined.
    pub ideal_move_pct: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(n: usize, vnodes: u32, keys: u64) -> Store {
        let mut s = Store::new(ReplicationConfig::uniform(n, vnodes, 1_000_000)).unwrap();
        for k in 0..keys {
            s.write(k).unwrap();
        }
        s
    }

    #[test]
    fn replica_sets_are_n_distinct_nodes_and_deterministic() {
        for placement in [Placement::Ring, Placement::Rendezvous] {
            let mut cfg = ReplicationConfig::uniform(6, 50, 1_000_000);
            cfg.placement = placement;
            let a = Store::new(cfg.clone()).unwrap();
            let b = Store::new(cfg).unwrap();
            for k in 0..1_000 {
                let set = a.replica_set(k);
                assert_eq!(set.len(), 3);
                let distinct: BTreeSet<_> = set.iter().collect();
                assert_eq!(distinct.len(), 3);
                assert_eq!(set, b.replica_set(k));
            }
        }
    }

    #[test]
    fn full_nodes_are_skipped_as_in_the_seed() {
        let mut cfg = ReplicationConfig::uniform(4, 50, 1_000);
        cfg.nodes[0].capacity = 0;
        let mut s = Store::new(cfg).unwrap();
        for k in 0..200 {
            let set = s.write(k).unwrap();
            assert!(!set.contains(&0));
        }
    }

    #[test]
    fn virtual_nodes_even_out_the_load_as_gryski_reports() {
        // 100 vnodes: σ ≈ 10 % of the mean; 1000: ≈ 3.2 %. Averaged over ring sizes.
        let avg = |v: u32| {
            let runs: Vec<f64> = [10usize, 20, 30, 40]
                .iter()
                .map(|&n| {
                    Store::new(ReplicationConfig::uniform(n, v, 1))
                        .unwrap()
                        .stats()
                        .keyspace_stddev_pct
                })
                .collect();
            runs.iter().sum::<f64>() / runs.len() as f64
        };
        let s100 = avg(100);
        let s1000 = avg(1_000);
        assert!((7.0..13.0).contains(&s100), "100 vnodes: {s100:.2} %");
        assert!((2.2..4.2).contains(&s1000), "1000 vnodes: {s1000:.2} %");
    }

    #[test]
    fn adding_one_node_moves_about_one_over_n_plus_one_of_the_keys() {
        let mut s = store(9, 200, 10_000);
        let r = s
            .join(DataNodeConfig {
                id: "node-10".into(),
                capacity: 1_000_000,
                weight: 1,
            })
            .unwrap();
        let moved = r.primaries_moved as f64 / r.keys as f64;
        assert!((moved - 0.1).abs() < 0.02, "moved {moved:.3}, ideal 0.100");
        // Every moved primary moved to the new node.
        let new = s.node("node-10").unwrap();
        let on_new = s.stats().nodes[new as usize].primary_keys;
        assert_eq!(on_new, r.primaries_moved);
        // Removing it again moves the same keys back.
        let back = s.leave("node-10").unwrap();
        assert_eq!(back.primaries_moved, r.primaries_moved);
    }

    #[test]
    fn rendezvous_moves_one_over_n_plus_one_too() {
        let mut cfg = ReplicationConfig::uniform(9, 1, 1_000_000);
        cfg.placement = Placement::Rendezvous;
        let mut s = Store::new(cfg).unwrap();
        for k in 0..10_000 {
            s.write(k).unwrap();
        }
        let r = s
            .join(DataNodeConfig {
                id: "node-10".into(),
                capacity: 1_000_000,
                weight: 1,
            })
            .unwrap();
        let moved = r.primaries_moved as f64 / r.keys as f64;
        assert!((moved - 0.1).abs() < 0.01, "moved {moved:.3}, ideal 0.100");
        assert!(
            s.stats().keys_stddev_pct < 5.0,
            "{}",
            s.stats().keys_stddev_pct
        );
    }

    #[test]
    fn reads_fall_back_when_the_primary_is_down_and_repair_restores_n_copies() {
        let mut s = store(5, 100, 2_000);
        let key = 42;
        let primary = s.replica_set(key)[0];
        let id = s.nodes[primary as usize].config.id.clone();
        let under = s.fail(&id).unwrap();
        assert!(under > 200, "{under}");
        match s.read(key) {
            ReadResult::Found {
                node, fallbacks, ..
            } => {
                assert_ne!(node, primary);
                assert_eq!(fallbacks, 1);
            }
            other => panic!("{other:?}"),
        }
        let mut rounds = 0;
        while s.under_replicated() > 0 {
            s.repair(100);
            rounds += 1;
            assert!(rounds < 100);
        }
        for k in 0..2_000 {
            let live = s
                .copies(k)
                .iter()
                .filter(|(n, _)| s.nodes[*n as usize].up)
                .count();
            assert_eq!(live, 3, "key {k}");
        }
        assert!(s.repaired >= under as u64);
    }

    /// Writes key 7, fails its primary, writes it again (the primary misses it), brings the
    /// primary back with its stale copy, and reads. Returns (version read, newest version).
    fn stale_primary_read(r: u32, w: u32) -> (u64, u64) {
        let mut cfg = ReplicationConfig::uniform(5, 100, 1_000_000);
        cfg.write_quorum = w;
        cfg.read_quorum = r;
        let mut s = Store::new(cfg).unwrap();
        s.write(7).unwrap();
        let primary = s.nodes[s.replica_set(7)[0] as usize].config.id.clone();
        s.fail(&primary).unwrap();
        s.write(7).unwrap();
        let newest = s.copies(7).iter().map(|(_, v)| *v).max().unwrap();
        s.recover(&primary).unwrap();
        match s.read(7) {
            ReadResult::Found { version, .. } => (version, newest),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quorum_reads_see_writes_when_r_plus_w_exceeds_n() {
        // N = 3, W = 2, R = 2: the stale primary is outvoted by a replica with the write.
        let (read, newest) = stale_primary_read(2, 2);
        assert_eq!(read, newest);
        // N = 3, W = 3, R = 1 (the seed): still newest here, because the write went to all
        // three live replicas — but the first replica asked is the stale primary...
        let (read, newest) = stale_primary_read(1, 1);
        // ...so with R + W ≤ N a read can return an old version.
        assert!(
            read < newest,
            "R = 1 read the stale primary: {read} < {newest}"
        );
    }
}
