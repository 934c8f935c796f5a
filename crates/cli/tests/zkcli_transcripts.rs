//! The differential test of `zkafka zkcli` against the real zkCli.sh of ZooKeeper 3.8:
//! every transcript in `tests/zkcli/transcripts` is fed to `zkafka zkcli` (stdout and
//! stderr on one pipe, as the harness runs the real one), the output is normalised the
//! way `tests/zkcli/real.py` normalises the real output (dates, session ids, the racy
//! `deleteall` line), and must equal `tests/zkcli/expected/<name>.out` byte for byte.
//! The expected files are recorded from a real ZooKeeper; `.ci/test.sh` re-records them
//! against the real server (`tests/zkcli/real.sh --check`) when Java and the Debian
//! package are there. Transcripts named in `tests/zkcli/pending.txt` must still differ.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/zkcli")
}

/// The lines the harness sends: no comments, no blank or whitespace-only lines.
fn input_of(transcript: &str) -> String {
    transcript
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// `real.py`'s normalisation: dates → `<DATE>`, a session's ephemeralOwner →
/// `<SESSION>`, the racy `deleteall` failure line dropped.
fn normalise(out: &str) -> String {
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut lines = Vec::new();
    for line in out.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        if body == "Failed to delete some node(s) in the subtree!" {
            continue;
        }
        let mut l = body.to_string();
        // A java.util.Date: "Thu Jan 01 00:00:00 UTC 2026" (28 characters).
        for d in days {
            while let Some(i) = l.find(&format!("{d} ")) {
                let rest = &l[i..];
                if rest.len() >= 28 && rest.as_bytes()[7] == b' ' && &rest[19..24] == " UTC " {
                    l = format!("{}<DATE>{}", &l[..i], &rest[28..]);
                } else {
                    break;
                }
            }
        }
        if let Some(hex) = l.strip_prefix("ephemeralOwner = 0x")
            && hex != "0"
            && hex.len() <= 15
            && hex.chars().all(|c| c.is_ascii_hexdigit())
        {
            l = "ephemeralOwner = <SESSION>".into();
        }
        lines.push(format!("{l}{nl}"));
    }
    lines.concat()
}

fn run_zkcli(input: &str) -> String {
    let dir = tempdir();
    let file = dir.join("in.zk");
    std::fs::write(&file, input).expect("write the input");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"{}\" zkcli < \"{}\" 2>&1",
            env!("CARGO_BIN_EXE_zkafka"),
            file.display()
        ))
        .stdout(Stdio::piped())
        .output()
        .expect("run zkafka zkcli");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "zkafka zkcli failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "zkafka-zkcli-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

fn pending() -> Vec<String> {
    std::fs::read_to_string(root().join("pending.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// The first differing line, for the failure message.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            return format!(
                "line {}: expected {:?}, got {:?}",
                i + 1,
                a.copied().unwrap_or("<end>"),
                b.copied().unwrap_or("<end>")
            );
        }
    }
    "only the final newline differs".into()
}

#[test]
fn zkcli_prints_what_zookeeper_3_8_zkcli_prints() {
    let pending = pending();
    let mut names: Vec<String> = std::fs::read_dir(root().join("transcripts"))
        .expect("tests/zkcli/transcripts")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".zk"))
        .map(|n| n.trim_end_matches(".zk").to_string())
        .collect();
    names.sort();
    assert!(names.len() >= 15, "only {} transcripts", names.len());
    let mut failures = Vec::new();
    for name in &names {
        let transcript = std::fs::read_to_string(root().join(format!("transcripts/{name}.zk")))
            .expect("transcript");
        let want = std::fs::read_to_string(root().join(format!("expected/{name}.out")))
            .unwrap_or_else(|_| panic!("tests/zkcli/expected/{name}.out is missing"));
        let got = normalise(&run_zkcli(&input_of(&transcript)));
        let same = got == want;
        match (same, pending.contains(name)) {
            (true, true) => failures.push(format!(
                "{name} now matches the real zkCli: take it out of tests/zkcli/pending.txt"
            )),
            (false, false) => failures.push(format!("{name}: {}", first_difference(&want, &got))),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn normalisation_matches_the_harness() {
    assert_eq!(
        normalise(
            "ctime = Thu Jan 01 00:00:00 UTC 2026\nephemeralOwner = 0x3e80000\nephemeralOwner = 0x0\n"
        ),
        "ctime = <DATE>\nephemeralOwner = <SESSION>\nephemeralOwner = 0x0\n"
    );
}
