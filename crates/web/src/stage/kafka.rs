//! Kafka on the stage: brokers with each replica's log drawn as offset cells (with LEO and
//! HW markers and the ISR; records only in the page cache, not yet on disk, drawn with a
//! dashed outline), and the producers and consumer as actors at the sides.

use crate::i18n::Ui;
use crate::stage::layout::{BROKER_HEAD, Layout, ROW_H, Rect, VALUES_SHOWN};
use crate::stage::zk::{down_mark, frost};
use crate::stage::{Liveness, node_group, status_class, status_word};
use leptos::prelude::*;
use std::collections::BTreeMap;
use zkafka_engine::NodeId;
use zkafka_engine::view::{BrokerView, ConsumerView, NodeDetail, ProducerView, WorldView};

/// Offset cells shown per replica row.
pub const CELLS: u64 = 12;
const CELL_W: f64 = 24.0;
const CELLS_X: f64 = 138.0;

/// The first offset drawn for each partition, so that replicas line up across brokers.
pub fn windows(v: &WorldView) -> BTreeMap<String, u64> {
    let mut m: BTreeMap<String, u64> = BTreeMap::new();
    for n in &v.nodes {
        if let NodeDetail::Broker(b) = &n.detail {
            for r in &b.replicas {
                let e = m.entry(r.tp.clone()).or_default();
                *e = (*e).max(r.leo.saturating_sub(CELLS));
            }
        }
    }
    m
}

