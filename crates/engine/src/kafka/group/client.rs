//! The group member inside a consumer (apache/kafka 3.8 `AbstractCoordinator`,
//! `ConsumerCoordinator`, the classic protocol):
//!
//! 1. FindCoordinator (key type GROUP) to any broker; retried after `retry.backoff.ms`.
//! 2. JoinGroup with no member id → MEMBER_ID_REQUIRED → JoinGroup with the id it got.
//!    Before joining, `onJoinPrepare` commits the consumed positions (auto-commit) and, with
//!    the eager protocol, revokes every partition (stop the world); the cooperative one
//!    keeps them.
//! 3. The JoinGroup response names the leader; the leader runs the chosen assignor over
//!    every member's subscription ([`super::assignors`]) and sends the result in SyncGroup;
//!    the others send an empty SyncGroup.
//! 4. The SyncGroup response is the member's partitions. Each new partition starts at the
//!    group's committed offset (OffsetFetch) or, without one, at `auto.offset.reset`
//!    (ListOffsets). With the cooperative protocol a partition this member owned and lost
//!    is revoked now, and the member rejoins at once: the second round gives it away.
//! 5. The heartbeat thread beats every `heartbeat.interval.ms` while the member is in a
//!    generation; REBALANCE_IN_PROGRESS makes it rejoin, UNKNOWN_MEMBER_ID and
//!    ILLEGAL_GENERATION make it lose its partitions (`onPartitionsLost`, no commit) and
//!    join again as a new member.
//! 6. Auto-commit every `auto.commit.interval.ms` commits the positions (commitAsync); a
//!    commit refused for the generation is a `CommitFailedException`.

use super::GroupChange;
use super::assignors::{self, Assignor, Member};
use super::config::OffsetReset;
use super::messages::{GroupMsg, JoinedMember, Subscription};
use crate::ids::NodeId;
use crate::kafka::consumer::Consumer;
use crate::kafka::messages::{KafkaError, KafkaMsg, KafkaTimer};
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Ctx;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A consumer's group timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClientTimer {
    /// The heartbeat thread's next beat.
    Heartbeat,
    /// The next auto-commit.
    AutoCommit,
    /// Look for the coordinator, or join, again after a backoff.
    Retry,
    /// Ask again for committed offsets that were unstable (KIP-447).
    OffsetFetchRetry,
}

impl fmt::Display for ClientTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClientTimer::Heartbeat => "heartbeat.interval.ms",
            ClientTimer::AutoCommit => "auto.commit.interval.ms",
            ClientTimer::Retry => "group retry backoff",
            ClientTimer::OffsetFetchRetry => "retry.backoff.ms (unstable offsets)",
        })
    }
}

/// `MemberState` of `AbstractCoordinator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MemberState {
    /// Not in the group.
    Unjoined,
    /// JoinGroup sent.
    PreparingRebalance,
    /// SyncGroup sent.
    CompletingRebalance,
    /// Has its partitions.
    Stable,
}

impl MemberState {
    /// Java's name.
    pub fn name(self) -> &'static str {
        match self {
            MemberState::Unjoined => "UNJOINED",
            MemberState::PreparingRebalance => "PREPARING_REBALANCE",
            MemberState::CompletingRebalance => "COMPLETING_REBALANCE",
            MemberState::Stable => "STABLE",
        }
    }
}

/// A request in flight to the coordinator.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Asked {
    Find,
    Join,
    Sync,
    Heartbeat,
    /// A commit; `then_join` for the one `onJoinPrepare` waits for, `app` for the
    /// application loop's `commitSync()`.
    Commit {
        then_join: bool,
        app: bool,
    },
    Offsets,
    /// ListOffsets for `auto.offset.reset`, or for a `seekToBeginning`/`seekToEnd`
    /// (`Some(earliest)`).
    ListOffsets(Option<bool>),
}

/// The group side of a consumer.
#[derive(Clone, Debug)]
pub struct GroupClient {
    /// `group.id`.
    pub group: String,
    /// `group.instance.id`.
    pub instance_id: Option<String>,
    /// `client.id` (`consumer-<group>-<n>`).
    pub client_id: String,
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// Where it is in the protocol.
    pub state: MemberState,
    /// The coordinator's broker id, once found.
    pub coordinator: Option<u32>,
    /// Its member id ("" before the first join).
    pub member_id: String,
    /// Its generation (-1 outside one).
    pub generation: i32,
    /// The protocol (assignor) of the generation.
    pub protocol: Option<String>,
    /// The leader's member id in the generation.
    pub leader: String,
    /// Its partitions.
    pub owned: Vec<TopicPartition>,
    /// The last offsets the coordinator acknowledged.
    pub committed: BTreeMap<TopicPartition, u64>,
    /// Why its last commit failed (the broker's error, or the exception raised before
    /// sending); cleared by a commit that succeeds.
    pub commit_error: Option<String>,
    /// `groupMetadata()`'s generation and member id: set when a join completes
    /// (`ConsumerCoordinator.onJoinComplete`) and kept through a reset, so a zombie's
    /// `sendOffsetsToTransaction` names the generation it last had (KIP-447).
    pub metadata: (i32, String),
    /// The eager `StickyAssignor`'s memory of its last assignment and generation
    /// (`memberAssignment`, set in `onAssignment`): sent as its subscription user data,
    /// since an eager member owns nothing when it joins.
    sticky_memory: (Vec<TopicPartition>, i32),
    /// It must (re)join (`rejoinNeeded`).
    rejoin: bool,
    /// The short reason its next JoinGroup gives (`rejoinReason`).
    rejoin_reason: String,
    /// The leader's JoinGroup response, kept while it waits for topic metadata.
    leader_join: Option<Vec<JoinedMember>>,
    /// Partitions to reset whose leader it does not know yet.
    pending_reset: Vec<TopicPartition>,
    /// Partitions whose committed offsets to ask for again: a transaction held pending
    /// offsets for some of them (UNSTABLE_OFFSET_COMMIT).
    refetch: Vec<TopicPartition>,
    asked: BTreeMap<u64, Asked>,
}

