//! Random fault schedules for ZooKeeper, each run with [`ZabChecker`] watching every
//! event: the engine's side of `zkafka check zab`.
//!
//! A schedule is made from its seed alone (its own RNG stream, apart from the world's):
//! an ensemble starts, clients connect, then rounds of faults, client writes and reads,
//! and time passing; at the end every fault is undone (heal, resume, start) and the
//! ensemble is given time to elect, sync and serve again. Each command goes through the
//! command language, so the trace of a seed reads like a script.
//!
//! Pure: no threads, no clock. The CLI runs seeds in parallel.

use crate::ids::NodeId;
use crate::script::schedule::{Observer, ScheduleDriver};
use crate::sim::node::Status;
use crate::sim::rng::SimRng;
use crate::sim::trace::TraceEvent;
use crate::sim::world::World;
use crate::zookeeper::invariants::{Violation, ZabChecker};
use crate::zookeeper::recipes::check::{RecipeChecker, RecipeViolation};
use std::fmt;
use std::str::FromStr;

/// A kind of fault a schedule may inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FaultKind {
    /// `crash zkN` (and `crash cN`): kill -9.
    Crash,
    /// `halt zkN`: a power cut.
    Halt,
    /// `pause zkN for D` (and clients): a frozen process, back after D.
    Pause,
    /// `restart zkN`.
    Restart,
    /// `partition A | B`, healed later.
    Partition,
    /// `delay a->b D`.
    Delay,
    /// `net loss N%`.
    Loss,
}

impl FaultKind {
    /// Every kind, in the order `--faults` lists them.
    pub const ALL: [FaultKind; 7] = [
        FaultKind::Crash,
        FaultKind::Halt,
        FaultKind::Pause,
        FaultKind::Restart,
        FaultKind::Partition,
        FaultKind::Delay,
        FaultKind::Loss,
    ];

    /// Its name in `--faults`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Crash => "crash",
            FaultKind::Halt => "halt",
            FaultKind::Pause => "pause",
            FaultKind::Restart => "restart",
            FaultKind::Partition => "partition",
            FaultKind::Delay => "delay",
            FaultKind::Loss => "loss",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        FaultKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown fault `{s}` (known: {})",
                    FaultKind::ALL.map(FaultKind::name).join(", ")
                )
            })
    }
}

/// What every schedule of a sweep shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepConfig {
    /// Voting servers, 1 to 9.
    pub servers: u32,
    /// Clients, each connected to every server.
    pub clients: u32,
    /// The faults schedules draw from (none: only client traffic).
    pub faults: Vec<FaultKind>,
    /// Command-language lines run after `zk ensemble` and before `start all` (such as
    /// `zk config forceSync no`).
    pub setup: Vec<String>,
    /// Rounds of faults, traffic and time per schedule.
    pub rounds: u32,
    /// `recipe ...` commands started once the ensemble serves; the recipe checker
    /// ([`RecipeChecker`]) watches every event too.
    pub recipes: Vec<String>,
    /// Whether `pause` may freeze clients (a paused lock holder is the zombie the recipe
    /// checker is meant to catch, so recipe sweeps that must stay silent turn it off).
    pub client_pauses: bool,
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            servers: 5,
            clients: 3,
            faults: FaultKind::ALL.to_vec(),
            setup: Vec::new(),
            rounds: 16,
            recipes: Vec::new(),
            client_pauses: true,
        }
    }
}

/// What one seed's schedule came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedReport {
    /// The seed.
    pub seed: u64,
    /// Broken invariants, in the order found (empty for a clean run).
    pub violations: Vec<Violation>,
    /// Transactions delivered by the end (the agreed history's length, session txns
    /// included).
    pub committed_txns: usize,
    /// Trace events in the run.
    pub events: u64,
    /// No established leader serving within two minutes after every fault was undone.
    pub stuck: bool,
    /// What the recipe checker found (empty without a recipe).
    pub recipe_violations: Vec<RecipeViolation>,
    /// Watch notifications the recipe's waiters got, summed (the herd effect).
    pub wakeups: u32,
    /// Queue items taken more than once (at least once delivery: not a violation).
    pub duplicates: u32,
    /// Clients whose session had expired by the end.
    pub expired: u32,
}

/// The checkers a ZooKeeper schedule runs under.
struct Checkers {
    zab: ZabChecker,
    recipes: RecipeChecker,
}

