//! The lesson file format (TOML).
//!
//! ```toml
//! id = "zk-leader-election"          # must equal the file name without .toml
//! covers = ["Z10", "Z18"]            # topic ids from shared/coverage.md
//! seed = 1                           # optional; the default seed of the lesson
//! title = { en = "...", zh = "..." }
//! intro = { en = "...", zh = "..." }
//!
//! [[steps]]
//! title = { en = "...", zh = "..." }
//! say = { en = "...", zh = "..." }   # narration
//! run = """
//! zk ensemble 5
//! start all
//! """
//! expect = """
//! leader zk5                        # one condition per line; a leading `expect` is optional
//! """
//!
//! [steps.quiz]                       # optional: a prediction asked before the step runs
//! question = { en = "...", zh = "..." }
//! choices = ["zk4", "zk5", "zk6"]
//! answer = "leader"                  # a query the engine evaluates after the step
//! ```
//! `run` holds commands of the command language; `expect` holds conditions that must hold
//! after the step. A quiz's right choice is never written down: `answer` is a query
//! ([`crate::script::query`]) evaluated against the world once the step has run, and the
//! choice equal to its value is the right one (the lesson test checks exactly one is).
//! Errors anywhere are reported with the line and column in the file.

use crate::i18n::Text;
use crate::script::parse::{Block, Line, parse_block};
use crate::script::query::{Query, parse_query};
use serde::Deserialize;
use std::fmt;
use toml::Spanned;

/// A lesson that could not be loaded: the file, where, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    /// The file name.
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: u32,
    /// 1-based column (0 when unknown).
    pub column: u32,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

impl std::error::Error for LessonError {}

/// A prediction the learner makes before a step runs.
#[derive(Clone, Debug)]
pub struct Quiz {
    /// The question.
    pub question: Text,
    /// The choices, as the answer query prints values.
    pub choices: Vec<String>,
    /// The query whose value (after the step) is the right choice.
    pub answer: Query,
    /// The query as written.
    pub answer_text: String,
}

/// One step of a lesson.
#[derive(Clone, Debug)]
pub struct Step {
    /// A short heading.
    pub title: Text,
    /// What to tell the learner.
    pub say: Text,
    /// Commands to run.
    pub run: Vec<Line>,
    /// Conditions that must hold afterwards (each an `expect` command).
    pub expect: Vec<Line>,
    /// A prediction to make before the step runs.
    pub quiz: Option<Quiz>,
}

/// A lesson.
#[derive(Clone, Debug)]
pub struct Lesson {
    /// Identifier (the file name without `.toml`).
    pub id: String,
    /// Topic ids from `coverage.md`.
    pub covers: Vec<String>,
    /// The seed the lesson runs with unless another is given.
    pub seed: u64,
    /// Title.
    pub title: Text,
    /// Introduction.
    pub intro: Text,
    /// The steps.
    pub steps: Vec<Step>,
    /// A measurement the native CLI adds after the run (`measure = "zero-copy"`: a short
    /// loopback fetch by read()+write() and by sendfile(), as `zkafka bench storage`); the
    /// browser shows the engine's counts only.
    pub measure: Option<String>,
}

/// The measurements a lesson may ask the CLI for.
pub const MEASURES: &[&str] = &["zero-copy"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    id: String,
    #[serde(default)]
    covers: Vec<String>,
    #[serde(default = "default_seed")]
    seed: u64,
    title: Text,
    intro: Text,
    steps: Vec<RawStep>,
    #[serde(default)]
    measure: Option<String>,
}

