//! A ZooKeeper server card: sid, state (colour-coded), vote, epochs and last zxid (the
//! in-memory lastProcessedZxid, with the log's end when it differs), with a crown on the
//! established leader. A crashed process gets a red cross, a host without power goes
//! dark, a frozen process is frosted over with the count of what its kernel keeps.

use crate::i18n::Ui;
use crate::stage::layout::Rect;
use crate::stage::{Liveness, node_group, status_class, status_word};
use leptos::prelude::*;
use zkafka_engine::NodeId;
use zkafka_engine::view::ZkView;
use zkafka_engine::zookeeper::messages::ZabPhase;
use zkafka_engine::zookeeper::vote::ServerState;
use zkafka_engine::zookeeper::zxid::hex;

/// The CSS class of a server state.
pub fn state_class(s: ServerState) -> &'static str {
    match s {
        ServerState::Looking => "st-looking",
        ServerState::Following => "st-following",
        ServerState::Leading => "st-leading",
        ServerState::Observing => "st-observing",
    }
}

fn phase_short(p: ZabPhase) -> &'static str {
    match p {
        ZabPhase::Election => "ELECTION",
        ZabPhase::Discovery => "DISCOVERY",
        ZabPhase::Synchronization => "SYNC",
        ZabPhase::Broadcast => "BROADCAST",
    }
}

/// The frost over a paused process, with what its kernel keeps.
pub fn frost(live: Liveness, w: f64, h: f64, ui: &'static Ui) -> Option<AnyView> {
    (live.status == zkafka_engine::sim::node::Status::Paused).then(|| {
        let kept = (live.kept > 0).then(|| format!("{} {}", live.kept, ui.s_kept));
        view! {
            <g class="frost">
                <rect width=w height=h rx=10></rect>
                {crate::stage::icons::pause(w / 2.0, h / 2.0, 26.0)}
                <text class="frost-kept" x=w / 2.0 y=h / 2.0 + 30.0 text-anchor="middle">{kept}</text>
            </g>
        }
        .into_any()
    })
}

/// The mark of a node whose process does not run: a red cross over a crashed one, a power
/// symbol on a host without power.
pub fn down_mark(live: Liveness, w: f64, h: f64, top: f64) -> Option<AnyView> {
    use zkafka_engine::sim::node::Status;
    match live.status {
        Status::Crashed => Some(
            view! {
                <g class="cross">
                    <line x1=12 y1=top x2=w - 12.0 y2=h - 8.0></line>
                    <line x1=w - 12.0 y1=top x2=12 y2=h - 8.0></line>
                </g>
            }
            .into_any(),
        ),
        Status::Halted => Some(crate::stage::icons::power(w / 2.0, (top + h) / 2.0, 30.0)),
        _ => None,
    }
}

