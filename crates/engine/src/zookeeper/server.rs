//! One ZooKeeper server (`QuorumPeer`, apache/zookeeper 3.8): what it keeps on disk and in
//! memory, its state, and the routing of messages, closed connections and timers to
//! FastLeaderElection ([`super::election`]) and to its ZAB role ([`super::zab`]).

use crate::ids::NodeId;
use crate::sim::conn::{Channel, CloseReason, ConnId};
use crate::sim::effects::Ctx;
use crate::zookeeper::cnx::QuorumCnx;
use crate::zookeeper::config::ZkConfig;
use crate::zookeeper::data::tree::DataTree;
use crate::zookeeper::data::txn::{Txn, TxnBody};
use crate::zookeeper::election::Election;
use crate::zookeeper::messages::{SyncMode, ZabPhase, ZkChange, ZkMsg, ZkTimer};
use crate::zookeeper::quorum::QuorumMaj;
use crate::zookeeper::serving::Serving;
use crate::zookeeper::vote::{Notification, Proposal, ServerState, Vote};
use crate::zookeeper::zab::leader::LeaderRole;
use crate::zookeeper::zab::learner::LearnerRole;
use crate::zookeeper::zxid;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a server keeps on disk; it survives crashes and power cuts (ZooKeeper fsyncs its
/// transaction log before it acknowledges anything, `forceSync=yes`, and writes the epoch
/// files atomically): the `currentEpoch` and `acceptedEpoch` files, the newest snapshot's
/// zxid, and the transactions of its snapshot and log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ZkDisk {
    /// `currentEpoch`: the epoch of the last leader this server synced with.
    pub current_epoch: u64,
    /// `acceptedEpoch`: the highest epoch it has accepted in a LEADERINFO.
    pub accepted_epoch: u64,
    /// The zxid of its newest snapshot (`snapshot.<zxid>`; 0 for none). It can be
    /// `epoch << 32` with no transaction of that epoch: a learner that got SNAP from a
    /// freshly established leader snapshots at that zxid.
    pub snapshot: u64,
    /// The transactions of its snapshot and log, in zxid order.
    pub txns: Vec<Arc<Txn>>,
    /// Log appends not fsynced (`forceSync=no`): (zxid, when written, ms). They survive a
    /// crash (the page cache is the kernel's) and are lost in a power cut unless the
    /// kernel wrote them back first ([`crate::sim::disk::written_back_at`]).
    pub unsynced: Vec<(u64, u64)>,
}

impl ZkDisk {
    /// The zxid a restart reloads (`loadDataBase`): the newer of the snapshot's zxid and
    /// the last logged transaction; 0 for an empty disk.
    pub fn last_zxid(&self) -> u64 {
        self.last_logged().max(self.snapshot)
    }

    /// The zxid of the last transaction on disk (0 when there is none).
    pub fn last_logged(&self) -> u64 {
        self.txns.last().map_or(0, |t| t.zxid)
    }

    /// A power cut at `now`: the log loses its appends the kernel had not written back
    /// (with `forceSync=yes` there are none). The log is appended in order and pages are
    /// written back oldest first, so what is lost is a tail.
    pub fn power_loss(&mut self, now: u64) -> Vec<u64> {
        let lost_from = self
            .unsynced
            .iter()
            .find(|(_, at)| crate::sim::disk::written_back_at(*at) > now)
            .map(|(z, _)| *z);
        self.unsynced.clear();
        let Some(from) = lost_from else {
            return Vec::new();
        };
        let lost: Vec<u64> = self
            .txns
            .iter()
            .filter(|t| t.zxid >= from)
            .map(|t| t.zxid)
            .collect();
        self.txns.retain(|t| t.zxid < from);
        lost
    }

