//! The trace: every send, delivery, drop, timer, state change, fault and input of a run,
//! in order, each with its sequence number and virtual time. The UI draws it; tests
//! assert on it; [`TraceHasher`] names a run with one 64-bit hash.

use crate::ids::NodeId;
use crate::sim::effects::{Change, Msg, Timer};
use crate::sim::network::DropReason;
use serde::Serialize;

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

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// A command changed the world (`crash zk5`, `produce ...`, `run 500ms`).
    Input {
        /// The command, in canonical form.
        command: String,
    },
    /// A node sent a message.
    Send {
        /// Message id, unique in the run.
        id: u64,
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// When it will arrive (or be dropped), ms.
        arrive_at: u64,
        /// The message.
        msg: Msg,
    },
    /// A message reached its receiver.
    Deliver {
        /// Message id.
        id: u64,
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// The message.
        msg: Msg,
    },
    /// A message was lost.
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
    /// A node went down (crash).
    NodeDown {
        /// The node.
        node: NodeId,
    },
    /// A node started (start or restart).
    NodeUp {
        /// The node.
        node: NodeId,
    },
    /// A `run <time>` period ended.
    Clock {
        /// What the period was.
        note: String,
    },
}

impl EventKind {
    /// The nodes an event concerns (sender first), for filtering and highlighting.
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            EventKind::Send { from, to, .. }
            | EventKind::Deliver { from, to, .. }
            | EventKind::Drop { from, to, .. } => {
                vec![*from, *to]
            }
            EventKind::Timer { node, .. }
            | EventKind::Change { node, .. }
            | EventKind::NodeDown { node }
            | EventKind::NodeUp { node } => vec![*node],
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
