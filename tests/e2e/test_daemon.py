"""The daemon itself: configuration check, reload, access control, the
control API's limits, and the client when the daemon is away."""
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from conftest import STOPPVIFCTL, STOPPVIFD, run, sanitizer_report


def test_config_check_reports_every_mistake(daemon_env):
    d = daemon_env
    bad = d.dir / "bad.ini"
    bad.write_text(
        "[daemon]\n"                        # 1
        "state_dir = state\n"               # 2
        "bogus = 1\n"                       # 3: unknown key
        "language = es\n"                   # 4: bad language
        "; a comment\n"                     # 5
        "log_level = loud\n"                # 6: bad log level
        "[crypto]\n"                        # 7
        "key_file = state/master.key\n")    # 8
    r = run([STOPPVIFD, "-t", "-c", bad])
    out = r.stdout + r.stderr
    assert sanitizer_report(out) is None, out
    assert r.returncode == 1, out
    for line, key in ((3, "bogus"), (4, "language"), (6, "log_level")):
        assert f"{bad}:{line}:" in out, out
        assert any(l.startswith(f"{bad}:{line}:") and key in l
                   for l in out.splitlines()), out
    assert "configuration OK" not in out
    for line in (1, 2, 5, 7, 8):
        assert f"{bad}:{line}:" not in out, out

    # starting on it is refused the same way, before touching anything
    r = run([STOPPVIFD, "-f", "-c", bad])
    out = r.stdout + r.stderr
    assert sanitizer_report(out) is None, out
    assert r.returncode == 1, out
    for line in (3, 4, 6):
        assert f"{bad}:{line}:" in out, out
    assert not d.state.exists() and not d.socket.exists()

    r = run([STOPPVIFD, "-t", "-c", d.conf])
    out = r.stdout + r.stderr
    assert sanitizer_report(out) is None, out
    assert r.returncode == 0, out
    assert "configuration OK" in out
    # checking starts nothing and creates nothing
    assert not d.state.exists() and not d.socket.exists()


def test_config_with_utf8_bom_accepted(daemon_env):
    """A configuration saved with a UTF-8 byte order mark (Windows editors
    add one) is refused: config_scan_line() in daemon/lib/config.c looks at the
    raw first line "\\xef\\xbb\\xbf[daemon]", reports it as neither a
    section nor a key, then every key as "outside any section", while inih
    itself skips the BOM.  The mark should be skipped on line 1."""
    d = daemon_env
    bom = d.dir / "bom.ini"
    bom.write_bytes(b"\xef\xbb\xbf" + d.config_text().encode())
    r = run([STOPPVIFD, "-t", "-c", bom])
    out = r.stdout + r.stderr
    assert sanitizer_report(out) is None, out
    assert r.returncode == 0 and "configuration OK" in out, (
        "BUG (daemon/lib/config.c config_scan_line): a UTF-8 BOM makes a valid "
        f"configuration invalid:\n{out}")


def test_config_check_missing_file(daemon_env):
    missing = daemon_env.dir / "nowhere.ini"
    r = run([STOPPVIFD, "-t", "-c", missing])
    assert r.returncode == 1
    assert str(missing) in r.stdout + r.stderr


def test_sighup_broken_config_keeps_old_then_reloads(daemon):
    d = daemon
    # a client configuration that stays valid while the daemon's is broken
    good = d.write_config(path=d.dir / "ctl.ini")
    rc, out, err = d.ctl("status", json=True, check=0)
    assert json.loads(out)["language"] == "fr"

    d.write_config(daemon_extra="bogus = 1\n")
    new = d.hup()
    assert "reload_refused" in new, new
    assert "bogus" in new, new
    assert d.running()
    rc, out, err = d.ctl("status", json=True, check=0, conf=good)
    st = json.loads(out)
    assert st["pid"] == d.proc.pid and st["language"] == "fr"
    # the old configuration is still the one in force: debug logging
    offset = d.log_size()
    d.ctl("status", check=0, conf=good)
    assert "api request" in d.wait_log("api request", offset)

    # fixed, with reloadable changes: language and log level
    d.write_config(log_level="info", daemon_extra="language = nl\n")
    new = d.hup()
    assert "config reloaded" in new, new
    offset = d.log_size()
    rc, out, err = d.ctl("status", json=True, check=0)
    assert json.loads(out)["language"] == "nl"
    pid = d.add_person(name="Nieuwe Taal", role="platform")
    assert d.ctl_json("people", "show", str(pid))["lang"] == "nl"
    time.sleep(0.2)
    assert "api request" not in d.log_since(offset), \
        "debug lines still logged after log_level = info"
    assert "people_add" in d.log_since(offset)      # info still is
    assert d.running()


