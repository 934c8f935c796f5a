//! The UI's own words (buttons, labels, headings) in English and Simplified Chinese.
//! Narration and event descriptions come from the engine; everything else lives here.

use leptos::prelude::*;
use zkafka_engine::i18n::Lang;

/// Every piece of UI chrome text, in one language.
pub struct Ui {
    /// The language these strings are in (for engine texts drawn next to them).
    pub lang: Lang,
    /// Tagline under the app name.
    pub tagline: &'static str,
    /// Nav link to the start page.
    pub nav_lessons: &'static str,
    /// Nav link to the sandbox.
    pub nav_sandbox: &'static str,
    /// Tooltip of the language toggle.
    pub lang_title: &'static str,

    /// Start page heading.
    pub lessons_heading: &'static str,
    /// Start page lead paragraph.
    pub lessons_lead: &'static str,
    /// "Topics" label on a lesson card.
    pub topics: &'static str,
    /// "Steps" label on a lesson card.
    pub steps: &'static str,
    /// The play link on a lesson card.
    pub play: &'static str,
    /// Sandbox card heading.
    pub sandbox_card_title: &'static str,
    /// Sandbox card text.
    pub sandbox_card_text: &'static str,
    /// Sandbox card link.
    pub sandbox_open: &'static str,
    /// A bundled lesson failed to load.
    pub lesson_broken: &'static str,

    /// Leader badge label.
    pub leader: &'static str,
    /// Shown when there is no leader.
    pub no_leader: &'static str,
    /// Event counter label.
    pub event: &'static str,
    /// Restart button.
    pub restart: &'static str,
    /// Step-back button.
    pub back: &'static str,
    /// Play button.
    pub play_btn: &'static str,
    /// Pause button.
    pub pause: &'static str,
    /// Step-forward button.
    pub forward: &'static str,
    /// Jump-to-end button.
    pub to_end: &'static str,
    /// Previous lesson step button.
    pub prev_step: &'static str,
    /// Next lesson step button.
    pub next_step: &'static str,
    /// Speed selector label.
    pub speed: &'static str,
    /// Scrubber label.
    pub scrubber: &'static str,
    /// Expectations heading.
    pub expectations: &'static str,
    /// Commands heading.
    pub commands: &'static str,
    /// Intro disclosure.
    pub about: &'static str,
    /// Pending expectation tooltip.
    pub pending: &'static str,
    /// The lesson did not run cleanly.
    pub lesson_error: &'static str,
    /// No lesson with that id.
    pub lesson_missing: &'static str,
    /// Back to the start page.
    pub back_to_lessons: &'static str,
    /// The run passed.
    pub lesson_passed: &'static str,
    /// Event log heading.
    pub event_log: &'static str,
    /// Hint under the event log heading.
    pub event_log_hint: &'static str,
    /// "earlier events" (window marker).
    pub earlier: &'static str,
    /// "later events" (window marker).
    pub later: &'static str,
    /// Empty log.
    pub no_events: &'static str,

