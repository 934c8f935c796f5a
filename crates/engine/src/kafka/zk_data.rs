//! What Kafka in ZooKeeper mode keeps in ZooKeeper: the paths and the JSON each znode
//! holds (`kafka.zk.ZkData`, apache/kafka 3.7). Encoders write the keys in the order
//! Kafka's znodes are commonly seen with (Kafka writes a Java map, so the order carries no
//! meaning); decoders read keys by name and say which one was wrong.

use crate::kafka::topic::{TopicId, TopicPartition};
use serde_json::Value;
use std::collections::BTreeMap;

/// `/brokers/ids`: one ephemeral child per live broker (`BrokerIdsZNode`).
pub const BROKER_IDS: &str = "/brokers/ids";
/// `/brokers/topics`: one child per topic, holding its assignment (`TopicsZNode`).
pub const BROKER_TOPICS: &str = "/brokers/topics";
/// `/controller`: the ephemeral node of the active controller (`ControllerZNode`).
pub const CONTROLLER: &str = "/controller";
/// `/controller_epoch`: the controller epoch as a decimal string (`ControllerEpochZNode`).
pub const CONTROLLER_EPOCH: &str = "/controller_epoch";
/// `/isr_change_notification`: leaders leave a sequential child here after writing an
/// ISR change, so the controller sends the new metadata (`IsrChangeNotificationZNode`).
pub const ISR_CHANGE: &str = "/isr_change_notification";
/// The prefix of one ISR change notification (`IsrChangeNotificationSequenceZNode`).
pub const ISR_CHANGE_PREFIX: &str = "/isr_change_notification/isr_change_";

/// `/latest_producer_id_block`: the last block of producer ids a broker claimed
/// (`ProducerIdBlockZNode`).
pub const PRODUCER_ID_BLOCK: &str = "/latest_producer_id_block";
/// Producer ids per block (`ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE`).
pub const PRODUCER_ID_BLOCK_SIZE: i64 = 1000;

/// A producer id block's JSON (`ProducerIdBlockZNode.generateProducerIdBlockJson`):
/// `{"version":1,"broker":1,"block_start":"0","block_end":"999"}`.
pub fn producer_id_block_json(broker: u32, start: i64, end: i64) -> String {
    format!(
        "{{\"version\":1,\"broker\":{broker},\"block_start\":\"{start}\",\"block_end\":\"{end}\"}}"
    )
}

/// The (start, end) of a producer id block's JSON; `None` for no block yet (the node is
/// created empty among the persistent paths) or data that is not one.
pub fn parse_producer_id_block(data: &[u8]) -> Option<(i64, i64)> {
    let v = parse(data).ok()?;
    let num = |k: &str| v.get(k)?.as_str()?.parse::<i64>().ok();
    Some((num("block_start")?, num("block_end")?))
}

/// The persistent paths every broker creates at startup if missing
/// (`ZkData.PersistentZkPaths`, created by `KafkaZkClient.createTopLevelPaths`).
pub const PERSISTENT_PATHS: [&str; 14] = [
    "/consumers",
    BROKER_IDS,
    BROKER_TOPICS,
    "/config/changes",
    "/admin/delete_topics",
    "/brokers/seqid",
    ISR_CHANGE,
    PRODUCER_ID_BLOCK,
    "/log_dir_event_notification",
    "/config/topics",
    "/config/clients",
    "/config/users",
    "/config/brokers",
    "/config/ips",
];

/// `/brokers/ids/<id>`.
pub fn broker_path(id: u32) -> String {
    format!("{BROKER_IDS}/{id}")
}

/// `/brokers/topics/<t>`.
pub fn topic_path(topic: &str) -> String {
    format!("{BROKER_TOPICS}/{topic}")
}

/// `/brokers/topics/<t>/partitions`.
pub fn partitions_path(topic: &str) -> String {
    format!("{BROKER_TOPICS}/{topic}/partitions")
}

/// `/brokers/topics/<t>/partitions/<p>`.
pub fn partition_path(tp: &TopicPartition) -> String {
    format!("{}/{}", partitions_path(&tp.topic), tp.partition)
}

/// `/brokers/topics/<t>/partitions/<p>/state` (`TopicPartitionStateZNode`).
pub fn state_path(tp: &TopicPartition) -> String {
    format!("{}/state", partition_path(tp))
}

