"""
The S/MIME and PGP/MIME engine (daemon/lib/mailcrypt*.c) through its test
tool, tools/mailcrypt, against the real thing: certificates made by the
openssl command, OpenPGP keys made by GnuPG, messages decrypted by
`openssl cms -decrypt` and `gpg --decrypt`, one message written by the
smtp plugin and carried by Postfix's smtp-sink.

    mailcrypt [-n NOW] [-o OUT] check smime|pgp FILE ADDRESS
    mailcrypt [-n NOW] [-s SUBJECT] [-m MSGID] wrap smime|pgp FILE ADDRESS

Every piece of material is made at test time, once per module, in a
temporary folder: nothing is shipped.  Expired and not-yet-valid ones are
made with `openssl ca -startdate/-enddate` and `gpg --faked-system-time`,
never by waiting.
"""
import base64
import email
import email.header
import email.policy
import json
import os
import re
import shutil
import time
from datetime import datetime, timezone

import pytest

from conftest import BUILD, sanitizer_report
from mailkeys import (ADDR, ALERT, ALERT_BODY, ALERT_SUBJECT, CODE, FROM,
                      LINK, NAME, OTHER, REMINDER, REMINDER_BODY,
                      REMINDER_SUBJECT, Gpg, Smime, assert_reveals_nothing,
                      inner_checked, outer_checked, pgp_part, plugin_like,
                      run, smime_decrypt)

TOOL = BUILD / "tools" / "mailcrypt"
PLUGHOST = BUILD / "tools" / "plughost"
SMTP_PLUGIN = BUILD / "plugins" / "smtp.so"

pytestmark = pytest.mark.skipif(
    not TOOL.is_file() or shutil.which("gpg") is None or
    shutil.which("openssl") is None,
    reason=f"{TOOL}, gpg or openssl missing")

# -- running things -------------------------------------------------------

def tool(*args, input=b""):
    """Run tools/mailcrypt: (exit code, stdout bytes, the cause or "")."""
    r = run([TOOL, *args], input=input, check=False)
    err = r.stderr.decode(errors="replace")
    mark = sanitizer_report(err)
    assert mark is None, f"sanitizer report ({mark}):\n{err}"
    assert r.returncode in (0, 1), f"exit {r.returncode}:\n{err}"
    cause = "".join(line[len("mailcrypt: "):] for line in err.splitlines()
                    if line.startswith("mailcrypt: "))
    return r.returncode, r.stdout, cause


def check(kind, path, addr=ADDR, *opts):
    """check: (exit code, {field: value}, cause)."""
    rc, out, cause = tool(*opts, "check", kind, path, addr)
    fields = dict(line.split("=", 1)
                  for line in out.decode().splitlines() if "=" in line)
    return rc, fields, cause


def wrap(kind, path, msg, addr=ADDR, *opts):
    """wrap: (exit code, the message bytes, cause)."""
    return tool(*opts, "wrap", kind, path, addr, input=msg)


# -- material -------------------------------------------------------------

@pytest.fixture(scope="module")
def smime(tmp_path_factory):
    s = Smime(tmp_path_factory.mktemp("smime") / "m")
    enc = ["keyUsage=digitalSignature,keyEncipherment",
           "extendedKeyUsage=emailProtection"]
    s.rsa = s.req("rsa", exts=[f"subjectAltName=email:{ADDR}"] + enc)
    s.ec = s.req("ec", key="ec", exts=[f"subjectAltName=email:{ADDR}",
                                        "keyUsage=keyAgreement"])
    s.subj = s.req("subj", subj=f"/CN={NAME}/emailAddress={ADDR}")
    s.other = s.req("other", exts=[f"subjectAltName=email:{OTHER}"] + enc)
    s.sign = s.req("sign", exts=[f"subjectAltName=email:{ADDR}",
                                 "keyUsage=digitalSignature"])
    s.tls = s.req("tls", exts=[f"subjectAltName=email:{ADDR}",
                               "extendedKeyUsage=serverAuth"])
    s.weak = s.req("weak", key="rsa:1024",
                   exts=[f"subjectAltName=email:{ADDR}"])
    s.ed = s.req("ed", key="ed25519", exts=[f"subjectAltName=email:{ADDR}"])
    s.noaddr = s.req("noaddr", exts=enc)
    s.expired = s.dated("expired", "20200101000000Z", "20210101000000Z")
    s.future = s.dated("future", "20990101000000Z", "20991231000000Z")
    return s


