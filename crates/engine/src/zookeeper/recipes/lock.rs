//! Exclusive locks, the two ways the ZooKeeper documentation ("ZooKeeper Recipes and
//! Solutions", Locks, 3.8) contrasts:
//!
//! - **herd**: every client tries `create -e <lock>`; the losers `exists -w <lock>` and try
//!   again when it is deleted. Each release wakes every waiter (the herd effect), and all
//!   but one lose again.
//! - **fair**: each client creates `<lock>/lock-<session>-` EPHEMERAL_SEQUENTIAL, lists the
//!   children, holds the lock when its node is the lowest, and otherwise watches only the
//!   node just below its own, so a release wakes one client. The session id in the name
//!   lets a client find its node after a ConnectionLoss on the create (the documentation's
//!   "guid" advice; Curator's protected mode).
//!
//! - **read/write** (the documentation's "Shared Locks"): the same queue with `read-` and
//!   `write-` nodes; a reader holds once no write node is ahead of it and watches the
//!   last write node before its own, a writer holds when first and watches the node just
//!   before it.
//!
//! A holder keeps the lock for `hold_ms`, deletes its node, and tries again until it has
//! held the lock `rounds` times. It believes it holds the lock from the reply that tells
//! it so until it deletes its node or its client tells it the session expired.
//!
//! With a store ([`crate::zookeeper::recipes::store`]), the hold is work done under the
//! lock in the common shape `acquire; compute; write(result, token); release`: at the end
//! of the hold the holder writes to the store with its fencing token (its lock node's
//! czxid) and releases once the store answers. The write is not preceded by a second look
//! at the lock: a holder frozen in the middle of its work writes when it thaws, whatever
//! its session did meanwhile (Kleppmann's zombie; the thread that would tell it runs only
//! after the write is on its way).

use crate::ids::NodeId;
use crate::zookeeper::client::{KeeperState, Reply, WatchedEvent};
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::path;
use crate::zookeeper::data::watch::EventType;
use crate::zookeeper::proto::{CreateMode, Op, ReplyBody};
use crate::zookeeper::recipes::store::StoreMsg;
use crate::zookeeper::recipes::{Purpose, RecipeStep, Wait, create_op, parents, seq_of, short_seq};
use serde::{Deserialize, Serialize};

/// Which lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockKind {
    /// Everyone watches the one lock node.
    Herd,
    /// A queue of sequential nodes, each watching its predecessor.
    Fair,
    /// The shared side of a read/write lock on a queue: it holds while no writer is
    /// ahead of it, with other readers ("Shared Locks" in the recipes page).
    Read,
    /// The exclusive side of a read/write lock: it holds when it is first in the queue.
    Write,
    /// Leader election ("ZooKeeper Recipes and Solutions", Leader Election): the same
    /// queue as the fair lock under `n_` names; the lowest leads, each other candidate
    /// watches the one just below it (no herd), and leading is holding.
    Election,
}

/// Where a lock client is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Phase {
    /// Waiting for its session.
    Connecting,
    /// Creating parents or its node.
    Trying,
    /// Waiting for a node to go away (herd: the lock; fair: its predecessor).
    Waiting(String),
    /// Holding the lock.
    Holding,
    /// It held the lock and lost its connection: it can no longer be sure it holds it
    /// (Curator's SUSPENDED), and acts as if it did not until it has looked again.
    Suspended,
    /// Writing its result to the store, still believing it holds the lock.
    Writing,
    /// Deleting its node.
    Releasing,
    /// Held it `rounds` times.
    Done,
    /// Its session expired: it knows it holds nothing.
    Expired,
}

