//! The consumer group panel: one group at a time (a picker when the world has several),
//! drawn from `zkafka_engine::kafka::group::view` at the playback position:
//!
//! - [`phases`]: the rebalance as a strip (JoinGroup → the leader assigns → SyncGroup →
//!   revoke / assign → Stable) with the current phase lit, and the eager or cooperative
//!   protocol said in words;
//! - [`members`]: each consumer as an actor card (member state, leader, process, the
//!   partitions it owns, gave up and waits for);
//! - [`partitions`]: partitions as chips coloured by owner, with lag bars;
//! - [`lag_plot`]: the group's total lag over the recording (`lag_series`);
//! - [`ledger`]: each application's processed records, duplicates and gaps marked.
//!
//! Each member keeps one colour (`grp-o0` … `grp-o7` by consumer number) everywhere in
//! the panel. Stepping forward and back replays a rebalance phase by phase: the picture is
//! computed from the world at the position the stage shows.

pub mod help;
pub mod lag_plot;
pub mod ledger;
pub mod members;
pub mod partitions;
pub mod phases;

use crate::i18n::use_lang;
use crate::sim::Sim;
use leptos::prelude::*;
use zkafka_engine::kafka::group::view::{GroupView, groups_at, lag_series};
use zkafka_engine::view::NodeDetail;

/// The colour class of consumer `n`'s partitions and card.
pub fn owner_class(n: u32) -> String {
    format!("grp-o{}", n.saturating_sub(1) % 8)
}

/// The groups at the position the stage shows. While a transition plays, the stage shows
/// the state before the operation the timeline has already applied: the panel keeps the
/// picture it had for that state.
fn at_position(sim: Sim, prev: Option<&Vec<GroupView>>) -> Vec<GroupView> {
    let (pos, consumers) = sim.snap.with(|s| {
        let consumers = s
            .view
            .nodes
            .iter()
            .any(|n| matches!(n.detail, NodeDetail::Consumer(_)));
        (s.position, consumers)
    });
    if !consumers {
        return Vec::new();
    }
    let now = sim
        .with_timeline(|t| {
            (t.position() == pos).then(|| {
                let end = (pos as usize).min(t.trace().len());
                groups_at(t.world(), &t.trace()[..end])
            })
        })
        .flatten();
    now.or_else(|| prev.cloned()).unwrap_or_default()
}

