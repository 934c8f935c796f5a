//! `sendOffsetsToTransaction` (KIP-98, KIP-447; apache/kafka 3.8 `TransactionManager.
//! sendOffsetsToTransaction`, `AddOffsetsToTxnHandler`, `TxnOffsetCommitHandler`): a
//! consume-transform-produce application commits the consumer's offsets inside the
//! producer's transaction, so that the output records and the input offsets are
//! committed, or aborted, together.
//!
//! 1. AddOffsetsToTxn to the transaction coordinator: the group's `__consumer_offsets`
//!    partition joins the transaction (its marker will settle the offsets).
//! 2. FindCoordinator for the group (to any broker), then TxnOffsetCommit to the group
//!    coordinator with the consumer's generation and member id: the offsets wait there,
//!    pending, until the marker.
//!
//! Both come before EndTxn (priority ADD_PARTITIONS_OR_OFFSETS). NOT_COORDINATOR,
//! COORDINATOR_NOT_AVAILABLE and REQUEST_TIMED_OUT look the group coordinator up again;
//! other retriable errors retry; UNKNOWN_MEMBER_ID or ILLEGAL_GENERATION (a consumer
//! that is no longer in that generation) make the transaction abortable with a
//! CommitFailedException; PRODUCER_FENCED is fatal.

use super::Producer;
use super::transactions::{Asked, ClientTxnState, TxnClient};
use crate::kafka::group::messages::GroupMsg;
use crate::kafka::messages::{KafkaError, KafkaMsg};
use crate::kafka::topic::TopicPartition;
use crate::kafka::txn::TxnMsg;
use crate::sim::effects::Ctx;

/// The consumer's side of `sendOffsetsToTransaction`: its `ConsumerGroupMetadata` and the
/// offsets (the next offset to read per partition).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupMetadata {
    /// `group.id`.
    pub group: String,
    /// The consumer's generation (-1 outside one).
    pub generation: i32,
    /// Its member id.
    pub member_id: String,
}

/// Offsets being added to the open transaction.
#[derive(Clone, Debug)]
pub(crate) struct TxnOffsets {
    meta: GroupMetadata,
    /// Partitions still to commit with TxnOffsetCommit (`pendingTxnOffsetCommits`).
    pending: Vec<(TopicPartition, u64)>,
    /// AddOffsetsToTxn has been answered.
    added: bool,
}

/// What a group coordinator's answer did.
pub(super) enum Outcome {
    /// Nothing to report (done, or retried).
    Fine,
    /// Handle like any transactional error.
    Failed(KafkaError),
    /// The transaction must be aborted; the text says why.
    Abortable(String),
}

impl TxnClient {
    /// The next request `sendOffsetsToTransaction` needs.
    pub(super) fn offsets_step(&self) -> Asked {
        match &self.offsets {
            Some(o) if !o.added => Asked::AddOffsets,
            _ if self.group_coordinator.is_none() => Asked::FindGroupCoordinator,
            _ => Asked::TxnOffsetCommit,
        }
    }

    /// AddOffsetsToTxn for the group.
    pub(super) fn add_offsets_request(&self, corr: u64, (pid, epoch): (i64, i16)) -> KafkaMsg {
        KafkaMsg::Txn(TxnMsg::AddOffsetsToTxn {
            corr,
            transactional_id: self.id().to_string(),
            producer_id: pid,
            producer_epoch: epoch,
            group: self
                .offsets
                .as_ref()
                .map_or_else(String::new, |o| o.meta.group.clone()),
        })
    }

    /// FindCoordinator (to `any` broker) or TxnOffsetCommit (to the group coordinator):
    /// the broker, what is asked and the message.
    pub(super) fn group_request(
        &self,
        want: Asked,
        corr: u64,
        (pid, epoch): (i64, i16),
        any: Option<u32>,
    ) -> Option<(u32, Asked, KafkaMsg)> {
        let o = self.offsets.as_ref()?;
        match (want, self.group_coordinator) {
            (Asked::TxnOffsetCommit, Some(c)) => {
                let msg = GroupMsg::TxnOffsetCommit {
                    corr,
                    transactional_id: self.id().to_string(),
                    group: o.meta.group.clone(),
                    producer_id: pid,
                    producer_epoch: epoch,
                    generation: o.meta.generation,
                    member_id: o.meta.member_id.clone(),
                    offsets: o.pending.clone(),
                };
                Some((c, want, KafkaMsg::Group(msg)))
            }
            _ => {
                let msg = GroupMsg::FindCoordinator {
                    corr,
                    group: o.meta.group.clone(),
                };
                Some((any?, Asked::FindGroupCoordinator, KafkaMsg::Group(msg)))
            }
        }
    }

