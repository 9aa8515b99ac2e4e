"""Evidence files: a content-addressed store by SHA-256 in the data folder, and attachments to activities.

Files are copied, never moved. The same bytes are stored once. Photos may be downscaled first so bundles
stay small enough for email or chat. A missing or altered file is reported, never silently dropped.
"""

from __future__ import annotations

import enum
import hashlib
import io
import mimetypes
import os
import shutil
import tempfile
import time
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from thidua_desktop.core import audit
from thidua_desktop.core.activities import AttachmentDraft, ChangeReport, check_not_locked, sync_attachments
from thidua_desktop.core.errors import Cancelled, NotFoundError, UserError
from thidua_desktop.core.evidence_types import ALLOWED_EXTENSIONS, Family, check_content
from thidua_desktop.core.models import Activity, ActivityEvidence, Evidence, utc_now
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled
from thidua_desktop.core.text import format_number, nfc

CHUNK = 1024 * 1024

__all__ = ["ALLOWED_EXTENSIONS", "EvidenceService", "EvidenceStore", "FileState", "StoredFile"]

# A file copied in but saved with no record is kept this long before the sweep removes it, so a form
# still open in another window or program (which may hold the same bytes) never loses its file.
ORPHAN_GRACE_SECONDS = 24 * 3600
DOWNSCALABLE_MIME = {"image/jpeg", "image/png", "image/webp", "image/bmp", "image/tiff"}
_EXTRA_MIME = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".heic": "image/heic",
    ".webp": "image/webp",
}


