//! A transactional producer (`TransactionManager`, apache/kafka 3.8 clients).
//!
//! - `initTransactions` (`txn init`): FindCoordinator for the `transactional.id` (to any
//!   broker), then InitProducerId to the coordinator, which answers with the id's
//!   producer id and a bumped epoch. UNINITIALIZED → INITIALIZING → READY.
//! - `beginTransaction` (`txn begin`): READY → IN_TRANSACTION, local only.
//! - A record for a partition not yet in the transaction waits: the sender first sends
//!   AddPartitionsToTxn for every such partition and drains their batches only once the
//!   coordinator has added them (`RecordAccumulator.drain` asks
//!   `isSendToPartitionAllowed`). Batches carry the transactional bit.
//! - `commitTransaction` (`txn commit`): COMMITTING_TRANSACTION; every batch is sent at
//!   once (`beginFlush`), and once all are acknowledged EndTxn(COMMIT) goes to the
//!   coordinator; its answer makes the producer READY. A transaction that added no
//!   partition ends without a request.
//! - `abortTransaction` (`txn abort`): the batches not sent yet fail
//!   (TransactionAbortedException), the ones in flight are waited for, then EndTxn(ABORT).
//! - A coordinator that moved (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a lost
//!   connection) is looked up again; CONCURRENT_TRANSACTIONS and
//!   COORDINATOR_LOAD_IN_PROGRESS are retried after `retry.backoff.ms` (20 ms for
//!   AddPartitionsToTxn's CONCURRENT_TRANSACTIONS).
//! - PRODUCER_FENCED or INVALID_PRODUCER_EPOCH from the coordinator is fatal
//!   (FATAL_ERROR: "There is a newer producer with the same transactionalId which fences
//!   the current one."). INVALID_PRODUCER_EPOCH on a produce makes the transaction
//!   abortable (ABORTABLE_ERROR): only `abortTransaction` is allowed, and a zombie's abort
//!   is then fenced by the coordinator.

use super::Producer;
use crate::kafka::messages::{KafkaChange, KafkaError, KafkaMsg};
use crate::kafka::topic::TopicPartition;
use crate::kafka::txn::TxnMsg;
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;
use std::collections::BTreeSet;

/// `TransactionManager.State`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientTxnState {
    /// `initTransactions` not called yet.
    Uninitialized,
    /// Waiting for the coordinator's producer id.
    Initializing,
    /// May begin a transaction.
    Ready,
    /// A transaction is open.
    InTransaction,
    /// `commitTransaction` called.
    CommittingTransaction,
    /// `abortTransaction` called.
    AbortingTransaction,
    /// Something failed: the transaction must be aborted.
    AbortableError,
    /// Fenced or broken: the producer must be closed.
    FatalError,
}

impl ClientTxnState {
    /// The Java enum name.
    pub fn name(self) -> &'static str {
        match self {
            ClientTxnState::Uninitialized => "UNINITIALIZED",
            ClientTxnState::Initializing => "INITIALIZING",
            ClientTxnState::Ready => "READY",
            ClientTxnState::InTransaction => "IN_TRANSACTION",
            ClientTxnState::CommittingTransaction => "COMMITTING_TRANSACTION",
            ClientTxnState::AbortingTransaction => "ABORTING_TRANSACTION",
            ClientTxnState::AbortableError => "ABORTABLE_ERROR",
            ClientTxnState::FatalError => "FATAL_ERROR",
        }
    }
}

/// What the transaction manager last asked a coordinator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Asked {
    FindCoordinator,
    InitProducerId,
    AddPartitions,
    /// AddOffsetsToTxn, to the transaction coordinator.
    AddOffsets,
    /// FindCoordinator for the group, to any broker.
    FindGroupCoordinator,
    /// TxnOffsetCommit, to the group coordinator.
    TxnOffsetCommit,
    EndTxn,
}

