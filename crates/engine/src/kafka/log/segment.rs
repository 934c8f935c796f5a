//! One log segment: a `.log` file of record batches, its sparse `.index` (relative offset
//! to byte position) and `.timeindex` (timestamp to relative offset), following
//! `LogSegment.append`, `OffsetIndex`, `TimeIndex` and `FileRecords.searchForOffsetWithSize`
//! (apache/kafka `storage/.../log/`, 3.8; reference/protocol-facts.md section 6):
//! - an index entry is added when more than `index.interval.bytes` were appended since
//!   the last one, checked before the current batch's bytes are counted; the key is the
//!   batch's last offset, the value the batch's start position; the first batch never
//!   gets one;
//! - the time index appends (max timestamp so far, offset of that batch) at the same
//!   moments when the timestamp grew, and once more when the segment becomes inactive
//!   (`onBecomeInactiveSegment`) or is closed.

use crate::kafka::record::Batch;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// An `.index` entry: offset minus the segment's base offset, and the batch's position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// Offset - base offset.
    pub relative_offset: u32,
    /// Byte position of the batch in the `.log`.
    pub position: u32,
}

/// A `.timeindex` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TimeIndexEntry {
    /// Greatest timestamp so far, ms.
    pub timestamp: i64,
    /// Offset of the batch holding it, minus the base offset.
    pub relative_offset: u32,
}

/// A batch in a segment: the engine's view, its bytes and where they start.
#[derive(Clone, Debug, Serialize)]
pub struct StoredBatch {
    /// The batch.
    pub batch: Arc<Batch>,
    /// Its bytes in the `.log`.
    #[serde(skip)]
    pub bytes: Arc<[u8]>,
    /// Byte position in the `.log`.
    pub position: u32,
    /// When it was written (virtual ms), for the page cache's writeback.
    pub written_at: u64,
}

/// One segment.
#[derive(Clone, Debug, Serialize)]
pub struct Segment {
    /// Offset of its first batch, the number in its file names.
    pub base_offset: u64,
    batches: Vec<StoredBatch>,
    size: u64,
    index: Vec<IndexEntry>,
    time_index: Vec<TimeIndexEntry>,
    bytes_since_last_index_entry: u64,
    /// (max timestamp so far, the offset it is recorded under).
    max_timestamp: Option<(i64, u64)>,
    /// The first batch's max timestamp (`rollingBasedTimestamp`), for `segment.ms`.
    rolling_based_timestamp: Option<i64>,
}

/// How a lookup found an offset (`UnifiedLog.read` → `LogSegment.translateOffset`): the
/// steps the playground animates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lookup {
    /// Base offset of the floor segment (greatest base offset <= target).
    pub segment: u64,
    /// The index entry the binary search found (greatest relative offset <= target), or
    /// none (scan from position 0).
    pub index_entry: Option<IndexEntry>,
    /// Index entries probed by the binary search, in order.
    pub probes: Vec<IndexEntry>,
    /// Positions of the batch headers the scan read, in order.
    pub scanned: Vec<u32>,
    /// The batch found (first with last offset >= target): position, base, last offset.
    pub found: Option<(u32, u64, u64)>,
}

impl IndexEntry {
    /// The 8 bytes of the entry in a `.index` file.
    pub fn to_bytes(self) -> [u8; 8] {
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&self.relative_offset.to_be_bytes());
        b[4..].copy_from_slice(&self.position.to_be_bytes());
        b
    }

    /// The entries of a `.index` file's bytes (a trailing partial entry is ignored).
    pub fn parse(bytes: &[u8]) -> impl Iterator<Item = IndexEntry> + '_ {
        bytes.chunks_exact(8).map(|e| IndexEntry {
            relative_offset: u32::from_be_bytes([e[0], e[1], e[2], e[3]]),
            position: u32::from_be_bytes([e[4], e[5], e[6], e[7]]),
        })
    }
}

impl TimeIndexEntry {
    /// The 12 bytes of the entry in a `.timeindex` file.
    pub fn to_bytes(self) -> [u8; 12] {
        let mut b = [0u8; 12];
        b[..8].copy_from_slice(&self.timestamp.to_be_bytes());
        b[8..].copy_from_slice(&self.relative_offset.to_be_bytes());
        b
    }

    /// The entries of a `.timeindex` file's bytes (a trailing partial entry is ignored).
    pub fn parse(bytes: &[u8]) -> impl Iterator<Item = TimeIndexEntry> + '_ {
        bytes.chunks_exact(12).map(|e| TimeIndexEntry {
            timestamp: i64::from_be_bytes([e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]]),
            relative_offset: u32::from_be_bytes([e[8], e[9], e[10], e[11]]),
        })
    }
}

impl Segment {
    /// An empty segment at `base_offset`.
    pub fn new(base_offset: u64) -> Self {
        Segment {
            base_offset,
            batches: Vec::new(),
            size: 0,
            index: Vec::new(),
            time_index: Vec::new(),
            bytes_since_last_index_entry: 0,
            max_timestamp: None,
            rolling_based_timestamp: None,
        }
    }

