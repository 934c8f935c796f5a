//! Process and host faults as the real systems meet them:
//! - `crash`: the process is killed (kill -9). Volatile state is lost; what it wrote
//!   survives, page cache included, because the OS keeps running; the kernel closes every
//!   connection, so peers see the close one latency later.
//! - `stop`: a clean shutdown (SIGTERM): the process runs its shutdown hook (a broker
//!   flushes its logs and writes its clean-shutdown marker), closes its connections
//!   itself ("shutting down") and exits.
//! - `halt`: the host loses power. Volatile state and writes that were not on disk yet are
//!   lost; peers see nothing and find out only by their own timeouts.
//! - `pause` / `resume`: the process freezes (a long GC pause, SIGSTOP). It handles nothing
//!   and its timers do not fire; its connections stay open and its kernel keeps accepting
//!   data and closes. On resume the process sees them in order, then its overdue timers
//!   fire.
//! - `start` / `restart`: the process starts from its disk (`restart` of a running process
//!   is a `crash` and a start).

use crate::ids::NodeId;
use crate::sim::effects::Change;
use crate::sim::node::Status;
use crate::sim::trace::{EventKind, Fault, TraceEvent};
use crate::sim::world::{Entry, World};

impl World {
    /// Starts a node's process from its disk.
    pub(crate) fn start_node(&mut self, sink: &mut Vec<TraceEvent>, id: NodeId) {
        let Some(slot) = self.nodes.get_mut(&id) else {
            return;
        };
        if slot.status.has_process() {
            return;
        }
        let was_off = slot.status == Status::Halted;
        slot.status = Status::Running;
        self.emit(sink, EventKind::NodeUp { node: id });
        if was_off {
            // Its peers' retransmissions reach it again.
            self.release_held(sink);
        }
        self.run_node(sink, id, |n, ctx| {
            ctx.change(Change::Up);
            n.on_start(ctx);
        });
    }

    /// Takes a node's process down: its new status, what happens to its state (`down`),
    /// no pause or timers left, and the `NodeDown` event. Returns false for an unknown node.
    fn take_down(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        id: NodeId,
        status: Status,
        fault: Fault,
        down: impl FnOnce(&mut crate::sim::node::Node, u64),
    ) -> bool {
        let now = self.now;
        let Some(slot) = self.nodes.get_mut(&id) else {
            return false;
        };
        slot.status = status;
        down(&mut slot.node, now);
        self.forget_pause(id);
        self.cancel_timers_of(id);
        self.emit(sink, EventKind::NodeDown { node: id, fault });
        true
    }

    /// `crash`: kill -9; its kernel closes its connections.
    pub(crate) fn crash_node(&mut self, sink: &mut Vec<TraceEvent>, id: NodeId) {
        if self.take_down(sink, id, Status::Crashed, Fault::Crash, |n, _| n.crash()) {
            self.kernel_closes_all(sink, id);
        }
    }

    /// `stop`: a clean shutdown; the process runs its shutdown hook, closes its
    /// connections itself ("shutting down") and exits.
    pub(crate) fn stop_node(&mut self, sink: &mut Vec<TraceEvent>, id: NodeId) {
        if self.status(id) == Some(crate::sim::node::Status::Running) {
            // A process may finish some work first (a Kafka broker's controlled
            // shutdown); it then exits on its own (`Effect::Exit`).
            let mut now = true;
            self.run_node(sink, id, |n, ctx| now = n.on_stop(ctx));
            if !now {
                return;
            }
        }
        if self.take_down(sink, id, Status::Stopped, Fault::Stop, |n, _| n.shutdown()) {
            self.process_closes_all(sink, id);
        }
    }

    /// `halt`: the host loses power; its connections are forgotten without a word.
    pub(crate) fn halt_node(&mut self, sink: &mut Vec<TraceEvent>, id: NodeId) {
        let down = |n: &mut crate::sim::node::Node, now| n.power_loss(now);
        if self.take_down(sink, id, Status::Halted, Fault::Halt, down) {
            self.host_forgets_all(sink, id);
        }
    }

    /// `pause X [for D]`: freezes the process, resuming it after `for_ms` if given.
    pub(crate) fn pause_node(
        &mut self,
        sink: &mut Vec<TraceEvent>,
        id: NodeId,
        for_ms: Option<u64>,
    ) {
        let Some(slot) = self.nodes.get_mut(&id) else {
            return;
        };
        slot.status = Status::Paused;
        self.emit(sink, EventKind::Paused { node: id });
        if let Some(ms) = for_ms {
            let key = self.schedule(self.now.saturating_add(ms), Entry::Resume { node: id });
            if let Some(slot) = self.nodes.get_mut(&id) {
                slot.resume_key = Some(key);
            }
        }
    }

    /// `resume X`: the process runs again. What its kernel kept is handed over first, in
    /// order, then the timers that came due while it was frozen fire (a blocking read with
    /// a timeout returns the data waiting in the socket rather than timing out).
    pub(crate) fn resume_node(&mut self, sink: &mut Vec<TraceEvent>, id: NodeId) {
        let Some(slot) = self.nodes.get_mut(&id) else {
            return;
        };
        if slot.status != Status::Paused {
            return;
        }
        slot.status = Status::Running;
        let kept = std::mem::take(&mut slot.kept);
        let overdue = std::mem::take(&mut slot.overdue);
        if let Some(key) = slot.resume_key.take() {
            self.unschedule(key);
        }
        self.emit(sink, EventKind::Resumed { node: id });
        // At once and in order, so that nothing arriving from now on overtakes them.
        for k in kept {
            self.replay_kept(sink, id, k);
        }
        for (timer, old_key) in overdue {
            // Only if the process has not re-armed or cancelled it since.
            if self.timers.get(&(id, timer)) == Some(&old_key) {
                let key = self.schedule(self.now, Entry::Timer { node: id, timer });
                self.timers.insert((id, timer), key);
            }
        }
    }

    /// Drops what a paused process's kernel kept (the process is gone).
    fn forget_pause(&mut self, id: NodeId) {
        let key = self.nodes.get_mut(&id).and_then(|slot| {
            slot.kept.clear();
            slot.overdue.clear();
            slot.resume_key.take()
        });
        if let Some(key) = key {
            self.unschedule(key);
        }
    }
}
