//! Inputs: the commands that change the world (setup, faults, client requests). Each is
//! applied between two steps and recorded in the trace in the canonical command form
//! that [`std::fmt::Display`] prints (which the command parser reads back).

use crate::ids::NodeId;
use crate::kafka::input::KafkaInput;
use crate::zookeeper::input::ZkInput;
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

/// A change to the world: the kernel's own (processes, network, faults, time) or one of a
/// system's ([`ZkInput`], [`KafkaInput`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "input", rename_all = "snake_case")]
pub enum Input {
    /// A ZooKeeper input (`zk ...`).
    Zk(ZkInput),
    /// A Kafka input (`kafka ...`, `topic ...`, `produce ...`, `consume ...`).
    Kafka(KafkaInput),
    /// `start all` / `start zk1,zk2`.
    Start(Targets),
    /// `crash <node>`: the process is killed (kill -9); its kernel closes its connections
    /// and what it wrote survives, page cache included.
    Crash(NodeId),
    /// `stop <node>`: a clean shutdown (SIGTERM): the process runs its shutdown hook and
    /// exits, closing its connections itself.
    Stop(NodeId),
    /// `halt <node>`: the host loses power; unflushed writes are lost and peers hear
    /// nothing.
    Halt(NodeId),
    /// `pause <node> [for <duration>]`: the process freezes (a GC pause, SIGSTOP).
    Pause {
        /// The node.
        node: NodeId,
        /// Resume by itself after this long, ms.
        for_ms: Option<u64>,
    },
    /// `resume <node>`: a paused process runs again.
    Resume(NodeId),
    /// `restart <node>`: start it again from its disk (killing it first if it runs).
    Restart(NodeId),
    /// `reset <a> <b>`: every connection between them is closed at both ends (RST).
    Reset {
        /// One end.
        a: NodeId,
        /// The other end.
        b: NodeId,
    },
    /// `partition a,b | c,d,e`: nothing passes between groups, either way (senders' kernels
    /// keep what they sent until `heal`).
    Partition(Vec<Vec<NodeId>>),
    /// `partition a,b -> c`: nothing passes from the left to the right.
    PartitionOneWay {
        /// Senders.
        from: Vec<NodeId>,
        /// Receivers.
        to: Vec<NodeId>,
    },
    /// `heal`: remove every partition and delay; what partitions held is delivered.
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
    /// `net latency 5ms..20ms`.
    NetLatency {
        /// Smallest latency, ms.
        min_ms: u64,
        /// Largest latency, ms.
        max_ms: u64,
    },
    /// `net loss 2%`: each transmission of a segment is lost with this chance and sent
    /// again after the retransmission timeout (TCP: loss delays, never loses).
    NetLoss {
        /// Percent of transmissions lost.
        percent: u32,
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

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Zk(i) => i.fmt(f),
            Input::Kafka(i) => i.fmt(f),
            Input::Start(Targets::All) => f.write_str("start all"),
            Input::Start(Targets::Nodes(n)) => write!(f, "start {}", list(n)),
            Input::Crash(n) => write!(f, "crash {n}"),
            Input::Stop(n) => write!(f, "stop {n}"),
            Input::Halt(n) => write!(f, "halt {n}"),
            Input::Pause { node, for_ms: None } => write!(f, "pause {node}"),
            Input::Pause {
                node,
                for_ms: Some(ms),
            } => write!(f, "pause {node} for {}", duration(*ms)),
            Input::Resume(n) => write!(f, "resume {n}"),
            Input::Restart(n) => write!(f, "restart {n}"),
            Input::Reset { a, b } => write!(f, "reset {a} {b}"),
            Input::Partition(groups) => {
                let g: Vec<String> = groups.iter().map(|g| list(g)).collect();
                write!(f, "partition {}", g.join(" | "))
            }
            Input::PartitionOneWay { from, to } => {
                write!(f, "partition {} -> {}", list(from), list(to))
            }
            Input::Heal => f.write_str("heal"),
            Input::Delay { from, to, ms } => write!(f, "delay {from}->{to} {}", duration(*ms)),
            Input::NetLatency { min_ms, max_ms } => {
                write!(
                    f,
                    "net latency {}..{}",
                    duration(*min_ms),
                    duration(*max_ms)
                )
            }
            Input::NetLoss { percent } => write!(f, "net loss {percent}%"),
            Input::Alarm { after_ms } => write!(f, "run {}", duration(*after_ms)),
        }
    }
}
