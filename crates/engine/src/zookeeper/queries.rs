//! ZooKeeper queries for quizzes: `leader`, `epoch`, `zxid zkN`, `state zkN`,
//! `sync zkN` (DIFF, TRUNC, TRUNC+DIFF, SNAP or none), `phase zkN`,
//! `stat /path FIELD [on zkN]`, `data /path [on zkN]`, `children /path [on zkN]`,
//! `session cN`, `watch-events cN`. Values print the way zkCli and `srvr` print them
//! (hex zxids, `[a, b]` lists).

use crate::ids::NodeId;
use crate::script::cursor::{Cursor, PResult};
use crate::script::query::Query;
use crate::sim::world::World;
use crate::zookeeper::conditions::{established_leader, leader_epoch, tree_server};
use crate::zookeeper::zxid::hex;

/// The Stat fields (`StatPrinter` names).
pub const STAT_FIELDS: [&str; 11] = [
    "cZxid",
    "ctime",
    "mZxid",
    "mtime",
    "pZxid",
    "cversion",
    "dataVersion",
    "aclVersion",
    "ephemeralOwner",
    "dataLength",
    "numChildren",
];

/// A ZooKeeper query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZkQuery {
    /// The established leader (`zk5`), or `none`.
    Leader,
    /// The established leader's epoch.
    Epoch,
    /// A server's last zxid.
    Zxid {
        /// The server.
        sid: u32,
    },
    /// A server's state.
    State {
        /// The server.
        sid: u32,
    },
    /// One field of a node's Stat, as zkCli prints it.
    Stat {
        /// The path.
        path: String,
        /// A `StatPrinter` field name.
        field: &'static str,
        /// Whose tree.
        on: Option<u32>,
    },
    /// A node's data as text (`null` for none).
    Data {
        /// The path.
        path: String,
        /// Whose tree.
        on: Option<u32>,
    },
    /// A node's children, sorted, as `ls` prints them.
    Children {
        /// The path.
        path: String,
        /// Whose tree.
        on: Option<u32>,
    },
    /// How a learner was synced: DIFF, TRUNC, TRUNC+DIFF, SNAP, or `none`.
    Sync {
        /// The server.
        sid: u32,
    },
    /// A server's ZAB phase.
    Phase {
        /// The server.
        sid: u32,
    },
    /// The clients that believe they hold a lock (`c1,c2`, or `none`).
    Holders {
        /// The lock's path.
        path: String,
    },
    /// Watch notifications the lock's waiters got (the herd effect).
    Wakeups {
        /// The lock's path.
        path: String,
    },
    /// The clients computing inside a double barrier (`c1,c2`, or `none`).
    Inside {
        /// The barrier's path.
        path: String,
    },
    /// The items a queue's consumers took, in all.
    Taken {
        /// The queue's path.
        path: String,
    },
    /// The instances of a service a watcher sees.
    Sees {
        /// The service's path.
        path: String,
        /// The watcher.
        client: u32,
    },
    /// The writes a store received, in order, with their verdicts (`c2:ok,c1:rejected`).
    Writes {
        /// The store.
        store: u32,
    },
    /// A client's session state.
    Session {
        /// The client.
        client: u32,
    },
    /// Watch notifications delivered to a client.
    WatchEvents {
        /// The client.
        client: u32,
    },
}

fn on(c: &mut Cursor<'_>) -> PResult<Option<u32>> {
    Ok(if c.accept("on") { Some(c.zk()?) } else { None })
}

fn client(c: &mut Cursor<'_>) -> PResult<u32> {
    let what = "a client like c1";
    let w = c.next(what)?;
    match w.text.parse::<NodeId>() {
        Ok(NodeId::ZkClient(n)) => Ok(n),
        _ => c.fail(w, what),
    }
}

