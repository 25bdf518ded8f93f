"""
What `stoppvifctl events import FILE.ics` prints for people: a first line
with the counts in French (singular and plural right), then one block per
event adapted or not imported, "ligne N, UID u (« titre ») : adapté" and
its notes, every line within 100 columns; a file with nothing to import
says so.  From the attacker's side: a calendar file is foreign text, so
titles, UIDs and notes of 5,000 characters, combining accents, invisible
characters, C1 controls and escaped line breaks must reach the terminal
cut at a character boundary, as valid UTF-8, with no control character
and no direction override.  --json stays the daemon's answer.
"""
import json
import re
import subprocess
from pathlib import Path

from conftest import STOPPVIFCTL, sanitizer_report

COLUMNS = 100
# The API's outcome words must not reach the default view.
ENGLISH = re.compile(r"\b(skipped|adapted|imported|outcome|ignored)\b",
                     re.IGNORECASE)
HEAD = re.compile(r"^  ligne (\d+), (?:(\w+), )?UID (\S+?)"
                  r"(?: \(« .* »\))? : (adapté|non importé)$")
LONG_TITLE = ("Formation des référents à l'accueil des personnes, module "
              "deux : l'écoute, l'orientation et le suivi des situations "
              "complexes")


def vevent(uid, *props, summary=None, start="20270305T100000"):
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261201T100000Z",
             f"DTSTART;TZID=Europe/Brussels:{start}", "DURATION:PT1H"]
    if summary is not None:
        lines.append(f"SUMMARY:{summary}")
    return lines + list(props) + ["END:VEVENT"]


def calendar(*components):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Rapport//FR"]
    for c in components:
        lines += c
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_bytes(text.encode())
    return p


def begin_line(text, uid):
    """The line number (from 1) of the BEGIN of the component of uid."""
    lines = text.split("\r\n")
    at = next(i for i, l in enumerate(lines) if l == f"UID:{uid}")
    while not lines[at].startswith("BEGIN:"):
        at -= 1
    return at + 1


def ctl_bytes(d, *args):
    """stoppvifctl ARGS as bytes, to check the output byte by byte:
    (rc, stdout bytes, stderr bytes)."""
    r = subprocess.run([str(STOPPVIFCTL), "-c", str(d.conf)] + list(args),
                       capture_output=True, timeout=20)
    assert sanitizer_report(r.stderr.decode(errors="replace")) is None, \
        r.stderr.decode(errors="replace")
    return r.returncode, r.stdout, r.stderr


def check_view(out):
    """The default view: French, no line over 100 columns (characters)."""
    for line in out.splitlines():
        assert len(line) <= COLUMNS, f"{len(line)} columns: {line!r}"
    assert ENGLISH.search(out) is None, out


def check_terminal_safe(raw):
    """raw (bytes) is valid UTF-8 without any control character but the
    line feed, nor a character that reverses the line."""
    text = raw.decode("utf-8")      # raises on a split character
    for ch in text:
        o = ord(ch)
        assert ch == "\n" or not (o < 0x20 or 0x7f <= o < 0xa0), \
            f"control character U+{o:04X} in {text!r}"
        assert not (0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069 or
                    o in (0x200e, 0x200f, 0x061c)), \
            f"direction character U+{o:04X} in the output"
    return text


# A file as a colleague brings it: a good event, two the import adapts
# (reminders without an audience, participants), three it does not import
# (an unreadable start, a cancelled event, a task).
MIXED = calendar(
    vevent("good@test.example", summary="Plateforme du réseau"),
    vevent("alarm@test.example", "BEGIN:VALARM", "ACTION:DISPLAY",
           "DESCRIPTION:x", "TRIGGER:-P1D", "END:VALARM",
           summary="Réunion avec rappel"),
    vevent("attendees@test.example",
           "ATTENDEE;CN=Anne:mailto:anne@test.example",
           summary=LONG_TITLE),
    ["BEGIN:VEVENT", "UID:bad-start@test.example",
     "DTSTAMP:20261201T100000Z", "DTSTART:2027-03-05 10:00",
     "SUMMARY:Début illisible", "END:VEVENT"],
    vevent("cancelled@test.example", "STATUS:CANCELLED",
           summary="Réunion annulée"),
    ["BEGIN:VTODO", "UID:todo@test.example", "SUMMARY:Tâche",
     "END:VTODO"],
)
LISTED = {"alarm@test.example": "adapté",
          "attendees@test.example": "adapté",
          "bad-start@test.example": "non importé",
          "cancelled@test.example": "non importé",
          "todo@test.example": "non importé"}


def blocks(out):
    """{uid: (line, component, outcome word, [notes])} of the report; the
    UIDs as shown (whole when short)."""
    found, cur = {}, None
    for line in out.splitlines()[1:]:
        m = HEAD.match(line)
        if m:
            cur = m[3]
            found[cur] = (int(m[1]), m[2], m[4], [])
        elif line.startswith("    - "):
            found[cur][3].append(line[6:])
        elif line.startswith("      "):
            found[cur][3][-1] += " " + line.strip()
        else:
            raise AssertionError(f"unexpected line {line!r} in:\n{out}")
    return found


