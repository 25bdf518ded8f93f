"""
stoppvifctl expand and holidays: every example of RFC 5545 §3.8.5.3, the
DST edges of Europe/Brussels and America/New_York, the parts the RFC
examples leave out, the exclusions and the output cuts, the errors, and a
differential run against python-dateutil's rrule on random rules.

No daemon: the commands work on the calendar alone.
"""
import os
import random
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import STOPPVIFCTL, TOP, run

sys.path.insert(0, str(TOP / "tests" / "tools"))
import rrule_diff  # noqa: E402

NY = "America/New_York"
BXL = "Europe/Brussels"
OFF = {"EDT": "-04:00", "EST": "-05:00", "CET": "+01:00", "CEST": "+02:00"}


def expand(*args, tz=NY):
    p = run([STOPPVIFCTL, "expand", "--tz", tz, *args])
    assert p.returncode == 0, p.stderr
    assert p.stderr == "", p.stderr
    return p.stdout.splitlines()


def days(zone, year, month, spec, time="09:00:00"):
    """Lines for days of a month: spec "2,4,9-11"; zone "EDT", "CET"..."""
    out = []
    for part in str(spec).split(","):
        a, _, b = part.partition("-")
        for d in range(int(a), int(b or a) + 1):
            out.append("%04d-%02d-%02dT%s%s" % (year, month, d, time,
                                               OFF[zone]))
    return out


def times(zone, date, spec):
    """Lines for times of one day: spec "09:00,10:30"."""
    return ["%sT%s:00%s" % (date, t, OFF[zone]) for t in spec.split(",")]


def seq(*groups):
    out = []
    for g in groups:
        out += g
    return out


# -- RFC 5545 §3.8.5.3, in the order of the RFC ------------------------------
# (description, dtstart, rules (several forms of the same set), extra
# arguments, expected).  "forever" rules are cut with --count to the dates the
# RFC lists before its "...".

EVERY_OTHER_DAY = seq(
    days("EDT", 1997, 9, ",".join(str(d) for d in range(2, 31, 2))),
    days("EDT", 1997, 10, ",".join(str(d) for d in range(2, 25, 2))),
    days("EST", 1997, 10, "26,28,30"),
    days("EST", 1997, 11, ",".join(str(d) for d in range(1, 30, 2))),
    days("EST", 1997, 12, "1,3"))

