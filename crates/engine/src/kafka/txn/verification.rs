//! A leader verifying a transactional produce with the coordinator (KIP-890 part 1,
//! `transaction.partition.verification.enable`, on by default since Kafka 3.6;
//! apache/kafka 3.8 `ReplicaManager.appendRecords`, `AddPartitionsToTxnManager`,
//! `TransactionCoordinator.handleVerifyPartitionsInTransaction`).
//!
//! When a transactional batch is the producer's first on a partition since its last
//! marker (the partition has no open transaction of that producer id), the leader holds
//! the produce request and asks the transaction's coordinator, with AddPartitionsToTxn
//! (verify only), whether the partition is in the transaction. Only verified partitions
//! are appended. This stops a late write from a transaction that already ended from
//! opening a new one that nobody will close (a hanging transaction, which would hold the
//! LSO forever). The coordinator's answers reach the producer as:
//! - not in the transaction (TRANSACTION_ABORTABLE) → INVALID_TXN_STATE ("Partition was
//!   not added to the transaction");
//! - PRODUCER_FENCED → INVALID_PRODUCER_EPOCH;
//! - CONCURRENT_TRANSACTIONS, a lost connection, COORDINATOR_LOAD_IN_PROGRESS,
//!   COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR → NOT_ENOUGH_REPLICAS, which the producer
//!   retries ("Unable to verify the partition has been added to the transaction").

use super::{TOPIC, TxnMsg, partition_for};
use crate::kafka::broker::Broker;
use crate::kafka::broker::requests::ProduceReq;
use crate::kafka::messages::{KafkaError, KafkaMsg, ProduceResult};
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Ctx;

/// A produce request held while the coordinator verifies some of its partitions.
#[derive(Clone, Debug)]
pub(crate) struct Held {
    req: ProduceReq,
    /// The partitions asked about.
    asked: Vec<TopicPartition>,
    /// The coordinator asked.
    coordinator: u32,
}

/// The produce error a verification failure becomes.
fn produce_error(e: KafkaError) -> KafkaError {
    match e {
        KafkaError::TransactionAbortable | KafkaError::InvalidTxnState => {
            KafkaError::InvalidTxnState
        }
        KafkaError::ProducerFenced | KafkaError::InvalidProducerEpoch => {
            KafkaError::InvalidProducerEpoch
        }
        KafkaError::InvalidProducerIdMapping => KafkaError::InvalidProducerIdMapping,
        _ => KafkaError::NotEnoughReplicas,
    }
}

impl Broker {
    /// A produce request: appended at once, or held for verification first.
    pub(crate) fn produce_request(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: ProduceReq,
        transactional_id: Option<String>,
    ) {
        let Some(txn_id) = transactional_id else {
            return self.append_request(ctx, req, Vec::new());
        };
        let me = self.id;
        let need: Vec<TopicPartition> = req
            .batches
            .iter()
            .filter(|(tp, b)| {
                let Some(pid) = b
                    .producer
                    .filter(|_| b.transactional && b.control.is_none())
                else {
                    return false;
                };
                let leads = self.partitions.get(tp).is_some_and(|p| p.leader == me);
                let open = self
                    .disk
                    .logs
                    .get(tp)
                    .is_some_and(|l| l.transactions().ongoing.contains_key(&pid.id));
                leads && !open
            })
            .map(|(tp, _)| tp.clone())
            .collect();
        if need.is_empty() {
            return self.append_request(ctx, req, Vec::new());
        }
        let pid = req
            .batches
            .iter()
            .find_map(|(_, b)| b.producer)
            .map_or((-1, -1), |p| (p.id, p.epoch));
        let coordinator_tp =
            TopicPartition::new(TOPIC, partition_for(&txn_id, self.cfg.txn_state_partitions));
        let Some(coordinator) = self
            .metadata
            .partition(&coordinator_tp)
            .and_then(|p| p.leader)
        else {
            let errors = need
                .iter()
                .map(|tp| (tp.clone(), KafkaError::CoordinatorNotAvailable))
                .collect();
            return self.verified(ctx, req, errors);
        };
        let corr = self.txn.next_corr;
        self.txn.next_corr += 1;
        let msg = KafkaMsg::Txn(TxnMsg::AddPartitionsToTxn {
            corr,
            transactional_id: txn_id,
            producer_id: pid.0,
            producer_epoch: pid.1,
            partitions: need.clone(),
            verify_only: true,
        });
        if coordinator == self.id {
            ctx.loopback(msg);
        } else {
            self.txn.net.send(ctx, coordinator, msg);
        }
        self.txn.held.insert(
            corr,
            Held {
                req,
                asked: need,
                coordinator,
            },
        );
    }

    /// Appends a request's batches, the ones refused before answered with their errors.
    fn append_request(&mut self, ctx: &mut Ctx<'_>, req: ProduceReq, refused: Vec<ProduceResult>) {
        self.handle_produce(ctx, req, refused);
    }

    /// The verification of a held request came back (or failed): partitions with an
    /// error are refused, the others appended.
    fn verified(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: ProduceReq,
        errors: Vec<(TopicPartition, KafkaError)>,
    ) {
        let mut req = req;
        let mut refused = Vec::new();
        for (tp, e) in errors {
            let error = produce_error(e);
            ctx.note(match error {
                KafkaError::InvalidTxnState => {
                    format!("{tp}: InvalidTxnStateException: Partition was not added to the transaction")
                }
                KafkaError::NotEnoughReplicas => format!(
                    "{tp}: NotEnoughReplicasException: Unable to verify the partition has been added to the transaction. Underlying error: {e}"
                ),
                other => format!("{tp}: transaction verification failed: {other}"),
            });
            req.batches.retain(|(t, _)| *t != tp);
            refused.push(ProduceResult {
                tp,
                base_offset: -1,
                error: Some(error),
            });
        }
        self.append_request(ctx, req, refused);
    }

    /// The coordinator's answer to a verification.
    pub(crate) fn on_verification(
        &mut self,
        ctx: &mut Ctx<'_>,
        corr: u64,
        error: Option<KafkaError>,
        partition_errors: Vec<(TopicPartition, KafkaError)>,
    ) {
        let Some(held) = self.txn.held.remove(&corr) else {
            return;
        };
        let errors = match error {
            Some(e) => held.asked.iter().map(|tp| (tp.clone(), e)).collect(),
            None => partition_errors,
        };
        self.verified(ctx, held.req, errors);
    }

    /// The connection to a coordinator closed: its held requests fail verification with
    /// NETWORK_EXCEPTION (the producer retries).
    pub(crate) fn verification_conn_lost(&mut self, ctx: &mut Ctx<'_>, broker: u32) {
        let lost: Vec<u64> = self
            .txn
            .held
            .iter()
            .filter(|(_, h)| h.coordinator == broker)
            .map(|(c, _)| *c)
            .collect();
        for corr in lost {
            self.on_verification(ctx, corr, Some(KafkaError::NetworkException), Vec::new());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_errors_become_what_producers_expect() {
        use KafkaError as E;
        assert_eq!(produce_error(E::TransactionAbortable), E::InvalidTxnState);
        assert_eq!(produce_error(E::ProducerFenced), E::InvalidProducerEpoch);
        for retriable in [
            E::ConcurrentTransactions,
            E::NetworkException,
            E::CoordinatorLoadInProgress,
            E::CoordinatorNotAvailable,
            E::NotCoordinator,
        ] {
            assert_eq!(produce_error(retriable), E::NotEnoughReplicas);
        }
    }
}
