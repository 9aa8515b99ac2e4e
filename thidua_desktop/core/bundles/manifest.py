"""The manifest (docs/bundle-format.md §4): built from the database at the unit, validated at the department.

Records are serialised by the one codec, `core.records.row_record`, used both to write a bundle and to
compare an incoming record with what the department already holds, so "unchanged" means byte-identical.
Validation is strict and complete before anything else looks at the data: exact key sets, types,
lengths, sorted unique lists, and counts that match.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from thidua_desktop.core.bundles import canonical
from thidua_desktop.core.bundles.errors import BundleFormatError, BundleVersionError
from thidua_desktop.core.records import format_timestamp as format_timestamp  # the codec owns timestamps
from thidua_desktop.core.records import parse_timestamp as parse_timestamp
from thidua_desktop.core.records import record_text_problems
from thidua_desktop.core.text import text_problem, visible_text

FORMAT = "thidua-bundle/1"
FORMAT_PREFIX = "thidua-bundle/"
ROTATION_FORMAT = "thidua-key-rotation/1"
SIGNATURE_COMMENT = "thidua-bundle/1 signature"
ROTATION_SIGNATURE_COMMENT = "thidua-key-rotation/1 signature"
MAX_RECORDS = 500_000
MAX_TEXT = 100_000
MAX_SHORT = 1_000

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
_KEY_ID = re.compile(r"^[0-9A-F]{16}$")
_CODE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


def evidence_entry_name(sha256: str) -> str:
    return f"evidence/{sha256}"


def trusted_comment(bundle_id: str, unit_code: str, seq: int, campaign_code: str) -> str:
    """What `minisign -V` prints after verifying: enough to see which bundle it is."""
    return f"{FORMAT} bundle:{bundle_id} unit:{unit_code} seq:{seq} campaign:{campaign_code}"


# --- validation ----------------------------------------------------------------------------------

Validator = Callable[[Any, str], Any]


class _Invalid(Exception):
    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}")
        self.where = where
        self.what = what


def _string(max_len: int = MAX_SHORT, pattern: re.Pattern[str] | None = None) -> Validator:
    def check(value: Any, where: str) -> str:
        if not isinstance(value, str):
            raise _Invalid(where, "phải là chuỗi")
        if len(value) > max_len:
            raise _Invalid(where, f"dài quá {max_len} ký tự")
        if pattern is not None and not pattern.match(value):
            raise _Invalid(where, "không đúng dạng")
        return value

    return check


def _integer(low: int, high: int = canonical.INT_MAX) -> Validator:
    def check(value: Any, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Invalid(where, "phải là số nguyên")
        if not low <= value <= high:
            raise _Invalid(where, f"phải trong khoảng {low}…{high}")
        return value

    return check


def _boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(where, "phải là true hoặc false")
    return value


def _nullable(inner: Validator) -> Validator:
    return lambda value, where: None if value is None else inner(value, where)


def _choice(*options: str) -> Validator:
    def check(value: Any, where: str) -> str:
        if value not in options:
            raise _Invalid(where, f"phải là một trong {', '.join(options)}")
        return value

    return check


def _date(value: Any, where: str) -> str:
    _string(10, _DATE)(value, where)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise _Invalid(where, "không phải ngày có thật") from None
    return value


def _timestamp(value: Any, where: str) -> str:
    _string(27, _TIMESTAMP)(value, where)
    try:
        parse_timestamp(value)
    except ValueError:
        raise _Invalid(where, "không phải thời điểm hợp lệ") from None
    return value


def _object(fields: dict[str, Validator]) -> Validator:
    def check(value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Invalid(where, "phải là đối tượng")
        if set(value) != set(fields):
            extra = sorted(set(value) - set(fields))
            missing = sorted(set(fields) - set(value))
            raise _Invalid(where, f"thừa trường {extra} hoặc thiếu trường {missing}")
        for key, validator in fields.items():
            validator(value[key], f"{where}.{key}")
        return value

    return check


def _array(item: Validator, max_len: int, *, sort_key: Callable[[Any], Any] | None = None) -> Validator:
    def check(value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            raise _Invalid(where, "phải là danh sách")
        if len(value) > max_len:
            raise _Invalid(where, f"có quá {max_len} phần tử")
        for index, element in enumerate(value):
            item(element, f"{where}[{index}]")
        if sort_key is not None:
            keys = [sort_key(element) for element in value]
            if any(a >= b for a, b in zip(keys, keys[1:], strict=False)):
                raise _Invalid(where, "phải được sắp xếp tăng dần và không trùng lặp")
        return value

    return check


def _mapping(key: Validator, item: Validator, max_len: int) -> Validator:
    def check(value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Invalid(where, "phải là đối tượng")
        if len(value) > max_len:
            raise _Invalid(where, f"có quá {max_len} phần tử")
        for k, v in value.items():
            key(k, f"{where} (khóa)")
            item(v, f"{where}.{k}")
        return value

    return check


_SHA256 = _string(64, _SHA)
_CODE_STR = _string(64, _CODE)
_KEY_ID_STR = _string(16, _KEY_ID)

_ATTACHMENT = _object(
    {"sha256": _SHA256, "file_name": _string(MAX_SHORT), "caption": _string(MAX_TEXT), "position": _integer(0, 1_000_000)}
)
RECORD = _object(
    {
        "uuid": _string(36, _UUID),
        "unit": _CODE_STR,
        "revision": _integer(1),
        "criterion": _CODE_STR,
        "date": _date,
        "title": _string(MAX_TEXT),
        "description": _string(MAX_TEXT),
        "commune": _string(MAX_SHORT),
        "responsible_officer": _string(MAX_SHORT),
        "poor_commune": _boolean,
        "remote_area": _boolean,
        "ethnic_area": _boolean,
        "created_at": _timestamp,
        "updated_at": _timestamp,
        "deleted_at": _nullable(_timestamp),
        "values": _mapping(_CODE_STR, _integer(canonical.INT_MIN), 1000),
        "attachments": _array(_ATTACHMENT, 1000, sort_key=lambda a: (a["position"], a["sha256"])),
    }
)
_EVIDENCE = _object(
    {
        "sha256": _SHA256,
        "size": _integer(0),
        "mime_type": _string(128),
        "name": _string(MAX_SHORT),
        "included": _boolean,
    }
)
ROTATION_STATEMENT = _object(
    {
        "type": _choice(ROTATION_FORMAT),
        "unit": _CODE_STR,
        "old_key_id": _KEY_ID_STR,
        "new_key_id": _KEY_ID_STR,
        "new_public_key": _string(56),
        "created_at": _timestamp,
    }
)
_ROTATION = _object({"statement": ROTATION_STATEMENT, "signature": _string(2048)})
_COUNTS = _object(
    {
        "records": _integer(0),
        "deleted": _integer(0),
        "evidence": _integer(0),
        "evidence_bytes": _integer(0),
        "evidence_included": _integer(0),
        "evidence_included_bytes": _integer(0),
    }
)
MANIFEST = _object(
    {
        "format": _choice(FORMAT),
        "bundle_id": _string(36, _UUID),
        "created_at": _timestamp,
        "app": _object({"name": _string(100), "version": _string(50)}),
        "unit": _object({"code": _CODE_STR, "name": _string(MAX_SHORT)}),
        "campaign": _object({"code": _CODE_STR, "version": _integer(1)}),
        "seq": _integer(1),
        "previous": _nullable(_object({"seq": _integer(1), "manifest_sha256": _SHA256})),
        "mode": _choice("full", "delta"),
        "signer": _object(
            {"key_id": _KEY_ID_STR, "public_key": _string(56), "rotation": _array(_ROTATION, 100)}
        ),
        "records": _array(RECORD, MAX_RECORDS, sort_key=lambda r: r["uuid"]),
        "evidence": _array(_EVIDENCE, 200_000, sort_key=lambda e: e["sha256"]),
        "counts": _COUNTS,
    }
)


def compute_counts(records: Iterable[dict[str, Any]], evidence: Iterable[dict[str, Any]]) -> dict[str, int]:
    records = list(records)
    evidence = list(evidence)
    included = [e for e in evidence if e["included"]]
    return {
        "records": len(records),
        "deleted": sum(1 for r in records if r["deleted_at"] is not None),
        "evidence": len(evidence),
        "evidence_bytes": sum(e["size"] for e in evidence),
        "evidence_included": len(included),
        "evidence_included_bytes": sum(e["size"] for e in included),
    }


@dataclass(frozen=True)
class EvidenceItem:
    sha256: str
    size: int
    mime_type: str
    name: str
    included: bool

    @property
    def entry_name(self) -> str:
        return evidence_entry_name(self.sha256)


@dataclass(frozen=True)
class Manifest:
    """A validated manifest and its exact bytes; `sha256` is the bundle's hash (docs §4.3)."""

    data: dict[str, Any]
    raw: bytes
    sha256: str

    @property
    def bundle_id(self) -> str:
        return self.data["bundle_id"]

    @property
    def unit_code(self) -> str:
        return self.data["unit"]["code"]

    @property
    def unit_name(self) -> str:
        return self.data["unit"]["name"]

    @property
    def campaign_code(self) -> str:
        return self.data["campaign"]["code"]

    @property
    def campaign_version(self) -> int:
        return self.data["campaign"]["version"]

    @property
    def seq(self) -> int:
        return self.data["seq"]

    @property
    def previous(self) -> dict[str, Any] | None:
        return self.data["previous"]

    @property
    def created_at(self) -> datetime:
        return parse_timestamp(self.data["created_at"])

    @property
    def mode(self) -> str:
        return self.data["mode"]

    @property
    def key_id(self) -> str:
        return self.data["signer"]["key_id"]

    @property
    def public_key(self) -> str:
        return self.data["signer"]["public_key"]

    @property
    def rotation(self) -> list[dict[str, Any]]:
        return self.data["signer"]["rotation"]

    @property
    def records(self) -> list[dict[str, Any]]:
        return self.data["records"]

    @property
    def evidence(self) -> list[EvidenceItem]:
        return [EvidenceItem(**item) for item in self.data["evidence"]]

    @property
    def counts(self) -> dict[str, int]:
        return self.data["counts"]

    @property
    def trusted_comment(self) -> str:
        return trusted_comment(self.bundle_id, self.unit_code, self.seq, self.campaign_code)

    @property
    def expected_entries(self) -> list[str]:
        from thidua_desktop.core.bundles.container import MANIFEST_NAME, SIGNATURE_NAME

        return [MANIFEST_NAME, SIGNATURE_NAME] + [e.entry_name for e in self.evidence if e.included]


