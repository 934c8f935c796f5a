//! `zkafka check kafka`'s engine side across seeded fault schedules: the safe
//! configuration (acks=all, min.insync.replicas=2, unclean election off, leader epochs)
//! never loses or reorders an acknowledged record, and each unsafe one is caught losing
//! some. `ZKAFKA_KAFKA_SEEDS` sets how many seeds (default 300 for the safe sweep, 200 for
//! each unsafe one, which stops at its first loss; 400 for unclean election, whose first
//! loss is at seed 204).

use zkafka_engine::kafka::config::Acks;
use zkafka_engine::kafka::sweep::{KafkaFault, KafkaSweepConfig, run_seed};

fn seeds(default: u64) -> u64 {
    std::env::var("ZKAFKA_KAFKA_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The first seed (of 1..=n) whose schedule lost an acknowledged record, if any.
fn first_loss(cfg: &KafkaSweepConfig, n: u64) -> Option<u64> {
    (1..=n).find(|&seed| {
        let r = run_seed(cfg, seed, &mut |_, _| {}).expect("the schedule runs");
        r.lost() > 0
    })
}

#[test]
fn the_safe_configuration_keeps_every_acknowledged_record_in_order() {
    let cfg = KafkaSweepConfig::default();
    let mut acked = 0;
    for seed in 1..=seeds(300) {
        let r = run_seed(&cfg, seed, &mut |_, _| {}).expect("the schedule runs");
        assert!(
            r.anomalies.is_empty() && r.offline.is_empty(),
            "seed {seed}: {:?}, offline {:?}",
            r.anomalies
                .iter()
                .take(3)
                .map(|a| a.to_string())
                .collect::<Vec<_>>(),
            r.offline
        );
        acked += r.acked;
    }
    assert!(acked > 1000, "the sweep acknowledged records ({acked})");
}

#[test]
fn acks_1_loses_acknowledged_records() {
    let cfg = KafkaSweepConfig {
        acks: Acks::Leader,
        ..KafkaSweepConfig::default()
    };
    assert!(first_loss(&cfg, seeds(200)).is_some());
}

#[test]
fn unclean_leader_election_loses_acknowledged_records() {
    let cfg = KafkaSweepConfig {
        unclean: true,
        ..KafkaSweepConfig::default()
    };
    assert!(first_loss(&cfg, seeds(400)).is_some());
}

#[test]
fn truncating_to_the_high_watermark_loses_acknowledged_records() {
    let cfg = KafkaSweepConfig {
        pre_kip101: true,
        ..KafkaSweepConfig::default()
    };
    assert!(first_loss(&cfg, seeds(200)).is_some());
}

#[test]
fn power_cuts_without_fsync_lose_acknowledged_records() {
    let cfg = KafkaSweepConfig {
        faults: KafkaFault::ALL.to_vec(),
        ..KafkaSweepConfig::default()
    };
    assert!(first_loss(&cfg, seeds(200)).is_some());
}
