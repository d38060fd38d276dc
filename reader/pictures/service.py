"""Getting an article's pictures: from the cache, else fetched, checked, decoded and kept.

The library's `picture` and its prefetch come here. Everything is bounded: only http(s)
sources, the one HttpClient with its deadline and redirect cap and a size cap of our own, no
SVG, and decoding in a reader.workers pool (reader.pictures.decode) with a deadline and a
memory limit. A picture that fails costs only itself: its placeholder says why in one line,
and the failure is recorded so prefetch waits before asking again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from reader.config import Settings
from reader.document import Document, figures
from reader.net import FetchError, HttpClient, Reach, TimedOutHosts
from reader.pictures.model import NOT_DOWNLOADED, Picture, PictureOutcome
from reader.sanitize import clean_line, is_web_url
from reader.store import Store, StoreError
from reader.workers import WorkerFailed, WorkerPool, WorkerStopped, WorkerTimeout

MAX_PICTURE_BYTES = 10 * 1024 * 1024
"""Largest picture downloaded (10 MB): a full-size news photo is 0.2–3 MB; beyond this it is a
camera original or not a picture for reading."""
DECODE_TIMEOUT = 15.0
"""Seconds one picture may take to decode, scale and re-encode: the largest allowed (40 MP)
takes 1 s (JPEG) to 3 s (PNG with transparency) on a small, busy machine (bench/pictures.py),
so this leaves room for a fully loaded one; the cleaner's deadline is the same."""
DECODE_PROCESSES = 2
"""Pictures decoded at once: one per core of a small machine."""
DECODE_MEMORY = 1024**3
"""Address space a decoding process may use (1 GiB): a 40-megapixel picture needs about
160 MB as RGBA plus its scaled copy; anything needing more fails with MemoryError."""
PICTURES_PER_ARTICLE = 12
"""Pictures prefetch keeps of one article: the lead image and figures, in order. Long photo
essays have more; a dozen covers every article of the test corpora."""
PREFETCH_PICTURES_AT_ONCE = 4
"""Pictures prefetch fetches at the same time, over all articles: pictures are large, so fewer
than articles, leaving connections for the feeds and pages."""
ACCEPT = "image/webp,image/jpeg,image/png,image/gif;q=0.9,*/*;q=0.1"
"""What a picture request asks for: servers that choose a format by it then send one we
decode (not SVG, not an AVIF this Pillow may lack)."""
SNIFFED_BYTES = 1024
"""How far into a response to look for an SVG document's root element."""
DECODED_TYPES = frozenset({"jpeg", "jpg", "pjpeg", "png", "x-png", "apng", "gif", "webp", "avif"})
"""image/* subtypes of the formats decoded: a body of another image type that Pillow did not
recognise is named as an unsupported format rather than "not an image"."""


class _Refused(Exception):
    """The picture was fetched but will not be drawn; str(err) says why in one line."""


@dataclass(slots=True)
class PicturesKept:
    """What prefetching one article's pictures did."""

    kept: int = 0
    failed: int = 0
    store_error: str | None = None
    """Why pictures could not be stored (disk full, library busy): stop prefetching."""


def picture_sources(document: Document) -> list[str]:
    """The http(s) pictures of an article in reading order, lead image first, each once, at
    most PICTURES_PER_ARTICLE."""
    sources: list[str] = []
    for src in (document.image, *(figure.src for figure in figures(document.blocks))):
        if src and is_web_url(src) and src not in sources:
            sources.append(src)
    return sources[:PICTURES_PER_ARTICLE]


