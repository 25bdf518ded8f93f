"""
The calendar end to end: events through stoppvifctl, reminders falling due
on a real daemon and landing in the outbox exactly once per recipient and
channel, across restarts before and after the due time; the agenda; and
iCalendar export/import checked with Debian's python3-icalendar.
"""
import datetime as dt
import json
import subprocess
import time
from zoneinfo import ZoneInfo

import pytest

from conftest import STOPPVIFD, run

BXL = ZoneInfo("Europe/Brussels")


def local_in(seconds):
    """Europe/Brussels wall clock `seconds` from now, as --dtstart wants."""
    t = dt.datetime.now(BXL) + dt.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def outbox(d, status=None):
    args = ["outbox", "list"] + (["--status", status] if status else [])
    return d.ctl_json(*args)


def wait_outbox(d, n, timeout=20.0):
    """Wait until the outbox holds at least n rows; the rows."""
    deadline = time.monotonic() + timeout
    while True:
        rows = outbox(d)
        if len(rows) >= n:
            return rows
        if time.monotonic() > deadline:
            pytest.fail(f"{len(rows)} outbox rows after {timeout} s, "
                        f"expected {n}; log:\n{d.log()[-3000:]}")
        time.sleep(0.2)


def hold_delivery(d):
    """Restart d with an email channel that cannot deliver (an SMTP server
    that is not there, retried in an hour): queued reminders stay pending,
    so that what edits and removals do to them can be seen."""
    import socket
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    d.stop()
    d.write_config(extra="[channel.email]\nplugin = smtp\n"
                   f"url = smtp://127.0.0.1:{port}\n"
                   "from = noreply@stoppvif.example.be\ntls = none\n",
                   delivery_extra="backoff_min = 1h\n")
    d.start()


def add_people(d):
    """Two referents (one with email and phone, one with email only) and a
    partner; their ids."""
    a = d.add_person(name="Anne Dubois", role="referent",
                     email="anne@aywaille.example", phone="0470 99 00 01")
    b = d.add_person(name="Bruno Lejeune", role="referent,oncall",
                     email="bruno@esneux.example")
    c = d.add_person(name="Chantal Piron", role="partner",
                     phone="0470 99 00 03")
    return a, b, c


def add_event(d, **fields):
    args = ["events", "add"]
    for k, v in fields.items():
        args += [f"--{k.replace('_', '-')}", v]
    return d.ctl_json(*args)["id"]


# -- validation -------------------------------------------------------------

@pytest.mark.parametrize("fields,field", [
    ({"dtstart": "2027-13-01T10:00:00"}, "dtstart"),
    ({"dtstart": "demain"}, "dtstart"),
    ({"rrule": "FREQ=MONTHLY;BYMONTHDAY=32"}, "rrule"),
    ({"rrule": "FREQ=FORTNIGHTLY"}, "rrule"),
    ({"rrule": "FREQ=YEARLY;COUNT=2", "dtstart": "2001-01-01T10:00:00"},
     "rrule"),
    ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"}, "rrule"),
    ({"kind": "party"}, "kind"),
    ({"location": "Maison des victimes"}, "location"),
    ({"commune": "VIOLENCES conjugales"}, "commune"),
    ({"tz": "Europe/Atlantis"}, "tz"),
    ({"duration": "2 hours"}, "duration"),
    ({"remind": "1d"}, "audience"),
    ({"remind": "soon", "audience": "role:referent"}, "remind"),
    ({"remind": "0s", "audience": "role:referent"}, "remind"),
    ({"audience": "role:boss"}, "audience"),
    ({"audience": "person:999"}, "audience"),
    ({"channels": "fax"}, "channels"),
    ({"skip_holidays": "FR"}, "skip_holidays"),
    ({"exdate": "2027-02-30T10:00:00"}, "exdates"),
])
def test_add_refuses_with_the_field(daemon, fields, field):
    base = {"title": "Plateforme", "dtstart": "2027-03-09T09:30:00"}
    base.update(fields)
    args = ["events", "add"]
    for k, v in base.items():
        args += [f"--{k.replace('_', '-')}", v]
    rc, out, err = daemon.ctl(*args)
    assert rc == 1, (out, err)
    assert err.startswith(f"stoppvifctl: {field}: "), err
    assert daemon.ctl_json("events", "list") == []