RFC = [
    ("daily for 10 occurrences", "1997-09-02T09:00:00",
     ["FREQ=DAILY;COUNT=10"], [], days("EDT", 1997, 9, "2-11")),
    ("daily until December 24, 1997", "1997-09-02T09:00:00",
     ["FREQ=DAILY;UNTIL=19971224T000000Z"], [],
     seq(days("EDT", 1997, 9, "2-30"), days("EDT", 1997, 10, "1-25"),
         days("EST", 1997, 10, "26-31"), days("EST", 1997, 11, "1-30"),
         days("EST", 1997, 12, "1-23"))),
    ("every other day, forever", "1997-09-02T09:00:00",
     ["FREQ=DAILY;INTERVAL=2"], ["--count", str(len(EVERY_OTHER_DAY))],
     EVERY_OTHER_DAY),
    ("every 10 days, 5 occurrences", "1997-09-02T09:00:00",
     ["FREQ=DAILY;INTERVAL=10;COUNT=5"], [],
     seq(days("EDT", 1997, 9, "2,12,22"), days("EDT", 1997, 10, "2,12"))),
    ("every day in January, for 3 years", "1998-01-01T09:00:00",
     ["FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;"
      "BYDAY=SU,MO,TU,WE,TH,FR,SA",
      "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1"], [],
     seq(days("EST", 1998, 1, "1-31"), days("EST", 1999, 1, "1-31"),
         days("EST", 2000, 1, "1-31"))),
    ("weekly for 10 occurrences", "1997-09-02T09:00:00",
     ["FREQ=WEEKLY;COUNT=10"], [],
     seq(days("EDT", 1997, 9, "2,9,16,23,30"),
         days("EDT", 1997, 10, "7,14,21"), days("EST", 1997, 10, "28"),
         days("EST", 1997, 11, "4"))),
    ("weekly until December 24, 1997", "1997-09-02T09:00:00",
     ["FREQ=WEEKLY;UNTIL=19971224T000000Z"], [],
     seq(days("EDT", 1997, 9, "2,9,16,23,30"),
         days("EDT", 1997, 10, "7,14,21"), days("EST", 1997, 10, "28"),
         days("EST", 1997, 11, "4,11,18,25"),
         days("EST", 1997, 12, "2,9,16,23"))),
    ("every other week, forever", "1997-09-02T09:00:00",
     ["FREQ=WEEKLY;INTERVAL=2;WKST=SU"], ["--count", "13"],
     seq(days("EDT", 1997, 9, "2,16,30"), days("EDT", 1997, 10, "14"),
         days("EST", 1997, 10, "28"), days("EST", 1997, 11, "11,25"),
         days("EST", 1997, 12, "9,23"), days("EST", 1998, 1, "6,20"),
         days("EST", 1998, 2, "3,17"))),
    ("weekly on Tuesday and Thursday for five weeks", "1997-09-02T09:00:00",
     ["FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
      "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH"], [],
     seq(days("EDT", 1997, 9, "2,4,9,11,16,18,23,25,30"),
         days("EDT", 1997, 10, "2"))),
    ("every other week on Monday, Wednesday and Friday until December 24",
     "1997-09-01T09:00:00",
     ["FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;"
      "BYDAY=MO,WE,FR"], [],
     seq(days("EDT", 1997, 9, "1,3,5,15,17,19,29"),
         days("EDT", 1997, 10, "1,3,13,15,17"),
         days("EST", 1997, 10, "27,29,31"),
         days("EST", 1997, 11, "10,12,14,24,26,28"),
         days("EST", 1997, 12, "8,10,12,22"))),
    ("every other week on Tuesday and Thursday, for 8 occurrences",
     "1997-09-02T09:00:00",
     ["FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH"], [],
     seq(days("EDT", 1997, 9, "2,4,16,18,30"),
         days("EDT", 1997, 10, "2,14,16"))),
    ("monthly on the first Friday for 10 occurrences", "1997-09-05T09:00:00",
     ["FREQ=MONTHLY;COUNT=10;BYDAY=1FR"], [],
     seq(days("EDT", 1997, 9, "5"), days("EDT", 1997, 10, "3"),
         days("EST", 1997, 11, "7"), days("EST", 1997, 12, "5"),
         days("EST", 1998, 1, "2"), days("EST", 1998, 2, "6"),
         days("EST", 1998, 3, "6"), days("EST", 1998, 4, "3"),
         days("EDT", 1998, 5, "1"), days("EDT", 1998, 6, "5"))),
    ("monthly on the first Friday until December 24, 1997",
     "1997-09-05T09:00:00", ["FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR"],
     [], seq(days("EDT", 1997, 9, "5"), days("EDT", 1997, 10, "3"),
             days("EST", 1997, 11, "7"), days("EST", 1997, 12, "5"))),
    ("every other month on the first and last Sunday, 10 occurrences",
     "1997-09-07T09:00:00", ["FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU"],
     [], seq(days("EDT", 1997, 9, "7,28"), days("EST", 1997, 11, "2,30"),
             days("EST", 1998, 1, "4,25"), days("EST", 1998, 3, "1,29"),
             days("EDT", 1998, 5, "3,31"))),
    ("monthly on the second-to-last Monday for 6 months",
     "1997-09-22T09:00:00", ["FREQ=MONTHLY;COUNT=6;BYDAY=-2MO"], [],
     seq(days("EDT", 1997, 9, "22"), days("EDT", 1997, 10, "20"),
         days("EST", 1997, 11, "17"), days("EST", 1997, 12, "22"),
         days("EST", 1998, 1, "19"), days("EST", 1998, 2, "16"))),
    ("monthly on the third-to-the-last day, forever", "1997-09-28T09:00:00",
     ["FREQ=MONTHLY;BYMONTHDAY=-3"], ["--count", "6"],
     seq(days("EDT", 1997, 9, "28"), days("EST", 1997, 10, "29"),
         days("EST", 1997, 11, "28"), days("EST", 1997, 12, "29"),
         days("EST", 1998, 1, "29"), days("EST", 1998, 2, "26"))),
    ("monthly on the 2nd and 15th for 10 occurrences", "1997-09-02T09:00:00",
     ["FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15"], [],
     seq(days("EDT", 1997, 9, "2,15"), days("EDT", 1997, 10, "2,15"),
         days("EST", 1997, 11, "2,15"), days("EST", 1997, 12, "2,15"),
         days("EST", 1998, 1, "2,15"))),
    ("monthly on the first and last day for 10 occurrences",
     "1997-09-30T09:00:00", ["FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1"], [],
     seq(days("EDT", 1997, 9, "30"), days("EDT", 1997, 10, "1"),
         days("EST", 1997, 10, "31"), days("EST", 1997, 11, "1,30"),
         days("EST", 1997, 12, "1,31"), days("EST", 1998, 1, "1,31"),
         days("EST", 1998, 2, "1"))),
    ("every 18 months on the 10th thru 15th for 10 occurrences",
     "1997-09-10T09:00:00",
     ["FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15"], [],
     seq(days("EDT", 1997, 9, "10-15"), days("EST", 1999, 3, "10-13"))),
    ("every Tuesday, every other month", "1997-09-02T09:00:00",
     ["FREQ=MONTHLY;INTERVAL=2;BYDAY=TU"], ["--count", "18"],
     seq(days("EDT", 1997, 9, "2,9,16,23,30"),
         days("EST", 1997, 11, "4,11,18,25"),
         days("EST", 1998, 1, "6,13,20,27"),
         days("EST", 1998, 3, "3,10,17,24,31"))),
    ("yearly in June and July for 10 occurrences", "1997-06-10T09:00:00",
     ["FREQ=YEARLY;COUNT=10;BYMONTH=6,7"], [],
     seq(*[days("EDT", y, m, "10") for y in range(1997, 2002)
           for m in (6, 7)])),
    ("every other year on January, February and March, 10 occurrences",
     "1997-03-10T09:00:00", ["FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3"],
     [], seq(days("EST", 1997, 3, "10"),
             *[days("EST", y, m, "10") for y in (1999, 2001, 2003)
               for m in (1, 2, 3)])),
    ("every third year on the 1st, 100th and 200th day, 10 occurrences",
     "1997-01-01T09:00:00",
     ["FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200"], [],
     seq(days("EST", 1997, 1, "1"), days("EDT", 1997, 4, "10"),
         days("EDT", 1997, 7, "19"), days("EST", 2000, 1, "1"),
         days("EDT", 2000, 4, "9"), days("EDT", 2000, 7, "18"),
         days("EST", 2003, 1, "1"), days("EDT", 2003, 4, "10"),
         days("EDT", 2003, 7, "19"), days("EST", 2006, 1, "1"))),
    ("every 20th Monday of the year, forever", "1997-05-19T09:00:00",
     ["FREQ=YEARLY;BYDAY=20MO"], ["--count", "3"],
     seq(days("EDT", 1997, 5, "19"), days("EDT", 1998, 5, "18"),
         days("EDT", 1999, 5, "17"))),
    ("Monday of week number 20, forever", "1997-05-12T09:00:00",
     ["FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO"], ["--count", "3"],
     seq(days("EDT", 1997, 5, "12"), days("EDT", 1998, 5, "11"),
         days("EDT", 1999, 5, "17"))),
    ("every Thursday in March, forever", "1997-03-13T09:00:00",
     ["FREQ=YEARLY;BYMONTH=3;BYDAY=TH"], ["--count", "11"],
     seq(days("EST", 1997, 3, "13,20,27"), days("EST", 1998, 3, "5,12,19,26"),
         days("EST", 1999, 3, "4,11,18,25"))),
    ("every Thursday, but only during June, July and August, forever",
     "1997-06-05T09:00:00", ["FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8"],
     ["--count", "39"],
     seq(days("EDT", 1997, 6, "5,12,19,26"),
         days("EDT", 1997, 7, "3,10,17,24,31"),
         days("EDT", 1997, 8, "7,14,21,28"),
         days("EDT", 1998, 6, "4,11,18,25"),
         days("EDT", 1998, 7, "2,9,16,23,30"),
         days("EDT", 1998, 8, "6,13,20,27"),
         days("EDT", 1999, 6, "3,10,17,24"),
         days("EDT", 1999, 7, "1,8,15,22,29"),
         days("EDT", 1999, 8, "5,12,19,26"))),
    ("every Friday the 13th, forever", "1997-09-02T09:00:00",
     ["FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13"],
     ["--exdate", "1997-09-02T09:00:00", "--count", "5"],
     seq(days("EST", 1998, 2, "13"), days("EST", 1998, 3, "13"),
         days("EST", 1998, 11, "13"), days("EDT", 1999, 8, "13"),
         days("EDT", 2000, 10, "13"))),
    ("the first Saturday that follows the first Sunday, forever",
     "1997-09-13T09:00:00",
     ["FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13"], ["--count", "10"],
     seq(days("EDT", 1997, 9, "13"), days("EDT", 1997, 10, "11"),
         days("EST", 1997, 11, "8"), days("EST", 1997, 12, "13"),
         days("EST", 1998, 1, "10"), days("EST", 1998, 2, "7"),
         days("EST", 1998, 3, "7"), days("EDT", 1998, 4, "11"),
         days("EDT", 1998, 5, "9"), days("EDT", 1998, 6, "13"))),
    ("every 4 years, U.S. Presidential Election day, forever",
     "1996-11-05T09:00:00",
     ["FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8"],
     ["--count", "3"],
     seq(days("EST", 1996, 11, "5"), days("EST", 2000, 11, "7"),
         days("EST", 2004, 11, "2"))),
    ("the third instance of Tuesday, Wednesday or Thursday, 3 months",
     "1997-09-04T09:00:00", ["FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3"],
     [], seq(days("EDT", 1997, 9, "4"), days("EDT", 1997, 10, "7"),
             days("EST", 1997, 11, "6"))),
    ("the second-to-last weekday of the month", "1997-09-29T09:00:00",
     ["FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2"], ["--count", "7"],
     seq(days("EDT", 1997, 9, "29"), days("EST", 1997, 10, "30"),
         days("EST", 1997, 11, "27"), days("EST", 1997, 12, "30"),
         days("EST", 1998, 1, "29"), days("EST", 1998, 2, "26"),
         days("EST", 1998, 3, "30"))),
    # The RFC lists 09:00, 12:00 and 15:00, but 17:00Z is 13:00 EDT
    # (erratum 3883 corrects UNTIL to 210000Z): both forms are checked.
    ("every 3 hours from 9:00 AM to 5:00 PM (erratum: UNTIL 21:00Z)",
     "1997-09-02T09:00:00", ["FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T210000Z"],
     [], times("EDT", "1997-09-02", "09:00,12:00,15:00")),
    ("every 3 hours, UNTIL as printed in the RFC (13:00 EDT)",
     "1997-09-02T09:00:00", ["FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z"],
     [], times("EDT", "1997-09-02", "09:00,12:00")),
    ("every 15 minutes for 6 occurrences", "1997-09-02T09:00:00",
     ["FREQ=MINUTELY;INTERVAL=15;COUNT=6"], [],
     times("EDT", "1997-09-02", "09:00,09:15,09:30,09:45,10:00,10:15")),
    ("every hour and a half for 4 occurrences", "1997-09-02T09:00:00",
     ["FREQ=MINUTELY;INTERVAL=90;COUNT=4"], [],
     times("EDT", "1997-09-02", "09:00,10:30,12:00,13:30")),
    ("every 20 minutes from 9:00 AM to 4:40 PM every day",
     "1997-09-02T09:00:00",
     ["FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
      "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16"],
     ["--count", "48"],
     seq(*[times("EDT", day, ",".join("%02d:%02d" % (h, m)
                                      for h in range(9, 17)
                                      for m in (0, 20, 40)))
           for day in ("1997-09-02", "1997-09-03")])),
    ("the days generated depend on WKST: MO", "1997-08-05T09:00:00",
     ["FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO"], [],
     days("EDT", 1997, 8, "5,10,19,24")),
    ("the days generated depend on WKST: SU", "1997-08-05T09:00:00",
     ["FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"], [],
     days("EDT", 1997, 8, "5,17,19,31")),
    ("an invalid date (February 30) is ignored", "2007-01-15T09:00:00",
     ["FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5"], [],
     seq(days("EST", 2007, 1, "15,30"), days("EST", 2007, 2, "15"),
         days("EDT", 2007, 3, "15,30"))),
]


