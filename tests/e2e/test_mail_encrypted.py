"""
Encrypted email through the real daemon (issue 13 item 1): the smtp plugin
builds each message whole, the host wraps it for the recipient's key
(daemon/lib/mailcrypt.h) and Postfix's smtp-sink receives it; the alerts
also reach the phones through a private Kannel (shelter_net.py).

- A shelter alert and a reminder to a person with an S/MIME certificate
  decrypt with `openssl cms -decrypt`; to a person with an OpenPGP key,
  the second MIME part decrypts with `gpg --decrypt`.  Both hold the
  original Subject and body; outside, only the neutral subject: no word
  of the body, no claim code, no link, no title.
- [privacy] email = encrypt-or-notice: a person without a key gets the
  neutral notice only (no code, no link, no title), their SMS as before;
  encrypt-if-possible (the default): the clear email as before.
- A key that expired after it was given (a certificate made with a few
  seconds of validity by `openssl ca -enddate`) counts as none: the
  notice or the clear email per the policy, a warning naming the person
  by id, and the message sent once, not failed nor retried.
- An encrypted_subject the phone guard refuses, too long or empty: the
  daemon refuses to start and names file:line.
- The plugins alone (tools/plughost, whose encrypt() hands the message
  back marked, or refuses it): smtp uploads exactly what encrypt()
  answered, spool writes it; a refusal fails the message and nothing
  leaves in clear; a message not marked encrypt goes as before.
"""
import email
import email.header
import email.policy
import json
import os
import re
import shutil
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest

from mailkeys import Gpg, Smime, pgp_part, run
from shelter_net import BXL, net  # noqa: F401
from conftest import BUILD, sanitizer_report
from srv_smtp import SmtpSink

pytestmark = pytest.mark.skipif(
    shutil.which("gpg") is None or shutil.which("openssl") is None,
    reason="gpg or openssl missing")

NEUTRAL = "Message du réseau"
SHELTER = "Appartement d'urgence"       # shelter_net's title
LINK = "https://stoppvif.example.be/"
ENC = ["keyUsage=digitalSignature,keyEncipherment",
       "extendedKeyUsage=emailProtection"]
NOTICE = "[privacy]\nemail = encrypt-or-notice\n"


def addr_of(first):
    return f"{first.lower()}@example.test"     # shelter_net's addresses


def stamp(seconds):
    """openssl ca's date format, seconds from now (UTC)."""
    t = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    return t.strftime("%Y%m%d%H%M%SZ")


@pytest.fixture(scope="module")
def smime(tmp_path_factory):
    s = Smime(tmp_path_factory.mktemp("smime") / "m")
    s.anne = s.req("anne", subj="/CN=Anne Garde",
                   exts=[f"subjectAltName=email:{addr_of('Anne')}"] + ENC)
    return s


@pytest.fixture(scope="module")
def pgp(tmp_path_factory):
    g = Gpg(tmp_path_factory.mktemp("gnupg") / "h")
    g.bert = g.gen(f"Bert Garde <{addr_of('Bert')}>", algo="ed25519",
                   usage="sign", expire="never")
    g.gpg("--quick-add-key", g.bert, "cv25519", "encr", "2y")
    g.bert_file = g.home.parent / "bert.asc"
    g.bert_file.write_bytes(g.export(g.bert))
    yield g
    g.close()


def short_lived(smime, first, seconds):
    """A certificate for first's address that stops being valid in a few
    seconds: given while valid, expired when the daemon sends."""
    return smime.dated(f"short-{first}-{time.monotonic_ns()}", stamp(-3600),
                       stamp(seconds), addr=addr_of(first))


def decoded(value):
    return str(email.header.make_header(email.header.decode_header(
        str(value))))


def raw_of(msg):
    """A message as smtp-sink wrote it, CRLF, without smtp-sink's own
    X-* trace fields (they are not part of what was sent)."""
    lines = msg.as_bytes(policy=email.policy.SMTP).split(b"\r\n")
    return b"\r\n".join(l for l in lines if not l.startswith(b"X-Rcpt") and
                        not l.startswith(b"X-Mail") and
                        not l.startswith(b"X-Helo"))


