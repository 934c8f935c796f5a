//! The ZooKeeper words of the command language: the `zk ...` commands and the conditions
//! about the ensemble. Registered in [`crate::script::parse::SYSTEMS`].
//!
//! ```text
//! zk ensemble 5 [observers 1]    zk set-zxid zk3 0x100000007[,0x200000002]
//! zk set-epoch zk2 2             zk set-accepted-epoch zk2 3     zk config tickTime 2000
//! conditions: leader elected (run until only), leader zk5, no leader, state zk1 FOLLOWING,
//!             phase zk1 BROADCAST, sync zk1 TRUNC+DIFF,
//!             epoch 1, epoch zk3 1, vote zk1 zk5, zxid zk3 0x100000007
//! ```

use crate::ids::NodeId;
use crate::script::command::{Command, Condition};
use crate::script::cursor::{Cursor, PResult, parse_number};
use crate::script::parse::Grammar;
use crate::sim::input::Input;
use crate::zookeeper::client::SessionState;
use crate::zookeeper::conditions::ZkCondition;
use crate::zookeeper::input::{DEFAULT_SESSION_TIMEOUT_MS, ZkInput};
use crate::zookeeper::messages::ZabPhase;
use crate::zookeeper::vote::ServerState;

/// `[on zkN]`.
fn on_server(c: &mut Cursor<'_>) -> PResult<Option<u32>> {
    if c.accept("on") {
        Ok(Some(c.zk()?))
    } else {
        Ok(None)
    }
}

/// The ZooKeeper grammar.
pub const GRAMMAR: Grammar = Grammar {
    verbs: &["zk", "zkcli", "recipe"],
    command,
    conditions: &[
        "leader",
        "no",
        "state",
        "phase",
        "sync",
        "epoch",
        "vote",
        "zxid",
        "znode",
        "session",
        "watch-events",
        "holders",
        "writes",
        "inside",
        "taken",
        "sees",
    ],
    condition,
    queries: &[
        "leader",
        "epoch",
        "zxid",
        "state",
        "sync",
        "phase",
        "stat",
        "data",
        "children",
        "session",
        "watch-events",
        "holders",
        "wakeups",
        "writes",
        "inside",
        "taken",
        "sees",
    ],
    query: crate::zookeeper::queries::query,
};

/// `storeN`: a store's name (the fencing-token recipe).
pub(crate) fn store(c: &mut Cursor<'_>) -> PResult<u32> {
    let what = "a store like store1";
    let w = c.next(what)?;
    match w.text.parse::<NodeId>() {
        Ok(NodeId::Store(n)) => Ok(n),
        _ => c.fail(w, what),
    }
}

/// `c1,c2`: ZooKeeper clients, ascending.
fn zk_clients(c: &mut Cursor<'_>) -> PResult<Vec<u32>> {
    let mut v = Vec::new();
    for n in c.node_list("clients like c1,c2, or none")? {
        match n {
            NodeId::ZkClient(id) => v.push(id),
            other => {
                return Err((c.column(), format!("{other} is not a ZooKeeper client")));
            }
        }
    }
    v.sort_unstable();
    Ok(v)
}

/// `cN`: a ZooKeeper client's name.
fn client(c: &mut Cursor<'_>) -> PResult<u32> {
    let what = "a client like c1";
    let w = c.next(what)?;
    match w.text.parse::<NodeId>() {
        Ok(NodeId::ZkClient(n)) => Ok(n),
        _ => c.fail(w, what),
    }
}

/// `recipe store storeN [fencing]`, or a recipe run by clients
/// ([`crate::zookeeper::recipes::spec`]).
fn recipe(c: &mut Cursor<'_>) -> PResult<Command> {
    use crate::zookeeper::recipes::spec::{KINDS, RecipeSpec};
    let kind = c.keyword(&KINDS)?;
    if kind == "store" {
        let id = store(c)?;
        let fencing = c.accept("fencing");
        return Ok(Command::Input {
            input: Input::Zk(ZkInput::Store { id, fencing }),
        });
    }
    let mut timeout_ms = DEFAULT_SESSION_TIMEOUT_MS;
    let spec = RecipeSpec::parse(kind, c, &mut timeout_ms)?;
    Ok(Command::Input {
        input: Input::Zk(ZkInput::Recipe { spec, timeout_ms }),
    })
}

