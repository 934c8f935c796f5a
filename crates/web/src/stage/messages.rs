//! Messages in flight: each one a pill that moves from sender to receiver along its lane,
//! placed by virtual time, coloured by kind. A message that cannot get through (a partition,
//! or a receiver without power) is held by the sender's kernel, which keeps retransmitting
//! it: it is drawn stopped part of the way, with a pause mark, until the way clears.

use crate::sim::Sim;
use crate::stage::layout::{Layout, along, path_d};
use leptos::prelude::*;
use zkafka_engine::kafka::messages::KafkaMsg;
use zkafka_engine::kafka::txn::TxnMsg;
use zkafka_engine::sim::effects::Msg;
use zkafka_engine::sim::world::InFlight;
use zkafka_engine::zookeeper::data::code::Code;
use zkafka_engine::zookeeper::messages::ZkMsg;
use zkafka_engine::zookeeper::proto::ClientMsg;
use zkafka_engine::zookeeper::recipes::store::StoreMsg;

/// How far along its path a held message stops (0 = sender, 1 = receiver).
const HELD_AT: f64 = 0.45;

/// The CSS class of a message kind (also used by the legend).
pub fn kind_class(m: &Msg) -> &'static str {
    match m {
        Msg::Zk(ZkMsg::Notification(_)) => "msg-vote",
        Msg::Zk(ZkMsg::Packet(_)) => "msg-zab",
        Msg::Zk(ZkMsg::Client(ClientMsg::Event { .. })) => "msg-event",
        Msg::Zk(ZkMsg::Client(ClientMsg::Reply { .. } | ClientMsg::Connected { .. })) => {
            "msg-reply"
        }
        Msg::Zk(ZkMsg::Client(_)) => "msg-request",
        Msg::Zk(ZkMsg::Store(StoreMsg::Write { .. })) => "msg-store",
        Msg::Zk(ZkMsg::Store(StoreMsg::Reply { accepted: true, .. })) => "msg-reply",
        Msg::Zk(ZkMsg::Store(StoreMsg::Reply { .. })) => "msg-store-rejected",
        Msg::Kafka(KafkaMsg::MetadataRequest { .. } | KafkaMsg::MetadataResponse { .. }) => {
            "msg-meta"
        }
        Msg::Kafka(KafkaMsg::ProduceRequest { .. }) => "msg-produce",
        Msg::Kafka(KafkaMsg::ProduceResponse { .. }) => "msg-produce-resp",
        Msg::Kafka(KafkaMsg::FetchRequest { .. }) => "msg-fetch",
        Msg::Kafka(KafkaMsg::FetchResponse { .. }) => "msg-fetch-resp",
        Msg::Kafka(
            KafkaMsg::LeaderAndIsr { .. }
            | KafkaMsg::UpdateMetadata { .. }
            | KafkaMsg::StopReplica { .. },
        ) => "msg-controller",
        Msg::Kafka(KafkaMsg::OffsetsForLeaderEpoch { .. }) => "msg-fetch",
        Msg::Kafka(KafkaMsg::InitProducerId { .. }) => "msg-meta",
        Msg::Kafka(KafkaMsg::ControlledShutdown { .. }) => "msg-controller",
        Msg::Kafka(KafkaMsg::ControlledShutdownResponse { .. }) => "msg-reply",
        Msg::Kafka(KafkaMsg::InitProducerIdResponse { .. }) => "msg-meta",
        Msg::Kafka(KafkaMsg::Txn(_)) => "msg-txn",
        Msg::Kafka(KafkaMsg::Group(_)) => "msg-group",
        Msg::Kafka(KafkaMsg::ListOffsets { .. }) => "msg-fetch",
        Msg::Kafka(KafkaMsg::ListOffsetsResponse { .. }) => "msg-fetch-resp",
        Msg::Kafka(KafkaMsg::OffsetsForLeaderEpochResponse { .. }) => "msg-fetch-resp",
        Msg::Kafka(
            KafkaMsg::LeaderAndIsrResponse { .. }
            | KafkaMsg::UpdateMetadataResponse { .. }
            | KafkaMsg::StopReplicaResponse { .. },
        ) => "msg-reply",
    }
}

