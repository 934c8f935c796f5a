//! Names of the nodes that live in the simulated world.
//!
//! Every node has a short, human name that is also its identity in commands, traces and
//! the UI: `zk3` is ZooKeeper server with sid 3, `broker2` is Kafka broker id 2,
//! `producer1` and `consumer1` are Kafka clients.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One node of the simulated world. Ordered by kind, then number, so that maps keyed by
/// node iterate in a fixed order (zk servers first, then brokers, then clients).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum NodeId {
    /// A ZooKeeper server; the number is its `sid` (myid).
    Zk(u32),
    /// A ZooKeeper client (`c1`, `c2`, ...).
    ZkClient(u32),
    /// A resource that lock holders write to (`store1`): the protected store of the
    /// fencing-token recipe.
    Store(u32),
    /// A Kafka broker; the number is its `broker.id`.
    Broker(u32),
    /// A Kafka producer client.
    Producer(u32),
    /// A Kafka consumer client.
    Consumer(u32),
}

impl NodeId {
    /// The number after the kind prefix (sid, broker id, client number).
    pub fn number(self) -> u32 {
        match self {
            NodeId::Zk(n)
            | NodeId::ZkClient(n)
            | NodeId::Store(n)
            | NodeId::Broker(n)
            | NodeId::Producer(n)
            | NodeId::Consumer(n) => n,
        }
    }

    /// True for ZooKeeper servers.
    pub fn is_zk(self) -> bool {
        matches!(self, NodeId::Zk(_))
    }

    /// True for ZooKeeper clients.
    pub fn is_zk_client(self) -> bool {
        matches!(self, NodeId::ZkClient(_))
    }

    /// True for Kafka brokers.
    pub fn is_broker(self) -> bool {
        matches!(self, NodeId::Broker(_))
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeId::Zk(n) => write!(f, "zk{n}"),
            NodeId::ZkClient(n) => write!(f, "c{n}"),
            NodeId::Store(n) => write!(f, "store{n}"),
            NodeId::Broker(n) => write!(f, "broker{n}"),
            NodeId::Producer(n) => write!(f, "producer{n}"),
            NodeId::Consumer(n) => write!(f, "consumer{n}"),
        }
    }
}

/// Why a node name could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a node name (expected zk<N>, c<N>, store<N>, broker<N>, producer<N> or consumer<N>, N >= 1)"
)]
pub struct BadNodeId(pub String);

impl FromStr for NodeId {
    type Err = BadNodeId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadNodeId(s.to_string());
        let split = s.find(|c: char| c.is_ascii_digit()).ok_or_else(bad)?;
        let (prefix, digits) = s.split_at(split);
        let n: u32 = digits.parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(bad());
        }
        match prefix {
            "zk" => Ok(NodeId::Zk(n)),
            "c" => Ok(NodeId::ZkClient(n)),
            "store" => Ok(NodeId::Store(n)),
            "broker" => Ok(NodeId::Broker(n)),
            "producer" => Ok(NodeId::Producer(n)),
            "consumer" => Ok(NodeId::Consumer(n)),
            _ => Err(bad()),
        }
    }
}

impl From<NodeId> for String {
    fn from(id: NodeId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for NodeId {
    type Error = BadNodeId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in [
            "zk1",
            "zk12",
            "c3",
            "store1",
            "broker3",
            "producer1",
            "consumer2",
        ] {
            assert_eq!(s.parse::<NodeId>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn bad_names_are_rejected() {
        for s in ["zk", "zk0", "kafka1", "1zk", "zk-1", "zk1x", ""] {
            assert!(s.parse::<NodeId>().is_err(), "{s} should not parse");
        }
    }

    #[test]
    fn order_is_kind_then_number() {
        let mut v = vec![
            NodeId::Broker(1),
            NodeId::Zk(10),
            NodeId::Zk(2),
            NodeId::Producer(1),
        ];
        v.sort();
        assert_eq!(
            v,
            vec![
                NodeId::Zk(2),
                NodeId::Zk(10),
                NodeId::Broker(1),
                NodeId::Producer(1)
            ]
        );
    }
}