/// `/config/topics/<t>` (`ConfigEntityZNode`).
pub fn topic_config_path(topic: &str) -> String {
    format!("/config/topics/{topic}")
}

/// The partition a state path names, if it is one.
pub fn parse_state_path(path: &str) -> Option<TopicPartition> {
    let rest = path.strip_prefix(BROKER_TOPICS)?.strip_prefix('/')?;
    let (topic, rest) = rest.split_once("/partitions/")?;
    let p = rest.strip_suffix("/state")?.parse().ok()?;
    Some(TopicPartition::new(topic, p))
}

fn ints(v: &[u32]) -> String {
    let s: Vec<String> = v.iter().map(u32::to_string).collect();
    format!("[{}]", s.join(","))
}

/// The registration a broker writes (`BrokerIdZNode.encode`, version 5, one PLAINTEXT
/// listener on 9092, no JMX port). `timestamp_ms` is virtual time.
pub fn broker_json(id: u32, timestamp_ms: u64) -> String {
    format!(
        "{{\"features\":{{}},\"listener_security_protocol_map\":{{\"PLAINTEXT\":\"PLAINTEXT\"}},\
         \"endpoints\":[\"PLAINTEXT://broker{id}:9092\"],\"jmx_port\":-1,\"port\":9092,\
         \"host\":\"broker{id}\",\"version\":5,\"timestamp\":\"{timestamp_ms}\"}}"
    )
}

/// `/controller`'s data (`ControllerZNode.encode`, version 2 as Kafka 3.x writes it).
pub fn controller_json(id: u32, timestamp_ms: u64) -> String {
    format!(
        "{{\"version\":2,\"brokerid\":{id},\"timestamp\":\"{timestamp_ms}\",\"kraftControllerEpoch\":-1}}"
    )
}

/// A topic's assignment and id (`TopicZNode.encode`, version 3; the key order of
/// reference/protocol-facts.md section 11).
pub fn topic_json(assignment: &[Vec<u32>], topic_id: Option<TopicId>) -> String {
    topic_json_moving(assignment, topic_id, &BTreeMap::new(), &BTreeMap::new())
}

/// A topic's znode during a reassignment: `adding_replicas` and `removing_replicas` by
/// partition (KIP-455), besides each partition's full replica list.
pub fn topic_json_moving(
    assignment: &[Vec<u32>],
    topic_id: Option<TopicId>,
    adding: &BTreeMap<u32, Vec<u32>>,
    removing: &BTreeMap<u32, Vec<u32>>,
) -> String {
    let map = |m: &mut dyn Iterator<Item = (u32, &Vec<u32>)>| -> String {
        m.map(|(p, r)| format!("\"{p}\":{}", ints(r)))
            .collect::<Vec<_>>()
            .join(",")
    };
    let parts = map(&mut assignment.iter().enumerate().map(|(p, r)| (p as u32, r)));
    let adding = map(&mut adding.iter().map(|(p, r)| (*p, r)));
    let removing = map(&mut removing.iter().map(|(p, r)| (*p, r)));
    let id = topic_id.map_or(String::new(), |id| format!(",\"topic_id\":\"{id}\""));
    format!(
        "{{\"version\":3,\"partitions\":{{{parts}}},\"adding_replicas\":{{{adding}}},\"removing_replicas\":{{{removing}}}{id}}}"
    )
}

/// The partitions of a topic's znode that are being reassigned: partition → (adding,
/// removing) replicas (KIP-455's `adding_replicas` and `removing_replicas`).
pub fn parse_topic_moving(data: &[u8]) -> BTreeMap<u32, (Vec<u32>, Vec<u32>)> {
    let mut out: BTreeMap<u32, (Vec<u32>, Vec<u32>)> = BTreeMap::new();
    let Ok(v) = parse(data) else {
        return out;
    };
    for (field, adding) in [("adding_replicas", true), ("removing_replicas", false)] {
        let Some(m) = v.get(field).and_then(Value::as_object) else {
            continue;
        };
        for (k, r) in m {
            let (Ok(p), Some(r)) = (k.parse::<u32>(), r.as_array()) else {
                continue;
            };
            let ids: Vec<u32> = r
                .iter()
                .filter_map(|b| b.as_u64().and_then(|b| u32::try_from(b).ok()))
                .collect();
            let e = out.entry(p).or_default();
            if adding {
                e.0 = ids;
            } else {
                e.1 = ids;
            }
        }
    }
    out
}

