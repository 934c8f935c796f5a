//! Random fault schedules for a Kafka cluster, and what they did to acknowledged records:
//! the engine's side of `zkafka check kafka`.
//!
//! A schedule is made from its seed alone (its own RNG stream): three brokers on the
//! cluster's ZooKeeper, a topic of two partitions replicated three times, then rounds of
//! produced records (unique values), faults on the brokers and time passing; at the end
//! every fault is undone, every broker is started once its old ZooKeeper session has
//! expired, and the cluster settles. Then each partition's committed log (its leader's,
//! below the high watermark) is compared with what the producer saw acknowledged:
//!
//! - lost: an acknowledged record that is not in the committed log;
//! - reordered: an acknowledged record that sits before one the producer sent (and had
//!   acknowledged) earlier in the same partition.
//!
//! With acks=all, min.insync.replicas ≥ 2 and unclean election off, Kafka promises
//! neither happens (docs/design.html, "Availability and Durability Guarantees"); with
//! acks=1 or unclean election on, both may.
//!
//! Faults: crash, halt (power cut), pause (for a while), restart, partition (a broker
//! cut from the others), delay, loss, and ZooKeeper session expiry (a broker cut from
//! ZooKeeper only, long enough for its session to expire: the zombie leader case).
//!
//! Power cuts are not in the default set. Kafka does not fsync, and a replica that comes
//! back from a power cut without what it had acknowledged is still in the ISR in
//! ZooKeeper until the controller or the leader removes it; if the leader then fails,
//! the controller may elect it and the acknowledged records are gone although another
//! in-sync replica kept them the whole time (the gap KIP-966's eligible leader replicas
//! close, Kafka 3.7+ in KRaft). `--faults ...,halt` shows it. Power cuts a sweep does
//! make are at least 40 s apart, so no two of them fall within one page-cache write-back
//! window (30 s); a second halt that comes too soon is a crash instead.
//!
//! Pure: no threads, no clock. The CLI runs seeds in parallel.

use crate::ids::NodeId;
use crate::kafka::config::Acks;
use crate::kafka::topic::TopicPartition;
use crate::script::schedule::ScheduleDriver;
use crate::sim::node::Status;
use crate::sim::rng::SimRng;
use crate::sim::trace::TraceEvent;
use crate::sim::world::World;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Brokers in a schedule's cluster.
const BROKERS: u32 = 3;

/// A kind of fault a schedule may inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum KafkaFault {
    /// `crash brokerN`: kill -9 (its page cache survives).
    Crash,
    /// `halt brokerN`: a power cut (what was not written back is lost).
    Halt,
    /// `pause brokerN for D`.
    Pause,
    /// `restart brokerN` (a restart within the session timeout exits: NodeExists).
    Restart,
    /// `partition brokerN | the others`, healed later.
    Partition,
    /// `delay a->b D`.
    Delay,
    /// `net loss N%`.
    Loss,
    /// `partition brokerN | zk1` for 20 to 30 s: the broker's ZooKeeper session expires
    /// while it keeps serving.
    Expire,
}

/// The faults a sweep draws from unless told otherwise: all but `halt` (see the module
/// doc).
pub const DEFAULT_FAULTS: [KafkaFault; 7] = [
    KafkaFault::Crash,
    KafkaFault::Pause,
    KafkaFault::Restart,
    KafkaFault::Partition,
    KafkaFault::Delay,
    KafkaFault::Loss,
    KafkaFault::Expire,
];

impl KafkaFault {
    /// Every kind, in the order `--faults` lists them.
    pub const ALL: [KafkaFault; 8] = [
        KafkaFault::Crash,
        KafkaFault::Halt,
        KafkaFault::Pause,
        KafkaFault::Restart,
        KafkaFault::Partition,
        KafkaFault::Delay,
        KafkaFault::Loss,
        KafkaFault::Expire,
    ];

    /// Its name in `--faults`.
    pub fn name(self) -> &'static str {
        match self {
            KafkaFault::Crash => "crash",
            KafkaFault::Halt => "halt",
            KafkaFault::Pause => "pause",
            KafkaFault::Restart => "restart",
            KafkaFault::Partition => "partition",
            KafkaFault::Delay => "delay",
            KafkaFault::Loss => "loss",
            KafkaFault::Expire => "expire",
        }
    }
}

impl fmt::Display for KafkaFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for KafkaFault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        KafkaFault::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = KafkaFault::ALL.iter().map(|k| k.name()).collect();
                format!("`{s}` is not a fault; use {}", names.join(", "))
            })
    }
}

/// What every schedule of a sweep shares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaSweepConfig {
    /// The producer's `acks`.
    pub acks: Acks,
    /// `min.insync.replicas`.
    pub min_insync: u32,
    /// `unclean.leader.election.enable`.
    pub unclean: bool,
    /// Followers truncate to their high watermark (`inter.broker.protocol.version`
    /// below 0.11, before KIP-101).
    pub pre_kip101: bool,
    /// The faults schedules draw from.
    pub faults: Vec<KafkaFault>,
    /// Rounds of records, faults and time.
    pub rounds: u32,
}

