//! A ZooKeeper client (`ZooKeeper` + `ClientCnxn`, apache/zookeeper release-3.8.0): one
//! connection to one server of its connect string at a time, a session that outlives
//! connections, and the console (zkCli) that drives it.
//!
//! - Connecting: TCP connect, then ConnectRequest (session 0 for a new session, or the
//!   session and password to resume it, with the last zxid seen). Requests made meanwhile
//!   wait and go out after the ConnectResponse, behind the auth packets and SetWatches.
//! - Timeouts: before the handshake the client gives a server `timeout / #hosts`
//!   (connectTimeout); once connected it declares the connection lost when nothing has
//!   arrived for two thirds of the negotiated timeout (readTimeout), and pings when it has
//!   sent nothing for about half of that (`readTimeout / 2 − 1 s`, at most 10 s).
//! - Connection loss: every request waiting fails with ConnectionLoss, the watcher sees
//!   `Disconnected` (once), and the client tries the next server after a random wait of up
//!   to 1 s (plus 1 s when it has gone round the whole list). The session and its
//!   ephemerals survive if it reconnects within the session timeout; the watches are
//!   re-registered (SetWatches with the last zxid seen).
//! - Expiry: a server answers a reconnect with timeout 0; the watcher sees `Expired`, the
//!   client is closed for good and a new session must be created.

pub mod hosts;
pub mod store_link;
pub mod watches;

use crate::ids::NodeId;
use crate::sim::conn::{Channel, CloseReason, ConnId};
use crate::sim::effects::Ctx;
use crate::zookeeper::data::code::Code;
use crate::zookeeper::data::watch::EventType;
use crate::zookeeper::messages::{ZkChange, ZkMsg, ZkTimer};
use crate::zookeeper::proto::{ClientMsg, Op, ReplyBody};
use crate::zookeeper::recipes::store::StoreMsg;
use crate::zookeeper::recipes::{Purpose, Recipe, RecipeStep};
use crate::zookeeper::zkcli::{Console, Line, Step};
use hosts::HostProvider;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use store_link::StoreLink;
use watches::ClientWatches;

/// `ZooKeeper.States`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum States {
    /// Not started yet.
    NotConnected,
    /// Connecting (or reconnecting) to a server.
    Connecting,
    /// Connected: the session is usable.
    Connected,
    /// Closed (by `close`, or because the session expired).
    Closed,
    /// Authentication failed.
    AuthFailed,
}

impl States {
    /// `isAlive`.
    pub fn is_alive(self) -> bool {
        !matches!(self, States::Closed | States::AuthFailed)
    }
}

/// `Watcher.Event.KeeperState`: what the watcher is told about the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeeperState {
    /// Not connected.
    Disconnected,
    /// Connected.
    SyncConnected,
    /// Authentication failed.
    AuthFailed,
    /// The session expired.
    Expired,
    /// The client closed.
    Closed,
}

impl fmt::Display for KeeperState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A watched event as the watcher gets it (`WatchedEvent`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchedEvent {
    /// The connection state.
    pub state: KeeperState,
    /// What happened (`None` for a state change).
    pub kind: EventType,
    /// Where (`None` for a state change).
    pub path: Option<String>,
}

/// What the session looks like to a test or a lesson: `expect session c1 ...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionState {
    /// Trying to connect, never connected yet.
    Connecting,
    /// Connected.
    Connected,
    /// Lost its connection; trying others (the session may still be alive).
    Disconnected,
    /// The session expired.
    Expired,
    /// Closed by the client.
    Closed,
}

impl SessionState {
    /// The name (`CONNECTED`, ...).
    pub fn name(self) -> &'static str {
        match self {
            SessionState::Connecting => "CONNECTING",
            SessionState::Connected => "CONNECTED",
            SessionState::Disconnected => "DISCONNECTED",
            SessionState::Expired => "EXPIRED",
            SessionState::Closed => "CLOSED",
        }
    }

    /// Parses a name, case-insensitively.
    pub fn parse(s: &str) -> Option<SessionState> {
        [
            SessionState::Connecting,
            SessionState::Connected,
            SessionState::Disconnected,
            SessionState::Expired,
            SessionState::Closed,
        ]
        .into_iter()
        .find(|v| v.name().eq_ignore_ascii_case(s))
    }
}

