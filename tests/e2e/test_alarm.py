"""
The dead-man's switch end to end (shelter/alarm.c), with the real servers
of shelter_net: Postfix's smtp-sink stopped and started again on its port,
Kannel's fake phone counting what reaches the coordinator and the person
on call.  Exactly one alarm while a condition holds, exactly one "rétabli"
when it ends, none again within [alarm] repeat, and the alarm kept across
a restart.
"""
import datetime as dt
import re
import time

import pytest

from conftest import LOG_FORM
from shelter_net import BXL, FORBIDDEN, local, net  # noqa: F401

# Retry fast, never give up during a test; alarms at 3 failures.
FAST = ("backoff_min = 1s\nbackoff_max = 1s\nmax_attempts = 1000\n"
        "max_age = 1d\n")


def alarm_conf(**keys):
    base = {"failures": 3, "urgent_age": "1d", "repeat": "1h"}
    base.update(keys)
    return FAST + "\n[alarm]\n" + "".join(f"{k} = {v}\n"
                                          for k, v in base.items()) + "\n"


def alarms(net, phone, word="alerte technique"):
    return [t for t in net.sms_to(phone) if word in t.lower()]


def restored(net, phone):
    return alarms(net, phone, "rétabli")


def attempts(net):
    """The attempts so far of each pending reminder email."""
    return [r["attempts"] for r in net.d.ctl_json("outbox", "list")
            if r["kind"] == "reminder" and r["status"] == "pending"]


def wait_attempts(net, n, what):
    net.wait(lambda: attempts(net) and min(attempts(net)) >= n, what)


def staff(net):
    """A coordinator, a person on call and two referents (email only)."""
    coord = net.person("Claire Coord", "coordinator", 1)
    oncall = net.person("Olivier Garde", "oncall", 2)
    net.on_call(oncall[0])
    net.person("Rita Ref", "referent", 3, phone=False)
    net.person("Robert Ref", "referent", 4, phone=False)
    return coord, oncall


def remind_referents(net, title="Plateforme"):
    """A reminder email to the referents, due at once."""
    at = local(dt.datetime.now(BXL) + dt.timedelta(seconds=8))
    net.d.ctl_json("events", "add", "--title", title, "--dtstart", at,
                   "--remind", "6s", "--audience", "role:referent",
                   "--channels", "email")


def said(net, what):
    """How many log lines hold what."""
    return sum(what in line for line in net.d.log().splitlines())


def open_alarms(net):
    return [(a["kind"], a["subject"], a["notified"])
            for a in net.d.ctl_json("status")["alarms"]]


@pytest.mark.net(delivery=alarm_conf())
def test_smtp_down_one_alarm_sms_each_then_one_restored(net):
    coord, oncall = staff(net)
    net.sink.stop()
    remind_referents(net)
    for who in (coord, oncall):
        net.wait(lambda p=who[1]: alarms(net, p), f"an alarm SMS to {who}")
    # keep failing well past the bound: still one alarm each
    wait_attempts(net, 8, "8 more attempts")
    for who in (coord, oncall):
        texts = alarms(net, who[1])
        assert len(texts) == 1, texts
        assert "e-mails ne partent plus depuis" in texts[0], texts
        # the failures counted when it was judged: 3, or 4 in one batch
        assert re.search(r"\([34] échecs\)", texts[0]), texts
        assert "administrateur" in texts[0]
    # a channel alarm goes on the other channel only
    rows = [r for r in net.d.ctl_json("outbox", "list")
            if r["kind"].startswith("alarm")]
    assert rows and {r["channel"] for r in rows} == {"sms"}, rows
    assert re.search(r"alarm raised kind=channel subject=email "
                     r"failures=[34]\b", net.d.log())
    assert open_alarms(net) == [("channel", "email", True)]
    _, out, _ = net.d.ctl("status", check=0)
    assert re.search(r"^alarme : canal e-mail en échec depuis .*\([34] "
                     r"échecs\)$", out, re.M), out
    net.sink.start()
    net.sink.wait_messages(2, timeout=30)
    for who in (coord, oncall):
        net.wait(lambda p=who[1]: restored(net, p), f"rétabli to {who}")
    time.sleep(3)       # a second one would have come by now
    for who in (coord, oncall):
        assert len(alarms(net, who[1])) == 1
        texts = restored(net, who[1])
        assert len(texts) == 1, texts
        assert "Les e-mails repartent depuis" in texts[0], texts
    assert open_alarms(net) == []
    assert said(net, "alarm raised kind=channel subject=email") == 1
    assert said(net, "alarm cleared kind=channel subject=email told=yes") \
        == 1
    lines = [x for x in net.d.log().splitlines() if "stoppvifd: alarm " in x]
    assert lines and all(LOG_FORM.match(x) for x in lines), lines


