//! Node metadata: what a server persists per znode (`StatPersisted`), what clients see
//! (`Stat`, from `DataNode.copyStat`), and how zkCli prints it (`StatPrinter`), with
//! apache/zookeeper release-3.8.0 as the source.

use serde::{Deserialize, Serialize};

/// The wall clock of the simulated world at virtual time 0: 2026-01-01T00:00:00Z, in ms
/// since the Unix epoch. ZooKeeper stamps ctime/mtime with the leader's wall clock; the
/// engine's leader stamps `WALL_CLOCK_START_MS + now`.
pub const WALL_CLOCK_START_MS: u64 = 1_767_225_600_000;

/// `EphemeralType.CONTAINER_EPHEMERAL_OWNER` (`Long.MIN_VALUE`).
pub const CONTAINER_OWNER: u64 = 0x8000_0000_0000_0000;
/// The high byte that marks a TTL node's ephemeralOwner (`EphemeralType.TTL`).
pub const TTL_MARK: u64 = 0xff00_0000_0000_0000;
/// The largest TTL (`EphemeralType.MAX_EXTENDED_SERVER_ID`... 40 bits of ms).
pub const MAX_TTL_MS: u64 = 0xff_ffff_ffff;

/// What a server keeps per node (`StatPersisted`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatPersisted {
    /// The zxid that created the node.
    pub czxid: u64,
    /// The zxid that last changed its data.
    pub mzxid: u64,
    /// Created, ms since the Unix epoch.
    pub ctime: u64,
    /// Last data change, ms since the Unix epoch.
    pub mtime: u64,
    /// Data version (changes of its data).
    pub version: i32,
    /// Child creations (the persisted cversion; clients see creations + deletions).
    pub cversion: i32,
    /// ACL version.
    pub aversion: i32,
    /// The owning session of an ephemeral; `CONTAINER_OWNER` or `TTL_MARK | ttl` for the
    /// extended types; 0 for a persistent node.
    pub ephemeral_owner: u64,
    /// The zxid that last added or removed a child.
    pub pzxid: u64,
}

/// What a client sees (`Stat`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stat {
    /// cZxid.
    pub czxid: u64,
    /// mZxid.
    pub mzxid: u64,
    /// ctime, ms since the Unix epoch.
    pub ctime: u64,
    /// mtime, ms since the Unix epoch.
    pub mtime: u64,
    /// dataVersion.
    pub version: i32,
    /// cversion: child creations + deletions (`2 * persisted − numChildren`).
    pub cversion: i32,
    /// aclVersion.
    pub aversion: i32,
    /// ephemeralOwner: the session of an ephemeral, else 0 (also for containers and TTL
    /// nodes, which `getClientEphemeralOwner` masks).
    pub ephemeral_owner: u64,
    /// dataLength, bytes.
    pub data_length: u32,
    /// numChildren.
    pub num_children: u32,
    /// pZxid.
    pub pzxid: u64,
}

/// Whether an ephemeralOwner value is a session (not 0, not a container, not a TTL).
pub fn is_session_owner(owner: u64) -> bool {
    owner != 0 && owner != CONTAINER_OWNER && owner & TTL_MARK != TTL_MARK
}

impl StatPersisted {
    /// `DataNode.copyStat`: the client view with `data_length` bytes and `children`
    /// children.
    pub fn to_stat(&self, data_length: u32, children: u32) -> Stat {
        Stat {
            czxid: self.czxid,
            mzxid: self.mzxid,
            ctime: self.ctime,
            mtime: self.mtime,
            version: self.version,
            cversion: self.cversion.wrapping_mul(2).wrapping_sub(children as i32),
            aversion: self.aversion,
            ephemeral_owner: if is_session_owner(self.ephemeral_owner) {
                self.ephemeral_owner
            } else {
                0
            },
            data_length,
            num_children: children,
            pzxid: self.pzxid,
        }
    }
}

impl Stat {
    /// `StatPrinter.print`: the eleven lines zkCli prints for `stat`, `get -s`, `ls -s`.
    pub fn lines(&self) -> Vec<String> {
        vec![
            format!("cZxid = 0x{:x}", self.czxid),
            format!("ctime = {}", java_date(self.ctime)),
            format!("mZxid = 0x{:x}", self.mzxid),
            format!("mtime = {}", java_date(self.mtime)),
            format!("pZxid = 0x{:x}", self.pzxid),
            format!("cversion = {}", self.cversion),
            format!("dataVersion = {}", self.version),
            format!("aclVersion = {}", self.aversion),
            format!("ephemeralOwner = 0x{:x}", self.ephemeral_owner),
            format!("dataLength = {}", self.data_length),
            format!("numChildren = {}", self.num_children),
        ]
    }
}

/// `java.util.Date.toString()` in UTC: `EEE MMM dd HH:mm:ss zzz yyyy`, e.g.
/// `Thu Jan 01 00:00:00 UTC 2026`.
pub fn java_date(ms: u64) -> String {
    let secs = (ms / 1000) as i64;
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => {
            let wd = &t.weekday().to_string()[..3];
            let mon = &t.month().to_string()[..3];
            format!(
                "{wd} {mon} {:02} {:02}:{:02}:{:02} UTC {}",
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.year()
            )
        }
        Err(_) => format!("{ms} ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_print_like_java() {
        assert_eq!(java_date(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(
            java_date(WALL_CLOCK_START_MS),
            "Thu Jan 01 00:00:00 UTC 2026"
        );
        assert_eq!(
            java_date(WALL_CLOCK_START_MS + 86_400_000 * 31 + 3_723_000),
            "Sun Feb 01 01:02:03 UTC 2026"
        );
    }

    #[test]
    fn client_cversion_counts_creates_and_deletes() {
        // Two creates, one delete: persisted 2, one child left.
        let s = StatPersisted {
            cversion: 2,
            ..Default::default()
        };
        assert_eq!(s.to_stat(0, 1).cversion, 3);
        // The root of a fresh server: no create, one child (zookeeper).
        assert_eq!(StatPersisted::default().to_stat(0, 1).cversion, -1);
    }

    #[test]
    fn extended_owners_are_masked() {
        let c = StatPersisted {
            ephemeral_owner: CONTAINER_OWNER,
            ..Default::default()
        };
        assert_eq!(c.to_stat(0, 0).ephemeral_owner, 0);
        let t = StatPersisted {
            ephemeral_owner: TTL_MARK | 5000,
            ..Default::default()
        };
        assert_eq!(t.to_stat(0, 0).ephemeral_owner, 0);
        let e = StatPersisted {
            ephemeral_owner: 0x1000_0000_0000,
            ..Default::default()
        };
        assert_eq!(e.to_stat(0, 0).ephemeral_owner, 0x1000_0000_0000);
    }
}
