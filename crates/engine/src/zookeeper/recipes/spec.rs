//! The `recipe` command: which recipe, on which path, run by how many clients, and the
//! program each client runs. Grammar (every duration like `500ms` or `2s`):
//!
//! ```text
//! recipe lock /locks/l clients 5 [herd|fair|read|write] [hold D] [rounds N] [store storeN]
//! recipe election /election clients 3 [lead D] [rounds N]
//! recipe barrier /b clients 3 [work D]
//! recipe queue /q producers 2 consumers 2 [items N]
//! recipe registry /services/api instances 3 [watchers 2]
//! recipe store store1 [fencing]
//! ```
//!
//! each client line may end with `session-timeout MS` (default 30000, zkCli's).

use crate::script::cursor::{Cursor, PResult};
use crate::sim::world::World;
use crate::zookeeper::recipes::{
    BarrierRecipe, LockKind, LockRecipe, QueueRecipe, QueueRole, Recipe, RegistryRecipe,
    RegistryRole,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One `recipe` line's recipe (without the session timeout, which every kind takes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "recipe", rename_all = "snake_case")]
pub enum RecipeSpec {
    /// A lock taken by `clients` clients.
    Lock {
        /// The lock's path (herd: the lock node; the others: the queue's parent).
        path: String,
        /// Herd, fair, read or write.
        kind: LockKind,
        /// How many clients.
        clients: u32,
        /// How long a holder keeps it, ms.
        hold_ms: u64,
        /// How many times each client takes it.
        rounds: u32,
        /// Each holder writes to this store at the end of its hold, with its fencing token.
        store: Option<u32>,
    },
    /// Leader election among `clients` candidates; each leads for `lead_ms` and steps
    /// down, `rounds` times.
    Election {
        /// The election's parent node.
        path: String,
        /// How many candidates.
        clients: u32,
        /// How long a leader leads before it steps down, ms.
        lead_ms: u64,
        /// How many terms each candidate serves.
        rounds: u32,
    },
    /// A double barrier for `clients` clients.
    Barrier {
        /// The barrier's node.
        path: String,
        /// How many clients (the barrier's size).
        clients: u32,
        /// How long each computes inside, ms.
        work_ms: u64,
    },
    /// A queue with producers and consumers.
    Queue {
        /// The queue's node.
        path: String,
        /// How many producers.
        producers: u32,
        /// How many consumers.
        consumers: u32,
        /// How many items each producer puts.
        items: u32,
    },
    /// A service registry: instances register, watchers follow them.
    Registry {
        /// The service's node.
        path: String,
        /// How many instances.
        instances: u32,
        /// How many watchers.
        watchers: u32,
    },
}

/// Every recipe kind, as the `recipe` command spells them.
pub const KINDS: [&str; 6] = ["lock", "election", "barrier", "queue", "registry", "store"];

impl RecipeSpec {
    /// Reads the words after `recipe <kind>` up to `session-timeout`, which the caller
    /// reads. `kind` is one of [`KINDS`] other than `store`.
    pub(crate) fn parse(
        kind: &str,
        c: &mut Cursor<'_>,
        timeout_ms: &mut u32,
    ) -> PResult<RecipeSpec> {
        let path = c.text("a path like /locks/l")?;
        let mut spec = match kind {
            "lock" => {
                c.keyword(&["clients"])?;
                RecipeSpec::Lock {
                    path,
                    kind: LockKind::Fair,
                    clients: c.small("how many clients")?,
                    hold_ms: 500,
                    rounds: 2,
                    store: None,
                }
            }
            "election" => {
                c.keyword(&["clients"])?;
                RecipeSpec::Election {
                    path,
                    clients: c.small("how many candidates")?,
                    lead_ms: 2_000,
                    rounds: 1,
                }
            }
            "barrier" => {
                c.keyword(&["clients"])?;
                RecipeSpec::Barrier {
                    path,
                    clients: c.small("how many clients")?,
                    work_ms: 1_000,
                }
            }
            "queue" => {
                c.keyword(&["producers"])?;
                let producers = c.small("how many producers")?;
                c.keyword(&["consumers"])?;
                RecipeSpec::Queue {
                    path,
                    producers,
                    consumers: c.small("how many consumers")?,
                    items: 3,
                }
            }
            _ => {
                c.keyword(&["instances"])?;
                RecipeSpec::Registry {
                    path,
                    instances: c.small("how many instances")?,
                    watchers: 1,
                }
            }
        };
        while c.peek().is_some() {
            let options: &[&'static str] = match &spec {
                RecipeSpec::Lock { .. } => &[
                    "herd",
                    "fair",
                    "read",
                    "write",
                    "hold",
                    "rounds",
                    "store",
                    "session-timeout",
                ],
                RecipeSpec::Election { .. } => &["lead", "rounds", "session-timeout"],
                RecipeSpec::Barrier { .. } => &["work", "session-timeout"],
                RecipeSpec::Queue { .. } => &["items", "session-timeout"],
                RecipeSpec::Registry { .. } => &["watchers", "session-timeout"],
            };
            let word = c.keyword(options)?;
            match (&mut spec, word) {
                (_, "session-timeout") => {
                    *timeout_ms = c
                        .number("a session timeout in ms")?
                        .min(u64::from(u32::MAX)) as u32
                }
                (RecipeSpec::Lock { kind, .. }, "herd") => *kind = LockKind::Herd,
                (RecipeSpec::Lock { kind, .. }, "fair") => *kind = LockKind::Fair,
                (RecipeSpec::Lock { kind, .. }, "read") => *kind = LockKind::Read,
                (RecipeSpec::Lock { kind, .. }, "write") => *kind = LockKind::Write,
                (RecipeSpec::Lock { hold_ms, .. }, "hold") => *hold_ms = c.duration()?,
                (RecipeSpec::Lock { store, .. }, "store") => {
                    *store = Some(crate::zookeeper::script::store(c)?)
                }
                (RecipeSpec::Lock { rounds, .. } | RecipeSpec::Election { rounds, .. }, _)
                    if word == "rounds" =>
                {
                    *rounds = c.small("how many rounds")?
                }
                (RecipeSpec::Election { lead_ms, .. }, "lead") => *lead_ms = c.duration()?,
                (RecipeSpec::Barrier { work_ms, .. }, "work") => *work_ms = c.duration()?,
                (RecipeSpec::Queue { items, .. }, "items") => *items = c.small("how many items")?,
                (RecipeSpec::Registry { watchers, .. }, _) => {
                    *watchers = c.small("how many watchers")?
                }
                _ => {}
            }
        }
        Ok(spec)
    }

    /// The recipe's node.
    pub fn path(&self) -> &str {
        match self {
            RecipeSpec::Lock { path, .. }
            | RecipeSpec::Election { path, .. }
            | RecipeSpec::Barrier { path, .. }
            | RecipeSpec::Queue { path, .. }
            | RecipeSpec::Registry { path, .. } => path,
        }
    }

    /// How many clients it starts.
    pub fn clients(&self) -> u32 {
        match self {
            RecipeSpec::Lock { clients, .. }
            | RecipeSpec::Election { clients, .. }
            | RecipeSpec::Barrier { clients, .. } => *clients,
            RecipeSpec::Queue {
                producers,
                consumers,
                ..
            } => producers + consumers,
            RecipeSpec::Registry {
                instances,
                watchers,
                ..
            } => instances + watchers,
        }
    }

    /// Why it cannot start in `w`, if it cannot.
    pub fn check(&self, w: &World) -> Result<(), String> {
        let path = self.path();
        crate::zookeeper::data::path::validate(path, false)?;
        if path == "/" || path.starts_with("/zookeeper") {
            return Err(format!("{path} cannot hold a recipe (a reserved path)"));
        }
        if !(1..=9).contains(&self.clients()) {
            return Err(format!(
                "a recipe runs 1 to 9 clients, not {}",
                self.clients()
            ));
        }
        if let RecipeSpec::Lock { store: Some(s), .. } = self
            && w.store(*s).is_none()
        {
            return Err(format!(
                "there is no store store{s}: start one with `recipe store store{s} fencing`"
            ));
        }
        Ok(())
    }

    /// The program of its `i`-th client (from 0), which is client `cN`.
    pub fn program(&self, i: u32, client: u32) -> Recipe {
        let path = self.path().to_string();
        match self {
            RecipeSpec::Lock {
                kind,
                hold_ms,
                rounds,
                store,
                ..
            } => Recipe::Lock(
                LockRecipe::new(path, *kind, *hold_ms, *rounds)
                    .with_store(store.map(crate::ids::NodeId::Store)),
            ),
            RecipeSpec::Election {
                lead_ms, rounds, ..
            } => Recipe::Lock(LockRecipe::new(path, LockKind::Election, *lead_ms, *rounds)),
            RecipeSpec::Barrier {
                clients, work_ms, ..
            } => Recipe::Barrier(BarrierRecipe::new(path, *clients, *work_ms)),
            RecipeSpec::Queue {
                producers, items, ..
            } => {
                let role = if i < *producers {
                    QueueRole::Producer { items: *items }
                } else {
                    QueueRole::Consumer
                };
                Recipe::Queue(QueueRecipe::new(path, role, format!("c{client}")))
            }
            RecipeSpec::Registry { instances, .. } => {
                let role = if i < *instances {
                    RegistryRole::Instance
                } else {
                    RegistryRole::Watcher
                };
                Recipe::Registry(RegistryRecipe::new(
                    path,
                    role,
                    format!("10.0.1.{client}:8080"),
                ))
            }
        }
    }
}

impl fmt::Display for RecipeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = crate::sim::input::duration;
        match self {
            RecipeSpec::Lock {
                path,
                kind,
                clients,
                hold_ms,
                rounds,
                store,
            } => {
                let kind = match kind {
                    LockKind::Herd => "herd",
                    LockKind::Fair | LockKind::Election => "fair",
                    LockKind::Read => "read",
                    LockKind::Write => "write",
                };
                write!(
                    f,
                    "recipe lock {path} clients {clients} {kind} hold {} rounds {rounds}",
                    d(*hold_ms)
                )?;
                if let Some(s) = store {
                    write!(f, " store store{s}")?;
                }
                Ok(())
            }
            RecipeSpec::Election {
                path,
                clients,
                lead_ms,
                rounds,
            } => write!(
                f,
                "recipe election {path} clients {clients} lead {} rounds {rounds}",
                d(*lead_ms)
            ),
            RecipeSpec::Barrier {
                path,
                clients,
                work_ms,
            } => write!(
                f,
                "recipe barrier {path} clients {clients} work {}",
                d(*work_ms)
            ),
            RecipeSpec::Queue {
                path,
                producers,
                consumers,
                items,
            } => write!(
                f,
                "recipe queue {path} producers {producers} consumers {consumers} items {items}"
            ),
            RecipeSpec::Registry {
                path,
                instances,
                watchers,
            } => write!(
                f,
                "recipe registry {path} instances {instances} watchers {watchers}"
            ),
        }
    }
}
