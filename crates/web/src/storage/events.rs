//! The storage changes of the trace the panels draw: the last lookup (with its served
//! fetch), and the last deletion or cleaning, each at or before the playback position.

use crate::sim::Sim;
use leptos::prelude::*;
use zkafka_engine::kafka::messages::KafkaChange;
use zkafka_engine::sim::effects::Change;
use zkafka_engine::sim::trace::EventKind;

/// A storage change and the broker it happened on.
#[derive(Clone, Debug, PartialEq)]
pub struct StorageEvent {
    /// The broker's id.
    pub broker: u32,
    /// The change.
    pub change: KafkaChange,
    /// Whether it happened in the operation just played.
    pub current: bool,
}

/// The last change at or before the position for which `pick` holds.
pub fn last(sim: &Sim, pick: fn(&KafkaChange) -> bool) -> Option<StorageEvent> {
    let (pos, start) = sim.snap.with(|s| (s.position, s.op_start));
    sim.with_timeline(|t| {
        let trace = t.trace();
        let end = (pos as usize).min(trace.len());
        trace[..end]
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, e)| match &e.kind {
                EventKind::Change {
                    node,
                    change: Change::Kafka(c),
                } if pick(c) => Some(StorageEvent {
                    broker: node.number(),
                    change: c.clone(),
                    current: i as u64 >= start,
                }),
                _ => None,
            })
    })
    .flatten()
}

/// A lookup (`fetch <tp> offset N`).
pub fn is_lookup(c: &KafkaChange) -> bool {
    matches!(c, KafkaChange::Lookup { .. })
}

/// Retention or the cleaner removed something.
pub fn is_removal(c: &KafkaChange) -> bool {
    matches!(
        c,
        KafkaChange::SegmentsDeleted { .. } | KafkaChange::Compacted { .. }
    )
}
