//! `zkafka log dump <dir|file> [--print-data-log]` (what kafka-dump-log.sh prints) and
//! `zkafka log verify <dir>` (recovery's checks and the index checks, exit 1 on a problem),
//! and the file backend of `zkafka run --log-dir`.

use crate::file_storage::{FileStorage, read_tree};
use std::path::Path;
use zkafka_engine::kafka::log::dump::{dump_file, verify_partition};
use zkafka_engine::kafka::log::files::Files;
use zkafka_engine::kafka::log::storage::{Storage, diff};
use zkafka_engine::sim::world::World;

/// The files under `path` (a file alone, or a directory tree), by path relative to its
/// parent (for a file) or itself.
fn files_at(path: &Path) -> Result<Files, String> {
    if path.is_file() {
        let mut f = Files::new();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        f.insert(
            name,
            std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?,
        );
        return Ok(f);
    }
    let mut f = Files::new();
    read_tree(path, path, &mut f).map_err(|e| e.to_string())?;
    Ok(f)
}

fn is_segment_file(name: &str) -> bool {
    name.ends_with(".log")
        || name.ends_with(".index")
        || name.ends_with(".timeindex")
        || name.ends_with(".txnindex")
}

/// `zkafka log dump`.
pub fn dump(path: &Path, print_data: bool) -> u8 {
    let files = match files_at(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let mut any = false;
    for (name, bytes) in &files {
        if path.is_dir() && !is_segment_file(name) {
            continue;
        }
        any = true;
        let shown = if path.is_file() {
            path.to_path_buf()
        } else {
            path.join(name)
        };
        out!("Dumping {}", shown.display());
        match dump_file(name, bytes, print_data) {
            Ok(lines) => {
                for l in lines {
                    out!("{l}");
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        }
    }
    if !any {
        eprintln!(
            "error: {} holds no .log, .index or .timeindex file",
            path.display()
        );
        return 2;
    }
    0
}

/// `zkafka log verify`: every partition directory under `path`.
pub fn verify(path: &Path) -> u8 {
    let files = match files_at(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    // Group by the directory holding each segment file.
    let mut dirs: std::collections::BTreeMap<String, Files> = Default::default();
    for (name, bytes) in files {
        let (dir, file) = name.rsplit_once('/').unwrap_or(("", name.as_str()));
        if is_segment_file(file) {
            dirs.entry(dir.to_string())
                .or_default()
                .insert(file.to_string(), bytes);
        }
    }
    if dirs.is_empty() {
        eprintln!("error: {} holds no partition directory", path.display());
        return 2;
    }
    let mut bad = false;
    for (dir, files) in &dirs {
        let shown = if dir.is_empty() {
            path.to_path_buf()
        } else {
            path.join(dir)
        };
        let problems = verify_partition(files);
        if problems.is_empty() {
            let segments = files.keys().filter(|n| n.ends_with(".log")).count();
            out!("{}: ok ({segments} segment(s))", shown.display());
        } else {
            bad = true;
            for p in problems {
                out!("{}: {p}", shown.display());
            }
        }
    }
    u8::from(bad)
}

/// The file backend of a run: after each command, the brokers' log directories
/// (`<dir>/broker<N>/`) are brought to what the engine's logs hold.
pub struct LogDirSync {
    storage: FileStorage,
    last: Files,
}

impl LogDirSync {
    /// Starts an empty sync into `root` (which must be empty or missing, so nothing
    /// already there is overwritten).
    pub fn new(root: &Path) -> Result<Self, String> {
        if root.exists()
            && std::fs::read_dir(root)
                .map_err(|e| format!("{}: {e}", root.display()))?
                .next()
                .is_some()
        {
            return Err(format!(
                "{} is not empty: give --log-dir a new or empty directory",
                root.display()
            ));
        }
        Ok(LogDirSync {
            storage: FileStorage::new(root).map_err(|e| e.to_string())?,
            last: Files::new(),
        })
    }

    /// Every broker's files now.
    pub fn picture(w: &World) -> Files {
        let mut out = Files::new();
        for id in w.broker_ids() {
            if let Some(b) = w.broker(id) {
                for (p, bytes) in b.log_dir_files() {
                    out.insert(format!("broker{id}/{p}"), bytes);
                }
            }
        }
        out
    }

    /// Applies what changed since the last call.
    pub fn sync(&mut self, w: &World) -> Result<(), String> {
        let now = Self::picture(w);
        for op in diff(&self.last, &now) {
            self.storage.apply(&op).map_err(|e| e.to_string())?;
        }
        self.last = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkafka_engine::kafka::log::storage::MemStorage;
    use zkafka_engine::script::parse::parse_script;
    use zkafka_engine::script::run::execute;
    use zkafka_engine::sim::timeline::Timeline;

    const SCRIPT: &str = "\
kafka cluster 2
kafka config batch.size 300
start all
topic create orders partitions 2 rf 2 segment.bytes 1024 retention.ms 60000
topic create prices partitions 1 rf 1 segment.bytes 300 cleanup.policy compact delete.retention.ms 1000
produce orders key k value v count 60
produce prices key a value 1
run 40s
produce orders key k value w count 30
produce prices key a
run 2s
halt broker1
run 1s
start broker1
run 6m
stop broker2
run 1s
start broker2
run 10s
";

    /// The file backend and the in-memory backend get the same operations and end with
    /// the same bytes, which are what the engine's logs say; a power cut in the middle
    /// (the last appends were not written back yet) cuts both the same way.
    #[test]
    fn file_and_memory_backends_hold_identical_bytes() {
        let root = std::env::temp_dir().join(format!("zkafka-logdir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let mut files = LogDirSync::new(&root).unwrap();
        let mut mem = MemStorage::default();
        let mut last = Files::new();
        let mut t = Timeline::new(3);
        let mut cut = false;
        let mut marker = false;
        for line in parse_script(SCRIPT, 1).unwrap() {
            execute(&mut t, &line.command).unwrap();
            files.sync(t.world()).unwrap();
            let now = LogDirSync::picture(t.world());
            for op in diff(&last, &now) {
                if matches!(
                    op,
                    zkafka_engine::kafka::log::storage::StorageOp::Truncate { .. }
                ) {
                    cut = true;
                }
                mem.apply(&op).unwrap();
            }
            last = now;
            marker |= last.contains_key("broker2/.kafka_cleanshutdown");
            let on_disk = files.storage.snapshot().unwrap();
            assert_eq!(on_disk, mem.snapshot().unwrap(), "after `{}`", line.text);
            assert_eq!(on_disk, last, "after `{}`", line.text);
        }
        assert!(cut, "the power cut truncated a file");
        assert!(marker, "the clean stop wrote the marker");
        assert!(
            !last.contains_key("broker2/.kafka_cleanshutdown"),
            "the start deleted it"
        );
        assert!(last.keys().any(|p| p.starts_with("broker2/orders-0/")));
        assert_eq!(verify(&root), 0);
        let _ = std::fs::remove_dir_all(&root);
    }
}
