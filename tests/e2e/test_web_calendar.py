"""
The console's calendar (/calendar): the month view, the event form with its
recurrence chooser in plain words, its preview of the next five dates, and
an event's page, against the real stoppvifd over 127.0.0.1.

What is checked is what the daemon sends (the HTML bytes) and what it then
holds (the control API), with the clumsy user's input (a missing title, a
month that does not exist, 0 as an interval, a date that does not exist,
bad UTF-8) and the attacker's (<script> in a title, a hostile RRULE,
another role, no CSRF token).
"""
import datetime as dt
import html
import json
import re

from webclient import web, add_account, error_under, value_of  # noqa: F401

YEAR = dt.date.today().year + 1
CABANE = "FREQ=MONTHLY;BYDAY=1WE;BYMONTH=1,2,3,4,5,6,9,10,11,12"
PLATFORM = "FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU"

FR_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
           "dimanche"]
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin",
             "juillet", "août", "septembre", "octobre", "novembre",
             "décembre"]


def easter(y):
    """Easter Sunday (Gregorian computus)."""
    a, b, c = y % 19, y // 100, y % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(y, month, day)


def be_holidays(y):
    e = easter(y)
    return {dt.date(y, 1, 1), e + dt.timedelta(days=1), dt.date(y, 5, 1),
            e + dt.timedelta(days=39), e + dt.timedelta(days=50),
            dt.date(y, 7, 21), dt.date(y, 8, 15), dt.date(y, 11, 1),
            dt.date(y, 11, 11), dt.date(y, 12, 25)}


def first_wednesdays(n, skip_months=(7, 8)):
    """The first Wednesdays from January of YEAR, without July, August
    and Belgian holidays: what La Cabane's rule gives."""
    out, y, m = [], YEAR, 1
    while len(out) < n:
        d = dt.date(y, m, 1)
        d += dt.timedelta(days=(2 - d.weekday()) % 7)
        if m not in skip_months and d not in be_holidays(y):
            out.append(d)
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def fr_long(d, hour=14, minute=0):
    """A date as datefmt writes it in French: "mercredi 6 janvier 2027 à
    14h00"."""
    day = "1er" if d.day == 1 else str(d.day)
    return (f"{FR_DAYS[d.weekday()]} {day} {FR_MONTHS[d.month - 1]} "
            f"{d.year} à {hour:02d}h{minute:02d}")


def next_dates(page):
    """The dates of the page's list of next dates, as the reader sees
    them."""
    m = re.search(r'<ol class="next-dates">(.*?)</ol>', page, re.S)
    assert m, "no list of next dates"
    return [html.unescape(t) for t in
            re.findall(r"<time[^>]*>(.*?)</time>", m.group(1))]


def api(d, method, path, body=None):
    raw = json.dumps(body).encode() if body is not None else None
    status, _, out = d.http(method, path, raw,
                            {"Content-Type": "application/json"})
    return status, json.loads(out) if out else None


def api_error(d, body):
    """The control API's refusal of the event body: (message, field)."""
    status, reply = api(d, "POST", "/v1/events", body)
    assert status == 400, (status, reply)
    return reply["error"], reply.get("field")


def cabane_form(**over):
    """The form of La Cabane as the chooser fills it: every first
    Wednesday, except July and August, not on holidays."""
    fields = [("title", "La Cabane"), ("kind", "cabane"),
              ("dtstart", f"{YEAR}-01-01T14:00"), ("duration", "2h"),
              ("location", ""), ("commune", ""), ("description", ""),
              ("skip_holidays", "1"), ("freq", "monthly"),
              ("interval", "1"), ("monthly", "nth"), ("nth", "1"),
              ("weekday", "WE"), ("mday", "1"), ("skip_month", "7"),
              ("skip_month", "8"), ("end", "never"), ("until", ""),
              ("count", ""), ("rrule", ""), ("remind", ""),
              ("audience", ""), ("channels", "email")]
    out = [(k, v) for k, v in fields if k not in over]
    for k, v in over.items():
        if isinstance(v, list):
            out += [(k, x) for x in v]
        elif v is not None:
            out.append((k, v))
    return out


def events(d):
    status, reply = api(d, "GET", "/v1/events")
    assert status == 200
    return reply


def add_event(d, **fields):
    body = {"title": "La Cabane", "kind": "cabane",
            "dtstart": f"{YEAR}-01-01T14:00:00", "duration": "2h",
            "rrule": CABANE, "skip_holidays": True}
    body.update(fields)
    status, reply = api(d, "POST", "/v1/events", body)
    assert status in (200, 201), reply
    return reply["id"]


