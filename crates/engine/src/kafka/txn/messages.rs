//! The transaction requests and responses (apache/kafka 3.8 `FindCoordinatorRequest`
//! key type TRANSACTION, `AddPartitionsToTxnRequest`, `EndTxnRequest`,
//! `WriteTxnMarkersRequest`). InitProducerId with a transactional id is
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
    },
    /// AddPartitionsToTxn response (one error for every partition here).
    AddPartitionsToTxnResponse {
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
                ..
            } => format!("AddPartitionsToTxn {transactional_id} {}", tps(partitions)),
            TxnMsg::AddPartitionsToTxnResponse { error, .. } => {
                format!("AddPartitionsToTxnResponse{}", err(error))
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
