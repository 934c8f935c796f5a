//! The Kafka controller in ZooKeeper mode (`KafkaController`, apache/kafka 3.7), run by
//! the broker that won `/controller`.
//!
//! It reads the cluster from ZooKeeper with watches (`/brokers/ids`, `/brokers/topics`,
//! `/isr_change_notification`), then keeps every partition's state znode right for the
//! live brokers ([`election`]): new partitions get their first leader and ISR, a dead
//! leader is replaced, dead followers leave the ISR. Every write carries a check of the
//! `/controller_epoch` version it was elected with (`MultiRequest(CheckOp, ...)`, since
//! KAFKA-6082), so a deposed controller cannot write; a failed write sends it to read
//! the epoch again and resign if another controller took over (`ControllerMovedException`).
//! After a write it tells the partition's live replicas (LeaderAndIsr) and every live
//! broker (UpdateMetadata, which brokers answer clients' Metadata requests from); a broker
//! that appears gets LeaderAndIsr for all its partitions (`onBrokerStartup`).
//!
//! Like Kafka's single event thread, it acts only when every read it issued has been
//! answered (ZooKeeper answers one session's requests in order).
//!
//! A stopping broker asks first (ControlledShutdown, `KafkaController.doControlledShutdown`):
//! the controller moves the leaderships it holds to the first live ISR replica not
//! shutting down, takes it out of every ISR, and answers once those writes are done.
//!
//! Every `leader.imbalance.check.interval.seconds` (300 s) it gives preferred replicas
//! their leadership back where a broker's share of lost preferred leaderships passes
//! `leader.imbalance.per.broker.percentage` (10); `kafka-leader-election` asks for it at
//! once.
//!
//! Not modelled: reassignment, topic deletion; the UpdateMetadata it sends always carries
//! every partition.

pub mod election;
pub mod reassign;

use crate::kafka::broker::Broker;
use crate::kafka::broker::zk_session::{ZkPurpose, create};
use crate::kafka::messages::{Decision, KafkaChange, KafkaMsg, KafkaTimer, LeaderAndIsrPartition};
use crate::kafka::metadata::PartitionInfo;
use crate::kafka::network_client::NetworkClient;
use crate::kafka::topic::TopicPartition;
use crate::kafka::zk_data::{self, PartitionStateZnode};
use crate::sim::effects::Ctx;
use crate::zookeeper::client::Reply;
use crate::zookeeper::data::code::Code;
use crate::zookeeper::proto::{CreateMode, Op, ReplyBody};
use std::collections::{BTreeMap, BTreeSet};

/// `leader.imbalance.check.interval.seconds` (300), ms.
pub const LEADER_IMBALANCE_CHECK_MS: u64 = 300_000;
/// `leader.imbalance.per.broker.percentage` (10).
pub const LEADER_IMBALANCE_PERCENT: u32 = 10;

/// What a controller request was for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CtlRead {
    /// `getChildren /brokers/ids` with a watch.
    BrokerIds,
    /// A broker's registration: its czxid is the broker epoch (KIP-380).
    BrokerEpoch(u32),
    /// `getChildren /brokers/topics` with a watch.
    Topics,
    /// A topic's assignment.
    Assignment(String),
    /// A partition's state znode.
    State(TopicPartition),
    /// `getChildren /isr_change_notification` with a watch.
    IsrChanges,
    /// One ISR change notification (deleted once read).
    IsrChange(String),
    /// `/controller_epoch`, after a write failed.
    Epoch,
    /// A write of a partition's state, and why.
    Write(TopicPartition, PartitionStateZnode, Decision),
    /// A parent path or a deletion (nothing to do with the reply).
    Other,
}