def outside(msg):
    """What an encrypted message shows in clear: its header and every part
    that is not the ciphertext, decoded."""
    head = "\n".join(f"{k}: {decoded(v)}" for k, v in msg.items())
    parts = [p.get_payload(decode=True) or b"" for p in msg.walk()
             if not p.is_multipart() and p.get_content_type() not in
             ("application/pkcs7-mime", "application/x-pkcs7-mime",
              "application/octet-stream")]
    return head + "\n" + b"\n".join(parts).decode(errors="replace")


def assert_hidden(msg, secrets):
    """The neutral subject outside and none of secrets."""
    assert decoded(msg["Subject"]) == NEUTRAL, msg["Subject"]
    text = outside(msg)
    for s in secrets:
        assert s not in text, f"{s!r} in clear:\n{text}"
    # and nothing but the ciphertext as the body of an S/MIME message
    assert msg.get_content_type() in ("application/pkcs7-mime",
                                      "multipart/encrypted")


def inner(msg, smime, pgp):
    """The decrypted original message."""
    if msg.get_content_type() == "application/pkcs7-mime":
        p = smime.write(f"in-{time.monotonic_ns()}.eml", raw_of(msg))
        out = run(["openssl", "cms", "-decrypt", "-recip", smime.anne,
                   "-inkey", smime.path("anne.key"), "-in", p,
                   "-binary"]).stdout
    else:
        out = pgp.decrypt(pgp_part(msg))
    return email.message_from_bytes(out, policy=email.policy.default)


def body_of(msg):
    return msg.get_body(("plain",)).get_content()


def assert_no_body_word(msg, orig):
    """No word of the original body (5 letters or more) outside, but those
    of the From field, which stays visible by design."""
    text = outside(msg)
    seen = set(re.findall(r"\w{5,}", decoded(msg["From"])))
    for w in set(re.findall(r"\w{5,}", body_of(orig))) - seen:
        assert w not in text, f"{w!r} of the body in clear:\n{text}"


def remind(d, pid, title, lead=8, offset=5):
    """An event at now + lead seconds whose email reminder to person pid
    goes offset seconds before it."""
    start = (datetime.now(BXL) + timedelta(seconds=lead)).replace(
        microsecond=0)
    return d.ctl_json("events", "add", "--title", title, "--dtstart",
                      start.strftime("%Y-%m-%dT%H:%M:%S"), "--remind",
                      f"{offset}s", "--audience", f"person:{pid}",
                      "--channels", "email")["id"]


def outbox_settled(net, n, timeout=60.0):
    """Wait until n outbox rows exist and none is pending; the rows."""
    def settled():
        rows = net.d.ctl_json("outbox", "list")
        return len(rows) >= n and all(r["status"] != "pending"
                                      for r in rows)
    net.wait(settled, f"{n} outbox rows settled", timeout)
    return net.d.ctl_json("outbox", "list")


def staff(net, smime, pgp, keys=True):
    """Anne (S/MIME), Bert (OpenPGP) and Chloe (no key), on call."""
    # accented names: To's display name goes in RFC 2047, outside too
    people = [net.person(f"{n} Lefèvre-Ça", "oncall", i + 1)
              for i, n in enumerate(["Anne", "Bert", "Chloe"])]
    if keys:
        net.d.ctl("people", "edit", str(people[0][0]), "--smime-cert",
                  str(smime.anne), check=0)
        net.d.ctl("people", "edit", str(people[1][0]), "--openpgp-key",
                  str(pgp.bert_file), check=0)
    for pid, _ in people:
        net.on_call(pid)
    return people


