"""
The smtp channel plugin (plugins/smtp.c), loaded alone by the test host
tools/plughost through the plugin ABI, against a real Postfix smtp-sink.

plughost hands every message to send() at once and prints "ID BUSY" for
those refused while all max_connections slots are taken; it runs the
transfers until each taken message has its outcome, "ID SENT|RETRY|FAILED
reply".  Every run is bounded in time and its stderr checked for sanitizer
reports.
"""
import base64
import email.header
import email.utils
import json
import os
import re
import socket
import subprocess
import time
from datetime import datetime, timezone

import pytest

from conftest import BUILD, sanitizer_report
from srv_smtp import SmtpSink, TlsFront, free_port

PLUGHOST = BUILD / "tools" / "plughost"
PLUGIN = BUILD / "plugins" / "smtp.so"
FROM = "Coordination sociale <noreply@stoppvif.example.be>"
FROM_ADDR = "noreply@stoppvif.example.be"
RUN_TIMEOUT = 60.0
CREATED = 1767790800            # 2026-01-07 13:00:00 UTC

pytestmark = pytest.mark.skipif(
    not (PLUGHOST.is_file() and PLUGIN.is_file()),
    reason=f"{PLUGHOST} or {PLUGIN} not built")


def message(i, **kw):
    m = {"id": i, "key": f"reminder/{i}/2026-01-07T14:00/7d/3/email",
         "kind": "reminder", "to": f"referent{i}@esneux.example.be",
         "to_name": None, "subject": "Rappel", "body": "Bonjour\n",
         "urgent": False, "created": CREATED}
    m.update(kw)
    return m


def plugin_leak(stderr):
    """After a refused configuration, plughost exits without freeing its
    own curl multi handle (tests/tools/plughost.c, reported).  Tolerate
    those leaks alone: a report that is only LeakSanitizer's, with no frame
    in the plugin, is None; anything else is its first marker."""
    if "ERROR: AddressSanitizer" in stderr or "runtime error" in stderr:
        return sanitizer_report(stderr)
    if "ERROR: LeakSanitizer" not in stderr:
        return sanitizer_report(stderr)
    if re.search(r"#\d+ .*(smtp\.c|smtp\.so)", stderr):
        return "LeakSanitizer (in the plugin)"
    return None


def plughost(conf, msgs=(), check=False, debug=True, timeout=RUN_TIMEOUT):
    """Run plughost; (exit code, {id: (STATUS, reply)}, stderr).  With
    check, init() runs in check-only mode and msgs are not read."""
    argv = [PLUGHOST] + (["-c"] if check else []) + [PLUGIN]
    argv += [f"{k}={v}" for k, v in conf.items()]
    env = dict(os.environ)
    if debug:
        env["PLUGHOST_DEBUG"] = "1"
    if check:
        # full stacks, so that a leak in the plugin names it
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + \
            ":fast_unwind_on_malloc=0"
    try:
        r = subprocess.run([str(a) for a in argv], env=env, text=True,
                           capture_output=True, timeout=timeout,
                           input="".join(json.dumps(m) + "\n"
                                         for m in msgs))
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"plughost: no answer after {timeout} s "
                    f"(stderr so far: {e.stderr!r})")
    rc = r.returncode
    mark = sanitizer_report(r.stderr)
    if mark is not None and check and rc in (1, 99):
        mark = plugin_leak(r.stderr)
        if mark is None:
            rc = 1      # LeakSanitizer's exit code over plughost's 1
    assert mark is None, f"sanitizer report ({mark}):\n{r.stderr}"
    out = {}
    for line in r.stdout.splitlines():
        ident, status, *reply = line.split(" ", 2)
        out[int(ident)] = (status, reply[0] if reply else "")
    return rc, out, r.stderr


def conf_for(sink_or_url, **kw):
    url = sink_or_url if isinstance(sink_or_url, str) else sink_or_url.url
    conf = {"url": url, "from": FROM, "tls": "none", "timeout": "10"}
    conf.update({k: v for k, v in kw.items() if v is not None})
    for k in [k for k, v in kw.items() if v is None]:
        conf.pop(k, None)
    return conf


@pytest.fixture
def sink(tmp_path):
    with SmtpSink(tmp_path) as s:
        yield s


