//! The rebalance phase strip: JoinGroup → the leader assigns → SyncGroup → revoke / assign
//! → Stable, the current phase lit and the ones before it done, what happens in it said
//! below, and the protocol (eager or cooperative) with the round of the latest rebalance.

use super::help;
use leptos::prelude::*;
use zkafka_engine::i18n::Lang;
use zkafka_engine::kafka::group::view::{GroupView, RebalancePhase, RebalanceProtocol};

/// The strip for `group`.
#[component]
pub fn PhaseStrip(lang: Lang, group: GroupView) -> impl IntoView {
    let t = help::text(lang);
    let current = group.phase.index();
    let steps = RebalancePhase::STRIP
        .into_iter()
        .map(|p| {
            let i = p.index().unwrap_or(0);
            let class = match current {
                Some(c) if c == i => "grp-phase now",
                Some(c) if i < c => "grp-phase done",
                _ => "grp-phase",
            };
            view! {
                <li class=class data-phase=format!("{p:?}") title=help::phase_says(lang, p)>
                    <span class="n">{i + 1}</span>
                    <span class="name">{help::phase_name(lang, p)}</span>
                </li>
            }
        })
        .collect_view();
    let (proto, proto_says) = help::protocol(lang, group.rebalance);
    let proto_class = match group.rebalance {
        RebalanceProtocol::Eager => "grp-proto eager",
        RebalanceProtocol::Cooperative => "grp-proto coop",
    };
    let round = (group.round > 0).then(|| {
        view! { <span class="grp-round" data-testid="grp-round">{t.round.replace("{n}", &group.round.to_string())}</span> }
    });
    // Under eager, a rebalance in progress leaves partitions without a reader.
    let idle = group
        .partitions
        .iter()
        .filter(|p| p.owners.is_empty())
        .count();
    let total = group.partitions.len();
    let stalled = (idle > 0 && current.is_some_and(|c| c < 4)).then(|| {
        let text = t
            .paused_parts
            .replace("{n}", &idle.to_string())
            .replace("{m}", &total.to_string());
        view! { <p class="grp-stall" data-testid="grp-stall">{text}</p> }
    });
    let now_name = help::phase_name(lang, group.phase);
    view! {
        <div class="grp-phases" data-testid="grp-phases" data-phase=format!("{:?}", group.phase)>
            <ol class="grp-strip">{steps}</ol>
            <p class="grp-now">
                <b data-testid="grp-phase-name">{now_name}</b>": "
                {help::phase_says(lang, group.phase)}
            </p>
            <p class="grp-protocol">
                <span class=proto_class data-testid="grp-protocol">{proto}</span>
                {round}
                <span class="says">{proto_says}</span>
            </p>
            {stalled}
        </div>
    }
}