/// The controller's context (`ControllerContext`) and what it still waits for.
#[derive(Clone, Debug, Default)]
pub struct Controller {
    /// Its controller epoch.
    pub epoch: u32,
    /// The `/controller_epoch` version its writes are checked against.
    pub epoch_zk_version: i32,
    /// Live brokers, from `/brokers/ids`.
    pub live: BTreeSet<u32>,
    /// Brokers whose death the controller has not acted on yet (`onBrokerFailure`; at
    /// failover, every assigned broker that is not live).
    pub just_died: BTreeSet<u32>,
    /// The first read of `/brokers/ids` came back.
    pub loaded: bool,
    /// Each live broker's epoch: the czxid of its `/brokers/ids/<id>` (KIP-380). A higher
    /// one for a broker already live means it restarted unseen in between (a "bounced"
    /// broker): it is handled as a failure and a startup.
    pub broker_epochs: BTreeMap<u32, u64>,
    /// Brokers already sent their partitions (a broker not here is new to it).
    pub known: BTreeSet<u32>,
    /// Each topic's assignment (AR by partition).
    pub assignments: BTreeMap<String, Vec<Vec<u32>>>,
    /// Each partition's state and its znode's version.
    pub states: BTreeMap<TopicPartition, (PartitionStateZnode, i32)>,
    /// Partitions with no state znode yet.
    pub missing: BTreeSet<TopicPartition>,
    /// Reads not answered yet.
    pub reads: u32,
    /// Partitions with a write in flight.
    pub writing: BTreeSet<TopicPartition>,
    /// Partitions whose replicas must hear a LeaderAndIsr.
    pub tell: BTreeSet<TopicPartition>,
    /// Send UpdateMetadata to every live broker.
    pub metadata_dirty: bool,
    /// The controller channel: one connection per broker.
    pub net: NetworkClient,
    /// Requests sent to each broker and not answered yet, oldest first: sent again on a
    /// new connection if the old one closes (`RequestSendThread` retries until the broker
    /// answers or leaves).
    pub unanswered: BTreeMap<u32, Vec<KafkaMsg>>,
    /// Brokers in a controlled shutdown.
    pub shutting: BTreeSet<u32>,
    /// ControlledShutdown requests to answer once their writes are done: broker,
    /// connection, correlation id.
    pub shutdown_waiting: Vec<(u32, crate::sim::conn::ConnId, u64)>,
    /// Partitions being reassigned ([`reassign`]).
    pub reassigning: BTreeMap<TopicPartition, reassign::Reassignment>,
    /// Each topic's id, as its znode holds it (kept when the controller rewrites it).
    pub topic_ids: BTreeMap<String, crate::kafka::topic::TopicId>,
    /// Replicas that get StopReplica once the partition's finishing state is written.
    pub stop_after: BTreeMap<TopicPartition, Vec<u32>>,
    /// StopReplica (with delete) to send, by broker.
    pub stop: BTreeMap<u32, Vec<TopicPartition>>,
}

impl Controller {
    /// The assigned replicas of `tp`, as the controller read them.
    fn replicas(&self, tp: &TopicPartition) -> Option<&Vec<u32>> {
        self.assignments.get(&tp.topic)?.get(tp.partition as usize)
    }
}

impl Broker {
    /// Won the election: load the cluster from ZooKeeper (`onControllerFailover`).
    pub(crate) fn become_controller(&mut self, ctx: &mut Ctx<'_>, epoch: u32, version: i32) {
        self.controller = Some(Controller {
            epoch,
            epoch_zk_version: version,
            ..Controller::default()
        });
        self.controller_epoch_seen = self.controller_epoch_seen.max(epoch);
        ctx.change(KafkaChange::ControllerElected { epoch });
        self.ctl_read(ctx, CtlRead::BrokerIds);
        self.ctl_read(ctx, CtlRead::Topics);
        self.ctl_read(ctx, CtlRead::IsrChanges);
        ctx.set_timer(KafkaTimer::LeaderRebalance, LEADER_IMBALANCE_CHECK_MS);
    }

    /// The leader-imbalance check (`auto.leader.rebalance.enable`, true by default).
    pub(crate) fn on_leader_rebalance(&mut self, ctx: &mut Ctx<'_>) {
        if self.controller.is_none() {
            return;
        }
        ctx.set_timer(KafkaTimer::LeaderRebalance, LEADER_IMBALANCE_CHECK_MS);
        self.preferred_elections(ctx, false);
    }

    /// `kafka-leader-election --election-type preferred --all-topic-partitions`.
    pub fn elect_preferred(&mut self, ctx: &mut Ctx<'_>) {
        self.preferred_elections(ctx, true);
    }

