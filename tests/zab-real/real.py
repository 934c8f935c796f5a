#!/usr/bin/env python3
"""Run the ZAB fault scenarios against a REAL ZooKeeper 3.8 ensemble.

Each scenario (tests/zab-real/scenarios/NN-name.zkafka) is a script in zkafka's command
language plus harness directives in comments (`#> observe`, ...; see README.md). This
harness plays it on three real ZooKeeper JVMs on 127.0.0.1 (Debian's `zookeeper`
package) and prints the normalised outcome lines, the same lines that
tests/tests/zab_real.rs prints for the engine.

Usage:
  real.py FILE.zkafka [...]    print the outcome lines of each scenario
  real.py --all                re-record expected/NN-name.out for every scenario
  real.py --check [FILE ...]   rerun and compare with expected/ (races as declared)
  real.py --keep FILE          keep the temp dir (configs, data dirs, JVM output)

Every run uses fresh temp dirs and free loopback ports, and kills every process it
started (by pid / process group) in `finally`, also on errors and timeouts.
Needs: Debian package `zookeeper` (3.8.0), java 17, python 3 (standard library only).
"""

import argparse
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
SCENARIOS = os.path.join(HERE, "scenarios")
EXPECTED = os.path.join(HERE, "expected")

ZK_HOME = "/usr/share/zookeeper"
ZKCLI = os.path.join(ZK_HOME, "bin", "zkCli.sh")
ZK_JAR = "/usr/share/java/zookeeper.jar"
CLASSPATH = "/etc/zookeeper/conf:" + ZK_JAR
JAVA = shutil.which("java") or "/usr/bin/java"

# `zk config` keys that are JVM system properties in ZooKeeper, not zoo.cfg keys
JVM_PROPERTIES = {
    "minNotificationInterval": "zookeeper.fastleader.minNotificationInterval",
    "maxNotificationInterval": "zookeeper.fastleader.maxNotificationInterval",
}

POLL_S = 0.1  # how often the monitor asks every live server `srvr`
QUIET_S = 0.3  # output silence that ends a zkCli command


def log(msg):
    print(f"[zab-real] {msg}", file=sys.stderr, flush=True)


class ScenarioError(Exception):
    pass


# ---------------------------------------------------------------------------------------
# 4lw


def free_port(taken):
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            p = s.getsockname()[1]
        if p not in taken:
            taken.add(p)
            return p


