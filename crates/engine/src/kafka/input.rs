//! The Kafka inputs of the command language: the cluster and its settings, topic creation
//! (whose checks and effects, with the other administrative inputs, are in
//! [`super::input_admin`]),
//! and the client requests (`produce`, `consume`). Each input is printed in canonical form,
//! checked against the world (Kafka's own error texts where it has them), then applied.

use crate::ids::NodeId;
use crate::kafka::broker::Broker;
use crate::kafka::config::Acks;
use crate::kafka::consumer::Consumer;
use crate::kafka::input_admin as admin;
use crate::kafka::messages::KafkaChange;
use crate::kafka::producer::{ProduceSpec, Producer};
use crate::kafka::topic::TopicPartition;
use crate::sim::node::Node;
use crate::sim::trace::{EventKind, TraceEvent};
use crate::sim::world::{InputError, World};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A change to the Kafka side of the world.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kafka", rename_all = "snake_case")]
pub enum KafkaInput {
    /// `kafka cluster N`: create brokers broker1..brokerN, stopped.
    Cluster {
        /// Broker count.
        brokers: u32,
    },
    /// `kafka config <key> <value>`: a broker, producer or consumer setting.
    Config {
        /// Kafka's name for it.
        key: String,
        /// Value.
        value: String,
    },
    /// `topic create <name> partitions P rf R` or `topic create <name> assignment 1:2:3,2:3:1`.
    TopicCreate {
        /// Topic name.
        topic: String,
        /// Partition count (when no assignment is given).
        partitions: Option<u32>,
        /// Replication factor (when no assignment is given).
        rf: Option<u32>,
        /// Explicit replica lists per partition (`--replica-assignment`).
        assignment: Option<Vec<Vec<u32>>>,
        /// Topic-level configs (`--config segment.bytes=1024`), in the order given.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        configs: Vec<(String, String)>,
        /// Written as `kafka-topics --create ...`: printed back that way, errors carry the
        /// tool's prefix and success prints `Created topic <t>.`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        tool: bool,
    },
    /// `kafka-topics --alter --topic T --partitions N`: more partitions for a topic
    /// (CreatePartitions: `ZkAdminManager.createPartitions`, `AdminZkClient.addPartitions`);
    /// never fewer.
    AddPartitions {
        /// The topic.
        topic: String,
        /// The new partition count.
        partitions: u32,
    },
    /// `kafka-topics --list`: the topic names, one per line, sorted.
    ListTopics,
    /// `kafka-console-producer --topic T ... <line>...`: a new producer process sends each
    /// line (see [`crate::kafka::console_producer`]).
    ConsoleProduce(crate::kafka::console_producer::ConsoleProduce),
    /// `kafka add-broker`: one more broker (the next id), stopped, with the cluster's
    /// ZooKeeper; it holds no partitions until a reassignment gives it some.
    AddBroker,
    /// `kafka-reassign-partitions --execute|--verify --reassignment-json <json>`
    /// (see [`crate::kafka::reassign_cmd`]).
    Reassign {
        /// Each partition and its target replicas.
        moves: Vec<(TopicPartition, Vec<u32>)>,
        /// `--verify` (print the status) instead of `--execute`.
        verify: bool,
    },
    /// `produce <topic> [partition P] [key K] value V [count N] [acks all|1|0]`.
    Produce(ProduceSpec),
    /// `fetch <topic-partition> offset <offset>`: how the leader finds the offset in its
    /// log (floor segment, index entry, scan), reported as a change.
    Fetch {
        /// The partition.
        tp: TopicPartition,
        /// The offset to look up.
        offset: u64,
    },
    /// `kafka-topics --describe [--topic T] [--under-replicated-partitions |
    /// --unavailable-partitions]`: what `kafka-topics.sh --describe` prints.
    DescribeTopics {
        /// One topic, or all.
        topic: Option<String>,
        /// Only partitions whose ISR is smaller than their replicas, or only those without
        /// a live leader.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        only: Option<crate::kafka::tools::Only>,
    },
    /// `kafka-leader-election --election-type preferred --all-topic-partitions`: the
    /// controller makes each partition's preferred replica (the first in its assignment)
    /// the leader where it is alive, in the ISR and not leading (ElectLeaders, KIP-460).
    ElectPreferred,
    /// `txn init|begin|commit|abort producer N`: producerN's `initTransactions`,
    /// `beginTransaction`, `commitTransaction` or `abortTransaction` (see
    /// [`crate::kafka::txn`]).
    Transaction {
        /// The call.
        op: crate::kafka::txn::TxnOp,
        /// The producer's number.
        producer: u32,
    },
    /// A consumer group command (`subscribe`, `commit`, `kafka-consumer-groups`; see
    /// [`crate::kafka::group::input`]).
    Group(crate::kafka::group::input::GroupInput),
    /// `consume <topic-partition> from <offset> [consumer N]`: `assign` + `seek`, no
    /// group (`KafkaConsumer.assign`).
    Consume {
        /// The partition.
        tp: TopicPartition,
        /// The starting offset.
        offset: u64,
        /// The consumer's number (1 when not given).
        #[serde(default = "first_consumer")]
        consumer: u32,
    },
}

