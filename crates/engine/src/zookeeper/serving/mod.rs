//! A server's side of its client connections (`NIOServerCnxn`, `ZooKeeperServer`
//! `processConnectRequest`/`processPacket`, the request processor chains of
//! `ZooKeeperServer`, `LeaderZooKeeperServer`, `FollowerZooKeeperServer` and
//! `ObserverZooKeeperServer`; apache/zookeeper release-3.8.0).
//!
//! - A server accepts TCP connections on its client port from the start, but answers a
//!   ConnectRequest only while it serves (standalone, an established leader, a synced
//!   learner); otherwise it closes the connection ("ZooKeeperServer not running"). It also
//!   refuses a client that has seen a newer zxid than its own ("client must try another
//!   server"), so a client never goes back in time.
//! - A new session: the leader (or standalone server) makes the id and proposes
//!   createSession; a learner makes the id from its own sid and forwards createSession to
//!   the leader. The ConnectResponse goes out when the txn is applied. A reconnect is
//!   revalidated by the leader (REVALIDATE from a learner): an expired session is answered
//!   with timeout 0. The negotiated timeout is clamped to [2, 20] × tickTime.
//! - Requests of one session are handled in order (`CommitProcessor`): a read waits for
//!   the session's earlier writes, a write waits for its commit; reads are answered from
//!   this server's tree, writes go to the leader (learners forward them as REQUEST).
//! - Applying a txn fires the watches on this server's connections, then the reply goes
//!   to the client that asked, so a client sees a watch event before the new data.
//! - When the server stops serving (it leaves its role) it closes every client connection
//!   (`QuorumPeer.closeAllConnections`).

pub mod reads;

use crate::ids::NodeId;
use crate::sim::conn::ConnId;
use crate::sim::effects::Ctx;
use crate::zookeeper::data::acl::{self, Id};
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::stat::WALL_CLOCK_START_MS;
use crate::zookeeper::data::tree::{DataTree, Fired, TxnResult};
use crate::zookeeper::data::txn::{Txn, TxnBody};
use crate::zookeeper::messages::{ZkChange, ZkMsg, ZkTimer};
use crate::zookeeper::prep::{Outstanding, Prep, Requester};
use crate::zookeeper::proto::{ClientMsg, Op, OpResult, ReplyBody};
use crate::zookeeper::server::{Role, ZkServer};
use crate::zookeeper::session::{SessionTracker, first_session_id};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// A request waiting in its session's queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Queued {
    /// The client's xid.
    pub xid: i32,
    /// The operation.
    pub op: Op,
    /// A write already handed to the leader (or prepared here).
    pub sent: bool,
}

/// One client connection (`ServerCnxn`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerCnxn {
    /// The client.
    pub client: NodeId,
    /// Its session (0 until the ConnectRequest names or gets one).
    pub session: u64,
    /// `authInfo`: its `ip` id, and what `addauth` added.
    pub auth: Vec<Id>,
    /// The ConnectResponse went out.
    pub established: bool,
    /// The negotiated timeout, ms.
    pub timeout_ms: u32,
    /// Its requests in order.
    pub queue: VecDeque<Queued>,
}

/// A proposal the leader waits to commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PendingProposal {
    /// The transaction.
    pub txn: Arc<Txn>,
    /// The voters that acked it (the leader itself included once logged).
    pub acks: std::collections::BTreeSet<u32>,
}

