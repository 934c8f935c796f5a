//! ZooKeeper conditions of the command language (`expect leader zk5`, `run until leader
//! elected`, ...), checked against the world. A failed check says what it found instead.

use crate::ids::NodeId;
use crate::script::command::equal;
use crate::sim::world::World;
use crate::zookeeper::client::SessionState;
use crate::zookeeper::messages::ZabPhase;
use crate::zookeeper::server::ZkServer;
use crate::zookeeper::vote::ServerState;
use crate::zookeeper::zxid::hex;

/// Something about the ensemble that can be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZkCondition {
    /// `leader elected` (only with `run until`): a leader is established in an epoch newer
    /// than any established leader had when the run began.
    LeaderElected,
    /// `leader zkN`: zkN is the established leader (LEADING, ZAB phase BROADCAST).
    Leader {
        /// Its sid.
        sid: u32,
    },
    /// `no leader`: no running server is an established leader.
    NoLeader,
    /// `state zkN LOOKING|FOLLOWING|LEADING|OBSERVING`.
    State {
        /// Server id.
        sid: u32,
        /// The state.
        state: ServerState,
    },
    /// `phase zkN ELECTION|DISCOVERY|SYNCHRONIZATION|BROADCAST`: its ZAB phase
    /// (`QuorumPeer.ZabState`).
    Phase {
        /// The server.
        sid: u32,
        /// The phase.
        phase: ZabPhase,
    },
    /// `sync zkN DIFF|TRUNC|TRUNC+DIFF|SNAP`: how its leader synced it when it last joined.
    Sync {
        /// The server.
        sid: u32,
        /// The mode's name.
        mode: &'static str,
    },
    /// `epoch N` (the established leader's currentEpoch) or `epoch zkN N`.
    Epoch {
        /// A server, or the established leader.
        sid: Option<u32>,
        /// The expected currentEpoch.
        epoch: u64,
    },
    /// `vote zkN zkM`: zkN's vote (or decided leader) is zkM.
    Vote {
        /// The voter.
        sid: u32,
        /// Whom it votes for.
        for_sid: u32,
    },
    /// `zxid zkN 0x...`: zkN's last zxid: `lastProcessedZxid` while it runs (what `srvr`
    /// shows), what a start would load from disk while it does not.
    Zxid {
        /// Server id.
        sid: u32,
        /// The zxid.
        zxid: u64,
    },
    /// `znode /path [data "x"] [version N] [on zkN]`: the node exists (on the established
    /// leader's tree, a standalone server's, or zkN's), with that data and data version.
    Znode {
        /// The path.
        path: String,
        /// Its data, as text.
        data: Option<String>,
        /// Its data version.
        version: Option<i32>,
        /// Whose tree.
        on: Option<u32>,
    },
    /// `no znode /path [on zkN]`.
    NoZnode {
        /// The path.
        path: String,
        /// Whose tree.
        on: Option<u32>,
    },
    /// `session cN CONNECTED|DISCONNECTED|EXPIRED|CLOSED` (DISCONNECTED also holds for a
    /// client still making its first connection).
    Session {
        /// The client.
        client: u32,
        /// The state.
        state: SessionState,
    },
    /// `holders /locks/l c1,c2` or `holders /locks/l none`: exactly these clients believe
    /// they hold the lock (two at once is the zombie).
    Holders {
        /// The lock's path.
        path: String,
        /// The clients, ascending.
        clients: Vec<u32>,
    },
    /// `inside /b c1,c2,c3` or `inside /b none`: exactly these clients compute inside
    /// the double barrier.
    Inside {
        /// The barrier's path.
        path: String,
        /// The clients, ascending.
        clients: Vec<u32>,
    },
    /// `taken /q N`: the queue's consumers took N items in all.
    Taken {
        /// The queue's path.
        path: String,
        /// How many.
        count: u32,
    },
    /// `sees /services/api cN N`: watcher cN sees N instances of the service.
    Sees {
        /// The service's path.
        path: String,
        /// The watcher.
        client: u32,
        /// How many.
        count: u32,
    },
    /// `writes store1 c2:ok,c1:rejected` (or `none`): the writes the store received, in
    /// order, each with its verdict.
    Writes {
        /// The store.
        store: u32,
        /// As [`crate::zookeeper::recipes::store::Store::writes_text`] prints them.
        writes: String,
    },
    /// `watch-events cN N`: watch notifications delivered to cN's watcher so far.
    WatchEvents {
        /// The client.
        client: u32,
        /// How many.
        count: u32,
    },
    /// Client cN's console has run every line it was given (what a `zkcli` command waits
    /// for).
    ConsoleIdle {
        /// The client.
        client: u32,
    },
}

