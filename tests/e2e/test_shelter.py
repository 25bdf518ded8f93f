"""
Shelter alerts end to end: the real daemon with real Kannel (bearerbox,
smsbox, fakesmsc: what the phones receive, and MO replies injected as a
phone sends them) and Postfix's smtp-sink (what the mailboxes receive).
Vacate, the on-call rota, escalation (also across a restart), claims by SMS,
by signed link and by the CLI, "déjà réservé" and "déjà pris", holds that
run out, illegal moves, and the yearly report.
"""
import datetime as dt
import re
import sqlite3
import time
import urllib.error
import urllib.request

import pytest

from shelter_net import (BXL, CODE, FORBIDDEN, SECRET, local,  # noqa: F401
                         net)


def test_alert_claim_by_sms_and_the_others_told(net):
    """Vacate: the on-call people's phones and mailboxes get the alert, each
    with a code of their own; an MO "OK code" from one of them claims it;
    every other alerted person gets "déjà réservé"; a second claim gets
    "déjà pris"; an MO from an unknown number, even with a real code,
    changes nothing and sends nothing."""
    staff = [net.person(f"{n} Garde", "oncall", i + 1)
             for i, n in enumerate(["Anne", "Bert", "Chloe"])]
    ref = net.person("Rita Référente", "referent", 9)
    for pid, _ in staff:
        net.on_call(pid)
    ref_code = net.vacate()
    assert re.fullmatch(r"[1-9]\d{5}", ref_code)
    codes = [net.code_of(phone) for _, phone in staff]
    assert all(re.fullmatch(r"[1-9]\d{5}", c) for c in codes), codes
    assert len(set(codes + [ref_code])) == 4, codes   # one each
    net.wait(lambda: len(net.sink.messages()) == 3, "three alert emails")
    for (pid, phone), code in zip(staff, codes):
        addr = f"{['anne', 'bert', 'chloe'][staff.index((pid, phone))]}" \
            "@example.test"
        m = net.mail_to(addr)[0]
        assert code in m["Subject"], (addr, m["Subject"], code)
        body = m.get_body().get_content()
        assert "https://stoppvif.example.be/a/" in body
        for word in FORBIDDEN:
            assert word not in (m["Subject"] + body).lower()
    text = net.sms_to(staff[0][1])[0]
    for word in FORBIDDEN:
        assert word not in text.lower()
    assert net.sms_to(ref[1]) == []         # not escalated

    # an unknown number, with a real code: nothing changes, nothing is sent
    before = (len(net.kannel.messages()), len(net.sink.messages()),
              net.state()["state"])
    off = net.d.log_size()
    net.kannel.inject_mo("+32470999888", f"OK {codes[0]}")
    net.d.wait_log("inbound sms_ignored reason=unknown_sender", off)
    # Bert's code from Anne's phone claims nothing either
    net.kannel.inject_mo(staff[0][1], f"OK {codes[1]}")
    net.d.wait_log("inbound sms_unclear", off)
    time.sleep(0.5)
    assert net.state()["state"] == "vacant"

    # the first claim wins: Bert, with his own code, as people type it
    net.kannel.inject_mo(staff[1][1], f"Ok {codes[1]} merci")
    net.wait(lambda: net.state()["state"] == "reserved", "reserved")
    st = net.state()
    assert st["reserved_by"]["id"] == staff[1][0]
    net.wait(lambda: len(net.sms_to(staff[1][1])) == 2, "confirmation")
    assert codes[1] in net.sms_to(staff[1][1])[1]
    for pid, phone in (staff[0], staff[2]):
        net.wait(lambda: any("réservé" in t for t in net.sms_to(phone)),
                 "déjà réservé SMS")
        taken = [t for t in net.sms_to(phone) if "réservé" in t][0]
        assert "Bert" not in taken, taken
    # emails: the other two told too, the claimer confirmed on SMS only
    net.wait(lambda: len(net.sink.messages()) == 5, "déjà réservé emails")
    assert len(net.mail_to("bert@example.test")) == 1

    # a second claim: "déjà pris", and nothing else moves
    n = len(net.sms_to(staff[2][1]))
    net.kannel.inject_mo(staff[2][1], f"OK {codes[2]}")
    net.wait(lambda: len(net.sms_to(staff[2][1])) == n + 1, "déjà pris")
    assert "pris" in net.sms_to(staff[2][1])[-1]
    assert net.state()["reserved_by"]["id"] == staff[1][0]
    alerts = net.d.ctl_json("alerts", "list")
    assert alerts[0]["status"] == "claimed" and alerts[0]["via"] == "sms"
    net.d.secrets.update(codes + [ref_code])


