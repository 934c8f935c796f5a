//! Produce and fetch handling on a broker, with the purgatory of delayed operations
//! (`ReplicaManager.appendRecords` / `fetchMessages`, `DelayedProduce`, `DelayedFetch`).
//!
//! - acks=0 gets no response, acks=1 is answered after the leader's append, acks=all is
//!   held until the high watermark passes the batch (or `timeout_ms` passes). acks=all is
//!   refused up front with NOT_ENOUGH_REPLICAS when the ISR is smaller than the effective
//!   min ISR, `min(min.insync.replicas, replication factor)` (KAFKA-15583, Kafka 3.7:
//!   `Partition.effectiveMinIsr`, used by `appendRecordsToLeader`,
//!   `checkEnoughReplicasReachOffset` and the HW rule alike).
//! - A fetch is answered at once when it can return at least `min_bytes`; otherwise it is
//!   held up to `max_wait_ms`. Followers read up to the LEO, consumers up to the HW. A held
//!   follower fetch completes when new data is appended, not when only the HW moves (case G
//!   of `DelayedFetch.tryComplete`), so followers learn a new HW one fetch later.
//! - A follower's fetch is read first, then its fetch offset tells the leader that
//!   follower's LEO, which may move the ISR and the HW (`Partition.fetchRecords` reads,
//!   capturing the HW, before `updateFollowerFetchState`): an answer sent at once carries
//!   the HW from before this fetch moved it.

use super::Broker;
use crate::ids::NodeId;
use crate::kafka::broker::partition::PartitionState;
use crate::kafka::config::Acks;
use crate::kafka::log::txn::TxnScan;
use crate::kafka::messages::{
    FetchPartition, FetchedPartition, Isolation, KafkaChange, KafkaError, KafkaMsg, KafkaTimer,
    ProduceResult,
};
use crate::kafka::record::Batch;
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;
use std::sync::Arc;

/// A fetch request, kept as is while it waits in purgatory.
#[derive(Clone, Debug)]
pub struct DelayedFetch {
    /// The connection it came on (the answer goes back on it).
    pub conn: ConnId,
    /// Who asked.
    pub from: NodeId,
    /// Its correlation id.
    pub corr: u64,
    /// The follower's id, for replica fetches.
    pub replica: Option<u32>,
    /// Bytes that complete it early.
    pub min_bytes: u64,
    /// Per-partition byte limit.
    pub max_bytes: u64,
    /// LOG_END for followers, HIGH_WATERMARK for consumers.
    pub isolation: Isolation,
    /// What to read.
    pub partitions: Vec<FetchPartition>,
}

/// A produce request as the leader received it.
#[derive(Clone, Debug)]
pub struct ProduceReq {
    /// The connection it came on.
    pub conn: ConnId,
    /// Its correlation id.
    pub corr: u64,
    /// Its acks.
    pub acks: Acks,
    /// How long acks=all may wait, ms.
    pub timeout_ms: u64,
    /// The batches.
    pub batches: Vec<(TopicPartition, Arc<Batch>)>,
}

/// An acks=all produce waiting for the high watermark.
#[derive(Clone, Debug)]
pub struct DelayedProduce {
    /// The connection it came on (the answer goes back on it).
    pub conn: ConnId,
    /// Its correlation id.
    pub corr: u64,
    /// Results so far (base offsets or errors).
    pub results: Vec<ProduceResult>,
    /// For each appended partition, the offset the HW must reach (the batch's end).
    pub required: Vec<(TopicPartition, u64)>,
}

/// `ProducerStateEntry.NUM_BATCHES_TO_RETAIN`: how many of a producer's last batches a
/// partition remembers for duplicate detection.
pub const NUM_BATCHES_TO_RETAIN: usize = 5;

/// How far a fetch with `isolation` may read in `log` whose leader has high watermark
/// `hw`: followers to the LEO, read_uncommitted consumers to the HW, read_committed ones to
/// the last stable offset (with the partition's transactions, which the answer lists the
/// aborted ones of).
fn read_limit(
    isolation: Isolation,
    log: &crate::kafka::log::PartitionLog,
    hw: u64,
) -> (u64, Option<TxnScan>) {
    match isolation {
        Isolation::LogEnd => (log.leo(), None),
        Isolation::HighWatermark => (hw, None),
        Isolation::ReadCommitted => {
            let t = log.transactions();
            (t.last_stable_offset(hw), Some(t))
        }
    }
}

