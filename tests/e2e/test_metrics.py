"""
Metrics and health end to end: a daemon with [daemon] metrics_listen, real
channels (smtp-sink, Kannel with its fake SMSC) and a shelter.  /metrics
counts move with what is really delivered, claimed and reloaded, and pass
`promtool check metrics` with no complaint; /healthz and /readyz answer,
/readyz 503 while another process holds the database's write lock; status
shows the same readiness and each channel's last success and last error.
From the attacker's side: garbage, huge and wrong requests get the strict
server's refusals, and no label names anyone.  From the clumsy user's:
a public address, a name, a missing port are refused with file:line.
"""
import datetime as dt
import os
import re
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request

from zoneinfo import ZoneInfo

import pytest

from conftest import STOPPVIFD, run, http_unix
from shelter_net import net  # noqa: F401 (the fixture)
from srv_smtp import free_port

PROMTOOL = "/usr/bin/promtool"
BXL = ZoneInfo("Europe/Brussels")
METRICS_PORT = free_port()
SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$')
MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet",
        "août", "septembre", "octobre", "novembre", "décembre"]


def metrics_extra():
    return f"metrics_listen = 127.0.0.1:{METRICS_PORT}\n"


def get(path, port=None):
    """(status, content type, body text) of GET path on the listener."""
    url = f"http://127.0.0.1:{port or METRICS_PORT}{path}"
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


def scrape(port=None):
    status, ctype, text = get("/metrics", port)
    assert status == 200, text
    assert ctype.startswith("text/plain; version=0.0.4"), ctype
    return text


def samples(text):
    """{(name, labels text): value} of the scrape."""
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line:
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        out[(m[1], m[2] or "")] = float(m[3])
    return out


def value(text, name, labels=""):
    return samples(text).get((name, labels))


def sent(text, channel):
    return value(text, "stoppvif_messages_total",
                 f'channel="{channel}",outcome="sent"')


def promtool_clean(text):
    """promtool check metrics: exit 0 and not one line of complaint."""
    r = subprocess.run([PROMTOOL, "check", "metrics"], input=text,
                       capture_output=True, text=True, timeout=30)
    out = (r.stdout + r.stderr).strip()
    assert r.returncode == 0 and out == "", f"promtool: {out}\n{text}"


