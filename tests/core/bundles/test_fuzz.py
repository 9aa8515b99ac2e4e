"""Fuzzing: mutated bundles never crash the reader, never import partly, and always get a clear refusal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from thidua_desktop.core.bundles.errors import BundleError
from thidua_desktop.core.bundles.importer import import_bundle, verify_bundle
from thidua_desktop.core.workspace import Role, Workspace

from .conftest import Unit, enrol, make_unit, pdf_bytes, state


@dataclass
class Target:
    department: Workspace
    original: bytes
    before: dict
    folder: Path


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    from thidua_desktop.core.bundles import keys

    saved = dict(keys.KDF_LIMITS)
    keys.KDF_LIMITS.update(opslimit=2**15, memlimit=2**24)
    root = tmp_path_factory.mktemp("fuzz")
    unit: Unit = make_unit(root / "unit")
    unit.add("Phổ biến pháp luật", attach=[pdf_bytes(1, 3000), pdf_bytes(2, 2000)])
    unit.add("Hòa giải ở cơ sở", values={"2.2.e": 3})
    unit.workspace.activities().delete([unit.add("Đã xóa")])
    bundle = unit.export()
    department = Workspace.open(root / "department", actor="kiểm thử")
    department.configure(Role.DEPARTMENT, None)
    enrol(department, unit)
    yield Target(department, bundle.path.read_bytes(), state(department), root)
    department.close()
    unit.workspace.close()
    keys.KDF_LIMITS.update(saved)


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "overwrite", "duplicate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=32))
            data[at : at + len(chunk)] = chunk
        else:
            size = draw(st.integers(1, 128))
            data[at:at] = data[max(0, at - size) : at]
    return bytes(data)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(st.data())
def test_mutated_bundles_are_refused_cleanly(target: Target, data: st.DataObject) -> None:
    mutant = data.draw(mutated(target.original))
    assume(mutant != target.original)
    path = target.folder / "mutant.thidua"
    path.write_bytes(mutant)
    for attempt in (verify_bundle, import_bundle):
        with pytest.raises(BundleError) as refused:
            attempt(target.department, path)
        assert refused.value.message and refused.value.hint
        assert refused.value.exit_code >= 20
    assert state(target.department) == target.before


def test_the_unmutated_bundle_is_accepted(target: Target) -> None:
    path = target.folder / "original.thidua"
    path.write_bytes(target.original)
    assert "Gói hợp lệ" in verify_bundle(target.department, path).message
