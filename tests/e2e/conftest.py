"""
End-to-end fixtures: each test gets its own folder (tmp_path) holding its
configuration, state and socket, and its own stoppvifd started from the
sanitizer build ($STOPPVIF_BUILD, default build/san of this checkout).

At teardown the daemon is stopped with SIGTERM and must exit 0 with no
AddressSanitizer, LeakSanitizer or UBSan report in its log.  Every
subprocess has a timeout and every wait loop is bounded.
"""
import json as jsonlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("STOPPVIF_BUILD", str(TOP / "build" / "san")))
STOPPVIFD = BUILD / "stoppvifd"
STOPPVIFCTL = BUILD / "stoppvifctl"
BLOBSCAN = BUILD / "tools" / "blobscan"

# scripts/check sets these; give the same defaults when pytest runs alone.
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1:exitcode=99")
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error")
# What a log line must never hold (a person's address; the daemon's own
# sender address may appear in configuration errors, so example.test only)
PHONE_IN_LOG = re.compile(r"\+\d{9,15}")
MAIL_IN_LOG = re.compile(r"[\w.+-]+@example\.test")
# Every log line's form (stoppvifd(8), Logging; test_logs.py checks it on a
# representative run).  Every test's log is held to it at stop (lines that
# do not begin with a timestamp were written by a library straight to
# stderr, e.g. librnp's parse diagnostics: not the daemon's log lines);
# STOPPVIF_LOG_FORM=0 turns the check off while a change is half done.
LOG_STAMP = re.compile(r'\d{4}-\d\d-\d\dT')
LOG_FORM = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z stoppvifd: '
                      r'[a-z_.0-9]+ [a-z_]+( [a-z_]+=("([^"\\]|\\.)*"|\S+))*$')
START_TIMEOUT = 10.0    # seconds for the daemon to answer status
STOP_TIMEOUT = 10.0     # seconds for the daemon to exit after SIGTERM
CMD_TIMEOUT = 20.0      # seconds for one stoppvifctl / stoppvifd -t run
SUN_PATH_MAX = 100      # sockaddr_un.sun_path is 108 bytes; keep a margin

BASE_CONFIG = """\
[daemon]
state_dir = state
socket = {socket}
log_level = {log_level}
{daemon_extra}
[crypto]
key_file = state/master.key

[delivery]
plugin_dir = {plugin_dir}
templates = {templates}
{delivery_extra}
{extra}"""
PLUGIN_DIR = BUILD / "plugins"
TEMPLATES = TOP / "etc" / "templates"


def tail(text, n=60):
    return "\n".join(text.splitlines()[-n:])


def sanitizer_report(text):
    """The first sanitizer marker found in text, or None."""
    for mark in SANITIZER_MARKS:
        if mark in text:
            return mark
    return None


def run(argv, timeout=CMD_TIMEOUT, input=None):
    """Run a command; returns CompletedProcess with text stdout/stderr."""
    try:
        return subprocess.run([str(a) for a in argv], input=input,
                              capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{' '.join(map(str, argv))}: no answer after "
                    f"{timeout} s (stderr so far: {e.stderr!r})")


