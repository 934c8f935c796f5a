//! The learner's side of ZAB (`Learner.connectToLeader`, `registerWithLeader`,
//! `syncWithLeader`, `Follower.followLeader`, `Observer.observeLeader`; apache/zookeeper
//! release-3.8.6).
//!
//! A learner connects to the leader's quorum port and registers (FOLLOWERINFO or
//! OBSERVERINFO). Only a refused connect is tried again, five times 100 ms apart within
//! `initLimit * tickTime` (Learner.java 402-457); a connection that closes after it was
//! accepted ends following at once. It accepts the leader's epoch unless it has already
//! accepted a newer one ("Leaders epoch, X is less than accepted epoch, Y": epochs fence
//! old leaders) and answers ACKEPOCH with its `lastProcessedZxid`.
//!
//! Sync as 3.8.6 does it (Learner.java 549-848): in DIFF mode nothing is applied before
//! NEWLEADER; PROPOSALs are buffered and COMMITs noted. SNAP replaces the in-memory data
//! and TRUNC cuts it back, each adopting the packet's zxid; COMMITs then apply in memory.
//! At NEWLEADER a SNAP/TRUNC learner writes a snapshot, a follower logs and fsyncs every
//! buffered proposal, then writes currentEpoch and ACKs `epoch << 32`. At UPTODATE it ACKs
//! again, starts serving, ACKs each proposal it logged, logs what came after NEWLEADER and
//! applies every noted COMMIT. (3.9.3, ZOOKEEPER-4394, logs only committed proposals at
//! NEWLEADER.) It gives up and goes LOOKING when nothing arrives from the leader for
//! `initLimit` ticks while registering and syncing or `syncLimit` ticks after NEWLEADER,
//! or when the connection closes.

use crate::ids::NodeId;
use crate::sim::conn::{Channel, CloseReason, ConnId};
use crate::sim::effects::Ctx;
use crate::zookeeper::data::txn::Txn;
use crate::zookeeper::messages::{QuorumPacket, SyncMode, ZabPhase, ZkChange, ZkMsg, ZkTimer};
use crate::zookeeper::server::{Role, ZkServer};
use crate::zookeeper::zxid::{hex, make_zxid};
use std::sync::Arc;

/// `leaderConnectDelayDuringRetryMs` (100 ms).
const CONNECT_RETRY_DELAY_MS: u64 = 100;
/// `connectToLeader` tries at most five times.
const CONNECT_TRIES: u32 = 5;

/// Where a learner is in its conversation with the leader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LearnerStage {
    /// FOLLOWERINFO/OBSERVERINFO sent; waiting for LEADERINFO.
    Registering,
    /// ACKEPOCH sent; receiving DIFF/TRUNC/SNAP until NEWLEADER.
    Syncing,
    /// NEWLEADER acked; waiting for UPTODATE.
    WaitUpToDate,
    /// Serving.
    Running,
}

/// State of a FOLLOWING or OBSERVING server.
#[derive(Clone, Debug)]
pub(crate) struct LearnerRole {
    /// The leader's sid.
    pub(crate) leader: u32,
    /// The connection to the leader's quorum port.
    pub(crate) conn: ConnId,
    pub(crate) stage: LearnerStage,
    /// The epoch from LEADERINFO.
    pub(crate) new_epoch: u64,
    /// Connection attempts so far.
    pub(crate) tries: u32,
    /// When connecting must have succeeded (`initLimit * tickTime` after the first try).
    pub(crate) connect_deadline: u64,
    /// DIFF, TRUNC or SNAP, once the first sync packet arrived.
    pub(crate) sync_mode: Option<SyncMode>,
    /// True once NEWLEADER arrived (DIFF mode and everything after NEWLEADER write to the
    /// log; before it SNAP/TRUNC apply in memory).
    pub(crate) newleader_seen: bool,
    /// `packetsNotCommitted`: proposals received and not yet logged or applied (while
    /// running: logged, waiting for their COMMIT).
    pub(crate) not_committed: Vec<Arc<Txn>>,
    /// `packetsCommitted`: COMMITs noted to apply after UPTODATE.
    pub(crate) committed: Vec<u64>,
    /// Proposals logged at NEWLEADER, acknowledged after UPTODATE (`requestsToAck`).
    pub(crate) to_ack: Vec<Arc<Txn>>,
    /// Proposals followed a TRUNC before NEWLEADER: the leader sent TRUNC+DIFF
    /// (`queueCommittedProposals` queues the TRUNC, then the proposals after it).
    pub(crate) diff_after_trunc: bool,
}

