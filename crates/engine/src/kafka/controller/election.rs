//! What the ZooKeeper-mode controller decides for one partition, as pure functions of its
//! state, its assignment and the live brokers (apache/kafka 3.7:
//! `PartitionLeaderElectionAlgorithms`, `PartitionStateMachine`,
//! `ZkReplicaStateMachine.removeReplicasFromIsr`).

use crate::kafka::messages::Decision;
use crate::kafka::zk_data::PartitionStateZnode;
use std::collections::BTreeSet;

/// A new partition's first state (`initializeLeaderAndIsrForPartitions`): the first live
/// replica in assignment order leads, the live replicas are the ISR, leader epoch 0.
/// `None` when no replica is alive (the partition stays new until one is).
pub fn initial(
    replicas: &[u32],
    live: &BTreeSet<u32>,
    controller_epoch: u32,
) -> Option<PartitionStateZnode> {
    let isr: Vec<u32> = replicas
        .iter()
        .copied()
        .filter(|r| live.contains(r))
        .collect();
    Some(PartitionStateZnode {
        leader: Some(*isr.first()?),
        leader_epoch: 0,
        isr,
        controller_epoch,
    })
}

/// The partition's next state given who is alive and who has just died, or `None` when
/// nothing changes.
///
/// - The leader is alive: the ISR members that just died leave the ISR
///   (`removeReplicasFromIsr` on the broker-failure event, leader epoch + 1 in ZooKeeper
///   mode). Only on that event: a replica the leader takes back later stays, as in
///   Kafka before KIP-841.
/// - No live leader: the first replica in assignment order that is alive and in the ISR
///   leads, the ISR keeps its live members (`offlinePartitionLeaderElection`); failing
///   that, with `unclean`, the first live replica leads alone; failing that the
///   partition has no leader, and the ISR loses the members that just died but never its
///   last one (`removeReplicasFromIsr`: "the controller never empties the ISR").
pub fn next(
    s: &PartitionStateZnode,
    replicas: &[u32],
    live: &BTreeSet<u32>,
    just_died: &BTreeSet<u32>,
    unclean: bool,
    controller_epoch: u32,
) -> Option<(PartitionStateZnode, Decision)> {
    let alive = |b: &u32| live.contains(b);
    let bump = |leader: Option<u32>, isr: Vec<u32>| PartitionStateZnode {
        leader,
        leader_epoch: s.leader_epoch + 1,
        isr,
        controller_epoch,
    };
    if s.leader.is_some_and(|l| alive(&l)) {
        if !s.isr.iter().any(|b| just_died.contains(b)) {
            return None;
        }
        let isr = s
            .isr
            .iter()
            .copied()
            .filter(|b| !just_died.contains(b))
            .collect();
        return Some((bump(s.leader, isr), Decision::ReplicaOffline));
    }
    if let Some(l) = replicas
        .iter()
        .copied()
        .find(|r| alive(r) && s.isr.contains(r))
    {
        let isr = s.isr.iter().copied().filter(alive).collect();
        return Some((bump(Some(l), isr), Decision::Offline));
    }
    if unclean && let Some(l) = replicas.iter().copied().find(alive) {
        return Some((bump(Some(l), vec![l]), Decision::Unclean));
    }
    let mut isr = s.isr.clone();
    for dead in s.isr.iter().filter(|b| just_died.contains(b)) {
        if isr.len() > 1 {
            isr.retain(|b| b != dead);
        }
    }
    if s.leader.is_none() && isr == s.isr {
        return None;
    }
    Some((bump(None, isr), Decision::NoLeader))
}

