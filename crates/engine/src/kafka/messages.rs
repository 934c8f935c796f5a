//! Kafka requests and responses between clients and brokers, and the timers brokers and
//! clients arm. The state changes they report are in [`super::changes`] (re-exported here).

use crate::i18n::Lang;
use crate::kafka::config::Acks;
use crate::kafka::record::Batch;
use crate::kafka::topic::TopicPartition;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Kafka error codes used here (`Errors.java`; the number is the wire code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KafkaError {
    /// OFFSET_OUT_OF_RANGE (1).
    OffsetOutOfRange,
    /// UNKNOWN_TOPIC_OR_PARTITION (3).
    UnknownTopicOrPartition,
    /// NOT_LEADER_OR_FOLLOWER (6).
    NotLeaderOrFollower,
    /// REQUEST_TIMED_OUT (7).
    RequestTimedOut,
    /// NETWORK_EXCEPTION (13): the connection closed before the response was read.
    NetworkException,
    /// NOT_ENOUGH_REPLICAS (19): the ISR is smaller than min.insync.replicas.
    NotEnoughReplicas,
    /// NOT_ENOUGH_REPLICAS_AFTER_APPEND (20).
    NotEnoughReplicasAfterAppend,
    /// The client's own `TimeoutException` for a batch whose `delivery.timeout.ms` passed
    /// (no wire code).
    DeliveryTimeout,
    /// OUT_OF_ORDER_SEQUENCE_NUMBER (45): an idempotent producer's batch does not follow
    /// the last sequence the partition has from it (`ProducerAppendInfo.checkSequence`).
    OutOfOrderSequence,
    /// STALE_CONTROLLER_EPOCH (11): a controller request from an epoch older than one the
    /// broker has seen (a deposed controller, `ReplicaManager.becomeLeaderOrFollower`).
    StaleControllerEpoch,
    /// COORDINATOR_LOAD_IN_PROGRESS (14): the broker cannot answer yet (here: it has no
    /// producer id block yet).
    CoordinatorLoadInProgress,
    /// COORDINATOR_NOT_AVAILABLE (15): no coordinator yet (its topic is being created, or
    /// its partition has no leader).
    CoordinatorNotAvailable,
    /// NOT_COORDINATOR (16): this broker does not lead the transactional id's partition
    /// of `__transaction_state`.
    NotCoordinator,
    /// INVALID_PRODUCER_EPOCH (47): a batch from an older epoch than the partition has
    /// seen (`ProducerAppendInfo.checkProducerEpoch`; ProducerFenced before Kafka 2.7).
    InvalidProducerEpoch,
    /// INVALID_TXN_STATE (48): a transactional request the transaction's state forbids.
    InvalidTxnState,
    /// INVALID_PRODUCER_ID_MAPPING (49): the producer id is not the transactional id's.
    InvalidProducerIdMapping,
    /// TRANSACTION_ABORTABLE (120): a verified partition is not in the transaction (the
    /// leader answers the producer INVALID_TXN_STATE).
    TransactionAbortable,
    /// CONCURRENT_TRANSACTIONS (51): the coordinator is still completing the previous
    /// transaction (or writing a state change); the client retries.
    ConcurrentTransactions,
    /// The client's own `TransactionAbortedException` for a batch not sent before
    /// `abortTransaction` (no wire code).
    TransactionAborted,
    /// PRODUCER_FENCED (90): a newer producer with the same transactional id has
    /// initialized; this one is a zombie and must close (fatal).
    ProducerFenced,
    /// ILLEGAL_GENERATION (22): a group request from a generation the group has left.
    IllegalGeneration,
    /// INCONSISTENT_GROUP_PROTOCOL (23): the member offers no protocol the group uses.
    InconsistentGroupProtocol,
    /// UNKNOWN_MEMBER_ID (25): the coordinator does not know the member (never joined,
    /// or removed after its session timed out).
    UnknownMemberId,
    /// INVALID_SESSION_TIMEOUT (26): outside `group.min/max.session.timeout.ms`.
    InvalidSessionTimeout,
    /// REBALANCE_IN_PROGRESS (27): the group is rebalancing; rejoin.
    RebalanceInProgress,
    /// MEMBER_ID_REQUIRED (79): KIP-394, the first JoinGroup gets its member id back and
    /// joins again with it.
    MemberIdRequired,
    /// The consumer's own `CommitFailedException` (no wire code): a commit refused because
    /// the member is no longer in the group's current generation.
    CommitFailed,
}

impl KafkaError {
    /// The Java enum name.
    pub fn name(self) -> &'static str {
        match self {
            KafkaError::OffsetOutOfRange => "OFFSET_OUT_OF_RANGE",
            KafkaError::UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            KafkaError::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            KafkaError::RequestTimedOut => "REQUEST_TIMED_OUT",
            KafkaError::NetworkException => "NETWORK_EXCEPTION",
            KafkaError::NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            KafkaError::NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            KafkaError::DeliveryTimeout => "TimeoutException",
            KafkaError::StaleControllerEpoch => "STALE_CONTROLLER_EPOCH",
            KafkaError::OutOfOrderSequence => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            KafkaError::CoordinatorLoadInProgress => "COORDINATOR_LOAD_IN_PROGRESS",
            KafkaError::CoordinatorNotAvailable => "COORDINATOR_NOT_AVAILABLE",
            KafkaError::NotCoordinator => "NOT_COORDINATOR",
            KafkaError::InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            KafkaError::InvalidTxnState => "INVALID_TXN_STATE",
            KafkaError::InvalidProducerIdMapping => "INVALID_PRODUCER_ID_MAPPING",
            KafkaError::ConcurrentTransactions => "CONCURRENT_TRANSACTIONS",
            KafkaError::TransactionAbortable => "TRANSACTION_ABORTABLE",
            KafkaError::ProducerFenced => "PRODUCER_FENCED",
            KafkaError::TransactionAborted => "TransactionAbortedException",
            KafkaError::IllegalGeneration => "ILLEGAL_GENERATION",
            KafkaError::InconsistentGroupProtocol => "INCONSISTENT_GROUP_PROTOCOL",
            KafkaError::UnknownMemberId => "UNKNOWN_MEMBER_ID",
            KafkaError::InvalidSessionTimeout => "INVALID_SESSION_TIMEOUT",
            KafkaError::RebalanceInProgress => "REBALANCE_IN_PROGRESS",
            KafkaError::MemberIdRequired => "MEMBER_ID_REQUIRED",
            KafkaError::CommitFailed => "CommitFailedException",
        }
    }

    /// True for errors the producer retries (`RetriableException` subclasses).
    pub fn retriable(self) -> bool {
        !matches!(
            self,
            KafkaError::OffsetOutOfRange
                | KafkaError::DeliveryTimeout
                | KafkaError::InvalidProducerEpoch
                | KafkaError::InvalidTxnState
                | KafkaError::InvalidProducerIdMapping
                | KafkaError::ProducerFenced
                | KafkaError::TransactionAborted
                | KafkaError::TransactionAbortable
                | KafkaError::IllegalGeneration
                | KafkaError::InconsistentGroupProtocol
                | KafkaError::UnknownMemberId
                | KafkaError::InvalidSessionTimeout
                | KafkaError::MemberIdRequired
                | KafkaError::CommitFailed
        )
    }

    /// True for errors that mean the client's metadata is stale
    /// (`InvalidMetadataException` subclasses): the producer asks for new metadata.
    pub fn invalidates_metadata(self) -> bool {
        matches!(
            self,
            KafkaError::UnknownTopicOrPartition
                | KafkaError::NotLeaderOrFollower
                | KafkaError::NetworkException
        )
    }
}

