"""
Hostile and clumsy input: nothing a caller of the control API, an
iCalendar file or a Latin-1 terminal sends may stop the daemon.

The attacker's side: values built so that a cut at a byte count (the old
"%.16s", "%.32s", "%.60s", "%.64s" of the error messages) falls inside a
multi-byte character; raw HTTP on the control socket with invalid UTF-8 in
the path, the query and the body, lone surrogates, 100,000 nested arrays,
a body over [api] max_body, unknown methods, an id past 64 bits, numbers
where strings are expected; iCalendar files built to make the import
slow.  The clumsy user's side: an Outlook export whose titles have an "é"
or an emoji around byte 60, folded inside a character as Outlook does; a
terminal, a configuration file or a template saved in Latin-1.

Every test checks afterwards that the daemon still answers status; where
an error is expected, that stoppvifctl exits 1 naming the field, that the
message is clean UTF-8 (a quoted value cut on a character, with "…") and
that nothing changed.  The fixtures' teardown fails on a daemon that died
or left a sanitizer report.
"""
import datetime as dt
import json
import re
import shutil
import time

import pytest

from conftest import STOPPVIFD, TEMPLATES, http_unix, run, unix_send

CUTS = (16, 32, 60, 64)             # the byte counts of the old cuts
WIDE = ("é", "€", "\U0001F600")     # 2, 3 and 4 bytes in UTF-8
DTSTART = "2027-01-13T14:00:00"
QUOTED = re.compile(r"« (.*?) »")


def straddling(n, pad="x", tail="yy", every=False):
    """Values whose byte n - 1 / n boundary falls inside a character:
    pad letters, then a multi-byte one over the cut, then tail.  By
    default "é" after n - 1 letters and an emoji after n - 2; every: each
    character of WIDE at each place that straddles the cut."""
    if not every:
        return [pad * (n - 1) + "é" + tail,
                pad * (n - 2) + "\U0001F600" + tail]
    out = []
    for ch in WIDE:
        width = len(ch.encode())
        for start in range(n - width + 1, n):
            out.append(pad * start + ch + tail)
    return out


def all_straddling(tail="yy"):
    return [v for n in CUTS for v in straddling(n, tail=tail)]


def api_get(d, path):
    """GET path on the control socket; the decoded answer (must be 200)."""
    status, _, body = http_unix(d.socket, "GET", path)
    assert status == 200, (path, status, body)
    return json.loads(body)


def alive(d):
    """The daemon runs and answers status."""
    assert d.running(), f"stoppvifd stopped; log:\n{d.log()[-3000:]}"
    assert api_get(d, "/v1/status")["pid"] == d.proc.pid


def snapshot(d):
    """What a refused request must leave as it was (the audit log's changes:
    the reads of contact data, this snapshot's own among them, are
    recorded too)."""
    return (api_get(d, "/v1/events"), api_get(d, "/v1/people"),
            [e for e in api_get(d, "/v1/audit?limit=100000")
             if e["action"] not in d.AUDIT_READS])


def clean_message(text):
    """No byte was replaced: what the daemon says is the user's text."""
    assert "\ufffd" not in text, f"mangled text: {text!r}"


def quoted_cleanly(err, value):
    """err quotes value whole, or its first characters then "…"."""
    clean_message(err)
    for q in QUOTED.findall(err):
        if q == value or (q.endswith("…") and len(q) > 1 and
                          value.startswith(q[:-1])):
            return
    pytest.fail(f"{value!r} not quoted whole or cut on a character in "
                f"{err!r}")


def refused(d, *args, field, value=None, quoted=True, clean=True):
    """stoppvifctl ARGS exits 1 naming field; the message quotes value
    cleanly (quoted), or at least replaces none of its bytes (clean: off
    for bytes that were not UTF-8 to begin with)."""
    rc, out, err = d.ctl(*args)
    assert rc == 1, f"{args}: exit {rc}\nstdout {out}\nstderr {err}"
    assert f"stoppvifctl: {field}: " in err, err
    if value is not None and quoted:
        quoted_cleanly(err, value)
    elif clean:
        clean_message(err)
    alive(d)
    return err


def add_person(d):
    return d.add_person(name="Émilie Dupont", role="referent",
                        email="emilie@esneux.be", lang="fr")


# -- events add: each field, the value over the old cut ----------------------

