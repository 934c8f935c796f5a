//! `#/sandbox`: pick an ensemble and/or a Kafka cluster, then drive the world with the
//! command console, the fault menu of a clicked node (crash, power off, pause, resume,
//! restart) and the playback controls.

use crate::app::use_narrow;
use crate::controls::Controls;
use crate::event_log::EventLog;
use crate::groups::GroupPanel;
use crate::i18n::{Ui, tr, ui, use_lang};
use crate::kafka_metrics::KafkaMetricsPanel;
use crate::pages::fault_menu::FaultMenu;
use crate::pages::player::LeaderBadge;
use crate::sim::Sim;
use crate::stage::layout::Layout;
use crate::stage::{Legend, Stage};
use crate::storage::StoragePanels;
use crate::zab::invariants::InvariantsPanel;
use crate::zab::logs::TxnLogs;
use crate::znodes::ZnodeInspector;
use leptos::html::Input as InputEl;
use leptos::prelude::*;
use zkafka_engine::NodeId;
use zkafka_engine::Timeline;
use zkafka_engine::describe::clock;
use zkafka_engine::script::command::Command;
use zkafka_engine::script::parse::parse_line;
use zkafka_engine::script::run::execute;
use zkafka_engine::sim::effects::Change;
use zkafka_engine::sim::trace::EventKind;
use zkafka_engine::zookeeper::messages::ZkChange;

/// The seed of sandbox worlds.
pub const SANDBOX_SEED: u64 = 1;

/// Which part of the world an example command needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// ZooKeeper servers.
    Zk,
    /// A ZooKeeper client (c1).
    Client,
    /// Kafka brokers.
    Kafka,
    /// Anything.
    Any,
}

/// Commands offered as one-click examples, each shown when the world has what it needs.
pub const EXAMPLES: [(&str, Needs); 23] = [
    ("start all", Needs::Any),
    ("run until leader elected", Needs::Zk),
    ("zkcli create /app hello", Needs::Client),
    ("zkcli create -e /app/lock", Needs::Client),
    ("zkcli get -s -w /app", Needs::Client),
    ("zkcli set /app world", Needs::Client),
    ("zkcli ls -R /", Needs::Client),
    ("pause c1 for 40s", Needs::Client),
    ("expect session c1 CONNECTED", Needs::Client),
    ("crash zk5", Needs::Zk),
    ("halt zk4", Needs::Zk),
    ("pause zk3 for 5s", Needs::Zk),
    ("resume zk3", Needs::Zk),
    ("run 3s", Needs::Any),
    ("partition zk1,zk2 | zk3,zk4,zk5", Needs::Zk),
    ("heal", Needs::Any),
    ("net loss 10%", Needs::Any),
    ("expect leader zk5", Needs::Zk),
    ("topic create orders partitions 1 rf 3", Needs::Kafka),
    ("produce orders key k value v count 5", Needs::Kafka),
    ("consume orders-0 from 0", Needs::Kafka),
    ("fetch orders-0 offset 2", Needs::Kafka),
    ("zk client c2 connect zk1", Needs::Zk),
];

/// The examples for a world with `voters` servers, `clients` clients and `brokers` brokers.
pub fn examples_for(voters: u32, clients: u32, brokers: u32) -> Vec<&'static str> {
    EXAMPLES
        .iter()
        .filter(|(_, n)| match n {
            Needs::Any => true,
            Needs::Zk => voters > 0,
            Needs::Client => voters > 0 && clients > 0,
            Needs::Kafka => brokers > 0,
        })
        .map(|(e, _)| *e)
        .collect()
}

/// What a console line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// The command as typed.
    Cmd,
    /// A neutral result.
    Info,
    /// An expectation that held.
    Pass,
    /// A failed expectation, a parse error or a command that could not run.
    Fail,
    /// A caret under a parse error.
    Caret,
    /// What a zkCli console printed on standard output.
    Zk,
    /// What a zkCli console printed on standard error (errors, usage, `Created /x`).
    ZkErr,
}

/// One line of console output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleLine {
    /// Its kind (decides the colour).
    pub kind: LineKind,
    /// Its text.
    pub text: String,
    /// The client whose console printed it (zkCli lines only).
    pub who: Option<NodeId>,
}