/// A producer's transaction manager.
#[derive(Clone, Debug)]
pub struct TxnClient {
    id: String,
    state: ClientTxnState,
    coordinator: Option<u32>,
    in_flight: Option<(u64, ConnId, Asked)>,
    /// Partitions the coordinator added to the open transaction.
    added: BTreeSet<TopicPartition>,
    /// Partitions with records that still need AddPartitionsToTxn.
    new_partitions: BTreeSet<TopicPartition>,
    /// The partitions of the AddPartitionsToTxn in flight.
    adding: Vec<TopicPartition>,
    /// No request before this time (a retry backoff), ms.
    retry_at: u64,
    /// The offsets `sendOffsetsToTransaction` is adding ([`super::txn_offsets`]).
    pub(super) offsets: Option<super::txn_offsets::TxnOffsets>,
    /// The group's `__consumer_offsets` partition joined the transaction
    /// (`transactionStarted` after AddOffsetsToTxn).
    pub(super) offsets_added: bool,
    /// The group coordinator TxnOffsetCommit goes to, once found.
    pub(super) group_coordinator: Option<u32>,
}

impl TxnClient {
    /// A manager for `transactional.id` `id`, UNINITIALIZED.
    pub fn new(id: String) -> Self {
        TxnClient {
            id,
            state: ClientTxnState::Uninitialized,
            coordinator: None,
            in_flight: None,
            added: BTreeSet::new(),
            new_partitions: BTreeSet::new(),
            adding: Vec::new(),
            retry_at: 0,
            offsets: None,
            offsets_added: false,
            group_coordinator: None,
        }
    }

    /// Its state.
    pub fn state(&self) -> ClientTxnState {
        self.state
    }

    /// Its transactional id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether records for `tp` may be drained (`isSendToPartitionAllowed`).
    pub(super) fn may_send(&self, tp: &TopicPartition) -> bool {
        self.added.contains(tp)
    }

    /// A commit sends every batch at once (`beginFlush`).
    pub(super) fn flushing(&self) -> bool {
        self.state == ClientTxnState::CommittingTransaction
    }
}

impl Producer {
    fn txn_transition(&mut self, ctx: &mut Ctx<'_>, to: ClientTxnState) {
        if let Some(t) = self.txn.as_mut()
            && t.state != to
        {
            t.state = to;
            ctx.change(KafkaChange::ProducerTxn {
                state: to.name().to_string(),
            });
        }
    }

    /// `initTransactions`, `beginTransaction`, `commitTransaction` or `abortTransaction`
    /// (`op`). A call the state forbids is refused with the Java client's message, and
    /// changes nothing.
    pub fn transaction(&mut self, ctx: &mut Ctx<'_>, op: crate::kafka::txn::TxnOp) {
        use ClientTxnState as S;
        let op = op.word();
        let Some(t) = self.txn.as_ref() else {
            ctx.note("IllegalStateException: Transactional method invoked on a non-transactional producer.");
            return;
        };
        let (from, id) = (t.state, t.id.clone());
        let to = match (op, from) {
            ("init", S::Uninitialized) => S::Initializing,
            ("begin", S::Ready) => S::InTransaction,
            ("commit", S::InTransaction) => S::CommittingTransaction,
            ("abort", S::InTransaction | S::AbortableError) => S::AbortingTransaction,
            (_, S::AbortableError | S::FatalError) => {
                ctx.note(format!(
                    "KafkaException: Cannot execute transactional method because we are in an error state ({})",
                    from.name()
                ));
                return;
            }
            _ => {
                let target = match op {
                    "init" => S::Initializing,
                    "begin" => S::InTransaction,
                    "commit" => S::CommittingTransaction,
                    _ => S::AbortingTransaction,
                };
                ctx.note(format!(
                    "IllegalStateException: TransactionalId {id}: Invalid transition attempted from state {} to state {}",
                    from.name(),
                    target.name()
                ));
                return;
            }
        };
        if to == S::AbortingTransaction {
            // The batches not sent yet fail (`abortUndrainedBatches`).
            let queued: Vec<TopicPartition> = self
                .accumulator
                .iter()
                .filter(|(_, dq)| !dq.is_empty())
                .map(|(tp, _)| tp.clone())
                .collect();
            for tp in queued {
                let batches: Vec<_> = self
                    .accumulator
                    .get_mut(&tp)
                    .map(|dq| dq.drain(..).collect())
                    .unwrap_or_default();
                for b in batches {
                    ctx.note(format!(
                        "TransactionAbortedException: Failing batch since transaction was aborted ({} record(s) for {tp})",
                        b.records.len()
                    ));
                    self.fail(ctx, tp.clone(), &b, KafkaError::TransactionAborted);
                }
            }
            if let Some(t) = self.txn.as_mut() {
                t.new_partitions.clear();
                t.offsets = None;
            }
        }
        self.txn_transition(ctx, to);
        self.wake_sender(ctx, 0);
    }

