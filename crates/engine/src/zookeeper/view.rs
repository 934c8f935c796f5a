//! What a ZooKeeper server looks like in the world's picture ([`crate::view`]).

use crate::ids::NodeId;
use crate::sim::conn::ConnId;
use crate::zookeeper::client::{SessionState, ZkClient};
use crate::zookeeper::data::stat::{CONTAINER_OWNER, Stat, TTL_MARK};
use crate::zookeeper::data::watch::WatchMode;
use crate::zookeeper::messages::ZabPhase;
use crate::zookeeper::server::ZkServer;
use crate::zookeeper::vote::{Proposal, ServerState};
use serde::Serialize;

/// A ZooKeeper server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZkView {
    /// `myid`.
    pub sid: u32,
    /// Observer (never votes).
    pub observer: bool,
    /// Its state.
    pub state: ServerState,
    /// ZAB phase.
    pub phase: ZabPhase,
    /// Its vote (live while LOOKING).
    pub vote: Proposal,
    /// Election round (logicalclock).
    pub round: u64,
    /// currentEpoch.
    pub current_epoch: u64,
    /// acceptedEpoch.
    pub accepted_epoch: u64,
    /// `lastProcessedZxid`: the zxid of its in-memory data (what it votes with).
    pub last_zxid: u64,
    /// The last zxid in its transaction log on disk (0 when empty).
    pub logged_zxid: u64,
    /// The leader it follows (itself when leading).
    pub leader: Option<u32>,
    /// Votes received this round (sid, proposal).
    pub received: Vec<(u32, Proposal)>,
    /// True when it leads in BROADCAST.
    pub established: bool,
    /// Standalone mode.
    pub standalone: bool,
    /// True while it answers clients.
    pub serving: bool,
    /// Its data tree.
    pub znodes: Vec<ZnodeView>,
    /// Client connections: (client, session).
    pub clients: Vec<(NodeId, u64)>,
    /// Sessions it knows (id, timeout ms).
    pub sessions: Vec<(u64, u32)>,
    /// The leader's proposals waiting for a quorum: (zxid, what, acks).
    pub proposals: Vec<(u64, String, Vec<u32>)>,
    /// The end of its txn log, oldest first: (zxid, what), at most [`LOG_VIEW`] entries.
    pub log: Vec<(u64, String)>,
    /// What the last TRUNC cut from its log: (zxid, what).
    pub truncated: Vec<(u64, String)>,
}

/// How many of a server's last logged transactions its picture carries.
pub const LOG_VIEW: usize = 16;

/// The picture of one server.
pub fn zk_view(s: &ZkServer) -> ZkView {
    ZkView {
        sid: s.sid(),
        observer: s.is_observer(),
        state: s.state(),
        phase: s.phase(),
        vote: s.vote(),
        round: s.round(),
        current_epoch: s.disk().current_epoch,
        accepted_epoch: s.disk().accepted_epoch,
        last_zxid: s.last_zxid(),
        logged_zxid: s.disk().last_logged(),
        leader: s.leader(),
        received: s.received_votes(),
        established: s.is_established_leader(),
        standalone: s.is_standalone(),
        serving: s.is_serving(),
        znodes: tree_view(s),
        clients: s
            .serving()
            .cnxns
            .values()
            .map(|c| (c.client, c.session))
            .collect(),
        sessions: s
            .serving()
            .sessions
            .iter()
            .map(|(id, t)| (*id, *t))
            .collect(),
        log: s.log()[s.log().len().saturating_sub(LOG_VIEW)..]
            .iter()
            .map(|t| (t.zxid, t.body.label()))
            .collect(),
        truncated: s
            .truncated()
            .iter()
            .map(|t| (t.zxid, t.body.label()))
            .collect(),
        proposals: s
            .serving()
            .proposals
            .values()
            .map(|p| {
                (
                    p.txn.zxid,
                    p.txn.body.label(),
                    p.acks.iter().copied().collect(),
                )
            })
            .collect(),
    }
}

