//! ZooKeeper recipes run by clients inside the simulation: programs that drive a client's
//! session with requests and react to replies and watch events, as an application using
//! the ZooKeeper API does. Each follows the ZooKeeper documentation's "ZooKeeper Recipes
//! and Solutions" (3.8) and keeps what it believes (does it hold the lock?) where the
//! checker ([`check`]) can compare beliefs across clients.
//!
//! A recipe never sees the world, only its own client's replies and events: a paused
//! holder whose session expired still believes it holds the lock until its client tells
//! it `Expired`, which is exactly the zombie the checker catches.

pub mod check;
pub mod lock;
pub mod store;

use crate::zookeeper::client::Reply;
use crate::zookeeper::client::WatchedEvent;
use crate::zookeeper::proto::Op;
use serde::Serialize;

pub use lock::{LockKind, LockRecipe};

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
}

/// A recipe a client runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Recipe {
    /// An exclusive lock.
    Lock(LockRecipe),
}

impl Recipe {
    /// The session is connected (first time or again).
    pub fn on_connected(&mut self, session: u64) -> RecipeStep {
        match self {
            Recipe::Lock(l) => l.on_connected(session),
        }
    }

    /// A reply to a request it sent.
    pub fn on_reply(&mut self, purpose: &Purpose, reply: &Reply) -> RecipeStep {
        match self {
            Recipe::Lock(l) => l.on_reply(purpose, reply),
        }
    }

    /// A watch notification or a state event.
    pub fn on_event(&mut self, ev: &WatchedEvent) -> RecipeStep {
        match self {
            Recipe::Lock(l) => l.on_event(ev),
        }
    }

    /// The store answered its write (`None`: the connection to the store closed first).
    pub fn on_store_reply(&mut self, accepted: Option<bool>) -> RecipeStep {
        match self {
            Recipe::Lock(l) => l.on_store_reply(accepted),
        }
    }

    /// Its timer fired.
    pub fn on_timer(&mut self) -> RecipeStep {
        match self {
            Recipe::Lock(l) => l.on_timer(),
        }
    }

    /// One line for the client's card: what it is doing.
    pub fn status(&self) -> String {
        match self {
            Recipe::Lock(l) => l.status(),
        }
    }
}
