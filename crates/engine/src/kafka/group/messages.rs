//! The consumer group requests and responses (apache/kafka 3.8 `FindCoordinatorRequest`
//! key type GROUP, `JoinGroupRequest` v9, `SyncGroupRequest`, `HeartbeatRequest`,
//! `LeaveGroupRequest`, `OffsetCommitRequest`, `OffsetFetchRequest`, `TxnOffsetCommitRequest`). The protocol
//! metadata a consumer sends in JoinGroup (`ConsumerProtocolSubscription`) and gets back
//! in SyncGroup (`ConsumerProtocolAssignment`) are carried decoded.

use crate::i18n::Lang;
use crate::kafka::messages::KafkaError;
use crate::kafka::topic::TopicPartition;
use serde::{Deserialize, Serialize};

/// What a member sends in JoinGroup for every protocol it offers
/// (`ConsumerProtocolSubscription` v1+: topics, owned partitions, generation).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// The partitions it owns (sticky and cooperative assignors read them).
    pub owned: Vec<TopicPartition>,
    /// The generation they are from (-1: none).
    pub generation: i32,
}

/// One member in the leader's JoinGroup response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinedMember {
    /// Member id.
    pub member_id: String,
    /// `group.instance.id` of a static member.
    pub instance_id: Option<String>,
    /// Its subscription.
    pub subscription: Subscription,
}

