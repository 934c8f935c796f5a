//! The group coordinator inside a broker (apache/kafka 3.8, ZooKeeper mode: the Scala
//! `kafka.coordinator.group.GroupCoordinator` and `GroupMetadataManager`).
//!
//! A broker coordinates the groups of the `__consumer_offsets` partitions it leads
//! (`partitionFor`: `abs(groupId.hashCode) % offsets.topic.num.partitions`). When it
//! becomes a partition's leader it loads the partition (the last record per key wins:
//! committed offsets and each group's generation, protocol, leader and assignment); when
//! it stops leading one it forgets its groups. The first FindCoordinator for a group
//! creates `__consumer_offsets` through ZooKeeper (`offsets.topic.replication.factor` 3,
//! compacted), refused while fewer brokers are alive than its replication factor.
//!
//! The membership protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, session expiry)
//! is in [`super::join`]; offsets (OffsetCommit, OffsetFetch) in [`super::offsets`];
//! transactional offsets (TxnOffsetCommit, settled by the marker) in
//! [`super::txn_offsets`].

use super::messages::GroupMsg;
use super::state::ClassicGroup;
use super::{TOPIC, partition_for};
use crate::kafka::broker::Broker;
use crate::kafka::broker::internal_topics::InternalTopic;
use crate::kafka::messages::{KafkaError, KafkaMsg, KafkaTimer};
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;
use std::collections::BTreeMap;

/// What a group deadline timer is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Deadline {
    /// A member's session (`DelayedHeartbeat`).
    Session { group: String, member: String },
    /// A member id handed out with MEMBER_ID_REQUIRED that has not joined
    /// (`addPendingMemberExpiration`).
    Pending { group: String, member: String },
    /// The group's delayed join (`DelayedJoin` / `InitialDelayedJoin`).
    Join { group: String },
}

/// What to do once a record written to `__consumer_offsets` is replicated.
#[derive(Clone, Debug)]
pub(crate) enum AfterWrite {
    /// The leader's assignment is stored: hand it out (`setAndPropagateAssignment`).
    Assignment {
        group: String,
        generation: i32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
    /// Answer an OffsetCommit and take the offsets into the cache.
    Commit {
        group: String,
        conn: ConnId,
        corr: u64,
        offsets: Vec<(TopicPartition, u64)>,
    },
    /// Answer a TxnOffsetCommit; its offsets stay pending until the transaction's marker
    /// (`onTxnOffsetCommitAppend`).
    TxnCommit {
        group: String,
        conn: ConnId,
        corr: u64,
        producer_id: i64,
        offsets: Vec<(TopicPartition, u64)>,
    },
    /// A static member replaced its old member id in a Stable group: answer its
    /// JoinGroup with the current generation.
    StaticJoined { group: String, member_id: String },
    /// A group metadata record with nothing waiting for it (an empty generation).
    Nothing,
}

/// A write waiting for the high watermark.
#[derive(Clone, Debug)]
pub(crate) struct PendingWrite {
    pub(crate) tp: TopicPartition,
    /// The high watermark that makes it durable (the last record's offset + 1).
    pub(crate) offset: u64,
    pub(crate) then: AfterWrite,
}

/// A broker's group coordinator state (empty until it leads a `__consumer_offsets`
/// partition).
#[derive(Clone, Debug, Default)]
pub struct GroupCoordinator {
    /// The `__consumer_offsets` partitions loaded here: partition → leader epoch.
    pub(crate) owned: BTreeMap<u32, u32>,
    /// The groups of those partitions.
    pub(crate) groups: BTreeMap<String, ClassicGroup>,
    /// Deadlines by timer number.
    pub(crate) deadlines: BTreeMap<u64, Deadline>,
    pub(crate) next_timer: u64,
    pub(crate) writes: Vec<PendingWrite>,
}

impl GroupCoordinator {
    /// The group `id`, if this broker coordinates it.
    pub fn group(&self, id: &str) -> Option<&ClassicGroup> {
        self.groups.get(id)
    }

    /// Every group this broker coordinates.
    pub fn groups(&self) -> impl Iterator<Item = &ClassicGroup> {
        self.groups.values()
    }

    /// Sets a deadline `after_ms` from now; returns its timer number.
    pub(crate) fn schedule(&mut self, ctx: &mut Ctx<'_>, d: Deadline, after_ms: u64) -> u64 {
        self.next_timer += 1;
        let n = self.next_timer;
        self.deadlines.insert(n, d);
        ctx.set_timer(KafkaTimer::GroupDeadline(n), after_ms);
        n
    }

