//! A consume-transform-produce application: exactly once for read-process-write (KIP-98,
//! KIP-447; the loop of apache/kafka 3.8's `examples/ExactlyOnceMessageProcessor` and of
//! `KafkaProducer.sendOffsetsToTransaction`'s javadoc):
//!
//! ```text
//! producer.initTransactions();                    // fences an older instance's producer
//! while (true) {
//!     records = consumer.poll(timeout);
//!     producer.beginTransaction();
//!     for (r : records) producer.send(transform(r));  // processing: N ms per record
//!     producer.sendOffsetsToTransaction(positions, consumer.groupMetadata());
//!     producer.commitTransaction();
//!     // on a KafkaException: abortTransaction(), then rewind every assigned partition
//!     // to its committed offset (resetToLastCommittedPositions)
//! }
//! ```
//!
//! The producer lives in the consumer's process ([`crate::kafka::producer::Producer::
//! embedded`]): a crash kills both, and the restarted instance's `initTransactions` with
//! the same `transactional.id` aborts whatever its predecessor left open. The consumer
//! runs with `enable.auto.commit=false`: its offsets are committed only inside the
//! producer's transaction. A fenced producer (PRODUCER_FENCED) is fatal: the application
//! closes (its consumer leaves the group).
//!
//! An output record's value is the input value followed by where it came from,
//! `v3 <- orders-0@3` ([`output_value`]), so that a checker can find, in the output
//! topic, each input record's copies ([`crate::kafka::group::output`]).

use super::Consumer;
use super::app::Phase;
use crate::ids::NodeId;
use crate::kafka::config::ProducerConfig;
use crate::kafka::messages::{KafkaMsg, KafkaTimer};
use crate::kafka::producer::Producer;
use crate::kafka::producer::transactions::ClientTxnState;
use crate::kafka::producer::txn_offsets::GroupMetadata;
use crate::kafka::topic::TopicPartition;
use crate::kafka::txn::TxnOp;
use crate::sim::conn::{CloseReason, ConnId};
use crate::sim::effects::Ctx;
use std::collections::BTreeMap;

/// Where the application's transaction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// No transaction open.
    Idle,
    /// Processing inside `beginTransaction`.
    InTransaction,
    /// In `commitTransaction` (after `sendOffsetsToTransaction`); `sent` once both were
    /// called.
    Committing {
        /// Both calls were made.
        sent: bool,
    },
    /// In `abortTransaction`, rewinding afterwards.
    Aborting,
    /// The producer was fenced: the application closed.
    Closed,
}

/// The consume-transform-produce part of an application.
#[derive(Clone, Debug)]
pub struct Eos {
    /// The topic it writes to.
    pub output: String,
    /// Its transactional producer.
    pub producer: Box<Producer>,
    /// Next offset per input partition of the transaction's records.
    batch: BTreeMap<TopicPartition, u64>,
    stage: Stage,
}

impl Eos {
    /// Where its transaction is.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The same application after a restart: a new producer with the same settings.
    pub(crate) fn restarted(&self) -> Eos {
        let mut producer = self.producer.clone();
        producer.crash();
        Eos {
            output: self.output.clone(),
            producer,
            batch: BTreeMap::new(),
            stage: Stage::Idle,
        }
    }

    fn txn_state(&self) -> ClientTxnState {
        self.producer
            .txn()
            .map_or(ClientTxnState::FatalError, |t| t.state())
    }
}

/// The output value of input record `value` read at `tp`@`offset`.
pub fn output_value(value: Option<&str>, tp: &TopicPartition, offset: u64) -> String {
    format!("{} <- {tp}@{offset}", value.unwrap_or(""))
}

/// Where an output value came from ([`output_value`]'s inverse).
pub fn source_of(value: &str) -> Option<(TopicPartition, u64)> {
    let (_, source) = value.rsplit_once(" <- ")?;
    let (tp, offset) = source.rsplit_once('@')?;
    let (topic, partition) = tp.rsplit_once('-')?;
    Some((
        TopicPartition::new(topic, partition.parse().ok()?),
        offset.parse().ok()?,
    ))
}

impl Consumer {
    /// Makes its application consume-transform-produce into `output` with a producer of
    /// `cfg` (whose `transactional.id` must be set), and calls `initTransactions`.
    pub fn set_transform(&mut self, ctx: &mut Ctx<'_>, output: &str, cfg: ProducerConfig) {
        self.cfg.group.auto_commit = false;
        let bootstrap = self.metadata.bootstrap().to_vec();
        let producer = Box::new(Producer::embedded(self.id, cfg, bootstrap));
        self.app.eos = Some(Box::new(Eos {
            output: output.to_string(),
            producer,
            batch: BTreeMap::new(),
            stage: Stage::Idle,
        }));
        self.eos_init(ctx);
    }

    /// `initTransactions()` (at the start of the application, also after a restart).
    pub(crate) fn eos_init(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(e) = self.app.eos.as_mut() {
            e.producer.transaction(ctx, TxnOp::Init);
        }
    }

    /// `poll()` may hand out records only between transactions, once `initTransactions`
    /// returned.
    pub(crate) fn eos_blocks_poll(&self) -> bool {
        self.app
            .eos
            .as_ref()
            .is_some_and(|e| e.stage != Stage::Idle || e.txn_state() != ClientTxnState::Ready)
    }

    /// `poll()` returned records: `beginTransaction()`.
    pub(crate) fn eos_begin(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(e) = self.app.eos.as_mut() {
            e.producer.transaction(ctx, TxnOp::Begin);
            e.stage = Stage::InTransaction;
        }
    }