/// One client's lock recipe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LockRecipe {
    /// The lock's path (herd: the node itself; fair: the parent of the queue).
    pub path: String,
    /// Herd or fair.
    pub kind: LockKind,
    /// How long a holder keeps the lock, ms.
    pub hold_ms: u64,
    /// How many times to take it.
    pub rounds: u32,
    /// Times taken so far.
    pub taken: u32,
    /// The parent paths exist (created once).
    parents_made: bool,
    /// Where it is.
    pub phase: Phase,
    /// Its session (for the node name).
    session: u64,
    /// Its node, once created (fair: `lock-<session>-0000000003`).
    pub node: Option<String>,
    /// The lock node's czxid when it took it: the fencing token.
    pub token: u64,
    /// Watch notifications it got while waiting (the herd effect, summed).
    pub wakeups: u32,
    /// The store it writes to at the end of each hold, if any.
    pub store: Option<NodeId>,
    /// Its work under the lock is under way (from taking the lock to its write).
    working: bool,
    /// The store's answer to its last write: accepted or rejected.
    pub last_write: Option<bool>,
}

impl LockRecipe {
    /// A lock recipe on `path`.
    pub fn new(path: String, kind: LockKind, hold_ms: u64, rounds: u32) -> LockRecipe {
        LockRecipe {
            path,
            kind,
            hold_ms,
            rounds,
            taken: 0,
            parents_made: false,
            phase: Phase::Connecting,
            session: 0,
            node: None,
            token: 0,
            wakeups: 0,
            store: None,
            working: false,
            last_write: None,
        }
    }

    /// The same lock, writing to `store` at the end of each hold.
    pub fn with_store(mut self, store: Option<NodeId>) -> LockRecipe {
        self.store = store;
        self
    }

    /// True while it believes it holds the lock.
    pub fn holds(&self) -> bool {
        matches!(self.phase, Phase::Holding | Phase::Writing)
    }

    fn prefix(&self) -> String {
        match self.kind {
            LockKind::Read => format!("read-{:x}-", self.session),
            LockKind::Write => format!("write-{:x}-", self.session),
            LockKind::Election => format!("n_{:x}-", self.session),
            LockKind::Herd | LockKind::Fair => format!("lock-{:x}-", self.session),
        }
    }

    /// True for the exclusive kinds (a holder excludes every other holder).
    pub fn exclusive(&self) -> bool {
        self.kind != LockKind::Read
    }

    /// Parents first (persistent; NodeExists is fine), then the lock node.
    fn try_lock(&mut self) -> RecipeStep {
        self.phase = Phase::Trying;
        let parents_of = match self.kind {
            LockKind::Herd => path::parent(&self.path).unwrap_or("/").to_string(),
            _ => self.path.clone(),
        };
        let mut step = RecipeStep::default();
        if !self.parents_made {
            step.send = parents(&parents_of);
        }
        self.parents_made = true;
        let op = match self.kind {
            LockKind::Herd => create_op(&self.path, CreateMode::Ephemeral, &[]),
            _ => create_op(
                &format!("{}/{}", self.path, self.prefix()),
                CreateMode::EphemeralSequential,
                &[],
            ),
        };
        step.send.push((op, Purpose::Create));
        step
    }

    /// Reads the herd lock's node (whose is it?) with `purpose`.
    fn read_lock(&self, purpose: Purpose) -> RecipeStep {
        RecipeStep {
            send: vec![(
                Op::GetData {
                    path: self.path.clone(),
                    watch: false,
                },
                purpose,
            )],
            ..RecipeStep::default()
        }
    }

    /// After a lost connection or a ConnectionLoss on its create: is its node there, and
    /// is it first? (Herd: read the lock's owner; fair: list the queue.)
    fn look_again(&self) -> RecipeStep {
        match self.kind {
            LockKind::Herd => self.read_lock(Purpose::Recover),
            _ => self.list(),
        }
    }

    fn list(&self) -> RecipeStep {
        RecipeStep {
            send: vec![(
                Op::GetChildren {
                    path: self.path.clone(),
                    watch: false,
                },
                Purpose::List,
            )],
            ..RecipeStep::default()
        }
    }

    fn watch(&mut self, node: String) -> RecipeStep {
        self.phase = Phase::Waiting(node.clone());
        RecipeStep {
            send: vec![(
                Op::Exists {
                    path: node.clone(),
                    watch: true,
                },
                Purpose::Watch(node),
            )],
            ..RecipeStep::default()
        }
    }

