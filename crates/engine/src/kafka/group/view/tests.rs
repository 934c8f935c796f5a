//! The group picture on small worlds driven by scripts.

use super::*;
use crate::script::run::run_lines as run;
use crate::sim::timeline::Timeline;

fn tp(p: u32) -> TopicPartition {
    TopicPartition::new("orders", p)
}

fn at(t: &Timeline) -> Vec<GroupView> {
    let pos = t.position() as usize;
    groups_at(t.world(), &t.trace()[..pos])
}

/// Three brokers, `orders` with 4 partitions and 20 records, consumer1 alone in
/// group `g` with the given assignors.
fn one_member(strategy: Option<&str>) -> Timeline {
    let mut t = Timeline::new(1);
    run(
        &mut t,
        "kafka cluster 3\nstart all\ntopic create orders partitions 4 rf 3\nrun 3s",
    );
    run(&mut t, "kafka config group.id g");
    if let Some(s) = strategy {
        run(
            &mut t,
            &format!("kafka config partition.assignment.strategy {s}"),
        );
    }
    run(
        &mut t,
        "subscribe orders consumer 1\nrun until member-state consumer1 STABLE within 30s\nrun 1s",
    );
    t
}

#[test]
fn a_world_without_groups_has_none() {
    let mut t = Timeline::new(1);
    run(&mut t, "kafka cluster 1\nstart all\nrun 1s");
    assert!(groups(t.world()).is_empty());
    assert!(at(&t).is_empty());
}

#[test]
fn two_members_split_the_partitions_and_lag_is_end_minus_committed() {
    let mut t = one_member(None);
    run(
        &mut t,
        "subscribe orders consumer 2\nrun until member-state consumer2 STABLE within 30s\nrun 1s",
    );
    run(&mut t, "produce orders value v count 20\nrun 8s");
    let gs = at(&t);
    assert_eq!(gs.len(), 1);
    let g = &gs[0];
    assert_eq!(g.id, "g");
    assert_eq!(g.state, Some(GroupState::Stable));
    assert_eq!(g.phase, RebalancePhase::Stable);
    assert_eq!(g.rebalance, RebalanceProtocol::Eager);
    assert_eq!(g.generation, 2);
    assert_eq!(g.protocol.as_deref(), Some("range"));
    assert_eq!(g.leader, Some(1));
    assert!(g.coordinator.is_some());
    let names: Vec<u32> = g.members.iter().map(|m| m.consumer).collect();
    assert_eq!(names, vec![1, 2]);
    assert_eq!(g.members[0].owned, vec![tp(0), tp(1)]);
    assert_eq!(g.members[1].owned, vec![tp(2), tp(3)]);
    assert!(
        g.members
            .iter()
            .all(|m| m.state == Some(MemberState::Stable))
    );
    assert!(g.members[0].leader && !g.members[1].leader);
    // Eager: consumer1 gave everything up when it rejoined; orders-2 and orders-3
    // went to consumer2, and consumer1 got orders-0 and orders-1 back.
    assert_eq!(g.members[0].given_up, vec![tp(2), tp(3)]);
    assert_eq!(g.members[0].gained, vec![tp(0), tp(1)]);
    assert_eq!(g.members[1].gained, vec![tp(2), tp(3)]);
    assert_eq!(g.round, 1);
    let owners: Vec<Vec<u32>> = g.partitions.iter().map(|p| p.owners.clone()).collect();
    assert_eq!(owners, vec![vec![1], vec![1], vec![2], vec![2]]);
    let total_end: u64 = g.partitions.iter().filter_map(|p| p.end).sum();
    assert_eq!(total_end, 20);
    for p in &g.partitions {
        // Auto-commit ran after the records were processed: nothing lags.
        assert_eq!(p.committed, p.end, "{}", p.tp);
        assert_eq!(p.lag, Some(0), "{}", p.tp);
    }
    let processed: u64 = g.ledgers.iter().map(|l| l.processed).sum();
    assert_eq!(processed, 20);
    assert_eq!(g.delivery.processed, 20);
    assert!(g.ledgers.iter().all(|l| l.duplicates == 0 && l.gaps == 0));
    // The world-only picture agrees on membership and lag.
    let plain = groups(t.world());
    assert_eq!(plain[0].members[0].owned, g.members[0].owned);
    assert_eq!(plain[0].partitions, g.partitions);
    // The lag went up with the records and back to zero with the commits.
    let series = lag_series(t.trace(), "g");
    assert!(series.iter().any(|p| p.lag > 0), "{series:?}");
    assert_eq!(series.last().map(|p| p.lag), Some(0));
}