fn command(verb: &'static str, c: &mut Cursor<'_>) -> PResult<Command> {
    if verb == "recipe" {
        return recipe(c);
    }
    if verb == "zkcli" {
        let client = match c.peek() {
            Some(w) if matches!(w.text.parse::<NodeId>(), Ok(NodeId::ZkClient(_))) => {
                Some(self::client(c)?)
            }
            _ => None,
        };
        let col = c.column();
        let line = c.rest_of_line();
        if line.is_empty() {
            return Err((col, "expected a zkCli command like `ls /`".into()));
        }
        return Ok(Command::Input {
            input: Input::Zk(ZkInput::Cli {
                client,
                line: line
                    .strip_suffix(" &")
                    .map_or(line.clone(), |l| l.trim_end().to_string()),
                background: line.ends_with(" &"),
            }),
        });
    }
    let input = match c.keyword(&[
        "ensemble",
        "client",
        "set-zxid",
        "set-log",
        "set-epoch",
        "set-accepted-epoch",
        "config",
    ])? {
        "client" => {
            let id = client(c)?;
            c.keyword(&["connect"])?;
            let servers = c.node_list("servers like zk1,zk2,zk3")?;
            let mut sids = Vec::new();
            for n in servers {
                match n {
                    NodeId::Zk(s) => sids.push(s),
                    other => {
                        return Err((c.column(), format!("{other} is not a ZooKeeper server")));
                    }
                }
            }
            let timeout_ms = if c.accept("session-timeout") {
                c.number("a session timeout in ms")?
                    .min(u64::from(u32::MAX)) as u32
            } else {
                DEFAULT_SESSION_TIMEOUT_MS
            };
            let address = if c.accept("from") {
                Some(c.text("an IPv4 address like 10.0.0.7")?)
            } else {
                None
            };
            ZkInput::Client {
                id,
                servers: sids,
                timeout_ms,
                address,
            }
        }
        "ensemble" => {
            let voters = c.small("a server count (1 for standalone, up to 9)")?;
            let observers = if c.accept("observers") {
                c.small("an observer count")?
            } else {
                0
            };
            ZkInput::Ensemble { voters, observers }
        }
        "set-zxid" => {
            let sid = c.zk()?;
            let what = "zxids like 0x100000007 or 0x100000005,0x200000003";
            let w = c.next(what)?;
            let runs: Option<Vec<u64>> = w.text.split(',').map(parse_number).collect();
            ZkInput::SetZxid {
                sid,
                runs: runs.ok_or(()).or_else(|_| c.fail(w, what))?,
            }
        }
        "set-log" => {
            let sid = c.zk()?;
            let what = "zxids and ranges like 0x100000001-0x100000005,0x100000007";
            let w = c.next(what)?;
            let mut zxids = Vec::new();
            for part in w.text.split(',') {
                let (a, b) = match part.split_once('-') {
                    Some((a, b)) => (parse_number(a), parse_number(b)),
                    None => (parse_number(part), parse_number(part)),
                };
                let (Some(a), Some(b)) = (a, b) else {
                    return c.fail(w, what);
                };
                if b < a || b - a > 100_000 {
                    return Err((
                        w.column,
                        format!("`{part}` is not a range of at most 100000 zxids going up"),
                    ));
                }
                zxids.extend(a..=b);
            }
            ZkInput::SetLog { sid, zxids }
        }
        "set-epoch" => ZkInput::SetEpoch {
            sid: c.zk()?,
            epoch: c.number("an epoch")?,
        },
        "set-accepted-epoch" => ZkInput::SetAcceptedEpoch {
            sid: c.zk()?,
            epoch: c.number("an epoch")?,
        },
        _ => {
            let key = c.text("a setting like tickTime")?;
            let value = if c.accept("yes") {
                1
            } else if c.accept("no") {
                0
            } else {
                c.number("a number (yes or no for a switch)")?
            };
            ZkInput::Config { key, value }
        }
    };
    Ok(Command::Input {
        input: Input::Zk(input),
    })
}