class Daemon:
    """One stoppvifd in its own folder, and the tools to talk to it."""

    def __init__(self, folder):
        self.dir = Path(folder)
        self.conf = self.dir / "stoppvif.ini"
        self.state = self.dir / "state"
        self.db = self.state / "stoppvif.db"
        self.key = self.state / "master.key"
        self.log_path = self.dir / "stoppvifd.log"
        self.proc = None
        self.logf = None
        self._short_dir = None
        self.secrets = set()    # values the log must never hold
        run_dir = self.dir / "run"
        run_dir.mkdir(mode=0o755, exist_ok=True)
        os.chmod(run_dir, 0o755)
        sock = run_dir / "stoppvif.sock"
        if len(str(sock)) > SUN_PATH_MAX:
            # A long $TMPDIR: put the socket in a short private folder.
            self._short_dir = Path(tempfile.mkdtemp(prefix="svrun",
                                                    dir="/tmp"))
            os.chmod(self._short_dir, 0o755)
            sock = self._short_dir / "stoppvif.sock"
            self.socket_setting = str(sock)
        else:
            self.socket_setting = "run/stoppvif.sock"
        self.socket = sock
        self.write_config()

    # -- configuration ---------------------------------------------------

    def config_text(self, log_level="debug", daemon_extra="", extra="",
                    delivery_extra=""):
        return BASE_CONFIG.format(socket=self.socket_setting,
                                  log_level=log_level,
                                  daemon_extra=daemon_extra, extra=extra,
                                  plugin_dir=PLUGIN_DIR, templates=TEMPLATES,
                                  delivery_extra=delivery_extra)

    def write_config(self, text=None, path=None, **kw):
        """Write the daemon's configuration (or another file); its path."""
        if text is None:
            text = self.config_text(**kw)
        path = Path(path) if path is not None else self.conf
        path.write_text(text)
        return path

    # -- log -------------------------------------------------------------

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_size(self):
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_since(self, offset):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, needles, offset=0, timeout=10.0):
        """Wait until the log after offset holds one of needles; the text."""
        if isinstance(needles, str):
            needles = (needles,)
        deadline = time.monotonic() + timeout
        while True:
            text = self.log_since(offset)
            if any(n in text for n in needles):
                return text
            if time.monotonic() > deadline:
                pytest.fail(f"none of {needles!r} in the log after "
                            f"{timeout} s; log tail:\n{tail(self.log())}")
            time.sleep(0.05)

    # -- processes -------------------------------------------------------

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, ready="status", env=None, args=()):
        """Start stoppvifd -f; wait until `status` answers (or, with
        ready="log", until the log says it is ready).  env: extra
        environment variables; args: more arguments (--init when a test
        made the key before the database)."""
        assert not self.running(), "daemon already running"
        offset = self.log_size()
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(STOPPVIFD), "-f", "-c", str(self.conf)] + list(args),
            stdin=subprocess.DEVNULL, stdout=self.logf, stderr=self.logf,
            env=dict(os.environ, **(env or {})))
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                self._close_log()
                self.proc = None
                pytest.fail(f"stoppvifd exited {rc} at start; log tail:\n"
                            f"{tail(self.log())}")
            if ready == "status":
                if self.socket.exists():
                    r = self.ctl("status", json=True, timeout=5)
                    if r[0] == 0:
                        pid = jsonlib.loads(r[1])["pid"]
                        assert pid == self.proc.pid, \
                            f"status answered by pid {pid}, not ours"
                        return
            elif "daemon ready" in self.log_since(offset) and \
                    self.socket.exists():
                return
            if time.monotonic() > deadline:
                pytest.fail(f"stoppvifd not ready after {START_TIMEOUT} s;"
                            f" log tail:\n{tail(self.log())}")
            time.sleep(0.05)

    def start_refused(self, args=(), argv_prefix=(), timeout=10.0):
        """Start stoppvifd -f expecting a refusal at start-up; (exit code,
        output).  argv_prefix: to run it as another user (setpriv ...)."""
        r = run(list(argv_prefix) + [STOPPVIFD, "-f", "-c", self.conf] +
                list(args), timeout=timeout)
        out = r.stdout + r.stderr
        assert sanitizer_report(out) is None, out
        assert r.returncode != 0, f"stoppvifd started:\n{out}"
        assert not self.socket.exists(), "a refused start left its socket"
        return r.returncode, out

    def _close_log(self):
        if self.logf is not None:
            self.logf.close()
            self.logf = None

    def stop(self, check=True):
        """SIGTERM, wait (bounded); checks exit 0 and a clean log."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)
                self._close_log()
                pytest.fail(f"stoppvifd still running {STOP_TIMEOUT} s "
                            f"after SIGTERM; log tail:\n{tail(self.log())}")
        self._close_log()
        if check:
            self.check_log(proc.returncode)
        return proc.returncode

    def check_log(self, rc=0):
        text = self.log()
        mark = sanitizer_report(text)
        assert mark is None, (f"sanitizer report ({mark}) in "
                              f"{self.log_path}:\n{tail(text, 80)}")
        assert rc == 0, (f"stoppvifd exited {rc} after SIGTERM (log "
                         f"{self.log_path}):\n{tail(text)}")
        self.check_secrets(text)
        if os.environ.get("STOPPVIF_LOG_FORM", "1") != "0":
            bad = [x for x in text.splitlines() if LOG_STAMP.match(x) and
                   not LOG_FORM.match(x)]
            assert not bad, "log lines not in the form:\n" + "\n".join(bad)

    def check_secrets(self, text):
        """Nothing secret in the log: the values a test registered in
        self.secrets (claim codes, link tokens, ...), no phone number in
        international form and no email address of a person."""
        for secret in self.secrets:
            assert secret not in text, (f"{secret!r} is in the log "
                                        f"{self.log_path}")
        phone = PHONE_IN_LOG.search(text)
        assert phone is None, f"a phone number in the log: {phone[0]!r}"
        mail = MAIL_IN_LOG.search(text)
        assert mail is None, f"an email address in the log: {mail[0]!r}"

    def restart(self):
        self.stop()
        self.start()

    def hup(self, text=None, expect=("config reloaded", "reload_refused")):
        """Optionally write a new configuration, send SIGHUP and wait for
        the daemon to log its decision; returns the new log text."""
        if text is not None:
            self.write_config(text)
        assert self.running(), "daemon not running"
        offset = self.log_size()
        self.proc.send_signal(signal.SIGHUP)
        return self.wait_log(expect, offset)

    def ctl(self, *args, json=False, check=None, conf=None, timeout=None,
            input=None):
        """Run stoppvifctl -c CONF [--json] ARGS...; (rc, stdout, stderr).
        check: the exit code expected (None: any); input: its standard
        input (text; None: none given)."""
        argv = [STOPPVIFCTL, "-c", conf if conf is not None else self.conf]
        if json:
            argv.append("--json")
        argv += list(args)
        r = run(argv, timeout=timeout or CMD_TIMEOUT, input=input)
        mark = sanitizer_report(r.stderr)
        assert mark is None, (f"sanitizer report ({mark}) from "
                              f"stoppvifctl {args}:\n{r.stderr}")
        if check is not None:
            assert r.returncode == check, (
                f"stoppvifctl {' '.join(args)}: exit {r.returncode}, "
                f"expected {check}\nstdout: {r.stdout}\nstderr: {r.stderr}")
        return r.returncode, r.stdout, r.stderr

    def ctl_json(self, *args):
        """stoppvifctl --json ARGS that must succeed; the decoded answer."""
        rc, out, err = self.ctl(*args, json=True, check=0)
        return jsonlib.loads(out)

    def people(self, role=None):
        args = ["people", "list"] + (["--role", role] if role else [])
        return self.ctl_json(*args)

    # the audit log's reads of contact data (test_audit_chain.py checks them)
    AUDIT_READS = {"people.list", "people.show", "outbox.body",
                   "events.export"}

    def audit(self, reads=False):
        """The audit log, newest first: its changes, and with reads=True
        the reads of contact data and message bodies too."""
        log = self.ctl_json("audit", "--limit", "100000")
        return [e for e in log if reads or
                e["action"] not in self.AUDIT_READS]

    def add_person(self, **fields):
        """people add with --FIELD VALUE flags; returns the new id."""
        args = ["people", "add"]
        for k, v in fields.items():
            args += [f"--{k}", v]
        return self.ctl_json(*args)["id"]

    def db_files(self):
        return [self.db, Path(f"{self.db}-wal"), Path(f"{self.db}-shm")]

    def db_bytes(self):
        """{file name: bytes} of the database files that exist."""
        out = {}
        for p in self.db_files():
            if p.exists():
                out[p.name] = p.read_bytes()
        return out

    def http(self, method, path, body=None, headers=None, timeout=10.0):
        """One raw HTTP/1.1 request on the control socket;
        (status, headers text, body bytes)."""
        return http_unix(self.socket, method, path, body, headers, timeout)

    def cleanup(self):
        if self._short_dir is not None:
            shutil.rmtree(self._short_dir, ignore_errors=True)


def unix_send(sock_path, parts, timeout=10.0):
    """Write the bytes of parts (one bytes, or a list of them) on a new
    connection to the Unix socket, as they are, and read until the server
    closes; the whole answer.  A server that answers early and closes (413)
    makes sending the rest fail: that is ignored and the answer read."""
    if isinstance(parts, (bytes, bytearray)):
        parts = [parts]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    answer = b""
    try:
        s.connect(str(sock_path))
        try:
            for part in parts:
                s.sendall(part)
        except (BrokenPipeError, ConnectionResetError):
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            answer += chunk
    finally:
        s.close()
    return answer


def http_unix(sock_path, method, path, body=None, headers=None,
              timeout=10.0):
    """Send one request with Connection: close and read the whole answer;
    (status, headers text, body bytes)."""
    head = [f"{method} {path} HTTP/1.1", "Host: localhost",
            "Connection: close"]
    hdrs = dict(headers or {})
    if body is not None and "Transfer-Encoding" not in hdrs:
        hdrs.setdefault("Content-Length", str(len(body)))
    head += [f"{k}: {v}" for k, v in hdrs.items()]
    parts = [("\r\n".join(head) + "\r\n\r\n").encode()]
    if body is not None:
        parts += list(body) if isinstance(body, (list, tuple)) else [body]
    answer = unix_send(sock_path, parts, timeout)
    head, _, rest = answer.partition(b"\r\n\r\n")
    lines = head.decode(errors="replace").split("\r\n")
    assert lines and lines[0].startswith("HTTP/1."), \
        f"no HTTP answer: {answer[:200]!r}"
    status = int(lines[0].split()[1])
    return status, "\r\n".join(lines[1:]), rest


@pytest.fixture
def daemon_env(tmp_path):
    """A Daemon with its folder and configuration, not started."""
    for prog in (STOPPVIFD, STOPPVIFCTL):
        assert prog.is_file(), (f"{prog} missing: build it with make "
                                f"SANITIZE=address,undefined BUILD=build/san")
    d = Daemon(tmp_path)
    try:
        yield d
    finally:
        try:
            if d.proc is not None:
                d.stop()
        finally:
            d._close_log()
            d.cleanup()


@pytest.fixture
def daemon(daemon_env):
    """A started Daemon (see Daemon.ctl, .restart, .hup, .write_config)."""
    daemon_env.start()
    return daemon_env


@pytest.fixture
def ctl(daemon):
    return daemon.ctl


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "net(**kw): options of test_shelter.py's Net (shelter, "
        "daemon_extra, delivery sections; a callable is called)")