@pytest.mark.parametrize("name,start,rules,extra,want", RFC,
                         ids=[r[0] for r in RFC])
def test_rfc5545_examples(name, start, rules, extra, want):
    for rule in rules:
        got = expand("--dtstart", start, "--rrule", rule, *extra)
        assert got == want, rule


# -- DST edges ---------------------------------------------------------------

def test_daily_across_both_changes_brussels():
    assert expand("--dtstart", "2026-03-27T09:00:00", "--rrule",
                  "FREQ=DAILY;COUNT=4", tz=BXL) == \
        days("CET", 2026, 3, "27,28") + days("CEST", 2026, 3, "29,30")
    assert expand("--dtstart", "2026-10-24T09:00:00", "--rrule",
                  "FREQ=DAILY;COUNT=3", tz=BXL) == \
        days("CEST", 2026, 10, "24") + days("CET", 2026, 10, "25,26")


def test_daily_across_both_changes_new_york():
    assert expand("--dtstart", "2026-03-07T02:30:00", "--rrule",
                  "FREQ=DAILY;COUNT=3") == [
        "2026-03-07T02:30:00-05:00", "2026-03-08T03:30:00-04:00",
        "2026-03-09T02:30:00-04:00"]
    assert expand("--dtstart", "2026-10-31T01:30:00", "--rrule",
                  "FREQ=DAILY;COUNT=3") == [
        "2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00",
        "2026-11-02T01:30:00-05:00"]


