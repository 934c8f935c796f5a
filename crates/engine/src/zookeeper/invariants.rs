//! ZAB's safety properties, checked against the world after every event.
//!
//! The properties are those of the ZAB paper (Junqueira, Reed, Serafini, "Zab:
//! High-performance broadcast for primary-backup systems", DSN 2011, section III) as
//! zookeeper-specifications states them in `protocol-spec/Zab.tla` and
//! `system-spec/zk-3.7/ZkV3_7_0.tla` (apache/zookeeper, release-3.8 branch):
//! `Leadership2`, `Integrity`, `Agreement`, `TotalOrder`, `PrefixConsistency`,
//! `GlobalPrimaryOrder`, plus three about the data itself: a transaction delivered (and so
//! possibly acknowledged to a client) is never lost, a server's tree is the replay of the
//! transactions it applied (which its log holds), and no ephemeral outlives its session's
//! closeSession.
//!
//! "Delivered" is the paper's word for a transaction applied to the state of a server that
//! serves clients (ZAB phase BROADCAST, or standalone): that is when a client can see it.
//! A server that is LOOKING or syncing holds whatever it reloaded from its log, committed or
//! not (`ZKDatabase.loadDataBase`, `fastForwardDataBase`), and is not judged until it
//! serves again.
//!
//! The checker keeps ghost state the servers cannot see: every transaction a leader ever
//! logged (what was proposed), the sequence of delivered transactions (`G`: every serving
//! server's applied history must agree with it position by position), and the leader of
//! each established epoch. Checks are incremental, so a run of thousands of events costs
//! little more than the run.

use crate::sim::world::World;
use crate::zookeeper::data::stat::{CONTAINER_OWNER, TTL_MARK};
use crate::zookeeper::data::tree::DataTree;
use crate::zookeeper::data::txn::{Txn, TxnBody};
use crate::zookeeper::recipes::check::{RecipeChecker, RecipeViolation};
use crate::zookeeper::server::ZkServer;
use crate::zookeeper::vote::ServerState;
use crate::zookeeper::zxid::{epoch_of, hex};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

/// One of the properties the checker holds the engine to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Invariant {
    /// At most one server establishes leadership in an epoch (Zab.tla `Leadership2`;
    /// ZkV3_7_0.tla `Leadership1` keys it on the epoch too).
    Leadership,
    /// Only transactions some leader proposed are delivered, with the content it proposed
    /// (Zab.tla `Integrity`).
    Integrity,
    /// Two servers that deliver the transaction at a position deliver the same one: equal
    /// zxid, equal content (Zab.tla `Agreement`, `PrefixConsistency`).
    Agreement,
    /// Each server delivers in strictly increasing zxid order, the order of every other
    /// server (Zab.tla `TotalOrder`).
    TotalOrder,
    /// Transactions of an earlier epoch are delivered before those of a later one
    /// (Zab.tla `GlobalPrimaryOrder`).
    PrimaryOrder,
    /// A delivered transaction (one a client may have been told succeeded) is never lost: an
    /// established leader holds every one, and a server never un-delivers one (the paper's
    /// "if a transaction is committed by one server it is eventually committed by all").
    CommittedKept,
    /// A serving server's data tree equals the replay of the transactions it applied, and
    /// its log holds each of them.
    TreeIsReplay,
    /// No ephemeral node outlives the closeSession of its owner (`PrepRequestProcessor`
    /// puts every ephemeral of the session into the closeSession txn).
    EphemeralSession,
}

impl Invariant {
    /// Every invariant, in the order the summary lists them.
    pub const ALL: [Invariant; 8] = [
        Invariant::Leadership,
        Invariant::Integrity,
        Invariant::Agreement,
        Invariant::TotalOrder,
        Invariant::PrimaryOrder,
        Invariant::CommittedKept,
        Invariant::TreeIsReplay,
        Invariant::EphemeralSession,
    ];

    /// Its name, as the summary prints it.
    pub fn name(self) -> &'static str {
        match self {
            Invariant::Leadership => "Leadership",
            Invariant::Integrity => "Integrity",
            Invariant::Agreement => "Agreement",
            Invariant::TotalOrder => "TotalOrder",
            Invariant::PrimaryOrder => "PrimaryOrder",
            Invariant::CommittedKept => "CommittedKept",
            Invariant::TreeIsReplay => "TreeIsReplay",
            Invariant::EphemeralSession => "EphemeralSession",
        }
    }
}

