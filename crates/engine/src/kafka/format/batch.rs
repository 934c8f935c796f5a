//! Record batch v2 (magic 2) as bytes: the encoder and decoder of `DefaultRecordBatch` and
//! `DefaultRecord` (apache/kafka `clients/.../common/record/`, 3.8; the layout is in
//! reference/protocol-facts.md section 7). A 61-byte big-endian header, then the records,
//! compressed as one stream when attribute bits 0-2 say so. The CRC is CRC-32C over
//! attributes..end, so a broker can stamp `baseOffset` and `partitionLeaderEpoch` without
//! recomputing it (`DefaultRecordBatch.setLastOffset`, `setPartitionLeaderEpoch`).

use super::FormatError;
use super::codec::Compression;
use super::varint::{Reader, put_varint, put_varlong, varint_len, varlong_len};
use serde::{Deserialize, Serialize};

/// `RECORD_BATCH_OVERHEAD`: the v2 header, 61 bytes.
pub const HEADER_BYTES: usize = 61;
/// `LOG_OVERHEAD`: baseOffset and length, 12 bytes; `length` counts what follows them.
pub const LOG_OVERHEAD: usize = 12;
/// Byte offset of `partitionLeaderEpoch` in the header.
pub const EPOCH_OFFSET: usize = 12;
/// Byte offset of the CRC.
pub const CRC_OFFSET: usize = 17;
/// Byte offset of the attributes, where the CRC starts.
pub const ATTRIBUTES_OFFSET: usize = 21;

/// Attribute bit 3: `LogAppendTime` timestamps.
pub const TIMESTAMP_TYPE_BIT: u16 = 1 << 3;
/// Attribute bit 4: part of a transaction.
pub const TRANSACTIONAL_BIT: u16 = 1 << 4;
/// Attribute bit 5: a control batch (commit and abort markers).
pub const CONTROL_BIT: u16 = 1 << 5;
/// Attribute bit 6: `baseTimestamp` is the delete horizon (KIP-534).
pub const DELETE_HORIZON_BIT: u16 = 1 << 6;

/// A record header (`RecordHeader`): a UTF-8 key and an optional value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Key, UTF-8.
    pub key: String,
    /// Value, or none (a length of -1).
    pub value: Option<Vec<u8>>,
}

/// One record of a v2 batch (`DefaultRecord`), its deltas relative to the batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordBytes {
    /// The record's attributes byte (unused by Kafka, 0).
    pub attributes: i8,
    /// Timestamp minus the batch's `baseTimestamp`, ms.
    pub timestamp_delta: i64,
    /// Offset minus the batch's `baseOffset`.
    pub offset_delta: i32,
    /// Key, or none (length -1).
    pub key: Option<Vec<u8>>,
    /// Value, or none (length -1: a tombstone).
    pub value: Option<Vec<u8>>,
    /// Headers, in order.
    pub headers: Vec<Header>,
}

/// A record batch: the header fields and the records, decoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordBatch {
    /// Offset of the first record.
    pub base_offset: i64,
    /// Epoch of the leader that appended it (-1 from a producer).
    pub partition_leader_epoch: i32,
    /// Attributes without the compression bits (timestamp type, transactional, control,
    /// delete horizon).
    pub flags: u16,
    /// Compression of the records.
    pub compression: Compression,
    /// Last offset minus base offset.
    pub last_offset_delta: i32,
    /// Timestamp of the first record, ms.
    pub base_timestamp: i64,
    /// Greatest timestamp in the batch, ms.
    pub max_timestamp: i64,
    /// Producer id, or -1.
    pub producer_id: i64,
    /// Producer epoch, or -1.
    pub producer_epoch: i16,
    /// Sequence number of the first record, or -1.
    pub base_sequence: i32,
    /// The records.
    pub records: Vec<RecordBytes>,
}

