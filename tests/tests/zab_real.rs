#![cfg(not(target_arch = "wasm32"))]
//! The ZAB differential test: every scenario in `tests/zab-real/scenarios` runs through
//! the engine with several seeds, its harness directives (`#> observe`, `#> since-fault`,
//! ...; see `tests/zab-real/README.md`) print normalised outcome lines, and the lines must
//! match `tests/zab-real/expected/<name>.out`, which `tests/zab-real/real.sh --all`
//! recorded from a REAL ZooKeeper 3.8 ensemble running the same scenario. An expected
//! line may hold `{a|b}` alternatives: a race of the real ensemble (the `# race:` comment
//! above it says which); either side is right, and this test names the side the engine
//! took. Scenarios listed in `tests/zab-real/pending.txt` are where the engine still
//! disagrees with the real ensemble: they must still differ, so that a fix is noticed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use zkafka_engine::ids::NodeId;
use zkafka_engine::script::command::{Command, Condition};
use zkafka_engine::script::parse::parse_line;
use zkafka_engine::script::run::execute;
use zkafka_engine::sim::effects::Change;
use zkafka_engine::sim::node::Status;
use zkafka_engine::sim::timeline::Timeline;
use zkafka_engine::sim::trace::EventKind;
use zkafka_engine::zookeeper::client::SessionState;
use zkafka_engine::zookeeper::conditions::ZkCondition;
use zkafka_engine::zookeeper::messages::ZkChange;
use zkafka_engine::zookeeper::vote::ServerState;

/// Each scenario runs with each of these seeds (latencies, the clients' host order).
const SEEDS: [u64; 5] = [1, 2, 3, 4, 5];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("zab-real")
}

fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .expect("tests/zab-real/scenarios exists")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "zkafka"))
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("?")
        .to_string()
}

