//! ZooKeeper conditions of the command language (`expect leader zk5`, `run until leader
//! elected`, ...), checked against the world. A failed check says what it found instead.

use crate::ids::NodeId;
use crate::script::command::equal;
use crate::sim::world::World;
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
