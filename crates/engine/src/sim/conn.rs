//! TCP connections between nodes, as the kernel of each host keeps them.
//!
//! Every channel of both systems is a TCP connection: election peers (ZooKeeper's
//! `QuorumCnxManager`, port 3888), learner to leader (2888), clients and followers to
//! brokers (9092). A connection is opened by one node (the client end) toward another (the
//! server end), carries segments reliably and in order in each direction while it is open,
//! and is closed by:
//! - an end's process deciding to close it (a protocol timeout, a shutdown): a FIN follows
//!   the data it already sent;
//! - an end's process dying (`crash`, kill -9): its kernel closes the connection the same
//!   way, so the peer sees the close one latency later;
//! - a connect nobody listens for: the peer's kernel answers RST (connection refused);
//! - a segment reaching a host that has no record of the connection (it lost power and came
//!   back): RST (connection reset);
//! - `reset a b`: both ends get a RST;
//! - TCP giving up after 15 retransmissions (`tcp_retries2`).
//!
//! A host that loses power (`halt`) sends nothing: its peers keep their end open until
//! their own timeouts close it. Each end learns of a close as an event one network latency
//! after it happened, when the network lets it through.
//!
//! Simplifications, each noted where it acts: the handshake is folded (data sent right after
//! `connect` travels behind the SYN, so a first request arrives half a round trip after the
//! connect rather than one and a half); a segment held by a partition is sent again the
//! moment the partition heals (TCP would wait for its next retransmission timer, up to
//! `TCP_RTO_MAX`, 120 s).

use crate::ids::NodeId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A connection's identity, unique in a run. 0 is the loopback "connection" of a node
/// to itself (ZooKeeper's election queues messages to itself without a socket).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnId(pub u64);

impl ConnId {
    /// A node talking to itself.
    pub const LOOPBACK: ConnId = ConnId(0);
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What a connection is for: the port the client end connects to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// ZooKeeper leader election (`QuorumCnxManager`, the third port of `server.N`, 3888).
    Election,
    /// ZooKeeper learner to leader (the second port of `server.N`, 2888).
    Quorum,
    /// A Kafka client or follower to a broker (`listeners`, 9092).
    Kafka,
    /// A ZooKeeper client to a server (`clientPort`, 2181).
    ZkClient,
    /// A lock holder to the store its lock protects (the fencing-token recipe; the port
    /// is the engine's choice, 8080, as no real system is modelled there).
    Store,
}

impl Channel {
    /// The port number the real systems use by default.
    pub fn port(self) -> u16 {
        match self {
            Channel::Election => 3888,
            Channel::Quorum => 2888,
            Channel::Kafka => 9092,
            Channel::ZkClient => 2181,
            Channel::Store => 8080,
        }
    }

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Election => "election",
            Channel::Quorum => "quorum",
            Channel::Kafka => "kafka",
            Channel::ZkClient => "client",
            Channel::Store => "store",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} :{}", self.name(), self.port())
    }
}

/// Why a connection closed, as the end that learns of it sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum CloseReason {
    /// A process closed it, for the protocol's reason (in its own words).
    Closed {
        /// The node that closed it.
        by: NodeId,
        /// Why, e.g. "Read timed out".
        why: String,
    },
    /// A process died (`crash`); its kernel closed the connection.
    ProcessDied {
        /// The node whose process died.
        by: NodeId,
    },
    /// Nothing listens on the port at the other end: connection refused.
    Refused {
        /// The node that refused.
        by: NodeId,
    },
    /// The other end's host had no record of the connection (it lost power and came back):
    /// connection reset.
    Reset {
        /// The node that answered with RST.
        by: NodeId,
    },
    /// `reset a b` closed it at both ends.
    ResetCommand,
    /// TCP gave up after 15 retransmissions (`tcp_retries2`): connection timed out.
    TimedOut,
}

impl CloseReason {
    /// The reason in English, e.g. `closed by zk3: Read timed out`.
    pub fn describe(&self) -> String {
        match self {
            CloseReason::Closed { by, why } => format!("closed by {by}: {why}"),
            CloseReason::ProcessDied { by } => format!("{by}'s process died"),
            CloseReason::Refused { by } => format!("connection refused by {by}"),
            CloseReason::Reset { by } => format!("connection reset by {by}"),
            CloseReason::ResetCommand => "connection reset (reset command)".into(),
            CloseReason::TimedOut => "connection timed out (tcp_retries2)".into(),
        }
    }

