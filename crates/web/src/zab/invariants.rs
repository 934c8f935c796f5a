//! The live invariants panel: ZAB's safety properties checked after every event of the
//! recording (`zkafka_engine::zookeeper::invariants::check_timeline`), one light each. A
//! light turns red once playback passes the event that broke it, with a link that seeks
//! there; until then it is green for "held so far". With recipe clients in the run, one
//! more light per promise of the recipes it runs (the recipes' checker: LockHolders,
//! OneLeader, FencedWrites, BarrierOrder, and the end-of-run ones).

use crate::i18n::{tr, ui, use_lang};
use crate::sim::Sim;
use crate::zab::help;
use leptos::prelude::*;
use zkafka_engine::view::NodeDetail;
use zkafka_engine::zookeeper::invariants::{Invariant, TimelineCheck, check_timeline};

/// The panel; it shows only while the world has ZooKeeper servers.
#[component]
pub fn InvariantsPanel(sim: Sim) -> impl IntoView {
    let lang = use_lang();
    let has_zk = Memo::new(move |_| {
        sim.snap.with(|s| {
            s.view
                .nodes
                .iter()
                .any(|n| matches!(n.detail, NodeDetail::Zk(_)))
        })
    });
    // The whole recording, checked again whenever it changes (a lesson once; the sandbox
    // after each command).
    let check = Memo::new(move |_| {
        sim.revision.track();
        if !has_zk.get() {
            return TimelineCheck::default();
        }
        sim.with_timeline(check_timeline).unwrap_or_default()
    });
    // The recipes' checker ran in the same replay: one light for each promise of the
    // recipes the run has.
    let recipe_lights = move || {
        let l = lang.get();
        let u = ui(l);
        let position = sim.snap.with(|s| s.position);
        check.with(|c| {
            c.recipe_properties
                .iter()
                .map(|&p| {
                    let broke = c
                        .recipe_violations
                        .iter()
                        .find(|v| v.property == p && v.event < position)
                        .map(|v| (v.event, v.detail.clone()));
                    light(sim, u, p.name(), help::recipe_promise(l, p), broke)
                })
                .collect_view()
        })
    };
    let lights = move || {
        let l = lang.get();
        let u = ui(l);
        let position = sim.snap.with(|s| s.position);
        check.with(|c| {
            Invariant::ALL
                .into_iter()
                .map(|inv| {
                    let broke = c
                        .violations
                        .iter()
                        .find(|v| v.invariant == inv && v.event < position)
                        .map(|v| (v.event, v.detail.clone()));
                    light(sim, u, inv.name(), help::promise(l, inv), broke)
                })
                .collect_view()
        })
    };
    let checked = move || {
        let n = check.with(|c| c.events);
        ui(lang.get()).zb_checked.replace("{n}", &n.to_string())
    };
    view! {
        <Show when=move || has_zk.get()>
            <section class="panel invariants" data-testid="invariants">
                <header class="panel-head">
                    <h3>{tr(|u| u.zb_inv_title)}</h3>
                    <span class="hint">{checked}</span>
                </header>
                <p class="hint zhint">{tr(|u| u.zb_inv_hint)}</p>
                <ul class="inv-list">{lights}{recipe_lights}</ul>
            </section>
        </Show>
    }
}

/// One light: green for "held so far", or red with a link that seeks to the event after
/// which `broke` was seen and what was wrong.
fn light(
    sim: Sim,
    u: &'static crate::i18n::Ui,
    name: &'static str,
    promise: &'static str,
    broke: Option<(u64, String)>,
) -> impl IntoView {
    let (class, mark) = match &broke {
        Some(_) => ("inv broken", "✗"),
        None => ("inv holds", "●"),
    };
    let detail = broke.map(|(at, d)| {
        let label = u.zb_broken.replace("{n}", &(at + 1).to_string());
        view! {
            <button class="inv-link" data-testid="invariant-link" on:click=move |_| sim.seek_event(at)>{label}</button>
            <span class="inv-detail">{d}</span>
        }
    });
    let holds = detail
        .is_none()
        .then(|| view! { <span class="inv-ok">{u.zb_holds}</span> });
    view! {
        <li class=class data-testid="invariant" data-name=name title=promise>
            <span class="light" aria-hidden="true">{mark}</span>
            <code class="inv-name">{name}</code>
            <span class="inv-promise">{promise}</span>
            {holds}
            {detail}
        </li>
    }
}