def four_letter(port, word, timeout=0.5):
    """The answer to a four-letter word, or None when nothing answers (refused, reset,
    timed out)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
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


def parse_srvr(text):
    """(mode, zxid): mode is leader / follower / observer / standalone, `not-serving`
    for "This ZooKeeper instance is not currently serving requests", `no-answer` when
    nothing answered; zxid is an int or None."""
    if not text:
        return ("no-answer", None)
    if "not currently serving requests" in text:
        return ("not-serving", None)
    mode = re.search(r"^Mode: (\w+)", text, re.M)
    zxid = re.search(r"^Zxid: (0x[0-9a-f]+)", text, re.M)
    if not mode:
        return ("unknown", None)
    return (mode.group(1), int(zxid.group(1), 16) if zxid else None)


# ---------------------------------------------------------------------------------------
# The ensemble


class Ensemble:
    def __init__(self, n, workdir):
        self.n = n
        self.workdir = workdir
        taken = set()
        # (client, quorum, election) port of each server
        self.ports = {s: (free_port(taken), free_port(taken), free_port(taken)) for s in self.sids()}
        self.cfg = {"tickTime": 2000, "initLimit": 10, "syncLimit": 5}
        self.props = {}  # JVM system properties
        self.procs = {}
        self.outs = {}
        self.paused = set()
        self.lock = threading.Lock()

    def sids(self):
        return list(range(1, self.n + 1))

    def client_port(self, sid):
        return self.ports[sid][0]

    def dir(self, sid):
        return os.path.join(self.workdir, f"zk{sid}")

    def config_text(self, sid):
        d = self.dir(sid)
        data = os.path.join(d, "data")
        if not os.path.isdir(data):
            os.makedirs(data)
            with open(os.path.join(data, "myid"), "w") as f:
                f.write(f"{sid}\n")
        lines = [f"{k}={v}" for k, v in self.cfg.items()] + [
            f"dataDir={data}",
            f"clientPort={self.client_port(sid)}",
            "clientPortAddress=127.0.0.1",
            "4lw.commands.whitelist=*",
            "admin.enableServer=false",
        ]
        for s in self.sids():
            _, q, e = self.ports[s]
            lines.append(f"server.{s}=127.0.0.1:{q}:{e}")
        return "\n".join(lines) + "\n"

    def running(self, sid):
        p = self.procs.get(sid)
        return p is not None and p.poll() is None

    def start(self, sids, timeout=60.0):
        """Starts these servers at the same moment, as `start` does in the engine.
        Launched together, JVMs finish loading their classes hundreds of ms apart (three
        of them on two cores), so a server that has never run gets its `currentEpoch`
        file (dataDir/version-2) as a named pipe: QuorumPeer.loadDataBase reads it just
        before it opens the client port and starts the election. The harness waits until
        every new JVM has opened its pipe, then writes `0` (what ZooKeeper writes itself
        when the file is missing) to all of them at once. Returns how long each server
        took from then until its client port answered."""
        for sid in sids:
            if self.running(sid):
                raise ScenarioError(f"zk{sid} is already running")
        fifos = {}
        for sid in sids:
            d = self.dir(sid)
            logs = os.path.join(d, "logs")
            os.makedirs(logs, exist_ok=True)
            cfg = os.path.join(d, "zoo.cfg")
            with open(cfg, "w") as f:
                f.write(self.config_text(sid))
            snap = os.path.join(d, "data", "version-2")
            epoch = os.path.join(snap, "currentEpoch")
            if not os.path.isdir(snap):
                os.makedirs(snap)
                os.mkfifo(epoch)
                fifos[sid] = epoch
            cmd = [
                JAVA,
                f"-Dzookeeper.log.dir={logs}",
                "-Dzookeeper.log.file=server.log",
                "-Dzookeeper.admin.enableServer=false",
                *(f"-D{k}={v}" for k, v in self.props.items()),
                "-Xmx256m",
                "-cp", CLASSPATH,
                "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                cfg,
            ]
            out = open(os.path.join(logs, "server.out"), "ab")
            env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
            env.pop("JVMFLAGS", None)
            env.pop("SERVER_JVMFLAGS", None)
            with self.lock:
                self.outs.setdefault(sid, []).append(out)
                self.procs[sid] = subprocess.Popen(
                    cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                    cwd=d, env=env, start_new_session=True,
                )
        deadline = time.time() + timeout
        fds = {}
        try:
            for sid, fifo in fifos.items():
                fds[sid] = self.open_fifo(sid, fifo, deadline)
            for fd in fds.values():
                os.write(fd, b"0\n")
        finally:
            for fd in fds.values():
                os.close(fd)
        released = time.time()
        up = {}
        while len(up) < len(sids):
            for sid in sids:
                if sid not in up and four_letter(self.client_port(sid), "srvr", 0.2) is not None:
                    up[sid] = time.time()
                if self.procs[sid].poll() is not None or time.time() > deadline:
                    raise ScenarioError(f"zk{sid} did not come up")
            time.sleep(0.005)
        return {sid: t - released for sid, t in up.items()}

    def open_fifo(self, sid, path, deadline):
        """Opens the pipe for writing once the JVM has opened it for reading."""
        while True:
            try:
                return os.open(path, os.O_WRONLY | os.O_NONBLOCK)  # ENXIO: no reader yet
            except OSError:
                if self.procs[sid].poll() is not None or time.time() > deadline:
                    raise ScenarioError(f"zk{sid} never read its currentEpoch file")
                time.sleep(0.005)

    def crash(self, sid):
        """kill -9."""
        p = self.procs.get(sid)
        if p is None or p.poll() is not None:
            raise ScenarioError(f"zk{sid} does not run")
        with self.lock:
            p.send_signal(signal.SIGKILL)
            self.paused.discard(sid)
        p.wait(timeout=10)

    def pause(self, sid):
        """SIGSTOP: the monitor stops asking it first (a frozen server would only make
        the question time out)."""
        if not self.running(sid) or sid in self.paused:
            raise ScenarioError(f"zk{sid} does not run")
        with self.lock:
            self.paused.add(sid)
            self.procs[sid].send_signal(signal.SIGSTOP)

    def resume(self, sid):
        if sid not in self.paused:
            raise ScenarioError(f"zk{sid} is not paused")
        with self.lock:
            self.procs[sid].send_signal(signal.SIGCONT)
            self.paused.discard(sid)

    def status(self, sid, timeout=0.5):
        """(mode, zxid) as `srvr` shows it, `no-answer` when the process runs but
        nothing answers, or `down` / `paused`."""
        with self.lock:
            if sid in self.paused:
                return ("paused", None)
            if not self.running(sid):
                return ("down", None)
        answer = four_letter(self.client_port(sid), "srvr", timeout)
        return ("no-answer", None) if answer is None else parse_srvr(answer)

    def stop_all(self):
        for sid, p in self.procs.items():
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGKILL)  # also ends a SIGSTOPped JVM
                except ProcessLookupError:
                    pass
        for p in self.procs.values():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        for outs in self.outs.values():
            for o in outs:
                o.close()


class Monitor(threading.Thread):
    """Asks every live, unpaused server `srvr` every POLL_S seconds and remembers when a
    server was first seen leading each epoch."""

    def __init__(self, ens):
        super().__init__(daemon=True)
        self.ens = ens
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.first_leading = {}  # epoch -> (time, sid)
        self.latest = {}

    def run(self):
        while not self.stop_flag.is_set():
            self.sample()
            self.stop_flag.wait(POLL_S)

    def sample(self):
        now = time.time()
        seen = {}
        for sid in self.ens.sids():
            mode, zxid = self.ens.status(sid)
            seen[sid] = (mode, zxid)
            if mode == "leader" and zxid is not None:
                with self.lock:
                    self.first_leading.setdefault(zxid >> 32, (now, sid))
        with self.lock:
            self.latest = seen
        return seen

    def max_epoch(self):
        with self.lock:
            return max(self.first_leading, default=0)

    def leading_after(self, epoch):
        """(time, sid, epoch) of the first leader seen in an epoch newer than `epoch`."""
        with self.lock:
            newer = sorted((t, s, e) for e, (t, s) in self.first_leading.items() if e > epoch)
        return newer[0] if newer else None


# ---------------------------------------------------------------------------------------
# zkCli


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

    def text(self, start=0):
        with self.lock:
            return self.buf[start:].decode("utf-8", errors="replace")

    def size(self):
        with self.lock:
            return len(self.buf)

    def idle_for(self):
        with self.lock:
            return time.time() - self.last


class Client:
    """A real zkCli.sh (`-waitforconnection`) fed on stdin; stdout and stderr on one pipe."""

    def __init__(self, name, hosts, timeout_ms, workdir):
        self.name = name
        env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
        env.pop("CLIENT_JVMFLAGS", None)
        env.pop("JVMFLAGS", None)
        cmd = ["bash", ZKCLI, "-waitforconnection", "-timeout", str(timeout_ms), "-server", hosts]
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            cwd=workdir, env=env, start_new_session=True,
        )
        self.out = Collector(self.proc.stdout)
        self.out.start()

    def wait_banner(self, timeout=60.0):
        deadline = time.time() + timeout
        while "JLine support is" not in self.out.text():
            if self.proc.poll() is not None or time.time() > deadline:
                raise ScenarioError(f"zkCli {self.name} did not connect:\n" + self.out.text())
            time.sleep(0.02)
        self.wait_quiet(deadline)

    def wait_quiet(self, deadline):
        t0 = time.time()
        while True:
            time.sleep(0.02)
            if self.proc.poll() is not None:
                return
            if time.time() - t0 >= QUIET_S and self.out.idle_for() >= QUIET_S:
                return
            if time.time() > deadline:
                raise ScenarioError(f"zkCli {self.name} never fell silent")

    def command(self, line, timeout=60.0):
        """Types one line; returns what zkCli printed until it fell silent."""
        mark = self.out.size()
        try:
            self.proc.stdin.write((line + "\n").encode("utf-8"))
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise ScenarioError(f"zkCli {self.name} has exited")
        self.wait_quiet(time.time() + timeout)
        return self.out.text(mark)

    def notices(self):
        """The connection-state notices its watcher printed, in order."""
        return re.findall(r"^WatchedEvent state:(\w+) type:None path:null$", self.out.text(), re.M)

    def stop(self):
        """EOF ends zkCli (without closing the session), and bash reaps its java; then
        the process group (bash and its java, start_new_session) is killed in case."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


