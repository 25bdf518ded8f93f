"""The sms_http channel plugin, loaded alone by tests/tools/plughost through
the plugin ABI: against a private Kannel (what the phone really receives)
and against a small HTTP server of the test's (the status mapping, the body
encodings, basic auth); and its configuration errors."""
import base64
import http.server
import json
import os
import subprocess
import threading
import time
import urllib.parse

import pytest

from conftest import BUILD, sanitizer_report
from srv_kannel import Kannel, kannel  # noqa: F401 (kannel: a fixture)

PLUGHOST = BUILD / "tools" / "plughost"
PLUGIN = BUILD / "plugins" / "sms_http.so"
ACCEPTED = "Accepted for delivery"
TO = "+32470000001"
ACCENTS = "Réunion à 14h00, déjà"
LONG = ("Rappel : plateforme du réseau jeudi à 14h00, salle du conseil, "
        "ordre du jour joint. Merci de confirmer votre présence. ") * 3
LONG = LONG[:300]


@pytest.fixture(autouse=True)
def built():
    for f in (PLUGHOST, PLUGIN):
        assert f.is_file(), (f"{f} missing: make SANITIZE=address,undefined "
                             f"BUILD=build/san {f}")


def message(i, body, to=TO, key=None):
    return {"id": i, "key": key or f"test:{i}", "kind": "reminder",
            "to": to, "body": body, "urgent": False, "created": 1767225600}


def plughost(conf, messages=(), check=False, timeout=60, debug=False):
    """Run plughost with the sms_http plugin; conf: {key: value}.
    Returns (rc, {id: (outcome, reply)}, stderr)."""
    argv = [PLUGHOST] + (["-c"] if check else []) + [PLUGIN]
    argv += [f"{k}={v}" for k, v in conf.items()]
    env = dict(os.environ)
    env.pop("PLUGHOST_DEBUG", None)
    if debug:
        env["PLUGHOST_DEBUG"] = "1"
    stdin = "".join(json.dumps(m) + "\n" for m in messages)
    try:
        r = subprocess.run([str(a) for a in argv], input=stdin, env=env,
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"plughost: no end after {timeout} s: {e.stderr!r}")
    mark = sanitizer_report(r.stderr)
    assert mark is None, f"sanitizer report ({mark}):\n{r.stderr}"
    out = {}
    for line in r.stdout.splitlines():
        parts = line.split(" ", 2)
        out[int(parts[0])] = (parts[1], parts[2] if len(parts) > 2 else "")
    return r.returncode, out, r.stderr


def send(conf, messages, **kw):
    """plughost that must exit 0; {id: (outcome, reply)}."""
    rc, out, err = plughost(conf, messages, **kw)
    assert rc == 0, f"plughost exit {rc}:\n{err}"
    return out


# -- against Kannel ------------------------------------------------------------

def kannel_conf(k, **extra):
    conf = {"url": k.sendsms_url(), "success": ACCEPTED}
    conf.update(extra)
    return conf


def test_kannel_text_exactly_as_sent(kannel, tmp_path):
    k = kannel
    texts = ["Hello from the network", ACCENTS, LONG]
    out = send(kannel_conf(k), [message(i + 1, t) for i, t in
                                enumerate(texts)])
    assert out == {i + 1: ("SENT", "0: Accepted for delivery")
                   for i in range(3)}, out
    got = k.wait_messages(3)
    assert sorted(s.text for s in got) == sorted(texts)
    assert all(s.to == TO and s.sender == k.sender for s in got), got
    raw = k.out.read_text()
    assert raw.count(" udh ") == 2, "300 characters: two concatenated parts"

    # {from} and the template read from url_file (a line too long for the
    # daemon's INI reader)
    f = tmp_path / "url.txt"
    f.write_text(k.sendsms_url(**{"from": "{from}"}) + "\n")
    os.chmod(f, 0o600)          # a secret: it holds the gateway's account
    out = send({"url_file": f, "from": "Coord", "success": ACCEPTED},
               [message(9, "via url_file")])
    assert out == {9: ("SENT", "0: Accepted for delivery")}
    got = k.wait_messages(4)
    assert ("Coord", TO, "via url_file") in got, got