/// The change an ordinary append reports: how many records went in where.
pub(crate) fn appended(tp: &TopicPartition, stored: &Batch, leo: u64) -> KafkaChange {
    KafkaChange::Appended {
        tp: tp.clone(),
        base_offset: stored.base_offset,
        count: stored.records.len() as u64,
        leo,
    }
}

impl Broker {
    /// Appends `batch` to this leader's log of `tp` with its leader epoch
    /// (`Partition.appendRecordsToLeader`): a segment roll, the append (reported by
    /// `report`), then the high watermark, which can move at once when the leader is the
    /// whole ISR. Returns the stored batch and the new LEO; `None` when this broker does not
    /// lead `tp`. The batch is in the page cache afterwards.
    pub(crate) fn append_to_leader(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: &TopicPartition,
        batch: &Batch,
        report: fn(&TopicPartition, &Batch, u64) -> KafkaChange,
    ) -> Option<(Arc<Batch>, u64)> {
        let now = ctx.now();
        let (lag, min_isr) = (
            self.cfg.replica_lag_time_max_ms,
            self.cfg.min_insync_replicas,
        );
        let cfg = self.log_config(&tp.topic);
        let p = self
            .partitions
            .get_mut(tp)
            .filter(|p| p.leader == self.id)?;
        let log = self.disk.log_entry(tp, cfg);
        let (stored, rolled) = log.append_produced(batch, p.leader_epoch, now);
        let leo = log.leo();
        if let Some(base) = rolled {
            ctx.change(KafkaChange::Rolled {
                tp: tp.clone(),
                base_offset: base,
            });
        }
        ctx.change(report(tp, &stored, leo));
        if p.maybe_increment_hw(leo, now, lag, min_isr) {
            ctx.change(KafkaChange::HighWatermark {
                tp: tp.clone(),
                hw: p.hw,
            });
        }
        self.cache_write(tp, stored.base_offset);
        Some((stored, leo))
    }