/// A short label that fits in a pill.
pub fn short_label(m: &Msg) -> String {
    match m {
        Msg::Zk(ZkMsg::Notification(n)) => {
            if n.proposal.leader < 0 {
                "—".into()
            } else {
                format!("zk{}", n.proposal.leader)
            }
        }
        Msg::Zk(ZkMsg::Packet(p)) => p.name().to_string(),
        Msg::Zk(ZkMsg::Client(c)) => client_label(c),
        Msg::Zk(ZkMsg::Store(StoreMsg::Write { token, .. })) => format!("write 0x{token:x}"),
        Msg::Zk(ZkMsg::Store(StoreMsg::Reply { accepted: true, .. })) => "OK".into(),
        Msg::Zk(ZkMsg::Store(StoreMsg::Reply { .. })) => "REJECTED".into(),
        Msg::Kafka(k) => match k {
            KafkaMsg::MetadataRequest { .. } => "Metadata?".into(),
            KafkaMsg::MetadataResponse { .. } => "Metadata".into(),
            KafkaMsg::ProduceRequest { batches, .. } => {
                let n: usize = batches.iter().map(|(_, b)| b.records.len()).sum();
                format!("Produce ×{n}")
            }
            KafkaMsg::ProduceResponse { results, .. } => match results.first() {
                Some(r) if r.error.is_some() => "error".into(),
                Some(r) => format!("ack @{}", r.base_offset),
                None => "ack".into(),
            },
            KafkaMsg::FetchRequest { partitions, .. } => match partitions.first() {
                Some(p) => format!("Fetch @{}", p.fetch_offset),
                None => "Fetch".into(),
            },
            KafkaMsg::FetchResponse { partitions, .. } => {
                let n: usize = partitions
                    .iter()
                    .flat_map(|p| p.batches.iter())
                    .map(|b| b.records.len())
                    .sum();
                let hw = partitions.first().map_or(0, |p| p.high_watermark);
                format!("+{n} hw{hw}")
            }
            KafkaMsg::LeaderAndIsr { partitions, .. } => match partitions.first() {
                Some(p) => match p.leader {
                    Some(l) => format!("L&I b{l} e{}", p.leader_epoch),
                    None => format!("L&I none e{}", p.leader_epoch),
                },
                None => "L&I".into(),
            },
            KafkaMsg::UpdateMetadata { .. } => "UpdMeta".into(),
            KafkaMsg::StopReplica { delete, .. } => {
                if *delete {
                    "stop+del".into()
                } else {
                    "stop".into()
                }
            }
            KafkaMsg::InitProducerId {
                transactional_id: Some(id),
                ..
            } => format!("PID {id}?"),
            KafkaMsg::InitProducerId { .. } => "PID?".into(),
            KafkaMsg::Txn(t) => txn_label(t),
            KafkaMsg::Group(g) => group_label(g),
            KafkaMsg::ListOffsets { earliest: true, .. } => "earliest?".into(),
            KafkaMsg::ListOffsets { .. } => "latest?".into(),
            KafkaMsg::ListOffsetsResponse { partitions, .. } => match partitions.first() {
                Some((_, Ok(o))) => format!("@{o}"),
                _ => "error".into(),
            },
            KafkaMsg::ControlledShutdown { broker, .. } => format!("stop b{broker}?"),
            KafkaMsg::ControlledShutdownResponse { remaining, .. } => {
                if remaining.is_empty() {
                    "moved".into()
                } else {
                    format!("{} left", remaining.len())
                }
            }
            KafkaMsg::InitProducerIdResponse { error: Some(_), .. } => "PID later".into(),
            KafkaMsg::InitProducerIdResponse { producer_id, .. } => format!("PID {producer_id}"),
            KafkaMsg::OffsetsForLeaderEpoch { partitions, .. } => match partitions.first() {
                Some((_, e)) => format!("epoch {e}?"),
                None => "epoch?".into(),
            },
            KafkaMsg::OffsetsForLeaderEpochResponse { partitions, .. } => {
                match partitions.first() {
                    Some((_, Ok(Some((e, end))))) => format!("e{e} ends {end}"),
                    _ => "undefined".into(),
                }
            }
            KafkaMsg::LeaderAndIsrResponse { error }
            | KafkaMsg::UpdateMetadataResponse { error }
            | KafkaMsg::StopReplicaResponse { error } => {
                if error.is_some() {
                    "stale".into()
                } else {
                    "ok".into()
                }
            }
        },
    }
}

