"""
Phone titles: an event whose title the phone guard refuses is accepted,
added or imported, its title kept whole for the agenda, the export and
email bodies; its SMS texts and email subjects carry the neutral
[calendar] phone_title instead, the import report says which events got
one, a reload changes it, and a phone_title that is itself refused is a
configuration error with its file and line.
"""
import datetime as dt
import email
import email.policy
import time
from zoneinfo import ZoneInfo

import pytest

from conftest import STOPPVIFD, run

BXL = ZoneInfo("Europe/Brussels")
GUARDED = "Groupe de parole violences conjugales"
NEUTRAL = "Réunion du réseau"


def remind_soon(d, audience, title, lead=8, offset=5):
    start = (dt.datetime.now(BXL) + dt.timedelta(seconds=lead)).replace(
        microsecond=0)
    return d.ctl_json("events", "add", "--title", title, "--dtstart",
                      start.strftime("%Y-%m-%dT%H:%M:%S"), "--remind",
                      f"{offset}s", "--audience", audience, "--channels",
                      "email,sms")["id"]


def spooled(d, n, timeout=30.0):
    """The spool's files once there are n of them: {suffix: [text]}."""
    spool = d.state / "spool"
    deadline = time.monotonic() + timeout
    while True:
        files = sorted(spool.iterdir()) if spool.is_dir() else []
        if len(files) >= n:
            break
        if time.monotonic() > deadline:
            pytest.fail(f"{n} messages not spooled after {timeout} s: "
                        f"{files}\nlog:\n{d.log()[-3000:]}")
        time.sleep(0.2)
    out = {}
    for f in files:
        out.setdefault(f.suffix, []).append(f.read_bytes())
    return out


def email_parts(raw):
    m = email.message_from_bytes(raw, policy=email.policy.default)
    return str(m["Subject"]), m.get_content()


def person(d):
    return d.add_person(name="Anne", role="referent",
                        email="anne@example.test", phone="0470 99 00 01")


def test_sms_and_subject_carry_the_phone_title(daemon, tmp_path):
    pid = person(daemon)
    eid = remind_soon(daemon, f"person:{pid}", GUARDED)
    ev = daemon.ctl_json("events", "show", str(eid))
    assert ev["title"] == GUARDED and ev["phone_title"] == NEUTRAL, ev
    got = spooled(daemon, 2)
    sms = got[".sms"][0].decode()
    assert NEUTRAL in sms and "violence" not in sms.lower(), sms
    subject, body = email_parts(got[".eml"][0])
    assert NEUTRAL in subject and "violence" not in subject.lower(), subject
    assert GUARDED in body, body
    # the agenda and the export keep the full title
    exported = tmp_path / "export.ics"
    daemon.ctl("events", "export", str(exported), check=0)
    out = exported.read_text()
    assert "SUMMARY:" + GUARDED in out, out
    assert NEUTRAL not in out
    listed = daemon.ctl_json("events", "list")
    assert [e["title"] for e in listed] == [GUARDED]


def test_a_plain_title_has_no_phone_title(daemon):
    eid = daemon.ctl_json("events", "add", "--title", "Plateforme",
                          "--dtstart", "2027-03-09T09:30:00")["id"]
    ev = daemon.ctl_json("events", "show", str(eid))
    assert "phone_title" not in ev, ev
    # show's answer goes back as an edit, the read-only field with it
    eid = daemon.ctl_json("events", "add", "--title", GUARDED,
                          "--dtstart", "2027-03-10T09:30:00")["id"]
    daemon.ctl("events", "edit", str(eid), "--title", "Plateforme", check=0)
    assert "phone_title" not in daemon.ctl_json("events", "show", str(eid))


