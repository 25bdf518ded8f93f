"""
Retention ([privacy] keep_bodies, keep_spool).  What a sent or failed
message said (its sealed payload) is erased from the outbox once it is
keep_bodies old, by a timer, not by polling, and no copy of it stays in the
database file or its WAL; the spool's files are deleted keep_spool after
they were written; a person's erasure takes their spool files and payloads
at once.  Raw scans of stoppvif.db, -wal, -shm and the spool folder, with
the daemon running and stopped, through the spool channel and the real
smtp-sink and Kannel.
"""
import datetime as dt
import os
import re
import sqlite3
import subprocess
import time
from zoneinfo import ZoneInfo

import pytest

from conftest import STOPPVIFD, run, sanitizer_report
from shelter_net import net  # noqa: F401 (the fixture)
from srv_smtp import SmtpSink

BXL = ZoneInfo("Europe/Brussels")
ERASED = "(contenu effacé : un message envoyé, en échec ou annulé n'est " \
    "gardé que le temps de [privacy] keep_bodies)"


def privacy(keep_bodies=None, keep_spool=None):
    text = "[privacy]\n"
    if keep_bodies is not None:
        text += f"keep_bodies = {keep_bodies}\n"
    if keep_spool is not None:
        text += f"keep_spool = {keep_spool}\n"
    return text


def remind_soon(d, audience, channels="email,sms", title="Plateforme",
                location=None, lead=8, offset=5):
    """An event starting in lead seconds, reminded offset seconds before."""
    at = (dt.datetime.now(BXL) + dt.timedelta(seconds=lead)).replace(
        microsecond=0)
    args = ["events", "add", "--title", title, "--dtstart",
            at.strftime("%Y-%m-%dT%H:%M:%S"), "--remind", f"{offset}s",
            "--audience", audience, "--channels", channels]
    if location is not None:
        args += ["--location", location]
    return d.ctl_json(*args)["id"]


def outbox(d):
    return d.ctl_json("outbox", "list")


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


def spool_dir(d):
    return d.state / "spool"


def spool_files(d):
    """{name: bytes} of the regular files of the spool folder."""
    out = {}
    folder = spool_dir(d)
    if folder.is_dir():
        for p in folder.iterdir():
            if p.is_file() and not p.is_symlink():
                out[p.name] = p.read_bytes()
    return out


def file_ids(d):
    """The outbox ids the spool's file names carry."""
    return sorted(int(m.group(1)) for n in spool_files(d)
                  if (m := re.match(r"\.?(\d+)[-.]", n)))


def payloads(d, ids=None):
    """{id: payload bytes or None} read with sqlite3 (daemon stopped)."""
    assert not d.running()
    db = sqlite3.connect(f"file:{d.db}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT id, payload FROM outbox").fetchall()
    finally:
        db.close()
    return {i: p for i, p in rows if ids is None or i in ids}


def raw_scan(d, needles, when, spool=True):
    """Fail when any needle (bytes) is in the database files or in the
    spool folder's files."""
    files = {f"db:{k}": v for k, v in d.db_bytes().items()}
    if spool:
        files.update({f"spool:{k}": v for k, v in spool_files(d).items()})
    found = [(name, n[:24]) for name, data in files.items()
             for n in needles if n in data]
    assert not found, f"left {when}: {found}"
    return files


def wait_count(d, what, n, offset, timeout=30.0):
    """Wait until the lines "retention WHAT... N" logged after offset add
    up to n (a sweep may take a batch in two); the log since offset."""
    pattern = {"bodies": r"retention erased bodies=(\d+)",
               "files": r"retention spool_deleted dir=\S+ files=(\d+)"}[what]
    deadline = time.monotonic() + timeout
    while True:
        text = d.log_since(offset)
        got = sum(int(x) for x in re.findall(pattern, text))
        if got >= n:
            assert got == n, f"{got} {what} instead of {n}:\n{text}"
            return text
        if time.monotonic() > deadline:
            pytest.fail(f"{got} {what} of {n} after {timeout} s:\n{text}")
        time.sleep(0.1)


