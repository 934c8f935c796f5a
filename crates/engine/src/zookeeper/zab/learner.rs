//! The learner's side of ZAB (`Learner.registerWithLeader`, `Learner.syncWithLeader`,
//! `Follower.followLeader`, `Observer.observeLeader`).
//!
//! A learner connects and registers (FOLLOWERINFO or OBSERVERINFO, retried up to five
//! times 100 ms apart when the connection is refused), accepts the leader's epoch unless it
//! has already accepted a newer one (that stale leader is refused: "Leaders epoch, X is
//! less than accepted epoch, Y" — epochs fence old leaders), applies DIFF/TRUNC/SNAP,
//! persists currentEpoch on NEWLEADER and acks, and starts serving on UPTODATE. It gives
//! up and goes back to LOOKING when nothing arrives from the leader for `initLimit` ticks
//! while syncing or `syncLimit` ticks afterwards, or when the connection closes.

use crate::ids::NodeId;
use crate::sim::effects::Ctx;
use crate::zookeeper::messages::{QuorumPacket, SyncMode, ZabPhase, ZkChange, ZkMsg, ZkTimer};
use crate::zookeeper::server::{Role, ZkServer};
use crate::zookeeper::zxid::make_zxid;

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
    pub(crate) stage: LearnerStage,
    /// The epoch from LEADERINFO.
    pub(crate) new_epoch: u64,
    /// Connection attempts so far.
    pub(crate) tries: u32,
    /// Proposals received during sync and not yet committed.
    pub(crate) pending: Vec<u64>,
    pub(crate) sync_mode: Option<SyncMode>,
}

