"""The evidence store of a shared department: files live in PostgreSQL, each reviewer keeps a read cache.

Why in the database (see docs/developing.md, "A shared department"): one `pg_dump` then backs up the
data and every file together, every reviewer sees the same files without an office share that must be
mounted identically on each machine, and a file and the rows that use it can never disagree about
which machine holds it. Files are content-addressed (`evidence_blobs`, one row per SHA-256) and split
into 1 MiB `bytea` chunks (`evidence_chunks`), written and read one chunk at a time so that memory stays
bounded whatever the file size. The local folder (`<data-dir>/evidence`) is only a cache: a file missing
there is fetched again from the database.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from thidua_desktop.core.concurrency import database_now, with_retry
from thidua_desktop.core.errors import Cancelled
from thidua_desktop.core.evidence import CHUNK, EvidenceStore, FileState
from thidua_desktop.core.models import Evidence, EvidenceBlob, EvidenceChunk
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled


def insert_ignoring_duplicates(session: Session, table: type, rows: list[dict]) -> None:
    """INSERT … ON CONFLICT DO NOTHING: a row another transaction already wrote is simply kept."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(table).values(rows).on_conflict_do_nothing())


class SharedEvidenceStore(EvidenceStore):
    """`EvidenceStore` whose real copy is in the database; `root` is this machine's cache of it."""

    def __init__(self, root: Path, engine: Engine, actor: str = "") -> None:
        super().__init__(root)
        self.sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        self.actor = actor

    # --- what the database holds ------------------------------------------------------------------
    def stored(self, shas: Iterable[str]) -> set[str]:
        """Which of these files are complete in the shared database."""
        wanted = list(dict.fromkeys(shas))
        found: set[str] = set()
        with self.sessions() as session:
            for start in range(0, len(wanted), 500):
                batch = wanted[start : start + 500]
                found |= set(session.scalars(select(EvidenceBlob.sha256).where(EvidenceBlob.sha256.in_(batch))))
        return found

    def has(self, sha256: str) -> bool:
        return bool(self.stored([sha256]))

    def publish(self, sha256: str, path: Path, session: Session | None = None) -> bool:
        """Put a local file (already named by its hash) into the database; False when it was there.

        Chunks first and the blob row last, in `session` (import: the file becomes visible with the rows
        that use it) or in a transaction of its own. A concurrent upload of the same bytes waits on the
        first one's keys and then keeps it (ON CONFLICT DO NOTHING).
        """
        if self.has(sha256):
            return False
        if session is not None:
            self._upload(session, sha256, path)
            return True

        def upload() -> bool:
            with self.sessions.begin() as own:
                self._upload(own, sha256, path)
            return True

        return with_retry(upload)

    def _upload(self, session: Session, sha256: str, path: Path) -> None:
        seq = 0
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                insert_ignoring_duplicates(session, EvidenceChunk, [{"sha256": sha256, "seq": seq, "data": chunk}])
                seq += 1
        insert_ignoring_duplicates(session, EvidenceBlob, [{
            "sha256": sha256, "size": path.stat().st_size, "chunk_count": seq,
            "stored_at": database_now(session), "stored_by": self.actor,
        }])

    def publish_many(self, files: dict[str, Path], session: Session | None = None) -> int:
        """Publish several files in hash order (concurrent importers then take keys in the same order)."""
        return sum(self.publish(sha, files[sha], session) for sha in sorted(files))

    def fetch(self, sha256: str, *, cancel: CancelFn = never_cancelled) -> bool:
        """Copy a file from the database into the cache (atomically); False when the database lacks it."""
        if not self.has(sha256):
            return False
        final = super().path_for(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(dir=final.parent, prefix=".fetch-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in self._chunks(sha256, cancel):
                    out.write(chunk)
            os.replace(temp_name, final)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return True

    def _chunks(self, sha256: str, cancel: CancelFn = never_cancelled) -> Iterable[bytes]:
        """The file's chunks in order, one query each: never more than one chunk in memory."""
        with self.sessions() as session:
            count = session.scalar(select(func.count()).select_from(EvidenceChunk)
                                   .where(EvidenceChunk.sha256 == sha256)) or 0
            for seq in range(count):
                if cancel():
                    raise Cancelled()
                yield session.scalar(select(EvidenceChunk.data).where(EvidenceChunk.sha256 == sha256,
                                                                      EvidenceChunk.seq == seq)) or b""

    # --- the EvidenceStore interface ------------------------------------------------------------------
    def path_for(self, sha256: str) -> Path:
        """The cached copy, fetched from the database first when this machine does not have it yet."""
        path = super().path_for(sha256)
        if not path.is_file():
            self.fetch(sha256)
        return path

    def add_stream(
        self,
        source: io.BufferedIOBase,
        total: int,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn = never_cancelled,
    ) -> tuple[str, int, bool]:
        """Store locally as before, then publish to the database; `already_stored` answers for the database."""
        sha, size, _cached = super().add_stream(source, total, progress=progress, cancel=cancel)
        added = self.publish(sha, super().path_for(sha))
        return sha, size, not added

    def check(self, sha256: str, *, cancel: CancelFn = never_cancelled) -> FileState:
        """The shared copy's state (the one that counts); a damaged cache copy is fetched again."""
        if not self.has(sha256):
            return FileState.MISSING
        digest = hashlib.sha256()
        for chunk in self._chunks(sha256, cancel):
            digest.update(chunk)
        if digest.hexdigest() != sha256:
            return FileState.CORRUPT
        if super().check(sha256, cancel=cancel) is not FileState.OK:
            self.fetch(sha256, cancel=cancel)
        return FileState.OK


# --- helpers for import and recovery (a plain store passes through unchanged) ----------------------------


def publish_cached(store: EvidenceStore, shas: Iterable[str], session: Session | None = None) -> int:
    """Put into the shared database the files this machine holds that it lacks; 0 for a local store.

    Run by import after the staged files reached the cache, it also heals a department whose files
    were imported before the store was shared (they were only in one reviewer's folder).
    """
    if not isinstance(store, SharedEvidenceStore):
        return 0
    wanted = set(shas)
    missing = wanted - store.stored(wanted)
    local = {sha: EvidenceStore.path_for(store, sha) for sha in missing}
    return store.publish_many({sha: path for sha, path in local.items()
                               if path.is_file() and EvidenceStore.check(store, sha) is FileState.OK}, session)


def restore_missing(store: EvidenceStore, staged: dict[str, Path]) -> int:
    """Files of an already-received bundle that the store lost: put back from the bundle's staged copies."""
    restored = 0
    for sha in sorted(staged):
        if store.has(sha):
            continue
        final = EvidenceStore.path_for(store, sha)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged[sha], final)
        if isinstance(store, SharedEvidenceStore):
            store.publish(sha, final)
        restored += 1
    return restored


def share_cached_files(store: EvidenceStore, *, progress: ProgressFn | None = None,
                       cancel: CancelFn = never_cancelled) -> int:
    """Put every file this machine holds and the shared database lacks into it; 0 for a local store.

    For a department that imported bundles before its store was shared: run once on each machine that
    imported, and every reviewer sees those files.
    """
    if not isinstance(store, SharedEvidenceStore):
        return 0
    with store.sessions() as session:
        shas = list(session.scalars(select(Evidence.sha256).order_by(Evidence.sha256)))
    shared = 0
    for start in range(0, len(shas), 200):
        if cancel():
            raise Cancelled()
        shared += publish_cached(store, shas[start : start + 200])
        if progress:
            progress(min(start + 200, len(shas)), len(shas))
    return shared

