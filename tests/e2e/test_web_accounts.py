"""The web console's accounts through the real stoppvifctl and daemon:
`web user add|passwd|list|remove`, every refusal with its French message,
the password read from standard input (a line, CRLF, empty) and never
found in the log, the audit log, the database files or an answer, and
callers other than admins refused."""
import json
import os
import re
import select
import subprocess
import time

import pytest

from conftest import STOPPVIFCTL, run
from test_roles import as_user, shared, users  # noqa: F401 (fixtures)
from webclient import PASSWORD, web  # noqa: F401 (fixture)

RULE = ("nom de compte : lettres a-z, chiffres, . _ - (32 au plus), "
        "sans espace ni accent")
PW1 = "Tulipe-orange-4817"
PW2 = "Heron gris 90731 quai"


def add(d, name, role, pw=PW1, *extra, check=None):
    """web user add NAME --role ROLE EXTRA, the password on stdin."""
    return d.ctl("web", "user", "add", name, "--role", role, *extra,
                 input=pw + "\n", check=check)


def accounts(d):
    return {u["name"]: u for u in d.ctl_json("web", "user", "list")}


def test_add_list_passwd_remove(daemon):
    """Each role added, listed, its password changed, removed; each change
    in the audit log under web.user_*, object webuser, the account's id."""
    d = daemon
    d.secrets |= {PW1, PW2}
    pid = d.add_person(name="Berthe Garde", role="oncall",
                       email="berthe@example.test")
    rc, out, err = add(d, "Marie", "coordinator", check=0)
    assert out == "compte marie ajouté : coordinator\n", out
    add(d, "bob.k", "oncall", PW1, "--person", str(pid), "--lang", "nl",
        check=0)
    add(d, "cleo_3", "viewer", check=0)
    got = accounts(d)
    assert set(got) == {"marie", "bob.k", "cleo_3"}
    assert got["marie"]["role"] == "coordinator"
    assert got["marie"]["person"] is None and got["marie"]["lang"] == "fr"
    assert got["bob.k"]["person"] == pid and got["bob.k"]["lang"] == "nl"
    assert got["cleo_3"]["last_login"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                        got["cleo_3"]["created"])
    assert all("hash" not in u and "password" not in u
               for u in got.values())
    # for people: a table with « jamais » for no login yet
    rc, out, err = d.ctl("web", "user", "list", check=0)
    assert "NOM" in out and "DERNIÈRE CONNEXION" in out
    assert re.search(r"bob\.k\s+oncall\s+%d\s+nl\s+jamais" % pid, out), out
    assert re.search(r"cleo_3\s+viewer\s+-\s+fr\s+jamais", out), out

    # a new password keeps the role, the person and the language
    rc, out, err = d.ctl("web", "user", "passwd", "BOB.K", input=PW2 + "\n",
                         check=0)
    assert out == "mot de passe du compte bob.k changé\n"
    after = accounts(d)["bob.k"]
    assert {k: after[k] for k in ("id", "role", "person", "lang")} == \
        {k: got["bob.k"][k] for k in ("id", "role", "person", "lang")}

    rc, out, err = d.ctl("web", "user", "remove", "Cleo_3", check=0)
    assert out == "compte cleo_3 supprimé\n"
    assert set(accounts(d)) == {"marie", "bob.k"}
    rc, out, err = d.ctl("web", "user", "remove", "cleo_3", check=1)
    assert "aucun compte ne s'appelle « cleo_3 »" in err

    acts = [(e["action"], e["object"], e["object_id"]) for e in d.audit()
            if e["action"].startswith("web.")]
    ids = {n: u["id"] for n, u in got.items()}
    assert sorted(acts) == sorted([
        ("web.user_add", "webuser", ids["marie"]),
        ("web.user_add", "webuser", ids["bob.k"]),
        ("web.user_add", "webuser", ids["cleo_3"]),
        ("web.user_passwd", "webuser", ids["bob.k"]),
        ("web.user_remove", "webuser", ids["cleo_3"])]), acts

    # erasing the person leaves the account without a dangling id; an
    # oncall account acts as its person: it becomes a viewer, and its
    # password can still be changed
    d.ctl("people", "remove", str(pid), check=0)
    bob = accounts(d)["bob.k"]
    assert bob["person"] is None and bob["role"] == "viewer", bob
    d.ctl("web", "user", "passwd", "bob.k", input=PW1 + "\n", check=0)


@pytest.mark.parametrize("name", ["<script>", "é", "a" * 33, ".x", "..",
                                  "marie dupont", "x\"y", "_a"])
def test_bad_names(daemon, name):
    """Clumsy user and attacker: names outside the rule are refused with
    the rule, nothing is created."""
    rc, out, err = add(daemon, name, "viewer", check=1)
    assert RULE in err, err
    assert accounts(daemon) == {}


