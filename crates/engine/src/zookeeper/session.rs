//! Session bookkeeping on the server that decides expiry: the leader, or a standalone
//! server (`SessionTrackerImpl` with its `ExpiryQueue`, apache/zookeeper release-3.8.0).
//!
//! Expiry times are rounded up to the next multiple of `tickTime` (buckets), so a session
//! expires at the first bucket boundary after `last touch + timeout`. A touch (any request
//! or ping from the client, on this server or relayed by a follower with its PING) moves
//! the session to a later bucket. An expired session is marked closing and the server
//! submits a `closeSession` for it. New session ids are
//! `((elapsed << 24) >>> 8) | (sid << 56)`, then counted up
//! (`initializeNextSessionId`); elapsed is the JVM's monotonic clock, here virtual time plus
//! one second.

use serde::Serialize;
use std::collections::BTreeMap;

/// One tracked session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TrackedSession {
    /// Its timeout, ms.
    pub timeout_ms: u32,
    /// The bucket it expires in, virtual ms.
    pub expires_at: u64,
    /// Marked closing (expired or closed, its closeSession not yet applied).
    pub closing: bool,
}

/// `SessionTrackerImpl`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionTracker {
    /// `expirationInterval`: the bucket width (tickTime), ms.
    pub interval_ms: u64,
    /// The next id to hand out.
    next_id: u64,
    /// Sessions by id.
    pub sessions: BTreeMap<u64, TrackedSession>,
}

/// `initializeNextSessionId(sid)` at virtual time `now`.
pub fn first_session_id(sid: u32, now: u64) -> u64 {
    let elapsed = now + 1000;
    ((elapsed << 24) >> 8) | (u64::from(sid) << 56)
}

impl SessionTracker {
    /// A tracker for server `sid` at `now`, with the sessions the database already knows
    /// (a new leader tracks them from now, each with its full timeout).
    pub fn new(sid: u32, now: u64, interval_ms: u64, known: &BTreeMap<u64, u32>) -> Self {
        let mut t = SessionTracker {
            interval_ms: interval_ms.max(1),
            next_id: first_session_id(sid, now),
            sessions: BTreeMap::new(),
        };
        for (&id, &to) in known {
            t.add(id, to, now);
        }
        t
    }

    /// `roundToNextInterval`.
    fn bucket(&self, t: u64) -> u64 {
        (t / self.interval_ms + 1) * self.interval_ms
    }

    /// `createSession`: a new id, tracked from `now`.
    pub fn create(&mut self, timeout_ms: u32, now: u64) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.add(id, timeout_ms, now);
        id
    }

    /// `trackSession`/`addSession`: tracks `id` (a session created elsewhere).
    pub fn add(&mut self, id: u64, timeout_ms: u32, now: u64) {
        let expires_at = self.bucket(now + u64::from(timeout_ms));
        self.sessions.entry(id).or_insert(TrackedSession {
            timeout_ms,
            expires_at,
            closing: false,
        });
    }

    /// `touchSession`: false when the session is unknown or closing (a reconnect is then
    /// answered "expired").
    pub fn touch(&mut self, id: u64, now: u64) -> bool {
        let interval = self.interval_ms;
        match self.sessions.get_mut(&id) {
            Some(s) if !s.closing => {
                let t = ((now + u64::from(s.timeout_ms)) / interval + 1) * interval;
                if t > s.expires_at {
                    s.expires_at = t;
                }
                true
            }
            _ => false,
        }
    }

    /// `checkSession`: Ok when the session is known and not closing.
    pub fn check(&self, id: u64) -> bool {
        self.sessions.get(&id).is_some_and(|s| !s.closing)
    }

    /// `setSessionClosing`.
    pub fn set_closing(&mut self, id: u64) {
        if let Some(s) = self.sessions.get_mut(&id) {
            s.closing = true;
        }
    }

    /// `removeSession` (its closeSession was applied).
    pub fn remove(&mut self, id: u64) {
        self.sessions.remove(&id);
    }

    /// The sessions whose bucket has come at `now` and are not closing yet; they are
    /// marked closing.
    pub fn expire(&mut self, now: u64) -> Vec<u64> {
        let mut out = Vec::new();
        for (id, s) in self.sessions.iter_mut() {
            if !s.closing && s.expires_at <= now {
                s.closing = true;
                out.push(*id);
            }
        }
        out
    }

    /// When the next session expires (the earliest bucket of a live session).
    pub fn next_expiry(&self) -> Option<u64> {
        self.sessions
            .values()
            .filter(|s| !s.closing)
            .map(|s| s.expires_at)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_rounded_up_to_the_next_tick() {
        let mut t = SessionTracker::new(1, 0, 2000, &BTreeMap::new());
        let id = t.create(4000, 500);
        // 500 + 4000 = 4500 → bucket 6000.
        assert_eq!(t.sessions[&id].expires_at, 6000);
        assert!(t.expire(5999).is_empty());
        assert!(t.touch(id, 3000), "a touch moves it on");
        assert_eq!(t.sessions[&id].expires_at, 8000);
        assert_eq!(t.expire(8000), vec![id]);
        assert!(!t.touch(id, 8001), "a closing session cannot be revived");
    }

    #[test]
    fn ids_carry_the_server_id_in_the_high_byte() {
        let id = first_session_id(3, 0);
        assert_eq!(id >> 56, 3);
        assert_ne!(first_session_id(0, 0), 0, "never the 'new session' id");
    }
}
