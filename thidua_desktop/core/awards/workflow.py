"""Workspace-level entry points shared by the GUI and the CLI: a nomination's documents, certificates,
and writing its whole dossier to a folder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from thidua_desktop.core import documents as d
from thidua_desktop.core.awards.certificates import (
    Offset,
    calibration_pdf,
    certificate_text,
    certificates_pdf,
    load_offsets,
)
from thidua_desktop.core.awards.dossier import (
    DossierContext,
    DossierFiles,
    dossier_documents,
    load_context,
    render_dossier,
    slug,
    write_files_atomically,
)
from thidua_desktop.core.awards.service import AwardService, NominationInfo
from thidua_desktop.core.progress import ProgressFn

if TYPE_CHECKING:
    from thidua_desktop.core.workspace import Workspace



@dataclass(frozen=True)
class NominationDossier:
    """Everything printable for one nomination, built from one consistent read of the database."""

    context: DossierContext
    nomination: NominationInfo
    round_nominations: tuple[NominationInfo, ...]
    documents: tuple[d.Document, ...]

    @property
    def certificate_form_code(self) -> str | None:
        return self.context.catalog.award_type(self.nomination.draft.award_type_code).certificate


def build_dossier(workspace: Workspace, nomination_id: int, *, service: AwardService | None = None) -> NominationDossier:
    service = service or AwardService.for_workspace(workspace)
    nomination = service.get(nomination_id)
    round_nominations = tuple(service.nominations(nomination.round_id))
    with workspace.sessions() as session:
        context = load_context(session, service, nomination.round_id)
    documents = dossier_documents(context, nomination, round_nominations)
    return NominationDossier(context, nomination, round_nominations, tuple(documents))


def certificate_offset(workspace: Workspace, form_code: str) -> Offset:
    return load_offsets(workspace).get(form_code, Offset())


def certificates_for(workspace: Workspace, context: DossierContext, nominations: Sequence[NominationInfo],
                     form_code: str) -> bytes:
    """The certificate pages of these nominations on one form, with the saved printer offset."""
    form = context.catalog.certificate(form_code)
    texts = [certificate_text(form, n, context.values()) for n in nominations]
    return certificates_pdf(form, texts, certificate_offset(workspace, form_code))


def calibration_page(workspace: Workspace, form_code: str, offset: Offset | None = None) -> bytes:
    service = AwardService.for_workspace(workspace)
    form = service.catalog.certificate(form_code)
    return calibration_pdf(form, offset if offset is not None else certificate_offset(workspace, form_code))


def write_dossier(
    workspace: Workspace,
    nomination_id: int,
    out_dir: Path,
    *,
    progress: ProgressFn | None = None,
    cancel: Callable[[], bool] = lambda: False,
) -> DossierFiles:
    """Render the whole dossier (PDF + .docx per document, the certificate PDF) and write it all or nothing."""
    dossier = build_dossier(workspace, nomination_id)
    extra: dict[str, bytes] = {}
    form_code = dossier.certificate_form_code
    if form_code:
        name = f"05-phoi-{slug(dossier.nomination.draft.award_type_code)}-{slug(dossier.nomination.name)}.pdf"
        extra[name] = certificates_for(workspace, dossier.context, [dossier.nomination], form_code)
    files = render_dossier(dossier.documents, extra, progress=progress, cancel=cancel)
    written = write_files_atomically(out_dir, files)
    return DossierFiles(out_dir.resolve(), tuple(written), dossier.context.regime.name)