impl ZkServer {
    /// `followLeader` / `observeLeader`: connect and register.
    pub(crate) fn follow(&mut self, ctx: &mut Ctx<'_>, leader: u32) {
        self.set_phase(ctx, ZabPhase::Discovery);
        let conn = ctx.connect(NodeId::Zk(leader), Channel::Quorum);
        self.role = Role::Learner(LearnerRole {
            leader,
            conn,
            stage: LearnerStage::Registering,
            new_epoch: 0,
            tries: 1,
            connect_deadline: ctx.now() + self.cfg.init_timeout_ms(),
            sync_mode: None,
            diff_after_trunc: false,
            newleader_seen: false,
            not_committed: Vec::new(),
            committed: Vec::new(),
            to_ack: Vec::new(),
        });
        ctx.set_timer(ZkTimer::LearnerRead, self.cfg.init_timeout_ms());
        self.register(ctx);
    }

    fn learner_role(&mut self) -> Option<&mut LearnerRole> {
        match &mut self.role {
            Role::Learner(l) => Some(l),
            _ => None,
        }
    }

    /// `registerWithLeader`: FOLLOWERINFO (or OBSERVERINFO) with `acceptedEpoch << 32`.
    fn register(&mut self, ctx: &mut Ctx<'_>) {
        let accepted_epoch = self.disk.accepted_epoch;
        let observer = self.observer;
        let Some(l) = self.learner_role() else { return };
        let p = if observer {
            QuorumPacket::ObserverInfo { accepted_epoch }
        } else {
            QuorumPacket::FollowerInfo { accepted_epoch }
        };
        ctx.send(l.conn, ZkMsg::Packet(p));
    }

    fn send_to_leader(&mut self, ctx: &mut Ctx<'_>, p: QuorumPacket) {
        if let Some(l) = self.learner_role() {
            ctx.send(l.conn, ZkMsg::Packet(p));
        }
    }

    /// A packet from the leader on `conn`.
    pub(crate) fn learner_on_packet(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, p: QuorumPacket) {
        let (init_timeout, sync_timeout) = (self.cfg.init_timeout_ms(), self.cfg.sync_timeout_ms());
        let Some(l) = self.learner_role() else { return };
        if conn != l.conn {
            return;
        }
        let stage = l.stage;
        // Any packet resets the socket read timeout (initLimit ticks until NEWLEADER).
        let read_timeout = if matches!(stage, LearnerStage::Registering | LearnerStage::Syncing) {
            init_timeout
        } else {
            sync_timeout
        };
        ctx.set_timer(ZkTimer::LearnerRead, read_timeout);
        match (stage, p) {
            (LearnerStage::Registering, QuorumPacket::LeaderInfo { new_epoch }) => {
                self.on_leader_info(ctx, new_epoch)
            }
            (LearnerStage::Syncing | LearnerStage::WaitUpToDate, p) => self.on_sync_packet(ctx, p),
            (LearnerStage::Running, QuorumPacket::Ping { .. }) => {
                let touches = self.take_touches();
                self.send_to_leader(ctx, QuorumPacket::Ping { touches });
            }
            (LearnerStage::Running, QuorumPacket::Proposal { txn }) => {
                // Logged and fsynced, then acknowledged (SyncRequestProcessor).
                let zxid = txn.zxid;
                self.log_txns(ctx, std::slice::from_ref(&txn));
                if let Some(l) = self.learner_role() {
                    l.not_committed.push(txn);
                }
                if !self.observer {
                    self.send_to_leader(ctx, QuorumPacket::Ack { zxid });
                }
            }
            (LearnerStage::Running, QuorumPacket::Commit { zxid }) => {
                let txn = self.learner_role().and_then(|l| {
                    let i = l.not_committed.iter().position(|t| t.zxid == zxid)?;
                    Some(l.not_committed.remove(i))
                });
                if let Some(txn) = txn {
                    self.apply_committed(ctx, txn);
                }
            }
            (LearnerStage::Running, QuorumPacket::Inform { txn }) => {
                self.log_txns(ctx, std::slice::from_ref(&txn));
                self.apply_committed(ctx, txn);
            }
            (LearnerStage::Running, QuorumPacket::Revalidated { session, valid }) => {
                self.learner_on_revalidated(ctx, session, valid)
            }
            (LearnerStage::Running, QuorumPacket::Sync) => self.sync_done(ctx),
            (stage, p) => ctx.note(format!("unexpected {} in {stage:?}", p.name())),
        }
    }

