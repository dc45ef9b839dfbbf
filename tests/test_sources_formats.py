"""Reading sources in the formats people keep them: text, Markdown with front matter, HTML, stdin."""

from __future__ import annotations

import hashlib
import unicodedata

import orjson
import pytest

from ledger.sources import SourceError, read_path
from ledger.sources.detect import sniff
from ledger.sources.markdown import split_front_matter

ARTICLE = (
    "Lighthouse Keeper Retires After 40 Years\n\n"
    "The last keeper of the Morrow Point lighthouse retired on Friday after 40 years of service.\n"
    "\"The sea never looked the same twice,\" Edda Lindqvist said at a small ceremony.\n"
)

FRONT_MATTER = (
    "---\n"
    "title: Lighthouse Keeper Retires\n"
    "url: https://gazette.example/lighthouse\n"
    "published: 2026-04-02\n"
    "outlet: Morrow Gazette\n"
    "author: [Ines Ward, Tom Bell]\n"
    "---\n\n"
)

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Ferry Service Resumes After Storm | Lakeside Courier</title>
<meta property="og:title" content="Ferry Service Resumes After Storm">
<meta property="og:site_name" content="Lakeside Courier">
<meta name="author" content="Mara Olsen">
<meta property="article:published_time" content="2026-02-03T08:15:00Z">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News desk</a></li><li><a href="/sport">Sport pages</a></li></ul></nav>
<div class="advertisement ad">Buy discount widgets today at Widget World</div>
<article>
<h1>Ferry Service Resumes After Storm</h1>
<p>The ferry between Lakeside and North Point resumed service on Tuesday after a three-day suspension caused by high winds.</p>
<p>"We had waves of more than four metres," harbour master Jon Pell said. About 1,200 passengers use the route every day.</p>
<p>The operator said two sailings would be added on Wednesday to clear the backlog of travellers waiting on both shores.</p>
</article>
<section id="comments" class="comments"><h3>Comments</h3>
<div class="comment"><p>Reader99 wrote: this ferry is always late and nobody cares about it at all!</p></div></section>
<footer>Copyright 2026 Lakeside Courier. All rights reserved.</footer>
</body></html>
"""


def events(path):
    """The ledger's events, without the markers the store writes before each batch."""
    return [e for e in map(orjson.loads, path.read_bytes().splitlines()) if e["type"] != "BatchStarted"]


def test_markdown_front_matter_becomes_metadata_and_is_not_in_the_text(tmp_path):
    """Front matter fields fill the metadata and the stored text starts at the body."""
    f = tmp_path / "keeper.md"
    f.write_text(FRONT_MATTER + ARTICLE, encoding="utf-8")
    doc = read_path(f)
    assert doc.media_type == "text/markdown"
    assert doc.title == "Lighthouse Keeper Retires"
    assert doc.uri == "https://gazette.example/lighthouse"
    assert doc.published == "2026-04-02"
    assert doc.outlet == "Morrow Gazette"
    assert doc.authors == ("Ines Ward", "Tom Bell")
    assert doc.text == ARTICLE
    assert doc.raw_sha256 == hashlib.sha256(f.read_bytes()).hexdigest()


def test_markdown_without_front_matter_is_the_whole_text(tmp_path):
    """A Markdown file without front matter is stored whole, with no metadata invented."""
    f = tmp_path / "plain.md"
    f.write_text("# " + ARTICLE, encoding="utf-8")
    doc = read_path(f)
    assert doc.text == "# " + ARTICLE and doc.uri is None and doc.authors == ()