def raw_header(path, name):
    """A header of a dump file as sent: its lines, folding kept."""
    lines = path.read_bytes().decode().split("\n")
    out = None
    for line in lines:
        if out is not None:
            if line[:1] in (" ", "\t"):
                out.append(line)
                continue
            return out
        if line.lower().startswith(name.lower() + ":"):
            out = [line]
    return out


def text_of(msg):
    return msg.get_body(("plain",)).get_content()


# -- what arrives ---------------------------------------------------------

BODY = ("Bonjour Chloé,\n"
        "La réunion de la plateforme a lieu à Aywaille, salle « Cabane ».\n"
        ".\n"
        "From the coordinator: ça, là, où, naïve, Noël, ß, € — 🏠\n"
        "trailing spaces   \n"
        "=?UTF-8?Q?not_an_encoded_word?= and =3D\n"
        + "une ligne très longue " * 12 + "\n"
        "\n"
        "Merci")


def test_message_arrives_with_headers_and_exact_body(sink):
    subject = "Rappel : réunion à Esneux — Chaudfontaine, Sprimont, Trooz"
    m = message(1, to_name="Chloé Lefèbvre-Müller", subject=subject,
                body=BODY)
    rc, out, err = plughost(conf_for(sink), [m])
    assert rc == 0, err
    assert out[1][0] == "SENT", out
    assert out[1][1].startswith("250 "), out
    [got] = sink.wait_messages(1)

    # envelope, as smtp-sink saw it
    assert got["X-Mail-Args"] == f"<{FROM_ADDR}>"
    assert got["X-Rcpt-Args"] == f"<{m['to']}>"
    # headers, decoded
    assert got["From"].addresses[0].display_name == "Coordination sociale"
    assert got["From"].addresses[0].addr_spec == FROM_ADDR
    assert got["To"].addresses[0].display_name == "Chloé Lefèbvre-Müller"
    assert got["To"].addresses[0].addr_spec == m["to"]
    assert str(got["Subject"]) == subject
    assert got["Date"].datetime == datetime.fromtimestamp(CREATED,
                                                          timezone.utc)
    assert str(got["Date"]).endswith("+0000")
    assert got["Message-ID"] == \
        "<reminder.1.2026-01-07T14%3A00.7d.3.email@stoppvif.example.be>"
    assert got["Auto-Submitted"] == "auto-generated"
    assert got["MIME-Version"] == "1.0"
    part = got.get_body(("plain",))
    assert part.get_content_type() == "text/plain"
    assert part.get_content_charset() == "utf-8"
    assert part["Content-Transfer-Encoding"] in ("quoted-printable",
                                                 "base64")
    assert text_of(got) == BODY

    # the subject as sent: encoded-words of at most 75 characters, lines of
    # at most 76, each word valid UTF-8 on its own; decode_header agrees
    [path] = sink.dump_files()
    lines = raw_header(path, "Subject")
    assert all(len(line) <= 76 for line in lines), lines
    words = re.findall(r"=\?[^?]+\?[QqBb]\?[^?]*\?=", "".join(lines))
    assert words and all(len(w) <= 75 for w in words), words
    for w in words:
        [(data, charset)] = email.header.decode_header(w)
        data.decode(charset)            # no UTF-8 sequence cut in two
    value = "".join(lines)[len("Subject:"):]
    decoded = str(email.header.make_header(email.header.decode_header(value)))
    assert decoded == subject
    assert all(b < 0x80 for b in path.read_bytes()), "8-bit bytes sent"


def test_long_accented_subject_is_split_on_characters(sink):
    subject = "éèàçë" * 30 + " — fin"
    rc, out, err = plughost(conf_for(sink), [message(2, subject=subject)])
    assert out[2][0] == "SENT", (out, err)
    [got] = sink.wait_messages(1)
    assert str(got["Subject"]) == subject
    lines = raw_header(sink.dump_files()[0], "Subject")
    assert len(lines) > 3 and all(len(line) <= 76 for line in lines), lines
    for w in re.findall(r"=\?[^?]+\?[QqBb]\?[^?]*\?=", "".join(lines)):
        assert len(w) <= 75
        [(data, charset)] = email.header.decode_header(w)
        data.decode(charset)


