//! The stage: an SVG picture of the world at the current point, with messages moving.

pub mod kafka;
pub mod layout;
pub mod messages;
pub mod zk;

use crate::i18n::{Ui, ui, use_lang};
use crate::sim::{Sim, Snap};
use layout::Layout;
use leptos::prelude::*;
use messages::Messages;
use std::collections::BTreeSet;
use zkafka_engine::NodeId;
use zkafka_engine::view::NodeDetail;

/// The group every node card is drawn in: placed at `r`, tagged `data-node` with the
/// node's name (the e2e test finds nodes by it), and clickable when `on_click` is set.
pub fn node_group(
    id: NodeId,
    class: String,
    r: layout::Rect,
    on_click: Option<Callback<NodeId>>,
    body: AnyView,
) -> AnyView {
    view! {
        <g
            class=class
            transform=format!("translate({:.1},{:.1})", r.x, r.y)
            on:click=move |_| {
                if let Some(cb) = on_click {
                    cb.run(id);
                }
            }
            data-node=id.to_string()
        >
            {body}
        </g>
    }
    .into_any()
}

fn started(n: &zkafka_engine::view::NodeView) -> bool {
    n.status != zkafka_engine::sim::node::Status::NotStarted
}

fn nodes(s: &Snap, l: &Layout, ui: &'static Ui, on_node: Option<Callback<NodeId>>) -> AnyView {
    let windows = kafka::windows(&s.view);
    let mut present = BTreeSet::new();
    let mut out: Vec<AnyView> = Vec::new();
    for n in &s.view.nodes {
        let Some(r) = l.boxes.get(&n.id).copied() else {
            continue;
        };
        present.insert(n.id);
        let v = match &n.detail {
            NodeDetail::Zk(z) => {
                let leader = s.leader == Some(z.sid) && n.up();
                zk::zk_card(z, (n.up(), started(n)), r, leader, ui, on_node)
            }
            NodeDetail::Broker(b) => {
                kafka::broker_card(b, (n.up(), started(n)), r, l, &windows, ui, on_node)
            }
            NodeDetail::Producer(p) => kafka::producer_card(p, n.up(), r, l, ui),
            NodeDetail::Consumer(c) => kafka::consumer_card(c, n.up(), r, l, ui),
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

/// The stage. `on_node` makes servers and brokers clickable (the sandbox).
#[component]
pub fn Stage(
    sim: Sim,
    layout: Signal<Layout>,
    #[prop(optional)] on_node: Option<Callback<NodeId>>,
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
        layout.with(|l| sim.snap.with(|s| nodes(s, l, ui, on_node)))
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
    let has_kafka = move || layout.with(|l| l.boxes.keys().any(|id| !id.is_zk()));
    let states = move || {
        let u = ui(lang.get());
        let zk = has_zk();
        let kafka = has_kafka();
        [
            ("st-looking", u.st_looking),
            ("st-following", u.st_following),
            ("st-leading", u.st_leading),
            ("st-observing", u.st_observing),
            ("st-down", u.st_down),
            ("is-leader", u.st_established),
            ("broker-leads", u.st_broker_leads),
        ]
        .into_iter()
        .filter(|(c, _)| match *c {
            "st-down" => true,
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
        let (zk, kafka) = (has_zk(), has_kafka());
        [
            ("msg-vote", u.m_vote),
            ("msg-zab", u.m_zab),
            ("msg-fin", u.m_fin),
            ("msg-meta", u.m_meta),
            ("msg-produce", u.m_produce),
            ("msg-produce-resp", u.m_produce_resp),
            ("msg-fetch", u.m_fetch),
            ("msg-fetch-resp", u.m_fetch_resp),
            ("msg-doomed", u.m_doomed),
            ("cut", u.m_cut),
            ("rec-committed", u.rec_committed),
            ("rec-uncommitted", u.rec_uncommitted),
        ]
        .into_iter()
        .filter(|(c, _)| {
            let zk_only = matches!(*c, "msg-vote" | "msg-zab" | "msg-fin");
            let kafka_only =
                c.starts_with("msg-") && !zk_only && *c != "msg-doomed" || c.starts_with("rec-");
            (zk || !zk_only) && (kafka || !kafka_only)
        })
        .map(|(c, t)| view! { <li><span class=format!("pill {c}")></span>{t}</li> })
        .collect_view()
    };
    view! {
        <div class="legend" data-testid="legend">
            <div>
                <h4>{move || ui(lang.get()).legend_states}</h4>
                <ul>{states}</ul>
            </div>
            <div>
                <h4>{move || ui(lang.get()).legend_messages}</h4>
                <ul>{msgs}</ul>
            </div>
        </div>
    }
}
