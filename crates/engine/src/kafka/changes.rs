//! The state changes Kafka brokers and clients report in the trace (`KafkaChange`), and
//! why the controller changed a partition (`Decision`). Their texts are in
//! [`super::describe`].

use crate::kafka::messages::KafkaError;
use crate::kafka::topic::TopicPartition;
use serde::{Deserialize, Serialize};

/// A state change of a broker or client, as recorded in the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kafka", rename_all = "snake_case")]
pub enum KafkaChange {
    /// The broker took a role for a partition.
    Role {
        /// The partition.
        tp: TopicPartition,
        /// The leader's id.
        leader: u32,
        /// The leader epoch.
        leader_epoch: u32,
        /// The ISR.
        isr: Vec<u32>,
    },
    /// Records were appended to this broker's replica.
    Appended {
        /// The partition.
        tp: TopicPartition,
        /// First offset appended.
        base_offset: u64,
        /// How many records.
        count: u64,
        /// The LEO after the append.
        leo: u64,
    },
    /// `kafka config` changed a client setting this existing client keeps: a Java client
    /// reads its settings once, when it is constructed.
    SettingKept {
        /// The setting's Kafka name.
        key: String,
    },
    /// The replica's log rolled to a new segment at `base_offset` and flushed the one it
    /// closed (`UnifiedLog.roll`).
    Rolled {
        /// The partition.
        tp: TopicPartition,
        /// The new active segment's base offset.
        base_offset: u64,
    },
    /// Retention deleted the oldest segments of the replica's log
    /// (`UnifiedLog.deleteOldSegments`).
    SegmentsDeleted {
        /// The partition.
        tp: TopicPartition,
        /// Base offsets of the deleted segments.
        segments: Vec<u64>,
        /// `retention.ms` or `retention.bytes`.
        reason: String,
        /// The log start offset afterwards.
        log_start_offset: u64,
    },
    /// The log cleaner compacted the replica's log.
    Compacted {
        /// The partition.
        tp: TopicPartition,
        /// Records removed because a later record has their key.
        superseded: u64,
        /// Tombstones removed after their delete horizon.
        tombstones: u64,
        /// The cleaner checkpoint afterwards.
        cleaner_point: u64,
    },
    /// The replica's log was loaded after an unclean stop (`LogLoader`): batches checked by
    /// CRC from the recovery point, and where a torn or corrupt tail was cut.
    Recovered {
        /// The partition.
        tp: TopicPartition,
        /// Batches checked.
        checked: u64,
        /// The LEO after recovery.
        leo: u64,
        /// Bytes cut from the tail, if any.
        truncated_bytes: u64,
    },
    /// What a command-line tool printed (`kafka-topics --describe`), answered by this
    /// broker, line by line.
    ToolOutput {
        /// The lines, as the tool prints them.
        lines: Vec<String>,
    },
    /// How the broker found an offset in its log (`fetch <tp> offset N`).
    Lookup {
        /// The partition.
        tp: TopicPartition,
        /// The offset asked for.
        offset: u64,
        /// The log start offset.
        log_start_offset: u64,
        /// The LEO.
        leo: u64,
        /// The steps, or none when the offset is out of range.
        lookup: Option<crate::kafka::log::segment::Lookup>,
        /// The fetched region sent the three ways, with the page cache's hits and misses.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        served: Option<crate::kafka::zerocopy::ServedFetch>,
    },
    /// The replica's high watermark moved.
    HighWatermark {
        /// The partition.
        tp: TopicPartition,
        /// The new HW.
        hw: u64,
    },
    /// The leader changed the ISR.
    Isr {
        /// The partition.
        tp: TopicPartition,
        /// The new ISR.
        isr: Vec<u32>,
        /// Why, in Kafka's words.
        reason: String,
    },
    /// The producer put records into its accumulator.
    Accumulated {
        /// The chosen partition.
        tp: TopicPartition,
        /// How many records.
        count: u64,
        /// How the partition was chosen (explicit, key hash, sticky).
        how: String,
    },
    /// A produce completed (acked, or failed for good).
    Acked {
        /// The partition.
        tp: TopicPartition,
        /// The batch's base offset (-1 when unknown, as with acks=0).
        base_offset: i64,
        /// Records in the batch.
        count: u64,
        /// Set when the send failed.
        error: Option<KafkaError>,
    },
    /// A produce will be retried.
    Retry {
        /// The partition.
        tp: TopicPartition,
        /// The retriable error.
        error: KafkaError,
    },
    /// The application finished processing records `poll()` handed it (each goes to the
    /// ledger).
    Consumed {
        /// The partition.
        tp: TopicPartition,
        /// First offset handed over.
        first_offset: u64,
        /// How many.
        count: u64,
    },
    /// A client learned partition leaders.
    Metadata {
        /// `(partition, leader)` pairs learned.
        leaders: Vec<(TopicPartition, Option<u32>)>,
    },
    /// The leader recognised a retried batch it already has and answered with the original
    /// offset instead of appending it again.
    Duplicate {
        /// The partition.
        tp: TopicPartition,
        /// The producer id.
        producer_id: i64,
        /// The batch's first sequence number.
        base_sequence: i32,
        /// Where the original sits.
        base_offset: u64,
    },
    /// A follower cut its log's tail.
    Truncated {
        /// The partition.
        tp: TopicPartition,
        /// The new LEO.
        to: u64,
        /// The LEO before.
        from: u64,
        /// By which rule: KIP-101's leader epochs, or the high watermark (before KIP-101).
        by_epoch: bool,
    },
    /// The broker registered itself in ZooKeeper (`/brokers/ids/<id>`).
    Registered {
        /// Its ZooKeeper session.
        session: u64,
    },
    /// The broker won the controller election (`/controller` is its).
    ControllerElected {
        /// The new controller epoch.
        epoch: u32,
    },
    /// The broker is no longer the controller (`onControllerResignation`).
    ControllerResigned,
    /// The controller wrote a partition's new state to ZooKeeper.
    Decided {
        /// The partition.
        tp: TopicPartition,
        /// The new leader (`None`: no leader).
        leader: Option<u32>,
        /// The leader epoch.
        leader_epoch: u32,
        /// The new ISR.
        isr: Vec<u32>,
        /// Why.
        why: Decision,
    },
    /// A controller request was refused: its epoch is older than one already seen.
    StaleController {
        /// The request's controller epoch.
        epoch: u32,
        /// The newest epoch the broker has seen.
        seen: u32,
    },
    /// A broker stopped being a replica of a partition (StopReplica), its log deleted
    /// with `deleted`.
    ReplicaStopped {
        /// The partition.
        tp: TopicPartition,
        /// The log was deleted.
        deleted: bool,
    },
    /// A transaction coordinator wrote a transactional id's new state to its
    /// `__transaction_state` partition (it takes effect once replicated).
    TxnState {
        /// The transactional id.
        transactional_id: String,
        /// The new state.
        state: crate::kafka::txn::TxnState,
        /// The producer id.
        producer_id: i64,
        /// The producer epoch.
        producer_epoch: i16,
        /// The record's offset.
        offset: u64,
    },
    /// A leader appended a transaction marker (a control batch) to a partition.
    Marker {
        /// The partition.
        tp: TopicPartition,
        /// The marker's offset.
        offset: u64,
        /// Whose transaction.
        producer_id: i64,
        /// COMMIT or ABORT.
        commit: bool,
        /// The LEO after the append.
        leo: u64,
    },
    /// A transactional producer's state changed (`TransactionManager.transitionTo`).
    ProducerTxn {
        /// The new state, as Java names it (READY, IN_TRANSACTION, ...).
        state: String,
    },
    /// A consumer group change (see [`crate::kafka::group::GroupChange`]).
    Group(crate::kafka::group::GroupChange),
}

