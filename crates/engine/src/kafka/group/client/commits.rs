//! Offset commits from the group member (apache/kafka 3.8 `ConsumerCoordinator.
//! commitOffsetsSync`, `maybeAutoCommitOffsetsAsync`, `sendOffsetCommitRequest` and the
//! OffsetCommit response handler): commits go out only in a stable generation
//! (`generationIfStable`), and a refusal for the member or generation is a
//! `CommitFailedException`.

use super::*;

impl Consumer {
    pub(super) fn send_commit(
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

    /// A commit refused: `CommitFailedException` for a member no longer in the
    /// generation, `RebalanceInProgressException` during a rebalance.
    pub(super) fn commit_failed(&mut self, ctx: &mut Ctx<'_>, e: KafkaError, from: u32) {
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
    pub(super) fn report_commit_failure(
        &mut self,
        ctx: &mut Ctx<'_>,
        text: &str,
        error: KafkaError,
    ) {
        ctx.note(format!("Offset commit failed: {text}"));
        ctx.change(GroupChange::CommitFailed {
            error: error.name().to_string(),
        });
        if let Some(g) = self.group.as_mut() {
            g.commit_error = Some(error.name().to_string());
        }
    }
}