@pytest.mark.net(shelter="escalate_after = 5s\nrepeat = 0\n")
def test_escalation_after_escalate_after_and_not_after_a_claim(net):
    oncall, ophone = net.person("Anne Garde", "oncall", 1)
    ref, rphone = net.person("Rita Référente", "referent", 2)
    net.on_call(oncall)
    t0 = time.monotonic()
    code = net.vacate()
    net.wait(lambda: net.sms_to(rphone), "escalation to the referent",
             timeout=20)
    # never early: due times are rounded up to the next whole second
    assert time.monotonic() - t0 >= 5.0
    assert net.codes(rphone), net.sms_to(rphone)
    assert net.d.ctl_json("alerts", "list")[0]["level"] == 2
    # claimed: no further step, the referent hears only "déjà réservé"
    net.d.ctl("alerts", "ack", code, "--by", str(oncall))
    net.d.ctl("shelter", "occupy", "aisova")
    code = net.vacate()
    net.wait(lambda: len(net.codes(ophone)) == 2, "second alert")
    net.d.ctl("alerts", "ack", code, "--by", str(oncall))
    n = len(net.sms_to(rphone))
    time.sleep(7)
    assert len(net.codes(rphone)) == 1
    assert len(net.sms_to(rphone)) == n
    assert "alert_escalated alert=2" not in net.d.log()


@pytest.mark.net(shelter="escalate_after = 8s\nrepeat = 0\n")
def test_restart_between_vacate_and_escalation_still_escalates(net):
    oncall, _ = net.person("Anne Garde", "oncall", 1)
    ref, rphone = net.person("Rita Référente", "referent", 2)
    net.on_call(oncall)
    t0 = time.monotonic()
    net.vacate()
    time.sleep(1)
    net.d.stop()
    time.sleep(1)
    net.start()
    net.wait(lambda: net.sms_to(rphone), "escalation after the restart",
             timeout=30)
    took = time.monotonic() - t0
    assert 8.0 <= took <= 13, took    # never early, at most a second late


def alert_link(net, addr):
    body = net.mail_to(addr)[0].get_body().get_content()
    return re.search(r"https://stoppvif\.example\.be(/a/[A-Za-z0-9_-]+)",
                     body)[1]


def inbound(net, path, method="GET"):
    req = urllib.request.Request(f"http://127.0.0.1:{net.port}{path}",
                                 method=method, data=b"" if method == "POST"
                                 else None)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.mark.net(shelter="link_valid = 10s\n")
def test_link_claims_by_post_only(net):
    anne, aphone = net.person("Anne Garde", "oncall", 1)
    bert, _ = net.person("Bert Garde", "oncall", 2)
    for pid in (anne, bert):
        net.on_call(pid)
    t0 = time.monotonic()
    net.vacate()
    code = net.code_of(aphone)          # Anne's own code, on her page
    net.wait(lambda: len(net.sink.messages()) == 2, "alert emails")
    path = alert_link(net, "anne@example.test")
    net.d.secrets.update([path[3:], code])
    # a GET (a mail scanner following links) claims nothing
    status, page = inbound(net, path)
    assert status == 200 and code in page and 'method="post"' in page
    assert net.state()["state"] == "vacant"
    # one character changed: refused
    bad = path[:-1] + ("A" if path[-1] != "A" else "B")
    for method in ("GET", "POST"):
        status, page = inbound(net, bad, method)
        assert status == 403, page
    assert net.state()["state"] == "vacant"
    # the POST claims
    status, page = inbound(net, path, "POST")
    assert status == 200 and code in page, page
    st = net.state()
    assert st["state"] == "reserved" and st["reserved_by"]["id"] == anne
    net.wait(lambda: len(net.mail_to("anne@example.test")) == 2,
             "confirmation email")
    # Bert's link now says it is taken
    status, page = inbound(net, alert_link(net, "bert@example.test"),
                           "POST")
    assert status == 200 and "pris" in page
    # expired links are refused
    # the link was signed at the vacate, valid 10 s counted in whole
    # seconds: past 11 s after it, surely expired
    time.sleep(max(0.0, t0 + 11.5 - time.monotonic()))
    status, page = inbound(net, path)
    assert status == 403, page
    # the public listener serves the link pages and nothing else
    status, _ = inbound(net, f"/sms/inbound?secret={SECRET}&from="
                        f"{aphone}&text=OK+{code}")
    assert status == 404


