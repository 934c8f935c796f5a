//! A broker's ZooKeeper session (`KafkaZkClient` over `ZooKeeperClient`, apache/kafka 3.7,
//! ZooKeeper mode): the engine's own ZooKeeper client embedded in the broker, and what the
//! broker does with it.
//!
//! - Startup (`KafkaServer.startup`): the persistent top-level paths
//!   (`createTopLevelPaths`), then the ephemeral `/brokers/ids/<id>` (`registerBroker`; a
//!   node left by an older session of the same broker id that has not expired yet is
//!   `NodeExists` and a fatal startup error, as `CheckedEphemeral.getAfterNodeExists`
//!   throws), then the controller election (`KafkaController.elect`): read `/controller`
//!   with a watch; if nobody holds it, read `/controller_epoch` (created as 0 when
//!   missing) and in one multi create the ephemeral `/controller` and set the epoch + 1 at
//!   the version read (`registerControllerAndIncrementControllerEpoch`). NodeExists or
//!   BadVersion: someone else won.
//! - `/controller` deleted (its holder's session ended): every broker runs the election
//!   again (`Reelect`); a controller that sees another's id there resigns.
//! - Session expiry: a new session is made at once (`ZooKeeperClient.reinitialize`); a
//!   controller resigns first (`Expire`), then the broker registers and runs the
//!   election again (`RegisterBrokerAndReelect`). Its partitions keep their roles.
//! - A leader's ISR change is written to the partition's state znode conditionally on the
//!   zkVersion it holds (`ReplicationUtils.updateLeaderAndIsr`, Kafka 2.6: the ZooKeeper
//!   path before AlterIsr, kept in 3.8 as `ZkAlterPartitionManager` for IBP below 2.7),
//!   then announced under `/isr_change_notification` for the controller to send the new
//!   metadata: the `isr-change-propagation` task runs every 2500 ms and writes one
//!   notification with every change pending once no change came for 5000 ms, or 60000 ms
//!   after the last notification (`maybePropagateIsrChanges`). The new ISR takes effect only
//!   once written (`Partition.updateIsr`). A failed write (BadVersion: the controller
//!   changed the partition meanwhile; or the session expired) is dropped, as Kafka's
//!   "Cached zkVersion not equal to that in zookeeper, skip updating ISR"; the
//!   controller's LeaderAndIsr brings the right state.

use super::Broker;
use crate::kafka::controller::CtlRead;
use crate::kafka::messages::{KafkaChange, KafkaTimer};
use crate::kafka::topic::{TopicId, TopicPartition};
use crate::kafka::zk_data::{self, PartitionStateZnode};
use crate::sim::effects::Ctx;
use crate::zookeeper::client::{Delivery, KeeperState, Reply, WatchedEvent, ZkClient};
use crate::zookeeper::data::acl::Acl;
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::watch::EventType;
use crate::zookeeper::proto::{CreateMode, Op, ReplyBody};
use std::collections::BTreeMap;

/// Why the broker sent a ZooKeeper request: how to read its reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ZkPurpose {
    /// A top-level path or a parent (NodeExists is fine).
    Path,
    /// `/brokers/ids/<id>`.
    Register,
    /// The owner of the `/brokers/ids/<id>` that was already there.
    RegisterOwner,
    /// `exists /controller` with a watch.
    WatchController,
    /// `getData /controller`.
    ReadController,
    /// `getData /controller_epoch` before trying to become controller.
    ReadEpoch,
    /// Creating `/controller_epoch` as 0.
    CreateEpoch,
    /// The election's multi; the epoch it would make.
    Elect(u32),
    /// A leader's conditional ISR write.
    IsrWrite {
        /// The partition.
        tp: TopicPartition,
        /// What it wrote.
        state: PartitionStateZnode,
    },
    /// An ISR change notification (nothing to do with the reply).
    Notify,
    /// A controller's request, tagged with its epoch (replies to an older controller
    /// term are dropped).
    Ctl(u32, CtlRead),
    /// Reading `/config/topics/<t>` before creating the topic's logs.
    TopicConfig(String),
    /// Reading `/latest_producer_id_block` to claim the next block.
    PidBlockRead,
    /// Writing the block that starts here.
    PidBlockWrite {
        /// The block's first id.
        start: i64,
    },
}