def test_alert_and_reminder_encrypted_or_clear(net, smime, pgp):
    """encrypt-if-possible: Anne's and Bert's alert and reminder arrive
    encrypted and decrypt to the original; Chloe's alert arrives in clear
    as before; every SMS goes as before."""
    people = staff(net, smime, pgp)
    net.vacate()
    codes = [net.code_of(phone) for _, phone in people]
    net.wait(lambda: len(net.sink.messages()) == 3, "three alert emails")
    for (pid, phone), first, code in zip(people, ["Anne", "Bert"], codes):
        msg = net.mail_to(addr_of(first))[0]
        assert_hidden(msg, [code, LINK, "stoppvif.example.be/a/", SHELTER,
                            "urgence", "logement", "Logement", "Bonjour",
                            "réserver", "disponible"])
        orig = inner(msg, smime, pgp)
        assert_no_body_word(msg, orig)
        assert code in decoded(orig["Subject"])
        assert decoded(orig["To"]).endswith(f"<{addr_of(first)}>")
        text = body_of(orig)
        assert code in text and "https://stoppvif.example.be/a/" in text
        assert SHELTER in text
        assert "OK " + code in net.sms_to(phone)[0]
    clear = net.mail_to(addr_of("Chloe"))[0]
    assert codes[2] in decoded(clear["Subject"])
    assert "https://stoppvif.example.be/a/" in body_of(clear)

    title = "Réunion plateforme Sprimont"
    remind(net.d, people[0][0], title)
    remind(net.d, people[1][0], title)
    net.wait(lambda: len(net.sink.messages()) == 5, "two reminder emails")
    for first in ("Anne", "Bert"):
        msg = net.mail_to(addr_of(first))[1]      # after the alert
        assert_hidden(msg, [title, "Sprimont", "plateforme", "Rappel",
                            "Bonjour"])
        orig = inner(msg, smime, pgp)
        assert_no_body_word(msg, orig)
        assert title in decoded(orig["Subject"])
        assert title in body_of(orig)
    # an SMS with its phone's report is "delivered" (dlr.h)
    assert all(r["status"] in ("sent", "delivered")
               for r in outbox_settled(net, 8))
    net.d.secrets.update(codes)


@pytest.mark.net(delivery=NOTICE)
def test_notice_for_who_has_no_key(net, smime, pgp):
    """encrypt-or-notice: Chloe, without a key, gets the notice only (no
    code, no link, no title) and her SMS with the code as before; Anne
    still gets hers encrypted."""
    people = staff(net, smime, pgp)
    net.vacate()
    codes = [net.code_of(phone) for _, phone in people]
    net.wait(lambda: len(net.sink.messages()) == 3, "three alert emails")
    notice = net.mail_to(addr_of("Chloe"))
    assert len(notice) == 1
    msg = notice[0]
    assert decoded(msg["Subject"]) == NEUTRAL
    text = body_of(msg)
    assert "console" in text and "téléphone" in text
    for s in codes + ["http", "stoppvif.example.be/a/", SHELTER, "urgence",
                      "logement", "OK "]:
        assert s not in text and s not in decoded(msg["Subject"]), s
    assert f"OK {codes[2]}" in net.sms_to(people[2][1])[0]
    assert_hidden(net.mail_to(addr_of("Anne"))[0], [codes[0], LINK,
                                                     SHELTER])
    # a reminder too: the notice, no title, no date
    title = "Réunion plateforme Sprimont"
    remind(net.d, people[2][0], title)
    net.wait(lambda: len(net.mail_to(addr_of("Chloe"))) == 2,
             "the reminder's notice")
    msg = net.mail_to(addr_of("Chloe"))[1]
    assert decoded(msg["Subject"]) == NEUTRAL
    for s in (title, "Sprimont", "Rappel", str(datetime.now().year)):
        assert s not in body_of(msg), s
    net.d.secrets.update(codes)


