//! The typed commands of the command language, and the conditions they check. Each system
//! owns its conditions ([`ZkCondition`], [`KafkaCondition`]); the kernel's are here.

use crate::ids::NodeId;
use crate::kafka::conditions::KafkaCondition;
use crate::sim::input::Input;
use crate::sim::node::Status;
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
    /// `down <node>`: the node's process does not run (crashed, powered off, never
    /// started; a paused process is neither up nor down).
    Down {
        /// The node.
        node: NodeId,
    },
    /// `paused <node>`, `crashed <node>`, `halted <node>`.
    Status {
        /// The node.
        node: NodeId,
        /// The state it must be in.
        status: Status,
    },
    /// A condition on the ZooKeeper ensemble.
    Zk(ZkCondition),
    /// A condition on the Kafka cluster or its clients.
    Kafka(KafkaCondition),
}

/// The failure text every system's conditions share: `expected <what> to be <want>, but
/// it is <got>`, or `Ok` when they match.
pub(crate) fn equal<T: PartialEq + std::fmt::Display>(
    what: String,
    want: T,
    got: T,
) -> Result<(), String> {
    if want == got {
        Ok(())
    } else {
        Err(format!("expected {what} to be {want}, but it is {got}"))
    }
}

impl Condition {
    /// For a condition that can only be waited for (`run until`), never checked by `expect`,
    /// its words as written; each system names its own.
    pub fn waits_only(&self) -> Option<&'static str> {
        match self {
            Condition::Zk(c) => c.waits_only(),
            _ => None,
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
            Condition::Up { node } => node_is(w, *node, "up", |s| s == Status::Running),
            Condition::Down { node } => node_is(w, *node, "down", |s| !s.has_process()),
            Condition::Status { node, status } => {
                node_is(w, *node, status.name(), |s| s == *status)
            }
            Condition::Zk(c) => c.check(w, baseline),
            Condition::Kafka(c) => c.check(w),
        }
    }
}

/// Checks a node's process state with `holds`; `want` names the expected state.
fn node_is(
    w: &World,
    node: NodeId,
    want: &str,
    holds: impl Fn(Status) -> bool,
) -> Result<(), String> {
    let Some(status) = w.status(node) else {
        return Err(format!("there is no node {node}"));
    };
    if holds(status) {
        Ok(())
    } else {
        Err(format!(
            "expected {node} to be {want}, but it is {}",
            status.name()
        ))
    }
}
