"""The `newsreader` command line: version, help, and `read URL` for scripts."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reader import __version__
from reader.cli import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", *args], capture_output=True, text=True, timeout=60
    )


def test_version_and_help() -> None:
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"newsreader {__version__}"
    help_ = run_cli("--help")
    assert help_.returncode == 0
    assert "--feed" in help_.stdout and "--data-dir" in help_.stdout and "read" in help_.stdout


def test_read_prints_the_clean_article(http_server, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["read", http_server.url("/site/quiet-harbour.html")])
    out = capsys.readouterr()
    assert code == 0, out.err
    title, meta, blank, *body = out.out.splitlines()
    assert title and "Harbour Gazette" in meta and blank == ""
    assert len(" ".join(body).split()) > 150
    assert "Subscribe" not in out.out


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/site/missing-page.html", "404"), ("/feeds/feed.json", "not an HTML page")],
)
def test_read_failure_is_one_line_on_stderr(
    http_server, capsys: pytest.CaptureFixture[str], path: str, reason: str
) -> None:
    assert main(["read", http_server.url(path)]) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert len(out.err.strip().splitlines()) == 1 and reason in out.err


def test_read_refuses_non_web_links(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "file:///etc/passwd"]) == 1
    assert "http" in capsys.readouterr().err


def test_script_paths_and_services_never_import_textual() -> None:
    probe = (
        "import sys; import reader.cli, reader.library, reader.store, reader.extract, "
        "reader.feeds, reader.net; from reader.cli import build_parser; build_parser(); "
        "print('textual' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