    /// Legend heading for states.
    pub legend_states: &'static str,
    /// Legend heading for messages.
    pub legend_messages: &'static str,
    /// LOOKING explained.
    pub st_looking: &'static str,
    /// FOLLOWING explained.
    pub st_following: &'static str,
    /// LEADING explained.
    pub st_leading: &'static str,
    /// OBSERVING explained.
    pub st_observing: &'static str,
    /// Down / stopped.
    pub st_down: &'static str,
    /// A running process.
    pub st_running: &'static str,
    /// ZooKeeper client card: "session".
    pub z_session: &'static str,
    /// ZooKeeper client card: "watches".
    pub z_watches: &'static str,
    /// ZooKeeper client card: "events".
    pub z_events: &'static str,
    /// Store card: it checks fencing tokens.
    pub s_fencing: &'static str,
    /// Store card: it applies every write.
    pub s_no_fencing: &'static str,
    /// Store card: a write applied.
    pub s_ok: &'static str,
    /// Store card: a write rejected (older token).
    pub s_rejected: &'static str,
    /// Store card: nothing written yet.
    pub s_no_writes: &'static str,
    /// Znode tree inspector heading.
    pub zn_title: &'static str,
    /// Hint under its heading.
    pub zn_hint: &'static str,
    /// Tooltip of a server chip.
    pub zn_server_tip: &'static str,
    /// Note: the shown server's process is not running.
    pub zn_down: &'static str,
    /// Note: the shown server does not serve clients.
    pub zn_not_serving: &'static str,
    /// Note: the tree follows the leader.
    pub zn_follow_leader: &'static str,
    /// Note: the tree is the one of the server a client (`{c}`) is connected to.
    pub zn_client_server: &'static str,
    /// Expand a znode.
    pub zn_expand: &'static str,
    /// Collapse a znode.
    pub zn_collapse: &'static str,
    /// An empty list.
    pub zn_none: &'static str,
    /// The detail shows the picked znode.
    pub zn_pinned: &'static str,
    /// Invariants panel title.
    pub zb_inv_title: &'static str,
    /// What the invariants panel shows.
    pub zb_inv_hint: &'static str,
    /// An invariant that held up to the playback position.
    pub zb_holds: &'static str,
    /// An invariant broken at event {n} (a link).
    pub zb_broken: &'static str,
    /// How many events were checked ({n}).
    pub zb_checked: &'static str,
    /// Txn log panel title.
    pub zb_logs_title: &'static str,
    /// What the txn log panel shows.
    pub zb_logs_hint: &'static str,
    /// A logged txn the server has applied (committed).
    pub zb_applied: &'static str,
    /// A logged txn not applied yet (no COMMIT seen).
    pub zb_logged: &'static str,
    /// A txn a TRUNC cut from the log.
    pub zb_truncated: &'static str,
    /// Older entries of a log, not shown.
    pub zb_older: &'static str,
    /// The detail follows the last change.
    pub zn_following: &'static str,
    /// Detail: data heading.
    pub zn_data: &'static str,
    /// Detail: ACL heading.
    pub zn_acl: &'static str,
    /// Detail: watches heading.
    pub zn_watches: &'static str,
    /// Quiz box heading.
    pub q_title: &'static str,
    /// Quiz: before the step has played.
    pub q_pick: &'static str,
    /// Quiz: picked, the step has not played yet.
    pub q_waiting: &'static str,
    /// Quiz: reveal button.
    pub q_reveal: &'static str,
    /// Quiz: the pick was right.
    pub q_right: &'static str,
    /// Quiz: the pick was wrong.
    pub q_wrong: &'static str,
    /// Quiz: before the computed value.
    pub q_engine: &'static str,
    /// Quiz: the answer cannot be computed.
    pub q_problem: &'static str,
    /// Sandbox setup: ZooKeeper clients.
    pub setup_clients: &'static str,
    /// Legend heading: client session states.
    pub legend_clients: &'static str,
    /// Legend: CONNECTING.
    pub sess_connecting: &'static str,
    /// Legend: CONNECTED.
    pub sess_connected: &'static str,
    /// Legend: DISCONNECTED.
    pub sess_disconnected: &'static str,
    /// Legend: EXPIRED.
    pub sess_expired: &'static str,
    /// Legend: a client request.
    pub m_request: &'static str,
    /// Legend: a reply to a client.
    pub m_reply: &'static str,
    /// Legend: a watch notification.
    pub m_event: &'static str,
    /// A crashed process.
    pub st_crashed: &'static str,
    /// Stopped cleanly (`stop`).
    pub st_stopped: &'static str,
    /// A host without power.
    pub st_halted: &'static str,
    /// A frozen (paused) process.
    pub st_paused: &'static str,
    /// Established leader marker.
    pub st_established: &'static str,
    /// A broker that leads a partition.
    pub st_broker_leads: &'static str,
    /// Vote message.
    pub m_vote: &'static str,
    /// ZAB packet.
    pub m_zab: &'static str,
    /// Metadata request/response.
    pub m_meta: &'static str,
    /// Legend: the controller's LeaderAndIsr and UpdateMetadata.
    pub m_controller: &'static str,
    /// Legend: transaction messages.
    pub m_txn: &'static str,
    /// Legend: consumer group messages (FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
    /// LeaveGroup, offsets).
    pub m_group: &'static str,
    /// A transaction marker (control batch), in a cell's tooltip.
    pub k_marker: &'static str,
    /// "transaction", before open / committed / aborted in a cell's tooltip.
    pub k_txn: &'static str,
    /// The LSO mark's tooltip.
    pub k_lso_tip: &'static str,
    /// "partitions" in an internal topic's summary row.
    pub k_partitions: &'static str,
    /// A broker card's tag when it is the controller.
    pub k_controller: &'static str,
    /// The header badge's key on a Kafka stage.
    pub k_controller_badge: &'static str,
    /// Produce request.
    pub m_produce: &'static str,
    /// Produce response.
    pub m_produce_resp: &'static str,
    /// Fetch request.
    pub m_fetch: &'static str,
    /// Fetch response.
    pub m_fetch_resp: &'static str,
    /// A message held by a partition or a powered-off receiver.
    pub m_held: &'static str,
    /// Legend heading for connections.
    pub legend_links: &'static str,
    /// An open connection.
    pub l_open: &'static str,
    /// A half-open connection.
    pub l_half: &'static str,
    /// A closed connection.
    pub l_closed: &'static str,
    /// Short label on a link closed because a process died.
    pub why_died: &'static str,
    /// Short label on a link whose peer host lost power.
    pub why_power: &'static str,
    /// Short label on a refused connect.
    pub why_refused: &'static str,
    /// Short label on a reset connection.
    pub why_reset: &'static str,
    /// Short label on a connection TCP gave up on.
    pub why_timeout: &'static str,
    /// A record only in the page cache.
    pub rec_unflushed: &'static str,
    /// A network cut.
    pub m_cut: &'static str,
    /// Committed record cell.
    pub rec_committed: &'static str,
    /// Uncommitted record cell.
    pub rec_uncommitted: &'static str,

