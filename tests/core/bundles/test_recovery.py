"""Recovery after a killed import, in process: exact (journal-driven), never touching what the database holds,
never touching a live import; and archives of both layouts stay readable and re-verifiable."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select, update

from thidua_desktop.core.bundles.archive import ArchivedBundle
from thidua_desktop.core.bundles.import_apply import recover_interrupted_imports
from thidua_desktop.core.bundles.importer import import_bundle, prepare_import
from thidua_desktop.core.bundles.models import BundleImport
from thidua_desktop.core.bundles.staging import STAGING_DIR, Staging
from thidua_desktop.core.evidence import EvidenceStore, FileState
from thidua_desktop.core.models import EvidenceChunk
from thidua_desktop.core.workspace import Workspace

from .conftest import Unit, enrol, pdf_bytes


def _die(staging: Staging) -> None:
    """What SIGKILL does to a staging folder's owner: the lock goes, the files stay."""
    assert staging._owner is not None
    staging._owner.release()
    staging._owner = None


def _orphan(department: Workspace, content: bytes) -> str:
    import hashlib

    sha = hashlib.sha256(content).hexdigest()
    path = department.evidence_store().path_for(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return sha


def _cached(store: EvidenceStore, sha: str) -> bool:
    """Whether this machine's folder holds the file (without fetching it from a shared database)."""
    return EvidenceStore.path_for(store, sha).is_file()


def test_recovery_removes_only_journalled_files_the_database_does_not_hold(unit: Unit, department: Workspace) -> None:
    unit.add("Phổ biến pháp luật", attach=[pdf_bytes(1)])
    enrol(department, unit)
    import_bundle(department, unit.export().path)
    store = department.evidence_store()
    held = next(p.name for p in department.layout.evidence_dir.rglob("*") if p.is_file())
    orphan = _orphan(department, pdf_bytes(2))
    untouched = _orphan(department, pdf_bytes(3))  # in the store, no row, but no dead import moved it
    dead = Staging.create(department.layout.bundles_dir)
    (dead.folder / "partial-file").write_bytes(b"x" * 1000)
    dead.journal(evidence=[held, orphan], archive="bundles/archive/PTP-CM/KH/00009_dead")
    archive = department.layout.root / "bundles/archive/PTP-CM/KH/00009_dead"
    archive.mkdir(parents=True)
    (archive / "manifest.json").write_bytes(b"{}")
    _die(dead)
    live = Staging.create(department.layout.bundles_dir)  # another import, still running
    live.journal(evidence=[untouched])

    report = recover_interrupted_imports(department)

    assert report.evidence_removed == [orphan] and report.archives_removed == [archive.relative_to(
        department.layout.root).as_posix()]
    if department.is_sqlite:
        assert store.has(held) and store.has(untouched) and not store.has(orphan)
    else:  # the folder is this machine's cache; the shared copy in the database is what counts
        assert store.has(held) and not store.has(orphan) and not store.has(untouched)
        assert _cached(store, held) and _cached(store, untouched) and not _cached(store, orphan)
    assert not dead.folder.exists() and live.folder.is_dir()
    live.discard()
    assert not (department.layout.bundles_dir / STAGING_DIR).exists()


def test_a_new_import_removes_dead_staging_and_keeps_a_live_one(unit: Unit, department: Workspace) -> None:
    unit.add("Hòa giải ở cơ sở", attach=[pdf_bytes(4)])
    enrol(department, unit)
    bundle = unit.export().path
    dead = Staging.create(department.layout.bundles_dir)
    (dead.folder / "big").write_bytes(b"\0" * 100_000)
    _die(dead)
    waiting = prepare_import(department, bundle)  # a preview open in the GUI: live
    try:
        second = prepare_import(department, bundle)
        assert not dead.folder.exists()
        assert waiting.staging is not None and waiting.staging.folder.is_dir()
        second.discard()
    finally:
        waiting.discard()
    assert not (department.layout.bundles_dir / STAGING_DIR).exists()


def test_app_start_recovers(unit: Unit, tmp_path: Path) -> None:
    data = tmp_path / "department"
    with Workspace.open(data) as department:
        dead = Staging.create(department.layout.bundles_dir)
        orphan = _orphan(department, pdf_bytes(5))
        dead.journal(evidence=[orphan])
        _die(dead)
    with Workspace.open(data) as reopened:
        assert not reopened.evidence_store().has(orphan)
        assert not (reopened.layout.bundles_dir / STAGING_DIR).exists()


def test_archives_of_both_layouts_are_readable_and_re_verifiable(unit: Unit, department: Workspace,
                                                                tmp_path: Path) -> None:
    unit.add("Tập huấn hòa giải viên", attach=[pdf_bytes(6), pdf_bytes(7)])
    enrol(department, unit)
    bundle = unit.export().path
    import_bundle(department, bundle)
    with department.sessions() as session:
        row = session.scalars(select(BundleImport)).one()
    store = department.evidence_store()
    current = ArchivedBundle.open(department.layout, row.archive_path)
    assert not current.is_whole_file
    assert sorted(p.name for p in current.path.iterdir()) == ["manifest.json", "manifest.json.minisig"]
    assert current.rebuild(store, tmp_path / "again.thidua").read_bytes() == bundle.read_bytes()
    assert current.problems(store, unit.key.public_key) == []

    old_path = department.layout.bundles_dir / "archive" / "old" / "00001_old.thidua"  # before this layout
    old_path.parent.mkdir(parents=True)
    shutil.copyfile(bundle, old_path)
    old = ArchivedBundle.open(department.layout, old_path.relative_to(department.layout.root).as_posix())
    assert old.is_whole_file and old.manifest.raw == current.manifest.raw
    assert old.rebuild(store, tmp_path / "old-again.thidua").read_bytes() == bundle.read_bytes()
    assert old.problems(store, unit.key.public_key) == []

    first = current.manifest.evidence[0].sha256
    if department.is_sqlite:
        store.path_for(first).write_bytes(b"changed")
    else:  # the local file is only a cache (fetched again when damaged): damage the shared copy
        with department.write_sessions.begin() as session:
            session.execute(update(EvidenceChunk).where(EvidenceChunk.sha256 == first).values(data=b"changed"))
    assert len(current.problems(store, unit.key.public_key)) == 1


def test_a_failed_import_never_removes_an_intact_file_it_did_not_bring(unit: Unit, department: Workspace,
                                                                       monkeypatch) -> None:  # noqa: ANN001
    """A file already in the store without a row (a form not yet saved) is not the import's to remove."""
    import pytest

    from thidua_desktop.core.bundles import import_apply

    unit.add("Trợ giúp pháp lý", attach=[pdf_bytes(8)])
    enrol(department, unit)
    bundle = unit.export().path
    unsaved = _orphan(department, pdf_bytes(8))  # the same photo, copied in by a form still open here

    def fail(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("mất điện giữa chừng")

    monkeypatch.setattr(import_apply, "_write_records", fail)
    with pytest.raises(RuntimeError):
        import_bundle(department, bundle)
    if department.is_sqlite:
        assert department.evidence_store().has(unsaved)
    else:  # the import's upload rolled back with it; this machine's copy must survive to be shared later
        assert EvidenceStore.check(department.evidence_store(), unsaved) is FileState.OK
