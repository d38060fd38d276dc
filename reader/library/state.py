"""The library's read and saved state: what the user did with stories, kept in the store and,
for an account's stories, queued for its server in the same write and sent in the background.

A part of `Library` kept in its own module by concern; it works on the library's store, its
sources in use and its accounts.
"""

from __future__ import annotations

import asyncio

from reader.library.core import LibraryCore
from reader.store import Story


class LibraryState(LibraryCore):
    """Marking stories read, unread, saved and unsaved."""

    async def mark_read(self, story: Story, is_read: bool = True) -> None:
        """Record that the user has (or has not) read a story."""
        await asyncio.to_thread(self.store.set_read, story.id, is_read)
        self.accounts.send_soon()

    async def mark_all_read(self) -> list[int]:
        """Mark every story of the sources in use read; returns the ids that changed."""
        feeds = await asyncio.to_thread(self.feed_urls)
        changed = await asyncio.to_thread(self.store.mark_all_read, feeds)
        self.accounts.send_soon()
        return changed

    async def mark_unread(self, story_ids: list[int]) -> None:
        """Mark these stories unread again: the undo of mark_all_read."""
        await asyncio.to_thread(self.store.mark_unread, story_ids)
        self.accounts.send_soon()

    async def set_saved(self, story: Story, is_saved: bool) -> None:
        """Save a story (kept offline for good) or unsave it."""
        await asyncio.to_thread(self.store.set_saved, story.id, is_saved)
        self.accounts.send_soon()