impl GroupClient {
    fn asking(&self, what: &Asked) -> bool {
        self.asked.values().any(|a| a == what)
    }

    /// `requestRejoin(shortReason, fullReason)`: logs the full reason; the short one goes
    /// to the coordinator in the next JoinGroup.
    fn request_rejoin(&mut self, ctx: &mut Ctx<'_>, short: &str, full: &str) {
        ctx.note(format!("Request joining group due to: {full}"));
        self.rejoin_reason = short.to_string();
        self.rejoin = true;
    }
}

impl Consumer {
    /// `subscribe(topics)` in `group` (`group.id`): the consumer looks for the group's
    /// coordinator and joins.
    pub fn subscribe(&mut self, ctx: &mut Ctx<'_>, group: &str, topics: Vec<String>) {
        let instance_id = self
            .cfg
            .group
            .instance_id
            .as_ref()
            .map(|i| format!("{i}-{}", self.id));
        self.group = Some(GroupClient {
            group: group.to_string(),
            instance_id,
            client_id: format!("consumer-{group}-{}", self.id),
            topics,
            state: MemberState::Unjoined,
            coordinator: None,
            member_id: String::new(),
            generation: -1,
            protocol: None,
            leader: String::new(),
            owned: Vec::new(),
            committed: BTreeMap::new(),
            commit_error: None,
            metadata: (-1, String::new()),
            sticky_memory: (Vec::new(), -1),
            rejoin: true,
            rejoin_reason: String::new(),
            leader_join: None,
            pending_reset: Vec::new(),
            refetch: Vec::new(),
            asked: BTreeMap::new(),
        });
        self.group_poll(ctx);
        if self.cfg.group.auto_commit {
            ctx.set_timer(
                KafkaTimer::ConsumerGroup(ClientTimer::AutoCommit),
                self.cfg.group.auto_commit_interval_ms,
            );
        }
    }

    /// Sends a group request to `broker` (the coordinator, or any broker for
    /// FindCoordinator and ListOffsets).
    fn ask_group(&mut self, ctx: &mut Ctx<'_>, broker: u32, asked: Asked, msg: KafkaMsg) {
        if let Some(g) = self.group.as_mut() {
            let corr = match &msg {
                KafkaMsg::Group(m) => group_corr(m),
                KafkaMsg::ListOffsets { corr, .. } => *corr,
                _ => return,
            };
            g.asked.insert(corr, asked);
        }
        self.net.send(ctx, broker, msg);
    }

    /// Moves the group protocol on: find the coordinator, or (re)join.
    pub(crate) fn group_poll(&mut self, ctx: &mut Ctx<'_>) {
        let Some(g) = self.group.as_ref() else {
            return;
        };
        if g.asking(&Asked::Find) || g.asking(&Asked::Join) || g.asking(&Asked::Sync) {
            return;
        }
        let Some(coordinator) = g.coordinator else {
            let Some(broker) = self.metadata.any_broker() else {
                return;
            };
            let corr = bump(&mut self.next_corr);
            let group = g.group.clone();
            let msg = KafkaMsg::Group(GroupMsg::FindCoordinator { corr, group });
            return self.ask_group(ctx, broker, Asked::Find, msg);
        };
        if !g.rejoin
            || g.asking(&Asked::Commit {
                then_join: true,
                app: false,
            })
        {
            return;
        }
        // Joining happens inside the application's poll().
        if self.app_busy() {
            self.app.group_deferred = true;
            return;
        }
        // onJoinPrepare: commit what was consumed, then (eager) give everything up.
        if self.cfg.group.auto_commit && g.generation >= 0 && !g.owned.is_empty() {
            let offsets: Vec<(TopicPartition, u64)> = g
                .owned
                .iter()
                .filter_map(|tp| self.positions.get(tp).map(|o| (tp.clone(), *o)))
                .collect();
            if !offsets.is_empty() {
                return self.send_commit(ctx, coordinator, offsets, true, false);
            }
        }
        self.join(ctx, coordinator);
    }

