"""
Claims by SMS, tried the way an attacker and a hurried on-call person would:
every code of the space through the SMS endpoint, with and without the
gateway's secret, from one number and from fifty; replies typed as people
type them; and the listeners' limits (connections, a trickling client, the
public listener that serves only link pages).

The brute force runs with code_digits = 4 so that the whole space (9,000
codes) is tried in seconds, as in the attack that was found; the default is
6 digits.
"""
import http.client
import os
import random
import re
import socket
import time
import urllib.parse

import pytest

from conftest import STOPPVIFD, run
from shelter_net import SECRET, net  # noqa: F401 (the fixture)
from srv_smtp import free_port

ALL_CODES = [str(c) for c in range(1000, 10000)]
UNCLEAR = "non comprise"
LOCKED = "trop de codes"


class Gateway:
    """Requests to the SMS listener as a gateway (or an attacker) sends
    them, on one keep-alive connection."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def reply(self, sender, text, secret=SECRET):
        q = {"from": sender, "text": text}
        if secret is not None:
            q["secret"] = secret
        path = "/sms/inbound?" + urllib.parse.urlencode(q)
        for attempt in range(3):
            try:
                self.conn.request("GET", path)
                r = self.conn.getresponse()
                r.read()
                return r.status
            except (http.client.HTTPException, OSError):
                # the server closed a kept-alive connection: open another
                self.conn.close()
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=10)
        pytest.fail("the SMS listener does not answer")

    def close(self):
        self.conn.close()


def staff(net, n, first=1):
    people = [net.person(f"Garde{i} Test", "oncall", i)
              for i in range(first, first + n)]
    for pid, _ in people:
        net.on_call(pid)
    return people


def messages_to(net, phone, words):
    return [t for t in net.sms_to(phone) if words in t]


def order_after_five_wrong(codes, right):
    """codes with right moved behind at least five wrong ones."""
    rest = [c for c in codes if c != right]
    return rest[:5] + [right] + rest[5:]


@pytest.mark.net(shelter="code_digits = 4\nescalate_after = 1h\n")
def test_brute_force_of_every_code_reserves_nothing(net):
    """All 9,000 codes, four ways: without the secret and with a wrong one
    (every request refused, nothing read); with the secret from one alerted
    number, its own code placed after five wrong ones (locked out, even the
    right code refused); with the secret from 50 numbers, 3 alerted among
    them.  The shelter stays vacant, the coordinator is told once, and an
    alerted person the attacker did not touch still claims it."""
    people = staff(net, 5)
    coord, cphone = net.person("Nina Coord", "coordinator", 60)
    net.vacate()
    codes = {phone: net.code_of(phone) for _, phone in people}
    net.d.secrets.update(codes.values())
    assert all(re.fullmatch(r"[1-9]\d{3}", c) for c in codes.values())
    sent_before = len(net.kannel.messages())
    gw = Gateway(net.sms_port)
    target = people[0][1]

    # 1. no secret, then a wrong one: 403, nothing read
    for secret in (None, "not-the-secret-at-all-00000000"):
        statuses = {gw.reply(target, f"OK {c}", secret) for c in ALL_CODES}
        assert statuses == {403}, statuses
        numbers = [f"+3247099{i:04d}" for i in range(47)] + \
            [p for _, p in people[1:4]]
        statuses = {gw.reply(numbers[i % 50], f"OK {c}", secret)
                    for i, c in enumerate(ALL_CODES)}
        assert statuses == {403}, statuses
    assert net.state()["state"] == "vacant"
    time.sleep(1)
    assert len(net.kannel.messages()) == sent_before
    assert "reason=bad_secret" in net.d.log()

    # 2. the secret, every code from one alerted number
    for c in order_after_five_wrong(ALL_CODES, codes[target]):
        assert gw.reply(target, f"OK {c}") == 200
    assert net.state()["state"] == "vacant"

    # 3. the secret, every code spread over 50 numbers: 47 never alerted,
    # 3 alerted, each of whose own code comes after five wrong ones
    attacked = [p for _, p in people[1:4]]
    numbers = [f"+3247099{i:04d}" for i in range(47)] + attacked
    plan = {n: [] for n in numbers}
    for i, c in enumerate(ALL_CODES):
        plan[numbers[i % 50]].append(c)
    for phone in attacked:
        mine = [c for c in plan[phone] if c != codes[phone]]
        plan[phone] = order_after_five_wrong(mine + [codes[phone]],
                                             codes[phone])
    for i in range(max(len(v) for v in plan.values())):
        for n in numbers:
            if i < len(plan[n]):
                assert gw.reply(n, f"OK {plan[n][i]}") == 200
    gw.close()
    assert net.state()["state"] == "vacant"

    # the coordinator is told once (SMS and email), each attacked phone
    # got one "not understood", the others nothing
    net.wait(lambda: messages_to(net, cphone, LOCKED), "the lock notice")
    time.sleep(2)
    assert len(messages_to(net, cphone, LOCKED)) == 1
    assert len([m for m in net.mail_to("nina@example.test")
                if LOCKED in m.get_body().get_content()]) == 1
    for phone in [target] + attacked:
        assert len(messages_to(net, phone, UNCLEAR)) == 1, phone
    assert not [m for m in net.kannel.messages() if m.to.startswith(
        "+3247099")]
    locked = net.d.ctl_json("alerts", "list")[0]["locked"]
    assert sorted(p["id"] for p in locked) == \
        sorted(pid for pid, _ in people[:4])

    # someone the attack did not touch still claims it, by the real path
    pid, phone = people[4]
    net.kannel.inject_mo(phone, f"ok {codes[phone]}")
    net.wait(lambda: net.state()["state"] == "reserved", "a real claim")
    assert net.state()["reserved_by"]["id"] == pid


@pytest.mark.net(daemon_extra="sender_name = Coordination sociale\n")
def test_replies_as_people_type_them(net):
    """"Ok NNNNNN merci" claims; "peut-être" gets exactly one "non comprise"
    back, however often it is sent; an unknown number is never answered."""
    (anne, aphone), (bert, bphone) = staff(net, 2)
    net.vacate()
    acode, bcode = net.code_of(aphone), net.code_of(bphone)
    assert net.sms_to(aphone)[0].startswith("Coordination sociale")
    off = net.d.log_size()
    for _ in range(2):
        net.kannel.inject_mo(bphone, "peut-être")
    net.kannel.inject_mo("+32470999777", "peut-être")
    net.wait(lambda: messages_to(net, bphone, UNCLEAR), "non comprise")
    net.d.wait_log("reason=unknown_sender", off)
    time.sleep(1.5)
    unclear = messages_to(net, bphone, UNCLEAR)
    assert len(unclear) == 1, net.sms_to(bphone)
    assert bcode in unclear[0]          # how to answer: OK and their code
    assert not [m for m in net.kannel.messages() if m.to == "+32470999777"]
    assert net.state()["state"] == "vacant"
    net.kannel.inject_mo(aphone, f"Ok {acode} merci")
    net.wait(lambda: net.state()["state"] == "reserved", "the claim")
    assert net.state()["reserved_by"]["id"] == anne
    net.d.secrets.update([acode, bcode])


@pytest.mark.parametrize("reply", ["ok {}", "OK{}.", "Ok {} merci", "{}",
                                   "oui {}", "ja {}", "Oké, {}!",
                                   "yes {} thanks"])
def test_each_way_of_saying_yes_claims(net, reply):
    (anne, aphone), = staff(net, 1)
    net.vacate()
    code = net.code_of(aphone)
    gw = Gateway(net.sms_port)
    assert gw.reply(aphone, reply.format(code)) == 200
    gw.close()
    net.wait(lambda: net.state()["state"] == "reserved", repr(reply))
    net.d.secrets.add(code)


@pytest.mark.parametrize("reply", ["non {}", "ok", "peut-être",
                                   "{} ou 1234", "ok {}9", "OK {}".replace(
                                       "{}", "12")])
def test_what_is_not_a_claim_claims_nothing(net, reply):
    (anne, aphone), = staff(net, 1)
    net.vacate()
    code = net.code_of(aphone)
    gw = Gateway(net.sms_port)
    assert gw.reply(aphone, reply.format(code)) == 200
    gw.close()
    net.wait(lambda: messages_to(net, aphone, UNCLEAR), "non comprise")
    assert net.state()["state"] == "vacant"
    net.d.secrets.add(code)


def test_sms_listener_limits(net):
    """Over the cap of connections from one address: 503 and closed; a
    client that trickles its request is cut at the deadline; a head too
    large is refused; the listener answers again afterwards."""
    socks = []
    try:
        for _ in range(16):
            s = socket.create_connection(("127.0.0.1", net.sms_port), 5)
            socks.append(s)
        time.sleep(0.3)
        extra = socket.create_connection(("127.0.0.1", net.sms_port), 5)
        extra.settimeout(5)
        assert extra.recv(200).startswith(b"HTTP/1.1 503")
        extra.close()
        # a trickler: one byte a second never finishes within the deadline
        t0 = time.monotonic()
        s = socks[0]
        s.settimeout(1)
        got = b""
        for ch in b"GET /sms/inbound?secret=" * 2:
            try:
                s.send(bytes([ch]))
            except OSError:
                break
            try:
                got += s.recv(200)
                if got:
                    break
            except socket.timeout:
                pass
            if time.monotonic() - t0 > 15:
                break
        assert got.startswith(b"HTTP/1.1 408"), got
        assert time.monotonic() - t0 < 13
    finally:
        for s in socks:
            s.close()
    time.sleep(0.3)
    big = socket.create_connection(("127.0.0.1", net.sms_port), 5)
    big.sendall(b"GET /sms/inbound HTTP/1.1\r\nX-Pad: " + b"a" * 9000 +
                b"\r\n\r\n")
    big.settimeout(5)
    assert big.recv(200).startswith(b"HTTP/1.1 431")
    big.close()
    gw = Gateway(net.sms_port)
    assert gw.reply("+32470999001", "OK 123456") == 200
    gw.close()


def test_secret_file_must_be_private(daemon_env, tmp_path):
    """A secret readable by others is refused with the fix; a missing one
    is created 0600."""
    d = daemon_env
    secret = tmp_path / "sms.secret"
    secret.write_text(SECRET + "\n")
    os.chmod(secret, 0o644)
    port = free_port()
    d.write_config(extra=f"[inbound]\nsms_listen = 127.0.0.1:{port}\n"
                   f"sms_secret_file = {secret}\n")
    r = run([STOPPVIFD, "-f", "-c", d.conf], timeout=10)
    assert r.returncode != 0
    assert "chmod 600" in r.stderr, r.stderr
    secret.unlink()
    d.start()
    assert secret.stat().st_mode & 0o777 == 0o600
    assert len(secret.read_text().strip()) >= 40
    assert secret.read_text().strip() not in d.log()