/// The server whose tree a znode condition reads: `on`, else the established leader, else
/// a running standalone server.
pub(crate) fn tree_server(w: &World, on: Option<u32>) -> Result<&ZkServer, String> {
    if let Some(sid) = on {
        return server(w, sid);
    }
    if let Some(l) = established_leader(w) {
        return server(w, l);
    }
    w.zk_servers()
        .find(|(up, s)| *up && s.is_standalone())
        .map(|(_, s)| s)
        .ok_or_else(|| "no server leads (say `on zkN` to read one server's tree)".to_string())
}

fn client(w: &World, id: u32) -> Result<&crate::zookeeper::client::ZkClient, String> {
    w.zk_client(id)
        .ok_or_else(|| format!("there is no client c{id}"))
}

/// The established leader: a running server that is LEADING in ZAB phase BROADCAST. When
/// a cut-off old leader has not noticed yet, the one with the newest epoch counts.
pub fn established_leader(w: &World) -> Option<u32> {
    w.zk_servers()
        .filter(|(up, s)| *up && s.is_established_leader())
        .max_by_key(|(_, s)| (s.disk().current_epoch, s.sid()))
        .map(|(_, s)| s.sid())
}

/// The newest epoch any established leader has (0 when none): the baseline for
/// `run until leader elected`.
pub fn leader_epoch(w: &World) -> u64 {
    established_leader(w)
        .and_then(|sid| w.zk(sid))
        .map_or(0, |s| s.disk().current_epoch)
}

fn server(w: &World, sid: u32) -> Result<&ZkServer, String> {
    w.zk(sid)
        .ok_or_else(|| format!("there is no server zk{sid}"))
}

