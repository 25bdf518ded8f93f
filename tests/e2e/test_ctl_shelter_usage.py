"""
stoppvifctl's commands of the on-call rota, the shelters and their alerts,
on the client side alone: usage errors (exit 2), --json taken anywhere, and
exit 3 when no daemon listens.  No daemon is started: the configuration
names a socket that does not exist, so a command that got past its checks
says the daemon is not started.  The daemon side is tested elsewhere.
"""
import pytest

from conftest import STOPPVIFCTL, run, sanitizer_report

CONFIG = """\
[daemon]
state_dir = state
socket = {socket}
timezone = Europe/Brussels
language = fr

[crypto]
key_file = state/master.key
"""

# Each command and its usage line, as the command table has them.
USAGE = {
    "oncall set": "oncall set PERSON --from LOCAL --to LOCAL",
    "oncall show": "oncall show [--at LOCAL]",
    "oncall remove": "oncall remove ID",
    "shelter list": "shelter list",
    "shelter status": "shelter status NAME",
    "shelter vacate": "shelter vacate NAME",
    "shelter occupy": "shelter occupy NAME",
    "shelter unavailable": "shelter unavailable NAME",
    "shelter report": "shelter report NAME [--year YYYY]",
    "alerts list": "alerts list",
    "alerts ack": "alerts ack CODE [--by ID]",
}


@pytest.fixture
def conf(tmp_path):
    """A configuration whose socket does not exist."""
    path = tmp_path / "stoppvif.ini"
    path.write_text(CONFIG.format(socket=tmp_path / "absent.sock"))
    return path


def ctl(conf, *args):
    """stoppvifctl -c CONF ARGS; the CompletedProcess, checked for
    sanitizer reports."""
    r = run([STOPPVIFCTL, "-c", conf, *args])
    mark = sanitizer_report(r.stderr)
    assert mark is None, f"sanitizer report ({mark}):\n{r.stderr}"
    return r


