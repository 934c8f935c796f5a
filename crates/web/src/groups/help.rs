//! The group panel's words in English and Simplified Chinese, beside what they explain:
//! the rebalance phases (Kafka 3.8's classic protocol: `GroupCoordinator` states and
//! `AbstractCoordinator.MemberState`), the eager and cooperative protocols (KIP-429), and
//! the labels of the cards, chips, plot and ledger.

use zkafka_engine::i18n::Lang;
use zkafka_engine::kafka::consumer::app::Phase;
use zkafka_engine::kafka::group::client::MemberState;
use zkafka_engine::kafka::group::view::{RebalancePhase, RebalanceProtocol};
use zkafka_engine::sim::node::Status;

/// The panel's fixed labels in one language.
pub struct GroupText {
    /// Panel title.
    pub title: &'static str,
    /// Under the title.
    pub hint: &'static str,
    /// "coordinator".
    pub coordinator: &'static str,
    /// When no broker coordinates the group.
    pub no_coordinator: &'static str,
    /// "generation".
    pub generation: &'static str,
    /// "assignor".
    pub assignor: &'static str,
    /// The round of the latest rebalance, "{n}".
    pub round: &'static str,
    /// Members heading.
    pub members: &'static str,
    /// The leader's mark.
    pub leader: &'static str,
    /// "owns".
    pub owns: &'static str,
    /// "gave up".
    pub gave_up: &'static str,
    /// "waiting for".
    pub waiting: &'static str,
    /// Nothing owned.
    pub nothing: &'static str,
    /// Not subscribed (yet, or again after a crash).
    pub not_subscribed: &'static str,
    /// A member the coordinator does not list.
    pub not_member: &'static str,
    /// "records in hand".
    pub in_hand: &'static str,
    /// "commit failed".
    pub commit_failed: &'static str,
    /// Partitions heading.
    pub partitions: &'static str,
    /// No owner.
    pub unowned: &'static str,
    /// "lag".
    pub lag: &'static str,
    /// "committed".
    pub committed: &'static str,
    /// "end" (high watermark).
    pub end_hw: &'static str,
    /// "end" (LSO, read_committed).
    pub end_lso: &'static str,
    /// "position".
    pub position: &'static str,
    /// The assignment moves this partition to another member.
    pub moving_to: &'static str,
    /// Owned by more than one consumer.
    pub split: &'static str,
    /// Partitions nobody reads, "{n} of {m}".
    pub paused_parts: &'static str,
    /// Lag plot heading.
    pub lag_plot: &'static str,
    /// Lag plot note.
    pub lag_plot_hint: &'static str,
    /// No commit yet.
    pub lag_none: &'static str,
    /// "now".
    pub now: &'static str,
    /// Ledger heading.
    pub ledger: &'static str,
    /// Ledger note.
    pub ledger_hint: &'static str,
    /// "processed".
    pub processed: &'static str,
    /// "duplicates".
    pub duplicates: &'static str,
    /// "after a gap".
    pub gaps: &'static str,
    /// Nothing processed.
    pub ledger_empty: &'static str,
    /// The delivery checker's line, before its counts.
    pub checker: &'static str,
    /// "lost".
    pub lost: &'static str,
    /// "skipped".
    pub skipped: &'static str,
    /// "non-monotonic".
    pub non_monotonic: &'static str,
    /// Tooltip: a duplicate, "{n}" earlier processings.
    pub dup_tip: &'static str,
    /// Tooltip: after a gap of "{n}" records.
    pub gap_tip: &'static str,
    /// Tooltip: the consumer's incarnation, "{n}" crashes before.
    pub incarnation: &'static str,
    /// Legend: owned.
    pub key_owned: &'static str,
    /// Legend: new in this rebalance.
    pub key_new: &'static str,
    /// Legend: given up.
    pub key_gave_up: &'static str,
    /// Legend: waiting for it.
    pub key_waiting: &'static str,
    /// Legend: a duplicate processing.
    pub key_dup: &'static str,
    /// Legend: processed after a gap.
    pub key_gap: &'static str,
    /// Group picker label.
    pub pick: &'static str,
    /// The marks' key, for screen readers.
    pub key: &'static str,
}

