//! Lessons as data: the file format ([`format`]), the lessons shipped in `lessons/`
//! ([`bundled`]) and running them ([`runner`]).

pub mod format;
pub mod runner;

pub use format::{Lesson, LessonError, load};
pub use runner::{LessonRun, run_lesson};

include!(concat!(env!("OUT_DIR"), "/bundled_lessons.rs"));

/// Every bundled lesson, loaded, in file name order. Errors name the file.
pub fn bundled() -> Vec<Result<Lesson, LessonError>> {
    BUNDLED.iter().map(|(file, src)| load(file, src)).collect()
}

/// A bundled lesson by id.
pub fn find(id: &str) -> Option<Result<Lesson, LessonError>> {
    BUNDLED
        .iter()
        .find(|(file, _)| file.trim_end_matches(".toml") == id)
        .map(|(file, src)| load(file, src))
}