/// Quotes a word for the command language when it needs quotes.
pub fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@=".contains(c))
    {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

impl fmt::Display for KafkaInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KafkaInput::Cluster { brokers } => write!(f, "kafka cluster {brokers}"),
            KafkaInput::Config { key, value } => write!(f, "kafka config {key} {}", quote(value)),
            KafkaInput::TopicCreate {
                topic,
                partitions,
                rf,
                assignment,
                configs,
                tool,
            } => admin::write_topic_create(f, *tool, topic, *partitions, *rf, assignment, configs),
            KafkaInput::AddPartitions { topic, partitions } => {
                write!(
                    f,
                    "kafka-topics --alter --topic {topic} --partitions {partitions}"
                )
            }
            KafkaInput::ListTopics => f.write_str("kafka-topics --list"),
            KafkaInput::AddBroker => f.write_str("kafka add-broker"),
            KafkaInput::ConsoleProduce(p) => f.write_str(&p.to_line()),
            KafkaInput::Reassign { moves, verify } => write!(
                f,
                "kafka-reassign-partitions {} --reassignment-json {}",
                if *verify { "--verify" } else { "--execute" },
                crate::kafka::reassign_cmd::plan_json(moves)
            ),
            KafkaInput::Produce(s) => {
                write!(f, "produce {}", s.topic)?;
                if let Some(p) = s.partition {
                    write!(f, " partition {p}")?;
                }
                if let Some(k) = &s.key {
                    write!(f, " key {}", quote(k))?;
                }
                if let Some(v) = &s.value {
                    write!(f, " value {}", quote(v))?;
                }
                if s.count != 1 {
                    write!(f, " count {}", s.count)?;
                }
                if let Some(a) = s.acks {
                    write!(f, " acks {}", a.name())?;
                }
                if let Some(p) = s.producer {
                    write!(f, " producer {p}")?;
                }
                Ok(())
            }
            KafkaInput::Consume {
                tp,
                offset,
                consumer: 1,
            } => write!(f, "consume {tp} from {offset}"),
            KafkaInput::Consume {
                tp,
                offset,
                consumer,
            } => write!(f, "consume {tp} from {offset} consumer {consumer}"),
            KafkaInput::Group(g) => write!(f, "{g}"),
            KafkaInput::Transaction { op, producer } => {
                write!(f, "txn {} producer {producer}", op.word())
            }
            KafkaInput::ElectPreferred => f.write_str(
                "kafka-leader-election --election-type preferred --all-topic-partitions",
            ),
            KafkaInput::Fetch { tp, offset } => write!(f, "fetch {tp} offset {offset}"),
            KafkaInput::DescribeTopics { topic, only } => {
                f.write_str("kafka-topics --describe")?;
                if let Some(t) = topic {
                    write!(f, " --topic {t}")?;
                }
                if let Some(o) = only {
                    write!(f, " {}", o.flag())?;
                }
                Ok(())
            }
        }
    }
}

pub(super) fn err<T>(msg: impl Into<String>) -> Result<T, InputError> {
    Err(InputError(msg.into()))
}

/// A tool needs a cluster and a running broker to ask.
pub(crate) fn no_broker_to_ask(w: &World, broker_count: u32) -> Result<(), InputError> {
    if broker_count == 0 {
        return err("there is no Kafka cluster; start with `kafka cluster 3`");
    }
    if !w.brokers().any(|(up, _)| up) {
        return err("no broker is running to answer (kafka-topics needs --bootstrap-server)");
    }
    Ok(())
}