@pytest.mark.net(shelter="claim_hold = 10s\n")
def test_a_hold_not_confirmed_reopens_and_alerts_again(net):
    anne, aphone = net.person("Anne Garde", "oncall", 1)
    net.on_call(anne)
    code = net.vacate()
    net.d.ctl("alerts", "ack", code, "--by", str(anne))
    assert net.state()["state"] == "reserved"
    net.wait(lambda: net.state()["state"] == "vacant", "hold ran out",
             timeout=20)
    code2 = net.state()["alert"]["code"]
    assert code2 != code
    net.wait(lambda: len(net.codes(aphone)) == 2, "the new alert")
    assert net.codes(aphone)[0] != net.codes(aphone)[1]
    moves = [(m["from"], m["to"], m["cause"])
             for m in net.state()["history"]]
    assert ("reserved", "vacant", "hold_expired") in moves
    # confirmed occupied in time, it stays so
    net.d.ctl("alerts", "ack", code2, "--by", str(anne))
    net.d.ctl("shelter", "occupy", "aisova")
    time.sleep(11)
    assert net.state()["state"] == "occupied"


def test_nobody_on_call_goes_to_the_referents_and_tells_the_coordinator(net):
    ref, rphone = net.person("Rita Référente", "referent", 2)
    coord, cphone = net.person("Nathalie Coord", "coordinator", 3)
    code = net.vacate()
    net.code_of(rphone)                 # straight to the referent
    net.wait(lambda: net.sms_to(cphone), "the coordinator told")
    assert code in net.sms_to(cphone)[0]
    assert net.d.ctl_json("alerts", "list")[0]["level"] == 2


@pytest.mark.net(shelter="escalate_after = 5s\nrepeat = 5s\nrepeat_max = 1\n")
def test_chain_exhausted_tells_the_coordinator_nobody_answered(net):
    anne, aphone = net.person("Anne Garde", "oncall", 1)
    ref, rphone = net.person("Rita Référente", "referent", 2)
    coord, cphone = net.person("Nathalie Coord", "coordinator", 3)
    net.on_call(anne)
    code = net.vacate()
    # level 2 at 5 s, one repeat at 10 s, nobody answered at 15 s
    net.wait(lambda: net.sms_to(cphone), "nobody answered", timeout=30)
    assert code in net.sms_to(cphone)[0]
    # each keeps their own code through the repeat
    assert len(net.codes(aphone)) == 2 and len(set(net.codes(aphone))) == 1
    assert len(net.codes(rphone)) == 2 and len(set(net.codes(rphone))) == 1
    a = net.d.ctl_json("alerts", "list")[0]
    assert a["exhausted"] and a["status"] == "open"
    # still open: a claim still works
    net.d.ctl("alerts", "ack", code, "--by", str(ref))
    assert net.state()["state"] == "reserved"


