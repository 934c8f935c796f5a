//! What ZooKeeper servers send each other, the timers they arm, and the state changes
//! they report to the trace.

use crate::i18n::Lang;
use crate::ids::NodeId;
use crate::zookeeper::data::acl::Id;
use crate::zookeeper::data::txn::Txn;
use crate::zookeeper::proto::{ClientMsg, Op};
use crate::zookeeper::vote::{Notification, Proposal, ServerState};
use crate::zookeeper::zxid::hex;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A message between ZooKeeper servers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ZkMsg {
    /// A FastLeaderElection notification (sent over `QuorumCnxManager`).
    Notification(Notification),
    /// A ZAB packet on the leader-learner connection (`QuorumPacket`).
    Packet(QuorumPacket),
    /// Between a client and a server, on the client port.
    Client(ClientMsg),
    /// Between a lock holder and the store its lock protects (the fencing-token recipe).
    Store(crate::zookeeper::recipes::store::StoreMsg),
}

/// ZAB packets (`Leader.java` packet types; the number is the wire type code).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "packet", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuorumPacket {
    /// FOLLOWERINFO (11): a follower registers; zxid = makeZxid(acceptedEpoch, 0).
    FollowerInfo {
        /// The follower's acceptedEpoch.
        accepted_epoch: u64,
    },
    /// OBSERVERINFO (16): an observer registers.
    ObserverInfo {
        /// The observer's acceptedEpoch.
        accepted_epoch: u64,
    },
    /// LEADERINFO (17): the epoch the leader proposes.
    LeaderInfo {
        /// The new epoch.
        new_epoch: u64,
    },
    /// ACKEPOCH (18): the learner's currentEpoch (-1 when it had already accepted the
    /// epoch) and its last logged zxid.
    AckEpoch {
        /// The learner's currentEpoch, or -1.
        current_epoch: i64,
        /// The learner's last logged zxid.
        last_zxid: u64,
    },
    /// DIFF (13): the learner is a prefix of the leader; proposals follow.
    Diff {
        /// The leader's last committed zxid.
        zxid: u64,
    },
    /// TRUNC (14): the learner must drop its log after `zxid`.
    Trunc {
        /// Truncate to this zxid.
        zxid: u64,
    },
    /// SNAP (15): a full snapshot follows (here: the leader's whole committed history,
    /// which the learner replays into a fresh tree).
    Snap {
        /// The snapshot's zxid: the leader's lastProcessedZxid (`epoch << 32` for a leader
        /// established in `epoch` with no write since).
        zxid: u64,
        /// The transactions the snapshot holds.
        txns: Vec<Arc<Txn>>,
    },
    /// PROPOSAL (2): a transaction to log.
    Proposal {
        /// The transaction.
        txn: Arc<Txn>,
    },
    /// INFORM (8): a committed transaction, for an observer.
    Inform {
        /// The transaction.
        txn: Arc<Txn>,
    },
    /// REQUEST (1): a learner forwards a client's write (or sync) to the leader.
    Request {
        /// The session.
        session: u64,
        /// The client's xid.
        cxid: i32,
        /// The operation.
        op: Op,
        /// The connection's auth ids.
        auth: Vec<Id>,
    },
    /// REVALIDATE (6), learner to leader: is this reconnecting session alive?
    Revalidate {
        /// The session.
        session: u64,
        /// Its timeout, ms.
        timeout_ms: u32,
    },
    /// REVALIDATE (6), leader to learner: the answer.
    Revalidated {
        /// The session.
        session: u64,
        /// Alive (and touched).
        valid: bool,
    },
    /// SYNC (7), leader to learner: a forwarded sync has caught up.
    Sync,
    /// COMMIT (4): a logged transaction is committed.
    Commit {
        /// The committed zxid.
        zxid: u64,
    },
    /// NEWLEADER (10): the end of sync; zxid = makeZxid(newEpoch, 0).
    NewLeader {
        /// makeZxid(newEpoch, 0).
        zxid: u64,
    },
    /// ACK (3): the learner acknowledges NEWLEADER, UPTODATE (`epoch << 32`) or a logged
    /// proposal (its zxid).
    Ack {
        /// The acknowledged zxid.
        zxid: u64,
    },
    /// UPTODATE (12): the leader is serving; the learner may serve too.
    UpToDate,
    /// PING (5): the leader's heartbeat; the learner answers with a PING carrying the
    /// sessions its clients touched (id, timeout).
    Ping {
        /// Touched sessions (learner to leader).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        touches: Vec<(u64, u32)>,
    },
}

