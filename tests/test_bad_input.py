"""Every kind of bad input: a one-line error naming it, exit 1, and nothing recorded."""

from __future__ import annotations

import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

ARTICLE = "Bridge Reopens\n\nThe Kessling bridge reopened on Monday after repairs that lasted six weeks.\n"


@pytest.fixture
def refused(run_cli, simple_extractor, tmp_ledger):
    """Run append on one input; assert the failure contract and return the error line."""

    def run(*args: str, name: str | None = None, input: bytes | None = None) -> str:
        r = run_cli("append", *args, "--extractor", "simple-test", input=input)
        assert r.exit_code == 1, r.output
        errors = r.stderr.strip().splitlines()
        assert len(errors) == 1, r.stderr
        assert errors[0].startswith(f"error: {name or args[0]}: "), errors[0]
        assert r.stdout.strip().endswith("failed 1")
        assert not tmp_ledger.exists()
        return errors[0]

    return run


def test_binary_file_with_nul_bytes_is_refused(tmp_path, refused):
    """Bytes with NULs are not an article."""
    f = tmp_path / "data.txt"
    f.write_bytes(b"header\x00\x01\x02\x03" * 50)
    assert "binary" in refused(str(f))


def test_known_binary_format_is_named(tmp_path, refused):
    """A PDF saved with a text suffix is refused as a PDF."""
    f = tmp_path / "article.txt"
    f.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    assert "PDF" in refused(str(f))


def test_empty_file_is_refused(tmp_path, refused):
    """A zero-byte file is refused as empty."""
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    assert refused(str(f)).endswith("is empty")


def test_whitespace_only_file_is_refused(tmp_path, refused):
    """Spaces, tabs and newlines alone are refused."""
    f = tmp_path / "blank.md"
    f.write_bytes(b" \n\t\r\n  \n")
    assert refused(str(f)).endswith("contains only whitespace")


def test_undetectable_non_utf8_is_refused(tmp_path, refused):
    """A short byte soup that is not UTF-8 and has no confident encoding is refused."""
    f = tmp_path / "soup.txt"
    f.write_bytes(b"abc \xff\xfe\x90 def")
    msg = refused(str(f))
    assert "not valid UTF-8 (byte 0xff at offset 4)" in msg and "cannot be detected with confidence" in msg


def test_confident_non_utf8_is_decoded_and_appended(tmp_path, run_cli, simple_extractor, tmp_ledger):
    """A long Latin-1 text with accented words is decoded, not refused."""
    text = "Le maire a inauguré la nouvelle école du quartier. Les élèves étaient ravis et très émus.\n" * 4
    f = tmp_path / "ecole.txt"
    f.write_bytes(text.encode("latin-1"))
    r = run_cli("append", str(f), "--extractor", "simple-test")
    assert r.exit_code == 0, r.output
    assert "école" in tmp_ledger.read_text(encoding="utf-8")


def test_file_over_the_size_limit_is_refused(tmp_path, refused):
    """--max-size is a hard limit, checked before reading."""
    f = tmp_path / "long.txt"
    f.write_text(ARTICLE * 10)
    msg = refused(str(f), "--max-size", "100")
    assert "over the 100-byte limit" in msg


def test_unreachable_url_is_refused(refused):
    """A closed port on 127.0.0.1 fails to connect."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/article"
    assert "cannot connect" in refused(url, "--timeout", "5")


class _Status(BaseHTTPRequestHandler):
    def do_GET(self):
        code = int(self.path.strip("/"))
        body = b"<html><body><p>error page</p></body></html>"
        self.send_response(code)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def status_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("code, phrase", [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")])
def test_http_error_is_refused(status_server, refused, code, phrase):
    """An error status is reported with its code; the error page is not recorded."""
    assert refused(f"{status_server}/{code}").endswith(phrase)


def test_html_without_main_text_is_refused(tmp_path, refused):
    """A page of navigation and footer only has no article to record."""
    f = tmp_path / "nav.html"
    f.write_text(
        '<html><head><title>Index</title></head><body><nav><a href="/">Home</a> <a href="/a">About</a></nav>'
        "<footer>(c) 2026</footer></body></html>"
    )
    assert "the HTML has no main text" in refused(str(f))


def test_path_through_a_file_is_refused(tmp_path, refused):
    """A path whose parent is a regular file cannot be read (ENOTDIR, real even as root)."""
    parent = tmp_path / "notes.txt"
    parent.write_text(ARTICLE)
    assert "a parent of this path is a file" in refused(str(parent / "article.txt"))


def test_fifo_is_refused_without_blocking(tmp_path, refused):
    """A FIFO is not read (opening it would hang); it is refused as not a regular file."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert "not a regular file" in refused(str(fifo))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_file_without_read_permission_is_refused(tmp_path, refused):
    """A file the user may not read is refused with the system's reason."""
    f = tmp_path / "secret.txt"
    f.write_text(ARTICLE)
    f.chmod(0)
    assert "Permission denied" in refused(str(f))


