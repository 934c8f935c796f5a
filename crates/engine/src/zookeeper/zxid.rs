//! zxid arithmetic: a 64-bit transaction id with the leader epoch in the high 32 bits and
//! a counter in the low 32 bits (`ZxidUtils` in apache/zookeeper).

/// Builds a zxid from an epoch and a counter (`ZxidUtils.makeZxid`).
pub fn make_zxid(epoch: u64, counter: u64) -> u64 {
    (epoch << 32) | (counter & 0xffff_ffff)
}

/// The epoch part of a zxid (`ZxidUtils.getEpochFromZxid`).
pub fn epoch_of(zxid: u64) -> u64 {
    zxid >> 32
}

/// The counter part of a zxid (`ZxidUtils.getCounterFromZxid`).
pub fn counter_of(zxid: u64) -> u64 {
    zxid & 0xffff_ffff
}

/// Formats a zxid the way ZooKeeper logs it: `0x` and lowercase hex, no padding
/// (`Long.toHexString`).
pub fn hex(zxid: u64) -> String {
    format!("0x{zxid:x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip() {
        let z = make_zxid(1, 7);
        assert_eq!(z, 0x1_0000_0007);
        assert_eq!((epoch_of(z), counter_of(z)), (1, 7));
        assert_eq!(hex(z), "0x100000007");
        assert_eq!(hex(0), "0x0");
    }

    #[test]
    fn counter_is_masked() {
        assert_eq!(make_zxid(2, 0x1_0000_0001), make_zxid(2, 1));
    }
}
