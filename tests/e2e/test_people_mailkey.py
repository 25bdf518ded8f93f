"""
A person's mail key (issue 13 item 1): an S/MIME certificate or an OpenPGP
key given with `people add/edit --smime-cert FILE | --openpgp-key FILE`,
removed with --no-mail-key, judged by the daemon against the person's
address (daemon/lib/mailcrypt.h), kept sealed, shown without its material,
erased with the person, and warned of 30 days before it expires.

The material is made at test time with openssl and gpg (mailkeys.py); the
daemon, the client and the database are the real ones.
"""
import base64
import json
import os
import re
import shutil
import sqlite3
import time
from datetime import datetime, timedelta, timezone

import pytest

from mailkeys import Gpg, Smime, run

ADDR = "anne.dupont@example.test"
OTHER = "bernard.leroy@example.test"
NAME = "Anne Dupont"
ENC = ["keyUsage=digitalSignature,keyEncipherment",
       "extendedKeyUsage=emailProtection"]

pytestmark = pytest.mark.skipif(
    shutil.which("gpg") is None or shutil.which("openssl") is None,
    reason="gpg or openssl missing")


def stamp(days):
    """openssl ca's date format, days from now (UTC)."""
    t = datetime.now(timezone.utc) + timedelta(days=days)
    return t.strftime("%Y%m%d%H%M%SZ")


@pytest.fixture(scope="module")
def smime(tmp_path_factory):
    s = Smime(tmp_path_factory.mktemp("smime") / "m")
    s.ok = s.req("ok", subj=f"/CN={NAME}",
                 exts=[f"subjectAltName=email:{ADDR}"] + ENC)
    s.ok2 = s.req("ok2", subj=f"/CN={NAME}",
                  exts=[f"subjectAltName=email:{ADDR}"] + ENC)
    s.other = s.req("other", exts=[f"subjectAltName=email:{OTHER}"] + ENC)
    s.upper = s.req("upper", exts=[
        f"subjectAltName=email:{ADDR.replace('anne', 'Anne').upper()}"] +
        ENC)
    s.expired = s.dated("expired", "20200101000000Z", "20210101000000Z",
                        addr=ADDR)
    s.soon = s.dated("soon", stamp(-1), stamp(10), addr=ADDR)
    s.later = s.dated("later", stamp(-1), stamp(60), addr=ADDR)
    s.der = s.write("ok.der", run(["openssl", "x509", "-in", s.ok,
                                   "-outform", "DER"]).stdout)
    s.p7b = s.write("ok.p7b", run(["openssl", "crl2pkcs7", "-nocrl",
                                   "-certfile", s.ok, "-outform",
                                   "DER"]).stdout)
    s.keyfile = s.path("ok.key")
    s.keyder = run(["openssl", "pkey", "-in", s.keyfile, "-outform",
                    "DER"]).stdout
    return s


@pytest.fixture(scope="module")
def pgp(tmp_path_factory):
    g = Gpg(tmp_path_factory.mktemp("gnupg") / "h")
    g.ok = g.gen(f"{NAME} <{ADDR}>", algo="ed25519", usage="sign",
                 expire="never")
    g.gpg("--quick-add-key", g.ok, "cv25519", "encr", "2y")
    g.other = g.gen(f"Bernard <{OTHER}>")
    folder = tmp_path_factory.mktemp("pgpfiles")
    g.armored = folder / "anne.asc"
    g.armored.write_bytes(g.export(g.ok))
    g.binary = folder / "anne.gpg"
    g.binary.write_bytes(g.export(g.ok, armor=False))
    g.crlf = folder / "anne-crlf.asc"
    g.crlf.write_bytes(g.export(g.ok).replace(b"\n", b"\r\n"))
    g.secret = folder / "anne-secret.asc"
    g.secret.write_bytes(g.export(g.ok, secret=True))
    g.other_file = folder / "bernard.asc"
    g.other_file.write_bytes(g.export(g.other))
    yield g
    g.close()