impl QuorumPacket {
    /// The packet type name as ZooKeeper logs it (`FOLLOWERINFO`, `DIFF`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            QuorumPacket::FollowerInfo { .. } => "FOLLOWERINFO",
            QuorumPacket::ObserverInfo { .. } => "OBSERVERINFO",
            QuorumPacket::LeaderInfo { .. } => "LEADERINFO",
            QuorumPacket::AckEpoch { .. } => "ACKEPOCH",
            QuorumPacket::Diff { .. } => "DIFF",
            QuorumPacket::Trunc { .. } => "TRUNC",
            QuorumPacket::Snap { .. } => "SNAP",
            QuorumPacket::Proposal { .. } => "PROPOSAL",
            QuorumPacket::Inform { .. } => "INFORM",
            QuorumPacket::Request { .. } => "REQUEST",
            QuorumPacket::Revalidate { .. } | QuorumPacket::Revalidated { .. } => "REVALIDATE",
            QuorumPacket::Sync => "SYNC",
            QuorumPacket::Commit { .. } => "COMMIT",
            QuorumPacket::NewLeader { .. } => "NEWLEADER",
            QuorumPacket::Ack { .. } => "ACK",
            QuorumPacket::UpToDate => "UPTODATE",
            QuorumPacket::Ping { .. } => "PING",
        }
    }
}

impl ZkMsg {
    /// A one-line label for logs and the UI, e.g. `vote zk5 (zxid 0x0, epoch 0) round 1`.
    pub fn label(&self) -> String {
        self.label_in(Lang::En)
    }

    /// [`ZkMsg::label`] in `lang` (packet names stay as ZooKeeper spells them).
    pub fn label_in(&self, lang: Lang) -> String {
        match self {
            ZkMsg::Notification(n) => {
                let who = n.proposal.describe_in(lang);
                match (n.state == ServerState::Looking, lang) {
                    (true, Lang::En) => format!("vote {who} round {}", n.round),
                    (true, Lang::Zh) => format!("选票 {who} 第 {} 轮", n.round),
                    (false, Lang::En) => format!("{}: leader {who} round {}", n.state, n.round),
                    (false, Lang::Zh) => format!("{}：Leader {who} 第 {} 轮", n.state, n.round),
                }
            }
            ZkMsg::Packet(p) => match p {
                QuorumPacket::FollowerInfo { accepted_epoch }
                | QuorumPacket::ObserverInfo { accepted_epoch } => {
                    format!("{} acceptedEpoch {accepted_epoch}", p.name())
                }
                QuorumPacket::LeaderInfo { new_epoch } => format!("LEADERINFO epoch {new_epoch}"),
                QuorumPacket::AckEpoch {
                    current_epoch,
                    last_zxid,
                } => {
                    format!("ACKEPOCH epoch {current_epoch} zxid {}", hex(*last_zxid))
                }
                QuorumPacket::Diff { zxid }
                | QuorumPacket::Trunc { zxid }
                | QuorumPacket::Snap { zxid, .. }
                | QuorumPacket::Commit { zxid }
                | QuorumPacket::NewLeader { zxid }
                | QuorumPacket::Ack { zxid } => format!("{} {}", p.name(), hex(*zxid)),
                QuorumPacket::Proposal { txn } | QuorumPacket::Inform { txn } => {
                    format!("{} {} {}", p.name(), hex(txn.zxid), txn.body.label())
                }
                QuorumPacket::Request { op, .. } => {
                    let path = op.path();
                    if path.is_empty() {
                        format!("REQUEST {}", op.name())
                    } else {
                        format!("REQUEST {} {path}", op.name())
                    }
                }
                QuorumPacket::Revalidate { session, .. } => {
                    format!("REVALIDATE session {}", hex(*session))
                }
                QuorumPacket::Revalidated { session, valid } => format!(
                    "REVALIDATE session {}: {}",
                    hex(*session),
                    if *valid { "valid" } else { "expired" }
                ),
                QuorumPacket::UpToDate | QuorumPacket::Ping { .. } | QuorumPacket::Sync => {
                    p.name().to_string()
                }
            },
            ZkMsg::Client(c) => c.label(),
            ZkMsg::Store(m) => m.label_in(lang),
        }
    }
}

