//! `#/lesson/<id>`: runs the lesson once, then plays the recording back with narration,
//! expectations, the stage and the event log.

use crate::app::use_narrow;
use crate::controls::{Controls, StepJumps};
use crate::event_log::EventLog;
use crate::groups::GroupPanel;
use crate::i18n::{tr, ui, use_lang};
use crate::kafka_metrics::KafkaMetricsPanel;
use crate::lessons::by_id;
use crate::pages::quiz::{QuizState, quiz_box};
use crate::sim::Sim;
use crate::stage::layout::Layout;
use crate::stage::{Legend, Stage};
use crate::storage::StoragePanels;
use crate::zab::invariants::InvariantsPanel;
use crate::zab::logs::TxnLogs;
use crate::znodes::ZnodeInspector;
use leptos::prelude::*;
use std::sync::Arc;
use zkafka_engine::i18n::Lang;
use zkafka_engine::lesson::format::Lesson;
use zkafka_engine::lesson::run_lesson;
use zkafka_engine::lesson::runner::StepRun;
use zkafka_engine::view::view as world_view;

/// "Step 3 of 8" in the chosen language.
pub fn step_of(lang: Lang, i: usize, n: usize) -> String {
    match lang {
        Lang::En => format!("Step {i} of {n}"),
        Lang::Zh => format!("第 {i} 步，共 {n} 步"),
    }
}

/// Which lesson step the cursor at event position `p` is in.
pub fn step_at(steps: &[StepRun], p: u64) -> usize {
    steps
        .iter()
        .position(|s| p <= s.events.end)
        .unwrap_or(steps.len().saturating_sub(1))
}

/// The position just after the first operation of step `i` (where its narration starts).
fn entry(steps: &[StepRun], op_ends: &[u64], i: usize) -> u64 {
    let s = &steps[i];
    if s.events.start == s.events.end {
        return s.events.end;
    }
    op_ends
        .iter()
        .copied()
        .find(|e| *e > s.events.start)
        .unwrap_or(s.events.end)
        .min(s.events.end)
}

/// The leader badge: the established ZooKeeper leader, or "none"; on a stage with Kafka
/// brokers, the controller instead (their ZooKeeper is a single standalone server).
#[component]
pub fn LeaderBadge(sim: Sim, layout: Signal<Layout>) -> impl IntoView {
    let lang = use_lang();
    let kafka = move || layout.with(|l| l.boxes.keys().any(|id| id.is_broker()));
    let text = move || {
        let none = format!("— {}", ui(lang.get()).no_leader);
        sim.snap.with(|s| {
            if kafka() {
                s.controller.map_or(none, |b| format!("broker{b}"))
            } else {
                s.leader.map_or(none, |l| format!("zk{l}"))
            }
        })
    };
    let has = move || {
        sim.snap.with(|s| {
            if kafka() {
                s.controller.is_some()
            } else {
                s.leader.is_some()
            }
        })
    };
    let key = move || {
        let u = ui(lang.get());
        if kafka() {
            u.k_controller_badge
        } else {
            u.leader
        }
    };
    // Only when there are ZooKeeper servers on the stage.
    let zk = move || layout.with(|l| l.boxes.keys().any(|id| id.is_zk()));
    view! {
        <Show when=zk>
            <div class="leader-badge" class:has=has>
                <span class="k">{key}</span>
                <strong data-testid=move || if kafka() { "controller" } else { "leader" }>{text}</strong>
            </div>
        </Show>
    }
}

/// `#/lesson/<id>`.
#[component]
pub fn Player(id: String) -> impl IntoView {
    match by_id(&id) {
        Some(lesson) => view! { <LessonView lesson=lesson /> }.into_any(),
        None => view! {
            <main class="missing">
                <p data-testid="lesson-error">{tr(|u| u.lesson_missing)} " (" {id} ")"</p>
                <a class="btn" href="#/">{tr(|u| u.back_to_lessons)}</a>
            </main>
        }
        .into_any(),
    }
}

