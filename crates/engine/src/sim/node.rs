//! The nodes of the world, as one enum the world dispatches on, and the state of each
//! node's process and host.

use crate::ids::NodeId;
use crate::kafka::broker::Broker;
use crate::kafka::consumer::Consumer;
use crate::kafka::producer::Producer;
use crate::sim::conn::{Channel, CloseReason, ConnId};
use crate::sim::effects::{Ctx, Msg, Timer};
use crate::zookeeper::client::ZkClient;
use crate::zookeeper::recipes::store::Store;
use crate::zookeeper::server::ZkServer;
use serde::Serialize;

/// The state of a node's process and of the host it runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Created but never started (the host is up, nothing listens).
    NotStarted,
    /// The process runs.
    Running,
    /// The process is frozen (`pause`: a long GC pause, SIGSTOP). Its kernel still accepts
    /// and acknowledges data and closes; the process sees them when it resumes.
    Paused,
    /// The process was killed (`crash`); the host and its kernel keep running.
    Crashed,
    /// The process shut down cleanly (`stop`: SIGTERM) and exited; the host keeps running.
    Stopped,
    /// The host lost power (`halt`): no process, no kernel, unflushed writes lost.
    Halted,
}

impl Status {
    /// The name used in messages and the UI.
    pub fn name(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Crashed => "crashed",
            Status::Stopped => "stopped",
            Status::Halted => "powered off",
        }
    }

    /// True when the host's kernel answers (everything but a power cut): it accepts or
    /// refuses connections and resets unknown ones.
    pub fn kernel_up(self) -> bool {
        self != Status::Halted
    }

    /// True when a process exists (running or frozen): its listening sockets are open.
    pub fn has_process(self) -> bool {
        matches!(self, Status::Running | Status::Paused)
    }
}

/// Any node of the world.
#[derive(Clone, Debug)]
pub enum Node {
    /// A ZooKeeper server.
    Zk(Box<ZkServer>),
    /// A ZooKeeper client (a zkCli process).
    ZkClient(Box<ZkClient>),
    /// A store lock holders write to (the fencing-token recipe).
    Store(Box<Store>),
    /// A Kafka broker.
    Broker(Box<Broker>),
    /// A Kafka producer.
    Producer(Box<Producer>),
    /// A Kafka consumer.
    Consumer(Box<Consumer>),
}

impl Node {
    /// Process start (also after a crash or a power cut).
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        match self {
            Node::Zk(s) => s.on_start(ctx),
            Node::ZkClient(c) => c.on_start(ctx),
            Node::Broker(b) => b.on_start(ctx),
            Node::Consumer(c) => c.on_start(ctx),
            Node::Store(_) | Node::Producer(_) => {}
        }
    }

    /// The process was killed: volatile state is lost; what it wrote survives, including
    /// writes still in the page cache (the OS keeps running).
    pub fn crash(&mut self) {
        match self {
            Node::Zk(s) => s.crash(),
            Node::ZkClient(c) => c.crash(),
            // Its writes are synced before it answers: nothing acknowledged is lost.
            Node::Store(_) => {}
            Node::Broker(b) => b.crash(),
            Node::Producer(p) => p.crash(),
            Node::Consumer(c) => c.crash(),
        }
    }

    /// What a running process does on SIGTERM before its shutdown hook, with a chance to
    /// send. Returns false when it goes on running to finish first (a Kafka broker's
    /// controlled shutdown) and will exit on its own.
    pub fn on_stop(&mut self, ctx: &mut Ctx<'_>) -> bool {
        match self {
            Node::Broker(b) => b.on_stop(ctx),
            Node::Consumer(c) => {
                c.on_stop(ctx);
                true
            }
            _ => true,
        }
    }

    /// A clean shutdown (`stop`, SIGTERM): the process does what its shutdown hook does
    /// (a Kafka broker flushes its logs, checkpoints and writes the clean-shutdown marker,
    /// `LogManager.shutdown`), then exits; nodes without one simply exit, as a crash.
    pub fn shutdown(&mut self) {
        match self {
            Node::Broker(b) => b.shutdown(),
            other => other.crash(),
        }
    }

    /// The host lost power at `now`: like a crash, and writes that were not yet on disk
    /// (not fsynced, not written back by the OS) are lost too.
    pub fn power_loss(&mut self, now: u64) {
        match self {
            Node::Zk(s) => s.power_loss(now),
            Node::ZkClient(c) => c.crash(),
            Node::Store(_) => {}
            Node::Broker(b) => b.power_loss(now),
            Node::Producer(p) => p.crash(),
            Node::Consumer(c) => c.crash(),
        }
    }

    /// True when the node's process listens on `channel` (a connect is accepted).
    pub fn accepts(&self, channel: Channel) -> bool {
        match self {
            Node::Zk(s) => s.accepts(channel),
            Node::Broker(_) => channel == Channel::Kafka,
            Node::Store(s) => s.accepts(channel),
            Node::ZkClient(_) | Node::Producer(_) | Node::Consumer(_) => false,
        }
    }

    /// A message arrived on `conn`. Messages of the wrong system are ignored.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, from: NodeId, msg: Msg) {
        match (self, msg) {
            (Node::Zk(s), Msg::Zk(m)) => s.on_message(ctx, conn, from, m),
            (Node::ZkClient(c), Msg::Zk(m)) => c.on_message(ctx, conn, m),
            (Node::Store(s), Msg::Zk(m)) => s.on_message(ctx, conn, from, m),
            (Node::Broker(b), Msg::Kafka(m)) => b.on_message(ctx, conn, from, m),
            (Node::Broker(b), Msg::Zk(m)) => b.on_zk_message(ctx, conn, m),
            (Node::Producer(p), Msg::Kafka(m)) => p.on_message(ctx, conn, from, m),
            (Node::Consumer(c), Msg::Kafka(m)) => c.on_message(ctx, conn, from, m),
            _ => {}
        }
    }

    /// This end of `conn` closed (the peer closed it, its process died, or it was
    /// refused or reset).
    pub fn on_closed(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, peer: NodeId, why: &CloseReason) {
        match self {
            Node::Zk(s) => s.on_closed(ctx, conn, peer, why),
            Node::ZkClient(c) => c.on_closed(ctx, conn, why),
            Node::Store(s) => s.on_closed(ctx, conn, why),
            Node::Broker(b) => b.on_closed(ctx, conn, peer, why),
            Node::Producer(p) => p.on_closed(ctx, conn, peer, why),
            Node::Consumer(c) => c.on_closed(ctx, conn, peer, why),
        }
    }

    /// One of its timers fired.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: Timer) {
        match (self, timer) {
            (Node::Zk(s), Timer::Zk(t)) => s.on_timer(ctx, t),
            (Node::ZkClient(c), Timer::Zk(t)) => c.on_timer(ctx, t),
            (Node::Broker(b), Timer::Kafka(t)) => b.on_timer(ctx, t),
            (Node::Broker(b), Timer::Zk(t)) => b.on_zk_timer(ctx, t),
            (Node::Producer(p), Timer::Kafka(t)) => p.on_timer(ctx, t),
            (Node::Consumer(c), Timer::Kafka(t)) => c.on_timer(ctx, t),
            _ => {}
        }
    }
}
