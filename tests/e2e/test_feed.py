"""
Calendar feeds: `stoppvifctl people feed ID [--reset]` gives a person the
webcal:// address of their events, served as text/calendar by the public
listener ([daemon] inbound_listen) at /cal/TOKEN.ics.

What a referent's calendar application sees (parsed with python3-icalendar):
the events of their audience and no others, titles a phone may show, no
one's name, address or number, no audience list; an ETag, and 304 when the
application already has the feed.  What an attacker sees: 404 for every
token but the current one (guessed, short, overlong, non-ASCII, reset, of a
removed person), 405 for another method, and nothing in the log that opens
a feed.
"""
import http.client
import json
import re
import secrets
import socket
import time

import icalendar
import pytest

from srv_smtp import free_port

PUBLIC_URL = "https://stoppvif.example.be/"
WEBCAL = re.compile(r"^webcal://stoppvif\.example\.be/cal/"
                    r"([A-Za-z0-9_-]{43})\.ics$")
NEUTRAL = "Réunion du réseau"

ANNE = dict(name="Anne Dubois", role="referent",
            email="anne@example.test", phone="0470 99 00 01")
BRUNO = dict(name="Bruno Lejeune", role="platform",
             email="bruno@example.test", phone="0470 99 00 02")
CHANTAL = dict(name="Chantal Piron", role="referent,oncall",
               email="chantal@example.test", phone="0470 99 00 03")
# what no feed may carry: the people's names, addresses and numbers
PERSONAL = ("Dubois", "Lejeune", "Piron", "@example.test", "0470",
            "+32470")


# -- helpers ----------------------------------------------------------------

@pytest.fixture
def pub(daemon_env):
    """A daemon with its public listener; (daemon, port)."""
    port = free_port()
    daemon_env.write_config(daemon_extra=(
        f"inbound_listen = 127.0.0.1:{port}\npublic_url = {PUBLIC_URL}\n"))
    daemon_env.start()
    return daemon_env, port


def get(port, path, headers=None, method="GET", body=None):
    """One request on the public listener; (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def raw(port, data):
    """Bytes as they are on a new connection; the status of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        answer = b""
        while b"\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1])


def feed(d, pid, reset=False):
    """people feed PID [--reset]: the token of the address it printed."""
    args = ["people", "feed", str(pid)] + (["--reset"] if reset else [])
    rc, out, err = d.ctl(*args, check=0)
    m = WEBCAL.match(out.strip())
    assert m, out
    d.secrets.add(m[1])
    return m[1]


def add_event(d, **fields):
    args = ["events", "add"]
    for k, v in fields.items():
        args += [f"--{k.replace('_', '-')}", v]
    return d.ctl_json(*args)["id"]


def calendar(port, token):
    """The feed of token, checked and parsed; (icalendar.Calendar, ETag)."""
    status, hdrs, body = get(port, f"/cal/{token}.ics")
    assert status == 200, body
    assert hdrs["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" not in hdrs["Cache-Control"]
    text = body.decode("utf-8")
    for word in PERSONAL + ("X-STOPPVIF-AUDIENCE", "X-STOPPVIF-CHANNELS",
                            "X-STOPPVIF-COMMUNE", "DESCRIPTION:Contact",
                            "ATTENDEE", "ORGANIZER"):
        assert word not in text, (word, text)
    return icalendar.Calendar.from_ical(text), hdrs["ETag"]


def summaries(cal):
    return sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))


def people(d):
    return (d.add_person(**ANNE), d.add_person(**BRUNO),
            d.add_person(**CHANTAL))


# -- what a referent sees ---------------------------------------------------

