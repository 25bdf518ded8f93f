"""Backups and restores: `stoppvifctl backup FILE` while the daemon runs
(SQLite's online backup API, stepped by the event loop) and `stoppvifd
--restore FILE` with the daemon stopped.

The Done-when: a backup taken during a 10,000-message burst restores into
a daemon that lists the same people, events and outbox state.  "The same"
is what the backup file holds: a consistent snapshot of the moment its
last step ended, while the dispatcher kept marking messages sent.  The
restored daemon must list exactly the backup's rows (its email channel
then points at a closed port, so that no row moves while it is read).

Then the refusals, from an attacker's side and a clumsy user's: another
key, a running daemon, files that are not a backup (nothing changed each
time), an existing file, a missing folder, a folder the daemon cannot
write, the state folder, a second backup while one runs, a viewer or a
coordinator asking; and the people erased after a backup, named when it
is restored."""
import datetime as dt
import json
import os
import pwd
import shutil
import socket
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest

from conftest import STOPPVIFCTL, STOPPVIFD, run
from test_db_startup import _reachable_by_nobody
from test_roles import shared, users  # noqa: F401 (fixtures)
from srv_smtp import SmtpSink

NPEOPLE = 100
NEVENTS = 100           # each reminding NPEOPLE: 10,000 messages
LEAD = 40               # seconds from now to the events' start


def backup_cmd(d, path, *flags, check=None, json_out=False):
    return d.ctl("backup", str(path), *flags, json=json_out, check=check,
                 timeout=300)


def restore(d, path):
    """stoppvifd --restore PATH on d's configuration; (rc, out, err)."""
    r = run([STOPPVIFD, "-c", d.conf, "--restore", path], timeout=300)
    assert "Sanitizer" not in r.stderr, r.stderr
    return r.returncode, r.stdout, r.stderr


def state_files(d):
    return sorted(os.listdir(d.state))


def read_db(path, sql):
    """Rows of sql on a copy of the database file at path (SQLite leaves
    nothing beside the original)."""
    tmp = Path(tempfile.mkdtemp(prefix="svbk"))
    try:
        shutil.copy(path, tmp / "copy.db")
        con = sqlite3.connect(tmp / "copy.db")
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def still_channel(port):
    """An email channel that never sends: every try is retried later, so
    the outbox keeps its state while it is compared."""
    return (f"[channel.email]\nplugin = smtp\nurl = smtp://127.0.0.1:{port}"
            "\nfrom = Coordination sociale <noreply@stoppvif.example.be>\n"
            "tls = none\n")


def ics(nevents, audience, lead):
    at = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=lead)
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for i in range(nevents):
        out += ["BEGIN:VEVENT", f"UID:b{i}@test", f"DTSTART:{stamp}",
                "DURATION:PT2H", f"SUMMARY:Réunion de réseau n°{i}",
                f"X-STOPPVIF-AUDIENCE:{audience}",
                "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x",
                f"TRIGGER:-PT{lead - 12}S", "END:VALARM", "END:VEVENT"]
    out.append("END:VCALENDAR")
    return "\r\n".join(out) + "\r\n"


