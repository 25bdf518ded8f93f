"""
The console's apartment pages end to end: the dashboard of each role, the
apartment's moves through their confirmation page, the alert's page and its
claim by an on-call account, and the yearly report with its chart.  The
real stoppvifd, HTTP over 127.0.0.1; what is checked is the HTML as sent.

Nobody sees an alert's code on the web (it claims by SMS): every page read
here is searched for it.
"""
import html
import re

from webclient import web, WebClient, untokened  # noqa: F401

SHELTER = "aisova"


def main_of(body):
    """The page's own content, without the layout around it."""
    m = re.search(r"<main[^>]*>(.*)</main>", body, re.S)
    return m.group(1) if m else body


def text_of(body):
    """The page's text, tags removed and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def vacate_by_cli(web):
    """Vacate aisova with stoppvifctl; (alert id, alert code)."""
    web.d.ctl_json("shelter", "vacate", SHELTER)
    alerts = web.d.ctl_json("alerts", "list")
    a = alerts[0]
    assert a["status"] == "open", a
    web.d.secrets.add(a["code"])
    return a["id"], a["code"]


def shelter(web):
    return web.d.ctl_json("shelter", "status", SHELTER)


def no_code(code, *bodies):
    for b in bodies:
        assert code not in b, "an alert's code on a page"


def test_dashboard_per_role(web):
    """Each role's dashboard: the coordinator sees who was alerted, the
    viewer only states and counts, the on-call worker the link to take the
    alert; nobody the alert's code."""
    aid, code = vacate_by_cli(web)
    reads = [e for e in web.d.audit(reads=True)
             if e["action"] in web.d.AUDIT_READS]
    pages = {}
    for account in ("coord", "garde", "lecteur"):
        c = web.client(account)
        st, _, body = c.get("/")
        assert st == 200, (account, body[:400])
        pages[account] = body
        no_code(code, body)
        t = text_of(body)
        assert "libre (alerte ouverte)" in t, account
        assert "base de données" in t or "prêt" in t
    coord, garde, viewer = (text_of(pages[a]) for a in
                            ("coord", "garde", "lecteur"))
    assert "Gaëlle Garde" in coord            # who was alerted
    assert "1 personne(s) alertée(s)" in coord
    assert "Gaëlle" not in viewer and "Chloé" not in viewer
    assert "Gaëlle" not in garde              # no names for on-call either
    assert f'href="/alerts/{aid}"' in pages["garde"]
    assert "Voir l'alerte et la prendre" in garde
    assert f"/alerts/{aid}" not in pages["lecteur"]
    # reading the dashboards opened no contact data: no audited read
    assert [e for e in web.d.audit(reads=True)
            if e["action"] in web.d.AUDIT_READS] == reads
    # the other pages: no code either, and the viewer no name
    for account in ("coord", "garde", "lecteur"):
        c = web.client(account)
        for path in ("/shelters", f"/shelters/{SHELTER}", "/reports",
                     f"/alerts/{aid}"):
            st, _, body = c.get(path)
            no_code(code, body)
            if account == "lecteur":
                assert "Gaëlle" not in body
    # the viewer may not open the alert's page
    st, _, _ = web.client("lecteur").get(f"/alerts/{aid}")
    assert st == 403


def test_vacate_through_confirmation(web):
    """A viewer's or on-call worker's POST changes nothing (403); the
    coordinator's confirmation page says what happens, its POST vacates,
    the alert opens, the dashboard shows it, and the audit and the
    apartment's history name web:coord."""
    for account in ("lecteur", "garde"):
        c = web.client(account)
        st, _, _ = c.post(f"/shelters/{SHELTER}/act", {"do": "vacate"})
        assert st == 403, account
        st, _, _ = c.get(f"/shelters/{SHELTER}/act?do=vacate")
        assert st == 403, account
    assert shelter(web)["state"] == "occupied"
    # the viewer sees the state, not the buttons nor the history
    st, _, body = web.client("lecteur").get(f"/shelters/{SHELTER}")
    assert st == 200 and "occupé" in text_of(body)
    assert "/act?do=" not in body and "Historique" not in body

    c = web.client("coord")
    st, _, body = c.get(f"/shelters/{SHELTER}")
    assert st == 200
    assert f"/shelters/{SHELTER}/act?do=vacate" in body
    assert "do=occupy" not in body            # it is occupied already
    st, _, body = c.get(f"/shelters/{SHELTER}/act?do=vacate")
    assert st == 200
    assert ("Une alerte partira tout de suite aux personnes de garde par "
            "SMS et e-mail.") in text_of(body)
    assert 'name="do" value="vacate"' in body
    assert "Annuler" in body
    st, hdrs, _ = c.post(f"/shelters/{SHELTER}/act", {"do": "vacate"})
    assert st == 303
    alert = web.d.ctl_json("alerts", "list")[0]
    web.d.secrets.add(alert["code"])
    assert hdrs["location"].endswith(f"/alerts/{alert['id']}")
    assert alert["status"] == "open"
    st, _, body = c.get("/")
    assert "Alerte ouverte" in text_of(body)
    assert "Logement libéré" in text_of(body)     # the flash
    no_code(alert["code"], body)

    show = web.d.ctl_json("shelter", "status", SHELTER)
    assert show["state"] == "vacant"
    assert show["history"][0]["actor"] == "web:coord"
    entries = [e for e in web.d.audit() if e["action"] == "shelter.vacate"]
    assert entries and entries[0]["actor"] == "web:coord", entries
    st, _, body = c.get(f"/shelters/{SHELTER}")
    assert "coord" in text_of(body) and "console web" in text_of(body)

    # an illegal move now: the API's refusal on the confirmation page
    st, _, body = c.post(f"/shelters/{SHELTER}/act", {"do": "vacate"})
    assert st == 409
    assert "refusé" in text_of(body)
    assert 'class="error-box"' in body or "error-box" in body
    no_code(alert["code"], body)