    /// `registerWithLeader`: check the proposed epoch against acceptedEpoch.
    fn on_leader_info(&mut self, ctx: &mut Ctx<'_>, new_epoch: u64) {
        let accepted = self.disk.accepted_epoch;
        let current_epoch = if new_epoch > accepted {
            let current = self.disk.current_epoch as i64;
            self.set_accepted_epoch(ctx, new_epoch);
            current
        } else if new_epoch == accepted {
            -1
        } else {
            self.abandon(
                ctx,
                format!(
                    "Exception when following the leader: Leaders epoch, {new_epoch} is less than accepted epoch, {accepted}"
                ),
            );
            return;
        };
        let last_zxid = self.last_processed;
        let Some(l) = self.learner_role() else { return };
        l.new_epoch = new_epoch;
        l.stage = LearnerStage::Syncing;
        self.send_to_leader(
            ctx,
            QuorumPacket::AckEpoch {
                current_epoch,
                last_zxid,
            },
        );
        self.set_phase(ctx, ZabPhase::Synchronization);
    }

    /// `syncWithLeader`: DIFF / TRUNC / SNAP, proposals and commits, NEWLEADER, UPTODATE.
    fn on_sync_packet(&mut self, ctx: &mut Ctx<'_>, p: QuorumPacket) {
        let Some(l) = self.learner_role() else { return };
        let writes_log = l.newleader_seen || l.sync_mode == Some(SyncMode::Diff);
        match p {
            QuorumPacket::Diff { .. } => l.sync_mode = Some(SyncMode::Diff),
            QuorumPacket::Trunc { zxid } => {
                l.sync_mode = Some(SyncMode::Trunc);
                // truncateLog: the log is cut back, the data reloaded to that point.
                self.truncated = self
                    .disk
                    .txns
                    .iter()
                    .filter(|t| t.zxid > zxid)
                    .cloned()
                    .collect();
                self.disk.txns.retain(|t| t.zxid <= zxid);
                self.history.retain(|t| t.zxid <= zxid);
                self.rebuild_tree();
                ctx.change(ZkChange::Logged {
                    zxid: self.disk.last_logged(),
                });
                self.set_last_processed(ctx, zxid);
            }
            QuorumPacket::Snap { zxid, txns } => {
                l.sync_mode = Some(SyncMode::Snap);
                self.history = txns;
                self.rebuild_tree();
                self.set_last_processed(ctx, zxid);
            }
            QuorumPacket::Proposal { txn } => {
                if l.sync_mode == Some(SyncMode::Trunc) && !l.newleader_seen {
                    l.diff_after_trunc = true;
                }
                l.not_committed.push(txn)
            }
            QuorumPacket::Commit { zxid } if writes_log => l.committed.push(zxid),
            QuorumPacket::Commit { zxid } => {
                if l.not_committed.first().is_some_and(|t| t.zxid == zxid) {
                    let txn = l.not_committed.remove(0);
                    self.apply_committed(ctx, txn);
                } else {
                    let next = l.not_committed.first().map_or(0, |t| t.zxid);
                    ctx.note(format!(
                        "Committing {}, but next proposal is {}",
                        hex(zxid),
                        hex(next)
                    ));
                }
            }
            QuorumPacket::NewLeader { zxid } => self.on_new_leader(ctx, zxid),
            QuorumPacket::UpToDate => self.on_up_to_date(ctx),
            QuorumPacket::Ping { .. } => {}
            other => ctx.note(format!("unexpected {} during sync", other.name())),
        }
    }

    /// NEWLEADER: snapshot (SNAP/TRUNC), log the buffered proposals (follower), then
    /// currentEpoch, then the ACK.
    fn on_new_leader(&mut self, ctx: &mut Ctx<'_>, zxid: u64) {
        let observer = self.observer;
        let Some(l) = self.learner_role() else { return };
        if l.newleader_seen {
            return;
        }
        l.newleader_seen = true;
        l.stage = LearnerStage::WaitUpToDate;
        let (mode, epoch) = (l.sync_mode, l.new_epoch);
        let buffered = if observer {
            Vec::new()
        } else {
            std::mem::take(&mut l.not_committed)
        };
        l.to_ack = buffered.clone();
        if matches!(mode, Some(SyncMode::Snap | SyncMode::Trunc)) {
            self.take_snapshot(ctx);
        }
        self.log_txns(ctx, &buffered);
        self.set_current_epoch(ctx, epoch);
        ctx.set_timer(ZkTimer::LearnerRead, self.cfg.sync_timeout_ms());
        self.send_to_leader(ctx, QuorumPacket::Ack { zxid });
    }