    /// The reason in Chinese.
    pub fn describe_zh(&self) -> String {
        match self {
            CloseReason::Closed { by, why } => format!("被 {by} 关闭：{why}"),
            CloseReason::ProcessDied { by } => format!("{by} 的进程已终止"),
            CloseReason::Refused { by } => format!("{by} 拒绝连接"),
            CloseReason::Reset { by } => format!("{by} 重置了连接"),
            CloseReason::ResetCommand => "连接被重置（reset 命令）".into(),
            CloseReason::TimedOut => "连接超时（tcp_retries2）".into(),
        }
    }
}

/// One end of a connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "end", rename_all = "snake_case")]
pub enum End {
    /// The SYN has not reached this (server) end yet.
    Pending,
    /// Open.
    Open,
    /// Closed, and this end knows why.
    Closed {
        /// Why.
        #[serde(flatten)]
        reason: CloseReason,
        /// When this end closed, virtual ms.
        at: u64,
    },
    /// The host lost power: its kernel forgot the connection without telling the peer.
    Lost,
}

impl End {
    /// True while this end can send and receive.
    pub fn is_open(&self) -> bool {
        matches!(self, End::Open)
    }
}

/// A direction of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dir {
    /// From the client end to the server end.
    Up,
    /// From the server end to the client end.
    Down,
}

impl Dir {
    /// The index of this direction in per-direction arrays.
    pub fn index(self) -> usize {
        match self {
            Dir::Up => 0,
            Dir::Down => 1,
        }
    }
}

/// A connection as the world keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conn {
    /// Its id.
    pub id: ConnId,
    /// The end that connected.
    pub client: NodeId,
    /// The end that accepted (or refused).
    pub server: NodeId,
    /// The port.
    pub channel: Channel,
    /// The client's end.
    pub client_end: End,
    /// The server's end.
    pub server_end: End,
    /// When the connect was sent, virtual ms.
    pub opened_at: u64,
    /// Per direction (up, down): the sequence number the next segment sent gets.
    #[serde(skip)]
    pub(crate) next_seq: [u64; 2],
    /// Per direction: the sequence number the receiver delivers next (TCP's in-order
    /// delivery: a segment that arrives early waits for the ones before it).
    #[serde(skip)]
    pub(crate) expected: [u64; 2],
    /// Per direction: the latest arrival time scheduled, so later segments never overtake.
    #[serde(skip)]
    pub(crate) last_arrival: [u64; 2],
}

impl Conn {
    /// A new connection from `client` to `server`, sent at `now`.
    pub fn new(id: ConnId, client: NodeId, server: NodeId, channel: Channel, now: u64) -> Conn {
        Conn {
            id,
            client,
            server,
            channel,
            client_end: End::Open,
            server_end: End::Pending,
            opened_at: now,
            next_seq: [0; 2],
            expected: [0; 2],
            last_arrival: [0; 2],
        }
    }

    /// The direction of segments sent by `node`.
    pub fn dir_from(&self, node: NodeId) -> Dir {
        if node == self.client {
            Dir::Up
        } else {
            Dir::Down
        }
    }

    /// The other end.
    pub fn peer_of(&self, node: NodeId) -> NodeId {
        if node == self.client {
            self.server
        } else {
            self.client
        }
    }

    /// `node`'s end.
    pub fn end(&self, node: NodeId) -> &End {
        if node == self.client {
            &self.client_end
        } else {
            &self.server_end
        }
    }

    /// `node`'s end, to change.
    pub fn end_mut(&mut self, node: NodeId) -> &mut End {
        if node == self.client {
            &mut self.client_end
        } else {
            &mut self.server_end
        }
    }

    /// True when `node` is one of its ends.
    pub fn joins(&self, node: NodeId) -> bool {
        self.client == node || self.server == node
    }

    /// True when neither end is open or pending any more.
    pub fn is_dead(&self) -> bool {
        !matches!(self.client_end, End::Open | End::Pending)
            && !matches!(self.server_end, End::Open | End::Pending)
    }
}

/// The segments that travel on a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment<M> {
    /// The connect (SYN).
    Syn,
    /// Data: one protocol message.
    Data(M),
    /// The sender's end closed; the receiver's end closes when this arrives (FIN).
    Fin(CloseReason),
    /// The connection is aborted (RST): refused, reset, or a `reset` command.
    Rst(CloseReason),
}
