//! ZAB broadcast: how a write reaches every server (`ProposalRequestProcessor`,
//! `Leader.propose`/`processAck`/`tryToCommit`, `Learner.request`,
//! `FollowerZooKeeperServer`, `ObserverZooKeeperServer`; apache/zookeeper
//! release-3.8.0).
//!
//! The leader logs and fsyncs each transaction (its own ACK), sends PROPOSAL to the
//! followers, and once a quorum of voters (itself included) has ACKed, sends COMMIT to the
//! followers and INFORM (the transaction itself) to the observers, and applies it. Commits
//! go strictly in zxid order: a proposal with enough ACKs waits for the ones before it. A
//! follower logs and fsyncs a PROPOSAL before it ACKs, and applies it at COMMIT. Learners
//! forward their clients' writes as REQUEST (with the connection's auth ids), ask the
//! leader to revalidate a reconnecting session (REVALIDATE), and answer a sync when the
//! leader's SYNC comes back; they report the sessions their clients touched in their
//! PING answers. A standalone server logs and applies at once.

use crate::sim::effects::Ctx;
use crate::zookeeper::data::acl::Id;
use crate::zookeeper::data::txn::Txn;
use crate::zookeeper::messages::{QuorumPacket, ZkMsg};
use crate::zookeeper::proto::Op;
use crate::zookeeper::server::{Role, ZkServer};
use crate::zookeeper::serving::PendingProposal;
use crate::zookeeper::zab::leader::HandlerStage;
use std::collections::BTreeSet;
use std::sync::Arc;

impl ZkServer {
    /// `propose`: log the txn and send it out (or, standalone, log and apply it).
    pub(crate) fn propose(&mut self, ctx: &mut Ctx<'_>, txn: Arc<Txn>) {
        self.log_txns(ctx, std::slice::from_ref(&txn));
        if self.standalone {
            self.apply_committed(ctx, txn);
            return;
        }
        let me = self.sid;
        let zxid = txn.zxid;
        let Role::Leader(l) = &self.role else { return };
        for (sid, h) in &l.learners {
            let forwarding = matches!(
                h.stage,
                HandlerStage::Syncing | HandlerStage::WaitStartup | HandlerStage::Running
            );
            if forwarding && self.quorum.is_voter(*sid) {
                ctx.send(
                    h.conn,
                    ZkMsg::Packet(QuorumPacket::Proposal { txn: txn.clone() }),
                );
            }
        }
        self.serving.proposals.insert(
            zxid,
            PendingProposal {
                txn,
                acks: BTreeSet::from([me]),
            },
        );
        self.try_commit(ctx);
    }

    /// `processAck`: a voter logged proposal `zxid`.
    pub(crate) fn leader_on_ack(&mut self, ctx: &mut Ctx<'_>, sid: u32, zxid: u64) {
        if !self.quorum.is_voter(sid) {
            return;
        }
        if let Some(p) = self.serving.proposals.get_mut(&zxid) {
            p.acks.insert(sid);
            self.try_commit(ctx);
        }
    }

    /// `tryToCommit`, for every proposal in order that has a quorum.
    fn try_commit(&mut self, ctx: &mut Ctx<'_>) {
        while let Some((&zxid, p)) = self.serving.proposals.iter().next() {
            if !self.quorum.contains_quorum(&p.acks) {
                break;
            }
            let txn = p.txn.clone();
            self.serving.proposals.remove(&zxid);
            if let Role::Leader(l) = &self.role {
                for (sid, h) in &l.learners {
                    let forwarding = matches!(
                        h.stage,
                        HandlerStage::Syncing | HandlerStage::WaitStartup | HandlerStage::Running
                    );
                    if !forwarding {
                        continue;
                    }
                    let packet = if self.quorum.is_voter(*sid) {
                        QuorumPacket::Commit { zxid }
                    } else if h.stage == HandlerStage::Running {
                        QuorumPacket::Inform { txn: txn.clone() }
                    } else {
                        continue;
                    };
                    ctx.send(h.conn, ZkMsg::Packet(packet));
                }
            }
            self.apply_committed(ctx, txn);
            self.release_syncs(ctx, zxid);
        }
    }

