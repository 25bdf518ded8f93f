"""
The control API fuzz corpus (tests/fuzz/corpus/api/, what libFuzzer kept from
its runs of fuzz_api against api_handle(), crashes found included) sent to a
real daemon over its Unix socket, as raw HTTP: whatever it is, the daemon
answers, keeps answering `status`, and stops cleanly with no sanitizer
report.  The fuzz target proves the handlers; this proves the transport
around them (evhttp, the peer check, the reply) on the same inputs.
"""
from pathlib import Path

from conftest import TOP, unix_send

CORPUS = TOP / "tests" / "fuzz" / "corpus" / "api"
MAGIC = b"#stoppvif-api-history\n"
METHODS = {ord("G"): b"GET", ord("P"): b"POST", ord("M"): b"PATCH",
           ord("D"): b"DELETE", ord("H"): b"HEAD", ord("U"): b"PUT",
           ord("O"): b"OPTIONS", ord("T"): b"TRACE"}


def requests_of(data):
    """The requests of one corpus file: METHOD PATH \\0 QUERY \\0 BODY, or a
    history of them (fuzz_api.c's two formats)."""
    if not data.startswith(MAGIC):
        return [data]
    out, rest = [], data[len(MAGIC):]
    while rest:
        n, sep, rest = rest.partition(b"\n")
        if not sep or not n.isdigit():
            break
        out.append(rest[:int(n)])
        rest = rest[int(n):]
    return out


def as_http(req):
    """One fuzz request as the bytes of an HTTP/1.1 request."""
    if not req:
        return None
    method = METHODS.get(req[0], b"X%d" % req[0])
    path, _, rest = req[1:].partition(b"\0")
    query, _, body = rest.partition(b"\0")
    target = (path or b"/") + (b"?" + query.lstrip(b"?") if query else b"")
    return (method + b" " + target + b" HTTP/1.1\r\nHost: localhost\r\n"
            b"Connection: close\r\nContent-Length: " + str(len(body)).encode()
            + b"\r\n\r\n" + body)


def test_api_fuzz_corpus_against_the_daemon(daemon):
    files = sorted(p for p in Path(CORPUS).iterdir() if p.is_file())
    assert len(files) > 50, "the api corpus is missing"
    sent = answered = 0
    for f in files:
        for req in requests_of(f.read_bytes()):
            data = as_http(req)
            if data is None:
                continue
            sent += 1
            if unix_send(daemon.socket, data).startswith(b"HTTP/1.1 "):
                answered += 1
        assert daemon.running(), f"stoppvifd stopped on {f.name}"
    # evhttp drops what is not HTTP at all without an answer: most get one
    assert answered > sent // 2, (answered, sent)
    print(f"{sent} requests, {answered} answered")
    rc, out, err = daemon.ctl("status", json=True)
    assert rc == 0, err