/// A request the client sent or will send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Request {
    /// Its xid.
    pub xid: i32,
    /// The operation.
    pub op: Op,
    /// True for the client's own requests (ping, auth, SetWatches), whose replies do not
    /// go to the console.
    pub internal: bool,
}

/// The reply of a request, for the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The request's xid.
    pub xid: i32,
    /// The operation.
    pub op: Op,
    /// OK and the body, or the error.
    pub result: Result<ReplyBody, Code>,
}

/// `ping` xid.
const PING_XID: i32 = -2;
/// `auth` xid.
const AUTH_XID: i32 = -4;
/// SetWatches xid.
const SET_WATCHES_XID: i32 = -8;
/// `MAX_SEND_PING_INTERVAL`, ms.
const MAX_PING_INTERVAL_MS: u64 = 10_000;

/// A ZooKeeper client node.
#[derive(Clone, Debug, Serialize)]
pub struct ZkClient {
    /// Its number (`c1` is 1).
    pub id: u32,
    /// The requested session timeout, ms (zkCli's default: 30000).
    pub requested_timeout_ms: u32,
    /// The connect string's servers.
    pub connect: Vec<u32>,
    /// Where it connects from (its `ip` auth id).
    pub address: String,
    /// The servers in the order it tries them.
    pub hosts: Option<HostProvider>,
    /// `ZooKeeper.States`.
    pub state: States,
    /// The last state event the watcher got (`EventThread.sessionState`).
    pub keeper_state: KeeperState,
    /// Connected at least once.
    pub ever_connected: bool,
    /// The session expired.
    pub expired: bool,
    /// Its session (0 before the first ConnectResponse).
    pub session: u64,
    /// The session password.
    pub passwd: u64,
    /// The negotiated timeout, ms.
    pub negotiated_ms: u32,
    /// The last zxid it saw in a reply.
    pub last_zxid: u64,
    /// The connection to its server.
    pub conn: Option<ConnId>,
    /// The server of `conn`.
    pub server: Option<u32>,
    /// The ConnectResponse arrived on `conn`.
    pub handshake: bool,
    first_connect: bool,
    closing: bool,
    xid: i32,
    /// Requests made before the connection was ready.
    pub outgoing: VecDeque<Request>,
    /// Requests sent, waiting for their reply (in order).
    pub pending: VecDeque<Request>,
    /// `addauth` credentials, sent again on every connection.
    pub auth: Vec<(String, Option<String>)>,
    /// Its watches.
    pub watches: ClientWatches,
    /// Watch notifications delivered to its watcher so far.
    pub events_delivered: u32,
    /// Its zkCli console.
    pub console: Console,
    /// The recipe it runs instead of waiting for console lines, if any.
    pub recipe: Option<Recipe>,
    /// The recipe's requests waiting for their reply, by xid.
    recipe_xids: BTreeMap<i32, Purpose>,
    /// The recipe's connection to a store (the fencing-token recipe).
    #[serde(skip)]
    store: StoreLink,
    /// Embedded in a program that is not a zkCli (a Kafka broker's `ZooKeeperClient`):
    /// replies and watch events go to [`ZkClient::take_inbox`] instead of the console.
    #[serde(skip)]
    embedded: bool,
    #[serde(skip)]
    inbox: Vec<Delivery>,
}

/// What an embedded client hands its program: a reply or a watched event, in the order
/// the client got them (the event thread's order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The reply to a request made with [`ZkClient::submit`].
    Reply(Box<Reply>),
    /// A watch notification or a state change.
    Event(WatchedEvent),
}

