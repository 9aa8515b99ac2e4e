"""Every kind of tampering is refused with its own error, and the department is left byte-identical."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from thidua_desktop.core.bundles.chain import HoldReason
from thidua_desktop.core.bundles.errors import (
    AuthorityError,
    BundleFormatError,
    EntrySetError,
    EvidenceMismatchError,
    RevokedKeyError,
    RollbackError,
    SignatureError,
    UntrustedKeyError,
)
from thidua_desktop.core.bundles.importer import ImportStatus, import_bundle
from thidua_desktop.core.bundles.revocation import revoke_key
from thidua_desktop.core.bundles.trust import list_incidents
from thidua_desktop.core.workspace import Workspace

from .conftest import Unit, enrol, flip, make_unit, pdf_bytes, read_entries, refused, resign, write_canonical


@pytest.fixture
def sent(unit: Unit, department: Workspace) -> Path:
    """A valid bundle with two evidence files of equal size, from an enrolled unit."""
    unit.add("Phổ biến pháp luật tại xã Kiến An", attach=[pdf_bytes(1), pdf_bytes(2)])
    unit.add("Hòa giải ở cơ sở", values={"2.2.e": 2})
    enrol(department, unit)
    return unit.export().path


@pytest.fixture
def other(tmp_path: Path, department: Workspace) -> Unit:
    """Another enrolled unit: Phòng Tư pháp thành phố Long Xuyên."""
    made = make_unit(tmp_path / "other", "PTP-LX")
    enrol(department, made)
    yield made
    made.workspace.close()


def _offset_of(path: Path, needle: bytes) -> int:
    data = path.read_bytes()
    at = data.find(needle)
    assert at > 0
    return at


def _rewrite(path: Path, target: Path, change: Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]]) -> Path:
    return write_canonical(target, change(read_entries(path)))


def test_flipped_byte_in_manifest(sent: Path, department: Workspace, tmp_path: Path) -> None:
    raw = flip(sent, _offset_of(sent, "Kiến An".encode()), tmp_path / "raw.thidua")
    refused(department, raw, BundleFormatError, "crc")  # damaged in transit: the ZIP's CRC catches it

    def edit(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        return [(n, d.replace("Kiến An".encode(), "Kiến Ân".encode()) if n == "manifest.json" else d)
                for n, d in entries]

    forged = _rewrite(sent, tmp_path / "forged.thidua", edit)  # CRC recomputed, as a forger would
    error = refused(department, forged, SignatureError, "bad-signature")
    assert "đã bị sửa" in error.message


def test_flipped_byte_in_signature(sent: Path, department: Workspace, tmp_path: Path) -> None:
    raw = flip(sent, _offset_of(sent, b"trusted comment:") + 40, tmp_path / "raw.thidua")
    refused(department, raw, BundleFormatError, "crc")

    def edit(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        out = []
        for name, data in entries:
            if name == "manifest.json.minisig":
                lines = data.split(b"\n")
                sig = bytearray(lines[1])
                sig[20] = ord("A") if sig[20] != ord("A") else ord("B")
                lines[1] = bytes(sig)
                data = b"\n".join(lines)
            out.append((name, data))
        return out

    refused(department, _rewrite(sent, tmp_path / "sig.thidua", edit), SignatureError, "bad-signature")


def test_flipped_byte_in_evidence(sent: Path, department: Workspace, tmp_path: Path) -> None:
    entries = read_entries(sent)
    evidence_at = _offset_of(sent, entries[2][1][:64]) + 1000
    error = refused(department, flip(sent, evidence_at, tmp_path / "raw.thidua"), EvidenceMismatchError, "hash")
    assert ".pdf" in error.message

    def edit(items: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        return [(n, (d[:10] + bytes([d[10] ^ 1]) + d[11:]) if n.startswith("evidence/") and n == items[2][0] else d)
                for n, d in items]

    refused(department, _rewrite(sent, tmp_path / "forged.thidua", edit), EvidenceMismatchError, "hash")


@pytest.mark.parametrize("change", ["added", "missing", "renamed", "extra-file"])
def test_added_missing_or_renamed_entry(sent: Path, department: Workspace, tmp_path: Path, change: str) -> None:
    entries = read_entries(sent)
    fake = hashlib.sha256(b"khac").hexdigest()
    if change == "added":
        entries.append((f"evidence/{fake}", b"khac"))
    elif change == "missing":
        del entries[3]
    elif change == "renamed":
        entries[3] = (f"evidence/{fake}", entries[3][1])
        entries.sort(key=lambda e: (e[0] != "manifest.json", e[0] != "manifest.json.minisig", e[0]))
    else:
        entries.append(("ghi-chu.txt", b"xin chao"))
    error = refused(department, write_canonical(tmp_path / "x.thidua", entries), EntrySetError, "entries")
    assert ("thiếu" in error.message) == (change in ("missing", "renamed"))
    assert ("thừa" in error.message) == (change != "missing")


def test_swapped_evidence_files(sent: Path, department: Workspace, tmp_path: Path) -> None:
    entries = read_entries(sent)
    (name_a, data_a), (name_b, data_b) = entries[2], entries[3]
    assert len(data_a) == len(data_b)
    entries[2], entries[3] = (name_a, data_b), (name_b, data_a)
    error = refused(department, write_canonical(tmp_path / "swap.thidua", entries), EvidenceMismatchError, "hash")
    assert "2 tệp minh chứng" in error.message


def test_manifest_re_signed_by_another_enrolled_unit(sent: Path, department: Workspace, other: Unit,
                                                     tmp_path: Path) -> None:
    # the other unit's key, declared honestly: it may not sign for Chợ Mới
    forged = resign(sent, tmp_path / "forged.thidua", other)
    error = refused(department, forged, AuthorityError, "foreign-key")
    assert "Phòng Tư pháp huyện Chợ Mới" in error.message and "Long Xuyên" in error.message
    # the other unit's signature over a manifest that still names Chợ Mới's key
    mismatch = resign(sent, tmp_path / "mismatch.thidua", other, keep_signer=True)
    refused(department, mismatch, SignatureError, "key-mismatch")


def test_record_claiming_another_unit(sent: Path, department: Workspace, other: Unit, tmp_path: Path) -> None:
    other.add("Hoạt động của Long Xuyên")
    own = other.export().path

    def claim(manifest: dict) -> None:
        manifest["records"][0]["unit"] = "PTP-CM"

    refused(department, resign(own, tmp_path / "claim.thidua", other, claim), AuthorityError, "foreign-record")
    # the same uuid as a Chợ Mới activity already at the department: no overwriting another unit's records
    import_bundle(department, sent)
    victim = json.loads(dict(read_entries(sent))["manifest.json"])["records"][0]

    def steal(manifest: dict) -> None:
        manifest["records"][0]["uuid"] = victim["uuid"]
        manifest["records"].sort(key=lambda r: r["uuid"])

    refused(department, resign(own, tmp_path / "steal.thidua", other, steal), AuthorityError, "foreign-record")


def test_unknown_key(unit: Unit, department: Workspace) -> None:
    unit.add("Chưa đăng ký khóa")
    bundle = unit.export().path
    error = refused(department, bundle, UntrustedKeyError, "unknown-key")
    assert error.key_id == unit.key.key_id and error.unit_code == "PTP-CM"
    # the fingerprint to enrol comes from the paper sheet, never from the refusal
    assert unit.key.fingerprint not in error.hint + error.message and "phiếu" in error.hint


def test_revoked_key(unit: Unit, department: Workspace) -> None:
    unit.add("Gói 1")
    enrol(department, unit)
    import_bundle(department, unit.export().path)
    unit.add("Gói 2")
    second = unit.export().path
    report = revoke_key(department, unit.key.key_id, 2, "Máy của đơn vị bị mất")
    assert report.already_imported == ()
    error = refused(department, second, RevokedKeyError, "revoked")
    assert "Máy của đơn vị bị mất" in error.message


def test_rollback_is_refused(unit: Unit, department: Workspace) -> None:
    unit.add("Gói 1")
    first = unit.export().path
    unit.add("Gói 2")
    second = unit.export().path
    enrol(department, unit)
    import_bundle(department, second)
    error = refused(department, first, RollbackError, "rollback")
    assert "số 1" in error.message and "số 2" in error.message


def test_equivocation_is_held_freezes_the_chain_and_is_flagged(sent: Path, unit: Unit, department: Workspace,
                                                                tmp_path: Path) -> None:
    import_bundle(department, sent)
    unit.add("Thêm sau")
    later = unit.export().path

    def same_seq(manifest: dict) -> None:
        manifest["seq"] = 1
        manifest["previous"] = None

    twin = resign(later, tmp_path / "twin.thidua", unit, same_seq, keep_signer=True)
    report = import_bundle(department, twin)
    assert report.status is ImportStatus.HELD and "hai gói khác nhau cùng số thứ tự 1" in report.message
    assert [f.seq for f in department.bundles().freezes()] == [1]
    incidents = list_incidents(department.layout)
    assert [(i["kind"], i["seq"], i["unit"]) for i in incidents] == [("equivocation", 1, "PTP-CM")]


def test_fork_in_the_chain_is_held_and_flagged(sent: Path, unit: Unit, department: Workspace,
                                               tmp_path: Path) -> None:
    import_bundle(department, sent)
    unit.add("Thêm sau")
    later = unit.export().path

    def other_parent(manifest: dict) -> None:
        manifest["previous"]["manifest_sha256"] = "0" * 64

    report = import_bundle(department, resign(later, tmp_path / "fork.thidua", unit, other_parent, keep_signer=True))
    assert report.status is ImportStatus.HELD and "có hai nhánh" in report.message
    assert [h.reason for h in department.bundles().holds()] == [HoldReason.FORK]
    assert [i["kind"] for i in list_incidents(department.layout)] == ["fork"]


def test_restored_unit_database_cannot_reuse_a_sequence_number(unit: Unit) -> None:
    from sqlalchemy import delete

    from thidua_desktop.core.bundles.models import BundleExport, BundleExportEvidence

    unit.add("Gói 1")
    assert unit.export().seq == 1
    with unit.workspace.transaction() as session:  # as if an old backup had been restored
        session.execute(delete(BundleExportEvidence))
        session.execute(delete(BundleExport))
    assert unit.export().seq == 2