def test_act_clumsy_and_hostile(web):
    """An unknown move, a missing one, markup in it, an apartment that
    does not exist: a page that says so, escaped, and nothing moves."""
    c = web.client("coord")
    for q in ("do=explode", "", "do=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
              "do=vacate%22%3E"):
        st, _, body = c.get(f"/shelters/{SHELTER}/act?{q}")
        assert st == 400, (q, body[:300])
        assert "<script>alert" not in body
        assert "Action inconnue" in text_of(body)
    c.get("/")
    st, _, body = c.post(f"/shelters/{SHELTER}/act", {"do": "explode"})
    assert st == 400
    st, _, body = c.post(f"/shelters/{SHELTER}/act", {})
    assert st == 400
    st, _, body = c.get("/shelters/nowhere")
    assert st == 404
    st, _, body = c.get("/shelters/nowhere/act?do=vacate")
    assert st == 404
    st, _, body = c.post("/shelters/nowhere/act", {"do": "vacate"})
    assert st == 404
    # without the CSRF token: refused before the handler
    st, _, _ = c.post(f"/shelters/{SHELTER}/act", {"do": "vacate"},
                      csrf=False)
    assert st == 403
    assert shelter(web)["state"] == "occupied"


def test_oncall_claims_from_the_alert_page(web):
    """The on-call worker's alert page offers one button; it claims the
    apartment for her person, audited as web:garde; the page then says it
    is hers; a second claim gets "déjà pris", without the code."""
    aid, code = vacate_by_cli(web)
    c = web.client("garde")
    st, _, body = c.get(f"/alerts/{aid}")
    assert st == 200
    assert "Logement disponible — pas encore pris" in text_of(body)
    assert f'action="/alerts/{aid}/claim"' in body
    assert "Je le prends" in body
    no_code(code, body)
    st, hdrs, body = c.post(f"/alerts/{aid}/claim")
    assert st == 303, body[:400]
    assert hdrs["location"].endswith(f"/alerts/{aid}")
    st, _, body = c.get(f"/alerts/{aid}")
    t = text_of(body)
    assert "Réservé par vous jusqu'au" in t
    assert "C'est à vous" in t                  # the flash
    assert "Je le prends" not in body
    no_code(code, body)

    show = shelter(web)
    assert show["state"] == "reserved"
    assert show["reserved_by"]["id"] == web.oncall
    assert show["history"][0]["actor"] == "web:garde"
    claims = [e for e in web.d.audit() if e["action"] == "alert.claim"]
    assert claims and claims[0]["actor"] == "web:garde", claims
    # the alert says the claim came from the console, not stoppvifctl
    alerts = web.d.ctl_json("alerts", "list")
    mine = next(a for a in alerts if a["id"] == aid)
    assert mine["via"] == "web", mine
    rc, out, _ = web.d.ctl("alerts", "list", check=0)
    assert "console web" in out and "stoppvifctl" not in out, out

    # a second claim: déjà pris, and the code still not written
    st, _, body = c.post(f"/alerts/{aid}/claim")
    assert st == 409
    assert "déjà pris" in text_of(body)
    no_code(code, body)
    assert show == shelter(web) or shelter(web)["state"] == "reserved"
    # the coordinator sees who claimed it
    st, _, body = web.client("coord").get(f"/alerts/{aid}")
    assert "Déjà pris" in text_of(body) and "Gaëlle Garde" in text_of(body)


