"""
Shared helpers for the tests of mail encryption: S/MIME certificates made
with the openssl command and OpenPGP keys made by GnuPG in temporary
folders, decryption with `openssl cms -decrypt` and `gpg --decrypt`, the
second part of a PGP/MIME message, and the checks that an encrypted message
shows nothing outside its ciphertext.

Used by test_mailcrypt.py (the engine), test_people_mailkey.py (a person's
key) and test_mail_encrypted.py (the daemon sending).  Every piece of
material is made at test time: nothing is shipped.  Expired and
not-yet-valid material is made with `openssl ca -startdate/-enddate` and
`gpg --faked-system-time`, never by waiting.
"""
import email
import email.header
import email.policy
import os
import re
import shutil
import subprocess
import time
from email.message import EmailMessage

import pytest

RUN_TIMEOUT = 60.0
GEN_TIMEOUT = 120.0     # one key generation (RSA in GnuPG is the slowest)

ADDR = "chloe.lefebvre@esneux.example.be"
OTHER = "autre.personne@esneux.example.be"
NAME = "Chloé Lefèbvre"
FROM = "Coordination sociale <noreply@stoppvif.example.be>"
NEUTRAL = "Message du réseau"
CODE = "4821"
LINK = "https://stoppvif.example.be/c/Zx81qPw7mLk"
ALERT_SUBJECT = f"Un logement est disponible (code {CODE})"
ALERT_BODY = (
    "Bonjour,\n\n"
    "Un logement est disponible.\n"
    "Logement : Maison d'accueil Cabane, Aywaille\n\n"
    f"Pour le réserver, répondez par SMS : OK {CODE}\n"
    f"ou ouvrez ce lien : {LINK}\n\n"
    "La première réponse le réserve ; les autres personnes alertées en "
    "seront\ninformées.\n\n"
    "Bien à vous,\nCoordination sociale\n")
REMINDER_SUBJECT = "Rappel : Réunion plateforme Esneux, mercredi 7 janvier"
REMINDER_BODY = (
    "Bonjour,\n\n"
    "Petit rappel : Réunion plateforme Esneux a lieu dans 7 jours.\n\n"
    "Quand : mercredi 7 janvier 2026, de 14h00 à 16h00\n"
    "Où : Salle Cabane, rue du Pont 4, Sprimont\n\n"
    "Bien à vous,\nCoordination sociale\n")
# gpg and openssl are there (tests using this module skip otherwise).
TOOLS_PRESENT = (shutil.which("gpg") is not None and
                 shutil.which("openssl") is not None)
# What must never be outside the ciphertext.
SECRETS = [CODE, LINK, "stoppvif.example.be/c/", "Zx81qPw7mLk", "logement",
           "Logement", "Cabane", "Aywaille", "réserver", "Rappel",
           "Réunion", "Sprimont", "plateforme", "disponible", "Bonjour",
           "alert.12", "reminder.3", "quoted-printable"]

# -- running things -------------------------------------------------------

