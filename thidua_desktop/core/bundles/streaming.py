"""Single-pass streaming helpers: SHA-256 and disk flushes run on helper threads, in bounded memory.

Export and import read every evidence byte exactly once. hashlib, zlib.crc32 and file writes release
the GIL on large buffers, so hashing on one core while the other reads, computes the CRC and writes
keeps a 1 GB bundle close to the cost of reading and hashing it. Writes are flushed to disk in the
background as they go (fdatasync every few tens of MB), so the final fsync before a rename is short.
At most a few chunks are in flight at any time, whatever the size of the files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from thidua_desktop.core.errors import Cancelled
from thidua_desktop.core.progress import CancelFn

CHUNK = 1024 * 1024
SYNC_EVERY = 32 * 1024 * 1024
MAX_PENDING_SYNCS = 4
MAX_IN_FLIGHT = 4  # chunks queued for hashing: bounded memory, yet files never drain the pipeline

_datasync = getattr(os, "fdatasync", os.fsync)  # Windows has no fdatasync


class Workers:
    """Two helper threads for one operation: one hashes, one flushes to disk."""

    def __init__(self) -> None:
        self.hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thidua-hash")
        self.syncing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thidua-sync")
        self._syncs: deque[Future] = deque()
        self._hashes: deque[Future] = deque()

    def hash_soon(self, fn: Callable[[bytes], None], chunk: bytes) -> Future:
        """Queue hashing work; at most MAX_IN_FLIGHT chunks wait, which bounds memory."""
        while len(self._hashes) >= MAX_IN_FLIGHT:
            self._hashes.popleft().result()
        future = self.hashing.submit(fn, chunk)
        self._hashes.append(future)
        return future

    def sync_soon(self, fd: int, *, close: bool = False) -> None:
        """Queue an fdatasync (and close) of fd; waits only if too many flushes are queued."""
        while len(self._syncs) >= MAX_PENDING_SYNCS:
            self._syncs.popleft().result()
        self._syncs.append(self.syncing.submit(_sync_and_close if close else _datasync, fd))

    def wait_synced(self) -> None:
        while self._syncs:
            self._syncs.popleft().result()

    def wait_synced_quietly(self) -> None:
        """Wait for queued flushes, ignoring their errors: used while cleaning up after a failure."""
        while self._syncs:
            with contextlib.suppress(OSError):
                self._syncs.popleft().result()

    def close(self) -> None:
        """Wait for queued work (so no fd is closed under a running flush) and stop the threads."""
        try:
            self.wait_synced_quietly()
        finally:
            self.hashing.shutdown(wait=True)
            self.syncing.shutdown(wait=True)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _sync_and_close(fd: int) -> None:
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Digest:
    """SHA-256 (on the hashing thread) and CRC-32 of one byte stream, fed chunk by chunk.

    The hashing thread works through one queue in order, so a digest never waits for its own
    previous chunk: reading the next file overlaps hashing the last one. The CRC runs here by
    default; `crc_on_worker` moves it to the hashing thread too, which balances the two cores when
    this thread also writes every byte twice (an import's archive copy and staged evidence).
    """

    def __init__(self, workers: Workers, *, crc_on_worker: bool = False) -> None:
        self._workers = workers
        self._sha = hashlib.sha256()
        self._last: Future | None = None
        self._crc_on_worker = crc_on_worker
        self._crc = 0
        self.size = 0

    def _both(self, chunk: bytes) -> None:
        self._sha.update(chunk)
        self._crc = zlib.crc32(chunk, self._crc)

    def update(self, chunk: bytes) -> None:
        if self._crc_on_worker:
            self._last = self._workers.hash_soon(self._both, chunk)
        else:
            self._last = self._workers.hash_soon(self._sha.update, chunk)
            self._crc = zlib.crc32(chunk, self._crc)
        self.size += len(chunk)

    def _settle(self) -> None:
        if self._last is not None:
            self._last.result()
            self._last = None

    @property
    def crc(self) -> int:
        if self._crc_on_worker:
            self._settle()
        return self._crc

    def sha256(self) -> str:
        self._settle()
        return self._sha.hexdigest()


class SyncedWriter:
    """An append-only raw file whose data is flushed to disk in the background as it grows."""

    def __init__(self, path: Path, workers: Workers) -> None:
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        self._workers = workers
        self.position = 0
        self._unsynced = 0
        self._closed = False

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]
            self.position += written
            self._unsynced += written
        if self._unsynced >= SYNC_EVERY:
            self._unsynced = 0
            self._workers.sync_soon(self.fd)

    def patch(self, offset: int, data: bytes) -> None:
        """Overwrite bytes already written (a ZIP header's CRC), without moving the append position."""
        if hasattr(os, "pwrite"):
            os.pwrite(self.fd, data, offset)
        else:  # Windows: no pwrite; the append position is restored by seeking back to the end
            os.lseek(self.fd, offset, os.SEEK_SET)
            os.write(self.fd, data)
            os.lseek(self.fd, self.position, os.SEEK_SET)

    def close_durably(self) -> None:
        """fsync now and close: after this returns the bytes are on disk."""
        if self._closed:
            return
        self._closed = True
        self._workers.wait_synced()
        _sync_and_close(self.fd)

    def close_unsynced(self) -> Path:
        """Close now and fsync later with `make_durable`: one flush for many small files, not one each."""
        if not self._closed:
            self._closed = True
            os.close(self.fd)
        return self.path

    def close_in_background(self) -> None:
        """Hand the final fsync + close to the flushing thread; `Workers.wait_synced` waits for it."""
        if self._closed:
            return
        self._closed = True
        self._workers.sync_soon(self.fd, close=True)

    def abandon(self) -> None:
        """Close (if open) and delete: used on error and cancel, so nothing partial is left behind."""
        self._workers.wait_synced_quietly()
        if not self._closed:
            self._closed = True
            with contextlib.suppress(OSError):
                os.close(self.fd)
        self.path.unlink(missing_ok=True)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_durable(paths: list[Path]) -> None:
    """fsync many closed files at once: concurrent flushes are committed together by the file system,
    where one after the other each would wait for its own journal commit."""
    if paths:
        with ThreadPoolExecutor(max_workers=min(16, len(paths)), thread_name_prefix="thidua-fsync") as pool:
            list(pool.map(_fsync_path, paths))


def read_chunks(fd: int, offset: int, length: int, cancel: CancelFn) -> Iterator[bytes]:
    """The bytes [offset, offset + length) of fd in CHUNK pieces; a short read means the file shrank."""
    end = offset + length
    while offset < end:
        if cancel():
            raise Cancelled()
        chunk = pread(fd, min(CHUNK, end - offset), offset)
        if not chunk:
            raise EOFError(offset)
        offset += len(chunk)
        yield chunk


def pread(fd: int, size: int, offset: int) -> bytes:
    """os.pread where it exists (POSIX); seek + read on Windows, where fds are not shared across threads."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)
