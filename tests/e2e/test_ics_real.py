"""
Calendars as real programs export them (Google, Outlook, Thunderbird,
Apple, Nextcloud), imported into a private daemon: the agenda must hold the
expected occurrences (instants with their UTC offsets), what is reminded
and what is not, the per-event report, and a round trip export -> import
-> export that does not move.  The files are tests/e2e/ics/, one a case.
"""
import json
from pathlib import Path

import pytest

ICS = Path(__file__).parent / "ics"


def import_file(d, name):
    """Import tests/e2e/ics/NAME; the daemon's answer."""
    return d.ctl_json("events", "import", str(ICS / name))


def agenda(d, start, days):
    """The occurrences from START (YYYY-MM-DD) for DAYS days."""
    return d.ctl_json("agenda", "--from", start, "--days", str(days))


def starts(items):
    return [i["start"] for i in items]


def outcome(out, uid):
    """The report item of the event with this UID."""
    for it in out["events"]:
        if it["uid"] == uid:
            return it
    pytest.fail(f"no report item for {uid}: {out['events']}")


def round_trip(d, tmp_path):
    """Export, import that export, export again: the same bytes."""
    first, second = tmp_path / "first.ics", tmp_path / "second.ics"
    d.ctl("events", "export", str(first), check=0)
    out = d.ctl_json("events", "import", str(first))
    assert out["skipped"] == 0 and out["added"] == 0, out
    d.ctl("events", "export", str(second), check=0)
    assert second.read_bytes() == first.read_bytes()


def referent(d):
    return d.add_person(name="Anne Dubois", role="referent",
                        email="anne@aywaille.example")


def test_escaped_text_stays_multi_line(daemon, tmp_path):
    out = import_file(daemon, "escaped_text.ics")
    assert out["added"] == 1 and out["skipped"] == 0, out
    e = daemon.ctl_json("events", "list")[0]
    assert e["title"] == "Plateforme, réunion; trimestrielle"
    assert e["location"] == "Maison communale\nSalle du conseil, 1er étage"
    assert e["description"] == ("Ordre du jour :\n1. Situations\n"
                                "2. Divers \\ suite; fin")
    assert starts(agenda(daemon, "2027-03-01", 31)) == [
        "2027-03-10T14:00:00+01:00"]
    round_trip(daemon, tmp_path)


def test_control_characters_are_still_refused(daemon):
    rc, _, err = daemon.ctl("events", "add", "--title", "Plateforme",
                            "--dtstart", "2027-03-10T14:00:00",
                            "--location", "Salle\x01 B")
    assert rc == 1 and "location" in err


def test_fold_inside_a_character_is_restored(daemon, tmp_path):
    out = import_file(daemon, "folded_utf8.ics")
    assert out["added"] == 1, out
    e = daemon.ctl_json("events", "list")[0]
    assert e["title"] == "Formation référents"
    assert e["description"] == ("Module 2 … salle B\n"
                                "Apporter le dossier d’écoute")
    assert starts(agenda(daemon, "2027-04-01", 30)) == [
        "2027-04-20T09:30:00+02:00"]
    round_trip(daemon, tmp_path)


def test_past_series_is_imported_never_reminded(daemon, tmp_path):
    referent(daemon)
    out = import_file(daemon, "past_series.ics")
    assert out["added"] == 2 and out["skipped"] == 0, out
    assert starts(agenda(daemon, "2020-03-01", 31)) == [
        "2020-03-03T10:00:00+01:00", "2020-03-10T10:00:00+01:00",
        "2020-03-17T10:00:00+01:00", "2020-03-24T10:00:00+01:00",
        "2020-03-31T10:00:00+02:00"]
    assert starts(agenda(daemon, "2019-06-01", 1)) == [
        "2019-06-01T14:00:00+02:00"]
    assert daemon.ctl_json("status")["scheduler"]["next_reminder"] is None
    assert daemon.ctl_json("outbox", "list") == []
    round_trip(daemon, tmp_path)


def test_events_add_still_wants_a_future(daemon):
    rc, _, err = daemon.ctl("events", "add", "--title", "Permanence",
                            "--dtstart", "2020-03-03T10:00:00", "--rrule",
                            "FREQ=WEEKLY;COUNT=3")
    assert rc == 1 and "10 prochaines années" in err
    assert "events import" in err


def test_google_utc_times_and_exdate_list(daemon, tmp_path):
    out = import_file(daemon, "google_utc_exdate.ics")
    assert out["added"] == 2 and out["skipped"] == 0, out
    assert starts(agenda(daemon, "2027-01-01", 40)) == [
        "2027-01-05T09:00:00+01:00", "2027-01-15T14:00:00+01:00",
        "2027-01-26T09:00:00+01:00"]
    round_trip(daemon, tmp_path)


