//! `zkafka bench storage`: "why Kafka is fast", measured on this machine (Linux). A
//! benchmark, never a test; it prints progress bars and a summary table.
//!
//! - Append: the broker's append path as the file backend does it (each producer batch,
//!   already encoded, stamped with its base offset and leader epoch in place as
//!   `LogValidator` does for v2, written to the segment through the page cache, with
//!   `.index` entries by `LogSegment.append`'s rule) against a raw sequential write of the
//!   same bytes with the same block size. Target: append >= 80% of raw.
//! - Fetch: a file region sent over a loopback TCP connection by `read()` + `write()`
//!   through a 64 KiB user buffer, against `sendfile()` (Kafka's `FileChannel.transferTo`);
//!   the file is in the page cache first, as recent data is. Throughput and the sending
//!   thread's CPU time (user + system, `getrusage(RUSAGE_THREAD)`). Target: sendfile >=
//!   1.5x the throughput of read+write.

use indicatif::{ProgressBar, ProgressStyle};
use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zkafka_engine::kafka::format::batch::stamp;
use zkafka_engine::kafka::record::{Batch, Record};

const MIB: u64 = 1 << 20;

fn bar(len: u64, msg: &str) -> ProgressBar {
    let b = ProgressBar::new(len);
    b.set_style(
        ProgressStyle::with_template("{msg:<28} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    b.set_message(msg.to_string());
    b
}

/// One producer batch of 16 records with 1 KiB values, encoded as record batch v2.
fn template() -> Vec<u8> {
    let records = (0..16)
        .map(|i| Record {
            key: Some(format!("key-{i}")),
            value: Some("x".repeat(1024)),
            timestamp: 1_700_000_000_000,
        })
        .collect();
    Batch::new(0, 0, records).encode()
}

fn thread_cpu() -> Duration {
    match nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_THREAD) {
        Ok(u) => {
            let us = |t: nix::sys::time::TimeVal| {
                Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
            };
            us(u.user_time()) + us(u.system_time())
        }
        Err(_) => Duration::ZERO,
    }
}

/// Times writing a new file at `path` with `body` (through the page cache; fsync at the
/// end when asked), then removes it; returns seconds.
fn timed_write(
    path: &Path,
    fsync: bool,
    body: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<f64> {
    let start = Instant::now();
    let mut f = File::create(path)?;
    body(&mut f)?;
    if fsync {
        f.sync_all()?;
    }
    let secs = start.elapsed().as_secs_f64();
    fs::remove_file(path)?;
    Ok(secs)
}

/// `batches` copies of `tpl` written to a new file at `path`.
fn write_copies(path: &Path, tpl: &[u8], batches: u64) -> std::io::Result<()> {
    let mut f = File::create(path)?;
    for _ in 0..batches {
        f.write_all(tpl)?;
    }
    Ok(())
}

/// The broker's append path; returns seconds.
fn append_run(
    dir: &Path,
    tpl: &[u8],
    batches: u64,
    fsync: bool,
    pb: &ProgressBar,
) -> std::io::Result<f64> {
    let index_path = dir.join("00000000000000000000.index");
    let secs = timed_write(&dir.join("00000000000000000000.log"), fsync, |log| {
        let mut index = Vec::new();
        let mut buf = tpl.to_vec();
        let count = 16u64;
        let (mut position, mut since_index) = (0u64, 0u64);
        for i in 0..batches {
            let base = i * count;
            stamp(&mut buf, base as i64, 0);
            if since_index > 4096 {
                index.extend_from_slice(&((base + count - 1) as u32).to_be_bytes());
                index.extend_from_slice(&(position as u32).to_be_bytes());
                since_index = 0;
            }
            log.write_all(&buf)?;
            since_index += buf.len() as u64;
            position += buf.len() as u64;
            pb.inc(buf.len() as u64);
        }
        fs::write(&index_path, &index)
    })?;
    fs::remove_file(&index_path)?;
    Ok(secs)
}

/// A raw sequential write of the same bytes in the same blocks; returns seconds.
fn raw_run(
    dir: &Path,
    tpl: &[u8],
    batches: u64,
    fsync: bool,
    pb: &ProgressBar,
) -> std::io::Result<f64> {
    timed_write(&dir.join("raw.bin"), fsync, |f| {
        for _ in 0..batches {
            f.write_all(tpl)?;
            pb.inc(tpl.len() as u64);
        }
        Ok(())
    })
}

#[derive(Clone, Copy)]
enum Send {
    ReadWrite,
    Sendfile,
}

/// Sends `len` bytes of `path` over loopback TCP; returns (seconds, sender CPU seconds).
fn fetch_run(path: &Path, len: u64, how: Send, pb: &ProgressBar) -> std::io::Result<(f64, f64)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let reader = std::thread::spawn(move || -> std::io::Result<u64> {
        let mut s = TcpStream::connect(addr)?;
        let mut buf = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        loop {
            let n = s.read(&mut buf)?;
            if n == 0 {
                return Ok(total);
            }
            total += n as u64;
        }
    });
    let (mut sock, _) = listener.accept()?;
    let mut file = File::open(path)?;
    let cpu0 = thread_cpu();
    let start = Instant::now();
    let mut sent = 0u64;
    match how {
        Send::ReadWrite => {
            let mut buf = vec![0u8; 64 * 1024];
            while sent < len {
                let want = buf.len().min((len - sent) as usize);
                let n = file.read(&mut buf[..want])?;
                if n == 0 {
                    break;
                }
                sock.write_all(&buf[..n])?;
                sent += n as u64;
                pb.inc(n as u64);
            }
        }
        Send::Sendfile => {
            let mut offset: i64 = 0;
            while sent < len {
                let chunk = (len - sent).min(8 * MIB) as usize;
                let n = nix::sys::sendfile::sendfile(&sock, &file, Some(&mut offset), chunk)
                    .map_err(std::io::Error::from)?;
                if n == 0 {
                    break;
                }
                sent += n as u64;
                pb.inc(n as u64);
            }
        }
    }
    sock.shutdown(std::net::Shutdown::Write)?;
    let secs = start.elapsed().as_secs_f64();
    let cpu = (thread_cpu() - cpu0).as_secs_f64();
    let got = reader
        .join()
        .map_err(|_| std::io::Error::other("reader thread panicked"))??;
    if got != sent {
        return Err(std::io::Error::other(format!(
            "sent {sent} bytes, received {got}"
        )));
    }
    Ok((secs, cpu))
}

fn mbps(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / MIB as f64 / secs.max(1e-9)
}

/// `zkafka bench storage`.
pub fn run(size_mib: u64, dir: Option<PathBuf>, fsync: bool, rounds: u32) -> u8 {
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("zkafka-bench-{}", std::process::id()))
    });
    if let Err(e) = fs::create_dir_all(&dir) {
        eprintln!("error: {}: {e}", dir.display());
        return 2;
    }
    let result = measure(&dir, size_mib.max(1), fsync, rounds.max(1));
    let _ = fs::remove_dir_all(&dir);
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

