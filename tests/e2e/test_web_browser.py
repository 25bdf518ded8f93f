"""
The console in a real browser: Debian's chromium, headless, driven by
selenium (browser.py), against the real stoppvifd with its web listener on
127.0.0.1.  A coordinator logs in, adds a person (first with a bad phone
number: the CLI's message under the field, what she typed kept), adds
La Cabane as "chaque 1er mercredi du mois" through the recurrence chooser
and sees its next five dates, vacates the apartment and sees the alert; an
on-call worker claims it from a phone-sized window; the report's bar chart
at both widths.  One screenshot per step, NN-step-WIDTHxHEIGHT.png, under
$STOPPVIF_BUILD/test-output/web/ (emptied when the test starts).

What is checked is what the browser shows (the rendered text, the inputs'
values) and what the daemon then holds (through stoppvifctl), never what
was typed alone.
"""
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from browser import (DESKTOP, PHONE, By, Select, Shots,  # noqa: F401
                     browser, console_errors, find, no_page_scroll, show,
                     submit, viewport, wait_until)
from webclient import PASSWORD, web  # noqa: F401

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
        "dimanche")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet",
          "août", "septembre", "octobre", "novembre", "décembre")
# The accounts of webclient.py's fixture: coordinator, and on call for
# the person on call now (Gaëlle Garde).
COORD, ONCALL = "coord", "garde"


def today():
    """Today in Brussels, the console's today."""
    return dt.datetime.now(ZoneInfo("Europe/Brussels")).date()


def base(c):
    """The console's address."""
    return f"http://127.0.0.1:{c.port}"


def french_date(day):
    """A date as the console writes it: "mercredi 6 janvier 2027"."""
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} " \
        f"{day.year}"


def first_wednesdays(after, n):
    """The n first Wednesdays of a month on or after the date after."""
    out = []
    year, month = after.year, after.month
    while len(out) < n:
        day = dt.date(year, month, 1)
        day += dt.timedelta(days=(2 - day.weekday()) % 7)
        if day >= after:
            out.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def api_error(c, path, body):
    """The control API's error message for body (what the CLI prints)."""
    status, _, raw = c.d.http("POST", path, json.dumps(body).encode(),
                              {"Content-Type": "application/json"})
    assert status == 400, (status, raw)
    reply = json.loads(raw)
    return reply["error"], reply.get("field")


def field(driver, name):
    """The visible input, select or textarea named name."""
    return find(driver, f"[name={json.dumps(name)}]:not([type=hidden])",
                f"the field {name!r}")


def fill(driver, name, value):
    """Type value into the field name, emptied first."""
    e = field(driver, name)
    e.clear()
    e.send_keys(value)
    return e


def set_value(driver, name, value):
    """Set a date or time input (whose typing depends on the browser's
    locale) as its picker would, with the events a page listens to."""
    e = field(driver, name)
    driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        e, value)
    assert e.get_attribute("value") == value, (name, value)
    return e


def choose(driver, name, text):
    """Pick the option of the select name whose label holds text."""
    sel = Select(field(driver, name))
    for opt in sel.options:
        if text in opt.text:
            sel.select_by_visible_text(opt.text)
            return
    pytest.fail(f"select {name!r} has no option {text!r}: "
                f"{[o.text for o in sel.options]}")


def button(driver, form_css, text=None):
    """The submit button of the form form_css (holding text, if given)."""
    css = f"{form_css} button, {form_css} input[type=submit]"
    if text is None:
        return find(driver, css, f"a button in {form_css}")
    return wait_until(
        driver, lambda d: next((b for b in d.find_elements(By.CSS_SELECTOR,
                                                           css)
                                if text in (b.text or
                                            b.get_attribute("value"))),
                               None),
        f"a button {text!r} in {form_css}")


def go(driver, href):
    """Follow the page's link to href (the navigation a person clicks)."""
    link = find(driver, f"a[href={json.dumps(href)}]", f"a link to {href}")
    submit(driver, link)
    assert driver.current_url.split("?")[0].endswith(href), \
        driver.current_url


def text(driver):
    """The page's visible text."""
    return driver.find_element(By.TAG_NAME, "body").text