def test_a_feed_holds_the_events_of_the_persons_audience(pub):
    d, port = pub
    anne, bruno, chantal = people(d)
    add_event(d, title="Intervision des référents",
              dtstart="2027-01-13T14:00:00", rrule="FREQ=MONTHLY;BYDAY=2WE",
              duration="2h", location="Maison communale d'Esneux",
              description="Contact : Bruno Lejeune 0470 99 00 02",
              commune="Esneux", remind="1d", audience="role:referent",
              exdate="2027-02-10T14:00:00")
    add_event(d, title="Plateforme", dtstart="2027-03-09T09:30:00",
              audience=f"role:platform,person:{anne}")
    add_event(d, title="La Cabane", dtstart="2027-01-06T14:00:00",
              audience=f"person:{bruno}")
    add_event(d, title="Formation", dtstart="2027-04-01T09:00:00")
    cal, _ = calendar(port, feed(d, anne))
    assert summaries(cal) == ["Intervision des référents", "Plateforme"]
    ev = [e for e in cal.walk("VEVENT")
          if str(e["SUMMARY"]) == "Intervision des référents"][0]
    assert str(ev["LOCATION"]) == "Maison communale d'Esneux"
    assert "DESCRIPTION" not in ev
    assert ev["RRULE"]["FREQ"] == ["MONTHLY"]
    start = ev["DTSTART"].dt
    assert (start.isoformat(), str(start.tzinfo)) == (
        "2027-01-13T14:00:00+01:00", "Europe/Brussels")
    assert ev["EXDATE"].dts[0].dt.isoformat() == "2027-02-10T14:00:00+01:00"
    assert len(ev.walk("VALARM")) == 1
    cal, _ = calendar(port, feed(d, bruno))
    assert summaries(cal) == ["La Cabane", "Plateforme"]
    # Chantal is a referent too: her own token, the same referent event
    cal, _ = calendar(port, feed(d, chantal))
    assert summaries(cal) == ["Intervision des référents"]
    log = d.log()
    assert f"feed_served person={anne} events=2" in log
    assert f"feed_served person={bruno} events=2" in log


def test_the_days_an_event_skips_are_exdates(pub):
    """A calendar application knows no skip_holidays: the public holidays
    that the rule falls on are written as EXDATEs (Easter Monday 2027 is
    29 March)."""
    d, port = pub
    anne, _, _ = people(d)
    add_event(d, title="Atelier", dtstart="2027-03-01T10:00:00",
              rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=8", skip_holidays="BE",
              exdate="2027-03-08T10:00:00", audience="role:referent")
    cal, _ = calendar(port, feed(d, anne))
    ev = cal.walk("VEVENT")[0]
    exdates = ev["EXDATE"] if isinstance(ev["EXDATE"], list) \
        else [ev["EXDATE"]]
    days = sorted(x.dt.isoformat() for e in exdates for x in e.dts)
    assert days == ["2027-03-08T10:00:00+01:00",
                    "2027-03-29T10:00:00+02:00"]


def test_no_event_is_an_empty_calendar(pub):
    d, port = pub
    anne, _, _ = people(d)
    cal, _ = calendar(port, feed(d, anne))
    assert cal["VERSION"] == "2.0"
    assert summaries(cal) == []


def test_titles_and_places_a_phone_may_not_show_are_left_out(pub):
    d, port = pub
    anne, _, _ = people(d)
    add_event(d, title="Groupe Ourthe", dtstart="2027-01-13T14:00:00",
              location="Salle Ourthe", audience="role:referent")
    add_event(d, title="La Cabane", dtstart="2027-01-06T14:00:00",
              location="Salle des fêtes", audience="role:referent")
    token = feed(d, anne)
    cal, etag = calendar(port, token)
    assert summaries(cal) == ["Groupe Ourthe", "La Cabane"]
    # the word becomes one a phone may not show: the feed follows at once
    text = d.config_text(daemon_extra=(
        f"inbound_listen = 127.0.0.1:{port}\npublic_url = {PUBLIC_URL}\n"),
        extra="[privacy]\nphone_words = ourthe\n")
    d.hup(text, expect=("config reloaded",))
    cal, etag2 = calendar(port, token)
    assert summaries(cal) == ["La Cabane", NEUTRAL]
    places = sorted(str(e.get("LOCATION")) for e in cal.walk("VEVENT"))
    assert places == ["None", "Salle des fêtes"]
    assert etag2 != etag
    assert "Ourthe" not in get(port, f"/cal/{token}.ics")[2].decode()
    # the neutral title is the configured one, as in SMS texts
    text = d.config_text(daemon_extra=(
        f"inbound_listen = 127.0.0.1:{port}\npublic_url = {PUBLIC_URL}\n"),
        extra=("[privacy]\nphone_words = ourthe\n"
               "[calendar]\nphone_title = Rencontre mensuelle\n"))
    d.hup(text, expect=("config reloaded",))
    cal, _ = calendar(port, token)
    assert summaries(cal) == ["La Cabane", "Rencontre mensuelle"]


