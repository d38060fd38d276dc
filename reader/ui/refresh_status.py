"""The status line a refresh leaves: what came in, what failed, and whether we are offline."""

from __future__ import annotations

import time

from reader.library import FeedOutcome

OFFLINE_HINTS = ("cannot connect", "timed out", "name or service", "network")
"""Words in a feed error that mean the network, not the feed, is the problem."""


def is_offline(outcomes: list[FeedOutcome]) -> bool:
    """Whether every feed failed for want of a network, rather than by its own fault."""
    failed = [o for o in outcomes if o.error]
    return (
        bool(outcomes)
        and len(failed) == len(outcomes)
        and all(any(hint in (o.error or "").lower() for hint in OFFLINE_HINTS) for o in failed)
    )


def error_summary(feed_errors: dict[str, str]) -> str:
    """ " · title: error; title: error" for the feeds that failed, or ""."""
    if not feed_errors:
        return ""
    return "  ·  " + "; ".join(f"{title}: {err}" for title, err in feed_errors.items())


def final_status(
    outcomes: list[FeedOutcome],
    feed_errors: dict[str, str],
    *,
    now: float,
    offline: bool,
    stories_shown: int,
) -> str:
    """The line a finished refresh leaves; offline, it says whether anything cached is shown."""
    when = time.strftime("%H:%M", time.localtime(now))
    if offline:
        shown = "showing cached stories" if stories_shown else "nothing is cached yet"
        return f"Offline: no feed could be reached ({when}); {shown}"
    failed = [o for o in outcomes if o.error]
    waiting = [o for o in outcomes if o.skipped]
    status = f"Updated {when}  ·  {sum(o.new_stories for o in outcomes)} new"
    if store_error := next((o.store_error for o in outcomes if o.store_error), None):
        status += f"  ·  {store_error}"
    if waiting:
        status += f"  ·  {len(waiting)} waiting as their servers asked"
    if failed:
        status += f"  ·  {len(failed)} of {len(outcomes)} feeds failed" + error_summary(feed_errors)
    return status
