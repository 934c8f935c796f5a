//! How a broker's host moves fetched bytes from a segment file to the network, the "why
//! Kafka is fast" story as counted fact (reference/protocol-facts.md section 13; Kafka's
//! docs/design.html "Efficient transfer"; `FileRecords.writeTo` →
//! `FileChannel.transferTo`, which is `sendfile(2)` on Linux, apache/kafka 3.8):
//! - `read()` + `write()`: 2 system calls, 4 user/kernel context switches, the data copied
//!   disk → page cache (DMA, only on a page cache miss), page cache → user buffer (CPU),
//!   user buffer → socket buffer (CPU), socket buffer → NIC (DMA);
//! - `mmap()` + `write()`: 2 system calls, 4 switches; page cache → socket buffer is the one
//!   CPU copy, the user buffer is the mapped page cache itself;
//! - `sendfile()`: 1 system call, 2 switches; page cache → socket buffer (CPU) and → NIC
//!   (DMA); the data never enters user space. (With a NIC that gathers, Linux replaces the
//!   CPU copy by descriptors: 0 CPU copies. TLS disables sendfile in Kafka:
//!   `SslTransportLayer.transferFrom` reads into a buffer and encrypts in user space.)
//!
//! The page cache is the host's: an LRU of 4 KiB pages of segment files. An append writes
//! through it (the pages become cached), a read of cached pages needs no disk, a miss reads
//! from disk by DMA first. It survives a process crash and is empty after a power cut.
//! Its size is the host's memory for it (`page.cache.bytes`, an engine setting; Kafka
//! relies on the OS and has no such setting).

use crate::kafka::topic::TopicPartition;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A page of the page cache, 4096 bytes.
pub const PAGE: u64 = 4096;

/// The host's page cache over segment files.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PageCache {
    /// (partition, segment base, page number) → last use.
    pages: BTreeMap<(TopicPartition, u64, u64), u64>,
    /// Last use → page, for eviction of the least recently used.
    by_use: BTreeMap<u64, (TopicPartition, u64, u64)>,
    clock: u64,
}

impl PageCache {
    fn touch(&mut self, key: (TopicPartition, u64, u64), capacity_pages: u64) -> bool {
        self.clock += 1;
        let hit = match self.pages.insert(key.clone(), self.clock) {
            Some(old) => {
                self.by_use.remove(&old);
                true
            }
            None => false,
        };
        self.by_use.insert(self.clock, key);
        while self.pages.len() as u64 > capacity_pages.max(1) {
            let Some((_, k)) = self.by_use.pop_first() else {
                break;
            };
            self.pages.remove(&k);
        }
        hit
    }

    /// Uses the pages of `[from, to)` (byte positions) of a segment file; returns (hits,
    /// misses) in pages. A write makes its pages cached too (the returned counts are then
    /// of no interest).
    pub fn access(
        &mut self,
        tp: &TopicPartition,
        segment: u64,
        from: u64,
        to: u64,
        capacity_bytes: u64,
    ) -> (u64, u64) {
        let cap = capacity_bytes / PAGE;
        let (mut hits, mut misses) = (0, 0);
        if to <= from {
            return (0, 0);
        }
        for page in from / PAGE..=(to - 1) / PAGE {
            if self.touch((tp.clone(), segment, page), cap) {
                hits += 1;
            } else {
                misses += 1;
            }
        }
        (hits, misses)
    }

    /// Whether a page holding byte `pos` of the segment is cached (no change).
    pub fn cached(&self, tp: &TopicPartition, segment: u64, pos: u64) -> bool {
        self.pages.contains_key(&(tp.clone(), segment, pos / PAGE))
    }

    /// The host lost power.
    pub fn clear(&mut self) {
        *self = PageCache::default();
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }
}

/// A way to send file bytes to a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferPath {
    /// `read()` into a user buffer, then `write()` to the socket.
    ReadWrite,
    /// `mmap()` the file, then `write()` from the mapping.
    MmapWrite,
    /// `sendfile()`: file to socket inside the kernel (Kafka's `transferTo`).
    Sendfile,
}

/// Where bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// The disk.
    Disk,
    /// The kernel's page cache.
    PageCache,
    /// The application's buffer (user space).
    UserBuffer,
    /// The socket's send buffer (kernel).
    SocketBuffer,
    /// The network card.
    Nic,
}

/// A system call of a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// `read(2)`
    Read,
    /// `write(2)`
    Write,
    /// `mmap(2)`
    Mmap,
    /// `sendfile(2)`
    Sendfile,
}

impl Call {
    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Call::Read => "read",
            Call::Write => "write",
            Call::Mmap => "mmap",
            Call::Sendfile => "sendfile",
        }
    }
}

/// One step of a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// A system call: a switch from user to kernel mode.
    Syscall {
        /// The call.
        name: Call,
    },
    /// A copy by the DMA engine (no CPU).
    Dma {
        /// From.
        from: Place,
        /// To.
        to: Place,
    },
    /// A copy by the CPU.
    Cpu {
        /// From.
        from: Place,
        /// To.
        to: Place,
    },
    /// The system call returns: kernel to user mode.
    Return {
        /// The call.
        name: Call,
    },
}

/// The counts of a transfer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Copies by DMA.
    pub dma_copies: u32,
    /// Copies by the CPU.
    pub cpu_copies: u32,
    /// User/kernel context switches.
    pub context_switches: u32,
    /// System calls.
    pub syscalls: u32,
}

