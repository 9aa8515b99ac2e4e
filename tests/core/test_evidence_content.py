"""Evidence is checked by content, the size limit applies to what is kept, and copies nobody saved go away."""

from __future__ import annotations

import io
import os
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.evidence_types import Family, check_content
from thidua_desktop.core.workspace import Workspace

EXE_HEADER = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode."


def _draft(workspace: Workspace) -> ActivityDraft:
    campaign = workspace.campaign()
    return ActivityDraft(criterion_id=campaign.criteria_by_code["3"].id, activity_date=date(2024, 1, 20),
                         title="Trao quà Tết cho hộ nghèo", values={campaign.indicators_by_code["3.d"].id: 50})


def _stored_files(workspace: Workspace) -> list[str]:
    return [sha for sha, _path in workspace.evidence_store().shas()]


def _jpeg(path: Path, size: tuple[int, int] = (400, 300)) -> Path:
    Image.new("RGB", size, (20, 120, 40)).save(path, "JPEG")
    return path


def test_a_program_renamed_as_a_photo_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "anh-trao-qua.jpg"
    fake.write_bytes(EXE_HEADER + os.urandom(4000))
    with pytest.raises(UserError) as error:
        check_content(fake)
    assert "nội dung là một chương trình Windows" in error.value.message
    assert "không phải ảnh" in error.value.message and "đổi tên" in error.value.hint


@pytest.mark.parametrize("name", ["bien-ban.pdf", "bao-cao.docx", "so-lieu.xlsx", "ghi-chu.txt", "anh.png"])
def test_a_program_under_any_evidence_name_is_refused(tmp_path: Path, name: str) -> None:
    fake = tmp_path / name
    fake.write_bytes(EXE_HEADER + os.urandom(2000))
    with pytest.raises(UserError, match="chương trình Windows"):
        check_content(fake)


