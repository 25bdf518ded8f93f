"""
The console's server end to end: the real stoppvifd with its web listener
on 127.0.0.1 (webclient.py), spoken to over HTTP as a browser and as an
attacker would.  Sessions and the login page, the rate limit under 100
wrong passwords, CSRF and origin checks on every state change, what every
answer carries (CSP, nosniff, no-store), the assets (types, ETag, 304,
traversal), cookies (flags, fixation, logout), redirects that stay on the
site, a body too large, bytes that are not text, the language links and
the navigation of each role.

What is checked is what the daemon sends (status, headers, the HTML bytes)
and what it then holds (through stoppvifctl), never what was typed.
"""
import html
import re
import shutil
import socket
import statistics
import time
import urllib.parse

import pytest

from conftest import TOP
from srv_smtp import free_port
from webclient import PASSWORD, WebClient, add_account, web  # noqa: F401

ROUTE_LINE = re.compile(
    r"^\s\*\s+(GET|POST)\s+(/\S*)\s+(web_\w+)\s+(viewer|oncall|coordinator)"
    r"\s*$", re.M)
ROLES = {"viewer": 1, "oncall": 2, "coordinator": 3}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; "
       "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
EXPIRED = "Le formulaire a expiré : rechargez la page et recommencez."
COORD_ONLY = "Cette page est réservée aux coordinateurs."
# A field for each POST route, so that a handler that ran would change
# something (the apartment vacated, a person added, a slot removed...).
POST_FIELDS = {
    "/people/new": {"name": "Intruse", "roles": "oncall",
                    "phone": "0470 55 00 99"},
    "/people/{id}": {"name": "Renommée"},
    "/people/{id}/key": {"remove": "1"},
    "/calendar/new": {"title": "Piège", "dtstart": "2031-01-01T10:00"},
    "/calendar/{id}": {"title": "Piège"},
    "/rota": {"person": "1", "from": "2031-01-01T10:00",
              "to": "2031-01-01T12:00"},
    "/rota/{id}/remove": {},
    "/shelters/{name}/act": {"do": "vacate"},
    "/alerts/{id}/claim": {},
}


def routes():
    """The route table as web_int.h documents it: (method, pattern, role);
    a route added there is walked here too."""
    text = (TOP / "daemon" / "api" / "web_int.h").read_text()
    found = [(m, p, ROLES[r]) for m, p, _, r in ROUTE_LINE.findall(text)]
    assert len(found) >= 20, found
    return found


def fill(pattern, ids):
    return (pattern.replace("{id}", str(ids.get("id", 1)))
            .replace("{name}", ids.get("name", "aisova")))


def snapshot(d):
    """What the daemon holds that a page could change."""
    # the accounts as the table shows them, without the last login
    users = [line.split()[:4] for line in
             d.ctl("web", "user", "list", check=0)[1].splitlines()]
    return {
        "people": d.people(),
        "events": d.ctl_json("events", "list"),
        "oncall": d.ctl_json("oncall", "show"),
        "shelter": d.ctl_json("shelter", "status", "aisova"),
        "alerts": d.ctl_json("alerts", "list"),
        "outbox": d.ctl_json("outbox", "list"),
        "users": users,
        "audit": d.audit(),
    }


