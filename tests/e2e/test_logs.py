"""
Log hygiene: every line the daemon writes reads "module event key=value"
(stoppvifd(8), Logging), and --log-format json (or [daemon] log_format = json)
makes each one JSON object with the same module, event and keys.

One representative run (start, a reminder sent through the spool channel,
requests good and bad, a reload accepted and one refused, stop) is logged
as text and as JSON and every line checked.  From an attacker's side: an
SMS gateway's answer made to forge a key, a line of its own and a terminal
colour.  From a clumsy user's side: a format misspelt on the command line
or in the file.  conftest.py holds every e2e test's
log to the same form.
"""
import datetime as dt
import http.server
import json
import re
import threading
import time
from zoneinfo import ZoneInfo

import pytest

from conftest import run, LOG_FORM, STOPPVIFD

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
BXL = ZoneInfo("Europe/Brussels")
FORGED_REPLY = ('0: Accepted" event=forged forged=1 été \x1b[31m\r\n'
                '2026-01-01T00:00:00.000Z stoppvifd: daemon stopped'
                ).encode()


def text_lines(text):
    """The log's lines, each checked against the form."""
    lines = text.splitlines()
    bad = [x for x in lines if not LOG_FORM.match(x)]
    assert not bad, "lines not in the form:\n" + "\n".join(bad)
    return lines


def json_lines(text):
    """The log's lines as objects, each checked: one object, in the form."""
    out = []
    for x in text.splitlines():
        try:
            o = json.loads(x)
        except ValueError:
            raise AssertionError(f"not a JSON line: {x!r}")
        assert isinstance(o, dict), x
        assert "msg" not in o, f"a line not in the form: {x}"
        assert re.fullmatch(STAMP, o["ts"]), x
        assert o["prog"] == "stoppvifd", x
        assert o["level"] in ("debug", "info", "warn", "fatal"), x
        assert re.fullmatch(r"[a-z_.0-9]+", o["module"]), x
        assert re.fullmatch(r"[a-z_]+", o["event"]), x
        out.append(o)
    return out


def remind_soon(d, pid, lead=6, offset=4, channels="email"):
    start_at = (dt.datetime.now(BXL) + dt.timedelta(seconds=lead)).replace(
        microsecond=0)
    d.ctl_json("events", "add", "--title", "Plateforme", "--dtstart",
               start_at.strftime("%Y-%m-%dT%H:%M:%S"), "--remind",
               f"{offset}s", "--audience", f"person:{pid}", "--channels",
               channels)