@pytest.mark.parametrize("policy", ["", NOTICE])
def test_key_expired_since_given(daemon_env, tmp_path, smime, policy):
    """A certificate valid when given and expired when the reminder goes:
    the clear email (encrypt-if-possible) or the notice
    (encrypt-or-notice), sent once, with a warning by person id; no
    failure and no retry."""
    (tmp_path / "smtp").mkdir()
    sink = SmtpSink(tmp_path / "smtp")
    try:
        d = daemon_env
        d.write_config(extra=(
            f"[channel.email]\nplugin = smtp\nurl = {sink.url}\nfrom = "
            "Coordination sociale <noreply@stoppvif.example.be>\n"
            "tls = none\n"), delivery_extra=policy)
        d.start()
        pid = d.add_person(name="Dora Garde", role="referent",
                           email=addr_of("Dora"))
        cert = short_lived(smime, "Dora", 8)
        d.ctl("people", "edit", str(pid), "--smime-cert", str(cert),
              check=0)
        title = "Réunion plateforme Sprimont"
        remind(d, pid, title, lead=20, offset=6)      # goes in 14 s
        msg = sink.wait_messages(1, timeout=40)[0]
        if policy:
            assert decoded(msg["Subject"]) == NEUTRAL
            assert title not in body_of(msg)
        else:
            assert title in decoded(msg["Subject"])
            assert title in body_of(msg)
        assert msg.get_content_type() not in ("application/pkcs7-mime",
                                              "multipart/encrypted")
        assert f"mail_key_unusable person={pid}" in d.log()
        deadline = time.monotonic() + 30
        while True:
            rows = d.ctl_json("outbox", "list")
            if rows and rows[0]["status"] != "pending":
                break
            assert time.monotonic() < deadline, rows
            time.sleep(0.2)
        assert [r["status"] for r in rows] == ["sent"]
        assert rows[0]["attempts"] == 1
        assert len(sink.messages()) == 1
    finally:
        sink.close()


@pytest.mark.parametrize("value,why", [
    ("Violences conjugales", "phone"),       # the guard's words
    ("x" * 61, "60"),                        # too long
    ("", "empty"),                           # clumsy: left empty
])
def test_encrypted_subject_refused(daemon_env, value, why):
    d = daemon_env
    d.write_config(delivery_extra=f"[privacy]\nencrypted_subject = {value}\n")
    line = next(i + 1 for i, l in enumerate(d.conf.read_text().splitlines())
                if l.startswith("encrypted_subject"))
    rc, out = d.start_refused()
    assert f"{d.conf}:{line}: encrypted_subject:" in out, out


def test_privacy_email_unknown_value_refused(daemon_env):
    d = daemon_env
    d.write_config(delivery_extra="[privacy]\nemail = encrypt-always\n")
    line = next(i + 1 for i, l in enumerate(d.conf.read_text().splitlines())
                if l.startswith("email ="))
    rc, out = d.start_refused()
    assert f"{d.conf}:{line}: email:" in out, out
    assert "encrypt-or-notice" in out, out


# -- the plugins alone -----------------------------------------------------

PLUGHOST = BUILD / "tools" / "plughost"
WRAPPED = b"X-Plughost-Wrapped: yes\r\n"
FROM = "Coordination sociale <noreply@stoppvif.example.be>"


def plughost(plugin, conf, msgs, fail=False):
    """Run plughost with plugin and msgs; ({id: (STATUS, reply)}, stderr)."""
    if not PLUGHOST.is_file():
        pytest.skip(f"{PLUGHOST} not built")
    env = dict(os.environ)
    if fail:
        env["PLUGHOST_ENCRYPT"] = "fail"
    r = subprocess.run([str(PLUGHOST), str(BUILD / "plugins" / plugin)] +
                       [f"{k}={v}" for k, v in conf.items()], env=env,
                       input="".join(json.dumps(m) + "\n" for m in msgs),
                       capture_output=True, text=True, timeout=60)
    assert sanitizer_report(r.stderr) is None, r.stderr
    assert r.returncode == 0, r.stderr
    out = {}
    for line in r.stdout.splitlines():
        ident, status, *reply = line.split(" ", 2)
        out[int(ident)] = (status, reply[0] if reply else "")
    return out, r.stderr


def message(i, encrypt):
    return {"id": i, "key": f"alert/{i}/email", "kind": "alert",
            "to": "chloe@example.test", "to_name": "Chloé Garde",
            "subject": "Un logement est disponible (code 482113)",
            "body": "Bonjour,\n.\nRépondez OK 482113\n", "urgent": True,
            "created": 1767790800, "encrypt": encrypt}


