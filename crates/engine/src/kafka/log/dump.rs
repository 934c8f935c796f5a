//! What `kafka-dump-log.sh` prints for a segment's files (`DumpLogSegments`, apache/kafka
//! 3.8, core/.../tools/DumpLogSegments.scala): for a `.log`, `Log starting offset: N` then
//! one line per batch (`baseOffset: ... position: ... CreateTime: ... size: ... crc: ...
//! isvalid: true`) and, with `print_data`, one `| offset: ...` line per record with its key
//! and payload; for an `.index`, `offset: O position: P`; for a `.timeindex`,
//! `timestamp: T offset: O`; for a `.txnindex`, `version: 0 producerId: P firstOffset: F
//! lastOffset: L lastStableOffset: S`; a control batch's record ends with
//! `endTxnMarker: COMMIT coordinatorEpoch: E`. Bytes after the last whole batch are reported as Kafka does
//! (`Found N invalid bytes at the end of ...`); a batch whose CRC does not match prints
//! `isvalid: false`.

use super::files::Files;
use super::segment::{IndexEntry, TimeIndexEntry};
use crate::kafka::format::{RecordBatch, batch::crc32c, batch::read_header};

fn text(b: &Option<Vec<u8>>) -> Option<String> {
    b.as_ref().map(|b| String::from_utf8_lossy(b).into_owned())
}

/// The dump of one file named `name` (the name decides the kind; the base offset comes
/// from it). Unknown kinds give an error naming the file.
pub fn dump_file(name: &str, bytes: &[u8], print_data: bool) -> Result<Vec<String>, String> {
    let base_name = name.rsplit('/').next().unwrap_or(name);
    let stem = base_name.split('.').next().unwrap_or("");
    let base: u64 = stem.parse().unwrap_or(0);
    let mut out = Vec::new();
    if base_name.ends_with(".log") {
        out.push(format!("Log starting offset: {base}"));
        let mut pos = 0usize;
        while pos < bytes.len() {
            let Ok(h) = read_header(&bytes[pos..]) else {
                break;
            };
            if pos + h.size() > bytes.len() {
                break;
            }
            let raw = &bytes[pos..pos + h.size()];
            let valid = crc32c(&raw[21..]) == h.crc;
            let count = h.records_count;
            let last_seq = if h.base_sequence < 0 {
                -1
            } else {
                h.base_sequence.wrapping_add(h.last_offset_delta)
            };
            let horizon = if h.attributes & crate::kafka::format::batch::DELETE_HORIZON_BIT != 0 {
                format!("OptionalLong[{}]", h.base_timestamp)
            } else {
                "OptionalLong.empty".into()
            };
            let ts_type = if h.attributes & crate::kafka::format::batch::TIMESTAMP_TYPE_BIT != 0 {
                "LogAppendTime"
            } else {
                "CreateTime"
            };
            let codec = h.compression().map_or("unknown", |c| c.name());
            out.push(format!(
                "baseOffset: {} lastOffset: {} count: {count} baseSequence: {} lastSequence: {last_seq} producerId: {} producerEpoch: {} partitionLeaderEpoch: {} isTransactional: {} isControl: {} deleteHorizonMs: {horizon} position: {pos} {ts_type}: {} size: {} magic: 2 compresscodec: {codec} crc: {} isvalid: {valid}",
                h.base_offset,
                h.last_offset(),
                h.base_sequence,
                h.producer_id,
                h.producer_epoch,
                h.partition_leader_epoch,
                h.is_transactional(),
                h.is_control(),
                h.max_timestamp,
                h.size(),
                h.crc,
            ));
            if print_data && let Ok((b, _)) = RecordBatch::decode(raw) {
                for r in &b.records {
                    let seq = if b.base_sequence < 0 {
                        -1
                    } else {
                        b.base_sequence.wrapping_add(r.offset_delta)
                    };
                    let keys: Vec<&str> = r.headers.iter().map(|h| h.key.as_str()).collect();
                    let mut line = format!(
                        "| offset: {} {ts_type}: {} keySize: {} valueSize: {} sequence: {seq} headerKeys: [{}]",
                        b.base_offset + i64::from(r.offset_delta),
                        b.base_timestamp + r.timestamp_delta,
                        r.key.as_ref().map_or(-1, |k| k.len() as i64),
                        r.value.as_ref().map_or(-1, |v| v.len() as i64),
                        keys.join(","),
                    );
                    if h.is_control() {
                        let marker = crate::kafka::record::ControlMarker::from_bytes(
                            r.key.as_deref(),
                            r.value.as_deref(),
                        );
                        if let Some(m) = marker {
                            line.push_str(&format!(
                                " endTxnMarker: {} coordinatorEpoch: {}",
                                m.name(),
                                m.coordinator_epoch
                            ));
                        }
                    } else {
                        if let Some(k) = text(&r.key) {
                            line.push_str(&format!(" key: {k}"));
                        }
                        if let Some(v) = text(&r.value) {
                            line.push_str(&format!(" payload: {v}"));
                        }
                    }
                    out.push(line);
                }
            }
            pos += h.size();
        }
        if pos < bytes.len() {
            out.push(format!(
                "Found {} invalid bytes at the end of {base_name}",
                bytes.len() - pos
            ));
        }
    } else if base_name.ends_with(".index") {
        for e in IndexEntry::parse(bytes) {
            if e.relative_offset == 0 && !out.is_empty() {
                break; // preallocated zeros
            }
            out.push(format!(
                "offset: {} position: {}",
                base + u64::from(e.relative_offset),
                e.position
            ));
        }
    } else if base_name.ends_with(".timeindex") {
        for e in TimeIndexEntry::parse(bytes) {
            if e.timestamp == 0 && e.relative_offset == 0 && !out.is_empty() {
                break;
            }
            out.push(format!(
                "timestamp: {} offset: {}",
                e.timestamp,
                base + u64::from(e.relative_offset)
            ));
        }
    } else if base_name.ends_with(".txnindex") {
        // `DumpLogSegments.dumpTxnIndex`: 34-byte entries.
        for e in bytes.chunks(34) {
            if e.len() < 34 {
                out.push(format!(
                    "Found {} invalid bytes at the end of {base_name}",
                    e.len()
                ));
                break;
            }
            let i64_at = |k: usize| {
                let mut b = [0u8; 8];
                b.copy_from_slice(&e[k..k + 8]);
                i64::from_be_bytes(b)
            };
            out.push(format!(
                "version: {} producerId: {} firstOffset: {} lastOffset: {} lastStableOffset: {}",
                i16::from_be_bytes([e[0], e[1]]),
                i64_at(2),
                i64_at(10),
                i64_at(18),
                i64_at(26)
            ));
        }
    } else if base_name.ends_with("checkpoint") || base_name == super::files::CLEAN_SHUTDOWN {
        out.extend(String::from_utf8_lossy(bytes).lines().map(str::to_string));
    } else {
        return Err(format!(
            "{name}: not a .log, .index, .timeindex, .txnindex or checkpoint file"
        ));
    }
    Ok(out)
}