def test_claim_refusals(web):
    """A viewer's claim (403), a coordinator's without a person, an
    on-call account whose person was not alerted, an alert that does not
    exist, a closed one: each refused with a message, nothing claimed."""
    from webclient import add_account
    aid, code = vacate_by_cli(web)
    st, _, _ = web.client("lecteur").post(f"/alerts/{aid}/claim")
    assert st == 403

    coord = web.client("coord")             # an account without a person
    st, _, body = coord.get(f"/alerts/{aid}")
    assert st == 200
    assert "demandez à la coordination de le relier" in text_of(body)
    assert "Je le prends" not in body
    st, _, body = coord.post(f"/alerts/{aid}/claim")
    assert st == 403
    assert "relier" in text_of(body)

    # Rita is not on call: the alert did not reach her
    add_account(web.d, "rita", "oncall", web.people["ref"])
    rita = web.client("rita")
    st, _, body = rita.get(f"/alerts/{aid}")
    assert st == 200 and "Je le prends" not in body
    assert "ne vous a pas été envoyée" in text_of(body)
    st, _, body = rita.post(f"/alerts/{aid}/claim")
    assert st == 403
    assert shelter(web)["state"] == "vacant"

    g = web.client("garde")
    for bad in ("999999", "0", "-1", "abc", "1e3", "99999999999999999999"):
        st, _, body = g.get(f"/alerts/{bad}")
        assert st == 404, (bad, st)
        g.get("/")
        st, _, body = g.post(f"/alerts/{bad}/claim")
        assert st == 404, (bad, st)
    assert shelter(web)["state"] == "vacant"

    # a closed alert (the apartment occupied another way): déjà pris
    web.d.ctl_json("shelter", "occupy", SHELTER)
    st, _, body = g.get(f"/alerts/{aid}")
    assert st == 200 and "Je le prends" not in body
    assert "Alerte close" in text_of(body)
    st, _, body = g.post(f"/alerts/{aid}/claim")
    assert st == 409
    assert "déjà pris" in text_of(body)
    no_code(code, body)
    assert shelter(web)["state"] == "occupied"


def test_report_page(web):
    """The report: the year's figure as stoppvifctl gives it, a chart of
    12 bars that scales (viewBox), no style attribute; a wrong year or
    apartment gets a message, escaped."""
    c = web.client("lecteur")
    st, _, body = c.get(f"/reports?shelter={SHELTER}")
    assert st == 200, body[:400]
    rep = web.d.ctl_json("shelter", "report", SHELTER)
    assert len(rep["months"]) == 12
    svg = re.search(r'<svg class="chart" viewBox="0 0 \d+ \d+" role="img" '
                    r'aria-label="[^"]+"[^>]*>(.*?)</svg>', body, re.S)
    assert svg, body[:1000]
    assert len(re.findall(r'<rect class="bar"', svg.group(1))) == 12
    assert len(re.findall(r"<title>[^<]+ : [^<]+</title>",
                          svg.group(1))) == 12
    assert "<title>janvier : " in svg.group(1)
    assert "style=" not in body
    occ = rep["occupancy"]
    figure = re.search(r'<p class="figure">([^<]*)</p>', body).group(1)
    if occ is None:
        assert figure == "pas de données"
    else:
        assert figure == f"{occ:.1f}".replace(".", ",") + " %", figure
    assert "Temps de réponse" in text_of(body)
    # an apartment configured a moment ago: no table of "0,0 jours", and
    # a word of caution under the rate
    t = " ".join(text_of(body).split())
    assert rep["days_observed"] == 0.0
    assert "Période observée" in t and "(moins de deux heures)" in t, t
    assert "0,0 jours" not in t and "<table" not in body
    if occ is not None:
        assert "Mesuré sur moins d'un jour" in t
    year = rep["year"]
    assert f"year={year - 1}" in body and f"year={year + 1}" not in body

    # another year, and the language of the account
    st, _, body = c.get(f"/reports?shelter={SHELTER}&year={year - 1}")
    assert st == 200 and "pas de données" in body
    assert f"year={year}" in body

    for bad in ("abcd", "99999", "", "2026%22%3E%3Cscript%3E", "-1"):
        st, _, body = c.get(f"/reports?shelter={SHELTER}&year={bad}")
        if bad == "":
            assert st == 200
            continue
        assert st == 400, (bad, st)
        assert "Année illisible" in text_of(body)
        assert "<script>" not in body
    st, _, body = c.get("/reports?shelter=%3Cscript%3Ealert(1)%3C%2Fscript"
                        "%3E")
    assert st == 404
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)" in body
    assert "Aucun logement ne s" in text_of(body)
    # huge values: refused with a message cut to a readable length
    st, _, body = c.get("/reports?shelter=" + "x" * 300)
    assert st == 404 and "x" * 41 not in main_of(body)
    assert f'href="/reports?shelter={SHELTER}"' in main_of(body)
    st, _, body = c.get(f"/reports?shelter={SHELTER}&year=" + "9" * 300)
    assert st == 400 and "9" * 21 not in main_of(body)
    # not UTF-8: as if no apartment were named, the first one's report
    st, _, body = c.get("/reports?shelter=%FF%FE")
    assert st == 200 and f"{SHELTER} {year}" in text_of(body)


