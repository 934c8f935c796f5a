//! Connections on the stage: each TCP connection the engine reports is drawn along the path
//! its messages travel. Open connections are thin lines in their port's colour (election
//! links faint, quorum and Kafka links stronger); a half-open one (one end closed or
//! forgotten, the other still unaware) is dashed amber with a cross at the end that is
//! gone; a closed one is dotted red for ten seconds after it closed, with a cross and, for
//! quorum and Kafka links, who closed it and why. Election connections that
//! FastLeaderElection closes as spares are drawn faint, without a cross. A badge counts what a partition or a
//! powered-off receiver holds in each sender's kernel. Hovering shows both ends' states.

use crate::i18n::Ui;
use crate::stage::layout::{Layout, along, path_d};
use leptos::prelude::*;
use std::collections::BTreeSet;
use zkafka_engine::sim::conn::{Channel, CloseReason, End};
use zkafka_engine::view::{ConnView, WorldView};

/// A short reason, for the label on a closed link. A protocol's own reason stays in its
/// own words (the text the real server logs); the kernel's reasons are translated.
fn short_reason(r: &CloseReason, ui: &'static Ui) -> String {
    let s = match r {
        CloseReason::Closed { why, .. } => why.as_str(),
        CloseReason::ProcessDied { .. } => ui.why_died,
        CloseReason::Refused { .. } => ui.why_refused,
        CloseReason::Reset { .. } | CloseReason::ResetCommand => ui.why_reset,
        CloseReason::TimedOut => ui.why_timeout,
    };
    if s.chars().count() > 26 {
        let mut t: String = s.chars().take(25).collect();
        t.push('…');
        t
    } else {
        s.to_string()
    }
}

fn end_text(e: &End, ui: &'static Ui) -> String {
    match e {
        End::Open => ui.c_end_open.to_string(),
        End::Pending => ui.c_end_pending.to_string(),
        End::Lost => ui.c_end_lost.to_string(),
        End::Closed { reason, .. } => match ui.lang {
            zkafka_engine::i18n::Lang::En => reason.describe(),
            zkafka_engine::i18n::Lang::Zh => reason.describe_zh(),
        },
    }
}

fn channel_class(c: Channel) -> &'static str {
    match c {
        Channel::Election => "ch-election",
        Channel::Quorum => "ch-quorum",
        Channel::Kafka => "ch-kafka",
        Channel::ZkClient => "ch-client",
        Channel::Store => "ch-store",
    }
}

fn link(c: &ConnView, l: &Layout, ui: &'static Ui, labelled: bool) -> Option<AnyView> {
    if c.client == c.server {
        return None;
    }
    let p = l.path(c.client, c.server)?;
    let (a_open, b_open) = (c.client_end.is_open(), c.server_end.is_open());
    let state = match (a_open, b_open) {
        (true, true) => "open",
        (false, false) => "closed",
        _ => "half",
    };
    // A connect whose SYN is still on its way is not half-open: it is being opened.
    let state = if a_open && c.server_end == End::Pending {
        "open connecting"
    } else {
        state
    };
    // FastLeaderElection keeps one connection per pair of servers and closes the spare one
    // ("a newer connection from a higher server id"): routine, drawn faint and unmarked, so
    // that the closes a fault causes stand out.
    let routine = c.channel == Channel::Election
        && state != "open"
        && [&c.client_end, &c.server_end].iter().any(|e| {
            matches!(
                e,
                End::Closed {
                    reason: CloseReason::Closed { .. },
                    ..
                }
            )
        });
    let class = format!(
        "link {} {state}{}",
        channel_class(c.channel),
        if routine { " routine" } else { "" }
    );
    let tip = format!(
        "{} → {} · {} · {}\n{}: {}\n{}: {}",
        c.client,
        c.server,
        c.channel,
        c.id,
        c.client,
        end_text(&c.client_end, ui),
        c.server,
        end_text(&c.server_end, ui),
    );
    // The cross sits near the end that is gone (both ends gone: in the middle).
    let gone_at = match (a_open, b_open) {
        (true, false) if c.server_end != End::Pending => Some(0.82),
        (false, true) => Some(0.18),
        (false, false) => Some(0.5),
        _ => None,
    };
    let cross = gone_at.filter(|_| !routine).map(|t| {
        let q = along(p, t);
        view! {
            <g class="link-x" transform=format!("translate({:.1},{:.1})", q.x, q.y)>
                <circle r=6></circle>
                <text y=3.5 text-anchor="middle">"✕"</text>
            </g>
        }
    });
    // Who closed it and why, where it matters most.
    let reason = match (&c.client_end, &c.server_end) {
        (End::Closed { reason, .. }, _) | (_, End::Closed { reason, .. }) => {
            Some(short_reason(reason, ui))
        }
        (End::Lost, _) | (_, End::Lost) => Some(ui.why_power.to_string()),
        _ => None,
    };
    let label = (!labelled && c.channel != Channel::Election && state != "open")
        .then_some(reason)
        .flatten()
        .map(|text| {
            let q = along(p, 0.5);
            view! { <text class="link-why" x=q.x y=q.y - 9.0 text-anchor="middle">{text}</text> }
        });
    let held = [(c.held_up, 0.3), (c.held_down, 0.7)]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, t)| {
            let q = along(p, t);
            view! {
                <g class="link-held" transform=format!("translate({:.1},{:.1})", q.x, q.y)>
                    <rect x=-17 y=-8 width=34 height=16 rx=8></rect>
                    {crate::stage::icons::pause(-7.0, 0.0, 9.0)}
                    <text x=5 y=3.5 text-anchor="middle">{n.to_string()}</text>
                    <title>{format!("{n} {}", ui.c_held_n)}</title>
                </g>
            }
        })
        .collect_view();
    Some(
        view! {
            <g class=class data-conn=c.id.0>
                <title>{tip}</title>
                <path d=path_d(p)></path>
                {cross}
                {label}
                {held}
            </g>
        }
        .into_any(),
    )
}

/// Every connection of `v`. A closed connection between two nodes that have opened a new
/// one since is history (the event log keeps it) and is not drawn; of the links left on
/// one path, only the first gets a reason label, so that labels do not overprint.
pub fn conns(v: &WorldView, l: &Layout, ui: &'static Ui) -> AnyView {
    let pair = |c: &ConnView| (c.client.min(c.server), c.client.max(c.server), c.channel);
    let live: BTreeSet<_> = v
        .conns
        .iter()
        .filter(|c| c.client_end.is_open() || c.server_end.is_open())
        .map(pair)
        .collect();
    // Faint election links first, so quorum and Kafka links draw on top; on one path,
    // the newest first, so it carries the label.
    let mut ordered: Vec<&ConnView> = v
        .conns
        .iter()
        .filter(|c| c.client_end.is_open() || c.server_end.is_open() || !live.contains(&pair(c)))
        .collect();
    ordered.sort_by_key(|c| (c.channel != Channel::Election, std::cmp::Reverse(c.id)));
    let mut labelled = BTreeSet::new();
    ordered
        .into_iter()
        .filter_map(|c| {
            let key = (c.client.min(c.server), c.client.max(c.server));
            let wants_label = [&c.client_end, &c.server_end]
                .iter()
                .any(|e| matches!(e, End::Closed { .. } | End::Lost));
            let already = wants_label && !labelled.insert(key);
            link(c, l, ui, already)
        })
        .collect_view()
        .into_any()
}
