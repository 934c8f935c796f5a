//! The stage: an SVG picture of the world at the current point, with messages moving.

pub mod conns;
pub mod icons;
pub mod kafka;
pub mod layout;
pub mod messages;
pub mod store;
pub mod zk;
pub mod zkclient;

use crate::i18n::{Ui, ui, use_lang};
use crate::sim::{Sim, Snap};
use layout::Layout;
use leptos::prelude::*;
use messages::Messages;
use std::collections::BTreeSet;
use zkafka_engine::NodeId;
use zkafka_engine::sim::node::Status;
use zkafka_engine::view::{NodeDetail, NodeView};

/// The CSS classes of a node's process state (none while it runs).
pub fn status_class(s: Status) -> &'static str {
    match s {
        Status::Running => "",
        Status::Paused => " st-paused",
        Status::Crashed => " st-down st-crashed",
        Status::Stopped => " st-down st-stopped",
        Status::Halted => " st-down st-halted",
        Status::NotStarted => " st-down st-unstarted",
    }
}

/// The word a card shows for a node that does not run normally.
pub fn status_word(ui: &'static Ui, s: Status) -> &'static str {
    match s {
        Status::Running => "",
        Status::Paused => ui.s_paused,
        Status::Crashed => ui.s_down,
        Status::Stopped => ui.s_stopped,
        Status::Halted => ui.s_halted,
        Status::NotStarted => ui.s_not_started,
    }
}

/// What a card needs to know about its node's process.
#[derive(Clone, Copy)]
pub struct Liveness {
    /// Process and host state.
    pub status: Status,
    /// Messages a paused process's kernel keeps for it.
    pub kept: u32,
    /// Selected in the sandbox's fault menu.
    pub selected: bool,
}

impl Liveness {
    fn of(n: &NodeView, selected: Option<NodeId>) -> Liveness {
        Liveness {
            status: n.status,
            kept: n.kept,
            selected: selected == Some(n.id),
        }
    }

    /// True while the process runs (not paused).
    pub fn up(&self) -> bool {
        self.status == Status::Running
    }
}

/// The group every node card is drawn in: placed at `r`, tagged `data-node` with the
/// node's name (the e2e test finds nodes by it), and, when `on_click` is set, clickable and
/// reachable with the keyboard (Tab, then Enter or Space).
pub fn node_group(
    id: NodeId,
    class: String,
    r: layout::Rect,
    on_click: Option<Callback<NodeId>>,
    body: AnyView,
) -> AnyView {
    let focusable = on_click.is_some();
    view! {
        <g
            class=class
            transform=format!("translate({:.1},{:.1})", r.x, r.y)
            on:click=move |_| {
                if let Some(cb) = on_click {
                    cb.run(id);
                }
            }
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if let Some(cb) = on_click
                    && matches!(ev.key().as_str(), "Enter" | " ")
                {
                    ev.prevent_default();
                    cb.run(id);
                }
            }
            tabindex=focusable.then_some("0")
            role=focusable.then_some("button")
            aria-label=focusable.then(|| id.to_string())
            data-node=id.to_string()
        >
            {body}
        </g>
    }
    .into_any()
}

fn nodes(
    s: &Snap,
    l: &Layout,
    ui: &'static Ui,
    on_node: Option<Callback<NodeId>>,
    selected: Option<NodeId>,
) -> AnyView {
    let windows = kafka::windows(&s.view);
    let mut present = BTreeSet::new();
    let mut out: Vec<AnyView> = Vec::new();
    for n in &s.view.nodes {
        let Some(r) = l.boxes.get(&n.id).copied() else {
            continue;
        };
        present.insert(n.id);
        let live = Liveness::of(n, selected);
        let v = match &n.detail {
            NodeDetail::Zk(z) => {
                let leader = s.leader == Some(z.sid) && n.up();
                zk::zk_card(z, live, r, leader, ui, on_node)
            }
            NodeDetail::Broker(b) => kafka::broker_card(b, live, r, l, &windows, ui, on_node),
            NodeDetail::Producer(p) => kafka::producer_card(p, live, r, l, ui, on_node),
            NodeDetail::Consumer(c) => kafka::consumer_card(c, live, r, l, ui, on_node),
            NodeDetail::ZkClient(c) => zkclient::client_card(c, live, r, ui, on_node),
            NodeDetail::Store(st) => store::store_card(st, live, r, ui, on_node),
        };
        out.push(v);
    }
    for (id, r) in &l.boxes {
        if !present.contains(id) {
            out.push(if id.is_zk() {
                zk::ghost_card(*id, *r, ui)
            } else {
                kafka::ghost(*id, *r, ui)
            });
        }
    }
    out.into_any()
}