/// The fixed header of a batch, read without touching the records (what
/// `FileLogInputStream.FileChannelRecordBatch` reads when a log is scanned).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BatchHeader {
    /// First offset.
    pub base_offset: i64,
    /// Bytes after the length field.
    pub length: i32,
    /// Leader epoch.
    pub partition_leader_epoch: i32,
    /// Magic byte (2).
    pub magic: i8,
    /// Stored CRC-32C.
    pub crc: u32,
    /// Attributes (compression in bits 0-2).
    pub attributes: u16,
    /// Last offset minus base offset.
    pub last_offset_delta: i32,
    /// First timestamp, ms.
    pub base_timestamp: i64,
    /// Greatest timestamp, ms.
    pub max_timestamp: i64,
    /// Producer id.
    pub producer_id: i64,
    /// Producer epoch.
    pub producer_epoch: i16,
    /// First sequence.
    pub base_sequence: i32,
    /// Number of records.
    pub records_count: i32,
}

impl BatchHeader {
    /// The whole batch's size in bytes: `length` + 12.
    pub fn size(&self) -> usize {
        self.length as usize + LOG_OVERHEAD
    }

    /// The batch's last offset.
    pub fn last_offset(&self) -> i64 {
        self.base_offset + i64::from(self.last_offset_delta)
    }

    /// The compression type named by attribute bits 0-2.
    pub fn compression(&self) -> Result<Compression, FormatError> {
        Compression::from_id(self.attributes & 7)
    }

    /// Whether this is a control batch (transaction markers).
    pub fn is_control(&self) -> bool {
        self.attributes & CONTROL_BIT != 0
    }

    /// Whether this batch belongs to a transaction.
    pub fn is_transactional(&self) -> bool {
        self.attributes & TRANSACTIONAL_BIT != 0
    }
}

fn be<const N: usize>(s: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&s[..N]);
    a
}

/// Reads the header of the batch at the start of `buf`. Errors: fewer than 61 bytes, a
/// magic other than 2, or a length shorter than a header.
pub fn read_header(buf: &[u8]) -> Result<BatchHeader, FormatError> {
    if buf.len() < HEADER_BYTES {
        return Err(FormatError::Truncated {
            what: "batch header",
            at: 0,
            need: HEADER_BYTES,
            have: buf.len(),
        });
    }
    let h = BatchHeader {
        base_offset: i64::from_be_bytes(be(&buf[0..])),
        length: i32::from_be_bytes(be(&buf[8..])),
        partition_leader_epoch: i32::from_be_bytes(be(&buf[12..])),
        magic: buf[16] as i8,
        crc: u32::from_be_bytes(be(&buf[17..])),
        attributes: u16::from_be_bytes(be(&buf[21..])),
        last_offset_delta: i32::from_be_bytes(be(&buf[23..])),
        base_timestamp: i64::from_be_bytes(be(&buf[27..])),
        max_timestamp: i64::from_be_bytes(be(&buf[35..])),
        producer_id: i64::from_be_bytes(be(&buf[43..])),
        producer_epoch: i16::from_be_bytes(be(&buf[51..])),
        base_sequence: i32::from_be_bytes(be(&buf[53..])),
        records_count: i32::from_be_bytes(be(&buf[57..])),
    };
    if h.magic != 2 {
        return Err(FormatError::BadMagic(h.magic));
    }
    if (h.length as i64) < (HEADER_BYTES - LOG_OVERHEAD) as i64 {
        return Err(FormatError::BadLength(h.length));
    }
    Ok(h)
}

/// CRC-32C (Castagnoli) of `bytes` (`Crc32C.compute`).
pub fn crc32c(bytes: &[u8]) -> u32 {
    crc32c::crc32c(bytes)
}

impl RecordBytes {
    fn body_len(&self) -> usize {
        let opt = |b: &Option<Vec<u8>>| match b {
            Some(b) => varint_len(b.len() as i32) as usize + b.len(),
            None => 1,
        };
        1 + varlong_len(self.timestamp_delta) as usize
            + varint_len(self.offset_delta) as usize
            + opt(&self.key)
            + opt(&self.value)
            + varint_len(self.headers.len() as i32) as usize
            + self
                .headers
                .iter()
                .map(|h| varint_len(h.key.len() as i32) as usize + h.key.len() + opt(&h.value))
                .sum::<usize>()
    }

    /// Size in bytes inside a batch (`DefaultRecord.sizeInBytes`): the length varint and
    /// the body.
    pub fn size(&self) -> usize {
        let body = self.body_len();
        varint_len(body as i32) as usize + body
    }

