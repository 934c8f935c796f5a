//! Consumer groups (the classic protocol, apache/kafka 3.8 in ZooKeeper mode).
//!
//! - [`assignors`] (with the sticky algorithm in [`sticky`]): what a group leader assigns.
//! - The coordinator in each broker ([`coordinator`], [`join`], [`offsets`], [`state`],
//!   [`records`]): the leader of the group's `__consumer_offsets` partition runs the
//!   membership protocol and keeps committed offsets as records of that partition.
//! - The member inside each consumer ([`client`]): FindCoordinator, JoinGroup, SyncGroup,
//!   heartbeats, commits.
//! - Settings in [`config`], messages in [`messages`], conditions and queries in
//!   [`query`], commands in [`input`].

pub mod assignors;
pub mod client;
pub mod config;
pub mod console_consumer;
mod coordinator;
pub mod delivery;
pub mod describe;
pub mod input;
mod join;
pub mod messages;
mod offsets;
pub mod output;
mod partition_movements;
pub mod query;
pub mod records;
pub mod state;
mod static_members;
pub mod sticky;
mod txn_offsets;
pub mod view;

pub use coordinator::GroupCoordinator;
pub use messages::GroupMsg;

use crate::i18n::Lang;
use crate::kafka::topic::TopicPartition;
use serde::{Deserialize, Serialize};

/// The internal topic of committed offsets and group metadata
/// (`Topic.GROUP_METADATA_TOPIC_NAME`).
pub const TOPIC: &str = "__consumer_offsets";

/// `offsets.topic.segment.bytes` (104857600).
pub const SEGMENT_BYTES: u64 = 104_857_600;

/// The `__consumer_offsets` partition of `group` among `partitions`
/// (`GroupMetadataManager.partitionFor`: `Utils.abs(groupId.hashCode) %
/// groupMetadataTopicPartitionCount`, where `Utils.abs(Integer.MIN_VALUE)` is 0).
pub fn partition_for(group: &str, partitions: u32) -> u32 {
    crate::kafka::txn::partition_for(group, partitions)
}

/// A consumer group state change, as recorded in the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum GroupChange {
    /// The coordinator started a rebalance (PreparingRebalance).
    Rebalancing {
        /// The group.
        group: String,
        /// The generation being left.
        generation: i32,
        /// Why.
        reason: String,
    },
    /// Every member joined: a new generation (CompletingRebalance).
    Joined {
        /// The group.
        group: String,
        /// The new generation.
        generation: i32,
        /// The protocol (assignor) chosen.
        protocol: String,
        /// The leader's member id.
        leader: String,
        /// The members.
        members: Vec<String>,
    },
    /// The leader's assignment is stored and handed out (Stable).
    Stable {
        /// The group.
        group: String,
        /// The generation.
        generation: i32,
        /// Member id → partitions.
        assignment: Vec<(String, Vec<TopicPartition>)>,
    },
    /// A member left the group or was removed.
    MemberRemoved {
        /// The group.
        group: String,
        /// The member id.
        member: String,
        /// Why.
        reason: String,
    },
    /// Offsets were committed (replicated).
    Committed {
        /// The group.
        group: String,
        /// Partition → next offset to read.
        offsets: Vec<(TopicPartition, u64)>,
    },
    /// A consumer's partitions changed (`onPartitionsAssigned` / `onPartitionsRevoked` /
    /// `onPartitionsLost`).
    Partitions {
        /// What happened: assigned, revoked or lost.
        what: String,
        /// The partitions.
        partitions: Vec<TopicPartition>,
        /// The generation.
        generation: i32,
    },
    /// A consumer's commit failed (`CommitFailedException`, `RebalanceInProgressException`).
    CommitFailed {
        /// The error.
        error: String,
    },
    /// A consumer's heartbeat thread found `max.poll.interval.ms` passed without a
    /// `poll()`: it leaves the group.
    PollTimeout {
        /// The member id it had.
        member: String,
    },
}

impl From<GroupChange> for crate::sim::effects::Change {
    fn from(c: GroupChange) -> Self {
        crate::sim::effects::Change::Kafka(crate::kafka::messages::KafkaChange::Group(c))
    }
}

impl GroupChange {
    /// In words.
    pub fn describe(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let tps = |ps: &[TopicPartition]| {
            if ps.is_empty() {
                "-".to_string()
            } else {
                ps.iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            }
        };
        match self {
            GroupChange::Rebalancing {
                group,
                generation,
                reason,
            } => {
                if zh {
                    format!("组 {group} 开始再均衡（旧 generation {generation}）：{reason}")
                } else {
                    format!("group {group} rebalances (old generation {generation}): {reason}")
                }
            }
            GroupChange::Joined {
                group,
                generation,
                protocol,
                leader,
                members,
            } => {
                if zh {
                    format!(
                        "组 {group} 进入 generation {generation}：{} 个成员，分配器 {protocol}，leader {leader}",
                        members.len()
                    )
                } else {
                    format!(
                        "group {group} generation {generation}: {} members, assignor {protocol}, leader {leader}",
                        members.len()
                    )
                }
            }
            GroupChange::Stable {
                group,
                generation,
                assignment,
            } => {
                let parts: Vec<String> = assignment
                    .iter()
                    .map(|(m, ps)| format!("{m}={}", tps(ps)))
                    .collect();
                if zh {
                    format!(
                        "组 {group} 稳定（generation {generation}）：{}",
                        parts.join(" ")
                    )
                } else {
                    format!(
                        "group {group} is Stable (generation {generation}): {}",
                        parts.join(" ")
                    )
                }
            }
            GroupChange::MemberRemoved {
                group,
                member,
                reason,
            } => {
                if zh {
                    format!("组 {group} 移除成员 {member}：{reason}")
                } else {
                    format!("group {group} removed member {member}: {reason}")
                }
            }
            GroupChange::Committed { group, offsets } => {
                let parts: Vec<String> =
                    offsets.iter().map(|(tp, o)| format!("{tp}@{o}")).collect();
                if zh {
                    format!("组 {group} 提交位移 {}", parts.join(" "))
                } else {
                    format!("group {group} committed {}", parts.join(" "))
                }
            }
            GroupChange::Partitions {
                what,
                partitions,
                generation,
            } => {
                let zh_what = match what.as_str() {
                    "assigned" => "分配到",
                    "revoked" => "撤销",
                    _ => "丢失",
                };
                if zh {
                    format!(
                        "{zh_what}分区 {}（generation {generation}）",
                        tps(partitions)
                    )
                } else {
                    format!(
                        "partitions {what}: {} (generation {generation})",
                        tps(partitions)
                    )
                }
            }
            GroupChange::CommitFailed { error } => {
                if zh {
                    format!("提交失败：{error}")
                } else {
                    format!("commit failed: {error}")
                }
            }
            GroupChange::PollTimeout { member } => {
                if zh {
                    format!("两次 poll() 间隔超过 max.poll.interval.ms：成员 {member} 离开组")
                } else {
                    format!(
                        "max.poll.interval.ms passed without poll(): member {member} leaves the group"
                    )
                }
            }
        }
    }
}