def test_add_show_edit_remove(daemon):
    a, b, c = add_people(daemon)
    eid = add_event(daemon, title="La Cabane", kind="cabane",
                    dtstart="2027-01-06T14:00:00",
                    rrule="FREQ=MONTHLY;BYDAY=1WE;BYMONTH=1,2,3,4,5,6,9,10,11,12",
                    duration="2h", commune="Aywaille", remind="7d,1d",
                    audience=f"role:referent,person:{c}",
                    channels="email,sms", skip_holidays="BE")
    e = daemon.ctl_json("events", "show", str(eid))
    assert e["title"] == "La Cabane" and e["kind"] == "cabane"
    assert e["tz"] == "Europe/Brussels"
    assert e["duration"] == "2h"
    assert e["remind"] == ["7d", "1d"]
    assert e["audience"] == ["role:referent", f"person:{c}"]
    assert e["channels"] == ["email", "sms"]
    assert e["skip_holidays"] == "BE"
    assert e["next"] == "2027-01-06T14:00:00+01:00"

    e = daemon.ctl_json("events", "edit", str(eid), "--dtstart",
                        "2027-02-03T14:30:00")
    assert e["dtstart"] == "2027-02-03T14:30:00"
    assert e["next"] == "2027-02-03T14:30:00+01:00"
    assert e["title"] == "La Cabane"            # untouched fields stay

    rc, out, _ = daemon.ctl("events", "list", check=0)
    assert "La Cabane" in out and "mer. 3 févr. 2027 14:30" in out
    rc, out, _ = daemon.ctl("events", "show", str(eid), check=0)
    assert "mercredi 3 février 2027 à 14h30" in out

    daemon.ctl("events", "remove", str(eid), check=0)
    rc, _, err = daemon.ctl("events", "show", str(eid))
    assert rc == 1 and "id:" in err
    actions = [x["action"] for x in daemon.audit()]
    assert {"events.add", "events.edit", "events.remove"} <= set(actions)


# -- reminders --------------------------------------------------------------

def test_reminder_due_gives_one_row_per_recipient_and_channel(daemon):
    a, b, c = add_people(daemon)
    # a: email+sms, b: email only (no phone); c is a partner, not reached.
    eid = add_event(daemon, title="Plateforme", dtstart=local_in(10),
                    remind="6s", audience="role:referent",
                    channels="email,sms")
    rows = wait_outbox(daemon, 3)
    time.sleep(2.5)                          # nothing more comes
    rows = outbox(daemon)
    got = sorted((r["person"], r["channel"]) for r in rows)
    assert got == sorted([(a, "email"), (a, "sms"), (b, "email")])
    for r in rows:
        assert r["status"] in ("pending", "sent") and r["kind"] == "reminder"
        assert r["event"] == eid and r["offset"] == 6
        assert r["key"].startswith(f"reminder/{eid}/")
        assert r["key"].endswith(f"/6/{r['person']}/{r['channel']}")
    assert len({r["key"] for r in rows}) == 3
    assert "sched reminder event=%d" % eid in daemon.log()


def test_restart_before_due_sends_late_once(daemon):
    a, b, c = add_people(daemon)
    eid = add_event(daemon, title="Formation", dtstart=local_in(14),
                    remind="10s", audience=f"person:{a}")
    daemon.stop()                            # down before the due time
    time.sleep(6)                            # due passes while down
    daemon.start()
    rows = wait_outbox(daemon, 1)
    assert [(r["person"], r["channel"]) for r in rows] == [(a, "email")]
    daemon.restart()                         # and again, after the due time
    time.sleep(1)
    assert len(outbox(daemon)) == 1