/// Everything a server keeps to serve clients; volatile (a restart rebuilds the tree from
/// the disk and forgets the rest).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Serving {
    /// The data tree, with this server's watches.
    pub tree: DataTree,
    /// Client connections by connection id.
    pub cnxns: BTreeMap<ConnId, ServerCnxn>,
    /// The global sessions the applied txns created (`sessionsWithTimeouts`).
    pub sessions: BTreeMap<u64, u32>,
    /// The leader's or standalone server's prepared changes.
    #[serde(skip)]
    pub outstanding: Outstanding,
    /// The leader's or standalone server's session tracker.
    pub tracker: Option<SessionTracker>,
    /// The last zxid handed out (`hzxid`).
    pub hzxid: u64,
    /// A learner's sessions touched since its last PING to the leader.
    pub touches: BTreeMap<u64, u32>,
    /// A learner's next session id.
    pub next_local_session: u64,
    /// The leader's proposals not yet committed, by zxid.
    pub proposals: BTreeMap<u64, PendingProposal>,
    /// A learner's connections waiting for the leader's REVALIDATE answer, by session.
    pub revalidating: BTreeMap<u64, ConnId>,
    /// Connections waiting for their createSession to be applied, by session.
    pub creating: BTreeMap<u64, ConnId>,
    /// A learner's forwarded syncs, in order: (connection, xid).
    pub syncs: VecDeque<(ConnId, i32)>,
    /// The leader's syncs waiting for a proposal to commit: (zxid, learner sid).
    pub pending_syncs: Vec<(u64, u32)>,
}

/// `jute.maxbuffer`: the longest request a server reads (0xfffff bytes); a longer one
/// closes the connection, which is why a znode holds less than 1 MB.
pub const JUTE_MAX_BUFFER: u64 = 0xfffff;

/// About how long a request is on the wire, bytes (jute: a 4-byte length, the header,
/// strings as length + bytes, the data, the ACL entries).
pub fn request_length(op: &Op) -> u64 {
    let s = |t: &str| 4 + t.len() as u64;
    let data = |d: &crate::zookeeper::data::txn::Data| 4 + d.as_ref().map_or(0, |d| d.len() as u64);
    let acl = |a: &[crate::zookeeper::data::acl::Acl]| {
        4 + a
            .iter()
            .map(|x| 4 + s(&x.id.scheme) + s(&x.id.id))
            .sum::<u64>()
    };
    12 + match op {
        Op::Create {
            path,
            data: d,
            acl: a,
            ..
        } => s(path) + data(d) + acl(a) + 4,
        Op::SetData { path, data: d, .. } => s(path) + data(d) + 4,
        Op::SetAcl { path, acl: a, .. } => s(path) + acl(a) + 4,
        Op::Multi { ops } => ops.iter().map(request_length).sum(),
        other => s(other.path()) + 4,
    }
}

/// `generatePasswd`: the password of a session follows from its id (every server can
/// check it).
pub fn session_password(session: u64) -> u64 {
    session.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5eed_ca11_ab1e
}

impl ZkServer {
    /// True while the server answers clients: standalone, an established leader, or a
    /// learner past UPTODATE.
    pub fn is_serving(&self) -> bool {
        use crate::zookeeper::messages::ZabPhase;
        self.running && (self.standalone || self.phase == ZabPhase::Broadcast)
    }

    /// The wall clock for txn times (ms since the Unix epoch).
    pub(crate) fn wall_clock(ctx: &Ctx<'_>) -> u64 {
        WALL_CLOCK_START_MS + ctx.now()
    }

    /// Starts serving: the leader (when established) or a standalone server makes a
    /// session tracker from the sessions it knows; a learner resets its own session ids.
    pub(crate) fn start_serving(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        let tick = self.cfg.tick_time_ms;
        self.serving.hzxid = self.last_processed;
        match self.role {
            Role::Leader(_) | Role::None
                if self.standalone || matches!(self.role, Role::Leader(_)) =>
            {
                let sid = if self.standalone { 0 } else { self.sid };
                self.serving.tracker =
                    Some(SessionTracker::new(sid, now, tick, &self.serving.sessions));
                self.arm_session_expiry(ctx);
            }
            _ => {
                self.serving.next_local_session = first_session_id(self.sid, now);
            }
        }
        self.arm_container_check(ctx);
    }