@pytest.mark.net(delivery=alarm_conf())
def test_the_alarm_is_kept_across_a_restart(net):
    coord, oncall = staff(net)
    net.sink.stop()
    remind_referents(net)
    net.wait(lambda: alarms(net, coord[1]) and alarms(net, oncall[1]),
             "the alarms")
    before = max(attempts(net))
    net.d.restart()
    # as many failures again as the bound, after the restart
    wait_attempts(net, before + 5, "5 attempts after the restart")
    assert len(alarms(net, coord[1])) == 1
    assert len(alarms(net, oncall[1])) == 1
    assert open_alarms(net) == [("channel", "email", True)]
    assert said(net, "alarm raised") == 1
    net.sink.start()
    net.wait(lambda: restored(net, coord[1]) and restored(net, oncall[1]),
             "rétabli after the restart")
    assert len(restored(net, coord[1])) == 1


@pytest.mark.net(delivery=alarm_conf(failures=2))
def test_a_flapping_channel_sends_no_second_alarm_within_repeat(net):
    coord, oncall = staff(net)
    net.sink.stop()
    remind_referents(net, "Plateforme")
    net.wait(lambda: alarms(net, coord[1]), "the first alarm")
    net.sink.start()
    net.wait(lambda: restored(net, coord[1]), "the first rétabli")
    net.sink.stop()
    remind_referents(net, "Formation")
    net.wait(lambda: "alarm held kind=channel subject=email" in net.d.log(),
             "the second alarm, held")
    wait_attempts(net, 5, "more failures")
    net.sink.start()
    net.wait(lambda: "told=no" in net.d.log(), "the held alarm cleared")
    time.sleep(3)
    for who in (coord, oncall):
        assert len(alarms(net, who[1])) == 1, net.sms_to(who[1])
        assert len(restored(net, who[1])) == 1, net.sms_to(who[1])
    assert said(net, "alarm raised kind=channel subject=email") == 1
    assert said(net, "alarm held kind=channel subject=email") == 1
    assert said(net, "told=yes") == 1 and said(net, "told=no") == 1
    assert open_alarms(net) == []


@pytest.mark.net(delivery=alarm_conf(failures=2, repeat="6s"))
def test_a_second_outage_still_on_after_repeat_is_told_once(net):
    """Held within repeat, told once repeat has passed since the last
    alarm if the channel is still broken; then one rétabli."""
    coord, oncall = staff(net)
    net.sink.stop()
    remind_referents(net, "Plateforme")
    net.wait(lambda: alarms(net, coord[1]), "the first alarm")
    net.sink.start()
    net.wait(lambda: restored(net, coord[1]), "the first rétabli")
    net.sink.stop()
    remind_referents(net, "Formation")
    net.wait(lambda: "alarm held" in net.d.log(), "the held alarm")
    assert len(alarms(net, coord[1])) == 1
    net.wait(lambda: len(alarms(net, coord[1])) == 2,
             "the held alarm told after repeat")
    wait_attempts(net, 12, "more failures")
    assert len(alarms(net, coord[1])) == 2
    net.sink.start()
    net.wait(lambda: len(restored(net, coord[1])) == 2, "the second rétabli")
    assert said(net, "told=yes") == 2


@pytest.mark.net(shelter="escalate_after = 5s\nrepeat = 5s\nrepeat_max = 0\n",
                 delivery=alarm_conf())
