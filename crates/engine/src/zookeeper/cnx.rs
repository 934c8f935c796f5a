//! The election's connections (`QuorumCnxManager` in apache/zookeeper 3.8): one TCP
//! connection per peer on the election port, opened when there is something to send. A
//! message to the server itself never touches a socket. When a new connection with a peer
//! starts (`SendWorker.run`) and nothing newer is queued, the last message sent to that
//! peer is sent again (`lastMessageSent`), so a notification lost with a refused or reset
//! connection reaches the peer once it is back and connects.
//!
//! Between two servers the connection opened by the higher sid wins: when it connects
//! again, the other end drops the connection it had and keeps the new one
//! (`handleConnection`, QuorumCnxManager.java 665-682), which is how a server that lost
//! power and came back gets through to peers that still hold the old, half-open
//! connection. Left out, because it changes who dials but not what is delivered: a lower
//! sid that connects is hung up on and dialled back (here its connection is used when the
//! other end has none), and the 5 s connect timeout (`zookeeper.cnxTimeout`).

use crate::ids::NodeId;
use crate::sim::conn::{Channel, ConnId};
use crate::sim::effects::Ctx;
use crate::zookeeper::messages::ZkMsg;
use crate::zookeeper::vote::Notification;
use std::collections::BTreeMap;

/// The election connections of one server.
#[derive(Clone, Debug, Default)]
pub struct QuorumCnx {
    /// The connection used to each peer, by sid.
    conns: BTreeMap<u32, ConnId>,
    /// The last message sent to each peer (`lastMessageSent`).
    last: BTreeMap<u32, Notification>,
}

impl QuorumCnx {
    /// `toSend(sid, m)`: to itself at once; to a peer on its connection, opening one if
    /// there is none.
    pub fn send(&mut self, ctx: &mut Ctx<'_>, me: u32, to: u32, n: Notification) {
        if to == me {
            ctx.loopback(ZkMsg::Notification(n));
            return;
        }
        self.last.insert(to, n);
        let conn = match self.conns.get(&to) {
            Some(c) => *c,
            None => {
                let c = ctx.connect(NodeId::Zk(to), Channel::Election);
                self.conns.insert(to, c);
                c
            }
        };
        ctx.send(conn, ZkMsg::Notification(n));
    }

    /// A message from `from` arrived on `conn`. A connection the peer opened is adopted
    /// when there is none to that peer, or when it is newer than ours and the peer's sid is
    /// higher than `me` (its connection wins and ours is closed); the last message sent to
    /// the peer then goes out on it again. (Connection ids grow with time, so "newer" is a
    /// larger id: a late message on an older connection never displaces a newer one.)
    pub fn on_receive(&mut self, ctx: &mut Ctx<'_>, me: u32, from: u32, conn: ConnId) {
        if conn == ConnId::LOOPBACK {
            return;
        }
        let adopt = match self.conns.get(&from) {
            None => true,
            Some(&c) if c == conn => false,
            Some(&old) => {
                if from > me && conn > old {
                    ctx.close(old, "a newer connection from a higher server id");
                    true
                } else {
                    false
                }
            }
        };
        if adopt {
            self.conns.insert(from, conn);
            if let Some(n) = self.last.get(&from) {
                ctx.send(conn, ZkMsg::Notification(*n));
            }
        }
    }

    /// `conn` closed. Returns true when it was one of its election connections.
    pub fn on_closed(&mut self, conn: ConnId) -> bool {
        let before = self.conns.len();
        self.conns.retain(|_, c| *c != conn);
        before != self.conns.len()
    }

    /// True when `conn` is one of its election connections.
    pub fn owns(&self, conn: ConnId) -> bool {
        self.conns.values().any(|c| *c == conn)
    }
}
