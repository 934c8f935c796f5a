//! The client-server protocol (`zookeeper.jute` and `ClientCnxn`, apache/zookeeper
//! release-3.8.0): the connect handshake, requests with their xid, replies with the
//! server's last zxid and a result code, and watch notifications (xid −1).

use crate::zookeeper::data::acl::{Acl, Id};
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::stat::Stat;
use crate::zookeeper::data::txn::Data;
use crate::zookeeper::data::watch::{EventType, WatchMode};
use crate::zookeeper::zxid::hex;
use serde::{Deserialize, Serialize};

/// `CreateMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CreateMode {
    /// A normal node.
    Persistent,
    /// A node named with the parent's 10-digit counter appended.
    PersistentSequential,
    /// Deleted when its session ends.
    Ephemeral,
    /// Ephemeral and sequential.
    EphemeralSequential,
    /// Deleted by the container manager once it had a child and is empty.
    Container,
    /// Deleted when empty and unchanged for its TTL.
    PersistentWithTtl,
    /// Sequential with a TTL.
    PersistentSequentialWithTtl,
}

impl CreateMode {
    /// True when the server appends the sequence suffix.
    pub fn is_sequential(self) -> bool {
        matches!(
            self,
            CreateMode::PersistentSequential
                | CreateMode::EphemeralSequential
                | CreateMode::PersistentSequentialWithTtl
        )
    }

    /// True for the ephemeral modes.
    pub fn is_ephemeral(self) -> bool {
        matches!(
            self,
            CreateMode::Ephemeral | CreateMode::EphemeralSequential
        )
    }

    /// True for the TTL modes.
    pub fn is_ttl(self) -> bool {
        matches!(
            self,
            CreateMode::PersistentWithTtl | CreateMode::PersistentSequentialWithTtl
        )
    }
}

/// `WatcherType` of `removeWatches`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WatcherType {
    /// Child watches (`-c`).
    Children,
    /// Data watches (`-d`).
    Data,
    /// Both, and persistent watches (`-a`).
    Any,
}

/// The watches a client re-registers when it reconnects (`SetWatches2`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchSet {
    /// Data watches (`getData`).
    pub data: Vec<String>,
    /// Exist watches (`exists` on a missing node).
    pub exist: Vec<String>,
    /// Child watches.
    pub child: Vec<String>,
    /// Persistent watches.
    pub persistent: Vec<String>,
    /// Persistent recursive watches.
    pub recursive: Vec<String>,
}

impl WatchSet {
    /// True when there is nothing to re-register.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
            && self.exist.is_empty()
            && self.child.is_empty()
            && self.persistent.is_empty()
            && self.recursive.is_empty()
    }
}

/// One operation a client asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Op {
    /// `create` (create2/createTTL/createContainer by mode).
    Create {
        /// The path (a sequential node's prefix).
        path: String,
        /// Its data.
        data: Data,
        /// Its ACL.
        acl: Vec<Acl>,
        /// Its mode.
        mode: CreateMode,
        /// The TTL of a TTL node, ms.
        ttl: Option<i64>,
    },
    /// `delete`; version −1 matches any.
    Delete {
        /// The path.
        path: String,
        /// The expected version.
        version: i32,
    },
    /// `setData`; version −1 matches any.
    SetData {
        /// The path.
        path: String,
        /// The data.
        data: Data,
        /// The expected version.
        version: i32,
    },
    /// `setACL`; version −1 matches any.
    SetAcl {
        /// The path.
        path: String,
        /// The ACL.
        acl: Vec<Acl>,
        /// The expected aclVersion.
        version: i32,
    },
    /// `check` (inside a multi).
    Check {
        /// The path.
        path: String,
        /// The expected version.
        version: i32,
    },
    /// `multi`: all or nothing.
    Multi {
        /// The operations.
        ops: Vec<Op>,
    },
    /// `exists` (sets an exist/data watch even when the node is missing).
    Exists {
        /// The path.
        path: String,
        /// Leave a watch.
        watch: bool,
    },
    /// `getData`.
    GetData {
        /// The path.
        path: String,
        /// Leave a watch.
        watch: bool,
    },
    /// `getChildren2` (children and the parent's stat).
    GetChildren {
        /// The path.
        path: String,
        /// Leave a watch.
        watch: bool,
    },
    /// `getACL`.
    GetAcl {
        /// The path.
        path: String,
    },
    /// `getAllChildrenNumber`.
    GetAllChildrenNumber {
        /// The path.
        path: String,
    },
    /// `getEphemerals` of the session under a prefix.
    GetEphemerals {
        /// The prefix.
        prefix: String,
    },
    /// `sync`: the server catches up with the leader before answering.
    Sync {
        /// The path.
        path: String,
    },
    /// `addWatch`.
    AddWatch {
        /// The path.
        path: String,
        /// PERSISTENT or PERSISTENT_RECURSIVE.
        mode: WatchMode,
    },
    /// `removeWatches`.
    RemoveWatches {
        /// The path.
        path: String,
        /// Which.
        kind: WatcherType,
    },
    /// `setWatches2`: re-register after a reconnect.
    SetWatches {
        /// The last zxid the client saw.
        relative_zxid: u64,
        /// The watches.
        watches: WatchSet,
    },
    /// `auth` (xid −4): `addauth scheme auth`.
    Auth {
        /// The scheme.
        scheme: String,
        /// The credentials (`user:password` for digest); none when zkCli got none.
        auth: Option<String>,
    },
    /// `reconfig` (refused: dynamic reconfiguration is disabled, the default).
    Reconfig,
    /// `whoAmI`.
    WhoAmI,
    /// `ping` (xid −2).
    Ping,
    /// `closeSession`.
    CloseSession,
    /// `createSession` (server-internal: a ConnectRequest for a new session becomes one).
    CreateSession {
        /// The negotiated timeout, ms.
        timeout_ms: u32,
    },
    /// `deleteContainer` (server-internal: the container manager's delete).
    DeleteContainer {
        /// The path.
        path: String,
    },
}

