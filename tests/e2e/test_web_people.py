"""
The console's directory pages (/people): the list and its search, adding a
person (a refused phone number, then fixed), editing, pasting a mail key,
against the real stoppvifd over 127.0.0.1.

What is checked is what the daemon sends (the HTML bytes) and what it then
holds (stoppvifctl --json), with the clumsy user's input (bad UTF-8, a
60 KiB value, a key that is no key) and the attacker's (<script> in a name,
another role, a foreign id, no CSRF token).
"""
import base64
import html
import json
import re
import urllib.parse

import pytest

from mailkeys import ADDR, NAME, TOOLS_PRESENT, Gpg
from webclient import (web, WebClient, error_under, untokened,  # noqa: F401
                       value_of)


def coord(web):
    return web.client("coord")


def api_error(d, method, path, body):
    """The control API's refusal of body: (message, field)."""
    status, _, raw = d.http(method, path, json.dumps(body).encode(),
                            {"Content-Type": "application/json"})
    assert status == 400, (status, raw)
    reply = json.loads(raw)
    return reply["error"], reply.get("field")


def person_id(headers):
    loc = headers.get("location", "")
    m = re.fullmatch(r"/people/(\d+)", loc)
    assert m, f"not a person's page: {loc!r}"
    return int(m.group(1))


# The text inputs of the person's form: a browser sends each, empty or not.
TEXT_FIELDS = ("name", "commune", "org", "email", "phone", "quiet_hours",
               "pubkey")


def form(pairs):
    """pairs (a list of (name, value)) with the text inputs it lacks, empty,
    as a browser sends the form."""
    have = {k for k, _ in pairs}
    return list(pairs) + [(k, "") for k in TEXT_FIELDS if k not in have]


def add(c, **fields):
    c.get("/people/new")
    return c.post("/people/new", form(fields.items()))


def test_new_form_fields(web):
    c = coord(web)
    status, _, page = c.get("/people/new")
    assert status == 200
    for name in ("name", "commune", "org", "email", "phone", "quiet_hours",
                 "pubkey"):
        assert f'name="{name}"' in page, name
    # the roles of the code (audience.h) and the four languages
    for role in ("referent", "platform", "oncall", "coordinator",
                 "animator", "partner"):
        assert f'name="roles" value="{role}"' in page, role
    for lang in ("fr", "nl", "de", "en"):
        assert f'<option value="{lang}"' in page, lang
    assert re.search(r'name="name"[^>]*required', page)
    # no inline style or script: the CSP forbids them
    assert not re.search(r"<[^>]*\sstyle\s*=", page)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_bad_phone_then_fixed(web):
    d = web.d
    c = coord(web)
    want, where = api_error(d, "POST", "/v1/people",
                            {"name": "Brigitte Lenoir", "phone": "12ab",
                             "roles": ["referent"]})
    assert where == "phone"
    rc, _, err = d.ctl("people", "add", "--name", "Brigitte Lenoir",
                       "--role", "referent", "--phone", "12ab")
    assert rc != 0 and want in err, err
    status, _, page = add(c, name="Brigitte Lenoir", phone="12ab",
                          roles="referent", commune="Esneux")
    assert status == 400
    assert error_under(page, "phone") == want
    assert re.search(r'<input[^>]*name="phone"[^>]*aria-invalid="true"',
                     page)
    assert value_of(page, "name") == "Brigitte Lenoir"
    assert value_of(page, "phone") == "12ab"
    assert value_of(page, "commune") == "Esneux"
    assert 'value="referent" checked' in page
    assert not [p for p in d.people() if p["name"] == "Brigitte Lenoir"]

    status, hdrs, _ = c.post("/people/new", form([
        ("name", "Brigitte Lenoir"), ("phone", "0470 12 34 56"),
        ("roles", "referent"), ("roles", "oncall"), ("commune", "Esneux"),
        ("lang", "nl")]))
    assert status == 303, hdrs
    pid = person_id(hdrs)
    status, _, page = c.get(f"/people/{pid}")
    assert status == 200
    assert "Personne ajoutée" in page
    held = d.ctl_json("people", "show", str(pid))
    assert held["phone"] == "+32470123456"
    assert held["roles"] == ["referent", "oncall"]
    assert held["lang"] == "nl" and held["commune"] == "Esneux"

    # the list and the search, accents and case aside
    status, _, page = c.get("/people")
    assert status == 200 and "Brigitte Lenoir" in page
    for q in ("brigitte", "LENOIR", "esneux", "lenoir esneux",
              "de garde"):
        _, _, page = c.get("/people?q=" + urllib.parse.quote(q))
        assert "Brigitte Lenoir" in page, q
        assert "Rita Référente" not in page, q
    _, _, page = c.get("/people?q=" + urllib.parse.quote("référente"))
    assert "Rita Référente" in page and "Brigitte" not in page
    _, _, page = c.get("/people?q=REFERENTE")
    assert "Rita Référente" in page
    _, _, page = c.get("/people?q=zzzz")
    assert "Brigitte" not in page and "Aucune personne" in page


