//! Requests a server answers from its own data tree, without a transaction
//! (`FinalRequestProcessor`, apache/zookeeper release-3.8.0). A follower answers them from
//! its copy, which may lag the leader's: reads can be stale, which is what `sync` is for.
//!
//! Watches set here belong to the connection (`cnxn`) the request came on.

use crate::sim::conn::ConnId;
use crate::zookeeper::data::acl::{self, Acl, Id};
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::tree::{DataTree, Fired};
use crate::zookeeper::data::watch::{EventType, WatchMode};
use crate::zookeeper::proto::{Op, ReplyBody, WatchSet, WatcherType};

/// The outcome of a read: the result code, the body, and any watch events it fires at
/// once (SetWatches for nodes that changed while the client was away).
pub struct ReadResult {
    /// OK or why not.
    pub err: Code,
    /// The reply body.
    pub body: ReplyBody,
    /// Events to send on this connection before the reply.
    pub fired: Vec<Fired>,
}

fn done(body: ReplyBody) -> ReadResult {
    ReadResult {
        err: Code::Ok,
        body,
        fired: Vec::new(),
    }
}

fn fail(err: Code) -> ReadResult {
    ReadResult {
        err,
        body: ReplyBody::Empty,
        fired: Vec::new(),
    }
}

/// Answers `op` from `tree` for the session on connection `cnxn` with ids `auth`.
pub fn read(tree: &mut DataTree, cnxn: ConnId, auth: &[Id], session: u64, op: &Op) -> ReadResult {
    match op {
        Op::Exists { path, watch } => {
            if path.contains('\0') {
                return fail(Code::BadArguments);
            }
            // statNode registers the watch before it looks for the node.
            if *watch {
                tree.add_watch(path, cnxn, false, WatchMode::Standard);
            }
            match tree.node(path) {
                Some(n) => done(ReplyBody::Stat { stat: n.stat() }),
                None => fail(Code::NoNode),
            }
        }
        Op::GetData { path, watch } => {
            let Some(n) = tree.node(path) else {
                return fail(Code::NoNode);
            };
            if !acl::allowed(&n.acl, acl::READ, auth) {
                return fail(Code::NoAuth);
            }
            let body = ReplyBody::Data {
                data: n.data.clone(),
                stat: n.stat(),
            };
            if *watch {
                tree.add_watch(path, cnxn, false, WatchMode::Standard);
            }
            done(body)
        }
        Op::GetChildren { path, watch } => {
            let Some(n) = tree.node(path) else {
                return fail(Code::NoNode);
            };
            if !acl::allowed(&n.acl, acl::READ, auth) {
                return fail(Code::NoAuth);
            }
            let body = ReplyBody::Children {
                children: n.children.iter().cloned().collect(),
                stat: n.stat(),
            };
            if *watch {
                tree.add_watch(path, cnxn, true, WatchMode::Standard);
            }
            done(body)
        }
        Op::GetAcl { path } => {
            let Some(n) = tree.node(path) else {
                return fail(Code::NoNode);
            };
            if !acl::allowed(&n.acl, acl::READ | acl::ADMIN, auth) {
                return fail(Code::NoAuth);
            }
            // Without ADMIN, digest ids are shown as user:x.
            let acl: Vec<Acl> = if acl::allowed(&n.acl, acl::ADMIN, auth) {
                n.acl.clone()
            } else {
                n.acl
                    .iter()
                    .map(|a| {
                        let mut a = a.clone();
                        if a.id.scheme == "digest"
                            && let Some((user, _)) = a.id.id.split_once(':')
                        {
                            a.id.id = format!("{user}:x");
                        }
                        a
                    })
                    .collect()
            };
            done(ReplyBody::Acl {
                acl,
                stat: n.stat(),
            })
        }
        Op::GetAllChildrenNumber { path } => {
            let Some(n) = tree.node(path) else {
                return fail(Code::NoNode);
            };
            if !acl::allowed(&n.acl, acl::READ, auth) {
                return fail(Code::NoAuth);
            }
            done(ReplyBody::Count {
                count: tree.all_children_number(path),
            })
        }
        Op::GetEphemerals { prefix } => {
            let all = tree.ephemerals(session);
            let p = prefix.trim();
            let paths = if p.is_empty() || p == "/" {
                all
            } else {
                all.into_iter()
                    .filter(|e| e.starts_with(prefix.as_str()))
                    .collect()
            };
            done(ReplyBody::Paths { paths })
        }
        Op::AddWatch { path, mode } => {
            tree.add_watch(path, cnxn, false, *mode);
            tree.add_watch(path, cnxn, true, *mode);
            done(ReplyBody::Empty)
        }
        Op::RemoveWatches { path, kind } => {
            let removed = match kind {
                WatcherType::Children => tree.child_watches.remove(path, cnxn),
                WatcherType::Data => tree.data_watches.remove(path, cnxn),
                WatcherType::Any => {
                    let c = tree.child_watches.remove(path, cnxn);
                    let d = tree.data_watches.remove(path, cnxn);
                    c || d
                }
            };
            if removed {
                done(ReplyBody::Empty)
            } else {
                fail(Code::NoWatcher)
            }
        }
        Op::SetWatches {
            relative_zxid,
            watches,
        } => {
            let fired = set_watches(tree, cnxn, *relative_zxid, watches);
            ReadResult {
                err: Code::Ok,
                body: ReplyBody::Empty,
                fired,
            }
        }
        Op::WhoAmI => done(ReplyBody::WhoAmI {
            ids: auth
                .iter()
                .map(|id| {
                    let user = if id.scheme == "digest" {
                        id.id.split(':').next().unwrap_or("").to_string()
                    } else {
                        id.id.clone()
                    };
                    Id::new(&id.scheme, &user)
                })
                .collect(),
        }),
        Op::Sync { path } => done(ReplyBody::Synced { path: path.clone() }),
        Op::Ping => done(ReplyBody::Empty),
        _ => fail(Code::Unimplemented),
    }
}

