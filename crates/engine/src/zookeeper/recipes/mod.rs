//! ZooKeeper recipes run by clients inside the simulation: programs that drive a client's
//! session with requests and react to replies and watch events, as an application using
//! the ZooKeeper API does. Each follows the ZooKeeper documentation's "ZooKeeper Recipes
//! and Solutions" (3.8) and keeps what it believes (does it hold the lock?) where the
//! checker ([`check`]) can compare beliefs across clients.
//!
//! A recipe never sees the world, only its own client's replies and events: a paused
//! holder whose session expired still believes it holds the lock until its client tells
//! it `Expired`, which is exactly the zombie the checker catches.

pub mod barrier;
pub mod check;
pub mod lock;
pub mod queue;
pub mod registry;
pub mod spec;
pub mod store;

use crate::zookeeper::client::Reply;
use crate::zookeeper::client::WatchedEvent;
use crate::zookeeper::data::acl::Acl;
use crate::zookeeper::proto::{CreateMode, Op};
use serde::Serialize;

pub use barrier::BarrierRecipe;
pub use lock::{LockKind, LockRecipe};
pub use queue::{QueueRecipe, QueueRole};
pub use registry::{RegistryRecipe, RegistryRole};

/// What a recipe asks its client to do after a reply, an event or its timer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecipeStep {
    /// Requests to send, in order, each with what the recipe will do with its reply.
    pub send: Vec<(Op, Purpose)>,
    /// Arm the recipe's timer to fire after this many ms.
    pub timer_ms: Option<u64>,
    /// Lines for the trace (what the recipe now believes or does).
    pub notes: Vec<String>,
    /// A write to a store (the fencing-token recipe), sent on the client's connection to
    /// that store (opened when first needed).
    pub store_write: Option<(crate::ids::NodeId, store::StoreMsg)>,
}

/// Why a recipe sent a request: how to read its reply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Purpose {
    /// Creating a parent path (NodeExists is fine).
    Parent,
    /// Creating the lock node.
    Create,
    /// Listing the lock's children (fair lock).
    List,
    /// Watching a node with `exists`.
    Watch(String),
    /// Deleting the lock node (release).
    Release,
    /// After a ConnectionLoss on a create: did it happen?
    Recover,
    /// After a ConnectionLoss on a release of a shared lock node: is the node there still
    /// ours? (Deleting it blindly could delete the next holder's node.)
    ReleaseCheck,
    /// Creating a barrier's ready node.
    Ready,
    /// Deleting its own node on the way out of a barrier.
    Leave,
    /// Reading a queue item before taking it.
    Get(String),
    /// Taking a queue item (deleting it).
    Take(String),
    /// After a ConnectionLoss on a take: is the item still there?
    TakeCheck(String),
}

/// A persistent `create` of an empty node.
pub(crate) fn create_op(path: &str, mode: CreateMode, data: &[u8]) -> Op {
    Op::Create {
        path: path.to_string(),
        data: Some(data.to_vec().into()),
        acl: Acl::open(),
        mode,
        ttl: None,
    }
}

/// The creates of `path` and its ancestors (outermost first, `/` left out), each
/// persistent with [`Purpose::Parent`] (NodeExists is fine).
pub(crate) fn parents(path: &str) -> Vec<(Op, Purpose)> {
    let mut out = Vec::new();
    let mut p = Some(path);
    while let Some(q) = p {
        if q != "/" {
            out.push((create_op(q, CreateMode::Persistent, &[]), Purpose::Parent));
        }
        p = crate::zookeeper::data::path::parent(q);
    }
    out.reverse();
    out
}

/// A `getChildren`, watched or not, with `purpose`.
pub(crate) fn list_op(path: &str, watch: bool, purpose: Purpose) -> (Op, Purpose) {
    (
        Op::GetChildren {
            path: path.to_string(),
            watch,
        },
        purpose,
    )
}

/// The sequence number ZooKeeper appended to a sequential node's name (the digits after
/// the last `-`), for ordering.
pub(crate) fn seq_of(name: &str) -> &str {
    name.rsplit('-').next().unwrap_or("")
}

/// A sequential node's number without its leading zeros, for cards (`#3`).
pub(crate) fn short_seq(name: &str) -> String {
    let n = seq_of(name).trim_start_matches('0');
    format!("#{}", if n.is_empty() { "0" } else { n })
}

/// What a waiting recipe waits for, so a run's end can tell a missed wake-up (it still
/// waits for something that already happened).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wait {
    /// For this node to be deleted.
    Gone(String),
    /// For this node to be created.
    Created(String),
    /// For this node to have children (a consumer of an empty queue).
    Children(String),
}

/// A recipe a client runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Recipe {
    /// A lock (herd, fair, read/write) or a leader election.
    Lock(LockRecipe),
    /// A double barrier.
    Barrier(BarrierRecipe),
    /// A producer or consumer of a queue.
    Queue(QueueRecipe),
    /// A service instance or a watcher of a service registry.
    Registry(RegistryRecipe),
}

/// Calls the same method on whichever recipe it is.
macro_rules! each {
    ($self:expr, $r:ident => $e:expr) => {
        match $self {
            Recipe::Lock($r) => $e,
            Recipe::Barrier($r) => $e,
            Recipe::Queue($r) => $e,
            Recipe::Registry($r) => $e,
        }
    };
}

impl Recipe {
    /// The session is connected (first time or again).
    pub fn on_connected(&mut self, session: u64) -> RecipeStep {
        each!(self, r => r.on_connected(session))
    }

    /// A reply to a request it sent.
    pub fn on_reply(&mut self, purpose: &Purpose, reply: &Reply) -> RecipeStep {
        each!(self, r => r.on_reply(purpose, reply))
    }

    /// A watch notification or a state event.
    pub fn on_event(&mut self, ev: &WatchedEvent) -> RecipeStep {
        each!(self, r => r.on_event(ev))
    }

    /// The store answered its write (`None`: the connection to the store closed first).
    /// Only lock holders write to a store.
    pub fn on_store_reply(&mut self, accepted: Option<bool>) -> RecipeStep {
        match self {
            Recipe::Lock(l) => l.on_store_reply(accepted),
            _ => RecipeStep::default(),
        }
    }

    /// Its timer fired.
    pub fn on_timer(&mut self) -> RecipeStep {
        each!(self, r => r.on_timer())
    }

    /// One line for the client's card: what it is doing.
    pub fn status(&self) -> String {
        each!(self, r => r.status())
    }

    /// What it waits for, if it is waiting on a watch.
    pub fn waits_for(&self) -> Option<Wait> {
        match self {
            Recipe::Lock(l) => l.waits_for(),
            Recipe::Barrier(b) => b.waits_for(),
            Recipe::Queue(q) => q.waits_for(),
            Recipe::Registry(_) => None,
        }
    }

    /// True while it believes it holds a lock or leads (the card's highlight).
    pub fn holds(&self) -> bool {
        match self {
            Recipe::Lock(l) => l.holds(),
            Recipe::Barrier(b) => b.computing(),
            _ => false,
        }
    }
}
