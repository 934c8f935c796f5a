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
/// without racks (`AdminUtils.assignReplicasToBrokersRackUnaware`): a random start index
/// and a random shift for the second replica, both drawn from the world's RNG. The first
/// replica of each partition is its preferred leader. Requires `1 <= rf <= brokers.len()`.
pub fn assign_replicas(
    rng: &mut SimRng,
    partitions: u32,
    rf: u32,
    brokers: &[u32],
) -> Vec<Vec<u32>> {
    let n = brokers.len() as u64;
    let start = rng.below(n);
    let mut shift = rng.below(n);
    let mut out = Vec::new();
    for p in 0..u64::from(partitions) {
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
}
