//! A Kafka broker: its partitions (leader or follower), request handling with the
//! delayed-operation purgatory, the follower fetcher, and the periodic ISR check. Requests
//! arrive on connections and are answered on the connection they came on; a response to a
//! client whose connection closed goes nowhere ("Attempting to send response via channel
//! for which there is no open connection", SocketServer), the work done stays done.
//!
//! Simplifications of this slice (the controller issue removes them): ISR changes take
//! effect at once (no AlterPartition, no maximal ISR) and are not written anywhere, so a
//! restarted leader starts from the ISR of the topic's creation.

pub mod fetcher;
pub mod log_tasks;
pub mod partition;
pub mod requests;

use crate::ids::NodeId;
use crate::kafka::config::BrokerConfig;
use crate::kafka::log::PartitionLog;
use crate::kafka::messages::{KafkaChange, KafkaMsg, KafkaTimer};
use crate::kafka::metadata::ClusterMetadata;
use crate::kafka::network_client::NetworkClient;
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::{CloseReason, ConnId};
use crate::sim::effects::Ctx;
use fetcher::Fetcher;
use partition::PartitionState;
use requests::{DelayedFetch, DelayedProduce};
use serde::Serialize;
use std::collections::BTreeMap;

/// What a broker keeps on disk and finds again after a crash (the OS keeps the page
/// cache) or, minus what was not written back yet, after a power cut.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BrokerDisk {
    /// Each replica's log.
    pub logs: BTreeMap<TopicPartition, PartitionLog>,
    /// `replication-offset-checkpoint`: high watermarks as of the last checkpoint, which
    /// Kafka writes with an fsync (`CheckpointFile.write`), so it survives a power cut.
    pub hw_checkpoint: BTreeMap<TopicPartition, u64>,
    /// Cluster metadata (stands in for ZooKeeper until the controller arrives).
    pub metadata: ClusterMetadata,
    /// The host's page cache over this broker's segment files (it outlives the process;
    /// a power cut empties it).
    pub page_cache: crate::kafka::zerocopy::PageCache,
    /// Set by a crash or power cut (no clean-shutdown marker): the next start recovers
    /// every log.
    pub unclean: bool,
    /// `.kafka_cleanshutdown` is in the log dir: written by a clean shutdown, deleted by
    /// the next start once the logs are loaded (`LogManager`).
    pub clean_marker: bool,
}

impl BrokerDisk {
    /// The log of `tp`, created empty with `cfg` (the topic's settings) if missing. Takes
    /// the disk alone so a caller can hold a partition's state at the same time.
    pub(crate) fn log_entry(
        &mut self,
        tp: &TopicPartition,
        cfg: crate::kafka::log::config::LogConfig,
    ) -> &mut PartitionLog {
        self.logs
            .entry(tp.clone())
            .or_insert_with(|| PartitionLog::new(cfg))
    }
}

/// A Kafka broker.
#[derive(Clone, Debug)]
pub struct Broker {
    pub(crate) id: u32,
    pub(crate) cfg: BrokerConfig,
    pub(crate) disk: BrokerDisk,
    pub(crate) partitions: BTreeMap<TopicPartition, PartitionState>,
    pub(crate) delayed_fetches: BTreeMap<u64, DelayedFetch>,
    pub(crate) delayed_produces: BTreeMap<u64, DelayedProduce>,
    pub(crate) next_delayed: u64,
    pub(crate) fetchers: BTreeMap<u32, Fetcher>,
    /// The fetchers' connections to the leaders.
    pub(crate) net: NetworkClient,
    pub(crate) next_corr: u64,
}

impl Broker {
    /// A stopped broker with empty logs.
    pub fn new(id: u32, cfg: BrokerConfig) -> Self {
        Broker {
            id,
            cfg,
            disk: BrokerDisk::default(),
            partitions: BTreeMap::new(),
            delayed_fetches: BTreeMap::new(),
            delayed_produces: BTreeMap::new(),
            next_delayed: 0,
            fetchers: BTreeMap::new(),
            net: NetworkClient::default(),
            next_corr: 0,
        }
    }

    /// `broker.id`.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// What is on disk.
    pub fn disk(&self) -> &BrokerDisk {
        &self.disk
    }

    /// This broker's partitions and its role in each.
    pub fn partitions(&self) -> &BTreeMap<TopicPartition, PartitionState> {
        &self.partitions
    }

    /// The log end offset of this broker's replica of `tp`.
    pub fn leo(&self, tp: &TopicPartition) -> Option<u64> {
        self.disk.logs.get(tp).map(|l| l.leo())
    }

    /// The high watermark this broker knows for `tp`.
    pub fn hw(&self, tp: &TopicPartition) -> Option<u64> {
        self.partitions.get(tp).map(|p| p.hw)
    }