fn default_seed() -> u64 {
    1
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    title: Text,
    say: Text,
    #[serde(default)]
    run: Option<Spanned<String>>,
    #[serde(default)]
    expect: Option<Spanned<String>>,
    #[serde(default)]
    quiz: Option<RawQuiz>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuiz {
    question: Text,
    choices: Vec<String>,
    answer: Spanned<String>,
}

fn line_col(src: &str, offset: usize) -> (u32, u32) {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    (line, col)
}

/// The line where a string value's content starts: the line after an opening `"""` or
/// `'''` that ends its line, else the line of the value.
fn content_line(src: &str, span_start: usize) -> u32 {
    let (line, _) = line_col(src, span_start);
    let rest = src.get(span_start..).unwrap_or("");
    let triple = rest.starts_with("\"\"\"") || rest.starts_with("'''");
    if triple && (rest[3..].starts_with('\n') || rest[3..].starts_with("\r\n")) {
        line + 1
    } else {
        line
    }
}

/// Loads a lesson from its file name and text.
pub fn load(file: &str, src: &str) -> Result<Lesson, LessonError> {
    let at = |line: u32, column: u32, message: String| LessonError {
        file: file.to_string(),
        line,
        column,
        message,
    };
    let raw: RawLesson = toml::from_str(src).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |s| line_col(src, s.start));
        at(line, column, e.message().to_string())
    })?;
    let stem = file
        .rsplit('/')
        .next()
        .unwrap_or(file)
        .trim_end_matches(".toml");
    if raw.id != stem {
        return Err(at(
            0,
            0,
            format!("id `{}` must equal the file name `{stem}`", raw.id),
        ));
    }
    for c in &raw.covers {
        let ok = c.len() >= 2
            && (c.starts_with('Z') || c.starts_with('K'))
            && c[1..].chars().all(|d| d.is_ascii_digit());
        if !ok {
            return Err(at(
                0,
                0,
                format!("`{c}` in covers is not a topic id like Z10 or K22"),
            ));
        }
    }
    let both = |t: &Text, what: &str| -> Result<(), LessonError> {
        if t.en.trim().is_empty() || t.zh.trim().is_empty() {
            return Err(at(0, 0, format!("{what} needs both `en` and `zh` text")));
        }
        Ok(())
    };
    both(&raw.title, "title")?;
    both(&raw.intro, "intro")?;
    let script = |s: &Option<Spanned<String>>, block: Block| -> Result<Vec<Line>, LessonError> {
        let Some(s) = s else { return Ok(Vec::new()) };
        let first = content_line(src, s.span().start);
        parse_block(s.get_ref(), first, block).map_err(|errs| {
            let e = &errs[0];
            at(e.line, e.column, e.message.clone())
        })
    };
    let mut steps = Vec::new();
    for (i, s) in raw.steps.iter().enumerate() {
        both(&s.title, &format!("step {} title", i + 1))?;
        both(&s.say, &format!("step {} say", i + 1))?;
        let quiz = match &s.quiz {
            None => None,
            Some(q) => {
                both(&q.question, &format!("step {} quiz question", i + 1))?;
                if q.choices.len() < 2 {
                    return Err(at(
                        0,
                        0,
                        format!("step {} quiz needs at least 2 choices", i + 1),
                    ));
                }
                let (line, col) = line_col(src, q.answer.span().start);
                let answer = parse_query(q.answer.get_ref()).map_err(|(c, m)| {
                    // The value starts after its opening quote.
                    at(line, col + c, m)
                })?;
                Some(Quiz {
                    question: q.question.clone(),
                    choices: q.choices.clone(),
                    answer,
                    answer_text: q.answer.get_ref().clone(),
                })
            }
        };
        steps.push(Step {
            title: s.title.clone(),
            say: s.say.clone(),
            run: script(&s.run, Block::Commands)?,
            expect: script(&s.expect, Block::Conditions)?,
            quiz,
        });
    }
    if steps.is_empty() {
        return Err(at(0, 0, "a lesson needs at least one [[steps]]".into()));
    }
    if let Some(m) = raw
        .measure
        .as_ref()
        .filter(|m| !MEASURES.contains(&m.as_str()))
    {
        return Err(at(
            0,
            0,
            format!("`measure = \"{m}\"` is not one of: {}", MEASURES.join(", ")),
        ));
    }
    Ok(Lesson {
        id: raw.id,
        covers: raw.covers,
        seed: raw.seed,
        title: raw.title,
        intro: raw.intro,
        steps,
        measure: raw.measure,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
id = "demo"
covers = ["Z10"]
title = { en = "Demo", zh = "演示" }
intro = { en = "Intro", zh = "介绍" }

[[steps]]
title = { en = "Start", zh = "开始" }
say = { en = "Go", zh = "走" }
run = """
zk ensemble 3
start all
"""
expect = """
no leader
"""
"#;

    #[test]
    fn loads_a_lesson() {
        let l = load("demo.toml", OK).unwrap();
        assert_eq!(l.steps[0].run.len(), 2);
        assert_eq!(l.steps[0].run[0].line, 11);
        assert_eq!(l.steps[0].expect[0].line, 15);
    }

    #[test]
    fn bad_command_reports_file_line_and_column() {
        let src = OK.replace("start all", "start al!");
        let e = load("demo.toml", &src).unwrap_err();
        assert_eq!((e.line, e.column), (12, 7), "{e}");
        assert!(e.to_string().starts_with("demo.toml:12:7:"), "{e}");
    }

    #[test]
    fn bad_condition_column_ignores_the_implicit_expect() {
        let src = OK.replace("no leader", "no leeder");
        let e = load("demo.toml", &src).unwrap_err();
        assert_eq!((e.line, e.column), (15, 4), "{e}");
    }

    #[test]
    fn expect_blocks_take_conditions_with_or_without_the_word_expect() {
        let src = OK.replace("no leader\n", "no leader\n  expect down zk1\n");
        let l = load("demo.toml", &src).unwrap();
        assert_eq!(l.steps[0].expect.len(), 2);
        assert_eq!(l.steps[0].expect[1].line, 16);
    }

    #[test]
    fn a_command_in_an_expect_block_is_refused_where_it_stands() {
        let src = OK.replace("no leader\n", "no leader\n  crash zk1\n");
        let e = load("demo.toml", &src).unwrap_err();
        assert_eq!((e.line, e.column), (16, 3), "{e}");
        assert!(
            e.message.contains("only conditions belong in `expect`"),
            "{e}"
        );
    }

    #[test]
    fn missing_chinese_is_refused() {
        let src = OK.replace("zh = \"走\"", "zh = \"\"");
        assert!(
            load("demo.toml", &src)
                .unwrap_err()
                .message
                .contains("step 1 say")
        );
    }

    #[test]
    fn a_quiz_answer_is_a_query() {
        let src = format!(
            "{OK}\n[steps.quiz]\nquestion = {{ en = \"Who leads?\", zh = \"谁是 Leader？\" }}\nchoices = [\"zk2\", \"zk3\"]\nanswer = \"leader\"\n"
        );
        let l = load("demo.toml", &src).unwrap();
        assert_eq!(l.steps[0].quiz.as_ref().unwrap().choices.len(), 2);
        let bad = src.replace("answer = \"leader\"", "answer = \"leeder\"");
        let e = load("demo.toml", &bad).unwrap_err();
        assert!(e.message.contains("expected"), "{e}");
        assert!(e.line > 0, "{e}");
    }

    #[test]
    fn toml_errors_have_positions() {
        let e = load("demo.toml", "id = \n").unwrap_err();
        assert_eq!(e.line, 1);
    }

    #[test]
    fn id_must_match_file() {
        assert!(
            load("other.toml", OK)
                .unwrap_err()
                .message
                .contains("file name")
        );
    }
}
