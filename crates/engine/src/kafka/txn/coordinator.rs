//! The transaction coordinator inside a broker (apache/kafka 3.8 `TransactionCoordinator`,
//! `TransactionStateManager`, `TransactionMarkerChannelManager`).
//!
//! A broker coordinates the transactional ids of the `__transaction_state` partitions it
//! leads. When it becomes their leader it loads them from the log (the last record per
//! id wins) and sends again the markers of transactions it finds in PrepareCommit or
//! PrepareAbort; when it stops leading them it forgets them. Each state change is appended
//! to the partition as a record and takes effect, and is answered, only when the
//! partition's high watermark passes it (`appendTransactionToLog` with acks=-1); until
//! then the id has a pending transition and other requests get CONCURRENT_TRANSACTIONS.
//! A write that cannot get enough in-sync replicas answers COORDINATOR_NOT_AVAILABLE, and
//! one whose partition moved answers NOT_COORDINATOR. (Kafka also times such a write out
//! after `request.timeout.ms`; here it waits for the high watermark or the move.)

use super::state::{TxnMetadata, TxnState};
use super::{TOPIC, TxnMsg, partition_for};
use crate::kafka::broker::Broker;
use crate::kafka::broker::internal_topics::InternalTopic;
use crate::kafka::messages::{KafkaChange, KafkaError, KafkaMsg};
use crate::kafka::network_client::NetworkClient;
use crate::kafka::record::{Batch, Record};
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;
use std::collections::{BTreeMap, BTreeSet};

/// One transactional id at its coordinator.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// Its `__transaction_state` partition.
    pub(crate) partition: u32,
    /// The state as last written and replicated.
    pub(crate) meta: TxnMetadata,
    /// A state written but not replicated yet (`pendingState`).
    pub(crate) pending: Option<TxnMetadata>,
}

/// What to do when a state record is replicated (or cannot be).
#[derive(Clone, Debug)]
pub(super) enum AfterWrite {
    /// Answer InitProducerId with the new id and epoch.
    InitPid { conn: ConnId, corr: u64 },
    /// Answer AddPartitionsToTxn, or AddOffsetsToTxn when `offsets`.
    AddPartitions {
        conn: ConnId,
        corr: u64,
        offsets: bool,
    },
    /// Answer EndTxn, then write the markers.
    EndTxn { conn: ConnId, corr: u64 },
    /// An InitProducerId found a transaction open: it was aborted with a bumped epoch;
    /// answer CONCURRENT_TRANSACTIONS (the producer asks again) and write the markers.
    FenceAbort { conn: ConnId, corr: u64 },
    /// The coordinator aborted a timed-out transaction: write the markers.
    TimeoutAbort,
    /// CompleteCommit / CompleteAbort: nothing more.
    Complete,
}

#[derive(Clone, Debug)]
struct PendingWrite {
    tp: TopicPartition,
    /// The high watermark that makes it durable (the record's offset + 1).
    offset: u64,
    txn_id: String,
    then: AfterWrite,
}

/// A WriteTxnMarkers this broker appended, waiting for its high watermarks.
#[derive(Clone, Debug)]
pub(crate) struct DelayedMarkers {
    pub(crate) conn: ConnId,
    pub(crate) corr: u64,
    pub(crate) results: Vec<(i64, TopicPartition, Option<KafkaError>)>,
    pub(crate) required: Vec<(TopicPartition, u64)>,
    /// Per producer id, whether its marker is a COMMIT.
    pub(crate) outcomes: BTreeMap<i64, bool>,
}

/// A broker's coordinator state (empty until it leads a `__transaction_state` partition).
#[derive(Clone, Debug, Default)]
pub struct TxnCoordinator {
    /// The `__transaction_state` partitions loaded here: partition -> coordinator epoch
    /// (the partition's leader epoch).
    pub(crate) owned: BTreeMap<u32, u32>,
    /// The transactional ids of those partitions.
    pub(crate) txns: BTreeMap<String, Entry>,
    writes: Vec<PendingWrite>,
    /// Markers appended here, waiting for the high watermark.
    pub(crate) delayed_markers: Vec<DelayedMarkers>,
    /// Partitions still to be marked, per transactional id.
    pub(super) todo: BTreeMap<String, BTreeSet<TopicPartition>>,
    /// WriteTxnMarkers in flight: correlation id -> (broker, what it marks).
    pub(super) in_flight: BTreeMap<u64, (u32, Vec<(String, TopicPartition)>)>,
    /// The marker channel's connections (`TransactionMarkerChannelManager`).
    pub(crate) net: NetworkClient,
    pub(crate) next_corr: u64,
    /// Produce requests held for verification, by the verification's correlation id.
    pub(crate) held: BTreeMap<u64, super::verification::Held>,
    pub(super) abort_task: bool,
    pub(super) retry_set: bool,
}