impl Op {
    /// True for operations that go through the leader as a transaction.
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Op::Create { .. }
                | Op::Delete { .. }
                | Op::SetData { .. }
                | Op::SetAcl { .. }
                | Op::Check { .. }
                | Op::Multi { .. }
                | Op::CloseSession
                | Op::CreateSession { .. }
                | Op::DeleteContainer { .. }
                | Op::Reconfig
        )
    }

    /// The path it is about (empty for none).
    pub fn path(&self) -> &str {
        match self {
            Op::Create { path, .. }
            | Op::Delete { path, .. }
            | Op::SetData { path, .. }
            | Op::SetAcl { path, .. }
            | Op::Check { path, .. }
            | Op::Exists { path, .. }
            | Op::GetData { path, .. }
            | Op::GetChildren { path, .. }
            | Op::GetAcl { path }
            | Op::GetAllChildrenNumber { path }
            | Op::Sync { path }
            | Op::AddWatch { path, .. }
            | Op::RemoveWatches { path, .. }
            | Op::DeleteContainer { path } => path,
            Op::GetEphemerals { prefix } => prefix,
            _ => "",
        }
    }

    /// ZooKeeper's name for the operation (`create`, `getData`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Create { .. } => "create",
            Op::Delete { .. } => "delete",
            Op::SetData { .. } => "setData",
            Op::SetAcl { .. } => "setACL",
            Op::Check { .. } => "check",
            Op::Multi { .. } => "multi",
            Op::Exists { .. } => "exists",
            Op::GetData { .. } => "getData",
            Op::GetChildren { .. } => "getChildren2",
            Op::GetAcl { .. } => "getACL",
            Op::GetAllChildrenNumber { .. } => "getAllChildrenNumber",
            Op::GetEphemerals { .. } => "getEphemerals",
            Op::Sync { .. } => "sync",
            Op::AddWatch { .. } => "addWatch",
            Op::RemoveWatches { .. } => "removeWatches",
            Op::SetWatches { .. } => "setWatches2",
            Op::Auth { .. } => "auth",
            Op::WhoAmI => "whoAmI",
            Op::Ping => "ping",
            Op::CloseSession => "closeSession",
            Op::CreateSession { .. } => "createSession",
            Op::DeleteContainer { .. } => "deleteContainer",
            Op::Reconfig => "reconfig",
        }
    }
}

/// The result of one operation of a multi (`OpResult`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpResult {
    /// A create: the path made, and its stat.
    Create {
        /// The path.
        path: String,
        /// Its stat.
        stat: Option<Stat>,
    },
    /// A delete.
    Delete,
    /// A setData: the new stat.
    SetData {
        /// The stat.
        stat: Option<Stat>,
    },
    /// A check.
    Check,
    /// An error (OK for operations before the failing one).
    Error {
        /// The code.
        code: Code,
    },
}

