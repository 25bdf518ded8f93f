"""Encryption at rest, erasure and the master key file."""
import json
import os
import re
import stat
import time

from conftest import BLOBSCAN, STOPPVIFD, run, sanitizer_report

# Distinctive values: each must be absent from the database files.
PEOPLE = [
    dict(name="Zéphyrine Quatrefeuilles", role="referent,oncall",
         commune="Chaudfontaine", org="CPAS Zorglubville",
         email="zephyrine.quatrefeuilles@chaudfontaine.be",
         phone="0470 98 76 54", lang="fr"),
    dict(name="Œdipe Brûlé-Kowalczyk", role="platform",
         commune="Aywaille", org="Maison Xylophone",
         email="oedipe.kowalczyk@aywaille.be",
         phone="+32 4 384 55 66", lang="nl"),
    dict(name="Wilhelmina Sprengelhof", role="animator",
         email="w.sprengelhof@lacabane-sprimont.be",
         phone="0033 6 12 34 56 78", lang="de"),
]
# Phones as typed, compacted, national and E.164; the values stored after
# the edits below too.
PHONE_FORMS = {
    0: ["0470 98 76 54", "0470987654", "470987654", "+32470987654"],
    1: ["+32 4 384 55 66", "043845566", "43845566", "+3243845566"],
    2: ["0033 6 12 34 56 78", "33612345678", "612345678", "+33612345678"],
}
EDITS = {  # person index -> (flag, value, forms that must not appear)
    0: ("--phone", "0496 13 57 91", ["0496135791", "496135791",
                                    "+32496135791"]),
    1: ("--email", "oedipe.nouvelle-adresse@aywaille.be",
        ["oedipe.nouvelle-adresse@aywaille.be"]),
}


def secrets_of(people):
    """Every byte string that would betray a name, email or phone."""
    out = []
    for i, p in enumerate(people):
        name = p["name"]
        out.append(name.encode("utf-8"))
        out += [part.encode("utf-8") for part in re.split(r"[ -]", name)
                if len(part) >= 5]
        out.append(p["email"].encode())
        out.append(p["email"].split("@")[0].encode())
        out += [f.encode() for f in PHONE_FORMS[i]]
        # communes and organisations are sealed like contact fields
        for key in ("commune", "org"):
            if p.get(key):
                out.append(p[key].encode("utf-8"))
    out += [b"Zorglubville", b"Xylophone"]
    for _, (flag, value, forms) in EDITS.items():
        out += [f.encode() for f in forms]
    return out


def assert_no_plaintext(d, secrets, when):
    files = d.db_bytes()
    assert "stoppvif.db" in files, f"no database file {when}"
    # Positive control: roles are stored in clear by design (the
    # scheduler selects audiences by them), so the bytes read here must
    # show them; if not, the grep below proves nothing.
    blob = b"".join(files.values())
    assert b"animator" in blob and b"platform" in blob, \
        f"the scan does not see clear columns {when}"
    found = [(name, s.decode("utf-8")) for name, data in files.items()
             for s in secrets if s in data]
    assert not found, f"plaintext in the database files {when}: {found}"


def test_no_plaintext_in_database_files(daemon):
    d = daemon
    ids = [d.add_person(**p) for p in PEOPLE]
    for i, (flag, value, _) in EDITS.items():
        d.ctl("people", "edit", str(ids[i]), flag, value, check=0)
    # what the daemon gives back is the real data
    shown = d.ctl_json("people", "show", str(ids[0]))
    assert shown["name"] == PEOPLE[0]["name"]
    assert shown["phone"] == "+32496135791"
    assert d.ctl_json("people", "show", str(ids[2]))["phone"] == \
        "+33612345678"

    secrets = secrets_of(PEOPLE)
    # while running: the WAL holds the recent writes
    assert os.path.exists(f"{d.db}-wal")
    assert_no_plaintext(d, secrets, "while the daemon runs")
    # the log does not carry them either
    log = d.log().encode()
    leaked = [s.decode() for s in secrets if s in log]
    assert not leaked, f"personal data in the daemon's log: {leaked}"

    d.stop()
    assert_no_plaintext(d, secrets, "after the daemon stopped")
    d.start()
    assert d.ctl_json("people", "show", str(ids[1]))["email"] == \
        "oedipe.nouvelle-adresse@aywaille.be"


def blobscan(d, person_id, key=None):
    """Run blobscan over the database files; (keys, fields)."""
    assert BLOBSCAN.is_file(), f"{BLOBSCAN} missing (make build/san/tools/" \
        "blobscan)"
    r = run([BLOBSCAN, "-m", "256", key or d.key, str(person_id)] +
            [str(p) for p in d.db_files()], timeout=60)
    assert sanitizer_report(r.stderr) is None, r.stderr
    assert r.returncode == 0, f"blobscan failed: {r.stderr}"
    m = re.fullmatch(r"keys=(\d+) fields=(\d+)\n", r.stdout)
    assert m, f"blobscan printed {r.stdout!r}"
    return int(m.group(1)), int(m.group(2))


