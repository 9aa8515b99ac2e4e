"""Schema step 6: the outgoing bundle counter moves from `bundles/sequence.json` into the database,
keeping the higher of the two numbers."""

from __future__ import annotations

import json
import sqlite3

import pytest

from thidua_desktop.core.bundles.exporter import export_bundle, sequence_meta_key
from thidua_desktop.core.workspace import Workspace

from .conftest import PASSPHRASE, Unit


def _as_schema_5_with_file(unit: Unit, file_seq: int, db_seq: int | None) -> Workspace:
    """Turn the unit's database back into a schema-5 one whose counter lived in the file, and reopen it."""
    ws = unit.workspace
    key = sequence_meta_key(ws.setting("unit_code"), ws.campaign().code)
    root = ws.layout.root
    ws.close()
    conn = sqlite3.connect(root / "thidua.sqlite")
    conn.execute("UPDATE app_meta SET value = '5' WHERE key = 'schema_version'")
    conn.execute("DELETE FROM app_meta WHERE key LIKE 'bundle_seq:%'")
    if db_seq is not None:
        conn.execute("INSERT INTO app_meta (key, value) VALUES (?, ?)", (key, str(db_seq)))
    conn.commit()
    conn.close()
    (root / "bundles").mkdir(exist_ok=True)
    (root / "bundles" / "sequence.json").write_text(json.dumps({key.split(":", 1)[1]: file_seq}), encoding="utf-8")
    return Workspace.open(root, actor="cán bộ")


@pytest.mark.parametrize(("file_seq", "db_seq", "expected"), [(7, None, 8), (2, 9, 10)])
def test_step_6_imports_the_sequence_file_keeping_the_higher_number(
    unit: Unit, file_seq: int, db_seq: int | None, expected: int
) -> None:
    unit.add("Gói đầu")
    assert unit.export().seq == 1
    reopened = _as_schema_5_with_file(unit, file_seq, db_seq)
    try:
        assert reopened.open_report.migration.from_version == 5
        (reopened.layout.bundles_dir / "sequence.json").unlink()  # from now on the database alone numbers
        report = export_bundle(reopened, unit.files.parent / "outbox", passphrase=PASSPHRASE)
        assert report.seq == expected
    finally:
        reopened.close()
