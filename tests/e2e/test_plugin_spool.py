"""The spool channel plugin, loaded alone by tests/tools/plughost: each
message one file, written atomically, mode 0600, in a 0700 folder; the
folder's checks; write errors are temporary."""
import email
import email.policy
import email.utils
import json
import os
import resource
import select
import signal
import stat
import subprocess
import time

import pytest

from conftest import BUILD, sanitizer_report

PLUGHOST = BUILD / "tools" / "plughost"
PLUGIN = BUILD / "plugins" / "spool.so"
CREATED = 1767225600            # 2026-01-01T00:00:00Z

EMAIL = {"id": 7, "key": "reminder:3:2026-01-07T13:00:00Z:-7d:12:email",
         "kind": "reminder", "to": "anne@example.be",
         "to_name": 'Anne "A" Dupont', "subject": "Rappel : plateforme jeudi",
         "body": "Bonjour,\nRéunion à 14h00, déjà.\n", "created": CREATED}
SMS = {"id": 8, "key": "alert:1:sms", "kind": "alert", "to": "+32470000001",
       "body": "Logement disponible. Répondez OK 4821", "urgent": True,
       "created": CREATED}


@pytest.fixture(autouse=True)
def built():
    for f in (PLUGHOST, PLUGIN):
        assert f.is_file(), (f"{f} missing: make SANITIZE=address,undefined "
                             f"BUILD=build/san {f}")


def argv(state, conf, check=False):
    return ([str(PLUGHOST)] + (["-c"] if check else []) +
            ["-s", str(state), str(PLUGIN)] +
            [f"{k}={v}" for k, v in conf.items()])


def outcomes(stdout):
    out = {}
    for line in stdout.splitlines():
        i, o, reply = (line.split(" ", 2) + [""])[:3]
        out[int(i)] = (o, reply)
    return out


