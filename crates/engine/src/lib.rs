//! # zkafka-engine
//!
//! One deterministic engine that holds ZooKeeper and Kafka logic for the zkafka playground.
//! It is pure: no I/O, no wall clock, no threads. Time is virtual (milliseconds), all
//! randomness comes from one seeded `ChaCha8Rng`, and the network is simulated, so the same
//! seed and inputs give the same trace on native and on wasm.
//!
//! - [`sim`]: the world, its network, the event queue, the trace and the timeline.
//! - [`zookeeper`]: servers, FastLeaderElection and ZAB discovery/sync.
//! - [`kafka`]: brokers, replication (LEO, HW, ISR), producer and consumer.
//! - [`script`]: the command language used by lessons, the sandbox console and the CLI.
//! - [`lesson`]: lessons as data and their runner.
//!
//! ```
//! use zkafka_engine::script::parse::parse_script;
//! use zkafka_engine::script::run::execute;
//! use zkafka_engine::sim::timeline::Timeline;
//!
//! let script = "zk ensemble 3\nstart all\nrun until leader elected\nexpect leader zk3\nexpect epoch 1";
//! let mut t = Timeline::new(7);
//! for line in parse_script(script, 1).unwrap() {
//!     let outcome = execute(&mut t, &line.command).unwrap();
//!     assert_eq!(outcome.failed, None, "line {}", line.line);
//! }
//! println!("trace hash {}", t.trace_hash());
//! ```
#![warn(missing_docs)]

pub mod describe;
pub mod i18n;
pub mod ids;
pub mod kafka;
pub mod lesson;
pub mod script;
pub mod sim;
pub mod view;
pub mod zookeeper;

pub use ids::NodeId;
pub use sim::timeline::Timeline;
pub use sim::world::World;
