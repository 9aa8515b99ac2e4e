"""Everything printable about nominations: a dossier's documents, certificates on blank forms, the
calibration page and the printer offsets, and files written all or nothing.

The GUI and the CLI call these (through `workspace.awards().documents`); each long job takes
`progress`/`cancel` and writes nothing once cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from thidua_desktop.core import documents as d
from thidua_desktop.core.awards.catalog import AwardCatalog
from thidua_desktop.core.awards.certificates import (
    Offset,
    calibration_pdf,
    certificate_text,
    certificates_pdf,
    load_offsets,
    save_offset,
)
from thidua_desktop.core.awards.dossier import (
    DossierContext,
    DossierFiles,
    award_set,
    dossier_documents,
    render_dossier,
    round_documents,
    slug,
    write_files_atomically,
)
from thidua_desktop.core.awards.eligibility import check_printable
from thidua_desktop.core.awards.models import NominationStatus
from thidua_desktop.core.awards.records import NominationInfo, OffsetChange, SettingsStore
from thidua_desktop.core.documents.numbering import check_set
from thidua_desktop.core.errors import UserError
from thidua_desktop.core.progress import CancelFn, ProgressFn, StepCounter, check_cancel, never_cancelled

# Preview choices: key → label; the dossier's documents come in the order of DOCUMENT_KEYS.
DOCUMENT_KEYS = ("to_trinh", "danh_sach", "bao_cao", "bien_ban")
CERTIFICATE = "certificate"
WHOLE_DOSSIER = "all"
CHOICE_LABELS = {
    "to_trinh": "Tờ trình", "danh_sach": "Danh sách đề nghị", "bao_cao": "Báo cáo thành tích",
    "bien_ban": "Biên bản họp Hội đồng", CERTIFICATE: "Giấy khen / Bằng khen (in lên phôi)",
    WHOLE_DOSSIER: "Cả hồ sơ (một tệp để in)",
}


class DossierSource(Protocol):
    """What the documents read from the nominations (the `AwardService`), named without importing it."""

    catalog: AwardCatalog

    def get(self, nomination_id: int) -> NominationInfo: ...

    def nominations(self, round_id: int) -> list[NominationInfo]: ...

    def dossier_context(self, round_id: int) -> DossierContext: ...


@dataclass(frozen=True)
class NominationDossier:
    """Everything printable for one nomination, built from one consistent read of the database."""

    context: DossierContext
    nomination: NominationInfo
    round_nominations: tuple[NominationInfo, ...]
    documents: tuple[d.Document, ...]

    @property
    def same_award(self) -> list[NominationInfo]:
        """The nominations its Tờ trình and Danh sách list."""
        code = self.nomination.draft.award_type_code
        return [n for n in self.round_nominations if n.draft.award_type_code == code] or [self.nomination]

    def listed(self, key: str) -> list[NominationInfo]:
        """Whom a preview choice proposes: the award's nominees, this nominee (report), nobody (minutes)."""
        if key in ("to_trinh", "danh_sach", WHOLE_DOSSIER):
            return self.same_award
        return [self.nomination] if key in ("bao_cao", CERTIFICATE) else []

    def check(self, key: str, documents: Sequence[d.Document]) -> None:
        """Refuse to print a set that disagrees, or that proposes a nominee below a threshold unheard."""
        check_set(documents)
        check_printable(self.listed(key), self.context.eligibility)

    @property
    def award_set(self) -> list[d.Document]:
        """What goes to the authority for this nomination's award type (every nominee's report)."""
        award = self.context.catalog.award_type(self.nomination.draft.award_type_code)
        return award_set(self.context, award, self.round_nominations)

    @property
    def certificate_form_code(self) -> str | None:
        return self.context.catalog.award_type(self.nomination.draft.award_type_code).certificate


@dataclass(frozen=True)
class RenderedChoice:
    """One preview choice rendered: its title and the PDF (exactly what is printed or saved)."""

    title: str
    pdf: bytes
    notes: tuple[str, ...] = ()  # "check before official use": the preview marks them, the print never shows them


