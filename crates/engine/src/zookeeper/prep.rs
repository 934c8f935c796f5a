//! The leader's `PrepRequestProcessor` (apache/zookeeper release-3.8.0): it turns a write
//! request into a transaction, checking it against the data tree as it will be once every
//! transaction already prepared is applied (`outstandingChanges`), so that two writes in
//! flight see each other.
//!
//! Every write takes the next zxid before it is checked (`zks.getNextZxid()`), so a write
//! that fails becomes an error txn with that zxid. The checks run in ZooKeeper's order:
//! - create: TTL support and value, session, path shape, ACL (`fixupACL`), parent exists,
//!   CREATE on the parent, sequence suffix (the parent's persisted cversion, `%010d`),
//!   path valid, node exists, parent ephemeral;
//! - delete: session, path (special paths refused), parent exists, DELETE on the parent,
//!   node exists, version, children;
//! - setData: session, path, node exists, WRITE, version;
//! - setACL: session, path, ACL, node exists, ADMIN, aclVersion;
//! - check: session, path, node exists, READ, version.
//!
//! Not modelled: quotas, and `SessionMoved` (a session's owner server).

use crate::zookeeper::data::acl::{self, Acl, Id};
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::path;
use crate::zookeeper::data::stat::{
    CONTAINER_OWNER, MAX_TTL_MS, StatPersisted, TTL_MARK, is_session_owner,
};
use crate::zookeeper::data::tree::DataTree;
use crate::zookeeper::data::txn::{NodeKind, TxnBody};
use crate::zookeeper::proto::{CreateMode, Op};

/// What a prepared but not yet applied transaction will make of one path
/// (`ChangeRecord`). `stat: None` means the path will be deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRecord {
    /// The zxid of the transaction that made this record.
    pub zxid: u64,
    /// The path.
    pub path: String,
    /// The node's stat, or `None` when it is being deleted.
    pub stat: Option<StatPersisted>,
    /// Its number of children.
    pub child_count: i32,
    /// Its ACL.
    pub acl: Vec<Acl>,
}

/// `outstandingChanges`: records in zxid order; the newest record of a path wins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outstanding {
    records: Vec<ChangeRecord>,
}

impl Outstanding {
    fn latest(&self, path: &str) -> Option<&ChangeRecord> {
        self.records.iter().rev().find(|r| r.path == path)
    }

    fn add(&mut self, r: ChangeRecord) {
        self.records.push(r);
    }

    /// A transaction was applied: its records (and any older) are dropped
    /// (`ZooKeeperServer.processTxn`).
    pub fn applied(&mut self, zxid: u64) {
        self.records.retain(|r| r.zxid > zxid);
    }

    /// Forgets everything (a leader that steps down).
    pub fn clear(&mut self) {
        self.records.clear();
    }

    /// True when nothing is outstanding.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    fn rollback(&mut self, zxid: u64, keep: usize) {
        // rollbackPendingChanges: drop what this multi added.
        let mut i = 0;
        self.records.retain(|r| {
            i += 1;
            i <= keep || r.zxid != zxid
        });
    }
}

/// Who asks: the session and the connection's authenticated ids.
#[derive(Clone, Copy, Debug)]
pub struct Requester<'a> {
    /// The session id.
    pub session: u64,
    /// `authInfo`: the connection's ids (its `ip`, and what `addauth` added).
    pub auth: &'a [Id],
    /// Whether the session is valid (`checkSession`): `Err(SessionExpired)` when it expired
    /// or is closing.
    pub session_ok: Result<(), Code>,
}

/// The processor's view of the world for one request.
pub struct Prep<'a> {
    /// The leader's data tree (transactions applied so far).
    pub tree: &'a DataTree,
    /// Records of prepared transactions not yet applied.
    pub outstanding: &'a mut Outstanding,
    /// `-Dzookeeper.extendedTypesEnabled` (TTL nodes).
    pub extended_types: bool,
}

