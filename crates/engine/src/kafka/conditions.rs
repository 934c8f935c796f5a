//! Kafka conditions of the command language (`expect hw orders-0 5`, `run until acked
//! orders-0 5`, ...), checked against the world. A failed check says what it found instead.

use crate::ids::NodeId;
use crate::kafka::topic::TopicPartition;
use crate::script::command::equal;
use crate::sim::node::Status;
use crate::sim::world::World;

/// Something about the cluster or its clients that can be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KafkaCondition {
    /// A transaction value equals the one expected (see [`crate::kafka::txn::query`]).
    Txn(crate::kafka::txn::query::TxnQuery, String),
    /// A consumer group value equals the one expected (see [`crate::kafka::group::query`]).
    Group(crate::kafka::group::query::GroupQuery, String),
    /// `partition-leader <tp> brokerN` (or `none`): the leader in the partition's state
    /// znode.
    PartitionLeader {
        /// The partition.
        tp: TopicPartition,
        /// The leader expected (`None`: no leader).
        leader: Option<u32>,
    },
    /// `metric <Name> N [on brokerN]`: a broker metric ([`crate::kafka::metrics`]) on one
    /// broker, or summed over the running brokers.
    Metric {
        /// The metric.
        metric: crate::kafka::metrics::Metric,
        /// Expected value.
        value: u64,
        /// One broker.
        on: Option<u32>,
    },
    /// `controller [brokerN]`: a running broker is the controller (that one, if named).
    Controller {
        /// The broker expected.
        broker: Option<u32>,
    },
    /// (What `topic create` waits for.) Every running broker's metadata cache has every
    /// partition of the topic: the controller wrote their states and told everyone.
    TopicReady {
        /// The topic.
        topic: String,
        /// Its partition count.
        partitions: u32,
    },
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
    /// `isr <tp> 1,2,3`: the ISR in the partition's state znode (order ignored).
    Isr {
        /// The partition.
        tp: TopicPartition,
        /// Broker ids.
        isr: Vec<u32>,
    },
    /// `acked <tp> N`: records of the partition the producers saw acknowledged (all of
    /// them: `produce ... acks 1` uses a producer of its own).
    Acked {
        /// The partition.
        tp: TopicPartition,
        /// Count.
        count: u64,
    },
    /// `failed <tp> N`: records of the partition whose send failed for good (a
    /// non-retriable error, or `delivery.timeout.ms` passed).
    Failed {
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
    /// `segments <tp> N [on brokerB]`: segments of the replica's log (on the leader unless
    /// `on`).
    Segments {
        /// The partition.
        tp: TopicPartition,
        /// Expected count.
        count: u64,
        /// A specific replica.
        on: Option<u32>,
    },
    /// `record <tp> offset O [key K] [value V | value null] [on brokerB]`: the record at
    /// offset O of the replica's log exists and has this key and value.
    Record {
        /// The partition.
        tp: TopicPartition,
        /// Its offset.
        offset: u64,
        /// Expected key.
        key: Option<String>,
        /// Expected value (`Some(None)`: a tombstone).
        value: Option<Option<String>>,
        /// A specific replica.
        on: Option<u32>,
    },
}

/// The running broker to ask about `tp`: `on` if given, else the partition's leader. A
/// broker whose process does not run has no answer, and the error says so plainly,
/// naming every replica's state when none runs.
pub(crate) fn leader_broker(
    w: &World,
    tp: &TopicPartition,
    on: Option<u32>,
    hint_on: bool,
) -> Result<u32, String> {
    let Some(info) = w.topics().partition(tp) else {
        return Err(format!("there is no partition {tp}"));
    };
    let b = match on {
        Some(b) => b,
        None => w
            .partition_leader(tp)
            .ok_or_else(|| format!("{tp} has no leader"))?,
    };
    let status = |b: u32| w.status(NodeId::Broker(b)).unwrap_or(Status::NotStarted);
    if status(b) == Status::Running {
        return Ok(b);
    }
    if !info.replicas.iter().any(|r| status(*r) == Status::Running) {
        let states: Vec<String> = info
            .replicas
            .iter()
            .map(|r| format!("broker{r} {}", status(*r).name()))
            .collect();
        return Err(format!(
            "no replica of {tp} is running ({}), so none can answer",
            states.join(", ")
        ));
    }
    Err(match on {
        Some(_) => format!(
            "broker{b} is {}: it cannot answer for {tp}",
            status(b).name()
        ),
        None if hint_on => format!(
            "the leader of {tp}, broker{b}, is {}: ask a running replica with `on brokerN`",
            status(b).name()
        ),
        None => format!(
            "the leader of {tp}, broker{b}, is {}, so it cannot answer",
            status(b).name()
        ),
    })
}