    /// Size of the `.log` in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The batches, oldest first.
    pub fn batches(&self) -> &[StoredBatch] {
        &self.batches
    }

    /// `.index` entries.
    pub fn index(&self) -> &[IndexEntry] {
        &self.index
    }

    /// `.timeindex` entries.
    pub fn time_index(&self) -> &[TimeIndexEntry] {
        &self.time_index
    }

    /// The greatest record timestamp in the segment (`largestTimestamp`), ms.
    pub fn largest_timestamp(&self) -> Option<i64> {
        self.max_timestamp.map(|(t, _)| t)
    }

    /// The offset after the segment's last batch, or its base offset when empty.
    pub fn next_offset(&self) -> u64 {
        self.batches
            .last()
            .map_or(self.base_offset, |b| b.batch.next_offset())
    }

    /// Time since the first batch by record timestamps (`timeWaitedForRoll`), ms.
    pub fn time_waited(&self, incoming_max_ts: i64) -> i64 {
        self.rolling_based_timestamp
            .map_or(0, |t| incoming_max_ts - t)
    }

    /// Whether the offset or time index is full.
    pub fn index_full(&self, max_entries: usize, max_time_entries: usize) -> bool {
        self.index.len() >= max_entries || self.time_index.len() >= max_time_entries
    }

    fn maybe_append_time(&mut self, timestamp: i64, offset: u64) {
        let last = self.time_index.last().map_or(-1, |e| e.timestamp);
        if timestamp > last {
            self.time_index.push(TimeIndexEntry {
                timestamp,
                relative_offset: (offset - self.base_offset) as u32,
            });
        }
    }

    /// Appends a batch (`LogSegment.append`), adding index entries by Kafka's rule.
    pub fn append(&mut self, batch: Arc<Batch>, bytes: Arc<[u8]>, now: u64, interval: u64) {
        let position = self.size as u32;
        let ts = batch.max_timestamp() as i64;
        let last = batch.last_offset();
        if position == 0 {
            self.rolling_based_timestamp = Some(ts);
        }
        if self.max_timestamp.is_none_or(|(m, _)| ts > m) {
            self.max_timestamp = Some((ts, last));
        }
        if self.bytes_since_last_index_entry > interval {
            self.index.push(IndexEntry {
                relative_offset: (last - self.base_offset) as u32,
                position,
            });
            if let Some((t, o)) = self.max_timestamp {
                self.maybe_append_time(t, o);
            }
            self.bytes_since_last_index_entry = 0;
        }
        self.bytes_since_last_index_entry += bytes.len() as u64;
        self.size += bytes.len() as u64;
        self.batches.push(StoredBatch {
            batch,
            bytes,
            position,
            written_at: now,
        });
    }

    /// The segment stops being the active one (`onBecomeInactiveSegment`): the time index
    /// gets the max timestamp so far if it is newer than its last entry.
    pub fn close(&mut self) {
        if let Some((t, o)) = self.max_timestamp {
            self.maybe_append_time(t, o);
        }
    }

    /// The `.timeindex` entries as the file holds them after the segment is closed.
    pub fn closed_time_index(&self) -> Vec<TimeIndexEntry> {
        let mut out = self.time_index.clone();
        if let Some((t, o)) = self.max_timestamp
            && out.last().is_none_or(|e| t > e.timestamp)
        {
            out.push(TimeIndexEntry {
                timestamp: t,
                relative_offset: (o - self.base_offset) as u32,
            });
        }
        out
    }