    /// Preferred-replica elections: every partition that can have one (`all`), or those
    /// of brokers over the imbalance threshold.
    fn preferred_elections(&mut self, ctx: &mut Ctx<'_>, all: bool) {
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        let candidates: Vec<(TopicPartition, &[u32], &PartitionStateZnode, i32)> = c
            .states
            .iter()
            .filter(|(tp, _)| !c.writing.contains(*tp))
            .filter_map(|(tp, (s, v))| Some((tp.clone(), c.replicas(tp)?.as_slice(), s, *v)))
            .collect();
        let chosen: Vec<usize> = if all {
            (0..candidates.len()).collect()
        } else {
            let parts: Vec<(&[u32], &PartitionStateZnode)> =
                candidates.iter().map(|(_, r, s, _)| (*r, *s)).collect();
            election::imbalanced(&parts, &c.live, LEADER_IMBALANCE_PERCENT)
        };
        let writes: Vec<(TopicPartition, PartitionStateZnode, Decision, Option<i32>)> = chosen
            .into_iter()
            .filter_map(|i| {
                let (tp, replicas, s, version) = &candidates[i];
                let next = election::preferred(s, replicas, &c.live, c.epoch)?;
                Some((tp.clone(), next, Decision::Preferred, Some(*version)))
            })
            .collect();
        self.write_states(ctx, writes);
    }

    /// Stops being the controller (`onControllerResignation`), if it was.
    pub(crate) fn resign(&mut self, ctx: &mut Ctx<'_>) {
        if let Some(c) = self.controller.take() {
            for b in c.known.iter().chain(c.live.iter()) {
                let mut net = c.net.clone();
                net.disconnect(ctx, *b, "controller resigned");
            }
            ctx.change(KafkaChange::ControllerResigned);
        }
    }

    /// True while this broker is the controller.
    pub fn is_controller(&self) -> bool {
        self.controller.is_some()
    }
}

/// The running broker that is the controller, if any (the one a tool's admin request
/// reaches).
pub fn running(w: &crate::sim::world::World) -> Option<&Broker> {
    w.brokers()
        .find(|(up, b)| *up && b.is_controller())
        .map(|(_, b)| b)
}

impl Broker {
    fn ctl_read(&mut self, ctx: &mut Ctx<'_>, read: CtlRead) {
        let Some(c) = self.controller.as_mut() else {
            return;
        };
        c.reads += 1;
        let epoch = c.epoch;
        let op = match &read {
            CtlRead::BrokerIds => children(zk_data::BROKER_IDS),
            CtlRead::BrokerEpoch(id) => get(&zk_data::broker_path(*id)),
            CtlRead::Topics => children(zk_data::BROKER_TOPICS),
            CtlRead::IsrChanges => children(zk_data::ISR_CHANGE),
            // With a watch: `PartitionModificationsHandler` (partitions added).
            CtlRead::Assignment(t) => Op::GetData {
                path: zk_data::topic_path(t),
                watch: true,
            },
            CtlRead::State(tp) => get(&zk_data::state_path(tp)),
            CtlRead::IsrChange(name) => get(&format!("{}/{name}", zk_data::ISR_CHANGE)),
            CtlRead::Epoch => get(zk_data::CONTROLLER_EPOCH),
            CtlRead::Write(..) | CtlRead::Other => return,
        };
        self.zk_submit(ctx, op, ZkPurpose::Ctl(epoch, read));
    }

    fn ctl_write(&mut self, ctx: &mut Ctx<'_>, op: Op, read: CtlRead) {
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        let (epoch, version) = (c.epoch, c.epoch_zk_version);
        let op = Op::Multi {
            ops: vec![
                Op::Check {
                    path: zk_data::CONTROLLER_EPOCH.into(),
                    version,
                },
                op,
            ],
        };
        self.zk_submit(ctx, op, ZkPurpose::Ctl(epoch, read));
    }

    /// A watch the controller set fired.
    pub(crate) fn controller_watch_fired(&mut self, ctx: &mut Ctx<'_>, path: &str) {
        let read = match path {
            zk_data::BROKER_IDS => CtlRead::BrokerIds,
            zk_data::BROKER_TOPICS => CtlRead::Topics,
            zk_data::ISR_CHANGE => CtlRead::IsrChanges,
            p => match p
                .strip_prefix(zk_data::BROKER_TOPICS)
                .and_then(|t| t.strip_prefix('/'))
            {
                Some(t) if !t.is_empty() && !t.contains('/') => CtlRead::Assignment(t.to_string()),
                _ => return,
            },
        };
        self.ctl_read(ctx, read);
    }

