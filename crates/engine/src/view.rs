//! A plain, serializable picture of the world for drawing: every node with the fields a
//! learner needs to see, the messages in flight, and the network faults. Built on demand.
//! Each system draws its own nodes ([`crate::zookeeper::view`], [`crate::kafka::view`]).

use crate::ids::NodeId;
use crate::sim::conn::{Channel, ConnId, End};
use crate::sim::node::{Node, Status};
use crate::sim::world::{InFlight, World};
use serde::Serialize;

pub use crate::kafka::view::{BrokerView, ConsumerView, ProducerView, RecordView, ReplicaView};
pub use crate::zookeeper::recipes::store::{StoreView, StoreWrite};
pub use crate::zookeeper::view::{ZkClientView, ZkView, ZnodeView};

/// What kind of node, with its details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeDetail {
    /// ZooKeeper server.
    Zk(ZkView),
    /// ZooKeeper client.
    ZkClient(ZkClientView),
    /// A store lock holders write to (the fencing-token recipe).
    Store(StoreView),
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
    /// Its process and host: running, paused, crashed, powered off, not started.
    pub status: Status,
    /// While paused: messages and closes its kernel keeps for it.
    pub kept: u32,
    /// Details.
    pub detail: NodeDetail,
}

impl NodeView {
    /// True when its process runs.
    pub fn up(&self) -> bool {
        self.status == Status::Running
    }
}

/// A connection between two nodes as the picture shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConnView {
    /// Its id.
    pub id: ConnId,
    /// The end that connected.
    pub client: NodeId,
    /// The end that accepted.
    pub server: NodeId,
    /// The port.
    pub channel: Channel,
    /// The client's end.
    pub client_end: End,
    /// The server's end.
    pub server_end: End,
    /// Messages a partition holds, client to server.
    pub held_up: u32,
    /// Messages a partition holds, server to client.
    pub held_down: u32,
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WorldView {
    /// Virtual time, ms.
    pub time: u64,
    /// Nodes, in id order.
    pub nodes: Vec<NodeView>,
    /// Messages on the wire (and those a partition holds).
    pub in_flight: Vec<InFlight>,
    /// Connections: open, half-open, and the last closed one of each pair and port for
    /// 10 s after it closed.
    pub conns: Vec<ConnView>,
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
                Node::ZkClient(c) => NodeDetail::ZkClient(crate::zookeeper::view::client_view(c)),
                Node::Store(s) => NodeDetail::Store(s.view()),
                Node::Broker(b) => NodeDetail::Broker(crate::kafka::view::broker_view(b, w.now())),
                Node::Producer(p) => NodeDetail::Producer(crate::kafka::view::producer_view(p)),
                Node::Consumer(c) => NodeDetail::Consumer(crate::kafka::view::consumer_view(c)),
            };
            NodeView {
                id,
                status: slot.status,
                kept: slot.kept_count(),
                detail,
            }
        })
        .collect();
    let flying = w.in_flight();
    let mut conns = Vec::new();
    for c in w.conns() {
        let recent = |e: &End| match e {
            End::Closed { at, .. } => w.now().saturating_sub(*at) <= 10_000,
            _ => true,
        };
        if !(recent(&c.client_end) || recent(&c.server_end)) {
            continue;
        }
        let count = |from: NodeId| {
            flying
                .iter()
                .filter(|m| m.held && m.conn == c.id && m.from == from)
                .count() as u32
        };
        conns.push(ConnView {
            id: c.id,
            client: c.client,
            server: c.server,
            channel: c.channel,
            client_end: c.client_end.clone(),
            server_end: c.server_end.clone(),
            held_up: count(c.client),
            held_down: count(c.server),
        });
    }
    WorldView {
        time: w.now(),
        nodes,
        in_flight: w.in_flight(),
        conns,
        cuts: w.network().cuts.iter().copied().collect(),
        delays: w
            .network()
            .delays
            .iter()
            .map(|((a, b), ms)| (*a, *b, *ms))
            .collect(),
    }
}