/// The broker's ZooKeeper client and its requests in flight.
#[derive(Clone, Debug)]
pub struct BrokerZk {
    /// The client (one session; a new one after expiry).
    pub client: ZkClient,
    /// Requests waiting for their reply, by xid.
    pub(crate) purposes: BTreeMap<i32, ZkPurpose>,
    /// The session this broker registered with, once registered.
    pub registered: Option<u64>,
    /// The controller as last read from `/controller` (`activeControllerId`).
    pub controller_id: Option<u32>,
}

impl BrokerZk {
    /// A session (not yet connected) to the servers `connect` (sids).
    pub fn new(broker: u32, connect: Vec<u32>, timeout_ms: u32) -> BrokerZk {
        let mut client = ZkClient::embedded(1000 + broker, connect, timeout_ms);
        client.address = format!("10.0.2.{broker}");
        BrokerZk {
            client,
            purposes: BTreeMap::new(),
            registered: None,
            controller_id: None,
        }
    }
}

impl Broker {
    /// Sends `op` on the broker's session, remembering why.
    pub(crate) fn zk_submit(&mut self, ctx: &mut Ctx<'_>, op: Op, purpose: ZkPurpose) {
        let Some(zk) = self.zk.as_mut() else { return };
        let xid = zk.client.submit(ctx, op);
        zk.purposes.insert(xid, purpose);
    }

    /// Handles everything the client has delivered, including what handling it causes.
    pub(crate) fn zk_drain(&mut self, ctx: &mut Ctx<'_>) {
        loop {
            let Some(zk) = self.zk.as_mut() else { return };
            let inbox = zk.client.take_inbox();
            if inbox.is_empty() {
                return;
            }
            for d in inbox {
                match d {
                    Delivery::Reply(r) => {
                        let purpose = self.zk.as_mut().and_then(|z| z.purposes.remove(&r.xid));
                        if let Some(p) = purpose {
                            self.zk_reply(ctx, p, *r);
                        }
                    }
                    Delivery::Event(ev) => self.zk_event(ctx, ev),
                }
            }
        }
    }

    /// Starts the session (process start).
    pub(crate) fn zk_start(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(zk) = self.zk.as_mut() {
            zk.client.on_start(ctx);
        }
        self.zk_drain(ctx);
    }

    fn zk_event(&mut self, ctx: &mut Ctx<'_>, ev: WatchedEvent) {
        match (ev.state, ev.kind, ev.path.as_deref()) {
            (KeeperState::SyncConnected, EventType::None, None)
                if self.zk.as_ref().is_some_and(|z| z.registered.is_none()) =>
            {
                self.register(ctx);
            }
            (KeeperState::Expired, _, _) => self.session_expired(ctx),
            (_, _, Some(zk_data::CONTROLLER)) => {
                self.watch_controller(ctx);
            }
            (_, EventType::NodeChildrenChanged | EventType::NodeDataChanged, Some(path)) => {
                let path = path.to_string();
                self.controller_watch_fired(ctx, &path);
            }
            _ => {}
        }
    }

    /// The top-level paths, then the registration.
    fn register(&mut self, ctx: &mut Ctx<'_>) {
        let mut made = std::collections::BTreeSet::new();
        for p in zk_data::PERSISTENT_PATHS {
            for (op, _) in crate::zookeeper::recipes::parents(p) {
                if let Op::Create { path, .. } = &op
                    && made.insert(path.clone())
                {
                    self.zk_submit(ctx, op, ZkPurpose::Path);
                }
            }
        }
        let data = zk_data::broker_json(self.id, ctx.now());
        self.zk_submit(
            ctx,
            create(&zk_data::broker_path(self.id), &data, CreateMode::Ephemeral),
            ZkPurpose::Register,
        );
    }

    fn session_expired(&mut self, ctx: &mut Ctx<'_>) {
        self.resign(ctx);
        self.pid_claiming = false;
        let Some(zk) = self.zk.as_mut() else { return };
        ctx.note(format!(
            "Session expired (0x{:x}); creating a new ZooKeeper session",
            zk.client.session
        ));
        let fresh = BrokerZk::new(
            self.id,
            zk.client.connect.clone(),
            zk.client.requested_timeout_ms,
        );
        *zk = fresh;
        self.zk_start(ctx);
    }

