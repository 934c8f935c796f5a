//! The partition storage inspector: the segments of one replica as files (base offset,
//! size, how much is in the page cache), the focus segment's index entries and batches,
//! the last offset lookup stepped through (floor segment, index binary search, scan,
//! found batch), and what the last retention pass or cleaning removed.

use super::events::{StorageEvent, StorageEvents};
use super::text::text;
use crate::i18n::use_lang;
use crate::sim::Sim;
use leptos::prelude::*;
use zkafka_engine::kafka::describe::change;
use zkafka_engine::kafka::log::segment::Lookup;
use zkafka_engine::kafka::messages::KafkaChange;
use zkafka_engine::kafka::view::ReplicaView;
use zkafka_engine::view::NodeDetail;

/// The replica the panel shows: the one the last storage change was about, else the
/// first leader replica holding data.
fn pick(sim: &Sim, focus: Option<&StorageEvent>) -> Option<(u32, ReplicaView)> {
    let want = focus.and_then(|e| match &e.change {
        KafkaChange::Lookup { tp, .. }
        | KafkaChange::SegmentsDeleted { tp, .. }
        | KafkaChange::Compacted { tp, .. } => Some((e.broker, tp.to_string())),
        _ => None,
    });
    sim.snap.with(|s| {
        let brokers = s.view.nodes.iter().filter_map(|n| match &n.detail {
            NodeDetail::Broker(b) => Some(b),
            _ => None,
        });
        let mut first = None;
        for b in brokers {
            for r in &b.replicas {
                if want
                    .as_ref()
                    .is_some_and(|(id, tp)| *id == b.id && *tp == r.tp)
                {
                    return Some((b.id, r.clone()));
                }
                if first.is_none() && r.leader && r.segments.iter().any(|s| s.size > 0) {
                    first = Some((b.id, r.clone()));
                }
            }
        }
        first
    })
}

