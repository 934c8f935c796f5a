//! The command language shared by lessons, the sandbox console and the CLI: parsing
//! ([`parse`]), the typed commands ([`command`]), checks ([`condition`]) and execution
//! ([`run`]).

pub mod command;
pub mod condition;
pub mod lexer;
pub mod parse;
pub mod run;
