//! Kafka: brokers that replicate partitions (leader, followers, ISR, high watermark),
//! a producer and a consumer.

pub mod broker;
pub mod changes;
pub mod client_metadata;
pub mod conditions;
pub mod config;
pub mod console_producer;
pub mod consumer;
pub mod controller;
pub mod custom_partitioner;
pub mod describe;
pub mod format;
pub mod group;
pub mod input;
mod input_admin;
pub mod log;
pub mod messages;
pub mod metadata;
pub mod metrics;
pub mod murmur2;
pub mod network_client;
pub mod partitioner;
pub mod producer;
pub mod queries;
pub mod reassign_cmd;
pub mod record;
pub mod script;
pub mod sweep;
pub mod tools;
pub mod topic;
pub mod topics_cmd;
pub mod txn;
pub mod view;
pub mod zerocopy;
pub mod zk_data;
