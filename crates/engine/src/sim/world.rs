//! The world: every node of both systems, the virtual clock, the one RNG, the network with
//! its connections, and the event queue. [`World::step`] pops the earliest event (by time,
//! then by the order it was scheduled), runs the node it concerns, and applies that node's
//! effects; inputs change the world between steps. The world is `Clone` so that the
//! timeline can keep checkpoints.
//!
//! Segments on connections are handled in [`crate::sim::transport`]; crashes, power cuts
//! and pauses in [`crate::sim::faults`].

use crate::ids::NodeId;
use crate::kafka::broker::Broker;
use crate::kafka::config::KafkaConfig;
use crate::kafka::consumer::Consumer;
use crate::kafka::metadata::ClusterMetadata;
use crate::kafka::producer::Producer;
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::{CloseReason, Conn, ConnId, Dir, Segment};
use crate::sim::effects::{Ctx, Effect, Msg, Timer};
use crate::sim::input::{Input, Targets};
use crate::sim::network::Network;
use crate::sim::node::{Node, Status};
use crate::sim::rng::SimRng;
use crate::sim::trace::{EventKind, TraceEvent};
use crate::zookeeper::client::ZkClient;
use crate::zookeeper::config::ZkConfig;
use crate::zookeeper::server::ZkServer;
use std::collections::BTreeMap;

/// The longest duration an input may name (`run`, `delay`, `pause ... for`): 24 hours, ms.
pub const MAX_DURATION_MS: u64 = 86_400_000;

/// Why an input was refused. Nothing changed when an input is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// A segment on its way, or waiting (held by a partition, or arrived ahead of an earlier
/// one).
#[derive(Clone, Debug)]
pub(crate) struct SegEntry {
    /// The message id (for data; control segments get one too, never shown).
    pub(crate) id: u64,
    pub(crate) conn: ConnId,
    pub(crate) dir: Dir,
    /// Position in its direction's stream; `None` for a RST, which is taken on arrival.
    pub(crate) seq: Option<u64>,
    pub(crate) seg: Segment<Msg>,
    pub(crate) from: NodeId,
    pub(crate) to: NodeId,
    pub(crate) sent_at: u64,
    pub(crate) arrive_at: u64,
}

/// What a paused process's kernel keeps for it until it resumes.
#[derive(Clone, Debug)]
pub(crate) enum Kept {
    /// A message that arrived.
    Data {
        id: u64,
        conn: ConnId,
        from: NodeId,
        msg: Msg,
    },
    /// A connection that closed.
    Closed {
        conn: ConnId,
        peer: NodeId,
        reason: CloseReason,
    },
}

/// One entry of the event queue.
#[derive(Clone, Debug)]
pub(crate) enum Entry {
    /// A segment reaches the receiving host.
    Seg(SegEntry),
    /// A message a node queued for itself.
    Loopback {
        id: u64,
        node: NodeId,
        msg: Msg,
    },
    /// TCP gave up retransmitting on `node`'s end of `conn`.
    Abort {
        conn: ConnId,
        node: NodeId,
    },
    /// TCP gives up on the segments of one direction held since `since`.
    GiveUp {
        conn: ConnId,
        dir: Dir,
        since: u64,
    },
    Timer {
        node: NodeId,
        timer: Timer,
    },
    Alarm {
        after_ms: u64,
    },
    /// `pause X for D` ends.
    Resume {
        node: NodeId,
    },
}

/// What a step popped from the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Popped {
    /// A segment arrived.
    Message,
    /// A timer fired.
    Timer,
    /// A `run <duration>` period ended.
    Alarm,
    /// (Timeline replay only) a recorded input was applied again.
    Input,
    /// A timed pause ended.
    Resume,
}

/// A node, its process state and what its kernel keeps for it.
#[derive(Clone, Debug)]
pub struct Slot {
    /// Process and host state.
    pub status: Status,
    /// The node.
    pub node: Node,
    /// While paused: what arrived for the process, in order.
    pub(crate) kept: Vec<Kept>,
    /// While paused: timers that came due, with their queue keys.
    pub(crate) overdue: Vec<(Timer, (u64, u64))>,
    /// The queue key of a pending timed resume.
    pub(crate) resume_key: Option<(u64, u64)>,
}

impl Slot {
    fn new(node: Node, status: Status) -> Slot {
        Slot {
            status,
            node,
            kept: Vec::new(),
            overdue: Vec::new(),
            resume_key: None,
        }
    }

    /// Messages and closes a paused process has not seen yet.
    pub fn kept_count(&self) -> u32 {
        self.kept.len() as u32
    }
}

