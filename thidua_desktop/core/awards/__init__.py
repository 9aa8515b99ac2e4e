"""Award dossiers: nominations drafted from the data and printed as Vietnamese administrative documents.

Modules (import them directly; this package imports nothing, because `core.schema` loads `models`
while the workspace itself is still being imported):

- `models` — tables: `AwardRound` (đợt xét: header, number, date, signer, council meeting),
  `AwardNomination` (collective or individual, texts, figures, votes, status), `PriorAward`.
- `catalog` — data files in `resources/awards/`: award types with their granting authority,
  certificate forms, and legal-basis sets chosen by document date (`AwardCatalog.regime_for`).
- `records` — the shapes callers see: `NominationDraft`, `NominationInfo`, `RoundInfo`, `Candidate`,
  `NominationChange`/`OffsetChange` (change reports), labels, and the `SettingsStore` protocol.
- `service` — `AwardService` (`workspace.awards()`): rounds, nominations, votes and status
  (draft → voted → submitted), pre-fill, the ranking's choices and `create_from_candidates`.
- `prefill` — section II of the report from `query.indicator_values` against the plan's targets.
- `dossier` — builders of the documents (`to_trinh`, `danh_sach`, `bao_cao`, `bien_ban`).
- `certificates` — names printed onto blank forms with calibrated offsets, and the test page.
- `ranking` — the consolidation ranking and its award proposals as nomination candidates.
- `documents` — `AwardDocuments` (`workspace.awards().documents`): preview choices, Word/PDF files, the
  whole dossier, certificates, printer offsets and the calibration page, each cancellable.
- `migration` — schema step 5.
"""
