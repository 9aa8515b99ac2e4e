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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from thidua_desktop.core import documents as d
from thidua_desktop.core.awards.catalog import AwardCatalog, AwardType, LegalRegime, fill
from thidua_desktop.core.awards.eligibility import Eligibility
from thidua_desktop.core.awards.eligibility import check as check_eligibility
from thidua_desktop.core.awards.models import NomineeKind, PriorAwardCategory
from thidua_desktop.core.awards.records import (
    BIEN_BAN_KEY,
    HONORIFIC,
    SEX_LABELS,
    NominationInfo,
    RoundInfo,
    SignerInfo,
    to_trinh_key,
)
from thidua_desktop.core.awards.succession import DissolvedIssuer, ended_on, issuing_unit_on
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
    eligibility: Mapping[int, Eligibility] = field(default_factory=dict)  # by nomination id
    units: Mapping[str, UnitInfo] = field(default_factory=dict)  # by code: successors of dissolved units

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
        }
        values["council"] = fill(self.regime.forms["council"], values)
        return values

    def values(self, **extra: Any) -> dict[str, Any]:
        return self.base_values | extra

    def issuer(self, award: AwardType | None = None) -> Issuer:
        """Who issues (and signs) the Tờ trình and Danh sách of `award`: the round's agency, or the body
        that submits for it when the agency itself grants the award (the Văn phòng to the Director)."""
        r = self.round
        submitter = award.submitted_by if award and self.issuing_unit.kind is UnitKind.DEPARTMENT else None
        if submitter is None:
            return Issuer("", r.header_parent, r.header_agency, r.agency_symbol, self.issuing_unit.name, self.signer())
        signer = r.signers.get(submitter.agency_symbol, SignerInfo())
        lines = tuple(line for line in (signer.authority, signer.title) if line) or submitter.signer_lines
        return Issuer(submitter.agency_symbol, submitter.header_parent, submitter.header_agency,
                      submitter.agency_symbol, f"{submitter.header_agency.capitalize()} {self.issuing_unit.name}",
                      d.Signature(lines, name=signer.name))

    def check_round_issuer(self) -> None:
        """The round's agency must exist on the document date; else its successor is to be chosen as issuer."""
        issuer = issuing_unit_on(self.issuing_unit, self.round.document_date, self.units)
        if issuer.code != self.issuing_unit.code:
            raise DissolvedIssuer(
                f"{self.issuing_unit.name} đã kết thúc hoạt động từ ngày "
                f"{format_date(ended_on(self.issuing_unit))}; hồ sơ đề ngày {format_date(self.round.document_date)} "
                f"do {issuer.name} ban hành.",
                hint=f"Mở “Thông tin đợt…” và chọn cơ quan trình là {issuer.name}.")

    def to_trinh_ref(self, award: AwardType) -> d.DocumentRef:
        """The number, symbol, date and issuer of `award`'s Tờ trình: what its Danh sách cites."""
        issuer = self.issuer(award)
        key = to_trinh_key(award.code)
        return d.DocumentRef(key, f"Tờ trình đề nghị tặng {award.name}", "Tờ trình", self.round.number(key),
                             f"{self.regime.forms['to_trinh']['symbol']}-{issuer.symbol}", self.round.document_date,
                             issuer.name)

    def bien_ban_ref(self) -> d.DocumentRef:
        symbol = self.regime.forms["bien_ban"].get("symbol") or "BB"
        return d.DocumentRef(BIEN_BAN_KEY, "Biên bản họp Hội đồng", "Biên bản", self.round.number(BIEN_BAN_KEY),
                             symbol, self.round.meeting_date, self.base_values["council"])

    def citation_values(self, ref: d.DocumentRef) -> dict[str, str]:
        """"số 05/TTr-STP ngày 05/12/2025" and the issuer's name, for the data files' "Kèm theo …" lines."""
        return {"submission_ref": ref.number_and_date(year=self.year), "agency_name": ref.issuer}

    def letterhead(self, ref: d.DocumentRef | None, *, issuer: Issuer | None = None, unit: UnitInfo | None = None,
                   day: date | None = None) -> d.Letterhead:
        """The header of `issuer` (default: the round's agency), or that of `unit` for a report the
        nominated unit makes itself; `ref` gives the number line (None: a document without a number)."""
        if unit is not None:
            header = header_defaults(unit)
            parent, agency, place = header["header_parent"], header["header_agency"], header["place"]
        else:
            chosen = issuer or self.issuer()
            parent, agency, place = chosen.header_parent, chosen.header_agency, self.round.place
        numbered = d.number_line(ref.number or None, ref.symbol) if ref else None
        when = day if day is not None else self.round.document_date
        return d.Letterhead(parent, agency, numbered, d.place_date(place or BLANK, when, year=self.year))

    def signer(self) -> d.Signature:
        r = self.round
        return d.Signature(tuple(line for line in (r.signer_authority, r.signer_title) if line), name=r.signer_name)


