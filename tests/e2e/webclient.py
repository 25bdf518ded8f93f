"""
An HTTP client for the console's end-to-end tests, and the `web` fixture:
the real stoppvifd with its web listener on 127.0.0.1, the apartment
aisova on the spool channel, a few people (one on call now) and an account
per role.

WebClient speaks HTTP/1.1 with http.client (no third-party module) and
keeps the cookies the daemon sets, as a browser would (Max-Age=0 removes
one).  post() fills the CSRF field from the last page it read (or GETs /
first), so a test writes only the fields it means.  Every answer is
(status, headers, body): headers a dict of lower-case names (Set-Cookie
lines as a list), body the text as sent.

    from webclient import web, WebClient      # noqa: F401
"""
import datetime as dt
import html
import http.client
import re
import urllib.parse

import pytest

from conftest import STOPPVIFCTL, TOP, run
from srv_smtp import free_port

PASSWORD = "correct horse battery"
ACCOUNTS = ("coord", "garde", "lecteur")
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]*)"')
TIMEOUT = 15.0


class WebClient:
    """A browser without a screen: a cookie jar and the last page read."""

    def __init__(self, port, host="127.0.0.1", headers=None):
        self.port = port
        self.host = host
        self.cookies = {}
        self.last = ""            # the last body read
        self.headers = dict(headers or {})

    # -- the wire --------------------------------------------------------

    def request(self, method, path, body=None, headers=None, raw=False):
        """One request on a new connection; (status, headers, body)."""
        conn = http.client.HTTPConnection(self.host, self.port,
                                          timeout=TIMEOUT)
        hdrs = dict(self.headers)
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in
                                       self.cookies.items())
        hdrs.update(headers or {})
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            out = {}
            for k, v in resp.getheaders():
                k = k.lower()
                if k == "set-cookie":
                    out.setdefault(k, []).append(v)
                else:
                    out[k] = v
            status = resp.status
        finally:
            conn.close()
        for line in out.get("set-cookie", []):
            self._keep(line)
        text = data if raw else data.decode("utf-8")
        if not raw:
            self.last = text
        return status, out, text

    def _keep(self, line):
        name, _, rest = line.partition("=")
        value = rest.split(";", 1)[0]
        if re.search(r";\s*Max-Age=0\b", line) or value == "":
            self.cookies.pop(name.strip(), None)
        else:
            self.cookies[name.strip()] = value

    # -- what a test does ------------------------------------------------

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def csrf(self):
        """The CSRF token of the last page, else of a fresh GET /."""
        m = CSRF_FIELD.search(self.last)
        if m is None:
            self.get("/")
            m = CSRF_FIELD.search(self.last)
        return m.group(1) if m else None

    def post(self, path, fields=None, csrf=True, headers=None):
        """POST fields (a dict, or a list of pairs; bytes values are sent
        as they are) as an urlencoded form, with the session's CSRF token
        when csrf is true (a string: that token)."""
        pairs = list(fields.items()) if isinstance(fields, dict) else \
            list(fields or [])
        if csrf is True:
            token = self.csrf()
            if token is not None:
                pairs.append(("csrf", token))
        elif isinstance(csrf, str):
            pairs.append(("csrf", csrf))
        body = "&".join(
            f"{urllib.parse.quote_plus(k)}="
            f"{urllib.parse.quote_plus(v)}" for k, v in pairs).encode()
        hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
        hdrs.update(headers or {})
        return self.request("POST", path, body=body, headers=hdrs)

    def login(self, name, password=PASSWORD, next_path=None, check=True):
        """The login page, then its form; the answer to the POST."""
        self.get("/login")
        fields = {"name": name, "password": password}
        if next_path is not None:
            fields["next"] = next_path
        r = self.post("/login", fields)
        if check:
            assert r[0] == 303, f"login {name}: {r[0]}\n{r[2][:600]}"
        return r


class Web:
    """The started daemon with its console: port, client maker, ids."""

    def __init__(self, d, port, people):
        self.d = d
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.people = people        # name -> person id
        self.oncall = people["garde"]

    def client(self, login=None):
        c = WebClient(self.port)
        if login is not None:
            c.login(login)
        return c


def add_account(d, name, role, person=None, password=PASSWORD, lang=None):
    argv = [STOPPVIFCTL, "-c", d.conf, "web", "user", "add", name,
            "--role", role]
    if person is not None:
        argv += ["--person", str(person)]
    if lang is not None:
        argv += ["--lang", lang]
    r = run(argv, input=f"{password}\n{password}\n")
    assert r.returncode == 0, (f"web user add {name}: exit {r.returncode}"
                               f"\n{r.stdout}{r.stderr}")


def error_under(page, field):
    """The text of the error the page writes under field (web_input),
    unescaped, or None."""
    m = re.search(r'<p class="error" id="e-%s">(.*?)</p>' % field, page,
                  re.S)
    return html.unescape(m.group(1)) if m else None


def value_of(page, name):
    """The value attribute of input name as the browser reads it."""
    m = re.search(r'<input[^>]*\bname="%s"[^>]*>' % re.escape(name), page)
    assert m, f"no input {name!r}"
    v = re.search(r'\bvalue="([^"]*)"', m.group(0))
    return html.unescape(v.group(1)) if v else ""


def untokened(page):
    """The page without its CSRF tokens' values: random base64url that may
    hold any short run of digits a test looks for."""
    return re.sub(r'(name="csrf" value=")[^"]*"', r'\1"', page)


def local_time(t):
    """A Brussels local time as the CLI takes it."""
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def web_config(port):
    """The [sections] of a daemon with the console on 127.0.0.1:port,
    the assets of etc/web, the spool channels and the apartment aisova."""
    return ("[channel.sms]\nplugin = spool\n\n"
            "[channel.email]\nplugin = spool\n\n"
            f"[web]\nlisten = 127.0.0.1:{port}\n"
            f"assets = {TOP / 'etc' / 'web'}\n\n"
            "[shelter.aisova]\ntitle = Appartement d'urgence\n"
            "notify = role:oncall\n")


@pytest.fixture
def web(daemon_env):
    """A started daemon with the console on 127.0.0.1:<free port>, assets
    from etc/web, the apartment aisova (spool channel), people (Gaëlle on
    call now) and the accounts coord, garde (Gaëlle) and lecteur, all with
    the password PASSWORD."""
    from shelter_net import BXL
    d = daemon_env
    port = free_port()
    d.write_config(extra=web_config(port))
    d.start()
    people = {
        "garde": d.add_person(name="Gaëlle Garde", role="oncall",
                              phone="0470 55 00 01",
                              email="gaelle@example.test"),
        "ref": d.add_person(name="Rita Référente", role="referent",
                            phone="0470 55 00 02",
                            email="rita@example.test"),
        "coord": d.add_person(name="Chloé Coordination", role="coordinator",
                              email="chloe@example.test"),
    }
    now = dt.datetime.now(BXL)
    d.ctl_json("oncall", "set", str(people["garde"]),
               "--from", local_time(now - dt.timedelta(hours=1)),
               "--to", local_time(now + dt.timedelta(hours=3)))
    add_account(d, "coord", "coordinator")
    add_account(d, "garde", "oncall", people["garde"])
    add_account(d, "lecteur", "viewer")
    d.secrets.add(PASSWORD)
    return Web(d, port, people)