    fn take(&mut self, token: u64) -> RecipeStep {
        self.phase = Phase::Holding;
        self.token = token;
        self.taken += 1;
        self.working = self.store.is_some();
        RecipeStep {
            timer_ms: Some(self.hold_ms),
            notes: vec![if self.kind == LockKind::Election {
                format!("leads {} (its node's czxid 0x{token:x})", self.path)
            } else {
                format!("holds the lock {} (token 0x{token:x})", self.path)
            }],
            ..RecipeStep::default()
        }
    }

    /// The session is connected (the first time, or again after a lost connection).
    pub fn on_connected(&mut self, session: u64) -> RecipeStep {
        self.session = session;
        match self.phase {
            Phase::Connecting => self.try_lock(),
            // Look again: is its node still there, and is it first?
            Phase::Suspended => self.look_again(),
            _ => RecipeStep::default(),
        }
    }

    /// A reply to one of its requests.
    pub fn on_reply(&mut self, purpose: &Purpose, reply: &Reply) -> RecipeStep {
        if matches!(self.phase, Phase::Expired | Phase::Done) {
            return RecipeStep::default();
        }
        if reply.result == Err(Code::SessionExpired) {
            return self.expired();
        }
        match (purpose, &reply.result) {
            (Purpose::Parent, _) => RecipeStep::default(),
            (Purpose::Create, Ok(ReplyBody::Created { path, stat })) => match self.kind {
                LockKind::Herd => self.take(stat.as_ref().map_or(0, |s| s.czxid)),
                _ => {
                    self.node = Some(path.clone());
                    self.token = stat.as_ref().map_or(0, |s| s.czxid);
                    self.list()
                }
            },
            (Purpose::Create, Err(Code::NodeExists)) if self.kind == LockKind::Herd => {
                self.watch(self.path.clone())
            }
            // The create may or may not have happened: look before trying again.
            (Purpose::Create, Err(Code::ConnectionLoss)) => self.look_again(),
            (Purpose::Recover, Ok(ReplyBody::Data { stat, .. })) => {
                if stat.ephemeral_owner == self.session {
                    self.take(stat.czxid)
                } else {
                    self.watch(self.path.clone())
                }
            }
            (Purpose::Recover, _) => self.try_lock(),
            (Purpose::List, Ok(ReplyBody::Children { children, .. })) => {
                self.fair_position(children)
            }
            (Purpose::List, _) => self.list(),
            (Purpose::Watch(node), Ok(_)) => {
                // It exists: the watch is set; wait for its deletion.
                self.phase = Phase::Waiting(node.clone());
                RecipeStep::default()
            }
            (Purpose::Watch(_), Err(Code::NoNode)) => self.again(),
            (Purpose::Watch(node), Err(_)) => self.watch(node.clone()),
            // The delete may or may not have happened. A fair lock's node name is its own:
            // delete it again (NoNode is fine). The herd lock's path is shared: the node
            // may already be the next holder's, so look at its owner first.
            (Purpose::Release, Err(Code::ConnectionLoss)) => match self.kind {
                LockKind::Fair | LockKind::Read | LockKind::Write | LockKind::Election => {
                    RecipeStep {
                        send: vec![(reply.op.clone(), Purpose::Release)],
                        ..RecipeStep::default()
                    }
                }
                LockKind::Herd => self.read_lock(Purpose::ReleaseCheck),
            },
            (Purpose::ReleaseCheck, Ok(ReplyBody::Data { stat, .. }))
                if stat.ephemeral_owner == self.session =>
            {
                RecipeStep {
                    send: vec![(
                        Op::Delete {
                            path: self.path.clone(),
                            version: stat.version,
                        },
                        Purpose::Release,
                    )],
                    ..RecipeStep::default()
                }
            }
            (Purpose::ReleaseCheck, Err(Code::ConnectionLoss)) => {
                self.read_lock(Purpose::ReleaseCheck)
            }
            // Gone, or someone else's: the release is done.
            (Purpose::ReleaseCheck, _) => self.on_reply(
                &Purpose::Release,
                &Reply {
                    result: Err(Code::NoNode),
                    ..reply.clone()
                },
            ),
            (Purpose::Release, _) => {
                self.node = None;
                if self.taken >= self.rounds {
                    self.phase = Phase::Done;
                    RecipeStep::default()
                } else {
                    self.try_lock()
                }
            }
            (Purpose::Create, Err(_)) => self.try_lock(),
            (Purpose::Create, Ok(_)) => RecipeStep::default(),
            // The other recipes' purposes.
            _ => RecipeStep::default(),
        }
    }

