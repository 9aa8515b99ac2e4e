"""Import at the department (Nhận gói dữ liệu): one file, or many in order; the parts live beside it.

- `import_plan`: verify, sequence rules, staging and the preview (nothing changed yet);
- `import_apply`: one transaction that applies a prepared import (held changes go to `pending`);
- `import_verify`: check a file without changing anything;
- `import_history`: the list of received bundles.

This module chains them for callers that do not stop at the preview (CLI, folders, tests) and
re-exports their names, so callers import from one place. The GUI and CLI use `BundleService`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from thidua_desktop.core.bundles.container import BUNDLE_SUFFIX
from thidua_desktop.core.bundles.errors import BundleError
from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.import_apply import ImportReport, apply_import, archive_path_for
from thidua_desktop.core.bundles.import_history import ImportInfo, list_imports
from thidua_desktop.core.bundles.import_plan import (
    BundleSummary,
    ImportPreview,
    ImportStatus,
    PreparedImport,
    check_sequence,
    local_time,
    plan_changes,
    prepare_import,
)
from thidua_desktop.core.bundles.import_verify import VerifyReport, verify_bundle
from thidua_desktop.core.bundles.manifest import Manifest
from thidua_desktop.core.bundles.reader import open_bundle
from thidua_desktop.core.concurrency import with_retry
from thidua_desktop.core.errors import Cancelled, UserError
from thidua_desktop.core.progress import CancelFn, ProgressFn, never_cancelled

__all__ = [
    "BundleSummary", "ImportInfo", "ImportOutcome", "ImportPreview", "ImportReport", "ImportStatus",
    "PreparedImport", "VerifyReport", "apply_import", "apply_with_retry", "archive_path_for", "check_sequence", "expand_paths",
    "import_bundle", "import_many", "list_imports", "local_time", "peek", "plan_changes", "prepare_import",
    "verify_bundle",
]


def import_bundle(workspace: BundleHost, path: Path, *, progress: ProgressFn | None = None,
                  cancel: CancelFn = never_cancelled) -> ImportReport:
    """Prepare and apply without stopping at the preview (CLI, folders, tests)."""
    prepared = prepare_import(workspace, path, progress=_scaled(progress, 0, 90), cancel=cancel)
    return apply_with_retry(workspace, prepared, progress=_scaled(progress, 90, 100), cancel=cancel)


def apply_with_retry(workspace: BundleHost, prepared: PreparedImport, *, progress: ProgressFn | None = None,
                     cancel: CancelFn = never_cancelled) -> ImportReport:
    """`apply_import`, prepared afresh from the same file and run again after a collision on a shared database.

    A failed attempt leaves nothing behind (its transaction rolled back, its files were removed), and the
    staged copies went with it, so each retry stages the file again; a refusal is never retried.
    """
    path = prepared.bundle.path
    waiting: list[PreparedImport] = [prepared]

    def attempt() -> ImportReport:
        current = waiting.pop() if waiting else prepare_import(workspace, path, cancel=cancel)
        return apply_import(workspace, current, progress=progress, cancel=cancel)

    try:
        return with_retry(attempt)
    finally:
        for unused in waiting:
            unused.discard()


def _scaled(progress: ProgressFn | None, low: int, high: int) -> ProgressFn | None:
    if progress is None:
        return None
    return lambda done, total: progress(low + (high - low) * done // max(total, 1), 100)


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given; folders become their .thidua files (recursively, hidden folders skipped)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(
                p for p in path.rglob(f"*{BUNDLE_SUFFIX}")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ))
        else:
            found.append(path)
    return found


def peek(path: Path) -> Manifest | None:
    """The manifest of a file without verifying it: only to sort a folder or offer an enrolment."""
    try:
        with open_bundle(path) as bundle:
            return bundle.manifest
    except (BundleError, OSError):
        return None


@dataclass(frozen=True)
class ImportOutcome:
    path: Path
    report: ImportReport | None
    error: UserError | None
    unit_code: str = ""
    seq: int | None = None

    @property
    def status_label(self) -> str:
        if self.error is not None:
            return "Từ chối"
        assert self.report is not None
        return {ImportStatus.ALREADY: "Đã nhận trước đây", ImportStatus.HELD: "Chờ xử lý"}.get(self.report.status,
                                                                                                  "Đã nhận")

    @property
    def detail(self) -> str:
        if self.error is not None:
            return self.error.message
        assert self.report is not None
        return self.report.message


def import_many(workspace: BundleHost, paths: Sequence[Path], *, progress: ProgressFn | None = None,
                cancel: CancelFn = never_cancelled) -> list[ImportOutcome]:
    """Import files in (unit, campaign, seq) order, each in its own transaction; refusals don't stop the rest."""
    files = expand_paths(paths)
    peeked = [(path, peek(path)) for path in files]
    peeked.sort(key=lambda item: (item[1] is None, *(
        (item[1].unit_code, item[1].campaign_code, item[1].seq) if item[1] else ("", "", 0)), item[0].name))
    outcomes: list[ImportOutcome] = []
    for index, (path, manifest) in enumerate(peeked):
        if cancel():
            raise Cancelled()
        unit, seq = (manifest.unit_code, manifest.seq) if manifest else ("", None)
        part = _scaled(progress, 100 * index // max(len(peeked), 1), 100 * (index + 1) // max(len(peeked), 1))
        try:
            outcomes.append(ImportOutcome(path, import_bundle(workspace, path, progress=part, cancel=cancel), None,
                                          unit, seq))
        except UserError as error:
            outcomes.append(ImportOutcome(path, None, error, unit, seq))
    if progress:
        progress(100, 100)
    return outcomes