    /// The reply to one of the controller's requests.
    pub(crate) fn controller_reply(
        &mut self,
        ctx: &mut Ctx<'_>,
        epoch: u32,
        read: CtlRead,
        r: Reply,
    ) {
        let Some(c) = self.controller.as_mut().filter(|c| c.epoch == epoch) else {
            return;
        };
        let is_read = !matches!(read, CtlRead::Write(..) | CtlRead::Other);
        if is_read {
            c.reads = c.reads.saturating_sub(1);
        }
        match (read, r.result) {
            (CtlRead::BrokerIds, Ok(ReplyBody::Children { children, .. })) => {
                let live: BTreeSet<u32> = children.iter().filter_map(|s| s.parse().ok()).collect();
                if c.loaded {
                    // Dead, even if back already: failure first, then startup
                    // (a broker not `known` gets all its partitions again).
                    let dead: Vec<u32> = c.live.difference(&live).copied().collect();
                    for b in dead {
                        c.just_died.insert(b);
                        c.known.remove(&b);
                    }
                }
                c.broker_epochs.retain(|b, _| live.contains(b));
                c.shutting.retain(|b| live.contains(b));
                c.live = live.clone();
                c.loaded = true;
                for id in live {
                    self.ctl_read(ctx, CtlRead::BrokerEpoch(id));
                }
            }
            (CtlRead::BrokerEpoch(id), Ok(ReplyBody::Data { stat, .. })) => {
                if let Some(&old) = c.broker_epochs.get(&id)
                    && stat.czxid > old
                {
                    // Bounced: restarted between two looks (onBrokerFailure, then
                    // onBrokerStartup).
                    c.just_died.insert(id);
                    c.known.remove(&id);
                }
                c.broker_epochs.insert(id, stat.czxid);
            }
            (CtlRead::Topics, Ok(ReplyBody::Children { children, .. })) => {
                let new: Vec<String> = children
                    .into_iter()
                    .filter(|t| !c.assignments.contains_key(t))
                    .collect();
                for t in new {
                    self.ctl_read(ctx, CtlRead::Assignment(t));
                }
            }
            (CtlRead::Assignment(t), Ok(ReplyBody::Data { data: Some(d), .. })) => {
                if let Ok(a) = zk_data::parse_topic(&d) {
                    // A topic read again after its data watch fired: only its new
                    // partitions are news (`onNewPartitionCreation`); partitions are never
                    // removed.
                    let known = c.assignments.get(&t).map_or(0, Vec::len);
                    let tps: Vec<TopicPartition> = (known as u32..a.len() as u32)
                        .map(|p| TopicPartition::new(&t, p))
                        .collect();
                    // Failover: replicas on brokers that are not live go offline
                    // (ZkReplicaStateMachine.startup).
                    c.just_died.extend(
                        a[known.min(a.len())..]
                            .iter()
                            .flatten()
                            .filter(|b| !c.live.contains(b)),
                    );
                    // Existing partitions' replicas change only through the controller
                    // itself (`processPartitionModifications` ignores them).
                    if let Some(id) = zk_data::parse_topic_id(&d) {
                        c.topic_ids.insert(t.clone(), id);
                    }
                    // A reassignment a previous controller started goes on
                    // (`initializePartitionReassignments`): TRS is RS without the replicas
                    // being removed, ORS is RS without those being added.
                    for (p, (adding, removing)) in zk_data::parse_topic_moving(&d) {
                        let tp = TopicPartition::new(&t, p);
                        let Some(rs) = a.get(p as usize).filter(|_| p as usize >= known) else {
                            continue;
                        };
                        let r = reassign::Reassignment {
                            original: rs.iter().copied().filter(|b| !adding.contains(b)).collect(),
                            target: rs
                                .iter()
                                .copied()
                                .filter(|b| !removing.contains(b))
                                .collect(),
                        };
                        c.reassigning.insert(tp, r);
                    }
                    let entry = c.assignments.entry(t).or_default();
                    entry.extend(a.into_iter().skip(known));
                    for tp in tps {
                        self.ctl_read(ctx, CtlRead::State(tp));
                    }
                }
            }
            (
                CtlRead::State(tp),
                Ok(ReplyBody::Data {
                    data: Some(d),
                    stat,
                }),
            ) => {
                if let Ok(s) = PartitionStateZnode::parse(&d) {
                    c.missing.remove(&tp);
                    if c.states.get(&tp).map(|(old, _)| old) != Some(&s) {
                        c.metadata_dirty = true;
                    }
                    c.states.insert(tp, (s, stat.version));
                }
            }
            (CtlRead::State(tp), Err(Code::NoNode)) => {
                c.missing.insert(tp);
            }
            (CtlRead::IsrChanges, Ok(ReplyBody::Children { children, .. })) => {
                for name in children {
                    self.ctl_read(ctx, CtlRead::IsrChange(name));
                }
            }
            (CtlRead::IsrChange(name), Ok(ReplyBody::Data { data: Some(d), .. })) => {
                for tp in zk_data::parse_isr_change(&d).unwrap_or_default() {
                    self.ctl_read(ctx, CtlRead::State(tp));
                }
                let path = format!("{}/{name}", zk_data::ISR_CHANGE);
                self.zk_submit(
                    ctx,
                    Op::Delete { path, version: -1 },
                    ZkPurpose::Ctl(epoch, CtlRead::Other),
                );
            }
            (CtlRead::Epoch, Ok(ReplyBody::Data { data, .. })) => {
                let now: Option<u32> = data
                    .as_deref()
                    .and_then(|d| std::str::from_utf8(d).ok())
                    .and_then(|s| s.trim().parse().ok());
                if now != Some(epoch) {
                    ctx.note(format!(
                        "Controller moved to another broker (epoch {}); resigning",
                        now.map_or("?".into(), |e| e.to_string())
                    ));
                    self.resign(ctx);
                    return;
                }
            }
            (CtlRead::Write(tp, s, why), Ok(_)) => {
                c.writing.remove(&tp);
                c.missing.remove(&tp);
                let version = c.states.get(&tp).map_or(0, |(_, v)| v + 1);
                let version = if why == Decision::New { 0 } else { version };
                c.states.insert(tp.clone(), (s.clone(), version));
                c.tell.insert(tp.clone());
                c.metadata_dirty = true;
                for b in c.stop_after.remove(&tp).unwrap_or_default() {
                    c.stop.entry(b).or_default().push(tp.clone());
                }
                ctx.change(KafkaChange::Decided {
                    tp,
                    leader: s.leader,
                    leader_epoch: s.leader_epoch,
                    isr: s.isr,
                    why,
                });
            }
            (CtlRead::Write(tp, ..), Err(_)) => {
                c.writing.remove(&tp);
                self.ctl_read(ctx, CtlRead::Epoch);
                self.ctl_read(ctx, CtlRead::State(tp));
            }
            _ => {}
        }
        if self.controller.as_ref().is_some_and(|c| c.reads == 0) {
            self.reconcile(ctx);
        }
        self.answer_shutdowns(ctx);
    }

