//! How segments travel on connections (see [`crate::sim::conn`] for the model): opening,
//! sending, closing, arrival with TCP's in-order delivery, partitions that hold segments
//! in the sender's kernel until `heal`, and `reset`.

use crate::ids::NodeId;
use crate::sim::conn::{Channel, CloseReason, Conn, ConnId, Dir, End, Segment};
use crate::sim::effects::Msg;
use crate::sim::network::DropReason;
use crate::sim::node::Status;
use crate::sim::trace::{EventKind, TraceEvent};
use crate::sim::world::{Entry, Kept, SegEntry, World};

/// How long a connection that closed at both ends stays in the picture, ms.
const CLOSED_SHOWN_MS: u64 = 10_000;

/// `tcp_syn_retries` = 6: a connect nobody answers times out after 1+2+4+...+64 s, ms.
pub const SYN_GIVE_UP_MS: u64 = 127_000;
/// `tcp_retries2` = 15: data nobody acknowledges times out after about 924.6 s, ms.
pub const DATA_GIVE_UP_MS: u64 = 924_600;

impl World {
    fn next_id(&mut self) -> u64 {
        let id = self.next_msg;
        self.next_msg += 1;
        id
    }

    /// Puts a segment on the wire from `from`'s end of `conn`. Ordered segments (all but
    /// RST) take the next sequence number of their direction and never arrive before an
    /// earlier one. Returns the segment's id and arrival time.
    fn transmit(
        &mut self,
        conn: ConnId,
        from: NodeId,
        seg: Segment<Msg>,
    ) -> Option<(u64, u64, u32)> {
        let c = self.conns.get(&conn)?;
        let (dir, to) = (c.dir_from(from), c.peer_of(from));
        let t = self.net.transit(&mut self.rng, from, to);
        let id = self.next_id();
        let now = self.now;
        let c = self.conns.get_mut(&conn)?;
        let i = dir.index();
        let seq = if matches!(seg, Segment::Rst(_)) {
            None
        } else {
            c.next_seq[i] += 1;
            Some(c.next_seq[i] - 1)
        };
        let arrive_at = now.saturating_add(t.delay_ms).max(c.last_arrival[i]);
        c.last_arrival[i] = arrive_at;
        if t.gave_up {
            // Every retransmission was lost: the sender's kernel aborts the connection.
            self.schedule(arrive_at, Entry::Abort { conn, node: from });
            return Some((id, arrive_at, t.retransmits));
        }
        self.schedule(
            arrive_at,
            Entry::Seg(SegEntry {
                id,
                conn,
                dir,
                seq,
                seg,
                from,
                to,
                sent_at: now,
                arrive_at,
            }),
        );
        Some((id, arrive_at, t.retransmits))
    }

    /// `connect`: a new connection from `from` to `to`; its SYN leaves now.
    pub(crate) fn open_conn(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        conn: ConnId,
        from: NodeId,
        to: NodeId,
        channel: Channel,
    ) {
        self.conns
            .insert(conn, Conn::new(conn, from, to, channel, self.now));
        self.emit(
            sink,
            EventKind::Connect {
                conn,
                from,
                to,
                channel,
            },
        );
        self.transmit(conn, from, Segment::Syn);
    }

    /// A node sends `msg` on its end of `conn`.
    pub(crate) fn send_on(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        from: NodeId,
        conn: ConnId,
        msg: Msg,
    ) {
        let Some(c) = self.conns.get(&conn) else {
            return;
        };
        let to = c.peer_of(from);
        if !c.end(from).is_open() {
            // Writing to a socket this end already closed: nothing leaves.
            let id = self.next_id();
            self.emit(
                sink,
                EventKind::Drop {
                    id,
                    from,
                    to,
                    msg,
                    reason: DropReason::Closed,
                },
            );
            return;
        }
        if let Some((id, arrive_at, retransmits)) =
            self.transmit(conn, from, Segment::Data(msg.clone()))
        {
            self.emit(
                sink,
                EventKind::Send {
                    id,
                    conn,
                    from,
                    to,
                    arrive_at,
                    retransmits,
                    msg,
                },
            );
        }
    }

