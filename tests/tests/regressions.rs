//! Every script in `tests/regressions/` runs headless with each of its seeds, and every
//! `expect` in it holds (the real system's outcome, see the README there). A script marked
//! `# pending:` must still fail, so that a fix is noticed and the mark removed.

use std::path::{Path, PathBuf};
use zkafka_engine::script::parse::parse_script;
use zkafka_engine::script::run::execute;
use zkafka_engine::sim::timeline::Timeline;

fn scripts() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/regressions exists")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "zkafka"))
        .collect();
    v.sort();
    v
}

/// The value of a `# key: value` header line.
fn header<'a>(src: &'a str, key: &str) -> Option<&'a str> {
    src.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| {
            let rest = l.trim_start_matches('#').trim().strip_prefix(key)?;
            rest.strip_prefix(':')
        })
        .map(str::trim)
}

/// Runs a script; returns the failures (line: text: why).
fn run(src: &str, seed: u64) -> Vec<String> {
    let lines = match parse_script(src, 1) {
        Ok(l) => l,
        Err(errs) => return errs.iter().map(|e| e.to_string()).collect(),
    };
    let mut t = Timeline::new(seed);
    let mut failures = Vec::new();
    for line in &lines {
        match execute(&mut t, &line.command) {
            Ok(o) => {
                if let Some(f) = o.failed {
                    failures.push(format!("line {}: `{}`: {f}", line.line, line.text));
                }
            }
            Err(e) => {
                failures.push(format!("line {}: `{}`: {e}", line.line, line.text));
                break;
            }
        }
    }
    failures
}

#[test]
fn every_regression_script_holds() {
    let files = scripts();
    assert!(files.len() >= 10, "the regression scripts are missing");
    let mut problems = Vec::new();
    for f in files {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let src = std::fs::read_to_string(&f).expect("readable");
        assert!(
            header(&src, "source").is_some(),
            "{name}: no `# source:` line"
        );
        assert!(header(&src, "real").is_some(), "{name}: no `# real:` line");
        let seeds: Vec<u64> = header(&src, "seeds")
            .map(|s| {
                s.split_whitespace()
                    .filter_map(|x| x.parse().ok())
                    .collect()
            })
            .unwrap_or_else(|| vec![1, 2, 3]);
        let pending = header(&src, "pending");
        for seed in seeds {
            let failures = run(&src, seed);
            match (pending, failures.is_empty()) {
                (None, false) => problems.push(format!(
                    "{name} (seed {seed}):\n    {}",
                    failures.join("\n    ")
                )),
                (Some(why), true) => problems.push(format!(
                    "{name} (seed {seed}) now passes: remove its `# pending: {why}` line"
                )),
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Finding 5 across many seeds: whatever the draws, each partition gets whole stints of
/// 8, 4, 6 and 6 records (see `kafka-f5-sticky-partitioner.zkafka`).
#[test]
fn sticky_stints_follow_kip_794_for_every_seed() {
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("regressions/kafka-f5-sticky-partitioner.zkafka"),
    )
    .expect("readable");
    let setup: String = src
        .lines()
        .filter(|l| !l.starts_with("expect"))
        .map(|l| format!("{l}\n"))
        .collect();
    let stints = [8u64, 7, 6, 3];
    let sums: std::collections::BTreeSet<u64> = (0..16u32)
        .map(|mask| {
            (0..4)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| stints[i])
                .sum()
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for seed in 1..=40 {
        let lines = parse_script(&setup, 1).expect("parses");
        let mut t = Timeline::new(seed);
        for l in &lines {
            execute(&mut t, &l.command).expect("runs");
        }
        let b = t.world().broker(1).expect("broker1");
        let leo = |p| {
            b.leo(&zkafka_engine::kafka::topic::TopicPartition::new("t", p))
                .unwrap_or(0)
        };
        let (a, c) = (leo(0), leo(1));
        assert_eq!(a + c, 24, "seed {seed}");
        assert!(
            sums.contains(&a),
            "seed {seed}: t-0 got {a}, not a sum of stints"
        );
        seen.insert(a);
    }
    assert!(seen.len() >= 4, "the draws vary with the seed: {seen:?}");
}
