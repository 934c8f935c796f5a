//! A plain, serializable picture of the world for drawing: every node with the fields a
//! learner needs to see, the messages in flight, and the network faults. Built on demand.

use crate::ids::NodeId;
use crate::sim::node::Node;
use crate::sim::world::{InFlight, World};
use crate::zookeeper::messages::ZabPhase;
use crate::zookeeper::vote::{Proposal, ServerState};
use serde::Serialize;

/// A ZooKeeper server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZkView {
    /// `myid`.
    pub sid: u32,
    /// Observer (never votes).
    pub observer: bool,
    /// Its state.
    pub state: ServerState,
    /// ZAB phase.
    pub phase: ZabPhase,
    /// Its vote (live while LOOKING).
    pub vote: Proposal,
    /// Election round (logicalclock).
    pub round: u64,
    /// currentEpoch.
    pub current_epoch: u64,
    /// acceptedEpoch.
    pub accepted_epoch: u64,
    /// Last logged zxid.
    pub last_zxid: u64,
    /// The leader it follows (itself when leading).
    pub leader: Option<u32>,
    /// Votes received this round (sid, proposal).
    pub received: Vec<(u32, Proposal)>,
    /// True when it leads in BROADCAST.
    pub established: bool,
}

/// A record as shown in a replica's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordView {
    /// Offset.
    pub offset: u64,
    /// Key.
    pub key: Option<String>,
    /// Value.
    pub value: Option<String>,
}

/// A broker's replica of one partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplicaView {
    /// `topic-partition`.
    pub tp: String,
    /// True on the leader.
    pub leader: bool,
    /// The leader's id.
    pub leader_id: u32,
    /// Leader epoch.
    pub leader_epoch: u32,
    /// Log end offset.
    pub leo: u64,
    /// High watermark.
    pub hw: u64,
    /// ISR as this broker knows it.
    pub isr: Vec<u32>,
    /// Assigned replicas.
    pub replicas: Vec<u32>,
    /// On the leader: each follower's LEO as last fetched.
    pub follower_leos: Vec<(u32, Option<u64>)>,
    /// The last records (at most 12), oldest first.
    pub records: Vec<RecordView>,
}

/// A broker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokerView {
    /// `broker.id`.
    pub id: u32,
    /// Its replicas.
    pub replicas: Vec<ReplicaView>,
}

/// A producer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProducerView {
    /// Client number.
    pub id: u32,
    /// Records waiting to be sent.
    pub queued: u64,
    /// Requests in flight.
    pub in_flight: u64,
    /// Per partition: sent, acked, failed.
    pub partitions: Vec<(String, u64, u64, u64)>,
}

/// A consumer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsumerView {
    /// Client number.
    pub id: u32,
    /// Per partition: position, records received, the last few values.
    pub partitions: Vec<(String, u64, u64, Vec<RecordView>)>,
}

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

const SHOWN_RECORDS: usize = 12;

/// Builds the picture of `w`.
pub fn view(w: &World) -> WorldView {
    let nodes = w
        .slots()
        .map(|(id, slot)| {
            let detail = match &slot.node {
                Node::Zk(s) => NodeDetail::Zk(ZkView {
                    sid: s.sid(),
                    observer: s.is_observer(),
                    state: s.state(),
                    phase: s.phase(),
                    vote: s.vote(),
                    round: s.round(),
                    current_epoch: s.disk().current_epoch,
                    accepted_epoch: s.disk().accepted_epoch,
                    last_zxid: s.disk().last_zxid(),
                    leader: s.leader(),
                    received: s.received_votes(),
                    established: s.is_established_leader(),
                }),
                Node::Broker(b) => NodeDetail::Broker(BrokerView {
                    id: b.id(),
                    replicas: b
                        .disk()
                        .logs
                        .iter()
                        .map(|(tp, log)| {
                            let p = b.partitions().get(tp);
                            let start = log.leo().saturating_sub(SHOWN_RECORDS as u64);
                            let records = (start..log.leo())
                                .filter_map(|o| {
                                    log.record_at(o).map(|r| RecordView {
                                        offset: o,
                                        key: r.key.clone(),
                                        value: r.value.clone(),
                                    })
                                })
                                .collect();
                            ReplicaView {
                                tp: tp.to_string(),
                                leader: p.is_some_and(|p| p.leader == b.id()),
                                leader_id: p.map_or(0, |p| p.leader),
                                leader_epoch: p.map_or(0, |p| p.leader_epoch),
                                leo: log.leo(),
                                hw: p.map_or(0, |p| p.hw),
                                isr: p.map(|p| p.isr.clone()).unwrap_or_default(),
                                replicas: p.map(|p| p.replicas.clone()).unwrap_or_default(),
                                follower_leos: p
                                    .map(|p| {
                                        p.followers.iter().map(|(id, f)| (*id, f.leo)).collect()
                                    })
                                    .unwrap_or_default(),
                                records,
                            }
                        })
                        .collect(),
                }),
                Node::Producer(p) => NodeDetail::Producer(ProducerView {
                    id: p.id(),
                    queued: p.queued(),
                    in_flight: p.in_flight() as u64,
                    partitions: p
                        .stats()
                        .iter()
                        .map(|(tp, s)| (tp.to_string(), s.sent, s.acked, s.failed))
                        .collect(),
                }),
                Node::Consumer(c) => NodeDetail::Consumer(ConsumerView {
                    id: c.id(),
                    partitions: c
                        .positions()
                        .iter()
                        .map(|(tp, pos)| {
                            let got = c.consumed().get(tp).map(Vec::as_slice).unwrap_or_default();
                            let last = got
                                .iter()
                                .rev()
                                .take(SHOWN_RECORDS)
                                .rev()
                                .map(|r| RecordView {
                                    offset: r.offset,
                                    key: r.key.clone(),
                                    value: r.value.clone(),
                                })
                                .collect();
                            (tp.to_string(), *pos, got.len() as u64, last)
                        })
                        .collect(),
                }),
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
