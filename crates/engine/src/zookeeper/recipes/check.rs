//! The recipes' checker: what the recipe clients believe and hold, compared across
//! clients after every event, plus what must be true once a run has settled.
//!
//! After every event:
//! - **LockHolders**: at most one client believes it holds a lock, or any number of
//!   readers of a read/write lock and no writer. A holder paused past its session timeout
//!   breaks this when it resumes (another client took the lock after its ephemeral node
//!   went), which is why a lock alone cannot protect a resource (Kleppmann, "How to do
//!   distributed locking", 2016; the ZooKeeper recipes page's note that a holder must
//!   handle session expiry).
//! - **OneLeader**: at most one candidate of an election believes it leads.
//! - **FencedWrites**: a store never applies an older holder's write after a newer one's
//!   (what fencing tokens prevent).
//! - **BarrierOrder**: nobody computes inside a double barrier before all its clients
//!   arrived, and nobody leaves while another is still before or inside it.
//!
//! Once a run has settled ([`RecipeChecker::finish`]; faults undone, time passed):
//! - **MissedWakeup**: no client with a live session still waits for something that has
//!   already happened (a node it waits to go is gone, one it waits for exists, a queue it
//!   waits on has items).
//! - **QueueItems**: every item a producer was told is queued was taken by a consumer or
//!   is still in the queue (at least once: duplicates are counted, not flagged).
//! - **RegistryView**: every watcher with a live session sees exactly the registered
//!   instances.

use crate::sim::world::World;
use crate::zookeeper::client::SessionState;
use crate::zookeeper::data::tree::DataTree;
use crate::zookeeper::recipes::lock::LockKind;
use crate::zookeeper::recipes::registry::RegistryRole;
use crate::zookeeper::recipes::{Recipe, Wait};
use std::collections::{BTreeMap, BTreeSet};

/// A promise a recipe makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecipeProperty {
    /// At most one exclusive holder of a lock.
    LockHolders,
    /// At most one leader of an election.
    OneLeader,
    /// A store applies writes in token order.
    FencedWrites,
    /// A double barrier's clients enter together and leave together.
    BarrierOrder,
    /// No waiter sleeps through what it waits for.
    MissedWakeup,
    /// No acknowledged queue item is lost.
    QueueItems,
    /// Watchers see the registered instances.
    RegistryView,
}

impl RecipeProperty {
    /// Every property, in the panel's order.
    pub const ALL: [RecipeProperty; 7] = [
        RecipeProperty::LockHolders,
        RecipeProperty::OneLeader,
        RecipeProperty::FencedWrites,
        RecipeProperty::BarrierOrder,
        RecipeProperty::MissedWakeup,
        RecipeProperty::QueueItems,
        RecipeProperty::RegistryView,
    ];

    /// Its name (as the panel shows it).
    pub fn name(self) -> &'static str {
        match self {
            RecipeProperty::LockHolders => "LockHolders",
            RecipeProperty::OneLeader => "OneLeader",
            RecipeProperty::FencedWrites => "FencedWrites",
            RecipeProperty::BarrierOrder => "BarrierOrder",
            RecipeProperty::MissedWakeup => "MissedWakeup",
            RecipeProperty::QueueItems => "QueueItems",
            RecipeProperty::RegistryView => "RegistryView",
        }
    }

    /// The properties that concern the recipes a `recipe` line starts (`line` with or
    /// without its first word): its own, and MissedWakeup for those that wait.
    pub fn of_line(line: &str) -> Vec<RecipeProperty> {
        let mut words = line.split_whitespace();
        let mut kind = words.next().unwrap_or("");
        if kind == "recipe" {
            kind = words.next().unwrap_or("");
        }
        match kind {
            "lock" => vec![RecipeProperty::LockHolders, RecipeProperty::MissedWakeup],
            "election" => vec![RecipeProperty::OneLeader, RecipeProperty::MissedWakeup],
            "barrier" => vec![RecipeProperty::BarrierOrder, RecipeProperty::MissedWakeup],
            "queue" => vec![RecipeProperty::QueueItems, RecipeProperty::MissedWakeup],
            "registry" => vec![RecipeProperty::RegistryView],
            "store" => vec![RecipeProperty::FencedWrites],
            _ => Vec::new(),
        }
    }

    /// The properties that concern the recipes running in `w`.
    pub fn present(w: &World) -> Vec<RecipeProperty> {
        let mut set = BTreeSet::new();
        for c in w.zk_clients() {
            match &c.recipe {
                Some(Recipe::Lock(l)) if l.kind == LockKind::Election => {
                    set.insert(RecipeProperty::OneLeader);
                }
                Some(Recipe::Lock(_)) => {
                    set.insert(RecipeProperty::LockHolders);
                }
                Some(Recipe::Barrier(_)) => {
                    set.insert(RecipeProperty::BarrierOrder);
                }
                Some(Recipe::Queue(_)) => {
                    set.insert(RecipeProperty::QueueItems);
                }
                Some(Recipe::Registry(_)) => {
                    set.insert(RecipeProperty::RegistryView);
                }
                None => {}
            }
        }
        if w.stores().next().is_some() {
            set.insert(RecipeProperty::FencedWrites);
        }
        set.into_iter().collect()
    }
}