impl fmt::Display for KafkaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Which records a fetch may see (`FetchIsolation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Isolation {
    /// Followers read up to the log end offset.
    LogEnd,
    /// `read_uncommitted` consumers read up to the high watermark.
    HighWatermark,
    /// `read_committed` consumers read up to the last stable offset, and are told which
    /// transactions in what they read were aborted.
    ReadCommitted,
}

/// One partition's entry in a metadata response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionMetadata {
    /// Partition number.
    pub partition: u32,
    /// The leader's broker id, if any.
    pub leader: Option<u32>,
    /// Assigned replicas (AR), preferred leader first.
    pub replicas: Vec<u32>,
    /// In-sync replicas as this broker knows them.
    pub isr: Vec<u32>,
}

/// One topic's entry in a metadata response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicMetadata {
    /// Topic name.
    pub topic: String,
    /// Set when the topic is unknown.
    pub error: Option<KafkaError>,
    /// Its partitions, by number.
    pub partitions: Vec<PartitionMetadata>,
}

/// One partition's result in a produce response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProduceResult {
    /// The partition.
    pub tp: TopicPartition,
    /// Offset of the batch's first record, or -1.
    pub base_offset: i64,
    /// Set on failure.
    pub error: Option<KafkaError>,
}

/// One partition of a fetch request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchPartition {
    /// The partition.
    pub tp: TopicPartition,
    /// The first offset wanted (for a follower: its LEO).
    pub fetch_offset: u64,
}

/// One partition of a fetch response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedPartition {
    /// The partition.
    pub tp: TopicPartition,
    /// Set on failure.
    pub error: Option<KafkaError>,
    /// The leader's high watermark when it answered.
    pub high_watermark: u64,
    /// Whole batches from the one holding the fetch offset.
    pub batches: Vec<Arc<Batch>>,
    /// For read_committed fetches: the last stable offset (`FetchResponse`
    /// `last_stable_offset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_stable_offset: Option<u64>,
    /// For read_committed fetches: the aborted transactions overlapping what was read
    /// (`aborted_transactions`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aborted: Vec<crate::kafka::log::txn::AbortedTxn>,
}