impl ZkServer {
    /// `followLeader` / `observeLeader`: connect and register.
    pub(crate) fn follow(&mut self, ctx: &mut Ctx<'_>, leader: u32) {
        self.set_phase(ctx, ZabPhase::Discovery);
        self.role = Role::Learner(LearnerRole {
            leader,
            stage: LearnerStage::Registering,
            new_epoch: 0,
            tries: 0,
            pending: Vec::new(),
            sync_mode: None,
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

    fn register(&mut self, ctx: &mut Ctx<'_>) {
        let accepted_epoch = self.disk.accepted_epoch;
        let observer = self.observer;
        let Some(l) = self.learner_role() else { return };
        l.tries += 1;
        let p = if observer {
            QuorumPacket::ObserverInfo { accepted_epoch }
        } else {
            QuorumPacket::FollowerInfo { accepted_epoch }
        };
        ctx.send(NodeId::Zk(l.leader), ZkMsg::Packet(p));
    }

    /// A packet from (what it believes is) the leader.
    pub(crate) fn learner_on_packet(&mut self, ctx: &mut Ctx<'_>, from: u32, p: QuorumPacket) {
        let (init_timeout, sync_timeout) = (self.cfg.init_timeout_ms(), self.cfg.sync_timeout_ms());
        let Some(l) = self.learner_role() else { return };
        if from != l.leader {
            ctx.send(NodeId::Zk(from), ZkMsg::Disconnect);
            return;
        }
        let stage = l.stage;
        // Any packet resets the socket read timeout.
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
            (LearnerStage::Syncing, p) => self.on_sync_packet(ctx, p),
            (LearnerStage::WaitUpToDate, QuorumPacket::UpToDate) => {
                let Some(l) = self.learner_role() else { return };
                l.stage = LearnerStage::Running;
                let (leader, epoch) = (l.leader, l.new_epoch);
                ctx.send(
                    NodeId::Zk(leader),
                    ZkMsg::Packet(QuorumPacket::Ack {
                        zxid: make_zxid(epoch, 0),
                    }),
                );
                // updateElectionVote: report the new epoch to peers that look for a leader.
                self.current_vote.proposal.peer_epoch = epoch as i64;
                self.set_phase(ctx, ZabPhase::Broadcast);
            }
            (LearnerStage::Running, QuorumPacket::Ping) => {
                ctx.send(NodeId::Zk(from), ZkMsg::Packet(QuorumPacket::Ping));
            }
            (LearnerStage::Running, QuorumPacket::Proposal { zxid }) => {
                self.disk.txns.push(zxid);
                ctx.change(ZkChange::LastZxid { zxid });
                ctx.send(NodeId::Zk(from), ZkMsg::Packet(QuorumPacket::Ack { zxid }));
            }
            (_, QuorumPacket::Ping | QuorumPacket::Commit { .. }) => {}
            (stage, p) => ctx.note(format!(
                "unexpected {} from zk{from} in {stage:?}",
                p.name()
            )),
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
                format!("Leaders epoch, {new_epoch} is less than accepted epoch, {accepted}"),
            );
            return;
        };
        let last_zxid = self.disk.last_zxid();
        let Some(l) = self.learner_role() else { return };
        l.new_epoch = new_epoch;
        l.stage = LearnerStage::Syncing;
        let leader = l.leader;
        ctx.send(
            NodeId::Zk(leader),
            ZkMsg::Packet(QuorumPacket::AckEpoch {
                current_epoch,
                last_zxid,
            }),
        );
        self.set_phase(ctx, ZabPhase::Synchronization);
    }

    /// `syncWithLeader`: DIFF / TRUNC / SNAP, proposals and commits, then NEWLEADER.
    fn on_sync_packet(&mut self, ctx: &mut Ctx<'_>, p: QuorumPacket) {
        let Role::Learner(l) = &mut self.role else {
            return;
        };
        match p {
            QuorumPacket::Diff { .. } => l.sync_mode = Some(SyncMode::Diff),
            QuorumPacket::Trunc { zxid } => {
                l.sync_mode = Some(SyncMode::Trunc);
                self.disk.txns.retain(|&z| z <= zxid);
                ctx.change(ZkChange::LastZxid {
                    zxid: self.disk.last_zxid(),
                });
            }
            QuorumPacket::Snap { txns, .. } => {
                l.sync_mode = Some(SyncMode::Snap);
                self.disk.txns = txns;
                ctx.change(ZkChange::LastZxid {
                    zxid: self.disk.last_zxid(),
                });
            }
            QuorumPacket::Proposal { zxid } => l.pending.push(zxid),
            QuorumPacket::Commit { zxid } => {
                if let Some(i) = l.pending.iter().position(|&z| z == zxid) {
                    l.pending.remove(i);
                    if self.disk.last_zxid() < zxid {
                        self.disk.txns.push(zxid);
                        ctx.change(ZkChange::LastZxid { zxid });
                    }
                }
            }
            QuorumPacket::NewLeader { zxid } => {
                let (leader, epoch) = (l.leader, l.new_epoch);
                l.stage = LearnerStage::WaitUpToDate;
                self.set_current_epoch(ctx, epoch);
                ctx.set_timer(ZkTimer::LearnerRead, self.cfg.sync_timeout_ms());
                ctx.send(
                    NodeId::Zk(leader),
                    ZkMsg::Packet(QuorumPacket::Ack { zxid }),
                );
            }
            QuorumPacket::Ping => {}
            other => ctx.note(format!("unexpected {} during sync", other.name())),
        }
    }

    /// The connection to the leader closed (or was refused).
    pub(crate) fn learner_on_disconnect(&mut self, ctx: &mut Ctx<'_>, from: u32) {
        let Some(l) = self.learner_role() else { return };
        if from != l.leader {
            return;
        }
        if l.stage == LearnerStage::Registering && l.tries < CONNECT_TRIES {
            ctx.set_timer(ZkTimer::LearnerConnectRetry, CONNECT_RETRY_DELAY_MS);
            return;
        }
        let reason = if l.stage == LearnerStage::Registering {
            format!("Failed connect to zk{from}")
        } else {
            "Exception when following the leader: connection closed".to_string()
        };
        self.abandon(ctx, reason);
    }

    /// The read timeout or the reconnect delay fired.
    pub(crate) fn learner_on_timer(&mut self, ctx: &mut Ctx<'_>, t: ZkTimer) {
        if self.learner_role().is_none() {
            return;
        }
        match t {
            ZkTimer::LearnerConnectRetry => self.register(ctx),
            _ => self.abandon(
                ctx,
                "Exception when following the leader: SocketTimeoutException: Read timed out"
                    .into(),
            ),
        }
    }
}
