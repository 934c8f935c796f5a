//! The lock recipes running as clients, with their checker: silent across seeded runs
//! with crashes, power cuts, partitions and session expiries; loud for the zombie, a
//! holder paused past its session timeout; and the herd effect counted.

#![cfg(not(target_arch = "wasm32"))]

use zkafka_engine::script::parse::parse_line;
use zkafka_engine::script::run::execute;
use zkafka_engine::sim::timeline::Timeline;
use zkafka_engine::zookeeper::recipes::Recipe;
use zkafka_engine::zookeeper::recipes::check::check_recipes;

fn run(t: &mut Timeline, lines: &str) {
    for (i, l) in lines.lines().enumerate() {
        if let Some(cmd) = parse_line(l, i as u32 + 1).expect("parses") {
            execute(t, &cmd).unwrap_or_else(|e| panic!("`{l}`: {e}"));
        }
    }
}

fn holder(t: &Timeline) -> Option<u32> {
    t.world().zk_clients().find_map(|c| match &c.recipe {
        Some(Recipe::Lock(l)) if l.holds() => Some(c.id),
        _ => None,
    })
}

#[test]
fn a_holder_paused_past_its_session_timeout_is_a_zombie_the_checker_flags() {
    let mut t = Timeline::new(1);
    run(
        &mut t,
        "zk ensemble 3\nstart all\nrun until leader elected\n\
         recipe lock /locks/l clients 2 fair hold 60s rounds 1 session-timeout 4000\nrun 2s",
    );
    let zombie = holder(&t).expect("someone holds the lock after 2 s");
    let clean = check_recipes(&t);
    assert!(clean.violations().is_empty(), "{:?}", clean.violations());
    // Frozen past its 4 s session: its ephemeral node goes, the other client takes the
    // lock, and the frozen one still believes it holds it.
    run(&mut t, &format!("pause c{zombie} for 15s\nrun 12s"));
    let believers = t
        .world()
        .zk_clients()
        .filter(|c| matches!(&c.recipe, Some(Recipe::Lock(l)) if l.holds()))
        .count();
    assert_eq!(believers, 2, "the zombie and the new holder both believe");
    let checked = check_recipes(&t);
    assert_eq!(checked.violations().len(), 1, "{:?}", checked.violations());
    assert!(
        checked.violations()[0]
            .detail
            .contains("all believe they hold the lock /locks/l"),
        "{:?}",
        checked.violations()
    );
    // Resumed, it times out its connection, stops believing, and learns it expired.
    run(&mut t, "run 10s");
    let z = t
        .world()
        .zk_clients()
        .find(|c| c.id == zombie)
        .expect("the zombie is there");
    match &z.recipe {
        Some(Recipe::Lock(l)) => assert!(!l.holds(), "the zombie still believes after resuming"),
        other => panic!("the zombie runs {other:?}"),
    }
}

fn wakeups(kind: &str) -> u32 {
    let mut t = Timeline::new(3);
    run(
        &mut t,
        &format!(
            "zk ensemble 3\nstart all\nrun until leader elected\n\
             recipe lock /locks/l clients 5 {kind} hold 200ms rounds 2\nrun 20s"
        ),
    );
    let mut taken = 0;
    let mut woken = 0;
    for c in t.world().zk_clients() {
        if let Some(Recipe::Lock(l)) = &c.recipe {
            taken += l.taken;
            woken += l.wakeups;
        }
    }
    assert_eq!(taken, 10, "every client takes the {kind} lock twice");
    assert!(check_recipes(&t).violations().is_empty());
    woken
}

#[test]
fn the_herd_wakes_every_waiter_the_fair_lock_one() {
    let (herd, fair) = (wakeups("herd"), wakeups("fair"));
    // Fair: one wake-up per release at most (9 releases with someone waiting).
    assert!(fair <= 9, "fair lock: {fair} wake-ups");
    assert!(herd > 2 * fair, "herd {herd} vs fair {fair} wake-ups");
}

