//! `kafka-console-consumer` in the command language (`ConsoleConsumer`,
//! `ConsoleConsumerOptions`, apache/kafka 3.8 tools): each run is a new consumer process
//! that subscribes to the topic in a group and prints every record it receives.
//!
//! ```text
//! kafka-console-consumer --topic orders [--bootstrap-server localhost:9092]
//!     [--from-beginning] [--group g] [--max-messages 10] [--property print.key=true]
//! ```
//!
//! What the tool sets (`buildConsumerProps`, `setAutoOffsetResetValue`):
//! - without `--group`, the group is `console-consumer-<random 0..100000>` and
//!   `enable.auto.commit` is false (the group is not meant to be used again);
//! - `auto.offset.reset` is `earliest` with `--from-beginning`, else `latest`. It only
//!   applies where the group has no committed offset: `--from-beginning` with a group
//!   that already committed goes on from its committed offsets, not from the beginning.
//!
//! Each record is printed as its value (`null` for none), with `print.key=true` as the key,
//! a tab and the value (`DefaultMessageFormatter`). With `--max-messages N` the tool stops
//! after N records: it prints "Processed a total of N messages" (on standard error),
//! closes the consumer (committing first with auto-commit, then LeaveGroup) and exits.
//! Without it the process keeps consuming until it is stopped.

use crate::script::cursor::{Cursor, PResult};
use serde::{Deserialize, Serialize};

/// One `kafka-console-consumer` run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleConsume {
    /// `--topic`.
    pub topic: String,
    /// `--from-beginning`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_beginning: bool,
    /// `--group`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `--max-messages`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_messages: Option<u64>,
    /// `--property print.key=true`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub print_key: bool,
}

/// The console consumer's state inside its consumer process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleOut {
    /// `--max-messages`.
    pub max_messages: Option<u64>,
    /// `print.key`.
    pub print_key: bool,
    /// Records printed so far.
    pub count: u64,
}

impl ConsoleOut {
    /// The line `DefaultMessageFormatter` prints for a record.
    pub fn line(&self, key: Option<&str>, value: Option<&str>) -> String {
        let value = value.unwrap_or("null");
        if self.print_key {
            format!("{}\t{value}", key.unwrap_or("null"))
        } else {
            value.to_string()
        }
    }
}

/// Reads the options after `kafka-console-consumer`.
pub fn parse(c: &mut Cursor<'_>) -> PResult<ConsoleConsume> {
    let mut topic = None;
    let mut out = ConsoleConsume {
        topic: String::new(),
        from_beginning: false,
        group: None,
        max_messages: None,
        print_key: false,
    };
    while let Some(w) = c.peek() {
        let option = w.text.clone();
        c.next("an option")?;
        match option.as_str() {
            "--topic" => topic = Some(c.text("a topic")?),
            "--bootstrap-server" => {
                c.text("a broker address")?;
            }
            "--from-beginning" => out.from_beginning = true,
            "--group" => out.group = Some(c.text("a group id")?),
            "--max-messages" => out.max_messages = Some(c.number("a message count")?),
            "--property" => {
                let p = c.next("a property like print.key=true")?;
                match p.text.split_once('=') {
                    Some(("print.key", v)) => out.print_key = v.eq_ignore_ascii_case("true"),
                    Some((_, _)) => {}
                    None => return c.fail(p, "a property like print.key=true"),
                }
            }
            _ => {
                return c.fail(
                    w,
                    "an option: --topic, --bootstrap-server, --from-beginning, --group, --max-messages or --property",
                );
            }
        }
    }
    match topic {
        Some(t) => {
            out.topic = t;
            Ok(out)
        }
        None => Err((
            c.end_column(),
            "kafka-console-consumer needs --topic (Exactly one of whitelist/topic is required.)"
                .into(),
        )),
    }
}

impl ConsoleConsume {
    /// The command line, as typed.
    pub fn to_line(&self) -> String {
        let mut s = format!("kafka-console-consumer --topic {}", self.topic);
        if self.from_beginning {
            s.push_str(" --from-beginning");
        }
        if let Some(g) = &self.group {
            s.push_str(&format!(" --group {g}"));
        }
        if let Some(n) = self.max_messages {
            s.push_str(&format!(" --max-messages {n}"));
        }
        if self.print_key {
            s.push_str(" --property print.key=true");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_prints_as_the_default_formatter_does() {
        let mut o = ConsoleOut {
            max_messages: None,
            print_key: false,
            count: 0,
        };
        assert_eq!(o.line(Some("k"), Some("v")), "v");
        assert_eq!(o.line(None, None), "null");
        o.print_key = true;
        assert_eq!(o.line(Some("k"), Some("v")), "k\tv");
        assert_eq!(o.line(None, Some("v")), "null\tv");
    }
}
