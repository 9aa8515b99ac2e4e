"""The department's side: consolidated tables, completeness, review, scoring and ranking, and exports.

Modules (plain core functions, no Qt; long ones take `progress` and `cancel`):

- `table`: the consolidated table (units × indicators grouped by criterion, province totals, targets);
  `cube`: a month × place pre-aggregation that answers any period or filter in milliseconds.
- `drilldown`: the activities behind a cell, their evidence and the bundle each came from.
- `completeness`: who reported, when, on time or not (Tình hình gửi báo cáo), and the reminder list.
- `review`: accept or query activities, approve (lock) a unit's period, hold back bundles that would change it.
- `scoring`: the scoring scheme as data, self and reviewed scores, ranking and award candidates
  (`rank_units`, `award_candidates`: the award-dossier feature calls these).
- `excel`: the .xlsx export, one sheet per view; `report`: the PDF/Word summary report.

The GUI and the CLI reach all of this through two typed services on `Workspace`, never through sessions:
`service.ConsolidationService` (`workspace.consolidation()`: tables, completeness, reminders, ranking with
the scoring-folder rule, drill-down, exports) and `review_service.ReviewService` (`workspace.review()`:
accept/query, lock/unlock with the held changes an unlock frees, apply/discard them, reviewed scores).
A new department-side rule goes into the plain module it belongs to and is exposed by one of them.

This package's `__init__` imports nothing, so `core/schema.py` can import its models without a cycle.
"""
