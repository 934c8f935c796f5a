//! The world: every node of both systems, the virtual clock, the one RNG, the network and
//! the event queue. [`World::step`] pops the earliest event (by time, then by the order it
//! was scheduled), runs the node it concerns, and applies that node's effects; inputs
//! change the world between steps. The world is `Clone` so that the timeline can keep
//! checkpoints.

use crate::ids::NodeId;
use crate::kafka::broker::Broker;
use crate::kafka::config::KafkaConfig;
use crate::kafka::consumer::Consumer;
use crate::kafka::metadata::ClusterMetadata;
use crate::kafka::producer::Producer;
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::{Change, Ctx, Effect, Msg, Timer};
use crate::sim::input::{Input, Targets};
use crate::sim::network::{DropReason, Network};
use crate::sim::node::Node;
use crate::sim::rng::SimRng;
use crate::sim::trace::{EventKind, TraceEvent};
use crate::zookeeper::config::ZkConfig;
use crate::zookeeper::server::ZkServer;

/// The longest duration an input may name (`run`, `delay`): 24 hours, ms.
pub const MAX_DURATION_MS: u64 = 86_400_000;
use std::collections::BTreeMap;

/// Why an input was refused. Nothing changed when an input is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// One entry of the event queue.
#[derive(Clone, Debug)]
pub(crate) enum Entry {
    Deliver {
        id: u64,
        from: NodeId,
        to: NodeId,
        msg: Msg,
        sent_at: u64,
        doomed: Option<DropReason>,
    },
    Timer {
        node: NodeId,
        timer: Timer,
    },
    Alarm {
        after_ms: u64,
    },
}

/// What a step popped from the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Popped {
    /// A message was delivered or dropped.
    Message,
    /// A timer fired.
    Timer,
    /// A `run <duration>` period ended.
    Alarm,
    /// (Timeline replay only) a recorded input was applied again.
    Input,
}

/// A node and whether it runs.
#[derive(Clone, Debug)]
pub struct Slot {
    /// True while the node runs (started and not crashed).
    pub up: bool,
    /// True once the node has been started at least once (so a stopped node that never
    /// ran can be told from a crashed one).
    pub started: bool,
    /// The node.
    pub node: Node,
}

/// A message on the wire, for drawing.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct InFlight {
    /// Message id.
    pub id: u64,
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
    /// True when it will be lost.
    pub doomed: bool,
}

/// The simulated world.
#[derive(Clone, Debug)]
pub struct World {
    now: u64,
    seq: u64,
    next_msg: u64,
    events: u64,
    rng: SimRng,
    net: Network,
    zk_cfg: ZkConfig,
    kafka_cfg: KafkaConfig,
    /// What `topic create` has made, as the cluster (and its ZooKeeper) would know it.
    topics: ClusterMetadata,
    queue: BTreeMap<(u64, u64), Entry>,
    timers: BTreeMap<(NodeId, Timer), (u64, u64)>,
    nodes: BTreeMap<NodeId, Slot>,
}