/// The phase of ZAB a server is in (`QuorumPeer.ZabState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ZabPhase {
    /// Phase 0: FastLeaderElection.
    Election,
    /// Phase 1: the leader gathers accepted epochs and proposes a new one.
    Discovery,
    /// Phase 2: learners are brought up to date (DIFF, TRUNC or SNAP) and ack NEWLEADER.
    Synchronization,
    /// Phase 3: the leader is established and broadcasts proposals.
    Broadcast,
}

impl fmt::Display for ZabPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ZabPhase::Election => "ELECTION",
            ZabPhase::Discovery => "DISCOVERY",
            ZabPhase::Synchronization => "SYNCHRONIZATION",
            ZabPhase::Broadcast => "BROADCAST",
        })
    }
}

/// How the leader brought a learner up to date (`QuorumPeer.SyncMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SyncMode {
    /// Send the missing proposals.
    Diff,
    /// Truncate the learner's extra transactions (then send any missing ones).
    Trunc,
    /// Send a whole snapshot.
    Snap,
}

impl fmt::Display for SyncMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SyncMode::Diff => "DIFF",
            SyncMode::Trunc => "TRUNC",
            SyncMode::Snap => "SNAP",
        })
    }
}

/// Timers a ZooKeeper server arms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZkTimer {
    /// The notification poll in `lookForLeader` timed out: resend the vote.
    FlePoll,
    /// `finalizeWait` passed with no better vote: decide.
    FleFinalize,
    /// The leader waited `initLimit * tickTime` for a quorum during discovery or sync.
    ZabSetup,
    /// The leader's half-tick loop (`Leader.lead`): count synced learners, send PINGs.
    LeaderTick,
    /// The learner's socket read timed out (nothing heard from the leader).
    LearnerRead,
    /// The learner waits `leaderConnectDelayDuringRetryMs` (100 ms) before reconnecting.
    LearnerConnectRetry,
    /// The leader's read from one learner's socket timed out (`LearnerHandler`'s
    /// `soTimeout`: initLimit ticks while syncing, syncLimit ticks after).
    HandlerRead(u32),
    /// An observer waits a random 0-200 ms before looking for a leader again
    /// (`zookeeper.observer.election.DelayMs`).
    ObserverDelay,
    /// The leader's (or standalone server's) session tracker: the next expiry bucket.
    SessionExpiry,
    /// `ContainerManager`: the next check of empty containers and expired TTL nodes.
    ContainerCheck,
    /// A client's connect or read timeout (nothing heard from the server).
    ClientTimeout,
    /// A client's next ping (`readTimeout / 2` of idle sending).
    ClientPing,
    /// A client's wait before it connects again after losing its server.
    ClientReconnect,
    /// A recipe's timer (a lock holder's hold time).
    RecipeTimer,
}

impl fmt::Display for ZkTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let ZkTimer::HandlerRead(sid) = self {
            return write!(f, "read timeout (learner zk{sid})");
        }
        f.write_str(match self {
            ZkTimer::FlePoll => "notification timeout",
            ZkTimer::FleFinalize => "finalizeWait",
            ZkTimer::ZabSetup => "initLimit wait",
            ZkTimer::LeaderTick => "leader half tick",
            ZkTimer::LearnerRead => "read timeout",
            ZkTimer::LearnerConnectRetry => "reconnect delay",
            ZkTimer::HandlerRead(_) => "learner read timeout",
            ZkTimer::ObserverDelay => "observer election delay",
            ZkTimer::SessionExpiry => "session expiry check",
            ZkTimer::ContainerCheck => "container check",
            ZkTimer::ClientTimeout => "client timeout",
            ZkTimer::ClientPing => "ping due",
            ZkTimer::ClientReconnect => "reconnect delay",
            ZkTimer::RecipeTimer => "recipe timer",
        })
    }
}