    fn join(&mut self, ctx: &mut Ctx<'_>, coordinator: u32) {
        let cooperative = self.cooperative();
        let sticky = self
            .cfg
            .group
            .assignors
            .contains(&crate::kafka::group::assignors::Assignor::Sticky);
        let Some(g) = self.group.as_mut() else {
            return;
        };
        // onJoinPrepare: outside a generation everything is lost (no commit); the eager
        // protocol revokes everything.
        if (!cooperative || g.generation < 0) && !g.owned.is_empty() {
            let what = if g.generation < 0 { "lost" } else { "revoked" };
            let revoked = std::mem::take(&mut g.owned);
            let generation = g.generation;
            for tp in &revoked {
                self.drop_position(tp);
            }
            ctx.change(GroupChange::Partitions {
                what: what.into(),
                partitions: revoked,
                generation,
            });
        }
        let Some(g) = self.group.as_mut() else {
            return;
        };
        g.rejoin = false;
        g.state = MemberState::PreparingRebalance;
        // ownedPartitions is what the member holds (nothing, for an eager one); the eager
        // StickyAssignor sends its remembered assignment in its user data instead
        // (`StickyAssignor.memberData`, 3.8), which the engine carries in the same field.
        let (owned, generation) = if cooperative {
            (g.owned.clone(), g.generation)
        } else if sticky {
            g.sticky_memory.clone()
        } else {
            (Vec::new(), g.generation)
        };
        let subscription = Subscription {
            topics: g.topics.clone(),
            owned,
            generation,
        };
        let (group, member_id, instance_id, client_id) = (
            g.group.clone(),
            g.member_id.clone(),
            g.instance_id.clone(),
            g.client_id.clone(),
        );
        let corr = bump(&mut self.next_corr);
        let msg = KafkaMsg::Group(GroupMsg::JoinGroup {
            corr,
            group,
            member_id,
            instance_id,
            client_id,
            session_timeout_ms: self.cfg.group.session_timeout_ms,
            rebalance_timeout_ms: self.cfg.group.max_poll_interval_ms,
            protocols: self
                .cfg
                .group
                .assignors
                .iter()
                .map(|a| a.name().to_string())
                .collect(),
            subscription,
            reason: g.rejoin_reason.clone(),
        });
        self.ask_group(ctx, coordinator, Asked::Join, msg);
    }

    /// The configured protocol is cooperative (every assignor offered is).
    fn cooperative(&self) -> bool {
        self.cfg.group.assignors.iter().all(|a| a.cooperative())
    }

    fn send_commit(
        &mut self,
        ctx: &mut Ctx<'_>,
        coordinator: u32,
        offsets: Vec<(TopicPartition, u64)>,
        then_join: bool,
        app: bool,
    ) {
        let Some(g) = self.group.as_ref() else {
            return;
        };
        let corr = bump(&mut self.next_corr);
        let msg = KafkaMsg::Group(GroupMsg::OffsetCommit {
            corr,
            group: g.group.clone(),
            generation: g.generation,
            member_id: g.member_id.clone(),
            offsets,
        });
        self.ask_group(ctx, coordinator, Asked::Commit { then_join, app }, msg);
    }

    /// `onJoinPrepare` is committing before it revokes: `poll()` is blocked in that
    /// `commitSync()` and returns no records (the eager protocol then revokes them all).
    pub(crate) fn group_blocks_poll(&self) -> bool {
        self.group.as_ref().is_some_and(|g| {
            g.asking(&Asked::Commit {
                then_join: true,
                app: false,
            })
        })
    }

    /// `commitSync()` of the consumed positions, as a command.
    pub fn commit(&mut self, ctx: &mut Ctx<'_>) {
        self.commit_positions(ctx, false);
    }

    /// The auto-commit (`maybeAutoCommitOffsetsAsync`): only in a stable generation.
    pub(crate) fn auto_commit(&mut self, ctx: &mut Ctx<'_>) {
        if self
            .group
            .as_ref()
            .is_some_and(|g| g.state == MemberState::Stable)
        {
            self.commit_positions(ctx, false);
        }
    }

    /// Sends OffsetCommit for the owned partitions' positions; `app` for the
    /// application loop's `commitSync()`. Returns false when nothing was sent. Outside a
    /// stable generation the commit fails at once (`sendOffsetCommitRequest`:
    /// `generationIfStable()` is null).
    pub(crate) fn commit_positions(&mut self, ctx: &mut Ctx<'_>, app: bool) -> bool {
        let Some(g) = self.group.as_ref() else {
            return false;
        };
        if g.state != MemberState::Stable {
            ctx.note(
                "Failing OffsetCommit request since the consumer is not part of an active group",
            );
            let (text, error) = if matches!(
                g.state,
                MemberState::PreparingRebalance | MemberState::CompletingRebalance
            ) {
                (
                    "RebalanceInProgressException: Offset commit cannot be completed since the consumer is undergoing a rebalance for auto partition assignment. You can try completing the rebalance by calling poll() and then retry the operation.",
                    KafkaError::RebalanceInProgress,
                )
            } else {
                (
                    "CommitFailedException: Offset commit cannot be completed since the consumer is not part of an active group for auto partition assignment; it is likely that the consumer was kicked out of the group.",
                    KafkaError::CommitFailed,
                )
            };
            self.report_commit_failure(ctx, text, error);
            return false;
        }
        let Some(c) = g.coordinator else {
            return false;
        };
        let offsets: Vec<(TopicPartition, u64)> = g
            .owned
            .iter()
            .filter_map(|tp| self.positions.get(tp).map(|o| (tp.clone(), *o)))
            .collect();
        if offsets.is_empty() {
            return false;
        }
        self.send_commit(ctx, c, offsets, false, app);
        true
    }

