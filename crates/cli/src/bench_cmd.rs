//! `zkafka bench`: how fast the engine runs the bundled lessons (events per second of wall
//! time), and how much a recorded run holds. A measurement, never a test.

use std::time::Instant;
use zkafka_engine::lesson::{self, run_lesson};

pub fn run(iterations: u32) -> u8 {
    let lessons: Vec<_> = lesson::bundled()
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    if lessons.is_empty() {
        eprintln!("error: no lessons to run");
        return 2;
    }
    out!(
        "{:<24} {:>8} {:>10} {:>12} {:>14}",
        "lesson",
        "runs",
        "events",
        "ms/run",
        "events/s"
    );
    for l in &lessons {
        // One untimed run first so the numbers below do not include first-touch costs.
        let events = run_lesson(l, l.seed).timeline.recorded();
        let start = Instant::now();
        let mut total_events = 0u64;
        for i in 0..iterations.max(1) {
            total_events += std::hint::black_box(run_lesson(l, l.seed + u64::from(i)))
                .timeline
                .recorded();
        }
        let secs = start.elapsed().as_secs_f64();
        let runs = f64::from(iterations.max(1));
        let total_events = total_events as f64;
        out!(
            "{:<24} {:>8} {:>10} {:>12.1} {:>14.0}",
            l.id,
            iterations.max(1),
            events,
            secs * 1000.0 / runs,
            total_events / secs.max(1e-9)
        );
    }
    out!(
        "(events: a run with the lesson's own seed; runs use seeds seed..seed+runs; events/s counts every run's events)"
    );
    0
}
