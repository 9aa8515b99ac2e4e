"""`thidua-desktop --self-test TỆP`: the command a double-clicked `.thidua` runs, made to exit with a verdict.

The Windows CI runs the command registered for `.thidua` this way on a real bundle; here the same mode
is checked on a source checkout: a good bundle passes, a tampered or missing one fails the run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from thidua_desktop import selftest
from thidua_desktop.selftest import FAILED, OK, file_argument, run_steps

FILE_STEP = selftest.OPEN_FILE_STEP[0]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real signed bundle and its one-byte-changed copy, as the self-test's own bundle step leaves them."""
    root = tmp_path_factory.mktemp("selftest-source")
    results = run_steps(root, with_qt=False)
    assert all(r.status != FAILED for r in results), [r.detail for r in results if r.status == FAILED]
    folder = root / "goi-du-lieu"
    good = next(p for p in folder.glob("*.thidua") if p.name != "goi-bi-sua.thidua")
    return good, folder / "goi-bi-sua.thidua"


def test_file_argument_only_next_to_self_test(tmp_path: Path) -> None:
    bundle = tmp_path / "goi.thidua"
    assert file_argument(["--self-test", str(bundle)]) == bundle.resolve()
    assert file_argument([str(bundle), "--self-test"]) == bundle.resolve()  # the registered "exe" "%1" + flag
    assert file_argument([str(bundle)]) is None  # a plain double-click opens the GUI, not the self-test
    assert file_argument(["--self-test"]) is None
    assert file_argument(["tests/installer", "-q"]) is None  # pytest's own argv is never taken for a file


def test_a_real_bundle_passes(bundles: tuple[Path, Path], tmp_path: Path) -> None:
    good, _tampered = bundles
    results = run_steps(tmp_path, with_qt=False, bundle_file=good)
    last = results[-1]
    assert last.title == FILE_STEP
    assert last.status == OK, last.detail
    assert good.name in last.detail and "mọi mã băm khớp" in last.detail and "1 hoạt động" in last.detail


@pytest.mark.parametrize("which", ["tampered", "missing"])
def test_a_tampered_or_missing_bundle_fails_the_run(bundles: tuple[Path, Path], tmp_path: Path, which: str) -> None:
    path = bundles[1] if which == "tampered" else tmp_path / "khong-co.thidua"
    results = run_steps(tmp_path / "run", with_qt=False, bundle_file=path)
    assert results[-1].title == FILE_STEP
    assert results[-1].status == FAILED
    assert all(r.status != FAILED for r in results[:-1])


def test_without_a_file_the_step_is_not_run(tmp_path: Path) -> None:
    assert FILE_STEP not in [r.title for r in run_steps(tmp_path, with_qt=False)]