def test_smtp_plugin_uploads_what_encrypt_answered(tmp_path):
    with SmtpSink(tmp_path) as sink:
        conf = {"url": sink.url, "from": FROM, "tls": "none",
                "timeout": "10"}
        out, _ = plughost("smtp.so", conf, [message(1, True),
                                             message(2, False)])
        assert out == {1: (out[1][0], out[1][1]), 2: out[2]}
        assert out[1][0] == "SENT" and out[2][0] == "SENT", out
        msgs = sink.wait_messages(2)
    wrapped = [m for m in msgs if m["X-Plughost-Wrapped"] == "yes"]
    clear = [m for m in msgs if m["X-Plughost-Wrapped"] is None]
    assert len(wrapped) == 1 and len(clear) == 1
    m = wrapped[0]
    # the whole message the plugin built: its header, then the body, 8bit
    assert decoded(m["From"]) == FROM
    assert decoded(m["To"]) == "Chloé Garde <chloe@example.test>"
    assert "482113" in decoded(m["Subject"])
    assert m["Message-ID"] == "<alert.1.email@stoppvif.example.be>"
    assert m["Content-Transfer-Encoding"] == "8bit"
    # a line of one dot survives the SMTP dot-stuffing
    assert m.get_content().rstrip("\n") == "Bonjour,\n.\nRépondez OK 482113"


def test_smtp_plugin_one_connection_mixes_both(tmp_path):
    """One connection, its handle reused: encrypted and clear messages in
    turn each go as they should."""
    with SmtpSink(tmp_path) as sink:
        conf = {"url": sink.url, "from": FROM, "tls": "none",
                "timeout": "10", "max_connections": "1"}
        out, _ = plughost("smtp.so", conf, [message(i, i % 2 == 1)
                                             for i in range(1, 7)])
        assert all(out[i][0] == "SENT" for i in range(1, 7)), out
        msgs = sink.wait_messages(6)
    marks = sorted((m["Message-ID"], m["X-Plughost-Wrapped"]) for m in msgs)
    assert marks == sorted((f"<alert.{i}.email@stoppvif.example.be>",
                            "yes" if i % 2 == 1 else None)
                           for i in range(1, 7))
    for m in msgs:
        if m["X-Plughost-Wrapped"] is None:     # the clear one, as before
            assert m.get_content_type() == "multipart/mixed"
            assert "482113" in m.get_body(("plain",)).get_content()


def test_smtp_plugin_encrypt_refused_fails_and_sends_nothing(tmp_path):
    with SmtpSink(tmp_path) as sink:
        conf = {"url": sink.url, "from": FROM, "tls": "none",
                "timeout": "10"}
        out, err = plughost("smtp.so", conf, [message(1, True)], fail=True)
        assert out == {1: ("FAILED", "encryption failed")}
        assert "encrypt refused msg=1" in err
        time.sleep(0.3)
        assert sink.dump_files(finished=False) == []


def test_spool_plugin_writes_the_wrapped_message(tmp_path):
    spool = tmp_path / "spool"
    conf = {"dir": str(spool)}
    out, _ = plughost("spool.so", conf, [message(1, True),
                                          message(2, False)])
    assert out[1][0] == "SENT" and out[2][0] == "SENT", out
    data = (spool / "1-alert_1_email.eml").read_bytes()
    # what the plugin built (LF: the daemon's encrypt() makes it CRLF)
    assert data.startswith(WRAPPED)
    head = data[len(WRAPPED):].split(b"\n\n", 1)[0].decode()
    assert head.startswith("From: noreply@stoppvif\n")
    assert "\nTo: chloe@example.test\n" in head      # ASCII, no name
    assert "Chloé" not in head and "482113" in head
    clear = (spool / "2-alert_2_email.eml").read_bytes()
    assert not clear.startswith(WRAPPED) and b"\r\n" not in clear
    assert "Chloé Garde".encode() in clear


def test_spool_plugin_encrypt_refused_writes_nothing(tmp_path):
    spool = tmp_path / "spool"
    out, _ = plughost("spool.so", {"dir": str(spool)}, [message(1, True)],
                      fail=True)
    assert out == {1: ("FAILED", "encryption failed")}
    assert list(spool.iterdir()) == []


