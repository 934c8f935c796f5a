//! ZAB made visible beside the stage: every server's transaction log side by side
//! ([`logs::TxnLogs`]) and the safety properties checked over the run
//! ([`invariants::InvariantsPanel`]).

pub mod help;
pub mod invariants;
pub mod logs;
