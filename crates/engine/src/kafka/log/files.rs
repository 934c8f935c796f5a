//! The files of a broker's log directory, laid out as Kafka lays out `log.dirs`
//! (reference/protocol-facts.md section 6; `LogFileUtils`, `LeaderEpochCheckpointFile`,
//! `OffsetCheckpointFile`, `LogLoader`, apache/kafka 3.8):
//! ```text
//! recovery-point-offset-checkpoint   0 / count / "<topic> <partition> <offset>" lines
//! log-start-offset-checkpoint        same format
//! replication-offset-checkpoint      same format (high watermarks)
//! cleaner-offset-checkpoint          same format (only when a log was compacted)
//! .kafka_cleanshutdown               after a clean shutdown (empty here)
//! <topic>-<partition>/00000000000000000000.log, .index, .timeindex
//! <topic>-<partition>/leader-epoch-checkpoint   0 / count / "<epoch> <start offset>"
//! ```
//! Segment files are named by their base offset with 20 digits, zero-padded
//! (`LogFileUtils.filenamePrefixFromOffset`). Indexes are shown trimmed to their entries,
//! as a roll or a clean close leaves them (Kafka preallocates the active segment's to
//! `segment.index.bytes` while it is open). Checkpoint entries are sorted by topic and
//! partition (Kafka writes them in its map's order).

use super::PartitionLog;
use crate::kafka::topic::TopicPartition;
use std::collections::BTreeMap;

/// A file's path relative to the log directory, and its bytes.
pub type Files = BTreeMap<String, Vec<u8>>;

/// `<offset>` with 20 digits, zero-padded.
pub fn file_prefix(offset: u64) -> String {
    format!("{offset:020}")
}

/// The `<topic>-<partition>` directory name.
pub fn partition_dir(tp: &TopicPartition) -> String {
    format!("{}-{}", tp.topic, tp.partition)
}

/// The name of the clean-shutdown marker (`LogLoader.CleanShutdownFile`).
pub const CLEAN_SHUTDOWN: &str = ".kafka_cleanshutdown";

/// An offset checkpoint file (`OffsetCheckpointFile`): version 0, the count, then
/// `<topic> <partition> <offset>` per line.
pub fn offset_checkpoint(entries: &BTreeMap<TopicPartition, u64>) -> Vec<u8> {
    let mut s = format!("0\n{}\n", entries.len());
    for (tp, o) in entries {
        s.push_str(&format!("{} {} {o}\n", tp.topic, tp.partition));
    }
    s.into_bytes()
}

/// `leader-epoch-checkpoint`: version 0, the count, then `<epoch> <start offset>` lines.
pub fn epoch_checkpoint(epochs: &[(u32, u64)]) -> Vec<u8> {
    let mut s = format!("0\n{}\n", epochs.len());
    for (e, o) in epochs {
        s.push_str(&format!("{e} {o}\n"));
    }
    s.into_bytes()
}

/// The files of one partition's directory, by name.
///
/// A segment that holds the ABORT marker of a transaction also has a `.txnindex`
/// (`TransactionIndex`): one 34-byte entry per aborted transaction (version 0 as int16,
/// producer id, first offset, last offset and the last stable offset after it, int64s,
/// big-endian).
pub fn partition_files(log: &PartitionLog) -> Files {
    let mut out = Files::new();
    let aborted = if log.batches().any(|b| b.transactional) {
        log.transactions().aborted
    } else {
        Vec::new()
    };
    let segs = log.segments();
    for (i, seg) in segs.iter().enumerate() {
        let p = file_prefix(seg.base_offset);
        out.insert(format!("{p}.log"), seg.log_bytes());
        out.insert(format!("{p}.index"), seg.index_bytes());
        out.insert(format!("{p}.timeindex"), seg.time_index_bytes());
        let end = segs.get(i + 1).map_or(u64::MAX, |n| n.base_offset);
        let entries: Vec<u8> = aborted
            .iter()
            .filter(|a| (seg.base_offset..end).contains(&a.last_offset))
            .flat_map(|a| {
                let mut e = 0i16.to_be_bytes().to_vec();
                e.extend_from_slice(&a.producer_id.to_be_bytes());
                for o in [a.first_offset, a.last_offset, a.last_stable_offset] {
                    e.extend_from_slice(&(o as i64).to_be_bytes());
                }
                e
            })
            .collect();
        if !entries.is_empty() {
            out.insert(format!("{p}.txnindex"), entries);
        }
    }
    out.insert(
        "leader-epoch-checkpoint".into(),
        epoch_checkpoint(log.epochs()),
    );
    out
}

