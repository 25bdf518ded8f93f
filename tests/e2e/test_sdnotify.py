"""How stoppvifd tells its supervisor about itself: the systemd
notification protocol (READY, RELOADING, STOPPING, STATUS, WATCHDOG) on a
datagram socket of our own, and detaching from the terminal without -f."""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import STOPPVIFD, run


@pytest.fixture
def notify_socket():
    folder = Path(tempfile.mkdtemp(prefix="svnotify", dir="/tmp"))
    path = folder / "notify.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(str(path))
    s.settimeout(0.2)
    yield s, path
    s.close()
    shutil.rmtree(folder, ignore_errors=True)


def receive(sock, want, timeout=10.0):
    """Datagrams received until one holds the line `want` (bounded)."""
    got = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = sock.recv(4096).decode()
        except socket.timeout:
            continue
        got.append(msg)
        if want in msg.split("\n"):
            return got
    pytest.fail(f"no {want!r} after {timeout} s; got {got!r}")


def test_ready_reloading_stopping_watchdog(daemon_env, notify_socket):
    d = daemon_env
    sock, path = notify_socket
    d.start(env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "200000"})
    got = receive(sock, "READY=1")
    assert any("STATUS=running" in m for m in got), got
    # the watchdog is fed every half period
    got = receive(sock, "WATCHDOG=1")
    got = receive(sock, "WATCHDOG=1", timeout=2)
    # SIGHUP: RELOADING=1, then READY=1 again
    d.proc.send_signal(signal.SIGHUP)
    got = receive(sock, "READY=1")
    assert any("RELOADING=1" in m.split("\n") for m in got), got
    # a refused reload says so in STATUS
    d.write_config(daemon_extra="bogus = 1\n")
    d.proc.send_signal(signal.SIGHUP)
    got = receive(sock, "READY=1")
    assert any("reload refused" in m for m in got), got
    d.write_config()
    # SIGTERM: STOPPING=1 and exit 0
    proc = d.proc
    proc.send_signal(signal.SIGTERM)
    receive(sock, "STOPPING=1")
    proc.wait(timeout=10)
    d.proc = proc
    d.stop()


def test_watchdog_for_another_pid_is_ignored(daemon_env, notify_socket):
    d = daemon_env
    sock, path = notify_socket
    d.start(env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "100000",
                 "WATCHDOG_PID": "1"})
    receive(sock, "READY=1")
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        try:
            msg = sock.recv(4096).decode()
        except socket.timeout:
            continue
        assert "WATCHDOG=1" not in msg, msg


def test_detaches_once_ready(daemon_env):
    d = daemon_env
    env = {k: v for k, v in os.environ.items()
           if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")}
    r = subprocess.run([str(STOPPVIFD), "-c", str(d.conf)], env=env,
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    # it serves as soon as the starting process has returned
    st = d.ctl_json("status")
    pid = st["pid"]
    try:
        assert pid != os.getpid()
        # a second start is refused, on the terminal, with exit 1
        r = subprocess.run([str(STOPPVIFD), "-c", str(d.conf)], env=env,
                           capture_output=True, text=True, timeout=20)
        assert r.returncode == 1
        assert "already running" in r.stderr, r.stderr
    finally:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("detached daemon did not stop on SIGTERM")


def test_detached_start_error_reaches_terminal(daemon_env):
    d = daemon_env
    d.state.mkdir(mode=0o750, exist_ok=True)
    d.key.write_bytes(os.urandom(32))
    os.chmod(d.key, 0o644)
    env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
    r = subprocess.run([str(STOPPVIFD), "-c", str(d.conf)], env=env,
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 1
    assert str(d.key) in r.stderr, r.stderr
    assert not d.socket.exists()
