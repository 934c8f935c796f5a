//! A picture of each consumer group for the playground's group panel, computed from the
//! world (and, for what only the past can tell, from the trace up to the same point):
//!
//! - the coordinator's side (apache/kafka 3.8 `GroupMetadata`): its broker, the
//!   `GroupState`, generation, chosen protocol (assignor) and leader;
//! - each consumer configured with the `group.id`: its member state
//!   (`AbstractCoordinator.MemberState`), member id, the partitions it owns, the ones the
//!   coordinator assigns it, those it gave up in the latest rebalance and those it still
//!   waits for, and whether its process runs, is paused or is down;
//! - where the rebalance is, as one [`RebalancePhase`] (join → the leader computes the
//!   assignment → sync → revoke/assign → stable) and whether the group revokes eagerly
//!   (everything, before joining) or cooperatively (KIP-429: only what moves, after the
//!   first round, then a second round);
//! - per partition: who owns it, the committed offset, the end of the log a consumer
//!   reads to (the high watermark, or the LSO with `read_committed`) and the lag, as
//!   `kafka-consumer-groups --describe` computes it ([`super::describe`]);
//! - per consumer: the processed-record ledger ([`crate::kafka::consumer::ledger`]) with
//!   each record marked as a first processing, a duplicate or one that follows a gap, and
//!   the group's counts from the delivery checker ([`super::delivery`]);
//! - [`lag_series`]: the group's total lag over virtual time, from the trace.
//!
//! Nothing here panics on odd states: a consumer that crashed (it has no membership until
//! it starts again), a group with no members, a coordinator that is down.

use super::GroupChange;
use super::client::MemberState;
use super::delivery;
use super::query::{consumer_name, coordinated, coordinator, leader};
use super::state::{ClassicGroup, GroupState};
use crate::ids::NodeId;
use crate::kafka::consumer::Consumer;
use crate::kafka::consumer::app::Phase;
use crate::kafka::messages::KafkaChange;
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Change;
use crate::sim::node::Status;
use crate::sim::trace::{EventKind, TraceEvent};
use crate::sim::world::World;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

mod history;
mod ledger;
#[cfg(test)]
mod tests;

pub use history::lag_series;
use history::{History, history};
use ledger::ledgers;

/// Ledger entries kept per consumer in the picture (the newest ones).
pub const SHOWN_LEDGER: usize = 32;

/// How the members give partitions back (`ConsumerPartitionAssignor.RebalanceProtocol`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RebalanceProtocol {
    /// Every member revokes all its partitions before it joins (`onJoinPrepare`): no one
    /// reads during the rebalance ("stop the world").
    Eager,
    /// KIP-429: members keep their partitions while they join; a member revokes only the
    /// partitions the new assignment takes from it, then rejoins for a second round that
    /// hands them out.
    Cooperative,
}

/// Where a group's rebalance is, coordinator and members together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RebalancePhase {
    /// No running broker coordinates the group (its `__consumer_offsets` partition has
    /// no leader that loaded it).
    NoCoordinator,
    /// The group has no members (`Empty`, or `Dead`).
    Empty,
    /// JoinGroup: the coordinator is in `PreparingRebalance`, or a member has sent (or
    /// is about to send) a JoinGroup the coordinator has not taken yet.
    Join,
    /// `CompletingRebalance` until the leader's SyncGroup arrives: the JoinGroup answers
    /// are out and the leader runs the assignor.
    LeaderAssigns,
    /// The leader's SyncGroup arrived: the coordinator writes the assignment to
    /// `__consumer_offsets` and holds every SyncGroup until it is replicated.
    Sync,
    /// The coordinator is `Stable` but a member has not taken its share yet: a SyncGroup
    /// answer is on its way, or a new partition waits for its committed offset
    /// (OffsetFetch, then ListOffsets for `auto.offset.reset`); a cooperative member
    /// revokes here what the assignment took from it, and the phase lasts until its
    /// rejoin starts the second round.
    RevokeAssign,
    /// `Stable` and every member `STABLE` with positions for all it owns.
    Stable,
}

impl RebalancePhase {
    /// The phases of the strip, in order.
    pub const STRIP: [RebalancePhase; 5] = [
        RebalancePhase::Join,
        RebalancePhase::LeaderAssigns,
        RebalancePhase::Sync,
        RebalancePhase::RevokeAssign,
        RebalancePhase::Stable,
    ];