    /// Stage: vote.
    pub s_vote: &'static str,
    /// Stage: round.
    pub s_round: &'static str,
    /// Stage: epoch.
    pub s_epoch: &'static str,
    /// Stage: accepted epoch (short).
    pub s_accepted: &'static str,
    /// Stage: node down (crashed).
    pub s_down: &'static str,
    /// Card word for a cleanly stopped process.
    pub s_stopped: &'static str,
    /// Stage: host without power.
    pub s_halted: &'static str,
    /// Stage: paused process.
    pub s_paused: &'static str,
    /// Stage: messages a paused process's kernel keeps.
    pub s_kept: &'static str,
    /// Connection end: open.
    pub c_end_open: &'static str,
    /// Connection end: lost in a power cut.
    pub c_end_lost: &'static str,
    /// Connection end: the SYN has not arrived.
    pub c_end_pending: &'static str,
    /// Connection: messages held.
    pub c_held_n: &'static str,
    /// Stage: node created but never started.
    pub s_not_started: &'static str,
    /// Stage: node not created yet.
    pub s_not_created: &'static str,
    /// Stage: observer.
    pub s_observer: &'static str,
    /// Stage: established leader badge.
    pub s_leader_badge: &'static str,
    /// Stage: partition leader.
    pub s_p_leader: &'static str,
    /// Stage: partition follower.
    pub s_p_follower: &'static str,
    /// Stage: queued records.
    pub s_queued: &'static str,
    /// Stage: requests in flight.
    pub s_in_flight: &'static str,
    /// Stage: sent.
    pub s_sent: &'static str,
    /// Stage: acked.
    pub s_acked: &'static str,
    /// Stage: failed.
    pub s_failed: &'static str,
    /// Stage: consumer position.
    pub s_position: &'static str,
    /// Stage: records received.
    pub s_received: &'static str,
    /// Stage: nothing on stage yet.
    pub s_empty: &'static str,
    /// Stage: click hint (sandbox).
    pub s_click_hint: &'static str,
    /// Fault menu title prefix.
    pub f_title: &'static str,
    /// Fault: crash.
    pub f_crash: &'static str,
    /// Fault menu: a clean shutdown.
    pub f_stop: &'static str,
    /// Fault: power off.
    pub f_halt: &'static str,
    /// Fault: pause.
    pub f_pause: &'static str,
    /// Fault: pause for 5 s.
    pub f_pause5: &'static str,
    /// Fault: resume.
    pub f_resume: &'static str,
    /// Fault: restart a running process.
    pub f_restart: &'static str,
    /// Fault: start a process that does not run.
    pub f_start: &'static str,
    /// Fault: power a halted host back on.
    pub f_power_on: &'static str,
    /// Close the fault menu.
    pub f_close: &'static str,

