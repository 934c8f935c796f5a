//! The typed commands of the command language.

use crate::ids::NodeId;
use crate::kafka::topic::TopicPartition;
use crate::sim::input::Input;
use crate::zookeeper::vote::ServerState;
use serde::Serialize;

/// One parsed command line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Command {
    /// Something that changes the world.
    Input {
        /// The change.
        input: Input,
    },
    /// `run <duration>`: let virtual time pass.
    RunFor {
        /// ms.
        ms: u64,
    },
    /// `run until <condition> [within <duration>]`.
    RunUntil {
        /// What to wait for.
        condition: Condition,
        /// Give up after this much virtual time, ms.
        within_ms: u64,
    },
    /// `step [n]`: deliver the next n events.
    Step {
        /// How many.
        count: u32,
    },
    /// `expect <condition>`: check the world now.
    Expect {
        /// What must hold.
        condition: Condition,
    },
}

/// Default limit of `run until`, ms of virtual time.
pub const DEFAULT_WITHIN_MS: u64 = 120_000;

/// Something that can be checked against the world.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum Condition {
    /// `leader elected` (only with `run until`): a leader is established in an epoch newer
    /// than any established leader had when the run began.
    LeaderElected,
    /// `leader zkN`: zkN is the established leader (LEADING, ZAB phase BROADCAST).
    Leader {
        /// Its sid.
        sid: u32,
    },
    /// `no leader`: no running server is an established leader.
    NoLeader,
    /// `state zkN LOOKING|FOLLOWING|LEADING|OBSERVING`.
    State {
        /// Server id.
        sid: u32,
        /// The state.
        state: ServerState,
    },
    /// `epoch N` (the established leader's currentEpoch) or `epoch zkN N`.
    Epoch {
        /// A server, or the established leader.
        sid: Option<u32>,
        /// The expected currentEpoch.
        epoch: u64,
    },
    /// `vote zkN zkM`: zkN's vote (or decided leader) is zkM.
    Vote {
        /// The voter.
        sid: u32,
        /// Whom it votes for.
        for_sid: u32,
    },
    /// `zxid zkN 0x...`: zkN's last logged zxid.
    Zxid {
        /// Server id.
        sid: u32,
        /// The zxid.
        zxid: u64,
    },
    /// `up <node>`.
    Up {
        /// The node.
        node: NodeId,
    },
    /// `down <node>`.
    Down {
        /// The node.
        node: NodeId,
    },
    /// `hw <tp> N [on brokerB]`: the high watermark (on the leader unless `on`).
    Hw {
        /// The partition.
        tp: TopicPartition,
        /// Expected offset.
        value: u64,
        /// A specific replica.
        on: Option<u32>,
    },
    /// `leo <tp> N [on brokerB]`: the log end offset (on the leader unless `on`).
    Leo {
        /// The partition.
        tp: TopicPartition,
        /// Expected offset.
        value: u64,
        /// A specific replica.
        on: Option<u32>,
    },
    /// `isr <tp> 1,2,3`: the leader's ISR (order ignored).
    Isr {
        /// The partition.
        tp: TopicPartition,
        /// Broker ids.
        isr: Vec<u32>,
    },
    /// `acked <tp> N`: records of the partition the producer saw acknowledged.
    Acked {
        /// The partition.
        tp: TopicPartition,
        /// Count.
        count: u64,
    },
    /// `consumed <tp> N`: records of the partition the consumer received.
    Consumed {
        /// The partition.
        tp: TopicPartition,
        /// Count.
        count: u64,
    },
}
