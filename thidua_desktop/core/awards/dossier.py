"""The award dossier as documents: Tờ trình, Danh sách, Báo cáo thành tích, Biên bản họp Hội đồng.

Builders are pure functions from a `DossierContext` (round, campaign, catalogue) and nominations to
`documents.Document`s; the wording of every form and the "Căn cứ" lines come from the legal-basis
set in force on the round's document date (`catalog.regime_for`).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from thidua_desktop.core import documents as d
from thidua_desktop.core.awards.catalog import AwardCatalog, AwardType, LegalRegime, fill
from thidua_desktop.core.awards.models import NomineeKind, PriorAwardCategory
from thidua_desktop.core.awards.records import HONORIFIC, SEX_LABELS, NominationInfo, RoundInfo
from thidua_desktop.core.catalogue import CampaignInfo
from thidua_desktop.core.models import Campaign, UnitKind
from thidua_desktop.core.progress import CancelFn, ProgressFn, check_cancel, never_cancelled
from thidua_desktop.core.text import fold, format_date, format_number, format_percent
from thidua_desktop.core.units import UnitInfo, header_defaults, list_units

ROMAN = ("I", "II", "III", "IV", "V")
BLANK = "………"


def slug(text: str, limit: int = 60) -> str:
    """An ASCII file-name part: "Phòng Tư pháp huyện Chợ Mới" → "phong-tu-phap-huyen-cho-moi"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:limit].rstrip("-") or "khong-ten"


@dataclass(frozen=True)
class DossierContext:
    round: RoundInfo
    campaign: CampaignInfo
    plan_number: str
    plan_date: date
    plan_issuer: str
    issuing_unit: UnitInfo
    catalog: AwardCatalog

    @cached_property
    def regime(self) -> LegalRegime:
        return self.catalog.regime_for(self.round.basis_date())

    @property
    def year(self) -> int:
        return self.round.basis_date().year

    @cached_property
    def base_values(self) -> dict[str, Any]:
        r = self.round
        values: dict[str, Any] = {
            "agency_name": self.issuing_unit.name,
            "campaign_title": self.campaign.title,
            "period": f"{self.campaign.starts_on.year}\u00a0–\u00a0{self.campaign.ends_on.year}",  # never split
            "plan_number": self.plan_number,
            "plan_date": d.long_date(self.plan_date),
            "plan_issuer": self.plan_issuer,
            "movement_phrase": self.regime.forms["movement_phrase"]["themed" if r.themed else "periodic"],
            "meeting_date": d.long_date(r.meeting_date) if r.meeting_date else "",
            "meeting_place": r.meeting_place,
            "submission_ref": self.submission_ref(),
        }
        values["council"] = fill(self.regime.forms["council"], values)
        return values

    def values(self, **extra: Any) -> dict[str, Any]:
        return self.base_values | extra

    @property
    def submission_symbol(self) -> str:
        """"TTr-STP": the form's document-type symbol and the issuing agency's."""
        return f"{self.regime.forms['to_trinh']['symbol']}-{self.round.agency_symbol}"

    def submission_ref(self) -> str:
        """"số 05/TTr-STP ngày 05/02/2024", with room to write a missing number or date by hand."""
        number = d.number_line(self.round.submission_number or None, self.submission_symbol).removeprefix("Số:").strip()
        day = format_date(self.round.document_date) if self.round.document_date else f"{BLANK}/{BLANK}/{self.year}"
        return f"số {number} ngày {day}"

    def letterhead(self, symbol: str | None, *, unit: UnitInfo | None = None, day: date | None = None,
                   number: str = "") -> d.Letterhead:
        """The round's header (or that of `unit`, for a report the nominated unit makes itself).

        `symbol` is the full document symbol ("TTr-STP"); None prints no number line.
        """
        if unit is None:
            parent, agency, place = self.round.header_parent, self.round.header_agency, self.round.place
        else:
            header = header_defaults(unit)
            parent, agency, place = header["header_parent"], header["header_agency"], header["place"]
        numbered = d.number_line(number or None, symbol) if symbol else None
        when = day if day is not None else self.round.document_date
        return d.Letterhead(parent, agency, numbered, d.place_date(place or BLANK, when, year=self.year))

    def signer(self) -> d.Signature:
        r = self.round
        return d.Signature(tuple(line for line in (r.signer_authority, r.signer_title) if line), name=r.signer_name)


