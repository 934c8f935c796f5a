//! The Kafka inputs of the command language: the cluster and its settings, topic creation,
//! and the client requests (`produce`, `consume`). Each input is printed in canonical form,
//! checked against the world (Kafka's own error texts where it has them), then applied.

use crate::ids::NodeId;
use crate::kafka::broker::Broker;
use crate::kafka::config::Acks;
use crate::kafka::consumer::Consumer;
use crate::kafka::messages::KafkaChange;
use crate::kafka::producer::{ProduceSpec, Producer};
use crate::kafka::topic::{TopicPartition, assign_replicas, valid_topic_name};
use crate::sim::node::Node;
use crate::sim::trace::{EventKind, TraceEvent};
use crate::sim::world::{InputError, World};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
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
    /// `consume <topic-partition> from <offset>`.
    Consume {
        /// The partition.
        tp: TopicPartition,
        /// The starting offset.
        offset: u64,
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
            } => write_topic_create(f, *tool, topic, *partitions, *rf, assignment, configs),
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
            KafkaInput::Consume { tp, offset } => write!(f, "consume {tp} from {offset}"),
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

/// `topic create ...`, or with `tool` `kafka-topics --create ...`: the same fields in
/// each form's words.
fn write_topic_create(
    f: &mut fmt::Formatter<'_>,
    tool: bool,
    topic: &str,
    partitions: Option<u32>,
    rf: Option<u32>,
    assignment: &Option<Vec<Vec<u32>>>,
    configs: &[(String, String)],
) -> fmt::Result {
    let [head, p, r, a] = if tool {
        [
            "kafka-topics --create --topic",
            "--partitions",
            "--replication-factor",
            "--replica-assignment",
        ]
    } else {
        ["topic create", "partitions", "rf", "assignment"]
    };
    write!(f, "{head} {topic}")?;
    if let Some(n) = partitions {
        write!(f, " {p} {n}")?;
    }
    if let Some(n) = rf {
        write!(f, " {r} {n}")?;
    }
    if let Some(x) = assignment {
        write!(f, " {a} {}", crate::kafka::topics_cmd::assignment_text(x))?;
    }
    for (k, v) in configs {
        if tool {
            write!(f, " --config {}", quote(&format!("{k}={v}")))?;
        } else {
            write!(f, " {k} {}", quote(v))?;
        }
    }
    Ok(())
}

fn err<T>(msg: impl Into<String>) -> Result<T, InputError> {
    Err(InputError(msg.into()))
}

/// Why the controller refuses to move `tp` to `replicas` (`KafkaController.validateReplicas`,
/// apache/kafka 3.8), in its words; `None` when it accepts.
fn reassign_error(
    w: &World,
    tp: &TopicPartition,
    replicas: &[u32],
    live: &[u32],
) -> Option<String> {
    let scala = |v: &[u32]| {
        let ids: Vec<String> = v.iter().map(u32::to_string).collect();
        format!("ArrayBuffer({})", ids.join(", "))
    };
    let Some(partition) = w.topics().partition(tp) else {
        return Some("This server does not host this topic-partition.".into());
    };
    let current = partition.replicas.clone();
    let distinct: BTreeSet<&u32> = replicas.iter().collect();
    if replicas.is_empty() {
        return Some("Empty replica list specified in partition reassignment.".into());
    }
    if distinct.len() != replicas.len() {
        return Some(format!(
            "Duplicate replica ids in partition reassignment replica list: {}",
            scala(replicas)
        ));
    }
    let adding: Vec<u32> = replicas
        .iter()
        .copied()
        .filter(|b| !current.contains(b))
        .collect();
    if adding.iter().any(|b| !live.contains(b)) {
        let mut sorted = live.to_vec();
        sorted.sort_unstable();
        return Some(format!(
            "Replica assignment has brokers that are not alive. Replica list: {}, live broker list: {}",
            scala(&adding),
            crate::kafka::broker::partition::PartitionState::scala_set(&sorted)
        ));
    }
    None
}