impl Observer for Checkers {
    fn observe(&mut self, w: &World, last: u64) {
        self.zab.observe(w, last);
        self.recipes.observe(w, last);
    }
}

type Driver<'a> = ScheduleDriver<'a, Checkers>;

impl Driver<'_> {
    fn settle(&mut self, within_ms: u64) -> bool {
        let deadline = self.world.now() + within_ms;
        while self.world.now() < deadline {
            if self.settled() {
                return true;
            }
            self.run_for(500);
        }
        self.settled()
    }

    fn settled(&self) -> bool {
        let mut leader = false;
        for (_, s) in self.world.zk_servers() {
            let running = self.world.status(NodeId::Zk(s.sid())) == Some(Status::Running);
            if !running {
                continue;
            }
            if s.is_established_leader() || s.is_standalone() {
                leader = true;
            } else if !s.is_serving() {
                return false;
            }
        }
        leader
    }
}

/// The schedule's choices.
struct Plan<'c> {
    cfg: &'c SweepConfig,
    rng: SimRng,
    /// Names each client has created, to set and delete later.
    made: Vec<Vec<String>>,
    next_name: u32,
}

impl Plan<'_> {
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.below(items.len() as u64) as usize]
    }

    fn server(&mut self) -> String {
        format!("zk{}", self.rng.between(1, u64::from(self.cfg.servers)))
    }

    fn client(&mut self) -> u32 {
        self.rng.between(1, u64::from(self.cfg.clients)) as u32
    }

    fn fault(&mut self) -> Option<String> {
        if self.cfg.faults.is_empty() {
            return None;
        }
        let kind = self.pick(&self.cfg.faults.clone());
        let target = self.server();
        Some(match kind {
            FaultKind::Crash => {
                if self.cfg.clients > 0 && self.rng.chance(1, 8) {
                    format!("crash c{}", self.client())
                } else {
                    format!("crash {target}")
                }
            }
            FaultKind::Halt => format!("halt {target}"),
            FaultKind::Pause => {
                let who = if self.cfg.clients > 0 && self.cfg.client_pauses && self.rng.chance(1, 4)
                {
                    format!("c{}", self.client())
                } else {
                    target
                };
                format!("pause {who} for {}ms", self.rng.between(500, 30_000))
            }
            FaultKind::Restart => format!("restart {target}"),
            FaultKind::Partition => {
                let n = self.cfg.servers;
                let mut a = Vec::new();
                let mut b = Vec::new();
                for s in 1..=n {
                    if self.rng.chance(1, 2) {
                        &mut a
                    } else {
                        &mut b
                    }
                    .push(format!("zk{s}"));
                }
                for c in 1..=self.cfg.clients {
                    if self.rng.chance(1, 3) {
                        if self.rng.chance(1, 2) {
                            &mut a
                        } else {
                            &mut b
                        }
                        .push(format!("c{c}"));
                    }
                }
                if a.is_empty() || b.is_empty() {
                    return Some("heal".into());
                }
                format!("partition {} | {}", a.join(","), b.join(","))
            }
            FaultKind::Delay => {
                let other = self.server();
                if other == target {
                    return Some("heal".into());
                }
                format!("delay {target}->{other} {}ms", self.rng.between(0, 3_000))
            }
            FaultKind::Loss => format!("net loss {}%", self.pick(&[0, 0, 1, 2, 5, 10, 20])),
        })
    }

    /// Brings something back: a down server starts, partitions heal, a paused process
    /// resumes.
    fn recovery(&mut self, w: &World) -> Vec<String> {
        let mut out = Vec::new();
        for (_, s) in w.zk_servers() {
            let id = NodeId::Zk(s.sid());
            match w.status(id) {
                Some(Status::Crashed | Status::Halted) if self.rng.chance(2, 3) => {
                    out.push(format!("start {id}"))
                }
                _ => {}
            }
        }
        if self.rng.chance(1, 2) {
            out.push("heal".into());
        }
        out
    }

    fn traffic(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        if self.cfg.clients == 0 {
            return out;
        }
        for _ in 0..self.rng.between(1, 4) {
            let c = self.client();
            let ci = (c - 1) as usize;
            let roll = self.rng.below(10);
            let line = match roll {
                0..=2 => {
                    self.next_name += 1;
                    let name = format!("/n{}", self.next_name);
                    self.made[ci].push(name.clone());
                    format!("zkcli c{c} create {name} v{}", self.rng.below(100))
                }
                3 => {
                    self.next_name += 1;
                    format!("zkcli c{c} create -e /e{} x", self.next_name)
                }
                4 => format!("zkcli c{c} create -s /q- x"),
                5 | 6 if !self.made[ci].is_empty() => {
                    let name = self
                        .pick(
                            &self.made[ci]
                                .clone()
                                .iter()
                                .map(String::as_str)
                                .collect::<Vec<_>>(),
                        )
                        .to_string();
                    format!("zkcli c{c} set {name} w{}", self.rng.below(100))
                }
                7 if !self.made[ci].is_empty() => {
                    let i = self.rng.below(self.made[ci].len() as u64) as usize;
                    let name = self.made[ci].remove(i);
                    format!("zkcli c{c} delete {name}")
                }
                8 => format!("zkcli c{c} sync /"),
                _ => format!("zkcli c{c} ls /"),
            };
            out.push(line);
        }
        out
    }
}

