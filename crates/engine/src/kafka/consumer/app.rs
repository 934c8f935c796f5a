//! The application around a consumer: the poll loop every Kafka consumer program runs.
//!
//! ```text
//! while (true) {
//!     records = consumer.poll(timeout);      // auto-commit and (re)join happen in here
//!     [commitSync()]                        // commit-mode before-processing: at most once
//!     for (r : records) process(r);         // processing: N ms per record
//!     [commitSync()]                        // commit-mode after-processing: at least once
//!     [commitAsync()]                       // commit-mode after-processing-async
//! }
//! ```
//!
//! What the real client does in `poll()` (apache/kafka 3.8 `KafkaConsumer.poll`,
//! `ConsumerCoordinator.poll`, `Fetcher.collectFetch`):
//! - it runs a due auto-commit (`maybeAutoCommitOffsetsAsync`) and joins the group when a
//!   rebalance is needed, so a rebalance only proceeds while the application is inside
//!   `poll()`; the positions it commits are those of records earlier polls returned;
//! - it returns at most `max.poll.records` (500) buffered records and moves each
//!   partition's position past them; a partition with buffered records is not fetched;
//! - it resets the poll timer. The heartbeat thread (KIP-62) keeps beating while the
//!   application processes, but when `max.poll.interval.ms` passes without a `poll()` it
//!   logs "consumer poll timeout has expired..." and leaves the group
//!   (`AbstractCoordinator.handlePollTimeoutExpiry`, `maybeLeaveGroup`): a dynamic member
//!   sends LeaveGroup, and either kind resets its generation and member id. The
//!   application's next `commitSync()` then fails with `CommitFailedException`
//!   (`ConsumerCoordinator.sendOffsetCommitRequest`, `generationIfStable() == null`).
//!
//! Every processed record goes to the [`super::ledger::Ledger`]. A consume-transform-produce
//! application ([`super::eos`]) wraps each poll's records in a transaction instead.

use super::Consumer;
use crate::kafka::messages::{KafkaChange, KafkaTimer};
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Ctx;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::fmt;

/// Where the application calls `commitSync()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommitMode {
    /// Never itself: `enable.auto.commit` decides (at least once, with duplicates after a
    /// crash up to `auto.commit.interval.ms` of records).
    #[default]
    Off,
    /// Right after `poll()` returns, before processing: at most once.
    BeforeProcessing,
    /// After processing what `poll()` returned: at least once.
    AfterProcessing,
    /// `commitAsync()` after processing, and straight back to `poll()`: at least once,
    /// and a failed commit is not retried (the next one covers it).
    AfterProcessingAsync,
}

impl CommitMode {
    /// The command's word.
    pub fn name(self) -> &'static str {
        match self {
            CommitMode::Off => "off",
            CommitMode::BeforeProcessing => "before-processing",
            CommitMode::AfterProcessing => "after-processing",
            CommitMode::AfterProcessingAsync => "after-processing-async",
        }
    }

    /// Reads a command's word.
    pub fn parse(s: &str) -> Option<CommitMode> {
        [
            CommitMode::Off,
            CommitMode::BeforeProcessing,
            CommitMode::AfterProcessing,
            CommitMode::AfterProcessingAsync,
        ]
        .into_iter()
        .find(|m| m.name() == s)
    }
}

/// The application's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AppTimer {
    /// The record in hand is processed.
    ProcessNext,
    /// `max.poll.interval.ms` passed since the last `poll()` (the heartbeat thread's check).
    PollTimeout,
}

impl fmt::Display for AppTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AppTimer::ProcessNext => "record processing",
            AppTimer::PollTimeout => "max.poll.interval.ms",
        })
    }
}

/// What the application thread is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Phase {
    /// Inside `poll()`, waiting for records.
    Polling,
    /// Processing what `poll()` returned.
    Processing,
    /// In `commitSync()`; then it processes (`true`) or polls again (`false`).
    Committing {
        /// Processing comes next.
        then_process: bool,
    },
}

/// The application loop's settings and state.
#[derive(Clone, Debug, Default)]
pub struct AppLoop {
    /// Processing time per record (ms); 0 processes a whole poll at once.
    pub processing_ms: u64,
    /// Where it calls `commitSync()`.
    pub commit_mode: CommitMode,
    pub(crate) phase: Option<Phase>,
    /// The consume-transform-produce part, if the application is one ([`super::eos`]).
    pub eos: Option<Box<super::eos::Eos>>,
    /// Records `poll()` returned that are not processed yet.
    in_hand: VecDeque<(TopicPartition, super::ConsumedRecord)>,
    /// An auto-commit came due while the application was away from `poll()`.
    auto_commit_due: bool,
    /// A rejoin waits for the application's next `poll()`.
    pub(crate) group_deferred: bool,
    /// The poll timer (`max.poll.interval.ms`) runs.
    poll_timer: bool,
}

