//! Kafka queries for quizzes: `hw <tp> [on brokerN]`, `leo <tp> [on brokerN]`,
//! `isr <tp>` (as ZooKeeper holds it), `partition-leader <tp>` (`broker2`, or `none`), `controller`
//! (`broker1`, or `none`), `acked <tp>`, `consumed <tp>`, `segments <tp> [on brokerN]`,
//! `log-start <tp>`, `batches <tp> [on brokerN]`, `log-bytes <tp> [on brokerN]`, `batch <tp> offset N` (the batch a fetch at N returns, `base..last`),
//! `copies <read+write|mmap+write|sendfile> <dma|cpu|switches|syscalls>` (the zero-copy
//! model's count for one fetch that misses the page cache), `metric <Name> [on brokerN]`, `partition-for <topic> key <k>`
//! (see [`crate::kafka::metrics`]).

use crate::kafka::conditions::leader_broker;
use crate::kafka::log::PartitionLog;
use crate::kafka::topic::TopicPartition;
use crate::kafka::zerocopy::{TransferPath, count};
use crate::script::cursor::{Cursor, PResult};
use crate::script::query::Query;
use crate::sim::world::World;

fn leader_log<'w>(
    w: &'w World,
    tp: &TopicPartition,
    on: Option<u32>,
) -> Result<&'w PartitionLog, String> {
    let b = leader_broker(w, tp, on, true)?;
    w.broker(b)
        .and_then(|br| br.disk().logs.get(tp))
        .ok_or_else(|| format!("broker{b} holds no replica of {tp}"))
}

/// A Kafka query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KafkaQuery {
    /// The value of the record at an offset of the leader's log (`null` for a tombstone).
    RecordValue {
        /// The partition.
        tp: TopicPartition,
        /// The offset.
        offset: u64,
    },
    /// A transaction value (see [`crate::kafka::txn::query`]).
    Txn(crate::kafka::txn::query::TxnQuery),
    /// A consumer group value ([`crate::kafka::group::query`]).
    Group(crate::kafka::group::query::GroupQuery),
    /// The high watermark (leader's unless `on`).
    Hw {
        /// The partition.
        tp: TopicPartition,
        /// A replica.
        on: Option<u32>,
    },
    /// The log end offset (leader's unless `on`).
    Leo {
        /// The partition.
        tp: TopicPartition,
        /// A replica.
        on: Option<u32>,
    },
    /// The ISR in the partition's state znode, ascending, `1,2,3`.
    Isr {
        /// The partition.
        tp: TopicPartition,
    },
    /// The leader in the partition's state znode: `broker2`, or `none`.
    Leader {
        /// The partition.
        tp: TopicPartition,
    },
    /// The running broker that is the controller: `broker1`, or `none`.
    Controller,
    /// `partition-for <topic> key <k>`: the partition the default partitioner picks for a
    /// keyed record (`toPositive(murmur2(key)) % numPartitions`, `BuiltInPartitioner.
    /// partitionForKey`) over the topic's partition count as the cluster holds it now:
    /// `orders-2`.
    PartitionFor {
        /// The topic.
        topic: String,
        /// The key.
        key: String,
    },
    /// A broker metric on one broker, or summed over the running brokers.
    Metric {
        /// The metric.
        metric: crate::kafka::metrics::Metric,
        /// One broker.
        on: Option<u32>,
    },
    /// Records acknowledged to the producers.
    Acked {
        /// The partition.
        tp: TopicPartition,
    },
    /// Records the consumer received.
    Consumed {
        /// The partition.
        tp: TopicPartition,
    },
    /// Segments of the replica's log (leader's unless `on`).
    Segments {
        /// The partition.
        tp: TopicPartition,
        /// A replica.
        on: Option<u32>,
    },
    /// Record batches in the replica's log (leader's unless `on`).
    Batches {
        /// The partition.
        tp: TopicPartition,
        /// A replica.
        on: Option<u32>,
    },
    /// Bytes of the replica's `.log` files (leader's unless `on`).
    LogBytes {
        /// The partition.
        tp: TopicPartition,
        /// A replica.
        on: Option<u32>,
    },
    /// The leader's log start offset.
    LogStart {
        /// The partition.
        tp: TopicPartition,
    },
    /// The batch a fetch at `offset` starts with, `base..last`.
    Batch {
        /// The partition.
        tp: TopicPartition,
        /// The offset.
        offset: u64,
    },
    /// One count of a transfer path.
    Copies {
        /// The path.
        path: TransferPath,
        /// `dma`, `cpu`, `switches` or `syscalls`.
        what: &'static str,
    },
}

