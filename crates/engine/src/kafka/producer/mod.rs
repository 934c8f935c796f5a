//! A Kafka producer (`KafkaProducer`, `RecordAccumulator`, `Sender`; Kafka 3.7).
//!
//! - `send` picks each record's partition ([`crate::kafka::partitioner`]) and appends it to
//!   that partition's last batch, or a new one when it does not fit (the first record of a
//!   batch always fits).
//! - The sender's `ready` looks at the first batch of every partition: a partition is
//!   sendable when that batch is full (or another is queued behind it) or has waited
//!   `linger.ms` (its retry backoff after a failure); its leader is then a ready node,
//!   unless `max.in.flight.requests.per.connection` requests are already in flight to it.
//! - `drain` takes the first batch of *every* partition the ready node leads, lingering or
//!   not, up to `max.request.size`, starting where the last drain of that node stopped.
//! - A retriable error puts the batch back at the front of its queue to wait an
//!   exponential backoff: `retry.backoff.ms` doubled per retry up to
//!   `retry.backoff.max.ms`, times a random factor in [0.8, 1.2) (KIP-580; one draw per
//!   retry from the world's RNG).
//! - `delivery.timeout.ms` after a batch was created it fails with TimeoutException
//!   ("Expiring N record(s) for t-0:X ms has passed since batch creation"), whether it
//!   waits in the accumulator or is in flight (the request stays in flight; its answer is
//!   ignored).
//! - A closed connection fails every request in flight on it (NETWORK_EXCEPTION, retriable);
//!   a request that gets no answer in `request.timeout.ms` closes its connection
//!   (REQUEST_TIMED_OUT for everything in flight on it). Both ask for new metadata.
//!
//! `acks` is a producer setting (`ProducerConfig`), so each producer has one. A producer
//! with acks=all and the 3.x defaults is idempotent (KIP-679): it gets a producer id
//! (InitProducerId) before it sends, numbers each partition's batches, and keeps a retried
//! batch's number; one with acks=1 is not (idempotence gives way when acks is not all).
//! Records sent with acks=0 count as acknowledged once they leave.

mod accumulator;
pub mod transactions;
pub mod txn_offsets;

pub use transactions::{ClientTxnState, TxnClient};

use crate::ids::NodeId;
use crate::kafka::client_metadata::ClientMetadata;
use crate::kafka::config::{Acks, ProducerConfig};
use crate::kafka::messages::{
    KafkaChange, KafkaError, KafkaMsg, KafkaTimer, PartitionMetadata, ProduceResult,
};
use crate::kafka::network_client::NetworkClient;
use crate::kafka::partitioner::{BuiltInPartitioner, Choice, fixed_partition};
use crate::kafka::record::{Batch, Record, batch_size};
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::{CloseReason, ConnId};
use crate::sim::effects::Ctx;
use crate::sim::rng::SimRng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// What `produce ...` asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProduceSpec {
    /// Topic.
    pub topic: String,
    /// Explicit partition.
    pub partition: Option<u32>,
    /// Key (with `count`, a running number 0..count is appended: k0, k1, ...).
    pub key: Option<String>,
    /// Value (with `count`, a running number is appended).
    pub value: Option<String>,
    /// How many records (>= 1).
    pub count: u32,
    /// Send with a producer that has this `acks` setting (the configured one when
    /// absent): Kafka's acks belongs to the producer, not to a record.
    pub acks: Option<Acks>,
    /// `producer N`: send with producerN, created with the current `kafka config`
    /// settings if it does not exist yet (a Java producer reads its settings once, so a
    /// second producer is how a run compares settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer: Option<u32>,
}

/// Where an embedded producer's correlation ids start ([`Producer::embedded`]).
pub const EMBEDDED_CORR_BASE: u64 = 1 << 40;

#[derive(Clone, Debug)]
struct Pending {
    topic: String,
    partition: Option<u32>,
    record: Record,
}