def test_mixed_file_report(daemon, tmp_path):
    path = write(tmp_path, "mixed.ics", MIXED)
    rc, out, err = daemon.ctl("events", "import", str(path), check=0)
    check_view(out)
    lines = out.splitlines()
    assert lines[0] == "3 événements ajoutés, dont 2 adaptés ; " \
        "3 non importés", out
    found = blocks(out)
    assert set(found) == set(LISTED), out
    for uid, word in LISTED.items():
        line, comp, outcome, notes = found[uid]
        assert line == begin_line(MIXED, uid), (uid, out)
        assert outcome == word, (uid, out)
        assert notes, f"{uid} has no reason: {out}"
    assert found["todo@test.example"][1] == "VTODO"
    assert "rappels ignorés" in " ".join(found["alarm@test.example"][3])
    assert "DTSTART" in " ".join(found["bad-start@test.example"][3])
    # the long title is cut, with "…", on a line that fits
    head = next(l for l in lines if "attendees@test.example" in l)
    assert "…" in head and LONG_TITLE[:20] in head, head
    # the good event is not listed; no note is printed as a loose remark
    assert "good@test.example" not in out
    assert "Remarques" not in out

    # the same file again: updated; then with one more event: both kinds
    rc, out, err = daemon.ctl("events", "import", str(path), check=0)
    assert out.splitlines()[0] == "3 événements mis à jour, dont 2 " \
        "adaptés ; 3 non importés", out
    more = MIXED.replace("END:VCALENDAR", "\r\n".join(
        vevent("new@test.example", summary="Nouvelle")) + "\r\nEND:VCALENDAR")
    path = write(tmp_path, "more.ics", more)
    rc, out, err = daemon.ctl("events", "import", str(path), check=0)
    check_view(out)
    assert out.splitlines()[0] == "4 événements importés : 1 ajouté, 3 mis " \
        "à jour, dont 2 adaptés ; 3 non importés", out


def test_singular_and_nothing(daemon, tmp_path):
    one = write(tmp_path, "one.ics", calendar(
        vevent("one@test.example", summary="Seule")))
    rc, out, err = daemon.ctl("events", "import", str(one), check=0)
    assert out == "1 événement ajouté\n"
    rc, out, err = daemon.ctl("events", "import", str(one), check=0)
    assert out == "1 événement mis à jour\n"

    empty = write(tmp_path, "empty.ics", calendar())
    rc, out, err = daemon.ctl("events", "import", str(empty), check=0)
    assert out == "rien à importer : le fichier ne contient aucun " \
        "événement\n"

    task = write(tmp_path, "task.ics", calendar(
        ["BEGIN:VTODO", "UID:t@test.example", "SUMMARY:Tâche",
         "END:VTODO"]))
    rc, out, err = daemon.ctl("events", "import", str(task), check=0)
    assert out.splitlines()[0] == "aucun événement importé ; 1 non importé"
    assert out.splitlines()[1] == \
        "  ligne 4, VTODO, UID t@test.example (« Tâche ») : non importé"
    check_view(out)


def test_real_files_read_well(daemon):
    """The files of test_ics_real: French, within 100 columns, every
    adapted or skipped item listed with its line."""
    ics = Path(__file__).parent / "ics"
    for name in ("mixed_bad_events.ics", "recurrence_id.ics",
                 "cancelled_event.ics", "hostile_vtimezones.ics",
                 "past_series.ics"):
        ans = daemon.ctl_json("events", "import", str(ics / name))
        rc, out, err = daemon.ctl("events", "import", str(ics / name),
                                  check=0)
        check_view(out)
        listed = [it for it in ans["events"] if it["outcome"] != "imported"]
        heads = [l for l in out.splitlines() if l.startswith("  ligne ")]
        assert [int(h.split()[1].rstrip(",")) for h in heads] == \
            [it["line"] for it in listed], (name, out)
        assert "non importé :" not in out, (name, out)


def test_wide_is_whole(daemon, tmp_path):
    path = write(tmp_path, "mixed.ics", MIXED)
    rc, out, err = daemon.ctl("--wide", "events", "import", str(path),
                              check=0)
    assert LONG_TITLE in out, out
    assert any(len(l) > COLUMNS for l in out.splitlines()), out
    assert ENGLISH.search(out) is None, out


