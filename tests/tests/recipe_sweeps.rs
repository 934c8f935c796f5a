//! Every recipe's checker stays silent across about a thousand seeded fault schedules
//! each (crashes, power cuts, pauses and restarts of servers, partitions, delays, loss),
//! with 4-second sessions so that clients' sessions expire too: safe runs find nothing.
//! `ZKAFKA_RECIPE_SEEDS` changes the count.

#![cfg(not(target_arch = "wasm32"))]

use zkafka_engine::zookeeper::sweep::{FaultKind, SeedReport, SweepConfig, run_seed};

fn seeds() -> u64 {
    std::env::var("ZKAFKA_RECIPE_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

/// Runs seeds 1..=N of `recipes` on every core and returns the reports.
fn sweep(recipes: &[&str]) -> Vec<SeedReport> {
    let cfg = SweepConfig {
        servers: 3,
        clients: 2,
        faults: FaultKind::ALL.to_vec(),
        recipes: recipes.iter().map(|r| r.to_string()).collect(),
        client_pauses: false,
        ..SweepConfig::default()
    };
    let n = seeds();
    let threads = std::thread::available_parallelism().map_or(2, |p| p.get()) as u64;
    let mut out: Vec<SeedReport> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let cfg = &cfg;
                s.spawn(move || {
                    (1..=n)
                        .filter(|seed| seed % threads == t)
                        .map(|seed| run_seed(cfg, seed, &mut |_, _| {}).expect("runs"))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a sweep thread"))
            .collect()
    });
    out.sort_by_key(|r| r.seed);
    out
}

/// Seeds where ZAB's checker (not a recipe's) finds committed transactions lost. Each
/// is the same known path, kept here so that any new one fails the test: a follower acks
/// NEWLEADER (logging the DIFF and writing the new currentEpoch) and loses its leader
/// before UPTODATE; as in ZooKeeper 3.8.6 it applied nothing in memory
/// (`Learner.syncWithLeader`: DIFF writes to the txn log, UPTODATE applies) and its
/// unstarted server does not fast-forward on shutdown (`ZooKeeperServer.canShutdown`), so
/// it votes with the new epoch and its old zxid, wins, and TRUNCs a follower that had the
/// committed transactions. ZooKeeper 3.9.3 applies committed transactions at NEWLEADER
/// (ZOOKEEPER-4394). In these seeds the NEWLEADER reaches the follower by a
/// retransmission after the old leader's power cut, which a powered-off host cannot
/// send: an engine shortcut (loss is modelled as delay at send time), left open in
/// issue 7's note.
const KNOWN_ZAB_LOSSES: &[(&str, u64)] = &[("barrier", 764)];

fn silent(name: &str, recipes: &[&str]) -> Vec<SeedReport> {
    let reports = sweep(recipes);
    for r in &reports {
        if KNOWN_ZAB_LOSSES.contains(&(name, r.seed)) {
            assert!(
                r.violations
                    .iter()
                    .any(|v| v.invariant.name() == "CommittedKept"),
                "{name}, seed {}: the known loss is gone: update KNOWN_ZAB_LOSSES",
                r.seed
            );
            continue;
        }
        assert!(
            r.violations.is_empty(),
            "{name}, seed {}: {:?}",
            r.seed,
            r.violations
        );
        assert!(
            r.recipe_violations.is_empty(),
            "{name}, seed {}: {:?}",
            r.seed,
            r.recipe_violations
        );
    }
    // The schedules must reach what the checkers are about: expired sessions.
    let expired = reports.iter().filter(|r| r.expired > 0).count();
    assert!(
        expired * 20 >= reports.len(),
        "{name}: sessions expired in only {expired} of {} runs",
        reports.len()
    );
    reports
}

#[test]
fn fair_and_herd_locks_stay_silent() {
    let fair = silent(
        "fair lock",
        &["recipe lock /locks/l clients 4 fair hold 300ms rounds 3 session-timeout 4000"],
    );
    assert!(
        fair.iter().map(|r| r.wakeups).sum::<u32>() > 0,
        "nobody ever waited"
    );
    silent(
        "herd lock",
        &["recipe lock /locks/l clients 4 herd hold 300ms rounds 3 session-timeout 4000"],
    );
}

#[test]
fn read_write_locks_stay_silent() {
    silent(
        "read/write lock",
        &[
            "recipe lock /locks/rw clients 3 read hold 300ms rounds 3 session-timeout 4000",
            "recipe lock /locks/rw clients 2 write hold 300ms rounds 3 session-timeout 4000",
        ],
    );
}

#[test]
fn elections_stay_silent() {
    silent(
        "election",
        &["recipe election /election clients 4 lead 300ms rounds 3 session-timeout 4000"],
    );
}

#[test]
fn double_barriers_stay_silent() {
    silent(
        "barrier",
        &["recipe barrier /b clients 4 work 500ms session-timeout 4000"],
    );
}

#[test]
fn queues_lose_nothing() {
    let reports = silent(
        "queue",
        &["recipe queue /q producers 2 consumers 2 items 4 session-timeout 4000"],
    );
    // At least once: a consumer that lost its reply may take an item another took too.
    let dup: u32 = reports.iter().map(|r| r.duplicates).sum();
    assert!(dup < reports.len() as u32, "{dup} duplicates");
}

#[test]
fn registries_stay_silent() {
    silent(
        "registry",
        &["recipe registry /services/api instances 3 watchers 2 session-timeout 4000"],
    );
}
