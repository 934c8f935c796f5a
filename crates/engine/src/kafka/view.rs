//! What Kafka brokers and clients look like in the world's picture ([`crate::view`]).

use crate::kafka::broker::Broker;
use crate::kafka::consumer::Consumer;
use crate::kafka::producer::Producer;
use crate::kafka::record::Batch;
use serde::Serialize;

/// Records shown per replica log and per consumer partition.
const SHOWN_RECORDS: usize = 12;

/// A record as shown in a replica's log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordView {
    /// Offset.
    pub offset: u64,
    /// Key.
    pub key: Option<String>,
    /// Value.
    pub value: Option<String>,
    /// Its part in a transaction: `COMMIT` / `ABORT` for a marker, `open`, `committed`
    /// or `aborted` for a transactional record; none outside transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn: Option<&'static str>,
}

/// A broker's replica of one partition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplicaView {
    /// `topic-partition`.
    pub tp: String,
    /// True on the leader.
    pub leader: bool,
    /// The leader's id.
    pub leader_id: u32,
    /// Leader epoch.
    pub leader_epoch: u32,
    /// Log end offset.
    pub leo: u64,
    /// Offsets below this are on disk (flushed, or written back by the OS); the rest of
    /// the log is only in the page cache, and a power cut would lose it.
    pub durable: u64,
    /// High watermark.
    pub hw: u64,
    /// ISR as this broker knows it.
    pub isr: Vec<u32>,
    /// Assigned replicas.
    pub replicas: Vec<u32>,
    /// On the leader: each follower's LEO as last fetched.
    pub follower_leos: Vec<(u32, Option<u64>)>,
    /// The last records (at most 12), oldest first.
    pub records: Vec<RecordView>,
    /// The last stable offset, when the partition has transactions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lso: Option<u64>,
    /// Log start offset.
    pub log_start_offset: u64,
    /// The log's segments, oldest first (the last is active).
    pub segments: Vec<SegmentView>,
    /// The cleaner checkpoint (compacted topics).
    pub cleaner_point: Option<u64>,
}

/// Index entries and batches shown per segment.
const SHOWN_ENTRIES: usize = 24;

/// One segment as the storage inspector draws it: its files and what they hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SegmentView {
    /// Base offset (the file names' number).
    pub base: u64,
    /// `.log` size in bytes.
    pub size: u64,
    /// The offset after its last batch.
    pub next_offset: u64,
    /// Batches: (position, base offset, last offset, bytes), at most 24 (the last ones).
    pub batches: Vec<(u32, u64, u64, u64)>,
    /// Batches in all.
    pub batch_count: usize,
    /// `.index` entries: (absolute offset, position), at most 24.
    pub index: Vec<(u64, u32)>,
    /// `.index` entries in all.
    pub index_count: usize,
    /// `.timeindex` entries as the file holds them when closed: (timestamp, offset).
    pub time_index: Vec<(i64, u64)>,
    /// Bytes of the segment in the host's page cache.
    pub cached_bytes: u64,
}

/// A broker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BrokerView {
    /// `broker.id`.
    pub id: u32,
    /// Its replicas.
    pub replicas: Vec<ReplicaView>,
    /// It is the controller (it holds `/controller`).
    pub controller: bool,
    /// Its ZooKeeper session (`CONNECTED`, `DISCONNECTED`, `EXPIRED`, ...), if it has one.
    pub zk_session: Option<String>,
    /// Its metrics as [`crate::kafka::metrics::broker_metrics`] gives them: (name, value),
    /// in [`crate::kafka::metrics::Metric::ALL`]'s order.
    pub metrics: Vec<(String, u64)>,
}

/// A producer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProducerView {
    /// Client number.
    pub id: u32,
    /// Its `acks` setting (`0`, `1` or `all`).
    pub acks: String,
    /// Records waiting to be sent.
    pub queued: u64,
    /// Requests in flight.
    pub in_flight: u64,
    /// Per partition: sent, acked, failed.
    pub partitions: Vec<(String, u64, u64, u64)>,
    /// A transactional producer's id and state: `app · IN_TRANSACTION · pid 2000 e0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub txn: Option<String>,
}

/// A consumer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsumerView {
    /// Client number.
    pub id: u32,
    /// Per partition: position, records received, the last few values.
    pub partitions: Vec<(String, u64, u64, Vec<RecordView>)>,
}

/// A record's part in a transaction (see [`RecordView::txn`]).
fn txn_part(t: &crate::kafka::log::txn::TxnScan, b: &Batch, offset: u64) -> Option<&'static str> {
    if let Some(m) = b.control {
        return Some(m.name());
    }
    let pid = b.producer.filter(|_| b.transactional)?.id;
    let aborted = t.aborted.iter().any(|a| a.covers(pid, offset));
    let open = t.ongoing.get(&pid).is_some_and(|first| *first <= offset);
    Some(if aborted {
        "aborted"
    } else if open {
        "open"
    } else {
        "committed"
    })
}

