//! Choosing a partition for a record (`KafkaProducer.partition`, `BuiltInPartitioner`,
//! Kafka 3.7).
//!
//! 1. An explicit partition wins.
//! 2. A non-null key (an empty key counts) hashes: `toPositive(murmur2(key)) % partitions`,
//!    over all partitions of the topic, available or not.
//! 3. A null key goes to the topic's sticky partition (KIP-794, the built-in partitioner
//!    since Kafka 3.3). The accumulator counts the bytes it appends there (a new batch
//!    counts with its 61-byte header) and switches to a new partition once they reach
//!    `batch.size` *and* the partition's last batch is full, or once they reach twice
//!    `batch.size` whatever the batch (`updatePartitionInfo`), so switches line up with
//!    batch boundaries. The next partition is drawn among those with a leader, and may be
//!    the same one again (`nextPartition`); with adaptive partitioning on (the default)
//!    the draw is weighted toward shorter queues, `P(i) = (max+1-q_i) / sum`, and uniform
//!    when every queue is as long as the others.
//!
//! Round-robin is not the default, whatever old notes say; "never the same partition
//! twice" was KIP-480's `StickyPartitionCache` (2.4), used now only by the deprecated
//! `DefaultPartitioner`.

use crate::kafka::murmur2::partition_for_key;
use crate::sim::rng::SimRng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a partition was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Choice {
    /// The record named its partition.
    Explicit,
    /// murmur2 of the key.
    KeyHash,
    /// The sticky partition for keyless records.
    Sticky,
    /// The producer's `partitioner.class` or `partitioner.rules`.
    Custom,
}

impl Choice {
    /// A short English name.
    pub fn name(self) -> &'static str {
        match self {
            Choice::Explicit => "explicit partition",
            Choice::KeyHash => "murmur2(key) % partitions",
            Choice::Sticky => "sticky partition (null key)",
            Choice::Custom => "partitioner.class",
        }
    }
}

/// The sticky partition of one topic and the bytes appended to it since it was chosen
/// (`StickyPartitionInfo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StickyInfo {
    /// The partition.
    pub partition: u32,
    /// `producedBytes`.
    pub produced_bytes: u64,
}

/// The built-in partitioner's state for every topic, and the queue lengths the sender saw
/// last (`updatePartitionLoadStats`).
#[derive(Clone, Debug, Default)]
pub struct BuiltInPartitioner {
    current: BTreeMap<String, StickyInfo>,
    /// Per topic, `(partition, batches queued)` for partitions with a leader, when the
    /// lengths differ; none when they are all equal (a uniform draw).
    load: BTreeMap<String, Vec<(u32, u64)>>,
}

impl BuiltInPartitioner {
    /// `nextPartition`: a partition with a leader (`available`, all partitions when none
    /// has one), weighted by the last load stats of the topic.
    pub fn next_partition(
        &self,
        rng: &mut SimRng,
        topic: &str,
        available: &[u32],
        partitions: u32,
    ) -> u32 {
        let random = rng.below(u64::from(i32::MAX as u32));
        if let Some(load) = self.load.get(topic).filter(|l| l.len() >= 2) {
            // Cumulative frequency table of weights max+1-q.
            let max = load.iter().map(|(_, q)| *q).max().unwrap_or(0) + 1;
            let mut cft = Vec::with_capacity(load.len());
            let mut sum = 0;
            for (_, q) in load {
                sum += max - q;
                cft.push(sum);
            }
            let r = random % sum;
            let i = cft.partition_point(|&c| c <= r);
            return load[i].0;
        }
        if available.is_empty() {
            (random % u64::from(partitions.max(1))) as u32
        } else {
            available[(random % available.len() as u64) as usize]
        }
    }

    /// `peekCurrentPartitionInfo`: the topic's sticky partition, choosing one if none.
    pub fn current(
        &mut self,
        rng: &mut SimRng,
        topic: &str,
        available: &[u32],
        partitions: u32,
    ) -> StickyInfo {
        if let Some(i) = self.current.get(topic) {
            return *i;
        }
        let partition = self.next_partition(rng, topic, available, partitions);
        let info = StickyInfo {
            partition,
            produced_bytes: 0,
        };
        self.current.insert(topic.to_string(), info);
        info
    }