def test_json_is_the_api_answer(daemon, tmp_path):
    # Only refused events: importing twice changes nothing, so the client's
    # --json and a raw request must give the same answer.
    text = calendar(
        ["BEGIN:VEVENT", "UID:bad@test.example", "DTSTAMP:20261201T100000Z",
         "DTSTART:garbage", "SUMMARY:Illisible", "END:VEVENT"],
        ["BEGIN:VTODO", "UID:todo@test.example", "SUMMARY:Tâche",
         "END:VTODO"])
    path = write(tmp_path, "bad.ics", text)
    ans = daemon.ctl_json("events", "import", str(path))
    status, _, body = daemon.http("POST", "/v1/events/import",
                                  json.dumps({"ics": text}).encode(),
                                  {"Content-Type": "application/json"})
    assert status == 200
    assert ans == json.loads(body)
    assert set(ans) == {"added", "updated", "skipped", "ignored", "events"}
    assert [it["outcome"] for it in ans["events"]] == ["skipped", "skipped"]
    assert ans["skipped"] == 2 and len(ans["ignored"]) == 2

    path = write(tmp_path, "mixed.ics", MIXED)
    ans = daemon.ctl_json("events", "import", str(path))
    assert sorted(it["outcome"] for it in ans["events"]) == [
        "adapted", "adapted", "imported", "skipped", "skipped", "skipped"]
    assert all(isinstance(it["notes"], list) for it in ans["events"])


# Foreign text: 5,000 characters of letters with combining accents and
# zero-width characters, C1 controls (U+009B is CSI on some terminals), an
# escaped line break and a right-to-left override in a title.
UNIT = "e\u0301\u200b"
HUGE_UID = ("x" + UNIT) * 1250 + "@evil.example"
HUGE_TITLE = ("Ré\u0300\u200dunion " * 500)[:5000]
CSI_TITLE = "A\u009b31mROUGE\u009b0m\\nB\u202eC\u2066D"


def hostile_file():
    return calendar(
        vevent(HUGE_UID, summary=HUGE_TITLE),
        vevent("csi@evil.example", summary=CSI_TITLE),
        ["BEGIN:VEVENT", "UID:csi2@evil.example\u009b2J",
         "DTSTAMP:20261201T100000Z", "DTSTART:garbage",
         "SUMMARY:Z\u009b2J\u200f", "END:VEVENT"],
        vevent("fine@evil.example", summary="Réunion normale"))


def test_hostile_text_is_cut_and_cleaned(daemon, tmp_path):
    path = write(tmp_path, "evil.ics", hostile_file())
    rc, raw, err = ctl_bytes(daemon, "events", "import", str(path))
    assert rc == 0, err.decode(errors="replace")
    out = check_terminal_safe(raw)
    check_view(out)
    lines = out.splitlines()
    assert lines[0].startswith("1 événement ajouté ; 3 non importés"), out
    heads = [l for l in lines if l.startswith("  ligne ")]
    assert len(heads) == 3, out
    # the huge UID and title: cut with "…", on one line of the view
    huge = heads[0]
    assert huge.startswith("  ligne 4, UID x") and huge.count("…") == 2, \
        huge
    # the controls are shown as U+FFFD, the line break as a blank
    assert "A\ufffd31mROUGE\ufffd0m B\ufffdC\ufffdD" in out, out
    assert "csi2@evil.example\ufffd2J" in out, out

    # --wide: whole, but just as clean
    rc, raw, err = ctl_bytes(daemon, "--wide", "events", "import",
                             str(path))
    assert rc == 0
    out = check_terminal_safe(raw)
    assert HUGE_TITLE.strip() in out and HUGE_UID in out, \
        "the huge title or UID is cut with --wide"


def test_raw_escape_is_refused_cleanly(daemon, tmp_path):
    """ESC itself cannot be in a calendar line: the file is refused, and
    the message does not carry the byte to the terminal."""
    text = calendar(vevent("esc@evil.example",
                           summary="A\x1b[2J\x1b]0;titre\x07B"))
    path = write(tmp_path, "esc.ics", text)
    rc, raw, err = ctl_bytes(daemon, "events", "import", str(path))
    assert rc == 1, raw
    check_terminal_safe(raw + err)
    assert daemon.ctl_json("events", "list") == []


def test_many_notes_all_listed(daemon, tmp_path):
    """Past its cap the daemon's flat list of notes ends with "… et N
    autres remarques"; the report lists every event itself, so that line
    is not printed as a remark of the file."""
    n = 600
    text = calendar(*[vevent(f"c{i}@test.example", "STATUS:CANCELLED",
                             summary=f"Annulée {i}") for i in range(n)])
    path = write(tmp_path, "many.ics", text)
    ans = daemon.ctl_json("events", "import", str(path))
    assert any("autres remarques" in s for s in ans["ignored"]), \
        "the daemon no longer caps its flat list: drop this test"
    rc, out, err = daemon.ctl("events", "import", str(path), check=0)
    check_view(out)
    lines = out.splitlines()
    assert lines[0] == f"aucun événement importé ; {n} non importés"
    assert sum(l.startswith("  ligne ") for l in lines) == n
    assert "autres remarques" not in out and "Remarques" not in out, \
        lines[-3:]