/// Why the controller changed a partition's leader or ISR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// A new partition: the first live replica leads, the live replicas are the ISR
    /// (`initializeLeaderAndIsrForPartitions`).
    New,
    /// The leader died: the first live ISR replica in assignment order leads
    /// (`OfflinePartitionLeaderElectionStrategy`).
    Offline,
    /// No ISR replica is alive and `unclean.leader.election.enable` is on: an out-of-sync
    /// replica leads, and what only the old ISR had is lost.
    Unclean,
    /// A follower died and leaves the ISR (`removeReplicasFromIsr`).
    ReplicaOffline,
    /// Its broker is shutting down: leadership moves to the first live ISR replica not
    /// shutting down, and the broker leaves the ISR (`ControlledShutdownLeaderElection`).
    ControlledShutdown,
    /// Leadership goes back to the preferred replica, the first in the assignment
    /// (`PreferredReplicaPartitionLeaderElection`).
    Preferred,
    /// The last ISR member died: no leader, the ISR keeps it (`removeReplicasFromIsr`).
    NoLeader,
    /// A reassignment started: the replicas are the old and the new ones together and the
    /// leader epoch is bumped so that the new replicas start fetching
    /// (`updateLeaderEpochAndSendRequest`).
    Reassigning,
    /// Every target replica is in the ISR: the leader moves into the target replicas if
    /// it is not one, and the replicas being removed leave the ISR
    /// (`moveReassignedPartitionLeaderIfRequired`, `stopRemovedReplicasOfReassignedPartition`).
    Reassigned,
}