#[derive(Clone, Debug)]
struct ProducerBatch {
    records: Vec<Record>,
    /// Size of `records` as a v2 batch, bytes (`estimatedSizeInBytes`).
    size: u64,
    /// `writeLimit`: `max(batch.size, the first record's batch)`, bytes.
    capacity: u64,
    /// Closed for appends (a record did not fit, or it was drained).
    closed: bool,
    created_ms: u64,
    last_attempt_ms: u64,
    /// Times it was sent and put back.
    attempts: u32,
    /// The backoff drawn for its current retry, ms.
    backoff_ms: u64,
    /// Its first record's sequence number, fixed when it is first drained (idempotence).
    base_sequence: Option<i32>,
}

impl ProducerBatch {
    fn new(record: Record, now: u64, batch_size_cfg: u64) -> Self {
        let size = batch_size(std::slice::from_ref(&record));
        ProducerBatch {
            records: vec![record],
            size,
            capacity: size.max(batch_size_cfg),
            closed: false,
            created_ms: now,
            last_attempt_ms: now,
            attempts: 0,
            backoff_ms: 0,
            base_sequence: None,
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

    /// `isFull`: closed, or at its write limit.
    fn full(&self) -> bool {
        self.closed || (!self.records.is_empty() && self.size >= self.capacity)
    }

    /// `hasReachedDeliveryTimeout`.
    fn expired(&self, now: u64, delivery_timeout_ms: u64) -> bool {
        now >= self.created_ms.saturating_add(delivery_timeout_ms)
    }
}

#[derive(Clone, Debug)]
struct InFlight {
    broker: u32,
    conn: ConnId,
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

/// KIP-580's `ExponentialBackoff(retry.backoff.ms, 2, retry.backoff.max.ms, 0.2)` for a
/// batch's `retries`-th retry (1 for the first): `min(initial * 2^(retries-1), max)` times a
/// factor drawn in [0.8, 1.2), at most `max` (`ExponentialBackoff.backoff`, 3.7). A `max`
/// at or below `initial` means a constant backoff without jitter.
pub fn retry_backoff(cfg: &ProducerConfig, retries: u32, rng: &mut SimRng) -> u64 {
    let (initial, max) = (cfg.retry_backoff_ms, cfg.retry_backoff_max_ms);
    if max <= initial {
        return initial.min(max);
    }
    let exp = retries.saturating_sub(1).min(32);
    let term = initial.saturating_mul(1 << exp).min(max);
    (term * (800 + rng.below(400)) / 1000).min(max)
}

/// A producer client.
#[derive(Clone, Debug)]
pub struct Producer {
    id: u32,
    cfg: ProducerConfig,
    metadata: ClientMetadata,
    net: NetworkClient,
    waiting: Vec<Pending>,
    /// Each partition's queue of batches; a queue stays once created (even when empty),
    /// as the Java accumulator's deques do.
    accumulator: BTreeMap<TopicPartition, VecDeque<ProducerBatch>>,
    in_flight: BTreeMap<u64, InFlight>,
    partitioner: BuiltInPartitioner,
    /// A `partitioner.class`'s own state.
    custom: crate::kafka::custom_partitioner::CustomState,
    /// Where the next drain of each broker starts (`nodesDrainIndex`).
    drain_index: BTreeMap<u32, usize>,
    next_corr: u64,
    stats: BTreeMap<TopicPartition, DeliveryStats>,
    /// Its producer id and epoch (idempotence), once InitProducerId answered.
    producer_id: Option<(i64, i16)>,
    /// The InitProducerId in flight: its correlation id and connection.
    init_in_flight: Option<(u64, ConnId)>,
    /// The next sequence number of each partition.
    sequences: BTreeMap<TopicPartition, i32>,
    /// The sequence after the last acknowledged batch of each partition.
    acked_sequences: BTreeMap<TopicPartition, i32>,
    /// Every acknowledged record in the order the acknowledgements came: its partition,
    /// the offset the leader gave it (`None` with acks=0) and its value (what a checker
    /// compares the final logs with).
    acknowledged: Vec<(TopicPartition, Option<u64>, Option<String>)>,
    /// The transaction manager of a producer with a `transactional.id`.
    txn: Option<TxnClient>,
}

impl Producer {
    /// A producer that bootstraps from `bootstrap` broker ids.
    ///
    /// `enable.idempotence` holds only with acks=all and at most 5 requests in flight:
    /// since Kafka 3.2 the default gives way to a conflicting setting instead of failing
    /// (`ProducerConfig.postProcessAndValidateIdempotenceConfigs`).
    /// A `transactional.id` turns idempotence on (`ProducerConfig`: a transactional
    /// producer is idempotent).
    pub fn new(id: u32, mut cfg: ProducerConfig, bootstrap: Vec<u32>) -> Self {
        cfg.idempotence = cfg.transactional_id.is_some()
            || (cfg.idempotence && cfg.acks == Acks::All && cfg.max_in_flight <= 5);
        let txn = cfg.transactional_id.clone().map(TxnClient::new);
        Producer {
            id,
            cfg,
            metadata: ClientMetadata::new(bootstrap),
            net: NetworkClient::default(),
            waiting: Vec::new(),
            accumulator: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            partitioner: BuiltInPartitioner::default(),
            custom: Default::default(),
            drain_index: BTreeMap::new(),
            next_corr: 0,
            stats: BTreeMap::new(),
            producer_id: None,
            init_in_flight: None,
            sequences: BTreeMap::new(),
            acked_sequences: BTreeMap::new(),
            acknowledged: Vec::new(),
            txn,
        }
    }

    /// The transaction manager, for a producer with a `transactional.id`.
    pub fn txn(&self) -> Option<&TxnClient> {
        self.txn.as_ref()
    }

    /// Its producer id and epoch, once it has them.
    pub fn producer_id_and_epoch(&self) -> Option<(i64, i16)> {
        self.producer_id
    }

    /// Every acknowledged record, in acknowledgement order: partition, offset (`None`
    /// with acks=0), value.
    pub fn acknowledged(&self) -> &[(TopicPartition, Option<u64>, Option<String>)] {
        &self.acknowledged
    }

    /// Whether it runs idempotent (see [`Producer::new`]).
    pub fn idempotent(&self) -> bool {
        self.cfg.idempotence
    }

    /// Its producer id, once it has one.
    pub fn producer_id(&self) -> Option<i64> {
        self.producer_id.map(|(id, _)| id)
    }

    /// The client number.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Its `acks` setting.
    pub fn acks(&self) -> Acks {
        self.cfg.acks
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
        let embedded = self.next_corr >= EMBEDDED_CORR_BASE;
        *self = Producer::new(
            self.id,
            self.cfg.clone(),
            self.metadata.bootstrap().to_vec(),
        );
        if embedded {
            self.next_corr = EMBEDDED_CORR_BASE;
        }
    }

    /// `send` for each record of `spec`.
    pub fn produce(&mut self, ctx: &mut Ctx<'_>, spec: &ProduceSpec) {
        let numbered = |base: &Option<String>, i: u32| match base {
            Some(s) if spec.count > 1 => Some(format!("{s}{i}")),
            other => other.clone(),
        };
        for i in 0..spec.count.max(1) {
            self.waiting.push(Pending {
                topic: spec.topic.clone(),
                partition: spec.partition,
                record: Record {
                    key: numbered(&spec.key, i),
                    value: numbered(&spec.value, i),
                    timestamp: ctx.now(),
                },
            });
        }
        self.drain_waiting(ctx);
    }

    /// `send(new ProducerRecord(topic, key, value))` of one record.
    pub fn send_record(
        &mut self,
        ctx: &mut Ctx<'_>,
        topic: &str,
        key: Option<String>,
        value: Option<String>,
    ) {
        self.waiting.push(Pending {
            topic: topic.to_string(),
            partition: None,
            record: Record {
                key,
                value,
                timestamp: ctx.now(),
            },
        });
        self.drain_waiting(ctx);
    }

    /// Records `send` took that still wait for their topic's metadata (Java's `send`
    /// blocks on it, so an application cannot commit past them).
    pub fn awaiting_metadata(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// True when `conn` is one of its connections.
    pub fn owns_conn(&self, conn: ConnId) -> bool {
        self.net.broker_of(conn).is_some()
    }

    /// A producer living inside another client's process (a consume-transform-produce
    /// application): its correlation ids start high so that they never meet the
    /// consumer's, which shares the process's timers.
    pub fn embedded(id: u32, cfg: ProducerConfig, bootstrap: Vec<u32>) -> Self {
        let mut p = Producer::new(id, cfg, bootstrap);
        p.next_corr = EMBEDDED_CORR_BASE;
        p
    }

    fn wake_sender(&self, ctx: &mut Ctx<'_>, after: u64) {
        ctx.set_timer(KafkaTimer::Sender, after);
    }

    /// Asks for metadata of every topic it sends to or knows.
    fn request_metadata(&mut self, ctx: &mut Ctx<'_>) {
        let mut topics: Vec<String> = self.waiting.iter().map(|p| p.topic.clone()).collect();
        topics.extend(self.metadata.known_topics().cloned());
        topics.extend(self.accumulator.keys().map(|tp| tp.topic.clone()));
        topics.sort();
        topics.dedup();
        let timeout = self.cfg.request_timeout_ms;
        self.metadata
            .request(ctx, &mut self.net, &mut self.next_corr, topics, timeout);
    }

    fn in_flight_to(&self, broker: u32) -> usize {
        self.in_flight
            .values()
            .filter(|f| f.broker == broker)
            .count()
    }

    /// The sender thread's loop body (`Sender.sendProducerData`): ready, drain, expire,
    /// send, then sleep until the next batch is ready or due to expire.
    fn run_sender(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        // Sender.maybeSendAndPollTransactionalRequest: a transactional producer's requests
        // to its coordinator go first; an idempotent producer gets its producer id before
        // it sends any data.
        if self.txn.is_some() {
            if self.run_txn(ctx) {
                self.expire_batches(ctx);
                return;
            }
        } else if self.cfg.idempotence && self.producer_id.is_none() {
            if self.init_in_flight.is_none() {
                let target = self
                    .accumulator
                    .iter()
                    .filter(|(_, dq)| !dq.is_empty())
                    .find_map(|(tp, _)| self.metadata.leader_of(tp));
                match target {
                    Some(b) => {
                        let corr = self.next_corr;
                        self.next_corr += 1;
                        let msg = KafkaMsg::InitProducerId {
                            corr,
                            transactional_id: None,
                            transaction_timeout_ms: 0,
                        };
                        let conn = self.net.send(ctx, b, msg);
                        self.init_in_flight = Some((corr, conn));
                    }
                    None => self.request_metadata(ctx),
                }
            }
            self.expire_batches(ctx);
            return;
        }
        let (mut nodes, next_check, unknown_leader) = self.ready(now);
        nodes.retain(|b| self.in_flight_to(*b) < self.cfg.max_in_flight as usize);
        let mut requests = Vec::new();
        for broker in nodes {
            let batches = self.drain(broker, now);
            if !batches.is_empty() {
                requests.push((broker, batches));
            }
        }
        self.expire_batches(ctx);
        for (broker, batches) in requests {
            self.send_request(ctx, broker, batches);
        }
        if unknown_leader {
            self.request_metadata(ctx);
        }
        let dt = self.cfg.delivery_timeout_ms;
        let next_expiry = self
            .accumulator
            .values()
            .flatten()
            .chain(
                self.in_flight
                    .values()
                    .flat_map(|f| f.batches.iter().map(|(_, b)| b)),
            )
            .map(|b| b.created_ms.saturating_add(dt))
            .min();
        let wake = [next_check, next_expiry].into_iter().flatten().min();
        if let Some(at) = wake {
            self.wake_sender(ctx, at.saturating_sub(now).max(1));
        }
    }

    /// Fails every batch whose `delivery.timeout.ms` has passed, in flight or not.
    fn expire_batches(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        let dt = self.cfg.delivery_timeout_ms;
        let mut expired = Vec::new();
        for f in self.in_flight.values_mut() {
            let (gone, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut f.batches)
                .into_iter()
                .partition(|(_, b)| b.expired(now, dt));
            f.batches = keep;
            expired.extend(gone);
        }
        for (tp, dq) in self.accumulator.iter_mut() {
            while dq.front().is_some_and(|b| b.expired(now, dt)) {
                if let Some(b) = dq.pop_front() {
                    expired.push((tp.clone(), b));
                }
            }
        }
        for (tp, b) in expired {
            ctx.note(format!(
                "Expiring {} record(s) for {tp}:{} ms has passed since batch creation",
                b.records.len(),
                now - b.created_ms
            ));
            self.fail(ctx, tp, &b, KafkaError::DeliveryTimeout);
        }
    }

    fn send_request(
        &mut self,
        ctx: &mut Ctx<'_>,
        broker: u32,
        batches: Vec<(TopicPartition, ProducerBatch)>,
    ) {
        let corr = self.next_corr;
        self.next_corr += 1;
        let wire: Vec<(TopicPartition, Arc<Batch>)> = batches
            .iter()
            .map(|(tp, b)| {
                let producer = self
                    .producer_id
                    .zip(b.base_sequence)
                    .map(|((id, epoch), seq)| crate::kafka::record::ProducerIds {
                        id,
                        epoch,
                        base_sequence: seq,
                    });
                let mut batch = Batch::new(0, 0, b.records.clone())
                    .with_compression(self.cfg.compression)
                    .with_producer(producer);
                batch.transactional = self.txn.is_some();
                (tp.clone(), Arc::new(batch))
            })
            .collect();
        let acks = self.cfg.acks;
        let conn = self.net.send(
            ctx,
            broker,
            KafkaMsg::ProduceRequest {
                corr,
                acks,
                timeout_ms: self.cfg.request_timeout_ms,
                batches: wire,
                transactional_id: self.txn.as_ref().map(|t| t.id().to_string()),
            },
        );
        if acks == Acks::None {
            // acks=0: the send is complete once it is on the wire; offsets are unknown.
            for (tp, b) in batches {
                let count = b.records.len() as u64;
                for r in &b.records {
                    self.acknowledged.push((tp.clone(), None, r.value.clone()));
                }
                self.stats.entry(tp.clone()).or_default().acked += count;
                ctx.change(KafkaChange::Acked {
                    tp,
                    base_offset: -1,
                    count,
                    error: None,
                });
            }
            return;
        }
        self.in_flight.insert(
            corr,
            InFlight {
                broker,
                conn,
                batches,
            },
        );
        ctx.set_timer(
            KafkaTimer::RequestTimeout(corr),
            self.cfg.request_timeout_ms,
        );
    }

    /// Handles a response from a broker.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, _from: NodeId, msg: KafkaMsg) {
        if self.on_txn_response(ctx, &msg) {
            return;
        }
        match msg {
            KafkaMsg::MetadataResponse { corr, topics, .. } => {
                if let Some(learned) = self.metadata.on_response(ctx, corr, topics) {
                    for (topic, e) in &learned.unknown {
                        ctx.note(format!("metadata: topic {topic} is unknown ({})", e.name()));
                    }
                    ctx.change(learned.change());
                    ctx.set_timer(KafkaTimer::MetadataMaxAge, self.cfg.metadata_max_age_ms);
                    self.drain_waiting(ctx);
                }
            }
            KafkaMsg::InitProducerIdResponse {
                corr,
                error: Some(e),
                ..
            } if self.init_in_flight.is_some_and(|(c, _)| c == corr) => {
                // Retriable: ask again after retry.backoff.ms.
                self.init_in_flight = None;
                ctx.note(format!("InitProducerId failed ({e}); retrying"));
                self.wake_sender(ctx, self.cfg.retry_backoff_ms);
            }
            KafkaMsg::InitProducerIdResponse {
                corr,
                producer_id,
                epoch,
                error: None,
            } if self.init_in_flight.is_some_and(|(c, _)| c == corr) => {
                self.init_in_flight = None;
                self.producer_id = Some((producer_id, epoch));
                ctx.note(format!(
                    "ProducerId set to {producer_id} with epoch {epoch}"
                ));
                self.wake_sender(ctx, 0);
            }
            KafkaMsg::ProduceResponse { corr, results } => {
                if self.in_flight.get(&corr).is_some_and(|f| f.conn == conn)
                    && let Some(f) = self.in_flight.remove(&corr)
                {
                    ctx.cancel_timer(KafkaTimer::RequestTimeout(corr));
                    self.complete(ctx, f, &results);
                    self.wake_sender(ctx, 0);
                }
            }
            _ => {}
        }
    }

    /// A connection closed: every request in flight on it failed (NETWORK_EXCEPTION).
    pub fn on_closed(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, _peer: NodeId, why: &CloseReason) {
        let Some(broker) = self.net.on_closed(ctx, conn, why) else {
            return;
        };
        self.lost_connection(ctx, broker, conn, KafkaError::NetworkException);
    }

    /// Fails what was in flight on `conn` with `error`, asks for new metadata and wakes
    /// the sender.
    fn lost_connection(&mut self, ctx: &mut Ctx<'_>, broker: u32, conn: ConnId, error: KafkaError) {
        if self.metadata.on_disconnected(ctx, broker) {
            // The metadata request went down with the connection: ask the next broker.
        }
        if self.init_in_flight.is_some_and(|(_, c)| c == conn) {
            self.init_in_flight = None;
        }
        self.txn_conn_lost(conn);
        let lost: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, f)| f.conn == conn)
            .map(|(c, _)| *c)
            .collect();
        for corr in lost {
            if let Some(f) = self.in_flight.remove(&corr) {
                ctx.cancel_timer(KafkaTimer::RequestTimeout(corr));
                for (tp, batch) in f.batches {
                    self.retry_or_fail(ctx, tp, batch, error);
                }
            }
        }
        self.request_metadata(ctx);
        self.wake_sender(ctx, 0);
    }

    fn complete(&mut self, ctx: &mut Ctx<'_>, f: InFlight, results: &[ProduceResult]) {
        for (tp, batch) in f.batches {
            let r = results.iter().find(|r| r.tp == tp);
            let error = r.map_or(Some(KafkaError::RequestTimedOut), |r| r.error);
            match error {
                None => {
                    let count = batch.records.len() as u64;
                    if let Some(seq) = batch.base_sequence {
                        let end = seq.wrapping_add(count as i32);
                        let acked = self.acked_sequences.entry(tp.clone()).or_insert(0);
                        *acked = (*acked).max(end);
                    }
                    self.stats.entry(tp.clone()).or_default().acked += count;
                    let base_offset = r.map_or(-1, |r| r.base_offset);
                    for (i, rec) in batch.records.iter().enumerate() {
                        let offset = u64::try_from(base_offset).ok().map(|b| b + i as u64);
                        self.acknowledged
                            .push((tp.clone(), offset, rec.value.clone()));
                    }
                    ctx.change(KafkaChange::Acked {
                        tp,
                        base_offset,
                        count,
                        error: None,
                    });
                }
                Some(e) => self.retry_or_fail(ctx, tp, batch, e),
            }
        }
    }

    /// `Sender.canRetry`: a retriable error within `delivery.timeout.ms` puts the batch back
    /// at the front of its queue to wait its backoff (`RecordAccumulator.reenqueue`);
    /// anything else fails it.
    fn retry_or_fail(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: TopicPartition,
        mut batch: ProducerBatch,
        e: KafkaError,
    ) {
        let now = ctx.now();
        // TransactionManager.canRetry: an out-of-order sequence for the very batch that
        // follows everything acknowledged means the partition lost what it had acked
        // (the broker's gap, not ours): the batch fails and the producer bumps its epoch
        // and numbers from 0 again (KIP-360). Otherwise an earlier batch is still being
        // retried and this one waits its turn.
        if e == KafkaError::OutOfOrderSequence
            && batch.base_sequence == Some(self.acked_sequences.get(&tp).copied().unwrap_or(0))
        {
            if let Some((id, epoch)) = self.producer_id.as_mut() {
                *epoch += 1;
                ctx.note(format!(
                    "Resetting sequence numbers: producer {id} bumps its epoch to {epoch} after an OutOfOrderSequenceException on {tp}"
                ));
            }
            self.sequences.clear();
            self.acked_sequences.clear();
            for b in self.accumulator.values_mut().flatten() {
                b.base_sequence = None;
            }
            self.fail(ctx, tp, &batch, e);
            return;
        }
        if e.retriable() && !batch.expired(now, self.cfg.delivery_timeout_ms) {
            if e.invalidates_metadata() {
                self.request_metadata(ctx);
            }
            batch.attempts += 1;
            batch.last_attempt_ms = now;
            batch.backoff_ms = retry_backoff(&self.cfg, batch.attempts, ctx.rng());
            ctx.change(KafkaChange::Retry {
                tp: tp.clone(),
                error: e,
            });
            let dq = self.accumulator.entry(tp).or_default();
            // RecordAccumulator.insertInSequenceOrder: a retried batch goes back before
            // every batch with a higher sequence, so they are sent again in order.
            let at = match batch.base_sequence {
                Some(seq) => dq
                    .iter()
                    .position(|b| b.base_sequence.is_none_or(|s| s > seq))
                    .unwrap_or(dq.len()),
                None => 0,
            };
            dq.insert(at, batch);
            self.wake_sender(ctx, 0);
        } else {
            self.fail(ctx, tp, &batch, e);
        }
    }

    fn fail(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: TopicPartition,
        batch: &ProducerBatch,
        e: KafkaError,
    ) {
        let count = batch.records.len() as u64;
        self.stats.entry(tp.clone()).or_default().failed += count;
        ctx.change(KafkaChange::Acked {
            tp,
            base_offset: -1,
            count,
            error: Some(e),
        });
        self.txn_batch_failed(ctx, e);
    }

    /// Handles one of its timers.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: KafkaTimer) {
        match timer {
            KafkaTimer::Sender => self.run_sender(ctx),
            KafkaTimer::MetadataMaxAge => self.request_metadata(ctx),
            KafkaTimer::RequestTimeout(corr) => {
                if let Some(broker) = self.metadata.on_timeout(corr) {
                    ctx.note("metadata request timed out; trying the next bootstrap broker");
                    self.timed_out(ctx, broker);
                } else if let Some(conn) = self.txn_request_broker(corr) {
                    ctx.note(format!(
                        "transactional request #{corr} timed out; looking up the coordinator again"
                    ));
                    self.txn_conn_lost(conn);
                    if let Some(b) = self.net.broker_of(conn) {
                        self.net.disconnect(ctx, b, "Disconnected due to timeout");
                    }
                    self.wake_sender(ctx, 0);
                } else if let Some(broker) = self.in_flight.get(&corr).map(|f| f.broker) {
                    ctx.note(format!(
                        "Disconnected from node {broker} due to timeout (produce request #{corr})"
                    ));
                    self.timed_out(ctx, broker);
                }
            }
            _ => {}
        }
    }

