"""Award data files: award types, certificate forms (phôi) and legal-basis sets chosen by document date.

Everything a decree decides (the "Căn cứ …" lines, the wording of each form, who grants which award)
lives in `resources/awards/`; a file of the same name in the data folder's `awards/` overrides it, so
a new decree is a new file, not a new release.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from thidua_desktop.core.awards.models import NomineeKind, PriorAwardCategory
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.resources import resource_path
from thidua_desktop.core.text import format_date, nfc

AWARD_TYPES_FILE = "award-types.json"
LEGAL_BASIS_DIR = "legal-basis"


class AwardDataError(UserError):
    exit_code = 3


@dataclass(frozen=True)
class Submitter:
    """Who submits the Tờ trình when the round's issuer is also the granting authority.

    The Director grants a Giấy khen, so the Sở's Tờ trình goes from its Văn phòng (the emulation
    council's standing body) to the Director, not from the Director to himself.
    """

    header_parent: str
    header_agency: str
    agency_symbol: str
    signer_lines: tuple[str, ...]


@dataclass(frozen=True)
class AwardType:
    code: str
    name: str  # "Bằng khen của Bộ trưởng Bộ Tư pháp"
    short_name: str
    category: PriorAwardCategory  # danh hiệu or hình thức khen thưởng
    authority: str  # who grants it: "Bộ trưởng Bộ Tư pháp"
    recipient: str  # "Kính gửi" of the Tờ trình
    kinds: frozenset[NomineeKind]
    themed: bool  # may be granted for a themed movement (thi đua theo chuyên đề)
    min_vote_percent: float
    certificate: str | None  # certificate form code, if printed on a blank form
    submitted_by: Submitter | None = None

    def allows(self, kind: NomineeKind) -> bool:
        return kind in self.kinds


@dataclass(frozen=True)
class CertificateLine:
    field: str  # recipient | detail | achievement
    x_mm: float  # centre of the line, from the form's left edge
    y_mm: float  # baseline, from the form's top edge
    width_mm: float
    size: float
    bold: bool = False
    italic: bool = False
    max_lines: int = 1


@dataclass(frozen=True)
class CertificateForm:
    code: str
    name: str
    page_mm: tuple[float, float]
    lines: tuple[CertificateLine, ...]
    achievement: str  # template


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        raise KeyError(key)


def fill(template: str, values: Mapping[str, Any]) -> str:
    """Fill "{placeholder}" fields from values; an unknown placeholder is a data error naming it."""
    try:
        return nfc(string.Formatter().vformat(template, (), _Missing(values)))
    except (KeyError, IndexError, ValueError) as error:
        raise AwardDataError(
            f"Mẫu văn bản có chỗ điền không hợp lệ: {error} trong “{template}”.",
            hint="Sửa tệp dữ liệu trong thư mục awards/ (chỉ dùng các chỗ điền đã liệt kê trong ghi chú của tệp).",
        ) from None


@dataclass(frozen=True)
class BasisLine:
    """One "Căn cứ …" template: placeholders it needs, the dates it applies between, what to verify."""

    text: str
    requires: tuple[str, ...] = ()
    valid_from: date | None = None  # a circular applies from its effective date
    valid_to: date | None = None  # its predecessor until the day before
    check: str = ""  # "check before official use": a fact not confirmed by a source

    def applies_on(self, day: date | None) -> bool:
        if day is None:
            return True
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def _basis_line(item: str | dict[str, Any]) -> BasisLine:
    if isinstance(item, str):
        return BasisLine(nfc(item))
    return BasisLine(nfc(item["text"]), tuple(item.get("requires", ())), _date(item.get("from")),
                     _date(item.get("to")), nfc(item.get("check", "")))


@dataclass(frozen=True)
class LegalRegime:
    """One legal-basis set (NĐ 98/2023 or NĐ 152/2025): its "Căn cứ" lines and form wording."""

    code: str
    name: str
    valid_from: date | None
    valid_to: date | None
    basis: tuple[BasisLine, ...]
    forms: Mapping[str, Any]

    def applies_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def _basis_on(self, values: Mapping[str, Any], day: date | None) -> list[BasisLine]:
        return [b for b in self.basis if all(values.get(k) for k in b.requires) and b.applies_on(day)]

    def basis_lines(self, values: Mapping[str, Any], day: date | None = None) -> list[str]:
        """The "Căn cứ …" lines for a document dated `day`: each ends with ";", the last with "."."""
        lines = [fill(b.text, values) for b in self._basis_on(values, day)]
        return [line.rstrip(" ;.") + (";" if i < len(lines) - 1 else ".") for i, line in enumerate(lines)]

    def basis_checks(self, values: Mapping[str, Any], day: date | None = None) -> list[str]:
        """What to check before official use in those lines (shown in the preview, never printed)."""
        return [b.check for b in self._basis_on(values, day) if b.check]

    def form_check(self, name: str) -> str:
        """A form's own "check before official use" note (e.g. an unconfirmed form number), or ""."""
        return str(self.forms.get(name, {}).get("check") or "")

    def form(self, name: str) -> Mapping[str, Any]:
        return self.forms[name]

    def text(self, form: str, key: str, values: Mapping[str, Any]) -> str:
        return fill(self.forms[form][key], values)

    def lines(self, form: str, key: str, values: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(fill(item, values) for item in self.forms[form][key])

    @property
    def label(self) -> str:
        start = format_date(self.valid_from) if self.valid_from else "…"
        end = format_date(self.valid_to) if self.valid_to else "nay"
        return f"{self.name} (văn bản đề ngày {start} – {end})"


@dataclass(frozen=True)
class AwardCatalog:
    award_types: tuple[AwardType, ...]
    certificates: tuple[CertificateForm, ...]
    regimes: tuple[LegalRegime, ...]

    def award_type(self, code: str) -> AwardType:
        for award in self.award_types:
            if award.code == code:
                return award
        raise AwardDataError(f"Không có hình thức khen thưởng mã “{code}”.",
                             hint="Kiểm tra tệp awards/award-types.json.")

    def certificate(self, code: str) -> CertificateForm:
        for form in self.certificates:
            if form.code == code:
                return form
        raise AwardDataError(f"Không có mẫu phôi “{code}”.", hint="Kiểm tra mục certificates trong award-types.json.")

    def regime_for(self, day: date) -> LegalRegime:
        """The legal basis in force for a document dated `day` (NĐ 98/2023 before 01/7/2025, NĐ 152/2025 after)."""
        for regime in self.regimes:
            if regime.applies_on(day):
                return regime
        raise AwardDataError(f"Không có bộ căn cứ pháp lý áp dụng cho văn bản đề ngày {format_date(day)}.",
                             hint="Bổ sung tệp trong awards/legal-basis/.")

    def types_for(self, kind: NomineeKind, *, themed: bool) -> list[AwardType]:
        return [a for a in self.award_types if a.allows(kind) and (a.themed or not themed)]


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AwardDataError(f"Không đọc được tệp dữ liệu khen thưởng {path.name}: {error}",
                             hint="Kiểm tra tệp có đúng định dạng JSON (UTF-8).") from None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _award_type(raw: dict[str, Any]) -> AwardType:
    return AwardType(
        code=raw["code"], name=nfc(raw["name"]), short_name=nfc(raw.get("short_name", raw["name"])),
        category=PriorAwardCategory(raw.get("category", "award")), authority=nfc(raw["authority"]),
        recipient=nfc(raw.get("recipient", raw["authority"])),
        kinds=frozenset(NomineeKind(k) for k in raw["for"]), themed=bool(raw.get("themed", True)),
        min_vote_percent=float(raw.get("min_vote_percent", 50)), certificate=raw.get("certificate"),
        submitted_by=_submitter(raw.get("submitted_by")),
    )


def _submitter(raw: dict[str, Any] | None) -> Submitter | None:
    if not raw:
        return None
    return Submitter(nfc(raw["header_parent"]), nfc(raw["header_agency"]), raw["agency_symbol"],
                     tuple(nfc(line) for line in raw["signer_lines"]))


def _certificate(raw: dict[str, Any]) -> CertificateForm:
    lines = tuple(
        CertificateLine(
            field=line["field"], x_mm=float(line["x_mm"]), y_mm=float(line["y_mm"]), width_mm=float(line["width_mm"]),
            size=float(line["size"]), bold=bool(line.get("bold")), italic=bool(line.get("italic")),
            max_lines=int(line.get("max_lines", 1)),
        )
        for line in raw["lines"]
    )
    width, height = raw["page_mm"]
    return CertificateForm(raw["code"], nfc(raw["name"]), (float(width), float(height)), lines, nfc(raw["achievement"]))


def _regimes(raws: list[dict[str, Any]]) -> tuple[LegalRegime, ...]:
    by_code = {raw["code"]: raw for raw in raws}

    def forms_of(raw: dict[str, Any], seen: tuple[str, ...] = ()) -> dict[str, Any]:
        base_code = raw.get("forms_from")
        if base_code in seen or (base_code and base_code not in by_code):
            raise AwardDataError(f"Bộ căn cứ {raw['code']}: 'forms_from' trỏ tới “{base_code}” không hợp lệ.")
        merged = dict(forms_of(by_code[base_code], (*seen, raw["code"]))) if base_code else {}
        for key, value in raw.get("forms", {}).items():
            merged[key] = {**merged[key], **value} if isinstance(value, dict) and key in merged else value
        return merged

    regimes = []
    for raw in raws:
        basis = tuple(_basis_line(item) for item in raw["legal_basis"])
        regimes.append(LegalRegime(raw["code"], nfc(raw["name"]), _date(raw.get("valid_from")),
                                   _date(raw.get("valid_to")), basis, forms_of(raw)))
    regimes.sort(key=lambda r: r.valid_from or date.min)
    for earlier, later in zip(regimes, regimes[1:], strict=False):
        if earlier.valid_to is None or later.valid_from is None or earlier.valid_to >= later.valid_from:
            raise AwardDataError(f"Thời gian áp dụng của {earlier.name} và {later.name} chồng lên nhau.",
                                 hint="Sửa valid_from/valid_to trong awards/legal-basis/.")
    return tuple(regimes)


def _sources(extra_dir: Path | None) -> tuple[Path, list[Path]]:
    """The award-types file and the legal-basis files in effect (data-folder files override by name)."""
    base = resource_path("awards")
    types_file = base / AWARD_TYPES_FILE
    regime_files = {p.name: p for p in sorted((base / LEGAL_BASIS_DIR).glob("*.json"))}
    if extra_dir is not None and extra_dir.is_dir():
        if (extra_dir / AWARD_TYPES_FILE).is_file():
            types_file = extra_dir / AWARD_TYPES_FILE
        regime_files.update({p.name: p for p in sorted((extra_dir / LEGAL_BASIS_DIR).glob("*.json"))})
    return types_file, list(regime_files.values())


def load_catalog(extra_dir: Path | None = None) -> AwardCatalog:
    """The award catalogue, re-read only when one of its files changed."""
    types_file, regime_files = _sources(extra_dir)
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in (types_file, *regime_files))
    return _load(stamp)


@cache
def _load(stamp: tuple[tuple[str, int], ...]) -> AwardCatalog:
    types_raw = _read(Path(stamp[0][0]))
    try:
        types = tuple(_award_type(raw) for raw in types_raw["award_types"])
        certificates = tuple(_certificate(raw) for raw in types_raw.get("certificates", []))
        regimes = _regimes([_read(Path(path)) for path, _mtime in stamp[1:]])
    except (KeyError, TypeError, ValueError) as error:
        raise AwardDataError(f"Tệp dữ liệu khen thưởng thiếu hoặc sai mục: {error}",
                             hint="Đối chiếu với tệp mẫu trong resources/awards/.") from None
    return AwardCatalog(types, certificates, regimes)
