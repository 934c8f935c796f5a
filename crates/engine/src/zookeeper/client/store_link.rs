//! A recipe client's connection to the store its lock protects (the fencing-token
//! recipe): one TCP connection to port 8080, opened when the first write is sent. It is
//! separate from the session's connection to a server, as an application's database
//! connection is separate from its ZooKeeper handle.

use crate::ids::NodeId;
use crate::sim::conn::{Channel, ConnId};
use crate::sim::effects::Ctx;
use crate::zookeeper::messages::ZkMsg;
use crate::zookeeper::recipes::store::StoreMsg;

/// The connection to a store, if open.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreLink {
    conn: Option<(NodeId, ConnId)>,
    /// Writes sent and not yet answered.
    waiting: u32,
}

impl StoreLink {
    /// Sends `msg` to `store`, connecting first when there is no connection to it.
    pub fn send(&mut self, ctx: &mut Ctx<'_>, store: NodeId, msg: StoreMsg) {
        let conn = match self.conn {
            Some((to, c)) if to == store => c,
            other => {
                if let Some((_, old)) = other {
                    ctx.close(old, "another store");
                }
                let c = ctx.connect(store, Channel::Store);
                self.conn = Some((store, c));
                c
            }
        };
        self.waiting += 1;
        ctx.send(conn, ZkMsg::Store(msg));
    }

    /// True when `conn` is its connection.
    pub fn owns(&self, conn: ConnId) -> bool {
        self.conn.is_some_and(|(_, c)| c == conn)
    }

    /// An answer arrived: the write's verdict, if it is one.
    pub fn on_message(&mut self, msg: ZkMsg) -> Option<bool> {
        match msg {
            ZkMsg::Store(StoreMsg::Reply { accepted, .. }) => {
                self.waiting = self.waiting.saturating_sub(1);
                Some(accepted)
            }
            _ => None,
        }
    }

    /// Its connection closed: how many writes went unanswered (each may or may not have
    /// been applied).
    pub fn on_closed(&mut self) -> u32 {
        self.conn = None;
        std::mem::take(&mut self.waiting)
    }
}
