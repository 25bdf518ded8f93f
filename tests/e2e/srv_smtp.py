"""
A real SMTP server for the end-to-end tests: Postfix's smtp-sink on
127.0.0.1, on a free port, started and stopped by PID.

    from srv_smtp import SmtpSink

    with SmtpSink(tmp_path) as sink:            # dumps every message
        ... send to sink.url ("smtp://127.0.0.1:PORT") ...
        msgs = sink.wait_messages(1)            # [email.message.EmailMessage]
        assert msgs[0]["Subject"] == "Rappel"

    SmtpSink(tmp_path, flags=["-f", "RCPT"])    # hard 5xx to RCPT
    SmtpSink(tmp_path, flags=["-r", "RCPT"])    # soft 4xx to RCPT
    SmtpSink(tmp_path, flags=["-Q", "DATA"])    # 421 and disconnect at DATA
    SmtpSink(tmp_path, dump=False)              # no files: for benchmarks

Each message is parsed with email.policy.default, so headers come back
decoded (RFC 2047) and msg.get_body().get_content() gives the text.  The
smtp-sink envelope records are headers of the message too: X-Mail-Args
(the MAIL FROM argument), X-Rcpt-Args (one per RCPT), X-Helo-Args.  A
transaction rejected before the end of DATA leaves no file; one rejected
at "." (flags ["-f", "."]) does.

TlsFront puts TLS in front of a sink (smtp-sink speaks none): implicit
TLS for smtps:// URLs, or STARTTLS for smtp:// URLs, with a self-signed
certificate for 127.0.0.1 whose file is the client's CA (ca_file):

    with SmtpSink(tmp_path) as sink, TlsFront(tmp_path, sink) as tls:
        ... send to tls.url with ca_file = tls.ca_file ...
        sink.wait_messages(1)

The dump folder lives under /tmp (the -u user, nobody, must be able to
reach it, which a pytest tmp_path is not); it is removed by close() or at
the end of the with block.  Every wait is bounded.
"""
import email
import email.policy
import os
import pwd
import select
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path

SMTP_SINK = "/usr/sbin/smtp-sink"
SINK_USER = "nobody"
START_TIMEOUT = 5.0     # seconds for the sink to answer its greeting
STOP_TIMEOUT = 5.0      # seconds for it to exit after SIGTERM


def free_port():
    """A TCP port of 127.0.0.1 free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_dump(data):
    """One smtp-sink dump file (bytes) as an email.message.EmailMessage."""
    return email.message_from_bytes(data, policy=email.policy.default)


class SmtpSink:
    """One smtp-sink process.

    folder: where its log (smtp-sink.log) goes.  flags: extra smtp-sink
    options (failure injection: "-f CMD", "-r CMD", "-Q CMD", "-q CMD",
    "-w SECONDS", ...; see smtp-sink(1)).  dump: write each message to its
    own file (slower; off for benchmarks, which then count with "-c").
    port: a fixed port, else a free one.  The server is started at once.
    """

    def __init__(self, folder, flags=(), dump=True, port=None, backlog=64):
        self.folder = Path(folder)
        self.flags = [str(f) for f in flags]
        self.dump = dump
        self.backlog = backlog
        self.port = port
        self.proc = None
        self.dump_dir = None
        self.log_path = self.folder / "smtp-sink.log"
        self._logf = None
        if dump:
            self.dump_dir = Path(tempfile.mkdtemp(prefix="svsink", dir="/tmp"))
            if os.geteuid() == 0:
                pw = pwd.getpwnam(SINK_USER)
                os.chown(self.dump_dir, pw.pw_uid, pw.pw_gid)
        self.start()

    @property
    def url(self):
        """The smtp:// URL of the sink."""
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        """Start the sink (again) and wait until it greets a client.  A port
        taken in the meantime makes it try another free one (3 times)."""
        assert not self.running(), "smtp-sink already running"
        fixed = self.port is not None
        for _ in range(3):
            if not fixed:
                self.port = free_port()
            argv = [SMTP_SINK]
            if os.geteuid() == 0:
                argv += ["-u", SINK_USER]
            if self.dump:
                argv += ["-d", f"{self.dump_dir}/%Y%m%d/"]
            argv += self.flags + [f"127.0.0.1:{self.port}",
                                  str(self.backlog)]
            self._logf = open(self.log_path, "ab")
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=self._logf,
                                         stderr=self._logf)
            if self._wait_ready():
                return self
            self.stop()
            if fixed:
                break
        raise RuntimeError(f"smtp-sink did not start; log:\n{self.log()}")

    def _wait_ready(self):
        """True once the sink accepted a connection (a greeting or, when
        CONNECT is set to fail, any answer); False if it exited."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              timeout=1.0) as s:
                    s.recv(512)
                    return True
            except OSError:
                time.sleep(0.02)
        return False

    def stop(self):
        """SIGTERM to our PID, bounded wait, SIGKILL if need be."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=STOP_TIMEOUT)
        if self._logf is not None:
            self._logf.close()
            self._logf = None

    def close(self):
        """Stop the sink and remove its dump folder."""
        self.stop()
        if self.dump_dir is not None:
            shutil.rmtree(self.dump_dir, ignore_errors=True)
            self.dump_dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # smtp-sink creates a message's file at MAIL FROM and keeps it open
    # while the transaction goes on: until it closes it, the file may lack
    # its recipients or the end of its body.  An open file shows among the
    # process's descriptors; where /proc cannot tell, a file written to
    # within SETTLE seconds counts as unfinished.
    SETTLE = 0.15

    def _open_paths(self):
        """The files smtp-sink holds open, or None when /proc won't say."""
        if self.proc is None or self.proc.poll() is not None:
            return set()
        fd_dir = f"/proc/{self.proc.pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            return None
        paths = set()
        for fd in fds:
            try:
                paths.add(os.readlink(f"{fd_dir}/{fd}"))
            except OSError:
                pass
        return paths

    def dump_files(self, finished=True):
        """The dump files, oldest first (by modification time, then name):
        the finished ones, or with finished=False every file begun."""
        if self.dump_dir is None:
            return []
        files = []
        for p in self.dump_dir.rglob("*"):
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            if p.is_file():
                files.append((st.st_mtime_ns, p.name, p))
        files.sort()
        if finished:
            # read the descriptors after the listing: a file still open
            # now was open when it was listed
            open_now = self._open_paths()
            if open_now is None:
                limit = time.time_ns() - self.SETTLE * 1e9
                files = [f for f in files if f[0] <= limit]
            else:
                files = [f for f in files if str(f[2]) not in open_now]
        return [p for _, _, p in files]

    def messages(self):
        """Every message received so far, parsed, oldest first."""
        return [parse_dump(p.read_bytes()) for p in self.dump_files()]

    def wait_messages(self, n, timeout=10.0, settle=0.2):
        """Wait (bounded) until at least n messages are in, then settle
        seconds more for late extra ones; returns all of them."""
        deadline = time.monotonic() + timeout
        while len(self.dump_files()) < n:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(self.dump_files())} messages in smtp-sink after "
                    f"{timeout} s, expected {n}; log:\n{self.log()}")
            time.sleep(0.02)
        time.sleep(settle)
        return self.messages()