    /// Starts a new sticky partition for `topic` (its counter at 0).
    pub fn switch(&mut self, rng: &mut SimRng, topic: &str, available: &[u32], partitions: u32) {
        let partition = self.next_partition(rng, topic, available, partitions);
        self.current.insert(
            topic.to_string(),
            StickyInfo {
                partition,
                produced_bytes: 0,
            },
        );
    }

    /// `updatePartitionInfo`: counts `appended` bytes; returns true when the partition
    /// must switch: `produced >= batch_size && enable_switch || produced >= 2 * batch_size`.
    pub fn update(
        &mut self,
        topic: &str,
        appended: u64,
        batch_size: u64,
        enable_switch: bool,
    ) -> bool {
        let Some(i) = self.current.get_mut(topic) else {
            return false;
        };
        i.produced_bytes += appended;
        let b = batch_size.max(1);
        (i.produced_bytes >= b && enable_switch) || i.produced_bytes >= 2 * b
    }

    /// `updatePartitionLoadStats`: the queue length (batches) of each partition with a
    /// leader, as the sender's `ready` saw them; equal lengths mean a uniform draw.
    pub fn set_load(&mut self, topic: &str, queues: Vec<(u32, u64)>) {
        let equal = queues.windows(2).all(|w| w[0].1 == w[1].1);
        if queues.len() < 2 || equal {
            self.load.remove(topic);
        } else {
            self.load.insert(topic.to_string(), queues);
        }
    }
}

/// Picks the partition of a record that has a key or an explicit partition; `None` for a
/// keyless record, which goes to the sticky partition.
pub fn fixed_partition(
    explicit: Option<u32>,
    key: Option<&str>,
    partitions: u32,
) -> Option<(u32, Choice)> {
    if let Some(p) = explicit {
        return Some((p, Choice::Explicit));
    }
    key.map(|k| (partition_for_key(k.as_bytes(), partitions), Choice::KeyHash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hash_the_same_way_every_time() {
        let a = fixed_partition(None, Some("k1"), 6);
        assert_eq!(a, fixed_partition(None, Some("k1"), 6));
        assert_eq!(a.map(|x| x.1), Some(Choice::KeyHash));
        assert_eq!(
            fixed_partition(Some(3), Some("k1"), 6),
            Some((3, Choice::Explicit))
        );
        assert_eq!(fixed_partition(None, None, 6), None);
    }

    #[test]
    fn the_switch_waits_for_a_full_batch_up_to_twice_batch_size() {
        let mut p = BuiltInPartitioner::default();
        let mut rng = SimRng::new(2);
        p.current(&mut rng, "t", &[0, 1, 2], 3);
        assert!(!p.update("t", 120, 100, false), "batch not full: no switch");
        assert!(p.update("t", 0, 100, true), "the batch filled up: switch");
        p.switch(&mut rng, "t", &[0, 1, 2], 3);
        assert!(!p.update("t", 150, 100, false));
        assert!(
            p.update("t", 60, 100, false),
            "twice batch.size: switch anyway"
        );
    }

    #[test]
    fn the_next_partition_may_be_the_same_one_and_is_uniform_on_equal_queues() {
        let p = BuiltInPartitioner::default();
        let mut rng = SimRng::new(5);
        let mut seen = [0u32; 2];
        for _ in 0..2000 {
            seen[p.next_partition(&mut rng, "t", &[0, 1], 2) as usize] += 1;
        }
        assert!(seen[0] > 900 && seen[1] > 900, "{seen:?}");
    }

    #[test]
    fn shorter_queues_are_more_likely() {
        let mut p = BuiltInPartitioner::default();
        p.set_load("t", vec![(0, 0), (1, 3), (2, 1)]);
        // Weights 4, 1, 3 out of 8 (BuiltInPartitioner's own example).
        let mut rng = SimRng::new(9);
        let mut seen = [0u32; 3];
        for _ in 0..8000 {
            seen[p.next_partition(&mut rng, "t", &[0, 1, 2], 3) as usize] += 1;
        }
        assert!(
            seen[0] > 3600 && seen[1] < 1300 && seen[2] > 2600,
            "{seen:?}"
        );
        p.set_load("t", vec![(0, 2), (1, 2), (2, 2)]);
        assert!(p.load.is_empty(), "equal queues: uniform");
    }
}
