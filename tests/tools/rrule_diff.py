#!/usr/bin/python3
"""
rrule_diff.py: stoppvifctl expand against python-dateutil's rrule, on
random rules from a fixed seed.

dateutil expands a naive DTSTART; each naive time is then placed in the zone
with zoneinfo and fold=0, which is RFC 5545's reading (the first offset when
ambiguous, moved forward by the gap when in one), and an instant that is not
after the previous one (a gap moved it onto one already given) is dropped, as
stoppvifctl does.

The rules avoid the classes where dateutil departs from RFC 5545 (see
DEPARTURES); test_expand.py imports this module, and it runs alone for
longer campaigns:

    tests/tools/rrule_diff.py [-n RULES] [-s SEED] [--ctl PATH]
"""
import argparse
import datetime as dt
import random
import signal
import subprocess
import sys
from zoneinfo import ZoneInfo

from dateutil import rrule as du

# Where dateutil and RFC 5545 part ways; the generator keeps out of them.
DEPARTURES = """
- BYDAY mixing plain days and ordinals (BYDAY=MO,1TU) with MONTHLY or
  YEARLY: dateutil keeps the days that are both; RFC 5545 lists days, so we
  take the union.
- UNTIL as a DATE: dateutil stops at its midnight; we include that local day.
- BYSECOND=60: dateutil refuses it; we accept it and it never matches.
- WEEKLY with BYSETPOS: dateutil's first week starts on DTSTART's day, not
  on WKST's, so BYSETPOS counts from there; RFC 5545's period is the whole
  week.  The generator puts DTSTART on WKST's day for these.
- BYDAY=53MO (or -53MO) with YEARLY: dateutil raises IndexError in some
  years; those rules are skipped.
- BYWEEKNO=-n for the Jan/Dec days of a week counted in the neighbouring
  year: dateutil only looks at week 1 and the last week there.
"""

ZONES = ["Europe/Brussels", "America/New_York", "UTC", "Asia/Kolkata",
         "Australia/Lord_Howe", "America/Sao_Paulo", "Pacific/Apia",
         "Europe/Dublin"]
FREQS = ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY",
         "SECONDLY"]
WDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
UTC = dt.timezone.utc


def pick(rng, values, most):
    """A sorted comma list of 1..most distinct items of values."""
    n = rng.randint(1, most)
    return ",".join(str(v) for v in sorted(rng.sample(values, min(n, len(values)))))


def signed(lo, hi):
    return [v for v in range(-hi, hi + 1) if v != 0 and abs(v) >= lo]


def random_rule(rng):
    """(dtstart text, zone, rule text) of one random rule."""
    freq = rng.choices(FREQS, weights=[4, 5, 4, 3, 2, 1, 1])[0]
    parts = ["FREQ=" + freq]
    if rng.random() < 0.4:
        parts.append("INTERVAL=%d" % rng.choice([2, 3, 4, 5, 7, 12, 13, 40]))
    ordinals = freq in ("YEARLY", "MONTHLY") and rng.random() < 0.5
    if rng.random() < 0.45:
        if ordinals:
            wd = rng.sample(WDAYS, rng.randint(1, 2))
            n = [rng.choice([1, 2, 3, 4, -1, -2] if freq == "MONTHLY"
                            else [1, 2, 10, 20, 53, -1, -5, -53])
                 for _ in wd]
            parts.append("BYDAY=" + ",".join("%d%s" % (a, b)
                                             for a, b in zip(n, wd)))
        else:
            parts.append("BYDAY=" + ",".join(rng.sample(WDAYS,
                                                        rng.randint(1, 4))))
    if rng.random() < 0.3:
        parts.append("BYMONTHDAY=" + pick(rng, signed(1, 31), 3))
    if rng.random() < 0.3:
        parts.append("BYMONTH=" + pick(rng, list(range(1, 13)), 3))
    if freq == "YEARLY" and rng.random() < 0.15:
        parts.append("BYYEARDAY=" + pick(rng, signed(1, 366), 3))
    if freq == "YEARLY" and rng.random() < 0.15:
        parts.append("BYWEEKNO=" + pick(rng, list(range(1, 54)) + [-1], 2))
    if freq in ("YEARLY", "MONTHLY", "WEEKLY", "DAILY") and rng.random() < 0.3:
        parts.append("BYHOUR=" + pick(rng, list(range(24)), 3))
    if freq != "SECONDLY" and rng.random() < 0.2:
        parts.append("BYMINUTE=" + pick(rng, [0, 15, 30, 45, 59], 2))
    if freq in ("HOURLY", "MINUTELY", "SECONDLY") and rng.random() < 0.3:
        parts.append("BYHOUR=" + pick(rng, list(range(24)), 4))
    if freq == "SECONDLY" and rng.random() < 0.5:
        parts.append("BYSECOND=" + pick(rng, list(range(60)), 3))
    if rng.random() < 0.2:
        parts.append("BYSETPOS=" + pick(rng, [1, 2, 3, -1, -2], 2))
    if rng.random() < 0.2:
        parts.append("WKST=" + rng.choice(WDAYS))
    if rng.random() < 0.5:
        parts.append("COUNT=%d" % rng.randint(1, 40))
    elif rng.random() < 0.3:
        parts.append("UNTIL=%04d%02d%02dT%02d%02d00%s" % (
            rng.randint(2026, 2040), rng.randint(1, 12), rng.randint(1, 28),
            rng.randint(0, 23), rng.choice([0, 30]),
            rng.choice(["", "Z"])))
    year = rng.choice([1997, 2024, 2026, 2027, 2037, 2040, 2100, 2400])
    month = rng.randint(1, 12)
    day = rng.randint(1, 28) if rng.random() < 0.8 else rng.randint(29, 31)
    while True:
        try:
            dt.date(year, month, day)
            break
        except ValueError:
            day -= 1
    hour = rng.choice([0, 1, 2, 3, 9, 14, 23]) if rng.random() < 0.8 \
        else rng.randint(0, 23)
    start = "%04d-%02d-%02dT%02d:%02d:%02d" % (
        year, month, day, hour, rng.choice([0, 0, 30, 59]),
        rng.choice([0, 0, 0, 17]))
    if freq == "WEEKLY" and any(p.startswith("BYSETPOS") for p in parts):
        parts = [p for p in parts if not p.startswith("WKST")]
        parts.append("WKST=" + WDAYS[dt.date(year, month, day).weekday()])
    return start, rng.choice(ZONES), ";".join(parts)