    /// A message a node queues for itself (ZooKeeper's election does so without a socket).
    pub(crate) fn loopback(&mut self, sink: &mut Vec<TraceEvent>, node: NodeId, msg: Msg) {
        let id = self.next_id();
        self.emit(
            sink,
            EventKind::Send {
                id,
                conn: ConnId::LOOPBACK,
                from: node,
                to: node,
                arrive_at: self.now,
                retransmits: 0,
                msg: msg.clone(),
            },
        );
        self.schedule(self.now, Entry::Loopback { id, node, msg });
    }

    /// Closes `node`'s end of `conn` for `reason` and sends a FIN behind the data already
    /// sent. The node itself is not told (it closed it, or its process is gone).
    pub(crate) fn close_end(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        conn: ConnId,
        node: NodeId,
        reason: CloseReason,
    ) {
        let now = self.now;
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if !c.end(node).is_open() {
            return;
        }
        *c.end_mut(node) = End::Closed {
            reason: reason.clone(),
            at: now,
        };
        let peer = c.peer_of(node);
        let peer_listens = matches!(c.end(peer), End::Open | End::Pending);
        if matches!(reason, CloseReason::Closed { .. }) {
            self.emit(
                sink,
                EventKind::Closed {
                    conn,
                    node,
                    peer,
                    reason: reason.clone(),
                },
            );
        }
        if peer_listens {
            self.transmit(conn, node, Segment::Fin(reason));
        }
        self.prune();
    }

    /// TCP gave up on `node`'s end of `conn` after 15 retransmissions.
    pub(crate) fn abort_end(&mut self, sink: &mut Vec<TraceEvent>, conn: ConnId, node: NodeId) {
        self.close_and_tell(sink, conn, node, CloseReason::TimedOut, false);
    }

    /// Closes `node`'s end of `conn` for `reason` if it is open (or, with `pending`, still
    /// waiting for its SYN) and tells its process.
    fn close_and_tell(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        conn: ConnId,
        node: NodeId,
        reason: CloseReason,
        pending: bool,
    ) {
        let now = self.now;
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let open = match c.end(node) {
            End::Open => true,
            End::Pending => pending,
            End::Closed { .. } | End::Lost => false,
        };
        if !open {
            return;
        }
        *c.end_mut(node) = End::Closed {
            reason: reason.clone(),
            at: now,
        };
        let peer = c.peer_of(node);
        self.tell_closed(sink, conn, node, peer, reason);
    }

    /// Hands a close to `node`'s process (or keeps it for a paused one).
    fn tell_closed(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        conn: ConnId,
        node: NodeId,
        peer: NodeId,
        reason: CloseReason,
    ) {
        match self.status(node) {
            Some(Status::Running) => {
                self.emit(
                    sink,
                    EventKind::Closed {
                        conn,
                        node,
                        peer,
                        reason: reason.clone(),
                    },
                );
                self.run_node(sink, node, |n, ctx| n.on_closed(ctx, conn, peer, &reason));
            }
            Some(Status::Paused) => {
                if let Some(slot) = self.nodes.get_mut(&node) {
                    slot.kept.push(Kept::Closed { conn, peer, reason });
                }
            }
            _ => {}
        }
        self.prune();
    }

    /// A segment reaches the receiving host.
    pub(crate) fn arrive(&mut self, sink: &mut Vec<TraceEvent>, s: SegEntry) {
        if !self.conns.contains_key(&s.conn) {
            return;
        }
        let key = (s.conn, s.dir);
        let host_down = !self.status(s.to).is_some_and(Status::kernel_up);
        if self.net.is_cut(s.from, s.to) || host_down || self.held.contains_key(&key) {
            // Nothing gets through (a partition, or a host without power answers nothing):
            // the sender's kernel keeps the segment and retransmits it.
            self.hold(sink, s, host_down);
            return;
        }
        let Some(seq) = s.seq else {
            // A RST is taken on arrival, whatever is still on the way.
            self.early.remove(&key);
            if let Segment::Rst(reason) = s.seg {
                self.close_and_tell(sink, s.conn, s.to, reason, true);
            }
            return;
        };
        let expected = self
            .conns
            .get(&s.conn)
            .map_or(0, |c| c.expected[s.dir.index()]);
        if seq != expected {
            // Ahead of an earlier segment: TCP keeps it until the gap is filled.
            self.early.entry(key).or_default().insert(seq, s);
            return;
        }
        let mut next = Some(s);
        while let Some(s) = next {
            if let Some(c) = self.conns.get_mut(&s.conn) {
                c.expected[s.dir.index()] += 1;
            }
            self.take_in_order(sink, s);
            let expected = self
                .conns
                .get(&key.0)
                .map_or(0, |c| c.expected[key.1.index()]);
            next = self.early.get_mut(&key).and_then(|m| m.remove(&expected));
        }
        if self.early.get(&key).is_some_and(|m| m.is_empty()) {
            self.early.remove(&key);
        }
    }