#[test]
fn eager_join_revokes_everything_before_the_leader_assigns() {
    let mut t = one_member(None);
    assert_eq!(at(&t)[0].phase, RebalancePhase::Stable);
    run(&mut t, "subscribe orders consumer 2");
    let mut phases: Vec<RebalancePhase> = Vec::new();
    let mut stop_the_world = false;
    for _ in 0..20_000 {
        let g = at(&t).into_iter().next().expect("the group");
        if phases.last() != Some(&g.phase) {
            phases.push(g.phase);
        }
        if g.phase == RebalancePhase::LeaderAssigns {
            // Nobody reads: consumer1 gave up all four before joining.
            stop_the_world |= g.partitions.iter().all(|p| p.owners.is_empty())
                && g.members[0].given_up.len() == 4;
        }
        if g.phase == RebalancePhase::Stable && phases.len() > 1 {
            break;
        }
        t.step();
    }
    assert!(stop_the_world, "phases {phases:?}");
    // From the first Join on, the phases only go forward, and each shows.
    let from = phases
        .iter()
        .position(|p| *p == RebalancePhase::Join)
        .expect("a join");
    let order: Vec<u32> = phases[from..].iter().filter_map(|p| p.index()).collect();
    assert_eq!(order, vec![0, 1, 2, 3, 4], "phases {phases:?}");
}

#[test]
fn cooperative_keeps_what_stays_and_revokes_the_rest_in_a_second_round() {
    let mut t = one_member(Some("cooperative-sticky"));
    run(&mut t, "subscribe orders consumer 2");
    let mut kept_reading = true;
    let mut saw_revoke_round = false;
    let mut phases: Vec<RebalancePhase> = Vec::new();
    for _ in 0..20_000 {
        let g = at(&t).into_iter().next().expect("the group");
        if phases.last() != Some(&g.phase) {
            phases.push(g.phase);
        }
        assert_eq!(g.rebalance, RebalanceProtocol::Cooperative);
        // consumer1 never stops reading orders-0 and orders-1.
        kept_reading &= g.members[0].owned.starts_with(&[tp(0), tp(1)]);
        if g.members[0].given_up == vec![tp(2), tp(3)] && g.members[1].owned.is_empty() {
            saw_revoke_round = true;
        }
        if g.generation == 3 && g.phase == RebalancePhase::Stable {
            break;
        }
        t.step();
    }
    let g = at(&t).into_iter().next().expect("the group");
    // Two rounds, and no Stable between them: consumer1 rejoins after revoking.
    use RebalancePhase::*;
    let from = phases.iter().position(|p| *p == Join).expect("a join");
    assert_eq!(
        phases[from..],
        [
            Join,
            LeaderAssigns,
            Sync,
            RevokeAssign,
            Join,
            LeaderAssigns,
            Sync,
            RevokeAssign,
            Stable
        ]
    );
    assert!(kept_reading);
    assert!(saw_revoke_round);
    assert_eq!(g.generation, 3);
    assert_eq!(g.round, 2);
    assert_eq!(g.members[0].owned, vec![tp(0), tp(1)]);
    assert_eq!(g.members[0].given_up, vec![tp(2), tp(3)]);
    assert!(g.members[0].gained.is_empty());
    assert_eq!(g.members[1].gained, vec![tp(2), tp(3)]);
}

