//! The zero-copy view: the last fetch's bytes sent read+write, mmap+write and sendfile,
//! side by side. Each path is drawn as its boxes (disk, page cache, user buffer, socket
//! buffer, NIC; user space above the line, the kernel below) and its steps; a stepper
//! moves through the steps, lighting each copy (DMA or CPU) and each user/kernel switch,
//! and the counts add up as they happen.

use super::events::StorageEvents;
use super::text::{StorageText, text};
use crate::i18n::use_lang;
use leptos::prelude::*;
use zkafka_engine::kafka::messages::KafkaChange;
use zkafka_engine::kafka::zerocopy::{Counts, Place, Step, count};

fn place_name(t: &StorageText, p: Place) -> &'static str {
    match p {
        Place::Disk => t.disk,
        Place::PageCache => t.page_cache,
        Place::UserBuffer => t.user_buffer,
        Place::SocketBuffer => t.socket_buffer,
        Place::Nic => t.nic,
    }
}

fn step_text(t: &StorageText, s: &Step) -> String {
    match s {
        Step::Syscall { name } => format!("{}() → {}", name.name(), t.kernel),
        Step::Return { name } => format!("{}() ← {}", name.name(), t.user_space),
        Step::Dma { from, to } => format!("DMA: {} → {}", place_name(t, *from), place_name(t, *to)),
        Step::Cpu { from, to } => format!("CPU: {} → {}", place_name(t, *from), place_name(t, *to)),
    }
}

/// The view; it shows once a fetch was served.
#[component]
pub fn ZeroCopyView(events: Memo<StorageEvents>) -> impl IntoView {
    let lang = use_lang();
    let served = Memo::new(move |_| {
        events.with(|e| {
            let ev = e.lookup.as_ref()?;
            match &ev.change {
                KafkaChange::Lookup { served, .. } => served.clone().map(|s| (s, ev.current)),
                _ => None,
            }
        })
    });
    // How many steps are shown of each path (all of them unless the fetch just played).
    let shown = RwSignal::new(usize::MAX);
    Effect::new(move |_| {
        let current = served.with(|s| s.as_ref().is_some_and(|(_, c)| *c));
        shown.set(if current { 0 } else { usize::MAX });
    });
    let body = move || {
        let t = text(lang.get());
        let Some((s, _)) = served.get() else {
            return view! { <p class="hint">{t.zc_none}</p> }.into_any();
        };
        let upto = shown.get();
        let longest = s.paths.iter().map(|(_, st, _)| st.len()).max().unwrap_or(0);
        let columns = s
            .paths
            .iter()
            .map(|(path, steps, total)| {
                let done = &steps[..upto.min(steps.len())];
                let c: Counts = count(done);
                let active = done.last().copied();
                let boxes = [
                    Place::UserBuffer,
                    Place::Disk,
                    Place::PageCache,
                    Place::SocketBuffer,
                    Place::Nic,
                ]
                .into_iter()
                .map(|p| {
                    let lit = match active {
                        Some(Step::Dma { from, to }) | Some(Step::Cpu { from, to }) => from == p || to == p,
                        _ => false,
                    };
                    let user = p == Place::UserBuffer;
                    let unused = user && *path != zkafka_engine::kafka::zerocopy::TransferPath::ReadWrite;
                    let class = format!(
                        "zc-box{}{}{}",
                        if lit { " lit" } else { "" },
                        if user { " user" } else { "" },
                        if unused { " unused" } else { "" }
                    );
                    view! { <div class=class>{place_name(t, p)}</div> }
                })
                .collect_view();
                let mode = match active {
                    Some(Step::Syscall { .. }) | Some(Step::Dma { .. }) | Some(Step::Cpu { .. }) => t.kernel,
                    _ => t.user_space,
                };
                let list = steps
                    .iter()
                    .enumerate()
                    .map(|(i, st)| {
                        let class = match st {
                            Step::Dma { .. } => "zs dma",
                            Step::Cpu { .. } => "zs cpu",
                            _ => "zs sw",
                        };
                        let class = format!("{class}{}", if i < upto { " done" } else { "" });
                        view! { <li class=class>{step_text(t, st)}</li> }
                    })
                    .collect_view();
                view! {
                    <div class="zc-path" data-testid="zc-path" data-path=path.name()>
                        <h4>{path.name()}</h4>
                        <div class="zc-boxes">{boxes}</div>
                        <p class="zc-mode">{mode}</p>
                        <ol class="zc-steps">{list}</ol>
                        <table class="zc-counts">
                            <tr><th>{t.dma}</th><td>{format!("{} / {}", c.dma_copies, total.dma_copies)}</td></tr>
                            <tr><th>{t.cpu}</th><td data-testid="zc-cpu">{format!("{} / {}", c.cpu_copies, total.cpu_copies)}</td></tr>
                            <tr><th>{t.switches}</th><td>{format!("{} / {}", c.context_switches, total.context_switches)}</td></tr>
                            <tr><th>{t.syscalls}</th><td>{format!("{} / {}", c.syscalls, total.syscalls)}</td></tr>
                        </table>
                    </div>
                }
            })
            .collect_view();
        view! {
            <p class="zc-sum">{format!(
                "{} B · {} {} · {} {}",
                s.bytes, s.cache_hits, t.hits, s.cache_misses, t.misses
            )}</p>
            <div class="zc-grid">{columns}</div>
            <div class="lk-nav">
                <button on:click=move |_| shown.update(|n| *n = (*n).min(longest).saturating_sub(1))>{t.prev}</button>
                <button data-testid="zc-next" on:click=move |_| shown.update(|n| *n = ((*n).min(longest) + 1).min(longest))>{t.next}</button>
            </div>
        }
        .into_any()
    };
    view! {
        <Show when=move || served.with(Option::is_some)>
            <section class="panel zc-panel" data-testid="zc-panel">
                <header class="panel-head">
                    <h3>{move || text(lang.get()).zc_title}</h3>
                    <span class="hint">{move || text(lang.get()).zc_hint}</span>
                </header>
                <div class="zc-body">{body}</div>
            </section>
        </Show>
    }
}