def test_roles_missing(web):
    c = coord(web)
    want, where = api_error(web.d, "POST", "/v1/people",
                            {"name": "Sans Rôle", "roles": []})
    status, _, page = add(c, name="Sans Rôle")
    assert status == 400
    assert where == "roles" and error_under(page, "roles") == want
    assert value_of(page, "name") == "Sans Rôle"


def test_forged_values(web):
    """What no form offers, sent anyway: the API's word under the field."""
    d = web.d
    c = coord(web)
    for fields, field, api_body in (
            ([("name", "Forgé"), ("roles", "admin")], "roles",
             {"name": "Forgé", "roles": ["admin"]}),
            ([("name", "Forgé"), ("roles", "referent"), ("lang", "xx")],
             "lang", {"name": "Forgé", "roles": ["referent"],
                      "lang": "xx"}),
            ([("name", "Forgé"), ("roles", "referent"),
              ("quiet_hours", "25:00-99:00")], "quiet_hours",
             {"name": "Forgé", "roles": ["referent"],
              "quiet_hours": "25:00-99:00"}),
            ([("name", "Forgé\u200b"), ("roles", "referent")], "name",
             {"name": "Forgé\u200b", "roles": ["referent"]})):
        want, where = api_error(d, "POST", "/v1/people", api_body)
        assert where == field
        c.get("/people/new")
        status, _, page = c.post("/people/new", form(fields))
        assert status == 400, fields
        assert error_under(page, field) == want, (fields, page[-1500:])
    assert not [p for p in d.people() if p["name"].startswith("Forg")]


def test_in_dutch(web):
    from webclient import add_account
    add_account(web.d, "coordnl", "coordinator", lang="nl")
    c = web.client("coordnl")
    status, _, page = c.get("/people")
    assert status == 200
    assert "Persoon toevoegen" in page and "Gemeente" in page
    status, _, page = c.get("/people/new")
    assert "wachtdienst" in page and "Naam" in page


def test_list_shows_no_address(web):
    c = coord(web)
    status, _, page = c.get("/people")
    assert status == 200
    for name in ("Gaëlle Garde", "Rita Référente", "Chloé Coordination"):
        assert html.escape(name) in page or name in page
    assert "@example.test" not in page
    bare = untokened(page)
    assert "+32" not in bare and "0470" not in bare and "470 55" not in bare
    assert "SMS" in page and "e-mail" in page
    assert 'class="table-wrap"' in page and 'class="list"' in page
    assert 'href="/people/new"' in page


def test_edit_and_clear(web):
    d = web.d
    c = coord(web)
    pid = web.people["ref"]
    status, _, page = c.get(f"/people/{pid}")
    assert status == 200
    assert value_of(page, "email") == "rita@example.test"
    fields = [("name", "Rita Référente"), ("commune", "Sprimont"),
              ("org", "CPAS"), ("email", ""), ("phone", "+32470550002"),
              ("quiet_hours", ""), ("pubkey", ""), ("roles", "referent"),
              ("lang", "de")]
    status, hdrs, _ = c.post(f"/people/{pid}", fields)
    assert status == 303 and hdrs["location"] == f"/people/{pid}"
    held = d.ctl_json("people", "show", str(pid))
    assert held["commune"] == "Sprimont" and held["org"] == "CPAS"
    assert held.get("email") is None and held["lang"] == "de"
    assert held["phone"] == "+32470550002"
    edits = [e for e in d.audit() if e["action"] == "people.edit"]
    assert edits and edits[0]["actor"] == "web:coord", edits[:1]

    # a bad email: the API's message under it, what was typed kept
    want, _ = api_error(d, "PATCH", f"/v1/people/{pid}",
                        {"email": "rita@@x"})
    status, _, page = c.post(f"/people/{pid}", fields[:3] + [
        ("email", "rita@@x")] + fields[4:])
    assert status == 400
    assert error_under(page, "email") == want
    assert value_of(page, "commune") == "Sprimont"
    assert value_of(page, "email") == "rita@@x"

    # the name cannot be cleared: the API says so under it
    status, _, page = c.post(f"/people/{pid}", [("name", "")] + fields[1:])
    assert status == 400 and error_under(page, "name")
    assert d.ctl_json("people", "show", str(pid))["name"] == \
        "Rita Référente"


