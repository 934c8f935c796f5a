//! Records and record batches as the log holds them. Sizes follow the record batch v2
//! format (`DefaultRecordBatch`, `DefaultRecord`): a 61-byte batch header and zig-zag
//! varint framed records, so byte counts (batch.size, fetch sizes, positions) are real.

use serde::{Deserialize, Serialize};

/// `RECORD_BATCH_OVERHEAD`: the v2 batch header, 61 bytes.
pub const BATCH_OVERHEAD: u64 = 61;

/// One record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The key (UTF-8 here), or none.
    pub key: Option<String>,
    /// The value, or none (a tombstone).
    pub value: Option<String>,
    /// Producer timestamp, virtual ms.
    pub timestamp: u64,
}

/// A batch of records written to a partition in one append.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// Offset of the first record (assigned by the leader).
    pub base_offset: u64,
    /// `partitionLeaderEpoch`: the epoch of the leader that appended it.
    pub leader_epoch: u32,
    /// The records, in offset order.
    pub records: Vec<Record>,
}

/// Bytes of a zig-zag varint (`ByteUtils.sizeOfVarint`).
pub fn varint_len(v: i32) -> u64 {
    let mut z = ((v << 1) ^ (v >> 31)) as u32;
    let mut n = 1;
    while z >= 0x80 {
        z >>= 7;
        n += 1;
    }
    n
}

/// Bytes of a zig-zag varlong (`ByteUtils.sizeOfVarlong`).
pub fn varlong_len(v: i64) -> u64 {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    let mut n = 1;
    while z >= 0x80 {
        z >>= 7;
        n += 1;
    }
    n
}

fn opt_len(s: &Option<String>) -> (u64, i32) {
    match s {
        Some(s) => (s.len() as u64, s.len() as i32),
        None => (0, -1),
    }
}

impl Record {
    /// Size of this record inside a v2 batch (`DefaultRecord.sizeInBytes`), with no headers.
    pub fn size_in_batch(&self, offset_delta: i32, timestamp_delta: i64) -> u64 {
        let (klen, kfield) = opt_len(&self.key);
        let (vlen, vfield) = opt_len(&self.value);
        let body = 1 // attributes
            + varlong_len(timestamp_delta)
            + varint_len(offset_delta)
            + varint_len(kfield)
            + klen
            + varint_len(vfield)
            + vlen
            + varint_len(0); // headers count
        varint_len(body as i32) + body
    }
}

impl Batch {
    /// Offset of the last record.
    pub fn last_offset(&self) -> u64 {
        self.base_offset + self.records.len().saturating_sub(1) as u64
    }

    /// The offset after the last record.
    pub fn next_offset(&self) -> u64 {
        self.base_offset + self.records.len() as u64
    }

    /// Size in bytes of the batch in v2 format.
    pub fn size_bytes(&self) -> u64 {
        batch_size(&self.records)
    }
}

/// Size in bytes of a v2 batch holding `records` (timestamps relative to the first).
pub fn batch_size(records: &[Record]) -> u64 {
    let base_ts = records.first().map(|r| r.timestamp).unwrap_or(0);
    BATCH_OVERHEAD
        + records
            .iter()
            .enumerate()
            .map(|(i, r)| r.size_in_batch(i as i32, r.timestamp as i64 - base_ts as i64))
            .sum::<u64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(n: usize) -> Vec<Record> {
        vec![Record {
            key: None,
            value: Some("x".repeat(n)),
            timestamp: 0,
        }]
    }

    #[test]
    fn one_record_batch_sizes_match_kafka() {
        // Measured with MemoryRecordsBuilder (reference/protocol-facts.md section 7).
        for (n, want) in [
            (0, 68),
            (10, 78),
            (57, 125),
            (58, 127),
            (64, 134),
            (100, 170),
            (1000, 1070),
            (4096, 4166),
            (8184, 8254),
            (8185, 8256),
        ] {
            assert_eq!(batch_size(&value_of(n)), want, "value of {n} bytes");
        }
    }

    #[test]
    fn varints() {
        assert_eq!(varint_len(0), 1);
        assert_eq!(varint_len(-1), 1);
        assert_eq!(varint_len(63), 1);
        assert_eq!(varint_len(64), 2);
        assert_eq!(varlong_len(1_700_000_000_000), 6);
    }
}
