//! One ZooKeeper server (`QuorumPeer`): what it keeps on disk, its state, and the routing
//! of messages and timers to FastLeaderElection ([`super::election`]) and to its ZAB role
//! ([`super::zab`]).

use crate::ids::NodeId;
use crate::sim::effects::Ctx;
use crate::zookeeper::config::ZkConfig;
use crate::zookeeper::election::Election;
use crate::zookeeper::messages::{ZabPhase, ZkChange, ZkMsg, ZkTimer};
use crate::zookeeper::quorum::QuorumMaj;
use crate::zookeeper::vote::{Proposal, ServerState, Vote};
use crate::zookeeper::zab::leader::LeaderRole;
use crate::zookeeper::zab::learner::LearnerRole;
use crate::zookeeper::zxid;
use serde::Serialize;

/// What a server keeps on disk; it survives crashes (`currentEpoch` and `acceptedEpoch`
/// files, and the transaction log, here reduced to the zxids it holds).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ZkDisk {
    /// `currentEpoch`: the epoch of the last leader this server synced with.
    pub current_epoch: u64,
    /// `acceptedEpoch`: the highest epoch it has accepted in a LEADERINFO.
    pub accepted_epoch: u64,
    /// The zxids of the transactions in its log, ascending.
    pub txns: Vec<u64>,
}

impl ZkDisk {
    /// The last logged zxid (`getLastLoggedZxid`), 0 for an empty log.
    pub fn last_zxid(&self) -> u64 {
        self.txns.last().copied().unwrap_or(0)
    }

    /// A log holding transactions 1..=counter of `zxid`'s epoch, with both epochs set to
    /// that epoch: what a server that last synced in that epoch would hold.
    pub fn with_last_zxid(zxid: u64) -> ZkDisk {
        let epoch = zxid::epoch_of(zxid);
        let txns = (1..=zxid::counter_of(zxid))
            .map(|c| zxid::make_zxid(epoch, c))
            .collect();
        ZkDisk {
            current_epoch: epoch,
            accepted_epoch: epoch,
            txns,
        }
    }
}

/// The server's role beyond the election.
#[derive(Clone, Debug)]
pub(crate) enum Role {
    /// LOOKING (or not started).
    None,
    /// LEADING.
    Leader(Box<LeaderRole>),
    /// FOLLOWING or OBSERVING.
    Learner(LearnerRole),
}

/// A ZooKeeper server of the ensemble.
#[derive(Clone, Debug)]
pub struct ZkServer {
    pub(crate) sid: u32,
    pub(crate) observer: bool,
    pub(crate) cfg: ZkConfig,
    pub(crate) quorum: QuorumMaj,
    pub(crate) disk: ZkDisk,
    pub(crate) state: ServerState,
    pub(crate) phase: ZabPhase,
    /// The vote it reports to LOOKING peers once the election is over (`getCurrentVote`).
    pub(crate) current_vote: Vote,
    /// `logicalclock`: the election round counter (volatile).
    pub(crate) logicalclock: u64,
    pub(crate) election: Option<Election>,
    pub(crate) role: Role,
}

impl ZkServer {
    /// A stopped server with an empty log. `voters` are the sids of all participants.
    pub fn new(
        sid: u32,
        observer: bool,
        cfg: ZkConfig,
        voters: impl IntoIterator<Item = u32>,
    ) -> Self {
        ZkServer {
            sid,
            observer,
            cfg,
            quorum: QuorumMaj::new(voters),
            disk: ZkDisk::default(),
            state: ServerState::Looking,
            phase: ZabPhase::Election,
            current_vote: Vote {
                proposal: Proposal::NONE,
                round: 0,
                state: ServerState::Looking,
            },
            logicalclock: 0,
            election: None,
            role: Role::None,
        }
    }

    /// The server id (`myid`).
    pub fn sid(&self) -> u32 {
        self.sid
    }

    /// True for an observer (never votes).
    pub fn is_observer(&self) -> bool {
        self.observer
    }

    /// LOOKING, FOLLOWING, LEADING or OBSERVING.
    pub fn state(&self) -> ServerState {
        self.state
    }

    /// The ZAB phase.
    pub fn phase(&self) -> ZabPhase {
        self.phase
    }

    /// What it is on disk.
    pub fn disk(&self) -> &ZkDisk {
        &self.disk
    }

    /// The election round counter.
    pub fn round(&self) -> u64 {
        self.logicalclock
    }

    /// Its vote: the live proposal while LOOKING, the decided vote afterwards.
    pub fn vote(&self) -> Proposal {
        match &self.election {
            Some(e) => e.proposal,
            None => self.current_vote.proposal,
        }
    }

    /// Votes received in the current round (`recvset`), by sender sid; empty unless LOOKING.
    pub fn received_votes(&self) -> Vec<(u32, Proposal)> {
        self.election
            .as_ref()
            .map(|e| e.recvset.iter().map(|(s, v)| (*s, v.proposal)).collect())
            .unwrap_or_default()
    }