def day_cell(page, iso):
    """The month table's cell of date iso (with its classes)."""
    cells = re.findall(r'(<td class="([^"]*)"><span class="day">(\d+)'
                       r'</span>(.*?)</td>)', page, re.S)
    day = str(int(iso[8:]))
    month_cells = [c for c in cells if "other" not in c[1] and c[2] == day]
    assert month_cells, f"no cell for {iso}"
    return month_cells[0][1], month_cells[0][3]


# -- the coordinator's way ---------------------------------------------------

def test_cabane_preview_save_and_month(web):
    c = web.client("coord")
    status, _, page = c.get("/calendar/new")
    assert status == 200
    for name in ("title", "dtstart", "duration", "interval", "mday",
                 "until", "count", "rrule", "remind", "audience"):
        value_of(page, name)
    assert 'name="preview"' in page and 'name="save"' in page
    assert "Répétition" in page and "Règle avancée (RRULE)" in page
    # no inline style or script: the CSP forbids them
    assert not re.search(r"\sstyle=", page)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)

    status, _, page = c.post("/calendar/new",
                             cabane_form(preview="1"))
    assert status == 200, page[:2000]
    want = first_wednesdays(5)
    assert next_dates(page) == [fr_long(d) for d in want]
    assert all(d.weekday() == 2 and d.day <= 7 for d in want)
    assert "chaque 1er mercredi du mois, sauf en juillet et août" in \
        html.unescape(page)
    # the form comes back as it was typed
    assert value_of(page, "title") == "La Cabane"
    assert value_of(page, "duration") == "2h"
    assert re.search(r'value="7" checked', page)
    assert re.search(r'<option value="WE" selected>', page)
    assert events(web.d) == [], "a preview wrote an event"

    status, headers, _ = c.post("/calendar/new", cabane_form(save="1"))
    assert status == 303
    assert headers["location"] == f"/calendar?month={YEAR}-01"
    [ev] = events(web.d)
    assert ev["rrule"] == CABANE
    assert ev["title"] == "La Cabane" and ev["skip_holidays"] == "BE"
    assert ev["dtstart"] == f"{YEAR}-01-01T14:00:00"

    status, _, page = c.get(f"/calendar?month={YEAR}-01")
    assert status == 200
    assert "Événement enregistré" in page           # the flash
    first = want[0]
    cls, cell = day_cell(page, first.isoformat())
    assert f'href="/calendar/{ev["id"]}"' in cell
    assert "14h00" in cell and "La Cabane" in cell
    cls, cell = day_cell(page, f"{YEAR}-01-01")
    assert "holiday" in cls.split()
    assert "Jour de l'an" in html.unescape(cell)
    assert "La Cabane" not in cell                   # not a Wednesday
    assert 'href="/calendar/new"' in page
    assert f'href="/calendar?month={YEAR - 1}-12"' in page
    assert f'href="/calendar?month={YEAR}-02"' in page
    # the narrow screen's list has the same day
    lst = re.search(r'<ol class="month-list">(.*?)</ol>', page, re.S)
    assert lst and "La Cabane" in lst.group(1)

    status, _, page = c.get(f"/calendar/{ev['id']}")
    assert status == 200
    text = html.unescape(page)
    assert "chaque 1er mercredi du mois, sauf en juillet et août" in text
    assert next_dates(page)[:5] == [fr_long(d) for d in want]
    # the edit form is filled from the stored rule, chooser and all
    assert re.search(r'<option value="monthly" selected>', page)
    assert re.search(r'value="nth" checked', page)
    assert value_of(page, "rrule") == ""


def test_edit_to_platform_rule(web):
    d = web.d
    eid = add_event(d)
    c = web.client("coord")
    c.get(f"/calendar/{eid}")
    form = cabane_form(title="Plateforme", kind="platform",
                       dtstart=f"{YEAR}-01-01T09:30", interval="3",
                       nth="2", weekday="TU", skip_month=None,
                       skip_holidays=None)
    status, _, page = c.post(f"/calendar/{eid}", form + [("preview", "1")])
    assert status == 200
    assert "tous les 3 mois, le 2e mardi" in html.unescape(page)
    assert len(next_dates(page)) >= 5
    status, ev = api(d, "GET", f"/v1/events/{eid}")
    assert ev["rrule"] == CABANE, "a preview changed the event"
    status, _, page = c.post(f"/calendar/{eid}", form + [("save", "1")])
    assert status == 303, page[:2000]
    status, ev = api(d, "GET", f"/v1/events/{eid}")
    assert ev["rrule"] == PLATFORM and ev["title"] == "Plateforme"
    assert ev["skip_holidays"] is None
    # every 3 months on the second Tuesday, in the four languages' first
    status, _, page = c.get(f"/calendar/{eid}")
    assert "tous les 3 mois, le 2e mardi" in html.unescape(page)


