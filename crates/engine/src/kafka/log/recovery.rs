//! Loading a partition directory back into a log, as a broker does on start
//! (`LogLoader.load`, `LogSegment.recover`, apache/kafka 3.8): segments by their `.log`
//! names; from the segment holding the recovery point on, every batch is read and checked
//! (header, size, CRC-32C); at the first bad or torn batch the segment is truncated there
//! and later segments are deleted; indexes are rebuilt by the append rule (`recover`
//! re-adds an entry whenever more than `index.interval.bytes` passed since the last). The
//! engine rebuilds every segment's indexes (Kafka keeps the ones below the recovery point
//! after a sanity check; both give the same entries) and the leader epoch cache from the
//! batches' epochs.

use super::PartitionLog;
use super::config::LogConfig;
use super::files::{Files, file_prefix};
use super::segment::Segment;
use crate::kafka::format::RecordBatch;
use crate::kafka::record::Batch;
use serde::Serialize;
use std::sync::Arc;

/// What recovery found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RecoveryReport {
    /// Segments found (base offsets).
    pub segments: Vec<u64>,
    /// Batches checked by CRC (those from the recovery point's segment on).
    pub batches_checked: u64,
    /// Where the log was cut: the segment, the byte position, the bytes dropped and why.
    pub truncated: Option<Truncation>,
    /// Segments deleted because they came after the cut.
    pub deleted_segments: Vec<u64>,
    /// The log end offset after recovery.
    pub leo: u64,
}

/// A cut made by recovery.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Truncation {
    /// The segment's base offset.
    pub segment: u64,
    /// Byte position of the first bad batch.
    pub position: u64,
    /// Bytes removed from that segment.
    pub bytes: u64,
    /// What was wrong there.
    pub reason: String,
}

/// Loads the partition whose files (names relative to its directory) are `files`, with
/// `recovery_point` from `recovery-point-offset-checkpoint` (0 recovers everything) and
/// `log_start_offset` from `log-start-offset-checkpoint`. Bad segment names are errors;
/// bad bytes are cut, never fatal.
pub fn recover(
    files: &Files,
    recovery_point: u64,
    log_start_offset: u64,
    config: LogConfig,
) -> Result<(PartitionLog, RecoveryReport), String> {
    let mut bases = Vec::new();
    for name in files.keys() {
        if let Some(stem) = name.strip_suffix(".log") {
            let base: u64 = stem
                .parse()
                .ok()
                .filter(|_| stem.len() == 20)
                .ok_or(format!(
                    "`{name}` is not a segment name (20 digits then .log)"
                ))?;
            bases.push(base);
        }
    }
    bases.sort_unstable();
    let mut report = RecoveryReport {
        segments: bases.clone(),
        ..RecoveryReport::default()
    };
    // The segment holding the recovery point: recovery checks from there on.
    let check_from = bases
        .iter()
        .rev()
        .find(|b| **b <= recovery_point)
        .copied()
        .unwrap_or(0);
    let mut segments = Vec::new();
    let mut epochs: Vec<(u32, u64)> = Vec::new();
    let mut next_offset = None;
    for (i, &base) in bases.iter().enumerate() {
        if report.truncated.is_some() {
            report.deleted_segments.push(base);
            continue;
        }
        let bytes = &files[&format!("{}.log", file_prefix(base))];
        let mut seg = Segment::new(base);
        let mut pos = 0usize;
        let check = base >= check_from;
        while pos < bytes.len() {
            let decoded = RecordBatch::decode(&bytes[pos..]).and_then(|(b, n)| {
                if (b.base_offset as u64) < base
                    || next_offset.is_some_and(|o| (b.base_offset as u64) < o)
                {
                    Err(crate::kafka::format::FormatError::BadRecord {
                        at: 0,
                        reason: format!("offset {} goes backwards", b.base_offset),
                    })
                } else {
                    Ok((b, n))
                }
            });
            match decoded {
                Ok((b, n)) => {
                    if check {
                        report.batches_checked += 1;
                    }
                    let batch = Arc::new(Batch::from_format(&b));
                    if epochs.last().is_none_or(|(e, _)| batch.leader_epoch > *e) {
                        epochs.push((batch.leader_epoch, batch.base_offset));
                    }
                    next_offset = Some(batch.next_offset());
                    seg.append(
                        batch,
                        bytes[pos..pos + n].into(),
                        0,
                        config.index_interval_bytes,
                    );
                    pos += n;
                }
                Err(e) => {
                    report.truncated = Some(Truncation {
                        segment: base,
                        position: pos as u64,
                        bytes: (bytes.len() - pos) as u64,
                        reason: e.to_string(),
                    });
                    break;
                }
            }
        }
        if i + 1 < bases.len() && report.truncated.is_none() {
            seg.close();
        }
        segments.push(seg);
    }
    let log = PartitionLog::from_parts(segments, log_start_offset, u64::MAX, epochs, config);
    report.leo = log.leo();
    Ok((log, report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::log::files::partition_files;
    use crate::kafka::record::Record;

    fn log_of(n: usize) -> PartitionLog {
        let mut log = PartitionLog::new(LogConfig {
            segment_bytes: 700,
            index_interval_bytes: 150,
            ..LogConfig::default()
        });
        for i in 0..n {
            log.append_as_leader(
                vec![Record {
                    key: Some(format!("k{i}")),
                    value: Some(format!("value number {i}")),
                    timestamp: 1000 + i as u64,
                }],
                (i / 10) as u32,
                0,
            );
        }
        log
    }

    #[test]
    fn a_clean_directory_loads_to_the_same_files() {
        let log = log_of(40);
        assert!(log.segments().len() > 3);
        let files = partition_files(&log);
        let (back, report) = recover(&files, 0, 0, log.config().clone()).unwrap();
        assert_eq!(report.truncated, None);
        assert_eq!(back.leo(), 40);
        assert_eq!(partition_files(&back), files, "same bytes, same indexes");
    }

    #[test]
    fn a_torn_or_corrupt_tail_is_cut_and_every_complete_batch_kept() {
        let log = log_of(40);
        let files = partition_files(&log);
        let last = log.segments().last().unwrap();
        let name = format!("{}.log", file_prefix(last.base_offset));
        let whole = last.batches().len();
        for cut in [1usize, 30, 61] {
            let mut torn = files.clone();
            let bytes = torn.get_mut(&name).unwrap();
            let len = bytes.len();
            bytes.truncate(len - cut);
            let (back, report) = recover(&torn, last.base_offset, 0, log.config().clone()).unwrap();
            let t = report.truncated.expect("cut");
            assert_eq!(t.segment, last.base_offset);
            assert_eq!(
                back.leo(),
                39,
                "only the torn batch is lost ({cut} bytes cut)"
            );
            assert_eq!(back.segments().last().unwrap().batches().len(), whole - 1);
        }
        // A flipped bit in the middle of the second-to-last segment cuts there and deletes
        // the last segment.
        let segs = log.segments();
        let victim = &segs[segs.len() - 2];
        let mut bad = files.clone();
        let pos = victim.batches()[1].position as usize + 40;
        bad.get_mut(&format!("{}.log", file_prefix(victim.base_offset)))
            .unwrap()[pos] ^= 0x10;
        let (back, report) = recover(&bad, 0, 0, log.config().clone()).unwrap();
        assert!(report.truncated.unwrap().reason.contains("CRC"));
        assert_eq!(report.deleted_segments, vec![last.base_offset]);
        assert_eq!(back.leo(), victim.batches()[1].batch.base_offset);
    }
}
