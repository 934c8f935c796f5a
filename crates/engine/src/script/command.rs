//! The typed commands of the command language, and the conditions they check. Each system
//! owns its conditions ([`ZkCondition`], [`KafkaCondition`]); the kernel's are here.

use crate::ids::NodeId;
use crate::kafka::conditions::KafkaCondition;
use crate::sim::input::Input;
use crate::sim::world::World;
use crate::zookeeper::conditions::ZkCondition;

/// One parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `up <node>`: the node's process runs.
    Up {
        /// The node.
        node: NodeId,
    },
    /// `down <node>`: the node's process does not run.
    Down {
        /// The node.
        node: NodeId,
    },
    /// A condition on the ZooKeeper ensemble.
    Zk(ZkCondition),
    /// A condition on the Kafka cluster or its clients.
    Kafka(KafkaCondition),
}

impl Condition {
    /// True for conditions that can only be waited for (`run until`), never checked by
    /// `expect`.
    pub fn waits_only(&self) -> bool {
        match self {
            Condition::Zk(c) => c.waits_only(),
            _ => false,
        }
    }

    /// What a `run until` remembers of the world when it starts.
    pub fn baseline(&self, w: &World) -> u64 {
        match self {
            Condition::Zk(c) => c.baseline(w),
            _ => 0,
        }
    }

    /// Checks the condition against `w`; `baseline` is [`Condition::baseline`] at the start
    /// of a `run until` (0 for `expect`). The error says what was found instead.
    pub fn check(&self, w: &World, baseline: u64) -> Result<(), String> {
        match self {
            Condition::Up { node } | Condition::Down { node } => {
                if w.slot(*node).is_none() {
                    return Err(format!("there is no node {node}"));
                }
                let want_up = matches!(self, Condition::Up { .. });
                let up = w.is_up(*node);
                let word = |b: bool| if b { "up" } else { "down" };
                if up == want_up {
                    Ok(())
                } else {
                    Err(format!(
                        "expected {node} to be {}, but it is {}",
                        word(want_up),
                        word(up)
                    ))
                }
            }
            Condition::Zk(c) => c.check(w, baseline),
            Condition::Kafka(c) => c.check(w),
        }
    }
}