@pytest.mark.parametrize("name", [
    "outlook_utc_display_tzid.ics", "outlook_windows_tzid.ics",
    "outlook_french_display_tzid.ics"])
def test_outlook_zone_names(daemon, tmp_path, name):
    out = import_file(daemon, name)
    assert out["added"] == 1 and out["skipped"] == 0, out
    e = daemon.ctl_json("events", "list")[0]
    # W. Europe Standard Time is Europe/Berlin (CLDR): the same rules
    assert e["tz"] in ("Europe/Brussels", "Europe/Berlin")
    assert starts(agenda(daemon, "2027-01-01", 200))[:7] == [
        "2027-01-12T14:00:00+01:00", "2027-02-09T14:00:00+01:00",
        "2027-03-09T14:00:00+01:00", "2027-04-13T14:00:00+02:00",
        "2027-05-11T14:00:00+02:00", "2027-06-08T14:00:00+02:00",
        "2027-07-13T14:00:00+02:00"]
    round_trip(daemon, tmp_path)


def test_apple_calendar(daemon, tmp_path):
    out = import_file(daemon, "apple_x_wr_timezone.ics")
    assert out["added"] == 1 and out["skipped"] == 0, out
    assert starts(agenda(daemon, "2027-06-01", 14)) == [
        "2027-06-01T10:00:00+02:00", "2027-06-08T10:00:00+02:00"]
    round_trip(daemon, tmp_path)


def test_apple_floating_times_in_x_wr_timezone(daemon_env, tmp_path):
    # the daemon's zone is not the calendar's: X-WR-TIMEZONE decides
    daemon_env.write_config(daemon_extra="timezone = America/New_York")
    daemon_env.start()
    out = import_file(daemon_env, "apple_floating_x_wr_timezone.ics")
    assert out["added"] == 2 and out["skipped"] == 0, out
    assert {e["tz"] for e in daemon_env.ctl_json("events", "list")} == {
        "Europe/Brussels"}
    assert starts(agenda(daemon_env, "2027-01-01", 200)) == [
        "2027-01-12T14:00:00+01:00", "2027-06-15T09:30:00+02:00"]
    round_trip(daemon_env, tmp_path)


def test_display_tzid_with_unknown_rules_uses_its_own_rules(daemon,
                                                          tmp_path):
    # +01:20 with the EU's dates: no IANA zone has it, the VTIMEZONE's
    # rules are applied as they are, and the report says so
    out = import_file(daemon, "outlook_odd_display_tzid.ics")
    assert out["added"] == 2 and out["skipped"] == 0, out
    it = outcome(out, "odd@outlook.example")
    assert it["outcome"] == "adapted", it
    note = json.dumps(it, ensure_ascii=False)
    assert "ses propres règles sont appliquées" in note, note
    assert ("UTC+01:20, et UTC+02:20 du dernier dimanche de mars à 02h00 "
            "au dernier dimanche d'octobre à 03h00") in note, note
    assert outcome(out, "fine@outlook.example")["outcome"] == "imported"
    assert starts(agenda(daemon, "2027-01-12", 2)) == [
        "2027-01-12T14:00:00+01:20", "2027-01-13T14:00:00+01:00"]
    round_trip(daemon, tmp_path)


def test_own_rules_north_and_south(daemon, tmp_path):
    out = import_file(daemon, "outlook_custom_rules.ics")
    assert out["added"] == 2 and out["skipped"] == 0, out
    for uid in ("custom-north@outlook.example",
                "custom-south@outlook.example"):
        assert outcome(out, uid)["outcome"] == "adapted", out
    # daylight time from the first Sunday of April (4 April 2027)
    assert [i["start"] for i in agenda(daemon, "2027-03-20", 30)
            if i["title"] == "Intervision hebdomadaire"] == [
        "2027-03-23T14:00:00+01:30", "2027-03-30T14:00:00+01:30",
        "2027-04-06T14:00:00+02:30", "2027-04-13T14:00:00+02:30"]
    # south: summer across the new year, winter from 4 April
    got = [i["start"] for i in agenda(daemon, "2027-01-01", 181)
           if i["title"] == "Visioconférence partenaires"]
    assert got == [
        "2027-01-10T09:00:00-02:30", "2027-02-10T09:00:00-02:30",
        "2027-03-10T09:00:00-02:30", "2027-04-10T09:00:00-03:30",
        "2027-05-10T09:00:00-03:30", "2027-06-10T09:00:00-03:30"]
    zones = {e["uid"]: e["tz"] for e in daemon.ctl_json("events", "list")}
    assert zones["custom-north@outlook.example"] == (
        "<+0130>-1:30<+0230>-2:30,M4.1.0,M10.5.0/3"), zones
    assert zones["custom-south@outlook.example"] == (
        "<-0330>3:30<-0230>2:30,M10.1.0,M4.1.0/3"), zones
    round_trip(daemon, tmp_path)
    # the export says the rules back as a VTIMEZONE another program reads
    text = (tmp_path / "first.ics").read_text()
    assert 'DTSTART;TZID="<+0130>-1:30<+0230>-2:30,M4.1.0,M10.5.0/3"' \
        in text, text
    assert "TZID:<+0130>-1:30<+0230>-2:30\\,M4.1.0\\,M10.5.0/3" in text


