//! ZooKeeper's result codes (`KeeperException.Code`, apache/zookeeper release-3.8.0) and
//! the texts `KeeperException.getCodeMessage` gives them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A result code a server returns for a request (0 is OK; errors are negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    /// 0: everything is fine.
    Ok,
    /// -1: a system error.
    SystemError,
    /// -2: a multi's operation after a failed one (`RUNTIMEINCONSISTENCY`).
    RuntimeInconsistency,
    /// -4: the connection to the server was lost.
    ConnectionLoss,
    /// -6: the operation is not implemented (TTL nodes without `extendedTypesEnabled`).
    Unimplemented,
    /// -7: the operation timed out.
    OperationTimeout,
    /// -8: invalid arguments (deleting `/zookeeper`, a malformed path on the server).
    BadArguments,
    /// -101: the node does not exist.
    NoNode,
    /// -102: not authorized.
    NoAuth,
    /// -103: the expected version does not match.
    BadVersion,
    /// -108: ephemeral nodes may not have children.
    NoChildrenForEphemerals,
    /// -110: the node already exists.
    NodeExists,
    /// -111: the node has children.
    NotEmpty,
    /// -112: the session has been expired by the server.
    SessionExpired,
    /// -114: invalid ACL.
    InvalidAcl,
    /// -115: client authentication failed.
    AuthFailed,
    /// -118: the session moved to another server.
    SessionMoved,
    /// -121: no such watcher (`removeWatches`).
    NoWatcher,
    /// -123: dynamic reconfiguration is disabled.
    ReconfigDisabled,
}

impl Code {
    /// The wire value (`Code.intValue()`).
    pub fn value(self) -> i32 {
        match self {
            Code::Ok => 0,
            Code::SystemError => -1,
            Code::RuntimeInconsistency => -2,
            Code::ConnectionLoss => -4,
            Code::Unimplemented => -6,
            Code::OperationTimeout => -7,
            Code::BadArguments => -8,
            Code::NoNode => -101,
            Code::NoAuth => -102,
            Code::BadVersion => -103,
            Code::NoChildrenForEphemerals => -108,
            Code::NodeExists => -110,
            Code::NotEmpty => -111,
            Code::SessionExpired => -112,
            Code::InvalidAcl => -114,
            Code::AuthFailed => -115,
            Code::SessionMoved => -118,
            Code::NoWatcher => -121,
            Code::ReconfigDisabled => -123,
        }
    }

    /// `KeeperException.getCodeMessage`: `NoNode`, `Directory not empty`, ...
    pub fn message(self) -> &'static str {
        match self {
            Code::Ok => "ok",
            Code::SystemError => "SystemError",
            Code::RuntimeInconsistency => "RuntimeInconsistency",
            Code::ConnectionLoss => "ConnectionLoss",
            Code::Unimplemented => "Unimplemented",
            Code::OperationTimeout => "OperationTimeout",
            Code::BadArguments => "BadArguments",
            Code::NoNode => "NoNode",
            Code::NoAuth => "NoAuth",
            Code::BadVersion => "BadVersion",
            Code::NoChildrenForEphemerals => "NoChildrenForEphemerals",
            Code::NodeExists => "NodeExists",
            Code::NotEmpty => "Directory not empty",
            Code::SessionExpired => "Session expired",
            Code::InvalidAcl => "InvalidACL",
            Code::AuthFailed => "AuthFailed",
            Code::SessionMoved => "Session moved",
            Code::NoWatcher => "No such watcher",
            Code::ReconfigDisabled => "Reconfig is disabled",
        }
    }

    /// `KeeperException.getMessage()`: `KeeperErrorCode = NoNode for /x` (without a
    /// path: `KeeperErrorCode = NoNode`).
    pub fn keeper_message(self, path: Option<&str>) -> String {
        match path {
            Some(p) => format!("KeeperErrorCode = {} for {p}", self.message()),
            None => format!("KeeperErrorCode = {}", self.message()),
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}
