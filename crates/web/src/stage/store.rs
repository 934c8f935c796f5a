//! A store that lock holders write to (the fencing-token recipe) on the stage: whether it
//! checks fencing tokens, and its last writes with their tokens and verdicts.

use crate::i18n::Ui;
use crate::stage::layout::Rect;
use crate::stage::zk::{down_mark, frost};
use crate::stage::{Liveness, node_group, status_class};
use leptos::prelude::*;
use zkafka_engine::NodeId;
use zkafka_engine::view::StoreView;

/// Writes listed on the card (the newest ones).
const SHOWN: usize = 3;

/// Draws one store.
pub fn store_card(
    s: &StoreView,
    live: Liveness,
    r: Rect,
    ui: &'static Ui,
    on_click: Option<Callback<NodeId>>,
) -> AnyView {
    let id = NodeId::Store(s.id);
    let mut class = format!("node actor store{}", status_class(live.status));
    if s.fencing {
        class.push_str(" fencing");
    }
    if s.writes.last().is_some_and(|w| !w.accepted) {
        class.push_str(" rejected");
    }
    if on_click.is_some() {
        class.push_str(" clickable");
    }
    if live.selected {
        class.push_str(" selected");
    }
    let mode = if s.fencing {
        ui.s_fencing
    } else {
        ui.s_no_fencing
    };
    let tip = std::iter::once(format!("{id}: {mode}"))
        .chain(s.writes.iter().map(|w| {
            format!(
                "{} {} 0x{:x} {}",
                w.from,
                w.key,
                w.token,
                if w.accepted { ui.s_ok } else { ui.s_rejected }
            )
        }))
        .collect::<Vec<_>>()
        .join("\n");
    let (w, h, band_h) = (r.w, r.h, 24.0);
    let first = s.writes.len().saturating_sub(SHOWN);
    let rows: Vec<AnyView> = if s.writes.is_empty() {
        vec![view! { <text class="k" x=10 y=band_h + 17.0>{ui.s_no_writes}</text> }.into_any()]
    } else {
        s.writes[first..]
            .iter()
            .enumerate()
            .map(|(i, wr)| {
                let y = band_h + 17.0 + i as f64 * 17.0;
                let (mark, cls) = if wr.accepted {
                    (format!("✓ {}", ui.s_ok), "ok")
                } else {
                    (format!("✗ {}", ui.s_rejected), "bad")
                };
                view! {
                    <text class="v" x=10 y=y>{format!("{} 0x{:x}", wr.from, wr.token)}</text>
                    <text class=format!("verdict {cls}") x=w - 10.0 y=y text-anchor="end">{mark}</text>
                }
                .into_any()
            })
            .collect()
    };
    let body = view! {
        <title>{tip}</title>
        <rect class="card" width=w height=h rx=10></rect>
        <path class="band" d=format!("M0,10 a10,10 0 0 1 10,-10 h{:.1} a10,10 0 0 1 10,10 v{:.1} h-{:.1} z", w - 20.0, band_h - 10.0, w)></path>
        <text class="name" x=10 y=17>{id.to_string()}</text>
        <text class="state" x=w - 10.0 y=16.5 text-anchor="end">{mode}</text>
        {rows}
        {down_mark(live, w, h, band_h + 6.0)}
        {frost(live, w, h, ui)}
    };
    node_group(id, class, r, on_click, body.into_any())
}
