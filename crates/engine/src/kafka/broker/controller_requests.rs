//! What a broker does with the controller's requests (apache/kafka 3.7, ZooKeeper mode).
//!
//! - LeaderAndIsr (`ReplicaManager.becomeLeaderOrFollower`): refused whole with
//!   STALE_CONTROLLER_EPOCH when its controller epoch is older than one seen; otherwise
//!   each partition this broker is a replica of, whose leader epoch is newer than the one
//!   it has (or that it does not have yet), makes it leader (`Partition.makeLeader`: the
//!   ISR and zkVersion from the request, follower state reset, the new epoch starting at
//!   its LEO in the leader epoch cache) or follower of the named leader
//!   (`Partition.makeFollower`, the fetcher moved to the new leader). A partition with no
//!   leader stops being fetched.
//! - StopReplica (`ReplicaManager.stopReplicas`): the broker stops leading or fetching
//!   the partitions and, with `delete`, deletes their logs (`LogManager.asyncDelete`;
//!   at once here), after a reassignment moved them away.
//! - UpdateMetadata (`MetadataCache.updateMetadata`): the live brokers and every
//!   partition's leader and ISR, which Metadata requests are answered from.
//!
//! A broker that has not read a topic's configs yet reads `/config/topics/<t>` first and
//! takes the roles of that topic's partitions once it has them.
//!
//! A new follower first finds where its log diverges from the leader's
//! ([`super::fetcher`], KIP-101), or with `inter.broker.protocol.version` below 0.11
//! truncates to its high watermark at once, as Kafka did before KIP-101
//! (`ReplicaFetcherThread.truncateToHighWatermark`).

use super::Broker;
use super::partition::PartitionState;
use crate::kafka::messages::{KafkaChange, KafkaError, KafkaMsg, LeaderAndIsrPartition};
use crate::kafka::metadata::{ClusterMetadata, PartitionInfo};
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;

impl Broker {
    /// Refuses a request from a controller epoch older than one seen (answering with
    /// `response(STALE_CONTROLLER_EPOCH)`); records a newer one.
    fn controller_epoch_ok(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        epoch: u32,
        response: fn(Option<KafkaError>) -> KafkaMsg,
    ) -> bool {
        if epoch < self.controller_epoch_seen {
            ctx.change(KafkaChange::StaleController {
                epoch,
                seen: self.controller_epoch_seen,
            });
            let error = Some(KafkaError::StaleControllerEpoch);
            if conn != ConnId::LOOPBACK {
                ctx.send(conn, response(error));
            }
            return false;
        }
        self.controller_epoch_seen = epoch;
        true
    }

    /// A LeaderAndIsr request.
    pub(crate) fn handle_leader_and_isr(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        controller_epoch: u32,
        partitions: Vec<LeaderAndIsrPartition>,
    ) {
        if !self.controller_epoch_ok(ctx, conn, controller_epoch, |error| {
            KafkaMsg::LeaderAndIsrResponse { error }
        }) {
            return;
        }
        for p in partitions {
            if !p.replicas.contains(&self.id) {
                continue;
            }
            if let Some(cur) = self.partitions.get(&p.tp)
                && p.leader_epoch <= cur.leader_epoch
            {
                ctx.note(format!(
                    "Ignoring the LeaderAndIsr of {}: leader epoch {} is not newer than {}",
                    p.tp, p.leader_epoch, cur.leader_epoch
                ));
                continue;
            }
            // A log is created with its topic's configs, which the broker reads from
            // ZooKeeper the first time (`LogManager.getOrCreateLog` → `fetchLogConfig`).
            if self.zk.is_some() && !self.disk.topic_configs.contains_key(&p.tp.topic) {
                self.await_topic_config(ctx, p);
                continue;
            }
            self.take_role(ctx, p);
        }
        if conn != ConnId::LOOPBACK {
            ctx.send(conn, KafkaMsg::LeaderAndIsrResponse { error: None });
        }
    }

    /// Holds a partition's LeaderAndIsr until its topic's configs are read from
    /// `/config/topics/<t>` (one read per topic).
    fn await_topic_config(&mut self, ctx: &mut Ctx<'_>, p: LeaderAndIsrPartition) {
        let topic = p.tp.topic.clone();
        let waiting = self.awaiting_config.entry(topic.clone()).or_default();
        waiting.push(p);
        if waiting.len() == 1 {
            let op = crate::zookeeper::proto::Op::GetData {
                path: crate::kafka::zk_data::topic_config_path(&topic),
                watch: false,
            };
            self.zk_submit(ctx, op, super::zk_session::ZkPurpose::TopicConfig(topic));
        }
    }

    /// The topic's configs arrived (`None`: the read failed, try again on the next
    /// LeaderAndIsr): the partitions that waited take their roles, newest epoch first.
    pub(crate) fn topic_config_read(
        &mut self,
        ctx: &mut Ctx<'_>,
        topic: String,
        configs: Option<Vec<(String, String)>>,
    ) {
        let waiting = self.awaiting_config.remove(&topic).unwrap_or_default();
        let Some(configs) = configs else {
            return;
        };
        self.disk.topic_configs.insert(topic, configs);
        for p in waiting {
            if self
                .partitions
                .get(&p.tp)
                .is_some_and(|cur| p.leader_epoch <= cur.leader_epoch)
            {
                continue;
            }
            self.take_role(ctx, p);
        }
        self.maybe_start_cleaner(ctx);
    }

