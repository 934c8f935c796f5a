#!/usr/bin/env python3
"""Run zkCli transcripts against a real ZooKeeper 3.8 standalone server.

For each transcript (tests/zkcli/transcripts/NN-name.zk) this:
  1. starts a FRESH standalone server (new empty data dir, free loopback port),
  2. runs the Debian zkCli.sh (`-waitforconnection -server 127.0.0.1:PORT`),
     waits for its banner, then feeds the transcript one line at a time,
     waiting after each line until the console output has been quiet for
     --quiet seconds (so watch notifications printed by the client's event
     thread land before the next command's output),
  3. closes stdin (EOF ends zkCli; `quit` is never needed),
  4. stops the server (by pid) and removes the temp dir,
  5. normalises the merged stdout+stderr (see README.md) and prints it.

Usage:
  real.py FILE.zk [FILE.zk ...]   print normalised output of each transcript
  real.py --all                   regenerate expected/NN-name.out for every transcript
  real.py --check [FILE.zk ...]   rerun and diff against expected/ (determinism check)
  real.py --raw FILE.zk           print the un-normalised merged output
Needs: Debian package `zookeeper` (3.8.0), java 17, python 3.
"""

import argparse
import difflib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TRANSCRIPTS = os.path.join(HERE, "transcripts")
EXPECTED = os.path.join(HERE, "expected")

ZK_HOME = "/usr/share/zookeeper"
ZKCLI = os.path.join(ZK_HOME, "bin", "zkCli.sh")
CLASSPATH = "/etc/zookeeper/conf:/usr/share/java/zookeeper.jar"
JAVA = shutil.which("java") or "/usr/bin/java"

# What the real zkCli.sh prints for the connect host is replaced by zkCli's own
# default server string, which is what `zkafka zkcli` prints.
NORMAL_SERVER = "localhost:2181"


def log(msg):
    print(f"[real.py] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four_letter(port, word, timeout=1.0):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(word.encode())
            chunks = []
            while True:
                b = s.recv(4096)
                if not b:
                    break
                chunks.append(b)
            return b"".join(chunks).decode(errors="replace")
    except OSError:
        return None


class Server:
    """A fresh standalone ZooKeeper server on 127.0.0.1:<free port>."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.proc = None
        self.port = None

    def start(self, timeout=30.0):
        data = os.path.join(self.workdir, "data")
        logs = os.path.join(self.workdir, "logs")
        os.makedirs(data)
        os.makedirs(logs)
        for attempt in range(5):
            self.port = free_port()
            cfg = os.path.join(self.workdir, "zoo.cfg")
            with open(cfg, "w") as f:
                f.write(
                    "tickTime=2000\n"
                    f"dataDir={data}\n"
                    f"clientPort={self.port}\n"
                    "clientPortAddress=127.0.0.1\n"
                    "4lw.commands.whitelist=ruok,srvr,stat,mntr,envi,dump,wchc,wchp,wchs,cons\n"
                    "admin.enableServer=false\n"
                )
            cmd = [
                JAVA,
                f"-Dzookeeper.log.dir={logs}",
                "-Dzookeeper.log.file=server.log",
                "-Dzookeeper.extendedTypesEnabled=true",
                "-Dzookeeper.admin.enableServer=false",
                "-Dzookeeper.forceSync=no",
                "-Xmx256m",
                "-cp", CLASSPATH,
                "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                cfg,
            ]
            self.out = open(os.path.join(logs, "server.out"), "wb")
            env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=self.out,
                stderr=subprocess.STDOUT, cwd=self.workdir, env=env,
                start_new_session=True,
            )
            deadline = time.time() + timeout
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                if four_letter(self.port, "ruok", 0.5) == "imok":
                    srvr = four_letter(self.port, "srvr") or ""
                    if "Mode: standalone" in srvr:
                        return
                time.sleep(0.1)
            log(f"server did not come up on port {self.port} (attempt {attempt + 1})")
            self.stop()
            shutil.rmtree(data, ignore_errors=True)
            os.makedirs(data)
        raise RuntimeError("could not start ZooKeeper server")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.terminate()
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        try:
            self.out.close()
        except Exception:
            pass


def transcript_lines(path):
    """Lines sent to zkCli: blank lines and lines whose first non-blank char is
    '#' are dropped; every other line is sent verbatim (no trimming)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for raw in f.read().split("\n"):
            line = raw.rstrip("\r")
            if line.strip() == "" or line.lstrip().startswith("#"):
                continue
            out.append(line)
    return out


class Collector(threading.Thread):
    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.buf = bytearray()
        self.last = time.time()
        self.lock = threading.Lock()

    def run(self):
        fd = self.stream.fileno()
        while True:
            b = os.read(fd, 65536)
            if not b:
                break
            with self.lock:
                self.buf += b
                self.last = time.time()

    def text(self):
        with self.lock:
            return self.buf.decode("utf-8", errors="replace")

    def size(self):
        with self.lock:
            return len(self.buf)

    def data(self):
        with self.lock:
            return bytes(self.buf)

    def idle_for(self):
        with self.lock:
            return time.time() - self.last


def run_cli(port, lines, quiet, timeout, tmp):
    env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
    env.pop("CLIENT_JVMFLAGS", None)
    env.pop("JVMFLAGS", None)
    cmd = ["bash", ZKCLI, "-waitforconnection", "-server", f"127.0.0.1:{port}"]
    # stdout and stderr go to ONE pipe: Java's System.out/System.err are
    # autoflushing PrintStreams, so the pipe holds them in the order written.
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, cwd=tmp, env=env, start_new_session=True,
    )
    col = Collector(proc.stdout)
    col.start()
    deadline = time.time() + timeout
    marks = []  # output offset at the moment each transcript line was sent
    try:
        # banner: Connecting to / WATCHER SyncConnected / Welcome / JLine ...
        while "JLine support is" not in col.text():
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("zkCli did not print its banner:\n" + col.text())
            time.sleep(0.02)
        time.sleep(quiet)
        for line in lines:
            if proc.poll() is not None:
                break  # zkCli exited (quit, or a crash): later lines are not read
            marks.append(col.size())
            try:
                proc.stdin.write((line + "\n").encode("utf-8"))
                proc.stdin.flush()
            except BrokenPipeError:
                marks.pop()
                break
            t0 = time.time()
            while True:
                time.sleep(0.02)
                if proc.poll() is not None:
                    break
                if time.time() - t0 >= quiet and col.idle_for() >= quiet:
                    break
                if time.time() > deadline:
                    raise RuntimeError("timeout while running transcript:\n" + col.text())
            if proc.poll() is not None:
                break
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
        proc.wait(timeout=max(1.0, deadline - time.time()))
    finally:
        if proc.poll() is None:
            # kill zkCli.sh and the java it started (its own process group)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
    col.join(timeout=5)
    data = col.data()
    cuts = [0] + marks + [len(data)]
    segments = [data[cuts[i]:cuts[i + 1]].decode("utf-8", errors="replace")
                for i in range(len(cuts) - 1)]
    return segments, proc.returncode