/// Reads a ZooKeeper query after its first word.
pub(crate) fn query(word: &'static str, c: &mut Cursor<'_>) -> PResult<Query> {
    let q = match word {
        "leader" => ZkQuery::Leader,
        "epoch" => ZkQuery::Epoch,
        "zxid" => ZkQuery::Zxid { sid: c.zk()? },
        "state" => ZkQuery::State { sid: c.zk()? },
        "sync" => ZkQuery::Sync { sid: c.zk()? },
        "phase" => ZkQuery::Phase { sid: c.zk()? },
        "holders" => ZkQuery::Holders {
            path: c.text("a lock path like /locks/l")?,
        },
        "wakeups" => ZkQuery::Wakeups {
            path: c.text("a lock path like /locks/l")?,
        },
        "inside" => ZkQuery::Inside {
            path: c.text("a barrier path like /b")?,
        },
        "taken" => ZkQuery::Taken {
            path: c.text("a queue path like /q")?,
        },
        "sees" => ZkQuery::Sees {
            path: c.text("a service path like /services/api")?,
            client: client(c)?,
        },
        "writes" => ZkQuery::Writes {
            store: crate::zookeeper::script::store(c)?,
        },
        "stat" => {
            let path = c.text("a path like /app")?;
            let field = c.keyword(&STAT_FIELDS)?;
            ZkQuery::Stat {
                path,
                field,
                on: on(c)?,
            }
        }
        "data" => ZkQuery::Data {
            path: c.text("a path like /app")?,
            on: on(c)?,
        },
        "children" => ZkQuery::Children {
            path: c.text("a path like /app")?,
            on: on(c)?,
        },
        "session" => ZkQuery::Session { client: client(c)? },
        _ => ZkQuery::WatchEvents { client: client(c)? },
    };
    Ok(Query::Zk(q))
}

impl ZkQuery {
    /// The value now.
    pub fn eval(&self, w: &World) -> Result<String, String> {
        let node = |path: &str, on: Option<u32>| {
            let s = tree_server(w, on)?;
            s.tree()
                .node(path)
                .cloned()
                .ok_or_else(|| format!("{path} does not exist on zk{}", s.sid()))
        };
        let client = |id: u32| {
            w.zk_client(id)
                .ok_or_else(|| format!("there is no client c{id}"))
        };
        Ok(match self {
            ZkQuery::Leader => established_leader(w).map_or("none".into(), |l| format!("zk{l}")),
            ZkQuery::Epoch => leader_epoch(w).to_string(),
            ZkQuery::Zxid { sid } => hex(w
                .zk(*sid)
                .ok_or_else(|| format!("there is no server zk{sid}"))?
                .last_zxid()),
            ZkQuery::State { sid } => w
                .zk(*sid)
                .ok_or_else(|| format!("there is no server zk{sid}"))?
                .state()
                .name()
                .to_string(),
            ZkQuery::Sync { sid } => w
                .zk(*sid)
                .ok_or_else(|| format!("there is no server zk{sid}"))?
                .sync_label()
                .unwrap_or("none")
                .to_string(),
            ZkQuery::Phase { sid } => w
                .zk(*sid)
                .ok_or_else(|| format!("there is no server zk{sid}"))?
                .phase()
                .to_string(),
            ZkQuery::Stat { path, field, on } => {
                let n = node(path, *on)?;
                let line = n
                    .stat()
                    .lines()
                    .into_iter()
                    .find(|l| l.starts_with(&format!("{field} = ")))
                    .unwrap_or_default();
                line.split_once(" = ")
                    .map_or(String::new(), |(_, v)| v.to_string())
            }
            ZkQuery::Data { path, on } => {
                let n = node(path, *on)?;
                n.data
                    .as_ref()
                    .map_or("null".into(), |d| String::from_utf8_lossy(d).into_owned())
            }
            ZkQuery::Children { path, on } => {
                let n = node(path, *on)?;
                let c: Vec<String> = n.children.iter().cloned().collect();
                format!("[{}]", c.join(", "))
            }
            ZkQuery::Session { client: id } => client(*id)?.session_state().name().to_string(),
            ZkQuery::WatchEvents { client: id } => client(*id)?.events_delivered.to_string(),
            ZkQuery::Holders { path } => {
                use crate::zookeeper::recipes::check::{believers, client_list};
                client_list(&believers(w, path))
            }
            ZkQuery::Wakeups { path } => {
                crate::zookeeper::recipes::check::wakeups(w, path).to_string()
            }
            ZkQuery::Inside { path } => {
                use crate::zookeeper::recipes::check::{client_list, inside};
                client_list(&inside(w, path))
            }
            ZkQuery::Taken { path } => crate::zookeeper::recipes::check::taken(w, path).to_string(),
            ZkQuery::Sees { path, client: id } => {
                crate::zookeeper::recipes::check::sees(w, path, *id)
                    .ok_or_else(|| format!("c{id} does not watch {path}"))?
                    .to_string()
            }
            ZkQuery::Writes { store } => w
                .store(*store)
                .ok_or_else(|| format!("there is no store store{store}"))?
                .writes_text(),
        })
    }
}