    /// One record processed: its transformed copy is sent inside the transaction.
    pub(crate) fn eos_processed(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: &TopicPartition,
        r: &super::ConsumedRecord,
    ) {
        if let Some(e) = self.app.eos.as_mut() {
            let value = output_value(r.value.as_deref(), tp, r.offset);
            let output = e.output.clone();
            e.producer
                .send_record(ctx, &output, r.key.clone(), Some(value));
            e.batch.insert(tp.clone(), r.offset + 1);
        }
    }

    /// The batch is processed: `sendOffsetsToTransaction` and `commitTransaction`. Returns
    /// false when the application has no transaction (the plain loop goes on).
    pub(crate) fn eos_batch_done(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let Some(e) = self.app.eos.as_mut() else {
            return false;
        };
        e.stage = Stage::Committing { sent: false };
        self.app.phase = Some(Phase::Committing {
            then_process: false,
        });
        self.eos_progress(ctx);
        true
    }

    /// Moves the application on after anything its producer did.
    pub(crate) fn eos_progress(&mut self, ctx: &mut Ctx<'_>) {
        let meta = self.group.as_ref().map(|g| GroupMetadata {
            group: g.group.clone(),
            generation: g.metadata.0,
            member_id: g.metadata.1.clone(),
        });
        let Some(e) = self.app.eos.as_mut() else {
            return;
        };
        let state = e.txn_state();
        match (e.stage, state) {
            (Stage::Closed, _) => {}
            (_, ClientTxnState::FatalError) => {
                ctx.note("The application closes its fenced producer and its consumer (ProducerFencedException is fatal)");
                e.stage = Stage::Closed;
                self.group_close(ctx);
            }
            (Stage::InTransaction | Stage::Committing { .. }, ClientTxnState::AbortableError) => {
                ctx.note("KafkaException in the transaction: abortTransaction(), then rewind to the committed offsets");
                e.producer.transaction(ctx, TxnOp::Abort);
                e.stage = Stage::Aborting;
            }
            (Stage::Committing { sent: false }, ClientTxnState::InTransaction)
                if !e.producer.awaiting_metadata() =>
            {
                let offsets: Vec<(TopicPartition, u64)> =
                    std::mem::take(&mut e.batch).into_iter().collect();
                e.stage = Stage::Committing { sent: true };
                if let Some(meta) = meta {
                    e.producer.send_offsets_to_transaction(ctx, meta, offsets);
                }
                e.producer.transaction(ctx, TxnOp::Commit);
            }
            (Stage::Committing { sent: true }, ClientTxnState::Ready) => {
                e.stage = Stage::Idle;
                self.app_committed(ctx);
            }
            (Stage::Aborting, ClientTxnState::Ready) => {
                e.stage = Stage::Idle;
                e.batch.clear();
                self.eos_rewind(ctx);
            }
            (Stage::Idle, ClientTxnState::Ready) => self.app_poll(ctx),
            _ => {}
        }
    }

    /// `resetToLastCommittedPositions`: every assigned partition goes back to its
    /// committed offset, and the application polls again.
    fn eos_rewind(&mut self, ctx: &mut Ctx<'_>) {
        let owned = self
            .group
            .as_ref()
            .map(|g| g.owned.clone())
            .unwrap_or_default();
        for tp in &owned {
            self.drop_position(tp);
        }
        self.app.clear_in_hand();
        self.app.phase = Some(Phase::Polling);
        self.fetch_committed(ctx, owned);
    }

    /// A message on one of its producer's connections: true when it was one.
    pub(crate) fn eos_message(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        from: NodeId,
        msg: &KafkaMsg,
    ) -> bool {
        let Some(e) = self.app.eos.as_mut().filter(|e| e.producer.owns_conn(conn)) else {
            return false;
        };
        e.producer.on_message(ctx, conn, from, msg.clone());
        self.eos_progress(ctx);
        true
    }

    /// One of its producer's connections closed: true when it was one.
    pub(crate) fn eos_closed(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        peer: NodeId,
        why: &CloseReason,
    ) -> bool {
        let Some(e) = self.app.eos.as_mut().filter(|e| e.producer.owns_conn(conn)) else {
            return false;
        };
        e.producer.on_closed(ctx, conn, peer, why);
        self.eos_progress(ctx);
        true
    }

    /// A timer of its producer: true when it was one (the producer's sender and metadata
    /// timers, and request timeouts of its correlation ids).
    pub(crate) fn eos_timer(&mut self, ctx: &mut Ctx<'_>, timer: KafkaTimer) -> bool {
        let mine = match timer {
            KafkaTimer::Sender | KafkaTimer::MetadataMaxAge => true,
            KafkaTimer::RequestTimeout(corr) => corr >= crate::kafka::producer::EMBEDDED_CORR_BASE,
            _ => false,
        };
        let Some(e) = self.app.eos.as_mut().filter(|_| mine) else {
            return false;
        };
        e.producer.on_timer(ctx, timer);
        self.eos_progress(ctx);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_value_names_its_source() {
        let tp = TopicPartition::new("orders-in", 2);
        let v = output_value(Some("v3 <- x"), &tp, 17);
        assert_eq!(v, "v3 <- x <- orders-in-2@17");
        assert_eq!(source_of(&v), Some((tp, 17)));
        assert_eq!(source_of("plain"), None);
        assert_eq!(source_of("v <- orders-x@1"), None);
    }
}
