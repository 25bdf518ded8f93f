"""
Delivery end to end: reminders leave the outbox through the real daemon,
its channel plugins and real servers: Postfix's smtp-sink (each message
written to a file, read back here) and Kannel with its fake SMSC (what the
phone side prints).  Retries, permanent failures, a crash in the middle of
a batch, and quiet hours.
"""
import datetime as dt
import email.header
import http.server
import os
import signal
import subprocess
import sqlite3
import threading
import time
from zoneinfo import ZoneInfo

import pytest

from srv_kannel import Kannel
from srv_smtp import SmtpSink, free_port

BXL = ZoneInfo("Europe/Brussels")
FROM = "Coordination sociale <noreply@stoppvif.example.be>"
JOURS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
         "dimanche"]
MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet",
        "août", "septembre", "octobre", "novembre", "décembre"]


def local_in(seconds):
    t = dt.datetime.now(BXL) + dt.timedelta(seconds=seconds)
    return t.replace(microsecond=0)


def french_date(t):
    day = "1er" if t.day == 1 else str(t.day)
    return f"{JOURS[t.weekday()]} {day} {MOIS[t.month - 1]} {t.year}"


def decoded(value):
    return str(email.header.make_header(email.header.decode_header(value)))


def smtp_section(sink, **extra):
    text = (f"[channel.email]\nplugin = smtp\nurl = {sink.url}\n"
            f"from = {FROM}\ntls = none\n")
    return text + "".join(f"{k} = {v}\n" for k, v in extra.items())


def start(d, extra="", delivery=""):
    d.write_config(extra=extra, delivery_extra=delivery)
    d.start()


def outbox(d, status=None):
    args = ["outbox", "list"] + (["--status", status] if status else [])
    return d.ctl_json(*args)


def wait_rows(d, pred, what, timeout=30.0):
    """Wait until pred(rows) holds; the rows."""
    deadline = time.monotonic() + timeout
    while True:
        rows = outbox(d)
        if pred(rows):
            return rows
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not reached after {timeout} s: {rows}\n"
                        f"log:\n{d.log()[-3000:]}")
        time.sleep(0.2)


def remind_soon(d, audience, channels="email", title="Plateforme",
                lead=8, offset=5):
    start_at = local_in(lead)
    eid = d.ctl_json("events", "add", "--title", title, "--dtstart",
                     start_at.strftime("%Y-%m-%dT%H:%M:%S"), "--remind",
                     f"{offset}s", "--audience", audience, "--channels",
                     channels)["id"]
    return eid, start_at


@pytest.fixture
def sink(tmp_path):
    s = SmtpSink(tmp_path)
    try:
        yield s
    finally:
        s.close()


def test_reminder_email_arrives_as_written(daemon_env, sink):
    start(daemon_env, smtp_section(sink))
    pid = daemon_env.add_person(name="Zoé Lefèvre-Ça", role="referent",
                                email="zoe.lefevre@esneux.example",
                                lang="fr")
    title = "Réunion plénière à Esneux"
    eid, at = remind_soon(daemon_env, f"person:{pid}", title=title)
    msg = sink.wait_messages(1, timeout=30)[0]
    assert decoded(msg["From"]) == FROM
    to = decoded(msg["To"])
    assert "Zoé Lefèvre-Ça" in to and "<zoe.lefevre@esneux.example>" in to
    subject = decoded(msg["Subject"])
    assert title in subject and french_date(at) in subject, subject
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Date"]
    row = wait_rows(daemon_env, lambda r: r and r[0]["status"] == "sent",
                    "sent")[0]
    want = "<" + row["key"].replace("/", ".") + "@stoppvif.example.be>"
    assert msg["Message-ID"] == want
    assert row["reply"].startswith("250"), row
    body = next(p for p in msg.walk() if p.get_content_type() ==
                "text/plain")
    assert body.get_content_charset().lower() == "utf-8"
    text = body.get_payload(decode=True).decode("utf-8")
    assert title in text and french_date(at) in text, text
    assert f"{at.hour}h{at.minute:02d}" in text, text
    assert len(sink.messages()) == 1


