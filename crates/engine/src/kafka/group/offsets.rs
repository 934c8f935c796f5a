//! Committed offsets at the coordinator (apache/kafka 3.8 `GroupCoordinator.
//! handleCommitOffsets` / `validateOffsetCommit`, `handleFetchOffsets`,
//! `GroupMetadataManager.storeOffsets`, `storeGroup`, `loadGroupsAndOffsets`), and the
//! coordinator taking and giving up `__consumer_offsets` partitions.
//!
//! An OffsetCommit is checked against the group: a consumer outside any group
//! (generation -1, no member id) may commit to an empty or unknown group; otherwise the
//! member must be known (UNKNOWN_MEMBER_ID) and in the current generation
//! (ILLEGAL_GENERATION), and not between its JoinGroup and SyncGroup
//! (REBALANCE_IN_PROGRESS). The offsets are appended to the group's partition, one record
//! per partition, and answered (and cached) once replicated (`offsets.commit.required.acks`
//! -1); a write that cannot get enough in-sync replicas answers COORDINATOR_NOT_AVAILABLE.

use super::coordinator::{AfterWrite, PendingWrite, reply};
use super::messages::GroupMsg;
use super::records::{self, GroupRecord};
use super::state::{ClassicGroup, GroupState};
use super::{GroupChange, TOPIC};
use crate::kafka::broker::Broker;
use crate::kafka::messages::KafkaError;
use crate::kafka::record::Batch;
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;
use std::collections::BTreeMap;

/// An offset commit's answer: every partition with the same outcome.
pub(super) fn commit_results(
    offsets: &[(TopicPartition, u64)],
    error: Option<KafkaError>,
) -> Vec<(TopicPartition, Option<KafkaError>)> {
    offsets.iter().map(|(tp, _)| (tp.clone(), error)).collect()
}

/// `GroupCoordinator.validateOffsetCommit` (3.8) for an existing group: a Dead group is
/// COORDINATOR_NOT_AVAILABLE; generation -1 may commit to an Empty group; otherwise a
/// request naming a generation or member must come from a current member
/// (UNKNOWN_MEMBER_ID) of the current generation (ILLEGAL_GENERATION). Without either,
/// only a transactional commit (older clients send none) may write to a non-empty group.
pub(super) fn validate_offset_commit(
    g: &ClassicGroup,
    generation: i32,
    member_id: &str,
    transactional: bool,
) -> Option<KafkaError> {
    if g.state == GroupState::Dead {
        Some(KafkaError::CoordinatorNotAvailable)
    } else if generation < 0 && g.state == GroupState::Empty {
        None
    } else if generation >= 0 || !member_id.is_empty() {
        if g.member(member_id).is_none() {
            Some(KafkaError::UnknownMemberId)
        } else {
            (generation != g.generation).then_some(KafkaError::IllegalGeneration)
        }
    } else if !transactional && g.state != GroupState::Empty {
        Some(KafkaError::UnknownMemberId)
    } else {
        None
    }
}

