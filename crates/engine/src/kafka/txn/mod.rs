//! Kafka transactions (KIP-98; apache/kafka 3.8, `kafka.coordinator.transaction`,
//! `TransactionManager` in the producer).
//!
//! - A producer with a `transactional.id` finds its **transaction coordinator**: the
//!   leader of partition `abs(transactionalId.hashCode()) % 50` of the internal topic
//!   `__transaction_state` (`TransactionStateManager.partitionFor`), which the first
//!   FindCoordinator creates (`transaction.state.log.replication.factor` 3, `min.isr` 2,
//!   compacted).
//! - `initTransactions` sends InitProducerId with the id: the coordinator gives the id's
//!   producer id and **bumps its epoch**, which fences every older producer with the same
//!   id (a zombie). If that older producer left a transaction open, the coordinator first
//!   aborts it (PrepareEpochFence, then PrepareAbort with the bumped epoch) and answers
//!   CONCURRENT_TRANSACTIONS, so the new producer retries and gets the epoch after it.
//! - Every state change is a record in the coordinator's `__transaction_state` partition
//!   (key: the transactional id; value: the state), and is answered only once that record
//!   is replicated (below the partition's high watermark).
//! - Before it writes to a partition inside a transaction the producer sends
//!   AddPartitionsToTxn; its batches carry the transactional bit.
//! - `commitTransaction` / `abortTransaction` send EndTxn. The coordinator writes
//!   PrepareCommit / PrepareAbort, answers, then sends **WriteTxnMarkers** to the leader of
//!   every partition in the transaction; each leader appends a control batch (COMMIT or
//!   ABORT). Once every marker is written, the coordinator writes CompleteCommit /
//!   CompleteAbort.
//! - A transaction open longer than its `transaction.timeout.ms` is aborted by the
//!   coordinator (its epoch bumped, so the late producer is fenced).
//! - Partitions keep their open and aborted transactions ([`crate::kafka::log::txn`]); a
//!   read_committed consumer reads below the **last stable offset** and drops aborted data.
//!
//! - A leader verifies a transaction's first batch on a partition with the coordinator
//!   before appending it (KIP-890 part 1, [`verification`]).
//!
//! Not modelled: AddOffsetsToTxn /
//! TxnOffsetCommit (they come with consumer groups), producer id rotation when the epoch
//! is exhausted, and `transactional.id.expiration.ms`.

mod coordinator;
pub(crate) mod input;
mod load;
mod marker_channel;
mod markers;
mod messages;
pub mod query;
mod state;
mod verification;

pub use coordinator::TxnCoordinator;
pub use input::TxnOp;
pub use messages::{TxnMarker, TxnMsg};
pub use state::{TxnMetadata, TxnState};

/// The internal topic that holds the coordinators' state (`Topic.TRANSACTION_STATE_TOPIC_NAME`).
pub const TOPIC: &str = "__transaction_state";

/// `transaction.state.log.segment.bytes` (104857600).
pub const SEGMENT_BYTES: u64 = 104_857_600;

/// The `__transaction_state` partition of `transactional_id` among `partitions`
/// (`TransactionStateManager.partitionFor`: `Utils.abs(transactionalId.hashCode) %
/// transactionTopicPartitionCount`, where `Utils.abs(Integer.MIN_VALUE)` is 0).
pub fn partition_for(transactional_id: &str, partitions: u32) -> u32 {
    let h = crate::zookeeper::data::javahash::string_hash(transactional_id) as i32;
    let abs = if h == i32::MIN { 0 } else { h.unsigned_abs() };
    abs % partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinator_partition_is_the_java_hash_mod_50() {
        // "my-txn".hashCode() = -1061187895 and Math.abs(it) % 50 = 45, as jshell prints them.
        assert_eq!(
            crate::zookeeper::data::javahash::string_hash("my-txn") as i32,
            -1_061_187_895
        );
        assert_eq!(partition_for("my-txn", 50), 45);
        assert_eq!(partition_for("app", 50), 1);
        assert_eq!(partition_for("", 50), 0);
    }
}
