"""Opening and verifying a bundle, in the order of docs/bundle-format.md §6, before anything is changed.

1. `open_bundle`: the container is checked (limits, paths, canonical layout), the manifest parsed and
   its format version checked, and the entries compared with the manifest's list.
2. `check_signature` + `resolve_signer`: the signature over the exact manifest bytes, the signer's
   enrolment (or a rotation statement from an enrolled key), its unit, and revocation.
   `check_content`: the campaign, criteria and indicators are known here and every record is valid.
3. `scan`: one streaming pass over the file checks every evidence hash; for an import it also
   stages new evidence files and writes the copy that will be archived.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import time
import uuid as uuid_module
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from thidua_desktop.core.activities import validate_draft
from thidua_desktop.core.bundles import canonical
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
    RevokedKeyError,
    SignatureError,
    UntrustedKeyError,
)
from thidua_desktop.core.bundles.keys import rotation_trusted_comment
from thidua_desktop.core.bundles.manifest import SIGNATURE_COMMENT, EvidenceItem, Manifest, parse_manifest
from thidua_desktop.core.bundles.minisign import MinisignError, PublicKey, Signature
from thidua_desktop.core.bundles.models import TrustedKey
from thidua_desktop.core.bundles.streaming import (
    Digest,
    SyncedWriter,
    Workers,
    make_durable,
    read_chunks,
)
from thidua_desktop.core.bundles.trust import revoked_for
from thidua_desktop.core.catalogue import CampaignInfo, load_campaign_info
from thidua_desktop.core.errors import NotFoundError
from thidua_desktop.core.models import Unit
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled
from thidua_desktop.core.records import record_draft

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
            f"Chữ ký của gói “{bundle.path.name}” không đọc được: {exc}.", hint=RESEND_HINT, reason="malformed"
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


@dataclass(frozen=True)
class Signer:
    """Who signed: an enrolled key, or a new key endorsed by one (enrolled on import)."""

    key_id: str
    public_key: PublicKey
    unit_id: int
    rotation: tuple[dict[str, Any], ...] = ()


def _safe_public_key(text: str) -> PublicKey:
    try:
        return PublicKey.from_base64(text)
    except MinisignError:
        raise SignatureError("Khóa công khai ghi trong gói không hợp lệ.", hint=RESEND_HINT, reason="malformed") from None


def resolve_signer(session: Session, bundle: OpenBundle, signature: Signature, campaign: CampaignInfo) -> Signer:
    """Step 2: verify with the registry's key (or a rotation chain), then the key's authority."""
    manifest = bundle.manifest
    unit = session.scalar(select(Unit).where(Unit.code == manifest.unit_code))
    if unit is None:
        raise AuthorityError(
            f"Gói “{bundle.path.name}” ghi đơn vị mã “{manifest.unit_code}”, không có trong danh sách đơn vị của Sở.",
            hint="Kiểm tra Cài đặt › Đơn vị, hoặc liên hệ đơn vị gửi.", reason="unknown-unit",
        )
    key_id = manifest.key_id
    row = session.scalar(select(TrustedKey).where(TrustedKey.key_id == key_id))
    if row is not None:
        check_signature(bundle, signature, PublicKey.from_base64(row.public_key))
        if row.public_key != manifest.public_key:
            raise SignatureError("Khóa công khai ghi trong gói khác với khóa đã đăng ký.", hint=RESEND_HINT,
                                 reason="key-mismatch")
        _check_authority(session, bundle, row, unit, campaign)
        return Signer(key_id, PublicKey.from_base64(row.public_key), unit.id)
    chain = _rotation_chain(session, bundle, unit, campaign)
    if chain is None:
        raise UntrustedKeyError(
            f"Gói “{bundle.path.name}” của {manifest.unit_name} được ký bằng khóa {key_id}, "
            "chưa có trong danh sách khóa tin cậy của Sở.",
            hint="Nếu đơn vị đã gửi phiếu đăng ký khóa có chữ ký, đóng dấu: đối chiếu dấu vân tay "
            f"{_safe_public_key(manifest.public_key).fingerprint} rồi đăng ký khóa (“Đăng ký khóa…” hoặc "
            "thidua keys enrol). Nếu không, gọi điện cho đơn vị để xác minh. Không có gì bị thay đổi.",
            reason="unknown-key", key_id=key_id, public_key=manifest.public_key, unit_code=manifest.unit_code,
        )
    check_signature(bundle, signature, _safe_public_key(manifest.public_key))
    return Signer(key_id, _safe_public_key(manifest.public_key), unit.id, tuple(chain))


def _check_authority(session: Session, bundle: OpenBundle, row: TrustedKey, unit: Unit, campaign: CampaignInfo) -> None:
    manifest = bundle.manifest
    if row.unit_id != unit.id:
        owner = session.get(Unit, row.unit_id)
        raise AuthorityError(
            f"Gói “{bundle.path.name}” ghi là của {unit.name} nhưng được ký bằng khóa {row.key_id} "
            f"của {owner.name if owner else 'đơn vị khác'}. Một khóa chỉ được ký cho đơn vị của mình.",
            hint="Không có gì bị thay đổi. Hãy báo cho cả hai đơn vị và đề nghị gửi lại gói đúng.",
            reason="foreign-key",
        )
    if revoked_for(row, campaign.id, manifest.seq):
        raise RevokedKeyError(
            f"Gói số {manifest.seq} của {unit.name} được ký bằng khóa {row.key_id}, "
            f"đã bị thu hồi từ gói số {row.revoked_from_seq} ({row.revoke_reason or 'không ghi lý do'}).",
            hint="Không có gì bị thay đổi. Đơn vị cần ký lại bằng khóa mới đã đăng ký với Sở.",
            reason="revoked",
        )


def _rotation_chain(session: Session, bundle: OpenBundle, unit: Unit, campaign: CampaignInfo) -> list[dict] | None:
    """The statements linking the signer's key to an enrolled key of the same unit, oldest first."""
    manifest = bundle.manifest
    by_new = {item["statement"]["new_key_id"]: item for item in manifest.rotation}
    chain: list[dict[str, Any]] = []
    current_id, current_public = manifest.key_id, manifest.public_key
    for _ in range(len(by_new) + 1):
        item = by_new.get(current_id)
        if item is None:
            return None
        statement = item["statement"]
        if statement["new_public_key"] != current_public or statement["unit"] != unit.code:
            return None
        old_id = statement["old_key_id"]
        old_row = session.scalar(select(TrustedKey).where(TrustedKey.key_id == old_id))
        old_public = PublicKey.from_base64(old_row.public_key) if old_row else (
            _safe_public_key(by_new[old_id]["statement"]["new_public_key"]) if old_id in by_new else None
        )
        if old_public is None:
            return None
        try:
            signature = Signature.parse(item["signature"].encode("utf-8"))
            if signature.trusted_comment != rotation_trusted_comment(statement):
                return None
            old_public.verify(canonical.encode(statement), signature)
        except (MinisignError, canonical.CanonicalError):
            return None
        chain.insert(0, statement)
        if old_row is not None:
            if old_row.unit_id != unit.id or revoked_for(old_row, campaign.id, manifest.seq):
                return None
            return chain
        current_id, current_public = old_id, by_new[old_id]["statement"]["new_public_key"]
    return None


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


