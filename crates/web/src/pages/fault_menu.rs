//! The sandbox's fault menu: the faults a selected node can suffer now, as buttons that run
//! the same console commands a teacher would type (`crash zk3`, `halt broker2`,
//! `pause zk1 for 5s`, ...), so the console history shows exactly what happened.
//!
//! Which faults are offered follows from the node's status, the way the engine validates
//! them (`sim::validate`): a paused process can be resumed, crashed or powered off but not
//! restarted; a crashed one can be started or powered off; a powered-off host can only be
//! powered on.

use crate::i18n::{Ui, tr};
use crate::sim::Sim;
use leptos::html::Div;
use leptos::prelude::*;
use zkafka_engine::NodeId;
use zkafka_engine::sim::node::Status;

/// One fault offered for a node: its label, its test id and the command it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultAction {
    /// The button text.
    pub label: &'static str,
    /// `data-testid`, stable across languages (`fault-crash`, `fault-halt`, ...).
    pub testid: &'static str,
    /// The console command, canonical form.
    pub command: String,
}

/// The faults a node with `status` can suffer, in menu order.
pub fn actions(id: NodeId, status: Status, u: &Ui) -> Vec<FaultAction> {
    let a = |label, testid, command: String| FaultAction {
        label,
        testid,
        command,
    };
    match status {
        Status::Running => vec![
            a(u.f_crash, "fault-crash", format!("crash {id}")),
            a(u.f_stop, "fault-stop", format!("stop {id}")),
            a(u.f_halt, "fault-halt", format!("halt {id}")),
            a(u.f_pause, "fault-pause", format!("pause {id}")),
            a(u.f_pause5, "fault-pause5", format!("pause {id} for 5s")),
            a(u.f_restart, "fault-restart", format!("restart {id}")),
        ],
        Status::Paused => vec![
            a(u.f_resume, "fault-resume", format!("resume {id}")),
            a(u.f_crash, "fault-crash", format!("crash {id}")),
            a(u.f_halt, "fault-halt", format!("halt {id}")),
        ],
        Status::Crashed | Status::Stopped | Status::NotStarted => vec![
            a(u.f_start, "fault-start", format!("start {id}")),
            a(u.f_halt, "fault-halt", format!("halt {id}")),
        ],
        Status::Halted => vec![a(u.f_power_on, "fault-power-on", format!("start {id}"))],
    }
}

/// The menu for `selected` (nothing when no node is selected or it no longer exists).
/// `run` runs a command; the menu closes after each action, on Escape and on Close.
#[component]
pub fn FaultMenu(
    sim: Sim,
    selected: RwSignal<Option<NodeId>>,
    run: Callback<String>,
) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    let menu: NodeRef<Div> = NodeRef::new();
    let status = move || {
        let id = selected.get()?;
        sim.snap.with(|s| {
            s.view
                .nodes
                .iter()
                .find(|n| n.id == id)
                .map(|n| (id, n.status))
        })
    };
    // Move focus to the first action when a node is picked, so that the keyboard path
    // (Tab to a node, Enter, Enter) crashes it.
    Effect::new(move |prev: Option<Option<NodeId>>| {
        let now = selected.get();
        if now.is_some()
            && prev.flatten() != now
            && let Some(el) = menu.get()
            && let Ok(Some(b)) = el.query_selector("button")
            && let Ok(b) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(b)
        {
            let _ = b.focus();
        }
        now
    });
    let body = move || {
        let (id, st) = status()?;
        let u = crate::i18n::ui(lang.get());
        let buttons = actions(id, st, u)
            .into_iter()
            .map(|a| {
                let cmd = a.command.clone();
                view! {
                    <button class="btn fault" role="menuitem" data-testid=a.testid title=a.command.clone()
                        on:click=move |_| {
                            run.run(cmd.clone());
                            selected.set(None);
                        }>
                        {a.label}
                    </button>
                }
            })
            .collect_view();
        Some(view! {
            <span class="fault-title">{u.f_title}" "<b>{id.to_string()}</b>" · "{status_text(st, u)}</span>
            {buttons}
            <button class="btn ghost fault-close" data-testid="fault-close" on:click=move |_| selected.set(None)>
                {tr(|u| u.f_close)}
            </button>
        })
    };
    view! {
        <div
            class="fault-bar"
            role="menu"
            data-testid="fault-menu"
            node_ref=menu
            class:open=move || status().is_some()
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    selected.set(None);
                }
            }
        >
            {body}
        </div>
    }
}

/// The status of a node in the UI's language.
fn status_text(s: Status, u: &Ui) -> &'static str {
    match s {
        Status::Running => u.st_running,
        Status::Paused => u.st_paused,
        Status::Crashed => u.st_crashed,
        Status::Stopped => u.st_stopped,
        Status::Halted => u.st_halted,
        Status::NotStarted => u.st_down,
    }
}