impl Prep<'_> {
    /// `getRecordForPath`.
    fn record(&self, at: &str) -> Result<ChangeRecord, Code> {
        if let Some(r) = self.outstanding.latest(at) {
            return match r.stat {
                Some(_) => Ok(r.clone()),
                None => Err(Code::NoNode),
            };
        }
        let n = self.tree.node(at).ok_or(Code::NoNode)?;
        Ok(ChangeRecord {
            zxid: 0,
            path: at.to_string(),
            stat: Some(n.stat),
            child_count: n.children.len() as i32,
            acl: n.acl.clone(),
        })
    }

    /// Prepares a write: the transaction body (an error txn when a check failed).
    pub fn prepare(&mut self, op: &Op, who: Requester<'_>, zxid: u64, time: u64) -> TxnBody {
        match op {
            Op::Multi { ops } => self.multi(ops, who, zxid, time),
            _ => match self.one(op, who, zxid, time) {
                Ok(body) => body,
                Err(code) => TxnBody::Error { code },
            },
        }
    }

    /// Prepares `closeSession` (the session's ephemerals, as they will be, are deleted).
    pub fn close_session(&mut self, session: u64, zxid: u64) -> TxnBody {
        // `new HashSet<>(getEphemerals(session))`, adjusted by the outstanding changes.
        let mut es = crate::zookeeper::data::javahash::JavaHashSet::default();
        for p in self.tree.ephemerals(session) {
            es.insert(&p);
        }
        for c in &self.outstanding.records {
            match c.stat {
                None => {
                    es.remove(&c.path);
                }
                Some(s) if s.ephemeral_owner == session => {
                    es.insert(&c.path);
                }
                Some(_) => {}
            }
        }
        let es = es.iter_order();
        for p in &es {
            self.outstanding.add(ChangeRecord {
                zxid,
                path: p.clone(),
                stat: None,
                child_count: 0,
                acl: Vec::new(),
            });
        }
        TxnBody::CloseSession { paths: es }
    }

    fn multi(&mut self, ops: &[Op], who: Requester<'_>, zxid: u64, time: u64) -> TxnBody {
        let keep = self.outstanding.records.len();
        let mut out = Vec::new();
        let mut failed = false;
        for op in ops {
            if failed {
                out.push(TxnBody::Error {
                    code: Code::RuntimeInconsistency,
                });
                continue;
            }
            match self.one(op, who, zxid, time) {
                Ok(b) => out.push(b),
                Err(code) => {
                    failed = true;
                    self.outstanding.rollback(zxid, keep);
                    out.push(TxnBody::Error { code });
                }
            }
        }
        TxnBody::Multi { ops: out }
    }

    /// A delete that passed its checks (`delete` and `deleteContainer` alike): the
    /// parent's record loses a child and takes the zxid as its pzxid, the node's record
    /// says it is gone, and the txn is a delete.
    fn delete_records(&mut self, mut parent: ChangeRecord, path: &str, zxid: u64) -> TxnBody {
        parent.zxid = zxid;
        parent.child_count -= 1;
        if let Some(s) = parent.stat.as_mut() {
            s.pzxid = zxid;
        }
        self.outstanding.add(parent);
        self.outstanding.add(ChangeRecord {
            zxid,
            path: path.to_string(),
            stat: None,
            child_count: -1,
            acl: Vec::new(),
        });
        TxnBody::Delete {
            path: path.to_string(),
        }
    }

    fn one(&mut self, op: &Op, who: Requester<'_>, zxid: u64, time: u64) -> Result<TxnBody, Code> {
        match op {
            Op::Create {
                path,
                data,
                acl,
                mode,
                ttl,
            } => self.create(path, data, acl, *mode, *ttl, who, zxid, time),
            Op::Delete { path, version } => {
                who.session_ok?;
                let parent = parent_checked(path)?;
                let p = self.record(&parent)?;
                check_acl(&p.acl, acl::DELETE, who.auth)?;
                let n = self.record(path)?;
                let stat = n.stat.unwrap_or_default();
                check_version(stat.version, *version)?;
                if n.child_count > 0 {
                    return Err(Code::NotEmpty);
                }
                Ok(self.delete_records(p, path, zxid))
            }
            Op::SetData {
                path,
                data,
                version,
            } => {
                who.session_ok?;
                path::validate(path, false).map_err(|_| Code::BadArguments)?;
                let mut n = self.record(path)?;
                check_acl(&n.acl, acl::WRITE, who.auth)?;
                let mut stat = n.stat.unwrap_or_default();
                let new = check_version(stat.version, *version)?;
                stat.version = new;
                stat.mtime = time;
                stat.mzxid = zxid;
                n.stat = Some(stat);
                n.zxid = zxid;
                self.outstanding.add(n);
                Ok(TxnBody::SetData {
                    path: path.clone(),
                    data: data.clone(),
                    version: new,
                })
            }
            Op::SetAcl {
                path,
                acl: new_acl,
                version,
            } => {
                who.session_ok?;
                path::validate(path, false).map_err(|_| Code::BadArguments)?;
                let list = acl::fixup(new_acl, who.auth).ok_or(Code::InvalidAcl)?;
                let mut n = self.record(path)?;
                check_acl(&n.acl, acl::ADMIN, who.auth)?;
                let mut stat = n.stat.unwrap_or_default();
                let new = check_version(stat.aversion, *version)?;
                stat.aversion = new;
                n.stat = Some(stat);
                n.acl = list.clone();
                n.zxid = zxid;
                self.outstanding.add(n);
                Ok(TxnBody::SetAcl {
                    path: path.clone(),
                    acl: list,
                    version: new,
                })
            }
            Op::Check { path, version } => {
                who.session_ok?;
                path::validate(path, false).map_err(|_| Code::BadArguments)?;
                let n = self.record(path)?;
                check_acl(&n.acl, acl::READ, who.auth)?;
                let v = check_version(n.stat.unwrap_or_default().version, *version)?;
                Ok(TxnBody::Check {
                    path: path.clone(),
                    version: v,
                })
            }
            Op::DeleteContainer { path } => {
                let parent = parent_checked(path)?;
                let n = self.record(path)?;
                if n.child_count > 0 {
                    return Err(Code::NotEmpty);
                }
                if n.stat.is_some_and(|s| is_session_owner(s.ephemeral_owner)) {
                    return Err(Code::BadVersion);
                }
                let p = self.record(&parent)?;
                Ok(self.delete_records(p, path, zxid))
            }
            // `isReconfigEnabled()` is false by default.
            Op::Reconfig => Err(Code::ReconfigDisabled),
            // Reads never reach the prep processor as transactions.
            _ => Err(Code::Unimplemented),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn create(
        &mut self,
        at: &str,
        data: &crate::zookeeper::data::txn::Data,
        req_acl: &[Acl],
        mode: CreateMode,
        ttl: Option<i64>,
        who: Requester<'_>,
        zxid: u64,
        time: u64,
    ) -> Result<TxnBody, Code> {
        // validateCreateRequest
        if mode.is_ttl() && !self.extended_types {
            return Err(Code::Unimplemented);
        }
        let ttl_ms = match (mode.is_ttl(), ttl) {
            (true, Some(t)) if t > 0 && (t as u64) <= MAX_TTL_MS => Some(t as u64),
            (true, _) => return Err(Code::BadArguments),
            (false, Some(t)) if t >= 0 => return Err(Code::BadArguments),
            (false, _) => None,
        };
        who.session_ok?;
        // validatePathForCreate
        if !at.contains('/') || at.contains('\0') {
            return Err(Code::BadArguments);
        }
        let parent_path = at
            .rfind('/')
            .map(|i| if i == 0 { "/" } else { &at[..i] })
            .unwrap_or("/");
        let list = acl::fixup(req_acl, who.auth).ok_or(Code::InvalidAcl)?;
        let parent = self.record(parent_path)?;
        check_acl(&parent.acl, acl::CREATE, who.auth)?;
        let pstat = parent.stat.unwrap_or_default();
        let mut full = at.to_string();
        if mode.is_sequential() {
            full.push_str(&format!("{:010}", pstat.cversion));
        }
        path::validate(&full, false).map_err(|_| Code::BadArguments)?;
        if self.record(&full).is_ok() {
            return Err(Code::NodeExists);
        }
        if is_session_owner(pstat.ephemeral_owner) {
            return Err(Code::NoChildrenForEphemerals);
        }
        let new_cversion = pstat.cversion.wrapping_add(1);
        let kind = match mode {
            CreateMode::Container => NodeKind::Container,
            _ if mode.is_ephemeral() => NodeKind::Ephemeral,
            _ => match ttl_ms {
                Some(t) => NodeKind::Ttl(t),
                None => NodeKind::Persistent,
            },
        };
        let owner = match kind {
            NodeKind::Container => CONTAINER_OWNER,
            NodeKind::Ttl(t) => TTL_MARK | t,
            NodeKind::Ephemeral => who.session,
            NodeKind::Persistent => 0,
        };
        let mut parent = parent;
        parent.zxid = zxid;
        parent.child_count += 1;
        if let Some(s) = parent.stat.as_mut() {
            s.cversion = new_cversion;
            s.pzxid = zxid;
        }
        self.outstanding.add(parent);
        self.outstanding.add(ChangeRecord {
            zxid,
            path: full.clone(),
            stat: Some(StatPersisted {
                czxid: zxid,
                mzxid: zxid,
                ctime: time,
                mtime: time,
                ephemeral_owner: owner,
                pzxid: zxid,
                ..Default::default()
            }),
            child_count: 0,
            acl: list.clone(),
        });
        Ok(TxnBody::Create {
            path: full,
            data: data.clone(),
            acl: list,
            kind,
            parent_cversion: new_cversion,
        })
    }
}

/// `getParentPathAndValidate`: the parent of a path to delete; special paths and paths
/// without a `/` or with a NUL are bad arguments.
fn parent_checked(at: &str) -> Result<String, Code> {
    if !at.contains('/') || at.contains('\0') || path::is_special(at) {
        return Err(Code::BadArguments);
    }
    Ok(path::parent(at).unwrap_or("/").to_string())
}

/// `checkAndIncVersion`: −1 matches any version; returns the next version.
fn check_version(current: i32, expected: i32) -> Result<i32, Code> {
    if expected != -1 && expected != current {
        return Err(Code::BadVersion);
    }
    Ok(current.wrapping_add(1))
}

fn check_acl(acl: &[Acl], perm: u8, auth: &[Id]) -> Result<(), Code> {
    if acl::allowed(acl, perm, auth) {
        Ok(())
    } else {
        Err(Code::NoAuth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zookeeper::data::txn::Txn;
    use std::sync::Arc;

    fn who(auth: &[Id]) -> Requester<'_> {
        Requester {
            session: 0x10,
            auth,
            session_ok: Ok(()),
        }
    }

    fn create(path: &str, mode: CreateMode) -> Op {
        Op::Create {
            path: path.into(),
            data: Some(Arc::from(&b"d"[..])),
            acl: Acl::open(),
            mode,
            ttl: None,
        }
    }

    /// Prepares and applies `op` as the next zxid.
    fn run(tree: &mut DataTree, out: &mut Outstanding, zxid: u64, op: &Op) -> TxnBody {
        let ip = [Id::new("ip", "127.0.0.1")];
        let body = Prep {
            tree,
            outstanding: out,
            extended_types: true,
        }
        .prepare(op, who(&ip), zxid, 0);
        let txn = Txn {
            zxid,
            session: 0x10,
            cxid: 0,
            time: 0,
            body: body.clone(),
        };
        tree.process_txn(&txn, &mut Vec::new());
        out.applied(zxid);
        body
    }

    #[test]
    fn sequential_names_use_the_parents_creation_count() {
        let (mut t, mut o) = (DataTree::new(), Outstanding::default());
        run(&mut t, &mut o, 2, &create("/p", CreateMode::Persistent));
        run(&mut t, &mut o, 3, &create("/p/c1", CreateMode::Persistent));
        run(&mut t, &mut o, 4, &create("/p/c2", CreateMode::Persistent));
        run(
            &mut t,
            &mut o,
            5,
            &Op::Delete {
                path: "/p/c1".into(),
                version: -1,
            },
        );
        let b = run(
            &mut t,
            &mut o,
            6,
            &create("/p/s-", CreateMode::PersistentSequential),
        );
        let TxnBody::Create { path, .. } = b else {
            panic!("{b:?}")
        };
        assert_eq!(path, "/p/s-0000000002");
    }

    #[test]
    fn delete_checks_version_before_children() {
        let (mut t, mut o) = (DataTree::new(), Outstanding::default());
        run(&mut t, &mut o, 2, &create("/p", CreateMode::Persistent));
        run(&mut t, &mut o, 3, &create("/p/c", CreateMode::Persistent));
        let b = run(
            &mut t,
            &mut o,
            4,
            &Op::Delete {
                path: "/p".into(),
                version: 7,
            },
        );
        assert_eq!(
            b,
            TxnBody::Error {
                code: Code::BadVersion
            }
        );
        let b = run(
            &mut t,
            &mut o,
            5,
            &Op::Delete {
                path: "/p".into(),
                version: -1,
            },
        );
        assert_eq!(
            b,
            TxnBody::Error {
                code: Code::NotEmpty
            }
        );
        let b = run(
            &mut t,
            &mut o,
            6,
            &Op::Delete {
                path: "/zookeeper".into(),
                version: -1,
            },
        );
        assert_eq!(
            b,
            TxnBody::Error {
                code: Code::BadArguments
            }
        );
    }

    #[test]
    fn outstanding_changes_are_seen_before_they_apply() {
        let (t, mut o) = (DataTree::new(), Outstanding::default());
        let ip = [Id::new("ip", "127.0.0.1")];
        let mut p = Prep {
            tree: &t,
            outstanding: &mut o,
            extended_types: true,
        };
        let first = p.prepare(&create("/a", CreateMode::Persistent), who(&ip), 2, 0);
        assert!(matches!(first, TxnBody::Create { .. }));
        let second = p.prepare(&create("/a", CreateMode::Persistent), who(&ip), 3, 0);
        assert_eq!(
            second,
            TxnBody::Error {
                code: Code::NodeExists
            }
        );
        let child = p.prepare(&create("/a/b", CreateMode::Persistent), who(&ip), 4, 0);
        assert!(matches!(child, TxnBody::Create { .. }), "{child:?}");
    }

    #[test]
    fn ephemerals_cannot_have_children_and_ttls_need_a_value() {
        let (mut t, mut o) = (DataTree::new(), Outstanding::default());
        run(&mut t, &mut o, 2, &create("/e", CreateMode::Ephemeral));
        let b = run(&mut t, &mut o, 3, &create("/e/c", CreateMode::Persistent));
        assert_eq!(
            b,
            TxnBody::Error {
                code: Code::NoChildrenForEphemerals
            }
        );
        let b = run(
            &mut t,
            &mut o,
            4,
            &create("/t", CreateMode::PersistentWithTtl),
        );
        assert_eq!(
            b,
            TxnBody::Error {
                code: Code::BadArguments
            }
        );
    }

    #[test]
    fn a_failed_multi_rolls_back_its_records() {
        let (t, mut o) = (DataTree::new(), Outstanding::default());
        let ip = [Id::new("ip", "127.0.0.1")];
        let mut p = Prep {
            tree: &t,
            outstanding: &mut o,
            extended_types: true,
        };
        let ops = vec![
            create("/m", CreateMode::Persistent),
            Op::Delete {
                path: "/nope".into(),
                version: -1,
            },
            create("/n", CreateMode::Persistent),
        ];
        let b = p.prepare(&Op::Multi { ops }, who(&ip), 2, 0);
        let TxnBody::Multi { ops } = b else { panic!() };
        assert!(matches!(ops[0], TxnBody::Create { .. }));
        assert_eq!(ops[1], TxnBody::Error { code: Code::NoNode });
        assert_eq!(
            ops[2],
            TxnBody::Error {
                code: Code::RuntimeInconsistency
            }
        );
        assert!(o.is_empty(), "the multi's records were rolled back");
    }
}
