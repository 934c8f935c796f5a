//! The kafka-python peer (`tests/kafka-python/peer.py`, installed by
//! `./.ci/setup.sh --peers`), shared by the tests that compare with it.

// Each test crate that includes this module uses a part of it.
#![allow(dead_code)]

use rand_chacha::ChaCha8Rng;
use rand_core::RngCore;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// `tests/kafka-python/peer.py` running in kafka-python's venv.
pub struct Peer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Peer {
    /// Starts the peer; `None` when it is not installed and `ZKAFKA_SKIP_PEERS` is set
    /// (it panics when it is not installed otherwise).
    pub fn start() -> Option<Peer> {
        Peer::start_with_hash_seed(None)
    }

    /// Starts the peer with `PYTHONHASHSEED` set, for outputs that depend on Python's
    /// string hashing (set iteration order).
    pub fn start_with_hash_seed(seed: Option<u32>) -> Option<Peer> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("kafka-python");
        let python = std::env::var_os("ZKAFKA_PEER_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.join(".venv/bin/python"));
        if !python.exists() {
            if std::env::var_os("ZKAFKA_SKIP_PEERS").is_some() {
                return None;
            }
            panic!(
                "kafka-python is not installed at {}: run ./.ci/setup.sh --peers \
                 (or set ZKAFKA_SKIP_PEERS=1)",
                python.display()
            );
        }
        let mut command = Command::new(python);
        if let Some(seed) = seed {
            command.env("PYTHONHASHSEED", seed.to_string());
        }
        let mut child = command
            .arg(dir.join("peer.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("starts peer.py");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Some(Peer {
            child,
            stdin,
            stdout,
        })
    }

    /// Sends one request and reads its answer.
    pub fn ask(&mut self, req: Value) -> Value {
        writeln!(self.stdin, "{req}").expect("writes to peer");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("reads from peer");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("peer said {line:?}: {e}"))
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A number below `n`.
pub fn draw(rng: &mut ChaCha8Rng, n: u32) -> u32 {
    rng.next_u32() % n
}
