//! The client's own record of its watches (`ZKWatchManager`, apache/zookeeper
//! release-3.8.0). The engine's clients have one watcher each (the default watcher, as
//! zkCli does), so a watch is just a path in one of five sets. The records decide which
//! notifications reach the watcher (`materialize`) and what SetWatches re-registers after
//! a reconnect.

use crate::zookeeper::data::path;
use crate::zookeeper::data::watch::{EventType, WatchMode};
use crate::zookeeper::proto::{WatchSet, WatcherType};
use serde::Serialize;
use std::collections::BTreeSet;

/// The client's watches.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClientWatches {
    /// Data watches (getData with a watch, exists on an existing node).
    pub data: BTreeSet<String>,
    /// Exist watches (exists on a missing node).
    pub exist: BTreeSet<String>,
    /// Child watches (getChildren with a watch).
    pub child: BTreeSet<String>,
    /// Persistent watches.
    pub persistent: BTreeSet<String>,
    /// Persistent recursive watches.
    pub recursive: BTreeSet<String>,
}

impl ClientWatches {
    /// `materialize`: does an event of `kind` at `at` reach the watcher? One-shot
    /// registrations it matches are removed.
    pub fn materialize(&mut self, kind: EventType, at: &str) -> bool {
        let mut hit = false;
        match kind {
            EventType::None => return true,
            EventType::NodeDataChanged | EventType::NodeCreated => {
                hit |= self.data.remove(at);
                hit |= self.exist.remove(at);
            }
            EventType::NodeChildrenChanged => {
                hit |= self.child.remove(at);
            }
            EventType::NodeDeleted => {
                hit |= self.data.remove(at);
                hit |= self.exist.remove(at);
                hit |= self.child.remove(at);
            }
            _ => return true,
        }
        hit |= self.persistent.contains(at);
        let mut p = Some(at);
        while let Some(q) = p {
            hit |= self.recursive.contains(q);
            p = path::parent(q);
        }
        hit
    }

    /// Registers a persistent watch (`addWatch`).
    pub fn add_persistent(&mut self, at: &str, mode: WatchMode) {
        match mode {
            WatchMode::PersistentRecursive => self.recursive.insert(at.to_string()),
            _ => self.persistent.insert(at.to_string()),
        };
    }

    /// True when some watch of `kind` exists on `at` (`removeWatches` checks this on the
    /// client first and fails with NoWatcher otherwise). Persistent watches are only
    /// removed as `Any` (`-a`, the default).
    pub fn has(&self, at: &str, kind: WatcherType) -> bool {
        let data = self.data.contains(at) || self.exist.contains(at);
        let child = self.child.contains(at);
        let pers = self.persistent.contains(at) || self.recursive.contains(at);
        match kind {
            WatcherType::Data => data,
            WatcherType::Children => child,
            WatcherType::Any => data || child || pers,
        }
    }

    /// Removes the watches of `kind` on `at`; the events the watcher then receives
    /// (`DataWatchRemoved`, `ChildWatchRemoved`, `PersistentWatchRemoved`).
    pub fn remove(&mut self, at: &str, kind: WatcherType) -> Vec<EventType> {
        let mut out = Vec::new();
        if matches!(kind, WatcherType::Children | WatcherType::Any) && self.child.remove(at) {
            out.push(EventType::ChildWatchRemoved);
        }
        if matches!(kind, WatcherType::Data | WatcherType::Any) {
            let d = self.data.remove(at);
            let e = self.exist.remove(at);
            if d || e {
                out.push(EventType::DataWatchRemoved);
            }
        }
        if kind == WatcherType::Any {
            let p = self.persistent.remove(at);
            let r = self.recursive.remove(at);
            if p || r {
                out.push(EventType::PersistentWatchRemoved);
            }
        }
        out
    }

    /// What SetWatches re-registers.
    pub fn to_set(&self) -> WatchSet {
        WatchSet {
            data: self.data.iter().cloned().collect(),
            exist: self.exist.iter().cloned().collect(),
            child: self.child.iter().cloned().collect(),
            persistent: self.persistent.iter().cloned().collect(),
            recursive: self.recursive.iter().cloned().collect(),
        }
    }

    /// Every watched path with its kind, for display.
    pub fn list(&self) -> Vec<(String, &'static str)> {
        let mut v = Vec::new();
        for (set, kind) in [
            (&self.data, "data"),
            (&self.exist, "exist"),
            (&self.child, "child"),
            (&self.persistent, "persistent"),
            (&self.recursive, "recursive"),
        ] {
            v.extend(set.iter().map(|p| (p.clone(), kind)));
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shot_watches_are_consumed_persistent_ones_stay() {
        let mut w = ClientWatches::default();
        w.data.insert("/a".into());
        assert!(w.materialize(EventType::NodeDataChanged, "/a"));
        assert!(!w.materialize(EventType::NodeDataChanged, "/a"));
        w.add_persistent("/r", WatchMode::PersistentRecursive);
        assert!(w.materialize(EventType::NodeCreated, "/r/x/y"));
        assert!(w.materialize(EventType::NodeCreated, "/r/x/y"));
        assert!(!w.materialize(EventType::NodeCreated, "/other"));
    }
}
