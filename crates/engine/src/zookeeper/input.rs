//! The ZooKeeper inputs of the command language (`zk ...`): building an ensemble, what its
//! servers hold on disk before they start, and zoo.cfg timing. Each input is printed in
//! canonical form, checked against the world, then applied.

use crate::ids::NodeId;
use crate::sim::node::Node;
use crate::sim::trace::TraceEvent;
use crate::sim::world::{InputError, World};
use crate::zookeeper::client::ZkClient;
use crate::zookeeper::config::ZkConfig;
use crate::zookeeper::data::txn::Txn;
use crate::zookeeper::recipes::spec::RecipeSpec;
use crate::zookeeper::recipes::store::Store;
use crate::zookeeper::server::{ZkDisk, ZkServer};
use crate::zookeeper::zxid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A change to the ZooKeeper side of the world.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "zk", rename_all = "snake_case")]
pub enum ZkInput {
    /// `zk ensemble N [observers M]`: create servers zk1..zkN (voters) and M observers after
    /// them, all stopped.
    Ensemble {
        /// Voting servers (2 to 9).
        voters: u32,
        /// Observers (0 to 3).
        observers: u32,
    },
    /// `zk set-zxid zkN 0x100000005[,0x200000003...]`: give a stopped server a history.
    /// Each zxid stands for the transactions `1..=counter` of its epoch, in turn, so a
    /// history can span epochs; a counter of 0 is a snapshot at `epoch << 32` (what a
    /// learner holds after SNAP from a freshly established leader). Both epoch files take
    /// the last epoch (and never go back).
    SetZxid {
        /// Server id.
        sid: u32,
        /// The zxid that ends each epoch's run, epochs ascending.
        runs: Vec<u64>,
    },
    /// `zk set-log zkN 0x100000001-0x100000005,0x100000007`: give a stopped server a log
    /// holding exactly these zxids (ranges and single zxids, ascending), holes included. ZAB
    /// never leaves a hole in a log; this is for showing what ZooKeeper's code does with one
    /// (the TRUNC-then-DIFF branch of `LearnerHandler.queueCommittedProposals`).
    SetLog {
        /// Server id.
        sid: u32,
        /// The zxids, ascending.
        zxids: Vec<u64>,
    },
    /// `zk set-epoch zkN E`: set a stopped server's currentEpoch to E, and its acceptedEpoch
    /// to E unless an earlier `set-accepted-epoch` left it higher (ZooKeeper keeps
    /// acceptedEpoch ≥ currentEpoch; `QuorumPeer.loadDataBase` refuses the other way round).
    SetEpoch {
        /// Server id.
        sid: u32,
        /// The epoch.
        epoch: u64,
    },
    /// `zk set-accepted-epoch zkN E`: set a stopped server's acceptedEpoch only (a server
    /// that accepted a LEADERINFO but never finished syncing).
    SetAcceptedEpoch {
        /// Server id.
        sid: u32,
        /// The epoch.
        epoch: u64,
    },
    /// `zk config <key> <value>`: a zoo.cfg timing setting.
    Config {
        /// Setting name (tickTime, initLimit, ...).
        key: String,
        /// Value (ms or ticks).
        value: u64,
    },
    /// `zk client cN connect zk1,zk2,zk3 [session-timeout MS]`: start a zkCli process
    /// (`zkCli.sh -waitforconnection -timeout MS -server ...`) on its own host.
    Client {
        /// Its number.
        id: u32,
        /// The servers of its connect string.
        servers: Vec<u32>,
        /// The session timeout it asks for, ms (zkCli's default: 30000).
        timeout_ms: u32,
        /// Its address (`from 10.0.0.7`; default `10.0.1.N`). A client on a server's own
        /// host (`from 127.0.0.1`) connects as zkCli does by default, to `localhost:2181`.
        address: Option<String>,
    },
    /// `recipe <kind> <path> ... [session-timeout MS]` (see
    /// [`crate::zookeeper::recipes::spec`]): start clients (the next free numbers), each
    /// connected to every server and running its part of the recipe instead of a console.
    Recipe {
        /// Which recipe, where, and how many clients.
        spec: RecipeSpec,
        /// The session timeout each client asks for, ms.
        timeout_ms: u32,
    },
    /// `recipe store storeN [fencing]`: start a store that lock holders write to; with
    /// `fencing` it rejects a token older than the newest it accepted.
    Store {
        /// Its number.
        id: u32,
        /// Checks fencing tokens.
        fencing: bool,
    },
    /// `zkcli [cN] <line>`: a line typed into client cN's zkCli (the first client when
    /// none is named).
    Cli {
        /// The client, or the first one.
        client: Option<u32>,
        /// The line, as zkCli reads it.
        line: String,
        /// `zkcli c1 create /a x &`: the script goes on at once instead of waiting for
        /// the command's answer (so a fault can strike while the write is in flight).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        background: bool,
    },
}