class Slow(Exception):
    pass


def _alarm(signum, frame):
    raise Slow()


def dateutil_expand(start, zone, rule, limit, timeout=1.0):
    """The first limit occurrences as stoppvifctl prints them, or None when
    dateutil refuses the rule or takes longer than timeout seconds."""
    zi = ZoneInfo(zone)
    naive = dt.datetime.fromisoformat(start)
    if "Z" in rule:
        # A UTC UNTIL needs an aware DTSTART: dateutil then compares
        # instants, as RFC 5545 says.
        naive = naive.replace(tzinfo=zi)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    out, last = [], None
    try:
        for t in du.rrulestr("RRULE:" + rule, dtstart=naive):
            if t.year > 9999:
                break
            utc = t.replace(tzinfo=zi, fold=0).astimezone(UTC)
            if last is not None and utc <= last:
                continue
            last = utc
            out.append(utc.astimezone(zi).isoformat())
            if len(out) == limit:
                break
    except (ValueError, OverflowError):
        out = out if out else []
    except (Slow, IndexError):
        return None     # too slow, or dateutil's own bug (BYDAY=53MO)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return out


def ours(ctl, start, zone, rule, limit):
    """(exit code, lines, stderr) of stoppvifctl expand."""
    p = subprocess.run([str(ctl), "expand", "--dtstart", start, "--tz", zone,
                        "--rrule", rule, "--count", str(limit)],
                       capture_output=True, text=True, timeout=20)
    return p.returncode, p.stdout.split(), p.stderr


def campaign(ctl, n, seed, limit=30, verbose=False):
    """Compare n random rules; returns (compared, skipped, failures)."""
    rng = random.Random(seed)
    compared, skipped, failures = 0, 0, []
    for _ in range(n):
        start, zone, rule = random_rule(rng)
        want = dateutil_expand(start, zone, rule, limit)
        if want is None:
            skipped += 1
            continue
        rc, got, err = ours(ctl, start, zone, rule, limit)
        compared += 1
        if rc != 0 or got != want:
            failures.append((start, zone, rule, rc, err, got, want))
            if verbose:
                report(failures[-1])
    return compared, skipped, failures


def report(f):
    start, zone, rule, rc, err, got, want = f
    print("--dtstart %s --tz %s --rrule '%s'  (exit %d %s)" % (
        start, zone, rule, rc, err.strip()))
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else "-"
        w = want[i] if i < len(want) else "-"
        if g != w:
            print("   #%d ours %s  dateutil %s" % (i, g, w))
            break


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("-s", "--seed", type=int, default=5545)
    ap.add_argument("--ctl", default="build/stoppvifctl")
    a = ap.parse_args()
    compared, skipped, failures = campaign(a.ctl, a.n, a.seed, verbose=True)
    print("%d compared, %d skipped (dateutil too slow or failing), %d differ"
          % (compared, skipped, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