def guess_mime(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return _EXTRA_MIME.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


class FileState(enum.StrEnum):
    OK = "ok"
    MISSING = "missing"
    CORRUPT = "corrupt"


FILE_STATE_LABELS = {
    FileState.OK: "Nguyên vẹn",
    FileState.MISSING: "Mất tệp trong kho",
    FileState.CORRUPT: "Tệp bị thay đổi (sai mã băm)",
}


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    mime_type: str
    original_name: str
    already_stored: bool
    downscaled: bool = False
    stamp: int = 0  # the stored file's mtime (ns) right after this copy: a later re-add changes it

    def draft(self) -> AttachmentDraft:
        return AttachmentDraft(self.sha256, self.original_name, self.mime_type, self.size)


class EvidenceStore:
    """Files under `root/ab/abcdef…` named by their SHA-256."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def add_stream(
        self,
        source: io.BufferedIOBase,
        total: int,
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn = never_cancelled,
    ) -> tuple[str, int, bool]:
        """Copy while hashing, into a temp file renamed into place; returns (sha256, size, already_stored)."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, temp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    if cancel():
                        raise Cancelled()
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                    if progress:
                        progress(size, total)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            final = self.path_for(sha)
            if final.is_file() and final.stat().st_size == size and self.check(sha) is FileState.OK:
                os.unlink(temp_name)
                os.utime(final)  # added again: the orphan sweep's grace period starts anew
                return sha, size, True
            # New, missing, or damaged on disk: the fresh copy takes its place (re-attaching repairs the store).
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp_name, final)
            return sha, size, False
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise

    def add_file(
        self,
        path: Path,
        *,
        downscale_to: int | None = None,
        progress: ProgressFn | None = None,
        cancel: CancelFn = never_cancelled,
    ) -> StoredFile:
        mime = guess_mime(path.name)
        if downscale_to and mime in DOWNSCALABLE_MIME:
            shrunk = downscale_photo(path, downscale_to)
            if shrunk is not None:
                sha, size, existed = self.add_stream(io.BytesIO(shrunk), len(shrunk), progress=progress, cancel=cancel)
                return StoredFile(sha, size, "image/jpeg", _jpeg_name(path.name), existed, downscaled=True,
                                  stamp=self._stamp(sha))
        with path.open("rb") as source:
            sha, size, existed = self.add_stream(source, path.stat().st_size, progress=progress, cancel=cancel)
        return StoredFile(sha, size, mime, nfc(path.name), existed, stamp=self._stamp(sha))

    def _stamp(self, sha256: str) -> int:
        return self.path_for(sha256).stat().st_mtime_ns

    def shas(self) -> Iterator[tuple[str, Path]]:
        """Every stored file (sha256, path); temp files of copies in progress are not listed."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                for path in sorted(folder.iterdir()):
                    if len(path.name) == 64 and path.name.startswith(folder.name) and path.is_file():
                        yield path.name, path

    def check(self, sha256: str, *, cancel: CancelFn = never_cancelled) -> FileState:
        path = self.path_for(sha256)
        if not path.is_file():
            return FileState.MISSING
        digest = hashlib.sha256()
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                if cancel():
                    raise Cancelled()
                digest.update(chunk)
        return FileState.OK if digest.hexdigest() == sha256 else FileState.CORRUPT


def viewer_copy(store: EvidenceStore, sha256: str, file_name: str, folder: Path) -> Path:
    """A copy under its real name (the store names files by hash), so the system viewer picks the right program.

    The name may come from another unit's bundle: only its last part is used, and only the evidence file
    types are opened, so a crafted name can neither escape the folder nor start a program.
    """
    source = store.path_for(sha256)
    if not source.is_file():
        raise UserError(f"Tệp “{file_name}” không còn trong kho minh chứng.", hint="Hãy đính kèm lại tệp gốc.")
    name = nfc(Path(file_name.replace("\\", "/")).name).lstrip(".") or f"{sha256[:16]}.bin"
    if Path(name).suffix.lower() not in ALLOWED_EXTENSIONS:
        raise UserError(
            f"Không mở tệp “{name}”: loại tệp này không phải minh chứng được nhận.",
            hint="Chỉ mở được ảnh, PDF và tài liệu Word/Excel/ODF.",
        )
    target = folder / sha256[:16] / name
    if not (target.is_file() and target.stat().st_size == source.stat().st_size):
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    return target


def _jpeg_name(name: str) -> str:
    return nfc(str(Path(name).with_suffix(".jpg")))


def downscale_photo(path: Path, max_px: int) -> bytes | None:
    """A JPEG no larger than max_px on its long side, upright per EXIF; None if already small enough."""
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as image:
            if max(image.size) <= max_px:
                return None
            image.draft("RGB", (max_px, max_px))  # let the JPEG decoder skip detail we would discard
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((max_px, max_px), Image.Resampling.LANCZOS)
            if upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=88, optimize=True)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # not a decodable image: keep the original bytes


def make_thumbnail(source: Path, target: Path, size: int = 256) -> Path | None:
    """A small JPEG preview of an image (upright per EXIF), written atomically; None if not an image."""
    from PIL import Image, ImageOps

    try:
        with Image.open(source) as image:
            image.draft("RGB", (size, size))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((size, size))
            if upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            upright.save(partial, "JPEG", quality=80)
            os.replace(partial, target)
            return target
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


class EvidenceService:
    """Copies files into the store (enforcing type and size limits) and links them to activities."""

    def __init__(self, sessions: sessionmaker[Session], write_sessions: sessionmaker[Session], store: EvidenceStore,
                 actor: str, *, max_bytes: int, downscale_to: int | None) -> None:
        self.sessions = sessions
        self.write_sessions = write_sessions
        self.store = store
        self.actor = actor
        self.max_bytes = max_bytes
        self.downscale_to = downscale_to

    def check_candidate(self, path: Path) -> None:
        """Refuse now, with a Vietnamese message, what must not be copied in: missing, empty, foreign or too big."""
        if not path.is_file():
            raise UserError(f"Không tìm thấy tệp “{path.name}”.", hint="Có thể tệp đã bị di chuyển hoặc xóa.")
        if path.suffix.lower() not in ALLOWED_EXTENSIONS:
            raise UserError(
                f"Tệp “{path.name}” không thuộc loại được nhận làm minh chứng.",
                hint="Hãy đính kèm ảnh (JPG, PNG…), PDF, hoặc tài liệu Word/Excel/ODF.",
            )
        size = path.stat().st_size
        if size == 0:
            raise UserError(f"Tệp “{path.name}” rỗng (0 byte).", hint="Hãy chọn lại tệp gốc; có thể tệp chưa được lưu hoặc chép hỏng.")
        family = check_content(path)
        if family is Family.IMAGE and self._will_shrink(path):
            return  # the limit applies to the downscaled copy, the only one kept
        self._check_size(path.name, size)

    def _will_shrink(self, path: Path) -> bool:
        if not self.downscale_to or guess_mime(path.name) not in DOWNSCALABLE_MIME:
            return False
        from PIL import Image

        with Image.open(path) as image:
            return max(image.size) > self.downscale_to

    def _check_size(self, name: str, size: int, *, downscaled: bool = False) -> None:
        if size <= self.max_bytes:
            return
        shrunk = " sau khi thu nhỏ" if downscaled else ""
        raise UserError(
            f"Tệp “{name}” nặng {format_number(size / 1024 / 1024, decimals=1)} MB{shrunk}, vượt giới hạn "
            f"{format_number(self.max_bytes // 1024 // 1024)} MB cho mỗi tệp.",
            hint="Hãy nén hoặc chụp lại với độ phân giải thấp hơn, hoặc tăng giới hạn trong Cài đặt.",
        )

    def copy_in(
        self,
        paths: list[Path],
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn = never_cancelled,
    ) -> list[StoredFile]:
        """Copy files into the store (all checked first); if one fails, the copies this call made go again."""
        for path in paths:
            self.check_candidate(path)
        total = sum(path.stat().st_size for path in paths) or 1
        done_before = 0
        stored: list[StoredFile] = []
        try:
            for path in paths:
                size = path.stat().st_size

                def file_progress(done: int, _total: int, base: int = done_before) -> None:
                    if progress:
                        progress(base + done, total)

                item = self.store.add_file(path, downscale_to=self.downscale_to, progress=file_progress, cancel=cancel)
                stored.append(item)
                if item.downscaled:
                    self._check_size(item.original_name, item.size, downscaled=True)
                done_before += size
        except BaseException:
            self.discard_unreferenced(stored)
            raise
        return stored

    def store_files(
        self,
        paths: list[Path],
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn = never_cancelled,
    ) -> list[AttachmentDraft]:
        """Copy files into the store (all checked first); the caller links them when the activity is saved."""
        return [item.draft() for item in self.copy_in(paths, progress=progress, cancel=cancel)]

    @contextmanager
    def staged_files(
        self,
        paths: list[Path],
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn = never_cancelled,
    ) -> Iterator[list[AttachmentDraft]]:
        """All or nothing: copy the files first, save the record that links them inside the block; if the
        block fails, the copies no record references are removed again (a retry then starts clean)."""
        stored = self.copy_in(paths, progress=progress, cancel=cancel)
        try:
            yield [item.draft() for item in stored]
        except BaseException:
            self.discard_unreferenced(stored)
            raise

    def _referenced(self, shas: Collection[str]) -> set[str]:
        """Shas some record knows: an Evidence row (linked to an activity, or awaiting a held bundle change)."""
        found: set[str] = set()
        ordered = sorted(shas)
        with self.sessions() as session:
            for start in range(0, len(ordered), 500):
                found.update(session.scalars(
                    select(Evidence.sha256).where(Evidence.sha256.in_(ordered[start : start + 500]))).all())
        return found

    def discard_unreferenced(self, files: Iterable[StoredFile], *, keep: Collection[str] = ()) -> list[str]:
        """Remove files this program copied in that no record references, unless kept (shown in an open form)
        or added again since (their mtime moved: another window or program holds them too)."""
        candidates = {f.sha256: f for f in files if not f.already_stored and f.sha256 not in keep}
        if not candidates:
            return []
        referenced = self._referenced(candidates)
        removed = []
        for sha, item in candidates.items():
            path = self.store.path_for(sha)
            try:
                if sha in referenced or path.stat().st_mtime_ns != item.stamp:
                    continue
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append(sha)
        return removed

    def collect_orphans(
        self,
        *,
        keep: Collection[str] = (),
        grace_seconds: float = ORPHAN_GRACE_SECONDS,
        progress: ProgressFn | None = None,
        cancel: CancelFn = never_cancelled,
    ) -> int:
        """Sweep the store: remove files no record references, untouched for the grace period and not kept.

        The grace period covers forms open elsewhere (another window, the CLI): a file added there is
        touched when added, so it is never swept while that form may still save it.
        """
        cutoff = time.time() - grace_seconds
        old = [(sha, path) for sha, path in self.store.shas() if sha not in keep and path.stat().st_mtime < cutoff]
        referenced = self._referenced([sha for sha, _path in old])
        removed = 0
        for index, (sha, path) in enumerate(old, start=1):
            if cancel():
                raise Cancelled()
            if sha not in referenced and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
            if progress:
                progress(index, len(old))
        return removed

    def attach(
        self,
        activity_uuid: str,
        paths: list[Path],
        *,
        progress: ProgressFn | None = None,
        cancel: CancelFn = never_cancelled,
    ) -> ChangeReport:
        """Copy files in, then add them to the activity's attachments in one transaction (all or nothing)."""
        with self.staged_files(paths, progress=progress, cancel=cancel) as drafts, \
                self.write_sessions.begin() as session:
            activity = session.scalar(select(Activity).where(Activity.uuid == activity_uuid).with_for_update())
            if activity is None:
                raise NotFoundError(f"Không tìm thấy hoạt động {activity_uuid}.", hint="Hãy lưu hoạt động trước.")
            check_not_locked(session, activity, activity.activity_date)
            existing = [
                AttachmentDraft(a.evidence.sha256, a.file_name, a.evidence.mime_type, a.evidence.size, a.caption)
                for a in activity.attachments
            ]
            sync_attachments(session, activity, existing + drafts)
            activity.revision += 1
            activity.updated_at = utc_now()
            audit.record(
                session, self.actor, "attach", "activity", activity_uuid,
                {"files": [[d.file_name, d.sha256, d.size] for d in drafts]},
            )
        return ChangeReport(evidence_changed=(activity_uuid,))

    def verify_activity(self, activity_uuid: str) -> dict[str, FileState]:
        with self.sessions() as session:
            shas = session.scalars(
                select(Evidence.sha256)
                .join(ActivityEvidence, ActivityEvidence.evidence_id == Evidence.id)
                .join(Activity, Activity.id == ActivityEvidence.activity_id)
                .where(Activity.uuid == activity_uuid)
            ).all()
        return {sha: self.store.check(sha) for sha in shas}

    def verify_all(self, *, progress: ProgressFn | None = None, cancel: CancelFn = never_cancelled) -> dict[str, FileState]:
        """Every stored file's state: the sweep behind 'Kiểm tra kho minh chứng'."""
        with self.sessions() as session:
            shas = session.scalars(select(Evidence.sha256).order_by(Evidence.id)).all()
        states: dict[str, FileState] = {}
        for index, sha in enumerate(shas, start=1):
            states[sha] = self.store.check(sha, cancel=cancel)
            if progress:
                progress(index, len(shas))
        return states
