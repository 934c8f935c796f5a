//! Consumer groups (classic protocol, apache/kafka 3.8). So far: the partition assignors
//! a group leader runs ([`assignors`]).

pub mod assignors;
