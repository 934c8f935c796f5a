//! What each of ZAB's invariants promises, in both languages, for the invariants panel.
//! The statements follow the ZAB paper (DSN 2011, section III) and zookeeper-specifications'
//! `Zab.tla`, as `zkafka_engine::zookeeper::invariants` checks them.

use zkafka_engine::i18n::Lang;
use zkafka_engine::zookeeper::invariants::Invariant;

/// The invariant's promise in one line, in `lang`.
pub fn promise(lang: Lang, inv: Invariant) -> &'static str {
    use Invariant::*;
    match (lang, inv) {
        (Lang::En, Leadership) => "at most one server establishes leadership in an epoch",
        (Lang::En, Integrity) => "a server delivers only transactions a leader proposed",
        (Lang::En, Agreement) => "the transaction at a position is the same on every server",
        (Lang::En, TotalOrder) => "every server delivers in one order of increasing zxids",
        (Lang::En, PrimaryOrder) => "an earlier epoch's transactions come before a later one's",
        (Lang::En, CommittedKept) => {
            "a delivered transaction is never lost: the newest leader's log holds it"
        }
        (Lang::En, TreeIsReplay) => {
            "a serving server's tree is the replay of what it applied, all of it logged"
        }
        (Lang::En, EphemeralSession) => "no ephemeral node outlives its session's closeSession",
        (Lang::Zh, Leadership) => "每个 epoch 至多只有一台服务器确立为 Leader",
        (Lang::Zh, Integrity) => "服务器只交付某个 Leader 提议过的事务",
        (Lang::Zh, Agreement) => "同一位置上的事务在所有服务器上都相同",
        (Lang::Zh, TotalOrder) => "所有服务器按同一个 zxid 递增的顺序交付",
        (Lang::Zh, PrimaryOrder) => "较早 epoch 的事务先于较晚 epoch 的事务交付",
        (Lang::Zh, CommittedKept) => "已交付的事务永不丢失：最新 Leader 的日志里都有",
        (Lang::Zh, TreeIsReplay) => {
            "提供服务的服务器，其数据树等于它已应用事务的重放，且都已写入日志"
        }
        (Lang::Zh, EphemeralSession) => "会话的 closeSession 之后，不再有它的临时节点",
    }
}

/// The lock recipes' promise (the recipe checker's), in `lang`.
pub fn lock_promise(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "at most one client believes it holds a lock (a recipe's promise, not ZAB's)",
        Lang::Zh => "至多一个客户端相信自己持有某把锁（这是锁方案的承诺，不是 ZAB 的）",
    }
}
