"""Opening and verifying a bundle, in the order of docs/bundle-format.md §6, before anything is changed.

1. `open_bundle`: the container is checked (limits, paths, canonical layout), the manifest parsed and
   its format version checked, and the entries compared with the manifest's list.
2. `check_signature` (the signer's trust state is `authority.py`'s), and
   `check_content`: the campaign, criteria and indicators are known here and every record is valid.
3. `scan`: one streaming pass over the file checks every evidence hash; for an import it also
   stages new evidence files and writes the copy that will be archived.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from thidua_desktop.core.activities import validate_draft
from thidua_desktop.core.bundles.container import (
    LIMITS,
    MANIFEST_NAME,
    SIGNATURE_NAME,
    BundleArchive,
    Entry,
    entry_order,
)
from thidua_desktop.core.bundles.errors import (
    AuthorityError,
    BundleFormatError,
    BundleUnsafeError,
    CampaignMismatchError,
    EntrySetError,
    EvidenceMismatchError,
    SignatureError,
)
from thidua_desktop.core.bundles.manifest import SIGNATURE_COMMENT, EvidenceItem, Manifest, parse_manifest
from thidua_desktop.core.bundles.minisign import MinisignError, PublicKey, Signature
from thidua_desktop.core.bundles.staging import Staging
from thidua_desktop.core.bundles.streaming import (
    Digest,
    SyncedWriter,
    Workers,
    make_durable,
    read_chunks,
)
from thidua_desktop.core.catalogue import CampaignInfo, load_campaign_info
from thidua_desktop.core.errors import NotFoundError
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled
from thidua_desktop.core.records import date_warnings, record_draft

# Staged files are flushed in batches of this many bytes while the scan goes on: concurrent flushes of a
# batch share journal commits (one file at a time would wait for one commit each), and by the end of the
# scan only the last batch is left to flush.
SYNC_BATCH_BYTES = 32 * 1024 * 1024
RESEND_HINT = "Không có gì bị thay đổi. Hãy đề nghị đơn vị tạo và gửi lại gói."


@dataclass
class OpenBundle:
    """An open, structurally valid bundle whose manifest parsed; not yet authenticated."""

    path: Path
    archive: BundleArchive
    manifest: Manifest
    signature_bytes: bytes

    def close(self) -> None:
        self.archive.close()

    def __enter__(self) -> OpenBundle:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_bundle(path: Path) -> OpenBundle:
    """Step 1: the container and the manifest; the set of entries must be exactly the manifest's list."""
    path = Path(path)
    archive = BundleArchive.open(path)
    try:
        names = [e.name for e in archive.entries]
        if MANIFEST_NAME not in archive.by_name:
            raise BundleFormatError(
                f"Tệp “{path.name}” không có bảng kê manifest.json, không phải gói dữ liệu ThiĐua.",
                hint=RESEND_HINT, reason="no-manifest",
            )
        if archive.by_name[MANIFEST_NAME].size > LIMITS.max_manifest_bytes:
            raise BundleUnsafeError(
                f"Tệp “{path.name}” bị từ chối: bảng kê lớn bất thường.", hint=RESEND_HINT, reason="size"
            )
        manifest = parse_manifest(archive.read_entry(MANIFEST_NAME), path)
        if SIGNATURE_NAME not in archive.by_name:
            raise SignatureError(
                f"Gói “{path.name}” chưa được ký (thiếu {SIGNATURE_NAME}).", hint=RESEND_HINT, reason="unsigned"
            )
        expected = manifest.expected_entries
        missing = sorted(set(expected) - set(names))
        unexpected = sorted(set(names) - set(expected))
        if missing or unexpected:
            details = []
            if missing:
                details.append("thiếu " + ", ".join(_entry_label(manifest, n) for n in missing[:10]))
            if unexpected:
                details.append("thừa " + ", ".join(unexpected[:10]))
            raise EntrySetError(
                f"Gói “{path.name}” có các mục không khớp với bảng kê: {'; '.join(details)}.",
                hint="Gói đã bị thêm, bớt hoặc đổi tên tệp bên trong. " + RESEND_HINT, reason="entries",
            )
        if names != sorted(names, key=entry_order):
            raise BundleFormatError(
                f"Tệp “{path.name}” không đúng bố cục chuẩn của gói (thứ tự các mục).", hint=RESEND_HINT,
                reason="noncanonical",
            )
        for item in manifest.evidence:
            if item.included and archive.by_name[item.entry_name].size != item.size:
                raise EvidenceMismatchError(
                    f"Tệp minh chứng “{item.name}” trong gói “{path.name}” có kích thước khác với bảng kê.",
                    hint="Tệp đã bị thay đổi hoặc hỏng. " + RESEND_HINT, reason="size",
                )
        if archive.by_name[SIGNATURE_NAME].size > LIMITS.max_signature_bytes:
            raise SignatureError(f"Chữ ký của gói “{path.name}” không hợp lệ.", hint=RESEND_HINT, reason="malformed")
        return OpenBundle(path, archive, manifest, archive.read_entry(SIGNATURE_NAME))
    except BaseException:
        archive.close()
        raise


