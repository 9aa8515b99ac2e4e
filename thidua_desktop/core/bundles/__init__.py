"""Signed bundles: the unit exports one signed file; the department verifies, previews and imports it once.

Modules: `canonical` (canonical JSON), `minisign` (key and signature encoding), `container` (the
canonical ZIP), `manifest`, `keys` (the unit's own key), `trust` (the department's registry),
`exporter`, `reader` (open and verify), `importer` (sequence rules, preview, apply), `sheet`
(the enrolment sheet PDF). See docs/bundle-format.md. This package file stays import-free, because
`core/schema.py` imports `bundles.models` while the database layer is still loading.
"""