const EN: GroupText = GroupText {
    title: "Consumer group",
    hint: "members, the rebalance phase by phase, partitions by owner, lag, what was processed",
    coordinator: "coordinator",
    no_coordinator: "no coordinator",
    generation: "generation",
    assignor: "assignor",
    round: "round {n}",
    members: "Members",
    leader: "leader",
    owns: "owns",
    gave_up: "gave up",
    waiting: "waiting for",
    nothing: "nothing",
    not_subscribed: "not subscribed",
    not_member: "not in the coordinator's member list",
    in_hand: "records in hand",
    commit_failed: "commit failed",
    partitions: "Partitions and lag",
    unowned: "no one",
    lag: "lag",
    committed: "committed",
    end_hw: "HW",
    end_lso: "LSO",
    position: "position",
    moving_to: "assigned to",
    split: "owned by two consumers at once",
    paused_parts: "{n} of {m} partitions are read by no one",
    lag_plot: "Total lag over time",
    lag_plot_hint: "Σ (high watermark − committed offset) over the partitions the group committed; the line marks the playback position",
    lag_none: "no committed offset yet",
    now: "now",
    ledger: "Processed-record ledger",
    ledger_hint: "what each application processed, newest last (partition:offset), marked as it happened",
    processed: "processed",
    duplicates: "duplicates",
    gaps: "after a gap",
    ledger_empty: "nothing processed yet",
    checker: "delivery checker",
    lost: "lost",
    skipped: "skipped",
    non_monotonic: "non-monotonic",
    dup_tip: "duplicate: processed {n}× before",
    gap_tip: "{n} record(s) before this one were never processed",
    incarnation: "after crash {n}",
    key_owned: "owned (colour = member)",
    key_new: "new in this rebalance",
    key_gave_up: "given up",
    key_waiting: "assigned, not read yet",
    key_dup: "duplicate",
    key_gap: "after a gap",
    pick: "group",
    key: "what the colours and marks mean",
};

const ZH: GroupText = GroupText {
    title: "消费者组",
    hint: "成员、逐阶段的再均衡、按所有者着色的分区、lag、已处理的记录",
    coordinator: "协调者",
    no_coordinator: "没有协调者",
    generation: "generation",
    assignor: "分配器",
    round: "第 {n} 轮",
    members: "成员",
    leader: "leader",
    owns: "拥有",
    gave_up: "交出",
    waiting: "等待",
    nothing: "无",
    not_subscribed: "未订阅",
    not_member: "协调者的成员列表里没有它",
    in_hand: "条记录在手",
    commit_failed: "提交失败",
    partitions: "分区与 lag",
    unowned: "无人",
    lag: "lag",
    committed: "已提交",
    end_hw: "HW",
    end_lso: "LSO",
    position: "位置",
    moving_to: "分配给",
    split: "同时被两个消费者占有",
    paused_parts: "{m} 个分区中有 {n} 个无人读取",
    lag_plot: "总 lag 随时间变化",
    lag_plot_hint: "组已提交的分区上 Σ（高水位 − 已提交 offset）；竖线是回放位置",
    lag_none: "还没有已提交的 offset",
    now: "现在",
    ledger: "已处理记录账本",
    ledger_hint: "每个应用处理过的记录，最新的在最后（分区:offset），发生时即标记",
    processed: "已处理",
    duplicates: "重复",
    gaps: "跳过之后",
    ledger_empty: "还没有处理任何记录",
    checker: "投递检查",
    lost: "丢失",
    skipped: "跳过",
    non_monotonic: "非单调",
    dup_tip: "重复：之前已处理 {n} 次",
    gap_tip: "此前有 {n} 条记录从未被处理",
    incarnation: "第 {n} 次崩溃之后",
    key_owned: "拥有（颜色 = 成员）",
    key_new: "本次再均衡新分到",
    key_gave_up: "已交出",
    key_waiting: "已分配、尚未读取",
    key_dup: "重复",
    key_gap: "跳过之后",
    pick: "组",
    key: "颜色和标记的含义",
};