impl TxnCoordinator {
    /// The state of `txn_id`, if this broker coordinates it.
    pub fn state(&self, txn_id: &str) -> Option<&TxnMetadata> {
        self.txns.get(txn_id).map(|e| &e.meta)
    }

    /// Every transactional id this broker coordinates, with its state.
    pub fn states(&self) -> impl Iterator<Item = (&String, &TxnMetadata)> {
        self.txns.iter().map(|(id, e)| (id, &e.meta))
    }
}

/// Sends `msg` back on `conn`, or to this broker itself for a loopback request.
fn reply(ctx: &mut Ctx<'_>, conn: ConnId, msg: KafkaMsg) {
    if conn == ConnId::LOOPBACK {
        ctx.loopback(msg);
    } else {
        ctx.send(conn, msg);
    }
}

/// The answer to AddPartitionsToTxn, or to AddOffsetsToTxn when `offsets`.
fn add_response(corr: u64, offsets: bool, error: Option<KafkaError>) -> KafkaMsg {
    KafkaMsg::Txn(if offsets {
        TxnMsg::AddOffsetsToTxnResponse { corr, error }
    } else {
        TxnMsg::AddPartitionsToTxnResponse {
            corr,
            error,
            partition_errors: Vec::new(),
        }
    })
}

fn init_error(corr: u64, e: KafkaError) -> KafkaMsg {
    KafkaMsg::InitProducerIdResponse {
        corr,
        producer_id: -1,
        epoch: -1,
        error: Some(e),
    }
}

impl Broker {
    /// The transaction messages a broker receives.
    pub(crate) fn on_txn_message(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, msg: TxnMsg) {
        match msg {
            TxnMsg::FindCoordinator { corr, key } => {
                let result = self.find_coordinator(ctx, &key);
                ctx.send(
                    conn,
                    KafkaMsg::Txn(TxnMsg::FindCoordinatorResponse { corr, result }),
                );
            }
            TxnMsg::AddPartitionsToTxn {
                corr,
                transactional_id,
                producer_id,
                producer_epoch,
                partitions,
                verify_only: true,
            } => self.verify_partitions(
                ctx,
                conn,
                corr,
                &transactional_id,
                (producer_id, producer_epoch),
                partitions,
            ),
            TxnMsg::AddPartitionsToTxn {
                corr,
                transactional_id,
                producer_id,
                producer_epoch,
                partitions,
                ..
            } => self.add_partitions_to_txn(
                ctx,
                (conn, corr, false),
                &transactional_id,
                (producer_id, producer_epoch),
                partitions,
            ),
            TxnMsg::AddOffsetsToTxn {
                corr,
                transactional_id,
                producer_id,
                producer_epoch,
                group,
            } => {
                // `handleAddOffsetsToTransaction`: the group's offsets partition is added
                // like any other.
                let offsets =
                    crate::kafka::group::partition_for(&group, self.cfg.group.offsets_partitions);
                let tp = TopicPartition::new(crate::kafka::group::TOPIC, offsets);
                self.add_partitions_to_txn(
                    ctx,
                    (conn, corr, true),
                    &transactional_id,
                    (producer_id, producer_epoch),
                    vec![tp],
                )
            }
            TxnMsg::EndTxn {
                corr,
                transactional_id,
                producer_id,
                producer_epoch,
                commit,
            } => self.end_txn(
                ctx,
                conn,
                corr,
                &transactional_id,
                (producer_id, producer_epoch),
                commit,
            ),
            TxnMsg::WriteTxnMarkers { corr, markers } => {
                self.handle_write_txn_markers(ctx, conn, corr, markers)
            }
            TxnMsg::WriteTxnMarkersResponse { corr, results } => {
                self.on_markers_written(ctx, corr, results)
            }
            TxnMsg::AddPartitionsToTxnResponse {
                corr,
                error,
                partition_errors,
            } => self.on_verification(ctx, corr, error, partition_errors),
            TxnMsg::FindCoordinatorResponse { .. }
            | TxnMsg::EndTxnResponse { .. }
            | TxnMsg::AddOffsetsToTxnResponse { .. } => {}
        }
    }

