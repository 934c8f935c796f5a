//! FastLeaderElection (`FastLeaderElection.java` in apache/zookeeper, `lookForLeader` and
//! the `WorkerReceiver` thread), as a state machine driven by delivered notifications and
//! two timers: the notification poll timeout and `finalizeWait`.
//!
//! Each round a LOOKING server votes for itself `(sid, lastZxid, currentEpoch)`, sends the
//! vote to every voter, adopts any vote that beats its own (higher peerEpoch, then zxid,
//! then sid), and once the votes equal to its own form a quorum it waits `finalizeWait`
//! (200 ms) for a better one before deciding. A server that is already FOLLOWING or
//! LEADING answers LOOKING peers with the leader it follows, so a late server joins the
//! established leader once a quorum of those answers agree and the leader itself says
//! LEADING (`checkLeader`).

use crate::ids::NodeId;
use crate::sim::effects::Ctx;
use crate::zookeeper::messages::{ZabPhase, ZkChange, ZkMsg, ZkTimer};
use crate::zookeeper::server::ZkServer;
use crate::zookeeper::vote::{Notification, Proposal, ServerState, Vote};
use std::collections::BTreeMap;

/// The state of one `lookForLeader` call.
#[derive(Clone, Debug)]
pub struct Election {
    /// Votes of the current round by sender sid (`recvset`).
    pub recvset: BTreeMap<u32, Vote>,
    /// FOLLOWING/LEADING votes from any round (`outofelection`).
    pub outofelection: BTreeMap<u32, Vote>,
    /// This server's current proposal.
    pub proposal: Proposal,
    /// The notification poll timeout, ms; doubles on every timeout up to the maximum.
    pub not_timeout: u64,
    /// True while draining notifications for `finalizeWait` before deciding.
    pub finalizing: bool,
}

impl ZkServer {
    /// The vote a server starts a round with: itself, its last zxid and its current epoch;
    /// an observer proposes nobody (`getInitId` etc. return `Long.MIN_VALUE`).
    pub(crate) fn initial_proposal(&self) -> Proposal {
        if self.observer {
            Proposal::NONE
        } else {
            Proposal {
                leader: i64::from(self.sid),
                zxid: self.disk.last_zxid() as i64,
                peer_epoch: self.disk.current_epoch as i64,
            }
        }
    }

    /// Starts `lookForLeader`: bump the logical clock, vote for itself, tell every voter.
    pub(crate) fn start_election(&mut self, ctx: &mut Ctx<'_>) {
        self.set_state(ctx, ServerState::Looking);
        self.set_phase(ctx, ZabPhase::Election);
        self.logicalclock += 1;
        let proposal = self.initial_proposal();
        self.election = Some(Election {
            recvset: BTreeMap::new(),
            outofelection: BTreeMap::new(),
            proposal,
            not_timeout: self.cfg.min_notification_interval_ms,
            finalizing: false,
        });
        ctx.change(ZkChange::Proposal {
            proposal,
            round: self.logicalclock,
        });
        self.send_notifications(ctx);
        ctx.set_timer(ZkTimer::FlePoll, self.cfg.min_notification_interval_ms);
    }

    /// `sendNotifications`: the current proposal to every voter (itself included).
    fn send_notifications(&self, ctx: &mut Ctx<'_>) {
        let Some(e) = &self.election else { return };
        let n = Notification {
            state: ServerState::Looking,
            proposal: e.proposal,
            round: self.logicalclock,
        };
        for &sid in self.quorum.voters() {
            ctx.send(NodeId::Zk(sid), ZkMsg::Notification(n));
        }
    }

    /// The `WorkerReceiver` part: answer at once where the real server answers at once,
    /// then hand the notification to `lookForLeader` if this server is LOOKING.
    pub(crate) fn on_notification(&mut self, ctx: &mut Ctx<'_>, from: u32, n: Notification) {
        let to = NodeId::Zk(from);
        if !self.quorum.is_voter(from) {
            // A non-voter (observer) asks: tell it our current vote right away.
            let reply = Notification {
                state: self.state,
                proposal: self.vote(),
                round: self.logicalclock,
            };
            ctx.send(to, ZkMsg::Notification(reply));
            return;
        }
        if self.state == ServerState::Looking {
            if n.state == ServerState::Looking && n.round < self.logicalclock {
                // The sender is in an older round: show it ours.
                let reply = Notification {
                    state: ServerState::Looking,
                    proposal: self.vote(),
                    round: self.logicalclock,
                };
                ctx.send(to, ZkMsg::Notification(reply));
            }
            self.look_for_leader(ctx, from, n);
        } else if n.state == ServerState::Looking {
            // Not looking ourselves: tell the LOOKING peer whom we follow.
            let reply = Notification {
                state: self.state,
                proposal: self.current_vote.proposal,
                round: self.current_vote.round,
            };
            ctx.send(to, ZkMsg::Notification(reply));
        }
    }

    /// One turn of the `lookForLeader` loop for a notification taken from the queue.
    fn look_for_leader(&mut self, ctx: &mut Ctx<'_>, from: u32, n: Notification) {
        let finalize_wait = self.cfg.finalize_wait_ms;
        let Some(e) = self.election.as_mut() else {
            return;
        };
        if e.finalizing {
            if n.proposal.beats(&e.proposal, &self.quorum) {
                // A better vote arrived during finalizeWait: put it back and go on.
                e.finalizing = false;
                ctx.cancel_timer(ZkTimer::FleFinalize);
            } else {
                // Drained and dropped; wait finalizeWait again.
                ctx.set_timer(ZkTimer::FleFinalize, finalize_wait);
                return;
            }
        }
        // The poll returned a notification; the next poll waits a full timeout again.
        ctx.set_timer(ZkTimer::FlePoll, e.not_timeout);
        let leader_ok = n.proposal.leader >= 0 && self.quorum.is_voter(n.proposal.leader as u32);
        if !self.quorum.is_voter(from) || !leader_ok {
            return;
        }
        match n.state {
            ServerState::Looking => self.on_looking_vote(ctx, from, n),
            ServerState::Observing => {}
            ServerState::Following | ServerState::Leading => self.on_established_vote(ctx, from, n),
        }
    }

