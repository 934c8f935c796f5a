//! ZooKeeper: an ensemble of servers that elect a leader with FastLeaderElection and
//! agree on an epoch with ZAB.

pub mod cnx;
pub mod conditions;
pub mod config;
pub mod describe;
pub mod election;
pub mod input;
pub mod messages;
pub mod quorum;
pub mod script;
pub mod server;
pub mod view;
pub mod vote;
pub mod zab;
pub mod zxid;