/// The picture of one broker at `now` (ms): each replica it holds, with the last records of
/// its log and how much of it is on disk.
pub fn broker_view(b: &Broker, now: u64) -> BrokerView {
    let replicas = b
        .disk()
        .logs
        .iter()
        .map(|(tp, log)| {
            let p = b.partitions().get(tp);
            let start = log.leo().saturating_sub(SHOWN_RECORDS as u64);
            let hw = p.map_or(0, |p| p.hw);
            let has_txn = log.batches().any(|b| b.transactional);
            let txns = has_txn.then(|| log.transactions());
            let records = (start..log.leo())
                .filter_map(|o| {
                    let r = log.record_at(o)?;
                    let txn = txns
                        .as_ref()
                        .and_then(|t| log.batch_at(o).map(|b| txn_part(t, b, o)))
                        .flatten();
                    Some(RecordView {
                        offset: o,
                        key: r.key.clone(),
                        value: r.value.clone(),
                        txn,
                    })
                })
                .collect();
            let lso = txns.as_ref().map(|t| t.last_stable_offset(hw));
            ReplicaView {
                tp: tp.to_string(),
                leader: p.is_some_and(|p| p.leader == b.id()),
                leader_id: p.map_or(0, |p| p.leader),
                leader_epoch: p.map_or(0, |p| p.leader_epoch),
                leo: log.leo(),
                durable: log.durable_end(now),
                hw: p.map_or(0, |p| p.hw),
                isr: p.map(|p| p.isr.clone()).unwrap_or_default(),
                replicas: p.map(|p| p.replicas.clone()).unwrap_or_default(),
                follower_leos: p
                    .map(|p| p.followers.iter().map(|(id, f)| (*id, f.leo)).collect())
                    .unwrap_or_default(),
                records,
                lso,
                log_start_offset: log.log_start_offset(),
                segments: log
                    .segments()
                    .iter()
                    .map(|s| {
                        let pages = s.size().div_ceil(crate::kafka::zerocopy::PAGE);
                        let cached = (0..pages)
                            .filter(|pg| {
                                b.disk().page_cache.cached(
                                    tp,
                                    s.base_offset,
                                    pg * crate::kafka::zerocopy::PAGE,
                                )
                            })
                            .count() as u64;
                        let batches = s.batches();
                        SegmentView {
                            base: s.base_offset,
                            size: s.size(),
                            next_offset: s.next_offset(),
                            batches: batches
                                .iter()
                                .skip(batches.len().saturating_sub(SHOWN_ENTRIES))
                                .map(|x| {
                                    (
                                        x.position,
                                        x.batch.base_offset,
                                        x.batch.last_offset(),
                                        x.bytes.len() as u64,
                                    )
                                })
                                .collect(),
                            batch_count: batches.len(),
                            index: s
                                .index()
                                .iter()
                                .take(SHOWN_ENTRIES)
                                .map(|e| (s.base_offset + u64::from(e.relative_offset), e.position))
                                .collect(),
                            index_count: s.index().len(),
                            time_index: s
                                .closed_time_index()
                                .iter()
                                .take(SHOWN_ENTRIES)
                                .map(|e| {
                                    (e.timestamp, s.base_offset + u64::from(e.relative_offset))
                                })
                                .collect(),
                            cached_bytes: (cached * crate::kafka::zerocopy::PAGE).min(s.size()),
                        }
                    })
                    .collect(),
                cleaner_point: log
                    .config()
                    .cleanup_policy
                    .compacts()
                    .then_some(log.cleaner_point()),
            }
        })
        .collect();
    BrokerView {
        id: b.id(),
        replicas,
        controller: b.is_controller(),
        zk_session: b.zk().map(|z| z.client.session_state().name().to_string()),
        metrics: crate::kafka::metrics::broker_metrics(b),
    }
}

/// The picture of the producer: what waits, what is in flight, and per-partition counts.
pub fn producer_view(p: &Producer) -> ProducerView {
    ProducerView {
        id: p.id(),
        acks: p.acks().name().to_string(),
        queued: p.queued(),
        in_flight: p.in_flight() as u64,
        partitions: p
            .stats()
            .iter()
            .map(|(tp, s)| (tp.to_string(), s.sent, s.acked, s.failed))
            .collect(),
        txn: p.txn().map(|t| {
            let ids = p
                .producer_id_and_epoch()
                .map_or(String::new(), |(id, e)| format!(" · pid {id} e{e}"));
            format!("{} · {}{ids}", t.id(), t.state().name())
        }),
    }
}

/// The picture of the consumer: per partition its position, how many records it received
/// and the last few of them.
pub fn consumer_view(c: &Consumer) -> ConsumerView {
    ConsumerView {
        id: c.id(),
        partitions: c
            .positions()
            .iter()
            .map(|(tp, pos)| {
                let got = c.consumed().get(tp).map(Vec::as_slice).unwrap_or_default();
                let last = got
                    .iter()
                    .rev()
                    .take(SHOWN_RECORDS)
                    .rev()
                    .map(|r| RecordView {
                        offset: r.offset,
                        key: r.key.clone(),
                        value: r.value.clone(),
                        txn: None,
                    })
                    .collect();
                (tp.to_string(), *pos, got.len() as u64, last)
            })
            .collect(),
    }
}