    /// The receiving kernel takes the next in-order segment of a connection.
    fn take_in_order(&mut self, sink: &mut Vec<TraceEvent>, s: SegEntry) {
        let now = self.now;
        let Some(c) = self.conns.get_mut(&s.conn) else {
            return;
        };
        let end = c.end(s.to).clone();
        let channel = c.channel;
        match s.seg {
            Segment::Syn => {
                if end != End::Pending {
                    return;
                }
                let listening = self
                    .nodes
                    .get(&s.to)
                    .is_some_and(|slot| slot.status.has_process() && slot.node.accepts(channel));
                let Some(c) = self.conns.get_mut(&s.conn) else {
                    return;
                };
                if listening {
                    *c.end_mut(s.to) = End::Open;
                    self.emit(
                        sink,
                        EventKind::Accept {
                            conn: s.conn,
                            node: s.to,
                            peer: s.from,
                        },
                    );
                } else {
                    let reason = CloseReason::Refused { by: s.to };
                    *c.end_mut(s.to) = End::Closed {
                        reason: reason.clone(),
                        at: now,
                    };
                    self.transmit(s.conn, s.to, Segment::Rst(reason));
                }
            }
            Segment::Data(ref msg) => match end {
                End::Open => self.hand_over(sink, s.to, s.conn, s.id, s.from, msg.clone()),
                End::Lost => {
                    // The host came back without any record of this connection.
                    self.drop_data(sink, &s, msg.clone(), DropReason::Closed);
                    self.reset_from_host(s.conn, s.to);
                }
                _ => self.drop_data(sink, &s, msg.clone(), DropReason::Closed),
            },
            Segment::Fin(reason) => match end {
                End::Open => self.close_and_tell(sink, s.conn, s.to, reason, true),
                End::Lost => self.reset_from_host(s.conn, s.to),
                _ => {}
            },
            Segment::Rst(_) => {}
        }
    }

    fn drop_data(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        s: &SegEntry,
        msg: Msg,
        reason: DropReason,
    ) {
        self.emit(
            sink,
            EventKind::Drop {
                id: s.id,
                from: s.from,
                to: s.to,
                msg,
                reason,
            },
        );
    }

    /// A host that lost its record of `conn` answers with RST (once).
    fn reset_from_host(&mut self, conn: ConnId, node: NodeId) {
        let now = self.now;
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        let reason = CloseReason::Reset { by: node };
        *c.end_mut(node) = End::Closed {
            reason: reason.clone(),
            at: now,
        };
        self.transmit(conn, node, Segment::Rst(reason));
    }

    /// Gives a message to the receiving process, or to its kernel's buffer if it is paused.
    /// A process reads nothing from a socket it has closed (what its kernel kept for it is
    /// discarded).
    fn hand_over(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        to: NodeId,
        conn: ConnId,
        id: u64,
        from: NodeId,
        msg: Msg,
    ) {
        let open =
            conn == ConnId::LOOPBACK || self.conns.get(&conn).is_some_and(|c| c.end(to).is_open());
        if !open {
            let s = SegEntry {
                id,
                conn,
                dir: crate::sim::conn::Dir::Up,
                seq: None,
                seg: Segment::Data(msg.clone()),
                from,
                to,
                sent_at: self.now,
                arrive_at: self.now,
            };
            self.drop_data(sink, &s, msg, DropReason::Closed);
            return;
        }
        match self.status(to) {
            Some(Status::Running) => {
                self.emit(
                    sink,
                    EventKind::Deliver {
                        id,
                        conn,
                        from,
                        to,
                        msg: msg.clone(),
                    },
                );
                self.run_node(sink, to, |n, ctx| n.on_message(ctx, conn, from, msg));
            }
            Some(Status::Paused) => {
                self.emit(sink, EventKind::Buffered { id, from, to });
                if let Some(slot) = self.nodes.get_mut(&to) {
                    slot.kept.push(Kept::Data {
                        id,
                        conn,
                        from,
                        msg,
                    });
                }
            }
            _ => {}
        }
    }

