//! Partition reassignment in ZooKeeper mode (KIP-455; `KafkaController.onPartitionReassignment`,
//! apache/kafka 3.8), as `kafka-reassign-partitions --execute` starts it through
//! AlterPartitionReassignments:
//!
//! 1. The full replica set RS is the target replicas TRS followed by the original ones
//!    ORS (`ReplicaAssignment.fromOldAndNewReplicas`). The controller writes RS to the
//!    topic's znode with `adding_replicas` (TRS − ORS) and `removing_replicas` (ORS − TRS),
//!    bumps the leader epoch and sends LeaderAndIsr to RS: the new replicas start as
//!    followers and fetch (`updateLeaderEpochAndSendRequest`,
//!    `startNewReplicasForReassignedPartition`).
//! 2. When every TRS replica is in the ISR (the leader's ISR expansion reaches the
//!    controller through `/isr_change_notification`), the leader moves to the first live
//!    ISR replica of TRS if it is not in TRS, the removed replicas leave the ISR, the leader
//!    epoch is bumped, LeaderAndIsr goes to TRS, the topic's znode is written with TRS
//!    alone, and once that state is written the removed replicas get StopReplica with
//!    delete (`moveReassignedPartitionLeaderIfRequired`,
//!    `stopRemovedReplicasOfReassignedPartition`, `updateReplicaAssignmentForPartition`).
//!
//! Simplifications: Kafka writes the leader move and the removal from the ISR as two
//! state changes (two leader epochs) and sends StopReplica without, then with, delete;
//! the engine writes one state (one epoch) and sends one StopReplica with delete. A new
//! controller resumes a reassignment from the topic znode's `adding_replicas` and
//! `removing_replicas` (`initializePartitionReassignments`).

use super::CtlRead;
use crate::kafka::broker::Broker;
use crate::kafka::messages::Decision;
use crate::kafka::topic::TopicPartition;
use crate::kafka::zk_data::{self, PartitionStateZnode};
use crate::sim::effects::Ctx;
use crate::zookeeper::proto::Op;
use std::collections::{BTreeMap, BTreeSet};

/// A partition being reassigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reassignment {
    /// ORS: the replicas before.
    pub original: Vec<u32>,
    /// TRS: the replicas asked for.
    pub target: Vec<u32>,
}

impl Reassignment {
    /// RS: the target replicas, then the original ones not among them.
    pub fn full(&self) -> Vec<u32> {
        let mut rs = self.target.clone();
        rs.extend(self.original.iter().filter(|b| !self.target.contains(b)));
        rs
    }

    /// TRS − ORS.
    pub fn adding(&self) -> Vec<u32> {
        let o = &self.original;
        self.target
            .iter()
            .copied()
            .filter(|b| !o.contains(b))
            .collect()
    }

    /// ORS − TRS.
    pub fn removing(&self) -> Vec<u32> {
        let t = &self.target;
        self.original
            .iter()
            .copied()
            .filter(|b| !t.contains(b))
            .collect()
    }
}

/// A state write the controller decided: partition, new state, why, the version read.
pub(super) type StateWrite = (TopicPartition, PartitionStateZnode, Decision, Option<i32>);

impl Broker {
    /// On the controller: whether `tp` is being reassigned, and its replicas as the
    /// controller holds them (ListPartitionReassignments and the metadata a tool reads).
    pub fn reassignment_state(&self, tp: &TopicPartition) -> Option<(bool, Vec<u32>)> {
        let c = self.controller.as_ref()?;
        Some((c.reassigning.contains_key(tp), c.replicas(tp)?.clone()))
    }

    /// On the controller: the reassignment of `tp` under way, if any.
    pub fn reassignment(&self, tp: &TopicPartition) -> Option<&Reassignment> {
        self.controller.as_ref()?.reassigning.get(tp)
    }

    /// AlterPartitionReassignments at the controller: starts each move (step 1 of the
    /// module doc). A partition already being moved keeps its original replicas and
    /// takes the new target. A move to the current replicas does nothing.
    pub fn reassign(&mut self, ctx: &mut Ctx<'_>, moves: &[(TopicPartition, Vec<u32>)]) {
        let Some(c) = self.controller.as_mut() else {
            return;
        };
        let mut writes: Vec<StateWrite> = Vec::new();
        let mut topics = BTreeSet::new();
        for (tp, target) in moves {
            let Some(current) = c.replicas(tp).cloned() else {
                continue;
            };
            let original = c
                .reassigning
                .get(tp)
                .map_or(current.clone(), |r| r.original.clone());
            if *target == current && !c.reassigning.contains_key(tp) {
                continue;
            }
            let r = Reassignment {
                original,
                target: target.clone(),
            };
            if let Some(a) = c
                .assignments
                .get_mut(&tp.topic)
                .and_then(|a| a.get_mut(tp.partition as usize))
            {
                *a = r.full();
            }
            c.reassigning.insert(tp.clone(), r);
            topics.insert(tp.topic.clone());
            if let Some((s, v)) = c.states.get(tp).filter(|_| !c.writing.contains(tp)) {
                let mut next = s.clone();
                next.leader_epoch += 1;
                next.controller_epoch = c.epoch;
                writes.push((tp.clone(), next, Decision::Reassigning, Some(*v)));
            }
        }
        for t in topics {
            self.write_assignment(ctx, &t);
        }
        self.write_states(ctx, writes);
    }

