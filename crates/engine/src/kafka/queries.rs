//! Kafka queries for quizzes: `hw <tp> [on brokerN]`, `leo <tp> [on brokerN]`,
//! `isr <tp>`, `acked <tp>`, `consumed <tp>`.

use crate::kafka::conditions::leader_broker;
use crate::kafka::topic::TopicPartition;
use crate::script::cursor::{Cursor, PResult};
use crate::script::query::Query;
use crate::sim::world::World;

/// A Kafka query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KafkaQuery {
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
    /// The leader's ISR, ascending, `1,2,3`.
    Isr {
        /// The partition.
        tp: TopicPartition,
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
}

/// Reads a Kafka query after its first word.
pub(crate) fn query(word: &'static str, c: &mut Cursor<'_>) -> PResult<Query> {
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
        "acked" => KafkaQuery::Acked { tp },
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
                let b = leader_broker(w, tp, None, false)?;
                let mut isr = w
                    .broker(b)
                    .and_then(|br| br.partitions().get(tp))
                    .map(|p| p.isr.clone())
                    .unwrap_or_default();
                isr.sort_unstable();
                Ok(isr.iter().map(u32::to_string).collect::<Vec<_>>().join(","))
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
        }
    }
}
