//! The trace: every connection, send, delivery, timer, state change, fault and input of a run,
//! in order, each with its sequence number and virtual time. The UI draws it; tests
//! assert on it; [`TraceHasher`] names a run with one 64-bit hash.

use crate::ids::NodeId;
use crate::sim::conn::{Channel, CloseReason, ConnId};
use crate::sim::effects::{Change, Msg, Timer};
use crate::sim::network::DropReason;
use serde::{Deserialize, Serialize};

/// One event of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceEvent {
    /// Position in the trace, from 0.
    pub seq: u64,
    /// Virtual time, ms.
    pub time: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// How a node went down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// `crash`: the process was killed; the OS keeps running (page cache, connections
    /// closed by the kernel).
    Crash,
    /// `halt`: the host lost power; unflushed writes are gone and peers hear nothing.
    Halt,
    /// `stop`: the process shut down cleanly and exited.
    Stop,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// A command changed the world (`crash zk5`, `produce ...`, `run 500ms`).
    Input {
        /// The command, in canonical form.
        command: String,
    },
    /// A node opened a connection (its SYN left).
    Connect {
        /// The connection.
        conn: ConnId,
        /// The client end.
        from: NodeId,
        /// The server end.
        to: NodeId,
        /// The port.
        channel: Channel,
    },
    /// The SYN arrived and something listened: the server end is open.
    Accept {
        /// The connection.
        conn: ConnId,
        /// The server end.
        node: NodeId,
        /// The client end.
        peer: NodeId,
    },
    /// One end of a connection closed (it closed it, or it learned that the peer did).
    Closed {
        /// The connection.
        conn: ConnId,
        /// The end that is now closed.
        node: NodeId,
        /// The other end.
        peer: NodeId,
        /// Why.
        reason: CloseReason,
    },
    /// A node sent a message on a connection.
    Send {
        /// Message id, unique in the run.
        id: u64,
        /// The connection (0 for a message to itself).
        conn: ConnId,
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// When it will arrive, ms (held longer if a partition cuts the link).
        arrive_at: u64,
        /// Transmissions lost on the way (`net loss`): each one cost a retransmission
        /// timeout.
        #[serde(skip_serializing_if = "is_zero")]
        retransmits: u32,
        /// The message.
        msg: Msg,
    },
    /// A message reached its receiver's process.
    Deliver {
        /// Message id.
        id: u64,
        /// The connection.
        conn: ConnId,
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// The message.
        msg: Msg,
    },
    /// A message reached a paused process's kernel, which keeps it until the process runs.
    Buffered {
        /// Message id.
        id: u64,
        /// Sender.
        from: NodeId,
        /// Receiver (paused).
        to: NodeId,
    },
    /// A message cannot get through (a partition, or the receiving host has no power);
    /// the sender's kernel keeps retransmitting it until the way is clear or TCP gives up.
    Held {
        /// Message id.
        id: u64,
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// True when the receiving host has no power (else a partition cuts the link).
        host_down: bool,
    },
    /// A held message was sent again (the partition healed, or the host is back).
    Released {
        /// Message id.
        id: u64,
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// When it will arrive, ms.
        arrive_at: u64,
    },
    /// A message was never delivered (on TCP only a closed or dead end loses data).
    Drop {
        /// Message id.
        id: u64,
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// The message.
        msg: Msg,
        /// Why.
        reason: DropReason,
    },
    /// A node's timer fired.
    Timer {
        /// The node.
        node: NodeId,
        /// Which timer.
        timer: Timer,
    },
    /// A node's state changed.
    Change {
        /// The node.
        node: NodeId,
        /// What changed.
        change: Change,
    },
    /// A node went down (`crash` or `halt`).
    NodeDown {
        /// The node.
        node: NodeId,
        /// How.
        fault: Fault,
    },
    /// A node started (start or restart).
    NodeUp {
        /// The node.
        node: NodeId,
    },
    /// A node's process was frozen (`pause`).
    Paused {
        /// The node.
        node: NodeId,
    },
    /// A paused process runs again (`resume`): what its kernel kept comes next, then its
    /// overdue timers.
    Resumed {
        /// The node.
        node: NodeId,
    },
    /// A `run <time>` period ended.
    Clock {
        /// What the period was.
        note: String,
    },
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl EventKind {
    /// The nodes an event concerns (sender first), for filtering and highlighting.
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            EventKind::Send { from, to, .. }
            | EventKind::Deliver { from, to, .. }
            | EventKind::Buffered { from, to, .. }
            | EventKind::Held { from, to, .. }
            | EventKind::Released { from, to, .. }
            | EventKind::Connect { from, to, .. }
            | EventKind::Drop { from, to, .. } => {
                vec![*from, *to]
            }
            EventKind::Accept { node, peer, .. } | EventKind::Closed { node, peer, .. } => {
                vec![*node, *peer]
            }
            EventKind::Timer { node, .. }
            | EventKind::Change { node, .. }
            | EventKind::NodeDown { node, .. }
            | EventKind::NodeUp { node }
            | EventKind::Paused { node }
            | EventKind::Resumed { node } => vec![*node],
            EventKind::Input { .. } | EventKind::Clock { .. } => Vec::new(),
        }
    }
}

/// 64-bit FNV-1a over the canonical JSON of each event (serde field order is fixed, maps
/// are BTreeMaps, there are no floats), so equal runs give equal hashes on every target.
#[derive(Clone, Debug)]
pub struct TraceHasher {
    state: u64,
    count: u64,
}

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher {
            state: 0xcbf2_9ce4_8422_2325,
            count: 0,
        }
    }
}

impl TraceHasher {
    /// Adds one event.
    pub fn add(&mut self, e: &TraceEvent) {
        let bytes = serde_json::to_vec(e).unwrap_or_default();
        for b in bytes.iter().chain(b"\n") {
            self.state ^= u64::from(*b);
            self.state = self.state.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.count += 1;
    }

    /// The hash so far, as 16 lowercase hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.state)
    }

    /// Events added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The hash of a whole trace.
    pub fn of(events: &[TraceEvent]) -> String {
        let mut h = TraceHasher::default();
        for e in events {
            h.add(e);
        }
        h.hex()
    }
}