#[component]
fn LessonView(lesson: &'static Lesson) -> impl IntoView {
    crate::znodes::provide_znode_link();
    let lang = use_lang();
    let run = run_lesson(lesson, lesson.seed);
    let passed = run.passed();
    let steps = Arc::new(run.steps.clone());
    let total = run.total_steps;
    let final_view = world_view(run.timeline.world());
    let narrow = use_narrow();
    let op_ends: Arc<Vec<u64>> = Arc::new(run.timeline.op_ends().collect());
    let mut problems: Vec<String> = Vec::new();
    for (i, s) in run.steps.iter().enumerate() {
        for c in &s.commands {
            if let Some(e) = &c.error {
                problems.push(format!("step {} line {}: `{}`: {e}", i + 1, c.line, c.text));
            }
        }
        for c in &s.checks {
            if let Some(f) = &c.failure {
                problems.push(format!(
                    "step {} line {}: expect {}: {f}",
                    i + 1,
                    c.line,
                    c.text
                ));
            }
        }
    }
    if run.steps.len() < total {
        problems.push(format!("only {} of {total} steps ran", run.steps.len()));
    }
    let mut tl = run.timeline;
    tl.rewind();
    let sim = Sim::new(tl, false);
    let layout: Signal<Layout> = Memo::new(move |_| Layout::of(&final_view, narrow.get())).into();

    let position = move || sim.snap.with(|s| s.position);
    let quiz = QuizState::new();
    // Playback stops once at the end of each step with a quiz, so the answer can be seen
    // (or the learner can still pick) before the next step's narration replaces it.
    {
        let steps = steps.clone();
        let last = StoredValue::new(0u64);
        let stopped: StoredValue<Vec<usize>> = StoredValue::new(Vec::new());
        Effect::new(move |_| {
            let p = position();
            let prev = last.get_value();
            last.set_value(p);
            if !sim.playing.get_untracked() || p <= prev {
                return;
            }
            let hit = steps.iter().enumerate().find(|(i, s)| {
                s.quiz.is_some()
                    && prev < s.events.end
                    && p >= s.events.end
                    && !stopped.with_value(|v| v.contains(i))
            });
            if let Some((i, s)) = hit {
                stopped.update_value(|v| v.push(i));
                sim.seek_position(s.events.end);
                // Once the narration has redrawn, bring the quiz (and its answer) into view.
                request_animation_frame(|| {
                    if let Some(el) = document()
                        .query_selector("[data-testid=quiz]")
                        .ok()
                        .flatten()
                    {
                        el.scroll_into_view_with_bool(false);
                    }
                });
            }
        });
    }
    let cur = {
        let steps = steps.clone();
        move || step_at(&steps, position())
    };
    let jumps = {
        let (s1, e1) = (steps.clone(), op_ends.clone());
        let (s2, e2) = (steps.clone(), op_ends.clone());
        StepJumps {
            prev: Callback::new(move |_| {
                let p = sim.snap.with_untracked(|s| s.position);
                let i = step_at(&s1, p);
                let here = entry(&s1, &e1, i);
                let to = if p > here {
                    here
                } else if i > 0 {
                    entry(&s1, &e1, i - 1)
                } else {
                    0
                };
                sim.seek_position(to);
            }),
            next: Callback::new(move |_| {
                let p = sim.snap.with_untracked(|s| s.position);
                let i = step_at(&s2, p);
                if i + 1 < s2.len() {
                    sim.seek_position(entry(&s2, &e2, i + 1));
                } else {
                    sim.jump_to_end();
                }
            }),
        }
    };

    let dots = {
        let (steps, op_ends) = (steps.clone(), op_ends.clone());
        let cur = cur.clone();
        move || {
            let c = cur();
            let p = position();
            steps
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let at = entry(&steps, &op_ends, i);
                    let mut class = String::from("dot");
                    if i == c {
                        class.push_str(" current");
                    }
                    if p >= s.events.end && s.events.end > 0 {
                        class.push_str(if s.passed() { " done" } else { " bad" });
                    }
                    let title = lesson.steps[i].title.get(lang.get()).to_string();
                    view! {
                        <button class=class title=title on:click=move |_| sim.seek_position(at)>
                            {(i + 1).to_string()}
                        </button>
                    }
                })
                .collect_view()
        }
    };

    let narration = {
        let steps = steps.clone();
        move || {
            let lang = lang.get();
            let u = ui(lang);
            let p = position();
            let i = cur();
            let Some(sr) = steps.get(i) else {
                return ().into_any();
            };
            let step = &lesson.steps[i];
            let reached = p >= sr.events.end;
            let commands = sr
                .commands
                .iter()
                .map(|c| {
                    let class = if c.events.start < p && p < c.events.end {
                        "cmd running"
                    } else if p >= c.events.end && p > sr.events.start {
                        "cmd done"
                    } else {
                        "cmd"
                    };
                    let err = c
                        .error
                        .clone()
                        .map(|e| view! { <div class="fail-msg">{e}</div> });
                    view! { <li class=class><code>{c.text.clone()}</code>{err}</li> }
                })
                .collect_view();
            let checks = sr
                .checks
                .iter()
                .map(|c| {
                    let (class, mark) = match (&c.failure, reached) {
                        (_, false) => ("check pending", "○"),
                        (None, true) => ("check pass", "✓"),
                        (Some(_), true) => ("check fail", "✗"),
                    };
                    let msg = c
                        .failure
                        .clone()
                        .filter(|_| reached)
                        .map(|f| view! { <div class="fail-msg">{f}</div> });
                    let tip = if reached {
                        String::new()
                    } else {
                        u.pending.to_string()
                    };
                    view! {
                        <li class=class title=tip>
                            <span class="mark">{mark}</span>
                            <code>{c.text.clone()}</code>
                            {msg}
                        </li>
                    }
                })
                .collect_view();
            let quiz_view = step
                .quiz
                .as_ref()
                .map(|q| quiz_box(lang, i, q, sr.quiz.as_ref(), reached, quiz));
            let n = sr.checks.len();
            let ok = sr.checks.iter().filter(|c| c.failure.is_none()).count();
            let (sum_class, sum) = match (reached, ok == n) {
                _ if n == 0 => ("none", String::new()),
                (false, _) => ("pending", format!("○ {n}")),
                (true, true) => ("pass", format!("✓ {ok}/{n}")),
                (true, false) => ("fail", format!("✗ {ok}/{n}")),
            };
            view! {
                <div class="step-no">
                    {step_of(lang, i + 1, total)}
                    <span class=format!("sum {sum_class}") title=u.expectations>{sum}</span>
                </div>
                <h2 class="step-title">{step.title.get(lang).to_string()}</h2>
                <p class="say">{step.say.get(lang).trim().to_string()}</p>
                {quiz_view}
                <h4>{u.commands}</h4>
                <ul class="commands">{commands}</ul>
                <h4>{u.expectations}</h4>
                <ul class="checks" data-testid="checks">{checks}</ul>
            }
            .into_any()
        }
    };

    let problems_view = (!problems.is_empty()).then(|| {
        let items = problems
            .iter()
            .map(|p| view! { <li>{p.clone()}</li> })
            .collect_view();
        view! {
            <div class="banner error" data-testid="lesson-error">
                <strong>{tr(|u| u.lesson_error)}</strong>
                <ul>{items}</ul>
            </div>
        }
    });

    view! {
        <main class="player" data-lesson=lesson.id.clone()>
            <div class="player-head">
                <div class="titles">
                    <a class="crumb" href="#/">{tr(|u| u.nav_lessons)} " /"</a>
                    <h1 data-testid="lesson-title">{move || lesson.title.get(lang.get()).to_string()}</h1>
                </div>
                <LeaderBadge sim=sim layout=layout />
                {passed.then(|| view! { <span class="passed" title=tr(|u| u.lesson_passed)>"✓ " {tr(|u| u.lesson_passed)}</span> })}
            </div>
            {problems_view}
            <div class="player-grid">
                <div class="stage-col">
                    <Stage sim=sim layout=layout />
                    <Controls sim=sim jumps=jumps />
                    <GroupPanel sim=sim />
                    <ZnodeInspector sim=sim />
                    <TxnLogs sim=sim />
                    <InvariantsPanel sim=sim />
                    <KafkaMetricsPanel sim=sim />
                    <StoragePanels sim=sim />
                    <Legend layout=layout />
                </div>
                <aside class="side-col">
                    <section class="panel narration" data-testid="narration">
                        <nav class="dots">{dots}</nav>
                        <details class="about">
                            <summary>{tr(|u| u.about)}</summary>
                            <p>{move || lesson.intro.get(lang.get()).trim().to_string()}</p>
                        </details>
                        {narration}
                    </section>
                    <EventLog sim=sim />
                </aside>
            </div>
        </main>
    }
}
