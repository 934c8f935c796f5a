//! The storage changes of the trace the panels draw: the last lookup (with its served
//! fetch), and the last deletion or cleaning, each at or before the playback position.
//! One backward pass finds both, once per position, for both panels.

use crate::sim::Sim;
use leptos::prelude::*;
use zkafka_engine::kafka::messages::KafkaChange;
use zkafka_engine::sim::effects::Change;
use zkafka_engine::sim::trace::EventKind;
use zkafka_engine::view::NodeDetail;

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

/// The storage changes the panels draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageEvents {
    /// The last lookup (`fetch <tp> offset N`).
    pub lookup: Option<StorageEvent>,
    /// The last retention deletion or cleaning.
    pub removal: Option<StorageEvent>,
}

/// The last lookup and the last removal at or before the position, found in one pass
/// from the position backwards; nothing (and no pass) while the world has no broker.
pub fn scan(sim: &Sim) -> StorageEvents {
    let (pos, start, brokers) = sim.snap.with(|s| {
        let brokers = s
            .view
            .nodes
            .iter()
            .any(|n| matches!(n.detail, NodeDetail::Broker(_)));
        (s.position, s.op_start, brokers)
    });
    let mut found = StorageEvents::default();
    if !brokers {
        return found;
    }
    sim.with_timeline(|t| {
        let trace = t.trace();
        let end = (pos as usize).min(trace.len());
        for (i, e) in trace[..end].iter().enumerate().rev() {
            let EventKind::Change {
                node,
                change: Change::Kafka(c),
            } = &e.kind
            else {
                continue;
            };
            let slot = match c {
                KafkaChange::Lookup { .. } => &mut found.lookup,
                KafkaChange::SegmentsDeleted { .. } | KafkaChange::Compacted { .. } => {
                    &mut found.removal
                }
                _ => continue,
            };
            slot.get_or_insert_with(|| StorageEvent {
                broker: node.number(),
                change: c.clone(),
                current: i as u64 >= start,
            });
            if found.lookup.is_some() && found.removal.is_some() {
                break;
            }
        }
    });
    found
}