def login(c, driver, shots, name, size):
    """Log in as name in a window of size, from the dashboard's address,
    to the dashboard; a screenshot of the login page (shots not None)."""
    viewport(driver, *size)
    driver.get(base(c) + "/")
    wait_until(driver, lambda d: "/login" in d.current_url,
               "the redirect to the login page")
    form = "form[action^='/login']"
    find(driver, f"{form} input[type=password]", "the password field")
    user = find(driver, f"{form} input:not([type=hidden]):not("
                "[type=password]):not([type=submit])", "the name field")
    user.clear()
    user.send_keys(name)
    pw = find(driver, f"{form} input[type=password]")
    pw.send_keys(PASSWORD)
    if shots is not None:
        shots.take(driver, f"login-{name}")
    submit(driver, button(driver, form))
    wait_until(driver, lambda d: d.current_url.rstrip("/") == base(c),
               f"the dashboard after {name}'s login")
    assert driver.find_elements(By.CSS_SELECTOR, "form[action^='/login']") \
        == [], f"still the login page:\n{text(driver)[:400]}"


def test_the_console_in_a_browser(web, browser):  # noqa: F811
    """The issue's walk through the console, one screenshot per step, and
    the dashboard, the calendar's month and the report at 1280x800 and at
    390x844 (where the page must not scroll sideways)."""
    c, b = web, browser
    shots = Shots()
    try:
        scenario(c, b, shots)
    finally:
        shots.report()
    shots.no_problems()


def scenario(c, b, shots):
    # 1. the coordinator logs in
    login(c, b, shots, COORD, DESKTOP)
    shots.take(b, "dashboard")

    # 2. a person, first with a bad phone number
    go(b, "/people")
    go(b, "/people/new")
    want, where = api_error(c, "/v1/people",
                            {"name": "Brigitte Lenoir", "phone": "12ab",
                             "roles": ["referent"]})
    assert where == "phone", (want, where)
    fill(b, "name", "Brigitte Lenoir")
    fill(b, "phone", "12ab")
    fill(b, "email", "brigitte@example.test")
    find(b, "input[name=roles][value=referent]", "the role referent").click()
    form = "form[action='/people/new']"
    submit(b, button(b, form))
    phone = field(b, "phone")
    assert phone.get_attribute("aria-invalid") == "true"
    said = [b.find_element(By.ID, i) for i in
            phone.get_attribute("aria-describedby").split()]
    said = [e for e in said if "error" in e.get_attribute("class")]
    assert len(said) == 1 and said[0].text == want, \
        ([e.text for e in said], want)
    # under the field, as the person sees it
    assert said[0].location["y"] >= phone.location["y"] + \
        phone.size["height"], (said[0].location, phone.location)
    assert field(b, "name").get_attribute("value") == "Brigitte Lenoir"
    assert phone.get_attribute("value") == "12ab"
    assert not any(p["name"] == "Brigitte Lenoir" for p in c.d.people())
    show(b, said[0], "end")     # the name typed above it, in view too
    shots.take(b, "person-bad-phone")
    fill(b, "phone", "0470 12 34 56")
    submit(b, button(b, form))
    assert find(b, ".flash", "the message after saving").text == \
        "Personne ajoutée"
    assert find(b, "main h1").text == "Brigitte Lenoir"
    saved = [p for p in c.d.people() if p["name"] == "Brigitte Lenoir"]
    assert len(saved) == 1, c.d.people()
    assert saved[0]["phone"] == "+32470123456", saved[0]
    shots.take(b, "person-saved")

    # 3. La Cabane, every first Wednesday, chosen in words
    first = cabane(c, b, shots)

    # 4. the apartment is vacated: the dashboard shows the open alert
    go(b, "/")
    go(b, "/shelters/aisova")
    act = find(b, "a[href='/shelters/aisova/act?do=vacate']",
               "the link to vacate the apartment")
    assert act.text == "Le logement est libre", act.text
    submit(b, act)
    assert "/shelters/aisova/act" in b.current_url
    shots.take(b, "vacate-confirm")
    assert c.d.ctl_json("shelter", "status", "aisova")["state"] != "vacant"
    submit(b, button(b, "form[action^='/shelters/aisova/act']"))
    assert c.d.ctl_json("shelter", "status", "aisova")["state"] == "vacant"
    go(b, "/")
    page = text(b)
    assert "Alerte ouverte" in page and "Gaëlle Garde" in page, page
    alert = find(b, "a[href^='/alerts/']", "the open alert's link")
    href = alert.get_attribute("href")
    shots.take(b, "dashboard-alert")

    # the calendar month and the report at 1280 px
    month_view(c, b, shots, first)
    report(c, b, shots)

    # 5. the on-call worker claims it from a phone
    submit(b, button(b, "form[action='/logout']"))
    login(c, b, shots, ONCALL, PHONE)
    shots.take(b, "dashboard")
    submit(b, find(b, f"a[href='{href[len(base(c)):]}']", "the alert link"))
    claim = button(b, "form[action$='/claim']")
    # a thumb finds it: wide and tall enough on a phone
    assert claim.size["height"] >= 40 and claim.size["width"] >= 120, \
        claim.size
    shots.take(b, "alert")
    submit(b, claim)
    flash = find(b, ".flash", "the message after the claim").text
    assert flash.startswith("C'est à vous : le logement vous est réservé "
                            "jusqu'au "), flash
    assert "Réservé par vous jusqu'au " in text(b)
    assert b.find_elements(By.CSS_SELECTOR, "form[action$='/claim']") == []
    st = c.d.ctl_json("shelter", "status", "aisova")
    assert st["state"] == "reserved" and \
        st["reserved_by"]["id"] == c.oncall, st
    shots.take(b, "alert-claimed")

    # 6. the calendar month and the report at 390 px
    go(b, "/")
    month_view(c, b, shots, first)
    report(c, b, shots)


