//! Cluster metadata: which brokers hold which partitions, who leads, and the ISR.
//!
//! In ZooKeeper-mode Kafka this lives in ZooKeeper (`/brokers/topics/<t>` and
//! `.../partitions/<p>/state`) and reaches brokers from the controller (UpdateMetadata):
//! each broker's metadata cache is one of these. The world keeps one more as the admin's
//! record of what `topic create` asked for (assignments and topic configs); its leaders
//! and ISRs are only the first ones and are not kept up to date.

use crate::kafka::messages::{PartitionMetadata, TopicMetadata};
use crate::kafka::topic::TopicPartition;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The state of one partition (`LeaderAndIsr` plus the assignment).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionInfo {
    /// Assigned replicas (AR), the preferred leader first.
    pub replicas: Vec<u32>,
    /// The leader, if any.
    pub leader: Option<u32>,
    /// The leader epoch.
    pub leader_epoch: u32,
    /// In-sync replicas.
    pub isr: Vec<u32>,
}

/// Topics and their partitions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterMetadata {
    /// Topic-level config overrides (`topic create ... segment.bytes 1024`), by topic.
    #[serde(default)]
    pub configs: BTreeMap<String, Vec<(String, String)>>,
    /// Partitions of each topic, by partition number.
    pub topics: BTreeMap<String, Vec<PartitionInfo>>,
    /// Each topic's id (KIP-516), as written in `/brokers/topics/<t>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ids: BTreeMap<String, crate::kafka::topic::TopicId>,
}

impl ClusterMetadata {
    /// The state of one partition.
    pub fn partition(&self, tp: &TopicPartition) -> Option<&PartitionInfo> {
        self.topics.get(&tp.topic)?.get(tp.partition as usize)
    }

    /// Partition count of a topic.
    pub fn partition_count(&self, topic: &str) -> Option<u32> {
        self.topics.get(topic).map(|p| p.len() as u32)
    }

    /// Records a new topic as the controller initialises it
    /// (`PartitionStateMachine.initializeLeaderAndIsrForPartitions`, Kafka 3.7): the leader
    /// is the first replica in assignment order that is live (its broker has a process,
    /// so its ZooKeeper registration stands), the ISR is the live replicas, leader epoch 0.
    /// A partition with no live replica has no leader and an empty ISR (OfflinePartition).
    pub fn create_topic(&mut self, topic: &str, assignment: &[Vec<u32>], live: &[u32]) {
        let parts = assignment
            .iter()
            .map(|r| {
                let isr: Vec<u32> = r.iter().copied().filter(|b| live.contains(b)).collect();
                PartitionInfo {
                    replicas: r.clone(),
                    leader: isr.first().copied(),
                    leader_epoch: 0,
                    isr,
                }
            })
            .collect();
        self.topics.insert(topic.to_string(), parts);
    }

    /// Records partitions added to `topic` (`kafka-topics --alter --partitions`), each
    /// initialised as [`ClusterMetadata::create_topic`] initialises a new topic's.
    pub fn add_partitions(&mut self, topic: &str, added: &[Vec<u32>], live: &[u32]) {
        let mut fresh = ClusterMetadata::default();
        fresh.create_topic(topic, added, live);
        if let (Some(parts), Some(new)) = (self.topics.get_mut(topic), fresh.topics.remove(topic)) {
            parts.extend(new);
        }
    }

    /// The metadata response entries for `topics` (all topics when empty).
    pub fn describe(&self, topics: &[String]) -> Vec<TopicMetadata> {
        let names: Vec<String> = if topics.is_empty() {
            self.topics.keys().cloned().collect()
        } else {
            topics.to_vec()
        };
        names
            .into_iter()
            .map(|topic| match self.topics.get(&topic) {
                Some(parts) => TopicMetadata {
                    topic,
                    error: None,
                    partitions: parts
                        .iter()
                        .enumerate()
                        .map(|(i, p)| PartitionMetadata {
                            partition: i as u32,
                            leader: p.leader,
                            replicas: p.replicas.clone(),
                            isr: p.isr.clone(),
                        })
                        .collect(),
                },
                None => TopicMetadata {
                    topic,
                    error: Some(crate::kafka::messages::KafkaError::UnknownTopicOrPartition),
                    partitions: Vec::new(),
                },
            })
            .collect()
    }
}