    /// A produce request's batches (`ReplicaManager.appendRecords`), `refused` answered
    /// with the errors they already have.
    pub(crate) fn handle_produce(
        &mut self,
        ctx: &mut Ctx<'_>,
        req: ProduceReq,
        refused: Vec<ProduceResult>,
    ) {
        let ProduceReq {
            conn,
            corr,
            acks,
            timeout_ms,
            batches,
        } = req;
        let min_isr = self.cfg.min_insync_replicas;
        let mut results = refused;
        let mut required = Vec::new();
        for (tp, batch) in batches {
            let cfg = self.log_config(&tp.topic);
            let Some(p) = self.partitions.get_mut(&tp).filter(|p| p.leader == self.id) else {
                results.push(ProduceResult {
                    tp,
                    base_offset: -1,
                    error: Some(KafkaError::NotLeaderOrFollower),
                });
                continue;
            };
            let needed = p.effective_min_isr(min_isr);
            if acks == Acks::All && (p.isr.len() as u32) < needed {
                ctx.note(format!(
                    "Error processing append operation on partition {tp}: NotEnoughReplicasException: The size of the current ISR {} is insufficient to satisfy the min.isr requirement of {needed} for partition {tp}",
                    PartitionState::scala_set(&p.isr)
                ));
                results.push(ProduceResult {
                    tp,
                    base_offset: -1,
                    error: Some(KafkaError::NotEnoughReplicas),
                });
                continue;
            }
            let log = self.disk.log_entry(&tp, cfg);
            // UnifiedLog.analyzeAndValidateProducerState: a batch seen among the
            // producer's last 5 is a retry; a gap in the sequence is refused.
            if let Some(pi) = batch.producer {
                // checkProducerEpoch: a batch from an older epoch than the partition has
                // seen (a marker written for a newer producer counts) is a zombie's.
                if let Some(last) = log.producer_epoch(pi.id)
                    && pi.epoch < last
                {
                    ctx.note(format!(
                        "{tp}: InvalidProducerEpochException: Epoch of producer {} at offset {} in {tp} is {}, which is smaller than the last seen epoch {last}",
                        pi.id,
                        log.leo(),
                        pi.epoch
                    ));
                    results.push(ProduceResult {
                        tp,
                        base_offset: -1,
                        error: Some(KafkaError::InvalidProducerEpoch),
                    });
                    continue;
                }
                let seen = log.producer_batches(pi.id, NUM_BATCHES_TO_RETAIN);
                let count = batch.records.len() as i32;
                if let Some(&(_, _, _, base, last)) = seen.iter().find(|(e, first, l, _, _)| {
                    *e == pi.epoch
                        && *first == pi.base_sequence
                        && *l == pi.base_sequence + count - 1
                }) {
                    ctx.change(KafkaChange::Duplicate {
                        tp: tp.clone(),
                        producer_id: pi.id,
                        base_sequence: pi.base_sequence,
                        base_offset: base,
                    });
                    required.push((tp.clone(), last + 1));
                    results.push(ProduceResult {
                        tp,
                        base_offset: base as i64,
                        error: None,
                    });
                    continue;
                }
                // checkSequence: the same epoch must go on from the last sequence; a newer
                // epoch must start at 0.
                let expected = match seen.first() {
                    Some(&(e, _, l, _, _)) if e == pi.epoch => Some(l.wrapping_add(1)),
                    Some(&(e, _, _, _, _)) if e < pi.epoch => Some(0),
                    _ => None,
                };
                if expected.is_some_and(|e| e != pi.base_sequence) {
                    ctx.note(format!(
                        "{tp}: OutOfOrderSequenceException: Out of order sequence number for producer {} at offset {}: {} (incoming seq. number), {} (expected)",
                        pi.id,
                        log.leo(),
                        pi.base_sequence,
                        expected.unwrap_or(-1)
                    ));
                    results.push(ProduceResult {
                        tp,
                        base_offset: -1,
                        error: Some(KafkaError::OutOfOrderSequence),
                    });
                    continue;
                }
            }
            let Some((stored, leo)) = self.append_to_leader(ctx, &tp, &batch, appended) else {
                continue;
            };
            required.push((tp.clone(), leo));
            results.push(ProduceResult {
                tp,
                base_offset: stored.base_offset as i64,
                error: None,
            });
        }
        match acks {
            Acks::None => {}
            Acks::Leader => ctx.send(conn, KafkaMsg::ProduceResponse { corr, results }),
            Acks::All => {
                let id = self.next_delayed;
                self.next_delayed += 1;
                self.delayed_produces.insert(
                    id,
                    DelayedProduce {
                        conn,
                        corr,
                        results,
                        required,
                    },
                );
                ctx.set_timer(KafkaTimer::DelayedProduce(id), timeout_ms);
            }
        }
        self.try_complete_delayed(ctx);
    }

    pub(crate) fn handle_fetch(&mut self, ctx: &mut Ctx<'_>, req: DelayedFetch, max_wait_ms: u64) {
        let now = ctx.now();
        let (lag, min_isr) = (
            self.cfg.replica_lag_time_max_ms,
            self.cfg.min_insync_replicas,
        );
        // Read first (the HW is captured here), then record what the fetch tells us.
        let (available, error) = self.fetchable(&req);
        let answer_now = error || available >= req.min_bytes || max_wait_ms == 0;
        let answer = answer_now.then(|| self.fetch_response(&req));
        let mut hw_moved = false;
        let mut expanded = Vec::new();
        if let Some(follower) = req.replica {
            for fp in &req.partitions {
                let leo = self.leo(&fp.tp).unwrap_or(0);
                let Some(p) = self
                    .partitions
                    .get_mut(&fp.tp)
                    .filter(|p| p.leader == self.id)
                else {
                    continue;
                };
                // Partition.updateFollowerFetchState.
                let changed = p.update_follower(follower, fp.fetch_offset, now, leo);
                if let Some(isr) = p.maybe_expand_isr(follower) {
                    let reason = format!(
                        "Expanding ISR: replica {follower} caught up to the high watermark"
                    );
                    expanded.push((fp.tp.clone(), isr, reason));
                }
                if changed && p.maybe_increment_hw(leo, now, lag, min_isr) {
                    ctx.change(KafkaChange::HighWatermark {
                        tp: fp.tp.clone(),
                        hw: p.hw,
                    });
                    hw_moved = true;
                }
            }
        }
        for (tp, isr, reason) in expanded {
            self.propose_isr(ctx, &tp, isr, reason);
        }
        match answer {
            Some(msg) => ctx.send(req.conn, msg),
            None => {
                let id = self.next_delayed;
                self.next_delayed += 1;
                self.delayed_fetches.insert(id, req);
                ctx.set_timer(KafkaTimer::DelayedFetch(id), max_wait_ms);
            }
        }
        if hw_moved {
            self.try_complete_delayed(ctx);
        }
    }

