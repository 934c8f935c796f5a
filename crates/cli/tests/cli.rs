//! The `zkafka` binary as a user runs it: exit codes, output, JSON traces, errors.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn zkafka(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkafka"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zkafka runs");
    if let Some(s) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(s.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("zkafka finishes")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn golden_hash(lesson: &str, seed: u64) -> String {
    zkafka_tests::golden()
        .into_iter()
        .find_map(|(id, s, hash)| (id == lesson && s == seed).then_some(hash))
        .expect("golden entry")
}

#[test]
fn lesson_list_shows_both_lessons_in_both_languages() {
    let out = zkafka(&["lesson", "list"], None);
    assert!(out.status.success());
    let s = text(&out.stdout);
    assert!(
        s.contains("zk-leader-election") && s.contains("kafka-message-flow"),
        "{s}"
    );
    let zh = text(&zkafka(&["lesson", "list", "--lang", "zh"], None).stdout);
    assert!(zh.contains("ZooKeeper 集群如何选出 Leader"), "{zh}");
}

#[test]
fn both_lessons_run_and_pass() {
    for id in ["zk-leader-election", "kafka-message-flow"] {
        let out = zkafka(&["lesson", "run", id], None);
        let s = text(&out.stdout);
        assert!(out.status.success(), "{id}: {}\n{}", s, text(&out.stderr));
        assert!(s.contains("PASS:"), "{s}");
        assert!(s.contains("-- Step 1/"), "narration is printed: {s}");
    }
}

#[test]
fn json_trace_ends_with_the_same_hash_every_time() {
    let args = [
        "lesson",
        "run",
        "zk-leader-election",
        "--seed",
        "7",
        "--json",
    ];
    let (a, b) = (zkafka(&args, None), zkafka(&args, None));
    assert!(a.status.success() && b.status.success());
    let (sa, sb) = (text(&a.stdout), text(&b.stdout));
    let last_a = sa.lines().last().expect("a last line");
    assert_eq!(last_a, sb.lines().last().expect("b last line"));
    let v: serde_json::Value = serde_json::from_str(last_a).expect("last line is JSON");
    assert_eq!(
        v["trace_hash"].as_str(),
        Some(golden_hash("zk-leader-election", 7).as_str())
    );
    let events = v["events"].as_u64().expect("events");
    assert_eq!(
        sa.lines().count() as u64,
        events + 1,
        "one JSON line per event, then the hash line"
    );
    let first: serde_json::Value =
        serde_json::from_str(sa.lines().next().expect("first")).expect("event JSON");
    assert_eq!(first["seq"], 0);
    assert_eq!(first["event"], "input");
}

#[test]
fn a_failing_expectation_exits_1_and_names_its_line() {
    let script = "zk ensemble 3\nstart all\nrun until leader elected\nexpect leader zk1\n";
    let out = zkafka(&["run", "-"], Some(script));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("<stdin>:4:") && err.contains("expected zk1 to lead, but zk3 leads"),
        "{err}"
    );
}

#[test]
fn a_passing_script_exits_0() {
    let script =
        "zk ensemble 3\nstart all\nrun until leader elected\nexpect leader zk3\nexpect epoch 1\n";
    let out = zkafka(&["run", "-", "--seed", "4"], Some(script));
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn parse_errors_exit_2_with_line_and_column() {
    let out = zkafka(&["run", "-"], Some("zk ensemble 3\ncrash zk\n"));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("<stdin>:2:7: expected a node name"), "{err}");
}

#[test]
fn a_refused_command_exits_1_and_says_why() {
    let out = zkafka(&["run", "-"], Some("zk ensemble 3\ncrash zk1\n"));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("zk1 is not started: there is no process to kill"),
        "{err}"
    );
}

