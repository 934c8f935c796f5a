//! The kernel words of the command language: processes, the network and faults, which
//! every system shares. Registered first in [`crate::script::parse::SYSTEMS`].
//!
//! ```text
//! start all | start zk1,zk2      crash zk5        stop broker1      halt zk5     restart zk5
//! pause zk5 [for 5s]             resume zk5       reset zk1 zk2     heal
//! partition zk1,zk2 | zk3,zk4,zk5                 partition zk1 -> zk2,zk3
//! delay zk1->zk2 300ms           net latency 5ms..20ms               net loss 2%
//! conditions: up broker2, down broker2, paused zk5, crashed zk5, stopped broker1, halted zk5
//! ```

use crate::ids::NodeId;
use crate::script::command::{Command, Condition};
use crate::script::cursor::{Cursor, PResult, node_list, parse_duration};
use crate::script::parse::Grammar;
use crate::sim::input::{Input, Targets};
use crate::sim::node::Status;

/// The kernel grammar.
pub const GRAMMAR: Grammar = Grammar {
    verbs: &[
        "start",
        "crash",
        "stop",
        "halt",
        "pause",
        "resume",
        "restart",
        "reset",
        "partition",
        "heal",
        "delay",
        "drop",
        "net",
    ],
    command,
    conditions: &["up", "down", "paused", "crashed", "stopped", "halted"],
    condition,
    queries: &["status"],
    query: crate::script::query::kernel_query,
};

fn command(verb: &'static str, c: &mut Cursor<'_>) -> PResult<Command> {
    let input = match verb {
        "start" => {
            if c.accept("all") {
                Input::Start(Targets::All)
            } else {
                Input::Start(Targets::Nodes(c.node_list("`all` or nodes like zk1,zk2")?))
            }
        }
        "crash" => Input::Crash(c.node()?),
        "stop" => Input::Stop(c.node()?),
        "halt" => Input::Halt(c.node()?),
        "pause" => {
            let node = c.node()?;
            let for_ms = if c.accept("for") {
                Some(c.duration()?)
            } else {
                None
            };
            Input::Pause { node, for_ms }
        }
        "resume" => Input::Resume(c.node()?),
        "restart" => Input::Restart(c.node()?),
        "reset" => {
            let a = c.node()?;
            let b = c.node()?;
            Input::Reset { a, b }
        }
        "partition" => parse_partition(c)?,
        "heal" => Input::Heal,
        "delay" => {
            let (from, to) = link(c)?;
            Input::Delay {
                from,
                to,
                ms: c.duration()?,
            }
        }
        "drop" => {
            // `drop a->b next N` lost single messages; on TCP that cannot happen.
            let col = c.column();
            return Err((
                col,
                "`drop` is gone: every channel is TCP, which never loses a message. Use \
                 `reset a b` to close a connection, or `net loss N%` to slow links down"
                    .into(),
            ));
        }
        _ => match c.keyword(&["latency", "loss"])? {
            "latency" => {
                let w = c.next("a range like 5ms..20ms")?;
                let (a, b) = w
                    .text
                    .split_once("..")
                    .ok_or(())
                    .or_else(|_| c.fail(w, "a range like 5ms..20ms"))?;
                match (parse_duration(a), parse_duration(b)) {
                    (Some(min_ms), Some(max_ms)) => Input::NetLatency { min_ms, max_ms },
                    _ => return c.fail(w, "a range like 5ms..20ms"),
                }
            }
            _ => {
                let w = c.next("a percentage like 2%")?;
                let n = w.text.strip_suffix('%').and_then(|n| n.parse().ok());
                Input::NetLoss {
                    percent: n.ok_or(()).or_else(|_| c.fail(w, "a percentage like 2%"))?,
                }
            }
        },
    };
    Ok(Command::Input { input })
}

fn condition(word: &'static str, c: &mut Cursor<'_>) -> PResult<Condition> {
    let node = c.node()?;
    Ok(match word {
        "up" => Condition::Up { node },
        "down" => Condition::Down { node },
        "paused" => Condition::Status {
            node,
            status: Status::Paused,
        },
        "crashed" => Condition::Status {
            node,
            status: Status::Crashed,
        },
        "stopped" => Condition::Status {
            node,
            status: Status::Stopped,
        },
        _ => Condition::Status {
            node,
            status: Status::Halted,
        },
    })
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
    let rest = c.take_rest();
    if rest.is_empty() {
        return Err((
            c.end_column(),
            "expected groups of nodes like zk1,zk2 | zk3,zk4,zk5".into(),
        ));
    }
    let mut text = String::new();
    let start = rest[0].column;
    for w in rest {
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
