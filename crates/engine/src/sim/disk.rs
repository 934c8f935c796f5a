//! What a host's page cache does with writes that were not fsynced (Linux defaults).
//!
//! A `write()` lands in the page cache and is durable only once it reaches the disk: by an
//! explicit fsync, or when the kernel's flusher threads, which wake every
//! `vm.dirty_writeback_centisecs` (500 = 5 s), find the page dirty for longer than
//! `vm.dirty_expire_centisecs` (3000 = 30 s). A process crash loses nothing that was
//! written (the OS keeps the page cache); a power cut loses every page not yet written
//! back. The flusher's wake-ups are modelled at multiples of 5 s of virtual time.

/// `vm.dirty_expire_centisecs` = 3000: a dirty page older than this is written back, ms.
pub const DIRTY_EXPIRE_MS: u64 = 30_000;
/// `vm.dirty_writeback_centisecs` = 500: how often the flusher threads wake, ms.
pub const DIRTY_WRITEBACK_MS: u64 = 5_000;

/// When a page dirtied at `dirtied_at` (ms) reaches the disk without an fsync: the first
/// flusher wake-up at which it is older than [`DIRTY_EXPIRE_MS`].
pub fn written_back_at(dirtied_at: u64) -> u64 {
    let due = dirtied_at.saturating_add(DIRTY_EXPIRE_MS);
    due.div_ceil(DIRTY_WRITEBACK_MS)
        .saturating_mul(DIRTY_WRITEBACK_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_reach_the_disk_30_to_35_seconds_after_the_write() {
        assert_eq!(written_back_at(0), 30_000);
        assert_eq!(written_back_at(1), 35_000);
        assert_eq!(written_back_at(4_999), 35_000);
        assert_eq!(written_back_at(5_000), 35_000);
        for t in [0, 17, 2_500, 123_456] {
            let w = written_back_at(t);
            assert!(w >= t + DIRTY_EXPIRE_MS && w < t + DIRTY_EXPIRE_MS + DIRTY_WRITEBACK_MS);
        }
    }
}