    /// The phase's place in [`Self::STRIP`] (none for no coordinator and empty).
    pub fn index(self) -> Option<u32> {
        Self::STRIP
            .iter()
            .position(|p| *p == self)
            .map(|i| i as u32)
    }
}

/// One consumer configured with the group's `group.id`, as a member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemberView {
    /// The consumer's number (`consumerN`).
    pub consumer: u32,
    /// `client.id` (`consumer-<group>-<n>`).
    pub client_id: String,
    /// Its member id ("" before the coordinator gave it one).
    pub member_id: String,
    /// Its `MemberState`; none while it has not subscribed (a crashed consumer until it
    /// starts again).
    pub state: Option<MemberState>,
    /// Its process.
    pub process: Status,
    /// The coordinator lists it among the group's members.
    pub in_group: bool,
    /// It leads the group (the coordinator's leader).
    pub leader: bool,
    /// The generation it is in (-1 outside one).
    pub generation: i32,
    /// The partitions it owns (reads) now, sorted.
    pub owned: Vec<TopicPartition>,
    /// The partitions the coordinator holds as its assignment (the previous generation's
    /// while a rebalance runs), sorted.
    pub assigned: Vec<TopicPartition>,
    /// Partitions it gave up (revoked or lost) in the latest rebalance and does not own
    /// again, sorted.
    pub given_up: Vec<TopicPartition>,
    /// Partitions handed to it in the latest rebalance that it owns, sorted (under the
    /// eager protocol these include partitions it gave up and got back).
    pub gained: Vec<TopicPartition>,
    /// Partitions assigned to it that it cannot read yet: the SyncGroup answer has not
    /// reached it, or it waits for the committed offset, sorted.
    pub awaiting: Vec<TopicPartition>,
    /// What its application thread does (`poll()`, processing, `commitSync()`).
    pub app: Phase,
    /// Records `poll()` returned that are not processed yet.
    pub in_hand: u64,
    /// Why its last commit failed, if it did.
    pub commit_error: Option<String>,
}

/// One partition of the topics the group subscribes to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionView {
    /// The partition.
    pub tp: TopicPartition,
    /// The consumers that own it (client side); more than one when a member that was
    /// removed (paused past its session) still believes it owns it.
    pub owners: Vec<u32>,
    /// The consumer the coordinator's assignment gives it to, while the group is
    /// `Stable` (during a rebalance no assignment is in force).
    pub assigned_to: Option<u32>,
    /// The group's committed offset (next offset to read).
    pub committed: Option<u64>,
    /// The first owner's position (next offset it fetches).
    pub position: Option<u64>,
    /// The end of what the group reads: the leader's high watermark, or its last stable
    /// offset when a consumer of the group reads `read_committed`.
    pub end: Option<u64>,
    /// `end − committed` (none without both), as `kafka-consumer-groups` prints LAG.
    pub lag: Option<u64>,
}

/// How a processed record stands against what the group processed before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Mark {
    /// The first processing of this record, right after the one before it.
    Normal,
    /// The group had processed this record already.
    Duplicate {
        /// Processings of it before this one.
        before: u64,
    },
    /// Data records between the group's highest processed offset of the partition and
    /// this one were not processed (so far): lost or skipped.
    GapBefore {
        /// How many.
        missing: u64,
    },
}

/// One processed record in a consumer's ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    /// Its partition.
    pub tp: TopicPartition,
    /// Its offset.
    pub offset: u64,
    /// Its value.
    pub value: Option<String>,
    /// The consumer's incarnation (one more after each crash).
    pub incarnation: u32,
    /// The mark.
    pub mark: Mark,
}

/// A consumer's processed-record ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerView {
    /// The consumer's number.
    pub consumer: u32,
    /// Records it processed, counting repeats.
    pub processed: u64,
    /// Of those, duplicates.
    pub duplicates: u64,
    /// Of those, records that followed a gap.
    pub gaps: u64,
    /// The newest [`SHOWN_LEDGER`] entries, oldest first.
    pub entries: Vec<LedgerEntry>,
}

/// The delivery checker's counts for the group ([`super::delivery::check`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryView {
    /// Records processed, counting repeats.
    pub processed: u64,
    /// Records no one processed although a later offset of their partition was.
    pub lost: u64,
    /// Processings beyond the first.
    pub duplicates: u64,
    /// Offsets that did not rise within one consumer run.
    pub non_monotonic: u64,
    /// Records passed over within one consumer run.
    pub skipped: u64,
}