def test_erasure_leaves_no_key_or_field(daemon):
    d = daemon
    a = d.add_person(name="Amandine Effacée", role="referent,oncall",
                     email="amandine.effacee@trooz.be",
                     phone="0477 10 20 30", commune="Trooz",
                     org="Association Quetzalcoatl")
    b = d.add_person(name="Bertrand Gardé", role="platform",
                     email="bertrand.garde@trooz.be", phone="0477 40 50 60",
                     commune="Trooz")
    # edits leave stale copies of A's fields in the WAL and free pages
    d.ctl("people", "edit", str(a), "--phone", "0477 11 21 31", check=0)
    d.ctl("people", "edit", str(a), "--email", "amandine.deux@trooz.be",
          "--name", "Amandine Deux", check=0)
    d.ctl("people", "edit", str(a), "--phone", "0477 12 22 32", check=0)

    # the scanner finds A before the erasure: it does look for A
    keys, fields = blobscan(d, a)
    assert keys >= 1 and fields >= 3, (keys, fields)

    # reads just before the erasure must not keep anything alive
    assert d.ctl_json("people", "show", str(a))["name"] == "Amandine Deux"
    assert len(d.people()) == 2 and len(d.people("oncall")) == 1

    d.ctl("people", "remove", str(a), check=0)
    assert blobscan(d, a) == (0, 0), "A readable after erasure (running)"
    keys, fields = blobscan(d, b)
    assert keys >= 1 and fields >= 3, ("B must stay readable", keys, fields)
    for name, data in d.db_bytes().items():
        assert b"amandine" not in data.lower(), name
        # the clear columns of A are gone too (NULLed, secure_delete)
        assert b"Quetzalcoatl" not in data, name

    d.stop()
    assert blobscan(d, a) == (0, 0), "A readable after erasure (stopped)"
    for name, data in d.db_bytes().items():
        assert b"Quetzalcoatl" not in data, name
    keys, fields = blobscan(d, b)
    assert keys >= 1 and fields >= 3, (keys, fields)

    d.start()
    assert [p["id"] for p in d.people()] == [b]
    assert d.ctl_json("people", "show", str(b))["email"] == \
        "bertrand.garde@trooz.be"


def start_refused(d, timeout=10.0):
    """Start stoppvifd -f expecting a refusal; (rc, output, seconds)."""
    t0 = time.monotonic()
    r = run([STOPPVIFD, "-f", "-c", d.conf], timeout=timeout)
    took = time.monotonic() - t0
    out = r.stdout + r.stderr
    assert sanitizer_report(out) is None, out
    return r.returncode, out, took


def test_key_file_open_to_others_refused(daemon_env):
    d = daemon_env
    d.state.mkdir(mode=0o750)
    d.key.write_bytes(os.urandom(32))
    os.chmod(d.key, 0o644)
    rc, out, took = start_refused(d)
    assert rc != 0, out
    assert took < 5, f"refusal took {took:.1f} s"
    assert str(d.key) in out, out
    assert "0644" in out or "mode" in out, out
    assert not d.socket.exists()
    # group-readable is refused too
    os.chmod(d.key, 0o640)
    rc, out, took = start_refused(d)
    assert rc != 0 and str(d.key) in out, out


def test_key_file_swapped_refused(daemon):
    d = daemon
    pid = d.add_person(name="Clé Originale", role="referent",
                       phone="0470 33 44 55")
    before = d.people()
    d.stop()
    good = d.key.read_bytes()
    d.key.write_bytes(os.urandom(32))
    os.chmod(d.key, 0o600)
    rc, out, took = start_refused(d)
    assert rc != 0, out
    assert took < 5, f"refusal took {took:.1f} s"
    assert str(d.key) in out and "stoppvif.db" in out, out
    assert "key" in out.lower(), out
    assert not d.socket.exists()
    # the right key back: everything is there
    d.key.write_bytes(good)
    d.start()
    assert d.people() == before
    assert d.ctl_json("people", "show", str(pid))["phone"] == "+32470334455"


def test_key_file_missing_with_existing_database_refused(daemon):
    d = daemon
    d.add_person(name="Sans Clé", role="referent")
    d.stop()
    good = d.key.read_bytes()
    d.key.unlink()
    rc, out, took = start_refused(d)
    assert rc != 0, out
    assert str(d.key) in out and "stoppvif.db" in out, out
    d.key.write_bytes(good)
    os.chmod(d.key, 0o600)
    d.start()
    assert [p["name"] for p in d.people()] == ["Sans Clé"]


def test_key_file_wrong_size_refused(daemon_env):
    d = daemon_env
    d.state.mkdir(mode=0o750)
    d.key.write_bytes(os.urandom(31))
    os.chmod(d.key, 0o600)
    rc, out, took = start_refused(d)
    assert rc != 0 and str(d.key) in out, out


def test_key_file_created_0600_on_new_state_dir(daemon_env):
    d = daemon_env
    assert not d.state.exists() and not d.key.exists()
    d.start()
    st = os.stat(d.key)
    assert stat.S_ISREG(st.st_mode)
    assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
    assert st.st_size == 32
    assert st.st_uid == os.geteuid()
    sd = os.stat(d.state)
    assert stat.S_IMODE(sd.st_mode) & 0o027 == 0, oct(sd.st_mode)
    assert "key_created" in d.log()
    # the database is private too
    assert stat.S_IMODE(os.stat(d.db).st_mode) & 0o077 == 0
    # the next start reuses the key
    key = d.key.read_bytes()
    d.restart()
    assert d.key.read_bytes() == key
    rc, out, err = d.ctl("status", json=True, check=0)
    assert json.loads(out)["people"] == 0
