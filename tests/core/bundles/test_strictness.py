"""Spec strictness and content checks of signed bundles: only "ED" signatures, no Python text in a refusal,
no control, bidi-override or zero-width characters in any text field (at export, import and in the form),
and a warning for activity dates far outside the campaign's period."""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from thidua_desktop.core.activities import validate_draft
from thidua_desktop.core.bundles import canonical
from thidua_desktop.core.bundles.errors import BundleFormatError, EvidenceMismatchError, SignatureError
from thidua_desktop.core.bundles.importer import import_bundle, prepare_import
from thidua_desktop.core.bundles.manifest import SIGNATURE_COMMENT, trusted_comment
from thidua_desktop.core.bundles.minisign import SIG_ALG, MinisignError, Signature
from thidua_desktop.core.errors import ValidationError
from thidua_desktop.core.models import Activity
from thidua_desktop.core.records import DATE_MARGIN_DAYS, ActivityDraft, date_warnings
from thidua_desktop.core.text import text_problem, visible_text
from thidua_desktop.core.workspace import Workspace

from .conftest import Unit, enrol, pdf_bytes, read_entries, refused, resign, secret_of, write_canonical

PYTHON_WORDS = ("decode using", "Expecting", "Unexpected", "Traceback", "Error:", "line 1 column")


@pytest.fixture
def sent(unit: Unit, department: Workspace) -> Path:
    unit.add("Phổ biến pháp luật tại xã Kiến An", attach=[pdf_bytes(1)])
    enrol(department, unit)
    return unit.export().path


def _no_python_text(message: str) -> None:
    assert not any(word in message for word in PYTHON_WORDS), message


# --- "ED" only ---------------------------------------------------------------------------------------


def _legacy_signed(source: Path, target: Path, unit: Unit) -> Path:
    """The same manifest signed the legacy way: Ed25519 over the message itself ("Ed")."""
    entries = dict(read_entries(source))
    raw = entries["manifest.json"]
    manifest = json.loads(raw)
    comment = trusted_comment(manifest["bundle_id"], manifest["unit"]["code"], manifest["seq"],
                              manifest["campaign"]["code"])
    private = secret_of(unit)._private
    signature = private.sign(raw)
    legacy = Signature(SIG_ALG, unit.key.public_key.key_id, signature, comment,
                       private.sign(signature + comment.encode()), SIGNATURE_COMMENT)
    entries["manifest.json.minisig"] = legacy.text().encode()
    return write_canonical(target, list(entries.items()))


def test_legacy_ed_signature_is_refused(sent: Path, unit: Unit, department: Workspace, tmp_path: Path) -> None:
    legacy = _legacy_signed(sent, tmp_path / "legacy.thidua", unit)
    error = refused(department, legacy, SignatureError, "legacy-signature")
    assert "“Ed”" in error.message and "“ED”" in error.message
    _no_python_text(error.message)


def test_minisign_legacy_signature_is_refused_and_prehashed_is_accepted(unit: Unit, tmp_path: Path) -> None:
    """Interop with the stock tool: `minisign -S -l` (legacy) is refused, `minisign -S` (ED) verifies."""
    key_file = unit.workspace.layout.keys_dir / f"{unit.key.key_id}.key"
    message = tmp_path / "note.txt"
    message.write_text("xin chao", encoding="utf-8")
    for legacy in (False, True):
        signature = Path(f"{message}.minisig")
        signature.unlink(missing_ok=True)
        command = ["minisign", "-S", "-s", str(key_file), "-m", str(message)] + (["-l"] if legacy else [])
        result = subprocess.run(command, input="cụm mật khẩu thử nghiệm\n", capture_output=True, text=True,
                                check=False)
        if legacy and result.returncode != 0:
            pytest.skip("this minisign cannot make legacy signatures")
        assert result.returncode == 0, result.stderr
        if legacy:
            with pytest.raises(MinisignError) as caught:
                Signature.parse(signature.read_bytes())
            assert caught.value.kind == "legacy"
        else:
            unit.key.public_key.verify(message.read_bytes(), Signature.parse(signature.read_bytes()))


