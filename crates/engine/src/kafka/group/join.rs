//! The classic membership protocol at the coordinator (apache/kafka 3.8
//! `GroupCoordinator.handleJoinGroup`, `handleSyncGroup`, `handleHeartbeat`,
//! `handleLeaveGroup`, `onExpireHeartbeat`, `DelayedJoin`, `InitialDelayedJoin`):
//!
//! - A JoinGroup without a member id gets MEMBER_ID_REQUIRED and a new id
//!   (`clientId-UUID`, KIP-394), pending until it joins again with it (or its session
//!   timeout passes).
//! - A member joining, leaving, timing out, or a leader rejoining starts a rebalance
//!   (`prepareRebalance`: PreparingRebalance). The join completes when every member has
//!   rejoined, or when the rebalance timeout (the largest `max.poll.interval.ms`) passes;
//!   members that did not rejoin are removed. An empty group waits
//!   `group.initial.rebalance.delay.ms` (3000) more, again while new members keep coming,
//!   up to the rebalance timeout.
//! - Completing it opens the next generation (`initNextGeneration`): the most voted common
//!   protocol, CompletingRebalance, and every member gets its JoinGroup response; the
//!   leader's lists all members and their subscriptions.
//! - The leader's SyncGroup carries the assignment. It is written to `__consumer_offsets`;
//!   once replicated, every held SyncGroup gets its member's partitions (Stable).
//! - Heartbeats keep a member's session; during a rebalance they answer
//!   REBALANCE_IN_PROGRESS, telling the member to rejoin. An answer with an error does
//!   not refresh the session.
//!
//! Static members joining without a member id are in [`super::static_members`]. Not
//! modelled yet: the pending-sync expiration (`DelayedSync`: a member that never sends
//! SyncGroup), FENCED_INSTANCE_ID for a static member's old member id, and
//! `group.max.size`.

use super::coordinator::{AfterWrite, Deadline, java_uuid, reply};
use super::messages::GroupMsg;
use super::records;
use super::state::{ClassicGroup, GroupMember, GroupState, Waiting};
use super::{GroupChange, TOPIC};
use crate::kafka::broker::Broker;
use crate::kafka::messages::KafkaError;
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;

/// How long a new member may take to rejoin while it waits in a join
/// (`GroupCoordinator.NewMemberJoinTimeoutMs`, 5 minutes).
const NEW_MEMBER_JOIN_TIMEOUT_MS: u64 = 300_000;

fn join_error(corr: u64, member_id: &str, e: KafkaError) -> GroupMsg {
    GroupMsg::JoinGroupResponse {
        corr,
        error: Some(e),
        generation: -1,
        protocol: None,
        leader: String::new(),
        member_id: member_id.to_string(),
        members: Vec::new(),
        skip_assignment: false,
    }
}