def test_show_body_reads_as_the_message_went_out(daemon_env, sink):
    """outbox list --show-body renders a sent message as of its sending:
    {in} says what the message said, not the time left when one looks."""
    start(daemon_env, smtp_section(sink))
    pid = daemon_env.add_person(name="Anne", role="referent",
                                email="anne@example.test")
    _, at = remind_soon(daemon_env, f"person:{pid}")
    sink.wait_messages(1, timeout=30)
    wait_rows(daemon_env, lambda r: r and r[0]["status"] == "sent", "sent")
    daemon_env.stop()
    # as if it had gone out three hours before the start
    sent = at.astimezone(dt.timezone.utc) - dt.timedelta(hours=3)
    db = sqlite3.connect(daemon_env.db)
    db.execute("UPDATE outbox SET sent = ?",
               (sent.strftime("%Y-%m-%dT%H:%M:%SZ"),))
    db.commit()
    db.close()
    daemon_env.start()
    row = daemon_env.ctl_json("outbox", "list", "--show-body")[0]
    assert "a lieu dans 3 heures" in row["body"], row["body"]


def test_reminder_sms_reaches_the_phone_exactly(daemon_env, tmp_path):
    with Kannel(tmp_path / "kannel") as k:
        url = daemon_env.dir / "sms.url"
        url.write_text(k.sendsms_url() + "\n")
        os.chmod(url, 0o600)    # it holds the gateway's account
        start(daemon_env, "[channel.sms]\nplugin = sms_http\n"
              f"url_file = {url}\nsuccess = Accepted for delivery\n")
        pid = daemon_env.add_person(name="Luc Gérard", role="referent",
                                    phone="0470 99 12 34")
        remind_soon(daemon_env, f"person:{pid}", channels="sms",
                    title="La Cabane")
        sms = k.wait_messages(1, timeout=30)
        rows = daemon_env.ctl_json("outbox", "list", "--show-body")
        assert rows[0]["to"] == "+32470991234"
        assert sms[0].to in ("+32470991234", "0032470991234",
                             "32470991234"), sms
        assert sms[0].text == rows[0]["body"], (sms, rows[0]["body"])
        assert "La Cabane" in sms[0].text
        wait_rows(daemon_env, lambda r: r[0]["status"] == "sent", "sent")


def test_retry_until_the_server_is_back_then_once(daemon_env, tmp_path):
    port = free_port()
    start(daemon_env, "[channel.email]\nplugin = smtp\n"
          f"url = smtp://127.0.0.1:{port}\nfrom = {FROM}\ntls = none\n",
          delivery="backoff_min = 1s\nbackoff_max = 2s\n")
    a = daemon_env.add_person(name="Anne", role="referent",
                              email="anne@example.test")
    b = daemon_env.add_person(name="Bob", role="referent",
                              email="bob@example.test")
    remind_soon(daemon_env, "role:referent", lead=6, offset=4)
    rows = wait_rows(daemon_env, lambda r: len(r) == 2 and
                     all(x["attempts"] >= 2 for x in r), "two attempts each")
    assert all(x["status"] == "pending" and x["error"] for x in rows), rows
    s = SmtpSink(tmp_path, port=port)
    try:
        wait_rows(daemon_env, lambda r: all(x["status"] == "sent"
                                            for x in r), "sent")
        time.sleep(3)           # more than a backoff: nothing else comes
        got = s.messages()
        assert sorted(m["X-Rcpt-Args"] for m in got) == \
            ["<anne@example.test>", "<bob@example.test>"]
    finally:
        s.close()


def test_permanent_smtp_failure_after_one_attempt(daemon_env, tmp_path):
    s = SmtpSink(tmp_path, flags=["-f", "RCPT"])
    try:
        start(daemon_env, smtp_section(s))
        daemon_env.add_person(name="Anne", role="referent",
                              email="anne@example.test")
        remind_soon(daemon_env, "role:referent")
        row = wait_rows(daemon_env, lambda r: r and r[0]["status"] ==
                        "failed", "failed")[0]
        assert row["attempts"] == 1 and row["error"], row
        assert "dispatch failed id=" in daemon_env.log()
        assert "anne@example.test" not in daemon_env.log()
    finally:
        s.close()


class Gateway(http.server.BaseHTTPRequestHandler):
    """An SMS gateway answering every request with the server's status."""

    def do_GET(self):
        self.server.hits += 1
        self.send_response(self.server.status)
        self.end_headers()
        self.wfile.write(b"busy\n" if self.server.status >= 500 else
                         b"bad request\n")

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("status,final", [(503, "pending"),
                                          (400, "failed")])