def test_reload_command_refused_keeps_daemon(daemon):
    d = daemon
    good = d.write_config(path=d.dir / "ctl.ini")
    audit_before = d.audit()

    # broken file: the client itself refuses to use it
    d.write_config(daemon_extra="bogus = 1\n")
    rc, out, err = d.ctl("reload", check=1)
    assert str(d.conf.name) in err, err
    # the daemon, asked through a good client configuration, refuses too
    # and says where the problem is
    rc, out, err = d.ctl("reload", check=1, conf=good)
    assert f"{os.path.realpath(d.conf)}:5:" in err and "bogus" in err, err
    assert d.running()
    d.ctl("status", check=0, conf=good)

    # a key that needs a restart is refused by reload
    d.write_config(d.config_text().replace("state_dir = state",
                                           "state_dir = elsewhere"))
    rc, out, err = d.ctl("reload", check=1)
    assert "state_dir" in err, err
    assert d.running()
    assert not (d.dir / "elsewhere").exists()
    assert d.audit() == audit_before, "a refused reload is not audited"

    # and a good one is applied and audited
    d.write_config(daemon_extra="language = de\n")
    rc, out, err = d.ctl("reload", check=0)
    rc, out, err = d.ctl("status", json=True, check=0)
    assert json.loads(out)["language"] == "de"
    assert [e["action"] for e in d.audit()][0] == "reload"


def _as_user(argv, uid=65534, gid=65534, groups=None):
    """argv run as another user, with setpriv(1)."""
    g = ["--groups=" + ",".join(map(str, groups))] if groups else \
        ["--clear-groups"]
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}"] + g + \
        [str(a) for a in argv]


@pytest.fixture
def shared_socket(daemon_env):
    """A daemon whose socket and a client config live in a folder that
    other users can reach, the socket opened to them (mode 0666) as group
    membership would: only the daemon's own check stands in the way."""
    d = daemon_env
    pub = Path(tempfile.mkdtemp(prefix="svallow", dir="/tmp"))
    os.chmod(pub, 0o755)
    d.socket_setting = str(pub / "s.sock")
    d.socket = pub / "s.sock"
    client = pub / "client.ini"

    def configure(api=""):
        text = d.config_text(extra=api)
        d.write_config(text)
        client.write_text(text)
        os.chmod(client, 0o644)
        return text

    configure()
    d.start()
    os.chmod(d.socket, 0o666)
    yield d, client, configure
    shutil.rmtree(pub, ignore_errors=True)


def test_uid_not_allowed_refused(shared_socket):
    d, client, configure = shared_socket
    argv = [STOPPVIFCTL, "-c", client]
    r = run(_as_user(argv + ["status"]))
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "refusé" in r.stderr, r.stderr
    r = run(_as_user(argv + ["people", "add", "--name", "Intrus", "--role",
                             "referent"]))
    assert r.returncode == 1 and "refusé" in r.stderr, r.stderr
    assert "api refused uid=65534" in d.log()
    # root and the daemon's own user are always allowed
    assert d.ctl_json("status")["people"] == 0, "the refused add was done"


def test_uid_allowed_by_uid_and_groups(shared_socket):
    d, client, configure = shared_socket
    argv = [STOPPVIFCTL, "-c", client, "status"]
    d.hup(configure("[api]\nallow_uids = 65534\n"))
    r = run(_as_user(argv))
    assert r.returncode == 0, r.stderr
    # by primary group
    d.hup(configure("[api]\nallow_gids = 65534\n"))
    assert run(_as_user(argv)).returncode == 0
    # by supplementary group (SO_PEERGROUPS)
    r = run(_as_user(argv, gid=1, groups=[65534]))
    assert r.returncode == 0, r.stderr
    # and refused again when the lists no longer name it
    d.hup(configure("[api]\nallow_uids = 0\n"))
    r = run(_as_user(argv, gid=1, groups=[65534]))
    assert r.returncode == 1 and "refusé" in r.stderr, r.stderr


def test_socket_permission_is_explained(daemon):
    d = daemon
    pub = Path(tempfile.mkdtemp(prefix="svperm", dir="/tmp"))
    try:
        os.chmod(pub, 0o755)
        client = pub / "client.ini"
        client.write_text(d.config_text().replace(
            d.socket_setting, str(d.socket)))
        os.chmod(client, 0o644)
        # the socket (0660, root) is not reachable by nobody
        os.chmod(d.dir, 0o755)
        r = run(_as_user([STOPPVIFCTL, "-c", client, "status"]))
        assert r.returncode == 3, r.stderr
        assert "pas le droit d'ouvrir" in r.stderr, r.stderr
    finally:
        shutil.rmtree(pub, ignore_errors=True)


def test_ctl_daemon_not_running(daemon_env):
    d = daemon_env
    rc, out, err = d.ctl("status", check=3)
    assert str(d.socket) in err, err
    d.start()
    d.ctl("status", check=0)
    d.stop()
    rc, out, err = d.ctl("status", check=3)
    d.ctl("people", "list", check=3)
    d.ctl("people", "add", "--name", "X", "--role", "referent", check=3)


