//! The playback controller shared by the lesson player and the sandbox: it owns a
//! [`Timeline`], publishes a [`Snap`] of the state to draw, and animates stepping.
//!
//! Playback design: every operation of the timeline (a delivery, timer, input or the end
//! of a `run` period) is one animated transition. While a transition runs, the stage keeps
//! showing the state *before* the operation and moves the messages in flight by virtual
//! time, from the time before the operation to the time after it, so the message that the
//! operation delivers lands exactly when the transition ends. Then the new state appears.
//! A transition lasts `OP_BASE_MS + OP_PER_MS × min(Δt, OP_CAP_MS)` wall milliseconds at
//! 1× (Δt = virtual time the operation advances), divided by the speed: within message
//! latencies (5–20 ms) wall time follows virtual time linearly, so fast messages really
//! look faster, while idle gaps of seconds are squeezed into one short transition. At high
//! speeds several operations run per frame and only the last is drawn.

use leptos::prelude::*;
use std::sync::Arc;
use zkafka_engine::Timeline;
use zkafka_engine::view::{WorldView, view};
use zkafka_engine::zookeeper::conditions::established_leader;

/// Wall ms of a transition that does not advance virtual time, at 1×.
pub const OP_BASE_MS: f64 = 14.0;
/// Wall ms per virtual ms, at 1×.
pub const OP_PER_MS: f64 = 34.0;
/// Virtual ms beyond which a gap is not drawn longer.
pub const OP_CAP_MS: u64 = 20;
/// The longest transition at 1×.
pub const OP_MAX_MS: f64 = OP_BASE_MS + OP_PER_MS * OP_CAP_MS as f64;
/// Speeds offered by the speed selector.
pub const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 64.0, 256.0];
/// Operations applied in one animation frame at most.
const MAX_OPS_PER_FRAME: usize = 400;

/// Wall ms (at 1×) of an operation that advanced virtual time by `dt` ms.
pub fn op_duration(dt: u64) -> f64 {
    OP_BASE_MS + OP_PER_MS * dt.min(OP_CAP_MS) as f64
}

/// What the stage, log and controls draw: the world after some operation.
#[derive(Clone, Debug)]
pub struct Snap {
    /// The world.
    pub view: WorldView,
    /// Events emitted up to this state.
    pub position: u64,
    /// Events in the whole recording.
    pub recorded: u64,
    /// The established ZooKeeper leader, if any.
    pub leader: Option<u32>,
    /// The Kafka controller (a running broker holding `/controller`), if any.
    pub controller: Option<u32>,
    /// Events emitted by the last operation start here.
    pub op_start: u64,
}

impl Snap {
    /// The snapshot of the timeline's current position.
    pub fn of(t: &Timeline) -> Snap {
        let op = t.op_position();
        let op_start = op.checked_sub(1).map_or(0, |n| t.op_events(n).start);
        Snap {
            view: view(t.world()),
            position: t.position(),
            recorded: t.recorded(),
            leader: established_leader(t.world()),
            controller: t
                .world()
                .brokers()
                .find(|(up, b)| *up && b.is_controller())
                .map(|(_, b)| b.id()),
            op_start,
        }
    }
}

#[derive(Clone, Debug)]
struct Anim {
    /// The state shown during the transition (before the operation).
    shown: Arc<Snap>,
    from: u64,
    to: u64,
    elapsed: f64,
    dur: f64,
    /// Stop playing when this transition ends (a single step).
    single: bool,
}

