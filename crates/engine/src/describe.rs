//! Trace events in words, in English or Simplified Chinese, for the CLI and the UI's event
//! log. (Protocol terms stay as the field uses them: zxid, epoch, LEO, HW, ISR.)

use crate::i18n::Lang;
use crate::sim::effects::Change;
use crate::sim::network::DropReason;
use crate::sim::trace::{EventKind, TraceEvent};

/// Formats virtual ms as seconds with millisecond precision, e.g. `12.345s`.
pub fn clock(ms: u64) -> String {
    format!("{}.{:03}s", ms / 1000, ms % 1000)
}

fn drop_reason(r: DropReason, lang: Lang) -> &'static str {
    match (r, lang) {
        (DropReason::Loss, Lang::En) => "lost on the network",
        (DropReason::Loss, Lang::Zh) => "网络丢包",
        (DropReason::Rule, Lang::En) => "dropped by a drop rule",
        (DropReason::Rule, Lang::Zh) => "被丢弃规则丢弃",
        (DropReason::Partitioned, Lang::En) => "the link is partitioned",
        (DropReason::Partitioned, Lang::Zh) => "链路被网络分区切断",
        (DropReason::NodeDown, Lang::En) => "the receiver is down",
        (DropReason::NodeDown, Lang::Zh) => "接收方已宕机",
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
            ..
        } => {
            if zh {
                format!(
                    "{from} → {to} 发送 {}（{} 到达）",
                    msg.label_in(lang),
                    clock(*arrive_at)
                )
            } else {
                format!(
                    "{from} -> {to} sends {} (arrives {})",
                    msg.label_in(lang),
                    clock(*arrive_at)
                )
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
        EventKind::NodeDown { node } => {
            if zh {
                format!("{node} 宕机（磁盘上的数据保留）")
            } else {
                format!("{node} crashes (its disk survives)")
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