/// Runs the schedule of `seed`, handing every trace event to `watch` (with the world as
/// it is after the event's step). An error names a setup line that is not a command.
pub fn run_seed(
    cfg: &SweepConfig,
    seed: u64,
    watch: &mut dyn FnMut(&World, &TraceEvent),
) -> Result<SeedReport, String> {
    let world = World::new(seed);
    let checkers = Checkers {
        zab: ZabChecker::new(&world),
        recipes: RecipeChecker::default(),
    };
    let mut d = Driver::new(world, checkers, watch);
    let mut plan = Plan {
        cfg,
        // A stream of its own, so the schedule does not shift the world's draws.
        rng: SimRng::new(seed ^ 0x5eed_5c4e_d01e_0000),
        made: vec![Vec::new(); cfg.clients as usize],
        next_name: 0,
    };
    d.line(&format!("zk ensemble {}", cfg.servers))?;
    for l in &cfg.setup {
        d.line(l)?;
    }
    d.line("start all")?;
    let all: Vec<String> = (1..=cfg.servers).map(|s| format!("zk{s}")).collect();
    for c in 1..=cfg.clients {
        d.line(&format!("zk client c{c} connect {}", all.join(",")))?;
    }
    d.settle(60_000);
    for r in &cfg.recipes {
        d.line(r)?;
    }
    for _ in 0..cfg.rounds {
        if plan.rng.chance(3, 5)
            && let Some(f) = plan.fault()
        {
            d.line(&f)?;
        }
        for l in plan.traffic() {
            d.line(&l)?;
        }
        let ms = if plan.rng.chance(1, 5) {
            plan.rng.between(5_000, 40_000)
        } else {
            plan.rng.between(100, 5_000)
        };
        d.run_for(ms);
        if plan.rng.chance(1, 3) {
            for l in plan.recovery(&d.world) {
                d.line(&l)?;
            }
        }
    }
    // Undo every fault, then give the ensemble time to elect and sync.
    d.line("heal")?;
    d.line("net loss 0%")?;
    let ids: Vec<(NodeId, Option<Status>)> = d
        .world
        .slots()
        .map(|(id, s)| (id, Some(s.status)))
        .collect();
    for (id, st) in ids {
        match st {
            Some(Status::Paused) => d.line(&format!("resume {id}"))?,
            Some(Status::Crashed | Status::Halted) if matches!(id, NodeId::Zk(_)) => {
                d.line(&format!("start {id}"))?
            }
            _ => {}
        }
    }
    let settled = d.settle(120_000);
    // Let the clients' last writes and the learners' syncs finish.
    d.run_for(10_000);
    // Settled: what the recipes must have reached by now (no missed wake-up, no lost
    // queue item, registry views up to date).
    if settled {
        let last = d.world.event_count().saturating_sub(1);
        d.observer.recipes.finish(&d.world, last);
    }
    Ok(SeedReport {
        seed,
        violations: d.observer.zab.violations().to_vec(),
        committed_txns: d.observer.zab.delivered(),
        events: d.world.event_count(),
        stuck: !settled,
        recipe_violations: d.observer.recipes.violations().to_vec(),
        wakeups: d.observer.recipes.wakeups.values().sum(),
        duplicates: d.observer.recipes.duplicates,
        expired: d
            .world
            .zk_clients()
            .filter(|c| c.session_state() == crate::zookeeper::client::SessionState::Expired)
            .count() as u32,
    })
}
