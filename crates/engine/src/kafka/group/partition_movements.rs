//! The sticky assignor's record of the partitions it moved during one assignment, so that
//! a later move in the opposite direction takes back a partition that already moved
//! instead of moving a second one (KIP-54 stickiness: no two partitions of one topic
//! cross between the same two consumers in opposite directions).
//!
//! Source: kafka-python 2.x `kafka/coordinator/assignors/sticky/partition_movements.py`
//! (`PartitionMovements`), itself a port of apache/kafka's `AbstractStickyAssignor`
//! `PartitionMovements` (before 2.8's constrained rewrite). Only the two operations the
//! assignment uses are here; `are_sticky` is a test helper there.

use crate::kafka::topic::TopicPartition;
use std::collections::{BTreeMap, BTreeSet};

/// (source member id, destination member id) of a move (`ConsumerPair`).
type Pair = (String, String);

/// The moves made so far in one assignment.
#[derive(Default, Debug)]
pub(super) struct PartitionMovements {
    /// Per topic, the partitions moved between each pair of members.
    by_topic: BTreeMap<String, BTreeMap<Pair, BTreeSet<TopicPartition>>>,
    /// Each moved partition's first source and last destination.
    moves: BTreeMap<TopicPartition, Pair>,
}

impl PartitionMovements {
    /// Records that `partition` moves from `old` to `new` (`move_partition`). A partition
    /// that moves back to where it started is no longer a move.
    pub(super) fn move_partition(&mut self, partition: &TopicPartition, old: &str, new: &str) {
        match self.remove(partition) {
            Some((src, _)) if src == new => {}
            Some((src, _)) => self.add(partition, (src, new.to_string())),
            None => self.add(partition, (old.to_string(), new.to_string())),
        }
    }

    /// The partition to move when `partition` should go from `old` to `new`
    /// (`get_partition_to_be_moved`): if a partition of the same topic already moved the
    /// other way, from `new` (or from where `partition` started) to `old`, that one goes
    /// back instead. kafka-python takes `next(iter(set))` of those partitions, whose order
    /// depends on Python's string hashing; this takes the smallest.
    pub(super) fn partition_to_be_moved(
        &self,
        partition: &TopicPartition,
        old: &str,
        new: &str,
    ) -> TopicPartition {
        let Some(pairs) = self.by_topic.get(&partition.topic) else {
            return partition.clone();
        };
        let old = self
            .moves
            .get(partition)
            .map_or(old, |(src, _)| src.as_str());
        match pairs.get(&(new.to_string(), old.to_string())) {
            Some(moved) => moved.first().cloned().unwrap_or_else(|| partition.clone()),
            None => partition.clone(),
        }
    }

    fn remove(&mut self, partition: &TopicPartition) -> Option<Pair> {
        let pair = self.moves.remove(partition)?;
        if let Some(pairs) = self.by_topic.get_mut(&partition.topic) {
            if let Some(set) = pairs.get_mut(&pair) {
                set.remove(partition);
                if set.is_empty() {
                    pairs.remove(&pair);
                }
            }
            if pairs.is_empty() {
                self.by_topic.remove(&partition.topic);
            }
        }
        Some(pair)
    }

    fn add(&mut self, partition: &TopicPartition, pair: Pair) {
        self.by_topic
            .entry(partition.topic.clone())
            .or_default()
            .entry(pair.clone())
            .or_default()
            .insert(partition.clone());
        self.moves.insert(partition.clone(), pair);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_back_takes_the_partition_that_moved_the_other_way() {
        let mut m = PartitionMovements::default();
        let t0 = TopicPartition::new("t", 0);
        let t1 = TopicPartition::new("t", 1);
        assert_eq!(m.partition_to_be_moved(&t0, "a", "b"), t0);
        m.move_partition(&t0, "a", "b");
        // t-1 should go from b to a: t-0 went a → b, so t-0 goes back instead.
        assert_eq!(m.partition_to_be_moved(&t1, "b", "a"), t0);
        m.move_partition(&t0, "b", "a");
        assert!(m.moves.is_empty() && m.by_topic.is_empty());
    }
}
