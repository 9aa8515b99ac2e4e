"""The department's history of received bundles (for its list and the consolidation drill-down)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from thidua_desktop.core.bundles.host import BundleHost
from thidua_desktop.core.bundles.models import BundleImport
from thidua_desktop.core.models import Unit


@dataclass(frozen=True)
class ImportInfo:
    """One received bundle, for the department's list and the consolidation drill-down."""

    id: int
    unit_code: str
    unit_name: str
    seq: int
    mode: str
    created_at: datetime
    imported_at: datetime
    imported_by: str
    signer_key_id: str
    file_name: str
    file_size: int
    new_count: int
    changed_count: int
    unchanged_count: int
    deleted_count: int
    held_count: int
    evidence_added: int
    archive_path: str
    warnings: tuple[str, ...]

    @property
    def mode_label(self) -> str:
        return "Đầy đủ" if self.mode == "full" else "Bổ sung"


def list_imports(workspace: BundleHost, *, bundle_ids: Sequence[int] | None = None) -> list[ImportInfo]:
    """Received bundles, newest first (or the given ones: which bundle an activity came from)."""
    with workspace.sessions() as session:
        units = {u.id: u for u in session.scalars(select(Unit))}
        query = select(BundleImport).order_by(BundleImport.imported_at.desc(), BundleImport.id.desc())
        if bundle_ids is not None:
            query = query.where(BundleImport.id.in_(list(bundle_ids)))
        return [
            ImportInfo(
                r.id, units[r.unit_id].code, units[r.unit_id].name,
                r.seq if r.superseded_seq is None else r.superseded_seq, r.mode, r.created_at, r.imported_at,
                r.imported_by, r.signer_key_id, r.file_name, r.file_size, r.new_count, r.changed_count,
                r.unchanged_count, r.deleted_count, r.held_count, r.evidence_added, r.archive_path,
                tuple(json.loads(r.warnings_json or "[]"))
                + ((f"Đã loại khỏi chuỗi gói: {r.superseded_reason}",) if r.superseded_seq is not None else ()),
            )
            for r in session.scalars(query)
        ]
