//! `KafkaConsumer.seek(tp, offset)`, `seekToBeginning`, `seekToEnd` (apache/kafka 3.8):
//! the next `poll()` fetches `tp` from the new position. Records of `tp` already fetched
//! and not yet returned are dropped (`SubscriptionState.seek` moves the position; the
//! fetch buffer drops what no longer matches it). Seeking to the beginning or end asks
//! the partition's leader for its log start or end offset (ListOffsets, EARLIEST or
//! LATEST; the end is the last stable offset for `read_committed`). A partition the
//! consumer is not assigned is refused with IllegalStateException ("No current
//! assignment for partition orders-0").

use super::Consumer;
use crate::kafka::topic::TopicPartition;
use crate::sim::effects::Ctx;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a seek goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeekTo {
    /// An offset.
    Offset(u64),
    /// `seekToBeginning`: the log start offset.
    Beginning,
    /// `seekToEnd`: the end offset.
    End,
}

impl SeekTo {
    /// Reads the command's word: an offset, `beginning` or `end`.
    pub fn parse(s: &str) -> Option<SeekTo> {
        match s {
            "beginning" => Some(SeekTo::Beginning),
            "end" => Some(SeekTo::End),
            n => crate::script::cursor::parse_number(n).map(SeekTo::Offset),
        }
    }
}

impl fmt::Display for SeekTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeekTo::Offset(o) => write!(f, "{o}"),
            SeekTo::Beginning => f.write_str("beginning"),
            SeekTo::End => f.write_str("end"),
        }
    }
}

impl Consumer {
    /// True when `tp` is assigned to it (by `assign` or by its group).
    pub fn is_assigned(&self, tp: &TopicPartition) -> bool {
        self.positions.contains_key(tp) || self.group.as_ref().is_some_and(|g| g.owned.contains(tp))
    }

    /// Seeks `tp` (checked to be assigned).
    pub fn seek(&mut self, ctx: &mut Ctx<'_>, tp: TopicPartition, to: SeekTo) {
        match to {
            SeekTo::Offset(o) => {
                ctx.note(format!("Seeking to offset {o} for partition {tp}"));
                self.set_position(tp, o);
                self.poll_fetches(ctx);
            }
            SeekTo::Beginning | SeekTo::End => {
                let earliest = to == SeekTo::Beginning;
                let which = if earliest { "earliest" } else { "latest" };
                ctx.note(format!("Seeking to {which} offset of partition {tp}"));
                self.drop_position(&tp);
                self.list_offsets(ctx, vec![tp], Some(earliest));
            }
        }
    }
}
