from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from thidua_desktop.core.activities import ActivityDraft
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.evidence import EvidenceStore, FileState, make_thumbnail
from thidua_desktop.core.workspace import Workspace


def _activity(workspace: Workspace) -> str:
    campaign = workspace.campaign()
    draft = ActivityDraft(
        criterion_id=campaign.criteria_by_code["3"].id,
        activity_date=__import__("datetime").date(2024, 1, 20),
        title="Trao quà Tết cho hộ nghèo",
        values={campaign.indicators_by_code["3.d"].id: 50},
    )
    return workspace.activities().create("PTP-CM", draft).created[0]


def _photo(path: Path, size: tuple[int, int], orientation: int | None = None) -> Path:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue, to check rotation
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(path, "JPEG", exif=exif.tobytes())
    return path


def test_files_are_copied_not_moved_and_stored_once(workspace: Workspace, tmp_path: Path) -> None:
    workspace.set_settings(downscale_photos=False)
    uuid = _activity(workspace)
    scan = tmp_path / "bien-ban.pdf"
    scan.write_bytes(b"%PDF-1.4 bien ban hop" * 100)
    service = workspace.evidence()
    service.attach(uuid, [scan])
    service.attach(uuid, [scan])  # same file again: still one link, one stored copy
    other = _activity(workspace)
    service.attach(other, [scan])
    assert scan.exists()
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    stored = list(workspace.layout.evidence_dir.rglob(sha))
    assert len(stored) == 1 and stored[0].read_bytes() == scan.read_bytes()
    detail = workspace.activities().get(uuid)
    assert [a.sha256 for a in detail.draft.attachments] == [sha]
    assert detail.draft.attachments[0].mime_type == "application/pdf"


def test_size_limit_and_type_have_clear_messages(workspace: Workspace, tmp_path: Path) -> None:
    workspace.set_settings(evidence_max_mb=1)
    uuid = _activity(workspace)
    big = tmp_path / "ban-scan-lon.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    with pytest.raises(UserError) as error:
        workspace.evidence().attach(uuid, [big])
    assert "vượt giới hạn 1 MB" in error.value.message
    script = tmp_path / "virus.exe"
    script.write_bytes(b"MZ")
    with pytest.raises(UserError, match="không thuộc loại được nhận"):
        workspace.evidence().attach(uuid, [script])
    assert workspace.activities().get(uuid).draft.attachments == []


def test_photos_are_downscaled_and_kept_upright(workspace: Workspace, tmp_path: Path) -> None:
    # Orientation 6: the camera was turned; the stored picture must be rotated to stand upright.
    photo = _photo(tmp_path / "IMG_0001.JPG", (3000, 2000), orientation=6)
    uuid = _activity(workspace)
    workspace.evidence().attach(uuid, [photo])
    attachment = workspace.activities().get(uuid).draft.attachments[0]
    stored = Image.open(workspace.evidence_store().path_for(attachment.sha256))
    assert stored.size == (1333, 2000)  # long side 2,000 px, portrait after applying EXIF rotation
    assert attachment.file_name == "IMG_0001.jpg"
    top, bottom = stored.getpixel((600, 10)), stored.getpixel((600, 1990))
    assert top[2] > 150 and top[0] < 100  # turned 90° clockwise: the blue left half is now on top
    assert bottom[0] > 150 and bottom[2] < 100


