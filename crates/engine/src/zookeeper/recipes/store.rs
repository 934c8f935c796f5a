//! The resource a lock protects, and the fencing-token fix for the zombie lock holder.
//!
//! A lock holder that writes to a store under its lock can be frozen (a GC pause) past its
//! session timeout: its lock node goes, another client takes the lock and writes, and the
//! frozen one wakes up and finishes its write, which lands after the new holder's. The lock
//! cannot stop this; the store can, if each write carries a *fencing token* that grows with
//! every new holder and the store rejects a token smaller than the largest it has accepted
//! (Kleppmann, "How to do distributed locking", 2016; Kleppmann, *Designing Data-Intensive
//! Applications*, ch. 8 "Fencing tokens"; the ZooKeeper documentation's recipes page leaves
//! the resource's side to the application). With ZooKeeper the token is the czxid of the
//! holder's lock node: a later holder's node was created by a later transaction, so its
//! czxid is larger (zxids grow with every transaction, across epochs).
//!
//! A store is a node of its own (`store1`) that clients reach over TCP (port 8080, the
//! engine's choice). It keeps what it accepted durably (a database that syncs a write
//! before it answers), so a crash or a power cut loses nothing it acknowledged.

use crate::i18n::Lang;
use crate::ids::NodeId;
use crate::sim::conn::{Channel, CloseReason, ConnId};
use crate::sim::effects::Ctx;
use crate::zookeeper::messages::{ZkChange, ZkMsg};
use crate::zookeeper::zxid::hex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a lock holder and a store say to each other.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "store", rename_all = "snake_case")]
pub enum StoreMsg {
    /// Write `value` under `key`, fenced by `token` (the writer's lock node czxid).
    Write {
        /// The key written (the lock's path).
        key: String,
        /// The value (the writer's name).
        value: String,
        /// The fencing token.
        token: u64,
    },
    /// The store's answer.
    Reply {
        /// The key written.
        key: String,
        /// True when the write was applied.
        accepted: bool,
        /// The token the write carried.
        token: u64,
        /// The largest token the store had accepted for the key before this write.
        highest: u64,
    },
}

impl StoreMsg {
    /// A one-line label for the trace and the stage.
    pub fn label_in(&self, lang: Lang) -> String {
        match (self, lang) {
            (StoreMsg::Write { key, token, .. }, Lang::En) => {
                format!("write {key} token {}", hex(*token))
            }
            (StoreMsg::Write { key, token, .. }, Lang::Zh) => {
                format!("写 {key} 令牌 {}", hex(*token))
            }
            (StoreMsg::Reply { accepted: true, .. }, Lang::En) => "OK".to_string(),
            (StoreMsg::Reply { accepted: true, .. }, Lang::Zh) => "成功".to_string(),
            (StoreMsg::Reply { highest, .. }, Lang::En) => {
                format!("REJECTED (seen {})", hex(*highest))
            }
            (StoreMsg::Reply { highest, .. }, Lang::Zh) => {
                format!("拒绝（已见 {}）", hex(*highest))
            }
        }
    }
}

/// One write the store received, accepted or not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoreWrite {
    /// Who wrote.
    pub from: NodeId,
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
    /// The fencing token it carried.
    pub token: u64,
    /// Applied or rejected.
    pub accepted: bool,
    /// Virtual time, ms.
    pub time: u64,
}

/// What the stage shows of a store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoreView {
    /// Its number.
    pub id: u32,
    /// Checks fencing tokens.
    pub fencing: bool,
    /// Every write it received, in arrival order.
    pub writes: Vec<StoreWrite>,
}

/// A store that lock holders write to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Store {
    /// Its number (`store1` is 1).
    pub id: u32,
    /// Checks fencing tokens (rejects a token smaller than the largest accepted for the
    /// key); without it, every write is applied.
    pub fencing: bool,
    /// Every write it received, in arrival order (durable).
    pub writes: Vec<StoreWrite>,
    /// Per key: the largest token accepted.
    highest: BTreeMap<String, u64>,
}

impl Store {
    /// A store; `fencing` turns the token check on.
    pub fn new(id: u32, fencing: bool) -> Store {
        Store {
            id,
            fencing,
            writes: Vec::new(),
            highest: BTreeMap::new(),
        }
    }

    /// Its picture for the stage.
    pub fn view(&self) -> StoreView {
        StoreView {
            id: self.id,
            fencing: self.fencing,
            writes: self.writes.clone(),
        }
    }

