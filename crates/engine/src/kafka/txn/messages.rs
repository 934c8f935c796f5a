//! The transaction requests and responses (apache/kafka 3.8 `FindCoordinatorRequest`
//! key type TRANSACTION, `AddPartitionsToTxnRequest`, `AddOffsetsToTxnRequest`,
//! `EndTxnRequest`, `WriteTxnMarkersRequest`). InitProducerId with a transactional id is
//! [`crate::kafka::messages::KafkaMsg::InitProducerId`].

use crate::i18n::Lang;
use crate::kafka::messages::KafkaError;
use crate::kafka::topic::TopicPartition;
use serde::{Deserialize, Serialize};

/// One producer's marker for some partitions (`WritableTxnMarker`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnMarker {
    /// The producer id.
    pub producer_id: i64,
    /// The producer epoch the marker is written with.
    pub producer_epoch: i16,
    /// COMMIT (true) or ABORT.
    pub commit: bool,
    /// The coordinator's epoch.
    pub coordinator_epoch: i32,
    /// The partitions to mark.
    pub partitions: Vec<TopicPartition>,
}

/// A transaction message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnMsg {
    /// FindCoordinator (API key 10) for a transactional id.
    FindCoordinator {
        /// Correlation id.
        corr: u64,
        /// The transactional id.
        key: String,
    },
    /// FindCoordinator response: the coordinator's broker id, or an error.
    FindCoordinatorResponse {
        /// Correlation id.
        corr: u64,
        /// The coordinator, or the error.
        result: Result<u32, KafkaError>,
    },
    /// AddPartitionsToTxn (API key 24), producer to coordinator.
    AddPartitionsToTxn {
        /// Correlation id.
        corr: u64,
        /// The transactional id.
        transactional_id: String,
        /// The producer id.
        producer_id: i64,
        /// The producer epoch.
        producer_epoch: i16,
        /// The partitions the transaction now writes to.
        partitions: Vec<TopicPartition>,
        /// A partition leader's question (v4 from a broker, KIP-890): are these partitions
        /// in the transaction? Nothing is added.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        verify_only: bool,
    },
    /// AddPartitionsToTxn response: an error for the whole request, or for a verification
    /// the partitions that are not in the transaction.
    AddPartitionsToTxnResponse {
        /// Correlation id.
        corr: u64,
        /// Set on failure.
        error: Option<KafkaError>,
        /// Per-partition errors of a verification.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        partition_errors: Vec<(TopicPartition, KafkaError)>,
    },
    /// AddOffsetsToTxn (API key 25), producer to coordinator (`sendOffsetsToTransaction`):
    /// the group's `__consumer_offsets` partition joins the transaction, so that its
    /// marker also settles the offsets the group coordinator holds for it (KIP-98).
    AddOffsetsToTxn {
        /// Correlation id.
        corr: u64,
        /// The transactional id.
        transactional_id: String,
        /// The producer id.
        producer_id: i64,
        /// The producer epoch.
        producer_epoch: i16,
        /// The consumer group whose offsets the transaction will commit.
        group: String,
    },
    /// AddOffsetsToTxn response.
    AddOffsetsToTxnResponse {
        /// Correlation id.
        corr: u64,
        /// Set on failure.
        error: Option<KafkaError>,
    },
    /// EndTxn (API key 26), producer to coordinator: commit or abort.
    EndTxn {
        /// Correlation id.
        corr: u64,
        /// The transactional id.
        transactional_id: String,
        /// The producer id.
        producer_id: i64,
        /// The producer epoch.
        producer_epoch: i16,
        /// Commit (true) or abort.
        commit: bool,
    },
    /// EndTxn response.
    EndTxnResponse {
        /// Correlation id.
        corr: u64,
        /// Set on failure.
        error: Option<KafkaError>,
    },
    /// WriteTxnMarkers (API key 27), coordinator to partition leader.
    WriteTxnMarkers {
        /// Correlation id.
        corr: u64,
        /// The markers.
        markers: Vec<TxnMarker>,
    },
    /// WriteTxnMarkers response: per producer id and partition, the error if any.
    WriteTxnMarkersResponse {
        /// Correlation id.
        corr: u64,
        /// The results.
        results: Vec<(i64, TopicPartition, Option<KafkaError>)>,
    },
}

impl TxnMsg {
    /// A one-line label for logs and the UI.
    pub fn label_in(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let err = |e: &Option<KafkaError>| e.map_or(String::new(), |e| format!(" {e}"));
        let tps = |ps: &[TopicPartition]| {
            ps.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        match self {
            TxnMsg::FindCoordinator { key, .. } => format!("FindCoordinator {key}"),
            TxnMsg::FindCoordinatorResponse { result, .. } => match result {
                Ok(b) => format!("FindCoordinatorResponse broker{b}"),
                Err(e) => format!("FindCoordinatorResponse {e}"),
            },
            TxnMsg::AddPartitionsToTxn {
                transactional_id,
                partitions,
                verify_only,
                ..
            } => match (verify_only, zh) {
                (false, _) => format!("AddPartitionsToTxn {transactional_id} {}", tps(partitions)),
                (true, false) => format!(
                    "AddPartitionsToTxn (verify) {transactional_id} {}",
                    tps(partitions)
                ),
                (true, true) => format!(
                    "AddPartitionsToTxn（校验）{transactional_id} {}",
                    tps(partitions)
                ),
            },
            TxnMsg::AddPartitionsToTxnResponse {
                error,
                partition_errors,
                ..
            } => {
                let parts: Vec<String> = partition_errors
                    .iter()
                    .map(|(tp, e)| format!(" {tp} {e}"))
                    .collect();
                format!("AddPartitionsToTxnResponse{}{}", err(error), parts.concat())
            }
            TxnMsg::AddOffsetsToTxn {
                transactional_id,
                group,
                ..
            } => format!("AddOffsetsToTxn {transactional_id} group {group}"),
            TxnMsg::AddOffsetsToTxnResponse { error, .. } => {
                format!("AddOffsetsToTxnResponse{}", err(error))
            }
            TxnMsg::EndTxn {
                transactional_id,
                commit,
                ..
            } => match (commit, zh) {
                (true, false) => format!("EndTxn {transactional_id} COMMIT"),
                (false, false) => format!("EndTxn {transactional_id} ABORT"),
                (true, true) => format!("EndTxn {transactional_id} 提交"),
                (false, true) => format!("EndTxn {transactional_id} 中止"),
            },
            TxnMsg::EndTxnResponse { error, .. } => format!("EndTxnResponse{}", err(error)),
            TxnMsg::WriteTxnMarkers { markers, .. } => {
                let parts: Vec<String> = markers
                    .iter()
                    .map(|m| {
                        let kind = if m.commit { "COMMIT" } else { "ABORT" };
                        format!("{kind} pid {} {}", m.producer_id, tps(&m.partitions))
                    })
                    .collect();
                format!("WriteTxnMarkers {}", parts.join(" "))
            }
            TxnMsg::WriteTxnMarkersResponse { results, .. } => {
                let parts: Vec<String> = results
                    .iter()
                    .map(|(_, tp, e)| format!("{tp}{}", err(e)))
                    .collect();
                format!("WriteTxnMarkersResponse {}", parts.join(" "))
            }
        }
    }
}