/// One partition's answer to OffsetsForLeaderEpoch: the largest epoch at or below the one
/// asked and its end offset, `None` for UNDEFINED_EPOCH_OFFSET, or an error.
pub type EpochEndOffset = Result<Option<(u32, u64)>, KafkaError>;

/// One partition of a LeaderAndIsr request (`LeaderAndIsrPartitionState`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderAndIsrPartition {
    /// The partition.
    pub tp: TopicPartition,
    /// The leader (`None`: Kafka's −1, no leader).
    pub leader: Option<u32>,
    /// The leader epoch.
    pub leader_epoch: u32,
    /// The ISR.
    pub isr: Vec<u32>,
    /// The assigned replicas (AR).
    pub replicas: Vec<u32>,
    /// The state znode's version, which the leader's ISR writes are conditional on.
    pub zk_version: i32,
}

/// A Kafka protocol message. `corr` is the correlation id that pairs a response with
/// its request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "api", rename_all = "snake_case")]
pub enum KafkaMsg {
    /// Metadata request (API key 3).
    MetadataRequest {
        /// Correlation id.
        corr: u64,
        /// Topics asked about.
        topics: Vec<String>,
    },
    /// Metadata response.
    MetadataResponse {
        /// Correlation id.
        corr: u64,
        /// Live brokers.
        brokers: Vec<u32>,
        /// Per topic.
        topics: Vec<TopicMetadata>,
    },
    /// Produce request (API key 0): at most one batch per partition.
    ProduceRequest {
        /// Correlation id.
        corr: u64,
        /// Required acks.
        acks: Acks,
        /// How long the leader may wait for acks=all, ms.
        timeout_ms: u64,
        /// The batches (base offsets are assigned by the leader).
        batches: Vec<(TopicPartition, Arc<Batch>)>,
        /// A transactional producer's `transactional.id` (`ProduceRequest.transactionalId`),
        /// which the leader verifies the partitions with (KIP-890).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transactional_id: Option<String>,
    },
    /// Produce response.
    ProduceResponse {
        /// Correlation id.
        corr: u64,
        /// Per partition.
        results: Vec<ProduceResult>,
    },
    /// Fetch request (API key 1) from a follower (`replica` set) or a consumer.
    FetchRequest {
        /// Correlation id.
        corr: u64,
        /// The fetching follower's broker id; none for consumers.
        replica: Option<u32>,
        /// `max_wait_ms`: how long the leader may hold the request for data.
        max_wait_ms: u64,
        /// `min_bytes`: how much data completes the request early.
        min_bytes: u64,
        /// Per-partition limit, bytes.
        max_bytes: u64,
        /// What the fetcher may see.
        isolation: Isolation,
        /// Partitions and offsets.
        partitions: Vec<FetchPartition>,
    },
    /// Fetch response.
    FetchResponse {
        /// Correlation id.
        corr: u64,
        /// Per partition.
        partitions: Vec<FetchedPartition>,
    },
    /// ControlledShutdown (API key 7), a stopping broker to the controller: move my
    /// leaderships and take me out of the ISRs first.
    ControlledShutdown {
        /// Correlation id.
        corr: u64,
        /// The broker that stops.
        broker: u32,
    },
    /// ControlledShutdown response: the partitions still led by the broker (none when all
    /// moved).
    ControlledShutdownResponse {
        /// Correlation id.
        corr: u64,
        /// Partitions not moved.
        remaining: Vec<TopicPartition>,
    },
    /// InitProducerId (API key 22): an idempotent producer asks for its id.
    InitProducerId {
        /// Correlation id.
        corr: u64,
        /// A transactional producer's `transactional.id` (sent to its coordinator, which
        /// bumps the epoch and fences older producers), or none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transactional_id: Option<String>,
        /// Its `transaction.timeout.ms` (0 without a transactional id).
        #[serde(default, skip_serializing_if = "is_zero")]
        transaction_timeout_ms: u64,
    },
    /// InitProducerId response.
    InitProducerIdResponse {
        /// Correlation id.
        corr: u64,
        /// The producer id.
        producer_id: i64,
        /// The producer epoch.
        epoch: i16,
        /// Set when the broker could not give an id (the producer retries).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<KafkaError>,
    },
    /// OffsetsForLeaderEpoch (API key 23, KIP-101), follower to leader: where does each
    /// of these epochs end in your log?
    OffsetsForLeaderEpoch {
        /// Correlation id.
        corr: u64,
        /// Each partition with the follower's latest epoch.
        partitions: Vec<(TopicPartition, u32)>,
    },
    /// OffsetsForLeaderEpoch response: per partition, the largest epoch at or below the one
    /// asked and where it ends (`None`: UNDEFINED_EPOCH_OFFSET), or an error.
    OffsetsForLeaderEpochResponse {
        /// Correlation id.
        corr: u64,
        /// Per partition.
        partitions: Vec<(TopicPartition, EpochEndOffset)>,
    },
    /// LeaderAndIsr (API key 4), controller to broker: become leader or follower.
    LeaderAndIsr {
        /// The controller's broker id.
        controller: u32,
        /// The controller epoch.
        controller_epoch: u32,
        /// The partitions.
        partitions: Vec<LeaderAndIsrPartition>,
    },
    /// LeaderAndIsr response.
    LeaderAndIsrResponse {
        /// Set when the whole request was refused.
        error: Option<KafkaError>,
    },
    /// UpdateMetadata (API key 6), controller to every live broker: the live brokers and
    /// each partition's leader and ISR, which brokers answer Metadata requests from.
    UpdateMetadata {
        /// The controller's broker id.
        controller: u32,
        /// The controller epoch.
        controller_epoch: u32,
        /// The live brokers.
        brokers: Vec<u32>,
        /// Every partition the controller knows, by topic and partition number.
        topics: Vec<(String, Vec<crate::kafka::metadata::PartitionInfo>)>,
    },
    /// UpdateMetadata response.
    UpdateMetadataResponse {
        /// Set when the request was refused.
        error: Option<KafkaError>,
    },
    /// StopReplica (API key 5), controller to broker: stop being a replica of these
    /// partitions and, with `delete`, delete their logs (a reassignment moved them away).
    StopReplica {
        /// The controller's broker id.
        controller: u32,
        /// The controller epoch.
        controller_epoch: u32,
        /// The partitions.
        partitions: Vec<TopicPartition>,
        /// Delete the logs too.
        delete: bool,
    },
    /// StopReplica response.
    StopReplicaResponse {
        /// Set when the request was refused.
        error: Option<KafkaError>,
    },
    /// A transaction request or response (FindCoordinator, AddPartitionsToTxn, EndTxn,
    /// WriteTxnMarkers; see [`crate::kafka::txn`]).
    Txn(crate::kafka::txn::TxnMsg),
    /// ListOffsets (API key 2) for the earliest or latest offset of partitions it leads
    /// (`KafkaApis.handleListOffsetRequest`; a consumer resetting a position).
    ListOffsets {
        /// Correlation id.
        corr: u64,
        /// EARLIEST_TIMESTAMP (-2): the log start offset; else LATEST_TIMESTAMP (-1).
        earliest: bool,
        /// READ_COMMITTED: the latest is the last stable offset, not the high watermark.
        read_committed: bool,
        /// The partitions.
        partitions: Vec<TopicPartition>,
    },
    /// ListOffsets response: per partition the offset, or the error.
    ListOffsetsResponse {
        /// Correlation id.
        corr: u64,
        /// Results.
        partitions: Vec<(TopicPartition, Result<u64, KafkaError>)>,
    },
    /// A consumer group request or response (FindCoordinator, JoinGroup, SyncGroup,
    /// Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch; see [`crate::kafka::group`]).
    Group(crate::kafka::group::GroupMsg),
}

