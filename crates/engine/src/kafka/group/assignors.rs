//! The partition assignors a consumer group's leader runs (apache/kafka 3.8
//! `org.apache.kafka.clients.consumer.RangeAssignor`, `RoundRobinAssignor`), as pure
//! functions of the members' subscriptions and the topics' partition counts.
//!
//! - Members are ordered as `MemberInfo.compareTo` orders them: members with a
//!   `group.instance.id` (static, KIP-345) first, by instance id; then the others by
//!   member id.
//! - **range**, per topic on its own: the subscribed members in that order, `n = P / C`
//!   and `e = P % C`; member `i` gets the next `n + 1` partitions if `i < e`, else `n`.
//!   The first members get the extra partition of every topic, which is the range
//!   assignor's known imbalance. (Without racks, KIP-881's rack matching does nothing.)
//! - **roundrobin**: every partition of every subscribed topic, sorted by topic then
//!   partition, dealt in turn over the members, skipping a member not subscribed to the
//!   partition's topic (`CircularIterator`: peek, skip, take).
//!
//! The sticky and cooperative-sticky assignors are not built yet.

use crate::kafka::topic::TopicPartition;
use std::collections::BTreeMap;

/// One member of the group as the leader sees it in JoinGroup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Its member id.
    pub id: String,
    /// Its `group.instance.id`, for a static member.
    pub instance_id: Option<String>,
    /// The topics it subscribes to.
    pub topics: Vec<String>,
    /// The partitions it owns from the previous generation (for the sticky assignors).
    pub owned: Vec<TopicPartition>,
}

/// An assignor (`partition.assignment.strategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assignor {
    /// `RangeAssignor` ("range").
    Range,
    /// `RoundRobinAssignor` ("roundrobin").
    RoundRobin,
}

impl Assignor {
    /// The protocol name (`ConsumerPartitionAssignor.name`).
    pub fn name(self) -> &'static str {
        match self {
            Assignor::Range => "range",
            Assignor::RoundRobin => "roundrobin",
        }
    }

    /// The assignor a protocol name stands for; an error names the ones there are.
    pub fn parse(s: &str) -> Result<Assignor, String> {
        match s {
            "range" => Ok(Assignor::Range),
            "roundrobin" => Ok(Assignor::RoundRobin),
            "sticky" | "cooperative-sticky" => Err(format!(
                "the {s} assignor is not built yet; range and roundrobin are"
            )),
            _ => Err(format!(
                "unknown assignor `{s}` (range, roundrobin, sticky, cooperative-sticky)"
            )),
        }
    }
}

/// Each member's partitions, sorted by topic then partition; every member has an entry.
pub type Assignment = BTreeMap<String, Vec<TopicPartition>>;

/// Runs `assignor` over `members` for topics with `partitions[topic]` partitions. A topic
/// without a partition count is left out, as a topic missing from the metadata is.
pub fn assign(
    assignor: Assignor,
    partitions: &BTreeMap<String, u32>,
    members: &[Member],
) -> Assignment {
    let mut out: Assignment = members.iter().map(|m| (m.id.clone(), Vec::new())).collect();
    let sorted = sorted_members(members);
    match assignor {
        Assignor::Range => range(partitions, &sorted, &mut out),
        Assignor::RoundRobin => round_robin(partitions, &sorted, &mut out),
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// `MemberInfo.compareTo`: static members by instance id first, then the rest by id.
fn sorted_members(members: &[Member]) -> Vec<&Member> {
    let mut v: Vec<&Member> = members.iter().collect();
    v.sort_by(|a, b| match (&a.instance_id, &b.instance_id) {
        (Some(x), Some(y)) => x.cmp(y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    });
    v
}

fn range(partitions: &BTreeMap<String, u32>, sorted: &[&Member], out: &mut Assignment) {
    for (topic, &count) in partitions {
        let consumers: Vec<&&Member> = sorted.iter().filter(|m| m.topics.contains(topic)).collect();
        if consumers.is_empty() {
            continue;
        }
        let c = consumers.len() as u32;
        let (n, extra) = (count / c, count % c);
        let mut next = 0;
        for (i, m) in consumers.iter().enumerate() {
            let len = n + u32::from((i as u32) < extra);
            let assigned = out.entry(m.id.clone()).or_default();
            for p in next..next + len {
                assigned.push(TopicPartition::new(topic, p));
            }
            next += len;
        }
    }
}

fn round_robin(partitions: &BTreeMap<String, u32>, sorted: &[&Member], out: &mut Assignment) {
    if sorted.is_empty() {
        return;
    }
    let subscribed: std::collections::BTreeSet<&String> =
        sorted.iter().flat_map(|m| m.topics.iter()).collect();
    let mut at = 0;
    for topic in subscribed {
        let Some(&count) = partitions.get(topic) else {
            continue;
        };
        for p in 0..count {
            while !sorted[at % sorted.len()].topics.contains(topic) {
                at += 1;
            }
            let m = sorted[at % sorted.len()];
            at += 1;
            out.entry(m.id.clone())
                .or_default()
                .push(TopicPartition::new(topic, p));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, topics: &[&str]) -> Member {
        Member {
            id: id.into(),
            instance_id: None,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            owned: Vec::new(),
        }
    }

    fn names(a: &Assignment, id: &str) -> Vec<String> {
        a[id].iter().map(|tp| tp.to_string()).collect()
    }

    #[test]
    fn range_gives_the_first_members_the_extra_partition_of_every_topic() {
        // The RangeAssignor javadoc's example: t0 and t1 with 3 partitions, C0 and C1.
        let parts = BTreeMap::from([("t0".to_string(), 3), ("t1".to_string(), 3)]);
        let members = [member("C0", &["t0", "t1"]), member("C1", &["t0", "t1"])];
        let a = assign(Assignor::Range, &parts, &members);
        assert_eq!(names(&a, "C0"), ["t0-0", "t0-1", "t1-0", "t1-1"]);
        assert_eq!(names(&a, "C1"), ["t0-2", "t1-2"]);
    }

    #[test]
    fn round_robin_skips_members_not_subscribed() {
        // The RoundRobinAssignor javadoc's example: t0 (1), t1 (2), t2 (3) partitions;
        // C0 takes t0, C1 t0 and t1, C2 all three.
        let parts = BTreeMap::from([
            ("t0".to_string(), 1),
            ("t1".to_string(), 2),
            ("t2".to_string(), 3),
        ]);
        let members = [
            member("C0", &["t0"]),
            member("C1", &["t0", "t1"]),
            member("C2", &["t0", "t1", "t2"]),
        ];
        let a = assign(Assignor::RoundRobin, &parts, &members);
        assert_eq!(names(&a, "C0"), ["t0-0"]);
        assert_eq!(names(&a, "C1"), ["t1-0"]);
        assert_eq!(names(&a, "C2"), ["t1-1", "t2-0", "t2-1", "t2-2"]);
    }

    #[test]
    fn static_members_sort_first_by_instance_id() {
        let parts = BTreeMap::from([("t".to_string(), 3)]);
        let mut z = member("a-dynamic", &["t"]);
        z.instance_id = None;
        let mut s = member("z-static", &["t"]);
        s.instance_id = Some("i1".into());
        let a = assign(Assignor::Range, &parts, &[z, s]);
        assert_eq!(names(&a, "z-static"), ["t-0", "t-1"]);
        assert_eq!(names(&a, "a-dynamic"), ["t-2"]);
    }
}
