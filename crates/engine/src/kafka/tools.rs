//! What Kafka's command-line tools print, from the world's state. `kafka-topics.sh
//! --describe` (`TopicCommand.TopicDescription.printDescription` and
//! `PartitionDescription.printDescription`, apache/kafka tools, 3.8; reference/protocol-
//! facts.md section 12): a topic line
//! `Topic: <t>\tTopicId: <id>\tPartitionCount: <n>\tReplicationFactor: <rf>\tConfigs: <k=v,...>`
//! (the id as `Uuid.toString` prints it; Kafka leaves `TopicId:` out for the zero UUID),
//! then per partition
//! `\tTopic: <t>\tPartition: <p>\tLeader: <id|none>\tReplicas: <ids>\tIsr: <ids>\tElr: N/A\tLastKnownElr: N/A`
//! (ELR fields since 3.8; N/A without KRaft's ELR). Configs are the topic's overrides in
//! the order they were given. A partition being reassigned also shows
//! `\tAdding Replicas: <ids>\tRemoving Replicas: <ids>` after its ISR. `--under-replicated-partitions` and `--unavailable-partitions`
//! print only the matching partition lines, with no topic line (`DescribeOptions`). Leader,
//! replicas and ISR come from the metadata cache of the broker the tool asks (what the
//! controller's last UpdateMetadata said). `kafka-topics --list` prints the topic names,
//! sorted, one per line (`TopicService.listTopics`).

use crate::kafka::topic::TopicPartition;
use crate::sim::world::World;
use serde::{Deserialize, Serialize};

/// A `--describe` filter (`TopicCommand`'s describe options).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Only {
    /// `--under-replicated-partitions`: the ISR is smaller than the replicas. Only the
    /// partition lines are printed.
    UnderReplicated,
    /// `--unavailable-partitions`: no live leader.
    Unavailable,
}

impl Only {
    /// The flag.
    pub fn flag(self) -> &'static str {
        match self {
            Only::UnderReplicated => "--under-replicated-partitions",
            Only::Unavailable => "--unavailable-partitions",
        }
    }
}

