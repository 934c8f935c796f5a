//! The distributed queue of the ZooKeeper documentation ("ZooKeeper Recipes and
//! Solutions", Queues, 3.8): producers create `<q>/item-` PERSISTENT_SEQUENTIAL nodes;
//! consumers list the children with a watch, take the lowest by deleting it, and wait for
//! the children watch when the queue is empty. The sequence number gives FIFO order.
//!
//! The documentation leaves ConnectionLoss to the reader, and both ends need care:
//! - a producer whose create got ConnectionLoss cannot tell whether the item exists; it
//!   names each item `item-<session>-<n>-` and looks for that name before putting it again
//!   (Curator's protected mode). If the item is not there (never made, or made and already
//!   taken), it puts it again: at least once, so an item may be queued twice.
//! - a consumer reads an item, then deletes it: the delete is the claim (only one
//!   consumer's delete succeeds). A delete that got ConnectionLoss is checked with
//!   `exists`: still there, delete again; gone, it counts the item as its own (it may have
//!   been another consumer's claim: at least once again, never lost). A consumer whose
//!   session expires with a delete unanswered processes the item too, for the same reason.

use crate::zookeeper::client::{KeeperState, Reply, WatchedEvent};
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::watch::EventType;
use crate::zookeeper::proto::{CreateMode, Op, ReplyBody};
use crate::zookeeper::recipes::{Purpose, RecipeStep, Wait, create_op, list_op, parents, seq_of};
use serde::Serialize;

/// Which end of the queue a client is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum QueueRole {
    /// Puts `items` items, one after another.
    Producer {
        /// How many to put.
        items: u32,
    },
    /// Takes items for ever.
    Consumer,
}

/// Where a queue client is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum QueuePhase {
    /// Waiting for its session.
    Connecting,
    /// A producer putting its next item.
    Putting,
    /// A consumer listing the queue.
    Looking,
    /// A consumer waiting for the queue to have items.
    Waiting,
    /// A consumer taking this item.
    Taking(String),
    /// A producer that put all its items.
    Done,
    /// Its session expired.
    Expired,
}

/// One client's queue recipe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueueRecipe {
    /// The queue's node.
    pub path: String,
    /// Producer or consumer.
    pub role: QueueRole,
    /// Where it is.
    pub phase: QueuePhase,
    /// A producer: the items the queue acknowledged (their data), in order.
    pub acked: Vec<String>,
    /// A consumer: the items it took (their data), in order.
    pub taken: Vec<String>,
    /// A producer: the index of the item it is putting.
    next: u32,
    /// A consumer: the data of the item it is taking.
    holding: Option<String>,
    session: u64,
    /// The name of the client running it (in the items' data).
    pub who: String,
}

impl QueueRecipe {
    /// A producer of `items` items or a consumer on the queue at `path`.
    pub fn new(path: String, role: QueueRole, who: String) -> QueueRecipe {
        QueueRecipe {
            path,
            role,
            phase: QueuePhase::Connecting,
            acked: Vec::new(),
            taken: Vec::new(),
            next: 0,
            holding: None,
            session: 0,
            who,
        }
    }

    fn prefix(&self) -> String {
        format!("item-{:x}-{}-", self.session, self.next)
    }

    fn data(&self) -> String {
        format!("{}#{}", self.who, self.next + 1)
    }

    fn put(&mut self) -> RecipeStep {
        let QueueRole::Producer { items } = self.role else {
            return RecipeStep::default();
        };
        if self.next >= items {
            self.phase = QueuePhase::Done;
            return RecipeStep::default();
        }
        self.phase = QueuePhase::Putting;
        let path = format!("{}/{}", self.path, self.prefix());
        RecipeStep {
            send: vec![(
                create_op(
                    &path,
                    CreateMode::PersistentSequential,
                    self.data().as_bytes(),
                ),
                Purpose::Create,
            )],
            ..RecipeStep::default()
        }
    }

    fn look(&mut self) -> RecipeStep {
        self.phase = QueuePhase::Looking;
        RecipeStep {
            send: vec![list_op(&self.path, true, Purpose::List)],
            ..RecipeStep::default()
        }
    }

    fn acked_one(&mut self) -> RecipeStep {
        let d = self.data();
        self.acked.push(d.clone());
        self.next += 1;
        let mut step = self.put();
        step.notes.push(format!("put {d} in {}", self.path));
        step
    }

    fn took(&mut self) -> RecipeStep {
        let mut step = self.look();
        if let Some(d) = self.holding.take() {
            step.notes.push(format!("took {d} from {}", self.path));
            self.taken.push(d);
        }
        step
    }

    /// The session is connected (the first time or again).
    pub fn on_connected(&mut self, session: u64) -> RecipeStep {
        if self.phase == QueuePhase::Connecting {
            self.session = session;
            let mut step = match self.role {
                QueueRole::Producer { .. } => self.put(),
                QueueRole::Consumer => self.look(),
            };
            let mut send = parents(&self.path);
            send.append(&mut step.send);
            step.send = send;
            return step;
        }
        // Back after a lost connection: a waiting consumer looks again (an item may have
        // come while it was away and its watch was being set again).
        if self.phase == QueuePhase::Waiting {
            return self.look();
        }
        RecipeStep::default()
    }