    /// Herd: try to create again; fair: look at the queue again.
    fn again(&mut self) -> RecipeStep {
        match self.kind {
            LockKind::Herd => self.try_lock(),
            _ => self.list(),
        }
    }

    /// Fair lock: the lowest node holds; anyone else watches the node just below it.
    fn fair_position(&mut self, children: &[String]) -> RecipeStep {
        let prefix = self.prefix();
        let seq = |name: &str| name.rsplit('-').next().unwrap_or("").to_string();
        let queued = |c: &&String| {
            c.starts_with("lock-")
                || c.starts_with("read-")
                || c.starts_with("write-")
                || c.starts_with("n_")
        };
        let mut queue: Vec<&String> = children.iter().filter(queued).collect();
        queue.sort_by_key(|c| seq(c));
        let mine = match &self.node {
            Some(n) => n.rsplit('/').next().unwrap_or("").to_string(),
            None => match queue.iter().find(|c| c.starts_with(&prefix)) {
                Some(found) => {
                    self.node = Some(format!("{}/{found}", self.path));
                    found.to_string()
                }
                // The create never happened: make the node.
                None => return self.try_lock(),
            },
        };
        let Some(pos) = queue.iter().position(|c| **c == mine) else {
            // Its node is gone (its session moved on without it): queue up again.
            self.node = None;
            return self.try_lock();
        };
        // A reader waits only for the last writer ahead of it; anyone else for the node
        // just ahead.
        let ahead = if self.kind == LockKind::Read {
            queue[..pos].iter().rev().find(|c| !c.starts_with("read-"))
        } else {
            pos.checked_sub(1).map(|i| &queue[i])
        };
        match ahead {
            None => self.take(self.token),
            Some(node) => {
                let below = format!("{}/{node}", self.path);
                self.watch(below)
            }
        }
    }

    /// A watch notification or a state event.
    pub fn on_event(&mut self, ev: &WatchedEvent) -> RecipeStep {
        if ev.state == KeeperState::Expired {
            return self.expired();
        }
        if ev.state == KeeperState::Disconnected && self.holds() {
            self.phase = Phase::Suspended;
            return RecipeStep {
                notes: vec![format!(
                    "lost its connection: it can no longer be sure it holds {}",
                    self.path
                )],
                ..RecipeStep::default()
            };
        }
        let Phase::Waiting(node) = &self.phase else {
            return RecipeStep::default();
        };
        // Any notification about the node it waits on sends it to look again: the
        // recipe's "wait for a notification on the pathname". Not only NodeDeleted: a
        // watch set again after a reconnect (SetWatches) fires NodeDataChanged when the
        // herd lock's node was deleted and created again meanwhile
        // (`DataTree.setWatches`), and that wake-up must not be slept through.
        if ev.kind != EventType::None && ev.path.as_deref() == Some(node.as_str()) {
            self.wakeups += 1;
            return self.again();
        }
        RecipeStep::default()
    }

    fn expired(&mut self) -> RecipeStep {
        let held = self.holds();
        self.phase = Phase::Expired;
        self.node = None;
        RecipeStep {
            notes: vec![if held {
                format!(
                    "learns its session expired: it no longer holds {}",
                    self.path
                )
            } else {
                "learns its session expired".to_string()
            }],
            ..RecipeStep::default()
        }
    }