impl KafkaMsg {
    /// A one-line label for logs and the UI (request names as Kafka spells them).
    pub fn label(&self) -> String {
        self.label_in(Lang::En)
    }

    /// [`KafkaMsg::label`] in `lang`.
    pub fn label_in(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            KafkaMsg::MetadataRequest { topics, .. } => format!("Metadata? {}", topics.join(",")),
            KafkaMsg::MetadataResponse { topics, .. } => {
                let leaders: Vec<String> = topics
                    .iter()
                    .flat_map(|t| {
                        t.partitions.iter().map(move |p| match p.leader {
                            Some(l) => format!("{}-{}@broker{l}", t.topic, p.partition),
                            None => format!("{}-{}@none", t.topic, p.partition),
                        })
                    })
                    .collect();
                format!("Metadata {}", leaders.join(" "))
            }
            KafkaMsg::ProduceRequest { acks, batches, .. } => {
                let parts: Vec<String> = batches
                    .iter()
                    .map(|(tp, b)| format!("{tp} x{}", b.records.len()))
                    .collect();
                format!("Produce {} acks={}", parts.join(" "), acks.name())
            }
            KafkaMsg::ProduceResponse { results, .. } => {
                let parts: Vec<String> = results
                    .iter()
                    .map(|r| match r.error {
                        Some(e) => format!("{} {e}", r.tp),
                        None => format!("{} @{}", r.tp, r.base_offset),
                    })
                    .collect();
                format!("ProduceResponse {}", parts.join(" "))
            }
            KafkaMsg::FetchRequest {
                replica,
                partitions,
                ..
            } => {
                let parts: Vec<String> = partitions
                    .iter()
                    .map(|p| format!("{} @{}", p.tp, p.fetch_offset))
                    .collect();
                match (replica, zh) {
                    (Some(r), false) => format!("Fetch (replica {r}) {}", parts.join(" ")),
                    (Some(r), true) => format!("Fetch（副本 {r}）{}", parts.join(" ")),
                    (None, _) => format!("Fetch {}", parts.join(" ")),
                }
            }
            KafkaMsg::FetchResponse { partitions, .. } => {
                let parts: Vec<String> = partitions
                    .iter()
                    .map(|p| {
                        let n: usize = p
                            .batches
                            .iter()
                            .filter(|b| b.control.is_none())
                            .map(|b| b.records.len())
                            .sum();
                        match p.error {
                            Some(e) => format!("{} {e}", p.tp),
                            None if zh => format!("{} {n} 条记录 HW {}", p.tp, p.high_watermark),
                            None => format!("{} {n} records hw {}", p.tp, p.high_watermark),
                        }
                    })
                    .collect();
                format!("FetchResponse {}", parts.join(" "))
            }
            KafkaMsg::ControlledShutdown { broker, .. } => {
                format!("ControlledShutdown broker{broker}")
            }
            KafkaMsg::ControlledShutdownResponse { remaining, .. } => {
                if remaining.is_empty() {
                    "ControlledShutdownResponse: all moved".to_string()
                } else {
                    let r: Vec<String> = remaining.iter().map(|t| t.to_string()).collect();
                    format!("ControlledShutdownResponse: still leads {}", r.join(" "))
                }
            }
            KafkaMsg::InitProducerId {
                transactional_id: Some(id),
                ..
            } => format!("InitProducerId {id}"),
            KafkaMsg::InitProducerId { .. } => "InitProducerId".to_string(),
            KafkaMsg::Txn(m) => m.label_in(lang),
            KafkaMsg::Group(m) => m.label_in(lang),
            KafkaMsg::ListOffsets {
                earliest,
                partitions,
                ..
            } => {
                let which = if *earliest { "EARLIEST" } else { "LATEST" };
                let tps: Vec<String> = partitions.iter().map(|t| t.to_string()).collect();
                format!("ListOffsets {which} {}", tps.join(","))
            }
            KafkaMsg::ListOffsetsResponse { partitions, .. } => {
                let parts: Vec<String> = partitions
                    .iter()
                    .map(|(tp, r)| match r {
                        Ok(o) => format!("{tp}@{o}"),
                        Err(e) => format!("{tp} {e}"),
                    })
                    .collect();
                format!("ListOffsetsResponse {}", parts.join(" "))
            }
            KafkaMsg::InitProducerIdResponse { error: Some(e), .. } => {
                format!("InitProducerIdResponse {e}")
            }
            KafkaMsg::InitProducerIdResponse {
                producer_id, epoch, ..
            } => format!("InitProducerIdResponse pid {producer_id} epoch {epoch}"),
            KafkaMsg::OffsetsForLeaderEpoch { partitions, .. } => {
                let parts: Vec<String> = partitions
                    .iter()
                    .map(|(tp, e)| format!("{tp} epoch {e}"))
                    .collect();
                format!("OffsetsForLeaderEpoch {}", parts.join(" "))
            }
            KafkaMsg::OffsetsForLeaderEpochResponse { partitions, .. } => {
                let parts: Vec<String> = partitions
                    .iter()
                    .map(|(tp, r)| match r {
                        Ok(Some((e, end))) => format!("{tp} epoch {e} ends at {end}"),
                        Ok(None) => format!("{tp} undefined"),
                        Err(e) => format!("{tp} {e}"),
                    })
                    .collect();
                format!("OffsetsForLeaderEpochResponse {}", parts.join(" "))
            }
            KafkaMsg::LeaderAndIsr {
                controller_epoch,
                partitions,
                ..
            } => {
                let parts: Vec<String> = partitions
                    .iter()
                    .map(|p| match p.leader {
                        Some(l) => format!("{} leader {l} epoch {}", p.tp, p.leader_epoch),
                        None => format!("{} leader none epoch {}", p.tp, p.leader_epoch),
                    })
                    .collect();
                format!(
                    "LeaderAndIsr (controller epoch {controller_epoch}) {}",
                    parts.join(" ")
                )
            }
            KafkaMsg::UpdateMetadata {
                controller_epoch,
                brokers,
                ..
            } => {
                let b: Vec<String> = brokers.iter().map(u32::to_string).collect();
                if zh {
                    format!(
                        "UpdateMetadata（controller epoch {controller_epoch}）存活 {}",
                        b.join(",")
                    )
                } else {
                    format!(
                        "UpdateMetadata (controller epoch {controller_epoch}) live {}",
                        b.join(",")
                    )
                }
            }
            KafkaMsg::StopReplica {
                controller_epoch,
                partitions,
                delete,
                ..
            } => {
                let tps: Vec<String> = partitions.iter().map(|tp| tp.to_string()).collect();
                format!(
                    "StopReplica (controller epoch {controller_epoch}) {}{}",
                    tps.join(" "),
                    if *delete { " delete" } else { "" }
                )
            }
            KafkaMsg::LeaderAndIsrResponse { error }
            | KafkaMsg::UpdateMetadataResponse { error }
            | KafkaMsg::StopReplicaResponse { error } => {
                let name = match self {
                    KafkaMsg::LeaderAndIsrResponse { .. } => "LeaderAndIsrResponse",
                    KafkaMsg::UpdateMetadataResponse { .. } => "UpdateMetadataResponse",
                    _ => "StopReplicaResponse",
                };
                match error {
                    Some(e) => format!("{name} {e}"),
                    None => name.to_string(),
                }
            }
        }
    }
}

