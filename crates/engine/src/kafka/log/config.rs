//! A partition log's settings: the topic-level configs of `LogConfig` (apache/kafka
//! `storage/.../log/LogConfig.java` and `TopicConfig`, 3.8) with the broker's `log.*`
//! defaults (`ServerLogConfigs`), settable per topic at `topic create`.

use serde::{Deserialize, Serialize};

/// What the log cleaner does with old segments (`cleanup.policy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CleanupPolicy {
    /// `delete`: retention by time and size deletes whole segments (the default).
    #[default]
    Delete,
    /// `compact`: the cleaner keeps the latest record per key.
    Compact,
    /// `compact,delete`: both.
    CompactDelete,
}

impl CleanupPolicy {
    /// Whether segments are deleted by retention.
    pub fn deletes(self) -> bool {
        self != CleanupPolicy::Compact
    }

    /// Whether the cleaner compacts.
    pub fn compacts(self) -> bool {
        self != CleanupPolicy::Delete
    }

    /// Kafka's spelling.
    pub fn name(self) -> &'static str {
        match self {
            CleanupPolicy::Delete => "delete",
            CleanupPolicy::Compact => "compact",
            CleanupPolicy::CompactDelete => "compact,delete",
        }
    }
}

/// The settings of one partition log. Sizes in bytes, times in ms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogConfig {
    /// `segment.bytes` (`log.segment.bytes`, 1073741824): roll before an append would take
    /// the active segment past it.
    pub segment_bytes: u64,
    /// `segment.ms` (`log.roll.hours` 168 = 604800000): roll when the first record of the
    /// active segment is this much older than the incoming batch.
    pub segment_ms: u64,
    /// `segment.index.bytes` (`log.index.size.max.bytes`, 10485760): an index this full
    /// (entries of 8 bytes; the time index 12) makes the log roll.
    pub segment_index_bytes: u64,
    /// `index.interval.bytes` (`log.index.interval.bytes`, 4096): an index entry is added
    /// once more than this many bytes were appended since the last one.
    pub index_interval_bytes: u64,
    /// `retention.ms` (`log.retention.hours` 168 = 604800000); negative in Kafka means no
    /// limit, `None` here.
    pub retention_ms: Option<u64>,
    /// `retention.bytes` (`log.retention.bytes`, -1: no limit).
    pub retention_bytes: Option<u64>,
    /// `cleanup.policy` (`log.cleanup.policy`, delete).
    pub cleanup_policy: CleanupPolicy,
    /// `delete.retention.ms` (`log.cleaner.delete.retention.ms`, 86400000): how long the
    /// cleaner keeps a tombstone after it first saw it in a cleaned segment.
    pub delete_retention_ms: u64,
    /// `flush.messages` (`log.flush.interval.messages`, Long.MAX_VALUE: never): the log is
    /// fsynced once this many messages are past the recovery point
    /// (`UnifiedLog.append`: `unflushedMessages >= flushInterval`). Kafka leaves it unset
    /// and relies on replication.
    pub flush_messages: Option<u64>,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            segment_bytes: 1 << 30,
            segment_ms: 604_800_000,
            segment_index_bytes: 10_485_760,
            index_interval_bytes: 4096,
            retention_ms: Some(604_800_000),
            retention_bytes: None,
            cleanup_policy: CleanupPolicy::Delete,
            delete_retention_ms: 86_400_000,
            flush_messages: None,
        }
    }
}

/// The topic-level keys `topic create` accepts.
pub const TOPIC_KEYS: &[&str] = &[
    "segment.bytes",
    "segment.ms",
    "segment.index.bytes",
    "index.interval.bytes",
    "retention.ms",
    "retention.bytes",
    "cleanup.policy",
    "delete.retention.ms",
    "flush.messages",
];

impl LogConfig {
    /// Sets topic config `key` to `value`; the error names the key and what it takes
    /// (ranges from `LogConfig`'s definitions).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let num = |min: i64| -> Result<i64, String> {
            match value.parse::<i64>() {
                Ok(n) if n >= min => Ok(n),
                _ => Err(format!(
                    "`{key}` must be an integer >= {min}, not `{value}`"
                )),
            }
        };
        match key {
            "segment.bytes" => self.segment_bytes = num(14)?.min(i32::MAX as i64) as u64,
            "segment.ms" => self.segment_ms = num(1)? as u64,
            "segment.index.bytes" => self.segment_index_bytes = num(4)? as u64,
            "index.interval.bytes" => self.index_interval_bytes = num(0)? as u64,
            "retention.ms" => {
                let n = num(-1)?;
                self.retention_ms = (n >= 0).then_some(n as u64);
            }
            "retention.bytes" => {
                let n = num(-1)?;
                self.retention_bytes = (n >= 0).then_some(n as u64);
            }
            "delete.retention.ms" => self.delete_retention_ms = num(0)? as u64,
            "flush.messages" => self.flush_messages = Some(num(1)? as u64),
            "cleanup.policy" => {
                self.cleanup_policy = match value {
                    "delete" => CleanupPolicy::Delete,
                    "compact" => CleanupPolicy::Compact,
                    "compact,delete" | "delete,compact" => CleanupPolicy::CompactDelete,
                    _ => {
                        return Err(format!(
                            "`cleanup.policy` is delete, compact or compact,delete, not `{value}`"
                        ));
                    }
                }
            }
            _ => {
                return Err(format!(
                    "unknown topic config `{key}` (known: {})",
                    TOPIC_KEYS.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Most entries a `.index` holds (`segment.index.bytes` / 8).
    pub fn max_index_entries(&self) -> usize {
        (self.segment_index_bytes / 8) as usize
    }

    /// Most entries a `.timeindex` holds (`segment.index.bytes` / 12).
    pub fn max_time_index_entries(&self) -> usize {
        (self.segment_index_bytes / 12) as usize
    }
}