EVENT_FIELDS = {
    # flag: (field, values, quoted in the message)
    "--kind": ("kind", all_straddling(), True),
    "--remind": ("remind", all_straddling(), True),
    "--audience": ("audience", all_straddling(), True),
    "--channels": ("channels", all_straddling(), True),
    "--tz": ("tz", all_straddling(), True),
    "--exdate": ("exdates", all_straddling(), True),
    "--rrule": ("rrule", all_straddling(), True),
    # too long: 200 characters at most
    "--title": ("title", all_straddling(tail="y" * 200), False),
    "--location": ("location", all_straddling(tail="y" * 200), False),
}


@pytest.mark.parametrize("flag", sorted(EVENT_FIELDS))
def test_events_add_value_over_a_cut(daemon, flag):
    d = daemon
    field, values, quoted = EVENT_FIELDS[flag]
    pid = add_person(d)
    before = snapshot(d)
    for v in values:
        args = ["events", "add", "--title", "Plateforme", "--dtstart",
                DTSTART, flag, v]
        if flag == "--exdate":
            args += ["--rrule", "FREQ=WEEKLY"]
        if flag == "--remind":
            args += ["--audience", f"person:{pid}"]
        refused(d, *args, field=field, value=v, quoted=quoted)
    assert snapshot(d) == before


def test_events_kind_reported_case(daemon):
    """The request that stopped the daemon, its message; then every
    character width at every place across every old cut."""
    d = daemon
    v = "x" * 31 + "é"
    err = refused(d, "events", "add", "--title", "T", "--dtstart",
                  "2027-01-01T10:00:00", "--kind", v, field="kind", value=v)
    assert f"type inconnu « {v} »" in err
    for n in CUTS:
        for v in straddling(n, every=True):
            refused(d, "events", "add", "--title", "T", "--dtstart",
                    DTSTART, "--kind", v, field="kind", value=v)
    assert d.ctl_json("events", "list") == []


def test_events_edit_value_over_a_cut(daemon):
    d = daemon
    eid = d.ctl_json("events", "add", "--title", "Plateforme", "--dtstart",
                     DTSTART)["id"]
    before = snapshot(d)
    for v in all_straddling():
        refused(d, "events", "edit", str(eid), "--kind", v, field="kind",
                value=v)
        refused(d, "events", "edit", str(eid), "--channels", v,
                field="channels", value=v)
    assert snapshot(d) == before


# -- people ------------------------------------------------------------------

PEOPLE_FIELDS = {
    "--lang": ("lang", True),
    "--quiet-hours": ("quiet_hours", True),
    "--role": ("roles", False),
    "--email": ("email", False),
    "--phone": ("phone", False),
}


@pytest.mark.parametrize("flag", sorted(PEOPLE_FIELDS))
def test_people_add_value_over_a_cut(daemon, flag):
    d = daemon
    field, quoted = PEOPLE_FIELDS[flag]
    before = snapshot(d)
    for v in all_straddling():
        args = ["people", "add", "--name", "Jan Vermeulen", flag, v]
        if flag != "--role":
            args += ["--role", "platform"]
        refused(d, *args, field=field, value=v, quoted=quoted)
    assert snapshot(d) == before


def test_people_edit_and_list_value_over_a_cut(daemon):
    d = daemon
    pid = add_person(d)
    before = snapshot(d)
    for v in all_straddling():
        refused(d, "people", "edit", str(pid), "--lang", v, field="lang",
                value=v)
        refused(d, "people", "edit", str(pid), "--quiet-hours", v,
                field="quiet_hours", value=v)
        refused(d, "people", "list", "--role", v, field="role", value=v)
    assert snapshot(d) == before


def test_people_name_too_long(daemon):
    d = daemon
    before = snapshot(d)
    for v in all_straddling(tail="y" * 100):
        refused(d, "people", "add", "--name", v, "--role", "platform",
                field="name")
    assert snapshot(d) == before


# -- outbox, agenda, on call, shelters --------------------------------------

def test_outbox_status_over_a_cut(daemon):
    d = daemon
    for v in all_straddling():
        refused(d, "outbox", "list", "--status", v, field="status", value=v)


def test_agenda_from_over_a_cut(daemon):
    d = daemon
    for v in all_straddling():
        refused(d, "agenda", "--from", v, field="from", value=v)


def test_oncall_over_a_cut(daemon):
    d = daemon
    pid = add_person(d)
    before = snapshot(d)
    for v in all_straddling():
        refused(d, "oncall", "set", str(pid), "--from", v, "--to",
                "2027-01-02T08:00", field="from", value=v)
        refused(d, "oncall", "set", str(pid), "--from", "2027-01-01T08:00",
                "--to", v, field="to", value=v)
        refused(d, "oncall", "show", "--at", v, field="at", value=v)
    assert snapshot(d) == before


