"""
Least privilege ([daemon] user): started as root with a user set, stoppvifd
becomes that user (uid, gid and groups, read from /proc/PID/status) before
it opens anything, is not dumpable and has no core limit, and still does
its whole job (the API, a reminder through the spool, a reload); what a
hurried administrator does wrong (a user that does not exist, root as the
user, folders left to root by an earlier start, a port under 1024, the
daemon started as yet another user) is refused with the fix.

The test user and its extra group are created with useradd --system for
the test and removed after it.  The daemon's folder is under /tmp, not
under pytest's folder, which root keeps private (0700): the user must be
able to reach its files.
"""
import datetime as dt
import grp
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import STOPPVIFD, Daemon, run

BXL = ZoneInfo("Europe/Brussels")


def is_root():
    return os.geteuid() == 0


pytestmark = pytest.mark.skipif(not is_root(), reason="needs root: the "
                                "daemon is started as root, then drops")


@pytest.fixture
def svuser():
    """A system user with a supplementary group, made for one test:
    (name, uid, gid, extra gid).  Ask for it before dd, so that the daemon
    is stopped before the user is removed."""
    tag = secrets.token_hex(3)
    name, extra = f"svtu{tag}", f"svtg{tag}"
    subprocess.run(["groupadd", "--system", extra], check=True, timeout=30)
    try:
        subprocess.run(["useradd", "--system", "--no-create-home",
                        "--home-dir", "/nonexistent", "--shell",
                        "/usr/sbin/nologin", "--user-group", "-G", extra,
                        name], check=True, timeout=30)
        try:
            pw = pwd.getpwnam(name)
            yield name, pw.pw_uid, pw.pw_gid, grp.getgrnam(extra).gr_gid
        finally:
            # the daemons of the test are stopped by now (dd comes after)
            r = subprocess.run(["userdel", name], capture_output=True,
                               text=True, timeout=30)
            assert r.returncode == 0, f"userdel {name}: {r.stderr}"
    finally:
        subprocess.run(["groupdel", extra], timeout=30)


@pytest.fixture
def folder():
    """A folder the test user can reach (pytest's tmp_path is root's)."""
    f = Path(tempfile.mkdtemp(prefix="svpriv", dir="/tmp"))
    os.chmod(f, 0o755)
    try:
        yield f
    finally:
        shutil.rmtree(f, ignore_errors=True)


@pytest.fixture
def dd(folder):
    """A Daemon in that folder, stopped (and checked) at the end."""
    d = Daemon(folder)
    try:
        yield d
    finally:
        try:
            if d.proc is not None:
                d.stop()
        finally:
            d._close_log()
            d.cleanup()


def configure(d, user=None, daemon_extra="", extra=""):
    line = f"user = {user}\n" if user is not None else ""
    d.write_config(daemon_extra=line + daemon_extra, extra=extra)


def give(path, uid, gid):
    """chown -R path to uid:gid."""
    for p in [path] + list(Path(path).rglob("*")):
        os.lchown(p, uid, gid)