    /// FindCoordinator (`KafkaApis.handleFindCoordinatorRequest`): the leader of the id's
    /// partition, from the metadata cache. The first request creates `__transaction_state`
    /// through ZooKeeper (`AutoTopicCreationManager`), refused while fewer brokers are
    /// alive than its replication factor.
    fn find_coordinator(&mut self, ctx: &mut Ctx<'_>, txn_id: &str) -> Result<u32, KafkaError> {
        let n = self.cfg.txn_state_partitions;
        let topic = InternalTopic {
            name: TOPIC,
            partitions: n,
            replication_factor: self.cfg.txn_state_replication_factor,
            described_as: "transactions state topic",
            rf_setting: "transaction.state.log.replication.factor",
            configs: vec![
                ("cleanup.policy".to_string(), "compact".to_string()),
                (
                    "segment.bytes".to_string(),
                    super::SEGMENT_BYTES.to_string(),
                ),
            ],
        };
        self.find_internal_coordinator(ctx, &topic, partition_for(txn_id, n))
    }

    /// Whether this broker can answer for `txn_id` now: NOT_COORDINATOR when it does not
    /// lead the id's partition, COORDINATOR_LOAD_IN_PROGRESS while it has not loaded it.
    fn coordinating(&self, txn_id: &str) -> Result<u32, KafkaError> {
        let p = partition_for(txn_id, self.cfg.txn_state_partitions);
        self.internal_coordinator_status(TOPIC, p, self.txn.owned.contains_key(&p))
    }

    /// InitProducerId with a transactional id (`handleInitProducerId`).
    pub(crate) fn txn_init_producer_id(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        corr: u64,
        txn_id: &str,
        timeout_ms: u64,
    ) {
        let p = match self.coordinating(txn_id) {
            Ok(p) => p,
            Err(e) => return reply(ctx, conn, init_error(corr, e)),
        };
        if !self.txn.txns.contains_key(txn_id) {
            let pid = match self.generate_producer_id(ctx) {
                Ok(pid) => pid,
                Err(e) => return reply(ctx, conn, init_error(corr, e)),
            };
            let meta = TxnMetadata {
                producer_id: pid,
                producer_epoch: -1,
                state: TxnState::Empty,
                partitions: BTreeSet::new(),
                txn_start_ms: ctx.now(),
                last_update_ms: ctx.now(),
                timeout_ms,
            };
            self.txn.txns.insert(
                txn_id.to_string(),
                Entry {
                    partition: p,
                    meta,
                    pending: None,
                },
            );
        }
        let Some(entry) = self.txn.txns.get(txn_id) else {
            return;
        };
        if entry.pending.is_some() {
            return reply(
                ctx,
                conn,
                init_error(corr, KafkaError::ConcurrentTransactions),
            );
        }
        let mut next = entry.meta.clone();
        next.producer_epoch = next.producer_epoch.saturating_add(1).max(0);
        next.timeout_ms = timeout_ms;
        next.last_update_ms = ctx.now();
        match entry.meta.state {
            TxnState::PrepareAbort | TxnState::PrepareCommit => reply(
                ctx,
                conn,
                init_error(corr, KafkaError::ConcurrentTransactions),
            ),
            TxnState::Ongoing => {
                // prepareFenceProducerEpoch, then endTransaction(ABORT) with that epoch.
                ctx.note(format!(
                    "InitProducerId for {txn_id} found its transaction Ongoing: PrepareEpochFence bumps producer {} to epoch {} and aborts it",
                    next.producer_id, next.producer_epoch
                ));
                next.state = TxnState::PrepareAbort;
                self.write_txn_state(ctx, txn_id, next, AfterWrite::FenceAbort { conn, corr });
            }
            _ => {
                next.state = TxnState::Empty;
                next.partitions.clear();
                self.write_txn_state(ctx, txn_id, next, AfterWrite::InitPid { conn, corr });
            }
        }
    }

