//! The command language shared by lessons, the sandbox console and the CLI: words
//! ([`lexer`], [`cursor`]), parsing with each system's registered grammar ([`parse`],
//! [`kernel`]), the typed commands and conditions ([`command`]) and execution ([`run`]).

pub mod command;
pub mod cursor;
pub mod kernel;
pub mod lexer;
pub mod parse;
pub mod query;
pub mod run;
pub(crate) mod schedule;