def der_of(pem):
    return run(["openssl", "x509", "-in", pem, "-outform", "DER"]).stdout


def columns(d, pid):
    """The four mail key columns of person pid, read from the file (the
    daemon holds it locked: stopped for that, started again)."""
    d.stop()
    db = sqlite3.connect(d.db)
    try:
        return db.execute("SELECT mail_key, mail_key_kind,"
                          " mail_key_expires, mail_key_fpr FROM people"
                          " WHERE id = ?", (pid,)).fetchone()
    finally:
        db.close()
        d.start()


def raw(d):
    return b"".join(d.db_bytes().values())


def person(d, email=ADDR):
    return d.add_person(name=NAME, role="referent", email=email)


def refused(d, *args, field=None):
    """A client command the daemon refuses: its stderr."""
    rc, out, err = d.ctl(*args)
    assert rc != 0, f"accepted: {args}\n{out}"
    assert out == "", out
    if field is not None:
        assert field in err, err
    return err


def shown_key(d, pid):
    return d.ctl_json("people", "show", str(pid))["mail_key"]


# -- giving, showing, replacing, removing ----------------------------------

def test_smime_cert_set_shown_replaced_removed(daemon, smime, pgp):
    d = daemon
    pid = person(d)
    assert shown_key(d, pid) is None
    rc, out, _ = d.ctl("people", "show", str(pid), check=0)
    assert "aucun (les emails partent en clair)" in out
    d.ctl("people", "edit", str(pid), "--smime-cert", str(smime.ok),
          check=0)
    k = shown_key(d, pid)
    fpr = run(["openssl", "x509", "-in", smime.ok, "-noout",
               "-fingerprint", "-sha256"]).stdout.decode()
    fpr = fpr.split("=", 1)[1].strip().replace(":", "")
    assert k["kind"] == "smime" and k["fingerprint"] == fpr
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", k["expires"])
    assert k["days_left"] in (365, 366)
    # no material in the answers, clear metadata and a sealed blob at rest
    p = d.ctl_json("people", "show", str(pid))
    assert set(k) == {"kind", "expires", "fingerprint", "days_left"}
    assert "BEGIN" not in json.dumps(p)
    blob, kind, exp, cfpr = columns(d, pid)
    assert (kind, cfpr) == ("smime", fpr) and isinstance(exp, int)
    der = der_of(smime.ok)
    assert der not in blob and der[40:80] not in raw(d)
    rc, out, _ = d.ctl("people", "show", str(pid), check=0)
    line = next(l for l in out.splitlines() if l.startswith("chiffrement"))
    assert re.search(r"S/MIME, expire le \w+ \d+ \w+ \d{4} \(dans 36[56] "
                     r"jours\)$", line), line
    assert max(len(l) for l in out.splitlines()) <= 100
    # the list shows the kind
    assert d.people()[0]["mail_key"]["kind"] == "smime"
    # replaced by another certificate, then by an OpenPGP key
    d.ctl("people", "edit", str(pid), "--smime-cert", str(smime.ok2),
          check=0)
    assert shown_key(d, pid)["fingerprint"] != fpr
    d.ctl("people", "edit", str(pid), "--openpgp-key", str(pgp.armored),
          check=0)
    k = shown_key(d, pid)
    assert k["kind"] == "openpgp" and k["fingerprint"] == pgp.ok
    assert k["days_left"] is not None    # the encryption subkey ends
    rc, out, _ = d.ctl("people", "show", str(pid), check=0)
    assert "chiffrement   : OpenPGP, expire le" in out
    # removed
    d.ctl("people", "edit", str(pid), "--no-mail-key", check=0)
    assert shown_key(d, pid) is None
    assert columns(d, pid) == (None, None, None, None)
    actions = [e["action"] for e in d.audit()]
    assert actions.count("people.edit") == 4