class TlsFront:
    """A TLS terminator on 127.0.0.1 in front of an SmtpSink.

    starttls=False: implicit TLS (url is smtps://).  starttls=True: the
    front greets, answers EHLO with STARTTLS offered, and after STARTTLS
    relays the session to the sink (url is smtp://); a client that sends
    MAIL without STARTTLS gets "530 5.7.0 Must issue a STARTTLS command
    first".  ca_file: the certificate (PEM) a client must trust.
    connections: how many clients connected so far.
    """

    def __init__(self, folder, sink, starttls=False):
        self.folder = Path(folder)
        self.sink_port = sink.port
        self.starttls = starttls
        self.connections = 0
        self.ca_file = str(self.folder / "tls-front.pem")
        key = str(self.folder / "tls-front.key")
        r = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext",
             "subjectAltName=IP:127.0.0.1", "-keyout", key,
             "-out", self.ca_file], capture_output=True, timeout=20)
        if r.returncode != 0:
            raise RuntimeError(f"openssl req: {r.stderr.decode()}")
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(self.ca_file, key)
        self.lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsn.bind(("127.0.0.1", 0))
        self.lsn.listen(64)
        self.port = self.lsn.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self):
        scheme = "smtp" if self.starttls else "smtps"
        return f"{scheme}://127.0.0.1:{self.port}"

    def close(self):
        """Stop accepting; sessions in progress end with their client."""
        self._stop.set()
        self.lsn.close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _accept(self):
        self.lsn.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.lsn.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._session, args=(conn,),
                             daemon=True).start()

    def _plain_dialogue(self, conn):
        """Speak SMTP in clear until STARTTLS; False if the client quit."""
        f = conn.makefile("rb")
        conn.sendall(b"220 tls-front ESMTP\r\n")
        for line in f:
            verb = line[:8].upper()
            if verb.startswith((b"EHLO", b"HELO")):
                conn.sendall(b"250-tls-front\r\n250 STARTTLS\r\n")
            elif verb.startswith(b"STARTTLS"):
                conn.sendall(b"220 2.0.0 Ready to start TLS\r\n")
                return True
            elif verb.startswith(b"QUIT"):
                conn.sendall(b"221 2.0.0 Bye\r\n")
                return False
            else:
                conn.sendall(b"530 5.7.0 Must issue a STARTTLS command "
                             b"first\r\n")
        return False

    def _session(self, conn):
        back = tls = None
        try:
            conn.settimeout(30)
            if self.starttls and not self._plain_dialogue(conn):
                return
            tls = self.ctx.wrap_socket(conn, server_side=True)
            back = socket.create_connection(("127.0.0.1", self.sink_port),
                                            timeout=30)
            if self.starttls:
                back.recv(4096)         # the sink's greeting: already sent
            self._pump(tls, back)
        except (OSError, ssl.SSLError):
            pass
        finally:
            for s in (tls, back, conn):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass

    @staticmethod
    def _pump(tls, back):
        while True:
            ready, _, _ = select.select([tls, back], [], [], 30)
            if not ready:
                return
            if tls in ready:
                data = tls.recv(65536)
                while data and tls.pending():
                    data += tls.recv(tls.pending())
                if not data:
                    return
                back.sendall(data)
            if back in ready:
                data = back.recv(65536)
                if not data:
                    return
                tls.sendall(data)
