"""
stoppvifctl speaks French throughout, for the social workers who read it:
every command's text output on a daemon with realistic data (people of
every role, events of every kind, sent, failed and pending messages, a
shelter with a history) holds no English state word and no line over 100
columns; --help and help print the usage on stdout; an unknown command is
one line with the nearest command; a creation says what it added; phones
are in the Belgian national form; --json stays the daemon's answer.
"""
import datetime as dt
import json
import re
import socketserver
import sqlite3
import threading
import time
from zoneinfo import ZoneInfo

import pytest

from conftest import STOPPVIFCTL, run, sanitizer_report

BXL = ZoneInfo("Europe/Brussels")
COLUMNS = 100
# The API's words that must not reach the default view.
ENGLISH = re.compile(r"\b(sent|failed|pending|referent|oncall|other)\b",
                     re.IGNORECASE)
SHELTER = "[shelter.aisova]\ntitle = Appartement d'urgence du réseau\n"

PEOPLE = [
    dict(name="Émilie Dupont-Lejeune", role="referent,oncall",
         commune="Esneux", org="CPAS d'Esneux, service social général",
         email="emilie.dupont@esneux.example", phone="0470 99 00 01"),
    dict(name="Jan Vermeulen", role="platform", commune="Trooz",
         org="Zone de police SECOVA", email="jan.vermeulen@secova.example",
         phone="04 361 55 81", lang="nl"),
    dict(name="Chloé Lambert", role="coordinator", commune="Aywaille",
         org="Coordination sociale", email="chloe@aywaille.example",
         phone="02 512 34 56"),
    dict(name="Greta Schmitz", role="animator,partner", commune="Sprimont",
         org="La Cabane", email="greta@lacabane.example",
         phone="087 12 34 56", lang="de"),
    dict(name="Hélène Thiry", role="oncall", commune="Comblain-au-Pont",
         email="helene.thiry@comblain.example", phone="+33 6 12 34 56 78"),
    dict(name="Marc Colin", role="referent,platform,coordinator,partner",
         commune="Ferrières", org="Maison de justice de Liège, équipe "
         "« Ourthe-Amblève »", email="marc.colin@justice.example",
         phone="0475 11 22 33"),
]
PHONES = {  # what people add got, E.164, and how people read it
    "+32470990001": "0470 99 00 01",
    "+3243615581": "04 361 55 81",
    "+3225123456": "02 512 34 56",
    "+3287123456": "087 12 34 56",
    "+33612345678": "+33612345678",
    "+32475112233": "0475 11 22 33",
}
EVENTS = [
    dict(title="Plateforme du réseau", kind="platform",
         dtstart="2027-01-12T09:30:00", duration="2h30m",
         rrule="FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU", skip_holidays="BE",
         location="Maison communale, salle du conseil", commune="Esneux",
         remind="7d,1d", audience="role:platform,role:coordinator"),
    dict(title="Formation des référents à l'accueil des personnes",
         kind="training", dtstart="2027-04-15T09:00:00", duration="3h",
         commune="Sprimont", remind="7d,1d",
         audience="role:referent,role:oncall,role:coordinator",
         channels="email,sms", description="Une journée pour revoir "
         "ensemble l'accueil, l'écoute et l'orientation, avec des cas "
         "pratiques amenés par les participants. " * 2),
    dict(title="La Cabane", kind="cabane", dtstart="2027-01-06T14:00:00",
         duration="2h", rrule="FREQ=MONTHLY;BYDAY=1WE;"
         "BYMONTH=1,2,3,4,5,6,9,10,11,12", skip_holidays="BE",
         location="Espace enfants du CPAS", commune="Aywaille",
         remind="7d,1d", audience="role:animator,role:referent",
         channels="email,sms", exdate="2027-02-03T14:00:00"),
    dict(title="Stand de sensibilisation au marché", kind="awareness",
         dtstart="2027-03-08T08:00:00", duration="4h", commune="Trooz",
         remind="1d", audience="role:partner,person:1"),
    dict(title="Réunion de fin d'année", kind="other",
         dtstart="2026-12-15T12:00:00", duration="1h30m",
         remind="1d", audience="role:oncall"),
]


def local(t):
    return t.astimezone(BXL).strftime("%Y-%m-%dT%H:%M:%S")


def flags(fields):
    args = []
    for k, v in fields.items():
        args += [f"--{k.replace('_', '-')}", v]
    return args


def api(d, path):
    """GET path on the daemon's socket; the decoded answer."""
    status, headers, body = d.http("GET", path)
    assert status == 200, (path, status, body)
    return json.loads(body)


