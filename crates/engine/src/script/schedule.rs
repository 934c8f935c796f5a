//! Running a seeded schedule's command lines on a world: what both sweeps (`zkafka check
//! zab`, `zkafka check kafka`) share. Each line goes through the command language, so a
//! schedule's trace reads like a script; a fault the node's state does not allow is
//! skipped, as the schedule does not track every state.

use crate::script::command::Command;
use crate::script::parse::parse_line;
use crate::sim::input::Input;
use crate::sim::trace::TraceEvent;
use crate::sim::world::{Popped, World};

/// What watches a schedule after every step (a checker), given the world and the index of
/// the last event.
pub(crate) trait Observer {
    /// The world after a step.
    fn observe(&mut self, w: &World, last_event: u64);
}

impl Observer for () {
    fn observe(&mut self, _: &World, _: u64) {}
}

/// One world driven by schedule lines, its observer, and who sees each trace event.
pub(crate) struct ScheduleDriver<'a, O: Observer> {
    /// The world.
    pub world: World,
    /// The checkers.
    pub observer: O,
    sink: Vec<TraceEvent>,
    watch: &'a mut dyn FnMut(&World, &TraceEvent),
}

impl<'a, O: Observer> ScheduleDriver<'a, O> {
    /// A driver of `world`.
    pub fn new(world: World, observer: O, watch: &'a mut dyn FnMut(&World, &TraceEvent)) -> Self {
        ScheduleDriver {
            world,
            observer,
            sink: Vec::new(),
            watch,
        }
    }

    fn drain(&mut self) {
        for e in self.sink.drain(..) {
            (self.watch)(&self.world, &e);
        }
        let last = self.world.event_count().saturating_sub(1);
        self.observer.observe(&self.world, last);
    }

    /// Runs one command line (an input or `run <duration>`); a refused input is skipped.
    /// Errors: a line that does not parse, or another kind of command.
    pub fn line(&mut self, text: &str) -> Result<(), String> {
        match parse_line(text, 1).map_err(|e| format!("`{text}`: {}", e.message))? {
            Some(Command::Input { input }) => {
                let _ = self.world.apply(&input, &mut self.sink);
                self.drain();
                Ok(())
            }
            Some(Command::RunFor { ms }) => {
                self.run_for(ms);
                Ok(())
            }
            Some(_) => Err(format!(
                "`{text}`: only commands and `run <duration>` can make a schedule"
            )),
            None => Ok(()),
        }
    }

    /// Lets `ms` of virtual time pass, step by step.
    pub fn run_for(&mut self, ms: u64) {
        let _ = self
            .world
            .apply(&Input::Alarm { after_ms: ms }, &mut self.sink);
        self.drain();
        loop {
            let popped = self.world.step(&mut self.sink);
            self.drain();
            match popped {
                Some(Popped::Alarm) | None => break,
                Some(_) => {}
            }
        }
    }
}