/// Every file of a broker's log directory: its partition logs, the high watermarks
/// (`replication-offset-checkpoint`), and the log-dir checkpoints; `clean` adds the
/// clean-shutdown marker.
pub fn log_dir_files(
    logs: &BTreeMap<TopicPartition, PartitionLog>,
    hw: &BTreeMap<TopicPartition, u64>,
    clean: bool,
) -> Files {
    let mut out = Files::new();
    let mut recovery = BTreeMap::new();
    let mut start = BTreeMap::new();
    let mut cleaner = BTreeMap::new();
    for (tp, log) in logs {
        let dir = partition_dir(tp);
        for (name, bytes) in partition_files(log) {
            out.insert(format!("{dir}/{name}"), bytes);
        }
        recovery.insert(tp.clone(), log.recovery_point());
        start.insert(tp.clone(), log.log_start_offset());
        if log.config().cleanup_policy.compacts() {
            cleaner.insert(tp.clone(), log.cleaner_point());
        }
    }
    out.insert(
        "recovery-point-offset-checkpoint".into(),
        offset_checkpoint(&recovery),
    );
    out.insert(
        "log-start-offset-checkpoint".into(),
        offset_checkpoint(&start),
    );
    out.insert(
        "replication-offset-checkpoint".into(),
        offset_checkpoint(hw),
    );
    if !cleaner.is_empty() {
        out.insert(
            "cleaner-offset-checkpoint".into(),
            offset_checkpoint(&cleaner),
        );
    }
    if clean {
        out.insert(CLEAN_SHUTDOWN.into(), Vec::new());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_checkpoints() {
        assert_eq!(file_prefix(170410), "00000000000000170410");
        assert_eq!(epoch_checkpoint(&[(0, 0), (3, 42)]), b"0\n2\n0 0\n3 42\n");
        let mut m = BTreeMap::new();
        m.insert(TopicPartition::new("orders", 1), 7);
        let bytes = offset_checkpoint(&m);
        assert_eq!(bytes, b"0\n1\norders 1 7\n");
    }

    #[test]
    fn an_aborted_transaction_gets_a_txnindex_entry_in_its_markers_segment() {
        use crate::kafka::record::{Batch, ControlMarker, ProducerIds, Record};
        let mut log = PartitionLog::default();
        let rec = |v: &str| Record {
            key: None,
            value: Some(v.into()),
            timestamp: 0,
        };
        let mut data =
            Batch::new(0, 0, vec![rec("a"), rec("b")]).with_producer(Some(ProducerIds {
                id: 2000,
                epoch: 0,
                base_sequence: 0,
            }));
        data.transactional = true;
        log.append_produced(&data, 0, 0);
        let abort = ControlMarker {
            commit: false,
            coordinator_epoch: 0,
        };
        log.append_produced(&Batch::marker(2000, 0, abort, 0), 0, 0);
        let files = partition_files(&log);
        let idx = &files["00000000000000000000.txnindex"];
        assert_eq!(idx.len(), 34);
        let dumped =
            crate::kafka::log::dump::dump_file("00000000000000000000.txnindex", idx, false);
        assert_eq!(
            dumped.unwrap(),
            vec!["version: 0 producerId: 2000 firstOffset: 0 lastOffset: 2 lastStableOffset: 3"]
        );
    }
}