    /// A resumed process takes one thing its kernel kept.
    pub(crate) fn replay_kept(&mut self, sink: &mut Vec<TraceEvent>, node: NodeId, kept: Kept) {
        match kept {
            Kept::Data {
                id,
                conn,
                from,
                msg,
            } => self.hand_over(sink, node, conn, id, from, msg),
            Kept::Closed { conn, peer, reason } => self.tell_closed(sink, conn, node, peer, reason),
        }
    }

    /// Keeps a segment in its sender's kernel until the way is clear, and arms TCP's
    /// give-up for its direction when it is the first one held.
    fn hold(&mut self, sink: &mut Vec<TraceEvent>, s: SegEntry, host_down: bool) {
        let key = (s.conn, s.dir);
        if let Segment::Data(_) = &s.seg {
            self.emit(
                sink,
                EventKind::Held {
                    id: s.id,
                    from: s.from,
                    to: s.to,
                    host_down,
                },
            );
        }
        if !self.held.contains_key(&key) {
            let limit = if matches!(s.seg, Segment::Syn) {
                SYN_GIVE_UP_MS
            } else {
                DATA_GIVE_UP_MS
            };
            let since = self.now;
            self.held_since.insert(key, since);
            self.schedule(
                since.saturating_add(limit),
                Entry::GiveUp {
                    conn: s.conn,
                    dir: s.dir,
                    since,
                },
            );
        }
        self.held.entry(key).or_default().push(s);
    }

    /// TCP gave up on segments held since `since` (nobody answered its retransmissions):
    /// the sender's end times out and what it held is dropped.
    pub(crate) fn give_up(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        conn: ConnId,
        dir: Dir,
        since: u64,
    ) {
        let key = (conn, dir);
        if self.held_since.get(&key) != Some(&since) {
            return;
        }
        self.held_since.remove(&key);
        let segs = self.held.remove(&key).unwrap_or_default();
        let Some(sender) = segs.first().map(|s| s.from) else {
            return;
        };
        for s in &segs {
            if let Segment::Data(msg) = &s.seg {
                self.drop_data(sink, s, msg.clone(), DropReason::Aborted);
            }
        }
        self.abort_end(sink, conn, sender);
    }

    /// Sends again, in order, every held segment whose way is clear now (after `heal`, or
    /// when a powered-off host is back).
    pub(crate) fn release_held(&mut self, sink: &mut Vec<TraceEvent>) {
        let ready: Vec<(ConnId, Dir)> = self
            .held
            .iter()
            .filter(|(_, segs)| {
                segs.first().is_some_and(|s| {
                    !self.net.is_cut(s.from, s.to)
                        && self.status(s.to).is_some_and(Status::kernel_up)
                })
            })
            .map(|(k, _)| *k)
            .collect();
        for key in ready {
            self.held_since.remove(&key);
            let segs = self.held.remove(&key).unwrap_or_default();
            for mut s in segs {
                let t = self.net.transit(&mut self.rng, s.from, s.to);
                let Some(c) = self.conns.get_mut(&s.conn) else {
                    continue;
                };
                let i = s.dir.index();
                let arrive_at = self.now.saturating_add(t.delay_ms).max(c.last_arrival[i]);
                c.last_arrival[i] = arrive_at;
                s.arrive_at = arrive_at;
                if let Segment::Data(_) = &s.seg {
                    self.emit(
                        sink,
                        EventKind::Released {
                            id: s.id,
                            from: s.from,
                            to: s.to,
                            arrive_at,
                        },
                    );
                }
                self.schedule(arrive_at, Entry::Seg(s));
            }
        }
    }

