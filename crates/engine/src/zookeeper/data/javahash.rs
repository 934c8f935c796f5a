//! The iteration order of a Java `HashSet<String>`, where ZooKeeper lets it show: the
//! ephemerals of a session (`getEphemerals` prints them in that order; `closeSession`
//! deletes them in it).
//!
//! A `HashMap` keeps its entries in `capacity` buckets, chosen by
//! `(h ^ (h >>> 16)) & (capacity − 1)` of `String.hashCode()`; within a bucket, in
//! insertion order. The table starts at 16 buckets and doubles when it holds more than
//! three quarters of its capacity; it never shrinks, and a resize keeps the relative order
//! within each bucket. `clone()` builds a new table sized for the current count.

use serde::Serialize;

/// `String.hashCode()`: over UTF-16 code units, `h = 31 * h + c`.
pub fn string_hash(s: &str) -> u32 {
    s.encode_utf16()
        .fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)))
}

fn bucket(s: &str, cap: u32) -> u32 {
    let h = string_hash(s);
    (h ^ (h >> 16)) & (cap - 1)
}

/// `HashMap.tableSizeFor`: the power of two at or above `c` (at least 1).
fn table_size_for(c: u32) -> u32 {
    c.max(1).next_power_of_two()
}

/// A set of strings that iterates as a `java.util.HashSet` would.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JavaHashSet {
    cap: u32,
    /// Members in insertion order.
    items: Vec<String>,
}

impl Default for JavaHashSet {
    fn default() -> Self {
        JavaHashSet {
            cap: 16,
            items: Vec::new(),
        }
    }
}

impl JavaHashSet {
    /// Adds `s` (a member already there keeps its place).
    pub fn insert(&mut self, s: &str) {
        if self.contains(s) {
            return;
        }
        self.items.push(s.to_string());
        while self.items.len() as u32 > self.cap / 4 * 3 {
            self.cap *= 2;
        }
    }

    /// Removes `s`.
    pub fn remove(&mut self, s: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|x| x != s);
        self.items.len() != before
    }

    /// True when `s` is a member.
    pub fn contains(&self, s: &str) -> bool {
        self.items.iter().any(|x| x == s)
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The members in the set's iteration order.
    pub fn iter_order(&self) -> Vec<String> {
        let mut v = self.items.clone();
        v.sort_by_key(|s| bucket(s, self.cap));
        v
    }

    /// The iteration order of `clone()` (or `new HashSet<>(this)`): a table sized for the
    /// current count, filled in this set's iteration order.
    pub fn clone_order(&self) -> Vec<String> {
        let n = self.items.len() as u32;
        let cap = if n == 0 {
            16
        } else {
            table_size_for((n as f64 / 0.75 + 1.0) as u32)
        };
        let mut v = self.iter_order();
        v.sort_by_key(|s| bucket(s, cap));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_codes_match_java() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        // "hello".hashCode() == 99162322
        assert_eq!(string_hash("hello"), 99_162_322);
    }

    #[test]
    fn get_ephemerals_order_of_the_real_server() {
        // tests/zkcli/expected/22-ephemerals.out, recorded on ZooKeeper 3.8.0.
        let mut s = JavaHashSet::default();
        for p in ["/e1", "/p/e2", "/p/s-0000000001", "/p/alpha", "/zz"] {
            s.insert(p);
        }
        assert_eq!(
            s.clone_order(),
            vec!["/p/s-0000000001", "/p/e2", "/e1", "/p/alpha", "/zz"]
        );
        s.remove("/p/alpha");
        assert_eq!(
            s.clone_order(),
            vec!["/p/s-0000000001", "/p/e2", "/e1", "/zz"]
        );
    }
}
