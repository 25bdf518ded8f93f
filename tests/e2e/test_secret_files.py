"""
Secret files and transports in clear, checked by stoppvifd -t (and at
start) with the file:line of the key at fault and the fix:

- url_file, auth_file, password_file (the plugins'), the master key and the
  SMS secret (the daemon's) are refused when the group or others may write
  them, or others may read them; a writable ca_file too;
- mail to another machine with tls = none or opportunistic, and an
  http:// SMS gateway on another machine with an account in the request,
  are refused unless allow_plaintext = yes, which every start then logs;
  this machine (127.0.0.0/8, ::1, localhost) is fine;
- the master key may come from systemd's LoadCredential= (credential:NAME),
  and a key left at its old place in the state folder is moved once.

From an attacker's side: look-alike host names, a secret a local user
could read or swap, the account's password never echoed.  From a clumsy
administrator's: modes from a umask of 022, a copy of the key left behind.
"""
import os
import re
import stat

import pytest

from conftest import STOPPVIFD, run

KANNEL = ("/cgi-bin/sendsms?username=stoppvif&password=Sup3rS3cret"
          "&to={to}&text={text}")
FROM = "Coordination sociale <noreply@stoppvif.example.be>"


def check(d):
    """stoppvifd -t on d's configuration: (rc, output)."""
    r = run([STOPPVIFD, "-t", "-c", d.conf])
    return r.returncode, r.stdout + r.stderr


def line_of(d, key, nth=1):
    """The line number of the nth "key = " of d's configuration."""
    lines = [i for i, l in enumerate(d.conf.read_text().splitlines(), 1)
             if re.match(rf"{re.escape(key)}\s*=", l)]
    return lines[nth - 1]


def secret(path, text, mode):
    path.write_text(text)
    os.chmod(path, mode)
    return path


def sms(d, url=None, url_file=None, **extra):
    text = "[channel.sms]\nplugin = sms_http\n"
    text += f"url = {url}\n" if url else f"url_file = {url_file}\n"
    text += "".join(f"{k} = {v}\n" for k, v in extra.items())
    d.write_config(extra=text)


def email(d, url, tls, **extra):
    text = (f"[channel.email]\nplugin = smtp\nurl = {url}\nfrom = {FROM}\n"
            f"tls = {tls}\n")
    text += "".join(f"{k} = {v}\n" for k, v in extra.items())
    d.write_config(extra=text)


# -- files of secrets -------------------------------------------------------

@pytest.mark.parametrize("mode,words", [
    (0o666, "est modifiable par le groupe ou par tous"),
    (0o620, "est modifiable par le groupe ou par tous"),
    (0o644, "est lisible par tous"),
    (0o604, "est lisible par tous"),
])
def test_url_file_open_to_others_is_refused(daemon_env, mode, words):
    """The Done-when (0666), and what a umask of 022 gives (0644): file,
    line, mode and fix, and never the account that the file holds."""
    d = daemon_env
    f = secret(d.dir / "sms.url", "http://127.0.0.1:13013" + KANNEL + "\n",
               mode)
    sms(d, url_file=f)
    rc, out = check(d)
    assert rc == 1, out
    want = (f"{d.conf}:{line_of(d, 'url_file')}: url_file: {f} "
            f"(mode {mode:04o}) {words}")
    assert want in out and "chmod 600" in out, out
    assert "Sup3rS3cret" not in out


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o400])
def test_url_file_private_is_accepted(daemon_env, mode):
    d = daemon_env
    f = secret(d.dir / "sms.url", "http://127.0.0.1:13013" + KANNEL + "\n",
               mode)
    sms(d, url_file=f)
    rc, out = check(d)
    assert rc == 0 and "configuration OK" in out, out


