//! ZAB after the election: discovery (a new epoch), synchronization (DIFF/TRUNC/SNAP and
//! NEWLEADER) and the start of broadcast, from both sides of the leader-learner
//! connection (`Leader.java` + `LearnerHandler.java`; `Learner.java` + `Follower.java`).

pub mod broadcast;
pub mod leader;
pub mod learner;
pub mod sync;
