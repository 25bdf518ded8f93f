"""
SMS delivery reports end to end: a daemon sending through a real Kannel
(bearerbox, smsbox, the fake SMSC) and mailing through smtp-sink, with its
SMS listener taking the reports Kannel makes on the dlr-url the daemon gave
it (dlr.h).

- With the phone on, the fake SMSC reports "accepted" then "delivered": the
  alert SMS is listed as delivered ("délivré").
- With the phone off, Kannel queues the SMS and reports nothing: a failure
  report sent as Kannel would send it (the URL the daemon made, computed
  here from the master key exactly as the daemon does) makes the urgent SMS
  fall back to email at once; with no report at all, dlr_timeout (5 s
  here) does the same.
- An attacker's reports (forged MAC, another id's MAC, missing or huge
  parameters, an email's id, repeats, a report after the claim) change
  nothing they should not, and the daemon stays up with a clean log.
- A clumsy configuration: dlr_timeout = 5 minutes is refused with its
  file:line; sms_listen on a Unix socket is explained by stoppvifd -t.
"""
import hashlib
import os
import struct
import time
import urllib.error
import urllib.request

import pytest

from conftest import STOPPVIFD, run
from shelter_net import net  # noqa: F401 (the fixture)

# Kannel answers "3: Queued for later delivery" when the phone is off: the
# gateway took the SMS, so it counts as sent, and only a report can tell.
QUEUED_OK = ("success = Accepted for delivery\n",
             "success = Accepted for delivery|Queued for later delivery\n")


def mac_of(key, msg_id):
    """The daemon's MAC of an outbox id: BLAKE2b keyed with the subkey
    libsodium's crypto_kdf derives from the master key (id 1, context
    "sms-dlrs"), over the id as 8 bytes big-endian, 16 bytes, in hex."""
    sub = hashlib.blake2b(b"", digest_size=32, key=key,
                          salt=struct.pack("<Q", 1) + bytes(8),
                          person=b"sms-dlrs" + bytes(8)).digest()
    return hashlib.blake2b(struct.pack(">q", msg_id), digest_size=16,
                           key=sub).hexdigest()


def get(net, query, path="/sms/dlr"):
    """GET path?query on the SMS listener, as Kannel calls it; the
    status."""
    url = f"http://127.0.0.1:{net.sms_port}{path}"
    if query is not None:
        url += "?" + query
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except urllib.error.URLError:
        return -1       # the listener closed a request it would not read


def report(net, msg_id, kind, mac=None):
    """A report of type kind on msg_id, with its right MAC unless given."""
    if mac is None:
        mac = mac_of(net.d.key.read_bytes(), msg_id)
    return get(net, f"id={msg_id}&mac={mac}&type={kind}")


def outbox(net, status=None):
    args = ["outbox", "list"] + (["--status", status] if status else [])
    return net.d.ctl_json(*args)


def row(net, key_end):
    rows = [m for m in outbox(net) if m["key"].endswith(key_end)]
    return rows[0] if rows else None


def by_id(net, msg_id):
    return [m for m in outbox(net) if m["id"] == msg_id][0]


def alert_sms(net):
    """The alert's SMS row, once the gateway took it."""
    net.wait(lambda: (r := row(net, "/sms")) is not None and
             r["status"] != "pending", "the alert SMS sent")
    return row(net, "/sms")


def fallback(net):
    return row(net, "/sms/fallback")


def requeue_ok(net, delivery=""):
    """Restart the daemon so that Kannel's "queued" answer counts as sent,
    with delivery lines added to [delivery]."""
    net.d.stop()
    net.channels = net.channels.replace(*QUEUED_OK)
    net.delivery = delivery
    net.start()


def on_call(net):
    pid, phone = net.person("Garde Test", "oncall", 1)
    net.on_call(pid)
    return pid, phone