def wait_for(pred, what, d, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not after {timeout} s\n{d.log()[-3000:]}")
        time.sleep(0.2)


def remind_both(d, ids):
    """A reminder to ids by email and SMS, due in a few seconds."""
    at = (dt.datetime.now(BXL) + dt.timedelta(seconds=8)).replace(
        microsecond=0)
    d.ctl_json("events", "add", "--title", "Plateforme", "--dtstart",
               at.strftime("%Y-%m-%dT%H:%M:%S"), "--remind", "5s",
               "--audience", ",".join(f"person:{i}" for i in ids),
               "--channels", "email,sms")


@pytest.mark.skipif(not os.access(PROMTOOL, os.X_OK),
                    reason="promtool (Debian package prometheus) missing")
@pytest.mark.net(daemon_extra=metrics_extra)
def test_counts_move_with_deliveries_and_promtool_is_clean(net):
    d = net.d
    before = scrape()
    promtool_clean(before)
    assert sent(before, "email") == 0 and sent(before, "sms") == 0
    assert value(before, "stoppvif_build_info", 'version="0.1"') == 1
    assert value(before, "stoppvif_next_reminder_seconds") is None
    ids = [net.person(n, "referent", i)[0]
           for i, n in enumerate(["Anne Dupont", "Bruno Lemaire"], 1)]
    remind_both(d, ids)
    mid = scrape()      # planned: seconds to the reminder
    assert 0 <= value(mid, "stoppvif_next_reminder_seconds") <= 10
    net.wait(lambda: len(net.kannel.messages()) == 2 and
             len(net.sink.messages()) == 2, "2 SMS and 2 emails")
    wait_for(lambda: sent(scrape(), "sms") == 2 and
             sent(scrape(), "email") == 2, "counts of 2 sent", d)
    after = scrape()
    promtool_clean(after)
    assert value(after, "stoppvif_outbox_messages",
                 'channel="email",status="sent"') == 2
    assert value(after, "stoppvif_outbox_messages",
                 'channel="sms",status="sent"') == 2
    assert value(after, "stoppvif_outbox_oldest_pending_age_seconds") == 0
    assert value(after, "stoppvif_messages_total",
                 'channel="sms",outcome="failed"') == 0
    # a shelter alert, claimed: the open gauge and the claim histogram
    pid, phone = net.person("Chloe Martin", "referent", 3)
    net.on_call(pid)
    code = net.vacate()
    wait_for(lambda: value(scrape(), "stoppvif_alerts_open") == 1,
             "one open alert", d)
    d.ctl_json("alerts", "ack", code, "--by", str(pid))
    text = scrape()
    assert value(text, "stoppvif_alerts_open") == 0
    assert value(text, "stoppvif_claim_duration_seconds_count") == 1
    assert value(text, "stoppvif_claim_duration_seconds_bucket",
                 'le="+Inf"') == 1
    assert value(text, "stoppvif_claim_duration_seconds_bucket",
                 'le="30"') == 1        # claimed within seconds
    promtool_clean(text)
    # nobody in a label: no address, no number, no name
    for bad in ("@", "+32", "0470", "Anne", "Dupont", code):
        assert bad not in text, bad
    d.secrets.add(code)


@pytest.mark.net(shelter="escalate_after = 5s\nrepeat = 0\n",
                 daemon_extra=metrics_extra)
def test_escalation_and_claim_time_are_counted(net):
    oncall, _ = net.person("Anne Garde", "oncall", 1)
    ref, rphone = net.person("Rita Referente", "referent", 2)
    net.on_call(oncall)
    code = net.vacate()
    assert value(scrape(), "stoppvif_escalations_total") == 0
    net.wait(lambda: net.sms_to(rphone), "escalation to the referent",
             timeout=20)
    wait_for(lambda: value(scrape(), "stoppvif_escalations_total") == 1,
             "one escalation counted", net.d)
    net.d.ctl("alerts", "ack", code, "--by", str(ref), check=0)
    text = scrape()
    assert value(text, "stoppvif_claim_duration_seconds_count") == 1
    assert value(text, "stoppvif_claim_duration_seconds_sum") >= 5
    assert value(text, "stoppvif_alerts_open") == 0
    if os.access(PROMTOOL, os.X_OK):
        promtool_clean(text)
    net.d.secrets.add(code)


@pytest.mark.net(daemon_extra=metrics_extra)
def test_health_ready_and_status_say_the_same(net):
    d = net.d
    assert get("/healthz") == (200, "text/plain; charset=utf-8", "ok\n")
    assert get("/readyz")[0::2] == (200, "ok\n")
    pid, phone = net.person("Anne Dupont", "referent", 1)
    remind_both(d, [pid])
    net.wait(lambda: net.kannel.messages() and net.sink.messages(),
             "an SMS and an email")
    wait_for(lambda: all(c["last_success"] for c in d.ctl_json("status")[
        "channels"].values()), "a success on each channel", d)
    st = d.ctl_json("status")
    assert st["version"] == "0.1" and st["uptime"] >= 0
    assert [c["check"] for c in st["ready"]] == [
        "database", "channel email", "channel sms", "scheduler"]
    assert all(c["ok"] and c["problem"] is None for c in st["ready"])
    assert st["channels"]["email"]["last_error"] is None
    out = d.ctl("status", check=0)[1]
    assert "prêt : oui" in out
    assert "canal e-mail :" in out and "canal SMS :" in out
    when = dt.datetime.now(BXL)
    m = re.search(r"dernier envoi réussi : (\w+) (\d+|1er) (\w+) (\d{4}) "
                  r"à (\d+)h(\d\d)", out)
    assert m and m[3] in MOIS and int(m[4]) == when.year, out
    assert "dernière erreur : aucune depuis le démarrage" in out


def fill(path):
    """Write path until not one more byte fits on its file system."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)


def test_readyz_503_while_the_disk_is_full(daemon_env, tmp_path):
    """The state folder on a small file system that fills up (logs, a
    copy left there): /readyz names the database, status says NON; both
    recover once there is room again, and the daemon kept running."""
    d = daemon_env
    d.state.mkdir(exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0750",
                        "tmpfs", str(d.state)], capture_output=True,
                       text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr}")
    filler = d.state / "filler"
    try:
        d.write_config(daemon_extra=metrics_extra())
        d.start()
        assert get("/readyz")[0::2] == (200, "ok\n")
        # an erasure checkpoints the WAL to nothing: the next write needs
        # room of its own
        pid = d.add_person(name="Anne", role="referent",
                           email="anne@example.test")
        d.ctl("people", "remove", str(pid), check=0)
        fill(filler)
        status, _, body = get("/readyz")
        assert status == 503, body
        lines = body.splitlines()
        assert len(lines) == 1 and lines[0].startswith("database: "), body
        assert get("/healthz")[0] == 200     # alive all the same
        st = d.ctl_json("status")
        assert [c["check"] for c in st["ready"] if not c["ok"]] == \
            ["database"]
        out = d.ctl("status", check=0)[1]
        assert "prêt : NON" in out and "  base de données : " in out, out
        filler.unlink()
        assert get("/readyz")[0::2] == (200, "ok\n")
        assert "prêt : oui" in d.ctl("status", check=0)[1]
    finally:
        if filler.exists():
            filler.unlink()
        if d.running():
            d.stop()
        subprocess.run(["umount", str(d.state)], check=True)


def test_channel_error_in_status_names_nobody(daemon_env, tmp_path):
    """A mail server that refuses: the retry is counted, status shows the
    channel's reason and its time, and no address."""
    from srv_smtp import SmtpSink
    s = SmtpSink(tmp_path, flags=["-f", "RCPT"])
    try:
        daemon_env.write_config(
            daemon_extra=metrics_extra(),
            extra=f"[channel.email]\nplugin = smtp\nurl = {s.url}\n"
                  "from = Coordination <noreply@stoppvif.example.be>\n"
                  "tls = none\n")
        daemon_env.start()
        pid = daemon_env.add_person(name="Anne", role="referent",
                                    email="anne@example.test")
        at = (dt.datetime.now(BXL) +
              dt.timedelta(seconds=7)).replace(microsecond=0)
        daemon_env.ctl_json("events", "add", "--title", "Plateforme",
                            "--dtstart", at.strftime("%Y-%m-%dT%H:%M:%S"),
                            "--remind", "5s", "--audience",
                            f"person:{pid}", "--channels", "email")
        wait_for(lambda: value(scrape(), "stoppvif_messages_total",
                               'channel="email",outcome="failed"') == 1,
                 "one failure counted", daemon_env)
        err = daemon_env.ctl_json("status")["channels"]["email"][
            "last_error"]
        assert err and err["reason"] and err["at"].endswith("Z"), err
        assert "@" not in err["reason"], err
        out = daemon_env.ctl("status", check=0)[1]
        assert "dernière erreur : " in out and "aucune" not in \
            out.split("canal e-mail :")[1].split("canal SMS")[0]
        assert "anne@example.test" not in out + scrape()
    finally:
        s.close()


def raw(data, port=None, read=300):
    """Send data on a fresh connection; the first bytes of the answer."""
    s = socket.create_connection(("127.0.0.1", port or METRICS_PORT), 5)
    s.settimeout(10)
    try:
        s.sendall(data)
        return s.recv(read)
    finally:
        s.close()


@pytest.mark.parametrize("data,want", [
    (b"GET /" + b"A" * 5000 + b" HTTP/1.1\r\n\r\n", b"HTTP/1.1 414"),
    (b"GET /metrics HTTP/1.1\r\nX-Pad: " + b"a" * 9000 + b"\r\n\r\n",
     b"HTTP/1.1 431"),
    (b"\x00\x01\x02garbage\xff\r\n\r\n", b"HTTP/1.1 400"),
    (b"POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi",
     b"HTTP/1.1 405"),
    (b"DELETE /metrics HTTP/1.1\r\n\r\n", b"HTTP/1.1 "),
    (b"GET /metrics/../../etc/passwd HTTP/1.1\r\n\r\n", b"HTTP/1.1 404"),
    (b"GET /v1/status HTTP/1.1\r\n\r\n", b"HTTP/1.1 404"),
])
def test_hostile_requests_are_refused(daemon_env, data, want):
    daemon_env.write_config(daemon_extra=metrics_extra())
    daemon_env.start()
    got = raw(data)
    assert got.startswith(want), got
    assert not got.startswith(b"HTTP/1.1 200"), got
    # still serving, and the control API knows nothing of it
    assert get("/healthz")[0] == 200
    assert daemon_env.ctl("status", check=0)


def test_unix_socket_listener(daemon_env):
    sock = daemon_env.socket.parent / "metrics.sock"
    daemon_env.write_config(daemon_extra=f"metrics_listen = unix:{sock}\n")
    daemon_env.start()
    status, head, body = http_unix(sock, "GET", "/metrics")
    assert status == 200 and b"# TYPE stoppvif_messages_total counter" \
        in body, body
    assert http_unix(sock, "GET", "/readyz")[0::2] == (200, b"ok\n")
    daemon_env.stop()
    assert not sock.exists()


def test_reloads_are_counted_and_the_address_needs_a_restart(daemon_env):
    daemon_env.write_config(daemon_extra=metrics_extra())
    daemon_env.start()
    daemon_env.hup()
    text = scrape()
    assert value(text, "stoppvif_config_reloads_total", 'result="ok"') == 1
    other = free_port()
    log = daemon_env.hup(daemon_env.config_text(
        daemon_extra=f"metrics_listen = 127.0.0.1:{other}\n"))
    assert "metrics_listen" in log and "restart" in log, log[-2000:]
    text = scrape()     # the old address serves on
    assert value(text, "stoppvif_config_reloads_total",
                 'result="failed"') == 1
    assert value(text, "stoppvif_config_reloads_total", 'result="ok"') == 1


@pytest.mark.parametrize("addr,why", [
    ("0.0.0.0:9470", "for this machine only"),
    ("192.0.2.10:9470", "for this machine only"),
    ("[::]:9470", "for this machine only"),
    ("localhost:9470", "write 127.0.0.1:9470"),
    ("127.0.0.1", "expected address:port"),
    ("127.0.0.1:99999", "port must be a number"),
    ("metrics.sock", "expected address:port"),
])
def test_config_refuses_what_is_not_local(daemon_env, addr, why):
    daemon_env.write_config(daemon_extra=f"metrics_listen = {addr}\n")
    lines = daemon_env.conf.read_text().splitlines()
    n = next(i for i, t in enumerate(lines, 1)
             if t.startswith("metrics_listen"))
    r = run([STOPPVIFD, "-t", "-c", daemon_env.conf])
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"{daemon_env.conf}:{n}: metrics_listen: " in r.stderr, r.stderr
    assert why in r.stderr, r.stderr


def test_off_by_default(daemon_env):
    daemon_env.start()
    st = daemon_env.ctl_json("status")
    assert all(c["ok"] for c in st["ready"])
    with pytest.raises(OSError):
        raw(b"GET /healthz HTTP/1.1\r\n\r\n")
