//! Every lesson in `lessons/` runs headless and every expectation holds.

use std::collections::BTreeSet;
use zkafka_engine::lesson::{self, run_lesson};
use zkafka_engine::zookeeper::invariants::check_timeline;

#[test]
fn every_lesson_file_is_bundled_and_loads() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../lessons");
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
        .expect("lessons/ exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".toml"))
        .map(|n| n.trim_end_matches(".toml").to_string())
        .collect();
    let bundled: Vec<_> = lesson::bundled();
    assert!(!bundled.is_empty());
    let mut ids = BTreeSet::new();
    for l in bundled {
        let l = l.unwrap_or_else(|e| panic!("{e}"));
        ids.insert(l.id);
    }
    assert_eq!(
        ids, on_disk,
        "the engine bundles exactly the files in lessons/"
    );
}

#[test]
fn every_lesson_passes_with_its_own_seed_and_others() {
    for l in lesson::bundled() {
        let l = l.unwrap_or_else(|e| panic!("{e}"));
        for seed in [l.seed, 2, 7, 12345] {
            let run = run_lesson(&l, seed);
            let mut failures = Vec::new();
            for (i, s) in run.steps.iter().enumerate() {
                for c in s.commands.iter().filter(|c| c.error.is_some()) {
                    failures.push(format!(
                        "step {} line {}: `{}`: {}",
                        i + 1,
                        c.line,
                        c.text,
                        c.error.as_deref().unwrap_or("")
                    ));
                }
                if let Some(p) = s.quiz.as_ref().and_then(|q| q.problem.as_ref()) {
                    failures.push(format!("step {} quiz: {p}", i + 1));
                }
                for c in s.checks.iter().filter(|c| c.failure.is_some()) {
                    failures.push(format!(
                        "step {} line {}: expect {}: {}",
                        i + 1,
                        c.line,
                        c.text,
                        c.failure.as_deref().unwrap_or("")
                    ));
                }
            }
            assert!(
                run.passed(),
                "lesson {} with seed {seed} failed:\n{}",
                l.id,
                failures.join("\n")
            );
            assert_eq!(run.steps.len(), l.steps.len());
        }
    }
}

#[test]
fn every_lesson_keeps_zabs_invariants() {
    // A lesson may show a fault, never an engine that breaks ZAB (zookeeper::invariants),
    // with any of the seeds the lessons are tested with.
    for l in lesson::bundled() {
        let l = l.unwrap_or_else(|e| panic!("{e}"));
        for seed in [l.seed, 7] {
            let run = run_lesson(&l, seed);
            let check = check_timeline(&run.timeline);
            assert!(
                check.violations.is_empty(),
                "lesson {} with seed {seed}: {:?}",
                l.id,
                check.violations
            );
            assert_eq!(check.events, run.timeline.recorded());
            // Only the zombie lessons show a recipe's promise broken, on purpose.
            if !["zk-locks", "zk-fencing-tokens"].contains(&l.id.as_str()) {
                assert!(
                    check.recipe_violations.is_empty(),
                    "lesson {} with seed {seed}: {:?}",
                    l.id,
                    check.recipe_violations
                );
            }
        }
    }
}

#[test]
fn a_wrong_expectation_fails_the_lesson() {
    let mut l = lesson::find("zk-leader-election")
        .expect("bundled")
        .expect("loads");
    // Replace the first step's expectations with one that cannot hold.
    let bad = zkafka_engine::script::parse::parse_script("expect leader zk1", 1).expect("parses");
    l.steps[0].expect = bad;
    let run = run_lesson(&l, l.seed);
    assert!(!run.passed());
    let failure = run.steps[0].checks[0].failure.as_deref().unwrap_or("");
    assert!(failure.contains("expected zk1 to lead"), "{failure}");
}

#[test]
fn every_coverage_id_of_the_shipped_lessons_is_known() {
    let coverage = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/coverage.md"
    ))
    .ok();
    let Some(coverage) = coverage else {
        // shared/ lives beside the project; a bare clone may not have it.
        return;
    };
    for l in lesson::bundled().into_iter().flatten() {
        for id in &l.covers {
            assert!(
                coverage.contains(&format!("- {id} ")),
                "{}: covers unknown topic {id}",
                l.id
            );
        }
    }
}
