//! A partition leader writing transaction markers (`KafkaApis.handleWriteTxnMarkersRequest`,
//! apache/kafka 3.8): each marker is appended as a control batch with the producer's id
//! and the epoch the coordinator sent (`appendRecords` with origin COORDINATOR and
//! acks=-1), and the answer waits until the high watermark passes it. A partition this
//! broker does not lead answers NOT_LEADER_OR_FOLLOWER; one whose ISR is below
//! `min.insync.replicas` answers NOT_ENOUGH_REPLICAS. The coordinator sends failed ones
//! again.

use super::coordinator::DelayedMarkers;
use super::{TxnMarker, TxnMsg};
use crate::kafka::broker::Broker;
use crate::kafka::messages::{KafkaChange, KafkaError, KafkaMsg};
use crate::kafka::record::{Batch, ControlMarker};
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;

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
        let (lag, min_isr) = (
            self.cfg.replica_lag_time_max_ms,
            self.cfg.min_insync_replicas,
        );
        let mut results = Vec::new();
        let mut required = Vec::new();
        for m in markers {
            for tp in m.partitions {
                let cfg = self.log_config(&tp.topic);
                let Some(p) = self.partitions.get_mut(&tp).filter(|p| p.leader == self.id) else {
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
                let log = self.disk.log_entry(&tp, cfg);
                let (stored, rolled) = log.append_produced(&batch, p.leader_epoch, now);
                let leo = log.leo();
                if let Some(base) = rolled {
                    ctx.change(KafkaChange::Rolled {
                        tp: tp.clone(),
                        base_offset: base,
                    });
                }
                ctx.change(KafkaChange::Marker {
                    tp: tp.clone(),
                    offset: stored.base_offset,
                    producer_id: m.producer_id,
                    commit: m.commit,
                    leo,
                });
                if p.maybe_increment_hw(leo, now, lag, min_isr) {
                    ctx.change(KafkaChange::HighWatermark {
                        tp: tp.clone(),
                        hw: p.hw,
                    });
                }
                self.cache_write(&tp, stored.base_offset);
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
        });
        self.try_complete_delayed(ctx);
    }
}
