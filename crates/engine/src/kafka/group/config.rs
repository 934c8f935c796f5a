//! The consumer group settings, broker side (`GroupCoordinatorConfig`, `OffsetConfig`) and
//! consumer side (`ConsumerConfig`), with Kafka 3.8's defaults; set with
//! `kafka config <name> <value>` like every other setting ([`set`] is asked first).

use super::assignors::Assignor;
use serde::{Deserialize, Serialize};

/// A broker's group coordinator settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupBrokerConfig {
    /// `offsets.topic.num.partitions` (50): a group's coordinator leads partition
    /// `abs(hashCode(group.id)) % this` of `__consumer_offsets`.
    pub offsets_partitions: u32,
    /// `offsets.topic.replication.factor` (3): while fewer brokers are alive,
    /// FindCoordinator answers COORDINATOR_NOT_AVAILABLE.
    pub offsets_replication_factor: u32,
    /// `group.initial.rebalance.delay.ms` (3000): how long an empty group waits for more
    /// members before its first rebalance completes (extended by each joiner, up to the
    /// rebalance timeout).
    pub initial_rebalance_delay_ms: u64,
    /// `group.min.session.timeout.ms` (6000).
    pub min_session_timeout_ms: u64,
    /// `group.max.session.timeout.ms` (1800000).
    pub max_session_timeout_ms: u64,
}

impl Default for GroupBrokerConfig {
    fn default() -> Self {
        GroupBrokerConfig {
            offsets_partitions: 50,
            offsets_replication_factor: 3,
            initial_rebalance_delay_ms: 3000,
            min_session_timeout_ms: 6000,
            max_session_timeout_ms: 1_800_000,
        }
    }
}

/// `auto.offset.reset`: where a partition without a committed offset starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetReset {
    /// `latest` (the default): the log end (the high watermark).
    Latest,
    /// `earliest`: the log start.
    Earliest,
    /// `none`: the consumer fails (NoOffsetForPartitionException).
    None,
}

impl OffsetReset {
    /// Kafka's name.
    pub fn name(self) -> &'static str {
        match self {
            OffsetReset::Latest => "latest",
            OffsetReset::Earliest => "earliest",
            OffsetReset::None => "none",
        }
    }
}

/// A consumer's group settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupConsumerConfig {
    /// `group.id` (none): needed to `subscribe`.
    pub group_id: Option<String>,
    /// `group.instance.id` (none): a static member (KIP-345). A consumer numbered N gets
    /// this id with `-N` appended, so that several consumers can share one setting.
    pub instance_id: Option<String>,
    /// `partition.assignment.strategy` ([range, cooperative-sticky] in 3.8): the protocols
    /// offered in JoinGroup, in order of preference.
    pub assignors: Vec<Assignor>,
    /// `session.timeout.ms` (45000, KIP-735).
    pub session_timeout_ms: u64,
    /// `heartbeat.interval.ms` (3000).
    pub heartbeat_interval_ms: u64,
    /// `max.poll.interval.ms` (300000): also the rebalance timeout.
    pub max_poll_interval_ms: u64,
    /// `enable.auto.commit` (true).
    pub auto_commit: bool,
    /// `auto.commit.interval.ms` (5000).
    pub auto_commit_interval_ms: u64,
    /// `auto.offset.reset` (latest).
    pub offset_reset: OffsetReset,
}

impl Default for GroupConsumerConfig {
    fn default() -> Self {
        GroupConsumerConfig {
            group_id: None,
            instance_id: None,
            assignors: vec![Assignor::Range, Assignor::CooperativeSticky],
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3000,
            max_poll_interval_ms: 300_000,
            auto_commit: true,
            auto_commit_interval_ms: 5000,
            offset_reset: OffsetReset::Latest,
        }
    }
}

/// The setting names this module owns.
pub const KEYS: [&str; 14] = [
    "offsets.topic.num.partitions",
    "offsets.topic.replication.factor",
    "group.initial.rebalance.delay.ms",
    "group.min.session.timeout.ms",
    "group.max.session.timeout.ms",
    "group.id",
    "group.instance.id",
    "partition.assignment.strategy",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "max.poll.interval.ms",
    "enable.auto.commit",
    "auto.commit.interval.ms",
    "auto.offset.reset",
];

/// Sets one of [`KEYS`]; `None` when `key` is not a group setting. Errors name the
/// setting and what was wrong.
pub fn set(
    broker: &mut GroupBrokerConfig,
    consumer: &mut GroupConsumerConfig,
    key: &str,
    value: &str,
) -> Option<Result<(), String>> {
    let num = || match value.parse::<u64>() {
        Ok(n) if n <= 86_400_000 => Ok(n),
        Ok(_) => Err(format!("`{key}` is at most 86400000, not `{value}`")),
        Err(_) => Err(format!("`{key}` takes a whole number, not `{value}`")),
    };
    let id = || match value {
        "" | "none" | "null" => None,
        v => Some(v.to_string()),
    };
    let r = (|| {
        match key {
            "offsets.topic.num.partitions" => {
                broker.offsets_partitions = num()?.clamp(1, 1000) as u32
            }
            "offsets.topic.replication.factor" => {
                broker.offsets_replication_factor = num()?.clamp(1, 100) as u32
            }
            "group.initial.rebalance.delay.ms" => broker.initial_rebalance_delay_ms = num()?,
            "group.min.session.timeout.ms" => broker.min_session_timeout_ms = num()?,
            "group.max.session.timeout.ms" => broker.max_session_timeout_ms = num()?,
            "group.id" => consumer.group_id = id(),
            "group.instance.id" => consumer.instance_id = id(),
            "partition.assignment.strategy" => {
                let mut list = Vec::new();
                for name in value.split(',').map(str::trim) {
                    let short = name
                        .rsplit('.')
                        .next()
                        .map(|class| match class {
                            "RangeAssignor" => "range",
                            "RoundRobinAssignor" => "roundrobin",
                            "StickyAssignor" => "sticky",
                            "CooperativeStickyAssignor" => "cooperative-sticky",
                            _ => name,
                        })
                        .unwrap_or(name);
                    list.push(
                        Assignor::parse(short)
                            .map_err(|e| format!("`partition.assignment.strategy`: {e}"))?,
                    );
                }
                consumer.assignors = list;
            }
            "session.timeout.ms" => consumer.session_timeout_ms = num()?.max(1),
            "heartbeat.interval.ms" => consumer.heartbeat_interval_ms = num()?.max(1),
            "max.poll.interval.ms" => consumer.max_poll_interval_ms = num()?.max(1),
            "enable.auto.commit" => {
                consumer.auto_commit = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(format!("`{key}` takes true or false, not `{value}`")),
                }
            }
            "auto.commit.interval.ms" => consumer.auto_commit_interval_ms = num()?.max(1),
            "auto.offset.reset" => {
                consumer.offset_reset = match value {
                    "latest" => OffsetReset::Latest,
                    "earliest" => OffsetReset::Earliest,
                    "none" => OffsetReset::None,
                    _ => {
                        return Err(format!(
                            "`auto.offset.reset` is latest, earliest or none, not `{value}`"
                        ));
                    }
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    })();
    match r {
        Ok(false) => None,
        Ok(true) => Some(Ok(())),
        Err(e) => Some(Err(e)),
    }
}