@pytest.fixture(scope="module")
def pgp(tmp_path_factory):
    g = Gpg(tmp_path_factory.mktemp("gnupg") / "h")
    g.ok = g.gen(f"{NAME} <{ADDR}>")
    g.rsa = g.gen(ADDR, algo="rsa2048", usage="sign", expire="never")
    g.gpg("--quick-add-key", g.rsa, "rsa2048", "encr", "1y")
    g.other = g.gen(f"Autre <{OTHER}>")
    g.signonly = g.gen(f"Signe seulement <sign.{ADDR}>", algo="ed25519",
                       usage="sign", expire="never")
    g.expired = g.gen(f"Ancienne <old.{ADDR}>", expire="1y",
                      fake="20200101T000000")
    g.revoked = g.gen(f"Révoquée <rev.{ADDR}>")
    g.revoke(g.revoked)
    g.subexp = g.gen(f"Sous-clé expirée <sub.{ADDR}>", algo="ed25519",
                     usage="sign", expire="never", fake="20200101T000000")
    g.gpg("--quick-add-key", g.subexp, "cv25519", "encr", "1y",
          fake="20200101T000000")
    g.uidrev = g.gen(f"Nouvelle <new.{ADDR}>")
    g.gpg("--quick-add-uid", g.uidrev, f"Ancienne <uid.{ADDR}>")
    g.gpg("--quick-revoke-uid", g.uidrev, f"Ancienne <uid.{ADDR}>")
    yield g
    g.close()


# -- S/MIME: what a person may give ---------------------------------------

def openssl_facts(pem):
    out = run(["openssl", "x509", "-in", pem, "-noout", "-enddate",
               "-fingerprint", "-sha256"]).stdout.decode()
    end = re.search(r"notAfter=(.*)", out).group(1).strip()
    fpr = re.search(r"Fingerprint=(.*)", out).group(1).replace(":", "")
    when = datetime.strptime(end, "%b %d %H:%M:%S %Y GMT")
    return int(when.replace(tzinfo=timezone.utc).timestamp()), fpr.strip()


@pytest.mark.parametrize("name,words", [
    ("rsa", ["RSA 2048 bits", f"« {NAME} »", "auto-signé"]),
    ("ec", ["EC 256 bits"]),
    ("subj", ["RSA 2048 bits"]),         # subject emailAddress, no SAN
])
def test_smime_certificate_accepted(smime, tmp_path, name, words):
    pem = smime.path(f"{name}.pem")
    kept = tmp_path / "kept.der"
    rc, f, cause = check("smime", pem, ADDR, "-o", kept)
    assert rc == 0, cause
    not_after, fpr = openssl_facts(pem)
    assert int(f["not_after"]) == not_after
    assert f["fingerprint"] == fpr
    for w in words:
        assert w in f["desc"], f["desc"]
    assert "valable jusqu'au" in f["desc"]
    der = run(["openssl", "x509", "-in", pem, "-outform", "DER"]).stdout
    assert kept.read_bytes() == der, "kept: the DER certificate alone"


def test_smime_clumsy_forms_accepted(smime):
    """DER, .p7b, a chain, CRLF, text around the PEM, the address in
    another case: all give the same certificate."""
    pem = smime.rsa.read_bytes()
    _, fpr = openssl_facts(smime.rsa)
    der = run(["openssl", "x509", "-in", smime.rsa, "-outform",
               "DER"]).stdout
    p7b = run(["openssl", "crl2pkcs7", "-nocrl", "-certfile", smime.rsa,
               "-certfile", smime.other, "-outform", "DER"]).stdout
    text = run(["openssl", "x509", "-in", smime.rsa, "-text"]).stdout
    forms = {
        "cert.der": der,
        "cert.p7b": p7b,
        "chain.pem": smime.other.read_bytes() + pem,
        "crlf.pem": pem.replace(b"\n", b"\r\n"),
        "text.pem": b"Bonjour, voici mon certificat :\n" + text,
    }
    for fname, data in forms.items():
        rc, f, cause = check("smime", smime.write(fname, data))
        assert rc == 0, (fname, cause)
        assert f["fingerprint"] == fpr, fname
    rc, f, cause = check("smime", smime.rsa, ADDR.upper())
    assert rc == 0, cause