/// One consumer group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupView {
    /// The group id.
    pub id: String,
    /// The running broker coordinating it.
    pub coordinator: Option<u32>,
    /// The coordinator's `GroupState`; none without a coordinator.
    pub state: Option<GroupState>,
    /// The coordinator's generation (0 before the first rebalance completes).
    pub generation: i32,
    /// The protocol (assignor) chosen for the generation.
    pub protocol: Option<String>,
    /// Eager or cooperative: cooperative when every member offers only cooperative
    /// assignors (as each member decides whether to revoke before joining).
    pub rebalance: RebalanceProtocol,
    /// The leader's member id.
    pub leader_member: Option<String>,
    /// The consumer whose member leads.
    pub leader: Option<u32>,
    /// Where the rebalance is.
    pub phase: RebalancePhase,
    /// Rebalance rounds in the latest rebalance (a cooperative one that moves partitions
    /// takes two); 0 when unknown (no trace).
    pub round: u32,
    /// The consumers configured with this `group.id`, by number.
    pub members: Vec<MemberView>,
    /// The partitions of the subscribed topics (and any with a committed offset).
    pub partitions: Vec<PartitionView>,
    /// Each member's ledger, by consumer number.
    pub ledgers: Vec<LedgerView>,
    /// The delivery checker's counts.
    pub delivery: DeliveryView,
    /// A consumer of the group reads `read_committed` (lag is then against the LSO).
    pub read_committed: bool,
    /// The trace position of the latest membership event of the group (its
    /// coordinator's rebalances, joins, removals, and its consumers' partition changes;
    /// not commits or processing); none without a trace or before any.
    pub last_event: Option<u64>,
}

/// A point of [`lag_series`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LagPoint {
    /// Virtual time (ms).
    pub time: u64,
    /// The group's total lag then (records).
    pub lag: u64,
}

/// Every group, by id, from the world alone: ledgers in each consumer's own order, and
/// what a member gave up only while the coordinator still holds the previous assignment.
pub fn groups(w: &World) -> Vec<GroupView> {
    group_ids(w)
        .into_iter()
        .map(|id| build(w, &id, None))
        .collect()
}

/// Every group, by id, with what the trace up to the world's position tells: the ledgers
/// marked in the order the records were processed across consumers, what each member
/// gave up and gained in the latest rebalance, its rounds, and the latest event.
/// `trace` must be the events that led to `w` (a timeline's trace up to its position).
pub fn groups_at(w: &World, trace: &[TraceEvent]) -> Vec<GroupView> {
    group_ids(w)
        .into_iter()
        .map(|id| build(w, &id, Some(trace)))
        .collect()
}

/// The group ids the world knows: groups running coordinators hold, and the `group.id`
/// of every consumer that subscribed or is down (a crashed one subscribes again when it
/// starts).
fn group_ids(w: &World) -> BTreeSet<String> {
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for (up, b) in w.brokers() {
        if up {
            ids.extend(
                b.group
                    .groups()
                    .filter(|g| g.state != GroupState::Dead)
                    .map(|g| g.id.clone()),
            );
        }
    }
    for c in w.consumers() {
        if let Some(g) = c.group() {
            ids.insert(g.group.clone());
        } else if let Some(id) = &c.cfg.group.group_id {
            let down = !matches!(
                w.status(NodeId::Consumer(c.id())),
                Some(Status::Running | Status::Paused | Status::NotStarted) | None
            );
            if down || !c.ledger().entries().is_empty() {
                ids.insert(id.clone());
            }
        }
    }
    ids
}

/// The consumers configured with `group.id` = `group` (as the delivery checker counts
/// them), plus any whose membership names the group.
fn consumers_of<'w>(w: &'w World, group: &str) -> Vec<&'w Consumer> {
    w.consumers()
        .filter(|c| {
            c.cfg.group.group_id.as_deref() == Some(group)
                || c.group().is_some_and(|g| g.group == group)
        })
        .collect()
}

/// The consumer number in a client id (`consumer-<group>-<n>`).
fn consumer_number(client_id: &str) -> Option<u32> {
    consumer_name(client_id)
        .strip_prefix("consumer")
        .and_then(|n| n.parse().ok())
}

fn sorted(mut v: Vec<TopicPartition>) -> Vec<TopicPartition> {
    v.sort();
    v.dedup();
    v
}