impl fmt::Display for ZkInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZkInput::Ensemble {
                voters,
                observers: 0,
            } => write!(f, "zk ensemble {voters}"),
            ZkInput::Ensemble { voters, observers } => {
                write!(f, "zk ensemble {voters} observers {observers}")
            }
            ZkInput::SetZxid { sid, runs } => {
                let runs: Vec<String> = runs.iter().map(|z| zxid::hex(*z)).collect();
                write!(f, "zk set-zxid zk{sid} {}", runs.join(","))
            }
            ZkInput::SetLog { sid, zxids } => {
                write!(f, "zk set-log zk{sid} {}", zxid_ranges(zxids))
            }
            ZkInput::Recipe { spec, timeout_ms } => {
                write!(f, "{spec}")?;
                if *timeout_ms != DEFAULT_SESSION_TIMEOUT_MS {
                    write!(f, " session-timeout {timeout_ms}")?;
                }
                Ok(())
            }
            ZkInput::Store { id, fencing } => {
                write!(f, "recipe store store{id}")?;
                if *fencing {
                    f.write_str(" fencing")?;
                }
                Ok(())
            }
            ZkInput::SetEpoch { sid, epoch } => write!(f, "zk set-epoch zk{sid} {epoch}"),
            ZkInput::SetAcceptedEpoch { sid, epoch } => {
                write!(f, "zk set-accepted-epoch zk{sid} {epoch}")
            }
            ZkInput::Config { key, value } if ZkConfig::SWITCHES.contains(&key.as_str()) => {
                write!(
                    f,
                    "zk config {key} {}",
                    if *value == 0 { "no" } else { "yes" }
                )
            }
            ZkInput::Config { key, value } => write!(f, "zk config {key} {value}"),
            ZkInput::Client {
                id,
                servers,
                timeout_ms,
                address,
            } => {
                let list: Vec<String> = servers.iter().map(|s| format!("zk{s}")).collect();
                write!(f, "zk client c{id} connect {}", list.join(","))?;
                if *timeout_ms != DEFAULT_SESSION_TIMEOUT_MS {
                    write!(f, " session-timeout {timeout_ms}")?;
                }
                if let Some(a) = address {
                    write!(f, " from {a}")?;
                }
                Ok(())
            }
            ZkInput::Cli {
                client,
                line,
                background,
            } => {
                write!(f, "zkcli ")?;
                if let Some(c) = client {
                    write!(f, "c{c} ")?;
                }
                write!(f, "{line}{}", if *background { " &" } else { "" })
            }
        }
    }
}

