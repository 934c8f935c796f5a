//! Transactions: what the leader's PrepRequestProcessor makes of a write request and every
//! server applies to its data tree in zxid order (`TxnHeader` + the `*Txn` records of
//! `zookeeper.jute`, apache/zookeeper release-3.8.0).
//!
//! A write that fails in PrepRequestProcessor (a duplicate create, a bad version) still
//! consumes its zxid: it becomes an error txn, logged and committed like any other.

use crate::zookeeper::data::acl::Acl;
use crate::zookeeper::data::code::Code;
use crate::zookeeper::zxid::hex;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Znode data: bytes, or none (`null`, which `get` prints as `null`).
pub type Data = Option<Arc<[u8]>>;

/// One transaction (`TxnHeader` + its record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Txn {
    /// Its zxid.
    pub zxid: u64,
    /// `clientId`: the session that asked for it (0 for none).
    pub session: u64,
    /// `cxid`: the client's request number.
    pub cxid: i32,
    /// `time`: the leader's wall clock when it prepared it, ms of virtual time.
    pub time: u64,
    /// What it does.
    pub body: TxnBody,
}

/// How a created node is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// PERSISTENT(_SEQUENTIAL).
    Persistent,
    /// EPHEMERAL(_SEQUENTIAL): deleted with its session.
    Ephemeral,
    /// CONTAINER: deleted by the container manager once it had a child and is empty.
    Container,
    /// PERSISTENT(_SEQUENTIAL)_WITH_TTL: deleted when empty and unchanged for `ttl` ms.
    Ttl(u64),
}

/// The record of a transaction (`CreateTxn`, `DeleteTxn`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum TxnBody {
    /// `createSession`: a session with this (negotiated) timeout.
    CreateSession {
        /// Timeout, ms.
        timeout_ms: u32,
    },
    /// `closeSession`: the session ends; its ephemerals (`paths2Delete`) go with it.
    CloseSession {
        /// The ephemerals deleted, as the leader listed them.
        paths: Vec<String>,
    },
    /// `create`, `create2`, `createContainer`, `createTTL`.
    Create {
        /// The full path (with any sequence suffix).
        path: String,
        /// The data.
        data: Data,
        /// The ACL (after `fixupACL`).
        acl: Vec<Acl>,
        /// How the node is kept.
        kind: NodeKind,
        /// The parent's new (persisted) cversion.
        parent_cversion: i32,
    },
    /// `delete` (also `deleteContainer` by the container manager).
    Delete {
        /// The path.
        path: String,
    },
    /// `setData`.
    SetData {
        /// The path.
        path: String,
        /// The new data.
        data: Data,
        /// The node's new version.
        version: i32,
    },
    /// `setACL`.
    SetAcl {
        /// The path.
        path: String,
        /// The new ACL.
        acl: Vec<Acl>,
        /// The node's new aversion.
        version: i32,
    },
    /// `check`: a version check inside a multi.
    Check {
        /// The path.
        path: String,
        /// The version it will have.
        version: i32,
    },
    /// `multi`: all or nothing, one zxid.
    Multi {
        /// The operations, each a txn body (failed ones and those after them are errors).
        ops: Vec<TxnBody>,
    },
    /// `error`: a write that failed when it was prepared.
    Error {
        /// Why.
        code: Code,
    },
    /// A transaction whose content the script did not say (`zk set-zxid` histories): it
    /// takes its zxid and changes nothing.
    Opaque,
}

impl Txn {
    /// A placeholder for a scripted history (`zk set-zxid`).
    pub fn opaque(zxid: u64) -> Arc<Txn> {
        Arc::new(Txn {
            zxid,
            session: 0,
            cxid: 0,
            time: 0,
            body: TxnBody::Opaque,
        })
    }

    /// A short description for logs and the UI, e.g. `create /app 0x2`.
    pub fn label(&self) -> String {
        format!("{} {}", self.body.label(), hex(self.zxid))
    }
}

impl TxnBody {
    /// The txn type as ZooKeeper names it, with its path (`create /app`, `error NodeExists`).
    pub fn label(&self) -> String {
        match self {
            TxnBody::CreateSession { .. } => "createSession".into(),
            TxnBody::CloseSession { .. } => "closeSession".into(),
            TxnBody::Create { path, .. } => format!("create {path}"),
            TxnBody::Delete { path } => format!("delete {path}"),
            TxnBody::SetData { path, .. } => format!("setData {path}"),
            TxnBody::SetAcl { path, .. } => format!("setACL {path}"),
            TxnBody::Check { path, .. } => format!("check {path}"),
            TxnBody::Multi { ops } => format!("multi ({} ops)", ops.len()),
            TxnBody::Error { code } => format!("error {code}"),
            TxnBody::Opaque => "txn".into(),
        }
    }
}