def test_illegal_moves_are_refused_with_the_state_and_what_is_allowed(net):
    rc, out, err = net.d.ctl("shelter", "occupy", "aisova", check=1)
    assert "occupé" in err and "possible : vacate, unavailable" in err, err
    net.vacate()
    rc, out, err = net.d.ctl("shelter", "vacate", "aisova", check=1)
    assert "libre" in err and "alerts ack" in err, err
    rc, out, err = net.d.ctl("shelter", "vacate", "nowhere", check=1)
    assert "aisova" in err, err
    rc, out, err = net.d.ctl("alerts", "ack", "12", check=1)
    assert "code" in err, err
    net.d.ctl("shelter", "unavailable", "aisova")
    actions = [a["action"] for a in net.d.ctl_json("audit")]
    assert "shelter.vacate" in actions and "shelter.unavailable" in actions
    moves = [(m["from"], m["to"], m["cause"], m["actor"])
             for m in net.state()["history"]]
    assert ("vacant", "unavailable", "unavailable", "uid:0") in moves


def quiet_now():
    now = dt.datetime.now(BXL)
    return (f"quiet_hours = {(now - dt.timedelta(hours=1)):%H:%M}-"
            f"{(now + dt.timedelta(hours=1)):%H:%M}\n")


@pytest.mark.net(delivery=quiet_now)
def test_urgent_alerts_ignore_quiet_hours(net):
    """The daemon's quiet hours cover now: the alert SMS goes out all the
    same (a reminder SMS would wait: test_delivery.py)."""
    anne, aphone = net.person("Anne Garde", "oncall", 1)
    net.on_call(anne)
    net.vacate()
    net.code_of(aphone)                 # the alert SMS in quiet hours


def test_report_of_a_seeded_year(net):
    """228 days occupied in 2025 read as 62.5 %."""
    d = net.d
    d.stop()
    utc = dt.timezone.utc
    t = lambda *a: int(dt.datetime(*a, tzinfo=utc).timestamp())  # noqa
    rows = [  # (at, from, to, cause)
        (t(2024, 12, 1), None, "occupied", "configured"),
        (t(2025, 8, 17), "occupied", "vacant", "vacate"),        # 228 days
        (t(2025, 8, 17, 1), "vacant", "reserved", "claim"),
        (t(2025, 8, 18), "reserved", "unavailable", "unavailable"),
        (t(2025, 9, 1), "unavailable", "vacant", "vacate"),
        (t(2025, 9, 1, 0, 20), "vacant", "reserved", "claim"),
        (t(2025, 9, 2), "reserved", "vacant", "vacate"),
        (t(2026, 1, 1), "vacant", "occupied", "occupy"),
    ]
    db = sqlite3.connect(d.db)
    db.execute("DELETE FROM shelter_history")
    db.executemany("INSERT INTO shelter_history (shelter, at, from_state,"
                   " to_state, cause, actor) VALUES ('aisova', ?, ?, ?, ?,"
                   " 'uid:0')", rows)
    db.executemany("INSERT INTO alerts (shelter, code, status, opened,"
                   " level, claimed_at, exhausted) VALUES ('aisova', ?, ?,"
                   " ?, ?, ?, ?)", [
                       ("1111", "claimed", t(2025, 8, 17), 1,
                        t(2025, 8, 17, 1), 0),
                       ("2222", "claimed", t(2025, 9, 1), 2,
                        t(2025, 9, 1, 0, 20), 0),
                       ("3333", "closed", t(2025, 9, 2), 2, None, 1)])
    db.commit()
    db.close()
    net.start()
    r = d.ctl_json("shelter", "report", "aisova", "--year", "2025")
    assert r["days"]["occupied"] == 228.0, r
    assert r["days_observed"] == 365.0, r
    assert r["occupancy"] == 62.5, r
    assert (r["alerts"], r["claimed"], r["escalated"], r["unanswered"]) \
        == (3, 2, 2, 1), r
    assert (r["claim_median_s"], r["claim_worst_s"]) == (2400, 3600), r
    rc, out, err = d.ctl("shelter", "report", "aisova", "--year", "2025")
    assert "62,5 %" in out, out
    # the months, as the console's chart shows them
    months = " ".join(out.split("par mois", 1)[1].split("\n", 3)[:3])
    months = " ".join(months.split())
    assert months.startswith(": janv. 100,0 %, févr. 100,0 %, mars 100,0 %"), \
        out
    assert "sept. 0,0 %" in months and "déc. 0,0 %" in months, out
