//! A plain, serializable picture of the world for drawing: every node with the fields a
//! learner needs to see, the messages in flight, and the network faults. Built on demand.
//! Each system draws its own nodes ([`crate::zookeeper::view`], [`crate::kafka::view`]).

use crate::ids::NodeId;
use crate::sim::node::Node;
use crate::sim::world::{InFlight, World};
use serde::Serialize;

pub use crate::kafka::view::{BrokerView, ConsumerView, ProducerView, RecordView, ReplicaView};
pub use crate::zookeeper::view::ZkView;

/// What kind of node, with its details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeDetail {
    /// ZooKeeper server.
    Zk(ZkView),
    /// Kafka broker.
    Broker(BrokerView),
    /// Producer.
    Producer(ProducerView),
    /// Consumer.
    Consumer(ConsumerView),
}

/// One node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeView {
    /// Its name.
    pub id: NodeId,
    /// Running or not.
    pub up: bool,
    /// Started at least once (a node that is down and never started was not crashed).
    pub started: bool,
    /// Details.
    pub detail: NodeDetail,
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorldView {
    /// Virtual time, ms.
    pub time: u64,
    /// Nodes, in id order.
    pub nodes: Vec<NodeView>,
    /// Messages on the wire.
    pub in_flight: Vec<InFlight>,
    /// Cut links (from, to).
    pub cuts: Vec<(NodeId, NodeId)>,
    /// Extra delays (from, to, ms).
    pub delays: Vec<(NodeId, NodeId, u64)>,
}

/// Builds the picture of `w`.
pub fn view(w: &World) -> WorldView {
    let nodes = w
        .slots()
        .map(|(id, slot)| {
            let detail = match &slot.node {
                Node::Zk(s) => NodeDetail::Zk(crate::zookeeper::view::zk_view(s)),
                Node::Broker(b) => NodeDetail::Broker(crate::kafka::view::broker_view(b)),
                Node::Producer(p) => NodeDetail::Producer(crate::kafka::view::producer_view(p)),
                Node::Consumer(c) => NodeDetail::Consumer(crate::kafka::view::consumer_view(c)),
            };
            NodeView {
                id,
                up: slot.up,
                started: slot.started,
                detail,
            }
        })
        .collect();
    WorldView {
        time: w.now(),
        nodes,
        in_flight: w.in_flight(),
        cuts: w.network().cuts.iter().copied().collect(),
        delays: w
            .network()
            .delays
            .iter()
            .map(|((a, b), ms)| (*a, *b, *ms))
            .collect(),
    }
}
