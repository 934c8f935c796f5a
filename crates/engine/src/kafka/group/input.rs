//! The consumer group commands:
//!
//! ```text
//! subscribe orders[,payments] [consumer 2]       consumerN subscribes in group.id
//! commit [async] [consumer 2]                    commitSync() (commitAsync()) of its positions
//! kafka-consumer-groups [--bootstrap-server x] --describe --group g
//! processing 1500ms [consumer 2]                 its poll loop spends 1500 ms per record
//! commit-mode after-processing [consumer 2]      where its loop calls commitSync():
//!                                                before-processing, after-processing, off
//! seek orders-0 42|beginning|end [consumer 2]    seek, seekToBeginning, seekToEnd
//! kafka-console-consumer --topic t [--from-beginning] [--group g] [--max-messages N]
//!     [--property print.key=true]               a new consumer process that prints
//!                                                what it reads ([`super::console_consumer`])
//! consume-transform-produce out [transactional-id app-1] [consumer 2]
//!                                                its loop writes each record to topic out
//!                                                and commits offsets in the transaction
//! ```
//!
//! `subscribe`, `processing`, `commit-mode` and `consume-transform-produce` create the
//! consumer if it does not exist yet, with the current `kafka config` (`subscribe` needs
//! a `group.id`). The poll loop is [`crate::kafka::consumer::app`], the transactional one
//! [`crate::kafka::consumer::eos`]; its producer takes the current `kafka config` producer
//! settings, with `transactional.id` `consumerN-txn` unless given.

use crate::ids::NodeId;
use crate::kafka::consumer::app::CommitMode;
use crate::script::cursor::{Cursor, PResult};
use crate::sim::node::Node;
use crate::sim::trace::TraceEvent;
use crate::sim::world::{InputError, World};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A consumer group command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "group_op", rename_all = "snake_case")]
pub enum GroupInput {
    /// `subscribe t1,t2 [consumer N]`.
    Subscribe {
        /// The topics.
        topics: Vec<String>,
        /// The consumer's number.
        consumer: u32,
    },
    /// `commit [async] [consumer N]`.
    Commit {
        /// `commitAsync` rather than `commitSync`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        asynchronous: bool,
        /// The consumer's number.
        consumer: u32,
    },
    /// `kafka-consumer-groups --describe --group g`.
    Describe {
        /// The group.
        group: String,
    },
    /// `processing 1500ms [consumer N]`.
    Processing {
        /// Per record (ms).
        ms: u64,
        /// The consumer's number.
        consumer: u32,
    },
    /// `commit-mode before-processing|after-processing|off [consumer N]`.
    CommitMode {
        /// Where the loop commits.
        mode: CommitMode,
        /// The consumer's number.
        consumer: u32,
    },
    /// `kafka-console-consumer --topic t ...`.
    ConsoleConsume(super::console_consumer::ConsoleConsume),
    /// `seek tp 42|beginning|end [consumer N]`.
    Seek {
        /// The partition.
        tp: crate::kafka::topic::TopicPartition,
        /// Where to.
        to: crate::kafka::consumer::seek::SeekTo,
        /// The consumer's number.
        consumer: u32,
    },
    /// `consume-transform-produce out [transactional-id id] [consumer N]`.
    Transform {
        /// The output topic.
        output: String,
        /// The producer's `transactional.id` (`consumerN-txn` when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transactional_id: Option<String>,
        /// The consumer's number.
        consumer: u32,
    },
}

/// The verbs this module reads.
pub const VERBS: [&str; 8] = [
    "subscribe",
    "commit",
    "kafka-consumer-groups",
    "processing",
    "commit-mode",
    "consume-transform-produce",
    "seek",
    "kafka-console-consumer",
];

fn consumer_number(c: &mut Cursor<'_>) -> PResult<u32> {
    if !c.accept("consumer") {
        return Ok(1);
    }
    let n = c.small("a consumer number")?;
    if n == 0 {
        return Err((c.column(), "consumer numbers start at 1".into()));
    }
    Ok(n)
}

