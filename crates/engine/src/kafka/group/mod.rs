//! Consumer groups (classic protocol, apache/kafka 3.8). So far: the partition assignors
//! a group leader runs ([`assignors`], with the sticky algorithm in [`sticky`]).

pub mod assignors;
mod partition_movements;
pub mod sticky;