def is_svg(content_type: str, content: bytes) -> bool:
    """Whether a response is an SVG document, by its type or by its first bytes: SVG is a
    program-like format (scripts, external references) and is never drawn."""
    if content_type == "image/svg+xml":
        return True
    head = content[:SNIFFED_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<svg") or (head.startswith((b"<?xml", b"<!")) and b"<svg" in head)


class PictureService:
    """Pictures for the library: cached, or fetched through its client and decoded out of
    process. The decoding processes start on first use."""

    def __init__(self, store: Store, client: Callable[[], HttpClient], settings: Settings) -> None:
        self._store = store
        self._client = client
        self._settings = settings
        self._decoder: WorkerPool | None = None
        self._prefetching = asyncio.Semaphore(PREFETCH_PICTURES_AT_ONCE)
        self.decode_timeout = DECODE_TIMEOUT

    @property
    def decoder(self) -> WorkerPool:
        """The decoding processes, started on first use."""
        if self._decoder is None:
            from reader.pictures.decode import decode_picture

            self._decoder = WorkerPool(
                decode_picture, processes=DECODE_PROCESSES, memory=DECODE_MEMORY
            )
        return self._decoder

    async def picture(
        self,
        src: str,
        *,
        fetch: bool = True,
        article: str | None = None,
        reach: Reach = Reach.USER_CHOICE,
        timed_out: TimedOutHosts | None = None,
    ) -> PictureOutcome:
        """The picture from `src`: cached, else (with `fetch`) fetched, decoded and kept for
        `article`; or the one line its placeholder shows."""
        if not is_web_url(src):
            return PictureOutcome(None, "not an http(s) picture")
        src = src.strip()
        cached = await asyncio.to_thread(self._store.picture, src, article=article)
        if cached is not None:
            return await self._kept_for(cached, article)
        if not fetch:
            failure = await asyncio.to_thread(self._store.picture_failure, src)
            return PictureOutcome(None, NOT_DOWNLOADED if failure is None else failure[0])
        try:
            picture = await self._fetch(src, reach, timed_out)
        except FetchError as error:
            message = clean_line(str(error), 200)
            if error.skipped:
                return PictureOutcome(None, message)
            return await self._failed(src, message)
        except _Refused as refusal:
            return await self._failed(src, str(refusal))
        try:
            await asyncio.to_thread(self._store.save_picture, picture, article=article)
        except StoreError as error:
            return PictureOutcome(picture, store_error=str(error))
        return PictureOutcome(picture)

    async def keep_pictures(
        self, document: Document, article: str, *, reach: Reach, timed_out: TimedOutHosts
    ) -> PicturesKept:
        """Fetch and keep the pictures of a prefetched article that it does not keep yet and
        whose last failure is not too recent; each failure costs only its own picture."""
        report = PicturesKept()

        async def keep(src: str) -> None:
            if await asyncio.to_thread(self._store.has_picture, src, article):
                return
            failure = await asyncio.to_thread(self._store.picture_failure, src)
            if failure is not None and failure[1] > time.time():
                return  # it failed lately: wait for its back-off, as articles do
            async with self._prefetching:
                if report.store_error is not None:
                    return
                outcome = await self.picture(src, article=article, reach=reach, timed_out=timed_out)
            if outcome.store_error is not None:
                report.store_error = outcome.store_error
            elif outcome.picture is None:
                report.failed += 1
            else:
                report.kept += 1

        async def keep_or_stop(src: str) -> None:
            try:
                await keep(src)
            except StoreError as error:  # a read failed: the library is in trouble, stop
                report.store_error = str(error)

        await asyncio.gather(*(keep_or_stop(src) for src in picture_sources(document)))
        return report

    async def _kept_for(self, cached: Picture, article: str | None) -> PictureOutcome:
        """A cached picture, kept for `article` too when another article fetched it, so it
        stays as long as this one does."""
        if article is None:
            return PictureOutcome(cached)
        try:
            if not await asyncio.to_thread(self._store.has_picture, cached.src, article):
                await asyncio.to_thread(self._store.save_picture, cached, article=article)
        except StoreError as error:
            return PictureOutcome(cached, store_error=str(error))
        return PictureOutcome(cached)

    async def _failed(self, src: str, error: str) -> PictureOutcome:
        """Record a failed picture, so prefetch waits (longer each time) before trying again."""
        try:
            await asyncio.to_thread(self._store.record_prefetch_failure, src, error)
        except StoreError as store_error:
            return PictureOutcome(None, error, store_error=str(store_error))
        return PictureOutcome(None, error)

    async def _fetch(self, src: str, reach: Reach, timed_out: TimedOutHosts | None) -> Picture:
        """Download and decode the picture; FetchError or _Refused with the reason."""
        result = await self._client().get(
            src,
            headers={"Accept": ACCEPT},
            timeout=self._settings.article_timeout,
            max_bytes=MAX_PICTURE_BYTES,
            reach=reach,
            timed_out=timed_out,
        )
        if is_svg(result.content_type, result.content):
            raise _Refused("unsupported format (svg)")
        try:
            decoded = await self.decoder.run(result.content, timeout=self.decode_timeout)
        except WorkerTimeout:
            raise _Refused("took too long") from None
        except WorkerStopped:
            raise _Refused("the decoder stopped on this picture") from None
        except WorkerFailed as error:
            if str(error) == "MemoryError":
                raise _Refused("needs too much memory") from None
            raise _Refused(f"could not be decoded ({error})") from None
        if isinstance(decoded, str):
            kind = result.content_type.removeprefix("image/")
            named = kind != result.content_type and kind not in DECODED_TYPES
            if decoded == "not an image" and named:
                raise _Refused(f"unsupported format ({clean_line(kind, 40)})")
            raise _Refused(decoded)
        width, height, data = decoded
        return Picture(src, width, height, data)

    def close(self) -> None:
        """Stop the idle decoding processes."""
        if self._decoder is not None:
            self._decoder.close()