/// `DataTree.setWatches`: a watch whose node changed (or vanished, or appeared) since the
/// client's last zxid fires at once; the others are registered again.
fn set_watches(tree: &mut DataTree, cnxn: ConnId, rel: u64, w: &WatchSet) -> Vec<Fired> {
    let mut fired = Vec::new();
    let mut fire = |event, path: &String| {
        fired.push(Fired {
            watcher: cnxn,
            event,
            path: path.clone(),
        })
    };
    for p in &w.data {
        match tree.node(p).map(|n| n.stat.mzxid) {
            None => fire(EventType::NodeDeleted, p),
            Some(m) if m > rel => fire(EventType::NodeDataChanged, p),
            Some(_) => tree.add_watch(p, cnxn, false, WatchMode::Standard),
        }
    }
    for p in &w.exist {
        if tree.node(p).is_some() {
            fire(EventType::NodeCreated, p);
        } else {
            tree.add_watch(p, cnxn, false, WatchMode::Standard);
        }
    }
    for p in &w.child {
        match tree.node(p).map(|n| n.stat.pzxid) {
            None => fire(EventType::NodeDeleted, p),
            Some(z) if z > rel => fire(EventType::NodeChildrenChanged, p),
            Some(_) => tree.add_watch(p, cnxn, true, WatchMode::Standard),
        }
    }
    for p in &w.persistent {
        tree.add_watch(p, cnxn, false, WatchMode::Persistent);
        tree.add_watch(p, cnxn, true, WatchMode::Persistent);
    }
    for p in &w.recursive {
        tree.add_watch(p, cnxn, false, WatchMode::PersistentRecursive);
        tree.add_watch(p, cnxn, true, WatchMode::PersistentRecursive);
    }
    fired
}