def test_failed_messages_and_language(web):
    """A failed message: the coordinator's dashboard names its channel,
    person and reason (escaped), the viewer's only counts it.  An account
    reading Dutch gets the report's months in Dutch."""
    import sqlite3
    vacate_by_cli(web)
    web.d.stop()
    db = sqlite3.connect(web.d.db)
    pid = db.execute("SELECT person_id FROM outbox ORDER BY id LIMIT 1"
                     ).fetchone()[0]
    db.execute("UPDATE outbox SET status = 'failed', last_error ="
               " '550 <script>alert(1)</script> \"refusé\"' WHERE id ="
               " (SELECT min(id) FROM outbox)")
    db.commit()
    db.close()
    web.d.start()
    st, _, body = web.client("coord").get("/")
    assert st == 200
    t = text_of(body)
    assert "1 en échec" in t
    assert f'href="/people/{pid}"' in body
    assert "<script>alert(1)" not in body
    assert "550 <script>alert(1)</script> \"refusé\"" in t
    st, _, body = web.client("lecteur").get("/")
    assert "1 en échec" in text_of(body)
    assert "550" not in untokened(body) and "/people/" not in body

    c = web.client("lecteur")
    c.get("/lang?set=nl&next=%2Freports")
    st, _, body = c.get("/reports")
    assert st == 200
    assert "<title>januari : geen gegevens</title>" in body
    assert "Jaarverslag" in body


def test_report_of_a_seeded_year(web):
    """A year of history (as test_shelter seeds it): the page gives the
    year's 62,5 %, no word of caution, the period from date to date in
    days, and the days in each state as stoppvifctl counts them."""
    import datetime as dt
    import sqlite3
    d = web.d
    d.stop()
    utc = dt.timezone.utc
    t = lambda *a: int(dt.datetime(*a, tzinfo=utc).timestamp())  # noqa
    db = sqlite3.connect(d.db)
    db.execute("DELETE FROM shelter_history")
    db.executemany("INSERT INTO shelter_history (shelter, at, from_state,"
                   " to_state, cause, actor) VALUES ('aisova', ?, ?, ?, ?,"
                   " 'uid:0')", [
                       (t(2024, 12, 1), None, "occupied", "configured"),
                       (t(2025, 8, 17), "occupied", "vacant", "vacate"),
                       (t(2025, 9, 1), "vacant", "unavailable",
                        "unavailable"),
                       (t(2026, 1, 1), "unavailable", "occupied",
                        "occupy")])
    db.commit()
    db.close()
    d.start()
    rep = d.ctl_json("shelter", "report", SHELTER, "--year", "2025")
    assert rep["occupancy"] == 62.5, rep
    st, _, body = web.client("lecteur").get(
        f"/reports?shelter={SHELTER}&year=2025")
    assert st == 200
    t_ = " ".join(text_of(body).split())
    assert "62,5 %" in t_
    assert "moins d'un jour" not in t_ and "deux heures" not in t_
    assert ("Période observée : du mercredi 1er janvier 2025 au mercredi "
            "31 décembre 2025 (365,0 jours)") in t_, t_
    assert "(365,0 jours)" in t_, t_
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td></tr>",
                           body))
    assert rows["occupé"] == "228,0" and rows["libre"] == "15,0", rows
    assert rows["indisponible"] == "122,0", rows


def test_without_any_apartment(daemon_env):
    """A daemon with no [shelter.NAME]: the pages say there is none, no
    error page, no empty card."""
    from conftest import TOP
    from srv_smtp import free_port
    from webclient import PASSWORD, add_account
    d = daemon_env
    d.secrets.add(PASSWORD)
    port = free_port()
    d.write_config(extra=(f"[web]\nlisten = 127.0.0.1:{port}\n"
                          f"assets = {TOP / 'etc' / 'web'}\n"))
    d.start()
    add_account(d, "coord", "coordinator")
    add_account(d, "lecteur", "viewer")
    for account in ("coord", "lecteur"):
        c = WebClient(port)
        c.login(account)
        st, _, body = c.get("/shelters")
        assert st == 200 and "Aucun logement n'est configuré" in \
            text_of(body), account
        st, _, body = c.get("/reports")
        assert st == 200 and "Aucun logement n'est configuré" in \
            text_of(body), account
        st, _, body = c.get("/")
        assert st == 200 and "<h2>Logement</h2>" not in body
        st, _, _ = c.get("/shelters/aisova")
        assert st == 404