def test_import_reports_the_adapted_event(daemon, tmp_path):
    ics = tmp_path / "cal.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//FR\r\n"
                   "BEGIN:VEVENT\r\nUID:pt1@example\r\n"
                   "DTSTART;TZID=Europe/Brussels:20270310T140000\r\n"
                   "DTEND;TZID=Europe/Brussels:20270310T160000\r\n"
                   f"SUMMARY:{GUARDED}\r\nEND:VEVENT\r\n"
                   "BEGIN:VEVENT\r\nUID:pt2@example\r\n"
                   "DTSTART;TZID=Europe/Brussels:20270311T140000\r\n"
                   "SUMMARY:Plateforme\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    out = daemon.ctl_json("events", "import", str(ics))
    assert out["added"] == 2 and out["skipped"] == 0, out
    items = {e["uid"]: e for e in out["events"]}
    note = f"titre remplacé sur les téléphones par « {NEUTRAL} »"
    assert items["pt1@example"]["outcome"] == "adapted", items
    assert note in items["pt1@example"]["notes"], items
    assert items["pt2@example"]["outcome"] != "adapted", items
    assert any(GUARDED in m and note in m for m in out["ignored"]), out
    ev = {e["uid"]: e for e in daemon.ctl_json("events", "list")}
    assert ev["pt1@example"]["title"] == GUARDED
    assert ev["pt1@example"]["phone_title"] == NEUTRAL
    assert "phone_title" not in ev["pt2@example"]


def test_reload_changes_the_phone_title(daemon):
    pid = person(daemon)
    daemon.hup(daemon.config_text(
        extra="[calendar]\nphone_title = Rencontre mensuelle\n"),
        expect=("config reloaded",))
    eid = remind_soon(daemon, f"person:{pid}", GUARDED)
    ev = daemon.ctl_json("events", "show", str(eid))
    assert ev["phone_title"] == "Rencontre mensuelle", ev
    got = spooled(daemon, 2)
    assert "Rencontre mensuelle" in got[".sms"][0].decode()
    subject, body = email_parts(got[".eml"][0])
    assert "Rencontre mensuelle" in subject and GUARDED in body


@pytest.mark.parametrize("value,says", [
    ("Soirée VIF", "may not reach a phone"),
    ("Aide aux victimes", "may not reach a phone"),
    ("x" * 61, "at most 60 characters"),
    ('""', "may not be empty"),
])
def test_a_guarded_phone_title_is_refused(daemon_env, value, says):
    conf = daemon_env.write_config(
        extra=f"[calendar]\n; the neutral title\nphone_title = {value}\n")
    line = conf.read_text().splitlines().index(
        f"phone_title = {value}") + 1
    r = run([STOPPVIFD, "-t", "-c", conf])
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert f"stoppvif.ini:{line}: phone_title: " in r.stderr, r.stderr
    assert says in r.stderr, r.stderr


def test_a_refused_phone_title_keeps_the_running_one(daemon):
    log = daemon.hup(daemon.config_text(
        extra="[calendar]\nphone_title = Maison des victimes\n"),
        expect=("reload_refused",))
    assert "phone_title" in log
    eid = daemon.ctl_json("events", "add", "--title", GUARDED,
                          "--dtstart", "2027-03-10T09:30:00")["id"]
    assert daemon.ctl_json("events", "show",
                           str(eid))["phone_title"] == NEUTRAL


def test_a_reload_changes_the_phone_title_of_existing_events(daemon):
    # added under the default, read after the coordinator renamed it: the
    # API shows what phones now get, not what was current at the write
    eid = daemon.ctl_json("events", "add", "--title", GUARDED,
                          "--dtstart", "2027-03-10T09:30:00")["id"]
    assert daemon.ctl_json("events", "show",
                           str(eid))["phone_title"] == NEUTRAL
    daemon.hup(daemon.config_text(
        extra="[calendar]\nphone_title = Rencontre mensuelle\n"),
        expect=("config reloaded",))
    assert daemon.ctl_json("events", "show",
                           str(eid))["phone_title"] == "Rencontre mensuelle"
    listed = {e["id"]: e for e in daemon.ctl_json("events", "list")}
    assert listed[eid]["phone_title"] == "Rencontre mensuelle", listed