    fn on_looking_vote(&mut self, ctx: &mut Ctx<'_>, from: u32, n: Notification) {
        let init = self.initial_proposal();
        let quorum = self.quorum.clone();
        let Some(e) = self.election.as_mut() else {
            return;
        };
        let mut changed = false;
        if n.round > self.logicalclock {
            // A newer round: join it, forget this round's votes, re-vote.
            self.logicalclock = n.round;
            e.recvset.clear();
            e.proposal = if n.proposal.beats(&init, &quorum) {
                n.proposal
            } else {
                init
            };
            changed = true;
        } else if n.round < self.logicalclock {
            return;
        } else if n.proposal.beats(&e.proposal, &quorum) {
            e.proposal = n.proposal;
            changed = true;
        }
        let round = self.logicalclock;
        let proposal = e.proposal;
        e.recvset.insert(
            from,
            Vote {
                proposal: n.proposal,
                round: n.round,
                state: ServerState::Looking,
            },
        );
        let mine = Vote {
            proposal,
            round,
            state: ServerState::Looking,
        };
        let agree: Vec<u32> = e
            .recvset
            .iter()
            .filter(|(_, v)| **v == mine)
            .map(|(s, _)| *s)
            .collect();
        let reached = quorum.contains_quorum(&agree);
        if reached {
            e.finalizing = true;
        }
        if changed {
            ctx.change(ZkChange::Proposal { proposal, round });
            self.send_notifications(ctx);
        }
        if reached {
            ctx.cancel_timer(ZkTimer::FlePoll);
            ctx.set_timer(ZkTimer::FleFinalize, self.cfg.finalize_wait_ms);
            ctx.change(ZkChange::QuorumSeen { agree });
        }
    }

    /// `receivedFollowingNotification` / `receivedLeadingNotification` (the oracle only
    /// matters for two-server ensembles, which this model does not offer).
    fn on_established_vote(&mut self, ctx: &mut Ctx<'_>, from: u32, n: Notification) {
        let me = self.sid;
        let clock = self.logicalclock;
        let quorum = self.quorum.clone();
        let Some(e) = self.election.as_mut() else {
            return;
        };
        let v = Vote {
            proposal: n.proposal,
            round: n.round,
            state: n.state,
        };
        let leader = n.proposal.leader as u32;
        let check_leader = |votes: &BTreeMap<u32, Vote>| {
            if leader != me {
                votes
                    .get(&leader)
                    .is_some_and(|lv| lv.state == ServerState::Leading)
            } else {
                clock == n.round
            }
        };
        let agree = |votes: &BTreeMap<u32, Vote>| -> Vec<u32> {
            votes
                .iter()
                .filter(|(_, x)| **x == v)
                .map(|(s, _)| *s)
                .collect()
        };
        if n.round == clock {
            e.recvset.insert(from, v);
            if quorum.contains_quorum(&agree(&e.recvset)) && check_leader(&e.recvset) {
                self.decide(ctx, n.proposal, n.round);
                return;
            }
        }
        // Before joining an established ensemble, a quorum must follow the same leader
        // (ZOOKEEPER-1732: outofelection also holds this round's votes).
        e.outofelection.insert(from, v);
        if quorum.contains_quorum(&agree(&e.outofelection)) && check_leader(&e.outofelection) {
            self.logicalclock = n.round;
            self.decide(ctx, n.proposal, n.round);
        }
    }

    /// The poll timed out: send the vote again and back off (`notTimeout` doubles up to
    /// `maxNotificationInterval`).
    pub(crate) fn on_poll_timeout(&mut self, ctx: &mut Ctx<'_>) {
        let max = self.cfg.max_notification_interval_ms;
        let Some(e) = self.election.as_mut() else {
            return;
        };
        e.not_timeout = (e.not_timeout * 2).min(max);
        let next = e.not_timeout;
        self.send_notifications(ctx);
        ctx.set_timer(ZkTimer::FlePoll, next);
    }

    /// `finalizeWait` passed with no better vote: the election is over for this server.
    pub(crate) fn on_finalize(&mut self, ctx: &mut Ctx<'_>) {
        let Some(e) = &self.election else { return };
        if e.finalizing {
            let (proposal, round) = (e.proposal, self.logicalclock);
            self.decide(ctx, proposal, round);
        }
    }

    /// `setPeerState` + `leaveInstance`: become LEADING, FOLLOWING or OBSERVING and start
    /// the ZAB role.
    fn decide(&mut self, ctx: &mut Ctx<'_>, proposal: Proposal, round: u64) {
        self.election = None;
        ctx.cancel_timer(ZkTimer::FlePoll);
        ctx.cancel_timer(ZkTimer::FleFinalize);
        let leader = proposal.leader as u32;
        let state = if leader == self.sid {
            ServerState::Leading
        } else if self.observer {
            ServerState::Observing
        } else {
            ServerState::Following
        };
        self.current_vote = Vote {
            proposal,
            round,
            state,
        };
        ctx.change(ZkChange::Elected { leader, round });
        self.set_state(ctx, state);
        if state == ServerState::Leading {
            self.lead(ctx);
        } else {
            self.follow(ctx, leader);
        }
    }
}