def test_restart_after_due_does_not_double(daemon):
    a, b, c = add_people(daemon)
    add_event(daemon, title="Plateforme", dtstart=local_in(30),
              remind="27s,25s", audience=f"person:{a},person:{b}")
    rows = wait_outbox(daemon, 2)            # the 27s reminder of a and b
    assert {r["offset"] for r in rows} == {27}
    daemon.restart()
    rows = wait_outbox(daemon, 4)            # then the 25s one, once
    time.sleep(1.5)
    daemon.restart()
    time.sleep(1)
    rows = outbox(daemon)
    assert len(rows) == 4
    assert sorted((r["person"], r["offset"]) for r in rows) == \
        sorted([(a, 27), (b, 27), (a, 25), (b, 25)])


def test_missed_reminder_of_a_started_occurrence_is_skipped(daemon):
    a, b, c = add_people(daemon)
    eid = add_event(daemon, title="Sensibilisation", dtstart=local_in(6),
                    remind="3s", audience=f"person:{a}")
    daemon.stop()
    time.sleep(7)                            # the occurrence has started
    off = daemon.log_size()
    daemon.start()
    text = daemon.wait_log("reminder_skipped", off)
    assert f"event={eid}" in text and "reason=started" in text
    assert outbox(daemon) == []


def test_edit_replans_and_remove_cancels(daemon):
    hold_delivery(daemon)
    a, b, c = add_people(daemon)
    eid = add_event(daemon, title="Plateforme", dtstart="2027-06-08T09:30:00",
                    remind="1d", audience=f"person:{a}")
    time.sleep(1)
    assert outbox(daemon) == []
    daemon.ctl("events", "edit", str(eid), "--dtstart", local_in(8),
               "--remind", "5s", check=0)
    rows = wait_outbox(daemon, 1)
    assert rows[0]["status"] == "pending"
    daemon.ctl("events", "remove", str(eid), check=0)
    rows = outbox(daemon)
    assert [r["status"] for r in rows] == ["cancelled"]


def test_idle_daemon_arms_one_timer_for_the_next_reminder(daemon):
    a, b, c = add_people(daemon)
    add_event(daemon, title="Plateforme", dtstart="2027-06-08T09:30:00",
              remind="7d,1d", audience=f"person:{a}")
    s = daemon.ctl_json("status")
    assert s["scheduler"]["next_reminder"] == "2027-06-01T07:30:00Z"
    assert s["events"] == 1
    assert s["outbox"]["pending"] == 0


# -- agenda -----------------------------------------------------------------

def test_agenda_json_and_french_text(daemon):
    a, b, c = add_people(daemon)
    eid = add_event(daemon, title="La Cabane", dtstart="2027-01-06T14:00:00",
                    rrule="FREQ=MONTHLY;BYDAY=1WE", duration="2h",
                    remind="7d,1d", audience="role:referent",
                    commune="Sprimont")
    items = daemon.ctl_json("agenda", "--from", "2027-01-01", "--days", "60")
    assert [i["start"] for i in items] == [
        "2027-01-06T14:00:00+01:00", "2027-02-03T14:00:00+01:00"]
    first = items[0]
    assert first["event"] == eid and first["title"] == "La Cabane"
    assert first["end"] == "2027-01-06T16:00:00+01:00"
    assert first["reminders"] == ["2026-12-30T14:00:00+01:00",
                                  "2027-01-05T14:00:00+01:00"]
    assert first["audience"] == 2
    rc, out, _ = daemon.ctl("agenda", "--from", "2027-01-01", "--days", "60",
                            check=0)
    assert "mer. 6 janv. 2027 14:00–16:00  La Cabane (Sprimont)" in out
    assert "2 personnes" in out
    assert "rappels : mer. 30 déc. 2026 14:00, mar. 5 janv. 2027 14:00" in out


def test_agenda_holidays_skipped(daemon):
    # 2027-11-01 (Toussaint) is the first Monday of November 2027.
    add_event(daemon, title="Permanence", dtstart="2027-10-04T10:00:00",
              rrule="FREQ=MONTHLY;BYDAY=1MO", skip_holidays="BE")
    items = daemon.ctl_json("agenda", "--from", "2027-10-01", "--days", "70")
    assert [i["start"][:10] for i in items] == ["2027-10-04", "2027-12-06"]