#[test]
fn unknown_lesson_and_missing_file_exit_2() {
    let out = zkafka(&["lesson", "run", "no-such-lesson"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("zk-leader-election"),
        "lists the lessons that exist"
    );
    let out = zkafka(&["run", "/no/such/file.zk"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_broken_lesson_file_is_reported_with_its_position() {
    let dir = std::env::temp_dir().join(format!("zkafka-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("broken.toml");
    std::fs::write(
        &path,
        "id = \"broken\"\ntitle = { en = \"B\", zh = \"B\" }\nintro = { en = \"I\", zh = \"I\" }\n[[steps]]\ntitle = { en = \"S\", zh = \"S\" }\nsay = { en = \"S\", zh = \"S\" }\nrun = \"\"\"\nzk ensemble 3\nstart everything\n\"\"\"\n",
    )
    .expect("write lesson");
    let out = zkafka(&["lesson", "run", path.to_str().expect("utf-8 path")], None);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("broken.toml:9:7:"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_closed_output_pipe_ends_the_run_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkafka"))
        .args(["lesson", "run", "zk-leader-election"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zkafka runs");
    // Read one line, then hang up, as `| head -1` does.
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 64];
    let n = std::io::Read::read(&mut out, &mut first).expect("some output");
    assert!(n > 0);
    drop(out);
    let res = child.wait_with_output().expect("zkafka finishes");
    let err = text(&res.stderr);
    assert_eq!(res.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn faults_that_make_no_sense_are_refused_naming_the_state() {
    let script = "zk ensemble 3\nstart all\nrun 1s\nhalt zk1\nhalt zk1\n";
    let out = zkafka(&["run", "-"], Some(script));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("zk1 is already powered off"),
        "{}",
        text(&out.stderr)
    );
    for (cmd, want) in [
        (
            "pause zk1",
            "zk1 is powered off: there is no process to pause",
        ),
        ("resume zk2", "zk2 is running, not paused"),
        (
            "reset zk1 zk3",
            "there is no open connection between zk1 and zk3",
        ),
        ("drop zk2->zk3 next 1", "`drop` is gone"),
    ] {
        let script = format!("zk ensemble 3\nstart zk2,zk3\nrun 1s\nhalt zk1\n{cmd}\n");
        let out = zkafka(&["run", "-"], Some(&script));
        assert!(!out.status.success(), "{cmd}");
        assert!(
            text(&out.stderr).contains(want),
            "{cmd}: {}",
            text(&out.stderr)
        );
    }
    let script = "zk ensemble 3\nstart all\nrun 1s\npause zk2\nrestart zk2\n";
    let out = zkafka(&["run", "-"], Some(script));
    assert!(
        text(&out.stderr).contains("zk2 is paused: `resume zk2` or `crash zk2` it first"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_expectation_on_a_partition_with_no_running_replica_says_so() {
    let script = "kafka cluster 2\nstart all\ntopic create t partitions 1 rf 2 assignment 1:2\nrun 1s\ncrash broker1\nhalt broker2\nexpect hw t-0 0\n";
    let out = zkafka(&["run", "-"], Some(script));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("no replica of t-0 is running (broker1 crashed, broker2 powered off)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn lesson_coverage_prints_the_table_and_fails_on_unknown_ids() {
    let dir = std::env::temp_dir().join(format!("zkafka-coverage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("coverage.md");
    // Every id the bundled lessons cover, plus one no lesson covers.
    let mut ids: Vec<String> = zkafka_engine::lesson::bundled()
        .into_iter()
        .flatten()
        .flat_map(|l| l.covers)
        .collect();
    ids.sort();
    ids.dedup();
    assert!(ids.iter().any(|i| i == "K19"), "a lesson covers K19");
    let zk_count = ids.iter().filter(|i| i.starts_with('Z')).count();
    let mut md = String::from("# Topic coverage\n\n## ZooKeeper\n");
    for id in ids.iter().filter(|i| i.starts_with('Z')) {
        md.push_str(&format!("- {id} a topic\n"));
    }
    md.push_str("- Z99 nobody covers this\n\n## Kafka\n");
    for id in ids.iter().filter(|i| i.starts_with('K')) {
        md.push_str(&format!("- {id} a topic\n"));
    }
    md.push_str("\n## Myths\n- \"x\": y\n");
    std::fs::write(&path, &md).expect("write");
    let p = path.to_str().expect("utf-8");
    let out = zkafka(&["lesson", "coverage", "--coverage", p], None);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.contains("Z99   -"), "{stdout}");
    assert!(stdout.contains("zk-leader-election"), "{stdout}");
    let line = format!(
        "ZooKeeper: {zk_count} of {} topics have a lesson",
        zk_count + 1
    );
    assert!(stdout.contains(&line), "{stdout}");
    let out = zkafka(&["lesson", "coverage", "--coverage", p, "--strict"], None);
    assert_eq!(out.status.code(), Some(1), "--strict fails on Z99");
    // Drop an id a lesson covers: that lesson now names an unknown topic.
    std::fs::write(&path, md.replace("- K19 a topic\n", "")).expect("write");
    let out = zkafka(&["lesson", "coverage", "--coverage", p], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("covers K19"),
        "{}",
        text(&out.stderr)
    );
    let out = zkafka(
        &["lesson", "coverage", "--coverage", "/no/such/coverage.md"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn check_kafka_exits_by_what_it_found_and_ends_with_its_summary_line() {
    let safe = zkafka(&["check", "kafka", "--seeds", "5"], None);
    let s = text(&safe.stdout);
    assert_eq!(safe.status.code(), Some(0), "{s}");
    assert_eq!(
        s.lines().last(),
        Some("seeds=5 lost=0 reordered=0 violating_seeds=0"),
        "{s}"
    );
    let unsafe_ = zkafka(&["check", "kafka", "--seeds", "10", "--acks", "1"], None);
    let u = text(&unsafe_.stdout);
    assert_eq!(unsafe_.status.code(), Some(1), "{u}");
    let last = u.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("seeds=10 lost=") && !last.ends_with("violating_seeds=0"),
        "{u}"
    );
    assert!(
        u.contains("lost: t-"),
        "names the lost records with their seed: {u}"
    );
    let bad = zkafka(&["check", "kafka", "--acks", "2"], None);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("--acks takes 0, 1 or all, not `2`"));
}

#[test]
fn assign_prints_each_members_partitions_and_json() {
    let args = [
        "assign",
        "range",
        "--partitions",
        "t1=3,t2=2",
        "--member",
        "c1=t1,t2",
        "--member",
        "c2=t1",
    ];
    let out = zkafka(&args, None);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "c1: t1-0, t1-1, t2-0, t2-1\nc2: t1-2\n");
    let mut json = args.to_vec();
    json[1] = "roundrobin";
    json.push("--json");
    let out = zkafka(&json, None);
    assert_eq!(
        text(&out.stdout).trim(),
        r#"{"c1":[["t1",0],["t1",2],["t2",0],["t2",1]],"c2":[["t1",1]]}"#
    );
    let bad = zkafka(
        &["assign", "range", "--partitions", "t1", "--member", "c1=t1"],
        None,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("`t1` is not topic=count"));
}

#[test]
fn sticky_assignors_keep_owned_partitions_and_cooperative_waits_for_revocation() {
    // c1 owned all four partitions; c2 joins.
    let args = |assignor| {
        [
            "assign",
            assignor,
            "--partitions",
            "t=4",
            "--member",
            "c1=t",
            "--member",
            "c2=t",
            "--previous",
            "c1=t-0,t-1,t-2,t-3",
        ]
    };
    let eager = zkafka(&args("sticky"), None);
    assert!(eager.status.success(), "{}", text(&eager.stderr));
    assert_eq!(text(&eager.stdout), "c1: t-0, t-1\nc2: t-2, t-3\n");
    let coop = zkafka(&args("cooperative-sticky"), None);
    assert_eq!(text(&coop.stdout), "c1: t-0, t-1\nc2: -\n");
}
