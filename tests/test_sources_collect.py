"""Expanding folders, globs and links into an ordered list of inputs."""

from __future__ import annotations

import os

from ledger.sources.collect import collect


def names(items):
    return [(os.path.relpath(i.origin) if i.kind == "file" else i.origin, i.kind) for i in items]


def test_folder_is_walked_recursively_in_sorted_order_with_known_suffixes_only(tmp_path, monkeypatch):
    """Files come depth first in name order; hidden files and unknown suffixes are skipped."""
    monkeypatch.chdir(tmp_path)
    for rel in ["arts/b.txt", "arts/a.md", "arts/sub/c.html", "arts/sub/d.htm", "arts/z.txt",
                "arts/.hidden.txt", "arts/photo.png", "arts/.git/x.txt", "arts/sub/page_files/s.css"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    got = [name for name, _ in names(collect(["arts"]))]
    assert got == ["arts/a.md", "arts/b.txt", "arts/sub/c.html", "arts/sub/d.htm", "arts/z.txt"]


def test_globs_expand_sorted_and_a_glob_matching_nothing_is_an_error(tmp_path, monkeypatch):
    """A quoted glob expands (recursively with **); one that matches nothing is a failed input."""
    monkeypatch.chdir(tmp_path)
    for rel in ["n/2.md", "n/1.md", "n/deep/3.md", "n/x.txt"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    assert [n for n, _ in names(collect(["n/*.md"]))] == ["n/1.md", "n/2.md"]
    assert [n for n, _ in names(collect(["n/**/*.md"]))] == ["n/1.md", "n/2.md", "n/deep/3.md"]
    (err,) = collect(["n/*.pdf"])
    assert err.kind == "error" and err.error == "n/*.pdf: matches no files"


def test_arguments_keep_their_order_and_duplicates_are_dropped(tmp_path, monkeypatch):
    """Inputs follow the command line; the same file named twice is appended once."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    got = names(collect(["b.txt", "https://example.org/a", "a.txt", "./b.txt", "-"], read_stdin=lambda: b"hi"))
    assert got == [("b.txt", "file"), ("https://example.org/a", "url"), ("a.txt", "file"), ("<stdin>", "stdin")]


def test_symlink_to_an_ancestor_folder_is_reported_as_a_loop_not_walked(tmp_path, monkeypatch):
    """A link back up the tree becomes one failed input; the real files are still listed once."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "top/inner").mkdir(parents=True)
    (tmp_path / "top/inner/a.txt").write_text("x")
    os.symlink("..", tmp_path / "top/inner/back")
    items = collect(["top"])
    files = [i.origin for i in items if i.kind == "file"]
    errors = [i.error for i in items if i.kind == "error"]
    assert files == ["top/inner/a.txt"]
    assert len(errors) == 1 and "top/inner/back" in errors[0] and "symbolic link loop" in errors[0]


def test_folder_reached_twice_through_a_link_is_listed_once(tmp_path, monkeypatch):
    """A sibling link to a folder already walked adds no duplicates and no error."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "top/real").mkdir(parents=True)
    (tmp_path / "top/real/a.txt").write_text("x")
    os.symlink("real", tmp_path / "top/same")
    items = collect(["top"])
    assert [i.kind for i in items] == ["file"]