impl Broker {
    /// JoinGroup (`handleJoinGroup`, `doNewMemberJoinGroup`, `doCurrentMemberJoinGroup`).
    pub(crate) fn handle_join_group(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, msg: GroupMsg) {
        let GroupMsg::JoinGroup {
            corr,
            group,
            member_id,
            instance_id,
            client_id,
            session_timeout_ms,
            rebalance_timeout_ms,
            protocols,
            subscription,
            reason,
        } = msg
        else {
            return;
        };
        let partition = match self.group_coordinating(&group) {
            Ok(p) => p,
            Err(e) => return reply(ctx, conn, join_error(corr, &member_id, e)),
        };
        let cfg = self.cfg.group.clone();
        if !(cfg.min_session_timeout_ms..=cfg.max_session_timeout_ms).contains(&session_timeout_ms)
        {
            let e = KafkaError::InvalidSessionTimeout;
            return reply(ctx, conn, join_error(corr, &member_id, e));
        }
        let known_group = self.group.groups.contains_key(&group);
        if !known_group && !member_id.is_empty() {
            let e = KafkaError::UnknownMemberId;
            return reply(ctx, conn, join_error(corr, &member_id, e));
        }
        let g = self
            .group
            .groups
            .entry(group.clone())
            .or_insert_with(|| ClassicGroup::new(&group, partition));
        if g.state == GroupState::Dead {
            let e = KafkaError::CoordinatorNotAvailable;
            return reply(ctx, conn, join_error(corr, &member_id, e));
        }
        if !g.supports(&protocols) {
            let e = KafkaError::InconsistentGroupProtocol;
            return reply(ctx, conn, join_error(corr, &member_id, e));
        }
        let waiting = Waiting { conn, corr };
        if member_id.is_empty()
            && let Some(instance_id) = instance_id.clone()
        {
            // A static member gets its member id at once ([`super::static_members`]).
            let join = super::static_members::StaticJoin {
                instance_id,
                client_id,
                session_timeout_ms,
                rebalance_timeout_ms,
                protocols,
                subscription,
                reason,
                waiting,
            };
            return self.static_new_member_join(ctx, &group, join);
        }
        if member_id.is_empty() {
            // KIP-394: hand out a member id and wait for the member to join with it.
            let new_id = format!("{client_id}-{}", java_uuid(ctx));
            let timer = self.group.schedule(
                ctx,
                Deadline::Pending {
                    group: group.clone(),
                    member: new_id.clone(),
                },
                session_timeout_ms,
            );
            if let Some(g) = self.group.groups.get_mut(&group) {
                g.pending.insert(new_id.clone(), timer);
            }
            return reply(
                ctx,
                conn,
                join_error(corr, &new_id, KafkaError::MemberIdRequired),
            );
        }
        if let Some(timer) = g.pending.remove(&member_id) {
            self.group.cancel(ctx, timer);
            let member = GroupMember {
                member_id: member_id.clone(),
                instance_id,
                client_id,
                session_timeout_ms,
                rebalance_timeout_ms,
                protocols,
                subscription,
                assignment: Vec::new(),
                awaiting_join: Some(waiting),
                awaiting_sync: None,
                session_deadline: 0,
                session_timer: 0,
            };
            self.add_member_and_rebalance(ctx, &group, member, &reason);
            return;
        }
        let Some(m) = g.member(&member_id) else {
            let e = KafkaError::UnknownMemberId;
            return reply(ctx, conn, join_error(corr, &member_id, e));
        };
        let same = m.protocols == protocols && m.subscription == subscription;
        let is_leader = g.leader.as_deref() == Some(member_id.as_str());
        match g.state {
            GroupState::Empty | GroupState::Dead => {
                let e = KafkaError::UnknownMemberId;
                reply(ctx, conn, join_error(corr, &member_id, e))
            }
            GroupState::CompletingRebalance | GroupState::Stable
                if same && !(g.state == GroupState::Stable && is_leader) =>
            {
                // The member lost its JoinGroup response: the current generation again.
                let members = if is_leader {
                    g.joined_members()
                } else {
                    Vec::new()
                };
                let resp = GroupMsg::JoinGroupResponse {
                    corr,
                    error: None,
                    generation: g.generation,
                    protocol: g.protocol.clone(),
                    leader: g.leader.clone().unwrap_or_default(),
                    member_id: member_id.clone(),
                    members,
                    skip_assignment: false,
                };
                reply(ctx, conn, resp);
            }
            _ => {
                if let Some(m) = g.member_mut(&member_id) {
                    m.protocols = protocols;
                    m.subscription = subscription;
                    m.session_timeout_ms = session_timeout_ms;
                    m.rebalance_timeout_ms = rebalance_timeout_ms;
                    m.awaiting_join = Some(waiting);
                }
                let why = format!(
                    "Updating metadata for member {member_id} during {}; client reason: {reason}",
                    g.state.name()
                );
                self.maybe_prepare_rebalance(ctx, &group, &why);
                self.try_complete_join(ctx, &group);
            }
        }
    }

    /// `addMemberAndRebalance`: the first member becomes the leader.
    pub(super) fn add_member_and_rebalance(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        mut member: GroupMember,
        reason: &str,
    ) {
        let member_id = member.member_id.clone();
        let instance = member.instance_id.clone();
        member.session_timer = self.group.schedule(
            ctx,
            Deadline::Session {
                group: group.to_string(),
                member: member_id.clone(),
            },
            NEW_MEMBER_JOIN_TIMEOUT_MS,
        );
        member.session_deadline = ctx.now() + NEW_MEMBER_JOIN_TIMEOUT_MS;
        let Some(g) = self.group.groups.get_mut(group) else {
            return;
        };
        if g.state == GroupState::PreparingRebalance && g.generation == 0 {
            g.new_member_added = true;
        }
        if g.leader.is_none() {
            g.leader = Some(member_id.clone());
        }
        g.members.push(member);
        let why = format!(
            "Adding new member {member_id} with group instance id {}; client reason: {reason}",
            instance.map_or("None".to_string(), |i| format!("Some({i})"))
        );
        self.maybe_prepare_rebalance(ctx, group, &why);
        self.try_complete_join(ctx, group);
    }