/// The controller. Cheap to copy; all parts are arena handles.
#[derive(Clone, Copy)]
pub struct Sim {
    tl: StoredValue<Timeline>,
    anim: StoredValue<Option<Anim>>,
    last_frame: StoredValue<Option<f64>>,
    looping: StoredValue<bool>,
    /// The state drawn now.
    pub snap: RwSignal<Arc<Snap>>,
    /// Virtual time (ms, fractional) used to place messages in flight.
    pub vtime: RwSignal<f64>,
    /// True while playing.
    pub playing: RwSignal<bool>,
    /// Playback speed factor.
    pub speed: RwSignal<f64>,
    /// Bumped whenever the recording changes (new events), for views of the trace.
    pub revision: RwSignal<u64>,
    /// In the sandbox, stepping past the recording steps the live world.
    live: bool,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl Sim {
    /// A controller over `tl`. `live` lets play and step run past the end of the recording.
    pub fn new(tl: Timeline, live: bool) -> Sim {
        let snap = Arc::new(Snap::of(&tl));
        let vt = snap.view.time as f64;
        Sim {
            tl: StoredValue::new(tl),
            anim: StoredValue::new(None),
            last_frame: StoredValue::new(None),
            looping: StoredValue::new(false),
            snap: RwSignal::new(snap),
            vtime: RwSignal::new(vt),
            playing: RwSignal::new(false),
            speed: RwSignal::new(1.0),
            revision: RwSignal::new(0),
            live,
        }
    }

    /// Reads the timeline (not reactive; pair with `snap` or `revision`).
    pub fn with_timeline<R>(&self, f: impl FnOnce(&Timeline) -> R) -> Option<R> {
        self.tl.try_with_value(f)
    }

    fn publish(&self) {
        let Some(s) = self.tl.try_with_value(|t| Arc::new(Snap::of(t))) else {
            return;
        };
        let recorded_changed = self.snap.with_untracked(|o| o.recorded != s.recorded);
        self.vtime.set(s.view.time as f64);
        self.snap.set(s);
        if recorded_changed {
            self.revision.update(|r| *r += 1);
        }
    }

    /// Ends any transition at once (the timeline is already past it) and redraws.
    pub fn settle(&self) {
        let had = self
            .anim
            .try_update_value(|a| a.take().is_some())
            .unwrap_or(false);
        if had {
            self.publish();
        }
    }

    /// Changes the timeline (an input, a command, a seek), then redraws.
    pub fn mutate<R>(&self, f: impl FnOnce(&mut Timeline) -> R) -> Option<R> {
        self.settle();
        let r = self.tl.try_update_value(f);
        self.publish();
        r
    }

    /// Starts over with another timeline (the sandbox's setup).
    pub fn replace(&self, tl: Timeline) {
        self.playing.set(false);
        self.anim.set_value(None);
        self.tl.set_value(tl);
        self.publish();
        self.revision.update(|r| *r += 1);
    }

    /// Stops playing and ends any transition.
    pub fn pause(&self) {
        self.playing.set(false);
        self.settle();
    }

    /// Starts playing from the current point (from the start when at the end).
    pub fn play(&self) {
        self.settle();
        if !self.live && !self.can_step() {
            self.mutate(|t| t.rewind());
        }
        self.playing.set(true);
        self.ensure_loop();
    }

    /// One animated step forward.
    pub fn step_forward(&self) {
        self.playing.set(false);
        self.settle();
        if self.begin_transition(0.0, true, true) {
            self.ensure_loop();
        }
    }

    /// One operation back (no animation).
    pub fn step_back(&self) {
        self.pause();
        self.mutate(|t| {
            let n = t.op_position().saturating_sub(1);
            t.seek_op(n);
        });
    }

    /// Back to the start of the recording.
    pub fn restart(&self) {
        self.pause();
        self.mutate(|t| t.rewind());
    }

    /// To the end of the recording.
    pub fn jump_to_end(&self) {
        self.pause();
        self.mutate(|t| {
            let n = t.ops();
            t.seek_op(n);
        });
    }

    /// To the state where exactly `p` events have been emitted (or the first operation
    /// boundary after `p`).
    pub fn seek_position(&self, p: u64) {
        self.pause();
        self.mutate(|t| {
            if p == 0 {
                t.rewind();
            } else {
                t.seek_event(p - 1);
            }
        });
    }

    /// To the state just after the operation that emitted event `i`.
    pub fn seek_event(&self, i: u64) {
        self.pause();
        self.mutate(|t| t.seek_event(i));
    }

    fn can_step(&self) -> bool {
        self.live
            || self
                .tl
                .try_with_value(|t| t.op_position() < t.ops())
                .unwrap_or(false)
    }

    /// Steps the timeline once and starts a transition toward the new state. `shown` asks
    /// for the current state to be kept on screen during it.
    fn begin_transition(&self, elapsed: f64, single: bool, shown: bool) -> bool {
        if !self.can_step() {
            return false;
        }
        let before = if shown {
            match self.tl.try_with_value(|t| Arc::new(Snap::of(t))) {
                Some(s) => Some(s),
                None => return false,
            }
        } else {
            None
        };
        let stepped = self.tl.try_update_value(|t| {
            let from = t.world().now();
            let ok = t.step().is_some();
            (ok, from, t.world().now())
        });
        let Some((true, from, to)) = stepped else {
            return false;
        };
        let dur = op_duration(to.saturating_sub(from));
        let shown = before.unwrap_or_else(|| self.snap.get_untracked());
        self.anim.set_value(Some(Anim {
            shown,
            from,
            to,
            elapsed,
            dur,
            single,
        }));
        true
    }

    fn ensure_loop(&self) {
        if self.looping.get_value() {
            return;
        }
        self.looping.set_value(true);
        self.last_frame.set_value(None);
        let sim = *self;
        request_animation_frame(move || sim.frame());
    }

    fn frame(self) {
        // The page may be gone (route change): every handle is then disposed.
        let Some(last) = self.last_frame.try_get_value() else {
            return;
        };
        let now = now_ms();
        let wall = last.map_or(16.0, |l| (now - l).clamp(0.0, 100.0));
        self.last_frame.set_value(Some(now));
        let speed = self.speed.get_untracked();
        let mut budget = wall * speed;
        let mut ops = 0;
        let mut stepped = false;
        loop {
            let state = self
                .anim
                .with_value(|a| a.as_ref().map(|a| (a.dur - a.elapsed, a.single)));
            if let Some((need, single)) = state {
                if budget < need {
                    self.anim.update_value(|a| {
                        if let Some(a) = a {
                            a.elapsed += budget;
                        }
                    });
                    break;
                }
                budget -= need;
                self.anim.set_value(None);
                stepped = true;
                if single {
                    break;
                }
            }
            if !self.playing.get_untracked() {
                break;
            }
            if ops >= MAX_OPS_PER_FRAME {
                break;
            }
            // Only build the picture before the step when it may be on screen.
            let visible = budget < OP_MAX_MS;
            if !self.begin_transition(0.0, false, visible) {
                self.playing.set(false);
                break;
            }
            ops += 1;
        }
        let anim = self.anim.get_value();
        match anim {
            Some(a) => {
                let cur = self.snap.get_untracked();
                if !Arc::ptr_eq(&cur, &a.shown) {
                    let rec_changed = cur.recorded != a.shown.recorded;
                    self.snap.set(a.shown.clone());
                    if rec_changed {
                        self.revision.update(|r| *r += 1);
                    }
                }
                let f = (a.elapsed / a.dur).clamp(0.0, 1.0);
                self.vtime
                    .set(a.from as f64 + (a.to.saturating_sub(a.from)) as f64 * f);
            }
            None => {
                if stepped || ops > 0 {
                    self.publish();
                }
            }
        }
        let more = self.playing.get_untracked() || self.anim.with_value(Option::is_some);
        if more {
            request_animation_frame(move || self.frame());
        } else {
            self.looping.set_value(false);
        }
    }
}