/// The end of `tp` a consumer reads to, from its leader: HW, or LSO for read_committed.
fn end_offset(w: &World, tp: &TopicPartition, read_committed: bool) -> Option<u64> {
    let b = leader(w, tp)?;
    let hw = b.hw(tp)?;
    if !read_committed {
        return Some(hw);
    }
    Some(
        b.disk()
            .logs
            .get(tp)
            .map_or(hw, |log| log.last_stable_offset(hw)),
    )
}

fn build(w: &World, id: &str, trace: Option<&[TraceEvent]>) -> GroupView {
    let consumers = consumers_of(w, id);
    let numbers: BTreeSet<u32> = consumers.iter().map(|c| c.id()).collect();
    let hist = trace.map(|t| history(t, id, &numbers));
    let g: Option<&ClassicGroup> = coordinated(w, id).filter(|g| g.state != GroupState::Dead);
    let read_committed = consumers.iter().any(|c| c.cfg.read_committed);
    let cooperative = !consumers.is_empty()
        && consumers.iter().all(|c| {
            !c.cfg.group.assignors.is_empty()
                && c.cfg.group.assignors.iter().all(|a| a.cooperative())
        });
    let leader_member = g.and_then(|g| g.leader.clone());
    let leader = g.and_then(|g| {
        let l = g.leader.as_deref()?;
        consumer_number(&g.member(l)?.client_id)
    });

    let members: Vec<MemberView> = consumers
        .iter()
        .map(|c| member(w, c, g, hist.as_ref()))
        .collect();

    // The partitions: every partition of the subscribed topics, and any committed one.
    let mut topics: BTreeSet<String> = BTreeSet::new();
    for c in &consumers {
        if let Some(cg) = c.group() {
            topics.extend(cg.topics.iter().cloned());
        }
    }
    if let Some(g) = g {
        topics.extend(g.subscribed_topics());
    }
    let mut tps: BTreeSet<TopicPartition> = BTreeSet::new();
    for t in &topics {
        let n = w.topics().partition_count(t).unwrap_or(0);
        tps.extend((0..n).map(|p| TopicPartition::new(t.clone(), p)));
    }
    if let Some(g) = g {
        tps.extend(g.offsets.keys().cloned());
    }
    let partitions = tps
        .into_iter()
        .map(|tp| {
            let owners: Vec<u32> = members
                .iter()
                .filter(|m| m.owned.contains(&tp))
                .map(|m| m.consumer)
                .collect();
            // While the group rebalances, the coordinator's assignment is the previous
            // generation's: it no longer sends a partition anywhere.
            let assigned_to = members
                .iter()
                .find(|m| m.in_group && m.assigned.contains(&tp))
                .map(|m| m.consumer)
                .filter(|_| g.is_some_and(|g| g.state == GroupState::Stable));
            let position = owners
                .first()
                .and_then(|n| consumers.iter().find(|c| c.id() == *n))
                .and_then(|c| c.positions().get(&tp).copied());
            let committed = g.and_then(|g| g.offsets.get(&tp).copied());
            let end = end_offset(w, &tp, read_committed);
            let lag = match (end, committed) {
                (Some(e), Some(c)) => Some(e.saturating_sub(c)),
                _ => None,
            };
            PartitionView {
                tp,
                owners,
                assigned_to,
                committed,
                position,
                end,
                lag,
            }
        })
        .collect();

    let mut phase = phase(g, &members);
    // A cooperative member gave partitions up and will rejoin: the rebalance goes on.
    if phase == RebalancePhase::Stable && hist.as_ref().is_some_and(|h| h.rejoining) {
        phase = RebalancePhase::RevokeAssign;
    }
    let ledgers = ledgers(w, &consumers, read_committed, hist.as_ref());
    let d = delivery::check(w, id);
    GroupView {
        id: id.to_string(),
        coordinator: coordinator(w, id),
        state: g.map(|g| g.state),
        generation: g.map_or(0, |g| g.generation),
        protocol: g.and_then(|g| g.protocol.clone()),
        rebalance: if cooperative {
            RebalanceProtocol::Cooperative
        } else {
            RebalanceProtocol::Eager
        },
        leader_member,
        leader,
        phase,
        round: hist.as_ref().map_or(0, |h| h.round),
        members,
        partitions,
        ledgers,
        delivery: DeliveryView {
            processed: d.processed,
            lost: d.lost,
            duplicates: d.duplicates,
            non_monotonic: d.non_monotonic,
            skipped: d.skipped,
        },
        read_committed,
        last_event: hist.and_then(|h| h.last),
    }
}