/// A consumer group message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupMsg {
    /// FindCoordinator (API key 10) for a group id.
    FindCoordinator {
        /// Correlation id.
        corr: u64,
        /// The group id.
        group: String,
    },
    /// FindCoordinator response.
    FindCoordinatorResponse {
        /// Correlation id.
        corr: u64,
        /// The coordinator's broker id, or the error.
        result: Result<u32, KafkaError>,
    },
    /// JoinGroup (API key 11).
    JoinGroup {
        /// Correlation id.
        corr: u64,
        /// The group id.
        group: String,
        /// The member id ("" on the first join).
        member_id: String,
        /// `group.instance.id`.
        instance_id: Option<String>,
        /// `client.id`.
        client_id: String,
        /// `session.timeout.ms`.
        session_timeout_ms: u64,
        /// The rebalance timeout (`max.poll.interval.ms`).
        rebalance_timeout_ms: u64,
        /// The assignors offered, in order of preference.
        protocols: Vec<String>,
        /// The subscription sent with each.
        subscription: Subscription,
        /// Why it joins (JoinGroup v8+ `reason`).
        reason: String,
    },
    /// JoinGroup response.
    JoinGroupResponse {
        /// Correlation id.
        corr: u64,
        /// Set on failure (MEMBER_ID_REQUIRED carries the member id to use).
        error: Option<KafkaError>,
        /// The new generation.
        generation: i32,
        /// The protocol chosen.
        protocol: Option<String>,
        /// The leader's member id.
        leader: String,
        /// The member id of the receiver.
        member_id: String,
        /// Every member with its subscription, for the leader only.
        members: Vec<JoinedMember>,
        /// JoinGroup v9 `SkipAssignment`: a static leader that rejoined a Stable group
        /// must not run the assignor (the group keeps its assignment).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        skip_assignment: bool,
    },
    /// SyncGroup (API key 14).
    SyncGroup {
        /// Correlation id.
        corr: u64,
        /// The group id.
        group: String,
        /// The generation.
        generation: i32,
        /// The member id.
        member_id: String,
        /// The leader's assignment for every member (empty from followers).
        assignments: Vec<(String, Vec<TopicPartition>)>,
    },
    /// SyncGroup response.
    SyncGroupResponse {
        /// Correlation id.
        corr: u64,
        /// Set on failure.
        error: Option<KafkaError>,
        /// The receiver's partitions.
        assignment: Vec<TopicPartition>,
    },
    /// Heartbeat (API key 12).
    Heartbeat {
        /// Correlation id.
        corr: u64,
        /// The group id.
        group: String,
        /// The generation.
        generation: i32,
        /// The member id.
        member_id: String,
    },
    /// Heartbeat response.
    HeartbeatResponse {
        /// Correlation id.
        corr: u64,
        /// Set on failure (REBALANCE_IN_PROGRESS: rejoin).
        error: Option<KafkaError>,
    },
    /// LeaveGroup (API key 13).
    LeaveGroup {
        /// Correlation id.
        corr: u64,
        /// The group id.
        group: String,
        /// The member id.
        member_id: String,
        /// Why it leaves.
        reason: String,
    },
    /// LeaveGroup response.
    LeaveGroupResponse {
        /// Correlation id.
        corr: u64,
        /// Set on failure.
        error: Option<KafkaError>,
    },
    /// OffsetCommit (API key 8).
    OffsetCommit {
        /// Correlation id.
        corr: u64,
        /// The group id.
        group: String,
        /// The generation (-1 for a consumer outside any group).
        generation: i32,
        /// The member id ("" outside any group).
        member_id: String,
        /// The next offset to read, per partition.
        offsets: Vec<(TopicPartition, u64)>,
    },
    /// OffsetCommit response: per partition, the error if any.
    OffsetCommitResponse {
        /// Correlation id.
        corr: u64,
        /// Results.
        results: Vec<(TopicPartition, Option<KafkaError>)>,
    },
    /// OffsetFetch (API key 9).
    OffsetFetch {
        /// Correlation id.
        corr: u64,
        /// The group id.
        group: String,
        /// The partitions asked about.
        partitions: Vec<TopicPartition>,
        /// `requireStable` (KIP-447): partitions with transactional offsets still pending
        /// answer UNSTABLE_OFFSET_COMMIT instead of an offset. The Java consumer always
        /// sets it (`ConsumerCoordinator.sendOffsetFetchRequest`, 3.8).
        #[serde(default)]
        require_stable: bool,
    },
    /// OffsetFetch response: per partition the committed offset, `None` for none (-1).
    OffsetFetchResponse {
        /// Correlation id.
        corr: u64,
        /// Set on failure.
        error: Option<KafkaError>,
        /// Committed offsets.
        offsets: Vec<(TopicPartition, Option<u64>)>,
        /// Partitions answered UNSTABLE_OFFSET_COMMIT (a transaction holds offsets for
        /// them that its marker has not settled yet).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        unstable: Vec<TopicPartition>,
    },
    /// TxnOffsetCommit (API key 28), transactional producer to group coordinator
    /// (`sendOffsetsToTransaction`, after AddOffsetsToTxn): offsets that take effect only
    /// when the transaction commits. Since KIP-447 it carries the consumer's generation
    /// and member id, so a zombie of an older generation is refused.
    TxnOffsetCommit {
        /// Correlation id.
        corr: u64,
        /// The producer's transactional id.
        transactional_id: String,
        /// The group id.
        group: String,
        /// The producer id.
        producer_id: i64,
        /// The producer epoch.
        producer_epoch: i16,
        /// The consumer's generation (-1 outside any group).
        generation: i32,
        /// The consumer's member id.
        member_id: String,
        /// The next offset to read, per partition.
        offsets: Vec<(TopicPartition, u64)>,
    },
    /// TxnOffsetCommit response: per partition, the error if any.
    TxnOffsetCommitResponse {
        /// Correlation id.
        corr: u64,
        /// Results.
        results: Vec<(TopicPartition, Option<KafkaError>)>,
    },
}

