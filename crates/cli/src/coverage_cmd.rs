//! `zkafka lesson coverage`: the topic coverage table of `coverage.md` (in the project's
//! `../shared/`), computed from the lessons' `covers` lists: every topic id with the
//! lessons that cover it, ids without a lesson marked `-`. Exits 1 when a lesson names an
//! id that coverage.md does not have (or, with `--strict`, when an id has no lesson), 2
//! when coverage.md cannot be read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use zkafka_engine::lesson;

/// One topic of coverage.md.
struct Topic {
    id: String,
    section: String,
    text: String,
}

/// Reads the `- ID text` lines of coverage.md's topic sections (every `## ` section before
/// the myths).
fn topics(src: &str) -> Vec<Topic> {
    let mut out = Vec::new();
    let mut section = String::new();
    for line in src.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h.trim().to_string();
            continue;
        }
        if section.is_empty() || section.to_ascii_lowercase().starts_with("myth") {
            continue;
        }
        let Some(item) = line.strip_prefix("- ") else {
            continue;
        };
        let (id, text) = item.split_once(' ').unwrap_or((item, ""));
        let is_id = id.len() >= 2
            && id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && id[1..].chars().all(|c| c.is_ascii_digit());
        if is_id {
            out.push(Topic {
                id: id.to_string(),
                section: section.clone(),
                text: text.trim().to_string(),
            });
        }
    }
    out
}

/// Where coverage.md is looked for when no path is given: `../shared/coverage.md` from the
/// current directory, then beside the source tree the binary was built from.
fn default_paths() -> Vec<PathBuf> {
    vec![
        PathBuf::from("../shared/coverage.md"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/coverage.md"),
    ]
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

pub fn run(path: Option<&Path>, strict: bool) -> u8 {
    let candidates = match path {
        Some(p) => vec![p.to_path_buf()],
        None => default_paths(),
    };
    let Some((file, src)) = candidates
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok().map(|s| (p.clone(), s)))
    else {
        let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "error: cannot read coverage.md (tried {}); give its path with --coverage",
            tried.join(", ")
        );
        return 2;
    };
    let topics = topics(&src);
    if topics.is_empty() {
        eprintln!(
            "error: {} lists no topic ids (lines like `- Z1 ...`)",
            file.display()
        );
        return 2;
    }
    let mut by_id: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for l in lesson::bundled() {
        let l = match l {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        };
        for id in &l.covers {
            if topics.iter().any(|t| &t.id == id) {
                by_id.entry(id.clone()).or_default().push(l.id.clone());
            } else {
                unknown.push(format!(
                    "{}: covers {id}, which {} does not list",
                    l.id,
                    file.display()
                ));
            }
        }
    }
    out!("{:<5} {:<28} topic", "id", "lessons");
    let mut section = "";
    let mut counts: Vec<(String, usize, usize)> = Vec::new();
    for t in &topics {
        if t.section != section {
            section = &t.section;
            out!("");
            out!("## {section}");
            counts.push((section.to_string(), 0, 0));
        }
        let lessons = by_id
            .get(&t.id)
            .map(|v| v.join(","))
            .unwrap_or_else(|| "-".into());
        if let Some(c) = counts.last_mut() {
            c.2 += 1;
            if lessons != "-" {
                c.1 += 1;
            }
        }
        out!(
            "{:<5} {:<28} {}",
            t.id,
            shorten(&lessons, 28),
            shorten(&t.text, 90)
        );
    }
    out!("");
    let summary: Vec<String> = counts
        .iter()
        .map(|(s, covered, all)| format!("{s}: {covered} of {all} topics have a lesson"))
        .collect();
    out!("{}", summary.join("; "));
    for u in &unknown {
        eprintln!("error: {u}");
    }
    let uncovered = counts.iter().any(|(_, c, a)| c < a);
    if !unknown.is_empty() || (strict && uncovered) {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_topic_lines_and_skips_the_myths() {
        let src = "# Topic coverage\n\n## ZooKeeper\n- Z1 what it is for\n- Z2 namespace\nnot a topic\n\n## Kafka\n- K1 queues\n\n## Myths in the notes\n- \"x\": y\n";
        let t = topics(src);
        let ids: Vec<&str> = t.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, vec!["Z1", "Z2", "K1"]);
        assert_eq!(t[2].section, "Kafka");
        assert_eq!(t[0].text, "what it is for");
    }
}
