//! Kafka conditions of the command language (`expect hw orders-0 5`, `run until acked
//! orders-0 5`, ...), checked against the world. A failed check says what it found instead.

use crate::kafka::topic::TopicPartition;
use crate::sim::world::World;

/// Something about the cluster or its clients that can be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KafkaCondition {
    /// `hw <tp> N [on brokerB]`: the high watermark (on the leader unless `on`).
    Hw {
        /// The partition.
        tp: TopicPartition,
        /// Expected offset.
        value: u64,
        /// A specific replica.
        on: Option<u32>,
    },
    /// `leo <tp> N [on brokerB]`: the log end offset (on the leader unless `on`).
    Leo {
        /// The partition.
        tp: TopicPartition,
        /// Expected offset.
        value: u64,
        /// A specific replica.
        on: Option<u32>,
    },
    /// `isr <tp> 1,2,3`: the leader's ISR (order ignored).
    Isr {
        /// The partition.
        tp: TopicPartition,
        /// Broker ids.
        isr: Vec<u32>,
    },
    /// `acked <tp> N`: records of the partition the producer saw acknowledged.
    Acked {
        /// The partition.
        tp: TopicPartition,
        /// Count.
        count: u64,
    },
    /// `consumed <tp> N`: records of the partition the consumer received.
    Consumed {
        /// The partition.
        tp: TopicPartition,
        /// Count.
        count: u64,
    },
}

fn leader_broker(w: &World, tp: &TopicPartition, on: Option<u32>) -> Result<u32, String> {
    if w.topics().partition(tp).is_none() {
        return Err(format!("there is no partition {tp}"));
    }
    match on {
        Some(b) => Ok(b),
        None => w
            .partition_leader(tp)
            .ok_or_else(|| format!("{tp} has no leader")),
    }
}

fn equal<T: PartialEq + std::fmt::Display>(what: String, want: T, got: T) -> Result<(), String> {
    if want == got {
        Ok(())
    } else {
        Err(format!("expected {what} to be {want}, but it is {got}"))
    }
}

impl KafkaCondition {
    /// Checks the condition against `w`.
    pub fn check(&self, w: &World) -> Result<(), String> {
        match self {
            KafkaCondition::Hw { tp, value, on } | KafkaCondition::Leo { tp, value, on } => {
                let b = leader_broker(w, tp, *on)?;
                let broker = w
                    .broker(b)
                    .ok_or_else(|| format!("there is no broker{b}"))?;
                let is_hw = matches!(self, KafkaCondition::Hw { .. });
                let got = if is_hw { broker.hw(tp) } else { broker.leo(tp) };
                let what = format!(
                    "the {} of {tp} on broker{b}",
                    if is_hw {
                        "high watermark"
                    } else {
                        "log end offset"
                    }
                );
                match got {
                    Some(got) => equal(what, *value, got),
                    None => Err(format!("broker{b} holds no replica of {tp}")),
                }
            }
            KafkaCondition::Isr { tp, isr } => {
                let b = leader_broker(w, tp, None)?;
                let got = w
                    .broker(b)
                    .and_then(|br| br.partitions().get(tp))
                    .map(|p| p.isr.clone())
                    .unwrap_or_default();
                let (mut a, mut g) = (isr.clone(), got.clone());
                a.sort_unstable();
                g.sort_unstable();
                let show = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
                if a == g {
                    Ok(())
                } else {
                    Err(format!(
                        "expected the ISR of {tp} to be {}, but it is {}",
                        show(isr),
                        show(&got)
                    ))
                }
            }
            KafkaCondition::Acked { tp, count } => {
                let got = w
                    .producer(1)
                    .and_then(|p| p.stats().get(tp))
                    .map_or(0, |s| s.acked);
                equal(
                    format!("the records of {tp} acked to producer1"),
                    *count,
                    got,
                )
            }
            KafkaCondition::Consumed { tp, count } => {
                let got = w
                    .consumer(1)
                    .and_then(|c| c.consumed().get(tp))
                    .map_or(0, |v| v.len() as u64);
                equal(
                    format!("the records of {tp} consumed by consumer1"),
                    *count,
                    got,
                )
            }
        }
    }
}