def load_context(session: Session, round_info: RoundInfo, campaign: CampaignInfo,
                 catalog: AwardCatalog) -> DossierContext:
    """The round's issuing unit, the campaign's plan and the legal data: what every document repeats."""
    campaign_row = session.get(Campaign, campaign.id)
    units = {u.code: u for u in list_units(session)}
    return DossierContext(round_info, campaign, campaign_row.plan_number, campaign_row.issued_on,
                          campaign_row.issued_by, units[round_info.issuing_unit_code], catalog)


# --- shared pieces ------------------------------------------------------------------------------------

def describe(nomination: NominationInfo) -> str:
    """How a nominee is named in running text: "Ông Nguyễn Văn A, Trưởng phòng, Phòng Tư pháp …"."""
    if nomination.kind is NomineeKind.COLLECTIVE:
        return nomination.name
    draft = nomination.draft
    honorific = HONORIFIC.get(draft.sex) if draft.sex else None
    parts = [f"{honorific} {draft.name}" if honorific else draft.name, draft.position, nomination.unit.name]
    return ", ".join(p for p in parts if p)


def _split(nominations: Sequence[NominationInfo]) -> tuple[list[NominationInfo], list[NominationInfo]]:
    return ([n for n in nominations if n.kind is NomineeKind.COLLECTIVE],
            [n for n in nominations if n.kind is NomineeKind.INDIVIDUAL])


def _counts(ctx: DossierContext, collectives: int, individuals: int) -> str:
    form = ctx.regime.form("to_trinh")
    parts = [fill(form["count_collectives"], {"n": format_number(collectives)}) if collectives else "",
             fill(form["count_individuals"], {"n": format_number(individuals)}) if individuals else ""]
    return " và ".join(p for p in parts if p)


def _signature(spec: dict[str, Any], name: str = "") -> d.Signature:
    return d.Signature(tuple(spec["lines"]), name=name, note=spec.get("note", ""))


def _grouped_rows(collectives: list[NominationInfo], individuals: list[NominationInfo], labels: tuple[str, str],
                  cells: Callable[[int, NominationInfo], tuple[str, ...]]) -> list[d.Row]:
    """Table rows under "I. TẬP THỂ" and "II. CÁ NHÂN" section rows, numbered from 1 in each group."""
    rows: list[d.Row] = []
    for label, group in zip(labels, (collectives, individuals), strict=True):
        if group:
            rows.append(d.Row((label,), section=True))
            rows += [d.Row(cells(i, n)) for i, n in enumerate(group, start=1)]
    return rows


def _section_labels(form: dict[str, Any], collectives: bool, individuals: bool) -> tuple[str, str]:
    """"I. TẬP THỂ" / "II. CÁ NHÂN", renumbered when only individuals are listed."""
    first, second = form["collectives"], form["individuals"]
    if individuals and not collectives:
        second = "I. " + second.split(". ", 1)[-1]
    return first, second


# --- the documents ------------------------------------------------------------------------------------

def to_trinh(ctx: DossierContext, award: AwardType, nominations: Sequence[NominationInfo]) -> d.Document:
    """Tờ trình đề nghị khen thưởng: one per award type."""
    form = ctx.regime.form("to_trinh")
    collectives, individuals = _split(nominations)
    submitter = award.submitted_by if ctx.issuing_unit.kind is UnitKind.DEPARTMENT else None
    values = ctx.values(award=award.name, authority=award.authority, recipient=award.recipient,
                        counts=_counts(ctx, len(collectives), len(individuals)))
    if submitter is not None:
        values["agency_name"] = f"{submitter.header_agency.capitalize()} {ctx.issuing_unit.name}"
    blocks: list[d.Block] = [d.para(form["addressee"], award.recipient, style=d.ParaStyle.CENTER)]
    blocks += [d.para(line, style=d.ParaStyle.BASIS) for line in ctx.regime.basis_lines(values)]
    blocks.append(d.para(fill(form["request"], values)))
    groups = [(form["collectives"], collectives), (form["individuals"], individuals)]
    for number, (label, group) in enumerate([g for g in groups if g[1]]):
        blocks.append(d.Heading(f"{ROMAN[number]}. {label}"))
        blocks += [d.para(f"{i}. {describe(n)}" + (";" if i < len(group) else "."))
                   for i, n in enumerate(group, start=1)]
    blocks.append(d.para(fill(form["closing"], values)))
    letterhead = ctx.letterhead(ctx.submission_symbol, number=ctx.round.submission_number)
    signer = ctx.signer()
    if submitter is not None:
        symbol = f"{form['symbol']}-{submitter.agency_symbol}"
        letterhead = d.Letterhead(submitter.header_parent, submitter.header_agency,
                                  d.number_line(ctx.round.submission_number or None, symbol), letterhead.place_date)
        signer = d.Signature(submitter.signer_lines)
    return d.Document(
        name=f"01-to-trinh-{slug(award.short_name)}",
        letterhead=letterhead,
        title=d.Title(form["title"], ctx.regime.lines("to_trinh", "summary", values)),
        blocks=tuple(blocks),
        closing=d.Closing(tuple(fill(r, values) for r in form["recipients"]), (signer,)),
        author=ctx.issuing_unit.name, keywords=(ctx.regime.name,),
    )