@dataclass(frozen=True)
class Issuer:
    """An issuing body of the round's documents: its header, symbol, name in running text and signer."""

    key: str  # "" for the round's agency, else the submitting body's symbol in the award data ("VP")
    header_parent: str
    header_agency: str
    symbol: str  # "STP" in "05/TTr-STP"
    name: str  # "Văn phòng Sở Tư pháp tỉnh An Giang"
    signature: d.Signature


def numbered_documents(context: DossierContext) -> list[d.DocumentRef]:
    """The documents of a round that take a number (the form asks one per line): each award type's
    Tờ trình (those a themed round can propose), then the Biên bản."""
    awards = [a for a in context.catalog.award_types if not context.round.themed or a.themed]
    return [*(context.to_trinh_ref(a) for a in awards), context.bien_ban_ref()]


def duplicate_numbers(context: DossierContext) -> dict[str, str]:
    """Form problems when two documents of the round were given one number and symbol (checked on save)."""
    refs = numbered_documents(context)
    seen: dict[tuple[str, str], d.DocumentRef] = {}
    problems: dict[str, str] = {}
    for ref in refs:
        if not ref.number:
            continue
        other = seen.setdefault((ref.number, ref.symbol), ref)
        if other is not ref:
            problems[f"number:{ref.key}"] = (f"{other.label} và {ref.label} cùng số {ref.number_text}: "
                                             "mỗi văn bản cần một số riêng.")
    return problems


def load_context(session: Session, round_info: RoundInfo, campaign: CampaignInfo,
                 catalog: AwardCatalog) -> DossierContext:
    """The round's issuing unit, the campaign's plan and the legal data: what every document repeats."""
    campaign_row = session.get(Campaign, campaign.id)
    units = {u.code: u for u in list_units(session)}
    return DossierContext(round_info, campaign, campaign_row.plan_number, campaign_row.issued_on,
                          campaign_row.issued_by, units[round_info.issuing_unit_code], catalog, units=units)


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
    issuer = ctx.issuer(award)
    ref = ctx.to_trinh_ref(award)
    values = ctx.values(award=award.name, authority=award.authority, recipient=award.recipient,
                        counts=_counts(ctx, len(collectives), len(individuals)), agency_name=issuer.name)
    blocks: list[d.Block] = [d.para(form["addressee"], award.recipient, style=d.ParaStyle.CENTER)]
    blocks += [d.para(line, style=d.ParaStyle.BASIS) for line in ctx.regime.basis_lines(values, ctx.round.document_date)]
    notes = (*ctx.regime.basis_checks(values, ctx.round.document_date), ctx.regime.form_check("to_trinh"))
    blocks.append(d.para(fill(form["request"], values)))
    groups = [(form["collectives"], collectives), (form["individuals"], individuals)]
    for number, (label, group) in enumerate([g for g in groups if g[1]]):
        blocks.append(d.Heading(f"{ROMAN[number]}. {label}"))
        blocks += [d.para(f"{i}. {describe(n)}" + (";" if i < len(group) else "."))
                   for i, n in enumerate(group, start=1)]
    blocks.append(d.para(fill(form["closing"], values)))
    return d.Document(
        name=f"01-to-trinh-{slug(award.short_name)}",
        letterhead=ctx.letterhead(ref, issuer=issuer),
        title=d.Title(form["title"], ctx.regime.lines("to_trinh", "summary", values)),
        blocks=tuple(blocks),
        closing=d.Closing(tuple(fill(r, values) for r in form["recipients"]), (issuer.signature,)),
        author=issuer.name, keywords=(ctx.regime.name,), ref=ref, notes=tuple(n for n in notes if n),
    )


