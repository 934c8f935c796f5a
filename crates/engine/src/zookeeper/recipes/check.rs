//! The recipes' checker: what the clients believe, compared across clients after every
//! event. For a lock: at most one client believes it holds it at any moment, or any
//! number of readers of a read/write lock and no writer. A holder
//! paused past its session timeout breaks this when it resumes (another client took the
//! lock after its ephemeral node went), which is why the lock alone cannot protect a
//! resource and fencing tokens exist (Kleppmann, "How to do distributed locking", 2016;
//! the ZooKeeper documentation's note that a lock holder must handle session expiry).

use crate::sim::world::World;
use crate::zookeeper::recipes::Recipe;
use std::collections::{BTreeMap, BTreeSet};

/// The clients that believe they hold the lock at `path`, in id order.
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

/// A moment when the recipes' promise did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipeViolation {
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
    /// Lock paths already reported with these holders, so one overlap is reported once.
    reported: BTreeSet<(String, Vec<u32>)>,
    /// Most wake-ups seen at once per lock (the herd effect).
    pub wakeups: BTreeMap<String, u32>,
}

impl RecipeChecker {
    /// Violations so far.
    pub fn violations(&self) -> &[RecipeViolation] {
        &self.violations
    }

    /// Compares the recipe clients' beliefs after event `event`.
    pub fn observe(&mut self, w: &World, event: u64) {
        // Per lock: who holds it, and whether any holder holds it exclusively.
        let mut holders: BTreeMap<String, (Vec<u32>, bool)> = BTreeMap::new();
        let mut wakeups: BTreeMap<String, u32> = BTreeMap::new();
        for c in w.zk_clients() {
            if let Some(Recipe::Lock(l)) = &c.recipe {
                *wakeups.entry(l.path.clone()).or_default() += l.wakeups;
                if l.holds() {
                    let e = holders.entry(l.path.clone()).or_default();
                    e.0.push(c.id);
                    e.1 |= l.exclusive();
                }
            }
        }
        self.wakeups = wakeups;
        // A store that applied an older holder's write after a newer one's: the update
        // under the newer holder's lock is lost (what fencing tokens prevent).
        for st in w.stores() {
            for (newer, older) in st.out_of_order() {
                // One report per late write.
                let key = (
                    format!("store{} {} at {}", st.id, older.from, older.time),
                    Vec::new(),
                );
                if self.reported.insert(key) {
                    self.violations.push(RecipeViolation {
                        event,
                        time: w.now(),
                        detail: format!(
                            "store{} applied {}'s write to {} with token 0x{:x} after {}'s with token 0x{:x}: a zombie's write overwrote the holder's",
                            st.id, older.from, older.key, older.token, newer.from, newer.token
                        ),
                    });
                }
            }
        }
        // Readers may share a lock; anyone holding exclusively must be alone.
        for (path, (who, exclusive)) in holders {
            if exclusive && who.len() > 1 && self.reported.insert((path.clone(), who.clone())) {
                let names: Vec<String> = who.iter().map(|c| format!("c{c}")).collect();
                self.violations.push(RecipeViolation {
                    event,
                    time: w.now(),
                    detail: format!("{} all believe they hold the lock {path}", names.join(", ")),
                });
            }
        }
    }
}

/// Runs the recipe checker over a whole recording (its replay is
/// [`crate::sim::timeline::Timeline::replay_each`]; to check ZAB's invariants in the same
/// replay, use [`crate::zookeeper::invariants::check_timeline`]).
pub fn check_recipes(t: &crate::sim::timeline::Timeline) -> RecipeChecker {
    let mut checker = RecipeChecker::default();
    t.replay_each(|w, last| checker.observe(w, last));
    checker
}