def danh_sach(ctx: DossierContext, nominations: Sequence[NominationInfo], award: AwardType | None = None) -> d.Document:
    """Danh sách đề nghị khen thưởng (landscape): one award type, or the whole round when `award` is None."""
    form = ctx.regime.form("danh_sach")
    collectives, individuals = _split(nominations)
    values = ctx.values(award=award.name if award else "")
    summary_key, attached_key = ("summary", "attached") if award else ("summary_all", "attached_all")
    widths = (0.9, 3.4, 3.2, 2.6, 6.0, 1.6)
    aligns = (d.Align.CENTER, d.Align.LEFT, d.Align.LEFT, d.Align.LEFT, d.Align.JUSTIFY, d.Align.LEFT)
    columns = [d.Column(t, w, a) for t, w, a in zip(form["columns"], widths, aligns, strict=True)]

    def cells(index: int, n: NominationInfo) -> tuple[str, ...]:
        award_name = ctx.catalog.award_type(n.draft.award_type_code).short_name
        where = ", ".join(p for p in (n.draft.position, n.unit.name) if p) if n.kind is NomineeKind.INDIVIDUAL else ""
        return (str(index), n.name, where, award_name, n.draft.summary, n.draft.note)

    rows = _grouped_rows(collectives, individuals, _section_labels(form, bool(collectives), bool(individuals)), cells)
    suffix = slug(award.short_name) if award else "tat-ca"
    return d.Document(
        name=f"02-danh-sach-{suffix}",
        letterhead=ctx.letterhead(None),
        title=d.Title(form["title"], ctx.regime.lines("danh_sach", summary_key, values)),
        blocks=(d.para(fill(form[attached_key], values), style=d.ParaStyle.NOTE), d.table(columns, rows)),
        closing=d.Closing((), (ctx.signer(),)),
        orientation=d.Orientation.LANDSCAPE, author=ctx.issuing_unit.name, keywords=(ctx.regime.name,),
    )


def _person_lines(form: dict[str, Any], nomination: NominationInfo) -> list[d.Paragraph]:
    draft = nomination.draft
    values = {
        "name": draft.name, "sex": SEX_LABELS.get(draft.sex, "") if draft.sex else "",
        "birth_date": format_date(draft.birth_date), "hometown": draft.hometown, "residence": draft.residence,
        "unit": nomination.unit.name, "position": draft.position, "qualifications": draft.qualifications,
    }
    return [d.para(f"- {label}: ", values.get(key) or BLANK, style=d.ParaStyle.BODY) for label, key in form["person_fields"]]


def _prior_tables(form: dict[str, Any], nomination: NominationInfo) -> list[d.Block]:
    blocks: list[d.Block] = []
    for category, heading, columns_key in (
        (PriorAwardCategory.TITLE, form["prior_titles"], "prior_columns_titles"),
        (PriorAwardCategory.AWARD, form["prior_awards"], "prior_columns_awards"),
    ):
        items = sorted((p for p in nomination.draft.prior_awards if p.category is category), key=lambda p: p.year)
        if not items:
            continue
        columns = [d.Column(t, w, a) for t, w, a in
                   zip(form[columns_key], (1.0, 4.0, 6.0), (d.Align.CENTER, d.Align.LEFT, d.Align.LEFT), strict=True)]
        blocks += [d.Heading(f"{len(blocks) // 2 + 1}. {heading}", level=2),
                   d.table(columns, [(str(p.year), p.award, p.decision_text) for p in items], font_size=13)]
    if blocks:
        blocks.insert(0, d.Heading(form["section_prior"]))
    return blocks