def test_weekly_and_count_in_words(web):
    c = web.client("coord")
    c.get("/calendar/new")
    form = cabane_form(freq="weekly", byday=["MO", "TH"], skip_month=None,
                       end="count", count="10")
    status, _, page = c.post("/calendar/new", form + [("preview", "1")])
    assert status == 200, page[:2000]
    assert "chaque semaine le lundi et le jeudi, 10 fois" in \
        html.unescape(page)
    got = next_dates(page)
    assert len(got) == 5
    assert all(g.split()[0] in ("lundi", "jeudi") for g in got)


def test_rule_the_chooser_cannot_show(web):
    d = web.d
    eid = add_event(d, rrule="FREQ=MONTHLY;BYDAY=1WE,3WE")
    c = web.client("coord")
    status, _, page = c.get(f"/calendar/{eid}")
    assert status == 200
    assert value_of(page, "rrule") == "FREQ=MONTHLY;BYDAY=1WE,3WE"
    assert "<details open>" in page
    # the rule is shown as it is, not guessed at
    assert "FREQ=MONTHLY;BYDAY=1WE,3WE" in page


# -- the clumsy user -----------------------------------------------------------

def test_missing_title_under_its_field(web):
    c = web.client("coord")
    c.get("/calendar/new")
    status, _, page = c.post("/calendar/new",
                             cabane_form(title="", save="1"))
    assert status == 400
    msg, field = api_error(web.d, {"dtstart": f"{YEAR}-01-01T14:00:00"})
    assert field == "title"
    assert error_under(page, "title") == msg
    assert 'aria-invalid="true"' in page
    assert events(web.d) == []
    # and the rest of the form kept
    assert value_of(page, "duration") == "2h"


def test_bad_time_and_duration(web):
    c = web.client("coord")
    c.get("/calendar/new")
    status, _, page = c.post("/calendar/new",
                             cabane_form(dtstart=f"{YEAR}-02-30T14:00",
                                         save="1"))
    assert status == 400
    msg, field = api_error(web.d, {"title": "x",
                                   "dtstart": f"{YEAR}-02-30T14:00"})
    assert field == "dtstart" and error_under(page, "dtstart") == msg
    status, _, page = c.post("/calendar/new",
                             cabane_form(duration="deux heures",
                                         save="1"))
    assert status == 400
    assert error_under(page, "duration")
    assert events(web.d) == []


def test_chooser_values_out_of_range(web):
    c = web.client("coord")
    c.get("/calendar/new")
    cases = [
        ({"interval": "0"}, "interval"),
        ({"interval": "100"}, "interval"),
        ({"interval": "abc"}, "interval"),
        ({"interval": "9" * 40}, "interval"),
        ({"monthly": "mday", "mday": "32"}, "mday"),
        ({"end": "count", "count": "0"}, "count"),
        ({"end": "until", "until": f"{YEAR}-02-30"}, "until"),
        ({"end": "until", "until": "demain"}, "until"),
        ({"skip_month": [str(m) for m in range(1, 13)]}, "skip_month"),
        ({"freq": "sometimes"}, "freq"),
    ]
    for over, field in cases:
        status, _, page = c.post("/calendar/new",
                                 cabane_form(save="1", **over))
        assert status == 400, (over, page[:1500])
        assert error_under(page, field), (over, field)
        assert value_of(page, "title") == "La Cabane"
        if field in ("interval", "mday", "count", "until"):
            # what was typed comes back, to be corrected
            assert value_of(page, field) == over[field], (over, field)
            assert re.search(r'<input[^>]*name="%s"[^>]*aria-invalid='
                             r'"true"' % field, page), field
    assert events(web.d) == []


