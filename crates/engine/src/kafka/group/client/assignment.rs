//! The assignment step of a rebalance on the member's side (apache/kafka 3.8
//! `ConsumerCoordinator.onLeaderElected`, `onJoinComplete`): the leader runs the assignor
//! once it knows every subscribed topic's partitions and sends SyncGroup; every member
//! takes its partitions from the SyncGroup response, revoking what it lost (cooperative:
//! and rejoining) and looking up where each new partition starts.

use super::*;

impl Consumer {
    /// The leader runs the assignor once it knows every subscribed topic's partitions.
    pub(super) fn lead(&mut self, ctx: &mut Ctx<'_>) {
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

    pub(super) fn send_sync(
        &mut self,
        ctx: &mut Ctx<'_>,
        assignments: Vec<(String, Vec<TopicPartition>)>,
    ) {
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
    pub(super) fn on_assignment(&mut self, ctx: &mut Ctx<'_>, assignment: Vec<TopicPartition>) {
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
}