def danh_sach(ctx: DossierContext, nominations: Sequence[NominationInfo], award: AwardType | None = None) -> d.Document:
    """Danh sách đề nghị khen thưởng (landscape): one award type, or the whole round when `award` is None.

    An award type's list goes with its Tờ trình: same issuer and signer, and "Kèm theo" that Tờ trình.
    """
    form = ctx.regime.form("danh_sach")
    collectives, individuals = _split(nominations)
    issuer = ctx.issuer(award)
    cited = (ctx.to_trinh_ref(award),) if award else ()
    values = ctx.values(award=award.name if award else "", agency_name=issuer.name)
    if cited:
        values |= ctx.citation_values(cited[0])
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
        letterhead=ctx.letterhead(None, issuer=issuer),
        title=d.Title(form["title"], ctx.regime.lines("danh_sach", summary_key, values)),
        blocks=(d.para(fill(form[attached_key], values), style=d.ParaStyle.NOTE), d.table(columns, rows)),
        closing=d.Closing((), (issuer.signature,)),
        orientation=d.Orientation.LANDSCAPE, author=issuer.name, keywords=(ctx.regime.name,), cites=cited,
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
    blocks: list[d.Block] = [d.para(label, d.Run(draft.name, bold=True))]
    writer = issuing_unit_on(nomination.unit, ctx.round.document_date, ctx.units)
    if writer.code != nomination.unit.code and collective:  # the unit has ended: its successor reports for it
        blocks.append(d.para(fill(form["on_behalf"], values | {
            "writer": writer.name, "ended_on": format_date(ended_on(nomination.unit))}), style=d.ParaStyle.NOTE))
    blocks.append(d.Heading(form["section_profile"]))
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
        letterhead=ctx.letterhead(None, unit=writer),
        title=d.Title(form["title"], ctx.regime.lines("bao_cao", "summary", values)),
        blocks=tuple(blocks), closing=d.Closing((), signatures),
        author=nomination.unit.name, keywords=(ctx.regime.name,),
        notes=tuple(n for n in (ctx.regime.form_check("bao_cao"),) if n),
    )


def vote_result(ctx: DossierContext, nomination: NominationInfo) -> Eligibility:
    """The nomination against its thresholds (as the service read them, else the vote ratio alone)."""
    known = ctx.eligibility.get(nomination.id)
    return known if known is not None else check_eligibility(nomination, ctx.round, ctx.catalog, {})