DATE_RE = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d\d \d\d:\d\d:\d\d [A-Z]{2,5} \d{4}\b"
)


def zkcli_lines(text):
    """A command's own output: SLF4J noise and watch notices dropped (notices are
    reported by `#> client`), dates and session ids normalised as tests/zkcli does."""
    out = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        l = lines[i]
        if l == "" and i + 1 < len(lines) and (
            lines[i + 1] == "WATCHER::" or lines[i + 1].startswith("WatchedEvent ")
        ):
            i += 2
            continue
        i += 1
        if l.startswith("SLF4J: "):
            continue
        l = DATE_RE.sub("<DATE>", l)
        if re.fullmatch(r"ephemeralOwner = 0x(?!0$)[0-9a-f]{1,15}", l):
            l = "ephemeralOwner = <SESSION>"
        out.append(l)
    return out


# ---------------------------------------------------------------------------------------
# Scenarios


def parse_duration(text):
    m = re.fullmatch(r"(\d+)(ms|s|m)", text)
    if not m:
        raise ScenarioError(f"not a duration: {text}")
    n = int(m.group(1))
    return n / 1000.0 if m.group(2) == "ms" else n * (60 if m.group(2) == "m" else 1)


def servers(text):
    out = []
    for w in text.split(","):
        m = re.fullmatch(r"zk(\d+)", w)
        if not m:
            raise ScenarioError(f"not a server: {w}")
        out.append(int(m.group(1)))
    return out