    /// Listens on the store port only.
    pub fn accepts(&self, channel: Channel) -> bool {
        channel == Channel::Store
    }

    /// The current value of `key` (the last accepted write), if any.
    pub fn value(&self, key: &str) -> Option<&StoreWrite> {
        self.writes
            .iter()
            .rev()
            .find(|w| w.accepted && w.key == key)
    }

    /// A write arrived on `conn` from `from`: apply it or reject it, and answer.
    pub fn on_message(&mut self, ctx: &mut Ctx<'_>, conn: ConnId, from: NodeId, msg: ZkMsg) {
        let ZkMsg::Store(StoreMsg::Write { key, value, token }) = msg else {
            return;
        };
        let highest = self.highest.get(&key).copied().unwrap_or(0);
        let accepted = !self.fencing || token >= highest;
        if accepted {
            self.highest.insert(key.clone(), highest.max(token));
        }
        self.writes.push(StoreWrite {
            from,
            key: key.clone(),
            value,
            token,
            accepted,
            time: ctx.now(),
        });
        ctx.change(ZkChange::StoreWrite {
            from,
            key: key.clone(),
            token,
            accepted,
            highest,
        });
        ctx.send(
            conn,
            ZkMsg::Store(StoreMsg::Reply {
                key,
                accepted,
                token,
                highest,
            }),
        );
    }

    /// A connection closed: nothing to do (a store keeps no per-client state).
    pub fn on_closed(&mut self, _ctx: &mut Ctx<'_>, _conn: ConnId, _why: &CloseReason) {}

    /// What the `writes store1` query and condition print: each write in arrival order as
    /// `cN:ok` or `cN:rejected`, joined by commas; `none` before the first.
    pub fn writes_text(&self) -> String {
        if self.writes.is_empty() {
            return "none".to_string();
        }
        self.writes
            .iter()
            .map(|w| {
                let verdict = if w.accepted { "ok" } else { "rejected" };
                format!("{}:{verdict}", w.from)
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Accepted writes to one key whose token is smaller than an earlier accepted one's:
    /// an older holder's write landed after a newer holder's (the zombie's lost update),
    /// as (earlier, later) pairs.
    pub fn out_of_order(&self) -> Vec<(&StoreWrite, &StoreWrite)> {
        let mut best: BTreeMap<&str, &StoreWrite> = BTreeMap::new();
        let mut found = Vec::new();
        for w in self.writes.iter().filter(|w| w.accepted) {
            match best.get(w.key.as_str()) {
                Some(b) if b.token > w.token => found.push((*b, w)),
                _ => {
                    best.insert(w.key.as_str(), w);
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::SimRng;

    fn write(s: &mut Store, from: u32, token: u64) -> bool {
        let mut rng = SimRng::new(1);
        let mut ids = 0;
        let mut ctx = Ctx::new(0, NodeId::Store(1), &mut rng, &mut ids);
        let msg = ZkMsg::Store(StoreMsg::Write {
            key: "/locks/l".into(),
            value: format!("c{from}"),
            token,
        });
        s.on_message(&mut ctx, ConnId(1), NodeId::ZkClient(from), msg);
        s.writes.last().is_some_and(|w| w.accepted)
    }

    #[test]
    fn with_fencing_an_older_token_is_rejected() {
        let mut s = Store::new(1, true);
        assert!(write(&mut s, 2, 0x3_0000_0005));
        assert!(
            !write(&mut s, 1, 0x3_0000_0002),
            "the zombie's token is older"
        );
        assert!(
            write(&mut s, 2, 0x3_0000_0005),
            "the holder may write again"
        );
        assert_eq!(s.writes_text(), "c2:ok,c1:rejected,c2:ok");
        assert!(s.out_of_order().is_empty());
        assert_eq!(s.value("/locks/l").map(|w| w.value.as_str()), Some("c2"));
    }

    #[test]
    fn without_fencing_the_zombie_overwrites_and_it_shows() {
        let mut s = Store::new(1, false);
        assert!(write(&mut s, 2, 0x3_0000_0005));
        assert!(write(&mut s, 1, 0x3_0000_0002));
        assert_eq!(s.value("/locks/l").map(|w| w.value.as_str()), Some("c1"));
        let bad = s.out_of_order();
        assert_eq!(bad.len(), 1);
        assert_eq!(
            (bad[0].0.from, bad[0].1.from),
            (NodeId::ZkClient(2), NodeId::ZkClient(1))
        );
    }
}