/// The `topic_id` of a topic's znode, if it has one.
pub fn parse_topic_id(data: &[u8]) -> Option<TopicId> {
    parse(data).ok()?.get("topic_id")?.as_str()?.parse().ok()
}

/// A topic's config overrides (`ConfigEntityZNode.encode`).
pub fn topic_config_json(configs: &[(String, String)]) -> String {
    let kv: Vec<String> = configs
        .iter()
        .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), Value::from(v.as_str())))
        .collect();
    format!("{{\"version\":1,\"config\":{{{}}}}}", kv.join(","))
}

/// A partition's leader and ISR as the controller and leaders write them
/// (`LeaderIsrAndControllerEpoch`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PartitionStateZnode {
    /// The leader's broker id, `None` for Kafka's −1 (no leader).
    pub leader: Option<u32>,
    /// The leader epoch.
    pub leader_epoch: u32,
    /// The in-sync replicas.
    pub isr: Vec<u32>,
    /// The epoch of the controller that last wrote it.
    pub controller_epoch: u32,
}

impl PartitionStateZnode {
    /// The JSON (`TopicPartitionStateZNode.encode`).
    pub fn to_json(&self) -> String {
        format!(
            "{{\"controller_epoch\":{},\"leader\":{},\"version\":1,\"leader_epoch\":{},\"isr\":{}}}",
            self.controller_epoch,
            self.leader.map_or(-1, i64::from),
            self.leader_epoch,
            ints(&self.isr)
        )
    }

    /// Reads a state znode's data (`TopicPartitionStateZNode.decode`).
    pub fn parse(data: &[u8]) -> Result<PartitionStateZnode, String> {
        let v = parse(data)?;
        let leader = int(&v, "leader")?;
        Ok(PartitionStateZnode {
            leader: u32::try_from(leader).ok(),
            leader_epoch: uint(&v, "leader_epoch")?,
            isr: uints(&v, "isr")?,
            controller_epoch: uint(&v, "controller_epoch")?,
        })
    }
}

/// An ISR change notification's data (`IsrChangeNotificationSequenceZNode.encode`).
pub fn isr_change_json(tps: &[TopicPartition]) -> String {
    let parts: Vec<String> = tps
        .iter()
        .map(|tp| {
            format!(
                "{{\"topic\":{},\"partition\":{}}}",
                Value::from(tp.topic.as_str()),
                tp.partition
            )
        })
        .collect();
    format!("{{\"version\":1,\"partitions\":[{}]}}", parts.join(","))
}

/// The partitions an ISR change notification names.
pub fn parse_isr_change(data: &[u8]) -> Result<Vec<TopicPartition>, String> {
    let v = parse(data)?;
    let Some(parts) = v.get("partitions").and_then(Value::as_array) else {
        return Err("no `partitions` array".into());
    };
    parts
        .iter()
        .map(|p| {
            let topic = p
                .get("topic")
                .and_then(Value::as_str)
                .ok_or("a partition without `topic`")?;
            Ok(TopicPartition::new(topic, uint(p, "partition")?))
        })
        .collect()
}

/// The broker id in `/controller`'s data (`ControllerZNode.decode`).
pub fn parse_controller(data: &[u8]) -> Result<u32, String> {
    uint(&parse(data)?, "brokerid")
}