def wait_sent(d, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = d.ctl_json("outbox", "list")
        if rows and all(r["status"] == "sent" for r in rows):
            return rows
        time.sleep(0.2)
    raise AssertionError(f"no reminder sent in {timeout} s:\n{d.log()}")


def reloaded(d, expect):
    """SIGHUP; wait for the daemon's decision, as text or JSON."""
    json_mode = "json" in d.running_args
    words = {"config reloaded": '"reloaded"',
             "reload_refused": '"reload_refused"'}
    return d.hup(expect=tuple(words[e] if json_mode else e for e in expect))


def representative_run(d, args=(), daemon_extra=""):
    """Start, send a reminder, bad requests, reloads, stop; the log."""
    d.write_config(daemon_extra=daemon_extra)
    d.running_args = args
    d.start(args=args)
    pid = d.add_person(name="Anne", role="referent",
                       email="anne@example.test")
    remind_soon(d, pid)
    wait_sent(d)
    assert d.http("GET", "/v1/nowhere")[0] == 404
    assert d.http("POST", "/v1/people", body=b"{not json")[0] == 400
    assert d.http("GET", "/v1/shelters/x%22y")[0] == 404
    reloaded(d, ("config reloaded", "reload_refused"))
    good = d.conf.read_text()
    d.conf.write_text(good + "\n[daemon]\ntimezone = Mars/Olympus\n")
    assert "reload_refused" in reloaded(d, ("reload_refused",))
    d.conf.write_text(good)
    reloaded(d, ("config reloaded",))
    d.stop()
    return d.log()


def test_text_lines_follow_the_form(daemon_env):
    text = representative_run(daemon_env)
    lines = text_lines(text)
    for needle in ("daemon ready", "dispatch sent", "api request",
                   "config reloaded", "config reload_refused",
                   "daemon stopped", "channel.email "):
        assert any(needle in x for x in lines), f"no {needle!r}:\n{text}"
    # the refusal says why in one line: file:line of the bad key, escaped
    refused = [x for x in lines if "reload_refused" in x]
    assert len(refused) == 1 and "timezone" in refused[0], refused


def test_json_lines_carry_module_event_and_keys(daemon_env):
    objs = json_lines(representative_run(daemon_env,
                                         args=("--log-format", "json")))
    sent = [o for o in objs if (o["module"], o["event"]) ==
            ("dispatch", "sent")]
    assert sent and isinstance(sent[0]["id"], int), sent
    assert any(o["event"] == "ready" and isinstance(o["pid"], int)
               for o in objs)
    assert any(o["event"] == "reload_refused" and o["level"] == "warn" and
               "error" in o for o in objs)


def test_config_key_and_command_line(daemon_env):
    """[daemon] log_format = json writes JSON; --log-format text wins over
    it, across a reload too."""
    d = daemon_env
    d.write_config(daemon_extra="log_format = json\n")
    d.start()
    d.stop()
    json_lines(d.log())
    d.log_path.unlink()
    d.start(args=("--log-format", "text"))
    d.hup()     # the file says json: the command line still wins
    d.stop()
    text_lines(d.log())
    # without the option, a reload switches: text lines, then JSON ones
    d.log_path.unlink()
    d.write_config()
    d.start()
    d.write_config(daemon_extra="log_format = json\n")
    d.hup(expect=('"reloaded"',))
    d.stop()
    lines = d.log().splitlines()
    i = next(i for i, x in enumerate(lines) if x.startswith("{"))
    text_lines("\n".join(lines[:i]))
    objs = json_lines("\n".join(lines[i:]))
    assert "signal hup" in lines[i - 1], lines[i - 1]
    assert any(o["event"] == "reloaded" for o in objs), objs


class HostileGateway(http.server.BaseHTTPRequestHandler):
    """An SMS gateway whose answer tries to forge a key, a line of its own
    and a terminal colour, with a character that is not ASCII."""

    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(FORGED_REPLY)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_hostile_server_reply_stays_one_value(daemon_env, fmt):
    """What a server answers reaches the log (dispatch sent reply=...):
    escaped, it makes neither a line nor a key of its own."""
    srv = http.server.HTTPServer(("127.0.0.1", 0), HostileGateway)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    d = daemon_env
    try:
        d.write_config(extra="[channel.sms]\nplugin = sms_http\nurl = "
                       f"http://127.0.0.1:{srv.server_port}/send?to={{to}}"
                       "&text={text}\n")
        d.start(args=("--log-format", fmt))
        pid = d.add_person(name="Anne", role="referent",
                           phone="0470 99 00 01")
        remind_soon(d, pid, channels="sms")
        wait_sent(d)
        d.stop()
    finally:
        srv.shutdown()
    log = d.log()
    assert "\x1b" not in log and "\r" not in log
    if fmt == "text":
        lines = text_lines(log)
        assert sum(x.endswith("daemon stopped") for x in lines) == 1
        sent = [x for x in lines if " dispatch sent " in x]
        assert len(sent) == 1 and "event=forged" in sent[0], sent
        return
    objs = json_lines(log)
    assert sum(o["event"] == "stopped" for o in objs) == 1
    assert not any("forged" in o for o in objs)
    sent = [o for o in objs if (o["module"], o["event"]) ==
            ("dispatch", "sent")]
    assert len(sent) == 1, sent
    # the reply as the server wrote it, the escapes undone
    assert 'Accepted" event=forged' in sent[0]["reply"], sent
    assert "\u00e9t\u00e9" in sent[0]["reply"], sent


def test_misspelt_format_is_refused(daemon_env):
    d = daemon_env
    d.write_config()
    r = run([STOPPVIFD, "-f", "-c", d.conf, "--log-format", "JSON"])
    assert r.returncode == 2
    assert "--log-format" in r.stderr and "text ou json" in r.stderr
    d.write_config(daemon_extra="log_format = yaml\n")
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    assert r.returncode == 1
    assert re.search(r":\d+: log_format: .*yaml", r.stderr), r.stderr