@dataclass(frozen=True)
class CertificateBatch:
    """Certificate pages of several nominations on one form, and what the caller should tell the user."""

    pdf: bytes
    form_code: str
    offset: Offset
    pages: int
    drafts: int  # nominations still in draft: printed all the same, but worth a warning


write_file = d.write_file  # files keep the folder's permissions (shared with the CLI)


def check_docx_choice(key: str) -> None:
    """Only the four documents have a Word version; certificates and the whole dossier are PDF only."""
    if key not in DOCUMENT_KEYS:
        raise UserError("Chọn một văn bản (Tờ trình, Danh sách, Báo cáo, Biên bản) để lưu Word.",
                        hint="Phôi và “cả hồ sơ” chỉ lưu được dạng PDF; “Lưu cả hồ sơ” ghi mọi tệp Word.")


def suggested_file_name(key: str, nomination_name: str) -> str:
    """"bao-cao-thanh-tich-phong-tu-phap-…" — the file name offered when saving a choice."""
    return f"{slug(CHOICE_LABELS[key])}-{slug(nomination_name)}"


class AwardDocuments:
    """Dossiers, certificates and calibration of one campaign's nominations."""

    def __init__(self, source: DossierSource, settings: SettingsStore) -> None:
        self.source = source
        self.settings = settings

    @property
    def catalog(self) -> AwardCatalog:
        return self.source.catalog

    # --- dossier -----------------------------------------------------------------------------
    def build(self, nomination_id: int) -> NominationDossier:
        nomination = self.source.get(nomination_id)
        round_nominations = tuple(self.source.nominations(nomination.round_id))
        context = self.source.dossier_context(nomination.round_id)
        documents = dossier_documents(context, nomination, round_nominations)
        return NominationDossier(context, nomination, round_nominations, tuple(documents))

    def render_choice(self, key: str, nomination_id: int, *, progress: ProgressFn | None = None,
                      cancel: CancelFn = never_cancelled) -> RenderedChoice:
        """A preview choice (a document, the certificate or the whole dossier) as PDF."""
        steps = StepCounter(2, progress, cancel)
        dossier = self.build(nomination_id)
        steps.step()
        if key == CERTIFICATE:
            check_printable(dossier.listed(key), dossier.context.eligibility)
            form = dossier.certificate_form_code
            if form is None:
                raise UserError("Hình thức này không in lên phôi.", hint="Chỉ Giấy khen, Bằng khen có mẫu phôi.")
            result = RenderedChoice("Phôi", self._certificates(dossier.context, [dossier.nomination], form))
        elif key == WHOLE_DOSSIER:
            documents = dossier.award_set
            dossier.check(key, documents)
            notes = tuple(dict.fromkeys(n for doc in documents for n in doc.notes))
            result = RenderedChoice("Cả hồ sơ", d.render_pdf(documents), notes)
        else:
            dossier.check(key, dossier.documents)
            document = dossier.documents[DOCUMENT_KEYS.index(key)]
            result = RenderedChoice(document.name, d.render_pdf(document), document.notes)
        steps.step()
        return result

    def render_docx(self, key: str, nomination_id: int) -> bytes:
        check_docx_choice(key)
        dossier = self.build(nomination_id)
        dossier.check(key, dossier.documents)
        return d.render_docx(dossier.documents[DOCUMENT_KEYS.index(key)])

    def save_choice(self, key: str, nomination_id: int, target: Path, *, word: bool = False,
                    progress: ProgressFn | None = None, cancel: CancelFn = never_cancelled) -> Path:
        """Write a choice to `target` (PDF, or Word with `word=True`); a cancelled job leaves no file."""
        if word:
            check_docx_choice(key)
            data = self.render_docx(key, nomination_id)
        else:
            data = self.render_choice(key, nomination_id, progress=progress, cancel=cancel).pdf
        check_cancel(cancel)
        return write_file(target, data)

    def write_dossier(self, nomination_id: int, out_dir: Path, *, progress: ProgressFn | None = None,
                      cancel: CancelFn = never_cancelled) -> DossierFiles:
        """Render the award type's dossier (Tờ trình, Danh sách, every listed nominee's report, the minutes:
        PDF + .docx each, and the certificate PDF of this nomination) and write it all or nothing."""
        dossier = self.build(nomination_id)
        documents = dossier.award_set
        dossier.check(WHOLE_DOSSIER, documents)
        extra: dict[str, bytes] = {}
        form_code = dossier.certificate_form_code
        if form_code:
            name = f"05-phoi-{slug(dossier.nomination.draft.award_type_code)}-{slug(dossier.nomination.name)}.pdf"
            extra[name] = self._certificates(dossier.context, [dossier.nomination], form_code)
        files = render_dossier(documents, extra, progress=progress, cancel=cancel)
        check_cancel(cancel)
        written = write_files_atomically(out_dir, files)
        return DossierFiles(out_dir.resolve(), tuple(written), dossier.context.regime.name)

    def round_set(self, round_id: int) -> list[d.Document]:
        """Every document of a round (all award types) as one numbered set, checked for agreement."""
        context = self.source.dossier_context(round_id)
        nominations = self.source.nominations(round_id)
        documents = round_documents(context, nominations)
        if not documents:
            raise UserError("Đợt xét này chưa có đề nghị nào.", hint="Lập đề nghị trước khi in hồ sơ.")
        check_set(documents)
        check_printable(nominations, context.eligibility)
        return documents

    def write_round_dossier(self, round_id: int, out_dir: Path, *, progress: ProgressFn | None = None,
                            cancel: CancelFn = never_cancelled) -> DossierFiles:
        """Every document of the round (PDF + .docx each), written all or nothing."""
        documents = self.round_set(round_id)
        files = render_dossier(documents, progress=progress, cancel=cancel)
        check_cancel(cancel)
        written = write_files_atomically(out_dir, files)
        return DossierFiles(out_dir.resolve(), tuple(written), self.source.dossier_context(round_id).regime.name)

    # --- certificates ----------------------------------------------------------------------------
    def _certificates(self, context: DossierContext, nominations: Sequence[NominationInfo], form_code: str) -> bytes:
        form = context.catalog.certificate(form_code)
        texts = [certificate_text(form, n, context.values()) for n in nominations]
        return certificates_pdf(form, texts, self.offset(form_code))

    def certificates(self, nomination_ids: Sequence[int]) -> CertificateBatch:
        """One certificate page per nomination; they must share one blank form (one paper in the printer)."""
        nominations = [self.source.get(n) for n in nomination_ids]
        forms = {self.source.catalog.award_type(n.draft.award_type_code).certificate for n in nominations}
        if len(forms) != 1 or None in forms:
            raise UserError("Các đề nghị đã chọn không dùng chung một mẫu phôi.",
                            hint="Chỉ in cùng lúc các đề nghị cùng hình thức (cùng loại phôi).")
        form_code = forms.pop()
        context = self.source.dossier_context(nominations[0].round_id)
        drafts = sum(1 for n in nominations if n.status is NominationStatus.DRAFT)
        return CertificateBatch(self._certificates(context, nominations, form_code), form_code,
                                self.offset(form_code), len(nominations), drafts)

    def offset(self, form_code: str) -> Offset:
        """The printer offset saved for a blank form (none saved: no offset)."""
        return load_offsets(self.settings).get(form_code, Offset())

    def save_offset(self, form_code: str, offset: Offset) -> OffsetChange:
        self.source.catalog.certificate(form_code)  # refuses an unknown form with its own message
        before = self.offset(form_code)
        save_offset(self.settings, form_code, offset)
        return OffsetChange(form_code, before, self.offset(form_code))

    def calibration_page(self, form_code: str, offset: Offset | None = None) -> bytes:
        """The test page of a blank form, with `offset` (default: the saved one) applied."""
        form = self.source.catalog.certificate(form_code)
        return calibration_pdf(form, offset if offset is not None else self.offset(form_code))

    def save_calibration_page(self, form_code: str, target: Path, offset: Offset | None = None) -> Path:
        return write_file(target, self.calibration_page(form_code, offset))
