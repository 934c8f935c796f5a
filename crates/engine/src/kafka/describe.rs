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
        KafkaChange::Duplicate {
            tp,
            producer_id,
            base_sequence,
            base_offset,
        } => {
            if zh {
                format!(
                    "{tp}：producer {producer_id} 的序号 {base_sequence} 已经写在 offset {base_offset}，这是一次重试：不再追加，返回原来的 offset"
                )
            } else {
                format!(
                    "{tp}: producer {producer_id} sequence {base_sequence} is already at offset {base_offset}: a retry, answered with the original offset, not appended again"
                )
            }
        }
        KafkaChange::Truncated {
            tp,
            to,
            from,
            by_epoch,
        } => {
            let lost = from.saturating_sub(*to);
            match (by_epoch, zh) {
                (true, false) => format!(
                    "{tp} truncated from {from} to {to} by leader epoch (KIP-101): {lost} record(s) the leader does not have removed"
                ),
                (true, true) => format!(
                    "{tp} 按 leader epoch 截断（KIP-101）：从 {from} 截到 {to}，删掉 leader 没有的 {lost} 条记录"
                ),
                (false, false) => format!(
                    "{tp} truncated from {from} to its high watermark {to} (the rule before KIP-101): {lost} record(s) removed"
                ),
                (false, true) => format!(
                    "{tp} 截断到自己的高水位 {to}（KIP-101 之前的规则），原来到 {from}：删掉 {lost} 条记录"
                ),
            }
        }
        KafkaChange::Registered { session } => {
            if zh {
                format!("在 ZooKeeper 中注册 /brokers/ids（临时节点，会话 0x{session:x}）")
            } else {
                format!(
                    "registered in ZooKeeper at /brokers/ids (ephemeral, session 0x{session:x})"
                )
            }
        }
        KafkaChange::ControllerElected { epoch } => {
            if zh {
                format!("成为 controller：创建了 /controller，controller epoch 为 {epoch}")
            } else {
                format!("became the controller: created /controller, controller epoch {epoch}")
            }
        }
        KafkaChange::ControllerResigned => {
            if zh {
                "不再是 controller".to_string()
            } else {
                "is no longer the controller".to_string()
            }
        }
        KafkaChange::Decided {
            tp,
            leader,
            leader_epoch,
            isr,
            why,
        } => {
            use crate::kafka::messages::Decision;
            let l = leader.map_or("none".to_string(), |b| format!("broker{b}"));
            let reason = match (why, zh) {
                (Decision::New, false) => "new partition: the first live replica leads",
                (Decision::New, true) => "新分区：第一个存活的副本当 leader",
                (Decision::Offline, false) => {
                    "the leader is gone: the first live ISR replica leads"
                }
                (Decision::Offline, true) => "leader 没了：ISR 中第一个存活的副本当 leader",
                (Decision::Unclean, false) => {
                    "UNCLEAN election: no ISR replica is alive, an out-of-sync replica leads and what it lacks is lost"
                }
                (Decision::Unclean, true) => {
                    "不干净选举：ISR 里没有存活的副本，一个落后的副本当 leader，它缺的数据丢失"
                }
                (Decision::ReplicaOffline, false) => {
                    "a replica's broker is gone: it leaves the ISR"
                }
                (Decision::ReplicaOffline, true) => "一个副本所在的 broker 没了：它离开 ISR",
                (Decision::ControlledShutdown, false) => {
                    "controlled shutdown: leadership moves away and the stopping broker leaves the ISR"
                }
                (Decision::Preferred, false) => {
                    "preferred leader election: leadership goes back to the first replica of the assignment"
                }
                (Decision::Preferred, true) => {
                    "优先 Leader 选举：Leader 回到分配方案中的第一个副本"
                }
                (Decision::ControlledShutdown, true) => {
                    "受控关闭：Leader 先移走，正在关闭的 broker 离开 ISR"
                }
                (Decision::NoLeader, false) => {
                    "no ISR replica is alive: the partition is offline (the ISR keeps its last member)"
                }
                (Decision::NoLeader, true) => {
                    "ISR 里没有存活的副本：分区离线（ISR 保留最后一个成员）"
                }
                (Decision::Reassigning, false) => {
                    "reassignment started: old and new replicas together, a new leader epoch so the new ones fetch"
                }
                (Decision::Reassigning, true) => {
                    "开始重新分配：新旧副本并存，leader epoch 加一，让新副本开始拉取"
                }
                (Decision::Reassigned, false) => {
                    "reassignment done: every target replica is in sync; the removed replicas leave the ISR"
                }
                (Decision::Reassigned, true) => {
                    "重新分配完成：目标副本都已同步；被移除的副本离开 ISR"
                }
            };
            if zh {
                format!(
                    "controller 写入 {tp} 的状态：leader {l}，leader epoch {leader_epoch}，ISR [{}]（{reason}）",
                    ids(isr)
                )
            } else {
                format!(
                    "controller wrote {tp}'s state: leader {l}, leader epoch {leader_epoch}, ISR [{}] ({reason})",
                    ids(isr)
                )
            }
        }
        KafkaChange::ReplicaStopped { tp, deleted } => match (zh, deleted) {
            (false, true) => format!("stopped being a replica of {tp} and deleted its log"),
            (false, false) => format!("stopped being a replica of {tp}"),
            (true, true) => format!("不再是 {tp} 的副本，并删除了它的日志"),
            (true, false) => format!("不再是 {tp} 的副本"),
        },
        KafkaChange::StaleController { epoch, seen } => {
            if zh {
                format!(
                    "拒绝来自 controller epoch {epoch} 的请求：已经见过 epoch {seen}（STALE_CONTROLLER_EPOCH）"
                )
            } else {
                format!(
                    "refused a request of controller epoch {epoch}: it has seen epoch {seen} (STALE_CONTROLLER_EPOCH)"
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
        KafkaChange::ToolOutput { lines } => format!("\n{}", lines.join("\n")),
        KafkaChange::SegmentsDeleted {
            tp,
            segments,
            reason,
            log_start_offset,
        } => {
            let list = segments
                .iter()
                .map(|s| format!("{s:020}"))
                .collect::<Vec<_>>()
                .join(", ");
            if zh {
                format!(
                    "{tp} 按 {reason} 删除了日志段 {list}；log start offset 变为 {log_start_offset}"
                )
            } else {
                format!(
                    "{tp} deleted segment(s) {list} by {reason}; the log start offset is now {log_start_offset}"
                )
            }
        }
        KafkaChange::Compacted {
            tp,
            superseded,
            tombstones,
            cleaner_point,
        } => {
            if zh {
                format!(
                    "{tp} 压缩（compaction）：删除 {superseded} 条被同 key 新记录覆盖的记录、{tombstones} 个过了 delete horizon 的墓碑；cleaner 检查点 {cleaner_point}"
                )
            } else {
                format!(
                    "{tp} compacted: {superseded} record(s) superseded by a later one with the same key and {tombstones} tombstone(s) past their delete horizon removed; cleaner checkpoint {cleaner_point}"
                )
            }
        }
        KafkaChange::Recovered {
            tp,
            checked,
            leo,
            truncated_bytes,
        } => {
            if zh {
                format!(
                    "{tp} 恢复日志：从恢复点起用 CRC 校验了 {checked} 个批次，截掉尾部 {truncated_bytes} 字节，LEO = {leo}"
                )
            } else {
                format!(
                    "{tp} recovered its log: {checked} batch(es) checked by CRC from the recovery point, {truncated_bytes} byte(s) cut from the tail, LEO {leo}"
                )
            }
        }
        KafkaChange::Lookup {
            tp,
            offset,
            log_start_offset,
            leo,
            lookup,
            served,
        } => match lookup {
            None if zh => format!(
                "{tp} 找不到 offset {offset}：超出范围 [{log_start_offset}, {leo})（OFFSET_OUT_OF_RANGE）"
            ),
            None => format!(
                "{tp} cannot serve offset {offset}: outside [{log_start_offset}, {leo}) (OFFSET_OUT_OF_RANGE)"
            ),
            Some(l) => {
                let sent = served.as_ref().map_or(String::new(), |s| {
                    let paths: Vec<String> = s
                        .paths
                        .iter()
                        .map(|(p, _, c)| {
                            if zh {
                                format!(
                                    "{}：DMA 拷贝 {}、CPU 拷贝 {}、上下文切换 {}、系统调用 {}",
                                    p.name(),
                                    c.dma_copies,
                                    c.cpu_copies,
                                    c.context_switches,
                                    c.syscalls
                                )
                            } else {
                                format!(
                                    "{}: {} DMA + {} CPU copies, {} context switches, {} syscalls",
                                    p.name(),
                                    c.dma_copies,
                                    c.cpu_copies,
                                    c.context_switches,
                                    c.syscalls
                                )
                            }
                        })
                        .collect();
                    if zh {
                        format!(
                            "；发送 {} 字节，页缓存命中 {} 页、未命中 {} 页；{}",
                            s.bytes,
                            s.cache_hits,
                            s.cache_misses,
                            paths.join("；")
                        )
                    } else {
                        format!(
                            "; sending {} bytes: {} page(s) in the page cache, {} read from disk; {}",
                            s.bytes,
                            s.cache_hits,
                            s.cache_misses,
                            paths.join("; ")
                        )
                    }
                });
                let entry = match l.index_entry {
                    Some(e) if zh => format!(
                        "索引项 {} → 位置 {}",
                        l.segment + u64::from(e.relative_offset),
                        e.position
                    ),
                    Some(e) => format!(
                        "index entry {} -> position {}",
                        l.segment + u64::from(e.relative_offset),
                        e.position
                    ),
                    None if zh => "没有不大于它的索引项，从位置 0 开始".into(),
                    None => "no index entry at or below it, so from position 0".into(),
                };
                let (pos, base, last) = l.found.unwrap_or((0, 0, 0));
                if zh {
                    format!(
                        "{tp} 查找 offset {offset}：日志段 {:020}，二分查找 {} 次得到{entry}，扫描 {} 个批次头，找到位置 {pos} 的批次（offset {base}..{last}）{sent}",
                        l.segment,
                        l.probes.len(),
                        l.scanned.len()
                    )
                } else {
                    format!(
                        "{tp} lookup of offset {offset}: segment {:020}, {} index probe(s) found {entry}, scanned {} batch header(s), batch at position {pos} (offsets {base}..{last}){sent}",
                        l.segment,
                        l.probes.len(),
                        l.scanned.len()
                    )
                }
            }
        },
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
        KafkaChange::TxnState {
            transactional_id,
            state,
            producer_id,
            producer_epoch,
            offset,
        } => {
            if zh {
                format!(
                    "事务协调者写入 {transactional_id} 的状态 {}（producerId {producer_id}，epoch {producer_epoch}，__transaction_state offset {offset}），复制后生效",
                    state.name()
                )
            } else {
                format!(
                    "coordinator logs {transactional_id} → {} (producerId {producer_id}, epoch {producer_epoch}) at __transaction_state offset {offset}; it takes effect once replicated",
                    state.name()
                )
            }
        }
        KafkaChange::Marker {
            tp,
            offset,
            producer_id,
            commit,
            leo,
        } => {
            let kind = if *commit { "COMMIT" } else { "ABORT" };
            if zh {
                format!(
                    "{tp} 在 offset {offset} 写入 producer {producer_id} 的 {kind} 标记（控制批次），LEO = {leo}"
                )
            } else {
                format!(
                    "{tp} wrote producer {producer_id}'s {kind} marker (a control batch) at offset {offset}, LEO = {leo}"
                )
            }
        }
        KafkaChange::Group(g) => g.describe(lang),
        KafkaChange::ProducerTxn { state } => {
            if zh {
                format!("事务型生产者进入状态 {state}")
            } else {
                format!("transactional producer is now {state}")
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
                format!("应用处理了 {tp} 的 {count} 条记录（offset {first_offset} 起）")
            } else {
                format!("processed {count} record(s) of {tp} from offset {first_offset}")
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
