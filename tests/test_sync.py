"""`newsreader sync` is bounded: a run deadline, and hosts that time out are skipped.

A StallingServer stands for a host that never answers; deadlines are given by each test, and
the assertions are on what was asked and what the summary says, never on how long it took.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import LoopbackServer, StallingServer, rss_linking_to

from reader.cli import main
from reader.config import Settings
from reader.sync import run_sync


@pytest.fixture
def hung() -> Iterator[StallingServer]:
    """A host that accepts connections and never answers."""
    server = StallingServer()
    try:
        yield server
    finally:
        server.stop()


def test_a_host_that_times_out_is_skipped_for_the_rest_of_the_run(
    http_server: LoopbackServer, hung: StallingServer, tmp_path: Path
) -> None:
    # The hung host's own feed times out during the refresh; the eight stories another feed
    # links to on that host are then skipped by the prefetch, not waited for one by one.
    links = [hung.url(f"/story-{n}.html") for n in range(8)]
    good = http_server.route("/feeds/links.xml", body=rss_linking_to(links))
    settings = Settings(data_dir=tmp_path, feeds=(good, hung.url("/feed.xml")), feed_timeout=3.0)
    out, err = io.StringIO(), io.StringIO()
    assert run_sync(settings, out=out, err=err) == 1
    assert hung.connections == 1
    assert out.getvalue().strip() == (
        "1/2 feeds updated, 8 new stories, 0 articles cached; "
        f"failed feeds: {hung.url('/feed.xml')}; "
        f"timed out: {hung.host} (8 requests skipped)"
    )
    assert "timed out after 3 s" in err.getvalue()


def test_one_failed_feed_of_two_exits_1_and_the_summary_names_it(
    http_server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = http_server.route("/feeds/good.xml", body=rss_linking_to([]))
    gone = http_server.url("/feeds/gone.xml")
    code = main(["sync", "--data-dir", str(tmp_path), "--feed", good, "--feed", gone])
    out = capsys.readouterr().out
    assert code == 1
    assert (
        out.strip() == f"1/2 feeds updated, 0 new stories, 0 articles cached; failed feeds: {gone}"
    )


def test_every_feed_updated_exits_0(
    http_server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = http_server.route("/feeds/good.xml", body=rss_linking_to([]))
    assert main(["sync", "--data-dir", str(tmp_path), "--feed", good]) == 0
    assert "failed" not in capsys.readouterr().out


def test_the_time_limit_bounds_the_whole_run(hung: StallingServer, tmp_path: Path) -> None:
    # A feed deadline of a minute, a run limit of half a second: the run limit wins.
    settings = Settings(data_dir=tmp_path, feeds=(hung.url("/feed.xml"),), feed_timeout=60.0)
    out = io.StringIO()
    assert run_sync(settings, max_time=0.5, out=out, err=io.StringIO()) == 1
    assert out.getvalue().strip() == (
        "0/1 feeds updated, 0 new stories, 0 articles cached; "
        "stopped at the 0.5 s limit (1 feeds, 0 articles left for the next run)"
    )


def test_max_time_on_the_command_line(
    hung: StallingServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["sync", "--max-time", "0.5", "--data-dir", str(tmp_path), "--feed", hung.url("/f.xml")]
    )
    assert code == 1
    assert "stopped at the 0.5 s limit" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["0", "-5", "soon", "inf", "nan"])
def test_max_time_must_be_a_positive_number(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "--max-time", value]) == 2
    assert "expected a positive number of seconds" in capsys.readouterr().err