def passed(ctx: DossierContext, nomination: NominationInfo) -> bool:
    """Whether the council's vote reaches the award type's ratio (from the data file)."""
    return bool(vote_result(ctx, nomination).vote_passed)


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
    with_result = len(form["vote_columns"]) == 8  # a data file of the older shape has no "Kết quả" column
    widths = (0.9, 4.4, 2.7, 1.4, 1.4, 1.3, 1.6, 2.0)[: 8 if with_result else 7]
    aligns = (d.Align.CENTER, d.Align.LEFT, d.Align.LEFT, *([d.Align.CENTER] * 5))[: len(widths)]
    columns = [d.Column(t, w, a) for t, w, a in zip(form["vote_columns"], widths, aligns, strict=True)]

    def cells(index: int, n: NominationInfo) -> tuple[str, ...]:
        votes = (n.votes_for, n.votes_against, n.votes_total)
        result = vote_result(ctx, n)
        row = (str(index), describe(n), ctx.catalog.award_type(n.draft.award_type_code).short_name,
               *(format_number(v) if v is not None else "—" for v in votes),
               format_percent(n.approval_percent, target=result.vote_threshold))
        return (*row, result.result_text()) if with_result else row

    labels = _section_labels(ctx.regime.form("danh_sach"), bool(collectives), bool(individuals))
    approved = [n for n in nominations if passed(ctx, n)]
    failed = [n for n in nominations if vote_result(ctx, n).vote_passed is False]
    approved_collectives, approved_individuals = _split(approved)
    conclusion = (fill(form["conclusion"], values | {"passed": _counts(ctx, len(approved_collectives),
                                                                         len(approved_individuals))})
                  if approved else fill(form["conclusion_none"], values))
    if failed and "conclusion_failed" in form:
        conclusion += " " + fill(form["conclusion_failed"], values | {"failed": "; ".join(describe(n) for n in failed)})
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
        letterhead=ctx.letterhead(ctx.bien_ban_ref(), day=r.meeting_date), ref=ctx.bien_ban_ref(),
        title=d.Title(form["title"], ctx.regime.lines("bien_ban", "summary", values)),
        blocks=tuple(blocks),
        closing=d.Closing((), (_signature(form["sign_secretary"], r.secretary_name),
                               _signature(form["sign_chair"], r.chair_name))),
        author=ctx.issuing_unit.name, keywords=(ctx.regime.name,),
    )


def dossier_documents(ctx: DossierContext, nomination: NominationInfo,
                      round_nominations: Sequence[NominationInfo]) -> list[d.Document]:
    """The preview of one nomination: its award type's Tờ trình and Danh sách, its report, the minutes."""
    ctx.check_round_issuer()
    award = ctx.catalog.award_type(nomination.draft.award_type_code)
    same_award = _same_award(award, nomination, round_nominations)
    return [to_trinh(ctx, award, same_award), danh_sach(ctx, same_award, award), bao_cao(ctx, nomination),
            bien_ban(ctx, round_nominations)]


def _same_award(award: AwardType, nomination: NominationInfo | None,
                round_nominations: Sequence[NominationInfo]) -> list[NominationInfo]:
    same_award = [n for n in round_nominations if n.draft.award_type_code == award.code]
    if nomination is not None and nomination.id not in {n.id for n in same_award}:
        same_award.append(nomination)
    return same_award


def award_set(ctx: DossierContext, award: AwardType, round_nominations: Sequence[NominationInfo]) -> list[d.Document]:
    """What goes to the authority for one award type: the Tờ trình, its Danh sách, the report of every
    nominee it lists (as the Tờ trình says they are attached) and the council's minutes."""
    ctx.check_round_issuer()
    same_award = _same_award(award, None, round_nominations)
    return unique_names([to_trinh(ctx, award, same_award), danh_sach(ctx, same_award, award),
                         *(bao_cao(ctx, n) for n in same_award), bien_ban(ctx, round_nominations)])


def round_documents(ctx: DossierContext, round_nominations: Sequence[NominationInfo]) -> list[d.Document]:
    """Every document of the round as one numbered set: per award type its Tờ trình, Danh sách and
    reports (in the order the nominations were made), then the minutes once."""
    ctx.check_round_issuer()
    codes = list(dict.fromkeys(n.draft.award_type_code for n in round_nominations))
    documents: list[d.Document] = []
    for code in codes:
        award = ctx.catalog.award_type(code)
        same_award = _same_award(award, None, round_nominations)
        documents += [to_trinh(ctx, award, same_award), danh_sach(ctx, same_award, award),
                      *(bao_cao(ctx, n) for n in same_award)]
    if round_nominations:
        documents.append(bien_ban(ctx, round_nominations))
    return unique_names(documents)


def unique_names(documents: Sequence[d.Document]) -> list[d.Document]:
    """File stems made unique ("…-2") so that two reports of one name never overwrite each other."""
    seen: dict[str, int] = {}
    result = []
    for document in documents:
        count = seen.get(document.name, 0) + 1
        seen[document.name] = count
        result.append(document if count == 1 else replace(document, name=f"{document.name}-{count}"))
    return result


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