/// A message on the wire, for drawing.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InFlight {
    /// Message id.
    pub id: u64,
    /// The connection.
    pub conn: ConnId,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Send time, ms.
    pub sent_at: u64,
    /// Arrival time, ms.
    pub arrive_at: u64,
    /// The message.
    pub msg: Msg,
    /// True while its sender's kernel holds it (a partition, or a powered-off receiver).
    pub held: bool,
}

/// The simulated world.
#[derive(Clone, Debug)]
pub struct World {
    pub(crate) now: u64,
    seq: u64,
    pub(crate) next_msg: u64,
    pub(crate) next_conn: u64,
    events: u64,
    pub(crate) rng: SimRng,
    pub(crate) net: Network,
    zk_cfg: ZkConfig,
    kafka_cfg: KafkaConfig,
    /// What `topic create` has made, as the cluster (and its ZooKeeper) would know it.
    topics: ClusterMetadata,
    queue: BTreeMap<(u64, u64), Entry>,
    pub(crate) timers: BTreeMap<(NodeId, Timer), (u64, u64)>,
    pub(crate) nodes: BTreeMap<NodeId, Slot>,
    pub(crate) conns: BTreeMap<ConnId, Conn>,
    /// Segments a partition or a powered-off receiver holds in the sender's kernel, per
    /// connection direction, in the order they were held.
    pub(crate) held: BTreeMap<(ConnId, Dir), Vec<SegEntry>>,
    /// When each held direction started holding.
    pub(crate) held_since: BTreeMap<(ConnId, Dir), u64>,
    /// Segments that arrived before an earlier one of their direction, by sequence number.
    pub(crate) early: BTreeMap<(ConnId, Dir), BTreeMap<u64, SegEntry>>,
}

impl World {
    /// An empty world at time 0 with the RNG seeded by `seed`.
    pub fn new(seed: u64) -> World {
        World {
            now: 0,
            seq: 0,
            next_msg: 0,
            next_conn: 0,
            events: 0,
            rng: SimRng::new(seed),
            net: Network::default(),
            zk_cfg: ZkConfig::default(),
            kafka_cfg: KafkaConfig::default(),
            topics: ClusterMetadata::default(),
            queue: BTreeMap::new(),
            timers: BTreeMap::new(),
            nodes: BTreeMap::new(),
            conns: BTreeMap::new(),
            held: BTreeMap::new(),
            held_since: BTreeMap::new(),
            early: BTreeMap::new(),
        }
    }

    /// Virtual time, ms.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// How many trace events the world has emitted.
    pub fn event_count(&self) -> u64 {
        self.events
    }

    /// The time of the next queued event.
    pub fn next_event_time(&self) -> Option<u64> {
        self.queue.keys().next().map(|(t, _)| *t)
    }

    /// The network and its faults.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// Every connection the world remembers (open, half-open, and the last closed one of
    /// each pair and port), by id.
    pub fn conns(&self) -> impl Iterator<Item = &Conn> {
        self.conns.values()
    }

    /// ZooKeeper settings.
    pub fn zk_config(&self) -> &ZkConfig {
        &self.zk_cfg
    }

    /// Kafka settings.
    pub fn kafka_config(&self) -> &KafkaConfig {
        &self.kafka_cfg
    }

    /// Topics created so far.
    pub fn topics(&self) -> &ClusterMetadata {
        &self.topics
    }

    /// A node.
    pub fn slot(&self, id: NodeId) -> Option<&Slot> {
        self.nodes.get(&id)
    }

    /// Every node, in id order.
    pub fn slots(&self) -> impl Iterator<Item = (NodeId, &Slot)> {
        self.nodes.iter().map(|(id, s)| (*id, s))
    }

    /// The node's process and host state (`None` when there is no such node).
    pub fn status(&self, id: NodeId) -> Option<Status> {
        self.nodes.get(&id).map(|s| s.status)
    }

    /// True when the node exists and its process runs (not paused, crashed or halted).
    pub fn is_up(&self, id: NodeId) -> bool {
        self.status(id) == Some(Status::Running)
    }

    /// ZooKeeper servers with their up flag, by sid.
    pub fn zk_servers(&self) -> impl Iterator<Item = (bool, &ZkServer)> {
        self.nodes.values().filter_map(|s| match &s.node {
            Node::Zk(z) => Some((s.status == Status::Running, &**z)),
            _ => None,
        })
    }

    /// One ZooKeeper server.
    pub fn zk(&self, sid: u32) -> Option<&ZkServer> {
        match &self.nodes.get(&NodeId::Zk(sid))?.node {
            Node::Zk(z) => Some(z),
            _ => None,
        }
    }

