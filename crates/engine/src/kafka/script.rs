//! The Kafka words of the command language. Registered in
//! [`crate::script::parse::SYSTEMS`].
//!
//! ```text
//! kafka cluster 3                kafka config acks 1           kafka add-broker
//! topic create orders partitions 1 rf 3 [assignment 1:2:3]
//! produce orders [partition 0] [key k1] value v1 [count 5] [acks all|1|0] [producer 2]
//! consume orders-0 from 0
//! kafka config transactional.id app     txn init|begin|commit|abort [producer 1]
//! kafka-topics --create|--alter|--describe|--list ...   (see `topics_cmd`)
//! kafka-reassign-partitions --execute|--verify --reassignment-json <json>  (see `reassign_cmd`)
//! kafka-console-producer --topic orders [--property parse.key=true] <line>...  (see `console_producer`)
//! fetch orders-0 offset 42       (the leader's lookup: segment, index entry, scan)
//! topic create orders partitions 2 [rf 1] [segment.bytes 1024] [retention.ms 60000]
//!              [cleanup.policy compact] (any topic config of `log::config::TOPIC_KEYS`)
//! conditions: hw orders-0 5 [on broker2], leo orders-0 5 [on broker2], isr orders-0 1,2,3,
//!             acked orders-0 5, failed orders-0 1, consumed orders-0 5,
//!             segments orders-0 4 [on broker2],
//!             record orders-0 offset 42 [key k42] [value v42 | value null] [on broker2],
//!             controller [broker2], partition-leader orders-0 broker2|none,
//!             metric UnderReplicatedPartitions 1 [on broker2] (see `metrics`)
//! ```

use crate::kafka::conditions::KafkaCondition;
use crate::kafka::config::Acks;
use crate::kafka::input::KafkaInput;
use crate::kafka::producer::ProduceSpec;
use crate::script::command::{Command, Condition};
use crate::script::cursor::{Cursor, PResult};
use crate::script::parse::Grammar;
use crate::sim::input::Input;

use crate::kafka::group::{input as group_input, query as group_query};
use crate::kafka::txn::query as txn_query;
use crate::script::parse::concat_words;

/// The verbs this module reads itself.
const OWN_VERBS: [&str; 10] = [
    "kafka",
    "topic",
    "produce",
    "consume",
    "fetch",
    "kafka-topics",
    "kafka-leader-election",
    "kafka-reassign-partitions",
    "kafka-console-producer",
    "txn",
];

/// The condition words this module reads itself.
const OWN_CONDITIONS: [&str; 11] = [
    "hw",
    "leo",
    "isr",
    "acked",
    "failed",
    "consumed",
    "segments",
    "record",
    "controller",
    "partition-leader",
    "metric",
];

/// The query words this module reads itself.
const OWN_QUERIES: [&str; 16] = [
    "hw",
    "leo",
    "isr",
    "partition-leader",
    "controller",
    "acked",
    "consumed",
    "segments",
    "log-start",
    "batch",
    "copies",
    "metric",
    "partition-for",
    "batches",
    "log-bytes",
    "record",
];

const VERBS: [&str; OWN_VERBS.len() + group_input::VERBS.len()] =
    concat_words(&[&OWN_VERBS, &group_input::VERBS]);

const CONDITIONS: [&str; OWN_CONDITIONS.len() + txn_query::WORDS.len() + group_query::WORDS.len()] =
    concat_words(&[&OWN_CONDITIONS, &txn_query::WORDS, &group_query::WORDS]);

const QUERIES: [&str; OWN_QUERIES.len() + txn_query::WORDS.len() + group_query::WORDS.len()] =
    concat_words(&[&OWN_QUERIES, &txn_query::WORDS, &group_query::WORDS]);

/// The Kafka grammar: this module's words and those of the transaction and group
/// modules, each listed once where it is read.
pub const GRAMMAR: Grammar = Grammar {
    verbs: &VERBS,
    command,
    conditions: &CONDITIONS,
    condition,
    queries: &QUERIES,
    query: crate::kafka::queries::query,
};