/// A topic's assignment: replicas by partition number (`TopicZNode.decode`).
pub fn parse_topic(data: &[u8]) -> Result<Vec<Vec<u32>>, String> {
    let v = parse(data)?;
    let Some(parts) = v.get("partitions").and_then(Value::as_object) else {
        return Err("no `partitions` object".into());
    };
    let mut out: Vec<(u32, Vec<u32>)> = Vec::new();
    for (k, r) in parts {
        let p: u32 = k
            .parse()
            .map_err(|_| format!("partition `{k}` is not a number"))?;
        let replicas = r
            .as_array()
            .ok_or(format!("partition {p}: replicas are not a list"))?
            .iter()
            .map(|b| {
                b.as_u64()
                    .and_then(|b| u32::try_from(b).ok())
                    .ok_or(format!("partition {p}: `{b}` is not a broker id"))
            })
            .collect::<Result<Vec<u32>, String>>()?;
        out.push((p, replicas));
    }
    out.sort_by_key(|(p, _)| *p);
    for (i, (p, _)) in out.iter().enumerate() {
        if *p as usize != i {
            return Err(format!("partition {i} is missing"));
        }
    }
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

/// A topic's config overrides, as (key, value) in key order.
pub fn parse_topic_config(data: &[u8]) -> Result<Vec<(String, String)>, String> {
    let v = parse(data)?;
    let Some(cfg) = v.get("config").and_then(Value::as_object) else {
        return Err("no `config` object".into());
    };
    let mut out: Vec<(String, String)> = cfg
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    out.sort();
    Ok(out)
}

/// A partition's state as ZooKeeper holds it now: from the tree of the running server
/// that has applied the most transactions (what a reader with `sync` would see).
pub fn current_state(
    w: &crate::sim::world::World,
    tp: &TopicPartition,
) -> Option<PartitionStateZnode> {
    let server = w
        .zk_servers()
        .filter(|(up, _)| *up)
        .max_by_key(|(_, s)| s.last_zxid())?
        .1;
    let node = server.tree().node(&state_path(tp))?;
    PartitionStateZnode::parse(node.data.as_deref()?).ok()
}

fn parse(data: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(data).map_err(|e| format!("not JSON: {e}"))
}

fn int(v: &Value, key: &str) -> Result<i64, String> {
    v.get(key)
        .and_then(Value::as_i64)
        .ok_or(format!("`{key}` is missing or not a number"))
}

fn uint(v: &Value, key: &str) -> Result<u32, String> {
    u32::try_from(int(v, key)?).map_err(|_| format!("`{key}` is out of range"))
}

fn uints(v: &Value, key: &str) -> Result<Vec<u32>, String> {
    v.get(key)
        .and_then(Value::as_array)
        .ok_or(format!("`{key}` is missing or not a list"))?
        .iter()
        .map(|b| {
            b.as_u64()
                .and_then(|b| u32::try_from(b).ok())
                .ok_or(format!("`{key}` holds `{b}`, not a broker id"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_no_leader_is_minus_one() {
        let s = PartitionStateZnode {
            leader: None,
            leader_epoch: 3,
            isr: vec![2],
            controller_epoch: 2,
        };
        assert_eq!(
            s.to_json(),
            r#"{"controller_epoch":2,"leader":-1,"version":1,"leader_epoch":3,"isr":[2]}"#
        );
        assert_eq!(PartitionStateZnode::parse(s.to_json().as_bytes()), Ok(s));
        assert!(
            PartitionStateZnode::parse(br#"{"leader":1}"#)
                .unwrap_err()
                .contains("leader_epoch")
        );
    }

    #[test]
    fn topic_assignment_and_paths_round_trip() {
        let a = vec![vec![1, 2, 3], vec![2, 3, 1]];
        assert_eq!(parse_topic(topic_json(&a, None).as_bytes()), Ok(a.clone()));
        let id = crate::kafka::topic::TopicId([7; 16]);
        let json = topic_json(&a, Some(id));
        assert!(
            json.ends_with(",\"topic_id\":\"BwcHBwcHBwcHBwcHBwcHBw\"}"),
            "{json}"
        );
        assert_eq!(parse_topic(json.as_bytes()), Ok(a));
        let tp = TopicPartition::new("orders", 4);
        assert_eq!(state_path(&tp), "/brokers/topics/orders/partitions/4/state");
        assert_eq!(parse_state_path(&state_path(&tp)), Some(tp.clone()));
        assert_eq!(
            parse_isr_change(isr_change_json(std::slice::from_ref(&tp)).as_bytes()),
            Ok(vec![tp])
        );
        assert_eq!(
            parse_topic_config(
                topic_config_json(&[("segment.bytes".into(), "1024".into())]).as_bytes()
            ),
            Ok(vec![("segment.bytes".into(), "1024".into())])
        );
        assert_eq!(parse_controller(controller_json(2, 5).as_bytes()), Ok(2));
    }
}