@pytest.mark.parametrize(
    "block, problem",
    [
        ("---\ntitle: [unclosed\n---\nBody text here.\n", "front matter is not valid YAML"),
        ("---\n- a\n- b\n---\nBody text here.\n", "front matter must be a mapping"),
        ("---\npublished: last tuesday\n---\nBody text here.\n", "is not an ISO 8601 date"),
        ("---\ntitle: Never closed\nBody text here.\n", "never closed"),
    ],
)
def test_bad_front_matter_is_refused_with_the_file_named(tmp_path, block, problem):
    """Broken front matter is a one-line error naming the file, not silently ignored."""
    f = tmp_path / "bad.md"
    f.write_text(block, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        read_path(f)
    assert str(err.value).startswith(str(f)) and problem in str(err.value)


def test_flags_override_front_matter_which_overrides_inference(run_cli, simple_extractor, tmp_path, tmp_ledger):
    """--title beats front matter; front matter url beats nothing; a missing title is inferred."""
    f = tmp_path / "keeper.md"
    f.write_text(FRONT_MATTER + ARTICLE, encoding="utf-8")
    g = tmp_path / "other.txt"
    g.write_text(ARTICLE.replace("Friday", "Monday"), encoding="utf-8")
    r = run_cli("append", str(f), "--title", "Flag Title", "--outlet", "Flag Outlet", "--extractor", "simple-test")
    assert r.exit_code == 0, r.output
    r = run_cli("append", str(g), "--extractor", "simple-test")
    assert r.exit_code == 0, r.output
    sources = [e["data"] for e in events(tmp_ledger) if e["type"] == "SourceAppended"]
    assert sources[0]["title"] == "Flag Title"
    assert sources[0]["outlet"] == "Flag Outlet"
    assert sources[0]["uri"] == "https://gazette.example/lighthouse"
    assert sources[0]["authors"] == ["Ines Ward", "Tom Bell"]
    assert sources[1]["title"] == "Lighthouse Keeper Retires After 40 Years"


def test_html_keeps_main_text_and_page_metadata(tmp_path):
    """HTML: navigation, ads, comments and footer are dropped; title, author, date, site name kept."""
    f = tmp_path / "ferry.html"
    f.write_text(PAGE, encoding="utf-8")
    doc = read_path(f)
    assert doc.media_type == "text/html"
    assert doc.title == "Ferry Service Resumes After Storm"
    assert doc.authors == ("Mara Olsen",)
    assert doc.published == "2026-02-03"
    assert doc.outlet == "Lakeside Courier"
    assert doc.text.startswith("Ferry Service Resumes After Storm\n")
    assert "harbour master Jon Pell said" in doc.text
    for junk in ("News desk", "Widget World", "Reader99", "Copyright", "<p>"):
        assert junk not in doc.text
    assert doc.raw == f.read_bytes()


def test_html_title_only_in_metadata_goes_on_the_first_line(tmp_path):
    """When the body has no headline, the page title becomes the first line of the text."""
    f = tmp_path / "nohead.htm"
    f.write_text(
        "<html><head><title>Town Hall Vote Delayed</title>"
        '<link rel="canonical" href="https://news.example/town-hall"></head><body><div>'
        "<p>The council postponed its vote on the new town hall until March, citing rising costs.</p>"
        "<p>Councillor Ann Reyes said residents deserved a full account of the spending.</p></div></body></html>",
        encoding="utf-8",
    )
    doc = read_path(f)
    assert doc.text.split("\n")[0] == "Town Hall Vote Delayed"
    assert doc.uri == "https://news.example/town-hall"


def test_media_type_is_sniffed_from_content_not_only_the_name(tmp_path):
    """A saved page called .txt is read as HTML; a file without suffix with front matter as Markdown."""
    page = tmp_path / "saved-page.txt"
    page.write_text(PAGE, encoding="utf-8")
    doc = read_path(page)
    assert doc.media_type == "text/html" and "<nav>" not in doc.text
    noext = tmp_path / "note"
    noext.write_text(FRONT_MATTER + ARTICLE, encoding="utf-8")
    assert read_path(noext).media_type == "text/markdown"
    assert sniff(b"Plain words.\n", "x.md") == "text/markdown"
    assert sniff(b"Plain words.\n", "x") == "text/plain"


def test_text_is_nfc_with_unix_newlines_and_raw_hash_is_of_the_bytes(tmp_path):
    """Decomposed accents become NFC, CRLF becomes LF, and raw_sha256 is of the original bytes."""
    raw = "Cafe\u0301 owner Ren\u0065\u0301e said the queue was long.\r\nIt rained.\r\n".encode("utf-8")
    f = tmp_path / "cafe.txt"
    f.write_bytes(raw)
    doc = read_path(f)
    assert doc.text == unicodedata.normalize("NFC", "Café owner Renée said the queue was long.\nIt rained.\n")
    assert "\r" not in doc.text
    assert doc.raw_sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.text_sha256 == hashlib.sha256(doc.text.encode()).hexdigest()


def test_confident_legacy_encoding_is_decoded(tmp_path):
    """A long Windows-1252 article with accented words decodes instead of being refused."""
    text = (
        "Le café de la gare a fermé ses portes après une décennie. Les habitants étaient très déçus, "
        "et la mairie a promis une réouverture prochaine. Élodie, serveuse, a déclaré qu'elle espérait revenir.\n"
    ) * 3
    f = tmp_path / "gare.txt"
    f.write_bytes(text.encode("cp1252"))
    assert read_path(f).text == text


def test_stdin_is_sniffed_and_appended(run_cli, simple_extractor, tmp_ledger):
    """``-`` reads stdin; HTML on stdin is recognised and reduced to its main text."""
    r = run_cli("append", "-", "--extractor", "simple-test", input=PAGE.encode())
    assert r.exit_code == 0, r.output
    src = events(tmp_ledger)[0]["data"]
    assert src["media_type"] == "text/html" and src["title"] == "Ferry Service Resumes After Storm"
    assert "Widget World" not in src["text"]


def test_front_matter_split_keeps_body_offsets_clean():
    """split_front_matter returns the exact body after the closing fence."""
    meta, body = split_front_matter("---\ntitle: A\n---\nBody.\n", "x.md")
    assert meta == {"title": "A"} and body == "Body.\n"