def client_id(text):
    m = re.fullmatch(r"c(\d+)", text)
    if not m:
        raise ScenarioError(f"not a client: {text}")
    return text


def scenario_lines(path):
    """(line number, kind, text): kind is `command`, `directive` or `accept`."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f.read().split("\n"), 1):
            s = raw.strip()
            if s.startswith("#>"):
                d = s[2:].strip()
                out.append((n, "accept" if d.startswith("accept ") else "directive", d))
            elif s and not s.startswith("#"):
                out.append((n, "command", s))
    return out


class Run:
    """One scenario on a real ensemble."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.ens = None
        self.monitor = None
        self.clients = {}
        self.out = []  # [header, outcome lines, accepts of its directive]
        self.fault = None  # (time, epoch before it)

    # -- the outcome lines ---------------------------------------------------------------

    def emit(self, header, lines):
        self.out.append([header, lines, []])

    def observe(self):
        seen = {sid: self.ens.status(sid, timeout=2.0) for sid in self.ens.sids()}
        lines = []
        for sid, (mode, zxid) in seen.items():
            lines.append(f"zk{sid} {mode}" + (f" 0x{zxid:x}" if zxid is not None else ""))
        return lines + [self.leader_line(seen)]

    def leader_line(self, seen=None):
        seen = seen or {sid: self.ens.status(sid) for sid in self.ens.sids()}
        leaders = [(sid, z) for sid, (m, z) in seen.items() if m == "leader"]
        if not leaders:
            return "no leader"
        return " ".join(f"leader zk{sid} epoch {z >> 32}" for sid, z in leaders)

    def since_fault(self):
        if self.fault is None:
            raise ScenarioError("since-fault: no fault yet")
        t_fault, epoch = self.fault
        cfg = self.ens.cfg
        limit_s = (cfg["syncLimit"] * cfg["tickTime"] - cfg["tickTime"] / 2) / 1000.0
        hit = self.monitor.leading_after(epoch)
        if hit is None:
            return ["no new leader since the fault"]
        t, sid, e = hit
        when = "before any" if t - t_fault < limit_s else "after a"
        log(f"since-fault: zk{sid} led epoch {e} {t - t_fault:.2f}s after the fault")
        return [f"new leader zk{sid} in epoch {e}, {when} read timeout (syncLimit x tickTime)"]

    def session_of(self, name):
        """(sid, session id) of the server the client is connected to, from `cons`."""
        if len(self.clients) != 1:
            raise ScenarioError("the real side tells clients apart only when there is one")
        found = []
        for sid in self.ens.sids():
            mode, _ = self.ens.status(sid)
            if mode in ("down", "paused", "no-answer"):
                continue
            cons = four_letter(self.ens.client_port(sid), "cons") or ""
            for m in re.finditer(r"sid=0x([0-9a-f]+)", cons):
                if int(m.group(1), 16) != 0:
                    found.append((sid, int(m.group(1), 16)))
        if len(found) > 1:
            raise ScenarioError(f"{name} seems connected to several servers: {found}")
        return found[0] if found else (None, None)

    def client_lines(self, name):
        c = self.clients[name]
        notices = c.notices()
        state = {"SyncConnected": "CONNECTED", "Disconnected": "DISCONNECTED",
                 "Expired": "EXPIRED", "Closed": "CLOSED"}.get(notices[-1] if notices else "", "CONNECTING")
        line = f"{name} {state}"
        if state == "CONNECTED":
            sid, _ = self.session_of(name)
            if sid is None:
                raise ScenarioError(f"{name}: zkCli says connected but no server lists it")
            line += f" to a {self.ens.status(sid)[0]}"
        return [line, f"{name} notices: " + " ".join(notices)]

    def ephemerals(self):
        leaders = [s for s in self.ens.sids() if self.ens.status(s)[0] == "leader"]
        if len(leaders) != 1:
            raise ScenarioError("ephemerals: no single leader")
        dump = four_letter(self.ens.client_port(leaders[0]), "dump") or ""
        part = dump.split("Sessions with Ephemerals", 1)[-1].split("Connections dump:", 1)[0]
        owners = {}
        cur = None
        for l in part.split("\n")[1:]:
            if re.fullmatch(r"0x[0-9a-f]+:", l.strip()):
                cur = int(l.strip()[2:-1], 16)
            elif l.startswith("\t") and cur is not None:
                owners.setdefault(cur, []).append(l.strip())
        names = {}
        for name in self.clients:
            _, session = self.session_of(name)
            if session is not None:
                names[session] = name
        if not owners:
            return ["no ephemerals"]
        return [
            f"ephemerals of {names.get(s, 'another session')}: " + " ".join(sorted(p))
            for s, p in sorted(owners.items(), key=lambda kv: names.get(kv[0], "~"))
        ]

    # -- commands ------------------------------------------------------------------------

    def set_fault(self):
        self.monitor.sample()
        self.fault = (time.time(), self.monitor.max_epoch())

    def command(self, text):
        w = text.split()
        if w[:2] == ["zk", "ensemble"]:
            if len(w) != 3:
                raise ScenarioError("the real side runs `zk ensemble N` without observers")
            self.ens = Ensemble(int(w[2]), self.workdir)
            self.monitor = Monitor(self.ens)
            self.monitor.start()
        elif w[:2] == ["zk", "config"]:
            if len(w) != 4 or w[2] not in ("tickTime", "initLimit", "syncLimit", *JVM_PROPERTIES):
                raise ScenarioError(
                    "the real side sets tickTime, initLimit, syncLimit, "
                    + ", ".join(JVM_PROPERTIES) + f", not {w[2]}")
            if w[2] in JVM_PROPERTIES:
                self.ens.props[JVM_PROPERTIES[w[2]]] = int(w[3])
            else:
                self.ens.cfg[w[2]] = int(w[3])
        elif w[0] == "start":
            sids = self.ens.sids() if w[1:] == ["all"] else servers(w[1])
            up = self.ens.start([sid for sid in sids if not self.ens.running(sid)])
            log("started: " + ", ".join(f"zk{s} {t:.3f}s" for s, t in sorted(up.items())))
            if len(up) > 1 and max(up.values()) - min(up.values()) > 0.3:
                log("WARNING: the servers began their elections more than 300 ms apart; "
                    "a late zk3 can miss the election (see README, `start`)")
        elif w[0] == "crash":
            (sid,) = servers(w[1])
            self.set_fault()
            self.ens.crash(sid)
        elif w[0] == "pause":
            (sid,) = servers(w[1])
            self.set_fault()
            self.ens.pause(sid)
        elif w[0] == "resume":
            (sid,) = servers(w[1])
            self.ens.resume(sid)
        elif w[:3] == ["run", "until", "leader"]:
            within = 120.0
            if "within" in w:
                within = parse_duration(w[w.index("within") + 1])
            self.run_until_leader(within)
        elif w[0] == "run" and len(w) == 2:
            time.sleep(parse_duration(w[1]))
        elif w[:2] == ["zk", "client"]:
            name = client_id(w[2])
            sids = servers(w[4])
            timeout_ms = 30000
            if "session-timeout" in w:
                timeout_ms = int(w[w.index("session-timeout") + 1])
            hosts = ",".join(f"127.0.0.1:{self.ens.client_port(s)}" for s in sids)
            c = Client(name, hosts, timeout_ms, self.workdir)
            self.clients[name] = c
            c.wait_banner()
        elif w[0] == "zkcli":
            name = client_id(w[1])
            line = text.split(None, 2)[2]
            return zkcli_lines(self.clients[name].command(line))
        else:
            raise ScenarioError(f"the real side does not know `{text}`")
        return None

    def run_until_leader(self, within):
        """A leader in a newer epoch than any seen when the run began, and followers
        enough to make a quorum with it."""
        base = self.monitor.max_epoch()
        quorum = self.ens.n // 2 + 1
        deadline = time.time() + within
        while time.time() < deadline:
            seen = self.monitor.sample()
            leaders = [z >> 32 for m, z in seen.values() if m == "leader" and z is not None]
            followers = sum(1 for m, _ in seen.values() if m == "follower")
            if any(e > base for e in leaders) and followers + 1 >= quorum:
                return
            time.sleep(POLL_S)
        raise ScenarioError(f"no leader elected within {within}s: {seen}")

    def directive(self, text):
        w = text.split()
        if w == ["observe"]:
            return self.observe()
        if w == ["leader"]:
            return [self.leader_line()]
        if w == ["since-fault"]:
            return self.since_fault()
        if w[0] == "client" and len(w) == 2:
            return self.client_lines(w[1])
        if w == ["ephemerals"]:
            return self.ephemerals()
        if w[0] == "crash-client-server" and len(w) == 2:
            sid, _ = self.session_of(w[1])
            if sid is None:
                raise ScenarioError(f"{w[1]} is not connected")
            role = self.ens.status(sid)[0]
            self.set_fault()
            self.ens.crash(sid)
            log(f"crash-client-server: killed zk{sid}")
            return [f"killed the server {w[1]} was connected to, a {role}"]
        raise ScenarioError(f"unknown directive `#> {text}`")

    def play(self, path):
        for n, kind, text in scenario_lines(path):
            try:
                if kind == "accept":
                    if not self.out:
                        raise ScenarioError("`#> accept` before any outcome")
                    self.out[-1][2].append(parse_accept(text))
                elif kind == "directive":
                    self.emit(f"line {n}: {text}", self.directive(text))
                else:
                    printed = self.command(text)
                    if printed is not None:
                        self.emit(f"line {n}: {text}", printed)
            except ScenarioError as e:
                raise ScenarioError(f"{os.path.basename(path)}:{n}: `{text}`: {e}")

    def stop(self):
        if self.monitor is not None:
            self.monitor.stop_flag.set()
            self.monitor.join(timeout=5)
        for c in self.clients.values():
            c.stop()
        if self.ens is not None:
            self.ens.stop_all()


