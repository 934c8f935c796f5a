//! `zkafka lesson list` and `zkafka lesson run`.

use crate::RunOpts;
use crate::output;
use zkafka_engine::i18n::Lang;
use zkafka_engine::lesson::{self, Lesson, run_lesson};

pub fn list(lang: Lang) -> u8 {
    let mut code = 0;
    for l in lesson::bundled() {
        match l {
            Ok(l) => out!(
                "{:<24} {}  [{}]",
                l.id,
                l.title.get(lang),
                l.covers.join(" ")
            ),
            Err(e) => {
                eprintln!("error: {e}");
                code = 2;
            }
        }
    }
    code
}

fn load(id: &str) -> Result<Lesson, String> {
    if id.ends_with(".toml") {
        let src = std::fs::read_to_string(id).map_err(|e| format!("cannot read {id}: {e}"))?;
        return lesson::load(id, &src).map_err(|e| e.to_string());
    }
    match lesson::find(id) {
        Some(r) => r.map_err(|e| e.to_string()),
        None => {
            let ids: Vec<String> = lesson::bundled()
                .into_iter()
                .flatten()
                .map(|l| l.id)
                .collect();
            Err(format!("no lesson `{id}` (there are: {})", ids.join(", ")))
        }
    }
}

pub fn run(id: &str, opts: &RunOpts) -> u8 {
    let lesson = match load(id) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let seed = opts.seed.unwrap_or(lesson.seed);
    let result = run_lesson(&lesson, seed);
    let trace = result.timeline.trace();
    let lang = opts.lang;
    if !opts.json {
        out!("== {} ({}, seed {seed})", lesson.title.get(lang), lesson.id);
        out!("{}\n", lesson.intro.get(lang).trim());
    }
    let mut failures = Vec::new();
    for (i, (step, run)) in lesson.steps.iter().zip(&result.steps).enumerate() {
        if !opts.json {
            out!(
                "-- Step {}/{}: {}",
                i + 1,
                lesson.steps.len(),
                step.title.get(lang)
            );
            for para in step.say.get(lang).trim().lines() {
                out!("   {para}");
            }
            if let Some(q) = &step.quiz {
                let quiz = if lang == zkafka_engine::i18n::Lang::Zh {
                    "预测"
                } else {
                    "Predict"
                };
                out!("   {quiz}: {}", q.question.get(lang).trim());
                for (k, c) in q.choices.iter().enumerate() {
                    out!("     {}) {c}", (b'a' + k as u8) as char);
                }
            }
        }
        for c in &run.commands {
            output::events(&trace[c.events.start as usize..c.events.end as usize], opts);
            if let Some(e) = &c.error {
                failures.push(format!("{}:{}: `{}`: {e}", lesson.id, c.line, c.text));
            }
        }
        for c in &run.checks {
            if !opts.json {
                match &c.failure {
                    None => out!("   ok   {}", c.text),
                    Some(f) => out!("   FAIL {}: {f}", c.text),
                }
            }
            if let Some(f) = &c.failure {
                failures.push(format!("{}:{}: expect {}: {f}", lesson.id, c.line, c.text));
            }
        }
        if let (Some(q), Some(qr)) = (&step.quiz, &run.quiz) {
            let word = if lang == zkafka_engine::i18n::Lang::Zh {
                "答案"
            } else {
                "Answer"
            };
            match (qr.correct, &qr.problem) {
                (Some(k), None) if !opts.json => out!(
                    "   {word}: {}) {} ({})",
                    (b'a' + k as u8) as char,
                    q.choices[k],
                    q.answer_text
                ),
                (_, Some(p)) => {
                    if !opts.json {
                        out!("   FAIL quiz: {p}");
                    }
                    failures.push(format!("{}: step {} quiz: {p}", lesson.id, i + 1));
                }
                _ => {}
            }
        }
        if !opts.json {
            out!();
        }
    }
    if result.steps.len() < lesson.steps.len() {
        failures.push(format!(
            "stopped after step {} of {}",
            result.steps.len(),
            lesson.steps.len()
        ));
    }
    if opts.json {
        out!("{}", output::hash_line(trace));
    } else {
        let checks: usize = result.steps.iter().map(|s| s.checks.len()).sum();
        let verdict = if failures.is_empty() { "PASS" } else { "FAIL" };
        out!(
            "{verdict}: {} steps, {checks} expectations, {} events, trace_hash {}",
            result.steps.len(),
            trace.len(),
            result.trace_hash()
        );
    }
    if lesson.measure.as_deref() == Some("zero-copy") && !opts.json {
        crate::bench_storage::lesson_measurement();
    }
    for f in &failures {
        eprintln!("{f}");
    }
    if failures.is_empty() { 0 } else { 1 }
}