def test_plain_names_and_no_display_name(sink):
    msgs = [message(3, to_name="Dupont, Marie", subject="Rappel"),
            message(4, to_name=None, subject="Formation")]
    rc, out, err = plughost(conf_for(sink, **{"from": FROM_ADDR}), msgs)
    assert [out[3][0], out[4][0]] == ["SENT", "SENT"], (out, err)
    got = {m["X-Rcpt-Args"]: m for m in sink.wait_messages(2)}
    a = got[f"<{msgs[0]['to']}>"]
    b = got[f"<{msgs[1]['to']}>"]
    assert a["To"].addresses[0].display_name == "Dupont, Marie"
    assert b["To"].addresses[0].display_name == ""
    assert str(b["To"]) == msgs[1]["to"]
    assert str(a["From"]) == FROM_ADDR
    assert str(a["Subject"]) == "Rappel"


def test_message_id_is_stable_for_a_key(sink):
    odd = "alert/aisova/2026-03-01T08:00+01:00//x y%é"
    long = "reminder/" + "é" * 100 + "/end"     # hashed past 200 chars
    msgs = [message(5), message(6, key=odd), message(19, key=long),
            message(26, key=long + "x")]
    for _ in range(2):
        rc, out, err = plughost(conf_for(sink), msgs)
        assert all(o[0] == "SENT" for o in out.values()), (out, err)
    got = sink.wait_messages(8)
    ids = {}
    for m in got:
        ids.setdefault(m["X-Rcpt-Args"], []).append(m["Message-ID"])
    per_key = [ids[f"<{m['to']}>"] for m in msgs]
    assert all(len(v) == 2 and v[0] == v[1] for v in per_key), per_key
    assert len({v[0] for v in per_key}) == 4, per_key
    # valid msg-ids: <dot-atom@domain>, not too long
    atext = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
    for v in per_key:
        assert re.fullmatch(rf"<{atext}(\.{atext})*@stoppvif\.example\.be>",
                            v[0]), v[0]
        assert len(v[0]) < 250, v[0]


def test_fifty_messages_through_four_connections(sink):
    # plughost hands the plugin what it takes and the rest as slots free up.
    msgs = [message(i) for i in range(1, 51)]
    rc, out, err = plughost(conf_for(sink, max_connections="4"), msgs,
                            debug=False)
    assert rc == 0, err
    assert len(out) == 50 and all(o[0] == "SENT" for o in out.values()), out
    got = sink.wait_messages(50)
    rcpts = sorted(m["X-Rcpt-Args"] for m in got)
    assert rcpts == sorted(f"<{m['to']}>" for m in msgs), "lost or doubled"
    assert len({m["Message-ID"] for m in got}) == 50


# -- outcomes -------------------------------------------------------------

@pytest.mark.parametrize("flags, status, code", [
    (["-f", "RCPT"], "FAILED", "5"),    # hard reject of the recipient
    (["-r", "RCPT"], "RETRY", "4"),     # soft reject
    (["-f", "MAIL"], "FAILED", "5"),
    (["-f", "DATA"], "FAILED", "5"),
    (["-r", "DATA"], "RETRY", "4"),
    (["-f", "."], "FAILED", "5"),       # rejected after the body
    (["-r", "."], "RETRY", "4"),
    (["-Q", "DATA"], "RETRY", "421"),   # 421 and disconnect
    (["-q", "DATA"], "RETRY", "curl:"),  # disconnect, no reply
    (["-f", "EHLO,HELO"], "RETRY", "5"),  # the server's fault, not the msg's
    (["-f", "CONNECT"], "RETRY", "5"),
])
def test_server_answers_map_to_outcomes(tmp_path, flags, status, code):
    with SmtpSink(tmp_path, flags=flags) as s:
        rc, out, err = plughost(conf_for(s), [message(7)])
    assert rc == 0, err
    assert out[7][0] == status, (flags, out, err)
    assert out[7][1].startswith(code), out


def test_server_not_listening_is_retried():
    port = free_port()
    t0 = time.monotonic()
    rc, out, err = plughost(conf_for(f"smtp://127.0.0.1:{port}"),
                            [message(8)])
    assert out[8][0] == "RETRY", (out, err)
    assert time.monotonic() - t0 < 20


