//! A lesson step's predict-the-outcome question in the player. The learner picks a
//! choice before the step has played; once the step's end is reached the engine's answer
//! (the value of the quiz's query after the step, computed by the lesson run, never typed
//! by hand) is revealed next to the pick. A learner who did not pick can ask for it.

use crate::i18n::ui;
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use zkafka_engine::i18n::Lang;
use zkafka_engine::lesson::format::Quiz;
use zkafka_engine::lesson::runner::QuizRun;

/// What the learner did with the quizzes of a lesson: picks by step, and the steps whose
/// answer was asked for without a pick.
#[derive(Clone, Copy)]
pub struct QuizState {
    /// Step index -> chosen choice index.
    pub picks: RwSignal<BTreeMap<usize, usize>>,
    /// Steps whose answer was asked for.
    pub asked: RwSignal<BTreeSet<usize>>,
}

impl QuizState {
    /// Nothing picked yet.
    pub fn new() -> QuizState {
        QuizState {
            picks: RwSignal::new(BTreeMap::new()),
            asked: RwSignal::new(BTreeSet::new()),
        }
    }
}

/// What the quiz box shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The step has not played and nothing is picked: ask.
    Ask,
    /// Picked; the step has not played yet.
    Waiting,
    /// The step has played, nothing picked, the answer not asked for.
    Reached,
    /// The answer is shown.
    Revealed,
}

/// The phase of a quiz from where the playback is and what the learner did.
pub fn phase(reached: bool, picked: bool, asked: bool) -> Phase {
    match (reached, picked || asked) {
        (true, true) => Phase::Revealed,
        (true, false) => Phase::Reached,
        (false, true) if picked => Phase::Waiting,
        (false, _) => Phase::Ask,
    }
}

/// The quiz box of step `step`.
pub fn quiz_box(
    lang: Lang,
    step: usize,
    quiz: &'static Quiz,
    run: Option<&QuizRun>,
    reached: bool,
    state: QuizState,
) -> AnyView {
    let u = ui(lang);
    let pick = state.picks.with(|p| p.get(&step).copied());
    let asked = state.asked.with(|a| a.contains(&step));
    let ph = phase(reached, pick.is_some(), asked);
    let correct = run.and_then(|r| r.correct);
    let choices = quiz
        .choices
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut class = String::from("choice");
            if pick == Some(i) {
                class.push_str(" picked");
            }
            if ph == Phase::Revealed {
                if correct == Some(i) {
                    class.push_str(" right");
                } else if pick == Some(i) {
                    class.push_str(" wrong");
                }
            }
            let done = ph == Phase::Revealed;
            view! {
                <button
                    class=class
                    data-testid="quiz-choice"
                    disabled=done
                    aria-pressed=if pick == Some(i) { "true" } else { "false" }
                    on:click=move |_| {
                        state.picks.update(|p| {
                            p.insert(step, i);
                        });
                    }
                ><code>{c.clone()}</code></button>
            }
        })
        .collect_view();
    let footer = match ph {
        Phase::Ask => view! { <p class="quiz-note">{u.q_pick}</p> }.into_any(),
        Phase::Waiting => view! { <p class="quiz-note">{u.q_waiting}</p> }.into_any(),
        Phase::Reached => view! {
            <p class="quiz-note">{u.q_pick}</p>
            <button class="btn quiz-reveal" data-testid="quiz-reveal" on:click=move |_| {
                state.asked.update(|a| {
                    a.insert(step);
                });
            }>{u.q_reveal}</button>
        }
        .into_any(),
        Phase::Revealed => {
            let verdict = pick.map(|p| {
                if Some(p) == correct {
                    view! { <strong class="verdict right">"✓ " {u.q_right}</strong> }.into_any()
                } else {
                    view! { <strong class="verdict wrong">"✗ " {u.q_wrong}</strong> }.into_any()
                }
            });
            let answer = match run.map(|r| (&r.value, &r.problem)) {
                Some((Ok(v), None)) => view! {
                    <span>{u.q_engine} ": "</span>
                    <code class="value">{v.clone()}</code>
                    <span class="query">" ← " <code>{quiz.answer_text.clone()}</code></span>
                }
                .into_any(),
                Some((_, Some(p))) | Some((Err(p), None)) => {
                    view! { <span class="problem">{u.q_problem} ": " {p.clone()}</span> }.into_any()
                }
                None => view! { <span class="problem">{u.q_problem}</span> }.into_any(),
            };
            view! { <p class="quiz-answer" data-testid="quiz-answer">{verdict} " " {answer}</p> }
                .into_any()
        }
    };
    let class = match ph {
        Phase::Revealed => "quiz revealed",
        _ => "quiz",
    };
    view! {
        <section class=class data-testid="quiz">
            <h4>{u.q_title}</h4>
            <p class="question">{quiz.question.get(lang).to_string()}</p>
            <div class="choices">{choices}</div>
            {footer}
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_waits_for_the_step_and_for_a_pick_or_a_request() {
        assert_eq!(phase(false, false, false), Phase::Ask);
        assert_eq!(phase(false, true, false), Phase::Waiting);
        assert_eq!(phase(false, false, true), Phase::Ask);
        assert_eq!(phase(true, false, false), Phase::Reached);
        assert_eq!(phase(true, true, false), Phase::Revealed);
        assert_eq!(phase(true, false, true), Phase::Revealed);
    }
}
