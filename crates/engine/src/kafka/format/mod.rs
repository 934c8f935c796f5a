//! Kafka's bytes: record batch v2 ([`batch`]), its varints ([`varint`]) and compression
//! codecs ([`codec`]). Pure functions over byte slices; the log and the storage backends
//! build on them.

pub mod batch;
pub mod codec;
pub mod varint;

pub use batch::{BatchHeader, Header, RecordBatch, RecordBytes};
pub use codec::Compression;

/// What is wrong with bytes that should be a record batch. Positions are byte offsets from
/// the start of the batch (or of the decompressed records, for record errors).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// Fewer bytes than the field needs.
    #[error("{what} cut short at byte {at}: needs {need} bytes, {have} left")]
    Truncated {
        /// The field.
        what: &'static str,
        /// Where it starts.
        at: usize,
        /// Bytes it needs.
        need: usize,
        /// Bytes there are.
        have: usize,
    },
    /// A varint longer than its type allows.
    #[error("{what} at byte {at} is not a valid varint")]
    BadVarint {
        /// The field.
        what: &'static str,
        /// Where it starts.
        at: usize,
    },
    /// The magic byte is not 2.
    #[error("magic byte {0} (only record batch v2, magic 2, is supported)")]
    BadMagic(i8),
    /// The batch length is shorter than a header.
    #[error("batch length {0} is shorter than a v2 header")]
    BadLength(i32),
    /// The stored CRC does not match the bytes.
    #[error("CRC mismatch: stored {stored:#010x}, computed {computed:#010x}")]
    CrcMismatch {
        /// From the header.
        stored: u32,
        /// Over attributes..end.
        computed: u32,
    },
    /// Attribute bits 0-2 name no codec.
    #[error("unknown compression type {0}")]
    UnknownCompression(u16),
    /// The codec rejected the records.
    #[error("{codec} could not decompress the records: {error}")]
    Codec {
        /// The codec's name.
        codec: &'static str,
        /// What it said.
        error: String,
    },
    /// A record's fields do not fit together.
    #[error("bad record at byte {at}: {reason}")]
    BadRecord {
        /// Where the record starts (in the decompressed records).
        at: usize,
        /// What is wrong.
        reason: String,
    },
}
