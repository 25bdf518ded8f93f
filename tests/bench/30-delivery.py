#!/usr/bin/python3
"""
Delivery benchmark (make bench): figures, not pass/fail, side by side in
one run.

  1. 10,000 reminder emails through the whole path (scheduler → outbox →
     template → libcurl → smtp-sink), against Postfix's smtp-source sending
     10,000 messages of the same size to the same kind of sink with 8 reused
     sessions, and shell loops of curl and of msmtp (what a small commune
     would script with cron).
  2. 2,000 reminder SMS through Kannel's sendsms, from the reminders falling
     due to the last message printed by fakesmsc.
  3. The daemon's peak RSS during both.

BENCH_QUICK=1 uses 2,000 emails and 500 SMS.
"""
import datetime as dt
import re
import subprocess
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from benchlib import QUICK, conftest, fail  # first: tests/e2e on the path
from srv_kannel import Kannel
from srv_smtp import SmtpSink

NMAIL = 2000 if QUICK else 10000
NSMS = 500 if QUICK else 2000
BXL = ZoneInfo("Europe/Brussels")


def ics(nevents, audience, lead):
    at = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=lead))
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    for i in range(nevents):
        out += ["BEGIN:VEVENT", f"UID:d{i}@bench", f"DTSTART:{stamp}",
                "DURATION:PT2H", f"SUMMARY:Réunion de réseau n°{i}",
                f"X-STOPPVIF-AUDIENCE:{audience}",
                "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x",
                f"TRIGGER:-PT{lead - 12}S", "END:VALARM", "END:VEVENT"]
    out.append("END:VCALENDAR")
    return "\r\n".join(out) + "\r\n"


def peak_kib(pid):
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", text)[1])


def counts(d):
    return d.ctl_json("status")["outbox"]