    /// A learner's sync waits for the proposals made before it (`processSync`).
    pub(crate) fn leader_on_sync(&mut self, ctx: &mut Ctx<'_>, sid: u32) {
        match self.serving.proposals.keys().next_back() {
            Some(&last) => self.serving.pending_syncs.push((last, sid)),
            None => self.send_sync(ctx, sid),
        }
    }

    fn release_syncs(&mut self, ctx: &mut Ctx<'_>, committed: u64) {
        let (ready, wait): (Vec<_>, Vec<_>) = std::mem::take(&mut self.serving.pending_syncs)
            .into_iter()
            .partition(|(z, _)| *z <= committed);
        self.serving.pending_syncs = wait;
        for (_, sid) in ready {
            self.send_sync(ctx, sid);
        }
    }

    fn send_sync(&mut self, ctx: &mut Ctx<'_>, sid: u32) {
        if let Role::Leader(l) = &self.role
            && let Some(h) = l.learners.get(&sid)
        {
            ctx.send(h.conn, ZkMsg::Packet(QuorumPacket::Sync));
        }
    }

    /// A REQUEST from a learner: the leader prepares it as its own.
    pub(crate) fn leader_on_request(
        &mut self,
        ctx: &mut Ctx<'_>,
        sid: u32,
        session: u64,
        cxid: i32,
        op: Op,
        auth: Vec<Id>,
    ) {
        if let Op::Sync { .. } = op {
            self.leader_on_sync(ctx, sid);
            return;
        }
        self.prepare_and_propose(ctx, session, cxid, op, auth);
    }

    /// A REVALIDATE from a learner: is the session still alive (touching it if so)?
    pub(crate) fn leader_on_revalidate(&mut self, ctx: &mut Ctx<'_>, sid: u32, session: u64) {
        let now = ctx.now();
        let valid = self
            .serving
            .tracker
            .as_mut()
            .is_some_and(|t| t.touch(session, now));
        if let Role::Leader(l) = &self.role
            && let Some(h) = l.learners.get(&sid)
        {
            ctx.send(
                h.conn,
                ZkMsg::Packet(QuorumPacket::Revalidated { session, valid }),
            );
        }
    }

    /// A learner's PING answer carries the sessions its clients touched.
    pub(crate) fn leader_on_touches(&mut self, ctx: &mut Ctx<'_>, touches: &[(u64, u32)]) {
        let now = ctx.now();
        if let Some(t) = self.serving.tracker.as_mut() {
            for (s, _) in touches {
                t.touch(*s, now);
            }
        }
    }

    /// `Learner.request`: forward a client's write (or sync) to the leader.
    pub(crate) fn learner_forward(
        &mut self,
        ctx: &mut Ctx<'_>,
        session: u64,
        cxid: i32,
        op: Op,
        auth: Vec<Id>,
    ) {
        if let Role::Learner(l) = &self.role {
            ctx.send(
                l.conn,
                ZkMsg::Packet(QuorumPacket::Request {
                    session,
                    cxid,
                    op,
                    auth,
                }),
            );
        }
    }

    /// `Learner.validateSession`: ask the leader whether a reconnecting session lives.
    pub(crate) fn learner_revalidate(&mut self, ctx: &mut Ctx<'_>, session: u64, timeout_ms: u32) {
        if let Role::Learner(l) = &self.role {
            ctx.send(
                l.conn,
                ZkMsg::Packet(QuorumPacket::Revalidate {
                    session,
                    timeout_ms,
                }),
            );
        }
    }

    /// The leader answered a REVALIDATE.
    pub(crate) fn learner_on_revalidated(&mut self, ctx: &mut Ctx<'_>, session: u64, valid: bool) {
        if let Some(conn) = self.serving.revalidating.remove(&session) {
            self.finish_session_init(ctx, conn, valid);
        }
    }

    /// The sessions touched since the last PING answer, cleared.
    pub(crate) fn take_touches(&mut self) -> Vec<(u64, u32)> {
        std::mem::take(&mut self.serving.touches)
            .into_iter()
            .collect()
    }
}
