"""
Less in clear at rest: an event's place and description, a person's
commune and organisation are sealed like contact fields; titles stay clear
(the scheduler reads them, the phone guard keeps them neutral).  A database
from before sealing is sealed at the next start; a sealed value moved to
another row does not open there; what is sent still says where.
"""
import datetime as dt
import email
import email.policy
import sqlite3
import time
from zoneinfo import ZoneInfo

import pytest

BXL = ZoneInfo("Europe/Brussels")
PLACE = "Salle Quenouillère, rue du Fourneau 12"
WORDS = [b"Quenouill", b"Fourneau", b"Ordre du jour confidentiel",
         b"Hippocampe", b"Grenadine"]


def add_event(d, title="Plateforme", **extra):
    args = ["events", "add", "--title", title, "--dtstart",
            "2027-03-10T14:00:00", "--location", PLACE, "--description",
            "Ordre du jour confidentiel : situation Hippocampe"]
    for k, v in extra.items():
        args += [f"--{k}", v]
    return d.ctl_json(*args)["id"]


def raw(d):
    return b"".join(d.db_bytes().values())


def found_in(blob):
    return [w.decode() for w in WORDS if w in blob]


def test_places_and_communes_are_not_in_the_files(daemon, tmp_path):
    d = daemon
    eid = add_event(d)
    pid = d.add_person(name="Anne", role="referent", commune="Grenadine",
                       org="Hippocampe asbl", email="anne@example.test")
    # positive control: titles are clear by design
    assert b"Plateforme" in raw(d)
    assert found_in(raw(d)) == [], "while running"
    ev = d.ctl_json("events", "show", str(eid))
    assert ev["location"] == PLACE
    assert ev["description"].endswith("situation Hippocampe")
    p = d.ctl_json("people", "show", str(pid))
    assert (p["commune"], p["org"]) == ("Grenadine", "Hippocampe asbl")
    # the agenda, the export and an edit see them too
    assert d.ctl_json("agenda", "--from", "2027-03-10",
                      "--days", "1")[0]["location"] == PLACE
    out = tmp_path / "export.ics"
    d.ctl("events", "export", str(out), check=0)
    assert "Quenouill" in out.read_text()
    d.ctl("events", "edit", str(eid), "--location", "Salle Grenadine",
          check=0)
    assert d.ctl_json("events", "show", str(eid))["location"] == \
        "Salle Grenadine"
    d.stop()
    assert found_in(raw(d)) == [], "after the daemon stopped"
    con = sqlite3.connect(d.db)
    kinds = con.execute("SELECT typeof(location), typeof(description)"
                        " FROM events").fetchall()
    con.close()
    assert kinds == [("blob", "blob")], kinds


def test_a_database_from_before_is_sealed_at_start(daemon):
    d = daemon
    eid = add_event(d)
    pid = d.add_person(name="Bruno", role="platform", commune="Sprimont",
                       email="bruno@example.test")
    d.stop()
    # as an older daemon wrote them: clear text
    con = sqlite3.connect(d.db)
    con.execute("UPDATE events SET location = ?, description = NULL"
                " WHERE id = ?", (PLACE, eid))
    con.execute("UPDATE people SET commune = 'Grenadine',"
                " org = 'Hippocampe asbl' WHERE id = ?", (pid,))
    con.commit()
    con.close()
    d.start()
    log = d.log()
    assert "calendar sealed events=1" in log, log[-2000:]
    assert "people sealed persons=1" in log, log[-2000:]
    ev = d.ctl_json("events", "show", str(eid))
    assert ev["location"] == PLACE and ev["description"] is None
    p = d.ctl_json("people", "show", str(pid))
    assert (p["commune"], p["org"]) == ("Grenadine", "Hippocampe asbl")
    d.stop()
    con = sqlite3.connect(d.db)
    con.execute("VACUUM")   # old clear pages: what the daemon left
    con.close()
    assert found_in(raw(d)) == []
    d.start()   # and a second start has nothing to seal
    assert d.log().count("calendar sealed events=") == 1, d.log()[-2000:]


def test_a_place_moved_to_another_event_does_not_open(daemon):
    # an attacker with write access to the file, without the key, swaps
    # sealed values between rows: they do not open there
    d = daemon
    a = add_event(d, title="Plateforme A")
    b = d.ctl_json("events", "add", "--title", "Plateforme B", "--dtstart",
                   "2027-03-11T14:00:00", "--location", "Salle B")["id"]
    d.stop()
    con = sqlite3.connect(d.db)
    con.execute("UPDATE events SET location = (SELECT location FROM events"
                " WHERE id = ?) WHERE id = ?", (a, b))
    con.commit()
    con.close()
    d.start()
    assert d.ctl_json("events", "show", str(b))["location"] is None
    assert d.ctl_json("events", "show", str(a))["location"] == PLACE
    assert f"calendar unreadable event={b} field=location" in d.log()
    # the agenda still lists both
    titles = [i["title"] for i in d.ctl_json("agenda", "--from",
                                             "2027-03-10", "--days", "2")]
    assert titles == ["Plateforme A", "Plateforme B"], titles


def test_what_is_sent_still_says_where(daemon):
    d = daemon
    pid = d.add_person(name="Anne", role="referent",
                       email="anne@example.test")
    start = (dt.datetime.now(BXL) + dt.timedelta(seconds=8)).replace(
        microsecond=0)
    d.ctl_json("events", "add", "--title", "Plateforme", "--dtstart",
               start.strftime("%Y-%m-%dT%H:%M:%S"), "--remind", "5s",
               "--audience", f"person:{pid}", "--channels", "email",
               "--location", PLACE)
    spool = d.state / "spool"
    deadline = time.monotonic() + 30
    files = []
    while time.monotonic() < deadline:
        files = sorted(spool.glob("*.eml")) if spool.is_dir() else []
        if files:
            break
        time.sleep(0.2)
    assert files, d.log()[-3000:]
    m = email.message_from_bytes(files[0].read_bytes(),
                                 policy=email.policy.default)
    assert PLACE in m.get_content()
