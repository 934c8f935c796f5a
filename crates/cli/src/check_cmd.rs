//! `zkafka check zab`: seeded random fault schedules on a ZooKeeper ensemble, every event
//! checked against ZAB's invariants ([`zkafka_engine::zookeeper::invariants`]). Seeds run
//! in parallel (rayon) with a progress bar on standard error (indicatif; hidden when
//! standard error is not a terminal). The summary's last line is exactly
//! `seeds=N violations=V committed_txns=T`.

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;
use zkafka_engine::describe::describe;
use zkafka_engine::i18n::Lang;
use zkafka_engine::zookeeper::invariants::Invariant;
use zkafka_engine::zookeeper::recipes::check::RecipeProperty;
use zkafka_engine::zookeeper::sweep::{FaultKind, SeedReport, SweepConfig, run_seed};

/// `zkafka check zab` options.
#[derive(Args, Clone, Debug)]
pub struct ZabArgs {
    /// How many seeds to run (seeds 1 to N).
    #[arg(long, default_value_t = 100)]
    seeds: u64,
    /// Run only this seed (with `--trace`, print its trace).
    #[arg(long, conflicts_with = "seeds")]
    seed: Option<u64>,
    /// Voting servers in the ensemble (1 to 9).
    #[arg(long, default_value_t = 5)]
    servers: u32,
    /// Faults the schedules draw from, comma-separated: crash, halt, pause, restart,
    /// partition, delay, loss (`none` for client traffic only).
    #[arg(long, default_value = "crash,halt,pause,restart,partition,delay,loss")]
    faults: String,
    /// ZooKeeper clients writing and reading (0 to 9).
    #[arg(long, default_value_t = 3)]
    clients: u32,
    /// A file of command-language lines run before each schedule starts the ensemble
    /// (such as `zk config forceSync no`).
    #[arg(long)]
    setup: Option<PathBuf>,
    /// Rounds of faults, traffic and time in each schedule.
    #[arg(long, default_value_t = 16)]
    rounds: u32,
    /// With `--seed`: print the run's trace, with each violation where it was found.
    #[arg(long, requires = "seed")]
    trace: bool,
    /// A recipe clients run besides the traffic, as the `recipe` command takes it
    /// (`lock /locks/l clients 5 fair hold 300ms`); may be given more than once (readers
    /// and writers of one read/write lock). The recipe checker (one exclusive holder, or
    /// readers only) watches every event too.
    #[arg(long)]
    recipe: Vec<String>,
    /// Never pause clients (a paused lock holder is the zombie the recipe checker
    /// catches; leave pauses on to see it).
    #[arg(long)]
    no_client_pauses: bool,
}

fn config(a: &ZabArgs) -> Result<SweepConfig, String> {
    if !(1..=9).contains(&a.servers) {
        return Err(format!("--servers takes 1 to 9, not {}", a.servers));
    }
    if a.clients > 9 {
        return Err(format!("--clients takes 0 to 9, not {}", a.clients));
    }
    let faults = fault_list::<FaultKind>(&a.faults)?;
    let setup = match &a.setup {
        None => Vec::new(),
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| format!("--setup {}: {e}", p.display()))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect(),
    };
    Ok(SweepConfig {
        servers: a.servers,
        clients: a.clients,
        faults,
        setup,
        rounds: a.rounds,
        recipes: a.recipe.iter().map(|r| format!("recipe {r}")).collect(),
        client_pauses: !a.no_client_pauses,
    })
}

/// Runs `zkafka check zab`; the exit status.
pub fn zab(a: &ZabArgs) -> u8 {
    let cfg = match config(a) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if let Some(seed) = a.seed {
        return one(&cfg, seed, a.trace);
    }
    sweep(&cfg, a.seeds)
}

fn one(cfg: &SweepConfig, seed: u64, trace: bool) -> u8 {
    let report = match run_seed(cfg, seed, &mut |_, _| {}) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if trace {
        // The run is deterministic: replay it, printing each event and, after the event
        // a violation was found at, the violation.
        let mut at: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for v in &report.violations {
            at.entry(v.event).or_default().push(v.to_string());
        }
        let _ = run_seed(cfg, seed, &mut |_, e| {
            out!(
                "{:>9.3}s  {}",
                e.time as f64 / 1000.0,
                describe(e, Lang::En)
            );
            if let Some(vs) = at.get(&e.seq) {
                for v in vs {
                    out!("           VIOLATION {v}");
                }
            }
        });
    }
    summary(cfg, &[report], 0.0)
}

