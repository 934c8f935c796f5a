//! `zkafka zkcli`: a zkCli console on the engine, like `zkServer.sh start` followed by
//! `zkCli.sh -waitforconnection` (by default a fresh standalone server; `--ensemble N`
//! for a quorum). Lines come from standard input: with line editing and history
//! (rustyline) and zkCli's prompt when it is a terminal, read plainly otherwise. Output
//! is exactly what zkCli prints: errors, usage and `Created /x` on stderr, the rest on
//! stdout, one line at a time (flushed, so `2>&1` keeps zkCli's order).

use std::io::{BufRead, IsTerminal, Write};
use zkafka_engine::ids::NodeId;
use zkafka_engine::script::command::Command;
use zkafka_engine::script::parse::parse_line;
use zkafka_engine::script::run::execute;
use zkafka_engine::sim::effects::Change;
use zkafka_engine::sim::input::Input;
use zkafka_engine::sim::timeline::Timeline;
use zkafka_engine::sim::trace::EventKind;
use zkafka_engine::zookeeper::input::ZkInput;
use zkafka_engine::zookeeper::messages::ZkChange;

const CLIENT: u32 = 1;

/// Prints what c1's console printed in the trace from `from` on; returns the new end.
fn print_console(t: &Timeline, from: usize) -> usize {
    let trace = t.trace();
    let out = std::io::stdout();
    let err = std::io::stderr();
    for e in &trace[from.min(trace.len())..] {
        if let EventKind::Change {
            node: NodeId::ZkClient(CLIENT),
            change: Change::Zk(ZkChange::Printed { lines, err: on_err }),
        } = &e.kind
        {
            for l in lines {
                if *on_err {
                    let mut h = err.lock();
                    let _ = writeln!(h, "{l}");
                    let _ = h.flush();
                } else {
                    out!("{l}");
                    let _ = out.lock().flush();
                }
            }
        }
    }
    trace.len()
}

fn setup(t: &mut Timeline, ensemble: u32) -> Result<(), String> {
    let servers: Vec<String> = (1..=ensemble).map(|s| format!("zk{s}")).collect();
    let mut script = vec![format!("zk ensemble {ensemble}"), "start all".into()];
    if ensemble > 1 {
        script.push("run until leader elected".into());
    }
    script.push(format!(
        "zk client c{CLIENT} connect {} from 127.0.0.1",
        servers.join(",")
    ));
    for line in script {
        let cmd = parse_line(&line, 1)
            .map_err(|e| e.message)?
            .ok_or("empty setup line")?;
        execute(t, &cmd).map_err(|e| format!("{line}: {e}"))?;
    }
    // -waitforconnection: the banner and the connection come before any command.
    let wait = Command::RunUntil {
        condition: zkafka_engine::script::command::Condition::Zk(
            zkafka_engine::zookeeper::conditions::ZkCondition::ConsoleIdle { client: CLIENT },
        ),
        within_ms: 120_000,
    };
    execute(t, &wait).map_err(|e| e.to_string())?;
    Ok(())
}

/// How long a line's effects get to arrive before the next line is read, ms of virtual
/// time: a person (or the differential test's harness) waits for zkCli to fall silent, so
/// asynchronous results (an `addauth` that fails, a notice) show before the next command.
const QUIET_MS: u64 = 250;

/// Runs one console line to completion, then lets the quiet time pass.
fn run_line(t: &mut Timeline, line: &str) -> Result<(), String> {
    let cmd = Command::Input {
        input: Input::Zk(ZkInput::Cli {
            client: Some(CLIENT),
            line: line.to_string(),
            background: false,
        }),
    };
    execute(t, &cmd).map_err(|e| e.to_string())?;
    execute(t, &Command::RunFor { ms: QUIET_MS })
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn console_state(t: &Timeline) -> (bool, String, i64) {
    match t.world().zk_client(CLIENT) {
        Some(c) => {
            let state = match c.state {
                zkafka_engine::zookeeper::client::States::Connected => "CONNECTED",
                zkafka_engine::zookeeper::client::States::Connecting => "CONNECTING",
                zkafka_engine::zookeeper::client::States::NotConnected => "NOT_CONNECTED",
                zkafka_engine::zookeeper::client::States::Closed => "CLOSED",
                zkafka_engine::zookeeper::client::States::AuthFailed => "AUTH_FAILED",
            };
            (c.console.exited, state.to_string(), c.console.count)
        }
        None => (true, "CLOSED".into(), 0),
    }
}

/// `zkafka zkcli`.
pub fn run(ensemble: u32, seed: u64) -> u8 {
    if !(1..=9).contains(&ensemble) {
        eprintln!("error: --ensemble takes 1 (standalone) to 9 servers, not {ensemble}");
        return 2;
    }
    let mut t = Timeline::new(seed);
    if let Err(e) = setup(&mut t, ensemble) {
        eprintln!("error: could not start the ensemble: {e}");
        return 1;
    }
    let mut seen = print_console(&t, 0);
    let host = if ensemble == 1 {
        "localhost:2181".to_string()
    } else {
        (1..=ensemble)
            .map(|s| format!("zk{s}:2181"))
            .collect::<Vec<_>>()
            .join(",")
    };
    if std::io::stdin().is_terminal() {
        let mut rl = match rustyline::DefaultEditor::new() {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: cannot open the terminal: {e}");
                return 1;
            }
        };
        loop {
            let (exited, state, count) = console_state(&t);
            if exited {
                break;
            }
            let prompt = format!("[zk: {host}({state}) {count}] ");
            match rl.readline(&prompt) {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = rl.add_history_entry(line.as_str());
                    }
                    if let Err(e) = run_line(&mut t, &line) {
                        eprintln!("zkafka: {e}");
                    }
                    seen = print_console(&t, seen);
                }
                Err(_) => break,
            }
        }
    } else {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if console_state(&t).0 {
                break;
            }
            if let Err(e) = run_line(&mut t, &line) {
                print_console(&t, seen);
                eprintln!("zkafka: {e}");
                return 1;
            }
            seen = print_console(&t, seen);
        }
    }
    // Text zkCli printed without a newline is flushed at exit.
    if let Some(c) = t.world().zk_client(CLIENT)
        && !c.console.partial.is_empty()
    {
        print!("{}", c.console.partial);
        let _ = std::io::stdout().flush();
    }
    0
}
