//! Which kernel inputs the world accepts: every check that must pass before an input
//! changes anything, with an error that says what was wrong. A fault that makes no sense
//! for a node's state (pausing a crashed node, halting one twice, resetting a pair with no
//! open connection) is refused with a message that names the state. Each system checks its
//! own inputs ([`crate::zookeeper::input`], [`crate::kafka::input`]).

use crate::ids::NodeId;
use crate::sim::input::{Input, Targets};
use crate::sim::node::Status;
use crate::sim::world::{InputError, MAX_DURATION_MS, World};
use std::collections::BTreeSet;

fn err<T>(msg: impl Into<String>) -> Result<T, InputError> {
    Err(InputError(msg.into()))
}

/// Checks `input` against `w`. Nothing changes on error.
pub fn check(w: &World, input: &Input) -> Result<(), InputError> {
    let exists = |id: &NodeId| -> Result<(), InputError> {
        if w.slot(*id).is_some() {
            Ok(())
        } else {
            err(format!("there is no node {id}"))
        }
    };
    let status = |id: &NodeId| -> Result<Status, InputError> {
        exists(id)?;
        Ok(w.status(*id).unwrap_or(Status::NotStarted))
    };
    match input {
        Input::Zk(i) => i.validate(w)?,
        Input::Kafka(i) => i.validate(w)?,
        Input::Start(Targets::Nodes(ids)) => {
            for id in ids {
                match status(id)? {
                    Status::Running => return err(format!("{id} is already running")),
                    Status::Paused => {
                        return err(format!("{id} is paused: `resume {id}` to let it run"));
                    }
                    _ => {}
                }
            }
        }
        Input::Start(Targets::All) | Input::Heal => {}
        Input::Crash(id) => {
            let s = status(id)?;
            if !s.has_process() {
                return err(format!("{id} is {}: there is no process to kill", s.name()));
            }
        }
        Input::Stop(id) => match status(id)? {
            Status::Running => {}
            Status::Paused => {
                return err(format!(
                    "{id} is paused: a frozen process cannot shut down; `resume {id}` first"
                ));
            }
            s => return err(format!("{id} is {}: there is no process to stop", s.name())),
        },
        Input::Halt(id) => {
            if status(id)? == Status::Halted {
                return err(format!("{id} is already powered off"));
            }
        }
        Input::Pause { node, for_ms } => {
            match status(node)? {
                Status::Running => {}
                Status::Paused => return err(format!("{node} is already paused")),
                s => {
                    return err(format!(
                        "{node} is {}: there is no process to pause",
                        s.name()
                    ));
                }
            }
            if for_ms.is_some_and(|ms| ms == 0 || ms > MAX_DURATION_MS) {
                return err("a pause lasts more than 0 and at most 24h");
            }
        }
        Input::Resume(id) => {
            let s = status(id)?;
            if s != Status::Paused {
                return err(format!("{id} is {}, not paused", s.name()));
            }
        }
        Input::Restart(id) => {
            if status(id)? == Status::Paused {
                return err(format!(
                    "{id} is paused: `resume {id}` or `crash {id}` it first"
                ));
            }
        }
        Input::Reset { a, b } => {
            exists(a)?;
            exists(b)?;
            if a == b {
                return err("a connection joins two different nodes");
            }
            if !w.connected(*a, *b) {
                return err(format!("there is no open connection between {a} and {b}"));
            }
        }
        Input::Partition(groups) => {
            let mut seen = BTreeSet::new();
            for id in groups.iter().flatten() {
                exists(id)?;
                if !seen.insert(*id) {
                    return err(format!("{id} is in more than one group"));
                }
            }
        }
        Input::PartitionOneWay { from, to } => {
            for id in from.iter().chain(to) {
                exists(id)?;
            }
        }
        Input::Delay { from, to, ms } => {
            exists(from)?;
            exists(to)?;
            if from == to {
                return err("a link joins two different nodes");
            }
            if *ms > MAX_DURATION_MS {
                return err("a delay may be at most 24h");
            }
        }
        Input::NetLatency { min_ms, max_ms } => {
            if min_ms > max_ms || *max_ms > 60_000 {
                return err("latency needs min <= max <= 60s");
            }
        }
        Input::NetLoss { percent } => {
            if *percent > 100 {
                return err("loss is a percentage from 0 to 100");
            }
        }
        Input::Alarm { after_ms } => {
            if *after_ms == 0 || *after_ms > MAX_DURATION_MS {
                return err("run needs a duration above 0 and at most 24h");
            }
        }
    }
    Ok(())
}
