//! A partition leader writing transaction markers (`KafkaApis.handleWriteTxnMarkersRequest`,
//! apache/kafka 3.8): each marker is appended as a control batch with the producer's id
//! and the epoch the coordinator sent (`appendRecords` with origin COORDINATOR and
//! acks=-1), and the answer waits until the high watermark passes it. A partition this
//! broker does not lead answers NOT_LEADER_OR_FOLLOWER; one whose ISR is below
//! `min.insync.replicas` answers NOT_ENOUGH_REPLICAS. The coordinator sends failed ones
//! again. A replicated marker on `__consumer_offsets` settles the group coordinator's
//! pending transactional offsets of that producer ([`crate::kafka::group`]).

use super::coordinator::DelayedMarkers;
use super::{TxnMarker, TxnMsg};
use crate::kafka::broker::Broker;
use crate::kafka::messages::{KafkaChange, KafkaError, KafkaMsg};
use crate::kafka::record::{Batch, ControlMarker};
use crate::kafka::topic::TopicPartition;
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;

/// How a marker's append is reported.
fn marker_change(tp: &TopicPartition, stored: &Batch, leo: u64) -> KafkaChange {
    let (producer_id, commit) = (
        stored.producer.map_or(-1, |p| p.id),
        stored.control.is_some_and(|m| m.commit),
    );
    KafkaChange::Marker {
        tp: tp.clone(),
        offset: stored.base_offset,
        producer_id,
        commit,
        leo,
    }
}

impl Broker {
    /// WriteTxnMarkers.
    pub(crate) fn handle_write_txn_markers(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        corr: u64,
        markers: Vec<TxnMarker>,
    ) {
        let now = ctx.now();
        let min_isr = self.cfg.min_insync_replicas;
        let mut results = Vec::new();
        let mut required = Vec::new();
        let outcomes = markers.iter().map(|m| (m.producer_id, m.commit)).collect();
        for m in markers {
            for tp in m.partitions {
                let Some(p) = self.partitions.get(&tp).filter(|p| p.leader == self.id) else {
                    results.push((m.producer_id, tp, Some(KafkaError::NotLeaderOrFollower)));
                    continue;
                };
                if (p.isr.len() as u32) < p.effective_min_isr(min_isr) {
                    results.push((m.producer_id, tp, Some(KafkaError::NotEnoughReplicas)));
                    continue;
                }
                let marker = ControlMarker {
                    commit: m.commit,
                    coordinator_epoch: m.coordinator_epoch,
                };
                let batch = Batch::marker(m.producer_id, m.producer_epoch, marker, now);
                let Some((_, leo)) = self.append_to_leader(ctx, &tp, &batch, marker_change) else {
                    continue;
                };
                required.push((tp.clone(), leo));
                results.push((m.producer_id, tp, None));
            }
        }
        if required.is_empty() {
            let msg = KafkaMsg::Txn(TxnMsg::WriteTxnMarkersResponse { corr, results });
            if conn == ConnId::LOOPBACK {
                ctx.loopback(msg);
            } else {
                ctx.send(conn, msg);
            }
            return;
        }
        self.txn.delayed_markers.push(DelayedMarkers {
            conn,
            corr,
            results,
            required,
            outcomes,
        });
        self.try_complete_delayed(ctx);
    }
}