def test_closures_file_skips_days(daemon):
    closures = daemon.dir / "closures.txt"
    closures.write_text("# congés scolaires FWB\n2027-10-25..2027-11-05\n"
                        "2027-12-06\n")
    daemon.stop()
    daemon.write_config(extra=f"[calendar]\nclosures = {closures}\n")
    daemon.start()
    add_event(daemon, title="Permanence", dtstart="2027-10-04T10:00:00",
              rrule="FREQ=WEEKLY;BYDAY=MO", skip_holidays="BE")
    items = daemon.ctl_json("agenda", "--from", "2027-10-18", "--days", "57")
    got = [i["start"][:10] for i in items]
    assert got == ["2027-10-18", "2027-11-08", "2027-11-15", "2027-11-22",
                   "2027-11-29", "2027-12-13"]


def test_bad_closures_file_is_a_config_error(daemon_env):
    closures = daemon_env.dir / "closures.txt"
    closures.write_text("2027-10-25\n2027-13-01\n")
    daemon_env.write_config(extra=f"[calendar]\nclosures = {closures}\n")
    r = run([STOPPVIFD, "-t", "-c", daemon_env.conf])
    assert r.returncode == 1
    assert f"{closures}:2:" in r.stderr


# -- iCalendar --------------------------------------------------------------

