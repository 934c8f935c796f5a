//! The bundled lessons, loaded once.

use std::sync::OnceLock;
use zkafka_engine::lesson::{self, Lesson, LessonError};

/// Every bundled lesson (or why it failed to load), in file order.
pub fn all() -> &'static [Result<Lesson, LessonError>] {
    static ALL: OnceLock<Vec<Result<Lesson, LessonError>>> = OnceLock::new();
    ALL.get_or_init(lesson::bundled)
}

/// The lesson with this id.
pub fn by_id(id: &str) -> Option<&'static Lesson> {
    all()
        .iter()
        .filter_map(|l| l.as_ref().ok())
        .find(|l| l.id == id)
}

/// The first sentence of a text (English or Chinese punctuation).
pub fn first_sentence(text: &str) -> String {
    let t = text.trim();
    let mut end = t.len();
    for (i, c) in t.char_indices() {
        let next = t[i + c.len_utf8()..].chars().next();
        let stop = match c {
            '。' | '！' | '？' => true,
            '.' | '!' | '?' => next.is_none_or(char::is_whitespace),
            _ => false,
        };
        if stop {
            end = i + c.len_utf8();
            break;
        }
    }
    t[..end].to_string()
}