def test_body_too_large_refused(daemon):
    d = daemon
    d.add_person(name="Avant", role="referent")
    before = d.people(), d.audit()
    big = b'{"name": "' + b"x" * (1 << 20) + b'", "roles": ["referent"]}'
    status, headers, body = d.http(
        "POST", "/v1/people", big,
        headers={"Content-Type": "application/json"})
    assert status == 413, (status, body[:200])
    assert d.running()
    d.ctl("status", check=0)

    # the same without a Content-Length: chunked
    chunk = b"x" * 65536
    parts = [b'a\r\n{"name": "\r\n']
    parts += [b"%x\r\n" % len(chunk) + chunk + b"\r\n"] * 20
    parts += [b'19\r\n", "roles": ["referent"]}\r\n', b"0\r\n\r\n"]
    status, headers, body = d.http(
        "POST", "/v1/people", parts,
        headers={"Content-Type": "application/json",
                 "Transfer-Encoding": "chunked"})
    assert status == 413, (status, body[:200])
    assert d.running()
    assert (d.people(), d.audit()) == before


def test_malformed_requests(daemon):
    d = daemon
    d.add_person(name="Avant", role="referent")
    before = d.people(), d.audit()
    for raw in (b'{"name": ', b"not json", b'{"name": "a", "name": "b"}',
                b"[1, 2]", b'"just a string"'):
        status, headers, body = d.http("POST", "/v1/people", raw,
                                       headers={"Content-Type":
                                                "application/json"})
        assert status == 400, (raw, status, body)
        ans = json.loads(body)
        assert isinstance(ans.get("error"), str) and ans["error"], ans
    # an unknown field is refused
    status, headers, body = d.http(
        "POST", "/v1/people",
        b'{"name": "Champ Inconnu", "roles": ["referent"], "age": 12}')
    assert status == 400, (status, body)
    assert "age" in json.loads(body)["error"]
    # a wrong type names the field
    status, headers, body = d.http(
        "POST", "/v1/people", b'{"name": 12, "roles": ["referent"]}')
    assert status == 400 and json.loads(body).get("field") == "name", body
    # write without a body
    status, headers, body = d.http("POST", "/v1/people")
    assert status == 400 and "error" in json.loads(body)
    # unknown path, wrong method
    status, headers, body = d.http("GET", "/v1/nowhere")
    assert status == 404 and "error" in json.loads(body)
    status, headers, body = d.http("PUT", "/v1/people/1", b"{}")
    assert status in (405, 501), status     # libevent: 501 for PUT
    status, headers, body = d.http("DELETE", "/v1/status")
    assert status == 405 and "error" in json.loads(body)
    status, headers, body = d.http("GET", "/v1/people/abc")
    assert status == 404 and "error" in json.loads(body)
    assert d.running()
    assert (d.people(), d.audit()) == before


def test_second_daemon_refused(daemon):
    d = daemon
    d.add_person(name="Premier Démon", role="referent")
    t0 = time.monotonic()
    r = run([STOPPVIFD, "-f", "-c", d.conf], timeout=10)
    out = r.stdout + r.stderr
    assert sanitizer_report(out) is None, out
    assert r.returncode != 0, out
    assert time.monotonic() - t0 < 5
    assert "already running" in out, out
    # the first one still answers, on its socket
    rc, out, err = d.ctl("status", json=True, check=0)
    assert json.loads(out)["pid"] == d.proc.pid
    assert [p["name"] for p in d.people()] == ["Premier Démon"]


def test_second_daemon_on_the_same_database_refused(daemon, tmp_path):
    """Another socket, the same state folder: the database is the first
    daemon's alone (exclusive lock), refused at once and said so."""
    d = daemon
    other = tmp_path / "other.ini"
    other.write_text(re.sub(r"(?m)^socket = .*$",
                            f"socket = {d.socket}2", d.conf.read_text()))
    assert other.parent == d.conf.parent    # state = state: the same one
    t0 = time.monotonic()
    r = run([STOPPVIFD, "-f", "-c", other], timeout=10)
    out = r.stdout + r.stderr
    assert sanitizer_report(out) is None, out
    assert r.returncode != 0, out
    assert time.monotonic() - t0 < 3, out
    assert "database is locked: another stoppvifd" in out, out
    assert d.ctl_json("status")["pid"] == d.proc.pid


def test_restart_after_kill(daemon):
    """A daemon killed hard leaves its socket behind: the client says the
    daemon is not reachable (3), and the next start takes the socket over
    with every committed change kept."""
    d = daemon
    ids = [d.add_person(name=f"Personne {i}", role="referent",
                        phone=f"0470 00 00 0{i}") for i in range(3)]
    d.ctl("people", "remove", str(ids[1]), check=0)
    before = d.people(), d.audit()
    d.proc.kill()
    d.proc.wait(timeout=10)
    d.proc = None
    d._close_log()
    assert d.socket.exists()
    d.ctl("status", check=3)
    d.start()
    assert (d.people(), d.audit()) == before
