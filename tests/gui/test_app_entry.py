"""The entry point's installer-facing parts: `--self-test`, the bundle FILE argument, the window icon."""

from __future__ import annotations

import importlib
import types
from pathlib import Path

import pytest

from thidua_desktop.gui import app as gui_app


def test_parser_accepts_a_bundle_file_and_the_self_test_flag() -> None:
    parser = gui_app.build_parser()
    args = parser.parse_args([r"C:\Users\canbo\Downloads\PTP-CM_KH-78_0003.thidua"])
    assert args.file == r"C:\Users\canbo\Downloads\PTP-CM_KH-78_0003.thidua"
    assert args.self_test is False
    assert parser.parse_args(["--self-test"]).self_test is True
    assert parser.parse_args([]).file is None


def test_self_test_flag_runs_the_self_test_before_any_window(monkeypatch: pytest.MonkeyPatch) -> None:
    import thidua_desktop.selftest as selftest

    monkeypatch.setattr(selftest, "run_self_test", lambda: 7)
    monkeypatch.setattr(gui_app, "make_application", lambda _argv: pytest.fail("no QApplication for --self-test"))
    assert gui_app.main(["--self-test"]) == 7


def test_application_icon_has_every_size(qapp) -> None:  # noqa: ANN001
    app = gui_app.make_application(["thidua-desktop"])
    sizes = {(s.width(), s.height()) for s in app.windowIcon().availableSizes()}
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes
    assert app.desktopFileName() == "thidua-desktop"


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    messages: list[str] = []
    monkeypatch.setattr(gui_app, "show_error", lambda _parent, error, *a, **k: messages.append(error.message))
    return messages


def test_missing_file_argument_is_reported_in_vietnamese(shown: list[str], tmp_path: Path) -> None:
    gui_app.open_file_argument(None, tmp_path / "khong-co.thidua")  # type: ignore[arg-type]
    assert shown == [f"Không tìm thấy tệp “{tmp_path / 'khong-co.thidua'}”."]


def test_file_argument_goes_to_the_bundles_page(shown: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "goi.thidua"
    bundle.write_bytes(b"PK")
    opened: list[tuple[object, Path]] = []
    page = types.ModuleType("thidua_desktop.gui.pages.bundles")
    page.open_bundle_file = lambda window, path: opened.append((window, path))  # type: ignore[attr-defined]
    real_find_spec, real_import = importlib.util.find_spec, importlib.import_module
    name = "thidua_desktop.gui.pages.bundles"
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: object() if n == name else real_find_spec(n, *a))
    monkeypatch.setattr(importlib, "import_module", lambda n, *a: page if n == name else real_import(n, *a))
    window = object()
    gui_app.open_file_argument(window, bundle)  # type: ignore[arg-type]
    assert opened == [(window, bundle)]
    assert shown == []


def test_file_argument_without_a_bundles_page_says_where_to_import(
    shown: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "goi.thidua"
    bundle.write_bytes(b"PK")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec",
        lambda n, *a: None if n == "thidua_desktop.gui.pages.bundles" else real_find_spec(n, *a),
    )
    gui_app.open_file_argument(None, bundle)  # type: ignore[arg-type]
    assert shown == ["Phiên bản này chưa mở được gói dữ liệu “goi.thidua” trực tiếp."]