def test_key_given_on_add(daemon, smime, pgp):
    d = daemon
    pid = d.add_person(name=NAME, role="referent", email=ADDR,
                       **{"openpgp-key": str(pgp.binary)})
    assert shown_key(d, pid)["kind"] == "openpgp"
    refused(d, "people", "add", "--name", "B", "--role", "referent",
            "--email", ADDR, "--smime-cert", str(smime.ok),
            "--openpgp-key", str(pgp.armored))
    assert len(d.people()) == 1


def test_erasure_empties_the_columns(daemon, smime):
    d = daemon
    pid = person(d)
    d.ctl("people", "edit", str(pid), "--smime-cert", str(smime.ok),
          check=0)
    d.ctl("people", "remove", str(pid), check=0)
    assert columns(d, pid) == (None, None, None, None)
    der = der_of(smime.ok)
    blob = raw(d)
    for i in range(0, len(der) - 32, 32):
        assert der[i:i + 32] not in blob


def test_contact_key_is_used_by_nobody_else(daemon, smime, pgp):
    """Two people, two keys: each row keeps its own (sealed per person)."""
    d = daemon
    a = person(d)
    b = person(d, OTHER)
    d.ctl("people", "edit", str(a), "--smime-cert", str(smime.ok), check=0)
    d.ctl("people", "edit", str(b), "--openpgp-key", str(pgp.other_file),
          check=0)
    assert shown_key(d, a)["kind"] == "smime"
    assert shown_key(d, b)["fingerprint"] == pgp.other
    assert columns(d, a)[0] != columns(d, b)[0]


# -- an attacker's side ----------------------------------------------------

def test_private_key_refused_and_nowhere(daemon, smime, pgp):
    d = daemon
    pid = person(d)
    key_pem = smime.keyfile.read_bytes()
    err = refused(d, "people", "edit", str(pid), "--smime-cert",
                  str(smime.keyfile), field="smime_cert")
    assert "priv" in err.lower(), err
    err = refused(d, "people", "edit", str(pid), "--openpgp-key",
                  str(pgp.secret), field="openpgp_key")
    assert shown_key(d, pid) is None
    blob = raw(d) + d.log().encode()
    body = b"".join(key_pem.split(b"\n")[1:-2])
    for part in (smime.keyder[20:60], body[:40],
                 base64.b64encode(key_pem)[:40]):
        assert part not in blob
    secret = pgp.secret.read_bytes()
    assert b"".join(secret.split(b"\n")[3:5]) not in blob
    assert base64.b64encode(secret)[:40] not in blob


def test_cert_for_another_address_refused(daemon, smime, pgp):
    d = daemon
    pid = person(d)
    err = refused(d, "people", "edit", str(pid), "--smime-cert",
                  str(smime.other), field="smime_cert")
    assert ADDR in err or "adresse" in err, err
    refused(d, "people", "edit", str(pid), "--openpgp-key",
            str(pgp.other_file), field="openpgp_key")
    assert shown_key(d, pid) is None


def test_expired_cert_refused(daemon, smime):
    d = daemon
    pid = person(d)
    err = refused(d, "people", "edit", str(pid), "--smime-cert",
                  str(smime.expired), field="smime_cert")
    assert "expir" in err or "valid" in err, err