def test_kannel_200_messages_8_connections(kannel):
    """200 SMS through 8 connections (plughost offers the next message as
    soon as send() takes one again): each arrives exactly once.  (Not many
    more connections: smsbox leaves some of ~200 simultaneous keep-alive
    connections unanswered until the client's timeout; curl's own command
    line does the same.)"""
    k = kannel
    msgs = [message(i, f"message {i:03d} é") for i in range(1, 201)]
    t0 = time.monotonic()
    out = send(kannel_conf(k, max_connections=8), msgs)
    sent = time.monotonic() - t0
    assert out == {m["id"]: ("SENT", "0: Accepted for delivery")
                   for m in msgs}, [o for o in out.values()
                                    if o[0] != "SENT"][:5]
    got = k.wait_messages(200, timeout=60)
    elapsed = time.monotonic() - t0
    assert sorted(s.text for s in got) == [m["body"] for m in msgs]
    print(f"\nsms_http -> Kannel: 200 SMS, max_connections 8: all accepted "
          f"in {sent:.2f} s, all on the phone in {elapsed:.2f} s "
          f"({200 / elapsed:.0f} SMS/s, plughost start included)")


def test_kannel_post(kannel):
    k = kannel
    # Kannel's POST interface: the text is the body (text/plain), the rest
    # in X-Kannel headers
    conf = {"url": k.post_url(), "method": "POST", "body": "{text}",
            "body_type": "text", "from": "Coord", "success": ACCEPTED,
            "headers": k.post_headers() + "|X-Kannel-From: {from}"}
    out = send(conf, [message(1, ACCENTS), message(2, LONG)])
    assert out == {1: ("SENT", "0: Accepted for delivery"),
                   2: ("SENT", "0: Accepted for delivery")}, out
    got = k.wait_messages(2)
    assert sorted(got) == sorted([("Coord", TO, ACCENTS),
                                  ("Coord", TO, LONG)]), got
    # a form body with the credentials in it: Kannel's sendsms takes only
    # text/plain (or XML) bodies, and says so with a 400
    conf = {"url": k.post_url(), "method": "POST", "success": ACCEPTED,
            "body": f"username={k.username}&password={k.password}"
                    f"&to={{to}}&text={{text}}"}
    out = send(conf, [message(3, "form")])
    assert out == {3: ("FAILED", "HTTP 400: Invalid content-type")}, out


def test_kannel_success_pattern_not_found(kannel):
    out = send(kannel_conf(kannel, success="Queued for later"),
               [message(1, "x")])
    assert out == {1: ("FAILED", "0: Accepted for delivery")}, out


def test_kannel_queued_while_smsc_offline(kannel):
    """With the SMSC offline Kannel answers 202 "3: Queued for later
    delivery" and delivers when it is back: success may list both answers;
    with "Accepted for delivery" alone that is FAILED (and then delivered
    anyway: a duplicate if the host falls back to another channel)."""
    k = kannel
    k.phone_off()
    both = ACCEPTED + "|Queued for later delivery"
    out = send(kannel_conf(k, success=both), [message(1, "queued one")])
    assert out == {1: ("SENT", "3: Queued for later delivery")}, out
    out = send(kannel_conf(k), [message(2, "queued two")])
    assert out == {2: ("FAILED", "3: Queued for later delivery")}, out
    k.phone_on()
    got = k.wait_messages(2)
    assert sorted(s.text for s in got) == ["queued one", "queued two"]


def test_kannel_mo_injection(tmp_path):
    """srv_kannel's MO path: a reply from a phone reaches the get-url."""
    seen = []
    srv = Server(seen)
    try:
        mo = (f"http://127.0.0.1:{srv.port}/sms/inbound?"
              f"from=%p&to=%P&text=%a")
        with Kannel(tmp_path / "k", mo_url=mo) as k:
            k.inject_mo("+32470000007", "OK 4821")
            deadline = time.monotonic() + 10
            while not seen and time.monotonic() < deadline:
                time.sleep(0.05)
            assert seen, "no MO at the get-url"
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(seen[0]["path"])
                                      .query)
            assert q["from"] == ["+32470000007"] and q["text"] == ["OK 4821"]
            assert q["to"] == [k.sender]
            # the fakesmsc that sent the MO is the receiver now
            out = send(kannel_conf(k), [message(1, "after the MO")])
            assert out[1][0] == "SENT"
            assert (k.sender, TO, "after the MO") in k.wait_messages(1)
    finally:
        srv.stop()


