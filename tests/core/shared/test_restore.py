"""The department's one backup is `pg_dump`: restored into a fresh database, a new reviewer sees every photo."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from tests.conftest import _drop_database
from tests.core.bundles.conftest import enrol, make_unit, pdf_bytes
from tests.core.shared.conftest import Reviewer
from thidua_desktop.core.bundles.import_plan import ImportStatus
from thidua_desktop.core.models import Evidence


def libpq_url(url: str) -> str:
    """`postgresql+psycopg://…` as pg_dump and pg_restore take it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_a_department_restored_from_pg_dump_shows_every_photo(tmp_path: Path,
                                                              reviewers: tuple[Reviewer, Reviewer]) -> None:
    first, _second = reviewers
    unit = make_unit(tmp_path / "unit")
    photos = [pdf_bytes(seed, 1_500_000 if seed == 1 else 40_000) for seed in range(1, 5)]
    uuid_ = unit.add("Hòa giải ở xã Kiến An", attach=photos[:2])
    unit.add("Tuyên truyền", attach=photos[2:])
    bundle1 = unit.export().path
    unit.edit(uuid_, title="Hòa giải thành")
    bundle2 = unit.export().path
    with first.open() as a:
        enrol(a, unit)
        a.bundles().import_file(bundle1)

    dump = tmp_path / "so-tu-phap.dump"  # the README's backup step
    subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), libpq_url(first.url)], check=True)

    admin_url = os.environ["THIDUA_TEST_PG_URL"]
    name = f"thidua_restored_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        restored_url = admin_url.rsplit("/", 1)[0] + f"/{name}"
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", libpq_url(restored_url),
                        str(dump)], check=True)
        newcomer = Reviewer("Chuyên viên C", tmp_path / "reviewer-c", restored_url)  # a new machine, empty folder
        with newcomer.open() as c:
            assert c.is_configured
            store = c.evidence_store()
            with c.sessions() as session:
                shas = set(session.scalars(select(Evidence.sha256)))
            assert shas == {hashlib.sha256(p).hexdigest() for p in photos}
            for sha in shas:
                assert hashlib.sha256(store.path_for(sha).read_bytes()).hexdigest() == sha
            assert c.bundles().import_file(bundle2).status is ImportStatus.NEW  # and the work goes on
    finally:
        _drop_database(admin, name)
        admin.dispose()
        unit.workspace.close()
