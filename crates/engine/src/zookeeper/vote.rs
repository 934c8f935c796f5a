//! Votes and the order between them (`Vote.java`, `FastLeaderElection.totalOrderPredicate`).

use crate::i18n::Lang;
use crate::zookeeper::quorum::QuorumMaj;
use crate::zookeeper::zxid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A server's role in the ensemble (`QuorumPeer.ServerState`), in wire order
/// (LOOKING=0, FOLLOWING=1, LEADING=2, OBSERVING=3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServerState {
    /// Searching for a leader: running FastLeaderElection.
    Looking,
    /// Following an elected leader (a voting member).
    Following,
    /// Leading the ensemble.
    Leading,
    /// Observing: follows the leader but never votes.
    Observing,
}

impl ServerState {
    /// The name ZooKeeper prints (`LOOKING`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ServerState::Looking => "LOOKING",
            ServerState::Following => "FOLLOWING",
            ServerState::Leading => "LEADING",
            ServerState::Observing => "OBSERVING",
        }
    }

    /// Parses the printed name, case-insensitively.
    pub fn parse(s: &str) -> Option<ServerState> {
        match s.to_ascii_uppercase().as_str() {
            "LOOKING" => Some(ServerState::Looking),
            "FOLLOWING" => Some(ServerState::Following),
            "LEADING" => Some(ServerState::Leading),
            "OBSERVING" => Some(ServerState::Observing),
            _ => None,
        }
    }
}

impl fmt::Display for ServerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A proposal for leader: who, with which last zxid and which epoch (the fields
/// `proposedLeader`, `proposedZxid`, `proposedEpoch` of `FastLeaderElection`, ZooKeeper
/// 3.8). This is the election's vote, not ZAB's PROPOSAL packet (`Leader.Proposal`, a
/// transaction the leader broadcasts). Fields are signed like Java's `long`s because
/// non-voters propose `Long.MIN_VALUE` for all three (`FastLeaderElection.getInitId` and
/// friends).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The proposed leader's sid (`i64::MIN` from an observer that has no proposal yet).
    pub leader: i64,
    /// The proposed leader's last logged zxid.
    pub zxid: i64,
    /// The proposed leader's current epoch (`peerEpoch`).
    pub peer_epoch: i64,
}

impl Proposal {
    /// The "no candidate" proposal of a non-voting server.
    pub const NONE: Proposal = Proposal {
        leader: i64::MIN,
        zxid: i64::MIN,
        peer_epoch: i64::MIN,
    };

    /// True when `self` beats `cur`, per `totalOrderPredicate`: a vote for a non-voter never
    /// wins; otherwise the higher peerEpoch wins, then the higher zxid, then the higher sid.
    pub fn beats(&self, cur: &Proposal, quorum: &QuorumMaj) -> bool {
        if self.leader < 0 || !quorum.is_voter(self.leader as u32) {
            return false;
        }
        (self.peer_epoch, self.zxid, self.leader) > (cur.peer_epoch, cur.zxid, cur.leader)
    }

    /// A short text such as `zk5 (zxid 0x100000007, epoch 1)`, or `none`.
    pub fn describe(&self) -> String {
        self.describe_in(Lang::En)
    }

    /// [`Proposal::describe`] in `lang`.
    pub fn describe_in(&self, lang: Lang) -> String {
        let (z, e) = (zxid::hex(self.zxid as u64), self.peer_epoch);
        match (self.leader < 0, lang) {
            (true, Lang::En) => "none".into(),
            (true, Lang::Zh) => "无".into(),
            (false, Lang::En) => format!("zk{} (zxid {z}, epoch {e})", self.leader),
            (false, Lang::Zh) => format!("zk{}（zxid {z}，epoch {e}）", self.leader),
        }
    }
}

