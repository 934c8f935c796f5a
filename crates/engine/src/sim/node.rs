//! The nodes of the world, as one enum the world dispatches on.

use crate::ids::NodeId;
use crate::kafka::broker::Broker;
use crate::kafka::consumer::Consumer;
use crate::kafka::producer::Producer;
use crate::sim::effects::{Ctx, Msg, Timer};
use crate::zookeeper::server::ZkServer;

/// Any node of the world.
#[derive(Clone, Debug)]
pub enum Node {
    /// A ZooKeeper server.
    Zk(Box<ZkServer>),
    /// A Kafka broker.
    Broker(Box<Broker>),
    /// A Kafka producer.
    Producer(Box<Producer>),
    /// A Kafka consumer.
    Consumer(Box<Consumer>),
}

impl Node {
    /// Process start (also after a crash).
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        match self {
            Node::Zk(s) => s.on_start(ctx),
            Node::Broker(b) => b.on_start(ctx),
            Node::Producer(_) | Node::Consumer(_) => {}
        }
    }

    /// Crash: volatile state is lost, disk state kept.
    pub fn crash(&mut self) {
        match self {
            Node::Zk(s) => s.crash(),
            Node::Broker(b) => b.crash(),
            Node::Producer(p) => p.crash(),
            Node::Consumer(c) => c.crash(),
        }
    }

    /// A message arrived. Messages of the wrong system are ignored.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: Msg) {
        match (self, msg) {
            (Node::Zk(s), Msg::Zk(m)) => s.on_message(ctx, from, m),
            (Node::Broker(b), Msg::Kafka(m)) => b.on_message(ctx, from, m),
            (Node::Producer(p), Msg::Kafka(m)) => p.on_message(ctx, from, m),
            (Node::Consumer(c), Msg::Kafka(m)) => c.on_message(ctx, from, m),
            _ => {}
        }
    }

    /// One of its timers fired.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: Timer) {
        match (self, timer) {
            (Node::Zk(s), Timer::Zk(t)) => s.on_timer(ctx, t),
            (Node::Broker(b), Timer::Kafka(t)) => b.on_timer(ctx, t),
            (Node::Producer(p), Timer::Kafka(t)) => p.on_timer(ctx, t),
            (Node::Consumer(c), Timer::Kafka(t)) => c.on_timer(ctx, t),
            _ => {}
        }
    }
}
