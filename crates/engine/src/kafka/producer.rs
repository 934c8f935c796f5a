//! A Kafka producer (`KafkaProducer`, `RecordAccumulator`, `Sender`).
//!
//! `send` partitions each record (see [`crate::kafka::partitioner`]) and appends it to a
//! per-partition batch in the accumulator; the sender drains batches that are full or
//! whose `linger.ms` has passed, one request per leader broker with at most one batch per
//! partition, keeping at most `max.in.flight.requests.per.connection` requests in flight.
//! Retriable errors and timeouts put the batch back for another try after
//! `retry.backoff.ms`, until `delivery.timeout.ms`. This producer is not idempotent yet
//! (the real default since 3.0 is `enable.idempotence=true`; that arrives with its own
//! issue).

use crate::ids::NodeId;
use crate::kafka::client_metadata::ClientMetadata;
use crate::kafka::config::{Acks, ProducerConfig};
use crate::kafka::messages::{KafkaChange, KafkaError, KafkaMsg, KafkaTimer, ProduceResult};
use crate::kafka::partitioner::{RecordInfo, StickyPartitioner, choose};
use crate::kafka::record::{Batch, Record, batch_size};
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Ctx;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// What `produce ...` asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProduceSpec {
    /// Topic.
    pub topic: String,
    /// Explicit partition.
    pub partition: Option<u32>,
    /// Key (with `count`, a running number 1..=count is appended).
    pub key: Option<String>,
    /// Value (with `count`, a running number is appended).
    pub value: Option<String>,
    /// How many records (>= 1).
    pub count: u32,
    /// acks for these records; the producer's `acks` setting when absent.
    pub acks: Option<Acks>,
}

#[derive(Clone, Debug)]
struct Pending {
    topic: String,
    partition: Option<u32>,
    record: Record,
    acks: Acks,
}

#[derive(Clone, Debug)]
struct ProducerBatch {
    records: Vec<Record>,
    /// Size of `records` as a v2 batch, bytes (kept as records are added).
    size: u64,
    created_ms: u64,
    retry_at: u64,
}

impl ProducerBatch {
    fn new(record: Record, now: u64) -> Self {
        let size = batch_size(std::slice::from_ref(&record));
        ProducerBatch {
            records: vec![record],
            size,
            created_ms: now,
            retry_at: 0,
        }
    }

    /// The batch's size with `r` appended (what `batch_size` would give for the longer batch).
    fn size_with(&self, r: &Record) -> u64 {
        let base_ts = self.records.first().map_or(r.timestamp, |f| f.timestamp);
        self.size
            + r.size_in_batch(
                self.records.len() as i32,
                r.timestamp as i64 - base_ts as i64,
            )
    }
}

#[derive(Clone, Debug)]
struct InFlight {
    broker: u32,
    acks: Acks,
    batches: Vec<(TopicPartition, ProducerBatch)>,
}

/// Per-partition delivery counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryStats {
    /// Records the application handed over.
    pub sent: u64,
    /// Records acknowledged.
    pub acked: u64,
    /// Records that failed for good.
    pub failed: u64,
}

/// A producer client.
#[derive(Clone, Debug)]
pub struct Producer {
    id: u32,
    cfg: ProducerConfig,
    metadata: ClientMetadata,
    waiting: Vec<Pending>,
    accumulator: BTreeMap<(TopicPartition, Acks), VecDeque<ProducerBatch>>,
    in_flight: BTreeMap<u64, InFlight>,
    sticky: StickyPartitioner,
    next_corr: u64,
    stats: BTreeMap<TopicPartition, DeliveryStats>,
}

impl Producer {
    /// A producer that bootstraps from `bootstrap` broker ids.
    pub fn new(id: u32, cfg: ProducerConfig, bootstrap: Vec<u32>) -> Self {
        Producer {
            id,
            cfg,
            metadata: ClientMetadata::new(bootstrap),
            waiting: Vec::new(),
            accumulator: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            sticky: StickyPartitioner::default(),
            next_corr: 0,
            stats: BTreeMap::new(),
        }
    }

