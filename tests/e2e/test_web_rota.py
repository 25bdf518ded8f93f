"""
The console's rota page (/rota): a week of who is on call, the form that
assigns a slot, the button that removes one, and the API's range query
behind the week (GET /v1/oncall?from=&to=), against the real stoppvifd
over 127.0.0.1.

What is checked is what the daemon sends (the HTML bytes) and what it then
holds (stoppvifctl oncall show --json), with a clumsy user's input (the end
before the start, a week that does not exist, a person that is no number)
and an attacker's (another role, <script> in the week, a foreign slot id).
"""
import html
import json
import re
import urllib.parse

import pytest

from webclient import web, WebClient, error_under  # noqa: F401

WEEK = "2027-W02"           # Monday 11 January 2027 to Sunday 17
DAYS = ("lundi 11 janvier 2027", "mardi 12 janvier 2027",
        "mercredi 13 janvier 2027", "jeudi 14 janvier 2027",
        "vendredi 15 janvier 2027", "samedi 16 janvier 2027",
        "dimanche 17 janvier 2027")


def coord(web):
    return web.client("coord")


def api(d, method, path, body=None):
    raw = json.dumps(body).encode() if body is not None else None
    status, _, out = d.http(method, path, raw,
                            {"Content-Type": "application/json"})
    return status, json.loads(out)




def slots_at(d, at):
    return d.ctl_json("oncall", "show", "--at", at)


def week_rows(page):
    """The text of each day's row of the week's table."""
    m = re.search(r'<table class="week rota">(.*?)</table>', page, re.S)
    assert m, "no table.week"
    rows = re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S)[1:]
    return [html.unescape(re.sub(r"<[^>]+>", " ", r)) for r in rows]


def test_assign_show_remove(web):
    d = web.d
    c = coord(web)
    garde = web.people["garde"]
    status, _, page = c.get(f"/rota?week={WEEK}")
    assert status == 200
    rows = week_rows(page)
    assert len(rows) == 7
    for row, day in zip(rows, DAYS):
        assert day in row, (day, row)
    assert 'href="/rota?week=2027-W01"' in page
    assert 'href="/rota?week=2027-W03"' in page
    # only the people of the oncall role are offered
    assert "Gaëlle Garde" in page and "Rita Référente" not in page

    status, hdrs, _ = c.post(f"/rota?week={WEEK}", {
        "person": str(garde), "from": "2027-01-12T08:00",
        "to": "2027-01-14T08:00"})
    assert status == 303, hdrs
    assert hdrs["location"] == f"/rota?week={WEEK}"
    held = slots_at(d, "2027-01-13T12:00")
    assert [s["person"] for s in held] == [garde]
    sid = held[0]["id"]
    status, _, page = c.get(hdrs["location"])
    assert "Garde ajoutée" in page
    rows = week_rows(page)
    assert "Gaëlle Garde" not in rows[0]            # Monday
    for i in (1, 2, 3):                             # Tuesday to Thursday
        assert "Gaëlle Garde" in rows[i], rows[i]
        assert "mar. 12 janv. 2027 08:00" in rows[i], rows[i]
    assert "Gaëlle Garde" not in rows[4]
    audit = [e for e in d.audit() if e["action"] == "oncall.set"]
    assert audit[0]["actor"] == "web:coord"

    # removed with its button
    assert f'action="/rota/{sid}/remove?week={WEEK}"' in page
    status, hdrs, _ = c.post(f"/rota/{sid}/remove?week={WEEK}", {})
    assert status == 303 and hdrs["location"] == f"/rota?week={WEEK}"
    assert slots_at(d, "2027-01-13T12:00") == []
    status, _, page = c.get(hdrs["location"])
    assert "Garde retirée" in page and "Gaëlle Garde" not in \
        " ".join(week_rows(page))
    # again: the slot is gone, said with the API's words
    status, _, page = c.post(f"/rota/{sid}/remove?week={WEEK}", {})
    assert status == 404
    assert f"aucune garde n'a le numéro {sid}" in html.unescape(page)