    /// `maybePrepareRebalance`: from Stable, CompletingRebalance or Empty.
    pub(crate) fn maybe_prepare_rebalance(&mut self, ctx: &mut Ctx<'_>, group: &str, why: &str) {
        let Some(g) = self.group.groups.get(group) else {
            return;
        };
        if matches!(
            g.state,
            GroupState::Stable | GroupState::CompletingRebalance | GroupState::Empty
        ) {
            self.prepare_rebalance(ctx, group, why);
        }
    }

    /// `prepareRebalance`: held SyncGroups get REBALANCE_IN_PROGRESS; a delayed join
    /// starts (the initial one for an empty group).
    fn prepare_rebalance(&mut self, ctx: &mut Ctx<'_>, group: &str, why: &str) {
        let initial_delay = self.cfg.group.initial_rebalance_delay_ms;
        let Some(g) = self.group.groups.get_mut(group) else {
            return;
        };
        if g.state == GroupState::CompletingRebalance {
            for m in &mut g.members {
                if let Some(w) = m.awaiting_sync.take() {
                    let resp = GroupMsg::SyncGroupResponse {
                        corr: w.corr,
                        error: Some(KafkaError::RebalanceInProgress),
                        assignment: Vec::new(),
                    };
                    reply(ctx, w.conn, resp);
                }
            }
        }
        let was_empty = g.state == GroupState::Empty;
        let rebalance_timeout = g.rebalance_timeout_ms();
        ctx.note(format!(
            "Preparing to rebalance group {group} in state {} with old generation {} ({TOPIC}-{}) (reason: {why})",
            GroupState::PreparingRebalance.name(),
            g.generation,
            g.partition
        ));
        g.state = GroupState::PreparingRebalance;
        let old = g.join_timer.take();
        let (delay, limit) = if was_empty {
            (
                initial_delay.min(rebalance_timeout.max(1)),
                rebalance_timeout.saturating_sub(initial_delay),
            )
        } else {
            (rebalance_timeout, 0)
        };
        g.join_limit = limit;
        g.new_member_added = false;
        ctx.change(GroupChange::Rebalancing {
            group: group.to_string(),
            generation: g.generation,
            reason: why.to_string(),
        });
        if let Some(t) = old {
            self.group.cancel(ctx, t);
        }
        self.schedule_join_deadline(ctx, group, delay);
        if let Some(g) = self.group.groups.get_mut(group) {
            g.initial_join = was_empty;
        }
    }

    /// Arms the group's delayed-join timer (`DelayedJoin` / `InitialDelayedJoin`).
    fn schedule_join_deadline(&mut self, ctx: &mut Ctx<'_>, group: &str, delay: u64) {
        let t = self.group.schedule(
            ctx,
            Deadline::Join {
                group: group.to_string(),
            },
            delay,
        );
        if let Some(g) = self.group.groups.get_mut(group) {
            g.join_timer = Some(t);
        }
    }

    /// `DelayedJoin.tryComplete`: completes the join once every member has rejoined (an
    /// initial delayed join only completes on its timer).
    pub(crate) fn try_complete_join(&mut self, ctx: &mut Ctx<'_>, group: &str) {
        let Some(g) = self.group.groups.get(group) else {
            return;
        };
        if g.state == GroupState::PreparingRebalance && !g.initial_join && g.all_joined() {
            if let Some(t) = g.join_timer {
                self.group.cancel(ctx, t);
            }
            self.complete_join(ctx, group);
        }
    }

    /// The delayed join's timer: an initial delay extends while new members came (up to
    /// the rebalance timeout), else the join completes (`onCompleteJoin`).
    pub(crate) fn on_join_deadline(&mut self, ctx: &mut Ctx<'_>, group: &str) {
        let initial_delay = self.cfg.group.initial_rebalance_delay_ms;
        let Some(g) = self.group.groups.get_mut(group) else {
            return;
        };
        g.join_timer = None;
        if g.initial_join && g.new_member_added && g.join_limit > 0 {
            let delay = initial_delay.min(g.join_limit);
            g.join_limit -= delay;
            g.new_member_added = false;
            self.schedule_join_deadline(ctx, group, delay);
            return;
        }
        self.complete_join(ctx, group);
    }

