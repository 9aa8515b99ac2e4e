"""The department's archive of received bundles: the signed manifest and its signature, nothing more.

A received bundle's evidence is already in the content-addressed store, named by the SHA-256 that the
signed manifest lists, and the container is canonical (docs/bundle-format.md §2). So the archive keeps
`bundles/archive/<unit>/<campaign>/<seq>_<bundle_id>/manifest.json` and `manifest.json.minisig`: from
them and the store the original file is rebuilt byte for byte, and it can be re-verified (signature and
every hash) at any time, without the import writing every evidence byte a second time.

Archives made before this layout are whole `.thidua` files; `ArchivedBundle.open` reads both.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from thidua_desktop.core.bundles.container import BUNDLE_SUFFIX, MANIFEST_NAME, SIGNATURE_NAME
from thidua_desktop.core.bundles.errors import BundleError
from thidua_desktop.core.bundles.exporter import write_bundle_file
from thidua_desktop.core.bundles.manifest import Manifest, parse_manifest
from thidua_desktop.core.bundles.minisign import MinisignError, PublicKey, Signature
from thidua_desktop.core.bundles.reader import open_bundle, scan
from thidua_desktop.core.bundles.staging import Staging
from thidua_desktop.core.bundles.streaming import make_durable
from thidua_desktop.core.evidence import EvidenceStore, FileState
from thidua_desktop.core.paths import DataLayout
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled

ARCHIVE_DIR = "archive"
STAGED_ARCHIVE = "archive"  # its name inside an import's staging folder


def archive_path_for(layout: DataLayout, manifest: Manifest) -> Path:
    """Where a received bundle's signed manifest is kept (a folder; a `.thidua` file before 2026)."""
    return (layout.bundles_dir / ARCHIVE_DIR / manifest.unit_code / manifest.campaign_code
            / f"{manifest.seq:05d}_{manifest.bundle_id}")


def stage_archive(staging: Staging, manifest_raw: bytes, signature: bytes) -> Path:
    """Write the archive folder inside the staging folder, flushed to disk, ready to be renamed into place."""
    folder = staging.folder / STAGED_ARCHIVE
    folder.mkdir()
    files = [folder / MANIFEST_NAME, folder / SIGNATURE_NAME]
    for path, data in zip(files, (manifest_raw, signature), strict=True):
        path.write_bytes(data)
    make_durable(files)
    return folder


@dataclass(frozen=True)
class ArchivedBundle:
    """One archived bundle: its signed manifest, and how to rebuild or re-verify the original file."""

    path: Path
    manifest: Manifest
    signature_bytes: bytes

    @property
    def is_whole_file(self) -> bool:
        """An archive from before the manifest-only layout: the original file itself."""
        return self.path.is_file()

    @classmethod
    def open(cls, layout: DataLayout, archive_path: str) -> ArchivedBundle:
        """`archive_path` as stored in `bundle_imports` (relative to the data folder)."""
        path = layout.root / archive_path
        if path.is_file() and path.suffix == BUNDLE_SUFFIX:
            with open_bundle(path) as bundle:
                return cls(path, bundle.manifest, bundle.signature_bytes)
        raw = (path / MANIFEST_NAME).read_bytes()
        return cls(path, parse_manifest(raw, path), (path / SIGNATURE_NAME).read_bytes())

    def rebuild(self, store: EvidenceStore, target: Path, *, progress: ProgressFn | None = None,
                cancel: CancelFn = never_cancelled) -> Path:
        """Write the original bundle file to `target` (a new file), byte for byte."""
        if self.is_whole_file:
            partial = target.with_name(f".{target.name}.partial")
            shutil.copyfile(self.path, partial)
            os.replace(partial, target)
            return target
        temp = write_bundle_file(store, target, self.manifest.raw, self.signature_bytes,
                                 self.manifest.data["evidence"], progress, cancel)
        os.replace(temp, target)
        return target

    def problems(self, store: EvidenceStore, public_key: PublicKey, *, cancel: CancelFn = never_cancelled) -> list[str]:
        """Re-verify: the signature with `public_key` and every shipped file's hash; [] when all is well."""
        found: list[str] = []
        try:
            public_key.verify(self.manifest.raw, Signature.parse(self.signature_bytes))
        except MinisignError as exc:
            found.append(f"Chữ ký của bảng kê không hợp lệ: {exc}.")
        if self.is_whole_file:
            try:
                with open_bundle(self.path) as bundle:
                    scan(bundle, cancel=cancel)
            except BundleError as error:
                found.append(error.message)
            return found
        for item in self.manifest.evidence:
            if not item.included:
                continue
            state = store.check(item.sha256, cancel=cancel)
            if state is FileState.MISSING:
                found.append(f"Tệp minh chứng “{item.name}” không còn trong kho minh chứng.")
            elif state is FileState.CORRUPT:
                found.append(f"Tệp minh chứng “{item.name}” trong kho đã bị thay đổi (sai mã băm).")
        return found