    fn take_role(&mut self, ctx: &mut Ctx<'_>, p: LeaderAndIsrPartition) {
        let tp = p.tp.clone();
        let leo = self.log_mut(&tp).leo();
        let old = self.partitions.remove(&tp);
        if let Some(prev) = old.as_ref().filter(|o| o.leader != self.id) {
            self.remove_fetch_partition(prev.leader, &tp);
        }
        let Some(leader) = p.leader else {
            ctx.note(format!(
                "{tp} has no leader (leader epoch {}): nothing to fetch from",
                p.leader_epoch
            ));
            return;
        };
        let hw = old
            .as_ref()
            .map(|o| o.hw)
            .or_else(|| self.disk.hw_checkpoint.get(&tp).copied())
            .unwrap_or(0)
            .min(leo);
        let mut state = if leader == self.id {
            PartitionState::new_leader(
                self.id,
                &p.replicas,
                &p.isr,
                p.leader_epoch,
                leo,
                hw,
                ctx.now(),
            )
        } else {
            PartitionState::new_follower(&p.replicas, leader, &p.isr, p.leader_epoch, hw)
        };
        state.zk_version = p.zk_version;
        if leader == self.id {
            // Partition.makeLeader: the new epoch starts at the LEO.
            self.log_mut(&tp).assign_epoch(p.leader_epoch);
        } else if self.cfg.pre_kip101 {
            if leo > hw {
                self.log_mut(&tp).truncate_to(hw);
                ctx.change(KafkaChange::Truncated {
                    tp: tp.clone(),
                    to: hw,
                    from: leo,
                    by_epoch: false,
                });
            }
        } else {
            state.truncating = self.log_mut(&tp).latest_epoch().is_some();
        }
        ctx.change(KafkaChange::Role {
            tp: tp.clone(),
            leader,
            leader_epoch: p.leader_epoch,
            isr: p.isr.clone(),
        });
        self.partitions.insert(tp.clone(), state);
        if leader != self.id {
            self.add_fetch_partition(ctx, leader, tp);
        } else {
            // A new leader may complete what waited on the old ISR.
            self.try_complete_delayed(ctx);
        }
    }

    /// An UpdateMetadata request.
    pub(crate) fn handle_update_metadata(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        controller_epoch: u32,
        brokers: Vec<u32>,
        topics: Vec<(String, Vec<PartitionInfo>)>,
    ) {
        if !self.controller_epoch_ok(ctx, conn, controller_epoch, |error| {
            KafkaMsg::UpdateMetadataResponse { error }
        }) {
            return;
        }
        self.metadata = ClusterMetadata {
            topics: topics.into_iter().collect(),
            ..ClusterMetadata::default()
        };
        self.alive_brokers = brokers;
        if conn != ConnId::LOOPBACK {
            ctx.send(conn, KafkaMsg::UpdateMetadataResponse { error: None });
        }
        self.complete_creates(ctx);
    }

    /// A CreateTopics from `kafka-topics --create` this broker took: it answers once its
    /// metadata cache has a leader for every partition (`DelayedCreatePartitions`).
    pub(crate) fn await_created(&mut self, topic: &str, partitions: u32) {
        self.pending_creates.push((topic.to_string(), partitions));
    }

    fn complete_creates(&mut self, ctx: &mut Ctx<'_>) {
        let meta = &self.metadata;
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending_creates)
            .into_iter()
            .partition(|(t, n)| {
                meta.topics.get(t).is_some_and(|parts| {
                    parts.len() as u32 >= *n && parts.iter().all(|p| p.leader.is_some())
                })
            });
        self.pending_creates = waiting;
        for (t, _) in done {
            ctx.change(KafkaChange::ToolOutput {
                lines: vec![format!("Created topic {t}.")],
            });
        }
    }

    /// A StopReplica request.
    pub(crate) fn handle_stop_replica(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        controller_epoch: u32,
        partitions: Vec<TopicPartition>,
        delete: bool,
    ) {
        if !self.controller_epoch_ok(ctx, conn, controller_epoch, |error| {
            KafkaMsg::StopReplicaResponse { error }
        }) {
            return;
        }
        for tp in partitions {
            if let Some(old) = self.partitions.remove(&tp)
                && old.leader != self.id
            {
                self.remove_fetch_partition(old.leader, &tp);
            }
            if delete {
                self.disk.logs.remove(&tp);
                self.disk.hw_checkpoint.remove(&tp);
            }
            ctx.change(KafkaChange::ReplicaStopped {
                tp,
                deleted: delete,
            });
        }
        if conn != ConnId::LOOPBACK {
            ctx.send(conn, KafkaMsg::StopReplicaResponse { error: None });
        }
    }

    /// The partitions this broker's metadata cache knows, for tools.
    pub fn metadata_cache(&self) -> &ClusterMetadata {
        &self.metadata
    }

    /// The live brokers as the last UpdateMetadata said.
    pub fn alive_brokers(&self) -> &[u32] {
        &self.alive_brokers
    }

    /// This broker's role in `tp`, if any.
    pub fn role(&self, tp: &TopicPartition) -> Option<&PartitionState> {
        self.partitions.get(tp)
    }
}