    /// `onCompleteJoin`: members that did not rejoin are removed; the next generation
    /// opens (`initNextGeneration`) and every member gets its JoinGroup response.
    fn complete_join(&mut self, ctx: &mut Ctx<'_>, group: &str) {
        let Some(g) = self.group.groups.get_mut(group) else {
            return;
        };
        g.join_timer = None;
        g.initial_join = false;
        let gone: Vec<(String, u64)> = g
            .members
            .iter()
            .filter(|m| m.awaiting_join.is_none() && m.instance_id.is_none())
            .map(|m| (m.member_id.clone(), m.session_timer))
            .collect();
        for (m, _) in &gone {
            g.remove(m);
            ctx.change(GroupChange::MemberRemoved {
                group: group.to_string(),
                member: m.clone(),
                reason: "did not rejoin before the rebalance timeout".into(),
            });
        }
        if !gone.is_empty() {
            let names: Vec<&str> = gone.iter().map(|(m, _)| m.as_str()).collect();
            ctx.note(format!(
                "Group {group} removed dynamic members who haven't joined: Set({})",
                names.join(", ")
            ));
        }
        for (_, timer) in &gone {
            self.group.cancel(ctx, *timer);
        }
        let Some(g) = self.group.groups.get_mut(group) else {
            return;
        };
        g.generation += 1;
        if g.members.is_empty() {
            g.protocol = None;
            g.leader = None;
            g.state = GroupState::Empty;
            ctx.note(format!(
                "Group {group} with generation {} is now empty ({TOPIC}-{})",
                g.generation, g.partition
            ));
            let record = records::group_value(g);
            self.write_group_records(ctx, group, vec![record], None, AfterWrite::Nothing);
            return;
        }
        g.protocol = g.select_protocol();
        g.state = GroupState::CompletingRebalance;
        ctx.note(format!(
            "Stabilized group {group} generation {} ({TOPIC}-{}) with {} members",
            g.generation,
            g.partition,
            g.members.len()
        ));
        ctx.change(GroupChange::Joined {
            group: group.to_string(),
            generation: g.generation,
            protocol: g.protocol.clone().unwrap_or_default(),
            leader: g.leader.clone().unwrap_or_default(),
            members: g.members.iter().map(|m| m.member_id.clone()).collect(),
        });
        let all = g.joined_members();
        let (generation, protocol, leader) = (
            g.generation,
            g.protocol.clone(),
            g.leader.clone().unwrap_or_default(),
        );
        let mut answers = Vec::new();
        for m in &mut g.members {
            if let Some(w) = m.awaiting_join.take() {
                let members = if m.member_id == leader {
                    all.clone()
                } else {
                    Vec::new()
                };
                answers.push((
                    w.conn,
                    GroupMsg::JoinGroupResponse {
                        corr: w.corr,
                        error: None,
                        generation,
                        protocol: protocol.clone(),
                        leader: leader.clone(),
                        member_id: m.member_id.clone(),
                        members,
                        skip_assignment: false,
                    },
                ));
            }
        }
        let ids: Vec<String> = g.members.iter().map(|m| m.member_id.clone()).collect();
        for (conn, msg) in answers {
            reply(ctx, conn, msg);
        }
        for id in ids {
            self.refresh_session(ctx, group, &id);
        }
    }

    /// `completeAndScheduleNextHeartbeatExpiration`: the member's session starts again.
    pub(crate) fn refresh_session(&mut self, ctx: &mut Ctx<'_>, group: &str, member: &str) {
        let Some(m) = self.group.groups.get(group).and_then(|g| g.member(member)) else {
            return;
        };
        let (old, timeout) = (m.session_timer, m.session_timeout_ms);
        self.group.cancel(ctx, old);
        let t = self.group.schedule(
            ctx,
            Deadline::Session {
                group: group.to_string(),
                member: member.to_string(),
            },
            timeout,
        );
        let now = ctx.now();
        if let Some(m) = self
            .group
            .groups
            .get_mut(group)
            .and_then(|g| g.member_mut(member))
        {
            m.session_timer = t;
            m.session_deadline = now + timeout;
        }
    }