def test_http_gateway_status(daemon_env, status, final):
    srv = http.server.HTTPServer(("127.0.0.1", 0), Gateway)
    srv.status, srv.hits = status, 0
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        start(daemon_env, "[channel.sms]\nplugin = sms_http\nurl = "
              f"http://127.0.0.1:{srv.server_port}/send?to={{to}}"
              "&text={text}\n", delivery="backoff_min = 1s\n"
              "backoff_max = 1s\n")
        daemon_env.add_person(name="Anne", role="referent",
                              phone="0470 99 00 01")
        remind_soon(daemon_env, "role:referent", channels="sms")
        want = 2 if final == "pending" else 1
        row = wait_rows(daemon_env, lambda r: r and r[0]["attempts"] >=
                        want, f"{want} attempts")[0]
        assert row["status"] == final, row
        if final == "failed":
            time.sleep(2)
            assert outbox(daemon_env)[0]["attempts"] == 1
    finally:
        srv.shutdown()


def test_kill_9_in_a_batch_loses_nothing(daemon_env, tmp_path):
    n = 1000
    s = SmtpSink(tmp_path)
    try:
        start(daemon_env, smtp_section(s), delivery="backoff_min = 1s\n")
        pid = daemon_env.add_person(name="Anne", role="referent",
                                    email="anne@example.test")
        at = local_in(25).astimezone(dt.timezone.utc)
        stamp = at.strftime("%Y%m%dT%H%M%SZ")
        ics = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//t//EN"]
        for i in range(n):
            ics += ["BEGIN:VEVENT", f"UID:crash{i}@test",
                    f"DTSTART:{stamp}", "DURATION:PT1H",
                    f"SUMMARY:Réunion {i}",
                    f"X-STOPPVIF-AUDIENCE:person:{pid}",
                    "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x",
                    "TRIGGER:-PT15S", "END:VALARM", "END:VEVENT"]
        ics.append("END:VCALENDAR")
        path = tmp_path / "crash.ics"
        path.write_text("\r\n".join(ics) + "\r\n")
        daemon_env.ctl("events", "import", str(path), check=0, timeout=120)
        # Kill it in the middle of the batch.
        deadline = time.monotonic() + 60
        while len(s.dump_files()) < 100 and time.monotonic() < deadline:
            time.sleep(0.01)
        daemon_env.proc.send_signal(signal.SIGKILL)
        daemon_env.proc.wait(timeout=10)
        daemon_env.proc = None
        daemon_env._close_log()
        # every file the sink began counts: a message being written when the
        # daemon died may have been recorded as sent just before
        before = len(s.dump_files(finished=False))
        assert 0 < before < n, f"kill came at {before} of {n}"
        # What the database had recorded as sent when it died: the others
        # that the sink got were in flight, their outcome not yet written.
        db = sqlite3.connect(f"file:{daemon_env.db}?mode=ro", uri=True)
        recorded = db.execute("SELECT count(*) FROM outbox"
                              " WHERE status = 'sent'").fetchone()[0]
        db.close()
        in_flight = before - recorded
        daemon_env.start()
        got = s.wait_messages(n, timeout=120)
        ids = [m["Message-ID"] for m in got]
        time.sleep(1)
        assert len(set(ids)) == n, f"{len(set(ids))} distinct of {n}"
        dups = len(s.messages()) - n
        print(f"\nkill -9 after {before} of {n} messages arrived, "
              f"{in_flight} of them not yet recorded as sent: {dups} "
              "duplicate(s) after the restart")
        # At most those, and those that were on the wire (8 connections).
        assert dups <= in_flight + 8, (dups, in_flight)
        wait_rows(daemon_env, lambda r: sum(x["status"] == "sent"
                                            for x in r) == n, "all sent",
                  timeout=60)
    finally:
        s.close()