/// Timers of brokers and clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KafkaTimer {
    /// A held (delayed) fetch reached its max wait.
    DelayedFetch(u64),
    /// A held acks=all produce reached its timeout.
    DelayedProduce(u64),
    /// The leader's `isr-expiration` task (every replica.lag.time.max.ms / 2).
    IsrExpiration,
    /// The broker writes its high watermarks to `replication-offset-checkpoint`.
    HwCheckpoint,
    /// A follower's fetcher for a leader retries after a backoff.
    FetcherRetry(u32),
    /// A follower's fetch to a leader got no answer in time.
    FetcherTimeout(u32),
    /// The producer's sender thread wakes (linger.ms passed, or a retry is due).
    Sender,
    /// A client request got no response in time.
    RequestTimeout(u64),
    /// A consumer retries its fetches or metadata after a backoff.
    ConsumerRetry,
    /// The log manager's retention check (`log.retention.check.interval.ms`).
    LogRetention,
    /// The log cleaner wakes (`log.cleaner.backoff.ms`).
    LogCleaner,
    /// A controlled shutdown got no answer in time: the broker exits anyway.
    ControlledShutdownTimeout,
    /// The controller's leader-imbalance check (`leader.imbalance.check.interval.seconds`).
    LeaderRebalance,
    /// A producer's metadata is `metadata.max.age.ms` old: it asks again.
    MetadataMaxAge,
    /// The broker's `isr-change-propagation` task (every 2500 ms).
    IsrChangePropagation,
    /// A transaction coordinator's `transaction-abort` task
    /// (`transaction.abort.timed.out.transaction.cleanup.interval.ms`).
    TxnAbortTimedOut,
    /// A transaction coordinator sends the markers it could not deliver again.
    TxnMarkerRetry,
    /// A group coordinator's deadline (a member's session, a delayed join), by its number.
    GroupDeadline(u64),
    /// A consumer's group timer (heartbeat, auto-commit, join retry).
    ConsumerGroup(crate::kafka::group::client::ClientTimer),
    /// A consumer application's timer (record processing, the poll timeout).
    ConsumerApp(crate::kafka::consumer::app::AppTimer),
}