impl KafkaInput {
    /// What a script waits for after the input: `topic create` returns once every
    /// running broker knows the new partitions (kafka-topics returns when the
    /// controller's metadata has them, `DelayedCreatePartitions`).
    pub fn settle(&self, w: &World) -> Option<crate::kafka::conditions::KafkaCondition> {
        match self {
            KafkaInput::TopicCreate { topic, .. } | KafkaInput::AddPartitions { topic, .. } => {
                Some(crate::kafka::conditions::KafkaCondition::TopicReady {
                    topic: topic.clone(),
                    partitions: w.topics().partition_count(topic)?,
                })
            }
            _ => None,
        }
    }

    /// Checks the input against `w`; nothing changes on error. The `kafka-topics` forms'
    /// errors start as the tool's do ([`crate::kafka::topics_cmd::ERROR_PREFIX`]).
    pub(crate) fn validate(&self, w: &World) -> Result<(), InputError> {
        let tool = matches!(
            self,
            KafkaInput::TopicCreate { tool: true, .. }
                | KafkaInput::AddPartitions { .. }
                | KafkaInput::DescribeTopics { .. }
                | KafkaInput::ListTopics
        );
        self.check(w).map_err(|e| match tool {
            true => InputError(format!("{}{}", crate::kafka::topics_cmd::ERROR_PREFIX, e.0)),
            false => e,
        })
    }

    fn check(&self, w: &World) -> Result<(), InputError> {
        let broker_count = w.slots().filter(|(id, _)| id.is_broker()).count() as u32;
        match self {
            KafkaInput::Cluster { brokers } => {
                if broker_count > 0 {
                    return err("a Kafka cluster already exists in this world");
                }
                if !(1..=9).contains(brokers) {
                    return err(format!("a cluster needs 1 to 9 brokers, not {brokers}"));
                }
            }
            KafkaInput::Config { key, value } => {
                w.kafka_config()
                    .clone()
                    .set(key, value)
                    .map_err(InputError)?;
            }
            KafkaInput::TopicCreate { .. } => admin::check_topic_create(w, broker_count, self)?,
            KafkaInput::Produce(spec) => {
                let Some(n) = w.topics().partition_count(&spec.topic) else {
                    return err(format!(
                        "topic {} does not exist (create it with `topic create {} ...`)",
                        spec.topic, spec.topic
                    ));
                };
                if let Some(p) = spec.partition.filter(|p| *p >= n) {
                    return err(format!(
                        "topic {} has partitions 0..{}, not {p}",
                        spec.topic,
                        n - 1
                    ));
                }
                if spec.count == 0 || spec.count > 100_000 {
                    return err("count must be 1 to 100000");
                }
                if let (Some(n), Some(acks)) = (spec.producer, spec.acks)
                    && let Some(Node::Producer(p)) = w.slot(NodeId::Producer(n)).map(|s| &s.node)
                    && p.acks() != acks
                {
                    return err(format!(
                        "producer{n} was created with acks {}; acks is a producer setting",
                        p.acks().name()
                    ));
                }
            }
            KafkaInput::AddPartitions { topic, partitions } => {
                admin::check_add_partitions(w, broker_count, topic, partitions)?
            }
            KafkaInput::ListTopics => no_broker_to_ask(w, broker_count)?,
            KafkaInput::ConsoleProduce(p) => {
                if w.topics().partition_count(&p.topic).is_none() {
                    return err(format!(
                        "topic {} does not exist (create it with `kafka-topics --create --topic {} ...`)",
                        p.topic, p.topic
                    ));
                }
                p.producer_config(w.kafka_config()).map_err(InputError)?;
            }
            KafkaInput::AddBroker => admin::check_add_broker(broker_count)?,
            KafkaInput::Reassign { moves, verify } => {
                admin::check_reassign(w, broker_count, moves, *verify)?
            }
            KafkaInput::DescribeTopics { topic, .. } => {
                if broker_count == 0 {
                    return err("there is no Kafka cluster; start with `kafka cluster 3`");
                }
                if !w
                    .slots()
                    .any(|(id, s)| id.is_broker() && s.status.has_process())
                {
                    return err(
                        "no broker is running to answer (kafka-topics needs --bootstrap-server)",
                    );
                }
                if let Some(t) = topic
                    .as_ref()
                    .filter(|t| !w.topics().topics.contains_key(*t))
                {
                    return err(format!("Topic '{t}' does not exist as expected"));
                }
            }
            KafkaInput::ElectPreferred => {
                if crate::kafka::controller::running(w).is_none() {
                    return err("no running broker is the controller to ask");
                }
            }
            KafkaInput::Transaction { producer, .. } => {
                crate::kafka::txn::input::check(w, broker_count, *producer)?
            }
            KafkaInput::Group(g) => crate::kafka::group::input::check(w, broker_count, g)?,
            KafkaInput::Consume { tp, consumer, .. } => {
                if w.topics().partition(tp).is_none() {
                    return err(format!("partition {tp} does not exist"));
                }
                let subscribed = w
                    .consumers()
                    .any(|c| c.id() == *consumer && c.group().is_some());
                if subscribed {
                    return err(format!(
                        "consumer{consumer} has subscribed to a group: subscription and manual assignment are mutually exclusive (IllegalStateException)"
                    ));
                }
            }
            KafkaInput::Fetch { tp, .. } => {
                if w.topics().partition(tp).is_none() {
                    return err(format!("partition {tp} does not exist"));
                }
            }
        }
        Ok(())
    }