    /// Stops serving: every client connection is closed and the leader's pending work is
    /// forgotten.
    pub(crate) fn stop_serving(&mut self, ctx: &mut Ctx<'_>) {
        let cnxns: Vec<ConnId> = self.serving.cnxns.keys().copied().collect();
        for c in cnxns {
            ctx.close(c, "server shutdown");
            self.serving.tree.remove_watcher(c);
        }
        self.serving.cnxns.clear();
        self.serving.tracker = None;
        self.serving.outstanding.clear();
        self.serving.proposals.clear();
        self.serving.revalidating.clear();
        self.serving.creating.clear();
        self.serving.syncs.clear();
        self.serving.pending_syncs.clear();
        self.serving.touches.clear();
        ctx.cancel_timer(ZkTimer::SessionExpiry);
        ctx.cancel_timer(ZkTimer::ContainerCheck);
    }

    fn client_send(ctx: &mut Ctx<'_>, conn: ConnId, m: ClientMsg) {
        ctx.send(conn, ZkMsg::Client(m));
    }

    /// A reply to request `xid` on `conn`, stamped with the server's last zxid
    /// (`ReplyHeader`: xid, zxid, err).
    fn client_reply(
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        xid: i32,
        zxid: u64,
        err: Code,
        body: ReplyBody,
    ) {
        Self::client_send(
            ctx,
            conn,
            ClientMsg::Reply {
                xid,
                zxid,
                err,
                body,
            },
        );
    }

    /// A message from a client on `conn`.
    pub(crate) fn on_client_msg(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        from: NodeId,
        m: ClientMsg,
    ) {
        match m {
            ClientMsg::Connect {
                last_zxid,
                timeout_ms,
                session,
                passwd,
                from_ip,
            } => self.client_connect(
                ctx, conn, from, &from_ip, last_zxid, timeout_ms, session, passwd,
            ),
            ClientMsg::Request { xid, op } => self.client_request(ctx, conn, xid, op),
            _ => {}
        }
    }