    fn write(&self, out: &mut Vec<u8>) {
        put_varint(out, self.body_len() as i32);
        out.push(self.attributes as u8);
        put_varlong(out, self.timestamp_delta);
        put_varint(out, self.offset_delta);
        put_bytes(out, self.key.as_deref());
        put_bytes(out, self.value.as_deref());
        put_varint(out, self.headers.len() as i32);
        for h in &self.headers {
            put_bytes(out, Some(h.key.as_bytes()));
            put_bytes(out, h.value.as_deref());
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, FormatError> {
        let len = r.varint("record length")?;
        let start = r.pos();
        let attributes = r.take(1, "record attributes")?[0] as i8;
        let timestamp_delta = r.varlong("timestamp delta")?;
        let offset_delta = r.varint("offset delta")?;
        let key = read_bytes(r, "key")?;
        let value = read_bytes(r, "value")?;
        let count = r.varint("header count")?;
        if count < 0 {
            return Err(FormatError::BadRecord {
                at: start,
                reason: format!("header count {count}"),
            });
        }
        let mut headers = Vec::new();
        for _ in 0..count {
            let k = read_bytes(r, "header key")?.ok_or(FormatError::BadRecord {
                at: r.pos(),
                reason: "a header key of length -1".into(),
            })?;
            let key = String::from_utf8(k).map_err(|_| FormatError::BadRecord {
                at: r.pos(),
                reason: "a header key that is not UTF-8".into(),
            })?;
            headers.push(Header {
                key,
                value: read_bytes(r, "header value")?,
            });
        }
        if r.pos() - start != len as usize {
            return Err(FormatError::BadRecord {
                at: start,
                reason: format!(
                    "length says {len} bytes but the fields take {}",
                    r.pos() - start
                ),
            });
        }
        Ok(RecordBytes {
            attributes,
            timestamp_delta,
            offset_delta,
            key,
            value,
            headers,
        })
    }
}

fn put_bytes(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        Some(b) => {
            put_varint(out, b.len() as i32);
            out.extend_from_slice(b);
        }
        None => put_varint(out, -1),
    }
}

fn read_bytes(r: &mut Reader<'_>, what: &'static str) -> Result<Option<Vec<u8>>, FormatError> {
    let len = r.varint(what)?;
    if len < 0 {
        return Ok(None);
    }
    Ok(Some(r.take(len as usize, what)?.to_vec()))
}

impl RecordBatch {
    /// The attributes field: flags and compression bits.
    pub fn attributes(&self) -> u16 {
        self.flags | self.compression.id()
    }

    /// The batch as bytes, exactly as `MemoryRecordsBuilder` writes it: records (compressed
    /// as one stream when asked), then the header with `length` and the CRC-32C.
    pub fn encode(&self) -> Vec<u8> {
        let mut records = Vec::new();
        for r in &self.records {
            r.write(&mut records);
        }
        let body = self.compression.compress(&records);
        let mut out = Vec::with_capacity(HEADER_BYTES + body.len());
        out.extend_from_slice(&self.base_offset.to_be_bytes());
        let length = (HEADER_BYTES - LOG_OVERHEAD + body.len()) as i32;
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&self.partition_leader_epoch.to_be_bytes());
        out.push(2);
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&self.attributes().to_be_bytes());
        out.extend_from_slice(&self.last_offset_delta.to_be_bytes());
        out.extend_from_slice(&self.base_timestamp.to_be_bytes());
        out.extend_from_slice(&self.max_timestamp.to_be_bytes());
        out.extend_from_slice(&self.producer_id.to_be_bytes());
        out.extend_from_slice(&self.producer_epoch.to_be_bytes());
        out.extend_from_slice(&self.base_sequence.to_be_bytes());
        out.extend_from_slice(&(self.records.len() as i32).to_be_bytes());
        out.extend_from_slice(&body);
        let crc = crc32c(&out[ATTRIBUTES_OFFSET..]);
        out[CRC_OFFSET..CRC_OFFSET + 4].copy_from_slice(&crc.to_be_bytes());
        out
    }

    /// Decodes the batch at the start of `buf`, checking the CRC; returns it and its size
    /// in bytes. Errors name what was wrong and the byte position inside the batch.
    pub fn decode(buf: &[u8]) -> Result<(RecordBatch, usize), FormatError> {
        let h = read_header(buf)?;
        let size = h.size();
        if buf.len() < size {
            return Err(FormatError::Truncated {
                what: "batch",
                at: 0,
                need: size,
                have: buf.len(),
            });
        }
        let computed = crc32c(&buf[ATTRIBUTES_OFFSET..size]);
        if computed != h.crc {
            return Err(FormatError::CrcMismatch {
                stored: h.crc,
                computed,
            });
        }
        let compression = h.compression()?;
        let raw = compression.decompress(&buf[HEADER_BYTES..size])?;
        let mut r = Reader::new(&raw);
        let mut records = Vec::new();
        for _ in 0..h.records_count.max(0) {
            records.push(RecordBytes::read(&mut r)?);
        }
        if r.remaining() != 0 {
            return Err(FormatError::BadRecord {
                at: r.pos(),
                reason: format!(
                    "{} bytes left after the {} records the header counts",
                    r.remaining(),
                    h.records_count
                ),
            });
        }
        Ok((
            RecordBatch {
                base_offset: h.base_offset,
                partition_leader_epoch: h.partition_leader_epoch,
                flags: h.attributes & !7,
                compression,
                last_offset_delta: h.last_offset_delta,
                base_timestamp: h.base_timestamp,
                max_timestamp: h.max_timestamp,
                producer_id: h.producer_id,
                producer_epoch: h.producer_epoch,
                base_sequence: h.base_sequence,
                records,
            },
            size,
        ))
    }
}

