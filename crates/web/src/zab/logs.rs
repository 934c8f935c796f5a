//! The transaction logs panel: every server's txn log side by side, one row per zxid
//! (newest on top), so a lagging follower, a proposal not yet committed and a TRUNC that
//! cut what the new leader never had stand out. Cells: applied (logged and applied to the
//! tree, i.e. committed there), logged only (waiting for a COMMIT, or logged at NEWLEADER
//! and applied after UPTODATE; everything of a server whose process does not run: it has
//! only its disk), truncated (what the last TRUNC cut).

use crate::i18n::{tr, ui, use_lang};
use crate::sim::Sim;
use leptos::prelude::*;
use std::collections::BTreeMap;
use zkafka_engine::sim::node::Status;
use zkafka_engine::view::NodeDetail;
use zkafka_engine::zookeeper::view::LOG_VIEW;
use zkafka_engine::zookeeper::zxid::hex;

/// One server's column.
#[derive(Clone, Debug, PartialEq)]
struct Column {
    sid: u32,
    running: bool,
    last_zxid: u64,
    log: Vec<(u64, String)>,
    truncated: Vec<(u64, String)>,
    /// True when its log is longer than what the picture carries.
    clipped: bool,
}

/// How many zxid rows the panel shows.
const ROWS: usize = 12;

/// The panel; it shows only while the world has ZooKeeper servers.
#[component]
pub fn TxnLogs(sim: Sim) -> impl IntoView {
    let lang = use_lang();
    let columns = Memo::new(move |_| {
        sim.snap.with(|s| {
            s.view
                .nodes
                .iter()
                .filter_map(|n| match &n.detail {
                    NodeDetail::Zk(z) => Some(Column {
                        sid: z.sid,
                        running: matches!(n.status, Status::Running | Status::Paused),
                        last_zxid: z.last_zxid,
                        log: z.log.clone(),
                        truncated: z.truncated.clone(),
                        clipped: z.log.len() >= LOG_VIEW,
                    }),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
    });
    let table = move || {
        let u = ui(lang.get());
        columns.with(|cols| {
            // Every zxid any column shows, with what it did.
            let mut rows: BTreeMap<u64, String> = BTreeMap::new();
            for c in cols {
                for (z, what) in c.log.iter().chain(c.truncated.iter()) {
                    rows.entry(*z).or_insert_with(|| what.clone());
                }
            }
            let shown: Vec<(u64, String)> = rows.into_iter().rev().take(ROWS).collect();
            let head = cols
                .iter()
                .map(|c| {
                    let class = if c.running { "" } else { "down" };
                    view! { <th class=class>{format!("zk{}", c.sid)}</th> }
                })
                .collect_view();
            let body = shown
                .into_iter()
                .map(|(zxid, what)| {
                    let cells = cols
                        .iter()
                        .map(|c| {
                            let logged = c.log.iter().any(|(z, _)| *z == zxid);
                            let cut = c.truncated.iter().any(|(z, _)| *z == zxid);
                            let older = c.clipped && c.log.first().is_some_and(|(z, _)| zxid < *z);
                            let (class, mark, tip) = if cut {
                                ("cell trunc", "✂", u.zb_truncated)
                            } else if logged && c.running && zxid <= c.last_zxid {
                                ("cell applied", "●", u.zb_applied)
                            } else if logged {
                                ("cell logged", "○", u.zb_logged)
                            } else if older {
                                ("cell older", "⋯", u.zb_older)
                            } else {
                                ("cell none", "", "")
                            };
                            view! { <td class=class title=tip data-sid=c.sid.to_string()>{mark}</td> }
                        })
                        .collect_view();
                    view! {
                        <tr data-testid="txn-row" data-zxid=hex(zxid)>
                            <th class="zx"><code>{hex(zxid)}</code></th>
                            <td class="what">{what}</td>
                            {cells}
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <table class="txnlogs" data-testid="txn-logs">
                    <thead><tr><th class="zx">"zxid"</th><th class="what"></th>{head}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            }
        })
    };
    let legend = move || {
        let u = ui(lang.get());
        view! {
            <span class="txn-key"><span class="cell applied">"●"</span>{u.zb_applied}</span>
            <span class="txn-key"><span class="cell logged">"○"</span>{u.zb_logged}</span>
            <span class="txn-key"><span class="cell trunc">"✂"</span>{u.zb_truncated}</span>
        }
    };
    view! {
        <Show when=move || columns.with(|c| !c.is_empty())>
            <section class="panel txn-panel" data-testid="txn-panel">
                <header class="panel-head">
                    <h3>{tr(|u| u.zb_logs_title)}</h3>
                    <span class="hint">{tr(|u| u.zb_logs_hint)}</span>
                </header>
                <div class="txn-scroll">{table}</div>
                <p class="txn-legend">{legend}</p>
            </section>
        </Show>
    }
}