    /// A client connection closed: its watches go; its session lives on until it expires.
    pub(crate) fn on_client_closed(&mut self, conn: ConnId) {
        if let Some(c) = self.serving.cnxns.remove(&conn) {
            self.serving.tree.remove_watcher(conn);
            self.serving.creating.retain(|_, v| *v != conn);
            self.serving.revalidating.retain(|_, v| *v != conn);
            self.serving.syncs.retain(|(v, _)| *v != conn);
            let _ = c;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn client_connect(
        &mut self,
        ctx: &mut Ctx<'_>,
        conn: ConnId,
        from: NodeId,
        ip: &str,
        last_zxid: u64,
        timeout_ms: u32,
        session: u64,
        passwd: u64,
    ) {
        if !self.is_serving() {
            ctx.note("Closing connection: ZooKeeperServer not running");
            ctx.close(conn, "ZooKeeperServer not running");
            return;
        }
        if last_zxid > self.last_processed {
            ctx.note(format!(
                "Refusing session request for client as it has seen zxid 0x{last_zxid:x} our last zxid is 0x{:x} client must try another server",
                self.last_processed
            ));
            ctx.close(conn, "client has seen a newer zxid");
            return;
        }
        let tick = self.cfg.tick_time_ms as u32;
        let timeout = timeout_ms.clamp(2 * tick, 20 * tick);
        self.serving.cnxns.insert(
            conn,
            ServerCnxn {
                client: from,
                session,
                auth: vec![Id::new("ip", ip)],
                established: false,
                timeout_ms: timeout,
                queue: VecDeque::new(),
            },
        );
        if session == 0 {
            let id = match self.serving.tracker.as_mut() {
                Some(t) => t.create(timeout, ctx.now()),
                None => {
                    let id = self.serving.next_local_session;
                    self.serving.next_local_session += 1;
                    id
                }
            };
            if let Some(c) = self.serving.cnxns.get_mut(&conn) {
                c.session = id;
            }
            self.serving.creating.insert(id, conn);
            let auth = vec![Id::new("ip", ip)];
            self.submit_write(
                ctx,
                id,
                0,
                Op::CreateSession {
                    timeout_ms: timeout,
                },
                auth,
            );
            return;
        }
        // A reconnect: other connections of this session on this server are closed.
        let others: Vec<ConnId> = self
            .serving
            .cnxns
            .iter()
            .filter(|(c, x)| **c != conn && x.session == session)
            .map(|(c, _)| *c)
            .collect();
        for c in others {
            ctx.close(c, "client reconnected");
            self.on_client_closed(c);
        }
        if passwd != session_password(session) {
            self.finish_session_init(ctx, conn, false);
            return;
        }
        let now = ctx.now();
        if let Some(t) = self.serving.tracker.as_mut() {
            let valid = t.touch(session, now);
            self.finish_session_init(ctx, conn, valid);
        } else {
            self.serving.revalidating.insert(session, conn);
            self.learner_revalidate(ctx, session, timeout);
        }
    }

    /// `finishSessionInit`: the ConnectResponse (timeout 0 when the session is not valid,
    /// after which the server closes the connection).
    pub(crate) fn finish_session_init(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, valid: bool) {
        let Some(c) = self.serving.cnxns.get_mut(&conn) else {
            return;
        };
        let session = c.session;
        let timeout_ms = if valid { c.timeout_ms } else { 0 };
        Self::client_send(
            ctx,
            conn,
            ClientMsg::Connected {
                timeout_ms,
                session,
                passwd: if valid { session_password(session) } else { 0 },
            },
        );
        if valid {
            c.established = true;
            ctx.change(ZkChange::SessionEstablished {
                session,
                client: c.client,
                timeout_ms,
            });
            self.pump(ctx, conn);
        } else {
            ctx.note(format!(
                "Invalid session 0x{session:x} for client, probably expired"
            ));
            ctx.close(conn, "session expired");
            self.on_client_closed(conn);
        }
    }

    fn touch(&mut self, ctx: &Ctx<'_>, session: u64, timeout: u32) {
        match self.serving.tracker.as_mut() {
            Some(t) => {
                t.touch(session, ctx.now());
            }
            None => {
                self.serving.touches.insert(session, timeout);
            }
        }
    }

    fn client_request(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, xid: i32, op: Op) {
        let len = request_length(&op);
        let Some(c) = self.serving.cnxns.get_mut(&conn) else {
            return;
        };
        if !c.established {
            return;
        }
        if len > JUTE_MAX_BUFFER {
            // NIOServerCnxn.readLength: a request longer than jute.maxbuffer closes the
            // connection before it is read.
            ctx.note(format!(
                "Len error {len} (length is greater than jute.maxbuffer={JUTE_MAX_BUFFER})"
            ));
            ctx.close(conn, "Len error");
            self.on_client_closed(conn);
            return;
        }
        let (session, timeout) = (c.session, c.timeout_ms);
        if let Op::Auth { scheme, auth } = &op {
            // processPacket handles auth at once, outside the request pipeline.
            if let (true, Some(auth)) = (scheme == "digest", auth) {
                let id = Id::new("digest", &acl::digest(auth));
                if !c.auth.contains(&id) {
                    c.auth.push(id);
                }
                Self::client_reply(
                    ctx,
                    conn,
                    xid,
                    self.last_processed,
                    Code::Ok,
                    ReplyBody::Empty,
                );
            } else {
                Self::client_reply(
                    ctx,
                    conn,
                    xid,
                    self.last_processed,
                    Code::AuthFailed,
                    ReplyBody::Empty,
                );
                ctx.close(conn, "authentication failed");
                self.on_client_closed(conn);
            }
            return;
        }
        c.queue.push_back(Queued {
            xid,
            op,
            sent: false,
        });
        self.touch(ctx, session, timeout);
        self.pump(ctx, conn);
    }

    /// Handles the head of a connection's queue: reads while nothing is pending before
    /// them, and hands the first write on.
    pub(crate) fn pump(&mut self, ctx: &mut Ctx<'_>, conn: ConnId) {
        loop {
            let Some(c) = self.serving.cnxns.get_mut(&conn) else {
                return;
            };
            let Some(head) = c.queue.front_mut() else {
                return;
            };
            if head.sent {
                return;
            }
            let (session, auth) = (c.session, c.auth.clone());
            let (xid, op) = (head.xid, head.op.clone());
            let forwarded_sync =
                matches!(op, Op::Sync { .. }) && self.serving.tracker.is_none() && !self.standalone;
            if op.is_write() || forwarded_sync {
                head.sent = true;
                if forwarded_sync {
                    self.serving.syncs.push_back((conn, xid));
                }
                self.submit_write(ctx, session, xid, op, auth);
                return;
            }
            c.queue.pop_front();
            let r = reads::read(&mut self.serving.tree, conn, &auth, session, &op);
            self.send_fired(ctx, &r.fired);
            Self::client_reply(ctx, conn, xid, self.last_processed, r.err, r.body);
        }
    }

    /// A write enters the pipeline: prepared here on the leader or a standalone server,
    /// forwarded to the leader by a learner.
    pub(crate) fn submit_write(
        &mut self,
        ctx: &mut Ctx<'_>,
        session: u64,
        cxid: i32,
        op: Op,
        auth: Vec<Id>,
    ) {
        if self.serving.tracker.is_none() {
            self.learner_forward(ctx, session, cxid, op, auth);
            return;
        }
        if let Op::Sync { .. } = op {
            return;
        }
        self.prepare_and_propose(ctx, session, cxid, op, auth);
    }

    /// PrepRequestProcessor on the leader (or standalone): the next zxid, the txn, then
    /// the proposal.
    pub(crate) fn prepare_and_propose(
        &mut self,
        ctx: &mut Ctx<'_>,
        session: u64,
        cxid: i32,
        op: Op,
        auth: Vec<Id>,
    ) {
        let zxid = self.serving.hzxid + 1;
        self.serving.hzxid = zxid;
        let time = Self::wall_clock(ctx);
        let session_ok = match &op {
            Op::CreateSession { .. } | Op::CloseSession => Ok(()),
            _ => match self.serving.tracker.as_ref() {
                Some(t) if t.check(session) => Ok(()),
                _ => Err(Code::SessionExpired),
            },
        };
        let extended = self.cfg.extended_types;
        let body = match &op {
            Op::CreateSession { timeout_ms } => {
                let now = ctx.now();
                if let Some(t) = self.serving.tracker.as_mut() {
                    t.add(session, *timeout_ms, now);
                }
                self.arm_session_expiry(ctx);
                TxnBody::CreateSession {
                    timeout_ms: *timeout_ms,
                }
            }
            Op::CloseSession => {
                if let Some(t) = self.serving.tracker.as_mut() {
                    t.set_closing(session);
                }
                Prep {
                    tree: &self.serving.tree,
                    outstanding: &mut self.serving.outstanding,
                    extended_types: extended,
                }
                .close_session(session, zxid)
            }
            _ => Prep {
                tree: &self.serving.tree,
                outstanding: &mut self.serving.outstanding,
                extended_types: extended,
            }
            .prepare(
                &op,
                Requester {
                    session,
                    auth: &auth,
                    session_ok,
                },
                zxid,
                time,
            ),
        };
        let txn = Arc::new(Txn {
            zxid,
            session,
            cxid,
            time,
            body,
        });
        self.propose(ctx, txn);
    }

    /// Sends watch events to the connections they belong to.
    pub(crate) fn send_fired(&mut self, ctx: &mut Ctx<'_>, fired: &[Fired]) {
        for f in fired {
            if self.serving.cnxns.contains_key(&f.watcher) {
                Self::client_send(
                    ctx,
                    f.watcher,
                    ClientMsg::Event {
                        event: f.event,
                        path: f.path.clone(),
                        zxid: self.last_processed,
                    },
                );
            }
        }
    }

    /// Applies a committed transaction (`FinalRequestProcessor`): the tree changes and
    /// fires its watches, the server's sessions follow, and the client that asked (if it
    /// is connected here) gets its reply.
    pub(crate) fn apply_committed(&mut self, ctx: &mut Ctx<'_>, txn: Arc<Txn>) {
        if txn.zxid <= self.last_processed && !self.history.is_empty() {
            return;
        }
        let mut fired = Vec::new();
        let result = crate::zookeeper::server::process_in_memory(
            &mut self.serving.tree,
            &mut self.serving.sessions,
            &txn,
            &mut fired,
        );
        self.history.push(txn.clone());
        self.last_processed = txn.zxid;
        self.serving.outstanding.applied(txn.zxid);
        ctx.change(ZkChange::Applied {
            zxid: txn.zxid,
            what: txn.body.label(),
        });
        if let TxnBody::CloseSession { .. } = txn.body
            && let Some(t) = self.serving.tracker.as_mut()
        {
            t.remove(txn.session);
        }
        self.send_fired(ctx, &fired);
        self.reply_committed(ctx, &txn, result);
        self.arm_container_check(ctx);
    }

    fn reply_committed(&mut self, ctx: &mut Ctx<'_>, txn: &Txn, result: TxnResult) {
        if let TxnBody::CreateSession { .. } = txn.body {
            if let Some(conn) = self.serving.creating.remove(&txn.session) {
                self.finish_session_init(ctx, conn, true);
            }
            return;
        }
        let found = self.serving.cnxns.iter().find(|(_, c)| {
            c.session == txn.session
                && c.established
                && c.queue.front().is_some_and(|q| {
                    q.sent && q.xid == txn.cxid && !matches!(q.op, Op::Sync { .. })
                })
        });
        let closing = matches!(txn.body, TxnBody::CloseSession { .. });
        let Some((&conn, _)) = found else {
            if closing {
                // An expired session: close its connection here, if it has one.
                let conns: Vec<ConnId> = self
                    .serving
                    .cnxns
                    .iter()
                    .filter(|(_, c)| c.session == txn.session)
                    .map(|(c, _)| *c)
                    .collect();
                for c in conns {
                    ctx.close(c, "session expired");
                    self.on_client_closed(c);
                }
            }
            return;
        };
        let op = self
            .serving
            .cnxns
            .get_mut(&conn)
            .and_then(|c| c.queue.pop_front())
            .map(|q| q.op);
        let (err, body) = reply_of(op.as_ref(), &result);
        Self::client_reply(ctx, conn, txn.cxid, self.last_processed, err, body);
        if closing {
            ctx.close(conn, "closeSession");
            self.on_client_closed(conn);
            return;
        }
        self.pump(ctx, conn);
    }

    /// A forwarded sync came back from the leader: answer the oldest one.
    pub(crate) fn sync_done(&mut self, ctx: &mut Ctx<'_>) {
        let Some((conn, xid)) = self.serving.syncs.pop_front() else {
            return;
        };
        let Some(c) = self.serving.cnxns.get_mut(&conn) else {
            return;
        };
        let path = match c.queue.front() {
            Some(Queued {
                op: Op::Sync { path },
                xid: x,
                ..
            }) if *x == xid => path.clone(),
            _ => return,
        };
        c.queue.pop_front();
        Self::client_reply(
            ctx,
            conn,
            xid,
            self.last_processed,
            Code::Ok,
            ReplyBody::Synced { path },
        );
        self.pump(ctx, conn);
    }

    /// Arms the session expiry timer for the earliest session (leader/standalone).
    pub(crate) fn arm_session_expiry(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        match self.serving.tracker.as_ref().and_then(|t| t.next_expiry()) {
            Some(at) => ctx.set_timer(ZkTimer::SessionExpiry, at.saturating_sub(now).max(1)),
            None => ctx.cancel_timer(ZkTimer::SessionExpiry),
        }
    }

    /// The expiry timer: expired sessions are closed with a closeSession txn.
    pub(crate) fn on_session_expiry(&mut self, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        let expired = match self.serving.tracker.as_mut() {
            Some(t) => t.expire(now),
            None => return,
        };
        for s in expired {
            let timeout = self.serving.sessions.get(&s).copied().unwrap_or(0);
            ctx.change(ZkChange::SessionExpired {
                session: s,
                timeout_ms: timeout,
            });
            self.prepare_and_propose(ctx, s, 0, Op::CloseSession, Vec::new());
        }
        self.arm_session_expiry(ctx);
    }

    /// Arms the container manager while there are container or TTL nodes to watch
    /// (`ContainerManager` checks every `znode.container.checkIntervalMs`, 60 s).
    pub(crate) fn arm_container_check(&mut self, ctx: &mut Ctx<'_>) {
        if self.serving.tracker.is_none() {
            return;
        }
        let any =
            !self.serving.tree.containers().is_empty() || !self.serving.tree.ttls().is_empty();
        if any && !self.container_armed {
            self.container_armed = true;
            ctx.set_timer(ZkTimer::ContainerCheck, self.cfg.container_check_ms);
        }
    }

    /// `ContainerManager.checkContainers`: empty containers that once had a child, and
    /// empty TTL nodes unchanged for longer than their TTL, are deleted.
    pub(crate) fn on_container_check(&mut self, ctx: &mut Ctx<'_>) {
        self.container_armed = false;
        let wall = Self::wall_clock(ctx);
        let tree = &self.serving.tree;
        let mut candidates: Vec<String> = tree
            .containers()
            .iter()
            .filter(|p| {
                tree.node(p)
                    .is_some_and(|n| n.stat.cversion > 0 && n.children.is_empty())
            })
            .cloned()
            .collect();
        for p in tree.ttls() {
            if let Some(n) = tree.node(p) {
                let ttl = n.stat.ephemeral_owner & crate::zookeeper::data::stat::MAX_TTL_MS;
                if n.children.is_empty() && ttl != 0 && wall.saturating_sub(n.stat.mtime) > ttl {
                    candidates.push(p.clone());
                }
            }
        }
        for path in candidates {
            self.prepare_and_propose(ctx, 0, 0, Op::DeleteContainer { path }, Vec::new());
        }
        self.arm_container_check(ctx);
    }
}

/// The reply to a write, from what applying its txn did.
fn reply_of(op: Option<&Op>, r: &TxnResult) -> (Code, ReplyBody) {
    if let Some(Op::Multi { .. }) = op {
        let results = r
            .multi
            .iter()
            .map(|m| match (m.err, &m.path, m.stat) {
                (Code::Ok, Some(p), s) if s.is_some() && m.multi.is_empty() => OpResult::Create {
                    path: p.clone(),
                    stat: s,
                },
                (Code::Ok, Some(_), None) => OpResult::Delete,
                (code, _, _) if code != Code::Ok => OpResult::Error { code },
                _ => OpResult::Check,
            })
            .collect();
        return (r.err, ReplyBody::Multi { results });
    }
    if r.err != Code::Ok {
        return (r.err, ReplyBody::Empty);
    }
    let body = match op {
        Some(Op::Create { .. }) => ReplyBody::Created {
            path: r.path.clone().unwrap_or_default(),
            stat: r.stat,
        },
        Some(Op::SetData { .. } | Op::SetAcl { .. }) => match r.stat {
            Some(stat) => ReplyBody::Stat { stat },
            None => ReplyBody::Empty,
        },
        _ => ReplyBody::Empty,
    };
    (Code::Ok, body)
}