/// A state change of a ZooKeeper server, as recorded in the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "zk", rename_all = "snake_case")]
pub enum ZkChange {
    /// The server's state changed.
    State {
        /// The new state.
        state: ServerState,
    },
    /// The server's election proposal or round changed (it now votes for someone else).
    Proposal {
        /// What it now proposes.
        proposal: Proposal,
        /// Its logical clock.
        round: u64,
    },
    /// The votes equal to its proposal reached a quorum; it waits finalizeWait.
    QuorumSeen {
        /// The sids whose votes agree.
        agree: Vec<u32>,
    },
    /// The election ended for this server.
    Elected {
        /// The leader it settled on.
        leader: u32,
        /// The round it ended in.
        round: u64,
    },
    /// The ZAB phase changed.
    Phase {
        /// The new phase.
        phase: ZabPhase,
    },
    /// acceptedEpoch was persisted.
    AcceptedEpoch {
        /// The new value.
        epoch: u64,
    },
    /// currentEpoch was persisted.
    CurrentEpoch {
        /// The new value.
        epoch: u64,
    },
    /// The leader chose how to sync a learner.
    SyncChosen {
        /// The learner's sid.
        peer: u32,
        /// DIFF, TRUNC or SNAP.
        mode: SyncMode,
        /// The learner's last zxid as it reported in ACKEPOCH.
        peer_zxid: u64,
    },
    /// The server's in-memory data moved: `lastProcessedZxid` (what it votes with and
    /// reports in ACKEPOCH, and what `srvr` shows as Zxid).
    LastZxid {
        /// The new lastProcessedZxid.
        zxid: u64,
    },
    /// The transaction log on disk changed (appended and fsynced, or truncated).
    Logged {
        /// The last zxid now in the log (0 when empty).
        zxid: u64,
    },
    /// A snapshot of the data was written to disk.
    Snapshot {
        /// The snapshot's zxid.
        zxid: u64,
    },
    /// A quorum acked NEWLEADER: the leader is established in this epoch.
    Established {
        /// The epoch.
        epoch: u64,
    },
    /// The server left its role and goes back to LOOKING, with ZooKeeper's reason text.
    Abandoned {
        /// Why (e.g. "Not sufficient followers synced").
        reason: String,
    },
    /// A committed transaction was applied to this server's data tree.
    Applied {
        /// Its zxid.
        zxid: u64,
        /// What it did (`create /app`, `closeSession`, `error NodeExists`).
        what: String,
    },
    /// A client's session is connected through this server (ConnectResponse sent).
    SessionEstablished {
        /// The session.
        session: u64,
        /// The client.
        client: NodeId,
        /// The negotiated timeout, ms.
        timeout_ms: u32,
    },
    /// The session tracker expired a session (nothing heard for its timeout).
    SessionExpired {
        /// The session.
        session: u64,
        /// Its timeout, ms.
        timeout_ms: u32,
    },
    /// A client's connection state changed (`ZooKeeper.States` / the watcher's
    /// KeeperState).
    ClientState {
        /// CONNECTING, CONNECTED, CLOSED, or what the watcher sees: SyncConnected,
        /// Disconnected, Expired.
        state: String,
        /// The server it is connected to or trying.
        server: Option<NodeId>,
    },
    /// A store answered a lock holder's write (the fencing-token recipe).
    StoreWrite {
        /// The writer.
        from: NodeId,
        /// The key (the lock's path).
        key: String,
        /// The fencing token the write carried.
        token: u64,
        /// Applied or rejected.
        accepted: bool,
        /// The largest token accepted for the key before it.
        highest: u64,
    },
    /// What a client's console (zkCli) printed.
    Printed {
        /// The lines.
        lines: Vec<String>,
        /// Printed on stderr (errors, usage, `Created /x`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        err: bool,
    },
}
