//! The leader's side of ZAB (`Leader.lead`, `LearnerHandler.run`, apache/zookeeper
//! release-3.8.6).
//!
//! Discovery: every learner sends FOLLOWERINFO with its acceptedEpoch; once the leader
//! and a quorum have registered, the new epoch is one more than the largest acceptedEpoch
//! (`getEpochToPropose`) and each learner gets LEADERINFO. Each answers ACKEPOCH with its
//! currentEpoch and last zxid; a learner that is ahead of the leader is refused
//! (`waitForEpochAck`). With a quorum of ACKEPOCHs the leader sets currentEpoch and syncs
//! every learner (DIFF, TRUNC or SNAP), then sends NEWLEADER. With a quorum of NEWLEADER
//! ACKs it is established: it sends UPTODATE and starts its tick loop, pinging learners
//! every half tick and stepping down when fewer than a quorum answered within
//! `syncLimit` ticks. Every wait for a quorum is bounded by `initLimit * tickTime`.
//!
//! Each learner has its own connection and handler (`HandlerStage` is where in
//! `LearnerHandler.run` it is). The handler's socket read times out after `initLimit`
//! ticks until the learner has acked NEWLEADER and the quorum wait returned, `syncLimit`
//! ticks after (Leader.java 523-525, 1676-1678); a timeout or a close ends the handler
//! (LearnerHandler.java 718-738), so a crashed follower leaves the leader's count at the
//! next tick, a silent one after syncLimit ticks. A frozen leader does not count time:
//! `tick` counts loop passes, so a pause adds at most one.
//!
//! When a quorum acks NEWLEADER the leader's `lastProcessedZxid` becomes `epoch << 32`
//! (`Leader.lead` → `zk.setZxid(makeZxid(epoch, 0))`, `startZkServer` →
//! `setlastProcessedZxid`): it votes with that zxid, reports it, and sends it as the SNAP
//! zxid. The engine keeps one handler per learner sid and closes an older connection when
//! the same learner registers again (ZooKeeper lets the old handler die on its own read).

use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;
use crate::zookeeper::messages::{QuorumPacket, SyncMode, ZabPhase, ZkChange, ZkMsg, ZkTimer};
use crate::zookeeper::server::{Role, ZkServer};
use crate::zookeeper::zab::sync::{SyncOp, plan_sync};
use crate::zookeeper::zxid::make_zxid;
use std::collections::{BTreeMap, BTreeSet};

/// Where one learner's handler is (`LearnerHandler.run` runs top to bottom).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HandlerStage {
    /// FOLLOWERINFO received; waiting for the new epoch to be decided.
    WaitEpoch,
    /// LEADERINFO sent; waiting for ACKEPOCH.
    SentLeaderInfo,
    /// ACKEPOCH received; waiting for a quorum of them.
    WaitEpochAck,
    /// Sync packets and NEWLEADER sent; waiting for the learner's ACK.
    Syncing,
    /// NEWLEADER acked; waiting for a quorum of such ACKs.
    WaitStartup,
    /// UPTODATE sent: broadcast.
    Running,
}

/// The leader's record of one connected learner (`LearnerHandler`).
#[derive(Clone, Debug)]
pub(crate) struct LearnerHandler {
    /// The connection the learner registered on.
    pub(crate) conn: ConnId,
    pub(crate) stage: HandlerStage,
    /// The learner's last zxid from ACKEPOCH.
    pub(crate) peer_last_zxid: u64,
    /// `tickOfNextAckDeadline`: the learner counts as synced while tick <= this.
    pub(crate) tick_deadline: u64,
}

/// State of a server while LEADING.
#[derive(Clone, Debug)]
pub(crate) struct LeaderRole {
    /// The epoch being proposed (fixed once `waiting_for_new_epoch` is false).
    pub(crate) epoch: u64,
    pub(crate) waiting_for_new_epoch: bool,
    /// Participants that registered during discovery (`connectingFollowers`).
    pub(crate) connecting: BTreeSet<u32>,
    /// Participants that acked the epoch (`electingFollowers`).
    pub(crate) electing: BTreeSet<u32>,
    pub(crate) election_finished: bool,
    /// Participants that acked NEWLEADER.
    pub(crate) newleader_acks: BTreeSet<u32>,
    pub(crate) quorum_formed: bool,
    /// Connected learners by sid.
    pub(crate) learners: BTreeMap<u32, LearnerHandler>,
    /// `self.tick`: counts whole ticks since the leader was established.
    pub(crate) tick: u64,
    pub(crate) tick_skip: bool,
    /// `leaderStateSummary`: (currentEpoch, last zxid) when leading began.
    pub(crate) summary: (u64, u64),
}