/// Reads a Kafka query after its first word.
pub(crate) fn query(word: &'static str, c: &mut Cursor<'_>) -> PResult<Query> {
    if word == "copies" {
        let w = c.next("read+write, mmap+write or sendfile")?;
        let Some(path) = TransferPath::ALL.into_iter().find(|p| p.name() == w.text) else {
            return c.fail(w, "read+write, mmap+write or sendfile");
        };
        let what = c.keyword(&["dma", "cpu", "switches", "syscalls"])?;
        return Ok(Query::Kafka(KafkaQuery::Copies { path, what }));
    }
    if word == "controller" {
        return Ok(Query::Kafka(KafkaQuery::Controller));
    }
    if crate::kafka::txn::query::WORDS.contains(&word) {
        let q = crate::kafka::txn::query::TxnQuery::parse(word, c)?;
        return Ok(Query::Kafka(KafkaQuery::Txn(q)));
    }
    if crate::kafka::group::query::WORDS.contains(&word) {
        let q = crate::kafka::group::query::GroupQuery::parse(word, c)?;
        return Ok(Query::Kafka(KafkaQuery::Group(q)));
    }
    if word == "partition-for" {
        let topic = c.text("a topic name")?;
        c.keyword(&["key"])?;
        let key = c.text("a key")?;
        return Ok(Query::Kafka(KafkaQuery::PartitionFor { topic, key }));
    }
    if word == "metric" {
        let metric = crate::kafka::script::metric_name(c)?;
        let on = if c.accept("on") {
            Some(c.broker()?)
        } else {
            None
        };
        return Ok(Query::Kafka(KafkaQuery::Metric { metric, on }));
    }
    let tp = c.tp()?;
    let on = |c: &mut Cursor<'_>| -> PResult<Option<u32>> {
        Ok(if c.accept("on") {
            Some(c.broker()?)
        } else {
            None
        })
    };
    let q = match word {
        "hw" => KafkaQuery::Hw { tp, on: on(c)? },
        "leo" => KafkaQuery::Leo { tp, on: on(c)? },
        "isr" => KafkaQuery::Isr { tp },
        "partition-leader" => KafkaQuery::Leader { tp },
        "acked" => KafkaQuery::Acked { tp },
        "segments" => KafkaQuery::Segments { tp, on: on(c)? },
        "log-start" => KafkaQuery::LogStart { tp },
        "batches" => KafkaQuery::Batches { tp, on: on(c)? },
        "log-bytes" => KafkaQuery::LogBytes { tp, on: on(c)? },
        "record" => {
            c.keyword(&["offset"])?;
            KafkaQuery::RecordValue {
                tp,
                offset: c.number("an offset")?,
            }
        }
        "batch" => {
            c.keyword(&["offset"])?;
            KafkaQuery::Batch {
                tp,
                offset: c.number("an offset")?,
            }
        }
        _ => KafkaQuery::Consumed { tp },
    };
    Ok(Query::Kafka(q))
}