impl ZkClient {
    /// A client of `connect` (server sids) asking for `timeout_ms`.
    pub fn new(id: u32, connect: Vec<u32>, timeout_ms: u32) -> ZkClient {
        ZkClient {
            id,
            requested_timeout_ms: timeout_ms,
            connect,
            address: format!("10.0.1.{id}"),
            hosts: None,
            state: States::NotConnected,
            keeper_state: KeeperState::Disconnected,
            ever_connected: false,
            expired: false,
            session: 0,
            passwd: 0,
            negotiated_ms: 0,
            last_zxid: 0,
            conn: None,
            server: None,
            handshake: false,
            first_connect: true,
            closing: false,
            xid: 1,
            outgoing: VecDeque::new(),
            pending: VecDeque::new(),
            auth: Vec::new(),
            watches: ClientWatches::default(),
            events_delivered: 0,
            console: Console::default(),
            recipe: None,
            recipe_xids: BTreeMap::new(),
            store: StoreLink::default(),
            embedded: false,
            inbox: Vec::new(),
        }
    }

    /// A client embedded in another program (a Kafka broker): no console output; replies
    /// and events wait in an inbox the program drains after each call.
    pub fn embedded(id: u32, connect: Vec<u32>, timeout_ms: u32) -> ZkClient {
        ZkClient {
            embedded: true,
            ..ZkClient::new(id, connect, timeout_ms)
        }
    }

    /// Takes what arrived for an embedded client's program since the last call.
    pub fn take_inbox(&mut self) -> Vec<Delivery> {
        std::mem::take(&mut self.inbox)
    }

    /// What `expect session` sees.
    pub fn session_state(&self) -> SessionState {
        match self.state {
            States::Connected => SessionState::Connected,
            States::Closed | States::AuthFailed if self.expired => SessionState::Expired,
            States::Closed | States::AuthFailed => SessionState::Closed,
            _ if self.ever_connected => SessionState::Disconnected,
            _ => SessionState::Connecting,
        }
    }

    fn timeout_base(&self) -> u64 {
        u64::from(if self.negotiated_ms > 0 {
            self.negotiated_ms
        } else {
            self.requested_timeout_ms
        })
    }

    fn read_timeout(&self) -> u64 {
        self.timeout_base() * 2 / 3
    }

    fn connect_timeout(&self) -> u64 {
        let n = self.hosts.as_ref().map_or(1, |h| h.size().max(1));
        self.timeout_base() / u64::from(n)
    }

    fn ping_interval(&self) -> u64 {
        let half = self.read_timeout() / 2;
        let i = if half > 2000 { half - 1000 } else { half };
        i.clamp(1, MAX_PING_INTERVAL_MS + 1)
    }

    fn set_state(&mut self, ctx: &mut Ctx<'_>, state: States) {
        if self.state != state {
            self.state = state;
            let name = match state {
                States::NotConnected => "NOT_CONNECTED",
                States::Connecting => "CONNECTING",
                States::Connected => "CONNECTED",
                States::Closed => "CLOSED",
                States::AuthFailed => "AUTH_FAILED",
            };
            ctx.change(ZkChange::ClientState {
                state: name.into(),
                server: self.server.map(NodeId::Zk),
            });
        }
    }

    /// Delivers a state event to the watcher (`queueEvent`: a state it already has is not
    /// repeated).
    fn state_event(&mut self, ctx: &mut Ctx<'_>, state: KeeperState) {
        if self.keeper_state == state {
            return;
        }
        self.keeper_state = state;
        let ev = WatchedEvent {
            state,
            kind: EventType::None,
            path: None,
        };
        self.deliver_event(ctx, ev);
    }

    fn deliver_event(&mut self, ctx: &mut Ctx<'_>, ev: WatchedEvent) {
        if self.embedded {
            self.inbox.push(Delivery::Event(ev));
            return;
        }
        // A recipe client is a program, not a zkCli: nothing is printed.
        if self.recipe.is_none() {
            let lines = self.console.on_event(&ev);
            print(ctx, lines);
        }
        let session = self.session;
        let step = match self.recipe.as_mut() {
            Some(r) if ev.state == KeeperState::SyncConnected && ev.kind == EventType::None => {
                r.on_connected(session)
            }
            Some(r) => r.on_event(&ev),
            None => return,
        };
        self.do_recipe_step(ctx, step);
    }

