//! Running a lesson: each step's commands, then its expectations, recording which events
//! each command caused so the player can show them step by step.

use crate::lesson::format::Lesson;
use crate::script::run::execute;
use crate::sim::timeline::Timeline;
use std::ops::Range;

/// What one command of a step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandRun {
    /// Line in the lesson file.
    pub line: u32,
    /// The command as written.
    pub text: String,
    /// The events it caused.
    pub events: Range<u64>,
    /// Why it could not run.
    pub error: Option<String>,
}

/// One checked expectation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRun {
    /// Line in the lesson file.
    pub line: u32,
    /// The condition as written.
    pub text: String,
    /// Why it did not hold.
    pub failure: Option<String>,
}

/// One step's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRun {
    /// Events of the whole step.
    pub events: Range<u64>,
    /// Its commands.
    pub commands: Vec<CommandRun>,
    /// Its expectations.
    pub checks: Vec<CheckRun>,
}

impl StepRun {
    /// True when every command ran and every expectation held.
    pub fn passed(&self) -> bool {
        self.commands.iter().all(|c| c.error.is_none())
            && self.checks.iter().all(|c| c.failure.is_none())
    }
}

/// A finished lesson run.
#[derive(Clone, Debug)]
pub struct LessonRun {
    /// The seed used.
    pub seed: u64,
    /// The recorded run (positioned at its end).
    pub timeline: Timeline,
    /// One record per step that ran (a step whose command failed ends the run).
    pub steps: Vec<StepRun>,
    /// Steps in the lesson.
    pub total_steps: usize,
}

impl LessonRun {
    /// True when all steps ran and passed.
    pub fn passed(&self) -> bool {
        self.steps.len() == self.total_steps && self.steps.iter().all(StepRun::passed)
    }

    /// The trace hash of the whole run.
    pub fn trace_hash(&self) -> String {
        self.timeline.trace_hash()
    }
}

/// Runs `lesson` with `seed` from start to end.
pub fn run_lesson(lesson: &Lesson, seed: u64) -> LessonRun {
    let mut t = Timeline::new(seed);
    let mut steps = Vec::new();
    for step in &lesson.steps {
        let start = t.position();
        let mut commands = Vec::new();
        let mut broken = false;
        for line in &step.run {
            let before = t.position();
            let (events, error) = match execute(&mut t, &line.command) {
                Ok(o) => (o.events, o.failed),
                Err(e) => (before..t.position(), Some(e.0)),
            };
            broken |= error.is_some();
            commands.push(CommandRun {
                line: line.line,
                text: line.text.clone(),
                events,
                error,
            });
            if broken {
                break;
            }
        }
        let checks = step
            .expect
            .iter()
            .map(|line| {
                let failure = match execute(&mut t, &line.command) {
                    Ok(o) => o.failed,
                    Err(e) => Some(e.0),
                };
                let text = line
                    .text
                    .strip_prefix("expect ")
                    .unwrap_or(&line.text)
                    .to_string();
                CheckRun {
                    line: line.line,
                    text,
                    failure,
                }
            })
            .collect();
        steps.push(StepRun {
            events: start..t.position(),
            commands,
            checks,
        });
        if broken {
            break;
        }
    }
    LessonRun {
        seed,
        timeline: t,
        steps,
        total_steps: lesson.steps.len(),
    }
}
