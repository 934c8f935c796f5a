//! Members as actor cards: the consumer (in its colour), leader mark, member state with
//! its meaning, generation, what the application thread does, the process when it is not
//! running (paused, crashed, stopped, powered off), and its partitions: owned (the ones
//! new in the latest rebalance ringed), given up (struck through: under eager every
//! member gives up everything when it joins, under cooperative only what moves) and those
//! it waits for (assigned, not yet read).

use super::{help, owner_class};
use leptos::prelude::*;
use zkafka_engine::i18n::Lang;
use zkafka_engine::kafka::group::view::{GroupView, MemberView};
use zkafka_engine::kafka::topic::TopicPartition;
use zkafka_engine::sim::node::Status;

/// A partition chip: `kind` is "" (owned), "new", "gone" or "wait".
pub fn chip(tp: &TopicPartition, owner: Option<u32>, kind: &str) -> impl IntoView + use<> {
    let colour = owner.map(owner_class).unwrap_or_default();
    let class = format!("grp-chip {colour} {kind}");
    view! { <span class=class data-tp=tp.to_string()>{tp.to_string()}</span> }
}

/// The cards of `group`'s members.
#[component]
pub fn MemberCards(lang: Lang, group: GroupView) -> impl IntoView {
    let cards = group.members.iter().map(|m| card(lang, m)).collect_view();
    view! { <div class="grp-members" data-testid="grp-members">{cards}</div> }
}

fn card(lang: Lang, m: &MemberView) -> impl IntoView + use<> {
    let t = help::text(lang);
    let n = m.consumer;
    let (state, state_says) = help::member_state(lang, m.state);
    let process_class = match m.process {
        Status::Running => "",
        Status::Paused => " st-paused",
        Status::Crashed => " st-crashed",
        Status::Halted => " st-halted",
        Status::Stopped | Status::NotStarted => " st-down",
    };
    let class = format!(
        "grp-member {}{}{}",
        owner_class(n),
        process_class,
        if m.leader { " leader" } else { "" }
    );
    let process =
        help::process(lang, m.process).map(|p| view! { <span class="grp-process">{p}</span> });
    let leader = m
        .leader
        .then(|| view! { <span class="grp-leader" title=t.leader>"★ "{t.leader}</span> });
    let outside = (m.state.is_some() && !m.in_group)
        .then(|| view! { <p class="grp-note">{t.not_member}</p> });
    let generation = (m.generation >= 0).then(|| format!("{} {}", t.generation, m.generation));
    let app = (m.process == Status::Running && m.state.is_some()).then(|| {
        let mut s = help::app_phase(lang, m.app).to_string();
        if m.in_hand > 0 {
            s.push_str(&format!(" · {} {}", m.in_hand, t.in_hand));
        }
        s
    });
    let owned = if m.owned.is_empty() {
        view! { <span class="grp-none">{t.nothing}</span> }.into_any()
    } else {
        m.owned
            .iter()
            .map(|tp| {
                let kind = if m.gained.contains(tp) { "new" } else { "" };
                chip(tp, Some(n), kind)
            })
            .collect_view()
            .into_any()
    };
    let gave_up = (!m.given_up.is_empty()).then(|| {
        let chips = m
            .given_up
            .iter()
            .map(|tp| chip(tp, Some(n), "gone"))
            .collect_view();
        view! { <div class="grp-row" data-testid="grp-gave-up"><span class="k">{t.gave_up}</span>{chips}</div> }
    });
    let waiting = (!m.awaiting.is_empty()).then(|| {
        let chips = m
            .awaiting
            .iter()
            .map(|tp| chip(tp, None, "wait"))
            .collect_view();
        view! { <div class="grp-row"><span class="k">{t.waiting}</span>{chips}</div> }
    });
    let error = m
        .commit_error
        .clone()
        .map(|e| view! { <p class="grp-note err">{t.commit_failed}": "<code>{e}</code></p> });
    let member_id = (!m.member_id.is_empty()).then(|| m.member_id.clone());
    view! {
        <article class=class data-testid="grp-member" data-consumer=n.to_string()
            data-state=state title=member_id>
            <header>
                <span class="grp-name">{format!("consumer{n}")}</span>
                {leader}
                {process}
            </header>
            <p class="grp-mstate">
                <code data-testid="grp-member-state">{if m.state.is_some() { state } else { t.not_subscribed }}</code>
                <span class="says">{state_says}</span>
            </p>
            <p class="grp-meta">
                {generation.map(|g| view! { <span>{g}</span> })}
                {app.map(|a| view! { <span>{a}</span> })}
            </p>
            <div class="grp-row" data-testid="grp-owned"><span class="k">{t.owns}</span>{owned}</div>
            {gave_up}
            {waiting}
            {outside}
            {error}
        </article>
    }
}