    fn zk_reply(&mut self, ctx: &mut Ctx<'_>, purpose: ZkPurpose, r: Reply) {
        match purpose {
            ZkPurpose::Path | ZkPurpose::Notify => {}
            ZkPurpose::PidBlockRead => self.on_pid_block_read(ctx, r),
            ZkPurpose::TopicConfig(topic) => {
                let configs = match r.result {
                    Ok(ReplyBody::Data { data, .. }) => Some(
                        data.as_deref()
                            .and_then(|d| zk_data::parse_topic_config(d).ok())
                            .unwrap_or_default(),
                    ),
                    Err(Code::NoNode) => Some(Vec::new()),
                    _ => None,
                };
                self.topic_config_read(ctx, topic, configs);
            }
            ZkPurpose::PidBlockWrite { start } => self.on_pid_block_written(ctx, start, r),
            // Created (or someone else did): read it to run the election.
            ZkPurpose::CreateEpoch => self.read_epoch(ctx),
            ZkPurpose::Register => match r.result {
                Ok(_) => {
                    let session = self.zk.as_ref().map_or(0, |z| z.client.session);
                    if let Some(z) = self.zk.as_mut() {
                        z.registered = Some(session);
                    }
                    ctx.change(KafkaChange::Registered { session });
                    self.watch_controller(ctx);
                    if self.pid_block.is_none() {
                        self.claim_producer_id_block(ctx);
                    }
                }
                Err(Code::NodeExists) => {
                    self.zk_submit(
                        ctx,
                        Op::GetData {
                            path: zk_data::broker_path(self.id),
                            watch: false,
                        },
                        ZkPurpose::RegisterOwner,
                    );
                }
                Err(_) => {}
            },
            ZkPurpose::RegisterOwner => {
                let owner = match &r.result {
                    Ok(ReplyBody::Data { stat, .. }) => stat.ephemeral_owner,
                    _ => 0,
                };
                let session = self.zk.as_ref().map_or(0, |z| z.client.session);
                ctx.note(format!(
                    "Error while creating ephemeral at {}, node already exists and owner '0x{owner:x}' does not match current session '0x{session:x}'",
                    zk_data::broker_path(self.id)
                ));
                ctx.note("Fatal error during KafkaServer startup. Prepare to shutdown");
                ctx.exit("Fatal error during KafkaServer startup");
            }
            ZkPurpose::WatchController => match r.result {
                Ok(_) => self.zk_submit(
                    ctx,
                    Op::GetData {
                        path: zk_data::CONTROLLER.into(),
                        watch: false,
                    },
                    ZkPurpose::ReadController,
                ),
                Err(Code::NoNode) => {
                    if let Some(z) = self.zk.as_mut() {
                        z.controller_id = None;
                    }
                    self.resign(ctx);
                    self.read_epoch(ctx);
                }
                Err(_) => {}
            },
            ZkPurpose::ReadController => {
                if let Ok(ReplyBody::Data { data: Some(d), .. }) = &r.result {
                    let id = zk_data::parse_controller(d).ok();
                    if let Some(z) = self.zk.as_mut() {
                        z.controller_id = id;
                    }
                    if id != Some(self.id) {
                        self.resign(ctx);
                    }
                }
            }
            ZkPurpose::ReadEpoch => match r.result {
                Ok(ReplyBody::Data { data, stat }) => {
                    let epoch: u32 = data
                        .as_deref()
                        .and_then(|d| std::str::from_utf8(d).ok())
                        .and_then(|s| s.trim().parse().ok())
                        .unwrap_or(0);
                    let new = epoch + 1;
                    let op = Op::Multi {
                        ops: vec![
                            create(
                                zk_data::CONTROLLER,
                                &zk_data::controller_json(self.id, ctx.now()),
                                CreateMode::Ephemeral,
                            ),
                            Op::SetData {
                                path: zk_data::CONTROLLER_EPOCH.into(),
                                data: Some(new.to_string().into_bytes().into()),
                                version: stat.version,
                            },
                        ],
                    };
                    self.zk_submit(ctx, op, ZkPurpose::Elect(new));
                }
                Err(Code::NoNode) => self.zk_submit(
                    ctx,
                    create(zk_data::CONTROLLER_EPOCH, "0", CreateMode::Persistent),
                    ZkPurpose::CreateEpoch,
                ),
                _ => {}
            },
            ZkPurpose::Elect(epoch) => {
                if r.result.is_ok() {
                    if let Some(z) = self.zk.as_mut() {
                        z.controller_id = Some(self.id);
                    }
                    // The epoch znode was set once at the version read: its version is
                    // the epoch's (created as 0 with version 0, +1 per election).
                    let version = i32::try_from(epoch).unwrap_or(i32::MAX);
                    self.become_controller(ctx, epoch, version);
                }
            }
            ZkPurpose::IsrWrite { tp, state } => {
                let pending = self
                    .partitions
                    .get_mut(&tp)
                    .filter(|p| p.leader == self.id && p.leader_epoch == state.leader_epoch)
                    .and_then(|p| p.pending_isr.take());
                if let (Ok(_), Some((isr, reason))) = (&r.result, pending) {
                    if let Some(p) = self.partitions.get_mut(&tp) {
                        p.zk_version += 1;
                    }
                    self.apply_isr(ctx, &tp, isr, reason);
                    self.isr_change_set.insert(tp);
                    self.last_isr_change_ms = ctx.now();
                } else if r.result.is_err() {
                    ctx.note(format!(
                        "Failed to update the ISR of {tp} to [{}] in ZooKeeper ({}): it stays as it is",
                        state
                            .isr
                            .iter()
                            .map(u32::to_string)
                            .collect::<Vec<_>>()
                            .join(","),
                        r.result.as_ref().err().map_or(String::new(), |c| c.to_string())
                    ));
                }
            }
            ZkPurpose::Ctl(epoch, read) => self.controller_reply(ctx, epoch, read, r),
        }
    }

