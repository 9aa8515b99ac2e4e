"""Missing evidence is recoverable, and the refusal's hint leads somewhere (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete

from tests.core.bundles.conftest import Unit, enrol, make_unit, pdf_bytes
from tests.core.shared.conftest import Reviewer
from thidua_desktop.core.bundles.errors import MissingEvidenceError
from thidua_desktop.core.bundles.import_plan import ImportStatus
from thidua_desktop.core.models import EvidenceBlob, EvidenceChunk
from thidua_desktop.core.workspace import Workspace


def lose_files(ws: Workspace, *, keep_local: bool = False) -> None:
    """The store loses every file (a disk replaced; or, shared, files only one machine ever had)."""
    if not ws.is_sqlite:
        with ws.engine.begin() as conn:
            conn.execute(delete(EvidenceChunk))
            conn.execute(delete(EvidenceBlob))
    if not keep_local:
        shutil.rmtree(ws.layout.evidence_dir, ignore_errors=True)


def test_receiving_an_earlier_bundle_again_restores_its_files(department: Workspace, unit: Unit) -> None:
    enrol(department, unit)
    photos = [pdf_bytes(1, 1_200_000), pdf_bytes(2)]
    uuid = unit.add("Hòa giải ở xã Kiến An", attach=photos)
    first = unit.export().path
    unit.edit(uuid, title="Hòa giải thành ở xã Kiến An")
    delta = unit.export().path
    department.bundles().import_file(first)
    lose_files(department)
    with pytest.raises(MissingEvidenceError) as refused:
        department.bundles().import_file(delta)
    assert "nhận (lại) gói đó" in refused.value.hint  # the way out, not a dead end
    again = department.bundles().import_file(first)
    assert again.status is ImportStatus.ALREADY and again.evidence_added == 2
    assert "đã bổ sung 2 tệp minh chứng" in again.message
    store = department.evidence_store()
    for photo in photos:
        assert store.path_for(hashlib.sha256(photo).hexdigest()).read_bytes() == photo
    assert department.bundles().import_file(delta).status is ImportStatus.NEW


def test_files_one_reviewer_imported_before_sharing_reach_everyone(tmp_path: Path,
                                                                   reviewers: tuple[Reviewer, Reviewer]) -> None:
    first, second = reviewers
    unit = make_unit(tmp_path / "unit")
    photo = pdf_bytes(7, 300_000)
    uuid = unit.add("Tuyên truyền", attach=[photo])
    bundle1 = unit.export().path
    unit.edit(uuid, title="Tuyên truyền pháp luật")
    delta = unit.export().path
    sha = hashlib.sha256(photo).hexdigest()
    with first.open() as a:
        enrol(a, unit)
        a.bundles().import_file(bundle1)
        lose_files(a, keep_local=True)  # as imported by an older version: only in A's folder
    with second.open() as b:
        assert not b.evidence_store().has(sha)
        with pytest.raises(MissingEvidenceError):
            b.bundles().import_file(delta)
    with first.open() as a:
        assert a.bundles().recover_evidence().shared == 1
    with second.open() as b:
        assert b.evidence_store().path_for(sha).read_bytes() == photo
        assert b.bundles().import_file(delta).status is ImportStatus.NEW
    unit.workspace.close()
