//! `zkafka run <script|->`: run a command script and check its expectations.

use crate::RunOpts;
use crate::output;
use std::io::Read;
use zkafka_engine::script::parse::parse_script;
use zkafka_engine::script::run::execute;
use zkafka_engine::sim::timeline::Timeline;

pub fn run(path: &str, opts: &RunOpts, log_dir: Option<&std::path::Path>) -> u8 {
    let mut sync = match log_dir.map(crate::log_cmd::LogDirSync::new).transpose() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let src = if path == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("error: cannot read standard input: {e}");
            return 2;
        }
        s
    } else {
        match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: cannot read {path}: {e}");
                return 2;
            }
        }
    };
    let name = if path == "-" { "<stdin>" } else { path };
    let lines = match parse_script(&src, 1) {
        Ok(l) => l,
        Err(errors) => {
            for e in errors {
                eprintln!("{name}:{}:{}: {}", e.line, e.column, e.message);
            }
            return 2;
        }
    };
    let mut t = Timeline::new(opts.seed.unwrap_or(1));
    let mut failed = false;
    for line in &lines {
        let result = execute(&mut t, &line.command);
        if let Some(s) = sync.as_mut()
            && let Err(e) = s.sync(t.world())
        {
            eprintln!("error: --log-dir: {e}");
            return 2;
        }
        match result {
            Ok(outcome) => {
                output::events(
                    &t.trace()[outcome.events.start as usize..outcome.events.end as usize],
                    opts,
                );
                if let Some(f) = outcome.failed {
                    if !opts.json {
                        out!("   FAIL {}", line.text);
                    }
                    eprintln!("{name}:{}: `{}`: {f}", line.line, line.text);
                    failed = true;
                } else if !opts.json && line.text.starts_with("expect") {
                    out!("   ok   {}", line.text);
                }
            }
            Err(e) => {
                eprintln!("{name}:{}: `{}`: {e}", line.line, line.text);
                failed = true;
                break;
            }
        }
    }
    if opts.json {
        out!("{}", output::hash_line(t.trace()));
    } else {
        out!(
            "{}: {} events, trace_hash {}",
            if failed { "FAIL" } else { "PASS" },
            t.trace().len(),
            t.trace_hash()
        );
    }
    u8::from(failed)
}
