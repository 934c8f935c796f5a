//! Choosing a partition for a record (`KafkaProducer.partition`, `BuiltInPartitioner`).
//!
//! 1. An explicit partition wins.
//! 2. A non-null key (an empty key counts) hashes: `toPositive(murmur2(key)) % partitions`,
//!    over all partitions of the topic, available or not.
//! 3. A null key goes to the sticky partition (KIP-480, uniform sticky since Kafka 3.3,
//!    KIP-794): one partition until `batch.size` bytes were produced to it, then a random
//!    other partition among those with a leader. (Kafka weighs that choice by queue
//!    length when adaptive partitioning is on; here the choice is uniform.)
//!
//! Round-robin is not the default, whatever old notes say.

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
}

impl Choice {
    /// A short English name.
    pub fn name(self) -> &'static str {
        match self {
            Choice::Explicit => "explicit partition",
            Choice::KeyHash => "murmur2(key) % partitions",
            Choice::Sticky => "sticky partition (null key)",
        }
    }
}

/// The sticky partitioner's state per topic.
#[derive(Clone, Debug, Default)]
pub struct StickyPartitioner {
    /// Topic -> (current partition, bytes produced to it since it was chosen).
    current: BTreeMap<String, (u32, u64)>,
}

impl StickyPartitioner {
    /// The partition for a keyless record of `record_bytes` on `topic`. `available` are the
    /// partitions with a leader (all partitions when none has one).
    pub fn choose(
        &mut self,
        rng: &mut SimRng,
        topic: &str,
        available: &[u32],
        batch_size: u64,
        record_bytes: u64,
    ) -> u32 {
        let switch = match self.current.get(topic) {
            Some((p, bytes)) => *bytes >= batch_size || !available.contains(p),
            None => true,
        };
        if switch {
            let old = self.current.get(topic).map(|(p, _)| *p);
            let candidates: Vec<u32> = available
                .iter()
                .copied()
                .filter(|p| Some(*p) != old || available.len() == 1)
                .collect();
            let pick = candidates[rng.below(candidates.len() as u64) as usize];
            self.current.insert(topic.to_string(), (pick, 0));
        }
        let entry = self.current.get_mut(topic).expect("just set");
        entry.1 += record_bytes;
        entry.0
    }
}

/// What the partitioner needs to know about one record.
#[derive(Clone, Copy, Debug)]
pub struct RecordInfo<'a> {
    /// The topic.
    pub topic: &'a str,
    /// An explicit partition (already checked against the partition count).
    pub explicit: Option<u32>,
    /// The key.
    pub key: Option<&'a str>,
    /// The topic's partition count.
    pub partitions: u32,
    /// Partitions that have a leader.
    pub available: &'a [u32],
    /// The producer's `batch.size`.
    pub batch_size: u64,
    /// The record's size in bytes.
    pub record_bytes: u64,
}

/// Picks the partition for one record.
pub fn choose(
    sticky: &mut StickyPartitioner,
    rng: &mut SimRng,
    r: &RecordInfo<'_>,
) -> (u32, Choice) {
    if let Some(p) = r.explicit {
        return (p, Choice::Explicit);
    }
    if let Some(k) = r.key {
        return (
            partition_for_key(k.as_bytes(), r.partitions),
            Choice::KeyHash,
        );
    }
    let all: Vec<u32> = (0..r.partitions).collect();
    let avail = if r.available.is_empty() {
        &all[..]
    } else {
        r.available
    };
    (
        sticky.choose(rng, r.topic, avail, r.batch_size, r.record_bytes),
        Choice::Sticky,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hash_the_same_way_every_time() {
        let mut s = StickyPartitioner::default();
        let mut rng = SimRng::new(1);
        let info = RecordInfo {
            topic: "t",
            explicit: None,
            key: Some("k1"),
            partitions: 6,
            available: &[0, 1, 2, 3, 4, 5],
            batch_size: 16384,
            record_bytes: 10,
        };
        let a = choose(&mut s, &mut rng, &info);
        let b = choose(&mut s, &mut rng, &info);
        assert_eq!(a, b);
        assert_eq!(a.1, Choice::KeyHash);
    }

    #[test]
    fn sticky_switches_after_batch_size() {
        let mut s = StickyPartitioner::default();
        let mut rng = SimRng::new(2);
        let avail = [0, 1, 2];
        let first = s.choose(&mut rng, "t", &avail, 100, 60);
        assert_eq!(
            s.choose(&mut rng, "t", &avail, 100, 60),
            first,
            "40 bytes short of batch.size"
        );
        let next = s.choose(&mut rng, "t", &avail, 100, 60);
        assert_ne!(next, first, "batch.size reached: a new partition");
    }
}
