//! The data tree every server holds in memory (`DataTree`, apache/zookeeper release-3.8.0):
//! znodes by path with their data, ACL, persisted stat and children; the ephemerals of
//! each session; the container and TTL nodes; and this server's watch tables.
//!
//! Transactions are applied in zxid order (`processTxn`). A create bumps the parent's
//! persisted cversion to the value the txn carries and sets its pzxid; a delete sets only
//! the parent's pzxid (clients see `cversion = 2 * persisted − numChildren`, creations plus
//! deletions). Each change fires the watches `DataTree` fires: NodeCreated on the path and
//! NodeChildrenChanged on the parent for a create; NodeDeleted on the path (data, then
//! child watchers not already told) and NodeChildrenChanged on the parent for a delete;
//! NodeDataChanged for setData; nothing for setACL.

use crate::sim::conn::ConnId;
use crate::zookeeper::data::acl::Acl;
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::javahash::JavaHashSet;
use crate::zookeeper::data::path;
use crate::zookeeper::data::stat::{CONTAINER_OWNER, Stat, StatPersisted, TTL_MARK};
use crate::zookeeper::data::txn::{Data, NodeKind, Txn, TxnBody};
use crate::zookeeper::data::watch::{EventType, WatchMode, WatchTable};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One znode (`DataNode`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataNode {
    /// Its data (`None` is Java's `null`).
    pub data: Data,
    /// Its ACL.
    pub acl: Vec<Acl>,
    /// Its persisted stat.
    pub stat: StatPersisted,
    /// The names of its children.
    pub children: BTreeSet<String>,
}

impl DataNode {
    fn new(data: Data, acl: Vec<Acl>, stat: StatPersisted) -> DataNode {
        DataNode {
            data,
            acl,
            stat,
            children: BTreeSet::new(),
        }
    }

    /// The client view of its stat (`copyStat`).
    pub fn stat(&self) -> Stat {
        let len = self.data.as_ref().map_or(0, |d| d.len() as u32);
        self.stat.to_stat(len, self.children.len() as u32)
    }
}

/// A watch notification to send: which connection, what happened, where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fired {
    /// The watcher (the client connection on this server).
    pub watcher: ConnId,
    /// The event.
    pub event: EventType,
    /// The path.
    pub path: String,
}

/// What applying one transaction did (`ProcessTxnResult`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TxnResult {
    /// The result code (OK, or why the apply failed; an error txn's own code).
    pub err: Code,
    /// The path the txn was about.
    pub path: Option<String>,
    /// The node's stat after a create or setData/setACL.
    pub stat: Option<Stat>,
    /// The results of a multi's operations.
    pub multi: Vec<TxnResult>,
}

impl TxnResult {
    fn ok(path: Option<String>) -> TxnResult {
        TxnResult {
            err: Code::Ok,
            path,
            stat: None,
            multi: Vec::new(),
        }
    }
}

/// The tree (`DataTree`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataTree {
    /// Every node by full path.
    nodes: BTreeMap<String, DataNode>,
    /// Each session's ephemeral nodes (a Java `HashSet`, whose order shows).
    ephemerals: BTreeMap<u64, JavaHashSet>,
    /// Container nodes.
    containers: BTreeSet<String>,
    /// TTL nodes.
    ttls: BTreeSet<String>,
    /// Data (and exist) watches.
    pub data_watches: WatchTable,
    /// Child watches.
    pub child_watches: WatchTable,
}

impl Default for DataTree {
    fn default() -> Self {
        DataTree::new()
    }
}