fn command(verb: &'static str, c: &mut Cursor<'_>) -> PResult<Command> {
    if group_input::VERBS.contains(&verb) {
        let g = crate::kafka::group::input::parse(verb, c)?;
        return Ok(Command::Input {
            input: Input::Kafka(KafkaInput::Group(g)),
        });
    }
    let input = match verb {
        "kafka" => match c.keyword(&["cluster", "config", "add-broker"])? {
            "cluster" => KafkaInput::Cluster {
                brokers: c.small("a broker count")?,
            },
            "add-broker" => KafkaInput::AddBroker,
            _ => KafkaInput::Config {
                key: c.text("a setting like acks")?,
                value: c.text("a value")?,
            },
        },
        "topic" => parse_topic(c)?,
        "produce" => parse_produce(c)?,
        "kafka-topics" => crate::kafka::topics_cmd::parse(c)?,
        "kafka-reassign-partitions" => crate::kafka::reassign_cmd::parse(c)?,
        "kafka-console-producer" => {
            KafkaInput::ConsoleProduce(crate::kafka::console_producer::parse(c)?)
        }
        "txn" => {
            let w = c.next("init, begin, commit or abort")?;
            let Some(op) = crate::kafka::txn::TxnOp::parse(&w.text) else {
                return c.fail(w, "init, begin, commit or abort");
            };
            let producer = if c.accept("producer") {
                let n = c.small("a producer number")?;
                if n == 0 {
                    return Err((c.column(), "producer numbers start at 1".into()));
                }
                n
            } else {
                1
            };
            KafkaInput::Transaction { op, producer }
        }
        "kafka-leader-election" => {
            c.keyword(&["--election-type"])?;
            c.keyword(&["preferred"])?;
            c.keyword(&["--all-topic-partitions"])?;
            KafkaInput::ElectPreferred
        }
        "fetch" => {
            let tp = c.tp()?;
            c.keyword(&["offset"])?;
            KafkaInput::Fetch {
                tp,
                offset: c.number("an offset")?,
            }
        }
        _ => {
            let tp = c.tp()?;
            c.keyword(&["from"])?;
            let offset = c.number("an offset")?;
            let consumer = if c.accept("consumer") {
                c.small("a consumer number")?.max(1)
            } else {
                1
            };
            KafkaInput::Consume {
                tp,
                offset,
                consumer,
            }
        }
    };
    Ok(Command::Input {
        input: Input::Kafka(input),
    })
}

fn parse_produce(c: &mut Cursor<'_>) -> PResult<KafkaInput> {
    let topic = c.text("a topic name")?;
    let mut spec = ProduceSpec {
        topic,
        partition: None,
        key: None,
        value: None,
        count: 1,
        acks: None,
        producer: None,
    };
    while c.peek().is_some() {
        match c.keyword(&["partition", "key", "value", "count", "acks", "producer"])? {
            "partition" => spec.partition = Some(c.small("a partition number")?),
            "key" => spec.key = Some(c.text("a key")?),
            "value" => spec.value = Some(c.text("a value")?),
            "count" => spec.count = c.small("a record count")?,
            "producer" => {
                let n = c.small("a producer number")?;
                if n == 0 {
                    return Err((c.column(), "producer numbers start at 1".into()));
                }
                spec.producer = Some(n);
            }
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
            c.end_column(),
            "expected `value <text>` (and optionally `key <text>`)".into(),
        ));
    }
    Ok(KafkaInput::Produce(spec))
}

fn parse_topic(c: &mut Cursor<'_>) -> PResult<KafkaInput> {
    c.keyword(&["create"])?;
    let topic = c.text("a topic name")?;
    let (mut partitions, mut rf, mut assignment) = (None, None, None);
    let mut configs = Vec::new();
    while c.peek().is_some() {
        if let Some(w) = c.peek()
            && crate::kafka::log::config::TOPIC_KEYS.contains(&w.text.as_str())
        {
            let key = c.text("a topic config")?;
            configs.push((key, c.text("a value")?));
            continue;
        }
        // A topic config word was taken above; the rest are these.
        match c.keyword(&["partitions", "rf", "assignment"])? {
            "partitions" => partitions = Some(c.small("a partition count")?),
            "rf" => rf = Some(c.small("a replication factor")?),
            _ => {
                let w = c.next("an assignment like 1:2:3,2:3:1")?;
                let Some(parts) = crate::kafka::topics_cmd::parse_assignment(&w.text) else {
                    return c.fail(
                        w,
                        "an assignment like 1:2:3,2:3:1 (broker ids per partition)",
                    );
                };
                assignment = Some(parts);
            }
        }
    }
    if let (Some(a), Some(p)) = (&assignment, partitions)
        && a.len() as u32 != p
    {
        return Err((
            c.end_column(),
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
            c.end_column(),
            format!(
                "the assignment has {} replicas per partition but `rf` says {r}",
                a[0].len()
            ),
        ));
    }
    Ok(KafkaInput::TopicCreate {
        topic,
        partitions,
        rf,
        assignment,
        configs,
        tool: false,
    })
}