def test_start_in_the_gap_moves_forward():
    assert expand("--dtstart", "2026-03-29T02:30:00", tz=BXL) == [
        "2026-03-29T03:30:00+02:00"]
    assert expand("--dtstart", "2026-03-29T02:30:00", "--rrule",
                  "FREQ=DAILY;COUNT=3", tz=BXL) == [
        "2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00",
        "2026-03-31T02:30:00+02:00"]
    assert expand("--dtstart", "2026-03-08T02:30:00") == [
        "2026-03-08T03:30:00-04:00"]


def test_fall_back_takes_the_first_offset():
    assert expand("--dtstart", "2026-10-25T02:30:00", "--rrule",
                  "FREQ=DAILY;COUNT=2", tz=BXL) == [
        "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
    assert expand("--dtstart", "2026-11-01T01:30:00") == [
        "2026-11-01T01:30:00-04:00"]


def test_hourly_across_both_changes():
    # Wall-clock hours: 02:00 does not exist and becomes 03:00, which the
    # real 03:00 then duplicates (dropped; COUNT counted both).
    assert expand("--dtstart", "2026-03-29T00:00:00", "--rrule",
                  "FREQ=HOURLY;COUNT=5", tz=BXL) == [
        "2026-03-29T00:00:00+01:00", "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"]
    # The repeated hour is not generated twice: the rule steps nominally.
    assert expand("--dtstart", "2026-10-25T00:00:00", "--rrule",
                  "FREQ=HOURLY;COUNT=5", tz=BXL) == [
        "2026-10-25T00:00:00+02:00", "2026-10-25T01:00:00+02:00",
        "2026-10-25T02:00:00+02:00", "2026-10-25T03:00:00+01:00",
        "2026-10-25T04:00:00+01:00"]
    assert expand("--dtstart", "2026-03-08T00:30:00", "--rrule",
                  "FREQ=HOURLY;COUNT=5") == [
        "2026-03-08T00:30:00-05:00", "2026-03-08T01:30:00-05:00",
        "2026-03-08T03:30:00-04:00", "2026-03-08T04:30:00-04:00"]
    assert expand("--dtstart", "2026-11-01T00:30:00", "--rrule",
                  "FREQ=HOURLY;COUNT=3") == [
        "2026-11-01T00:30:00-04:00", "2026-11-01T01:30:00-04:00",
        "2026-11-01T02:30:00-05:00"]


# -- parts the RFC examples leave out ----------------------------------------

def test_bysetpos_over_days_and_hours():
    rule = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,17;BYSETPOS=1,-1"
    assert expand("--dtstart", "2026-01-01T09:00:00", "--rrule", rule,
                  "--count", "4", tz=BXL) == [
        "2026-01-01T09:00:00+01:00", "2026-01-30T17:00:00+01:00",
        "2026-02-02T09:00:00+01:00", "2026-02-27T17:00:00+01:00"]
    assert expand("--dtstart", "2026-03-01T09:00:00", "--rrule",
                  "FREQ=MONTHLY;BYDAY=MO;BYHOUR=8,12,18;BYSETPOS=-2",
                  "--count", "2", tz=BXL) == [
        "2026-03-30T12:00:00+02:00", "2026-04-27T12:00:00+02:00"]


def test_bysetpos_counts_the_whole_first_week():
    # The week of DTSTART (a Saturday) starts on WKST's Thursday: the second
    # of its days is Tuesday the 12th.  (dateutil starts that first week on
    # DTSTART's day and says Wednesday the 13th.)
    assert expand("--dtstart", "2100-10-09T01:00:00", "--rrule",
                  "FREQ=WEEKLY;BYDAY=WE,TH,TU;BYSETPOS=2;WKST=TH;COUNT=2",
                  tz="UTC") == ["2100-10-12T01:00:00+00:00",
                                "2100-10-19T01:00:00+00:00"]


def test_yearly_by_month_day():
    assert expand("--dtstart", "2024-02-29T10:00:00", "--rrule",
                  "FREQ=YEARLY;COUNT=3", tz=BXL) == [
        "2024-02-29T10:00:00+01:00", "2028-02-29T10:00:00+01:00",
        "2032-02-29T10:00:00+01:00"]
    assert expand("--dtstart", "2026-01-01T10:00:00", "--rrule",
                  "FREQ=YEARLY;BYMONTH=3,10;BYMONTHDAY=-1;COUNT=3",
                  tz=BXL) == [
        "2026-03-31T10:00:00+02:00", "2026-10-31T10:00:00+01:00",
        "2027-03-31T10:00:00+02:00"]


def test_byweekno_edges():
    # Week 1 may start in December.
    assert expand("--dtstart", "2024-01-01T09:00:00", "--rrule",
                  "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO", "--count", "4",
                  tz=BXL) == [
        "2024-01-01T09:00:00+01:00", "2024-12-30T09:00:00+01:00",
        "2025-12-29T09:00:00+01:00", "2027-01-04T09:00:00+01:00"]
    # Week 53 exists only in some years.
    assert expand("--dtstart", "2020-01-01T09:00:00", "--rrule",
                  "FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH", "--count", "4",
                  tz=BXL) == [
        "2020-12-31T09:00:00+01:00", "2026-12-31T09:00:00+01:00",
        "2032-12-30T09:00:00+01:00", "2037-12-31T09:00:00+01:00"]
    # The last week, counted with Sunday as its first day.
    assert expand("--dtstart", "2020-01-01T09:00:00", "--rrule",
                  "FREQ=YEARLY;BYWEEKNO=-1;BYDAY=SU;WKST=SU", "--count", "2",
                  tz=BXL) == [
        "2020-12-27T09:00:00+01:00", "2021-12-26T09:00:00+01:00"]
    # Week -53 of a 53-week year is its week 1, which starts in December.
    # (dateutil does not look there and finds nothing.)
    assert expand("--dtstart", "2026-01-01T09:00:00", "--rrule",
                  "FREQ=YEARLY;BYWEEKNO=-53;BYDAY=MO;COUNT=2", tz=BXL) == [
        "2031-12-29T09:00:00+01:00", "2036-12-29T09:00:00+01:00"]


def test_large_interval():
    assert expand("--dtstart", "2026-01-07T14:00:00", "--rrule",
                  "FREQ=DAILY;INTERVAL=40000", "--count", "3", tz=BXL) == [
        "2026-01-07T14:00:00+01:00", "2135-07-15T14:00:00+02:00",
        "2245-01-19T14:00:00+01:00"]
    assert expand("--dtstart", "2026-01-07T14:00:00", "--rrule",
                  "FREQ=SECONDLY;INTERVAL=2147483647", "--count", "2",
                  tz=BXL) == [
        "2026-01-07T14:00:00+01:00", "2094-01-25T17:14:07+01:00"]


def test_impossible_rule_prints_nothing_quickly():
    for rule in ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31",
                 "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
                 "FREQ=HOURLY;INTERVAL=3;BYHOUR=9,12,15"):
        t = time.monotonic()
        assert expand("--dtstart", "2026-01-07T14:00:00", "--rrule", rule,
                      tz=BXL) == []
        assert time.monotonic() - t < 5