impl AppLoop {
    /// What the application does now.
    pub fn phase(&self) -> Phase {
        self.phase.unwrap_or(Phase::Polling)
    }

    /// Records returned by `poll()` and not processed yet.
    pub fn in_hand(&self) -> usize {
        self.in_hand.len()
    }

    /// The settings only, for a restarted process.
    pub(crate) fn restarted(&self) -> AppLoop {
        AppLoop {
            processing_ms: self.processing_ms,
            commit_mode: self.commit_mode,
            eos: self.eos.as_ref().map(|e| Box::new(e.restarted())),
            ..AppLoop::default()
        }
    }

    /// Drops the records in hand (a rewind).
    pub(crate) fn clear_in_hand(&mut self) {
        self.in_hand.clear();
    }
}

impl Consumer {
    /// The application is away from `poll()`.
    pub(crate) fn app_busy(&self) -> bool {
        self.app.phase() != Phase::Polling
    }

    /// `poll()`: a due auto-commit, a deferred rejoin, then up to `max.poll.records`
    /// buffered records handed to the application. Sends no fetch itself.
    pub(crate) fn app_poll(&mut self, ctx: &mut Ctx<'_>) {
        if self.app_busy() {
            return;
        }
        if std::mem::take(&mut self.app.poll_timer) {
            ctx.cancel_timer(KafkaTimer::ConsumerApp(AppTimer::PollTimeout));
        }
        if std::mem::take(&mut self.app.auto_commit_due) {
            self.auto_commit(ctx);
        }
        if std::mem::take(&mut self.app.group_deferred) {
            self.group_poll(ctx);
        }
        if self.group_blocks_poll() || self.eos_blocks_poll() {
            return;
        }
        let batch = self.drain(self.cfg.max_poll_records.max(1) as usize);
        if batch.is_empty() {
            return;
        }
        self.app.in_hand = batch.into();
        self.eos_begin(ctx);
        if self.app.commit_mode == CommitMode::BeforeProcessing && self.group.is_some() {
            self.app_commit_sync(ctx, true);
        } else {
            self.app_process(ctx);
        }
    }

    /// Takes up to `max` buffered records, moving positions past them.
    fn drain(&mut self, max: usize) -> Vec<(TopicPartition, super::ConsumedRecord)> {
        let mut batch = Vec::new();
        for (tp, buf) in self.fetched.iter_mut() {
            while batch.len() < max {
                let Some(r) = buf.records.pop_front() else {
                    break;
                };
                self.positions.insert(tp.clone(), r.offset + 1);
                batch.push((tp.clone(), r));
            }
            if buf.records.is_empty()
                && let Some(pos) = self.positions.get_mut(tp)
            {
                *pos = (*pos).max(buf.next);
            }
        }
        self.fetched.retain(|_, b| !b.records.is_empty());
        batch
    }

    /// Processes the records in hand: all at once without a processing time, else one
    /// record per `processing_ms`.
    fn app_process(&mut self, ctx: &mut Ctx<'_>) {
        if self.app.processing_ms == 0 {
            let batch: Vec<_> = std::mem::take(&mut self.app.in_hand).into();
            let mut i = 0;
            while i < batch.len() {
                let tp = batch[i].0.clone();
                let first_offset = batch[i].1.offset;
                let mut count = 0;
                while i < batch.len() && batch[i].0 == tp {
                    self.processed(ctx, &tp, batch[i].1.clone());
                    count += 1;
                    i += 1;
                }
                ctx.change(KafkaChange::Consumed {
                    tp,
                    first_offset,
                    count,
                });
            }
            return self.app_batch_done(ctx);
        }
        self.app.phase = Some(Phase::Processing);
        self.arm_poll_timer(ctx);
        ctx.set_timer(
            KafkaTimer::ConsumerApp(AppTimer::ProcessNext),
            self.app.processing_ms,
        );
        // The fetcher keeps fetching while the application works.
        self.poll_fetches(ctx);
    }

