//! ZooKeeper state changes in words, in English or Simplified Chinese (the trace's `Change`
//! events; [`crate::describe`] does the rest of the event).

use crate::i18n::Lang;
use crate::zookeeper::messages::ZkChange;
use crate::zookeeper::zxid::hex;

/// A ZooKeeper server's state change in words.
pub fn change(c: &ZkChange, lang: Lang) -> String {
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
                format!("内存数据的 lastProcessedZxid 变为 {}", hex(*zxid))
            } else {
                format!("lastProcessedZxid = {} (in-memory data)", hex(*zxid))
            }
        }
        ZkChange::Logged { zxid } => {
            if zh {
                format!("事务日志写盘（fsync），末尾 zxid 为 {}", hex(*zxid))
            } else {
                format!("txn log on disk now ends at {} (fsynced)", hex(*zxid))
            }
        }
        ZkChange::Snapshot { zxid } => {
            if zh {
                format!("写入快照 snapshot.{:x}", zxid)
            } else {
                format!("snapshot written at zxid {}", hex(*zxid))
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
        ZkChange::Applied { zxid, what } => {
            if zh {
                format!("应用已提交的事务 {} {what}", hex(*zxid))
            } else {
                format!("applies committed txn {} {what}", hex(*zxid))
            }
        }
        ZkChange::SessionEstablished {
            session,
            client,
            timeout_ms,
        } => {
            if zh {
                format!(
                    "{client} 的会话 {} 已建立（超时 {timeout_ms} ms）",
                    hex(*session)
                )
            } else {
                format!(
                    "session {} of {client} established (timeout {timeout_ms} ms)",
                    hex(*session)
                )
            }
        }
        ZkChange::SessionExpired {
            session,
            timeout_ms,
        } => {
            if zh {
                format!(
                    "会话 {} 已过期（{timeout_ms} ms 内没有收到它的消息），提交 closeSession",
                    hex(*session)
                )
            } else {
                format!(
                    "session {} expired (nothing heard for {timeout_ms} ms): closeSession",
                    hex(*session)
                )
            }
        }
        ZkChange::ClientState { state, server } => match (server, zh) {
            (Some(s), false) => format!("is {state} ({s})"),
            (Some(s), true) => format!("状态 {state}（{s}）"),
            (None, false) => format!("is {state}"),
            (None, true) => format!("状态 {state}"),
        },
        ZkChange::StoreWrite {
            from,
            key,
            token,
            accepted,
            highest,
        } => match (accepted, zh) {
            (true, false) => format!("applies {from}'s write to {key} (token {})", hex(*token)),
            (true, true) => format!("接受 {from} 对 {key} 的写入（令牌 {}）", hex(*token)),
            (false, false) => format!(
                "rejects {from}'s write to {key}: token {} is older than {}",
                hex(*token),
                hex(*highest)
            ),
            (false, true) => format!(
                "拒绝 {from} 对 {key} 的写入：令牌 {} 小于已接受的 {}",
                hex(*token),
                hex(*highest)
            ),
        },
        ZkChange::Printed { lines, .. } => lines.join("\n"),
    }
}