/// `pending.txt`: scenario names (first word of each line) the engine still gets wrong.
fn pending() -> Vec<String> {
    std::fs::read_to_string(root().join("pending.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

/// A scenario playing on the engine.
struct Play {
    t: Timeline,
    /// The last fault: (virtual time, the newest epoch any server had led before it).
    fault: Option<(u64, u64)>,
    /// The outcome text, as `real.py` renders it (header, then indented lines).
    out: String,
    /// Timings, printed for the reader and never compared (real.py logs its own).
    notes: Vec<String>,
}

impl Play {
    fn new(seed: u64) -> Play {
        Play {
            t: Timeline::new(seed),
            fault: None,
            out: String::new(),
            notes: Vec::new(),
        }
    }

    fn emit(&mut self, header: String, lines: Vec<String>) {
        self.out.push_str(&header);
        self.out.push('\n');
        for l in lines {
            self.out.push_str("  ");
            self.out.push_str(&l);
            self.out.push('\n');
        }
    }

    fn sids(&self) -> Vec<u32> {
        self.t.world().zk_servers().map(|(_, z)| z.sid()).collect()
    }

    /// What `srvr` would show: (mode, zxid). The mode is leader / follower / observer /
    /// standalone while it serves, `not-serving` while it runs without serving (looking,
    /// or syncing with a leader), `paused`, or `down` (no process).
    fn status(&self, sid: u32) -> (String, Option<u64>) {
        let w = self.t.world();
        let z = w.zk(sid).expect("the server exists");
        match w.status(NodeId::Zk(sid)) {
            Some(Status::Paused) => ("paused".into(), None),
            Some(Status::Running) if !z.is_serving() => ("not-serving".into(), None),
            Some(Status::Running) => {
                let mode = if z.is_standalone() {
                    "standalone"
                } else {
                    match z.state() {
                        ServerState::Leading => "leader",
                        ServerState::Following => "follower",
                        ServerState::Observing => "observer",
                        ServerState::Looking => "looking",
                    }
                };
                (mode.into(), Some(z.last_zxid()))
            }
            _ => ("down".into(), None),
        }
    }

    fn observe(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .sids()
            .into_iter()
            .map(|sid| match self.status(sid) {
                (mode, Some(z)) => format!("zk{sid} {mode} 0x{z:x}"),
                (mode, None) => format!("zk{sid} {mode}"),
            })
            .collect();
        lines.push(self.leader_line());
        lines
    }

    fn leader_line(&self) -> String {
        let leaders: Vec<String> = self
            .sids()
            .into_iter()
            .filter_map(|sid| match self.status(sid) {
                (mode, Some(z)) if mode == "leader" => {
                    Some(format!("leader zk{sid} epoch {}", z >> 32))
                }
                _ => None,
            })
            .collect();
        if leaders.is_empty() {
            "no leader".into()
        } else {
            leaders.join(" ")
        }
    }

    /// Every (time, sid, epoch) at which a server became an established leader.
    fn established(&self) -> Vec<(u64, u32, u64)> {
        self.t.trace()[..self.t.position() as usize]
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Change {
                    node: NodeId::Zk(sid),
                    change: Change::Zk(ZkChange::Established { epoch }),
                } => Some((e.time, *sid, *epoch)),
                _ => None,
            })
            .collect()
    }

    fn set_fault(&mut self) {
        let epoch = self
            .established()
            .iter()
            .map(|&(_, _, e)| e)
            .max()
            .unwrap_or(0);
        self.fault = Some((self.t.world().now(), epoch));
    }

    fn since_fault(&mut self) -> Result<Vec<String>, String> {
        let (at, epoch) = self.fault.ok_or("since-fault: no fault yet")?;
        let cfg = self.t.world().zk_config();
        // The earliest a follower's read timeout can run out: the last ping came up to
        // half a tick before the fault.
        let limit = cfg.sync_limit * cfg.tick_time_ms - cfg.tick_time_ms / 2;
        let first = self
            .established()
            .into_iter()
            .filter(|&(t, _, e)| t >= at && e > epoch)
            .min_by_key(|&(t, _, _)| t);
        Ok(vec![match first {
            None => "no new leader since the fault".into(),
            Some((t, sid, e)) => {
                self.notes.push(format!(
                    "since-fault: zk{sid} led epoch {e} {} ms after the fault",
                    t - at
                ));
                let when = if t - at < limit {
                    "before any"
                } else {
                    "after a"
                };
                format!(
                    "new leader zk{sid} in epoch {e}, {when} read timeout (syncLimit x tickTime)"
                )
            }
        }])
    }

    fn client_number(name: &str) -> Result<u32, String> {
        match name.parse::<NodeId>() {
            Ok(NodeId::ZkClient(n)) => Ok(n),
            _ => Err(format!("not a client: {name}")),
        }
    }

    /// What client `n`'s console printed in the trace `from..to`.
    fn printed(&self, n: u32, from: u64, to: u64) -> Vec<String> {
        self.t.trace()[from as usize..to as usize]
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Change {
                    node: NodeId::ZkClient(c),
                    change: Change::Zk(ZkChange::Printed { lines, .. }),
                } if *c == n => Some(lines.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    fn client_lines(&self, name: &str) -> Result<Vec<String>, String> {
        let n = Self::client_number(name)?;
        let c = self
            .t
            .world()
            .zk_client(n)
            .ok_or(format!("no client {name}"))?;
        let state = c.session_state();
        let mut line = format!("{name} {}", state.name());
        if state == SessionState::Connected {
            let sid = c
                .server
                .ok_or(format!("{name} is connected to no server"))?;
            line.push_str(&format!(" to a {}", self.status(sid).0));
        }
        let notices: Vec<String> = self
            .printed(n, 0, self.t.position())
            .iter()
            .filter_map(|l| {
                l.strip_prefix("WatchedEvent state:")?
                    .strip_suffix(" type:None path:null")
                    .map(str::to_string)
            })
            .collect();
        Ok(vec![line, format!("{name} notices: {}", notices.join(" "))])
    }

    fn ephemerals(&self) -> Result<Vec<String>, String> {
        let leaders: Vec<u32> = self
            .sids()
            .into_iter()
            .filter(|&s| self.status(s).0 == "leader")
            .collect();
        let [leader] = leaders[..] else {
            return Err("ephemerals: no single leader".into());
        };
        let w = self.t.world();
        let tree = w.zk(leader).expect("the leader exists").tree();
        let mut lines = Vec::new();
        let mut named = BTreeSet::new();
        for c in w.zk_clients() {
            let paths = tree.ephemerals(c.session);
            if c.session != 0 && !paths.is_empty() {
                let mut paths = paths.clone();
                paths.sort();
                lines.push(format!("ephemerals of c{}: {}", c.id, paths.join(" ")));
                named.insert(c.session);
            }
        }
        for s in tree.ephemeral_sessions().collect::<BTreeSet<u64>>() {
            if !named.contains(&s) {
                let mut paths = tree.ephemerals(s);
                paths.sort();
                lines.push(format!(
                    "ephemerals of another session: {}",
                    paths.join(" ")
                ));
            }
        }
        if lines.is_empty() {
            lines.push("no ephemerals".into());
        }
        Ok(lines)
    }

    fn run_line(&mut self, text: &str, line: u32) -> Result<(), String> {
        let cmd = parse_line(text, line)
            .map_err(|e| e.message)?
            .ok_or("an empty command")?;
        execute(&mut self.t, &cmd).map_err(|e| e.to_string())?;
        Ok(())
    }

    fn directive(&mut self, text: &str) -> Result<Vec<String>, String> {
        let w: Vec<&str> = text.split_whitespace().collect();
        match w[..] {
            ["observe"] => Ok(self.observe()),
            ["leader"] => Ok(vec![self.leader_line()]),
            ["since-fault"] => self.since_fault(),
            ["client", name] => self.client_lines(name),
            ["ephemerals"] => self.ephemerals(),
            ["crash-client-server", name] => {
                let n = Self::client_number(name)?;
                let c = self
                    .t
                    .world()
                    .zk_client(n)
                    .ok_or(format!("no client {name}"))?;
                let sid = match (c.session_state(), c.server) {
                    (SessionState::Connected, Some(sid)) => sid,
                    _ => return Err(format!("{name} is not connected")),
                };
                let role = self.status(sid).0;
                self.set_fault();
                self.run_line(&format!("crash zk{sid}"), 0)?;
                Ok(vec![format!(
                    "killed the server {name} was connected to, a {role}"
                )])
            }
            _ => Err(format!("unknown directive `#> {text}`")),
        }
    }

    /// Plays a scenario; the outcome text is in `self.out`.
    fn play(&mut self, src: &str) -> Result<(), String> {
        for (i, raw) in src.lines().enumerate() {
            let n = i as u32 + 1;
            let s = raw.trim();
            let fail = |e: String| format!("line {n}: `{s}`: {e}");
            if let Some(d) = s.strip_prefix("#>") {
                let d = d.trim();
                if d.starts_with("accept ") {
                    continue; // how real.py records a race; the expected file has it
                }
                let lines = self.directive(d).map_err(fail)?;
                self.emit(format!("line {n}: {d}"), lines);
            } else if !s.is_empty() && !s.starts_with('#') {
                let verb = s.split_whitespace().next().unwrap_or("");
                if verb == "expect" {
                    return Err(fail(
                        "scenarios report outcomes with `#>` directives; real.py cannot check `expect`".into(),
                    ));
                }
                if ["crash", "pause", "halt", "restart"].contains(&verb) {
                    self.set_fault();
                }
                let from = self.t.position();
                self.run_line(s, n).map_err(fail)?;
                if let ["zk", "client", name, ..] = s.split_whitespace().collect::<Vec<_>>()[..] {
                    // real.py starts zkCli with -waitforconnection and waits for its
                    // banner: the same wait here.
                    let client = Self::client_number(name).map_err(fail)?;
                    let wait = Command::RunUntil {
                        condition: Condition::Zk(ZkCondition::ConsoleIdle { client }),
                        within_ms: 60_000,
                    };
                    execute(&mut self.t, &wait).map_err(|e| fail(e.to_string()))?;
                }
                if verb == "zkcli" {
                    let name = s.split_whitespace().nth(1).unwrap_or("");
                    let c = Self::client_number(name).map_err(fail)?;
                    let printed = self.printed(c, from, self.t.position());
                    self.emit(format!("line {n}: {s}"), zkcli_lines(&printed));
                }
            }
        }
        Ok(())
    }
}

/// A command's own zkCli output as `real.py` keeps it: watch notices dropped (`#> client`
/// reports them), dates and session ids normalised.
fn zkcli_lines(printed: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < printed.len() {
        let l = &printed[i];
        if l.is_empty()
            && printed
                .get(i + 1)
                .is_some_and(|n| n == "WATCHER::" || n.starts_with("WatchedEvent "))
        {
            i += 2;
            continue;
        }
        i += 1;
        out.push(normalise_zkcli(l));
    }
    out
}

fn normalise_zkcli(l: &str) -> String {
    if let Some(hex) = l.strip_prefix("ephemeralOwner = 0x")
        && hex != "0"
        && hex.len() <= 15
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        return "ephemeralOwner = <SESSION>".into();
    }
    // A java.util.Date, "Thu Jan 01 00:00:00 UTC 2026" (28 characters).
    for field in ["ctime = ", "mtime = "] {
        if let Some(rest) = l.strip_prefix(field)
            && rest.len() == 28
            && &rest[19..24] == " UTC "
        {
            return format!("{field}<DATE>");
        }
    }
    l.to_string()
}

/// Does `line` match `pattern`, where `{a|b}` matches either alternative? Returns the
/// alternatives taken, in order.
fn matches(pattern: &str, line: &str) -> Option<Vec<String>> {
    let Some(open) = pattern.find('{') else {
        return (pattern == line).then(Vec::new);
    };
    let close = open + pattern[open..].find('}')?;
    let (lit, alts, rest) = (
        &pattern[..open],
        &pattern[open + 1..close],
        &pattern[close + 1..],
    );
    let after = line.strip_prefix(lit)?;
    alts.split('|').find_map(|a| {
        let mut taken = matches(rest, after.strip_prefix(a)?)?;
        taken.insert(0, a.to_string());
        Some(taken)
    })
}

/// Compares an expected file (comments and blank lines skipped) with the outcome text:
/// the differences, and the races the engine resolved (`line: alternative taken`).
fn compare(expected: &str, actual: &str) -> (Vec<String>, Vec<String>) {
    let keep = |l: &&str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let exp: Vec<&str> = expected.lines().filter(keep).collect();
    let act: Vec<&str> = actual.lines().filter(keep).collect();
    let (mut diffs, mut races) = (Vec::new(), Vec::new());
    for i in 0..exp.len().max(act.len()) {
        let (e, a) = (
            exp.get(i).copied().unwrap_or("<end>"),
            act.get(i).copied().unwrap_or("<end>"),
        );
        match matches(e, a) {
            Some(taken) if !taken.is_empty() => races.push(a.trim().to_string()),
            Some(_) => {}
            None => diffs.push(format!("expected: {e}\n    engine:   {a}")),
        }
    }
    (diffs, races)
}

#[test]
fn patterns_match_alternatives() {
    assert_eq!(matches("a b", "a b"), Some(vec![]));
    assert_eq!(matches("a b", "a c"), None);
    assert_eq!(
        matches("zk1 follower {0x0|0x100000000}", "zk1 follower 0x100000000"),
        Some(vec!["0x100000000".to_string()])
    );
    assert_eq!(
        matches("zk3 {leader 0x1|not-serving} x", "zk3 not-serving x"),
        Some(vec!["not-serving".to_string()])
    );
    assert_eq!(matches("zk1 {a|b}", "zk1 c"), None);
    assert_eq!(
        matches("zk1 {a|ab}", "zk1 ab"),
        Some(vec!["ab".to_string()])
    );
}

#[test]
fn engine_matches_the_real_ensemble() {
    let files = scenarios();
    assert!(files.len() >= 5, "the scenarios are missing");
    let pending = pending();
    let names: Vec<String> = files.iter().map(|f| stem(f)).collect();
    for p in &pending {
        assert!(
            names.contains(p),
            "pending.txt names {p}, which is no scenario"
        );
    }
    let mut problems = Vec::new();
    for f in &files {
        let name = stem(f);
        let src = std::fs::read_to_string(f).expect("readable scenario");
        let exp_path = root().join("expected").join(format!("{name}.out"));
        let expected = std::fs::read_to_string(&exp_path)
            .unwrap_or_else(|_| panic!("{} is missing (real.sh --all)", exp_path.display()));
        let mut differing = Vec::new();
        for seed in SEEDS {
            let mut p = Play::new(seed);
            if let Err(e) = p.play(&src) {
                problems.push(format!("{name} (seed {seed}): {e}"));
                continue;
            }
            println!("==> {name} (seed {seed}) <==\n{}", p.out);
            for n in &p.notes {
                println!("    {n}");
            }
            let (diffs, races) = compare(&expected, &p.out);
            for r in races {
                println!("    race accepted, the engine took: {r}");
            }
            if !diffs.is_empty() {
                differing.push(format!(
                    "{name} (seed {seed}) differs from the real ensemble:\n    {}",
                    diffs.join("\n    ")
                ));
            }
        }
        if pending.contains(&name) {
            if differing.is_empty() {
                problems.push(format!(
                    "{name} now matches the real ensemble for every seed: remove it from pending.txt"
                ));
            } else {
                println!("pending (still differs, as pending.txt says):");
                for d in differing {
                    println!("  {d}");
                }
            }
        } else {
            problems.extend(differing);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