    /// Kafka brokers with their up flag, by id.
    pub fn brokers(&self) -> impl Iterator<Item = (bool, &Broker)> {
        self.nodes.values().filter_map(|s| match &s.node {
            Node::Broker(b) => Some((s.status == Status::Running, &**b)),
            _ => None,
        })
    }

    /// One broker.
    pub fn broker(&self, id: u32) -> Option<&Broker> {
        match &self.nodes.get(&NodeId::Broker(id))?.node {
            Node::Broker(b) => Some(b),
            _ => None,
        }
    }

    /// One producer.
    pub fn producer(&self, id: u32) -> Option<&Producer> {
        match &self.nodes.get(&NodeId::Producer(id))?.node {
            Node::Producer(p) => Some(p),
            _ => None,
        }
    }

    /// Every producer, in id order.
    pub fn producers(&self) -> impl Iterator<Item = &Producer> {
        self.nodes.values().filter_map(|s| match &s.node {
            Node::Producer(p) => Some(&**p),
            _ => None,
        })
    }

    /// Every consumer, in id order.
    pub fn consumers(&self) -> impl Iterator<Item = &crate::kafka::consumer::Consumer> {
        self.nodes.values().filter_map(|s| match &s.node {
            Node::Consumer(c) => Some(&**c),
            _ => None,
        })
    }

    /// One ZooKeeper client.
    pub fn zk_client(&self, id: u32) -> Option<&ZkClient> {
        match &self.nodes.get(&NodeId::ZkClient(id))?.node {
            Node::ZkClient(c) => Some(c),
            _ => None,
        }
    }

    /// One store (the fencing-token recipe).
    pub fn store(&self, id: u32) -> Option<&crate::zookeeper::recipes::store::Store> {
        match &self.nodes.get(&NodeId::Store(id))?.node {
            Node::Store(s) => Some(s),
            _ => None,
        }
    }

    /// Every store, in id order.
    pub fn stores(&self) -> impl Iterator<Item = &crate::zookeeper::recipes::store::Store> {
        self.nodes.values().filter_map(|s| match &s.node {
            Node::Store(st) => Some(&**st),
            _ => None,
        })
    }

    /// Every ZooKeeper client, in id order.
    pub fn zk_clients(&self) -> impl Iterator<Item = &ZkClient> {
        self.nodes.values().filter_map(|s| match &s.node {
            Node::ZkClient(c) => Some(&**c),
            _ => None,
        })
    }

    /// One consumer.
    pub fn consumer(&self, id: u32) -> Option<&Consumer> {
        match &self.nodes.get(&NodeId::Consumer(id))?.node {
            Node::Consumer(c) => Some(c),
            _ => None,
        }
    }

    /// The leader of a partition as its state znode in ZooKeeper says.
    pub fn partition_leader(&self, tp: &TopicPartition) -> Option<u32> {
        crate::kafka::zk_data::current_state(self, tp)?.leader
    }

    /// Messages on the wire or held by a partition, oldest first.
    pub fn in_flight(&self) -> Vec<InFlight> {
        let flying = self.queue.values().filter_map(|e| match e {
            Entry::Seg(s) => Some((s, false)),
            _ => None,
        });
        let held = self.held.values().flatten().map(|s| (s, true));
        let early = self
            .early
            .values()
            .flat_map(|m| m.values())
            .map(|s| (s, false));
        let mut v: Vec<InFlight> = flying
            .chain(held)
            .chain(early)
            .filter_map(|(s, held)| match &s.seg {
                Segment::Data(msg) => Some(InFlight {
                    id: s.id,
                    conn: s.conn,
                    from: s.from,
                    to: s.to,
                    sent_at: s.sent_at,
                    arrive_at: s.arrive_at,
                    msg: msg.clone(),
                    held,
                }),
                _ => None,
            })
            .collect();
        v.sort_by_key(|m| m.id);
        v
    }

    pub(crate) fn emit(&mut self, sink: &mut Vec<TraceEvent>, kind: EventKind) {
        sink.push(TraceEvent {
            seq: self.events,
            time: self.now,
            kind,
        });
        self.events += 1;
    }

    pub(crate) fn schedule(&mut self, at: u64, entry: Entry) -> (u64, u64) {
        let key = (at, self.seq);
        self.seq += 1;
        self.queue.insert(key, entry);
        key
    }

    pub(crate) fn unschedule(&mut self, key: (u64, u64)) {
        self.queue.remove(&key);
    }

    pub(crate) fn cancel_timer(&mut self, node: NodeId, timer: Timer) {
        if let Some(key) = self.timers.remove(&(node, timer)) {
            self.queue.remove(&key);
        }
    }