fn condition(word: &'static str, c: &mut Cursor<'_>) -> PResult<Condition> {
    if crate::kafka::group::query::WORDS.contains(&word) {
        let q = crate::kafka::group::query::GroupQuery::parse(word, c)?;
        let want = c.text("the value expected")?;
        return Ok(Condition::Kafka(KafkaCondition::Group(q, want)));
    }
    if crate::kafka::txn::query::WORDS.contains(&word) {
        let q = crate::kafka::txn::query::TxnQuery::parse(word, c)?;
        let want = c.text("the value expected")?;
        return Ok(Condition::Kafka(KafkaCondition::Txn(q, want)));
    }
    let cond = match word {
        "hw" | "leo" => {
            let tp = c.tp()?;
            let value = c.number("an offset")?;
            let on = if c.accept("on") {
                Some(c.broker()?)
            } else {
                None
            };
            if word == "hw" {
                KafkaCondition::Hw { tp, value, on }
            } else {
                KafkaCondition::Leo { tp, value, on }
            }
        }
        "isr" => {
            let tp = c.tp()?;
            let w = c.next("broker ids like 1,2,3")?;
            let ids: Option<Vec<u32>> = w.text.split(',').map(|x| x.trim().parse().ok()).collect();
            KafkaCondition::Isr {
                tp,
                isr: ids
                    .ok_or(())
                    .or_else(|_| c.fail(w, "broker ids like 1,2,3"))?,
            }
        }
        "acked" => KafkaCondition::Acked {
            tp: c.tp()?,
            count: c.number("a record count")?,
        },
        "failed" => KafkaCondition::Failed {
            tp: c.tp()?,
            count: c.number("a record count")?,
        },
        "segments" => {
            let tp = c.tp()?;
            let count = c.number("a segment count")?;
            KafkaCondition::Segments {
                tp,
                count,
                on: on_broker(c)?,
            }
        }
        "record" => {
            let tp = c.tp()?;
            c.keyword(&["offset"])?;
            let offset = c.number("an offset")?;
            let (mut key, mut value) = (None, None);
            while let Some(w) = c.peek() {
                if w.text == "on" {
                    break;
                }
                match c.keyword(&["key", "value", "on"])? {
                    "key" => key = Some(c.text("a key")?),
                    _ => {
                        let v = c.text("a value (or null for a tombstone)")?;
                        value = Some((v != "null").then_some(v));
                    }
                }
            }
            KafkaCondition::Record {
                tp,
                offset,
                key,
                value,
                on: on_broker(c)?,
            }
        }
        "partition-leader" => {
            let tp = c.tp()?;
            let leader = if c.accept("none") {
                None
            } else {
                Some(c.broker()?)
            };
            KafkaCondition::PartitionLeader { tp, leader }
        }
        "metric" => {
            let metric = metric_name(c)?;
            let value = c.number("a value")?;
            KafkaCondition::Metric {
                metric,
                value,
                on: on_broker(c)?,
            }
        }
        "controller" => KafkaCondition::Controller {
            broker: if c.peek().is_some() {
                Some(c.broker()?)
            } else {
                None
            },
        },
        _ => KafkaCondition::Consumed {
            tp: c.tp()?,
            count: c.number("a record count")?,
        },
    };
    Ok(Condition::Kafka(cond))
}

/// A metric's name, as [`crate::kafka::metrics::Metric::name`] gives it.
pub(crate) fn metric_name(c: &mut Cursor<'_>) -> PResult<crate::kafka::metrics::Metric> {
    use crate::kafka::metrics::Metric;
    let w = c.next("a metric name")?;
    match Metric::parse(&w.text) {
        Some(m) => Ok(m),
        None => c.fail(w, &format!("a metric: one of {}", Metric::names())),
    }
}

fn on_broker(c: &mut Cursor<'_>) -> PResult<Option<u32>> {
    Ok(if c.accept("on") {
        Some(c.broker()?)
    } else {
        None
    })
}