# --- step 3: one streaming pass ------------------------------------------------------------------


@dataclass
class Staging:
    """Files written by an import's scan, kept outside the evidence store until the import commits."""

    folder: Path
    evidence: dict[str, Path] = field(default_factory=dict)
    archive_copy: Path | None = None

    @classmethod
    def create(cls, bundles_dir: Path) -> Staging:
        root = bundles_dir / ".staging"
        _remove_stale(root)
        folder = root / uuid_module.uuid4().hex
        folder.mkdir(parents=True)
        return cls(folder)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.folder.parent.rmdir()  # the parent goes too when this was the only import in progress


STALE_STAGING_SECONDS = 12 * 3600


def _remove_stale(root: Path) -> None:
    """Staging left by an importer that was killed (power cut) is removed once it is clearly abandoned."""
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        with contextlib.suppress(OSError):
            if now - folder.stat().st_mtime > STALE_STAGING_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)


def scan(
    bundle: OpenBundle,
    *,
    staging: Staging | None = None,
    stage: set[str] | frozenset[str] = frozenset(),
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> None:
    """Step 3: check every evidence hash in one pass; with `staging`, also copy what the import needs.

    The copy kept for the archive is written from the very bytes checked here, and the bytes outside
    entry data are compared with those checked on opening, so a file changed meanwhile is refused.
    """
    with Workers() as workers:
        _Scan(bundle, workers, staging, stage, progress, cancel).run()


@dataclass
class _EntryCheck:
    """One entry's digest, checked after the pass so that hashing one file overlaps reading the next."""

    entry: Entry
    digest: Digest
    item: EvidenceItem | None
    staged: Path | None


class _Scan:
    """The one streaming pass of `scan`: read, hash, copy, then check; on any error the copies are dropped."""

    def __init__(self, bundle: OpenBundle, workers: Workers, staging: Staging | None, stage: set[str] | frozenset[str],
                 progress: ProgressFn | None, cancel: CancelFn) -> None:
        self.bundle = bundle
        self.archive = bundle.archive
        self.workers = workers
        self.staging = staging
        self.stage = stage
        self.progress = progress
        self.cancel = cancel
        self.by_entry = {item.entry_name: item for item in bundle.manifest.evidence if item.included}
        self.done = 0
        self.copy = SyncedWriter(staging.folder / "bundle.thidua", workers) if staging is not None else None
        self.writers: list[SyncedWriter] = [self.copy] if self.copy else []

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
        """Read a region once: hash it, append it to the archive copy and (evidence to stage) to its file."""
        for chunk in read_chunks(self.archive.fd, offset, length, self.cancel):
            digest.update(chunk)
            if self.copy is not None:
                self.copy.write(chunk)
            if target is not None:
                target.write(chunk)
            self.done += len(chunk)
            if self.progress:
                self.progress(self.done, self.archive.size)

    def _read_entry(self, entry: Entry, meta: Digest) -> _EntryCheck:
        self._pump(entry.header_offset, entry.data_offset - entry.header_offset, meta)
        item = self.by_entry.get(entry.name)
        digest = Digest(self.workers, crc_on_worker=self.copy is not None)
        target = None
        if item is not None and self.staging is not None and item.sha256 in self.stage:
            target = SyncedWriter(self.staging.folder / item.sha256, self.workers)
            self.writers.append(target)
        self._pump(entry.data_offset, entry.size, digest, target)
        staged = None
        if target is not None:
            self.writers.remove(target)
            staged = target.close_unsynced()
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
        """Hand over the archive copy and make the staged evidence durable."""
        if self.copy is not None and self.staging is not None:
            self.writers.remove(self.copy)
            self.copy.close_in_background()
            self.staging.archive_copy = self.copy.path
        self.workers.wait_synced()
        make_durable(list(self.staging.evidence.values()) if self.staging is not None else [])


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _changed_while_reading(bundle: OpenBundle) -> BundleFormatError:
    return BundleFormatError(
        f"Tệp “{bundle.path.name}” đã thay đổi trong khi đang được đọc.",
        hint="Hãy chép tệp vào máy (không mở trực tiếp từ USB đang được ghi) rồi nhận lại.", reason="changed",
    )