    /// Writes `topic`'s znode as the controller holds its assignment, with the replicas
    /// being added and removed.
    fn write_assignment(&mut self, ctx: &mut Ctx<'_>, topic: &str) {
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        let Some(a) = c.assignments.get(topic) else {
            return;
        };
        let (mut adding, mut removing) = (BTreeMap::new(), BTreeMap::new());
        for (tp, r) in c.reassigning.iter().filter(|(tp, _)| tp.topic == topic) {
            if !r.adding().is_empty() {
                adding.insert(tp.partition, r.adding());
            }
            if !r.removing().is_empty() {
                removing.insert(tp.partition, r.removing());
            }
        }
        let data =
            zk_data::topic_json_moving(a, c.topic_ids.get(topic).copied(), &adding, &removing);
        let op = Op::SetData {
            path: zk_data::topic_path(topic),
            data: Some(data.into_bytes().into()),
            version: -1,
        };
        self.ctl_write(ctx, op, CtlRead::Other);
    }

    /// Step 2 of the module doc for every moving partition whose target replicas are all
    /// in the ISR and that has no write in flight or among `skip`: the state writes, the
    /// topic znodes written with the target replicas alone, and the StopReplica each
    /// write's success will send.
    pub(super) fn finish_reassignments(
        &mut self,
        ctx: &mut Ctx<'_>,
        skip: &BTreeSet<TopicPartition>,
    ) -> Vec<StateWrite> {
        let Some(c) = self.controller.as_mut() else {
            return Vec::new();
        };
        let live: BTreeSet<u32> = c.live.difference(&c.just_died).copied().collect();
        let mut writes = Vec::new();
        let mut topics = BTreeSet::new();
        let ready: Vec<TopicPartition> = c
            .reassigning
            .iter()
            .filter(|(tp, r)| {
                !c.writing.contains(*tp)
                    && !skip.contains(*tp)
                    && c.states
                        .get(*tp)
                        .is_some_and(|(s, _)| r.target.iter().all(|b| s.isr.contains(b)))
            })
            .map(|(tp, _)| tp.clone())
            .collect();
        for tp in ready {
            let (Some(r), Some((s, v))) = (c.reassigning.remove(&tp), c.states.get(&tp)) else {
                continue;
            };
            let leader = match s.leader {
                Some(l) if r.target.contains(&l) && live.contains(&l) => Some(l),
                _ => r
                    .target
                    .iter()
                    .find(|b| live.contains(b) && s.isr.contains(b))
                    .copied(),
            };
            let next = PartitionStateZnode {
                leader,
                leader_epoch: s.leader_epoch + 1,
                isr: s
                    .isr
                    .iter()
                    .copied()
                    .filter(|b| r.target.contains(b))
                    .collect(),
                controller_epoch: c.epoch,
            };
            writes.push((tp.clone(), next, Decision::Reassigned, Some(*v)));
            if let Some(a) = c
                .assignments
                .get_mut(&tp.topic)
                .and_then(|a| a.get_mut(tp.partition as usize))
            {
                *a = r.target.clone();
            }
            let removed: Vec<u32> = r
                .removing()
                .into_iter()
                .filter(|b| c.live.contains(b))
                .collect();
            if !removed.is_empty() {
                c.stop_after.insert(tp.clone(), removed);
            }
            topics.insert(tp.topic.clone());
        }
        for t in topics {
            self.write_assignment(ctx, &t);
        }
        writes
    }
}

#[cfg(test)]
mod tests {
    use super::Reassignment;

    #[test]
    fn full_adding_and_removing_as_kafka_orders_them() {
        let r = Reassignment {
            original: vec![1, 2, 3],
            target: vec![2, 3, 4],
        };
        assert_eq!(r.full(), vec![2, 3, 4, 1]);
        assert_eq!(r.adding(), vec![4]);
        assert_eq!(r.removing(), vec![1]);
    }
}
