//! The outbox through which nodes act on the world.
//!
//! A node never touches the world: it reacts to one delivered message, closed connection or
//! fired timer and writes effects (connect, send, close, arm or cancel a timer, report a
//! state change) into a [`Ctx`]. The world applies them in order after the node returns
//! (the raft-rs / stateright shape), which keeps node logic pure and every effect visible
//! in the trace. Like a real process, a node holds its connections by id ([`ConnId`]) and
//! learns of new ones when their first message arrives.

use crate::i18n::Lang;
use crate::ids::NodeId;
use crate::kafka::messages::{KafkaChange, KafkaMsg, KafkaTimer};
use crate::sim::conn::{Channel, ConnId};
use crate::sim::rng::SimRng;
use crate::zookeeper::messages::{ZkChange, ZkMsg, ZkTimer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Any message that travels the simulated network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "system", content = "msg", rename_all = "snake_case")]
pub enum Msg {
    /// Between ZooKeeper servers.
    Zk(ZkMsg),
    /// Between Kafka brokers and clients.
    Kafka(KafkaMsg),
}

impl Msg {
    /// A one-line label for logs and the UI.
    pub fn label(&self) -> String {
        self.label_in(Lang::En)
    }

    /// [`Msg::label`] in `lang`.
    pub fn label_in(&self, lang: Lang) -> String {
        match self {
            Msg::Zk(m) => m.label_in(lang),
            Msg::Kafka(m) => m.label_in(lang),
        }
    }
}

impl From<ZkMsg> for Msg {
    fn from(m: ZkMsg) -> Msg {
        Msg::Zk(m)
    }
}

impl From<KafkaMsg> for Msg {
    fn from(m: KafkaMsg) -> Msg {
        Msg::Kafka(m)
    }
}

/// A timer a node can arm. A node has at most one pending timer of each value: arming
/// it again replaces the earlier one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "system", content = "timer", rename_all = "snake_case")]
pub enum Timer {
    /// A ZooKeeper server timer.
    Zk(ZkTimer),
    /// A Kafka broker or client timer.
    Kafka(KafkaTimer),
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timer::Zk(t) => t.fmt(f),
            Timer::Kafka(t) => t.fmt(f),
        }
    }
}

impl From<ZkTimer> for Timer {
    fn from(t: ZkTimer) -> Timer {
        Timer::Zk(t)
    }
}

impl From<KafkaTimer> for Timer {
    fn from(t: KafkaTimer) -> Timer {
        Timer::Kafka(t)
    }
}

/// A state change worth showing: what the UI draws and the tests assert on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "system", content = "change", rename_all = "snake_case")]
pub enum Change {
    /// A ZooKeeper server changed.
    Zk(ZkChange),
    /// A Kafka broker or client changed.
    Kafka(KafkaChange),
    /// A node is up again after a restart (its persisted state reloaded).
    Up,
    /// A free-text remark (English), e.g. an error text the real system would log.
    Note {
        /// The text.
        text: String,
    },
}

impl From<ZkChange> for Change {
    fn from(c: ZkChange) -> Change {
        Change::Zk(c)
    }
}

impl From<KafkaChange> for Change {
    fn from(c: KafkaChange) -> Change {
        Change::Kafka(c)
    }
}

/// One effect a node asks the world to apply.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Open a connection to `to` on `channel` (the SYN leaves now).
    Connect {
        /// The new connection's id.
        conn: ConnId,
        /// The server end.
        to: NodeId,
        /// The port.
        channel: Channel,
    },
    /// Send a message on a connection.
    Send {
        /// The connection.
        conn: ConnId,
        /// The message.
        msg: Msg,
    },
    /// Queue a message to the node itself (no socket involved).
    Loopback {
        /// The message.
        msg: Msg,
    },
    /// Close this end of a connection (a FIN follows the data already sent).
    Close {
        /// The connection.
        conn: ConnId,
        /// Why, in the protocol's words.
        why: String,
    },
    /// Arm (or re-arm) a timer to fire after `after_ms` virtual milliseconds.
    SetTimer {
        /// Which timer.
        timer: Timer,
        /// Delay, ms.
        after_ms: u64,
    },
    /// Cancel a pending timer (no effect when it is not armed).
    CancelTimer(Timer),
    /// Record a state change.
    Change(Change),
    /// The process exits on its own (a fatal error): the world shuts it down as `stop`
    /// does, after the node's other effects.
    Exit {
        /// Why, in the program's words.
        why: String,
    },
}

/// What a node sees while it handles one event: the virtual time, its own name, the
/// world's RNG, the connection id counter, and an outbox.
pub struct Ctx<'a> {
    now: u64,
    me: NodeId,
    rng: &'a mut SimRng,
    next_conn: &'a mut u64,
    effects: Vec<Effect>,
}

impl<'a> Ctx<'a> {
    /// A context for node `me` at virtual time `now` (ms). `next_conn` is the world's
    /// counter of connection ids.
    pub fn new(now: u64, me: NodeId, rng: &'a mut SimRng, next_conn: &'a mut u64) -> Self {
        Ctx {
            now,
            me,
            rng,
            next_conn,
            effects: Vec::new(),
        }
    }

    /// Virtual time, ms.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// The node being run.
    pub fn me(&self) -> NodeId {
        self.me
    }

    /// The world's seeded RNG.
    pub fn rng(&mut self) -> &mut SimRng {
        self.rng
    }

    /// Opens a connection to `to` on `channel` and returns its id. Messages sent on it
    /// right away travel behind the SYN; if nothing listens at `to`, the node gets the
    /// close (refused) one round trip later.
    pub fn connect(&mut self, to: NodeId, channel: Channel) -> ConnId {
        *self.next_conn += 1;
        let conn = ConnId(*self.next_conn);
        self.effects.push(Effect::Connect { conn, to, channel });
        conn
    }

    /// Sends `msg` on `conn`. On a connection this end has closed it goes nowhere.
    pub fn send(&mut self, conn: ConnId, msg: impl Into<Msg>) {
        self.effects.push(Effect::Send {
            conn,
            msg: msg.into(),
        });
    }

    /// Queues `msg` for this node itself.
    pub fn loopback(&mut self, msg: impl Into<Msg>) {
        self.effects.push(Effect::Loopback { msg: msg.into() });
    }

    /// Closes this end of `conn`; the peer learns of it one latency later.
    pub fn close(&mut self, conn: ConnId, why: impl Into<String>) {
        self.effects.push(Effect::Close {
            conn,
            why: why.into(),
        });
    }

    /// Arms `timer` to fire `after_ms` from now, replacing an earlier arming.
    pub fn set_timer(&mut self, timer: impl Into<Timer>, after_ms: u64) {
        self.effects.push(Effect::SetTimer {
            timer: timer.into(),
            after_ms,
        });
    }

    /// Cancels `timer` if it is armed.
    pub fn cancel_timer(&mut self, timer: impl Into<Timer>) {
        self.effects.push(Effect::CancelTimer(timer.into()));
    }

    /// Records a state change.
    pub fn change(&mut self, change: impl Into<Change>) {
        self.effects.push(Effect::Change(change.into()));
    }

    /// The process exits on its own (a fatal error), once this event's other effects are
    /// applied.
    pub fn exit(&mut self, why: impl Into<String>) {
        self.effects.push(Effect::Exit { why: why.into() });
    }

    /// Records a free-text remark.
    pub fn note(&mut self, text: impl Into<String>) {
        self.effects
            .push(Effect::Change(Change::Note { text: text.into() }));
    }

    /// The effects written so far, in order.
    pub fn into_effects(self) -> Vec<Effect> {
        self.effects
    }
}