    /// UPTODATE: ACK, serve, ACK the proposals logged at NEWLEADER, log what came after,
    /// apply every noted COMMIT.
    fn on_up_to_date(&mut self, ctx: &mut Ctx<'_>) {
        let observer = self.observer;
        let Some(l) = self.learner_role() else { return };
        l.stage = LearnerStage::Running;
        let epoch = l.new_epoch;
        let to_ack = std::mem::take(&mut l.to_ack);
        let later = std::mem::take(&mut l.not_committed);
        let committed = std::mem::take(&mut l.committed);
        self.send_to_leader(
            ctx,
            QuorumPacket::Ack {
                zxid: make_zxid(epoch, 0),
            },
        );
        // updateElectionVote: report the new epoch to peers that look for a leader.
        self.current_vote.proposal.peer_epoch = epoch as i64;
        self.set_phase(ctx, ZabPhase::Broadcast);
        if !observer {
            for t in &to_ack {
                self.send_to_leader(ctx, QuorumPacket::Ack { zxid: t.zxid });
            }
        }
        self.log_txns(ctx, &later);
        if !observer {
            for t in &later {
                self.send_to_leader(ctx, QuorumPacket::Ack { zxid: t.zxid });
            }
        }
        for zxid in &committed {
            let txn = to_ack
                .iter()
                .chain(later.iter())
                .find(|t| t.zxid == *zxid)
                .cloned();
            if let Some(txn) = txn {
                self.apply_committed(ctx, txn);
            }
        }
        // What is still waiting for its COMMIT, in zxid order: the proposals logged at
        // NEWLEADER too (`FollowerZooKeeperServer.appendRequest` puts them in
        // `pendingTxns`, 3.8.6), not only those that came after it.
        let pending: Vec<Arc<Txn>> = to_ack
            .into_iter()
            .chain(later)
            .filter(|t| !committed.contains(&t.zxid))
            .collect();
        if let Some(l) = self.learner_role() {
            l.not_committed = pending;
        }
        self.start_serving(ctx);
    }

    /// The connection to the leader closed (or was refused). Only a refused connect is
    /// tried again; anything else ends following at once.
    pub(crate) fn learner_on_closed(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, why: &CloseReason) {
        let now = ctx.now();
        let Some(l) = self.learner_role() else { return };
        if conn != l.conn {
            return;
        }
        let refused = matches!(why, CloseReason::Refused { .. });
        if refused && l.tries < CONNECT_TRIES && now + CONNECT_RETRY_DELAY_MS < l.connect_deadline {
            ctx.set_timer(ZkTimer::LearnerConnectRetry, CONNECT_RETRY_DELAY_MS);
            return;
        }
        let leader = l.leader;
        let reason = match why {
            CloseReason::Refused { .. } => {
                format!("Exception when following the leader: Failed connect to zk{leader}")
            }
            CloseReason::Closed { .. } | CloseReason::ProcessDied { .. } => {
                "Exception when following the leader: java.io.EOFException".to_string()
            }
            CloseReason::Reset { .. } | CloseReason::ResetCommand => {
                "Exception when following the leader: java.net.SocketException: Connection reset"
                    .to_string()
            }
            CloseReason::TimedOut => {
                "Exception when following the leader: java.net.SocketException: Connection timed out"
                    .to_string()
            }
        };
        self.abandon(ctx, reason);
    }

    /// The read timeout or the reconnect delay fired.
    pub(crate) fn learner_on_timer(&mut self, ctx: &mut Ctx<'_>, t: ZkTimer) {
        let Some(l) = self.learner_role() else { return };
        match t {
            ZkTimer::LearnerConnectRetry => {
                l.tries += 1;
                l.conn = ctx.connect(NodeId::Zk(l.leader), Channel::Quorum);
                self.register(ctx);
            }
            _ => self.abandon(
                ctx,
                "Exception when following the leader: java.net.SocketTimeoutException: Read timed out"
                    .into(),
            ),
        }
    }
}
