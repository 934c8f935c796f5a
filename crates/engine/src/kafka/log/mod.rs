//! A partition's log: segments of record batch v2 bytes with their `.index` and
//! `.timeindex` ([`segment`]), the leader epoch cache, retention and compaction
//! ([`cleaner`]), the files a log directory holds ([`files`]), recovery from those files
//! ([`recovery`]) and the storage backends that hold them ([`storage`]).
//!
//! Kafka does not fsync appends: `log.flush.interval.messages` and `log.flush.interval.ms`
//! are unset by default (Long.MAX_VALUE, LogConfig / KafkaConfig, 3.7), so a batch stays
//! in the page cache until the OS writes it back ([`crate::sim::disk`]) or the log is
//! flushed. A segment roll flushes the segment it closes: when an append would take the
//! active segment past `segment.bytes` (`LogSegment.shouldRoll`), `UnifiedLog.roll`
//! opens a new segment at the LEO and schedules `flushUptoOffsetExclusive(newBase)` on the
//! scheduler at once ("flush-log"), modelled here as immediate; the flushed offset is the
//! recovery point (`recovery-point-offset-checkpoint`). A `crash` loses nothing; a `halt`
//! loses the batches not yet on disk, and the restarted broker's recovery truncates the log
//! there (`LogLoader` recovers from the recovery point). Replication, not fsync, is what
//! makes a record durable.

pub mod cleaner;
pub mod config;
pub mod dump;
pub mod files;
pub mod recovery;
pub mod segment;
pub mod storage;
pub mod txn;

use crate::kafka::record::{Batch, Record};
use crate::sim::disk::written_back_at;
use config::LogConfig;
use segment::{Lookup, Segment, StoredBatch};
use serde::Serialize;
use std::sync::Arc;

/// One replica's log of a partition. Batches are shared (`Arc`) so a fetch response or a
/// checkpoint never copies record data.
#[derive(Clone, Debug, Serialize)]
pub struct PartitionLog {
    /// The segments, oldest first; never empty; the last is the active segment.
    segments: Vec<Segment>,
    /// Offsets below this were flushed (fsynced): the recovery point.
    flushed: u64,
    /// Log start offset: the first offset a consumer can fetch.
    log_start_offset: u64,
    /// Log end offset: the offset the next record will get.
    leo: u64,
    /// The leader epoch cache (`LeaderEpochFileCache`): (epoch, start offset), ascending.
    epochs: Vec<(u32, u64)>,
    /// The cleaner's checkpoint: offsets below it were compacted (`cleaner-offset-checkpoint`).
    cleaner_point: u64,
    /// The settings.
    config: LogConfig,
}

impl Default for PartitionLog {
    fn default() -> Self {
        PartitionLog::new(LogConfig::default())
    }
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
    /// An empty log with one empty segment at offset 0.
    pub fn new(config: LogConfig) -> Self {
        PartitionLog {
            segments: vec![Segment::new(0)],
            flushed: 0,
            log_start_offset: 0,
            leo: 0,
            epochs: Vec::new(),
            cleaner_point: 0,
            config,
        }
    }

    /// The settings.
    pub fn config(&self) -> &LogConfig {
        &self.config
    }

    /// Replaces the settings (a topic or broker default changed); they apply from the next
    /// append or cleaning on.
    pub fn set_config(&mut self, config: LogConfig) {
        self.config = config;
    }

    /// The log end offset (LEO).
    pub fn leo(&self) -> u64 {
        self.leo
    }

    /// The log start offset.
    pub fn log_start_offset(&self) -> u64 {
        self.log_start_offset
    }

    /// The recovery point: offsets below it are flushed.
    pub fn recovery_point(&self) -> u64 {
        self.flushed
    }

    /// The cleaner checkpoint.
    pub fn cleaner_point(&self) -> u64 {
        self.cleaner_point
    }

    /// The leader epoch cache: (epoch, start offset), ascending.
    pub fn epochs(&self) -> &[(u32, u64)] {
        &self.epochs
    }

    /// The segments, oldest first (the last is active).
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The batches, oldest first.
    pub fn batches(&self) -> impl Iterator<Item = &Arc<Batch>> {
        self.segments
            .iter()
            .flat_map(|s| s.batches().iter().map(|b| &b.batch))
    }