# --- no Python text in a refusal ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", [b"\xef\xbb\xbf", b"{", b"[1,2"], ids=["bom", "brace", "unclosed"])
def test_broken_manifest_json_is_refused_in_vietnamese(sent: Path, unit: Unit, department: Workspace,
                                                       tmp_path: Path, bad: bytes) -> None:
    entries = dict(read_entries(sent))
    raw = bad + entries["manifest.json"] if bad.startswith(b"\xef") else bad
    entries["manifest.json"] = raw
    path = write_canonical(tmp_path / "broken.thidua", list(entries.items()))
    error = refused(department, path, BundleFormatError, "manifest")
    _no_python_text(error.message)
    if bad.startswith(b"\xef"):
        assert "BOM" in error.message


def test_canonical_decode_names_the_position_in_vietnamese() -> None:
    with pytest.raises(canonical.CanonicalError) as caught:
        canonical.decode(b'{"a":\n}')
    assert str(caught.value) == "JSON không hợp lệ ở dòng 2, cột 1"


# --- unsafe characters -------------------------------------------------------------------------------

UNSAFE = {"nul": "\x00", "rlo": "\u202e", "lri": "\u2066", "zwsp": "\u200b", "bel": "\x07", "bom": "\ufeff"}


@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_text_problem_refuses_control_bidi_and_zero_width(name: str) -> None:
    char = UNSAFE[name]
    assert text_problem(f"Phổ biến{char} pháp luật") is not None
    assert text_problem(f"Phổ biến{char} pháp luật", multiline=True) is not None
    assert char not in visible_text(f"a{char}b") and f"U+{ord(char):04X}" in visible_text(f"a{char}b")


def test_text_problem_allows_vietnamese_and_line_breaks_where_multi_line() -> None:
    assert text_problem("Tuyên truyền, phổ biến pháp luật — đợt 1/2024 (xã Kiến An)") is None
    assert text_problem("Dòng một\nDòng hai\tcột", multiline=True) is None
    assert text_problem("Dòng một\nDòng hai") is not None  # a title is one line


@pytest.mark.parametrize("where", ["title", "commune", "file_name", "evidence_name", "unit_name"])
@pytest.mark.parametrize("char", ["\x00", "\u202e", "\u200b"], ids=["nul", "rlo", "zwsp"])
def test_signed_bundle_with_unsafe_text_is_refused(sent: Path, unit: Unit, department: Workspace, tmp_path: Path,
                                                   where: str, char: str) -> None:
    def poison(manifest: dict) -> None:
        record = manifest["records"][0]
        if where == "file_name":
            record["attachments"][0]["file_name"] = f"bien-ban{char}fdp.exe"
        elif where == "evidence_name":
            manifest["evidence"][0]["name"] = f"bien-ban{char}fdp.exe"
        elif where == "unit_name":
            manifest["unit"]["name"] = f"Phòng Tư pháp{char}"
        else:
            record[where] = f"Hoạt động{char} giả"

    forged = resign(sent, tmp_path / "poisoned.thidua", unit, poison)
    error = refused(department, forged, BundleFormatError, "unsafe-text")
    assert char not in error.message and f"U+{ord(char):04X}" in error.message
    _no_python_text(error.message)


def test_export_refuses_to_sign_unsafe_text(unit: Unit, tmp_path: Path) -> None:
    uuid = unit.add("Tuyên truyền pháp luật")
    with unit.workspace.transaction() as session:  # data written before the rule (or by another program)
        session.execute(update(Activity).where(Activity.uuid == uuid).values(title="Tuyên truyền\u202e pháp luật"))
    outbox = tmp_path / "out"
    with pytest.raises(ValidationError) as caught:
        unit.export(outbox)
    assert "U+202E" in caught.value.message
    assert not outbox.exists() or not any(outbox.iterdir())  # nothing signed, nothing written


