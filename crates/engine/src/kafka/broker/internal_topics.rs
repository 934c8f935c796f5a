//! The internal topics a coordinator lives in (`__transaction_state`,
//! `__consumer_offsets`): finding a key's coordinator, creating the topic on the first
//! lookup, and whether this broker can answer for a partition of it. The transaction and
//! group coordinators both use these (apache/kafka 3.8 `KafkaApis.
//! handleFindCoordinatorRequest`, `AutoTopicCreationManager`).

use super::Broker;
use crate::kafka::messages::KafkaError;
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Ctx;
use std::collections::BTreeMap;

/// An internal topic and how it is created.
pub(crate) struct InternalTopic {
    /// Its name.
    pub(crate) name: &'static str,
    /// Its partition count.
    pub(crate) partitions: u32,
    /// Its replication factor.
    pub(crate) replication_factor: u32,
    /// How Kafka's refusal names it ("transactions state topic", "offsets topic").
    pub(crate) described_as: &'static str,
    /// The setting of its replication factor, for the refusal.
    pub(crate) rf_setting: &'static str,
    /// Its topic configs.
    pub(crate) configs: Vec<(String, String)>,
}

impl Broker {
    /// FindCoordinator for the key whose partition of `t` is `partition`: that
    /// partition's leader, from the metadata cache. The first request creates the topic
    /// through ZooKeeper, refused while fewer brokers are alive than its replication
    /// factor; until it exists the answer is COORDINATOR_NOT_AVAILABLE.
    pub(crate) fn find_internal_coordinator(
        &mut self,
        ctx: &mut Ctx<'_>,
        t: &InternalTopic,
        partition: u32,
    ) -> Result<u32, KafkaError> {
        if self.metadata.partition_count(t.name).is_some() {
            let tp = TopicPartition::new(t.name, partition);
            return self
                .metadata
                .partition(&tp)
                .and_then(|p| p.leader)
                .ok_or(KafkaError::CoordinatorNotAvailable);
        }
        let (n, rf) = (t.partitions, t.replication_factor);
        let alive = self.alive_brokers.clone();
        if (alive.len() as u32) < rf {
            ctx.note(format!(
                "Number of alive brokers '{}' does not meet the required replication factor '{rf}' for the {} (configured via '{}'). This error can be ignored if the cluster is starting up and not all brokers are up yet.",
                alive.len(),
                t.described_as,
                t.rf_setting
            ));
            return Err(KafkaError::CoordinatorNotAvailable);
        }
        if self.zk.is_some() && !self.internal_topics_requested.contains(t.name) {
            self.internal_topics_requested.insert(t.name);
            let assignment = crate::kafka::topic::assign_replicas(ctx.rng(), n, rf, &alive);
            let id = crate::kafka::topic::TopicId::random(ctx.rng());
            ctx.note(format!(
                "Creating the internal topic {} with {n} partitions and replication factor {rf}",
                t.name
            ));
            self.write_topic(ctx, t.name, &assignment, &t.configs, id);
        }
        Err(KafkaError::CoordinatorNotAvailable)
    }

    /// Whether this broker can answer for partition `p` of internal topic `topic` now:
    /// yes once it has `loaded` it, COORDINATOR_LOAD_IN_PROGRESS while it leads it but has
    /// not loaded it, NOT_COORDINATOR when it does not lead it.
    pub(crate) fn internal_coordinator_status(
        &self,
        topic: &str,
        p: u32,
        loaded: bool,
    ) -> Result<u32, KafkaError> {
        if loaded {
            return Ok(p);
        }
        match self.partitions.get(&TopicPartition::new(topic, p)) {
            Some(s) if s.leader == self.id => Err(KafkaError::CoordinatorLoadInProgress),
            _ => Err(KafkaError::NotCoordinator),
        }
    }

    /// The partitions of internal topic `topic` this broker leads now (partition →
    /// leader epoch), and those of `loaded` it must give up: no longer led, or led in
    /// another epoch (`onElection` / `onResignation`).
    pub(crate) fn internal_leadership(
        &self,
        topic: &str,
        loaded: &BTreeMap<u32, u32>,
    ) -> (BTreeMap<u32, u32>, Vec<u32>) {
        let led: BTreeMap<u32, u32> = self
            .partitions
            .iter()
            .filter(|(tp, s)| tp.topic == topic && s.leader == self.id)
            .map(|(tp, s)| (tp.partition, s.leader_epoch))
            .collect();
        let gone = loaded
            .iter()
            .filter(|(p, e)| led.get(p) != Some(e))
            .map(|(p, _)| *p)
            .collect();
        (led, gone)
    }
}