#[test]
fn readers_share_a_read_write_lock_and_writers_hold_it_alone() {
    let mut t = Timeline::new(5);
    run(
        &mut t,
        "zk ensemble 3\nstart all\nrun until leader elected\nrun 500ms\n\
         recipe lock /locks/rw clients 3 read hold 1s rounds 2\n\
         recipe lock /locks/rw clients 2 write hold 500ms rounds 2\nrun 20s",
    );
    assert!(
        check_recipes(&t).violations().is_empty(),
        "{:?}",
        check_recipes(&t).violations()
    );
    // Replay and watch who believes at each point: readers together, writers alone.
    let (mut most_readers, mut writer_seen) = (0, false);
    t.replay_each(|w, last| {
        let holding: Vec<bool> = w
            .zk_clients()
            .filter_map(|c| match &c.recipe {
                Some(Recipe::Lock(l)) if l.holds() => Some(l.exclusive()),
                _ => None,
            })
            .collect();
        let readers = holding.iter().filter(|x| !**x).count();
        let writers = holding.len() - readers;
        most_readers = most_readers.max(readers);
        writer_seen |= writers > 0;
        assert!(
            writers == 0 || holding.len() == 1,
            "a writer shared the lock after event {last}"
        );
    });
    assert!(most_readers > 1, "readers never held the lock together");
    assert!(writer_seen, "no writer ever held the lock");
    let taken: u32 = t
        .world()
        .zk_clients()
        .filter_map(|c| match &c.recipe {
            Some(Recipe::Lock(l)) => Some(l.taken),
            _ => None,
        })
        .sum();
    assert_eq!(taken, 10, "every reader and writer took the lock twice");
}

/// The zombie writes to a store when it thaws: `fencing` decides whether its late write
/// lands on top of the new holder's.
fn zombie_writes(fencing: bool, seed: u64) -> Timeline {
    let mut t = Timeline::new(seed);
    let store = if fencing {
        "recipe store store1 fencing"
    } else {
        "recipe store store1"
    };
    run(
        &mut t,
        &format!(
            "zk ensemble 3\nstart all\nrun until leader elected\n{store}\n\
             recipe lock /locks/z clients 1 fair hold 5s rounds 1 session-timeout 4000 store store1\n\
             run 1s\n\
             recipe lock /locks/z clients 1 fair hold 2s rounds 1 session-timeout 4000 store store1\n\
             run 1s\npause c1 for 20s\nrun 25s"
        ),
    );
    t
}

#[test]
fn without_fencing_the_zombies_late_write_overwrites_the_new_holders() {
    for seed in [1, 2, 7] {
        let t = zombie_writes(false, seed);
        let store = t.world().store(1).expect("store1 is there");
        assert_eq!(store.writes_text(), "c2:ok,c1:ok", "seed {seed}");
        assert_eq!(
            store.value("/locks/z").map(|w| w.from.to_string()),
            Some("c1".to_string()),
            "seed {seed}: the zombie's value is the one left"
        );
        let v = check_recipes(&t);
        let details: Vec<&str> = v.violations().iter().map(|v| v.detail.as_str()).collect();
        assert!(
            details
                .iter()
                .any(|d| d.contains("all believe they hold the lock /locks/z")),
            "seed {seed}: {details:?}"
        );
        assert!(
            details
                .iter()
                .any(|d| d.starts_with("store1 applied c1's write to /locks/z with token")),
            "seed {seed}: {details:?}"
        );
    }
}

#[test]
fn with_fencing_the_store_rejects_the_zombies_older_token() {
    for seed in [1, 2, 7] {
        let t = zombie_writes(true, seed);
        let store = t.world().store(1).expect("store1 is there");
        assert_eq!(store.writes_text(), "c2:ok,c1:rejected", "seed {seed}");
        assert!(store.writes[1].token < store.writes[0].token);
        assert_eq!(
            store.value("/locks/z").map(|w| w.from.to_string()),
            Some("c2".to_string())
        );
        let v = check_recipes(&t);
        // The zombie still believed (the lock cannot stop that); the store stayed right.
        assert_eq!(v.violations().len(), 1, "seed {seed}: {:?}", v.violations());
        assert!(v.violations()[0].detail.contains("all believe"));
    }
}
