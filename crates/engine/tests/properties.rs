//! Property tests: the safety rules of ZAB and of Kafka replication hold under random
//! crashes, restarts and partitions, and no command line, however wrong, panics the engine.
//! (ZooKeeper's `Zab.tla` Leadership invariants and the `KafkaReplication.tla` StrongIsr
//! family, checked on the engine's state after every single step.)

use proptest::prelude::*;
use std::collections::BTreeMap;
use zkafka_engine::NodeId;
use zkafka_engine::kafka::input::KafkaInput;
use zkafka_engine::kafka::topic::TopicPartition;
use zkafka_engine::script::parse::parse_script;
use zkafka_engine::script::run::execute;
use zkafka_engine::sim::input::{Input, Targets};
use zkafka_engine::sim::timeline::Timeline;
use zkafka_engine::sim::world::{Popped, World};
use zkafka_engine::zookeeper::conditions::established_leader;
use zkafka_engine::zookeeper::input::ZkInput;

#[derive(Clone, Debug)]
enum Fault {
    Crash(u32),
    Halt(u32),
    Pause(u32, u64),
    Restart(u32),
    Split(Vec<bool>),
    Heal,
    Run(u64),
}

fn fault(n: u32) -> impl Strategy<Value = Fault> {
    prop_oneof![
        (1..=n).prop_map(Fault::Crash),
        (1..=n).prop_map(Fault::Halt),
        ((1..=n), (100u64..20_000)).prop_map(|(s, ms)| Fault::Pause(s, ms)),
        (1..=n).prop_map(Fault::Restart),
        proptest::collection::vec(any::<bool>(), n as usize).prop_map(Fault::Split),
        Just(Fault::Heal),
        (500u64..25_000).prop_map(Fault::Run),
    ]
}

/// A log has a hole when, within one epoch, a counter is missing below the last one.
fn hole(txns: &[u64]) -> Option<u64> {
    let mut prev: Option<u64> = None;
    for &z in txns {
        let (e, c) = (z >> 32, z & 0xffff_ffff);
        let expected = match prev {
            Some(p) if p >> 32 == e => (p & 0xffff_ffff) + 1,
            _ => 1,
        };
        if c != expected {
            return Some(z);
        }
        prev = Some(z);
    }
    None
}

/// What must hold in every reachable state of a ZooKeeper ensemble.
#[derive(Default)]
struct ZabWatch {
    leader_of_epoch: BTreeMap<u64, u32>,
    epochs: BTreeMap<u32, (u64, u64)>,
}

impl ZabWatch {
    fn check(&mut self, w: &World) -> Result<(), String> {
        for (up, s) in w.zk_servers() {
            let d = s.disk();
            if d.current_epoch > d.accepted_epoch {
                return Err(format!(
                    "zk{}: currentEpoch {} > acceptedEpoch {}",
                    s.sid(),
                    d.current_epoch,
                    d.accepted_epoch
                ));
            }
            let prev = self
                .epochs
                .insert(s.sid(), (d.current_epoch, d.accepted_epoch))
                .unwrap_or((0, 0));
            if d.current_epoch < prev.0 || d.accepted_epoch < prev.1 {
                return Err(format!("zk{}: epochs went back from {prev:?}", s.sid()));
            }
            let zxids: Vec<u64> = d.txns.iter().map(|t| t.zxid).collect();
            if !zxids.windows(2).all(|p| p[0] < p[1]) {
                return Err(format!("zk{}: log not in zxid order", s.sid()));
            }
            if let Some(z) = hole(&zxids) {
                return Err(format!("zk{}: a hole in its log before 0x{z:x}", s.sid()));
            }
            if up && s.is_established_leader() {
                // Leadership2: at most one leader per epoch, ever.
                let e = d.current_epoch;
                if let Some(&other) = self.leader_of_epoch.get(&e)
                    && other != s.sid()
                {
                    return Err(format!(
                        "two leaders in epoch {e}: zk{other} and zk{}",
                        s.sid()
                    ));
                }
                self.leader_of_epoch.insert(e, s.sid());
                if d.current_epoch != d.accepted_epoch {
                    return Err(format!(
                        "leader zk{} leads with currentEpoch != acceptedEpoch",
                        s.sid()
                    ));
                }
            }
        }
        Ok(())
    }
}

fn apply(w: &mut World, input: Input) {
    let mut sink = Vec::new();
    let _ = w.apply(&input, &mut sink);
}

/// Applies a fault unless it makes no sense in the node's state (the world refuses it).
fn apply_if_valid(w: &mut World, input: Input) {
    let _ = w.apply(&input, &mut Vec::new());
}