impl Default for KafkaSweepConfig {
    fn default() -> Self {
        KafkaSweepConfig {
            acks: Acks::All,
            min_insync: 2,
            unclean: false,
            pre_kip101: false,
            faults: DEFAULT_FAULTS.to_vec(),
            rounds: 12,
        }
    }
}

/// One acknowledged record the final log does not keep as promised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anomaly {
    /// The partition.
    pub tp: TopicPartition,
    /// The record's value.
    pub value: String,
    /// The offset it was acknowledged at (`None` with acks=0).
    pub acked_offset: Option<u64>,
    /// Lost, or reordered.
    pub kind: AnomalyKind,
}

/// The two ways an acknowledged record can go wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnomalyKind {
    /// Not in the committed log.
    Lost,
    /// Before a record sent earlier.
    Reordered,
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            AnomalyKind::Lost => "lost",
            AnomalyKind::Reordered => "reordered",
        };
        match self.acked_offset {
            Some(o) => write!(
                f,
                "{what}: {} value {} (acknowledged at offset {o})",
                self.tp, self.value
            ),
            None => write!(f, "{what}: {} value {}", self.tp, self.value),
        }
    }
}

/// What one seed's schedule came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KafkaSeedReport {
    /// The seed.
    pub seed: u64,
    /// Records the producer saw acknowledged.
    pub acked: usize,
    /// Acknowledged records lost or reordered.
    pub anomalies: Vec<Anomaly>,
    /// Partitions with no leader at the end (their records are not judged).
    pub offline: Vec<TopicPartition>,
    /// Trace events in the run.
    pub events: u64,
}

impl KafkaSeedReport {
    /// How many acknowledged records were lost.
    pub fn lost(&self) -> usize {
        self.anomalies
            .iter()
            .filter(|a| a.kind == AnomalyKind::Lost)
            .count()
    }

    /// How many acknowledged records were reordered.
    pub fn reordered(&self) -> usize {
        self.anomalies
            .iter()
            .filter(|a| a.kind == AnomalyKind::Reordered)
            .count()
    }
}

fn broker(rng: &mut SimRng) -> u32 {
    rng.between(1, u64::from(BROKERS)) as u32
}

/// Power cuts are this far apart at least, ms (see the module doc).
const HALT_SPACING_MS: u64 = 40_000;

/// One fault line.
fn fault(cfg: &KafkaSweepConfig, rng: &mut SimRng, halt_ok: bool) -> Option<String> {
    if cfg.faults.is_empty() {
        return None;
    }
    let kind = cfg.faults[rng.below(cfg.faults.len() as u64) as usize];
    let b = broker(rng);
    let others: Vec<String> = (1..=BROKERS)
        .filter(|x| *x != b)
        .map(|x| format!("broker{x}"))
        .collect();
    Some(match kind {
        KafkaFault::Crash => format!("crash broker{b}"),
        KafkaFault::Halt if halt_ok => format!("halt broker{b}"),
        KafkaFault::Halt => format!("crash broker{b}"),
        KafkaFault::Pause => format!("pause broker{b} for {}ms", rng.between(500, 30_000)),
        KafkaFault::Restart => format!("restart broker{b}"),
        KafkaFault::Partition => format!("partition broker{b} | {}", others.join(",")),
        KafkaFault::Delay => {
            let o = broker(rng);
            if o == b {
                return Some("heal".into());
            }
            format!("delay broker{b}->broker{o} {}ms", rng.between(0, 3_000))
        }
        KafkaFault::Loss => format!("net loss {}%", [0, 0, 1, 2, 5, 10][rng.below(6) as usize]),
        KafkaFault::Expire => format!("partition broker{b} | zk1"),
    })
}