    fn processed(&mut self, ctx: &mut Ctx<'_>, tp: &TopicPartition, r: super::ConsumedRecord) {
        self.ledger.record(tp, r.offset, r.value.clone());
        self.eos_processed(ctx, tp, &r);
        self.console_print(ctx, &r);
        self.consumed.entry(tp.clone()).or_default().push(r);
    }

    /// A `kafka-console-consumer` prints the record; after `--max-messages` it reports
    /// the count, commits (with auto-commit) and exits (its close sends LeaveGroup).
    fn console_print(&mut self, ctx: &mut Ctx<'_>, r: &super::ConsumedRecord) {
        let Some(out) = self.console.as_mut() else {
            return;
        };
        if out.max_messages.is_some_and(|m| out.count >= m) {
            return;
        }
        out.count += 1;
        let mut lines = vec![out.line(r.key.as_deref(), r.value.as_deref())];
        let done = out.max_messages.is_some_and(|m| out.count >= m);
        if done {
            lines.push(format!("Processed a total of {} messages", out.count));
        }
        ctx.change(KafkaChange::ToolOutput { lines });
        if done {
            if self.cfg.group.auto_commit {
                self.commit_positions(ctx, false);
            }
            ctx.exit("kafka-console-consumer reached --max-messages");
        }
    }

    /// The batch is processed: commit (after-processing, or the transaction) or poll
    /// again.
    fn app_batch_done(&mut self, ctx: &mut Ctx<'_>) {
        if self.eos_batch_done(ctx) {
            return;
        }
        if self.app.commit_mode == CommitMode::AfterProcessing && self.group.is_some() {
            return self.app_commit_sync(ctx, false);
        }
        if self.app.commit_mode == CommitMode::AfterProcessingAsync && self.group.is_some() {
            self.commit_with(ctx, false, false);
        }
        self.app.phase = Some(Phase::Polling);
        self.app_poll(ctx);
    }

    /// `commitSync()` of the positions; the loop goes on when it returns.
    fn app_commit_sync(&mut self, ctx: &mut Ctx<'_>, then_process: bool) {
        self.app.phase = Some(Phase::Committing { then_process });
        self.arm_poll_timer(ctx);
        if !self.commit_positions(ctx, true) {
            self.app_committed(ctx);
        }
    }

    /// The application's `commitSync()` returned (or threw): it goes on.
    pub(crate) fn app_committed(&mut self, ctx: &mut Ctx<'_>) {
        match self.app.phase() {
            Phase::Committing { then_process: true } => self.app_process(ctx),
            Phase::Committing {
                then_process: false,
            } => {
                self.app.phase = Some(Phase::Polling);
                self.app_poll(ctx);
                self.poll_fetches(ctx);
            }
            _ => {}
        }
    }

    /// The application left `poll()`: the heartbeat thread watches `max.poll.interval.ms`.
    fn arm_poll_timer(&mut self, ctx: &mut Ctx<'_>) {
        if self.group.is_some() && !self.app.poll_timer {
            self.app.poll_timer = true;
            ctx.set_timer(
                KafkaTimer::ConsumerApp(AppTimer::PollTimeout),
                self.cfg.group.max_poll_interval_ms,
            );
        }
    }

    /// An auto-commit is due: now if the application is inside `poll()`, else at its next
    /// `poll()` (`ConsumerCoordinator.maybeAutoCommitOffsetsAsync` runs on its thread).
    pub(crate) fn auto_commit_due(&mut self, ctx: &mut Ctx<'_>) {
        if self.app_busy() {
            self.app.auto_commit_due = true;
        } else {
            self.auto_commit(ctx);
        }
    }

    /// One of the application's timers.
    pub(crate) fn on_app_timer(&mut self, ctx: &mut Ctx<'_>, t: AppTimer) {
        match t {
            AppTimer::ProcessNext => {
                if self.app.phase() != Phase::Processing {
                    return;
                }
                if let Some((tp, r)) = self.app.in_hand.pop_front() {
                    let first_offset = r.offset;
                    self.processed(ctx, &tp, r);
                    ctx.change(KafkaChange::Consumed {
                        tp,
                        first_offset,
                        count: 1,
                    });
                }
                if self.app.in_hand.is_empty() {
                    self.app_batch_done(ctx);
                    self.poll_fetches(ctx);
                } else {
                    ctx.set_timer(
                        KafkaTimer::ConsumerApp(AppTimer::ProcessNext),
                        self.app.processing_ms,
                    );
                }
            }
            AppTimer::PollTimeout => {
                self.app.poll_timer = false;
                if self.app_busy() {
                    self.poll_timeout_expired(ctx);
                }
            }
        }
    }
}