def bao_cao(ctx: DossierContext, nomination: NominationInfo) -> d.Document:
    """Báo cáo thành tích theo chuyên đề of one collective or person; section II as edited on the nomination."""
    form = ctx.regime.form("bao_cao")
    draft = nomination.draft
    award = ctx.catalog.award_type(draft.award_type_code)
    as_of = ctx.round.document_date or date.today()
    values = ctx.values(award=award.name, unit_name=nomination.unit.name, as_of=format_date(as_of))
    collective = nomination.kind is NomineeKind.COLLECTIVE
    label = form["nominee_collective"] if collective else form["nominee_individual"]
    blocks: list[d.Block] = [d.para(label, d.Run(draft.name, bold=True)), d.Heading(form["section_profile"])]
    if collective:
        blocks += d.paragraphs(draft.unit_profile) or [d.para(d.Run(form["profile_missing"], italic=True))]
    else:
        blocks += _person_lines(form, nomination)
    blocks += [d.Heading(form["section_achievements"]), d.Heading(form["results_heading"], level=2)]
    blocks += d.paragraphs(draft.achievements)
    if draft.figures:
        caption = form["figures_caption"] if collective else form["figures_caption_individual"]
        blocks.append(d.para(fill(caption, values)))
        columns = [d.Column(t, w, a) for t, w, a in zip(
            form["figures_columns"], (1.0, 5.6, 1.7, 2.4, 1.7, 1.8),
            (d.Align.CENTER, d.Align.LEFT, d.Align.CENTER, d.Align.RIGHT, d.Align.CENTER, d.Align.CENTER), strict=True)]
        rows = [d.Row((f.label,), section=True) if f.section else
                d.Row((f.code, f.label, f.unit, f.value, f.target, f.assessment)) for f in draft.figures]
        blocks.append(d.table(columns, rows))
    if draft.activities_summary:
        blocks += [d.Heading(form["activities_heading"], level=2), *d.paragraphs(draft.activities_summary)]
    blocks += _prior_tables(form, nomination)
    kind = "collective" if collective else "individual"
    signatures = (_signature(form[f"sign_confirm_{kind}"]),
                  _signature(form[f"sign_self_{kind}"], "" if collective else draft.name))
    return d.Document(
        name=f"03-bao-cao-thanh-tich-{slug(draft.name)}",
        letterhead=ctx.letterhead(None, unit=nomination.unit),
        title=d.Title(form["title"], ctx.regime.lines("bao_cao", "summary", values)),
        blocks=tuple(blocks), closing=d.Closing((), signatures),
        author=nomination.unit.name, keywords=(ctx.regime.name,),
    )


def passed(ctx: DossierContext, nomination: NominationInfo) -> bool:
    """Whether the council's vote reaches the award type's threshold (from the data file)."""
    percent = nomination.approval_percent
    return percent is not None and percent >= ctx.catalog.award_type(nomination.draft.award_type_code).min_vote_percent


