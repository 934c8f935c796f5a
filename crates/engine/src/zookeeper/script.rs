//! The ZooKeeper words of the command language: the `zk ...` commands and the conditions
//! about the ensemble. Registered in [`crate::script::parse::SYSTEMS`].
//!
//! ```text
//! zk ensemble 5 [observers 1]    zk set-zxid zk3 0x100000007[,0x200000002]
//! zk set-epoch zk2 2             zk set-accepted-epoch zk2 3     zk config tickTime 2000
//! conditions: leader elected (run until only), leader zk5, no leader, state zk1 FOLLOWING,
//!             epoch 1, epoch zk3 1, vote zk1 zk5, zxid zk3 0x100000007
//! ```

use crate::script::command::{Command, Condition};
use crate::script::cursor::{Cursor, PResult, parse_number};
use crate::script::parse::Grammar;
use crate::sim::input::Input;
use crate::zookeeper::conditions::ZkCondition;
use crate::zookeeper::input::ZkInput;
use crate::zookeeper::vote::ServerState;

/// The ZooKeeper grammar.
pub const GRAMMAR: Grammar = Grammar {
    verbs: &["zk"],
    command,
    conditions: &["leader", "no", "state", "epoch", "vote", "zxid"],
    condition,
};

fn command(_verb: &'static str, c: &mut Cursor<'_>) -> PResult<Command> {
    let input = match c.keyword(&[
        "ensemble",
        "set-zxid",
        "set-epoch",
        "set-accepted-epoch",
        "config",
    ])? {
        "ensemble" => {
            let voters = c.small("a voting server count (2 to 9)")?;
            let observers = if c.accept("observers") {
                c.small("an observer count")?
            } else {
                0
            };
            ZkInput::Ensemble { voters, observers }
        }
        "set-zxid" => {
            let sid = c.zk()?;
            let what = "zxids like 0x100000007 or 0x100000005,0x200000003";
            let w = c.next(what)?;
            let runs: Option<Vec<u64>> = w.text.split(',').map(parse_number).collect();
            ZkInput::SetZxid {
                sid,
                runs: runs.ok_or(()).or_else(|_| c.fail(w, what))?,
            }
        }
        "set-epoch" => ZkInput::SetEpoch {
            sid: c.zk()?,
            epoch: c.number("an epoch")?,
        },
        "set-accepted-epoch" => ZkInput::SetAcceptedEpoch {
            sid: c.zk()?,
            epoch: c.number("an epoch")?,
        },
        _ => ZkInput::Config {
            key: c.text("a setting like tickTime")?,
            value: c.number("a number")?,
        },
    };
    Ok(Command::Input {
        input: Input::Zk(input),
    })
}

fn condition(word: &'static str, c: &mut Cursor<'_>) -> PResult<Condition> {
    let cond = match word {
        "leader" => {
            if c.accept("elected") {
                ZkCondition::LeaderElected
            } else {
                ZkCondition::Leader { sid: c.zk()? }
            }
        }
        "no" => {
            c.keyword(&["leader"])?;
            ZkCondition::NoLeader
        }
        "state" => {
            let sid = c.zk()?;
            let what = "a state: LOOKING, FOLLOWING, LEADING or OBSERVING";
            let w = c.next(what)?;
            let state = ServerState::parse(&w.text)
                .ok_or(())
                .or_else(|_| c.fail(w, what))?;
            ZkCondition::State { sid, state }
        }
        "epoch" => {
            let sid = if c.peek().is_some_and(|w| w.text.starts_with("zk")) {
                Some(c.zk()?)
            } else {
                None
            };
            ZkCondition::Epoch {
                sid,
                epoch: c.number("an epoch number")?,
            }
        }
        "vote" => ZkCondition::Vote {
            sid: c.zk()?,
            for_sid: c.zk()?,
        },
        _ => ZkCondition::Zxid {
            sid: c.zk()?,
            zxid: c.number("a zxid like 0x100000007")?,
        },
    };
    Ok(Condition::Zk(cond))
}
