//! The znode tree inspector: one server's data tree as it stands at the current point of
//! the playback (by default the server the first connected client talks to, where its
//! watches live, else the leader; or any server the learner picks, so a stale follower
//! shows), expandable; the selected znode's Stat as zkCli prints it, its data,
//! ACL, kind and the watches set on it at that server. Whatever the last change to the
//! tree touched is highlighted: the znodes in the list and the fields in the Stat.
//! Without a pick, the detail follows the znode the last change was about.

pub mod diff;
pub mod help;
pub mod rows;

use crate::i18n::{tr, ui, use_lang};
use crate::sim::Sim;
use leptos::prelude::*;
use std::collections::BTreeSet;
use std::sync::Arc;
use zkafka_engine::NodeId;
use zkafka_engine::sim::node::Status;
use zkafka_engine::view::{NodeDetail, ZnodeView};
use zkafka_engine::zookeeper::client::SessionState;

/// A server on the stage: its sid, whether it serves clients, whether its process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ServerPick {
    sid: u32,
    serving: bool,
    running: bool,
}

/// The tree shown now and the one shown before its last change, for the highlights.
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    server: Option<u32>,
    before: Arc<Vec<ZnodeView>>,
    now: Arc<Vec<ZnodeView>>,
}

/// Shortens data for a one-line preview.
fn preview(data: &Option<String>) -> String {
    match data {
        None => String::new(),
        Some(d) if d.chars().count() > 18 => {
            format!("{}…", d.chars().take(17).collect::<String>())
        }
        Some(d) => d.clone(),
    }
}

/// A request from elsewhere on the page to show a znode in the inspector (a broker card's
/// links to `/brokers/ids/<id>`, `/controller`, a partition's state): the path and a
/// counter, so asking for the same path again still counts. A page that has both the
/// stage and the inspector provides it ([`provide_znode_link`]).
#[derive(Clone, Copy)]
pub struct ZnodeLink(RwSignal<Option<(String, u64)>>);

impl ZnodeLink {
    /// Asks the inspector to show `path`.
    pub fn show(self, path: String) {
        self.0.update(|v| {
            let n = v.as_ref().map_or(0, |(_, n)| n + 1);
            *v = Some((path, n));
        });
    }
}

/// Provides the page's [`ZnodeLink`].
pub fn provide_znode_link() {
    provide_context(ZnodeLink(RwSignal::new(None)));
}