def test_delivered_with_the_fake_smsc(net):
    """Phone on: Kannel calls the daemon's dlr-url with 8, then 1."""
    pid, phone = on_call(net)
    net.vacate()
    net.wait(lambda: (r := row(net, "/sms")) is not None and
             r["status"] == "delivered", "the SMS delivered")
    sms = row(net, "/sms")
    assert sms["dlr_at"] is not None
    assert sms["id"] in [m["id"] for m in outbox(net, "delivered")]
    assert sms["id"] not in [m["id"] for m in outbox(net, "sent")]
    # delivered: no fallback; what the phone got is the alert itself
    time.sleep(0.5)
    assert fallback(net) is None
    assert net.kannel.messages() and net.sms_to(phone)
    # the words of the table
    rc, out, err = net.d.ctl("outbox", "list", "--status", "delivered",
                             check=0)
    assert "délivré" in out
    assert "dlr report id=%d dlr=delivered" % sms["id"] in net.d.log()
    # the status counts: the delivered SMS is one of the sent ones
    counts = net.d.ctl_json("status")["outbox"]
    assert counts["delivered"] == 1 and counts["sent"] >= 1
    rc, out, err = net.d.ctl("status", check=0)
    assert "SMS : 1 délivré(s), 0 non délivré(s)" in out, out


def test_failure_report_falls_back_to_email(net):
    """Phone off: a failure report made as Kannel would make it."""
    requeue_ok(net)
    pid, phone = on_call(net)
    net.kannel.phone_off()
    net.vacate()
    sms = alert_sms(net)
    assert sms["status"] == "sent", sms
    mails = len(net.mail_to("garde@example.test"))
    assert fallback(net) is None
    assert report(net, sms["id"], 2) == 200
    net.wait(lambda: (f := fallback(net)) is not None and
             f["status"] == "sent", "the fallback email sent")
    assert fallback(net)["channel"] == "email"
    net.wait(lambda: len(net.mail_to("garde@example.test")) == mails + 1,
             "the fallback email in smtp-sink")
    assert by_id(net, sms["id"])["status"] == "undelivered"
    rc, out, err = net.d.ctl("outbox", "list", check=0)
    assert "non délivré" in out
    # repeated and contrary reports change nothing: no second email
    assert report(net, sms["id"], 2) == 200
    assert report(net, sms["id"], 16) == 200
    assert report(net, sms["id"], 1) == 200
    assert by_id(net, sms["id"])["status"] == "undelivered"
    assert len([m for m in outbox(net) if m["key"].endswith("/fallback")]) \
        == 1


def test_no_report_in_time_falls_back(net):
    """Phone off, dlr_timeout = 5 s: no report, the email goes."""
    requeue_ok(net, "dlr_timeout = 5s\n")
    pid, phone = on_call(net)
    net.kannel.phone_off()
    net.vacate()
    sms = alert_sms(net)
    assert sms["status"] == "sent", sms
    net.wait(lambda: (f := fallback(net)) is not None and
             f["status"] == "sent", "the fallback after dlr_timeout",
             timeout=30.0)
    assert "dlr no_report id=%d" % sms["id"] in net.d.log()
    net.wait(lambda: len(net.mail_to("garde@example.test")) >= 2,
             "the fallback email in smtp-sink")
    # a late report is recorded but makes no second email
    assert report(net, sms["id"], 2) == 200
    assert by_id(net, sms["id"])["status"] == "undelivered"
    assert len([m for m in outbox(net) if m["key"].endswith("/fallback")]) \
        == 1


def test_attacker_reports_change_nothing(net):
    requeue_ok(net)
    pid, phone = on_call(net)
    net.kannel.phone_off()
    net.vacate()
    sms = alert_sms(net)
    sid = sms["id"]
    key = net.d.key.read_bytes()
    email = row(net, "/email")
    assert email is not None
    before = outbox(net)
    # forged, another id's, a MAC of another key, cut, in capitals
    assert report(net, sid, 2, mac="0" * 32) == 403
    assert report(net, sid, 2, mac=mac_of(key, email["id"])) == 403
    assert report(net, sid, 2, mac=mac_of(bytes(32), sid)) == 403
    assert report(net, sid, 2, mac=mac_of(key, sid)[:31]) == 403
    assert report(net, sid, 2, mac=mac_of(key, sid).upper()) == 403
    # missing and malformed parameters
    for q in (None, "", "id=%d" % sid, "mac=%s&type=2" % mac_of(key, sid),
              "id=&mac=&type=", "id=-1&mac=%s&type=2" % mac_of(key, -1),
              "id=%s&mac=%s&type=2" % ("9" * 40, "a" * 32),
              "id=99999999999999999999&mac=%s&type=2" % ("a" * 32),
              "id=%d&mac=%s&type=2&id=1" % (sid, "b" * 32),
              "id=%d%%00&mac=%s&type=2" % (sid, mac_of(key, sid)),
              "%zz=1", "id=" + "1" * 5000):
        assert get(net, q) in (400, 403, 413, 414, 431, -1), q
    # authentic, but a type Kannel never sends
    assert report(net, sid, 3) == 400
    assert report(net, sid, "%d") == 400
    assert report(net, sid, "") == 400
    # the id of an email (its MAC right): ignored
    assert report(net, email["id"], 2) == 200
    # an id that is no message
    assert report(net, 10 ** 15, 2) == 200
    # another method, another path
    assert get(net, "id=1", path="/sms/dlrx") == 404
    after = outbox(net)
    assert [(m["id"], m["status"]) for m in after] == \
        [(m["id"], m["status"]) for m in before]
    assert fallback(net) is None
    assert "reason=bad_mac" in net.d.log()
    # the query string is never logged
    assert mac_of(key, sid) not in net.d.log()
    assert net.d.running()