    /// `exists /controller` with a watch (`registerZNodeChangeHandlerAndCheckExistence`).
    fn watch_controller(&mut self, ctx: &mut Ctx<'_>) {
        let op = Op::Exists {
            path: zk_data::CONTROLLER.into(),
            watch: true,
        };
        self.zk_submit(ctx, op, ZkPurpose::WatchController);
    }

    fn read_epoch(&mut self, ctx: &mut Ctx<'_>) {
        self.zk_submit(
            ctx,
            Op::GetData {
                path: zk_data::CONTROLLER_EPOCH.into(),
                watch: false,
            },
            ZkPurpose::ReadEpoch,
        );
    }

    /// CreateTopics (`AdminZkClient.createTopicWithAssignment`): the topic's config, then
    /// its assignment; the controller's watch on `/brokers/topics` picks it up.
    pub(crate) fn write_topic(
        &mut self,
        ctx: &mut Ctx<'_>,
        topic: &str,
        assignment: &[Vec<u32>],
        configs: &[(String, String)],
        topic_id: TopicId,
    ) {
        let config = zk_data::topic_config_json(configs);
        // `createRecursive`: the parents first, in case this broker's own top-level
        // paths are still on their way.
        for parent in [
            "/config",
            "/config/topics",
            "/brokers",
            zk_data::BROKER_TOPICS,
        ] {
            self.zk_submit(
                ctx,
                create(parent, "", CreateMode::Persistent),
                ZkPurpose::Path,
            );
        }
        self.zk_submit(
            ctx,
            create(
                &zk_data::topic_config_path(topic),
                &config,
                CreateMode::Persistent,
            ),
            ZkPurpose::Path,
        );
        let data = zk_data::topic_json(assignment, Some(topic_id));
        self.zk_submit(
            ctx,
            create(&zk_data::topic_path(topic), &data, CreateMode::Persistent),
            ZkPurpose::Path,
        );
    }

    /// CreatePartitions (`AdminZkClient.createPartitionsWithAssignment` →
    /// `KafkaZkClient.setTopicAssignment`): the topic's znode rewritten with the old and the
    /// new partitions' replicas, at any version; the controller's data watch on it does
    /// the rest.
    pub(crate) fn write_partitions(
        &mut self,
        ctx: &mut Ctx<'_>,
        topic: &str,
        assignment: &[Vec<u32>],
        topic_id: Option<TopicId>,
    ) {
        let data = zk_data::topic_json(assignment, topic_id);
        let op = Op::SetData {
            path: zk_data::topic_path(topic),
            data: Some(data.into_bytes().into()),
            version: -1,
        };
        self.zk_submit(ctx, op, ZkPurpose::Path);
    }