fn member(w: &World, c: &Consumer, g: Option<&ClassicGroup>, hist: Option<&History>) -> MemberView {
    let n = c.id();
    let client = c.group();
    let process = w.status(NodeId::Consumer(n)).unwrap_or(Status::NotStarted);
    let client_id = client.map_or_else(
        || {
            let group = c.cfg.group.group_id.as_deref().unwrap_or("");
            format!("consumer-{group}-{n}")
        },
        |cg| cg.client_id.clone(),
    );
    let owned = sorted(client.map(|cg| cg.owned.clone()).unwrap_or_default());
    // The coordinator's member for this consumer: by member id, else by client id.
    let gm = g.and_then(|g| {
        client
            .and_then(|cg| g.member(&cg.member_id))
            .or_else(|| g.members.iter().find(|m| m.client_id == client_id))
    });
    let assigned = sorted(gm.map(|m| m.assignment.clone()).unwrap_or_default());
    let rebalancing = g.is_some_and(|g| {
        matches!(
            g.state,
            GroupState::PreparingRebalance | GroupState::CompletingRebalance
        )
    });
    // The coordinator still holds the previous generation's assignment while it
    // rebalances: what of it the member no longer owns, it gave up.
    // A process that is down did not give anything up: it lost it (the coordinator
    // still assigns it until its session expires).
    let live = matches!(process, Status::Running | Status::Paused);
    let mut given_up: BTreeSet<TopicPartition> = if rebalancing && live {
        assigned
            .iter()
            .filter(|tp| !owned.contains(tp))
            .cloned()
            .collect()
    } else {
        BTreeSet::new()
    };
    let mut gained: BTreeSet<TopicPartition> = BTreeSet::new();
    if let Some(moves) = hist.and_then(|h| h.moves.get(&n)) {
        for (tp, got) in moves {
            match (*got, owned.contains(tp)) {
                (true, true) => {
                    gained.insert(tp.clone());
                }
                (false, false) => {
                    given_up.insert(tp.clone());
                }
                _ => {}
            }
        }
    }
    let mut awaiting: BTreeSet<TopicPartition> = owned
        .iter()
        .filter(|tp| !c.positions().contains_key(*tp))
        .cloned()
        .collect();
    if g.is_some_and(|g| g.state == GroupState::Stable) && live {
        awaiting.extend(assigned.iter().filter(|tp| !owned.contains(tp)).cloned());
    }
    MemberView {
        consumer: n,
        member_id: client.map(|cg| cg.member_id.clone()).unwrap_or_default(),
        state: client.map(|cg| cg.state),
        process,
        in_group: gm.is_some(),
        leader: gm.is_some_and(|m| g.and_then(|g| g.leader.as_deref()) == Some(&m.member_id)),
        generation: client.map_or(-1, |cg| cg.generation),
        client_id,
        owned,
        assigned,
        given_up: given_up.into_iter().collect(),
        gained: gained.into_iter().collect(),
        awaiting: awaiting.into_iter().collect(),
        app: c.app().phase(),
        in_hand: c.app().in_hand() as u64,
        commit_error: client.and_then(|cg| cg.commit_error.clone()),
    }
}

fn phase(g: Option<&ClassicGroup>, members: &[MemberView]) -> RebalancePhase {
    let Some(g) = g else {
        return RebalancePhase::NoCoordinator;
    };
    let live = |m: &&MemberView| matches!(m.process, Status::Running | Status::Paused);
    let joining = members
        .iter()
        .filter(live)
        .any(|m| m.state == Some(MemberState::PreparingRebalance));
    match g.state {
        GroupState::Empty | GroupState::Dead if joining => RebalancePhase::Join,
        GroupState::Empty | GroupState::Dead => RebalancePhase::Empty,
        GroupState::PreparingRebalance => RebalancePhase::Join,
        GroupState::CompletingRebalance => {
            let leader_synced = g
                .leader
                .as_deref()
                .and_then(|l| g.member(l))
                .is_some_and(|m| m.awaiting_sync.is_some());
            if leader_synced {
                RebalancePhase::Sync
            } else {
                RebalancePhase::LeaderAssigns
            }
        }
        GroupState::Stable if joining => RebalancePhase::Join,
        GroupState::Stable => {
            let settling = members.iter().filter(live).any(|m| {
                m.in_group && (m.state != Some(MemberState::Stable) || !m.awaiting.is_empty())
            });
            if settling {
                RebalancePhase::RevokeAssign
            } else {
                RebalancePhase::Stable
            }
        }
    }
}
