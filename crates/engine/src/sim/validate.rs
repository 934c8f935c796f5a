//! Which kernel inputs the world accepts: every check that must pass before an input
//! changes anything, with an error that says what was wrong. Each system checks its own
//! inputs ([`crate::zookeeper::input`], [`crate::kafka::input`]).

use crate::ids::NodeId;
use crate::sim::input::{Input, Targets};
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
    match input {
        Input::Zk(i) => i.validate(w)?,
        Input::Kafka(i) => i.validate(w)?,
        Input::Start(Targets::Nodes(ids)) => {
            for id in ids {
                exists(id)?;
                if w.is_up(*id) {
                    return err(format!("{id} is already running"));
                }
            }
        }
        Input::Start(Targets::All) | Input::Heal => {}
        Input::Crash(id) => {
            exists(id)?;
            if !w.is_up(*id) {
                return err(format!("{id} is not running"));
            }
        }
        Input::Restart(id) => exists(id)?,
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
        Input::Delay { from, to, .. } | Input::DropNext { from, to, .. } => {
            exists(from)?;
            exists(to)?;
            if from == to {
                return err("a link joins two different nodes");
            }
            if let Input::Delay { ms, .. } = input
                && *ms > MAX_DURATION_MS
            {
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
