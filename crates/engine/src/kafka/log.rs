//! A partition's log held in memory: batches in offset order. (Segments, indexes and the
//! file backend come with the storage issue; this keeps the same offsets and sizes.)

use crate::kafka::record::{Batch, Record};
use serde::Serialize;
use std::sync::Arc;

/// One replica's log of a partition. Batches are shared (`Arc`) so a fetch response or a
/// checkpoint never copies record data.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PartitionLog {
    batches: Vec<Arc<Batch>>,
    /// Log end offset: the offset the next record will get.
    leo: u64,
}

/// Why a follower could not append what it fetched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    /// The batch does not start at the log end (a gap or an overlap).
    #[error("batch at offset {base} does not start at the log end offset {leo}")]
    NotAtEnd {
        /// The batch's base offset.
        base: u64,
        /// The log end offset.
        leo: u64,
    },
}

impl PartitionLog {
    /// The log end offset (LEO).
    pub fn leo(&self) -> u64 {
        self.leo
    }

    /// The batches, oldest first.
    pub fn batches(&self) -> &[Arc<Batch>] {
        &self.batches
    }

    /// Total size in bytes of the batches.
    pub fn size_bytes(&self) -> u64 {
        self.batches.iter().map(|b| b.size_bytes()).sum()
    }

    /// Leader append: the records get offsets from the LEO on and are stamped with the
    /// leader's epoch. Returns the stored batch.
    pub fn append_as_leader(&mut self, records: Vec<Record>, leader_epoch: u32) -> Arc<Batch> {
        let batch = Arc::new(Batch {
            base_offset: self.leo,
            leader_epoch,
            records,
        });
        self.leo = batch.next_offset();
        self.batches.push(batch.clone());
        batch
    }

    /// Follower append of a batch the leader already numbered. A batch entirely below the
    /// LEO is skipped (already present); one that starts past the LEO or overlaps it is
    /// refused.
    pub fn append_as_follower(&mut self, batch: Arc<Batch>) -> Result<bool, AppendError> {
        if batch.next_offset() <= self.leo {
            return Ok(false);
        }
        if batch.base_offset != self.leo {
            return Err(AppendError::NotAtEnd {
                base: batch.base_offset,
                leo: self.leo,
            });
        }
        self.leo = batch.next_offset();
        self.batches.push(batch);
        Ok(true)
    }

    /// Whole batches for a fetch at `from`: the batch holding `from` and the ones after
    /// it, as long as they end at or below `limit` (the LEO for followers, the HW for
    /// consumers) and fit in `max_bytes` (the first batch is always returned whole, as
    /// Kafka does so a large batch cannot block a consumer).
    pub fn read(&self, from: u64, limit: u64, max_bytes: u64) -> Vec<Arc<Batch>> {
        let mut out = Vec::new();
        let mut bytes = 0;
        let start = self.batches.partition_point(|b| b.next_offset() <= from);
        for b in &self.batches[start..] {
            if b.next_offset() > limit {
                break;
            }
            let size = b.size_bytes();
            if !out.is_empty() && bytes + size > max_bytes {
                break;
            }
            bytes += size;
            out.push(b.clone());
        }
        out
    }

    /// Bytes that a fetch at `from` could read below `limit`.
    pub fn bytes_available(&self, from: u64, limit: u64) -> u64 {
        if from >= limit {
            return 0;
        }
        let start = self.batches.partition_point(|b| b.next_offset() <= from);
        self.batches[start..]
            .iter()
            .take_while(|b| b.next_offset() <= limit)
            .map(|b| b.size_bytes())
            .sum()
    }

    /// Drops every record at or above `offset` (whole batches; a batch that straddles the
    /// offset is removed too, as the real log truncates at batch boundaries).
    pub fn truncate_to(&mut self, offset: u64) {
        self.batches.retain(|b| b.next_offset() <= offset);
        self.leo = self.batches.last().map(|b| b.next_offset()).unwrap_or(0);
    }

    /// The record at `offset`, if present.
    pub fn record_at(&self, offset: u64) -> Option<&Record> {
        let i = self.batches.partition_point(|b| b.next_offset() <= offset);
        let b = self.batches.get(i)?;
        b.records.get(offset.checked_sub(b.base_offset)? as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recs(n: usize) -> Vec<Record> {
        (0..n)
            .map(|i| Record {
                key: None,
                value: Some(format!("v{i}")),
                timestamp: 0,
            })
            .collect()
    }

    #[test]
    fn leader_assigns_offsets() {
        let mut log = PartitionLog::default();
        let a = log.append_as_leader(recs(3), 0);
        let b = log.append_as_leader(recs(2), 0);
        assert_eq!((a.base_offset, b.base_offset, log.leo()), (0, 3, 5));
        assert_eq!(log.record_at(4).unwrap().value.as_deref(), Some("v1"));
    }

    #[test]
    fn read_returns_whole_batches_below_limit() {
        let mut log = PartitionLog::default();
        log.append_as_leader(recs(3), 0);
        log.append_as_leader(recs(2), 0);
        let got = log.read(1, 5, u64::MAX);
        assert_eq!(
            got.iter().map(|b| b.base_offset).collect::<Vec<_>>(),
            vec![0, 3]
        );
        assert!(
            log.read(0, 2, u64::MAX).is_empty(),
            "a batch ending above the limit is withheld"
        );
        assert_eq!(log.read(0, 3, u64::MAX).len(), 1);
        assert_eq!(log.bytes_available(3, 3), 0);
        assert!(log.bytes_available(0, 5) > 0);
    }

    #[test]
    fn follower_append_checks_position() {
        let mut leader = PartitionLog::default();
        let a = leader.append_as_leader(recs(2), 1);
        let b = leader.append_as_leader(recs(2), 1);
        let mut f = PartitionLog::default();
        assert_eq!(
            f.append_as_follower(b.clone()),
            Err(AppendError::NotAtEnd { base: 2, leo: 0 })
        );
        assert_eq!(f.append_as_follower(a.clone()), Ok(true));
        assert_eq!(f.append_as_follower(a), Ok(false));
        assert_eq!(f.append_as_follower(b), Ok(true));
        assert_eq!(f.leo(), 4);
        f.truncate_to(2);
        assert_eq!(f.leo(), 2);
    }
}