def smime_refusals(s):
    pem = s.rsa.read_bytes()
    key = s.path("rsa.key").read_bytes()
    der = run(["openssl", "x509", "-in", s.rsa, "-outform", "DER"]).stdout
    p12 = run(["openssl", "pkcs12", "-export", "-in", s.rsa, "-inkey",
               s.path("rsa.key"), "-passout", "pass:x"]).stdout
    csr = run(["openssl", "req", "-new", "-key", s.path("rsa.key"),
               "-subj", "/CN=x"]).stdout
    return [
        # attacker side, or a leak waiting to happen
        ("key.pem", key, "clé privée"),
        ("cert-and-key.pem", pem + key, "clé privée"),
        ("key-first.pem", key + pem, "clé privée"),
        ("cert.p12", p12, "PKCS #12"),
        ("two.pem", pem + s.subj.read_bytes(), "2 certificats du fichier "
         "portent l'adresse"),
        ("truncated.pem", pem[:len(pem) // 2], "coupé ou abîmé"),
        ("truncated.der", der[:-20], "ni PEM ni DER"),
        ("garbage.bin", os.urandom(3000), "ni PEM ni DER"),
        ("badbase64.pem", pem.replace(b"M", b"*", 3), "coupé ou abîmé"),
        ("huge.pem", pem + b"#" * (64 * 1024), "64 Kio"),
        ("empty.pem", b"", "vide"),
        ("csr.pem", csr, "demande de certificat"),
        ("other.pem", s.other.read_bytes(), f"l'adresse {ADDR} n'est pas "
         f"dans le certificat (il porte : {OTHER})"),
        ("noaddr.pem", s.noaddr.read_bytes(), "aucune adresse"),
        ("sign.pem", s.sign.read_bytes(), "keyUsage sans keyEncipherment"),
        ("tls.pem", s.tls.read_bytes(), "extendedKeyUsage sans "
         "emailProtection"),
        ("weak.pem", s.weak.read_bytes(), "1024 bits"),
        ("ed.pem", s.ed.read_bytes(), "ED25519"),
        ("expired.pem", s.expired.read_bytes(), "a expiré le 01/01/2021"),
        ("future.pem", s.future.read_bytes(), "qu'à partir du 01/01/2099"),
    ]


def test_smime_refusals(smime, tmp_path):
    for fname, data, part in smime_refusals(smime):
        kept = tmp_path / f"{fname}.kept"
        rc, f, cause = check("smime", smime.write(fname, data), ADDR, "-o",
                             kept)
        assert rc == 1, fname
        assert part in cause, (fname, cause)
        assert not kept.exists(), f"{fname}: something was kept"
        assert "\n" not in cause.strip()


def test_smime_wrong_kind_named(smime, pgp):
    key = smime.write("key.asc", pgp.export(pgp.ok))
    rc, _, cause = check("smime", key)
    assert rc == 1 and "--openpgp-key" in cause, cause
    rc, _, cause = check("pgp", smime.rsa)
    assert rc == 1 and "--smime-cert" in cause, cause


def test_smime_validity_at_now(smime):
    """The check is made at the caller's now: a year later, expired."""
    not_after, _ = openssl_facts(smime.rsa)
    rc, _, cause = check("smime", smime.rsa, ADDR, "-n", not_after - 10)
    assert rc == 0, cause
    rc, _, cause = check("smime", smime.rsa, ADDR, "-n", not_after + 10)
    assert rc == 1 and "a expiré" in cause


# -- OpenPGP: what a person may give --------------------------------------

def gpg_enc_expiry(g, fpr):
    """When GnuPG says the key stops encrypting: the earlier of the primary
    key's and its encryption subkey's expiry; 0 for never."""
    out = g.gpg("--with-colons", "--list-keys", fpr).decode()
    rows = [l.split(":") for l in out.splitlines()
            if l.startswith(("pub:", "sub:"))]
    enc = [r for r in rows if r[0] == "sub" and "e" in r[11]]
    ends = [int(r[6]) for r in (rows[0], enc[-1]) if r[6]]
    return min(ends) if ends else 0


@pytest.mark.parametrize("which,armor", [("ok", True), ("ok", False),
                                         ("rsa", True)])
def test_pgp_key_accepted(pgp, tmp_path, which, armor):
    fpr = getattr(pgp, which)
    key = tmp_path / "key"
    key.write_bytes(pgp.export(fpr, armor=armor))
    kept = tmp_path / "kept.pgp"
    rc, f, cause = check("pgp", key, ADDR, "-o", kept)
    assert rc == 0, cause
    assert f["fingerprint"] == fpr
    assert int(f["not_after"]) == gpg_enc_expiry(pgp, fpr)
    assert f"empreinte {fpr[:4]} {fpr[4:8]}" in f["desc"]
    assert f["desc"].startswith("clé OpenPGP ")
    # what is kept is public: a fresh GnuPG imports no secret from it
    g = Gpg(tmp_path / "fresh")
    try:
        g.gpg("--import", kept)
        assert g.gpg("--with-colons", "--list-secret-keys") == b""
        assert fpr in g.gpg("--with-colons", "--list-keys").decode()
    finally:
        g.close()


def test_pgp_clumsy_forms_accepted(pgp, tmp_path):
    """Windows line ends, text around the armor, an address in another
    case, a user ID that is the bare address."""
    armored = pgp.export(pgp.ok)
    forms = {
        "crlf.asc": armored.replace(b"\n", b"\r\n"),
        "text.asc": b"Voici ma cle :\n\n" + armored + b"\nMerci\n",
        "blank.asc": armored + b"\n\n\n",
    }
    for fname, data in forms.items():
        p = tmp_path / fname
        p.write_bytes(data)
        rc, f, cause = check("pgp", p)
        assert rc == 0, (fname, cause)
        assert f["fingerprint"] == pgp.ok
    p = tmp_path / "ok.asc"
    p.write_bytes(armored)
    rc, _, cause = check("pgp", p, ADDR.upper())
    assert rc == 0, cause
    p = tmp_path / "rsa.asc"
    p.write_bytes(pgp.export(pgp.rsa))          # user ID "ADDR" alone
    rc, f, cause = check("pgp", p)
    assert rc == 0, cause
    assert f"« {ADDR} »" in f["desc"]


def test_pgp_refusals(pgp, tmp_path):
    ok = pgp.export(pgp.ok)
    binary = pgp.export(pgp.ok, armor=False)
    cases = [
        ("secret.asc", pgp.export(pgp.ok, secret=True), ADDR,
         "clé secrète"),
        ("secret.gpg", pgp.export(pgp.ok, armor=False, secret=True), ADDR,
         "clé secrète"),
        ("two.asc", ok + pgp.export(pgp.other), ADDR, "2 clés OpenPGP"),
        ("signonly.asc", pgp.export(pgp.signonly), f"sign.{ADDR}",
         "ne sert qu'à signer"),
        ("expired.asc", pgp.export(pgp.expired), f"old.{ADDR}",
         "a expiré le 31/12/2020"),
        ("revoked.asc", pgp.export(pgp.revoked), f"rev.{ADDR}",
         "révoquée"),
        ("subexp.asc", pgp.export(pgp.subexp), f"sub.{ADDR}",
         "sous-clé de chiffrement de la clé OpenPGP a expiré"),
        ("uidrev.asc", pgp.export(pgp.uidrev), f"uid.{ADDR}",
         "aucune identité valable"),
        ("other.asc", pgp.export(pgp.other), ADDR,
         f"l'adresse {ADDR} n'est dans aucune identité"),
        ("truncated.asc", ok[:len(ok) // 2], ADDR, "pas une clé OpenPGP "
         "lisible"),
        ("truncated.gpg", binary[:len(binary) - 40], ADDR,
         "pas une clé OpenPGP lisible"),
        ("garbage.bin", os.urandom(3000), ADDR, "pas une clé OpenPGP "
         "lisible"),
        ("huge.asc", ok + b"\n" * (64 * 1024), ADDR, "64 Kio"),
        ("empty.asc", b"", ADDR, "vide"),
        ("message.asc", b"-----BEGIN PGP MESSAGE-----\n\nhQ==\n-----END "
         b"PGP MESSAGE-----\n", ADDR, "message ou une signature"),
    ]
    for fname, data, addr, part in cases:
        p = tmp_path / fname
        p.write_bytes(data)
        kept = tmp_path / f"{fname}.kept"
        rc, f, cause = check("pgp", p, addr, "-o", kept)
        assert rc == 1, fname
        assert part in cause, (fname, cause)
        assert not kept.exists(), f"{fname}: something was kept"


def test_pgp_validity_at_now(pgp, tmp_path):
    p = tmp_path / "ok.asc"
    p.write_bytes(pgp.export(pgp.ok))
    until = gpg_enc_expiry(pgp, pgp.ok)
    rc, _, cause = check("pgp", p, ADDR, "-n", until - 10)
    assert rc == 0, cause
    rc, _, cause = check("pgp", p, ADDR, "-n", until + 10)
    assert rc == 1 and "a expiré" in cause, cause


# -- wrapping and decrypting ----------------------------------------------

@pytest.mark.parametrize("name", ["rsa", "ec"])
@pytest.mark.parametrize("original", [ALERT, REMINDER],
                         ids=["alert", "reminder"])
def test_smime_wrap_decrypts(smime, name, original):
    rc, raw, cause = wrap("smime", smime.path(f"{name}.pem"), original)
    assert rc == 0, cause
    out = outer_checked(raw, original)
    assert out.get_content_type() == "application/pkcs7-mime"
    assert out.get_param("smime-type") == "enveloped-data"
    assert out.get_filename() == "smime.p7m"
    assert_reveals_nothing(raw, original)
    inner_checked(smime_decrypt(smime, raw, name), original)


@pytest.mark.parametrize("which", ["ok", "rsa"])
@pytest.mark.parametrize("original", [ALERT, REMINDER],
                         ids=["alert", "reminder"])
def test_pgp_wrap_decrypts(pgp, tmp_path, which, original):
    key = tmp_path / "key.asc"
    key.write_bytes(pgp.export(getattr(pgp, which)))
    rc, raw, cause = wrap("pgp", key, original)
    assert rc == 0, cause
    out = outer_checked(raw, original)
    assert_reveals_nothing(raw, original)
    inner_checked(pgp.decrypt(pgp_part(out)), original)


def test_wrap_from_kept_material(smime, pgp, tmp_path):
    """What check kept is what wrap is given later."""
    kept = tmp_path / "cert.der"
    assert check("smime", smime.rsa, ADDR, "-o", kept)[0] == 0
    rc, raw, cause = wrap("smime", kept, ALERT)
    assert rc == 0, cause
    inner_checked(smime_decrypt(smime, raw, "rsa"), ALERT)
    key = tmp_path / "key.asc"
    key.write_bytes(pgp.export(pgp.ok))
    kept = tmp_path / "key.pgp"
    assert check("pgp", key, ADDR, "-o", kept)[0] == 0
    rc, raw, cause = wrap("pgp", kept, ALERT)
    assert rc == 0, cause
    out = email.message_from_bytes(raw, policy=email.policy.default)
    inner_checked(pgp.decrypt(pgp_part(out)), ALERT)


def test_ids_are_random_or_given(smime, pgp, tmp_path):
    key = tmp_path / "key.asc"
    key.write_bytes(pgp.export(pgp.ok))
    seen = set()
    for _ in range(2):
        for kind, path in (("smime", smime.rsa), ("pgp", key)):
            rc, raw, cause = wrap(kind, path, ALERT)
            assert rc == 0, cause
            out = email.message_from_bytes(raw, policy=email.policy.default)
            seen.add(out["Message-ID"])
            if kind == "pgp":
                seen.add(out.get_boundary())
    assert len(seen) == 6
    rc, raw, _ = wrap("smime", smime.rsa, ALERT, ADDR, "-m",
                      "<0a1b2c@stoppvif.example.be>", "-s", "Information")
    out = email.message_from_bytes(raw, policy=email.policy.default)
    assert out["Message-ID"] == "<0a1b2c@stoppvif.example.be>"
    assert out["Subject"] == "Information"


def test_wrap_refusals(smime, pgp, tmp_path):
    """Nothing is written when the key is not usable now, the message is
    not the recipient's, or a caller's string would inject a field; the
    cause names no address, no code, no subject."""
    key = tmp_path / "key.asc"
    key.write_bytes(pgp.export(pgp.ok))
    to_other = plugin_like(ALERT_SUBJECT, ALERT_BODY, "alert.13", to=OTHER)
    later = str(int(time.time()) + 10 * 365 * 86400)
    cases = [
        ("smime", smime.rsa, ALERT, ["-n", later], "a expiré"),
        ("pgp", key, ALERT, ["-n", later], "a expiré"),
        ("smime", smime.rsa, to_other, [], "champ To"),
        ("pgp", key, to_other, [], "champ To"),
        ("smime", smime.rsa, ALERT, ["-s", "Info\r\nBcc: x@y.be"],
         "sujet neutre"),
        ("pgp", key, ALERT, ["-s", "Info\nBcc: x@y.be"], "sujet neutre"),
        ("smime", smime.rsa, ALERT, ["-m", "<a@b>\r\nBcc: x@y.be"],
         "Message-ID"),
        ("smime", smime.rsa, ALERT.replace(b"From: ", b"X-From: ", 1), [],
         "From et un champ To"),
        ("smime", smime.rsa, ALERT.replace(b"\r\n\r\n", b"\r\n", 1), [],
         "en-tête"),
        ("smime", smime.path("rsa.key"), ALERT, [], "clé privée"),
        ("pgp", smime.rsa, ALERT, [], "--smime-cert"),
    ]
    for kind, path, msg, opts, part in cases:
        rc, raw, cause = wrap(kind, path, msg, ADDR, *opts)
        assert rc == 1, (kind, opts, part)
        assert raw == b"", "something was written"
        assert part in cause, (part, cause)
        for s in (ADDR, OTHER, CODE, "logement", LINK):
            assert s not in cause, (s, cause)
    # an address that would add a recipient is no address
    for kind, path in (("smime", smime.rsa), ("pgp", key)):
        rc, raw, cause = wrap(kind, path, ALERT, f"{ADDR}\r\nBcc: x@y.be")
        assert rc == 1 and raw == b"", kind
        assert "pas une adresse électronique valable" in cause, cause
        rc, _, cause = check(kind, path, f"{ADDR}\nBcc: x@y.be")
        assert rc == 1 and "pas une adresse" in cause, cause


# -- the smtp plugin's own message, through smtp-sink ----------------------

def sink_message(path):
    """A message as smtp-sink dumped it, without the sink's own fields."""
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    i = 0
    while lines[i].startswith((b"X-Client-", b"X-Helo-", b"X-Mail-",
                               b"X-Rcpt-", b"Received:", b"\t", b" ")):
        i += 1
    return b"\n".join(lines[i:])


@pytest.mark.skipif(not (PLUGHOST.is_file() and SMTP_PLUGIN.is_file()),
                    reason="plughost or smtp.so not built")
def test_plugin_message_wrapped_and_carried(smime, pgp, tmp_path):
    """The reminder the smtp plugin writes, wrapped both ways, sent through
    smtp-sink, decrypts to what the plugin wrote."""
    from srv_smtp import SmtpSink
    key = tmp_path / "key.asc"
    key.write_bytes(pgp.export(pgp.ok))
    with SmtpSink(tmp_path) as sink:
        m = {"id": 3, "key": "reminder/3/2026-01-07T14:00/7d/5/email",
             "kind": "reminder", "to": ADDR, "to_name": NAME,
             "subject": REMINDER_SUBJECT, "body": REMINDER_BODY,
             "urgent": False, "created": 1767790800}
        r = run([PLUGHOST, SMTP_PLUGIN, f"url={sink.url}", f"from={FROM}",
                 "tls=none", "timeout=10"],
                input=(json.dumps(m) + "\n").encode())
        assert b"3 SENT" in r.stdout, r.stderr
        sink.wait_messages(1)
        plain = sink_message(sink.dump_files()[0])
        sent = {}
        for i, (kind, k) in enumerate((("smime", smime.rsa), ("pgp", key))):
            rc, raw, cause = wrap(kind, k, plain)
            assert rc == 0, cause
            f = tmp_path / f"{kind}.eml"
            f.write_bytes(raw)
            run(["curl", "-sS", "--max-time", "20", "--url", sink.url,
                 "--mail-from", "noreply@stoppvif.example.be",
                 "--mail-rcpt", ADDR, "--upload-file", f])
            sink.wait_messages(i + 2)
            got = sink.dump_files()[i + 1]
            sent[kind] = sink_message(got).replace(b"\n", b"\r\n")
    original = plain.replace(b"\n", b"\r\n")
    inner = smime_decrypt(smime, sent["smime"], "rsa")
    inner_checked(inner, original)
    assert_reveals_nothing(sent["smime"], original)
    out = email.message_from_bytes(sent["pgp"], policy=email.policy.default)
    inner_checked(pgp.decrypt(pgp_part(out)), original)
    assert_reveals_nothing(sent["pgp"], original)
