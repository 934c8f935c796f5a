//! A classic consumer group as its coordinator holds it (apache/kafka 3.8
//! `kafka.coordinator.group.GroupMetadata`, `MemberMetadata`): the state machine
//!
//! ```text
//! Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance
//!   ▲                   ▲      ▲                                   │ leader's SyncGroup
//!   └── last member ────┘      └── join, leave, session expiry ── Stable ◀┘
//! ```
//!
//! with its generation, chosen protocol, leader, members, pending members (KIP-394) and
//! committed offsets.

use super::messages::{JoinedMember, Subscription};
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::ConnId;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// `GroupState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GroupState {
    /// No members (offsets may remain).
    Empty,
    /// Waiting for the members to (re)join.
    PreparingRebalance,
    /// Joined; waiting for the leader's assignment.
    CompletingRebalance,
    /// Everyone has an assignment.
    Stable,
    /// Removed.
    Dead,
}

impl GroupState {
    /// The name Kafka prints (`kafka-consumer-groups --describe --state`).
    pub fn name(self) -> &'static str {
        match self {
            GroupState::Empty => "Empty",
            GroupState::PreparingRebalance => "PreparingRebalance",
            GroupState::CompletingRebalance => "CompletingRebalance",
            GroupState::Stable => "Stable",
            GroupState::Dead => "Dead",
        }
    }
}

/// A request the coordinator answers later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Waiting {
    /// Where the answer goes.
    pub conn: ConnId,
    /// Its correlation id.
    pub corr: u64,
}

/// One member (`MemberMetadata`).
#[derive(Clone, Debug)]
pub struct GroupMember {
    /// Member id (`clientId-uuid`).
    pub member_id: String,
    /// `group.instance.id`.
    pub instance_id: Option<String>,
    /// `client.id`.
    pub client_id: String,
    /// `session.timeout.ms`.
    pub session_timeout_ms: u64,
    /// Rebalance timeout (the consumer's `max.poll.interval.ms`).
    pub rebalance_timeout_ms: u64,
    /// Offered protocols, in preference order.
    pub protocols: Vec<String>,
    /// What it subscribes to.
    pub subscription: Subscription,
    /// Its partitions in the current generation.
    pub assignment: Vec<TopicPartition>,
    /// Its JoinGroup, held until the join completes.
    pub awaiting_join: Option<Waiting>,
    /// Its SyncGroup, held until the leader's assignment is stored.
    pub awaiting_sync: Option<Waiting>,
    /// When its session expires (ms), unless it heartbeats.
    pub session_deadline: u64,
    /// The timer number of that deadline.
    pub session_timer: u64,
}

/// A group (`GroupMetadata`).
#[derive(Clone, Debug)]
pub struct ClassicGroup {
    /// The group id.
    pub id: String,
    /// Its state.
    pub state: GroupState,
    /// The generation (0 before the first rebalance completes).
    pub generation: i32,
    /// The protocol chosen for this generation.
    pub protocol: Option<String>,
    /// The leader's member id.
    pub leader: Option<String>,
    /// Members, in the order they joined (the leader's JoinGroup response lists them so).
    pub members: Vec<GroupMember>,
    /// Member ids handed out with MEMBER_ID_REQUIRED, not joined yet: id → session
    /// timer number.
    pub pending: BTreeMap<String, u64>,
    /// The delayed join's timer number while one runs.
    pub join_timer: Option<u64>,
    /// How much longer (ms) an initial delayed join may still extend itself.
    pub join_limit: u64,
    /// The delayed join running is the initial one (an empty group's): it completes only
    /// on its timer.
    pub initial_join: bool,
    /// A new member joined during the initial delayed join (`newMemberAdded`).
    pub new_member_added: bool,
    /// Committed offsets (`offsets` cache): partition → next offset to read.
    pub offsets: BTreeMap<TopicPartition, u64>,
    /// Transactional offsets waiting for their transaction's marker
    /// (`pendingTransactionalOffsetCommits`): producer id → partition → next offset.
    pub pending_txn_offsets: BTreeMap<i64, BTreeMap<TopicPartition, u64>>,
    /// The `__consumer_offsets` partition.
    pub partition: u32,
}

impl ClassicGroup {
    /// A new empty group.
    pub fn new(id: &str, partition: u32) -> Self {
        ClassicGroup {
            id: id.to_string(),
            state: GroupState::Empty,
            generation: 0,
            protocol: None,
            leader: None,
            members: Vec::new(),
            pending: BTreeMap::new(),
            join_timer: None,
            join_limit: 0,
            initial_join: false,
            new_member_added: false,
            offsets: BTreeMap::new(),
            pending_txn_offsets: BTreeMap::new(),
            partition,
        }
    }

    /// True while a transaction holds offsets of `tp` that its marker has not settled
    /// (`hasPendingOffsetCommitsForTopicPartition`).
    pub fn has_pending_offsets(&self, tp: &TopicPartition) -> bool {
        self.pending_txn_offsets
            .values()
            .any(|o| o.contains_key(tp))
    }