def wait_sent(d, timeout=20.0):
    """Wait until the outbox holds messages and none is pending."""
    deadline = time.monotonic() + timeout
    while True:
        rows = d.ctl_json("outbox", "list")
        if rows and all(r["status"] != "pending" for r in rows):
            return rows
        if time.monotonic() > deadline:
            pytest.fail(f"outbox not sent after {timeout} s: {rows}")
        time.sleep(0.2)


def seed(d):
    """People of every role, events of every kind, an on-call slot, the
    shelter vacated, claimed and occupied; its ids."""
    ids = [d.add_person(**p) for p in PEOPLE]
    events = [d.ctl_json("events", "add", *flags(e))["id"] for e in EVENTS]
    now = dt.datetime.now(BXL)
    d.ctl_json("oncall", "set", str(ids[4]), "--from",
               local(now - dt.timedelta(hours=1)), "--to",
               local(now + dt.timedelta(days=2)))
    moved = d.ctl_json("shelter", "vacate", "aisova")
    d.ctl_json("alerts", "ack", moved["alert"]["code"], "--by", str(ids[4]))
    d.ctl_json("shelter", "occupy", "aisova")
    return ids, events


def make_states(d):
    """Turn the sent messages into sent, failed, pending and cancelled
    ones, as a daemon sees them after some days, and seed a year of the
    shelter's history."""
    rows = wait_sent(d)
    assert len(rows) >= 4, rows
    ids = [r["id"] for r in rows]
    d.stop()
    db = sqlite3.connect(d.db)
    later = int(time.time()) + 86400
    db.execute("UPDATE outbox SET status = 'failed', attempts = 5,"
               " last_error = 'smtp: 550 mailbox unavailable' WHERE id = ?",
               (ids[0],))
    db.execute("UPDATE outbox SET status = 'pending', not_before = ?"
               " WHERE id = ?", (later, ids[1]))
    db.execute("UPDATE outbox SET status = 'cancelled' WHERE id = ?",
               (ids[2],))
    t = lambda *a: int(dt.datetime(*a, tzinfo=dt.timezone.utc)  # noqa
                       .timestamp())
    db.executemany("INSERT INTO shelter_history (shelter, at, from_state,"
                   " to_state, cause, actor) VALUES ('aisova', ?, ?, ?, ?,"
                   " ?)", [
                       (t(2025, 1, 1), None, "occupied", "configured",
                        "daemon"),
                       (t(2025, 8, 17), "occupied", "vacant", "vacate",
                        "uid:0"),
                       (t(2025, 8, 18), "vacant", "unavailable",
                        "unavailable", "uid:0"),
                       (t(2025, 9, 1), "unavailable", "occupied", "occupy",
                        "uid:0")])
    db.commit()
    db.close()
    d.start()


@pytest.fixture
def world(daemon_env):
    """A daemon with the shelter and realistic data: (daemon, person ids,
    event ids)."""
    d = daemon_env
    d.write_config(extra=SHELTER,
                   daemon_extra="timezone = Europe/Brussels\n")
    d.start()
    ids, events = seed(d)
    make_states(d)
    return d, ids, events


def text_commands(ids, events):
    """Every command whose text output people read."""
    cmds = [["status"], ["people", "list"], ["events", "list"],
            ["agenda", "--from", "2027-01-01", "--days", "120"],
            ["outbox", "list"], ["outbox", "list", "--status", "failed"],
            ["outbox", "list", "--status", "pending"], ["audit"],
            ["oncall", "show"], ["shelter", "list"],
            ["shelter", "status", "aisova"],
            ["shelter", "report", "aisova", "--year", "2025"],
            ["shelter", "report", "aisova", "--year", "2020"],
            ["alerts", "list"],
            ["expand", "--dtstart", "2027-01-06T14:00:00", "--rrule",
             "FREQ=MONTHLY;BYDAY=1WE", "--count", "5"],
            ["holidays", "BE", "2027"], ["help"], ["--help"]]
    cmds += [["people", "show", str(i)] for i in ids]
    cmds += [["events", "show", str(e)] for e in events]
    return cmds


def check_view(args, out):
    """No English state word, no line over COLUMNS characters.  The usage
    is exempt from the words: it names the commands and values to type
    (oncall set, --status pending)."""
    problems = []
    usage = args[0] in ("help", "--help")
    for line in out.splitlines():
        if len(line) > COLUMNS:
            problems.append(f"{len(line)} columns: {line!r}")
        m = None if usage else ENGLISH.search(line)
        if m:
            problems.append(f"English word {m[0]!r}: {line!r}")
    return [f"stoppvifctl {' '.join(args)}: {p}" for p in problems]