fn sweep(cfg: &SweepConfig, seeds: u64) -> u8 {
    let start = Instant::now();
    let found = std::sync::atomic::AtomicUsize::new(0);
    let reports = run_seeds(
        seeds,
        "0 violations",
        |seed| run_seed(cfg, seed, &mut |_, _| {}),
        |r: &SeedReport, bar| {
            if !r.violations.is_empty() {
                let n = found.fetch_add(r.violations.len(), std::sync::atomic::Ordering::Relaxed)
                    + r.violations.len();
                bar.set_message(format!("{n} violations"));
            }
        },
    );
    let reports = match reports {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    summary(cfg, &reports, start.elapsed().as_secs_f64())
}

fn summary(cfg: &SweepConfig, reports: &[SeedReport], wall_s: f64) -> u8 {
    let faults = if cfg.faults.is_empty() {
        "none".to_string()
    } else {
        cfg.faults
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut per: BTreeMap<Invariant, (usize, Option<u64>)> = BTreeMap::new();
    let mut violations = 0usize;
    let mut bad_seeds = 0usize;
    let mut recipe_per: BTreeMap<RecipeProperty, (usize, Option<u64>)> = BTreeMap::new();
    for r in reports {
        if !r.violations.is_empty() {
            bad_seeds += 1;
            out!("seed {}:", r.seed);
        }
        for v in &r.violations {
            violations += 1;
            let e = per.entry(v.invariant).or_insert((0, None));
            e.0 += 1;
            e.1.get_or_insert(r.seed);
            out!("  {v}");
        }
        if !r.recipe_violations.is_empty() && r.violations.is_empty() {
            bad_seeds += 1;
            out!("seed {}:", r.seed);
        }
        for v in &r.recipe_violations {
            violations += 1;
            let e = recipe_per.entry(v.property).or_insert((0, None));
            e.0 += 1;
            e.1.get_or_insert(r.seed);
            out!(
                "  {} at event {} (t={} ms): {}",
                v.property.name(),
                v.event,
                v.time,
                v.detail
            );
        }
    }
    let committed: usize = reports.iter().map(|r| r.committed_txns).sum();
    let events: u64 = reports.iter().map(|r| r.events).sum();
    let stuck: Vec<u64> = reports.iter().filter(|r| r.stuck).map(|r| r.seed).collect();
    if !reports.is_empty() && (violations > 0 || bad_seeds > 0) {
        out!();
    }
    out!(
        "ZAB check: {} servers, {} clients, {} rounds, faults {faults}{}",
        cfg.servers,
        cfg.clients,
        cfg.rounds,
        if cfg.setup.is_empty() {
            String::new()
        } else {
            format!(", setup: {}", cfg.setup.join("; "))
        }
    );
    out!("{:<18} {:>10}  first seed", "invariant", "violations");
    for inv in Invariant::ALL {
        let (n, first) = per.get(&inv).copied().unwrap_or((0, None));
        out!(
            "{:<18} {:>10}  {}",
            inv.name(),
            n,
            first.map_or("-".to_string(), |s| s.to_string())
        );
    }
    if !cfg.recipes.is_empty() {
        let r = cfg.recipes.join("; ");
        // The rows of the recipes' own promises, and any other that was broken.
        let mut rows: Vec<RecipeProperty> = cfg
            .recipes
            .iter()
            .flat_map(|l| RecipeProperty::of_line(l))
            .chain(recipe_per.keys().copied())
            .collect();
        rows.sort();
        rows.dedup();
        for p in rows {
            let (n, first) = recipe_per.get(&p).copied().unwrap_or((0, None));
            out!(
                "{:<18} {:>10}  {}",
                p.name(),
                n,
                first.map_or("-".to_string(), |s| s.to_string())
            );
        }
        let wakeups: u32 = reports.iter().map(|r| r.wakeups).sum();
        out!("{:<18} {:>10}  ({r})", "lock wake-ups", wakeups);
        let expired: u32 = reports.iter().map(|r| r.expired).sum();
        let runs = reports.iter().filter(|r| r.expired > 0).count();
        out!(
            "{:<18} {:>10}  (clients, in {runs} runs)",
            "sessions expired",
            expired
        );
        let duplicates: u32 = reports.iter().map(|r| r.duplicates).sum();
        if duplicates > 0 {
            out!(
                "{:<18} {:>10}  (queue items taken twice: at least once)",
                "duplicates",
                duplicates
            );
        }
    }
    out!("{:<18} {:>10}", "seeds violating", bad_seeds);
    out!(
        "{:<18} {:>10}  {}",
        "no leader at end",
        stuck.len(),
        stuck
            .iter()
            .take(10)
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    );
    out!("{:<18} {:>10}", "events", events);
    if wall_s > 0.0 {
        out!("{:<18} {:>10.1}", "wall seconds", wall_s);
    }
    out!(
        "seeds={} violations={} committed_txns={}",
        reports.len(),
        violations,
        committed
    );
    if violations == 0 { 0 } else { 1 }
}

/// A `--faults` list: names parsed as `T`, sorted and without repeats; `none` is empty.
/// The error names the flag and the word that is not a fault.
pub fn fault_list<T: std::str::FromStr<Err = String> + Ord>(list: &str) -> Result<Vec<T>, String> {
    if list.trim() == "none" {
        return Ok(Vec::new());
    }
    let mut f = list
        .split(',')
        .map(|s| s.trim().parse::<T>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("--faults: {e}"))?;
    f.sort();
    f.dedup();
    Ok(f)
}

/// Runs `run` on seeds 1..=`seeds` in parallel with a progress bar; `progress` may set the
/// bar's message from each report. The reports in seed order, or the first error.
pub fn run_seeds<R: Send>(
    seeds: u64,
    message: &str,
    run: impl Fn(u64) -> Result<R, String> + Sync,
    progress: impl Fn(&R, &ProgressBar) + Sync,
) -> Result<Vec<R>, String> {
    let bar = seed_bar(seeds);
    bar.set_message(message.to_string());
    let reports: Vec<Result<R, String>> = (1..=seeds)
        .into_par_iter()
        .map(|seed| {
            let r = run(seed);
            if let Ok(r) = &r {
                progress(r, &bar);
            }
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    reports.into_iter().collect()
}

/// The progress bar of a sweep over `seeds` seeds, on standard error (hidden when that is
/// not a terminal); its message says what was found so far.
pub fn seed_bar(seeds: u64) -> ProgressBar {
    let bar = ProgressBar::new(seeds);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} seeds, {msg} (eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
