//! What each of ZAB's invariants promises, in both languages, for the invariants panel.
//! The statements follow the ZAB paper (DSN 2011, section III) and zookeeper-specifications'
//! `Zab.tla`, as `zkafka_engine::zookeeper::invariants` checks them.

use zkafka_engine::i18n::Lang;
use zkafka_engine::zookeeper::invariants::Invariant;
use zkafka_engine::zookeeper::recipes::check::RecipeProperty;

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

/// A recipe's promise (the recipe checker's), in `lang`.
pub fn recipe_promise(lang: Lang, p: RecipeProperty) -> &'static str {
    use RecipeProperty::*;
    match (lang, p) {
        (Lang::En, LockHolders) => {
            "at most one client believes it holds a lock (a recipe's promise, not ZAB's)"
        }
        (Lang::En, OneLeader) => "at most one candidate believes it leads an election",
        (Lang::En, FencedWrites) => {
            "a store never applies an older holder's write after a newer one's"
        }
        (Lang::En, BarrierOrder) => {
            "nobody computes before all have entered the barrier, nobody leaves before all are done"
        }
        (Lang::En, MissedWakeup) => {
            "no waiter sleeps through what it waits for (checked at the end)"
        }
        (Lang::En, QueueItems) => "no acknowledged queue item is lost (checked at the end)",
        (Lang::En, RegistryView) => {
            "every watcher sees exactly the registered instances (checked at the end)"
        }
        (Lang::Zh, LockHolders) => {
            "至多一个客户端相信自己持有某把锁（这是锁方案的承诺，不是 ZAB 的）"
        }
        (Lang::Zh, OneLeader) => "至多一个候选者相信自己是选举的 Leader",
        (Lang::Zh, FencedWrites) => "存储绝不在接受较新持有者的写入后，再应用较旧持有者的写入",
        (Lang::Zh, BarrierOrder) => "所有人进入屏障之前没人开始计算，所有人完成之前没人离开",
        (Lang::Zh, MissedWakeup) => "等待者不会错过它在等的事（在运行结束时检查）",
        (Lang::Zh, QueueItems) => "已确认的队列条目不会丢失（在运行结束时检查）",
        (Lang::Zh, RegistryView) => "每个监听者看到的恰好是已注册的实例（在运行结束时检查）",
    }
}