impl ZkServer {
    /// `Leader.lead`: snapshot the data (`zk.loadData()`), then start discovery.
    pub(crate) fn lead(&mut self, ctx: &mut Ctx<'_>) {
        self.take_snapshot(ctx);
        self.set_phase(ctx, ZabPhase::Discovery);
        self.role = Role::Leader(Box::new(LeaderRole {
            epoch: 0,
            waiting_for_new_epoch: true,
            connecting: BTreeSet::new(),
            electing: BTreeSet::new(),
            election_finished: false,
            newleader_acks: BTreeSet::new(),
            quorum_formed: false,
            learners: BTreeMap::new(),
            tick: 0,
            tick_skip: true,
            summary: (self.disk.current_epoch, self.last_processed),
        }));
        ctx.set_timer(ZkTimer::ZabSetup, self.cfg.init_timeout_ms());
        let (sid, accepted) = (self.sid, self.disk.accepted_epoch);
        self.epoch_to_propose(ctx, sid, accepted);
    }

    fn leader_role(&mut self) -> Option<&mut LeaderRole> {
        match &mut self.role {
            Role::Leader(l) => Some(l),
            _ => None,
        }
    }

    /// `getEpochToPropose(sid, lastAcceptedEpoch)`.
    fn epoch_to_propose(&mut self, ctx: &mut Ctx<'_>, sid: u32, last_accepted: u64) {
        let me = self.sid;
        let quorum = self.quorum.clone();
        let Some(l) = self.leader_role() else { return };
        if !l.waiting_for_new_epoch {
            return;
        }
        l.epoch = l.epoch.max(last_accepted + 1);
        if quorum.is_voter(sid) {
            l.connecting.insert(sid);
        }
        if !(l.connecting.contains(&me) && quorum.contains_quorum(&l.connecting)) {
            return;
        }
        l.waiting_for_new_epoch = false;
        let epoch = l.epoch;
        let mut waiting = Vec::new();
        for h in l.learners.values_mut() {
            if h.stage == HandlerStage::WaitEpoch {
                h.stage = HandlerStage::SentLeaderInfo;
                waiting.push(h.conn);
            }
        }
        self.set_accepted_epoch(ctx, epoch);
        for c in waiting {
            ctx.send(
                c,
                ZkMsg::Packet(QuorumPacket::LeaderInfo { new_epoch: epoch }),
            );
        }
        // The leader's own waitForEpochAck.
        ctx.set_timer(ZkTimer::ZabSetup, self.cfg.init_timeout_ms());
        let summary = match &self.role {
            Role::Leader(l) => l.summary,
            _ => return,
        };
        self.epoch_ack(ctx, me, summary.0 as i64, summary.1);
    }