/// The clients that believe they hold the lock (or lead the election) at `path`, in id
/// order.
pub fn believers(w: &World, path: &str) -> Vec<u32> {
    w.zk_clients()
        .filter(|c| matches!(&c.recipe, Some(Recipe::Lock(l)) if l.path == path && l.holds()))
        .map(|c| c.id)
        .collect()
}

/// Clients written as the `holders` condition and query write them: `c1,c2`, or `none`.
pub fn client_list(ids: &[u32]) -> String {
    if ids.is_empty() {
        "none".to_string()
    } else {
        ids.iter()
            .map(|c| format!("c{c}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Watch notifications the waiters of the lock at `path` got, summed.
pub fn wakeups(w: &World, path: &str) -> u32 {
    w.zk_clients()
        .filter_map(|c| match &c.recipe {
            Some(Recipe::Lock(l)) if l.path == path => Some(l.wakeups),
            _ => None,
        })
        .sum()
}

/// The clients computing inside the double barrier at `path`, in id order.
pub fn inside(w: &World, path: &str) -> Vec<u32> {
    w.zk_clients()
        .filter(
            |c| matches!(&c.recipe, Some(Recipe::Barrier(b)) if b.path == path && b.computing()),
        )
        .map(|c| c.id)
        .collect()
}

/// Items the consumers of the queue at `path` took, in all.
pub fn taken(w: &World, path: &str) -> u32 {
    w.zk_clients()
        .filter_map(|c| match &c.recipe {
            Some(Recipe::Queue(q)) if q.path == path => Some(q.taken.len() as u32),
            _ => None,
        })
        .sum()
}

/// How many instances of the service at `path` watcher `client` sees, if it is one.
pub fn sees(w: &World, path: &str, client: u32) -> Option<u32> {
    match &w.zk_client(client)?.recipe {
        Some(Recipe::Registry(g)) if g.path == path && g.role == RegistryRole::Watcher => {
            Some(g.view.len() as u32)
        }
        _ => None,
    }
}

/// A moment when a recipe's promise did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipeViolation {
    /// Which promise.
    pub property: RecipeProperty,
    /// The index of the trace event after which it was seen.
    pub event: u64,
    /// Virtual time, ms.
    pub time: u64,
    /// What was wrong.
    pub detail: String,
}

/// Watches the recipe clients of a world.
#[derive(Clone, Debug, Default)]
pub struct RecipeChecker {
    violations: Vec<RecipeViolation>,
    /// What was already reported, so one overlap is reported once.
    reported: BTreeSet<String>,
    /// Wake-ups so far per lock (the herd effect).
    pub wakeups: BTreeMap<String, u32>,
    /// Queue items taken more than once (at least once delivery), after `finish`.
    pub duplicates: u32,
    /// Per barrier: the most process nodes any server's tree has held under it (who had
    /// arrived, as ZooKeeper knows it: a create's reply can come later than the node).
    barrier_peak: BTreeMap<String, u32>,
}

impl RecipeChecker {
    /// Violations so far.
    pub fn violations(&self) -> &[RecipeViolation] {
        &self.violations
    }

    fn report(
        &mut self,
        w: &World,
        event: u64,
        property: RecipeProperty,
        key: String,
        detail: String,
    ) {
        if self.reported.insert(format!("{} {key}", property.name())) {
            self.violations.push(RecipeViolation {
                property,
                event,
                time: w.now(),
                detail,
            });
        }
    }

    /// Compares the recipe clients' beliefs after event `event`.
    pub fn observe(&mut self, w: &World, event: u64) {
        // Per lock or election: who holds it, and whether any holder holds it exclusively.
        let mut holders: BTreeMap<(String, bool), (Vec<u32>, bool)> = BTreeMap::new();
        let mut wakeups: BTreeMap<String, u32> = BTreeMap::new();
        // Per barrier: its size, who arrived, who computes, who left, who is not done.
        let mut barriers: BTreeMap<String, Barrier> = BTreeMap::new();
        for c in w.zk_clients() {
            match &c.recipe {
                Some(Recipe::Lock(l)) => {
                    *wakeups.entry(l.path.clone()).or_default() += l.wakeups;
                    if l.holds() {
                        let election = l.kind == LockKind::Election;
                        let e = holders.entry((l.path.clone(), election)).or_default();
                        e.0.push(c.id);
                        e.1 |= l.exclusive();
                    }
                }
                Some(Recipe::Barrier(b)) => {
                    let e = barriers.entry(b.path.clone()).or_default();
                    e.size = b.size;
                    if b.computing() {
                        e.computing.push(c.id);
                    }
                    if b.phase == crate::zookeeper::recipes::barrier::BarrierPhase::Left {
                        e.left.push(c.id);
                    }
                    if b.inside_or_before() {
                        e.not_done.push(c.id);
                    }
                }
                _ => {}
            }
        }
        self.wakeups = wakeups;
        // Readers may share a lock; anyone holding exclusively must be alone.
        for ((path, election), (who, exclusive)) in holders {
            if exclusive && who.len() > 1 {
                let names = client_list(&who).replace(',', ", ");
                let (property, detail) = if election {
                    (
                        RecipeProperty::OneLeader,
                        format!("{names} all believe they lead {path}"),
                    )
                } else {
                    (
                        RecipeProperty::LockHolders,
                        format!("{names} all believe they hold the lock {path}"),
                    )
                };
                self.report(w, event, property, format!("{path} {who:?}"), detail);
            }
        }
        for (path, b) in barriers {
            let here = w
                .zk_servers()
                .filter_map(|(_, s)| s.tree().node(&path))
                .map(|n| n.children.iter().filter(|c| c.starts_with("p-")).count() as u32)
                .max()
                .unwrap_or(0);
            let peak = self.barrier_peak.entry(path.clone()).or_default();
            *peak = (*peak).max(here);
            let arrived = *peak;
            if let Some(c) = b.computing.first()
                && arrived < b.size
            {
                self.report(
                    w,
                    event,
                    RecipeProperty::BarrierOrder,
                    format!("{path} early c{c}"),
                    format!(
                        "c{c} computes inside the barrier {path} with only {arrived} of {} arrived",
                        b.size
                    ),
                );
            }
            if let (Some(gone), Some(still)) = (b.left.first(), b.not_done.first()) {
                self.report(
                    w,
                    event,
                    RecipeProperty::BarrierOrder,
                    format!("{path} left c{gone}"),
                    format!("c{gone} left the barrier {path} while c{still} had not finished"),
                );
            }
        }
        // A store that applied an older holder's write after a newer one's: the update
        // under the newer holder's lock is lost (what fencing tokens prevent).
        for st in w.stores() {
            let late: Vec<String> = st
                .out_of_order()
                .into_iter()
                .map(|(newer, older)| {
                    format!(
                        "store{} applied {}'s write to {} with token 0x{:x} after {}'s with token 0x{:x}: a zombie's write overwrote the holder's",
                        st.id, older.from, older.key, older.token, newer.from, newer.token
                    )
                })
                .collect();
            for detail in late {
                self.report(
                    w,
                    event,
                    RecipeProperty::FencedWrites,
                    detail.clone(),
                    detail,
                );
            }
        }
    }

    /// The checks that hold only once a run has settled (every fault undone, the
    /// ensemble serving, time for watches to fire): run them after event `event`. Needs
    /// an established leader, whose tree is the truth; without one it checks nothing.
    pub fn finish(&mut self, w: &World, event: u64) {
        let Some(tree) = w
            .zk_servers()
            .find(|(up, s)| *up && s.is_established_leader())
            .map(|(_, s)| s.tree())
        else {
            return;
        };
        let live =
            |c: &crate::zookeeper::client::ZkClient| c.session_state() == SessionState::Connected;
        let mut acked: Vec<(u32, String, String)> = Vec::new();
        let mut taken: BTreeMap<(String, String), u32> = BTreeMap::new();
        let mut found = Vec::new();
        for c in w.zk_clients() {
            let Some(r) = &c.recipe else { continue };
            if live(c)
                && let Some(wait) = r.waits_for()
                && let Some(what) = happened(tree, &wait)
            {
                found.push((
                    RecipeProperty::MissedWakeup,
                    format!("c{}", c.id),
                    format!("c{} still waits, but {what}", c.id),
                ));
            }
            match r {
                Recipe::Queue(q) => {
                    for d in &q.acked {
                        acked.push((c.id, q.path.clone(), d.clone()));
                    }
                    for d in &q.taken {
                        *taken.entry((q.path.clone(), d.clone())).or_default() += 1;
                    }
                }
                Recipe::Registry(g) if g.role == RegistryRole::Watcher && live(c) => {
                    let mut real: Vec<String> = tree
                        .node(&g.path)
                        .map(|n| n.children.iter().cloned().collect())
                        .unwrap_or_default();
                    real.sort();
                    if real != g.view {
                        found.push((
                            RecipeProperty::RegistryView,
                            format!("c{}", c.id),
                            format!(
                                "c{} sees {} instance(s) of {}, but {} are registered",
                                c.id,
                                g.view.len(),
                                g.path,
                                real.len()
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        for (producer, path, item) in acked {
            if taken.contains_key(&(path.clone(), item.clone())) || queued(tree, &path, &item) {
                continue;
            }
            found.push((
                RecipeProperty::QueueItems,
                format!("{path} {item}"),
                format!("{item} (put by c{producer}, acknowledged) was lost from {path}: nobody took it and it is not queued"),
            ));
        }
        self.duplicates = taken.values().map(|n| n.saturating_sub(1)).sum();
        for (property, key, detail) in found {
            self.report(w, event, property, key, detail);
        }
    }
}

/// What the barrier part of [`RecipeChecker::observe`] gathers per barrier.
#[derive(Default)]
struct Barrier {
    size: u32,
    computing: Vec<u32>,
    left: Vec<u32>,
    not_done: Vec<u32>,
}

/// If what `wait` waits for has already happened in `tree`, how.
fn happened(tree: &DataTree, wait: &Wait) -> Option<String> {
    match wait {
        Wait::Gone(p) if tree.node(p).is_none() => Some(format!("{p} is gone")),
        Wait::Created(p) if tree.node(p).is_some() => Some(format!("{p} exists")),
        Wait::Children(p) if tree.node(p).is_some_and(|n| !n.children.is_empty()) => {
            Some(format!("{p} has items"))
        }
        _ => None,
    }
}

/// True when an item with data `item` is still queued under `path`.
fn queued(tree: &DataTree, path: &str, item: &str) -> bool {
    tree.node(path).is_some_and(|n| {
        n.children.iter().any(|c| {
            tree.node(&format!("{path}/{c}"))
                .and_then(|d| d.data.as_deref())
                .is_some_and(|d| d == item.as_bytes())
        })
    })
}

/// Runs the recipe checker over a whole recording (its replay is
/// [`crate::sim::timeline::Timeline::replay_each`]; to check ZAB's invariants in the same
/// replay, use [`crate::zookeeper::invariants::check_timeline`]).
pub fn check_recipes(t: &crate::sim::timeline::Timeline) -> RecipeChecker {
    let mut checker = RecipeChecker::default();
    t.replay_each(|w, last| checker.observe(w, last));
    checker
}
