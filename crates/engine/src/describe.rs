//! Trace events in words, in English or Simplified Chinese, for the CLI and the UI's event
//! log. (Protocol terms stay as the field uses them: zxid, epoch, LEO, HW, ISR.)

use crate::i18n::Lang;
use crate::kafka::messages::KafkaChange;
use crate::sim::effects::Change;
use crate::sim::network::DropReason;
use crate::sim::trace::{EventKind, TraceEvent};
use crate::zookeeper::messages::ZkChange;
use crate::zookeeper::zxid::hex;

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

fn zk_change(c: &ZkChange, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match c {
        ZkChange::State { state } => {
            if zh {
                format!("状态变为 {state}")
            } else {
                format!("is now {state}")
            }
        }
        ZkChange::Proposal { proposal, round } => {
            if zh {
                format!("第 {round} 轮投票给 {}", proposal.describe_in(lang))
            } else {
                format!("votes for {} in round {round}", proposal.describe_in(lang))
            }
        }
        ZkChange::QuorumSeen { agree } => {
            let who: Vec<String> = agree.iter().map(|s| format!("zk{s}")).collect();
            if zh {
                format!(
                    "{} 的选票一致，已过半数；再等 finalizeWait 看有没有更好的选票",
                    who.join(",")
                )
            } else {
                format!(
                    "votes of {} agree: a quorum; waiting finalizeWait for a better vote",
                    who.join(",")
                )
            }
        }
        ZkChange::Elected { leader, round } => {
            if zh {
                format!("选举结束（第 {round} 轮）：Leader 是 zk{leader}")
            } else {
                format!("election over (round {round}): leader is zk{leader}")
            }
        }
        ZkChange::Phase { phase } => {
            if zh {
                format!("ZAB 阶段：{phase}")
            } else {
                format!("ZAB phase {phase}")
            }
        }
        ZkChange::AcceptedEpoch { epoch } => {
            if zh {
                format!("acceptedEpoch 写盘为 {epoch}")
            } else {
                format!("acceptedEpoch := {epoch} (on disk)")
            }
        }
        ZkChange::CurrentEpoch { epoch } => {
            if zh {
                format!("currentEpoch 写盘为 {epoch}")
            } else {
                format!("currentEpoch := {epoch} (on disk)")
            }
        }
        ZkChange::SyncChosen {
            peer,
            mode,
            peer_zxid,
        } => {
            if zh {
                format!(
                    "zk{peer} 的 lastZxid 是 {}，用 {mode} 方式同步",
                    hex(*peer_zxid)
                )
            } else {
                format!("syncs zk{peer} (lastZxid {}) with {mode}", hex(*peer_zxid))
            }
        }
        ZkChange::LastZxid { zxid } => {
            if zh {
                format!("事务日志的 lastZxid 变为 {}", hex(*zxid))
            } else {
                format!("log now ends at zxid {}", hex(*zxid))
            }
        }
        ZkChange::Established { epoch } => {
            if zh {
                format!("过半数确认了 NEWLEADER：Leader 在 epoch {epoch} 正式就任")
            } else {
                format!("a quorum acked NEWLEADER: leader established in epoch {epoch}")
            }
        }
        ZkChange::Abandoned { reason } => {
            if zh {
                format!("放弃当前角色，重新选举：{reason}")
            } else {
                format!("gives up its role and looks for a leader: {reason}")
            }
        }
    }
}

fn kafka_change(c: &KafkaChange, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let ids = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    match c {
        KafkaChange::Role {
            tp,
            leader,
            leader_epoch,
            isr,
        } => {
            if zh {
                format!(
                    "{tp}：Leader 是 broker{leader}（leader epoch {leader_epoch}），ISR [{}]",
                    ids(isr)
                )
            } else {
                format!(
                    "{tp}: leader broker{leader} (leader epoch {leader_epoch}), ISR [{}]",
                    ids(isr)
                )
            }
        }
        KafkaChange::Appended {
            tp,
            base_offset,
            count,
            leo,
        } => {
            if zh {
                format!("{tp} 追加 {count} 条记录（offset {base_offset} 起），LEO = {leo}")
            } else {
                format!("{tp} appended {count} record(s) at offset {base_offset}, LEO = {leo}")
            }
        }
        KafkaChange::HighWatermark { tp, hw } => {
            if zh {
                format!("{tp} 的高水位 HW = {hw}")
            } else {
                format!("{tp} high watermark HW = {hw}")
            }
        }
        KafkaChange::Isr { tp, isr, reason } => {
            if zh {
                format!("{tp} 的 ISR 变为 [{}]：{reason}", ids(isr))
            } else {
                format!("{tp} ISR = [{}]: {reason}", ids(isr))
            }
        }
        KafkaChange::Accumulated { tp, count, how } => {
            if zh {
                format!("{count} 条记录放入累加器，分区 {tp}（{how}）")
            } else {
                format!("{count} record(s) into the accumulator for {tp} ({how})")
            }
        }
        KafkaChange::Acked {
            tp,
            base_offset,
            count,
            error: None,
        } => {
            if zh {
                format!("{tp} 的 {count} 条记录已确认（offset {base_offset}）")
            } else {
                format!("{count} record(s) to {tp} acknowledged (offset {base_offset})")
            }
        }
        KafkaChange::Acked {
            tp,
            count,
            error: Some(e),
            ..
        } => {
            if zh {
                format!("{tp} 的 {count} 条记录发送失败：{e}")
            } else {
                format!("{count} record(s) to {tp} failed: {e}")
            }
        }
        KafkaChange::Retry { tp, error } => {
            if zh {
                format!("{tp} 的批次将重试（{error}）")
            } else {
                format!("batch for {tp} will be retried ({error})")
            }
        }
        KafkaChange::Consumed {
            tp,
            first_offset,
            count,
        } => {
            if zh {
                format!("从 {tp} 读到 {count} 条记录（offset {first_offset} 起）")
            } else {
                format!("received {count} record(s) of {tp} from offset {first_offset}")
            }
        }
        KafkaChange::Metadata { leaders } => {
            let l: Vec<String> = leaders
                .iter()
                .map(|(tp, b)| match b {
                    Some(b) => format!("{tp}→broker{b}"),
                    None => format!("{tp}→none"),
                })
                .collect();
            if zh {
                format!("得到元数据：{}", l.join(" "))
            } else {
                format!("learned metadata: {}", l.join(" "))
            }
        }
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
                Change::Zk(c) => zk_change(c, lang),
                Change::Kafka(c) => kafka_change(c, lang),
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
