"""
A private Kannel for the end-to-end tests: bearerbox, smsbox and the fake
SMSC's phone side (fakesmsc), on free 127.0.0.1 ports, in a folder of the
test's, stopped by PID.

    with Kannel(tmp_path, mo_url="http://127.0.0.1:8480/sms/inbound") as k:
        url = k.sendsms_url()            # a sms_http url template
        ... send ...
        sms = k.wait_messages(3)         # [Sms(sender, to, text), ...]
        k.inject_mo("+32470000001", "OK 4821")

or the `kannel` fixture (no MO URL).  start() returns once the fake SMSC
is online and smsbox is connected to bearerbox (about a second: an SMS sent
before waits for it).  phone_off() / phone_on() take the SMSC offline
(Kannel then answers "3: Queued for later delivery") and back.  MTs without
from= get the sendsms-user's default sender (SENDER).  Every wait is
bounded.

What the phone side prints (fakesmsc, one "Got message N: <...>" line per
SMS received from the fake SMSC) and how it is decoded here:

- "SENDER RECEIVER text TEXT": the text as is, in UTF-8 ("Réunion à 14h00"
  prints as such; characters outside the GSM alphabet were already turned
  into "?" by Kannel, as the phone would show them).  The fake SMSC protocol
  is line-based: a text with a newline arrives as two lines, the second
  without the SENDER RECEIVER TYPE prefix; it is joined back.
- "SENDER RECEIVER data DATA": 8-bit data, URL-encoded (+ is a space).
- "SENDER RECEIVER ucs-2 DATA": UTF-16BE, URL-encoded (coding=2).
- "SENDER RECEIVER udh UDH data DATA": one part of a concatenated SMS
  (Kannel splits a long text itself); UDH and DATA URL-encoded; the parts
  are put back together by the UDH's reference, count and sequence number.
  The line does not say the coding: DATA holding control bytes or not
  valid UTF-8 is taken as UTF-16BE (coding=2), else UTF-8.
"""
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections import namedtuple
from pathlib import Path

import pytest

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"

START_TIMEOUT = 15.0    # seconds for a box to open its port, the SMSC to be online
STOP_TIMEOUT = 10.0     # seconds for a process to exit after SIGTERM

USERNAME = "test"
PASSWORD = "test"
SENDER = "1234"         # the sendsms-user's default sender (from=)

Sms = namedtuple("Sms", "sender to text")

CONFIG = """\
group = core
admin-port = {admin_port}
admin-interface = 127.0.0.1
admin-password = {password}
status-password = {password}
admin-allow-ip = "127.0.0.1"
smsbox-port = {smsbox_port}
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "{dir}/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake1
port = {smsc_port}
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
sendsms-port = {sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{dir}/smsbox.log"
log-level = 1
http-request-retry = 3
http-queue-delay = 1

group = sendsms-user
username = {username}
password = {password}
user-allow-ip = "127.0.0.1"
default-sender = {sender}
max-messages = 10
concatenation = true
"""

MO_SERVICE = """
# every incoming SMS (MO) goes to this URL
group = sms-service
keyword = default
catch-all = true
get-url = "{mo_url}"
max-messages = 0
omit-empty = true
"""

GOT = re.compile(r"Got message \d+: <(.*)>$")
HEAD = re.compile(r"^(\S+) (\S+) (text|data|ucs-2|udh) ?(.*)$", re.S)
UDH = re.compile(r"^(\S+) (data|text|ucs-2) (.*)$", re.S)