def test_slow_server_times_out_and_is_retried(tmp_path):
    with SmtpSink(tmp_path, flags=["-w", "8"]) as s:
        t0 = time.monotonic()
        rc, out, err = plughost(conf_for(s, timeout="1"), [message(9)])
        assert out[9][0] == "RETRY", (out, err)
        assert time.monotonic() - t0 < 7


def test_tls_required_never_sends_in_clear(sink):
    # smtp-sink offers no STARTTLS: the default tls = required must refuse
    # to send, and retry.
    rc, out, err = plughost(conf_for(sink, tls=None), [message(10)])
    assert out[10][0] == "RETRY", (out, err)
    time.sleep(0.3)
    assert sink.dump_files() == []
    rc, out, err = plughost(conf_for(sink, tls="opportunistic"),
                            [message(11)])
    assert out[11][0] == "SENT", (out, err)


def test_smtps_verifies_the_certificate(tmp_path, sink):
    with TlsFront(tmp_path, sink) as front:
        conf = conf_for(front.url, tls=None)
        rc, out, err = plughost(conf, [message(20)])   # system CAs only
        assert out[20][0] == "RETRY", (out, err)
        rc, out, err = plughost(dict(conf, ca_file=front.ca_file),
                                [message(21)])
        assert out[21][0] == "SENT", (out, err)
    [got] = sink.wait_messages(1)
    assert got["X-Rcpt-Args"] == f"<{message(21)['to']}>"


def test_starttls_required(tmp_path, sink):
    with TlsFront(tmp_path, sink, starttls=True) as front:
        conf = conf_for(front.url, tls=None, ca_file=front.ca_file)
        rc, out, err = plughost(conf, [message(22)])
        assert out[22][0] == "SENT", (out, err)
        rc, out, err = plughost(dict(conf, tls="opportunistic"),
                                [message(23)])
        assert out[23][0] == "SENT", (out, err)
        # without TLS the front refuses MAIL (530): retried, not failed
        rc, out, err = plughost(dict(conf, tls="none"), [message(24)])
        assert out[24][0] == "RETRY", (out, err)
    assert len(sink.wait_messages(2)) == 2


def test_password_from_file_over_tls(tmp_path):
    # smtp-sink answers AUTH with 250 where 235 is due, so curl reports
    # "Login denied": the message is retried (a credentials problem is not
    # the message's fault).  Its log shows what was sent.
    pw = password_file(tmp_path, 0o640, "s3cret\n")
    with SmtpSink(tmp_path, flags=["-v"]) as sink, \
            TlsFront(tmp_path, sink) as front:
        conf = conf_for(front.url, tls=None, ca_file=front.ca_file,
                        username="stoppvif", password_file=pw)
        rc, out, err = plughost(conf, [message(25)])
        assert out[25][0] == "RETRY", (out, err)
        time.sleep(0.3)
        log = sink.log()
    ir = base64.b64encode(b"\0stoppvif\0s3cret").decode()
    assert f"AUTH PLAIN {ir}" in log, log
    assert "s3cret" not in err


def test_bad_recipient_fails_at_once(sink):
    msgs = [message(12, to="not an address"), message(13, to="+32470000001"),
            message(14, to="a@b@c"), message(15, to="x\r\nRCPT TO:<y@z>")]
    rc, out, err = plughost(conf_for(sink), msgs)
    assert {i: o[0] for i, o in out.items()} == {12: "FAILED", 13: "FAILED",
                                                 14: "FAILED", 15: "FAILED"}
    time.sleep(0.3)
    assert sink.dump_files() == []


def test_header_injection_is_encoded(sink):
    m = message(16, to_name="Eve\r\nBcc: victim@example.be",
                subject="Hi\r\nBcc: victim@example.be")
    rc, out, err = plughost(conf_for(sink), [m])
    assert out[16][0] == "SENT", (out, err)
    [got] = sink.wait_messages(1)
    assert got["Bcc"] is None
    assert got.get_all("X-Rcpt-Args") == [f"<{m['to']}>"]