/// The inspector; it shows while the world has a broker with data.
#[component]
pub fn StorageInspector(sim: Sim, events: Memo<StorageEvents>) -> impl IntoView {
    let lang = use_lang();
    let lookup = Memo::new(move |_| events.with(|e| e.lookup.clone()));
    let removal = Memo::new(move |_| events.with(|e| e.removal.clone()));
    let replica = Memo::new(move |_| {
        let focus = lookup.get().or_else(|| removal.get());
        pick(&sim, focus.as_ref())
    });
    // The lookup's step, 1 to 4; a lookup that just played starts at 1.
    let step = RwSignal::new(4u8);
    Effect::new(move |_| {
        if lookup.with(|l| l.as_ref().is_some_and(|l| l.current)) {
            step.set(1);
        } else {
            step.set(4);
        }
    });
    let steps = move || {
        let t = text(lang.get());
        let Some(ev) = lookup.get() else {
            return view! { <p class="hint">{t.lookup_none}</p> }.into_any();
        };
        let KafkaChange::Lookup {
            tp,
            offset,
            lookup: l,
            ..
        } = &ev.change
        else {
            return ().into_any();
        };
        let Some(l) = l.clone() else {
            return view! { <p class="lookup-miss">{format!("{tp} @ {offset}: {}", t.out_of_range)}</p> }.into_any();
        };
        let s = step.get();
        let line = |n: u8, label: &'static str, detail: String| {
            let class = if n == s {
                "lk-step now"
            } else if n < s {
                "lk-step done"
            } else {
                "lk-step"
            };
            view! { <li class=class data-step=n><b>{label}</b> " " <code>{detail}</code></li> }
        };
        let probes = l
            .probes
            .iter()
            .map(|e| (l.segment + u64::from(e.relative_offset)).to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let entry = l.index_entry.map_or("—".to_string(), |e| {
            format!(
                "{} @ {}",
                l.segment + u64::from(e.relative_offset),
                e.position
            )
        });
        let found = l
            .found
            .map_or("—".into(), |(p, b, e)| format!("@{p}: {b}..{e}"));
        view! {
            <div class="lookup" data-testid="lookup">
                <p class="lk-head">{format!("{} · {tp} · offset {offset}", t.lookup_title)}</p>
                <ol>
                    {line(1, t.step_floor, format!("{:020}.log", l.segment))}
                    {line(2, t.step_index, format!("[{probes}] ⇒ {entry}"))}
                    {line(3, t.step_scan, format!("{} {}", l.scanned.len(), t.headers))}
                    {line(4, t.step_found, found)}
                </ol>
                <div class="lk-nav">
                    <button on:click=move |_| step.update(|s| *s = s.saturating_sub(1).max(1))>{t.prev}</button>
                    <button data-testid="lookup-next" on:click=move |_| step.update(|s| *s = (*s + 1).min(4))>{t.next}</button>
                </div>
            </div>
        }
        .into_any()
    };
    let files = move || {
        let t = text(lang.get());
        let Some((broker, r)) = replica.get() else {
            return ().into_any();
        };
        let l: Option<Lookup> = lookup.with(|ev| match ev.as_ref().map(|e| &e.change) {
            Some(KafkaChange::Lookup { tp, lookup, .. }) if tp.to_string() == r.tp => {
                lookup.clone()
            }
            _ => None,
        });
        let s = step.get();
        let focus = l
            .as_ref()
            .map(|l| l.segment)
            .or_else(|| r.segments.last().map(|x| x.base));
        let n = r.segments.len();
        let cards = r
            .segments
            .iter()
            .enumerate()
            .map(|(i, seg)| {
                let floor = l.as_ref().is_some_and(|l| l.segment == seg.base) && s >= 1;
                let class = format!(
                    "seg{}{}",
                    if floor { " floor" } else { "" },
                    if i + 1 == n { " active" } else { "" }
                );
                let pct = (seg.cached_bytes * 100).checked_div(seg.size).unwrap_or(0);
                let range = if seg.next_offset > seg.base {
                    format!("{}–{}", seg.base, seg.next_offset - 1)
                } else {
                    "∅".into()
                };
                view! {
                    <div class=class data-testid="segment" data-base=seg.base>
                        <code class="fname">{format!("{:020}.log", seg.base)}</code>
                        <span class="meta">{format!("{} B · {range}", seg.size)}</span>
                        <span class="meta">{format!("{} {} · {} {}", seg.batch_count, t.batches, seg.index_count, t.index_entries)}</span>
                        <span class="cache" title=t.cached><span class="fill" style=format!("width:{pct}%")></span></span>
                        {(i + 1 == n).then(|| view! { <span class="tag">{t.active}</span> })}
                    </div>
                }
            })
            .collect_view();
        let detail = r.segments.iter().find(|x| Some(x.base) == focus).map(|seg| {
            let probes: Vec<u64> = l.as_ref().map_or(vec![], |l| {
                l.probes.iter().map(|e| l.segment + u64::from(e.relative_offset)).collect()
            });
            let chosen = l.as_ref().and_then(|l| l.index_entry.map(|e| e.position));
            let index = if seg.index.is_empty() {
                view! { <p class="hint">{t.no_index}</p> }.into_any()
            } else {
                seg.index
                    .iter()
                    .map(|(o, p)| {
                        let class = if s >= 2 && chosen == Some(*p) {
                            "ix chosen"
                        } else if s >= 2 && probes.contains(o) {
                            "ix probed"
                        } else {
                            "ix"
                        };
                        view! { <span class=class>{format!("{o}→{p}")}</span> }
                    })
                    .collect_view()
                    .into_any()
            };
            let scanned: Vec<u32> = l.as_ref().map_or(vec![], |l| l.scanned.clone());
            let found = l.as_ref().and_then(|l| l.found.map(|f| f.0));
            let batches = seg
                .batches
                .iter()
                .map(|(p, b, e, bytes)| {
                    let class = if s >= 4 && found == Some(*p) {
                        "bt found"
                    } else if s >= 3 && scanned.contains(p) {
                        "bt scanned"
                    } else {
                        "bt"
                    };
                    view! { <span class=class title=format!("{bytes} B")>{format!("@{p} {b}..{e}")}</span> }
                })
                .collect_view();
            view! {
                <div class="seg-detail">
                    <p><code>{format!("{:020}.index", seg.base)}</code></p>
                    <div class="ixs">{index}</div>
                    <p><code>{format!("{:020}.log", seg.base)}</code></p>
                    <div class="bts">{batches}</div>
                </div>
            }
        });
        view! {
            <p class="replica-line">{format!(
                "broker{broker} · {} · {} {} · LEO {}",
                r.tp, t.log_start, r.log_start_offset, r.leo
            )}{r.cleaner_point.map(|c| format!(" · cleaner checkpoint {c}"))}</p>
            <div class="segs">{cards}</div>
            {detail}
        }
        .into_any()
    };
    let removed = move || {
        let t = text(lang.get());
        removal.get().map(|ev| {
            let class = if ev.current { "removed fresh" } else { "removed" };
            view! { <p class=class data-testid="removal"><b>{t.removed_title}</b> ": " {change(&ev.change, lang.get())}</p> }
        })
    };
    view! {
        <Show when=move || replica.with(Option::is_some)>
            <section class="panel storage-panel" data-testid="storage-panel">
                <header class="panel-head">
                    <h3>{move || text(lang.get()).title}</h3>
                    <span class="hint">{move || text(lang.get()).hint}</span>
                </header>
                <div class="storage-body">
                    {files}
                    {steps}
                    {removed}
                </div>
            </section>
        </Show>
    }
}