impl World {
    /// An empty world at time 0 with the RNG seeded by `seed`.
    pub fn new(seed: u64) -> World {
        World {
            now: 0,
            seq: 0,
            next_msg: 0,
            events: 0,
            rng: SimRng::new(seed),
            net: Network::default(),
            zk_cfg: ZkConfig::default(),
            kafka_cfg: KafkaConfig::default(),
            topics: ClusterMetadata::default(),
            queue: BTreeMap::new(),
            timers: BTreeMap::new(),
            nodes: BTreeMap::new(),
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

    /// True when the node exists and runs.
    pub fn is_up(&self, id: NodeId) -> bool {
        self.nodes.get(&id).is_some_and(|s| s.up)
    }

    /// ZooKeeper servers with their up flag, by sid.
    pub fn zk_servers(&self) -> impl Iterator<Item = (bool, &ZkServer)> {
        self.nodes.values().filter_map(|s| match &s.node {
            Node::Zk(z) => Some((s.up, &**z)),
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
            Node::Broker(b) => Some((s.up, &**b)),
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

    /// One consumer.
    pub fn consumer(&self, id: u32) -> Option<&Consumer> {
        match &self.nodes.get(&NodeId::Consumer(id))?.node {
            Node::Consumer(c) => Some(c),
            _ => None,
        }
    }

    /// The leader of a partition per the cluster metadata.
    pub fn partition_leader(&self, tp: &TopicPartition) -> Option<u32> {
        self.topics.partition(tp)?.leader
    }

    /// Messages on the wire, oldest first.
    pub fn in_flight(&self) -> Vec<InFlight> {
        let mut v: Vec<InFlight> = self
            .queue
            .iter()
            .filter_map(|((t, _), e)| match e {
                Entry::Deliver {
                    id,
                    from,
                    to,
                    msg,
                    sent_at,
                    doomed,
                } => Some(InFlight {
                    id: *id,
                    from: *from,
                    to: *to,
                    sent_at: *sent_at,
                    arrive_at: *t,
                    msg: msg.clone(),
                    doomed: doomed.is_some(),
                }),
                _ => None,
            })
            .collect();
        v.sort_by_key(|m| m.id);
        v
    }

    fn emit(&mut self, sink: &mut Vec<TraceEvent>, kind: EventKind) {
        sink.push(TraceEvent {
            seq: self.events,
            time: self.now,
            kind,
        });
        self.events += 1;
    }

    fn schedule(&mut self, at: u64, entry: Entry) -> (u64, u64) {
        let key = (at, self.seq);
        self.seq += 1;
        self.queue.insert(key, entry);
        key
    }

    fn cancel_timer(&mut self, node: NodeId, timer: Timer) {
        if let Some(key) = self.timers.remove(&(node, timer)) {
            self.queue.remove(&key);
        }
    }

    /// Runs `f` on node `id` (if it runs) with a context, then applies its effects.
    pub(crate) fn run_node(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        id: NodeId,
        f: impl FnOnce(&mut Node, &mut Ctx<'_>),
    ) {
        let Some(slot) = self.nodes.get_mut(&id) else {
            return;
        };
        if !slot.up {
            return;
        }
        let mut ctx = Ctx::new(self.now, id, &mut self.rng);
        f(&mut slot.node, &mut ctx);
        let effects = ctx.into_effects();
        self.apply_effects(sink, id, effects);
    }

    fn apply_effects(&mut self, sink: &mut Vec<TraceEvent>, node: NodeId, effects: Vec<Effect>) {
        for e in effects {
            match e {
                Effect::Send { to, msg } => {
                    let id = self.next_msg;
                    self.next_msg += 1;
                    let route = self.net.route(&mut self.rng, self.now, node, to);
                    let (now, arrive_at) = (self.now, route.arrive_at);
                    self.emit(
                        sink,
                        EventKind::Send {
                            id,
                            from: node,
                            to,
                            arrive_at,
                            msg: msg.clone(),
                        },
                    );
                    self.schedule(
                        arrive_at,
                        Entry::Deliver {
                            id,
                            from: node,
                            to,
                            msg,
                            sent_at: now,
                            doomed: route.doomed,
                        },
                    );
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
            }
        }
    }

    /// Pops and runs the earliest queued event. Returns what it was, or `None` when the
    /// queue is empty (nothing will ever happen again without an input).
    pub fn step(&mut self, sink: &mut Vec<TraceEvent>) -> Option<Popped> {
        let ((time, _), entry) = self.queue.pop_first()?;
        self.now = time;
        match entry {
            Entry::Deliver {
                id,
                from,
                to,
                msg,
                doomed,
                ..
            } => {
                let reason = doomed.or_else(|| {
                    if !self.is_up(to) {
                        Some(DropReason::NodeDown)
                    } else if self.net.is_cut(from, to) {
                        Some(DropReason::Partitioned)
                    } else {
                        None
                    }
                });
                if let Some(reason) = reason {
                    self.emit(
                        sink,
                        EventKind::Drop {
                            id,
                            from,
                            to,
                            msg,
                            reason,
                        },
                    );
                } else {
                    self.emit(
                        sink,
                        EventKind::Deliver {
                            id,
                            from,
                            to,
                            msg: msg.clone(),
                        },
                    );
                    self.run_node(sink, to, |n, ctx| n.on_message(ctx, from, msg));
                }
                Some(Popped::Message)
            }
            Entry::Timer { node, timer } => {
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
                        .filter(|(_, s)| !s.up)
                        .map(|(id, _)| *id)
                        .collect(),
                    Targets::Nodes(n) => n.clone(),
                };
                for id in ids {
                    self.start_node(sink, id);
                }
            }
            Input::Crash(id) => self.crash_node(sink, *id),
            Input::Restart(id) => {
                if self.is_up(*id) {
                    self.crash_node(sink, *id);
                }
                self.start_node(sink, *id);
            }
            Input::Partition(groups) => self.net.partition(groups),
            Input::PartitionOneWay { from, to } => self.net.cut_one_way(from, to),
            Input::Heal => self.net.heal(),
            Input::Delay { from, to, ms } => {
                if *ms == 0 {
                    self.net.delays.remove(&(*from, *to));
                } else {
                    self.net.delays.insert((*from, *to), *ms);
                }
            }
            Input::DropNext { from, to, count } => {
                *self.net.drop_next.entry((*from, *to)).or_default() += count;
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

    /// Adds a stopped node (a system's setup input).
    pub(crate) fn add_node(&mut self, id: NodeId, node: Node) {
        self.nodes.insert(
            id,
            Slot {
                up: false,
                started: false,
                node,
            },
        );
    }

    /// Adds a node that runs from now on (a client created when first used).
    pub(crate) fn add_running_node(&mut self, id: NodeId, node: Node) {
        self.nodes.insert(
            id,
            Slot {
                up: true,
                started: true,
                node,
            },
        );
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

    fn start_node(&mut self, sink: &mut Vec<TraceEvent>, id: NodeId) {
        let Some(slot) = self.nodes.get_mut(&id) else {
            return;
        };
        if slot.up {
            return;
        }
        slot.up = true;
        slot.started = true;
        self.emit(sink, EventKind::NodeUp { node: id });
        self.run_node(sink, id, |n, ctx| {
            ctx.change(Change::Up);
            n.on_start(ctx);
        });
    }

    fn crash_node(&mut self, sink: &mut Vec<TraceEvent>, id: NodeId) {
        let Some(slot) = self.nodes.get_mut(&id) else {
            return;
        };
        slot.up = false;
        slot.node.crash();
        let timers: Vec<Timer> = self
            .timers
            .keys()
            .filter(|(n, _)| *n == id)
            .map(|(_, t)| *t)
            .collect();
        for t in timers {
            self.cancel_timer(id, t);
        }
        self.emit(sink, EventKind::NodeDown { node: id });
    }
}
