//! What removes data from a log: retention (`UnifiedLog.deleteOldSegments`, run by the log
//! manager every `log.retention.check.interval.ms`, 300000) and compaction (the log
//! cleaner, `LogCleaner.doClean` / `Cleaner.cleanSegments`, which wakes every
//! `log.cleaner.backoff.ms`, 15000), apache/kafka 3.8.
//!
//! Retention deletes whole segments from the oldest while the predicate holds and the
//! segment ends at or below the high watermark: by time, a segment whose largest timestamp
//! is more than `retention.ms` old; by size, while the log is bigger than
//! `retention.bytes` by at least the segment's size. The active segment can go too (the
//! log rolls first, `deleteSegments`) but an empty last segment never does. The log start
//! offset moves to the first segment left.
//!
//! Compaction cleans the segments below the first uncleanable offset (the active
//! segment's base, or the high watermark if lower; the segment holding it is not
//! cleaned): it maps each key of the dirty part (from the cleaner checkpoint on) to its
//! last offset, then rewrites the cleanable segments keeping a record unless a later
//! record of the same key exists. Kept batches keep their base and last offsets
//! (`MemoryRecords.filterTo`). Tombstones (null values) stay until their batch's delete
//! horizon: the first cleaning that keeps one sets the horizon to now +
//! `delete.retention.ms` (KIP-534); a cleaning after it removes them. Segments are
//! regrouped while the group's original size fits in `segment.bytes`
//! (`groupSegmentsBySize`), each group becoming one segment named after its first base.
//! Kafka only cleans once the dirty ratio passes `min.cleanable.dirty.ratio` (0.5); the
//! engine cleans whenever there is something dirty, so lessons need not wait.

use super::PartitionLog;
use super::segment::Segment;
use crate::kafka::record::{Batch, Cleaned};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a retention pass deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    /// Base offsets of the deleted segments.
    pub deleted: Vec<u64>,
    /// Why: `retention.ms` or `retention.bytes`.
    pub reason: &'static str,
    /// The log start offset afterwards.
    pub log_start_offset: u64,
}

/// What a cleaning removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CleanReport {
    /// Offsets of records removed because a later record has their key.
    pub superseded: Vec<u64>,
    /// Offsets of tombstones removed after their delete horizon.
    pub tombstones: Vec<u64>,
    /// Segments before and after, by base offset.
    pub segments_before: Vec<u64>,
    /// After.
    pub segments_after: Vec<u64>,
    /// The cleaner checkpoint afterwards.
    pub cleaner_point: u64,
}

impl PartitionLog {
    /// One retention pass at `now` (ms) with high watermark `hw`: by time, then by size.
    /// `None` when nothing was deleted or the policy does not delete.
    pub fn apply_retention(&mut self, now: u64, hw: u64) -> Option<RetentionReport> {
        if !self.config.cleanup_policy.deletes() {
            return None;
        }
        if let Some(ms) = self.config.retention_ms {
            let n = self.deletable(hw, |seg, _| {
                seg.largest_timestamp()
                    .is_some_and(|t| now as i64 - t > ms as i64)
            });
            if n > 0 {
                return Some(self.delete_oldest(n, "retention.ms"));
            }
        }
        if let Some(limit) = self.config.retention_bytes {
            let size = self.size_bytes();
            if size >= limit {
                let mut diff = size - limit;
                let n = self.deletable(hw, |seg, _| {
                    if diff >= seg.size() {
                        diff -= seg.size();
                        true
                    } else {
                        false
                    }
                });
                if n > 0 {
                    return Some(self.delete_oldest(n, "retention.bytes"));
                }
            }
        }
        None
    }

    /// How many segments from the oldest may go (`deletableSegments`).
    fn deletable(
        &self,
        hw: u64,
        mut pred: impl FnMut(&Segment, Option<&Segment>) -> bool,
    ) -> usize {
        let mut n = 0;
        for (i, seg) in self.segments.iter().enumerate() {
            let next = self.segments.get(i + 1);
            let last_and_empty = next.is_none() && seg.size() == 0;
            let upper = next.map_or(self.leo, |s| s.base_offset);
            if hw >= upper && pred(seg, next) && !last_and_empty {
                n += 1;
            } else {
                break;
            }
        }
        n
    }