def test_spool_channel_through_the_daemon(daemon_env, smime):
    """The default channel (spool, no section): Anne's reminder is written
    encrypted and decrypts with openssl cms; the file shows nothing of
    it."""
    d = daemon_env
    d.start()
    pid = d.add_person(name="Anne Garde", role="referent",
                       email=addr_of("Anne"))
    d.ctl("people", "edit", str(pid), "--smime-cert", str(smime.anne),
          check=0)
    title = "Réunion plateforme Sprimont"
    remind(d, pid, title)
    spool = d.state / "spool"
    deadline = time.monotonic() + 30
    while not list(spool.glob("*.eml")):
        assert time.monotonic() < deadline, d.log()[-3000:]
        time.sleep(0.1)
    data = next(spool.glob("*.eml")).read_bytes()
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert_hidden(msg, [title, "Sprimont", "plateforme", "Rappel",
                        "Bonjour", "reminder"])
    orig = inner(msg, smime, None)
    assert title in decoded(orig["Subject"]) and title in body_of(orig)


def wait_spool(d, n, timeout=30.0):
    """The spool's .eml files once there are n, oldest first (by id)."""
    spool = d.state / "spool"
    deadline = time.monotonic() + timeout
    while len(files := sorted(spool.glob("*.eml"), key=lambda p: int(
            p.name.split("-")[0]))) < n:
        assert time.monotonic() < deadline, d.log()[-3000:]
        time.sleep(0.1)
    return [email.message_from_bytes(p.read_bytes(),
                                     policy=email.policy.default)
            for p in files]


def test_policy_and_subject_reloaded(daemon_env, smime):
    """[privacy] email and encrypted_subject take effect on reload: Chloe,
    without a key, gets the clear reminder, then the notice; Anne's
    encrypted reminder shows the new neutral subject."""
    d = daemon_env
    d.start()
    anne = d.add_person(name="Anne Garde", role="referent",
                        email=addr_of("Anne"))
    d.ctl("people", "edit", str(anne), "--smime-cert", str(smime.anne),
          check=0)
    chloe = d.add_person(name="Chloe Garde", role="referent",
                         email=addr_of("Chloe"))
    title = "Réunion plateforme Sprimont"
    remind(d, chloe, title)
    first = wait_spool(d, 1)[0]
    assert title in decoded(first["Subject"])
    assert "reloaded" in d.hup(d.config_text(delivery_extra=(
        "[privacy]\nemail = encrypt-or-notice\n"
        "encrypted_subject = Courrier interne\n")))
    remind(d, chloe, title)
    remind(d, anne, title)
    later = wait_spool(d, 3)[1:]
    by_to = {decoded(m["To"]).split("<")[-1].rstrip(">"): m for m in later}
    notice = by_to[addr_of("Chloe")]
    assert decoded(notice["Subject"]) == NEUTRAL
    assert title not in body_of(notice)
    enc = by_to[addr_of("Anne")]
    assert decoded(enc["Subject"]) == "Courrier interne"
    assert enc.get_content_type() == "application/pkcs7-mime"
    assert title in decoded(inner(enc, smime, None)["Subject"])


def test_sms_plugin_never_sends_a_message_marked_encrypt(tmp_path):
    """An SMS cannot be encrypted: a message marked so (a host bug) fails
    and the gateway gets nothing; an unmarked one goes."""
    import http.server
    import threading
    hits = []

    class Gateway(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(202)
            self.end_headers()
            self.wfile.write(b"0: Accepted for delivery")

        def log_message(self, *a):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = (f"http://127.0.0.1:{srv.server_address[1]}/send?"
               "to={to}&text={text}")
        sms = {"id": 1, "key": "alert/1/sms", "kind": "alert",
               "to": "+32470000001", "body": "OK 482113", "urgent": True,
               "created": 1767790800, "encrypt": True}
        out, _ = plughost("sms_http.so", {"url": url, "success":
                                          "Accepted"}, [sms])
        assert out == {1: ("FAILED", "an SMS cannot be encrypted")}
        assert hits == []
        out, _ = plughost("sms_http.so", {"url": url, "success":
                                          "Accepted"},
                          [dict(sms, id=2, encrypt=False)])
        assert out[2][0] == "SENT", out
        assert len(hits) == 1
    finally:
        srv.shutdown()
        srv.server_close()
