//! Ensemble settings (zoo.cfg) that the election and ZAB depend on.

use serde::{Deserialize, Serialize};

/// ZooKeeper timing settings, all in virtual milliseconds or ticks, with ZooKeeper's
/// defaults or the values of the sample `zoo.cfg` shipped with ZooKeeper.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZkConfig {
    /// `tickTime`, ms (sample zoo.cfg: 2000).
    pub tick_time_ms: u64,
    /// `initLimit`, ticks a learner may take to connect and sync (sample zoo.cfg: 10).
    pub init_limit: u64,
    /// `syncLimit`, ticks a learner may lag before it is dropped (sample zoo.cfg: 5).
    pub sync_limit: u64,
    /// `FastLeaderElection.finalizeWait`, ms (200).
    pub finalize_wait_ms: u64,
    /// `zookeeper.fastleader.minNotificationInterval`, ms (defaults to finalizeWait, 200).
    pub min_notification_interval_ms: u64,
    /// `zookeeper.fastleader.maxNotificationInterval`, ms (60000).
    pub max_notification_interval_ms: u64,
    /// `-Dzookeeper.extendedTypesEnabled`: TTL nodes allowed. ZooKeeper's default is off
    /// (a TTL create gets Unimplemented); the engine's servers run with it on, as the
    /// differential test's real server does. `zk config extendedTypesEnabled 0` turns it
    /// off.
    pub extended_types: bool,
    /// `znode.container.checkIntervalMs`: how often the container manager looks for empty
    /// containers and expired TTL nodes, ms (60000).
    pub container_check_ms: u64,
    /// `forceSync` (zoo.cfg; the system property `zookeeper.forceSync`): the txn log is
    /// fsynced before a server acknowledges a proposal (`FileTxnLog.commit` calls
    /// `channel.force` only when it is on). Off, an acknowledged txn may sit in the page
    /// cache, and a power cut (`halt`) loses what the kernel had not written back. Default
    /// yes. `zk config forceSync no` gives up safety on purpose.
    pub force_sync: bool,
}

impl Default for ZkConfig {
    fn default() -> Self {
        ZkConfig {
            tick_time_ms: 2000,
            init_limit: 10,
            sync_limit: 5,
            finalize_wait_ms: 200,
            min_notification_interval_ms: 200,
            max_notification_interval_ms: 60_000,
            extended_types: true,
            container_check_ms: 60_000,
            force_sync: true,
        }
    }
}

fn in_range(key: &str, value: u64, lo: u64, hi: u64) -> Result<u64, String> {
    if (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "`{key}` must be between {lo} and {hi}, not {value}"
        ))
    }
}

impl ZkConfig {
    /// Sets one setting by its zoo.cfg / system property name. Returns an error naming
    /// the known keys when the key is unknown.
    pub fn set(&mut self, key: &str, value: u64) -> Result<(), String> {
        match key {
            "tickTime" => self.tick_time_ms = in_range(key, value, 2, 60_000)?,
            "initLimit" => self.init_limit = in_range(key, value, 1, 1000)?,
            "syncLimit" => self.sync_limit = in_range(key, value, 1, 1000)?,
            "finalizeWait" => self.finalize_wait_ms = in_range(key, value, 0, 60_000)?,
            "minNotificationInterval" => {
                self.min_notification_interval_ms = in_range(key, value, 1, 600_000)?
            }
            "maxNotificationInterval" => {
                self.max_notification_interval_ms = in_range(key, value, 1, 600_000)?
            }
            "extendedTypesEnabled" => self.extended_types = in_range(key, value, 0, 1)? == 1,
            "containerCheckInterval" => {
                self.container_check_ms = in_range(key, value, 100, 3_600_000)?
            }
            "forceSync" => self.force_sync = in_range(key, value, 0, 1)? == 1,
            _ => {
                return Err(format!(
                    "unknown ZooKeeper setting `{key}` (known: {})",
                    Self::KEYS.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The settings `set` understands.
    pub const KEYS: [&'static str; 9] = [
        "tickTime",
        "initLimit",
        "syncLimit",
        "finalizeWait",
        "minNotificationInterval",
        "maxNotificationInterval",
        "extendedTypesEnabled",
        "containerCheckInterval",
        "forceSync",
    ];

    /// The settings that are switches: `yes`/`no` in the command language (1/0 also).
    pub const SWITCHES: [&'static str; 2] = ["extendedTypesEnabled", "forceSync"];

    /// How long a learner waits for the leader while connecting and syncing:
    /// `initLimit * tickTime` (the socket timeout set in `Learner.connectToLeader`).
    pub fn init_timeout_ms(&self) -> u64 {
        self.init_limit * self.tick_time_ms
    }

    /// How long a synced follower waits for any packet from the leader before it gives up:
    /// `syncLimit * tickTime` (set in `Learner.syncWithLeader` on NEWLEADER).
    pub fn sync_timeout_ms(&self) -> u64 {
        self.sync_limit * self.tick_time_ms
    }
}