    fn delete_oldest(&mut self, n: usize, reason: &'static str) -> RetentionReport {
        if n == self.segments.len() {
            self.roll();
        }
        let deleted: Vec<u64> = self.segments.drain(..n).map(|s| s.base_offset).collect();
        let start = self.segments[0].base_offset;
        self.log_start_offset = self.log_start_offset.max(start);
        // `LeaderEpochFileCache.truncateFromStartAsyncFlush`: the epoch that covers the new
        // start offset starts there.
        let keep_from = self.epochs.iter().rposition(|(_, o)| *o <= start);
        if let Some(k) = keep_from {
            self.epochs.drain(..k);
            self.epochs[0].1 = start;
        }
        self.cleaner_point = self.cleaner_point.max(start);
        self.flushed = self.flushed.max(start);
        RetentionReport {
            deleted,
            reason,
            log_start_offset: self.log_start_offset,
        }
    }

    /// One cleaning at `now` with high watermark `hw`. `None` when the policy does not
    /// compact or nothing is cleanable.
    pub fn compact(&mut self, now: u64, hw: u64) -> Option<CleanReport> {
        if !self.config.cleanup_policy.compacts() {
            return None;
        }
        let first_uncleanable = self.active_segment_base().min(hw);
        // Whole segments ending at or below the first uncleanable offset.
        let cleanable = self
            .segments
            .iter()
            .enumerate()
            .take_while(|(i, _)| {
                self.segments
                    .get(i + 1)
                    .is_some_and(|n| n.base_offset <= first_uncleanable)
            })
            .count();
        if cleanable == 0 {
            return None;
        }
        let end = self.segments[cleanable].base_offset;
        let dirty = self.cleaner_point < end;
        let horizon_due = self.segments[..cleanable].iter().any(|s| {
            s.batches().iter().any(|b| {
                b.batch
                    .cleaned
                    .as_ref()
                    .and_then(|c| c.delete_horizon)
                    .is_some_and(|h| now >= h)
            })
        });
        if !dirty && !horizon_due {
            return None;
        }
        // The offset map of the dirty part: key -> last offset.
        let mut last: BTreeMap<&str, u64> = BTreeMap::new();
        for seg in &self.segments[..cleanable] {
            for b in seg.batches() {
                for (o, r) in b.batch.with_offsets() {
                    if o >= self.cleaner_point
                        && let Some(k) = &r.key
                    {
                        last.insert(k.as_str(), o);
                    }
                }
            }
        }
        let mut report = CleanReport {
            segments_before: self.segments.iter().map(|s| s.base_offset).collect(),
            ..CleanReport::default()
        };
        let mut kept: Vec<Vec<(Arc<Batch>, u64)>> = Vec::new();
        for seg in &self.segments[..cleanable] {
            let mut out = Vec::new();
            for sb in seg.batches() {
                let b = &sb.batch;
                // A transaction marker is kept: its key is not a record key, and its
                // null value is not a tombstone (the cleaner removes markers only once
                // their transaction's data is gone, which is not modelled).
                if b.control.is_some() {
                    out.push((b.clone(), sb.written_at));
                    continue;
                }
                let horizon = b.cleaned.as_ref().and_then(|c| c.delete_horizon);
                let mut records = Vec::new();
                let mut deltas = Vec::new();
                let mut has_tombstone = false;
                for (o, r) in b.with_offsets() {
                    let superseded = r
                        .key
                        .as_deref()
                        .and_then(|k| last.get(k))
                        .is_some_and(|l| o < *l);
                    if superseded {
                        report.superseded.push(o);
                        continue;
                    }
                    if r.value.is_none() {
                        if horizon.is_some_and(|h| now >= h) {
                            report.tombstones.push(o);
                            continue;
                        }
                        has_tombstone = true;
                    }
                    records.push(r.clone());
                    deltas.push((o - b.base_offset) as u32);
                }
                if records.is_empty() {
                    continue;
                }
                let unchanged =
                    records.len() == b.records.len() && (horizon.is_some() || !has_tombstone);
                if unchanged {
                    out.push((b.clone(), sb.written_at));
                    continue;
                }
                let new_horizon =
                    horizon.or(has_tombstone.then_some(now + self.config.delete_retention_ms));
                let mut nb = Batch::new(b.base_offset, b.leader_epoch, records)
                    .with_compression(b.compression)
                    .with_producer(b.producer);
                nb.transactional = b.transactional;
                let last_delta = (b.last_offset() - b.base_offset) as u32;
                let contiguous = deltas.iter().enumerate().all(|(i, d)| *d as usize == i)
                    && last_delta as usize + 1 == deltas.len();
                if !contiguous || new_horizon.is_some() {
                    nb.cleaned = Some(Cleaned {
                        deltas,
                        last_offset_delta: last_delta,
                        delete_horizon: new_horizon,
                    });
                }
                out.push((Arc::new(nb), sb.written_at));
            }
            kept.push(out);
        }
        // Regroup by original size (`groupSegmentsBySize`).
        let mut new_segments = Vec::new();
        let mut i = 0;
        while i < cleanable {
            let mut group_size = self.segments[i].size();
            let mut j = i + 1;
            while j < cleanable && group_size + self.segments[j].size() <= self.config.segment_bytes
            {
                group_size += self.segments[j].size();
                j += 1;
            }
            let mut seg = Segment::new(self.segments[i].base_offset);
            for batches in &kept[i..j] {
                for (b, written) in batches {
                    let bytes: Arc<[u8]> = b.encode().into();
                    seg.append(b.clone(), bytes, *written, self.config.index_interval_bytes);
                }
            }
            seg.close();
            new_segments.push(seg);
            i = j;
        }
        self.segments.splice(..cleanable, new_segments);
        self.cleaner_point = end;
        report.segments_after = self.segments.iter().map(|s| s.base_offset).collect();
        report.cleaner_point = end;
        Some(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::log::config::{CleanupPolicy, LogConfig};
    use crate::kafka::record::Record;

    fn rec(k: &str, v: Option<&str>, ts: u64) -> Vec<Record> {
        vec![Record {
            key: Some(k.into()),
            value: v.map(Into::into),
            timestamp: ts,
        }]
    }

    fn small(policy: CleanupPolicy) -> PartitionLog {
        PartitionLog::new(LogConfig {
            segment_bytes: 200,
            cleanup_policy: policy,
            retention_ms: Some(60_000),
            delete_retention_ms: 1_000,
            ..LogConfig::default()
        })
    }

    #[test]
    fn retention_by_time_deletes_old_segments_below_the_hw() {
        let mut log = small(CleanupPolicy::Delete);
        for i in 0..12 {
            log.append_as_leader(rec("k", Some("v"), i * 10_000), 0, 0);
        }
        let before = log.segments().len();
        assert!(before >= 4);
        // Two 70-byte batches per 200-byte segment: the first holds timestamps 0 and
        // 10000, so at 70000 it is exactly 60000 old, not more.
        assert_eq!(log.apply_retention(70_000, log.leo()), None);
        assert_eq!(log.apply_retention(75_000, 0), None, "nothing below HW 0");
        let r = log.apply_retention(75_000, log.leo()).unwrap();
        assert_eq!(r.reason, "retention.ms");
        assert_eq!(r.deleted, vec![0]);
        assert_eq!(log.log_start_offset(), log.segments()[0].base_offset);
        assert!(log.segments()[0].largest_timestamp().unwrap() >= 10_000);
        assert_eq!(log.lookup(0), None, "below the log start");
    }

    #[test]
    fn compaction_keeps_the_last_record_per_key_and_tombstones_until_the_horizon() {
        let mut log = small(CleanupPolicy::Compact);
        for (i, (k, v)) in [
            ("a", Some("1")),
            ("b", Some("1")),
            ("a", Some("2")),
            ("c", Some("1")),
            ("b", None),
            ("a", Some("3")),
            ("d", Some("1")),
            ("d", Some("2")),
        ]
        .into_iter()
        .enumerate()
        {
            log.append_as_leader(rec(k, v, i as u64), 0, 0);
        }
        let r = log.compact(100, log.leo()).unwrap();
        assert_eq!(r.superseded, vec![0, 1, 2]);
        let left: Vec<u64> = log
            .batches()
            .flat_map(|b| b.with_offsets().map(|(o, _)| o).collect::<Vec<_>>())
            .collect();
        assert!(left.contains(&4), "the tombstone stays until its horizon");
        assert!(left.contains(&3) && left.contains(&5));
        assert_eq!(log.record_at(4).unwrap().value, None);
        // Nothing dirty and the horizon not reached: nothing to do.
        assert_eq!(log.compact(500, log.leo()), None);
        let r = log.compact(1_100, log.leo()).unwrap();
        assert_eq!(r.tombstones, vec![4]);
        assert_eq!(log.record_at(4), None);
        assert_eq!(log.leo(), 8, "compaction never changes the LEO");
    }
}