/// Reads one after its verb.
pub fn parse(verb: &str, c: &mut Cursor<'_>) -> PResult<GroupInput> {
    Ok(match verb {
        "subscribe" => {
            let w = c.next("topics like orders,payments")?;
            let topics: Vec<String> = w
                .text
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect();
            if topics.is_empty() {
                return c.fail(w, "topics like orders,payments");
            }
            GroupInput::Subscribe {
                topics,
                consumer: consumer_number(c)?,
            }
        }
        "commit" => GroupInput::Commit {
            asynchronous: c.accept("async"),
            consumer: consumer_number(c)?,
        },
        "processing" => GroupInput::Processing {
            ms: c.duration()?,
            consumer: consumer_number(c)?,
        },
        "commit-mode" => {
            let what = "before-processing, after-processing, after-processing-async or off";
            let w = c.next(what)?;
            let Some(mode) = CommitMode::parse(&w.text) else {
                return c.fail(w, what);
            };
            GroupInput::CommitMode {
                mode,
                consumer: consumer_number(c)?,
            }
        }
        "kafka-console-consumer" => GroupInput::ConsoleConsume(super::console_consumer::parse(c)?),
        "seek" => {
            let tp = c.tp()?;
            let what = "an offset, beginning or end";
            let w = c.next(what)?;
            let Some(to) = crate::kafka::consumer::seek::SeekTo::parse(&w.text) else {
                return c.fail(w, what);
            };
            GroupInput::Seek {
                tp,
                to,
                consumer: consumer_number(c)?,
            }
        }
        "consume-transform-produce" => {
            let output = c.text("an output topic")?;
            let transactional_id = if c.accept("transactional-id") {
                Some(c.text("a transactional id")?)
            } else {
                None
            };
            GroupInput::Transform {
                output,
                transactional_id,
                consumer: consumer_number(c)?,
            }
        }
        _ => {
            if c.accept("--bootstrap-server") {
                c.text("a broker address")?;
            }
            c.keyword(&["--describe"])?;
            c.keyword(&["--group"])?;
            GroupInput::Describe {
                group: c.text("a group id")?,
            }
        }
    })
}

impl fmt::Display for GroupInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupInput::Subscribe { topics, consumer } => {
                write!(f, "subscribe {} consumer {consumer}", topics.join(","))
            }
            GroupInput::Commit {
                asynchronous,
                consumer,
            } => {
                let a = if *asynchronous { " async" } else { "" };
                write!(f, "commit{a} consumer {consumer}")
            }
            GroupInput::Describe { group } => {
                write!(f, "kafka-consumer-groups --describe --group {group}")
            }
            GroupInput::Processing { ms, consumer } => {
                write!(f, "processing {ms}ms consumer {consumer}")
            }
            GroupInput::CommitMode { mode, consumer } => {
                write!(f, "commit-mode {} consumer {consumer}", mode.name())
            }
            GroupInput::Seek { tp, to, consumer } => {
                write!(f, "seek {tp} {to} consumer {consumer}")
            }
            GroupInput::ConsoleConsume(c) => f.write_str(&c.to_line()),
            GroupInput::Transform {
                output,
                transactional_id,
                consumer,
            } => {
                write!(f, "consume-transform-produce {output}")?;
                if let Some(id) = transactional_id {
                    write!(f, " transactional-id {id}")?;
                }
                write!(f, " consumer {consumer}")
            }
        }
    }
}

fn consumer_node(w: &World, n: u32) -> Option<&crate::kafka::consumer::Consumer> {
    match w.slot(NodeId::Consumer(n)).map(|s| &s.node) {
        Some(Node::Consumer(c)) => Some(c),
        _ => None,
    }
}

/// Checks it against the world.
pub(crate) fn check(w: &World, broker_count: u32, input: &GroupInput) -> Result<(), InputError> {
    let err = |m: String| Err(InputError(m));
    if broker_count == 0 {
        return err("there is no Kafka cluster (start with `kafka cluster 3`)".into());
    }
    match input {
        GroupInput::Subscribe { consumer, .. } => {
            let existing = consumer_node(w, *consumer);
            if existing.is_some_and(|c| c.group().is_some()) {
                return err(format!("consumer{consumer} has already subscribed"));
            }
            if existing.is_some_and(|c| !c.positions().is_empty()) {
                return err(format!(
                    "consumer{consumer} has partitions assigned with `consume`: subscription and manual assignment are mutually exclusive (IllegalStateException)"
                ));
            }
            let cfg = existing.map_or(&w.kafka_config().consumer, |c| &c.cfg);
            if cfg.group.group_id.is_none() {
                return err(format!(
                    "consumer{consumer} has no group.id: set `kafka config group.id <id>` before the consumer is first used"
                ));
            }
        }
        GroupInput::Commit { consumer, .. } => {
            if consumer_node(w, *consumer).is_none_or(|c| c.group().is_none()) {
                return err(format!("consumer{consumer} has not subscribed to a group"));
            }
        }
        GroupInput::Describe { .. } => crate::kafka::input::no_broker_to_ask(w, broker_count)?,
        GroupInput::Transform { consumer, .. } => {
            let existing = consumer_node(w, *consumer);
            if existing.is_some_and(|c| c.group().is_some() || !c.positions().is_empty()) {
                return err(format!(
                    "consumer{consumer} is already consuming: `consume-transform-produce` sets up the application before it subscribes (enable.auto.commit=false)"
                ));
            }
            if existing.is_some_and(|c| c.app().eos.is_some()) {
                return err(format!(
                    "consumer{consumer} already runs consume-transform-produce"
                ));
            }
        }
        GroupInput::Seek { tp, to, consumer } => {
            let Some(c) = consumer_node(w, *consumer) else {
                return err(format!("there is no consumer{consumer}"));
            };
            if !c.is_assigned(tp) {
                return err(format!(
                    "IllegalStateException: No current assignment for partition {tp} (consumer{consumer})"
                ));
            }
            if !matches!(to, crate::kafka::consumer::seek::SeekTo::Offset(_)) && c.group().is_none()
            {
                return err(format!(
                    "consumer{consumer} was assigned {tp} with `consume`: give it an offset (`consume {tp} from 0` also seeks)"
                ));
            }
        }
        GroupInput::Processing { .. }
        | GroupInput::CommitMode { .. }
        | GroupInput::ConsoleConsume(_) => {}
    }
    Ok(())
}