fn measure(dir: &Path, size_mib: u64, fsync: bool, rounds: u32) -> std::io::Result<()> {
    let tpl = template();
    let batches = size_mib * MIB / tpl.len() as u64;
    let bytes = batches * tpl.len() as u64;
    out!(
        "storage bench in {}: {} MiB per run, {}-byte batches (16 records of 1 KiB), best of {rounds}{}",
        dir.display(),
        bytes / MIB,
        tpl.len(),
        if fsync {
            ", fsync at the end"
        } else {
            ", page cache only (Kafka's default: no fsync)"
        }
    );
    let (mut best_append, mut best_raw) = (f64::MAX, f64::MAX);
    for r in 0..rounds {
        let pb = bar(bytes, &format!("append (log) {}/{rounds}", r + 1));
        best_append = best_append.min(append_run(dir, &tpl, batches, fsync, &pb)?);
        pb.finish_and_clear();
        let pb = bar(bytes, &format!("raw write {}/{rounds}", r + 1));
        best_raw = best_raw.min(raw_run(dir, &tpl, batches, fsync, &pb)?);
        pb.finish_and_clear();
    }
    // The fetch source: a segment-sized file, read once so it is in the page cache.
    let src = dir.join("fetch.log");
    write_copies(&src, &tpl, batches)?;
    let mut warm = Vec::new();
    File::open(&src)?.read_to_end(&mut warm)?;
    drop(warm);
    let (mut rw, mut sf) = ((f64::MAX, 0.0), (f64::MAX, 0.0));
    for r in 0..rounds {
        let pb = bar(bytes, &format!("fetch read+write {}/{rounds}", r + 1));
        let m = fetch_run(&src, bytes, Send::ReadWrite, &pb)?;
        pb.finish_and_clear();
        if m.0 < rw.0 {
            rw = m;
        }
        let pb = bar(bytes, &format!("fetch sendfile {}/{rounds}", r + 1));
        let m = fetch_run(&src, bytes, Send::Sendfile, &pb)?;
        pb.finish_and_clear();
        if m.0 < sf.0 {
            sf = m;
        }
    }
    let append_ratio = mbps(bytes, best_append) / mbps(bytes, best_raw);
    let fetch_ratio = mbps(bytes, sf.0) / mbps(bytes, rw.0);
    let cpu_ratio = rw.1 / sf.1.max(1e-9);
    out!("");
    out!("{:<22} {:>12} {:>14}", "path", "MiB/s", "sender CPU s");
    out!(
        "{:<22} {:>12.0} {:>14}",
        "append (log)",
        mbps(bytes, best_append),
        "-"
    );
    out!(
        "{:<22} {:>12.0} {:>14}",
        "raw sequential write",
        mbps(bytes, best_raw),
        "-"
    );
    out!(
        "{:<22} {:>12.0} {:>14.3}",
        "fetch read+write",
        mbps(bytes, rw.0),
        rw.1
    );
    out!(
        "{:<22} {:>12.0} {:>14.3}",
        "fetch sendfile",
        mbps(bytes, sf.0),
        sf.1
    );
    out!("");
    out!(
        "append / raw write:     {:.2} ({:.0}%; target >= 80%: {})",
        append_ratio,
        append_ratio * 100.0,
        if append_ratio >= 0.8 {
            "met"
        } else {
            "NOT met"
        }
    );
    out!(
        "sendfile / read+write:  {:.2}x throughput (target >= 1.5x: {}), {:.2}x less sender CPU",
        fetch_ratio,
        if fetch_ratio >= 1.5 { "met" } else { "NOT met" },
        cpu_ratio
    );
    Ok(())
}

