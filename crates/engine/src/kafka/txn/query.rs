//! The transaction conditions and queries of the command language:
//!
//! ```text
//! lso orders-0 [5]                 the leader's last stable offset
//! producer-txn producer1 [READY]   a producer's TransactionManager state
//! txn-state app [CompleteCommit]   the coordinator's state of a transactional id
//! txn-coordinator app [broker2]    the broker coordinating a transactional id
//! ```
//!
//! As a condition each takes the expected value last; as a query it prints the value.

use super::{TOPIC, partition_for};
use crate::ids::NodeId;
use crate::kafka::topic::TopicPartition;
use crate::script::cursor::{Cursor, PResult};
use crate::sim::world::World;

/// Something about transactions that has a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxnQuery {
    /// The leader's last stable offset of a partition.
    Lso(TopicPartition),
    /// A producer's transaction state (UNINITIALIZED, READY, IN_TRANSACTION, ...).
    Producer(u32),
    /// The coordinator's state of a transactional id (Empty, Ongoing, CompleteCommit, ...).
    State(String),
    /// The running broker that coordinates a transactional id (`none` when none does).
    Coordinator(String),
}

/// The words that start one.
pub const WORDS: [&str; 4] = ["lso", "producer-txn", "txn-state", "txn-coordinator"];

impl TxnQuery {
    /// Reads one after its first word.
    pub fn parse(word: &str, c: &mut Cursor<'_>) -> PResult<TxnQuery> {
        Ok(match word {
            "lso" => TxnQuery::Lso(c.tp()?),
            "producer-txn" => {
                let w = c.next("a producer like producer1")?;
                match w.text.parse() {
                    Ok(NodeId::Producer(n)) => TxnQuery::Producer(n),
                    _ => return c.fail(w, "a producer like producer1"),
                }
            }
            "txn-state" => TxnQuery::State(c.text("a transactional id")?),
            _ => TxnQuery::Coordinator(c.text("a transactional id")?),
        })
    }

    /// What it is about, for failure texts.
    pub fn what(&self) -> String {
        match self {
            TxnQuery::Lso(tp) => format!("the last stable offset of {tp}"),
            TxnQuery::Producer(n) => format!("producer{n}'s transaction state"),
            TxnQuery::State(id) => format!("the coordinator's state of {id}"),
            TxnQuery::Coordinator(id) => format!("the coordinator of {id}"),
        }
    }

    /// The value now.
    pub fn eval(&self, w: &World) -> Result<String, String> {
        match self {
            TxnQuery::Lso(tp) => {
                let b = crate::kafka::conditions::leader_broker(w, tp, None, false)?;
                let broker = w
                    .broker(b)
                    .ok_or_else(|| format!("there is no broker{b}"))?;
                let hw = broker
                    .hw(tp)
                    .ok_or_else(|| format!("broker{b} holds no replica of {tp}"))?;
                let log = broker
                    .disk()
                    .logs
                    .get(tp)
                    .ok_or_else(|| format!("broker{b} holds no log of {tp}"))?;
                Ok(log.last_stable_offset(hw).to_string())
            }
            TxnQuery::Producer(n) => w
                .producers()
                .find(|p| p.id() == *n)
                .ok_or_else(|| format!("there is no producer{n}"))?
                .txn()
                .map(|t| t.state().name().to_string())
                .ok_or_else(|| format!("producer{n} has no transactional.id")),
            TxnQuery::State(id) => coordinator(w, id)
                .and_then(|b| {
                    w.broker(b)?
                        .txn
                        .state(id)
                        .map(|m| m.state.name().to_string())
                })
                .ok_or_else(|| format!("no running broker coordinates {id} yet")),
            TxnQuery::Coordinator(id) => {
                Ok(coordinator(w, id).map_or("none".to_string(), |b| format!("broker{b}")))
            }
        }
    }

    /// As a condition: the value equals `want`.
    pub fn check(&self, w: &World, want: &str) -> Result<(), String> {
        let got = self.eval(w)?;
        crate::script::command::equal(self.what(), want, got.as_str())
    }
}

/// The running broker that has loaded `txn_id`'s `__transaction_state` partition.
fn coordinator(w: &World, txn_id: &str) -> Option<u32> {
    w.brokers()
        .filter(|(up, _)| *up)
        .map(|(_, b)| b)
        .find(|b| {
            let p = partition_for(txn_id, b.cfg.txn_state_partitions);
            b.txn.owned.contains_key(&p)
                && b.partitions()
                    .get(&TopicPartition::new(TOPIC, p))
                    .is_some_and(|s| s.leader == b.id())
        })
        .map(|b| b.id())
}