# -- against a small HTTP server ---------------------------------------------

class Server:
    """http.server on a free 127.0.0.1 port, in a thread.  Each request is
    recorded in seen (method, path, headers, body); the answer is
    reply(request) -> (status, body), by default 200 "OK: queued"."""

    def __init__(self, seen, reply=None, delay=0.0):
        self.seen = seen
        self.lock = threading.Lock()
        self.active = self.max_active = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self):
                n = int(self.headers.get("Content-Length") or 0)
                req = {"method": self.command, "path": self.path,
                       "headers": dict(self.headers),
                       "body": self.rfile.read(n),
                       "client": self.client_address}
                with outer.lock:
                    outer.seen.append(req)
                    outer.active += 1
                    outer.max_active = max(outer.max_active, outer.active)
                if delay:
                    time.sleep(delay)
                with outer.lock:
                    outer.active -= 1
                status, body = (reply or (lambda r: (200, "OK: queued")))(req)
                data = body.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up

            do_GET = do_POST = handle_one

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def url(self, path="/send?to={to}&text={text}"):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server():
    made = []

    def make(reply=None, delay=0.0):
        s = Server([], reply, delay)
        made.append(s)
        return s
    yield make
    for s in made:
        s.stop()


def test_status_mapping(server):
    answers = {"/503": (503, "Service Unavailable\nmore"),
               "/429": (429, "Too Many Requests"),
               "/500": (500, ""),
               "/400": (400, "Bad number"),
               "/404": (404, "Not Found"),
               "/302": (302, "elsewhere"),
               "/200": (200, "OK: queued 77\nsecond line"),
               "/204": (204, ""),
               "/200nopat": (200, "ERROR: no credit")}
    s = server(lambda r: answers[urllib.parse.urlsplit(r["path"]).path])
    want = {"/503": ("RETRY", "HTTP 503: Service Unavailable"),
            "/429": ("RETRY", "HTTP 429: Too Many Requests"),
            "/500": ("RETRY", "HTTP 500"),
            "/400": ("FAILED", "HTTP 400: Bad number"),
            "/404": ("FAILED", "HTTP 404: Not Found"),
            "/302": ("FAILED", "HTTP 302: elsewhere"),
            "/200": ("SENT", "OK: queued 77"),
            "/204": ("SENT", "HTTP 204")}
    for path, expect in want.items():
        out = send({"url": s.url(path + "?to={to}")}, [message(1, "x")])
        assert out == {1: expect}, path
    # with a success pattern, a 2xx without it is a failure
    for path, expect in (("/200", ("SENT", "OK: queued 77")),
                         ("/200nopat", ("FAILED", "ERROR: no credit")),
                         ("/204", ("FAILED", "HTTP 204")),
                         ("/503", ("RETRY", "HTTP 503: Service Unavailable"))):
        out = send({"url": s.url(path), "success": "nope | OK: queued"},
                   [message(1, "x")])
        assert out == {1: expect}, path


def test_get_url_encoding(server):
    s = server()
    text = 'Réunion à 14h00 & "tout" 100% + {to}? #1 / \\ \n fin'
    out = send({"url": s.url("/send?u=a%20b&to={to}&text={text}&f={from}"),
                "from": "Coord sociale"}, [message(1, text)])
    assert out == {1: ("SENT", "OK: queued")}
    req = s.seen[0]
    assert req["method"] == "GET"
    path, _, query = req["path"].partition("?")
    assert path == "/send"
    assert urllib.parse.parse_qs(query, keep_blank_values=True) == {
        "u": ["a b"], "to": [TO], "text": [text], "f": ["Coord sociale"]}
    assert "%2B32470000001" in query


def test_post_json_body_escaped(server):
    s = server()
    text = 'Il a dit "oui" \\ puis\nRéunion à 14h00\ttab \x01 € fin'
    conf = {"url": s.url("/api/sms"), "method": "POST", "body_type": "json",
            "body": '{"to": "{to}", "message": "{text}", "sender": "{from}"}',
            "from": 'S"V', "headers": "X-Api-Key: k123|X-To: {to}"}
    out = send(conf, [message(1, text)])
    assert out == {1: ("SENT", "OK: queued")}
    req = s.seen[0]
    assert req["method"] == "POST"
    assert req["headers"]["Content-Type"] == "application/json"
    assert req["headers"]["X-Api-Key"] == "k123"
    assert req["headers"]["X-To"] == TO
    assert json.loads(req["body"].decode()) == {
        "to": TO, "message": text, "sender": 'S"V'}
    assert b"\\u0001" in req["body"] and "à".encode() in req["body"]


