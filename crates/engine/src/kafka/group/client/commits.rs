//! Offset commits from the group member (apache/kafka 3.8 `ConsumerCoordinator.
//! commitOffsetsSync`, `maybeAutoCommitOffsetsAsync`, `sendOffsetCommitRequest` and the
//! OffsetCommit response handler): commits go out only in a stable generation
//! (`generationIfStable`), and a refusal for the member or generation is a
//! `CommitFailedException`.
//!
//! `commitSync` (the `commit` command, the application loop's commits, `onJoinPrepare`)
//! retries a retriable error after `retry.backoff.ms`, looking the coordinator up again
//! for NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE and REQUEST_TIMED_OUT, until it
//! succeeds (`commitOffsetsSync`; Java gives up after `default.api.timeout.ms`, 60 s,
//! which the engine does not model). `commitAsync` (the `commit async` command, the
//! `after-processing-async` loop, auto-commit) sends once: a retriable error reaches
//! the callback as `RetriableCommitFailedException` and nothing is retried
//! (`commitOffsetsAsync`, `DefaultOffsetCommitCallback` logs it). `onJoinPrepare`'s
//! commit is not retried here either: the join goes on, as when its timer runs out.

use super::*;

impl Consumer {
    pub(super) fn send_commit(
        &mut self,
        ctx: &mut Ctx<'_>,
        coordinator: u32,
        offsets: Vec<(TopicPartition, u64)>,
        then_join: bool,
        app: bool,
        sync: bool,
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
        let asked = Asked::Commit {
            then_join,
            app,
            sync,
        };
        self.ask_group(ctx, coordinator, asked, msg);
    }

    /// `commitSync()` of the consumed positions, as a command.
    pub fn commit(&mut self, ctx: &mut Ctx<'_>) {
        self.commit_positions(ctx, false);
    }

    /// `commitAsync()` of the consumed positions: sent once, not waited for.
    pub fn commit_async(&mut self, ctx: &mut Ctx<'_>) {
        self.commit_with(ctx, false, false);
    }

    /// The auto-commit (`maybeAutoCommitOffsetsAsync`): only in a stable generation.
    pub(crate) fn auto_commit(&mut self, ctx: &mut Ctx<'_>) {
        if self
            .group
            .as_ref()
            .is_some_and(|g| g.state == MemberState::Stable)
        {
            self.commit_with(ctx, false, false);
        }
    }

    /// Sends OffsetCommit for the owned partitions' positions; `app` for the
    /// application loop's `commitSync()`. Returns false when nothing was sent. Outside a
    /// stable generation the commit fails at once (`sendOffsetCommitRequest`:
    /// `generationIfStable()` is null).
    pub(crate) fn commit_positions(&mut self, ctx: &mut Ctx<'_>, app: bool) -> bool {
        self.commit_with(ctx, app, true)
    }

    /// [`Self::commit_positions`] as `commitSync` (`sync`) or `commitAsync`.
    pub(crate) fn commit_with(&mut self, ctx: &mut Ctx<'_>, app: bool, sync: bool) -> bool {
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
            // `coordinatorUnknownAndUnreadySync` / `lookupCoordinator`: the commit goes
            // out once the coordinator is found.
            self.group_poll(ctx);
            self.commit_later(ctx, app, sync);
            return true;
        };
        let offsets: Vec<(TopicPartition, u64)> = g
            .owned
            .iter()
            .filter_map(|tp| self.positions.get(tp).map(|o| (tp.clone(), *o)))
            .collect();
        if offsets.is_empty() {
            return false;
        }
        self.send_commit(ctx, c, offsets, false, app, sync);
        true
    }

    /// The retry of a `commitSync()`: sent once the coordinator is known again.
    pub(super) fn retry_commit(&mut self, ctx: &mut Ctx<'_>) {
        let Some(g) = self.group.as_mut() else {
            return;
        };
        let Some((app, sync)) = g.commit_retry else {
            return;
        };
        if g.coordinator.is_none() {
            self.group_poll(ctx);
            self.commit_later(ctx, app, sync);
            return;
        }
        g.commit_retry = None;
        if !self.commit_with(ctx, app, sync) && app {
            self.app_committed(ctx);
        }
    }

    /// A commit refused: `CommitFailedException` for a member no longer in the
    /// generation, `RebalanceInProgressException` during a rebalance. A retriable error
    /// makes a `commitSync` (`retry`) send again after `retry.backoff.ms` (returns true:
    /// the caller still waits) and a `commitAsync` report `RetriableCommitFailedException`.
    pub(super) fn commit_failed(
        &mut self,
        ctx: &mut Ctx<'_>,
        e: KafkaError,
        from: u32,
        retry: bool,
        app: bool,
    ) -> bool {
        let coordinator_moved = matches!(
            e,
            KafkaError::NotCoordinator
                | KafkaError::CoordinatorNotAvailable
                | KafkaError::RequestTimedOut
        );
        let retriable = coordinator_moved || e == KafkaError::CoordinatorLoadInProgress;
        if retriable {
            if coordinator_moved && let Some(g) = self.group.as_mut() {
                ctx.note(format!(
                    "Group coordinator broker{from} is unavailable or invalid due to cause: {e}. isDisconnected: false. Rediscovery will be attempted."
                ));
                g.coordinator = None;
            }
            if retry {
                ctx.note(format!(
                    "Offset commit failed ({e}): commitSync retries after retry.backoff.ms"
                ));
            }
            return self.retriable_commit_failure(ctx, e, retry, app);
        }
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
        }
        false
    }

    /// Sends commit `(app, sync)` after `retry.backoff.ms` ([`Self::retry_commit`]).
    fn commit_later(&mut self, ctx: &mut Ctx<'_>, app: bool, sync: bool) {
        if let Some(g) = self.group.as_mut() {
            g.commit_retry = Some((app, sync));
        }
        ctx.set_timer(
            KafkaTimer::ConsumerGroup(ClientTimer::CommitRetry),
            self.cfg.retry_backoff_ms,
        );
    }

    /// A commit failed with retriable `e` (an error answer, or a lost connection): a
    /// `commitSync()` (`sync`) goes out again later and its caller keeps waiting (true);
    /// a `commitAsync()` reaches its callback as `RetriableCommitFailedException`.
    pub(super) fn retriable_commit_failure(
        &mut self,
        ctx: &mut Ctx<'_>,
        e: KafkaError,
        sync: bool,
        app: bool,
    ) -> bool {
        if sync {
            self.commit_later(ctx, app, true);
            return true;
        }
        let text = "RetriableCommitFailedException: Offset commit failed with a retriable exception. You should retry committing the latest consumed offsets.";
        self.report_commit_failure(ctx, text, e);
        false
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