/// (seconds, sender CPU seconds) of one fetch run.
type Timing = (f64, f64);

/// The measured line the zero-copy lesson prints in the CLI: 64 MiB sent each way once.
pub fn lesson_measurement() {
    let dir = std::env::temp_dir().join(format!("zkafka-lesson-{}", std::process::id()));
    let measured = (|| -> std::io::Result<(Timing, Timing, u64)> {
        fs::create_dir_all(&dir)?;
        let tpl = template();
        let batches = 64 * MIB / tpl.len() as u64;
        let bytes = batches * tpl.len() as u64;
        let src = dir.join("fetch.log");
        write_copies(&src, &tpl, batches)?;
        let hidden = ProgressBar::hidden();
        let rw = fetch_run(&src, bytes, Send::ReadWrite, &hidden)?;
        let sf = fetch_run(&src, bytes, Send::Sendfile, &hidden)?;
        Ok((rw, sf, bytes))
    })();
    let _ = fs::remove_dir_all(&dir);
    match measured {
        Ok((rw, sf, bytes)) => out!(
            "measured on this machine (64 MiB over loopback TCP; `zkafka bench storage` for more): read+write {:.0} MiB/s, sendfile {:.0} MiB/s, {:.2}x the throughput with {:.2}x less CPU in the sending thread",
            mbps(bytes, rw.0),
            mbps(bytes, sf.0),
            mbps(bytes, sf.0) / mbps(bytes, rw.0),
            rw.1 / sf.1.max(1e-9)
        ),
        Err(e) => eprintln!("(could not measure zero-copy here: {e})"),
    }
}