# -- ETag -------------------------------------------------------------------

def test_etag_and_if_none_match(pub):
    d, port = pub
    anne, bruno, _ = people(d)
    eid = add_event(d, title="Plateforme", dtstart="2027-03-09T09:30:00",
                    audience="role:referent")
    other = add_event(d, title="La Cabane", dtstart="2027-01-06T14:00:00",
                      audience=f"person:{bruno}")
    path = f"/cal/{feed(d, anne)}.ics"
    _, etag = calendar(port, path[5:-4])
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    for inm in (etag, f"W/{etag}", f'"x", {etag}', "*"):
        status, hdrs, body = get(port, path, {"If-None-Match": inm})
        assert (status, body, hdrs["ETag"]) == (304, b"", etag), inm
        assert "Content-Length" not in hdrs
    for inm in ('"x"', etag[:-2] + '"', "", "W/"):
        assert get(port, path, {"If-None-Match": inm})[0] == 200, inm
    # the same feed twice: the same ETag; a change elsewhere: still
    d.ctl("events", "edit", str(other), "--title", "Atelier", check=0)
    assert get(port, path)[1]["ETag"] == etag
    # a change of one of its events: a new ETag, and the old one gets 200
    d.ctl("events", "edit", str(eid), "--duration", "3h", check=0)
    status, hdrs, body = get(port, path, {"If-None-Match": etag})
    assert status == 200 and hdrs["ETag"] != etag
    assert b"DURATION:PT3H" in body
    # keep-alive after a 304: the next answer on the connection is whole
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers={"If-None-Match": hdrs["ETag"]})
    r = conn.getresponse()
    assert (r.status, r.read()) == (304, b"")
    conn.request("GET", path)
    r = conn.getresponse()
    assert r.status == 200 and r.read().startswith(b"BEGIN:VCALENDAR")
    conn.close()


# -- the token: shown once, reset, revoked ----------------------------------

def test_the_address_is_shown_once_and_a_reset_revokes_it(pub):
    d, port = pub
    anne, _, _ = people(d)
    add_event(d, title="Plateforme", dtstart="2027-03-09T09:30:00",
              audience="role:referent")
    old = feed(d, anne)
    assert get(port, f"/cal/{old}.ics")[0] == 200
    # asked again without --reset: refused, the address is not shown
    rc, out, err = d.ctl("people", "feed", str(anne), check=1)
    assert "--reset" in err and "webcal" not in out + err
    new = feed(d, anne, reset=True)
    assert new != old
    assert get(port, f"/cal/{old}.ics")[0] == 404
    assert get(port, f"/cal/{new}.ics")[0] == 200
    # --json: the same address, in the answer's "url"
    ans = json.loads(d.ctl("people", "feed", str(anne), "--reset",
                           json=True, check=0)[1])
    assert ans["id"] == anne and ans["reset"] is True
    newest = WEBCAL.match(ans["url"])[1]
    d.secrets.add(newest)
    assert get(port, f"/cal/{new}.ics")[0] == 404
    assert get(port, f"/cal/{newest}.ics")[0] == 200
    actions = [a["action"] for a in d.audit()]
    assert actions.count("people.feed") == 1
    assert actions.count("people.feed_reset") == 2
    # survives a restart: only its hash is stored, under the master key
    d.restart()
    assert get(port, f"/cal/{newest}.ics")[0] == 200
    for name, data in d.db_bytes().items():
        assert newest.encode() not in data, name


def test_a_removed_persons_feed_answers_404(pub):
    d, port = pub
    anne, bruno, _ = people(d)
    add_event(d, title="Plateforme", dtstart="2027-03-09T09:30:00",
              audience="role:referent")
    token = feed(d, anne)
    keep = feed(d, bruno)
    d.ctl("people", "remove", str(anne), check=0)
    assert get(port, f"/cal/{token}.ics")[0] == 404
    assert get(port, f"/cal/{keep}.ics")[0] == 200
    rc, out, err = d.ctl("people", "feed", str(anne), "--reset", check=1)
    assert "webcal" not in out
    d.ctl("people", "feed", "999", check=1)


