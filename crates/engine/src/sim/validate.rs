//! Which inputs the world accepts: every check that must pass before an input changes
//! anything, with an error that says what was wrong (Kafka's own wording where it has one,
//! e.g. `Replication factor: 4 larger than available brokers: 3.`).

use crate::ids::NodeId;
use crate::kafka::topic::valid_topic_name;
use crate::sim::input::{Input, Targets};
use crate::sim::world::{InputError, MAX_DURATION_MS, World};
use crate::zookeeper::zxid;
use std::collections::BTreeSet;

fn err<T>(msg: impl Into<String>) -> Result<T, InputError> {
    Err(InputError(msg.into()))
}

/// Checks `input` against `w`. Nothing changes on error.
pub fn check(w: &World, input: &Input) -> Result<(), InputError> {
    let exists = |id: &NodeId| -> Result<(), InputError> {
        if w.slot(*id).is_some() {
            Ok(())
        } else {
            err(format!("there is no node {id}"))
        }
    };
    let has_zk = w.slots().any(|(id, _)| id.is_zk());
    let broker_count = w.slots().filter(|(id, _)| id.is_broker()).count() as u32;
    match input {
        Input::ZkEnsemble { voters, observers } => {
            if has_zk {
                return err("a ZooKeeper ensemble already exists in this world");
            }
            if !(2..=9).contains(voters) {
                return err(format!(
                    "an ensemble needs 2 to 9 voting servers, not {voters}"
                ));
            }
            if *observers > 3 {
                return err(format!("at most 3 observers, not {observers}"));
            }
        }
        Input::ZkSetZxid { sid, zxid: z } | Input::ZkSetEpoch { sid, epoch: z } => {
            let id = NodeId::Zk(*sid);
            exists(&id)?;
            if w.is_up(id) {
                return err(format!(
                    "{id} is running: change what is on its disk before `start`"
                ));
            }
            if let Input::ZkSetZxid { .. } = input {
                if zxid::counter_of(*z) > 100_000 {
                    return err(format!(
                        "zxid {} has a counter above 100000; use a smaller one",
                        zxid::hex(*z)
                    ));
                }
            } else if let Some(s) = w.zk(*sid) {
                let last = s.disk().last_zxid();
                if *z < zxid::epoch_of(last) {
                    return err(format!(
                        "epoch {z} is older than {id}'s last zxid {}",
                        zxid::hex(last)
                    ));
                }
            }
        }
        Input::ZkConfig { key, value } => {
            w.zk_config().clone().set(key, *value).map_err(InputError)?;
        }
        Input::KafkaCluster { brokers } => {
            if broker_count > 0 {
                return err("a Kafka cluster already exists in this world");
            }
            if !(1..=9).contains(brokers) {
                return err(format!("a cluster needs 1 to 9 brokers, not {brokers}"));
            }
        }
        Input::KafkaConfig { key, value } => {
            w.kafka_config()
                .clone()
                .set(key, value)
                .map_err(InputError)?;
        }
        Input::TopicCreate {
            topic,
            partitions,
            rf,
            assignment,
        } => {
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
                    if !(1..=1000).contains(&p) {
                        return err(format!("partitions must be 1 to 1000, not {p}"));
                    }
                    if r == 0 || r > broker_count {
                        return err(format!(
                            "Replication factor: {r} larger than available brokers: {broker_count}."
                        ));
                    }
                }
            }
        }
        Input::Start(Targets::Nodes(ids)) => {
            for id in ids {
                exists(id)?;
                if w.is_up(*id) {
                    return err(format!("{id} is already running"));
                }
            }
        }
        Input::Start(Targets::All) | Input::Heal => {}
        Input::Crash(id) => {
            exists(id)?;
            if !w.is_up(*id) {
                return err(format!("{id} is not running"));
            }
        }
        Input::Restart(id) => exists(id)?,
        Input::Partition(groups) => {
            let mut seen = BTreeSet::new();
            for id in groups.iter().flatten() {
                exists(id)?;
                if !seen.insert(*id) {
                    return err(format!("{id} is in more than one group"));
                }
            }
        }
        Input::PartitionOneWay { from, to } => {
            for id in from.iter().chain(to) {
                exists(id)?;
            }
        }
        Input::Delay { from, to, .. } | Input::DropNext { from, to, .. } => {
            exists(from)?;
            exists(to)?;
            if from == to {
                return err("a link joins two different nodes");
            }
            if let Input::Delay { ms, .. } = input
                && *ms > MAX_DURATION_MS
            {
                return err("a delay may be at most 24h");
            }
        }
        Input::NetLatency { min_ms, max_ms } => {
            if min_ms > max_ms || *max_ms > 60_000 {
                return err("latency needs min <= max <= 60s");
            }
        }
        Input::NetLoss { percent } => {
            if *percent > 100 {
                return err("loss is a percentage from 0 to 100");
            }
        }
        Input::Produce(spec) => {
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
        }
        Input::Consume { tp, .. } => {
            if w.topics().partition(tp).is_none() {
                return err(format!("partition {tp} does not exist"));
            }
        }
        Input::Alarm { after_ms } => {
            if *after_ms == 0 || *after_ms > MAX_DURATION_MS {
                return err("run needs a duration above 0 and at most 24h");
            }
        }
    }
    Ok(())
}