def test_weekday_in_a_window_of_days(daemon, tmp_path):
    # Lotus Notes writes "last Sunday" as BYDAY=SU;BYMONTHDAY=25,...,31
    out = import_file(daemon, "lotus_bymonthday_rules.ics")
    assert out["added"] == 2 and out["skipped"] == 1, out
    zones = {e["uid"]: e["tz"] for e in daemon.ctl_json("events", "list")}
    assert zones == {"lotus-west@notes.example": "Europe/Brussels",
                     "lotus-second@notes.example": "America/New_York"}
    assert starts(agenda(daemon, "2027-03-15", 16)) == [
        "2027-03-15T10:00:00-04:00", "2027-03-30T14:00:00+02:00"]
    it = outcome(out, "lotus-bad@notes.example")
    assert it["outcome"] == "skipped"
    assert "illisible" in json.dumps(it, ensure_ascii=False), it
    round_trip(daemon, tmp_path)


def test_offset_of_a_zone_outside_the_windows_table(daemon, tmp_path):
    # +05:45 is no Windows name the daemon knows: the system's zone list
    # finds the IANA zone with that offset
    out = import_file(daemon, "outlook_nepal_display_tzid.ics")
    assert out["added"] == 1 and out["skipped"] == 0, out
    assert outcome(out, "nepal@outlook.example")["outcome"] == "imported"
    assert daemon.ctl_json("events", "list")[0]["tz"] == "Asia/Kathmandu"
    assert starts(agenda(daemon, "2027-02-10", 1)) == [
        "2027-02-10T10:00:00+05:45"]
    round_trip(daemon, tmp_path)


def test_hostile_vtimezones_refuse_their_events_only(daemon):
    out = import_file(daemon, "hostile_vtimezones.ics")
    assert out["added"] == 1 and out["skipped"] == 4, out
    assert outcome(out, "fine@hostile.example")["outcome"] == "imported"
    why = {"absurd_offset": "illisible", "no_offset_to": "illisible",
           "thousand_standard": "illisible",
           "defined_twice": "plusieurs VTIMEZONE"}
    for case, words in why.items():
        it = outcome(out, case + "@hostile.example")
        assert it["outcome"] == "skipped", it
        assert words in json.dumps(it, ensure_ascii=False), it


def test_recurrence_id_moves_and_cancels(daemon, tmp_path):
    referent(daemon)
    out = import_file(daemon, "recurrence_id.ics")
    assert out["skipped"] == 0, out
    items = agenda(daemon, "2027-02-01", 28)
    assert starts(items) == [
        "2027-02-02T10:00:00+01:00", "2027-02-10T14:00:00+01:00",
        "2027-02-23T10:00:00+01:00"]
    # the moved occurrence takes its reminder along; the cancelled has none
    assert [i["reminders"] for i in items] == [
        ["2027-02-01T10:00:00+01:00"], ["2027-02-09T14:00:00+01:00"],
        ["2027-02-22T10:00:00+01:00"]]
    notes = " ".join(n for it in out["events"] for n in it["notes"])
    assert "annulée" in notes and "déplacée" in notes
    round_trip(daemon, tmp_path)


def test_two_moved_occurrences_on_one_day(daemon, tmp_path):
    # a series twice a day: each moved occurrence is an event of its own,
    # named by date and time, so the second does not replace the first
    out = import_file(daemon, "recurrence_id_twice_a_day.ics")
    assert out["skipped"] == 0 and out["added"] == 3, out
    uids = sorted(e["uid"] for e in daemon.ctl_json("events", "list"))
    assert uids == ["permanence@nextcloud.example",
                    "permanence@nextcloud.example-20270302T090000",
                    "permanence@nextcloud.example-20270302T150000"], uids
    assert starts(agenda(daemon, "2027-03-01", 3)) == [
        "2027-03-01T09:00:00+01:00", "2027-03-01T15:00:00+01:00",
        "2027-03-02T10:00:00+01:00", "2027-03-02T16:00:00+01:00",
        "2027-03-03T09:00:00+01:00", "2027-03-03T15:00:00+01:00"]
    round_trip(daemon, tmp_path)