def test_an_exhausted_escalation_raises_an_alarm_until_claimed(net):
    coord, oncall = staff(net)
    code = net.vacate()
    net.wait(lambda: alarms(net, coord[1]), "the exhausted alarm", 40)
    text = alarms(net, coord[1])[0]
    assert f"Personne ne répond à l'alerte {code}" in text, text
    # also by email: no channel is broken
    net.wait(lambda: [m for m in net.mail_to("claire@example.test")
                      if "Alerte technique" in str(m["Subject"])],
             "the alarm email")
    net.d.ctl("alerts", "ack", code, check=0)
    net.wait(lambda: restored(net, coord[1]), "rétabli once claimed")
    assert f"L'alerte {code} n'attend plus de réponse" in \
        restored(net, coord[1])[0]
    assert len(alarms(net, coord[1])) == 1
    assert len(alarms(net, oncall[1])) == 1


@pytest.mark.net(shelter="escalate_after = 1h\n",
                 delivery=alarm_conf(failures=1000, urgent_age="4s"))
def test_an_urgent_message_waiting_too_long_raises_an_alarm(net):
    coord, oncall = staff(net)
    net.sink.stop()
    net.vacate()        # the alert email to the person on call waits
    net.wait(lambda: alarms(net, coord[1]), "the urgent_age alarm")
    assert "Un message urgent attend depuis" in alarms(net, coord[1])[0]
    assert "kind=urgent_age subject=urgent" in net.d.log()
    net.sink.start()
    net.wait(lambda: restored(net, coord[1]), "rétabli")
    assert "Les messages urgents repartent" in restored(net, coord[1])[0]
    assert len(alarms(net, coord[1])) == 1


@pytest.mark.net(delivery="dlr_timeout = 3s\n" + alarm_conf())
def test_urgent_sms_without_reports_raise_an_alarm_by_email(net):
    """The phone side goes off: Kannel accepts the alert SMS and queues
    them, no report comes; two in a row raise the alarm, which reaches the
    coordinator's mailbox; once the phones are back and a report of one
    delivered comes, one rétabli."""
    # Kannel's answer for an SMS it queues counts as accepted
    net.d.stop()
    net.channels = net.channels.replace(
        "success = Accepted for delivery",
        "success = Accepted for delivery|Queued for later delivery")
    net.start()
    coord, oncall = staff(net)
    second = net.person("Sam Garde", "oncall", 5)
    net.on_call(second[0])
    net.kannel.phone_off()
    net.vacate()

    def mails(word):
        return [m for m in net.mail_to("claire@example.test")
                if word in str(m["Subject"])]
    net.wait(lambda: mails("Alerte technique"), "the alarm email", 40)
    body = mails("Alerte technique")[0].get_body().get_content()
    assert "Les SMS urgents restent sans accusé de réception" in body, body
    assert "kind=no_report subject=sms" in net.d.log()
    net.kannel.phone_on()
    net.wait(lambda: mails("Rétabli"), "the rétabli email", 60)
    assert len(mails("Alerte technique")) == 1
    assert len(mails("Rétabli")) == 1


@pytest.mark.net(delivery=alarm_conf())
def test_the_alarm_sms_carries_no_name_nor_title(net):
    """What reaches a phone is neutral, whatever the failing messages
    were about: no name, no title, none of the guarded words."""
    coord, oncall = staff(net)
    net.sink.stop()
    remind_referents(net, "Groupe de parole Claire Olivier")
    net.wait(lambda: alarms(net, coord[1]), "the alarm")
    for text in net.sms_to(coord[1]) + net.sms_to(oncall[1]):
        low = text.lower()
        assert not any(w in low for w in FORBIDDEN), text
        for word in ("claire", "olivier", "rita", "robert", "groupe"):
            assert word not in low, text
    net.sink.start()


@pytest.mark.parametrize("line, says", [
    ("failures = 0", "failures"),
    ("failures = many", "failures"),
    ("urgent_age = soon", "urgent_age"),
    ("repeat = 0", "repeat"),
    ("no_reports = -1", "no_reports"),
    ("failure = 3", "failure"),
])
def test_bad_alarm_keys_are_refused_with_file_and_line(daemon_env, line,
                                                       says):
    text = daemon_env.config_text(extra="[alarm]\nrepeat = 1h\n" + line +
                                  "\n")
    conf = daemon_env.write_config(text)
    lineno = text.splitlines().index(line) + 1
    from conftest import STOPPVIFD, run
    r = run([STOPPVIFD, "-t", "-c", conf])
    assert r.returncode == 1, r
    assert f"{conf}:{lineno}: {says}" in r.stderr, r.stderr