def test_missing_file_is_refused(tmp_path, refused):
    """A path that does not exist is named."""
    assert "no such file" in refused(str(tmp_path / "nope.txt"))


def test_folder_without_articles_is_refused(tmp_path, refused):
    """A folder holding no readable article is an error, not a silent 'appended 0'."""
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cover.png").write_bytes(b"\x89PNG\r\n")
    assert "holds no articles" in refused(str(tmp_path / "photos"))


def test_symlink_loop_is_refused(tmp_path, refused):
    """Two links pointing at each other are a loop, reported as such."""
    os.symlink(tmp_path / "b.txt", tmp_path / "a.txt")
    os.symlink(tmp_path / "a.txt", tmp_path / "b.txt")
    assert "symbolic link loop" in refused(str(tmp_path / "a.txt"))


def test_folder_with_a_symlink_loop_appends_the_rest(tmp_path, run_cli, simple_extractor, tmp_ledger):
    """In a folder, a looping link fails alone; the article beside it is appended."""
    (tmp_path / "box").mkdir()
    (tmp_path / "box/ok.txt").write_text(ARTICLE)
    os.symlink(tmp_path / "box/y.txt", tmp_path / "box/x.txt")
    os.symlink(tmp_path / "box/x.txt", tmp_path / "box/y.txt")
    r = run_cli("append", str(tmp_path / "box"), "--extractor", "simple-test")
    assert r.exit_code == 1
    assert r.stdout.strip().splitlines()[-1] == "appended 1, unchanged 0, revised 0, failed 2"
    errors = [line for line in r.stderr.strip().splitlines() if not line.startswith("warning: ")]  # undated sources warn
    assert errors and all("symbolic link loop" in line for line in errors)


@pytest.mark.parametrize(
    "part",
    [
        ("value", dict(type="quantity", text="zz", start=900, end=902, value="1")),  # outside the text
        ("value", dict(type="quantity", text="NOPE", start=0, end=4, value="1")),  # not what the span says
        ("value", dict(type="", text="The", start=0, end=3, value="1")),  # blank type
        ("mention", dict(type="person", text="The", start=0, end=3, entity="")),  # blank entity
        ("mention", dict(type="", text="The", start=0, end=3, entity="x")),  # blank type
    ],
)
def test_a_plugin_extractor_value_or_mention_that_verify_would_reject_writes_nothing(run_cli, tmp_ledger, tmp_path, part):
    """A third-party extractor's value or mention whose span is not its text, or with a blank
    type/entity, used to be recorded: verify then failed on it for good (the log is append-only)
    and every read said the ledger is damaged. It fails that input in one line; nothing written."""
    import ledger
    from ledger import plugins
    from ledger.events import Mention, Value
    from ledger.extractors import Extracted, ExtractorSpec

    kind, fields = part
    piece = Value(**fields) if kind == "value" else Mention(**fields)

    def extract(text, info):
        extra = {"values": (piece,)} if kind == "value" else {"entities": (piece,)}
        return [Extracted(kind="statement", start=0, end=len(text.rstrip()), modality="asserted", **extra)]

    class Plugin:
        @ledger.hookimpl
        def register_extractors(self, register):
            register(ExtractorSpec(name="careless-test", version="1", extract=extract, description="test"))

    plugins.load_plugins()
    plugins.register_plugin(Plugin(), "careless-test")
    try:
        article = tmp_path / "a.txt"
        article.write_text("The mayor said the bridge is closed.\n", encoding="utf-8")
        tmp_ledger.write_bytes(b"")
        res = run_cli("append", "--extractor", "careless-test", str(article))
    finally:
        plugins.unregister_plugin("careless-test")
    assert res.exit_code == 1, res.output
    errors = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "extractor 'careless-test' failed" in errors[0], res.stderr
    assert tmp_ledger.read_bytes() == b""
