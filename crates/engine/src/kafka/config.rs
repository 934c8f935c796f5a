//! Broker, producer and consumer settings, with Kafka's default values (`ReplicationConfigs`,
//! `ProducerConfig`, `ConsumerConfig`, Kafka 3.x).

use serde::{Deserialize, Serialize};

/// Broker settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerConfig {
    /// `replica.lag.time.max.ms`: a follower that has not caught up for this long leaves
    /// the ISR (30000 since Kafka 2.5, KIP-537; it was 10000 before).
    pub replica_lag_time_max_ms: u64,
    /// `replica.fetch.wait.max.ms`: how long a follower fetch may wait for data (500).
    pub replica_fetch_wait_max_ms: u64,
    /// `replica.fetch.max.bytes` (1048576).
    pub replica_fetch_max_bytes: u64,
    /// `replica.fetch.backoff.ms`: pause after a failed follower fetch (1000).
    pub replica_fetch_backoff_ms: u64,
    /// The follower fetcher's request timeout: the broker's `request.timeout.ms` (30000;
    /// `BrokerBlockingSender`). On a timeout it closes the connection and backs off.
    pub request_timeout_ms: u64,
    /// `min.insync.replicas` (1).
    pub min_insync_replicas: u32,
    /// `replica.high.watermark.checkpoint.interval.ms` (5000).
    pub hw_checkpoint_interval_ms: u64,
    /// `log.segment.bytes`: a log rolls to a new segment, and flushes the one it closes,
    /// before an append would take the active segment past this many bytes (1073741824;
    /// at least 14, `LegacyRecord.RECORD_OVERHEAD_V0`; `LogConfig`, 3.7).
    pub log_segment_bytes: u64,
    /// `log.retention.check.interval.ms` (300000): how often retention runs.
    pub log_retention_check_interval_ms: u64,
    /// `log.cleaner.backoff.ms` (15000): how often the log cleaner looks for work.
    pub log_cleaner_backoff_ms: u64,
    /// `page.cache.bytes`: memory the broker's host gives the page cache (an engine
    /// setting, not Kafka's: Kafka leaves caching to the OS). 67108864 (64 MiB).
    pub page_cache_bytes: u64,
    /// `zookeeper.session.timeout.ms`: the session timeout the broker asks ZooKeeper for
    /// (18000 since Kafka 2.5, KIP-537; `ZkConfigs`). A broker that stops talking to
    /// ZooKeeper this long loses its registration and the controller moves its leaders.
    pub zk_session_timeout_ms: u32,
    /// `unclean.leader.election.enable` (false): when no ISR member is alive, may the
    /// controller make an out-of-sync replica leader (losing what it lacks)?
    pub unclean_leader_election: bool,
    /// `inter.broker.protocol.version` below 0.11.0: a follower truncates to its high
    /// watermark when it follows a new leader, as before KIP-101
    /// (`ReplicaFetcherThread`, `isOffsetForLeaderEpochSupported`). Off by default.
    pub pre_kip101: bool,
    /// `transaction.state.log.num.partitions` (50): partitions of `__transaction_state`;
    /// a transactional id's coordinator leads partition `abs(hashCode(id)) % this`.
    #[serde(default = "txn_partitions")]
    pub txn_state_partitions: u32,
    /// `transaction.state.log.replication.factor` (3): replicas of `__transaction_state`;
    /// while fewer brokers are alive, FindCoordinator answers COORDINATOR_NOT_AVAILABLE.
    #[serde(default = "txn_rf")]
    pub txn_state_replication_factor: u32,
    /// `transaction.state.log.min.isr` (2): the topic's `min.insync.replicas`.
    #[serde(default = "txn_min_isr")]
    pub txn_state_min_isr: u32,
    /// `transaction.abort.timed.out.transaction.cleanup.interval.ms` (10000): how often a
    /// coordinator aborts transactions open longer than their `transaction.timeout.ms`.
    #[serde(default = "txn_abort_interval")]
    pub txn_abort_interval_ms: u64,
    /// The group coordinator's settings ([`crate::kafka::group::config`]).
    #[serde(default)]
    pub group: crate::kafka::group::config::GroupBrokerConfig,
}

fn txn_partitions() -> u32 {
    50
}
fn txn_rf() -> u32 {
    3
}
fn txn_min_isr() -> u32 {
    2
}
fn txn_abort_interval() -> u64 {
    10_000
}
fn max_poll_records() -> u64 {
    500
}