DATE_RE = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d\d \d\d:\d\d:\d\d [A-Z]{2,5} \d{4}\b"
)
# A session id (standalone server id 0): non-zero, at most 15 hex digits.
# TTL owners (0xff00...) and the container marker (0x8000000000000000) have 16
# digits and are kept: they are deterministic.
EPH_OWNER_RE = re.compile(r"^ephemeralOwner = 0x(?!0$)[0-9a-f]{1,15}$")
SESSION_RE = re.compile(r"(?i)(session(?:id| id|Id)?\s*(?:=|:)?\s*)0x[0-9a-f]+")


# Lines whose presence is a race inside zkCli itself, dropped from the
# normalised output.  deleteall (ZKUtil.deleteInBatch): the multi callback
# releases the semaphore BEFORE it sets success=false, so the main thread may
# read success==true and skip this message (printed in ~75% of runs).
RACY_LINES = {"Failed to delete some node(s) in the subtree!"}

PRE_REQUEST_RE = re.compile(
    r"^(?:'(?:get|ls|stat) path \[watch\]' has been deprecated\."
    r"|'delete path \[version\]' has been deprecated\."
    r"|.* does not have the form scheme:id:perm$"
    r"|Unknown perm type: .$)"
)


def normalise_line(line, port):
    line = line.replace(f"127.0.0.1:{port}", NORMAL_SERVER)
    line = DATE_RE.sub("<DATE>", line)
    if EPH_OWNER_RE.match(line):
        line = "ephemeralOwner = <SESSION>"
    line = SESSION_RE.sub(lambda m: m.group(1) + "<SESSION>", line)
    return line


def split_lines(seg):
    """Complete lines of one output segment (every line ends with a newline;
    see normalise() for unterminated text)."""
    assert seg == "" or seg.endswith("\n")
    lines = seg.split("\n")[:-1]
    return [l for l in lines if not l.startswith("SLF4J: ") and l not in RACY_LINES]