/// The labels in `lang`.
pub fn text(lang: Lang) -> &'static GroupText {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// A phase's short name on the strip.
pub fn phase_name(lang: Lang, p: RebalancePhase) -> &'static str {
    use RebalancePhase::*;
    match (lang, p) {
        (Lang::En, Join) => "JoinGroup",
        (Lang::En, LeaderAssigns) => "leader assigns",
        (Lang::En, Sync) => "SyncGroup",
        (Lang::En, RevokeAssign) => "revoke / assign",
        (Lang::En, Stable) => "Stable",
        (Lang::En, NoCoordinator) => "no coordinator",
        (Lang::En, Empty) => "Empty",
        (Lang::Zh, Join) => "JoinGroup 加入",
        (Lang::Zh, LeaderAssigns) => "leader 计算分配",
        (Lang::Zh, Sync) => "SyncGroup 同步",
        (Lang::Zh, RevokeAssign) => "撤销 / 分配",
        (Lang::Zh, Stable) => "稳定",
        (Lang::Zh, NoCoordinator) => "没有协调者",
        (Lang::Zh, Empty) => "空组",
    }
}

/// What happens in a phase (the coordinator's `GroupState` and the members' side).
pub fn phase_says(lang: Lang, p: RebalancePhase) -> &'static str {
    use RebalancePhase::*;
    match (lang, p) {
        (Lang::En, Join) => {
            "PreparingRebalance: every member sends JoinGroup; the coordinator waits until all have (or the rebalance timeout)"
        }
        (Lang::En, LeaderAssigns) => {
            "CompletingRebalance: the JoinGroup answers are out; the leader runs the assignor over every member's subscription"
        }
        (Lang::En, Sync) => {
            "the leader's SyncGroup carries the assignment; the coordinator writes it to __consumer_offsets and holds every SyncGroup until it is replicated"
        }
        (Lang::En, RevokeAssign) => {
            "Stable on the coordinator; each member takes its share from the SyncGroup answer, new partitions start at the committed offset, and a cooperative member revokes what was taken from it and rejoins"
        }
        (Lang::En, Stable) => "every member reads its partitions and heartbeats",
        (Lang::En, NoCoordinator) => {
            "no running broker leads the group's __consumer_offsets partition: the members look for a coordinator"
        }
        (Lang::En, Empty) => "the group has no members; its committed offsets remain",
        (Lang::Zh, Join) => {
            "PreparingRebalance：每个成员发送 JoinGroup；协调者等到所有成员都加入（或再均衡超时）"
        }
        (Lang::Zh, LeaderAssigns) => {
            "CompletingRebalance：JoinGroup 的回复已发出；leader 根据每个成员的订阅运行分配器"
        }
        (Lang::Zh, Sync) => {
            "leader 的 SyncGroup 带着分配方案；协调者把它写进 __consumer_offsets，复制完成之前扣住所有 SyncGroup"
        }
        (Lang::Zh, RevokeAssign) => {
            "协调者已是 Stable；各成员从 SyncGroup 回复里拿到自己那份，新分区从已提交的 offset 开始；cooperative 成员撤销被拿走的分区并重新加入"
        }
        (Lang::Zh, Stable) => "每个成员读取自己的分区并发送心跳",
        (Lang::Zh, NoCoordinator) => {
            "没有运行中的 Broker 领导该组的 __consumer_offsets 分区：成员在寻找协调者"
        }
        (Lang::Zh, Empty) => "组里没有成员；已提交的 offset 仍然保留",
    }
}

