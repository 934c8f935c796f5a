//! The `kafka-topics` command of the command language, with the options of
//! `kafka-topics.sh` (`TopicCommand.TopicCommandOptions`, apache/kafka 3.8, tools):
//!
//! ```text
//! kafka-topics --create --topic orders [--partitions 3] [--replication-factor 2]
//!              [--replica-assignment 1:2,2:3,3:1] [--config segment.bytes=1024]...
//! kafka-topics --alter --topic orders --partitions 6
//! kafka-topics --describe [--topic orders] [--under-replicated-partitions | --unavailable-partitions]
//! kafka-topics --list
//! ```
//!
//! `--bootstrap-server <host:port>` is accepted anywhere and ignored (the tool asks the
//! first running broker). Without `--partitions` or `--replication-factor`, `--create`
//! takes the broker defaults `num.partitions` and `default.replication.factor` (both 1).
//! `--replica-assignment` lists each partition's broker ids, partitions separated by
//! commas (`TopicCommand.parseReplicaAssignment`).

use crate::kafka::input::KafkaInput;
use crate::kafka::tools::Only;
use crate::script::cursor::{Cursor, PResult};

/// The line `kafka-topics.sh` prints before an error's message (`TopicCommand.printException`).
pub const ERROR_PREFIX: &str = "Error while executing topic command : ";

/// Parses the words after `kafka-topics`.
pub fn parse(c: &mut Cursor<'_>) -> PResult<KafkaInput> {
    let action = loop {
        match c.keyword(&[
            "--create",
            "--alter",
            "--describe",
            "--list",
            "--bootstrap-server",
        ])? {
            "--bootstrap-server" => {
                c.text("a host:port")?;
            }
            a => break a,
        }
    };
    let mut topic = None;
    let (mut partitions, mut rf, mut assignment) = (None, None, None);
    let mut configs: Vec<(String, String)> = Vec::new();
    let mut only = None;
    while c.peek().is_some() {
        let allowed: &[&'static str] = match action {
            "--create" => &[
                "--topic",
                "--partitions",
                "--replication-factor",
                "--replica-assignment",
                "--config",
                "--bootstrap-server",
            ],
            "--alter" => &["--topic", "--partitions", "--bootstrap-server"],
            "--describe" => &[
                "--topic",
                "--under-replicated-partitions",
                "--unavailable-partitions",
                "--bootstrap-server",
            ],
            _ => &["--bootstrap-server"],
        };
        match c.keyword(allowed)? {
            "--topic" => topic = Some(c.text("a topic name")?),
            "--partitions" => partitions = Some(c.small("a partition count")?),
            "--replication-factor" => rf = Some(c.small("a replication factor")?),
            "--replica-assignment" => {
                let w = c.next("an assignment like 1:2,2:3,3:1")?;
                match parse_assignment(&w.text) {
                    Some(a) => assignment = Some(a),
                    None => {
                        return c.fail(
                            w,
                            "an assignment like 1:2,2:3,3:1 (broker ids per partition)",
                        );
                    }
                }
            }
            "--config" => {
                let w = c.next("a topic config like segment.bytes=1024")?;
                match w.text.split_once('=') {
                    Some((k, v)) if !k.is_empty() => configs.push((k.into(), v.into())),
                    _ => return c.fail(w, "a topic config like segment.bytes=1024"),
                }
            }
            "--under-replicated-partitions" => only = Some(Only::UnderReplicated),
            "--unavailable-partitions" => only = Some(Only::Unavailable),
            _ => {
                c.text("a host:port")?;
            }
        }
    }
    let need_topic = |topic: Option<String>, c: &Cursor<'_>| {
        topic.ok_or_else(|| (c.end_column(), format!("`{action}` needs `--topic <name>`")))
    };
    Ok(match action {
        "--create" => {
            let topic = need_topic(topic, c)?;
            if assignment.is_some() && (partitions.is_some() || rf.is_some()) {
                return Err((
                    c.end_column(),
                    "`--replica-assignment` cannot be used with `--partitions` or `--replication-factor`".into(),
                ));
            }
            KafkaInput::TopicCreate {
                topic,
                partitions,
                rf,
                assignment,
                configs,
                tool: true,
            }
        }
        "--alter" => {
            let topic = need_topic(topic, c)?;
            let Some(partitions) = partitions else {
                return Err((
                    c.end_column(),
                    "`--alter` needs `--partitions <count>` (the engine alters partition counts only)"
                        .into(),
                ));
            };
            KafkaInput::AddPartitions { topic, partitions }
        }
        "--describe" => KafkaInput::DescribeTopics { topic, only },
        _ => KafkaInput::ListTopics,
    })
}