def _invalid(path: Path, problem: str) -> BundleFormatError:
    return BundleFormatError(
        f"Tệp “{path.name}” có bảng kê (manifest.json) không hợp lệ: {problem}.",
        hint="Tệp không do ThiĐua Desktop tạo ra hoặc đã bị sửa. Không có gì bị thay đổi. Hãy đề nghị đơn vị gửi lại.",
        reason="manifest",
    )


def parse_manifest(raw: bytes, path: Path) -> Manifest:
    """Canonical bytes → validated Manifest; the format version is checked before anything else."""
    try:
        data = canonical.decode(raw)
    except canonical.CanonicalError as exc:
        raise _invalid(path, str(exc)) from None
    if not isinstance(data, dict):
        raise _invalid(path, "không phải một đối tượng JSON")
    version = data.get("format")
    if isinstance(version, str) and version.startswith(FORMAT_PREFIX) and version != FORMAT:
        raise BundleVersionError(
            f"Gói “{path.name}” theo định dạng {version}, mới hơn định dạng {FORMAT} mà phiên bản này hiểu.",
            hint="Không có gì bị thay đổi. Hãy cập nhật ThiĐua Desktop lên phiên bản mới nhất rồi nhận lại gói.",
            reason="future-format",
        )
    if version != FORMAT:
        raise _invalid(path, "thiếu hoặc sai trường “format”")
    try:
        MANIFEST(data, "manifest")
    except _Invalid as exc:
        raise _invalid(path, str(exc)) from None
    _check_consistency(data, path)
    _check_text(data, path)
    return Manifest(data, raw, hashlib.sha256(raw).hexdigest())