    /// Carries out what the recipe asks: its requests (each remembered by xid), its
    /// timer, its notes.
    fn do_recipe_step(&mut self, ctx: &mut Ctx<'_>, step: RecipeStep) {
        for note in step.notes {
            ctx.note(note);
        }
        if let Some(ms) = step.timer_ms {
            ctx.set_timer(ZkTimer::RecipeTimer, ms);
        }
        if let Some((store, mut msg)) = step.store_write {
            if let StoreMsg::Write { value, .. } = &mut msg
                && value.is_empty()
            {
                *value = format!("result of c{}", self.id);
            }
            self.store.send(ctx, store, msg);
        }
        for (op, purpose) in step.send {
            // Known before `submit`, which may answer at once on a closed client.
            self.recipe_xids.insert(self.xid, purpose);
            self.submit(ctx, op);
        }
    }

    /// A reply to a recipe's request: the watch it set is recorded as zkCli's would be
    /// (`exists` on an existing node: a data watch; on a missing one: an exist watch).
    fn recipe_reply(&mut self, ctx: &mut Ctx<'_>, purpose: Purpose, reply: Reply) {
        if let Op::Exists { path, watch: true } = &reply.op {
            match &reply.result {
                Ok(_) => {
                    self.watches.data.insert(path.clone());
                }
                Err(Code::NoNode) => {
                    self.watches.exist.insert(path.clone());
                }
                Err(_) => {}
            }
        }
        let Some(r) = self.recipe.as_mut() else {
            return;
        };
        let step = r.on_reply(&purpose, &reply);
        self.do_recipe_step(ctx, step);
    }

