"""
The shelter network of the end-to-end tests: a daemon wired to a private
Kannel (bearerbox, smsbox, fakesmsc: what the phones receive, and MO
replies injected as a phone sends them) and Postfix's smtp-sink (what the
mailboxes receive), with the SMS listener that Kannel's MO service calls
(with the gateway's secret) and the public listener of link pages.

Tests take the `net` fixture; @pytest.mark.net(shelter=..., daemon_extra=
..., delivery=...) adds lines to the configuration.
"""
import datetime as dt
import os
import re
import time
from zoneinfo import ZoneInfo

import pytest

from srv_kannel import Kannel
from srv_smtp import SmtpSink, free_port

BXL = ZoneInfo("Europe/Brussels")
FROM = "Coordination sociale <noreply@stoppvif.example.be>"
FORBIDDEN = ("violence", "victime", "refuge", "stopp vif")
SECRET = "s3cr3t-of-the-gateway-0123456789"
CODE = re.compile(r"\bOK (\d{4,8})\b")


def local(t):
    return t.astimezone(BXL).strftime("%Y-%m-%dT%H:%M:%S")


class Net:
    """A daemon wired to a private Kannel and smtp-sink: Kannel's MO service
    calls the SMS listener (with the shared secret), the links of alert
    emails point at the public listener."""

    def __init__(self, d, tmp_path, shelter="", daemon_extra="",
                 delivery=""):
        self.d = d
        self.port = free_port()           # public pages
        self.sms_port = free_port()       # the gateway's replies
        (tmp_path / "smtp").mkdir()
        self.sink = SmtpSink(tmp_path / "smtp")
        self.kannel = Kannel(tmp_path / "kannel", mo_url=(
            f"http://127.0.0.1:{self.sms_port}/sms/inbound?secret={SECRET}"
            "&from=%p&text=%a"))
        self.kannel.start()
        url = tmp_path / "sms.url"
        url.write_text(self.kannel.sendsms_url() + "\n")
        os.chmod(url, 0o600)    # it holds the gateway's account
        self.secret_file = tmp_path / "sms.secret"
        self.secret_file.write_text(SECRET + "\n")
        os.chmod(self.secret_file, 0o600)
        self.channels = (
            f"[channel.email]\nplugin = smtp\nurl = {self.sink.url}\n"
            f"from = {FROM}\ntls = none\n\n"
            f"[channel.sms]\nplugin = sms_http\nurl_file = {url}\n"
            "success = Accepted for delivery\n\n"
            f"[inbound]\nsms_listen = 127.0.0.1:{self.sms_port}\n"
            f"sms_secret_file = {self.secret_file}\n\n")
        self.shelter = ("[shelter.aisova]\ntitle = Appartement d'urgence\n"
                        + shelter)
        self.daemon_extra = (f"inbound_listen = 127.0.0.1:{self.port}\n"
                             "public_url = https://stoppvif.example.be\n"
                             + daemon_extra)
        self.delivery = delivery
        self.start()

    def start(self):
        self.d.write_config(extra=self.channels + self.shelter,
                            daemon_extra=self.daemon_extra,
                            delivery_extra=self.delivery)
        self.d.start()

    def close(self):
        self.kannel.stop()
        self.sink.close()

    def person(self, name, role, n, email=True, phone=True, **extra):
        fields = {"name": name, "role": role}
        if phone:
            fields["phone"] = f"0470 55 00 {n:02d}"
        if email:
            fields["email"] = f"{name.split()[0].lower()}@example.test"
        fields.update(extra)
        pid = self.d.add_person(**fields)
        return pid, f"+32470550{n:03d}"

    def on_call(self, pid, hours=2):
        now = dt.datetime.now(BXL)
        return self.d.ctl_json(
            "oncall", "set", str(pid), "--from",
            local(now - dt.timedelta(hours=1)), "--to",
            local(now + dt.timedelta(hours=hours)))["id"]

    def sms_to(self, number):
        return [m.text for m in self.kannel.messages() if m.to == number]

    def mail_to(self, addr):
        return [m for m in self.sink.messages()
                if addr in m.get("X-Rcpt-Args", "")]

    def wait(self, pred, what, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            if pred():
                return
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not after {timeout} s\nSMS: "
                            f"{self.kannel.messages()}\nlog:\n"
                            f"{self.d.log()[-4000:]}")
            time.sleep(0.1)

    def vacate(self):
        """Vacate aisova; the alert's own code (for alerts ack)."""
        st = self.d.ctl_json("shelter", "vacate", "aisova")
        assert st["state"] == "vacant", st
        return st["alert"]["code"]

    def codes(self, phone):
        """The claim codes the SMS to phone asked to reply with, in order."""
        return [m[1] for t in self.sms_to(phone) if (m := CODE.search(t))]

    def code_of(self, phone, timeout=30.0):
        """The code of the latest alert SMS to phone (waits for one)."""
        self.wait(lambda: self.codes(phone), f"an alert SMS to {phone}",
                  timeout)
        return self.codes(phone)[-1]

    def state(self):
        return self.d.ctl_json("shelter", "status", "aisova")


@pytest.fixture
def net(daemon_env, tmp_path, request):
    marker = request.node.get_closest_marker("net")
    kw = {k: v() if callable(v) else v
          for k, v in (marker.kwargs if marker else {}).items()}
    n = Net(daemon_env, tmp_path, **kw)
    try:
        yield n
    finally:
        if daemon_env.running():
            daemon_env.stop()
        n.close()