# -- exclusions and cuts -----------------------------------------------------

CABANE = ["--dtstart", "2026-01-07T14:00:00", "--rrule",
          "FREQ=MONTHLY;BYDAY=1WE"]


def test_exdates():
    got = expand(*CABANE, "--count", "4", "--exdate",
                 "2026-02-04T14:00:00,2026-04-01T14:00:00", "--exdate",
                 "2026-05-06T14:00:00", tz=BXL)
    assert got == ["2026-01-07T14:00:00+01:00", "2026-03-04T14:00:00+01:00",
                   "2026-06-03T14:00:00+02:00", "2026-07-01T14:00:00+02:00"]
    # A time not on the rule removes nothing; the rule's COUNT counts the
    # excluded occurrence.
    got = expand(*CABANE[:3], "FREQ=MONTHLY;BYDAY=1WE;COUNT=3", "--exdate",
                 "2026-02-04T14:00:00,2026-02-04T15:00:00", tz=BXL)
    assert got == ["2026-01-07T14:00:00+01:00", "2026-03-04T14:00:00+01:00"]
    # In a gap the EXDATE may name the nominal time or the moved one.
    for ex in ("2026-03-29T02:30:00", "2026-03-29T03:30:00"):
        assert expand("--dtstart", "2026-03-28T02:30:00", "--rrule",
                      "FREQ=DAILY;COUNT=3", "--exdate", ex, tz=BXL) == [
            "2026-03-28T02:30:00+01:00", "2026-03-30T02:30:00+02:00"]