    /// A group response.
    pub(crate) fn on_group_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: GroupMsg) {
        let Some(g) = self.group.as_mut() else {
            return;
        };
        let Some(asked) = g.asked.remove(&group_corr(&msg)) else {
            return;
        };
        let NodeId::Broker(from) = from else { return };
        match (asked, msg) {
            (Asked::Find, GroupMsg::FindCoordinatorResponse { result, .. }) => match result {
                Ok(b) => {
                    ctx.note(format!(
                        "Discovered group coordinator broker{b} for group {}",
                        g.group
                    ));
                    g.coordinator = Some(b);
                    self.group_poll(ctx);
                }
                Err(_) => self.retry_later(ctx),
            },
            (
                Asked::Join,
                GroupMsg::JoinGroupResponse {
                    error,
                    generation,
                    protocol,
                    leader,
                    member_id,
                    members,
                    skip_assignment,
                    ..
                },
            ) => match error {
                Some(KafkaError::MemberIdRequired) => {
                    let reason = format!("need to re-join with the given member-id: {member_id}");
                    g.request_rejoin(ctx, &reason, &reason);
                    g.member_id = member_id;
                    self.group_poll(ctx);
                }
                Some(e) => self.group_error(ctx, e, from),
                None => {
                    g.generation = generation;
                    g.protocol = protocol;
                    g.leader = leader.clone();
                    g.member_id = member_id.clone();
                    g.state = MemberState::CompletingRebalance;
                    if leader == member_id && !skip_assignment {
                        g.leader_join = Some(members);
                        self.lead(ctx);
                    } else {
                        self.send_sync(ctx, Vec::new());
                    }
                    self.schedule_heartbeat(ctx);
                }
            },
            (
                Asked::Sync,
                GroupMsg::SyncGroupResponse {
                    error, assignment, ..
                },
            ) => match error {
                Some(e) => self.group_error(ctx, e, from),
                None => self.on_assignment(ctx, assignment),
            },
            (Asked::Heartbeat, GroupMsg::HeartbeatResponse { error, .. }) => match error {
                None => {}
                Some(KafkaError::RebalanceInProgress) if g.state == MemberState::Stable => {
                    let reason = "group is already rebalancing";
                    g.request_rejoin(ctx, reason, reason);
                    self.group_poll(ctx);
                }
                // Not stable: it is joining already.
                Some(KafkaError::RebalanceInProgress) => {}
                Some(e) => self.group_error(ctx, e, from),
            },
            (Asked::Commit { then_join, app }, GroupMsg::OffsetCommitResponse { results, .. }) => {
                let error = results.iter().find_map(|(_, e)| *e);
                match error {
                    None => {
                        g.commit_error = None;
                        for (tp, _) in &results {
                            if let Some(o) = self.positions.get(tp) {
                                g.committed.insert(tp.clone(), *o);
                            }
                        }
                    }
                    Some(e) => self.commit_failed(ctx, e, from),
                }
                if then_join && let Some(c) = self.group.as_ref().and_then(|g| g.coordinator) {
                    self.join(ctx, c);
                    // poll() goes on past onJoinPrepare (cooperative: owned partitions
                    // still deliver).
                    self.app_poll(ctx);
                }
                if app {
                    self.app_committed(ctx);
                }
            }
            (
                Asked::Offsets,
                GroupMsg::OffsetFetchResponse {
                    error,
                    offsets,
                    unstable,
                    ..
                },
            ) => {
                if let Some(e) = error {
                    return self.group_error(ctx, e, from);
                }
                if !unstable.is_empty() {
                    // The whole fetch fails with UnstableOffsetCommitException and is
                    // retried after retry.backoff.ms (`OffsetFetchResponseHandler`).
                    let names: Vec<String> = unstable.iter().map(|t| t.to_string()).collect();
                    ctx.note(format!(
                        "The following partitions still have unstable offsets which are not cleared on the broker side: [{}], this could be either transactional offsets waiting for completion, or normal offsets waiting for replication after appending to local log",
                        names.join(", ")
                    ));
                    g.refetch = offsets.into_iter().map(|(tp, _)| tp).collect();
                    ctx.set_timer(
                        KafkaTimer::ConsumerGroup(ClientTimer::OffsetFetchRetry),
                        self.cfg.retry_backoff_ms,
                    );
                    return;
                }
                let mut reset = Vec::new();
                let mut committed = Vec::new();
                for (tp, o) in offsets {
                    let owned = g.owned.contains(&tp);
                    match o {
                        Some(o) if owned => {
                            ctx.note(format!(
                                "Setting offset for partition {tp} to the committed offset FetchPosition{{offset={o}}}"
                            ));
                            g.committed.insert(tp.clone(), o);
                            committed.push((tp, o));
                        }
                        None if owned => {
                            ctx.note(format!("Found no committed offset for partition {tp}"));
                            reset.push(tp);
                        }
                        _ => {}
                    }
                }
                for (tp, o) in committed {
                    self.set_position(tp, o);
                }
                self.reset_positions(ctx, reset);
                self.poll_fetches(ctx);
            }
            _ => {}
        }
    }

    /// The leader runs the assignor once it knows every subscribed topic's partitions.
    fn lead(&mut self, ctx: &mut Ctx<'_>) {
        let Some(g) = self.group.as_ref() else {
            return;
        };
        let Some(members) = g.leader_join.clone() else {
            return;
        };
        let mut topics: Vec<String> = members
            .iter()
            .flat_map(|m| m.subscription.topics.iter().cloned())
            .collect();
        topics.sort();
        topics.dedup();
        let mut partitions = BTreeMap::new();
        let mut missing = Vec::new();
        for t in &topics {
            match self.metadata.topic(t) {
                Some(ps) if !ps.is_empty() => {
                    partitions.insert(t.clone(), ps.len() as u32);
                }
                _ => missing.push(t.clone()),
            }
        }
        if !missing.is_empty() {
            let timeout = self.cfg.request_timeout_ms;
            self.metadata
                .request(ctx, &mut self.net, &mut self.next_corr, missing, timeout);
            return;
        }
        let assignor = g
            .protocol
            .as_deref()
            .and_then(|p| Assignor::parse(p).ok())
            .unwrap_or(Assignor::Range);
        let input: Vec<Member> = members
            .iter()
            .map(|m| Member {
                id: m.member_id.clone(),
                instance_id: m.instance_id.clone(),
                topics: m.subscription.topics.clone(),
                owned: m.subscription.owned.clone(),
                generation: m.subscription.generation,
            })
            .collect();
        let result = assignors::assign(assignor, &partitions, &input);
        ctx.note(format!(
            "Finished assignment for group at generation {}: {}",
            g.generation,
            result
                .iter()
                .map(|(m, tps)| format!(
                    "{m}=[{}]",
                    tps.iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let Some(g) = self.group.as_mut() {
            g.leader_join = None;
        }
        self.send_sync(ctx, result.into_iter().collect());
    }

    /// Topic metadata arrived: a leader waiting for it can assign now.
    pub(crate) fn group_metadata_updated(&mut self, ctx: &mut Ctx<'_>) {
        if self.group.as_ref().is_some_and(|g| g.leader_join.is_some()) {
            self.lead(ctx);
        }
        let waiting = self
            .group
            .as_mut()
            .map(|g| std::mem::take(&mut g.pending_reset))
            .unwrap_or_default();
        self.reset_positions(ctx, waiting);
    }

    fn send_sync(&mut self, ctx: &mut Ctx<'_>, assignments: Vec<(String, Vec<TopicPartition>)>) {
        let Some(g) = self.group.as_ref() else {
            return;
        };
        let Some(c) = g.coordinator else {
            return;
        };
        let corr = bump(&mut self.next_corr);
        let msg = KafkaMsg::Group(GroupMsg::SyncGroup {
            corr,
            group: g.group.clone(),
            generation: g.generation,
            member_id: g.member_id.clone(),
            assignments,
        });
        self.ask_group(ctx, c, Asked::Sync, msg);
    }

    /// `onJoinComplete`: take the new partitions (and, cooperative, give up the lost ones
    /// and rejoin).
    fn on_assignment(&mut self, ctx: &mut Ctx<'_>, assignment: Vec<TopicPartition>) {
        let Some(g) = self.group.as_mut() else {
            return;
        };
        g.state = MemberState::Stable;
        g.rejoin_reason.clear();
        g.metadata = (g.generation, g.member_id.clone());
        g.sticky_memory = (assignment.clone(), g.generation);
        let revoked: Vec<TopicPartition> = g
            .owned
            .iter()
            .filter(|tp| !assignment.contains(tp))
            .cloned()
            .collect();
        let added: Vec<TopicPartition> = assignment
            .iter()
            .filter(|tp| !g.owned.contains(tp))
            .cloned()
            .collect();
        let generation = g.generation;
        if !revoked.is_empty() {
            ctx.change(GroupChange::Partitions {
                what: "revoked".into(),
                partitions: revoked.clone(),
                generation,
            });
            // KIP-429: a cooperative member that gave something up rejoins at once.
            let names: Vec<String> = revoked.iter().map(|t| t.to_string()).collect();
            g.request_rejoin(
                ctx,
                "need to revoke partitions and re-join",
                &format!(
                    "need to revoke partitions [{}] as indicated by the current assignment and re-join",
                    names.join(", ")
                ),
            );
        }
        g.owned = assignment;
        ctx.change(GroupChange::Partitions {
            what: "assigned".into(),
            partitions: added.clone(),
            generation,
        });
        self.fetch_committed(ctx, added);
        for tp in &revoked {
            self.drop_position(tp);
        }
        if !revoked.is_empty() {
            self.group_poll(ctx);
        }
    }

    /// OffsetFetch for `partitions` (`fetchCommittedOffsets`), with `requireStable` as
    /// the Java consumer always sends it (3.8).
    pub(crate) fn fetch_committed(&mut self, ctx: &mut Ctx<'_>, partitions: Vec<TopicPartition>) {
        let Some(g) = self.group.as_ref() else {
            return;
        };
        if partitions.is_empty() {
            return;
        }
        let Some(c) = g.coordinator else {
            return;
        };
        let corr = bump(&mut self.next_corr);
        let msg = KafkaMsg::Group(GroupMsg::OffsetFetch {
            corr,
            group: g.group.clone(),
            partitions,
            require_stable: true,
        });
        self.ask_group(ctx, c, Asked::Offsets, msg);
    }

    /// Partitions without a committed offset start where `auto.offset.reset` says
    /// (ListOffsets to each leader).
    fn reset_positions(&mut self, ctx: &mut Ctx<'_>, tps: Vec<TopicPartition>) {
        self.list_offsets(ctx, tps, None);
    }

    /// ListOffsets to each leader of `tps`: for `auto.offset.reset` (`seek` None) or a
    /// seek to the beginning (`Some(true)`) or end (`Some(false)`).
    pub(crate) fn list_offsets(
        &mut self,
        ctx: &mut Ctx<'_>,
        tps: Vec<TopicPartition>,
        seek: Option<bool>,
    ) {
        let reset = match seek {
            Some(true) => OffsetReset::Earliest,
            Some(false) => OffsetReset::Latest,
            None => self.cfg.group.offset_reset,
        };
        if tps.is_empty() {
            return;
        }
        if reset == OffsetReset::None {
            let names: Vec<String> = tps.iter().map(|t| t.to_string()).collect();
            ctx.note(format!(
                "NoOffsetForPartitionException: Undefined offset with no reset policy for partitions: [{}]",
                names.join(", ")
            ));
            return;
        }
        let mut by_leader: BTreeMap<u32, Vec<TopicPartition>> = BTreeMap::new();
        let mut missing = Vec::new();
        for tp in tps {
            match self.metadata.leader_of(&tp) {
                Some(l) => by_leader.entry(l).or_default().push(tp),
                None => {
                    if !missing.contains(&tp.topic) {
                        missing.push(tp.topic.clone());
                    }
                    if let Some(g) = self.group.as_mut() {
                        g.pending_reset.push(tp);
                    }
                }
            }
        }
        if !missing.is_empty() {
            let timeout = self.cfg.request_timeout_ms;
            self.metadata
                .request(ctx, &mut self.net, &mut self.next_corr, missing, timeout);
        }
        for (leader, partitions) in by_leader {
            let corr = bump(&mut self.next_corr);
            let msg = KafkaMsg::ListOffsets {
                corr,
                earliest: reset == OffsetReset::Earliest,
                read_committed: self.cfg.read_committed,
                partitions,
            };
            self.ask_group(ctx, leader, Asked::ListOffsets(seek), msg);
        }
    }

    /// A ListOffsets answer: the reset positions.
    pub(crate) fn on_list_offsets(
        &mut self,
        ctx: &mut Ctx<'_>,
        corr: u64,
        partitions: Vec<(TopicPartition, Result<u64, KafkaError>)>,
    ) {
        let Some(g) = self.group.as_mut() else {
            return;
        };
        let Some(Asked::ListOffsets(seek)) = g.asked.remove(&corr) else {
            return;
        };
        let why = match seek {
            None => format!(
                " (auto.offset.reset={})",
                self.cfg.group.offset_reset.name()
            ),
            Some(_) => String::new(),
        };
        let mut again = Vec::new();
        let mut found = Vec::new();
        for (tp, r) in partitions {
            if !g.owned.contains(&tp) {
                continue;
            }
            match r {
                Ok(o) => {
                    ctx.note(format!(
                        "Resetting offset for partition {tp} to position FetchPosition{{offset={o}}}{why}."
                    ));
                    found.push((tp, o));
                }
                Err(_) => again.push(tp),
            }
        }
        for (tp, o) in found {
            self.set_position(tp, o);
        }
        for tp in &again {
            self.metadata.forget(&tp.topic);
        }
        self.list_offsets(ctx, again, seek);
        self.poll_fetches(ctx);
    }

    /// Errors that send the member back to the coordinator lookup or a new join.
    fn group_error(&mut self, ctx: &mut Ctx<'_>, e: KafkaError, from: u32) {
        let Some(g) = self.group.as_mut() else {
            return;
        };
        match e {
            KafkaError::NotCoordinator
            | KafkaError::CoordinatorNotAvailable
            | KafkaError::CoordinatorLoadInProgress => {
                if e != KafkaError::CoordinatorLoadInProgress && g.coordinator == Some(from) {
                    ctx.note(format!(
                        "Group coordinator broker{from} is unavailable or invalid due to cause: error response {e}. isDisconnected: false. Rediscovery will be attempted."
                    ));
                    g.coordinator = None;
                }
                g.rejoin |= g.state != MemberState::Stable;
                self.retry_later(ctx);
            }
            KafkaError::UnknownMemberId | KafkaError::IllegalGeneration => {
                ctx.note(format!(
                    "Attempt to heartbeat with generation {} and member id {} failed due to {e}, resetting generation",
                    g.generation, g.member_id
                ));
                if e == KafkaError::UnknownMemberId {
                    g.member_id.clear();
                }
                self.lose_partitions(ctx);
            }
            _ => {
                if let Some(g) = self.group.as_mut() {
                    g.rejoin = true;
                }
                self.retry_later(ctx);
            }
        }
    }

    /// `onPartitionsLost` and `resetGenerationOnResponseError`: no commit, a new join.
    fn lose_partitions(&mut self, ctx: &mut Ctx<'_>) {
        let Some(g) = self.group.as_mut() else {
            return;
        };
        let lost = std::mem::take(&mut g.owned);
        if !lost.is_empty() {
            ctx.change(GroupChange::Partitions {
                what: "lost".into(),
                partitions: lost.clone(),
                generation: g.generation,
            });
        }
        g.generation = -1;
        g.state = MemberState::Unjoined;
        g.rejoin = true;
        for tp in &lost {
            self.drop_position(tp);
        }
        self.group_poll(ctx);
    }

    /// A commit refused: `CommitFailedException` for a member no longer in the
    /// generation, `RebalanceInProgressException` during a rebalance.
    fn commit_failed(&mut self, ctx: &mut Ctx<'_>, e: KafkaError, from: u32) {
        let text = match e {
            KafkaError::UnknownMemberId | KafkaError::IllegalGeneration => {
                "CommitFailedException: Commit cannot be completed since the group has already rebalanced and assigned the partitions to another member. This means that the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time message processing. You can address this either by increasing max.poll.interval.ms or by reducing the maximum size of batches returned in poll() with max.poll.records.".to_string()
            }
            KafkaError::RebalanceInProgress => {
                "RebalanceInProgressException: Offset commit cannot be completed since the consumer group is executing a rebalance at the moment. You can try completing the rebalance by calling poll() and then retry commit again".to_string()
            }
            other => format!("{other}"),
        };
        self.report_commit_failure(ctx, &text, e);
        if matches!(
            e,
            KafkaError::UnknownMemberId | KafkaError::IllegalGeneration
        ) {
            self.group_error(ctx, e, from);
        } else if e == KafkaError::RebalanceInProgress {
            if let Some(g) = self.group.as_mut() {
                let reason = "offset commit failed since group is already rebalancing";
                g.request_rejoin(ctx, reason, reason);
            }
            self.group_poll(ctx);
        } else if matches!(
            e,
            KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable
        ) && let Some(g) = self.group.as_mut()
        {
            g.coordinator = None;
        }
    }

    /// What the application sees of a failed commit: the exception's text, a change,
    /// and `commit_error` for the `commit-error` query.
    fn report_commit_failure(&mut self, ctx: &mut Ctx<'_>, text: &str, error: KafkaError) {
        ctx.note(format!("Offset commit failed: {text}"));
        ctx.change(GroupChange::CommitFailed {
            error: error.name().to_string(),
        });
        if let Some(g) = self.group.as_mut() {
            g.commit_error = Some(error.name().to_string());
        }
    }

    fn retry_later(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_timer(
            KafkaTimer::ConsumerGroup(ClientTimer::Retry),
            self.cfg.retry_backoff_ms,
        );
    }

    fn schedule_heartbeat(&mut self, ctx: &mut Ctx<'_>) {
        ctx.set_timer(
            KafkaTimer::ConsumerGroup(ClientTimer::Heartbeat),
            self.cfg.group.heartbeat_interval_ms,
        );
    }

    /// One of its group timers.
    pub(crate) fn on_group_timer(&mut self, ctx: &mut Ctx<'_>, t: ClientTimer) {
        let Some(g) = self.group.as_ref() else {
            return;
        };
        match t {
            ClientTimer::Retry => self.group_poll(ctx),
            ClientTimer::OffsetFetchRetry => {
                let owned = g.owned.clone();
                let again: Vec<TopicPartition> = self
                    .group
                    .as_mut()
                    .map(|g| std::mem::take(&mut g.refetch))
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|tp| owned.contains(tp) && !self.positions.contains_key(tp))
                    .collect();
                self.fetch_committed(ctx, again);
            }
            ClientTimer::Heartbeat => {
                if !matches!(
                    g.state,
                    MemberState::Stable | MemberState::CompletingRebalance
                ) {
                    return;
                }
                if let Some(c) = g.coordinator
                    && !g.asking(&Asked::Heartbeat)
                {
                    let corr = bump(&mut self.next_corr);
                    let msg = KafkaMsg::Group(GroupMsg::Heartbeat {
                        corr,
                        group: g.group.clone(),
                        generation: g.generation,
                        member_id: g.member_id.clone(),
                    });
                    self.ask_group(ctx, c, Asked::Heartbeat, msg);
                }
                self.schedule_heartbeat(ctx);
            }
            ClientTimer::AutoCommit => {
                self.auto_commit_due(ctx);
                ctx.set_timer(
                    KafkaTimer::ConsumerGroup(ClientTimer::AutoCommit),
                    self.cfg.group.auto_commit_interval_ms,
                );
            }
        }
    }

    /// The connection to `broker` closed: requests on it are lost. Losing the
    /// coordinator's sends the member back to FindCoordinator (`markCoordinatorUnknown`).
    pub(crate) fn group_lost_broker(&mut self, ctx: &mut Ctx<'_>, broker: u32) {
        let Some(g) = self.group.as_mut() else {
            return;
        };
        if g.coordinator != Some(broker) {
            return;
        }
        ctx.note(format!(
            "Group coordinator broker{broker} is unavailable or invalid due to cause: coordinator unavailable. isDisconnected: true. Rediscovery will be attempted."
        ));
        g.coordinator = None;
        let lost: Vec<Asked> = std::mem::take(&mut g.asked).into_values().collect();
        if lost.iter().any(|a| {
            matches!(
                a,
                Asked::Join
                    | Asked::Sync
                    | Asked::Commit {
                        then_join: true,
                        ..
                    }
            )
        }) {
            g.rejoin = true;
        }
        self.retry_later(ctx);
        // The application's commitSync() gives up (a TimeoutException in Java, after
        // retrying for default.api.timeout.ms) and the loop goes on.
        if lost
            .iter()
            .any(|a| matches!(a, Asked::Commit { app: true, .. }))
        {
            self.app_committed(ctx);
        }
    }

    /// The heartbeat thread found `max.poll.interval.ms` passed since the last `poll()`
    /// (`AbstractCoordinator.handlePollTimeoutExpiry`, `maybeLeaveGroup`,
    /// `resetGenerationOnLeaveGroup`).
    pub(crate) fn poll_timeout_expired(&mut self, ctx: &mut Ctx<'_>) {
        let Some(g) = self.group.as_mut() else {
            return;
        };
        // The heartbeat thread runs only in a generation.
        if !matches!(
            g.state,
            MemberState::Stable | MemberState::CompletingRebalance
        ) {
            return;
        }
        ctx.note("consumer poll timeout has expired. This means the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time processing messages. You can address this either by increasing max.poll.interval.ms or by reducing the maximum size of batches returned in poll() with max.poll.records.");
        self.maybe_leave_group(ctx, "consumer poll timeout has expired.");
        let Some(g) = self.group.as_mut() else {
            return;
        };
        let reason = "consumer pro-actively leaving the group";
        ctx.note(format!(
            "Resetting generation and member id due to: {reason}"
        ));
        g.request_rejoin(ctx, reason, reason);
        ctx.change(GroupChange::PollTimeout {
            member: g.member_id.clone(),
        });
        g.generation = -1;
        g.member_id.clear();
        g.state = MemberState::Unjoined;
        // The next poll() joins again; the owned partitions are lost then.
        self.app.group_deferred = true;
    }

    /// A clean close (`KafkaConsumer.close`): a dynamic member leaves the group
    /// (LeaveGroup); a static one does not (KIP-345).
    pub(crate) fn group_close(&mut self, ctx: &mut Ctx<'_>) {
        self.maybe_leave_group(ctx, "the consumer is being closed");
    }

    /// `maybeLeaveGroup`: a dynamic member in the group with a known coordinator sends
    /// LeaveGroup, once and without retries; a static member never does (KIP-345: only
    /// its session timeout removes it).
    fn maybe_leave_group(&mut self, ctx: &mut Ctx<'_>, reason: &str) {
        let Some(g) = self.group.as_ref() else {
            return;
        };
        if g.instance_id.is_some() || g.member_id.is_empty() || g.state == MemberState::Unjoined {
            return;
        }
        let Some(c) = g.coordinator else {
            return;
        };
        ctx.note(format!(
            "Member {} sending LeaveGroup request to coordinator broker{c} due to {reason}",
            g.member_id
        ));
        let corr = bump(&mut self.next_corr);
        let msg = KafkaMsg::Group(GroupMsg::LeaveGroup {
            corr,
            group: g.group.clone(),
            member_id: g.member_id.clone(),
            reason: reason.to_string(),
        });
        self.net.send(ctx, c, msg);
    }
}

/// The next correlation id.
fn bump(next: &mut u64) -> u64 {
    *next += 1;
    *next
}

/// The correlation id of a group message.
fn group_corr(m: &GroupMsg) -> u64 {
    match m {
        GroupMsg::FindCoordinator { corr, .. }
        | GroupMsg::FindCoordinatorResponse { corr, .. }
        | GroupMsg::JoinGroup { corr, .. }
        | GroupMsg::JoinGroupResponse { corr, .. }
        | GroupMsg::SyncGroup { corr, .. }
        | GroupMsg::SyncGroupResponse { corr, .. }
        | GroupMsg::Heartbeat { corr, .. }
        | GroupMsg::HeartbeatResponse { corr, .. }
        | GroupMsg::LeaveGroup { corr, .. }
        | GroupMsg::LeaveGroupResponse { corr, .. }
        | GroupMsg::OffsetCommit { corr, .. }
        | GroupMsg::OffsetCommitResponse { corr, .. }
        | GroupMsg::OffsetFetch { corr, .. }
        | GroupMsg::OffsetFetchResponse { corr, .. }
        | GroupMsg::TxnOffsetCommit { corr, .. }
        | GroupMsg::TxnOffsetCommitResponse { corr, .. } => *corr,
    }
}
