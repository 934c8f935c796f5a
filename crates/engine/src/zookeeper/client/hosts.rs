//! `StaticHostProvider` (apache/zookeeper release-3.8.0): the connect string's servers in
//! a shuffled order, tried round robin. A client that has gone once around the list
//! without connecting waits `spinDelay` (1 s) before trying the server it last connected
//! to again.

use crate::sim::rng::SimRng;
use serde::Serialize;

/// The servers a client tries, in its own shuffled order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostProvider {
    /// Server sids in the order tried.
    pub hosts: Vec<u32>,
    current: i64,
    last: i64,
}

impl HostProvider {
    /// The hosts of a connect string, shuffled (`Collections.shuffle` with the seeded RNG).
    pub fn new(hosts: &[u32], rng: &mut SimRng) -> HostProvider {
        let mut hosts = hosts.to_vec();
        for i in (1..hosts.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            hosts.swap(i, j);
        }
        HostProvider {
            hosts,
            current: -1,
            last: -1,
        }
    }

    /// How many servers.
    pub fn size(&self) -> u32 {
        self.hosts.len() as u32
    }

    /// `next(spinDelay)`: the next server, and whether to wait the spin delay first (the
    /// list came round to the server last connected to). The very first call never waits.
    pub fn next_host(&mut self) -> (u32, bool) {
        self.current += 1;
        if self.current as usize >= self.hosts.len() {
            self.current = 0;
        }
        let wait = self.current == self.last;
        if self.last == -1 {
            self.last = 0;
        }
        (self.hosts[self.current as usize], wait)
    }

    /// `onConnected`: remember where the client connected.
    pub fn on_connected(&mut self) {
        self.last = self.current;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_robin_with_a_spin_after_a_full_circle() {
        let mut rng = SimRng::new(1);
        let mut h = HostProvider::new(&[1, 2, 3], &mut rng);
        let order = h.hosts.clone();
        let (first, wait) = h.next_host();
        assert_eq!((first, wait), (order[0], false));
        assert_eq!(h.next_host(), (order[1], false));
        assert_eq!(h.next_host(), (order[2], false));
        assert_eq!(h.next_host(), (order[0], true), "back at the start: spin");
        h.on_connected();
        assert_eq!(h.next_host(), (order[1], false));
    }
}
