//! ZooKeeper: an ensemble of servers that elect a leader with FastLeaderElection and
//! agree on an epoch with ZAB.

pub mod config;
pub mod election;
pub mod messages;
pub mod quorum;
pub mod server;
pub mod vote;
pub mod zab;
pub mod zxid;