def plughost(state, conf=None, messages=(), check=False, preexec=None):
    """(rc, {id: (outcome, reply)}, stderr)."""
    try:
        r = subprocess.run(argv(state, conf or {}, check),
                           input="".join(json.dumps(m) + "\n"
                                         for m in messages),
                           capture_output=True, text=True, timeout=30,
                           preexec_fn=preexec)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"plughost: no end after 30 s: {e.stderr!r}")
    mark = sanitizer_report(r.stderr)
    assert mark is None, f"sanitizer report ({mark}):\n{r.stderr}"
    return r.returncode, outcomes(r.stdout), r.stderr


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_spool_writes_each_message_as_a_file(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    rc, out, err = plughost(state, messages=[EMAIL, SMS])
    assert rc == 0, err
    spool = state / "spool"
    eml = "7-reminder_3_2026-01-07T13_00_00Z_-7d_12_email.eml"
    sms = "8-alert_1_sms.sms"
    assert out == {7: ("SENT", f"spooled {eml}"), 8: ("SENT", f"spooled {sms}")}
    assert mode(spool) == 0o700
    assert sorted(os.listdir(spool)) == [eml, sms]      # no temporary file
    assert mode(spool / eml) == 0o600 and mode(spool / sms) == 0o600

    assert (spool / sms).read_text() == \
        "To: +32470000001\n\nLogement disponible. Répondez OK 4821"

    raw = (spool / eml).read_bytes()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    assert m["To"].addresses[0].display_name == 'Anne "A" Dupont'
    assert m["To"].addresses[0].addr_spec == "anne@example.be"
    assert m["Subject"] == "Rappel : plateforme jeudi"
    assert email.utils.parsedate_to_datetime(m["Date"]).timestamp() == CREATED
    assert m["Date"] == "Thu, 01 Jan 2026 00:00:00 +0000"
    assert m["Message-ID"] == ("<reminder%3A3%3A2026-01-07T13%3A00%3A00Z"
                               "%3A-7d%3A12%3Aemail@stoppvif>")
    assert m.get_content_type() == "text/plain"
    assert m.get_content() == EMAIL["body"]
    head, _, body = raw.partition(b"\n\n")
    assert body.decode() == EMAIL["body"]
    assert b"\r" not in raw


def test_spool_same_message_same_file_no_header_injection(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    evil = dict(EMAIL, subject="Rappel\r\nBcc: someone@example.org",
                body="sans fin de ligne")
    for _ in range(2):
        rc, out, err = plughost(state, messages=[evil])
        assert rc == 0 and out[7][0] == "SENT", err
    files = os.listdir(state / "spool")
    assert len(files) == 1, files
    m = email.message_from_bytes((state / "spool" / files[0]).read_bytes(),
                                 policy=email.policy.default)
    assert m["Bcc"] is None
    assert "Bcc" in m["Subject"]
    assert m.get_content() == "sans fin de ligne\n"
    # nothing about the message in the log
    assert "anne" not in err and "Rappel" not in err


def test_spool_dir_key(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    d = tmp_path / "out"
    rc, out, err = plughost(state, {"dir": d}, messages=[SMS])
    assert rc == 0 and out[8][0] == "SENT", err
    assert mode(d) == 0o700 and os.listdir(d) == ["8-alert_1_sms.sms"]
    assert not (state / "spool").exists()


def test_spool_check_only_creates_nothing(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    rc, out, err = plughost(state, check=True)
    assert rc == 0, err
    assert not (state / "spool").exists()
    rc, out, err = plughost(state, {"dir": tmp_path / "no" / "x"},
                            check=True)
    assert rc == 1 and "config: dir: " in err and "parent" in err, err


@pytest.mark.parametrize("bits", [0o777, 0o770, 0o702])
def test_spool_refuses_writable_dir(tmp_path, bits):
    state = tmp_path / "state"
    (state / "spool").mkdir(parents=True)
    os.chmod(state / "spool", bits)
    for check in (True, False):
        rc, out, err = plughost(state, messages=[SMS], check=check)
        assert rc == 1, err
        assert "config: dir: " in err and "writable by group or others" in err
        assert out == {}
    assert os.listdir(state / "spool") == []


def test_spool_refuses_missing_parent(tmp_path):
    rc, out, err = plughost(tmp_path / "nostate", messages=[SMS])
    assert rc == 1 and "config: dir: " in err and "parent" in err, err
    assert not (tmp_path / "nostate").exists()
    rc, out, err = plughost(tmp_path, {"dir": ""})
    assert rc == 1 and "config: dir: empty" in err, err


def test_spool_write_error_is_retry(tmp_path):
    """A file too large for the process' limit (as a full disk would): the
    outcome is RETRY with the strerror text and no temporary file stays."""
    state = tmp_path / "state"
    state.mkdir()
    (state / "spool").mkdir(mode=0o700)
    big = dict(SMS, body="x" * 5000)

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))

    rc, out, err = plughost(state, messages=[big, EMAIL],
                            preexec=limit)
    assert rc == 0, err
    assert out[8] == ("RETRY", "write: File too large"), out
    assert out[7][0] == "SENT", out        # the small one fits
    assert os.listdir(state / "spool") == [out[7][1].split()[1]]


def test_spool_folder_gone_is_retry(tmp_path):
    """The folder removed under a running channel: RETRY, strerror text."""
    state = tmp_path / "state"
    state.mkdir()
    p = subprocess.Popen(argv(state, {}), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # init() logs "created dir=..." once the folder is made and open
        err = b""
        deadline = time.monotonic() + 10
        while b"created dir=" not in err and time.monotonic() < deadline:
            if select.select([p.stderr], [], [], 0.1)[0]:
                chunk = os.read(p.stderr.fileno(), 4096)
                if not chunk:
                    break
                err += chunk
        assert b"created dir=" in err, err
        os.rmdir(state / "spool")
        stdout, stderr = p.communicate((json.dumps(SMS) + "\n").encode(),
                                       timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
    stderr = (err + stderr).decode(errors="replace")
    assert sanitizer_report(stderr) is None, stderr
    assert p.returncode == 0, stderr
    assert outcomes(stdout.decode()) == {
        8: ("RETRY", "open: No such file or directory")}
