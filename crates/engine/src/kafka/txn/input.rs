//! The `txn` command: a transactional producer's `initTransactions`,
//! `beginTransaction`, `commitTransaction` and `abortTransaction`
//! (`txn init|begin|commit|abort [producer N]`, producer 1 by default).

use crate::ids::NodeId;
use crate::sim::node::Node;
use crate::sim::world::{InputError, World};
use serde::{Deserialize, Serialize};

/// A `KafkaProducer` transaction call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxnOp {
    /// `initTransactions`.
    Init,
    /// `beginTransaction`.
    Begin,
    /// `commitTransaction`.
    Commit,
    /// `abortTransaction`.
    Abort,
}

impl TxnOp {
    /// The command word.
    pub fn word(self) -> &'static str {
        match self {
            TxnOp::Init => "init",
            TxnOp::Begin => "begin",
            TxnOp::Commit => "commit",
            TxnOp::Abort => "abort",
        }
    }

    /// The op a command word names.
    pub fn parse(s: &str) -> Option<TxnOp> {
        [TxnOp::Init, TxnOp::Begin, TxnOp::Commit, TxnOp::Abort]
            .into_iter()
            .find(|o| o.word() == s)
    }
}

/// producerN must be transactional: an existing one must have been created with a
/// `transactional.id`, a new one gets the current `kafka config` (which must name one).
pub(crate) fn check(w: &World, broker_count: u32, producer: u32) -> Result<(), InputError> {
    if broker_count == 0 {
        return Err(InputError(
            "there is no Kafka cluster (start with `kafka cluster 3`)".into(),
        ));
    }
    let transactional = match w.slot(NodeId::Producer(producer)).map(|s| &s.node) {
        Some(Node::Producer(p)) => p.txn().is_some(),
        _ => w.kafka_config().producer.transactional_id.is_some(),
    };
    if transactional {
        Ok(())
    } else {
        Err(InputError(format!(
            "producer{producer} has no transactional.id: set `kafka config transactional.id <id>` before the producer is first used"
        )))
    }
}