def test_real_documents_and_images_are_recognised(tmp_path: Path) -> None:
    import docx
    import openpyxl

    _jpeg(tmp_path / "a.jpg")
    Image.new("RGB", (50, 40)).save(tmp_path / "b.png")
    Image.new("RGB", (50, 40)).save(tmp_path / "png-named.jpg", "PNG")  # phones and tools mix these up
    Image.new("RGB", (50, 40)).save(tmp_path / "c.webp", "WEBP")
    Image.new("RGB", (50, 40)).save(tmp_path / "d.tif", "TIFF")
    Image.new("RGB", (50, 40)).save(tmp_path / "e.bmp", "BMP")
    Image.new("P", (50, 40)).save(tmp_path / "f.gif", "GIF")
    document = docx.Document()
    document.add_paragraph("Biên bản")
    document.save(str(tmp_path / "g.docx"))
    book = openpyxl.Workbook()
    book.save(str(tmp_path / "h.xlsx"))
    with zipfile.ZipFile(tmp_path / "i.odt", "w") as odt:
        odt.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        odt.writestr("content.xml", "<office:document-content/>")
    (tmp_path / "j.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (tmp_path / "k.rtf").write_bytes(b"{\\rtf1\\ansi Bien ban}")
    (tmp_path / "l.txt").write_text("Ghi chú: hòa giải thành 3 vụ\n", encoding="utf-8")
    (tmp_path / "m.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    expected = {"a.jpg": Family.IMAGE, "b.png": Family.IMAGE, "png-named.jpg": Family.IMAGE, "c.webp": Family.IMAGE,
                "d.tif": Family.IMAGE, "e.bmp": Family.IMAGE, "f.gif": Family.IMAGE, "g.docx": Family.OOXML,
                "h.xlsx": Family.OOXML, "i.odt": Family.ODF, "j.doc": Family.OLE, "k.rtf": Family.RTF,
                "l.txt": Family.TEXT, "m.pdf": Family.PDF}
    assert {name: check_content(tmp_path / name) for name in expected} == expected


def test_a_broken_photo_and_a_zip_posing_as_a_document_are_refused(tmp_path: Path) -> None:
    whole = _jpeg(tmp_path / "whole.jpg", (800, 600)).read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(UserError, match="bị hỏng hoặc không đọc được"):
        check_content(cut)
    with zipfile.ZipFile(tmp_path / "nen.docx", "w") as archive:
        archive.writestr("virus.exe", EXE_HEADER)
    with pytest.raises(UserError, match="không phải tài liệu Word"):
        check_content(tmp_path / "nen.docx")
    (tmp_path / "data.txt").write_bytes(os.urandom(3000).replace(b"\x00", b"\x01"))
    with pytest.raises(UserError, match="không phải tệp văn bản"):
        check_content(tmp_path / "data.txt")


def test_the_service_refuses_a_renamed_program_before_copying(workspace: Workspace, tmp_path: Path) -> None:
    uuid = workspace.activities().create("PTP-CM", _draft(workspace)).created[0]
    fake = tmp_path / "IMG_2024.jpg"
    fake.write_bytes(EXE_HEADER + os.urandom(4000))
    with pytest.raises(UserError, match="chương trình Windows"):
        workspace.evidence().attach(uuid, [fake])
    assert _stored_files(workspace) == []
    assert workspace.activities().get(uuid).draft.attachments == []


def test_a_big_photo_is_kept_downscaled_within_the_limit(workspace: Workspace, tmp_path: Path) -> None:
    """The limit applies to the copy kept: a photo over the limit is accepted when its downscaled copy is under it."""
    workspace.set_settings(evidence_max_mb=1)
    photo = tmp_path / "IMG_9999.bmp"  # an uncompressed 14 MB picture straight from a scanner
    Image.linear_gradient("L").resize((2600, 1800)).convert("RGB").save(photo, "BMP")
    assert photo.stat().st_size > 10 * 1024 * 1024
    uuid = workspace.activities().create("PTP-CM", _draft(workspace)).created[0]
    workspace.evidence().attach(uuid, [photo])
    attachment = workspace.activities().get(uuid).draft.attachments[0]
    assert attachment.mime_type == "image/jpeg" and attachment.size <= 1024 * 1024
    assert max(Image.open(workspace.evidence_store().path_for(attachment.sha256)).size) == 2000
    # Without downscaling the original is kept, so the limit applies to it.
    workspace.set_settings(downscale_photos=False)
    with pytest.raises(UserError, match="vượt giới hạn 1 MB"):
        workspace.evidence().attach(uuid, [photo])


def test_a_failed_save_removes_the_copies_nobody_references(workspace: Workspace, tmp_path: Path) -> None:
    scan = tmp_path / "bien-ban.pdf"
    scan.write_bytes(b"%PDF-1.4 bien ban" * 100)
    service = workspace.evidence()
    with pytest.raises(RuntimeError), service.staged_files([scan]) as files:
        assert len(files) == 1 and _stored_files(workspace) == [files[0].sha256]
        raise RuntimeError("the save failed")
    assert _stored_files(workspace) == []
    # A file some record already references stays, even when a later save that also uses it fails.
    uuid = workspace.activities().create("PTP-CM", _draft(workspace)).created[0]
    service.attach(uuid, [scan])
    with pytest.raises(RuntimeError), service.staged_files([scan]):
        raise RuntimeError("the save failed")
    assert len(_stored_files(workspace)) == 1


def test_orphans_are_swept_after_the_grace_period_only(workspace: Workspace, tmp_path: Path) -> None:
    service = workspace.evidence()
    kept_scan, removed_scan, open_scan, fresh_scan = (tmp_path / f"{n}.pdf" for n in ("kept", "removed", "open", "fresh"))
    for index, path in enumerate((kept_scan, removed_scan, open_scan, fresh_scan)):
        path.write_bytes(b"%PDF-1.4 " + bytes([index]) * 500)
    uuid = workspace.activities().create("PTP-CM", _draft(workspace)).created[0]
    service.attach(uuid, [kept_scan])
    removed, held = (service.copy_in([p])[0] for p in (removed_scan, open_scan))
    fresh = service.copy_in([fresh_scan])[0]
    a_day_ago = time.time() - 25 * 3600
    for sha, path in workspace.evidence_store().shas():
        if sha != fresh.sha256:
            os.utime(path, (a_day_ago, a_day_ago))
    assert service.collect_orphans(keep={held.sha256}) == 1
    left = set(_stored_files(workspace))
    assert removed.sha256 not in left
    assert held.sha256 in left and fresh.sha256 in left  # open in a form / within the grace period
    assert len(left) == 3  # the referenced one stays too


def test_a_copy_added_again_elsewhere_is_not_discarded(workspace: Workspace, tmp_path: Path) -> None:
    scan = tmp_path / "bien-ban.pdf"
    scan.write_bytes(b"%PDF-1.4 bien ban" * 100)
    service = workspace.evidence()
    mine = service.copy_in([scan])[0]
    path = workspace.evidence_store().path_for(mine.sha256)
    os.utime(path, ns=(mine.stamp + 1000, mine.stamp + 1000))  # another window added the same bytes since
    assert service.discard_unreferenced([mine]) == []
    assert path.exists()
    os.utime(path, ns=(mine.stamp, mine.stamp))
    assert service.discard_unreferenced([mine], keep={mine.sha256}) == []  # still shown in another form
    assert service.discard_unreferenced([mine]) == [mine.sha256]
    assert not path.exists()


def test_the_stream_api_still_works(tmp_path: Path) -> None:
    from thidua_desktop.core.evidence import EvidenceStore

    store = EvidenceStore(tmp_path / "store")
    sha, size, existed = store.add_stream(io.BytesIO(b"%PDF-1.4 x"), 10)
    assert (sha, size, existed) == (sha, 10, False) and [s for s, _p in store.shas()] == [sha]
