//! Topic-partitions and replica placement.

use crate::sim::rng::SimRng;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A partition of a topic, written `orders-0` as Kafka names its log directory.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct TopicPartition {
    /// Topic name.
    pub topic: String,
    /// Partition number, from 0.
    pub partition: u32,
}

impl TopicPartition {
    /// `topic`-`partition`.
    pub fn new(topic: impl Into<String>, partition: u32) -> Self {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// Why a topic-partition name could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a topic-partition (expected <topic>-<partition>, e.g. orders-0)")]
pub struct BadTopicPartition(pub String);

impl FromStr for TopicPartition {
    type Err = BadTopicPartition;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadTopicPartition(s.to_string());
        let (topic, p) = s.rsplit_once('-').ok_or_else(bad)?;
        if !valid_topic_name(topic) {
            return Err(bad());
        }
        let partition = p.parse().map_err(|_| bad())?;
        Ok(TopicPartition::new(topic, partition))
    }
}

impl From<TopicPartition> for String {
    fn from(tp: TopicPartition) -> String {
        tp.to_string()
    }
}

impl TryFrom<String> for TopicPartition {
    type Error = BadTopicPartition;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// Kafka's topic name rule (`Topic.validate`): 1 to 249 characters of `[a-zA-Z0-9._-]`,
/// and not `.` or `..`.
pub fn valid_topic_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 249
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Places `partitions` x `rf` replicas on `brokers` the way `kafka-topics --create` does
/// without racks (`AdminUtils.assignReplicasToBrokersRackUnaware`, apache/kafka 3.8,
/// `server-common`): a random start index and a random shift for the second replica, both
/// drawn from the world's RNG. The first replica of each partition is its preferred
/// leader. Requires `1 <= rf <= brokers.len()`.
pub fn assign_replicas(
    rng: &mut SimRng,
    partitions: u32,
    rf: u32,
    brokers: &[u32],
) -> Vec<Vec<u32>> {
    let n = brokers.len() as u64;
    let start = rng.below(n);
    let shift = rng.below(n);
    place(partitions, rf, brokers, start, shift, 0)
}

/// The replicas of `added` new partitions of a topic that has `existing` partitions, the
/// first of which is on `first_replicas` (`AdminZkClient.createNewPartitionsAssignment`,
/// apache/kafka 3.8): the start index is fixed at the first broker whose id is at least
/// partition 0's first replica, the replica shift starts there too, and partition ids
/// continue from `existing`, so the new partitions carry on the rotation of the old ones.
/// `brokers` ascending; requires `1 <= rf <= brokers.len()`.
pub fn assign_added_partitions(
    first_replicas: &[u32],
    existing: u32,
    added: u32,
    brokers: &[u32],
) -> Vec<Vec<u32>> {
    let rf = first_replicas.len() as u32;
    let head = first_replicas.first().copied().unwrap_or(0);
    let start = brokers.iter().position(|b| *b >= head).unwrap_or(0) as u64;
    place(added, rf, brokers, start, start, u64::from(existing))
}

/// `assignReplicasToBrokersRackUnaware` with its start index, replica shift and first
/// partition id given.
fn place(
    partitions: u32,
    rf: u32,
    brokers: &[u32],
    start: u64,
    mut shift: u64,
    first_partition: u64,
) -> Vec<Vec<u32>> {
    let n = brokers.len() as u64;
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    for p in first_partition..first_partition + u64::from(partitions) {
        if p > 0 && p % n == 0 {
            shift += 1;
        }
        let first = (p + start) % n;
        let mut replicas = vec![brokers[first as usize]];
        for j in 0..u64::from(rf.saturating_sub(1)) {
            let s = 1 + (shift + j) % (n - 1);
            replicas.push(brokers[((first + s) % n) as usize]);
        }
        out.push(replicas);
    }
    out
}

/// A topic id (KIP-516): 16 random bytes, shown as Kafka's `Uuid.toString` does, URL-safe
/// base64 without padding (22 characters, e.g. `d3Fz0A7lRYe_OJiYbTjLIw`). Kafka writes it
/// in `/brokers/topics/<t>` as `topic_id` since 2.8 and `kafka-topics --describe` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TopicId(pub [u8; 16]);

impl TopicId {
    /// A random id as `Uuid.randomUuid` makes one: a version-4 `java.util.UUID`
    /// (version and variant bits set), drawn again while its text starts with `-`
    /// (which a command line would read as an option) or it is a reserved id.
    pub fn random(rng: &mut SimRng) -> TopicId {
        loop {
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&rng.next_u64().to_be_bytes());
            b[8..].copy_from_slice(&rng.next_u64().to_be_bytes());
            b[6] = (b[6] & 0x0f) | 0x40;
            b[8] = (b[8] & 0x3f) | 0x80;
            let id = TopicId(b);
            if !id.to_string().starts_with('-') {
                return id;
            }
        }
    }
}

impl FromStr for TopicId {
    type Err = String;
    /// Kafka's `Uuid.fromString`: 22 characters of URL-safe base64 for 16 bytes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|e| format!("`{s}` is not a topic id: {e}"))?;
        let b: [u8; 16] = bytes
            .try_into()
            .map_err(|_| format!("`{s}` is not a topic id: not 16 bytes"))?;
        Ok(TopicId(b))
    }
}