def test_huge_and_garbage_files_refused(daemon, tmp_path):
    d = daemon
    pid = person(d)
    big = tmp_path / "big.pem"
    big.write_bytes(os.urandom(10 * 1024 * 1024))
    rc, out, err = d.ctl("people", "edit", str(pid), "--smime-cert",
                         str(big))
    assert rc == 2 and "trop gros" in err and "big.pem" in err, err
    junk = tmp_path / "junk.bin"
    junk.write_bytes(os.urandom(3000))
    refused(d, "people", "edit", str(pid), "--smime-cert", str(junk),
            field="smime_cert")
    refused(d, "people", "edit", str(pid), "--openpgp-key", str(junk),
            field="openpgp_key")
    # past the client: more than 64 KiB, bad base64, wrong types
    for body, field in (
            ({"smime_cert": base64.b64encode(os.urandom(70000)).decode()},
             "smime_cert"),
            ({"openpgp_key": "pas du base64 !"}, "openpgp_key"),
            ({"openpgp_key": 12}, "openpgp_key"),
            ({"mail_key": "x"}, "mail_key"),
            ({"smime_cert": None, "openpgp_key": None}, None)):
        status, _, ans = d.http("PATCH", f"/v1/people/{pid}",
                                json.dumps(body).encode(),
                                {"Content-Type": "application/json"})
        assert status == 400, (body, status, ans)
        if field is not None:
            assert json.loads(ans)["field"] == field
    status, _, _ = d.http("PATCH", f"/v1/people/{pid}",
                          b'{"smime_cert": "' + b"A" * (11 << 20) + b'"}',
                          {"Content-Type": "application/json"})
    assert status == 413
    assert shown_key(d, pid) is None


def test_unreadable_file_named(daemon, tmp_path):
    d = daemon
    pid = person(d)
    rc, _, err = d.ctl("people", "edit", str(pid), "--smime-cert",
                       str(tmp_path / "absent.pem"))
    assert rc == 2 and "absent.pem" in err and "introuvable" in err, err
    rc, _, err = d.ctl("people", "edit", str(pid), "--openpgp-key",
                       str(tmp_path))
    assert rc == 2 and "dossier" in err, err
    empty = tmp_path / "vide.asc"
    empty.write_bytes(b"")
    rc, _, err = d.ctl("people", "edit", str(pid), "--openpgp-key",
                       str(empty))
    assert rc == 2 and "vide" in err, err


def test_key_without_email_refused(daemon, smime):
    d = daemon
    pid = d.add_person(name=NAME, role="referent", phone="+32470990001")
    err = refused(d, "people", "edit", str(pid), "--smime-cert",
                  str(smime.ok), field="smime_cert")
    assert "pas d'adresse email" in err, err
    # the same request giving the address too is fine
    d.ctl("people", "edit", str(pid), "--email", ADDR, "--smime-cert",
          str(smime.ok), check=0)
    assert shown_key(d, pid)["kind"] == "smime"


def test_email_change_that_orphans_the_key_refused(daemon, smime):
    d = daemon
    pid = person(d)
    d.ctl("people", "edit", str(pid), "--smime-cert", str(smime.ok),
          check=0)
    err = refused(d, "people", "edit", str(pid), "--email", OTHER,
                  field="email")
    assert "nouvelle adresse" in err and "--no-mail-key" in err, err
    assert OTHER in err, err     # mailcrypt's detail: the address missing
    p = d.ctl_json("people", "show", str(pid))
    assert p["email"] == ADDR and p["mail_key"]["kind"] == "smime"
    # clearing the address while the key stays: refused too
    refused(d, "people", "edit", str(pid), "--email", "", field="email")
    # with a key for the new address, or without a key: accepted
    d.ctl("people", "edit", str(pid), "--email", OTHER, "--smime-cert",
          str(smime.other), check=0)
    assert d.ctl_json("people", "show", str(pid))["email"] == OTHER
    d.ctl("people", "edit", str(pid), "--email", ADDR, "--no-mail-key",
          check=0)
    assert shown_key(d, pid) is None
    # a change of case only keeps the key
    d.ctl("people", "edit", str(pid), "--smime-cert", str(smime.ok),
          check=0)
    d.ctl("people", "edit", str(pid), "--email", ADDR.upper(), check=0)
    assert shown_key(d, pid)["kind"] == "smime"


# -- a clumsy user's side --------------------------------------------------