    /// The hold time is over: write the result to the store (if it has one and its work
    /// was under way, whatever it has learned since), or release.
    pub fn on_timer(&mut self) -> RecipeStep {
        if self.working
            && let Some(store) = self.store
        {
            self.working = false;
            if self.phase == Phase::Holding {
                self.phase = Phase::Writing;
            }
            return RecipeStep {
                store_write: Some((
                    store,
                    StoreMsg::Write {
                        key: self.path.clone(),
                        value: String::new(),
                        token: self.token,
                    },
                )),
                notes: vec![format!(
                    "writes its result to {store} with token 0x{:x}",
                    self.token
                )],
                ..RecipeStep::default()
            };
        }
        if !self.holds() {
            return RecipeStep::default();
        }
        self.release()
    }

    /// The store answered its write (`None`: the connection closed first, so it cannot
    /// know): a holder that still believes releases.
    pub fn on_store_reply(&mut self, accepted: Option<bool>) -> RecipeStep {
        self.last_write = accepted;
        let mut notes = Vec::new();
        if accepted == Some(false) {
            notes.push(format!(
                "the store rejected its write: token 0x{:x} is older than a newer holder's",
                self.token
            ));
        }
        if self.phase != Phase::Writing {
            return RecipeStep {
                notes,
                ..RecipeStep::default()
            };
        }
        let mut step = self.release();
        notes.append(&mut step.notes);
        step.notes = notes;
        step
    }

    fn release(&mut self) -> RecipeStep {
        self.phase = Phase::Releasing;
        let node = match self.kind {
            LockKind::Herd => self.path.clone(),
            _ => self.node.clone().unwrap_or_default(),
        };
        RecipeStep {
            send: vec![(
                Op::Delete {
                    path: node,
                    version: -1,
                },
                Purpose::Release,
            )],
            notes: vec![if self.kind == LockKind::Election {
                format!("steps down as leader of {}", self.path)
            } else {
                format!("releases the lock {}", self.path)
            }],
            ..RecipeStep::default()
        }
    }

    /// What it waits for, if anything.
    pub fn waits_for(&self) -> Option<Wait> {
        match &self.phase {
            Phase::Waiting(n) => Some(Wait::Gone(n.clone())),
            _ => None,
        }
    }

    /// What the card shows.
    pub fn status(&self) -> String {
        let kind = match self.kind {
            LockKind::Herd => "lock",
            LockKind::Fair => "fair lock",
            LockKind::Read => "read lock",
            LockKind::Write => "write lock",
            LockKind::Election => {
                return match &self.phase {
                    Phase::Holding | Phase::Writing => "election: LEADER".into(),
                    Phase::Waiting(n) => format!("election: watches {}", short_seq(n)),
                    Phase::Done => format!("election: stepped down ({} terms)", self.taken),
                    Phase::Releasing => "election: stepping down".into(),
                    Phase::Suspended => "election: suspended (connection lost)".into(),
                    Phase::Expired => "election: session expired".into(),
                    Phase::Connecting | Phase::Trying => "election: candidate".into(),
                };
            }
        };
        match &self.phase {
            Phase::Connecting => format!("{kind}: connecting"),
            Phase::Trying => format!("{kind}: trying"),
            // Fair: the predecessor's sequence number (its name is long); herd: the lock.
            Phase::Waiting(n) => match self.kind {
                LockKind::Fair | LockKind::Read | LockKind::Write | LockKind::Election => {
                    format!("{kind}: waits for #{}", seq_of(n))
                }
                LockKind::Herd => format!("{kind}: waits"),
            },
            Phase::Holding => format!("{kind}: HOLDS"),
            Phase::Writing => format!("{kind}: HOLDS, writing"),
            Phase::Suspended => format!("{kind}: suspended (connection lost)"),
            Phase::Releasing => format!("{kind}: releasing"),
            Phase::Done => format!("{kind}: done ({} times)", self.taken),
            Phase::Expired => format!("{kind}: session expired"),
        }
    }
}