impl Broker {
    /// OffsetCommit (`handleCommitOffsets`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_offset_commit(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        corr: u64,
        group: &str,
        generation: i32,
        member_id: &str,
        offsets: Vec<(TopicPartition, u64)>,
    ) {
        let fail = |ctx: &mut Ctx<'_>, e: KafkaError, offsets: &[(TopicPartition, u64)]| {
            let results = commit_results(offsets, Some(e));
            reply(ctx, conn, GroupMsg::OffsetCommitResponse { corr, results });
        };
        let partition = match self.group_coordinating(group) {
            Ok(p) => p,
            Err(e) => return fail(ctx, e, &offsets),
        };
        let simple = generation < 0 && member_id.is_empty();
        let error = match self.group.groups.get(group) {
            None if simple => None,
            None => Some(KafkaError::IllegalGeneration),
            Some(g) => validate_offset_commit(g, generation, member_id, false)
                .or((g.state == GroupState::CompletingRebalance)
                    .then_some(KafkaError::RebalanceInProgress)),
        };
        if let Some(e) = error {
            ctx.note(format!(
                "OffsetCommit from member {member_id} of group {group} at generation {generation} refused: {e}"
            ));
            return fail(ctx, e, &offsets);
        }
        self.group
            .groups
            .entry(group.to_string())
            .or_insert_with(|| ClassicGroup::new(group, partition));
        if let Some(m) = self
            .group
            .groups
            .get(group)
            .filter(|g| g.member(member_id).is_some())
            .map(|_| member_id.to_string())
        {
            self.refresh_session(ctx, group, &m);
        }
        let entries = records::offset_entries(group, &offsets);
        let then = AfterWrite::Commit {
            group: group.to_string(),
            conn,
            corr,
            offsets,
        };
        self.write_group_records(ctx, group, entries, None, then);
    }

    /// OffsetFetch (`handleFetchOffsets`, `GroupMetadataManager.getOffsets`): the
    /// committed offset of each partition, `None` (-1 on the wire) where there is none;
    /// with `require_stable`, a partition a transaction holds pending offsets for is
    /// UNSTABLE_OFFSET_COMMIT.
    pub(crate) fn handle_offset_fetch(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        corr: u64,
        group: &str,
        partitions: Vec<TopicPartition>,
        require_stable: bool,
    ) {
        let mut unstable = Vec::new();
        let (error, offsets) = match self.group_coordinating(group) {
            Err(e) => (Some(e), Vec::new()),
            Ok(_) => {
                let g = self.group.groups.get(group);
                let offsets = partitions
                    .into_iter()
                    .map(|tp| {
                        if require_stable && g.is_some_and(|g| g.has_pending_offsets(&tp)) {
                            unstable.push(tp.clone());
                            return (tp, None);
                        }
                        let o = g.and_then(|g| g.offsets.get(&tp)).copied();
                        (tp, o)
                    })
                    .collect();
                (None, offsets)
            }
        };
        reply(
            ctx,
            conn,
            GroupMsg::OffsetFetchResponse {
                corr,
                error,
                offsets,
                unstable,
            },
        );
    }

    /// Appends `entries` to the group's `__consumer_offsets` partition; `then` runs once
    /// they are replicated (or at once with the error when they cannot be written). With
    /// `producer` (id, epoch) the batch is a transactional one of that producer
    /// (`storeOffsets` for a TxnOffsetCommit, no sequence), settled by its marker.
    pub(crate) fn write_group_records(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        entries: Vec<(String, String)>,
        producer: Option<(i64, i16)>,
        then: AfterWrite,
    ) {
        let Some(p) = self.group.groups.get(group).map(|g| g.partition) else {
            return;
        };
        let tp = TopicPartition::new(TOPIC, p);
        let Some(part) = self.partitions.get(&tp).filter(|s| s.leader == self.id) else {
            return self.group_write_done(ctx, then, Err(KafkaError::NotCoordinator));
        };
        // The topic's min.insync.replicas is the broker default (offsets.topic has none
        // of its own); acks=-1.
        if (part.isr.len() as u32) < part.effective_min_isr(self.cfg.min_insync_replicas) {
            ctx.note(format!(
                "Appending to {tp} for group {group} failed: NOT_ENOUGH_REPLICAS (ISR {:?})",
                part.isr
            ));
            return self.group_write_done(ctx, then, Err(KafkaError::CoordinatorNotAvailable));
        }
        let now = ctx.now();
        let mut batch = Batch::new(
            0,
            0,
            entries
                .into_iter()
                .map(|e| records::record(e, now))
                .collect(),
        );
        if let Some((id, epoch)) = producer {
            batch = batch.with_producer(Some(crate::kafka::record::ProducerIds {
                id,
                epoch,
                base_sequence: -1,
            }));
            batch.transactional = true;
        }
        let appended = crate::kafka::broker::requests::appended;
        let Some((_, leo)) = self.append_to_leader(ctx, &tp, &batch, appended) else {
            return;
        };
        self.group.writes.push(PendingWrite {
            tp,
            offset: leo,
            then,
        });
        self.try_complete_delayed(ctx);
    }

    /// Completes the writes whose high watermark arrived (or whose partition this broker
    /// no longer leads). Called with the other delayed operations.
    pub(crate) fn complete_group_delayed(&mut self, ctx: &mut Ctx<'_>) {
        let me = self.id;
        let writes = std::mem::take(&mut self.group.writes);
        let mut waiting = Vec::new();
        for w in writes {
            match self.partitions.get(&w.tp) {
                Some(p) if p.leader == me && p.hw < w.offset => waiting.push(w),
                Some(p) if p.leader == me => self.group_write_done(ctx, w.then, Ok(())),
                _ => self.group_write_done(ctx, w.then, Err(KafkaError::NotCoordinator)),
            }
        }
        self.group.writes.extend(waiting);
    }

    /// A group write finished.
    fn group_write_done(&mut self, ctx: &mut Ctx<'_>, then: AfterWrite, r: Result<(), KafkaError>) {
        match then {
            AfterWrite::Assignment {
                group,
                generation,
                assignments,
            } => self.assignment_stored(ctx, &group, generation, assignments, r),
            AfterWrite::Commit {
                group,
                conn,
                corr,
                offsets,
            } => {
                if r.is_ok()
                    && let Some(g) = self.group.groups.get_mut(&group)
                {
                    for (tp, o) in &offsets {
                        g.offsets.insert(tp.clone(), *o);
                    }
                    ctx.change(GroupChange::Committed {
                        group: group.clone(),
                        offsets: offsets.clone(),
                    });
                }
                let results = commit_results(&offsets, r.err());
                reply(ctx, conn, GroupMsg::OffsetCommitResponse { corr, results });
            }
            AfterWrite::TxnCommit {
                group,
                conn,
                corr,
                producer_id,
                offsets,
            } => self.txn_offsets_stored(ctx, &group, (conn, corr), producer_id, offsets, r),
            AfterWrite::StaticJoined { group, member_id } => {
                self.static_member_stored(ctx, &group, &member_id, r)
            }
            AfterWrite::Nothing => {}
        }
    }

    /// Loads the `__consumer_offsets` partitions this broker now leads and forgets the
    /// ones it stopped leading (`onElection` / `onResignation`). Called after every
    /// LeaderAndIsr and StopReplica.
    pub(crate) fn group_roles_changed(&mut self, ctx: &mut Ctx<'_>) {
        let (led, gone) = self.internal_leadership(TOPIC, &self.group.owned);
        for p in gone {
            self.group.owned.remove(&p);
            let timers: Vec<u64> = self
                .group
                .groups
                .values()
                .filter(|g| g.partition == p)
                .flat_map(|g| {
                    g.members
                        .iter()
                        .map(|m| m.session_timer)
                        .chain(g.pending.values().copied())
                        .chain(g.join_timer)
                })
                .collect();
            for t in timers {
                self.group.cancel(ctx, t);
            }
            self.group.groups.retain(|_, g| g.partition != p);
            ctx.note(format!(
                "Unloading group metadata for {TOPIC}-{p}: this broker is no longer its leader"
            ));
        }
        for (p, epoch) in led {
            if self.group.owned.contains_key(&p) {
                continue;
            }
            let tp = TopicPartition::new(TOPIC, p);
            type Loaded = (ClassicGroup, Vec<(String, Vec<TopicPartition>)>);
            let mut groups: BTreeMap<String, Loaded> = BTreeMap::new();
            let mut offsets = 0;
            if let Some(log) = self.disk.logs.get(&tp) {
                for b in log.batches() {
                    for r in &b.records {
                        let (Some(k), Some(v)) = (&r.key, &r.value) else {
                            continue;
                        };
                        match records::parse(k, v) {
                            Some(GroupRecord::Offset { group, tp, offset }) => {
                                offsets += 1;
                                groups
                                    .entry(group.clone())
                                    .or_insert_with(|| (ClassicGroup::new(&group, p), Vec::new()))
                                    .0
                                    .offsets
                                    .insert(tp, offset);
                            }
                            Some(GroupRecord::Group {
                                group,
                                generation,
                                protocol,
                                leader,
                                assignment,
                            }) => {
                                let (g, members) = groups
                                    .entry(group.clone())
                                    .or_insert_with(|| (ClassicGroup::new(&group, p), Vec::new()));
                                g.generation = generation;
                                g.protocol = protocol;
                                g.leader = leader;
                                *members = assignment;
                            }
                            None => {}
                        }
                    }
                }
            }
            ctx.note(format!(
                "Finished loading offsets and group metadata from {tp} at epoch {epoch}: {} groups, {offsets} offset records",
                groups.len()
            ));
            self.group.owned.insert(p, epoch);
            for (id, (g, members)) in groups {
                self.restore_group(ctx, id, g, members);
            }
        }
    }

    /// `onGroupLoaded`: a loaded group with members is Stable with their last assignment
    /// (Empty without), and every member's session starts now. The text record keeps no
    /// member's timeouts or subscription (Kafka's binary one does): they come back as the
    /// defaults (45000 ms session, 300000 ms rebalance) until the member's next join.
    fn restore_group(
        &mut self,
        ctx: &mut Ctx<'_>,
        id: String,
        mut g: ClassicGroup,
        members: Vec<(String, Vec<TopicPartition>)>,
    ) {
        let defaults = crate::kafka::group::config::GroupConsumerConfig::default();
        g.state = if members.is_empty() {
            GroupState::Empty
        } else {
            GroupState::Stable
        };
        for (member_id, assignment) in members {
            g.members.push(super::state::GroupMember {
                member_id,
                instance_id: None,
                client_id: String::new(),
                session_timeout_ms: defaults.session_timeout_ms,
                rebalance_timeout_ms: defaults.max_poll_interval_ms,
                protocols: g.protocol.iter().cloned().collect(),
                subscription: Default::default(),
                assignment,
                awaiting_join: None,
                awaiting_sync: None,
                session_deadline: 0,
                session_timer: 0,
            });
        }
        let ids: Vec<String> = g.members.iter().map(|m| m.member_id.clone()).collect();
        self.group.groups.insert(id.clone(), g);
        for m in ids {
            self.refresh_session(ctx, &id, &m);
        }
    }
}