def parse_accept(text):
    """`accept PATTERN -- WHY` -> (pattern, why)."""
    body = text[len("accept "):]
    if " -- " not in body:
        raise ScenarioError("`#> accept PATTERN -- WHY`: the why is required")
    pattern, why = body.split(" -- ", 1)
    return (pattern.strip(), why.strip())


def pattern_regex(pattern):
    """`{a|b}` in a pattern matches a or b; everything else is literal."""
    out = ""
    for lit, alts in re.findall(r"([^{]*)(?:\{([^}]*)\})?", pattern):
        out += re.escape(lit)
        if alts:
            out += "(?:" + "|".join(re.escape(a) for a in alts.split("|")) + ")"
    return re.compile(out + r"\Z")


def render(out, races=True):
    """The expected-file text: each outcome's header, its lines indented; a line that an
    `accept` of its directive matches is written as that pattern, after a `# race:` line
    (with races=False: the lines as they were)."""
    text = []
    for header, lines, accepts in out:
        text.append(header)
        for l in lines:
            acc = next((a for a in accepts if races and pattern_regex(a[0]).match(l)), None)
            if acc:
                text.append(f"  # race: {acc[1]}")
                text.append(f"  {acc[0]}")
            else:
                text.append(f"  {l}")
    return "".join(t + "\n" for t in text)