    /// Applies the (validated) input.
    pub(crate) fn apply(&self, w: &mut World, sink: &mut Vec<TraceEvent>) {
        match self {
            KafkaInput::Cluster { brokers } => {
                // ZooKeeper mode needs a ZooKeeper: a world without one gets a standalone
                // zk1, running from the start, as the cluster's own.
                let mut zk: Vec<u32> = w.zk_servers().map(|(_, s)| s.sid()).collect();
                if zk.is_empty() {
                    let mut server = crate::zookeeper::server::ZkServer::new(
                        1,
                        false,
                        w.zk_config().clone(),
                        1..=1,
                    );
                    server.set_standalone();
                    w.add_node(NodeId::Zk(1), Node::Zk(Box::new(server)));
                    w.start_node(sink, NodeId::Zk(1));
                    zk.push(1);
                }
                for id in 1..=*brokers {
                    let b =
                        Broker::new(id, w.kafka_config().broker.clone()).with_zookeeper(zk.clone());
                    w.add_node(NodeId::Broker(id), Node::Broker(Box::new(b)));
                }
            }
            KafkaInput::Config { key, value } => {
                let before = w.kafka_config().clone();
                let _ = w.kafka_config_mut().set(key, value);
                let cfg = w.kafka_config().clone();
                for id in w.broker_ids() {
                    if let Some(b) = w.broker_mut(id) {
                        b.set_config(cfg.broker.clone());
                    }
                }
                // A Java client reads its settings once, in its constructor
                // (`KafkaProducer(Properties)`, `KafkaConsumer(Properties)`): clients that
                // exist keep theirs, and each says so, so the change is not silently void.
                let producer_changed = before.producer != cfg.producer;
                let consumer_changed = before.consumer != cfg.consumer;
                let kept: Vec<NodeId> = w
                    .slots()
                    .map(|(id, _)| id)
                    .filter(|id| match id {
                        NodeId::Producer(_) => producer_changed,
                        NodeId::Consumer(_) => consumer_changed,
                        _ => false,
                    })
                    .collect();
                for node in kept {
                    let change = KafkaChange::SettingKept { key: key.clone() };
                    w.emit(
                        sink,
                        EventKind::Change {
                            node,
                            change: change.into(),
                        },
                    );
                }
            }
            KafkaInput::TopicCreate { .. } => admin::apply_topic_create(w, sink, self),
            KafkaInput::AddPartitions { topic, partitions } => {
                admin::apply_add_partitions(w, sink, topic, partitions)
            }
            KafkaInput::ConsoleProduce(p) => {
                let Ok(cfg) = p.producer_config(w.kafka_config()) else {
                    return;
                };
                let n = next_producer(w);
                let id = add_producer(w, n, cfg.producer);
                let (records, error) = p.records();
                w.run_node(sink, id, |node, ctx| {
                    if let Node::Producer(prod) = node {
                        for (key, value) in &records {
                            let spec = ProduceSpec {
                                topic: p.topic.clone(),
                                partition: None,
                                key: key.clone(),
                                value: value.clone(),
                                count: 1,
                                acks: None,
                                producer: Some(n),
                            };
                            prod.produce(ctx, &spec);
                        }
                    }
                });
                if let Some(e) = error {
                    tool_output(
                        w,
                        sink,
                        id,
                        vec![format!("org.apache.kafka.common.KafkaException: {e}")],
                    );
                }
            }
            KafkaInput::AddBroker => admin::apply_add_broker(w),
            KafkaInput::Reassign {
                moves,
                verify: false,
            } => admin::apply_reassign(w, sink, moves),
            KafkaInput::Reassign {
                moves,
                verify: true,
            } => {
                let lines = crate::kafka::reassign_cmd::verify_lines(w, moves);
                if let Some(node) = first_running_broker(w) {
                    tool_output(w, sink, node, lines);
                }
            }
            KafkaInput::ListTopics => {
                let lines = crate::kafka::tools::list_topics(w);
                if let Some(node) = first_running_broker(w) {
                    tool_output(w, sink, node, lines);
                }
            }
            KafkaInput::Produce(spec) => {
                let acks = spec.acks.unwrap_or(w.kafka_config().producer.acks);
                let id = match spec.producer {
                    Some(n) => named_producer(w, n, acks),
                    None => producer_for(w, acks),
                };
                w.run_node(sink, id, |n, ctx| {
                    if let Node::Producer(p) = n {
                        p.produce(ctx, spec);
                    }
                });
            }
            KafkaInput::Fetch { tp, offset } => {
                let Some(leader) = w.partition_leader(tp) else {
                    return;
                };
                let node = NodeId::Broker(leader);
                let Some((log_start_offset, leo, lookup)) = w
                    .broker(leader)
                    .and_then(|b| b.disk().logs.get(tp))
                    .map(|log| (log.log_start_offset(), log.leo(), log.lookup(*offset)))
                else {
                    return;
                };
                let served = lookup
                    .as_ref()
                    .and_then(|l| w.broker_mut(leader)?.serve_fetch(tp, l));
                let change = KafkaChange::Lookup {
                    tp: tp.clone(),
                    offset: *offset,
                    log_start_offset,
                    leo,
                    lookup,
                    served,
                };
                w.emit(
                    sink,
                    EventKind::Change {
                        node,
                        change: change.into(),
                    },
                );
            }
            KafkaInput::Transaction { op, producer } => {
                let acks = w.kafka_config().producer.acks;
                let id = named_producer(w, *producer, acks);
                w.run_node(sink, id, |n, ctx| {
                    if let Node::Producer(p) = n {
                        p.transaction(ctx, *op);
                    }
                });
            }
            KafkaInput::ElectPreferred => {
                if let Some(c) = crate::kafka::controller::running(w).map(|b| b.id()) {
                    w.run_node(sink, NodeId::Broker(c), |n, ctx| {
                        if let Node::Broker(b) = n {
                            b.elect_preferred(ctx);
                        }
                    });
                }
            }
            KafkaInput::DescribeTopics { topic, only } => {
                let lines = crate::kafka::tools::describe_topics(w, topic.as_deref(), *only);
                if let Some(node) = first_running_broker(w) {
                    tool_output(w, sink, node, lines);
                }
            }
            KafkaInput::Group(g) => crate::kafka::group::input::apply(w, sink, g),
            KafkaInput::Consume {
                tp,
                offset,
                consumer,
            } => {
                let id = client(w, NodeId::Consumer(*consumer));
                w.run_node(sink, id, |n, ctx| {
                    if let Node::Consumer(c) = n {
                        c.assign(ctx, tp.clone(), *offset);
                    }
                });
            }
        }
    }
}

