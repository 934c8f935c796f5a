//! Trace events in words, in English or Simplified Chinese, for the CLI and the UI's event
//! log. (Protocol terms stay as the field uses them: zxid, epoch, LEO, HW, ISR.)

use crate::i18n::Lang;
use crate::sim::conn::CloseReason;
use crate::sim::effects::Change;
use crate::sim::network::DropReason;
use crate::sim::trace::{EventKind, Fault, TraceEvent};

/// Formats virtual ms as seconds with millisecond precision, e.g. `12.345s`.
pub fn clock(ms: u64) -> String {
    format!("{}.{:03}s", ms / 1000, ms % 1000)
}

fn drop_reason(r: DropReason, lang: Lang) -> &'static str {
    match (r, lang) {
        (DropReason::Closed, Lang::En) => "the receiving end of the connection is closed",
        (DropReason::Closed, Lang::Zh) => "接收端的连接已关闭",
        (DropReason::Aborted, Lang::En) => "the connection was aborted",
        (DropReason::Aborted, Lang::Zh) => "连接已中止",
        (DropReason::SenderDown, Lang::En) => "the sender lost power before it got through",
        (DropReason::SenderDown, Lang::Zh) => "发送方在送达前断电",
    }
}

fn close_reason(r: &CloseReason, lang: Lang) -> String {
    match lang {
        Lang::En => r.describe(),
        Lang::Zh => r.describe_zh(),
    }
}

/// One event as a line of text (without the time).
pub fn describe(e: &TraceEvent, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match &e.kind {
        EventKind::Input { command } => format!("> {command}"),
        EventKind::Send {
            from,
            to,
            msg,
            arrive_at,
            retransmits,
            ..
        } => {
            let lost = match (*retransmits, zh) {
                (0, _) => String::new(),
                (n, true) => format!("，丢包重传 {n} 次"),
                (n, false) => format!(", lost and retransmitted {n}x"),
            };
            if zh {
                format!(
                    "{from} → {to} 发送 {}（{} 到达{lost}）",
                    msg.label_in(lang),
                    clock(*arrive_at)
                )
            } else {
                format!(
                    "{from} -> {to} sends {} (arrives {}{lost})",
                    msg.label_in(lang),
                    clock(*arrive_at)
                )
            }
        }
        EventKind::Connect {
            conn,
            from,
            to,
            channel,
        } => {
            if zh {
                format!("{from} 连接 {to}（{channel}，连接 {conn}）")
            } else {
                format!("{from} connects to {to} ({channel}, connection {conn})")
            }
        }
        EventKind::Accept { conn, node, peer } => {
            if zh {
                format!("{node} 接受来自 {peer} 的连接 {conn}")
            } else {
                format!("{node} accepts connection {conn} from {peer}")
            }
        }
        EventKind::Closed {
            conn,
            node,
            peer,
            reason,
        } => {
            let why = close_reason(reason, lang);
            if zh {
                format!("{node} 与 {peer} 的连接 {conn} 已关闭：{why}")
            } else {
                format!("{node}: connection {conn} with {peer} closed: {why}")
            }
        }
        EventKind::Buffered { from, to, .. } => {
            if zh {
                format!("{to} 已暂停：来自 {from} 的消息留在内核缓冲区")
            } else {
                format!("{to} is paused: its kernel keeps the message from {from}")
            }
        }
        EventKind::Held {
            from,
            to,
            host_down,
            ..
        } => match (zh, host_down) {
            (true, false) => format!("{from} → {to} 的消息被网络分区挡住，留在发送方内核中重传"),
            (true, true) => format!("{to} 已断电：{from} 的消息留在发送方内核中重传，无人应答"),
            (false, false) => format!(
                "message {from} -> {to} held by the partition; {from}'s kernel keeps retransmitting it"
            ),
            (false, true) => format!(
                "{to} has no power: {from}'s kernel keeps retransmitting the message, nobody answers"
            ),
        },
        EventKind::Released {
            from,
            to,
            arrive_at,
            ..
        } => {
            if zh {
                format!(
                    "{from} → {to} 的消息重新发送成功（{} 到达）",
                    clock(*arrive_at)
                )
            } else {
                format!(
                    "the way is clear: {from} -> {to} sent again (arrives {})",
                    clock(*arrive_at)
                )
            }
        }
        EventKind::Paused { node } => {
            if zh {
                format!("{node} 的进程被冻结（暂停）")
            } else {
                format!("{node}'s process is frozen (paused)")
            }
        }
        EventKind::Resumed { node } => {
            if zh {
                format!("{node} 的进程恢复运行")
            } else {
                format!("{node}'s process runs again")
            }
        }
        EventKind::Deliver { from, to, msg, .. } => {
            let label = msg.label_in(lang);
            if zh {
                format!("{to} 收到 {from} 的 {label}")
            } else {
                format!("{to} receives {label} from {from}")
            }
        }
        EventKind::Drop {
            from,
            to,
            msg,
            reason,
            ..
        } => {
            let label = msg.label_in(lang);
            if zh {
                format!(
                    "{from} → {to} 的 {label} 丢失：{}",
                    drop_reason(*reason, lang)
                )
            } else {
                format!(
                    "{label} from {from} to {to} lost: {}",
                    drop_reason(*reason, lang)
                )
            }
        }
        EventKind::Timer { node, timer } => {
            if zh {
                format!("{node} 的定时器到期：{timer}")
            } else {
                format!("{node} timer fires: {timer}")
            }
        }
        EventKind::Change { node, change } => {
            let what = match change {
                Change::Zk(c) => crate::zookeeper::describe::change(c, lang),
                Change::Kafka(c) => crate::kafka::describe::change(c, lang),
                // A client keeps nothing on disk: it starts afresh.
                Change::Up if node.is_zk_client() => {
                    (if zh { "zkCli 启动" } else { "zkCli starts" }).to_string()
                }
                Change::Up => (if zh {
                    "启动（从磁盘恢复状态）"
                } else {
                    "starts (state reloaded from disk)"
                })
                .to_string(),
                Change::Note { text } => text.clone(),
            };
            format!("{node}: {what}")
        }
        EventKind::NodeDown {
            node,
            fault: Fault::Crash,
        } => {
            if zh {
                format!("{node} 的进程被杀死（内核关闭其连接，写过的数据保留）")
            } else {
                format!(
                    "{node}'s process is killed (its kernel closes its connections; what it wrote survives)"
                )
            }
        }
        EventKind::NodeDown {
            node,
            fault: Fault::Stop,
        } => {
            if zh {
                format!("{node} 正常关闭（进程刷盘、关闭自己的连接后退出）")
            } else {
                format!(
                    "{node} shuts down cleanly (the process flushes what it must, closes its connections and exits)"
                )
            }
        }
        EventKind::NodeDown {
            node,
            fault: Fault::Halt,
        } => {
            if zh {
                format!("{node} 断电（未落盘的写入丢失，对端毫无察觉）")
            } else {
                format!("{node} loses power (unflushed writes are lost; peers hear nothing)")
            }
        }
        EventKind::NodeUp { node } => {
            if zh {
                format!("{node} 启动")
            } else {
                format!("{node} starts")
            }
        }
        EventKind::Clock { note } => {
            if zh {
                format!("时间过去：{note}")
            } else {
                format!("time: {note}")
            }
        }
    }
}
