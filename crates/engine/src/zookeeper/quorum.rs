//! Majority quorums (`QuorumMaj` in apache/zookeeper).

use std::collections::BTreeSet;

/// The voting members of an ensemble. Observers are not voting members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuorumMaj {
    voters: BTreeSet<u32>,
}

impl QuorumMaj {
    /// A verifier over the given voting sids.
    pub fn new(voters: impl IntoIterator<Item = u32>) -> Self {
        QuorumMaj {
            voters: voters.into_iter().collect(),
        }
    }

    /// True when `sid` is a voting member (`validVoter` / `getWeight(sid) > 0`).
    pub fn is_voter(&self, sid: u32) -> bool {
        self.voters.contains(&sid)
    }

    /// The voting sids, ascending.
    pub fn voters(&self) -> &BTreeSet<u32> {
        &self.voters
    }

    /// How many voters make a quorum: more than half (`containsQuorum`: `size > half`).
    /// 3 servers need 2, 4 need 3, 5 need 3.
    pub fn quorum_size(&self) -> usize {
        self.voters.len() / 2 + 1
    }

    /// True when the voters among `acks` are more than half of all voters.
    pub fn contains_quorum<'a>(&self, acks: impl IntoIterator<Item = &'a u32>) -> bool {
        let n = acks.into_iter().filter(|s| self.voters.contains(s)).count();
        n > self.voters.len() / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_arithmetic() {
        assert_eq!(QuorumMaj::new(1..=3).quorum_size(), 2);
        assert_eq!(QuorumMaj::new(1..=4).quorum_size(), 3);
        assert_eq!(QuorumMaj::new(1..=5).quorum_size(), 3);
        assert_eq!(QuorumMaj::new(1..=2).quorum_size(), 2);
    }

    #[test]
    fn non_voters_do_not_count() {
        let q = QuorumMaj::new([1, 2, 3]);
        assert!(!q.contains_quorum(&[1, 6, 7]));
        assert!(q.contains_quorum(&[1, 3, 6]));
    }
}