    /// A request to `broker` timed out: `NetworkClient` closes the connection, and every
    /// request in flight on it fails with REQUEST_TIMED_OUT.
    fn timed_out(&mut self, ctx: &mut Ctx<'_>, broker: u32) {
        let conn = self
            .in_flight
            .values()
            .find(|f| f.broker == broker)
            .map(|f| f.conn);
        self.net
            .disconnect(ctx, broker, "Disconnected due to timeout");
        match conn {
            Some(conn) => self.lost_connection(ctx, broker, conn, KafkaError::RequestTimedOut),
            None => self.request_metadata(ctx),
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
        let mut b = ProducerBatch::new(rec(0), 0, 16_384);
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

    #[test]
    fn retry_backoff_doubles_with_jitter_up_to_the_max() {
        let cfg = ProducerConfig::default();
        let mut rng = SimRng::new(4);
        for _ in 0..200 {
            let b1 = retry_backoff(&cfg, 1, &mut rng);
            let b2 = retry_backoff(&cfg, 2, &mut rng);
            let b4 = retry_backoff(&cfg, 4, &mut rng);
            let b9 = retry_backoff(&cfg, 9, &mut rng);
            assert!((80..120).contains(&b1), "{b1}");
            assert!((160..240).contains(&b2), "{b2}");
            assert!((640..960).contains(&b4), "{b4}");
            assert!((800..=1000).contains(&b9), "{b9}");
        }
        let flat = ProducerConfig {
            retry_backoff_max_ms: 100,
            ..ProducerConfig::default()
        };
        assert_eq!(retry_backoff(&flat, 5, &mut rng), 100);
    }
}
