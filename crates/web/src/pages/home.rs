//! The start page: every bundled lesson as a card, and a card for the sandbox.

use crate::i18n::{tr, ui, use_lang};
use crate::lessons::{all, first_sentence};
use leptos::prelude::*;

/// `#/`: the lesson list.
#[component]
pub fn Home() -> impl IntoView {
    let lang = use_lang();
    let cards = move || {
        let lang = lang.get();
        let u = ui(lang);
        all()
            .iter()
            .map(|l| match l {
                Ok(l) => {
                    let href = format!("#/lesson/{}", l.id);
                    let topics = l
                        .covers
                        .iter()
                        .map(|c| view! { <span class="chip">{c.clone()}</span> })
                        .collect_view();
                    let kind = if l.id.starts_with("kafka") { "kafka" } else { "zk" };
                    view! {
                        <article class=format!("card lesson-card {kind}") data-testid="lesson-card" data-lesson=l.id.clone()>
                            <h2 class="lesson-title">{l.title.get(lang).to_string()}</h2>
                            <p class="intro">{first_sentence(l.intro.get(lang))}</p>
                            <div class="meta">
                                <span class="label">{u.topics}</span>
                                {topics}
                                <span class="steps">{format!("{} {}", l.steps.len(), u.steps)}</span>
                            </div>
                            <a class="btn primary" href=href data-testid="play-lesson">{format!("▶ {}", u.play)}</a>
                        </article>
                    }
                    .into_any()
                }
                Err(e) => view! {
                    <article class="card lesson-card broken" data-testid="lesson-error">
                        <h2>{u.lesson_broken}</h2>
                        <pre>{e.to_string()}</pre>
                    </article>
                }
                .into_any(),
            })
            .collect_view()
    };
    view! {
        <main class="home">
            <section class="hero">
                <h1>{tr(|u| u.lessons_heading)}</h1>
                <p class="lead">{tr(|u| u.lessons_lead)}</p>
            </section>
            <section class="cards">
                {cards}
                <article class="card sandbox-card" data-testid="sandbox-card">
                    <h2>{tr(|u| u.sandbox_card_title)}</h2>
                    <p class="intro">{tr(|u| u.sandbox_card_text)}</p>
                    <pre class="sample">"zk ensemble 5\nstart all\nrun until leader elected\ncrash zk5"</pre>
                    <a class="btn" href="#/sandbox">{move || format!("{} →", ui(lang.get()).sandbox_open)}</a>
                </article>
            </section>
        </main>
    }
}
