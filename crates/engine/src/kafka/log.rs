//! A partition's log held in memory: batches in offset order, each with the time it was
//! written, so that what a power cut loses can be told from what reached the disk.
//! (Segments, indexes and the file backend come with the storage issue; this keeps the
//! same offsets and sizes.)
//!
//! Kafka does not fsync appends: `log.flush.interval.messages` and `log.flush.interval.ms`
//! are unset by default (Long.MAX_VALUE, LogConfig / KafkaConfig, 3.7), so a batch stays
//! in the page cache until the OS writes it back ([`crate::sim::disk`]) or the log is
//! flushed. A segment roll flushes the segment it closes: when an append would take the
//! active segment past `log.segment.bytes` (`LogSegment.shouldRoll`), `UnifiedLog.roll`
//! opens a new segment at the LEO and schedules `flushUptoOffsetExclusive(newBase)` on the
//! scheduler at once ("flush-log"), modelled here as immediate. (A clean shutdown flushes
//! too; the engine has no clean-shutdown command yet, as a controlled shutdown needs the
//! controller of issue 9.) A `crash` loses nothing; a `halt` loses the
//! batches not yet on disk, and the restarted broker's recovery truncates the log there
//! (`LogLoader` recovers from the recovery point). Replication, not fsync, is what makes a
//! record durable.

use crate::kafka::record::{Batch, Record};
use crate::sim::disk::written_back_at;
use serde::Serialize;
use std::sync::Arc;