    /// Finds the batch holding `target` (`OffsetIndex.lookup` then
    /// `FileRecords.searchForOffsetWithSize`), recording each step.
    pub fn lookup(&self, target: u64) -> Lookup {
        let rel = target.saturating_sub(self.base_offset);
        let (mut lo, mut hi) = (0usize, self.index.len());
        let mut probes = Vec::new();
        // Greatest entry with relative offset <= rel (`AbstractIndex.largestLowerBoundSlotFor`).
        while lo < hi {
            let mid = (lo + hi) / 2;
            probes.push(self.index[mid]);
            if u64::from(self.index[mid].relative_offset) <= rel {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let index_entry = lo.checked_sub(1).map(|i| self.index[i]);
        let start = index_entry.map_or(0, |e| e.position);
        let mut scanned = Vec::new();
        let mut found = None;
        let from = self.batches.partition_point(|b| b.position < start);
        for b in &self.batches[from..] {
            scanned.push(b.position);
            if b.batch.last_offset() >= target {
                found = Some((b.position, b.batch.base_offset, b.batch.last_offset()));
                break;
            }
        }
        Lookup {
            segment: self.base_offset,
            index_entry,
            probes,
            scanned,
            found,
        }
    }

    /// The first offset whose record timestamp is >= `ts` (`LogSegment.findOffsetByTimestamp`:
    /// the time index gives a starting offset, the offset index a position, then a scan).
    pub fn find_offset_by_timestamp(&self, ts: i64) -> Option<u64> {
        let entries = self.closed_time_index();
        let i = entries.partition_point(|e| e.timestamp <= ts);
        let start_offset = i.checked_sub(1).map_or(self.base_offset, |i| {
            self.base_offset + u64::from(entries[i].relative_offset)
        });
        let pos = self
            .lookup(start_offset)
            .index_entry
            .map_or(0, |e| e.position);
        let from = self.batches.partition_point(|b| b.position < pos);
        for b in &self.batches[from..] {
            if b.batch.max_timestamp() as i64 >= ts {
                return b
                    .batch
                    .with_offsets()
                    .find(|(_, r)| r.timestamp as i64 >= ts)
                    .map(|(o, _)| o);
            }
        }
        None
    }

    /// Drops batches at or after `offset` (whole batches; `LogSegment.truncateTo`), and the
    /// index entries past the new end. Returns the bytes removed.
    pub fn truncate_to(&mut self, offset: u64) -> u64 {
        let keep = self
            .batches
            .partition_point(|b| b.batch.next_offset() <= offset);
        self.batches.truncate(keep);
        let new_size = self
            .batches
            .last()
            .map_or(0, |b| u64::from(b.position) + b.bytes.len() as u64);
        let removed = self.size - new_size;
        self.size = new_size;
        let end = self.next_offset();
        self.index.retain(|e| {
            u64::from(e.position) < new_size
                && self.base_offset + u64::from(e.relative_offset) < end
        });
        self.time_index
            .retain(|e| self.base_offset + u64::from(e.relative_offset) < end);
        // Kafka recomputes the max timestamp from the time index's last entry and the
        // batches after it; recomputing from the batches gives the same value.
        self.max_timestamp = None;
        for b in &self.batches {
            let ts = b.batch.max_timestamp() as i64;
            if self.max_timestamp.is_none_or(|(m, _)| ts > m) {
                self.max_timestamp = Some((ts, b.batch.last_offset()));
            }
        }
        if self.batches.is_empty() {
            self.rolling_based_timestamp = None;
        }
        self.bytes_since_last_index_entry = match self.index.last() {
            Some(e) => new_size - u64::from(e.position),
            None => new_size,
        };
        removed
    }

    /// The `.log` file's bytes.
    pub fn log_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size as usize);
        for b in &self.batches {
            out.extend_from_slice(&b.bytes);
        }
        out
    }

    /// The `.index` file's bytes (trimmed to its entries, as after a roll or close).
    pub fn index_bytes(&self) -> Vec<u8> {
        self.index.iter().flat_map(|e| e.to_bytes()).collect()
    }

    /// The `.timeindex` file's bytes after the segment is closed.
    pub fn time_index_bytes(&self) -> Vec<u8> {
        self.closed_time_index()
            .into_iter()
            .flat_map(TimeIndexEntry::to_bytes)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::record::Record;

    /// Three null-key records whose batch is `want` bytes.
    fn batch_of(base: u64, want: usize) -> Batch {
        for n in 0..want {
            let records: Vec<Record> = (0..3)
                .map(|_| Record {
                    key: None,
                    value: Some("x".repeat(n)),
                    timestamp: 0,
                })
                .collect();
            let b = Batch::new(base, 0, records);
            if b.encode().len() == want {
                return b;
            }
        }
        panic!("no value size gives {want} bytes");
    }

    #[test]
    fn index_entries_and_lookup_match_kafka() {
        // reference/protocol-facts.md section 6, measured with LogSegment: 3-record batches
        // at positions 0, 3088, 6176, 9264 give one entry (8 -> 6176), and offset 7 is
        // found in the batch at 6176.
        let mut seg = Segment::new(0);
        for i in 0..4 {
            let b = Arc::new(batch_of(i * 3, 3088));
            let bytes: Arc<[u8]> = b.encode().into();
            seg.append(b, bytes, 0, 4096);
        }
        let positions: Vec<u32> = seg.batches().iter().map(|b| b.position).collect();
        assert_eq!(positions, vec![0, 3088, 6176, 9264]);
        assert_eq!(
            seg.index(),
            &[IndexEntry {
                relative_offset: 8,
                position: 6176
            }]
        );
        let l = seg.lookup(7);
        assert_eq!(l.index_entry, None, "8 > 7: no entry at or below 7");
        assert_eq!(l.scanned, vec![0, 3088, 6176]);
        assert_eq!(l.found, Some((6176, 6, 8)));
        let l = seg.lookup(10);
        assert_eq!(l.index_entry.map(|e| e.position), Some(6176));
        assert_eq!(l.found, Some((9264, 9, 11)));
        assert_eq!(seg.index_bytes(), vec![0, 0, 0, 8, 0, 0, 0x18, 0x20]);
    }
}