def cabane(c, b, shots):
    """La Cabane every first Wednesday of the month, chosen in words; the
    preview's five dates, then saved.  Its first date: the next first
    Wednesday after today, at 14h00; returned."""
    go(b, "/calendar")
    go(b, "/calendar/new")
    first = first_wednesdays(today() + dt.timedelta(days=1), 1)[0]
    want = first_wednesdays(first, 5)
    fill(b, "title", "La Cabane")
    choose(b, "kind", "La Cabane")
    set_value(b, "dtstart", f"{first.isoformat()}T14:00")
    fill(b, "duration", "3h")
    fill(b, "location", "Maison de quartier")
    choose(b, "freq", "Chaque mois")
    find(b, "input[name=monthly][value=nth]", "the choice 'le Nième'").click()
    choose(b, "nth", "1er")
    choose(b, "weekday", "mercredi")
    assert field(b, "rrule").get_attribute("value") == ""
    show(b, find(b, "select[name=weekday]"))
    shots.take(b, "cabane-chooser")
    form = "form[action='/calendar/new']"
    submit(b, button(b, form, "Voir les 5 prochaines dates"))
    preview = find(b, "section.preview", "the preview")
    rule = preview.find_element(By.CSS_SELECTOR, "p.rule").text
    assert rule.startswith("chaque 1er mercredi du mois"), rule
    items = preview.find_elements(By.CSS_SELECTOR, "ol.next-dates li")
    dates = [e.text for e in items]
    assert len(dates) == 5, dates
    for item, seen, day in zip(items, dates, want):
        assert seen.startswith(french_date(day)), (seen, french_date(day))
        assert "14h00" in seen, seen
        assert item.find_element(By.TAG_NAME, "time").get_attribute(
            "datetime").startswith(f"{day.isoformat()}T14:00"), seen
    # nothing saved by a preview, and what was chosen is still chosen
    assert not [e for e in c.d.ctl_json("events", "list")
                if e["title"] == "La Cabane"]
    assert field(b, "title").get_attribute("value") == "La Cabane"
    show(b, preview)
    shots.take(b, "cabane-preview")
    submit(b, button(b, form, "Enregistrer"))
    saved = [e for e in c.d.ctl_json("events", "list")
             if e["title"] == "La Cabane"]
    assert len(saved) == 1, saved
    assert "BYDAY=1WE" in saved[0]["rrule"] and \
        "FREQ=MONTHLY" in saved[0]["rrule"], saved[0]
    return first


