"""What stoppvifd checks about its database before it serves: a damaged
file (PRAGMA quick_check), an empty or missing database beside an existing
master key (refused unless --init), a state folder or database it cannot
write, and the files a clumsy hand leaves at the database's path (a
folder, zero bytes, a text file, another program's database).  Each
refusal exits non-zero at once, names the path and says what to do."""
import os
import shutil
import sqlite3
import stat
import tempfile
from pathlib import Path

import pytest

from conftest import PLUGIN_DIR, STOPPVIFD, TEMPLATES, run

EVENTS = 400            # rows in the database that gets damaged


def fill_events(d, n=EVENTS):
    """A stopped daemon's database with n events (one added through
    stoppvifctl, the others copies of it); its size in bytes."""
    d.start()
    d.ctl_json("events", "add", "--title", "Plateforme de base",
               "--dtstart", "2027-01-12T09:30:00", "--rrule",
               "FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU", "--remind", "7d,1d",
               "--audience", "role:referent", "--location", "Salle du "
               "conseil, Aywaille")
    d.stop()
    db = sqlite3.connect(d.db)
    with db:
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
            " WHERE i < ?) INSERT INTO events (uid, title, kind, dtstart,"
            " tz, rrule, duration, location, commune, description,"
            " skip_holidays, channels, created, updated, planned_until,"
            " next_due) SELECT uid || '-' || i, title || ' ' || i, kind,"
            " dtstart, tz, rrule, duration, location, commune, description,"
            " skip_holidays, channels, created, updated, planned_until,"
            " next_due FROM events, n WHERE events.id = 1", (n - 1,))
    db.close()
    assert not Path(f"{d.db}-wal").exists()
    return d.db.stat().st_size


