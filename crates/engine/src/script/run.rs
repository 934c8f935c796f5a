//! Executing commands on a timeline.

use crate::script::command::{Command, Condition, DEFAULT_WITHIN_MS};
use crate::sim::input::duration;
use crate::sim::timeline::Timeline;
use crate::sim::world::Popped;
use std::ops::Range;

/// The most steps one `run` may take before it gives up (a guard against a runaway loop).
pub const MAX_STEPS_PER_RUN: u64 = 2_000_000;

/// What a command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The trace events it caused.
    pub events: Range<u64>,
    /// For `expect`: the failure message, if it failed.
    pub failed: Option<String>,
}

/// Why a command could not be carried out (an `expect` that does not hold is not an
/// error: see [`Outcome::failed`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RunError(pub String);

/// What an input waits for before the next command runs: each system says for its own
/// inputs (`zkcli` waits until the client's console has finished the line, `topic create`
/// until the brokers know the topic, `stop` until the process has exited).
fn settle(input: &crate::sim::input::Input, w: &crate::sim::world::World) -> Option<Condition> {
    match input {
        crate::sim::input::Input::Zk(z) => z.settle(w).map(Condition::Zk),
        crate::sim::input::Input::Kafka(k) => k.settle(w).map(Condition::Kafka),
        // `stop` returns when the process has exited: a Kafka broker first finishes its
        // controlled shutdown.
        crate::sim::input::Input::Stop(node) => Some(Condition::Status {
            node: *node,
            status: crate::sim::node::Status::Stopped,
        }),
        _ => None,
    }
}

/// Steps until `condition` holds, giving up `within_ms` of virtual time later.
fn run_until(t: &mut Timeline, condition: &Condition, within_ms: u64) -> Result<(), RunError> {
    let baseline = condition.baseline(t.world());
    let deadline = t.world().now().saturating_add(within_ms);
    let mut steps = 0;
    while condition.check(t.world(), baseline).is_err() {
        match t.world().next_event_time() {
            Some(at) if at <= deadline => {}
            Some(_) | None => {
                let why = condition
                    .check(t.world(), baseline)
                    .err()
                    .unwrap_or_default();
                return Err(RunError(format!(
                    "not reached within {}: {why}",
                    duration(within_ms)
                )));
            }
        }
        t.step();
        steps += 1;
        if steps > MAX_STEPS_PER_RUN {
            return Err(RunError(format!("gave up after {MAX_STEPS_PER_RUN} steps")));
        }
    }
    Ok(())
}

/// Carries out one command at the timeline's current position.
pub fn execute(t: &mut Timeline, cmd: &Command) -> Result<Outcome, RunError> {
    let start = t.position();
    let mut failed = None;
    match cmd {
        Command::Input { input } => {
            t.apply(input.clone()).map_err(|e| RunError(e.0))?;
            // Some inputs take time to finish (a zkCli command waits for its replies).
            if let Some(condition) = settle(input, t.world()) {
                run_until(t, &condition, DEFAULT_WITHIN_MS)
                    .map_err(|e| RunError(format!("{input}: {e}")))?;
            }
        }
        Command::RunFor { ms } => {
            t.apply(crate::sim::input::Input::Alarm { after_ms: *ms })
                .map_err(|e| RunError(e.0))?;
            let mut steps = 0;
            loop {
                match t.step() {
                    Some(Popped::Alarm) => break,
                    Some(_) => {}
                    None => {
                        return Err(RunError(
                            "the event queue ran dry before the time passed".into(),
                        ));
                    }
                }
                steps += 1;
                if steps > MAX_STEPS_PER_RUN {
                    return Err(RunError(format!("gave up after {MAX_STEPS_PER_RUN} steps")));
                }
            }
        }
        Command::RunUntil {
            condition,
            within_ms,
        } => run_until(t, condition, *within_ms)?,
        Command::Step { count } => {
            for _ in 0..*count {
                if t.step().is_none() {
                    break;
                }
            }
        }
        Command::Expect { condition } => {
            if let Some(words) = condition.waits_only() {
                return Err(RunError(format!(
                    "`{words}` can only be waited for with `run until`"
                )));
            }
            failed = condition.check(t.world(), 0).err();
        }
    }
    Ok(Outcome {
        events: start..t.position(),
        failed,
    })
}

/// Runs each line of `src` on `t` (tests): every line must parse to a command and run.
#[cfg(test)]
pub(crate) fn run_lines(t: &mut Timeline, src: &str) {
    for line in src.lines() {
        let cmd = crate::script::parse::parse_line(line, 1)
            .expect("parses")
            .expect("a command");
        execute(t, &cmd).unwrap_or_else(|e| panic!("`{line}`: {e}"));
    }
}
