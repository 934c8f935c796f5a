//! The consumer group conditions and queries of the command language:
//!
//! ```text
//! group-state g [Stable]               the coordinator's state of a group
//! group-generation g [3]               its generation
//! group-members g [2]                  how many members it has
//! group-leader g [consumer1]           the consumer whose member leads it
//! group-coordinator g [broker2]        the running broker coordinating it
//! offsets-partition g [12]             its __consumer_offsets partition:
//!                                      abs(javaHashCode(g)) % offsets.topic.num.partitions
//! committed g orders-0 [42]            the group's committed offset (none: none)
//! pending-offsets g [1]                partitions whose offsets a transaction holds at the
//!                                      coordinator until its marker (UNSTABLE_OFFSET_COMMIT)
//! lag g orders-0 [3]                   high watermark − committed offset
//! assignment consumer1 [orders-0,orders-1]   a consumer's partitions (- for none)
//! member-state consumer1 [STABLE]      a consumer's MemberState
//! commit-error consumer1 [UNKNOWN_MEMBER_ID]  why its last commit failed (none)
//! processed g [12]                     records the group's applications processed
//! lost g [0]                           records no one processed though later ones were
//! duplicates g [0]                     processings beyond the first
//! non-monotonic g [0]                  offsets that did not rise within a run
//! skipped g [0]                        records passed over within a run
//! output-duplicates out read_committed [0]   extra copies of an input record in a
//!                                      consume-transform-produce output topic, as a
//!                                      reader of that isolation sees them
//! output-lost g out [0]                input records below g's committed offsets with
//!                                      no copy a read_committed reader of out sees
//! ```
//!
//! `processed` to `skipped` are the delivery checker's counts ([`super::delivery`]); the
//! `output-` ones the exactly-once checker's ([`super::output`]).
//!
//! As a condition each takes the expected value last; as a query it prints the value.

use super::state::ClassicGroup;
use super::{TOPIC, partition_for};
use crate::ids::NodeId;
use crate::kafka::topic::TopicPartition;
use crate::script::cursor::{Cursor, PResult};
use crate::sim::world::World;

/// Something about consumer groups that has a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupQuery {
    /// A group's state.
    State(String),
    /// A group's generation.
    Generation(String),
    /// A group's member count.
    Members(String),
    /// The consumer whose member leads a group.
    Leader(String),
    /// The running broker coordinating a group.
    Coordinator(String),
    /// A group's `__consumer_offsets` partition.
    OffsetsPartition(String),
    /// A group's committed offset of a partition.
    Committed(String, TopicPartition),
    /// Partitions with transactional offsets pending at the coordinator.
    PendingOffsets(String),
    /// High watermark minus the committed offset.
    Lag(String, TopicPartition),
    /// A consumer's partitions.
    Assignment(u32),
    /// A consumer's member state.
    MemberState(u32),
    /// Why a consumer's last commit failed.
    CommitError(u32),
    /// One of the delivery checker's counts for a group.
    Delivery(String, DeliveryCount),
    /// Extra copies in an output topic, read with an isolation level.
    OutputDuplicates(String, super::output::Isolation),
    /// A group's input records with no committed copy in an output topic.
    OutputLost(String, String),
}

/// Which of the delivery checker's counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryCount {
    /// `processed`.
    Processed,
    /// `lost`.
    Lost,
    /// `duplicates`.
    Duplicates,
    /// `non-monotonic`.
    NonMonotonic,
    /// `skipped`.
    Skipped,
}

/// The words that start one.
pub const WORDS: [&str; 19] = [
    "group-state",
    "group-generation",
    "group-members",
    "group-leader",
    "group-coordinator",
    "offsets-partition",
    "committed",
    "lag",
    "assignment",
    "member-state",
    "commit-error",
    "processed",
    "lost",
    "duplicates",
    "non-monotonic",
    "skipped",
    "output-duplicates",
    "output-lost",
    "pending-offsets",
];

fn consumer(c: &mut Cursor<'_>) -> PResult<u32> {
    let w = c.next("a consumer like consumer1")?;
    match w.text.parse() {
        Ok(NodeId::Consumer(n)) => Ok(n),
        _ => c.fail(w, "a consumer like consumer1"),
    }
}