fn txn_timeout() -> u64 {
    60_000
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_max_bytes: 1_048_576,
            replica_fetch_backoff_ms: 1000,
            request_timeout_ms: 30_000,
            min_insync_replicas: 1,
            hw_checkpoint_interval_ms: 5000,
            log_segment_bytes: 1 << 30,
            log_retention_check_interval_ms: 300_000,
            log_cleaner_backoff_ms: 15_000,
            page_cache_bytes: 64 << 20,
            zk_session_timeout_ms: 18_000,
            unclean_leader_election: false,
            pre_kip101: false,
            txn_state_partitions: txn_partitions(),
            txn_state_replication_factor: txn_rf(),
            txn_state_min_isr: txn_min_isr(),
            txn_abort_interval_ms: txn_abort_interval(),
            group: Default::default(),
        }
    }
}

/// The producer's `acks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acks {
    /// `acks=0`: no response; the send is done once it leaves.
    None,
    /// `acks=1`: the leader's append is enough.
    Leader,
    /// `acks=all` (-1): the record must be below the high watermark (the default since
    /// Kafka 3.0).
    All,
}

impl Acks {
    /// `0`, `1` or `all`.
    pub fn name(self) -> &'static str {
        match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        }
    }

    /// Parses `0`, `1`, `all` or `-1`.
    pub fn parse(s: &str) -> Option<Acks> {
        match s {
            "0" => Some(Acks::None),
            "1" => Some(Acks::Leader),
            "all" | "-1" => Some(Acks::All),
            _ => None,
        }
    }
}

/// Producer settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerConfig {
    /// `acks` (all).
    pub acks: Acks,
    /// `linger.ms` (0 through Kafka 3.9; 5 in 4.0, KIP-1030).
    pub linger_ms: u64,
    /// `batch.size`, bytes (16384).
    pub batch_size: u64,
    /// `request.timeout.ms` (30000).
    pub request_timeout_ms: u64,
    /// `retry.backoff.ms`: the first retry's backoff (100; KIP-580 doubles it per retry).
    pub retry_backoff_ms: u64,
    /// `retry.backoff.max.ms`: the longest retry backoff (1000, KIP-580, Kafka 3.7).
    pub retry_backoff_max_ms: u64,
    /// `delivery.timeout.ms` (120000).
    pub delivery_timeout_ms: u64,
    /// `max.in.flight.requests.per.connection` (5).
    pub max_in_flight: u32,
    /// `max.request.size`: a drain stops adding batches past this, bytes (1048576).
    pub max_request_size: u64,
    /// `partitioner.adaptive.partitioning.enable` (true): the sticky partitioner favours
    /// partitions with shorter queues.
    pub adaptive_partitioning: bool,
    /// `compression.type` (none): the codec of the producer's batches.
    pub compression: crate::kafka::format::Compression,
    /// `enable.idempotence` (true since Kafka 3.0, KIP-679): the producer gets a producer
    /// id and numbers its batches per partition, so the leader drops a retried duplicate
    /// and refuses a gap.
    pub idempotence: bool,
    /// `metadata.max.age.ms` (300000): the producer asks for metadata again this long
    /// after its last answer, even when nothing failed (`Metadata.timeToNextUpdate`); it is
    /// how a producer learns of partitions added to a topic.
    pub metadata_max_age_ms: u64,
    /// `partitioner.class` (none: the built-in partitioner), or `partitioner.rules`
    /// (see [`crate::kafka::custom_partitioner`]).
    pub partitioner: crate::kafka::custom_partitioner::PartitionerClass,
    /// `transactional.id` (none): a producer with one is transactional (KIP-98). It must
    /// call `initTransactions` (the `txn init` command), which fences any older producer
    /// with the same id, and writes inside `beginTransaction` / `commitTransaction`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transactional_id: Option<String>,
    /// `transaction.timeout.ms` (60000): the coordinator aborts a transaction left open
    /// this long.
    #[serde(default = "txn_timeout")]
    pub transaction_timeout_ms: u64,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        ProducerConfig {
            acks: Acks::All,
            linger_ms: 0,
            batch_size: 16_384,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            retry_backoff_max_ms: 1000,
            delivery_timeout_ms: 120_000,
            max_in_flight: 5,
            max_request_size: 1_048_576,
            adaptive_partitioning: true,
            compression: crate::kafka::format::Compression::None,
            idempotence: true,
            metadata_max_age_ms: 300_000,
            partitioner: crate::kafka::custom_partitioner::PartitionerClass::BuiltIn,
            transactional_id: None,
            transaction_timeout_ms: txn_timeout(),
        }
    }
}

