//! The processed-record ledger: per consumer, the newest records its application
//! processed (`partition:offset`, oldest first), each marked as the engine marked it when
//! it happened: a duplicate (the group had processed that record before) or a record
//! after a gap (records before it that no one processed). Counts per consumer, and the
//! delivery checker's counts for the group (`kafka::group::delivery`).

use super::{help, owner_class};
use leptos::prelude::*;
use zkafka_engine::i18n::Lang;
use zkafka_engine::kafka::group::view::{GroupView, LedgerEntry, Mark};

/// The ledger of `group`.
#[component]
pub fn Ledger(lang: Lang, group: GroupView) -> impl IntoView {
    let t = help::text(lang);
    let rows = group
        .ledgers
        .iter()
        .map(|l| {
            let n = l.consumer;
            let name_class = format!("grp-who {}", owner_class(n));
            let more = l.processed.saturating_sub(l.entries.len() as u64);
            let records = if l.entries.is_empty() {
                view! { <span class="grp-none">{t.ledger_empty}</span> }.into_any()
            } else {
                let older = (more > 0).then(|| view! { <span class="grp-more">{format!("+{more} …")}</span> });
                let cells = l.entries.iter().map(|e| record(t, e)).collect_view();
                view! { {older}{cells} }.into_any()
            };
            let dup_class = if l.duplicates > 0 { "bad" } else { "" };
            let gap_class = if l.gaps > 0 { "bad" } else { "" };
            view! {
                <div class="grp-ledger-row" data-testid="grp-ledger" data-consumer=n.to_string()>
                    <div class="grp-ledger-head">
                        <span class=name_class>{format!("consumer{n}")}</span>
                        <span>{t.processed}" "<b>{l.processed}</b></span>
                        <span class=dup_class>{t.duplicates}" "<b data-testid="grp-dups">{l.duplicates}</b></span>
                        <span class=gap_class>{t.gaps}" "<b data-testid="grp-gaps">{l.gaps}</b></span>
                    </div>
                    <div class="grp-records">{records}</div>
                </div>
            }
        })
        .collect_view();
    let d = &group.delivery;
    let bad = |v: u64| if v > 0 { "bad" } else { "" };
    view! {
        <div class="grp-ledger" data-testid="grp-ledger-panel">
            <h4 class="grp-h">{t.ledger}</h4>
            <p class="hint">{t.ledger_hint}</p>
            {rows}
            <p class="grp-checker" data-testid="grp-checker">
                <span>{t.checker}":"</span>
                <span>{t.processed}" "<b>{d.processed}</b></span>
                <span class=bad(d.lost)>{t.lost}" "<b>{d.lost}</b></span>
                <span class=bad(d.duplicates)>{t.duplicates}" "<b>{d.duplicates}</b></span>
                <span class=bad(d.skipped)>{t.skipped}" "<b>{d.skipped}</b></span>
                <span class=bad(d.non_monotonic)>{t.non_monotonic}" "<b>{d.non_monotonic}</b></span>
            </p>
        </div>
    }
}

fn record(t: &'static help::GroupText, e: &LedgerEntry) -> impl IntoView + use<> {
    let (class, tip) = match e.mark {
        Mark::Normal => ("grp-rec", String::new()),
        Mark::Duplicate { before } => {
            ("grp-rec dup", t.dup_tip.replace("{n}", &before.to_string()))
        }
        Mark::GapBefore { missing } => (
            "grp-rec gap",
            t.gap_tip.replace("{n}", &missing.to_string()),
        ),
    };
    let mut title = format!("{} @{}", e.tp, e.offset);
    if let Some(v) = &e.value {
        title.push_str(&format!(" = {v}"));
    }
    if e.incarnation > 0 {
        title.push_str(&format!(
            " · {}",
            t.incarnation.replace("{n}", &e.incarnation.to_string())
        ));
    }
    if !tip.is_empty() {
        title.push_str(&format!(" · {tip}"));
    }
    let badge = match e.mark {
        Mark::Duplicate { before } => Some(format!("×{}", before + 1)),
        Mark::GapBefore { missing } => Some(format!("↷{missing}")),
        Mark::Normal => None,
    };
    view! {
        <span class=class title=title data-mark=format!("{:?}", e.mark)>
            {format!("{}:{}", e.tp.partition, e.offset)}
            {badge.map(|b| view! { <sup>{b}</sup> })}
        </span>
    }
}