    /// A disk whose history is, for each zxid of `runs` in turn, the transactions
    /// `1..=counter` of that zxid's epoch (transactions whose content the script does not
    /// say: they change no znode); a counter of 0 is a snapshot at `epoch << 32` with no
    /// transaction of that epoch. Both epochs are the last run's epoch: what a server that
    /// last synced in that epoch would hold.
    pub fn with_history(runs: &[u64]) -> ZkDisk {
        let mut disk = ZkDisk::default();
        for &z in runs {
            let epoch = zxid::epoch_of(z);
            if zxid::counter_of(z) == 0 {
                disk.snapshot = z;
            }
            disk.txns
                .extend((1..=zxid::counter_of(z)).map(|c| Txn::opaque(zxid::make_zxid(epoch, c))));
            disk.current_epoch = epoch;
            disk.accepted_epoch = epoch;
        }
        disk
    }
}

/// The server's role beyond the election.
#[derive(Clone, Debug)]
pub(crate) enum Role {
    /// LOOKING (or not started).
    None,
    /// LEADING.
    Leader(Box<LeaderRole>),
    /// FOLLOWING or OBSERVING.
    Learner(LearnerRole),
}

/// A ZooKeeper server of the ensemble.
#[derive(Clone, Debug)]
pub struct ZkServer {
    pub(crate) sid: u32,
    pub(crate) observer: bool,
    /// Standalone mode (`zkServer.sh start` with no peers): no election, no ZAB.
    pub(crate) standalone: bool,
    /// The process has started (and not crashed since).
    pub(crate) running: bool,
    pub(crate) cfg: ZkConfig,
    pub(crate) quorum: QuorumMaj,
    pub(crate) disk: ZkDisk,
    /// The transactions applied to the in-memory data tree, in zxid order.
    pub(crate) history: Vec<Arc<Txn>>,
    /// What the last TRUNC cut from its log (volatile, for the picture only).
    pub(crate) truncated: Vec<Arc<Txn>>,
    /// The data tree, client connections, sessions and pending writes (volatile).
    pub(crate) serving: Serving,
    /// The container manager's timer is armed.
    pub(crate) container_armed: bool,
    /// `DataTree.lastProcessedZxid` (volatile): what it votes with, reports in ACKEPOCH and
    /// sends as the SNAP zxid. An established leader sets it to `epoch << 32`
    /// (`Leader.startZkServer`), so it can be ahead of every logged transaction.
    pub(crate) last_processed: u64,
    /// The election's connections (`QuorumCnxManager`).
    pub(crate) cnx: QuorumCnx,
    /// Notifications that arrived while an observer waited to look for a leader again.
    pub(crate) waiting: Option<Vec<(u32, Notification)>>,
    pub(crate) state: ServerState,
    pub(crate) phase: ZabPhase,
    /// The vote it reports to LOOKING peers once the election is over (`getCurrentVote`).
    pub(crate) current_vote: Vote,
    /// `logicalclock`: the election round counter (volatile).
    pub(crate) logicalclock: u64,
    pub(crate) election: Option<Election>,
    pub(crate) role: Role,
}

impl ZkServer {
    /// A stopped server with an empty log. `voters` are the sids of all participants.
    pub fn new(
        sid: u32,
        observer: bool,
        cfg: ZkConfig,
        voters: impl IntoIterator<Item = u32>,
    ) -> Self {
        ZkServer {
            sid,
            observer,
            standalone: false,
            running: false,
            cfg,
            quorum: QuorumMaj::new(voters),
            disk: ZkDisk::default(),
            history: Vec::new(),
            truncated: Vec::new(),
            serving: Serving::default(),
            container_armed: false,
            last_processed: 0,
            cnx: QuorumCnx::default(),
            waiting: None,
            state: ServerState::Looking,
            phase: ZabPhase::Election,
            current_vote: Vote {
                proposal: Proposal::NONE,
                round: 0,
                state: ServerState::Looking,
            },
            logicalclock: 0,
            election: None,
            role: Role::None,
        }
    }

    /// The server id (`myid`).
    pub fn sid(&self) -> u32 {
        self.sid
    }