fn cuts(s: &Snap, l: &Layout, ui: &'static Ui) -> AnyView {
    let mut pairs = BTreeSet::new();
    for (a, b) in &s.view.cuts {
        let key = if a < b { (*a, *b) } else { (*b, *a) };
        pairs.insert(key);
    }
    pairs
        .into_iter()
        .filter_map(|(a, b)| {
            let (ra, rb) = (l.boxes.get(&a)?, l.boxes.get(&b)?);
            let (pa, pb) = (ra.center(), rb.center());
            let (mx, my) = ((pa.x + pb.x) / 2.0, (pa.y + pb.y) / 2.0);
            Some(view! {
                <g class="cut">
                    <title>{format!("{} {a} ✕ {b}", ui.m_cut)}</title>
                    <line x1=pa.x y1=pa.y x2=pb.x y2=pb.y></line>
                    <circle cx=mx cy=my r=7></circle>
                    <text x=mx y=my + 3.5 text-anchor="middle">"✕"</text>
                </g>
            })
        })
        .collect_view()
        .into_any()
}

/// The stage. `on_node` makes nodes clickable (the sandbox); `selected` marks the node
/// whose fault menu is open.
#[component]
pub fn Stage(
    sim: Sim,
    layout: Signal<Layout>,
    #[prop(optional)] on_node: Option<Callback<NodeId>>,
    #[prop(optional, into)] selected: Option<Signal<Option<NodeId>>>,
) -> impl IntoView {
    let lang = use_lang();
    let view_box = move || layout.with(|l| format!("0 0 {:.0} {:.0}", l.width, l.height));
    let ring = move || {
        layout.with(|l| {
            l.ring.map(|r| {
                view! { <ellipse class="ring" cx=r.cx cy=r.cy rx=r.rx ry=r.ry></ellipse> }
            })
        })
    };
    let drawn_nodes = move || {
        let ui = ui(lang.get());
        let sel = selected.and_then(|s| s.get());
        layout.with(|l| sim.snap.with(|s| nodes(s, l, ui, on_node, sel)))
    };
    let drawn_conns = move || {
        let ui = ui(lang.get());
        layout.with(|l| sim.snap.with(|s| conns::conns(&s.view, l, ui)))
    };
    let drawn_cuts = move || {
        let ui = ui(lang.get());
        layout.with(|l| sim.snap.with(|s| cuts(s, l, ui)))
    };
    let empty = move || layout.with(|l| l.boxes.is_empty());
    view! {
        <div class="stage-wrap">
            <svg
                class="stage"
                viewBox=view_box
                preserveAspectRatio="xMidYMin meet"
                role="img"
                data-testid="stage"
            >
                <defs>
                    <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                        <rect width="6" height="6" class="hatch-bg"></rect>
                        <line x1="0" y1="0" x2="0" y2="6" class="hatch-line"></line>
                    </pattern>
                </defs>
                {ring}
                <g class="links">{drawn_conns}</g>
                <Messages sim=sim layout=layout />
                {drawn_cuts}
                <g class="nodes">{drawn_nodes}</g>
                <Show when=empty>
                    <text class="stage-empty" x=move || layout.with(|l| l.width / 2.0) y=120 text-anchor="middle">
                        {move || ui(lang.get()).s_empty}
                    </text>
                </Show>
            </svg>
        </div>
    }
}