/// Runs one seed's schedule, handing each trace event to `watch`.
///
/// Errors: a schedule line the command language refuses to parse (a bug in the
/// schedule, not in the engine).
pub fn run_seed(
    cfg: &KafkaSweepConfig,
    seed: u64,
    watch: &mut dyn FnMut(&World, &TraceEvent),
) -> Result<KafkaSeedReport, String> {
    let mut d = ScheduleDriver::new(World::new(seed), (), watch);
    let mut rng = SimRng::new(seed ^ 0x4b41_464b_4131_0000);
    d.line(&format!("kafka cluster {BROKERS}"))?;
    d.line(&format!("kafka config acks {}", cfg.acks.name()))?;
    d.line(&format!(
        "kafka config min.insync.replicas {}",
        cfg.min_insync
    ))?;
    if cfg.unclean {
        d.line("kafka config unclean.leader.election.enable true")?;
    }
    if cfg.pre_kip101 {
        d.line("kafka config inter.broker.protocol.version 0.10.2")?;
    }
    d.line("start all")?;
    d.line("topic create t partitions 2 rf 3")?;
    d.run_for(2_000);
    let mut last_halt: Option<u64> = None;
    for round in 0..cfg.rounds {
        let count = rng.between(1, 30);
        d.line(&format!("produce t value r{round}- count {count}"))?;
        let halt_ok = last_halt.is_none_or(|t| d.world.now() >= t + HALT_SPACING_MS);
        if rng.chance(2, 3)
            && let Some(f) = fault(cfg, &mut rng, halt_ok)
        {
            // Half the time at once, while the records are on their way.
            if rng.chance(1, 2) {
                d.run_for(rng.between(1, 300));
            }
            let expire = f.ends_with("| zk1");
            if f.starts_with("halt") {
                last_halt = Some(d.world.now());
            }
            d.line(&f)?;
            if expire {
                d.run_for(rng.between(20_000, 30_000));
                d.line("heal")?;
            }
        }
        d.run_for(rng.between(200, 10_000));
        if rng.chance(1, 3) {
            d.line("heal")?;
        }
        for b in 1..=BROKERS {
            let id = NodeId::Broker(b);
            if matches!(
                d.world.status(id),
                Some(Status::Crashed | Status::Halted | Status::Stopped)
            ) && rng.chance(1, 2)
            {
                d.line(&format!("start {id}"))?;
            }
        }
    }
    // Undo everything; start brokers once their old sessions have expired (a broker
    // started while its old registration stands exits: NodeExists), twice to be sure.
    d.line("heal")?;
    d.line("net loss 0%")?;
    for b in 1..=BROKERS {
        if d.world.status(NodeId::Broker(b)) == Some(Status::Paused) {
            d.line(&format!("resume broker{b}"))?;
        }
    }
    d.run_for(25_000);
    d.line("start all")?;
    d.run_for(25_000);
    d.line("start all")?;
    d.run_for(60_000);
    let acked: Vec<(TopicPartition, Option<u64>, Option<String>)> = d
        .world
        .producers()
        .flat_map(|p| p.acknowledged().iter().cloned())
        .collect();
    let (anomalies, offline) = judge(&d.world, &acked);
    Ok(KafkaSeedReport {
        seed,
        acked: acked.len(),
        anomalies,
        offline,
        events: d.world.event_count(),
    })
}

/// The send order of a value `r<round>-<i>`.
fn send_order(v: &str) -> (u64, u64) {
    let v = v.trim_start_matches('r');
    let (a, b) = v.split_once('-').unwrap_or((v, "0"));
    (a.parse().unwrap_or(0), b.parse().unwrap_or(0))
}

/// Compares each partition's committed log with the acknowledged records.
fn judge(
    w: &World,
    acked: &[(TopicPartition, Option<u64>, Option<String>)],
) -> (Vec<Anomaly>, Vec<TopicPartition>) {
    let mut by_tp: BTreeMap<TopicPartition, Vec<(Option<u64>, String)>> = BTreeMap::new();
    for (tp, o, v) in acked {
        by_tp
            .entry(tp.clone())
            .or_default()
            .push((*o, v.clone().unwrap_or_default()));
    }
    let mut anomalies = Vec::new();
    let mut offline = Vec::new();
    for (tp, mut records) in by_tp {
        let log = w
            .partition_leader(&tp)
            .and_then(|l| w.broker(l))
            .filter(|b| w.is_up(NodeId::Broker(b.id())))
            .and_then(|b| Some((b.disk().logs.get(&tp)?, b.hw(&tp)?)));
        let Some((log, hw)) = log else {
            offline.push(tp);
            continue;
        };
        let mut position: BTreeMap<String, u64> = BTreeMap::new();
        for o in log.log_start_offset()..hw {
            if let Some(v) = log.record_at(o).and_then(|r| r.value.clone()) {
                position.entry(v).or_insert(o);
            }
        }
        records.sort_by_key(|(_, v)| send_order(v));
        let mut highest: Option<u64> = None;
        for (acked_offset, value) in records {
            match position.get(&value) {
                None => anomalies.push(Anomaly {
                    tp: tp.clone(),
                    value,
                    acked_offset,
                    kind: AnomalyKind::Lost,
                }),
                Some(&p) => {
                    if highest.is_some_and(|h| p < h) {
                        anomalies.push(Anomaly {
                            tp: tp.clone(),
                            value,
                            acked_offset,
                            kind: AnomalyKind::Reordered,
                        });
                    }
                    highest = Some(highest.map_or(p, |h| h.max(p)));
                }
            }
        }
    }
    (anomalies, offline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_sort_in_send_order() {
        let mut v = vec!["r1-10", "r0-3", "r1-2"];
        v.sort_by_key(|s| send_order(s));
        assert_eq!(v, vec!["r0-3", "r1-2", "r1-10"]);
    }

    #[test]
    fn a_quiet_safe_run_loses_nothing() {
        let cfg = KafkaSweepConfig {
            faults: Vec::new(),
            rounds: 3,
            ..KafkaSweepConfig::default()
        };
        let r = run_seed(&cfg, 1, &mut |_, _| {}).expect("runs");
        assert!(r.acked > 0, "records were acknowledged");
        assert_eq!((r.anomalies.clone(), r.offline.clone()), (vec![], vec![]));
    }
}
