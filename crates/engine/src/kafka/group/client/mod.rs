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
//!
//! This file holds the member's state, the join and the response dispatch; the
//! assignment step is in `assignment`, commits in `commits`, where new partitions start
//! in `positions`, and leaving in `leave`.

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

mod assignment;
mod commits;
mod leave;
mod positions;

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
    /// Send a `commitSync()` again after a retriable error.
    CommitRetry,
}

impl fmt::Display for ClientTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClientTimer::Heartbeat => "heartbeat.interval.ms",
            ClientTimer::AutoCommit => "auto.commit.interval.ms",
            ClientTimer::Retry => "group retry backoff",
            ClientTimer::OffsetFetchRetry => "retry.backoff.ms (unstable offsets)",
            ClientTimer::CommitRetry => "retry.backoff.ms (commitSync)",
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
    /// application loop's `commitSync()`, `sync` for `commitSync` (retried while the
    /// error is retriable) rather than `commitAsync`.
    Commit {
        then_join: bool,
        app: bool,
        sync: bool,
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
    /// A commit waiting to be sent (again), as `(app, sync)`: a `commitSync()` after a
    /// retriable error, or any commit while the coordinator is being looked up.
    commit_retry: Option<(bool, bool)>,
    /// Partitions whose committed offsets to ask for again: a transaction held pending
    /// offsets for some of them (UNSTABLE_OFFSET_COMMIT).
    refetch: Vec<TopicPartition>,
    asked: BTreeMap<u64, Asked>,
    /// The broker each request in `asked` went to (for its request timeout).
    asked_broker: BTreeMap<u64, u32>,
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
            commit_retry: None,
            asked: BTreeMap::new(),
            asked_broker: BTreeMap::new(),
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
    /// FindCoordinator and ListOffsets). Every request times out after `request.timeout.ms`, a JoinGroup after the
    /// rebalance timeout plus 5 s (`AbstractCoordinator.joinGroupTimeoutMs`: it waits for
    /// the whole rebalance); see [`Self::group_request_timed_out`].
    fn ask_group(&mut self, ctx: &mut Ctx<'_>, broker: u32, asked: Asked, msg: KafkaMsg) {
        let timeout = if asked == Asked::Join {
            self.cfg
                .request_timeout_ms
                .max(self.cfg.group.max_poll_interval_ms + 5_000)
        } else {
            self.cfg.request_timeout_ms
        };
        if let Some(g) = self.group.as_mut() {
            let corr = match &msg {
                KafkaMsg::Group(m) => group_corr(m),
                KafkaMsg::ListOffsets { corr, .. } => *corr,
                _ => return,
            };
            g.asked.insert(corr, asked);
            g.asked_broker.insert(corr, broker);
            ctx.set_timer(KafkaTimer::RequestTimeout(corr), timeout);
        }
        self.net.send(ctx, broker, msg);
    }

    /// A response to request `corr` arrived: its timeout stops.
    fn answered(g: &mut GroupClient, ctx: &mut Ctx<'_>, corr: u64) {
        g.asked_broker.remove(&corr);
        ctx.cancel_timer(KafkaTimer::RequestTimeout(corr));
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
                sync: true,
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
                return self.send_commit(ctx, coordinator, offsets, true, false, true);
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

    /// `onJoinPrepare` is committing before it revokes: `poll()` is blocked in that
    /// `commitSync()` and returns no records (the eager protocol then revokes them all).
    pub(crate) fn group_blocks_poll(&self) -> bool {
        self.group.as_ref().is_some_and(|g| {
            g.asking(&Asked::Commit {
                then_join: true,
                app: false,
                sync: true,
            })
        })
    }

    /// A group response.
    pub(crate) fn on_group_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: GroupMsg) {
        let Some(g) = self.group.as_mut() else {
            return;
        };
        let Some(asked) = g.asked.remove(&group_corr(&msg)) else {
            return;
        };
        Self::answered(g, ctx, group_corr(&msg));
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
            (
                Asked::Commit {
                    then_join,
                    app,
                    sync,
                },
                GroupMsg::OffsetCommitResponse { results, .. },
            ) => {
                let error = results.iter().find_map(|(_, e)| *e);
                let retrying = match error {
                    None => {
                        g.commit_error = None;
                        for (tp, _) in &results {
                            if let Some(o) = self.positions.get(tp) {
                                g.committed.insert(tp.clone(), *o);
                            }
                        }
                        false
                    }
                    Some(e) => self.commit_failed(ctx, e, from, sync && !then_join, app),
                };
                if retrying {
                    return;
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
            ClientTimer::CommitRetry => self.retry_commit(ctx),
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
}

/// The next correlation id, from the counter the consumer's fetches and metadata
/// requests also take from (value, then increment: the same rule, so ids never repeat).
fn bump(next: &mut u64) -> u64 {
    let corr = *next;
    *next += 1;
    corr
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