def test_skip_holidays():
    rule = ["--dtstart", "2026-12-24T09:00:00", "--rrule"]
    assert expand(*rule, "FREQ=DAILY;COUNT=3", "--skip-holidays", "BE",
                  tz=BXL) == ["2026-12-24T09:00:00+01:00",
                              "2026-12-26T09:00:00+01:00"]
    assert expand(*rule, "FREQ=DAILY", "--count", "3", "--skip-holidays",
                  "BE", tz=BXL) == ["2026-12-24T09:00:00+01:00",
                                    "2026-12-26T09:00:00+01:00",
                                    "2026-12-27T09:00:00+01:00"]
    # Easter Monday 2027 is 29 March; the local date decides.
    assert expand("--dtstart", "2027-03-28T23:30:00", "--rrule",
                  "FREQ=HOURLY;COUNT=3", "--skip-holidays", "BE",
                  tz=BXL) == ["2027-03-28T23:30:00+02:00"]


def test_until_and_count_cut_the_output():
    assert expand(*CABANE, "--until", "2026-04-01T14:00:00", tz=BXL) == [
        "2026-01-07T14:00:00+01:00", "2026-02-04T14:00:00+01:00",
        "2026-03-04T14:00:00+01:00", "2026-04-01T14:00:00+02:00"]
    assert expand(*CABANE, "--until", "2026-04-01T13:59:59", tz=BXL)[-1] == \
        "2026-03-04T14:00:00+01:00"
    assert len(expand(*CABANE, "--count", "2500", tz=BXL)) == 2500
    assert expand(*CABANE[:3], "FREQ=MONTHLY;BYDAY=1WE;COUNT=2", "--count",
                  "5", tz=BXL) == ["2026-01-07T14:00:00+01:00",
                                   "2026-02-04T14:00:00+01:00"]


