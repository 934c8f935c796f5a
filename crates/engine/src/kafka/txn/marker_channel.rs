//! A coordinator's marker channel (apache/kafka 3.8 `TransactionMarkerChannelManager`,
//! `TransactionMarkerRequestCompletionHandler`): once PrepareCommit / PrepareAbort is
//! durable, WriteTxnMarkers goes to the leader of every partition of the transaction (one
//! request per broker, to itself by loopback); failed markers and markers of partitions
//! without a leader are sent again every 100 ms; when every marker is written the
//! coordinator logs CompleteCommit / CompleteAbort.

use super::coordinator::AfterWrite;
use super::state::TxnState;
use super::{TxnMarker, TxnMsg};
use crate::kafka::broker::Broker;
use crate::kafka::messages::{KafkaError, KafkaMsg, KafkaTimer};
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Ctx;
use std::collections::{BTreeMap, BTreeSet};

impl Broker {
    /// PrepareCommit / PrepareAbort is durable: mark every partition of the transaction.
    pub(super) fn start_markers(&mut self, ctx: &mut Ctx<'_>, txn_id: &str) {
        let Some(meta) = self.txn.txns.get(txn_id).map(|e| e.meta.clone()) else {
            return;
        };
        self.txn
            .todo
            .insert(txn_id.to_string(), meta.partitions.clone());
        self.send_markers(ctx);
        self.maybe_complete_txn(ctx, txn_id);
    }

    /// Sends every marker still to be written to its partition's leader, one request per
    /// broker (`TransactionMarkerChannelManager.drainQueuedTransactionMarkers`). Markers
    /// whose partition has no leader wait for the retry.
    pub(crate) fn send_markers(&mut self, ctx: &mut Ctx<'_>) {
        let mut by_broker: BTreeMap<u32, Vec<(String, TopicPartition)>> = BTreeMap::new();
        let mut waiting = false;
        for (txn_id, tps) in &mut self.txn.todo {
            let sent: Vec<TopicPartition> = tps
                .iter()
                .filter(|tp| {
                    let leader = self.metadata.partition(tp).and_then(|p| p.leader);
                    match leader {
                        Some(b) => {
                            by_broker
                                .entry(b)
                                .or_default()
                                .push((txn_id.clone(), (*tp).clone()));
                            true
                        }
                        None => {
                            waiting = true;
                            false
                        }
                    }
                })
                .cloned()
                .collect();
            for tp in sent {
                tps.remove(&tp);
            }
        }
        for (broker, items) in by_broker {
            let mut markers: Vec<TxnMarker> = Vec::new();
            for (txn_id, tp) in &items {
                let Some(e) = self.txn.txns.get(txn_id) else {
                    continue;
                };
                let coordinator_epoch =
                    self.txn.owned.get(&e.partition).copied().unwrap_or(0) as i32;
                match markers
                    .iter_mut()
                    .find(|m| m.producer_id == e.meta.producer_id)
                {
                    Some(m) => m.partitions.push(tp.clone()),
                    None => markers.push(TxnMarker {
                        producer_id: e.meta.producer_id,
                        producer_epoch: e.meta.producer_epoch,
                        commit: e.meta.state == TxnState::PrepareCommit,
                        coordinator_epoch,
                        partitions: vec![tp.clone()],
                    }),
                }
            }
            let corr = self.txn.next_corr;
            self.txn.next_corr += 1;
            let msg = KafkaMsg::Txn(TxnMsg::WriteTxnMarkers { corr, markers });
            if broker == self.id {
                ctx.loopback(msg);
            } else {
                self.txn.net.send(ctx, broker, msg);
            }
            self.txn.in_flight.insert(corr, (broker, items));
        }
        if waiting {
            self.schedule_marker_retry(ctx);
        }
    }

    fn schedule_marker_retry(&mut self, ctx: &mut Ctx<'_>) {
        if !self.txn.retry_set {
            self.txn.retry_set = true;
            ctx.set_timer(KafkaTimer::TxnMarkerRetry, 100);
        }
    }

    /// The retry timer: send what is still to be marked.
    pub(crate) fn retry_markers(&mut self, ctx: &mut Ctx<'_>) {
        self.txn.retry_set = false;
        self.send_markers(ctx);
    }

    /// A WriteTxnMarkers answer: written partitions are done, failed ones are sent again
    /// after a backoff (`TransactionMarkerRequestCompletionHandler`).
    pub(super) fn on_markers_written(
        &mut self,
        ctx: &mut Ctx<'_>,
        corr: u64,
        results: Vec<(i64, TopicPartition, Option<KafkaError>)>,
    ) {
        let Some((_, items)) = self.txn.in_flight.remove(&corr) else {
            return;
        };
        let mut retry = false;
        let mut touched = BTreeSet::new();
        for (txn_id, tp) in items {
            let ok = results.iter().any(|(_, t, e)| *t == tp && e.is_none());
            if !ok {
                retry = true;
                if let Some(todo) = self.txn.todo.get_mut(&txn_id) {
                    todo.insert(tp);
                }
            }
            touched.insert(txn_id);
        }
        if retry {
            self.schedule_marker_retry(ctx);
        }
        for txn_id in touched {
            self.maybe_complete_txn(ctx, &txn_id);
        }
    }

    /// The marker channel lost its connection to `broker`: what was in flight on it is
    /// sent again.
    pub(crate) fn marker_conn_lost(&mut self, ctx: &mut Ctx<'_>, broker: u32) {
        self.verification_conn_lost(ctx, broker);
        let lost: Vec<u64> = self
            .txn
            .in_flight
            .iter()
            .filter(|(_, (b, _))| *b == broker)
            .map(|(c, _)| *c)
            .collect();
        for corr in lost {
            if let Some((_, items)) = self.txn.in_flight.remove(&corr) {
                for (txn_id, tp) in items {
                    self.txn.todo.entry(txn_id).or_default().insert(tp);
                }
            }
        }
        self.schedule_marker_retry(ctx);
    }

    /// Every marker of `txn_id` is written: CompleteCommit / CompleteAbort.
    fn maybe_complete_txn(&mut self, ctx: &mut Ctx<'_>, txn_id: &str) {
        let open = self.txn.todo.get(txn_id).is_some_and(|t| !t.is_empty())
            || self
                .txn
                .in_flight
                .values()
                .any(|(_, items)| items.iter().any(|(id, _)| id == txn_id));
        if open || !self.txn.todo.contains_key(txn_id) {
            return;
        }
        self.txn.todo.remove(txn_id);
        let Some(e) = self.txn.txns.get(txn_id) else {
            return;
        };
        let mut next = e.meta.clone();
        next.state = match next.state {
            TxnState::PrepareCommit => TxnState::CompleteCommit,
            TxnState::PrepareAbort => TxnState::CompleteAbort,
            _ => return,
        };
        next.partitions.clear();
        next.last_update_ms = ctx.now();
        self.write_txn_state(ctx, txn_id, next, AfterWrite::Complete);
    }
}