def test_name_limits(daemon):
    """32 characters are enough; the case is folded; the name is unique
    whatever its case."""
    d = daemon
    add(d, "A" * 32, "viewer", check=0)
    add(d, "Marie", "viewer", check=0)
    assert set(accounts(d)) == {"a" * 32, "marie"}
    rc, out, err = add(d, "MARIE", "coordinator", check=1)
    assert ("le compte marie existe déjà : stoppvifctl web user passwd "
            "marie pour changer son mot de passe") in err, err
    assert accounts(d)["marie"]["role"] == "viewer"


def test_refusals(daemon):
    """Every refusal of an addition, in French, and nothing created."""
    d = daemon
    pid = d.add_person(name="Hugo", role="oncall", email="hugo@example.test")
    cases = [
        (["zoe", "--role", "admin"], PW1, 1,
         "rôle inconnu « admin » : coordinator, oncall ou viewer"),
        (["zoe", "--role", "oncall"], PW1, 1, "--person ID"),
        (["zoe", "--role", "oncall", "--person", "9999"], PW1, 1,
         "aucune personne n'a le numéro 9999"),
        (["zoe", "--role", "viewer", "--lang", "xx"], PW1, 1,
         "langue inconnue « xx »"),
        (["zoe", "--role", "viewer"], "k9#", 1,
         "mot de passe trop court : 10 caractères au moins"),
        (["zoe", "--role", "viewer"], "x" * 300, 1,
         "mot de passe trop long : 256 octets au plus"),
        (["zoe.zoe.zoe", "--role", "viewer"], "ZOE.zoe.zoe", 1,
         "le mot de passe ne peut pas être le nom du compte"),
        (["zoe", "--role", "oncall", "--person", "abc"], PW1, 2,
         "--person : numéro de personne attendu"),
        (["zoe", "--role", "viewer", "--bogus"], PW1, 2,
         "usage: stoppvifctl"),
        (["--role", "viewer"], PW1, 2, "usage: stoppvifctl"),
        (["zoe"], PW1, 2, "usage: stoppvifctl"),
        (["zoe", "extra", "--role", "viewer"], PW1, 2, "usage: stoppvifctl"),
    ]
    for args, pw, code, want in cases:
        rc, out, err = d.ctl("web", "user", "add", *args, input=pw + "\n")
        assert rc == code, (args, rc, out, err)
        assert want in err, (args, err)
        assert pw not in out + err, (args, out, err)
    assert accounts(d) == {}
    # the person must not be erased
    d.ctl("people", "remove", str(pid), check=0)
    rc, out, err = add(d, "zoe", "oncall", PW1, "--person", str(pid),
                       check=1)
    assert f"aucune personne n'a le numéro {pid}" in err
    # passwd and remove of nobody, and their usage
    rc, out, err = d.ctl("web", "user", "passwd", "nobody",
                         input=PW1 + "\n", check=1)
    assert "aucun compte ne s'appelle « nobody »" in err
    rc, out, err = d.ctl("web", "user", "remove", "<script>", check=1)
    assert "aucun compte ne s'appelle « <script> »" in err
    for args in (["passwd"], ["remove"], ["remove", "a", "b"],
                 ["list", "x"], ["frob"]):
        rc, out, err = d.ctl("web", "user", *args, input=PW1 + "\n")
        assert rc == 2, (args, rc, err)
    rc, out, err = d.ctl("web", "user", check=2)
    assert "web user add NAME --role" in err


def test_stdin_forms(daemon):
    """The password is one line: CRLF is stripped (a password equal to
    the name once stripped is refused, which shows it), an empty line or
    no input at all is refused before any request."""
    d = daemon
    rc, out, err = d.ctl("web", "user", "add", "crlfcrlfcrlf", "--role",
                         "viewer", input="CRLFcrlfcrlf\r\n", check=1)
    assert "ne peut pas être le nom du compte" in err
    for text in ("", "\n", "\r\n"):
        offset = d.log_size()
        rc, out, err = d.ctl("web", "user", "add", "vide", "--role",
                             "viewer", input=text, check=1)
        assert "mot de passe vide" in err, (text, err)
        assert "/v1/web/users" not in d.log_since(offset)
    # a line without its newline is the whole password
    d.ctl("web", "user", "add", "sansfin", "--role", "viewer",
          input=PW1, check=0)
    # only the first line is read
    d.ctl("web", "user", "add", "deux", "--role", "viewer",
          input=PW1 + "\nautre chose\n", check=0)
    assert set(accounts(d)) == {"sansfin", "deux"}