    /// A leader wants `isr` for `tp`: it writes it to ZooKeeper and applies it once the
    /// write succeeds (see the module doc); without ZooKeeper it applies it at once.
    pub(crate) fn propose_isr(
        &mut self,
        ctx: &mut Ctx<'_>,
        tp: &TopicPartition,
        isr: Vec<u32>,
        reason: String,
    ) {
        let Some(p) = self.partitions.get_mut(tp) else {
            return;
        };
        if self.zk.is_none() {
            self.apply_isr(ctx, tp, isr, reason);
            return;
        }
        let state = PartitionStateZnode {
            leader: Some(self.id),
            leader_epoch: p.leader_epoch,
            isr: isr.clone(),
            controller_epoch: self.controller_epoch_seen,
        };
        let op = Op::SetData {
            path: zk_data::state_path(tp),
            data: Some(state.to_json().into_bytes().into()),
            version: p.zk_version,
        };
        p.pending_isr = Some((isr, reason));
        self.zk_submit(
            ctx,
            op,
            ZkPurpose::IsrWrite {
                tp: tp.clone(),
                state,
            },
        );
    }

    /// The ISR change is in ZooKeeper (or there is none): it takes effect, and the HW may
    /// move with it.
    fn apply_isr(&mut self, ctx: &mut Ctx<'_>, tp: &TopicPartition, isr: Vec<u32>, reason: String) {
        let now = ctx.now();
        let (lag, min_isr) = (
            self.cfg.replica_lag_time_max_ms,
            self.cfg.min_insync_replicas,
        );
        let leo = self.disk.logs.get(tp).map_or(0, |l| l.leo());
        let Some(p) = self.partitions.get_mut(tp) else {
            return;
        };
        match isr.len().cmp(&p.isr.len()) {
            std::cmp::Ordering::Less => self.isr_shrinks += 1,
            std::cmp::Ordering::Greater => self.isr_expands += 1,
            std::cmp::Ordering::Equal => {}
        }
        p.isr = isr.clone();
        ctx.change(KafkaChange::Isr {
            tp: tp.clone(),
            isr,
            reason,
        });
        if p.maybe_increment_hw(leo, now, lag, min_isr) {
            ctx.change(KafkaChange::HighWatermark {
                tp: tp.clone(),
                hw: p.hw,
            });
            self.try_complete_delayed(ctx);
        }
    }
}

/// How often the `isr-change-propagation` task runs, ms.
pub(crate) const ISR_PROPAGATION_CHECK_MS: u64 = 2500;
/// How long no ISR change must come before the pending ones are announced, ms.
const ISR_PROPAGATION_LINGER_MS: u64 = 5000;
/// The longest time between two announcements while changes keep coming, ms.
const ISR_PROPAGATION_MAX_DELAY_MS: u64 = 60_000;

impl Broker {
    /// The `isr-change-propagation` task (`ZkAlterPartitionManager.maybePropagateIsrChanges`).
    pub(crate) fn maybe_propagate_isr_changes(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        if !self.isr_change_set.is_empty()
            && (self.last_isr_change_ms + ISR_PROPAGATION_LINGER_MS < now
                || self.last_isr_propagation_ms + ISR_PROPAGATION_MAX_DELAY_MS < now)
        {
            let tps: Vec<TopicPartition> = std::mem::take(&mut self.isr_change_set)
                .into_iter()
                .collect();
            self.zk_submit(
                ctx,
                create(
                    zk_data::ISR_CHANGE_PREFIX,
                    &zk_data::isr_change_json(&tps),
                    CreateMode::PersistentSequential,
                ),
                ZkPurpose::Notify,
            );
            self.last_isr_propagation_ms = now;
        }
        ctx.set_timer(KafkaTimer::IsrChangePropagation, ISR_PROPAGATION_CHECK_MS);
    }
}

/// A `create` with an open ACL.
pub(crate) fn create(path: &str, data: &str, mode: CreateMode) -> Op {
    Op::Create {
        path: path.to_string(),
        data: Some(data.as_bytes().to_vec().into()),
        acl: Acl::open(),
        mode,
        ttl: None,
    }
}