impl KafkaQuery {
    /// The value now.
    pub fn eval(&self, w: &World) -> Result<String, String> {
        match self {
            KafkaQuery::Hw { tp, on } | KafkaQuery::Leo { tp, on } => {
                let b = leader_broker(w, tp, *on, true)?;
                let broker = w
                    .broker(b)
                    .ok_or_else(|| format!("there is no broker{b}"))?;
                let v = if matches!(self, KafkaQuery::Hw { .. }) {
                    broker.hw(tp)
                } else {
                    broker.leo(tp)
                };
                v.map(|v| v.to_string())
                    .ok_or_else(|| format!("broker{b} holds no replica of {tp}"))
            }
            KafkaQuery::Isr { tp } => {
                let mut isr = crate::kafka::zk_data::current_state(w, tp)
                    .ok_or_else(|| format!("ZooKeeper holds no state for {tp}"))?
                    .isr;
                isr.sort_unstable();
                Ok(isr.iter().map(u32::to_string).collect::<Vec<_>>().join(","))
            }
            KafkaQuery::Leader { tp } => {
                let s = crate::kafka::zk_data::current_state(w, tp)
                    .ok_or_else(|| format!("ZooKeeper holds no state for {tp}"))?;
                Ok(s.leader
                    .map_or("none".to_string(), |b| format!("broker{b}")))
            }
            KafkaQuery::Txn(q) => q.eval(w),
            KafkaQuery::Group(q) => q.eval(w),
            KafkaQuery::RecordValue { tp, offset } => {
                let b = leader_broker(w, tp, None, false)?;
                let log = w
                    .broker(b)
                    .and_then(|b| b.disk().logs.get(tp))
                    .ok_or_else(|| format!("broker{b} holds no log of {tp}"))?;
                let r = log
                    .record_at(*offset)
                    .ok_or_else(|| format!("{tp} has no record at offset {offset}"))?;
                Ok(r.value.clone().unwrap_or_else(|| "null".to_string()))
            }
            KafkaQuery::Controller => Ok(crate::kafka::controller::running(w)
                .map_or("none".to_string(), |b| format!("broker{}", b.id()))),
            KafkaQuery::PartitionFor { topic, key } => {
                let n = w
                    .topics()
                    .partition_count(topic)
                    .ok_or_else(|| format!("topic {topic} does not exist"))?;
                let p = crate::kafka::murmur2::partition_for_key(key.as_bytes(), n);
                Ok(format!("{topic}-{p}"))
            }
            KafkaQuery::Metric { metric, on } => {
                Ok(crate::kafka::metrics::metric(w, *metric, *on).to_string())
            }
            KafkaQuery::Acked { tp } => Ok(w
                .producers()
                .filter_map(|p| p.stats().get(tp))
                .map(|s| s.acked)
                .sum::<u64>()
                .to_string()),
            KafkaQuery::Consumed { tp } => Ok(w
                .consumer(1)
                .and_then(|c| c.consumed().get(tp))
                .map_or(0, |v| v.len())
                .to_string()),
            KafkaQuery::Segments { tp, on } => {
                Ok(leader_log(w, tp, *on)?.segments().len().to_string())
            }
            KafkaQuery::Batches { tp, on } => {
                let log = leader_log(w, tp, *on)?;
                Ok(log
                    .segments()
                    .iter()
                    .map(|s| s.batches().len())
                    .sum::<usize>()
                    .to_string())
            }
            KafkaQuery::LogBytes { tp, on } => {
                let log = leader_log(w, tp, *on)?;
                Ok(log
                    .segments()
                    .iter()
                    .map(|s| s.size())
                    .sum::<u64>()
                    .to_string())
            }
            KafkaQuery::LogStart { tp } => {
                Ok(leader_log(w, tp, None)?.log_start_offset().to_string())
            }
            KafkaQuery::Batch { tp, offset } => {
                let log = leader_log(w, tp, None)?;
                match log.lookup(*offset).and_then(|l| l.found) {
                    Some((_, base, last)) => Ok(format!("{base}..{last}")),
                    None => Err(format!("offset {offset} is outside {tp}'s log")),
                }
            }
            KafkaQuery::Copies { path, what } => {
                let c = count(&path.steps(true));
                Ok(match *what {
                    "dma" => c.dma_copies,
                    "cpu" => c.cpu_copies,
                    "switches" => c.context_switches,
                    _ => c.syscalls,
                }
                .to_string())
            }
        }
    }
}