def damage(path, pages=4):
    """Overwrite `pages` pages in the middle of the file with noise, as a
    failing disk (or dd over the wrong file) would."""
    size = path.stat().st_size
    page = 4096
    at = (size // 2) // page * page
    with open(path, "r+b") as f:
        f.seek(at)
        f.write(os.urandom(page * pages))


def test_damaged_database_refused_with_how_to_restore(daemon_env):
    d = daemon_env
    size = fill_events(d)
    assert size > 40 * 4096, size
    d.start()
    assert d.ctl_json("status")["events"] == EVENTS
    d.stop()
    damage(d.db)
    rc, out = d.start_refused()
    assert rc == 1, out
    assert str(d.db) in out and "damaged" in out, out
    assert "backup" in out and "--init" in out, out
    # nothing was written over the evidence
    assert not Path(f"{d.db}-wal").exists()


def test_damaged_header_is_not_a_database(daemon_env):
    d = daemon_env
    fill_events(d, 50)
    with open(d.db, "r+b") as f:
        f.write(b"\0" * 100)
    rc, out = d.start_refused()
    assert str(d.db) in out and "not a stoppvif database" in out, out


def test_empty_database_beside_a_key_needs_init(daemon_env):
    d = daemon_env
    d.start()
    d.add_person(name="Avant Perte", role="referent")
    d.stop()
    # the database is lost, the key stays: refused, and nothing created
    for p in d.db_files():
        if p.exists():
            p.unlink()
    rc, out = d.start_refused()
    assert str(d.db) in out and "missing" in out, out
    assert str(d.key) in out and "backup" in out and "--init" in out, out
    assert not d.db.exists()
    # the same with an empty file in its place
    d.db.touch(mode=0o600)
    rc, out = d.start_refused()
    assert "empty" in out and "--init" in out, out
    assert d.db.stat().st_size == 0
    # --init: a new database under the same key; later starts need nothing
    d.start(args=["--init"])
    assert d.people() == []
    assert "store init file=" in d.log()
    d.add_person(name="Après Init", role="referent")
    d.restart()
    assert [p["name"] for p in d.people()] == ["Après Init"]
    # --init on a database that holds data changes nothing
    d.stop()
    d.start(args=["--init"])
    assert [p["name"] for p in d.people()] == ["Après Init"]
    assert "init_ignored" in d.log()


def test_key_made_before_the_database_needs_init(daemon_env):
    """A key put in place by hand (from a password store, say) before the
    first start: the database is new, so --init says it is meant."""
    d = daemon_env
    d.state.mkdir(mode=0o750)
    d.key.write_bytes(os.urandom(32))
    os.chmod(d.key, 0o600)
    rc, out = d.start_refused()
    assert "--init" in out, out
    d.start(args=["--init"])
    d.ctl("status", check=0)


def test_new_install_starts_without_init(daemon_env):
    d = daemon_env
    assert not d.state.exists()
    d.start()
    assert d.key.exists() and d.db.exists()
    d.restart()


def test_database_is_a_folder(daemon_env):
    d = daemon_env
    d.start()
    d.stop()
    shutil.rmtree(d.state)
    d.state.mkdir(mode=0o750)
    d.db.mkdir()
    rc, out = d.start_refused()
    assert str(d.db) in out and "folder" in out, out
    assert not d.key.exists(), "a key was made for a folder"


def test_zero_byte_database_on_a_new_install_starts(daemon_env):
    """No key, an empty file (touch'ed by hand): a new install."""
    d = daemon_env
    d.state.mkdir(mode=0o750)
    d.db.touch(mode=0o600)
    d.start()
    d.add_person(name="Départ", role="referent")
    d.restart()
    assert len(d.people()) == 1


def test_text_file_as_database(daemon_env):
    d = daemon_env
    d.state.mkdir(mode=0o750)
    d.db.write_text("people;events\n" * 500)
    rc, out = d.start_refused()
    assert str(d.db) in out and "not a stoppvif database" in out, out
    assert not d.key.exists()
    assert d.db.read_text() == "people;events\n" * 500


def test_another_programs_database(daemon_env):
    d = daemon_env
    d.state.mkdir(mode=0o750)
    db = sqlite3.connect(d.db)
    db.execute("CREATE TABLE contacts (name TEXT)")
    db.commit()
    db.close()
    before = d.db.read_bytes()
    rc, out = d.start_refused()
    assert "another program" in out, out
    assert d.db.read_bytes() == before


def _as_nobody():
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.fixture
def public_daemon(daemon_env):
    """The daemon's folder under /tmp where user nobody can reach it, the
    configuration readable by all."""
    d = daemon_env
    pub = Path(tempfile.mkdtemp(prefix="svdb", dir="/tmp"))
    os.chmod(pub, 0o755)
    text = d.config_text().replace("state_dir = state",
                                   f"state_dir = {pub / 'state'}")
    text = text.replace("key_file = state/master.key",
                        f"key_file = {pub / 'state' / 'master.key'}")
    text = text.replace(d.socket_setting, str(pub / "s.sock"))
    conf = pub / "stoppvif.ini"
    conf.write_text(text)
    os.chmod(conf, 0o644)
    d.conf, d.state = conf, pub / "state"
    d.db, d.key, d.socket = d.state / "stoppvif.db", \
        d.state / "master.key", pub / "s.sock"
    yield d
    shutil.rmtree(pub, ignore_errors=True)


def _reachable_by_nobody():
    for p in (STOPPVIFD, PLUGIN_DIR, TEMPLATES):
        for q in [p] + list(p.parents):
            if not os.stat(q).st_mode & stat.S_IXOTH:
                return False
    return shutil.which("setpriv") is not None


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch user")
def test_read_only_state_folder_is_said_plainly(public_daemon):
    d = public_daemon
    if not _reachable_by_nobody():
        pytest.skip("the build is not reachable by user nobody")
    d.state.mkdir()
    os.chmod(d.state, 0o555)            # root's, not writable by nobody
    rc, out = d.start_refused(argv_prefix=_as_nobody())
    assert str(d.state) in out and "not writable" in out, out
    assert "uid 65534" in out and "0555" in out and "chown" in out, out
    assert "unable to open" not in out, out


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch user")
def test_read_only_database_file_is_said_plainly(public_daemon):
    d = public_daemon
    if not _reachable_by_nobody():
        pytest.skip("the build is not reachable by user nobody")
    d.start()
    d.stop()
    for folder, dirs, files in os.walk(d.state):
        for name in [folder] + [os.path.join(folder, f) for f in files]:
            os.chown(name, 65534, 65534)
    os.chown(d.db, 0, 0)
    os.chmod(d.db, 0o644)               # root's, readable by nobody only
    rc, out = d.start_refused(argv_prefix=_as_nobody())
    assert str(d.db) in out and "not writable" in out, out
    assert "0644" in out and "chown 65534" in out, out
    assert "readonly database" not in out, out
