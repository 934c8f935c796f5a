//! `kafka-console-producer` in the command language (`ConsoleProducer`, apache/kafka 3.8,
//! tools): each run is a new producer process (`client.id` console-producer) that reads
//! lines from standard input and sends each as one record.
//!
//! ```text
//! kafka-console-producer --topic orders [--bootstrap-server localhost:9092]
//!     [--property parse.key=true] [--property key.separator=:] [--property null.marker=NULL]
//!     [--producer-property acks=1] [--request-required-acks 1] [--timeout 50] [--sync]
//!     <line> <line> ...
//! ```
//!
//! The words after the options stand for the lines typed on standard input (quote a line
//! with spaces). The tool's own defaults apply where its options are not given:
//! `acks=-1` (`--request-required-acks`), `linger.ms=1000` (`--timeout`), `batch.size=16384`
//! (`--batch-size`); `--sync` sends each record and waits for it (linger.ms 0 here). With
//! `parse.key=true` a line is split at the first `key.separator` (a tab by default); a line
//! without one is an error ("No key separator found on line number 1: ...",
//! `LineMessageReader`), and the records before it are still sent.

use crate::kafka::config::KafkaConfig;
use crate::script::cursor::{Cursor, PResult};
use serde::{Deserialize, Serialize};

/// A record's key and value as a line gives them (`None`: null).
pub type KeyValue = (Option<String>, Option<String>);

/// One `kafka-console-producer` run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleProduce {
    /// `--topic`.
    pub topic: String,
    /// `--property k=v` (reader properties), in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<(String, String)>,
    /// `--producer-property k=v` and the tool's own producer options, in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub producer_properties: Vec<(String, String)>,
    /// The lines read from standard input.
    pub lines: Vec<String>,
}

impl ConsoleProduce {
    fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The producer settings: `base` with the tool's defaults, then the properties given.
    pub fn producer_config(&self, base: &KafkaConfig) -> Result<KafkaConfig, String> {
        let mut cfg = base.clone();
        cfg.set("acks", "all")?;
        cfg.set("linger.ms", "1000")?;
        cfg.set("batch.size", "16384")?;
        for (k, v) in &self.producer_properties {
            let v = if k == "acks" && v == "-1" { "all" } else { v };
            cfg.set(k, v)?;
        }
        Ok(cfg)
    }

    /// The records the lines make (key, value), and the error that stopped the reading.
    pub fn records(&self) -> (Vec<KeyValue>, Option<String>) {
        let parse_key = self.property("parse.key") == Some("true");
        let sep = self.property("key.separator").unwrap_or("\t");
        let null = self.property("null.marker");
        let field = |s: &str| (Some(s) != null).then(|| s.to_string());
        let mut out = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            if !parse_key {
                out.push((None, field(line)));
                continue;
            }
            match line.split_once(sep) {
                Some((k, v)) => out.push((field(k), field(v))),
                None => {
                    return (
                        out,
                        Some(format!(
                            "No key separator found on line number {}: '{line}'",
                            i + 1
                        )),
                    );
                }
            }
        }
        (out, None)
    }

    /// The canonical command line.
    pub fn to_line(&self) -> String {
        let q = crate::kafka::input::quote;
        let mut s = format!("kafka-console-producer --topic {}", self.topic);
        for (k, v) in &self.properties {
            s.push_str(&format!(" --property {}", q(&format!("{k}={v}"))));
        }
        for (k, v) in &self.producer_properties {
            s.push_str(&format!(" --producer-property {}", q(&format!("{k}={v}"))));
        }
        for l in &self.lines {
            s.push(' ');
            s.push_str(&q(l));
        }
        s
    }
}

/// Parses the words after `kafka-console-producer`.
pub fn parse(c: &mut Cursor<'_>) -> PResult<ConsoleProduce> {
    let mut p = ConsoleProduce {
        topic: String::new(),
        properties: Vec::new(),
        producer_properties: Vec::new(),
        lines: Vec::new(),
    };
    let kv = |c: &mut Cursor<'_>, what: &str| -> PResult<(String, String)> {
        let w = c.next(what)?;
        match w.text.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => c.fail(w, what),
        }
    };
    while let Some(w) = c.peek() {
        if !w.text.starts_with("--") || w.quoted {
            p.lines.push(c.text("a line")?);
            continue;
        }
        match c.keyword(&[
            "--topic",
            "--bootstrap-server",
            "--property",
            "--producer-property",
            "--request-required-acks",
            "--timeout",
            "--batch-size",
            "--sync",
        ])? {
            "--topic" => p.topic = c.text("a topic name")?,
            "--bootstrap-server" => {
                c.text("a host:port")?;
            }
            "--property" => p.properties.push(kv(c, "a property like parse.key=true")?),
            "--producer-property" => p
                .producer_properties
                .push(kv(c, "a producer property like acks=1")?),
            "--request-required-acks" => {
                let v = c.text("-1, 0, 1 or all")?;
                p.producer_properties.push(("acks".into(), v));
            }
            "--timeout" => {
                let v = c.number("a linger time in ms")?;
                p.producer_properties
                    .push(("linger.ms".into(), v.to_string()));
            }
            "--batch-size" => {
                let v = c.number("a batch size in bytes")?;
                p.producer_properties
                    .push(("batch.size".into(), v.to_string()));
            }
            _ => p.producer_properties.push(("linger.ms".into(), "0".into())),
        }
    }
    if p.topic.is_empty() {
        return Err((c.end_column(), "expected `--topic <name>`".into()));
    }
    if p.lines.is_empty() {
        return Err((
            c.end_column(),
            "expected the lines to send after the options, e.g. `hello \"two words\"`".into(),
        ));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &str) -> ConsoleProduce {
        let words = crate::script::lexer::words(line).expect("lexes");
        let mut c = Cursor::new(&words[1..], line.len() as u32 + 1);
        parse(&mut c).unwrap_or_else(|e| panic!("{line}: {e:?}"))
    }

    #[test]
    fn lines_become_records_as_line_message_reader_reads_them() {
        let p = parsed(
            "kafka-console-producer --topic t --property parse.key=true --property key.separator=: alice:a1 bob:b:1 carol",
        );
        let (recs, err) = p.records();
        assert_eq!(
            recs,
            vec![
                (Some("alice".into()), Some("a1".into())),
                (Some("bob".into()), Some("b:1".into()))
            ]
        );
        assert_eq!(
            err.as_deref(),
            Some("No key separator found on line number 3: 'carol'")
        );
        let p = parsed("kafka-console-producer --topic t --property null.marker=NULL hello NULL");
        assert_eq!(
            p.records().0,
            vec![(None, Some("hello".into())), (None, None)]
        );
        assert_eq!(
            p.to_line(),
            "kafka-console-producer --topic t --property null.marker=NULL hello NULL"
        );
    }

    #[test]
    fn the_tool_defaults_then_the_options() {
        let p = parsed("kafka-console-producer --topic t --request-required-acks 1 x");
        let cfg = p.producer_config(&KafkaConfig::default()).unwrap();
        assert_eq!(cfg.producer.acks, crate::kafka::config::Acks::Leader);
        assert_eq!(cfg.producer.linger_ms, 1000);
        let p = parsed("kafka-console-producer --topic t --sync x");
        let cfg = p.producer_config(&KafkaConfig::default()).unwrap();
        assert_eq!(cfg.producer.acks, crate::kafka::config::Acks::All);
        assert_eq!(cfg.producer.linger_ms, 0);
    }
}