impl fmt::Display for KafkaTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KafkaTimer::DelayedFetch(id) => write!(f, "fetch max wait (#{id})"),
            KafkaTimer::DelayedProduce(id) => write!(f, "produce timeout (#{id})"),
            KafkaTimer::IsrExpiration => f.write_str("isr-expiration"),
            KafkaTimer::HwCheckpoint => f.write_str("high watermark checkpoint"),
            KafkaTimer::FetcherRetry(l) => write!(f, "fetch backoff (leader broker{l})"),
            KafkaTimer::FetcherTimeout(l) => write!(f, "fetch timeout (leader broker{l})"),
            KafkaTimer::Sender => f.write_str("sender wake-up"),
            KafkaTimer::RequestTimeout(c) => write!(f, "request timeout (#{c})"),
            KafkaTimer::ConsumerRetry => f.write_str("retry backoff"),
            KafkaTimer::LogRetention => f.write_str("kafka-log-retention"),
            KafkaTimer::LogCleaner => f.write_str("log cleaner"),
            KafkaTimer::ControlledShutdownTimeout => f.write_str("controlled shutdown timeout"),
            KafkaTimer::LeaderRebalance => f.write_str("leader imbalance check"),
            KafkaTimer::MetadataMaxAge => f.write_str("metadata.max.age.ms"),
            KafkaTimer::IsrChangePropagation => f.write_str("isr-change-propagation"),
            KafkaTimer::TxnAbortTimedOut => f.write_str("transaction-abort"),
            KafkaTimer::TxnMarkerRetry => f.write_str("transaction marker retry"),
            KafkaTimer::GroupDeadline(n) => write!(f, "group deadline (#{n})"),
            KafkaTimer::ConsumerGroup(t) => write!(f, "{t}"),
            KafkaTimer::ConsumerApp(t) => write!(f, "{t}"),
        }
    }
}

pub use super::changes::{Decision, KafkaChange};
