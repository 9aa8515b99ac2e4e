"""An import's staging folder, its owner lock and its journal: what makes a killed import leave no debris.

Each import stages new evidence in its own folder `bundles/.staging/<id>/`, held by an exclusive lock on
`<id>/owner` for as long as the import lives (the operating system drops the lock when the process dies,
however it dies). Before moving anything out of the folder, the import appends to `<id>/journal` (and
flushes it to disk) the evidence hashes and the archive folder it is about to move into place. So after a
kill, exactly the files an uncommitted import moved are known: `recover` removes a dead import's folder
and, for each journalled move, the moved file unless the database refers to it (the import committed,
or another import brought the same file).

The owner file gets the owner's process id once it is locked, so a recoverer never mistakes a folder
being created (lock file still empty, for microseconds) for an abandoned one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid as uuid_module
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

STAGING_DIR = ".staging"
OWNER_NAME = "owner"
JOURNAL_NAME = "journal"
YOUNG_SECONDS = 60  # an owner file still empty this long after its folder was made belongs to a dead import


def staging_root(bundles_dir: Path) -> Path:
    return bundles_dir / STAGING_DIR


# --- the owner lock ------------------------------------------------------------------------------


def _try_lock(fd: int) -> bool:
    """An exclusive, non-blocking lock on the whole file, released by the OS when the process ends."""
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class _Owner:
    """The lock that says "an import is using this folder"."""

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd

    @classmethod
    def take(cls, path: Path, *, create: bool) -> _Owner | None:
        """The lock, or None if a live import holds it (or, without `create`, if there is no lock file)."""
        flags = os.O_RDWR | getattr(os, "O_BINARY", 0) | (os.O_CREAT | os.O_EXCL if create else 0)
        try:
            fd = os.open(path, flags, 0o644)
        except OSError:
            return None
        # A recoverer may hold a new lock for a moment (to look at it); a creator waits for it to let go.
        for _attempt in range(200 if create else 1):
            if _try_lock(fd):
                break
            time.sleep(0.01)
        else:
            os.close(fd)
            return None
        if create:
            os.write(fd, str(os.getpid()).encode("ascii"))  # taken: from now on, unlocked means dead
        return cls(fd)

    @property
    def initialised(self) -> bool:
        assert self.fd is not None
        return os.fstat(self.fd).st_size > 0

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None


def _fsync(path: Path, *, directory: bool = False) -> None:
    if directory and os.name != "posix":
        return  # Windows cannot open a folder to flush it; NTFS journals renames itself
    fd = os.open(path, os.O_RDONLY if directory else os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- one import's folder -------------------------------------------------------------------------


@dataclass
class Staging:
    """Files written by an import's scan, kept outside the evidence store until the import commits."""

    folder: Path
    evidence: dict[str, Path] = field(default_factory=dict)
    _owner: _Owner | None = None
    _created: tuple[Path, ...] = ()  # `bundles/` and `.staging/` if this import created them

    @classmethod
    def create(cls, bundles_dir: Path) -> Staging:
        """A fresh, locked folder; abandoned folders without journalled moves are removed first."""
        root = staging_root(bundles_dir)
        recover(bundles_dir, None)
        created = tuple(p for p in (bundles_dir, root) if not p.exists())
        root.mkdir(parents=True, exist_ok=True)
        folder = root / uuid_module.uuid4().hex
        folder.mkdir()
        owner = _Owner.take(folder / OWNER_NAME, create=True)
        assert owner is not None, "a new lock file cannot be held by anyone else"
        return cls(folder, _owner=owner, _created=created)

    @property
    def journal_path(self) -> Path:
        return self.folder / JOURNAL_NAME

    def journal(self, *, evidence: Iterable[str] = (), archive: str | None = None) -> None:
        """Record durably, before doing it, what this import is about to move out of its folder."""
        lines = [json.dumps({"evidence": sha}) for sha in evidence]
        if archive is not None:
            lines.append(json.dumps({"archive": archive}))
        if not lines:
            return
        existed = self.journal_path.exists()
        with self.journal_path.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if not existed:
            _fsync(self.folder, directory=True)

    def discard(self) -> None:
        """Remove the folder (the lock last), and `bundles/` too if this import created it and it is empty."""
        for path in list(self.folder.iterdir()) if self.folder.is_dir() else []:
            if path.name != OWNER_NAME:
                _remove(path)
        if self._owner is not None:
            self._owner.release()
            self._owner = None
        shutil.rmtree(self.folder, ignore_errors=True)
        _remove_if_empty(self.folder.parent)
        for folder in reversed(self._created):
            _remove_if_empty(folder)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