    /// `waitForEpochAck(sid, StateSummary)`.
    fn epoch_ack(&mut self, ctx: &mut Ctx<'_>, sid: u32, current_epoch: i64, last_zxid: u64) {
        let me = self.sid;
        let quorum = self.quorum.clone();
        let Some(l) = self.leader_role() else { return };
        if l.election_finished {
            self.sync_learner(ctx, sid);
            return;
        }
        if current_epoch != -1 {
            let (lead_epoch, lead_zxid) = l.summary;
            let ahead = (current_epoch as u64, last_zxid) > (lead_epoch, lead_zxid);
            if ahead && sid != me {
                if let Some(h) = l.learners.remove(&sid) {
                    ctx.close(h.conn, "Follower is ahead of the leader");
                    ctx.cancel_timer(ZkTimer::HandlerRead(sid));
                }
                ctx.note(format!(
                    "Follower is ahead of the leader, leader summary: {lead_epoch} (current epoch), {lead_zxid} (last zxid)"
                ));
                return;
            }
            if quorum.is_voter(sid) {
                l.electing.insert(sid);
            }
        }
        if let Some(h) = l.learners.get_mut(&sid) {
            h.stage = HandlerStage::WaitEpochAck;
        }
        if !(l.electing.contains(&me) && quorum.contains_quorum(&l.electing)) {
            return;
        }
        l.election_finished = true;
        let epoch = l.epoch;
        let ready: Vec<u32> = l
            .learners
            .iter()
            .filter(|(_, h)| h.stage == HandlerStage::WaitEpochAck)
            .map(|(s, _)| *s)
            .collect();
        self.set_current_epoch(ctx, epoch);
        self.set_phase(ctx, ZabPhase::Synchronization);
        for s in ready {
            self.sync_learner(ctx, s);
        }
        // The leader's own waitForNewLeaderAck.
        ctx.set_timer(ZkTimer::ZabSetup, self.cfg.init_timeout_ms());
        self.newleader_ack(ctx, me, make_zxid(epoch, 0));
    }

    /// `syncFollower` then NEWLEADER for one learner.
    fn sync_learner(&mut self, ctx: &mut Ctx<'_>, sid: u32) {
        let history = self.history.clone();
        let zxids: Vec<u64> = history.iter().map(|t| t.zxid).collect();
        let outstanding: Vec<_> = self
            .serving
            .proposals
            .values()
            .map(|p| p.txn.clone())
            .collect();
        let last_processed = self.last_processed;
        let Some(l) = self.leader_role() else { return };
        let epoch = l.epoch;
        let Some(h) = l.learners.get_mut(&sid) else {
            return;
        };
        h.stage = HandlerStage::Syncing;
        let peer_zxid = h.peer_last_zxid;
        let to = h.conn;
        let plan = plan_sync(peer_zxid, &zxids, last_processed);
        ctx.change(ZkChange::SyncChosen {
            peer: sid,
            mode: plan.mode,
            peer_zxid,
        });
        if plan.mode == SyncMode::Snap {
            ctx.send(
                to,
                ZkMsg::Packet(QuorumPacket::Snap {
                    zxid: last_processed,
                    txns: history.clone(),
                }),
            );
        }
        for op in plan.ops {
            let p = match op {
                SyncOp::Diff(zxid) => QuorumPacket::Diff { zxid },
                SyncOp::Trunc(zxid) => QuorumPacket::Trunc { zxid },
                SyncOp::Proposal(zxid) => match history.binary_search_by_key(&zxid, |t| t.zxid) {
                    Ok(i) => QuorumPacket::Proposal {
                        txn: history[i].clone(),
                    },
                    Err(_) => continue,
                },
                SyncOp::Commit(zxid) => QuorumPacket::Commit { zxid },
            };
            ctx.send(to, ZkMsg::Packet(p));
        }
        // startForwarding: proposals still waiting for their quorum follow the sync.
        for txn in outstanding {
            ctx.send(to, ZkMsg::Packet(QuorumPacket::Proposal { txn }));
        }
        ctx.send(
            to,
            ZkMsg::Packet(QuorumPacket::NewLeader {
                zxid: make_zxid(epoch, 0),
            }),
        );
    }

