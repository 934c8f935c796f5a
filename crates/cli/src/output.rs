//! Printing traces: human-readable lines or JSON lines.

use crate::RunOpts;
use std::io::Write;
use zkafka_engine::describe::{clock, describe};
use zkafka_engine::sim::trace::{EventKind, TraceEvent, TraceHasher};

/// Writes one line to standard output. A reader that has gone away (EPIPE) ends the
/// program quietly with status 0, as a closed pipe ends `yes`; any other write error ends
/// it with status 1.
pub fn line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{args}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// Prints events as text (indented) or as JSON lines.
pub fn events(events: &[TraceEvent], opts: &RunOpts) {
    for e in events {
        if opts.json {
            out!("{}", serde_json::to_string(e).unwrap_or_default());
        } else if !opts.brief
            || matches!(
                e.kind,
                EventKind::Input { .. }
                    | EventKind::Change { .. }
                    | EventKind::NodeDown { .. }
                    | EventKind::NodeUp { .. }
                    | EventKind::Paused { .. }
                    | EventKind::Resumed { .. }
            )
        {
            out!("    {:>9}  {}", clock(e.time), describe(e, opts.lang));
        }
    }
}

/// The closing JSON line: `{"trace_hash":"...","events":N}`.
pub fn hash_line(trace: &[TraceEvent]) -> String {
    serde_json::json!({ "trace_hash": TraceHasher::of(trace), "events": trace.len() }).to_string()
}
