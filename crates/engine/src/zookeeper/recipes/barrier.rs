//! The double barrier of the ZooKeeper documentation ("ZooKeeper Recipes and Solutions",
//! Barriers, Double Barriers, 3.8): clients enter together once `size` of them are there,
//! compute, and leave together once all are done.
//!
//! Enter: watch `<b>/ready` with `exists`, create `<b>/p-<session>` EPHEMERAL, list the
//! children; with fewer than `size` process nodes wait for the watch, otherwise create
//! `<b>/ready`. Leave: list the process nodes; none left: out; only its own: delete it and
//! go; its own is the lowest: wait for the highest to go; otherwise delete its own and
//! wait for the lowest to go; then look again. (The session id in the name is the
//! documentation's unique name `p`; fixed-width hex keeps names in session order.)

use crate::zookeeper::client::{KeeperState, Reply, WatchedEvent};
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::watch::EventType;
use crate::zookeeper::proto::{CreateMode, Op, ReplyBody};
use crate::zookeeper::recipes::{Purpose, RecipeStep, Wait, create_op, list_op, parents};
use serde::Serialize;

/// Where a barrier client is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum BarrierPhase {
    /// Waiting for its session.
    Connecting,
    /// Creating its node and counting who is there.
    Entering,
    /// Fewer than `size` are there: waiting for `ready`.
    WaitingReady,
    /// Inside the barrier, working.
    Computing,
    /// Working done: looking at who is still inside.
    Leaving,
    /// Waiting for this node to go before looking again.
    WaitingNode(String),
    /// Out of the barrier.
    Left,
    /// Its session expired.
    Expired,
}

/// One client's double barrier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BarrierRecipe {
    /// The barrier's node.
    pub path: String,
    /// How many clients must enter before any computes.
    pub size: u32,
    /// How long it computes inside, ms.
    pub work_ms: u64,
    /// Where it is.
    pub phase: BarrierPhase,
    /// Its node exists (its create succeeded once).
    pub arrived: bool,
    session: u64,
}

impl BarrierRecipe {
    /// A barrier at `path` for `size` clients, each computing `work_ms`.
    pub fn new(path: String, size: u32, work_ms: u64) -> BarrierRecipe {
        BarrierRecipe {
            path,
            size,
            work_ms,
            phase: BarrierPhase::Connecting,
            arrived: false,
            session: 0,
        }
    }

    fn ready(&self) -> String {
        format!("{}/ready", self.path)
    }

    fn mine(&self) -> String {
        format!("p-{:016x}", self.session)
    }

    /// Its process node's path.
    fn node(&self) -> String {
        format!("{}/{}", self.path, self.mine())
    }

    fn enter(&mut self, with_parents: bool) -> RecipeStep {
        self.phase = BarrierPhase::Entering;
        let mut send = if with_parents {
            parents(&self.path)
        } else {
            Vec::new()
        };
        send.push((
            Op::Exists {
                path: self.ready(),
                watch: true,
            },
            Purpose::Watch(self.ready()),
        ));
        send.push((
            create_op(&self.node(), CreateMode::Ephemeral, &[]),
            Purpose::Create,
        ));
        send.push(list_op(&self.path, false, Purpose::List));
        RecipeStep {
            send,
            ..RecipeStep::default()
        }
    }

    fn compute(&mut self) -> RecipeStep {
        if !matches!(
            self.phase,
            BarrierPhase::Entering | BarrierPhase::WaitingReady
        ) {
            return RecipeStep::default();
        }
        self.phase = BarrierPhase::Computing;
        RecipeStep {
            timer_ms: Some(self.work_ms),
            notes: vec![format!("enters the barrier {} and computes", self.path)],
            ..RecipeStep::default()
        }
    }

    fn look(&mut self) -> RecipeStep {
        self.phase = BarrierPhase::Leaving;
        RecipeStep {
            send: vec![list_op(&self.path, false, Purpose::List)],
            ..RecipeStep::default()
        }
    }

    fn watch_gone(&mut self, name: &str) -> (Op, Purpose) {
        let node = format!("{}/{name}", self.path);
        self.phase = BarrierPhase::WaitingNode(node.clone());
        (
            Op::Exists {
                path: node.clone(),
                watch: true,
            },
            Purpose::Watch(node),
        )
    }

    fn left(&mut self) -> RecipeStep {
        self.phase = BarrierPhase::Left;
        RecipeStep {
            notes: vec![format!("leaves the barrier {}", self.path)],
            ..RecipeStep::default()
        }
    }

    /// One pass of the leave algorithm over the process nodes.
    fn leave_step(&mut self, children: &[String]) -> RecipeStep {
        let mut procs: Vec<&String> = children.iter().filter(|c| c.starts_with("p-")).collect();
        procs.sort();
        let mine = self.mine();
        let Some((lowest, highest)) = procs.first().zip(procs.last()) else {
            return self.left();
        };
        let (lowest, highest) = (lowest.to_string(), highest.to_string());
        if procs.len() == 1 && lowest == mine {
            return RecipeStep {
                send: vec![(
                    Op::Delete {
                        path: self.node(),
                        version: -1,
                    },
                    Purpose::Leave,
                )],
                ..RecipeStep::default()
            };
        }
        if lowest == mine {
            let w = self.watch_gone(&highest);
            return RecipeStep {
                send: vec![w],
                ..RecipeStep::default()
            };
        }
        let mut send = Vec::new();
        if procs.iter().any(|p| **p == mine) {
            send.push((
                Op::Delete {
                    path: self.node(),
                    version: -1,
                },
                Purpose::Release,
            ));
        }
        send.push(self.watch_gone(&lowest));
        RecipeStep {
            send,
            ..RecipeStep::default()
        }
    }