def test_activity_form_refuses_unsafe_text(unit: Unit) -> None:
    campaign = unit.workspace.campaign()
    draft = ActivityDraft(criterion_id=campaign.criteria_by_code["2.2"].id, activity_date=date(2024, 3, 5),
                          title="Hòa giải\u200b ở cơ sở", description="Dòng một\nDòng hai",
                          responsible_officer="Nguyễn\x00 Văn A")
    problems, _warnings = validate_draft(campaign, draft)
    assert set(problems) >= {"title", "responsible_officer"} and "description" not in problems
    with pytest.raises(ValidationError):
        unit.workspace.activities().create("PTP-CM", draft)


# --- dates far outside the campaign ------------------------------------------------------------------


def test_dates_far_outside_the_period_are_a_warning_the_reviewer_sees(sent: Path, unit: Unit, department: Workspace,
                                                                      tmp_path: Path) -> None:
    def far_dates(manifest: dict) -> None:
        record = manifest["records"][0]
        other_uuid = record["uuid"][:-1] + ("0" if record["uuid"][-1] != "0" else "1")  # a second, distinct uuid
        manifest["records"] = [
            {**record, "date": "0001-01-01"},
            {**record, "uuid": other_uuid, "date": "2099-12-31", "attachments": []},
        ]
        manifest["records"].sort(key=lambda r: r["uuid"])
        manifest["counts"]["records"] = len(manifest["records"])

    forged = resign(sent, tmp_path / "dates.thidua", unit, far_dates)
    prepared = prepare_import(department, forged)
    try:
        warnings = [w for w in prepared.preview.warnings if "ngoài thời gian" in w]
        assert len(warnings) == 1 and "01/01/0001" in warnings[0] and "31/12/2099" in warnings[0]
    finally:
        prepared.discard()
    report = import_bundle(department, forged)
    assert any("ngoài thời gian" in w for w in report.warnings)
    assert report.counts  # imported: a warning, not a refusal


def test_dates_within_the_margin_are_not_warned_about(department: Workspace) -> None:
    campaign = department.campaign()
    record = {"title": "Tổng kết", "deleted_at": None}
    near = campaign.ends_on + timedelta(days=DATE_MARGIN_DAYS)
    far = campaign.starts_on - timedelta(days=DATE_MARGIN_DAYS + 1)
    assert date_warnings([{**record, "date": near.isoformat()}], campaign) == []
    assert len(date_warnings([{**record, "date": far.isoformat()}], campaign)) == 1
    assert date_warnings([{**record, "date": "2099-12-31", "deleted_at": "2024-01-01T00:00:00.000000Z"}],
                         campaign) == []  # a tombstone's date does not matter


def test_export_reports_dates_outside_the_period(unit: Unit) -> None:
    uuid = unit.add("Hoạt động ghi nhầm năm")
    with unit.workspace.transaction() as session:
        session.execute(update(Activity).where(Activity.uuid == uuid).values(activity_date=date(2099, 12, 31)))
    report = unit.export()
    assert any("31/12/2099" in w for w in report.warnings)


# --- a refused import leaves no folder behind -------------------------------------------------------


def test_refused_import_leaves_no_bundles_folder(sent: Path, department: Workspace, tmp_path: Path) -> None:
    entries = read_entries(sent)
    damaged = [(name, bytes([data[0] ^ 1]) + data[1:]) if name.startswith("evidence/") else (name, data)
               for name, data in entries]
    path = write_canonical(tmp_path / "damaged.thidua", damaged)
    assert not department.layout.bundles_dir.exists()
    refused(department, path, EvidenceMismatchError, "hash")  # refused after its files were staged
    assert not department.layout.bundles_dir.exists()
    assert hashlib.sha256(path.read_bytes()).hexdigest()