    /// Process start: a fresh client (zkCli starting) connects to its first server.
    pub fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        let hosts = HostProvider::new(&self.connect, ctx.rng());
        self.hosts = Some(hosts);
        if self.recipe.is_none() && !self.embedded {
            let lines = self.console.on_start();
            print(ctx, lines);
        }
        self.start_connect(ctx);
    }

    /// The process died or lost power: everything is gone; a restart is a new zkCli with
    /// a new session.
    pub fn crash(&mut self) {
        let mut fresh = ZkClient::new(self.id, self.connect.clone(), self.requested_timeout_ms);
        fresh.address = self.address.clone();
        fresh.console.host = self.console.host.clone();
        fresh.embedded = self.embedded;
        *self = fresh;
    }

    /// Picks the next server and connects (`startConnect`).
    fn start_connect(&mut self, ctx: &mut Ctx<'_>) {
        if self.closing || !self.state.is_alive() {
            return;
        }
        let Some(h) = self.hosts.as_mut() else { return };
        let (sid, spin) = h.next_host();
        let mut delay = if spin { 1000 } else { 0 };
        if !self.first_connect {
            delay += ctx.rng().below(1000);
        }
        self.server = Some(sid);
        self.set_state(ctx, States::Connecting);
        if delay > 0 {
            ctx.set_timer(ZkTimer::ClientReconnect, delay);
        } else {
            self.open_connection(ctx);
        }
    }

    fn open_connection(&mut self, ctx: &mut Ctx<'_>) {
        let Some(sid) = self.server else { return };
        let conn = ctx.connect(NodeId::Zk(sid), Channel::ZkClient);
        self.conn = Some(conn);
        self.handshake = false;
        self.first_connect = false;
        // primeConnection: the ConnectRequest goes first.
        let session = if self.ever_connected { self.session } else { 0 };
        ctx.send(
            conn,
            ZkMsg::Client(ClientMsg::Connect {
                last_zxid: self.last_zxid,
                timeout_ms: self.requested_timeout_ms,
                session,
                passwd: self.passwd,
                from_ip: self.address.clone(),
            }),
        );
        ctx.set_timer(ZkTimer::ClientTimeout, self.connect_timeout().max(1));
    }

    /// `cleanAndNotifyState` then reconnect: the connection is gone.
    fn connection_lost(&mut self, ctx: &mut Ctx<'_>, why: &str) {
        if let Some(c) = self.conn.take() {
            ctx.close(c, why.to_string());
        }
        self.handshake = false;
        ctx.cancel_timer(ZkTimer::ClientTimeout);
        ctx.cancel_timer(ZkTimer::ClientPing);
        let code = match self.state {
            States::Closed => Code::SessionExpired,
            States::AuthFailed => Code::AuthFailed,
            _ => Code::ConnectionLoss,
        };
        // The event thread tells the watcher before the waiting calls wake up with their
        // ConnectionLoss (the order zkCli prints them in).
        let alive = self.state.is_alive();
        if alive {
            self.state_event(ctx, KeeperState::Disconnected);
        }
        self.fail_all(ctx, code);
        if alive {
            self.start_connect(ctx);
        }
    }

    fn fail_all(&mut self, ctx: &mut Ctx<'_>, code: Code) {
        let mut failed: Vec<Request> = self.pending.drain(..).collect();
        failed.extend(self.outgoing.drain(..));
        for r in failed.into_iter().filter(|r| !r.internal) {
            self.deliver_reply(
                ctx,
                Reply {
                    xid: r.xid,
                    op: r.op,
                    result: Err(code),
                },
            );
        }
    }

    /// A request from the console. It is queued if the connection is not ready; on a
    /// closed client it fails at once (SessionExpired, or AuthFailed).
    pub fn submit(&mut self, ctx: &mut Ctx<'_>, op: Op) -> i32 {
        let xid = self.xid;
        self.xid += 1;
        if !self.state.is_alive() {
            let code = if self.state == States::AuthFailed {
                Code::AuthFailed
            } else {
                Code::SessionExpired
            };
            self.deliver_reply(
                ctx,
                Reply {
                    xid,
                    op,
                    result: Err(code),
                },
            );
            return xid;
        }
        if let Op::Auth { scheme, auth } = &op {
            self.auth.push((scheme.clone(), auth.clone()));
        }
        let r = Request {
            xid,
            op,
            internal: false,
        };
        if self.handshake {
            self.send(ctx, r);
        } else {
            self.outgoing.push_back(r);
        }
        xid
    }

    fn send(&mut self, ctx: &mut Ctx<'_>, r: Request) {
        let Some(conn) = self.conn else {
            self.outgoing.push_back(r);
            return;
        };
        let xid = match r.op {
            Op::Ping => PING_XID,
            Op::Auth { .. } => AUTH_XID,
            Op::SetWatches { .. } => SET_WATCHES_XID,
            _ => r.xid,
        };
        ctx.send(
            conn,
            ZkMsg::Client(ClientMsg::Request {
                xid,
                op: r.op.clone(),
            }),
        );
        if self.handshake {
            ctx.set_timer(ZkTimer::ClientPing, self.ping_interval());
        }
        // Auth replies come out of order (processPacket answers them at once); the client
        // does not queue them as pending.
        if !matches!(r.op, Op::Auth { .. }) {
            self.pending.push_back(Request { xid, ..r });
        }
    }

    /// `close()`: closeSession, then the client is closed.
    pub fn close_session(&mut self, ctx: &mut Ctx<'_>) -> i32 {
        self.submit(ctx, Op::CloseSession)
    }

    fn deliver_reply(&mut self, ctx: &mut Ctx<'_>, reply: Reply) {
        if self.embedded {
            self.inbox.push(Delivery::Reply(Box::new(reply)));
            return;
        }
        if let Some(purpose) = self.recipe_xids.remove(&reply.xid) {
            self.recipe_reply(ctx, purpose, reply);
            return;
        }
        let step = self.console.on_reply(&reply, &mut self.watches);
        self.do_step(ctx, step);
        self.run_console(ctx);
    }

    /// Carries out what a console step asks.
    fn do_step(&mut self, ctx: &mut Ctx<'_>, step: Step) {
        print(ctx, step.lines);
        for ev in step.events {
            self.deliver_event(ctx, ev);
        }
        for op in step.send {
            self.submit(ctx, op);
        }
        if step.close {
            self.close_session(ctx);
        }
        if let Some(target) = step.connect {
            self.reconnect_to(ctx, target);
        }
    }

    /// Queues a zkCli line and runs the console if it is free.
    pub fn console_line(&mut self, ctx: &mut Ctx<'_>, line: &str) {
        self.console.push(line);
        self.run_console(ctx);
    }

    /// Runs console commands while the console is free and has lines waiting.
    pub fn run_console(&mut self, ctx: &mut Ctx<'_>) {
        while let Some(step) = self.console.next_command(&mut self.watches, self.state) {
            self.do_step(ctx, step);
        }
    }

    /// zkCli's `connect host:port`: a new ZooKeeper object on that server (the old
    /// session is closed first).
    fn reconnect_to(&mut self, ctx: &mut Ctx<'_>, target: Option<u32>) {
        if let Some(c) = self.conn.take() {
            ctx.close(c, "zkCli connect");
        }
        ctx.cancel_timer(ZkTimer::ClientTimeout);
        ctx.cancel_timer(ZkTimer::ClientPing);
        ctx.cancel_timer(ZkTimer::ClientReconnect);
        let connect = match target {
            Some(sid) => vec![sid],
            None => self.connect.clone(),
        };
        let mut fresh = ZkClient::new(self.id, connect, self.requested_timeout_ms);
        fresh.address = self.address.clone();
        fresh.console = std::mem::take(&mut self.console);
        fresh.xid = self.xid;
        *self = fresh;
        let hosts = HostProvider::new(&self.connect, ctx.rng());
        self.hosts = Some(hosts);
        self.start_connect(ctx);
    }

    /// A message from its server.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, msg: ZkMsg) {
        if self.store.owns(conn) {
            if let Some(verdict) = self.store.on_message(msg)
                && let Some(r) = self.recipe.as_mut()
            {
                let step = r.on_store_reply(Some(verdict));
                self.do_recipe_step(ctx, step);
            }
            return;
        }
        if Some(conn) != self.conn {
            return;
        }
        let ZkMsg::Client(m) = msg else { return };
        if self.handshake {
            ctx.set_timer(ZkTimer::ClientTimeout, self.read_timeout().max(1));
        }
        match m {
            ClientMsg::Connected {
                timeout_ms,
                session,
                passwd,
            } => self.on_connected(ctx, timeout_ms, session, passwd),
            ClientMsg::Reply {
                xid,
                zxid,
                err,
                body,
            } => self.on_reply(ctx, xid, zxid, err, body),
            ClientMsg::Event { event, path, .. } => {
                if self.watches.materialize(event, &path) {
                    self.events_delivered += 1;
                    let ev = WatchedEvent {
                        state: KeeperState::SyncConnected,
                        kind: event,
                        path: Some(path),
                    };
                    self.deliver_event(ctx, ev);
                }
            }
            ClientMsg::Connect { .. } | ClientMsg::Request { .. } => {}
        }
    }

    fn on_connected(&mut self, ctx: &mut Ctx<'_>, timeout_ms: u32, session: u64, passwd: u64) {
        if timeout_ms == 0 {
            // onConnected with a non-positive timeout: the session expired.
            self.expired = true;
            self.set_state(ctx, States::Closed);
            self.state_event(ctx, KeeperState::Expired);
            if let Some(c) = self.conn.take() {
                ctx.close(c, "session expired");
            }
            ctx.cancel_timer(ZkTimer::ClientTimeout);
            ctx.cancel_timer(ZkTimer::ClientPing);
            self.fail_all(ctx, Code::SessionExpired);
            self.run_console(ctx);
            return;
        }
        self.negotiated_ms = timeout_ms;
        self.session = session;
        self.passwd = passwd;
        self.handshake = true;
        self.ever_connected = true;
        if let Some(h) = self.hosts.as_mut() {
            h.on_connected();
        }
        self.set_state(ctx, States::Connected);
        ctx.set_timer(ZkTimer::ClientTimeout, self.read_timeout().max(1));
        // Auth packets and SetWatches go before anything else.
        for (scheme, auth) in self.auth.clone() {
            self.send(
                ctx,
                Request {
                    xid: AUTH_XID,
                    op: Op::Auth { scheme, auth },
                    internal: true,
                },
            );
        }
        if !self.watches.to_set().is_empty() {
            let op = Op::SetWatches {
                relative_zxid: self.last_zxid,
                watches: self.watches.to_set(),
            };
            self.send(
                ctx,
                Request {
                    xid: SET_WATCHES_XID,
                    op,
                    internal: true,
                },
            );
        }
        while let Some(r) = self.outgoing.pop_front() {
            self.send(ctx, r);
        }
        ctx.set_timer(ZkTimer::ClientPing, self.ping_interval());
        self.state_event(ctx, KeeperState::SyncConnected);
        self.run_console(ctx);
    }

    fn on_reply(&mut self, ctx: &mut Ctx<'_>, xid: i32, zxid: u64, err: Code, body: ReplyBody) {
        if zxid > 0 && xid != PING_XID {
            self.last_zxid = self.last_zxid.max(zxid);
        }
        if xid == AUTH_XID {
            if err == Code::AuthFailed {
                self.set_state(ctx, States::AuthFailed);
                self.state_event(ctx, KeeperState::AuthFailed);
            }
            return;
        }
        let Some(r) = self.pending.pop_front() else {
            return;
        };
        if r.internal {
            return;
        }
        // WatchRegistration: a watch counts once the server accepted it.
        match (&r.op, err) {
            (Op::GetData { path, watch: true }, Code::Ok) => {
                self.watches.data.insert(path.clone());
            }
            (Op::Exists { path, watch: true }, Code::Ok) => {
                self.watches.data.insert(path.clone());
            }
            (Op::Exists { path, watch: true }, Code::NoNode) => {
                self.watches.exist.insert(path.clone());
            }
            (Op::GetChildren { path, watch: true }, Code::Ok) => {
                self.watches.child.insert(path.clone());
            }
            (Op::AddWatch { path, mode }, Code::Ok) => {
                self.watches.add_persistent(path, *mode);
            }
            _ => {}
        }
        // close() returns once the closeSession reply came and the client is closed; only
        // then does the console go on (zkCli's `connect` then makes a new client).
        if matches!(r.op, Op::CloseSession) {
            self.closing = true;
            if let Some(c) = self.conn.take() {
                ctx.close(c, "client closed the session");
            }
            ctx.cancel_timer(ZkTimer::ClientTimeout);
            ctx.cancel_timer(ZkTimer::ClientPing);
            self.set_state(ctx, States::Closed);
            self.state_event(ctx, KeeperState::Closed);
        }
        let result = if err == Code::Ok { Ok(body) } else { Err(err) };
        self.deliver_reply(
            ctx,
            Reply {
                xid: r.xid,
                op: r.op,
                result,
            },
        );
    }

    /// Its connection closed (the server closed it, crashed, or refused it).
    pub fn on_closed(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, why: &CloseReason) {
        if self.store.owns(conn) {
            if self.store.on_closed() > 0
                && let Some(r) = self.recipe.as_mut()
            {
                let step = r.on_store_reply(None);
                self.do_recipe_step(ctx, step);
            }
            return;
        }
        if Some(conn) != self.conn {
            return;
        }
        self.conn = None;
        let text = why.describe();
        self.connection_lost(ctx, &text);
    }

    /// One of its timers fired.
    pub fn on_timer(&mut self, ctx: &mut Ctx<'_>, t: ZkTimer) {
        match t {
            ZkTimer::ClientTimeout => {
                ctx.note(format!(
                    "Client session timed out, have not heard from server in {}ms for session id 0x{:x}",
                    if self.handshake {
                        self.read_timeout()
                    } else {
                        self.connect_timeout()
                    },
                    self.session
                ));
                self.connection_lost(ctx, "Client session timed out");
            }
            ZkTimer::ClientPing if self.handshake => {
                self.send(
                    ctx,
                    Request {
                        xid: PING_XID,
                        op: Op::Ping,
                        internal: true,
                    },
                );
            }
            ZkTimer::ClientReconnect => self.open_connection(ctx),
            ZkTimer::RecipeTimer => {
                if let Some(r) = self.recipe.as_mut() {
                    let step = r.on_timer();
                    self.do_recipe_step(ctx, step);
                }
            }
            _ => {}
        }
    }
}

/// Records console lines in the trace, one change per run of lines on the same stream.
fn print(ctx: &mut Ctx<'_>, lines: Vec<Line>) {
    let mut run: Vec<String> = Vec::new();
    let mut err = false;
    for l in lines {
        if !run.is_empty() && l.err != err {
            ctx.change(ZkChange::Printed {
                lines: std::mem::take(&mut run),
                err,
            });
        }
        err = l.err;
        run.push(l.text);
    }
    if !run.is_empty() {
        ctx.change(ZkChange::Printed { lines: run, err });
    }
}