    /// Records may join the transaction only while it is open; returns the refusal.
    pub(super) fn txn_refuses_send(&self, target: &str) -> Option<String> {
        let t = self.txn.as_ref()?;
        match t.state {
            ClientTxnState::InTransaction => None,
            ClientTxnState::AbortableError | ClientTxnState::FatalError => Some(format!(
                "KafkaException: Cannot perform send because at least one previous transactional or idempotent request has failed with errors ({})",
                t.state.name()
            )),
            s => Some(format!(
                "IllegalStateException: Cannot add partition {target} to transaction while in state  {}",
                s.name()
            )),
        }
    }

    /// A record went to `tp`: it joins the transaction.
    pub(super) fn txn_add_partition(&mut self, tp: &TopicPartition) {
        if let Some(t) = self.txn.as_mut()
            && !t.added.contains(tp)
            && !t.adding.contains(tp)
        {
            t.new_partitions.insert(tp.clone());
        }
    }

    /// The sender's transactional step (`maybeSendAndPollTransactionalRequest`): sends the
    /// next request the transaction needs. Returns true while data must wait (no
    /// producer id yet).
    pub(super) fn run_txn(&mut self, ctx: &mut Ctx<'_>) -> bool {
        use ClientTxnState as S;
        let now = ctx.now();
        let no_pid = self.producer_id.is_none();
        let Some(t) = self.txn.as_ref() else {
            return false;
        };
        if t.in_flight.is_some() {
            return no_pid;
        }
        if now < t.retry_at {
            let at = t.retry_at;
            self.wake_sender(ctx, at - now);
            return no_pid;
        }
        let idle = self.accumulator.values().all(|dq| dq.is_empty()) && self.in_flight.is_empty();
        let want = match t.state {
            S::Initializing => Some(Asked::InitProducerId),
            S::InTransaction | S::CommittingTransaction if !t.new_partitions.is_empty() => {
                Some(Asked::AddPartitions)
            }
            // `sendOffsetsToTransaction`'s requests come before EndTxn (priority
            // ADD_PARTITIONS_OR_OFFSETS).
            S::InTransaction | S::CommittingTransaction if t.offsets.is_some() => {
                Some(t.offsets_step())
            }
            S::CommittingTransaction | S::AbortingTransaction if idle => {
                if t.added.is_empty() && !t.offsets_added {
                    // Nothing was written: the transaction ends without the coordinator.
                    self.txn_transition(ctx, S::Ready);
                    return no_pid;
                }
                Some(Asked::EndTxn)
            }
            _ => None,
        };
        let Some(want) = want else {
            return no_pid;
        };
        let Some(t) = self.txn.as_mut() else {
            return no_pid;
        };
        let corr = self.next_corr;
        self.next_corr += 1;
        let (pid, epoch) = self.producer_id.unwrap_or((-1, -1));
        let (broker, asked, msg) = match t.coordinator {
            _ if matches!(want, Asked::FindGroupCoordinator | Asked::TxnOffsetCommit) => {
                let any = self.metadata.any_broker();
                match t.group_request(want, corr, (pid, epoch), any) {
                    Some(r) => r,
                    None => return no_pid,
                }
            }
            None => {
                let Some(b) = self.metadata.any_broker() else {
                    return no_pid;
                };
                let key = t.id.clone();
                let msg = KafkaMsg::Txn(TxnMsg::FindCoordinator { corr, key });
                (b, Asked::FindCoordinator, msg)
            }
            Some(c) => {
                let transactional_id = t.id.clone();
                let msg = match want {
                    Asked::AddOffsets => t.add_offsets_request(corr, (pid, epoch)),
                    Asked::InitProducerId
                    | Asked::FindCoordinator
                    | Asked::FindGroupCoordinator
                    | Asked::TxnOffsetCommit => KafkaMsg::InitProducerId {
                        corr,
                        transactional_id: Some(transactional_id),
                        transaction_timeout_ms: self.cfg.transaction_timeout_ms,
                    },
                    Asked::AddPartitions => {
                        t.adding = std::mem::take(&mut t.new_partitions).into_iter().collect();
                        KafkaMsg::Txn(TxnMsg::AddPartitionsToTxn {
                            corr,
                            transactional_id,
                            producer_id: pid,
                            producer_epoch: epoch,
                            partitions: t.adding.clone(),
                            verify_only: false,
                        })
                    }
                    Asked::EndTxn => KafkaMsg::Txn(TxnMsg::EndTxn {
                        corr,
                        transactional_id,
                        producer_id: pid,
                        producer_epoch: epoch,
                        commit: t.state == S::CommittingTransaction,
                    }),
                };
                (c, want, msg)
            }
        };
        let conn = self.net.send(ctx, broker, msg);
        if let Some(t) = self.txn.as_mut() {
            t.in_flight = Some((corr, conn, asked));
        }
        ctx.set_timer(
            crate::kafka::messages::KafkaTimer::RequestTimeout(corr),
            self.cfg.request_timeout_ms,
        );
        no_pid
    }