def test_cancelled_event_is_not_reminded(daemon, tmp_path):
    referent(daemon)
    out = import_file(daemon, "cancelled_event.ics")
    assert out["added"] == 1 and out["skipped"] == 1, out
    it = outcome(out, "cancelled@example.org")
    assert it["outcome"] == "skipped" and "annulé" in it["notes"][0]
    assert starts(agenda(daemon, "2027-03-01", 30)) == [
        "2027-03-06T10:00:00+01:00"]


def test_hourly_rule_with_reminders_is_skipped(daemon):
    referent(daemon)
    out = import_file(daemon, "hourly_rule.ics")
    assert out["added"] == 1 and out["skipped"] == 1, out
    it = outcome(out, "hourly@example.org")
    assert it["outcome"] == "skipped" and "FREQ=HOURLY" in it["notes"][-1]
    rc, _, err = daemon.ctl("events", "add", "--title", "Garde",
                            "--dtstart", "2027-03-05T10:00:00", "--rrule",
                            "FREQ=HOURLY;COUNT=3", "--remind", "10m",
                            "--audience", "role:referent")
    assert rc == 1 and "toutes les heures" in err


def test_report_lists_each_event(daemon):
    out = import_file(daemon, "mixed_bad_events.ics")
    assert out["added"] == 1, out
    got = {(it["uid"], it["outcome"]) for it in out["events"]}
    assert got == {("no-start@example.org", "skipped"),
                   ("bad-start@example.org", "skipped"),
                   ("no-title@example.org", "skipped"),
                   ("todo@example.org", "skipped"),
                   ("good@example.org", "imported")}
    lines = {it["uid"]: it["line"] for it in out["events"]}
    assert lines["no-start@example.org"] == 4
    assert "DTSTART manquant" in outcome(out, "no-start@example.org")[
        "notes"][0]
    assert all("ignoré" in n for n in out["ignored"][:3]), out["ignored"]


def test_not_icalendar_is_refused_whole(daemon):
    rc, _, err = daemon.ctl("events", "import", str(ICS / "not_ical.ics"))
    assert rc == 1 and "BEGIN:VCALENDAR" in err
    assert daemon.ctl_json("events", "list") == []


def test_ten_thousand_events_with_default_limits(daemon, tmp_path):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bulk//FR"]
    for i in range(10000):
        day = 1 + i % 28
        lines += ["BEGIN:VEVENT", f"UID:bulk-{i}@example.org",
                  "DTSTAMP:20261201T100000Z",
                  f"DTSTART;TZID=Europe/Brussels:2028{1 + i % 12:02d}"
                  f"{day:02d}T{8 + i % 10:02d}0000",
                  "DURATION:PT1H", f"SUMMARY:Réunion n° {i}",
                  "LOCATION:Maison communale\\, salle du conseil",
                  "DESCRIPTION:Ordre du jour à préciser.", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    big = tmp_path / "big.ics"
    big.write_text("\r\n".join(lines) + "\r\n")
    assert big.stat().st_size > 1 << 20
    out = daemon.ctl("events", "import", str(big), json=True, timeout=300)
    assert out[0] == 0, out
    res = json.loads(out[1])
    assert res["added"] == 10000 and res["skipped"] == 0


@pytest.mark.parametrize("zone", [
    "<+01>-1<+02>,J60,J300",             # days an RRULE cannot say back
    "<+19>-19",                          # past 18 hours
    "<+01>-1<+02>",                      # daylight time without its dates
    "UTC+1",                             # what a person might type
    "<" + "+0130" * 60 + ">-1",          # long
    "<ABCDEFGHIJKLMNOPQRSTUVWXYZ>-1",    # a name no VTIMEZONE would take
    "<+01>-1<+0\u00e9>,M3.5.0,M10.5.0",   # not ASCII
])
def test_events_add_refuses_a_zone_it_could_not_export(daemon, zone):
    rc, _, err = daemon.ctl("events", "add", "--title", "Plateforme",
                            "--dtstart", "2027-03-10T14:00:00", "--tz", zone)
    assert rc == 1 and "tz" in err and "fuseau" in err, err
    assert daemon.ctl_json("events", "list") == []


def test_events_add_takes_a_zone_by_rules(daemon, tmp_path):
    eid = daemon.ctl_json("events", "add", "--title", "Plateforme",
                          "--dtstart", "2027-04-06T14:00:00", "--tz",
                          "<+0130>-1:30<+0230>,M4.1.0,M10.5.0/3")["id"]
    assert daemon.ctl_json("events", "show", str(eid))["tz"].startswith(
        "<+0130>")
    assert starts(agenda(daemon, "2027-04-06", 1)) == [
        "2027-04-06T14:00:00+02:30"]
    round_trip(daemon, tmp_path)
