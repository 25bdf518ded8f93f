#!/usr/bin/python3
"""
Scheduler benchmark (make bench): figures, not pass/fail.

  1. 100,000 events with 2 reminders each, loaded through the public
     interface (events import): time from start to ready, RSS, and the
     scheduler's time to re-plan and re-arm after an edit.
  2. 10,000 reminders due in the same second: time to commit their outbox
     rows (the daemon logs each run's rows and duration).
  3. Wake-ups: voluntary context switches of an idle daemon with nothing
     due in the next hour over a window, then with reminders due in it.

BENCH_QUICK=1 uses 10,000 events and a 10 s idle window; BENCH_PARTS=
many,burst,wakeups runs only those parts.
"""
import datetime as dt
import os
import re
import statistics
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from benchlib import QUICK, conftest  # first: tests/e2e on the path

NEVENTS = 10000 if QUICK else 100000
IDLE = 10 if QUICK else 60
BXL = ZoneInfo("Europe/Brussels")
DAYS = ["MO", "TU", "WE", "TH", "FR"]


def ics(events):
    """A VCALENDAR text of (uid, dtstart local, rrule or None, alarms)."""
    out = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN"]
    for uid, start, rrule, alarms in events:
        out += ["BEGIN:VEVENT", f"UID:{uid}",
                f"DTSTART;TZID=Europe/Brussels:{start}",
                "DURATION:PT1H", f"SUMMARY:Réunion {uid}",
                "X-STOPPVIF-AUDIENCE:role:referent"]
        if rrule:
            out.append(f"RRULE:{rrule}")
        for a in alarms:
            out += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Rappel",
                    f"TRIGGER:{a}", "END:VALARM"]
        out.append("END:VEVENT")
    out.append("END:VCALENDAR")
    return "\r\n".join(out) + "\r\n"


def rss_kib(pid):
    text = Path(f"/proc/{pid}/status").read_text()
    return {k: int(v.split()[0]) for k, v in
            re.findall(r"^(VmRSS|VmHWM):\s+(.*)$", text, re.M)}


def ctxt(pid):
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"voluntary_ctxt_switches:\s+(\d+)", text)[1])


def new_daemon(folder, max_body="64M"):
    d = conftest.Daemon(folder)
    d.write_config(log_level="debug", extra=f"[api]\nmax_body = {max_body}\n")
    return d


def import_ics(d, text, folder):
    path = Path(folder) / "bench.ics"
    path.write_text(text)
    t0 = time.monotonic()
    d.ctl("events", "import", str(path), check=0, timeout=600)
    return time.monotonic() - t0


