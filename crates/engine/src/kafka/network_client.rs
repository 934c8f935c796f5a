//! A Kafka client's connections (`NetworkClient` in the Java clients, 3.7): one connection
//! per broker, opened when there is a request to send. When a connection closes, every
//! request in flight on it fails at once as disconnected (NETWORK_EXCEPTION for the
//! producer, retriable; `NetworkClient.processDisconnection`), and a request that times out
//! (`request.timeout.ms`) closes its connection, failing the others too
//! (`handleTimedOutRequests`). The callers keep their own in-flight requests; this keeps
//! which connection leads to which broker.
//!
//! Not modelled: `reconnect.backoff.ms` (50 ms, exponential to 1 s): a client here dials
//! again as soon as it has something to send.

use crate::ids::NodeId;
use crate::kafka::messages::KafkaMsg;
use crate::sim::conn::{Channel, CloseReason, ConnId};
use crate::sim::effects::Ctx;
use std::collections::BTreeMap;

/// The connections of one client (or of a broker's fetchers).
#[derive(Clone, Debug, Default)]
pub struct NetworkClient {
    conns: BTreeMap<u32, ConnId>,
}

impl NetworkClient {
    /// Sends `msg` to `broker`, connecting first if there is no connection. Returns the
    /// connection it went on.
    pub fn send(&mut self, ctx: &mut Ctx<'_>, broker: u32, msg: KafkaMsg) -> ConnId {
        let conn = match self.conns.get(&broker) {
            Some(c) => *c,
            None => {
                let c = ctx.connect(NodeId::Broker(broker), Channel::Kafka);
                self.conns.insert(broker, c);
                c
            }
        };
        ctx.send(conn, msg);
        conn
    }

    /// The broker a connection leads to.
    pub fn broker_of(&self, conn: ConnId) -> Option<u32> {
        self.conns
            .iter()
            .find(|(_, c)| **c == conn)
            .map(|(b, _)| *b)
    }

    /// The connection closed (the broker died, refused, reset): it is forgotten. Returns
    /// the broker it led to, if it was one of ours. (A follower's fetcher logs its own
    /// error; clients use [`NetworkClient::on_closed`].)
    pub fn forget(&mut self, conn: ConnId) -> Option<u32> {
        let broker = self.broker_of(conn)?;
        self.conns.remove(&broker);
        Some(broker)
    }

    /// A client's connection closed: forgotten as by [`NetworkClient::forget`], and logged
    /// as `Disconnected from node N (why)`. Returns the broker it led to.
    pub fn on_closed(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, why: &CloseReason) -> Option<u32> {
        let broker = self.forget(conn)?;
        ctx.note(format!(
            "Disconnected from node {broker} ({})",
            why.describe()
        ));
        Some(broker)
    }

    /// Closes the connection to `broker` (after a request timed out).
    pub fn disconnect(&mut self, ctx: &mut Ctx<'_>, broker: u32, why: &str) {
        if let Some(c) = self.conns.remove(&broker) {
            ctx.close(c, why);
        }
    }
}
