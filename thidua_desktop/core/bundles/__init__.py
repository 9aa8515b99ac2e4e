"""Signed bundles: the unit exports one signed file; the department verifies, previews and imports it once.

Modules: `canonical` (canonical JSON), `minisign` (key and signature encoding), `container` (the
canonical ZIP), `manifest`, `keys` (the unit's own key), `trust` (the department's registry: enrol,
confirm a rotated key, undo), `revocation` (cascade, sequence reset), `authority` (who signed, in which
trust state), `chain` (the one decision: sequence and chain rules, holds), `holds` (held bundles, frozen
chains, branch choice), `exporter`, `reader` (open and verify), `importer` (one file or many) with
`import_plan` (verdict, preview), `import_apply` (one transaction), `import_verify` and `import_history`, `pending`
(changes held back by the `guards`), `sheet` (the enrolment sheet PDF), `host` (what the package needs
from a workspace) and `service` (`BundleService`, the one door for the GUI and the CLI). Records are
converted by the codec in `core/records.py`. See docs/bundle-format.md. This package file stays import-free, because
`core/schema.py` imports `bundles.models` while the database layer is still loading.
"""