fn ids(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// The lines `kafka-topics --describe [--topic t] [filter]` prints, topics in name order,
/// from the metadata cache of the first running broker (the tool's bootstrap server; its
/// cache is what UpdateMetadata last said). With a filter, only the matching partition
/// lines (TopicCommand prints no topic line then); a partition is unavailable when it has
/// no leader or its leader is not among the live brokers.
pub fn describe_topics(w: &World, topic: Option<&str>, only: Option<Only>) -> Vec<String> {
    let Some((_, broker)) = w.brokers().find(|(up, _)| *up) else {
        return Vec::new();
    };
    let meta = broker.metadata_cache();
    let live = broker.alive_brokers();
    let mut out = Vec::new();
    for (name, parts) in &meta.topics {
        if topic.is_some_and(|t| t != name) {
            continue;
        }
        let rf = parts.first().map_or(0, |p| p.replicas.len());
        let configs = w
            .topics()
            .configs
            .get(name)
            .map(|c| {
                c.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        if only.is_none() {
            let id = w
                .topics()
                .ids
                .get(name)
                .map_or(String::new(), |id| format!("\tTopicId: {id}"));
            out.push(format!(
                "Topic: {name}{id}\tPartitionCount: {}\tReplicationFactor: {rf}\tConfigs: {configs}",
                parts.len()
            ));
        }
        for (p, info) in parts.iter().enumerate() {
            let shown = match only {
                None => true,
                Some(Only::UnderReplicated) => info.isr.len() < info.replicas.len(),
                Some(Only::Unavailable) => !info.leader.is_some_and(|l| live.contains(&l)),
            };
            if !shown {
                continue;
            }
            // ListPartitionReassignments, answered by the controller.
            let moving = crate::kafka::controller::running(w)
                .and_then(|b| b.reassignment(&TopicPartition::new(name, p as u32)))
                .map_or(String::new(), |r| {
                    format!(
                        "\tAdding Replicas: {}\tRemoving Replicas: {}",
                        ids(&r.adding()),
                        ids(&r.removing())
                    )
                });
            out.push(format!(
                "\tTopic: {name}\tPartition: {p}\tLeader: {}\tReplicas: {}\tIsr: {}{moving}\tElr: N/A\tLastKnownElr: N/A",
                info.leader.map_or("none".to_string(), |b| b.to_string()),
                ids(&info.replicas),
                ids(&info.isr),
            ));
        }
    }
    out
}

/// The lines `kafka-topics --list` prints: the names of the topics the first running
/// broker's metadata cache knows, sorted.
pub fn list_topics(w: &World) -> Vec<String> {
    w.brokers()
        .find(|(up, _)| *up)
        .map(|(_, b)| b.metadata_cache().topics.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use crate::script::run::run_lines;
    use crate::sim::timeline::Timeline;

    #[test]
    fn describe_prints_kafka_topics_lines() {
        let mut t = Timeline::new(1);
        run_lines(
            &mut t,
            "kafka cluster 3\nstart all\n\
             topic create orders partitions 2 rf 3 assignment 1:2:3,2:3:1 segment.bytes 1024\n\
             run 1s",
        );
        assert!(
            super::describe_topics(t.world(), None, Some(super::Only::UnderReplicated)).is_empty()
        );
        run_lines(&mut t, "crash broker1");
        assert!(
            super::describe_topics(t.world(), None, Some(super::Only::Unavailable)).is_empty(),
            "until broker1's session expires nobody knows it is gone"
        );
        run_lines(&mut t, "run 25s");
        assert_eq!(
            super::describe_topics(t.world(), None, Some(super::Only::UnderReplicated)),
            vec![
                "\tTopic: orders\tPartition: 0\tLeader: 2\tReplicas: 1,2,3\tIsr: 2,3\tElr: N/A\tLastKnownElr: N/A",
                "\tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3\tElr: N/A\tLastKnownElr: N/A",
            ],
            "the controller moved orders-0 to broker2, the first live ISR replica"
        );
        run_lines(&mut t, "start broker1\nrun 10s");
        let id = t.world().topics().ids["orders"].to_string();
        assert_eq!(id.len(), 22);
        let topic_line = format!(
            "Topic: orders\tTopicId: {id}\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: segment.bytes=1024"
        );
        assert_eq!(
            super::describe_topics(t.world(), Some("orders"), None),
            vec![
                topic_line.as_str(),
                "\tTopic: orders\tPartition: 0\tLeader: 2\tReplicas: 1,2,3\tIsr: 2,3,1\tElr: N/A\tLastKnownElr: N/A",
                "\tTopic: orders\tPartition: 1\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3,1\tElr: N/A\tLastKnownElr: N/A",
            ],
            "broker1 is back in both ISRs; leadership stays with broker2 (no preferred-leader election yet)"
        );
    }

    #[test]
    fn a_moving_partition_shows_its_adding_and_removing_replicas() {
        let mut t = Timeline::new(1);
        run_lines(
            &mut t,
            "kafka cluster 3\nstart all\ntopic create t partitions 1 rf 2 assignment 1:2\n\
             kafka add-broker\nstart broker4\nrun 1s\n\
             kafka-reassign-partitions --execute --reassignment-json \
             {\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[4,2]}]}\n\
             run 100ms",
        );
        let lines = super::describe_topics(t.world(), Some("t"), None);
        assert!(
            lines[1].contains(
                "\tReplicas: 4,2,1\tIsr: 1,2\tAdding Replicas: 4\tRemoving Replicas: 1\tElr"
            ),
            "{lines:?}"
        );
        run_lines(&mut t, "run 10s");
        let lines = super::describe_topics(t.world(), Some("t"), None);
        assert!(
            lines[1].contains("\tLeader: 4\tReplicas: 4,2\tIsr: 2,4\tElr"),
            "{lines:?}"
        );
    }
}