/// Problems `zkafka log verify` finds in one partition directory's files (names
/// relative to it): torn or corrupt batches (by recovery's reading), index entries that do
/// not point at a batch ending at their offset (`DumpLogSegments`' index check), and time
/// index entries out of order. Empty when the directory is sound.
pub fn verify_partition(files: &Files) -> Vec<String> {
    let mut problems = Vec::new();
    match super::recovery::recover(files, 0, 0, super::config::LogConfig::default()) {
        Err(e) => problems.push(e),
        Ok((_, report)) => {
            if let Some(t) = report.truncated {
                problems.push(format!(
                    "{:020}.log: {} bytes from position {} are not whole valid batches: {}",
                    t.segment, t.bytes, t.position, t.reason
                ));
            }
            for s in report.deleted_segments {
                problems.push(format!("{s:020}.log comes after a damaged segment"));
            }
        }
    }
    for (name, bytes) in files {
        let Some(stem) = name.strip_suffix(".index") else {
            continue;
        };
        let log = files
            .get(&format!("{stem}.log"))
            .cloned()
            .unwrap_or_default();
        let base: u64 = stem.parse().unwrap_or(0);
        for e in IndexEntry::parse(bytes) {
            let (rel, p) = (e.relative_offset, e.position as usize);
            let found = log.get(p..).and_then(|s| read_header(s).ok());
            match found {
                Some(h) if h.last_offset() as u64 == base + u64::from(rel) => {}
                Some(h) => problems.push(format!(
                    "{name}: entry offset {} position {p} points at a batch ending at {}",
                    base + u64::from(rel),
                    h.last_offset()
                )),
                None => problems.push(format!(
                    "{name}: entry offset {} position {p} points at no batch",
                    base + u64::from(rel)
                )),
            }
        }
        if bytes.len() % 8 != 0 {
            problems.push(format!(
                "{name}: {} bytes is not a whole number of 8-byte entries",
                bytes.len()
            ));
        }
    }
    for (name, bytes) in files {
        if !name.ends_with(".timeindex") {
            continue;
        }
        let mut prev = i64::MIN;
        for e in TimeIndexEntry::parse(bytes) {
            let ts = e.timestamp;
            if ts <= prev {
                problems.push(format!(
                    "{name}: timestamp {ts} after {prev} is out of order"
                ));
            }
            prev = ts;
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::log::PartitionLog;
    use crate::kafka::log::config::LogConfig;
    use crate::kafka::log::files::partition_files;
    use crate::kafka::record::Record;

    #[test]
    fn dump_lines_look_like_kafka_dump_log() {
        let mut log = PartitionLog::new(LogConfig {
            index_interval_bytes: 10,
            ..LogConfig::default()
        });
        for i in 0..3 {
            log.append_as_leader(
                vec![Record {
                    key: Some(format!("k{i}")),
                    value: Some(format!("v{i}")),
                    timestamp: 1_700_000_000_000,
                }],
                0,
                0,
            );
        }
        let files = partition_files(&log);
        let lines = dump_file(
            "00000000000000000000.log",
            &files["00000000000000000000.log"],
            true,
        )
        .unwrap();
        assert_eq!(lines[0], "Log starting offset: 0");
        assert!(lines[1].starts_with("baseOffset: 0 lastOffset: 0 count: 1 baseSequence: -1 lastSequence: -1 producerId: -1 producerEpoch: -1 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong.empty position: 0 CreateTime: 1700000000000 size: 72 magic: 2 compresscodec: none crc: "));
        assert!(lines[1].ends_with("isvalid: true"));
        assert_eq!(
            lines[2],
            "| offset: 0 CreateTime: 1700000000000 keySize: 2 valueSize: 2 sequence: -1 headerKeys: [] key: k0 payload: v0"
        );
        let idx = dump_file(
            "00000000000000000000.index",
            &files["00000000000000000000.index"],
            false,
        )
        .unwrap();
        assert_eq!(
            idx,
            vec!["offset: 1 position: 72", "offset: 2 position: 144"]
        );
        assert!(verify_partition(&files).is_empty());
        let mut bad = files.clone();
        bad.get_mut("00000000000000000000.log")
            .unwrap()
            .truncate(200);
        let problems = verify_partition(&bad);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("not whole valid batches")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.contains("points at no batch")),
            "{problems:?}"
        );
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use crate::kafka::format::Compression;
    use crate::kafka::log::PartitionLog;
    use crate::kafka::log::config::LogConfig;
    use crate::kafka::log::files::partition_files;
    use crate::kafka::record::{Batch, Record};
    use crate::sim::rng::SimRng;

    /// Damaged files (bytes flipped, cut, or spliced in) never make dump, verify or
    /// recovery panic, whatever the codec.
    #[test]
    fn damaged_segments_never_panic() {
        let mut rng = SimRng::new(9);
        for codec in [Compression::None, Compression::Gzip, Compression::Lz4] {
            let mut log = PartitionLog::new(LogConfig {
                segment_bytes: 600,
                index_interval_bytes: 100,
                ..LogConfig::default()
            });
            for i in 0..30u64 {
                let recs = (0..3)
                    .map(|j| Record {
                        key: Some(format!("k{i}-{j}")),
                        value: Some("v".repeat((i % 7) as usize)),
                        timestamp: i * 10,
                    })
                    .collect();
                let b = Batch::new(log.leo(), 0, recs).with_compression(codec);
                log.append_produced(&b, 0, 0);
            }
            let files = partition_files(&log);
            for _ in 0..120 {
                let mut bad = files.clone();
                let names: Vec<String> = bad.keys().cloned().collect();
                let name = &names[rng.below(names.len() as u64) as usize];
                let bytes = bad.get_mut(name).expect("file");
                match rng.below(3) {
                    0 if !bytes.is_empty() => {
                        let i = rng.below(bytes.len() as u64) as usize;
                        bytes[i] ^= 1 << rng.below(8);
                    }
                    1 => {
                        let keep = rng.below(bytes.len() as u64 + 1) as usize;
                        bytes.truncate(keep);
                    }
                    _ => {
                        let at = rng.below(bytes.len() as u64 + 1) as usize;
                        let junk: Vec<u8> =
                            (0..rng.below(80)).map(|_| rng.below(256) as u8).collect();
                        bytes.splice(at..at, junk);
                    }
                }
                for (n, b) in &bad {
                    let _ = dump_file(n, b, true);
                }
                let _ = verify_partition(&bad);
            }
        }
    }
}
