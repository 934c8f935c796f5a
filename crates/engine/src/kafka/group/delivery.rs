//! The delivery checker: what a group's applications processed, set against the logs.
//! Its four anomaly kinds follow Jepsen's kafka checker (`jepsen.tests.kafka`, which
//! Maelstrom's kafka workload uses: `:lost-write`, `:duplicate`, `:nonmonotonic-poll`,
//! `:poll-skip`), counted on what the applications processed rather than on polls:
//!
//! - **lost**: a data record of a partition that no consumer of the group processed,
//!   although some consumer processed a later offset of that partition (so it was not
//!   merely still waiting). At most once loses these after a crash.
//! - **duplicates**: processings of a (partition, offset) beyond the first. At least once
//!   makes these after a crash or a rebalance.
//! - **non-monotonic**: within one consumer incarnation and position epoch (see
//!   [`crate::kafka::consumer::ledger`]), a partition's offset that is not above the one
//!   processed before it.
//! - **skipped**: within one incarnation and epoch, a data record between two
//!   consecutively processed offsets of a partition that was passed over.
//!
//! The data records are those in the partition leader's log: not control batches, and
//! (for a group with a `read_committed` consumer) not aborted transactions.

use crate::kafka::consumer::Consumer;
use crate::kafka::consumer::ledger::Processed;
use crate::kafka::topic::TopicPartition;
use crate::sim::world::World;
use std::collections::{BTreeMap, BTreeSet};

/// The checker's counts for one group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Records processed, counting repeats.
    pub processed: u64,
    /// Lost records.
    pub lost: u64,
    /// Repeated processings.
    pub duplicates: u64,
    /// Offsets that did not rise.
    pub non_monotonic: u64,
    /// Records passed over.
    pub skipped: u64,
}

/// The consumers configured with `group.id` = `group`.
fn members<'w>(w: &'w World, group: &'w str) -> impl Iterator<Item = &'w Consumer> {
    w.consumers()
        .filter(move |c| c.cfg.group.group_id.as_deref() == Some(group))
}

/// The data record offsets of `tp` below its high watermark, from its leader's log.
pub(crate) fn data_offsets(w: &World, tp: &TopicPartition, read_committed: bool) -> BTreeSet<u64> {
    let Some(b) = super::query::leader(w, tp) else {
        return BTreeSet::new();
    };
    let (Some(log), Some(hw)) = (b.disk().logs.get(tp), b.hw(tp)) else {
        return BTreeSet::new();
    };
    let aborted = if read_committed {
        log.transactions().aborted_between(0, hw)
    } else {
        Vec::new()
    };
    let mut out = BTreeSet::new();
    for batch in log.batches() {
        if batch.control.is_some() {
            continue;
        }
        let in_aborted = crate::kafka::log::txn::AbortedTxn::drops(&aborted, batch);
        if in_aborted {
            continue;
        }
        out.extend(batch.with_offsets().map(|(o, _)| o).filter(|o| *o < hw));
    }
    out
}

/// Checks `group`.
pub fn check(w: &World, group: &str) -> Delivery {
    let mut d = Delivery::default();
    let read_committed = members(w, group).any(|c| c.cfg.read_committed);
    let mut seen: BTreeMap<&TopicPartition, BTreeMap<u64, u64>> = BTreeMap::new();
    // (consumer, incarnation, epoch, partition) → processed offsets in order.
    let mut runs: BTreeMap<(u32, u32, u32, &TopicPartition), Vec<u64>> = BTreeMap::new();
    for c in members(w, group) {
        for Processed {
            tp,
            offset,
            incarnation,
            epoch,
            ..
        } in c.ledger().entries()
        {
            d.processed += 1;
            *seen.entry(tp).or_default().entry(*offset).or_default() += 1;
            runs.entry((c.id(), *incarnation, *epoch, tp))
                .or_default()
                .push(*offset);
        }
    }
    let mut data: BTreeMap<&TopicPartition, BTreeSet<u64>> = BTreeMap::new();
    for (tp, offsets) in &seen {
        let present = data_offsets(w, tp, read_committed);
        let highest = offsets.keys().next_back().copied().unwrap_or(0);
        d.lost += present
            .range(..highest)
            .filter(|o| !offsets.contains_key(o))
            .count() as u64;
        d.duplicates += offsets.values().map(|n| n - 1).sum::<u64>();
        data.insert(tp, present);
    }
    for ((_, _, _, tp), offsets) in &runs {
        let present = &data[tp];
        for pair in offsets.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if b <= a {
                d.non_monotonic += 1;
            } else {
                d.skipped += present.range(a + 1..b).count() as u64;
            }
        }
    }
    d
}