    /// Sandbox heading.
    pub sandbox_heading: &'static str,
    /// Sandbox lead.
    pub sandbox_lead: &'static str,
    /// Setup: ZooKeeper voters.
    pub setup_zk: &'static str,
    /// Setup: observers.
    pub setup_observers: &'static str,
    /// Setup: Kafka brokers.
    pub setup_kafka: &'static str,
    /// Setup: "none".
    pub setup_none: &'static str,
    /// Setup: start everything.
    pub setup_start: &'static str,
    /// Setup: create topic orders.
    pub setup_topic: &'static str,
    /// Setup: the button.
    pub setup_create: &'static str,
    /// Console heading.
    pub console: &'static str,
    /// Console placeholder.
    pub console_placeholder: &'static str,
    /// Console: examples label.
    pub examples: &'static str,
    /// Console: an expectation held.
    pub c_held: &'static str,
    /// Console: an expectation failed.
    pub c_failed: &'static str,
    /// Console: parse error prefix ("column").
    pub c_column: &'static str,
    /// Console: events emitted.
    pub c_events: &'static str,
    /// Console: one event emitted.
    pub c_event: &'static str,
    /// Console: command could not run.
    pub c_error: &'static str,
}

/// English.
pub const EN: Ui = Ui {
    lang: Lang::En,
    tagline: "see ZooKeeper and Kafka work inside",
    nav_lessons: "Lessons",
    nav_sandbox: "Sandbox",
    lang_title: "Switch language",

    lessons_heading: "Lessons",
    lessons_lead: "Each lesson runs a small ZooKeeper or Kafka cluster on a deterministic simulator and lets you watch every message, vote and log append, step by step.",
    topics: "Topics",
    steps: "steps",
    play: "Play",
    sandbox_card_title: "Sandbox",
    sandbox_card_text: "Build your own ensemble or cluster, type commands, crash servers with a click and watch what happens.",
    sandbox_open: "Open the sandbox",
    lesson_broken: "This lesson could not be loaded",

    leader: "Leader",
    no_leader: "none",
    event: "Event",
    restart: "Restart",
    back: "Back",
    play_btn: "Play",
    pause: "Pause",
    forward: "Step",
    to_end: "End",
    prev_step: "Previous step",
    next_step: "Next step",
    speed: "Speed",
    scrubber: "Position in the recording",
    expectations: "Expectations",
    commands: "Commands",
    about: "About this lesson",
    pending: "not reached yet",
    lesson_error: "The lesson did not run cleanly",
    lesson_missing: "There is no lesson with this id.",
    back_to_lessons: "Back to the lessons",
    lesson_passed: "all expectations hold",
    event_log: "Event log",
    event_log_hint: "click an event to jump there",
    earlier: "earlier events",
    later: "later events",
    no_events: "Nothing has happened yet.",

    legend_states: "Server states",
    legend_messages: "Messages",
    st_looking: "LOOKING: electing",
    st_following: "FOLLOWING",
    st_leading: "LEADING",
    st_observing: "OBSERVING",
    st_down: "not started",
    st_running: "running",
    z_session: "session",
    z_watches: "watches",
    z_events: "events",
    s_fencing: "fencing",
    s_no_fencing: "no fencing",
    s_ok: "ok",
    s_rejected: "rejected",
    s_no_writes: "no writes yet",
    zn_title: "Znode tree",
    zn_hint: "Click a znode for its Stat, data, ACL and watches; whatever the last change touched lights up.",
    zn_server_tip: "Show this server's tree (click again to go back to following)",
    zn_down: "not running",
    zn_not_serving: "not serving clients: its tree may be behind",
    zn_follow_leader: "following the leader",
    zn_client_server: "{c}'s server",
    zn_expand: "expand",
    zn_collapse: "collapse",
    zn_none: "none",
    zn_pinned: "picked · click it again to follow changes",
    zb_inv_title: "ZAB invariants",
    zb_inv_hint: "Checked after every event of this run; a light turns red when playback passes the event that broke it.",
    zb_holds: "holds",
    zb_broken: "broken at event {n}",
    zb_checked: "checked after each of {n} events",
    zb_logs_title: "Transaction logs",
    zb_logs_hint: "Each server's txn log by zxid, newest on top: what it applied, what it only logged, what a TRUNC cut.",
    zb_applied: "logged and applied (committed)",
    zb_logged: "logged, not applied yet",
    zb_truncated: "cut by TRUNC",
    zb_older: "older entries",
    zn_following: "following the last change",
    zn_data: "Data",
    zn_acl: "ACL",
    zn_watches: "Watches at this server",
    q_title: "Predict",
    q_pick: "Pick an answer, then play the step: the engine will tell.",
    q_waiting: "Now play the step to see what really happens.",
    q_reveal: "Show the answer",
    q_right: "Right.",
    q_wrong: "Not this time.",
    q_engine: "The engine computed",
    q_problem: "This question has no computed answer",
    setup_clients: "ZooKeeper clients",
    legend_clients: "Client sessions",
    sess_connecting: "CONNECTING",
    sess_connected: "CONNECTED",
    sess_disconnected: "DISCONNECTED: session may live on",
    sess_expired: "EXPIRED: session and ephemerals gone",
    m_request: "client request",
    m_reply: "reply to client",
    m_event: "watch notification",
    st_crashed: "crashed (process killed)",
    st_stopped: "stopped (clean shutdown)",
    st_halted: "powered off",
    st_paused: "paused (frozen)",
    st_established: "established leader",
    st_broker_leads: "broker leads a partition",
    m_vote: "vote",
    m_zab: "ZAB packet",
    m_meta: "metadata",
    m_controller: "controller request",
    m_txn: "transaction",
    m_group: "consumer group",
    k_marker: "marker (control batch)",
    k_txn: "transaction",
    k_lso_tip: "last stable offset: read_committed consumers read below it; an open transaction holds it back",
    k_partitions: "partitions",
    k_controller: "★ controller",
    k_controller_badge: "controller",
    m_produce: "produce",
    m_produce_resp: "produce response",
    m_fetch: "fetch",
    m_fetch_resp: "fetch response",
    m_held: "held (partition or no power)",
    legend_links: "Connections",
    l_open: "open",
    l_half: "half-open: one end does not know",
    l_closed: "closed (hover: by whom, why)",
    why_died: "process died",
    why_power: "power cut",
    why_refused: "refused",
    why_reset: "reset",
    why_timeout: "timed out",
    rec_unflushed: "in page cache only",
    m_cut: "network cut",
    rec_committed: "committed (below HW)",
    rec_uncommitted: "not yet committed",

    s_vote: "vote",
    s_round: "round",
    s_epoch: "epoch",
    s_accepted: "acc",
    s_down: "CRASHED",
    s_stopped: "STOPPED",
    s_halted: "POWERED OFF",
    s_paused: "PAUSED",
    s_kept: "kept by its kernel",
    c_end_open: "open",
    c_end_lost: "forgotten (power cut)",
    c_end_pending: "connect not arrived yet",
    c_held_n: "held",
    s_not_started: "NOT STARTED",
    s_not_created: "not created",
    s_observer: "observer",
    s_leader_badge: "LEADER",
    s_p_leader: "leader",
    s_p_follower: "follower",
    s_queued: "queued",
    s_in_flight: "in flight",
    s_sent: "sent",
    s_acked: "acked",
    s_failed: "failed",
    s_position: "position",
    s_received: "received",
    s_empty: "Nothing exists yet. Press play or step.",
    s_click_hint: "Click a server or broker (or Tab to it and press Enter) to crash it, cut its power, pause it or restart it.",
    f_title: "Faults for",
    f_crash: "Crash (kill -9)",
    f_stop: "Stop (clean shutdown)",
    f_halt: "Power off",
    f_pause: "Pause",
    f_pause5: "Pause 5 s",
    f_resume: "Resume",
    f_restart: "Restart",
    f_start: "Start",
    f_power_on: "Power on",
    f_close: "Close",

    sandbox_heading: "Sandbox",
    sandbox_lead: "Pick a setup, then drive it with commands or clicks.",
    setup_zk: "ZooKeeper voters",
    setup_observers: "observers",
    setup_kafka: "Kafka brokers",
    setup_none: "none",
    setup_start: "start all",
    setup_topic: "topic orders",
    setup_create: "Create",
    console: "Console",
    console_placeholder: "type a command, e.g. crash zk5, and press Enter",
    examples: "Try",
    c_held: "holds",
    c_failed: "failed",
    c_column: "column",
    c_events: "events",
    c_event: "event",
    c_error: "cannot run",
};