def test_assign_refused(web):
    d = web.d
    c = coord(web)
    garde = web.people["garde"]
    st, reply = api(d, "POST", "/v1/oncall", {
        "person": garde, "from": "2027-01-12T08:00",
        "to": "2027-01-11T08:00"})
    assert st == 400 and reply["field"] == "to"
    c.get(f"/rota?week={WEEK}")
    status, _, page = c.post(f"/rota?week={WEEK}", {
        "person": str(garde), "from": "2027-01-12T08:00",
        "to": "2027-01-11T08:00"})
    assert status == 400
    assert error_under(page, "to") == reply["error"]
    # what was typed is kept
    assert 'value="2027-01-12T08:00"' in page
    assert 'value="2027-01-11T08:00"' in page
    assert re.search(r'<option value="%d" selected>' % garde, page)
    assert week_rows(page)[0].find("lundi 11 janvier 2027") >= 0

    # a person that is no number, none, a date that is none
    for fields, field in (({"person": "abc", "from": "2027-01-12T08:00",
                            "to": "2027-01-13T08:00"}, "person"),
                          ({"from": "2027-01-12T08:00",
                            "to": "2027-01-13T08:00"}, "person"),
                          ({"person": "999999", "from": "2027-01-12T08:00",
                            "to": "2027-01-13T08:00"}, "person"),
                          ({"person": str(garde), "from": "2027-02-30T08:00",
                            "to": "2027-03-13T08:00"}, "from"),
                          ({"person": str(garde), "from": "2027-01-12T08:00"},
                           "to"),
                          ({"person": str(garde), "from": "<script>",
                            "to": "2027-01-13T08:00"}, "from")):
        status, _, page = c.post(f"/rota?week={WEEK}", fields)
        assert status == 400, fields
        assert error_under(page, field), (fields, page[-2000:])
        assert "<script>" not in page.replace('<script src=', '')
    assert slots_at(d, "2027-01-12T12:00") == []


@pytest.mark.parametrize("week", ["2027-W99", "abc", "2027-W53",
                                  "2027-W00", "<script>x</script>",
                                  "99999-W01", "2027-W1x", ""])
def test_bad_week(web, week):
    c = coord(web)
    status, _, page = c.get("/rota?week=" + urllib.parse.quote(week))
    if week == "":
        assert status == 200
    else:
        assert status == 400, (week, status)
        assert "Semaine illisible" in page
        assert "2027-W02" in page          # the example of the message
    assert "<script>x" not in page
    assert len(week_rows(page)) == 7       # the current week instead


def test_week_53_and_default(web):
    c = coord(web)
    status, _, page = c.get("/rota?week=2026-W53")    # 2026 has 53 weeks
    assert status == 200
    rows = week_rows(page)
    assert "lundi 28 décembre 2026" in rows[0]
    assert "dimanche 3 janvier 2027" in rows[6]
    assert 'href="/rota?week=2027-W01"' in page
    # the current week by default: Gaëlle is on call now (the fixture)
    status, _, page = c.get("/rota")
    assert status == 200
    assert 'class="today"' in page
    assert "Gaëlle Garde" in " ".join(week_rows(page))


def test_range_query(web):
    d = web.d
    garde = web.people["garde"]
    st, r = api(d, "POST", "/v1/oncall", {"person": garde,
                                          "from": "2027-03-01T08:00",
                                          "to": "2027-03-08T08:00"})
    assert st in (200, 201)
    q = "/v1/oncall?from=%s&to=%s"
    st, got = api(d, "GET", q % ("2027-03-08T00:00", "2027-03-15T00:00"))
    assert st == 200 and [s["id"] for s in got] == [r["id"]]
    # the end is excluded: a week starting when the slot ends sees none
    st, got = api(d, "GET", q % ("2027-03-08T08:00", "2027-03-15T00:00"))
    assert st == 200 and got == []
    st, got = api(d, "GET", q % ("2027-02-22T00:00", "2027-03-01T08:00"))
    assert st == 200 and got == []
    st, got = api(d, "GET", q % ("2027-02-22T00:00", "2027-03-01T08:01"))
    assert [s["id"] for s in got] == [r["id"]]
    # refusals name their field
    st, got = api(d, "GET", q % ("2027-03-08T00:00", "2027-03-01T00:00"))
    assert st == 400 and got["field"] == "to"
    st, got = api(d, "GET", "/v1/oncall?from=2027-03-08T00:00")
    assert st == 400 and got["field"] == "to"
    st, got = api(d, "GET", q % ("yesterday", "2027-03-01T00:00"))
    assert st == 400 and got["field"] == "from"
    st, got = api(d, "GET", "/v1/oncall?at=2027-03-02T00:00&from="
                  "2027-03-01T00:00&to=2027-03-08T00:00")
    assert st == 400 and got["field"] == "at"