#[test]
fn a_crashed_member_stays_listed_and_its_restart_processes_duplicates() {
    let mut t = one_member(None);
    run(
        &mut t,
        "kafka config enable.auto.commit false\nkafka config auto.offset.reset earliest\nsubscribe orders consumer 2\nrun until member-state consumer2 STABLE within 30s",
    );
    run(
        &mut t,
        "produce orders partition 2 value v count 5\nproduce orders partition 3 value w count 3\nrun 3s\ncrash consumer2",
    );
    let g = at(&t).into_iter().next().expect("the group");
    let c2 = g
        .members
        .iter()
        .find(|m| m.consumer == 2)
        .expect("consumer2");
    assert_eq!(c2.process, Status::Crashed);
    assert_eq!(c2.state, None);
    assert!(c2.owned.is_empty());
    // Its session has not expired: the coordinator still lists it.
    assert!(c2.in_group);
    assert!(c2.awaiting.is_empty());
    let l2 = g.ledgers.iter().find(|l| l.consumer == 2).expect("ledger");
    assert_eq!((l2.processed, l2.duplicates), (8, 0));
    // consumer1 committed offset 0 of every partition when it rejoined; consumer2
    // never committed: the lag is all it processed.
    let lags: Vec<(Vec<u32>, Option<u64>, Option<u64>)> = g.partitions[2..]
        .iter()
        .map(|p| (p.owners.clone(), p.committed, p.lag))
        .collect();
    assert_eq!(
        lags,
        vec![(vec![], Some(0), Some(5)), (vec![], Some(0), Some(3))]
    );
    // Started again, it reads its partitions from the committed offsets and processes
    // the same eight records again.
    run(
        &mut t,
        "start consumer2\nrun until member-state consumer2 STABLE within 60s\nrun 5s",
    );
    let g = at(&t).into_iter().next().expect("the group");
    let l2 = g.ledgers.iter().find(|l| l.consumer == 2).expect("ledger");
    assert_eq!((l2.processed, l2.duplicates, l2.gaps), (16, 8, 0));
    assert_eq!(g.delivery.duplicates, 8);
    let marks: Vec<Mark> = l2.entries.iter().map(|e| e.mark).collect();
    assert_eq!(marks[..8], [Mark::Normal; 8]);
    assert_eq!(marks[8..], [Mark::Duplicate { before: 1 }; 8]);
    assert_eq!(l2.entries[8].incarnation, 1);
}

#[test]
fn a_skipped_record_is_marked_as_a_gap() {
    // At most once: commit before processing; the consumer crashes in the middle of
    // a poll's records and its successor starts after them.
    let mut t = one_member(None);
    run(
        &mut t,
        "kafka config enable.auto.commit false\nkafka config auto.offset.reset earliest\nsubscribe orders consumer 2\nrun until member-state consumer2 STABLE within 30s\ncommit-mode before-processing consumer 2\nprocessing 1s consumer 2\nproduce orders partition 3 value v count 6\nrun 2500ms\ncrash consumer2\nrun until assignment consumer1 orders-0,orders-1,orders-2,orders-3 within 90s\nrun 5s\nproduce orders partition 3 value w count 1\nrun 5s",
    );
    let g = at(&t).into_iter().next().expect("the group");
    let gaps: Vec<&LedgerEntry> = g
        .ledgers
        .iter()
        .flat_map(|l| l.entries.iter())
        .filter(|e| matches!(e.mark, Mark::GapBefore { .. }))
        .collect();
    assert_eq!(gaps.len(), 1, "{:?}", g.ledgers);
    assert!(g.delivery.lost > 0);
    assert_eq!(
        gaps[0].mark,
        Mark::GapBefore {
            missing: g.delivery.lost
        }
    );
}

#[test]
fn a_member_that_got_its_partitions_back_and_crashed_gave_nothing_up() {
    let mut t = one_member(None);
    run(
        &mut t,
        "subscribe orders consumer 2\nrun until member-state consumer2 STABLE within 30s\ncrash consumer2\nrun until assignment consumer1 orders-0,orders-1,orders-2,orders-3 within 90s\nrun 1s",
    );
    let g = at(&t).into_iter().next().expect("the group");
    // consumer2's session expired: consumer1 revoked orders-0 and orders-1 (eager) and
    // got all four back.
    assert!(g.members[0].given_up.is_empty(), "{:?}", g.members[0]);
    assert_eq!(g.members[0].gained.len(), 4);
    assert!(!g.members[1].in_group);
    run(&mut t, "crash consumer1");
    let g = at(&t).into_iter().next().expect("the group");
    let c1 = &g.members[0];
    assert_eq!(c1.process, Status::Crashed);
    assert!(c1.owned.is_empty() && c1.given_up.is_empty() && c1.awaiting.is_empty());
    // The coordinator has not noticed: it still assigns consumer1 every partition,
    // which no one reads.
    assert_eq!(g.phase, RebalancePhase::Stable);
    assert!(
        g.partitions
            .iter()
            .all(|p| p.owners.is_empty() && p.assigned_to == Some(1))
    );
}

#[test]
fn a_group_without_a_running_coordinator_says_so() {
    let mut t = one_member(None);
    let b = coordinator(t.world(), "g").expect("a coordinator");
    run(&mut t, &format!("crash broker{b}"));
    let g = groups(t.world()).into_iter().next().expect("the group");
    assert_eq!(g.phase, RebalancePhase::NoCoordinator);
    assert_eq!(g.state, None);
    assert_eq!(g.members.len(), 1);
}