/// The inspector panel; it shows only while the world has ZooKeeper servers.
#[component]
pub fn ZnodeInspector(sim: Sim) -> impl IntoView {
    let lang = use_lang();
    let link = use_context::<ZnodeLink>();
    let servers = Memo::new(move |_| {
        sim.snap.with(|s| {
            s.view
                .nodes
                .iter()
                .filter_map(|n| match &n.detail {
                    NodeDetail::Zk(z) => Some(ServerPick {
                        sid: z.sid,
                        serving: z.serving,
                        running: n.status == Status::Running,
                    }),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
    });
    let leader = Memo::new(move |_| sim.snap.with(|s| s.leader));
    // The first connected client and its server: watches live at the server a client is
    // connected to, so that is the tree worth watching.
    let client_server = Memo::new(move |_| {
        sim.snap.with(|s| {
            s.view
                .nodes
                .iter()
                .filter_map(|n| match &n.detail {
                    NodeDetail::ZkClient(c) if c.session_state == SessionState::Connected => {
                        c.server.map(|sv| (c.id, sv))
                    }
                    _ => None,
                })
                .min()
        })
    });
    // The server the learner picked; without one, the first client's server, else the
    // leader, else the first serving.
    let pinned: RwSignal<Option<u32>> = RwSignal::new(None);
    let server = Memo::new(move |_| {
        let list = servers.get();
        if let Some(p) = pinned.get()
            && list.iter().any(|s| s.sid == p)
        {
            return Some(p);
        }
        client_server
            .get()
            .map(|(_, sid)| sid)
            .filter(|sid| list.iter().any(|s| s.sid == *sid))
            .or_else(|| leader.get())
            .or_else(|| list.iter().find(|s| s.serving).map(|s| s.sid))
            .or_else(|| list.first().map(|s| s.sid))
    });
    let tree = Memo::new(move |_| {
        let sid = server.get();
        sim.snap.with(|s| {
            s.view
                .nodes
                .iter()
                .find_map(|n| match &n.detail {
                    NodeDetail::Zk(z) if Some(z.sid) == sid => Some(z.znodes.clone()),
                    _ => None,
                })
                .unwrap_or_default()
        })
    });
    let shown = Memo::new(move |prev: Option<&Shown>| {
        let now = Arc::new(tree.get());
        let sid = server.get();
        match prev {
            Some(p) if p.server == sid && p.now == now => p.clone(),
            Some(p) if p.server == sid => Shown {
                server: sid,
                before: p.now.clone(),
                now,
            },
            _ => Shown {
                server: sid,
                before: now.clone(),
                now,
            },
        }
    });
    let changed = Memo::new(move |_| shown.with(|s| diff::changed_paths(&s.before, &s.now)));
    let collapsed: RwSignal<BTreeSet<String>> =
        RwSignal::new(BTreeSet::from(["/zookeeper".to_string()]));
    let picked: RwSignal<Option<String>> = RwSignal::new(None);
    // A link elsewhere on the page: pick that znode, open its ancestors, and bring the
    // panel into view.
    if let Some(ZnodeLink(req)) = link {
        Effect::new(move |_| {
            let Some((path, _)) = req.get() else {
                return;
            };
            collapsed.update(|c| c.retain(|x| !path.starts_with(&format!("{x}/"))));
            picked.set(Some(path));
            if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| {
                d.query_selector("[data-testid=znode-inspector]")
                    .ok()
                    .flatten()
            }) {
                el.scroll_into_view_with_bool(true);
            }
            // Once the rows are drawn, scroll the tree (not the page) to the picked row.
            request_animation_frame(move || {
                use wasm_bindgen::JsCast;
                let doc = web_sys::window().and_then(|w| w.document());
                let find = |sel: &str| {
                    doc.as_ref()
                        .and_then(|d| d.query_selector(sel).ok().flatten())
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                };
                if let (Some(tree), Some(row)) = (
                    find("[data-testid=znode-tree]"),
                    find("[data-testid=znode-tree] .zrow.selected"),
                ) {
                    tree.set_scroll_top(row.offset_top() - tree.offset_top() - 40);
                }
            });
        });
    }
    // The znode in the detail: the pick while it exists, else what the last change was
    // about, else the one shown before (while it exists), else the root.
    let focus = Memo::new(move |prev: Option<&String>| {
        shown.with(|s| {
            let has = |p: &str| s.now.iter().any(|z| z.path == p);
            if let Some(p) = picked.get()
                && has(&p)
            {
                return p;
            }
            if let Some(f) = changed.with(|c| diff::focus(c, &s.now)) {
                return f;
            }
            match prev {
                Some(p) if has(p) => p.clone(),
                _ => "/".to_string(),
            }
        })
    });
    // Session id -> client, to name an ephemeral's owner.
    let owners = Memo::new(move |_| {
        sim.snap.with(|s| {
            s.view
                .nodes
                .iter()
                .filter_map(|n| match &n.detail {
                    NodeDetail::ZkClient(c) if c.session != 0 => Some((c.session, n.id)),
                    _ => None,
                })
                .collect::<Vec<(u64, NodeId)>>()
        })
    });

    // Every view here reads a memo's sources before the memo (`shown` before `focus` and
    // `changed`, `servers` before `server`). reactive_graph 0.2.16 checks an effect's sources in the order it first
    // read them; when a derived memo is checked first it recomputes `shown` on the
    // effect's behalf, comes out unchanged itself, and the effect then finds `shown`
    // already clean and skips its rerun (seen: a new znode missing from the list).
    let server_chips = move || {
        servers.track();
        leader.track();
        let cur = server.get();
        let lead = leader.get();
        servers
            .get()
            .into_iter()
            .map(|s| {
                let on = cur == Some(s.sid);
                let mut class = String::from("chip zserver");
                if on {
                    class.push_str(" on");
                }
                if !s.serving || !s.running {
                    class.push_str(" idle");
                }
                let star = if lead == Some(s.sid) { " ★" } else { "" };
                let sid = s.sid;
                view! {
                    <button
                        class=class
                        data-testid="znode-server"
                        data-sid=sid.to_string()
                        aria-pressed=if on { "true" } else { "false" }
                        title=move || ui(lang.get()).zn_server_tip
                        on:click=move |_| {
                            pinned.update(|p| *p = if *p == Some(sid) { None } else { Some(sid) });
                        }
                    >
                        {format!("zk{sid}{star}")}
                    </button>
                }
            })
            .collect_view()
    };
    let server_note = move || {
        let u = ui(lang.get());
        servers.track();
        client_server.track();
        leader.track();
        pinned.track();
        let sid = server.get()?;
        let s = servers.with(|l| l.iter().find(|s| s.sid == sid).copied())?;
        let auto = pinned.get().is_none();
        let text = if !s.running {
            u.zn_down.to_string()
        } else if !s.serving {
            u.zn_not_serving.to_string()
        } else if let Some((c, _)) = client_server.get().filter(|(_, sv)| auto && *sv == sid) {
            u.zn_client_server.replace("{c}", &format!("c{c}"))
        } else if auto && leader.get() == Some(sid) {
            u.zn_follow_leader.to_string()
        } else {
            return None;
        };
        Some(view! { <span class="znote">{text}</span> })
    };

    let rows_view = move || {
        shown.track();
        let l = lang.get();
        let u = ui(l);
        let closed = collapsed.get();
        let sel = focus.get();
        let is_picked = picked.get().is_some();
        changed.with(|ch| {
            shown.with(|s| {
                let rows = rows::rows(s.now.iter().map(|z| z.path.as_str()), &closed);
                rows.into_iter()
                    .map(|r| {
                        let z = s.now.iter().find(|z| z.path == r.path);
                        let mut class = String::from("zrow");
                        if ch.contains(&r.path) {
                            class.push_str(" changed");
                        }
                        if r.path == sel {
                            class.push_str(if is_picked { " selected pinned" } else { " selected" });
                        }
                        let toggle = (r.children > 0).then(|| {
                            let p = r.path.clone();
                            let label = if r.open { u.zn_collapse } else { u.zn_expand };
                            view! {
                                <button class="tog" aria-label=label title=label aria-expanded=r.open.to_string() on:click=move |_| {
                                    let p = p.clone();
                                    collapsed.update(move |c| {
                                        if !c.remove(&p) {
                                            c.insert(p);
                                        }
                                    });
                                }>{if r.open { "▾" } else { "▸" }}</button>
                            }
                        });
                        let kind = z.map_or("persistent", |z| z.kind);
                        let badge = (kind != "persistent").then(|| {
                            let letter = match kind {
                                "ephemeral" => "E",
                                "container" => "C",
                                _ => "T",
                            };
                            view! { <span class=format!("zkind k-{kind}") title=help::kind_name(l, kind)>{letter}</span> }
                        });
                        let marks = z
                            .map(|z| {
                                z.watches
                                    .iter()
                                    .map(|(c, k)| {
                                        let tip = format!("{c}: {}", help::watch_name(l, k));
                                        view! { <span class=format!("wmark w-{k}") title=tip>{c.to_string()}</span> }
                                    })
                                    .collect_view()
                            });
                        let data = z.map(|z| preview(&z.data)).unwrap_or_default();
                        let count = (!r.open && r.children > 0).then(|| format!("({})", r.children));
                        let p = r.path.clone();
                        let pad = format!("padding-left:{}px", 4 + r.depth * 14);
                        view! {
                            <li class=class style=pad data-testid="znode-row" data-path=r.path.clone() role="treeitem">
                                <span class="tog-slot">{toggle}</span>
                                <button class="zname" on:click=move |_| {
                                    let p = p.clone();
                                    picked.update(move |cur| *cur = if cur.as_ref() == Some(&p) { None } else { Some(p) });
                                }>{r.name.clone()}</button>
                                {count.map(|c| view! { <span class="zcount">{c}</span> })}
                                {badge}
                                <span class="zpreview">{data}</span>
                                <span class="wmarks">{marks}</span>
                            </li>
                        }
                    })
                    .collect_view()
            })
        })
    };

    let detail = move || {
        shown.track();
        let l = lang.get();
        let u = ui(l);
        let path = focus.get();
        let is_picked = picked.get().is_some();
        shown.with(|s| {
            let z = s.now.iter().find(|z| z.path == path)?;
            let before = s.before.iter().find(|b| b.path == path);
            let fields = diff::changed_fields(before, z);
            let new = before.is_none() && !Arc::ptr_eq(&s.before, &s.now);
            let owner_of = |v: &str| -> Option<String> {
                let id = u64::from_str_radix(v.trim_start_matches("0x"), 16).ok()?;
                owners.with(|o| o.iter().find(|(s, _)| *s == id).map(|(_, n)| n.to_string()))
            };
            let stat = diff::stat_pairs(z)
                .into_iter()
                .map(|(k, v)| {
                    let class = if fields.contains(&k) { "changed" } else { "" };
                    let extra = (k == "ephemeralOwner" && v != "0x0")
                        .then(|| owner_of(&v))
                        .flatten()
                        .map(|c| view! { <span class="owner">{format!(" ({c})")}</span> });
                    let tip = help::stat_help(l, &k);
                    view! {
                        <dt title=tip>{k.clone()}</dt>
                        <dd class=class data-field=k>{v}{extra}</dd>
                    }
                })
                .collect_view();
            let data = z.data.clone().unwrap_or_else(|| "null".into());
            let data_class = if fields.contains("data") { "zdata changed" } else { "zdata" };
            let acl = z
                .acl
                .iter()
                .map(|a| view! { <li><code>{a.clone()}</code></li> })
                .collect_view();
            let acl_class = if fields.contains("acl") { "zacl changed" } else { "zacl" };
            let watches = if z.watches.is_empty() {
                view! { <li class="none">{u.zn_none}</li> }.into_any()
            } else {
                z.watches
                    .iter()
                    .map(|(c, k)| {
                        view! { <li><span class=format!("wmark w-{k}")>{c.to_string()}</span>" "{help::watch_name(l, k)}</li> }
                    })
                    .collect_view()
                    .into_any()
            };
            let watch_class = if fields.contains("watches") { "zwatches changed" } else { "zwatches" };
            let mode = if is_picked { u.zn_pinned } else { u.zn_following };
            Some(view! {
                <div class="zdetail" data-testid="znode-detail" data-path=path.clone() class:fresh=new>
                    <div class="zhead">
                        <code class="zpath">{path.clone()}</code>
                        <span class=format!("zkind-name k-{}", z.kind)>{help::kind_name(l, z.kind)}</span>
                        <span class="zmode">{mode}</span>
                    </div>
                    <dl class="zstat" data-testid="znode-stat">{stat}</dl>
                    <h5>{u.zn_data}</h5>
                    <pre class=data_class data-testid="znode-data">{data}</pre>
                    <h5>{u.zn_acl}</h5>
                    <ul class=acl_class>{acl}</ul>
                    <h5>{u.zn_watches}</h5>
                    <ul class=watch_class>{watches}</ul>
                </div>
            })
        })
    };

    let has_zk = move || servers.with(|l| !l.is_empty());
    view! {
        <Show when=has_zk>
            <section class="panel znodes" data-testid="znode-inspector">
                <header class="panel-head">
                    <h3>{tr(|u| u.zn_title)}</h3>
                    <div class="zservers" role="group">{server_chips}</div>
                    {server_note}
                </header>
                <p class="hint zhint">{tr(|u| u.zn_hint)}</p>
                <div class="zbody">
                    <ul class="ztree" role="tree" data-testid="znode-tree">{rows_view}</ul>
                    {detail}
                </div>
            </section>
        </Show>
    }
}
