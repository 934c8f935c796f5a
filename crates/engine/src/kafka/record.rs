//! Records and record batches as the log holds them. Sizes follow the record batch v2
//! format (`DefaultRecordBatch`, `DefaultRecord`): a 61-byte batch header and zig-zag
//! varint framed records, so byte counts (batch.size, fetch sizes, positions) are real;
//! [`Batch::encode`] gives the batch's bytes ([`crate::kafka::format`]).

use crate::kafka::format::{self, Compression, RecordBatch, RecordBytes};
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
    /// Set when the log cleaner removed records from the batch: compaction keeps a v2
    /// batch's base and last offset and each kept record's offset
    /// (`MemoryRecords.filterTo`, `overrideLastOffset`), so offsets have gaps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleaned: Option<Cleaned>,
    /// The producer's `compression.type`: the records are compressed as one block, and
    /// the broker stores and sends the batch as it came (topic `compression.type`
    /// `producer`, the default).
    #[serde(default, skip_serializing_if = "is_none_codec")]
    pub compression: Compression,
    /// An idempotent producer's id, epoch and the first record's sequence number
    /// (`None`: -1 in the format, a producer without idempotence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer: Option<ProducerIds>,
    /// `isTransactional` (attribute bit 4): written by a transactional producer inside a
    /// transaction (KIP-98); read_committed consumers hold it back until its marker.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transactional: bool,
    /// A control batch (attribute bit 5): one commit or abort marker that a transaction
    /// coordinator had the leader write (`WriteTxnMarkers`). Its one record stands for the
    /// marker, whose key and value bytes are [`ControlMarker`]'s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<ControlMarker>,
}

/// A transaction marker (`EndTransactionMarker`, `ControlRecordType`; KIP-98): the control
/// record's key is `(version: int16 = 0, type: int16)` with ABORT 0 and COMMIT 1, its value
/// `(version: int16 = 0, coordinatorEpoch: int32)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlMarker {
    /// COMMIT (true) or ABORT (false).
    pub commit: bool,
    /// The coordinator's epoch (the leader epoch of its `__transaction_state` partition).
    pub coordinator_epoch: i32,
}

impl ControlMarker {
    /// The control record's key bytes: version 0, then the type (ABORT 0, COMMIT 1).
    pub fn key_bytes(&self) -> Vec<u8> {
        let mut k = 0i16.to_be_bytes().to_vec();
        k.extend_from_slice(&i16::from(self.commit).to_be_bytes());
        k
    }

    /// The control record's value bytes: version 0, then the coordinator epoch.
    pub fn value_bytes(&self) -> Vec<u8> {
        let mut v = 0i16.to_be_bytes().to_vec();
        v.extend_from_slice(&self.coordinator_epoch.to_be_bytes());
        v
    }

    /// The marker a control record's key and value hold, if they are well formed.
    pub fn from_bytes(key: Option<&[u8]>, value: Option<&[u8]>) -> Option<ControlMarker> {
        let k = key.filter(|k| k.len() >= 4)?;
        let kind = i16::from_be_bytes([k[2], k[3]]);
        let epoch = value
            .filter(|v| v.len() >= 6)
            .map_or(0, |v| i32::from_be_bytes([v[2], v[3], v[4], v[5]]));
        (kind == 0 || kind == 1).then_some(ControlMarker {
            commit: kind == 1,
            coordinator_epoch: epoch,
        })
    }

    /// `COMMIT` or `ABORT`, as `kafka-dump-log` prints the marker's type.
    pub fn name(&self) -> &'static str {
        if self.commit { "COMMIT" } else { "ABORT" }
    }
}

/// The idempotence fields of a batch (`RecordBatch` producerId, producerEpoch,
/// baseSequence; KIP-98).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerIds {
    /// The producer id (PID).
    pub id: i64,
    /// The producer epoch.
    pub epoch: i16,
    /// The sequence number of the batch's first record, per partition from 0.
    pub base_sequence: i32,
}

fn is_none_codec(c: &Compression) -> bool {
    *c == Compression::None
}

/// The offsets of a batch the cleaner filtered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cleaned {
    /// Each kept record's offset minus the base offset.
    pub deltas: Vec<u32>,
    /// The original last offset minus the base offset.
    pub last_offset_delta: u32,
    /// KIP-534's delete horizon (ms): set by the first cleaning that kept a tombstone; a
    /// later cleaning past it removes the tombstones (attribute bit 6, stored as the
    /// batch's baseTimestamp).
    pub delete_horizon: Option<u64>,
}