/// Applies it (checked).
pub(crate) fn apply(w: &mut World, sink: &mut Vec<TraceEvent>, input: &GroupInput) {
    match input {
        GroupInput::Subscribe { topics, consumer } => {
            let id = crate::kafka::input::client(w, NodeId::Consumer(*consumer));
            w.run_node(sink, id, |n, ctx| {
                if let Node::Consumer(c) = n
                    && let Some(group) = c.cfg.group.group_id.clone()
                {
                    c.subscribe(ctx, &group, topics.clone());
                }
            });
        }
        GroupInput::Commit {
            asynchronous,
            consumer,
        } => {
            w.run_node(sink, NodeId::Consumer(*consumer), |n, ctx| {
                if let Node::Consumer(c) = n {
                    if *asynchronous {
                        c.commit_async(ctx);
                    } else {
                        c.commit(ctx);
                    }
                }
            });
        }
        GroupInput::Describe { group } => {
            let lines = super::describe::describe(w, group);
            if let Some(node) = crate::kafka::input::first_running_broker(w) {
                crate::kafka::input::tool_output(w, sink, node, lines);
            }
        }
        GroupInput::Processing { ms, consumer } => {
            let id = crate::kafka::input::client(w, NodeId::Consumer(*consumer));
            w.run_node(sink, id, |n, _| {
                if let Node::Consumer(c) = n {
                    c.set_processing_ms(*ms);
                }
            });
        }
        GroupInput::CommitMode { mode, consumer } => {
            let id = crate::kafka::input::client(w, NodeId::Consumer(*consumer));
            w.run_node(sink, id, |n, _| {
                if let Node::Consumer(c) = n {
                    c.set_commit_mode(*mode);
                }
            });
        }
        GroupInput::ConsoleConsume(run) => console_consume(w, sink, run),
        GroupInput::Seek { tp, to, consumer } => {
            w.run_node(sink, NodeId::Consumer(*consumer), |n, ctx| {
                if let Node::Consumer(c) = n {
                    c.seek(ctx, tp.clone(), *to);
                }
            });
        }
        GroupInput::Transform {
            output,
            transactional_id,
            consumer,
        } => {
            let mut cfg = w.kafka_config().producer.clone();
            cfg.transactional_id = Some(
                transactional_id
                    .clone()
                    .unwrap_or_else(|| format!("consumer{consumer}-txn")),
            );
            let id = crate::kafka::input::client(w, NodeId::Consumer(*consumer));
            w.run_node(sink, id, |n, ctx| {
                if let Node::Consumer(c) = n {
                    c.set_transform(ctx, output, cfg);
                }
            });
        }
    }
}

/// Starts a `kafka-console-consumer` process: the next consumer number, with the tool's
/// settings over the current `kafka config`.
fn console_consume(
    w: &mut World,
    sink: &mut Vec<TraceEvent>,
    run: &super::console_consumer::ConsoleConsume,
) {
    use super::config::OffsetReset;
    let n = w
        .slots()
        .filter(|(id, _)| matches!(id, NodeId::Consumer(_)))
        .map(|(id, _)| id.number())
        .max()
        .unwrap_or(0)
        + 1;
    let mut cfg = w.kafka_config().consumer.clone();
    cfg.group.offset_reset = if run.from_beginning {
        OffsetReset::Earliest
    } else {
        OffsetReset::Latest
    };
    cfg.group.instance_id = None;
    let generated = run.group.is_none();
    if generated {
        cfg.group.auto_commit = false;
    }
    let id = NodeId::Consumer(n);
    let bootstrap = w.broker_ids();
    let node = Node::Consumer(Box::new(crate::kafka::consumer::Consumer::new(
        n, cfg, bootstrap,
    )));
    w.add_running_node(id, node);
    w.run_node(sink, id, |n, ctx| {
        if let Node::Consumer(c) = n {
            let group = run
                .group
                .clone()
                .unwrap_or_else(|| format!("console-consumer-{}", ctx.rng().below(100_000)));
            c.cfg.group.group_id = Some(group.clone());
            c.console = Some(super::console_consumer::ConsoleOut {
                max_messages: run.max_messages,
                print_key: run.print_key,
                count: 0,
            });
            c.subscribe(ctx, &group, vec![run.topic.clone()]);
        }
    });
}