    /// True for an observer (never votes).
    pub fn is_observer(&self) -> bool {
        self.observer
    }

    /// LOOKING, FOLLOWING, LEADING or OBSERVING.
    pub fn state(&self) -> ServerState {
        self.state
    }

    /// The ZAB phase.
    pub fn phase(&self) -> ZabPhase {
        self.phase
    }

    /// What it is on disk.
    pub fn disk(&self) -> &ZkDisk {
        &self.disk
    }

    /// `getLastLoggedZxid`, which ZooKeeper reads from the data tree: the in-memory
    /// `lastProcessedZxid` (what `srvr` shows as Zxid).
    pub fn last_zxid(&self) -> u64 {
        self.last_processed
    }

    /// The election round counter.
    pub fn round(&self) -> u64 {
        self.logicalclock
    }

    /// Its vote: the live proposal while LOOKING, the decided vote afterwards.
    pub fn vote(&self) -> Proposal {
        match &self.election {
            Some(e) => e.proposal,
            None => self.current_vote.proposal,
        }
    }

    /// Votes received in the current round (`recvset`), by sender sid; empty unless LOOKING.
    pub fn received_votes(&self) -> Vec<(u32, Proposal)> {
        self.election
            .as_ref()
            .map(|e| e.recvset.iter().map(|(s, v)| (*s, v.proposal)).collect())
            .unwrap_or_default()
    }

    /// The leader it follows or observes, or itself when leading; `None` while LOOKING.
    pub fn leader(&self) -> Option<u32> {
        match &self.role {
            Role::Leader(_) => Some(self.sid),
            Role::Learner(l) => Some(l.leader),
            Role::None => None,
        }
    }

    /// True when it leads and a quorum acked NEWLEADER (ZAB phase BROADCAST).
    pub fn is_established_leader(&self) -> bool {
        self.state == ServerState::Leading && self.phase == ZabPhase::Broadcast
    }

    /// Replaces the disk contents (a lesson's setup: `zk set-zxid`, `zk set-epoch`) and
    /// what a start would load from it.
    pub fn set_disk(&mut self, disk: ZkDisk) {
        self.disk = disk;
        self.load_database();
    }

    /// `loadDataBase`: the in-memory data becomes what is on disk.
    pub(crate) fn load_database(&mut self) {
        self.history = self.disk.txns.clone();
        self.rebuild_tree();
        self.last_processed = self.disk.last_zxid();
    }

    /// Replays the history into a fresh data tree (after a load, a SNAP or a TRUNC), with
    /// the sessions its txns left open.
    pub(crate) fn rebuild_tree(&mut self) {
        let mut tree = DataTree::new();
        let mut sessions = BTreeMap::new();
        let mut fired = Vec::new();
        for t in &self.history {
            process_in_memory(&mut tree, &mut sessions, t, &mut fired);
        }
        self.serving.tree = tree;
        self.serving.sessions = sessions;
    }

    /// The data tree this server holds in memory.
    pub fn tree(&self) -> &DataTree {
        &self.serving.tree
    }

    /// The server's client-side state: connections, sessions, pending proposals.
    pub fn serving(&self) -> &Serving {
        &self.serving
    }

    /// True in standalone mode.
    pub fn is_standalone(&self) -> bool {
        self.standalone
    }

    /// Makes this a standalone server (an ensemble of one).
    pub fn set_standalone(&mut self) {
        self.standalone = true;
    }

    /// True when the process listens on `channel`: always on the election port; on the
    /// quorum port only while leading (`Leader`'s constructor binds it, `shutdown` closes
    /// it).
    pub fn accepts(&self, channel: Channel) -> bool {
        match channel {
            Channel::Election => !self.standalone,
            Channel::Quorum => matches!(self.role, Role::Leader(_)),
            Channel::ZkClient => true,
            Channel::Kafka | Channel::Store => false,
        }
    }