    /// The checks AddPartitionsToTxn and EndTxn share: coordinator, producer id, epoch and
    /// no pending transition. Returns the current state.
    fn txn_checks(&self, txn_id: &str, producer: (i64, i16)) -> Result<TxnMetadata, KafkaError> {
        let entry = self.txn_entry(txn_id, producer)?;
        if entry.pending.is_some() {
            return Err(KafkaError::ConcurrentTransactions);
        }
        Ok(entry.meta.clone())
    }

    /// `txn_id`'s entry, if this broker coordinates it and `(pid, epoch)` is its producer:
    /// NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS, INVALID_PRODUCER_ID_MAPPING or
    /// PRODUCER_FENCED otherwise.
    fn txn_entry(&self, txn_id: &str, (pid, epoch): (i64, i16)) -> Result<&Entry, KafkaError> {
        self.coordinating(txn_id)?;
        let entry = self
            .txn
            .txns
            .get(txn_id)
            .ok_or(KafkaError::InvalidProducerIdMapping)?;
        if entry.meta.producer_id != pid {
            return Err(KafkaError::InvalidProducerIdMapping);
        }
        if entry.meta.producer_epoch != epoch {
            return Err(KafkaError::ProducerFenced);
        }
        Ok(entry)
    }

    /// AddPartitionsToTxn (`handleAddPartitionsToTransaction`), or AddOffsetsToTxn
    /// (`handleAddOffsetsToTransaction`) when `offsets`: `(conn, corr, offsets)` says whom
    /// to answer and how.
    fn add_partitions_to_txn(
        &mut self,
        ctx: &mut Ctx<'_>,
        (conn, corr, offsets): (ConnId, u64, bool),
        txn_id: &str,
        producer: (i64, i16),
        partitions: Vec<TopicPartition>,
    ) {
        let answer =
            |ctx: &mut Ctx<'_>, error| reply(ctx, conn, add_response(corr, offsets, error));
        let meta = match self.txn_checks(txn_id, producer) {
            Ok(m) => m,
            Err(e) => return answer(ctx, Some(e)),
        };
        match meta.state {
            TxnState::PrepareCommit | TxnState::PrepareAbort => {
                answer(ctx, Some(KafkaError::ConcurrentTransactions))
            }
            TxnState::Ongoing if partitions.iter().all(|tp| meta.partitions.contains(tp)) => {
                answer(ctx, None)
            }
            _ => {
                let mut next = meta.clone();
                if next.state != TxnState::Ongoing {
                    next.partitions.clear();
                    next.txn_start_ms = ctx.now();
                }
                next.state = TxnState::Ongoing;
                next.partitions.extend(partitions);
                next.last_update_ms = ctx.now();
                let then = AfterWrite::AddPartitions {
                    conn,
                    corr,
                    offsets,
                };
                self.write_txn_state(ctx, txn_id, next, then);
            }
        }
    }

    /// AddPartitionsToTxn with verify only, from a partition leader
    /// (`handleVerifyPartitionsInTransaction`): no pending-state check, nothing written;
    /// each partition not in the transaction is TRANSACTION_ABORTABLE.
    fn verify_partitions(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        corr: u64,
        txn_id: &str,
        producer: (i64, i16),
        partitions: Vec<TopicPartition>,
    ) {
        let meta = self.txn_entry(txn_id, producer).and_then(|e| {
            // No pending-state check: the append is checked again.
            if matches!(
                e.meta.state,
                TxnState::PrepareCommit | TxnState::PrepareAbort
            ) {
                return Err(KafkaError::ConcurrentTransactions);
            }
            Ok(e.meta.clone())
        });
        let (error, partition_errors) = match meta {
            Err(e) => (Some(e), Vec::new()),
            Ok(m) => (
                None,
                partitions
                    .into_iter()
                    .filter(|tp| !m.partitions.contains(tp))
                    .map(|tp| (tp, KafkaError::TransactionAbortable))
                    .collect(),
            ),
        };
        let msg = TxnMsg::AddPartitionsToTxnResponse {
            corr,
            error,
            partition_errors,
        };
        reply(ctx, conn, KafkaMsg::Txn(msg));
    }