def test_password_file_writable_by_group_and_ca_file_by_anyone(daemon_env):
    """A password a group member could replace, and a CA anyone could add
    to (and then pose as the relay), are refused."""
    d = daemon_env
    pw = secret(d.dir / "smtp.pw", "s3cret\n", 0o660)
    ca = secret(d.dir / "ca.pem", "-----BEGIN CERTIFICATE-----\n", 0o666)
    email(d, "smtp://127.0.0.1:25", "required", username="stoppvif",
          password_file=pw, ca_file=ca)
    rc, out = check(d)
    assert rc == 1, out
    assert (f"{d.conf}:{line_of(d, 'password_file')}: password_file: {pw}: "
            "est modifiable par le groupe") in out, out
    assert (f"{d.conf}:{line_of(d, 'ca_file')}: ca_file: {ca} est "
            "modifiable par le groupe ou par tous") in out, out
    os.chmod(pw, 0o640)
    os.chmod(ca, 0o644)                 # a CA bundle may be read by all
    rc, out = check(d)
    assert rc == 0, out


def test_master_key_checked_by_t(daemon_env):
    """-t says what the start would refuse about the key: its mode, its
    owner, a symbolic link in its place."""
    d = daemon_env
    d.start()
    d.stop()
    os.chmod(d.key, 0o644)
    rc, out = check(d)
    assert rc == 1 and (f"{d.conf}: [crypto] key_file: {d.key} a le mode "
                        f"0644") in out and f"chmod 600 {d.key}" in out, out
    os.chmod(d.key, 0o600)
    os.chown(d.key, 65534, 65534)
    rc, out = check(d)
    assert rc == 1 and "appartient à l'uid 65534, pas à l'uid 0" in out, out
    os.chown(d.key, 0, 0)
    real = d.dir / "elsewhere.key"
    os.rename(d.key, real)
    os.symlink(real, d.key)
    rc, out = check(d)
    assert rc == 1 and "est un lien symbolique" in out, out
    os.unlink(d.key)
    os.rename(real, d.key)
    rc, out = check(d)
    assert rc == 0, out


def test_sms_secret_open_to_group_is_refused_by_t(daemon_env):
    d = daemon_env
    s = secret(d.dir / "sms.secret", "x" * 32 + "\n", 0o640)
    d.write_config(extra="[inbound]\nsms_listen = 127.0.0.1:18481\n"
                   f"sms_secret_file = {s}\n")
    rc, out = check(d)
    assert rc == 1 and (f"[inbound] sms_secret_file: {s} a le mode 0640"
                        in out), out
    os.chmod(s, 0o600)
    rc, out = check(d)
    assert rc == 0, out


# -- transports in clear ------------------------------------------------------

@pytest.mark.parametrize("url,tls", [
    ("smtp://relay.example.be:25", "none"),
    ("smtp://relay.example.be:587", "opportunistic"),
    ("smtp://192.0.2.25:25", "none"),
    ("smtp://[2001:db8::25]:25", "none"),
    # look-alikes of this machine: names that merely start like it
    ("smtp://127.0.0.1.nip.example:25", "none"),
    ("smtp://localhost.example.be:25", "none"),
])
def test_smtp_in_clear_to_another_machine_is_refused(daemon_env, url, tls):
    """The Done-when: a remote tls = none (and opportunistic, which a
    man in the middle turns into none) is refused at the line of tls."""
    d = daemon_env
    email(d, url, tls)
    rc, out = check(d)
    assert rc == 1, out
    host = url.split("//")[1].rsplit(":", 1)[0]
    assert (f"{d.conf}:{line_of(d, 'tls')}: tls: les courriels (noms, "
            f"dates, codes et liens) partiraient en clair vers {host}") \
        in out, out
    assert "allow_plaintext = yes" in out and "tls = required" in out, out


@pytest.mark.parametrize("url,tls", [
    ("smtp://127.0.0.1:25", "none"),
    ("smtp://127.3.4.5:25", "opportunistic"),
    ("smtp://localhost:25", "none"),
    ("smtp://[::1]:25", "none"),
    ("smtp://relay.example.be:587", "required"),
    ("smtps://relay.example.be:465", "opportunistic"),
])
def test_smtp_local_or_encrypted_is_accepted(daemon_env, url, tls):
    d = daemon_env
    email(d, url, tls)
    rc, out = check(d)
    assert rc == 0 and "configuration OK" in out, out


