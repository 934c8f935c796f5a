//! How a new leader brings a learner up to date: the choice between DIFF, TRUNC and SNAP
//! (`LearnerHandler.syncFollower` and `queueCommittedProposals` in apache/zookeeper).
//!
//! In this model a server's transaction history is the list of zxids applied to its data;
//! the leader's in-memory `committedLog` is the last [`COMMIT_LOG_COUNT`] of them and its
//! on-disk txn log is the whole list. Not modelled: the committedLog holding only the
//! transactions replayed since the last snapshot after a restart, and `snapshotSizeFactor`
//! (the txn-log path is refused when the log is over a third of the snapshot's size).

use crate::zookeeper::messages::SyncMode;
use crate::zookeeper::zxid::epoch_of;

/// `zookeeper.commitLogCount`: how many committed proposals the leader keeps in memory (500).
pub const COMMIT_LOG_COUNT: usize = 500;

/// One packet the leader queues for the learner before NEWLEADER.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncOp {
    /// DIFF with the leader's last committed zxid.
    Diff(u64),
    /// TRUNC to this zxid.
    Trunc(u64),
    /// PROPOSAL of this zxid.
    Proposal(u64),
    /// COMMIT of this zxid.
    Commit(u64),
}

/// The leader's decision for one learner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncPlan {
    /// DIFF, TRUNC or SNAP (TRUNC when the ops start with a TRUNC).
    pub mode: SyncMode,
    /// The packets to send, in order; empty for SNAP (the snapshot is sent instead).
    pub ops: Vec<SyncOp>,
}

struct Queue {
    ops: Vec<SyncOp>,
    need_op_packet: bool,
}

impl Queue {
    /// `queueCommittedProposals`: walk the proposals, emit DIFF or TRUNC once, then
    /// PROPOSAL+COMMIT for everything after the peer. Returns the last queued zxid, or
    /// stops early (leaving `need_op_packet` set, which forces SNAP) when the peer's
    /// extra transactions are from another epoch.
    fn committed_proposals(
        &mut self,
        log: &[u64],
        peer_last: u64,
        max_zxid: Option<u64>,
        last_committed: u64,
    ) -> u64 {
        let peer_new_epoch = peer_last & 0xffff_ffff == 0;
        let mut queued = peer_last;
        let mut prev: Option<u64> = None;
        for &zxid in log {
            if max_zxid.is_some_and(|m| zxid > m) {
                break;
            }
            if zxid < peer_last {
                prev = Some(zxid);
                continue;
            }
            if self.need_op_packet {
                if zxid == peer_last {
                    self.ops.push(SyncOp::Diff(last_committed));
                    self.need_op_packet = false;
                    continue;
                }
                if peer_new_epoch {
                    self.ops.push(SyncOp::Diff(last_committed));
                    self.need_op_packet = false;
                } else if zxid > peer_last {
                    if epoch_of(zxid) != epoch_of(peer_last) {
                        return queued;
                    }
                    // The peer holds a transaction the leader never committed: cut back
                    // to the proposal before it.
                    self.ops.push(SyncOp::Trunc(prev.unwrap_or(0)));
                    self.need_op_packet = false;
                }
            }
            if zxid <= queued {
                continue;
            }
            self.ops.push(SyncOp::Proposal(zxid));
            self.ops.push(SyncOp::Commit(zxid));
            queued = zxid;
        }
        if self.need_op_packet && peer_new_epoch {
            self.ops.push(SyncOp::Diff(last_committed));
            self.need_op_packet = false;
        }
        queued
    }
}