def test_default_view_is_french_and_fits(world, request):
    d, ids, events = world
    problems = []
    show = request.config.getoption("verbose") > 1
    for args in text_commands(ids, events):
        rc, out, err = d.ctl(*args, check=0)
        if show:
            print(f"$ stoppvifctl {' '.join(args)}\n{out}")
        assert out.strip(), args
        problems += check_view(args, out)
    assert not problems, "\n".join(problems)


def test_words_shown(world):
    d, ids, events = world
    rc, out, err = d.ctl("outbox", "list", check=0)
    for word in ("envoyé", "en échec", "en attente", "annulé"):
        assert word in out, out
    rc, out, err = d.ctl("people", "list", check=0)
    for word in ("référent", "plateforme", "de garde", "coordination",
                 "animation", "partenaire"):
        assert word in out, out
    rc, out, err = d.ctl("events", "list", check=0)
    for word in ("plateforme", "formation", "La Cabane", "sensibilisation",
                 "autre"):
        assert word in out, out
    rc, out, err = d.ctl("audit", check=0)
    assert "personne ajoutée" in out and "logement libéré" in out, out


def test_wide_shows_every_column(world):
    d, ids, events = world
    rc, out, err = d.ctl("people", "list", check=0)
    assert "LANGUE" not in out.splitlines()[0], out
    rc, wide, err = d.ctl("people", "list", "--wide", check=0)
    lines = wide.splitlines()
    assert "LANGUE" in lines[0] and len(lines) == len(ids) + 1, wide
    assert max(len(line) for line in lines) > COLUMNS, wide
    for p in PEOPLE:        # unwrapped: each value whole on its line
        assert any(p["org" if "org" in p else "email"] in line
                   for line in lines), p


def test_events_show_dates_in_words(world):
    d, ids, events = world
    rc, out, err = d.ctl("events", "show", str(events[2]), check=0)
    fields = dict(re.split(r"\s+: ", line, maxsplit=1)
                  for line in out.splitlines() if " : " in line)
    assert fields["début"] == "mercredi 6 janvier 2027 à 14h00", out
    assert fields["exceptions"] == "mercredi 3 février 2027 à 14h00", out
    for key in ("créé", "modifié", "prochaine"):
        assert re.fullmatch(r"\w+ \d+(er)? \w+ \d{4} à \d+h\d\d",
                            fields[key]), (key, out)


def test_report_without_history_has_no_percentage(world):
    d, ids, events = world
    rc, out, err = d.ctl("shelter", "report", "aisova", "--year", "2020",
                         check=0)
    assert "%" not in out and "pas de données" in out, out
    rc, out, err = d.ctl("shelter", "report", "aisova", "--year", "2025",
                         check=0)
    assert "%" in out, out


def test_audit_says_it_is_cut(daemon):
    d = daemon
    for i in range(55):
        status, _, body = d.http("POST", "/v1/people", json.dumps(
            {"name": f"Personne {i}", "roles": ["partner"]}).encode(),
            {"Content-Type": "application/json"})
        assert status in (200, 201), body
    rc, out, err = d.ctl("audit", check=0)
    assert "les 50 dernières entrées" in out, out
    assert len(out.splitlines()) == 1 + 50 + 1, out
    rc, out, err = d.ctl("audit", "--limit", "100", check=0)
    assert "dernières entrées" not in out, out


# -- creations and phones -----------------------------------------------------

def test_creations_say_what_they_added(daemon):
    d = daemon
    rc, out, err = d.ctl("people", "add", *flags(PEOPLE[0]), check=0)
    pid = d.people()[-1]["id"]
    assert out == f"personne {pid} ajoutée\n", out
    rc, out, err = d.ctl("events", "add", *flags(EVENTS[0]), check=0)
    eid = d.ctl_json("events", "list")[-1]["id"]
    assert out == f"événement {eid} ajouté\n", out
    now = dt.datetime.now(BXL)
    rc, out, err = d.ctl("oncall", "set", str(pid), "--from", local(now),
                         "--to", local(now + dt.timedelta(days=1)), check=0)
    slot = d.ctl_json("oncall", "show")[0]["id"]
    assert out == f"garde {slot} ajoutée\n", out
    # --json: the daemon's answer, as before
    assert d.ctl_json("people", "add", *flags(PEOPLE[1]))["id"] == pid + 1


def test_phones_in_national_form(daemon):
    d = daemon
    ids = [d.add_person(**p) for p in PEOPLE]
    assert sorted(p["phone"] for p in d.people()) == sorted(PHONES)
    rc, out, err = d.ctl("people", "list", "--wide", check=0)
    for e164, shown in PHONES.items():
        assert shown in out, (shown, out)
        if e164 != shown:
            assert e164 not in out, out
    for pid, p in zip(ids, d.people()):
        rc, out, err = d.ctl("people", "show", str(pid), check=0)
        assert re.search(r"^téléphone +: " + re.escape(PHONES[p["phone"]])
                         + "$", out, re.M), out