/// A preferred-replica election (`PreferredReplicaPartitionLeaderElection`): the first
/// replica of the assignment leads again if it is alive, in the ISR and not leading
/// already. The ISR stays; the leader epoch goes up.
pub fn preferred(
    s: &PartitionStateZnode,
    replicas: &[u32],
    live: &BTreeSet<u32>,
    controller_epoch: u32,
) -> Option<PartitionStateZnode> {
    let p = *replicas.first()?;
    if s.leader == Some(p) || !live.contains(&p) || !s.isr.contains(&p) {
        return None;
    }
    Some(PartitionStateZnode {
        leader: Some(p),
        leader_epoch: s.leader_epoch + 1,
        isr: s.isr.clone(),
        controller_epoch,
    })
}

/// `KafkaController.checkAndTriggerAutoLeaderRebalance`: per broker, the share of the
/// partitions it is the preferred leader of that another broker leads; a broker over
/// `percent` gets its preferred leaderships back. Returns those partitions' indexes in
/// `parts` (pairs of assignment and state).
pub fn imbalanced(
    parts: &[(&[u32], &PartitionStateZnode)],
    live: &BTreeSet<u32>,
    percent: u32,
) -> Vec<usize> {
    let mut out = Vec::new();
    for b in live {
        let preferred: Vec<usize> = (0..parts.len())
            .filter(|i| parts[*i].0.first() == Some(b))
            .collect();
        if preferred.is_empty() {
            continue;
        }
        let not_led: Vec<usize> = preferred
            .iter()
            .copied()
            .filter(|i| parts[*i].1.leader != Some(*b))
            .collect();
        // imbalance ratio > leader.imbalance.per.broker.percentage / 100
        if not_led.len() as u64 * 100 > u64::from(percent) * preferred.len() as u64 {
            out.extend(not_led);
        }
    }
    out.sort_unstable();
    out
}

