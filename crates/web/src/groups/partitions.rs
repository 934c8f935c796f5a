//! Partitions as chips coloured by the consumer that owns them (grey when no one reads
//! one, striped when two consumers believe they own it), where the coordinator's
//! assignment sends a partition its owner does not have yet, and a lag bar each:
//! end − committed offset as `kafka-consumer-groups --describe` prints LAG, the end being
//! the high watermark (the LSO for `read_committed`). Bars share one scale, the largest
//! lag of the group.

use super::members::chip;
use super::{help, owner_class};
use leptos::prelude::*;
use zkafka_engine::i18n::Lang;
use zkafka_engine::kafka::group::view::{GroupView, PartitionView};

/// One row per partition of `group`.
#[component]
pub fn PartitionRows(lang: Lang, group: GroupView) -> impl IntoView {
    let most = group
        .partitions
        .iter()
        .filter_map(|p| p.lag)
        .max()
        .unwrap_or(0)
        .max(1);
    let end_name = if group.read_committed {
        help::text(lang).end_lso
    } else {
        help::text(lang).end_hw
    };
    let rows = group
        .partitions
        .iter()
        .map(|p| row(lang, p, most, end_name))
        .collect_view();
    view! { <div class="grp-parts" data-testid="grp-partitions">{rows}</div> }
}

fn row(lang: Lang, p: &PartitionView, most: u64, end_name: &'static str) -> impl IntoView + use<> {
    let t = help::text(lang);
    let owner = p.owners.first().copied();
    let split = p.owners.len() > 1;
    let chip_kind = if split {
        "split"
    } else if owner.is_none() {
        "idle"
    } else {
        ""
    };
    let who = match (owner, split) {
        (Some(n), false) => {
            let class = format!("grp-who {}", owner_class(n));
            view! { <span class=class>{format!("consumer{n}")}</span> }.into_any()
        }
        (Some(_), true) => {
            let names: Vec<String> = p.owners.iter().map(|n| format!("consumer{n}")).collect();
            view! { <span class="grp-who split" title=t.split>{names.join(" + ")}</span> }
                .into_any()
        }
        (None, _) => view! { <span class="grp-who none">{t.unowned}</span> }.into_any(),
    };
    let moving = p
        .assigned_to
        .filter(|a| Some(*a) != owner)
        .map(|a| {
            let class = format!("grp-who {}", owner_class(a));
            view! { <span class="grp-moving">"→ "{t.moving_to}" "<span class=class>{format!("consumer{a}")}</span></span> }
        });
    // Bar width in percent of the largest lag (drawing only).
    let pct = p.lag.map_or(0.0, |l| l as f64 * 100.0 / most as f64);
    let bar_class = format!(
        "grp-bar {}",
        owner.map(owner_class).unwrap_or_else(|| "none".into())
    );
    let dash = || "–".to_string();
    let lag = p.lag.map_or_else(dash, |l| l.to_string());
    let numbers = format!(
        "{} {} · {} {}{}",
        t.committed,
        p.committed.map_or_else(dash, |c| c.to_string()),
        end_name,
        p.end.map_or_else(dash, |e| e.to_string()),
        p.position
            .map(|o| format!(" · {} {o}", t.position))
            .unwrap_or_default(),
    );
    view! {
        <div class="grp-part" data-testid="grp-partition" data-tp=p.tp.to_string()
            data-owner=owner.map(|n| n.to_string()).unwrap_or_default()>
            <div class="grp-part-head">
                {chip(&p.tp, owner, chip_kind)}
                {who}
                {moving}
            </div>
            <div class="grp-lag">
                <span class="grp-track" role="img" aria-label=format!("{} {lag}", t.lag)>
                    <span class=bar_class style=format!("width:{pct:.1}%")></span>
                </span>
                <span class="grp-lagn"><b>{t.lag}" "{lag}</b></span>
                <span class="grp-nums">{numbers}</span>
            </div>
        </div>
    }
}
