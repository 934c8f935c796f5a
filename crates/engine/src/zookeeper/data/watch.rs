//! Server-side watches (`WatchManager` with `WatcherModeManager`, apache/zookeeper
//! release-3.8.0). A data tree keeps two managers, data watches and child watches; a
//! watcher is one client connection to this server, so watches live on the server the
//! client is connected to and die with that connection (the client re-registers them
//! with SetWatches when it reconnects).
//!
//! `triggerWatch(path, type)` looks at the path and, when any recursive watch exists, at
//! each ancestor: a STANDARD watch fires at its own path and is removed, a PERSISTENT one
//! fires at its own path and stays, a PERSISTENT_RECURSIVE one fires at its path and below
//! for every event but NodeChildrenChanged. Each watcher is told once per trigger.

use crate::sim::conn::ConnId;
use crate::zookeeper::data::path;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// `Watcher.Event.EventType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    /// A state change of the connection (no path).
    None,
    /// The node was created.
    NodeCreated,
    /// The node was deleted.
    NodeDeleted,
    /// The node's data changed.
    NodeDataChanged,
    /// A child was added or removed.
    NodeChildrenChanged,
    /// A data watch was removed (`removeWatches`).
    DataWatchRemoved,
    /// A child watch was removed.
    ChildWatchRemoved,
    /// A persistent watch was removed.
    PersistentWatchRemoved,
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// `WatcherMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum WatchMode {
    /// One-shot (`getData`/`exists`/`getChildren` with a watch).
    Standard,
    /// `addWatch -m PERSISTENT`.
    Persistent,
    /// `addWatch -m PERSISTENT_RECURSIVE`.
    PersistentRecursive,
}

impl WatchMode {
    fn persistent(self) -> bool {
        self != WatchMode::Standard
    }
}

/// One watch table (data or child).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WatchTable {
    /// Path → watchers with their mode there.
    by_path: BTreeMap<String, BTreeMap<ConnId, WatchMode>>,
    /// How many recursive watches there are (the parent walk is skipped when none).
    recursive: u32,
}

impl WatchTable {
    /// `addWatch(path, watcher, mode)`: a watcher has one mode per path (the last set).
    pub fn add(&mut self, path: &str, w: ConnId, mode: WatchMode) {
        let old = self
            .by_path
            .entry(path.to_string())
            .or_default()
            .insert(w, mode);
        if old == Some(WatchMode::PersistentRecursive) {
            self.recursive -= 1;
        }
        if mode == WatchMode::PersistentRecursive {
            self.recursive += 1;
        }
    }

    /// Removes `w`'s watch on `path`; true if there was one.
    pub fn remove(&mut self, path: &str, w: ConnId) -> bool {
        let Some(ws) = self.by_path.get_mut(path) else {
            return false;
        };
        let removed = ws.remove(&w);
        if removed == Some(WatchMode::PersistentRecursive) {
            self.recursive -= 1;
        }
        if ws.is_empty() {
            self.by_path.remove(path);
        }
        removed.is_some()
    }

    /// The mode of `w`'s watch on `path`, if any.
    pub fn mode(&self, path: &str, w: ConnId) -> Option<WatchMode> {
        self.by_path.get(path)?.get(&w).copied()
    }

    /// Drops every watch of a closed connection (`removeWatcher(cnxn)`).
    pub fn remove_watcher(&mut self, w: ConnId) {
        let paths: Vec<String> = self
            .by_path
            .iter()
            .filter(|(_, ws)| ws.contains_key(&w))
            .map(|(p, _)| p.clone())
            .collect();
        for p in paths {
            self.remove(&p, w);
        }
    }

    /// `triggerWatch(path, type, suppress)`: the watchers told (not counting suppressed
    /// ones), removing the one-shot watches that fired.
    pub fn trigger(
        &mut self,
        at: &str,
        event: EventType,
        suppress: &BTreeSet<ConnId>,
    ) -> BTreeSet<ConnId> {
        let mut fired = BTreeSet::new();
        let mut walk: Vec<(String, bool)> = vec![(at.to_string(), false)];
        if self.recursive > 0 {
            let mut p = at;
            while let Some(parent) = path::parent(p) {
                walk.push((parent.to_string(), true));
                p = parent;
            }
        }
        for (local, at_parent) in walk {
            let Some(ws) = self.by_path.get_mut(&local) else {
                continue;
            };
            let mut gone = Vec::new();
            for (&w, &mode) in ws.iter() {
                if mode == WatchMode::PersistentRecursive {
                    if event != EventType::NodeChildrenChanged {
                        fired.insert(w);
                    }
                } else if !at_parent {
                    fired.insert(w);
                    if !mode.persistent() {
                        gone.push(w);
                    }
                }
            }
            for w in gone {
                ws.remove(&w);
            }
            if ws.is_empty() {
                self.by_path.remove(&local);
            }
        }
        fired.retain(|w| !suppress.contains(w));
        fired
    }

    /// Every (path, watcher, mode), by path.
    pub fn entries(&self) -> impl Iterator<Item = (&str, ConnId, WatchMode)> {
        self.by_path
            .iter()
            .flat_map(|(p, ws)| ws.iter().map(move |(w, m)| (p.as_str(), *w, *m)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none() -> BTreeSet<ConnId> {
        BTreeSet::new()
    }

    #[test]
    fn standard_watches_fire_once() {
        let mut t = WatchTable::default();
        t.add("/a", ConnId(1), WatchMode::Standard);
        assert_eq!(
            t.trigger("/a", EventType::NodeDataChanged, &none()).len(),
            1
        );
        assert!(
            t.trigger("/a", EventType::NodeDataChanged, &none())
                .is_empty()
        );
    }

    #[test]
    fn persistent_watches_stay_and_ignore_descendants() {
        let mut t = WatchTable::default();
        t.add("/a", ConnId(1), WatchMode::Persistent);
        assert_eq!(
            t.trigger("/a", EventType::NodeDataChanged, &none()).len(),
            1
        );
        assert_eq!(
            t.trigger("/a", EventType::NodeDataChanged, &none()).len(),
            1
        );
        assert!(
            t.trigger("/a/b", EventType::NodeCreated, &none())
                .is_empty()
        );
    }

    #[test]
    fn recursive_watches_see_descendants_but_not_child_changes() {
        let mut t = WatchTable::default();
        t.add("/a", ConnId(1), WatchMode::PersistentRecursive);
        assert_eq!(
            t.trigger("/a/b/c", EventType::NodeCreated, &none()).len(),
            1
        );
        assert!(
            t.trigger("/a", EventType::NodeChildrenChanged, &none())
                .is_empty()
        );
        let sup: BTreeSet<ConnId> = [ConnId(1)].into();
        assert!(t.trigger("/a/b", EventType::NodeDeleted, &sup).is_empty());
        assert!(t.remove("/a", ConnId(1)));
        assert!(
            t.trigger("/a/b", EventType::NodeCreated, &none())
                .is_empty()
        );
    }
}
