//! A Kafka broker: its partitions (leader or follower), request handling with the
//! delayed-operation purgatory, the follower fetcher, and the periodic ISR check. Requests
//! arrive on connections and are answered on the connection they came on; a response to a
//! client whose connection closed goes nowhere ("Attempting to send response via channel
//! for which there is no open connection", SocketServer), the work done stays done.
//!
//! A broker with ZooKeeper servers to connect to registers there and may become the
//! controller ([`zk_session`], [`crate::kafka::controller`]); its roles come from the
//! controller's LeaderAndIsr ([`controller_requests`]), never from its own disk. ISR
//! changes take effect in the leader at once and are then written to ZooKeeper (no
//! AlterPartition, no maximal ISR).

pub mod controller_requests;
pub mod fetcher;
pub(crate) mod internal_topics;
pub mod log_tasks;
pub mod partition;
pub mod producer_ids;
pub mod requests;
pub mod zk_session;

use crate::ids::NodeId;
use crate::kafka::config::BrokerConfig;
use crate::kafka::log::PartitionLog;
use crate::kafka::messages::{KafkaMsg, KafkaTimer};
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
    /// Topic config overrides (key, value) by topic, as the broker read them from
    /// `/config/topics/<t>` before creating the topic's first log (an empty list: read, no
    /// overrides).
    pub topic_configs: BTreeMap<String, Vec<(String, String)>>,
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
    /// The ZooKeeper servers (sids) of `zookeeper.connect`; empty: no ZooKeeper.
    pub(crate) zk_connect: Vec<u32>,
    /// Its ZooKeeper session, while the process runs.
    pub(crate) zk: Option<zk_session::BrokerZk>,
    /// The controller, while this broker is it.
    pub(crate) controller: Option<crate::kafka::controller::Controller>,
    /// The newest controller epoch seen in a controller request.
    pub(crate) controller_epoch_seen: u32,
    /// The metadata cache (UpdateMetadata): partitions' leaders and ISRs.
    pub(crate) metadata: ClusterMetadata,
    /// The live brokers, as the last UpdateMetadata said.
    pub(crate) alive_brokers: Vec<u32>,
    /// The next producer id this broker hands out, from its block (start, end)
    /// ([`producer_ids`]); a claim of a block is under way.
    pub(crate) next_producer_id: i64,
    pub(crate) pid_block: Option<(i64, i64)>,
    pub(crate) pid_claiming: bool,
    /// A controlled shutdown is under way.
    pub(crate) shutting_down: bool,
    /// ISR shrinks and expansions this broker made as a leader since it started
    /// (`IsrShrinksPerSec`, `IsrExpandsPerSec`; see [`crate::kafka::metrics`]).
    pub(crate) isr_shrinks: u64,
    pub(crate) isr_expands: u64,
    /// ISR changes written but not announced to the controller yet, and when the last
    /// change and the last announcement were, ms (`ZkAlterPartitionManager`).
    pub(crate) isr_change_set: std::collections::BTreeSet<TopicPartition>,
    /// `kafka-topics --create` requests waiting for their answer: topic, partitions.
    pub(crate) pending_creates: Vec<(String, u32)>,
    /// LeaderAndIsr partitions waiting for their topic's configs, by topic.
    pub(crate) awaiting_config:
        BTreeMap<String, Vec<crate::kafka::messages::LeaderAndIsrPartition>>,
    pub(crate) last_isr_change_ms: u64,
    pub(crate) last_isr_propagation_ms: u64,
    /// Its transaction coordinator ([`crate::kafka::txn`]).
    pub(crate) txn: crate::kafka::txn::TxnCoordinator,
    /// Its group coordinator ([`crate::kafka::group`]).
    pub(crate) group: crate::kafka::group::GroupCoordinator,
    /// The internal topics this broker asked ZooKeeper to create
    /// ([`internal_topics`]).
    pub(crate) internal_topics_requested: std::collections::BTreeSet<&'static str>,
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
            zk_connect: Vec::new(),
            zk: None,
            controller: None,
            controller_epoch_seen: 0,
            metadata: ClusterMetadata::default(),
            alive_brokers: Vec::new(),
            next_producer_id: 0,
            pid_block: None,
            pid_claiming: false,
            shutting_down: false,
            isr_shrinks: 0,
            isr_expands: 0,
            isr_change_set: std::collections::BTreeSet::new(),
            awaiting_config: BTreeMap::new(),
            pending_creates: Vec::new(),
            last_isr_change_ms: 0,
            last_isr_propagation_ms: 0,
            txn: Default::default(),
            group: Default::default(),
            internal_topics_requested: Default::default(),
        }
    }

    /// A broker whose `zookeeper.connect` names the servers `zk` (sids).
    pub fn with_zookeeper(mut self, zk: Vec<u32>) -> Self {
        self.zk_connect = zk;
        self
    }

    /// Its ZooKeeper session, while it runs with one.
    pub fn zk(&self) -> Option<&zk_session::BrokerZk> {
        self.zk.as_ref()
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
        ctx.set_timer(
            KafkaTimer::IsrExpiration,
            self.cfg.replica_lag_time_max_ms / 2,
        );
        ctx.set_timer(KafkaTimer::HwCheckpoint, self.cfg.hw_checkpoint_interval_ms);
        self.last_isr_change_ms = ctx.now();
        self.last_isr_propagation_ms = ctx.now();
        ctx.set_timer(
            KafkaTimer::IsrChangePropagation,
            zk_session::ISR_PROPAGATION_CHECK_MS,
        );
        self.start_log_tasks(ctx);
        if !self.zk_connect.is_empty() {
            self.zk = Some(zk_session::BrokerZk::new(
                self.id,
                self.zk_connect.clone(),
                self.cfg.zk_session_timeout_ms,
            ));
            self.zk_start(ctx);
        }
    }

    /// `stop` (SIGTERM, `KafkaServer.shutdown`). With a controller to ask, a controlled
    /// shutdown comes first: the broker sends ControlledShutdown and keeps running until
    /// the answer (or `controlled.shutdown` gives up after 30 s here; Kafka retries 3
    /// times 5 s apart), then exits on its own. On the way out it closes its ZooKeeper
    /// session (`zkClient.close()`), so its ephemeral znodes go at once. Returns true when
    /// it exits now.
    pub fn on_stop(&mut self, ctx: &mut Ctx<'_>) -> bool {
        let connected = self.zk.as_ref().is_some_and(|z| {
            z.client.session_state() == crate::zookeeper::client::SessionState::Connected
        });
        let controller = self.zk.as_ref().and_then(|z| z.controller_id);
        if !self.shutting_down
            && connected
            && let Some(c) = controller
        {
            self.shutting_down = true;
            ctx.note(format!(
                "Starting controlled shutdown: asking controller broker{c}"
            ));
            let corr = self.next_corr;
            self.next_corr += 1;
            let msg = KafkaMsg::ControlledShutdown {
                corr,
                broker: self.id,
            };
            if c == self.id {
                ctx.loopback(msg);
            } else {
                self.net.send(ctx, c, msg);
            }
            ctx.set_timer(KafkaTimer::ControlledShutdownTimeout, 30_000);
            return false;
        }
        if let Some(zk) = self.zk.as_mut()
            && connected
        {
            zk.client.close_session(ctx);
        }
        true
    }

    /// A ZooKeeper message for its session.
    pub fn on_zk_message(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        msg: crate::zookeeper::messages::ZkMsg,
    ) {
        if let Some(zk) = self.zk.as_mut() {
            zk.client.on_message(ctx, conn, msg);
        }
        self.zk_drain(ctx);
        // A topic's configs read from ZooKeeper may have given this broker the roles it
        // waited for, `__transaction_state` leaderships among them.
        self.txn_roles_changed(ctx);
        self.group_roles_changed(ctx);
    }

    /// One of its ZooKeeper client's timers.
    pub fn on_zk_timer(&mut self, ctx: &mut Ctx<'_>, t: crate::zookeeper::messages::ZkTimer) {
        if let Some(zk) = self.zk.as_mut() {
            zk.client.on_timer(ctx, t);
        }
        self.zk_drain(ctx);
    }

    /// The process died: logs (page cache included), checkpoints and metadata survive;
    /// everything else is lost.
    pub fn crash(&mut self) {
        let mut disk = std::mem::take(&mut self.disk);
        disk.unclean = true;
        disk.clean_marker = false;
        *self = Broker {
            disk,
            zk_connect: std::mem::take(&mut self.zk_connect),
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
            zk_connect: std::mem::take(&mut self.zk_connect),
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

    /// Handles a request or a response that arrived on `conn`.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, from: NodeId, msg: KafkaMsg) {
        match msg {
            KafkaMsg::MetadataRequest { corr, topics } => {
                let brokers = self.alive_brokers.clone();
                let topics = self.metadata.describe(&topics);
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
                transactional_id,
            } => {
                let req = requests::ProduceReq {
                    conn,
                    corr,
                    acks,
                    timeout_ms,
                    batches,
                };
                self.produce_request(ctx, req, transactional_id)
            }
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
            KafkaMsg::ControlledShutdown { corr, broker } => {
                self.handle_controlled_shutdown(ctx, conn, corr, broker)
            }
            KafkaMsg::ControlledShutdownResponse { remaining, .. } => {
                if self.shutting_down {
                    ctx.cancel_timer(KafkaTimer::ControlledShutdownTimeout);
                    ctx.note(if remaining.is_empty() {
                        "Controlled shutdown succeeded".to_string()
                    } else {
                        format!(
                            "Controlled shutdown: {} partition(s) still led here",
                            remaining.len()
                        )
                    });
                    ctx.exit("controlled shutdown");
                }
            }
            KafkaMsg::InitProducerId {
                corr,
                transactional_id: Some(id),
                transaction_timeout_ms,
            } => self.txn_init_producer_id(ctx, conn, corr, &id, transaction_timeout_ms),
            KafkaMsg::InitProducerId { corr, .. } => self.handle_init_producer_id(ctx, conn, corr),
            KafkaMsg::Txn(m) => self.on_txn_message(ctx, conn, m),
            KafkaMsg::Group(m) => self.on_group_message(ctx, conn, m),
            KafkaMsg::ListOffsets {
                corr,
                earliest,
                read_committed,
                partitions,
            } => {
                let partitions = partitions
                    .into_iter()
                    .map(|tp| {
                        let r = self.list_offset(&tp, earliest, read_committed);
                        (tp, r)
                    })
                    .collect();
                ctx.send(conn, KafkaMsg::ListOffsetsResponse { corr, partitions });
            }
            KafkaMsg::OffsetsForLeaderEpoch { corr, partitions } => {
                let partitions = partitions
                    .into_iter()
                    .map(|(tp, epoch)| {
                        let r = match self.partitions.get(&tp) {
                            Some(p) if p.leader == self.id => Ok(self
                                .disk
                                .logs
                                .get(&tp)
                                .and_then(|l| l.end_offset_for(epoch))),
                            _ => Err(crate::kafka::messages::KafkaError::NotLeaderOrFollower),
                        };
                        (tp, r)
                    })
                    .collect();
                ctx.send(
                    conn,
                    KafkaMsg::OffsetsForLeaderEpochResponse { corr, partitions },
                );
            }
            KafkaMsg::OffsetsForLeaderEpochResponse { corr, partitions } => {
                if let NodeId::Broker(leader) = from {
                    self.on_epoch_response(ctx, leader, corr, partitions);
                }
            }
            KafkaMsg::LeaderAndIsr {
                controller_epoch,
                partitions,
                ..
            } => {
                self.handle_leader_and_isr(ctx, conn, controller_epoch, partitions);
                self.txn_roles_changed(ctx);
                self.group_roles_changed(ctx);
            }
            KafkaMsg::UpdateMetadata {
                controller_epoch,
                brokers,
                topics,
                ..
            } => self.handle_update_metadata(ctx, conn, controller_epoch, brokers, topics),
            KafkaMsg::StopReplica {
                controller_epoch,
                partitions,
                delete,
                ..
            } => {
                self.handle_stop_replica(ctx, conn, controller_epoch, partitions, delete);
                self.txn_roles_changed(ctx);
                self.group_roles_changed(ctx);
            }
            KafkaMsg::LeaderAndIsrResponse { .. }
            | KafkaMsg::UpdateMetadataResponse { .. }
            | KafkaMsg::StopReplicaResponse { .. } => {
                if let NodeId::Broker(b) = from {
                    self.controller_answered(b);
                }
            }
            KafkaMsg::MetadataResponse { .. }
            | KafkaMsg::ProduceResponse { .. }
            | KafkaMsg::InitProducerIdResponse { .. }
            | KafkaMsg::ListOffsetsResponse { .. } => {}
        }
    }

    /// One of its connections closed. A fetcher's connection to a leader: the fetch in
    /// flight failed; back off `replica.fetch.backoff.ms` and fetch again (on a new
    /// connection). A client's: nothing to do (answers to it will go nowhere).
    pub fn on_closed(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, _peer: NodeId, why: &CloseReason) {
        if let Some(leader) = self.net.forget(conn) {
            self.on_fetcher_error(ctx, leader, &why.describe());
            return;
        }
        if let Some(broker) = self.txn.net.forget(conn) {
            self.marker_conn_lost(ctx, broker);
            return;
        }
        if self.controller_conn_closed(ctx, conn) {
            return;
        }
        if let Some(zk) = self.zk.as_mut() {
            zk.client.on_closed(ctx, conn, why);
            self.zk_drain(ctx);
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
            KafkaTimer::LeaderRebalance => self.on_leader_rebalance(ctx),
            KafkaTimer::IsrChangePropagation => self.maybe_propagate_isr_changes(ctx),
            KafkaTimer::TxnAbortTimedOut => self.abort_timed_out(ctx),
            KafkaTimer::TxnMarkerRetry => self.retry_markers(ctx),
            KafkaTimer::GroupDeadline(n) => self.on_group_deadline(ctx, n),
            KafkaTimer::ConsumerGroup(_) | KafkaTimer::ConsumerApp(_) => {}
            KafkaTimer::ControlledShutdownTimeout => {
                ctx.note("Controlled shutdown got no answer: shutting down anyway");
                ctx.exit("controlled shutdown timed out");
            }
            KafkaTimer::Sender
            | KafkaTimer::RequestTimeout(_)
            | KafkaTimer::ConsumerRetry
            | KafkaTimer::MetadataMaxAge => {}
        }
    }

    /// The `isr-expiration` task: each led partition drops followers that have not caught
    /// up within `replica.lag.time.max.ms` (`Partition.maybeShrinkIsr`).
    fn shrink_isrs(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        let lag = self.cfg.replica_lag_time_max_ms;
        let mut shrunk = Vec::new();
        for (tp, p) in self.partitions.iter() {
            if p.leader != self.id || p.pending_isr.is_some() {
                continue;
            }
            let leo = self.disk.logs.get(tp).map(|l| l.leo()).unwrap_or(0);
            let out = p.out_of_sync(leo, now, lag);
            if out.is_empty() {
                continue;
            }
            let isr: Vec<u32> = p.isr.iter().copied().filter(|r| !out.contains(r)).collect();
            let names: Vec<String> = out.iter().map(|r| r.to_string()).collect();
            let reason = format!(
                "Shrinking ISR: out-of-sync replicas {} have not caught up within {lag} ms",
                names.join(",")
            );
            shrunk.push((tp.clone(), isr, reason));
        }
        for (tp, isr, reason) in shrunk {
            self.propose_isr(ctx, &tp, isr, reason);
        }
    }
}
