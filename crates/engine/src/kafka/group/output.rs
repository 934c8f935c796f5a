//! The exactly-once checker: what a consume-transform-produce group wrote, as a
//! downstream consumer would read it ([`crate::kafka::consumer::eos`]).
//!
//! Exactly once in Kafka is about effects, not processing: a record may well be
//! processed twice (a crash or an abort after its transformed copy was sent), but a
//! `read_committed` reader of the output topic sees exactly one copy of it, because the
//! copy and the input offset are committed, or aborted, together (KIP-98, KIP-447). A
//! `read_uncommitted` reader also sees the copies of aborted transactions.
//!
//! Each output value names its source ([`crate::kafka::consumer::eos::source_of`]). The
//! checker reads every partition of the output topic from its leader's log, as a
//! consumer of the given isolation would (below the high watermark; for
//! `read_committed`, below the last stable offset and without aborted transactions),
//! and counts:
//! - **duplicates**: copies of an input record beyond the first;
//! - **lost**: input records below the group's committed offset (the group says it is
//!   done with them) that have no copy a `read_committed` reader sees.

use crate::kafka::consumer::eos::source_of;
use crate::kafka::log::txn::AbortedTxn;
use crate::kafka::topic::TopicPartition;
use crate::sim::world::World;
use std::collections::BTreeMap;

/// How the output topic is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isolation {
    /// `isolation.level=read_committed`.
    ReadCommitted,
    /// `isolation.level=read_uncommitted` (the default).
    ReadUncommitted,
}

impl Isolation {
    /// The setting's value.
    pub fn name(self) -> &'static str {
        match self {
            Isolation::ReadCommitted => "read_committed",
            Isolation::ReadUncommitted => "read_uncommitted",
        }
    }

    /// Reads a setting's value.
    pub fn parse(s: &str) -> Option<Isolation> {
        [Isolation::ReadCommitted, Isolation::ReadUncommitted]
            .into_iter()
            .find(|i| i.name() == s)
    }
}

/// How many copies of each input record `topic` holds for a reader of `isolation`.
pub fn copies(
    w: &World,
    topic: &str,
    isolation: Isolation,
) -> BTreeMap<(TopicPartition, u64), u64> {
    let mut out = BTreeMap::new();
    let partitions = w.topics().partition_count(topic).unwrap_or(0);
    for p in 0..partitions {
        let tp = TopicPartition::new(topic, p);
        let Some(b) = super::query::leader(w, &tp) else {
            continue;
        };
        let (Some(log), Some(hw)) = (b.disk().logs.get(&tp), b.hw(&tp)) else {
            continue;
        };
        let (end, aborted) = match isolation {
            Isolation::ReadCommitted => {
                let lso = log.transactions().last_stable_offset(hw);
                (lso, log.transactions().aborted_between(0, lso))
            }
            Isolation::ReadUncommitted => (hw, Vec::new()),
        };
        for batch in log.batches() {
            if batch.control.is_some() || AbortedTxn::drops(&aborted, batch) {
                continue;
            }
            for (offset, r) in batch.with_offsets() {
                if offset >= end {
                    break;
                }
                if let Some(source) = r.value.as_deref().and_then(source_of) {
                    *out.entry(source).or_insert(0) += 1;
                }
            }
        }
    }
    out
}

/// Copies beyond the first, for a reader of `isolation`.
pub fn duplicates(w: &World, topic: &str, isolation: Isolation) -> u64 {
    copies(w, topic, isolation).values().map(|n| n - 1).sum()
}

/// Input records below `group`'s committed offsets with no copy in `topic` that a
/// `read_committed` reader sees.
pub fn lost(w: &World, group: &str, topic: &str) -> u64 {
    let seen = copies(w, topic, Isolation::ReadCommitted);
    let Some(g) = super::query::coordinated(w, group) else {
        return 0;
    };
    let mut lost = 0;
    for (tp, committed) in &g.offsets {
        let present = super::delivery::data_offsets(w, tp, false);
        lost += present
            .range(..*committed)
            .filter(|o| !seen.contains_key(&(tp.clone(), **o)))
            .count() as u64;
    }
    lost
}
