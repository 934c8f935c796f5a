//! Inputs: the commands that change the world (setup, faults, client requests). Each is
//! applied between two steps and recorded in the trace in the canonical command form
//! that [`std::fmt::Display`] prints (which the command parser reads back).

use crate::ids::NodeId;
use crate::kafka::config::Acks;
use crate::kafka::producer::ProduceSpec;
use crate::kafka::topic::TopicPartition;
use crate::zookeeper::zxid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which nodes `start` starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Targets {
    /// Every node that is not running.
    All,
    /// These nodes.
    Nodes(Vec<NodeId>),
}

/// A change to the world.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "input", rename_all = "snake_case")]
pub enum Input {
    /// `zk ensemble N [observers M]`: create servers zk1..zkN (voters) and M observers after
    /// them, all stopped.
    ZkEnsemble {
        /// Voting servers (3, 5 or 7).
        voters: u32,
        /// Observers.
        observers: u32,
    },
    /// `zk set-zxid zkN 0x...`: give a stopped server a log ending at this zxid.
    ZkSetZxid {
        /// Server id.
        sid: u32,
        /// Last logged zxid.
        zxid: u64,
    },
    /// `zk set-epoch zkN E`: set a stopped server's currentEpoch and acceptedEpoch.
    ZkSetEpoch {
        /// Server id.
        sid: u32,
        /// The epoch.
        epoch: u64,
    },
    /// `zk config <key> <value>`: a zoo.cfg timing setting.
    ZkConfig {
        /// Setting name (tickTime, initLimit, ...).
        key: String,
        /// Value (ms or ticks).
        value: u64,
    },
    /// `kafka cluster N`: create brokers broker1..brokerN, stopped.
    KafkaCluster {
        /// Broker count.
        brokers: u32,
    },
    /// `kafka config <key> <value>`: a broker, producer or consumer setting.
    KafkaConfig {
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
    },
    /// `start all` / `start zk1,zk2`.
    Start(Targets),
    /// `crash <node>`: the machine stops; its disk survives.
    Crash(NodeId),
    /// `restart <node>`: start it again (crashing it first if it runs).
    Restart(NodeId),
    /// `partition a,b | c,d,e`: no messages between groups, either way.
    Partition(Vec<Vec<NodeId>>),
    /// `partition a,b -> c`: messages from the left to the right are lost.
    PartitionOneWay {
        /// Senders.
        from: Vec<NodeId>,
        /// Receivers.
        to: Vec<NodeId>,
    },
    /// `heal`: remove every partition, delay and drop rule.
    Heal,
    /// `delay a->b 300ms`: extra latency on one link (0 removes it).
    Delay {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// Extra latency, ms.
        ms: u64,
    },
    /// `drop a->b next N`: lose the next N messages on one link.
    DropNext {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// How many.
        count: u32,
    },
    /// `net latency 5ms..20ms`.
    NetLatency {
        /// Smallest latency, ms.
        min_ms: u64,
        /// Largest latency, ms.
        max_ms: u64,
    },
    /// `net loss 2%`.
    NetLoss {
        /// Percent of messages lost.
        percent: u32,
    },
    /// `produce <topic> [partition P] [key K] value V [count N] [acks all|1|0]`.
    Produce(ProduceSpec),
    /// `consume <topic-partition> from <offset>`.
    Consume {
        /// The partition.
        tp: TopicPartition,
        /// The starting offset.
        offset: u64,
    },
    /// `run <duration>`: let time pass; the end of the period is an event.
    Alarm {
        /// How long, ms.
        after_ms: u64,
    },
}

fn list(nodes: &[NodeId]) -> String {
    nodes
        .iter()
        .map(NodeId::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Formats a duration the way the command language reads it (`2s`, `500ms`).
pub fn duration(ms: u64) -> String {
    if ms >= 1000 && ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@".contains(c))
    {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::ZkEnsemble {
                voters,
                observers: 0,
            } => write!(f, "zk ensemble {voters}"),
            Input::ZkEnsemble { voters, observers } => {
                write!(f, "zk ensemble {voters} observers {observers}")
            }
            Input::ZkSetZxid { sid, zxid: z } => write!(f, "zk set-zxid zk{sid} {}", zxid::hex(*z)),
            Input::ZkSetEpoch { sid, epoch } => write!(f, "zk set-epoch zk{sid} {epoch}"),
            Input::ZkConfig { key, value } => write!(f, "zk config {key} {value}"),
            Input::KafkaCluster { brokers } => write!(f, "kafka cluster {brokers}"),
            Input::KafkaConfig { key, value } => write!(f, "kafka config {key} {}", quote(value)),
            Input::TopicCreate {
                topic,
                partitions,
                rf,
                assignment,
            } => {
                write!(f, "topic create {topic}")?;
                if let Some(p) = partitions {
                    write!(f, " partitions {p}")?;
                }
                if let Some(r) = rf {
                    write!(f, " rf {r}")?;
                }
                if let Some(a) = assignment {
                    let parts: Vec<String> = a
                        .iter()
                        .map(|r| r.iter().map(u32::to_string).collect::<Vec<_>>().join(":"))
                        .collect();
                    write!(f, " assignment {}", parts.join(","))?;
                }
                Ok(())
            }
            Input::Start(Targets::All) => f.write_str("start all"),
            Input::Start(Targets::Nodes(n)) => write!(f, "start {}", list(n)),
            Input::Crash(n) => write!(f, "crash {n}"),
            Input::Restart(n) => write!(f, "restart {n}"),
            Input::Partition(groups) => {
                let g: Vec<String> = groups.iter().map(|g| list(g)).collect();
                write!(f, "partition {}", g.join(" | "))
            }
            Input::PartitionOneWay { from, to } => {
                write!(f, "partition {} -> {}", list(from), list(to))
            }
            Input::Heal => f.write_str("heal"),
            Input::Delay { from, to, ms } => write!(f, "delay {from}->{to} {}", duration(*ms)),
            Input::DropNext { from, to, count } => write!(f, "drop {from}->{to} next {count}"),
            Input::NetLatency { min_ms, max_ms } => {
                write!(
                    f,
                    "net latency {}..{}",
                    duration(*min_ms),
                    duration(*max_ms)
                )
            }
            Input::NetLoss { percent } => write!(f, "net loss {percent}%"),
            Input::Produce(s) => {
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
                Ok(())
            }
            Input::Consume { tp, offset } => write!(f, "consume {tp} from {offset}"),
            Input::Alarm { after_ms } => write!(f, "run {}", duration(*after_ms)),
        }
    }
}

impl Acks {
    /// Every acks value, for help texts.
    pub const ALL: [Acks; 3] = [Acks::All, Acks::Leader, Acks::None];
}