@pytest.mark.parametrize("which", ["der", "p7b", "upper"])
def test_clumsy_smime_forms_accepted(daemon, smime, which):
    d = daemon
    pid = person(d)
    d.ctl("people", "edit", str(pid), "--smime-cert",
          str(getattr(smime, which)), check=0)
    assert shown_key(d, pid)["kind"] == "smime"


def test_clumsy_pgp_forms_accepted(daemon, pgp):
    d = daemon
    pid = person(d, ADDR.upper())
    d.ctl("people", "edit", str(pid), "--openpgp-key", str(pgp.crlf),
          check=0)
    assert shown_key(d, pid)["fingerprint"] == pgp.ok


def test_wrong_kind_named(daemon, smime, pgp):
    """A certificate given as an OpenPGP key, and the reverse."""
    d = daemon
    pid = person(d)
    refused(d, "people", "edit", str(pid), "--openpgp-key", str(smime.ok),
            field="openpgp_key")
    refused(d, "people", "edit", str(pid), "--smime-cert",
            str(pgp.armored), field="smime_cert")
    rc, _, err = d.ctl("people", "edit", str(pid), "--no-mail-key",
                       "--smime-cert", str(smime.ok))
    assert rc == 2 and "une seule" in err, err


# -- the expiry warning ----------------------------------------------------

def test_expiry_warned_in_status_and_log(daemon, smime):
    d = daemon
    soon = person(d)
    later = d.add_person(name="Bernard Leroy", role="referent", email=ADDR)
    off = d.log_size()
    d.ctl("people", "edit", str(later), "--smime-cert", str(smime.later),
          check=0)
    st = d.ctl_json("status")
    assert st["mail_keys_expiring"] == []
    d.ctl("people", "edit", str(soon), "--smime-cert", str(smime.soon),
          check=0)
    st = d.ctl_json("status")
    assert [(k["id"], k["days_left"], k["kind"], k["name"])
            for k in st["mail_keys_expiring"]] == [(soon, 10, "smime", NAME)]
    rc, out, _ = d.ctl("status", check=0)
    assert (f"clé de chiffrement de {NAME} ({soon}) : expire dans 10 jours"
            f" — demandez-lui un nouveau certificat") in out, out
    assert "Bernard" not in out
    assert shown_key(d, soon)["days_left"] == 10
    d.wait_log([f"people mail_key_expiring person={soon} days=10"], off)
    assert f"person={later}" not in d.log_since(off)
    # once, not at every request
    d.ctl("status", check=0)
    time.sleep(0.5)
    assert d.log_since(off).count("mail_key_expiring") == 1
    # removed: no more warning
    d.ctl("people", "edit", str(soon), "--no-mail-key", check=0)
    assert d.ctl_json("status")["mail_keys_expiring"] == []
    # at the next start, the warning of what is in the window
    d.ctl("people", "edit", str(soon), "--smime-cert", str(smime.soon),
          check=0)
    d.restart()
    d.wait_log([f"people mail_key_expiring person={soon} days=10"])


def test_expiry_line_fits_with_a_long_name(daemon, smime):
    """A name of 100 characters is cut, at a character, so that the status
    line stays within 100 columns; JSON keeps it whole."""
    d = daemon
    long_name = "Éléonore-" + "é" * 91
    pid = d.add_person(name=long_name, role="referent", email=ADDR)
    d.ctl("people", "edit", str(pid), "--smime-cert", str(smime.soon),
          check=0)
    rc, out, _ = d.ctl("status", check=0)
    line = next(l for l in out.splitlines() if "clé de chiffrement" in l)
    assert len(line) <= 100, line
    assert line.startswith("clé de chiffrement de Éléonore-éé") and "…" in line
    assert line.endswith(f"({pid}) : expire dans 10 jours — demandez-lui "
                         "un nouveau certificat"), line
    assert d.ctl_json("status")["mail_keys_expiring"][0]["name"] == long_name