    /// `waitForNewLeaderAck(sid, zxid)`.
    fn newleader_ack(&mut self, ctx: &mut Ctx<'_>, sid: u32, zxid: u64) {
        let me = self.sid;
        let quorum = self.quorum.clone();
        let sync_timeout = self.cfg.sync_timeout_ms();
        let Some(l) = self.leader_role() else { return };
        if l.quorum_formed {
            if let Some(h) = l.learners.get_mut(&sid) {
                h.stage = HandlerStage::Running;
                ctx.send(h.conn, ZkMsg::Packet(QuorumPacket::UpToDate));
                ctx.set_timer(ZkTimer::HandlerRead(sid), sync_timeout);
            }
            return;
        }
        if zxid != make_zxid(l.epoch, 0) {
            ctx.note(format!(
                "NEWLEADER ACK from sid: {sid} is from a different epoch"
            ));
            return;
        }
        if quorum.is_voter(sid) {
            l.newleader_acks.insert(sid);
        }
        if let Some(h) = l.learners.get_mut(&sid) {
            h.stage = HandlerStage::WaitStartup;
        }
        if !(l.newleader_acks.contains(&me) && quorum.contains_quorum(&l.newleader_acks)) {
            return;
        }
        // Established: UPTODATE to everyone waiting, then the tick loop.
        l.quorum_formed = true;
        let epoch = l.epoch;
        for (s, h) in l.learners.iter_mut() {
            if h.stage == HandlerStage::WaitStartup {
                h.stage = HandlerStage::Running;
                ctx.send(h.conn, ZkMsg::Packet(QuorumPacket::UpToDate));
                ctx.set_timer(ZkTimer::HandlerRead(*s), sync_timeout);
            }
        }
        // startZkServer: serving from epoch << 32; updateElectionVote.
        self.current_vote.proposal.peer_epoch = epoch as i64;
        self.set_last_processed(ctx, make_zxid(epoch, 0));
        ctx.cancel_timer(ZkTimer::ZabSetup);
        self.set_phase(ctx, ZabPhase::Broadcast);
        ctx.change(ZkChange::Established { epoch });
        ctx.set_timer(ZkTimer::LeaderTick, self.cfg.tick_time_ms / 2);
        self.start_serving(ctx);
    }

    /// A packet from a learner on `conn`.
    pub(crate) fn leader_on_packet(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        from: u32,
        p: QuorumPacket,
    ) {
        let (init_limit, sync_limit) = (self.cfg.init_limit, self.cfg.sync_limit);
        let (init_timeout, sync_timeout) = (self.cfg.init_timeout_ms(), self.cfg.sync_timeout_ms());
        let Some(l) = self.leader_role() else { return };
        if let QuorumPacket::FollowerInfo { accepted_epoch }
        | QuorumPacket::ObserverInfo { accepted_epoch } = p
        {
            // A new connection: a new LearnerHandler.
            let tick_deadline = l.tick + init_limit + sync_limit;
            let old = l.learners.insert(
                from,
                LearnerHandler {
                    conn,
                    stage: HandlerStage::WaitEpoch,
                    peer_last_zxid: 0,
                    tick_deadline,
                },
            );
            if let Some(old) = old.filter(|o| o.conn != conn) {
                ctx.close(
                    old.conn,
                    "replaced by a new connection from the same learner",
                );
            }
            ctx.set_timer(ZkTimer::HandlerRead(from), init_timeout);
            self.epoch_to_propose(ctx, from, accepted_epoch);
            let Some(l) = self.leader_role() else { return };
            if !l.waiting_for_new_epoch
                && let Some(h) = l.learners.get_mut(&from)
                && h.stage == HandlerStage::WaitEpoch
            {
                h.stage = HandlerStage::SentLeaderInfo;
                let new_epoch = l.epoch;
                ctx.send(
                    h.conn,
                    ZkMsg::Packet(QuorumPacket::LeaderInfo { new_epoch }),
                );
            }
            return;
        }
        let tick = l.tick;
        let Some(h) = l.learners.get_mut(&from).filter(|h| h.conn == conn) else {
            // A packet on a connection whose handler is gone.
            return;
        };
        // Every packet read resets the socket timeout and, once running, the ack deadline.
        if h.stage == HandlerStage::Running {
            h.tick_deadline = tick + sync_limit;
            ctx.set_timer(ZkTimer::HandlerRead(from), sync_timeout);
        } else {
            ctx.set_timer(ZkTimer::HandlerRead(from), init_timeout);
        }
        match (h.stage, p) {
            (
                HandlerStage::SentLeaderInfo,
                QuorumPacket::AckEpoch {
                    current_epoch,
                    last_zxid,
                },
            ) => {
                h.peer_last_zxid = last_zxid;
                self.epoch_ack(ctx, from, current_epoch, last_zxid);
            }
            (HandlerStage::Syncing, QuorumPacket::Ack { zxid }) => {
                self.newleader_ack(ctx, from, zxid)
            }
            (HandlerStage::Running | HandlerStage::WaitStartup, QuorumPacket::Ack { zxid }) => {
                self.leader_on_ack(ctx, from, zxid)
            }
            (_, QuorumPacket::Ping { touches }) => self.leader_on_touches(ctx, &touches),
            (
                HandlerStage::Running,
                QuorumPacket::Request {
                    session,
                    cxid,
                    op,
                    auth,
                },
            ) => self.leader_on_request(ctx, from, session, cxid, op, auth),
            (HandlerStage::Running, QuorumPacket::Revalidate { session, .. }) => {
                self.leader_on_revalidate(ctx, from, session)
            }
            (stage, p) => ctx.note(format!(
                "unexpected {} from zk{from} in {stage:?}",
                p.name()
            )),
        }
    }

