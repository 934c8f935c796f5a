//! Parsing the command language: one command per line; errors give the line, the column
//! and what was expected.
//!
//! ```text
//! zk ensemble 5 [observers 1]        zk set-zxid zk3 0x100000007     zk set-epoch zk2 2
//! zk config tickTime 2000            kafka cluster 3                  kafka config acks 1
//! topic create orders partitions 1 rf 3 [assignment 1:2:3]
//! start all | start zk1,zk2          crash zk5        restart zk5     heal
//! partition zk1,zk2 | zk3,zk4,zk5    partition zk1 -> zk2,zk3
//! delay zk1->zk2 300ms               drop zk1->zk2 next 2
//! net latency 5ms..20ms              net loss 2%
//! produce orders [partition 0] [key k1] value v1 [count 5] [acks all|1|0]
//! consume orders-0 from 0
//! run 500ms | run until <condition> [within 30s] | step [n]
//! expect <condition>
//! ```
//! Conditions: `leader elected` (run until only), `leader zk5`, `no leader`,
//! `state zk1 FOLLOWING`, `epoch 1`, `epoch zk3 1`, `vote zk1 zk5`, `zxid zk3 0x100000007`,
//! `up broker2`, `down broker2`, `hw orders-0 5 [on broker2]`, `leo orders-0 5 [on broker2]`,
//! `isr orders-0 1,2,3`, `acked orders-0 5`, `consumed orders-0 5`.

use crate::ids::NodeId;
use crate::kafka::config::Acks;
use crate::kafka::producer::ProduceSpec;
use crate::kafka::topic::TopicPartition;
use crate::script::command::{Command, Condition, DEFAULT_WITHIN_MS};
use crate::script::lexer::{Word, words};
use crate::sim::input::{Input, Targets};
use crate::zookeeper::vote::ServerState;
use std::fmt;

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

type PResult<T> = Result<T, (u32, String)>;