/// The colour legend for server states and message kinds.
#[component]
pub fn Legend(layout: Signal<Layout>) -> impl IntoView {
    let lang = use_lang();
    let has_zk = move || layout.with(|l| l.boxes.keys().any(|id| id.is_zk()));
    let has_kafka =
        move || layout.with(|l| l.boxes.keys().any(|id| !id.is_zk() && !id.is_zk_client()));
    let has_clients = move || layout.with(|l| l.boxes.keys().any(|id| id.is_zk_client()));
    let sessions = move || {
        let u = ui(lang.get());
        [
            ("sess-connecting", u.sess_connecting),
            ("sess-connected", u.sess_connected),
            ("sess-disconnected", u.sess_disconnected),
            ("sess-expired", u.sess_expired),
        ]
        .into_iter()
        .map(|(c, t)| view! { <li><span class=format!("swatch {c}")></span>{t}</li> })
        .collect_view()
    };
    let states = move || {
        let u = ui(lang.get());
        let zk = has_zk();
        let kafka = has_kafka();
        [
            ("st-looking", u.st_looking),
            ("st-following", u.st_following),
            ("st-leading", u.st_leading),
            ("st-observing", u.st_observing),
            ("is-leader", u.st_established),
            ("broker-leads", u.st_broker_leads),
            ("st-paused", u.st_paused),
            ("st-crashed", u.st_crashed),
            ("st-halted", u.st_halted),
            ("st-down", u.st_down),
        ]
        .into_iter()
        .filter(|(c, _)| match *c {
            "st-down" | "st-paused" | "st-crashed" | "st-halted" => true,
            "broker-leads" => kafka,
            _ => zk,
        })
        .map(|(c, t)| {
            view! { <li><span class=format!("swatch {c}")></span>{t}</li> }
        })
        .collect_view()
    };
    let msgs = move || {
        let u = ui(lang.get());
        let (zk, kafka, clients) = (has_zk(), has_kafka(), has_clients());
        [
            ("msg-vote", u.m_vote),
            ("msg-zab", u.m_zab),
            ("msg-request", u.m_request),
            ("msg-reply", u.m_reply),
            ("msg-event", u.m_event),
            ("msg-meta", u.m_meta),
            ("msg-controller", u.m_controller),
            ("msg-txn", u.m_txn),
            ("msg-group", u.m_group),
            ("msg-produce", u.m_produce),
            ("msg-produce-resp", u.m_produce_resp),
            ("msg-fetch", u.m_fetch),
            ("msg-fetch-resp", u.m_fetch_resp),
            ("msg-held", u.m_held),
            ("cut", u.m_cut),
            ("rec-committed", u.rec_committed),
            ("rec-uncommitted", u.rec_uncommitted),
            ("rec-unflushed", u.rec_unflushed),
        ]
        .into_iter()
        .filter(|(c, _)| {
            let zk_only = matches!(*c, "msg-vote" | "msg-zab");
            let client_only = matches!(*c, "msg-request" | "msg-reply" | "msg-event");
            let kafka_only = c.starts_with("msg-") && !zk_only && !client_only && *c != "msg-held"
                || c.starts_with("rec-");
            (zk || !zk_only) && (kafka || !kafka_only) && (clients || !client_only)
        })
        .map(|(c, t)| view! { <li><span class=format!("pill {c}")></span>{t}</li> })
        .collect_view()
    };
    let links = move || {
        let u = ui(lang.get());
        [
            ("link-open", u.l_open),
            ("link-half", u.l_half),
            ("link-closed", u.l_closed),
        ]
        .into_iter()
        .map(|(c, t)| view! { <li><span class=format!("pill {c}")></span>{t}</li> })
        .collect_view()
    };
    view! {
        <div class="legend" data-testid="legend">
            <div>
                <h4>{move || ui(lang.get()).legend_states}</h4>
                <ul>{states}</ul>
            </div>
            <Show when=has_clients>
                <div>
                    <h4>{move || ui(lang.get()).legend_clients}</h4>
                    <ul>{sessions}</ul>
                </div>
            </Show>
            <div>
                <h4>{move || ui(lang.get()).legend_links}</h4>
                <ul>{links}</ul>
            </div>
            <div>
                <h4>{move || ui(lang.get()).legend_messages}</h4>
                <ul>{msgs}</ul>
            </div>
        </div>
    }
}