    /// Replaces the timing settings.
    pub fn set_config(&mut self, cfg: ZkConfig) {
        self.cfg = cfg;
    }

    /// Starts the server (process start or restart): it reloads its disk and looks for a
    /// leader (`QuorumPeer.start` then `startLeaderElection`).
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        self.load_database();
        self.running = true;
        if self.standalone {
            // ZooKeeperServerMain: load the database and serve.
            self.start_serving(ctx);
            return;
        }
        self.current_vote = Vote {
            proposal: self.initial_proposal(),
            round: 0,
            state: ServerState::Looking,
        };
        self.start_election(ctx);
    }

    /// The process died (or its host lost power, which for ZooKeeper is the same: every
    /// write was fsynced before it was acknowledged): everything but the disk is lost.
    pub fn crash(&mut self) {
        let fresh = ZkServer::new(
            self.sid,
            self.observer,
            self.cfg.clone(),
            self.quorum.voters().iter().copied(),
        );
        let disk = std::mem::take(&mut self.disk);
        let standalone = self.standalone;
        *self = ZkServer {
            disk,
            standalone,
            ..fresh
        };
        self.load_database();
    }

    /// The host lost power at `now`: the log loses what was not on disk yet (only with
    /// `forceSync=no`), then everything in memory goes as in a crash.
    pub fn power_loss(&mut self, now: u64) {
        self.disk.power_loss(now);
        self.crash();
    }

    /// How its leader synced it when it last joined: `DIFF`, `TRUNC`, `TRUNC+DIFF` or
    /// `SNAP` (`QuorumPeer.getSyncMode` names the first three's packet only; the engine
    /// tells TRUNC followed by proposals apart); `None` when it is not a learner or has
    /// not been synced yet.
    pub fn sync_label(&self) -> Option<&'static str> {
        let Role::Learner(l) = &self.role else {
            return None;
        };
        Some(match l.sync_mode? {
            SyncMode::Diff => "DIFF",
            SyncMode::Trunc if l.diff_after_trunc => "TRUNC+DIFF",
            SyncMode::Trunc => "TRUNC",
            SyncMode::Snap => "SNAP",
        })
    }

    /// The transactions its log holds, in zxid order.
    pub fn log(&self) -> &[Arc<Txn>] {
        &self.disk.txns
    }

    /// What the last TRUNC cut from its log (until the process restarts).
    pub fn truncated(&self) -> &[Arc<Txn>] {
        &self.truncated
    }

    /// Handles a message from another server (or itself) on `conn`.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, from: NodeId, msg: ZkMsg) {
        if let ZkMsg::Client(m) = msg {
            self.on_client_msg(ctx, conn, from, m);
            return;
        }
        let NodeId::Zk(from) = from else { return };
        match msg {
            ZkMsg::Notification(n) => {
                self.cnx.on_receive(ctx, self.sid, from, conn);
                self.on_notification(ctx, from, n);
            }
            ZkMsg::Packet(p) => match self.role {
                Role::Leader(_) => self.leader_on_packet(ctx, conn, from, p),
                Role::Learner(_) => self.learner_on_packet(ctx, conn, p),
                Role::None => {}
            },
            ZkMsg::Client(_) | ZkMsg::Store(_) => {}
        }
    }

    /// One of its connections closed.
    pub fn on_closed(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, peer: NodeId, why: &CloseReason) {
        if self.cnx.on_closed(conn) {
            return;
        }
        if self.serving.cnxns.contains_key(&conn) {
            self.on_client_closed(conn);
            return;
        }
        let NodeId::Zk(peer) = peer else { return };
        match self.role {
            Role::Leader(_) => self.leader_on_closed(ctx, conn, peer),
            Role::Learner(_) => self.learner_on_closed(ctx, conn, why),
            Role::None => {}
        }
    }

    /// Handles one of its own timers.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: ZkTimer) {
        match timer {
            ZkTimer::FlePoll => self.on_poll_timeout(ctx),
            ZkTimer::FleFinalize => self.on_finalize(ctx),
            ZkTimer::ZabSetup => self.leader_on_setup_timeout(ctx),
            ZkTimer::LeaderTick => self.leader_on_tick(ctx),
            ZkTimer::HandlerRead(sid) => self.leader_on_read_timeout(ctx, sid),
            ZkTimer::LearnerRead | ZkTimer::LearnerConnectRetry => {
                self.learner_on_timer(ctx, timer)
            }
            ZkTimer::ObserverDelay => self.start_election(ctx),
            ZkTimer::SessionExpiry => self.on_session_expiry(ctx),
            ZkTimer::ContainerCheck => self.on_container_check(ctx),
            ZkTimer::ClientTimeout
            | ZkTimer::ClientPing
            | ZkTimer::ClientReconnect
            | ZkTimer::RecipeTimer => {}
        }
    }

    pub(crate) fn set_state(&mut self, ctx: &mut Ctx<'_>, state: ServerState) {
        if self.state != state {
            self.state = state;
            ctx.change(ZkChange::State { state });
        }
    }

    pub(crate) fn set_phase(&mut self, ctx: &mut Ctx<'_>, phase: ZabPhase) {
        if self.phase != phase {
            self.phase = phase;
            ctx.change(ZkChange::Phase { phase });
        }
    }

    pub(crate) fn set_accepted_epoch(&mut self, ctx: &mut Ctx<'_>, epoch: u64) {
        self.disk.accepted_epoch = epoch;
        ctx.change(ZkChange::AcceptedEpoch { epoch });
    }

    pub(crate) fn set_current_epoch(&mut self, ctx: &mut Ctx<'_>, epoch: u64) {
        self.disk.current_epoch = epoch;
        ctx.change(ZkChange::CurrentEpoch { epoch });
    }

    /// Sets the in-memory `lastProcessedZxid`.
    pub(crate) fn set_last_processed(&mut self, ctx: &mut Ctx<'_>, zxid: u64) {
        if self.last_processed != zxid {
            self.last_processed = zxid;
            ctx.change(ZkChange::LastZxid { zxid });
        }
    }

    /// Appends `txns` to the transaction log and fsyncs it (`FileTxnLog.commit`), or with
    /// `forceSync=no` only writes them to the page cache.
    pub(crate) fn log_txns(&mut self, ctx: &mut Ctx<'_>, txns: &[Arc<Txn>]) {
        let before = self.disk.txns.len();
        let now = ctx.now();
        for t in txns {
            if t.zxid > self.disk.last_logged() {
                self.disk.txns.push(t.clone());
                if !self.cfg.force_sync {
                    self.disk.unsynced.push((t.zxid, now));
                }
            }
        }
        if self.cfg.force_sync {
            // The fsync makes every earlier write durable too.
            self.disk.unsynced.clear();
        }
        if self.disk.txns.len() != before {
            ctx.change(ZkChange::Logged {
                zxid: self.disk.last_logged(),
            });
        }
    }

    /// Writes a snapshot of the in-memory data (`takeSnapshot`): it replaces what is on
    /// disk up to `lastProcessedZxid`.
    pub(crate) fn take_snapshot(&mut self, ctx: &mut Ctx<'_>) {
        self.disk.snapshot = self.disk.snapshot.max(self.last_processed);
        let upto = self.last_processed;
        let mut txns: Vec<Arc<Txn>> = self
            .history
            .iter()
            .filter(|t| t.zxid <= upto)
            .cloned()
            .collect();
        txns.extend(self.disk.txns.iter().filter(|t| t.zxid > upto).cloned());
        self.disk.txns = txns;
        // The snapshot file is durable (a SNAP's is fsynced, `syncSnapshot`; a TRUNC's is
        // not in ZooKeeper, which the engine does not model).
        self.disk.unsynced.retain(|(z, _)| *z > upto);
        ctx.change(ZkChange::Snapshot {
            zxid: self.disk.snapshot,
        });
    }

    /// Leaves the leader or learner role (closing its connections, as the real server's
    /// shutdown does) and starts a new election round. A server that was serving brings
    /// its data forward to the end of its log (`ZooKeeperServer.shutdown` →
    /// `fastForwardDataBase`), so a leader that steps down with nothing logged in its epoch
    /// keeps `epoch << 32`; one that failed in the middle of a SNAP reloads its disk.
    pub(crate) fn abandon(&mut self, ctx: &mut Ctx<'_>, reason: String) {
        let serving = self.phase == ZabPhase::Broadcast;
        self.stop_serving(ctx);
        let mut reload = false;
        match std::mem::replace(&mut self.role, Role::None) {
            Role::Leader(l) => {
                for (sid, h) in &l.learners {
                    ctx.close(h.conn, "leader shutdown");
                    ctx.cancel_timer(ZkTimer::HandlerRead(*sid));
                }
            }
            Role::Learner(l) => {
                ctx.close(l.conn, "Exception when following the leader");
                reload = l.sync_mode == Some(SyncMode::Snap) && !l.newleader_seen;
            }
            Role::None => {}
        }
        if serving {
            let logged: Vec<Arc<Txn>> = self
                .disk
                .txns
                .iter()
                .filter(|t| t.zxid > self.last_processed)
                .cloned()
                .collect();
            let mut fired = Vec::new();
            for t in &logged {
                process_in_memory(
                    &mut self.serving.tree,
                    &mut self.serving.sessions,
                    t,
                    &mut fired,
                );
            }
            self.history.extend(logged.iter().cloned());
            if let Some(last) = logged.last() {
                self.set_last_processed(ctx, last.zxid);
            }
        } else if reload {
            self.load_database();
            ctx.change(ZkChange::LastZxid {
                zxid: self.last_processed,
            });
        }
        for t in [
            ZkTimer::ZabSetup,
            ZkTimer::LeaderTick,
            ZkTimer::LearnerRead,
            ZkTimer::LearnerConnectRetry,
        ] {
            ctx.cancel_timer(t);
        }
        ctx.change(ZkChange::Abandoned { reason });
        if self.observer {
            // Observer.observeLeader's finally: a random wait before looking again.
            self.set_state(ctx, ServerState::Looking);
            self.set_phase(ctx, ZabPhase::Election);
            self.waiting = Some(Vec::new());
            let delay = ctx.rng().below(OBSERVER_ELECTION_DELAY_MS);
            ctx.set_timer(ZkTimer::ObserverDelay, delay);
        } else {
            self.start_election(ctx);
        }
    }
}

/// Applies one transaction to a server's in-memory database: the data tree and the list
/// of open sessions with their timeouts, which createSession and closeSession change
/// (`ZKDatabase.processTxn` and, on a reload or fast-forward,
/// `FileTxnSnapLog.processTransaction`, which keep `sessionsWithTimeouts` in step). A
/// fast-forward that forgot a closeSession would let the next leader's session tracker
/// take the closed session back.
pub(crate) fn process_in_memory(
    tree: &mut DataTree,
    sessions: &mut BTreeMap<u64, u32>,
    txn: &Txn,
    fired: &mut Vec<crate::zookeeper::data::tree::Fired>,
) -> crate::zookeeper::data::tree::TxnResult {
    let result = tree.process_txn(txn, fired);
    match txn.body {
        TxnBody::CreateSession { timeout_ms } => {
            sessions.insert(txn.session, timeout_ms);
        }
        TxnBody::CloseSession { .. } => {
            sessions.remove(&txn.session);
        }
        _ => {}
    }
    result
}

/// `zookeeper.observer.election.DelayMs`: an observer that lost its leader waits a random
/// time below this before it looks for a new one (`Observer.waitForReconnectDelay`), ms.
pub const OBSERVER_ELECTION_DELAY_MS: u64 = 200;