# -- help and unknown commands ------------------------------------------------

@pytest.mark.parametrize("args", [["--help"], ["-h"], ["help"]])
def test_help_on_stdout(args):
    r = run([STOPPVIFCTL, *args])
    assert r.returncode == 0 and r.stderr == "", r
    assert r.stdout.startswith("usage: stoppvifctl"), r.stdout
    for cmd in ("people add", "shelter report", "outbox list", "holidays"):
        assert f"  {cmd}" in r.stdout, r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= COLUMNS


def test_help_of_a_group_and_a_command():
    r = run([STOPPVIFCTL, "help", "people"])
    assert r.returncode == 0, r
    cmds = [line.split()[:2] for line in r.stdout.splitlines()
            if re.match(r"  \S", line)]
    assert cmds and all(c[0] == "people" for c in cmds), r.stdout
    r = run([STOPPVIFCTL, "people", "add", "--help"])
    assert r.returncode == 0 and "--name N" in r.stdout, r


@pytest.mark.parametrize("args,line", [
    (["peple"], "commande inconnue : « peple » (voulez-vous dire "
     "« people » ?)"),
    (["statsu"], "commande inconnue : « statsu » (voulez-vous dire "
     "« status » ?)"),
    (["people", "lst"], "commande inconnue : « people lst » (voulez-vous "
     "dire « people list » ?)"),
    (["frobnicate"], "commande inconnue : « frobnicate »"),
    (["help", "peple"], "commande inconnue : « peple » (voulez-vous dire "
     "« people » ?)"),
])
def test_unknown_command(args, line):
    r = run([STOPPVIFCTL, *args])
    assert sanitizer_report(r.stderr) is None, r.stderr
    assert r.returncode == 2 and r.stdout == "", r
    assert r.stderr == f"stoppvifctl: {line}\n", r.stderr


# -- the store's English, translated ------------------------------------------

class _Refuser(socketserver.StreamRequestHandler):
    """Answers every request with a store error in SQLite's English."""

    def handle(self):
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        body = json.dumps({"error": self.server.error}).encode()
        self.wfile.write(b"HTTP/1.1 500 Internal Server Error\r\n"
                         b"Content-Type: application/json\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                         % len(body) + body)


@pytest.mark.parametrize("english,french", [
    ("database: database or disk is full", "plein"),
    ("database: database is locked", "occupée par un autre programme"),
    ("database: attempt to write a readonly database", "lecture seule"),
])
def test_store_errors_in_french(tmp_path, english, french):
    sock = tmp_path / "fake.sock"
    conf = tmp_path / "stoppvif.ini"
    conf.write_text(f"[daemon]\nstate_dir = state\nsocket = {sock}\n\n"
                    "[crypto]\nkey_file = state/master.key\n")
    server = socketserver.UnixStreamServer(str(sock), _Refuser)
    server.error = english
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        r = run([STOPPVIFCTL, "-c", conf, "people", "list"])
    finally:
        server.shutdown()
        server.server_close()
    assert r.returncode == 1, r
    assert french in r.stderr and "database" not in r.stderr, r.stderr


# -- --json: the stable interface -------------------------------------------

def same(got, want, volatile=()):
    for key in volatile:
        got.pop(key, None)
        want.pop(key, None)
    assert got == want


def test_json_is_the_daemons_answer(world):
    d, ids, events = world
    pairs = [(["people", "list"], "/v1/people"),
             (["events", "list"], "/v1/events"),
             (["agenda", "--from", "2027-01-01", "--days", "120"],
              "/v1/agenda?days=120&from=2027-01-01"),
             (["outbox", "list"], "/v1/outbox?limit=1000"),
             (["audit"], "/v1/audit?limit=50"),
             (["oncall", "show"], "/v1/oncall"),
             (["shelter", "list"], "/v1/shelters"),
             (["shelter", "status", "aisova"], "/v1/shelters/aisova"),
             (["shelter", "report", "aisova", "--year", "2025"],
              "/v1/shelters/aisova/report?year=2025"),
             (["alerts", "list"], "/v1/alerts")]
    pairs += [(["people", "show", str(i)], f"/v1/people/{i}") for i in ids]
    pairs += [(["events", "show", str(e)], f"/v1/events/{e}")
              for e in events]
    for args, path in pairs:
        assert d.ctl_json(*args) == api(d, path), args
    same(d.ctl_json("status"), api(d, "/v1/status"), ("uptime",))