    /// A learner's connection closed (EOF or reset): its handler ends ("GOODBYE").
    pub(crate) fn leader_on_closed(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, sid: u32) {
        if let Some(l) = self.leader_role()
            && l.learners.get(&sid).is_some_and(|h| h.conn == conn)
        {
            l.learners.remove(&sid);
            ctx.cancel_timer(ZkTimer::HandlerRead(sid));
        }
    }

    /// A learner's socket read timed out: the handler closes it and ends.
    pub(crate) fn leader_on_read_timeout(&mut self, ctx: &mut Ctx<'_>, sid: u32) {
        let Some(l) = self.leader_role() else { return };
        if let Some(h) = l.learners.remove(&sid) {
            ctx.note(format!(
                "Unexpected exception in LearnerHandler (zk{sid}): java.net.SocketTimeoutException: Read timed out"
            ));
            ctx.close(h.conn, "Read timed out");
        }
    }

    /// A wait for a quorum during discovery or sync ran out (`initLimit * tickTime`).
    pub(crate) fn leader_on_setup_timeout(&mut self, ctx: &mut Ctx<'_>) {
        let Some(l) = self.leader_role() else { return };
        let reason = if l.waiting_for_new_epoch {
            "Timeout while waiting for epoch from quorum".to_string()
        } else if !l.election_finished {
            "Timeout while waiting for epoch to be acked by quorum".to_string()
        } else if !l.quorum_formed {
            format!(
                "Waiting for a quorum of followers, only synced with sids: [ {} ]",
                ack_set(&l.newleader_acks)
            )
        } else {
            return;
        };
        self.abandon(ctx, reason);
    }

    /// One pass of the `Leader.lead` loop, every half tick.
    pub(crate) fn leader_on_tick(&mut self, ctx: &mut Ctx<'_>) {
        let me = self.sid;
        let quorum = self.quorum.clone();
        let half_tick = self.cfg.tick_time_ms / 2;
        let Some(l) = self.leader_role() else { return };
        if !l.tick_skip {
            l.tick += 1;
        }
        let tick = l.tick;
        // SyncedLearnerTracker.addAck keeps voting members only.
        let mut synced: BTreeSet<u32> = l
            .learners
            .iter()
            .filter(|(s, h)| tick <= h.tick_deadline && quorum.is_voter(**s))
            .map(|(s, _)| *s)
            .collect();
        synced.insert(me);
        if !l.tick_skip && !quorum.contains_quorum(&synced) {
            let reason = format!(
                "Not sufficient followers synced, only synced with sids: [ {} ]",
                ack_set(&synced)
            );
            self.abandon(ctx, reason);
            return;
        }
        l.tick_skip = !l.tick_skip;
        let pinged: Vec<ConnId> = l
            .learners
            .values()
            .filter(|h| {
                matches!(
                    h.stage,
                    HandlerStage::Syncing | HandlerStage::WaitStartup | HandlerStage::Running
                )
            })
            .map(|h| h.conn)
            .collect();
        for c in pinged {
            ctx.send(
                c,
                ZkMsg::Packet(QuorumPacket::Ping {
                    touches: Vec::new(),
                }),
            );
        }
        ctx.set_timer(ZkTimer::LeaderTick, half_tick);
    }
}

/// A set of sids as `SyncedLearnerTracker.ackSetsToString` prints it (a Java `HashSet` of
/// small longs: ascending), e.g. `[1, 3]`.
fn ack_set(sids: &BTreeSet<u32>) -> String {
    let v: Vec<String> = sids.iter().map(u32::to_string).collect();
    format!("[{}]", v.join(", "))
}
