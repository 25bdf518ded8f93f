"""
The audit log you can trust: each entry MAC-chained to the one before under
a key derived from the master key, `stoppvifctl audit verify` naming the
first entry in cause, `[privacy] keep_audit` pruning that keeps the chain
checkable, reads of contact data and message bodies recorded with the
caller's user name, claims from outside as sms:/link:<person id>.

The attacker edits the database with the sqlite3 command-line tool while
the daemon is stopped (the daemon holds it in exclusive mode), as anyone
who can write to the file could; the daemon is then started again and
asked.  An attacker who knows the algorithm (this file implements it) but
not the key cannot make the check pass; the same forgery made with the key
does pass, which shows the model below is the daemon's.
"""
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import sqlite3
import struct
import subprocess
import time
import urllib.error
import urllib.request
from zoneinfo import ZoneInfo

import pytest

from conftest import STOPPVIFD, run
from shelter_net import net  # noqa: F401 (the fixture)

BXL = ZoneInfo("Europe/Brussels")
ZERO = bytes(32)


def sql(d, text):
    """Run SQL on the stopped daemon's database with the sqlite3 CLI."""
    assert not d.running()
    r = subprocess.run(["sqlite3", str(d.db), text], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout


def verify(d):
    """(exit code, text, JSON) of audit verify."""
    rc, out, err = d.ctl("audit", "verify")
    rcj, js, _ = d.ctl("audit", "verify", json=True)
    assert rc == rcj, (rc, rcj)
    return rc, out + err, json.loads(js)


def assert_ok(d, entries=None):
    rc, out, v = verify(d)
    assert rc == 0 and v["ok"], out
    assert out.startswith("journal d'audit "), out
    if entries is not None:
        assert v["entries"] == entries, v
    return v


def assert_broken(d, row, word=""):
    """The check names row first (None: the chain's ends), with word."""
    rc, out, v = verify(d)
    assert rc == 1 and v["ok"] is False, out
    assert v["id"] == row, (v, out)
    assert word in v["reason"], v
    if row is not None:
        assert f"ALTÉRÉ : entrée n° {row} :" in out, out
    return v


def some_changes(d, n=3):
    """n people added, one edited, one shown: entries 1..n+2."""
    ids = [d.add_person(name=f"Personne {i}", role="referent",
                        email=f"p{i}@example.test") for i in range(n)]
    d.ctl("people", "edit", str(ids[0]), "--commune", "Esneux", check=0)
    d.ctl("people", "show", str(ids[1]), check=0)
    return ids


def audit_rows(d):
    """The audit table as the attacker reads it, by id."""
    db = sqlite3.connect(d.db)
    rows = db.execute("SELECT id, at, actor, uid, action, object,"
                      " object_id, mac FROM audit ORDER BY id").fetchall()
    db.close()
    return rows


# -- the chain, as documented in audit_chain.c ---------------------------

def audit_key(master):
    """crypto_kdf_derive_from_key(32, 2, "auditlog", master)."""
    return hashlib.blake2b(b"", digest_size=32, key=master,
                           salt=struct.pack("<Q", 2) + bytes(8),
                           person=b"auditlog" + bytes(8)).digest()


def _text(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack(">I", len(b)) + b


def _opt(v):
    return b"\0" + bytes(8) if v is None else b"\1" + struct.pack(">q", v)


def row_mac(key, row, prev):
    rid, at, actor, uid, action, obj, oid = row[:7]
    msg = (b"stoppvif audit v1\0" + struct.pack(">q", rid) + _text(at) +
           _text(actor) + _opt(uid) + _text(action) + _text(obj) +
           _opt(oid) + prev)
    return hashlib.blake2b(msg, digest_size=32, key=key).digest()


def seal(key, pruned_id, pruned_mac, tip_id, tip_mac):
    msg = (b"stoppvif audit seal v1\0" + struct.pack(">q", pruned_id) +
           pruned_mac + struct.pack(">q", tip_id) + tip_mac)
    return hashlib.blake2b(msg, digest_size=32, key=key).digest()


def forge(d, key, edit):
    """Edit the stopped daemon's log with edit(db), then compute every MAC
    and the seal again under key, as an attacker who knows the algorithm."""
    db = sqlite3.connect(d.db)
    edit(db)
    prev = ZERO
    rows = db.execute("SELECT id, at, actor, uid, action, object,"
                      " object_id FROM audit ORDER BY id").fetchall()
    for row in rows:
        prev = row_mac(key, row, prev)
        db.execute("UPDATE audit SET mac = ? WHERE id = ?", (prev, row[0]))
    tip = rows[-1][0]
    db.execute("UPDATE audit_chain SET pruned_id = 0, pruned_mac = ?,"
               " tip_id = ?, tip_mac = ?, seal = ?",
               (ZERO, tip, prev, seal(key, 0, ZERO, tip, prev)))
    db.commit()
    db.close()


# -- untouched ------------------------------------------------------------

def test_empty_then_untouched_log_verifies(daemon):
    """Clumsy side: a check on an empty log, then on a used one."""
    d = daemon
    rc, out, v = verify(d)
    assert rc == 0 and out == "journal d'audit vide : chaîne intacte\n", out
    assert v == {"ok": True, "entries": 0, "first": None, "last": None,
                 "pruned_to": 0}
    some_changes(d)
    n = len(d.audit(reads=True))
    assert n == 5
    v = assert_ok(d, n)
    rc, out, _ = verify(d)
    assert f"intact : {n} entrées vérifiées (n° 1 à {n})" in out, out
    d.restart()
    assert "audit chain_ok entries=5" in d.log()
    assert_ok(d, n)


# -- one byte, with the daemon stopped -------------------------------------

ONE_BYTE = {
    "action": "UPDATE audit SET action = 'people.edis' WHERE id = {id}",
    "at": "UPDATE audit SET at = substr(at, 1, 18) || CASE substr(at, 19, 1)"
          " WHEN '0' THEN '1' ELSE '0' END || substr(at, 20) WHERE id = {id}",
    "actor": "UPDATE audit SET actor = 'roou' WHERE id = {id}",
    "object_id": "UPDATE audit SET object_id = object_id + 1"
                 " WHERE id = {id}",
}


@pytest.mark.parametrize("column", list(ONE_BYTE))
def test_one_byte_edit_is_named(daemon, column):
    """The Done-when: a one-byte edit made with the daemon stopped; the
    daemon starts, logs it, and the check names that entry."""
    d = daemon
    some_changes(d)
    target = next(e["id"] for e in d.audit() if e["action"] ==
                  "people.edit")
    assert_ok(d)
    d.stop()
    before = audit_rows(d)
    sql(d, ONE_BYTE[column].format(id=target))
    after = audit_rows(d)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(changed) == 1 and changed[0][0][0] == target
    d.start()
    assert f"audit chain_broken id={target} problems=1" in d.log()
    v = assert_broken(d, target, "modifiée")
    assert v["problem_count"] == 1
    # the daemon goes on; what it writes after does not hide the edit
    d.add_person(name="Après", role="partner")
    assert_broken(d, target)
    d.restart()
    assert_broken(d, target)


# -- deletions, moves, cuts -------------------------------------------------

CUTS = {
    "middle row deleted": ("DELETE FROM audit WHERE id = 3", 4,
                           "l'entrée n° 3 a été supprimée"),
    "two rows swapped": ("UPDATE audit SET object_id = -1 WHERE id = 2;"
                         "UPDATE audit SET object_id = 2 WHERE id = 3;"
                         "UPDATE audit SET object_id = 3 WHERE id = 2",
                         2, "modifiée"),
    "a row moved to the end": ("UPDATE audit SET id = 99 WHERE id = 2", 3,
                               "l'entrée n° 2 a été supprimée"),
    "end cut off": ("DELETE FROM audit WHERE id >= 4", 4,
                    "fin du journal"),
    "start cut off": ("DELETE FROM audit WHERE id <= 2", 3,
                      "début du journal"),
    "row without its MAC": ("UPDATE audit SET mac = NULL WHERE id = 2", 2,
                            "sans MAC"),
}


@pytest.mark.parametrize("cut", list(CUTS))
def test_deletions_moves_and_cuts(daemon, cut):
    d = daemon
    some_changes(d)                     # entries 1 to 5
    edit, row, word = CUTS[cut]
    d.stop()
    sql(d, edit)
    d.start()
    assert_broken(d, row, word)


def restore(d, files):
    """Put the stopped daemon's database files back as they were."""
    for p in d.db_files():
        if p.exists():
            p.unlink()
    for name, data in files.items():
        (d.db.parent / name).write_bytes(data)


def test_forged_ends_are_not_taken_for_pruning(daemon):
    """Attacker: the start cut off and the chain's start moved onto the
    last deleted row, as if pruned; the end cut off and its tip moved back;
    the chain's state deleted.  The MACs to copy are in the database; the
    seal over them is not forgeable."""
    d = daemon
    some_changes(d)
    d.stop()
    files = d.db_bytes()
    rows = audit_rows(d)
    mac2, mac4 = rows[1][7], rows[3][7]
    for edit in ("DELETE FROM audit WHERE id <= 2; UPDATE audit_chain SET"
                 f" pruned_id = 2, pruned_mac = x'{mac2.hex()}'",
                 "DELETE FROM audit WHERE id >= 5; UPDATE audit_chain SET"
                 f" tip_id = 4, tip_mac = x'{mac4.hex()}'"):
        restore(d, files)
        sql(d, edit)
        d.start()
        assert_broken(d, None, "audit_chain")
        d.stop()
    restore(d, files)
    sql(d, "DELETE FROM audit_chain")
    d.start()
    assert_broken(d, None, "supprimé")
    d.stop()
    restore(d, files)
    d.start()
    assert_ok(d, 5)


def test_attacker_without_the_key_cannot_make_it_pass(daemon):
    """Attacker side: every MAC and the seal computed again after an edit,
    with the algorithm right but without the key, fail; the same with the
    master key pass (so the forgery below is the daemon's algorithm)."""
    d = daemon
    some_changes(d)
    master = d.key.read_bytes()
    assert len(master) == 32

    def edit(db):
        db.execute("UPDATE audit SET action = 'people.remove'"
                   " WHERE action = 'people.edit'")

    for key in (secrets.token_bytes(32), hashlib.blake2b(
            master, digest_size=32).digest(), master):
        d.stop()
        forge(d, key, edit)
        d.start()
        assert_broken(d, 1, "modifiée")
    # the key holder can: the chain protects against those without it
    d.stop()
    forge(d, audit_key(master), edit)
    d.start()
    assert_ok(d, 5)
    assert "people.remove" in [e["action"] for e in d.audit()]


# -- keep_audit -------------------------------------------------------------

def wait_past(t):
    """Until the clock has passed t by more than one whole second."""
    while time.time() < int(t) + 2:
        time.sleep(0.1)


def test_keep_audit_prunes_and_the_chain_still_checks(daemon_env):
    d = daemon_env
    d.write_config(extra="[privacy]\nkeep_audit = 1s\n")
    d.start()
    some_changes(d)
    wait_past(time.time())
    # one entry prunes the older ones, in order
    pid = d.add_person(name="Nouvelle", role="partner")
    log = d.audit(reads=True)
    assert [(e["id"], e["action"], e["object_id"]) for e in log] == \
        [(6, "people.add", pid)]
    v = assert_ok(d, 1)
    assert v["pruned_to"] == 5 and v["first"] == 6
    rc, out, _ = verify(d)
    assert "jusqu'au n° 5 ont été élaguées ([privacy] keep_audit)" in out
    # an edit of a kept entry is still found
    d.ctl("people", "show", str(pid), check=0)
    d.stop()
    sql(d, "UPDATE audit SET object_id = 1 WHERE id = 7")
    d.write_config(extra="[privacy]\nkeep_audit = 1h\n")
    d.start()
    assert_broken(d, 7, "modifiée")
    # a changed entry is never pruned, nor what follows it
    d.write_config(extra="[privacy]\nkeep_audit = 1s\n")
    d.hup()
    wait_past(time.time())
    d.add_person(name="Encore", role="partner")
    assert [e["id"] for e in d.audit(reads=True)][-1] == 7
    assert "audit prune_stopped id=7" in d.log()
    assert_broken(d, 7, "modifiée")
    # put back, the start prunes it all
    d.stop()
    sql(d, f"UPDATE audit SET object_id = {pid} WHERE id = 7")
    wait_past(time.time())
    d.start()
    assert d.audit(reads=True) == []
    assert assert_ok(d, 0)["pruned_to"] == 8


@pytest.mark.parametrize("value", ["0s", "un an", "-1d", "3651d"])
def test_keep_audit_refused_with_its_line(daemon_env, value):
    """Clumsy side: a duration out of bounds or not one is refused at -t
    with the file, the line and the key."""
    d = daemon_env
    d.write_config(extra=f"[privacy]\nkeep_audit = {value}\n")
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    line = d.conf.read_text().splitlines().index(f"keep_audit = {value}") + 1
    assert f"{d.conf}:{line}: keep_audit" in out, out


# -- who: user names for reads and changes, sms:/link: for claims ----------

def local_in(seconds):
    t = dt.datetime.now(BXL) + dt.timedelta(seconds=seconds)
    return t.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S")


def test_reads_of_contact_data_are_audited_by_name(daemon):
    d = daemon
    pid = d.add_person(name="Zoé Lefèvre", role="referent",
                       email="zoe@example.test", phone="0470 12 34 56")
    d.ctl("people", "show", str(pid), check=0)
    d.ctl("people", "list", check=0)
    d.ctl("events", "export", check=0)
    d.ctl_json("events", "add", "--title", "Plateforme", "--dtstart",
               local_in(6), "--remind", "4s", "--audience",
               f"person:{pid}")
    deadline = time.monotonic() + 30
    while not d.ctl_json("outbox", "list"):
        assert time.monotonic() < deadline, d.log()[-3000:]
        time.sleep(0.2)
    msg = d.ctl_json("outbox", "list")[0]["id"]
    d.ctl("outbox", "list", "--show-body", check=0)
    log = d.audit(reads=True)
    reads = [(e["action"], e["object"], e["object_id"]) for e in log
             if e["action"] in d.AUDIT_READS]
    assert reads == [("outbox.body", "message", msg),
                     ("events.export", "calendar", None),
                     ("people.list", "person", None),
                     ("people.show", "person", pid)], log
    for e in log:
        assert (e["actor"], e["uid"]) == ("root", 0), e
    # the plain listing and the changes-only view leave the reads out
    assert not [e for e in d.audit() if e["action"] in d.AUDIT_READS]
    rc, out, _ = d.ctl("audit", check=0)
    assert "QUI" in out and "fiche lue" in out and "message lu" in out, out
    assert "Lefèvre" not in out and "zoe@" not in out
    # a read that opens nothing is not recorded
    d.ctl("people", "show", "999", check=1)
    d.ctl("people", "list", "--role", "partner", check=0)
    assert len(d.audit(reads=True)) == len(log)
    assert_ok(d, len(log))


def alert_link(net, addr):
    body = net.mail_to(addr)[0].get_body().get_content()
    return re.search(r"https://stoppvif\.example\.be(/a/[A-Za-z0-9_-]+)",
                     body)[1]


def post(net, path):
    req = urllib.request.Request(f"http://127.0.0.1:{net.port}{path}",
                                 method="POST", data=b"")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_claims_from_outside_are_audited_as_the_person(net):
    anne, aphone = net.person("Anne Garde", "oncall", 1)
    bert, _ = net.person("Bert Garde", "oncall", 2)
    for pid in (anne, bert):
        net.on_call(pid)
    # by link
    net.vacate()
    net.wait(lambda: net.mail_to("bert@example.test"), "the alert email")
    path = alert_link(net, "bert@example.test")
    net.d.secrets.add(path[3:])
    assert post(net, path) == 200
    net.wait(lambda: net.state()["state"] == "reserved", "the link claim")
    # by SMS, on a new alert
    net.d.ctl("shelter", "occupy", "aisova", check=0)
    net.vacate()
    net.wait(lambda: len(net.codes(aphone)) == 2, "the second alert SMS")
    code = net.codes(aphone)[-1]
    net.d.secrets.update(net.codes(aphone))
    net.kannel.inject_mo(aphone, f"OK {code}")
    net.wait(lambda: net.state()["state"] == "reserved", "the SMS claim")
    log = net.d.audit()
    claims = [(e["action"], e["actor"], e["uid"]) for e in log
              if e["action"].startswith("alert.")]
    assert claims[::-1] == [("alert.claim", f"link:{bert}", None),
                            ("alert.claim", f"sms:{anne}", None)], log
    assert ("shelter.vacate", "root", 0) in [
        (e["action"], e["actor"], e["uid"]) for e in log]
    rc, out, _ = net.d.ctl("audit", check=0)
    assert f"SMS de la personne {anne}" in out, out
    assert f"lien de la personne {bert}" in out, out
    assert_ok(net.d)


# -- an older database, the client ----------------------------------------

def test_database_of_the_previous_version_is_chained_once(daemon):
    """Clumsy side: a database written by the version before (schema 9,
    its audit table with a uid and no MAC) is chained at the first start,
    logged, and checks; its entries keep their uid as actor."""
    d = daemon
    some_changes(d)
    d.stop()
    sql(d, "CREATE TABLE old AS SELECT id, at, uid, action, object,"
        " object_id FROM audit;"
        "DROP TABLE audit; DROP TABLE audit_chain;"
        "CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL,"
        " uid INTEGER NOT NULL, action TEXT NOT NULL, object TEXT NOT NULL,"
        " object_id INTEGER);"
        "INSERT INTO audit SELECT * FROM old; DROP TABLE old;"
        # migration 11's columns (a person's mail key) were not there yet
        "ALTER TABLE people DROP COLUMN mail_key;"
        "ALTER TABLE people DROP COLUMN mail_key_kind;"
        "ALTER TABLE people DROP COLUMN mail_key_expires;"
        "ALTER TABLE people DROP COLUMN mail_key_fpr;"
        # nor migration 14's web console accounts
        "DROP TRIGGER web_users_person_erased; DROP TABLE web_users;"
        # nor migration 13's alarms (the dead-man's switch)
        "DROP TABLE alarms;"
        # nor migration 12's delivery reports
        "DROP INDEX outbox_dlr_due;"
        "ALTER TABLE outbox DROP COLUMN dlr;"
        "ALTER TABLE outbox DROP COLUMN dlr_at;"
        "ALTER TABLE outbox DROP COLUMN dlr_due;"
        "PRAGMA user_version = 9;")
    d.start()
    assert "audit chained entries=5" in d.log()
    assert_ok(d, 5)
    assert {e["actor"] for e in d.audit(reads=True)} == {"uid:0"}
    d.add_person(name="Après", role="partner")
    assert_ok(d, 6)
    d.restart()
    assert d.log().count("audit chained") == 1
    assert_ok(d, 6)


def test_verify_usage(daemon):
    d = daemon
    rc, out, err = d.ctl("audit", "verify", "now", check=2)
    assert "audit verify" in err, err
    rc, out, err = d.ctl("audit", "verfy", check=2)
    assert "audit verify" in err, err
    rc, out, err = d.ctl("audit", "verify", "--help", check=0)
    assert "audit verify" in out, out