/// A short label for a client-server message.
fn client_label(c: &ClientMsg) -> String {
    match c {
        ClientMsg::Connect { .. } => "connect".into(),
        ClientMsg::Connected { timeout_ms: 0, .. } => "expired".into(),
        ClientMsg::Connected { .. } => "connected".into(),
        ClientMsg::Request { op, .. } => {
            let p = op.path();
            if p.is_empty() {
                op.name().to_string()
            } else {
                format!("{} {p}", op.name())
            }
        }
        ClientMsg::Reply { err, .. } if *err == Code::Ok => "ok".into(),
        ClientMsg::Reply { err, .. } => err.message().to_string(),
        ClientMsg::Event { event, .. } => format!("{event}"),
    }
}

/// The moving messages of the stage.
#[component]
pub fn Messages(sim: Sim, layout: Signal<Layout>) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let items = move || {
        sim.snap.with(|s| {
            s.view
                .in_flight
                .iter()
                .filter(|m| m.from != m.to)
                .cloned()
                .collect::<Vec<InFlight>>()
        })
    };
    let lanes = move || {
        layout.with(|l| {
            sim.snap.with(|s| {
                let mut seen = Vec::new();
                s.view
                    .in_flight
                    .iter()
                    .filter(|m| m.from != m.to)
                    .filter_map(|m| {
                        let key = (m.from, m.to);
                        if seen.contains(&key) {
                            return None;
                        }
                        seen.push(key);
                        l.path(m.from, m.to).map(|p| {
                            view! { <path class="lane" d=path_d(p)></path> }
                        })
                    })
                    .collect_view()
            })
        })
    };
    view! {
        <g class="lanes">{lanes}</g>
        <g class="messages">
            <For
                each=items
                key=|m| (m.id, m.from, m.to)
                children=move |m: InFlight| {
                    let (from, to) = (m.from, m.to);
                    let label = short_label(&m.msg);
                    let w = 10.0 + 6.0 * label.chars().count() as f64;
                    let mut class = format!("msg {}", kind_class(&m.msg));
                    let held = m.held;
                    if held {
                        class.push_str(" held");
                    }
                    let tip = format!("{} → {}: {}", m.from, m.to, m.msg.label_in(lang.get_untracked()));
                    let span = m.arrive_at.saturating_sub(m.sent_at).max(1) as f64;
                    let sent = m.sent_at as f64;
                    let transform = move || {
                        // A held segment goes no further than the middle of the wire.
                        let t = ((sim.vtime.get() - sent) / span).clamp(0.0, 1.0);
                        let t = if held { t.min(HELD_AT) } else { t };
                        match layout.with(|l| l.path(from, to)) {
                            Some(p) => {
                                let q = along(p, t);
                                format!("translate({:.1},{:.1})", q.x, q.y)
                            }
                            None => "translate(-100,-100)".to_string(),
                        }
                    };
                    view! {
                        <g class=class transform=transform data-id=m.id data-arrive=m.arrive_at>
                            <title>{tip}</title>
                            <rect x=-w / 2.0 y=-8 width=w height=16 rx=8></rect>
                            <text x=0 y=3.5 text-anchor="middle">{label}</text>
                            {held.then(|| view! {
                                <circle class="hold-bg" cx=w / 2.0 + 10.0 cy=0 r=7></circle>
                                {crate::stage::icons::pause(w / 2.0 + 10.0, 0.0, 8.0)}
                            })}
                        </g>
                    }
                }
            />
        </g>
    }
}

