//! The deterministic simulation kernel: virtual time, one seeded RNG, a simulated network
//! of TCP connections, process and host faults, an event queue ordered by (time, sequence),
//! the trace, and time travel.

pub mod conn;
pub mod disk;
pub mod effects;
pub mod faults;
pub mod input;
pub mod network;
pub mod node;
pub mod rng;
pub mod timeline;
pub mod trace;
pub mod transport;
pub mod validate;
pub mod world;
