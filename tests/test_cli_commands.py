"""The script commands: feeds, OPML import and export, list, read formats, config, exit codes.

Every test runs on its own data directory and settings file, with feeds served on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main
from reader.feeds import FeedEntry, ParsedFeed
from reader.feeds.opml import parse_opml
from reader.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
HTML_TYPE = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or write the real user's settings or library."""
    monkeypatch.setenv("NEWSREADER_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("NEWSREADER_DATA_DIR", str(tmp_path / "default-data"))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `newsreader ARGS`."""
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def newsreader(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m reader ARGS` in a subprocess, as a script would run it."""
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
    )


def feeds(data: Path) -> list[tuple[str, str, str]]:
    store = Store(data / "library.sqlite3")
    try:
        return [(s.url, s.title, s.folder) for s in store.subscriptions()]
    finally:
        store.close()


# feeds add / list / remove


def test_add_a_feed_url_then_list_it(http_server, capsys, data: Path) -> None:
    url = http_server.url("/feeds/rss2.xml")
    code, out, err = run(capsys, "--data-dir", str(data), "feeds", "add", url)
    assert (code, out) == (EXIT_OK, url + "\n")
    assert "subscribed to Harbour Gazette" in err and "new)" in err
    code, out, err = run(capsys, "feeds", "list", "--data-dir", str(data))
    assert (code, out, err) == (EXIT_OK, f"{url}\tHarbour Gazette\n", "")
    # Adding it again is fine and says so.
    code, out, err = run(capsys, "--data-dir", str(data), "feeds", "add", url)
    assert code == EXIT_OK and "already subscribed" in err


def test_add_a_page_takes_its_first_feed_and_says_which(http_server, capsys, data: Path) -> None:
    code, out, err = run(
        capsys, "--data-dir", str(data), "feeds", "add", http_server.url("/discover/blog.html")
    )
    feed = http_server.url("/feeds/rss2.xml")
    assert (code, out) == (EXIT_OK, feed + "\n")
    assert f"found the feed {feed}" in err and "linked from the page" in err
    assert "2 more found: add one by its URL to choose it" in err
    # The others are named by the URL that chooses them, one a line.
    assert f"newsreader: also found {http_server.url('/feeds/atom.xml')} (Orbit Weekly)\n" in err
    assert f"newsreader: also found {http_server.url('/feeds/feed.json')} (Circuit Ledger" in err
    assert feeds(data) == [(feed, "Harbour Gazette", "")]


def test_add_skips_an_announced_feed_that_is_gone(http_server, capsys, data: Path) -> None:
    code, out, err = run(
        capsys,
        *("--data-dir", str(data), "feeds", "add", http_server.url("/discover/broken-links.html")),
    )
    assert (code, out) == (EXIT_OK, http_server.url("/feeds/atom.xml") + "\n")
    assert "skipping" in err and "404" in err


def test_add_finds_a_feed_at_a_common_path(http_server, capsys, data: Path) -> None:
    http_server.route(
        "/feed.xml", body=(FIXTURES / "feeds" / "atom.xml").read_bytes(),
        headers={"Content-Type": "application/atom+xml"},
    )  # fmt: skip
    code, out, err = run(
        capsys, "--data-dir", str(data), "feeds", "add", http_server.url("/discover/plain.html")
    )
    assert (code, out) == (EXIT_OK, http_server.url("/feed.xml") + "\n")
    assert "at a common feed path" in err


def test_add_with_name_and_folder(http_server, capsys, data: Path) -> None:
    url = http_server.url("/feeds/atom.xml")
    code, _out, _err = run(
        capsys,
        *("--data-dir", str(data), "feeds", "add", url, "--name", " My\tspace "),
        *("--folder", " Science / Space/ "),
    )
    assert code == EXIT_OK
    assert feeds(data) == [(url, "My space", "Science/Space")]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/discover/missing.html", "HTTP 404"),
        ("/discover/plain.html", "no feed found"),
        ("/cut/feed.xml", "no feed found"),  # a truncated feed, nothing else around it
    ],
)
def test_add_failures_are_one_line_and_exit_1(
    http_server, capsys, data: Path, path: str, reason: str
) -> None:
    http_server.route("/cut/feed.xml", body=(FIXTURES / "feeds" / "broken.xml").read_bytes())
    code, out, err = run(capsys, "--data-dir", str(data), "feeds", "add", http_server.url(path))
    assert (code, out) == (EXIT_FAILURE, "")
    assert len(err.splitlines()) == 1 and reason in err and err.startswith("newsreader: ")
    assert feeds(data) == []


def test_remove(http_server, capsys, data: Path) -> None:
    url = http_server.url("/feeds/rss2.xml")
    run(capsys, "--data-dir", str(data), "feeds", "add", url)
    assert run(capsys, "--data-dir", str(data), "feeds", "remove", url)[0] == EXIT_OK
    assert feeds(data) == []
    code, out, err = run(capsys, "--data-dir", str(data), "feeds", "remove", url)
    assert (code, out) == (EXIT_FAILURE, "") and "not subscribed" in err


def test_list_of_no_feeds_is_empty_with_a_note(capsys, data: Path) -> None:
    code, out, err = run(capsys, "--data-dir", str(data), "feeds", "list")
    assert (code, out) == (EXIT_OK, "") and "no feeds yet" in err


# OPML


def real_world_opml(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "subscriptions.opml"
    text = (FIXTURES / "opml" / "real-world.opml").read_bytes()
    path.write_bytes(text.replace(b"{{BASE}}", base.encode()))
    return path


def test_import_then_export_keeps_feeds_names_and_folders(
    http_server, capsys, tmp_path: Path, data: Path
) -> None:
    source = real_world_opml(tmp_path, http_server.base)
    code, out, err = run(capsys, "--data-dir", str(data), "import", str(source))
    assert (code, out) == (EXIT_OK, "") and "imported 9 feeds" in err
    assert "9 new, 0 updated, 0 already there" in err
    expected = parse_opml(source.read_bytes())
    listed = {url: (title, folder) for url, title, folder in feeds(data)}
    # A feed without a name is listed by its URL until its first refresh gives it a title.
    assert listed == {f.url: (f.title or f.url, f.folder) for f in expected}

    code, exported, err = run(capsys, "--data-dir", str(data), "export")
    assert (code, err) == (EXIT_OK, "")
    assert sorted(parse_opml(exported.encode()), key=lambda f: f.url) == sorted(
        [f if f.title else type(f)(f.url, f.url, f.folder) for f in expected],
        key=lambda f: f.url,
    )

    # Into a fresh library, and out again: the same document.
    exported_file = tmp_path / "out.opml"
    assert run(capsys, "--data-dir", str(data), "export", str(exported_file))[0] == EXIT_OK
    assert exported_file.read_text() == exported
    fresh = tmp_path / "fresh"
    assert run(capsys, "--data-dir", str(fresh), "import", str(exported_file))[0] == EXIT_OK
    assert run(capsys, "--data-dir", str(fresh), "export") == (EXIT_OK, exported, "")


def test_import_keeps_the_users_names_and_folders_and_says_what_it_changed(
    http_server, capsys, tmp_path: Path, data: Path
) -> None:
    named, bare, disabled = (http_server.url(f"/feeds/{n}.xml") for n in ("a", "b", "c"))
    store = Store(data / "library.sqlite3")
    try:
        store.subscribe(named, name="My name", folder="Mine")
        store.subscribe(bare)
        store.subscribe(disabled, name="Off")
        store.update_subscription(disabled, enabled=False)
    finally:
        store.close()
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Tech">'
        f'<outline type="rss" text="Their name" xmlUrl="{named}"/>'
        f'<outline type="rss" text="Filled" xmlUrl="{bare}"/>'
        f'<outline type="rss" text="Off too" xmlUrl="{disabled}"/>'
        f'<outline type="rss" text="Brand new" xmlUrl="{http_server.url("/feeds/d.xml")}"/>'
        "</outline></body></opml>"
    )
    code, _out, err = run(capsys, "--data-dir", str(data), "import", str(opml))
    assert code == EXIT_OK
    assert err == (
        f"newsreader: imported 4 feeds from {opml}: 1 new, 2 updated (name filled in for 1, "
        "folder filled in for 2), 1 already there; kept your own name or folder for 2\n"
    )
    assert sorted(feeds(data)) == sorted(
        [
            (named, "My name", "Mine"),
            (bare, "Filled", "Tech"),
            (disabled, "Off", "Tech"),
            (http_server.url("/feeds/d.xml"), "Brand new", "Tech"),
        ]
    )
    store = Store(data / "library.sqlite3")
    try:
        assert {s.url: s.enabled for s in store.subscriptions()}[disabled] is False
    finally:
        store.close()


def test_import_from_stdin(http_server, tmp_path: Path, data: Path) -> None:
    source = real_world_opml(tmp_path, http_server.base)
    result = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(data), "import", "-"],
        input=source.read_bytes(),
        capture_output=True,
        timeout=60,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == EXIT_OK and result.stdout == b""
    assert len(feeds(data)) == 9


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "no such file"),
        (b"<rss/>", "not an OPML file"),
        (b"<opml><body/></opml>", "no feeds"),
        (b'<!DOCTYPE opml [<!ENTITY x "y">]><opml/>', "DOCTYPE"),
    ],
)
def test_import_failures(
    capsys, tmp_path: Path, data: Path, content: bytes | None, reason: str
) -> None:
    path = tmp_path / "in.opml"
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "--data-dir", str(data), "import", str(path))
    assert (code, out) == (EXIT_FAILURE, "") and reason in err and len(err.splitlines()) == 1


def test_export_to_an_unwritable_place_fails_cleanly(capsys, tmp_path: Path, data: Path) -> None:
    code, out, err = run(
        capsys, "--data-dir", str(data), "export", str(tmp_path / "no" / "such" / "dir.opml")
    )
    assert (code, out) == (EXIT_FAILURE, "") and "no such file" in err


# --data-dir and a damaged library


def test_a_data_dir_that_is_a_file_is_one_clear_line(capsys, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "passwd"
    not_a_folder.write_text("root:x:0:0\n")
    code, out, err = run(capsys, "--data-dir", str(not_a_folder), "list")
    assert (code, out) == (EXIT_FAILURE, "")
    assert err == f"newsreader: --data-dir {not_a_folder}: exists and is not a folder\n"


def test_a_data_dir_whose_parent_is_missing_is_refused_not_created(capsys, tmp_path: Path) -> None:
    deep = tmp_path / "nonexistent" / "x" / "y"
    code, out, err = run(capsys, "--data-dir", str(deep), "list")
    assert (code, out) == (EXIT_FAILURE, "") and "does not exist" in err
    assert not (tmp_path / "nonexistent").exists()
    # The one last component is created, as for a fresh install.
    assert run(capsys, "--data-dir", str(tmp_path / "fresh"), "list")[0] == EXIT_OK
    assert (tmp_path / "fresh").is_dir()


@pytest.mark.parametrize("command", [["list"], ["cache"], ["feeds", "list"], ["export"]])
def test_a_damaged_library_set_aside_is_said_on_stderr(
    capsys, data: Path, command: list[str]
) -> None:
    data.mkdir()
    (data / "library.sqlite3").write_bytes(b"this is not a database" * 100)
    code, _out, err = run(capsys, "--data-dir", str(data), *command)
    assert code == EXIT_OK
    assert "damaged and has been set aside as" in err


# list


def add_stories(data: Path, feed_url: str, count: int) -> None:
    store = Store(data / "library.sqlite3")
    entries = [
        FeedEntry(
            id=f"story-{n}",
            title=f"Story {n}\twith a tab",
            link=f"https://news.example/{n}",
            published=datetime.fromtimestamp(1_700_000_000 + n * 3600, UTC),
            summary=f"Summary {n}",
            content_html="",
            author="Desk",
        )
        for n in range(count)
    ]
    store.subscribe(feed_url)
    store.save_feed(feed_url, ParsedFeed("Example News", "https://news.example/", entries))
    store.close()


def test_list_prints_stories_newest_first(capsys, data: Path) -> None:
    add_stories(data, "https://news.example/feed", 3)
    code, out, err = run(capsys, "--data-dir", str(data), "list")
    assert (code, err) == (EXIT_OK, "")
    rows = [line.split("\t") for line in out.splitlines()]
    assert [row[2] for row in rows] == [
        "Story 2 with a tab",
        "Story 1 with a tab",
        "Story 0 with a tab",
    ]
    assert rows[0] == [
        "2023-11-15 00:13",
        "Example News",
        "Story 2 with a tab",
        "https://news.example/2",
    ]


def test_list_json_and_unread(capsys, data: Path) -> None:
    add_stories(data, "https://news.example/feed", 3)
    store = Store(data / "library.sqlite3")
    story = store.stories()[0]
    store.set_read(story.id)
    store.close()
    code, out, _err = run(capsys, "--data-dir", str(data), "list", "--json")
    stories = json.loads(out)
    assert code == EXIT_OK
    assert stories[0] == {
        "id": story.id,
        "title": "Story 2\twith a tab",
        "link": "https://news.example/2",
        "source": "Example News",
        "feed_url": "https://news.example/feed",
        "author": "Desk",
        "published": "2023-11-15T00:13:20+00:00",
        "read": True,
        "cached": False,
        "saved": False,
        "summary": "Summary 2",
    }
    code, out, _err = run(capsys, "--data-dir", str(data), "list", "--unread", "--json")
    assert [s["link"] for s in json.loads(out)] == [
        "https://news.example/1",
        "https://news.example/0",
    ]


def test_list_honours_feed_and_disabled_feeds(capsys, data: Path) -> None:
    add_stories(data, "https://news.example/feed", 2)
    code, out, _err = run(
        capsys, "--data-dir", str(data), "--feed", "https://other.example/rss", "list"
    )
    assert (code, out) == (EXIT_OK, "")
    store = Store(data / "library.sqlite3")
    store.update_subscription("https://news.example/feed", enabled=False)
    store.close()
    assert run(capsys, "--data-dir", str(data), "list", "--json")[1] == "[]\n"


def test_a_closed_pipe_is_not_an_error(data: Path) -> None:
    add_stories(data, "https://news.example/feed", 3000)  # far more than a pipe buffer holds
    process = subprocess.Popen(
        [sys.executable, "-m", "reader", "--data-dir", str(data), "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT_ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith(b"20")
    process.stdout.close()
    assert process.wait(timeout=60) == EXIT_OK
    assert process.stderr.read() == b""


# read formats


def test_read_as_markdown(http_server, capsys) -> None:
    url = http_server.url("/site/quiet-harbour.html")
    code, out, err = run(capsys, "read", url, "--format", "markdown")
    assert code == EXIT_OK, err
    title, blank, meta, blank2, source, *_body = out.splitlines()
    assert title.startswith("# ") and blank == blank2 == ""
    assert meta.startswith("*") and "Harbour Gazette" in meta and source == f"<{url}>"
    assert len(out.split()) > 150


def test_read_as_json(http_server, capsys) -> None:
    code, out, _err = run(
        capsys, "read", http_server.url("/site/quiet-harbour.html"), "--format", "json"
    )
    document = json.loads(out)
    assert code == EXIT_OK
    assert document["title"] and document["is_article"] is True
    paragraphs = [block for block in document["blocks"] if block["kind"] == "paragraph"]
    assert len(paragraphs) > 3 and paragraphs[0]["spans"][0]["text"]


def test_read_refuses_a_page_nesting_past_the_budget_in_one_line(http_server, capsys) -> None:
    # "</x>" closes nothing: 5,000 of these <div>s nest 5,000 deep.
    url = http_server.route(
        "/deep.html", body="<html><body>" + "<div></x>" * 5_000, headers=HTML_TYPE
    )
    code, out, err = run(capsys, "read", url)
    assert (code, out) == (EXIT_FAILURE, "")
    assert err.startswith("newsreader: ") and len(err.splitlines()) == 1
    assert "nests too deeply to clean" in err


def test_read_cleans_in_the_bounded_worker(
    http_server, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With no time at all allowed, the worker's deadline, not the page, decides.
    import reader.cleaner

    monkeypatch.setattr(reader.cleaner, "CLEAN_TIMEOUT", 0.0001)
    code, out, err = run(capsys, "read", http_server.url("/site/quiet-harbour.html"))
    assert (code, out) == (EXIT_FAILURE, "")
    assert err.startswith("newsreader: ") and len(err.splitlines()) == 1
    assert "gave up cleaning the page after 0 s" in err


# config and usage


def test_config_path_and_check(capsys, tmp_path: Path) -> None:
    assert run(capsys, "config", "path") == (EXIT_OK, f"{tmp_path / 'config.toml'}\n", "")
    code, out, err = run(capsys, "config", "check")
    assert (code, out) == (EXIT_OK, "") and "using the defaults" in err
    (tmp_path / "config.toml").write_text("theme = 'nord'\nreading_width = 'wide'\n")
    code, out, err = run(capsys, "config", "check")
    assert (code, out) == (EXIT_FAILURE, "")
    assert err.startswith(f"{tmp_path / 'config.toml'}:2: reading_width: expected a whole number")


def test_config_check_reports_unknown_actions_themes_and_taken_keys(capsys, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '# mine\ntheme = "nrod"\n\n[keys]\nrefersh = "ctrl+r"\nsearch = "f"\nfilter = "g"\n'
    )
    code, out, err = run(capsys, "config", "check")
    assert (code, out) == (EXIT_FAILURE, "")
    assert err.splitlines() == [
        f'{path}:2: theme: no such theme "nrod" (did you mean "nord"?); using the default '
        '"textual-dark"',
        f'{path}:5: refersh: no such action (did you mean "refresh"?); ignored',
        f'{path}:7: filter: "g" is already the key of first in the story list; keeping the '
        "default keys",
        # Filter keeps "f", so search cannot have it.
        f'{path}:6: search: "f" is already the key of filter in the story list; keeping the '
        "default keys",
    ]
    # With filter moved off "f" (onto a free key), search may take it.
    path.write_text('[keys]\nsearch = "f"\nfilter = "ctrl+f"\n')
    code, out, err = run(capsys, "config", "check")
    assert (code, err) == (EXIT_OK, f"newsreader: {path}: ok\n")
    path.write_text('[keys]\nsearch = "f"\n')
    code, out, err = run(capsys, "config", "check")
    assert code == EXIT_FAILURE
    assert err == (
        f'{path}:2: search: "f" is already the key of filter in the story list; keeping the '
        "default keys\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["bogus"],
        ["feeds"],
        ["feeds", "add"],
        ["read"],
        ["read", "https://example.com/", "--format", "pdf"],
        ["list", "--colour"],
        ["config"],
    ],
)
def test_usage_errors_exit_2(capsys, args: list[str]) -> None:
    code, out, err = run(capsys, *args)
    assert (code, out) == (EXIT_USAGE, "") and "usage:" in err


@pytest.mark.parametrize("command", [["list"], ["sync"], ["feeds", "add"], ["import"]])
def test_global_options_are_listed_once_at_the_top(capsys, command: list[str]) -> None:
    code, out, _err = run(capsys, *command, "--help")
    assert code == EXIT_OK
    assert "--data-dir" not in out.split("\n\n")[0]  # not in the usage line
    assert "where the library is kept" not in out and "newsreader --help" in out
    code, out, _err = run(capsys, "--help")
    assert out.count("where the library is kept") == 1


def test_help_documents_exit_codes(capsys) -> None:
    code, out, _err = run(capsys, "--help")
    assert code == EXIT_OK and "exit status:" in out and "130" in out
    for command in ("read", "list", "feeds", "import", "export", "config"):
        assert command in out


def test_no_script_command_imports_textual(http_server, tmp_path: Path) -> None:
    """Each command runs in one fresh interpreter that must never load Textual."""
    opml = real_world_opml(tmp_path, http_server.base)
    data = str(tmp_path / "probe-data")
    commands = [
        ["feeds", "add", http_server.url("/discover/blog.html")],
        ["feeds", "list"],
        ["import", str(opml)],
        ["export", str(tmp_path / "out.opml")],
        ["list"],
        ["list", "--json", "--unread"],
        ["read", http_server.url("/site/quiet-harbour.html"), "--format", "markdown"],
        ["read", http_server.url("/site/quiet-harbour.html"), "--format", "json"],
        ["feeds", "remove", http_server.url("/feeds/rss2.xml")],
        ["config", "path"],
        ["config", "check"],
    ]
    probe = (
        "import io, sys, contextlib\n"
        "from reader.cli import main\n"
        f"for args in {commands!r}:\n"
        f"    with contextlib.redirect_stdout(io.StringIO()):\n"
        f"        code = main(['--data-dir', {data!r}, *args])\n"
        "    assert code == 0, (args, code)\n"
        "    assert 'textual' not in sys.modules, args\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT
    )
    assert result.stdout == "ok\n", result.stderr


def test_python_dash_m_reader_runs_commands(tmp_path: Path) -> None:
    result = newsreader("--data-dir", str(tmp_path / "d"), "feeds", "list")
    assert result.returncode == EXIT_OK and result.stdout == ""
    assert "no feeds yet" in result.stderr


def test_library_commands_load_no_network_stack(tmp_path: Path) -> None:
    """Commands that only read the library skip httpx, asyncio and the cleaner: start-up time."""
    data = str(tmp_path / "probe-data")
    commands = [["feeds", "list"], ["list", "--json"], ["export"], ["config", "path"]]
    heavy = ["httpx", "asyncio", "textual", "reader.net", "reader.library", "reader.extract"]
    probe = (
        "import io, sys, contextlib\n"
        "from reader.cli import main\n"
        f"for args in {commands!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        f"        assert main(['--data-dir', {data!r}, *args]) == 0, args\n"
        f"print([name for name in {heavy!r} if name in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT
    )
    assert result.stdout == "[]\n", result.stderr