    /// Drops a deadline that no longer applies.
    pub(crate) fn cancel(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        if self.deadlines.remove(&n).is_some() {
            ctx.cancel_timer(KafkaTimer::GroupDeadline(n));
        }
    }
}

/// Sends `msg` back on `conn`.
pub(crate) fn reply(ctx: &mut Ctx<'_>, conn: ConnId, msg: GroupMsg) {
    ctx.send(conn, KafkaMsg::Group(msg));
}

/// A `java.util.UUID.randomUUID().toString()`: version 4, 8-4-4-4-12 hex digits.
pub(crate) fn java_uuid(ctx: &mut Ctx<'_>) -> String {
    let (a, b) = (ctx.rng().next_u64(), ctx.rng().next_u64());
    let a = (a & !0xf000) | 0x4000;
    let b = (b & !(0xc << 60)) | (0x8 << 60);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

impl Broker {
    /// The group messages a broker receives.
    pub(crate) fn on_group_message(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, msg: GroupMsg) {
        match msg {
            GroupMsg::FindCoordinator { corr, group } => {
                let result = self.find_group_coordinator(ctx, &group);
                reply(
                    ctx,
                    conn,
                    GroupMsg::FindCoordinatorResponse { corr, result },
                );
            }
            GroupMsg::JoinGroup { .. } => self.handle_join_group(ctx, conn, msg),
            GroupMsg::SyncGroup {
                corr,
                group,
                generation,
                member_id,
                assignments,
            } => {
                self.handle_sync_group(ctx, conn, corr, &group, generation, &member_id, assignments)
            }
            GroupMsg::Heartbeat {
                corr,
                group,
                generation,
                member_id,
            } => {
                let error = self.handle_heartbeat(ctx, &group, generation, &member_id);
                reply(ctx, conn, GroupMsg::HeartbeatResponse { corr, error });
            }
            GroupMsg::LeaveGroup {
                corr,
                group,
                member_id,
                reason,
            } => {
                let error = self.handle_leave_group(ctx, &group, &member_id, &reason);
                reply(ctx, conn, GroupMsg::LeaveGroupResponse { corr, error });
            }
            GroupMsg::OffsetCommit {
                corr,
                group,
                generation,
                member_id,
                offsets,
            } => {
                self.handle_offset_commit(ctx, conn, corr, &group, generation, &member_id, offsets)
            }
            GroupMsg::OffsetFetch {
                corr,
                group,
                partitions,
                require_stable,
            } => self.handle_offset_fetch(ctx, conn, corr, &group, partitions, require_stable),
            GroupMsg::TxnOffsetCommit {
                corr,
                transactional_id: _,
                group,
                producer_id,
                producer_epoch,
                generation,
                member_id,
                offsets,
            } => self.handle_txn_offset_commit(
                ctx,
                (conn, corr),
                &group,
                (producer_id, producer_epoch),
                (generation, &member_id),
                offsets,
            ),
            GroupMsg::FindCoordinatorResponse { .. }
            | GroupMsg::JoinGroupResponse { .. }
            | GroupMsg::SyncGroupResponse { .. }
            | GroupMsg::HeartbeatResponse { .. }
            | GroupMsg::LeaveGroupResponse { .. }
            | GroupMsg::OffsetCommitResponse { .. }
            | GroupMsg::OffsetFetchResponse { .. }
            | GroupMsg::TxnOffsetCommitResponse { .. } => {}
        }
    }

    /// FindCoordinator with key type GROUP (`KafkaApis.handleFindCoordinatorRequest`): the
    /// leader of the group's `__consumer_offsets` partition, from the metadata cache. The
    /// first request creates the topic (`AutoTopicCreationManager`), refused while fewer
    /// brokers are alive than `offsets.topic.replication.factor`.
    fn find_group_coordinator(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
    ) -> Result<u32, KafkaError> {
        let n = self.cfg.group.offsets_partitions;
        let topic = InternalTopic {
            name: TOPIC,
            partitions: n,
            replication_factor: self.cfg.group.offsets_replication_factor,
            described_as: "offsets topic",
            rf_setting: "offsets.topic.replication.factor",
            configs: vec![
                ("cleanup.policy".to_string(), "compact".to_string()),
                (
                    "segment.bytes".to_string(),
                    super::SEGMENT_BYTES.to_string(),
                ),
                ("compression.type".to_string(), "producer".to_string()),
            ],
        };
        self.find_internal_coordinator(ctx, &topic, partition_for(group, n))
    }

    /// Whether this broker can answer for `group` now: NOT_COORDINATOR when it does not
    /// lead the group's partition, COORDINATOR_LOAD_IN_PROGRESS while it has not loaded
    /// it (`validateGroupStatus`). Returns the partition.
    pub(crate) fn group_coordinating(&self, group: &str) -> Result<u32, KafkaError> {
        let p = partition_for(group, self.cfg.group.offsets_partitions);
        self.internal_coordinator_status(TOPIC, p, self.group.owned.contains_key(&p))
    }
}