    /// Replaces the settings.
    pub fn set_config(&mut self, cfg: BrokerConfig) {
        self.cfg = cfg;
        self.refresh_log_configs();
    }

    /// Starts the broker: reload its logs and metadata, take its partition roles, and
    /// start the periodic tasks.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        if std::mem::take(&mut self.disk.unclean) {
            self.recover_logs(ctx);
        }
        self.disk.clean_marker = false;
        let topics: Vec<String> = self.disk.metadata.topics.keys().cloned().collect();
        for t in topics {
            self.take_roles(ctx, &t);
        }
        ctx.set_timer(
            KafkaTimer::IsrExpiration,
            self.cfg.replica_lag_time_max_ms / 2,
        );
        ctx.set_timer(KafkaTimer::HwCheckpoint, self.cfg.hw_checkpoint_interval_ms);
        self.start_log_tasks(ctx);
    }

    /// The process died: logs (page cache included), checkpoints and metadata survive;
    /// everything else is lost.
    pub fn crash(&mut self) {
        let mut disk = std::mem::take(&mut self.disk);
        disk.unclean = true;
        disk.clean_marker = false;
        *self = Broker {
            disk,
            ..Broker::new(self.id, self.cfg.clone())
        };
    }

    /// A clean shutdown (`LogManager.shutdown`): every log is flushed (the recovery point
    /// reaches the LEO) and closed, the high watermarks are checkpointed, the clean-shutdown
    /// marker is written; the next start loads the logs without recovery.
    pub fn shutdown(&mut self) {
        for log in self.disk.logs.values_mut() {
            log.flush();
        }
        for (tp, p) in &self.partitions {
            self.disk.hw_checkpoint.insert(tp.clone(), p.hw);
        }
        let mut disk = std::mem::take(&mut self.disk);
        disk.unclean = false;
        disk.clean_marker = true;
        *self = Broker {
            disk,
            ..Broker::new(self.id, self.cfg.clone())
        };
    }

    /// The host lost power at `now`: each log loses what the page cache had not written
    /// back; the restart's recovery finds the log ending there.
    pub fn power_loss(&mut self, now: u64) {
        for log in self.disk.logs.values_mut() {
            log.lose_unflushed(now);
        }
        self.disk.page_cache.clear();
        self.crash();
    }

    /// Records a new topic in this broker's metadata and, if running, takes its roles.
    pub fn install_topic(
        &mut self,
        ctx: Option<&mut Ctx<'_>>,
        topic: &str,
        assignment: &[Vec<u32>],
        configs: &[(String, String)],
        live: &[u32],
    ) {
        self.disk.metadata.create_topic(topic, assignment, live);
        if !configs.is_empty() {
            self.disk
                .metadata
                .configs
                .insert(topic.to_string(), configs.to_vec());
        }
        for (p, replicas) in assignment.iter().enumerate() {
            if replicas.contains(&self.id) {
                self.log_mut(&TopicPartition::new(topic, p as u32));
            }
        }
        if let Some(ctx) = ctx {
            self.maybe_start_cleaner(ctx);
            self.take_roles(ctx, topic);
        }
    }

    /// Becomes leader or follower for each of `topic`'s partitions it holds
    /// (what a LeaderAndIsr request from the controller would do).
    fn take_roles(&mut self, ctx: &mut Ctx<'_>, topic: &str) {
        let Some(parts) = self.disk.metadata.topics.get(topic).cloned() else {
            return;
        };
        for (p, info) in parts.iter().enumerate() {
            if !info.replicas.contains(&self.id) {
                continue;
            }
            let tp = TopicPartition::new(topic, p as u32);
            let leo = self.log_mut(&tp).leo();
            let hw = self
                .disk
                .hw_checkpoint
                .get(&tp)
                .copied()
                .unwrap_or(0)
                .min(leo);
            let Some(leader) = info.leader else { continue };
            let state = if leader == self.id {
                PartitionState::new_leader(
                    self.id,
                    &info.replicas,
                    &info.isr,
                    info.leader_epoch,
                    leo,
                    hw,
                    ctx.now(),
                )
            } else {
                PartitionState::new_follower(
                    &info.replicas,
                    leader,
                    &info.isr,
                    info.leader_epoch,
                    hw,
                )
            };
            ctx.change(KafkaChange::Role {
                tp: tp.clone(),
                leader,
                leader_epoch: info.leader_epoch,
                isr: info.isr.clone(),
            });
            self.partitions.insert(tp.clone(), state);
            if leader != self.id {
                self.add_fetch_partition(ctx, leader, tp);
            }
        }
    }

    /// Handles a request or a response that arrived on `conn`.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, from: NodeId, msg: KafkaMsg) {
        match msg {
            KafkaMsg::MetadataRequest { corr, topics } => {
                let brokers = self.known_brokers();
                let topics = self.disk.metadata.describe(&topics);
                ctx.send(
                    conn,
                    KafkaMsg::MetadataResponse {
                        corr,
                        brokers,
                        topics,
                    },
                );
            }
            KafkaMsg::ProduceRequest {
                corr,
                acks,
                timeout_ms,
                batches,
            } => self.handle_produce(ctx, conn, corr, acks, timeout_ms, batches),
            KafkaMsg::FetchRequest {
                corr,
                replica,
                max_wait_ms,
                min_bytes,
                max_bytes,
                isolation,
                partitions,
            } => {
                let req = DelayedFetch {
                    conn,
                    from,
                    corr,
                    replica,
                    min_bytes,
                    max_bytes,
                    isolation,
                    partitions,
                };
                self.handle_fetch(ctx, req, max_wait_ms)
            }
            KafkaMsg::FetchResponse { corr, partitions } => {
                if let NodeId::Broker(leader) = from {
                    self.on_fetch_response(ctx, leader, corr, partitions);
                }
            }
            KafkaMsg::MetadataResponse { .. } | KafkaMsg::ProduceResponse { .. } => {}
        }
    }

    /// One of its connections closed. A fetcher's connection to a leader: the fetch in
    /// flight failed; back off `replica.fetch.backoff.ms` and fetch again (on a new
    /// connection). A client's: nothing to do (answers to it will go nowhere).
    pub fn on_closed(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, _peer: NodeId, why: &CloseReason) {
        if let Some(leader) = self.net.forget(conn) {
            self.on_fetcher_error(ctx, leader, &why.describe());
        }
    }

    /// Handles one of its timers.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: KafkaTimer) {
        match timer {
            KafkaTimer::DelayedFetch(id) => self.expire_fetch(ctx, id),
            KafkaTimer::DelayedProduce(id) => self.expire_produce(ctx, id),
            KafkaTimer::IsrExpiration => {
                self.shrink_isrs(ctx);
                ctx.set_timer(
                    KafkaTimer::IsrExpiration,
                    self.cfg.replica_lag_time_max_ms / 2,
                );
            }
            KafkaTimer::HwCheckpoint => {
                for (tp, p) in &self.partitions {
                    self.disk.hw_checkpoint.insert(tp.clone(), p.hw);
                }
                ctx.set_timer(KafkaTimer::HwCheckpoint, self.cfg.hw_checkpoint_interval_ms);
            }
            KafkaTimer::LogRetention => self.on_log_retention(ctx),
            KafkaTimer::LogCleaner => self.on_log_cleaner(ctx),
            KafkaTimer::FetcherRetry(leader) => self.send_fetch(ctx, leader),
            KafkaTimer::FetcherTimeout(leader) => self.on_fetch_timeout(ctx, leader),
            KafkaTimer::Sender | KafkaTimer::RequestTimeout(_) | KafkaTimer::ConsumerRetry => {}
        }
    }

    fn known_brokers(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self
            .disk
            .metadata
            .topics
            .values()
            .flatten()
            .flat_map(|p| p.replicas.iter().copied())
            .collect();
        ids.push(self.id);
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The `isr-expiration` task: each led partition drops followers that have not caught
    /// up within `replica.lag.time.max.ms` (`Partition.maybeShrinkIsr`).
    fn shrink_isrs(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        let (lag, min_isr) = (
            self.cfg.replica_lag_time_max_ms,
            self.cfg.min_insync_replicas,
        );
        let mut moved = false;
        for (tp, p) in self.partitions.iter_mut() {
            if p.leader != self.id {
                continue;
            }
            let leo = self.disk.logs.get(tp).map(|l| l.leo()).unwrap_or(0);
            let out = p.out_of_sync(leo, now, lag);
            if out.is_empty() {
                continue;
            }
            p.isr.retain(|r| !out.contains(r));
            let names: Vec<String> = out.iter().map(|r| r.to_string()).collect();
            ctx.change(KafkaChange::Isr {
                tp: tp.clone(),
                isr: p.isr.clone(),
                reason: format!(
                    "Shrinking ISR: out-of-sync replicas {} have not caught up within {lag} ms",
                    names.join(",")
                ),
            });
            if p.maybe_increment_hw(leo, now, lag, min_isr) {
                ctx.change(KafkaChange::HighWatermark {
                    tp: tp.clone(),
                    hw: p.hw,
                });
                moved = true;
            }
        }
        if moved {
            self.try_complete_delayed(ctx);
        }
    }
}