def wait_sent(d, n, timeout):
    """Wait until n messages have an outcome.  Polled twice a second only:
    each `stoppvifctl status` is a process, and at 20 a second they took a
    tenth of the machine from the run being measured."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        c = counts(d)
        if c["sent"] + c["failed"] >= n:
            return c
        time.sleep(0.5)
    fail(f"only {counts(d)} after {timeout} s")


def stamp(line):
    return dt.datetime.fromisoformat(line.split()[0].replace("Z", "+00:00"))


def last_outcome_at(d, off):
    """Wall-clock time of the flush that recorded the last outcome."""
    lines = [ln for ln in d.log_since(off).splitlines()
             if " dispatch sent " in ln or " dispatch failed " in ln]
    return stamp(lines[-1])


def queued_at(d, off, timeout=120):
    """Wall-clock time of the scheduler run that queued the rows."""
    text = d.wait_log("sched run queued=", off, timeout=timeout)
    return stamp(re.search(r"^.* stoppvifd: sched run queued=.*$", text,
                           re.M)[0])


def daemon(folder, channels, extra_people):
    Path(folder).mkdir(exist_ok=True)
    d = conftest.Daemon(folder)
    d.write_config(log_level="info", extra=channels +
                   "\n[api]\nmax_body = 64M\n")
    d.start()
    return d


def bench_email(tmp, rows):
    folder = Path(tmp) / "mail"
    folder.mkdir()
    sink = SmtpSink(folder, dump=False, flags=["-c"])
    chan = (f"[channel.email]\nplugin = smtp\nurl = {sink.url}\n"
            "from = Coordination sociale <noreply@stoppvif.example.be>\ntls = none\n"
            "max_connections = 8\n")
    d = daemon(folder / "d", chan, 0)
    people = 100
    for i in range(people):
        d.add_person(name=f"Référent {i}", role="referent",
                     email=f"r{i}@example.test")
    lead = 40
    path = folder / "mail.ics"
    path.write_text(ics(NMAIL // people, "role:referent", lead))
    off = d.log_size()
    d.ctl("events", "import", str(path), check=0, timeout=300)
    t0 = queued_at(d, off)
    c = wait_sent(d, NMAIL, 300)
    t1 = last_outcome_at(d, off)
    secs = (t1 - t0).total_seconds()
    ours = NMAIL / secs
    rows.append(("stoppvifd: reminders → smtp-sink (whole path)",
                 f"{c['sent']:,} sent", f"{secs:.2f} s",
                 f"{ours:,.0f} msg/s"))
    rss = peak_kib(d.proc.pid)
    d.stop()
    d.cleanup()
    # The reference: smtp-source, 8 reused sessions, same size.
    size = 1200
    t0 = time.monotonic()
    subprocess.run(["/usr/sbin/smtp-source", "-s", "8", "-d", "-m",
                    str(NMAIL), "-l", str(size), "-f", "a@example.test",
                    "-t", "b@example.test", f"127.0.0.1:{sink.port}"],
                   check=True, timeout=300, capture_output=True)
    ref = NMAIL / (time.monotonic() - t0)
    rows.append(("smtp-source -s 8 -d (Postfix, the reference)",
                 f"{NMAIL:,} sent", f"{NMAIL / ref:.2f} s",
                 f"{ref:,.0f} msg/s; ratio ours/it = {ours / ref:.2f}"))
    n = 100
    msg = folder / "m.txt"
    msg.write_text("Subject: test\r\n\r\n" + "x" * size + "\r\n")
    t0 = time.monotonic()
    subprocess.run(["/bin/sh", "-c", f"for i in $(seq {n}); do curl -s "
                    f"--url smtp://127.0.0.1:{sink.port} --mail-from "
                    "a@example.test --mail-rcpt b@example.test "
                    f"--upload-file {msg} || exit 1; done"],
                   check=True, timeout=300)
    loop = n / (time.monotonic() - t0)
    rows.append(("shell loop of curl, one process a message",
                 f"{n:,} sent", f"{n / loop:.2f} s",
                 f"{loop:,.0f} msg/s; ours = {ours / loop:,.0f}x"))
    # What a small commune would script with cron: msmtp, one message a
    # process (--file=/dev/null: no system configuration, flags only).
    n = 50
    t0 = time.monotonic()
    subprocess.run(["/bin/sh", "-c", f"for i in $(seq {n}); do msmtp "
                    "--file=/dev/null --host=127.0.0.1 "
                    f"--port={sink.port} --auth=off --tls=off "
                    "--from=a@example.test b@example.test "
                    f"< {msg} || exit 1; done"],
                   check=True, timeout=300)
    loop = n / (time.monotonic() - t0)
    rows.append(("shell loop of msmtp, one process a message",
                 f"{n:,} sent", f"{n / loop:.2f} s",
                 f"{loop:,.0f} msg/s; ours = {ours / loop:,.0f}x"))
    sink.close()
    return rss


def bench_sms(tmp, rows):
    folder = Path(tmp) / "sms"
    folder.mkdir()
    with Kannel(folder / "kannel") as k:
        url = folder / "sms.url"
        url.write_text(k.sendsms_url() + "\n")
        url.chmod(0o600)        # it holds the gateway's account
        chan = ("[channel.sms]\nplugin = sms_http\n"
                f"url_file = {url}\nsuccess = Accepted for delivery\n"
                "max_connections = 8\n")
        d = daemon(folder / "d", chan, 0)
        people = 20
        for i in range(people):
            d.add_person(name=f"Garde {i}", role="oncall",
                         phone=f"0470 99 {i // 100:02d} {i % 100:02d}")
        lead = 40
        path = folder / "sms.ics"
        text = ics(NSMS // people, "role:oncall", lead).replace(
            "X-STOPPVIF-AUDIENCE", "X-STOPPVIF-CHANNELS:sms\r\n"
            "X-STOPPVIF-AUDIENCE")
        path.write_text(text)
        off = d.log_size()
        d.ctl("events", "import", str(path), check=0, timeout=300)
        t0 = queued_at(d, off)
        k.wait_messages(NSMS, timeout=300)
        t1 = dt.datetime.now(dt.timezone.utc)
        secs = (t1 - t0).total_seconds()
        rows.append(("stoppvifd: reminders → Kannel → fakesmsc",
                     f"{NSMS:,} SMS", f"{secs:.2f} s",
                     f"{NSMS / secs:,.0f} SMS/s"))
        rss = peak_kib(d.proc.pid)
        d.stop()
        d.cleanup()
    return rss


def main():
    rows = []
    with tempfile.TemporaryDirectory(prefix="svbench") as tmp:
        rss = [bench_email(tmp, rows), bench_sms(tmp, rows)]
    rows.append(("peak RSS of the daemon (VmHWM)", "email, sms",
                 f"{rss[0] / 1024:.1f} MiB, {rss[1] / 1024:.1f} MiB", ""))
    w = [max(len(r[k]) for r in rows) for k in range(4)]
    for r in rows:
        print("  ".join(r[k].ljust(w[k]) for k in range(4)).rstrip())


if __name__ == "__main__":
    main()