def proc_status(pid):
    """{field: [values]} of /proc/PID/status."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        out[k] = v.split()
    return out


def core_limit(pid):
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            return line.split()[4:6]
    raise AssertionError("no core limit line")


def check_t(d):
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    return r.returncode, r.stdout + r.stderr


def wait_sent(d, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        rows = d.ctl_json("outbox", "list")
        if rows and all(r["status"] == "sent" for r in rows):
            return rows
        if time.monotonic() > deadline:
            pytest.fail(f"not sent after {timeout} s: {rows}\n"
                        f"{d.log()[-3000:]}")
        time.sleep(0.2)


def test_root_drops_to_user_and_keeps_working(svuser, dd):
    """The Done-when: uid and gid of the user in /proc/PID/status (real,
    effective, saved, filesystem), its groups and no other (root's are
    gone), not dumpable (/proc/PID/status stays root's though the process
    is not: the kernel's sign of a non-dumpable process), no core file;
    then the API, a reminder through the spool and a reload work, and
    what it made belongs to the user."""
    name, uid, gid, extra = svuser
    give(dd.dir / "run", uid, gid)      # the socket's folder: the user's
    configure(dd, user=name)
    rc, out = check_t(dd)
    assert rc == 0 and "configuration OK" in out, out
    dd.start()
    pid = dd.proc.pid
    st = proc_status(pid)
    assert st["Uid"] == [str(uid)] * 4, st["Uid"]
    assert st["Gid"] == [str(gid)] * 4, st["Gid"]
    assert sorted(st["Groups"]) == sorted({str(gid), str(extra)}), st
    assert os.stat(f"/proc/{pid}/status").st_uid == 0   # not dumpable
    assert core_limit(pid) == ["0", "0"]
    assert (f"privileges_dropped user={name} uid={uid} gid={gid} groups=2 "
            "dumpable=0") in dd.log()
    assert "running_as=root" not in dd.log()

    person = dd.add_person(name="Anne Drop", role="referent",
                           email="anne.drop@example.test")
    start = (dt.datetime.now(BXL) + dt.timedelta(seconds=8)).replace(
        microsecond=0)
    dd.ctl_json("events", "add", "--title", "Plateforme", "--dtstart",
                start.strftime("%Y-%m-%dT%H:%M:%S"), "--remind", "5s",
                "--audience", f"person:{person}", "--channels", "email")
    wait_sent(dd)
    spool = dd.state / "spool"
    files = list(spool.iterdir())
    assert files and all(f.stat().st_uid == uid for f in files), files
    for p in (dd.state, dd.db, dd.key, dd.socket):
        assert p.stat().st_uid == uid, p
    assert stat.S_IMODE(dd.key.stat().st_mode) == 0o600
    assert "config reloaded" in dd.hup()
    dd.stop()
    # a second start finds everything its own
    dd.start()
    assert proc_status(dd.proc.pid)["Uid"] == [str(uid)] * 4


def test_root_without_user_warns_and_is_not_dumpable(dd):
    """Without user, as root, the daemon runs as before, says so at every
    start, and has no core limit all the same."""
    configure(dd)
    for _ in range(2):
        offset = dd.log_size()
        dd.start()
        assert "running_as=root" in dd.log_since(offset)
        assert core_limit(dd.proc.pid) == ["0", "0"]
        dd.stop()


def test_non_root_start_is_not_dumpable(dd):
    """Started as a plain user (no drop to make), the daemon is not
    dumpable: its /proc files stay root's, not that user's."""
    configure(dd)
    for p in (dd.dir, dd.dir / "run"):
        os.chown(p, 65534, 65534)
    dd.conf.chmod(0o644)
    dd.logf = open(dd.log_path, "ab")
    proc = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534",
                             "--clear-groups", str(STOPPVIFD), "-f", "-c",
                             str(dd.conf)], stdout=dd.logf,
                            stderr=dd.logf, stdin=subprocess.DEVNULL)
    dd.proc = proc
    dd.wait_log("daemon ready")
    assert proc_status(proc.pid)["Uid"] == ["65534"] * 4
    assert os.stat(f"/proc/{proc.pid}/status").st_uid == 0
    assert core_limit(proc.pid) == ["0", "0"]
    assert "running_as" not in dd.log()


@pytest.mark.parametrize("user,words", [
    ("svnosuchuser", "aucun utilisateur « svnosuchuser »"),
    ("root", "a l'uid 0"),
])
def test_user_that_cannot_be_is_refused(dd, user, words):
    """A user that does not exist, or root itself, is refused at -t and at
    start, with file:line and the fix."""
    configure(dd, user=user)
    line = next(i for i, l in enumerate(dd.conf.read_text().splitlines(), 1)
                if l.startswith("user ="))
    rc, out = check_t(dd)
    assert rc == 1 and f"{dd.conf}:{line}: user: " in out and words in out, \
        out
    rc, out = dd.start_refused()
    assert words in out, out
    assert not dd.state.exists()        # nothing made before the refusal


def test_folders_left_to_root_are_refused_with_the_fix(svuser, dd):
    """Clumsy: the daemon ran as root once, then user was set.  The start
    refuses (before the drop, creating nothing), naming each folder and
    file left to root and the chown that fixes it; -t says the same; after
    the chown it starts and reads the same data."""
    name, uid, gid, _ = svuser
    configure(dd)
    dd.start()
    person = dd.add_person(name="Bruno Root", role="referent",
                           email="bruno.root@example.test")
    dd.stop()
    configure(dd, user=name)
    rc, out = check_t(dd)
    assert rc == 1, out
    for p in (dd.state, dd.db, dd.dir / "run", dd.key):
        assert f"{p} appartient à l'uid 0, pas à {name}" in out, (p, out)
    assert f"chown -R {name}: {dd.state}" in out, out
    rc, out = dd.start_refused()
    assert f"chown -R {name}: {dd.state}" in out, out
    give(dd.state, uid, gid)
    give(dd.dir / "run", uid, gid)
    dd.start()
    assert proc_status(dd.proc.pid)["Uid"] == [str(uid)] * 4
    assert [p["id"] for p in dd.people()] == [person]


def test_missing_folders_are_made_for_the_user(svuser, dd):
    """A first start as root makes the state, socket and key folders for
    the user (0750, 0750, 0700), none for root."""
    name, uid, gid, _ = svuser
    shutil.rmtree(dd.dir / "run")
    text = dd.config_text(daemon_extra=f"user = {name}\n").replace(
        "key_file = state/master.key", "key_file = keys/master.key")
    dd.write_config(text)
    dd.start()
    for p, mode in ((dd.state, 0o750), (dd.dir / "run", 0o750),
                    (dd.dir / "keys", 0o700)):
        s = p.stat()
        assert (s.st_uid, s.st_gid, stat.S_IMODE(s.st_mode)) == \
            (uid, gid, mode), p
    assert (dd.dir / "keys" / "master.key").stat().st_uid == uid


def test_port_under_1024_is_refused_with_user(svuser, dd):
    """The listeners open after the drop: a port of root's is refused at -t
    with the fix, not found out at the first bind."""
    name = svuser[0]
    configure(dd, user=name, daemon_extra="inbound_listen = 127.0.0.1:80\n")
    rc, out = check_t(dd)
    assert rc == 1 and "[daemon] inbound_listen: le port 80 est réservé à " \
        "root" in out, out
    configure(dd, user=name, daemon_extra="inbound_listen = 127.0.0.1:8480\n")
    give(dd.dir / "run", *svuser[1:3])
    rc, out = check_t(dd)
    assert rc == 0, out


def test_started_as_another_user_is_refused(svuser, dd):
    """user names one account, the daemon is started as another (not
    root): it cannot become the right one, so it refuses."""
    name = svuser[0]
    configure(dd, user=name)
    for p in (dd.dir, dd.dir / "run"):
        os.chown(p, 65534, 65534)
    rc, out = dd.start_refused(argv_prefix=["setpriv", "--reuid=65534",
                                            "--regid=65534",
                                            "--clear-groups"])
    assert f"[daemon] user = {name}, mais stoppvifd tourne sous l'uid " \
        "65534" in out, out


def test_configuration_the_user_cannot_read_is_refused(svuser, dd):
    """Clumsy: the file is root's alone (0600).  The daemon would start,
    then fail at the first reload, as the user: refused at once, with the
    chgrp and chmod; 0640 with the user's group is what make install
    gives."""
    name, uid, gid, _ = svuser
    give(dd.dir / "run", uid, gid)
    configure(dd, user=name)
    dd.conf.chmod(0o600)
    rc, out = check_t(dd)
    assert rc == 1 and f"{name} ne peut pas le lire" in out and \
        f"chgrp {gid} {dd.conf} && chmod 640 {dd.conf}" in out, out
    rc, out = dd.start_refused()
    assert f"{name} ne peut pas le lire" in out, out
    os.chown(dd.conf, 0, gid)
    dd.conf.chmod(0o640)
    dd.start()
    assert "config reloaded" in dd.hup()
