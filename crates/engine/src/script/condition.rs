//! Checking conditions against the world. A failed check explains what it found instead.

use crate::ids::NodeId;
use crate::kafka::topic::TopicPartition;
use crate::script::command::Condition;
use crate::sim::world::World;
use crate::zookeeper::zxid::hex;

/// The established leader: a running server that is LEADING in ZAB phase BROADCAST. When
/// a cut-off old leader has not noticed yet, the one with the newest epoch counts.
pub fn established_leader(w: &World) -> Option<u32> {
    w.zk_servers()
        .filter(|(up, s)| *up && s.is_established_leader())
        .max_by_key(|(_, s)| (s.disk().current_epoch, s.sid()))
        .map(|(_, s)| s.sid())
}

/// The newest epoch any established leader has (0 when none): the baseline for
/// `run until leader elected`.
pub fn leader_epoch(w: &World) -> u64 {
    established_leader(w)
        .and_then(|sid| w.zk(sid))
        .map_or(0, |s| s.disk().current_epoch)
}

fn server(w: &World, sid: u32) -> Result<&crate::zookeeper::server::ZkServer, String> {
    w.zk(sid)
        .ok_or_else(|| format!("there is no server zk{sid}"))
}

fn leader_broker(w: &World, tp: &TopicPartition, on: Option<u32>) -> Result<u32, String> {
    if w.topics().partition(tp).is_none() {
        return Err(format!("there is no partition {tp}"));
    }
    match on {
        Some(b) => Ok(b),
        None => w
            .partition_leader(tp)
            .ok_or_else(|| format!("{tp} has no leader")),
    }
}

fn equal<T: PartialEq + std::fmt::Display>(what: String, want: T, got: T) -> Result<(), String> {
    if want == got {
        Ok(())
    } else {
        Err(format!("expected {what} to be {want}, but it is {got}"))
    }
}

/// Checks `c` against `w`. `baseline_epoch` is the leader epoch when a `run until leader
/// elected` began.
pub fn check(w: &World, c: &Condition, baseline_epoch: u64) -> Result<(), String> {
    match c {
        Condition::LeaderElected => {
            // leader_epoch is 0 without a leader, so a newer epoch means there is one.
            if leader_epoch(w) > baseline_epoch {
                Ok(())
            } else {
                Err("no new leader has been elected yet".into())
            }
        }
        Condition::Leader { sid } => {
            server(w, *sid)?;
            match established_leader(w) {
                Some(l) if l == *sid => Ok(()),
                Some(l) => Err(format!("expected zk{sid} to lead, but zk{l} leads")),
                None => Err(format!("expected zk{sid} to lead, but no server leads")),
            }
        }
        Condition::NoLeader => match established_leader(w) {
            None => Ok(()),
            Some(l) => Err(format!("expected no leader, but zk{l} leads")),
        },
        Condition::State { sid, state } => {
            let s = server(w, *sid)?;
            if !w.is_up(NodeId::Zk(*sid)) {
                return Err(format!("expected zk{sid} to be {state}, but it is down"));
            }
            equal(format!("the state of zk{sid}"), *state, s.state())
        }
        Condition::Epoch {
            sid: Some(sid),
            epoch,
        } => equal(
            format!("the currentEpoch of zk{sid}"),
            *epoch,
            server(w, *sid)?.disk().current_epoch,
        ),
        Condition::Epoch { sid: None, epoch } => match established_leader(w) {
            Some(l) => equal(
                format!("the epoch of leader zk{l}"),
                *epoch,
                leader_epoch(w),
            ),
            None => Err(format!("expected epoch {epoch}, but no server leads")),
        },
        Condition::Vote { sid, for_sid } => {
            let v = server(w, *sid)?.vote();
            if v.leader == i64::from(*for_sid) {
                Ok(())
            } else {
                Err(format!(
                    "expected zk{sid} to vote for zk{for_sid}, but its vote is {}",
                    v.describe()
                ))
            }
        }
        Condition::Zxid { sid, zxid } => {
            let got = server(w, *sid)?.disk().last_zxid();
            if got == *zxid {
                Ok(())
            } else {
                Err(format!(
                    "expected the last zxid of zk{sid} to be {}, but it is {}",
                    hex(*zxid),
                    hex(got)
                ))
            }
        }
        Condition::Up { node } | Condition::Down { node } => {
            if w.slot(*node).is_none() {
                return Err(format!("there is no node {node}"));
            }
            let want_up = matches!(c, Condition::Up { .. });
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
        Condition::Hw { tp, value, on } | Condition::Leo { tp, value, on } => {
            let b = leader_broker(w, tp, *on)?;
            let broker = w
                .broker(b)
                .ok_or_else(|| format!("there is no broker{b}"))?;
            let is_hw = matches!(c, Condition::Hw { .. });
            let got = if is_hw { broker.hw(tp) } else { broker.leo(tp) };
            let what = format!(
                "the {} of {tp} on broker{b}",
                if is_hw {
                    "high watermark"
                } else {
                    "log end offset"
                }
            );
            match got {
                Some(got) => equal(what, *value, got),
                None => Err(format!("broker{b} holds no replica of {tp}")),
            }
        }
        Condition::Isr { tp, isr } => {
            let b = leader_broker(w, tp, None)?;
            let got = w
                .broker(b)
                .and_then(|br| br.partitions().get(tp))
                .map(|p| p.isr.clone())
                .unwrap_or_default();
            let (mut a, mut g) = (isr.clone(), got.clone());
            a.sort_unstable();
            g.sort_unstable();
            let show = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
            if a == g {
                Ok(())
            } else {
                Err(format!(
                    "expected the ISR of {tp} to be {}, but it is {}",
                    show(isr),
                    show(&got)
                ))
            }
        }
        Condition::Acked { tp, count } => {
            let got = w
                .producer(1)
                .and_then(|p| p.stats().get(tp))
                .map_or(0, |s| s.acked);
            equal(
                format!("the records of {tp} acked to producer1"),
                *count,
                got,
            )
        }
        Condition::Consumed { tp, count } => {
            let got = w
                .consumer(1)
                .and_then(|c| c.consumed().get(tp))
                .map_or(0, |v| v.len() as u64);
            equal(
                format!("the records of {tp} consumed by consumer1"),
                *count,
                got,
            )
        }
    }
}
