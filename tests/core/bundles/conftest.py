"""Bundle test fixtures: a unit (always SQLite, as on district PCs) and a department (SQLite, and
PostgreSQL when THIDUA_TEST_PG_URL is set), plus helpers that snapshot the department's state."""

from __future__ import annotations

import hashlib
import io
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.bundles import keys
from thidua_desktop.core.bundles.container import central_header, end_records, local_header
from thidua_desktop.core.bundles.errors import BundleError
from thidua_desktop.core.bundles.exporter import ExportReport, export_bundle
from thidua_desktop.core.bundles.importer import import_bundle
from thidua_desktop.core.bundles.keys import OwnKey, create_key
from thidua_desktop.core.bundles.trust import enrol_key
from thidua_desktop.core.models import Base
from thidua_desktop.core.workspace import Role, Workspace

PASSPHRASE = "cụm mật khẩu thử nghiệm"


@pytest.fixture(autouse=True)
def cheap_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt at N = 2^10 instead of 2^17: the format is the same, the tests are faster."""
    monkeypatch.setitem(keys.KDF_LIMITS, "opslimit", 2**15)
    monkeypatch.setitem(keys.KDF_LIMITS, "memlimit", 2**24)


@dataclass
class Unit:
    """A district office's machine with a key, and helpers to record activities and send bundles."""

    workspace: Workspace
    key: OwnKey
    files: Path

    def add(self, title: str, *, criterion: str = "2.2", values: dict[str, int] | None = None,
            day: date = date(2024, 3, 5), attach: list[bytes] | None = None, commune: str = "xã Kiến An") -> str:
        campaign = self.workspace.campaign()
        values = values if values is not None else {"2.2.b": 2, "2.2.c": 45}
        draft = ActivityDraft(
            criterion_id=campaign.criteria_by_code[criterion].id, activity_date=day, title=title, commune=commune,
            is_poor_commune=True, responsible_officer="Nguyễn Thị Thu Hà",
            values={campaign.indicators_by_code[code].id: v for code, v in values.items()},
        )
        uuid = self.workspace.activities().create(self.workspace.setting("unit_code"), draft).created[0]
        if attach:
            paths = []
            for index, content in enumerate(attach):
                path = self.files / f"{uuid[:8]}-{index}.pdf"
                path.write_bytes(content)
                paths.append(path)
            self.workspace.evidence().attach(uuid, paths)
        return uuid

    def edit(self, uuid: str, **changes: object) -> None:
        detail = self.workspace.activities().get(uuid)
        draft = detail.draft
        for name, value in changes.items():
            setattr(draft, name, value)
        self.workspace.activities().update(uuid, draft)

    def export(self, out: Path | None = None, *, mode: str = "delta", **kwargs: object) -> ExportReport:
        return export_bundle(self.workspace, out or self.files.parent / "outbox", passphrase=PASSPHRASE, mode=mode,
                             **kwargs)


def make_unit(root: Path, code: str = "PTP-CM") -> Unit:
    ws = Workspace.open(root / "data", actor=f"cán bộ {code}")
    ws.configure(Role.UNIT, code)
    key = create_key(ws, PASSPHRASE, PASSPHRASE)
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    (root / "outbox").mkdir(exist_ok=True)
    return Unit(ws, key, files)


@pytest.fixture
def unit(tmp_path: Path) -> Iterator[Unit]:
    made = make_unit(tmp_path / "unit")
    yield made
    made.workspace.close()


@pytest.fixture
def department(workspace: Workspace) -> Workspace:
    """The shared `workspace` fixture (SQLite and PostgreSQL), set up as the Sở Tư pháp."""
    workspace.configure(Role.DEPARTMENT, None)
    return workspace


def enrol(department: Workspace, unit: Unit) -> None:
    enrol_key(department, unit.workspace.setting("unit_code"), unit.key.public_key.to_base64(),
              typed_fingerprint=unit.key.fingerprint)


