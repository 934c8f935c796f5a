//! What a ZooKeeper server looks like in the world's picture ([`crate::view`]).

use crate::zookeeper::messages::ZabPhase;
use crate::zookeeper::server::ZkServer;
use crate::zookeeper::vote::{Proposal, ServerState};
use serde::Serialize;

/// A ZooKeeper server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ZkView {
    /// `myid`.
    pub sid: u32,
    /// Observer (never votes).
    pub observer: bool,
    /// Its state.
    pub state: ServerState,
    /// ZAB phase.
    pub phase: ZabPhase,
    /// Its vote (live while LOOKING).
    pub vote: Proposal,
    /// Election round (logicalclock).
    pub round: u64,
    /// currentEpoch.
    pub current_epoch: u64,
    /// acceptedEpoch.
    pub accepted_epoch: u64,
    /// `lastProcessedZxid`: the zxid of its in-memory data (what it votes with).
    pub last_zxid: u64,
    /// The last zxid in its transaction log on disk (0 when empty).
    pub logged_zxid: u64,
    /// The leader it follows (itself when leading).
    pub leader: Option<u32>,
    /// Votes received this round (sid, proposal).
    pub received: Vec<(u32, Proposal)>,
    /// True when it leads in BROADCAST.
    pub established: bool,
}

/// The picture of one server.
pub fn zk_view(s: &ZkServer) -> ZkView {
    ZkView {
        sid: s.sid(),
        observer: s.is_observer(),
        state: s.state(),
        phase: s.phase(),
        vote: s.vote(),
        round: s.round(),
        current_epoch: s.disk().current_epoch,
        accepted_epoch: s.disk().accepted_epoch,
        last_zxid: s.last_zxid(),
        logged_zxid: s.disk().txns.last().copied().unwrap_or(0),
        leader: s.leader(),
        received: s.received_votes(),
        established: s.is_established_leader(),
    }
}
