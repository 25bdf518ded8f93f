#!/usr/bin/python3
"""
Web console benchmark (make bench): figures, not pass/fail.

The release stoppvifd with [web] listen on 127.0.0.1, a directory of 300
people, 40 events (La Cabane every first Wednesday, the quarterly
meetings, trainings), a month of rota slots, a year of apartment moves.
A client on loopback, one connection per request as a browser behind a
proxy that does not keep the connection:

  - a login (POST /login: the Argon2id check, the session, the redirect);
  - each page a coordinator opens, ROUNDS times: its time from the request
    to the last byte, and its size;
  - a CSS file (the assets' path).

Then the daemon's peak memory (VmHWM).  BENCH_QUICK=1: fewer rounds.
"""
import datetime as dt
import re
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from benchlib import QUICK, conftest, fail, pct  # first: tests/e2e on the path
from srv_smtp import free_port
from webclient import PASSWORD, WebClient, add_account, local_time, web_config

ROUNDS = 40 if QUICK else 300
LOGINS = 5 if QUICK else 20
PEOPLE = 300
BXL = ZoneInfo("Europe/Brussels")


def setup(tmp):
    port = free_port()
    folder = Path(tmp) / "d"
    folder.mkdir()
    d = conftest.Daemon(folder)
    d.write_config(log_level="info", extra=web_config(port))
    d.start()
    roles = ("referent", "oncall", "platform", "coordinator")
    ids = []
    for i in range(PEOPLE):
        ids.append(d.add_person(
            name=f"Personne {i:03d} Étienne", role=roles[i % 4],
            phone=f"0470 66 {i // 100:02d} {i % 100:02d}",
            email=f"p{i}@example.test"))
    d.ctl("events", "add", "--title", "La Cabane", "--dtstart",
          "2026-01-07T14:00:00", "--duration", "2h", "--rrule",
          "FREQ=MONTHLY;BYDAY=1WE", "--audience", "role:referent", check=0)
    for i in range(39):
        day = dt.datetime(2026, 1, 5, 9, 30) + dt.timedelta(days=9 * i)
        d.ctl("events", "add", "--title", f"Réunion {i}", "--dtstart",
              local_time(day), "--duration", "90m", "--audience",
              "role:platform", check=0)
    now = dt.datetime.now(BXL).replace(minute=0, second=0, microsecond=0)
    for h in range(0, 24 * 30, 12):
        start = now + dt.timedelta(hours=h)
        end = start + dt.timedelta(hours=12)
        d.ctl("oncall", "set", str(ids[1 + 4 * (h // 12 % 20)]), "--from",
              local_time(start), "--to", local_time(end), check=0)
    for _ in range(10):
        d.ctl("shelter", "vacate", "aisova", check=0)
        d.ctl("shelter", "occupy", "aisova", check=0)
    add_account(d, "coord", "coordinator")
    d.secrets.add(PASSWORD)
    return d, port


def timed(c, path):
    t0 = time.perf_counter()
    status, _, body = c.request("GET", path, raw=True)
    dt_ = time.perf_counter() - t0
    if status != 200:
        fail(f"GET {path}: {status}")
    return dt_, len(body)


def main():
    with tempfile.TemporaryDirectory(prefix="svbench") as tmp:
        d, port = setup(tmp)
        try:
            logins = []
            for _ in range(LOGINS + 1):
                c = WebClient(port)
                c.get("/login")
                t0 = time.perf_counter()
                status, _, _ = c.post("/login", {"name": "coord",
                                                 "password": PASSWORD})
                logins.append(time.perf_counter() - t0)
                if status != 303:
                    fail(f"login: {status}")
            logins = logins[1:]
            month = dt.date.today().strftime("%Y-%m")
            person = d.people()[PEOPLE // 2]["id"]
            pages = [("/", "dashboard"),
                     (f"/calendar?month={month}", "calendar, month view"),
                     ("/people", f"people, the {PEOPLE}"),
                     ("/people?q=042", "people, a search"),
                     (f"/people/{person}", "a person"),
                     ("/rota", "rota, a week"),
                     ("/shelters/aisova", "apartment"),
                     ("/reports", "report (SVG chart)"),
                     ("/assets/style.css", "style.css")]
            rows = []
            for path, label in pages:
                timed(c, path)                      # warm-up
                xs, size = [], 0
                for _ in range(ROUNDS):
                    t, size = timed(c, path)
                    xs.append(t)
                rows.append((label, xs, size))
            hwm = int(re.search(r"VmHWM:\s+(\d+)", Path(
                f"/proc/{d.proc.pid}/status").read_text())[1])
        finally:
            d.stop()
            d.cleanup()
    print(f"{ROUNDS} requests per page, {PEOPLE} people, one connection "
          "per request on loopback")
    print(f"  {'login (Argon2id check, session)':<34} p50 "
          f"{pct(logins, 50) * 1000:6.1f} ms  p99 "
          f"{pct(logins, 99) * 1000:6.1f} ms  ({LOGINS} logins)")
    for label, xs, size in rows:
        print(f"  {label:<34} p50 {pct(xs, 50) * 1000:6.1f} ms  p99 "
              f"{pct(xs, 99) * 1000:6.1f} ms  {size / 1024:6.1f} KiB")
    print(f"  daemon peak memory (VmHWM) {hwm / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