    /// Bytes the fetch could return now, and whether any partition would return an error.
    fn fetchable(&self, req: &DelayedFetch) -> (u64, bool) {
        let mut bytes = 0;
        for fp in &req.partitions {
            let Some(p) = self.partitions.get(&fp.tp).filter(|p| p.leader == self.id) else {
                return (bytes, true);
            };
            let Some(log) = self.disk.logs.get(&fp.tp) else {
                return (bytes, true);
            };
            if fp.fetch_offset > log.leo() {
                return (bytes, true);
            }
            let (limit, _) = read_limit(req.isolation, log, p.hw);
            bytes += log
                .bytes_available(fp.fetch_offset, limit)
                .min(req.max_bytes);
        }
        (bytes, false)
    }

    fn respond_fetch(&mut self, ctx: &mut Ctx<'_>, req: &DelayedFetch) {
        let resp = self.fetch_response(req);
        if let KafkaMsg::FetchResponse { partitions, .. } = &resp {
            for fp in partitions {
                for b in &fp.batches {
                    self.cache_read(&fp.tp, b.base_offset);
                }
            }
        }
        ctx.send(req.conn, resp);
    }

    /// The answer to a fetch as of now: whole batches below the limit, and the HW.
    fn fetch_response(&self, req: &DelayedFetch) -> KafkaMsg {
        let partitions = req
            .partitions
            .iter()
            .map(|fp| {
                let p = self.partitions.get(&fp.tp).filter(|p| p.leader == self.id);
                let log = self.disk.logs.get(&fp.tp);
                match (p, log) {
                    (Some(p), Some(log)) if fp.fetch_offset <= log.leo() => {
                        let (limit, txns) = read_limit(req.isolation, log, p.hw);
                        let batches = log.read(fp.fetch_offset, limit, req.max_bytes);
                        let end = batches.last().map_or(fp.fetch_offset, |b| b.next_offset());
                        FetchedPartition {
                            tp: fp.tp.clone(),
                            error: None,
                            high_watermark: p.hw,
                            last_stable_offset: txns.is_some().then_some(limit),
                            aborted: txns
                                .map(|t| t.aborted_between(fp.fetch_offset, end))
                                .unwrap_or_default(),
                            batches,
                        }
                    }
                    (Some(p), Some(_)) => FetchedPartition {
                        tp: fp.tp.clone(),
                        error: Some(KafkaError::OffsetOutOfRange),
                        high_watermark: p.hw,
                        batches: Vec::new(),
                        last_stable_offset: None,
                        aborted: Vec::new(),
                    },
                    _ => FetchedPartition {
                        tp: fp.tp.clone(),
                        error: Some(KafkaError::NotLeaderOrFollower),
                        high_watermark: 0,
                        batches: Vec::new(),
                        last_stable_offset: None,
                        aborted: Vec::new(),
                    },
                }
            })
            .collect();
        KafkaMsg::FetchResponse {
            corr: req.corr,
            partitions,
        }
    }