impl DataTree {
    /// A fresh tree: `/`, `/zookeeper`, `/zookeeper/quota` and `/zookeeper/config` (which
    /// is read-only to everyone; `addConfigNode` sets its ACL with version −1, so its
    /// aclVersion is −1).
    pub fn new() -> DataTree {
        let empty: Data = Some(Vec::new().into());
        let mut nodes = BTreeMap::new();
        let mut root = DataNode::new(empty.clone(), Acl::open(), StatPersisted::default());
        root.children.insert("zookeeper".into());
        let mut zk = DataNode::new(empty.clone(), Acl::open(), StatPersisted::default());
        zk.children.insert("quota".into());
        zk.children.insert("config".into());
        let quota = DataNode::new(empty.clone(), Acl::open(), StatPersisted::default());
        let config = DataNode::new(
            empty,
            Acl::read_only(),
            StatPersisted {
                aversion: -1,
                ..Default::default()
            },
        );
        nodes.insert("/".to_string(), root);
        nodes.insert("/zookeeper".to_string(), zk);
        nodes.insert("/zookeeper/quota".to_string(), quota);
        nodes.insert("/zookeeper/config".to_string(), config);
        DataTree {
            nodes,
            ephemerals: BTreeMap::new(),
            containers: BTreeSet::new(),
            ttls: BTreeSet::new(),
            data_watches: WatchTable::default(),
            child_watches: WatchTable::default(),
        }
    }

    /// The node at `path`.
    pub fn node(&self, path: &str) -> Option<&DataNode> {
        self.nodes.get(path)
    }

    /// Every node, by path.
    pub fn nodes(&self) -> impl Iterator<Item = (&str, &DataNode)> {
        self.nodes.iter().map(|(p, n)| (p.as_str(), n))
    }

    /// True when both trees hold the same data: nodes (data, ACL, stat, children), the
    /// sessions' ephemerals, containers and TTL nodes; watches are not data and are left
    /// out (a replay of the log has none).
    pub fn same_data(&self, other: &DataTree) -> bool {
        self.nodes == other.nodes
            && self.ephemerals == other.ephemerals
            && self.containers == other.containers
            && self.ttls == other.ttls
    }

    /// How many nodes there are.
    pub fn node_count(&self) -> u32 {
        self.nodes.len() as u32
    }

    /// The ephemerals of `session` in the order `getEphemerals` lists them (a clone of
    /// the session's `HashSet`).
    pub fn ephemerals(&self, session: u64) -> Vec<String> {
        self.ephemerals
            .get(&session)
            .map(|s| s.clone_order())
            .unwrap_or_default()
    }

