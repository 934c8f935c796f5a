//! A recorded run that can be replayed to any earlier point.
//!
//! The timeline logs every operation (one step, or one input) with the trace length after
//! it, keeps a checkpoint of the world every [`CHECKPOINT_EVERY`] operations, and seeks by
//! restoring the nearest checkpoint and replaying. The state at an event index is the
//! state right after the operation that emitted that event, whichever way you got there.
//! Applying a new input at an earlier point cuts the recorded future off (a branch).

use crate::sim::input::Input;
use crate::sim::trace::{TraceEvent, TraceHasher};
use crate::sim::world::{InputError, Popped, World};

/// Operations between checkpoints.
pub const CHECKPOINT_EVERY: usize = 64;

/// One recorded operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `World::step`.
    Step,
    /// `World::apply`.
    Input(Input),
}

/// A run that can be stepped forward and sought backward.
#[derive(Clone, Debug)]
pub struct Timeline {
    world: World,
    trace: Vec<TraceEvent>,
    ops: Vec<(Op, u64)>,
    /// Operations applied to `world` (== ops.len() unless we sought back).
    at: usize,
    checkpoints: Vec<(usize, World)>,
}

impl Timeline {
    /// A fresh world seeded with `seed`.
    pub fn new(seed: u64) -> Timeline {
        let world = World::new(seed);
        Timeline {
            world: world.clone(),
            trace: Vec::new(),
            ops: Vec::new(),
            at: 0,
            checkpoints: vec![(0, world)],
        }
    }

    /// The world at the current position.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The whole recorded trace (it may run past the current position after a seek).
    pub fn trace(&self) -> &[TraceEvent] {
        &self.trace
    }

    /// Events emitted up to the current position.
    pub fn position(&self) -> u64 {
        if self.at == 0 {
            0
        } else {
            self.ops[self.at - 1].1
        }
    }

    /// Trace length of the whole recording.
    pub fn recorded(&self) -> u64 {
        self.trace.len() as u64
    }

    /// The hash of the trace up to the current position.
    pub fn trace_hash(&self) -> String {
        TraceHasher::of(&self.trace[..self.position() as usize])
    }

    fn forget_future(&mut self) {
        if self.at < self.ops.len() {
            let keep = self.position() as usize;
            self.ops.truncate(self.at);
            self.trace.truncate(keep);
            self.checkpoints.retain(|(n, _)| *n <= self.at);
        }
    }

    fn record(&mut self, op: Op, events: Vec<TraceEvent>) {
        self.trace.extend(events);
        self.ops.push((op, self.trace.len() as u64));
        self.at = self.ops.len();
        if self.at.is_multiple_of(CHECKPOINT_EVERY) {
            self.checkpoints.push((self.at, self.world.clone()));
        }
    }

    /// Applies an input at the current position (dropping any recorded future). Returns
    /// the events it emitted.
    pub fn apply(&mut self, input: Input) -> Result<&[TraceEvent], InputError> {
        self.forget_future();
        let mut events = Vec::new();
        self.world.apply(&input, &mut events)?;
        let start = self.trace.len();
        self.record(Op::Input(input), events);
        Ok(&self.trace[start..])
    }

    /// One step at the current position: replays the recording when there is one, else
    /// steps the world and records it. `None` when nothing is queued.
    pub fn step(&mut self) -> Option<Popped> {
        if self.at < self.ops.len() {
            let op = self.ops[self.at].0.clone();
            let popped = self.replay(&op);
            self.at += 1;
            return popped.or(Some(Popped::Input));
        }
        let mut events = Vec::new();
        let popped = self.world.step(&mut events)?;
        self.record(Op::Step, events);
        Some(popped)
    }

    fn replay(&mut self, op: &Op) -> Option<Popped> {
        let mut scratch = Vec::new();
        match op {
            Op::Step => self.world.step(&mut scratch),
            Op::Input(i) => {
                // It succeeded when recorded, so it succeeds again.
                let _ = self.world.apply(i, &mut scratch);
                None
            }
        }
    }

