//! The simulated network: latency, loss, partitions, per-link delays and drop rules.
//!
//! Links behave like TCP connections: messages from one node to another arrive in the
//! order they were sent (a message never overtakes an earlier one on the same link), and
//! a message is either delivered whole or lost. Faults are checked twice: loss and
//! `drop ... next N` rules decide at send time, partitions and crashed receivers at
//! delivery time, so a partition also cuts messages already in flight (as in turmoil).

use crate::ids::NodeId;
use crate::sim::rng::SimRng;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Why a message never reached its receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// Random loss (`net loss N%`).
    Loss,
    /// A `drop A->B next N` rule consumed it.
    Rule,
    /// The link was cut by a partition when the message arrived.
    Partitioned,
    /// The receiver was down when the message arrived.
    NodeDown,
}

/// Network settings and active faults. All times are virtual milliseconds.
#[derive(Clone, Debug, Serialize)]
pub struct Network {
    /// Smallest one-way latency of a message, ms.
    pub latency_min_ms: u64,
    /// Largest one-way latency of a message, ms.
    pub latency_max_ms: u64,
    /// Random loss, in percent (0..=100).
    pub loss_percent: u32,
    /// Directed cuts: a message from `.0` to `.1` is lost while the cut exists.
    pub cuts: BTreeSet<(NodeId, NodeId)>,
    /// Extra latency added to every message on a directed link, ms.
    pub delays: BTreeMap<(NodeId, NodeId), u64>,
    /// How many of the next messages on a directed link will be dropped.
    pub drop_next: BTreeMap<(NodeId, NodeId), u32>,
    /// Delivery time of the last message sent on each link (keeps links FIFO).
    #[serde(skip)]
    last_arrival: BTreeMap<(NodeId, NodeId), u64>,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            latency_min_ms: 5,
            latency_max_ms: 20,
            loss_percent: 0,
            cuts: BTreeSet::new(),
            delays: BTreeMap::new(),
            drop_next: BTreeMap::new(),
            last_arrival: BTreeMap::new(),
        }
    }
}

/// What the network decided for one message at send time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    /// Virtual time at which the message reaches the receiver (or is dropped), ms.
    pub arrive_at: u64,
    /// Set when the message is already doomed at send time.
    pub doomed: Option<DropReason>,
}

impl Network {
    /// Routes a message sent at `now` from `from` to `to`. A message to oneself is
    /// delivered at once and cannot be lost (it never leaves the process).
    pub fn route(&mut self, rng: &mut SimRng, now: u64, from: NodeId, to: NodeId) -> Route {
        if from == to {
            return Route {
                arrive_at: now,
                doomed: None,
            };
        }
        let link = (from, to);
        let base = rng.between(self.latency_min_ms, self.latency_max_ms);
        let extra = self.delays.get(&link).copied().unwrap_or(0);
        let earliest = self.last_arrival.get(&link).copied().unwrap_or(0);
        let arrive_at = now.saturating_add(base).saturating_add(extra).max(earliest);
        self.last_arrival.insert(link, arrive_at);
        let doomed = if let Some(n) = self.drop_next.get_mut(&link) {
            *n -= 1;
            if *n == 0 {
                self.drop_next.remove(&link);
            }
            Some(DropReason::Rule)
        } else if self.loss_percent > 0 && rng.chance(self.loss_percent, 100) {
            Some(DropReason::Loss)
        } else {
            None
        };
        Route { arrive_at, doomed }
    }

    /// True when a partition cuts messages from `from` to `to`.
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.cuts.contains(&(from, to))
    }

    /// Cuts every link between nodes of different groups, both ways.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        for (i, a) in groups.iter().enumerate() {
            for (j, b) in groups.iter().enumerate() {
                if i != j {
                    for &x in a {
                        for &y in b {
                            if x != y {
                                self.cuts.insert((x, y));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Cuts links one way only: messages from each of `from` to each of `to` are lost.
    pub fn cut_one_way(&mut self, from: &[NodeId], to: &[NodeId]) {
        for &x in from {
            for &y in to {
                if x != y {
                    self.cuts.insert((x, y));
                }
            }
        }
    }

    /// Removes every partition, delay and drop rule. Latency and loss settings stay.
    pub fn heal(&mut self) {
        self.cuts.clear();
        self.delays.clear();
        self.drop_next.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zk(n: u32) -> NodeId {
        NodeId::Zk(n)
    }

    #[test]
    fn links_are_fifo() {
        let mut net = Network {
            latency_min_ms: 1,
            latency_max_ms: 100,
            ..Default::default()
        };
        let mut rng = SimRng::new(1);
        let mut last = 0;
        for now in 0..200 {
            let r = net.route(&mut rng, now, zk(1), zk(2));
            assert!(r.arrive_at >= last, "message overtook an earlier one");
            last = r.arrive_at;
        }
    }

    #[test]
    fn partition_cuts_both_ways_between_groups_only() {
        let mut net = Network::default();
        net.partition(&[vec![zk(1), zk(2)], vec![zk(3)]]);
        assert!(net.is_cut(zk(1), zk(3)) && net.is_cut(zk(3), zk(2)));
        assert!(!net.is_cut(zk(1), zk(2)));
        net.heal();
        assert!(!net.is_cut(zk(1), zk(3)));
    }

    #[test]
    fn one_way_cut() {
        let mut net = Network::default();
        net.cut_one_way(&[zk(1)], &[zk(2)]);
        assert!(net.is_cut(zk(1), zk(2)));
        assert!(!net.is_cut(zk(2), zk(1)));
    }

    #[test]
    fn drop_rule_takes_exactly_n() {
        let mut net = Network::default();
        let mut rng = SimRng::new(1);
        net.drop_next.insert((zk(1), zk(2)), 2);
        let doomed: Vec<_> = (0..4)
            .map(|t| net.route(&mut rng, t, zk(1), zk(2)).doomed)
            .collect();
        assert_eq!(
            doomed,
            vec![Some(DropReason::Rule), Some(DropReason::Rule), None, None]
        );
    }

    #[test]
    fn delay_adds_latency() {
        let mut net = Network {
            latency_min_ms: 10,
            latency_max_ms: 10,
            ..Default::default()
        };
        let mut rng = SimRng::new(1);
        net.delays.insert((zk(1), zk(2)), 300);
        assert_eq!(net.route(&mut rng, 0, zk(1), zk(2)).arrive_at, 310);
        assert_eq!(net.route(&mut rng, 0, zk(2), zk(1)).arrive_at, 10);
    }

    #[test]
    fn self_messages_are_instant_and_safe() {
        let mut net = Network {
            loss_percent: 100,
            ..Default::default()
        };
        let mut rng = SimRng::new(1);
        let r = net.route(&mut rng, 42, zk(1), zk(1));
        assert_eq!(
            r,
            Route {
                arrive_at: 42,
                doomed: None
            }
        );
    }
}