def settle_key(row):
    return (row["id"], row["status"], row["channel"], row["person"],
            row["attempts"], row["sent"], row["reply"], row["error"])


def test_sent_payloads_leave_database_wal_and_spool(daemon_env):
    """The Done-when of retention: messages sent through the spool, kept
    while keep_bodies and keep_spool are long; then, with both at 1s, the
    sweep of the next start erases every payload and deletes every file:
    no word of the messages, no byte string of their ciphertexts is left in
    stoppvif.db, its WAL or the spool, with the daemon running (the WAL
    was checkpointed and truncated) and stopped.  The rows stay, with their
    metadata; --show-body says, in French, that the text was erased."""
    d = daemon_env
    d.write_config(extra=privacy("1h", "1h"))
    d.start()
    pid = d.add_person(name="Quirinus Zébulon-Marchetti", role="referent",
                       email="quirinus.zebulon@example.test",
                       phone="0470 31 41 59")
    title = "Atelier Xylographie Quenouille"
    where = "Salle Ombrelune Pétaouchnok"
    eid = remind_soon(d, f"person:{pid}", title=title, location=where)
    rows = wait_rows(d, lambda r: len(r) == 2 and
                     all(x["status"] == "sent" for x in r), "two sent")
    before = {settle_key(r) for r in rows}
    ids = sorted(r["id"] for r in rows)
    assert file_ids(d) == ids, spool_files(d)
    words = [title.encode(), b"Xylographie", b"Quenouille",
             "Ombrelune".encode(), "Pétaouchnok".encode(),
             "Zébulon".encode(), b"quirinus.zebulon", b"470314159"]
    # control: the spool holds the words, so the scan below can see them
    spooled = b"".join(spool_files(d).values())
    assert b"Xylographie" in spooled and b"Ombrelune" in spooled
    # the event goes: its title and place leave the events table, and
    # the sealed payloads are the last copies in the database
    d.ctl("events", "remove", str(eid), check=0)
    d.stop()
    sealed = payloads(d)
    assert sorted(sealed) == ids and all(sealed.values()), sealed
    cts = [bytes(c) for c in sealed.values()]
    assert all(len(c) > 40 for c in cts), [len(c) for c in cts]
    # control: the raw scan finds the ciphertexts before the sweep
    blob = b"".join(d.db_bytes().values())
    assert all(c in blob for c in cts), "ciphertexts not found raw"

    d.write_config(extra=privacy("1s", "1s"))
    off = d.log_size()
    d.start()
    wait_count(d, "bodies", 2, off)
    log = wait_count(d, "files", 2, off)
    # running: the WAL was checkpointed and truncated after the erasure
    raw_scan(d, cts + words, "while the daemon runs")
    assert spool_files(d) == {}, spool_files(d)
    rows = outbox(d)
    assert {settle_key(r) for r in rows} == before, (rows, before)
    assert all(r["erased"] and r["status"] == "sent" for r in rows), rows
    rc, out, err = d.ctl("outbox", "list", "--show-body", check=0)
    assert out.count(ERASED) == 2, out
    assert "Xylographie" not in out and "illisible" not in out, out
    # the log says how many, never what
    assert "Xylographie" not in log and "Zébulon" not in log
    d.stop()
    files = raw_scan(d, cts + words, "after the daemon stopped")
    assert "db:stoppvif.db" in files
    assert not os.path.exists(f"{d.db}-journal")    # WAL mode: none
    assert payloads(d) == {i: None for i in ids}