    /// Moves to just after the operation that emitted event `index` (or to the start when
    /// `index` is before the first event, or to the end of the recording when past it).
    pub fn seek_event(&mut self, index: u64) {
        let target = self.ops.partition_point(|(_, end)| *end <= index) + 1;
        self.seek_op(target.min(self.ops.len()));
    }

    /// Moves to just after `n` operations.
    pub fn seek_op(&mut self, n: usize) {
        let n = n.min(self.ops.len());
        if n == self.at {
            return;
        }
        if n < self.at {
            let (at, world) = self
                .checkpoints
                .iter()
                .rev()
                .find(|(at, _)| *at <= n)
                .cloned()
                .expect("checkpoint 0 exists");
            self.world = world;
            self.at = at;
        }
        while self.at < n {
            let op = self.ops[self.at].0.clone();
            self.replay(&op);
            self.at += 1;
        }
    }

    /// Moves to the start of the recording.
    pub fn rewind(&mut self) {
        self.seek_op(0);
    }

    /// Operations recorded.
    pub fn ops(&self) -> usize {
        self.ops.len()
    }

    /// Operations applied at the current position.
    pub fn op_position(&self) -> usize {
        self.at
    }

    /// The events emitted by operation `n` (0-based); empty past the recording.
    pub fn op_events(&self, n: usize) -> std::ops::Range<u64> {
        let start = if n == 0 {
            0
        } else {
            self.ops.get(n - 1).map_or(self.recorded(), |o| o.1)
        };
        let end = self.ops.get(n).map_or(start, |o| o.1);
        start..end
    }

    /// Replays a copy of the recording from its start, calling `f` with the world after
    /// each operation and the index of that operation's last event: for checkers that must
    /// see every state the recording went through. `self` does not move.
    pub fn replay_each(&self, mut f: impl FnMut(&World, u64)) {
        let mut copy = self.clone();
        copy.rewind();
        let ends: Vec<u64> = copy.op_ends().collect();
        for (n, end) in ends.iter().enumerate() {
            copy.seek_op(n + 1);
            f(copy.world(), end.saturating_sub(1));
        }
    }

    /// Trace length after each operation, for mapping events to operations.
    pub fn op_ends(&self) -> impl Iterator<Item = u64> + '_ {
        self.ops.iter().map(|(_, e)| *e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::input::Targets;

    fn started() -> Timeline {
        let mut t = Timeline::new(1);
        t.apply(Input::Zk(crate::zookeeper::input::ZkInput::Ensemble {
            voters: 3,
            observers: 0,
        }))
        .expect("ensemble");
        t.apply(Input::Start(Targets::All)).expect("start");
        for _ in 0..200 {
            t.step();
        }
        t
    }

    #[test]
    fn op_events_tile_the_trace() {
        let t = started();
        let mut next = 0;
        for n in 0..t.ops() {
            let r = t.op_events(n);
            assert_eq!(
                r.start, next,
                "operation {n} starts where the previous ended"
            );
            assert!(r.end > r.start, "every operation emits at least one event");
            next = r.end;
        }
        assert_eq!(next, t.recorded());
        assert!(t.op_events(t.ops()).is_empty());
    }

    #[test]
    fn an_input_after_seeking_back_cuts_the_future_off() {
        let mut t = started();
        let end = t.recorded();
        t.seek_event(100);
        let at = t.position();
        assert!(at < end);
        t.apply(Input::Crash(crate::ids::NodeId::Zk(1)))
            .expect("crash");
        assert_eq!(
            t.trace()[at as usize].kind,
            crate::sim::trace::EventKind::Input {
                command: "crash zk1".into()
            }
        );
        assert_eq!(
            t.recorded(),
            t.position(),
            "nothing recorded past the new input"
        );
        // Seeking inside the kept past still works.
        t.seek_event(10);
        assert!(t.position() <= at);
    }
}
