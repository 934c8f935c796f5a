//! A partition as one broker sees it: leader or follower, high watermark, and on the
//! leader the state of every follower replica (`Partition.scala`, `Replica.scala`).

use serde::Serialize;
use std::collections::BTreeMap;

/// The leader's view of one follower (`Replica.ReplicaState`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FollowerState {
    /// The follower's LEO as last reported by its fetch offset; `None` until its first
    /// fetch after this broker became leader (`UNKNOWN_OFFSET_METADATA`).
    pub leo: Option<u64>,
    /// `lastCaughtUpTimeMs`, virtual ms; `None` for never (Kafka's 0, which on a wall
    /// clock means long ago; virtual time starts at 0, so "never" needs its own value).
    pub last_caught_up_ms: Option<u64>,
    /// `lastFetchTimeMs`, virtual ms.
    pub last_fetch_ms: u64,
    /// `lastFetchLeaderLogEndOffset`: the leader's LEO at the previous fetch.
    pub last_fetch_leader_leo: Option<u64>,
}

/// One broker's state for one partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionState {
    /// Assigned replicas (AR), preferred leader first.
    pub replicas: Vec<u32>,
    /// The leader's broker id.
    pub leader: u32,
    /// The leader epoch.
    pub leader_epoch: u32,
    /// In-sync replicas (kept by the leader; a follower keeps what it was told).
    pub isr: Vec<u32>,
    /// High watermark: the offset below which records are committed.
    pub hw: u64,
    /// The LEO when the current leader epoch began (the KIP-320 ISR expansion bound).
    pub leader_epoch_start_offset: u64,
    /// On the leader: every other replica's state.
    pub followers: BTreeMap<u32, FollowerState>,
    /// The version of the partition's state znode as of the last LeaderAndIsr or the
    /// leader's own last ISR write: its next ISR write is conditional on it.
    pub zk_version: i32,
    /// A follower that must find where its log diverges from the new leader's before it
    /// fetches (KIP-101: OffsetsForLeaderEpoch first).
    pub truncating: bool,
    /// On the leader: an ISR change written to ZooKeeper and not yet confirmed, with why.
    /// It takes effect only once written (`Partition.updateIsr`: the ISR in memory moves
    /// after the conditional update succeeds), so a leader cut off from ZooKeeper cannot
    /// shrink the ISR and commit on its own.
    pub pending_isr: Option<(Vec<u32>, String)>,
}

impl PartitionState {
    /// The state of a new leader (`Partition.makeLeader`): each follower's LEO becomes
    /// unknown, and its last caught-up time is now if it is in the ISR, else 0
    /// (`Replica.resetReplicaState`).
    pub fn new_leader(
        me: u32,
        replicas: &[u32],
        isr: &[u32],
        leader_epoch: u32,
        leo: u64,
        hw: u64,
        now: u64,
    ) -> Self {
        let followers = replicas
            .iter()
            .filter(|&&r| r != me)
            .map(|&r| {
                let in_sync = isr.contains(&r);
                (
                    r,
                    FollowerState {
                        leo: None,
                        last_caught_up_ms: if in_sync { Some(now) } else { None },
                        last_fetch_ms: 0,
                        last_fetch_leader_leo: None,
                    },
                )
            })
            .collect();
        PartitionState {
            replicas: replicas.to_vec(),
            leader: me,
            leader_epoch,
            isr: isr.to_vec(),
            hw: hw.min(leo),
            leader_epoch_start_offset: leo,
            followers,
            zk_version: 0,
            truncating: false,
            pending_isr: None,
        }
    }

    /// The state of a follower replica.
    pub fn new_follower(
        replicas: &[u32],
        leader: u32,
        isr: &[u32],
        leader_epoch: u32,
        hw: u64,
    ) -> Self {
        PartitionState {
            replicas: replicas.to_vec(),
            leader,
            leader_epoch,
            isr: isr.to_vec(),
            hw,
            leader_epoch_start_offset: 0,
            followers: BTreeMap::new(),
            zk_version: 0,
            truncating: false,
            pending_isr: None,
        }
    }