# --- recovery ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Journalled:
    """What a dead import had announced it would move into place."""

    evidence: frozenset[str]
    archives: frozenset[str]


@dataclass
class RecoveryReport:
    """What `recover` cleaned: abandoned folders and the bytes they held, and moved files removed."""

    folders: int = 0
    bytes_freed: int = 0
    evidence_removed: list[str] = field(default_factory=list)
    archives_removed: list[str] = field(default_factory=list)
    deferred: int = 0  # dead folders with journalled moves, left for a recovery that can ask the database

    @property
    def changed(self) -> bool:
        return bool(self.folders or self.evidence_removed or self.archives_removed)


# Given what dead imports journalled, returns what the database refers to (so it must be kept).
Referenced = Callable[[Journalled], Journalled]


def read_journal(folder: Path) -> Journalled:
    """The journal's entries; a line cut short by the kill is ignored (its move had not started)."""
    evidence: set[str] = set()
    archives: set[str] = set()
    try:
        text = (folder / JOURNAL_NAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        return Journalled(frozenset(), frozenset())
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("evidence"), str):
            evidence.add(entry["evidence"])
        elif isinstance(entry, dict) and isinstance(entry.get("archive"), str):
            archives.add(entry["archive"])
    return Journalled(frozenset(evidence), frozenset(archives))


def dead_folders(bundles_dir: Path) -> list[tuple[Path, _Owner | None]]:
    """Staging folders whose import is gone, each with its lock (now held by us), oldest debris included."""
    root = staging_root(bundles_dir)
    if not root.is_dir():
        return []
    found: list[tuple[Path, _Owner | None]] = []
    now = time.time()
    for path in sorted(root.iterdir()):
        if not path.is_dir():
            continue
        try:
            young = now - path.stat().st_mtime < YOUNG_SECONDS
        except OSError:
            continue
        owner = _Owner.take(path / OWNER_NAME, create=False)
        if owner is None:
            if not young and not (path / OWNER_NAME).exists():  # its creator died before making the lock
                found.append((path, None))
            continue
        if owner.initialised or not young:
            found.append((path, owner))
        else:  # the creator has the file but not yet the lock: it is alive
            owner.release()
    return found


def has_dead_imports(bundles_dir: Path) -> bool:
    """Whether a killed import left a staging folder behind."""
    dead = dead_folders(bundles_dir)
    for _folder, owner in dead:
        if owner is not None:
            owner.release()
    return bool(dead)


def recover(bundles_dir: Path, referenced: Referenced | None, *, layout_root: Path | None = None,
            evidence_path: Callable[[str], Path] | None = None) -> RecoveryReport:
    """Clean up after imports that were killed.

    Without `referenced` (no database at hand), only folders that journalled no move are removed; the
    others wait for a recovery with `referenced`, which removes each journalled file or archive folder the
    database does not refer to, then the folder. Callers that pass `referenced` must hold the lock that
    keeps other imports from moving files meanwhile (see `import_apply.recover_interrupted_imports`).
    """
    report = RecoveryReport()
    for folder, owner in dead_folders(bundles_dir):
        try:
            journalled = read_journal(folder)
            if journalled.evidence or journalled.archives:
                if referenced is None or layout_root is None or evidence_path is None:
                    report.deferred += 1
                    continue
                keep = referenced(journalled)
                for sha in sorted(journalled.evidence - keep.evidence):
                    target = evidence_path(sha)
                    if target.is_file():
                        target.unlink(missing_ok=True)
                        report.evidence_removed.append(sha)
                for relative in sorted(journalled.archives - keep.archives):
                    target = layout_root / relative
                    if target.exists():
                        shutil.rmtree(target, ignore_errors=True)
                        _remove_if_empty(target.parent)
                        report.archives_removed.append(relative)
            with contextlib.suppress(OSError):
                report.bytes_freed += sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
            report.folders += 1
        finally:
            if owner is not None:
                owner.release()
        shutil.rmtree(folder, ignore_errors=True)
    if report.folders:
        _remove_if_empty(staging_root(bundles_dir))
    return report
