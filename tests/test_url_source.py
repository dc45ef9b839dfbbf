"""URL sources, fetched from a local HTTP server on 127.0.0.1 only."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Dam Inspection Finds Leak | Valley Herald</title>
<meta property="og:title" content="Dam Inspection Finds Leak">
<meta property="og:site_name" content="Valley Herald">
<meta name="author" content="Pia Kowalski">
<meta property="article:published_time" content="2026-05-11">
</head><body>
<nav><a href="/">Front page</a> <a href="/weather">Weather</a> <a href="/jobs">Jobs board</a></nav>
<aside class="ad">Sponsored: the best garden hoses of 2026</aside>
<article><h1>Dam Inspection Finds Leak</h1>
<p>Inspectors found a small leak in the Ostervik dam on Monday, the regional water authority said.</p>
<p>The authority said the leak posed no danger to the 8,000 people living downstream.</p>
<p>Repairs are expected to take three weeks and will begin as soon as the reservoir level drops.</p>
</article>
<div id="comments" class="comments"><p>Commenter: I told them years ago this would happen!</p></div>
</body></html>
"""

FIXED_DATE = "Tue, 12 May 2026 09:30:00 GMT"


class Site:
    """Routes the handler serves; tests change ``live`` to simulate an edited article."""

    def __init__(self):
        self.live = PAGE.encode()
        self.release = threading.Event()


def make_handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path
            if path == "/old":
                self.send_response(301)
                self.send_header("Location", "/moved")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/article?ref=1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path == "/slow":
                site.release.wait(10)
            if path == "/big":
                body = b"<html><body><p>" + b"word " * 5000 + b"</p></body></html>"
            elif path == "/plain":
                body = "Canal Closed\n\nThe canal was closed on Sunday for the first time since 1998.\n".encode()
            else:
                body = site.live
            self.send_response_only(200)
            self.send_header("Date", FIXED_DATE)
            self.send_header("Content-Type", "text/plain; charset=utf-8" if path == "/plain" else "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def site():
    s = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(s))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield s
    s.release.set()
    server.shutdown()
    server.server_close()


def events(path):
    """The ledger's events, without the markers the store writes before each batch."""
    return [e for e in map(orjson.loads, path.read_bytes().splitlines()) if e["type"] != "BatchStarted"]


def test_html_page_main_text_and_metadata_and_retrieved_date(site, run_cli, simple_extractor, tmp_ledger):
    """A fetched page keeps only the article; metadata comes from the page; retrieved from Date."""
    r = run_cli("append", f"{site.base}/article", "--extractor", "simple-test")
    assert r.exit_code == 0, r.output
    src = events(tmp_ledger)[0]["data"]
    assert src["uri"] == f"{site.base}/article"
    assert src["retrieved"] == "2026-05-12T09:30:00Z"
    assert src["title"] == "Dam Inspection Finds Leak"
    assert src["authors"] == ["Pia Kowalski"]
    assert src["published"] == "2026-05-11"
    assert src["outlet"] == "Valley Herald"
    assert src["media_type"] == "text/html"
    assert "8,000 people living downstream" in src["text"]
    for junk in ("Jobs board", "garden hoses", "told them years ago"):
        assert junk not in src["text"]


def test_redirects_are_followed_and_the_final_url_recorded(site, run_cli, simple_extractor, tmp_ledger):
    """301 then 302: the source's uri is where the article was finally served."""
    r = run_cli("append", f"{site.base}/old", "--extractor", "simple-test")
    assert r.exit_code == 0, r.output
    assert events(tmp_ledger)[0]["data"]["uri"] == f"{site.base}/article?ref=1"


def test_plain_text_url_uses_the_declared_type(site, run_cli, simple_extractor, tmp_ledger):
    """A text/plain response is stored as text, its first line inferred as the title."""
    r = run_cli("append", f"{site.base}/plain", "--extractor", "simple-test")
    assert r.exit_code == 0, r.output
    src = events(tmp_ledger)[0]["data"]
    assert src["media_type"] == "text/plain" and src["title"] == "Canal Closed"


def test_response_over_the_size_cap_is_refused(site, run_cli, simple_extractor, tmp_ledger):
    """The size cap applies to responses too; nothing is recorded."""
    r = run_cli("append", f"{site.base}/big", "--max-size", "1k", "--extractor", "simple-test")
    assert r.exit_code == 1
    assert "over the 1024-byte limit" in r.stderr and f"{site.base}/big" in r.stderr
    assert not tmp_ledger.exists()


def test_slow_server_times_out(site, run_cli, simple_extractor, tmp_ledger):
    """A server that does not answer within --timeout is a failed input, not a hang."""
    r = run_cli("append", f"{site.base}/slow", "--timeout", "0.3", "--extractor", "simple-test")
    assert r.exit_code == 1
    assert r.stderr.strip() == f"error: {site.base}/slow: timed out after 0.3 s"
    assert not tmp_ledger.exists()


def test_changed_page_becomes_a_revision_and_identical_page_records_nothing(site, run_cli, simple_extractor, tmp_ledger):
    """Same URL, new content: version 2; same content again: unchanged."""
    url = f"{site.base}/article"
    assert run_cli("append", url, "--extractor", "simple-test").exit_code == 0
    site.live = PAGE.replace("three weeks", "five weeks").encode()
    r = run_cli("append", url, "--extractor", "simple-test")
    assert r.exit_code == 0 and r.stdout.startswith("revised "), r.output
    before = tmp_ledger.read_bytes()
    r = run_cli("append", url, "--extractor", "simple-test")
    assert r.stdout.startswith("unchanged ") and tmp_ledger.read_bytes() == before
    revised = [e["data"] for e in events(tmp_ledger) if e["type"] == "SourceRevised"]
    assert [(d["version"], d["revision_of"]) for d in revised] == [(2, 1)]
