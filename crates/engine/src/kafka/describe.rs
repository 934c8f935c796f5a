//! Kafka state changes in words, in English or Simplified Chinese (the trace's `Change`
//! events; [`crate::describe`] does the rest of the event).

use crate::i18n::Lang;
use crate::kafka::messages::KafkaChange;

/// A Kafka broker's or client's state change in words.
pub fn change(c: &KafkaChange, lang: Lang) -> String {
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
        KafkaChange::SettingKept { key } => {
            if zh {
                format!(
                    "保留自己原来的 {key}：客户端的配置在创建时就固定了，只有之后新建的客户端才使用新值"
                )
            } else {
                format!(
                    "keeps its own {key}: a client's settings are fixed when it is created; only clients created from now on use the new value"
                )
            }
        }
        KafkaChange::Rolled { tp, base_offset } => {
            if zh {
                format!(
                    "{tp} 滚动到新的日志段（起始 offset {base_offset}），并把关闭的旧段刷到磁盘"
                )
            } else {
                format!(
                    "{tp} rolled to a new segment at offset {base_offset} and flushed the one it closed"
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
