//! Kafka's storage made visible beside the stage: one partition's segments as files with
//! their index entries, the last offset lookup step by step, what retention and the
//! cleaner removed ([`inspector::StorageInspector`]), and the three ways a fetch reaches the
//! network with every copy and context switch ([`zerocopy::ZeroCopyView`]). Both draw what
//! the engine reports: the replica views and the `Lookup`, `SegmentsDeleted` and
//! `Compacted` changes of the trace.

pub mod events;
pub mod inspector;
pub mod text;
pub mod zerocopy;

use crate::sim::Sim;
use leptos::prelude::*;

/// Both storage panels, fed by one scan of the trace per playback position (the
/// recording's revision and the position both make it rescan).
#[component]
pub fn StoragePanels(sim: Sim) -> impl IntoView {
    let events = Memo::new(move |_| {
        sim.revision.track();
        events::scan(&sim)
    });
    view! {
        <inspector::StorageInspector sim=sim events=events />
        <zerocopy::ZeroCopyView events=events />
    }
}