impl fmt::Display for Invariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken invariant: which, after which event, and what the checker saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The invariant.
    pub invariant: Invariant,
    /// The index of the trace event after which it was seen broken.
    pub event: u64,
    /// Virtual time, ms.
    pub time: u64,
    /// What was wrong, naming the servers and zxids.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at event {} (t={} ms): {}",
            self.invariant, self.event, self.time, self.detail
        )
    }
}

fn same(a: &Arc<Txn>, b: &Arc<Txn>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// What the checker last verified of one server.
#[derive(Clone, Debug, Default)]
struct Ghost {
    /// The applied history it verified while the server served (a prefix of its history).
    checked: Vec<Arc<Txn>>,
    /// The replay of `checked`.
    replica: DataTree,
    /// Sessions closed in `checked`.
    closed: BTreeSet<u64>,
    /// How many of its logged txns were taken into `proposed` (while it led).
    disk_seen: usize,
    /// The last disk txn seen, to notice a truncated or replaced log.
    disk_last: Option<Arc<Txn>>,
}

/// The checker: feed it the world after every event with [`ZabChecker::observe`].
#[derive(Clone, Debug, Default)]
pub struct ZabChecker {
    /// Every transaction a leader logged (what was proposed), by zxid.
    proposed: BTreeMap<u64, Arc<Txn>>,
    /// The delivered sequence `G`.
    delivered: Vec<Arc<Txn>>,
    /// The leader of each established epoch.
    leaders: BTreeMap<u64, u32>,
    /// The newest established leader (epoch, sid) and how much of `G` its log was seen
    /// to hold.
    newest: Option<(u64, u32, usize)>,
    ghosts: BTreeMap<u32, Ghost>,
    /// Violations found so far (one per invariant and server at most, so a broken run
    /// does not report the same fault at every later event).
    violations: Vec<Violation>,
    reported: BTreeSet<(Invariant, u32)>,
}

impl ZabChecker {
    /// A checker for `w` as it is now: what the servers' disks hold counts as proposed
    /// in the past (a lesson's `zk set-zxid` histories).
    pub fn new(w: &World) -> ZabChecker {
        let mut c = ZabChecker::default();
        for (_, s) in w.zk_servers() {
            for t in &s.disk().txns {
                c.proposed.entry(t.zxid).or_insert_with(|| t.clone());
            }
        }
        c
    }

    /// Every violation found so far, in the order found.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// How many transactions have been delivered (the longest agreed history).
    pub fn delivered(&self) -> usize {
        self.delivered.len()
    }

    /// Checks every invariant against `w` after event `event`; returns the violations this
    /// call found.
    pub fn observe(&mut self, w: &World, event: u64) -> &[Violation] {
        let before = self.violations.len();
        let now = w.now();
        for (_, s) in w.zk_servers() {
            self.note_proposals(s, now, event);
        }
        // A crashed or powered-off server has no role and does not serve, so these skip
        // it; a paused one keeps what it believed.
        for (_, s) in w.zk_servers() {
            self.check_leadership(s, now, event);
            if s.is_serving() {
                self.check_delivered(s, now, event);
            }
        }
        if let Some((epoch, sid, _)) = self.newest
            && let Some(s) = w.zk(sid)
            && s.is_established_leader()
            && s.disk().current_epoch == epoch
        {
            self.check_leader_log(s, now, event);
        }
        &self.violations[before..]
    }

    fn flag(&mut self, invariant: Invariant, sid: u32, event: u64, time: u64, detail: String) {
        if self.reported.insert((invariant, sid)) {
            self.violations.push(Violation {
                invariant,
                event,
                time,
                detail,
            });
        }
    }

    /// A leader's (or standalone server's) log is what was proposed; so is what a server
    /// that has not run holds (a lesson's `zk set-zxid` history, from the past).
    fn note_proposals(&mut self, s: &ZkServer, now: u64, event: u64) {
        let leads = s.state() == ServerState::Leading || s.is_standalone() || !s.running;
        let txns = &s.disk().txns;
        let sid = s.sid();
        let g = self.ghosts.entry(sid).or_default();
        let extended = g.disk_seen <= txns.len()
            && match (&g.disk_last, g.disk_seen.checked_sub(1)) {
                (Some(last), Some(i)) => same(last, &txns[i]),
                (None, None) => true,
                _ => false,
            };
        let from = if extended { g.disk_seen } else { 0 };
        g.disk_seen = txns.len();
        g.disk_last = txns.last().cloned();
        if !leads {
            return;
        }
        let mut clash = None;
        for t in &txns[from..] {
            match self.proposed.get(&t.zxid) {
                Some(p) if !same(p, t) => clash = Some(t.zxid),
                Some(_) => {}
                None => {
                    self.proposed.insert(t.zxid, t.clone());
                }
            }
        }
        if let Some(z) = clash {
            self.flag(
                Invariant::Agreement,
                sid,
                event,
                now,
                format!(
                    "zk{sid} leads with a txn {} unlike the one proposed before under that zxid",
                    hex(z)
                ),
            );
        }
    }

    fn check_leadership(&mut self, s: &ZkServer, now: u64, event: u64) {
        if !s.is_established_leader() {
            return;
        }
        let epoch = s.disk().current_epoch;
        let sid = s.sid();
        match self.leaders.get(&epoch) {
            Some(&other) if other != sid => self.flag(
                Invariant::Leadership,
                sid,
                event,
                now,
                format!("zk{sid} and zk{other} both established leadership in epoch {epoch}"),
            ),
            Some(_) => {}
            None => {
                self.leaders.insert(epoch, sid);
                if self.newest.is_none_or(|(e, _, _)| e < epoch) {
                    self.newest = Some((epoch, sid, 0));
                }
            }
        }
    }

    /// The leader of the newest established epoch holds every delivered transaction in
    /// its log: those of earlier epochs since its sync (else a committed txn was lost),
    /// those of its own epoch because it proposed them. An older leader that has not
    /// noticed (paused, cut off) is not held to it: it can deliver nothing more.
    fn check_leader_log(&mut self, s: &ZkServer, now: u64, event: u64) {
        let Some((epoch, sid, seen)) = self.newest else {
            return;
        };
        let disk = &s.disk().txns;
        let mut missing = None;
        let mut upto = seen;
        for t in &self.delivered[seen.min(self.delivered.len())..] {
            let held = t.zxid <= s.disk().snapshot
                || disk
                    .binary_search_by_key(&t.zxid, |d| d.zxid)
                    .is_ok_and(|k| same(&disk[k], t));
            if !held {
                missing = Some(t.label());
                break;
            }
            upto += 1;
        }
        self.newest = Some((epoch, sid, upto));
        if let Some(m) = missing {
            self.flag(
                Invariant::CommittedKept,
                sid,
                event,
                now,
                format!("zk{sid} leads epoch {epoch} without {m}, which was delivered before"),
            );
        }
    }

    /// The serving server's applied history against `G`, its log and its tree.
    fn check_delivered(&mut self, s: &ZkServer, now: u64, event: u64) {
        let sid = s.sid();
        let history = &s.history;
        let mut g = self.ghosts.remove(&sid).unwrap_or_default();
        let n = g.checked.len();
        let extends = history.len() >= n && (n == 0 || same(&g.checked[n - 1], &history[n - 1]));
        if !extends {
            // The history it serves no longer holds what it delivered before.
            let lost = g
                .checked
                .iter()
                .find(|t| !history.iter().any(|h| same(h, t)))
                .map(|t| t.label());
            if let Some(lost) = lost {
                self.flag(
                    Invariant::CommittedKept,
                    sid,
                    event,
                    now,
                    format!("zk{sid} delivered {lost} and now serves without it"),
                );
            }
            g = Ghost {
                disk_seen: g.disk_seen,
                disk_last: g.disk_last.clone(),
                ..Ghost::default()
            };
        }
        let start = g.checked.len();
        let mut fired = Vec::new();
        let mut broken: Option<(Invariant, String)> = None;
        let disk = &s.disk().txns;
        for (i, t) in history.iter().enumerate().skip(start) {
            if broken.is_none() {
                broken = self.position(sid, i, t);
            }
            let logged = t.zxid <= s.disk().snapshot
                || disk
                    .binary_search_by_key(&t.zxid, |d| d.zxid)
                    .is_ok_and(|k| same(&disk[k], t));
            if broken.is_none() && !logged {
                broken = Some((
                    Invariant::TreeIsReplay,
                    format!("zk{sid} applied {} but its log does not hold it", t.label()),
                ));
            }
            g.replica.process_txn(t, &mut fired);
            if let TxnBody::CloseSession { .. } = t.body {
                g.closed.insert(t.session);
            }
            g.checked.push(t.clone());
        }
        if let Some((inv, detail)) = broken {
            self.flag(inv, sid, event, now, detail);
        }
        if start != history.len() || !extends {
            self.check_tree(s, &g, now, event);
        }
        self.ghosts.insert(sid, g);
    }

    /// The txn a server delivered at position `i` against `G` and what was proposed.
    fn position(&mut self, sid: u32, i: usize, t: &Arc<Txn>) -> Option<(Invariant, String)> {
        match self.proposed.get(&t.zxid) {
            Some(p) if same(p, t) => {}
            Some(_) => {
                return Some((
                    Invariant::Integrity,
                    format!(
                        "zk{sid} delivered {} with content no leader proposed",
                        t.label()
                    ),
                ));
            }
            None => {
                return Some((
                    Invariant::Integrity,
                    format!("zk{sid} delivered {}, which no leader proposed", t.label()),
                ));
            }
        }
        if i < self.delivered.len() {
            let d = &self.delivered[i];
            if same(d, t) {
                return None;
            }
            if d.zxid == t.zxid {
                return Some((
                    Invariant::Agreement,
                    format!(
                        "zk{sid} delivered {} unlike another server's {}",
                        t.label(),
                        d.label()
                    ),
                ));
            }
            return Some((
                Invariant::TotalOrder,
                format!(
                    "zk{sid} delivered {} as transaction #{} where another server delivered {}",
                    t.label(),
                    i + 1,
                    d.label()
                ),
            ));
        }
        if let Some(last) = self.delivered.last() {
            if epoch_of(t.zxid) < epoch_of(last.zxid) {
                return Some((
                    Invariant::PrimaryOrder,
                    format!(
                        "zk{sid} delivered {} of epoch {} after {} of epoch {}",
                        t.label(),
                        epoch_of(t.zxid),
                        last.label(),
                        epoch_of(last.zxid)
                    ),
                ));
            }
            if t.zxid <= last.zxid {
                return Some((
                    Invariant::TotalOrder,
                    format!("zk{sid} delivered {} after {}", t.label(), last.label()),
                ));
            }
        }
        self.delivered.push(t.clone());
        None
    }

    fn check_tree(&mut self, s: &ZkServer, g: &Ghost, now: u64, event: u64) {
        let sid = s.sid();
        if !s.tree().same_data(&g.replica) {
            self.flag(
                Invariant::TreeIsReplay,
                sid,
                event,
                now,
                format!(
                    "zk{sid}'s data tree differs from the replay of the {} txns it applied",
                    g.checked.len()
                ),
            );
        }
        for (path, n) in s.tree().nodes() {
            let owner = n.stat.ephemeral_owner;
            let ephemeral = owner != 0 && owner != CONTAINER_OWNER && owner & TTL_MARK != TTL_MARK;
            if ephemeral && g.closed.contains(&owner) {
                self.flag(
                    Invariant::EphemeralSession,
                    sid,
                    event,
                    now,
                    format!("zk{sid} still has ephemeral {path} of closed session 0x{owner:x}"),
                );
                break;
            }
        }
    }
}

/// What the checkers found over a whole recording.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimelineCheck {
    /// ZAB violations in the order found, each with the event it was seen after.
    pub violations: Vec<Violation>,
    /// What the recipes' checker found (empty when no client runs a recipe).
    pub recipe_violations: Vec<RecipeViolation>,
    /// The recipes' promises that concern the recording (the recipes it ran by its end).
    pub recipe_properties: Vec<crate::zookeeper::recipes::check::RecipeProperty>,
    /// Events checked (the recording's length).
    pub events: u64,
    /// Transactions delivered by the end.
    pub delivered: usize,
}