    /// `Replica.isCaughtUp`: the follower is at the leader's LEO, or was within
    /// `lag_max_ms`.
    pub fn is_caught_up(f: &FollowerState, leader_leo: u64, now: u64, lag_max_ms: u64) -> bool {
        f.leo == Some(leader_leo)
            || f.last_caught_up_ms
                .is_some_and(|t| now.saturating_sub(t) <= lag_max_ms)
    }

    /// `Replica.updateFetchStateOrThrow` for a follower fetch at `fetch_offset`. Returns
    /// true when the follower's LEO changed.
    pub fn update_follower(
        &mut self,
        id: u32,
        fetch_offset: u64,
        now: u64,
        leader_leo: u64,
    ) -> bool {
        let Some(f) = self.followers.get_mut(&id) else {
            return false;
        };
        if fetch_offset >= leader_leo {
            f.last_caught_up_ms = f.last_caught_up_ms.max(Some(now));
        } else if f.last_fetch_leader_leo.is_some_and(|l| fetch_offset >= l) {
            f.last_caught_up_ms = f.last_caught_up_ms.max(Some(f.last_fetch_ms));
        }
        f.last_fetch_leader_leo = Some(
            f.last_fetch_leader_leo
                .map_or(leader_leo, |l| l.max(leader_leo)),
        );
        f.last_fetch_ms = now;
        let changed = f.leo != Some(fetch_offset);
        f.leo = Some(fetch_offset);
        changed
    }

    /// `Partition.maybeExpandIsr`: a follower outside the ISR joins once its LEO reaches the
    /// HW and the start of the current leader epoch (`isFollowerInSync`). Returns the ISR
    /// to write when it should grow (nothing while another change is being written).
    pub fn maybe_expand_isr(&self, id: u32) -> Option<Vec<u32>> {
        if self.isr.contains(&id) || self.pending_isr.is_some() {
            return None;
        }
        let leo = self.followers.get(&id).and_then(|f| f.leo)?;
        if leo >= self.hw && leo >= self.leader_epoch_start_offset {
            let mut isr = self.isr.clone();
            isr.push(id);
            return Some(isr);
        }
        None
    }

    /// `Partition.effectiveMinIsr` (KAFKA-15583, Kafka 3.7): `min(min.insync.replicas,
    /// replication factor)`, for the produce checks and the HW rule alike. Not gated on
    /// KRaft or ELR: it applies in ZooKeeper mode too.
    pub fn effective_min_isr(&self, min_isr: u32) -> u32 {
        min_isr.min(self.replicas.len() as u32)
    }

    /// An ISR as Scala 2.13 prints an immutable `Set[Int]` in Kafka's messages: `Set(1, 2)`
    /// (insertion order up to four members, `HashSet(...)` beyond).
    pub fn scala_set(isr: &[u32]) -> String {
        let ids: Vec<String> = isr.iter().map(u32::to_string).collect();
        if isr.len() <= 4 {
            format!("Set({})", ids.join(", "))
        } else {
            let mut sorted = isr.to_vec();
            sorted.sort_unstable();
            let ids: Vec<String> = sorted.iter().map(u32::to_string).collect();
            format!("HashSet({})", ids.join(", "))
        }
    }

    /// `Partition.maybeIncrementLeaderHW`: the new HW is the smallest LEO among the leader,
    /// the ISR and any caught-up replica about to join it; it never goes down, and since
    /// Kafka 3.7 (KIP-966) it does not move while the ISR is smaller than
    /// `min(min.insync.replicas, replicas)`. Returns true when the HW moved.
    pub fn maybe_increment_hw(
        &mut self,
        leader_leo: u64,
        now: u64,
        lag_max_ms: u64,
        min_isr: u32,
    ) -> bool {
        if (self.isr.len() as u32) < self.effective_min_isr(min_isr) {
            return false;
        }
        let mut new_hw = leader_leo;
        for (id, f) in &self.followers {
            let counts =
                self.isr.contains(id) || Self::is_caught_up(f, leader_leo, now, lag_max_ms);
            if counts {
                match f.leo {
                    Some(leo) => new_hw = new_hw.min(leo),
                    None => return false,
                }
            }
        }
        if new_hw > self.hw {
            self.hw = new_hw;
            true
        } else {
            false
        }
    }