fn first_consumer() -> u32 {
    1
}

/// The first running broker (a tool's bootstrap server).
pub(crate) fn first_running_broker(w: &World) -> Option<NodeId> {
    w.broker_ids()
        .into_iter()
        .map(NodeId::Broker)
        .find(|id| w.is_up(*id))
}

/// Reports what a tool printed, as a change of the broker it asked.
pub(crate) fn tool_output(
    w: &mut World,
    sink: &mut Vec<TraceEvent>,
    node: NodeId,
    lines: Vec<String>,
) {
    w.emit(
        sink,
        EventKind::Change {
            node,
            change: KafkaChange::ToolOutput { lines }.into(),
        },
    );
}

/// The brokers a controller would count as live: those with a process (running, or
/// paused with their ZooKeeper session still standing), ascending. Topic creation places
/// replicas on them only (`AdminUtils.assignReplicasToBrokers` over the registered brokers).
pub(super) fn live_brokers(w: &World) -> Vec<u32> {
    w.broker_ids()
        .into_iter()
        .filter(|b| {
            w.slot(NodeId::Broker(*b))
                .is_some_and(|s| s.status.has_process())
        })
        .collect()
}

/// The producer that sends with `acks`: the first one created with that setting, or a new
/// one (producer1, producer2, ... in order of creation). Kafka's `acks` is a setting of the
/// producer (`ProducerConfig`), not of a record, so `produce ... acks 1` needs a producer
/// of its own. A new producer takes the current `kafka config` settings and bootstraps
/// from every broker.
fn producer_for(w: &mut World, acks: Acks) -> NodeId {
    let existing = w.slots().find_map(|(id, slot)| match &slot.node {
        Node::Producer(p) if p.acks() == acks => Some(id),
        _ => None,
    });
    if let Some(id) = existing {
        return id;
    }
    let mut cfg = w.kafka_config().producer.clone();
    cfg.acks = acks;
    add_producer(w, next_producer(w), cfg)
}