    /// The leader it follows or observes, or itself when leading; `None` while LOOKING.
    pub fn leader(&self) -> Option<u32> {
        match &self.role {
            Role::Leader(_) => Some(self.sid),
            Role::Learner(l) => Some(l.leader),
            Role::None => None,
        }
    }

    /// True when it leads and a quorum acked NEWLEADER (ZAB phase BROADCAST).
    pub fn is_established_leader(&self) -> bool {
        self.state == ServerState::Leading && self.phase == ZabPhase::Broadcast
    }

    /// The learners the leader currently holds a connection with (sids), if leading.
    pub fn learners(&self) -> Vec<u32> {
        match &self.role {
            Role::Leader(l) => l.learners.keys().copied().collect(),
            _ => Vec::new(),
        }
    }

    /// Replaces the disk contents (a lesson's setup: `zk set-zxid`, `zk set-epoch`).
    pub fn set_disk(&mut self, disk: ZkDisk) {
        self.disk = disk;
    }

    /// Replaces the timing settings.
    pub fn set_config(&mut self, cfg: ZkConfig) {
        self.cfg = cfg;
    }

    /// Starts the server (process start or restart): it reloads its disk and looks for a
    /// leader (`QuorumPeer.start` then `startLeaderElection`).
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        self.current_vote = Vote {
            proposal: self.initial_proposal(),
            round: 0,
            state: ServerState::Looking,
        };
        self.start_election(ctx);
    }

    /// The server crashed: everything but the disk is lost.
    pub fn crash(&mut self) {
        let fresh = ZkServer::new(
            self.sid,
            self.observer,
            self.cfg.clone(),
            self.quorum.voters().iter().copied(),
        );
        let disk = std::mem::take(&mut self.disk);
        *self = ZkServer { disk, ..fresh };
    }

    /// Handles a message from another server.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: ZkMsg) {
        let NodeId::Zk(from) = from else { return };
        match msg {
            ZkMsg::Notification(n) => self.on_notification(ctx, from, n),
            ZkMsg::Packet(p) => match self.role {
                Role::Leader(_) => self.leader_on_packet(ctx, from, p),
                Role::Learner(_) => self.learner_on_packet(ctx, from, p),
                // No learner port is open: the connection is refused.
                Role::None => ctx.send(NodeId::Zk(from), ZkMsg::Disconnect),
            },
            ZkMsg::Disconnect => match self.role {
                Role::Leader(_) => self.leader_on_disconnect(ctx, from),
                Role::Learner(_) => self.learner_on_disconnect(ctx, from),
                Role::None => {}
            },
        }
    }

    /// Handles one of its own timers.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: ZkTimer) {
        match timer {
            ZkTimer::FlePoll => self.on_poll_timeout(ctx),
            ZkTimer::FleFinalize => self.on_finalize(ctx),
            ZkTimer::ZabSetup => self.leader_on_setup_timeout(ctx),
            ZkTimer::LeaderTick => self.leader_on_tick(ctx),
            ZkTimer::LearnerRead | ZkTimer::LearnerConnectRetry => {
                self.learner_on_timer(ctx, timer)
            }
        }
    }

    pub(crate) fn set_state(&mut self, ctx: &mut Ctx<'_>, state: ServerState) {
        if self.state != state {
            self.state = state;
            ctx.change(ZkChange::State { state });
        }
    }

    pub(crate) fn set_phase(&mut self, ctx: &mut Ctx<'_>, phase: ZabPhase) {
        if self.phase != phase {
            self.phase = phase;
            ctx.change(ZkChange::Phase { phase });
        }
    }

    pub(crate) fn set_accepted_epoch(&mut self, ctx: &mut Ctx<'_>, epoch: u64) {
        self.disk.accepted_epoch = epoch;
        ctx.change(ZkChange::AcceptedEpoch { epoch });
    }

    pub(crate) fn set_current_epoch(&mut self, ctx: &mut Ctx<'_>, epoch: u64) {
        self.disk.current_epoch = epoch;
        ctx.change(ZkChange::CurrentEpoch { epoch });
    }

    /// Leaves the leader or learner role (closing its connections, as the real server's
    /// shutdown does) and starts a new election round.
    pub(crate) fn abandon(&mut self, ctx: &mut Ctx<'_>, reason: String) {
        match std::mem::replace(&mut self.role, Role::None) {
            Role::Leader(l) => {
                for sid in l.learners.keys() {
                    ctx.send(NodeId::Zk(*sid), ZkMsg::Disconnect);
                }
            }
            Role::Learner(l) => ctx.send(NodeId::Zk(l.leader), ZkMsg::Disconnect),
            Role::None => {}
        }
        for t in [
            ZkTimer::ZabSetup,
            ZkTimer::LeaderTick,
            ZkTimer::LearnerRead,
            ZkTimer::LearnerConnectRetry,
        ] {
            ctx.cancel_timer(t);
        }
        ctx.change(ZkChange::Abandoned { reason });
        self.start_election(ctx);
    }
}