    /// The client number.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Delivery counts per partition.
    pub fn stats(&self) -> &BTreeMap<TopicPartition, DeliveryStats> {
        &self.stats
    }

    /// Records waiting in the accumulator or for metadata.
    pub fn queued(&self) -> u64 {
        let acc: usize = self
            .accumulator
            .values()
            .flatten()
            .map(|b| b.records.len())
            .sum();
        (acc + self.waiting.len()) as u64
    }

    /// Produce requests in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// A restart loses everything in memory.
    pub fn crash(&mut self) {
        *self = Producer::new(
            self.id,
            self.cfg.clone(),
            self.metadata.bootstrap().to_vec(),
        );
    }

    /// `send` for each record of `spec`.
    pub fn produce(&mut self, ctx: &mut Ctx<'_>, spec: &ProduceSpec) {
        let acks = spec.acks.unwrap_or(self.cfg.acks);
        let numbered = |base: &Option<String>, i: u32| match base {
            Some(s) if spec.count > 1 => Some(format!("{s}{i}")),
            other => other.clone(),
        };
        for i in 1..=spec.count.max(1) {
            self.waiting.push(Pending {
                topic: spec.topic.clone(),
                partition: spec.partition,
                record: Record {
                    key: numbered(&spec.key, i),
                    value: numbered(&spec.value, i),
                    timestamp: ctx.now(),
                },
                acks,
            });
        }
        self.drain_waiting(ctx);
    }