@pytest.mark.net(shelter="\n[privacy]\nkeep_bodies = 1s\nkeep_spool = 1h\n")
def test_alert_through_smtp_and_kannel_erased_by_timer(net):
    """An alert reaches smtp-sink and Kannel; with keep_bodies = 1s the
    daemon's timer (no restart, no request) erases both payloads: its link
    is in no database file afterwards, --show-body says the text was
    erased, the rows keep their state, and once nothing is left to erase
    the retention timer is not armed again (no polling)."""
    d = net.d
    pid, phone = net.person("Ysolde Garde", "oncall", 1)
    net.on_call(pid)
    net.vacate()
    code = net.code_of(phone)
    net.wait(lambda: net.mail_to("ysolde@example.test"), "alert email")
    body = net.mail_to("ysolde@example.test")[0].get_body().get_content()
    link = re.search(r"https://stoppvif\.example\.be/a/(\S+)", body)
    assert link, body
    token = link.group(1).encode()
    # the SMS shows its phone's report, "delivered", once Kannel sent it
    sent = ("sent", "delivered")
    rows = wait_rows(d, lambda r: len(r) == 2 and
                     all(x["status"] in sent for x in r), "alert sent")
    rows = wait_rows(d, lambda r: all(x["erased"] for x in r), "erased")
    assert all(r["status"] in sent and r["attempts"] == 1 for r in rows)
    assert {r["channel"] for r in rows} == {"email", "sms"}
    log = wait_count(d, "bodies", 2, 0)
    last = len(log[:log.rindex("retention erased")].encode())
    log = d.wait_log("retention idle", last)     # and then nothing armed
    assert "retention armed in=" in d.log()
    d.secrets.update({token.decode(), code})    # checked at stop
    rc, out, err = d.ctl("outbox", "list", "--show-body", check=0)
    assert out.count(ERASED) == 2 and code not in out, out
    # the claim still works: the alert's state is not the payload's
    net.kannel.inject_mo(phone, f"OK {code}")
    net.wait(lambda: net.state()["state"] == "reserved", "reserved")
    d.stop()
    raw_scan(d, [token], "after the alert's erasure", spool=False)
    assert all(p is None for p in payloads(d, {r["id"] for r in rows})
               .values())


def test_failed_message_erased_and_not_sent_again(daemon_env, tmp_path):
    """A message smtp-sink refuses for good fails; keep_bodies later its
    text is erased, and outbox retry refuses it in French."""
    s = SmtpSink(tmp_path, flags=["-f", "RCPT"])
    try:
        d = daemon_env
        d.write_config(extra=(
            "[channel.email]\nplugin = smtp\n"
            f"url = {s.url}\nfrom = Coordination <noreply@stoppvif.example"
            ".be>\ntls = none\n\n" + privacy("1s")))
        d.start()
        d.add_person(name="Anne", role="referent",
                     email="anne@example.test")
        remind_soon(d, "role:referent", channels="email")
        row = wait_rows(d, lambda r: r and r[0]["status"] == "failed",
                        "failed")[0]
        row = wait_rows(d, lambda r: r[0]["erased"], "erased")[0]
        assert row["status"] == "failed" and row["error"], row
        rc, out, err = d.ctl("outbox", "retry", str(row["id"]), check=1)
        assert "n'a plus de contenu" in err and "keep_bodies" in err, err
        assert outbox(d)[0]["status"] == "failed"
    finally:
        s.close()