    /// The stored batches from the one holding `offset` (or the first after it) on, found by
    /// binary search over the segments and within the segment, as the broker's read does.
    fn stored_from(&self, offset: u64) -> impl Iterator<Item = &StoredBatch> {
        let first = self.segments.partition_point(|s| s.next_offset() <= offset);
        let segments = self.segments.get(first..).unwrap_or_default();
        let skip = segments.first().map_or(0, |s| {
            s.batches()
                .partition_point(|b| b.batch.next_offset() <= offset)
        });
        segments.iter().flat_map(|s| s.batches().iter()).skip(skip)
    }

    /// Total size in bytes of the segments.
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(Segment::size).sum()
    }

    /// The base offset of the active segment.
    pub fn active_segment_base(&self) -> u64 {
        self.active().base_offset
    }

    fn active(&self) -> &Segment {
        self.segments.last().expect("a log always has a segment")
    }

    fn active_mut(&mut self) -> &mut Segment {
        self.segments
            .last_mut()
            .expect("a log always has a segment")
    }

    /// Rolls to a new segment at the LEO when the incoming batch calls for it
    /// (`LogSegment.shouldRoll`, 3.8): `size > segment.bytes - batchSize`, or a non-empty
    /// segment whose first batch is more than `segment.ms` older than the incoming one, or a
    /// full index, or an offset too far from the base for a relative offset. The closed
    /// segment gets its last time index entry and is flushed. Returns the new base.
    fn maybe_roll(&mut self, batch: &Batch, batch_bytes: u64) -> Option<u64> {
        let cfg = &self.config;
        let seg = self.active();
        let size = seg.size();
        let by_size = size as i64 > cfg.segment_bytes as i64 - batch_bytes as i64;
        let by_time =
            size > 0 && seg.time_waited(batch.max_timestamp() as i64) > cfg.segment_ms as i64;
        let full = seg.index_full(cfg.max_index_entries(), cfg.max_time_index_entries());
        let far = batch.last_offset() - seg.base_offset > i32::MAX as u64;
        if size == 0 || !(by_size || by_time || full || far) {
            return None;
        }
        self.roll();
        Some(self.leo)
    }

    /// Closes the active segment and opens one at the LEO (`UnifiedLog.roll`), flushing
    /// what the closed one holds.
    pub fn roll(&mut self) {
        self.active_mut().close();
        let leo = self.leo;
        self.segments.push(Segment::new(leo));
        self.flushed = self.flushed.max(leo);
    }

    fn push(&mut self, batch: Arc<Batch>, now: u64) -> Option<u64> {
        let bytes: Arc<[u8]> = batch.encode().into();
        let rolled = self.maybe_roll(&batch, bytes.len() as u64);
        if self
            .epochs
            .last()
            .is_none_or(|(e, _)| batch.leader_epoch > *e)
        {
            self.epochs.push((batch.leader_epoch, batch.base_offset));
        }
        self.leo = batch.next_offset();
        let interval = self.config.index_interval_bytes;
        self.active_mut().append(batch, bytes, now, interval);
        if self
            .config
            .flush_messages
            .is_some_and(|n| self.leo - self.flushed >= n)
        {
            self.flush();
        }
        rolled
    }

    /// Leader append at `now`: the records get offsets from the LEO on and are stamped
    /// with the leader's epoch; the active segment rolls first if the batch calls for it.
    /// Returns the stored batch and, when it rolled, the new segment's base offset.
    pub fn append_as_leader(
        &mut self,
        records: Vec<Record>,
        leader_epoch: u32,
        now: u64,
    ) -> (Arc<Batch>, Option<u64>) {
        let batch = Arc::new(Batch::new(self.leo, leader_epoch, records));
        let rolled = self.push(batch.clone(), now);
        (batch, rolled)
    }

    /// Leader append of a producer's batch: as [`Self::append_as_leader`], keeping the
    /// producer's compression (the batch is stored as it came).
    pub fn append_produced(
        &mut self,
        produced: &Batch,
        leader_epoch: u32,
        now: u64,
    ) -> (Arc<Batch>, Option<u64>) {
        let mut batch = Batch::new(self.leo, leader_epoch, produced.records.clone())
            .with_compression(produced.compression)
            .with_producer(produced.producer);
        batch.transactional = produced.transactional;
        batch.control = produced.control;
        let batch = Arc::new(batch);
        let rolled = self.push(batch.clone(), now);
        (batch, rolled)
    }

    /// The offset below which the log is on disk at `now`: flushed explicitly, or written
    /// back by the OS.
    pub fn durable_end(&self, now: u64) -> u64 {
        let mut end = self.flushed;
        for b in self.segments.iter().flat_map(|s| s.batches()) {
            if written_back_at(b.written_at) <= now {
                end = end.max(b.batch.next_offset());
            } else if b.batch.base_offset >= end {
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
        Ok(Some(self.push(batch, now)))
    }

    /// Whole batches for a fetch at `from`: the batch holding `from` and the ones after
    /// it, as long as they end at or below `limit` (the LEO for followers, the HW for
    /// consumers) and fit in `max_bytes` (the first batch is always returned whole, as
    /// Kafka does so a large batch cannot block a consumer).
    pub fn read(&self, from: u64, limit: u64, max_bytes: u64) -> Vec<Arc<Batch>> {
        let mut out = Vec::new();
        let mut bytes = 0;
        for b in self.stored_from(from) {
            if b.batch.next_offset() > limit {
                break;
            }
            let size = b.bytes.len() as u64;
            if !out.is_empty() && bytes + size > max_bytes {
                break;
            }
            bytes += size;
            out.push(b.batch.clone());
        }
        out
    }

    /// Bytes that a fetch at `from` could read below `limit`.
    pub fn bytes_available(&self, from: u64, limit: u64) -> u64 {
        if from >= limit {
            return 0;
        }
        self.stored_from(from)
            .take_while(|b| b.batch.next_offset() <= limit)
            .map(|b| b.bytes.len() as u64)
            .sum()
    }

    /// Drops every record at or above `offset` (whole batches; a batch that straddles the
    /// offset is removed too, as the real log truncates at batch boundaries). Segments that
    /// start past the new end are deleted (`LocalLog.truncateTo`), the one holding the end
    /// becomes the active segment, and the epoch cache forgets epochs that start past it.
    pub fn truncate_to(&mut self, offset: u64) {
        let keep_segments = self
            .segments
            .iter()
            .take_while(|s| s.base_offset <= offset)
            .count()
            .max(1);
        self.segments.truncate(keep_segments);
        let seg = self.active_mut();
        seg.truncate_to(offset);
        let base = seg.base_offset;
        self.leo = self.active().next_offset().max(base);
        self.flushed = self.flushed.min(self.leo);
        self.cleaner_point = self.cleaner_point.min(self.leo);
        let leo = self.leo;
        self.epochs.retain(|(_, start)| *start < leo);
    }

    /// What the log says of producer `pid` (`ProducerStateManager`, rebuilt from the log
    /// as Kafka rebuilds it on load): its last `max` batches, newest first, as (epoch,
    /// base sequence, last sequence, base offset, last offset).
    pub fn producer_batches(&self, pid: i64, max: usize) -> Vec<(i16, i32, i32, u64, u64)> {
        let mut out = Vec::new();
        for seg in self.segments.iter().rev() {
            for b in seg.batches().iter().rev() {
                let batch = &b.batch;
                // Markers carry no sequence (their base sequence is -1).
                if let (Some(p), Some(last)) = (batch.producer, batch.last_sequence())
                    && p.id == pid
                    && batch.control.is_none()
                {
                    out.push((
                        p.epoch,
                        p.base_sequence,
                        last,
                        batch.base_offset,
                        batch.last_offset(),
                    ));
                    if out.len() == max {
                        return out;
                    }
                }
            }
        }
        out
    }

    /// `LeaderEpochFileCache.assign` at `makeLeader`: the new epoch starts at the LEO
    /// (ignored unless it is newer than the latest epoch).
    pub fn assign_epoch(&mut self, epoch: u32) {
        if self.epochs.last().is_none_or(|(e, _)| epoch > *e) {
            self.epochs.push((epoch, self.leo));
        }
    }

    /// The latest epoch in the cache.
    pub fn latest_epoch(&self) -> Option<u32> {
        self.epochs.last().map(|(e, _)| *e)
    }

    /// `LeaderEpochFileCache.endOffsetFor(epoch)`: for the latest epoch, the LEO; for an
    /// older one, the largest epoch at or below it and the start offset of the next
    /// higher epoch; below every epoch, the requested epoch and the first epoch's start.
    /// `None` (UNDEFINED_EPOCH_OFFSET) when the cache is empty or the epoch is newer than
    /// any it holds.
    pub fn end_offset_for(&self, epoch: u32) -> Option<(u32, u64)> {
        let (latest, _) = *self.epochs.last()?;
        if epoch == latest {
            return Some((latest, self.leo));
        }
        if epoch > latest {
            return None;
        }
        match self.epochs.iter().rposition(|(e, _)| *e <= epoch) {
            Some(i) => Some((self.epochs[i].0, self.epochs[i + 1].1)),
            None => Some((epoch, self.epochs[0].1)),
        }
    }

    /// The record at `offset`, if present.
    /// The batch holding `offset`, if the log holds it.
    pub fn batch_at(&self, offset: u64) -> Option<&Arc<Batch>> {
        let b = &self.stored_from(offset).next()?.batch;
        (b.base_offset <= offset && offset <= b.last_offset()).then_some(b)
    }

    /// The record at `offset`, if the log holds it.
    pub fn record_at(&self, offset: u64) -> Option<&Record> {
        self.stored_from(offset)
            .next()?
            .batch
            .with_offsets()
            .find(|(o, _)| *o == offset)
            .map(|(_, r)| r)
    }

    /// How a fetch at `target` finds its batch: the floor segment by base offset, the
    /// binary search in its index, the scan of the log (`UnifiedLog.read`,
    /// `LogSegment.translateOffset`). None when `target` is below the log start or at or
    /// past the LEO.
    pub fn lookup(&self, target: u64) -> Option<Lookup> {
        if target < self.log_start_offset || target >= self.leo {
            return None;
        }
        let i = self.segments.partition_point(|s| s.base_offset <= target);
        let seg = &self.segments[i.checked_sub(1)?];
        Some(seg.lookup(target))
    }

    /// The first offset with a timestamp >= `ts` (`UnifiedLog.fetchOffsetByTimestamp`):
    /// the first segment whose largest timestamp reaches it, then its time index.
    pub fn offset_for_time(&self, ts: i64) -> Option<u64> {
        self.segments
            .iter()
            .find(|s| s.largest_timestamp().is_some_and(|l| l >= ts))
            .and_then(|s| s.find_offset_by_timestamp(ts))
    }

    /// Where the batch starting at `base_offset` sits: (segment base, byte position, size).
    pub fn locate(&self, base_offset: u64) -> Option<(u64, u64, u64)> {
        let i = self
            .segments
            .partition_point(|s| s.base_offset <= base_offset);
        let seg = &self.segments[i.checked_sub(1)?];
        let b = seg
            .batches()
            .iter()
            .find(|b| b.batch.base_offset == base_offset)?;
        Some((seg.base_offset, u64::from(b.position), b.bytes.len() as u64))
    }

    /// The bytes a fetch reads from its segment once [`Self::lookup`] found its batch
    /// (`LogSegment.read`: from that batch on, up to `max_bytes` of whole batches, the
    /// first one always): (segment base, start position, end position).
    pub fn fetch_region(&self, l: &Lookup, max_bytes: u64) -> Option<(u64, u64, u64)> {
        let (start, _, _) = l.found?;
        let seg = self.segments.iter().find(|s| s.base_offset == l.segment)?;
        let mut end = u64::from(start);
        for b in seg.batches().iter().filter(|b| b.position >= start) {
            let next = u64::from(b.position) + b.bytes.len() as u64;
            if end > u64::from(start) && next - u64::from(start) > max_bytes {
                break;
            }
            end = next;
        }
        Some((l.segment, u64::from(start), end))
    }

    /// Rebuilds a log from recovered segments (see [`recovery`]).
    pub(crate) fn from_parts(
        segments: Vec<Segment>,
        log_start_offset: u64,
        recovery_point: u64,
        epochs: Vec<(u32, u64)>,
        config: LogConfig,
    ) -> Self {
        let mut log = PartitionLog::new(config);
        if !segments.is_empty() {
            log.segments = segments;
        }
        log.leo = log.active().next_offset();
        log.log_start_offset = log_start_offset.min(log.leo);
        log.flushed = recovery_point.min(log.leo);
        log.epochs = epochs;
        log
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_with_segment_bytes(max: u64) -> PartitionLog {
        PartitionLog::new(LogConfig {
            segment_bytes: max,
            ..LogConfig::default()
        })
    }

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
    fn offsets_for_times_use_the_time_index() {
        // `UnifiedLog.fetchOffsetByTimestamp`: the first offset whose timestamp is at or
        // after the target, found through the segment whose largest timestamp reaches it.
        let mut log = PartitionLog::new(LogConfig {
            segment_bytes: 300,
            index_interval_bytes: 50,
            ..LogConfig::default()
        });
        for i in 0..20u64 {
            let recs = vec![Record {
                key: None,
                value: Some(format!("v{i}")),
                timestamp: 1000 * i,
            }];
            log.append_as_leader(recs, 0, 0);
        }
        assert!(log.segments().len() > 2);
        assert_eq!(log.offset_for_time(0), Some(0));
        assert_eq!(log.offset_for_time(7000), Some(7));
        assert_eq!(log.offset_for_time(7001), Some(8));
        assert_eq!(log.offset_for_time(19_000), Some(19));
        assert_eq!(log.offset_for_time(19_001), None, "after the last record");
    }

    #[test]
    fn flush_messages_fsyncs_every_n_messages() {
        let mut log = PartitionLog::new(LogConfig {
            flush_messages: Some(5),
            ..LogConfig::default()
        });
        log.append_as_leader(recs(3), 0, 0);
        assert_eq!(log.durable_end(0), 0, "3 unflushed messages: no fsync yet");
        log.append_as_leader(recs(3), 0, 0);
        assert_eq!(log.durable_end(0), 6, "6 >= 5: the log is flushed");
        let mut cut = log.clone();
        assert_eq!(cut.lose_unflushed(0), 6, "a power cut keeps it");
    }

    #[test]
    fn leader_assigns_offsets() {
        let mut log = PartitionLog::default();
        let a = log.append_as_leader(recs(3), 0, 0).0;
        let b = log.append_as_leader(recs(2), 0, 0).0;
        assert_eq!((a.base_offset, b.base_offset, log.leo()), (0, 3, 5));
        assert_eq!(log.record_at(4).unwrap().value.as_deref(), Some("v1"));
    }

    #[test]
    fn read_returns_whole_batches_below_limit() {
        let mut log = PartitionLog::default();
        log.append_as_leader(recs(3), 0, 0);
        log.append_as_leader(recs(2), 0, 0);
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
        let a = leader.append_as_leader(recs(2), 1, 0).0;
        let b = leader.append_as_leader(recs(2), 1, 0).0;
        let mut f = PartitionLog::default();
        assert_eq!(
            f.append_as_follower(b.clone(), 0),
            Err(AppendError::NotAtEnd { base: 2, leo: 0 })
        );
        assert_eq!(f.append_as_follower(a.clone(), 0), Ok(Some(None)));
        assert_eq!(f.append_as_follower(a, 0), Ok(None));
        assert_eq!(f.append_as_follower(b, 0), Ok(Some(None)));
        assert_eq!(f.leo(), 4);
        f.truncate_to(2);
        assert_eq!(f.leo(), 2);
    }

    #[test]
    fn a_power_cut_loses_what_the_page_cache_had_not_written_back() {
        let mut log = PartitionLog::default();
        log.append_as_leader(recs(2), 0, 0); // on disk at 30 s
        log.append_as_leader(recs(3), 0, 12_000); // on disk at 45 s
        log.append_as_leader(recs(1), 0, 40_000); // on disk at 70 s
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
        let one = Batch::new(0, 0, recs(2)).size_bytes();
        // Room for two such batches per segment.
        let max = 2 * one + one / 2;
        let mut log = log_with_segment_bytes(max);
        assert_eq!(log.append_as_leader(recs(2), 0, 0).1, None);
        assert_eq!(log.append_as_leader(recs(2), 0, 0).1, None);
        assert_eq!(log.durable_end(1_000), 0, "nothing flushed yet");
        let (_, rolled) = log.append_as_leader(recs(2), 0, 1_000);
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
        let mut f = log_with_segment_bytes(max);
        let b = Arc::new(Batch::new(0, 0, recs(2)));
        assert_eq!(f.append_as_follower(b, 0), Ok(Some(None)));
    }
}