def _entry_label(manifest: Manifest, name: str) -> str:
    for item in manifest.evidence:
        if item.entry_name == name:
            return f"“{item.name}”"
    return name


def parse_signature(bundle: OpenBundle) -> Signature:
    try:
        signature = Signature.parse(bundle.signature_bytes)
    except MinisignError as exc:
        raise SignatureError(
            f"Chữ ký của gói “{bundle.path.name}” không đọc được: {exc}.", hint=RESEND_HINT,
            reason="legacy-signature" if exc.kind == "legacy" else "malformed",
        ) from None
    manifest = bundle.manifest
    if signature.untrusted_comment != SIGNATURE_COMMENT:
        raise SignatureError(f"Chữ ký của gói “{bundle.path.name}” không ở dạng chuẩn.", hint=RESEND_HINT,
                             reason="malformed")
    if PublicKey.from_base64(manifest.public_key).key_id_hex != manifest.key_id or (
        signature.key_id != PublicKey.from_base64(manifest.public_key).key_id
    ):
        raise SignatureError(
            f"Chữ ký của gói “{bundle.path.name}” không khớp với khóa ghi trong bảng kê.", hint=RESEND_HINT,
            reason="key-mismatch",
        )
    if signature.trusted_comment != manifest.trusted_comment:
        raise SignatureError(
            f"Lời chú thích tin cậy trong chữ ký của gói “{bundle.path.name}” không khớp với bảng kê.",
            hint=RESEND_HINT, reason="comment",
        )
    return signature


def check_signature(bundle: OpenBundle, signature: Signature, public_key: PublicKey) -> None:
    try:
        public_key.verify(bundle.manifest.raw, signature)
    except MinisignError:
        raise SignatureError(
            f"Chữ ký của gói “{bundle.path.name}” không hợp lệ: bảng kê đã bị sửa sau khi ký, "
            "hoặc gói được ký bằng khóa khác.",
            hint="Không có gì bị thay đổi. Đừng dùng tệp này; hãy gọi điện cho đơn vị để được gửi lại.",
            reason="bad-signature",
        ) from None


def load_campaign(session: Session, bundle: OpenBundle) -> CampaignInfo:
    manifest = bundle.manifest
    try:
        campaign = load_campaign_info(session, manifest.campaign_code)
    except NotFoundError:
        raise CampaignMismatchError(
            f"Gói “{bundle.path.name}” thuộc kế hoạch “{manifest.campaign_code}”, chưa có trong chương trình của Sở.",
            hint="Hãy cập nhật ThiĐua Desktop (hoặc tệp kế hoạch) rồi nhận lại gói. Không có gì bị thay đổi.",
            reason="unknown-campaign",
        ) from None
    if manifest.campaign_version > campaign.version:
        raise CampaignMismatchError(
            f"Gói “{bundle.path.name}” dùng phiên bản {manifest.campaign_version} của kế hoạch "
            f"{campaign.plan_number}, mới hơn phiên bản {campaign.version} trên máy của Sở.",
            hint="Hãy cập nhật ThiĐua Desktop (hoặc tệp kế hoạch) rồi nhận lại gói. Không có gì bị thay đổi.",
            reason="newer-campaign",
        )
    return campaign