def test_quiet_hours_hold_sms_not_email(daemon_env):
    now = dt.datetime.now(BXL)
    frm = (now - dt.timedelta(hours=1)).strftime("%H:%M")
    to = (now + dt.timedelta(hours=1)).strftime("%H:%M")
    start(daemon_env, delivery=f"quiet_hours = {frm}-{to}\n")
    daemon_env.add_person(name="Anne", role="referent",
                          email="anne@example.test", phone="0470 99 00 01")
    remind_soon(daemon_env, "role:referent", channels="email,sms")
    rows = wait_rows(daemon_env, lambda r: len(r) == 2 and any(
        x["status"] == "sent" for x in r), "email sent")
    time.sleep(1)
    rows = {x["channel"]: x for x in outbox(daemon_env)}
    assert rows["email"]["status"] == "sent"
    assert rows["sms"]["status"] == "pending", rows
    assert rows["sms"]["attempts"] == 0
    end = (now + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    nb = dt.datetime.fromisoformat(rows["sms"]["not_before"].replace(
        "Z", "+00:00"))
    assert abs((nb - end).total_seconds()) < 61, (nb, end)
    assert "reason=quiet_hours" in daemon_env.log()
    spool = daemon_env.state / "spool"
    assert [p.suffix for p in spool.iterdir()] == [".eml"]


def test_quiet_hours_of_a_person_replace_the_daemons(daemon_env):
    """The daemon's quiet hours cover now: Anne's own "none" lets her SMS
    through, Bruno (no setting) waits, and Chloé's own window, which does
    not cover now, lets hers through; Dirk's own window covers now while
    the daemon would let him through: he waits."""
    now = dt.datetime.now(BXL)
    hm = lambda t: t.strftime("%H:%M")                      # noqa: E731
    around = f"{hm(now - dt.timedelta(hours=1))}-{hm(now + dt.timedelta(hours=1))}"
    away = f"{hm(now + dt.timedelta(hours=3))}-{hm(now + dt.timedelta(hours=4))}"
    start(daemon_env, delivery=f"quiet_hours = {around}\n")
    d = daemon_env
    ids = {
        "anne": d.add_person(name="Anne", role="oncall", phone="0470 99 00 01",
                             **{"quiet-hours": "none"}),
        "bruno": d.add_person(name="Bruno", role="oncall",
                              phone="0470 99 00 02"),
        "chloe": d.add_person(name="Chloé", role="oncall",
                              phone="0470 99 00 03",
                              **{"quiet-hours": away.replace("-", " – ")}),
    }
    assert d.ctl_json("people", "show", str(ids["chloe"]))["quiet_hours"] \
        == away
    remind_soon(d, "role:oncall", channels="sms")
    wait_rows(d, lambda r: sum(x["status"] == "sent" for x in r) == 2,
              "two SMS sent")
    time.sleep(1)
    rows = {x["person"]: x for x in outbox(d)}
    assert rows[ids["anne"]]["status"] == "sent"
    assert rows[ids["chloe"]]["status"] == "sent"
    assert rows[ids["bruno"]]["status"] == "pending"
    assert rows[ids["bruno"]]["attempts"] == 0
    # The daemon without quiet hours, Dirk with his own covering now.
    d.stop()
    start(d)
    dirk = d.add_person(name="Dirk", role="partner", phone="0470 99 00 04",
                        **{"quiet-hours": around})
    remind_soon(d, f"person:{dirk}", channels="sms", title="Formation")
    wait_rows(d, lambda r: any(x["person"] == dirk and x.get("error") ==
                               "quiet hours" for x in r), "Dirk held")
    assert [x["status"] for x in outbox(d) if x["person"] == dirk] == \
        ["pending"]


def test_retry_gives_an_old_message_the_whole_policy(daemon_env, tmp_path):
    """outbox retry of a message older than max_age: its age counts from
    the retry, so a try that fails for now leaves it pending, not failed."""
    port = free_port()                          # nothing listens there
    chan = (f"[channel.email]\nplugin = smtp\nurl = smtp://127.0.0.1:{port}\n"
            f"from = {FROM}\ntls = none\n")
    start(daemon_env, extra=chan, delivery="max_age = 1h\n"
          "backoff_min = 1h\nbackoff_max = 1h\n")
    d = daemon_env
    d.add_person(name="Anne", role="referent", email="anne@example.test")
    remind_soon(d, "role:referent", channels="email")
    row = wait_rows(d, lambda r: len(r) == 1 and r[0]["attempts"] == 1,
                    "a first failed try")[0]
    assert row["status"] == "pending"
    d.stop()
    # Queued two days ago: over max_age, and failed for it.
    db = sqlite3.connect(d.db)
    db.execute("UPDATE outbox SET created = '2026-01-01T00:00:00Z',"
               " status = 'failed' WHERE id = ?", (row["id"],))
    db.commit()
    db.close()
    start(d, extra=chan, delivery="max_age = 1h\nbackoff_min = 1h\n"
          "backoff_max = 1h\n")
    d.ctl("outbox", "retry", str(row["id"]))
    row = wait_rows(d, lambda r: r[0]["attempts"] == 1 and
                    r[0].get("error"), "the retried try")[0]
    assert row["status"] == "pending", row


def plugin_dir_with(tmp_path, name="spool", mode=0o755, dir_mode=0o755):
    """A plugin folder holding a copy of the built NAME.so."""
    import shutil
    from conftest import PLUGIN_DIR
    pdir = tmp_path / "plugins"
    pdir.mkdir()
    for so in PLUGIN_DIR.glob("*.so"):
        shutil.copy(so, pdir / so.name)
    os.chmod(pdir / f"{name}.so", mode)
    os.chmod(pdir, dir_mode)
    return pdir


def check_config(d, pdir):
    from conftest import STOPPVIFD, run
    d.write_config()
    text = d.conf.read_text().replace(
        "plugin_dir = ", f"plugin_dir = {pdir}\n;old = ", 1)
    d.conf.write_text(text)
    return run([STOPPVIFD, "-t", "-c", d.conf])


@pytest.mark.parametrize("mode,dir_mode,what", [
    (0o666, 0o755, "writable by others"),
    (0o755, 0o777, "plugin_dir"),
])
def test_unsafe_plugins_are_refused(daemon_env, tmp_path, mode, dir_mode,
                                    what):
    pdir = plugin_dir_with(tmp_path, mode=mode, dir_mode=dir_mode)
    r = check_config(daemon_env, pdir)
    assert r.returncode == 1, r.stderr
    assert what in r.stderr and "stoppvif.ini" in r.stderr, r.stderr


def plugin_dir_with_old_spool(tmp_path, source):
    """A plugin folder whose spool.so is built from C source: a plugin of
    another ABI than the daemon's."""
    pdir = plugin_dir_with(tmp_path)
    src = tmp_path / "old.c"
    src.write_text(source)
    os.remove(pdir / "spool.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(pdir / "spool.so"),
                    str(src)], check=True, timeout=60)
    os.chmod(pdir / "spool.so", 0o755)
    return pdir