def month_view(c, b, shots, first):
    """The month of La Cabane's first date, with it on its day."""
    go(b, "/calendar")
    caption = f"{MONTHS[first.month - 1]} {first.year}"
    for _ in range(2):
        if find(b, "table.month caption").get_attribute(
                "textContent") == caption:
            break
        submit(b, find(b, "a[rel=next]", "the next month's link"))
    assert find(b, "table.month caption").get_attribute("textContent") \
        == caption
    occ = wait_until(b, lambda d: next(
        (e for e in d.find_elements(By.CSS_SELECTOR, "a.occ")
         if e.is_displayed() and "La Cabane" in e.text and
         e.find_element(By.TAG_NAME, "time").get_attribute(
             "datetime").startswith(first.isoformat())), None),
        f"La Cabane on {first} in the month view")
    assert "14h00" in occ.text, occ.text
    shots.take(b, "calendar-month")
    shots.check(b, month_grid)


def month_grid(b):
    """When the month's table is shown: weeks as rows of seven days side
    by side, in the columns of the weekdays' headings."""
    grid = b.execute_script("""
        const t = document.querySelector('table.month');
        if (t === null || t.offsetParent === null) return null;
        const box = e => { const r = e.getBoundingClientRect();
            return [Math.round(r.left), Math.round(r.top)]; };
        return [[...t.tHead.rows[0].cells].map(box)].concat(
            [...t.tBodies[0].rows].map(r => [...r.cells].map(box)));""")
    if grid is None:
        return
    heads, weeks = grid[0], grid[1:]
    if len(heads) != 7 or not 4 <= len(weeks) <= 6:
        pytest.fail(f"not a month of weeks: {len(heads)} weekdays, "
                    f"{len(weeks)} weeks")
    for n, week in enumerate(weeks, 1):     # to a pixel or two (borders)
        if len(week) != 7 or any(
                abs(x - hx) > 2 or abs(y - week[0][1]) > 2
                for (x, y), (hx, _) in zip(week, heads)):
            pytest.fail(f"week {n} of the table: its days are not side "
                        f"by side under their weekdays (left, top of each "
                        f"day: {week}; of the weekdays: {heads})")


def report(c, b, shots):
    """The report page: the occupancy bar chart is drawn."""
    go(b, "/reports")
    chart = find(b, "svg.chart", "the occupancy bar chart")
    assert chart.is_displayed()
    bars = chart.find_elements(By.CSS_SELECTOR, "rect.bar")
    assert len(bars) == 12, chart.get_attribute("outerHTML")[:400]
    shots.take(b, "report")
    shots.check(b, chart_labels, chart)


def chart_labels(b, chart):
    """The chart's words (the months, the scale) can be read: drawn at least
    10 px high (a text box that small holds a letter of about 9 px), inside
    the chart, none over another."""
    boxes = b.execute_script("""
        const c = arguments[0].getBoundingClientRect();
        return [...arguments[0].querySelectorAll('text')].map(t => {
            const r = t.getBoundingClientRect();
            return [t.textContent, r.left - c.left, r.top - c.top,
                    r.right - c.left, r.bottom - c.top, c.width, c.height];
        });""", chart)
    small = [(t, round(y2 - y1)) for t, x1, y1, x2, y2, _, _ in boxes
             if y2 - y1 < 10]
    out = [t for t, x1, y1, x2, y2, w, h in boxes
           if x1 < -0.5 or y1 < -0.5 or x2 > w + 0.5 or y2 > h + 0.5]
    over = [(p[0], q[0]) for i, p in enumerate(boxes) for q in boxes[i + 1:]
            if p[1] < q[3] - 0.5 and q[1] < p[3] - 0.5 and
            p[2] < q[4] - 0.5 and q[2] < p[4] - 0.5]
    said = ([f"too small to read (text, height in px): {small}"] if small
            else []) + ([f"cut at its edge: {out}"] if out else []) + \
        ([f"run into each other: {over}"] if over else [])
    if said:
        pytest.fail("the chart's words " + "; ".join(said))


# What an attacker types where a name or a title goes: markup, an event
# handler, quotes of both kinds, an ampersand, and a non-ASCII letter.
EVIL = ('<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
        '"\' & Zoé')


def not_run(b):
    """Nothing typed ran: no flag set, no element made of the text, no
    script but the console's own, no error in the page's console (CSP
    refusals included).  (A dialog opened would fail the first call.)"""
    assert b.execute_script("return window.pwned === undefined")
    assert b.execute_script(
        "return document.querySelectorAll('main script, main img[src=x],"
        " main svg[onload], [onerror]').length") == 0
    assert b.execute_script(
        "return [...document.scripts].every(s => s.src !== '' &&"
        " new URL(s.src).pathname.startsWith('/assets/'))")
    assert console_errors(b) == []