    /// SyncGroup (`handleSyncGroup`, `doSyncGroup`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_sync_group(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        corr: u64,
        group: &str,
        generation: i32,
        member_id: &str,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    ) {
        let fail = |ctx: &mut Ctx<'_>, e: KafkaError| {
            let resp = GroupMsg::SyncGroupResponse {
                corr,
                error: Some(e),
                assignment: Vec::new(),
            };
            reply(ctx, conn, resp);
        };
        if let Err(e) = self.group_coordinating(group) {
            // A coordinator still loading answers a SyncGroup REBALANCE_IN_PROGRESS.
            let e = match e {
                KafkaError::CoordinatorLoadInProgress => KafkaError::RebalanceInProgress,
                e => e,
            };
            return fail(ctx, e);
        }
        let Some(g) = self.group.groups.get_mut(group) else {
            return fail(ctx, KafkaError::UnknownMemberId);
        };
        if g.state == GroupState::Dead {
            return fail(ctx, KafkaError::CoordinatorNotAvailable);
        }
        if g.member(member_id).is_none() {
            return fail(ctx, KafkaError::UnknownMemberId);
        }
        if generation != g.generation {
            return fail(ctx, KafkaError::IllegalGeneration);
        }
        match g.state {
            GroupState::Empty | GroupState::Dead => fail(ctx, KafkaError::UnknownMemberId),
            GroupState::PreparingRebalance => fail(ctx, KafkaError::RebalanceInProgress),
            GroupState::Stable => {
                let assignment = g
                    .member(member_id)
                    .map(|m| m.assignment.clone())
                    .unwrap_or_default();
                let resp = GroupMsg::SyncGroupResponse {
                    corr,
                    error: None,
                    assignment,
                };
                reply(ctx, conn, resp);
                self.refresh_session(ctx, group, member_id);
            }
            GroupState::CompletingRebalance => {
                if let Some(m) = g.member_mut(member_id) {
                    m.awaiting_sync = Some(Waiting { conn, corr });
                }
                if g.leader.as_deref() != Some(member_id) {
                    return;
                }
                ctx.note(format!(
                    "Assignment received from leader {member_id} for group {group} for generation {generation}. The group has {} members, {} of which are static.",
                    g.members.len(),
                    g.members.iter().filter(|m| m.instance_id.is_some()).count()
                ));
                // Members the leader left out get nothing.
                let mut full: Vec<(String, Vec<TopicPartition>)> = g
                    .members
                    .iter()
                    .map(|m| {
                        let mine = assignments
                            .iter()
                            .find(|(id, _)| *id == m.member_id)
                            .map(|(_, tps)| tps.clone())
                            .unwrap_or_default();
                        (m.member_id.clone(), mine)
                    })
                    .collect();
                full.sort();
                let mut snapshot = g.clone();
                for (id, tps) in &full {
                    if let Some(m) = snapshot.member_mut(id) {
                        m.assignment = tps.clone();
                    }
                }
                let record = records::group_value(&snapshot);
                let then = AfterWrite::Assignment {
                    group: group.to_string(),
                    generation,
                    assignments: full,
                };
                self.write_group_records(ctx, group, vec![record], None, then);
            }
        }
    }

    /// The leader's assignment is stored (or could not be): hand it out and become
    /// Stable, or fail the held SyncGroups and rebalance again.
    pub(crate) fn assignment_stored(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        generation: i32,
        assignments: Vec<(String, Vec<TopicPartition>)>,
        result: Result<(), KafkaError>,
    ) {
        let Some(g) = self.group.groups.get_mut(group) else {
            return;
        };
        if g.state != GroupState::CompletingRebalance || g.generation != generation {
            return;
        }
        if let Err(e) = result {
            for m in &mut g.members {
                if let Some(w) = m.awaiting_sync.take() {
                    let resp = GroupMsg::SyncGroupResponse {
                        corr: w.corr,
                        error: Some(e),
                        assignment: Vec::new(),
                    };
                    reply(ctx, w.conn, resp);
                }
            }
            let why = "Error when storing group assignment during SyncGroup".to_string();
            self.maybe_prepare_rebalance(ctx, group, &why);
            return;
        }
        let mut answers = Vec::new();
        for m in &mut g.members {
            if let Some((_, tps)) = assignments.iter().find(|(id, _)| *id == m.member_id) {
                m.assignment = tps.clone();
            }
            if let Some(w) = m.awaiting_sync.take() {
                answers.push((
                    w.conn,
                    GroupMsg::SyncGroupResponse {
                        corr: w.corr,
                        error: None,
                        assignment: m.assignment.clone(),
                    },
                ));
            }
        }
        g.state = GroupState::Stable;
        let ids: Vec<String> = g.members.iter().map(|m| m.member_id.clone()).collect();
        ctx.change(GroupChange::Stable {
            group: group.to_string(),
            generation,
            assignment: assignments,
        });
        for (conn, msg) in answers {
            reply(ctx, conn, msg);
        }
        for id in ids {
            self.refresh_session(ctx, group, &id);
        }
    }

    /// Heartbeat (`handleHeartbeat`). A heartbeat that is answered refreshes the session.
    pub(crate) fn handle_heartbeat(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        generation: i32,
        member_id: &str,
    ) -> Option<KafkaError> {
        match self.group_coordinating(group) {
            // A coordinator still loading answers a heartbeat with no error.
            Err(KafkaError::CoordinatorLoadInProgress) => return None,
            Err(e) => return Some(e),
            Ok(_) => {}
        }
        let Some(g) = self.group.groups.get(group) else {
            return Some(KafkaError::UnknownMemberId);
        };
        let error = match g.state {
            GroupState::Dead => Some(KafkaError::CoordinatorNotAvailable),
            _ if g.member(member_id).is_none() => Some(KafkaError::UnknownMemberId),
            GroupState::Empty => Some(KafkaError::UnknownMemberId),
            _ if generation != g.generation => Some(KafkaError::IllegalGeneration),
            GroupState::PreparingRebalance => Some(KafkaError::RebalanceInProgress),
            GroupState::CompletingRebalance | GroupState::Stable => None,
        };
        if matches!(error, None | Some(KafkaError::RebalanceInProgress)) {
            self.refresh_session(ctx, group, member_id);
        }
        error
    }

    /// LeaveGroup (`handleLeaveGroup`): the member is removed and the group rebalances.
    pub(crate) fn handle_leave_group(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        member_id: &str,
        reason: &str,
    ) -> Option<KafkaError> {
        if let Err(e) = self.group_coordinating(group) {
            return Some(e);
        }
        let g = self.group.groups.get_mut(group)?;
        if let Some(timer) = g.pending.remove(member_id) {
            self.group.cancel(ctx, timer);
            self.try_complete_join(ctx, group);
            return None;
        }
        if g.member(member_id).is_none() {
            return Some(KafkaError::UnknownMemberId);
        }
        ctx.note(format!(
            "Member {member_id} has left group {group} through explicit `LeaveGroup`; client reason: {reason}"
        ));
        let why = format!("Removing member {member_id} on LeaveGroup; client reason: {reason}");
        self.remove_member_and_update_group(ctx, group, member_id, &why);
        None
    }

    /// `removeMemberAndUpdateGroup`: a waiting JoinGroup gets UNKNOWN_MEMBER_ID; a Stable
    /// or CompletingRebalance group rebalances, a PreparingRebalance one may now complete.
    pub(crate) fn remove_member_and_update_group(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        member_id: &str,
        why: &str,
    ) {
        let Some(g) = self.group.groups.get_mut(group) else {
            return;
        };
        let Some(m) = g.remove(member_id) else {
            return;
        };
        if let Some(w) = m.awaiting_join {
            reply(
                ctx,
                w.conn,
                join_error(w.corr, member_id, KafkaError::UnknownMemberId),
            );
        }
        ctx.change(GroupChange::MemberRemoved {
            group: group.to_string(),
            member: member_id.to_string(),
            reason: why.to_string(),
        });
        self.group.cancel(ctx, m.session_timer);
        let state = self.group.groups.get(group).map(|g| g.state);
        match state {
            Some(GroupState::Stable | GroupState::CompletingRebalance) => {
                self.maybe_prepare_rebalance(ctx, group, why)
            }
            Some(GroupState::PreparingRebalance) => self.try_complete_join(ctx, group),
            _ => {}
        }
    }

    /// A group deadline fired.
    pub(crate) fn on_group_deadline(&mut self, ctx: &mut Ctx<'_>, n: u64) {
        let Some(d) = self.group.deadlines.remove(&n) else {
            return;
        };
        match d {
            Deadline::Join { group } => self.on_join_deadline(ctx, &group),
            Deadline::Pending { group, member } => {
                if let Some(g) = self.group.groups.get_mut(&group)
                    && g.pending.remove(&member).is_some()
                {
                    ctx.note(format!(
                        "Pending member {member} in group {group} has been removed after session timeout expiration."
                    ));
                    self.try_complete_join(ctx, &group);
                }
            }
            Deadline::Session { group, member } => {
                let current = self
                    .group
                    .groups
                    .get(&group)
                    .and_then(|g| g.member(&member))
                    .is_some_and(|m| m.session_timer == n);
                if current {
                    ctx.note(format!(
                        "Member {member} in group {group} has failed, removing it from the group"
                    ));
                    let why = format!("removing member {member} on heartbeat expiration");
                    self.remove_member_and_update_group(ctx, &group, &member, &why);
                }
            }
        }
    }
}
