"""make install lays out the files, the installed unit passes
systemd-analyze verify and scores 1.2 or less with systemd-analyze
security, the installed configuration is valid, private to root and the
daemon's group, drops to the stoppvif user and keeps the master key out of
the state folder, and the man pages are clean mdoc."""
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import BUILD

TOP = Path(__file__).resolve().parents[2]


def test_make_install_layout_and_unit(tmp_path):
    dest = tmp_path / "root"
    # the build's own flags, whatever its folder is called (build/san,
    # build/engA): a sanitizer build calls __asan_init
    built = BUILD / "stoppvifd"
    sanitized = built.is_file() and b"__asan_init" in built.read_bytes()
    sanitize = "address,undefined" if sanitized else ""
    r = subprocess.run(["make", "-C", str(TOP), "--no-print-directory",
                        "install", "PREFIX=/usr", f"DESTDIR={dest}",
                        f"BUILD={BUILD}", f"SANITIZE={sanitize}"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    for f in ["usr/sbin/stoppvifd", "usr/bin/stoppvifctl",
              "etc/stoppvif/stoppvif.ini",
              "usr/lib/systemd/system/stoppvifd.service",
              "usr/lib/sysusers.d/stoppvif.conf",
              "usr/lib/tmpfiles.d/stoppvif.conf",
              "usr/share/man/man8/stoppvifd.8",
              "usr/share/man/man1/stoppvifctl.1",
              "usr/share/man/man5/stoppvif.ini.5",
              "usr/share/stoppvif/demo/people.tsv"]:
        assert (dest / f).is_file(), f
    assert os.access(dest / "usr/sbin/stoppvifd", os.X_OK)

    conf = (dest / "etc/stoppvif/stoppvif.ini").read_text()
    mode = stat.S_IMODE((dest / "etc/stoppvif/stoppvif.ini").stat().st_mode)
    assert mode == 0o640, oct(mode)
    assert "\nuser = stoppvif\n" in conf
    assert "key_file = /var/lib/stoppvif-key/master.key" in conf
    assert "state_dir = /var/lib/stoppvif" in conf
    assert "socket = /run/stoppvif/stoppvif.sock" in conf
    assert "plugin_dir = /usr/lib/stoppvif/plugins" in conf
    assert "templates = /usr/share/stoppvif/templates" in conf
    for f in ["usr/lib/stoppvif/plugins/smtp.so",
              "usr/lib/stoppvif/plugins/sms_http.so",
              "usr/lib/stoppvif/plugins/spool.so",
              "usr/share/stoppvif/templates/fr/reminder.email",
              "usr/share/stoppvif/templates/nl/reminder.sms"]:
        assert (dest / f).is_file(), f
    # Check the installed configuration with its plugins and templates
    # looked up in the staging tree.
    staged_conf = tmp_path / "staged.ini"
    staged = (conf.replace("/usr/lib/stoppvif/plugins",
                           str(dest / "usr/lib/stoppvif/plugins"))
              .replace("/usr/share/stoppvif/templates",
                       str(dest / "usr/share/stoppvif/templates")))
    # Without the stoppvif user (systemd-sysusers makes it), -t says so.
    staged_conf.write_text(staged)
    r = subprocess.run([str(dest / "usr/sbin/stoppvifd"), "-t", "-c",
                        str(staged_conf)],
                       capture_output=True, text=True, timeout=30)
    if not has_user("stoppvif"):
        assert r.returncode == 1 and "user: aucun utilisateur « stoppvif »" \
            in r.stderr, r.stderr
    # The rest, as root (the staging tree is root's alone): test_privilege
    # checks the drop itself.
    staged_conf.write_text(staged.replace("\nuser = stoppvif\n",
                                          "\nuser =\n"))
    r = subprocess.run([str(dest / "usr/sbin/stoppvifd"), "-t", "-c",
                        str(staged_conf)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "configuration OK" in r.stderr, r.stderr
    tmpfiles = (dest / "usr/lib/tmpfiles.d/stoppvif.conf").read_text()
    assert "d /var/lib/stoppvif-key 0750 stoppvif stoppvif -" in tmpfiles
    assert "z /etc/stoppvif/stoppvif.ini 0640 root stoppvif -" in tmpfiles

    unit = (dest / "usr/lib/systemd/system/stoppvifd.service").read_text()
    assert "ExecStart=/usr/sbin/stoppvifd -c /etc/stoppvif/stoppvif.ini" \
        in unit
    for directive in ["Type=notify", "User=stoppvif", "UMask=0077",
                      "NoNewPrivileges=yes", "ProtectSystem=strict",
                      "PrivateTmp=yes", "PrivateDevices=yes",
                      "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                      "SystemCallFilter=@system-service",
                      "SystemCallFilter=~@privileged @resources",
                      "ProtectProc=invisible", "ProcSubset=pid",
                      "RemoveIPC=yes", "PrivateMounts=yes", "LimitCORE=0",
                      "StateDirectory=stoppvif stoppvif-key",
                      "RuntimeDirectory=stoppvif",
                      "#LoadCredential=master.key:/etc/stoppvif/"
                      "master.key"]:
        assert directive in unit, directive
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze missing: scripts/install-deps "
                    "installs systemd")
    # Verify the installed unit as it stands, its binary looked up in the
    # staging tree and its man pages in the staged man folder.
    staged = tmp_path / "stoppvifd.service"
    staged.write_text(unit.replace("/usr/sbin/", f"{dest}/usr/sbin/"))
    r = subprocess.run(["systemd-analyze", "verify", str(staged)],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ,
                                MANPATH=str(dest / "usr/share/man")))
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes",
                        str(staged)], capture_output=True, text=True,
                       timeout=60)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout)
    assert m, r.stdout + r.stderr
    assert float(m.group(1)) <= 1.2, r.stdout


def has_user(name):
    try:
        import pwd
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.mark.parametrize("page", ["stoppvifd.8", "stoppvifctl.1",
                                  "stoppvif.ini.5"])
def test_man_page_lint(page):
    r = subprocess.run(["mandoc", "-T", "lint", "-W", "warning",
                        str(TOP / "daemon" / "man" / page)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
