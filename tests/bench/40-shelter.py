#!/usr/bin/python3
"""
Shelter alert benchmark (make bench): figures, not pass/fail.

50 people on call, each with a phone and an email address; the channels are
a real Kannel (sendsms, fake SMSC) and Postfix's smtp-sink.  One round:

  1. POST /v1/shelters/aisova/vacate on the control socket (what `stoppvifctl
     shelter vacate` sends), then wait until the daemon has recorded every
     level-1 message (50 SMS, 50 emails) as accepted by its server: the
     latency is from just before the request to the log line of the last
     one ("dispatch sent", written when the outcome is committed, urgent
     outcomes at once: an upper bound of the servers' acceptance);
  2. POST /v1/alerts/ack for one of them: the latency to the last of the 98
     "déjà réservé" and 2 confirmations recorded the same way;
  3. POST occupy (no message).

100 rounds after one warm-up round (connections opened); p50, p99 and the
worst of each.  The reference, in the same run: the same Kannel taking 50
sendsms requests from a plain client on 8 keep-alive connections (as the
sms_http plugin uses), until its last answer.  BENCH_QUICK=1: 20 rounds.
"""
import datetime as dt
import http.client
import json
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from zoneinfo import ZoneInfo

from benchlib import QUICK, conftest, fail, pct  # first: tests/e2e on the path
from srv_kannel import Kannel
from srv_smtp import SmtpSink

ROUNDS = 20 if QUICK else 100
PEOPLE = 50
BXL = ZoneInfo("Europe/Brussels")


def stamp(line):
    return dt.datetime.fromisoformat(
        line.split()[0].replace("Z", "+00:00")).timestamp()


def api(d, method, path, body=None):
    status, _, data = d.http(method, path, body=json.dumps(body).encode()
                             if body is not None else None, headers={
                                 "Content-Type": "application/json"}
                             if body is not None else None)
    if status >= 400:
        fail(f"{method} {path}: {status} {data!r}")
    return json.loads(data)


def wait_sent(d, off, n, timeout=30.0):
    """The times of the n-th "dispatch sent" line after off, and of the
    last email (SMTP "250") and the last SMS (Kannel "Accepted") among
    them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [ln for ln in d.log_since(off).splitlines()
                 if " dispatch sent " in ln]
        if len(lines) >= n:
            lines = lines[:n]
            return (stamp(lines[-1]),
                    max(stamp(ln) for ln in lines if 'reply="250' in ln),
                    max(stamp(ln) for ln in lines if "Accepted" in ln))
        if " dispatch failed " in d.log_since(off):
            fail("a message failed:\n" + d.log_since(off)[-2000:])
        time.sleep(0.002)
    fail(f"only {len(lines)} of {n} messages sent after {timeout} s")


def kannel_alone(kannel, rounds):
    """Seconds until Kannel answered 50 sendsms on 8 connections, a list."""
    url = urllib.parse.urlparse(kannel.sendsms_url())
    out = []

    def worker(items, conn, done):
        for i in items:
            q = url.query.replace("{to}", f"%2B3247088{i:04d}").replace(
                "{text}", "Stopp+Vif+%3A+test")
            conn.request("GET", f"{url.path}?{q}")
            conn.getresponse().read()
            done.append(time.time())

    for _ in range(rounds + 1):
        conns = [http.client.HTTPConnection("127.0.0.1", url.port)
                 for _ in range(8)]
        done = []
        t0 = time.time()
        threads = [threading.Thread(target=worker, args=(
            range(j, PEOPLE, 8), conns[j], done)) for j in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out.append(max(done) - t0)
        for c in conns:
            c.close()
    return out[1:]


def setup(tmp):
    (Path(tmp) / "smtp").mkdir()
    sink = SmtpSink(Path(tmp) / "smtp", dump=False)
    kannel = Kannel(Path(tmp) / "kannel")
    kannel.start()
    ref = kannel_alone(kannel, ROUNDS)
    url = Path(tmp) / "sms.url"
    url.write_text(kannel.sendsms_url() + "\n")
    url.chmod(0o600)            # it holds the gateway's account
    folder = Path(tmp) / "d"
    folder.mkdir()
    d = conftest.Daemon(folder)
    d.write_config(log_level="info", extra=(
        f"[channel.email]\nplugin = smtp\nurl = {sink.url}\n"
        "from = Coordination sociale <noreply@stoppvif.example.be>\ntls = none\n\n"
        f"[channel.sms]\nplugin = sms_http\nurl_file = {url}\n"
        "success = Accepted for delivery\n\n"
        "[shelter.aisova]\ntitle = Appartement d'urgence\n"
        "escalate_after = 1d\n"))
    d.start()
    now = dt.datetime.now(BXL)
    frm = (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    to = (now + dt.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%S")
    ids = []
    for i in range(PEOPLE):
        pid = d.add_person(name=f"Garde {i}", role="oncall",
                           email=f"garde{i}@example.test",
                           phone=f"0470 77 {i // 100:02d} {i % 100:02d}")
        d.ctl("oncall", "set", str(pid), "--from", frm, "--to", to)
        ids.append(pid)
    return sink, kannel, d, ids, ref


def one_round(d, claimer):
    off = d.log_size()
    t0 = time.time()
    st = api(d, "POST", "/v1/shelters/aisova/vacate")
    vac = [t - t0 for t in wait_sent(d, off, 2 * PEOPLE)]
    off = d.log_size()
    t0 = time.time()
    api(d, "POST", "/v1/alerts/ack", {"code": st["alert"]["code"],
                                      "by": claimer})
    ack = [t - t0 for t in wait_sent(d, off, 2 * PEOPLE)]
    api(d, "POST", "/v1/shelters/aisova/occupy")
    return vac, ack


def main():
    with tempfile.TemporaryDirectory(prefix="svbench") as tmp:
        sink, kannel, d, ids, ref = setup(tmp)
        try:
            one_round(d, ids[0])                    # warm-up
            vac, ack = [], []
            for r in range(ROUNDS):
                v, a = one_round(d, ids[r % PEOPLE])
                vac.append(v)
                ack.append(a)
            sent = d.ctl_json("status")["outbox"]["sent"]
        finally:
            d.stop()
            d.cleanup()
            kannel.stop()
            sink.close()
    rows = [(f"vacate → all {2 * PEOPLE} level-1 messages accepted",
             [v[0] for v in vac]),
            (f"  of which the {PEOPLE} emails (smtp-sink)", [v[1] for v in vac]),
            (f"  of which the {PEOPLE} SMS (Kannel)", [v[2] for v in vac]),
            (f"claim → all {2 * PEOPLE - 2} « déjà réservé » + 2 "
             "confirmations", [a[0] for a in ack]),
            ("  of which the emails", [a[1] for a in ack]),
            ("  of which the SMS", [a[2] for a in ack]),
            (f"reference: Kannel alone, {PEOPLE} sendsms on 8 connections",
             ref)]
    print(f"{ROUNDS} rounds, {PEOPLE} people on call, {sent:,} messages "
          "in all")
    for label, xs in rows:
        print(f"  {label:<58} p50 {pct(xs, 50) * 1000:6.1f} ms  "
              f"p99 {pct(xs, 99) * 1000:6.1f} ms  "
              f"worst {max(xs) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