    /// The member with `member_id`.
    pub fn member(&self, member_id: &str) -> Option<&GroupMember> {
        self.members.iter().find(|m| m.member_id == member_id)
    }

    /// The member with `member_id`, to change.
    pub fn member_mut(&mut self, member_id: &str) -> Option<&mut GroupMember> {
        self.members.iter_mut().find(|m| m.member_id == member_id)
    }

    /// Removes a member; a leader that leaves is replaced by the first member left
    /// (`GroupMetadata.remove`).
    pub fn remove(&mut self, member_id: &str) -> Option<GroupMember> {
        let i = self.members.iter().position(|m| m.member_id == member_id)?;
        let m = self.members.remove(i);
        if self.leader.as_deref() == Some(member_id) {
            self.leader = self.members.first().map(|m| m.member_id.clone());
        }
        Some(m)
    }

    /// `hasAllMembersJoined`: every member has a JoinGroup waiting and no member id is
    /// pending.
    pub fn all_joined(&self) -> bool {
        self.members.iter().all(|m| m.awaiting_join.is_some()) && self.pending.is_empty()
    }

    /// The largest rebalance timeout of the members (the delayed join's timeout).
    pub fn rebalance_timeout_ms(&self) -> u64 {
        self.members
            .iter()
            .map(|m| m.rebalance_timeout_ms)
            .max()
            .unwrap_or(0)
    }

    /// `selectProtocol`: among the protocols every member offers, each member votes for
    /// the first of its own list; the most votes wins (ties: the first in the first
    /// member's preference order, where Kafka takes `maxBy` over a Scala map).
    pub fn select_protocol(&self) -> Option<String> {
        let first = self.members.first()?;
        let common: Vec<&String> = first
            .protocols
            .iter()
            .filter(|p| self.members.iter().all(|m| m.protocols.contains(p)))
            .collect();
        let mut votes: BTreeMap<&String, usize> = BTreeMap::new();
        for m in &self.members {
            if let Some(p) = m.protocols.iter().find(|p| common.contains(p)) {
                *votes.entry(p).or_default() += 1;
            }
        }
        let best = votes.values().copied().max()?;
        common
            .into_iter()
            .find(|p| votes.get(p) == Some(&best))
            .cloned()
    }

    /// Whether a member offering `protocols` shares one with the group
    /// (`supportsProtocols`): with every member's, or with the chosen one.
    pub fn supports(&self, protocols: &[String]) -> bool {
        if self.members.is_empty() {
            return !protocols.is_empty();
        }
        protocols
            .iter()
            .any(|p| self.members.iter().all(|m| m.protocols.contains(p)))
    }

    /// The members as the leader's JoinGroup response lists them.
    pub fn joined_members(&self) -> Vec<JoinedMember> {
        self.members
            .iter()
            .map(|m| JoinedMember {
                member_id: m.member_id.clone(),
                instance_id: m.instance_id.clone(),
                subscription: m.subscription.clone(),
            })
            .collect()
    }

    /// The topics any member subscribes to.
    pub fn subscribed_topics(&self) -> BTreeSet<String> {
        self.members
            .iter()
            .flat_map(|m| m.subscription.topics.iter().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, protocols: &[&str]) -> GroupMember {
        GroupMember {
            member_id: id.into(),
            instance_id: None,
            client_id: "c".into(),
            session_timeout_ms: 45_000,
            rebalance_timeout_ms: 300_000,
            protocols: protocols.iter().map(|p| p.to_string()).collect(),
            subscription: Subscription::default(),
            assignment: Vec::new(),
            awaiting_join: None,
            awaiting_sync: None,
            session_deadline: 0,
            session_timer: 0,
        }
    }

    #[test]
    fn the_protocol_is_the_most_voted_common_one() {
        let mut g = ClassicGroup::new("g", 0);
        g.members
            .push(member("a", &["range", "cooperative-sticky"]));
        g.members
            .push(member("b", &["cooperative-sticky", "range"]));
        g.members.push(member("c", &["cooperative-sticky"]));
        // Only cooperative-sticky is common to all three.
        assert_eq!(g.select_protocol().as_deref(), Some("cooperative-sticky"));
        g.remove("c");
        // 1 vote each: the first member's preference.
        assert_eq!(g.select_protocol().as_deref(), Some("range"));
        assert!(g.supports(&["range".into()]));
        assert!(!g.supports(&["roundrobin".into()]));
    }

    #[test]
    fn a_leaving_leader_is_replaced_by_the_first_member_left() {
        let mut g = ClassicGroup::new("g", 0);
        g.members.push(member("a", &["range"]));
        g.members.push(member("b", &["range"]));
        g.leader = Some("a".into());
        g.remove("a");
        assert_eq!(g.leader.as_deref(), Some("b"));
    }
}