def test_export_parses_and_round_trips(daemon, daemon_env, tmp_path):
    a, b, c = add_people(daemon)
    add_event(daemon, title="Réunion de la plateforme, trimestrielle",
              kind="platform", dtstart="2027-01-12T09:30:00",
              rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU", duration="2h30m",
              location="Maison communale; salle du conseil",
              remind="7d,1d", audience="role:platform",
              exdate="2027-04-13T09:30:00")
    add_event(daemon, title="Stand à la fête de Trooz", kind="awareness",
              dtstart="2027-06-19T10:00:00", duration="6h",
              commune="Trooz", audience=f"person:{a}", remind="2h",
              channels="email,sms")
    first = tmp_path / "first.ics"
    daemon.ctl("events", "export", str(first), check=0)
    check = ("import icalendar, sys\n"
             "c = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n"
             "ev = c.walk('VEVENT')\n"
             "assert len(ev) == 2, len(ev)\n"
             "assert str(ev[0]['SUMMARY']).startswith('Réunion'), ev[0]\n"
             "assert ev[0].decoded('DTSTART').isoformat() == "
             "'2027-01-12T09:30:00+01:00', ev[0].decoded('DTSTART')\n"
             "print('ok')\n")
    r = subprocess.run(["/usr/bin/python3", "-c", check, str(first)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr

    # Import into the same daemon: same UIDs, so updated in place.
    out = daemon.ctl_json("events", "import", str(first))
    assert out["added"] == 0 and out["updated"] == 2, out
    second = tmp_path / "second.ics"
    daemon.ctl("events", "export", str(second), check=0)
    assert second.read_bytes() == first.read_bytes()
    assert len(daemon.ctl_json("events", "list")) == 2


def test_export_import_into_a_new_daemon_is_stable(daemon, tmp_path):
    from conftest import Daemon
    add_event(daemon, title="La Cabane", kind="cabane",
              dtstart="2027-01-06T14:00:00",
              rrule="FREQ=MONTHLY;BYDAY=1WE;BYMONTH=1,2,3,4,5,6,9,10,11,12",
              duration="2h", skip_holidays="BE", remind="7d,1d",
              audience="role:animator", description="Ateliers 5–10 ans\n"
              "Parents reçus en parallèle")
    add_event(daemon, title="Formation", kind="training", tz="UTC",
              dtstart="2027-02-18T08:00:00", rrule="FREQ=WEEKLY;COUNT=4")
    first = tmp_path / "first.ics"
    daemon.ctl("events", "export", str(first), check=0)
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = Daemon(other_dir)
    try:
        other.start()
        out = other.ctl_json("events", "import", str(first))
        assert (out["added"], out["updated"], out["skipped"],
                out["ignored"]) == (2, 0, 0, []), out
        assert [e["outcome"] for e in out["events"]] == ["imported"] * 2
        second = tmp_path / "second.ics"
        other.ctl("events", "export", str(second), check=0)
        assert second.read_text() == first.read_text()
        mine = daemon.ctl_json("events", "list")
        theirs = other.ctl_json("events", "list")
        drop = ("id", "next")
        assert [{k: v for k, v in e.items() if k not in drop} for e in mine] \
            == [{k: v for k, v in e.items() if k not in drop} for e in theirs]
    finally:
        other.stop()
        other.cleanup()


def test_edit_takes_back_pending_reminders(daemon):
    hold_delivery(daemon)
    a, b, c = add_people(daemon)
    eid = add_event(daemon, title="Plateforme", dtstart=local_in(40),
                    remind="37s", audience=f"person:{a}")
    rows = wait_outbox(daemon, 1)
    # A new title: the message is made again from the new definition.
    daemon.ctl("events", "edit", str(eid), "--title", "Plateforme (salle 2)",
               check=0)
    rows = outbox(daemon)
    assert [(r["status"], r["offset"]) for r in rows] == [("pending", 37)]
    # Moved to next year: the queued reminder no longer applies.
    daemon.ctl("events", "edit", str(eid), "--dtstart",
               "2027-09-14T09:30:00", check=0)
    assert outbox(daemon) == []


def test_a_finished_event_can_still_be_renamed(daemon):
    eid = add_event(daemon, title="Séance unique", dtstart=local_in(2),
                    rrule="FREQ=DAILY;COUNT=1")
    time.sleep(3)
    e = daemon.ctl_json("events", "edit", str(eid), "--title", "Séance")
    assert e["title"] == "Séance" and e["next"] is None
    rc, _, err = daemon.ctl("events", "edit", str(eid), "--rrule",
                            "FREQ=DAILY;COUNT=1")
    assert rc == 1 and err.startswith("stoppvifctl: rrule: ")


def test_reload_with_closures_replans(daemon):
    a, b, c = add_people(daemon)
    today = dt.datetime.now(BXL).date()
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    if (monday - today).days < 3:
        monday += dt.timedelta(days=7)
    add_event(daemon, title="Permanence", rrule="FREQ=WEEKLY;BYDAY=MO",
              dtstart=f"{monday}T10:00:00", remind="1d", skip_holidays="BE",
              audience=f"person:{a}")

    def next_reminder():
        return daemon.ctl_json("status")["scheduler"]["next_reminder"]

    def utc(day):
        t = dt.datetime.combine(day, dt.time(10), BXL) - dt.timedelta(days=1)
        return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    assert next_reminder() == utc(monday)
    closures = daemon.dir / "closures.txt"
    closures.write_text(f"{monday}\n")
    daemon.write_config(extra=f"[calendar]\nclosures = {closures}\n")
    off = daemon.log_size()
    daemon.ctl("reload", check=0)
    daemon.wait_log("sched replanned", off)
    assert next_reminder() == utc(monday + dt.timedelta(days=7))
    assert "replan_failed" not in daemon.log()


def test_import_alarms_without_audience_are_reported(daemon, tmp_path):
    ics = tmp_path / "google.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc"
                   "//Google Calendar 70.9054//EN\r\nBEGIN:VEVENT\r\n"
                   "DTSTART;TZID=Europe/Brussels:20270310T140000\r\n"
                   "DTEND;TZID=Europe/Brussels:20270310T160000\r\n"
                   "UID:g1@google.com\r\nSUMMARY:Atelier\r\n"
                   "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\n"
                   "TRIGGER:-P1D\r\nEND:VALARM\r\nEND:VEVENT\r\n"
                   "END:VCALENDAR\r\n")
    out = daemon.ctl_json("events", "import", str(ics))
    assert out["added"] == 1
    assert any("rappels ignorés" in m for m in out["ignored"]), out
    e = daemon.ctl_json("events", "list")[0]
    assert e["title"] == "Atelier" and e["remind"] == []
    assert e["duration"] == "2h"