    /// `Partition.getOutOfSyncReplicas`: ISR followers that have not caught up for longer
    /// than `lag_max_ms`.
    pub fn out_of_sync(&self, leader_leo: u64, now: u64, lag_max_ms: u64) -> Vec<u32> {
        self.isr
            .iter()
            .filter(|&&id| id != self.leader)
            .filter(|id| {
                self.followers
                    .get(id)
                    .is_some_and(|f| !Self::is_caught_up(f, leader_leo, now, lag_max_ms))
            })
            .copied()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAG: u64 = 30_000;

    fn leader() -> PartitionState {
        PartitionState::new_leader(1, &[1, 2, 3], &[1, 2, 3], 0, 0, 0, 0)
    }

    #[test]
    fn hw_waits_for_every_isr_member() {
        let mut p = leader();
        // Leader appended 5 records; nobody has fetched yet: LEOs unknown, HW stays.
        assert!(!p.maybe_increment_hw(5, 10, LAG, 1));
        p.update_follower(2, 5, 20, 5);
        assert!(
            !p.maybe_increment_hw(5, 20, LAG, 1),
            "replica 3 still unknown"
        );
        p.update_follower(3, 3, 30, 5);
        assert!(p.maybe_increment_hw(5, 30, LAG, 1));
        assert_eq!(p.hw, 3, "HW is the smallest ISR LEO");
        p.update_follower(3, 5, 40, 5);
        assert!(p.maybe_increment_hw(5, 40, LAG, 1));
        assert_eq!(p.hw, 5);
    }

    #[test]
    fn stuck_follower_leaves_isr_after_lag_and_hw_moves_on() {
        let mut p = leader();
        p.update_follower(2, 0, 0, 0);
        p.update_follower(3, 0, 0, 0);
        // Leader has 4 records; follower 2 keeps up, follower 3 stops fetching.
        p.update_follower(2, 4, 100, 4);
        assert!(!p.maybe_increment_hw(4, 100, LAG, 1));
        assert!(
            p.out_of_sync(4, 20_000, LAG).is_empty(),
            "within replica.lag.time.max.ms"
        );
        assert_eq!(p.out_of_sync(4, 30_001, LAG), vec![3]);
        p.isr.retain(|&r| r != 3);
        assert!(p.maybe_increment_hw(4, 30_001, LAG, 1));
        assert_eq!(p.hw, 4);
        // It comes back, catches up and rejoins.
        p.update_follower(3, 4, 40_000, 4);
        assert_eq!(p.maybe_expand_isr(3), Some(vec![1, 2, 3]));
    }

    #[test]
    fn hw_never_decreases() {
        let mut p = leader();
        p.update_follower(2, 3, 0, 3);
        p.update_follower(3, 3, 0, 3);
        assert!(p.maybe_increment_hw(3, 0, LAG, 1));
        p.update_follower(3, 1, 1, 3);
        assert!(!p.maybe_increment_hw(3, 1, LAG, 1));
        assert_eq!(p.hw, 3);
    }

    #[test]
    fn under_min_isr_freezes_hw() {
        let mut p = PartitionState::new_leader(1, &[1, 2, 3], &[1], 0, 0, 0, 0);
        assert!(!p.maybe_increment_hw(2, 0, LAG, 2));
        assert!(p.maybe_increment_hw(2, 0, LAG, 1));
    }

    #[test]
    fn caught_up_time_uses_previous_fetch_when_chasing() {
        let mut p = leader();
        p.update_follower(2, 0, 1000, 10);
        // The next fetch reaches the LEO the leader had at the previous fetch.
        p.update_follower(2, 10, 2000, 20);
        assert_eq!(p.followers[&2].last_caught_up_ms, Some(1000));
    }
}