impl KafkaCondition {
    /// Checks the condition against `w`.
    pub fn check(&self, w: &World) -> Result<(), String> {
        match self {
            KafkaCondition::Txn(q, want) => q.check(w, want),
            KafkaCondition::Group(q, want) => q.check(w, want),
            KafkaCondition::Metric { metric, value, on } => {
                let got = crate::kafka::metrics::metric(w, *metric, *on);
                let place = on.map_or("over the running brokers".to_string(), |b| {
                    format!("on broker{b}")
                });
                equal(format!("{} {place}", metric.name()), *value, got)
            }
            KafkaCondition::PartitionLeader { tp, leader } => {
                let s = crate::kafka::zk_data::current_state(w, tp)
                    .ok_or_else(|| format!("ZooKeeper holds no state for {tp}"))?;
                let show = |l: Option<u32>| l.map_or("none".to_string(), |b| format!("broker{b}"));
                if s.leader == *leader {
                    Ok(())
                } else {
                    Err(format!(
                        "expected the leader of {tp} to be {}, but it is {}",
                        show(*leader),
                        show(s.leader)
                    ))
                }
            }
            KafkaCondition::Controller { broker } => {
                let running: Vec<u32> = w
                    .brokers()
                    .filter(|(up, b)| *up && b.is_controller())
                    .map(|(_, b)| b.id())
                    .collect();
                match (broker, running.first()) {
                    (None, Some(_)) => Ok(()),
                    (Some(want), Some(got)) if want == got => Ok(()),
                    (_, got) => Err(format!(
                        "expected {} to be the controller, but {}",
                        broker.map_or("a running broker".to_string(), |b| format!("broker{b}")),
                        got.map_or("no running broker is".to_string(), |b| format!(
                            "broker{b} is"
                        )),
                    )),
                }
            }
            KafkaCondition::TopicReady { topic, partitions } => {
                let running = |b: &u32| w.is_up(NodeId::Broker(*b));
                for (up, b) in w.brokers().filter(|(up, _)| *up) {
                    let _ = up;
                    let cache = b.metadata_cache();
                    let Some(parts) = cache
                        .topics
                        .get(topic)
                        .filter(|p| p.len() as u32 >= *partitions)
                    else {
                        return Err(format!("broker{} does not know all of {topic} yet", b.id()));
                    };
                    for (p, info) in parts.iter().enumerate() {
                        let tp = TopicPartition::new(topic, p as u32);
                        if info.leader.is_none() && info.replicas.iter().any(running) {
                            return Err(format!("broker{} knows no leader of {tp} yet", b.id()));
                        }
                        if info.replicas.contains(&b.id())
                            && info.leader.is_some()
                            && b.role(&tp).is_none()
                        {
                            return Err(format!("broker{} has no role in {tp} yet", b.id()));
                        }
                    }
                }
                Ok(())
            }
            KafkaCondition::Hw { tp, value, on } | KafkaCondition::Leo { tp, value, on } => {
                let b = leader_broker(w, tp, *on, true)?;
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
                // The ISR of record is the partition's state znode, written by the leader
                // on each change and by the controller (the leader's own copy agrees
                // once its write is through).
                if w.topics().partition(tp).is_none() {
                    return Err(format!("there is no partition {tp}"));
                }
                let got = crate::kafka::zk_data::current_state(w, tp)
                    .map(|s| s.isr)
                    .ok_or_else(|| {
                        format!("ZooKeeper holds no state for {tp} (is a ZooKeeper server up?)")
                    })?;
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
                let got: u64 = w
                    .producers()
                    .filter_map(|p| p.stats().get(tp))
                    .map(|s| s.acked)
                    .sum();
                equal(
                    format!("the records of {tp} acked to the producers"),
                    *count,
                    got,
                )
            }
            KafkaCondition::Failed { tp, count } => {
                let got: u64 = w
                    .producers()
                    .filter_map(|p| p.stats().get(tp))
                    .map(|s| s.failed)
                    .sum();
                equal(
                    format!("the records of {tp} that failed for good"),
                    *count,
                    got,
                )
            }
            KafkaCondition::Segments { tp, count, on } => {
                let b = leader_broker(w, tp, *on, true)?;
                let log = w
                    .broker(b)
                    .and_then(|br| br.disk().logs.get(tp))
                    .ok_or_else(|| format!("broker{b} holds no replica of {tp}"))?;
                equal(
                    format!("the segments of {tp} on broker{b}"),
                    *count,
                    log.segments().len() as u64,
                )
            }
            KafkaCondition::Record {
                tp,
                offset,
                key,
                value,
                on,
            } => {
                let b = leader_broker(w, tp, *on, true)?;
                let log = w
                    .broker(b)
                    .and_then(|br| br.disk().logs.get(tp))
                    .ok_or_else(|| format!("broker{b} holds no replica of {tp}"))?;
                let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "null".into());
                let Some(r) = log.record_at(*offset) else {
                    return Err(format!(
                        "{tp} on broker{b} has no record at offset {offset} (log start {}, LEO {})",
                        log.log_start_offset(),
                        log.leo()
                    ));
                };
                if let Some(k) = key
                    && r.key.as_ref() != Some(k)
                {
                    return Err(format!(
                        "the record at {tp} offset {offset} has key {}, not {k}",
                        show(&r.key)
                    ));
                }
                if let Some(v) = value
                    && &r.value != v
                {
                    return Err(format!(
                        "the record at {tp} offset {offset} has value {}, not {}",
                        show(&r.value),
                        show(v)
                    ));
                }
                Ok(())
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
