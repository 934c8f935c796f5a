//! A partition's transactions as its log tells them (`ProducerStateManager`'s ongoing and
//! unreplicated transactions, `TransactionIndex` / `.txnindex`; KIP-98, Kafka 3.8).
//!
//! A transaction starts at the first transactional data batch of a producer id and ends
//! at that producer's next control batch (its commit or abort marker). The state is
//! rebuilt from the batches each time, as Kafka rebuilds it from the log on load, so a
//! truncated or recovered log is always consistent with it.
//!
//! - The **first unstable offset** is the first offset of the earliest transaction that is
//!   still open, or whose marker is not yet below the high watermark
//!   (`ProducerStateManager.firstUnstableOffset`: ongoing and unreplicated transactions).
//! - The **last stable offset** (LSO) is `min(first unstable offset, HW)`
//!   (`UnifiedLog.lastStableOffset`): read_committed consumers read below it.
//! - An aborted transaction is listed with its producer id, its first offset and its
//!   marker's offset (`AbortedTxn`: the `.txnindex` entry), which a read_committed
//!   consumer uses to drop the aborted data it fetched.

use super::PartitionLog;
use crate::kafka::record::Batch;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An aborted transaction (`AbortedTxn`, one `.txnindex` entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbortedTxn {
    /// The producer id.
    pub producer_id: i64,
    /// Offset of the transaction's first data record.
    pub first_offset: u64,
    /// Offset of its ABORT marker.
    pub last_offset: u64,
    /// The last stable offset once it completed (`ProducerStateManager.lastStableOffset`:
    /// the first offset of the earliest other open transaction, else the marker's offset
    /// + 1), as the `.txnindex` entry keeps it.
    #[serde(default)]
    pub last_stable_offset: u64,
}

impl AbortedTxn {
    /// True when `offset`, written by producer `pid`, belongs to this aborted transaction.
    pub fn covers(&self, pid: i64, offset: u64) -> bool {
        self.producer_id == pid && self.first_offset <= offset && offset <= self.last_offset
    }

    /// True when `batch` is a transactional data batch of one of the `aborted`
    /// transactions (what a read_committed consumer drops, `AbortedTransaction` in a
    /// fetch response).
    pub fn drops(aborted: &[AbortedTxn], batch: &Batch) -> bool {
        batch.transactional
            && batch
                .producer
                .is_some_and(|p| aborted.iter().any(|a| a.covers(p.id, batch.base_offset)))
    }
}

/// A partition's transactions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TxnScan {
    /// Open transactions: producer id -> first offset.
    pub ongoing: BTreeMap<i64, u64>,
    /// Completed transactions: (first offset, marker offset), in marker order.
    pub completed: Vec<(u64, u64)>,
    /// Aborted transactions, in marker order.
    pub aborted: Vec<AbortedTxn>,
}

impl TxnScan {
    /// Reads `batches` in offset order.
    pub fn of<'a>(batches: impl Iterator<Item = &'a Batch>) -> TxnScan {
        let mut scan = TxnScan::default();
        for b in batches {
            let Some(p) = b.producer.filter(|_| b.transactional) else {
                continue;
            };
            match b.control {
                None => {
                    scan.ongoing.entry(p.id).or_insert(b.base_offset);
                }
                Some(marker) => {
                    // A marker for a producer with nothing open is still written (a
                    // retried WriteTxnMarkers, a coordinator's abort of an empty
                    // transaction); it closes nothing.
                    if let Some(first) = scan.ongoing.remove(&p.id) {
                        scan.completed.push((first, b.base_offset));
                        if !marker.commit {
                            let lso = scan
                                .ongoing
                                .values()
                                .min()
                                .copied()
                                .unwrap_or(b.base_offset + 1);
                            scan.aborted.push(AbortedTxn {
                                producer_id: p.id,
                                first_offset: first,
                                last_offset: b.base_offset,
                                last_stable_offset: lso,
                            });
                        }
                    }
                }
            }
        }
        scan
    }

    /// The first unstable offset given the high watermark `hw`: the earliest first offset
    /// of an open transaction, or of a completed one whose marker is at or above `hw`.
    pub fn first_unstable(&self, hw: u64) -> Option<u64> {
        let open = self.ongoing.values().copied();
        let unreplicated = self
            .completed
            .iter()
            .filter(|(_, marker)| *marker >= hw)
            .map(|(first, _)| *first);
        open.chain(unreplicated).min()
    }

    /// The last stable offset: `min(first unstable offset, hw)`.
    pub fn last_stable_offset(&self, hw: u64) -> u64 {
        self.first_unstable(hw).map_or(hw, |f| f.min(hw))
    }

    /// The aborted transactions that overlap `[from, to)` (`collectAbortedTransactions`,
    /// what a fetch response lists).
    pub fn aborted_between(&self, from: u64, to: u64) -> Vec<AbortedTxn> {
        self.aborted
            .iter()
            .filter(|a| a.last_offset >= from && a.first_offset < to)
            .copied()
            .collect()
    }
}