/// A transaction message's pill label.
fn txn_label(t: &TxnMsg) -> String {
    let kind = |commit: bool| if commit { "COMMIT" } else { "ABORT" };
    match t {
        TxnMsg::FindCoordinator { .. } => "coord?".into(),
        TxnMsg::FindCoordinatorResponse { result: Ok(b), .. } => format!("coord b{b}"),
        TxnMsg::FindCoordinatorResponse { .. } => "coord later".into(),
        TxnMsg::AddPartitionsToTxn { partitions, .. } => match partitions.first() {
            Some(tp) if partitions.len() == 1 => format!("+txn {tp}"),
            _ => format!("+txn ×{}", partitions.len()),
        },
        TxnMsg::AddPartitionsToTxnResponse { error: None, .. } => "added".into(),
        TxnMsg::AddOffsetsToTxn { group, .. } => format!("+offsets {group}"),
        TxnMsg::AddOffsetsToTxnResponse { error: None, .. } => "offsets added".into(),
        TxnMsg::EndTxn { commit, .. } => format!("{}?", kind(*commit)),
        TxnMsg::EndTxnResponse { error: None, .. } => "ended".into(),
        TxnMsg::AddPartitionsToTxnResponse { error: Some(e), .. }
        | TxnMsg::AddOffsetsToTxnResponse { error: Some(e), .. }
        | TxnMsg::EndTxnResponse { error: Some(e), .. } => e.name().to_lowercase(),
        TxnMsg::WriteTxnMarkers { markers, .. } => match markers.first() {
            Some(m) => format!("{} mark", kind(m.commit)),
            None => "mark".into(),
        },
        TxnMsg::WriteTxnMarkersResponse { .. } => "marked".into(),
    }
}

/// A consumer group message's pill label.
fn group_label(g: &zkafka_engine::kafka::group::GroupMsg) -> String {
    use zkafka_engine::kafka::group::GroupMsg as G;
    match g {
        G::FindCoordinator { .. } => "FindCoord".into(),
        G::FindCoordinatorResponse { result, .. } => match result {
            Ok(b) => format!("coord b{b}"),
            Err(_) => "no coord".into(),
        },
        G::JoinGroup { .. } => "Join".into(),
        G::JoinGroupResponse { error: Some(_), .. } => "Join err".into(),
        G::JoinGroupResponse {
            generation,
            leader,
            member_id,
            ..
        } => {
            if leader == member_id {
                format!("gen{generation} leader")
            } else {
                format!("gen{generation}")
            }
        }
        G::SyncGroup { assignments, .. } if assignments.is_empty() => "Sync".into(),
        G::SyncGroup { .. } => "Sync+plan".into(),
        G::SyncGroupResponse { error: Some(_), .. } => "Sync err".into(),
        G::SyncGroupResponse { assignment, .. } => format!("{} parts", assignment.len()),
        G::Heartbeat { .. } => "HB".into(),
        G::HeartbeatResponse { error: None, .. } => "HB ok".into(),
        G::HeartbeatResponse { .. } => "rejoin".into(),
        G::LeaveGroup { .. } => "Leave".into(),
        G::LeaveGroupResponse { .. } => "left".into(),
        G::OffsetCommit { .. } => "Commit".into(),
        G::OffsetCommitResponse { results, .. } => {
            if results.iter().all(|(_, e)| e.is_none()) {
                "committed".into()
            } else {
                "commit err".into()
            }
        }
        G::OffsetFetch { .. } => "Offsets?".into(),
        G::OffsetFetchResponse { unstable, .. } if !unstable.is_empty() => "unstable".into(),
        G::OffsetFetchResponse { .. } => "Offsets".into(),
        G::TxnOffsetCommit { .. } => "TxnCommit".into(),
        G::TxnOffsetCommitResponse { results, .. } => {
            if results.iter().all(|(_, e)| e.is_none()) {
                "pending".into()
            } else {
                "txn commit err".into()
            }
        }
    }
}
