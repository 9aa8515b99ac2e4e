"""Collisions with another reviewer are retried, then reported in Vietnamese: never a traceback."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from tests.core.bundles.conftest import Unit, enrol, pdf_bytes
from thidua_desktop.core.bundles import import_apply
from thidua_desktop.core.bundles.models import BundleImport
from thidua_desktop.core.concurrency import ConcurrentChangeError, is_transient, with_retry
from thidua_desktop.core.consolidation import review
from thidua_desktop.core.models import Evidence
from thidua_desktop.core.query import Period
from thidua_desktop.core.workspace import Workspace


class _PgError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"simulated {sqlstate}")
        self.sqlstate = sqlstate


def unique_violation() -> IntegrityError:
    return IntegrityError("INSERT INTO evidence …", {}, _PgError("23505"))


def test_transient_errors_are_recognised() -> None:
    assert is_transient(unique_violation())
    assert is_transient(OperationalError("SELECT", {}, _PgError("40P01")))
    assert is_transient(OperationalError("SELECT", {}, _PgError("40001")))
    assert not is_transient(IntegrityError("INSERT", {}, _PgError("23503")))  # a foreign key: a real bug
    assert not is_transient(ValueError("x"))


def test_with_retry_gives_up_with_a_vietnamese_message() -> None:
    calls = []

    def always() -> None:
        calls.append(1)
        raise unique_violation()

    with pytest.raises(ConcurrentChangeError) as caught:
        with_retry(always, pause=0)
    assert len(calls) == 3
    assert "đã thử 3 lần" in caught.value.message and "Không có gì bị thay đổi" in caught.value.hint


def test_an_injected_unique_violation_during_import_is_retried(department: Workspace, unit: Unit,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    enrol(department, unit)
    unit.add("Hòa giải", attach=[pdf_bytes(1), pdf_bytes(2)])
    path = unit.export().path
    real = import_apply._ensure_evidence_rows
    calls = []

    def collide_once(session, items):  # noqa: ANN001, ANN202
        calls.append(1)
        if len(calls) == 1:
            real(session, items)  # rows written, then the other reviewer "wins" the key
            raise unique_violation()
        return real(session, items)

    monkeypatch.setattr(import_apply, "_ensure_evidence_rows", collide_once)
    report = department.bundles().import_file(path)
    assert len(calls) == 2 and report.evidence_added == 2
    with department.sessions() as session:
        assert session.scalar(select(func.count()).select_from(BundleImport)) == 1
        assert session.scalar(select(func.count()).select_from(Evidence)) == 2
    assert all(path.is_file() for path in department.layout.evidence_dir.rglob("*") if path.is_file())


def test_import_that_keeps_colliding_ends_with_a_message_and_changes_nothing(
        department: Workspace, unit: Unit, monkeypatch: pytest.MonkeyPatch) -> None:
    enrol(department, unit)
    unit.add("Hòa giải", attach=[pdf_bytes(3)])
    path = unit.export().path

    def always(session, items):  # noqa: ANN001, ANN202
        raise unique_violation()

    monkeypatch.setattr(import_apply, "_ensure_evidence_rows", always)
    with pytest.raises(ConcurrentChangeError):
        department.bundles().import_file(path)
    with department.sessions() as session:
        assert session.scalar(select(func.count()).select_from(BundleImport)) == 0
    monkeypatch.undo()
    assert department.bundles().import_file(path).evidence_added == 1  # and it goes in afterwards


def test_a_lock_that_collides_is_retried(department: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    real = review.lock_period
    calls = []

    def collide_once(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT … FOR UPDATE", {}, _PgError("40P01"))
        return real(*args, **kwargs)

    from thidua_desktop.core.consolidation import review_service

    monkeypatch.setattr(review_service, "lock_period", collide_once)
    service = department.review()
    report = service.lock_period(service.unit_id("PTP-CM"), Period.year(2024), allow_open_queries=True)
    assert len(calls) == 2 and report.lock is not None and report.lock.starts_on == date(2024, 1, 1)