    /// A broker asks to shut down (`KafkaController.doControlledShutdown`).
    pub(crate) fn handle_controlled_shutdown(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: crate::sim::conn::ConnId,
        corr: u64,
        broker: u32,
    ) {
        let Some(c) = self.controller.as_mut() else {
            ctx.note(format!(
                "ControlledShutdown from broker{broker}: this broker is not the controller"
            ));
            return;
        };
        c.shutting.insert(broker);
        c.shutdown_waiting.push((broker, conn, corr));
        let mut writes = Vec::new();
        for (tp, (s, version)) in c.states.iter().filter(|(tp, _)| !c.writing.contains(*tp)) {
            let Some(replicas) = c.replicas(tp) else {
                continue;
            };
            if let Some(next) =
                election::controlled_shutdown(s, replicas, &c.live, &c.shutting, broker, c.epoch)
            {
                writes.push((
                    tp.clone(),
                    next,
                    Decision::ControlledShutdown,
                    Some(*version),
                ));
            }
        }
        self.write_states(ctx, writes);
        self.answer_shutdowns(ctx);
    }

    /// Answers the controlled shutdowns whose writes are all done, naming the partitions
    /// the broker still leads.
    fn answer_shutdowns(&mut self, ctx: &mut Ctx<'_>) {
        let Some(c) = self.controller.as_mut() else {
            return;
        };
        if !c.writing.is_empty() || c.shutdown_waiting.is_empty() {
            return;
        }
        let waiting = std::mem::take(&mut c.shutdown_waiting);
        let mut replies = Vec::new();
        for (broker, conn, corr) in waiting {
            let remaining: Vec<TopicPartition> = c
                .states
                .iter()
                .filter(|(_, (s, _))| s.leader == Some(broker))
                .map(|(tp, _)| tp.clone())
                .collect();
            replies.push((
                conn,
                KafkaMsg::ControlledShutdownResponse { corr, remaining },
            ));
        }
        self.send_controller_requests(ctx);
        for (conn, msg) in replies {
            if conn == crate::sim::conn::ConnId::LOOPBACK {
                ctx.loopback(msg);
            } else {
                ctx.send(conn, msg);
            }
        }
    }