/// Consumer settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerConfig {
    /// `fetch.max.wait.ms` (500).
    pub fetch_max_wait_ms: u64,
    /// `fetch.min.bytes` (1).
    pub fetch_min_bytes: u64,
    /// `max.partition.fetch.bytes` (1048576).
    pub max_partition_fetch_bytes: u64,
    /// `request.timeout.ms` (30000).
    pub request_timeout_ms: u64,
    /// `retry.backoff.ms` (100).
    pub retry_backoff_ms: u64,
    /// `isolation.level` = read_committed (default read_uncommitted): fetch only below the
    /// last stable offset and drop aborted transactions' records.
    #[serde(default)]
    pub read_committed: bool,
    /// `max.poll.records` (500): at most this many records per `poll()`.
    #[serde(default = "max_poll_records")]
    pub max_poll_records: u64,
    /// The group settings ([`crate::kafka::group::config`]).
    #[serde(default)]
    pub group: crate::kafka::group::config::GroupConsumerConfig,
}

impl Default for ConsumerConfig {
    fn default() -> Self {
        ConsumerConfig {
            fetch_max_wait_ms: 500,
            fetch_min_bytes: 1,
            max_partition_fetch_bytes: 1_048_576,
            request_timeout_ms: 30_000,
            retry_backoff_ms: 100,
            read_committed: false,
            max_poll_records: max_poll_records(),
            group: Default::default(),
        }
    }
}

/// All Kafka settings of a world, set with `kafka config <name> <value>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaConfig {
    /// For every broker.
    pub broker: BrokerConfig,
    /// For every producer.
    pub producer: ProducerConfig,
    /// For every consumer.
    pub consumer: ConsumerConfig,
}

impl KafkaConfig {
    /// The setting names `set` understands.
    pub const KEYS: [&'static str; 32] = [
        "replica.lag.time.max.ms",
        "replica.fetch.wait.max.ms",
        "replica.fetch.backoff.ms",
        "min.insync.replicas",
        "log.segment.bytes",
        "acks",
        "linger.ms",
        "batch.size",
        "request.timeout.ms",
        "retry.backoff.ms",
        "retry.backoff.max.ms",
        "delivery.timeout.ms",
        "max.in.flight.requests.per.connection",
        "fetch.max.wait.ms",
        "partitioner.adaptive.partitioning.enable",
        "page.cache.bytes",
        "compression.type",
        "zookeeper.session.timeout.ms",
        "unclean.leader.election.enable",
        "inter.broker.protocol.version",
        "enable.idempotence",
        "metadata.max.age.ms",
        "partitioner.class",
        "partitioner.rules",
        "transactional.id",
        "transaction.timeout.ms",
        "isolation.level",
        "max.poll.records",
        "transaction.state.log.num.partitions",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "transaction.abort.timed.out.transaction.cleanup.interval.ms",
    ];