def test_person_erased_with_a_message_waiting(daemon_env):
    """Two people get an email (spool) and an SMS that cannot go for now
    (a gateway that is down: retried in an hour).  people remove of the
    first: their spool files are gone when the command returns (one of
    them renamed, still named as the plugin names files), their waiting
    SMS is cancelled, their payloads erased; the second's files and
    messages are untouched; a symbolic link named like a spool file of
    theirs is not followed (its target stays), and a file of another name
    stays."""
    d = daemon_env
    d.write_config(extra=(
        "[channel.sms]\nplugin = sms_http\n"
        "url = http://127.0.0.1:9/send?to={to}&text={text}\n\n"),
        delivery_extra="backoff_min = 1h\nbackoff_max = 2h\n")
    d.start()
    a = d.add_person(name="Anaïs Effacée", role="referent",
                     email="anais@example.test", phone="0470 11 22 33")
    b = d.add_person(name="Basile Gardé", role="referent",
                     email="basile@example.test", phone="0470 44 55 66")
    remind_soon(d, "role:referent", title="Atelier Quenouille")
    rows = wait_rows(d, lambda r: len(r) == 4 and all(
        (x["channel"] == "email" and x["status"] == "sent") or
        (x["channel"] == "sms" and x["attempts"] >= 1) for x in r),
        "emails spooled, SMS tried once")
    mine = {r["id"]: r for r in rows if r["person"] == a}
    theirs = {r["id"]: r for r in rows if r["person"] == b}
    assert all(r["status"] == "pending" for r in rows
               if r["channel"] == "sms"), rows
    folder = spool_dir(d)
    (a_mail,) = [r["id"] for r in mine.values() if r["channel"] == "email"]
    (b_mail,) = [r["id"] for r in theirs.values() if r["channel"] == "email"]
    name = next(n for n in spool_files(d) if n.startswith(f"{a_mail}-"))
    # a reader renamed A's file, keeping the plugin's pattern
    os.rename(folder / name, folder / f"{a_mail}-lu.eml")
    # a link named like A's file, to a file outside: never followed
    outside = d.dir / "outside.txt"
    outside.write_text("ne pas effacer\n")
    os.symlink(outside, folder / f"{a_mail}-lien.eml")
    # not the plugin's: kept
    (folder / "notes.txt").write_text("notes\n")
    off = d.log_size()

    d.ctl("people", "remove", str(a), check=0)
    left = spool_files(d)
    assert not [n for n in left if n.startswith(f"{a_mail}-") or
                n.startswith(f".{a_mail}-")], left
    assert any(n.startswith(f"{b_mail}-") for n in left), left
    assert "notes.txt" in left
    assert os.path.islink(folder / f"{a_mail}-lien.eml")
    assert outside.read_text() == "ne pas effacer\n"
    log = d.wait_log(f"retention person_erased id={a}", off)
    assert re.search(rf"person_erased id={a} bodies=2 spool_deleted=1", log)
    rows = {r["id"]: r for r in outbox(d)}
    for i, r in mine.items():
        assert rows[i]["erased"], rows[i]
        want = "cancelled" if r["channel"] == "sms" else "sent"
        assert rows[i]["status"] == want, rows[i]
    for i in theirs:
        assert not rows[i]["erased"], rows[i]
    (a_sms,) = [i for i, r in mine.items() if r["channel"] == "sms"]
    assert rows[a_sms]["error"] == "recipient erased", rows[a_sms]
    d.ctl("outbox", "retry", str(a_sms), check=1)
    d.stop()
    stored = payloads(d)
    assert all(stored[i] is None for i in mine), stored
    assert all(stored[i] for i in theirs), stored
    raw_scan(d, [b"Ana\xc3\xafs", b"anais@example"], "after the erasure")


def test_spool_file_that_cannot_be_deleted_is_retried(daemon_env):
    """A spool file of the person being erased cannot be deleted (made
    immutable): the erasure stands, the failure is logged with a retry;
    once it can be, the next sweep (here the next start's) deletes it, by
    its message's erased recipient."""
    d = daemon_env
    d.start()
    pid = d.add_person(name="Irène Immuable", role="referent",
                       email="irene@example.test")
    remind_soon(d, f"person:{pid}", channels="email")
    wait_rows(d, lambda r: r and r[0]["status"] == "sent", "sent")
    (name,) = spool_files(d)
    path = spool_dir(d) / name
    r = subprocess.run(["chattr", "+i", str(path)], capture_output=True,
                       timeout=10)
    if r.returncode != 0:
        pytest.skip("chattr +i needs root and a file system that has it")
    try:
        off = d.log_size()
        d.ctl("people", "remove", str(pid), check=0)
        log = d.wait_log("retention person_spool_failed", off)
        assert "retention spool_delete_failed" in log, log
        assert "retry_in=60s" in log, log
        assert path.exists()
        assert d.people() == []
    finally:
        subprocess.run(["chattr", "-i", str(path)], timeout=10)
    off = d.log_size()
    d.restart()
    d.wait_log("retention spool_deleted", off)
    assert not path.exists()