fn line(kind: LineKind, text: impl Into<String>) -> ConsoleLine {
    ConsoleLine {
        kind,
        text: text.into(),
        who: None,
    }
}

/// What zkCli consoles printed in the trace events `events`, line by line.
pub fn printed(t: &Timeline, events: std::ops::Range<u64>) -> Vec<ConsoleLine> {
    let trace = t.trace();
    let (a, b) = (
        events.start as usize,
        (events.end as usize).min(trace.len()),
    );
    let mut out = Vec::new();
    for e in trace.get(a..b).unwrap_or(&[]) {
        if let EventKind::Change {
            node,
            change: Change::Zk(ZkChange::Printed { lines, err }),
        } = &e.kind
        {
            for l in lines {
                out.push(ConsoleLine {
                    kind: if *err { LineKind::ZkErr } else { LineKind::Zk },
                    text: l.clone(),
                    who: Some(*node),
                });
            }
        }
    }
    out
}

/// Runs one console command on the sim and describes what happened.
pub fn run_command(sim: Sim, text: &str, u: &Ui) -> Vec<ConsoleLine> {
    let mut out = vec![line(LineKind::Cmd, format!("> {text}"))];
    match parse_line(text, 1) {
        Err(e) => {
            out.push(line(
                LineKind::Caret,
                format!("  {}^", " ".repeat(e.column.saturating_sub(1) as usize)),
            ));
            out.push(line(
                LineKind::Fail,
                format!("{} {}: {}", u.c_column, e.column, e.message),
            ));
        }
        Ok(None) => {}
        Ok(Some(cmd)) => {
            let is_expect = matches!(cmd, Command::Expect { .. });
            let res = sim.mutate(|t| {
                let r = execute(t, &cmd);
                let shown = match &r {
                    Ok(o) => printed(t, o.events.clone()),
                    Err(_) => Vec::new(),
                };
                (r, t.world().now(), shown)
            });
            let quiet = res.as_ref().is_some_and(|r| !r.2.is_empty());
            if let Some((_, _, shown)) = &res {
                out.extend(shown.iter().cloned());
            }
            match res.map(|(r, now, _)| (r, now)) {
                Some((Ok(o), now)) => match o.failed {
                    Some(f) => out.push(line(LineKind::Fail, format!("✗ {}: {f}", u.c_failed))),
                    None if is_expect => out.push(line(LineKind::Pass, format!("✓ {}", u.c_held))),
                    // zkCli's own output says what happened.
                    None if quiet => {}
                    None => {
                        let n = o.events.end - o.events.start;
                        let word = if n == 1 { u.c_event } else { u.c_events };
                        out.push(line(
                            LineKind::Info,
                            format!("{n} {word} · t = {}", clock(now)),
                        ));
                    }
                },
                Some((Err(e), _)) => out.push(line(LineKind::Fail, format!("{}: {e}", u.c_error))),
                None => {}
            }
        }
    }
    out
}

/// The setup commands for a choice of sizes.
pub fn setup_script(
    voters: u32,
    observers: u32,
    clients: u32,
    brokers: u32,
    start: bool,
    topic: bool,
) -> Vec<String> {
    let mut v = Vec::new();
    if voters > 0 {
        if observers > 0 {
            v.push(format!("zk ensemble {voters} observers {observers}"));
        } else {
            v.push(format!("zk ensemble {voters}"));
        }
    }
    if brokers > 0 {
        v.push(format!("kafka cluster {brokers}"));
    }
    if start && (voters > 0 || brokers > 0) {
        v.push("start all".into());
    }
    if voters > 0 && clients > 0 {
        // Each client gets every server in its connect string and shuffles it, as
        // ZooKeeper's StaticHostProvider does.
        let hosts: Vec<String> = (1..=voters).map(|s| format!("zk{s}")).collect();
        for c in 1..=clients {
            v.push(format!("zk client c{c} connect {}", hosts.join(",")));
        }
    }
    if brokers > 0 && topic {
        v.push(format!(
            "topic create orders partitions 1 rf {}",
            brokers.min(3)
        ));
    }
    v
}