/// `1:2:3,2:3:1` as broker ids per partition; `None` when a part is not a list of ids.
pub fn parse_assignment(text: &str) -> Option<Vec<Vec<u32>>> {
    text.split(',')
        .map(|p| {
            let ids: Option<Vec<u32>> = p.split(':').map(|x| x.trim().parse().ok()).collect();
            ids.filter(|ids| !ids.is_empty())
        })
        .collect()
}

/// An assignment in `--replica-assignment` form.
pub fn assignment_text(a: &[Vec<u32>]) -> String {
    a.iter()
        .map(|r| r.iter().map(u32::to_string).collect::<Vec<_>>().join(":"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use crate::script::parse::parse_line;

    fn canon(line: &str) -> String {
        match parse_line(line, 1)
            .unwrap_or_else(|e| panic!("{line}: {e}"))
            .expect("a command")
        {
            crate::script::command::Command::Input { input } => input.to_string(),
            other => panic!("{line}: not an input: {other:?}"),
        }
    }

    #[test]
    fn the_tool_forms_print_back_as_given() {
        for line in [
            "kafka-topics --create --topic orders --partitions 3 --replication-factor 2",
            "kafka-topics --create --topic orders --replica-assignment 1:2,2:3 --config segment.bytes=1024",
            "kafka-topics --alter --topic orders --partitions 6",
            "kafka-topics --describe --topic orders --under-replicated-partitions",
            "kafka-topics --list",
        ] {
            assert_eq!(canon(line), line);
        }
        assert_eq!(
            canon("kafka-topics --bootstrap-server localhost:9092 --list"),
            "kafka-topics --list"
        );
    }

    #[test]
    fn bad_tool_lines_say_what_is_wrong() {
        for (line, want) in [
            (
                "kafka-topics --alter --topic t",
                "`--alter` needs `--partitions <count>`",
            ),
            (
                "kafka-topics --create --partitions 2",
                "`--create` needs `--topic <name>`",
            ),
            (
                "kafka-topics --create --topic t --replica-assignment 1:x",
                "an assignment like",
            ),
            (
                "kafka-topics --create --topic t --config segment.bytes",
                "a topic config like",
            ),
            ("kafka-topics --list --topic t", "expected"),
            (
                "kafka-topics --create --topic t --partitions 2 --replica-assignment 1,2",
                "cannot be used with",
            ),
        ] {
            let e = parse_line(line, 1).expect_err(line).to_string();
            assert!(e.contains(want), "{line}: {e}");
        }
    }

    #[test]
    fn created_topic_is_printed_once_every_partition_has_a_leader() {
        use crate::kafka::messages::KafkaChange;
        use crate::sim::effects::Change;
        use crate::sim::trace::EventKind;
        let mut t = crate::sim::timeline::Timeline::new(1);
        crate::script::run::run_lines(
            &mut t,
            "kafka cluster 3\nstart all\nkafka-topics --create --topic t --partitions 3 --replication-factor 2",
        );
        let mut last_leader = None;
        let mut created = None;
        for e in t.trace() {
            match &e.kind {
                EventKind::Change {
                    change: Change::Kafka(KafkaChange::Decided { .. }),
                    ..
                } => last_leader = Some(e.time),
                EventKind::Change {
                    change: Change::Kafka(KafkaChange::ToolOutput { lines }),
                    ..
                } if lines == &vec!["Created topic t.".to_string()] => created = Some(e.time),
                _ => {}
            }
        }
        let (Some(leader), Some(created)) = (last_leader, created) else {
            panic!("no leader decision or no `Created topic t.`");
        };
        assert!(
            created > leader,
            "printed at {created} ms, before the last leader at {leader} ms"
        );
    }
}