def test_logs_and_replies_carry_no_personal_data(tmp_path):
    secret = message(17, to="chloe.secret@esneux.example.be",
                     to_name="Chloé Secret", subject="Sujet confidentiel",
                     body="Texte confidentiel")
    reply = "550 5.1.1 <chloe.secret@esneux.example.be>: Recipient rejected"
    for flags in ([], ["-B", reply, "-f", "RCPT"], ["-r", "RCPT"]):
        with SmtpSink(tmp_path, flags=flags) as s:
            rc, out, err = plughost(conf_for(s), [secret])
        assert out[17][0] in ("SENT", "FAILED", "RETRY")
        for text in ("chloe.secret", "Secret", "confidentiel"):
            assert text not in err, (flags, err)
            assert text not in out[17][1], (flags, out)
    assert out[17][0] == "RETRY"


# -- configuration --------------------------------------------------------

def password_file(tmp_path, mode, text="s3cret\n"):
    p = tmp_path / "smtp.password"
    p.write_text(text)
    os.chmod(p, mode)
    return str(p)


BAD_CONFIGS = [
    ("missing url", {"url": None}, "url"),
    ("http url", {"url": "http://127.0.0.1:25"}, "url"),
    ("not a url", {"url": "127.0.0.1 25"}, "url"),
    ("password in url", {"url": "smtp://u:p@127.0.0.1:25"}, "url"),
    ("missing from", {"from": None}, "from"),
    ("bad from", {"from": "Coordination <noreply>"}, "from"),
    ("bad from 2", {"from": "noreply@@x.be"}, "from"),
    ("bad tls", {"tls": "maybe"}, "tls"),
    ("smtps with none", {"url": "smtps://127.0.0.1:465", "tls": "none"},
     "tls"),
    ("username alone", {"username": "stoppvif", "tls": "required"},
     "username"),
    ("bad timeout", {"timeout": "0"}, "timeout"),
    ("bad timeout 2", {"timeout": "30s"}, "timeout"),
    ("bad max_connections", {"max_connections": "0"}, "max_connections"),
    ("bad helo", {"helo": "bad host!"}, "helo"),
    ("missing ca_file", {"ca_file": "/nonexistent/ca.pem"}, "ca_file"),
]


@pytest.mark.parametrize("name, change, key", BAD_CONFIGS,
                         ids=[c[0] for c in BAD_CONFIGS])
def test_check_only_refuses_bad_config(name, change, key):
    rc, out, err = plughost(conf_for("smtp://127.0.0.1:25", **change),
                            check=True)
    assert rc == 1, err
    assert f"config: {key}:" in err, err


def test_check_only_password_file_rules(tmp_path):
    base = conf_for("smtp://127.0.0.1:25", tls="required")
    world = password_file(tmp_path, 0o644)
    rc, out, err = plughost(dict(base, username="u", password_file=world),
                            check=True)
    assert rc == 1 and "config: password_file:" in err, err
    private = password_file(tmp_path, 0o600)
    rc, out, err = plughost(dict(base, password_file=private), check=True)
    assert rc == 1 and "config: password_file:" in err, err
    rc, out, err = plughost(dict(base, username="u", password_file=private,
                                 tls="none"), check=True)
    assert rc == 1 and "config: tls:" in err, err
    rc, out, err = plughost(dict(base, username="u", password_file=private),
                            check=True)
    assert rc == 0, err
    empty = password_file(tmp_path, 0o600, "\n")
    rc, out, err = plughost(dict(base, username="u", password_file=empty),
                            check=True)
    assert rc == 1 and "config: password_file:" in err, err


def test_check_only_reports_every_problem():
    rc, out, err = plughost({"tls": "sometimes", "timeout": "x"},
                            check=True)
    assert rc == 1
    for key in ("url", "from", "tls", "timeout"):
        assert f"config: {key}:" in err, err


def test_check_only_opens_no_connection(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as lsn:
        lsn.bind(("127.0.0.1", 0))
        lsn.listen(8)
        lsn.settimeout(0.5)
        port = lsn.getsockname()[1]
        ca = tmp_path / "ca.pem"
        ca.write_text("not checked here\n")
        conf = conf_for(f"smtp://127.0.0.1:{port}", tls="opportunistic",
                        ca_file=str(ca), max_connections="2",
                        helo="client.example.be")
        rc, out, err = plughost(conf, [message(18)], check=True)
        assert rc == 0, err
        assert out == {}
        with pytest.raises(socket.timeout):
            lsn.accept()
