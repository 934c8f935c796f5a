//! Queries: expressions a lesson's quiz evaluates against the world to compute its answer
//! (`stat /app cversion`, `zxid zk2`, `hw orders-0`), so an answer is never typed by
//! hand. Each system owns its queries ([`ZkQuery`], [`KafkaQuery`]) and registers their
//! first words in its grammar; the kernel's (`status`) are here.

use crate::ids::NodeId;
use crate::kafka::queries::KafkaQuery;
use crate::script::cursor::{Cursor, PResult};
use crate::script::parse::SYSTEMS;
use crate::sim::world::World;
use crate::zookeeper::queries::ZkQuery;

/// Something about the world whose current value can be shown as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// `status <node>`: running, paused, crashed, powered off, not started.
    Status {
        /// The node.
        node: NodeId,
    },
    /// A query about the ZooKeeper side.
    Zk(ZkQuery),
    /// A query about the Kafka side.
    Kafka(KafkaQuery),
}

impl Query {
    /// The value now, as text (what a quiz choice must equal), or why there is none.
    pub fn eval(&self, w: &World) -> Result<String, String> {
        match self {
            Query::Status { node } => w
                .status(*node)
                .map(|s| s.name().to_string())
                .ok_or_else(|| format!("there is no node {node}")),
            Query::Zk(q) => q.eval(w),
            Query::Kafka(q) => q.eval(w),
        }
    }
}

/// The kernel's queries.
pub(crate) fn kernel_query(_word: &'static str, c: &mut Cursor<'_>) -> PResult<Query> {
    Ok(Query::Status { node: c.node()? })
}

/// Parses a query (`stat /app cversion`, `zxid zk2`, ...): the grammar that registered
/// its first word reads the rest.
pub fn parse_query(text: &str) -> Result<Query, (u32, String)> {
    let words = crate::script::lexer::words(text)?;
    let end_column = text.trim_end().chars().count() as u32 + 1;
    let mut c = Cursor::with_line(&words, end_column, text);
    let all: Vec<&'static str> = SYSTEMS
        .iter()
        .flat_map(|g| g.queries.iter().copied())
        .collect();
    let word = c.keyword(&all)?;
    let grammar = SYSTEMS
        .iter()
        .find(|g| g.queries.contains(&word))
        .expect("the word came from a grammar");
    let q = (grammar.query)(word, &mut c)?;
    c.done()?;
    Ok(q)
}