    /// Moves records whose topic metadata is known into the accumulator.
    fn drain_waiting(&mut self, ctx: &mut Ctx<'_>) {
        let waiting = std::mem::take(&mut self.waiting);
        let mut need_metadata = false;
        let mut added: BTreeMap<TopicPartition, (u64, &'static str)> = BTreeMap::new();
        for p in waiting {
            let Some(parts) = self.metadata.topic(&p.topic) else {
                need_metadata = true;
                self.waiting.push(p);
                continue;
            };
            let n = parts.len() as u32;
            if let Some(x) = p.partition.filter(|&x| x >= n) {
                let tp = TopicPartition::new(&p.topic, x);
                ctx.note(format!(
                    "Invalid partition given with record: {x} is not in the range [0...{n})."
                ));
                self.stats.entry(tp.clone()).or_default().failed += 1;
                continue;
            }
            let available: Vec<u32> = parts
                .iter()
                .filter(|m| m.leader.is_some())
                .map(|m| m.partition)
                .collect();
            let size = p.record.size_in_batch(0, 0);
            let info = RecordInfo {
                topic: &p.topic,
                explicit: p.partition,
                key: p.record.key.as_deref(),
                partitions: n,
                available: &available,
                batch_size: self.cfg.batch_size,
                record_bytes: size,
            };
            let (partition, how) = choose(&mut self.sticky, ctx.rng(), &info);
            let tp = TopicPartition::new(&p.topic, partition);
            self.stats.entry(tp.clone()).or_default().sent += 1;
            let e = added.entry(tp.clone()).or_insert((0, how.name()));
            e.0 += 1;
            let q = self.accumulator.entry((tp, p.acks)).or_default();
            let grown = q.back().map(|b| b.size_with(&p.record));
            match (q.back_mut(), grown) {
                (Some(b), Some(size)) if size <= self.cfg.batch_size => {
                    b.size = size;
                    b.records.push(p.record);
                }
                _ => q.push_back(ProducerBatch::new(p.record, ctx.now())),
            }
        }
        for (tp, (count, how)) in added {
            ctx.change(KafkaChange::Accumulated {
                tp,
                count,
                how: how.to_string(),
            });
        }
        if need_metadata {
            self.request_metadata(ctx);
        }
        // The sender decides what is ready; it sleeps until the next linger.ms deadline.
        self.wake_sender(ctx, 0);
    }

    fn wake_sender(&self, ctx: &mut Ctx<'_>, after: u64) {
        ctx.set_timer(KafkaTimer::Sender, after);
    }

    /// Asks for metadata of every topic it sends to or knows.
    fn request_metadata(&mut self, ctx: &mut Ctx<'_>) {
        let mut topics: Vec<String> = self.waiting.iter().map(|p| p.topic.clone()).collect();
        topics.extend(self.metadata.known_topics().cloned());
        topics.extend(self.accumulator.keys().map(|(tp, _)| tp.topic.clone()));
        topics.sort();
        topics.dedup();
        let timeout = self.cfg.request_timeout_ms;
        self.metadata
            .request(ctx, &mut self.next_corr, topics, timeout);
    }

    /// The sender thread's loop body: send every ready batch, then sleep until the next
    /// batch becomes ready.
    fn run_sender(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        let mut per_broker: BTreeMap<u32, usize> = BTreeMap::new();
        for f in self.in_flight.values() {
            *per_broker.entry(f.broker).or_default() += 1;
        }
        let mut groups: BTreeMap<(u32, Acks), Vec<(TopicPartition, ProducerBatch)>> =
            BTreeMap::new();
        let mut next_wake: Option<u64> = None;
        let mut missing_leader = false;
        let keys: Vec<(TopicPartition, Acks)> = self.accumulator.keys().cloned().collect();
        for key in keys {
            let Some(leader) = self.metadata.leader_of(&key.0) else {
                missing_leader = true;
                continue;
            };
            let Some(q) = self.accumulator.get_mut(&key) else {
                continue;
            };
            let Some(front) = q.front() else { continue };
            let full = q.len() > 1 || front.size >= self.cfg.batch_size;
            let ready_at = if full {
                front.retry_at
            } else {
                (front.created_ms + self.cfg.linger_ms).max(front.retry_at)
            };
            if ready_at > now {
                next_wake = Some(next_wake.map_or(ready_at, |w| w.min(ready_at)));
                continue;
            }
            let group = groups.entry((leader, key.1)).or_default();
            if group.is_empty()
                && per_broker.get(&leader).copied().unwrap_or(0) >= self.cfg.max_in_flight as usize
            {
                continue;
            }
            if group.is_empty() {
                *per_broker.entry(leader).or_default() += 1;
            }
            if let Some(b) = q.pop_front() {
                group.push((key.0.clone(), b));
            }
            if q.is_empty() {
                self.accumulator.remove(&key);
            }
        }
        for ((broker, acks), batches) in groups {
            if batches.is_empty() {
                continue;
            }
            let corr = self.next_corr;
            self.next_corr += 1;
            let wire: Vec<(TopicPartition, Arc<Batch>)> = batches
                .iter()
                .map(|(tp, b)| {
                    (
                        tp.clone(),
                        Arc::new(Batch {
                            base_offset: 0,
                            leader_epoch: 0,
                            records: b.records.clone(),
                        }),
                    )
                })
                .collect();
            ctx.send(
                NodeId::Broker(broker),
                KafkaMsg::ProduceRequest {
                    corr,
                    acks,
                    timeout_ms: self.cfg.request_timeout_ms,
                    batches: wire,
                },
            );
            if acks == Acks::None {
                // acks=0: the send is complete once it is on the wire; offsets are unknown.
                for (tp, b) in batches {
                    let count = b.records.len() as u64;
                    self.stats.entry(tp.clone()).or_default().acked += count;
                    ctx.change(KafkaChange::Acked {
                        tp,
                        base_offset: -1,
                        count,
                        error: None,
                    });
                }
            } else {
                self.in_flight.insert(
                    corr,
                    InFlight {
                        broker,
                        acks,
                        batches,
                    },
                );
                ctx.set_timer(
                    KafkaTimer::RequestTimeout(corr),
                    self.cfg.request_timeout_ms,
                );
            }
        }
        if missing_leader {
            self.request_metadata(ctx);
        }
        if let Some(at) = next_wake {
            self.wake_sender(ctx, at - now);
        }
    }

    /// Handles a response from a broker.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, _from: NodeId, msg: KafkaMsg) {
        match msg {
            KafkaMsg::MetadataResponse { corr, topics, .. } => {
                if let Some(learned) = self.metadata.on_response(ctx, corr, topics) {
                    for (topic, e) in &learned.unknown {
                        ctx.note(format!("metadata: topic {topic} is unknown ({})", e.name()));
                    }
                    ctx.change(learned.change());
                    self.drain_waiting(ctx);
                }
            }
            KafkaMsg::ProduceResponse { corr, results } => {
                if let Some(f) = self.in_flight.remove(&corr) {
                    ctx.cancel_timer(KafkaTimer::RequestTimeout(corr));
                    self.complete(ctx, f, &results);
                    self.wake_sender(ctx, 0);
                }
            }
            _ => {}
        }
    }