def test_allow_plaintext_lets_it_through_and_every_start_says_so(daemon_env):
    d = daemon_env
    email(d, "smtp://relay.example.be:25", "none", allow_plaintext="yes")
    rc, out = check(d)
    assert rc == 0 and "configuration OK" in out, out
    warn = ("channel.email plaintext host=relay.example.be key=tls "
            "allowed_by=allow_plaintext")
    for _ in range(2):
        offset = d.log_size()
        d.start()
        assert d.log_since(offset).count(warn) == 1, d.log_since(offset)
        d.stop()


@pytest.mark.parametrize("value", ["oui", "1", "YES", ""])
def test_allow_plaintext_takes_yes_or_no(daemon_env, value):
    d = daemon_env
    email(d, "smtp://relay.example.be:25", "none", allow_plaintext=value)
    rc, out = check(d)
    assert rc == 1 and (f"{d.conf}:{line_of(d, 'allow_plaintext')}: "
                        "allow_plaintext: attendu yes ou no") in out, out


def test_allow_plaintext_is_not_a_spool_key(daemon_env):
    d = daemon_env
    d.write_config(extra="[channel.email]\nplugin = spool\n"
                   "allow_plaintext = yes\n")
    rc, out = check(d)
    assert rc == 1 and "allow_plaintext: unknown key" in out, out


@pytest.mark.parametrize("conf,why", [
    ({"url": "http://sms.example.be" + KANNEL}, "« user » dans l'URL"),
    ({"url": "http://gw:pw@sms.example.be/send?to={to}&text={text}"},
     "un utilisateur dans l'URL"),
    ({"url": "http://sms.example.be/send?to={to}&text={text}",
      "headers": "X-Api-Key: 0123456789"}, "« key » dans headers"),
    ({"url": "http://sms.example.be/send", "method": "POST",
      "body_type": "json",
      "body": '{"token": "abc", "to": "{to}", "text": "{text}"}'},
     "« token » dans body"),
    ({"url": "http://203.0.113.7/send?to={to}&text={text}",
      "auth_file": "AUTH"}, "auth_file"),
])
def test_sms_gateway_account_in_clear_is_refused(daemon_env, conf, why):
    d = daemon_env
    conf = dict(conf)
    if conf.get("auth_file") == "AUTH":
        conf["auth_file"] = secret(d.dir / "auth", "gw:Sup3rS3cret\n", 0o600)
    sms(d, **conf)
    rc, out = check(d)
    assert rc == 1, out
    assert (f"{d.conf}:{line_of(d, 'url')}: url: les identifiants de la "
            f"passerelle ({why}) et les textes des SMS partiraient en "
            "clair") in out, out
    assert "utilisez https://" in out, out
    assert "Sup3rS3cret" not in out and "0123456789" not in out
    d.write_config(d.conf.read_text() + "allow_plaintext = yes\n")
    rc, out = check(d)
    assert rc == 0, out


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:13013" + KANNEL,          # Kannel on this machine
    "http://localhost:13013" + KANNEL,
    "https://sms.example.be" + KANNEL,
    "http://sms.example.be/send?to={to}&text={text}",  # no account
])
def test_sms_gateway_local_encrypted_or_open_is_accepted(daemon_env, url):
    d = daemon_env
    sms(d, url=url)
    rc, out = check(d)
    assert rc == 0 and "configuration OK" in out, out


def test_sms_url_file_in_clear_names_the_url_file_line(daemon_env):
    d = daemon_env
    f = secret(d.dir / "sms.url", "http://sms.example.be" + KANNEL + "\n",
               0o600)
    sms(d, url_file=f)
    rc, out = check(d)
    assert rc == 1 and f"{d.conf}:{line_of(d, 'url_file')}: url_file: " \
        "les identifiants de la passerelle" in out, out
    assert "Sup3rS3cret" not in out


# -- where the master key lives ---------------------------------------------

def use_key(d, value):
    d.write_config(d.config_text().replace("key_file = state/master.key",
                                           f"key_file = {value}"))