impl ZkCondition {
    /// For a condition that only makes sense as something to wait for, its words as written
    /// (`leader elected`); `None` for one `expect` can check.
    pub fn waits_only(&self) -> Option<&'static str> {
        matches!(self, ZkCondition::LeaderElected).then_some("leader elected")
    }

    /// What a `run until` remembers when it starts (the newest leader epoch).
    pub fn baseline(&self, w: &World) -> u64 {
        leader_epoch(w)
    }

    /// Checks the condition; `baseline` is what [`ZkCondition::baseline`] gave when a
    /// `run until` began (0 for `expect`).
    pub fn check(&self, w: &World, baseline: u64) -> Result<(), String> {
        match self {
            ZkCondition::LeaderElected => {
                // leader_epoch is 0 without a leader, so a newer epoch means there is one.
                if leader_epoch(w) > baseline {
                    Ok(())
                } else {
                    Err("no new leader has been elected yet".into())
                }
            }
            ZkCondition::Leader { sid } => {
                server(w, *sid)?;
                match established_leader(w) {
                    Some(l) if l == *sid => Ok(()),
                    Some(l) => Err(format!("expected zk{sid} to lead, but zk{l} leads")),
                    None => Err(format!("expected zk{sid} to lead, but no server leads")),
                }
            }
            ZkCondition::NoLeader => match established_leader(w) {
                None => Ok(()),
                Some(l) => Err(format!("expected no leader, but zk{l} leads")),
            },
            ZkCondition::State { sid, state } => {
                let s = server(w, *sid)?;
                if !w.is_up(NodeId::Zk(*sid)) {
                    return Err(format!("expected zk{sid} to be {state}, but it is down"));
                }
                equal(format!("the state of zk{sid}"), *state, s.state())
            }
            ZkCondition::Phase { sid, phase } => {
                let s = server(w, *sid)?;
                if !w.is_up(NodeId::Zk(*sid)) {
                    return Err(format!("expected zk{sid} in {phase}, but it is down"));
                }
                equal(format!("the ZAB phase of zk{sid}"), *phase, s.phase())
            }
            ZkCondition::Sync { sid, mode } => {
                let got = server(w, *sid)?.sync_label().unwrap_or("none");
                if got == *mode {
                    Ok(())
                } else {
                    Err(format!(
                        "expected zk{sid} to have been synced with {mode}, but it was {got}"
                    ))
                }
            }
            ZkCondition::Epoch {
                sid: Some(sid),
                epoch,
            } => equal(
                format!("the currentEpoch of zk{sid}"),
                *epoch,
                server(w, *sid)?.disk().current_epoch,
            ),
            ZkCondition::Epoch { sid: None, epoch } => match established_leader(w) {
                Some(l) => equal(
                    format!("the epoch of leader zk{l}"),
                    *epoch,
                    leader_epoch(w),
                ),
                None => Err(format!("expected epoch {epoch}, but no server leads")),
            },
            ZkCondition::Vote { sid, for_sid } => {
                let v = server(w, *sid)?.vote();
                if v.leader == i64::from(*for_sid) {
                    Ok(())
                } else {
                    Err(format!(
                        "expected zk{sid} to vote for zk{for_sid}, but its vote is {}",
                        v.describe()
                    ))
                }
            }
            ZkCondition::Znode {
                path,
                data,
                version,
                on,
            } => {
                let s = tree_server(w, *on)?;
                let who = format!("zk{}", s.sid());
                let Some(n) = s.tree().node(path) else {
                    return Err(format!(
                        "expected {path} to exist on {who}, but it does not"
                    ));
                };
                if let Some(want) = data {
                    let got = n.data.as_ref().map_or("null".to_string(), |d| {
                        String::from_utf8_lossy(d).into_owned()
                    });
                    if &got != want {
                        return Err(format!(
                            "expected the data of {path} on {who} to be \"{want}\", but it is \"{got}\""
                        ));
                    }
                }
                if let Some(v) = version {
                    equal(
                        format!("the version of {path} on {who}"),
                        *v,
                        n.stat.version,
                    )?;
                }
                Ok(())
            }
            ZkCondition::NoZnode { path, on } => {
                let s = tree_server(w, *on)?;
                match s.tree().node(path) {
                    None => Ok(()),
                    Some(_) => Err(format!(
                        "expected no {path} on zk{}, but it exists",
                        s.sid()
                    )),
                }
            }
            ZkCondition::Session { client: id, state } => {
                let got = client(w, *id)?.session_state();
                let ok = got == *state
                    || (*state == SessionState::Disconnected && got == SessionState::Connecting);
                if ok {
                    Ok(())
                } else {
                    Err(format!(
                        "expected the session of c{id} to be {}, but it is {}",
                        state.name(),
                        got.name()
                    ))
                }
            }
            ZkCondition::Holders { path, clients } => same_clients(
                clients,
                &crate::zookeeper::recipes::check::believers(w, path),
                &format!("believe they hold {path}"),
            ),
            ZkCondition::Inside { path, clients } => same_clients(
                clients,
                &crate::zookeeper::recipes::check::inside(w, path),
                &format!("compute inside the barrier {path}"),
            ),
            ZkCondition::Taken { path, count } => equal(
                format!("the items taken from {path}"),
                *count,
                crate::zookeeper::recipes::check::taken(w, path),
            ),
            ZkCondition::Sees {
                path,
                client: id,
                count,
            } => equal(
                format!("the instances of {path} c{id} sees"),
                *count,
                crate::zookeeper::recipes::check::sees(w, path, *id)
                    .ok_or_else(|| format!("c{id} does not watch {path}"))?,
            ),
            ZkCondition::Writes { store, writes } => {
                let got = w
                    .store(*store)
                    .ok_or_else(|| format!("there is no store store{store}"))?
                    .writes_text();
                if &got == writes {
                    Ok(())
                } else {
                    Err(format!(
                        "expected store{store} to have received {writes}, but it received {got}"
                    ))
                }
            }
            ZkCondition::WatchEvents { client: id, count } => equal(
                format!("the watch events delivered to c{id}"),
                *count,
                client(w, *id)?.events_delivered,
            ),
            ZkCondition::ConsoleIdle { client: id } => {
                let c = client(w, *id)?;
                if c.console.idle() {
                    Ok(())
                } else if c.console.awaiting_connect() {
                    Err(format!("c{id}'s zkCli is still waiting to connect"))
                } else {
                    Err(format!("c{id}'s zkCli command has not finished"))
                }
            }
            ZkCondition::Zxid { sid, zxid } => {
                let got = server(w, *sid)?.last_zxid();
                if got == *zxid {
                    Ok(())
                } else {
                    Err(format!(
                        "expected the last zxid of zk{sid} to be {}, but it is {}",
                        hex(*zxid),
                        hex(got)
                    ))
                }
            }
        }
    }
}

/// Exactly the clients `want` (ascending) do something, as `got` says: `expected c1,c2 to
/// <doing>, but none do`.
fn same_clients(want: &[u32], got: &[u32], doing: &str) -> Result<(), String> {
    use crate::zookeeper::recipes::check::client_list as names;
    if want == got {
        Ok(())
    } else {
        Err(format!(
            "expected {} to {doing}, but {} do",
            names(want),
            names(got)
        ))
    }
}