fn ids(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Draws one broker.
pub fn broker_card(
    b: &BrokerView,
    live: Liveness,
    r: Rect,
    layout: &Layout,
    windows: &BTreeMap<String, u64>,
    ui: &'static Ui,
    on_click: Option<Callback<NodeId>>,
) -> AnyView {
    let id = NodeId::Broker(b.id);
    let up = live.up();
    let leads = b.replicas.iter().filter(|p| p.leader).count();
    // Names that open their znode in the inspector: the broker's registration, the
    // controller's node, each partition's state.
    let link = use_context::<crate::znodes::ZnodeLink>();
    let zlink = move |path: String| {
        move |ev: leptos::ev::MouseEvent| {
            ev.stop_propagation();
            if let Some(l) = link {
                l.show(path.clone());
            }
        }
    };
    let link_class = |c: &str| {
        if link.is_some() {
            format!("{c} zlink")
        } else {
            c.to_string()
        }
    };
    let mut class = String::from("node broker ");
    class.push_str(if up { "up" } else { "" });
    class.push_str(status_class(live.status));
    if leads > 0 && up {
        class.push_str(" leads");
    }
    if on_click.is_some() {
        class.push_str(" clickable");
    }
    if live.selected {
        class.push_str(" selected");
    }
    let rows = layout.rows.get(&b.id).cloned().unwrap_or_default();
    // The controller says so; a running broker whose ZooKeeper session is not connected
    // shows it (the zombie of an expired session keeps serving).
    let head_right = match (live.status, b.controller, b.zk_session.as_deref()) {
        (zkafka_engine::sim::node::Status::Running, true, _) => ui.k_controller.to_string(),
        (zkafka_engine::sim::node::Status::Running, false, Some(s)) if s != "CONNECTED" => {
            format!("zk {}", s.to_lowercase())
        }
        (s, _, _) => status_word(ui, s).to_string(),
    };
    let row_views = rows
        .iter()
        .enumerate()
        .map(|(i, tp)| {
            let y = BROKER_HEAD + 4.0 + i as f64 * ROW_H;
            if tp.starts_with("__") {
                return internal_row(b, tp, y, ui);
            }
            let rep = b.replicas.iter().find(|p| &p.tp == tp);
            let base = windows.get(tp).copied().unwrap_or(0);
            let state_path = tp
                .rsplit_once('-')
                .map(|(t, p)| format!("/brokers/topics/{t}/partitions/{p}/state"))
                .unwrap_or_default();
            let state_title = state_path.clone();
            let Some(rep) = rep else {
                return view! {
                    <g transform=format!("translate(0,{y:.1})")>
                        <text class=link_class("tp") x=12 y=18 on:click=zlink(state_path)>{tp.clone()}<title>{state_title}</title></text>
                    </g>
                }
                .into_any();
            };
            let role = if rep.leader {
                format!("★ {} · e{}", ui.s_p_leader, rep.leader_epoch)
            } else {
                format!("{} · e{}", ui.s_p_follower, rep.leader_epoch)
            };
            let isr = format!("ISR [{}]", ids(&rep.isr));
            let cells = (0..CELLS)
                .map(|k| {
                    let off = base + k;
                    let x = CELLS_X + k as f64 * CELL_W;
                    let rec = rep.records.iter().find(|r| r.offset == off);
                    let txn = rec.and_then(|r| r.txn);
                    let (cls, tip) = if off < rep.leo {
                        let base_cls = match (off < rep.hw, off < rep.durable) {
                            (true, true) => "cell committed",
                            (true, false) => "cell committed volatile",
                            (false, true) => "cell uncommitted",
                            (false, false) => "cell uncommitted volatile",
                        };
                        let c = match txn {
                            Some(t) => format!("{base_cls} txn-{}", t.to_lowercase()),
                            None => base_cls.to_string(),
                        };
                        let mut tip = match (rec, txn) {
                            (_, Some(m @ ("COMMIT" | "ABORT"))) => {
                                format!("offset {off}\n{m} {}", ui.k_marker)
                            }
                            (Some(r), _) => format!(
                                "offset {off}\nkey {}\nvalue {}",
                                r.key.as_deref().unwrap_or("null"),
                                r.value.as_deref().unwrap_or("null")
                            ),
                            (None, _) => format!("offset {off}"),
                        };
                        if let Some(t @ ("open" | "committed" | "aborted")) = txn {
                            tip.push_str(&format!("\n{} {t}", ui.k_txn));
                        }
                        if off >= rep.durable {
                            tip.push_str(&format!("\n{}", ui.rec_unflushed));
                        }
                        (c, tip)
                    } else {
                        ("cell empty".to_string(), String::new())
                    };
                    let label = (off < rep.leo).then(|| match txn {
                        Some("COMMIT") => "C".to_string(),
                        Some("ABORT") => "A".to_string(),
                        _ => off.to_string(),
                    });
                    view! {
                        <g>
                            <title>{tip}</title>
                            <rect class=cls x=x y=22 width=CELL_W - 3.0 height=24 rx=3></rect>
                            <text class="off" x=x + (CELL_W - 3.0) / 2.0 y=38 text-anchor="middle">{label}</text>
                        </g>
                    }
                })
                .collect_view();
            let mark = |o: u64| CELLS_X + (o.saturating_sub(base)).min(CELLS) as f64 * CELL_W - 1.5;
            let (hx, lx) = (mark(rep.hw), mark(rep.leo));
            let followers: Vec<String> = rep
                .follower_leos
                .iter()
                .map(|(f, l)| match l {
                    Some(l) => format!("broker{f}: LEO {l}"),
                    None => format!("broker{f}: ?"),
                })
                .collect();
            let hw_tip = format!("HW {}\n{}", rep.hw, followers.join("\n"));
            view! {
                <g class="replica" transform=format!("translate(0,{y:.1})")>
                    <text class=link_class("tp") x=12 y=18 on:click=zlink(state_path)>{tp.clone()}<title>{state_title}</title></text>
                    <text class=if rep.leader { "role lead" } else { "role" } x=12 y=34>{role}</text>
                    <text class="isr" x=12 y=50>{isr}</text>
                    {cells}
                    <g class="leo">
                        <path d=format!("M{:.1},18 l-5,-7 h10 z", lx)></path>
                        <text x=lx y=9 text-anchor="middle">{format!("LEO {}", rep.leo)}</text>
                    </g>
                    <g class="hw">
                        <title>{hw_tip}</title>
                        <line x1=hx y1=19 x2=hx y2=50></line>
                        <text x=hx y=60 text-anchor="middle">{format!("HW {}", rep.hw)}</text>
                    </g>
                    {rep.lso.filter(|l| *l != rep.hw).map(|l| {
                        let x = mark(l);
                        view! {
                            <g class="lso">
                                <title>{ui.k_lso_tip}</title>
                                <line x1=x y1=19 x2=x y2=50></line>
                                <text x=x - 3.0 y=60 text-anchor="end">{format!("LSO {l}")}</text>
                            </g>
                        }
                    })}
                </g>
            }
            .into_any()
        })
        .collect_view();
    let body = view! {
            <rect class="card" width=r.w height=r.h rx=10></rect>
            <path class="band" d=format!("M0,10 a10,10 0 0 1 10,-10 h{:.1} a10,10 0 0 1 10,10 v14 h-{:.1} z", r.w - 20.0, r.w)></path>
            <text class=link_class("name") x=10 y=17 on:click=zlink(format!("/brokers/ids/{}", b.id))>{format!("broker{}", b.id)}<title>{format!("/brokers/ids/{}", b.id)}</title></text>
            <text class=link_class("state") x=r.w - 10.0 y=17 text-anchor="end" on:click=zlink(if b.controller { "/controller".to_string() } else { format!("/brokers/ids/{}", b.id) })>{head_right}</text>
            {row_views}
            {down_mark(live, r.w, r.h, 30.0)}
            {frost(live, r.w, r.h, ui)}
    };
    node_group(id, class, r, on_click, body.into_any())
}

/// The summary row of an internal topic: its name, then one small square per partition,
/// filled where this broker leads it, with the partitions it leads in the tooltip.
fn internal_row(b: &BrokerView, topic: &str, y: f64, ui: &'static Ui) -> AnyView {
    let mut parts: Vec<(u32, bool)> = b
        .replicas
        .iter()
        .filter_map(|r| {
            let (t, p) = r.tp.rsplit_once('-')?;
            (t == topic).then(|| Some((p.parse().ok()?, r.leader)))?
        })
        .collect();
    parts.sort();
    let leads: Vec<String> = parts
        .iter()
        .filter(|(_, l)| *l)
        .map(|(p, _)| p.to_string())
        .collect();
    let line = format!("★ [{}] / {}", leads.join(","), parts.len());
    let tip = format!(
        "{} {}; {}: {}",
        parts.len(),
        ui.k_partitions,
        ui.s_p_leader,
        if leads.is_empty() {
            "-".to_string()
        } else {
            leads.join(", ")
        }
    );
    let squares = parts
        .iter()
        .enumerate()
        .map(|(i, (p, lead))| {
            let x = CELLS_X + (i % 25) as f64 * 9.0;
            let sy = 24.0 + (i / 25) as f64 * 9.0;
            let cls = if *lead { "isq lead" } else { "isq" };
            view! { <rect class=cls x=x y=sy width=7 height=7 rx=1.5><title>{format!("{topic}-{p}")}</title></rect> }
        })
        .collect_view();
    view! {
        <g class="replica internal" transform=format!("translate(0,{y:.1})")>
            <text class="tp" x=12 y=18>{topic.to_string()}</text>
            <text class="isr" x=12 y=34>{line}<title>{tip}</title></text>
            {squares}
        </g>
    }
    .into_any()
}

/// The CSS class of a client (actor) card.
fn actor_class(kind: &str, live: Liveness, clickable: bool) -> String {
    let mut c = format!("node actor {kind}{}", status_class(live.status));
    if clickable {
        c.push_str(" clickable");
    }
    if live.selected {
        c.push_str(" selected");
    }
    c
}

/// Draws a producer with its counters.
pub fn producer_card(
    p: &ProducerView,
    live: Liveness,
    r: Rect,
    layout: &Layout,
    ui: &'static Ui,
    on_click: Option<Callback<NodeId>>,
) -> AnyView {
    let rows = layout
        .client_rows
        .iter()
        .enumerate()
        .map(|(i, tp)| {
            let y = 58.0 + i as f64 * 34.0;
            let s = p.partitions.iter().find(|(t, ..)| t == tp);
            let line = s.map_or(String::new(), |(_, sent, acked, failed)| {
                format!(
                    "{} {sent} · {} {acked} · {} {failed}",
                    ui.s_sent, ui.s_acked, ui.s_failed
                )
            });
            view! {
                <text class="tp" x=10 y=y>{tp.clone()}</text>
                <text class="v" x=10 y=y + 16.0>{line}</text>
            }
        })
        .collect_view();
    let id = NodeId::Producer(p.id);
    let body = view! {
        <rect class="card" width=r.w height=r.h rx=12></rect>
        <text class="name" x=10 y=20>{id.to_string()}</text>
        {match &p.txn {
            // A transactional producer's state instead of its acks (always all).
            Some(t) => {
                // Short forms that fit beside the name; the tooltip has Java's name.
                let state = match t.split(" · ").nth(1).unwrap_or_default() {
                    "UNINITIALIZED" => "uninitialized",
                    "INITIALIZING" => "initializing",
                    "READY" => "ready",
                    "IN_TRANSACTION" => "in txn",
                    "COMMITTING_TRANSACTION" => "committing",
                    "ABORTING_TRANSACTION" => "aborting",
                    "ABORTABLE_ERROR" => "abortable error",
                    "FATAL_ERROR" => "fenced / fatal",
                    other => other,
                }
                .to_string();
                view! { <text class="acks txn" x=r.w - 10.0 y=20 text-anchor="end">{state}<title>{t.clone()}</title></text> }.into_any()
            }
            None => view! { <text class="acks" x=r.w - 10.0 y=20 text-anchor="end">{format!("acks={}", p.acks)}</text> }.into_any(),
        }}
        <text class="v" x=10 y=40>{format!("{} {} · {} {}", ui.s_queued, p.queued, ui.s_in_flight, p.in_flight)}</text>
        {rows}
        {down_mark(live, r.w, r.h, 26.0)}
        {frost(live, r.w, r.h, ui)}
    };
    let class = actor_class("producer", live, on_click.is_some());
    node_group(id, class, r, on_click, body.into_any()).into_any()
}

/// Draws the consumer with its positions and the last values it received.
pub fn consumer_card(
    c: &ConsumerView,
    live: Liveness,
    r: Rect,
    layout: &Layout,
    ui: &'static Ui,
    on_click: Option<Callback<NodeId>>,
) -> AnyView {
    let per_row = layout.values_per_row.max(1);
    let per = 36.0 + 22.0 * VALUES_SHOWN.div_ceil(per_row) as f64;
    let rows = layout
        .client_rows
        .iter()
        .enumerate()
        .map(|(i, tp)| {
            let y = 40.0 + i as f64 * per;
            let s = c.partitions.iter().find(|(t, ..)| t == tp);
            let line = s.map_or(String::new(), |(_, pos, got, _)| {
                format!("{} {pos} · {} {got}", ui.s_position, ui.s_received)
            });
            let recs = s.map(|(.., recs)| recs.clone()).unwrap_or_default();
            let skip = recs.len().saturating_sub(VALUES_SHOWN);
            let chips = recs
                .iter()
                .skip(skip)
                .enumerate()
                .map(|(k, rec)| {
                    let cx = 10.0 + (k % per_row) as f64 * 56.0;
                    let cy = y + 36.0 + (k / per_row) as f64 * 22.0;
                    let v = rec.value.clone().unwrap_or_else(|| "null".into());
                    let tip = format!(
                        "offset {}\nkey {}\nvalue {v}",
                        rec.offset,
                        rec.key.as_deref().unwrap_or("null")
                    );
                    view! {
                        <g class="chip">
                            <title>{tip}</title>
                            <rect x=cx y=cy - 13.0 width=52 height=18 rx=4></rect>
                            <text class="value" x=cx + 26.0 y=cy text-anchor="middle">{short(&v, 7)}</text>
                        </g>
                    }
                })
                .collect_view();
            view! {
                <text class="tp" x=10 y=y>{tp.clone()}</text>
                <text class="v" x=10 y=y + 15.0>{line}</text>
                <g data-testid="consumer-values">{chips}</g>
            }
        })
        .collect_view();
    let id = NodeId::Consumer(c.id);
    let body = view! {
        <rect class="card" width=r.w height=r.h rx=12></rect>
        <text class="name" x=10 y=20>{id.to_string()}</text>
        {rows}
        {down_mark(live, r.w, r.h, 26.0)}
        {frost(live, r.w, r.h, ui)}
    };
    let class = actor_class("consumer", live, on_click.is_some());
    node_group(id, class, r, on_click, body.into_any())
}

/// A placeholder for a Kafka node that does not exist yet.
pub fn ghost(id: NodeId, r: Rect, ui: &'static Ui) -> AnyView {
    view! {
        <g class="node ghost" transform=format!("translate({:.1},{:.1})", r.x, r.y)>
            <rect class="card" width=r.w height=r.h rx=10></rect>
            <text class="name" x=12 y=20>{id.to_string()}</text>
            <text class="k" x=12 y=38>{ui.s_not_created}</text>
        </g>
    }
    .into_any()
}
