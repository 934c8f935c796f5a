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