/// What a reply carries besides its header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "body", rename_all = "camelCase")]
pub enum ReplyBody {
    /// Nothing.
    Empty,
    /// A create: the path made (with its sequence suffix) and its stat.
    Created {
        /// The path.
        path: String,
        /// The stat (create2/TTL/container).
        stat: Option<Stat>,
    },
    /// A stat (exists, setData, setACL).
    Stat {
        /// The stat.
        stat: Stat,
    },
    /// getData.
    Data {
        /// The data.
        data: Data,
        /// The stat.
        stat: Stat,
    },
    /// getChildren2: the children (in the server's order) and the parent's stat.
    Children {
        /// The names.
        children: Vec<String>,
        /// The parent's stat.
        stat: Stat,
    },
    /// getACL.
    Acl {
        /// The ACL (digest ids masked for a caller without ADMIN).
        acl: Vec<Acl>,
        /// The stat.
        stat: Stat,
    },
    /// getAllChildrenNumber.
    Count {
        /// How many.
        count: u32,
    },
    /// getEphemerals.
    Paths {
        /// The paths.
        paths: Vec<String>,
    },
    /// sync: the path.
    Synced {
        /// The path.
        path: String,
    },
    /// whoAmI: each authenticated id as (scheme, user).
    WhoAmI {
        /// The ids.
        ids: Vec<Id>,
    },
    /// multi.
    Multi {
        /// One result per operation.
        results: Vec<OpResult>,
    },
}

/// A message between a ZooKeeper client and a server, on the client port (2181).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClientMsg {
    /// `ConnectRequest`: a new session (id 0) or a reconnect of an existing one.
    Connect {
        /// The last zxid the client saw.
        last_zxid: u64,
        /// The requested session timeout, ms.
        timeout_ms: u32,
        /// The session (0 for a new one).
        session: u64,
        /// The session password.
        passwd: u64,
        /// The address the connection comes from: not a protocol field, what the server
        /// reads off the socket (its `ip` auth id).
        from_ip: String,
    },
    /// `ConnectResponse`: the negotiated timeout (0: the session expired or is unknown),
    /// the session and its password.
    Connected {
        /// The negotiated timeout, ms; 0 when the session is not valid.
        timeout_ms: u32,
        /// The session id.
        session: u64,
        /// The password.
        passwd: u64,
    },
    /// A request with its xid.
    Request {
        /// The client's request number (−2 ping, −4 auth).
        xid: i32,
        /// What it asks.
        op: Op,
    },
    /// A reply (`ReplyHeader` + body).
    Reply {
        /// The request's xid.
        xid: i32,
        /// The server's last processed zxid.
        zxid: u64,
        /// The result code.
        err: Code,
        /// The body (Empty on error).
        body: ReplyBody,
    },
    /// A watch notification (xid −1): `WatcherEvent`.
    Event {
        /// What happened.
        event: EventType,
        /// Where.
        path: String,
        /// The server's last processed zxid.
        zxid: u64,
    },
}

impl ClientMsg {
    /// A one-line label, e.g. `create /app`, `reply create /app OK`.
    pub fn label(&self) -> String {
        match self {
            ClientMsg::Connect { session, .. } if *session == 0 => {
                "ConnectRequest (new session)".into()
            }
            ClientMsg::Connect { session, .. } => {
                format!("ConnectRequest session {}", hex(*session))
            }
            ClientMsg::Connected {
                timeout_ms: 0,
                session,
                ..
            } => format!("ConnectResponse: session {} expired", hex(*session)),
            ClientMsg::Connected {
                timeout_ms,
                session,
                ..
            } => format!(
                "ConnectResponse session {} timeout {timeout_ms}",
                hex(*session)
            ),
            ClientMsg::Request { op, .. } => {
                let p = op.path();
                if p.is_empty() {
                    op.name().to_string()
                } else {
                    format!("{} {p}", op.name())
                }
            }
            ClientMsg::Reply { err, xid, .. } if *xid == -2 => {
                if *err == Code::Ok {
                    "ping reply".into()
                } else {
                    format!("ping reply {err}")
                }
            }
            ClientMsg::Reply { err, zxid, .. } => format!("reply {err} (zxid {})", hex(*zxid)),
            ClientMsg::Event { event, path, .. } => format!("WatchedEvent {event} {path}"),
        }
    }
}
