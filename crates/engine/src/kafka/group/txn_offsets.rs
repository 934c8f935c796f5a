//! Transactional offsets at the group coordinator (KIP-98, KIP-447; apache/kafka 3.8
//! `GroupCoordinator.handleTxnCommitOffsets`, `GroupMetadataManager.storeOffsets` with a
//! producer id, `GroupMetadata.prepareTxnOffsetCommit` / `completePendingTxnOffsetCommit`,
//! `GroupMetadataManager.handleTxnCompletion`, and `KafkaApis.handleWriteTxnMarkersRequest`
//! calling `onTransactionCompleted`).
//!
//! A transactional producer's `sendOffsetsToTransaction` sends TxnOffsetCommit here after
//! AddOffsetsToTxn put the group's `__consumer_offsets` partition into its transaction.
//! The request is checked like an OffsetCommit (member and generation, KIP-447), the
//! offsets become *pending* for the producer id at once, and they are appended to the
//! group's partition as a transactional batch of that producer. They are not the group's
//! committed offsets yet: OffsetFetch with `require_stable` answers UNSTABLE_OFFSET_COMMIT
//! for their partitions. When the transaction's marker is written to the partition and
//! replicated, a COMMIT moves them into the committed offsets and an ABORT drops them.

use super::coordinator::{AfterWrite, reply};
use super::messages::GroupMsg;
use super::offsets::{commit_results, validate_offset_commit};
use super::state::ClassicGroup;
use super::{GroupChange, records};
use crate::kafka::broker::Broker;
use crate::kafka::messages::KafkaError;
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;

impl Broker {
    /// TxnOffsetCommit from producer `(id, epoch)` for a consumer at `(generation,
    /// member)`, answered on `(conn, corr)` once the batch is replicated.
    pub(crate) fn handle_txn_offset_commit(
        &mut self,
        ctx: &mut Ctx<'_>,
        (conn, corr): (ConnId, u64),
        group: &str,
        producer: (i64, i16),
        (generation, member_id): (i32, &str),
        offsets: Vec<(TopicPartition, u64)>,
    ) {
        let fail = |ctx: &mut Ctx<'_>, e: KafkaError, offsets: &[(TopicPartition, u64)]| {
            let results = commit_results(offsets, Some(e));
            reply(
                ctx,
                conn,
                GroupMsg::TxnOffsetCommitResponse { corr, results },
            );
        };
        let partition = match self.group_coordinating(group) {
            Ok(p) => p,
            Err(e) => return fail(ctx, e, &offsets),
        };
        let g = self
            .group
            .groups
            .entry(group.to_string())
            .or_insert_with(|| ClassicGroup::new(group, partition));
        if let Some(e) = validate_offset_commit(g, generation, member_id, true) {
            ctx.note(format!(
                "TxnOffsetCommit from member {member_id} of group {group} at generation {generation} refused: {e}"
            ));
            return fail(ctx, e, &offsets);
        }
        // `prepareTxnOffsetCommit`: pending from now on, before the append.
        let pending = g.pending_txn_offsets.entry(producer.0).or_default();
        pending.extend(offsets.iter().cloned());
        let entries = records::offset_entries(group, &offsets);
        let then = AfterWrite::TxnCommit {
            group: group.to_string(),
            conn,
            corr,
            producer_id: producer.0,
            offsets,
        };
        self.write_group_records(ctx, group, entries, Some(producer), then);
    }

    /// The TxnOffsetCommit batch was replicated (or could not be written: its offsets are
    /// no longer pending, `failPendingTxnOffsetCommit`, and the producer retries).
    pub(super) fn txn_offsets_stored(
        &mut self,
        ctx: &mut Ctx<'_>,
        group: &str,
        (conn, corr): (ConnId, u64),
        producer_id: i64,
        offsets: Vec<(TopicPartition, u64)>,
        r: Result<(), KafkaError>,
    ) {
        if r.is_err()
            && let Some(g) = self.group.groups.get_mut(group)
            && let Some(pending) = g.pending_txn_offsets.get_mut(&producer_id)
        {
            for (tp, _) in &offsets {
                pending.remove(tp);
            }
            if pending.is_empty() {
                g.pending_txn_offsets.remove(&producer_id);
            }
        }
        let results = commit_results(&offsets, r.err());
        reply(
            ctx,
            conn,
            GroupMsg::TxnOffsetCommitResponse { corr, results },
        );
    }

    /// A transaction marker of `producer_id` (COMMIT when `commit`) is replicated on
    /// `__consumer_offsets` partition `partition` (`onTransactionCompleted`): the pending
    /// offsets of that producer in the partition's groups are committed or dropped.
    pub(crate) fn group_txn_completed(
        &mut self,
        ctx: &mut Ctx<'_>,
        producer_id: i64,
        partition: u32,
        commit: bool,
    ) {
        let mut changes = Vec::new();
        for g in self.group.groups.values_mut() {
            if g.partition != partition {
                continue;
            }
            let Some(pending) = g.pending_txn_offsets.remove(&producer_id) else {
                continue;
            };
            if !commit {
                ctx.note(format!(
                    "TxnOffsetCommit for producer {producer_id} and group {} aborted: offsets dropped",
                    g.id
                ));
                continue;
            }
            let offsets: Vec<(TopicPartition, u64)> = pending.into_iter().collect();
            for (tp, o) in &offsets {
                g.offsets.insert(tp.clone(), *o);
            }
            changes.push(GroupChange::Committed {
                group: g.id.clone(),
                offsets,
            });
        }
        for c in changes {
            ctx.change(c);
        }
    }
}
