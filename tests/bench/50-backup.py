#!/usr/bin/python3
"""
Backup benchmark (make bench): figures, not pass/fail.

A database that sent 10,000 reminder emails (100 people, 100 events, the
spool channel) is backed up by `stoppvifctl backup` while another client
asks the daemon for its status again and again: the backup's speed (pages
and megabytes a second), and how long a request waits meanwhile against
the same requests with no backup running.  The daemon copies 128 pages a
turn of its loop, so a request waits one step at most.

BENCH_QUICK=1 uses 2,000 messages.
"""
import datetime as dt
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from benchlib import QUICK, conftest, fail  # first: tests/e2e on the path

NMSG = 2000 if QUICK else 10000
PEOPLE = 100


def ics(nevents, lead):
    at = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=lead)
    stamp = at.strftime("%Y%m%dT%H%M%SZ")
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    for i in range(nevents):
        out += ["BEGIN:VEVENT", f"UID:k{i}@bench", f"DTSTART:{stamp}",
                "DURATION:PT2H", f"SUMMARY:Réunion de réseau n°{i}",
                "X-STOPPVIF-AUDIENCE:role:referent",
                "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x",
                f"TRIGGER:-PT{lead - 12}S", "END:VALARM", "END:VEVENT"]
    out.append("END:VCALENDAR")
    return "\r\n".join(out) + "\r\n"


def filled(folder):
    """A daemon whose outbox holds NMSG sent messages."""
    Path(folder).mkdir(exist_ok=True)
    d = conftest.Daemon(folder)
    d.write_config(log_level="info", extra="[api]\nmax_body = 64M\n")
    d.start()
    for i in range(PEOPLE):
        d.add_person(name=f"Référent {i}", role="referent",
                     email=f"r{i}@example.test")
    path = Path(folder) / "b.ics"
    path.write_text(ics(NMSG // PEOPLE, 40))
    d.ctl("events", "import", str(path), check=0, timeout=300)
    deadline = time.monotonic() + 600
    while d.ctl_json("status")["outbox"]["sent"] < NMSG:
        if time.monotonic() > deadline:
            fail("the outbox was not sent in 600 s")
        time.sleep(0.5)
    return d


def probe(sock, stop, waits):
    """GET /v1/status again and again until stop is set; each wait in
    milliseconds."""
    while not stop.is_set():
        t0 = time.monotonic()
        conftest.http_unix(sock, "GET", "/v1/status")
        waits.append((time.monotonic() - t0) * 1000)


def probed(sock, seconds=None, action=None):
    """The status waits during action(), or for seconds when none."""
    stop, waits = threading.Event(), []
    t = threading.Thread(target=probe, args=(sock, stop, waits))
    t.start()
    try:
        result = action() if action else time.sleep(seconds)
    finally:
        stop.set()
        t.join()
    return result, waits


def row(label, count, value, note=""):
    return (label, count, value, note)


def main():
    rows = []
    with tempfile.TemporaryDirectory(prefix="svbench") as tmp:
        d = filled(Path(tmp) / "d")
        target = Path(tmp) / "copie.db"

        def backup():
            rc, out, err = d.ctl("backup", str(target), json=True,
                                 timeout=600)
            if rc != 0:
                fail(f"backup: {err}")
            return json.loads(out)

        _, idle = probed(d.socket, seconds=1.0)
        ans, during = probed(d.socket, action=backup)
        d.stop()
        d.cleanup()
    secs, pages = ans["seconds"], ans["pages_total"]
    mb = ans["bytes"] / 1e6
    steps = -(-pages // 128)
    rows.append(row(f"stoppvifctl backup, {NMSG:,} messages sent",
                    f"{pages:,} pages, {mb:.1f} MB", f"{secs:.3f} s",
                    f"{pages / secs:,.0f} pages/s, {mb / secs:.0f} MB/s, "
                    f"{steps} steps of ≤ {secs / steps * 1000:.1f} ms"))
    for label, w in (("status while idle", idle),
                     ("status during the backup", during)):
        if w:
            rows.append(row(label, f"{len(w)} requests",
                            f"median {statistics.median(w):.1f} ms",
                            f"max {max(w):.1f} ms"))
    width = [max(len(r[k]) for r in rows) for k in range(4)]
    for r in rows:
        print("  ".join(r[k].ljust(width[k]) for k in range(4)).rstrip())


if __name__ == "__main__":
    main()
