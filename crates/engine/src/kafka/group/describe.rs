//! `kafka-consumer-groups --describe --group g` (apache/kafka 3.8
//! `ConsumerGroupCommand.printOffsets`): one row per partition,
//!
//! ```text
//! (empty line)
//! GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID
//! g               orders          0          5               7               2               consumer-g-1-…  /consumer1      consumer-g-1
//! ```
//!
//! in the format `"\n%-Gs %-Ts %-10s %-15s %-15s %-15s %-Cs %-Hs %s"`, where G, T, C and
//! H are the longest value of their column and at least 15. Members come in order of
//! partition count (most first), each member's partitions by number, then partitions
//! with a committed offset and no member (`-` for consumer, host and client). LOG-END-OFFSET
//! is what ListOffsets(LATEST, READ_UNCOMMITTED) answers: the high watermark. A missing
//! value prints `-`. An empty group's rows come after
//! `Consumer group 'g' has no active members.`; a rebalancing one's after
//! `Warning: Consumer group 'g' is rebalancing.`; an unknown group prints
//! `Consumer group 'g' does not exist.`
//!
//! The engine's hosts are the consumers' node names (`/consumer1`), where Kafka prints
//! the client's address (`/10.0.0.5`).

use super::query::{consumer_name, coordinated};
use super::state::GroupState;
use crate::kafka::topic::TopicPartition;
use crate::sim::world::World;

/// The lines `kafka-consumer-groups --describe --group <group>` prints.
pub fn describe(w: &World, group: &str) -> Vec<String> {
    let Some(g) = coordinated(w, group) else {
        return vec![format!("Consumer group '{group}' does not exist.")];
    };
    if g.state == GroupState::Dead {
        return vec![format!("Consumer group '{group}' does not exist.")];
    }
    let hw = |tp: &TopicPartition| super::query::leader(w, tp).and_then(|b| b.hw(tp));
    // (topic, partition, current, end, lag, consumer id, host, client id)
    let mut rows: Vec<[String; 8]> = Vec::new();
    let dash = || "-".to_string();
    let row = |tp: &TopicPartition, member: Option<(&str, &str)>| {
        let current = g.offsets.get(tp).copied();
        let end = hw(tp);
        let lag = match (current, end) {
            (Some(c), Some(e)) => e.saturating_sub(c).to_string(),
            _ => dash(),
        };
        let (id, host, client) = match member {
            Some((id, client)) => (
                id.to_string(),
                format!("/{}", consumer_name(client)),
                client.to_string(),
            ),
            None => (dash(), dash(), dash()),
        };
        [
            tp.topic.clone(),
            tp.partition.to_string(),
            current.map_or_else(dash, |c| c.to_string()),
            end.map_or_else(dash, |e| e.to_string()),
            lag,
            id,
            host,
            client,
        ]
    };
    let mut head = Vec::new();
    let stable = g.state == GroupState::Stable;
    let mut assigned: Vec<&TopicPartition> = Vec::new();
    if stable {
        let mut members: Vec<_> = g.members.iter().collect();
        members.sort_by_key(|m| std::cmp::Reverse(m.assignment.len()));
        for m in members {
            let mut tps: Vec<&TopicPartition> = m.assignment.iter().collect();
            tps.sort_by_key(|tp| tp.partition);
            for tp in tps {
                rows.push(row(tp, Some((&m.member_id, &m.client_id))));
                assigned.push(tp);
            }
        }
    }
    for tp in g.offsets.keys().filter(|tp| !assigned.contains(tp)) {
        rows.push(row(tp, None));
    }
    match g.state {
        GroupState::Empty => {
            head.push(String::new());
            head.push(format!("Consumer group '{group}' has no active members."));
        }
        GroupState::PreparingRebalance | GroupState::CompletingRebalance => {
            head.push(String::new());
            head.push(format!("Warning: Consumer group '{group}' is rebalancing."));
        }
        _ => {}
    }
    let width = |i: usize, title: &str| {
        rows.iter()
            .map(|r| r[i].len())
            .chain([title.len(), group.len(), 15])
            .max()
            .unwrap_or(15)
    };
    let (gw, tw, cw, hw_) = (
        group.len().max(15),
        width(0, "TOPIC"),
        width(5, "CONSUMER-ID"),
        width(6, "HOST"),
    );
    let line = |cols: [&str; 9]| {
        format!(
            "{:<gw$} {:<tw$} {:<10} {:<15} {:<15} {:<15} {:<cw$} {:<hw_$} {}",
            cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8]
        )
    };
    let mut out = head;
    out.push(String::new());
    out.push(line([
        "GROUP",
        "TOPIC",
        "PARTITION",
        "CURRENT-OFFSET",
        "LOG-END-OFFSET",
        "LAG",
        "CONSUMER-ID",
        "HOST",
        "CLIENT-ID",
    ]));
    for r in &rows {
        out.push(line([
            group, &r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6], &r[7],
        ]));
    }
    out
}
