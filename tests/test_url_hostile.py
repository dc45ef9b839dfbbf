"""URLs that dribble or lie about their charset (#15 item 8); servers on 127.0.0.1 only."""

from __future__ import annotations

import socket
import threading

import orjson
import pytest

BODY = b"<html><body><article><p>The council said the bridge will reopen on Monday after repairs.</p></article></body></html>"


class Dribbler:
    """A raw HTTP server that sends its answer one byte at a time, forever if need be."""

    def __init__(self, mode: str):
        self.mode = mode
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/story"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            try:
                conn.recv(65536)
                if self.mode == "headers":  # a header line that never ends
                    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Pad: ")
                    while not self.stop.wait(0.1):
                        conn.sendall(b"a")
                else:  # honest headers, then a body that never ends
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000000\r\n\r\n")
                    conn.sendall(BODY[:-20])
                    while not self.stop.wait(0.1):
                        conn.sendall(b" ")
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.sock.close()


@pytest.mark.parametrize("mode", ["headers", "body"])
def test_a_dribbling_server_meets_the_overall_deadline(mode):
    """Each byte arrives well within the per-read timeout; only an overall deadline ends the fetch."""
    from ledger.sources import SourceError
    from ledger.sources.web import fetch

    server = Dribbler(mode)
    outcome: dict = {}

    def run():
        try:
            fetch(server.url, max_bytes=10**9, timeout=1.0)
            outcome["result"] = "fetched"
        except SourceError as exc:
            outcome["result"] = str(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(30)  # a safety net so a regression fails instead of hanging the suite
    server.close()
    assert not worker.is_alive(), "the fetch never ended: no overall deadline"
    assert outcome["result"] == f"{server.url}: timed out after 1 s"


def _serve_once(body: bytes, content_type: str):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response_only(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/a"


@pytest.mark.parametrize("charset", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_wide_charset_declared_on_ascii_bytes_falls_back_to_the_bytes(run_cli, simple_extractor, tmp_ledger, charset):
    text = "Bridge reopens\n\nThe council said the bridge will reopen on Monday after repairs.\n"
    text += " " * (len(text) % 2)  # a whole number of code units, so the wrong decoding succeeds
    assert text.encode("ascii").decode(charset)  # ... and it does: CJK-looking mojibake
    server, url = _serve_once(text.encode("ascii"), f"text/plain; charset={charset}")
    try:
        result = run_cli("append", url, "--extractor", "simple-test")
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    events = [orjson.loads(line) for line in tmp_ledger.read_bytes().splitlines()]
    stored = next(e["data"]["text"] for e in events if e["type"] == "SourceAppended")
    assert stored.startswith("Bridge reopens\n\nThe council said")


def test_a_plausible_declared_charset_is_still_used():
    from ledger.sources.detect import decode

    text = "Le café a rouvert lundi, a déclaré la mairie. Ça coûte 5 €.\n"
    assert decode(text.encode("cp1252"), "x", "windows-1252") == text
    assert decode(text.encode("koi8-r", errors="replace"), "x", "koi8-r")  # decodes, no exception
