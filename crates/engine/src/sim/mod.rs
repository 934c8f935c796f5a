//! The deterministic simulation kernel: virtual time, one seeded RNG, a simulated network,
//! an event queue ordered by (time, sequence), the trace, and time travel.

pub mod effects;
pub mod input;
pub mod network;
pub mod node;
pub mod rng;
pub mod timeline;
pub mod trace;
pub mod validate;
pub mod world;
