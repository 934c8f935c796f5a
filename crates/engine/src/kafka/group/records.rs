//! The records a group coordinator writes to `__consumer_offsets` (apache/kafka 3.8
//! `GroupMetadataManager.offsetCommitKey/Value`, `groupMetadataKey/Value`), and reading
//! them back when a broker loads a partition.
//!
//! As with `__transaction_state`, the engine stores the records as text, not Kafka's
//! binary schemas (so sizes differ), and not yet the JSON that `kafka-dump-log
//! --offsets-decoder` prints for them (`{"type":"1","data":{"group":..,"topic":..,
//! "partition":..}}` / `{"version":"3","data":{"offset":..,...}}`):
//!
//! ```text
//! key offset_commit::group=g,partition=orders-0     value offset=42
//! key group_metadata::group=g                       value generation=3,protocol=range,leader=m1,assignment={m1=orders-0,orders-1;m2=orders-2}
//! ```
//!
//! Compaction keeps the last record per key: the last committed offset per partition and
//! the last generation per group.

use super::state::ClassicGroup;
use crate::kafka::record::Record;
use crate::kafka::topic::TopicPartition;

/// What a `__consumer_offsets` record says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupRecord {
    /// A committed offset.
    Offset {
        /// The group.
        group: String,
        /// The partition.
        tp: TopicPartition,
        /// The next offset to read.
        offset: u64,
    },
    /// A group's generation and assignment.
    Group {
        /// The group.
        group: String,
        /// Its generation.
        generation: i32,
        /// The protocol (`None` for an empty generation).
        protocol: Option<String>,
        /// The leader.
        leader: Option<String>,
        /// Member id → partitions.
        assignment: Vec<(String, Vec<TopicPartition>)>,
    },
}

/// The key and value of a committed offset.
pub fn offset_entry(group: &str, tp: &TopicPartition, offset: u64) -> (String, String) {
    (
        format!("offset_commit::group={group},partition={tp}"),
        format!("offset={offset}"),
    )
}

/// The entries of an offset commit: one per partition.
pub fn offset_entries(group: &str, offsets: &[(TopicPartition, u64)]) -> Vec<(String, String)> {
    offsets
        .iter()
        .map(|(tp, o)| offset_entry(group, tp, *o))
        .collect()
}

/// A record of `(key, value)` written at `now` (ms).
pub fn record((key, value): (String, String), now: u64) -> Record {
    Record {
        key: Some(key),
        value: Some(value),
        timestamp: now,
    }
}

/// The group metadata value of `g` as it is now (key and value).
pub fn group_value(g: &ClassicGroup) -> (String, String) {
    let members: Vec<String> = g
        .members
        .iter()
        .map(|m| {
            let tps: Vec<String> = m.assignment.iter().map(|t| t.to_string()).collect();
            format!("{}={}", m.member_id, tps.join(","))
        })
        .collect();
    (
        format!("group_metadata::group={}", g.id),
        format!(
            "generation={},protocol={},leader={},assignment={{{}}}",
            g.generation,
            g.protocol.as_deref().unwrap_or("-"),
            g.leader.as_deref().unwrap_or("-"),
            members.join(";")
        ),
    )
}

/// Reads a record back; `None` for one that is not the engine's.
pub fn parse(key: &str, value: &str) -> Option<GroupRecord> {
    if let Some(rest) = key.strip_prefix("offset_commit::group=") {
        let (group, tp) = rest.rsplit_once(",partition=")?;
        let offset = value.strip_prefix("offset=")?.parse().ok()?;
        return Some(GroupRecord::Offset {
            group: group.to_string(),
            tp: tp.parse().ok()?,
            offset,
        });
    }
    let group = key.strip_prefix("group_metadata::group=")?;
    let rest = value.strip_prefix("generation=")?;
    let (generation, rest) = rest.split_once(",protocol=")?;
    let (protocol, rest) = rest.split_once(",leader=")?;
    let (leader, rest) = rest.split_once(",assignment={")?;
    let inner = rest.strip_suffix('}')?;
    let mut assignment = Vec::new();
    for m in inner.split(';').filter(|m| !m.is_empty()) {
        let (id, tps) = m.split_once('=')?;
        let tps: Option<Vec<TopicPartition>> = tps
            .split(',')
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().ok())
            .collect();
        assignment.push((id.to_string(), tps?));
    }
    let some = |s: &str| (s != "-").then(|| s.to_string());
    Some(GroupRecord::Group {
        group: group.to_string(),
        generation: generation.parse().ok()?,
        protocol: some(protocol),
        leader: some(leader),
        assignment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_written() {
        let (k, v) = offset_entry("g-1", &TopicPartition::new("orders", 3), 42);
        assert_eq!(
            parse(&k, &v),
            Some(GroupRecord::Offset {
                group: "g-1".into(),
                tp: TopicPartition::new("orders", 3),
                offset: 42
            })
        );
        let mut g = ClassicGroup::new("g", 7);
        g.generation = 2;
        g.protocol = Some("range".into());
        g.leader = Some("m1".into());
        let (k, v) = group_value(&g);
        assert_eq!(v, "generation=2,protocol=range,leader=m1,assignment={}");
        assert!(matches!(
            parse(&k, &v),
            Some(GroupRecord::Group { generation: 2, .. })
        ));
    }
}