def test_master_key_from_a_systemd_credential(daemon_env):
    """key_file = credential:NAME reads $CREDENTIALS_DIRECTORY/NAME as
    LoadCredential= leaves it (root's, 0440 with an ACL, or the
    service's, 0400); without the variable the start says what to do."""
    d = daemon_env
    d.start()
    pid = d.add_person(name="Carla Cred", role="referent",
                       email="carla.cred@example.test")
    d.stop()
    creds = d.dir / "creds"
    creds.mkdir(mode=0o500)
    os.rename(d.key, creds / "master.key")
    os.chmod(creds / "master.key", 0o440)
    use_key(d, "credential:master.key")
    env = {"CREDENTIALS_DIRECTORY": str(creds)}
    d.start(env=env)
    assert [p["id"] for p in d.people()] == [pid]
    d.stop()
    rc, out = d.start_refused()
    assert "$CREDENTIALS_DIRECTORY n'est pas défini" in out and \
        "LoadCredential=master.key:" in out, out
    r = run(["env", f"CREDENTIALS_DIRECTORY={creds}", STOPPVIFD, "-t", "-c",
             d.conf])
    assert r.returncode == 0, r.stderr
    os.chmod(creds / "master.key", 0o444)       # readable by all
    r = run(["env", f"CREDENTIALS_DIRECTORY={creds}", STOPPVIFD, "-t", "-c",
             d.conf])
    assert r.returncode == 1 and "a le mode 0444" in r.stderr, r.stderr


@pytest.mark.parametrize("value", ["credential:", "credential:../master.key",
                                   "credential:a/b", "credential:.."])
def test_credential_name_is_a_name(daemon_env, value):
    d = daemon_env
    use_key(d, value)
    rc, out = check(d)
    assert rc == 1 and (f"{d.conf}:{line_of(d, 'key_file')}: key_file: "
                        "credential: doit être suivi du nom") in out, out


def test_key_left_in_the_state_folder_is_moved_once(daemon_env):
    """A key at the old place (state_dir/master.key) while key_file names
    another: moved there, the same 32 bytes, the old one gone, the data
    still read, and the log says it once; a copy put back (a move cut
    short) is removed; another key left there is only warned about."""
    d = daemon_env
    d.start()
    pid = d.add_person(name="Denis Move", role="referent",
                       email="denis.move@example.test")
    d.stop()
    raw = d.key.read_bytes()
    new = d.dir / "keys" / "master.key"
    use_key(d, "keys/master.key")
    offset = d.log_size()
    d.start()
    log = d.log_since(offset)
    assert f"crypto key_moved from={d.key} to={new}" in log, log
    assert "Sauvegardez maintenant" in log
    assert not d.key.exists() and new.read_bytes() == raw
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    assert stat.S_IMODE(new.parent.stat().st_mode) == 0o700
    assert [p["id"] for p in d.people()] == [pid]
    d.stop()
    offset = d.log_size()
    d.start()
    assert "key_moved" not in d.log_since(offset)   # once
    d.stop()
    secret(d.key, "", 0o600).write_bytes(raw)       # a move cut short
    offset = d.log_size()
    d.start()
    assert "fin d'un déplacement interrompu" in d.log_since(offset)
    assert not d.key.exists()
    d.stop()
    secret(d.key, "", 0o600).write_bytes(bytes(32))  # another key
    for _ in range(2):
        offset = d.log_size()
        d.start()
        assert f"crypto old_key_left file={d.key}" in d.log_since(offset)
        d.stop()
    assert d.key.read_bytes() == bytes(32) and new.read_bytes() == raw


def test_key_that_cannot_be_moved_stops_the_start(daemon_env):
    """The old key open to others: not copied anywhere; the start stops
    and says how to move it by hand."""
    d = daemon_env
    d.start()
    d.stop()
    os.chmod(d.key, 0o644)
    use_key(d, "keys/master.key")
    rc, out = d.start_refused()
    assert "Déplacez-la vous-même" in out and f"mv {d.key}" in out, out
    assert not (d.dir / "keys" / "master.key").exists()
