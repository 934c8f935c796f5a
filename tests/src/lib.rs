//! Helpers shared by the cross-crate tests: the golden trace hashes and running a lesson
//! by id.

use zkafka_engine::lesson::{self, LessonRun, run_lesson};

/// The recorded trace hashes: `(lesson id, seed, trace hash)`. Native and wasm runs must
/// both reproduce them. Regenerate after a deliberate engine change with
/// `ZKAFKA_BLESS=1 cargo test -p zkafka-tests --test determinism`.
pub const GOLDEN: &str = include_str!("../golden/trace_hashes.txt");

/// The golden entries, parsed.
pub fn golden() -> Vec<(String, u64, String)> {
    GOLDEN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(parts.len(), 3, "golden line `{l}` needs: lesson seed hash");
            (
                parts[0].to_string(),
                parts[1].parse().expect("seed"),
                parts[2].to_string(),
            )
        })
        .collect()
}

/// Runs a bundled lesson by id.
pub fn run(id: &str, seed: u64) -> LessonRun {
    let lesson = lesson::find(id)
        .unwrap_or_else(|| panic!("no lesson {id}"))
        .unwrap_or_else(|e| panic!("{e}"));
    run_lesson(&lesson, seed)
}
