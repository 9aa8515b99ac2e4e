"""Hostile archives are refused before anything is extracted, each with its own reason."""

from __future__ import annotations

import json
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from thidua_desktop.core.bundles import container
from thidua_desktop.core.bundles.container import Limits
from thidua_desktop.core.bundles.errors import BundleFormatError, BundleUnsafeError, BundleVersionError
from thidua_desktop.core.bundles.reader import open_bundle
from thidua_desktop.core.workspace import Workspace

from .conftest import Unit, enrol, pdf_bytes, read_entries, refused, write_canonical


@pytest.fixture
def valid(unit: Unit, department: Workspace) -> Path:
    unit.add("Hoạt động có minh chứng", attach=[pdf_bytes(1)])
    enrol(department, unit)
    return unit.export().path


def _zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]], method: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("name", ["../../evil.txt", "/etc/cron.d/evil", "evidence/..\\..\\evil", "C:/evil.txt",
                                  "evidence/./x", "evidence//x"])
def test_unsafe_paths_are_refused(department: Workspace, tmp_path: Path, name: str) -> None:
    path = _zip(tmp_path / "slip.thidua", [("manifest.json", b"{}"), (name, b"pwned")])
    error = refused(department, path, BundleUnsafeError, "path")
    assert "đường dẫn không an toàn" in error.message
    assert not (tmp_path.parent / "evil.txt").exists()


def test_symlink_is_refused(department: Workspace, tmp_path: Path) -> None:
    link = zipfile.ZipInfo("evidence/link")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = _zip(tmp_path / "link.thidua", [("manifest.json", b"{}"), (link, b"/etc/passwd")])
    refused(department, path, BundleUnsafeError, "symlink")


def test_zip_bomb_is_refused_without_inflating(department: Workspace, tmp_path: Path) -> None:
    path = _zip(tmp_path / "bomb.thidua", [("manifest.json", b"\0" * 20_000_000)], zipfile.ZIP_DEFLATED)
    assert path.stat().st_size < 100_000
    error = refused(department, path, BundleUnsafeError, "ratio")
    assert "bom nén" in error.message


def test_thousands_of_entries_are_refused(department: Workspace, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    many = _zip(tmp_path / "many.thidua", [(f"evidence/{i:064x}", b"x") for i in range(3000)])
    monkeypatch.setattr(container, "LIMITS", Limits(max_entries=2000))
    refused(department, many, BundleUnsafeError, "count")
    monkeypatch.undo()
    # a tiny file claiming ten million entries (ZIP64 end records) is refused from its last 98 bytes alone
    head = b"PK\x03\x04" + b"\0" * 46
    record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 10_000_000, 10_000_000, 0, 0)
    locator = struct.pack("<IIQI", 0x07064B50, 0, len(head), 1)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    claim = tmp_path / "claim.thidua"
    claim.write_bytes(head + record + locator + end)
    error = refused(department, claim, BundleUnsafeError, "count")
    assert "10,000,000" in error.message


def test_oversized_entry_is_refused(valid: Path, department: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(container, "LIMITS", Limits(max_entry_bytes=10_000))
    refused(department, valid, BundleUnsafeError, "size")


def test_duplicate_entry_names_are_refused(department: Workspace, tmp_path: Path) -> None:
    with pytest.warns(UserWarning):
        path = _zip(tmp_path / "dup.thidua", [("manifest.json", b"{}"), ("manifest.json", b"{}")])
    refused(department, path, BundleUnsafeError, "duplicate")


def test_encrypted_entry_is_refused(valid: Path, department: Workspace, tmp_path: Path) -> None:
    data = bytearray(valid.read_bytes())
    for signature in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(signature)
        field = at + (6 if signature == b"PK\x03\x04" else 8)
        data[field] |= 0x01
    path = tmp_path / "enc.thidua"
    path.write_bytes(bytes(data))
    refused(department, path, BundleUnsafeError, "encrypted")


def test_truncated_file(valid: Path, department: Workspace, tmp_path: Path) -> None:
    data = valid.read_bytes()
    cut = tmp_path / "cut.thidua"
    cut.write_bytes(data[: len(data) // 2])
    error = refused(department, cut, BundleFormatError, "truncated")
    assert "cắt cụt" in error.message
    empty = tmp_path / "empty.thidua"
    empty.write_bytes(b"")
    refused(department, empty, BundleFormatError, "truncated")


@pytest.mark.parametrize("content", [b"Bao cao thi dua nam 2024\n" * 50, b"\x89PNG\r\n\x1a\n" + b"\0" * 500])
def test_non_zip_file(department: Workspace, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "not.thidua"
    path.write_bytes(content)
    error = refused(department, path, BundleFormatError, "not-zip")
    assert "không phải gói dữ liệu ThiĐua" in error.message


def test_future_format_version(valid: Path, department: Workspace, tmp_path: Path) -> None:
    entries = read_entries(valid)
    manifest = json.loads(entries[0][1])
    manifest["format"] = "thidua-bundle/2"
    entries[0] = ("manifest.json", json.dumps(manifest, ensure_ascii=False, sort_keys=True,
                                              separators=(",", ":")).encode())
    error = refused(department, write_canonical(tmp_path / "v2.thidua", entries), BundleVersionError,
                    "future-format")
    assert "thidua-bundle/2" in error.message and "cập nhật" in error.hint


@pytest.mark.parametrize("variant", ["deflated", "zipfile-stored", "comment", "prefix", "suffix"])
def test_non_canonical_containers_are_refused(valid: Path, department: Workspace, tmp_path: Path,
                                              variant: str) -> None:
    entries = read_entries(valid)
    path = tmp_path / f"{variant}.thidua"
    if variant == "deflated":
        _zip(path, entries, zipfile.ZIP_DEFLATED)
    elif variant == "zipfile-stored":
        _zip(path, entries)
    elif variant == "comment":
        with zipfile.ZipFile(_zip(path, entries), "a") as archive:
            archive.comment = b"xin chao"
    else:
        data = valid.read_bytes()
        path.write_bytes(b"MZ" + b"\0" * 64 + data if variant == "prefix" else data + b"\0" * 16)
    refused(department, path, BundleFormatError, "noncanonical")


def test_our_files_open_in_standard_tools(valid: Path) -> None:
    with zipfile.ZipFile(valid) as archive:
        assert archive.testzip() is None
        assert [i.filename for i in archive.infolist()][:2] == ["manifest.json", "manifest.json.minisig"]
    with open_bundle(valid) as bundle:
        assert len(bundle.archive.entries) == 3
    assert write_canonical(valid.with_name("copy.thidua"), read_entries(valid)).read_bytes() == valid.read_bytes()
