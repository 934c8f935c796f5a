//! A coordinator taking and giving up `__transaction_state` partitions
//! (`TransactionCoordinator.onElection` / `onResignation`,
//! `TransactionStateManager.loadTransactionsForTxnTopicPartition`) and its
//! `transaction-abort` task (`abortTimedOutTransactions`).

use super::coordinator::{AfterWrite, Entry};
use super::state::{TxnMetadata, TxnState};
use super::{TOPIC, partition_for};
use crate::kafka::broker::Broker;
use crate::kafka::messages::KafkaTimer;
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Ctx;
use std::collections::BTreeMap;

impl Broker {
    /// Loads the `__transaction_state` partitions this broker now leads and forgets the
    /// ones it stopped leading (`onElection` / `onResignation`). Called after every
    /// LeaderAndIsr and StopReplica.
    pub(crate) fn txn_roles_changed(&mut self, ctx: &mut Ctx<'_>) {
        let (led, gone) = self.internal_leadership(TOPIC, &self.txn.owned);
        for p in gone {
            self.txn.owned.remove(&p);
            self.txn.txns.retain(|_, e| e.partition != p);
            self.txn
                .todo
                .retain(|id, _| partition_for(id, self.cfg.txn_state_partitions) != p);
            ctx.note(format!("Resigned as the txn coordinator for partition {p}"));
        }
        for (p, epoch) in led {
            if self.txn.owned.contains_key(&p) {
                continue;
            }
            let tp = TopicPartition::new(TOPIC, p);
            let mut loaded: BTreeMap<String, TxnMetadata> = BTreeMap::new();
            if let Some(log) = self.disk.logs.get(&tp) {
                for b in log.batches() {
                    for r in &b.records {
                        if let (Some(k), Some(v)) = (&r.key, &r.value)
                            && let Some(m) = TxnMetadata::from_text(v)
                        {
                            loaded.insert(k.clone(), m);
                        }
                    }
                }
            }
            ctx.note(format!(
                "Elected as the txn coordinator for partition {p} at epoch {epoch}; loaded {} transaction metadata from {tp}",
                loaded.len()
            ));
            self.txn.owned.insert(p, epoch);
            let prepared: Vec<String> = loaded
                .iter()
                .filter(|(_, m)| {
                    matches!(m.state, TxnState::PrepareCommit | TxnState::PrepareAbort)
                })
                .map(|(k, _)| k.clone())
                .collect();
            for (k, meta) in loaded {
                self.txn.txns.insert(
                    k,
                    Entry {
                        partition: p,
                        meta,
                        pending: None,
                    },
                );
            }
            for k in prepared {
                self.start_markers(ctx, &k);
            }
        }
        if !self.txn.owned.is_empty() && !self.txn.abort_task {
            self.txn.abort_task = true;
            ctx.set_timer(KafkaTimer::TxnAbortTimedOut, self.cfg.txn_abort_interval_ms);
        }
    }

    /// The `transaction-abort` task (`abortTimedOutTransactions`): every Ongoing
    /// transaction older than its timeout is aborted with a bumped epoch, which fences
    /// its producer.
    pub(crate) fn abort_timed_out(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        let expired: Vec<(String, TxnMetadata)> = self
            .txn
            .txns
            .iter()
            .filter(|(_, e)| {
                e.pending.is_none()
                    && e.meta.state == TxnState::Ongoing
                    && now > e.meta.txn_start_ms.saturating_add(e.meta.timeout_ms)
            })
            .map(|(k, e)| (k.clone(), e.meta.clone()))
            .collect();
        for (txn_id, meta) in expired {
            let mut next = meta.clone();
            next.producer_epoch = next.producer_epoch.saturating_add(1);
            next.state = TxnState::PrepareAbort;
            next.last_update_ms = now;
            ctx.note(format!(
                "Aborting transaction {txn_id} with producerId {} and epoch {}: it has been open {} ms, past its timeout of {} ms; the epoch is bumped to {}",
                meta.producer_id,
                meta.producer_epoch,
                now - meta.txn_start_ms,
                meta.timeout_ms,
                next.producer_epoch
            ));
            self.write_txn_state(ctx, &txn_id, next, AfterWrite::TimeoutAbort);
        }
        ctx.set_timer(KafkaTimer::TxnAbortTimedOut, self.cfg.txn_abort_interval_ms);
    }
}