    /// Takes the coordinator's answer to a transactional request; false when `msg` is not
    /// one (the caller handles it).
    pub(super) fn on_txn_response(&mut self, ctx: &mut Ctx<'_>, msg: &KafkaMsg) -> bool {
        let corr = match msg {
            KafkaMsg::InitProducerIdResponse { corr, .. } => *corr,
            KafkaMsg::Txn(
                TxnMsg::FindCoordinatorResponse { corr, .. }
                | TxnMsg::AddPartitionsToTxnResponse { corr, .. }
                | TxnMsg::AddOffsetsToTxnResponse { corr, .. }
                | TxnMsg::EndTxnResponse { corr, .. },
            )
            | KafkaMsg::Group(
                crate::kafka::group::messages::GroupMsg::FindCoordinatorResponse { corr, .. }
                | crate::kafka::group::messages::GroupMsg::TxnOffsetCommitResponse { corr, .. },
            ) => *corr,
            _ => return false,
        };
        let Some(t) = self.txn.as_mut() else {
            return false;
        };
        let Some((_, _, asked)) = t.in_flight.filter(|(c, _, _)| *c == corr) else {
            return false;
        };
        t.in_flight = None;
        ctx.cancel_timer(crate::kafka::messages::KafkaTimer::RequestTimeout(corr));
        let error = match msg {
            KafkaMsg::Txn(TxnMsg::FindCoordinatorResponse { result, .. }) => match result {
                Ok(b) => {
                    t.coordinator = Some(*b);
                    ctx.note(format!("Discovered transaction coordinator broker{b}"));
                    None
                }
                Err(e) => Some(*e),
            },
            KafkaMsg::InitProducerIdResponse {
                producer_id,
                epoch,
                error: None,
                ..
            } => {
                self.producer_id = Some((*producer_id, *epoch));
                self.sequences.clear();
                self.acked_sequences.clear();
                ctx.note(format!(
                    "ProducerId set to {producer_id} with epoch {epoch}"
                ));
                self.txn_transition(ctx, ClientTxnState::Ready);
                None
            }
            KafkaMsg::InitProducerIdResponse { error, .. } => *error,
            KafkaMsg::Txn(TxnMsg::AddPartitionsToTxnResponse { error: None, .. }) => {
                let adding = std::mem::take(&mut t.adding);
                t.added.extend(adding);
                None
            }
            KafkaMsg::Txn(TxnMsg::AddPartitionsToTxnResponse { error, .. }) => {
                let adding = std::mem::take(&mut t.adding);
                t.new_partitions.extend(adding);
                *error
            }
            KafkaMsg::Txn(TxnMsg::EndTxnResponse { error: None, .. }) => {
                t.added.clear();
                t.offsets_added = false;
                self.txn_transition(ctx, ClientTxnState::Ready);
                None
            }
            KafkaMsg::Txn(TxnMsg::EndTxnResponse { error, .. }) => *error,
            KafkaMsg::Txn(TxnMsg::AddOffsetsToTxnResponse { error, .. }) => {
                t.offsets_added_response(ctx, *error)
            }
            KafkaMsg::Group(m) => match t.on_group_response(ctx, m) {
                super::txn_offsets::Outcome::Fine => None,
                super::txn_offsets::Outcome::Failed(e) => Some(e),
                super::txn_offsets::Outcome::Abortable(text) => {
                    ctx.note(text);
                    self.txn_transition(ctx, ClientTxnState::AbortableError);
                    None
                }
            },
            _ => None,
        };
        if let Some(e) = error {
            self.txn_failed(ctx, asked, e);
        }
        self.wake_sender(ctx, 0);
        true
    }