/// One znode, for the tree inspector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZnodeView {
    /// Its path.
    pub path: String,
    /// Its data as text (lossy UTF-8, at most 200 bytes shown), `None` for no data.
    pub data: Option<String>,
    /// Its stat as clients see it.
    pub stat: Stat,
    /// Its ACL, `scheme:id:perms` each.
    pub acl: Vec<String>,
    /// Ephemeral, container, TTL or persistent.
    pub kind: &'static str,
    /// Watches set on it at this server: (client, data/child/persistent/recursive).
    pub watches: Vec<(NodeId, &'static str)>,
}

/// A ZooKeeper client (zkCli).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZkClientView {
    /// Its number.
    pub id: u32,
    /// CONNECTING, CONNECTED, DISCONNECTED, EXPIRED or CLOSED.
    pub session_state: SessionState,
    /// The server it is connected to or trying.
    pub server: Option<u32>,
    /// Its session id (0 before the first connection).
    pub session: u64,
    /// The negotiated session timeout, ms.
    pub timeout_ms: u32,
    /// The last zxid it saw.
    pub last_zxid: u64,
    /// Its watches (path, kind).
    pub watches: Vec<(String, &'static str)>,
    /// Watch notifications delivered so far.
    pub events: u32,
    /// Requests waiting for a reply.
    pub pending: u32,
    /// The last lines its console printed.
    pub console: Vec<String>,
    /// The command running, if any.
    pub busy: bool,
    /// What its recipe is doing (`fair lock: HOLDS`), if it runs one.
    pub recipe: Option<String>,
    /// True while its recipe believes it holds a lock, leads, or computes inside a
    /// barrier.
    pub holds: bool,
}

/// How many console lines a client view keeps.
const CONSOLE_LINES: usize = 40;

/// The picture of a client.
pub fn client_view(c: &ZkClient) -> ZkClientView {
    let lines = &c.console.transcript;
    ZkClientView {
        id: c.id,
        session_state: c.session_state(),
        server: c.server,
        session: c.session,
        timeout_ms: c.negotiated_ms,
        last_zxid: c.last_zxid,
        watches: c.watches.list(),
        events: c.events_delivered,
        pending: (c.pending.len() + c.outgoing.len()) as u32,
        console: lines[lines.len().saturating_sub(CONSOLE_LINES)..]
            .iter()
            .map(|l| l.text.clone())
            .collect(),
        busy: c.console.busy(),
        recipe: c.recipe.as_ref().map(|r| r.status()),
        holds: c.recipe.as_ref().is_some_and(|r| r.holds()),
    }
}

/// The tree a server holds, with the watches set at it.
pub fn tree_view(s: &ZkServer) -> Vec<ZnodeView> {
    let serving = s.serving();
    let client_of = |conn: ConnId| serving.cnxns.get(&conn).map(|c| c.client);
    let tree = s.tree();
    tree.nodes()
        .map(|(path, n)| {
            let mut watches = Vec::new();
            for (p, w, mode) in tree.data_watches.entries() {
                if p == path
                    && let Some(c) = client_of(w)
                {
                    watches.push((c, watch_kind(mode, "data")));
                }
            }
            for (p, w, mode) in tree.child_watches.entries() {
                if p == path
                    && let Some(c) = client_of(w)
                    && mode == WatchMode::Standard
                {
                    watches.push((c, "child"));
                }
            }
            let owner = n.stat.ephemeral_owner;
            let kind = if owner == CONTAINER_OWNER {
                "container"
            } else if owner & TTL_MARK == TTL_MARK && owner != 0 {
                "ttl"
            } else if owner != 0 {
                "ephemeral"
            } else {
                "persistent"
            };
            ZnodeView {
                path: path.to_string(),
                data: n.data.as_ref().map(|d| {
                    let shown = &d[..d.len().min(200)];
                    String::from_utf8_lossy(shown).into_owned()
                }),
                stat: n.stat(),
                acl: n.acl.iter().map(|a| a.to_string()).collect(),
                kind,
                watches,
            }
        })
        .collect()
}

fn watch_kind(mode: WatchMode, standard: &'static str) -> &'static str {
    match mode {
        WatchMode::Standard => standard,
        WatchMode::Persistent => "persistent",
        WatchMode::PersistentRecursive => "recursive",
    }
}
