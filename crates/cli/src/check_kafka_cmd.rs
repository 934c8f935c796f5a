//! `zkafka check kafka`: seeded random fault schedules on a Kafka cluster (three brokers
//! on the engine's ZooKeeper), each ending with the acknowledged records compared with
//! the committed logs ([`zkafka_engine::kafka::sweep`]). Seeds run in parallel (rayon)
//! with a progress bar on standard error. Exits 0 when no acknowledged record was lost or
//! reordered, 1 when some were; the summary's last line is exactly
//! `seeds=N lost=L reordered=R violating_seeds=V`.

use clap::Args;
use std::time::Instant;
use zkafka_engine::describe::describe;
use zkafka_engine::i18n::Lang;
use zkafka_engine::kafka::config::Acks;
use zkafka_engine::kafka::sweep::{KafkaFault, KafkaSeedReport, KafkaSweepConfig, run_seed};

/// `zkafka check kafka` options.
#[derive(Args, Clone, Debug)]
pub struct KafkaArgs {
    /// How many seeds to run (seeds 1 to N).
    #[arg(long, default_value_t = 100)]
    seeds: u64,
    /// Run only this seed (with `--trace`, print its trace).
    #[arg(long, conflicts_with = "seeds")]
    seed: Option<u64>,
    /// The producer's acks: 0, 1 or all.
    #[arg(long, default_value = "all")]
    acks: String,
    /// min.insync.replicas (1 to 3).
    #[arg(long, default_value_t = 2)]
    min_insync: u32,
    /// unclean.leader.election.enable=true.
    #[arg(long)]
    unclean: bool,
    /// Followers truncate to their high watermark, as before KIP-101
    /// (inter.broker.protocol.version 0.10.2).
    #[arg(long)]
    pre_kip101: bool,
    /// Faults the schedules draw from, comma-separated: crash, halt, pause, restart,
    /// partition, delay, loss, expire (`none` for records only). `halt` (a power cut) is
    /// not in the default: without fsync, Kafka in ZooKeeper mode can elect a replica that
    /// lost acknowledged records in a power cut (the gap KIP-966 closes), so the sweep
    /// finds losses with it by design.
    #[arg(
        long,
        default_value = "crash,pause,restart,partition,delay,loss,expire"
    )]
    faults: String,
    /// Rounds of records, faults and time in each schedule.
    #[arg(long, default_value_t = 12)]
    rounds: u32,
    /// With `--seed`: print the run's trace.
    #[arg(long, requires = "seed")]
    trace: bool,
}

fn config(a: &KafkaArgs) -> Result<KafkaSweepConfig, String> {
    let acks = Acks::parse(&a.acks).ok_or(format!("--acks takes 0, 1 or all, not `{}`", a.acks))?;
    if !(1..=3).contains(&a.min_insync) {
        return Err(format!("--min-insync takes 1 to 3, not {}", a.min_insync));
    }
    let faults = crate::check_cmd::fault_list::<KafkaFault>(&a.faults)?;
    Ok(KafkaSweepConfig {
        acks,
        min_insync: a.min_insync,
        unclean: a.unclean,
        pre_kip101: a.pre_kip101,
        faults,
        rounds: a.rounds,
    })
}

/// Runs `zkafka check kafka`; the exit status.
pub fn kafka(a: &KafkaArgs) -> u8 {
    let cfg = match config(a) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let start = Instant::now();
    let reports: Result<Vec<KafkaSeedReport>, String> = match a.seed {
        Some(seed) => {
            let trace = a.trace;
            run_seed(&cfg, seed, &mut |_, e| {
                if trace {
                    out!(
                        "{:>9.3}s  {}",
                        e.time as f64 / 1000.0,
                        describe(e, Lang::En)
                    );
                }
            })
            .map(|r| vec![r])
        }
        None => crate::check_cmd::run_seeds(
            a.seeds,
            "acknowledged records checked",
            |seed| run_seed(&cfg, seed, &mut |_, _| {}),
            |_, _| {},
        ),
    };
    let reports = match reports {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    summary(&cfg, &reports, start.elapsed().as_secs_f64())
}

fn summary(cfg: &KafkaSweepConfig, reports: &[KafkaSeedReport], wall_s: f64) -> u8 {
    let mut violating = 0usize;
    for r in reports.iter().filter(|r| !r.anomalies.is_empty()) {
        violating += 1;
        if violating <= 20 {
            out!(
                "seed {}: {} lost, {} reordered",
                r.seed,
                r.lost(),
                r.reordered()
            );
            for a in r.anomalies.iter().take(5) {
                out!("  {a}");
            }
            if r.anomalies.len() > 5 {
                out!("  ... {} more", r.anomalies.len() - 5);
            }
        }
    }
    if violating > 20 {
        out!("... {} more seeds", violating - 20);
    }
    if violating > 0 {
        out!();
    }
    let faults = if cfg.faults.is_empty() {
        "none".to_string()
    } else {
        cfg.faults
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(",")
    };
    out!(
        "Kafka check: 3 brokers, topic t (2 partitions, rf 3), acks={}, min.insync.replicas={}, unclean election {}, {}, {} rounds, faults {faults}",
        cfg.acks.name(),
        cfg.min_insync,
        if cfg.unclean { "on" } else { "off" },
        if cfg.pre_kip101 {
            "truncation to the HW (pre-KIP-101)"
        } else {
            "leader epochs (KIP-101)"
        },
        cfg.rounds,
    );
    let lost: usize = reports.iter().map(KafkaSeedReport::lost).sum();
    let reordered: usize = reports.iter().map(KafkaSeedReport::reordered).sum();
    let acked: usize = reports.iter().map(|r| r.acked).sum();
    let offline: Vec<u64> = reports
        .iter()
        .filter(|r| !r.offline.is_empty())
        .map(|r| r.seed)
        .collect();
    let first = |f: &dyn Fn(&KafkaSeedReport) -> usize| {
        reports
            .iter()
            .find(|r| f(r) > 0)
            .map_or("-".to_string(), |r| r.seed.to_string())
    };
    out!("{:<22} {:>10}", "acknowledged records", acked);
    out!(
        "{:<22} {:>10}  first seed {}",
        "lost",
        lost,
        first(&KafkaSeedReport::lost)
    );
    out!(
        "{:<22} {:>10}  first seed {}",
        "reordered",
        reordered,
        first(&KafkaSeedReport::reordered)
    );
    out!(
        "{:<22} {:>10}  {}",
        "offline at the end",
        offline.len(),
        offline
            .iter()
            .take(10)
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let events: u64 = reports.iter().map(|r| r.events).sum();
    out!("{:<22} {:>10}", "events", events);
    if wall_s > 0.0 {
        out!("{:<22} {:>10.1}", "wall seconds", wall_s);
    }
    out!(
        "seeds={} lost={lost} reordered={reordered} violating_seeds={violating}",
        reports.len()
    );
    if violating == 0 { 0 } else { 1 }
}
