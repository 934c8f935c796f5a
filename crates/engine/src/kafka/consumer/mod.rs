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
//!
//! Fetched records wait in a buffer until the application's `poll()` takes them
//! ([`app`]); a partition with buffered records is not fetched again until they are taken
//! (`AbstractFetch.fetchablePartitions`).

pub mod app;
pub mod eos;
pub mod ledger;
pub mod seek;

use crate::ids::NodeId;
use crate::kafka::client_metadata::ClientMetadata;
use crate::kafka::config::ConsumerConfig;
use crate::kafka::messages::{
    FetchPartition, FetchedPartition, Isolation, KafkaError, KafkaMsg, KafkaTimer,
};
use crate::kafka::network_client::NetworkClient;
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::{CloseReason, ConnId};
use crate::sim::effects::Ctx;
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

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

/// Fetched records of one partition that `poll()` has not returned yet
/// (`CompletedFetch`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Buffered {
    /// The records, in offset order.
    pub(crate) records: VecDeque<ConsumedRecord>,
    /// Where the next fetch starts once they are taken (past markers and removed records).
    pub(crate) next: u64,
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
    /// Fetched, not yet returned by `poll()`.
    pub(crate) fetched: BTreeMap<TopicPartition, Buffered>,
    /// The application's poll loop.
    pub(crate) app: app::AppLoop,
    /// What the application processed, across restarts.
    pub(crate) ledger: ledger::Ledger,
    pub(crate) next_corr: u64,
    /// Its group membership, after `subscribe` ([`crate::kafka::group::client`]).
    pub(crate) group: Option<crate::kafka::group::client::GroupClient>,
    /// The group and topics to subscribe to again after a restart.
    resubscribe: Option<(String, Vec<String>)>,
    /// Set for a `kafka-console-consumer` process: it prints what it processes.
    pub(crate) console: Option<crate::kafka::group::console_consumer::ConsoleOut>,
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
            fetched: BTreeMap::new(),
            app: app::AppLoop::default(),
            ledger: ledger::Ledger::default(),
            next_corr: 0,
            group: None,
            resubscribe: None,
            console: None,
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

    /// The application's poll loop.
    pub fn app(&self) -> &app::AppLoop {
        &self.app
    }

    /// What the application processed, across restarts.
    pub fn ledger(&self) -> &ledger::Ledger {
        &self.ledger
    }

    /// Sets the application's processing time per record (ms).
    pub fn set_processing_ms(&mut self, ms: u64) {
        self.app.processing_ms = ms;
    }

    /// Sets where the application calls `commitSync()`.
    pub fn set_commit_mode(&mut self, mode: app::CommitMode) {
        self.app.commit_mode = mode;
    }

    /// Sets `tp`'s position from outside the fetch path (a committed offset, a reset, a
    /// seek): buffered records of it are dropped, and the ledger starts a new epoch.
    pub(crate) fn set_position(&mut self, tp: TopicPartition, offset: u64) {
        self.fetched.remove(&tp);
        self.positions.insert(tp, offset);
        self.ledger.new_epoch();
    }

    /// `tp` is no longer assigned: its position and buffered records go.
    pub(crate) fn drop_position(&mut self, tp: &TopicPartition) {
        self.fetched.remove(tp);
        self.positions.remove(tp);
    }

    /// Records processed per partition (this incarnation), in the order processed.
    pub fn consumed(&self) -> &BTreeMap<TopicPartition, Vec<ConsumedRecord>> {
        &self.consumed
    }

    /// The next offset to fetch per assigned partition.
    pub fn positions(&self) -> &BTreeMap<TopicPartition, u64> {
        &self.positions
    }

    /// A restart loses positions, received records and its group membership; the
    /// application subscribes again when it starts (a new member id; committed offsets
    /// are where it resumes). The ledger stays: what was processed was done.
    pub fn crash(&mut self) {
        let subscription = self
            .group
            .as_ref()
            .map(|g| (g.group.clone(), g.topics.clone()))
            .or_else(|| self.resubscribe.take());
        let mut ledger = std::mem::take(&mut self.ledger);
        ledger.next_incarnation();
        let app = self.app.restarted();
        let console = self.console.take();
        *self = Consumer::new(
            self.id,
            self.cfg.clone(),
            self.metadata.bootstrap().to_vec(),
        );
        self.resubscribe = subscription;
        self.ledger = ledger;
        self.app = app;
        self.console = console;
    }

    /// The process starts (again): a consumer that had subscribed subscribes again.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        self.eos_init(ctx);
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
        self.set_position(tp, offset);
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
            if self.fetched.contains_key(tp) {
                continue;
            }
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
    pub fn on_closed(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, peer: NodeId, why: &CloseReason) {
        if self.eos_closed(ctx, conn, peer, why) {
            return;
        }
        let Some(broker) = self.net.on_closed(ctx, conn, why) else {
            return;
        };
        self.group_lost_broker(ctx, broker);
        self.lost_broker(ctx, broker);
    }

    pub(crate) fn lost_broker(&mut self, ctx: &mut Ctx<'_>, broker: u32) {
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
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, from: NodeId, msg: KafkaMsg) {
        if self.eos_message(ctx, conn, from, &msg) {
            return;
        }
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
                let ok = self.take(ctx, partitions);
                self.app_poll(ctx);
                if ok {
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

    /// Buffers fetched records for the application's `poll()`. Returns false when a
    /// partition failed.
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
                    let mut next = *pos;
                    let mut records = VecDeque::new();
                    for b in &fp.batches {
                        // A marker, or (read_committed) a batch of an aborted transaction:
                        // skipped whole.
                        let aborted = crate::kafka::log::txn::AbortedTxn::drops(&fp.aborted, b);
                        if b.control.is_some() || aborted {
                            next = next.max(b.next_offset());
                            continue;
                        }
                        for (offset, r) in b.with_offsets() {
                            if offset < next {
                                continue;
                            }
                            records.push_back(ConsumedRecord {
                                offset,
                                key: r.key.clone(),
                                value: r.value.clone(),
                            });
                            next = offset + 1;
                        }
                        // A cleaned batch can end in removed records: the next fetch
                        // starts after the batch (`CompletedFetch.nextFetchOffset`).
                        next = next.max(b.next_offset());
                    }
                    if records.is_empty() {
                        *pos = next;
                    } else {
                        self.fetched.insert(fp.tp, Buffered { records, next });
                    }
                }
            }
        }
        ok
    }

    /// Handles one of its timers.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: KafkaTimer) {
        if self.eos_timer(ctx, timer) {
            return;
        }
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
                    self.group_lost_broker(ctx, broker);
                    self.lost_broker(ctx, broker);
                } else {
                    self.group_request_timed_out(ctx, corr);
                }
            }
            KafkaTimer::ConsumerRetry => self.poll(ctx),
            KafkaTimer::ConsumerGroup(t) => self.on_group_timer(ctx, t),
            KafkaTimer::ConsumerApp(t) => self.on_app_timer(ctx, t),
            _ => {}
        }
    }
}