    /// Cancels every timer of `node` (its process is gone).
    pub(crate) fn cancel_timers_of(&mut self, node: NodeId) {
        let timers: Vec<Timer> = self
            .timers
            .keys()
            .filter(|(n, _)| *n == node)
            .map(|(_, t)| *t)
            .collect();
        for t in timers {
            self.cancel_timer(node, t);
        }
    }

    /// Runs `f` on node `id` (if its process runs) with a context, then applies its
    /// effects.
    pub(crate) fn run_node(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        id: NodeId,
        f: impl FnOnce(&mut Node, &mut Ctx<'_>),
    ) {
        let Some(slot) = self.nodes.get_mut(&id) else {
            return;
        };
        if slot.status != Status::Running {
            return;
        }
        let mut ctx = Ctx::new(self.now, id, &mut self.rng, &mut self.next_conn);
        f(&mut slot.node, &mut ctx);
        let effects = ctx.into_effects();
        self.apply_effects(sink, id, effects);
    }

    fn apply_effects(&mut self, sink: &mut Vec<TraceEvent>, node: NodeId, effects: Vec<Effect>) {
        let mut exit = false;
        for e in effects {
            match e {
                Effect::Connect { conn, to, channel } => {
                    self.open_conn(sink, conn, node, to, channel)
                }
                Effect::Send { conn, msg } => self.send_on(sink, node, conn, msg),
                Effect::Loopback { msg } => self.loopback(sink, node, msg),
                Effect::Close { conn, why } => {
                    self.close_end(sink, conn, node, CloseReason::Closed { by: node, why })
                }
                Effect::SetTimer { timer, after_ms } => {
                    self.cancel_timer(node, timer);
                    let key = self.schedule(
                        self.now.saturating_add(after_ms),
                        Entry::Timer { node, timer },
                    );
                    self.timers.insert((node, timer), key);
                }
                Effect::CancelTimer(timer) => self.cancel_timer(node, timer),
                Effect::Change(change) => self.emit(sink, EventKind::Change { node, change }),
                Effect::Exit { .. } => exit = true,
            }
        }
        if exit {
            self.stop_node(sink, node);
        }
    }

    /// Pops and runs the earliest queued event. Returns what it was, or `None` when the
    /// queue is empty (nothing will ever happen again without an input). Entries that
    /// leave no trace (a FIN reaching an end that is already closed, a timer coming due in
    /// a frozen process) are taken together with the next one, so every step shows
    /// something.
    pub fn step(&mut self, sink: &mut Vec<TraceEvent>) -> Option<Popped> {
        let before = self.events;
        loop {
            let popped = self.step_one(sink)?;
            if self.events > before || popped == Popped::Alarm || self.queue.is_empty() {
                return Some(popped);
            }
        }
    }

    fn step_one(&mut self, sink: &mut Vec<TraceEvent>) -> Option<Popped> {
        let (key, entry) = self.queue.pop_first()?;
        self.now = key.0;
        match entry {
            Entry::Seg(s) => {
                self.arrive(sink, s);
                Some(Popped::Message)
            }
            Entry::Loopback { id, node, msg } => {
                self.emit(
                    sink,
                    EventKind::Deliver {
                        id,
                        conn: ConnId::LOOPBACK,
                        from: node,
                        to: node,
                        msg: msg.clone(),
                    },
                );
                self.run_node(sink, node, |n, ctx| {
                    n.on_message(ctx, ConnId::LOOPBACK, node, msg)
                });
                Some(Popped::Message)
            }
            Entry::Abort { conn, node } => {
                self.abort_end(sink, conn, node);
                Some(Popped::Message)
            }
            Entry::GiveUp { conn, dir, since } => {
                self.give_up(sink, conn, dir, since);
                Some(Popped::Message)
            }
            Entry::Timer { node, timer } => {
                if self.status(node) == Some(Status::Paused) {
                    // A frozen process runs no timers; it finds them overdue on resume.
                    if let Some(slot) = self.nodes.get_mut(&node) {
                        slot.overdue.push((timer, key));
                    }
                    return Some(Popped::Timer);
                }
                self.timers.remove(&(node, timer));
                self.emit(sink, EventKind::Timer { node, timer });
                self.run_node(sink, node, |n, ctx| n.on_timer(ctx, timer));
                Some(Popped::Timer)
            }
            Entry::Alarm { after_ms } => {
                self.emit(
                    sink,
                    EventKind::Clock {
                        note: format!("{} passed", crate::sim::input::duration(after_ms)),
                    },
                );
                Some(Popped::Alarm)
            }
            Entry::Resume { node } => {
                if let Some(slot) = self.nodes.get_mut(&node) {
                    slot.resume_key = None;
                }
                self.resume_node(sink, node);
                Some(Popped::Resume)
            }
        }
    }

    /// Applies an input. On error nothing changes and nothing is emitted.
    pub fn apply(&mut self, input: &Input, sink: &mut Vec<TraceEvent>) -> Result<(), InputError> {
        crate::sim::validate::check(self, input)?;
        self.emit(
            sink,
            EventKind::Input {
                command: input.to_string(),
            },
        );
        match input {
            Input::Zk(i) => i.apply(self, sink),
            Input::Kafka(i) => i.apply(self, sink),
            Input::Start(targets) => {
                let ids: Vec<NodeId> = match targets {
                    Targets::All => self
                        .nodes
                        .iter()
                        .filter(|(_, s)| !s.status.has_process())
                        .map(|(id, _)| *id)
                        .collect(),
                    Targets::Nodes(n) => n.clone(),
                };
                for id in ids {
                    self.start_node(sink, id);
                }
            }
            Input::Crash(id) => self.crash_node(sink, *id),
            Input::Stop(id) => self.stop_node(sink, *id),
            Input::Halt(id) => self.halt_node(sink, *id),
            Input::Pause { node, for_ms } => self.pause_node(sink, *node, *for_ms),
            Input::Resume(id) => self.resume_node(sink, *id),
            Input::Restart(id) => {
                if self.is_up(*id) {
                    self.crash_node(sink, *id);
                }
                self.start_node(sink, *id);
            }
            Input::Partition(groups) => self.net.partition(groups),
            Input::PartitionOneWay { from, to } => self.net.cut_one_way(from, to),
            Input::Heal => {
                self.net.heal();
                self.release_held(sink);
            }
            Input::Reset { a, b } => self.reset_pair(sink, *a, *b),
            Input::Delay { from, to, ms } => {
                if *ms == 0 {
                    self.net.delays.remove(&(*from, *to));
                } else {
                    self.net.delays.insert((*from, *to), *ms);
                }
            }
            Input::NetLatency { min_ms, max_ms } => {
                self.net.latency_min_ms = *min_ms;
                self.net.latency_max_ms = *max_ms;
            }
            Input::NetLoss { percent } => self.net.loss_percent = *percent,
            Input::Alarm { after_ms } => {
                self.schedule(
                    self.now.saturating_add(*after_ms),
                    Entry::Alarm {
                        after_ms: *after_ms,
                    },
                );
            }
        }
        Ok(())
    }

    /// Adds a node that has not started (a system's setup input).
    pub(crate) fn add_node(&mut self, id: NodeId, node: Node) {
        self.nodes.insert(id, Slot::new(node, Status::NotStarted));
    }

    /// Adds a node that runs from now on (a client created when first used).
    pub(crate) fn add_running_node(&mut self, id: NodeId, node: Node) {
        self.nodes.insert(id, Slot::new(node, Status::Running));
    }

    /// The world's RNG (for setup inputs that draw, like replica placement).
    pub(crate) fn rng_mut(&mut self) -> &mut SimRng {
        &mut self.rng
    }

    /// ZooKeeper settings, to change.
    pub(crate) fn zk_config_mut(&mut self) -> &mut ZkConfig {
        &mut self.zk_cfg
    }

    /// Kafka settings, to change.
    pub(crate) fn kafka_config_mut(&mut self) -> &mut KafkaConfig {
        &mut self.kafka_cfg
    }

    /// The cluster metadata, to change.
    pub(crate) fn topics_mut(&mut self) -> &mut ClusterMetadata {
        &mut self.topics
    }

    /// The sids of every ZooKeeper server, ascending.
    pub fn zk_sids(&self) -> Vec<u32> {
        self.zk_servers().map(|(_, s)| s.sid()).collect()
    }

    /// The ids of every broker, ascending.
    pub fn broker_ids(&self) -> Vec<u32> {
        self.brokers().map(|(_, b)| b.id()).collect()
    }

    /// One ZooKeeper server, to change (setup inputs only).
    pub(crate) fn zk_mut(&mut self, sid: u32) -> Option<&mut ZkServer> {
        match &mut self.nodes.get_mut(&NodeId::Zk(sid))?.node {
            Node::Zk(z) => Some(z),
            _ => None,
        }
    }

    /// One broker, to change (setup inputs only).
    pub(crate) fn broker_mut(&mut self, id: u32) -> Option<&mut Broker> {
        match &mut self.nodes.get_mut(&NodeId::Broker(id))?.node {
            Node::Broker(b) => Some(b),
            _ => None,
        }
    }
}
