//! The ZooKeeper inputs of the command language (`zk ...`): building an ensemble, what its
//! servers hold on disk before they start, and zoo.cfg timing. Each input is printed in
//! canonical form, checked against the world, then applied.

use crate::ids::NodeId;
use crate::sim::node::Node;
use crate::sim::trace::TraceEvent;
use crate::sim::world::{InputError, World};
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
    /// `zk set-zxid zkN 0x...`: give a stopped server a log ending at this zxid.
    SetZxid {
        /// Server id.
        sid: u32,
        /// Last logged zxid.
        zxid: u64,
    },
    /// `zk set-epoch zkN E`: set a stopped server's currentEpoch and acceptedEpoch.
    SetEpoch {
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
            ZkInput::SetZxid { sid, zxid: z } => {
                write!(f, "zk set-zxid zk{sid} {}", zxid::hex(*z))
            }
            ZkInput::SetEpoch { sid, epoch } => write!(f, "zk set-epoch zk{sid} {epoch}"),
            ZkInput::Config { key, value } => write!(f, "zk config {key} {value}"),
        }
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, InputError> {
    Err(InputError(msg.into()))
}

impl ZkInput {
    /// Checks the input against `w`; nothing changes on error.
    pub(crate) fn validate(&self, w: &World) -> Result<(), InputError> {
        match self {
            ZkInput::Ensemble { voters, observers } => {
                if w.slots().any(|(id, _)| id.is_zk()) {
                    return err("a ZooKeeper ensemble already exists in this world");
                }
                if !(2..=9).contains(voters) {
                    return err(format!(
                        "an ensemble needs 2 to 9 voting servers, not {voters}"
                    ));
                }
                if *observers > 3 {
                    return err(format!("at most 3 observers, not {observers}"));
                }
            }
            ZkInput::SetZxid { sid, zxid: z } | ZkInput::SetEpoch { sid, epoch: z } => {
                let id = NodeId::Zk(*sid);
                if w.slot(id).is_none() {
                    return err(format!("there is no node {id}"));
                }
                if w.is_up(id) {
                    return err(format!(
                        "{id} is running: change what is on its disk before `start`"
                    ));
                }
                if let ZkInput::SetZxid { .. } = self {
                    if zxid::counter_of(*z) > 100_000 {
                        return err(format!(
                            "zxid {} has a counter above 100000; use a smaller one",
                            zxid::hex(*z)
                        ));
                    }
                } else if let Some(s) = w.zk(*sid) {
                    let last = s.disk().last_zxid();
                    if *z < zxid::epoch_of(last) {
                        return err(format!(
                            "epoch {z} is older than {id}'s last zxid {}",
                            zxid::hex(last)
                        ));
                    }
                }
            }
            ZkInput::Config { key, value } => {
                w.zk_config().clone().set(key, *value).map_err(InputError)?;
            }
        }
        Ok(())
    }

    /// Applies the (validated) input.
    pub(crate) fn apply(&self, w: &mut World, _sink: &mut Vec<TraceEvent>) {
        match self {
            ZkInput::Ensemble { voters, observers } => {
                for sid in 1..=voters + observers {
                    let server =
                        ZkServer::new(sid, sid > *voters, w.zk_config().clone(), 1..=*voters);
                    w.add_node(NodeId::Zk(sid), Node::Zk(Box::new(server)));
                }
            }
            ZkInput::SetZxid { sid, zxid: z } => {
                if let Some(s) = w.zk_mut(*sid) {
                    let mut disk = ZkDisk::with_last_zxid(*z);
                    disk.current_epoch = disk.current_epoch.max(s.disk().current_epoch);
                    disk.accepted_epoch = disk.accepted_epoch.max(s.disk().accepted_epoch);
                    s.set_disk(disk);
                }
            }
            ZkInput::SetEpoch { sid, epoch } => {
                if let Some(s) = w.zk_mut(*sid) {
                    let mut disk = s.disk().clone();
                    disk.current_epoch = *epoch;
                    disk.accepted_epoch = *epoch;
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
