//! A Kafka consumer with manually assigned partitions (`KafkaConsumer.assign` + `seek`,
//! `Fetcher`): it finds each partition's leader through a metadata request, keeps one
//! fetch in flight per leader, long-polls (`fetch.max.wait.ms`, `fetch.min.bytes`), and
//! reads with `read_uncommitted` isolation, so it only ever sees records below the high
//! watermark. Fetches return whole batches; records before the position are skipped. A
//! fetch lost with its connection (or timed out, which closes the connection) is simply
//! sent again after `retry.backoff.ms` from the same position, with new metadata
//! (`AbstractFetch.handleFetchFailure`). (Consumer groups come with their own issue.)
//!
//! Control batches (transaction markers) are never handed to the application; the
//! position moves past them (`CompletedFetch.nextFetchedRecord`). With
//! `isolation.level=read_committed` the consumer fetches below the last stable offset and
//! drops the batches of transactions the leader lists as aborted.

use crate::ids::NodeId;
use crate::kafka::client_metadata::ClientMetadata;
use crate::kafka::config::ConsumerConfig;
use crate::kafka::messages::{
    FetchPartition, FetchedPartition, Isolation, KafkaChange, KafkaError, KafkaMsg, KafkaTimer,
};
use crate::kafka::network_client::NetworkClient;
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::{CloseReason, ConnId};
use crate::sim::effects::Ctx;
use serde::Serialize;
use std::collections::BTreeMap;

/// A record the application received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsumedRecord {
    /// Its offset.
    pub offset: u64,
    /// Its key.
    pub key: Option<String>,
    /// Its value.
    pub value: Option<String>,
}

/// A consumer client.
#[derive(Clone, Debug)]
pub struct Consumer {
    pub(crate) id: u32,
    pub(crate) cfg: ConsumerConfig,
    pub(crate) metadata: ClientMetadata,
    pub(crate) net: NetworkClient,
    pub(crate) positions: BTreeMap<TopicPartition, u64>,
    /// Broker -> correlation id of the fetch in flight to it.
    in_flight: BTreeMap<u32, u64>,
    consumed: BTreeMap<TopicPartition, Vec<ConsumedRecord>>,
    pub(crate) next_corr: u64,
    /// Its group membership, after `subscribe` ([`crate::kafka::group::client`]).
    pub(crate) group: Option<crate::kafka::group::client::GroupClient>,
    /// The group and topics to subscribe to again after a restart.
    resubscribe: Option<(String, Vec<String>)>,
}

impl Consumer {
    /// A consumer that bootstraps from `bootstrap` broker ids.
    pub fn new(id: u32, cfg: ConsumerConfig, bootstrap: Vec<u32>) -> Self {
        Consumer {
            id,
            cfg,
            metadata: ClientMetadata::new(bootstrap),
            net: NetworkClient::default(),
            positions: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            consumed: BTreeMap::new(),
            next_corr: 0,
            group: None,
            resubscribe: None,
        }
    }

    /// Its group membership, if it subscribed.
    pub fn group(&self) -> Option<&crate::kafka::group::client::GroupClient> {
        self.group.as_ref()
    }

    /// The client number.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Records received per partition, in offset order.
    pub fn consumed(&self) -> &BTreeMap<TopicPartition, Vec<ConsumedRecord>> {
        &self.consumed
    }

    /// The next offset to fetch per assigned partition.
    pub fn positions(&self) -> &BTreeMap<TopicPartition, u64> {
        &self.positions
    }

    /// A restart loses positions, received records and its group membership; the
    /// application subscribes again when it starts (a new member id; committed offsets
    /// are where it resumes).
    pub fn crash(&mut self) {
        let subscription = self
            .group
            .as_ref()
            .map(|g| (g.group.clone(), g.topics.clone()));
        *self = Consumer::new(
            self.id,
            self.cfg.clone(),
            self.metadata.bootstrap().to_vec(),
        );
        self.resubscribe = subscription;
    }