def test_post_form_body(server):
    s = server()
    text = "Réunion à 14h00 & co = 100% +1"
    conf = {"url": s.url("/form"), "method": "POST",
            "body": "user=u&to={to}&text={text}"}
    out = send(conf, [message(1, text)])
    assert out == {1: ("SENT", "OK: queued")}
    req = s.seen[0]
    assert req["headers"]["Content-Type"] == \
        "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qs(req["body"].decode()) == {
        "user": ["u"], "to": [TO], "text": [text]}


def test_basic_auth_from_auth_file(server, tmp_path):
    s = server()
    auth = tmp_path / "auth"
    auth.write_text("gateway-user:pa:ss w0rd\n")
    os.chmod(auth, 0o600)
    out = send({"url": s.url(), "auth_file": auth}, [message(1, "x")])
    assert out == {1: ("SENT", "OK: queued")}
    want = base64.b64encode(b"gateway-user:pa:ss w0rd").decode()
    assert s.seen[0]["headers"]["Authorization"] == f"Basic {want}"
    # readable by the group only is accepted
    os.chmod(auth, 0o640)
    out = send({"url": s.url(), "auth_file": auth}, [message(2, "x")])
    assert out == {2: ("SENT", "OK: queued")}


def test_connection_refused_and_timeout(server):
    s = server()
    dead = s.port
    s.stop()
    out = send({"url": f"http://127.0.0.1:{dead}/send?to={{to}}"},
               [message(1, "x"), message(2, "y")])
    assert [o[0] for o in out.values()] == ["RETRY", "RETRY"], out
    assert "onnect" in out[1][1], out
    slow = server(delay=3.0)
    t0 = time.monotonic()
    out = send({"url": slow.url(), "timeout": "1"}, [message(3, "x")])
    assert out[3][0] == "RETRY" and "timed out" in out[3][1], out
    assert time.monotonic() - t0 < 2.5


def test_max_connections_and_keep_alive(server):
    """send() takes no more than max_connections messages at a time, and
    each easy handle keeps its connection for the next message."""
    s = server(delay=0.2)
    msgs = [message(i, f"m{i}") for i in range(1, 7)]
    t0 = time.monotonic()
    out = send({"url": s.url(), "max_connections": "2"}, msgs)
    elapsed = time.monotonic() - t0
    assert out == {i: ("SENT", "OK: queued") for i in range(1, 7)}
    assert len(s.seen) == 6
    assert s.max_active == 2, s.max_active
    assert elapsed >= 0.55, elapsed          # 3 rounds of 0.2 s
    assert len({r["client"] for r in s.seen}) == 2, \
        [r["client"] for r in s.seen]


def test_nothing_logged_about_the_message(server):
    s = server(lambda r: (503, "down"))
    rc, out, err = plughost({"url": s.url()},
                            [message(1, "Texte secret Réunion")], debug=True)
    assert rc == 0 and out[1][0] == "RETRY"
    assert "id=1" in err, err
    assert "secret" not in err and "470000001" not in err, err


@pytest.mark.parametrize("conf,key,words", [
    ({}, "section", "url"),
    ({"url": "http://h/s?to={to}&t={txt}"}, "url", "{txt}"),
    ({"url": "http://h/s?to={to}", "url_file": "/etc/hostname"},
     "url_file", "not both"),
    ({"url_file": "/nonexistent/url"}, "url_file", "No such file"),
    ({"url": "ftp://h/{to}"}, "url", "http"),
    ({"url": "http://h/{to}", "method": "PUT"}, "method", "PUT"),
    ({"url": "http://h/{to}", "body": "{text}"}, "body", "POST"),
    ({"url": "http://h/{to}", "method": "POST", "body": "{to}{name}"},
     "body", "{name}"),
    ({"url": "http://h/{to}", "method": "POST", "body_type": "xml"},
     "body_type", "xml"),
    ({"url": "http://h/{to}", "headers": "NoColon"}, "headers", "Name"),
    ({"url": "http://h/{to}&f={from}"}, "from", "{from}"),
    ({"url": "http://h/{to}", "timeout": "0"}, "timeout", "integer"),
    ({"url": "http://h/{to}", "success": " | "}, "success", "empty"),
    ({"url": "http://h/{to}", "max_connections": "many"},
     "max_connections", "integer"),
])
def test_config_errors(tmp_path, conf, key, words):
    rc, out, err = plughost(conf, check=True)
    assert rc == 1, err
    lines = [l for l in err.splitlines() if l.startswith(f"config: {key}: ")]
    assert lines and words in lines[0], err