def post_backup_twice(sock, path):
    """Two POST /v1/backup on two connections, both written before either
    answer is read: the daemon reads both before the first step runs.
    [(status, answer)] in the order sent."""
    body = json.dumps({"file": str(path)}).encode()
    req = (f"POST /v1/backup HTTP/1.1\r\nHost: localhost\r\nConnection: "
           f"close\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    conns = []
    for _ in range(2):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect(str(sock))
        conns.append(s)
    for s in conns:
        s.sendall(req)
    out = []
    for s in conns:
        answer = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
        s.close()
        head, _, rest = answer.partition(b"\r\n\r\n")
        out.append((int(head.split()[1]), json.loads(rest)))
    return out


def wait_backup(d, bid, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        status, _, body = d.http("GET", "/v1/backup")
        ans = json.loads(body)
        assert status == 200 and ans["id"] == bid, ans
        if ans["state"] != "running":
            return ans
        assert time.monotonic() < deadline, ans
        time.sleep(0.1)


def outbox_all(d):
    status, _, body = d.http("GET", "/v1/outbox?limit=100000",
                             timeout=60)
    assert status == 200, body[:500]
    return json.loads(body)


# the outbox columns a row keeps while the channel retries it
SAME = ("id", "key", "kind", "person", "channel", "status", "created",
        "sent")


@pytest.fixture
def sink(tmp_path):
    s = SmtpSink(tmp_path, dump=False, flags=["-c"])
    try:
        yield s
    finally:
        s.close()


def test_backup_during_burst_restores_the_same(daemon_env, sink, tmp_path):
    """The burst goes to a real smtp-sink: its sessions are sockets on the
    event loop, which thus turns (and steps the backup) between
    messages."""
    d = daemon_env
    d.write_config(log_level="info", extra="[api]\nmax_body = 64M\n"
                   f"[channel.email]\nplugin = smtp\nurl = {sink.url}\n"
                   "from = Coordination sociale <noreply@stoppvif.example.be>"
                   "\ntls = none\nmax_connections = 8\n")
    d.start()
    for i in range(NPEOPLE):
        d.add_person(name=f"Référente {i}", role="referent",
                     email=f"r{i}@example.test")
    cal = tmp_path / "burst.ics"
    cal.write_text(ics(NEVENTS, "role:referent", LEAD))
    d.ctl("events", "import", str(cal), check=0, timeout=300)
    # what the burst does not change, read before it starts
    people = d.ctl_json("people", "list")
    events = d.ctl_json("events", "list")
    target = tmp_path / "sauvegardes" / "pendant la rafale é.db"
    target.parent.mkdir()
    off = d.log_size()
    d.wait_log("sched run queued=", off, timeout=120)
    d.wait_log(" dispatch sent ", off, timeout=120)
    # the burst is being sent: back it up now, and ask twice at once
    (first, ans1), (second, ans2) = post_backup_twice(d.socket, target)
    assert first == 200 and ans1["state"] == "running", ans1
    assert second == 409 and "déjà en cours" in ans2["error"], ans2
    done = wait_backup(d, ans1["id"])
    assert done["state"] == "done", done
    assert done["pages_total"] > 2 * 128, done      # several steps
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert os.listdir(target.parent) == [target.name]   # no temporary
    # what the backup holds: every queued message, each as it was then
    rows = read_db(target, "SELECT id, status FROM outbox ORDER BY id")
    assert len(rows) == NPEOPLE * NEVENTS
    states = {s for _, s in rows}
    # the backup began after a flush had marked messages sent
    assert "sent" in states, states
    assert states <= {"pending", "sent"}, states
    assert read_db(target, "PRAGMA integrity_check") == [("ok",)]
    assert ("backup",) in read_db(target, "SELECT action FROM audit")
    # the live daemon goes on to the end of the burst
    deadline = time.monotonic() + 300
    while d.ctl_json("status")["outbox"]["sent"] < NPEOPLE * NEVENTS:
        assert time.monotonic() < deadline, d.ctl_json("status")
        time.sleep(0.5)
    d.stop()
    d.write_config(log_level="info", extra="[api]\nmax_body = 64M\n" +
                   still_channel(closed_port()))
    rc, out, err = restore(d, target)
    assert rc == 0, err
    assert "base restaurée" in out and "before-restore" in out, out
    d.start()
    assert d.ctl_json("people", "list") == people
    assert d.ctl_json("events", "list") == events
    listed = outbox_all(d)
    backup_rows = read_db(target, "SELECT id, key, kind, person_id, "
                          "channel, status, created, sent FROM outbox "
                          "ORDER BY id")
    assert sorted(tuple(m[k] for k in SAME) for m in listed) == \
        [tuple(r) for r in backup_rows]
    actions = [e["action"] for e in d.audit()]
    assert actions[0] == "restore", actions[:5]


def _backed_up(d, tmp_path, name="b.db"):
    path = tmp_path / name
    backup_cmd(d, path, check=0)
    return path


def test_restore_with_another_key_is_refused(daemon, tmp_path):
    d = daemon
    d.add_person(name="Anne", role="referent", email="anne@example.test")
    path = _backed_up(d, tmp_path)
    d.stop()
    other = tmp_path / "other.key"
    other.write_bytes(os.urandom(32))
    other.chmod(0o600)
    d.write_config(text=d.conf.read_text().replace(
        "key_file = state/master.key", f"key_file = {other}"))
    before, files = d.db_bytes(), state_files(d)
    rc, out, err = restore(d, path)
    assert rc == 1, out
    assert "autre clé" in err and str(path) in err and str(other) in err
    assert "rien n'a été changé" in err
    assert d.db_bytes() == before and state_files(d) == files


def test_restore_while_the_daemon_runs_is_refused(daemon, tmp_path):
    d = daemon
    path = _backed_up(d, tmp_path)
    files = state_files(d)
    rc, out, err = restore(d, path)
    assert rc == 1 and "stoppvifd tourne" in err and "arrêtez-le" in err
    assert state_files(d) == files
    assert d.ctl_json("status")["pid"] == d.proc.pid
    # stopped, but another program holds the database: refused too
    d.stop()
    files = state_files(d)
    con = sqlite3.connect(d.db, isolation_level=None)
    try:
        con.execute("BEGIN EXCLUSIVE")
        rc, out, err = restore(d, path)
    finally:
        con.close()
    assert rc == 1 and "ouverte par un autre programme" in err, err
    assert "rien n'a été changé" in err
    assert state_files(d) == files


def _not_a_backup(kind, tmp_path, good):
    p = tmp_path / f"{kind}.db"
    if kind == "text":
        p.write_text("SQLite format 3 mais pas vraiment\n" * 100)
    elif kind == "empty":
        p.write_bytes(b"")
    elif kind == "truncated":
        data = good.read_bytes()
        p.write_bytes(data[:len(data) // 2])
    elif kind == "foreign":
        con = sqlite3.connect(p)
        con.execute("CREATE TABLE notes (t TEXT)")
        con.execute("INSERT INTO notes VALUES ('x')")
        con.commit()
        con.close()
    elif kind == "folder":
        p.mkdir()
    return p


@pytest.mark.parametrize("kind,says", [
    ("text", "n'est pas une base SQLite"),
    ("empty", "est vide"),
    ("truncated", "abîmée"),
    ("foreign", "pas celle de stoppvif"),
    ("folder", "n'est pas un fichier"),
    ("missing", "ce fichier n'existe pas"),
])
def test_restore_of_what_is_not_a_backup_is_refused(daemon, tmp_path, kind,
                                                    says):
    d = daemon
    for i in range(200):    # a database of many pages, to cut in half
        d.add_person(name=f"P{i}", role="referent",
                     email=f"p{i}@example.test")
    good = _backed_up(d, tmp_path)
    d.stop()
    bad = _not_a_backup(kind, tmp_path, good)
    before, files = d.db_bytes(), state_files(d)
    rc, out, err = restore(d, bad)
    assert rc == 1 and says in err and "rien n'a été changé" in err, err
    assert d.db_bytes() == before and state_files(d) == files
    d.start()
    assert len(d.people()) == 200


def test_backup_to_an_existing_file_needs_force(daemon, tmp_path):
    d = daemon
    path = tmp_path / "b.db"
    path.write_text("précieux")
    rc, out, err = backup_cmd(d, path)
    assert rc == 1 and "existe déjà" in err and "--force" in err, err
    assert path.read_text() == "précieux"
    rc, out, err = backup_cmd(d, path, "--force", check=0)
    assert "sauvegarde faite" in out
    assert read_db(path, "SELECT count(*) FROM meta WHERE key = "
                   "'key_check'") == [(1,)]


def test_backup_paths_a_clumsy_user_types(daemon, tmp_path):
    d = daemon
    # a folder that does not exist
    rc, out, err = backup_cmd(d, tmp_path / "nulle part" / "b.db")
    assert rc == 1 and "n'existe pas" in err and "mkdir -p" in err, err
    # a folder, not a file
    rc, out, err = backup_cmd(d, tmp_path)
    assert rc == 1 and "est un dossier" in err, err
    # next to the database: refused, a lost disk would take both
    rc, out, err = backup_cmd(d, d.state / "copie.db")
    assert rc == 1 and "dossier de la base" in err, err
    # the database itself, even with --force
    rc, out, err = backup_cmd(d, d.db, "--force")
    assert rc == 1, err
    assert d.ctl_json("status")["pid"] == d.proc.pid
    # accents and spaces, and a path relative to the client's folder
    where = tmp_path / "dossier à sauvegardes"
    where.mkdir()
    r = run(["/bin/sh", "-c", 'cd "$2" && exec "$0" -c "$1" backup '
             '"copie du 7 décembre.db"', STOPPVIFCTL, d.conf, where])
    assert r.returncode == 0, r.stderr
    assert "la clé n'est pas dans la sauvegarde" in r.stdout
    assert str(d.key) in r.stdout and "séparément" in r.stdout
    assert (where / "copie du 7 décembre.db").is_file()


def test_backup_refused_to_viewer_and_coordinator(shared, tmp_path):
    d, ctl, configure, users = shared
    out = Path(tempfile.mkdtemp(prefix="svbk", dir="/tmp"))
    os.chmod(out, 0o777)
    try:
        for who, need in (("v", "lecteur"), ("c", "coordinateur")):
            r = ctl(who, "backup", str(out / f"{who}.db"))
            assert r.returncode == 1, r.stdout
            assert "réservé aux administrateurs" in r.stderr, r.stderr
            assert need in r.stderr, r.stderr
        assert os.listdir(out) == []
        r = ctl("a", "backup", str(out / "a.db"))
        assert r.returncode == 0, r.stderr
        assert os.listdir(out) == ["a.db"]
    finally:
        shutil.rmtree(out, ignore_errors=True)


def test_restore_names_people_erased_since_the_backup(daemon, tmp_path):
    d = daemon
    anne = d.add_person(name="Anne", role="referent",
                        email="anne@example.test")
    ben = d.add_person(name="Ben", role="referent", email="ben@example.test")
    path = _backed_up(d, tmp_path)
    d.ctl("people", "remove", str(anne), check=0)
    d.stop()
    rc, out, err = restore(d, path)
    assert rc == 0, err
    assert f"revenues avec elle : {anne}\n" in out, out
    aside = [f for f in state_files(d) if ".before-restore-" in f]
    assert len(aside) == 1, state_files(d)
    off = d.log_size()
    d.start()
    assert sorted(p["id"] for p in d.people()) == [anne, ben]
    assert f"erased_again_needed={anne} " in d.log_since(off)
    assert d.audit()[0]["action"] == "restore"
    # the old database, aside, still says who was erased
    assert (anne,) in read_db(d.state / aside[0], "SELECT object_id FROM "
                              "audit WHERE action = 'people.remove'")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to nobody")
def test_backup_to_a_folder_the_daemon_cannot_write(daemon_env):
    d = daemon_env
    if not _reachable_by_nobody():
        pytest.skip("the build is not reachable by user nobody")
    pub = Path(tempfile.mkdtemp(prefix="svbk", dir="/tmp"))
    try:
        os.chmod(pub, 0o755)
        (pub / "state").mkdir(mode=0o700)
        os.chown(pub / "state", 65534, 65534)
        text = d.config_text(daemon_extra="user = nobody")
        text = text.replace("state_dir = state", f"state_dir = {pub}/state")
        text = text.replace("key_file = state/master.key",
                            f"key_file = {pub}/state/master.key")
        (pub / "run").mkdir(mode=0o755)
        os.chown(pub / "run", 65534, 65534)
        text = text.replace(d.socket_setting, f"{pub}/run/s.sock")
        d.socket = pub / "run" / "s.sock"
        d.conf = d.write_config(text, path=pub / "stoppvif.ini")
        os.chmod(d.conf, 0o644)
        d.start()
        shut = pub / "à root"
        shut.mkdir(mode=0o755)
        rc, out, err = backup_cmd(d, shut / "b.db")
        uid = pwd.getpwnam("nobody").pw_uid
        assert rc == 1, out
        assert f"stoppvifd (uid {uid}) ne peut pas écrire" in err, err
        assert str(shut) in err and "chown" in err, err
        assert os.listdir(shut) == []
    finally:
        d.stop()
        shutil.rmtree(pub, ignore_errors=True)


@pytest.mark.parametrize("body,field", [
    (b'{"file": 3}', "file"),
    (b'{"file": "/tmp/x.db", "force": "oui"}', "force"),
    (b'{"file": "/tmp/x.db", "chemin": "/etc"}', "chemin"),
    (b'{"force": true}', "file"),
    (b'{"file": "/tmp/x\\u0000.db"}', None),  # JSON with NUL: refused
    (b'{"file": "relatif.db"}', "file"),
    (b'{"file": "/"}', "file"),
    (b'{"file": "/tmp/' + b"a" * 5000 + b'.db"}', "file"),
])
def test_backup_requests_that_will_not_do(daemon, body, field):
    """Attack side: the raw API with wrong shapes; each is refused with the
    field at fault, nothing is written, the daemon answers on."""
    d = daemon
    status, _, reply = d.http("POST", "/v1/backup", body=body)
    ans = json.loads(reply)
    assert status == 400 and ans.get("field") == field, (status, ans)
    assert not [f for f in os.listdir("/tmp") if f.startswith("x")
                and ".db" in f]
    status, _, reply = d.http("GET", "/v1/backup")
    assert status == 200 and json.loads(reply)["state"] == "none"