impl GroupQuery {
    /// Reads one after its first word.
    pub fn parse(word: &str, c: &mut Cursor<'_>) -> PResult<GroupQuery> {
        Ok(match word {
            "assignment" => GroupQuery::Assignment(consumer(c)?),
            "member-state" => GroupQuery::MemberState(consumer(c)?),
            "commit-error" => GroupQuery::CommitError(consumer(c)?),
            "output-duplicates" => {
                let topic = c.text("an output topic")?;
                let what = "read_committed or read_uncommitted";
                let w = c.next(what)?;
                match super::output::Isolation::parse(&w.text) {
                    Some(i) => GroupQuery::OutputDuplicates(topic, i),
                    None => return c.fail(w, what),
                }
            }
            _ => {
                let g = c.text("a group id")?;
                match word {
                    "group-state" => GroupQuery::State(g),
                    "group-generation" => GroupQuery::Generation(g),
                    "group-members" => GroupQuery::Members(g),
                    "group-leader" => GroupQuery::Leader(g),
                    "group-coordinator" => GroupQuery::Coordinator(g),
                    "offsets-partition" => GroupQuery::OffsetsPartition(g),
                    "committed" => GroupQuery::Committed(g, c.tp()?),
                    "pending-offsets" => GroupQuery::PendingOffsets(g),
                    "processed" => GroupQuery::Delivery(g, DeliveryCount::Processed),
                    "lost" => GroupQuery::Delivery(g, DeliveryCount::Lost),
                    "duplicates" => GroupQuery::Delivery(g, DeliveryCount::Duplicates),
                    "non-monotonic" => GroupQuery::Delivery(g, DeliveryCount::NonMonotonic),
                    "skipped" => GroupQuery::Delivery(g, DeliveryCount::Skipped),
                    "output-lost" => GroupQuery::OutputLost(g, c.text("an output topic")?),
                    _ => GroupQuery::Lag(g, c.tp()?),
                }
            }
        })
    }

    /// What it is about, for failure texts.
    pub fn what(&self) -> String {
        match self {
            GroupQuery::State(g) => format!("the state of group {g}"),
            GroupQuery::Generation(g) => format!("the generation of group {g}"),
            GroupQuery::Members(g) => format!("the member count of group {g}"),
            GroupQuery::Leader(g) => format!("the leader of group {g}"),
            GroupQuery::Coordinator(g) => format!("the coordinator of group {g}"),
            GroupQuery::OffsetsPartition(g) => {
                format!("group {g}'s __consumer_offsets partition")
            }
            GroupQuery::Committed(g, tp) => format!("group {g}'s committed offset of {tp}"),
            GroupQuery::PendingOffsets(g) => {
                format!("the partitions with transactional offsets pending for group {g}")
            }
            GroupQuery::Lag(g, tp) => format!("group {g}'s lag on {tp}"),
            GroupQuery::Assignment(n) => format!("consumer{n}'s partitions"),
            GroupQuery::MemberState(n) => format!("consumer{n}'s member state"),
            GroupQuery::CommitError(n) => format!("why consumer{n}'s last commit failed"),
            GroupQuery::Delivery(g, k) => {
                let what = match k {
                    DeliveryCount::Processed => "records processed",
                    DeliveryCount::Lost => "lost records",
                    DeliveryCount::Duplicates => "duplicate processings",
                    DeliveryCount::NonMonotonic => "non-monotonic offsets",
                    DeliveryCount::Skipped => "skipped records",
                };
                format!("group {g}'s {what}")
            }
            GroupQuery::OutputDuplicates(t, i) => {
                format!("the duplicate copies in {t} read {}", i.name())
            }
            GroupQuery::OutputLost(g, t) => {
                format!("group {g}'s input records with no committed copy in {t}")
            }
        }
    }

