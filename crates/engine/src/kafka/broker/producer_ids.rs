//! Producer ids (apache/kafka 3.8, `ZkProducerIdManager`, the ZooKeeper path of
//! inter.broker.protocol.version below 3.0): at startup, once registered, a broker claims
//! a block of 1000 ids by reading `/latest_producer_id_block` and writing the next block
//! (`{"version":1,"broker":<id>,"block_start":"<n>","block_end":"<n+999>"}`) at the
//! version it read; a write that loses the race (BadVersion) reads again
//! (`getNewProducerIdBlock`). InitProducerId takes the next id of the block; when the
//! block is used up the broker claims another. Until it holds a block the broker answers
//! COORDINATOR_LOAD_IN_PROGRESS and the producer asks again (in Kafka the block is claimed
//! before the broker serves requests). A restarted broker claims a new block, so ids are
//! never reused.

use super::Broker;
use super::zk_session::ZkPurpose;
use crate::kafka::messages::{KafkaError, KafkaMsg};
use crate::kafka::zk_data::{self, PRODUCER_ID_BLOCK_SIZE};
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;
use crate::zookeeper::client::Reply;
use crate::zookeeper::data::code::Code;
use crate::zookeeper::proto::{Op, ReplyBody};

impl Broker {
    /// Reads `/latest_producer_id_block` to claim the next block (unless a claim is under
    /// way).
    pub(crate) fn claim_producer_id_block(&mut self, ctx: &mut Ctx<'_>) {
        if self.pid_claiming {
            return;
        }
        self.pid_claiming = true;
        let op = Op::GetData {
            path: zk_data::PRODUCER_ID_BLOCK.into(),
            watch: false,
        };
        self.zk_submit(ctx, op, ZkPurpose::PidBlockRead);
    }

    /// The block read: write the next one at the version read.
    pub(crate) fn on_pid_block_read(&mut self, ctx: &mut Ctx<'_>, r: Reply) {
        let (start, version) = match r.result {
            Ok(ReplyBody::Data { data, stat }) => {
                let last = data
                    .as_deref()
                    .and_then(zk_data::parse_producer_id_block)
                    .map(|(_, end)| end);
                (last.map_or(0, |end| end + 1), stat.version)
            }
            // No answer (the session went): the next InitProducerId or registration
            // claims again.
            _ => {
                self.pid_claiming = false;
                return;
            }
        };
        let end = start + PRODUCER_ID_BLOCK_SIZE - 1;
        let data = zk_data::producer_id_block_json(self.id, start, end);
        let op = Op::SetData {
            path: zk_data::PRODUCER_ID_BLOCK.into(),
            data: Some(data.into_bytes().into()),
            version,
        };
        self.zk_submit(ctx, op, ZkPurpose::PidBlockWrite { start });
    }

    /// The conditional write's reply: the block is ours, or read again.
    pub(crate) fn on_pid_block_written(&mut self, ctx: &mut Ctx<'_>, start: i64, r: Reply) {
        self.pid_claiming = false;
        match r.result {
            Ok(_) => {
                let end = start + PRODUCER_ID_BLOCK_SIZE - 1;
                self.pid_block = Some((start, end));
                self.next_producer_id = start;
                ctx.note(format!(
                    "Acquired new producerId block (brokerId:{},blockStartProducerId:{start},blockEndProducerId:{end})",
                    self.id
                ));
            }
            Err(Code::BadVersion) => self.claim_producer_id_block(ctx),
            Err(_) => {}
        }
    }

    /// The next producer id of this broker's block (`ProducerIdManager.generateProducerId`),
    /// claiming the next block when this one is used up; COORDINATOR_LOAD_IN_PROGRESS
    /// while it holds none.
    pub(crate) fn generate_producer_id(&mut self, ctx: &mut Ctx<'_>) -> Result<i64, KafkaError> {
        match self.pid_block {
            Some((_, end)) if self.next_producer_id <= end => {
                let id = self.next_producer_id;
                self.next_producer_id += 1;
                if self.next_producer_id > end {
                    self.claim_producer_id_block(ctx);
                }
                Ok(id)
            }
            _ => {
                self.claim_producer_id_block(ctx);
                Err(KafkaError::CoordinatorLoadInProgress)
            }
        }
    }

    /// InitProducerId (for an idempotent producer without transactional.id: a new id,
    /// epoch 0; `TransactionCoordinator.handleInitProducerId`).
    pub(crate) fn handle_init_producer_id(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, corr: u64) {
        let msg = match self.generate_producer_id(ctx) {
            Ok(producer_id) => KafkaMsg::InitProducerIdResponse {
                corr,
                producer_id,
                epoch: 0,
                error: None,
            },
            Err(e) => KafkaMsg::InitProducerIdResponse {
                corr,
                producer_id: -1,
                epoch: -1,
                error: Some(e),
            },
        };
        ctx.send(conn, msg);
    }
}

#[cfg(test)]
mod tests {
    use crate::script::run::run_lines;
    use crate::sim::timeline::Timeline;

    fn latest_block(t: &Timeline) -> Option<(i64, i64)> {
        let (_, zk) = t.world().zk_servers().find(|(up, _)| *up)?;
        let node = zk.tree().node(crate::kafka::zk_data::PRODUCER_ID_BLOCK)?;
        crate::kafka::zk_data::parse_producer_id_block(node.data.as_deref()?)
    }

    fn blocks(t: &Timeline) -> Vec<(u32, Option<(i64, i64)>)> {
        t.world()
            .brokers()
            .map(|(_, b)| (b.id(), b.pid_block))
            .collect()
    }

    #[test]
    fn each_broker_claims_its_own_block_and_a_restart_claims_a_new_one() {
        let mut t = Timeline::new(1);
        run_lines(&mut t, "kafka cluster 3\nstart all\nrun 1s");
        let mut starts: Vec<i64> = blocks(&t)
            .into_iter()
            .map(|(_, b)| b.expect("claimed").0)
            .collect();
        starts.sort_unstable();
        assert_eq!(starts, vec![0, 1000, 2000], "{:?}", blocks(&t));
        assert_eq!(latest_block(&t), Some((2000, 2999)));
        run_lines(&mut t, "crash broker2\nrun 25s\nstart broker2\nrun 1s");
        let b2 = t.world().broker(2).and_then(|b| b.pid_block);
        assert_eq!(b2, Some((3000, 3999)), "a restart never reuses ids");
        // A producer's id comes from its broker's block.
        run_lines(
            &mut t,
            "topic create t partitions 1 rf 1 assignment 2\nproduce t value v\nrun 1s",
        );
        let noted = t.trace().iter().any(|e| {
            matches!(&e.kind, crate::sim::trace::EventKind::Change { change, .. }
                if format!("{change:?}").contains("ProducerId set to 3000 with epoch 0"))
        });
        assert!(noted, "the producer got id 3000 from broker2's new block");
        assert_eq!(
            crate::kafka::zk_data::producer_id_block_json(1, 0, 999),
            r#"{"version":1,"broker":1,"block_start":"0","block_end":"999"}"#
        );
    }
}