def test_bad_utf8_name_never_sent(daemon):
    """Bytes that are not UTF-8 in NAME are refused before any request."""
    d = daemon
    offset = d.log_size()
    for args in (["add", "ma\udcffrie", "--role", "viewer"],
                 ["passwd", "ma\udcffrie"], ["remove", "ma\udcffrie"]):
        rc, out, err = d.ctl("web", "user", *args, input=PW1 + "\n")
        assert rc == 2, (args, rc, err)
        assert "UTF-8" in err
    assert "/v1/web/users" not in d.log_since(offset)


def test_password_never_leaks(daemon):
    """Attacker: after adds, a new password and refusals, no password is
    in the log, the audit log, an answer or the database files."""
    d = daemon
    d.secrets |= {PW1, PW2}
    rc, out, err = d.ctl("--json", "web", "user", "add", "paul", "--role",
                         "coordinator", input=PW1 + "\n", check=0)
    assert json.loads(out)["id"] > 0
    d.ctl("web", "user", "passwd", "paul", input=PW2 + "\n", check=0)
    add(d, "paul", "viewer", PW1, check=1)          # exists
    add(d, "paul.x", "viewer", "paul.x", check=1)   # password = name
    # raw requests with the password where a check fails after reading it
    for body in ({"name": "p2", "role": "viewer", "password": PW1,
                  "person": "x"},
                 {"name": "p2", "role": "viewer", "password": PW1,
                  "lang": "xx"},
                 {"name": "p2", "role": "boss", "password": PW1},
                 {"name": "paul", "role": "viewer", "password": PW1,
                  "replace": 1},
                 {"name": "p2", "role": "viewer", "password": PW1,
                  "extra": PW1[:5]}):
        status, head, ans = d.http("POST", "/v1/web/users",
                                   json.dumps(body).encode())
        assert status == 400, (status, ans)
        assert PW1.encode() not in ans and PW2.encode() not in ans, ans
    dump = json.dumps(d.ctl_json("audit", "--limit", "1000"))
    listing = d.ctl("--json", "web", "user", "list", check=0)[1]
    for pw in (PW1, PW2):
        assert pw not in d.log()
        assert pw not in dump
        assert pw not in listing
        for name, data in d.db_bytes().items():
            assert pw.encode() not in data, name
    assert b"$argon2id$" in b"".join(d.db_bytes().values())


def test_api_shapes(daemon):
    """The API itself: a body that is not an account, a path name with a
    dot, an unknown name in the path."""
    d = daemon
    status, head, ans = d.http("POST", "/v1/web/users", b"[1, 2]")
    assert status == 400
    status, head, ans = d.http("POST", "/v1/web/users", json.dumps(
        {"name": "ann.b", "role": "viewer", "password": PW1,
         "replace": "yes"}).encode())
    assert status == 400 and json.loads(ans)["field"] == "replace"
    status, head, ans = d.http("POST", "/v1/web/users", json.dumps(
        {"name": "ann.b", "role": "viewer", "password": PW1}).encode())
    assert status == 201, ans
    status, head, ans = d.http("DELETE", "/v1/web/users/nobody")
    assert status == 404 and json.loads(ans)["field"] == "name"
    status, head, ans = d.http("DELETE", "/v1/web/users/ANN.B")
    assert status == 200
    assert json.loads(ans) == {"name": "ann.b", "removed": True}


def test_other_roles_refused(shared):
    """Attacker: a coordinator's or a viewer's uid may neither list, add
    nor remove accounts."""
    d, _, configure, users = shared
    client = d.socket.parent / "client.ini"

    def ctl(who, *args, input=None):
        return run(as_user(users[who], [STOPPVIFCTL, "-c", client, *args]),
                   input=input)

    d.ctl("web", "user", "add", "keep", "--role", "viewer",
          input=PW1 + "\n", check=0)
    for who, is_fr in (("c", "coordinateur"), ("v", "lecteur")):
        for args in (["web", "user", "list"],
                     ["web", "user", "add", "evil", "--role",
                      "coordinator"],
                     ["web", "user", "passwd", "keep"],
                     ["web", "user", "remove", "keep"]):
            r = ctl(who, *args, input=PW2 + "\n")
            assert r.returncode == 1, (who, args, r.stdout, r.stderr)
            assert "réservé aux administrateurs" in r.stderr, r.stderr
    assert set(accounts(d)) == {"keep"}
    # the admin of [api] admins may
    r = ctl("a", "web", "user", "add", "admin2", "--role", "viewer",
            input=PW1 + "\n")
    assert r.returncode == 0, r.stderr
    audit = [e for e in d.audit() if e["action"] == "web.user_add"]
    assert len(audit) == 2


