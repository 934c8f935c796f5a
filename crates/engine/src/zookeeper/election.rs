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
//!
//! Vote equality follows `Vote.equals` in 3.8 including its version quirk: a same-round
//! FOLLOWING/LEADING notification is stored in `recvset` with a version-0 vote and compared
//! with a version-2 one, so there only the leader id has to match; in `outofelection` both
//! sides have version 2 and leader and peerEpoch must match (FastLeaderElection.java
//! 1152-1170, Vote.java 107-152, release-3.8.6).
//!
//! Not modelled: the `haveDelivered()`/`connectAll()` choice on a poll timeout (the server
//! always sends its notifications again, which also reconnects), the two-server oracle,
//! and `finalizeWait` and the notification intervals being JVM constants and system
//! properties rather than zoo.cfg keys (they are settings here so lessons can show them).

use crate::sim::effects::Ctx;
use crate::zookeeper::messages::{ZabPhase, ZkChange, ZkTimer};
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
                zxid: self.last_processed as i64,
                peer_epoch: self.disk.current_epoch as i64,
            }
        }
    }

    /// Starts `lookForLeader`: bump the logical clock, vote for itself, tell every voter,
    /// then take the notifications that waited in the receive queue.
    pub(crate) fn start_election(&mut self, ctx: &mut Ctx<'_>) {
        let waited = self.waiting.take().unwrap_or_default();
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
        for (from, n) in waited {
            self.on_notification(ctx, from, n);
        }
    }

    /// `sendNotifications`: the current proposal to every voter (itself included).
    fn send_notifications(&mut self, ctx: &mut Ctx<'_>) {
        let Some(e) = &self.election else { return };
        let n = Notification {
            state: ServerState::Looking,
            proposal: e.proposal,
            round: self.logicalclock,
        };
        let voters: Vec<u32> = self.quorum.voters().iter().copied().collect();
        for sid in voters {
            self.cnx.send(ctx, self.sid, sid, n);
        }
    }

    /// Sends one notification to `to` through the election connections.
    fn reply(&mut self, ctx: &mut Ctx<'_>, to: u32, n: Notification) {
        self.cnx.send(ctx, self.sid, to, n);
    }

    /// The `WorkerReceiver` part: answer at once where the real server answers at once,
    /// then hand the notification to `lookForLeader` if this server is LOOKING.
    pub(crate) fn on_notification(&mut self, ctx: &mut Ctx<'_>, from: u32, n: Notification) {
        if !self.quorum.is_voter(from) {
            // A non-voter (observer) asks: tell it our current vote right away. That is
            // `getCurrentVote()`, which lookForLeader does not update while it runs: a
            // LOOKING voter tells the observer its last decided (or initial) vote.
            let reply = Notification {
                state: self.state,
                proposal: self.current_vote.proposal,
                round: self.logicalclock,
            };
            self.reply(ctx, from, reply);
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
                self.reply(ctx, from, reply);
            }
            if let Some(w) = self.waiting.as_mut() {
                // An observer between leaders: the notification waits in the receive queue.
                w.push((from, n));
                return;
            }
            self.look_for_leader(ctx, from, n);
        } else if n.state == ServerState::Looking {
            // Not looking ourselves: tell the LOOKING peer whom we follow.
            let reply = Notification {
                state: self.state,
                proposal: self.current_vote.proposal,
                round: self.current_vote.round,
            };
            self.reply(ctx, from, reply);
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

    /// `receivedFollowingNotification` / `receivedLeadingNotification` (the oracle of
    /// ZOOKEEPER-3922 only matters for two-server ensembles; without one `QuorumMaj` gives
    /// the same answer, so it is not modelled).
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
        if n.round == clock {
            e.recvset.insert(from, v);
            // The version quirk: same-round FOLLOWING/LEADING votes match on the leader.
            let agree: Vec<u32> = e
                .recvset
                .iter()
                .filter(|(_, x)| x.equals_in_recvset(&v))
                .map(|(s, _)| *s)
                .collect();
            if quorum.contains_quorum(&agree) && check_leader(&e.recvset) {
                self.decide(ctx, n.proposal, n.round);
                return;
            }
        }
        // Before joining an established ensemble, a quorum must follow the same leader
        // (ZOOKEEPER-1732: outofelection also holds this round's votes).
        e.outofelection.insert(from, v);
        let agree: Vec<u32> = e
            .outofelection
            .iter()
            .filter(|(_, x)| **x == v)
            .map(|(s, _)| *s)
            .collect();
        if quorum.contains_quorum(&agree) && check_leader(&e.outofelection) {
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

#[cfg(test)]
mod tests {
    //! FastLeaderElection's rules one at a time, by feeding one server notifications and
    //! reading what it does (FastLeaderElection.java, release-3.8.6).

    use super::*;
    use crate::ids::NodeId;
    use crate::sim::conn::ConnId;
    use crate::sim::effects::{Effect, Msg, Timer};
    use crate::sim::rng::SimRng;
    use crate::zookeeper::config::ZkConfig;
    use crate::zookeeper::messages::ZkMsg;
    use crate::zookeeper::server::ZkDisk;
    use crate::zookeeper::zxid::make_zxid;

    struct Harness {
        rng: SimRng,
        ids: u64,
        now: u64,
    }

    impl Harness {
        fn new() -> Self {
            Harness {
                rng: SimRng::new(1),
                ids: 100,
                now: 0,
            }
        }

        fn run(
            &mut self,
            s: &mut ZkServer,
            f: impl FnOnce(&mut ZkServer, &mut Ctx<'_>),
        ) -> Vec<Effect> {
            let me = NodeId::Zk(s.sid);
            let mut ctx = Ctx::new(self.now, me, &mut self.rng, &mut self.ids);
            f(s, &mut ctx);
            ctx.into_effects()
        }

        /// Delivers a notification from `from`.
        fn deliver(&mut self, s: &mut ZkServer, from: u32, n: Notification) -> Vec<Effect> {
            self.run(s, |s, ctx| {
                s.on_message(
                    ctx,
                    ConnId(from as u64),
                    NodeId::Zk(from),
                    ZkMsg::Notification(n),
                )
            })
        }
    }

    /// A server of a five-voter ensemble (plus observer zk6) whose log ends at `zxid`.
    fn server(sid: u32, zxid: u64) -> ZkServer {
        let mut s = ZkServer::new(sid, sid > 5, ZkConfig::default(), 1..=5);
        if zxid > 0 {
            s.set_disk(ZkDisk::with_history(&[zxid]));
        }
        s
    }

    fn looking(leader: u32, zxid: u64, epoch: u64, round: u64) -> Notification {
        Notification {
            state: ServerState::Looking,
            proposal: Proposal {
                leader: i64::from(leader),
                zxid: zxid as i64,
                peer_epoch: epoch as i64,
            },
            round,
        }
    }

    fn established(state: ServerState, leader: u32, epoch: u64, round: u64) -> Notification {
        Notification {
            state,
            ..looking(leader, 0, epoch, round)
        }
    }

    /// The notifications it sent (to peers or to itself).
    fn sent(effects: &[Effect]) -> Vec<Notification> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send {
                    msg: Msg::Zk(ZkMsg::Notification(n)),
                    ..
                }
                | Effect::Loopback {
                    msg: Msg::Zk(ZkMsg::Notification(n)),
                } => Some(*n),
                _ => None,
            })
            .collect()
    }

    fn armed(effects: &[Effect], timer: ZkTimer) -> bool {
        effects
            .iter()
            .any(|e| matches!(e, Effect::SetTimer { timer: t, .. } if *t == Timer::Zk(timer)))
    }

    fn started(h: &mut Harness, s: &mut ZkServer) {
        h.run(s, |s, ctx| s.on_start(ctx));
    }

    #[test]
    fn a_server_starts_by_voting_for_itself_with_its_zxid_and_epoch() {
        let mut h = Harness::new();
        let mut s = server(2, make_zxid(1, 5));
        let e = h.run(&mut s, |s, ctx| s.on_start(ctx));
        let votes = sent(&e);
        assert_eq!(votes.len(), 5, "to every voter, itself included");
        assert!(
            votes
                .iter()
                .all(|n| *n == looking(2, make_zxid(1, 5), 1, 1))
        );
        assert_eq!(s.round(), 1);
    }

    #[test]
    fn a_higher_round_is_joined_and_the_vote_taken_again_from_the_initial_one() {
        let mut h = Harness::new();
        let mut s = server(1, make_zxid(1, 5));
        started(&mut h, &mut s);
        // Round 1: zk3's better vote is adopted.
        h.deliver(&mut s, 3, looking(3, make_zxid(1, 9), 1, 1));
        assert_eq!(s.vote().leader, 3);
        // Round 3 from zk2, which proposes itself with an older zxid: the clock jumps,
        // recvset is cleared, and the comparison is against zk1's own initial vote, not
        // zk3 (lookForLeader: `updateProposal(getInitId(), ...)` unless n wins).
        let e = h.deliver(&mut s, 2, looking(2, make_zxid(1, 4), 1, 3));
        assert_eq!(s.round(), 3);
        assert_eq!(
            s.vote().leader,
            1,
            "back to its initial vote, which beats zk2's"
        );
        assert!(
            !sent(&e).is_empty(),
            "a new round always sends the vote again"
        );
        assert_eq!(
            s.received_votes().len(),
            1,
            "recvset holds only round-3 votes"
        );
    }

    #[test]
    fn a_peer_in_an_older_round_is_answered_and_otherwise_ignored() {
        let mut h = Harness::new();
        let mut s = server(1, make_zxid(1, 5));
        started(&mut h, &mut s);
        h.deliver(&mut s, 2, looking(2, make_zxid(1, 1), 1, 4));
        assert_eq!(s.round(), 4);
        let e = h.deliver(&mut s, 3, looking(3, make_zxid(1, 9), 1, 2));
        let replies = sent(&e);
        assert_eq!(
            replies.len(),
            1,
            "WorkerReceiver answers the laggard at once"
        );
        assert_eq!(replies[0].round, 4);
        assert_eq!(
            s.vote().leader,
            1,
            "a vote from an older round changes nothing"
        );
    }

    #[test]
    fn finalize_wait_drops_worse_votes_and_a_better_one_reopens_the_round() {
        let mut h = Harness::new();
        let mut s = server(5, make_zxid(1, 7));
        started(&mut h, &mut s);
        // Its own vote (loopback) and two agreeing peers make a quorum of 3.
        h.deliver(&mut s, 5, looking(5, make_zxid(1, 7), 1, 1));
        h.deliver(&mut s, 4, looking(5, make_zxid(1, 7), 1, 1));
        let e = h.deliver(&mut s, 3, looking(5, make_zxid(1, 7), 1, 1));
        assert!(
            armed(&e, ZkTimer::FleFinalize),
            "a quorum: wait finalizeWait"
        );
        // A worse vote is drained and dropped, and the wait starts over.
        let e = h.deliver(&mut s, 1, looking(1, make_zxid(1, 2), 1, 1));
        assert!(armed(&e, ZkTimer::FleFinalize));
        assert!(
            !s.received_votes().iter().any(|(sid, _)| *sid == 1),
            "dropped, not recorded"
        );
        // A better vote (a higher epoch) breaks out of the wait and is taken.
        h.deliver(&mut s, 2, looking(2, make_zxid(2, 1), 2, 1));
        assert_eq!(s.vote().leader, 2);
        assert!(!s.election.as_ref().expect("still looking").finalizing);
    }

    #[test]
    fn when_finalize_wait_passes_quietly_the_server_decides() {
        let mut h = Harness::new();
        let mut s = server(5, make_zxid(1, 7));
        started(&mut h, &mut s);
        for from in [5, 4, 3] {
            h.deliver(&mut s, from, looking(5, make_zxid(1, 7), 1, 1));
        }
        h.run(&mut s, |s, ctx| s.on_finalize(ctx));
        assert_eq!(s.state(), ServerState::Leading);
    }

    #[test]
    fn joining_an_established_leader_needs_its_own_leading_vote() {
        let mut h = Harness::new();
        let mut s = server(1, make_zxid(1, 5));
        started(&mut h, &mut s);
        // Two followers of zk3 in another round: a quorum with zk1 would be three, but
        // checkLeader wants zk3's own LEADING notification.
        h.deliver(&mut s, 2, established(ServerState::Following, 3, 2, 7));
        h.deliver(&mut s, 4, established(ServerState::Following, 3, 2, 7));
        assert_eq!(s.state(), ServerState::Looking);
        h.deliver(&mut s, 3, established(ServerState::Leading, 3, 2, 7));
        assert_eq!(s.state(), ServerState::Following);
        assert_eq!(s.leader(), Some(3));
        assert_eq!(s.round(), 7, "joining takes the leader's round");
    }

    #[test]
    fn joining_through_outofelection_can_move_the_clock_back() {
        let mut h = Harness::new();
        let mut s = server(1, make_zxid(1, 5));
        started(&mut h, &mut s);
        h.deliver(&mut s, 2, looking(2, make_zxid(1, 1), 1, 9));
        assert_eq!(s.round(), 9);
        for (from, state) in [
            (3, ServerState::Leading),
            (2, ServerState::Following),
            (4, ServerState::Following),
        ] {
            h.deliver(&mut s, from, established(state, 3, 2, 4));
        }
        assert_eq!(s.state(), ServerState::Following);
        assert_eq!(s.round(), 4, "logicalclock = n.electionEpoch, backwards");
    }

    #[test]
    fn same_round_followers_agree_in_recvset_on_the_leader_alone() {
        // Vote.equals with one version-0 and one version-2 vote compares the leader id only
        // (F7): zk2 reports peerEpoch 1, zk4 already bumped it to 2, zk3 leads with 2.
        let mut h = Harness::new();
        let mut s = server(1, make_zxid(1, 5));
        started(&mut h, &mut s);
        h.deliver(&mut s, 2, established(ServerState::Following, 3, 1, 1));
        h.deliver(&mut s, 4, established(ServerState::Following, 3, 2, 1));
        h.deliver(&mut s, 3, established(ServerState::Leading, 3, 2, 1));
        assert_eq!(
            s.state(),
            ServerState::Following,
            "zk2, zk3 and zk4 agree on zk3"
        );
        // In outofelection (another round) the epochs must match too: only two agree.
        let mut t = server(1, make_zxid(1, 5));
        started(&mut h, &mut t);
        h.deliver(&mut t, 2, established(ServerState::Following, 3, 1, 6));
        h.deliver(&mut t, 4, established(ServerState::Following, 3, 2, 6));
        h.deliver(&mut t, 3, established(ServerState::Leading, 3, 2, 6));
        assert_eq!(
            t.state(),
            ServerState::Looking,
            "other round: leader and epoch must match"
        );
    }

    #[test]
    fn an_observer_is_told_the_last_decided_vote_not_the_live_proposal() {
        // WorkerReceiver answers a non-voter with getCurrentVote(), which lookForLeader does
        // not update while it runs (F5).
        let mut h = Harness::new();
        let mut s = server(2, make_zxid(1, 5));
        started(&mut h, &mut s);
        h.deliver(&mut s, 3, looking(3, make_zxid(1, 9), 1, 1));
        assert_eq!(s.vote().leader, 3, "its live proposal is zk3");
        let e = h.deliver(&mut s, 6, looking(6, 0, 0, 1));
        let reply = sent(&e);
        assert_eq!(reply.len(), 1);
        assert_eq!(
            reply[0].proposal.leader, 2,
            "the observer hears its initial self-vote"
        );
        assert_eq!(reply[0].state, ServerState::Looking);
    }

    #[test]
    fn an_observer_never_counts_and_a_vote_for_it_never_wins() {
        let mut h = Harness::new();
        let mut s = server(1, make_zxid(1, 5));
        started(&mut h, &mut s);
        h.deliver(&mut s, 2, looking(6, make_zxid(9, 9), 9, 1));
        assert_eq!(
            s.vote().leader,
            1,
            "a vote for observer zk6 never beats a voter"
        );
    }
}