def test_escaped_name(web):
    d = web.d
    c = coord(web)
    evil = '<script>alert(1)</script> "Bob" \'O\' & <b>'
    status, hdrs, _ = add(c, name=evil, roles="partner")
    assert status == 303
    pid = person_id(hdrs)
    for path in ("/people?q=script", "/people", f"/people/{pid}"):
        status, _, page = c.get(path)
        assert status == 200
        assert "<script>alert" not in page and "<b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&quot;Bob&quot;" in page
    assert value_of(page, "name") == evil
    # typed in the search box: sent back escaped too
    _, _, page = c.get("/people?q=" + urllib.parse.quote('"><script>x'))
    assert "<script>x" not in page and "&quot;&gt;&lt;script&gt;x" in page
    assert d.ctl_json("people", "show", str(pid))["name"] == evil


def test_bad_utf8_and_huge(web):
    d = web.d
    c = coord(web)
    # bad UTF-8: the field is refused, never half-read nor dropped
    status, _, page = add(c, name=b"Ren\xe9 Latin1", roles="referent")
    assert status == 400, page[:300]
    assert "UTF-8" in error_under(page, "name")
    assert "Ren" not in [p["name"][:3] for p in d.people()]
    status, _, page = add(c, name="René", org=b"CPAS d'Esneux \xe0",
                          roles="referent")
    assert status == 400 and "UTF-8" in error_under(page, "org")
    assert value_of(page, "name") == "René"
    assert "René" not in [p["name"] for p in d.people()]
    pid = web.people["ref"]
    c.get(f"/people/{pid}")
    status, _, page = c.post(f"/people/{pid}", form([
        ("name", "Rita Référente"), ("commune", "Liège"),
        ("org", b"\xff\xfe"), ("roles", "referent")]))
    assert status == 400 and "UTF-8" in error_under(page, "org")
    held = d.ctl_json("people", "show", str(pid))
    assert held.get("commune") is None and held.get("org") is None
    # a 60 KiB value: refused with a message, nothing stored
    big = "é" * 30 * 1024
    status, _, page = add(c, name="Gros Champ", org=big, roles="referent")
    assert status in (400, 413), status
    if status == 400:
        assert error_under(page, "org")
    assert not [p for p in d.people() if p["name"] == "Gros Champ"]
    status, _, _ = c.get("/people")
    assert status == 200
    # a long search is cut at a character, not an error; a huge URL is
    # refused by the server before any page
    status, _, page = c.get("/people?q=" + urllib.parse.quote("é" * 300))
    assert status == 200
    kept = value_of(page, "q")
    assert kept.startswith("é" * 90) and len(kept) <= 100, kept
    status, _, page = c.get("/people?q=" + "a" * 5000)
    assert status in (200, 414)


def test_fields_left_out(web):
    """A script (or an old form in a tab) that sends only some fields: a
    new person gets just those, an edit changes just those; a field sent
    but not text is still named in the error, not a field left out."""
    d = web.d
    c = coord(web)
    c.get("/people/new")
    status, hdrs, page = c.post("/people/new", [
        ("name", "Sans Commune"), ("roles", "referent"),
        ("email", "sans@example.test")])
    assert status == 303, error_under(page, "commune") or page[:300]
    held = [p for p in d.people() if p["name"] == "Sans Commune"]
    assert held and held[0].get("commune") is None
    pid = web.people["ref"]
    before = d.ctl_json("people", "show", str(pid))
    c.get(f"/people/{pid}")
    status, _, _ = c.post(f"/people/{pid}", [("name", "Rita Renommée"),
                                             ("roles", "referent")])
    assert status == 303
    after = d.ctl_json("people", "show", str(pid))
    assert after["name"] == "Rita Renommée"
    assert after["email"] == before["email"] and \
        after["phone"] == before["phone"], (before, after)
    status, _, page = c.post("/people/new", [
        ("name", "Autre"), ("roles", "referent"), ("phone", b"\xff")])
    assert status == 400 and "UTF-8" in error_under(page, "phone")


