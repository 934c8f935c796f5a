//! What ZooKeeper stores and how it is addressed: paths, result codes, ACLs, stats,
//! transactions, the data tree and its watch tables.

pub mod acl;
pub mod code;
pub mod javahash;
pub mod path;
pub mod stat;
pub mod tree;
pub mod txn;
pub mod watch;