    /// Completes every delayed produce whose partitions' HWs reached the required offsets
    /// (or whose partition this broker no longer leads: `DelayedProduce.tryComplete` case
    /// A) and every delayed fetch that now has enough bytes (`tryCompleteDelayedRequests`).
    pub(crate) fn try_complete_delayed(&mut self, ctx: &mut Ctx<'_>) {
        let min_isr = self.cfg.min_insync_replicas;
        let me = self.id;
        fn leads(p: Option<&PartitionState>, me: u32) -> Option<&PartitionState> {
            p.filter(|p| p.leader == me)
        }
        let ready: Vec<u64> = self
            .delayed_produces
            .iter()
            .filter(|(_, d)| {
                d.required.iter().all(|(tp, off)| {
                    leads(self.partitions.get(tp), me).is_none_or(|p| p.hw >= *off)
                })
            })
            .map(|(id, _)| *id)
            .collect();
        for id in ready {
            let Some(mut d) = self.delayed_produces.remove(&id) else {
                continue;
            };
            ctx.cancel_timer(KafkaTimer::DelayedProduce(id));
            for r in d.results.iter_mut().filter(|r| r.error.is_none()) {
                match leads(self.partitions.get(&r.tp), me) {
                    None => r.error = Some(KafkaError::NotLeaderOrFollower),
                    // checkEnoughReplicasReachOffset: the ISR may have shrunk after the
                    // append.
                    Some(p) if (p.isr.len() as u32) < p.effective_min_isr(min_isr) => {
                        r.error = Some(KafkaError::NotEnoughReplicasAfterAppend)
                    }
                    Some(_) => {}
                }
            }
            ctx.send(
                d.conn,
                KafkaMsg::ProduceResponse {
                    corr: d.corr,
                    results: d.results,
                },
            );
        }
        let ready: Vec<u64> = self
            .delayed_fetches
            .iter()
            .filter(|(_, req)| {
                let (bytes, error) = self.fetchable(req);
                error || bytes >= req.min_bytes
            })
            .map(|(id, _)| *id)
            .collect();
        for id in ready {
            if let Some(req) = self.delayed_fetches.remove(&id) {
                ctx.cancel_timer(KafkaTimer::DelayedFetch(id));
                self.respond_fetch(ctx, &req);
            }
        }
        self.complete_txn_delayed(ctx);
        self.complete_group_delayed(ctx);
    }

    pub(crate) fn expire_fetch(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        if let Some(req) = self.delayed_fetches.remove(&id) {
            self.respond_fetch(ctx, &req);
        }
    }

    pub(crate) fn expire_produce(&mut self, ctx: &mut Ctx<'_>, id: u64) {
        let Some(mut d) = self.delayed_produces.remove(&id) else {
            return;
        };
        for r in d.results.iter_mut() {
            let short = d
                .required
                .iter()
                .any(|(tp, off)| *tp == r.tp && self.hw(tp).is_some_and(|hw| hw < *off));
            if r.error.is_none() && short {
                r.error = Some(KafkaError::RequestTimedOut);
            }
        }
        ctx.send(
            d.conn,
            KafkaMsg::ProduceResponse {
                corr: d.corr,
                results: d.results,
            },
        );
    }
}

impl Broker {
    /// ListOffsets for one partition (`Partition.fetchOffsetForTimestamp`): the log start
    /// offset for EARLIEST; for LATEST the high watermark (READ_UNCOMMITTED) or the last
    /// stable offset (READ_COMMITTED). NOT_LEADER_OR_FOLLOWER unless this broker leads it.
    pub(crate) fn list_offset(
        &self,
        tp: &TopicPartition,
        earliest: bool,
        read_committed: bool,
    ) -> Result<u64, KafkaError> {
        let part = self
            .partitions
            .get(tp)
            .filter(|p| p.leader == self.id)
            .ok_or(KafkaError::NotLeaderOrFollower)?;
        let log = self
            .disk
            .logs
            .get(tp)
            .ok_or(KafkaError::NotLeaderOrFollower)?;
        Ok(if earliest {
            log.log_start_offset()
        } else if read_committed {
            log.last_stable_offset(part.hw)
        } else {
            part.hw
        })
    }
}
