//! Group membership and service discovery with ephemeral nodes (the ZooKeeper
//! documentation's "Group Membership" in the programmer's guide and the recipes page;
//! Curator's ServiceDiscovery): each instance of a service registers
//! `<s>/inst-<session>-` EPHEMERAL_SEQUENTIAL with its address as data, and stays
//! registered exactly as long as its session lives. Watchers list the children with a
//! watch and list again on every NodeChildrenChanged, so their view follows the live
//! instances; a session that expires takes its instance out of every view.
//!
//! An instance whose create got ConnectionLoss looks for its own name before registering
//! again (the session id in the name), so it never registers twice.

use crate::zookeeper::client::{KeeperState, Reply, WatchedEvent};
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::watch::EventType;
use crate::zookeeper::proto::{CreateMode, ReplyBody};
use crate::zookeeper::recipes::{Purpose, RecipeStep, create_op, list_op, parents, short_seq};
use serde::Serialize;

/// Which side of the registry a client is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum RegistryRole {
    /// A service instance that registers itself.
    Instance,
    /// A client that keeps a view of the live instances.
    Watcher,
}

/// One client's registry recipe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegistryRecipe {
    /// The service's node.
    pub path: String,
    /// Instance or watcher.
    pub role: RegistryRole,
    /// An instance: its node once registered.
    pub node: Option<String>,
    /// A watcher: the instances it last saw, sorted.
    pub view: Vec<String>,
    /// A watcher: how many times it listed the instances.
    pub looks: u32,
    /// Its session expired.
    pub expired: bool,
    /// Its address, registered as the node's data.
    pub address: String,
    session: u64,
    connected_once: bool,
}

impl RegistryRecipe {
    /// An instance (registering `address`) or a watcher of the service at `path`.
    pub fn new(path: String, role: RegistryRole, address: String) -> RegistryRecipe {
        RegistryRecipe {
            path,
            role,
            node: None,
            view: Vec::new(),
            looks: 0,
            expired: false,
            address,
            session: 0,
            connected_once: false,
        }
    }

    fn prefix(&self) -> String {
        format!("inst-{:x}-", self.session)
    }

    fn register(&self) -> RecipeStep {
        let path = format!("{}/{}", self.path, self.prefix());
        RecipeStep {
            send: vec![(
                create_op(
                    &path,
                    CreateMode::EphemeralSequential,
                    self.address.as_bytes(),
                ),
                Purpose::Create,
            )],
            ..RecipeStep::default()
        }
    }

    fn look(&self) -> RecipeStep {
        RecipeStep {
            send: vec![list_op(&self.path, true, Purpose::List)],
            ..RecipeStep::default()
        }
    }

    /// The session is connected (the first time or again).
    pub fn on_connected(&mut self, session: u64) -> RecipeStep {
        if self.connected_once {
            // A watcher looks again after a lost connection (the watch was set again by
            // SetWatches; what changed meanwhile fired it or is in this listing).
            return match self.role {
                RegistryRole::Watcher if !self.expired => self.look(),
                _ => RecipeStep::default(),
            };
        }
        self.connected_once = true;
        self.session = session;
        let mut step = match self.role {
            RegistryRole::Instance => self.register(),
            RegistryRole::Watcher => self.look(),
        };
        let mut send = parents(&self.path);
        send.append(&mut step.send);
        step.send = send;
        step
    }

    /// A reply to one of its requests.
    pub fn on_reply(&mut self, purpose: &Purpose, reply: &Reply) -> RecipeStep {
        if self.expired {
            return RecipeStep::default();
        }
        if reply.result == Err(Code::SessionExpired) {
            return self.expire();
        }
        match (purpose, &reply.result) {
            (Purpose::Create, Ok(ReplyBody::Created { path, .. })) => {
                self.node = Some(path.clone());
                RecipeStep {
                    notes: vec![format!("registered {path}")],
                    ..RecipeStep::default()
                }
            }
            (Purpose::Create, Err(Code::ConnectionLoss)) => RecipeStep {
                send: vec![list_op(&self.path, false, Purpose::Recover)],
                ..RecipeStep::default()
            },
            (Purpose::Create, Err(_)) => self.register(),
            (Purpose::Recover, Ok(ReplyBody::Children { children, .. })) => {
                let prefix = self.prefix();
                match children.iter().find(|c| c.starts_with(&prefix)) {
                    Some(found) => {
                        self.node = Some(format!("{}/{found}", self.path));
                        RecipeStep::default()
                    }
                    None => self.register(),
                }
            }
            (Purpose::Recover, _) => RecipeStep {
                send: vec![list_op(&self.path, false, Purpose::Recover)],
                ..RecipeStep::default()
            },
            (Purpose::List, Ok(ReplyBody::Children { children, .. })) => {
                let mut v = children.clone();
                v.sort();
                self.view = v;
                self.looks += 1;
                RecipeStep::default()
            }
            (Purpose::List, Err(Code::ConnectionLoss)) => RecipeStep::default(),
            (Purpose::List, Err(_)) => self.look(),
            _ => RecipeStep::default(),
        }
    }

    fn expire(&mut self) -> RecipeStep {
        self.expired = true;
        self.node = None;
        RecipeStep {
            notes: vec!["learns its session expired".to_string()],
            ..RecipeStep::default()
        }
    }

    /// A watch notification or a state event.
    pub fn on_event(&mut self, ev: &WatchedEvent) -> RecipeStep {
        if ev.state == KeeperState::Expired {
            return self.expire();
        }
        if self.role == RegistryRole::Watcher
            && ev.kind == EventType::NodeChildrenChanged
            && ev.path.as_deref() == Some(self.path.as_str())
        {
            return self.look();
        }
        RecipeStep::default()
    }

    /// Registry clients arm no timer.
    pub fn on_timer(&mut self) -> RecipeStep {
        RecipeStep::default()
    }

    /// What the card shows.
    pub fn status(&self) -> String {
        match (self.role, self.expired) {
            (_, true) => "registry: session expired".into(),
            (RegistryRole::Instance, _) => match &self.node {
                Some(n) => format!("instance {} registered", short_seq(n)),
                None => "instance: registering".into(),
            },
            (RegistryRole::Watcher, _) => format!("watcher: sees {}", self.view.len()),
        }
    }
}