def test_no_fallback_once_claimed(net):
    """The alert was claimed before the failure report came: no email."""
    requeue_ok(net)
    pid, phone = on_call(net)
    net.kannel.phone_off()
    code = net.vacate()
    sms = alert_sms(net)
    net.d.ctl("alerts", "ack", code, "--by", str(pid), check=0)
    assert net.state()["state"] != "vacant"
    assert report(net, sms["id"], 2) == 200
    net.d.wait_log("dlr fallback_skipped id=%d reason=not_wanted"
                   % sms["id"])
    assert fallback(net) is None
    assert by_id(net, sms["id"])["status"] == "undelivered"


def check_config(d, text):
    path = d.write_config(text=d.config_text() + text)
    r = run([STOPPVIFD, "-t", "-c", path])
    return r.returncode, r.stderr, path


def test_clumsy_configuration(daemon_env):
    d = daemon_env
    rc, err, path = check_config(d, "")
    assert rc == 0, err
    # the key under [delivery]: the base configuration ends with it
    text = d.config_text(delivery_extra="dlr_timeout = 5 minutes\n")
    d.write_config(text=text)
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    assert r.returncode != 0
    line = text.splitlines().index("dlr_timeout = 5 minutes") + 1
    assert f"{d.conf}:{line}: dlr_timeout:" in r.stderr, r.stderr
    # an sms_http channel with a Unix socket listener: said, not refused
    url = d.dir / "sms.url"
    url.write_text("http://127.0.0.1:9/cgi-bin/sendsms?to={to}"
                   "&text={text}\n")
    os.chmod(url, 0o600)
    secret = d.dir / "sms.secret"
    secret.write_text("s3cr3t-of-the-gateway-0123456789\n")
    os.chmod(secret, 0o600)
    text = d.config_text(extra=(
        f"[channel.sms]\nplugin = sms_http\nurl_file = {url}\n\n"
        f"[inbound]\nsms_listen = unix:{d.dir}/sms.sock\n"
        f"sms_secret_file = {secret}\n"))
    d.write_config(text=text)
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    assert r.returncode == 0, r.stderr
    assert "socket Unix" in r.stderr and "accusé" in r.stderr, r.stderr
    assert "configuration OK" in r.stderr
    # reports turned off: nothing to say
    d.write_config(text=text.replace("plugin = sms_http\n",
                                     "plugin = sms_http\n"
                                     "delivery_reports = no\n"))
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    assert r.returncode == 0, r.stderr
    assert "socket Unix" not in r.stderr
    # a misspelt value, and {dlr_url} with reports off
    d.write_config(text=text.replace("plugin = sms_http\n",
                                     "plugin = sms_http\n"
                                     "delivery_reports = oui\n"))
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    assert r.returncode != 0 and "delivery_reports" in r.stderr, r.stderr
    url.write_text("http://127.0.0.1:9/api?to={to}&text={text}"
                   "&callback={dlr_url}\n")
    d.write_config(text=text.replace("plugin = sms_http\n",
                                     "plugin = sms_http\n"
                                     "delivery_reports = no\n"))
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    assert r.returncode != 0 and "{dlr_url}" in r.stderr, r.stderr