def assert_usage(r, cmd):
    """Exit 2 with the usage line of cmd (after getopt's complaint about
    an unknown flag or a missing value, if any), nothing on stdout."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert lines and lines[-1] == ("usage: stoppvifctl [-c FILE] [--json] "
                                   f"{USAGE[cmd]}"), r.stderr
    assert len(lines) <= 2 and "usage" not in "".join(lines[:-1]), r.stderr
    assert r.stdout == ""


def assert_down(r, conf):
    """Exit 3: the checks passed and the daemon was called."""
    assert r.returncode == 3, (r.returncode, r.stdout, r.stderr)
    sock = conf.parent / "absent.sock"
    assert r.stderr == ("stoppvifctl: le démon stoppvifd n'est pas démarré "
                        f"(pas de socket {sock})\n"), r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("args", [
    ["oncall", "set"],
    ["oncall", "set", "33"],
    ["oncall", "set", "33", "--from", "2027-01-04T08:00"],
    ["oncall", "set", "33", "--to", "2027-01-11T08:00"],
    ["oncall", "set", "--from", "2027-01-04T08:00", "--to",
     "2027-01-11T08:00"],
    ["oncall", "set", "33", "34", "--from", "2027-01-04T08:00", "--to",
     "2027-01-11T08:00"],
    ["oncall", "set", "33", "--from"],
    ["oncall", "set", "33", "--from", "a", "--to", "b", "--at", "c"],
    ["oncall", "show", "now"],
    ["oncall", "show", "--at"],
    ["oncall", "show", "--from", "2027-01-04T08:00"],
    ["oncall", "remove"],
    ["oncall", "remove", "1", "2"],
    ["shelter", "list", "aisova"],
    ["shelter", "status"],
    ["shelter", "status", "aisova", "esneux"],
    ["shelter", "vacate"],
    ["shelter", "vacate", "aisova", "now"],
    ["shelter", "occupy"],
    ["shelter", "unavailable"],
    ["shelter", "unavailable", "aisova", "--until", "2027-02-01"],
    ["shelter", "report"],
    ["shelter", "report", "--year", "2027"],
    ["shelter", "report", "aisova", "esneux"],
    ["shelter", "report", "aisova", "--year"],
    ["alerts", "list", "open"],
    ["alerts", "ack"],
    ["alerts", "ack", "4821", "4822"],
    ["alerts", "ack", "4821", "--by"],
    ["alerts", "ack", "--by", "33"],
])
def test_usage_of_the_command(conf, args):
    assert_usage(ctl(conf, *args), " ".join(args[:2]))


@pytest.mark.parametrize("args, message", [
    (["oncall", "set", "Claire", "--from", "a", "--to", "b"],
     "« Claire » n'est pas un numéro (entier positif attendu)"),
    (["oncall", "set", "0", "--from", "a", "--to", "b"],
     "« 0 » n'est pas un numéro (entier positif attendu)"),
    (["oncall", "remove", "x"],
     "« x » n'est pas un numéro (entier positif attendu)"),
    (["oncall", "remove", "-1"], None),
    (["shelter", "status", ""], "nom de logement vide"),
    (["shelter", "vacate", ""], "nom de logement vide"),
    (["shelter", "report", "aisova", "--year", "deux"],
     "--year : année de 1970 à 9999 attendue"),
    (["shelter", "report", "aisova", "--year", "1969"],
     "--year : année de 1970 à 9999 attendue"),
    (["shelter", "report", "aisova", "--year", "10000"],
     "--year : année de 1970 à 9999 attendue"),
    (["alerts", "ack", "4821", "--by", "Claire"],
     "--by : « Claire » n'est pas un numéro de personne (entier positif "
     "attendu)"),
    (["alerts", "ack", "4821", "--by", "0"],
     "--by : « 0 » n'est pas un numéro de personne (entier positif "
     "attendu)"),
])
def test_bad_value_is_a_usage_error(conf, args, message):
    r = ctl(conf, *args)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    if message is not None:
        assert r.stderr == f"stoppvifctl: {message}\n", r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize("group", ["shelter", "oncall", "alerts"])
def test_missing_word_prints_the_commands_of_the_group(conf, group):
    r = ctl(conf, group)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.startswith("usage: stoppvifctl [-c FILE] [--json] "
                               "[--wide] COMMAND ...\ncommandes :\n"), r.stderr
    for cmd, line in USAGE.items():
        assert (f"\n  {line}\n" in r.stderr) == cmd.startswith(group), (
            line, r.stderr)
    assert r.stdout == ""


@pytest.mark.parametrize("args", [
    ["shelter", "frobnicate", "x"], ["alerts", "claim", "4821"],
    ["oncall", "add", "33"],
])
def test_unknown_word_is_one_line(conf, args):
    r = ctl(conf, *args)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stderr == (f"stoppvifctl: commande inconnue : « {args[0]} "
                        f"{args[1]} »\n"), r.stderr
    assert r.stdout == ""


def test_h_prints_every_command_on_stdout(conf):
    r = ctl(conf, "-h")
    assert r.returncode == 0 and r.stderr == "", r
    for line in USAGE.values():
        assert f"\n  {line}\n" in r.stdout, (line, r.stdout)


@pytest.mark.parametrize("args", [
    ["oncall", "set", "33", "--from", "2027-01-04T08:00", "--to",
     "2027-01-11T08:00"],
    ["oncall", "set", "--from", "2027-01-04T08:00", "--to",
     "2027-01-11T08:00", "33"],
    ["oncall", "set", "--from=2027-01-04T08:00", "33",
     "--to=2027-01-11T08:00:00"],
    ["oncall", "show"],
    ["oncall", "show", "--at", "2027-01-06T20:00"],
    ["oncall", "show", "--at=2027-01-06 20:00 & more"],
    ["oncall", "remove", "12"],
    ["shelter", "list"],
    ["shelter", "status", "aisova"],
    ["shelter", "status", "a name/with?odd&chars"],
    ["shelter", "vacate", "aisova"],
    ["shelter", "occupy", "aisova"],
    ["shelter", "unavailable", "aisova"],
    ["shelter", "report", "aisova"],
    ["shelter", "report", "aisova", "--year", "2027"],
    ["shelter", "report", "--year", "2027", "aisova"],
    ["alerts", "list"],
    ["alerts", "ack", "4821"],
    ["alerts", "ack", "4821", "--by", "33"],
    ["alerts", "ack", "--by", "33", "4821"],
    ["status"],
])
def test_no_daemon_exit_3(conf, args):
    assert_down(ctl(conf, *args), conf)


@pytest.mark.parametrize("args", [
    ["--json", "shelter", "list"],
    ["shelter", "list", "--json"],
    ["shelter", "--json", "status", "aisova"],
    ["-j", "alerts", "list"],
    ["alerts", "ack", "4821", "--json", "--by", "33"],
    ["oncall", "set", "33", "--from", "2027-01-04T08:00", "--json",
     "--to", "2027-01-11T08:00"],
    ["shelter", "report", "aisova", "--year", "2027", "--json"],
])
def test_json_taken_anywhere(conf, args):
    # --json is no argument of the command: it gets past the checks.
    assert_down(ctl(conf, *args), conf)


@pytest.mark.parametrize("args, cmd", [
    (["--json", "shelter", "status"], "shelter status"),
    (["alerts", "ack", "--json"], "alerts ack"),
    (["oncall", "set", "33", "--json", "--from", "a"], "oncall set"),
    (["shelter", "list", "--json", "extra"], "shelter list"),
])
def test_json_does_not_hide_usage_errors(conf, args, cmd):
    assert_usage(ctl(conf, *args), cmd)