impl fmt::Display for TopicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use base64::Engine;
        f.write_str(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let tp: TopicPartition = "my-topic-12".parse().unwrap();
        assert_eq!(tp, TopicPartition::new("my-topic", 12));
        assert_eq!(tp.to_string(), "my-topic-12");
        assert!("orders".parse::<TopicPartition>().is_err());
        assert!("orders-x".parse::<TopicPartition>().is_err());
        assert!("bad name-0".parse::<TopicPartition>().is_err());
    }

    #[test]
    fn placement_spreads_leaders_and_never_repeats_a_broker() {
        let mut rng = SimRng::new(9);
        let a = assign_replicas(&mut rng, 6, 3, &[1, 2, 3]);
        assert_eq!(a.len(), 6);
        for r in &a {
            let mut s = r.clone();
            s.sort();
            s.dedup();
            assert_eq!(s.len(), 3, "replicas must be distinct: {r:?}");
        }
        let leaders: std::collections::BTreeSet<u32> = a.iter().map(|r| r[0]).collect();
        assert_eq!(leaders.len(), 3, "leaders rotate over brokers");
    }

    #[test]
    fn added_partitions_continue_the_rotation() {
        // AdminZkClientTest-style: 3 brokers, partition 0 on 1,2; two more partitions
        // start at broker1's index with shift 0, partition ids 1 and 2.
        assert_eq!(
            assign_added_partitions(&[1, 2], 1, 2, &[1, 2, 3]),
            vec![vec![2, 3], vec![3, 1]]
        );
        // AddPartitionsTest.testReplicaPlacementAllServers (apache/kafka 3.8): brokers
        // 0..3, partition 0 on 2,3,0,1, increased to 7: leaders 3,0,1,2,3,0.
        let a = assign_added_partitions(&[2, 3, 0, 1], 1, 6, &[0, 1, 2, 3]);
        let leaders: Vec<u32> = a.iter().map(|r| r[0]).collect();
        assert_eq!(leaders, vec![3, 0, 1, 2, 3, 0]);
        assert!(a.iter().all(|r| {
            let mut s = r.clone();
            s.sort();
            s == vec![0, 1, 2, 3]
        }));
    }

    #[test]
    fn topic_ids_print_as_kafka_uuids() {
        let id = TopicId([
            0x77, 0x71, 0x73, 0xd0, 0x0e, 0xe5, 0x45, 0x87, 0xbf, 0x38, 0x98, 0x98, 0x6d, 0x38,
            0xcb, 0x23,
        ]);
        assert_eq!(id.to_string(), "d3Fz0A7lRYe_OJiYbTjLIw");
        let mut rng = SimRng::new(4);
        for _ in 0..200 {
            let id = TopicId::random(&mut rng);
            let s = id.to_string();
            assert_eq!(s.len(), 22);
            assert!(!s.starts_with('-'));
            assert_eq!(id.0[6] >> 4, 4, "version 4");
            assert_eq!(s.parse::<TopicId>(), Ok(id));
        }
    }
}
