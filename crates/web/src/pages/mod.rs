//! The three pages: the lesson list, the lesson player and the sandbox.

pub mod fault_menu;
pub mod home;
pub mod player;
pub mod quiz;
pub mod sandbox;
