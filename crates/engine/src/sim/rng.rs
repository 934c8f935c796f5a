//! The world's one source of randomness.
//!
//! `ChaCha8Rng` gives the same stream on every target (unlike `SmallRng`, which picks a
//! different algorithm on 32-bit targets, or `StdRng`, which may change between versions).
//! Ranges are drawn with plain `u64` modulo arithmetic so that no library sampling
//! algorithm can change a trace.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// A seeded deterministic random number generator. Cloning it clones its position.
#[derive(Clone, Debug)]
pub struct SimRng(ChaCha8Rng);

impl SimRng {
    /// A generator seeded from a 64-bit seed (the `--seed` of a run).
    pub fn new(seed: u64) -> Self {
        SimRng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// The next raw 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A value in `0..n`; `0` when `n == 0`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// A value in `lo..=hi` (returns `lo` when `hi <= lo`).
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below(hi - lo + 1)
        }
    }

    /// True with probability `num / den` (integer ratio, no floats).
    pub fn chance(&mut self, num: u32, den: u32) -> bool {
        den > 0 && self.below(u64::from(den)) < u64::from(num)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = SimRng::new(7);
        let mut b = SimRng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn known_first_value_pins_the_algorithm() {
        // If this changes, every recorded trace hash changes too.
        let mut r = SimRng::new(1);
        let first = r.next_u64();
        let mut again = SimRng::new(1);
        assert_eq!(first, again.next_u64());
        assert_ne!(first, SimRng::new(2).next_u64());
    }

    #[test]
    fn between_stays_in_range() {
        let mut r = SimRng::new(3);
        for _ in 0..1000 {
            let v = r.between(5, 20);
            assert!((5..=20).contains(&v));
        }
        assert_eq!(r.between(9, 9), 9);
    }

    #[test]
    fn chance_extremes() {
        let mut r = SimRng::new(4);
        assert!((0..100).all(|_| !r.chance(0, 100)));
        assert!((0..100).all(|_| r.chance(100, 100)));
    }
}