def test_bogus_advanced_rrule_reads_as_the_api(web):
    c = web.client("coord")
    c.get("/calendar/new")
    for rule in ("FREQ=SOMETIMES", "FREQ=MONTHLY;BYDAY=99MO",
                 "FREQ=DAILY;INTERVAL=99999999999999",
                 "<script>alert(1)</script>", "FREQ=DAILY;" + "X" * 5000):
        msg, field = api_error(web.d, {"title": "x",
                                       "dtstart": f"{YEAR}-01-01T14:00:00",
                                       "rrule": rule})
        assert field == "rrule"
        for button in ("save", "preview"):
            status, _, page = c.post("/calendar/new",
                                     cabane_form(rrule=rule,
                                                 **{button: "1"}))
            assert status == 400, (rule, button)
            assert error_under(page, "rrule") == msg, (rule, button)
            assert "<script>alert" not in page
            assert "<details open>" in page
    assert events(web.d) == []


def test_month_parameter_handled(web):
    c = web.client("lecteur")
    today = dt.date.today()
    for bad in ("2027-13", "abc", "2027-00", "2027-1", "0000-01",
                "<script>alert(1)</script>", "2027-01-01", "9" * 500,
                "-2027-01"):
        status, _, page = c.get("/calendar?month=" +
                                bad.replace("<", "%3C").replace(">", "%3E"))
        assert status == 400, bad
        assert "AAAA-MM" in page
        assert "<script>alert" not in page
        # the current month instead
        assert FR_MONTHS[today.month - 1] in page
        assert '<table class="month">' in page
    # a query too long for the server is refused whole, not half read
    status, _, page = c.get("/calendar?month=" + "9" * 20000)
    assert 400 <= status < 500 and "<script>" not in page
    status, _, page = c.get("/calendar?month=%FF%FE")
    assert status in (200, 400)
    assert '<table class="month">' in page
    # the edges of time: shown, without a link past them
    status, _, page = c.get("/calendar?month=9998-12")
    assert status == 200 and 'rel="next"' not in page
    assert "décembre 9998" in page
    status, _, page = c.get("/calendar?month=1971-01")
    assert status == 200 and 'rel="prev"' not in page
    status, _, page = c.get("/calendar")
    assert status == 200
    cls = re.search(r'<td class="([^"]*\btoday\b[^"]*)">', page)
    assert cls, "no today in this month"


# -- the attacker --------------------------------------------------------------

def test_script_title_escaped(web):
    d = web.d
    c = web.client("coord")
    c.get("/calendar/new")
    title = '<script>alert("x")</script> & "quoted"'
    status, _, _ = c.post("/calendar/new",
                          cabane_form(title=title, save="1"))
    assert status == 303
    [ev] = events(d)
    assert ev["title"] == title
    status, _, page = c.get(f"/calendar?month={YEAR}-01")
    assert status == 200
    assert "<script>" not in page
    assert "&lt;script&gt;alert(" in page
    status, _, page = c.get(f"/calendar/{ev['id']}")
    assert "<script>" not in page
    assert value_of(page, "title") == title


def test_viewer_sees_month_not_form(web):
    d = web.d
    eid = add_event(d)
    v = web.client("lecteur")
    status, _, page = v.get(f"/calendar?month={YEAR}-01")
    assert status == 200
    assert "La Cabane" in page
    assert 'href="/calendar/new"' not in page
    assert v.get("/calendar/new")[0] == 403
    status, _, page = v.get(f"/calendar/{eid}")
    assert status == 200
    assert "chaque 1er mercredi du mois" in page
    assert 'name="rrule"' not in page
    assert f'action="/calendar/{eid}"' not in page
    v.get("/")
    assert v.post("/calendar/new", cabane_form(save="1"))[0] == 403
    assert v.post(f"/calendar/{eid}",
                  cabane_form(title="Piraté", save="1"))[0] == 403
    assert [e["title"] for e in events(d)] == ["La Cabane"]
    # the on-call account is no coordinator either
    g = web.client("garde")
    assert g.get("/calendar/new")[0] == 403


def test_wrong_ids_and_csrf(web):
    d = web.d
    eid = add_event(d)
    c = web.client("coord")
    assert c.get("/calendar/999999")[0] == 404
    assert c.get("/calendar/-1")[0] == 404 or \
        c.get("/calendar/-1")[0] == 400
    c.get(f"/calendar/{eid}")
    assert c.post("/calendar/999999", cabane_form(save="1"))[0] == 404
    # no token, a wrong token: refused, nothing changed
    assert c.post(f"/calendar/{eid}", cabane_form(title="Autre", save="1"),
                  csrf=False)[0] == 403
    assert c.post(f"/calendar/{eid}", cabane_form(title="Autre", save="1"),
                  csrf="0" * 64)[0] == 403
    assert [e["title"] for e in events(d)] == ["La Cabane"]


