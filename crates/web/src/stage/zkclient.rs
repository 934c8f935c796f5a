//! A ZooKeeper client (a zkCli process) on the stage: its session state, the server it
//! is connected to, its session id and timeout, and how many watch events it got.

use crate::i18n::Ui;
use crate::stage::layout::Rect;
use crate::stage::zk::{down_mark, frost};
use crate::stage::{Liveness, node_group, status_class};
use leptos::prelude::*;
use zkafka_engine::NodeId;
use zkafka_engine::view::ZkClientView;
use zkafka_engine::zookeeper::client::SessionState;

/// The CSS class of a session state.
pub fn session_class(s: SessionState) -> &'static str {
    match s {
        SessionState::Connecting => "sess-connecting",
        SessionState::Connected => "sess-connected",
        SessionState::Disconnected => "sess-disconnected",
        SessionState::Expired => "sess-expired",
        SessionState::Closed => "sess-closed",
    }
}

/// Draws one client.
pub fn client_card(
    c: &ZkClientView,
    live: Liveness,
    r: Rect,
    ui: &'static Ui,
    on_click: Option<Callback<NodeId>>,
) -> AnyView {
    let id = NodeId::ZkClient(c.id);
    let mut class = format!(
        "node actor zkclient {}{}",
        session_class(c.session_state),
        status_class(live.status)
    );
    if on_click.is_some() {
        class.push_str(" clickable");
    }
    if live.selected {
        class.push_str(" selected");
    }
    if c.holds {
        class.push_str(" holds-lock");
    }
    let server = c.server.map_or("—".to_string(), |s| format!("→ zk{s}"));
    let session = if c.session == 0 {
        "—".to_string()
    } else {
        format!("0x{:x}", c.session)
    };
    let timeout = if c.timeout_ms > 0 {
        format!(" · {} ms", c.timeout_ms)
    } else {
        String::new()
    };
    let watches = c.watches.len();
    let tip = format!(
        "c{} {}\n{}: {session}{timeout}\nlastZxid 0x{:x}\n{}",
        c.id,
        c.session_state.name(),
        ui.z_session,
        c.last_zxid,
        c.watches
            .iter()
            .map(|(p, k)| format!("{k} watch {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let (w, h, band_h) = (r.w, r.h, 24.0);
    let busy = (c.pending > 0).then(|| {
        view! { <text class="pending" x=w - 10.0 y=h - 10.0 text-anchor="end">{format!("⋯ {}", c.pending)}</text> }
    });
    let body = view! {
        <title>{tip}</title>
        <rect class="card" width=w height=h rx=10></rect>
        <path class="band" d=format!("M0,10 a10,10 0 0 1 10,-10 h{:.1} a10,10 0 0 1 10,10 v{:.1} h-{:.1} z", w - 20.0, band_h - 10.0, w)></path>
        <text class="name" x=10 y=17>{id.to_string()}</text>
        <text class="state" x=w - 10.0 y=16.5 text-anchor="end">{c.session_state.name()}</text>
        <text class="v" x=10 y=band_h + 17.0>{format!("{server}{timeout}")}</text>
        <text class="v" x=10 y=band_h + 34.0>{session}</text>
        {match &c.recipe {
            // A recipe client: what it does (and believes) instead of the watch count.
            Some(r) => view! { <text class="recipe" x=10 y=band_h + 51.0>{r.clone()}</text> }.into_any(),
            None => view! { <text class="k" x=10 y=band_h + 51.0>{format!("{} {watches} · {} {}", ui.z_watches, ui.z_events, c.events)}</text> }.into_any(),
        }}
        {busy}
        {down_mark(live, w, h, band_h + 6.0)}
        {frost(live, w, h, ui)}
    };
    node_group(id, class, r, on_click, body.into_any())
}