@pytest.mark.parametrize("who", ["garde", "lecteur"])
def test_other_roles_refused(web, who):
    d = web.d
    c = web.client(who)
    held = d.ctl_json("oncall", "show")
    assert held, "the fixture's slot is on now"
    for path in (f"/rota?week={WEEK}", "/rota"):
        status, _, page = c.get(path)
        assert status == 403, (who, path)
        assert "Gaëlle" not in page
    status, _, _ = c.post(f"/rota?week={WEEK}", {
        "person": str(web.people["garde"]), "from": "2027-01-12T08:00",
        "to": "2027-01-13T08:00"})
    assert status == 403
    assert slots_at(d, "2027-01-12T12:00") == []
    status, _, _ = c.post(f"/rota/{held[0]['id']}/remove", {})
    assert status == 403
    assert d.ctl_json("oncall", "show") == held


def test_no_csrf_and_not_logged_in(web):
    d = web.d
    held = d.ctl_json("oncall", "show")
    c = web.client("coord")
    c.get(f"/rota?week={WEEK}")
    status, _, _ = c.post(f"/rota/{held[0]['id']}/remove", {}, csrf=False)
    assert status == 403
    status, _, _ = c.post(f"/rota?week={WEEK}", {
        "person": str(web.people["garde"]), "from": "2027-01-12T08:00",
        "to": "2027-01-13T08:00"}, csrf=False)
    assert status == 403
    anon = WebClient(web.port)
    status, hdrs, page = anon.get(f"/rota?week={WEEK}")
    assert status in (302, 303) and "/login" in hdrs.get("location", "")
    assert d.ctl_json("oncall", "show") == held
    assert slots_at(d, "2027-01-12T12:00") == []


def test_in_dutch(web):
    """The page in the account's language: days, months and words."""
    from webclient import add_account
    add_account(web.d, "coordnl", "coordinator", lang="nl")
    c = web.client("coordnl")
    status, _, page = c.get(f"/rota?week={WEEK}")
    assert status == 200
    rows = week_rows(page)
    assert "maandag 11 januari 2027" in rows[0], rows[0]
    assert "Vorige week" in page and "Wachtdienst toevoegen" in page


def test_in_a_browser(web):
    """The rota and the directory in chromium at a phone's width and at a
    desktop's: nothing scrolls the page sideways, the CSP refuses nothing,
    and a slot assigned through the form shows in the week."""
    from browser import (DESKTOP, PHONE, SHOTS, By, Select, Shots,
                         find, start_chrome, submit, viewport)
    from webclient import PASSWORD
    import tempfile
    shots = Shots(SHOTS.parent / "web-rota")
    base = f"http://127.0.0.1:{web.port}"
    with tempfile.TemporaryDirectory() as profile:
        b = start_chrome(profile)
        try:
            viewport(b, *PHONE)
            b.get(base + "/login")
            form = "form[action^='/login']"
            find(b, f"{form} input[name=name]").send_keys("coord")
            find(b, f"{form} input[type=password]").send_keys(PASSWORD)
            submit(b, find(b, f"{form} button[type=submit]"))
            b.get(base + f"/rota?week={WEEK}")
            Select(find(b, "select[name=person]")).select_by_visible_text(
                "Gaëlle Garde")
            for name, value in (("from", "2027-01-12T08:00"),
                                ("to", "2027-01-14T08:00")):
                b.execute_script("arguments[0].value = arguments[1]",
                                 find(b, f"input[name={name}]"), value)
            submit(b, find(b, f"form[action='/rota?week={WEEK}'] "
                           "button[type=submit]"))
            rows = b.find_elements(By.CSS_SELECTOR,
                                   "table.week tbody tr")
            assert len(rows) == 7
            assert "Gaëlle Garde" in rows[1].text, rows[1].text
            assert "Gaëlle Garde" not in rows[0].text
            shots.take(b, "rota-week")
            for size in (PHONE, DESKTOP):
                viewport(b, *size)
                for path, step in ((f"/rota?week={WEEK}", "rota"),
                                   ("/people", "people"),
                                   (f"/people/{web.people['garde']}",
                                    "person"),
                                   ("/people/new", "person-new")):
                    b.get(base + path)
                    find(b, "main h1")
                    shots.take(b, step)
        finally:
            b.quit()
    shots.no_problems()
