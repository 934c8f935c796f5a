//! Static membership at the coordinator (KIP-345; apache/kafka 3.8
//! `GroupCoordinator.doStaticNewMemberJoinGroup`, `updateStaticMemberAndRebalance`,
//! `GroupMetadata.replaceStaticMember`).
//!
//! A member with a `group.instance.id` joins without MEMBER_ID_REQUIRED: it gets the
//! member id `<instance id>-<UUID>` at once. When the group already has a member with
//! that instance id (the same application restarted, before its session timed out), the
//! new member id simply replaces the old one, which keeps its assignment:
//! - in a Stable group whose selected protocol would not change, there is no rebalance:
//!   the group is stored with the new member id, and the member gets the current
//!   generation (the leader is told to skip the assignment, JoinGroup v9), then its old
//!   partitions from SyncGroup;
//! - in CompletingRebalance a rebalance starts (the leader may have assigned to the old
//!   member id);
//! - in PreparingRebalance it just joins the rebalance under way.
//!
//! Its old member id is gone: requests that still use it get UNKNOWN_MEMBER_ID. A static
//! member does not send LeaveGroup when it closes, so only its session timeout removes it.

use super::coordinator::{AfterWrite, reply};
use super::messages::{GroupMsg, Subscription};
use super::records;
use super::state::{GroupMember, GroupState, Waiting};
use crate::kafka::broker::Broker;
use crate::sim::effects::Ctx;

/// A static member's JoinGroup without a member id.
pub(super) struct StaticJoin {
    pub(super) instance_id: String,
    pub(super) client_id: String,
    pub(super) session_timeout_ms: u64,
    pub(super) rebalance_timeout_ms: u64,
    pub(super) protocols: Vec<String>,
    pub(super) subscription: Subscription,
    pub(super) reason: String,
    pub(super) waiting: Waiting,
}

impl Broker {
    /// `doStaticNewMemberJoinGroup`: replaces the member with the same instance id, or
    /// adds a new one (with a rebalance).
    pub(super) fn static_new_member_join(&mut self, ctx: &mut Ctx<'_>, group: &str, j: StaticJoin) {
        let new_id = format!("{}-{}", j.instance_id, super::coordinator::java_uuid(ctx));
        let Some(g) = self.group.groups.get_mut(group) else {
            return;
        };
        let old = g
            .members
            .iter()
            .find(|m| m.instance_id.as_deref() == Some(j.instance_id.as_str()))
            .map(|m| m.member_id.clone());
        let Some(old_id) = old else {
            ctx.note(format!(
                "Static member with groupInstanceId={} and unknown member id joins group {group} in {} state. Created a new member id {new_id} for this member and add to the group.",
                j.instance_id,
                g.state.name()
            ));
            let member = GroupMember {
                member_id: new_id,
                instance_id: Some(j.instance_id),
                client_id: j.client_id,
                session_timeout_ms: j.session_timeout_ms,
                rebalance_timeout_ms: j.rebalance_timeout_ms,
                protocols: j.protocols,
                subscription: j.subscription,
                assignment: Vec::new(),
                awaiting_join: Some(j.waiting),
                awaiting_sync: None,
                session_deadline: 0,
                session_timer: 0,
            };
            return self.add_member_and_rebalance(ctx, group, member, &j.reason);
        };
        ctx.note(format!(
            "Static member with groupInstanceId={} and unknown member id joins group {group} in {} state. Replacing previously mapped member {old_id} with this groupInstanceId.",
            j.instance_id,
            g.state.name()
        ));
        // `replaceStaticMember`: the new id takes the old one's place (and leadership).
        let old_timer = g.member(&old_id).map_or(0, |m| m.session_timer);
        if g.leader.as_deref() == Some(old_id.as_str()) {
            g.leader = Some(new_id.clone());
        }
        let state = g.state;
        let protocol = g.protocol.clone();
        if let Some(m) = g.member_mut(&old_id) {
            m.member_id = new_id.clone();
            m.client_id = j.client_id;
            m.protocols = j.protocols;
            m.subscription = j.subscription;
            m.session_timeout_ms = j.session_timeout_ms;
            m.rebalance_timeout_ms = j.rebalance_timeout_ms;
            m.awaiting_join = Some(j.waiting);
        }
        let selected = g.select_protocol();
        self.group.cancel(ctx, old_timer);
        self.refresh_session(ctx, group, &new_id);
        match state {
            GroupState::Stable if selected == protocol => {
                ctx.note("Static member which joins during Stable stage and doesn't affect selectProtocol will not trigger rebalance.");
                let Some(g) = self.group.groups.get(group) else {
                    return;
                };
                let record = records::group_value(g);
                let then = AfterWrite::StaticJoined {
                    group: group.to_string(),
                    member_id: new_id,
                };
                self.write_group_records(ctx, group, vec![record], None, then);
            }
            GroupState::Stable => {
                let why = format!(
                    "Group's selectedProtocol will change because static member {new_id} with instance id {} joined with change of protocol; client reason: {}",
                    j.instance_id, j.reason
                );
                self.maybe_prepare_rebalance(ctx, group, &why);
            }
            GroupState::CompletingRebalance => {
                let why = format!(
                    "Updating metadata for static member {new_id} with instance id {}; client reason: {}",
                    j.instance_id, j.reason
                );
                self.maybe_prepare_rebalance(ctx, group, &why);
            }
            _ => self.try_complete_join(ctx, group),
        }
    }

    /// The group with the replaced member id is stored: the member gets the current
    /// generation (or the write's error, `COORDINATOR_NOT_AVAILABLE` / `NOT_COORDINATOR`,
    /// and must join again).
    pub(super) fn static_member_stored(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        member_id: &str,
        r: Result<(), crate::kafka::messages::KafkaError>,
    ) {
        let Some(g) = self.group.groups.get_mut(group) else {
            return;
        };
        let (generation, protocol, leader) = (
            g.generation,
            g.protocol.clone(),
            g.leader.clone().unwrap_or_default(),
        );
        let is_leader = leader == member_id;
        let members = if is_leader {
            g.joined_members()
        } else {
            Vec::new()
        };
        let Some(w) = g.member_mut(member_id).and_then(|m| m.awaiting_join.take()) else {
            return;
        };
        let resp = match r {
            Err(e) => GroupMsg::JoinGroupResponse {
                corr: w.corr,
                error: Some(e),
                generation,
                protocol,
                leader,
                member_id: String::new(),
                members: Vec::new(),
                skip_assignment: false,
            },
            Ok(()) => GroupMsg::JoinGroupResponse {
                corr: w.corr,
                error: None,
                generation,
                protocol,
                leader,
                member_id: member_id.to_string(),
                members,
                skip_assignment: is_leader,
            },
        };
        reply(ctx, w.conn, resp);
    }
}