    /// EndTxn (`handleEndTransaction`).
    fn end_txn(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        corr: u64,
        txn_id: &str,
        producer: (i64, i16),
        commit: bool,
    ) {
        let answer = |ctx: &mut Ctx<'_>, error| {
            reply(
                ctx,
                conn,
                KafkaMsg::Txn(TxnMsg::EndTxnResponse { corr, error }),
            )
        };
        let meta = match self.txn_checks(txn_id, producer) {
            Ok(m) => m,
            Err(e) => return answer(ctx, Some(e)),
        };
        match (meta.state, commit) {
            (TxnState::Ongoing, _) => {
                let mut next = meta;
                next.state = if commit {
                    TxnState::PrepareCommit
                } else {
                    TxnState::PrepareAbort
                };
                next.last_update_ms = ctx.now();
                self.write_txn_state(ctx, txn_id, next, AfterWrite::EndTxn { conn, corr });
            }
            // A retry of an EndTxn that completed.
            (TxnState::CompleteCommit, true) | (TxnState::CompleteAbort, false) => {
                answer(ctx, None)
            }
            (TxnState::PrepareCommit, true) | (TxnState::PrepareAbort, false) => {
                answer(ctx, Some(KafkaError::ConcurrentTransactions))
            }
            _ => answer(ctx, Some(KafkaError::InvalidTxnState)),
        }
    }

    /// Appends `next` as `txn_id`'s record to its `__transaction_state` partition; `then`
    /// runs once the high watermark passes it.
    pub(super) fn write_txn_state(
        &mut self,
        ctx: &mut Ctx<'_>,
        txn_id: &str,
        next: TxnMetadata,
        then: AfterWrite,
    ) {
        let Some(p) = self.txn.txns.get(txn_id).map(|e| e.partition) else {
            return;
        };
        let tp = TopicPartition::new(TOPIC, p);
        let min_isr = self.cfg.txn_state_min_isr;
        let Some(part) = self.partitions.get(&tp).filter(|s| s.leader == self.id) else {
            return self.after_write(ctx, txn_id, then, Err(KafkaError::NotCoordinator));
        };
        if (part.isr.len() as u32) < part.effective_min_isr(min_isr) {
            ctx.note(format!(
                "Appending {txn_id}'s transaction state to {tp} failed: NOT_ENOUGH_REPLICAS (ISR {:?}, transaction.state.log.min.isr {min_isr})",
                part.isr
            ));
            return self.after_write(ctx, txn_id, then, Err(KafkaError::CoordinatorNotAvailable));
        }
        let record = Record {
            key: Some(txn_id.to_string()),
            value: Some(next.to_text()),
            timestamp: ctx.now(),
        };
        let batch = Batch::new(0, 0, vec![record]);
        let appended = crate::kafka::broker::requests::appended;
        let Some((stored, leo)) = self.append_to_leader(ctx, &tp, &batch, appended) else {
            return;
        };
        ctx.change(KafkaChange::TxnState {
            transactional_id: txn_id.to_string(),
            state: next.state,
            producer_id: next.producer_id,
            producer_epoch: next.producer_epoch,
            offset: stored.base_offset,
        });
        if let Some(e) = self.txn.txns.get_mut(txn_id) {
            e.pending = Some(next);
        }
        self.txn.writes.push(PendingWrite {
            tp,
            offset: leo,
            txn_id: txn_id.to_string(),
            then,
        });
        self.try_complete_delayed(ctx);
    }

    /// Completes the state writes and marker appends whose high watermark arrived (or
    /// whose partition this broker no longer leads). Called with the other delayed
    /// operations (`try_complete_delayed`).
    pub(crate) fn complete_txn_delayed(&mut self, ctx: &mut Ctx<'_>) {
        let me = self.id;
        let status = |b: &Broker, tp: &TopicPartition, off: u64| match b.partitions.get(tp) {
            Some(p) if p.leader == me => (p.hw >= off).then_some(true),
            _ => Some(false),
        };
        let writes = std::mem::take(&mut self.txn.writes);
        let mut keep = Vec::new();
        let mut done = Vec::new();
        for w in writes {
            match status(self, &w.tp, w.offset) {
                None => keep.push(w),
                Some(ok) => done.push((w, ok)),
            }
        }
        self.txn.writes = keep;
        let markers = std::mem::take(&mut self.txn.delayed_markers);
        let mut answered = Vec::new();
        for mut d in markers {
            let states: Vec<Option<bool>> = d
                .required
                .iter()
                .map(|(tp, off)| status(self, tp, *off))
                .collect();
            if states.iter().any(Option::is_none) {
                self.txn.delayed_markers.push(d);
                continue;
            }
            for ((tp, _), ok) in d.required.iter().zip(states) {
                if ok == Some(false) {
                    for r in d.results.iter_mut().filter(|r| r.1 == *tp && r.2.is_none()) {
                        r.2 = Some(KafkaError::NotLeaderOrFollower);
                    }
                }
            }
            answered.push(d);
        }
        for d in answered {
            // `onTransactionCompleted`: the markers written on `__consumer_offsets` settle
            // the group coordinator's pending transactional offsets.
            for (pid, tp, e) in &d.results {
                if e.is_none() && tp.topic == crate::kafka::group::TOPIC {
                    let commit = d.outcomes.get(pid).copied().unwrap_or(false);
                    self.group_txn_completed(ctx, *pid, tp.partition, commit);
                }
            }
            let msg = TxnMsg::WriteTxnMarkersResponse {
                corr: d.corr,
                results: d.results,
            };
            reply(ctx, d.conn, KafkaMsg::Txn(msg));
        }
        for (w, ok) in done {
            let result = if ok {
                if let Some(e) = self.txn.txns.get_mut(&w.txn_id)
                    && let Some(next) = e.pending.take()
                {
                    e.meta = next;
                }
                Ok(())
            } else {
                if let Some(e) = self.txn.txns.get_mut(&w.txn_id) {
                    e.pending = None;
                }
                Err(KafkaError::NotCoordinator)
            };
            self.after_write(ctx, &w.txn_id, w.then, result);
        }
    }

    fn after_write(
        &mut self,
        ctx: &mut Ctx<'_>,
        txn_id: &str,
        then: AfterWrite,
        result: Result<(), KafkaError>,
    ) {
        let Some(meta) = self.txn.txns.get(txn_id).map(|e| e.meta.clone()) else {
            return;
        };
        let p = partition_for(txn_id, self.cfg.txn_state_partitions);
        match (then, result) {
            (AfterWrite::InitPid { conn, corr }, Ok(())) => {
                ctx.note(format!(
                    "Initialized transactionalId {txn_id} with producerId {} and producer epoch {} on partition {TOPIC}-{p}",
                    meta.producer_id, meta.producer_epoch
                ));
                let msg = KafkaMsg::InitProducerIdResponse {
                    corr,
                    producer_id: meta.producer_id,
                    epoch: meta.producer_epoch,
                    error: None,
                };
                reply(ctx, conn, msg);
            }
            (AfterWrite::InitPid { conn, corr }, Err(e)) => reply(ctx, conn, init_error(corr, e)),
            (AfterWrite::FenceAbort { conn, corr }, r) => {
                let e = r.err().unwrap_or(KafkaError::ConcurrentTransactions);
                reply(ctx, conn, init_error(corr, e));
                if e == KafkaError::ConcurrentTransactions {
                    self.start_markers(ctx, txn_id);
                }
            }
            (
                AfterWrite::AddPartitions {
                    conn,
                    corr,
                    offsets,
                },
                r,
            ) => reply(ctx, conn, add_response(corr, offsets, r.err())),
            (AfterWrite::EndTxn { conn, corr }, r) => {
                let ok = r.is_ok();
                reply(
                    ctx,
                    conn,
                    KafkaMsg::Txn(TxnMsg::EndTxnResponse {
                        corr,
                        error: r.err(),
                    }),
                );
                if ok {
                    self.start_markers(ctx, txn_id);
                }
            }
            (AfterWrite::TimeoutAbort, Ok(())) => self.start_markers(ctx, txn_id),
            (AfterWrite::TimeoutAbort | AfterWrite::Complete, _) => {}
        }
    }
}