def test_corrupted_and_missing_files_are_reported(workspace: Workspace, tmp_path: Path) -> None:
    workspace.set_settings(downscale_photos=False)
    uuid = _activity(workspace)
    first = tmp_path / "a.pdf"
    second = tmp_path / "b.pdf"
    first.write_bytes(b"%PDF first")
    second.write_bytes(b"%PDF second")
    workspace.evidence().attach(uuid, [first, second])
    store = workspace.evidence_store()
    sha_a = hashlib.sha256(b"%PDF first").hexdigest()
    sha_b = hashlib.sha256(b"%PDF second").hexdigest()
    store.path_for(sha_a).write_bytes(b"%PDF tampered")
    store.path_for(sha_b).unlink()
    if not workspace.is_sqlite:
        # A shared department: the local folder is only a cache, healed from the database's copy ...
        assert workspace.evidence().verify_activity(uuid) == {sha_a: FileState.OK, sha_b: FileState.OK}
        assert store.path_for(sha_a).read_bytes() == b"%PDF first"
        assert store.path_for(sha_b).read_bytes() == b"%PDF second"
        # ... and damage to the database's copy is what gets reported.
        from sqlalchemy import delete, update

        from thidua_desktop.core.models import EvidenceBlob, EvidenceChunk

        with workspace.engine.begin() as conn:
            conn.execute(update(EvidenceChunk).where(EvidenceChunk.sha256 == sha_a).values(data=b"%PDF tampered"))
            conn.execute(delete(EvidenceBlob).where(EvidenceBlob.sha256 == sha_b))
    assert workspace.evidence().verify_activity(uuid) == {sha_a: FileState.CORRUPT, sha_b: FileState.MISSING}
    assert workspace.evidence().verify_all() == {sha_a: FileState.CORRUPT, sha_b: FileState.MISSING}
    assert len(workspace.activities().get(uuid).draft.attachments) == 2  # never silently dropped


def test_cancel_leaves_no_partial_file(tmp_path: Path) -> None:
    from thidua_desktop.core.errors import Cancelled

    store = EvidenceStore(tmp_path / "store")
    data = b"x" * (3 * 1024 * 1024)
    calls = {"n": 0}

    def cancel_after_first_chunk() -> bool:
        calls["n"] += 1
        return calls["n"] > 1

    with pytest.raises(Cancelled):
        store.add_stream(io.BytesIO(data), len(data), cancel=cancel_after_first_chunk)
    assert [p for p in (tmp_path / "store").rglob("*") if p.is_file()] == []


def test_thumbnail_of_an_image(tmp_path: Path) -> None:
    photo = _photo(tmp_path / "p.jpg", (1200, 800))
    thumb = make_thumbnail(photo, tmp_path / "thumbs" / "p.jpg")
    assert thumb is not None and max(Image.open(thumb).size) == 256
    assert make_thumbnail(tmp_path / "thumbs" / "missing.jpg", tmp_path / "x.jpg") is None


def test_viewer_copy_never_escapes_its_folder_nor_opens_programs(tmp_path: Path) -> None:
    from thidua_desktop.core.evidence import viewer_copy

    store = EvidenceStore(tmp_path / "store")
    sha, _size, _ = store.add_stream(io.BytesIO(b"%PDF-1.4 bien ban"), 17)
    folder = tmp_path / "xem"
    copy = viewer_copy(store, sha, "../../../Startup/bien-ban.pdf", folder)
    assert copy.parent.parent == folder and copy.name == "bien-ban.pdf"
    assert copy.read_bytes() == b"%PDF-1.4 bien ban"
    assert viewer_copy(store, sha, "/etc/hinh.jpg", folder).parent.parent == folder
    for hostile in ("chay.bat", "lien-ket.lnk", "app.desktop", "..", ""):
        with pytest.raises(UserError, match="Không mở tệp"):
            viewer_copy(store, sha, hostile, folder)


def test_re_adding_the_original_repairs_a_damaged_stored_copy(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "store")
    data = b"%PDF-1.4 bien ban hop" * 50
    sha, _size, _ = store.add_stream(io.BytesIO(data), len(data))
    damaged = bytearray(data)
    damaged[10] ^= 0xFF  # same size, one bit-flipped byte
    store.path_for(sha).write_bytes(bytes(damaged))
    assert store.check(sha) is FileState.CORRUPT
    _sha, _size, already = store.add_stream(io.BytesIO(data), len(data))
    assert not already and store.check(sha) is FileState.OK


def test_an_empty_file_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    empty = tmp_path / "bien-ban.pdf"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match="rỗng"):
        workspace.evidence().attach(_activity(workspace), [empty])