    /// The value now.
    pub fn eval(&self, w: &World) -> Result<String, String> {
        let group = |g: &str| {
            coordinated(w, g).ok_or_else(|| format!("no running broker coordinates group {g}"))
        };
        match self {
            GroupQuery::State(g) => Ok(coordinated(w, g).map_or("none", |g| g.state.name()).into()),
            GroupQuery::Generation(g) => Ok(group(g)?.generation.to_string()),
            GroupQuery::Members(g) => Ok(group(g)?.members.len().to_string()),
            GroupQuery::Leader(g) => {
                let grp = group(g)?;
                let leader = grp.leader.as_deref().unwrap_or("");
                Ok(grp
                    .member(leader)
                    .map_or("none".to_string(), |m| consumer_name(&m.client_id)))
            }
            GroupQuery::Coordinator(g) => {
                Ok(coordinator(w, g).map_or("none".to_string(), |b| format!("broker{b}")))
            }
            GroupQuery::OffsetsPartition(g) => {
                Ok(partition_for(g, w.kafka_config().broker.group.offsets_partitions).to_string())
            }
            GroupQuery::PendingOffsets(g) => {
                let pending: std::collections::BTreeSet<&TopicPartition> = group(g)?
                    .pending_txn_offsets
                    .values()
                    .flat_map(|o| o.keys())
                    .collect();
                Ok(pending.len().to_string())
            }
            GroupQuery::Committed(g, tp) => Ok(coordinated(w, g)
                .and_then(|grp| grp.offsets.get(tp))
                .map_or("none".to_string(), u64::to_string)),
            GroupQuery::Lag(g, tp) => {
                let hw = leader(w, tp)
                    .and_then(|b| b.hw(tp))
                    .ok_or_else(|| format!("{tp} has no leader to ask"))?;
                let committed = coordinated(w, g)
                    .and_then(|grp| grp.offsets.get(tp).copied())
                    .ok_or_else(|| format!("group {g} has no committed offset for {tp}"))?;
                Ok(hw.saturating_sub(committed).to_string())
            }
            GroupQuery::Assignment(n) => {
                let c = w
                    .consumers()
                    .find(|c| c.id() == *n)
                    .ok_or_else(|| format!("there is no consumer{n}"))?;
                let g = c
                    .group()
                    .ok_or_else(|| format!("consumer{n} has not subscribed"))?;
                let mut tps = g.owned.clone();
                tps.sort();
                Ok(if tps.is_empty() {
                    "-".to_string()
                } else {
                    tps.iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                })
            }
            GroupQuery::MemberState(n) => w
                .consumers()
                .find(|c| c.id() == *n)
                .ok_or_else(|| format!("there is no consumer{n}"))?
                .group()
                .map(|g| g.state.name().to_string())
                .ok_or_else(|| format!("consumer{n} has not subscribed")),
            GroupQuery::CommitError(n) => w
                .consumers()
                .find(|c| c.id() == *n)
                .ok_or_else(|| format!("there is no consumer{n}"))?
                .group()
                .map(|g| g.commit_error.clone().unwrap_or_else(|| "none".into()))
                .ok_or_else(|| format!("consumer{n} has not subscribed")),
            GroupQuery::Delivery(g, k) => {
                let d = super::delivery::check(w, g);
                Ok(match k {
                    DeliveryCount::Processed => d.processed,
                    DeliveryCount::Lost => d.lost,
                    DeliveryCount::Duplicates => d.duplicates,
                    DeliveryCount::NonMonotonic => d.non_monotonic,
                    DeliveryCount::Skipped => d.skipped,
                }
                .to_string())
            }
            GroupQuery::OutputDuplicates(t, i) => {
                Ok(super::output::duplicates(w, t, *i).to_string())
            }
            GroupQuery::OutputLost(g, t) => Ok(super::output::lost(w, g, t).to_string()),
        }
    }

    /// As a condition: the value equals `want`.
    pub fn check(&self, w: &World, want: &str) -> Result<(), String> {
        let got = self.eval(w)?;
        crate::script::command::equal(self.what(), want, got.as_str())
    }
}

/// `consumer-<group>-<n>` → `consumer<n>`.
pub fn consumer_name(client_id: &str) -> String {
    client_id
        .rsplit_once('-')
        .map_or(client_id.to_string(), |(_, n)| format!("consumer{n}"))
}

/// The running leader of `tp`: the broker whose log and high watermark a consumer reads.
pub(crate) fn leader<'w>(
    w: &'w World,
    tp: &TopicPartition,
) -> Option<&'w crate::kafka::broker::Broker> {
    crate::kafka::conditions::leader_broker(w, tp, None, false)
        .ok()
        .and_then(|b| w.broker(b))
}

/// The running broker that has loaded `group`'s `__consumer_offsets` partition.
pub fn coordinator(w: &World, group: &str) -> Option<u32> {
    w.brokers()
        .filter(|(up, _)| *up)
        .map(|(_, b)| b)
        .find(|b| {
            let p = partition_for(group, b.cfg.group.offsets_partitions);
            b.group.owned.contains_key(&p)
                && b.partitions()
                    .get(&TopicPartition::new(TOPIC, p))
                    .is_some_and(|s| s.leader == b.id())
        })
        .map(|b| b.id())
}

/// The group as its coordinator holds it.
pub fn coordinated<'w>(w: &'w World, group: &str) -> Option<&'w ClassicGroup> {
    let b = coordinator(w, group)?;
    w.broker(b)?.group.group(group)
}