    fn complete(&mut self, ctx: &mut Ctx<'_>, f: InFlight, results: &[ProduceResult]) {
        for (tp, batch) in f.batches {
            let r = results.iter().find(|r| r.tp == tp);
            let error = r.map_or(Some(KafkaError::RequestTimedOut), |r| r.error);
            match error {
                None => {
                    let count = batch.records.len() as u64;
                    self.stats.entry(tp.clone()).or_default().acked += count;
                    let base_offset = r.map_or(-1, |r| r.base_offset);
                    ctx.change(KafkaChange::Acked {
                        tp,
                        base_offset,
                        count,
                        error: None,
                    });
                }
                Some(e) => self.retry_or_fail(ctx, tp, f.acks, batch, e),
            }
        }
    }

    fn retry_or_fail(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: TopicPartition,
        acks: Acks,
        mut batch: ProducerBatch,
        e: KafkaError,
    ) {
        let now = ctx.now();
        if e.retriable() && now < batch.created_ms + self.cfg.delivery_timeout_ms {
            if e == KafkaError::NotLeaderOrFollower {
                self.request_metadata(ctx);
            }
            batch.retry_at = now.saturating_add(self.cfg.retry_backoff_ms);
            ctx.change(KafkaChange::Retry {
                tp: tp.clone(),
                error: e,
            });
            self.accumulator
                .entry((tp, acks))
                .or_default()
                .push_front(batch);
            self.wake_sender(ctx, self.cfg.retry_backoff_ms);
        } else {
            let count = batch.records.len() as u64;
            self.stats.entry(tp.clone()).or_default().failed += count;
            ctx.change(KafkaChange::Acked {
                tp,
                base_offset: -1,
                count,
                error: Some(e),
            });
        }
    }

    /// Handles one of its timers.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: KafkaTimer) {
        match timer {
            KafkaTimer::Sender => self.run_sender(ctx),
            KafkaTimer::RequestTimeout(corr) => {
                if self.metadata.on_timeout(corr) {
                    ctx.note("metadata request timed out; trying the next bootstrap broker");
                    self.request_metadata(ctx);
                } else if let Some(f) = self.in_flight.remove(&corr) {
                    ctx.note(format!(
                        "produce request #{corr} to broker{} timed out",
                        f.broker
                    ));
                    self.complete(ctx, f, &[]);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_batch_size_equals_the_v2_size_of_the_grown_batch() {
        let rec = |i: u64| Record {
            key: i.is_multiple_of(3).then(|| format!("k{i}")),
            value: Some("x".repeat((i * 37 % 200) as usize)),
            timestamp: 1_000 + i * 7,
        };
        let mut b = ProducerBatch::new(rec(0), 0);
        for i in 1..300 {
            let r = rec(i);
            let size = b.size_with(&r);
            b.records.push(r);
            b.size = size;
            assert_eq!(
                b.size,
                batch_size(&b.records),
                "after {} records",
                b.records.len()
            );
        }
    }
}