    /// The process starts (again): a consumer that had subscribed subscribes again.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        if let Some((group, topics)) = self.resubscribe.take() {
            self.subscribe(ctx, &group, topics);
        }
    }

    /// A clean shutdown: `close()` leaves the group.
    pub fn on_stop(&mut self, ctx: &mut Ctx<'_>) {
        self.group_close(ctx);
    }

    /// `assign` + `seek(tp, offset)`.
    pub fn assign(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, offset: u64) {
        self.positions.insert(tp, offset);
        self.poll(ctx);
    }

    /// Sends a fetch to every leader that has none in flight.
    pub(crate) fn poll_fetches(&mut self, ctx: &mut Ctx<'_>) {
        self.poll(ctx);
    }

    /// Sends a fetch to every leader that has none in flight.
    fn poll(&mut self, ctx: &mut Ctx<'_>) {
        let mut by_leader: BTreeMap<u32, Vec<FetchPartition>> = BTreeMap::new();
        let mut missing = false;
        for (tp, &pos) in &self.positions {
            match self.metadata.leader_of(tp) {
                Some(l) => by_leader.entry(l).or_default().push(FetchPartition {
                    tp: tp.clone(),
                    fetch_offset: pos,
                }),
                None => missing = true,
            }
        }
        if missing {
            self.request_metadata(ctx);
        }
        for (leader, partitions) in by_leader {
            if self.in_flight.contains_key(&leader) {
                continue;
            }
            let corr = self.next_corr;
            self.next_corr += 1;
            self.in_flight.insert(leader, corr);
            let req = KafkaMsg::FetchRequest {
                corr,
                replica: None,
                max_wait_ms: self.cfg.fetch_max_wait_ms,
                min_bytes: self.cfg.fetch_min_bytes,
                max_bytes: self.cfg.max_partition_fetch_bytes,
                isolation: if self.cfg.read_committed {
                    Isolation::ReadCommitted
                } else {
                    Isolation::HighWatermark
                },
                partitions,
            };
            self.net.send(ctx, leader, req);
            ctx.set_timer(
                KafkaTimer::RequestTimeout(corr),
                self.cfg.request_timeout_ms + self.cfg.fetch_max_wait_ms,
            );
        }
    }

    /// Asks for metadata of the assigned topics.
    fn request_metadata(&mut self, ctx: &mut Ctx<'_>) {
        let mut topics: Vec<String> = self.positions.keys().map(|tp| tp.topic.clone()).collect();
        if let Some(g) = &self.group {
            topics.extend(g.topics.iter().cloned());
            topics.sort();
        }
        topics.dedup();
        let timeout = self.cfg.request_timeout_ms;
        self.metadata
            .request(ctx, &mut self.net, &mut self.next_corr, topics, timeout);
    }

    /// A connection closed: the fetch in flight on it is lost; fetch again after the
    /// backoff, with fresh metadata.
    pub fn on_closed(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, _peer: NodeId, why: &CloseReason) {
        let Some(broker) = self.net.on_closed(ctx, conn, why) else {
            return;
        };
        self.group_lost_broker(ctx, broker);
        self.lost_broker(ctx, broker);
    }

    fn lost_broker(&mut self, ctx: &mut Ctx<'_>, broker: u32) {
        if self.metadata.on_disconnected(ctx, broker) {
            self.request_metadata(ctx);
        }
        if let Some(corr) = self.in_flight.remove(&broker) {
            ctx.cancel_timer(KafkaTimer::RequestTimeout(corr));
            let topics: Vec<String> = self
                .positions
                .keys()
                .filter(|tp| self.metadata.leader_of(tp) == Some(broker))
                .map(|tp| tp.topic.clone())
                .collect();
            for t in topics {
                self.metadata.forget(&t);
            }
            ctx.set_timer(KafkaTimer::ConsumerRetry, self.cfg.retry_backoff_ms);
        }
    }

    /// Handles a response from a broker.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, _conn: ConnId, from: NodeId, msg: KafkaMsg) {
        match msg {
            KafkaMsg::MetadataResponse { corr, topics, .. } => {
                if let Some(learned) = self.metadata.on_response(ctx, corr, topics) {
                    ctx.change(learned.change());
                    self.poll(ctx);
                    self.group_metadata_updated(ctx);
                }
            }
            KafkaMsg::FetchResponse { corr, partitions } => {
                let NodeId::Broker(b) = from else { return };
                if self.in_flight.get(&b) != Some(&corr) {
                    return;
                }
                self.in_flight.remove(&b);
                ctx.cancel_timer(KafkaTimer::RequestTimeout(corr));
                if self.take(ctx, partitions) {
                    self.poll(ctx);
                } else {
                    ctx.set_timer(KafkaTimer::ConsumerRetry, self.cfg.retry_backoff_ms);
                }
            }
            KafkaMsg::Group(m) => self.on_group_message(ctx, from, m),
            KafkaMsg::ListOffsetsResponse { corr, partitions } => {
                self.on_list_offsets(ctx, corr, partitions)
            }
            _ => {}
        }
    }

    /// Hands fetched records to the application. Returns false when a partition failed.
    fn take(&mut self, ctx: &mut Ctx<'_>, partitions: Vec<FetchedPartition>) -> bool {
        let mut ok = true;
        for fp in partitions {
            let Some(pos) = self.positions.get_mut(&fp.tp) else {
                continue;
            };
            match fp.error {
                Some(KafkaError::OffsetOutOfRange) => {
                    // auto.offset.reset=latest: jump to the end the leader reports.
                    ctx.note(format!(
                        "Fetch position {} is out of range for partition {}, resetting offset",
                        *pos, fp.tp
                    ));
                    *pos = fp.high_watermark;
                    ok = false;
                }
                Some(e) => {
                    ctx.note(format!("fetch of {} failed: {e}", fp.tp));
                    self.metadata.forget(&fp.tp.topic);
                    ok = false;
                }
                None => {
                    let mut first = None;
                    let mut count = 0;
                    let out = self.consumed.entry(fp.tp.clone()).or_default();
                    for b in &fp.batches {
                        // A marker, or (read_committed) a batch of an aborted transaction:
                        // skipped whole.
                        let aborted = b.transactional
                            && b.producer.is_some_and(|p| {
                                fp.aborted.iter().any(|a| {
                                    a.producer_id == p.id
                                        && a.first_offset <= b.base_offset
                                        && b.base_offset <= a.last_offset
                                })
                            });
                        if b.control.is_some() || aborted {
                            *pos = (*pos).max(b.next_offset());
                            continue;
                        }
                        for (offset, r) in b.with_offsets() {
                            if offset < *pos {
                                continue;
                            }
                            first.get_or_insert(offset);
                            count += 1;
                            out.push(ConsumedRecord {
                                offset,
                                key: r.key.clone(),
                                value: r.value.clone(),
                            });
                            *pos = offset + 1;
                        }
                        // A cleaned batch can end in removed records: the next fetch
                        // starts after the batch (`CompletedFetch.nextFetchOffset`).
                        *pos = (*pos).max(b.next_offset());
                    }
                    if let Some(first_offset) = first {
                        ctx.change(KafkaChange::Consumed {
                            tp: fp.tp,
                            first_offset,
                            count,
                        });
                    }
                }
            }
        }
        ok
    }

    /// Handles one of its timers.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: KafkaTimer) {
        match timer {
            KafkaTimer::RequestTimeout(corr) => {
                // The request timed out: NetworkClient closes the connection.
                if let Some(broker) = self.metadata.on_timeout(corr) {
                    self.net
                        .disconnect(ctx, broker, "Disconnected due to timeout");
                    self.lost_broker(ctx, broker);
                    self.request_metadata(ctx);
                } else if let Some((&broker, _)) = self.in_flight.iter().find(|(_, c)| **c == corr)
                {
                    self.net
                        .disconnect(ctx, broker, "Disconnected due to timeout");
                    self.lost_broker(ctx, broker);
                }
            }
            KafkaTimer::ConsumerRetry => self.poll(ctx),
            KafkaTimer::ConsumerGroup(t) => self.on_group_timer(ctx, t),
            _ => {}
        }
    }
}