def bench_many(folder, rows):
    d = new_daemon(folder)
    d.start()
    d.add_person(name="Référente Bench", role="referent",
                 email="bench@example.test")
    evs = [(f"ev{i}@bench", f"20270{1 + i % 9}{10 + i % 18:02d}T"
            f"{8 + i % 10:02d}{(i * 7) % 60:02d}00",
            f"FREQ=WEEKLY;BYDAY={DAYS[i % 5]}" if i % 4 else None,
            ["-P1D", "-PT2H"]) for i in range(NEVENTS)]
    took = import_ics(d, ics(evs), folder)
    rows.append(("import of events (one transaction)", f"{NEVENTS:,}",
                 f"{took:.2f} s", f"{NEVENTS / took:,.0f} events/s"))
    d.stop()
    starts = []
    for _ in range(3):
        t0 = time.monotonic()
        d.start()
        starts.append(time.monotonic() - t0)
        mem = rss_kib(d.proc.pid)
        if _ < 2:
            d.stop()
    rows.append(("start to ready (status answers), median of 3",
                 f"{NEVENTS:,} events", f"{statistics.median(starts):.3f} s",
                 "target < 2 s"))
    rows.append(("RSS when ready", f"{NEVENTS:,} events",
                 f"{mem['VmRSS'] / 1024:.1f} MiB",
                 f"peak {mem['VmHWM'] / 1024:.1f} MiB, target < 64 MiB"))
    plans, arms = [], []
    for i in range(20):
        off = d.log_size()
        eid = 1 + i * (NEVENTS // 20)
        d.ctl("events", "edit", str(eid), "--dtstart",
              f"2027-03-{1 + i:02d}T10:00:00", check=0)
        text = d.wait_log("sched armed", off)
        plans += [int(x) for x in re.findall(
            rf"sched plan event={eid} usec=(\d+)", text)]
        arms += [int(x) for x in re.findall(r"sched armed .*usec=(\d+)",
                                            text)]
    rows.append(("re-plan one event after an edit, median of 20",
                 f"{NEVENTS:,} events", f"{statistics.median(plans)} µs",
                 f"max {max(plans)} µs"))
    rows.append(("re-arm the timer (earliest of all), median of 20",
                 f"{NEVENTS:,} events", f"{statistics.median(arms)} µs",
                 f"max {max(arms)} µs; plan + arm target < 1 ms"))
    d.stop()
    d.cleanup()


def local(t):
    return t.astimezone(BXL).strftime("%Y%m%dT%H%M%S")


def bench_burst(folder, rows):
    d = new_daemon(folder)
    d.start()
    for i in range(100):
        d.add_person(name=f"Référent {i}", role="referent",
                     email=f"r{i}@example.test")
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + \
        dt.timedelta(seconds=40)
    evs = [(f"burst{i}@bench", local(start), None, ["-PT20S"])
           for i in range(100)]
    off = d.log_size()
    import_ics(d, ics(evs), folder)
    text = d.wait_log("sched run queued=", off, timeout=60)
    m = re.search(r"sched run queued=(\d+) usec=(\d+)", text)
    rows.append(("reminders due in the same second → outbox committed",
                 f"{int(m[1]):,} rows", f"{int(m[2]) / 1e6:.3f} s",
                 "one transaction; target < 1 s"))
    d.stop()
    d.cleanup()


def bench_wakeups(folder, rows):
    d = new_daemon(folder)
    d.start()
    d.add_person(name="Référente", role="referent", email="r@example.test")
    far = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=3)
    import_ics(d, ics([("far@bench", local(far), None, ["-PT1H"])]), folder)
    time.sleep(1)
    pid = d.proc.pid
    c0 = ctxt(pid)
    time.sleep(IDLE)
    idle = ctxt(pid) - c0
    rows.append((f"idle, nothing due in the next hour, {IDLE} s",
                 "0 reminders", f"{idle} wake-ups", "target 0"))
    soon = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + \
        dt.timedelta(seconds=8)
    n = 5
    evs = [(f"soon{i}@bench", local(soon + dt.timedelta(seconds=3 * i + 30)),
            None, ["-PT30S"]) for i in range(n)]
    import_ics(d, ics(evs), folder)
    time.sleep(1)
    w0 = d.ctl_json("status")["scheduler"]["wakeups"]
    c0 = ctxt(pid)
    time.sleep(8 + 3 * n + 2)
    due = ctxt(pid) - c0
    woke = d.ctl_json("status")["scheduler"]["wakeups"] - w0
    rows.append((f"{n} reminders due at distinct seconds",
                 f"{n} reminders", f"{woke} timer wake-ups",
                 f"target {n}; {due} voluntary context switches in all "
                 "(each commit also waits on fsync)"))
    d.stop()
    d.cleanup()


def main():
    rows = []
    with tempfile.TemporaryDirectory(prefix="svbench") as tmp:
        parts = (bench_many, bench_burst, bench_wakeups)
        only = os.environ.get("BENCH_PARTS")    # e.g. "burst,wakeups"
        for i, part in enumerate(parts):
            if only and part.__name__[6:] not in only.split(","):
                continue
            folder = Path(tmp) / str(i)
            folder.mkdir()
            part(folder, rows)
    w = [max(len(r[k]) for r in rows) for k in range(4)]
    for r in rows:
        print("  ".join(r[k].ljust(w[k]) for k in range(4)).rstrip())


if __name__ == "__main__":
    main()