/// Draws one server at `r`. `leader` marks the established leader.
pub fn zk_card(
    z: &ZkView,
    live: Liveness,
    r: Rect,
    leader: bool,
    ui: &'static Ui,
    on_click: Option<Callback<NodeId>>,
) -> AnyView {
    use zkafka_engine::sim::node::Status;
    let id = NodeId::Zk(z.sid);
    let has_process = matches!(live.status, Status::Running | Status::Paused);
    let mut class = String::from("node zk ");
    class.push_str(if has_process && z.standalone {
        "st-leading"
    } else if has_process {
        state_class(z.state)
    } else {
        ""
    });
    class.push_str(status_class(live.status));
    if leader && live.up() {
        class.push_str(" is-leader");
    }
    if on_click.is_some() {
        class.push_str(" clickable");
    }
    if live.selected {
        class.push_str(" selected");
    }
    let name = format!("zk{}", z.sid);
    let tag = if z.observer { ui.s_observer } else { "" };
    let state = match live.status {
        // `srvr` says "Mode: standalone": no election, it serves alone.
        Status::Running if z.standalone => "STANDALONE".to_string(),
        Status::Running => z.state.name().to_string(),
        // The band keeps the frozen state's colour; the tooltip names it.
        Status::Paused => ui.s_paused.to_string(),
        s => status_word(ui, s).to_string(),
    };
    let vote = if z.vote.leader < 0 {
        "—".to_string()
    } else {
        format!("zk{} · {} {}", z.vote.leader, ui.s_round, z.round)
    };
    let epoch = format!(
        "{} ({} {})",
        z.current_epoch, ui.s_accepted, z.accepted_epoch
    );
    // During a DIFF sync the log runs ahead of the data: ZooKeeper 3.8 logs the proposals
    // at NEWLEADER and applies them after UPTODATE. "+n" counts the logged ones.
    let logged_ahead = z.logged_zxid > z.last_zxid && z.logged_zxid >> 32 == z.last_zxid >> 32;
    let zxid = if logged_ahead {
        format!(
            "{} +{}",
            hex(z.last_zxid),
            (z.logged_zxid - z.last_zxid) & 0xffff_ffff
        )
    } else {
        hex(z.last_zxid)
    };
    let phase = if has_process && z.state != ServerState::Looking {
        phase_short(z.phase)
    } else {
        ""
    };
    let received: Vec<String> = z
        .received
        .iter()
        .map(|(s, p)| format!("zk{s}→{}", p.describe_in(ui.lang)))
        .collect();
    let tip_state = if live.status == Status::Paused {
        format!("{state} · {}", z.state.name())
    } else {
        state.clone()
    };
    let tip = format!(
        "zk{} {}\n{}: {}\nlastProcessedZxid {} · log {}\n{}",
        z.sid,
        tip_state,
        ui.s_vote,
        z.vote.describe_in(ui.lang),
        hex(z.last_zxid),
        hex(z.logged_zxid),
        received.join("\n")
    );
    let (w, h) = (r.w, r.h);
    let band_h = 24.0;
    let body = view! {
            <title>{tip}</title>
            {leader.then(|| view! {
                <g class="crown" transform=format!("translate({:.1},-14)", w / 2.0)>
                    <rect x=-44 y=-11 width=88 height=20 rx=10></rect>
                    <text x=0 y=3 text-anchor="middle">{format!("★ {}", ui.s_leader_badge)}</text>
                </g>
            })}
            <rect class="card" width=w height=h rx=10></rect>
            <path class="band" d=format!("M0,10 a10,10 0 0 1 10,-10 h{:.1} a10,10 0 0 1 10,10 v{:.1} h-{:.1} z", w - 20.0, band_h - 10.0, w)></path>
            <text class="name" x=10 y=17>{name}</text>
            <text class="state" x=w - 10.0 y=17 text-anchor="end">{state}</text>
            <text class="k" x=10 y=42>{ui.s_vote}</text>
            <text class="v" x=64 y=42>{vote}</text>
            <text class="k" x=10 y=60>{ui.s_epoch}</text>
            <text class="v" x=64 y=60>{epoch}</text>
            <text class="k" x=10 y=78>"zxid"</text>
            <text class="v" x=64 y=78>{zxid}</text>
            <text class="phase" x=w - 10.0 y=h - 7.0 text-anchor="end">{phase}</text>
            <text class="tag" x=10 y=h - 7.0>{tag}</text>
            {down_mark(live, w, h, band_h + 6.0)}
            {frost(live, w, h, ui)}
    };
    node_group(id, class, r, on_click, body.into_any())
}

/// A placeholder for a server that does not exist yet at this point of the recording.
pub fn ghost_card(id: NodeId, r: Rect, ui: &'static Ui) -> AnyView {
    view! {
        <g class="node ghost" transform=format!("translate({:.1},{:.1})", r.x, r.y)>
            <rect class="card" width=r.w height=r.h rx=10></rect>
            <text class="name" x=r.w / 2.0 y=r.h / 2.0 - 4.0 text-anchor="middle">{id.to_string()}</text>
            <text class="k" x=r.w / 2.0 y=r.h / 2.0 + 14.0 text-anchor="middle">{ui.s_not_created}</text>
        </g>
    }
    .into_any()
}
