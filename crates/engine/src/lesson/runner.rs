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

/// A quiz's computed answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuizRun {
    /// The answer query's value after the step, or why it has none.
    pub value: Result<String, String>,
    /// The index of the choice equal to the value (none when no choice or several do).
    pub correct: Option<usize>,
    /// Why the quiz cannot be answered (no value, no matching choice, several).
    pub problem: Option<String>,
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
    /// Its quiz's answer, computed after the step.
    pub quiz: Option<QuizRun>,
}

impl StepRun {
    /// True when every command ran, every expectation held, and the quiz (if any) has
    /// exactly one right choice.
    pub fn passed(&self) -> bool {
        self.commands.iter().all(|c| c.error.is_none())
            && self.checks.iter().all(|c| c.failure.is_none())
            && self.quiz.as_ref().is_none_or(|q| q.problem.is_none())
    }
}

/// Evaluates a quiz against the world after its step.
fn answer(q: &crate::lesson::format::Quiz, w: &crate::sim::world::World) -> QuizRun {
    let value = q.answer.eval(w);
    let (correct, problem) = match &value {
        Err(e) => (None, Some(format!("`{}` has no value: {e}", q.answer_text))),
        Ok(v) => {
            let hits: Vec<usize> = q
                .choices
                .iter()
                .enumerate()
                .filter(|(_, c)| c.trim() == v.trim())
                .map(|(i, _)| i)
                .collect();
            match hits.as_slice() {
                [i] => (Some(*i), None),
                [] => (
                    None,
                    Some(format!(
                        "`{}` is {v}, which is none of the choices",
                        q.answer_text
                    )),
                ),
                _ => (None, Some(format!("several choices equal {v}"))),
            }
        }
    };
    QuizRun {
        value,
        correct,
        problem,
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
        let quiz = step.quiz.as_ref().map(|q| answer(q, t.world()));
        steps.push(StepRun {
            events: start..t.position(),
            commands,
            checks,
            quiz,
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