fn condition(word: &'static str, c: &mut Cursor<'_>) -> PResult<Condition> {
    let cond = match word {
        "leader" => {
            if c.accept("elected") {
                ZkCondition::LeaderElected
            } else {
                ZkCondition::Leader { sid: c.zk()? }
            }
        }
        "no" => match c.keyword(&["leader", "znode"])? {
            "leader" => ZkCondition::NoLeader,
            _ => ZkCondition::NoZnode {
                path: c.text("a path like /app")?,
                on: on_server(c)?,
            },
        },
        "znode" => {
            let path = c.text("a path like /app")?;
            let data = if c.accept("data") {
                Some(c.text("the data, e.g. \"hello\"")?)
            } else {
                None
            };
            let version = if c.accept("version") {
                Some(c.small("a data version")? as i32)
            } else {
                None
            };
            ZkCondition::Znode {
                path,
                data,
                version,
                on: on_server(c)?,
            }
        }
        "session" => {
            let id = client(c)?;
            let what = "CONNECTED, DISCONNECTED, EXPIRED or CLOSED";
            let w = c.next(what)?;
            let state = SessionState::parse(&w.text)
                .ok_or(())
                .or_else(|_| c.fail(w, what))?;
            ZkCondition::Session { client: id, state }
        }
        "holders" => {
            let path = c.text("a lock path like /locks/l")?;
            let clients = if c.accept("none") {
                Vec::new()
            } else {
                zk_clients(c)?
            };
            ZkCondition::Holders { path, clients }
        }
        "inside" => {
            let path = c.text("a barrier path like /b")?;
            let clients = if c.accept("none") {
                Vec::new()
            } else {
                zk_clients(c)?
            };
            ZkCondition::Inside { path, clients }
        }
        "taken" => ZkCondition::Taken {
            path: c.text("a queue path like /q")?,
            count: c.small("a count")?,
        },
        "sees" => ZkCondition::Sees {
            path: c.text("a service path like /services/api")?,
            client: client(c)?,
            count: c.small("a count")?,
        },
        "writes" => {
            let store = store(c)?;
            let what = "writes like c2:ok,c1:rejected, or none";
            let w = c.next(what)?;
            let ok = w.text == "none"
                || w.text.split(',').all(|one| {
                    one.split_once(':').is_some_and(|(who, verdict)| {
                        matches!(who.parse::<NodeId>(), Ok(NodeId::ZkClient(_)))
                            && matches!(verdict, "ok" | "rejected")
                    })
                });
            if !ok {
                return c.fail(w, what);
            }
            ZkCondition::Writes {
                store,
                writes: w.text.clone(),
            }
        }
        "watch-events" => ZkCondition::WatchEvents {
            client: client(c)?,
            count: c.small("a count")?,
        },
        "state" => {
            let sid = c.zk()?;
            let what = "a state: LOOKING, FOLLOWING, LEADING or OBSERVING";
            let w = c.next(what)?;
            let state = ServerState::parse(&w.text)
                .ok_or(())
                .or_else(|_| c.fail(w, what))?;
            ZkCondition::State { sid, state }
        }
        "phase" => {
            let sid = c.zk()?;
            let what = "a phase: ELECTION, DISCOVERY, SYNCHRONIZATION or BROADCAST";
            let w = c.next(what)?;
            let phase = match w.text.as_str() {
                "ELECTION" => ZabPhase::Election,
                "DISCOVERY" => ZabPhase::Discovery,
                "SYNCHRONIZATION" => ZabPhase::Synchronization,
                "BROADCAST" => ZabPhase::Broadcast,
                _ => return c.fail(w, what),
            };
            ZkCondition::Phase { sid, phase }
        }
        "sync" => {
            let sid = c.zk()?;
            let mode = c.keyword(&["DIFF", "TRUNC", "TRUNC+DIFF", "SNAP"])?;
            ZkCondition::Sync { sid, mode }
        }
        "epoch" => {
            let sid = if c.peek().is_some_and(|w| w.text.starts_with("zk")) {
                Some(c.zk()?)
            } else {
                None
            };
            ZkCondition::Epoch {
                sid,
                epoch: c.number("an epoch number")?,
            }
        }
        "vote" => ZkCondition::Vote {
            sid: c.zk()?,
            for_sid: c.zk()?,
        },
        _ => ZkCondition::Zxid {
            sid: c.zk()?,
            zxid: c.number("a zxid like 0x100000007")?,
        },
    };
    Ok(Condition::Zk(cond))
}