struct Cursor<'a> {
    words: &'a [Word],
    pos: usize,
    end_column: u32,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&'a Word> {
        self.words.get(self.pos)
    }

    fn column(&self) -> u32 {
        self.peek().map_or(self.end_column, |w| w.column)
    }

    fn next(&mut self, what: &str) -> PResult<&'a Word> {
        match self.words.get(self.pos) {
            Some(w) => {
                self.pos += 1;
                Ok(w)
            }
            None => Err((
                self.end_column,
                format!("expected {what}, found the end of the line"),
            )),
        }
    }

    fn fail<T>(&self, w: &Word, what: &str) -> PResult<T> {
        Err((w.column, format!("expected {what}, found `{}`", w.text)))
    }

    fn keyword(&mut self, options: &[&'static str]) -> PResult<&'static str> {
        let what = one_of(options);
        let w = self.next(&what)?;
        match options
            .iter()
            .find(|o| w.text.eq_ignore_ascii_case(o) && !w.quoted)
        {
            Some(o) => Ok(o),
            None => self.fail(w, &what),
        }
    }

    fn accept(&mut self, kw: &str) -> bool {
        if self
            .peek()
            .is_some_and(|w| !w.quoted && w.text.eq_ignore_ascii_case(kw))
        {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn done(&self) -> PResult<()> {
        match self.peek() {
            Some(w) => Err((
                w.column,
                format!("unexpected `{}` at the end of the command", w.text),
            )),
            None => Ok(()),
        }
    }

    fn number(&mut self, what: &str) -> PResult<u64> {
        let w = self.next(what)?;
        parse_number(&w.text)
            .ok_or(())
            .or_else(|_| self.fail(w, what))
    }

    fn small(&mut self, what: &str) -> PResult<u32> {
        let w = self.next(what)?;
        parse_number(&w.text)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(())
            .or_else(|_| self.fail(w, what))
    }

    fn node(&mut self) -> PResult<NodeId> {
        let w = self.next("a node name like zk1 or broker2")?;
        w.text
            .parse()
            .or_else(|_| self.fail(w, "a node name like zk1, broker2, producer1"))
    }

    fn zk(&mut self) -> PResult<u32> {
        let w = self.next("a ZooKeeper server like zk3")?;
        match w.text.parse() {
            Ok(NodeId::Zk(sid)) => Ok(sid),
            _ => self.fail(w, "a ZooKeeper server like zk3"),
        }
    }

    fn broker(&mut self) -> PResult<u32> {
        let w = self.next("a broker like broker2")?;
        match w.text.parse() {
            Ok(NodeId::Broker(id)) => Ok(id),
            _ => self.fail(w, "a broker like broker2"),
        }
    }

    fn tp(&mut self) -> PResult<TopicPartition> {
        let w = self.next("a topic-partition like orders-0")?;
        w.text
            .parse()
            .or_else(|_| self.fail(w, "a topic-partition like orders-0"))
    }

    fn duration(&mut self) -> PResult<u64> {
        let w = self.next("a duration like 500ms or 2s")?;
        match parse_duration(&w.text) {
            Some(ms) if ms <= MAX_DURATION_MS => Ok(ms),
            Some(_) => Err((
                w.column,
                format!("`{}` is longer than the 24h a command may span", w.text),
            )),
            None => self.fail(w, "a duration like 500ms, 2s or 1.5s"),
        }
    }

    fn text(&mut self, what: &str) -> PResult<String> {
        Ok(self.next(what)?.text.clone())
    }
}

fn one_of(options: &[&str]) -> String {
    match options {
        [one] => format!("`{one}`"),
        _ => {
            let quoted: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
            format!("one of {}", quoted.join(", "))
        }
    }
}

/// The longest duration a command may name (`run`, `within`, `delay`): 24 hours, ms.
pub const MAX_DURATION_MS: u64 = 86_400_000;

/// Reads `42`, `0x2a`, `1_000`.
pub fn parse_number(s: &str) -> Option<u64> {
    let s = s.replace('_', "");
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Reads `500ms`, `2s`, `1.5s`, `1m`; a bare number means milliseconds.
pub fn parse_duration(s: &str) -> Option<u64> {
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => s.split_at(i),
        None => (s, "ms"),
    };
    let scale: u64 = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" | "min" => 60_000,
        _ => return None,
    };
    let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
    if whole.is_empty() || frac.len() > 3 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let frac_ms = if frac.is_empty() {
        0
    } else {
        frac.parse::<u64>().ok()? * scale / 10u64.pow(frac.len() as u32)
    };
    whole.checked_mul(scale)?.checked_add(frac_ms)
}

fn node_list(text: &str, column: u32) -> PResult<Vec<NodeId>> {
    let mut out = Vec::new();
    let mut col = column;
    for part in text.split(',') {
        let name = part.trim();
        if name.is_empty() {
            return Err((col, "expected a node name between commas".into()));
        }
        match name.parse() {
            Ok(id) => out.push(id),
            Err(_) => {
                return Err((
                    col,
                    format!("expected a node name like zk1 or broker2, found `{name}`"),
                ));
            }
        }
        col += part.len() as u32 + 1;
    }
    Ok(out)
}

/// `a->b` as one word, or `a -> b` as three.
fn link(c: &mut Cursor<'_>) -> PResult<(NodeId, NodeId)> {
    let w = c.next("a link like zk1->zk2")?;
    if let Some((a, b)) = w.text.split_once("->") {
        let from = node_list(a, w.column)?;
        let to = node_list(b, w.column + a.len() as u32 + 2)?;
        if let ([from], [to]) = (&from[..], &to[..]) {
            return Ok((*from, *to));
        }
        return c.fail(w, "one node on each side, like zk1->zk2");
    }
    let from = node_list(&w.text, w.column)?;
    c.keyword(&["->"])?;
    let to = c.node()?;
    match &from[..] {
        [f] => Ok((*f, to)),
        _ => c.fail(w, "one node on each side, like zk1->zk2"),
    }
}

fn parse_partition(c: &mut Cursor<'_>) -> PResult<Input> {
    // Join the rest of the line back so that `zk1,zk2|zk3` and `zk1, zk2 | zk3` both read.
    let rest: Vec<&Word> = c.words[c.pos..].iter().collect();
    if rest.is_empty() {
        return Err((
            c.end_column,
            "expected groups of nodes like zk1,zk2 | zk3,zk4,zk5".into(),
        ));
    }
    c.pos = c.words.len();
    let mut text = String::new();
    let start = rest[0].column;
    for w in &rest {
        while (start + text.chars().count() as u32) < w.column {
            text.push(' ');
        }
        text.push_str(&w.text);
    }
    let groups_at = |s: &str, offset: u32| -> PResult<Vec<NodeId>> {
        let trimmed = s.trim_start();
        let lead = (s.len() - trimmed.len()) as u32;
        node_list(&trimmed.trim_end().replace(' ', ""), offset + lead)
    };
    if let Some((a, b)) = text.split_once("->") {
        let from = groups_at(a, start)?;
        let to = groups_at(b, start + a.len() as u32 + 2)?;
        return Ok(Input::PartitionOneWay { from, to });
    }
    let mut groups = Vec::new();
    let mut offset = start;
    for g in text.split('|') {
        groups.push(groups_at(g, offset)?);
        offset += g.len() as u32 + 1;
    }
    if groups.len() < 2 {
        return Err((
            start,
            "expected at least two groups separated by `|` (or `->` for one way)".into(),
        ));
    }
    Ok(Input::Partition(groups))
}

fn parse_produce(c: &mut Cursor<'_>) -> PResult<Input> {
    let topic = c.text("a topic name")?;
    let mut spec = ProduceSpec {
        topic,
        partition: None,
        key: None,
        value: None,
        count: 1,
        acks: None,
    };
    while c.peek().is_some() {
        match c.keyword(&["partition", "key", "value", "count", "acks"])? {
            "partition" => spec.partition = Some(c.small("a partition number")?),
            "key" => spec.key = Some(c.text("a key")?),
            "value" => spec.value = Some(c.text("a value")?),
            "count" => spec.count = c.small("a record count")?,
            _ => {
                let w = c.next("0, 1 or all")?;
                spec.acks = Some(
                    Acks::parse(&w.text)
                        .ok_or(())
                        .or_else(|_| c.fail(w, "0, 1 or all"))?,
                );
            }
        }
    }
    if spec.value.is_none() && spec.key.is_none() {
        return Err((
            c.end_column,
            "expected `value <text>` (and optionally `key <text>`)".into(),
        ));
    }
    Ok(Input::Produce(spec))
}

fn parse_topic(c: &mut Cursor<'_>) -> PResult<Input> {
    c.keyword(&["create"])?;
    let topic = c.text("a topic name")?;
    let (mut partitions, mut rf, mut assignment) = (None, None, None);
    while c.peek().is_some() {
        match c.keyword(&["partitions", "rf", "assignment"])? {
            "partitions" => partitions = Some(c.small("a partition count")?),
            "rf" => rf = Some(c.small("a replication factor")?),
            _ => {
                let w = c.next("an assignment like 1:2:3,2:3:1")?;
                let mut parts = Vec::new();
                for p in w.text.split(',') {
                    let ids: Option<Vec<u32>> = p.split(':').map(|x| x.parse().ok()).collect();
                    match ids {
                        Some(ids) if !ids.is_empty() => parts.push(ids),
                        _ => {
                            return c.fail(
                                w,
                                "an assignment like 1:2:3,2:3:1 (broker ids per partition)",
                            );
                        }
                    }
                }
                assignment = Some(parts);
            }
        }
    }
    if let (Some(a), Some(p)) = (&assignment, partitions)
        && a.len() as u32 != p
    {
        return Err((
            c.end_column,
            format!(
                "the assignment lists {} partitions but `partitions` says {p}",
                a.len()
            ),
        ));
    }
    if let (Some(a), Some(r)) = (&assignment, rf)
        && a.first().map_or(0, Vec::len) as u32 != r
    {
        return Err((
            c.end_column,
            format!(
                "the assignment has {} replicas per partition but `rf` says {r}",
                a[0].len()
            ),
        ));
    }
    Ok(Input::TopicCreate {
        topic,
        partitions,
        rf,
        assignment,
    })
}

/// Parses a condition (the words after `expect` or `run until`).
fn parse_condition(c: &mut Cursor<'_>) -> PResult<Condition> {
    let kinds = [
        "leader", "no", "state", "epoch", "vote", "zxid", "up", "down", "hw", "leo", "isr",
        "acked", "consumed",
    ];
    let cond = match c.keyword(&kinds)? {
        "leader" => {
            if c.accept("elected") {
                Condition::LeaderElected
            } else {
                Condition::Leader { sid: c.zk()? }
            }
        }
        "no" => {
            c.keyword(&["leader"])?;
            Condition::NoLeader
        }
        "state" => {
            let sid = c.zk()?;
            let w = c.next("a state: LOOKING, FOLLOWING, LEADING or OBSERVING")?;
            let state = ServerState::parse(&w.text)
                .ok_or(())
                .or_else(|_| c.fail(w, "a state: LOOKING, FOLLOWING, LEADING or OBSERVING"))?;
            Condition::State { sid, state }
        }
        "epoch" => {
            let sid = if c.peek().is_some_and(|w| w.text.starts_with("zk")) {
                Some(c.zk()?)
            } else {
                None
            };
            Condition::Epoch {
                sid,
                epoch: c.number("an epoch number")?,
            }
        }
        "vote" => Condition::Vote {
            sid: c.zk()?,
            for_sid: c.zk()?,
        },
        "zxid" => Condition::Zxid {
            sid: c.zk()?,
            zxid: c.number("a zxid like 0x100000007")?,
        },
        "up" => Condition::Up { node: c.node()? },
        "down" => Condition::Down { node: c.node()? },
        "hw" | "leo" => {
            let is_hw = c.words[c.pos - 1].text.eq_ignore_ascii_case("hw");
            let tp = c.tp()?;
            let value = c.number("an offset")?;
            let on = if c.accept("on") {
                Some(c.broker()?)
            } else {
                None
            };
            if is_hw {
                Condition::Hw { tp, value, on }
            } else {
                Condition::Leo { tp, value, on }
            }
        }
        "isr" => {
            let tp = c.tp()?;
            let w = c.next("broker ids like 1,2,3")?;
            let ids: Option<Vec<u32>> = w.text.split(',').map(|x| x.trim().parse().ok()).collect();
            Condition::Isr {
                tp,
                isr: ids
                    .ok_or(())
                    .or_else(|_| c.fail(w, "broker ids like 1,2,3"))?,
            }
        }
        "acked" => Condition::Acked {
            tp: c.tp()?,
            count: c.number("a record count")?,
        },
        _ => Condition::Consumed {
            tp: c.tp()?,
            count: c.number("a record count")?,
        },
    };
    Ok(cond)
}

/// The words a command line starts with.
const VERBS: [&str; 16] = [
    "zk",
    "kafka",
    "topic",
    "start",
    "crash",
    "restart",
    "partition",
    "heal",
    "delay",
    "drop",
    "net",
    "produce",
    "consume",
    "run",
    "step",
    "expect",
];

/// What a block of lines holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// Any commands (a script, a lesson step's `run`).
    Commands,
    /// Only conditions, each with or without a leading `expect` (a lesson step's `expect`).
    Conditions,
}

/// The rest of an `expect` line: a condition that can be checked now.
fn expect_command(c: &mut Cursor<'_>) -> PResult<Command> {
    let col = c.column();
    let condition = parse_condition(c)?;
    if condition == Condition::LeaderElected {
        return Err((
            col,
            "`leader elected` is something to wait for: use `run until leader elected`".into(),
        ));
    }
    Ok(Command::Expect { condition })
}

fn parse_words(words: &[Word], end_column: u32, block: Block) -> PResult<Command> {
    let mut c = Cursor {
        words,
        pos: 0,
        end_column,
    };
    if block == Block::Conditions {
        if !c.accept("expect")
            && let Some(w) = c.peek().filter(|w| VERBS.contains(&w.text.as_str()))
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
    let input = |i: Input| Command::Input { input: i };
    let cmd = match c.keyword(&VERBS)? {
        "zk" => match c.keyword(&["ensemble", "set-zxid", "set-epoch", "config"])? {
            "ensemble" => {
                let voters = c.small("a server count (3, 5 or 7)")?;
                let observers = if c.accept("observers") {
                    c.small("an observer count")?
                } else {
                    0
                };
                input(Input::ZkEnsemble { voters, observers })
            }
            "set-zxid" => input(Input::ZkSetZxid {
                sid: c.zk()?,
                zxid: c.number("a zxid like 0x100000007")?,
            }),
            "set-epoch" => input(Input::ZkSetEpoch {
                sid: c.zk()?,
                epoch: c.number("an epoch")?,
            }),
            _ => input(Input::ZkConfig {
                key: c.text("a setting like tickTime")?,
                value: c.number("a number")?,
            }),
        },
        "kafka" => match c.keyword(&["cluster", "config"])? {
            "cluster" => input(Input::KafkaCluster {
                brokers: c.small("a broker count")?,
            }),
            _ => input(Input::KafkaConfig {
                key: c.text("a setting like acks")?,
                value: c.text("a value")?,
            }),
        },
        "topic" => input(parse_topic(&mut c)?),
        "start" => {
            if c.accept("all") {
                input(Input::Start(Targets::All))
            } else {
                let w = c.next("`all` or nodes like zk1,zk2")?;
                input(Input::Start(Targets::Nodes(node_list(&w.text, w.column)?)))
            }
        }
        "crash" => input(Input::Crash(c.node()?)),
        "restart" => input(Input::Restart(c.node()?)),
        "partition" => input(parse_partition(&mut c)?),
        "heal" => input(Input::Heal),
        "delay" => {
            let (from, to) = link(&mut c)?;
            input(Input::Delay {
                from,
                to,
                ms: c.duration()?,
            })
        }
        "drop" => {
            let (from, to) = link(&mut c)?;
            c.keyword(&["next"])?;
            input(Input::DropNext {
                from,
                to,
                count: c.small("a message count")?,
            })
        }
        "net" => match c.keyword(&["latency", "loss"])? {
            "latency" => {
                let w = c.next("a range like 5ms..20ms")?;
                let (a, b) = w
                    .text
                    .split_once("..")
                    .ok_or(())
                    .or_else(|_| c.fail(w, "a range like 5ms..20ms"))?;
                match (parse_duration(a), parse_duration(b)) {
                    (Some(min_ms), Some(max_ms)) => input(Input::NetLatency { min_ms, max_ms }),
                    _ => return c.fail(w, "a range like 5ms..20ms"),
                }
            }
            _ => {
                let w = c.next("a percentage like 2%")?;
                let n = w.text.strip_suffix('%').and_then(|n| n.parse().ok());
                input(Input::NetLoss {
                    percent: n.ok_or(()).or_else(|_| c.fail(w, "a percentage like 2%"))?,
                })
            }
        },
        "produce" => input(parse_produce(&mut c)?),
        "consume" => {
            let tp = c.tp()?;
            c.keyword(&["from"])?;
            input(Input::Consume {
                tp,
                offset: c.number("an offset")?,
            })
        }
        "run" => {
            if c.accept("until") {
                let condition = parse_condition(&mut c)?;
                let within_ms = if c.accept("within") {
                    c.duration()?
                } else {
                    DEFAULT_WITHIN_MS
                };
                Command::RunUntil {
                    condition,
                    within_ms,
                }
            } else {
                let ms = c.duration()?;
                if ms == 0 {
                    return Err((words[1].column, "run needs a duration above 0".into()));
                }
                Command::RunFor { ms }
            }
        }
        "step" => Command::Step {
            count: if c.peek().is_some() {
                c.small("a step count")?.max(1)
            } else {
                1
            },
        },
        _ => expect_command(&mut c)?,
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
    parse_words(&ws, end_column, block).map(Some).map_err(err)
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