def test_plugin_of_another_abi_is_refused(daemon_env, tmp_path):
    pdir = plugin_dir_with_old_spool(
        tmp_path, "struct ops { int abi; const char *name; };\n"
        "static const struct ops o = { 99, \"spool\" };\n"
        "const void *stoppvif_plugin_entry(const void *h)"
        " { return &o; }\n")
    r = check_config(daemon_env, pdir)
    assert r.returncode == 1
    assert "speaks plugin ABI 99, not 2" in r.stderr, r.stderr
    assert "stoppvif.ini" in r.stderr, r.stderr


def test_plugin_built_for_abi_1_is_refused(daemon_env, tmp_path):
    """A plugin of ABI 1 (no encrypt()) answers NULL to the version-2
    table, as its entry point was written to: refused, with the channel's
    section named."""
    pdir = plugin_dir_with_old_spool(
        tmp_path, "struct ops { int abi; const char *name; };\n"
        "static const struct ops o = { 1, \"spool\" };\n"
        "const void *stoppvif_plugin_entry(const int *abi)"
        " { return *abi == 1 ? &o : 0; }\n")
    r = check_config(daemon_env, pdir)
    assert r.returncode == 1
    assert "does not speak plugin ABI 2" in r.stderr, r.stderr
    assert "ABI 1 cannot encrypt email" in r.stderr, r.stderr
    assert "[channel.email]" in r.stderr, r.stderr


def test_misspelt_channel_section_is_an_error(daemon_env):
    from conftest import STOPPVIFD, run
    daemon_env.write_config(extra="[channel.mail]\nplugin = spool\n")
    r = run([STOPPVIFD, "-t", "-c", daemon_env.conf])
    assert r.returncode == 1
    assert "[channel.mail]: unknown channel" in r.stderr, r.stderr


def test_control_socket_answers_during_a_spool_burst(daemon_env, tmp_path):
    """The spool answers inside send(): a dispatcher that passed again in
    the same loop turn kept the loop until the outbox was empty, and the
    control socket answered only after 10,000 messages.  Now each pass
    waits for the loop to look at its sockets: status answers while the
    burst is being sent (sent between 0 and all), not once it is over."""
    from test_backup import ics, NPEOPLE, NEVENTS, LEAD
    d = daemon_env
    total = NPEOPLE * NEVENTS
    d.write_config(log_level="info", extra="[api]\nmax_body = 64M\n")
    d.start()
    for i in range(NPEOPLE):
        d.add_person(name=f"Référente {i}", role="referent",
                     email=f"r{i}@example.test")
    cal = tmp_path / "burst.ics"
    cal.write_text(ics(NEVENTS, "role:referent", LEAD))
    d.ctl("events", "import", str(cal), check=0, timeout=300)
    off = d.log_size()
    d.wait_log(" dispatch sent ", off, timeout=120)
    seen = []
    deadline = time.monotonic() + 300
    while True:
        sent = d.ctl_json("status")["outbox"]["sent"]
        seen.append(sent)
        if sent >= total:
            break
        assert time.monotonic() < deadline, seen
    mid = [s for s in seen if 0 < s < total]
    assert mid, f"status only answered at {seen}: the burst held the loop"