def check_content(bundle: OpenBundle, campaign: CampaignInfo) -> None:
    """Every record belongs to the bundle's unit, uses known codes and passes the app's own validation."""
    manifest = bundle.manifest
    problems: list[str] = []
    for record in manifest.records:
        if record["unit"] != manifest.unit_code:
            raise AuthorityError(
                f"Gói “{bundle.path.name}” của đơn vị {manifest.unit_code} chứa hoạt động “{record['title'][:80]}” "
                f"ghi là của đơn vị {record['unit']}. Một đơn vị chỉ được gửi hoạt động của mình.",
                hint="Không có gì bị thay đổi. Hãy báo cho đơn vị gửi.", reason="foreign-record",
            )
        draft = record_draft(record, campaign)
        if draft is None:
            problems.append(f"“{record['title'][:60]}”: tiêu chí hoặc chỉ tiêu không có trong kế hoạch")
            continue
        blocking, _warnings = validate_draft(campaign, draft)
        if blocking:
            problems.append(f"“{record['title'][:60]}”: {'; '.join(blocking.values())}")
        if len(problems) >= 5:
            break
    if problems:
        raise CampaignMismatchError(
            f"Gói “{bundle.path.name}” có hoạt động không hợp lệ với kế hoạch trên máy của Sở: " + " | ".join(problems),
            hint="Không có gì bị thay đổi. Có thể hai bên dùng phiên bản kế hoạch khác nhau: hãy cập nhật "
            "chương trình ở cả hai nơi, rồi đề nghị đơn vị gửi lại.",
            reason="invalid-record",
        )


def content_warnings(manifest: Manifest, campaign: CampaignInfo) -> list[str]:
    """What the reviewer should look at although the bundle is acceptable: dates far outside the period."""
    return date_warnings(manifest.records, campaign)


# --- step 3: one streaming pass ------------------------------------------------------------------


