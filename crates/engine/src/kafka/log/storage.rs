//! Where a log directory's files live: the [`Storage`] trait with the in-memory backend
//! ([`MemStorage`], the browser's) here and the file backend in the `zkafka` binary. The
//! engine's logs say what the files hold ([`super::files`]); [`diff`] turns the change
//! between two pictures of a directory into operations (append, truncate, write, delete,
//! fsync) that any backend applies, so the same run gives the same bytes everywhere. A power
//! cut reaches a backend as the truncations the engine decided (what the page cache had
//! not written back), since no real disk loses power here.

use super::files::Files;
use serde::Serialize;
use std::collections::BTreeMap;

/// One operation on a log directory. Paths are relative, `/`-separated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum StorageOp {
    /// Create or replace a file.
    Write {
        /// Path.
        path: String,
        /// Its bytes.
        bytes: Vec<u8>,
    },
    /// Append to a file.
    Append {
        /// Path.
        path: String,
        /// The new bytes.
        bytes: Vec<u8>,
    },
    /// Cut a file to `len` bytes.
    Truncate {
        /// Path.
        path: String,
        /// New length in bytes.
        len: u64,
    },
    /// Remove a file.
    Delete {
        /// Path.
        path: String,
    },
    /// fsync a file.
    Sync {
        /// Path.
        path: String,
    },
}

/// What a backend could not do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {error}")]
pub struct StorageError {
    /// The file.
    pub path: String,
    /// What went wrong.
    pub error: String,
}

/// A log directory's backend.
pub trait Storage {
    /// Applies one operation.
    fn apply(&mut self, op: &StorageOp) -> Result<(), StorageError>;
    /// Every file, by relative path.
    fn snapshot(&self) -> Result<Files, StorageError>;
}

/// The in-memory backend.
#[derive(Clone, Debug, Default)]
pub struct MemStorage {
    files: BTreeMap<String, Vec<u8>>,
}

impl Storage for MemStorage {
    fn apply(&mut self, op: &StorageOp) -> Result<(), StorageError> {
        let missing = |path: &str| StorageError {
            path: path.to_string(),
            error: "no such file".into(),
        };
        match op {
            StorageOp::Write { path, bytes } => {
                self.files.insert(path.clone(), bytes.clone());
            }
            StorageOp::Append { path, bytes } => self
                .files
                .entry(path.clone())
                .or_default()
                .extend_from_slice(bytes),
            StorageOp::Truncate { path, len } => self
                .files
                .get_mut(path)
                .ok_or_else(|| missing(path))?
                .truncate(*len as usize),
            StorageOp::Delete { path } => {
                self.files.remove(path).ok_or_else(|| missing(path))?;
            }
            StorageOp::Sync { path } => {
                if !self.files.contains_key(path) {
                    return Err(missing(path));
                }
            }
        }
        Ok(())
    }

    fn snapshot(&self) -> Result<Files, StorageError> {
        Ok(self.files.clone())
    }
}

/// The operations that turn directory `old` into `new`: appends where a file only grew,
/// truncations where it only shrank, whole writes otherwise, deletions of files that went.
/// Segment and checkpoint files are written in full by Kafka too when they change (a
/// checkpoint is written to a temp file and renamed, then fsynced).
pub fn diff(old: &Files, new: &Files) -> Vec<StorageOp> {
    let mut ops = Vec::new();
    for (path, bytes) in new {
        match old.get(path) {
            Some(o) if o == bytes => {}
            Some(o) if bytes.starts_with(o) && !o.is_empty() => ops.push(StorageOp::Append {
                path: path.clone(),
                bytes: bytes[o.len()..].to_vec(),
            }),
            Some(o) if o.starts_with(bytes) => ops.push(StorageOp::Truncate {
                path: path.clone(),
                len: bytes.len() as u64,
            }),
            _ => {
                ops.push(StorageOp::Write {
                    path: path.clone(),
                    bytes: bytes.clone(),
                });
                if path.ends_with("checkpoint") {
                    ops.push(StorageOp::Sync { path: path.clone() });
                }
            }
        }
    }
    for path in old.keys() {
        if !new.contains_key(path) {
            ops.push(StorageOp::Delete { path: path.clone() });
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_then_apply_reproduces_the_new_picture() {
        let mut a = Files::new();
        a.insert("x.log".into(), b"abc".to_vec());
        a.insert("gone".into(), b"1".to_vec());
        a.insert("cut.log".into(), b"abcdef".to_vec());
        let mut b = Files::new();
        b.insert("x.log".into(), b"abcdef".to_vec());
        b.insert("cut.log".into(), b"ab".to_vec());
        b.insert("new".into(), b"n".to_vec());
        let mut m = MemStorage::default();
        for op in diff(&Files::new(), &a) {
            m.apply(&op).unwrap();
        }
        let ops = diff(&a, &b);
        assert!(ops.contains(&StorageOp::Append {
            path: "x.log".into(),
            bytes: b"def".to_vec()
        }));
        assert!(ops.contains(&StorageOp::Truncate {
            path: "cut.log".into(),
            len: 2
        }));
        for op in ops {
            m.apply(&op).unwrap();
        }
        assert_eq!(m.snapshot().unwrap(), b);
    }
}