/// 简体中文.
pub const ZH: Ui = Ui {
    lang: Lang::Zh,
    tagline: "看 ZooKeeper 和 Kafka 的内部运作",
    nav_lessons: "课程",
    nav_sandbox: "沙盒",
    lang_title: "切换语言",

    lessons_heading: "课程",
    lessons_lead: "每节课都在确定性模拟器上运行一个小型 ZooKeeper 或 Kafka 集群，让你一步步看清每一条消息、每一张选票、每一次日志追加。",
    topics: "知识点",
    steps: "步",
    play: "开始",
    sandbox_card_title: "沙盒",
    sandbox_card_text: "搭建自己的集群，输入命令，点一下就能让服务器宕机，看看会发生什么。",
    sandbox_open: "打开沙盒",
    lesson_broken: "这节课无法加载",

    leader: "Leader",
    no_leader: "无",
    event: "事件",
    restart: "重新开始",
    back: "后退",
    play_btn: "播放",
    pause: "暂停",
    forward: "单步",
    to_end: "结尾",
    prev_step: "上一步骤",
    next_step: "下一步骤",
    speed: "速度",
    scrubber: "录制进度",
    expectations: "预期",
    commands: "命令",
    about: "关于本课",
    pending: "尚未到达",
    lesson_error: "本课没有顺利运行",
    lesson_missing: "没有这个 id 的课程。",
    back_to_lessons: "返回课程列表",
    lesson_passed: "所有预期都成立",
    event_log: "事件日志",
    event_log_hint: "点击事件可跳转到该处",
    earlier: "条更早的事件",
    later: "条之后的事件",
    no_events: "还什么都没有发生。",

    legend_states: "服务器状态",
    legend_messages: "消息",
    st_looking: "LOOKING：选举中",
    st_following: "FOLLOWING：跟随",
    st_leading: "LEADING：领导",
    st_observing: "OBSERVING：观察",
    st_down: "未启动",
    st_running: "运行中",
    z_session: "会话",
    z_watches: "监听",
    z_events: "事件",
    s_fencing: "防护令牌",
    s_no_fencing: "无防护",
    s_ok: "接受",
    s_rejected: "拒绝",
    s_no_writes: "尚无写入",
    zn_title: "Znode 树",
    zn_hint: "点击 znode 查看它的 Stat、数据、ACL 和监听；上一次变更涉及的部分会高亮。",
    zn_server_tip: "显示这台服务器的树（再点一次恢复自动跟随）",
    zn_down: "未运行",
    zn_not_serving: "未对客户端提供服务：它的树可能落后",
    zn_follow_leader: "跟随 Leader",
    zn_client_server: "{c} 所连的服务器",
    zn_expand: "展开",
    zn_collapse: "折叠",
    zn_none: "无",
    zn_pinned: "已选定 · 再点一次恢复跟随变化",
    zb_inv_title: "ZAB 不变式",
    zb_inv_hint: "本次运行的每个事件之后都会检查；播放经过破坏它的事件时，灯会变红。",
    zb_holds: "成立",
    zb_broken: "在第 {n} 个事件被破坏",
    zb_checked: "已在 {n} 个事件之后逐一检查",
    zb_logs_title: "事务日志",
    zb_logs_hint: "按 zxid 排列的各服务器事务日志，最新的在上面：已应用的、只写入日志的、被 TRUNC 截掉的。",
    zb_applied: "已写日志并已应用（已提交）",
    zb_logged: "已写日志，尚未应用",
    zb_truncated: "被 TRUNC 截掉",
    zb_older: "更早的条目",
    zn_following: "跟随最近的变更",
    zn_data: "数据",
    zn_acl: "ACL",
    zn_watches: "这台服务器上的监听",
    q_title: "先预测一下",
    q_pick: "先选一个答案，再播放这一步：引擎会给出结果。",
    q_waiting: "现在播放这一步，看看实际会发生什么。",
    q_reveal: "显示答案",
    q_right: "答对了。",
    q_wrong: "这次没答对。",
    q_engine: "引擎算出的结果",
    q_problem: "这个问题没有算出答案",
    setup_clients: "ZooKeeper 客户端",
    legend_clients: "客户端会话",
    sess_connecting: "CONNECTING 连接中",
    sess_connected: "CONNECTED 已连接",
    sess_disconnected: "DISCONNECTED 断开：会话可能仍有效",
    sess_expired: "EXPIRED 过期：会话和临时节点已删除",
    m_request: "客户端请求",
    m_reply: "给客户端的回复",
    m_event: "监听通知",
    st_crashed: "已崩溃（进程被杀）",
    st_stopped: "已停止（正常关闭）",
    st_halted: "已断电",
    st_paused: "已暂停（冻结）",
    st_established: "已就任的 Leader",
    st_broker_leads: "Broker 是某分区的 Leader",
    m_vote: "选票",
    m_zab: "ZAB 数据包",
    m_meta: "元数据",
    m_controller: "controller 请求",
    m_txn: "事务",
    m_group: "消费者组",
    k_marker: "标记（控制批次）",
    k_txn: "事务",
    k_lso_tip: "最后稳定偏移量（LSO）：read_committed 消费者只读它之前的数据；未结束的事务会挡住它",
    k_partitions: "个分区",
    k_controller: "★ controller",
    k_controller_badge: "controller",
    m_produce: "生产请求",
    m_produce_resp: "生产响应",
    m_fetch: "拉取请求",
    m_fetch_resp: "拉取响应",
    m_held: "被挡住（网络分区或对端断电）",
    legend_links: "连接",
    l_open: "已建立",
    l_half: "半开：一端还不知道",
    l_closed: "已关闭（悬停查看谁关闭、为什么）",
    why_died: "进程终止",
    why_power: "断电",
    why_refused: "拒绝连接",
    why_reset: "连接重置",
    why_timeout: "连接超时",
    rec_unflushed: "只在页缓存中",
    m_cut: "网络切断",
    rec_committed: "已提交（HW 以下）",
    rec_uncommitted: "尚未提交",

    s_vote: "投票",
    s_round: "轮",
    s_epoch: "epoch",
    s_accepted: "已接受",
    s_down: "已崩溃",
    s_stopped: "已停止",
    s_halted: "已断电",
    s_paused: "已暂停",
    s_kept: "条由内核暂存",
    c_end_open: "打开",
    c_end_lost: "已遗忘（断电）",
    c_end_pending: "连接请求尚未到达",
    c_held_n: "被挡住",
    s_not_started: "未启动",
    s_not_created: "尚未创建",
    s_observer: "观察者",
    s_leader_badge: "LEADER",
    s_p_leader: "Leader",
    s_p_follower: "Follower",
    s_queued: "排队",
    s_in_flight: "在途",
    s_sent: "已发送",
    s_acked: "已确认",
    s_failed: "失败",
    s_position: "位置",
    s_received: "已收到",
    s_empty: "还没有任何节点。按播放或单步。",
    s_click_hint: "点击服务器或 Broker（或用 Tab 选中后按 Enter），可以让它崩溃、断电、暂停或重启。",
    f_title: "故障操作：",
    f_crash: "崩溃（kill -9）",
    f_stop: "停止（正常关闭）",
    f_halt: "断电",
    f_pause: "暂停",
    f_pause5: "暂停 5 秒",
    f_resume: "恢复运行",
    f_restart: "重启",
    f_start: "启动",
    f_power_on: "通电启动",
    f_close: "关闭",

    sandbox_heading: "沙盒",
    sandbox_lead: "选择一个初始配置，然后用命令或点击来操控它。",
    setup_zk: "ZooKeeper 投票成员",
    setup_observers: "观察者",
    setup_kafka: "Kafka Broker",
    setup_none: "无",
    setup_start: "全部启动",
    setup_topic: "创建 Topic orders",
    setup_create: "创建",
    console: "控制台",
    console_placeholder: "输入命令，例如 crash zk5，按回车执行",
    examples: "试试",
    c_held: "成立",
    c_failed: "不成立",
    c_column: "列",
    c_events: "个事件",
    c_event: "个事件",
    c_error: "无法执行",
};

/// The strings of `lang`.
pub fn ui(lang: Lang) -> &'static Ui {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// The language the user chose, shared through the context.
#[derive(Clone, Copy)]
pub struct LangCtx(pub RwSignal<Lang>);

/// The current language signal (provided by the app).
pub fn use_lang() -> RwSignal<Lang> {
    use_context::<LangCtx>()
        .map(|c| c.0)
        .unwrap_or_else(|| RwSignal::new(Lang::En))
}

/// A reactive accessor for one UI string.
pub fn tr(f: fn(&'static Ui) -> &'static str) -> impl Fn() -> &'static str + Copy + Send + Sync {
    let lang = use_lang();
    move || f(ui(lang.get()))
}

/// Reads the saved language from local storage (English when none).
pub fn load_lang() -> Lang {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item("zkafka.lang").ok().flatten())
        .and_then(|v| Lang::parse(&v))
        .unwrap_or_default()
}

/// Saves the language in local storage.
pub fn save_lang(lang: Lang) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item("zkafka.lang", lang.code());
    }
}