def raw(port, data, timeout=10.0):
    """Send bytes as they are on a new connection; the whole answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            out += chunk
    finally:
        s.close()
    return out


def raw_status(answer):
    line = answer.split(b"\r\n", 1)[0].decode()
    assert line.startswith("HTTP/1.1 "), answer[:200]
    return int(line.split()[1])


def assert_security_headers(h, cache="no-store"):
    assert h.get("content-security-policy") == CSP, h
    assert h.get("x-content-type-options") == "nosniff", h
    assert h.get("x-frame-options") == "DENY", h
    assert h.get("referrer-policy") == "same-origin", h
    assert h.get("cache-control") == cache, h


def assert_alive(w):
    s, _, b = WebClient(w.port).get("/login")
    assert s == 200 and 'name="password"' in b


# ---- (1) no session: every route redirects, nothing runs ----------------

def test_every_route_without_login_redirects_and_changes_nothing(web):
    """Attack side: every route of the table, GET and POST, ids filled in,
    with a forged CSRF field: 303 to the login page, the daemon unchanged.
    Clumsy side: unknown paths redirect the same (routes are not told)."""
    d = web.d
    before = snapshot(d)
    off = d.log_size()
    c = WebClient(web.port)
    table = routes()
    for method, pattern, _ in table:
        for ids in ({"id": 1, "name": "aisova"}, {"id": 999999999,
                                                  "name": "nulle-part"}):
            path = fill(pattern, ids)
            if method == "GET":
                s, h, b = c.get(path)
                assert s == 303, (path, s, b[:300])
                want = "/login" if path == "/" else \
                    "/login?next=" + urllib.parse.quote(path, safe="")
                assert h["location"] == want, (path, h)
            else:
                fields = dict(POST_FIELDS.get(pattern, {}),
                              csrf="A" * 43)
                s, h, b = c.post(path, fields, csrf=False)
                assert s == 303 and h["location"] == "/login", (path, s)
            assert_security_headers(h)
            assert "sv_session" not in c.cookies
    for path in ("/nope", "/people/abc", "/admin", "/assets", "/logout",
                 "/%2e%2e/etc/passwd", "/shelters/../people"):
        s, h, _ = c.get(path)
        assert s == 303 and h["location"].startswith("/login"), (path, s)
    s, h, _ = c.post("/logout", {}, csrf=False)
    assert s == 303 and h["location"] == "/login"
    assert snapshot(d) == before
    log = d.log_since(off)
    assert "web login_ok" not in log


# ---- (2) CSRF: missing or wrong, 403 and nothing changes ----------------

def test_post_without_or_with_a_wrong_csrf_is_refused(web):
    """Attack side: a logged-in coordinator's browser sends a vacate without
    the CSRF field, with another session's token, with a token of the
    right shape, with an empty one: 403 "le formulaire a expiré", the
    apartment stays occupied, no alert, no audit entry, no outbox row.
    Then the real form works (the test can fail)."""
    d = web.d
    c = web.client("coord")
    other = web.client("lecteur")
    other_token = other.csrf()
    before = snapshot(d)
    assert before["shelter"]["state"] == "occupied", before["shelter"]
    off = d.log_size()
    for csrf in (False, "", "x", "A" * 43, other_token, c.csrf() + "A",
                 c.csrf()[:-1]):
        s, h, b = c.post("/shelters/aisova/act", {"do": "vacate"},
                         csrf=csrf)
        assert s == 403, (csrf, s, b[:300])
        assert EXPIRED in b
        assert_security_headers(h)
    # twice the field: the first is not the session's
    s, _, b = c.post("/shelters/aisova/act",
                     [("do", "vacate"), ("csrf", "A" * 43),
                      ("csrf", c.csrf())], csrf=False)
    assert s == 403
    assert snapshot(d) == before
    log = d.log_since(off)
    assert "web csrf_refused path=/shelters/{name}/act" in log
    # the real form: the apartment is vacated, an alert goes out
    s, h, _ = c.post("/shelters/aisova/act", {"do": "vacate"})
    assert s == 303, s
    assert d.ctl_json("shelter", "status", "aisova")["state"] == "vacant"
    assert d.ctl_json("alerts", "list"), "no alert after a real vacate"
    actors = {e.get("actor") for e in d.audit()}
    assert "web:coord" in actors, actors
    # its message is shown once, on the page the redirect leads to
    s, _, b = c.get(h["location"])
    assert s == 200 and b.count('class="flash"') == 1, b[:2000]
    s, _, b = c.get(h["location"])
    assert 'class="flash"' not in b


def test_post_from_another_origin_is_refused(web):
    """Attack side: a form posted from another site, with the right token
    (as if it had been stolen): refused on Origin and Sec-Fetch-Site.  Same
    origin (a browser's own form) passes."""
    d = web.d
    c = web.client("coord")
    before = snapshot(d)
    for hdrs in ({"Origin": "http://evil.example"},
                 {"Origin": "null"},
                 {"Origin": f"http://127.0.0.1:{web.port}.evil.example"},
                 {"Sec-Fetch-Site": "cross-site"}):
        s, _, b = c.post("/shelters/aisova/act", {"do": "vacate"},
                         headers=hdrs)
        assert s == 403, (hdrs, s)
        assert EXPIRED in b
    assert snapshot(d) == before
    s, _, _ = c.post("/shelters/aisova/act", {"do": "unavailable"},
                     headers={"Origin": f"http://127.0.0.1:{web.port}",
                              "Sec-Fetch-Site": "same-origin"})
    assert s == 303
    assert d.ctl_json("shelter", "status", "aisova")["state"] == \
        "unavailable"


def test_login_form_needs_its_pre_login_cookie(web):
    """Attack side: a login posted without the pre-login cookie, or with a
    field that is not it (login CSRF): 403, no session.  Clumsy side: the
    403 page is a fresh login form that then works."""
    c = WebClient(web.port)
    s, _, b = c.post("/login", {"name": "coord", "password": PASSWORD},
                     csrf=False)
    assert s == 403 and EXPIRED in b
    assert "sv_session" not in c.cookies
    c.get("/login")
    s, _, b = c.post("/login", {"name": "coord", "password": PASSWORD},
                     csrf="B" * 43)
    assert s == 403 and "sv_session" not in c.cookies
    # the refusal's page carries a fresh form: it works
    s, h, _ = c.post("/login", {"name": "coord", "password": PASSWORD})
    assert s == 303 and "sv_session" in c.cookies
    s, _, _ = c.post("/login", {"name": "coord", "password": PASSWORD},
                     headers={"Origin": "http://evil.example"})
    assert s == 403


# ---- (3) the rate limit under 100 wrong passwords -----------------------

def test_login_lockout_holds_under_100_wrong_tries(web):
    """Attack side: 100 wrong passwords for coord from one address: 401 for
    the first five, then 429 with Retry-After and the lockout message; once
    locked no hash is computed (the tries get quick); the right password is
    refused while locked; garde from the same address is refused after 20
    failures; the daemon answers everyone else meanwhile; the name typed is
    never logged."""
    d = web.d
    lecteur = web.client("lecteur")         # a session opened before
    off = d.log_size()
    c = WebClient(web.port)
    c.get("/login")
    statuses, hashed, locked = [], [], []
    for i in range(100):
        t0 = time.monotonic()
        s, h, b = c.post("/login", {"name": "coord",
                                    "password": f"faux mot de passe {i}"})
        dt_ = time.monotonic() - t0
        statuses.append(s)
        if i < 5:
            hashed.append(dt_)
            assert s == 401, (i, s)
            assert "Nom ou mot de passe incorrect." in b
        else:
            locked.append(dt_)
            assert s == 429, (i, s)
            assert "Trop d'essais pour ce compte : réessayez dans 15 " \
                "minutes." in html.unescape(b), b[:800]
            assert 0 < int(h["retry-after"]) <= 15 * 60
            assert_security_headers(h)
        if i % 25 == 0:
            assert lecteur.get("/")[0] == 200
            assert_alive(web)
    assert "sv_session" not in c.cookies
    # no hash once locked: far quicker than a checked password
    assert statistics.median(locked) < statistics.median(hashed) / 2, \
        (statistics.median(locked), statistics.median(hashed))
    assert sum(locked) < 30, sum(locked)
    # the right password, while locked
    s, _, b = c.post("/login", {"name": "coord", "password": PASSWORD})
    assert s == 429 and "sv_session" not in c.cookies
    # another account, from the same address: the address is locked too
    g = WebClient(web.port)
    s, _, _ = g.login("garde", check=False)
    assert s == 429, s
    # from another address (through the proxy on this machine): allowed
    p = WebClient(web.port, headers={"X-Forwarded-For": "203.0.113.7"})
    s, _, _ = p.login("garde", check=False)
    assert s == 303, s
    assert lecteur.get("/")[0] == 200
    # a failure through the proxy is counted and logged by the client's
    # address, not the proxy's
    p.cookies.clear()
    s, _, _ = p.login("lecteur", password="pas le bon", check=False)
    assert s == 401
    log = d.log_since(off)
    assert "web login_failed reason=password addr=203.0.113.7" in log
    assert log.count("web login_failed reason=password addr=127.0.0.1") \
        == 5, log[-2000:]
    assert "web login_failed reason=locked addr=127.0.0.1" in log
    assert "web login_ok account_id=" in log
    for line in log.splitlines():
        if "login_failed" in line:
            assert "coord" not in line and "faux mot" not in line, line


def test_wrong_name_and_wrong_password_read_the_same(web):
    """Attack side: an unknown name and a wrong password get the same
    answer; the name typed (it may be a password) is not logged.  Clumsy
    side: the name typed is kept in the form, escaped."""
    d = web.d
    off = d.log_size()
    answers = []
    for name in ("coord", "Zébulon-Secret-Typed", '"><script>x</script>'):
        c = WebClient(web.port)
        c.get("/login")
        s, h, b = c.post("/login", {"name": name, "password": "pas le bon"})
        answers.append((s, "Nom ou mot de passe incorrect." in b))
        assert "<script>x" not in b
    assert answers == [(401, True)] * 3
    log = d.log_since(off)
    assert "Zébulon" not in log and "<script>" not in log


# ---- headers, redirects, errors --------------------------------------------

def test_every_answer_carries_the_security_headers(web):
    c = WebClient(web.port)
    s, h, b = c.get("/login")
    assert s == 200 and h["content-type"] == "text/html; charset=utf-8"
    assert_security_headers(h)
    assert b.startswith("<!doctype html>\n<html lang=\"fr\">")
    assert '<meta name="viewport" content="width=device-width, ' \
        'initial-scale=1">' in b
    assert '<link rel="stylesheet" href="/assets/style.css">' in b
    assert '<script src="/assets/app.js" defer></script>' in b
    # a neutral name ([daemon] sender_name, else "Console"): phones show
    # these pages, and the network's name says what it is about
    assert "<title>Connexion · Console</title>" in b
    assert "vif" not in b.lower()
    # no inline style or script anywhere the server writes
    assert " style=" not in b and "<script>" not in b
    c.login("coord")
    for path, want in (("/", 200), ("/nope", 404), ("/people/abc", 404),
                       ("/people/999999", None)):
        s, h, b = c.get(path)
        if want is not None:
            assert s == want, (path, s)
        assert_security_headers(h)
        assert h["content-type"] == "text/html; charset=utf-8"
        assert " style=" not in b and "<script>" not in b, path
    s, h, b = c.get("/nope")
    assert "Page introuvable" in b and 'action="/logout"' in b
    s, h, _ = c.post("/logout", {})
    assert s == 303 and h["location"] == "/login"
    assert_security_headers(h)
    s, h, _ = c.get("/assets/nope.css")
    assert s == 404
    assert_security_headers(h)


# ---- assets --------------------------------------------------------------

def test_assets_types_etag_and_304(web):
    c = WebClient(web.port)
    css = (TOP / "etc" / "web" / "style.css").read_bytes()
    s, h, b = c.request("GET", "/assets/style.css", raw=True)
    assert s == 200 and b == css
    assert h["content-type"] == "text/css; charset=utf-8"
    assert_security_headers(h, cache="public, max-age=86400")
    etag = h["etag"]
    assert re.fullmatch(r'"[0-9a-f]+-[0-9a-f]+"', etag), etag
    s, h, b = c.request("GET", "/assets/style.css", raw=True,
                        headers={"If-None-Match": etag})
    assert s == 304 and b == b"" and h["etag"] == etag
    s, h, b = c.request("GET", "/assets/style.css", raw=True,
                        headers={"If-None-Match": '"0-0"'})
    assert s == 200 and b == css
    s, h, b = c.request("GET", "/assets/app.js", raw=True)
    assert s == 200 and h["content-type"] == \
        "text/javascript; charset=utf-8"
    assert b == (TOP / "etc" / "web" / "app.js").read_bytes()


def test_asset_traversal_and_odd_files_are_not_found(daemon_env, tmp_path):
    """Attack side: ../, encoded dots, a symlink in the folder (to the
    configuration), a folder named like a file, names with capitals or a
    leading dot, types not served: 404, nothing read.  Every name tried
    with a raw request line, as sent."""
    d = daemon_env
    assets = tmp_path / "assets"
    shutil.copytree(TOP / "etc" / "web", assets)
    (assets / "link.css").symlink_to(d.conf)
    (assets / "dir.css").mkdir()
    (assets / "notes.txt").write_text("secret notes\n")
    (assets / ".hidden.css").write_text("hidden\n")
    (assets / "Upper.css").write_text("upper\n")
    (assets / "stoppvif.ini").write_text("[daemon]\n")
    port = free_port()
    d.write_config(extra=f"[web]\nlisten = 127.0.0.1:{port}\n"
                   f"assets = {assets}\n")
    d.start()
    secret = d.conf.read_bytes()
    for target in ("/assets/../stoppvif.ini", "/assets/%2e%2e/stoppvif.ini",
                   "/assets/..%2fstoppvif.ini", "/assets/%2E%2E%2Fx",
                   "/assets/link.css", "/assets/dir.css",
                   "/assets/notes.txt", "/assets/.hidden.css",
                   "/assets/Upper.css", "/assets/stoppvif.ini",
                   "/assets/", "/assets/style.css/", "/assets//style.css",
                   "/assets/style.css%00.png", "/assets/..",
                   "/assets/" + "a" * 200 + ".css"):
        ans = raw(port, f"GET {target} HTTP/1.1\r\nHost: x\r\n"
                  "Connection: close\r\n\r\n".encode())
        assert raw_status(ans) == 404, (target, ans[:200])
        assert secret not in ans and b"secret notes" not in ans
        assert b"nosniff" in ans
    s, h, _ = WebClient(port).get("/assets/style.css")
    assert s == 200
    assert "asset_unreadable" not in d.log()


# ---- cookies and sessions ---------------------------------------------------

def test_cookie_flags_and_secure_behind_https(web):
    c = WebClient(web.port)
    _, h, _ = c.get("/login")
    (pre,) = h["set-cookie"]
    assert pre.startswith("sv_pre=")
    assert "; Path=/; HttpOnly; SameSite=Strict" in pre and \
        "Secure" not in pre
    s, h, _ = c.post("/login", {"name": "coord", "password": PASSWORD})
    sess = [x for x in h["set-cookie"] if x.startswith("sv_session=")][0]
    assert re.fullmatch(r"sv_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; "
                        r"SameSite=Strict", sess), sess
    # behind the TLS proxy
    p = WebClient(web.port, headers={"X-Forwarded-Proto": "https"})
    _, h, _ = p.get("/login")
    assert h["set-cookie"][0].endswith("; Secure"), h["set-cookie"]
    s, h, _ = p.post("/login", {"name": "coord", "password": PASSWORD})
    assert s == 303
    assert all("; Secure" in x for x in h["set-cookie"]), h["set-cookie"]
    _, h, _ = p.get("/lang?set=nl&next=/")
    assert "; Secure" in h["set-cookie"][0]
    assert "Max-Age=31536000" in h["set-cookie"][0]


def test_session_fixation_and_logout(web):
    """Attack side: a session token planted before the login (the
    pre-login cookie's value, or one of the attacker's choosing) never
    becomes the session; after logout the old cookie opens nothing."""
    c = WebClient(web.port)
    c.get("/login")
    planted = c.cookies["sv_pre"]
    c.cookies["sv_session"] = planted
    c.login("coord")
    token = c.cookies["sv_session"]
    assert token != planted and len(token) == 43
    a = WebClient(web.port)
    a.cookies["sv_session"] = planted
    assert a.get("/")[0] == 303
    # a session already open, sent with a new login, is replaced
    old = token
    c.login("coord")
    assert c.cookies["sv_session"] != old
    a.cookies["sv_session"] = old
    assert a.get("/")[0] == 303
    # logout: cookie cleared, the old token dead
    token = c.cookies["sv_session"]
    s, h, _ = c.post("/logout", {})
    assert s == 303 and h["location"] == "/login"
    assert any(x.startswith("sv_session=;") and "Max-Age=0" in x
               for x in h["set-cookie"])
    a.cookies["sv_session"] = token
    s, h, _ = a.get("/")
    assert s == 303 and h["location"] == "/login"
    # logout without the token: refused, the session lives on
    c.login("coord")
    s, _, _ = c.post("/logout", {}, csrf=False)
    assert s == 403
    assert c.get("/")[0] == 200


def test_logout_typed_in_the_address_bar(web):
    """Clumsy side: /logout typed (a GET) shows a page with the button, and
    the session lives until it is pressed; attack side: a link or an image
    to /logout on another site (a GET) logs nobody out.  Not logged in,
    /logout goes to the login page without coming back to it."""
    c = web.client("coord")
    s, h, b = c.get("/logout")
    assert s == 200, s
    assert "<h1>Se déconnecter</h1>" in b
    assert 'action="/logout"' in b and 'name="csrf"' in b
    assert c.get("/")[0] == 200
    s, h, _ = c.post("/logout", {})
    assert s == 303 and h["location"] == "/login"
    s, h, _ = c.get("/logout")
    assert s == 303 and h["location"] == "/login", h


def test_forged_and_garbage_cookies(web):
    """Attack side: tokens of the right shape, too long, too short, with
    bytes that are not base64url, many cookies, an empty one: the login
    page, never an error."""
    c = web.client("coord")
    good = c.cookies["sv_session"]
    for cookie in ("sv_session=" + "A" * 43, "sv_session=" + good[:-1],
                   "sv_session=" + good + "A", "sv_session=",
                   "sv_session=" + "é" * 43, "sv_session=" + "%00" * 20,
                   "sv_session", "=" * 300, ";" * 300,
                   "sv_session=" + good.swapcase(),
                   "; ".join(f"c{i}=v" for i in range(200)),
                   "sv_session=" + "A" * 4000):
        hdr = cookie.encode("utf-8").decode("latin-1")
        ans = raw(web.port, (f"GET / HTTP/1.1\r\nHost: x\r\nCookie: {hdr}"
                             "\r\nConnection: close\r\n\r\n").encode(
                                 "latin-1"))
        assert raw_status(ans) in (303, 400, 431), (cookie[:40], ans[:120])
        assert b"Location: /login" in ans or raw_status(ans) != 303
    # the good cookie among others still works
    ans = raw(web.port, (f"GET / HTTP/1.1\r\nHost: x\r\nCookie: a=b; "
                         f"sv_session={good}; sv_lang=zz\r\n"
                         "Connection: close\r\n\r\n").encode())
    assert raw_status(ans) == 200
    assert_alive(web)


def test_role_change_applies_at_the_next_page(web):
    """An account made coordinator (the control API, as an admin) sees the
    coordinators' pages at its next request, without logging in again;
    made viewer again, it loses them at once."""
    import json as jsonlib
    c = web.client("lecteur")
    assert c.get("/people")[0] == 403

    def make(role):
        body = {"name": "lecteur", "role": role, "password": PASSWORD,
                "replace": True}
        status, _, raw_ = web.d.http("POST", "/v1/web/users",
                                     jsonlib.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
        assert status in (200, 201), raw_
    make("coordinator")
    s, _, b = c.get("/people")
    assert s == 200
    assert "/people" in [p for p, _ in nav_links(c.get("/")[2])]
    make("viewer")
    assert c.get("/people")[0] == 403


def test_removed_account_is_logged_out_at_once(web):
    """A session whose account is removed ends on its next request."""
    c = web.client("lecteur")
    assert c.get("/")[0] == 200
    web.d.ctl("web", "user", "remove", "lecteur", check=0)
    s, h, _ = c.get("/")
    assert s == 303 and h["location"] == "/login"
    assert "session_ended reason=account_removed" in web.d.log()


# ---- redirects stay on the site -----------------------------------------------

def test_next_goes_only_to_a_local_path(web):
    """Attack side: next=//evil.example, /\\evil, http://..., a header
    injection: the login goes to /.  Clumsy side: a page asked for before
    the login is where the login leads."""
    for nxt in ("//evil.example", "/\\evil.example", "http://evil.example",
                "https:evil", "javascript:alert(1)", "/x\r\nSet-Cookie: a=b",
                "/\t/evil", "evil"):
        c = WebClient(web.port)
        s, h, _ = c.login("coord", next_path=nxt)
        assert h["location"] == "/", (nxt, h["location"])
        s, h, _ = c.get("/lang?set=nl&next=" + urllib.parse.quote(nxt))
        assert s == 303 and h["location"] == "/", (nxt, h)
    # a long address asked for: the login, without coming back to it
    s, h, _ = WebClient(web.port).get("/people?q=" + "%C3%A9" * 300)
    assert s == 303 and h["location"] == "/login"
    c = WebClient(web.port)
    s, h, _ = c.get("/calendar?month=2031-03")
    assert h["location"] == "/login?next=%2Fcalendar%3Fmonth%3D2031-03"
    s, _, b = c.get(h["location"])
    assert 'name="next" value="/calendar?month=2031-03"' in b
    s, h, _ = c.post("/login", {"name": "coord", "password": PASSWORD,
                                "next": "/calendar?month=2031-03"})
    assert s == 303 and h["location"] == "/calendar?month=2031-03"


# ---- bodies and bytes -----------------------------------------------------------

def test_a_body_over_64_kib_is_refused(web):
    c = web.client("coord")
    cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    head = ("POST /people/new HTTP/1.1\r\nHost: x\r\nCookie: " + cookie +
            "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Content-Length: 71680\r\n\r\n").encode()
    ans = raw(web.port, head)
    assert raw_status(ans) == 413, ans[:200]
    ans = raw(web.port, head + b"x" * 71680)
    assert ans == b"" or raw_status(ans) == 413
    # 60 KiB (a pasted key) is read: the logout's form with a long field
    s, _, _ = c.post("/logout", {"pad": "k" * 60000})
    assert s == 303
    assert_alive(web)


def test_bad_utf8_and_nul_in_forms_are_handled(web):
    """Clumsy and hostile bytes in every kind of field: invalid UTF-8, NUL,
    %-escapes cut short, <script>, quotes, a huge value: never a 500, never
    the raw markup in the page, the daemon alive."""
    d = web.d
    c = web.client("coord")
    bad = [b"\xff\xfe", b"a\x00b", b"\xc3", "<script>alert(1)</script>",
           '"><img src=x onerror=alert(1)>', "é" * 5000]
    for v in bad:
        for path, name in (("/people/new", "name"), ("/people/new", "phone"),
                           ("/calendar/new", "title"), ("/rota", "from"),
                           ("/shelters/aisova/act", "do")):
            s, _, b = c.post(path, {name: v})
            assert s < 500, (path, name, v[:20], s)
            assert "<script>alert" not in b and "<img src=x" not in b
    for body in (b"name=%ff%fe&csrf=", b"name=%zz&x=%", b"%00=%00&&&=",
                 b"&" * 5000, b"=" * 5000):
        s, _, _ = c.request("POST", "/people/new", body=body,
                            headers={"Content-Type":
                                     "application/x-www-form-urlencoded"})
        assert s == 403          # no valid csrf field: nothing runs
    for q in ("month=%ff", "month=%00", "month=<script>", "week=%",
              "month=" + "9" * 500):
        s, _, b = c.get("/calendar?" + q)
        assert s < 500 and "<script>" not in b, q
        s, _, b = c.get("/rota?" + q.replace("month", "week"))
        assert s < 500 and "<script>" not in b, q
    # login with bytes that are not text
    lc = WebClient(web.port)
    lc.get("/login")
    s, _, _ = lc.post("/login", {"name": b"\xff\x00", "password": b"\x00"})
    assert s == 401
    assert_alive(web)
    assert "people" in snapshot(d)


# ---- languages and roles --------------------------------------------------------

NAV = {
    "fr": ("Tableau de bord", "Personnes", "Calendrier", "Permanences",
           "Logement", "Rapports", "Se déconnecter"),
    "nl": ("Overzicht", "Personen", "Kalender", "Permanenties", "Woning",
           "Rapporten", "Afmelden"),
    "de": ("Übersicht", "Personen", "Kalender", "Bereitschaft",
           "Unterkunft", "Berichte", "Abmelden"),
    "en": ("Dashboard", "People", "Calendar", "On-call rota", "Lodging",
           "Reports", "Log out"),
}


def nav_links(body):
    m = re.search(r"<nav [^>]*><ul>(.*?)</ul></nav>", body)
    assert m, body[:1000]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', m.group(1))


def test_language_links_switch_the_navigation(web):
    c = web.client("coord")
    s, _, b = c.get("/")
    assert '<html lang="fr">' in b
    assert [t for _, t in nav_links(b)] == list(NAV["fr"][:6])
    for lang in ("nl", "de", "en", "fr"):
        link = re.search(r'<a href="(/lang\?set=' + lang + r'[^"]*)"', b)
        assert link, lang
        s, h, _ = c.get(link.group(1).replace("&amp;", "&"))
        assert s == 303 and h["location"] == "/"
        s, _, b = c.get("/")
        assert f'<html lang="{lang}">' in b
        assert [t for _, t in nav_links(b)] == list(NAV[lang][:6])
        assert NAV[lang][6] in b
    # the login page follows the cookie too; an unknown language is French
    s, _, _ = c.get("/lang?set=de&next=/login")
    s, _, b = WebClient(web.port).get("/login")
    assert "Connexion" in b
    c.get("/lang?set=xx")
    s, _, b = c.get("/")
    assert '<html lang="de">' in b       # unchanged by a bad code


def test_account_language_is_the_default(web):
    add_account(web.d, "anke", "viewer", lang="nl")
    c = web.client("anke")
    s, _, b = c.get("/")
    assert '<html lang="nl">' in b and "Overzicht" in b


def test_each_role_sees_its_navigation_and_nothing_above(web):
    """Another role: each account sees only the pages its role opens, and
    every route above it answers 403 (GET) or 403 without running
    (POST)."""
    d = web.d
    expect = {"lecteur": ["/", "/calendar", "/shelters", "/reports"],
              "garde": ["/", "/calendar", "/shelters", "/reports"],
              "coord": ["/", "/people", "/calendar", "/rota", "/shelters",
                        "/reports"]}
    level = {"lecteur": 1, "garde": 2, "coord": 3}
    for name, paths in expect.items():
        c = web.client(name)
        s, _, b = c.get("/")
        assert s == 200
        assert [p for p, _ in nav_links(b)] == paths, name
        assert f'<span class="who">{name}</span>' in b
        before = snapshot(d)
        for method, pattern, role in routes():
            if role <= level[name]:
                continue
            path = fill(pattern, {"id": 1})
            if method == "GET":
                s, h, b = c.get(path)
            else:
                s, h, b = c.post(path, POST_FIELDS.get(pattern, {}))
            assert s == 403, (name, method, path, s)
            assert_security_headers(h)
            if role == 3:
                assert COORD_ONLY in b, (name, path)
        assert snapshot(d) == before, name
