//! The simulated network under the connections: latency, loss, partitions and per-link
//! delays.
//!
//! Every channel is TCP (see [`crate::sim::conn`]), so the network never loses a segment
//! for good and never reorders one:
//! - `net loss N%` makes each transmission of a segment fail with that probability; a lost
//!   transmission is sent again after the retransmission timeout, 200 ms at first
//!   (`TCP_RTO_MIN`) and doubling up to 120 s (`TCP_RTO_MAX`), so loss makes a link slow.
//!   After 15 retransmissions (`tcp_retries2`) TCP gives up and the connection times out.
//! - A partition (`partition`) is silent: nothing passes, and the sender's kernel keeps what
//!   it sent; on `heal` it is delivered, in order.
//! - `delay a->b D` adds D to every segment on that directed link.
//!
//! ZAB's correctness assumes exactly this: `Zab.tla` models reliable FIFO channels.

use crate::ids::NodeId;
use crate::sim::rng::SimRng;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// `TCP_RTO_MIN`: the first retransmission timeout on a LAN, ms.
pub const RTO_MIN_MS: u64 = 200;
/// `TCP_RTO_MAX`: the retransmission timeout stops doubling here, ms.
pub const RTO_MAX_MS: u64 = 120_000;
/// `tcp_retries2`: retransmissions before TCP gives up on a connection.
pub const MAX_RETRANSMISSIONS: u32 = 15;

/// Why a data segment was never delivered (on TCP only a closed or dead end loses data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The receiving end of the connection was already closed.
    Closed,
    /// The connection was aborted (refused, reset, timed out) before the data got through.
    Aborted,
    /// The sending host lost power while the data waited in its send buffer.
    SenderDown,
}

/// Network settings and active faults. All times are virtual milliseconds.
#[derive(Clone, Debug, Serialize)]
pub struct Network {
    /// Smallest one-way latency of a segment, ms.
    pub latency_min_ms: u64,
    /// Largest one-way latency of a segment, ms.
    pub latency_max_ms: u64,
    /// Chance that one transmission of a segment is lost, in percent (0..=100).
    pub loss_percent: u32,
    /// Directed cuts: nothing passes from `.0` to `.1` while the cut exists.
    pub cuts: BTreeSet<(NodeId, NodeId)>,
    /// Extra latency added to every segment on a directed link, ms.
    pub delays: BTreeMap<(NodeId, NodeId), u64>,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            latency_min_ms: 5,
            latency_max_ms: 20,
            loss_percent: 0,
            cuts: BTreeSet::new(),
            delays: BTreeMap::new(),
        }
    }
}

/// How one segment crosses the network, decided when it is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transit {
    /// Time on the wire, ms: latency, link delay and retransmission timeouts.
    pub delay_ms: u64,
    /// Transmissions that were lost before one got through.
    pub retransmits: u32,
    /// True when every transmission was lost: TCP gives up after `delay_ms`.
    pub gave_up: bool,
}

impl Network {
    /// Draws how a segment from `from` to `to` crosses: one latency draw, the link's delay,
    /// and for each lost transmission the retransmission timeout (200 ms, doubling).
    pub fn transit(&self, rng: &mut SimRng, from: NodeId, to: NodeId) -> Transit {
        let base = rng.between(self.latency_min_ms, self.latency_max_ms);
        let extra = self.delays.get(&(from, to)).copied().unwrap_or(0);
        let mut delay_ms = base.saturating_add(extra);
        let mut retransmits = 0;
        let mut rto = RTO_MIN_MS;
        if self.loss_percent > 0 {
            while rng.chance(self.loss_percent, 100) {
                if retransmits == MAX_RETRANSMISSIONS {
                    return Transit {
                        delay_ms,
                        retransmits,
                        gave_up: true,
                    };
                }
                delay_ms = delay_ms.saturating_add(rto);
                rto = (rto * 2).min(RTO_MAX_MS);
                retransmits += 1;
            }
        }
        Transit {
            delay_ms,
            retransmits,
            gave_up: false,
        }
    }

    /// A latency draw for a control segment that is not data (a RST from a middlebox).
    pub fn latency(&self, rng: &mut SimRng, from: NodeId, to: NodeId) -> u64 {
        let base = rng.between(self.latency_min_ms, self.latency_max_ms);
        base.saturating_add(self.delays.get(&(from, to)).copied().unwrap_or(0))
    }

    /// True when a partition cuts segments from `from` to `to`.
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

    /// Cuts links one way only: nothing passes from each of `from` to each of `to`.
    pub fn cut_one_way(&mut self, from: &[NodeId], to: &[NodeId]) {
        for &x in from {
            for &y in to {
                if x != y {
                    self.cuts.insert((x, y));
                }
            }
        }
    }

    /// Removes every partition and link delay. Latency and loss settings stay.
    pub fn heal(&mut self) {
        self.cuts.clear();
        self.delays.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zk(n: u32) -> NodeId {
        NodeId::Zk(n)
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
    fn delay_adds_latency() {
        let mut net = Network {
            latency_min_ms: 10,
            latency_max_ms: 10,
            ..Default::default()
        };
        let mut rng = SimRng::new(1);
        net.delays.insert((zk(1), zk(2)), 300);
        assert_eq!(net.transit(&mut rng, zk(1), zk(2)).delay_ms, 310);
        assert_eq!(net.transit(&mut rng, zk(2), zk(1)).delay_ms, 10);
    }

    #[test]
    fn loss_delays_by_doubling_timeouts_and_never_loses() {
        let net = Network {
            latency_min_ms: 10,
            latency_max_ms: 10,
            loss_percent: 50,
            ..Default::default()
        };
        let mut rng = SimRng::new(3);
        let mut seen_retransmit = false;
        for _ in 0..2000 {
            let t = net.transit(&mut rng, zk(1), zk(2));
            // 10 ms + 200 + 400 + ... (at most 120 s each) for each lost transmission.
            let want: u64 = 10
                + (0..t.retransmits)
                    .map(|k| (200u64 << k).min(RTO_MAX_MS))
                    .sum::<u64>();
            if !t.gave_up {
                assert_eq!(t.delay_ms, want);
            }
            seen_retransmit |= t.retransmits > 0;
        }
        assert!(seen_retransmit);
    }

    #[test]
    fn total_loss_times_the_connection_out() {
        let net = Network {
            loss_percent: 100,
            ..Default::default()
        };
        let t = net.transit(&mut SimRng::new(1), zk(1), zk(2));
        assert!(t.gave_up);
        assert_eq!(t.retransmits, MAX_RETRANSMISSIONS);
    }
}
