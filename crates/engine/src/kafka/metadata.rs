//! Cluster metadata: which brokers hold which partitions, who leads, and the ISR.
//!
//! In ZooKeeper-mode Kafka this lives in ZooKeeper (`/brokers/topics/<t>` and
//! `.../partitions/<p>/state`) and reaches brokers from the controller. The controller
//! comes in a later issue; until then `topic create` writes it straight to every broker
//! and the first replica of each partition leads.

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

    /// Adds a topic whose partitions have the given replica lists; the first replica of
    /// each leads at epoch 0 with every replica in the ISR (what the controller does for a
    /// new topic).
    pub fn create_topic(&mut self, topic: &str, assignment: &[Vec<u32>]) {
        let parts = assignment
            .iter()
            .map(|r| PartitionInfo {
                replicas: r.clone(),
                leader: r.first().copied(),
                leader_epoch: 0,
                isr: r.clone(),
            })
            .collect();
        self.topics.insert(topic.to_string(), parts);
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