fn select_u32(
    label: impl Fn() -> &'static str + Send + Sync + 'static,
    testid: &'static str,
    options: Vec<(u32, String)>,
    value: RwSignal<u32>,
) -> impl IntoView {
    let opts = options
        .into_iter()
        .map(|(v, t)| view! { <option value=v.to_string() selected=move || value.get() == v>{t}</option> })
        .collect_view();
    view! {
        <label class="field">
            <span>{label}</span>
            <select data-testid=testid on:change=move |ev| {
                if let Ok(v) = event_target_value(&ev).parse() {
                    value.set(v);
                }
            }>{opts}</select>
        </label>
    }
}

/// `#/sandbox`.
#[component]
pub fn Sandbox() -> impl IntoView {
    crate::znodes::provide_znode_link();
    let lang = use_lang();
    let sim = Sim::new(Timeline::new(SANDBOX_SEED), true);
    let voters = RwSignal::new(5u32);
    let observers = RwSignal::new(0u32);
    let clients = RwSignal::new(1u32);
    // The sizes of the world last set up: the examples follow it, not the form.
    let built = RwSignal::new((0u32, 0u32, 0u32));
    let brokers = RwSignal::new(0u32);
    let start = RwSignal::new(true);
    let topic = RwSignal::new(true);
    let lines: RwSignal<Vec<ConsoleLine>> = RwSignal::new(Vec::new());
    let input = RwSignal::new(String::new());
    let history: StoredValue<Vec<String>> = StoredValue::new(Vec::new());
    let hist_at: StoredValue<Option<usize>> = StoredValue::new(None);
    let input_ref: NodeRef<InputEl> = NodeRef::new();
    let out_ref: NodeRef<leptos::html::Div> = NodeRef::new();

    let push = move |new: Vec<ConsoleLine>| {
        lines.update(|l| {
            l.extend(new);
            let n = l.len();
            if n > 400 {
                l.drain(..n - 400);
            }
        });
    };
    let create = move || {
        sim.replace(Timeline::new(SANDBOX_SEED));
        lines.set(Vec::new());
        built.set((
            voters.get_untracked(),
            clients.get_untracked(),
            brokers.get_untracked(),
        ));
        let u = ui(lang.get_untracked());
        let script = setup_script(
            voters.get_untracked(),
            observers.get_untracked(),
            clients.get_untracked(),
            brokers.get_untracked(),
            start.get_untracked(),
            topic.get_untracked(),
        );
        for cmd in script {
            push(run_command(sim, &cmd, u));
        }
    };
    create();

    let submit = move || {
        let text = input.get_untracked();
        let text = text.trim().to_string();
        if text.is_empty() {
            return;
        }
        history.update_value(|h| {
            if h.last() != Some(&text) {
                h.push(text.clone());
            }
        });
        hist_at.set_value(None);
        input.set(String::new());
        push(run_command(sim, &text, ui(lang.get_untracked())));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            submit();
        }
        "ArrowUp" | "ArrowDown" => {
            ev.prevent_default();
            let up = ev.key() == "ArrowUp";
            let h = history.get_value();
            if h.is_empty() {
                return;
            }
            let at = hist_at.get_value();
            let next = match (at, up) {
                (None, true) => Some(h.len() - 1),
                (None, false) => None,
                (Some(i), true) => Some(i.saturating_sub(1)),
                (Some(i), false) if i + 1 < h.len() => Some(i + 1),
                (Some(_), false) => None,
            };
            hist_at.set_value(next);
            input.set(next.map(|i| h[i].clone()).unwrap_or_default());
        }
        _ => {}
    };
    // Keep the newest console output in view.
    Effect::new(move |_| {
        lines.track();
        if let Some(el) = out_ref.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });

    // A click (or Enter) on a node selects it and opens its fault menu; a second click on
    // the same node closes the menu.
    let selected: RwSignal<Option<NodeId>> = RwSignal::new(None);
    let on_node = Callback::new(move |id: NodeId| {
        selected.update(|s| *s = if *s == Some(id) { None } else { Some(id) });
    });
    let run_fault = Callback::new(move |cmd: String| {
        push(run_command(sim, &cmd, ui(lang.get_untracked())));
    });
    let narrow = use_narrow();
    let layout = Memo::new(move |_| {
        let n = narrow.get();
        sim.snap.with(|s| Layout::of(&s.view, n))
    });
    let layout: Signal<Layout> = layout.into();

    let u0 = move || ui(lang.get());
    let voter_opts = move || {
        vec![
            (0, u0().setup_none.to_string()),
            (3, "3".into()),
            (5, "5".into()),
            (7, "7".into()),
        ]
    };
    let broker_opts = move || {
        vec![
            (0, u0().setup_none.to_string()),
            (1, "1".into()),
            (3, "3".into()),
            (5, "5".into()),
        ]
    };
    let output = move || {
        lines
            .get()
            .into_iter()
            .map(|l| {
                let class = match l.kind {
                    LineKind::Cmd => "out out-cmd",
                    LineKind::Info => "out out-info",
                    LineKind::Pass => "out out-pass",
                    LineKind::Fail => "out out-fail",
                    LineKind::Caret => "out out-caret",
                    LineKind::Zk => "out out-zk",
                    LineKind::ZkErr => "out out-zk out-zk-err",
                };
                let who = l
                    .who
                    .map(|n| view! { <span class="who">{n.to_string()}</span> });
                view! { <div class=class>{who}{l.text}</div> }
            })
            .collect_view()
    };
    let examples = move || {
        let (v, c, b) = built.get();
        examples_for(v, c, b)
            .into_iter()
            .map(|e| {
                view! {
                    <button class="chip example" on:click=move |_| {
                        input.set(e.to_string());
                        if let Some(i) = input_ref.get() {
                            let _ = i.focus();
                        }
                    }>{e}</button>
                }
            })
            .collect_view()
    };

    view! {
        <main class="sandbox">
            <div class="player-head">
                <div class="titles">
                    <h1>{tr(|u| u.sandbox_heading)}</h1>
                    <p class="lead">{tr(|u| u.sandbox_lead)}</p>
                </div>
                <LeaderBadge sim=sim layout=layout />
            </div>
            <form class="setup" on:submit=move |ev| { ev.prevent_default(); create(); }>
                {move || select_u32(tr(|u| u.setup_zk), "setup-zk", voter_opts(), voters)}
                {move || select_u32(tr(|u| u.setup_observers), "setup-observers", vec![(0, "0".into()), (1, "1".into()), (2, "2".into())], observers)}
                {move || select_u32(tr(|u| u.setup_clients), "setup-clients", vec![(0, "0".into()), (1, "1".into()), (2, "2".into()), (3, "3".into())], clients)}
                {move || select_u32(tr(|u| u.setup_kafka), "setup-kafka", broker_opts(), brokers)}
                <label class="check">
                    <input type="checkbox" prop:checked=move || start.get() on:change=move |ev| start.set(event_target_checked(&ev)) />
                    <span>{tr(|u| u.setup_start)}</span>
                </label>
                <label class="check">
                    <input type="checkbox" prop:checked=move || topic.get() on:change=move |ev| topic.set(event_target_checked(&ev)) />
                    <span>{tr(|u| u.setup_topic)}</span>
                </label>
                <button class="btn primary" type="submit" data-testid="setup-create">{tr(|u| u.setup_create)}</button>
            </form>
            <div class="player-grid">
                <div class="stage-col">
                    <p class="hint">{tr(|u| u.s_click_hint)}</p>
                    <FaultMenu sim=sim selected=selected run=run_fault />
                    <Stage sim=sim layout=layout on_node=on_node selected=selected />
                    <Controls sim=sim />
                    <GroupPanel sim=sim />
                    <ZnodeInspector sim=sim />
                    <TxnLogs sim=sim />
                    <InvariantsPanel sim=sim />
                    <KafkaMetricsPanel sim=sim />
                    <StoragePanels sim=sim />
                    <Legend layout=layout />
                </div>
                <aside class="side-col">
                    <section class="panel console" data-testid="console">
                        <header class="panel-head"><h3>{tr(|u| u.console)}</h3></header>
                        <div class="console-out" data-testid="console-output" node_ref=out_ref>{output}</div>
                        <input
                            class="console-in"
                            data-testid="console-input"
                            type="text"
                            spellcheck="false"
                            autocomplete="off"
                            node_ref=input_ref
                            placeholder=tr(|u| u.console_placeholder)
                            prop:value=move || input.get()
                            on:input=move |ev| input.set(event_target_value(&ev))
                            on:keydown=on_key
                        />
                        <div class="examples"><span class="label">{tr(|u| u.examples)}</span>{examples}</div>
                    </section>
                    <EventLog sim=sim />
                </aside>
            </div>
        </main>
    }
}