    /// AddOffsetsToTxn's answer: on success TxnOffsetCommit comes next; the error, if
    /// any, is handled like any transactional one.
    pub(super) fn offsets_added_response(
        &mut self,
        ctx: &mut Ctx<'_>,
        error: Option<KafkaError>,
    ) -> Option<KafkaError> {
        if error.is_none()
            && let Some(o) = self.offsets.as_mut()
        {
            ctx.note(format!(
                "Successfully added partition for consumer group {} to transaction",
                o.meta.group
            ));
            o.added = true;
            self.offsets_added = true;
        }
        error
    }

    /// A group coordinator's FindCoordinator or TxnOffsetCommit answer.
    pub(super) fn on_group_response(&mut self, ctx: &mut Ctx<'_>, m: &GroupMsg) -> Outcome {
        match m {
            GroupMsg::FindCoordinatorResponse { result, .. } => match result {
                Ok(b) => {
                    self.group_coordinator = Some(*b);
                    ctx.note(format!("Discovered group coordinator broker{b}"));
                    Outcome::Fine
                }
                Err(e) => Outcome::Failed(*e),
            },
            GroupMsg::TxnOffsetCommitResponse { results, .. } => {
                let Some(o) = self.offsets.as_mut() else {
                    return Outcome::Fine;
                };
                let mut retry = None;
                for (tp, e) in results {
                    match e {
                        None => o.pending.retain(|(p, _)| p != tp),
                        Some(
                            e @ (KafkaError::NotCoordinator
                            | KafkaError::CoordinatorNotAvailable
                            | KafkaError::RequestTimedOut),
                        ) => retry = Some(*e),
                        Some(e @ (KafkaError::UnknownMemberId | KafkaError::IllegalGeneration)) => {
                            self.offsets = None;
                            return Outcome::Abortable(format!(
                                "CommitFailedException: Transaction offset Commit failed due to consumer group metadata mismatch: {}",
                                member_error_text(*e)
                            ));
                        }
                        Some(e) if e.retriable() => retry = retry.or(Some(*e)),
                        Some(e) => {
                            self.offsets = None;
                            return Outcome::Failed(*e);
                        }
                    }
                }
                if o.pending.is_empty() {
                    ctx.note(format!(
                        "Successfully added offsets to transaction for consumer group {}",
                        o.meta.group
                    ));
                    self.offsets = None;
                }
                retry.map_or(Outcome::Fine, Outcome::Failed)
            }
            _ => Outcome::Fine,
        }
    }
}

/// The Java exception message of a member error (`Errors` 3.8).
fn member_error_text(e: KafkaError) -> &'static str {
    match e {
        KafkaError::UnknownMemberId => "The coordinator is not aware of this member.",
        _ => "Specified group generation id is not valid.",
    }
}

impl Producer {
    /// `sendOffsetsToTransaction(offsets, groupMetadata)`: allowed only in a transaction
    /// (IllegalStateException otherwise, KafkaException in an error state); returns
    /// whether it was accepted. The offsets are committed with the transaction.
    pub fn send_offsets_to_transaction(
        &mut self,
        ctx: &mut Ctx<'_>,
        meta: GroupMetadata,
        offsets: Vec<(TopicPartition, u64)>,
    ) -> bool {
        let Some(t) = self.txn.as_mut() else {
            ctx.note("IllegalStateException: Transactional method invoked on a non-transactional producer.");
            return false;
        };
        match t.state() {
            ClientTxnState::InTransaction => {}
            s @ (ClientTxnState::AbortableError | ClientTxnState::FatalError) => {
                ctx.note(format!(
                    "KafkaException: Cannot execute transactional method because we are in an error state ({})",
                    s.name()
                ));
                return false;
            }
            s => {
                ctx.note(format!(
                    "IllegalStateException: Cannot send offsets if a transaction is not in progress (currentState= {})",
                    s.name()
                ));
                return false;
            }
        }
        if offsets.is_empty() {
            return true;
        }
        t.offsets = Some(TxnOffsets {
            meta,
            pending: offsets,
            added: false,
        });
        self.wake_sender(ctx, 0);
        true
    }
}
