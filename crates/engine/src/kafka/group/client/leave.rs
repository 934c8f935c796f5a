//! Leaving the group (apache/kafka 3.8 `AbstractCoordinator.maybeLeaveGroup`,
//! `handlePollTimeoutExpiry`, `close`) and losing the coordinator's connection.

use super::*;

impl Consumer {
    /// Request `corr` of the group member timed out (true when it was one): like Java's
    /// `NetworkClient`, the consumer closes that connection, and everything in flight on
    /// it fails. Losing the coordinator's connection sends the member back to
    /// FindCoordinator; a lost ListOffsets is asked again.
    pub(crate) fn group_request_timed_out(&mut self, ctx: &mut Ctx<'_>, corr: u64) -> bool {
        let Some(g) = self.group.as_mut() else {
            return false;
        };
        let Some(broker) = g.asked_broker.remove(&corr) else {
            return false;
        };
        ctx.note(format!(
            "Disconnecting from node {broker} due to request timeout (request #{corr})"
        ));
        self.net
            .disconnect(ctx, broker, "Disconnected due to timeout");
        self.group_lost_broker(ctx, broker);
        // Requests to a broker that is not the coordinator (FindCoordinator, ListOffsets)
        // are still in `asked`: they failed too.
        let Some(g) = self.group.as_mut() else {
            return true;
        };
        let gone: Vec<u64> = g
            .asked_broker
            .iter()
            .filter(|(_, b)| **b == broker)
            .map(|(c, _)| *c)
            .chain(std::iter::once(corr))
            .collect();
        let mut reset = false;
        for c in gone {
            g.asked_broker.remove(&c);
            if let Some(a) = g.asked.remove(&c) {
                reset |= matches!(a, Asked::ListOffsets(_));
            }
        }
        if reset {
            let owned = g.owned.clone();
            let missing: Vec<TopicPartition> = owned
                .into_iter()
                .filter(|tp| !self.positions.contains_key(tp))
                .collect();
            for tp in &missing {
                self.metadata.forget(&tp.topic);
            }
            self.reset_positions(ctx, missing);
        }
        self.retry_later(ctx);
        self.lost_broker(ctx, broker);
        true
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
        for corr in std::mem::take(&mut g.asked_broker).into_keys() {
            ctx.cancel_timer(KafkaTimer::RequestTimeout(corr));
        }
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
        // A commit lost with the connection failed with a DisconnectException, which is
        // retriable: a commitSync() sends it again once the coordinator is found again
        // (the application keeps waiting); a commitAsync() reports it and is done.
        for a in lost {
            if let Asked::Commit {
                then_join: false,
                app,
                sync,
            } = a
            {
                self.retriable_commit_failure(ctx, KafkaError::NetworkException, sync, app);
            }
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
    pub(super) fn maybe_leave_group(&mut self, ctx: &mut Ctx<'_>, reason: &str) {
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