/// Chooses how to sync a learner whose last zxid is `peer_last`, given the leader's
/// history (ascending zxids) and its `lastProcessedZxid` (`epoch << 32` once the leader is
/// established with no write since, so a peer at an older zxid with an empty log, or at
/// another new-epoch zxid, gets SNAP). Mirrors the branch order of `syncFollower`.
pub fn plan_sync(peer_last: u64, history: &[u64], last_processed: u64) -> SyncPlan {
    let committed = &history[history.len().saturating_sub(COMMIT_LOG_COUNT)..];
    let (min, max) = match (committed.first(), committed.last()) {
        (Some(&a), Some(&b)) => (a, b),
        _ => (last_processed, last_processed),
    };
    let peer_new_epoch = peer_last & 0xffff_ffff == 0;
    let mut q = Queue {
        ops: Vec::new(),
        need_op_packet: true,
    };
    let mut need_snap = true;
    if last_processed == peer_last {
        q.ops.push(SyncOp::Diff(peer_last));
        q.need_op_packet = false;
        need_snap = false;
    } else if peer_last > max && !peer_new_epoch {
        q.ops.push(SyncOp::Trunc(max));
        q.need_op_packet = false;
        need_snap = false;
    } else if max >= peer_last && min <= peer_last {
        q.committed_proposals(committed, peer_last, None, max);
        need_snap = false;
    } else if peer_last < min && history.binary_search(&peer_last).is_ok() {
        // Older than the committedLog but still in the on-disk txn log: replay from there.
        // (`ZKDatabase.getProposalsFromTxnLog` gives up unless the log holds the peer's
        // exact last zxid.)
        let cur = q.committed_proposals(history, peer_last, Some(min), max);
        q.committed_proposals(committed, cur, None, max);
        need_snap = false;
    }
    if need_snap || q.need_op_packet {
        return SyncPlan {
            mode: SyncMode::Snap,
            ops: Vec::new(),
        };
    }
    let mode = match q.ops.first() {
        Some(SyncOp::Trunc(_)) => SyncMode::Trunc,
        _ => SyncMode::Diff,
    };
    SyncPlan { mode, ops: q.ops }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zookeeper::zxid::make_zxid;
    use SyncOp::*;

    fn hist(epoch: u64, n: u64) -> Vec<u64> {
        (1..=n).map(|c| make_zxid(epoch, c)).collect()
    }

    #[test]
    fn equal_peer_gets_empty_diff() {
        let h = hist(1, 7);
        let p = plan_sync(make_zxid(1, 7), &h, make_zxid(1, 7));
        assert_eq!(
            p,
            SyncPlan {
                mode: SyncMode::Diff,
                ops: vec![Diff(make_zxid(1, 7))]
            }
        );
    }

    #[test]
    fn empty_histories_diff() {
        assert_eq!(plan_sync(0, &[], 0).ops, vec![Diff(0)]);
    }

    #[test]
    fn lagging_peer_gets_diff_with_proposals() {
        let h = hist(1, 5);
        let p = plan_sync(make_zxid(1, 3), &h, make_zxid(1, 5));
        assert_eq!(p.mode, SyncMode::Diff);
        let (z4, z5) = (make_zxid(1, 4), make_zxid(1, 5));
        assert_eq!(
            p.ops,
            vec![Diff(z5), Proposal(z4), Commit(z4), Proposal(z5), Commit(z5)]
        );
    }

    #[test]
    fn peer_ahead_gets_trunc() {
        let h = hist(1, 5);
        let p = plan_sync(make_zxid(1, 9), &h, make_zxid(1, 5));
        assert_eq!(
            p,
            SyncPlan {
                mode: SyncMode::Trunc,
                ops: vec![Trunc(make_zxid(1, 5))]
            }
        );
    }

    #[test]
    fn extra_txn_across_epochs_gets_snap_within_one_epoch_trunc_then_diff() {
        // Leader: 1..3 of epoch 1, then epoch 2's first txn. Peer logged 0x1_00000004,
        // which the leader never saw.
        let mut h = hist(1, 3);
        h.push(make_zxid(2, 1));
        let p = plan_sync(make_zxid(1, 4), &h, make_zxid(2, 1));
        // 0x200000001 is in another epoch than the peer's extra txn: SNAP.
        assert_eq!(p.mode, SyncMode::Snap);
        let h2 = vec![make_zxid(1, 1), make_zxid(1, 2), make_zxid(1, 5)];
        let p2 = plan_sync(make_zxid(1, 3), &h2, make_zxid(1, 5));
        assert_eq!(p2.mode, SyncMode::Trunc);
        assert_eq!(p2.ops[0], Trunc(make_zxid(1, 2)));
        assert_eq!(
            &p2.ops[1..],
            &[Proposal(make_zxid(1, 5)), Commit(make_zxid(1, 5))]
        );
    }

    #[test]
    fn empty_peer_gets_snap_because_the_txn_log_cannot_start_at_zero() {
        assert_eq!(
            plan_sync(0, &hist(1, 2), make_zxid(1, 2)).mode,
            SyncMode::Snap
        );
    }

    #[test]
    fn peer_older_than_committed_log_and_txn_log_gets_snap() {
        let h: Vec<u64> = (100..=700).map(|c| make_zxid(1, c)).collect();
        assert_eq!(
            plan_sync(make_zxid(1, 5), &h, make_zxid(1, 700)).mode,
            SyncMode::Snap
        );
        // In the txn log but older than the 500-entry committedLog: DIFF from the txn log.
        let p = plan_sync(make_zxid(1, 150), &h, make_zxid(1, 700));
        assert_eq!(p.mode, SyncMode::Diff);
        assert_eq!(p.ops.len(), 1 + 2 * (700 - 150));
    }

    #[test]
    fn an_established_leader_at_epoch_shift_32_snaps_an_empty_peer() {
        // Script A of the review: a fresh leader of epoch 1 with an empty log has
        // lastProcessedZxid 0x100000000; a peer at 0x0 is below it and not in the log.
        let p = plan_sync(0, &[], make_zxid(1, 0));
        assert_eq!(p.mode, SyncMode::Snap);
    }

    #[test]
    fn a_stepped_down_leaders_new_epoch_zxid_gets_snap() {
        // The peer reports 0x300000000 (it led epoch 3 with no write); the leader of epoch
        // 4 holds up to 0x100000007: "Unhandled scenario for peer sid" -> SNAP.
        let p = plan_sync(make_zxid(3, 0), &hist(1, 7), make_zxid(4, 0));
        assert_eq!(p.mode, SyncMode::Snap);
    }

    #[test]
    fn a_peer_at_the_leaders_epoch_zxid_gets_an_empty_diff() {
        let z = make_zxid(2, 0);
        assert_eq!(plan_sync(z, &hist(1, 7), z).ops, vec![Diff(z)]);
    }
}