/// A vote as stored in `recvset`/`outofelection`: a proposal, the round it was cast in,
/// and the sender's state. Equality (`==`) follows `Vote.equals` for two votes of the same
/// version: when either side is LOOKING all of leader, zxid, round and peerEpoch must
/// match; otherwise only leader and peerEpoch (ZOOKEEPER-1805: zxids of servers out of
/// election may differ). [`Vote::equals_in_recvset`] is the mixed-version comparison
/// `recvset` uses for same-round FOLLOWING/LEADING votes.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Vote {
    /// What was proposed.
    pub proposal: Proposal,
    /// The sender's logical clock when it sent the vote (`electionEpoch`).
    pub round: u64,
    /// The sender's state.
    pub state: ServerState,
}

impl PartialEq for Vote {
    fn eq(&self, o: &Vote) -> bool {
        if self.state == ServerState::Looking || o.state == ServerState::Looking {
            self.proposal == o.proposal && self.round == o.round
        } else {
            self.proposal.leader == o.proposal.leader
                && self.proposal.peer_epoch == o.proposal.peer_epoch
        }
    }
}

impl Vote {
    /// `Vote.equals` between a vote stored in `recvset` and a same-round FOLLOWING/LEADING
    /// notification: ZooKeeper stores the notification with the 5-argument constructor
    /// (version 0) and compares it with a 6-argument vote (version 2), so when neither is
    /// LOOKING only the leader id must match (Vote.java 146-147, FastLeaderElection.java
    /// 1152-1153, release-3.8.6).
    pub fn equals_in_recvset(&self, o: &Vote) -> bool {
        if self.state == ServerState::Looking || o.state == ServerState::Looking {
            self == o
        } else {
            self.proposal.leader == o.proposal.leader
        }
    }
}

/// A FastLeaderElection notification (the fields of `FastLeaderElection.Notification`;
/// the sender's sid is the message's sender).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The sender's state.
    pub state: ServerState,
    /// The sender's proposal (its current vote when it is not LOOKING).
    pub proposal: Proposal,
    /// The sender's logical clock (`electionEpoch`, "round").
    pub round: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(leader: i64, zxid: i64, epoch: i64) -> Proposal {
        Proposal {
            leader,
            zxid,
            peer_epoch: epoch,
        }
    }

    #[test]
    fn epoch_then_zxid_then_sid() {
        let q = QuorumMaj::new(1..=5);
        // Higher epoch wins even with a lower zxid and sid.
        assert!(p(1, 0x1_0000_0001, 2).beats(&p(5, 0x1_0000_0009, 1), &q));
        // Same epoch: the higher zxid wins over the higher sid.
        assert!(p(3, 0x1_0000_0007, 1).beats(&p(5, 0x1_0000_0003, 1), &q));
        // Same epoch and zxid: the higher sid wins.
        assert!(p(5, 7, 1).beats(&p(4, 7, 1), &q));
        assert!(!p(4, 7, 1).beats(&p(5, 7, 1), &q));
        // A vote never beats itself.
        assert!(!p(4, 7, 1).beats(&p(4, 7, 1), &q));
    }

    #[test]
    fn a_non_voter_never_wins() {
        let q = QuorumMaj::new(1..=3);
        assert!(!p(6, 100, 100).beats(&p(1, 0, 0), &q));
        assert!(p(1, 0, 0).beats(&Proposal::NONE, &q));
    }

    #[test]
    fn vote_equality_follows_vote_equals() {
        let a = Vote {
            proposal: p(3, 7, 1),
            round: 2,
            state: ServerState::Looking,
        };
        let mut b = a;
        b.round = 3;
        assert_ne!(a, b, "looking votes must agree on the round");
        let f1 = Vote {
            proposal: p(3, 7, 1),
            round: 2,
            state: ServerState::Following,
        };
        let f2 = Vote {
            proposal: p(3, 9, 1),
            round: 5,
            state: ServerState::Leading,
        };
        assert_eq!(
            f1, f2,
            "out-of-election votes compare leader and epoch only"
        );
    }
}