def test_spool_files_deleted_by_age_and_nothing_else(daemon_env):
    """keep_spool = 1s, keep_bodies long: the plugin's files go (one with a
    modification time set far in the future too: touching gives no more
    time), their payloads stay; a symbolic link with a spool file's name,
    a folder with one, and an old file of another name stay, the link's
    target untouched."""
    d = daemon_env
    d.write_config(extra=privacy("1h", "1s"))
    d.start()
    pid = d.add_person(name="Anne", role="referent",
                       email="anne@example.test", phone="0470 77 88 99")
    folder = spool_dir(d)
    folder.mkdir(mode=0o700, exist_ok=True)
    outside = d.dir / "cible.eml"
    outside.write_text("cible\n")
    old = time.time() - 400 * 86400
    os.utime(outside, (old, old))
    os.symlink(outside, folder / "424242-lien.eml")
    (folder / "424243-dossier.sms").mkdir()
    (folder / "LISEZMOI.txt").write_text("à garder\n")
    os.utime(folder / "LISEZMOI.txt", (old, old))
    future = folder / "424244-futur.eml"
    future.write_text("x\n")
    later = time.time() + 400 * 86400
    os.utime(future, (later, later))
    off = d.log_size()
    remind_soon(d, f"person:{pid}")
    wait_rows(d, lambda r: len(r) == 2 and
              all(x["status"] == "sent" for x in r), "sent")
    deadline = time.monotonic() + 30
    while file_ids(d) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert file_ids(d) == [], spool_files(d)
    d.wait_log("retention spool_deleted", off)
    assert sorted(os.listdir(folder)) == ["424242-lien.eml",
                                         "424243-dossier.sms",
                                         "LISEZMOI.txt"]
    assert outside.read_text() == "cible\n"
    assert not any(r["erased"] for r in outbox(d))
    rc, out, err = d.ctl("outbox", "list", "--show-body", check=0)
    assert ERASED not in out and "Plateforme" in out, out


def check_conf(d, extra):
    d.write_config(extra=extra)
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    out = r.stdout + r.stderr
    assert sanitizer_report(out) is None, out
    return r.returncode, out


@pytest.mark.parametrize("key,value", [
    ("keep_bodies", "0"), ("keep_bodies", "0s"), ("keep_bodies", "-1d"),
    ("keep_bodies", "trente jours"), ("keep_bodies", "30"),
    ("keep_bodies", "3651d"), ("keep_spool", "0s"), ("keep_spool", "7j"),
    ("keep_spool", ""),
])
def test_bad_durations_refused_with_their_line(daemon_env, key, value):
    rc, out = check_conf(daemon_env, f"[privacy]\n{key} = {value}\n")
    assert rc == 1, out
    text = daemon_env.conf.read_text().splitlines()
    line = text.index(f"{key} = {value}".rstrip()) + 1 if value else \
        next(i + 1 for i, t in enumerate(text) if t.startswith(key))
    assert f"{daemon_env.conf}:{line}: {key}:" in out, out
    assert "expected a duration from 1s" in out, out


@pytest.mark.parametrize("bodies,spool", [("30d", "1d"), ("1d", "30d"),
                                          ("1s", "1s"), ("3650d", "3650d")])
def test_keep_spool_and_keep_bodies_in_any_order(daemon_env, bodies, spool):
    rc, out = check_conf(daemon_env, privacy(bodies, spool))
    assert rc == 0 and "configuration OK" in out, out


def test_reload_with_a_bad_keep_keeps_the_old(daemon_env):
    """A reload with keep_bodies garbage is refused, with its line; a
    reload to 1s then erases what was sent, without a restart."""
    d = daemon_env
    d.write_config(extra=privacy("1h"))
    d.start()
    pid = d.add_person(name="Anne", role="referent",
                       email="anne@example.test")
    remind_soon(d, f"person:{pid}", channels="email")
    wait_rows(d, lambda r: r and r[0]["status"] == "sent", "sent")
    text = d.hup(d.config_text(extra=privacy("bientôt")))
    assert "reload_refused" in text and "keep_bodies" in text, text
    assert not outbox(d)[0]["erased"]
    off = d.log_size()
    d.hup(d.config_text(extra=privacy("1s")))
    wait_count(d, "bodies", 1, off)
    assert outbox(d)[0]["erased"]