def test_bad_utf8_and_huge_values(web):
    c = web.client("coord")
    c.get("/calendar/new")
    body = cabane_form(save="1")
    raw = "&".join(f"{k}={v}" for k, v in body if k != "title")
    token = c.csrf()
    status, _, page = c.request(
        "POST", "/calendar/new",
        body=(raw + "&title=%FF%FEabc&csrf=" + token).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400
    assert error_under(page, "title")
    status, _, page = c.post("/calendar/new",
                             cabane_form(title="é" * 5000, save="1"))
    assert status in (400, 413)
    assert events(web.d) == []


# -- the languages ----------------------------------------------------------

def test_dutch_pages(web):
    d = web.d
    eid = add_event(d)
    add_account(d, "lezer", "viewer", lang="nl")
    nl = web.client("lezer")
    status, _, page = nl.get(f"/calendar?month={YEAR}-01")
    assert status == 200
    assert f"januari {YEAR}" in page
    assert "<th scope=\"col\">woensdag</th>" in page
    assert "Nieuwjaar" in page
    assert "La Cabane" in page
    status, _, page = nl.get(f"/calendar/{eid}")
    assert status == 200
    assert ("elke eerste woensdag van de maand, behalve in juli en "
            "augustus") in page
    first = first_wednesdays(1)[0]
    assert any(f"woensdag {first.day} januari {YEAR}" in t
               for t in next_dates(page))


# -- closures: the calendar's own days off ------------------------------------

def test_closures_marked_and_skipped_by_the_preview(daemon_env):
    """A closures file (the network's days off): the month view marks them,
    and the preview skips them as the event will, by the daemon's own
    expansion."""
    from conftest import TOP
    from srv_smtp import free_port
    from webclient import Web
    d = daemon_env
    closures = d.dir / "closures.txt"
    closures.write_text(f"# congé de détente\n{YEAR}-02-01..{YEAR}-02-07\n")
    port = free_port()
    d.write_config(extra=(
        f"[calendar]\nclosures = {closures}\n\n"
        f"[web]\nlisten = 127.0.0.1:{port}\n"
        f"assets = {TOP / 'etc' / 'web'}\n"))
    d.start()
    add_account(d, "coord", "coordinator")
    c = Web(d, port, {"garde": 0}).client("coord")

    status, _, page = c.get(f"/calendar?month={YEAR}-02")
    assert status == 200
    feb = first_wednesdays(2)[1]
    assert feb.month == 2 and feb.day <= 7
    cls, cell = day_cell(page, feb.isoformat())
    assert "closure" in cls.split() and "Fermeture" in cell
    cls, _ = day_cell(page, f"{YEAR}-02-08")
    assert "closure" not in cls.split()

    c.get("/calendar/new")
    status, _, page = c.post("/calendar/new", cabane_form(preview="1"))
    assert status == 200, page[:2000]
    want = [w for w in first_wednesdays(6) if w != feb][:5]
    assert next_dates(page) == [fr_long(w) for w in want]
    # without "not on holidays", the closure does not count
    status, _, page = c.post("/calendar/new",
                             cabane_form(preview="1", skip_holidays=None))
    assert fr_long(feb) in next_dates(page)


def test_german_english_and_dutch_form(web):
    d = web.d
    eid = add_event(d)
    want = {
        "de": ("Mittwoch", "Neujahr",
               "jeden ersten Mittwoch im Monat, außer im Juli und August"),
        "en": ("Wednesday", "New Year's Day",
               "every first Wednesday of the month, except in July and "
               "August"),
    }
    for lang, (day, holiday, rule) in want.items():
        add_account(d, "lect" + lang, "viewer", lang=lang)
        v = web.client("lect" + lang)
        status, _, page = v.get(f"/calendar?month={YEAR}-01")
        assert status == 200
        text = html.unescape(page)
        assert f'<th scope="col">{day}</th>' in page and holiday in text
        status, _, page = v.get(f"/calendar/{eid}")
        assert rule in html.unescape(page), lang
    # a Dutch coordinator's chooser speaks Dutch, and so does its preview
    add_account(d, "coordnl", "coordinator", lang="nl")
    c = web.client("coordnl")
    status, _, page = c.get("/calendar/new")
    assert status == 200
    assert "Herhaling" in page and "Elke maand" in page
    assert '<option value="-1">laatste</option>' in page
    status, _, page = c.post("/calendar/new", cabane_form(preview="1"))
    assert status == 200
    assert ("elke eerste woensdag van de maand, behalve in juli en "
            "augustus") in page
    assert next_dates(page)[0].startswith("woensdag")