@pytest.mark.parametrize("with_shelter", (False, True))
def test_shelter_status_name_with_accent(daemon, with_shelter):
    d = daemon
    if with_shelter:
        d.stop()
        d.write_config(extra="[shelter.aisova]\n"
                       "title = Appartement d'urgence\n")
        d.start()
    for v in ["Maison-é", "aisova-é"] + all_straddling():
        for args in (("shelter", "status", v), ("shelter", "vacate", v),
                     ("shelter", "report", v)):
            rc, out, err = d.ctl(*args)
            assert rc == 1, f"{args}: exit {rc}\n{out}\n{err}"
            clean_message(err)
            alive(d)
    if with_shelter:
        assert d.ctl_json("shelter", "status", "aisova")["name"] == "aisova"


def test_shelter_title_saved_in_latin1(daemon_env):
    """The configuration names the shelter in Latin-1: the daemon either
    refuses it at start, naming the line, or vacates it and alerts."""
    d = daemon_env
    d.write_config(extra="[shelter.aisova]\ntitle = Appartement d'urgence\n")
    d.conf.write_bytes(d.conf.read_bytes().replace(
        b"d'urgence", b"d'urgence \xe0 Li\xe8ge"))
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    if r.returncode != 0:
        assert "title" in r.stderr or "UTF-8" in r.stderr, r.stderr
        return
    d.start()
    pid = d.add_person(name="Jan", role="oncall", email="jan@example.be",
                       phone="0470123456")
    now = dt.datetime.now()
    d.ctl("oncall", "set", str(pid), "--from",
          (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "--to",
          (now + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"), check=0)
    try:
        d.ctl("shelter", "vacate", "aisova")
        alive(d)
        assert api_get(d, "/v1/status")["shelters"], "shelter lost"
    finally:
        if not d.running():
            d.proc = None       # reported above; no second report
            d._close_log()


# -- the clumsy user's terminal: Latin-1 bytes in the arguments --------------

def latin1(text):
    """text as a Latin-1 terminal passes it: bytes that are not UTF-8
    (Python hands them to the program through surrogateescape)."""
    return text.encode("latin-1").decode("utf-8", "surrogateescape")


def test_latin1_arguments(daemon):
    d = daemon
    pid = add_person(d)
    before = snapshot(d)
    # sent in the query string: the daemon sees bytes that are not UTF-8
    for args, field in (
            (("agenda", "--from", latin1("2027-01-0é")), "from"),
            (("outbox", "list", "--status", latin1("envoyé")), "status"),
            (("people", "list", "--role", latin1("référent")), "role"),
            (("oncall", "show", "--at", latin1("2027-01-01Té")), "at")):
        refused(d, *args, field=field, quoted=False, clean=False)
    # sent in a JSON body: stoppvifctl refuses them itself
    for args in (
            ("events", "add", "--title", latin1("Réunion"), "--dtstart",
             DTSTART),
            ("events", "add", "--title", "R", "--dtstart", DTSTART,
             "--exdate", latin1("2027-01-2é")),
            ("people", "add", "--name", latin1("Émilie"), "--role",
             "referent"),
            ("people", "add", "--name", "E", "--role", latin1("référent")),
            ("people", "edit", str(pid), "--commune", latin1("Liège")),
            ("oncall", "set", str(pid), "--from", latin1("2027é"), "--to",
             "2027-01-02T08:00")):
        rc, out, err = d.ctl(*args)
        assert rc == 2 and "UTF-8" in err, (args, rc, err)
        alive(d)
    assert snapshot(d) == before


# -- iCalendar: an Outlook export -------------------------------------------

VTIMEZONE = [
    "BEGIN:VTIMEZONE", "TZID:Romance Standard Time",
    "BEGIN:STANDARD", "DTSTART:16011028T030000",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100", "END:STANDARD",
    "BEGIN:DAYLIGHT", "DTSTART:16010325T020000",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200", "END:DAYLIGHT",
    "END:VTIMEZONE",
]


def outlook_fold(line):
    """Fold a content line at 75 octets as Outlook does: where the octets
    run out, inside a character if need be."""
    raw = line.encode()
    parts = [raw[:75]]
    raw = raw[75:]
    while raw:
        parts.append(b" " + raw[:74])
        raw = raw[74:]
    return b"\r\n".join(parts)


def ics_escape(text):
    return (text.replace("\\", "\\\\").replace(";", "\\;")
            .replace(",", "\\,").replace("\n", "\\n"))


def vevent(n, title, start="20270113T140000", end="20270113T160000",
           extra=(), description=None):
    lines = [
        "BEGIN:VEVENT", "CLASS:PUBLIC", "CREATED:20251201T101010Z",
        "DESCRIPTION:" + ics_escape(description or "Ordre du jour :\n"
                                    "1. Accueil\n2. Situations en cours"),
        f'DTEND;TZID="Romance Standard Time":{end}',
        "DTSTAMP:20251201T101010Z",
        f'DTSTART;TZID="Romance Standard Time":{start}',
        "LAST-MODIFIED:20251201T101010Z",
        "LOCATION:Maison communale\\, salle du conseil",
        "PRIORITY:5", "SEQUENCE:0",
        "SUMMARY;LANGUAGE=fr-be:" + ics_escape(title),
        "TRANSP:OPAQUE",
        f"UID:040000008200E00074C5B7101A82E0080000000{n:04d}"
        "DC01000000000000000010000000",
        "X-MICROSOFT-CDO-BUSYSTATUS:BUSY", "X-MICROSOFT-CDO-IMPORTANCE:1",
        "X-MS-OLK-AUTOFILLLOCATION:FALSE", "X-MS-OLK-CONFTYPE:0",
    ] + list(extra) + [
        "BEGIN:VALARM", "TRIGGER:-PT15M", "ACTION:DISPLAY",
        "DESCRIPTION:Reminder", "END:VALARM", "END:VEVENT",
    ]
    return lines


def outlook_file(path, events):
    lines = ["BEGIN:VCALENDAR",
             "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
             "VERSION:2.0", "METHOD:PUBLISH",
             "X-MS-OLK-FORCEINSPECTOROPEN:TRUE"] + VTIMEZONE
    for ev in events:
        lines += ev
    lines.append("END:VCALENDAR")
    path.write_bytes(b"\r\n".join(outlook_fold(s) for s in lines) +
                     b"\r\n")
    return path


def title_at(offset, ch, total=70):
    """A title with ch starting at byte offset, total bytes or more."""
    head = "Réunion plateforme "
    pad = offset - len(head.encode())
    return head + "x" * pad + ch + "y" * max(2, total - offset - 4)


# (offset, character) pairs: on, just before and just after byte 60
NEAR_60 = [(59, "é"), (60, "é"), (61, "é"), (57, "\U0001F600"),
           (58, "\U0001F600"), (59, "\U0001F600"), (60, "\U0001F600")]


def test_import_outlook_reports_titles_cut_cleanly(daemon, tmp_path):
    """Reminders without an audience and a cancelled meeting are reported
    by title, each cut on a character; the other events are imported."""
    d = daemon
    titles = [title_at(o, c) for o, c in NEAR_60]
    cancelled = title_at(60, "é") + " (annulée)"
    events = [vevent(i, t, start=f"202701{13 + i:02d}T140000",
                     end=f"202701{13 + i:02d}T160000")
              for i, t in enumerate(titles)]
    events.append(vevent(99, cancelled, extra=["STATUS:CANCELLED"]))
    f = outlook_file(tmp_path / "outlook.ics", events)
    out = d.ctl_json("events", "import", str(f))
    assert out["added"] == len(titles) and out["updated"] == 0, out
    for m in out["ignored"]:
        clean_message(m)
    for t in titles:
        lines = [m for m in out["ignored"] if "rappels ignorés" in m and
                 (t in m or t[:60] + "…" in m)]
        assert lines, f"no report naming {t!r}: {out['ignored']}"
        quoted_cleanly(lines[0], t)
    lines = [m for m in out["ignored"] if "annulé" in m]
    assert len(lines) == 1, out["ignored"]
    quoted_cleanly(lines[0], cancelled)
    got = sorted(e["title"] for e in d.ctl_json("events", "list"))
    assert got == sorted(titles)
    alive(d)


def test_import_outlook_folded_inside_characters(daemon, tmp_path):
    """Outlook folds a long description inside an "é": stoppvifctl moves
    the fold so that the file travels as UTF-8, and it imports."""
    d = daemon
    for pad in ("", "x"):
        desc = ("Ordre du jour : accueil des nouveaux membres " + pad +
                "é" * 60 + " et la suite")
        ev = vevent(1, "Plateforme de février", description=desc)
        f = outlook_file(tmp_path / "folded.ics", [ev])
        try:
            f.read_bytes().decode()
        except UnicodeDecodeError:
            break                          # a fold inside a character
    else:
        pytest.fail("no fold inside a character")
    out = d.ctl_json("events", "import", str(f))
    assert out["added"] == 1, out
    got = d.ctl_json("events", "list")
    assert got[0]["description"] == desc
    assert got[0]["title"] == "Plateforme de février"
    assert got[0]["tz"].startswith("Europe/"), got[0]["tz"]
    alive(d)


REFUSALS = {
    # why an event of an ordinary export is refused, the field named and
    # how the message starts
    # a title that may not reach a phone is no longer refused: kept, with
    # a neutral phone title, and the report names it all the same
    "phone": dict(title=lambda o, c: "Violences conjugales " + "x" * (
        o - len("Violences conjugales ")) + c + "yyyy",
        says="titre remplacé sur les téléphones par ", kept=True),
    "finished": dict(title=title_at, extra=[
        "RRULE:FREQ=WEEKLY;UNTIL=20200101T000000Z;BYDAY=WE"],
        start="20190102T140000", end="20190102T160000",
        says="événement ignoré : rrule : "),
    "start": dict(title=title_at, start="2019-01-02",
                  says="événement ignoré : ligne "),
}


@pytest.mark.parametrize("why", sorted(REFUSALS))
def test_import_outlook_refused_event_named_cleanly(daemon, tmp_path, why):
    """One event of the export is refused: the import skips it and says
    which, its title cut on a character, imports the others (an event the
    calendar refuses is skipped, as stoppvifctl(1) says) and the daemon
    goes on.  A finished series is no longer refused: it is imported."""
    d = daemon
    r = REFUSALS[why]
    ok = [vevent(1, "Plateforme de janvier"), vevent(2, "Formation")]
    kw = {k: r[k] for k in ("extra", "start", "end") if k in r}
    before = snapshot(d)
    for offset, ch in NEAR_60:
        bad = r["title"](offset, ch)
        assert bad.encode()[offset:].decode().startswith(ch)
        f = outlook_file(tmp_path / "export.ics",
                         ok[:1] + [vevent(3, bad, **kw)] + ok[1:])
        rc, out, err = d.ctl("events", "import", str(f))
        assert rc == 0, (rc, out, err)
        if why == "finished":
            assert "événement ignoré" not in out, out
        else:
            assert r["says"] in out, out
            quoted_cleanly(out, bad)
            titles = sorted(e["title"] for e in d.ctl_json("events", "list"))
            want = ["Formation", "Plateforme de janvier"] + (
                [bad] if r.get("kept") else [])
            assert titles == sorted(want), titles
            if r.get("kept"):
                d.ctl("events", "remove", next(
                    str(e["id"]) for e in d.ctl_json("events", "list")
                    if e["title"] == bad), check=0)
        alive(d)
    # without it, the others import
    f = outlook_file(tmp_path / "export2.ics", ok)
    out = d.ctl_json("events", "import", str(f))
    assert out["added"] + out["updated"] == 2, out
    alive(d)


def test_import_hostile_calendar_answers_quickly(daemon):
    """Files built to make the import slow (one lookup per '/' of a
    TZID, a search per property, per EXDATE, per alarm, a report line per
    category): each is answered within seconds, the daemon free again."""
    d = daemon
    head = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:h1\r\n"
            "SUMMARY:Plateforme\r\nDTSTART:20270101T100000\r\n")
    tail = "END:VEVENT\r\nEND:VCALENDAR\r\n"
    dates = ",".join("2027%02d%02dT%02d%02d00" % (
        1 + i // 28 % 12, 1 + i % 28, i // 336 % 24, i // 8064 % 60)
        for i in range(50000))
    cases = (
        ("names", head + "".join(f"X-P{i}:1\r\n" for i in range(75000)) +
         tail, 200),
        # an event refused is skipped, reported: 200
        ("exdates", head + "RRULE:FREQ=DAILY\r\nEXDATE:" + dates + "\r\n" +
         tail, 200),
        ("slashes", head.replace("DTSTART:", "DTSTART;TZID=" + "a/" * 300000
                                 + ":") + tail, 200),
        ("tzid per date", head + "RRULE:FREQ=DAILY\r\nEXDATE;TZID=" +
         "a/" * 100 + ":" + ",".join(["20270102T100000"] * 50000) + "\r\n" +
         tail, 200),
        ("alarms", head + "".join(f"BEGIN:VALARM\r\nTRIGGER:-PT{i}M\r\n"
                                  "END:VALARM\r\n" for i in range(1, 19000))
         + tail, 200),
        ("categories", head + "CATEGORIES:" + ",".join(
            f"c{i}" for i in range(120000)) + "\r\n" + tail, 200),
    )
    for what, ics, code in cases:
        body = json.dumps({"ics": ics}).encode()
        assert len(body) < 1 << 20, (what, len(body))
        t = time.monotonic()
        status, _, rest = http_unix(d.socket, "POST", "/v1/events/import",
                                    body, {"Content-Type":
                                           "application/json"},
                                    timeout=20.0)
        took = time.monotonic() - t
        assert status == code, (what, status, rest[:300])
        assert took < 10, f"{what}: {took:.1f} s"
        if code == 200:
            assert len(json.loads(rest)["ignored"]) <= 501, what
        alive(d)


# -- raw HTTP on the control socket ------------------------------------------

def send_bytes(sock_path, data, timeout=10.0):
    """Write data on the control socket as it is (bytes http_unix would
    encode), read until the daemon closes; (status or None, body)."""
    head, _, rest = unix_send(sock_path, data, timeout).partition(
        b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return (int(m.group(1)) if m else None), rest


def decode(rest):
    try:
        return json.loads(rest) if rest.strip() else None
    except ValueError:
        return None


STANDARD = ("GET", "POST", "PATCH", "DELETE")


def raw(d, method, path, body=None, headers=None, timeout=10.0):
    """One request; (status, decoded JSON answer or None).  A path or a
    method that is not ASCII is written byte for byte, and the answer may
    then be none at all (status None)."""
    if isinstance(path, str) and path.isascii() and method in STANDARD:
        status, _, rest = http_unix(d.socket, method, path, body, headers)
        return status, decode(rest)
    if isinstance(path, str):
        path = path.encode()
    head = [method.encode() + b" " + path + b" HTTP/1.1", b"Host: localhost",
            b"Connection: close"]
    hdrs = dict(headers or {})
    if body is not None:
        hdrs.setdefault("Content-Length", str(len(body)))
    head += [f"{k}: {v}".encode() for k, v in hdrs.items()]
    status, rest = send_bytes(d.socket, b"\r\n".join(head) + b"\r\n\r\n" +
                              (body or b""), timeout)
    return status, decode(rest)


def assert_error(status, answer, code, field=None, clean=False):
    """An error answer: the status, {"error": text, "field": field}."""
    assert status == code, (status, answer)
    assert answer is not None and isinstance(answer.get("error"), str), \
        answer
    if clean:
        clean_message(answer["error"])
    if field is not None:
        assert answer.get("field") == field, answer


def test_http_invalid_utf8_in_path(daemon):
    d = daemon
    for path in (b"/v1/\xff\xfe", b"/v1/people/\xc3", b"/v1/\xe9v\xe9nements",
                 b"/v1/" + b"x" * 59 + "é".encode() + b"/y",
                 b"/v1/" + b"x" * 60 + "\U0001F600".encode(),
                 b"/v1/shelters/maison-\xe9", b"/v1/events/%C3",
                 b"/v1/%ff%fe%fd", b"/" + b"\x80" * 3000):
        status, answer = raw(d, "GET", path)
        assert status in (None, 400, 404), (path, status, answer)
        if status == 404:
            assert isinstance(answer.get("error"), str), answer
        alive(d)


def test_http_invalid_utf8_in_query(daemon):
    d = daemon
    before = snapshot(d)
    for path, field in (
            ("/v1/people?role=%FF", "role"),
            ("/v1/people?role=" + "x" * 31 + "%C3%A9", "role"),
            ("/v1/people?role=%C3", "role"),
            ("/v1/outbox?status=%C3", "status"),
            ("/v1/outbox?status=" + "x" * 31 + "%C3%A9", "status"),
            ("/v1/agenda?from=%E9t%E9", "from"),
            ("/v1/agenda?from=2027-01-0%C3", "from"),
            ("/v1/agenda?days=%FF", "days"),
            ("/v1/oncall?at=%C3%28", "at"),
            ("/v1/audit?limit=%FF", "limit"),
            ("/v1/outbox?limit=%ED%A0%80", "limit")):
        status, answer = raw(d, "GET", path)
        assert_error(status, answer, 400, field, clean="%C3%A9" in path)
        alive(d)
    # raw bytes, not %-escaped
    for path in (b"/v1/people?role=r\xe9f\xe9rent",
                 b"/v1/agenda?from=\xc3", b"/v1/people?\xff=\xfe"):
        status, answer = raw(d, "GET", path)
        assert status in (None, 200, 400), (path, status, answer)
        alive(d)
    assert snapshot(d) == before


PERSON = {"name": "Jan Vermeulen", "roles": ["platform"],
          "email": "jan@secova.be", "lang": "nl"}
EVENT = {"title": "Plateforme", "dtstart": DTSTART}


def post(d, path, body, method="POST"):
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return raw(d, method, path, body,
               {"Content-Type": "application/json"})


def test_http_json_lone_surrogates_and_bad_bytes(daemon):
    d = daemon
    pid = add_person(d)
    before = snapshot(d)
    bodies = [
        b'{"name": "\\udc80", "roles": ["platform"]}',
        b'{"name": "\\ud800", "roles": ["platform"]}',
        b'{"name": "\\ud800\\u0041", "roles": ["platform"]}',
        b'{"\\udc80": "x"}',
        b'{"name": "\\u0000", "roles": ["platform"]}',
        b'{"name": "\xe9mile", "roles": ["platform"]}',
        b'{"name": "' + b"x" * 15 + b'\xc3", "roles": ["platform"]}',
        b'{"name": "\xc0\xaf", "roles": ["platform"]}',
        b'{"name": "\xed\xa0\x80", "roles": ["platform"]}',
        b'{"name": "\xf4\x90\x80\x80", "roles": ["platform"]}',
        b'{"n\xe9": 1}',
        b'{"name": "ok"}\xff',
        b'\xef\xbb\xbf{"name": "bom"}',
    ]
    for body in bodies:
        for method, path in (("POST", "/v1/people"),
                             ("PATCH", f"/v1/people/{pid}"),
                             ("POST", "/v1/events"),
                             ("POST", "/v1/events/import"),
                             ("POST", "/v1/oncall")):
            status, answer = post(d, path, body, method)
            assert_error(status, answer, 400)
            alive(d)
    # a valid ICS text whose lines are not: the reader names the line
    for ics in ("BEGIN:VCALENDAR\r\nX:\udc80\r\n",
                "BEGIN:VCALENDAR\r\nSUMMARY:" + "x" * 59 + "é\x01\r\n"):
        body = json.dumps({"ics": ics}).encode()
        status, answer = post(d, "/v1/events/import", body)
        assert_error(status, answer, 400)
        alive(d)
    assert snapshot(d) == before


def test_http_deeply_nested_and_oversized(daemon):
    d = daemon
    before = snapshot(d)
    deep = b"[" * 100000 + b"]" * 100000
    for body in (deep, b'{"name": ' + deep + b"}",
                 b'{"a":' * 50000 + b"1" + b"}" * 50000):
        status, answer = post(d, "/v1/people", body)
        assert_error(status, answer, 400)
        alive(d)
    big = b'{"name": "' + b"\xc3\xa9" * (1 << 20) + b'"}'   # 2 MB
    status, answer = post(d, "/v1/people", big)
    assert status == 413, status
    alive(d)
    # the import takes up to 32 MiB: this one is read, and refused as
    # iCalendar (no END:VCALENDAR)
    status, answer = post(d, "/v1/events/import", json.dumps(
        {"ics": "BEGIN:VCALENDAR\r\n" + "X:é\r\n" * 300000}).encode())
    assert status == 400, status
    alive(d)
    assert snapshot(d) == before


def test_http_methods_and_ids(daemon):
    d = daemon
    pid = add_person(d)
    before = snapshot(d)
    for method, path in (("FOO", "/v1/status"), ("PUT", "/v1/people"),
                         ("OPTIONS", "/v1/people"), ("TRACE", "/v1/status"),
                         ("CONNECT", "/v1/status"), ("HEAD", "/v1/people"),
                         ("DELETE", "/v1/status"), ("GET\xe9", "/v1/status"),
                         ("PATCH", "/v1/people/99999999999999999999"),
                         ("PATCH", "/v1/people/-1"),
                         ("PATCH", "/v1/people/0"),
                         ("PATCH", f"/v1/people/{pid}x"),
                         ("DELETE", "/v1/people/9223372036854775807"),
                         ("DELETE", "/v1/events/9223372036854775808"),
                         ("POST", "/v1/outbox/99999999999999999999")):
        status, answer = raw(d, method, path, b'{"lang": "fr"}',
                             {"Content-Type": "application/json"},
                             timeout=2.0)
        assert status is None or status >= 400, (method, path, status,
                                                  answer)
        alive(d)
    assert snapshot(d) == before


ODD = (12345, -1, 1.5, 1e308, True, None, [], {}, [12345], ["x", 1.5])


def test_http_numbers_for_every_person_field(daemon):
    d = daemon
    pid = add_person(d)
    fields = ("name", "roles", "commune", "org", "email", "phone", "lang",
              "pubkey", "quiet_hours")
    for key in fields:
        for v in ODD:
            body = dict(PERSON, **{key: v})
            status, answer = post(d, "/v1/people", body)
            if status == 201:
                # null clears an optional field
                assert v is None and key in ("commune", "org", "email",
                                             "phone", "pubkey",
                                             "quiet_hours"), (key, v)
                d.ctl("people", "remove", str(answer["id"]), check=0)
                continue
            assert_error(status, answer, 400, key, clean=True)
            status, answer = post(d, f"/v1/people/{pid}", {key: v},
                                  method="PATCH")
            assert status in (200, 400), (key, v, status, answer)
            if status == 400:
                assert answer["field"] == key, (key, v, answer)
            alive(d)
    assert d.ctl_json("people", "show", str(pid))["name"] == "Émilie Dupont"


def test_http_numbers_for_every_event_field(daemon):
    d = daemon
    fields = ("uid", "title", "kind", "dtstart", "tz", "rrule", "duration",
              "location", "commune", "description", "remind", "audience",
              "channels", "skip_holidays", "exdates")
    for key in fields:
        for v in ODD:
            body = dict(EVENT, **{key: v})
            status, answer = post(d, "/v1/events", body)
            if status == 201:
                # optional fields take null, false or an empty list;
                # duration and reminders may be given in seconds
                d.ctl("events", "remove", str(answer["id"]), check=0)
                continue
            assert_error(status, answer, 400, clean=True)
            assert answer.get("field") in (key, "audience"), (key, v,
                                                             answer)
            alive(d)
    assert api_get(d, "/v1/events") == []
    eid = d.ctl_json("events", "add", "--title", "Plateforme", "--dtstart",
                     DTSTART)["id"]
    for key in fields:
        for v in (12345, 1.5, {"a": 1}, ["x" * 31 + "é"]):
            status, answer = post(d, f"/v1/events/{eid}", {key: v},
                                  method="PATCH")
            assert status in (200, 400), (key, v, status, answer)
            if status == 400:
                clean_message(answer["error"])
            alive(d)
    status, answer = post(d, "/v1/oncall", {"person": "1", "from": 5,
                                            "to": [1]})
    assert_error(status, answer, 400, "person")
    alive(d)


# -- a configuration and templates saved in Latin-1, reloaded ---------------

def test_reload_latin1_configuration(daemon):
    d = daemon
    good = d.conf.read_text()
    d.conf.write_bytes(good.replace("log_level = debug",
                                    "log_level = d\xe9bug").encode("latin-1"))
    rc, out, err = d.ctl("reload")
    assert rc == 1 and "log_level" in err, (rc, out, err)
    alive(d)
    assert "reload_refused" in d.hup()
    alive(d)
    d.conf.write_text(good)
    d.ctl("reload", check=0)
    alive(d)


def test_reload_latin1_templates(daemon, tmp_path):
    d = daemon
    good = d.conf.read_text()
    t = tmp_path / "templates"
    shutil.copytree(TEMPLATES, t)
    d.conf.write_text(good.replace(str(TEMPLATES), str(t)))
    d.ctl("reload", check=0)
    sms = t / "fr" / "reminder.sms"
    text = sms.read_bytes()
    for bad in ("Rappel : {titre} le {d\xe9but}\n".encode("latin-1"),
                b"{" + b"x" * 30 + "é}\n".encode(),
                b"{" + b"x" * 39 + "é}\n".encode(),
                b"{" + b"x" * 62 + "\U0001F600}\n".encode(),
                "R\xe9union {title}\n".encode("latin-1")):
        sms.write_bytes(bad + text)
        rc, out, err = d.ctl("reload")
        assert rc in (0, 1), (rc, out, err)
        alive(d)
        d.hup()
        alive(d)
    sms.write_bytes(text)
    d.ctl("reload", check=0)
    alive(d)