def test_config_auth_file_world_readable(tmp_path):
    auth = tmp_path / "auth"
    auth.write_text("u:p\n")
    os.chmod(auth, 0o604)
    rc, out, err = plughost({"url": "http://h/{to}", "auth_file": auth},
                            check=True)
    assert rc == 1
    assert "config: auth_file: " in err and "lisible par tous" in err, err
    assert "u:p" not in err
    auth.write_text("no colon\n")
    os.chmod(auth, 0o600)
    rc, out, err = plughost({"url": "http://h/{to}", "auth_file": auth},
                            check=True)
    assert rc == 1 and "config: auth_file: " in err, err


def test_config_ok(tmp_path):
    f = tmp_path / "url"
    f.write_text("http://127.0.0.1:1/s?to={to}&text={text}\nignored\n")
    os.chmod(f, 0o600)
    for conf in ({"url": "http://127.0.0.1:1/s?to={to}&text={text}"},
                 {"url_file": f, "method": "post", "body_type": "json",
                  "body": '{"a": "{text}"}', "timeout": "30",
                  "max_connections": "16", "success": "OK",
                  "headers": "A: b | C: {to}|"}):
        rc, out, err = plughost(conf, check=True)
        assert rc == 0 and err == "", err


# -- delivery reports (dlr_url) ------------------------------------------------

DLR = "http://127.0.0.1:8481/sms/dlr?id=7&mac=00ff&type=%d"


def test_dlr_url_appended_for_kannel(server):
    """No {dlr_url} in the templates: Kannel's dlr-mask and dlr-url join
    the query (the host's URL encoded, its %d kept for Kannel); without a
    dlr_url nothing is added, and the number never enters the report URL."""
    s = server()
    m = dict(message(7, "x"), dlr_url=DLR)
    rc, out, err = plughost({"url": s.url()}, [m, message(8, "y")],
                            debug=True)
    assert rc == 0 and out[7][0] == "SENT", err
    assert "plughost: reports" in err
    q7 = urllib.parse.parse_qs(s.seen[0]["path"].partition("?")[2])
    assert q7["dlr-mask"] == ["27"] and q7["dlr-url"] == [DLR]
    assert q7["to"] == [TO]
    assert "%25d" in s.seen[0]["path"]          # %d, encoded once
    assert "dlr" not in s.seen[1]["path"]       # no dlr_url: no report


def test_dlr_url_placed_by_the_template(server):
    """A provider's API: {dlr_url} where it wants it, nothing appended;
    delivery_reports = no sends none and does not tell the host."""
    s = server()
    conf = {"url": s.url("/api"), "method": "POST", "body_type": "json",
            "body": '{"to": "{to}", "text": "{text}", "cb": "{dlr_url}"}'}
    out = send(conf, [dict(message(1, "x"), dlr_url=DLR)])
    assert out[1][0] == "SENT"
    assert json.loads(s.seen[0]["body"])["cb"] == DLR
    assert "dlr" not in s.seen[0]["path"]
    rc, out, err = plughost({"url": s.url(), "delivery_reports": "no"},
                            [dict(message(2, "x"), dlr_url=DLR)], debug=True)
    assert rc == 0 and "plughost: reports" not in err, err
    assert "dlr" not in s.seen[1]["path"]


@pytest.mark.parametrize("conf, words", [
    ({"url": "http://h/{to}", "delivery_reports": "oui"}, "yes or no"),
    ({"url": "http://h/{to}&cb={dlr_url}", "delivery_reports": "no"},
     "{dlr_url}"),
    ({"url": "http://h/{to}&cb={dlr}"}, "{dlr_url}"),
])
def test_dlr_config_errors(conf, words):
    rc, out, err = plughost(conf, check=True)
    assert rc == 1, err
    assert words in err, err