def events_first(lines):
    """Canonical order for one command's output.

    zkCli prints a watch notification from its event thread as two atomic
    writes, "\nWATCHER::\n" and "\nWatchedEvent state:.. type:.. path:..\n",
    while the main thread prints the command's own output (e.g. `Created /x`
    on stderr).  When a command triggers a watch of the same session both
    threads write at once and the interleaving is random.  The server sends the
    notification before the reply, so the canonical order is: every
    notification block (in the order the event thread printed them) first,
    then the command's own lines in their original order.  Exception: lines
    that zkCli prints BEFORE it sends the request (PRE_REQUEST_RE: deprecation
    warnings of the old `get/ls/stat path watch` and `delete path version`
    forms, and AclParser's complaints) always come first."""
    events_a, events_b, main, pre = [], [], [], []
    i = 0
    while i < len(lines):
        if lines[i] == "" and i + 1 < len(lines) and lines[i + 1] == "WATCHER::":
            events_a.append(i)
            i += 2
        elif lines[i] == "" and i + 1 < len(lines) and lines[i + 1].startswith("WatchedEvent state:"):
            events_b.append(lines[i + 1])
            i += 2
        else:
            (pre if PRE_REQUEST_RE.match(lines[i]) else main).append(lines[i])
            i += 1
    if len(events_a) != len(events_b):
        # not a clean set of blocks: leave the segment as it was
        return lines
    out = []
    for ev in events_b:
        out += ["", "WATCHER::", "", ev]
    return pre + out + main


def normalise(segments, port, reorder=True):
    """segments[0] is the banner (deterministic: -waitforconnection makes the
    SyncConnected notice come before "Welcome"); segments[i] is what the
    i-th transcript line printed.  Text a command printed without a final
    newline (setAcl -R error messages) is carried over to the next segment,
    where the next output continues the same line, exactly as on a terminal."""
    out = []
    tail = ""
    for n, seg in enumerate(segments):
        seg = tail + seg
        cut = seg.rfind("\n") + 1
        seg, tail = seg[:cut], seg[cut:]
        lines = [normalise_line(l, port) for l in split_lines(seg)]
        if n > 0 and reorder:
            lines = events_first(lines)
        out += lines
    text = "".join(l + "\n" for l in out)
    if tail:
        text += normalise_line(tail, port)  # output ended without a newline
    return text


def run_transcript(path, quiet, timeout, raw=False, reorder=True):
    lines = transcript_lines(path)
    tmp = tempfile.mkdtemp(prefix="zkcli-real-")
    server = Server(tmp)
    try:
        server.start()
        segments, rc = run_cli(server.port, lines, quiet, timeout, tmp)
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if raw:
        return "".join(segments), rc
    return normalise(segments, server.port, reorder), rc


def all_transcripts():
    return sorted(
        os.path.join(TRANSCRIPTS, f) for f in os.listdir(TRANSCRIPTS) if f.endswith(".zk")
    )


def expected_path(zk):
    return os.path.join(EXPECTED, os.path.basename(zk)[:-3] + ".out")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--all", action="store_true", help="regenerate expected/*.out for all transcripts")
    ap.add_argument("--check", action="store_true", help="compare with expected/*.out")
    ap.add_argument("--raw", action="store_true", help="print un-normalised output")
    ap.add_argument("--no-reorder", action="store_true",
                    help="normalise but keep watch notices where they were printed (diagnostics)")
    ap.add_argument("--quiet", type=float, default=0.25,
                    help="seconds of output silence to wait after each line (default 0.25)")
    ap.add_argument("--timeout", type=float, default=120.0, help="per-transcript timeout")
    a = ap.parse_args()

    files = a.files or (all_transcripts() if (a.all or a.check) else [])
    if not files:
        ap.error("give transcript files, or --all / --check")
    if not os.path.exists(ZKCLI):
        sys.exit(f"{ZKCLI} missing: apt-get install -y --no-install-recommends zookeeper")

    failed = 0
    for f in files:
        t0 = time.time()
        out, rc = run_transcript(f, a.quiet, a.timeout, raw=a.raw, reorder=not a.no_reorder)
        dt = time.time() - t0
        if a.all:
            os.makedirs(EXPECTED, exist_ok=True)
            with open(expected_path(f), "w", encoding="utf-8") as fh:
                fh.write(out)
            log(f"{os.path.basename(f)}: wrote {os.path.relpath(expected_path(f))} ({dt:.1f}s, zkCli exit {rc})")
        elif a.check:
            with open(expected_path(f), encoding="utf-8") as fh:
                exp = fh.read()
            if exp == out:
                log(f"{os.path.basename(f)}: same ({dt:.1f}s)")
            else:
                failed += 1
                log(f"{os.path.basename(f)}: DIFFERENT ({dt:.1f}s)")
                sys.stdout.writelines(difflib.unified_diff(
                    exp.splitlines(True), out.splitlines(True), "expected", "actual"))
        else:
            if len(files) > 1:
                print(f"==> {f} <==")
            sys.stdout.write(out)
            log(f"{os.path.basename(f)}: {dt:.1f}s, zkCli exit {rc}")
    if a.check:
        log(f"{len(files) - failed} same, {failed} different")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
