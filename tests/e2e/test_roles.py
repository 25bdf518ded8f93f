"""Roles on the control API: [api] admins, coordinators and viewers, each
caller identified by SO_PEERCRED as a real user of this system.

The tests create throw-away users and a group (removed afterwards) and run
stoppvifctl, or raw HTTP requests, as them with setpriv(1).  The socket is
opened to everyone (mode 0666), as membership of the daemon's group would
open it: only the daemon's own check stands in the way."""
import grp
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import STOPPVIFCTL, STOPPVIFD, run

TAG = secrets.token_hex(3)
NAMES = {k: f"svr{k}{TAG}" for k in ("v", "c", "a", "m", "n", "t")}
GROUP = f"svrg{TAG}"


def _retry(argv):
    """Run a user database command, again while another holds its lock."""
    for _ in range(50):
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode == 0:
            return
        if "lock" not in r.stderr:
            break
        time.sleep(0.2)
    raise AssertionError(f"{' '.join(argv)}: {r.stderr}")


def _useradd(name, *extra):
    _retry(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin",
            "--user-group", *extra, name])


def _userdel(name):
    try:
        pwd.getpwnam(name)
    except KeyError:
        return
    _retry(["userdel", name])


@pytest.fixture(scope="module")
def users():
    """The users viewer (v), coordinator (c), admin (a), group member (m),
    no role (n), and one to remove (t); the group GROUP holds m."""
    _retry(["groupadd", GROUP])
    try:
        for k, name in NAMES.items():
            _useradd(name, *(["-G", GROUP] if k == "m" else []))
        yield {k: pwd.getpwnam(n) for k, n in NAMES.items()}
    finally:
        for name in NAMES.values():
            _userdel(name)
        try:
            grp.getgrnam(GROUP)
            _retry(["groupdel", GROUP])
        except KeyError:
            pass


def as_user(pw, argv, gid=None, groups=None):
    """argv run as the user of pw: its primary group (or gid) and its
    supplementary groups (or groups; [] for none)."""
    if groups is None:
        groups = [g for g in os.getgrouplist(pw.pw_name, pw.pw_gid)
                  if g != pw.pw_gid]
    g = ["--groups=" + ",".join(map(str, groups))] if groups else \
        ["--clear-groups"]
    return ["setpriv", f"--reuid={pw.pw_uid}",
            f"--regid={gid if gid is not None else pw.pw_gid}"] + g + \
        [str(a) for a in argv]


# Sends each request of its standard input ([method, path, body]) on its
# own connection and prints [status, answer] of each, as JSON.
HTTP_SCRIPT = r"""
import json, socket, sys
sock, reqs = sys.argv[1], json.load(sys.stdin)
out = []
for method, path, body in reqs:
    data = body.encode()
    head = (f"{method} {path} HTTP/1.1\r\nHost: localhost\r\n"
            f"Connection: close\r\nContent-Length: {len(data)}\r\n\r\n")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(sock)
    try:
        s.sendall(head.encode() + data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    answer = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        answer += chunk
    s.close()
    head, _, rest = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    try:
        reply = json.loads(rest)
    except ValueError:
        reply = None
    out.append([status, reply])
print(json.dumps(out))
"""


