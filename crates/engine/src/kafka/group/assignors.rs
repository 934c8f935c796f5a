//! The partition assignors a consumer group's leader runs (apache/kafka 3.8
//! `org.apache.kafka.clients.consumer.RangeAssignor`, `RoundRobinAssignor`,
//! `StickyAssignor`, `CooperativeStickyAssignor`), as pure functions of the members (in
//! JoinGroup order), their subscriptions and owned partitions, and the topics' partition
//! counts.
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
//! - **sticky** (KIP-54): balanced first, then as few moves as possible; the algorithm is
//!   in [`super::sticky`], ported from kafka-python, whose outputs it equals. The eager
//!   `StickyAssignor` learns what each member owned from its subscription's user data
//!   (partitions and generation).
//! - **cooperative-sticky** (KIP-429): the same assignment, except that a partition
//!   moving to another member is left out of this round (kafka-python
//!   `CooperativeStickyAssignor.assign`; Java's `adjustAssignment`): its owner revokes
//!   it, rejoins, and the next round assigns it. The owner of a partition two members
//!   claim is the later one in member order.

use super::sticky::StickyExecutor;
use crate::kafka::topic::TopicPartition;
use serde::{Deserialize, Serialize};
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
    /// The generation `owned` is from; -1 when unknown (kafka-python's
    /// `DEFAULT_GENERATION_ID`). The sticky assignors prefer the newest claim.
    pub generation: i32,
}

/// An assignor (`partition.assignment.strategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Assignor {
    /// `RangeAssignor` ("range").
    Range,
    /// `RoundRobinAssignor` ("roundrobin").
    #[serde(rename = "roundrobin")]
    RoundRobin,
    /// `StickyAssignor` ("sticky"), eager.
    Sticky,
    /// `CooperativeStickyAssignor` ("cooperative-sticky"), the cooperative protocol.
    CooperativeSticky,
}

impl Assignor {
    /// Whether it runs the cooperative protocol (KIP-429: members keep their partitions
    /// while rejoining and revoke only what moves) rather than the eager one.
    pub fn cooperative(self) -> bool {
        self == Assignor::CooperativeSticky
    }

    /// The protocol name (`ConsumerPartitionAssignor.name`).
    pub fn name(self) -> &'static str {
        match self {
            Assignor::Range => "range",
            Assignor::RoundRobin => "roundrobin",
            Assignor::Sticky => "sticky",
            Assignor::CooperativeSticky => "cooperative-sticky",
        }
    }

    /// The assignor a protocol name stands for; an error names the ones there are.
    pub fn parse(s: &str) -> Result<Assignor, String> {
        match s {
            "range" => Ok(Assignor::Range),
            "roundrobin" => Ok(Assignor::RoundRobin),
            "sticky" => Ok(Assignor::Sticky),
            "cooperative-sticky" => Ok(Assignor::CooperativeSticky),
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
        Assignor::Sticky => out = StickyExecutor::run(partitions, members),
        Assignor::CooperativeSticky => {
            out = StickyExecutor::run(partitions, members);
            withhold_moving_partitions(members, &mut out);
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// The cooperative first round: a partition another member owns now is left out of its
/// new member's assignment until its owner has revoked it.
fn withhold_moving_partitions(members: &[Member], out: &mut Assignment) {
    let mut owner: BTreeMap<&TopicPartition, &str> = BTreeMap::new();
    for m in members {
        for tp in &m.owned {
            owner.insert(tp, &m.id);
        }
    }
    for (id, tps) in out.iter_mut() {
        tps.retain(|tp| owner.get(tp).is_none_or(|o| o == id));
    }
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
            generation: -1,
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

    fn owning(mut m: Member, owned: &[(&str, u32)]) -> Member {
        m.owned = owned
            .iter()
            .map(|(t, p)| TopicPartition::new(*t, *p))
            .collect();
        m.generation = 1;
        m
    }

    #[test]
    fn sticky_keeps_every_partition_where_it_was_when_a_member_leaves() {
        // The StickyPartitionAssignor docstring's example 1: four topics of 2 partitions,
        // C0, C1 and C2 subscribed to all; then C1 leaves.
        let parts: BTreeMap<String, u32> = (0..4).map(|t| (format!("t{t}"), 2)).collect();
        let all = ["t0", "t1", "t2", "t3"];
        let fresh = [member("C0", &all), member("C1", &all), member("C2", &all)];
        let a = assign(Assignor::Sticky, &parts, &fresh);
        assert_eq!(names(&a, "C0"), ["t0-0", "t1-1", "t3-0"]);
        assert_eq!(names(&a, "C1"), ["t0-1", "t2-0", "t3-1"]);
        assert_eq!(names(&a, "C2"), ["t1-0", "t2-1"]);
        let after = [
            owning(member("C0", &all), &[("t0", 0), ("t1", 1), ("t3", 0)]),
            owning(member("C2", &all), &[("t1", 0), ("t2", 1)]),
        ];
        let a = assign(Assignor::Sticky, &parts, &after);
        assert_eq!(names(&a, "C0"), ["t0-0", "t1-1", "t2-0", "t3-0"]);
        assert_eq!(names(&a, "C2"), ["t0-1", "t1-0", "t2-1", "t3-1"]);
    }

    #[test]
    fn sticky_balances_unequal_subscriptions_better_than_round_robin() {
        // Example 2: t0, t1, t2 with 1, 2, 3 partitions; C0 takes t0, C1 t0 and t1, C2 all.
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
        let a = assign(Assignor::Sticky, &parts, &members);
        assert_eq!(names(&a, "C0"), ["t0-0"]);
        assert_eq!(names(&a, "C1"), ["t1-0", "t1-1"]);
        assert_eq!(names(&a, "C2"), ["t2-0", "t2-1", "t2-2"]);
        // C0 leaves: sticky keeps 5 of 6 where they were.
        let after = [
            owning(member("C1", &["t0", "t1"]), &[("t1", 0), ("t1", 1)]),
            owning(
                member("C2", &["t0", "t1", "t2"]),
                &[("t2", 0), ("t2", 1), ("t2", 2)],
            ),
        ];
        let a = assign(Assignor::Sticky, &parts, &after);
        assert_eq!(names(&a, "C1"), ["t0-0", "t1-0", "t1-1"]);
        assert_eq!(names(&a, "C2"), ["t2-0", "t2-1", "t2-2"]);
    }

    #[test]
    fn cooperative_sticky_withholds_a_moving_partition_for_one_round() {
        // C0 owns all 4 partitions; C1 joins. Sticky moves two to C1; cooperative gives
        // C1 nothing this round and C0 keeps only what stays.
        let parts = BTreeMap::from([("t".to_string(), 4)]);
        let members = [
            owning(
                member("C0", &["t"]),
                &[("t", 0), ("t", 1), ("t", 2), ("t", 3)],
            ),
            member("C1", &["t"]),
        ];
        let eager = assign(Assignor::Sticky, &parts, &members);
        assert_eq!(eager["C0"].len(), 2);
        assert_eq!(eager["C1"].len(), 2);
        let round1 = assign(Assignor::CooperativeSticky, &parts, &members);
        assert_eq!(round1["C0"], eager["C0"]);
        assert!(round1["C1"].is_empty());
        // Round two: C0 owns what it kept; the revoked two are free and go to C1.
        let mut c0 = member("C0", &["t"]);
        c0.owned = eager["C0"].clone();
        c0.generation = 2;
        let members = [c0, member("C1", &["t"])];
        let round2 = assign(Assignor::CooperativeSticky, &parts, &members);
        assert_eq!(round2, eager);
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
