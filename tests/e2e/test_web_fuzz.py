"""Attack and clumsy sides of every console form at once: a seeded random
walk that fills each form's own fields (read from the page, as a browser
would) with what people paste and attackers send: nothing, 20,000
characters, bytes that are not UTF-8, NUL, zero-width and right-to-left
marks, emoji, markup, quotes, CR/LF, impossible dates and numbers.

Every answer must be a page of the console (never a 500, never a dropped
connection), with its security headers; markup sent never comes back
unescaped; a name that was accepted is stored as valid UTF-8 and read
back the same; and the daemon, after it all, still answers and stops
cleanly (under the sanitizers in make check)."""
import random
import re
import urllib.parse

from webclient import WebClient, web  # noqa: F401 (fixture)

SEED = 15
ROUNDS = 300
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')

HOSTILE = [
    "", " ", "0", "-1", "99999999999999999999", "1e308", "NaN",
    "a" * 20000, "é" * 5000, "😀" * 300,
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
    "'; DROP TABLE people; --", "%00", "\x00", "a\x00b",
    "line1\r\nSet-Cookie: x=y", "\u200b0470\u200b55\u200b00\u200b01",
    "\u202eevil\u202c", "\ufeffBOM", "Ω≈ç√∫", "  Marie  ",
    "2026-02-30T25:61", "2026-13-01", "0000-00-00T00:00", "9999-12-31T23:59",
    "2026-01-07T14:00", "P1D", "FREQ=MONTHLY;BYDAY=1WE",
    "FREQ=SECONDLY;INTERVAL=1", "FREQ=MONTHLY;BYDAY=9WE",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "role:oncall", "person:999999",
    "+32 470 55 00 01", "0470 55 00 01", "0032470550001", "+999",
    "marie@example.test", "a@b", "@@", "x" * 64 + "@example.test",
    "vacate", "occupy", "unavailable", "fr", "nl", "zz", "on", "1",
]
RAW_BYTES = [b"\xff\xfe", b"\xc3", b"\xe2\x80", b"\xed\xa0\x80",
             b"\xf4\x90\x80\x80", b"caf\xe9"]


def baseline(action, ids):
    """Values a coordinator would send to action, all valid."""
    if action.startswith("/people/") and action.endswith("/key"):
        return {"key": ""}
    if action.startswith("/people/"):
        return {"name": "Aline Test", "roles": "referent", "lang": "fr",
                "email": "aline@example.test", "phone": "0470 55 00 77"}
    if action.startswith("/calendar/"):
        return {"title": "Atelier", "dtstart": "2031-02-05T14:00",
                "duration": "2h", "audience": "role:referent"}
    if action.startswith("/rota?"):
        return {"person": str(ids["person"]), "from": "2031-03-02T08:00",
                "to": "2031-03-02T20:00"}
    if action.startswith("/shelters/"):
        return {"do": "vacate"}
    return {}


def forms(c, ids):
    """(action, [field names]) of each form a coordinator can send."""
    pages = ["/people/new", "/calendar/new", "/rota",
             f"/people/{ids['person']}", f"/calendar/{ids['event']}",
             "/shelters/aisova/act?do=vacate", "/shelters/aisova/act?do=occupy"]
    out = []
    for page in pages:
        s, _, b = c.get(page)
        assert s == 200, (page, s)
        for m in re.finditer(r'<form[^>]*method="post"[^>]*action="([^"]+)"'
                             r'[^>]*>(.*?)</form>', b, re.S):
            action = m.group(1).replace("&amp;", "&")
            names = [n for n in FIELD.findall(m.group(2)) if n != "csrf"]
            if action != "/logout":
                out.append((action, sorted(set(names))))
    assert len(out) >= 6, out
    return out


def encode(pairs):
    """An urlencoded body; bytes values are sent as they are."""
    parts = []
    for k, v in pairs:
        if isinstance(v, bytes):
            v = urllib.parse.quote_from_bytes(v)
        else:
            v = urllib.parse.quote_plus(v)
        parts.append(f"{urllib.parse.quote_plus(k)}={v}")
    return "&".join(parts).encode()


def test_every_form_survives_what_is_pasted(web):
    d = web.d
    rnd = random.Random(SEED)
    c = web.client("coord")
    ev = d.ctl_json("events", "add", "--title", "La Cabane", "--dtstart",
                    "2031-01-01T14:00:00", "--duration", "2h",
                    "--audience", "role:referent")
    ids = {"person": web.people["ref"], "event": ev["id"]}
    targets = forms(c, ids)
    for i in range(ROUNDS):
        action, names = rnd.choice(targets)
        pairs = []
        if rnd.random() < 0.5 and names:
            # a right form with one to three fields gone wrong: the
            # values get past the first checks, into the store and back
            good = baseline(action, ids)
            bad = set(rnd.sample(names, min(len(names), rnd.randint(1, 3))))
            for n in names:
                if n in bad:
                    pairs.append((n, rnd.choice(RAW_BYTES + HOSTILE)))
                elif n in good:
                    pairs.append((n, good[n]))
        else:
            for n in names:
                r = rnd.random()
                if r < 0.15:
                    continue                    # a field left out
                if r < 0.25:
                    pairs.append((n, rnd.choice(RAW_BYTES)))
                else:
                    pairs.append((n, rnd.choice(HOSTILE)))
                if rnd.random() < 0.05:
                    pairs.append((n, rnd.choice(HOSTILE)))  # sent twice
        if rnd.random() < 0.1:
            pairs.append(("unknown_" + str(i), "x"))
        pairs.append(("csrf", c.csrf()))
        body = encode(pairs)
        s, h, b = c.request("POST", action, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        where = f"round {i}: POST {action} {pairs!r}"[:2000]
        if len(body) > 64 * 1024:
            # over [web]'s 64 KiB: refused before any page runs
            assert s == 413, (s, where)
            continue
        assert s in (200, 303, 400, 403, 404, 409, 422), (s, where)
        assert h.get("content-security-policy", "").startswith(
            "default-src 'none'"), where
        assert h.get("x-content-type-options") == "nosniff", where
        assert "<script>alert" not in b and "<img src=x" not in b, where
        if s == 303:
            assert h["location"].startswith("/"), where
            c.get(h["location"])                # the page it leads to
        if i % 50 == 0:
            assert WebClient(web.port).get("/login")[0] == 200, where

    # what was stored reads back as valid UTF-8 through the CLI and pages
    people = d.people()
    assert len(people) > 3, "no form with a wrong field was ever accepted"
    for p in people:
        assert "\x00" not in p["name"] and p["name"].strip(), p
        p["name"].encode("utf-8")
        s, _, b = c.get(f"/people/{p['id']}")
        assert s == 200, p
        assert "<script>alert" not in b
    s, _, b = c.get("/people")
    assert s == 200
    s, _, b = c.get("/calendar?month=2031-01")
    assert s == 200
    assert d.ctl_json("status")["version"]