impl GroupMsg {
    /// A one-line label for logs and the UI.
    pub fn label_in(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let err = |e: &Option<KafkaError>| e.map_or(String::new(), |e| format!(" {e}"));
        let tps = |ps: &[TopicPartition]| {
            if ps.is_empty() {
                return "-".to_string();
            }
            ps.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        match self {
            GroupMsg::FindCoordinator { group, .. } => format!("FindCoordinator group {group}"),
            GroupMsg::FindCoordinatorResponse { result, .. } => match result {
                Ok(b) => format!("FindCoordinatorResponse broker{b}"),
                Err(e) => format!("FindCoordinatorResponse {e}"),
            },
            GroupMsg::JoinGroup {
                member_id,
                protocols,
                ..
            } => {
                let who = if member_id.is_empty() {
                    if zh {
                        "（新成员）"
                    } else {
                        "(new member)"
                    }
                    .to_string()
                } else {
                    member_id.clone()
                };
                format!("JoinGroup {who} [{}]", protocols.join(","))
            }
            GroupMsg::JoinGroupResponse {
                error: Some(e),
                member_id,
                ..
            } => format!("JoinGroupResponse {e} {member_id}"),
            GroupMsg::JoinGroupResponse {
                generation,
                protocol,
                leader,
                member_id,
                members,
                skip_assignment,
                ..
            } => {
                let role = match (leader == member_id, zh) {
                    (true, false) if *skip_assignment => "leader, skip assignment".to_string(),
                    (true, true) if *skip_assignment => "leader，跳过分配".to_string(),
                    (true, false) => format!("leader, {} members", members.len()),
                    (true, true) => format!("leader，{} 个成员", members.len()),
                    (false, false) => "follower".to_string(),
                    (false, true) => "follower".to_string(),
                };
                format!(
                    "JoinGroupResponse gen {generation} {} ({role})",
                    protocol.as_deref().unwrap_or("-")
                )
            }
            GroupMsg::SyncGroup {
                generation,
                assignments,
                ..
            } => {
                if assignments.is_empty() {
                    format!("SyncGroup gen {generation}")
                } else {
                    let parts: Vec<String> = assignments
                        .iter()
                        .map(|(m, ps)| format!("{m}={}", tps(ps)))
                        .collect();
                    format!("SyncGroup gen {generation} {}", parts.join(" "))
                }
            }
            GroupMsg::SyncGroupResponse {
                error, assignment, ..
            } => match error {
                Some(e) => format!("SyncGroupResponse {e}"),
                None => format!("SyncGroupResponse {}", tps(assignment)),
            },
            GroupMsg::Heartbeat { generation, .. } => format!("Heartbeat gen {generation}"),
            GroupMsg::HeartbeatResponse { error, .. } => format!("HeartbeatResponse{}", err(error)),
            GroupMsg::LeaveGroup { member_id, .. } => format!("LeaveGroup {member_id}"),
            GroupMsg::LeaveGroupResponse { error, .. } => {
                format!("LeaveGroupResponse{}", err(error))
            }
            GroupMsg::OffsetCommit { offsets, .. } => {
                let parts: Vec<String> =
                    offsets.iter().map(|(tp, o)| format!("{tp}@{o}")).collect();
                format!("OffsetCommit {}", parts.join(" "))
            }
            GroupMsg::TxnOffsetCommit { offsets, .. } => {
                let parts: Vec<String> =
                    offsets.iter().map(|(tp, o)| format!("{tp}@{o}")).collect();
                format!("TxnOffsetCommit {}", parts.join(" "))
            }
            GroupMsg::OffsetCommitResponse { results, .. }
            | GroupMsg::TxnOffsetCommitResponse { results, .. } => {
                let name = if matches!(self, GroupMsg::OffsetCommitResponse { .. }) {
                    "OffsetCommitResponse"
                } else {
                    "TxnOffsetCommitResponse"
                };
                let failed: Vec<String> = results
                    .iter()
                    .filter_map(|(tp, e)| e.map(|e| format!("{tp} {e}")))
                    .collect();
                if failed.is_empty() {
                    name.to_string()
                } else {
                    format!("{name} {}", failed.join(" "))
                }
            }
            GroupMsg::OffsetFetch { partitions, .. } => format!("OffsetFetch {}", tps(partitions)),
            GroupMsg::OffsetFetchResponse {
                error,
                offsets,
                unstable,
                ..
            } => match error {
                Some(e) => format!("OffsetFetchResponse {e}"),
                None => {
                    let parts: Vec<String> = offsets
                        .iter()
                        .map(|(tp, o)| match o {
                            _ if unstable.contains(tp) => format!("{tp} UNSTABLE_OFFSET_COMMIT"),
                            Some(o) => format!("{tp}@{o}"),
                            None => format!("{tp}@-1"),
                        })
                        .collect();
                    format!("OffsetFetchResponse {}", parts.join(" "))
                }
            },
        }
    }
}