/// Sets `baseOffset` and `partitionLeaderEpoch` of the encoded batch in `bytes`, as the
/// leader does on append; the CRC does not cover them, so it stays valid.
pub fn stamp(bytes: &mut [u8], base_offset: i64, leader_epoch: i32) {
    bytes[0..8].copy_from_slice(&base_offset.to_be_bytes());
    bytes[EPOCH_OFFSET..EPOCH_OFFSET + 4].copy_from_slice(&leader_epoch.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(value: &[u8]) -> RecordBatch {
        RecordBatch {
            base_offset: 0,
            partition_leader_epoch: -1,
            flags: 0,
            compression: Compression::None,
            last_offset_delta: 0,
            base_timestamp: 1_700_000_000_000,
            max_timestamp: 1_700_000_000_000,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            records: vec![RecordBytes {
                attributes: 0,
                timestamp_delta: 0,
                offset_delta: 0,
                key: Some(b"k".to_vec()),
                value: Some(value.to_vec()),
                headers: vec![],
            }],
        }
    }

    #[test]
    fn the_k_v_batch_is_70_bytes_and_round_trips() {
        // reference/protocol-facts.md section 7: the batch `k`/`v` at 1700000000000 is 70
        // bytes.
        let b = one(b"v");
        let bytes = b.encode();
        assert_eq!(bytes.len(), 70);
        assert_eq!(bytes[16], 2);
        let (back, n) = RecordBatch::decode(&bytes).unwrap();
        assert_eq!((back, n), (b, 70));
    }

    #[test]
    fn stamping_keeps_the_crc_and_corruption_is_caught() {
        let mut bytes = one(b"v").encode();
        stamp(&mut bytes, 42, 7);
        let (b, _) = RecordBatch::decode(&bytes).unwrap();
        assert_eq!((b.base_offset, b.partition_leader_epoch), (42, 7));
        bytes[65] ^= 1;
        assert!(matches!(
            RecordBatch::decode(&bytes),
            Err(FormatError::CrcMismatch { .. })
        ));
        assert!(matches!(
            RecordBatch::decode(&bytes[..40]),
            Err(FormatError::Truncated { .. })
        ));
    }

    #[test]
    fn compressed_batches_round_trip() {
        for c in [
            Compression::Gzip,
            Compression::Snappy,
            Compression::Lz4,
            Compression::Zstd,
        ] {
            let mut b = one(&[b'a'; 500]);
            b.compression = c;
            b.records[0].headers.push(Header {
                key: "h".into(),
                value: None,
            });
            let bytes = b.encode();
            assert!(bytes.len() < 300, "{} compresses", c.name());
            assert_eq!(RecordBatch::decode(&bytes).unwrap().0, b);
        }
    }
}