/// producerN, created with the current settings (and `acks`) if it does not exist yet.
fn named_producer(w: &mut World, n: u32, acks: Acks) -> NodeId {
    let id = NodeId::Producer(n);
    if w.slot(id).is_some() {
        return id;
    }
    let mut cfg = w.kafka_config().producer.clone();
    cfg.acks = acks;
    add_producer(w, n, cfg)
}

/// The number of the next producer: one more than the highest so far.
fn next_producer(w: &World) -> u32 {
    w.slots()
        .filter(|(id, _)| matches!(id, NodeId::Producer(_)))
        .map(|(id, _)| id.number())
        .max()
        .unwrap_or(0)
        + 1
}

/// Adds producerN with `cfg`, running, bootstrapping from every broker.
fn add_producer(w: &mut World, n: u32, cfg: crate::kafka::config::ProducerConfig) -> NodeId {
    let id = NodeId::Producer(n);
    let node = Node::Producer(Box::new(Producer::new(n, cfg, w.broker_ids())));
    w.add_running_node(id, node);
    id
}

/// Creates a Kafka client node the first time it is used; it bootstraps from every broker.
pub(crate) fn client(w: &mut World, id: NodeId) -> NodeId {
    if w.slot(id).is_none() {
        let bootstrap = w.broker_ids();
        let cfg = w.kafka_config().consumer.clone();
        let node = Node::Consumer(Box::new(Consumer::new(id.number(), cfg, bootstrap)));
        w.add_running_node(id, node);
    }
    id
}

#[cfg(test)]
mod tests {
    use crate::kafka::messages::KafkaChange;
    use crate::sim::effects::Change;
    use crate::sim::timeline::Timeline;
    use crate::sim::trace::EventKind;

    use crate::script::run::run_lines as run;

    fn kept(t: &Timeline) -> Vec<String> {
        t.trace()
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Change {
                    node,
                    change: Change::Kafka(KafkaChange::SettingKept { key }),
                } => Some(format!("{node} {key}")),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn topics_are_placed_on_live_brokers_only() {
        let mut t = Timeline::new(1);
        run(&mut t, "kafka cluster 3");
        run(&mut t, "start broker1,broker3");
        let cmd = crate::script::parse::parse_line("topic create t partitions 4 rf 3", 1)
            .expect("parses")
            .expect("a command");
        let e = crate::script::run::execute(&mut t, &cmd).expect_err("refused");
        assert!(
            e.to_string()
                .contains("Replication factor: 3 larger than available brokers: 2."),
            "{e}"
        );
        run(&mut t, "topic create t partitions 4 rf 2");
        for p in 0..4 {
            let info = t
                .world()
                .topics()
                .partition(&format!("t-{p}").parse().unwrap())
                .unwrap()
                .clone();
            assert!(
                !info.replicas.contains(&2),
                "partition {p} placed on dead broker2: {info:?}"
            );
            assert_eq!(info.isr, info.replicas);
            assert_eq!(info.leader, info.replicas.first().copied());
        }
    }

    #[test]
    fn existing_clients_say_they_keep_their_settings() {
        let mut t = Timeline::new(1);
        for line in [
            "kafka cluster 1",
            "start all",
            "topic create t partitions 1 rf 1",
            "kafka config linger.ms 5",
        ] {
            run(&mut t, line);
        }
        assert!(kept(&t).is_empty(), "no client exists yet");
        run(&mut t, "produce t value a");
        run(&mut t, "run 1s");
        run(&mut t, "kafka config min.insync.replicas 1");
        assert!(kept(&t).is_empty(), "a broker setting is not a client's");
        run(&mut t, "kafka config linger.ms 7");
        assert_eq!(kept(&t), vec!["producer1 linger.ms"]);
    }
}