/// What a controlled shutdown of `broker` does to a partition
/// (`ControlledShutdownPartitionLeaderElectionStrategy`, `KafkaController.
/// doControlledShutdown`): if it leads, the first replica in assignment order that is
/// alive, in the ISR and not shutting down leads instead; it leaves the ISR (never the
/// last member). `None` when the partition does not involve it, or nobody can take over.
pub fn controlled_shutdown(
    s: &PartitionStateZnode,
    replicas: &[u32],
    live: &BTreeSet<u32>,
    shutting: &BTreeSet<u32>,
    broker: u32,
    controller_epoch: u32,
) -> Option<PartitionStateZnode> {
    if !s.isr.contains(&broker) || s.isr.len() < 2 {
        return None;
    }
    let isr: Vec<u32> = s.isr.iter().copied().filter(|b| *b != broker).collect();
    let leader = if s.leader == Some(broker) {
        Some(
            replicas
                .iter()
                .copied()
                .find(|r| live.contains(r) && isr.contains(r) && !shutting.contains(r))?,
        )
    } else {
        s.leader
    };
    Some(PartitionStateZnode {
        leader,
        leader_epoch: s.leader_epoch + 1,
        isr,
        controller_epoch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(leader: Option<u32>, epoch: u32, isr: &[u32]) -> PartitionStateZnode {
        PartitionStateZnode {
            leader,
            leader_epoch: epoch,
            isr: isr.to_vec(),
            controller_epoch: 2,
        }
    }

    fn live(v: &[u32]) -> BTreeSet<u32> {
        v.iter().copied().collect()
    }

    #[test]
    fn a_new_partition_is_led_by_its_first_live_replica() {
        let s = initial(&[3, 1, 2], &live(&[1, 2]), 1).unwrap();
        assert_eq!((s.leader, s.isr), (Some(1), vec![1, 2]));
        assert_eq!(initial(&[3], &live(&[1]), 1), None);
    }

    #[test]
    fn a_dead_follower_leaves_and_a_dead_leader_is_replaced_in_assignment_order() {
        let ar = [1, 2, 3];
        let (s, d) = next(
            &st(Some(1), 0, &[1, 2, 3]),
            &ar,
            &live(&[1, 2]),
            &live(&[3]),
            false,
            2,
        )
        .unwrap();
        assert_eq!((s, d), (st(Some(1), 1, &[1, 2]), Decision::ReplicaOffline));
        // Taken back by the leader later, a replica the controller thinks dead stays.
        assert_eq!(
            next(
                &st(Some(1), 1, &[1, 2, 3]),
                &ar,
                &live(&[1, 2]),
                &live(&[]),
                false,
                2
            ),
            None
        );
        // broker2 is first in AR among the live ISR, though the ISR lists 3 first.
        let (s, d) = next(
            &st(Some(1), 4, &[3, 2, 1]),
            &ar,
            &live(&[2, 3]),
            &live(&[1]),
            false,
            2,
        )
        .unwrap();
        assert_eq!(
            (s.leader, s.leader_epoch, s.isr, d),
            (Some(2), 5, vec![3, 2], Decision::Offline)
        );
        assert_eq!(
            next(
                &st(Some(1), 0, &[1, 2]),
                &ar,
                &live(&[1, 2, 3]),
                &live(&[]),
                false,
                2
            ),
            None
        );
    }

    #[test]
    fn preferred_leadership_comes_back_when_the_imbalance_passes_ten_percent() {
        let ar = [1, 2, 3];
        let moved = st(Some(2), 3, &[2, 3, 1]);
        assert_eq!(
            preferred(&moved, &ar, &live(&[1, 2, 3]), 2),
            Some(st(Some(1), 4, &[2, 3, 1]))
        );
        assert_eq!(
            preferred(&moved, &ar, &live(&[2, 3]), 2),
            None,
            "broker1 is not alive"
        );
        let home = st(Some(2), 0, &[2, 3, 1]);
        let ar2 = [2, 3, 1];
        let parts: Vec<(&[u32], &PartitionStateZnode)> = vec![(&ar, &moved), (&ar2, &home)];
        assert_eq!(imbalanced(&parts, &live(&[1, 2, 3]), 10), vec![0]);
    }

    #[test]
    fn a_controlled_shutdown_moves_leadership_first() {
        let none = live(&[]);
        let s = controlled_shutdown(
            &st(Some(1), 0, &[1, 2, 3]),
            &[1, 2, 3],
            &live(&[1, 2, 3]),
            &none,
            1,
            2,
        );
        assert_eq!(s, Some(st(Some(2), 1, &[2, 3])));
        let s = controlled_shutdown(
            &st(Some(1), 0, &[1, 3]),
            &[1, 2, 3],
            &live(&[1, 2, 3]),
            &none,
            3,
            2,
        );
        assert_eq!(s, Some(st(Some(1), 1, &[1])));
        // The last ISR member stays (and keeps leading).
        assert_eq!(
            controlled_shutdown(&st(Some(1), 0, &[1]), &[1, 2], &live(&[1, 2]), &none, 1, 2),
            None
        );
    }

    #[test]
    fn with_no_live_isr_member_the_partition_goes_offline_unless_unclean() {
        let ar = [1, 2, 3];
        // Only broker1 was in the ISR; broker3 is alive but out of sync.
        let (s, d) = next(
            &st(Some(1), 2, &[1]),
            &ar,
            &live(&[3]),
            &live(&[1]),
            false,
            2,
        )
        .unwrap();
        assert_eq!((s, d), (st(None, 3, &[1]), Decision::NoLeader));
        // Nothing new to write once it is offline.
        assert_eq!(
            next(&st(None, 3, &[1]), &ar, &live(&[3]), &live(&[]), false, 2),
            None
        );
        let (s, d) = next(&st(None, 3, &[1]), &ar, &live(&[3]), &live(&[]), true, 2).unwrap();
        assert_eq!((s, d), (st(Some(3), 4, &[3]), Decision::Unclean));
        // The ISR member comes back: it leads again (a clean election).
        let (s, d) = next(
            &st(None, 3, &[1]),
            &ar,
            &live(&[1, 3]),
            &live(&[]),
            false,
            2,
        )
        .unwrap();
        assert_eq!((s, d), (st(Some(1), 4, &[1]), Decision::Offline));
    }
}
