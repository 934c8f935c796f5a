//! The processed-record ledger: every record the application finished processing, in
//! order, kept across crashes (it stands for the side effects the application made, a
//! database row or an email, which a restart does not take back). The delivery checker
//! ([`crate::kafka::group::delivery`]) reads the ledgers of a group's consumers to count
//! lost and duplicated records.
//!
//! Each entry carries the consumer's incarnation (one more after each crash) and a
//! position epoch (one more each time a position is set from outside the fetch path: a
//! committed offset after an assignment, an `auto.offset.reset`, a seek). Within one
//! (incarnation, epoch) a partition's offsets must rise one data record at a time; the
//! checker's non-monotonic and skipped counts look there.

use crate::kafka::topic::TopicPartition;
use serde::Serialize;

/// One processed record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Processed {
    /// Its partition.
    pub tp: TopicPartition,
    /// Its offset.
    pub offset: u64,
    /// Its value.
    pub value: Option<String>,
    /// The consumer's incarnation (0 until its first crash).
    pub incarnation: u32,
    /// The position epoch within the incarnation.
    pub epoch: u32,
}

/// A consumer's ledger.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Ledger {
    entries: Vec<Processed>,
    incarnation: u32,
    epoch: u32,
}

impl Ledger {
    /// Every processed record, oldest first.
    pub fn entries(&self) -> &[Processed] {
        &self.entries
    }

    /// Records that the application processed `offset` of `tp`, with `value`.
    pub fn record(&mut self, tp: &TopicPartition, offset: u64, value: Option<String>) {
        self.entries.push(Processed {
            tp: tp.clone(),
            offset,
            value,
            incarnation: self.incarnation,
            epoch: self.epoch,
        });
    }

    /// A position was set from outside the fetch path.
    pub fn new_epoch(&mut self) {
        self.epoch += 1;
    }

    /// The process crashed: the same ledger continues in a new incarnation.
    pub fn next_incarnation(&mut self) {
        self.incarnation += 1;
        self.epoch = 0;
    }
}
