//! A transactional id's state at its coordinator (`TransactionMetadata`,
//! `TransactionState`; apache/kafka 3.8) and its record in `__transaction_state`.
//!
//! The record's key is the transactional id and its value the state in the text
//! `kafka-dump-log --transaction-log-decoder` prints (`TransactionLog.formatRecordKeyAndValue`):
//! `producerId:1000,producerEpoch:0,state=Ongoing,partitions=[t-0],txnLastUpdateTimestamp=5,txnTimeoutMs=60000`.
//! Kafka writes the same fields in a binary schema (`TransactionLogValue`), so the engine's
//! records are a different size than Kafka's.

use crate::kafka::topic::TopicPartition;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// `TransactionState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TxnState {
    /// No transaction yet, or the last one was completed and nothing added since.
    Empty,
    /// Partitions were added; the transaction is open.
    Ongoing,
    /// Commit decided and logged; markers are being written.
    PrepareCommit,
    /// Abort decided and logged; markers are being written.
    PrepareAbort,
    /// Every commit marker was written.
    CompleteCommit,
    /// Every abort marker was written.
    CompleteAbort,
    /// Being removed (transactional id expiration).
    Dead,
    /// An InitProducerId found the transaction open: the epoch is bumped to abort it.
    PrepareEpochFence,
}

impl TxnState {
    /// Its name as Kafka prints it.
    pub fn name(self) -> &'static str {
        match self {
            TxnState::Empty => "Empty",
            TxnState::Ongoing => "Ongoing",
            TxnState::PrepareCommit => "PrepareCommit",
            TxnState::PrepareAbort => "PrepareAbort",
            TxnState::CompleteCommit => "CompleteCommit",
            TxnState::CompleteAbort => "CompleteAbort",
            TxnState::Dead => "Dead",
            TxnState::PrepareEpochFence => "PrepareEpochFence",
        }
    }

    /// The state a name stands for.
    pub fn parse(s: &str) -> Option<TxnState> {
        [
            TxnState::Empty,
            TxnState::Ongoing,
            TxnState::PrepareCommit,
            TxnState::PrepareAbort,
            TxnState::CompleteCommit,
            TxnState::CompleteAbort,
            TxnState::Dead,
            TxnState::PrepareEpochFence,
        ]
        .into_iter()
        .find(|t| t.name() == s)
    }
}

/// What a coordinator knows of one transactional id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxnMetadata {
    /// The producer id (kept across epochs).
    pub producer_id: i64,
    /// The current epoch (-1 before the first InitProducerId completes).
    pub producer_epoch: i16,
    /// The state.
    pub state: TxnState,
    /// The partitions in the current transaction.
    pub partitions: BTreeSet<TopicPartition>,
    /// When the transaction started (the first AddPartitions), ms.
    pub txn_start_ms: u64,
    /// When the state last changed, ms.
    pub last_update_ms: u64,
    /// `transaction.timeout.ms` of the producer, ms.
    pub timeout_ms: u64,
}

impl TxnMetadata {
    /// The record value's text (see the module doc).
    pub fn to_text(&self) -> String {
        let parts: Vec<String> = self.partitions.iter().map(|tp| tp.to_string()).collect();
        format!(
            "producerId:{},producerEpoch:{},state={},partitions=[{}],txnLastUpdateTimestamp={},txnTimeoutMs={}",
            self.producer_id,
            self.producer_epoch,
            self.state.name(),
            parts.join(","),
            self.last_update_ms,
            self.timeout_ms
        )
    }

    /// Reads a record value written by [`TxnMetadata::to_text`]; `None` when malformed.
    /// The start time is not in the record: a loaded Ongoing transaction counts from its
    /// last update.
    pub fn from_text(s: &str) -> Option<TxnMetadata> {
        let rest = s.strip_prefix("producerId:")?;
        let (pid, rest) = rest.split_once(",producerEpoch:")?;
        let (epoch, rest) = rest.split_once(",state=")?;
        let (state, rest) = rest.split_once(",partitions=[")?;
        let (parts, rest) = rest.split_once("],txnLastUpdateTimestamp=")?;
        let (updated, timeout) = rest.split_once(",txnTimeoutMs=")?;
        let partitions = parts
            .split(',')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (t, n) = p.rsplit_once('-')?;
                Some(TopicPartition::new(t, n.parse().ok()?))
            })
            .collect::<Option<BTreeSet<_>>>()?;
        let last_update_ms = updated.parse().ok()?;
        Some(TxnMetadata {
            producer_id: pid.parse().ok()?,
            producer_epoch: epoch.parse().ok()?,
            state: TxnState::parse(state)?,
            partitions,
            txn_start_ms: last_update_ms,
            last_update_ms,
            timeout_ms: timeout.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_record_text_is_the_dump_decoders_and_reads_back() {
        let m = TxnMetadata {
            producer_id: 1000,
            producer_epoch: 2,
            state: TxnState::Ongoing,
            partitions: [
                TopicPartition::new("orders", 0),
                TopicPartition::new("a-b", 1),
            ]
            .into_iter()
            .collect(),
            txn_start_ms: 5,
            last_update_ms: 5,
            timeout_ms: 60_000,
        };
        let text = m.to_text();
        assert_eq!(
            text,
            "producerId:1000,producerEpoch:2,state=Ongoing,partitions=[a-b-1,orders-0],txnLastUpdateTimestamp=5,txnTimeoutMs=60000"
        );
        assert_eq!(TxnMetadata::from_text(&text), Some(m));
        assert_eq!(TxnMetadata::from_text("producerId:x"), None);
    }
}