impl PartitionLog {
    /// The partition's transactions (see the module doc).
    pub fn transactions(&self) -> TxnScan {
        TxnScan::of(self.batches().map(|b| b.as_ref()))
    }

    /// `UnifiedLog.lastStableOffset` for a high watermark `hw`.
    pub fn last_stable_offset(&self, hw: u64) -> u64 {
        self.transactions().last_stable_offset(hw)
    }

    /// The epoch of producer `pid`'s latest batch, data or marker (`ProducerStateEntry`'s
    /// `producerEpoch`: a marker written with a bumped epoch fences the older one).
    pub fn producer_epoch(&self, pid: i64) -> Option<i16> {
        // Newest first: the latest batch of a producer is usually near the end.
        self.segments()
            .iter()
            .rev()
            .flat_map(|s| s.batches().iter().rev())
            .find_map(|b| b.batch.producer.filter(|p| p.id == pid))
            .map(|p| p.epoch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::record::{ControlMarker, ProducerIds, Record};

    fn data(base: u64, pid: i64, n: usize) -> Batch {
        let recs = (0..n)
            .map(|i| Record {
                key: None,
                value: Some(format!("v{i}")),
                timestamp: 0,
            })
            .collect();
        let mut b = Batch::new(base, 0, recs).with_producer(Some(ProducerIds {
            id: pid,
            epoch: 0,
            base_sequence: 0,
        }));
        b.transactional = true;
        b
    }

    fn marker(base: u64, pid: i64, commit: bool) -> Batch {
        let mut b = Batch::marker(
            pid,
            0,
            ControlMarker {
                commit,
                coordinator_epoch: 0,
            },
            0,
        );
        b.base_offset = base;
        b
    }

    #[test]
    fn lso_stops_at_the_first_open_transaction_until_its_marker_is_replicated() {
        // pid 7: 0..2 then commit at 2; pid 8: 3..4 open.
        let log = [data(0, 7, 2), data(3, 8, 2), marker(5, 7, true)];
        let scan = TxnScan::of(log.iter());
        assert_eq!(scan.ongoing.get(&8), Some(&3));
        // The commit marker at 5 is not below the HW yet: pid 7's transaction holds it.
        assert_eq!(scan.last_stable_offset(5), 0);
        assert_eq!(scan.last_stable_offset(6), 3);
        assert!(scan.aborted.is_empty());
    }

    #[test]
    fn an_abort_is_listed_for_fetches_that_overlap_it() {
        let log = [data(0, 7, 3), marker(3, 7, false), data(4, 7, 1)];
        let scan = TxnScan::of(log.iter());
        let a = AbortedTxn {
            producer_id: 7,
            first_offset: 0,
            last_offset: 3,
            last_stable_offset: 4,
        };
        assert_eq!(scan.aborted, vec![a]);
        assert_eq!(scan.aborted_between(2, 5), vec![a]);
        assert!(scan.aborted_between(4, 5).is_empty());
        assert_eq!(scan.last_stable_offset(10), 4);
    }
}