def scan(
    bundle: OpenBundle,
    *,
    staging: Staging | None = None,
    stage: set[str] | frozenset[str] = frozenset(),
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> None:
    """Step 3: check every evidence hash in one pass; with `staging`, also copy the files in `stage`.

    Staged files are written from the very bytes checked here, and the bytes outside entry data are
    compared with those checked on opening, so a file changed meanwhile is refused.
    """
    with Workers() as workers, ThreadPoolExecutor(max_workers=1, thread_name_prefix="thidua-flush") as flusher:
        _Scan(bundle, workers, flusher, staging, stage, progress, cancel).run()


@dataclass
class _EntryCheck:
    """One entry's digest, checked after the pass so that hashing one file overlaps reading the next."""

    entry: Entry
    digest: Digest
    item: EvidenceItem | None
    staged: Path | None


class _Scan:
    """The one streaming pass of `scan`: read, hash, stage, then check; on any error the copies are dropped."""

    def __init__(self, bundle: OpenBundle, workers: Workers, flusher: ThreadPoolExecutor, staging: Staging | None,
                 stage: set[str] | frozenset[str], progress: ProgressFn | None, cancel: CancelFn) -> None:
        self.bundle = bundle
        self.archive = bundle.archive
        self.workers = workers
        self.staging = staging
        self.stage = stage
        self.progress = progress
        self.cancel = cancel
        self.by_entry = {item.entry_name: item for item in bundle.manifest.evidence if item.included}
        self.done = 0
        self.writers: list[SyncedWriter] = []
        self.unsynced: list[Path] = []
        self.unsynced_bytes = 0
        self.batches: list[Future] = []
        self.flusher = flusher

    def run(self) -> None:
        try:
            meta = Digest(self.workers)
            checks = [self._read_entry(entry, meta) for entry in self.archive.entries]
            tail = self.archive.meta_regions()[-1]
            self._pump(tail[0], tail[1], meta)
            if meta.sha256() != self.archive.meta_digest:
                raise _changed_while_reading(self.bundle)
            self._check(checks)
            self._finish()
        except BaseException:
            for writer in self.writers:
                writer.abandon()
            raise

    def _pump(self, offset: int, length: int, digest: Digest, target: SyncedWriter | None = None) -> None:
        """Read a region once: hash it and (evidence to stage) append it to its staged file."""
        for chunk in read_chunks(self.archive.fd, offset, length, self.cancel):
            digest.update(chunk)
            if target is not None:
                target.write(chunk)
            self.done += len(chunk)
            if self.progress:
                self.progress(self.done, self.archive.size)

    def _read_entry(self, entry: Entry, meta: Digest) -> _EntryCheck:
        self._pump(entry.header_offset, entry.data_offset - entry.header_offset, meta)
        item = self.by_entry.get(entry.name)
        target = None
        if item is not None and self.staging is not None and item.sha256 in self.stage:
            target = SyncedWriter(self.staging.folder / item.sha256, self.workers)
            self.writers.append(target)
        digest = Digest(self.workers, crc_on_worker=target is not None)  # this thread writes: CRC moves off it
        self._pump(entry.data_offset, entry.size, digest, target)
        staged = None
        if target is not None:
            self.writers.remove(target)
            staged = target.close_unsynced()
            self.unsynced.append(staged)
            self.unsynced_bytes += target.position
            if self.unsynced_bytes >= SYNC_BATCH_BYTES:  # flush these together while reading goes on
                self.batches.append(self.flusher.submit(make_durable, self.unsynced))
                self.unsynced, self.unsynced_bytes = [], 0
        return _EntryCheck(entry, digest, item, staged)

    def _check(self, checks: list[_EntryCheck]) -> None:
        """Every digest against the manifest (evidence) or the bytes verified on opening (manifest, signature)."""
        mismatched: list[str] = []
        for check in checks:
            entry, digest, item = check.entry, check.digest, check.item
            if item is None:
                known = self.bundle.manifest.raw if entry.name == MANIFEST_NAME else self.bundle.signature_bytes
                if digest.crc != entry.crc or digest.size != len(known) or digest.sha256() != _sha(known):
                    raise _changed_while_reading(self.bundle)
            elif digest.sha256() != item.sha256 or digest.crc != entry.crc:
                mismatched.append(item.name)
            elif check.staged is not None and self.staging is not None:
                self.staging.evidence[item.sha256] = check.staged
        if mismatched:
            raise EvidenceMismatchError(
                f"Gói “{self.bundle.path.name}” có {len(mismatched)} tệp minh chứng không khớp mã băm SHA-256 "
                f"trong bảng kê: {', '.join(mismatched[:10])}{'…' if len(mismatched) > 10 else ''}.",
                hint="Tệp đã bị sửa hoặc hỏng trên đường gửi. " + RESEND_HINT, reason="hash",
            )

    def _finish(self) -> None:
        """Make the staged evidence durable: the batches flushed meanwhile, and the last one now."""
        self.workers.wait_synced()
        for batch in self.batches:
            batch.result()
        make_durable(self.unsynced)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _changed_while_reading(bundle: OpenBundle) -> BundleFormatError:
    return BundleFormatError(
        f"Tệp “{bundle.path.name}” đã thay đổi trong khi đang được đọc.",
        hint="Hãy chép tệp vào máy (không mở trực tiếp từ USB đang được ghi) rồi nhận lại.", reason="changed",
    )
