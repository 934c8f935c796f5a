//! What only the past tells about a group: its total lag over time ([`lag_series`]) and,
//! from one pass over the trace, its latest rebalance (who gave up or got what, which
//! round) and the order its applications processed records in.

use super::*;

/// The group's total lag over time, from the trace: at each committed offset
/// (`GroupChange::Committed`) or high watermark move (`KafkaChange::HighWatermark`, the
/// highest any replica reported) of a partition the group committed, the sum over those
/// partitions of high watermark − committed offset. One point per change of the total,
/// plus the first commit's; empty before the group commits.
pub fn lag_series(trace: &[TraceEvent], group: &str) -> Vec<LagPoint> {
    let mut hw: BTreeMap<(&TopicPartition, u32), u64> = BTreeMap::new();
    let mut committed: BTreeMap<&TopicPartition, u64> = BTreeMap::new();
    let mut out: Vec<LagPoint> = Vec::new();
    for e in trace {
        let EventKind::Change {
            node,
            change: Change::Kafka(c),
        } = &e.kind
        else {
            continue;
        };
        match c {
            KafkaChange::HighWatermark { tp, hw: h } => {
                hw.insert((tp, node.number()), *h);
                if !committed.contains_key(tp) {
                    continue;
                }
            }
            KafkaChange::Group(GroupChange::Committed { group: g, offsets }) if g == group => {
                for (tp, o) in offsets {
                    committed.insert(tp, *o);
                }
            }
            _ => continue,
        }
        let total: u64 = committed
            .iter()
            .map(|(tp, c)| {
                let end = hw
                    .range((*tp, 0)..=(*tp, u32::MAX))
                    .map(|(_, h)| *h)
                    .max()
                    .unwrap_or(0);
                end.saturating_sub(*c)
            })
            .sum();
        match out.last_mut() {
            Some(last) if last.lag == total => {}
            Some(last) if last.time == e.time => last.lag = total,
            _ => out.push(LagPoint {
                time: e.time,
                lag: total,
            }),
        }
    }
    out
}

/// What the trace says about a group's latest rebalance and its ledgers' order.
#[derive(Default)]
pub(super) struct History {
    /// Consumer → partition → what happened to it last in the latest rebalance: assigned
    /// (true), or revoked or lost (false).
    pub(super) moves: BTreeMap<u32, BTreeMap<TopicPartition, bool>>,
    /// Rounds (`Rebalancing` changes) in the latest rebalance.
    pub(super) round: u32,
    /// (consumer, records) in the order the applications processed them.
    pub(super) processed: Vec<(u32, u64)>,
    /// The latest membership event of the group.
    pub(super) last: Option<u64>,
    /// A member revoked partitions on taking its assignment after the latest `Stable`
    /// and the next round has not started: it will rejoin (cooperative).
    pub(super) rejoining: bool,
}

/// One pass over the trace. A rebalance starts with the first `Rebalancing`, revocation
/// or loss after the group was `Stable` with nothing revoked since. A revocation that
/// comes with an assignment (`onJoinComplete`: the cooperative protocol gives up what the
/// first round took away, then rejoins) keeps the rebalance open, so the second round
/// belongs to the same rebalance.
pub(super) fn history(trace: &[TraceEvent], group: &str, members: &BTreeSet<u32>) -> History {
    fn reset(h: &mut History, settled: &mut bool) {
        if *settled {
            h.moves.clear();
            h.round = 0;
            *settled = false;
        }
    }
    let mut h = History::default();
    let mut settled = true;
    for (i, e) in trace.iter().enumerate() {
        let EventKind::Change {
            node,
            change: Change::Kafka(c),
        } = &e.kind
        else {
            continue;
        };
        let consumer = match node {
            NodeId::Consumer(n) if members.contains(n) => Some(*n),
            _ => None,
        };
        match (c, consumer) {
            (KafkaChange::Group(GroupChange::Rebalancing { group: g, .. }), _) if g == group => {
                reset(&mut h, &mut settled);
                h.round += 1;
                h.rejoining = false;
            }
            (KafkaChange::Group(GroupChange::Stable { group: g, .. }), _) if g == group => {
                settled = true;
                h.rejoining = false;
            }
            (
                KafkaChange::Group(GroupChange::Joined { group: g, .. })
                | KafkaChange::Group(GroupChange::MemberRemoved { group: g, .. }),
                _,
            ) if g == group => {}
            (
                KafkaChange::Group(GroupChange::Partitions {
                    what, partitions, ..
                }),
                Some(n),
            ) => {
                let gained = what == "assigned";
                if !gained {
                    if what == "revoked" && with_assignment(&trace[i + 1..], e.time, *node) {
                        settled = false;
                        h.rejoining = true;
                    } else {
                        reset(&mut h, &mut settled);
                    }
                }
                let moves = h.moves.entry(n).or_default();
                for tp in partitions {
                    moves.insert(tp.clone(), gained);
                }
            }
            (KafkaChange::Consumed { count, .. }, Some(n)) => {
                h.processed.push((n, *count));
                continue;
            }
            _ => continue,
        }
        h.last = Some(e.seq);
    }
    h
}

/// An `assigned` change of `node` follows at the same time (the revocation was part of
/// `onJoinComplete`, not of `onJoinPrepare`).
fn with_assignment(rest: &[TraceEvent], time: u64, node: NodeId) -> bool {
    rest.iter().take_while(|e| e.time == time).any(|e| {
        matches!(
            &e.kind,
            EventKind::Change {
                node: n,
                change: Change::Kafka(KafkaChange::Group(GroupChange::Partitions { what, .. })),
            } if *n == node && what == "assigned"
        )
    })
}
