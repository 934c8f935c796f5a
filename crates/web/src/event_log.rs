//! The event log: the trace around the cursor (a window, not the whole run), the events of
//! the last operation highlighted and kept in view; clicking an event jumps there.

use crate::i18n::{tr, ui, use_lang};
use crate::sim::Sim;
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use zkafka_engine::describe::{clock, describe};
use zkafka_engine::sim::trace::EventKind;

/// Rows shown before the cursor.
const BEFORE: u64 = 80;
/// Rows shown after the cursor.
const AFTER: u64 = 40;

fn kind_class(k: &EventKind) -> &'static str {
    match k {
        EventKind::Input { .. } => "ev-input",
        EventKind::Send { .. } => "ev-send",
        EventKind::Deliver { .. } => "ev-deliver",
        EventKind::Drop { .. } => "ev-drop",
        EventKind::Timer { .. } => "ev-timer",
        EventKind::Change { .. } => "ev-change",
        EventKind::NodeDown { .. } | EventKind::NodeUp { .. } => "ev-node",
        EventKind::Paused { .. } | EventKind::Resumed { .. } => "ev-node",
        EventKind::Connect { .. } | EventKind::Accept { .. } => "ev-conn",
        EventKind::Closed { .. } => "ev-closed",
        EventKind::Held { .. } | EventKind::Buffered { .. } => "ev-held",
        EventKind::Released { .. } => "ev-deliver",
        EventKind::Clock { .. } => "ev-clock",
    }
}

/// The event log of a [`Sim`].
#[component]
pub fn EventLog(sim: Sim) -> impl IntoView {
    let lang = use_lang();
    let list: NodeRef<Div> = NodeRef::new();
    let rows = move || {
        let lang = lang.get();
        sim.revision.track();
        let (p, start, recorded) = sim.snap.with(|s| (s.position, s.op_start, s.recorded));
        let lo = p.saturating_sub(BEFORE);
        let hi = (p + AFTER).min(recorded);
        let u = ui(lang);
        let body = sim
            .with_timeline(|t| {
                let trace = t.trace();
                let hi = hi.min(trace.len() as u64);
                (lo..hi)
                    .map(|i| {
                        let e = &trace[i as usize];
                        let when = if i >= p {
                            "future"
                        } else if i >= start {
                            "current"
                        } else {
                            "past"
                        };
                        let class = format!("ev {} {when}", kind_class(&e.kind));
                        let text = describe(e, lang);
                        let time = clock(e.time);
                        view! {
                            <div class=class data-seq=i on:click=move |_| sim.seek_event(i)>
                                <span class="t">{time}</span>
                                <span class="d">{text}</span>
                            </div>
                        }
                    })
                    .collect_view()
            })
            .unwrap_or_default();
        let earlier = (lo > 0).then(|| {
            view! { <div class="ev more" on:click=move |_| sim.seek_event(lo.saturating_sub(1))>{format!("… {lo} {}", u.earlier)}</div> }
        });
        let later_n = recorded.saturating_sub(hi);
        let later = (later_n > 0).then(|| {
            view! { <div class="ev more" on:click=move |_| sim.seek_event(hi)>{format!("… {later_n} {}", u.later)}</div> }
        });
        let empty = (recorded == 0).then(|| view! { <div class="ev empty">{u.no_events}</div> });
        view! { {earlier} {body} {later} {empty} }
    };
    // Keep the newest highlighted event in view (scroll the list, not the page).
    Effect::new(move |_| {
        sim.snap.track();
        lang.track();
        let Some(el) = list.get() else { return };
        let target = el
            .query_selector_all(".ev.current")
            .ok()
            .and_then(|l| l.item(l.length().saturating_sub(1)))
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(t) = target {
            let top = t.offset_top() - el.client_height() / 2 + t.offset_height();
            el.set_scroll_top(top.max(0));
        } else if sim.snap.with_untracked(|s| s.position) == 0 {
            el.set_scroll_top(0);
        }
    });
    view! {
        <section class="panel log-panel">
            <header class="panel-head">
                <h3>{tr(|u| u.event_log)}</h3>
                <span class="hint">{tr(|u| u.event_log_hint)}</span>
            </header>
            <div class="event-log" data-testid="event-log" node_ref=list>
                {rows}
            </div>
        </section>
    }
}