@pytest.mark.parametrize("args", [[], ["abc"], ["1", "2"], ["1", "--force"]])
def test_people_feed_usage(pub, args):
    d, _ = pub
    d.ctl("people", "feed", *args, check=2)


def test_the_api_refuses_a_bad_body(pub):
    d, _ = pub
    anne, _, _ = people(d)
    for body in (b'{"reset": "yes"}', b'{"reset": true, "url": "x"}',
                 b"[]", b"{"):
        status, _, answer = d.http("POST", f"/v1/people/{anne}/feed", body,
                                   {"Content-Type": "application/json"})
        assert status == 400, (body, answer)
    assert d.http("POST", "/v1/people/999/feed", b"{}")[0] == 404


# -- the attacker's side ----------------------------------------------------

def test_guessed_and_malformed_tokens_answer_404(pub):
    d, port = pub
    anne, _, _ = people(d)
    add_event(d, title="Plateforme", dtstart="2027-03-09T09:30:00",
              audience="role:referent")
    token = feed(d, anne)
    bad = [secrets.token_urlsafe(32) for _ in range(20)] + [
        token[:-1], token + "A", token[:22], "A", "",
        token.upper() if token.upper() != token else token.lower(),
        "x" * 129, "x" * 1500, token + "=", "%C3%A9" + token[1:],
        "%C3%A9" * 10, "../a/" + token, "..%2f..%2fetc%2fpasswd",
        token + ".ics/..", "." + token,
    ]
    for t in bad:
        status, _, body = get(port, f"/cal/{t}.ics")
        assert status == 404, (t, status)
    for path in (f"/cal/{token}", f"/cal/{token}.ICS", f"/cal/{token}.ics/",
                 f"/cal//{token}.ics", f"/cal/../cal/{token}.ics",
                 f"/CAL/{token}.ics", f"/cal/{token}.ics%00",
                 f"/a/{token}", "/cal/", "/cal"):
        status = get(port, path)[0]
        assert status in (403, 404), (path, status)
    # non-ASCII and control bytes as they come on the wire
    for t in (b"\xc3\xa9" * 20, b"\xff\xfe", token.encode() + b"\x00",
              "é".encode() + token[1:].encode(), token.encode() + b" x"):
        assert raw(port, b"GET /cal/" + t + b".ics HTTP/1.1\r\n"
                   b"Host: x\r\nConnection: close\r\n\r\n") in (400, 404)
    # a target over the server's limit
    assert get(port, "/cal/" + "A" * 3000 + ".ics")[0] == 414
    # the query is not the token
    assert get(port, f"/cal/x.ics?token={token}")[0] == 404
    assert get(port, f"/cal/{token}.ics?x=1")[0] == 200
    assert d.ctl("status", check=0)[0] == 0
    assert token not in d.log()


def test_other_methods_on_a_feed(pub):
    d, port = pub
    anne, _, _ = people(d)
    token = feed(d, anne)
    path = f"/cal/{token}.ics"
    assert get(port, path, method="POST", body=b"x=1")[0] == 405
    assert get(port, path, method="POST", body=b"")[0] == 405
    for method in ("HEAD", "PUT", "DELETE", "OPTIONS", "PROPFIND"):
        status = raw(port, f"{method} {path} HTTP/1.1\r\nHost: x\r\n"
                     "Connection: close\r\n\r\n".encode())
        assert status in (405, 501), (method, status)
    assert get(port, path)[0] == 200


def test_many_feed_requests_from_one_address_are_capped(pub):
    """The public listener's per-address cap holds for feeds too: more
    open connections than it allows get 503, and the daemon still
    serves."""
    d, port = pub
    anne, _, _ = people(d)
    token = feed(d, anne)
    socks = []
    try:
        for _ in range(40):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(b"GET /cal/")     # never finished
            socks.append(s)
        status = raw(port, f"GET /cal/{token}.ics HTTP/1.1\r\nHost: x\r\n"
                     "Connection: close\r\n\r\n".encode())
        assert status == 503
    finally:
        for s in socks:
            s.close()
    for _ in range(50):
        if get(port, f"/cal/{token}.ics")[0] == 200:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the feed is not served again after the flood")
