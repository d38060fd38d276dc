"""Undoing Content-Encoding under a cap: every layer's output is bounded, not only the last.

httpx's own decoders expand stacked `gzip, gzip` bodies in memory, so the client reads the raw
body and decodes it here. `BodyDecoder.decode` is plain CPU work: the client runs it in a thread,
never on the event loop the interface draws from.
"""

from __future__ import annotations

import zlib

from reader.net.errors import FetchError, size_text

DECODE_CHUNK = 64 * 1024
"""Largest piece a decompressor may emit at once, so memory stays bounded per layer."""
MAX_ENCODING_LAYERS = 3
"""Stacked Content-Encodings accepted; real servers use one, more is a bomb or a bug."""
SUPPORTED_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate"})
"""What zlib decodes under our cap; brotli and zstd would need decoders we cannot bound."""


class _TooLarge(Exception):
    """A layer's output passed the cap."""


class _Layer:
    """One Content-Encoding undone by zlib, never emitting more than DECODE_CHUNK at once."""

    def __init__(self, encoding: str) -> None:
        # gzip and x-gzip are one format. "deflate" should be zlib-wrapped, but many servers
        # send raw deflate: the first two bytes tell which, so deflate waits for them.
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16) if encoding != "deflate" else None
        self._head = b""
        self.tail = b""
        """Input not yet consumed because the output chunk was full."""
        self.emitted = 0
        """Bytes this layer has produced so far: held to the cap like the body itself."""

    @property
    def eof(self) -> bool:
        """Whether the compressed stream has ended (later bytes are ignored)."""
        return self._inflater is not None and self._inflater.eof

    def decompress(self, data: bytes) -> bytes:
        """Up to DECODE_CHUNK bytes of output; input left over waits in `tail`."""
        if self._inflater is None:
            self._head += data
            if len(self._head) < 2:
                self.tail = b""
                return b""
            data, self._head = self._head, b""
            zlib_wrapped = (data[0] & 0x0F) == 8 and int.from_bytes(data[:2], "big") % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
        out = self._inflater.decompress(data, DECODE_CHUNK)
        self.tail = self._inflater.unconsumed_tail
        self.emitted += len(out)
        return out


class BodyDecoder:
    """Undoes stacked Content-Encodings, failing as soon as any layer's output passes the cap.

    Each layer is capped, not only the last: an inner stream of empty deflate blocks can take
    gigabytes from the outer layer while producing nothing. And once an inner stream has ended,
    what its outer layers still hold is junk after the end, so they stop too.
    """

    def __init__(self, content_encoding: str, cap: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > MAX_ENCODING_LAYERS:
            raise FetchError(f"too many content encodings ({len(codings)})")
        for coding in codings:
            if coding not in SUPPORTED_ENCODINGS:
                raise FetchError(f"unsupported content encoding: {coding}")
        # The last encoding listed was applied last, so it comes off first.
        self.layers = [_Layer(c) for c in reversed(codings)]
        """Outermost first."""
        self._cap = cap
        self._out = bytearray()

    @property
    def identity(self) -> bool:
        """Whether there is nothing to undo (the body is used as it came)."""
        return not self.layers

    def decode(self, raw: bytes) -> bytes:
        """The decoded body of `raw`, the whole compressed body; FetchError past the cap."""
        try:
            self._push(0, raw)
            # Drain what each layer still holds, outermost first.
            for index in range(len(self.layers)):
                self._push(index, b"")
        except zlib.error as exc:
            raise FetchError(f"corrupt compressed body: {exc}") from None
        except _TooLarge:
            raise FetchError(f"larger than {size_text(self._cap)}") from None
        return bytes(self._out)

    def _push(self, index: int, data: bytes) -> None:
        """Feed `data` to layer `index` and everything it emits on to the next layer."""
        if index == len(self.layers):
            self._out += data
            return
        layer = self.layers[index]
        inner = self.layers[index + 1 :]
        while not layer.eof and not any(deeper.eof for deeper in inner):
            out = layer.decompress(data)
            if layer.emitted > self._cap:
                raise _TooLarge
            data = layer.tail
            if out:
                self._push(index + 1, out)
            # A short chunk with no input left means zlib holds nothing more for now.
            if not data and len(out) < DECODE_CHUNK:
                break