/// Zxids written back as ranges: `0x100000001-0x100000005,0x100000007`.
pub fn zxid_ranges(zxids: &[u64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < zxids.len() {
        let mut j = i;
        while j + 1 < zxids.len() && zxids[j + 1] == zxids[j] + 1 {
            j += 1;
        }
        parts.push(if j == i {
            zxid::hex(zxids[i])
        } else {
            format!("{}-{}", zxid::hex(zxids[i]), zxid::hex(zxids[j]))
        });
        i = j + 1;
    }
    parts.join(",")
}

/// The client with the smallest number.
pub fn first_client(w: &World) -> Option<u32> {
    w.zk_clients().map(|c| c.id).min()
}

/// zkCli's default session timeout (`-timeout`), ms.
pub const DEFAULT_SESSION_TIMEOUT_MS: u32 = 30_000;

fn err<T>(msg: impl Into<String>) -> Result<T, InputError> {
    Err(InputError(msg.into()))
}

impl ZkInput {
    /// What the script waits for after this input: a `zkcli` line runs to completion.
    pub fn settle(&self, w: &World) -> Option<crate::zookeeper::conditions::ZkCondition> {
        match self {
            ZkInput::Cli {
                background: false,
                client,
                ..
            } => client
                .or_else(|| first_client(w))
                .map(|client| crate::zookeeper::conditions::ZkCondition::ConsoleIdle { client }),
            _ => None,
        }
    }

    /// Checks the input against `w`; nothing changes on error.
    pub(crate) fn validate(&self, w: &World) -> Result<(), InputError> {
        match self {
            ZkInput::Ensemble { voters, observers } => {
                if w.slots().any(|(id, _)| id.is_zk()) {
                    return err("a ZooKeeper ensemble already exists in this world");
                }
                if !(1..=9).contains(voters) {
                    return err(format!(
                        "an ensemble needs 1 (standalone) to 9 voting servers, not {voters}"
                    ));
                }
                if *voters == 1 && *observers > 0 {
                    return err("a standalone server (an ensemble of 1) has no observers");
                }
                if *observers > 3 {
                    return err(format!("at most 3 observers, not {observers}"));
                }
            }
            ZkInput::SetZxid { sid, .. }
            | ZkInput::SetLog { sid, .. }
            | ZkInput::SetEpoch { sid, .. }
            | ZkInput::SetAcceptedEpoch { sid, .. } => {
                let id = NodeId::Zk(*sid);
                if w.slot(id).is_none() {
                    return err(format!("there is no node {id}"));
                }
                if w.status(id).is_some_and(|s| s.has_process()) {
                    return err(format!(
                        "{id} is running: change what is on its disk before `start`"
                    ));
                }
                let Some(s) = w.zk(*sid) else {
                    return err(format!("{id} is not a ZooKeeper server"));
                };
                let disk = s.disk();
                match self {
                    ZkInput::SetZxid { runs, .. } => {
                        if runs.is_empty() {
                            return err("give at least one zxid");
                        }
                        for z in runs {
                            if zxid::counter_of(*z) > 100_000 {
                                return err(format!(
                                    "zxid {} has a counter above 100000; use a smaller one",
                                    zxid::hex(*z)
                                ));
                            }
                        }
                        if runs
                            .windows(2)
                            .any(|p| zxid::epoch_of(p[0]) >= zxid::epoch_of(p[1]))
                        {
                            return err("each zxid must be of a later epoch than the one before");
                        }
                    }
                    ZkInput::SetLog { zxids, .. } => {
                        if zxids.is_empty() {
                            return err("give at least one zxid");
                        }
                        if zxids.len() > 100_000 {
                            return err("give at most 100000 zxids");
                        }
                        if zxids.windows(2).any(|p| p[0] >= p[1]) {
                            return err("the zxids must go up");
                        }
                        if zxids.iter().any(|z| zxid::counter_of(*z) == 0) {
                            return err(format!(
                                "{} is no transaction (its counter is 0)",
                                zxids
                                    .iter()
                                    .find(|z| zxid::counter_of(**z) == 0)
                                    .map_or(String::new(), |z| zxid::hex(*z))
                            ));
                        }
                    }
                    ZkInput::SetEpoch { epoch, .. } => {
                        let last = disk.last_zxid();
                        if *epoch < zxid::epoch_of(last) {
                            // QuorumPeer.loadDataBase refuses to start such a server.
                            return err(format!(
                                "The current epoch, {epoch:x}, is older than the last zxid, {last} ({id}'s last zxid is {})",
                                zxid::hex(last)
                            ));
                        }
                    }
                    ZkInput::SetAcceptedEpoch { epoch, .. } if *epoch < disk.current_epoch => {
                        return err(format!(
                            "The accepted epoch, {epoch} is less than the current epoch, {}",
                            disk.current_epoch
                        ));
                    }
                    _ => {}
                }
            }
            ZkInput::Config { key, value } => {
                w.zk_config().clone().set(key, *value).map_err(InputError)?;
            }
            ZkInput::Client {
                id,
                servers,
                timeout_ms,
                address,
            } => {
                if let Some(a) = address
                    && !crate::zookeeper::data::acl::is_ipv4(a)
                {
                    return err(format!("`{a}` is not an IPv4 address like 10.0.0.7"));
                }
                let me = NodeId::ZkClient(*id);
                if w.slot(me).is_some() {
                    return err(format!("{me} already exists"));
                }
                if servers.is_empty() {
                    return err("a connect string names at least one server");
                }
                for s in servers {
                    if w.zk(*s).is_none() {
                        return err(format!("there is no ZooKeeper server zk{s}"));
                    }
                }
                if !(1..=3_600_000).contains(timeout_ms) {
                    return err(format!(
                        "a session timeout is between 1 and 3600000 ms, not {timeout_ms}"
                    ));
                }
            }
            ZkInput::Store { id, .. } => {
                if w.status(NodeId::Store(*id)).is_some() {
                    return err(format!("store{id} already exists"));
                }
            }
            ZkInput::Recipe { spec, timeout_ms } => {
                spec.check(w).map_err(InputError)?;
                if w.zk_sids().is_empty() {
                    return err("there is no ZooKeeper server: `zk ensemble 3` first");
                }
                if !(1..=3_600_000).contains(timeout_ms) {
                    return err(format!(
                        "a session timeout is between 1 and 3600000 ms, not {timeout_ms}"
                    ));
                }
            }
            ZkInput::Cli { client, .. } => {
                let Some(id) = client.or_else(|| first_client(w)) else {
                    return err(
                        "there is no ZooKeeper client: start one with `zk client c1 connect zk1`",
                    );
                };
                let me = NodeId::ZkClient(id);
                match w.status(me) {
                    None => {
                        return err(format!(
                            "there is no client {me}: start one with `zk client {me} connect zk1`"
                        ));
                    }
                    Some(crate::sim::node::Status::Running) => {}
                    Some(s) => {
                        return err(format!("{me} is {}: its zkCli reads nothing", s.name()));
                    }
                }
            }
        }
        Ok(())
    }

    /// Applies the (validated) input.
    pub(crate) fn apply(&self, w: &mut World, sink: &mut Vec<TraceEvent>) {
        match self {
            ZkInput::Ensemble { voters, observers } => {
                for sid in 1..=voters + observers {
                    let mut server =
                        ZkServer::new(sid, sid > *voters, w.zk_config().clone(), 1..=*voters);
                    if *voters == 1 {
                        server.set_standalone();
                    }
                    w.add_node(NodeId::Zk(sid), Node::Zk(Box::new(server)));
                }
            }
            ZkInput::Client {
                id,
                servers,
                timeout_ms,
                address,
            } => {
                let mut c = ZkClient::new(*id, servers.clone(), *timeout_ms);
                if let Some(a) = address {
                    c.address = a.clone();
                }
                c.console.host = if c.address == "127.0.0.1" {
                    "localhost:2181".to_string()
                } else {
                    servers
                        .iter()
                        .map(|s| format!("zk{s}:2181"))
                        .collect::<Vec<_>>()
                        .join(",")
                };
                let me = NodeId::ZkClient(*id);
                w.add_node(me, Node::ZkClient(Box::new(c)));
                w.start_node(sink, me);
            }
            ZkInput::Recipe { spec, timeout_ms } => {
                let servers = w.zk_sids();
                let first = w.zk_clients().map(|c| c.id).max().unwrap_or(0) + 1;
                for i in 0..spec.clients() {
                    let id = first + i;
                    let mut c = ZkClient::new(id, servers.clone(), *timeout_ms);
                    c.recipe = Some(spec.program(i, id));
                    let me = NodeId::ZkClient(id);
                    w.add_node(me, Node::ZkClient(Box::new(c)));
                    w.start_node(sink, me);
                }
            }
            ZkInput::Store { id, fencing } => {
                let me = NodeId::Store(*id);
                w.add_node(me, Node::Store(Box::new(Store::new(*id, *fencing))));
                w.start_node(sink, me);
            }
            ZkInput::Cli { client, line, .. } => {
                let line = line.clone();
                let Some(id) = client.or_else(|| first_client(w)) else {
                    return;
                };
                w.run_node(sink, NodeId::ZkClient(id), |n, ctx| {
                    if let Node::ZkClient(c) = n {
                        c.console_line(ctx, &line);
                    }
                });
            }
            ZkInput::SetZxid { sid, runs } => {
                if let Some(s) = w.zk_mut(*sid) {
                    let mut disk = ZkDisk::with_history(runs);
                    disk.current_epoch = disk.current_epoch.max(s.disk().current_epoch);
                    disk.accepted_epoch = disk.accepted_epoch.max(s.disk().accepted_epoch);
                    s.set_disk(disk);
                }
            }
            ZkInput::SetLog { sid, zxids } => {
                if let Some(s) = w.zk_mut(*sid) {
                    let epoch = zxids.last().map_or(0, |z| zxid::epoch_of(*z));
                    let disk = ZkDisk {
                        current_epoch: epoch.max(s.disk().current_epoch),
                        accepted_epoch: epoch.max(s.disk().accepted_epoch),
                        snapshot: 0,
                        txns: zxids.iter().map(|z| Txn::opaque(*z)).collect(),
                        unsynced: Vec::new(),
                    };
                    s.set_disk(disk);
                }
            }
            ZkInput::SetAcceptedEpoch { sid, epoch } => {
                if let Some(s) = w.zk_mut(*sid) {
                    let mut disk = s.disk().clone();
                    disk.accepted_epoch = *epoch;
                    s.set_disk(disk);
                }
            }
            ZkInput::SetEpoch { sid, epoch } => {
                if let Some(s) = w.zk_mut(*sid) {
                    let mut disk = s.disk().clone();
                    // Keep a higher acceptedEpoch set by `set-accepted-epoch`, in whichever
                    // order the two commands came.
                    if disk.accepted_epoch < *epoch || disk.accepted_epoch == disk.current_epoch {
                        disk.accepted_epoch = *epoch;
                    }
                    disk.current_epoch = *epoch;
                    s.set_disk(disk);
                }
            }
            ZkInput::Config { key, value } => {
                let _ = w.zk_config_mut().set(key, *value);
                let cfg = w.zk_config().clone();
                for sid in w.zk_sids() {
                    if let Some(s) = w.zk_mut(sid) {
                        s.set_config(cfg.clone());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::input::Input;
    use crate::sim::timeline::Timeline;

    fn epochs(t: &Timeline, sid: u32) -> (u64, u64) {
        let d = t.world().zk(sid).expect("server").disk();
        (d.current_epoch, d.accepted_epoch)
    }

    #[test]
    fn set_epoch_keeps_a_higher_accepted_epoch_in_either_order() {
        let mut t = Timeline::new(1);
        let ensemble = ZkInput::Ensemble {
            voters: 3,
            observers: 0,
        };
        t.apply(Input::Zk(ensemble)).expect("ensemble");
        let set = |epoch| Input::Zk(ZkInput::SetEpoch { sid: 2, epoch });
        let accept = |epoch| Input::Zk(ZkInput::SetAcceptedEpoch { sid: 2, epoch });
        t.apply(accept(3)).expect("accepted epoch");
        t.apply(set(2)).expect("epoch");
        assert_eq!(epochs(&t, 2), (2, 3));
        t.apply(set(1)).expect("lower epoch");
        assert_eq!(epochs(&t, 2), (1, 3));
        t.apply(set(4)).expect("higher epoch");
        assert_eq!(epochs(&t, 2), (4, 4));
        // Without a separate acceptedEpoch, set-epoch sets both, down as well as up.
        t.apply(set(2)).expect("epoch down");
        assert_eq!(epochs(&t, 2), (2, 2));
        assert!(
            t.apply(accept(1)).is_err(),
            "acceptedEpoch below currentEpoch"
        );
    }
}