def test_default_language_is_the_daemons(daemon_env):
    """Without --lang, the account speaks [daemon] language."""
    d = daemon_env
    d.write_config(daemon_extra="language = nl")
    d.start()
    add(d, "jan", "viewer", check=0)
    add(d, "anne", "viewer", PW1, "--lang", "de", check=0)
    got = accounts(d)
    assert got["jan"]["lang"] == "nl" and got["anne"]["lang"] == "de"


def _read_until(fd, want, timeout=15.0):
    """Bytes of fd until want is among them (bounded by timeout)."""
    got = b""
    deadline = time.monotonic() + timeout
    while want not in got and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            got += chunk
    return got


def _on_terminal(d, args, answers):
    """Run stoppvifctl ARGS with a terminal for standard input, answering
    each prompt in turn; (rc, stdout, stderr, what the terminal showed)."""
    master, slave = os.openpty()
    p = subprocess.Popen([str(STOPPVIFCTL), "-c", str(d.conf), *args],
                         stdin=slave, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    os.close(slave)
    shown, err = b"", b""
    try:
        for prompt, answer in answers:
            err += _read_until(p.stderr.fileno(), prompt.encode())
            assert prompt.encode() in err, err
            os.write(master, answer.encode() + b"\n")
            shown += _read_until(master, b"\n", 5.0)
        out, rest = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
    return p.returncode, out.decode(), (err + rest).decode(), shown


def test_password_on_a_terminal(daemon):
    """On a terminal the password is asked twice, not echoed; two
    different answers change nothing."""
    d = daemon
    rc, out, err, shown = _on_terminal(
        d, ["web", "user", "add", "tty", "--role", "viewer"],
        [("Mot de passe : ", PW1), ("Encore une fois : ", PW1)])
    assert rc == 0, err
    assert out == "compte tty ajouté : viewer\n"
    assert PW1.encode() not in shown, shown
    rc, out, err, shown = _on_terminal(
        d, ["web", "user", "passwd", "tty"],
        [("Mot de passe : ", PW2), ("Encore une fois : ", PW2 + "x")])
    assert rc == 1
    assert "les deux mots de passe diffèrent" in err, err
    assert PW2.encode() not in shown
    acts = [e["action"] for e in d.audit() if e["action"].startswith("web.")]
    assert acts == ["web.user_add"], acts


def test_console_login_follows_the_accounts(web):
    """The console takes the password set with the CLI, in any case of the
    name; the list then shows the last login as a date; a new password
    replaces the old one; a removed account no longer logs in."""
    d = web.d
    assert accounts(d)["lecteur"]["last_login"] is None
    c = web.client()
    c.login("LECTEUR")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                        accounts(d)["lecteur"]["last_login"])
    rc, out, err = d.ctl("web", "user", "list", check=0)
    line = next(x for x in out.splitlines() if x.startswith("lecteur"))
    assert "jamais" not in line and re.search(r"\d{4}", line), line
    status, _, _ = web.client().login("lecteur", "pas le bon mot",
                                      check=False)
    assert status != 303
    d.ctl("web", "user", "passwd", "lecteur", input=PW2 + "\n", check=0)
    d.secrets.add(PW2)
    status, _, _ = web.client().login("lecteur", PASSWORD, check=False)
    assert status != 303
    web.client().login("lecteur", PW2)
    d.ctl("web", "user", "remove", "lecteur", check=0)
    status, _, _ = web.client().login("lecteur", PW2, check=False)
    assert status != 303


def test_new_password_ends_the_sessions(web):
    """Whoever was logged in with the old password (a lost phone, a
    colleague who left) is logged out by `web user passwd`, on their next
    click, a GET as well as a POST; the session opened with the new
    password goes on; a removed account's session ends too."""
    d = web.d
    old = web.client("coord")
    status, _, _ = old.get("/people")
    assert status == 200
    token = old.csrf()
    d.ctl("web", "user", "passwd", "coord", input=PW2 + "\n", check=0)
    d.secrets.add(PW2)
    status, hdrs, _ = old.get("/people")
    assert status == 303 and hdrs["location"].startswith("/login"), status
    # the old cookie does not come back to life for a POST either
    before = len(d.audit())
    status, hdrs, _ = old.post("/shelters/aisova/act", {"do": "vacate"},
                              csrf=token)
    assert status in (303, 403), status
    assert len(d.audit()) == before
    new = web.client()
    new.login("coord", PW2)
    status, _, _ = new.get("/people")
    assert status == 200
    assert "reason=password_changed" in d.log()
    d.ctl("web", "user", "remove", "coord", check=0)
    status, hdrs, _ = new.get("/people")
    assert status == 303 and hdrs["location"].startswith("/login"), status