    /// A reply to one of its requests.
    pub fn on_reply(&mut self, purpose: &Purpose, reply: &Reply) -> RecipeStep {
        if matches!(self.phase, QueuePhase::Done | QueuePhase::Expired) {
            return RecipeStep::default();
        }
        if reply.result == Err(Code::SessionExpired) {
            return self.expired();
        }
        match (purpose, &reply.result) {
            (Purpose::Parent, _) => RecipeStep::default(),
            (Purpose::Create, Ok(_)) => self.acked_one(),
            // Did the create happen? Look for the item by its name.
            (Purpose::Create, Err(Code::ConnectionLoss)) => RecipeStep {
                send: vec![list_op(&self.path, false, Purpose::Recover)],
                ..RecipeStep::default()
            },
            (Purpose::Create, Err(_)) => self.put(),
            (Purpose::Recover, Ok(ReplyBody::Children { children, .. })) => {
                let prefix = self.prefix();
                if children.iter().any(|c| c.starts_with(&prefix)) {
                    self.acked_one()
                } else {
                    self.put()
                }
            }
            (Purpose::Recover, _) => RecipeStep {
                send: vec![list_op(&self.path, false, Purpose::Recover)],
                ..RecipeStep::default()
            },
            (Purpose::List, Ok(ReplyBody::Children { children, .. })) => {
                let mut items: Vec<&String> =
                    children.iter().filter(|c| c.starts_with("item-")).collect();
                items.sort_by_key(|c| seq_of(c));
                match items.first() {
                    None => {
                        self.phase = QueuePhase::Waiting;
                        RecipeStep::default()
                    }
                    Some(first) => {
                        let node = format!("{}/{first}", self.path);
                        self.phase = QueuePhase::Taking(node.clone());
                        RecipeStep {
                            send: vec![(
                                Op::GetData {
                                    path: node.clone(),
                                    watch: false,
                                },
                                Purpose::Get(node),
                            )],
                            ..RecipeStep::default()
                        }
                    }
                }
            }
            (Purpose::Get(node), Ok(ReplyBody::Data { data, stat })) => {
                self.holding =
                    Some(String::from_utf8_lossy(data.as_deref().unwrap_or(&[])).into_owned());
                RecipeStep {
                    send: vec![(
                        Op::Delete {
                            path: node.clone(),
                            version: stat.version,
                        },
                        Purpose::Take(node.clone()),
                    )],
                    ..RecipeStep::default()
                }
            }
            (Purpose::Take(_), Ok(_)) => self.took(),
            (Purpose::Take(node), Err(Code::ConnectionLoss))
            | (Purpose::TakeCheck(node), Err(Code::ConnectionLoss)) => RecipeStep {
                send: vec![(
                    Op::Exists {
                        path: node.clone(),
                        watch: false,
                    },
                    Purpose::TakeCheck(node.clone()),
                )],
                ..RecipeStep::default()
            },
            (Purpose::TakeCheck(node), Ok(_)) => RecipeStep {
                send: vec![(
                    Op::Delete {
                        path: node.clone(),
                        version: -1,
                    },
                    Purpose::Take(node.clone()),
                )],
                ..RecipeStep::default()
            },
            // Gone after a lost reply: perhaps its own delete. Count it (at least once).
            (Purpose::TakeCheck(_), Err(Code::NoNode)) => self.took(),
            // Someone else took it (or a failed read): look again.
            (Purpose::Take(_) | Purpose::Get(_) | Purpose::List | Purpose::TakeCheck(_), _) => {
                self.holding = None;
                self.look()
            }
            _ => RecipeStep::default(),
        }
    }

    /// A watch notification or a state event.
    pub fn on_event(&mut self, ev: &WatchedEvent) -> RecipeStep {
        if ev.state == KeeperState::Expired {
            return self.expired();
        }
        if self.phase == QueuePhase::Waiting
            && ev.kind == EventType::NodeChildrenChanged
            && ev.path.as_deref() == Some(self.path.as_str())
        {
            return self.look();
        }
        RecipeStep::default()
    }

    /// Its session expired. A consumer that had sent the delete of an item cannot know
    /// whether the delete happened: it processes the item it read (if the delete did not
    /// happen, another consumer takes the item too: at least once, never lost).
    fn expired(&mut self) -> RecipeStep {
        self.phase = QueuePhase::Expired;
        let mut notes = vec!["learns its session expired".to_string()];
        if let Some(d) = self.holding.take() {
            notes.push(format!("processes {d}, which it may or may not have taken"));
            self.taken.push(d);
        }
        RecipeStep {
            notes,
            ..RecipeStep::default()
        }
    }

    /// Queue clients arm no timer.
    pub fn on_timer(&mut self) -> RecipeStep {
        RecipeStep::default()
    }

    /// What it waits for, if anything.
    pub fn waits_for(&self) -> Option<Wait> {
        (self.phase == QueuePhase::Waiting).then(|| Wait::Children(self.path.clone()))
    }

    /// What the card shows.
    pub fn status(&self) -> String {
        match (&self.role, &self.phase) {
            (_, QueuePhase::Connecting) => "queue: connecting".into(),
            (QueueRole::Producer { items }, QueuePhase::Putting) => {
                format!("producer: put {}/{items}", self.next)
            }
            (QueueRole::Producer { items }, QueuePhase::Done) => {
                format!("producer: put {items}/{items}")
            }
            (_, QueuePhase::Waiting) => format!("consumer: took {}, queue empty", self.taken.len()),
            (_, QueuePhase::Taking(_)) | (_, QueuePhase::Looking) => {
                format!("consumer: took {}", self.taken.len())
            }
            (_, QueuePhase::Expired) => "queue: session expired".into(),
            _ => "queue".into(),
        }
    }
}