def http_as(pw, sock, requests, **kw):
    """[(status, JSON answer)] of raw requests sent as the user of pw."""
    r = subprocess.run(as_user(pw, ["/usr/bin/python3", "-c", HTTP_SCRIPT,
                                    sock], **kw),
                       input=json.dumps(requests), capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture
def shared(daemon_env, users):
    """A started daemon whose socket and client config other users reach;
    configure(api) rewrites both with an [api] section and reloads."""
    d = daemon_env
    pub = Path(tempfile.mkdtemp(prefix="svroles", dir="/tmp"))
    os.chmod(pub, 0o755)
    d.socket_setting = str(pub / "s.sock")
    d.socket = pub / "s.sock"
    client = pub / "client.ini"

    def write(api):
        text = d.config_text(extra="[api]\n" + api)
        d.write_config(text)
        client.write_text(text)
        os.chmod(client, 0o644)

    def configure(api):
        write(api)
        log = d.hup()
        assert "config reloaded" in log, log[-2000:]

    write(f"viewers = {NAMES['v']}\ncoordinators = {NAMES['c']}\n"
          f"admins = {NAMES['a']}\n")
    d.start()
    os.chmod(d.socket, 0o666)

    def ctl(who, *args, **kw):
        return run(as_user(users[who], [STOPPVIFCTL, "-c", client, *args],
                           **kw))

    yield d, ctl, configure, users
    shutil.rmtree(pub, ignore_errors=True)


def _refused(r, need_fr, need_key, is_fr, uid, via):
    """Exit 1 and the French refusal naming both roles."""
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    want = (f"accès refusé : réservé aux {need_fr} ([api] {need_key}) ; "
            f"vous (uid {uid}) êtes {is_fr} ([api] {via})")
    assert want in r.stderr, r.stderr


def test_viewer_gets_403_on_people_show(shared):
    d, ctl, configure, users = shared
    pid = d.add_person(name="Anne Témoin", role="referent",
                       email="anne@example.test", phone="+32470990001")
    v = users["v"]
    r = ctl("v", "people", "show", str(pid))
    _refused(r, "coordinateurs", "coordinators", "lecteur", v.pw_uid,
             f"viewers : {v.pw_name}")
    assert "anne" not in (r.stdout + r.stderr).lower()
    # the same with --json: the answer names both roles
    r = ctl("v", "--json", "people", "show", str(pid))
    assert r.returncode == 1
    ans = json.loads(r.stdout)
    assert ans["role"] == "viewer" and ans["need"] == "coordinator", ans
    assert "Anne" not in r.stdout
    assert (f"api refused uid={v.pw_uid} gid={v.pw_gid}" in d.log())
    assert ('role=viewer need=coordinator route="GET /v1/people/{id}"'
            in d.log())
    # none of the decrypting reads either
    for args in (["people", "list"], ["outbox", "list", "--show-body"],
                 ["oncall", "show"], ["alerts", "list"],
                 ["shelter", "list"], ["shelter", "status", "aisova"]):
        r = ctl("v", *args)
        _refused(r, "coordinateurs", "coordinators", "lecteur", v.pw_uid,
                 f"viewers : {v.pw_name}")


def test_viewer_reads_agenda_and_counts(shared):
    d, ctl, configure, users = shared
    d.add_person(name="Bea", role="referent", email="bea@example.test")
    d.ctl("events", "add", "--title", "Réunion réseau", "--dtstart",
          "2031-03-04T10:00:00", "--duration", "1h", "--audience",
          "role:referent", check=0)
    r = ctl("v", "status")
    assert r.returncode == 0, r.stderr
    assert "annuaire : 1 personne(s)" in r.stdout
    assert "vous : lecteur" in r.stdout
    r = ctl("v", "--json", "status")
    assert json.loads(r.stdout)["caller"] == {
        "uid": users["v"].pw_uid, "role": "viewer"}
    for args in (["events", "list"], ["agenda", "--from", "2031-03-01"],
                 ["events", "export"]):
        r = ctl("v", *args)
        assert r.returncode == 0, (args, r.stderr)
        assert "Réunion réseau" in r.stdout, (args, r.stdout)
        assert "bea" not in r.stdout.lower()


def _fill(pattern):
    return pattern.replace("{id}", "1").replace("{name}", "aisova")


def test_viewer_walks_every_route(shared):
    """Attack side: a viewer tries every route the daemon has (the table
    as /v1/routes gives it, so that a new route is walked too): each above
    it is refused, nothing is changed, each refusal logged."""
    d, ctl, configure, users = shared
    v = users["v"]
    pid = d.add_person(name="Cora", role="referent",
                       email="cora@example.test")
    eid = d.ctl_json("events", "add", "--title", "Permanence", "--dtstart",
                     "2031-03-04T10:00:00", "--duration", "1h")["id"]
    before = (d.people(), d.ctl_json("events", "list"))
    last = max(e["id"] for e in d.audit())
    [(status, table)] = http_as(v, str(d.socket), [["GET", "/v1/routes",
                                                    ""]])
    assert status == 200 and table["role"] == "viewer", table
    routes = table["routes"]
    assert len(routes) >= 30
    assert {r["role"] for r in routes} == {"viewer", "coordinator",
                                           "admin"}
    reqs = [[r["method"], _fill(r["path"]).replace("/1", f"/{pid}")
             if "people" in r["path"] else _fill(r["path"]), "{}"]
            for r in routes]
    answers = http_as(v, str(d.socket), reqs)
    refused = 0
    for rt, (status, ans) in zip(routes, answers):
        if rt["role"] == "viewer":
            assert rt["allowed"] and status != 403, (rt, status, ans)
            continue
        assert not rt["allowed"], rt
        assert status == 403, (rt, status, ans)
        need = "administrateurs ([api] admins)" if rt["role"] == "admin" \
            else "coordinateurs ([api] coordinators)"
        assert f"réservé aux {need}" in ans["error"], ans
        assert ans["need"] == rt["role"] and ans["role"] == "viewer", ans
        refused += 1
    assert refused >= 20
    log = d.log()
    for rt in routes:
        if rt["role"] != "viewer":
            assert (f'need={rt["role"]} route="{rt["method"]} '
                    f'{rt["path"]}"' in log), rt
    # nothing changed: no person, no event, no change in the audit log by
    # the viewer (its reads of the calendar may be there)
    assert (d.people(), d.ctl_json("events", "list")) == before
    writes = ("people.", "oncall.", "outbox.", "alert.", "shelter.",
              "reload", "events.add", "events.edit", "events.remove",
              "events.import")
    mine = [e for e in d.audit() if e["id"] > last and e["uid"] == v.pw_uid]
    assert not [e for e in mine if e["action"].startswith(writes)], mine
    assert d.ctl_json("events", "show", str(eid))["title"] == "Permanence"
    # a body far over max_body on a route above the viewer: refused for
    # the role, not read
    [(status, ans)] = http_as(v, str(d.socket), [[
        "POST", "/v1/events/import", "{\"ics\": \"" + "A" * (3 << 20) +
        "\"}"]])
    assert status == 403 and ans["need"] == "coordinator", (status, ans)


def test_coordinator_edits_admin_erases(shared):
    d, ctl, configure, users = shared
    c, a = users["c"], users["a"]
    r = ctl("c", "--json", "people", "add", "--name", "Dora", "--role",
            "referent", "--email", "dora@example.test")
    assert r.returncode == 0, r.stderr
    pid = json.loads(r.stdout)["id"]
    r = ctl("c", "people", "show", str(pid))
    assert r.returncode == 0 and "dora@example.test" in r.stdout, r.stderr
    assert ctl("c", "people", "edit", str(pid), "--commune",
               "Namur").returncode == 0
    assert ctl("c", "outbox", "list", "--show-body").returncode == 0
    assert "vous : coordinateur" in ctl("c", "status").stdout
    for args in (["people", "remove", str(pid)], ["reload"], ["audit"]):
        r = ctl("c", *args)
        _refused(r, "administrateurs", "admins", "coordinateur", c.pw_uid,
                 f"coordinators : {c.pw_name}")
    assert [p["id"] for p in d.people()] == [pid]
    # the admin named in the file erases and reloads
    assert "vous : administrateur" in ctl("a", "status").stdout
    r = ctl("a", "people", "remove", str(pid))
    assert r.returncode == 0, r.stderr
    assert d.people() == []
    r = ctl("a", "reload")
    assert r.returncode == 0, r.stderr
    assert ctl("a", "audit").returncode == 0


def test_group_member_roles(shared):
    """A member of a group named with @, whether the group is its primary
    or a supplementary one; a viewer by name in a coordinators' group has
    the higher role; out of the group, the lower."""
    d, ctl, configure, users = shared
    m = users["m"]
    gid = grp.getgrnam(GROUP).gr_gid
    assert m.pw_gid != gid      # its own group first
    configure(f"coordinators = @{GROUP}\nviewers = {m.pw_name}\n")
    # by a supplementary group (SO_PEERGROUPS)
    r = ctl("m", "people", "list")
    assert r.returncode == 0, r.stderr
    # by its primary group alone
    r = ctl("m", "people", "list", gid=gid, groups=[])
    assert r.returncode == 0, r.stderr
    # out of the group: the viewer it is by name
    r = ctl("m", "people", "list", groups=[])
    _refused(r, "coordinateurs", "coordinators", "lecteur", m.pw_uid,
             f"viewers : {m.pw_name}")


def test_no_role_refused_at_every_request(shared):
    d, ctl, configure, users = shared
    n = users["n"]
    for args in (["status"], ["agenda"], ["people", "list"]):
        r = ctl("n", *args)
        assert r.returncode == 1, r.stderr
        assert (f"accès refusé : l'utilisateur {n.pw_uid} n'est pas "
                f"autorisé (aucun rôle dans [api] admins, coordinators ou "
                f"viewers)") in r.stderr, r.stderr
    # a path no route has teaches it nothing either
    [(status, ans)] = http_as(n, str(d.socket), [["GET", "/v1/nowhere",
                                                  ""]])
    assert status == 403 and ans["role"] == "none", ans
    assert f"api refused uid={n.pw_uid}" in d.log()
    assert "role=none" in d.log()


def test_allow_uids_still_coordinators(shared):
    """The older keys keep working, as coordinators, and the refusal says
    which key made the role."""
    d, ctl, configure, users = shared
    n = users["n"]
    configure(f"allow_uids = {n.pw_uid}\n")
    assert ctl("n", "people", "list").returncode == 0
    pid = d.add_person(name="Eva", role="referent")
    r = ctl("n", "people", "remove", str(pid))
    _refused(r, "administrateurs", "admins", "coordinateur", n.pw_uid,
             f"allow_uids : {n.pw_uid}")
    configure(f"allow_gids = {GROUP}\n")
    assert ctl("m", "people", "list").returncode == 0


def test_removed_user_at_reload(shared):
    """A user deleted from the system while the file names it: the next
    reload is refused with its line and the running roles stay; -t says
    the same; once the name is out of the file, the reload goes through
    and the old number has no role left."""
    d, ctl, configure, users = shared
    t = users["t"]
    configure(f"viewers = {t.pw_name}\n")
    assert "vous : lecteur" in ctl("t", "status").stdout
    _userdel(t.pw_name)
    log = d.hup()
    assert "reload_refused" in log, log[-2000:]
    assert f'no user named \\"{t.pw_name}\\"' in log or \
        f'no user named "{t.pw_name}"' in log, log[-2000:]
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    assert r.returncode == 1
    lines = d.conf.read_text().splitlines()
    line = lines.index(f"viewers = {t.pw_name}") + 1
    assert (f"{d.conf}:{line}: viewers: no user named \"{t.pw_name}\" on "
            f"this system") in r.stderr, r.stderr
    # the running daemon kept its roles: the number is still a viewer
    r = run(as_user(t, [STOPPVIFCTL, "-c", d.socket.parent / "client.ini",
                        "status"], groups=[]))
    assert r.returncode == 0 and "vous : lecteur" in r.stdout, r.stderr
    configure(f"viewers = {NAMES['v']}\n")
    r = run(as_user(t, [STOPPVIFCTL, "-c", d.socket.parent / "client.ini",
                        "status"], groups=[]))
    assert r.returncode == 1 and "n'est pas autorisé" in r.stderr


def test_config_mistakes_named_with_line(daemon_env, users):
    """Clumsy side: a typo, a group without @, the same user in two roles,
    root among the viewers: -t names each with file and line."""
    d = daemon_env
    v, c = NAMES["v"], NAMES["c"]
    text = d.config_text(extra=(
        "[api]\n"
        f"admins = {v}\n"
        f"coordinators = {c}x, group:{GROUP}\n"
        f"viewers = {GROUP}, root, {users['v'].pw_uid}\n"))
    d.write_config(text)
    lines = text.splitlines()
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    assert r.returncode == 1, r.stdout
    n = lines.index(f"coordinators = {c}x, group:{GROUP}") + 1
    assert (f"{d.conf}:{n}: coordinators: no user named \"{c}x\" on this "
            f"system") in r.stderr, r.stderr
    n = lines.index(f"viewers = {GROUP}, root, {users['v'].pw_uid}") + 1
    assert (f"{d.conf}:{n}: viewers: no user named \"{GROUP}\" on this "
            f"system, but a group: write it @{GROUP}") in r.stderr, r.stderr
    text = d.config_text(extra=(
        "[api]\n" f"admins = {v}\n" f"viewers = {users['v'].pw_uid}\n"))
    d.write_config(text)
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    assert r.returncode == 1
    n = text.splitlines().index(f"viewers = {users['v'].pw_uid}") + 1
    assert (f"{d.conf}:{n}: viewers: \"{users['v'].pw_uid}\" is in admins "
            f"already (as \"{v}\"): a caller has one role") in r.stderr, \
        r.stderr
    d.write_config(d.config_text(extra="[api]\nviewers = root\n"))
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    assert r.returncode == 1
    assert "viewers: \"root\" is root, always an admin: remove it from " \
        "viewers" in r.stderr, r.stderr


def test_viewer_never_sees_an_alert_code(shared):
    """Attack side: the open alert's code claims the apartment (alerts
    ack); a viewer reads status, as text and as JSON, and finds the alert
    open but no code; a coordinator's status has it."""
    d, ctl, configure, users = shared
    d.stop()
    text = d.config_text(extra=(
        f"[api]\nviewers = {NAMES['v']}\ncoordinators = {NAMES['c']}\n"
        f"admins = {NAMES['a']}\n\n"
        "[channel.sms]\nplugin = spool\n\n"
        "[channel.email]\nplugin = spool\n\n"
        "[shelter.aisova]\ntitle = Appartement d'urgence\n"
        "notify = role:oncall\n"))
    d.write_config(text)
    client = d.socket.parent / "client.ini"
    client.write_text(text)
    d.start()
    os.chmod(d.socket, 0o666)
    d.add_person(name="Gaëlle Garde", role="oncall", phone="0470 55 00 01")
    d.ctl_json("shelter", "vacate", "aisova")
    code = d.ctl_json("alerts", "list")[0]["code"]
    d.secrets.add(code)

    r = ctl("v", "--json", "status")
    assert r.returncode == 0, r.stderr
    sh = json.loads(r.stdout)["shelters"]
    assert sh == [{"name": "aisova", "title": "Appartement d'urgence",
                   "state": "vacant", "since": sh[0]["since"],
                   "alert_open": True, "code": None}], sh
    r = ctl("v", "status")
    assert "logement aisova : libre (alerte ouverte)" in r.stdout, r.stdout
    assert code not in r.stdout + r.stderr

    r = ctl("c", "--json", "status")
    assert json.loads(r.stdout)["shelters"][0]["code"] == code
    r = ctl("c", "status")
    assert f"libre (alerte {code} ouverte)" in r.stdout, r.stdout