def test_hostile_text_is_shown_as_text(web, browser):  # noqa: F811
    """A name and an event title full of markup: the browser shows them as
    typed, in the page and back in the form's inputs, and runs none of it.
    """
    c, b = web, browser
    login(c, b, None, COORD, DESKTOP)
    go(b, "/people")
    go(b, "/people/new")
    fill(b, "name", EVIL)
    fill(b, "phone", "0470 12 34 5x")
    find(b, "input[name=roles][value=referent]", "the role referent").click()
    form = "form[action='/people/new']"
    submit(b, button(b, form))
    # refused for the phone; the name comes back exactly, quotes and all
    assert field(b, "name").get_attribute("value") == EVIL
    assert field(b, "phone").get_attribute("aria-invalid") == "true"
    not_run(b)
    fill(b, "phone", "0470 12 34 56")
    submit(b, button(b, form))
    assert find(b, "main h1").text == EVIL
    assert field(b, "name").get_attribute("value") == EVIL
    not_run(b)
    saved = [p for p in c.d.people() if p["name"] == EVIL]
    assert len(saved) == 1, [p["name"] for p in c.d.people()]
    go(b, "/people")
    assert EVIL in text(b)
    not_run(b)
    # searched for: found, and the search box keeps it as typed
    fill(b, "q", EVIL)
    submit(b, button(b, "form[action='/people']"))
    assert field(b, "q").get_attribute("value") == EVIL
    assert EVIL in find(b, "table.list", "the people found").text
    not_run(b)

    go(b, "/calendar")
    go(b, "/calendar/new")
    day = today() + dt.timedelta(days=1)
    fill(b, "title", EVIL)
    set_value(b, "dtstart", f"{day.isoformat()}T10:00")
    choose(b, "freq", "Une seule fois")
    submit(b, button(b, "form[action='/calendar/new']", "Enregistrer"))
    not_run(b)
    assert [e["title"] for e in c.d.ctl_json("events", "list")] == [EVIL]
    go(b, "/calendar")
    if day.month != today().month:
        submit(b, find(b, "a[rel=next]", "the next month's link"))
    occ = wait_until(b, lambda d: next(
        (e for e in d.find_elements(By.CSS_SELECTOR, "a.occ")
         if e.is_displayed() and EVIL in e.text), None),
        "the event in the month view")
    assert occ.text.endswith(EVIL), occ.text
    not_run(b)
    go(b, "/")
    assert EVIL in text(b)
    not_run(b)


def test_clumsy_logins_wrong_pages_and_roles(web, browser):  # noqa: F811
    """On a phone: a page asked before logging in comes back after it; a
    wrong password says so without telling whether the account exists and
    keeps the name typed; an on-call account sent to a coordinator's page
    is told why and sees nobody's details; an alert that does not exist
    is a page that says so."""
    c, b = web, browser
    viewport(b, *PHONE)
    b.get(base(c) + "/calendar")
    wait_until(b, lambda d: "/login" in d.current_url,
               "the redirect to the login page")
    form = "form[action^='/login']"
    said = []
    for name, pw in ((ONCALL, PASSWORD + "x"), ("personne", PASSWORD),
                     (ONCALL, "")):
        user = find(b, f"{form} input[name=name]")
        user.clear()
        user.send_keys(name)
        pw_field = find(b, f"{form} input[type=password]")
        pw_field.clear()
        if pw:
            pw_field.send_keys(pw)
        else:       # the browser itself asks for it (required)
            assert pw_field.get_attribute("required") is not None
            b.execute_script("arguments[0].removeAttribute('required')",
                             pw_field)
        submit(b, button(b, form))
        assert "/login" in b.current_url, b.current_url
        said.append(find(b, ".error-box", "the login's error").text)
        assert find(b, f"{form} input[name=name]").get_attribute(
            "value") == name
        assert find(b, f"{form} input[type=password]").get_attribute(
            "value") == ""
        no_page_scroll(b)
    assert said == ["Nom ou mot de passe incorrect."] * 3, said
    assert console_errors(b) == []

    user = find(b, f"{form} input[name=name]")
    user.clear()
    user.send_keys(ONCALL)
    find(b, f"{form} input[type=password]").send_keys(PASSWORD)
    submit(b, button(b, form))
    assert b.current_url == base(c) + "/calendar", b.current_url
    find(b, "table.month", "the month view")
    no_page_scroll(b)

    # a coordinator's page: why not, and nobody's details
    b.get(base(c) + "/people")
    page = text(b)
    assert "Cette page est réservée aux coordinateurs." in page, page
    for p in c.d.people():
        assert p["name"] not in page or p["id"] == c.oncall, p["name"]
    assert "@example.test" not in b.page_source
    assert b.find_elements(By.CSS_SELECTOR, "main a[href='/']"), \
        "no way back to the dashboard"
    no_page_scroll(b)
    # an alert that does not exist, and paths that are not an alert's
    for path, why in (
            ("/alerts/999999", "Cette alerte n'existe pas : ouvrez le lien "
             "du tableau de bord."),
            ("/alerts/12ab", "Cette page n'existe pas. Revenez au tableau "
             "de bord."),
            ("/alerts/%00", "Cette page n'existe pas. Revenez au tableau "
             "de bord.")):
        b.get(base(c) + path)
        page = text(b)
        assert why in page, (path, page)
        assert b.find_elements(By.CSS_SELECTOR, "main a[href='/']"), \
            f"{path}: no way back to the dashboard"
        no_page_scroll(b)
    console_errors(b)       # the 403 and 404 answers above: expected