def free_ports(n):
    """n distinct free TCP ports on 127.0.0.1 (bound then released)."""
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def wait_port(port, proc=None, timeout=START_TIMEOUT, what="server"):
    """Wait until 127.0.0.1:port accepts connections (bounded); fails the
    test when proc exits first or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"{what} exited {proc.returncode} before opening "
                        f"port {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"{what}: port {port} not open after {timeout} s")


def stop_pid(proc, timeout=STOP_TIMEOUT):
    """SIGTERM proc (a Popen), wait (bounded), then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def _utf16_or_utf8(data):
    """Decode the bytes of a udh/data part whose coding the line omits."""
    ctrl = any(b < 0x20 and b not in (9, 10, 13) for b in data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if (ctrl or text is None) and len(data) % 2 == 0:
        return data.decode("utf-16-be", errors="replace")
    return text if text is not None else data.decode("latin-1")


def _concat_ref(udh):
    """(reference, count, sequence) of a concatenation UDH, or None."""
    if not udh:
        return None
    i, end = 1, min(len(udh), 1 + udh[0])
    while i + 1 < end:
        iei, ln = udh[i], udh[i + 1]
        ie = udh[i + 2:i + 2 + ln]
        if iei == 0 and ln == 3:
            return ie[0], ie[1], ie[2]
        if iei == 8 and ln == 4:
            return (ie[0] << 8) | ie[1], ie[2], ie[3]
        i += 2 + ln
    return None


def parse_fakesmsc(text):
    """The SMS that fakesmsc printed, oldest first, as Sms(sender, to,
    text) with the text as the phone shows it (see the module's doc):
    continuation lines joined, concatenated parts reassembled, URL-encoded
    and UCS-2 payloads decoded.  A concatenated SMS missing parts is left
    out until they all arrived."""
    out = []            # Sms, or a [sender, to, ref, count, {seq: bytes}] slot
    parts = {}          # (sender, to, ref, count) -> slot
    last_text = None    # index in out of the last plain text SMS
    for line in text.splitlines():
        m = GOT.search(line)
        if m is None:
            continue
        body = m.group(1)
        h = HEAD.match(body)
        if h is None:
            if last_text is not None:       # rest of a text with a newline
                s = out[last_text]
                out[last_text] = s._replace(text=s.text + "\n" + body)
            continue
        sender = urllib.parse.unquote(h.group(1))
        to = urllib.parse.unquote(h.group(2))
        kind, rest = h.group(3), h.group(4)
        last_text = None
        if kind == "text":
            out.append(Sms(sender, to, rest))
            last_text = len(out) - 1
        elif kind == "data":
            out.append(Sms(sender, to, _utf16_or_utf8(
                urllib.parse.unquote_to_bytes(rest.replace("+", " ")))))
        elif kind == "ucs-2":
            out.append(Sms(sender, to, urllib.parse.unquote_to_bytes(
                rest.replace("+", " ")).decode("utf-16-be", "replace")))
        else:
            u = UDH.match(rest)
            if u is None:
                continue
            udh = urllib.parse.unquote_to_bytes(u.group(1))
            data = urllib.parse.unquote_to_bytes(u.group(3).replace("+", " "))
            ref = _concat_ref(udh)
            if ref is None:
                out.append(Sms(sender, to, _utf16_or_utf8(data)))
                continue
            key = (sender, to, ref[0], ref[1])
            slot = parts.get(key)
            if slot is None or ref[2] in slot[4]:
                slot = [sender, to, ref[0], ref[1], {}]
                parts[key] = slot
                out.append(slot)
            slot[4][ref[2]] = data
    result = []
    for item in out:
        if isinstance(item, Sms):
            result.append(item)
        elif len(item[4]) == item[3]:
            data = b"".join(item[4][k] for k in sorted(item[4]))
            result.append(Sms(item[0], item[1], _utf16_or_utf8(data)))
    return result


class Kannel:
    """bearerbox + smsbox + a receiving fakesmsc in folder (created).

    mo_url: the sms-service get-url that MOs are passed to, with Kannel's
    escapes (e.g. "...?from=%p&to=%P&text=%a"); None: no MO service.
    Attributes once started: admin_port, smsbox_port, sendsms_port,
    smsc_port, username, password, sender, out (fakesmsc's output file).
    """

    def __init__(self, folder, mo_url=None, sender=SENDER):
        self.dir = Path(folder)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.mo_url = mo_url
        self.username, self.password, self.sender = USERNAME, PASSWORD, sender
        (self.admin_port, self.smsbox_port, self.sendsms_port,
         self.smsc_port) = free_ports(4)
        self.conf = self.dir / "kannel.conf"
        self.out = self.dir / "fakesmsc.out"
        self.bearerbox = self.smsbox = self.fakesmsc = None
        self._logs = []

    # -- life cycle ---------------------------------------------------------

    def start(self):
        """Write the configuration, start the three processes in order and
        wait until the fake SMSC is online and smsbox connected to
        bearerbox (see online()).  Returns self."""
        for prog in (BEARERBOX, SMSBOX, FAKESMSC):
            if not os.access(prog, os.X_OK):
                pytest.skip(f"{prog} missing (packages kannel, kannel-extras)")
        text = CONFIG.format(dir=self.dir, admin_port=self.admin_port,
                             smsbox_port=self.smsbox_port,
                             smsc_port=self.smsc_port,
                             sendsms_port=self.sendsms_port,
                             username=self.username, password=self.password,
                             sender=self.sender)
        if self.mo_url is not None:
            text += MO_SERVICE.format(mo_url=self.mo_url)
        self.conf.write_text(text)
        try:
            self.bearerbox = self._spawn("bearerbox", [BEARERBOX, "-v", "1",
                                                       self.conf])
            wait_port(self.smsbox_port, self.bearerbox, what="bearerbox")
            self.smsbox = self._spawn("smsbox", [SMSBOX, "-v", "1",
                                                 self.conf])
            wait_port(self.sendsms_port, self.smsbox, what="smsbox")
            self.fakesmsc = self._phone(["-m", "0", "0 0 text unused"])
            self.wait_online()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        """Stop fakesmsc, smsbox and bearerbox by PID (bounded)."""
        for name in ("fakesmsc", "smsbox", "bearerbox"):
            stop_pid(getattr(self, name))
            setattr(self, name, None)
        for f in self._logs:
            f.close()
        self._logs = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _spawn(self, name, argv, out=None):
        log = open(out or self.dir / f"{name}.out", "ab")
        self._logs.append(log)
        return subprocess.Popen([str(a) for a in argv], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT,
                                cwd=self.dir)

    def _phone(self, args):
        """A fakesmsc connected to the fake SMSC, printing into self.out."""
        return self._spawn("fakesmsc", [FAKESMSC, "-H", "127.0.0.1", "-r",
                                        str(self.smsc_port)] + args,
                           out=self.out)

    # -- status ---------------------------------------------------------------

    def status(self):
        """bearerbox's status.txt (text)."""
        url = (f"http://127.0.0.1:{self.admin_port}/status.txt"
               f"?password={self.password}")
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode(errors="replace")

    def online(self):
        """True when status.txt shows the fake SMSC online and smsbox
        connected (smsbox opens sendsms about a second before it connects
        to bearerbox: an SMS sent in between waits for it)."""
        try:
            s = self.status()
        except OSError:
            return False
        return (re.search(r"fake1\[fake1\].*\(online", s) is not None and
                re.search(r"^\s*smsbox:.*\(on-line", s, re.M) is not None)

    def wait_online(self, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.fakesmsc is not None and self.fakesmsc.poll() is not None:
                pytest.fail(f"fakesmsc exited {self.fakesmsc.returncode}")
            if self.online():
                return
            time.sleep(0.05)
        pytest.fail(f"fake SMSC or smsbox not online after {timeout} s:\n"
                    f"{self.status()}")

    # -- sending (MT) ---------------------------------------------------------

    def sendsms_url(self, **extra):
        """A sms_http url template for this smsbox's sendsms (GET):
        credentials, to={to}, text={text}, plus extra query arguments as
        given (values written as they are: placeholders allowed)."""
        url = (f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"
               f"?username={self.username}&password={self.password}"
               f"&to={{to}}&text={{text}}")
        for k, v in extra.items():
            url += f"&{k}={v}"
        return url

    def post_url(self):
        """sendsms for a POST: the credentials go in X-Kannel headers."""
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def post_headers(self):
        """The sms_http `headers` value for Kannel's POST interface (the
        body is the text, body_type = text)."""
        return (f"X-Kannel-Username: {self.username}|"
                f"X-Kannel-Password: {self.password}|X-Kannel-To: {{to}}")

    # -- what the phone received ---------------------------------------------

    def messages(self):
        """Every SMS the phone side received so far (see parse_fakesmsc)."""
        try:
            return parse_fakesmsc(self.out.read_text(errors="replace"))
        except FileNotFoundError:
            return []

    def wait_messages(self, n, timeout=20.0):
        """Wait (bounded) until at least n SMS arrived; returns them all.
        Fails the test with what did arrive when the time is up."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.messages()
            if len(got) >= n or time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        assert len(got) >= n, (f"{len(got)} SMS of {n} after {timeout} s; "
                               f"last: {got[-3:]}")
        return got

    def phone_off(self):
        """Stop the receiving fakesmsc: the SMSC goes offline and Kannel
        queues what it accepts ("3: Queued for later delivery")."""
        stop_pid(self.fakesmsc)
        self.fakesmsc = None
        deadline = time.monotonic() + START_TIMEOUT
        while self.online() and time.monotonic() < deadline:
            time.sleep(0.05)

    def phone_on(self):
        """Start a receiving fakesmsc again and wait until it is online."""
        if self.fakesmsc is None:
            self.fakesmsc = self._phone(["-m", "0", "0 0 text unused"])
        self.wait_online()

    # -- a reply from a phone (MO) --------------------------------------------

    def inject_mo(self, sender, text, to=None, timeout=START_TIMEOUT):
        """Send one SMS from sender (e.g. "+32470000001") to `to` (default:
        the sender id) with text, as a phone would.  The fake SMSC serves
        one fakesmsc at a time: the receiving one is stopped, and one that
        sends first takes over as the receiver (its output goes to the same
        file, so messages() still sees every MT).  Returns once fakesmsc
        says it sent it and the SMSC is back online; smsbox then calls
        mo_url."""
        to = to or self.sender
        assert " " not in sender and " " not in to
        stop_pid(self.fakesmsc)
        size = self.out.stat().st_size if self.out.exists() else 0
        self.fakesmsc = self._phone(["-i", "0.001", "-m", "1",
                                     f"{sender} {to} text {text}"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.out, "rb") as f:
                f.seek(size)
                if b"fakesmsc: sent message 1" in f.read():
                    break
            if self.fakesmsc.poll() is not None:
                pytest.fail(f"fakesmsc exited {self.fakesmsc.returncode}")
            time.sleep(0.02)
        else:
            pytest.fail(f"fakesmsc did not send the MO in {timeout} s")
        self.wait_online(timeout)


@pytest.fixture
def kannel(tmp_path):
    """A started Kannel (no MO service) in tmp_path/kannel."""
    k = Kannel(tmp_path / "kannel")
    k.start()
    try:
        yield k
    finally:
        k.stop()