def test_wrong_ids(web):
    c = coord(web)
    status, _, page = c.get("/people/999999")
    assert status == 404
    status, _, _ = c.get("/people/abc")
    assert status == 404
    c.get("/people")
    status, _, _ = c.post("/people/999999", {"name": "X"})
    assert status == 404
    status, _, _ = c.post("/people/999999/key", {"key": "x"})
    assert status == 404


@pytest.mark.parametrize("who", ["garde", "lecteur"])
def test_other_roles_refused(web, who):
    d = web.d
    c = web.client(who)
    pid = web.people["ref"]
    for path in ("/people", "/people/new", f"/people/{pid}",
                 "/people?q=rita"):
        status, _, page = c.get(path)
        assert status == 403, (who, path, status)
        assert "rita@example.test" not in page and "Rita" not in page
    for path, fields in (("/people/new", {"name": "Intrus",
                                          "roles": "referent"}),
                         (f"/people/{pid}", {"name": "Renommée"}),
                         (f"/people/{pid}/key", {"remove": "1"})):
        status, _, _ = c.post(path, fields)
        assert status == 403, (who, path, status)
    assert not [p for p in d.people() if p["name"] in ("Intrus",
                                                       "Renommée")]


def test_no_csrf_refused(web):
    c = coord(web)
    c.get("/people/new")
    status, _, _ = c.post("/people/new", {"name": "Sans Jeton",
                                          "roles": "referent"}, csrf=False)
    assert status == 403
    status, _, _ = c.post("/people/new", {"name": "Sans Jeton",
                                          "roles": "referent"},
                          csrf="0" * 43)
    assert status == 403
    assert not [p for p in web.d.people() if p["name"] == "Sans Jeton"]


def test_not_logged_in(web):
    c = WebClient(web.port)
    status, hdrs, page = c.get("/people")
    assert status in (302, 303) and "/login" in hdrs.get("location", "")
    assert "Gaëlle" not in page


@pytest.fixture(scope="module")
def pgp(tmp_path_factory):
    if not TOOLS_PRESENT:
        pytest.skip("gpg and openssl are needed")
    g = Gpg(tmp_path_factory.mktemp("gnupg") / "h")
    g.ok = g.gen(f"{NAME} <{ADDR}>", algo="ed25519", usage="sign",
                 expire="never")
    g.gpg("--quick-add-key", g.ok, "cv25519", "encr", "2y")
    yield g
    g.close()


def test_key_paste(web, pgp):
    d = web.d
    c = coord(web)
    pid = d.add_person(name=NAME, role="referent", email=ADDR)
    status, _, page = c.get(f"/people/{pid}")
    assert status == 200 and 'name="key"' in page
    assert f'action="/people/{pid}/key"' in page
    armored = pgp.export(pgp.ok).decode()

    # garbage first: the API's own message, under the key's field
    want, _ = api_error(d, "PATCH", f"/v1/people/{pid}", {
        "openpgp_key": base64.b64encode(b"not a key at all").decode()})
    status, _, page = c.post(f"/people/{pid}/key",
                             {"key": "not a key at all"})
    assert status == 400
    assert error_under(page, "key") == want
    # nothing pasted: said, nothing sent
    status, _, page = c.post(f"/people/{pid}/key", {"key": "  \r\n"})
    assert status == 400 and error_under(page, "key")
    # a private key given by mistake: refused, never shown back
    secret = pgp.export(pgp.ok, secret=True).decode()
    status, _, page = c.post(f"/people/{pid}/key", {"key": secret})
    assert status == 400 and error_under(page, "key")
    assert "PRIVATE KEY BLOCK" not in page
    assert d.ctl_json("people", "show", str(pid)).get("mail_key") is None

    status, hdrs, _ = c.post(f"/people/{pid}/key", {"key": armored})
    assert status == 303, hdrs
    held = d.ctl_json("people", "show", str(pid))["mail_key"]
    assert held["kind"] == "openpgp"
    status, _, page = c.get(f"/people/{pid}")
    assert "Clé enregistrée" in page and "OpenPGP" in page
    assert held["fingerprint"] in page
    assert "Sans date de fin" in page or "Expire le" in page
    _, _, page = c.get("/people")
    assert "OpenPGP" in page
    # removed
    status, _, _ = c.post(f"/people/{pid}/key", {"remove": "1"})
    assert status == 303
    assert d.ctl_json("people", "show", str(pid)).get("mail_key") is None
    d.check_secrets(d.log())