def pdf_bytes(seed: int, size: int = 20_000) -> bytes:
    """Deterministic, incompressible PDF-like content (like a scan) that differs per seed."""
    return b"%PDF-1.4\n" + random.Random(seed).randbytes(size - 9)


def state(ws: Workspace) -> dict[str, object]:
    """Everything a refused import must leave untouched: all rows, the SQLite file bytes, the store."""
    snapshot: dict[str, object] = {}
    with ws.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            snapshot[f"table:{table.name}"] = [tuple(row) for row in rows]
    if ws.is_sqlite:
        ws.engine.dispose()  # the last connection checkpoints the WAL into the main file
        snapshot["sqlite"] = hashlib.sha256(ws.layout.database_file.read_bytes()).hexdigest()
        snapshot["wal"] = (ws.layout.database_file.with_name("thidua.sqlite-wal")).exists()
    root = ws.layout.evidence_dir
    snapshot["store"] = {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    bundles = ws.layout.bundles_dir
    snapshot["bundles"] = sorted(
        p.relative_to(bundles).as_posix() for p in bundles.rglob("*") if p.is_file() and p.name != "incidents.jsonl"
    ) if bundles.exists() else []
    return snapshot


# --- building archives by hand (for tampering and hostile files) --------------------------------


def read_entries(path: Path) -> list[tuple[str, bytes]]:
    """The entries of a bundle, in order (our own files are plain stored ZIPs)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def write_canonical(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    """A structurally perfect bundle container with the given entries: what a careful attacker makes."""
    out = io.BytesIO()
    directory = []
    for name, data in entries:
        offset = out.tell()
        crc = zlib.crc32(data)
        out.write(local_header(name.encode(), crc, len(data)))
        out.write(data)
        directory.append(central_header(name.encode(), crc, len(data), offset))
    cd_offset = out.tell()
    cd = b"".join(directory)
    out.write(cd)
    out.write(end_records(len(entries), cd_offset, len(cd)))
    path.write_bytes(out.getvalue())
    return path


def flip(path: Path, offset: int, target: Path | None = None) -> Path:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    (target or path).write_bytes(bytes(data))
    return target or path



def secret_of(unit: Unit):  # noqa: ANN201 - SecretKey
    from thidua_desktop.core.bundles.keys import keyring_of

    return keyring_of(unit.workspace).unlock(unit.key, PASSPHRASE)


def resign(source: Path, target: Path, signer: Unit, mutate=None, *, keep_signer: bool = False) -> Path:  # noqa: ANN001
    """Rewrite a bundle's manifest (optionally changed by `mutate`) and sign it with `signer`'s key."""
    import json

    from thidua_desktop.core.bundles import canonical
    from thidua_desktop.core.bundles.manifest import SIGNATURE_COMMENT, trusted_comment

    entries = dict(read_entries(source))
    manifest = json.loads(entries["manifest.json"])
    if not keep_signer:
        manifest["signer"] = {"key_id": signer.key.key_id, "public_key": signer.key.public_key.to_base64(),
                              "rotation": []}
    if mutate is not None:
        mutate(manifest)
    raw = canonical.encode(manifest)
    comment = trusted_comment(manifest["bundle_id"], manifest["unit"]["code"], manifest["seq"],
                              manifest["campaign"]["code"])
    entries["manifest.json"] = raw
    entries["manifest.json.minisig"] = secret_of(signer).sign(raw, comment, SIGNATURE_COMMENT).text().encode()
    return write_canonical(target, list(entries.items()))


def refused(department: Workspace, path: Path, error: type[BundleError], reason: str | None = None) -> BundleError:
    """Import must raise exactly this error class and leave everything as it was."""
    before = state(department)
    with pytest.raises(BundleError) as caught:
        import_bundle(department, path)
    assert type(caught.value) is error, caught.value
    assert caught.value.message and caught.value.hint
    if reason is not None:
        assert caught.value.reason == reason
    assert state(department) == before
    return caught.value
