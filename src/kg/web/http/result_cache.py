"""A result cache for repeated identical queries (the data is read-only between builds).

The key is the request's own terms (endpoint and query text, the protocol's graph parameters, format=
and Accept: the plan is a function of these, so a repeated query is answered unplanned) and the engine's
``version`` (the build id of ``dist/build.json`` plus a reload counter), so a rebuilt graph never
answers from old entries; ``ResultCache.get`` also drops everything when the version changes.
Least recently used entries go first once ``max_bytes`` is reached; bodies over ``max_entry``
bytes (by default an eighth of the cache) are not kept. Streamed bodies are kept once complete.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace

CacheKey = tuple[str, tuple[str, ...], tuple[str, ...], str]


@dataclass(frozen=True)
class Entry:
    body: bytes
    media_type: str
    truncated: bool


class ResultCache:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024, max_entry: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_entry if max_entry is not None else max_bytes // 8
        self._entries: OrderedDict[CacheKey, Entry] = OrderedDict()
        self._bytes = 0
        self._version = ""

    @staticmethod
    def key(query: str, default_graphs: Sequence[str], named_graphs: Sequence[str], media: str) -> CacheKey:
        return (query, tuple(default_graphs), tuple(named_graphs), media)

    def get(self, key: CacheKey, version: str) -> Entry | None:
        if version != self._version:
            self.clear()
            self._version = version
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: CacheKey, version: str, entry: Entry) -> None:
        size = len(entry.body) + len(key[0])
        if version != self._version or self.max_bytes <= 0 or size > self.max_entry:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body) + len(key[0])
        self._entries[key] = entry
        self._bytes += size
        while self._bytes > self.max_bytes and self._entries:
            old_key, old = self._entries.popitem(last=False)
            self._bytes -= len(old.body) + len(old_key[0])

    async def keeping(
        self, key: CacheKey, version: str, entry: Entry, chunks: AsyncIterator[bytes]
    ) -> AsyncIterator[bytes]:
        """Pass a streamed body through, and keep it once complete if it fits in one entry."""
        kept: list[bytes] | None = []
        size = 0
        async for chunk in chunks:
            if kept is not None:
                kept.append(chunk)
                size += len(chunk)
                kept = kept if size <= self.max_entry else None
            yield chunk
        if kept is not None:
            self.put(key, version, replace(entry, body=b"".join(kept)))

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)