    /// Writes partitions' new states, each marked in flight: a new partition's state
    /// znode is created (its parents first, NodeExists being fine); an existing one is set
    /// at the version the controller read (`version`).
    fn write_states(
        &mut self,
        ctx: &mut Ctx<'_>,
        writes: Vec<(TopicPartition, PartitionStateZnode, Decision, Option<i32>)>,
    ) {
        let Some(epoch) = self.controller.as_ref().map(|c| c.epoch) else {
            return;
        };
        for (tp, state, why, version) in writes {
            let path = zk_data::state_path(&tp);
            let op = match version {
                Some(version) => Op::SetData {
                    path,
                    data: Some(state.to_json().into_bytes().into()),
                    version,
                },
                None => {
                    let parents = [
                        zk_data::partitions_path(&tp.topic),
                        zk_data::partition_path(&tp),
                    ];
                    for parent in parents {
                        let op = create(&parent, "", CreateMode::Persistent);
                        self.zk_submit(ctx, op, ZkPurpose::Ctl(epoch, CtlRead::Other));
                    }
                    create(&path, &state.to_json(), CreateMode::Persistent)
                }
            };
            if let Some(c) = self.controller.as_mut() {
                c.writing.insert(tp.clone());
            }
            self.ctl_write(ctx, op, CtlRead::Write(tp, state, why));
        }
    }

    /// With every read answered: write what the live brokers call for, then tell the
    /// brokers.
    fn reconcile(&mut self, ctx: &mut Ctx<'_>) {
        let Some(c) = self.controller.as_ref() else {
            return;
        };
        let unclean = self.cfg.unclean_leader_election;
        let mut writes: Vec<(TopicPartition, PartitionStateZnode, Decision, Option<i32>)> =
            Vec::new();
        for tp in c.missing.iter().filter(|tp| !c.writing.contains(*tp)) {
            let Some(replicas) = c.replicas(tp) else {
                continue;
            };
            if let Some(s) = election::initial(replicas, &c.live, c.epoch) {
                writes.push((tp.clone(), s, Decision::New, None));
            }
        }
        // A bounced broker is out while its failure is handled.
        let live: BTreeSet<u32> = c.live.difference(&c.just_died).copied().collect();
        for (tp, (s, version)) in c.states.iter().filter(|(tp, _)| !c.writing.contains(*tp)) {
            let Some(replicas) = c.replicas(tp) else {
                continue;
            };
            if let Some((next, why)) =
                election::next(s, replicas, &live, &c.just_died, unclean, c.epoch)
            {
                writes.push((tp.clone(), next, why, Some(*version)));
            }
        }
        let skip: BTreeSet<TopicPartition> = writes.iter().map(|w| w.0.clone()).collect();
        let finished = self.finish_reassignments(ctx, &skip);
        writes.extend(finished);
        // Acted on, unless a partition was skipped for a write in flight.
        if let Some(c) = self.controller.as_mut()
            && c.writing.is_empty()
        {
            c.just_died.clear();
        }
        self.write_states(ctx, writes);
        self.send_controller_requests(ctx);
    }