/// A tool needs a cluster and a running broker to ask.
fn no_broker_to_ask(w: &World, broker_count: u32) -> Result<(), InputError> {
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
            KafkaInput::TopicCreate {
                topic,
                partitions,
                rf,
                assignment,
                configs,
                ..
            } => {
                let mut log_cfg = crate::kafka::log::config::LogConfig::default();
                for (k, v) in configs {
                    log_cfg.set(k, v).map_err(InputError)?;
                }
                if broker_count == 0 {
                    return err("there is no Kafka cluster; start with `kafka cluster 3`");
                }
                if !valid_topic_name(topic) {
                    return err(format!(
                        "`{topic}` is not a legal topic name (letters, digits, `.`, `_`, `-`)"
                    ));
                }
                if w.topics().topics.contains_key(topic) {
                    return err(format!("Topic '{topic}' already exists."));
                }
                if live_brokers(w).is_empty() {
                    return err("no broker is running to take the request");
                }
                match assignment {
                    Some(a) => {
                        let rf0 = a.first().map_or(0, Vec::len);
                        for (p, r) in a.iter().enumerate() {
                            if r.len() != rf0 {
                                return err(format!(
                                    "Partition {p} has different replication factor: {}",
                                    r.len()
                                ));
                            }
                            let distinct: BTreeSet<&u32> = r.iter().collect();
                            if distinct.len() != r.len() {
                                return err(format!("Duplicate replica assignment found: {r:?}"));
                            }
                            if let Some(b) =
                                r.iter().find(|b| w.slot(NodeId::Broker(**b)).is_none())
                            {
                                return err(format!(
                                    "Unknown broker {b} in the assignment of partition {p}"
                                ));
                            }
                        }
                        if a.is_empty() || rf0 == 0 {
                            return err("an assignment needs at least one replica");
                        }
                    }
                    None => {
                        let p = partitions.unwrap_or(1);
                        let r = rf.unwrap_or(1);
                        let live = live_brokers(w).len() as u32;
                        if !(1..=1000).contains(&p) {
                            return err(format!("partitions must be 1 to 1000, not {p}"));
                        }
                        if r == 0 || r > live {
                            return err(format!(
                                "Replication factor: {r} larger than available brokers: {live}."
                            ));
                        }
                    }
                }
            }
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
                no_broker_to_ask(w, broker_count)?;
                let Some(old) = w.topics().partition_count(topic) else {
                    return err(format!("Topic '{topic}' does not exist as expected"));
                };
                // ZkAdminManager.createPartitions' checks (apache/kafka 3.8).
                if *partitions < old {
                    return err(format!(
                        "Topic currently has {old} partitions, which is higher than the requested {partitions}."
                    ));
                }
                if *partitions == old {
                    return err(format!("Topic already has {old} partitions."));
                }
                if *partitions > 1000 {
                    return err(format!("partitions must be 1 to 1000, not {partitions}"));
                }
                let rf = w
                    .topics()
                    .partition(&TopicPartition::new(topic, 0))
                    .map_or(0, |p| p.replicas.len());
                let live = live_brokers(w).len();
                if rf > live {
                    return err(format!(
                        "Replication factor: {rf} larger than available brokers: {live}."
                    ));
                }
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
            KafkaInput::AddBroker => {
                if broker_count == 0 {
                    return err("there is no Kafka cluster; start with `kafka cluster 3`");
                }
                if broker_count >= 9 {
                    return err("a cluster has at most 9 brokers");
                }
            }
            KafkaInput::Reassign { moves, verify } => {
                no_broker_to_ask(w, broker_count)?;
                if *verify {
                    return Ok(());
                }
                let Some((_, controller)) = w.brokers().find(|(up, b)| *up && b.is_controller())
                else {
                    return err("no running broker is the controller to ask");
                };
                let live: Vec<u32> = controller.alive_brokers().to_vec();
                let mut errors = Vec::new();
                for (tp, replicas) in moves {
                    if let Some(e) = reassign_error(w, tp, replicas, &live) {
                        errors.push(format!("{tp}: {e}"));
                    }
                }
                if !errors.is_empty() {
                    return err(format!(
                        "Error reassigning partition(s):\n{}",
                        errors.join("\n")
                    ));
                }
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
                if !w.brokers().any(|(up, b)| up && b.is_controller()) {
                    return err("no running broker is the controller to ask");
                }
            }
            KafkaInput::Consume { tp, .. } | KafkaInput::Fetch { tp, .. } => {
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
            KafkaInput::TopicCreate {
                topic,
                partitions,
                rf,
                assignment,
                configs,
                tool,
            } => {
                let live = live_brokers(w);
                let assignment = match assignment {
                    Some(a) => a.clone(),
                    None => assign_replicas(
                        w.rng_mut(),
                        partitions.unwrap_or(1),
                        rf.unwrap_or(1),
                        &live,
                    ),
                };
                let topic_id = new_topic_id(w, topic);
                w.topics_mut().create_topic(topic, &assignment, &live);
                w.topics_mut().ids.insert(topic.clone(), topic_id);
                if !configs.is_empty() {
                    w.topics_mut()
                        .configs
                        .insert(topic.clone(), configs.clone());
                }
                // CreateTopics reaches the controller (or, while there is none, any
                // running broker), which writes the config and the assignment to
                // ZooKeeper (`AdminZkClient.createTopicWithAssignment`); the controller's
                // watch on /brokers/topics does the rest.
                // With the tool, `Created topic t.` comes when the answer does: once the
                // broker's metadata cache has a leader for every partition.
                if let Some(b) = admin_broker(w) {
                    let count = assignment.len() as u32;
                    w.run_node(sink, NodeId::Broker(b), |n, ctx| {
                        if let Node::Broker(b) = n {
                            b.write_topic(ctx, topic, &assignment, configs, topic_id);
                            if *tool {
                                b.await_created(topic, count);
                            }
                        }
                    });
                }
            }
            KafkaInput::AddPartitions { topic, partitions } => {
                let Some(old) = w.topics().topics.get(topic).cloned() else {
                    return;
                };
                let live = live_brokers(w);
                let added = crate::kafka::topic::assign_added_partitions(
                    &old[0].replicas,
                    old.len() as u32,
                    partitions - old.len() as u32,
                    &live,
                );
                w.topics_mut().add_partitions(topic, &added, &live);
                let combined: Vec<Vec<u32>> = old
                    .iter()
                    .map(|p| p.replicas.clone())
                    .chain(added)
                    .collect();
                let topic_id = w.topics().ids.get(topic).copied();
                // The broker that takes CreatePartitions rewrites the topic's assignment
                // (`AdminZkClient.createPartitionsWithAssignment`); the controller's data
                // watch on the topic's znode (`PartitionModificationsHandler`) starts the
                // new partitions. kafka-topics --alter prints nothing on success.
                if let Some(b) = admin_broker(w) {
                    w.run_node(sink, NodeId::Broker(b), |n, ctx| {
                        if let Node::Broker(b) = n {
                            b.write_partitions(ctx, topic, &combined, topic_id);
                        }
                    });
                }
            }
            KafkaInput::ConsoleProduce(p) => {
                let Ok(cfg) = p.producer_config(w.kafka_config()) else {
                    return;
                };
                let n = w
                    .slots()
                    .filter(|(id, _)| matches!(id, NodeId::Producer(_)))
                    .map(|(id, _)| id.number())
                    .max()
                    .unwrap_or(0)
                    + 1;
                let id = NodeId::Producer(n);
                let node = Node::Producer(Box::new(Producer::new(n, cfg.producer, w.broker_ids())));
                w.add_running_node(id, node);
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
            KafkaInput::AddBroker => {
                let id = w.broker_ids().into_iter().max().unwrap_or(0) + 1;
                let zk = w.zk_sids();
                let b = Broker::new(id, w.kafka_config().broker.clone()).with_zookeeper(zk);
                w.add_node(NodeId::Broker(id), Node::Broker(Box::new(b)));
            }
            KafkaInput::Reassign {
                moves,
                verify: false,
            } => {
                let mut current: Vec<(TopicPartition, Vec<u32>)> = moves
                    .iter()
                    .filter_map(|(tp, _)| {
                        Some((tp.clone(), w.topics().partition(tp)?.replicas.clone()))
                    })
                    .collect();
                current.sort();
                let Some(c) = w
                    .brokers()
                    .find(|(up, b)| *up && b.is_controller())
                    .map(|(_, b)| b.id())
                else {
                    return;
                };
                for (tp, target) in moves {
                    if let Some(p) = w
                        .topics_mut()
                        .topics
                        .get_mut(&tp.topic)
                        .and_then(|ps| ps.get_mut(tp.partition as usize))
                    {
                        p.replicas = target.clone();
                    }
                }
                w.run_node(sink, NodeId::Broker(c), |n, ctx| {
                    if let Node::Broker(b) = n {
                        b.reassign(ctx, moves);
                    }
                });
                let plural = if moves.len() == 1 { "" } else { "s" };
                let tps: Vec<String> = moves.iter().map(|(tp, _)| tp.to_string()).collect();
                let mut lines = vec![
                    "Current partition replica assignment".to_string(),
                    String::new(),
                ];
                lines.push(crate::kafka::reassign_cmd::plan_json(&current));
                lines.push(String::new());
                lines.push(
                    "Save this to use as the --reassignment-json-file option during rollback"
                        .into(),
                );
                lines.push(format!(
                    "Successfully started partition reassignment{plural} for {}",
                    tps.join(",")
                ));
                tool_output(w, sink, NodeId::Broker(c), lines);
            }
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
            KafkaInput::ElectPreferred => {
                let controller = w
                    .brokers()
                    .find(|(up, b)| *up && b.is_controller())
                    .map(|(_, b)| b.id());
                if let Some(c) = controller {
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
            KafkaInput::Consume { tp, offset } => {
                let id = client(w, NodeId::Consumer(1));
                w.run_node(sink, id, |n, ctx| {
                    if let Node::Consumer(c) = n {
                        c.assign(ctx, tp.clone(), *offset);
                    }
                });
            }
        }
    }
}

/// The broker a tool's admin request reaches: the controller if it runs, otherwise the
/// first running broker.
fn admin_broker(w: &World) -> Option<u32> {
    w.broker_ids()
        .into_iter()
        .filter(|b| w.is_up(NodeId::Broker(*b)))
        .min_by_key(|b| !w.broker(*b).is_some_and(|x| x.is_controller()))
}

/// The first running broker (a tool's bootstrap server).
fn first_running_broker(w: &World) -> Option<NodeId> {
    w.broker_ids()
        .into_iter()
        .map(NodeId::Broker)
        .find(|id| w.is_up(*id))
}

/// Reports what a tool printed, as a change of the broker it asked.
fn tool_output(w: &mut World, sink: &mut Vec<TraceEvent>, node: NodeId, lines: Vec<String>) {
    w.emit(
        sink,
        EventKind::Change {
            node,
            change: KafkaChange::ToolOutput { lines }.into(),
        },
    );
}

/// A new topic's id: random as Kafka's, but drawn from an RNG of its own, seeded from the
/// world's next draw (which is not taken) and the topic's name (FNV-1a), so that giving
/// topics ids does not shift the network's draws.
fn new_topic_id(w: &World, topic: &str) -> crate::kafka::topic::TopicId {
    let base = w.rng.clone().next_u64();
    let name = topic.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    crate::kafka::topic::TopicId::random(&mut crate::sim::rng::SimRng::new(base ^ name))
}

/// The brokers a controller would count as live: those with a process (running, or
/// paused with their ZooKeeper session still standing), ascending. Topic creation places
/// replicas on them only (`AdminUtils.assignReplicasToBrokers` over the registered brokers).
fn live_brokers(w: &World) -> Vec<u32> {
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
    let mut last = 0;
    for (id, slot) in w.slots() {
        if let Node::Producer(p) = &slot.node {
            if p.acks() == acks {
                return id;
            }
            last = last.max(id.number());
        }
    }
    let id = NodeId::Producer(last + 1);
    let mut cfg = w.kafka_config().producer.clone();
    cfg.acks = acks;
    let node = Node::Producer(Box::new(Producer::new(id.number(), cfg, w.broker_ids())));
    w.add_running_node(id, node);
    id
}

/// producerN, created with the current settings (and `acks`) if it does not exist yet.
fn named_producer(w: &mut World, n: u32, acks: Acks) -> NodeId {
    let id = NodeId::Producer(n);
    if w.slot(id).is_none() {
        let mut cfg = w.kafka_config().producer.clone();
        cfg.acks = acks;
        let node = Node::Producer(Box::new(Producer::new(n, cfg, w.broker_ids())));
        w.add_running_node(id, node);
    }
    id
}

/// Creates a Kafka client node the first time it is used; it bootstraps from every broker.
fn client(w: &mut World, id: NodeId) -> NodeId {
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
