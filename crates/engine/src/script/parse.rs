//! Parsing the command language: one command per line; errors give the line, the column
//! and what was expected.
//!
//! Each system registers its words in [`SYSTEMS`]: the kernel ([`super::kernel`]: processes,
//! network, faults), ZooKeeper ([`crate::zookeeper::script`]) and Kafka
//! ([`crate::kafka::script`]). This module reads the line, finds the system that owns the
//! first word, and handles the words of the script itself:
//!
//! ```text
//! run 500ms | run until <condition> [within 30s] | step [n]
//! expect <condition>
//! ```

use crate::script::command::{Command, Condition, DEFAULT_WITHIN_MS};
use crate::script::cursor::{Cursor, PResult};
use crate::script::lexer::{Word, words};
use std::fmt;

pub use crate::script::cursor::{MAX_DURATION_MS, parse_duration, parse_number};

/// A command that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// One command of a script with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub line: u32,
    /// The text as written (trimmed).
    pub text: String,
    /// The command.
    pub command: Command,
}

/// The words one system adds to the language.
pub struct Grammar {
    /// The first words of its commands.
    pub verbs: &'static [&'static str],
    /// Reads a command after its verb (the verb is passed in).
    pub command: fn(&'static str, &mut Cursor<'_>) -> PResult<Command>,
    /// The first words of its conditions.
    pub conditions: &'static [&'static str],
    /// Reads a condition after its first word (passed in).
    pub condition: fn(&'static str, &mut Cursor<'_>) -> PResult<Condition>,
    /// The first words of its queries (what a lesson's quiz can ask).
    pub queries: &'static [&'static str],
    /// Reads a query after its first word (passed in).
    pub query: fn(&'static str, &mut Cursor<'_>) -> PResult<crate::script::query::Query>,
}

/// Joins word lists at compile time, so that a grammar names each module's words once:
/// `const W: [&str; A.len() + B.len()] = concat_words(&[&A, &B]);`. A length that does not
/// match the parts' total fails the build.
pub const fn concat_words<const N: usize>(parts: &[&[&'static str]]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut k = 0;
    let mut i = 0;
    while i < parts.len() {
        let mut j = 0;
        while j < parts[i].len() {
            out[k] = parts[i][j];
            k += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(k == N, "concat_words: the length is not the parts' total");
    out
}

/// Every system's grammar. A new system (or a new command of one) registers here and
/// nowhere else.
pub const SYSTEMS: [&Grammar; 3] = [
    &crate::script::kernel::GRAMMAR,
    &crate::zookeeper::script::GRAMMAR,
    &crate::kafka::script::GRAMMAR,
];

/// The words of the script itself.
const SCRIPT_VERBS: [&str; 3] = ["run", "step", "expect"];

/// Every word a command line may start with, in registration order.
pub fn verbs() -> Vec<&'static str> {
    SYSTEMS
        .iter()
        .flat_map(|g| g.verbs.iter().copied())
        .chain(SCRIPT_VERBS)
        .collect()
}

/// Every word a condition may start with, in registration order.
pub fn condition_words() -> Vec<&'static str> {
    SYSTEMS
        .iter()
        .flat_map(|g| g.conditions.iter().copied())
        .collect()
}

/// What a block of lines holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// Any commands (a script, a lesson step's `run`).
    Commands,
    /// Only conditions, each with or without a leading `expect` (a lesson step's `expect`).
    Conditions,
}

/// Parses a condition (the words after `expect` or `run until`).
fn parse_condition(c: &mut Cursor<'_>) -> PResult<Condition> {
    let words = condition_words();
    let word = c.keyword(&words)?;
    let grammar = SYSTEMS
        .iter()
        .find(|g| g.conditions.contains(&word))
        .expect("the word came from a grammar");
    (grammar.condition)(word, c)
}

/// The rest of an `expect` line: a condition that can be checked now.
fn expect_command(c: &mut Cursor<'_>) -> PResult<Command> {
    let col = c.column();
    let condition = parse_condition(c)?;
    if let Some(words) = condition.waits_only() {
        return Err((
            col,
            format!("`{words}` is something to wait for: use `run until {words}`"),
        ));
    }
    Ok(Command::Expect { condition })
}

fn script_command(verb: &'static str, c: &mut Cursor<'_>) -> PResult<Command> {
    match verb {
        "run" => {
            if c.accept("until") {
                let condition = parse_condition(c)?;
                let within_ms = if c.accept("within") {
                    c.duration()?
                } else {
                    DEFAULT_WITHIN_MS
                };
                Ok(Command::RunUntil {
                    condition,
                    within_ms,
                })
            } else {
                let col = c.column();
                let ms = c.duration()?;
                if ms == 0 {
                    return Err((col, "run needs a duration above 0".into()));
                }
                Ok(Command::RunFor { ms })
            }
        }
        "step" => Ok(Command::Step {
            count: if c.peek().is_some() {
                c.small("a step count")?.max(1)
            } else {
                1
            },
        }),
        _ => expect_command(c),
    }
}

fn parse_words(words: &[Word], end_column: u32, block: Block, line: &str) -> PResult<Command> {
    let mut c = Cursor::with_line(words, end_column, line);
    let verbs = verbs();
    if block == Block::Conditions {
        if !c.accept("expect")
            && let Some(w) = c.peek().filter(|w| verbs.contains(&w.text.as_str()))
        {
            return Err((
                w.column,
                "only conditions belong in `expect` (commands go in `run`)".into(),
            ));
        }
        let cmd = expect_command(&mut c)?;
        c.done()?;
        return Ok(cmd);
    }
    let verb = c.keyword(&verbs)?;
    let cmd = match SYSTEMS.iter().find(|g| g.verbs.contains(&verb)) {
        Some(g) => (g.command)(verb, &mut c)?,
        None => script_command(verb, &mut c)?,
    };
    c.done()?;
    Ok(cmd)
}

/// Parses one command line. `Ok(None)` for blank lines and comments.
pub fn parse_line(text: &str, line: u32) -> Result<Option<Command>, ParseError> {
    parse_line_in(text, line, Block::Commands)
}

fn parse_line_in(text: &str, line: u32, block: Block) -> Result<Option<Command>, ParseError> {
    let end_column = text.trim_end().chars().count() as u32 + 1;
    let err = |(column, message): (u32, String)| ParseError {
        line,
        column,
        message,
    };
    let ws = words(text).map_err(err)?;
    if ws.is_empty() {
        return Ok(None);
    }
    parse_words(&ws, end_column, block, text)
        .map(Some)
        .map_err(err)
}

/// Parses a whole script. `first_line` is the line number of the text's first line (for
/// scripts embedded in a lesson file). Returns every error, not just the first.
pub fn parse_script(text: &str, first_line: u32) -> Result<Vec<Line>, Vec<ParseError>> {
    parse_block(text, first_line, Block::Commands)
}

/// Parses a block of lines holding `block`; like [`parse_script`] otherwise. In a
/// [`Block::Conditions`] block every line becomes a [`Command::Expect`].
pub fn parse_block(
    text: &str,
    first_line: u32,
    block: Block,
) -> Result<Vec<Line>, Vec<ParseError>> {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = first_line + i as u32;
        match parse_line_in(raw, line, block) {
            Ok(Some(command)) => lines.push(Line {
                line,
                text: raw.trim().to_string(),
                command,
            }),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}