def compare(expected, actual):
    """Differences between an expected file (comments skipped, `{a|b}` alternatives)
    and actual outcome text; [] when they agree."""
    exp = [l for l in expected.split("\n") if l.strip() and not l.strip().startswith("#")]
    act = [l for l in actual.split("\n") if l.strip() and not l.strip().startswith("#")]
    diffs = []
    for i in range(max(len(exp), len(act))):
        e = exp[i] if i < len(exp) else "<end>"
        a = act[i] if i < len(act) else "<end>"
        if not pattern_regex(e).match(a):
            diffs.append(f"  expected: {e}\n  actual:   {a}")
    return diffs


def run_scenario(path, keep=False):
    tmp = tempfile.mkdtemp(prefix="zab-real-")
    run = Run(tmp)
    try:
        run.play(path)
    finally:
        run.stop()
        if keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return run.out


def all_scenarios():
    return sorted(
        os.path.join(SCENARIOS, f) for f in os.listdir(SCENARIOS) if f.endswith(".zkafka")
    )


def expected_path(scenario):
    return os.path.join(EXPECTED, os.path.basename(scenario)[: -len(".zkafka")] + ".out")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*")
    ap.add_argument("--all", action="store_true", help="re-record expected/*.out for every scenario")
    ap.add_argument("--check", action="store_true", help="rerun and compare with expected/*.out")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    a = ap.parse_args()

    files = a.files or (all_scenarios() if (a.all or a.check) else [])
    if not files:
        ap.error("give scenario files, or --all / --check")
    if not os.path.exists(ZK_JAR) or not os.path.exists(ZKCLI):
        sys.exit(f"{ZK_JAR} missing: apt-get install -y --no-install-recommends zookeeper")

    failed = 0
    t_all = time.time()
    for f in files:
        name = os.path.basename(f)
        t0 = time.time()
        try:
            out = run_scenario(f, keep=a.keep)
        except ScenarioError as e:
            failed += 1
            log(f"{name}: ERROR {e}")
            continue
        text = render(out, races=a.all)
        dt = time.time() - t0
        if a.all:
            os.makedirs(EXPECTED, exist_ok=True)
            head = (f"# {name} on a real ZooKeeper 3.8 ensemble (tests/zab-real/real.sh --all).\n"
                    "# `{a|b}`: either is right (a race of the real ensemble, see the `# race:` line).\n")
            with open(expected_path(f), "w", encoding="utf-8") as fh:
                fh.write(head + text)
            log(f"{name}: wrote {os.path.relpath(expected_path(f))} ({dt:.1f}s)")
        elif a.check:
            with open(expected_path(f), encoding="utf-8") as fh:
                exp = fh.read()
            diffs = compare(exp, text)
            if diffs:
                failed += 1
                log(f"{name}: DIFFERENT ({dt:.1f}s)")
                print("\n".join(diffs))
                sys.stdout.write(text)
            else:
                log(f"{name}: same ({dt:.1f}s)")
        else:
            if len(files) > 1:
                print(f"==> {name} <==")
            sys.stdout.write(text)
            log(f"{name}: {dt:.1f}s")
    log(f"{len(files) - failed} passed, {failed} failed, {time.time() - t_all:.1f}s in all")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