def test_dtstart_not_on_the_rule_is_not_printed():
    assert expand("--dtstart", "2026-01-01T14:00:00", "--rrule",
                  "FREQ=MONTHLY;BYDAY=1WE;COUNT=2", tz=BXL) == [
        "2026-01-07T14:00:00+01:00", "2026-02-04T14:00:00+01:00"]


def test_unbounded_rule_prints_1000():
    p = run([STOPPVIFCTL, "expand", *CABANE])
    assert p.returncode == 0
    lines = p.stdout.splitlines()
    assert len(lines) == 1000 and lines[0] == "2026-01-07T14:00:00+01:00"
    assert "--count" in p.stderr and len(p.stderr.splitlines()) == 1


def test_no_occurrence_no_output():
    p = run([STOPPVIFCTL, "expand", "--dtstart", "2026-01-07T14:00:00",
             "--rrule", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"])
    assert (p.returncode, p.stdout, p.stderr) == (0, "", "")


def test_closed_pipe_is_quiet():
    p = subprocess.Popen([str(STOPPVIFCTL), "expand", *CABANE, "--count",
                          "2000000"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    first = p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read()
    assert p.wait(timeout=20) == 0
    assert first == b"2026-01-07T14:00:00+01:00\n" and err == b""


def test_holidays_be_2027():
    p = run([STOPPVIFCTL, "holidays", "BE", "2027"])
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [
        "2027-01-01 Jour de l'an", "2027-03-29 Lundi de Pâques",
        "2027-05-01 Fête du Travail", "2027-05-06 Ascension",
        "2027-05-17 Lundi de Pentecôte", "2027-07-21 Fête nationale",
        "2027-08-15 Assomption", "2027-11-01 Toussaint",
        "2027-11-11 Armistice", "2027-12-25 Noël"]


# -- errors ------------------------------------------------------------------

BAD = [
    (["expand", "--dtstart", "2026-01-07T14:00:00", "--rrule",
      "FREQ=MONTHLY;BYMONTHDAY=32"], 1,
     "stoppvifctl: --rrule : BYMONTHDAY=32 : hors limites (-31..-1, 1..31)"),
    (["expand", "--dtstart", "2026-01-07T14:00:00", "--rrule",
      "FREQ=MONTHLY;BYDAY=1XX"], 1, "--rrule : BYDAY=1XX"),
    (["expand", "--dtstart", "2026-01-07T14:00:00", "--rrule",
      "FREQ=DAILY;COUNT=2;UNTIL=20270101"], 1, "COUNT et UNTIL"),
    (["expand", "--dtstart", "2026-01-07T14:00:00", "--rrule", "BYDAY=MO"],
     1, "FREQ"),
    (["expand", "--dtstart", "2026-02-30T14:00:00"], 1, "--dtstart"),
    (["expand", "--dtstart", "demain"], 1, "--dtstart"),
    (["expand", "--dtstart", "2026-01-07T14:00:00", "--tz", "Mars/Olympus"],
     1, "--tz"),
    (["expand", "--dtstart", "2026-01-07T14:00:00", "--tz", "../../etc/passwd"],
     1, "--tz"),
    (["expand", "--dtstart", "2026-01-07T14:00:00", "--count", "0"], 1,
     "--count"),
    (["expand", "--dtstart", "2026-01-07T14:00:00", "--until", "2026-13-01"],
     1, "--until"),
    (["expand", "--dtstart", "2026-01-07T14:00:00", "--exdate",
      "2026-01-07T14:00:00,hier"], 1, "--exdate"),
    (["expand", "--dtstart", "2026-01-07T14:00:00", "--skip-holidays", "FR"],
     1, "BE"),
    (["expand", "--rrule", "FREQ=DAILY"], 2, "usage"),
    (["expand", "--dtstart", "2026-01-07T14:00:00", "--bogus"], 2, "usage"),
    (["expand", "--dtstart"], 2, "usage"),
    (["expand", "--dtstart", "2026-01-07T14:00:00", "extra"], 2, "usage"),
    (["holidays", "FR", "2027"], 1, "BE"),
    (["holidays", "BE", "deux-mille"], 1, "année"),
    (["holidays", "BE"], 2, "usage"),
]


@pytest.mark.parametrize("argv,code,why", BAD,
                         ids=[" ".join(b[0][-2:]) for b in BAD])
def test_errors(argv, code, why):
    p = run([STOPPVIFCTL, *argv])
    assert p.returncode == code, p.stderr
    assert why in p.stderr and p.stdout == ""
    if code == 1:
        assert len(p.stderr.splitlines()) == 1


# -- differential: python-dateutil on random rules ---------------------------
# rrule_diff.random_rule() keeps out of the classes where dateutil departs
# from RFC 5545 (rrule_diff.DEPARTURES: BYDAY mixing plain days and ordinals
# in MONTHLY/YEARLY, DATE UNTIL, BYSECOND=60, negative BYWEEKNO across years).

DIFF_RULES = int(os.environ.get("RRULE_DIFF_RULES", "240"))


def test_against_dateutil():
    rng = random.Random(20260107)
    cases = [rrule_diff.random_rule(rng) for _ in range(DIFF_RULES)]
    wants = [rrule_diff.dateutil_expand(s, z, r, 20, timeout=0.1)
             for s, z, r in cases]
    todo = [(c, w) for c, w in zip(cases, wants) if w is not None]
    with ThreadPoolExecutor(max_workers=4) as pool:
        gots = list(pool.map(lambda cw: rrule_diff.ours(STOPPVIFCTL, *cw[0],
                                                        20), todo))
    bad = []
    for (case, want), (rc, got, err) in zip(todo, gots):
        if rc != 0 or got != want:
            bad.append("%s %s %s: exit %d %s\n ours %s\n dateutil %s" % (
                *case, rc, err.strip(), got[:5], want[:5]))
    assert len(todo) > DIFF_RULES * 3 // 4
    assert sum(1 for _, w in todo if w) > len(todo) // 2
    assert not bad, "\n".join(bad[:5])
