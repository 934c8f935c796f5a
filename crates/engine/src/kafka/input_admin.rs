//! The administrative inputs of the Kafka command language, apart from the central
//! dispatch in [`super::input`]: topic creation (`topic create`, `kafka-topics --create`),
//! partitions added (`--alter`), brokers added, and partition reassignment. Each has its
//! checks (Kafka's texts where it has them) and what it does to the world.

use super::input::{KafkaInput, err, live_brokers, no_broker_to_ask, quote, tool_output};
use crate::ids::NodeId;
use crate::kafka::broker::Broker;
use crate::kafka::topic::{TopicPartition, assign_replicas, valid_topic_name};
use crate::sim::node::Node;
use crate::sim::trace::TraceEvent;
use crate::sim::world::{InputError, World};
use std::collections::BTreeSet;
use std::fmt;

/// `topic create` / `kafka-topics --create`: Kafka's checks, in its words where it has them.
pub(super) fn check_topic_create(
    w: &World,
    broker_count: u32,
    input: &KafkaInput,
) -> Result<(), InputError> {
    let KafkaInput::TopicCreate {
        topic,
        partitions,
        rf,
        assignment,
        configs,
        ..
    } = input
    else {
        return Ok(());
    };
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
                if let Some(b) = r.iter().find(|b| w.slot(NodeId::Broker(**b)).is_none()) {
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
    Ok(())
}

/// `kafka-topics --alter --partitions`: `ZkAdminManager.createPartitions`' checks.
pub(super) fn check_add_partitions(
    w: &World,
    broker_count: u32,
    topic: &str,
    partitions: &u32,
) -> Result<(), InputError> {
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
    Ok(())
}

/// `kafka add-broker`: a cluster to add to, at most 9 brokers.
pub(super) fn check_add_broker(broker_count: u32) -> Result<(), InputError> {
    if broker_count == 0 {
        return err("there is no Kafka cluster; start with `kafka cluster 3`");
    }
    if broker_count >= 9 {
        return err("a cluster has at most 9 brokers");
    }
    Ok(())
}

/// `kafka-reassign-partitions`: `--verify` needs a broker to ask; `--execute` the
/// controller, which refuses bad targets in its words.
pub(super) fn check_reassign(
    w: &World,
    broker_count: u32,
    moves: &[(TopicPartition, Vec<u32>)],
    verify: bool,
) -> Result<(), InputError> {
    no_broker_to_ask(w, broker_count)?;
    if verify {
        return Ok(());
    }
    let Some(controller) = crate::kafka::controller::running(w) else {
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
    Ok(())
}

/// Creates a topic: placement over the live brokers (or the assignment given), its id,
/// and the writes to ZooKeeper through the broker the request reaches.
pub(super) fn apply_topic_create(w: &mut World, sink: &mut Vec<TraceEvent>, input: &KafkaInput) {
    let KafkaInput::TopicCreate {
        topic,
        partitions,
        rf,
        assignment,
        configs,
        tool,
    } = input
    else {
        return;
    };
    let live = live_brokers(w);
    let assignment = match assignment {
        Some(a) => a.clone(),
        None => assign_replicas(w.rng_mut(), partitions.unwrap_or(1), rf.unwrap_or(1), &live),
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

/// Adds partitions to a topic (see [`KafkaInput::AddPartitions`]).
pub(super) fn apply_add_partitions(
    w: &mut World,
    sink: &mut Vec<TraceEvent>,
    topic: &str,
    partitions: &u32,
) {
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

/// Adds the next broker, stopped, with the cluster's ZooKeeper.
pub(super) fn apply_add_broker(w: &mut World) {
    let id = w.broker_ids().into_iter().max().unwrap_or(0) + 1;
    let zk = w.zk_sids();
    let b = Broker::new(id, w.kafka_config().broker.clone()).with_zookeeper(zk);
    w.add_node(NodeId::Broker(id), Node::Broker(Box::new(b)));
}

/// `--execute`: the controller starts the moves; the tool prints the current assignment
/// and that it started.
pub(super) fn apply_reassign(
    w: &mut World,
    sink: &mut Vec<TraceEvent>,
    moves: &[(TopicPartition, Vec<u32>)],
) {
    let mut current: Vec<(TopicPartition, Vec<u32>)> = moves
        .iter()
        .filter_map(|(tp, _)| Some((tp.clone(), w.topics().partition(tp)?.replicas.clone())))
        .collect();
    current.sort();
    let Some(c) = crate::kafka::controller::running(w).map(|b| b.id()) else {
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
    let lines = crate::kafka::reassign_cmd::execute_lines(&current, moves);
    tool_output(w, sink, NodeId::Broker(c), lines);
}

/// `topic create ...`, or with `tool` `kafka-topics --create ...`: the same fields in
/// each form's words.
pub(super) fn write_topic_create(
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

/// Why the controller refuses to move `tp` to `replicas` (`KafkaController.validateReplicas`,
/// apache/kafka 3.8), in its words; `None` when it accepts.
pub(super) fn reassign_error(
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

/// The broker a tool's admin request reaches: the controller if it runs, otherwise the
/// first running broker.
pub(super) fn admin_broker(w: &World) -> Option<u32> {
    w.broker_ids()
        .into_iter()
        .filter(|b| w.is_up(NodeId::Broker(*b)))
        .min_by_key(|b| !w.broker(*b).is_some_and(|x| x.is_controller()))
}

/// A new topic's id: random as Kafka's, but drawn from an RNG of its own, seeded from the
/// world's next draw (which is not taken) and the topic's name (FNV-1a), so that giving
/// topics ids does not shift the network's draws.
pub(super) fn new_topic_id(w: &World, topic: &str) -> crate::kafka::topic::TopicId {
    let base = w.rng.clone().next_u64();
    let name = topic.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    crate::kafka::topic::TopicId::random(&mut crate::sim::rng::SimRng::new(base ^ name))
}