def bien_ban(ctx: DossierContext, nominations: Sequence[NominationInfo]) -> d.Document:
    """Biên bản họp Hội đồng Thi đua – Khen thưởng, with every nominee's vote result."""
    form = ctx.regime.form("bien_ban")
    r = ctx.round
    collectives, individuals = _split(nominations)
    values = ctx.values(
        meeting_date=d.long_date(r.meeting_date) if r.meeting_date else f"ngày {BLANK} tháng {BLANK} năm {ctx.year}",
        meeting_place=r.meeting_place or BLANK,
        chair=", ".join(p for p in (r.chair_name, r.chair_title) if p) or BLANK,
        secretary=r.secretary_name or BLANK,
        present=format_number(r.members_present) if r.members_present is not None else BLANK,
        members=format_number(r.members_total) if r.members_total is not None else BLANK,
    )
    widths = (1.0, 5.0, 3.0, 1.5, 1.5, 1.5, 1.5)
    aligns = (d.Align.CENTER, d.Align.LEFT, d.Align.LEFT, *([d.Align.CENTER] * 4))
    columns = [d.Column(t, w, a) for t, w, a in zip(form["vote_columns"], widths, aligns, strict=True)]

    def cells(index: int, n: NominationInfo) -> tuple[str, ...]:
        votes = (n.votes_for, n.votes_against, n.votes_total)
        return (str(index), describe(n), ctx.catalog.award_type(n.draft.award_type_code).short_name,
                *(format_number(v) if v is not None else "—" for v in votes),
                format_percent(n.approval_percent))

    labels = _section_labels(ctx.regime.form("danh_sach"), bool(collectives), bool(individuals))
    approved = [n for n in nominations if passed(ctx, n)]
    approved_collectives, approved_individuals = _split(approved)
    conclusion = (fill(form["conclusion"], values | {"passed": _counts(ctx, len(approved_collectives),
                                                                         len(approved_individuals))})
                  if approved else fill(form["conclusion_none"], values))
    blocks: list[d.Block] = [
        d.para(fill(form["opening"], values)),
        d.Heading(form["section_members"]),
        *(d.para(fill(form[key], values)) for key in ("chair", "secretary", "attendance")),
        d.Heading(form["section_content"]),
        d.para(fill(form["content"], values)),
        d.table(columns, _grouped_rows(collectives, individuals, labels, cells)),
        d.Heading(form["section_conclusion"]),
        d.para(conclusion),
        d.para(fill(form["ending"], values)),
    ]
    return d.Document(
        name="04-bien-ban-hop-hoi-dong",
        letterhead=ctx.letterhead(form.get("symbol"), day=r.meeting_date),
        title=d.Title(form["title"], ctx.regime.lines("bien_ban", "summary", values)),
        blocks=tuple(blocks),
        closing=d.Closing((), (_signature(form["sign_secretary"], r.secretary_name),
                               _signature(form["sign_chair"], r.chair_name))),
        author=ctx.issuing_unit.name, keywords=(ctx.regime.name,),
    )


def dossier_documents(ctx: DossierContext, nomination: NominationInfo,
                      round_nominations: Sequence[NominationInfo]) -> list[d.Document]:
    """The dossier of one nomination: its award type's Tờ trình and Danh sách, its report, the minutes."""
    award = ctx.catalog.award_type(nomination.draft.award_type_code)
    same_award = [n for n in round_nominations if n.draft.award_type_code == award.code]
    if nomination.id not in {n.id for n in same_award}:
        same_award.append(nomination)
    return [to_trinh(ctx, award, same_award), danh_sach(ctx, same_award, award), bao_cao(ctx, nomination),
            bien_ban(ctx, round_nominations)]


# --- writing a dossier --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DossierFiles:
    folder: Path
    files: tuple[Path, ...]
    regime: str


def write_files_atomically(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write all files, or none: they are staged beside `folder` and moved in only once all are written.

    A new folder appears whole (one rename); into an existing folder each file is renamed in turn,
    after everything was rendered and staged, so a failure cannot leave a half-written file.
    """
    folder = folder.resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".partial"))
    try:
        # mkdtemp makes a private (0700) folder; the dossier folder takes its parent's permissions instead
        os.chmod(staging, stat.S_IMODE(folder.parent.stat().st_mode))
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        if not folder.exists():
            os.replace(staging, folder)
        else:
            for name in files:
                os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [folder / name for name in files]


def render_dossier(
    documents: Sequence[d.Document],
    extra: dict[str, bytes] | None = None,
    *,
    progress: ProgressFn | None = None,
    cancel: CancelFn = never_cancelled,
) -> dict[str, bytes]:
    """File name → bytes: a PDF and a .docx per document, plus `extra` files (certificates)."""
    files: dict[str, bytes] = {}
    total = len(documents) * 2
    for index, document in enumerate(documents):
        for step, (suffix, render) in enumerate(((".pdf", d.render_pdf), (".docx", d.render_docx))):
            check_cancel(cancel)
            files[document.name + suffix] = render(document)
            if progress:
                progress(index * 2 + step + 1, total)
    files.update(extra or {})
    return files