/// One replica's log of a partition. Batches are shared (`Arc`) so a fetch response or a
/// checkpoint never copies record data.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PartitionLog {
    batches: Vec<Arc<Batch>>,
    /// When each batch was written (virtual ms), parallel to `batches`.
    written_at: Vec<u64>,
    /// Offsets below this were flushed (fsynced) explicitly.
    flushed: u64,
    /// Base offsets of the segments after the first (which starts at 0), oldest first; the
    /// last one is the active segment.
    segment_bases: Vec<u64>,
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

    /// The base offset of the active segment.
    pub fn active_segment_base(&self) -> u64 {
        self.segment_bases.last().copied().unwrap_or(0)
    }

    /// Bytes in the active segment.
    fn active_segment_bytes(&self) -> u64 {
        let base = self.active_segment_base();
        let start = self.batches.partition_point(|b| b.base_offset < base);
        self.batches[start..].iter().map(|b| b.size_bytes()).sum()
    }

    /// Rolls to a new segment at the LEO when appending `batch_bytes` would take the active
    /// segment past `max_segment_bytes` (`log.segment.bytes`), and flushes the segment it
    /// closes. Kafka's test is `size > maxSegmentBytes - messagesSize`
    /// (`LogSegment.shouldRoll`, 3.7); an empty segment is never rolled. Returns the new
    /// segment's base offset when it rolled.
    fn maybe_roll(&mut self, batch_bytes: u64, max_segment_bytes: u64) -> Option<u64> {
        let size = self.active_segment_bytes();
        if size == 0 || size.saturating_add(batch_bytes) <= max_segment_bytes {
            return None;
        }
        self.segment_bases.push(self.leo);
        self.flushed = self.flushed.max(self.leo);
        Some(self.leo)
    }

    /// Leader append at `now`: the records get offsets from the LEO on and are stamped
    /// with the leader's epoch; the active segment rolls first if the batch would take it
    /// past `max_segment_bytes`. Returns the stored batch and, when it rolled, the new
    /// segment's base offset.
    pub fn append_as_leader(
        &mut self,
        records: Vec<Record>,
        leader_epoch: u32,
        now: u64,
        max_segment_bytes: u64,
    ) -> (Arc<Batch>, Option<u64>) {
        let batch = Arc::new(Batch {
            base_offset: self.leo,
            leader_epoch,
            records,
        });
        let rolled = self.maybe_roll(batch.size_bytes(), max_segment_bytes);
        self.leo = batch.next_offset();
        self.batches.push(batch.clone());
        self.written_at.push(now);
        (batch, rolled)
    }

    /// The offset below which the log is on disk at `now`: flushed explicitly, or written
    /// back by the OS.
    pub fn durable_end(&self, now: u64) -> u64 {
        let mut end = self.flushed;
        for (b, &t) in self.batches.iter().zip(&self.written_at) {
            if written_back_at(t) <= now {
                end = end.max(b.next_offset());
            } else if b.base_offset >= end {
                break;
            }
        }
        end.min(self.leo)
    }

    /// Flushes everything written so far (fsync), as a segment roll or a clean shutdown
    /// does.
    pub fn flush(&mut self) {
        self.flushed = self.leo;
    }

    /// The host lost power at `now`: what the page cache had not written back is gone.
    /// Returns the offset the log now ends at.
    pub fn lose_unflushed(&mut self, now: u64) -> u64 {
        let end = self.durable_end(now);
        self.truncate_to(end);
        end
    }

    /// Follower append at `now` of a batch the leader already numbered, rolling the active
    /// segment as a leader append does (followers roll on their own sizes). A batch entirely
    /// below the LEO is skipped (`Ok(None)`, already present); one that starts past the LEO
    /// or overlaps it is refused. `Ok(Some(rolled))` when appended, with the new segment's
    /// base offset if it rolled.
    pub fn append_as_follower(
        &mut self,
        batch: Arc<Batch>,
        now: u64,
        max_segment_bytes: u64,
    ) -> Result<Option<Option<u64>>, AppendError> {
        if batch.next_offset() <= self.leo {
            return Ok(None);
        }
        if batch.base_offset != self.leo {
            return Err(AppendError::NotAtEnd {
                base: batch.base_offset,
                leo: self.leo,
            });
        }
        let rolled = self.maybe_roll(batch.size_bytes(), max_segment_bytes);
        self.leo = batch.next_offset();
        self.batches.push(batch);
        self.written_at.push(now);
        Ok(Some(rolled))
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
        let keep = self.batches.partition_point(|b| b.next_offset() <= offset);
        self.batches.truncate(keep);
        self.written_at.truncate(keep);
        self.leo = self.batches.last().map(|b| b.next_offset()).unwrap_or(0);
        self.flushed = self.flushed.min(self.leo);
        // Segments that now start past the end are deleted (`LocalLog.truncateTo`); the one
        // holding the end (or starting at it) becomes the active segment.
        let leo = self.leo;
        self.segment_bases.retain(|&b| b <= leo);
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

    /// `log.segment.bytes`' default: no roll in these tests.
    const SEG: u64 = 1 << 30;

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
        let a = log.append_as_leader(recs(3), 0, 0, SEG).0;
        let b = log.append_as_leader(recs(2), 0, 0, SEG).0;
        assert_eq!((a.base_offset, b.base_offset, log.leo()), (0, 3, 5));
        assert_eq!(log.record_at(4).unwrap().value.as_deref(), Some("v1"));
    }

    #[test]
    fn read_returns_whole_batches_below_limit() {
        let mut log = PartitionLog::default();
        log.append_as_leader(recs(3), 0, 0, SEG);
        log.append_as_leader(recs(2), 0, 0, SEG);
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
        let a = leader.append_as_leader(recs(2), 1, 0, SEG).0;
        let b = leader.append_as_leader(recs(2), 1, 0, SEG).0;
        let mut f = PartitionLog::default();
        assert_eq!(
            f.append_as_follower(b.clone(), 0, SEG),
            Err(AppendError::NotAtEnd { base: 2, leo: 0 })
        );
        assert_eq!(f.append_as_follower(a.clone(), 0, SEG), Ok(Some(None)));
        assert_eq!(f.append_as_follower(a, 0, SEG), Ok(None));
        assert_eq!(f.append_as_follower(b, 0, SEG), Ok(Some(None)));
        assert_eq!(f.leo(), 4);
        f.truncate_to(2);
        assert_eq!(f.leo(), 2);
    }

    #[test]
    fn a_power_cut_loses_what_the_page_cache_had_not_written_back() {
        let mut log = PartitionLog::default();
        log.append_as_leader(recs(2), 0, 0, SEG); // on disk at 30 s
        log.append_as_leader(recs(3), 0, 12_000, SEG); // on disk at 45 s
        log.append_as_leader(recs(1), 0, 40_000, SEG); // on disk at 70 s
        assert_eq!(log.durable_end(29_999), 0);
        assert_eq!(log.durable_end(30_000), 2);
        assert_eq!(log.durable_end(50_000), 5);
        let mut crashed = log.clone();
        assert_eq!(crashed.lose_unflushed(50_000), 5);
        assert_eq!(crashed.leo(), 5);
        log.flush();
        assert_eq!(
            log.durable_end(40_001),
            6,
            "an fsync makes everything durable"
        );
    }

    #[test]
    fn a_segment_roll_flushes_the_segment_it_closes() {
        let mut log = PartitionLog::default();
        let one = log.append_as_leader(recs(2), 0, 0, SEG).0.size_bytes();
        // Room for two such batches per segment.
        let max = 2 * one + one / 2;
        assert_eq!(log.append_as_leader(recs(2), 0, 0, max).1, None);
        assert_eq!(log.durable_end(1_000), 0, "nothing flushed yet");
        let (_, rolled) = log.append_as_leader(recs(2), 0, 1_000, max);
        assert_eq!(
            rolled,
            Some(4),
            "the third batch opens a segment at offset 4"
        );
        assert_eq!(log.active_segment_base(), 4);
        assert_eq!(log.durable_end(1_000), 4, "the closed segment is flushed");
        let mut cut = log.clone();
        assert_eq!(
            cut.lose_unflushed(1_000),
            4,
            "a power cut keeps the closed segment"
        );
        // Truncating into the closed segment makes it the active one again.
        log.truncate_to(2);
        assert_eq!(log.active_segment_base(), 0);
        let mut f = PartitionLog::default();
        let b = Arc::new(Batch {
            base_offset: 0,
            leader_epoch: 0,
            records: recs(2),
        });
        assert_eq!(f.append_as_follower(b, 0, max), Ok(Some(None)));
    }
}