    /// `reset a b`: every connection between them with an open end gets a RST at each
    /// open end, one latency later.
    pub(crate) fn reset_pair(&mut self, _sink: &mut Vec<TraceEvent>, a: NodeId, b: NodeId) {
        let ids: Vec<ConnId> = self
            .conns
            .values()
            .filter(|c| c.joins(a) && c.joins(b) && !c.is_dead())
            .map(|c| c.id)
            .collect();
        for conn in ids {
            for node in [a, b] {
                let Some(c) = self.conns.get(&conn) else {
                    continue;
                };
                if !matches!(c.end(node), End::Open | End::Pending) {
                    continue;
                }
                // The RST travels toward `node` as if its peer had sent it.
                let peer = c.peer_of(node);
                self.transmit(conn, peer, Segment::Rst(CloseReason::ResetCommand));
            }
        }
    }

    /// True when `a` and `b` share a connection with an end still open.
    pub fn connected(&self, a: NodeId, b: NodeId) -> bool {
        self.conns
            .values()
            .any(|c| c.joins(a) && c.joins(b) && !c.is_dead())
    }

    /// A killed process: its kernel closes every connection it had open (FIN behind the
    /// data already sent), so each peer learns of it one latency later.
    pub(crate) fn kernel_closes_all(&mut self, sink: &mut Vec<TraceEvent>, node: NodeId) {
        self.close_all_of(sink, node, || CloseReason::ProcessDied { by: node });
    }

    /// A process that shuts down closes every connection it has itself (FIN), saying so.
    pub(crate) fn process_closes_all(&mut self, sink: &mut Vec<TraceEvent>, node: NodeId) {
        self.close_all_of(sink, node, || CloseReason::Closed {
            by: node,
            why: "shutting down".into(),
        });
    }

    fn close_all_of(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        node: NodeId,
        reason: impl Fn() -> CloseReason,
    ) {
        let ids: Vec<ConnId> = self
            .conns
            .values()
            .filter(|c| c.joins(node) && c.end(node).is_open())
            .map(|c| c.id)
            .collect();
        for conn in ids {
            self.close_end(sink, conn, node, reason());
        }
    }

    /// A host without power: its ends are forgotten without a word, and what its kernel
    /// still held for sending (segments a partition or a dead peer held back) is gone.
    pub(crate) fn host_forgets_all(&mut self, sink: &mut Vec<TraceEvent>, node: NodeId) {
        for c in self.conns.values_mut().filter(|c| c.joins(node)) {
            // Closed ends too: a FIN still owed to a peer dies with the host, and the
            // rebooted host answers that peer's next segment with RST.
            *c.end_mut(node) = End::Lost;
        }
        let mut lost = Vec::new();
        for segs in self.held.values_mut() {
            let (gone, keep): (Vec<SegEntry>, Vec<SegEntry>) = std::mem::take(segs)
                .into_iter()
                .partition(|s| s.from == node);
            *segs = keep;
            lost.extend(gone);
        }
        self.held.retain(|_, v| !v.is_empty());
        let still: Vec<(ConnId, Dir)> = self.held.keys().copied().collect();
        self.held_since.retain(|k, _| still.contains(k));
        for s in lost {
            if let Segment::Data(msg) = s.seg.clone() {
                self.drop_data(sink, &s, msg, DropReason::SenderDown);
            }
        }
    }

    /// Forgets connections that are closed at both ends, keeping the newest closed one of
    /// each pair and port for a while (the picture shows who closed it and why).
    fn prune(&mut self) {
        let now = self.now;
        let mut newest: std::collections::BTreeMap<(NodeId, NodeId, Channel), ConnId> =
            std::collections::BTreeMap::new();
        for c in self.conns.values() {
            newest.insert((c.client, c.server, c.channel), c.id);
        }
        let in_flight: std::collections::BTreeSet<ConnId> = self
            .held
            .keys()
            .chain(self.early.keys())
            .map(|(c, _)| *c)
            .collect();
        self.conns.retain(|id, c| {
            if !c.is_dead() || in_flight.contains(id) {
                return true;
            }
            let closed_at = [&c.client_end, &c.server_end]
                .iter()
                .filter_map(|e| match e {
                    End::Closed { at, .. } => Some(*at),
                    _ => None,
                })
                .max()
                .unwrap_or(now);
            newest.get(&(c.client, c.server, c.channel)) == Some(id)
                && now.saturating_sub(closed_at) <= CLOSED_SHOWN_MS
        });
    }
}
