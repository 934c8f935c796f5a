//! Leader election, the double barrier, the queue and the service registry running as
//! clients: what each promises, shown on one run each, and what a frozen client does to
//! it.

#![cfg(not(target_arch = "wasm32"))]

use zkafka_engine::script::parse::parse_line;
use zkafka_engine::script::query::parse_query;
use zkafka_engine::script::run::execute;
use zkafka_engine::sim::timeline::Timeline;
use zkafka_engine::zookeeper::recipes::Recipe;
use zkafka_engine::zookeeper::recipes::check::{RecipeProperty, check_recipes};

fn run(t: &mut Timeline, lines: &str) {
    for (i, l) in lines.lines().enumerate() {
        if let Some(cmd) = parse_line(l, i as u32 + 1).expect("parses") {
            execute(t, &cmd).unwrap_or_else(|e| panic!("`{l}`: {e}"));
        }
    }
}

fn ask(t: &Timeline, q: &str) -> String {
    parse_query(q)
        .expect("a query")
        .eval(t.world())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
}

const UP: &str = "zk ensemble 3\nstart all\nrun until leader elected\nrun 500ms";

#[test]
fn candidates_lead_one_at_a_time_in_the_order_they_joined() {
    let mut t = Timeline::new(3);
    run(
        &mut t,
        &format!("{UP}\nrecipe election /election clients 3 lead 1s rounds 2\nrun 15s"),
    );
    let (mut most, mut order) = (0, Vec::<u32>::new());
    t.replay_each(|w, _| {
        let leaders: Vec<u32> = w
            .zk_clients()
            .filter(|c| c.recipe.as_ref().is_some_and(|r| r.holds()))
            .map(|c| c.id)
            .collect();
        most = most.max(leaders.len());
        if let [l] = leaders[..]
            && order.last() != Some(&l)
        {
            order.push(l);
        }
    });
    assert_eq!(most, 1, "two candidates led at once");
    assert_eq!(
        order.len(),
        6,
        "each of 3 candidates leads twice: {order:?}"
    );
    assert_eq!(
        order[..3],
        order[3..],
        "the same succession each time round"
    );
    assert_eq!(ask(&t, "holders /election"), "none");
    assert!(check_recipes(&t).violations().is_empty());
}

#[test]
fn a_frozen_leader_is_replaced_and_still_believes_it_leads() {
    let mut t = Timeline::new(1);
    run(
        &mut t,
        &format!(
            "{UP}\nrecipe election /election clients 2 lead 60s rounds 1 session-timeout 4000\nrun 2s"
        ),
    );
    let leader = ask(&t, "holders /election");
    assert!(leader == "c1" || leader == "c2", "{leader}");
    run(&mut t, &format!("pause {leader} for 15s\nrun 10s"));
    assert_eq!(ask(&t, "holders /election"), "c1,c2");
    let v = check_recipes(&t);
    assert_eq!(v.violations().len(), 1, "{:?}", v.violations());
    assert_eq!(v.violations()[0].property, RecipeProperty::OneLeader);
    run(&mut t, "run 10s");
    let other = if leader == "c1" { "c2" } else { "c1" };
    assert_eq!(ask(&t, "holders /election"), other);
}

#[test]
fn nobody_computes_inside_the_barrier_until_all_have_arrived() {
    let mut t = Timeline::new(2);
    run(
        &mut t,
        &format!("{UP}\nrecipe barrier /b clients 3 work 2s\npause c3 for 5s\nrun 4s"),
    );
    assert_eq!(ask(&t, "inside /b"), "none", "two of three are there");
    run(&mut t, "run 2s");
    assert_eq!(ask(&t, "inside /b"), "c1,c2,c3", "c3 arrived: all enter");
    run(&mut t, "run 5s");
    assert_eq!(ask(&t, "inside /b"), "none");
    for c in t.world().zk_clients() {
        match &c.recipe {
            Some(Recipe::Barrier(b)) => assert_eq!(b.status(), "barrier: left", "c{}", c.id),
            other => panic!("c{} runs {other:?}", c.id),
        }
    }
    assert!(check_recipes(&t).violations().is_empty());
}

#[test]
fn a_queue_hands_each_item_to_one_consumer_in_order() {
    let mut t = Timeline::new(4);
    run(
        &mut t,
        &format!("{UP}\nrecipe queue /q producers 2 consumers 2 items 3\nrun 10s"),
    );
    assert_eq!(ask(&t, "taken /q"), "6");
    let mut taken = Vec::new();
    for c in t.world().zk_clients() {
        if let Some(Recipe::Queue(q)) = &c.recipe {
            taken.extend(q.taken.iter().cloned());
            // Each consumer sees each producer's items in the order they were put.
            for p in ["c1#", "c2#"] {
                let mine: Vec<&String> = q.taken.iter().filter(|d| d.starts_with(p)).collect();
                let mut sorted = mine.clone();
                sorted.sort();
                assert_eq!(mine, sorted, "c{} took {p} items out of order", c.id);
            }
        }
    }
    taken.sort();
    let all: Vec<String> = ["c1#1", "c1#2", "c1#3", "c2#1", "c2#2", "c2#3"]
        .map(String::from)
        .to_vec();
    assert_eq!(taken, all, "every item once");
}

#[test]
fn a_registry_watcher_sees_an_instance_go_when_its_session_expires() {
    let mut t = Timeline::new(5);
    run(
        &mut t,
        &format!(
            "{UP}\nrecipe registry /services/api instances 3 watchers 1 session-timeout 4000\nrun 3s"
        ),
    );
    assert_eq!(ask(&t, "sees /services/api c4"), "3");
    run(&mut t, "pause c2 for 20s\nrun 10s");
    assert_eq!(
        ask(&t, "sees /services/api c4"),
        "2",
        "c2's session expired"
    );
    run(&mut t, "run 15s");
    assert_eq!(
        ask(&t, "sees /services/api c4"),
        "2",
        "a resumed instance whose session expired is not registered again"
    );
    assert!(check_recipes(&t).violations().is_empty());
}