def run(argv, input=None, env=None, timeout=RUN_TIMEOUT, check=True):
    """Run argv (bytes in and out); fail on a timeout, or on an error when
    check is set."""
    try:
        r = subprocess.run([str(a) for a in argv], input=input, env=env,
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{argv[0]}: no answer after {timeout} s")
    if check and r.returncode != 0:
        pytest.fail(f"{' '.join(map(str, argv))}: exit {r.returncode}\n"
                    f"{r.stderr.decode(errors='replace')}")
    return r


# -- material -------------------------------------------------------------

class Smime:
    """Certificates made with the openssl command in folder."""

    def __init__(self, folder):
        self.dir = folder
        self.dir.mkdir()

    def path(self, name):
        return self.dir / name

    def req(self, name, key="rsa:2048", subj=None, exts=(), days=365):
        """A self-signed certificate NAME.pem and its key NAME.key."""
        argv = ["openssl", "req", "-x509", "-utf8", "-nodes", "-newkey",
                key, "-keyout", self.path(f"{name}.key"),
                "-out", self.path(f"{name}.pem"), "-days", str(days),
                "-subj", subj or f"/CN={NAME}"]
        if key == "ec":
            argv[6:7] = ["ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        for e in exts:
            argv += ["-addext", e]
        run(argv)
        return self.path(f"{name}.pem")

    def dated(self, name, start, end, addr=ADDR):
        """A certificate valid from start to end (YYYYMMDDHHMMSSZ)."""
        conf = self.path("ca.cnf")
        if not conf.exists():
            conf.write_text(
                f"[ca]\ndefault_ca = d\n[d]\ndir = {self.dir}\n"
                "database = $dir/index.txt\nnew_certs_dir = $dir\n"
                "serial = $dir/serial\ndefault_md = sha256\npolicy = p\n"
                "unique_subject = no\ncopy_extensions = copy\n"
                "email_in_dn = no\n[p]\ncommonName = supplied\n")
            self.path("index.txt").write_text("")
            self.path("serial").write_text("01\n")
        run(["openssl", "req", "-new", "-utf8", "-nodes", "-newkey",
             "rsa:2048", "-keyout", self.path(f"{name}.key"), "-out",
             self.path(f"{name}.csr"), "-subj", f"/CN={NAME}", "-addext",
             f"subjectAltName=email:{addr}", "-addext",
             "keyUsage=keyEncipherment"])
        run(["openssl", "ca", "-batch", "-config", conf, "-selfsign",
             "-keyfile", self.path(f"{name}.key"), "-in",
             self.path(f"{name}.csr"), "-out", self.path(f"{name}.pem"),
             "-startdate", start, "-enddate", end, "-notext"],
            env=dict(os.environ), timeout=GEN_TIMEOUT)
        return self.path(f"{name}.pem")

    def write(self, name, data):
        p = self.path(name)
        p.write_bytes(data)
        return p


class Gpg:
    """OpenPGP keys made by GnuPG in a private GNUPGHOME."""

    def __init__(self, folder):
        self.home = folder
        self.home.mkdir(mode=0o700)
        self.env = dict(os.environ, GNUPGHOME=str(folder), LC_ALL="C")

    def gpg(self, *args, input=None, fake=None):
        argv = ["gpg", "--batch", "--yes", "--utf8-strings",
                "--pinentry-mode", "loopback", "--passphrase", ""]
        if fake:
            argv += ["--faked-system-time", fake]
        return run(argv + list(args), input=input, env=self.env,
                   timeout=GEN_TIMEOUT).stdout

    def gen(self, uid, algo="future-default", usage="default",
            expire="2y", fake=None):
        """A new key for uid; returns its fingerprint."""
        self.gpg("--quick-gen-key", uid, algo, usage, expire, fake=fake)
        return self.fpr(uid)

    def fpr(self, uid):
        out = self.gpg("--with-colons", "--list-keys", "--",
                       f"={uid}").decode()
        fprs = [l.split(":")[9] for l in out.splitlines()
                if l.startswith("fpr:")]
        return fprs[0]          # the primary key's

    def export(self, fpr, armor=True, secret=False):
        args = ["--export-secret-keys" if secret else "--export"]
        return self.gpg(*(["--armor"] if armor else []), *args, fpr)

    def revoke(self, fpr):
        """Import the revocation certificate GnuPG made with the key."""
        rev = (self.home / "openpgp-revocs.d" / f"{fpr}.rev").read_text()
        self.gpg("--import", input=rev.replace(":-----BEGIN",
                                               "-----BEGIN").encode())

    def decrypt(self, data):
        return self.gpg("--decrypt", input=data)

    def close(self):
        subprocess.run(["gpgconf", "--kill", "all"], env=self.env,
                       capture_output=True, timeout=RUN_TIMEOUT)


def plugin_like(subject, body, key, to=ADDR):
    """The message as the smtp plugin writes it (rfc5322.c), CRLF."""
    m = EmailMessage(policy=email.policy.SMTP)
    m["From"] = FROM
    m["To"] = f"{NAME} <{to}>"
    m["Subject"] = subject
    m["Date"] = "Wed, 07 Jan 2026 13:00:00 +0000"
    m["Message-ID"] = f"<{key}@stoppvif.example.be>"
    m["Auto-Submitted"] = "auto-generated"
    m.set_content(body, charset="utf-8", cte="quoted-printable")
    return m.as_bytes()


ALERT = plugin_like(ALERT_SUBJECT, ALERT_BODY,
                    "alert.12.2026-01-07T14%3A00.3.email")
REMINDER = plugin_like(REMINDER_SUBJECT, REMINDER_BODY,
                       "reminder.3.2026-01-07T14%3A00.7d.5.email")



# -- what a wrapped message must be ---------------------------------------

def split(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    return head, body


def outer_checked(raw, original, neutral=NEUTRAL,
                  domain="stoppvif.example.be"):
    """Parse the outer message; check what is in clear: only the neutral
    subject and a random Message-ID at domain.  Returns it."""
    assert b"\n" not in raw.replace(b"\r\n", b""), "a bare LF"
    assert all(b < 0x80 for b in raw), "8-bit bytes outside"
    assert max(len(l) for l in raw.split(b"\r\n")) <= 78
    out = email.message_from_bytes(raw, policy=email.policy.default)
    orig = email.message_from_bytes(original, policy=email.policy.default)
    assert not out.defects, out.defects
    assert str(out["Subject"]) == neutral
    for name in ("From", "To", "Date", "Auto-Submitted"):
        assert str(out[name]) == str(orig[name]), name
    assert out["MIME-Version"] == "1.0"
    assert re.fullmatch(r"<[0-9a-f]{32}@" + re.escape(domain) + ">",
                        out["Message-ID"]), out["Message-ID"]
    names = [k.lower() for k in out.keys()]
    assert sorted(names) == sorted(["from", "to", "subject", "date",
                                    "message-id", "auto-submitted",
                                    "mime-version", "content-type"] +
                                   (["content-disposition",
                                     "content-transfer-encoding"]
                                    if out.get_content_type() ==
                                    "application/pkcs7-mime" else []))
    return out


def clear_text(raw):
    """Everything of the outer message but the ciphertext itself, which
    must be base64 or armor only."""
    head, body = split(raw)
    if b"-----BEGIN PGP MESSAGE-----" in body:
        pre, _, rest = body.partition(b"-----BEGIN PGP MESSAGE-----")
        armor, _, post = rest.partition(b"-----END PGP MESSAGE-----")
        lines = [l for l in armor.split(b"\r\n") if l]
        assert all(re.fullmatch(rb"=?[A-Za-z0-9+/=]+", l) for l in lines)
        return head + pre + post
    assert all(re.fullmatch(rb"[A-Za-z0-9+/=]*", l)
               for l in body.split(b"\r\n"))
    return head


def assert_reveals_nothing(raw, original, secrets=SECRETS):
    """No word of secrets, the original subject or Message-ID outside the
    ciphertext, plain or encoded."""
    text = clear_text(raw).decode()
    orig = email.message_from_bytes(original, policy=email.policy.default)
    for s in list(secrets) + [str(orig["Subject"]), orig["Message-ID"]]:
        assert s not in text, f"{s!r} outside the ciphertext"
    # and neither in an encoded form: decode every encoded-word
    decoded = str(email.header.make_header(email.header.decode_header(
        text.replace("\r\n", " "))))
    for s in secrets:
        assert s not in decoded, f"{s!r} outside, encoded"


def inner_checked(inner, original, marks=(CODE,)):
    """The decrypted entity: every original field, then the body byte for
    byte; protected headers marked."""
    ohead, obody = split(original)
    ihead, ibody = split(inner)
    assert ibody == obody, "the body changed"
    ifields = ihead.decode().split("\r\n")
    unfolded = ihead.decode().replace("\r\n ", " ")
    for field in ohead.decode().replace("\r\n ", " ").split("\r\n"):
        if field.lower().startswith("mime-version:"):
            continue
        if field.lower().startswith("content-type:"):
            assert field.rstrip(";") in unfolded
            continue
        assert field in unfolded, field
    assert 'protected-headers="v1"' in unfolded
    assert 'hp="cipher"' in unfolded
    assert any(f.startswith("HP-Outer: Subject: ") for f in ifields)
    got = email.message_from_bytes(inner, policy=email.policy.default)
    orig = email.message_from_bytes(original, policy=email.policy.default)
    assert str(got["Subject"]) == str(orig["Subject"])
    text = got.get_body(("plain",)).get_content()
    assert text == orig.get_body(("plain",)).get_content()
    assert (any(s in text for s in marks) or
            "Rappel" in str(got["Subject"]))


def smime_decrypt(smime, raw, name):
    p = smime.write(f"in-{name}-{time.monotonic_ns()}.eml", raw)
    return run(["openssl", "cms", "-decrypt", "-recip", smime.path(
        f"{name}.pem"), "-inkey", smime.path(f"{name}.key"), "-in", p,
        "-binary"]).stdout


def pgp_part(out):
    """The second MIME part of a PGP/MIME message, as sent."""
    assert out.get_content_type() == "multipart/encrypted"
    assert out.get_param("protocol") == "application/pgp-encrypted"
    first, second = out.get_payload()
    assert first.get_content_type() == "application/pgp-encrypted"
    assert first.get_payload(decode=True).strip() == b"Version: 1"
    assert second.get_content_type() == "application/octet-stream"
    assert second.get_filename() == "encrypted.asc"
    return second.get_payload(decode=True)