def text_problems(data: dict[str, Any]) -> list[str]:
    """Unsafe characters (core.text.text_problem) in any free-text field of a manifest, named for a message.

    Checked when a bundle is made and when one is opened: the same rule as the activity form's.
    """
    found: list[str] = []
    for label, value in (("tên đơn vị", data["unit"]["name"]), ("tên chương trình", data["app"]["name"]),
                         ("phiên bản chương trình", data["app"]["version"])):
        if problem := text_problem(value):
            found.append(f"{label} {problem}")
    for record in data["records"]:
        found.extend(f"hoạt động “{visible_text(record['title'], limit=60)}”: {problem}"
                     for problem in record_text_problems(record))
    for item in data["evidence"]:
        for label, value in (("tên tệp", item["name"]), ("kiểu tệp", item["mime_type"])):
            if problem := text_problem(value):
                found.append(f"{label} minh chứng “{visible_text(item['name'], limit=40)}” {problem}")
    return found


def _check_text(data: dict[str, Any], path: Path) -> None:
    found = text_problems(data)
    if found:
        raise BundleFormatError(
            f"Gói “{path.name}” có nội dung chứa ký tự không được phép (ký tự điều khiển, ký tự vô hình hoặc "
            f"ký tự đảo chiều chữ): {'; '.join(found[:5])}{'…' if len(found) > 5 else ''}.",
            hint="Các ký tự này có thể làm nội dung hiển thị khác với thực tế. Không có gì bị thay đổi. Hãy báo "
            "đơn vị sửa lại nội dung (gõ lại ô đó) rồi gửi gói mới.",
            reason="unsafe-text",
        )


def _check_consistency(data: dict[str, Any], path: Path) -> None:
    if data["previous"] is not None and data["previous"]["seq"] >= data["seq"]:
        raise _invalid(path, "số thứ tự gói trước phải nhỏ hơn số thứ tự gói này")
    shas = {e["sha256"] for e in data["evidence"]}
    attached: set[str] = set()
    for record in data["records"]:
        if record["deleted_at"] is not None and record["attachments"]:
            raise _invalid(path, f"hoạt động đã xóa {record['uuid']} vẫn kèm minh chứng")
        for attachment in record["attachments"]:
            attached.add(attachment["sha256"])
    if attached != shas:
        raise _invalid(path, "danh sách minh chứng không khớp với các tệp đính kèm của hoạt động")
    if compute_counts(data["records"], data["evidence"]) != data["counts"]:
        raise _invalid(path, "phần “counts” không khớp với nội dung")
    for rotation in data["signer"]["rotation"]:
        if rotation["statement"]["unit"] != data["unit"]["code"]:
            raise _invalid(path, "lời xác nhận đổi khóa thuộc đơn vị khác")


def validate_rotation_statement(statement: Any) -> None:
    """Raises ValueError if a stored rotation statement is malformed (used when reading the key folder)."""
    try:
        ROTATION_STATEMENT(statement, "statement")
    except _Invalid as exc:
        raise ValueError(str(exc)) from None