impl TransferPath {
    /// All three, in the order the playground shows them.
    pub const ALL: [TransferPath; 3] = [
        TransferPath::ReadWrite,
        TransferPath::MmapWrite,
        TransferPath::Sendfile,
    ];

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            TransferPath::ReadWrite => "read+write",
            TransferPath::MmapWrite => "mmap+write",
            TransferPath::Sendfile => "sendfile",
        }
    }

    /// The steps of sending one file region; `miss` when some of it is not in the page
    /// cache (then the disk is read by DMA first).
    pub fn steps(self, miss: bool) -> Vec<Step> {
        use Place::*;
        let disk = Step::Dma {
            from: Disk,
            to: PageCache,
        };
        let nic = Step::Dma {
            from: SocketBuffer,
            to: Nic,
        };
        let mut v = Vec::new();
        match self {
            TransferPath::ReadWrite => {
                v.push(Step::Syscall { name: Call::Read });
                if miss {
                    v.push(disk);
                }
                v.push(Step::Cpu {
                    from: PageCache,
                    to: UserBuffer,
                });
                v.push(Step::Return { name: Call::Read });
                v.push(Step::Syscall { name: Call::Write });
                v.push(Step::Cpu {
                    from: UserBuffer,
                    to: SocketBuffer,
                });
                v.push(nic);
                v.push(Step::Return { name: Call::Write });
            }
            TransferPath::MmapWrite => {
                v.push(Step::Syscall { name: Call::Mmap });
                v.push(Step::Return { name: Call::Mmap });
                v.push(Step::Syscall { name: Call::Write });
                if miss {
                    v.push(disk); // the page fault reads the page in
                }
                v.push(Step::Cpu {
                    from: PageCache,
                    to: SocketBuffer,
                });
                v.push(nic);
                v.push(Step::Return { name: Call::Write });
            }
            TransferPath::Sendfile => {
                v.push(Step::Syscall {
                    name: Call::Sendfile,
                });
                if miss {
                    v.push(disk);
                }
                v.push(Step::Cpu {
                    from: PageCache,
                    to: SocketBuffer,
                });
                v.push(nic);
                v.push(Step::Return {
                    name: Call::Sendfile,
                });
            }
        }
        v
    }
}

/// Counts the steps.
pub fn count(steps: &[Step]) -> Counts {
    let mut c = Counts::default();
    for s in steps {
        match s {
            Step::Syscall { .. } => {
                c.syscalls += 1;
                c.context_switches += 1;
            }
            Step::Return { .. } => c.context_switches += 1,
            Step::Dma { .. } => c.dma_copies += 1,
            Step::Cpu { .. } => c.cpu_copies += 1,
        }
    }
    c
}

/// A fetch served the three ways: the bytes, the page cache's answer, and each path's
/// steps and counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServedFetch {
    /// Bytes sent.
    pub bytes: u64,
    /// Pages found in the page cache.
    pub cache_hits: u64,
    /// Pages read from disk.
    pub cache_misses: u64,
    /// Each path with its steps and counts.
    pub paths: Vec<(TransferPath, Vec<Step>, Counts)>,
}

/// The three ways of sending `bytes` with the page cache's `hits` and `misses`.
pub fn serve(bytes: u64, hits: u64, misses: u64) -> ServedFetch {
    ServedFetch {
        bytes,
        cache_hits: hits,
        cache_misses: misses,
        paths: TransferPath::ALL
            .into_iter()
            .map(|p| {
                let steps = p.steps(misses > 0);
                let c = count(&steps);
                (p, steps, c)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_the_classic_figures() {
        // protocol-facts.md section 13: read+write 4 copies (2 DMA + 2 CPU), 4 switches,
        // 2 calls; mmap+write 3 copies (2 DMA + 1 CPU), 4 switches; sendfile 3 copies
        // (2 DMA + 1 CPU), 2 switches, 1 call.
        let c = |p: TransferPath| count(&p.steps(true));
        assert_eq!(
            c(TransferPath::ReadWrite),
            Counts {
                dma_copies: 2,
                cpu_copies: 2,
                context_switches: 4,
                syscalls: 2
            }
        );
        assert_eq!(
            c(TransferPath::MmapWrite),
            Counts {
                dma_copies: 2,
                cpu_copies: 1,
                context_switches: 4,
                syscalls: 2
            }
        );
        assert_eq!(
            c(TransferPath::Sendfile),
            Counts {
                dma_copies: 2,
                cpu_copies: 1,
                context_switches: 2,
                syscalls: 1
            }
        );
        assert_eq!(count(&TransferPath::Sendfile.steps(false)).dma_copies, 1);
    }

    #[test]
    fn the_page_cache_keeps_recent_pages() {
        let tp = TopicPartition::new("t", 0);
        let mut pc = PageCache::default();
        let cap = 4 * PAGE;
        pc.access(&tp, 0, 0, 8 * PAGE, cap); // written: only the last 4 pages stay
        assert_eq!(
            pc.access(&tp, 0, 6 * PAGE, 8 * PAGE, cap),
            (2, 0),
            "recent: hits"
        );
        assert_eq!(pc.access(&tp, 0, 0, 2 * PAGE, cap), (0, 2), "old: misses");
        pc.clear();
        assert!(pc.is_empty());
    }
}