/// Checks a whole recording with ZAB's invariants and the recipes' checker in one replay
/// of a copy of `t` from its start, observing the world after each operation (a lesson or
/// a sandbox run; an input's events are checked together, after the input).
pub fn check_timeline(t: &crate::sim::timeline::Timeline) -> TimelineCheck {
    let mut zab: Option<ZabChecker> = None;
    let mut recipes = RecipeChecker::default();
    let mut present = Vec::new();
    t.replay_each(|w, last| {
        for p in crate::zookeeper::recipes::check::RecipeProperty::present(w) {
            if !present.contains(&p) {
                present.push(p);
            }
        }
        // Made from the world after the first operation: the replay starts from an empty
        // world, and setup histories of servers that never ran count as proposed anyway.
        zab.get_or_insert_with(|| ZabChecker::new(w))
            .observe(w, last);
        recipes.observe(w, last);
    });
    let zab = zab.unwrap_or_default();
    // The recipes' end-of-run promises, on the recording's last state (a lesson ends
    // settled; a sandbox run may not, and says so only if something is wrong there).
    let events = t.op_ends().last().unwrap_or(0);
    recipes.finish(t.world(), events.saturating_sub(1));
    TimelineCheck {
        violations: zab.violations().to_vec(),
        recipe_violations: recipes.violations().to_vec(),
        recipe_properties: {
            present.sort();
            present
        },
        events,
        delivered: zab.delivered(),
    }
}