/// The protocol's name and what it means.
pub fn protocol(lang: Lang, p: RebalanceProtocol) -> (&'static str, &'static str) {
    match (lang, p) {
        (Lang::En, RebalanceProtocol::Eager) => (
            "eager",
            "every member revokes all its partitions before it joins: no one reads until the rebalance ends (stop the world)",
        ),
        (Lang::En, RebalanceProtocol::Cooperative) => (
            "cooperative",
            "KIP-429: members keep reading while they join; only the partitions that move are revoked, and a second round hands them out",
        ),
        (Lang::Zh, RebalanceProtocol::Eager) => (
            "eager",
            "每个成员加入前先撤销全部分区：再均衡结束之前没有人读取（stop the world）",
        ),
        (Lang::Zh, RebalanceProtocol::Cooperative) => (
            "cooperative",
            "KIP-429：成员加入时继续读取；只撤销要移走的分区，第二轮再把它们分出去",
        ),
    }
}

/// A member state's Java name and what it means (`AbstractCoordinator.MemberState`).
pub fn member_state(lang: Lang, s: Option<MemberState>) -> (&'static str, &'static str) {
    let name = s.map_or("–", |s| s.name());
    let says = match (lang, s) {
        (Lang::En, None) => {
            "has not subscribed (a crashed consumer subscribes again when it starts)"
        }
        (Lang::En, Some(MemberState::Unjoined)) => {
            "not in a generation: looking for the coordinator or about to join"
        }
        (Lang::En, Some(MemberState::PreparingRebalance)) => {
            "JoinGroup sent, waiting for the answer"
        }
        (Lang::En, Some(MemberState::CompletingRebalance)) => {
            "SyncGroup sent, waiting for its partitions"
        }
        (Lang::En, Some(MemberState::Stable)) => "has its partitions and heartbeats",
        (Lang::Zh, None) => "尚未订阅（崩溃的消费者重新启动时会再次订阅）",
        (Lang::Zh, Some(MemberState::Unjoined)) => {
            "不在任何 generation 中：正在寻找协调者或即将加入"
        }
        (Lang::Zh, Some(MemberState::PreparingRebalance)) => "已发送 JoinGroup，等待回复",
        (Lang::Zh, Some(MemberState::CompletingRebalance)) => "已发送 SyncGroup，等待分到的分区",
        (Lang::Zh, Some(MemberState::Stable)) => "拿到了分区，正在发送心跳",
    };
    (name, says)
}

/// What the application thread does.
pub fn app_phase(lang: Lang, p: Phase) -> &'static str {
    match (lang, p) {
        (Lang::En, Phase::Polling) => "in poll()",
        (Lang::En, Phase::Processing) => "processing",
        (Lang::En, Phase::Committing { .. }) => "in commitSync()",
        (Lang::Zh, Phase::Polling) => "在 poll() 中",
        (Lang::Zh, Phase::Processing) => "处理中",
        (Lang::Zh, Phase::Committing { .. }) => "在 commitSync() 中",
    }
}

/// The process's state when it is not simply running.
pub fn process(lang: Lang, s: Status) -> Option<&'static str> {
    Some(match (lang, s) {
        (_, Status::Running) => return None,
        (Lang::En, Status::Paused) => "paused: no heartbeats, no poll()",
        (Lang::En, Status::Crashed) => "crashed",
        (Lang::En, Status::Stopped) => "stopped (left the group)",
        (Lang::En, Status::Halted) => "powered off",
        (Lang::En, Status::NotStarted) => "not started",
        (Lang::Zh, Status::Paused) => "已暂停：没有心跳，也不调用 poll()",
        (Lang::Zh, Status::Crashed) => "已崩溃",
        (Lang::Zh, Status::Stopped) => "已停止（离开了组）",
        (Lang::Zh, Status::Halted) => "已断电",
        (Lang::Zh, Status::NotStarted) => "未启动",
    })
}