    /// A transactional request failed with `e` (`TxnRequestHandler` subclasses).
    fn txn_failed(&mut self, ctx: &mut Ctx<'_>, asked: Asked, e: KafkaError) {
        if matches!(asked, Asked::FindGroupCoordinator | Asked::TxnOffsetCommit)
            && matches!(
                e,
                KafkaError::NotCoordinator
                    | KafkaError::CoordinatorNotAvailable
                    | KafkaError::RequestTimedOut
            )
        {
            // `lookupCoordinator(GROUP, groupId)`.
            ctx.note(format!("{e}: looking up the group coordinator again"));
            if let Some(t) = self.txn.as_mut() {
                t.group_coordinator = None;
                t.retry_at = ctx.now() + self.cfg.retry_backoff_ms;
            }
            return;
        }
        let now = ctx.now();
        let backoff = if asked == Asked::AddPartitions && e == KafkaError::ConcurrentTransactions {
            20
        } else {
            self.cfg.retry_backoff_ms
        };
        match e {
            KafkaError::ProducerFenced | KafkaError::InvalidProducerEpoch => {
                ctx.note("ProducerFencedException: There is a newer producer with the same transactionalId which fences the current one.");
                self.txn_transition(ctx, ClientTxnState::FatalError);
            }
            KafkaError::NotCoordinator | KafkaError::CoordinatorNotAvailable => {
                ctx.note(format!("{e}: looking up the transaction coordinator again"));
                if let Some(t) = self.txn.as_mut() {
                    t.coordinator = None;
                    t.retry_at = now + backoff;
                }
            }
            e if e.retriable() => {
                if let Some(t) = self.txn.as_mut() {
                    t.retry_at = now + backoff;
                }
            }
            e => {
                ctx.note(format!(
                    "KafkaException: transactional request failed with {e}"
                ));
                self.txn_transition(ctx, ClientTxnState::FatalError);
            }
        }
    }

    /// A produce failed for good with `e`: a fenced epoch makes the transaction
    /// abortable (`maybeTransitionToErrorState`).
    pub(super) fn txn_batch_failed(&mut self, ctx: &mut Ctx<'_>, e: KafkaError) {
        let Some(t) = self.txn.as_ref() else {
            return;
        };
        let to = match e {
            KafkaError::ProducerFenced => ClientTxnState::FatalError,
            KafkaError::TransactionAborted => return,
            _ if matches!(
                t.state,
                ClientTxnState::InTransaction | ClientTxnState::CommittingTransaction
            ) =>
            {
                ClientTxnState::AbortableError
            }
            _ => return,
        };
        self.txn_transition(ctx, to);
    }

    /// The connection a transactional request was on closed, or the request timed out:
    /// the coordinator is looked up again.
    pub(super) fn txn_conn_lost(&mut self, conn: ConnId) {
        if let Some(t) = self.txn.as_mut()
            && t.in_flight.is_some_and(|(_, c, _)| c == conn)
        {
            let (_, _, asked) = t.in_flight.take().unwrap_or((0, conn, Asked::EndTxn));
            if asked == Asked::AddPartitions {
                let adding = std::mem::take(&mut t.adding);
                t.new_partitions.extend(adding);
            }
            if matches!(asked, Asked::FindGroupCoordinator | Asked::TxnOffsetCommit) {
                t.group_coordinator = None;
            } else {
                t.coordinator = None;
            }
        }
    }

    /// The request in flight to the coordinator, if `corr` is it: its broker.
    pub(super) fn txn_request_broker(&self, corr: u64) -> Option<ConnId> {
        let t = self.txn.as_ref()?;
        t.in_flight
            .filter(|(c, _, _)| *c == corr)
            .map(|(_, conn, _)| conn)
    }
}