    /// LeaderAndIsr to the live replicas of each partition that changed and of every
    /// broker new to the controller; UpdateMetadata to every live broker when anything
    /// changed.
    fn send_controller_requests(&mut self, ctx: &mut Ctx<'_>) {
        let me = self.id;
        let Some(c) = self.controller.as_mut() else {
            return;
        };
        let fresh: BTreeSet<u32> = c.live.difference(&c.known).copied().collect();
        c.known = c.live.clone();
        let mut per_broker: BTreeMap<u32, Vec<LeaderAndIsrPartition>> = BTreeMap::new();
        for (tp, (s, version)) in &c.states {
            let Some(replicas) = c.replicas(tp) else {
                continue;
            };
            let changed = c.tell.contains(tp);
            for r in replicas.iter().filter(|r| c.live.contains(r)) {
                if changed || fresh.contains(r) {
                    per_broker
                        .entry(*r)
                        .or_default()
                        .push(LeaderAndIsrPartition {
                            tp: tp.clone(),
                            leader: s.leader,
                            leader_epoch: s.leader_epoch,
                            isr: s.isr.clone(),
                            replicas: replicas.clone(),
                            zk_version: *version,
                        });
                }
            }
        }
        c.tell.clear();
        let update = c.metadata_dirty || !fresh.is_empty();
        c.metadata_dirty = false;
        let epoch = c.epoch;
        let mut sends: Vec<(u32, KafkaMsg)> = per_broker
            .into_iter()
            .map(|(b, partitions)| {
                (
                    b,
                    KafkaMsg::LeaderAndIsr {
                        controller: me,
                        controller_epoch: epoch,
                        partitions,
                    },
                )
            })
            .collect();
        if update {
            let mut topics: Vec<(String, Vec<PartitionInfo>)> = Vec::new();
            for (t, a) in &c.assignments {
                let parts = a
                    .iter()
                    .enumerate()
                    .map(|(p, replicas)| {
                        let s = c
                            .states
                            .get(&TopicPartition::new(t, p as u32))
                            .map(|(s, _)| s);
                        PartitionInfo {
                            replicas: replicas.clone(),
                            leader: s.and_then(|s| s.leader),
                            leader_epoch: s.map_or(0, |s| s.leader_epoch),
                            isr: s.map_or_else(Vec::new, |s| s.isr.clone()),
                        }
                    })
                    .collect();
                topics.push((t.clone(), parts));
            }
            let brokers: Vec<u32> = c.live.iter().copied().collect();
            for b in &brokers {
                sends.push((
                    *b,
                    KafkaMsg::UpdateMetadata {
                        controller: me,
                        controller_epoch: epoch,
                        brokers: brokers.clone(),
                        topics: topics.clone(),
                    },
                ));
            }
        }
        for (b, partitions) in std::mem::take(&mut c.stop) {
            sends.push((
                b,
                KafkaMsg::StopReplica {
                    controller: me,
                    controller_epoch: epoch,
                    partitions,
                    delete: true,
                },
            ));
        }
        for (b, msg) in sends {
            if b == me {
                ctx.loopback(msg);
            } else if let Some(c) = self.controller.as_mut() {
                c.unanswered.entry(b).or_default().push(msg.clone());
                c.net.send(ctx, b, msg);
            }
        }
    }

    /// A broker answered the controller's oldest request to it.
    pub(crate) fn controller_answered(&mut self, from: u32) {
        if let Some(q) = self
            .controller
            .as_mut()
            .and_then(|c| c.unanswered.get_mut(&from))
            && !q.is_empty()
        {
            q.remove(0);
        }
    }

    /// A controller channel closed: what the broker had not answered goes again on a new
    /// connection while the broker is alive. Returns false when `conn` is not the
    /// controller's.
    pub(crate) fn controller_conn_closed(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: crate::sim::conn::ConnId,
    ) -> bool {
        let Some(c) = self.controller.as_mut() else {
            return false;
        };
        let Some(b) = c.net.forget(conn) else {
            return false;
        };
        if !c.live.contains(&b) {
            c.unanswered.remove(&b);
            return true;
        }
        for msg in c.unanswered.get(&b).cloned().unwrap_or_default() {
            c.net.send(ctx, b, msg);
        }
        true
    }
}

fn children(path: &str) -> Op {
    Op::GetChildren {
        path: path.into(),
        watch: true,
    }
}

fn get(path: &str) -> Op {
    Op::GetData {
        path: path.into(),
        watch: false,
    }
}
