//! Printing traces: human-readable lines or JSON lines.

use crate::RunOpts;
use zkafka_engine::describe::{clock, describe};
use zkafka_engine::sim::trace::{EventKind, TraceEvent, TraceHasher};

/// Prints events as text (indented) or as JSON lines.
pub fn events(events: &[TraceEvent], opts: &RunOpts) {
    for e in events {
        if opts.json {
            println!("{}", serde_json::to_string(e).unwrap_or_default());
        } else if !opts.brief
            || matches!(
                e.kind,
                EventKind::Input { .. }
                    | EventKind::Change { .. }
                    | EventKind::NodeDown { .. }
                    | EventKind::NodeUp { .. }
            )
        {
            println!("    {:>9}  {}", clock(e.time), describe(e, opts.lang));
        }
    }
}

/// The closing JSON line: `{"trace_hash":"...","events":N}`.
pub fn hash_line(trace: &[TraceEvent]) -> String {
    serde_json::json!({ "trace_hash": TraceHasher::of(trace), "events": trace.len() }).to_string()
}
