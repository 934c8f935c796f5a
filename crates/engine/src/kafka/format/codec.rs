//! The compression codecs of a record batch: attribute bits 0-2 (`CompressionType` in
//! apache/kafka `clients/.../common/record/CompressionType.java`, 3.8). Everything after
//! the 61-byte header (the records) is compressed as one stream:
//! - gzip: a gzip member (`GZIPOutputStream`, header mtime 0, OS 255), level 6 by default
//!   (`compression.gzip.level`, KIP-390);
//! - snappy: the xerial framing Kafka's `SnappyOutputStream` writes: the 16-byte header
//!   `82 'SNAPPY' 00`, version 1, compatible version 1, then per 32 KiB of input a
//!   big-endian int32 length and a raw snappy block;
//! - lz4: an LZ4 frame as `Lz4BlockOutputStream` writes it: 64 KiB independent blocks, no
//!   block or content checksum, no content size (Kafka 0.10+ computes the descriptor
//!   checksum correctly);
//! - zstd: one zstd frame.
//!
//! The compressed bytes depend on the compressor's implementation (lz4-java, zlib, xerial
//! and zstd-jni do not produce the same bytes as the Rust crates), so two producers agree on
//! what decompresses, not on the compressed bytes; the differential test checks both ways of
//! reading.

use super::FormatError;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};

/// A batch's compression type (attribute bits 0-2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compression {
    /// 0
    #[default]
    None,
    /// 1
    Gzip,
    /// 2
    Snappy,
    /// 3
    Lz4,
    /// 4
    Zstd,
}

const XERIAL_MAGIC: [u8; 8] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0];
const XERIAL_BLOCK: usize = 32 * 1024;

impl Compression {
    /// The attribute bits.
    pub fn id(self) -> u16 {
        match self {
            Compression::None => 0,
            Compression::Gzip => 1,
            Compression::Snappy => 2,
            Compression::Lz4 => 3,
            Compression::Zstd => 4,
        }
    }

    /// The type for attribute bits 0-2, or an error naming the unknown id.
    pub fn from_id(id: u16) -> Result<Self, FormatError> {
        Ok(match id {
            0 => Compression::None,
            1 => Compression::Gzip,
            2 => Compression::Snappy,
            3 => Compression::Lz4,
            4 => Compression::Zstd,
            n => return Err(FormatError::UnknownCompression(n)),
        })
    }

    /// Kafka's name (`compression.type`): none, gzip, snappy, lz4, zstd.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Snappy => "snappy",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }

    /// The type named `s` (as `compression.type` takes it).
    pub fn parse(s: &str) -> Option<Self> {
        [
            Compression::None,
            Compression::Gzip,
            Compression::Snappy,
            Compression::Lz4,
            Compression::Zstd,
        ]
        .into_iter()
        .find(|c| c.name() == s)
    }

    /// `data` compressed with this codec.
    pub fn compress(self, data: &[u8]) -> Vec<u8> {
        match self {
            Compression::None => data.to_vec(),
            Compression::Gzip => {
                let mut e = flate2::GzBuilder::new()
                    .operating_system(255)
                    .write(Vec::new(), flate2::Compression::new(6));
                // Writing to a Vec cannot fail.
                let _ = e.write_all(data);
                e.finish().unwrap_or_default()
            }
            Compression::Snappy => {
                let mut out = XERIAL_MAGIC.to_vec();
                out.extend_from_slice(&1i32.to_be_bytes());
                out.extend_from_slice(&1i32.to_be_bytes());
                let mut enc = snap::raw::Encoder::new();
                for chunk in data.chunks(XERIAL_BLOCK) {
                    let block = enc.compress_vec(chunk).unwrap_or_default();
                    out.extend_from_slice(&(block.len() as i32).to_be_bytes());
                    out.extend_from_slice(&block);
                }
                out
            }
            Compression::Lz4 => {
                let info = lz4_flex::frame::FrameInfo::new()
                    .block_size(lz4_flex::frame::BlockSize::Max64KB)
                    .block_mode(lz4_flex::frame::BlockMode::Independent);
                let mut e = lz4_flex::frame::FrameEncoder::with_frame_info(info, Vec::new());
                let _ = e.write_all(data);
                e.finish().unwrap_or_default()
            }
            Compression::Zstd => {
                ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest)
            }
        }
    }

    /// `data` decompressed, or [`FormatError::Codec`] saying what the codec rejected.
    pub fn decompress(self, data: &[u8]) -> Result<Vec<u8>, FormatError> {
        let codec = |e: String| FormatError::Codec {
            codec: self.name(),
            error: e,
        };
        let mut out = Vec::new();
        match self {
            Compression::None => out.extend_from_slice(data),
            Compression::Gzip => {
                flate2::read::MultiGzDecoder::new(data)
                    .read_to_end(&mut out)
                    .map_err(|e| codec(e.to_string()))?;
            }
            Compression::Snappy => {
                if data.len() >= 16 && data[..8] == XERIAL_MAGIC {
                    let mut pos = 16;
                    let mut dec = snap::raw::Decoder::new();
                    while pos < data.len() {
                        let len_bytes = data
                            .get(pos..pos + 4)
                            .ok_or_else(|| codec(format!("xerial block length cut at {pos}")))?;
                        let len = i32::from_be_bytes([
                            len_bytes[0],
                            len_bytes[1],
                            len_bytes[2],
                            len_bytes[3],
                        ]);
                        pos += 4;
                        let block = usize::try_from(len)
                            .ok()
                            .and_then(|l| data.get(pos..pos + l))
                            .ok_or_else(|| {
                                codec(format!("xerial block of {len} bytes cut at {pos}"))
                            })?;
                        out.extend(
                            dec.decompress_vec(block)
                                .map_err(|e| codec(e.to_string()))?,
                        );
                        pos += block.len();
                    }
                } else {
                    out = snap::raw::Decoder::new()
                        .decompress_vec(data)
                        .map_err(|e| codec(e.to_string()))?;
                }
            }
            Compression::Lz4 => {
                lz4_flex::frame::FrameDecoder::new(data)
                    .read_to_end(&mut out)
                    .map_err(|e| codec(e.to_string()))?;
            }
            Compression::Zstd => {
                let mut d = ruzstd::decoding::StreamingDecoder::new(data)
                    .map_err(|e| codec(e.to_string()))?;
                d.read_to_end(&mut out).map_err(|e| codec(e.to_string()))?;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_codec_round_trips() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        for c in [
            Compression::None,
            Compression::Gzip,
            Compression::Snappy,
            Compression::Lz4,
            Compression::Zstd,
        ] {
            let z = c.compress(&data);
            assert_eq!(c.decompress(&z).unwrap(), data, "{}", c.name());
            assert_eq!(Compression::from_id(c.id()).unwrap(), c);
            assert_eq!(Compression::parse(c.name()), Some(c));
        }
        let gz = Compression::Gzip.compress(b"x");
        assert_eq!(&gz[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
        let lz = Compression::Lz4.compress(b"x");
        assert_eq!(&lz[..6], &[0x04, 0x22, 0x4d, 0x18, 0x60, 0x40]);
        assert!(Compression::Gzip.decompress(b"nope").is_err());
    }
}
