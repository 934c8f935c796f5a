//! Partitioners other than the built-in one (`partitioner.class`, apache/kafka 3.8):
//!
//! - `RoundRobinPartitioner` (`org.apache.kafka.clients.producer.RoundRobinPartitioner`):
//!   a counter per topic, taken modulo the partitions that have a leader. With any
//!   `partitioner.class` set, `KafkaProducer.doSend` appends with `abortOnNewBatch`: when
//!   the chosen partition needs a new batch, the append is aborted and the partitioner is
//!   asked again, so the counter moves twice. With an empty accumulator that skips
//!   partitions: 6 records on 3 partitions go 3 to partition 0, 3 to partition 1 and none
//!   to partition 2 (KAFKA-9965, still open in 3.8: the fix was never merged).
//! - A custom partitioner written as rules, the engine's stand-in for a class of one's
//!   own: `partitioner.rules` is a `;`-separated list of `<key pattern>=<target>`, tried in
//!   order. A pattern is a key (`alice`), a prefix (`vip-*`), `null` (no key) or `*`
//!   (anything). A target is a partition number, `hash` (murmur2 over every partition)
//!   or `hash:<a>-<b>` (murmur2 over partitions a..=b). A record no rule matches is
//!   partitioned as the built-in partitioner would. Like any custom class it is asked
//!   again when a new batch is needed, which changes nothing for rules.
//!
//! An explicit partition on the record always wins (`KafkaProducer.partition`).

use crate::kafka::murmur2::partition_for_key;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which partitioner a producer uses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartitionerClass {
    /// No `partitioner.class`: `BuiltInPartitioner` (key hash, else sticky).
    #[default]
    BuiltIn,
    /// `RoundRobinPartitioner`.
    RoundRobin,
    /// `partitioner.rules`.
    Rules(Vec<Rule>),
}

/// One rule of `partitioner.rules`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Which records.
    pub pattern: KeyPattern,
    /// Where they go.
    pub target: Target,
}

/// The keys a rule matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyPattern {
    /// `*`: every record.
    Any,
    /// `null`: records without a key.
    Null,
    /// `vip-*`: keys with this prefix.
    Prefix(String),
    /// `alice`: this key.
    Exact(String),
}

/// Where a rule sends a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// This partition.
    Partition(u32),
    /// `hash:a-b`: `a + toPositive(murmur2(key)) % (b - a + 1)`; every partition when
    /// `None`. A record without a key goes to `a` (or 0).
    Hash(Option<(u32, u32)>),
}

impl KeyPattern {
    fn matches(&self, key: Option<&str>) -> bool {
        match (self, key) {
            (KeyPattern::Any, _) => true,
            (KeyPattern::Null, k) => k.is_none(),
            (KeyPattern::Prefix(p), Some(k)) => k.starts_with(p.as_str()),
            (KeyPattern::Exact(e), Some(k)) => k == e,
            _ => false,
        }
    }
}

/// Reads `partitioner.rules`; errors name the rule and what was wrong.
pub fn parse_rules(text: &str) -> Result<Vec<Rule>, String> {
    let mut rules = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (pat, target) = part
            .split_once('=')
            .ok_or(format!("rule `{part}` is not <key pattern>=<target>"))?;
        let pattern = match pat.trim() {
            "*" => KeyPattern::Any,
            "null" => KeyPattern::Null,
            "" => return Err(format!("rule `{part}` has no key pattern")),
            p => match p.strip_suffix('*') {
                Some(prefix) => KeyPattern::Prefix(prefix.to_string()),
                None => KeyPattern::Exact(p.to_string()),
            },
        };
        let bad =
            || format!("rule `{part}`: the target is a partition number, `hash` or `hash:<a>-<b>`");
        let target = match target.trim() {
            "hash" => Target::Hash(None),
            t => match t.strip_prefix("hash:") {
                Some(range) => {
                    let (a, b) = range.split_once('-').ok_or_else(bad)?;
                    let (a, b): (u32, u32) =
                        (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
                    if a > b {
                        return Err(format!("rule `{part}`: the range {a}-{b} is empty"));
                    }
                    Target::Hash(Some((a, b)))
                }
                None => Target::Partition(t.parse().map_err(|_| bad())?),
            },
        };
        rules.push(Rule { pattern, target });
    }
    if rules.is_empty() {
        return Err("`partitioner.rules` needs at least one rule like vip-*=0".into());
    }
    Ok(rules)
}

/// The partitioner's own state: `RoundRobinPartitioner`'s counter per topic.
#[derive(Clone, Debug, Default)]
pub struct CustomState {
    counters: BTreeMap<String, u32>,
}

impl CustomState {
    /// `Partitioner.partition` for `class`: the partition, or `None` when the built-in
    /// rules decide (no class, or no rule matched). `available` are the partitions with a
    /// leader, `partitions` the topic's count. A rule's partition beyond the topic's is
    /// returned as is: the producer reports it as an invalid partition.
    pub fn partition(
        &mut self,
        class: &PartitionerClass,
        topic: &str,
        key: Option<&str>,
        available: &[u32],
        partitions: u32,
    ) -> Option<u32> {
        match class {
            PartitionerClass::BuiltIn => None,
            PartitionerClass::RoundRobin => {
                let c = self.counters.entry(topic.to_string()).or_insert(0);
                let next = *c;
                *c = c.wrapping_add(1);
                let v = next & 0x7fff_ffff;
                Some(if available.is_empty() {
                    v % partitions.max(1)
                } else {
                    available[(v % available.len() as u32) as usize]
                })
            }
            PartitionerClass::Rules(rules) => {
                let rule = rules.iter().find(|r| r.pattern.matches(key))?;
                Some(match (&rule.target, key) {
                    (Target::Partition(p), _) => *p,
                    (Target::Hash(None), Some(k)) => partition_for_key(k.as_bytes(), partitions),
                    (Target::Hash(Some((a, b))), Some(k)) => {
                        a + partition_for_key(k.as_bytes(), b - a + 1)
                    }
                    (Target::Hash(range), None) => range.map_or(0, |(a, _)| a),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_and_route() {
        let rules = parse_rules("vip-*=0; null=1; *=hash:1-2").unwrap();
        let class = PartitionerClass::Rules(rules);
        let mut s = CustomState::default();
        let mut p = |k: Option<&str>| s.partition(&class, "t", k, &[0, 1, 2], 3);
        assert_eq!(p(Some("vip-7")), Some(0));
        assert_eq!(p(None), Some(1));
        // murmur2("alice") % 2 = 1 (kafka-python's murmur2): partition 1 + 1.
        assert_eq!(p(Some("alice")), Some(2));
        assert!(
            parse_rules("vip")
                .unwrap_err()
                .contains("is not <key pattern>=<target>")
        );
        assert!(parse_rules("a=hash:3-1").unwrap_err().contains("is empty"));
        assert!(parse_rules("a=x").unwrap_err().contains("partition number"));
        assert!(parse_rules(" ; ").is_err());
    }

    #[test]
    fn round_robin_counts_per_topic_over_available_partitions() {
        let mut s = CustomState::default();
        let c = PartitionerClass::RoundRobin;
        let got: Vec<Option<u32>> = (0..4)
            .map(|_| s.partition(&c, "t", None, &[0, 2], 3))
            .collect();
        assert_eq!(got, vec![Some(0), Some(2), Some(0), Some(2)]);
        assert_eq!(s.partition(&c, "u", None, &[0, 1, 2], 3), Some(0));
    }
}