/// The panel; it shows while the world has a consumer group.
#[component]
pub fn GroupPanel(sim: Sim) -> impl IntoView {
    let lang = use_lang();
    let groups = Memo::new(move |prev: Option<&Vec<GroupView>>| at_position(sim, prev));
    // The group picked by hand; otherwise one that rebalances, or the one whose
    // membership changed last.
    let picked = RwSignal::new(None::<String>);
    let current = Memo::new(move |_| {
        groups.with(|gs| {
            let pinned = picked
                .get()
                .and_then(|p| gs.iter().find(|g| g.id == p).cloned());
            // A group that is rebalancing, else the one whose membership changed last.
            let rebalancing = || {
                gs.iter()
                    .find(|g| g.phase.index().is_some_and(|i| i < 4))
                    .cloned()
            };
            pinned.or_else(rebalancing).or_else(|| {
                gs.iter()
                    .max_by_key(|g| (g.last_event, std::cmp::Reverse(g.id.clone())))
                    .cloned()
            })
        })
    });
    // The lag series of the group shown, over the whole recording: again only when the
    // recording or the group changes.
    let current_id = Memo::new(move |_| current.with(|c| c.as_ref().map(|g| g.id.clone())));
    let series = Memo::new(move |_| {
        sim.revision.track();
        let Some(id) = current_id.get() else {
            return lag_plot::Series::default();
        };
        sim.with_timeline(|t| lag_plot::Series {
            points: lag_series(t.trace(), &id),
            end: t.trace().last().map_or(0, |e| e.time),
        })
        .unwrap_or_default()
    });
    let picker = move || {
        let t = help::text(lang.get());
        let ids: Vec<String> = groups.with(|gs| gs.iter().map(|g| g.id.clone()).collect());
        (ids.len() > 1).then(|| {
            let shown = current.with(|c| c.as_ref().map(|g| g.id.clone()));
            let tabs = ids
                .into_iter()
                .map(|id| {
                    let on = shown.as_deref() == Some(id.as_str());
                    let class = if on { "grp-tab on" } else { "grp-tab" };
                    let pick = id.clone();
                    view! {
                        <button class=class data-testid="grp-tab" data-group=id.clone()
                            aria-pressed=on.to_string()
                            on:click=move |_| picked.set(Some(pick.clone()))>{id.clone()}</button>
                    }
                })
                .collect_view();
            view! { <div class="grp-tabs" role="group" aria-label=t.pick>{tabs}</div> }
        })
    };
    let body = move || {
        let l = lang.get();
        let t = help::text(l);
        current.get().map(|g| {
            let summary = summary(l, &g);
            view! {
                <div class="grp-summary" data-testid="grp-summary">{summary}</div>
                <phases::PhaseStrip lang=l group=g.clone() />
                <h4 class="grp-h">{t.members}</h4>
                <members::MemberCards lang=l group=g.clone() />
                <h4 class="grp-h">{t.partitions}</h4>
                <partitions::PartitionRows lang=l group=g.clone() />
                <lag_plot::LagPlot lang=l series=series.get() now=sim.snap.with(|s| s.view.time) />
                <ledger::Ledger lang=l group=g />
                <Key lang=l />
            }
        })
    };
    view! {
        <Show when=move || groups.with(|g| !g.is_empty())>
            <section class="panel grp-panel" data-testid="group-panel">
                <header class="panel-head">
                    <h3>{move || help::text(lang.get()).title}</h3>
                    <span class="hint">{move || help::text(lang.get()).hint}</span>
                </header>
                <div class="grp-body">
                    {picker}
                    {body}
                </div>
            </section>
        </Show>
    }
}

/// The group's line: id, coordinator, state, generation, assignor, leader.
fn summary(l: zkafka_engine::i18n::Lang, g: &GroupView) -> impl IntoView + use<> {
    let t = help::text(l);
    let coordinator = g.coordinator.map_or_else(
        || t.no_coordinator.to_string(),
        |b| format!("{} broker{b}", t.coordinator),
    );
    let state = g.state.map_or("–", |s| s.name());
    let protocol = g.protocol.clone().unwrap_or_else(|| "–".into());
    let leader = g.leader.map(|n| {
        let class = format!("grp-who {}", owner_class(n));
        view! { <span class="grp-kv">{t.leader}" " <span class=class>{format!("consumer{n}")}</span></span> }
    });
    view! {
        <strong class="grp-id">{g.id.clone()}</strong>
        <span class="grp-kv">{coordinator}</span>
        <span class="grp-kv grp-state" data-testid="grp-state">{state}</span>
        <span class="grp-kv">{t.generation}" "<b>{g.generation}</b></span>
        <span class="grp-kv">{t.assignor}" "<code>{protocol}</code></span>
        {leader}
    }
}

/// What the chips and ledger marks mean.
#[component]
fn Key(lang: zkafka_engine::i18n::Lang) -> impl IntoView {
    let t = help::text(lang);
    view! {
        <ul class="grp-key" aria-label=t.key>
            <li><span class="grp-chip grp-o0">"p"</span>{t.key_owned}</li>
            <li><span class="grp-chip grp-o1 new">"p"</span>{t.key_new}</li>
            <li><span class="grp-chip grp-o2 gone">"p"</span>{t.key_gave_up}</li>
            <li><span class="grp-chip wait">"p"</span>{t.key_waiting}</li>
            <li><span class="grp-rec dup">"0:5"</span>{t.key_dup}</li>
            <li><span class="grp-rec gap">"0:9"</span>{t.key_gap}</li>
        </ul>
    }
}
