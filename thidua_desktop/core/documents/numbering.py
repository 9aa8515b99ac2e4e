"""A dossier as one numbered set: every number distinct, every cross-reference naming a document of the set.

Builders compute each "Kèm theo Tờ trình số …" from the document it names, so a mismatch means a
document is missing from the set or two documents were given one number: `check_set` finds both and
says what to change, and printing refuses such a set (`DossierMismatch`).
"""

from __future__ import annotations

from collections.abc import Sequence

from thidua_desktop.core.documents.model import Document, DocumentRef
from thidua_desktop.core.errors import UserError


class DossierMismatch(UserError):
    """The documents of a set contradict each other (duplicate numbers, a reference to nothing)."""

    exit_code = 2

    def __init__(self, problems: Sequence[str], hint: str) -> None:
        super().__init__("Hồ sơ chưa thống nhất, chưa thể in:\n" + "\n".join(f"– {p}" for p in problems), hint=hint)
        self.problems = tuple(problems)


def _same(a: DocumentRef, b: DocumentRef) -> bool:
    return (a.number, a.symbol, a.day, a.issuer) == (b.number, b.symbol, b.day, b.issuer)


def set_problems(documents: Sequence[Document]) -> list[str]:
    """What disagrees in the set, each phrased with its fix; empty when the set may be printed."""
    problems: list[str] = []
    own: dict[str, DocumentRef] = {}
    by_number: dict[tuple[str, str], DocumentRef] = {}
    for document in documents:
        ref = document.ref
        if ref is None:
            continue
        if ref.key in own:
            continue  # the same document twice in one set (a preview of the whole dossier): one number
        own[ref.key] = ref
        if "/" in ref.symbol:
            problems.append(f"{ref.label}: ký hiệu “{ref.symbol}” lặp lại phần số/ký hiệu. "
                            f"Chỉ ghi số (ví dụ 15), chương trình tự thêm “/{ref.symbol.split('/')[-1]}”.")
        if not ref.number:
            continue
        clash = by_number.get((ref.number, ref.symbol))
        if clash is not None:
            problems.append(f"{clash.label} và {ref.label} cùng số {ref.number_text}. "
                            f"Đặt cho mỗi văn bản một số riêng (Thông tin đợt… → Số văn bản).")
        by_number[(ref.number, ref.symbol)] = ref
    for document in documents:
        for cited in document.cites:
            target = own.get(cited.key)
            if target is None:
                problems.append(f"{document.title.kind.capitalize()} “{document.name}” ghi “kèm theo {cited.citation()}” "
                                f"nhưng văn bản đó không có trong hồ sơ. In cả hồ sơ, hoặc lập văn bản đó trước.")
            elif not _same(cited, target):
                problems.append(f"{document.name} dẫn {cited.citation()}, khác với {target.citation()}. "
                                "Lập lại hồ sơ để tham chiếu lấy theo văn bản được dẫn.")
    return problems


def check_set(documents: Sequence[Document]) -> None:
    """Refuse to print a set whose numbers or references disagree (see `set_problems`)."""
    problems = set_problems(documents)
    if problems:
        raise DossierMismatch(problems, hint="Sửa như đã nêu rồi in lại; không văn bản nào được ghi.")
