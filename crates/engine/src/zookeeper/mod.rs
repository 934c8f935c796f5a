//! ZooKeeper: an ensemble of servers that elect a leader with FastLeaderElection and
//! agree on an epoch with ZAB.

pub mod client;
pub mod cnx;
pub mod conditions;
pub mod config;
pub mod data;
pub mod describe;
pub mod election;
pub mod input;
pub mod invariants;
pub mod messages;
pub mod prep;
pub mod proto;
pub mod queries;
pub mod quorum;
pub mod recipes;
pub mod script;
pub mod server;
pub mod serving;
pub mod session;
pub mod sweep;
pub mod view;
pub mod vote;
pub mod zab;
pub mod zkcli;
pub mod zxid;