pub use crate::kafka::format::varint::{varint_len, varlong_len};

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
    /// A batch as a producer sends it (the leader sets the base offset and epoch).
    pub fn new(base_offset: u64, leader_epoch: u32, records: Vec<Record>) -> Self {
        Batch {
            base_offset,
            leader_epoch,
            records,
            cleaned: None,
            compression: Compression::None,
            producer: None,
            transactional: false,
            control: None,
        }
    }

    /// A control batch holding `marker`, written for producer `producer` at `timestamp` ms
    /// (transactional, with the producer's id and epoch and sequence -1, as
    /// `MemoryRecords.withEndTransactionMarker` builds it).
    pub fn marker(producer: i64, epoch: i16, marker: ControlMarker, timestamp: u64) -> Self {
        let mut b = Batch::new(
            0,
            0,
            vec![Record {
                key: None,
                value: None,
                timestamp,
            }],
        );
        b.producer = Some(ProducerIds {
            id: producer,
            epoch,
            base_sequence: -1,
        });
        b.transactional = true;
        b.control = Some(marker);
        b
    }

    /// The same batch with a producer's idempotence fields.
    pub fn with_producer(mut self, producer: Option<ProducerIds>) -> Self {
        self.producer = producer;
        self
    }

    /// The sequence number of the batch's last record (`lastSequence`), if it has one.
    pub fn last_sequence(&self) -> Option<i32> {
        let p = self.producer?;
        Some(p.base_sequence + (self.last_offset() - self.base_offset) as i32)
    }

    /// The same batch compressed with `compression`.
    pub fn with_compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Offset of the last record (a cleaned batch keeps its original last offset).
    pub fn last_offset(&self) -> u64 {
        match &self.cleaned {
            Some(c) => self.base_offset + u64::from(c.last_offset_delta),
            None => self.base_offset + self.records.len().saturating_sub(1) as u64,
        }
    }

    /// The offset after the last record.
    pub fn next_offset(&self) -> u64 {
        self.last_offset() + 1
    }

    /// The offset of the `i`-th record.
    pub fn offset_of(&self, i: usize) -> u64 {
        match &self.cleaned {
            Some(c) => self.base_offset + u64::from(c.deltas.get(i).copied().unwrap_or(0)),
            None => self.base_offset + i as u64,
        }
    }

    /// The records with their offsets.
    pub fn with_offsets(&self) -> impl Iterator<Item = (u64, &Record)> {
        self.records
            .iter()
            .enumerate()
            .map(|(i, r)| (self.offset_of(i), r))
    }

    /// The greatest record timestamp (ms), the batch's `maxTimestamp`.
    pub fn max_timestamp(&self) -> u64 {
        self.records.iter().map(|r| r.timestamp).max().unwrap_or(0)
    }

    /// Size in bytes of the batch in v2 format (its encoded length; the log counts the
    /// bytes it stored instead of asking).
    pub fn size_bytes(&self) -> u64 {
        if self.cleaned.is_none() && self.compression == Compression::None && self.control.is_none()
        {
            return batch_size(&self.records);
        }
        self.encode().len() as u64
    }

    /// The batch in record batch v2 form: CreateTime timestamps, the producer's id, epoch
    /// and base sequence (-1 without); a cleaned batch keeps its offsets, and one with a delete horizon
    /// carries it as its base timestamp with attribute bit 6 (KIP-534).
    pub fn to_format(&self) -> RecordBatch {
        let first_ts = self.records.first().map_or(0, |r| r.timestamp) as i64;
        let horizon = self.cleaned.as_ref().and_then(|c| c.delete_horizon);
        let base_ts = horizon.map_or(first_ts, |h| h as i64);
        RecordBatch {
            base_offset: self.base_offset as i64,
            partition_leader_epoch: self.leader_epoch as i32,
            flags: if horizon.is_some() {
                format::batch::DELETE_HORIZON_BIT
            } else {
                0
            } | if self.transactional {
                format::batch::TRANSACTIONAL_BIT
            } else {
                0
            } | if self.control.is_some() {
                format::batch::CONTROL_BIT
            } else {
                0
            },
            compression: self.compression,
            last_offset_delta: (self.last_offset() - self.base_offset) as i32,
            base_timestamp: base_ts,
            max_timestamp: self.max_timestamp() as i64,
            producer_id: self.producer.map_or(-1, |p| p.id),
            producer_epoch: self.producer.map_or(-1, |p| p.epoch),
            base_sequence: self.producer.map_or(-1, |p| p.base_sequence),
            records: self
                .with_offsets()
                .map(|(o, r)| RecordBytes {
                    attributes: 0,
                    timestamp_delta: r.timestamp as i64 - base_ts,
                    offset_delta: (o - self.base_offset) as i32,
                    key: match &self.control {
                        Some(m) => Some(m.key_bytes()),
                        None => r.key.as_ref().map(|k| k.as_bytes().to_vec()),
                    },
                    value: match &self.control {
                        Some(m) => Some(m.value_bytes()),
                        None => r.value.as_ref().map(|v| v.as_bytes().to_vec()),
                    },
                    headers: vec![],
                })
                .collect(),
        }
    }

    /// The batch's bytes as they sit in a `.log` file.
    pub fn encode(&self) -> Vec<u8> {
        self.to_format().encode()
    }

    /// The engine's batch for decoded bytes (keys and values read as UTF-8, lossily).
    pub fn from_format(b: &RecordBatch) -> Batch {
        let base = b.base_offset.max(0) as u64;
        let horizon = (b.flags & format::batch::DELETE_HORIZON_BIT != 0)
            .then_some(b.base_timestamp.max(0) as u64);
        let text =
            |v: &Option<Vec<u8>>| v.as_ref().map(|v| String::from_utf8_lossy(v).into_owned());
        let control = (b.flags & format::batch::CONTROL_BIT != 0)
            .then(|| {
                let r = b.records.first()?;
                ControlMarker::from_bytes(r.key.as_deref(), r.value.as_deref())
            })
            .flatten();
        let records: Vec<Record> = b
            .records
            .iter()
            .map(|r| Record {
                key: if control.is_some() {
                    None
                } else {
                    text(&r.key)
                },
                value: if control.is_some() {
                    None
                } else {
                    text(&r.value)
                },
                timestamp: (b.base_timestamp + r.timestamp_delta).max(0) as u64,
            })
            .collect();
        let deltas: Vec<u32> = b.records.iter().map(|r| r.offset_delta as u32).collect();
        let contiguous = deltas.iter().enumerate().all(|(i, d)| *d as usize == i)
            && b.last_offset_delta as usize + 1 == records.len();
        Batch {
            producer: (b.producer_id >= 0).then_some(ProducerIds {
                id: b.producer_id,
                epoch: b.producer_epoch,
                base_sequence: b.base_sequence,
            }),
            compression: b.compression,
            transactional: b.flags & format::batch::TRANSACTIONAL_BIT != 0,
            control,
            base_offset: base,
            leader_epoch: b.partition_leader_epoch.max(0) as u32,
            records,
            cleaned: (!contiguous || horizon.is_some()).then_some(Cleaned {
                deltas,
                last_offset_delta: b.last_offset_delta as u32,
                delete_horizon: horizon,
            }),
        }
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
    fn size_bytes_is_the_encoded_length() {
        for n in [0, 57, 58, 8185] {
            let b = Batch::new(0, 0, value_of(n));
            assert_eq!(b.size_bytes(), b.encode().len() as u64);
            let back = Batch::from_format(&RecordBatch::decode(&b.encode()).unwrap().0);
            assert_eq!(back, b);
        }
    }

    #[test]
    fn a_commit_marker_is_a_78_byte_control_batch_that_round_trips() {
        let m = ControlMarker {
            commit: true,
            coordinator_epoch: 3,
        };
        let b = Batch::marker(1000, 2, m, 5);
        let bytes = b.encode();
        // 61-byte header, one record: length 1, attributes, deltas, key 4, value 6, headers.
        assert_eq!(bytes.len(), 78);
        assert_eq!(b.size_bytes(), 78);
        let decoded = RecordBatch::decode(&bytes).unwrap().0;
        assert_eq!(decoded.records[0].key.as_deref(), Some(&[0u8, 0, 0, 1][..]));
        assert_eq!(Batch::from_format(&decoded), b);
        let abort = ControlMarker { commit: false, ..m };
        assert_eq!(abort.key_bytes(), vec![0, 0, 0, 0]);
        assert_eq!(abort.name(), "ABORT");
    }
}