    /// Sets one setting by its Kafka name. Errors name the setting and what was wrong.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        if let Some(r) = crate::kafka::group::config::set(
            &mut self.broker.group,
            &mut self.consumer.group,
            key,
            value,
        ) {
            return r;
        }
        let flag = || match value {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("`{key}` takes true or false, not `{value}`")),
        };
        let num = || match value.parse::<u64>() {
            Ok(n) if n <= 86_400_000 => Ok(n),
            Ok(_) => Err(format!("`{key}` is at most 86400000, not `{value}`")),
            Err(_) => Err(format!("`{key}` takes a whole number, not `{value}`")),
        };
        match key {
            "replica.lag.time.max.ms" => self.broker.replica_lag_time_max_ms = num()?.max(1),
            "replica.fetch.wait.max.ms" => self.broker.replica_fetch_wait_max_ms = num()?,
            "replica.fetch.backoff.ms" => self.broker.replica_fetch_backoff_ms = num()?,
            "min.insync.replicas" => self.broker.min_insync_replicas = num()?.clamp(1, 1000) as u32,
            "log.segment.bytes" => {
                self.broker.log_segment_bytes = match value.parse::<u64>() {
                    Ok(n) if (14..=i32::MAX as u64).contains(&n) => n,
                    Ok(_) => {
                        return Err(format!(
                            "`log.segment.bytes` is from 14 to 2147483647, not `{value}`"
                        ));
                    }
                    Err(_) => return Err(format!("`{key}` takes a whole number, not `{value}`")),
                }
            }
            "acks" => {
                self.producer.acks = Acks::parse(value)
                    .ok_or_else(|| format!("`acks` takes 0, 1 or all, not `{value}`"))?
            }
            "linger.ms" => self.producer.linger_ms = num()?,
            "metadata.max.age.ms" => self.producer.metadata_max_age_ms = num()?.max(1),
            "partitioner.class" => {
                use crate::kafka::custom_partitioner::PartitionerClass;
                self.producer.partitioner = match value {
                    "default" | "" => PartitionerClass::BuiltIn,
                    "RoundRobinPartitioner"
                    | "org.apache.kafka.clients.producer.RoundRobinPartitioner" => {
                        PartitionerClass::RoundRobin
                    }
                    _ => {
                        return Err(format!(
                            "`partitioner.class` is default or RoundRobinPartitioner, not `{value}` (a partitioner of your own is written as `partitioner.rules`)"
                        ));
                    }
                }
            }
            "partitioner.rules" => {
                self.producer.partitioner =
                    crate::kafka::custom_partitioner::PartitionerClass::Rules(
                        crate::kafka::custom_partitioner::parse_rules(value)?,
                    )
            }
            "batch.size" => self.producer.batch_size = num()?,
            "request.timeout.ms" => {
                let v = num()?.max(1);
                self.producer.request_timeout_ms = v;
                self.consumer.request_timeout_ms = v;
            }
            "retry.backoff.ms" => {
                let v = num()?;
                self.producer.retry_backoff_ms = v;
                self.consumer.retry_backoff_ms = v;
            }
            "retry.backoff.max.ms" => self.producer.retry_backoff_max_ms = num()?,
            "delivery.timeout.ms" => self.producer.delivery_timeout_ms = num()?,
            "partitioner.adaptive.partitioning.enable" => {
                self.producer.adaptive_partitioning = flag()?
            }
            "max.in.flight.requests.per.connection" => {
                self.producer.max_in_flight = num()?.clamp(1, 1000) as u32
            }
            "fetch.max.wait.ms" => self.consumer.fetch_max_wait_ms = num()?,
            "max.poll.records" => self.consumer.max_poll_records = num()?.max(1),
            "zookeeper.session.timeout.ms" => {
                self.broker.zk_session_timeout_ms = num()?.clamp(1, u64::from(u32::MAX)) as u32
            }
            "enable.idempotence" => self.producer.idempotence = flag()?,
            "transactional.id" => {
                self.producer.transactional_id = match value {
                    "" | "none" | "null" => None,
                    id => Some(id.to_string()),
                }
            }
            "transaction.timeout.ms" => self.producer.transaction_timeout_ms = num()?.max(1),
            "isolation.level" => {
                self.consumer.read_committed = match value {
                    "read_committed" => true,
                    "read_uncommitted" => false,
                    _ => {
                        return Err(format!(
                            "`isolation.level` is read_committed or read_uncommitted, not `{value}`"
                        ));
                    }
                }
            }
            "transaction.state.log.num.partitions" => {
                self.broker.txn_state_partitions = num()?.clamp(1, 1000) as u32
            }
            "transaction.state.log.replication.factor" => {
                self.broker.txn_state_replication_factor = num()?.clamp(1, 100) as u32
            }
            "transaction.state.log.min.isr" => {
                self.broker.txn_state_min_isr = num()?.clamp(1, 100) as u32
            }
            "transaction.abort.timed.out.transaction.cleanup.interval.ms" => {
                self.broker.txn_abort_interval_ms = num()?.max(1)
            }
            "inter.broker.protocol.version" => {
                let mut parts = value.split('.').map(|p| p.parse::<u32>());
                let (major, minor) = match (parts.next(), parts.next()) {
                    (Some(Ok(a)), Some(Ok(b))) => (a, b),
                    _ => {
                        return Err(format!(
                            "`{key}` takes a version like 3.7 or 0.10.2, not `{value}`"
                        ));
                    }
                };
                self.broker.pre_kip101 = (major, minor) < (0, 11);
            }
            "unclean.leader.election.enable" => self.broker.unclean_leader_election = flag()?,
            "compression.type" => {
                self.producer.compression = crate::kafka::format::Compression::parse(value)
                    .ok_or_else(|| {
                        format!(
                            "`compression.type` is none, gzip, snappy, lz4 or zstd, not `{value}`"
                        )
                    })?
            }
            "page.cache.bytes" => {
                self.broker.page_cache_bytes = match value.parse::<u64>() {
                    Ok(n) if n >= 4096 => n,
                    _ => {
                        return Err(format!(
                            "`page.cache.bytes` is a byte count of at least 4096, not `{value}`"
                        ));
                    }
                }
            }
            _ => {
                return Err(format!(
                    "unknown Kafka setting `{key}` (known: {}, {})",
                    Self::KEYS.join(", "),
                    crate::kafka::group::config::KEYS.join(", ")
                ));
            }
        }
        Ok(())
    }
}
