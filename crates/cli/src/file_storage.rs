//! The file backend of a log directory: the engine's storage operations applied to real
//! files (append through the page cache, truncate, whole writes, fsync on `Sync`). The
//! in-memory backend is `zkafka_engine::kafka::log::storage::MemStorage`; both get the same
//! operations, so they hold the same bytes.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use zkafka_engine::kafka::log::files::Files;
use zkafka_engine::kafka::log::storage::{Storage, StorageError, StorageOp};

/// Files under `root`.
pub struct FileStorage {
    root: PathBuf,
}

impl FileStorage {
    /// A backend writing under `root` (created if missing).
    pub fn new(root: &Path) -> Result<Self, StorageError> {
        fs::create_dir_all(root).map_err(|e| err(root, e))?;
        Ok(FileStorage {
            root: root.to_path_buf(),
        })
    }
}

fn err(path: &Path, e: std::io::Error) -> StorageError {
    StorageError {
        path: path.display().to_string(),
        error: e.to_string(),
    }
}

impl Storage for FileStorage {
    fn apply(&mut self, op: &StorageOp) -> Result<(), StorageError> {
        let path = |p: &str| self.root.join(p);
        match op {
            StorageOp::Write { path: p, bytes } => {
                let p = path(p);
                if let Some(dir) = p.parent() {
                    fs::create_dir_all(dir).map_err(|e| err(dir, e))?;
                }
                fs::write(&p, bytes).map_err(|e| err(&p, e))
            }
            StorageOp::Append { path: p, bytes } => {
                let p = path(p);
                let mut f = OpenOptions::new()
                    .append(true)
                    .open(&p)
                    .map_err(|e| err(&p, e))?;
                f.write_all(bytes).map_err(|e| err(&p, e))
            }
            StorageOp::Truncate { path: p, len } => {
                let p = path(p);
                let f = OpenOptions::new()
                    .write(true)
                    .open(&p)
                    .map_err(|e| err(&p, e))?;
                f.set_len(*len).map_err(|e| err(&p, e))
            }
            StorageOp::Delete { path: p } => {
                let p = path(p);
                fs::remove_file(&p).map_err(|e| err(&p, e))?;
                // A partition directory whose last file went goes too (`-delete` dirs).
                if let Some(dir) = p.parent()
                    && dir != self.root
                    && fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
                {
                    let _ = fs::remove_dir(dir);
                }
                Ok(())
            }
            StorageOp::Sync { path: p } => {
                let p = path(p);
                fs::File::open(&p)
                    .and_then(|f| f.sync_all())
                    .map_err(|e| err(&p, e))
            }
        }
    }

    fn snapshot(&self) -> Result<Files, StorageError> {
        let mut out = Files::new();
        read_tree(&self.root, &self.root, &mut out)?;
        Ok(out)
    }
}

/// Every file under `dir`, by path relative to `root` with `/` separators.
pub fn read_tree(root: &Path, dir: &Path, out: &mut Files) -> Result<(), StorageError> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| err(dir, e))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            read_tree(root, &p, out)?;
        } else {
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.insert(rel, fs::read(&p).map_err(|e| err(&p, e))?);
        }
    }
    Ok(())
}