def test_long_unbroken_text_on_a_phone(web, browser, tmp_path):  # noqa: F811
    """What people do type: a name without a space as long as the API
    takes, a long email address, an address in an event's title.  At
    390 px no page of the console scrolls sideways, those that show them
    included."""
    c, b = web, browser
    name = "Marie-" + "Anne" * 20 + "-Vanderbeken"
    pid = c.d.add_person(name=name, role="referent",
                         email=("a" * 50) + "@" + ("b" * 40) +
                         ".example.test", phone="0470 55 00 09")
    day = today() + dt.timedelta(days=1)
    c.d.ctl_json("events", "add", "--title", "Inscriptions : https://www."
                 "example.be/formations/violences-intrafamiliales-2027",
                 "--dtstart", f"{day.isoformat()}T09:00")
    login(c, b, None, COORD, PHONE)
    wide = []
    for path in ("/", "/people", f"/people/{pid}", "/people/new",
                 "/calendar", "/calendar/new", "/rota", "/shelters",
                 "/shelters/aisova", "/shelters/aisova/act?do=unavailable",
                 "/reports"):
        b.get(base(c) + path)
        find(b, "main h1", f"the page {path}")
        try:
            no_page_scroll(b)
        except pytest.fail.Exception as e:
            shot = tmp_path / f"wide-{len(wide) + 1}.png"
            b.save_screenshot(str(shot))
            wide.append(f"{e} (seen in {shot})")
    assert wide == [], "\n".join(wide)
    assert console_errors(b) == []


def test_a_page_left_open_across_a_new_login(web, browser):  # noqa: F811
    """On a phone, the alert page stays open in one tab while the session
    ends and a new one starts in another: its button then says the form
    has expired and claims nothing; the page reloaded, it claims."""
    c, b = web, browser
    c.d.ctl_json("shelter", "vacate", "aisova")
    alert = c.d.ctl_json("alerts", "list")[0]["id"]
    login(c, b, None, ONCALL, PHONE)
    b.get(f"{base(c)}/alerts/{alert}")
    first = b.current_window_handle
    claim = button(b, "form[action$='/claim']")
    b.switch_to.new_window("tab")
    b.get(base(c) + "/")
    submit(b, button(b, "form[action='/logout']"))
    login(c, b, None, ONCALL, PHONE)
    b.close()
    b.switch_to.window(first)
    submit(b, claim)
    page = text(b)
    assert "Le formulaire a expiré : rechargez la page et recommencez." \
        in page, page
    assert c.d.ctl_json("shelter", "status", "aisova")["state"] == "vacant"
    no_page_scroll(b)
    b.get(f"{base(c)}/alerts/{alert}")
    submit(b, button(b, "form[action$='/claim']"))
    assert "vous est réservé" in find(b, ".flash").text
    st = c.d.ctl_json("shelter", "status", "aisova")
    assert st["state"] == "reserved" and \
        st["reserved_by"]["id"] == c.oncall, st
    console_errors(b)       # the 403 above: expected