    /// Every session that owns ephemerals.
    pub fn ephemeral_sessions(&self) -> impl Iterator<Item = u64> + '_ {
        self.ephemerals.keys().copied()
    }

    /// The container nodes.
    pub fn containers(&self) -> &BTreeSet<String> {
        &self.containers
    }

    /// The TTL nodes.
    pub fn ttls(&self) -> &BTreeSet<String> {
        &self.ttls
    }

    /// `getAllChildrenNumber`: every node below `path` (not `path` itself).
    pub fn all_children_number(&self, path: &str) -> u32 {
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        self.nodes
            .keys()
            .filter(|p| p.as_str() != path && p.starts_with(&prefix))
            .count() as u32
    }

    /// Adds a watch of `w` (`getData`/`exists` → data table, `getChildren` → child table,
    /// `addWatch` → both).
    pub fn add_watch(&mut self, path: &str, w: ConnId, child: bool, mode: WatchMode) {
        if child {
            self.child_watches.add(path, w, mode);
        } else {
            self.data_watches.add(path, w, mode);
        }
    }

    /// Drops every watch of a closed connection.
    pub fn remove_watcher(&mut self, w: ConnId) {
        self.data_watches.remove_watcher(w);
        self.child_watches.remove_watcher(w);
    }

    /// Applies a transaction; the watches it fires are appended to `fired`, in the order
    /// they fire.
    pub fn process_txn(&mut self, txn: &Txn, fired: &mut Vec<Fired>) -> TxnResult {
        self.apply(&txn.body, txn, fired)
    }

    fn apply(&mut self, body: &TxnBody, txn: &Txn, fired: &mut Vec<Fired>) -> TxnResult {
        let (zxid, time) = (txn.zxid, txn.time);
        match body {
            TxnBody::Create {
                path,
                data,
                acl,
                kind,
                parent_cversion,
            } => {
                let owner = match kind {
                    NodeKind::Persistent => 0,
                    NodeKind::Ephemeral => txn.session,
                    NodeKind::Container => CONTAINER_OWNER,
                    NodeKind::Ttl(ttl) => TTL_MARK | ttl,
                };
                let r = self.create_node(
                    path,
                    data.clone(),
                    acl.clone(),
                    owner,
                    *parent_cversion,
                    zxid,
                    time,
                    fired,
                );
                match r {
                    Ok(stat) => TxnResult {
                        stat: Some(stat),
                        ..TxnResult::ok(Some(path.clone()))
                    },
                    Err(err) => TxnResult {
                        err,
                        ..TxnResult::ok(Some(path.clone()))
                    },
                }
            }
            TxnBody::Delete { path } => match self.delete_node(path, zxid, fired) {
                Ok(()) => TxnResult::ok(Some(path.clone())),
                Err(err) => TxnResult {
                    err,
                    ..TxnResult::ok(Some(path.clone()))
                },
            },
            TxnBody::SetData {
                path,
                data,
                version,
            } => match self.set_data(path, data.clone(), *version, zxid, time, fired) {
                Ok(stat) => TxnResult {
                    stat: Some(stat),
                    ..TxnResult::ok(Some(path.clone()))
                },
                Err(err) => TxnResult {
                    err,
                    ..TxnResult::ok(Some(path.clone()))
                },
            },
            TxnBody::SetAcl { path, acl, version } => match self.nodes.get_mut(path) {
                Some(n) => {
                    n.acl = acl.clone();
                    n.stat.aversion = *version;
                    TxnResult {
                        stat: Some(n.stat()),
                        ..TxnResult::ok(Some(path.clone()))
                    }
                }
                None => TxnResult {
                    err: Code::NoNode,
                    ..TxnResult::ok(Some(path.clone()))
                },
            },
            TxnBody::CloseSession { paths } => {
                self.kill_session(txn.session, zxid, paths, fired);
                TxnResult::ok(None)
            }
            TxnBody::Check { path, .. } => TxnResult::ok(Some(path.clone())),
            TxnBody::Error { code } => TxnResult {
                err: *code,
                ..TxnResult::ok(None)
            },
            TxnBody::CreateSession { .. } | TxnBody::Opaque => TxnResult::ok(None),
            TxnBody::Multi { ops } => {
                // processTxn's multi: if any op is an error, every other op is applied as
                // an error too (OK before the failure, RUNTIMEINCONSISTENCY after it).
                let failed = ops.iter().any(|o| matches!(o, TxnBody::Error { .. }));
                let mut post_failed = false;
                let mut results = Vec::new();
                let mut err = Code::Ok;
                for op in ops {
                    let r = if let TxnBody::Error { code } = op {
                        post_failed = true;
                        TxnResult {
                            err: *code,
                            ..TxnResult::ok(None)
                        }
                    } else if failed {
                        let code = if post_failed {
                            Code::RuntimeInconsistency
                        } else {
                            Code::Ok
                        };
                        TxnResult {
                            err: code,
                            ..TxnResult::ok(None)
                        }
                    } else {
                        self.apply(op, txn, fired)
                    };
                    if r.err != Code::Ok && err == Code::Ok {
                        err = r.err;
                    }
                    results.push(r);
                }
                TxnResult {
                    err,
                    multi: results,
                    ..TxnResult::ok(None)
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn create_node(
        &mut self,
        at: &str,
        data: Data,
        acl: Vec<Acl>,
        owner: u64,
        parent_cversion: i32,
        zxid: u64,
        time: u64,
        fired: &mut Vec<Fired>,
    ) -> Result<Stat, Code> {
        let parent_path = path::parent(at).ok_or(Code::NoNode)?.to_string();
        let name = path::name(at).to_string();
        let parent = self.nodes.get_mut(&parent_path).ok_or(Code::NoNode)?;
        if parent.children.contains(&name) {
            return Err(Code::NodeExists);
        }
        if parent_cversion > parent.stat.cversion {
            parent.stat.cversion = parent_cversion;
            parent.stat.pzxid = zxid;
        }
        parent.children.insert(name);
        let stat = StatPersisted {
            czxid: zxid,
            mzxid: zxid,
            ctime: time,
            mtime: time,
            version: 0,
            cversion: 0,
            aversion: 0,
            ephemeral_owner: owner,
            pzxid: zxid,
        };
        let node = DataNode::new(data, acl, stat);
        let out = node.stat();
        self.nodes.insert(at.to_string(), node);
        if owner == CONTAINER_OWNER {
            self.containers.insert(at.to_string());
        } else if owner & TTL_MARK == TTL_MARK {
            self.ttls.insert(at.to_string());
        } else if owner != 0 {
            self.ephemerals.entry(owner).or_default().insert(at);
        }
        self.fire_data(at, EventType::NodeCreated, &BTreeSet::new(), fired);
        self.fire_child(
            &parent_path,
            EventType::NodeChildrenChanged,
            &BTreeSet::new(),
            fired,
        );
        Ok(out)
    }

    fn delete_node(&mut self, at: &str, zxid: u64, fired: &mut Vec<Fired>) -> Result<(), Code> {
        let parent_path = path::parent(at).ok_or(Code::NoNode)?.to_string();
        let parent = self.nodes.get_mut(&parent_path).ok_or(Code::NoNode)?;
        parent.children.remove(path::name(at));
        if zxid > parent.stat.pzxid {
            parent.stat.pzxid = zxid;
        }
        let node = self.nodes.remove(at).ok_or(Code::NoNode)?;
        let owner = node.stat.ephemeral_owner;
        if owner == CONTAINER_OWNER {
            self.containers.remove(at);
        } else if owner & TTL_MARK == TTL_MARK {
            self.ttls.remove(at);
        } else if owner != 0
            && let Some(set) = self.ephemerals.get_mut(&owner)
        {
            set.remove(at);
            if set.is_empty() {
                self.ephemerals.remove(&owner);
            }
        }
        let told = self.fire_data(at, EventType::NodeDeleted, &BTreeSet::new(), fired);
        self.fire_child(at, EventType::NodeDeleted, &told, fired);
        self.fire_child(
            &parent_path,
            EventType::NodeChildrenChanged,
            &BTreeSet::new(),
            fired,
        );
        Ok(())
    }

    fn set_data(
        &mut self,
        at: &str,
        data: Data,
        version: i32,
        zxid: u64,
        time: u64,
        fired: &mut Vec<Fired>,
    ) -> Result<Stat, Code> {
        let n = self.nodes.get_mut(at).ok_or(Code::NoNode)?;
        n.data = data;
        n.stat.mtime = time;
        n.stat.mzxid = zxid;
        n.stat.version = version;
        let stat = n.stat();
        self.fire_data(at, EventType::NodeDataChanged, &BTreeSet::new(), fired);
        Ok(stat)
    }

    /// `killSession`: deletes the session's ephemerals, those the txn lists first, then any
    /// others this server still has for it.
    fn kill_session(&mut self, session: u64, zxid: u64, listed: &[String], fired: &mut Vec<Fired>) {
        let mut local = self.ephemerals.remove(&session).unwrap_or_default();
        for p in listed {
            let _ = self.delete_node(p, zxid, fired);
            local.remove(p);
        }
        for p in local.iter_order() {
            let _ = self.delete_node(&p, zxid, fired);
        }
    }

    fn fire_data(
        &mut self,
        at: &str,
        event: EventType,
        suppress: &BTreeSet<ConnId>,
        fired: &mut Vec<Fired>,
    ) -> BTreeSet<ConnId> {
        fire(&mut self.data_watches, at, event, suppress, fired)
    }

    fn fire_child(
        &mut self,
        at: &str,
        event: EventType,
        suppress: &BTreeSet<ConnId>,
        fired: &mut Vec<Fired>,
    ) -> BTreeSet<ConnId> {
        fire(&mut self.child_watches, at, event, suppress, fired)
    }
}

/// Triggers `event` at `at` in one watch table (`WatchManager.triggerWatch`), noting a
/// notification for each watcher it fires; returns the watchers fired.
fn fire(
    table: &mut WatchTable,
    at: &str,
    event: EventType,
    suppress: &BTreeSet<ConnId>,
    fired: &mut Vec<Fired>,
) -> BTreeSet<ConnId> {
    let ws = table.trigger(at, event, suppress);
    fired.extend(ws.iter().map(|&watcher| Fired {
        watcher,
        event,
        path: at.to_string(),
    }));
    ws
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn txn(zxid: u64, session: u64, body: TxnBody) -> Txn {
        Txn {
            zxid,
            session,
            cxid: 0,
            time: 1000 + zxid,
            body,
        }
    }

    fn create(path: &str, kind: NodeKind, parent_cversion: i32) -> TxnBody {
        TxnBody::Create {
            path: path.into(),
            data: Some(Arc::from(&b"x"[..])),
            acl: Acl::open(),
            kind,
            parent_cversion,
        }
    }

    #[test]
    fn fresh_root_has_cversion_minus_one() {
        let t = DataTree::new();
        let s = t.node("/").unwrap().stat();
        assert_eq!((s.cversion, s.num_children, s.pzxid), (-1, 1, 0));
        assert_eq!(t.node("/zookeeper/config").unwrap().stat().aversion, -1);
    }

    #[test]
    fn creates_and_deletes_move_cversion_and_pzxid() {
        let mut t = DataTree::new();
        let mut f = Vec::new();
        t.process_txn(&txn(2, 1, create("/p", NodeKind::Persistent, 1)), &mut f);
        t.process_txn(&txn(3, 1, create("/p/c1", NodeKind::Persistent, 1)), &mut f);
        t.process_txn(&txn(4, 1, create("/p/c2", NodeKind::Persistent, 2)), &mut f);
        t.process_txn(
            &txn(
                5,
                1,
                TxnBody::Delete {
                    path: "/p/c1".into(),
                },
            ),
            &mut f,
        );
        let p = t.node("/p").unwrap();
        assert_eq!(p.stat.cversion, 2, "persisted: creations only");
        let s = p.stat();
        assert_eq!((s.cversion, s.pzxid, s.num_children), (3, 5, 1));
        assert_eq!(t.all_children_number("/"), 5);
    }

    #[test]
    fn ephemerals_go_with_their_session() {
        let mut t = DataTree::new();
        let mut f = Vec::new();
        t.process_txn(&txn(2, 7, create("/e", NodeKind::Ephemeral, 1)), &mut f);
        assert_eq!(t.node("/e").unwrap().stat().ephemeral_owner, 7);
        t.add_watch("/e", ConnId(9), false, WatchMode::Standard);
        t.process_txn(
            &txn(
                3,
                7,
                TxnBody::CloseSession {
                    paths: vec!["/e".into()],
                },
            ),
            &mut f,
        );
        assert!(t.node("/e").is_none());
        assert_eq!(
            f,
            vec![Fired {
                watcher: ConnId(9),
                event: EventType::NodeDeleted,
                path: "/e".into()
            }]
        );
    }

    #[test]
    fn a_failed_multi_changes_nothing() {
        let mut t = DataTree::new();
        let mut f = Vec::new();
        let r = t.process_txn(
            &txn(
                2,
                1,
                TxnBody::Multi {
                    ops: vec![
                        create("/a", NodeKind::Persistent, 1),
                        TxnBody::Error {
                            code: Code::NodeExists,
                        },
                        TxnBody::Error {
                            code: Code::RuntimeInconsistency,
                        },
                    ],
                },
            ),
            &mut f,
        );
        assert!(t.node("/a").is_none());
        assert_eq!(r.err, Code::NodeExists);
        let codes: Vec<Code> = r.multi.iter().map(|m| m.err).collect();
        assert_eq!(
            codes,
            vec![Code::Ok, Code::NodeExists, Code::RuntimeInconsistency]
        );
    }
}