    /// The session is connected (the first time or again).
    pub fn on_connected(&mut self, session: u64) -> RecipeStep {
        if self.phase == BarrierPhase::Connecting {
            self.session = session;
            return self.enter(true);
        }
        // Again after a lost connection: look again where it was waiting (the watch was
        // set again by SetWatches, but a reply may have been lost with the connection).
        match self.phase {
            BarrierPhase::Entering | BarrierPhase::WaitingReady => self.enter(false),
            BarrierPhase::Leaving | BarrierPhase::WaitingNode(_) => self.look(),
            _ => RecipeStep::default(),
        }
    }

    /// A reply to one of its requests.
    pub fn on_reply(&mut self, purpose: &Purpose, reply: &Reply) -> RecipeStep {
        if matches!(self.phase, BarrierPhase::Left | BarrierPhase::Expired) {
            return RecipeStep::default();
        }
        if reply.result == Err(Code::SessionExpired) {
            return self.expired();
        }
        let entering = matches!(
            self.phase,
            BarrierPhase::Entering | BarrierPhase::WaitingReady
        );
        match (purpose, &reply.result) {
            (Purpose::Watch(n), Ok(_)) if *n == self.ready() => self.compute(),
            (Purpose::Create, Ok(_) | Err(Code::NodeExists)) => {
                self.arrived = true;
                RecipeStep::default()
            }
            (Purpose::List, Ok(ReplyBody::Children { children, .. })) if entering => {
                let here = children.iter().filter(|c| c.starts_with("p-")).count() as u32;
                if here >= self.size {
                    RecipeStep {
                        send: vec![(
                            create_op(&self.ready(), CreateMode::Persistent, &[]),
                            Purpose::Ready,
                        )],
                        ..RecipeStep::default()
                    }
                } else {
                    self.phase = BarrierPhase::WaitingReady;
                    RecipeStep::default()
                }
            }
            (Purpose::List, Ok(ReplyBody::Children { children, .. })) => {
                if matches!(self.phase, BarrierPhase::Leaving) {
                    self.leave_step(children)
                } else {
                    RecipeStep::default()
                }
            }
            (Purpose::Ready, Ok(_) | Err(Code::NodeExists)) => self.compute(),
            (Purpose::Leave, Ok(_) | Err(Code::NoNode)) => self.left(),
            (Purpose::Watch(n), Err(Code::NoNode))
                if self.phase == BarrierPhase::WaitingNode(n.clone()) =>
            {
                self.look()
            }
            // A lost reply: the connection's return will look again.
            _ => RecipeStep::default(),
        }
    }

    /// A watch notification or a state event.
    pub fn on_event(&mut self, ev: &WatchedEvent) -> RecipeStep {
        if ev.state == KeeperState::Expired {
            return self.expired();
        }
        match (&self.phase, ev.kind, ev.path.as_deref()) {
            (_, EventType::NodeCreated, Some(p)) if p == self.ready() => self.compute(),
            (BarrierPhase::WaitingNode(n), EventType::NodeDeleted, Some(p)) if p == n => {
                self.look()
            }
            _ => RecipeStep::default(),
        }
    }

    fn expired(&mut self) -> RecipeStep {
        self.phase = BarrierPhase::Expired;
        RecipeStep {
            notes: vec!["learns its session expired".to_string()],
            ..RecipeStep::default()
        }
    }

    /// Its work is done: leave.
    pub fn on_timer(&mut self) -> RecipeStep {
        if self.phase == BarrierPhase::Computing {
            self.look()
        } else {
            RecipeStep::default()
        }
    }

    /// What it waits for, if anything.
    pub fn waits_for(&self) -> Option<Wait> {
        match &self.phase {
            BarrierPhase::WaitingReady => Some(Wait::Created(self.ready())),
            BarrierPhase::WaitingNode(n) => Some(Wait::Gone(n.clone())),
            _ => None,
        }
    }

    /// True from entering the barrier (computing) until it starts to leave.
    pub fn computing(&self) -> bool {
        self.phase == BarrierPhase::Computing
    }

    /// True before it has finished computing (it is not yet on its way out).
    pub fn inside_or_before(&self) -> bool {
        matches!(
            self.phase,
            BarrierPhase::Connecting
                | BarrierPhase::Entering
                | BarrierPhase::WaitingReady
                | BarrierPhase::Computing
        )
    }

    /// What the card shows.
    pub fn status(&self) -> String {
        match &self.phase {
            BarrierPhase::Connecting => "barrier: connecting".into(),
            BarrierPhase::Entering => "barrier: entering".into(),
            BarrierPhase::WaitingReady => format!("barrier: waits for {} in all", self.size),
            BarrierPhase::Computing => "barrier: COMPUTING".into(),
            BarrierPhase::Leaving => "barrier: leaving".into(),
            BarrierPhase::WaitingNode(n) => {
                format!("barrier: waits for {}", n.rsplit('/').next().unwrap_or(n))
            }
            BarrierPhase::Left => "barrier: left".into(),
            BarrierPhase::Expired => "barrier: session expired".into(),
        }
    }
}