/// Runs `ms` of virtual time, checking `check` after every step.
fn run_checked(
    w: &mut World,
    ms: u64,
    check: &mut dyn FnMut(&World) -> Result<(), String>,
) -> Result<(), String> {
    let mut sink = Vec::new();
    w.apply(&Input::Alarm { after_ms: ms }, &mut sink)
        .map_err(|e| e.0)?;
    loop {
        sink.clear();
        match w.step(&mut sink) {
            Some(Popped::Alarm) | None => return Ok(()),
            Some(_) => check(w)?,
        }
    }
}

proptest! {
    // 20 cases per run in CI; `PROPTEST_CASES=500` runs a deeper sweep by hand.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(20),
        ..ProptestConfig::default()
    })]

    #[test]
    fn zab_keeps_one_leader_per_epoch_and_recovers(
        seed in any::<u64>(),
        voters in prop_oneof![Just(3u32), Just(5u32)],
        faults in proptest::collection::vec(fault(5), 1..8),
    ) {
        let mut w = World::new(seed);
        apply(&mut w, Input::Zk(ZkInput::Ensemble { voters, observers: 1 }));
        apply(&mut w, Input::Start(Targets::All));
        let mut watch = ZabWatch::default();
        let mut check = |w: &World| watch.check(w);
        run_checked(&mut w, 3000, &mut check).map_err(TestCaseError::fail)?;
        for f in faults {
            match f {
                Fault::Crash(n) => apply_if_valid(&mut w, Input::Crash(NodeId::Zk(n.min(voters)))),
                Fault::Halt(n) => apply_if_valid(&mut w, Input::Halt(NodeId::Zk(n.min(voters)))),
                Fault::Pause(n, ms) => apply_if_valid(
                    &mut w,
                    Input::Pause { node: NodeId::Zk(n.min(voters)), for_ms: Some(ms) },
                ),
                Fault::Restart(n) => apply_if_valid(&mut w, Input::Restart(NodeId::Zk(n.min(voters)))),
                Fault::Split(sides) => {
                    let (a, b): (Vec<_>, Vec<_>) = (1..=voters).partition(|i| sides[(*i - 1) as usize]);
                    if !a.is_empty() && !b.is_empty() {
                        let g = |v: Vec<u32>| v.into_iter().map(NodeId::Zk).collect();
                        apply(&mut w, Input::Partition(vec![g(a), g(b)]));
                    }
                }
                Fault::Heal => apply(&mut w, Input::Heal),
                Fault::Run(ms) => run_checked(&mut w, ms, &mut check).map_err(TestCaseError::fail)?,
            }
        }
        // Liveness: heal everything, let pauses end and start every server; a leader must
        // emerge and every running server must settle on it.
        apply(&mut w, Input::Heal);
        run_checked(&mut w, 21_000, &mut check).map_err(TestCaseError::fail)?;
        apply(&mut w, Input::Start(Targets::All));
        run_checked(&mut w, 150_000, &mut check).map_err(TestCaseError::fail)?;
        let leader = established_leader(&w);
        prop_assert!(leader.is_some(), "no leader 150 s after healing");
        for (up, s) in w.zk_servers() {
            prop_assert!(up);
            prop_assert_eq!(s.leader(), leader, "zk{} is {:?}", s.sid(), s.state());
        }
    }

    #[test]
    fn kafka_replicas_agree_below_the_high_watermark(
        seed in any::<u64>(),
        ops in proptest::collection::vec(
            prop_oneof![
                (1u32..6).prop_map(|n| (0u8, n)),
                (2u32..=3).prop_map(|b| (1u8, b)),
                (2u32..=3).prop_map(|b| (2u8, b)),
                (100u32..40_000).prop_map(|ms| (3u8, ms)),
            ],
            1..12,
        ),
    ) {
        let tp = TopicPartition::new("t", 0);
        let mut w = World::new(seed);
        apply(&mut w, Input::Kafka(KafkaInput::Cluster { brokers: 3 }));
        apply(&mut w, Input::Start(Targets::All));
        apply(&mut w, Input::Kafka(KafkaInput::TopicCreate { topic: "t".into(), partitions: None, rf: None, assignment: Some(vec![vec![1, 2, 3]]), configs: vec![], tool: false }));
        apply(&mut w, Input::Kafka(KafkaInput::Consume { tp: tp.clone(), offset: 0, consumer: 1 }));
        // The controller (through ZooKeeper) makes broker1 the leader within a moment.
        run_checked(&mut w, 2000, &mut |_| Ok(())).map_err(TestCaseError::fail)?;
        let mut last_hw = 0;
        let mut sent = 0u64;
        let mut check = |w: &World| -> Result<(), String> {
            let leader = w.broker(1).ok_or("no broker1")?;
            let p = leader.partitions().get(&tp).ok_or("leader lost the partition")?;
            let log = &leader.disk().logs[&tp];
            if p.hw < last_hw {
                return Err(format!("HW went back from {last_hw} to {}", p.hw));
            }
            last_hw = p.hw;
            if p.hw > log.leo() {
                return Err("HW above the leader's LEO".into());
            }
            for r in &p.isr {
                let b = w.broker(*r).ok_or("no such broker")?;
                let rl = &b.disk().logs[&tp];
                if rl.leo() < p.hw {
                    return Err(format!("ISR member {r} has LEO {} below HW {}", rl.leo(), p.hw));
                }
                for o in 0..p.hw {
                    if rl.record_at(o) != log.record_at(o) {
                        return Err(format!("broker{r} differs from the leader at offset {o} below the HW"));
                    }
                }
            }
            let acked = w.producer(1).and_then(|pr| pr.stats().get(&tp)).map_or(0, |s| s.acked);
            if acked > p.hw {
                return Err(format!("{acked} records acked with acks=all but HW is {}", p.hw));
            }
            let consumed = w.consumer(1).and_then(|c| c.consumed().get(&tp)).map_or(0, |v| v.len() as u64);
            if consumed > p.hw {
                return Err(format!("consumer saw {consumed} records above HW {}", p.hw));
            }
            Ok(())
        };
        for (op, n) in ops {
            match op {
                0 => {
                    sent += u64::from(n);
                    let spec = zkafka_engine::kafka::producer::ProduceSpec {
                        topic: "t".into(), partition: None, key: None, value: Some("v".into()), count: n, acks: None, producer: None,
                    };
                    apply(&mut w, Input::Kafka(KafkaInput::Produce(spec)));
                }
                1 => apply_if_valid(&mut w, Input::Crash(NodeId::Broker(n))),
                2 => apply_if_valid(&mut w, Input::Restart(NodeId::Broker(n))),
                _ => run_checked(&mut w, u64::from(n), &mut check).map_err(TestCaseError::fail)?,
            }
        }
        // A broker restarted while its old ZooKeeper session stands exits (NodeExists):
        // let every old session expire before starting everything.
        run_checked(&mut w, 25_000, &mut check).map_err(TestCaseError::fail)?;
        apply(&mut w, Input::Start(Targets::All));
        run_checked(&mut w, 60_000, &mut check).map_err(TestCaseError::fail)?;
        let leader_leo = w.broker(1).and_then(|b| b.leo(&tp));
        for b in 1..=3 {
            prop_assert_eq!(w.broker(b).and_then(|x| x.leo(&tp)), leader_leo, "broker{} caught up", b);
        }
        prop_assert_eq!(w.broker(1).and_then(|b| b.hw(&tp)), leader_leo);
        let acked = w.producer(1).and_then(|p| p.stats().get(&tp)).map_or(0, |s| s.acked);
        prop_assert_eq!(acked, sent, "every send is acknowledged in the end");
    }

    /// TCP never leaves a hole: with up to 60% of transmissions lost, no ZooKeeper log
    /// ever has a gap and no Kafka replica ever differs from the leader below its own end,
    /// checked after every step. With loss up to 20% (where retransmission timeouts stay
    /// below the protocols' own timeouts) every follower also ends with exactly the
    /// leader's history and records.
    #[test]
    fn net_loss_never_leaves_a_hole(
        seed in any::<u64>(),
        loss in 0u32..=60,
        counters in proptest::collection::vec(0u64..12, 5),
        records in 1u32..30,
    ) {
        let converges = loss <= 20;
        let mut w = World::new(seed);
        apply(&mut w, Input::NetLoss { percent: loss });
        apply(&mut w, Input::Zk(ZkInput::Ensemble { voters: 5, observers: 0 }));
        for (i, c) in counters.iter().enumerate() {
            if *c > 0 {
                apply(&mut w, Input::Zk(ZkInput::SetZxid { sid: i as u32 + 1, runs: vec![(1 << 32) | c] }));
            }
        }
        apply(&mut w, Input::Start(Targets::All));
        let mut watch = ZabWatch::default();
        let mut check = |w: &World| watch.check(w);
        run_checked(&mut w, 120_000, &mut check).map_err(TestCaseError::fail)?;
        if converges {
            let leader = established_leader(&w).ok_or_else(|| TestCaseError::fail("no leader"))?;
            let history = w.zk(leader).map(|s| s.disk().txns.clone()).unwrap_or_default();
            for (_, s) in w.zk_servers() {
                prop_assert_eq!(&s.disk().txns, &history, "zk{} differs from leader zk{}", s.sid(), leader);
            }
        }

        let tp = TopicPartition::new("t", 0);
        let mut w = World::new(seed);
        apply(&mut w, Input::NetLoss { percent: loss });
        apply(&mut w, Input::Kafka(KafkaInput::Cluster { brokers: 3 }));
        apply(&mut w, Input::Start(Targets::All));
        apply(&mut w, Input::Kafka(KafkaInput::TopicCreate { topic: "t".into(), partitions: None, rf: None, assignment: Some(vec![vec![1, 2, 3]]), configs: vec![], tool: false }));
        let spec = zkafka_engine::kafka::producer::ProduceSpec {
            topic: "t".into(), partition: None, key: None, value: Some("v".into()), count: records, acks: None, producer: None,
        };
        apply(&mut w, Input::Kafka(KafkaInput::Produce(spec)));
        // A replica's log exists once its broker took its role (LeaderAndIsr).
        let mut same_prefix = |w: &World| -> Result<(), String> {
            let Some(leader) = w.broker(1).ok_or("no broker1")?.disk().logs.get(&tp) else {
                return Ok(());
            };
            for b in 2..=3 {
                let Some(log) = w.broker(b).ok_or("no broker")?.disk().logs.get(&tp) else {
                    continue;
                };
                for o in 0..log.leo().min(leader.leo()) {
                    if log.record_at(o) != leader.record_at(o) {
                        return Err(format!("broker{b} differs from the leader at offset {o}"));
                    }
                }
            }
            Ok(())
        };
        run_checked(&mut w, 120_000, &mut same_prefix).map_err(TestCaseError::fail)?;
        if converges {
            let leader_log = w.broker(1).map(|b| b.disk().logs[&tp].clone()).ok_or_else(|| TestCaseError::fail("no leader"))?;
            prop_assert!(leader_log.leo() >= u64::from(records), "every record reached the leader");
            for b in 2..=3 {
                let log = &w.broker(b).ok_or_else(|| TestCaseError::fail("no broker"))?.disk().logs[&tp];
                prop_assert_eq!(log.leo(), leader_log.leo(), "broker{} caught up", b);
            }
        }
    }

    #[test]
    fn no_command_line_panics(lines in proptest::collection::vec(
        proptest::collection::vec(
            prop_oneof![
                Just("zk"), Just("ensemble"), Just("3"), Just("5"), Just("0"), Just("start"), Just("all"),
                Just("crash"), Just("restart"), Just("zk1"), Just("zk9"), Just("broker1"), Just("broker2"),
                Just("kafka"), Just("cluster"), Just("topic"), Just("create"), Just("t"), Just("t-0"),
                Just("partitions"), Just("rf"), Just("assignment"), Just("1:2"), Just("produce"), Just("value"),
                Just("key"), Just("count"), Just("acks"), Just("all"), Just("consume"), Just("from"),
                Just("run"), Just("100ms"), Just("until"), Just("leader"), Just("elected"), Just("within"),
                Just("2s"), Just("expect"), Just("hw"), Just("leo"), Just("on"), Just("partition"), Just("|"),
                Just("->"), Just("zk1,zk2"), Just("heal"), Just("delay"), Just("zk1->zk2"), Just("drop"),
                Just("next"), Just("net"), Just("loss"), Just("50%"), Just("latency"), Just("1ms..2ms"),
                Just("halt"), Just("pause"), Just("resume"), Just("for"), Just("reset"), Just("paused"),
                Just("set-accepted-epoch"), Just("failed"), Just("0x100000003,0x200000001"),
                Just("step"), Just("\""), Just("#"), Just("0x100000007"), Just("set-zxid"), Just("config"),
                Just("tickTime"), Just("isr"), Just("1,2"), Just("é"), Just("99999999999999999999"),
            ],
            0..7,
        ).prop_map(|w| w.join(" ")),
        1..20,
    )) {
        let mut t = Timeline::new(1);
        for (i, line) in lines.iter().enumerate() {
            if let Ok(cmds) = parse_script(line, i as u32 + 1) {
                for c in cmds {
                    let _ = execute(&mut t, &c.command);
                }
            }
        }
    }
}
