//! The transport bar: restart, step back, play/pause, step forward, jump to end, lesson
//! step jumps, a speed selector and a scrubber over the recording.

use crate::i18n::{tr, ui, use_lang};
use crate::sim::{SPEEDS, Sim};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use zkafka_engine::describe::clock;

/// Jumps between lesson steps (the player passes these; the sandbox does not).
#[derive(Clone, Copy)]
pub struct StepJumps {
    /// To the previous lesson step.
    pub prev: Callback<()>,
    /// To the next lesson step.
    pub next: Callback<()>,
}

/// A small icon for a transport button (inline SVG, so no icon font is needed).
fn icon(d: &'static str) -> impl IntoView {
    view! {
        <svg class="ico" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
            <path d=d></path>
        </svg>
    }
}

const I_RESTART: &str = "M2 3h2v10H2z M9 3v10L4 8z M15 3v10l-5-5z";
const I_BACK: &str = "M3 3h2v10H3z M13 3v10L6 8z";
const I_PLAY: &str = "M4 2.5v11L13.5 8z";
const I_PAUSE: &str = "M3.5 3h3.2v10H3.5z M9.3 3h3.2v10H9.3z";
const I_FORWARD: &str = "M3 3v10l7-5z M11 3h2v10h-2z";
const I_END: &str = "M1 3v10l5-5z M7 3v10l5-5z M12.5 3h2v10h-2z";

fn speed_label(s: f64) -> String {
    if s < 1.0 {
        format!("{s}×")
    } else {
        format!("{}×", s as u64)
    }
}

/// The controls of a [`Sim`].
#[component]
pub fn Controls(sim: Sim, #[prop(optional)] jumps: Option<StepJumps>) -> impl IntoView {
    let lang = use_lang();
    let position = move || sim.snap.with(|s| s.position);
    let recorded = move || sim.snap.with(|s| s.recorded);
    let time = move || clock(sim.vtime.get().floor() as u64);
    let playing = move || sim.playing.get();
    let on_scrub = move |ev| {
        if let Ok(v) = event_target_value(&ev).parse::<u64>() {
            sim.seek_position(v);
        }
    };
    let on_speed = move |ev| {
        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
            sim.speed.set(v);
        }
    };
    let speeds = SPEEDS
        .iter()
        .map(|s| {
            let s = *s;
            view! {
                <option value=s.to_string() selected=move || (sim.speed.get() - s).abs() < 1e-9>
                    {speed_label(s)}
                </option>
            }
        })
        .collect_view();
    // Keyboard: space plays or pauses, arrows step (not while typing in a field).
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        let tag = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|e| e.tag_name())
            .unwrap_or_default();
        // Space on a focused button presses that button; leave it alone.
        let typing = matches!(tag.as_str(), "INPUT" | "SELECT" | "TEXTAREA")
            || (tag == "BUTTON" && ev.key() == " ");
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        match ev.key().as_str() {
            " " => {
                ev.prevent_default();
                if sim.playing.get_untracked() {
                    sim.pause();
                } else {
                    sim.play();
                }
            }
            "ArrowRight" => {
                ev.prevent_default();
                sim.step_forward();
            }
            "ArrowLeft" => {
                ev.prevent_default();
                sim.step_back();
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    let jump_buttons = jumps.map(|j| {
        view! {
            <button class="btn step-jump" data-testid="prev-step" on:click=move |_| j.prev.run(()) title=tr(|u| u.prev_step)>
                "« " {tr(|u| u.prev_step)}
            </button>
            <button class="btn step-jump" data-testid="next-step" on:click=move |_| j.next.run(()) title=tr(|u| u.next_step)>
                {tr(|u| u.next_step)} " »"
            </button>
        }
    });
    view! {
        <div class="controls" role="toolbar">
            <div class="buttons">
                <button class="btn" data-testid="restart" on:click=move |_| sim.restart() title=tr(|u| u.restart)>
                    {icon(I_RESTART)}<span class="lbl">{tr(|u| u.restart)}</span>
                </button>
                <button class="btn" data-testid="step-back" on:click=move |_| sim.step_back() title=tr(|u| u.back)>
                    {icon(I_BACK)}<span class="lbl">{tr(|u| u.back)}</span>
                </button>
                <Show
                    when=playing
                    fallback=move || view! {
                        <button class="btn primary" data-testid="play" on:click=move |_| sim.play() title=tr(|u| u.play_btn)>
                            {icon(I_PLAY)}<span class="lbl">{tr(|u| u.play_btn)}</span>
                        </button>
                    }
                >
                    <button class="btn primary" data-testid="pause" on:click=move |_| sim.pause() title=tr(|u| u.pause)>
                        {icon(I_PAUSE)}<span class="lbl">{tr(|u| u.pause)}</span>
                    </button>
                </Show>
                <button class="btn" data-testid="step-forward" on:click=move |_| sim.step_forward() title=tr(|u| u.forward)>
                    <span class="lbl">{tr(|u| u.forward)}</span>{icon(I_FORWARD)}
                </button>
                <button class="btn" data-testid="to-end" on:click=move |_| sim.jump_to_end() title=tr(|u| u.to_end)>
                    <span class="lbl">{tr(|u| u.to_end)}</span>{icon(I_END)}
                </button>
                {jump_buttons}
                <label class="speed">
                    <span>{tr(|u| u.speed)}</span>
                    <select data-testid="speed" on:change=on_speed>{speeds}</select>
                </label>
            </div>
            <div class="scrub">
                <input
                    type="range"
                    data-testid="scrubber"
                    aria-label=move || ui(lang.get()).scrubber
                    min="0"
                    max=move || recorded().to_string()
                    prop:value=move || position().to_string()
                    on:input=on_scrub
                />
                <span class="count" data-testid="position">
                    {move || format!("{} {} / {}", ui(lang.get()).event, position(), recorded())}
                </span>
                <span class="clock" data-testid="clock">{time}</span>
            </div>
        </div>
    }
}
